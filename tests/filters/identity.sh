#!/bin/sh
# Identity filters: a filter whose every function returns its node
# unchanged (identity.lua), or a copy rebuilt from the node's fields with
# its children read (identity-rebuild.lua), must not change a page. For
# every example of the CommonMark spec (npm package commonmark-spec) and
# every tests/filters/gfm/*.md, `render FILE`, `render --filter
# identity.lua FILE` and `render --filter identity-rebuild.lua FILE` must
# print the same bytes and exit with the same status.
#
# Each input runs twice: in a folder without site.yaml (raw HTML left out,
# the default) and in one whose site.yaml has `unsafe_html: true`, so that
# the text of HtmlBlock and HtmlInline nodes reaches the output too.
#
# Prints "ok identity/commonmark (N examples)" or one
# "FAIL identity/commonmark-NUMBER: ..." per failing example, and
# "ok identity/gfm-NAME" or "FAIL identity/gfm-NAME: ..." per GFM file.
#
# The filtered renders run CLINICGEN (default build/asan/clinicgen, so the
# sanitizers watch the filter code and the renderer); the unfiltered
# baseline runs PLAIN_CLINICGEN (default build/clinicgen, the release
# binary, when it exists; else CLINICGEN): a third of the runs at a fifth
# of the cost, and a release binary that renders differently from the
# sanitized one would fail here too.
#
# Environment: CLINICGEN, PLAIN_CLINICGEN, JOBS (parallel renders,
# default 2), KEEP=1 keeps the temporary folder.
set -u
cd "$(dirname "$0")/../.." || exit 1
root=$(pwd)

# Pinned spec version (see `npm view commonmark-spec versions`).
SPEC_VERSION=0.31.2
npm_prefix=build/npm
spec_pkg=$root/$npm_prefix/node_modules/commonmark-spec

bin=${CLINICGEN:-build/asan/clinicgen}
case $bin in /*) ;; */*) bin=$root/$bin ;; esac
plain_bin=${PLAIN_CLINICGEN:-build/clinicgen}
[ -x "$plain_bin" ] || plain_bin=$bin
case $plain_bin in /*) ;; */*) plain_bin=$root/$plain_bin ;; esac
jobs=${JOBS:-2}
dir=$root/tests/filters
status=0

