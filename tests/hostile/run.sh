#!/bin/sh
# The hostile-content suite: writers and filter authors are not trusted,
# and what they write must never reach a page as markup, nor make the build
# write or publish anything outside its output folder. Each case is a folder
# copied over tests/hostile/base/, with the clinic theme and the shipped
# filters added, built with clinicgen, and checked:
#
#   site/, unsafe/  must build; tests/hostile/scan.pl then reads every page
#                   and search file as a browser would and must find no
#                   script, inline style, event handler or script URL
#                   ("ok hostile/CASE/clean"); and each line "MARKER MODE
#                   FILE..." of the case's `vectors` is a test of its own
#                   (markers are matched as whole words):
#                   MODE text: the marker is in each FILE (the hostile value
#                   reached the page, as text) and in no line scan.pl
#                   flagged; MODE absent: the marker is in no FILE (the
#                   markup was left out); MODE kept: FILE holds the marker
#                   as written (allowed markup still works).
#   errors/CASE/    must fail with exactly the messages in expected.txt,
#                   leave the previous site as it was, and write nothing
#                   else anywhere in or beside the project; `args` replaces
#                   "-o OUT" (cases about the output folder).
#
# Prints "ok hostile/..." or "FAIL hostile/..." per test.
# Environment: CLINICGEN (default build/asan/clinicgen).
set -u
cd "$(dirname "$0")/../.." || exit 1
root=$(pwd)
bin=${CLINICGEN:-$root/build/asan/clinicgen}
case $bin in /*) ;; *) bin="$root/$bin" ;; esac
out=$root/tests/out/hostile
status=0

fail() { # NAME DETAIL...
    echo "FAIL hostile/$1"
    shift
    [ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/    /'
    status=1
}

assemble() { # CASE DEST
    tests/hostile/assemble.sh "$1" "$2"
}

# ---- projects that build: nothing in them may become markup ----

built_case() { # CASE
    name=$1
    dir=$out/$name
    assemble "$name" "$dir/project"
    if ! "$bin" build -q -C "$dir/project" -o "$dir/site" >"$dir/stderr" 2>&1; then
        fail "$name/build" "clinicgen build failed:" "$(cat "$dir/stderr")"
        return
    fi
    perl tests/hostile/scan.pl "$dir/site" >"$dir/problems"
    if [ -s "$dir/problems" ]; then
        fail "$name/clean" "markup that can run script or break the CSP:" "$(head -20 "$dir/problems")"
    else
        echo "ok hostile/$name/clean"
    fi
    grep -v '^#' "tests/hostile/$name/vectors" | while read -r marker mode files; do
        [ -n "$marker" ] || continue
        problems=""
        for f in $files; do
            if [ ! -f "$dir/site/$f" ]; then
                problems="$problems $f was not written;"
            elif [ "$mode" = absent ] && grep -qw "$marker" "$dir/site/$f"; then
                problems="$problems $f holds it: $(grep -ow ".\{0,60\}$marker.\{0,20\}" "$dir/site/$f" | head -1);"
            elif [ "$mode" = text ] && ! grep -qw "$marker" "$dir/site/$f"; then
                problems="$problems $f does not show it (the value never reached the page);"
            elif [ "$mode" = kept ] && ! grep -qF "$marker" "$dir/site/$f"; then
                problems="$problems $f lost it;"
            fi
        done
        if grep -qwF "$marker" "$dir/problems"; then
            problems="$problems scan.pl: $(grep -wF "$marker" "$dir/problems" | head -3)"
        fi
        if [ -z "$problems" ]; then
            echo "ok hostile/$name/$marker"
        else
            echo "FAIL hostile/$name/$marker:$problems"
        fi
    done
}

built_case site
built_case unsafe

# Nothing the slug says is written outside the output folder.
if [ -f "$out/site/site/faq/tmp-xssslug/index.html" ] && [ ! -e /tmp/xssslug ] &&
    [ -z "$(find "$out" -name '*xssslug*' -not -path "$out/site/site/*" -not -path "$out/site/project/*")" ]; then
    echo "ok hostile/site/slug-stays-inside"
else
    fail site/slug-stays-inside "the page with slug ../../../../../tmp/xssslug is not at" \
        "faq/tmp-xssslug/ or something named xssslug was written elsewhere"
fi

# ---- projects that must fail, changing nothing ----

for dir in tests/hostile/errors/*/; do
    [ -d "$dir" ] || continue
    case=$(basename "$dir")
    work=$out/errors/$case
    rm -rf "$work" "$work".*
    mkdir -p "$work"
    assemble base "$work/good"
    if ! "$bin" build -q -C "$work/good" -o "$work/site" >"$work/good.stderr" 2>&1; then
        fail "errors/$case" "the base project does not build:" "$(cat "$work/good.stderr")"
        continue
    fi
    cp -R "$work/site" "$work/site.before"
    assemble "errors/$case" "$work/project"
    if [ -f "$dir/args" ]; then set -- $(cat "$dir/args"); else set -- -o "$work/site"; fi
    # what the build leaves: everything in and beside the project, but the
    # output folder (the bookkeeping files live beside $work)
    (cd "$work" && find . -path ./site -prune -o -print | sort) >"$work.files-before"
    (cd "$work/project" && "$bin" build -q "$@") >"$work.stderr" 2>&1
    actual=$?
    (cd "$work" && find . -path ./site -prune -o -print | sort) >"$work.files-after"
    problems=""
    [ "$actual" = 1 ] || problems="$problems exit status $actual, expected 1;"
    diff -u "$dir/expected.txt" "$work.stderr" >"$work.diff" ||
        problems="$problems messages differ;"
    diff -r "$work/site.before" "$work/site" >/dev/null 2>&1 ||
        problems="$problems the previous site was changed;"
    diff "$work.files-before" "$work.files-after" >"$work.files-diff" ||
        problems="$problems files were written outside the output folder: $(grep '^>' "$work.files-diff" | head -3 | tr '\n' ' ');"
    if [ -z "$problems" ]; then
        echo "ok hostile/errors/$case"
    else
        fail "errors/$case:$problems" "$(head -30 "$work.diff")"
    fi
done
exit $status
