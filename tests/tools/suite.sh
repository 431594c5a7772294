# Sourced by tests/run.sh and tests/valgrind.sh: runs test suites and
# counts their "ok NAME" and "FAIL NAME" lines into $log.
#   suite NAME COMMAND...  runs COMMAND, output in tests/out/NAME.log, and
#                          prints the lines that are not "ok" and a count
#   suites_summary         prints "N passed, N failed"; fails if any failed
# The caller sets log (and empties it) and runs from the repository root.

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

suites_summary() {
    passed=$(grep -c '^ok ' "$log")
    failed=$(grep -c '^FAIL ' "$log")
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
