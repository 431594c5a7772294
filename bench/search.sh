#!/usr/bin/env bash
# Search figures for a site clinicgen built, next to Pagefind's on the same site.
#
# usage: bench/search.sh SITE_DIR [WALL USER WALL_NOSEARCH USER_NOSEARCH]
#        bench/search.sh --setup      (installs what it needs, and stops)
#
# Prints the size of the search client and of the index (search/), runs
# Pagefind on SITE_DIR (it adds SITE_DIR/pagefind/), measures in Chromium
# the bytes a patient's queries load with either (bench/search-bytes.js),
# and prints one table. The optional median build times, with and without
# search (bench/run.sh measures them), give the index build's share.
set -euo pipefail

PLAYWRIGHT_VERSION=1.65.1       # npm playwright-core
PAGEFIND_VERSION=1.6.0          # npm pagefind
# Queries typed into the search box, from gen-corpus's vocabulary and headings.
QUERIES=("laser" "numbing cream" "stretch mark" "hyaluronic acid gel" "aftercare")

die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
say() { printf 'bench: %s\n' "$*" >&2; }

[ $# -eq 1 ] || [ $# -eq 5 ] ||
    die "usage: bench/search.sh SITE_DIR [WALL USER WALL_NOSEARCH USER_NOSEARCH] | --setup"
root="$(cd "$(dirname "$0")/.." && pwd)"
npm_prefix="$root/build/npm"
modules="$npm_prefix/node_modules"
chromium=/usr/bin/chromium
tmp="$(mktemp -d "${TMPDIR:-/tmp}/clinicgen-search.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

need_pkg() { # need_pkg PROGRAM PACKAGE...
    if [ -x "$1" ] || command -v "$1" >/dev/null 2>&1; then return 0; fi
    local prog="$1"; shift
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "$prog missing: installing Debian package(s) $*"
        DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >&2 ||
            { apt-get update >&2 &&
              DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >&2; } ||
            die "could not install $*"
    else
        die "$prog is missing; install it with: sudo apt-get install -y $*"
    fi
}
need_pkg node nodejs
need_pkg npm npm
need_pkg "$chromium" chromium
need_pkg /usr/bin/time time

# npm packages, pinned, into build/npm (as tests/tools/vnu-check.sh does).
npm_version() { sed -n 's/^  "version": "\(.*\)",$/\1/p' "$modules/$1/package.json" 2>/dev/null; }
if [ "$(npm_version playwright-core)" != "$PLAYWRIGHT_VERSION" ] ||
   [ "$(npm_version pagefind)" != "$PAGEFIND_VERSION" ]; then
    say "installing playwright-core@$PLAYWRIGHT_VERSION and pagefind@$PAGEFIND_VERSION into build/npm"
    npm install --prefix "$npm_prefix" --no-audit --no-fund --save-exact \
        "playwright-core@$PLAYWRIGHT_VERSION" "pagefind@$PAGEFIND_VERSION" >&2 ||
        die "npm install failed"
fi
[ "$1" != --setup ] || exit 0    # only install what is needed (bench/run.sh)
site="$(cd "$1" && pwd)"
[ -f "$site/search/meta.js" ] ||
    die "$site/search/meta.js not found: was the site built with a theme that has search.html?"

# gz FILE...: the sum of each file's gzip -9 size (each is served alone).
gz() { local t=0 f; for f in "$@"; do t=$((t + $(gzip -9c "$f" | wc -c))); done; echo "$t"; }
# Bytes and file count of a folder; gzip -9 bytes summed file by file.
folder_bytes() { find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0, NR }'; }
folder_gz() {
    NODE_DIR="$1" node -e 'const fs = require("fs"), z = require("zlib"), p = require("path");
        let t = 0; const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const f = p.join(d, e.name); if (e.isDirectory()) walk(f);
            else t += z.gzipSync(fs.readFileSync(f), { level: 9 }).length; } };
        walk(process.env.NODE_DIR); console.log(t)'
}

# 1. The client: the theme's search scripts (its CSS is part of style.css).
js="$root/themes/clinic/static/js"
client_bytes=$(cat "$js/search.js" "$js/stem.js" | wc -c)
client_gz=$(gz "$js/search.js" "$js/stem.js")

