#!/bin/sh
# The demo project: it builds without errors or warnings (under the
# sanitizers), and every generated page is valid HTML5 (Nu Html Checker),
# as are the golden tests' outputs.
set -u
cd "$(dirname "$0")/.."
bin=${CLINICGEN:-build/asan/clinicgen}
out=tests/out/demo-site
rm -rf "$out"
if "$bin" build -o "$out" >tests/out/demo.stderr 2>&1 && ! grep -q 'warning:' tests/out/demo.stderr; then
    echo "ok demo/builds-cleanly"
else
    echo "FAIL demo/builds-cleanly"
    sed 's/^/    /' tests/out/demo.stderr
fi
for page in index.html procedures/index.html procedures/microneedling/index.html \
    faq/microneedling-faq/index.html about/index.html 404.html tags/index.html sitemap.xml robots.txt \
    a-z/index.html concerns/index.html concerns/acne-scars/index.html concerns/wrinkles/index.html; do
    if [ -s "$out/$page" ]; then echo "ok demo/has-$page"; else echo "FAIL demo/has-$page"; fi
done
if tests/tools/vnu-check.sh "$out" tests/out/golden >tests/out/vnu.log 2>&1; then
    echo "ok demo/valid-html5 ($(tail -1 tests/out/vnu.log))"
else
    echo "FAIL demo/valid-html5"
    sed 's/^/    /' tests/out/vnu.log | tail -40
fi
if command -v node >/dev/null 2>&1; then
    node tests/tools/jsonld-check.js "$out"
else
    echo "FAIL demo/jsonld: node is missing (make check installs it with the browser tests)"
fi
# The output does not depend on the number of worker threads.
same=ok
for jobs in 1 3; do
    rm -rf "$out-j$jobs"
    if ! "$bin" build -q -j "$jobs" -o "$out-j$jobs" >/dev/null 2>&1 ||
        ! diff -r -x .clinicgen-output "$out" "$out-j$jobs" >tests/out/demo-jobs.diff 2>&1; then
        same="differs with -j $jobs"
        break
    fi
done
if [ "$same" = ok ]; then
    echo "ok demo/same-output-for-any-jobs (-j 1, -j 3 and the default)"
else
    echo "FAIL demo/same-output-for-any-jobs: $same"
    head -20 tests/out/demo-jobs.diff | sed 's/^/    /'
fi
