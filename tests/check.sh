#!/bin/sh
# Check tests (clinicgen check). Each tests/check/CASE/ holds a small
# project in project/ (site.yaml and content/; the run adds the theme in
# tests/check/_theme as themes/mini and the shipped filters/), optional
# extra arguments in args (such as -v) and the exact output, standard error
# then standard output, in expected.txt. The exit status must be 1 when the
# summary line counts errors and 0 otherwise, and nothing may be written.
# Reviews are dated against CLINICGEN_TODAY=2026-06-01. UPDATE=1 rewrites
# expected.txt after a deliberate change.
#
# Last, clinicgen check on the demo content (today's date): no errors.
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
bin=${CLINICGEN:-$root/build/asan/clinicgen}
case $bin in /*) ;; *) bin="$root/$bin" ;; esac
status=0
for dir in tests/check/*/; do
    case=$(basename "$dir")
    [ -d "$dir/project" ] || continue
    work="$root/tests/out/check/$case"
    rm -rf "$work"
    mkdir -p "$(dirname "$work")"
    cp -R "$dir/project" "$work"
    mkdir -p "$work/themes"
    cp -R tests/check/_theme "$work/themes/mini"
    cp -R filters "$work/filters"
    args=$(cat "$dir/args" 2>/dev/null || true)
    (cd "$work" && CLINICGEN_TODAY=2026-06-01 "$bin" check $args) >"$work.out" 2>&1
    actual_status=$?
    if [ "${UPDATE:-0}" = 1 ]; then
        cp "$work.out" "$dir/expected.txt"
    fi
    expected_status=1
    tail -1 "$dir/expected.txt" | grep -q ', 0 errors,' && expected_status=0
    problems=""
    [ "$actual_status" = "$expected_status" ] ||
        problems="$problems exit status $actual_status, expected $expected_status;"
    diff -u "$dir/expected.txt" "$work.out" >"$work.diff" || problems="$problems output differs;"
    [ -e "$work/site" ] && problems="$problems it wrote a site;"
    if [ -z "$problems" ]; then
        echo "ok check/$case"
    else
        echo "FAIL check/$case:$problems"
        sed 's/^/    /' "$work.diff" | head -30
        status=1
    fi
done

# The demo content: warnings are allowed, errors are not.
"$bin" check -C "$root" >tests/out/check-demo.out 2>&1
demo_status=$?
if [ "$demo_status" = 0 ] && tail -1 tests/out/check-demo.out | grep -q ', 0 errors,'; then
    echo "ok check/demo-has-no-errors ($(tail -1 tests/out/check-demo.out))"
else
    echo "FAIL check/demo-has-no-errors (exit $demo_status)"
    sed 's/^/    /' tests/out/check-demo.out
    status=1
fi
exit $status