# Every node type in docs/filters.md must have a function in both filters.
types=$(awk '/^## Nodes/ { on = 1 } /^### Constructors/ { on = 0 }
             on && /^\| `/ { split($0, col, "|"); print col[2] }' docs/filters.md |
    grep -o '`[A-Za-z]*`' | tr -d '`')
if [ -z "$types" ]; then
    echo "FAIL identity/covers-every-node-type: found no node table in docs/filters.md"
    status=1
else
    missing=
    for t in $types; do
        for f in identity.lua identity-rebuild.lua; do
            grep -q "^  $t = " "$dir/$f" || missing="$missing $f:$t"
        done
    done
    if [ -z "$missing" ]; then
        echo "ok identity/covers-every-node-type ($(echo "$types" | wc -w) types)"
    else
        echo "FAIL identity/covers-every-node-type: no function for$missing"
        status=1
    fi
fi

if [ ! -x "$bin" ]; then
    echo "FAIL identity/commonmark: no binary at $bin (make build/asan/clinicgen)"
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/identity.XXXXXX") || exit 1
if [ "${KEEP:-}" = 1 ]; then
    echo "# keeping $tmp" >&2
else
    trap 'rm -rf "$tmp"' EXIT
    trap 'rm -rf "$tmp"; exit 130' HUP INT PIPE TERM
fi
mkdir -p "$tmp/in/cm" "$tmp/in/gfm" "$tmp/safe" "$tmp/unsafe"
printf 'unsafe_html: true\n' >"$tmp/unsafe/site.yaml"

# ---- the corpus ----

installed_spec() {
    [ -f "$spec_pkg/package.json" ] &&
        sed -n 's/.*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' \
            "$spec_pkg/package.json" | head -n 1
}

cm_ready=0
if [ "$(installed_spec)" != "$SPEC_VERSION" ]; then
    echo "# installing commonmark-spec@$SPEC_VERSION into $npm_prefix" >&2
    npm install --prefix "$npm_prefix" --no-audit --no-fund --ignore-scripts \
        "commonmark-spec@$SPEC_VERSION" >"$tmp/npm.log" 2>&1
fi
if [ "$(installed_spec)" != "$SPEC_VERSION" ]; then
    echo "FAIL identity/commonmark: cannot install commonmark-spec@$SPEC_VERSION with npm"
    sed 's/^/    /' "$tmp/npm.log" 2>/dev/null | tail -10
    status=1
elif ! command -v node >/dev/null 2>&1; then
    echo "FAIL identity/commonmark: node is needed to read the spec's examples"
    status=1
else
    # The package exports tests: [{markdown, html, section, number}]; its
    # examples write a tab as "→" (as the spec's own test runner expects).
    # An example opening with a "---" line would be read as front matter:
    # an empty front matter block in front keeps all of it Markdown.
    n_examples=$(node -e '
        const fs = require("fs"), [pkg, out] = process.argv.slice(1);
        const tests = require(pkg).tests;
        for (const t of tests) {
            let md = t.markdown.replace(/\u2192/g, "\t");
            if (/^---[ \t\r]*(\n|$)/.test(md)) md = "---\n---\n" + md;
            fs.writeFileSync(`${out}/${t.number}.md`, md);
        }
        console.log(tests.length);' "$spec_pkg" "$tmp/in/cm" 2>"$tmp/node.log")
    if [ -n "$n_examples" ] && [ "$n_examples" -gt 0 ]; then
        cm_ready=1
    else
        echo "FAIL identity/commonmark: cannot read the examples of commonmark-spec"
        sed 's/^/    /' "$tmp/node.log" | tail -10
        status=1
    fi
fi
for f in "$dir"/gfm/*.md; do
    [ -e "$f" ] && cp "$f" "$tmp/in/gfm/"
done

# ---- render every input three ways, in both folders ----

# run_all FILE...: for each FILE and folder, FILE.MODE.VARIANT.{out,err,rc}
export BIN="$bin" PLAIN_BIN="$plain_bin" FID="$dir/identity.lua" FRB="$dir/identity-rebuild.lua" TMPROOT="$tmp"
run_all='
for f in "$@"; do
    for mode in safe unsafe; do
        cd "$TMPROOT/$mode" || exit 1
        b=$f.$mode
        "$PLAIN_BIN" render "$f" >"$b.plain.out" 2>"$b.plain.err"
        echo $? >"$b.plain.rc"
        "$BIN" render --filter "$FID" "$f" >"$b.identity.out" 2>"$b.identity.err"
        echo $? >"$b.identity.rc"
        "$BIN" render --filter "$FRB" "$f" >"$b.rebuild.out" 2>"$b.rebuild.err"
        echo $? >"$b.rebuild.rc"
    done
done'
find "$tmp/in" -name '*.md' -print0 | xargs -0 -n 16 -P "$jobs" sh -c "$run_all" sh

# check FILE: prints nothing if all agree, else a first line naming what
# differs ("unsafe/rebuild: stdout; safe/identity: exit 1 not 0") and an
# indented short diff.
check() {
    summary='' details=''
    for mode in safe unsafe; do
        b=$1.$mode
        for v in identity rebuild; do
            what=
            if [ ! -f "$b.$v.rc" ] || [ ! -f "$b.plain.rc" ]; then
                what="did not run"
            else
                rc0=$(cat "$b.plain.rc") rc1=$(cat "$b.$v.rc")
                [ "$rc0" = "$rc1" ] || what="exit $rc1 not $rc0"
                if ! cmp -s "$b.plain.out" "$b.$v.out"; then
                    what="${what:+$what, }stdout"
                    details="$details
    $mode/$v (- without the filter, + with it):
$(diff "$b.plain.out" "$b.$v.out" | head -n 12 | cut -c 1-200 | sed 's/^/      /')"
                fi
                if [ "$rc0" != "$rc1" ]; then
                    details="$details
    $mode/$v stderr:
$(head -n 3 "$b.$v.err" | cut -c 1-200 | sed 's/^/      /')"
                fi
            fi
            [ -z "$what" ] || summary="${summary:+$summary; }$mode/$v: $what"
        done
    done
    [ -z "$summary" ] || printf '%s%s\n' "$summary" "$details"
}

if [ "$cm_ready" = 1 ]; then
    failed=0
    n=1
    while [ "$n" -le "$n_examples" ]; do
        why=$(check "$tmp/in/cm/$n.md")
        if [ -n "$why" ]; then
            printf 'FAIL identity/commonmark-%s: %s\n' "$n" "$why"
            failed=$((failed + 1))
        fi
        n=$((n + 1))
    done
    if [ "$failed" -eq 0 ]; then
        echo "ok identity/commonmark ($n_examples examples)"
    else
        status=1
    fi
fi

for f in "$tmp"/in/gfm/*.md; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .md)
    why=$(check "$f")
    if [ -z "$why" ]; then
        echo "ok identity/gfm-$name"
    else
        printf 'FAIL identity/gfm-%s: %s\n' "$name" "$why"
        status=1
    fi
done
exit $status
