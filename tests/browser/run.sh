#!/bin/sh
# The browser suite: the search UI of the demo site in headless Chromium
# (tests/browser/search-ui.js says what each test checks). Builds the demo
# site three ways and runs every test on each:
#   http     site/ as built (base_url https://example.org/), served at /
#   http-kb  the same project with base_url https://example.org/kb/, served at /kb/
#   file     the --offline build, opened from file://
# Setup, on first use: the Debian package chromium (tools/deps.sh: apt-get as
# root, else the exact command to run), node and npm, and the npm package
# playwright-core (pinned below) into build/npm. Setup chatter goes to stderr.
# Environment: CLINICGEN (default build/asan/clinicgen), CHROMIUM.
set -u
cd "$(dirname "$0")/../.." || exit 1

# Pinned driver version (npm package playwright-core; it drives the system
# Chromium over CDP and downloads no browser).
PLAYWRIGHT_VERSION=1.65.1

bin=${CLINICGEN:-build/asan/clinicgen}
out=tests/out/browser
npm_prefix=build/npm
pkg=$npm_prefix/node_modules/playwright-core

setup_failed() {
    echo "FAIL browser/setup: $*"
    exit 1
}

# Debian's Chromium; node and npm unless some are on PATH already (a
# NodeSource nodejs carries its own npm, which Debian's npm would conflict with).
tools/deps.sh chromium || setup_failed "the Debian package chromium is missing (see above)"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] || setup_failed "no Chromium at $CHROMIUM"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    tools/deps.sh nodejs npm || setup_failed "node and npm are missing (see above)"
    hash -r 2>/dev/null || true
fi

installed=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$pkg/package.json" 2>/dev/null | head -n 1)
if [ "$installed" != "$PLAYWRIGHT_VERSION" ]; then
    echo "browser: installing playwright-core@$PLAYWRIGHT_VERSION into $npm_prefix" >&2
    npm install --prefix "$npm_prefix" --save-exact --no-audit --no-fund --ignore-scripts \
        "playwright-core@$PLAYWRIGHT_VERSION" >&2 ||
        setup_failed "npm install of playwright-core@$PLAYWRIGHT_VERSION failed"
fi

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

[ -n "$args" ] || exit 1
# shellcheck disable=SC2086 # $args holds paths without spaces
PLAYWRIGHT_CORE="$PWD/$pkg" node tests/browser/search-ui.js $args
