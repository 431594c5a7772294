#!/bin/sh
# Replays every input that once broke a fuzz harness
# (tests/fuzz/regressions/NAME/FILE), each in its own process, through the
# harness built without libFuzzer (tests/fuzz/replay.c): "ok fuzz/NAME/FILE"
# when it runs clean. By default the gcc AddressSanitizer and UBSan build
# (build/asan/fuzz-replay-NAME); make check-valgrind runs the debug build
# under memcheck (REPLAY_DIR=build/valgrind, REPLAY_RUNNER=tests/tools/memcheck.sh).
# An input may take 10 s, as in the fuzzer (-timeout=10), times
# CLINICGEN_TEST_TIME_SCALE: the slow-* inputs once took far longer.
set -u
cd "$(dirname "$0")/../.."
dir=${REPLAY_DIR:-build/asan}
limit=$((10 * ${CLINICGEN_TEST_TIME_SCALE:-1}))
status=0
for name in front_matter template page; do
    for f in tests/fuzz/regressions/$name/*; do
        [ -f "$f" ] || continue
        log=tests/out/fuzz-regress.last.log
        mkdir -p tests/out
        # shellcheck disable=SC2086 # the runner may be a command with options
        if timeout "$limit" ${REPLAY_RUNNER:-} "$dir/fuzz-replay-$name" "$f" >"$log" 2>&1; then
            echo "ok fuzz/$name/$(basename "$f")"
        else
            echo "FAIL fuzz/$name/$(basename "$f"): $dir/fuzz-replay-$name $f (exit $?; 124: over $limit s)"
            grep -E 'ERROR|SUMMARY|runtime error|Invalid|uninitialised|definitely' "$log" |
                head -5 | sed 's/^/    /'
            status=1
        fi
    done
done
exit $status
