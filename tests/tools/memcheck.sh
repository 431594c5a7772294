#!/bin/sh
# Runs a program under valgrind's memcheck for make check-valgrind: every
# memory error and every leak (definite, indirect or possible) counts, and
# makes the program exit with status 97. Memory still reachable at exit
# (libraries' one-time globals) is not a leak. The report goes to
# tests/out/valgrind/PID.log, not to standard error, so the tests still see
# exactly the program's own messages; tests/valgrind.sh reads the reports.
# usage: tests/tools/memcheck.sh PROGRAM [ARG...]
root=$(cd "$(dirname "$0")/../.." && pwd)
logs=$root/tests/out/valgrind
mkdir -p "$logs"
exec valgrind --tool=memcheck --error-exitcode=97 \
    --leak-check=full --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible \
    --track-origins=yes --num-callers=40 \
    --suppressions="$root/tests/valgrind.supp" \
    --log-file="$logs/%p.log" "$@"