# 2. Our index.
read -r cg_bytes cg_files < <(folder_bytes "$site/search")
cg_gz=$(folder_gz "$site/search")
records=$(sed -n 's/^clinicgenSearch.meta({"n":\([0-9]*\),.*/\1/p' "$site/search/meta.js")
pages=$(find "$site" -name '*.html' -not -path "$site/pagefind/*" | wc -l)

# 3. Pagefind on the same site, default settings, timed once.
rm -rf "$site/pagefind"
say "running Pagefind $PAGEFIND_VERSION on the site ($pages HTML files)"
/usr/bin/time -f '%e' -o "$tmp/time" "$modules/.bin/pagefind" --site "$site" \
    >"$tmp/log" 2>&1 || { tail -n 20 "$tmp/log" >&2; die "pagefind failed"; }
pf_wall=$(tail -n 1 "$tmp/time")
read -r pf_bytes pf_files < <(folder_bytes "$site/pagefind")

# 4. Bytes per query, in Chromium; reads back cg_* and pf_* variables.
say "typing ${#QUERIES[@]} queries in Chromium: ${QUERIES[*]}"
bytes_out="$(CHROMIUM="$chromium" NODE_PATH="$modules" \
    node "$root/bench/search-bytes.js" "$site" / "${QUERIES[@]}" 2> >(sed 's/^/bench: /' >&2))" ||
    die "measuring bytes per query failed"
eval "$(printf '%s\n' "$bytes_out" | grep -E '^(cg|pf)_[a-z_]+=[0-9]+$')"

# 5. The index build's share of the build, from bench/run.sh's medians.
share_row() {
    [ $# -eq 4 ] || { echo "(run bench/run.sh)"; return; }
    awk -v w="$1" -v u="$2" -v nw="$3" -v nu="$4" 'BEGIN {
        if (w < 0.01) w = 0.01; if (u < 0.01) u = 0.01
        printf "%.2f of %.2f s: %.0f%% (user %.0f%%)", w - nw, w, (w - nw) / w * 100, (u - nu) / u * 100 }'
}
share="$(share_row "${@:2}")"

kb() { awk -v b="$1" 'BEGIN {
    if (b >= 1048576) printf "%.1f MB", b / 1048576; else printf "%.1f KB", b / 1024 }'; }
row() { printf '%-37s %-33s %-24s %s\n' "$@"; }
echo "search: $pages pages, $records search records, ${#QUERIES[@]} queries typed (KB = 1024 B, MB = 1024 KB)"
row "" "clinicgen" "pagefind $PAGEFIND_VERSION" "target"
row "client code (gzip -9)" "$(kb "$client_bytes") ($(kb "$client_gz"))" \
    "$(kb "$pf_code") loaded" "<= 10 KB gzipped"
row "index files" "$cg_files" "$pf_files" ""
row "index bytes (gzip -9 file by file)" "$(kb "$cg_bytes") ($(kb "$cg_gz"))" "$(kb "$pf_bytes")" ""
row "index build time" "$share" "${pf_wall} s (one run)" "<= 15% of the build"
row "first query, median (gzip -9)" "$(kb "$cg_first_med") ($(kb "$cg_first_gz_med"))" "$(kb "$pf_first_med")" "<= 150 KB"
row "first query, max (gzip -9)" "$(kb "$cg_first_max") ($(kb "$cg_first_gz_max"))" "$(kb "$pf_first_max")" "<= 150 KB"
row "further keystrokes that load bytes" "$cg_key_loading of $cg_key_n" "$pf_key_loading of $pf_key_n" ""
row "further keystroke, median (gzip -9)" "$(kb "$cg_key_med") ($(kb "$cg_key_gz_med"))" "$(kb "$pf_key_med")" "<= 20 KB"
row "further keystroke, max (gzip -9)" "$(kb "$cg_key_max") ($(kb "$cg_key_gz_max"))" "$(kb "$pf_key_max")" "<= 20 KB"
echo "(Pagefind stores its index gzipped, so its bytes as served are compressed bytes;"
echo " its first-query bytes leave out its code, which the client code row shows.)"
