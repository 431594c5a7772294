#!/bin/sh
# Golden tests: each tests/golden/CASE/ is a project folder with an expected/
# tree; the build's output must equal it file for file.
# UPDATE=1 tests/golden.sh rewrites expected/ from the current output.
set -u
cd "$(dirname "$0")/.."
bin=${CLINICGEN:-build/asan/clinicgen}
status=0
for dir in tests/golden/*/; do
    case=$(basename "$dir")
    out="tests/out/golden/$case"
    rm -rf "$out"
    mkdir -p "$(dirname "$out")"
    if ! "$bin" build -q -C "$dir" -o "$out" >"$out.stderr" 2>&1; then
        echo "FAIL golden/$case: build failed"
        sed 's/^/    /' "$out.stderr"
        status=1
        continue
    fi
    rm -f "$out/.clinicgen-output"
    if [ "${UPDATE:-}" = 1 ]; then
        rm -rf "$dir/expected"
        cp -R "$out" "$dir/expected"
    fi
    if diff -r "$dir/expected" "$out" >"$out.diff" 2>&1; then
        echo "ok golden/$case"
    else
        echo "FAIL golden/$case: output differs from expected/"
        head -40 "$out.diff" | sed 's/^/    /'
        status=1
    fi
done
exit $status
