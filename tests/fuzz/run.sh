#!/bin/sh
# Runs each libFuzzer harness (build/fuzz/fuzz_NAME) for SECONDS on its
# corpus (build/fuzz/corpus-NAME, tests/fuzz/seed.sh) with its dictionary
# (tests/fuzz/NAME.dict). Prints each harness's executions and executions
# per second, "ok fuzz/NAME" or "FAIL fuzz/NAME" with the path of the input
# that crashed, leaked, hung or ran out of memory (tests/out/fuzz/NAME-*),
# and the totals.
# usage: tests/fuzz/run.sh [SECONDS] [NAME...]   (default 10 s, every harness)
# `make check` runs 10 s each; `make fuzz` FUZZ_SECONDS (60) each.
set -u
cd "$(dirname "$0")/../.."
seconds=${1:-10}
[ $# -gt 0 ] && shift
names=${*:-front_matter template page}
out=tests/out/fuzz
mkdir -p "$out"
status=0
total_execs=0
total_seconds=0
for name in $names; do
    bin=build/fuzz/fuzz_$name
    corpus=build/fuzz/corpus-$name
    log=$out/$name.log
    if [ ! -x "$bin" ] || [ ! -d "$corpus" ]; then
        echo "FAIL fuzz/$name: $bin or $corpus is missing (make build/fuzz/fuzz_$name fuzz-corpus)"
        status=1
        continue
    fi
    rm -f "$out/$name"-crash-* "$out/$name"-leak-* "$out/$name"-timeout-* "$out/$name"-oom-* \
        "$out/$name"-slow-unit-*
    dict=""
    [ -f "tests/fuzz/$name.dict" ] && dict="-dict=tests/fuzz/$name.dict"
    # -timeout: one input taking longer is a hang; -rss_limit_mb: a page
    # needing more is a memory blow-up (the build runs one page per core).
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
        UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
        "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
        -print_final_stats=1 -artifact_prefix="$out/$name-" $dict "$corpus" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    units=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -1)
    execs=${execs:-0}
    total_execs=$((total_execs + execs))
    total_seconds=$((total_seconds + seconds))
    echo "fuzz: $name: $execs executions in ${seconds} s (${rate:-0} exec/s), ${units:-0} new inputs, corpus $(ls "$corpus" | wc -l)"
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | head -1)
    if [ "$rc" -eq 0 ] && [ -z "$artifact" ]; then
        echo "ok fuzz/$name"
    else
        echo "FAIL fuzz/$name: exit $rc; reproduce with: $bin ${artifact:-(no input saved; see $log)}"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|ALARM|==[0-9]+== ERROR)' "$log" |
            head -5 | sed 's/^/    /'
        status=1
    fi
done
echo "fuzz: total $total_execs executions in $total_seconds s"
exit $status
