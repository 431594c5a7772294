#!/bin/sh
# assemble.sh CASE DEST: a hostile test project in DEST: tests/hostile/base/,
# the clinic theme and the shipped filters, then tests/hostile/CASE/ over
# them (without its test files: expected.txt, args, vectors). Run from the
# repository root; used by tests/hostile/run.sh and tests/browser/run.sh.
set -eu
rm -rf "$2"
mkdir -p "$2/themes" "$2/filters"
cp -R tests/hostile/base/. "$2/"
cp -R themes/clinic "$2/themes/"
cp filters/*.lua "$2/filters/"
(cd "tests/hostile/$1" && tar cf - --exclude=expected.txt --exclude=args --exclude=vectors .) |
    (cd "$2" && tar xf -)
