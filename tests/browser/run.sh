#!/bin/sh
# The browser suite, in headless Chromium: the search UI of the demo site
# (tests/browser/search-ui.js says what each test checks), the demo site
# under a strict Content-Security-Policy (csp.js), search on the hostile
# test site showing markup as text (hostile-search.js), and clinicgen
# serve's live reload and build-error overlay under its CSP (serve.js, on a
# copy of the demo project that it edits). Builds the demo site three ways
# and runs every search UI test on each:
#   http     site/ as built (base_url https://example.org/), served at /
#   http-kb  the same project with base_url https://example.org/kb/, served at /kb/
#   file     the --offline build, opened from file://
# Setup, on first use (tests/browser/setup.sh): the Debian package chromium,
# node and npm, and the npm package playwright-core (pinned in setup.sh)
# into build/npm. Setup chatter goes to stderr.
# Environment: CLINICGEN (default build/asan/clinicgen), CHROMIUM.
set -u
cd "$(dirname "$0")/../.." || exit 1

suite=browser
. tests/browser/setup.sh
need_npm playwright-core "$PLAYWRIGHT_VERSION"
pkg=$npm_prefix/node_modules/playwright-core
bin=${CLINICGEN:-build/asan/clinicgen}
out=tests/out/browser

# The sites.
rm -rf "$out"
mkdir -p "$out/kb-project"
build() { # NAME ARG...: builds into $out/NAME, or prints a FAIL line
    name=$1
    shift
    if "$bin" build -q "$@" -o "$out/$name" >"$out/$name.stderr" 2>&1; then
        return 0
    fi
    echo "FAIL browser/build-$name: clinicgen build $* failed"
    sed 's/^/    /' "$out/$name.stderr"
    return 1
}
args=""
build site && args="$args --http http $out/site /"
for f in site.yaml content themes filters templates static; do
    if [ -e "$f" ]; then cp -R "$f" "$out/kb-project/"; fi
done
sed -i 's|^base_url:.*|base_url: "https://example.org/kb/"|' "$out/kb-project/site.yaml"
build site-kb -C "$out/kb-project" && args="$args --http http-kb $out/site-kb /kb/"
build offline --offline && args="$args --file file $out/offline"

# The hostile test site (tests/hostile/site/): titles and text full of markup.
tests/hostile/assemble.sh site "$out/hostile-project" &&
    build hostile -C "$out/hostile-project" && hostile=yes

[ -n "$args" ] || exit 1
export PLAYWRIGHT_CORE="$PWD/$pkg"
status=0
# shellcheck disable=SC2086 # $args holds paths without spaces
node tests/browser/search-ui.js $args || status=1
if [ -d "$out/site" ]; then node tests/browser/csp.js "$out/site" || status=1; fi
if [ "${hostile:-}" = yes ]; then node tests/browser/hostile-search.js "$out/hostile" || status=1; fi
# clinicgen serve, on a copy of the demo project that the test edits.
mkdir -p "$out/serve-project"
cp -R content themes filters site.yaml "$out/serve-project/"
node tests/browser/serve.js "$bin" "$out/serve-project" || status=1
exit $status
