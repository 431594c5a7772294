#!/bin/sh
# The accessibility suite: every page of the demo site in headless Chromium
# with axe-core, plus headings, tables, the skip link, focus rings, the
# phone layout, the search box's open state and the print stylesheet
# (tests/browser/a11y.js says what each test checks).
# Setup, on first use (tests/browser/setup.sh): the Debian package chromium,
# node and npm, and the npm packages playwright-core and axe-core (pinned in
# setup.sh) into build/npm. Setup chatter goes to stderr.
# Environment: CLINICGEN (default build/asan/clinicgen), CHROMIUM.
set -u
cd "$(dirname "$0")/../.." || exit 1

suite=a11y
. tests/browser/setup.sh
need_npm playwright-core "$PLAYWRIGHT_VERSION"
need_npm axe-core "$AXE_VERSION"
bin=${CLINICGEN:-build/asan/clinicgen}
out=tests/out/a11y

rm -rf "$out"
mkdir -p "$out"
if ! "$bin" build -q -o "$out/site" >"$out/build.stderr" 2>&1; then
    echo "FAIL a11y/build: clinicgen build failed"
    sed 's/^/    /' "$out/build.stderr"
    exit 1
fi
PLAYWRIGHT_CORE="$PWD/$npm_prefix/node_modules/playwright-core" \
    AXE_CORE="$PWD/$npm_prefix/node_modules/axe-core" \
    node tests/browser/a11y.js "$out/site" "$out"
