#!/bin/sh
# stem-check: themes/clinic/static/js/stem.js (the search page's stemmer) must
# stem every word exactly as libstemmer's "english" stemmer, which stems the
# index at build time. Stems one word list with both and compares.
# The list: every word in content/**/*.md and ../shared/seeds/* (if there),
# tests/search/stem-words.txt, each of those with common endings added, and a
# fixed set of pseudo-random words built from suffix fragments.
# Prints "ok stem: N words match libstemmer", or a FAIL line per mismatch.
set -u
cd "$(dirname "$0")/../.." || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stem-check.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

if ! cc -O2 -o "$tmp/stemwords" tests/search/stemwords.c -lstemmer >"$tmp/cc.log" 2>&1; then
    cat "$tmp/cc.log"
    echo "FAIL stem: cannot build tests/search/stemwords.c against libstemmer"
    exit 1
fi

cat >"$tmp/words.js" <<'JS'
"use strict";
// node words.js list DIR... : prints the word list, one word per line.
// node words.js stem STEMJS : stems each line of stdin with stem.js.
var fs = require("fs"), path = require("path");
var mode = process.argv[2], args = process.argv.slice(3);
if (mode === "stem") {
  var stem = require(path.resolve(args[0]));
  var lines = fs.readFileSync(0, "utf8").split("\n");
  lines.pop();
  process.stdout.write(lines.map(function (w) { return stem(w) + "\n"; }).join(""));
  return;
}
var seen = new Set(), out = [];
function add(w) {
  if (w && w.indexOf("\n") < 0 && !seen.has(w)) { seen.add(w); out.push(w); }
}
function files(p) {
  var st;
  try { st = fs.statSync(p); } catch (e) { return []; }
  if (!st.isDirectory()) return [p];
  return fs.readdirSync(p).sort().reduce(function (a, n) {
    return a.concat(files(path.join(p, n)));
  }, []);
}
var base = [];
// The built-in list, one word per line.
fs.readFileSync("tests/search/stem-words.txt", "utf8").split("\n").forEach(function (l) {
  if (l && l[0] !== "#") base.push(l);
});
// Words of the content: letters, digits and apostrophes; also each word
// without its outer apostrophes and each piece between apostrophes.
args.forEach(function (dir, i) {
  files(dir).forEach(function (f) {
    if (i === 0 && !/\.md$/.test(f)) return;
    var text = fs.readFileSync(f, "utf8").toLowerCase().replace(/\u2019/g, "'");
    text.split(/[^\p{L}\p{N}']+/u).forEach(function (t) {
      if (!t) return;
      base.push(t, t.replace(/^'+|'+$/g, ""));
      t.split("'").forEach(function (p) { base.push(p); });
    });
  });
});
base.forEach(add);
// Each word with common endings, to reach more paths through the steps.
base.forEach(function (w) {
  if (/^[a-z]+$/.test(w)) {
    ["s", "es", "ed", "ing", "ly", "er", "ness", "'s"].forEach(function (e) { add(w + e); });
  }
});
// Pseudo-random words from pieces of suffixes; the seed is fixed so a
// failure is repeatable.
var bits = ("a e i o u y y y b c d g l n r s t w x Y ' ss gener commun arsen " +
  "at bl iz eed ed ing ly ies ied us tional ation ator enci anci abli entli " +
  "izer alism aliti alli ful ness ous iv iti biliti ogi less ic ical ance ence " +
  "er able ible ant ment ent ism ate ion ize e l ll é 𝓍").split(" ");
var seed = 12345;
function rnd(n) { seed = seed * 48271 % 2147483647; return seed % n; }
for (var k = 0; k < 50000; k++) {
  var w = "", n = 1 + rnd(5);
  while (n--) w += bits[rnd(bits.length)];
  add(w);
}
process.stdout.write(out.join("\n") + "\n");
JS

if ! node "$tmp/words.js" list content ../shared/seeds >"$tmp/words"; then
    echo "FAIL stem: cannot make the word list"
    exit 1
fi
"$tmp/stemwords" <"$tmp/words" >"$tmp/c" || { echo "FAIL stem: stemwords failed"; exit 1; }
node "$tmp/words.js" stem themes/clinic/static/js/stem.js <"$tmp/words" >"$tmp/js" ||
    { echo "FAIL stem: stem.js failed under node"; exit 1; }

n=$(wc -l <"$tmp/words")
for out in c js; do
    if [ "$(wc -l <"$tmp/$out")" -ne "$n" ]; then
        echo "FAIL stem: $n words in, $(wc -l <"$tmp/$out") stems out of $out"
        exit 1
    fi
done
LC_ALL=C paste "$tmp/words" "$tmp/c" "$tmp/js" | LC_ALL=C awk -F '\t' '
    $2 != $3 {
        # At most 20 lines: 19 mismatches and then a count of the rest.
        if (++bad < 20) printf "FAIL stem: %s: libstemmer gives %s, stem.js gives %s\n", $1, $2, $3
        else last = sprintf("FAIL stem: %s: libstemmer gives %s, stem.js gives %s", $1, $2, $3)
    }
    END {
        if (NR == 0) { print "FAIL stem: empty word list"; exit 1 }
        if (bad == 20) print last
        if (bad > 20) printf "FAIL stem: ... and %d more mismatches\n", bad - 19
        if (bad) exit 1
        printf "ok stem: %d words match libstemmer\n", NR
    }'
