#!/bin/sh
# Error tests: each tests/errors/CASE/ holds a broken project in project/,
# the exact messages expected on standard error in expected.txt and the
# exit status in status (default 1). Before the broken build, a good build
# writes the output folder; the failed build must leave it byte for byte as
# it was. The build runs inside project/, so messages name content/... .
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
bin=${CLINICGEN:-$root/build/asan/clinicgen}
case $bin in /*) ;; *) bin="$root/$bin" ;; esac
status=0
for dir in tests/errors/*/; do
    case=$(basename "$dir")
    [ -d "$dir/project" ] || continue
    out="$root/tests/out/errors/$case"
    rm -rf "$out" "$out.before"
    mkdir -p "$out.work"
    "$bin" build -q -C tests/errors/_good -o "$out" >/dev/null 2>&1 ||
        { echo "FAIL errors/$case: the good project does not build"; status=1; continue; }
    cp -R "$out" "$out.before"
    expected_status=$(cat "$dir/status" 2>/dev/null || echo 1)
    # project/args replaces "-o OUT" (for cases about the output folder)
    if [ -f "$dir/args" ]; then set -- $(cat "$dir/args"); else set -- -o "$out"; fi
    (cd "$dir/project" && "$bin" build -q "$@") >"$out.stderr" 2>&1
    actual_status=$?
    problems=""
    [ "$actual_status" = "$expected_status" ] ||
        problems="$problems exit status $actual_status, expected $expected_status;"
    if ! diff -u "$dir/expected.txt" "$out.stderr" >"$out.diff"; then
        problems="$problems messages differ;"
    fi
    if ! diff -r "$out.before" "$out" >/dev/null 2>&1; then
        problems="$problems the previous site was changed;"
    fi
    if ls -d "$(dirname "$out")"/.$case.new-* >/dev/null 2>&1; then
        problems="$problems a staging folder was left behind;"
    fi
    if [ -z "$problems" ]; then
        echo "ok errors/$case"
    else
        echo "FAIL errors/$case:$problems"
        sed 's/^/    /' "$out.diff" | head -30
        status=1
    fi
done
exit $status
