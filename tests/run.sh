#!/bin/sh
# Runs every test suite and ends with the line "N passed, N failed".
# Each suite prints "ok NAME" or "FAIL NAME" lines; this script counts them.
set -u
cd "$(dirname "$0")/.."
mkdir -p tests/out
log=tests/out/run.log
: >"$log"

. tests/tools/suite.sh

suite unit build/asan/unit-tests
suite fuzz-regress tests/fuzz/regress.sh
suite fuzz tests/fuzz/run.sh "${CHECK_FUZZ_SECONDS:-10}"
suite golden tests/golden.sh
suite errors tests/errors.sh
suite bad tests/bad.sh
suite check tests/check.sh
suite new tests/new.sh
suite serve tests/serve.sh
suite hostile tests/hostile/run.sh
suite filters tests/filters/identity.sh
suite search tests/search/stem-check.sh
suite demo tests/demo.sh
suite incremental tests/incremental.sh
suite progress tests/progress.sh
# the release binary (optimised, with mimalloc: see the Makefile) once more
suite golden-release env CLINICGEN=build/clinicgen tests/golden.sh
suite incremental-release env CLINICGEN=build/clinicgen tests/incremental.sh
suite browser tests/browser/run.sh
suite a11y tests/browser/a11y.sh

suites_summary
