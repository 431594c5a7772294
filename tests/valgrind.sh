#!/bin/sh
# make check-valgrind: the unit tests, the fuzz regressions and the golden,
# error, check and demo suites with the plain debug build (build/valgrind/,
# no sanitizers) under valgrind's memcheck (tests/tools/memcheck.sh): any
# memory error or leak fails the test that hit it, and is listed at the end
# with its report in tests/out/valgrind/PID.log. Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
mkdir -p tests/out
rm -rf tests/out/valgrind
log=tests/out/valgrind.log
: >"$log"
start=$(date +%s)

. tests/tools/suite.sh

memcheck=tests/tools/memcheck.sh
export CLINICGEN="$(pwd)/tests/tools/memcheck-clinicgen"
# the unit tests that stop a runaway filter after N seconds allow this many times N
export CLINICGEN_TEST_TIME_SCALE=20
suite vg-unit $memcheck build/valgrind/unit-tests
suite vg-fuzz-regress env REPLAY_DIR=build/valgrind REPLAY_RUNNER=$memcheck tests/fuzz/regress.sh
suite vg-golden tests/golden.sh
suite vg-errors tests/errors.sh
suite vg-check tests/check.sh
suite vg-demo tests/demo.sh

# Every report: errors fail even where a test let the exit status pass.
echo "== memcheck reports"
reports=0
bad=0
headers=0
for f in tests/out/valgrind/*.log; do
    [ -f "$f" ] || continue
    reports=$((reports + 1))
    grep -q 'ERROR SUMMARY: 0 errors' "$f" && continue
    # a header alone: the process ran another program (system()) or was
    # killed by a test's time limit (that test fails on its own)
    if [ "$(grep -c -v -e '^==[0-9]*== *$' -e 'Memcheck, a memory' -e 'Copyright' \
        -e 'Using Valgrind' -e 'Command:' -e 'Parent PID' "$f")" -eq 0 ]; then
        headers=$((headers + 1))
        continue
    fi
    bad=$((bad + 1))
    cmd=$(sed -n 's/^==[0-9]*== Command: //p' "$f" | head -1)
    echo "FAIL memcheck: $f: ${cmd:-?}" | tee -a "$log"
    grep -E '== (Invalid|Conditional|Use of|Syscall|Mismatched|Process terminating|[0-9,]+ (\([0-9,]+ direct, [0-9,]+ indirect\) )?bytes in)' "$f" |
        head -5 | sed 's/^/    /'
done
[ "$bad" -eq 0 ] && echo "ok memcheck: $reports reports, no errors, no leaks" >>"$log"
echo "   memcheck: $reports reports ($headers of processes that ran another program), $bad with errors or leaks"
echo "check-valgrind: $(($(date +%s) - start)) s"
suites_summary
