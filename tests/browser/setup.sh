# Sourced by the browser suites (run.sh, a11y.sh) from the repository root:
# Debian's Chromium (tools/deps.sh: apt-get as root, else the exact command
# to run), node and npm, and need_npm to install a pinned npm package into
# build/npm on first use. Setup chatter goes to stderr; a setup that fails
# prints "FAIL SUITE/setup: ..." and exits. Environment: CHROMIUM.
# Expects $suite (the suite's name, for the FAIL line).

# Pinned versions of the npm packages the suites use.
# playwright-core drives the system Chromium over CDP and downloads no browser;
# axe-core is the accessibility rules engine (WCAG 2.2 A and AA rules).
PLAYWRIGHT_VERSION=1.65.1
AXE_VERSION=4.14.1

npm_prefix=build/npm

setup_failed() {
    echo "FAIL $suite/setup: $*"
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

# need_npm NAME VERSION: installs the npm package NAME@VERSION into
# build/npm unless that version is there already.
need_npm() {
    installed=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' \
        "$npm_prefix/node_modules/$1/package.json" 2>/dev/null | head -n 1)
    [ "$installed" = "$2" ] && return 0
    echo "$suite: installing $1@$2 into $npm_prefix" >&2
    npm install --prefix "$npm_prefix" --save-exact --no-audit --no-fund --ignore-scripts \
        "$1@$2" >&2 || setup_failed "npm install of $1@$2 failed"
}
