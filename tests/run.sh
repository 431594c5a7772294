#!/bin/sh
# Runs every test suite and ends with the line "N passed, N failed".
# Each suite prints "ok NAME" or "FAIL NAME" lines; this script counts them.
set -u
cd "$(dirname "$0")/.."
mkdir -p tests/out
log=tests/out/run.log
: >"$log"

suite() {
    name=$1
    shift
    echo "== $name"
    "$@" >"tests/out/$name.log" 2>&1
    status=$?
    cat "tests/out/$name.log" >>"$log"
    ok=$(grep -c '^ok ' "tests/out/$name.log")
    bad=$(grep -c '^FAIL ' "tests/out/$name.log")
    if [ "$status" -ne 0 ] && [ "$bad" -eq 0 ]; then
        echo "FAIL $name (exit $status)" >>"$log"
        bad=1
    fi
    grep -v -e '^ok ' -e '^unit: ' "tests/out/$name.log" | sed 's/^/   /'
    echo "   $name: $ok passed, $bad failed"
}

suite unit build/asan/unit-tests
suite golden tests/golden.sh
suite errors tests/errors.sh
suite bad tests/bad.sh
suite check tests/check.sh
suite new tests/new.sh
suite hostile tests/hostile/run.sh
suite filters tests/filters/identity.sh
suite search tests/search/stem-check.sh
suite demo tests/demo.sh
suite browser tests/browser/run.sh
suite a11y tests/browser/a11y.sh

passed=$(grep -c '^ok ' "$log")
failed=$(grep -c '^FAIL ' "$log")
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
