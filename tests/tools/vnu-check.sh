#!/usr/bin/env bash
# vnu-check.sh — validate generated HTML with the Nu Html Checker (vnu.jar).
#
# Usage: tests/tools/vnu-check.sh DIR [DIR...]
#
# Every *.html file found under the given directories (redirect stubs
# included) is checked in a single JVM run. No messages are filtered out:
# every error the checker reports counts.
#
# Output (stdout): one line per error, GNU style
#     path/to/file.html:LINE.COL: error: message
# followed by exactly one summary line
#     vnu: N files, N errors
#
# Exit status: 0 no errors, 1 errors found, 2 usage error or the
# checker could not be set up (missing Java/npm, failed install).
#
# Setup: Java 17+ must be on PATH; vnu.jar comes from the npm package
# vnu-jar, installed on first use into build/npm (git-ignored cache under
# the repository root). Setup chatter goes to stderr.
#
# Environment:
#   VNU_JAVA_OPTS  replaces the default JVM options (see JAVA_OPTS below).

set -euo pipefail

# Pinned checker version (npm package vnu-jar; see `npm view vnu-jar versions`).
VNU_VERSION=26.9.27

REPO_ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
NPM_PREFIX_REL=build/npm
VNU_PKG="$REPO_ROOT/$NPM_PREFIX_REL/node_modules/vnu-jar"
VNU_JAR="$VNU_PKG/build/dist/vnu.jar"

# The checker spends most of its time starting up and loading its schemas,
# so a client-compiler-only, serial-GC JVM finishes sooner (about 1.1 s
# instead of 1.6 s for 50 small pages). C1-compiled code needs more stack
# than the default while evaluating the HTML schema, hence -Xss.
JAVA_OPTS=(-Xss8m -XX:+UseSerialGC -XX:TieredStopAtLevel=1)
if [[ -n "${VNU_JAVA_OPTS+set}" ]]; then
    read -r -a JAVA_OPTS <<<"$VNU_JAVA_OPTS"
fi

prog=vnu-check

usage() {
    printf 'usage: %s DIR [DIR...]\n' "$0" >&2
    exit 2
}

die() {
    printf '%s: %s\n' "$prog" "$*" >&2
    exit 2
}

# apt_install PKG... — install Debian packages when running as root,
# otherwise tell the user the exact command and exit 2.
apt_install() {
    if [[ "$(id -u)" -eq 0 ]]; then
        printf '%s: installing %s with apt-get\n' "$prog" "$*" >&2
        if ! DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >&2; then
            printf '%s: apt-get install failed; running apt-get update first\n' "$prog" >&2
            DEBIAN_FRONTEND=noninteractive apt-get update >&2 ||
                die "apt-get update failed"
            DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >&2 ||
                die "apt-get install -y $* failed"
        fi
    else
        printf '%s: missing %s; install with:\n    sudo apt-get install -y %s\n' \
            "$prog" "$*" "$*" >&2
        exit 2
    fi
}

# java_major — print the major version of `java` on PATH (8 for "1.8.0_x");
# fails when java is missing or does not run.
java_major() {
    local out ver
    out="$(java -version 2>&1)" || return 1
    ver="$(printf '%s\n' "$out" | sed -n 's/^.* version "\([0-9][0-9._]*\).*$/\1/p' | head -n 1)"
    [[ -n "$ver" ]] || return 1
    if [[ "$ver" == 1.* ]]; then
        ver="${ver#1.}"
    fi
    printf '%s\n' "${ver%%[._]*}"
}

ensure_java() {
    local major
    if major="$(java_major)" && ((major >= 17)); then
        return 0
    fi
    apt_install default-jre-headless
    hash -r
    major="$(java_major)" || die "java still not usable after installing default-jre-headless"
    ((major >= 17)) ||
        die "vnu.jar needs Java 17 or later, but \`java -version\` reports $major (check update-alternatives --config java)"
}

# installed_version — version field of the installed vnu-jar package.json.
installed_version() {
    [[ -f "$VNU_PKG/package.json" ]] || return 0
    sed -n 's/.*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' \
        "$VNU_PKG/package.json" | head -n 1
}

ensure_vnu() {
    if [[ -f "$VNU_JAR" && "$(installed_version)" == "$VNU_VERSION" ]]; then
        return 0
    fi
    if ! command -v npm >/dev/null 2>&1; then
        apt_install nodejs npm
        hash -r
        command -v npm >/dev/null 2>&1 || die "npm still missing after installing nodejs npm"
    fi
    printf '%s: installing vnu-jar@%s into %s\n' "$prog" "$VNU_VERSION" "$NPM_PREFIX_REL" >&2
    # --ignore-scripts: the package's postinstall only downloads a private
    # Temurin JDK when no system Java 17+ exists; we use the system Java.
    (cd "$REPO_ROOT" && npm install --prefix "$NPM_PREFIX_REL" --no-audit --no-fund \
        --ignore-scripts "vnu-jar@$VNU_VERSION") >&2 ||
        die "npm install of vnu-jar@$VNU_VERSION failed"
    [[ -f "$VNU_JAR" ]] || die "vnu.jar not found at $VNU_JAR after npm install"
}

# urldecode STRING — undo the %XX escapes java.io.File.toURI() applies.
urldecode() {
    local s="${1//\\/\\\\}"
    printf '%b' "${s//%/\\x}"
}

# ---------------------------------------------------------------------------

(($# >= 1)) || usage

tmp="$(mktemp -d)"
trap 'rm -rf -- "$tmp"' EXIT

# Collect the files; each is recorded once even if directories overlap.
files=()
declare -A wanted=()
for dir in "$@"; do
    [[ -d "$dir" ]] || die "not a directory: $dir"
    # Keep find (and vnu) from reading a leading '-' as an option.
    [[ "$dir" == -* ]] && dir="./$dir"
    find "$dir" -type f -name '*.html' -print0 >"$tmp/found" ||
        die "find failed in $dir"
    while IFS= read -r -d '' f; do
        # java.io.File collapses repeated slashes, and so do vnu's
        # --verbose file names; use that form throughout.
        while [[ "$f" == *//* ]]; do f="${f//\/\//\/}"; done
        if [[ -z "${wanted[$f]+set}" ]]; then
            wanted[$f]=1
            files+=("$f")
        fi
    done < <(LC_ALL=C sort -z "$tmp/found")
done

# vnu names files in messages by java.io.File.toURI(): made absolute
# against the physical working directory. Map those names back to the
# paths as we passed them, for readable messages.
cwd="$(pwd -P)"
declare -A display=()
for f in "${files[@]}"; do
    abs="$f"
    [[ "$abs" == /* ]] || abs="$cwd/$abs"
    display[$abs]="$f"
done

nfiles=${#files[@]}
if ((nfiles == 0)); then
    printf '%s: warning: no *.html files under: %s\n' "$prog" "$*" >&2
    printf 'vnu: 0 files, 0 errors\n'
    exit 0
fi

ensure_java
ensure_vnu

# One JVM for all files. Messages go to stderr (the default); --verbose makes
# vnu print each file name to stdout as it starts checking it, which lets us
# prove every file was actually checked (vnu silently skips files it cannot
# open, e.g. non-ASCII names under a non-UTF-8 locale — hence LC_ALL).
rc=0
LC_ALL=C.UTF-8 java "${JAVA_OPTS[@]}" -jar "$VNU_JAR" \
    --errors-only --format gnu --skip-non-html --verbose \
    "${files[@]}" >"$tmp/checked" 2>"$tmp/messages" || rc=$?

errors=0
re_pos='^"file:([^"]*)":([0-9]+\.[0-9]+)(-[0-9]+\.[0-9]+)?: ([a-z][a-z ]*): (.*)$'
re_nopos='^"file:([^"]*)": ([a-z][a-z ]*): (.*)$'
re_jvm='^(Picked up [A-Z_]*JAVA[A-Z_]*OPTIONS: |(OpenJDK|Java HotSpot)[^:]* VM warning: )'
other=()

while IFS= read -r line || [[ -n "$line" ]]; do
    if [[ "$line" =~ $re_pos ]]; then
        path="${BASH_REMATCH[1]}" pos=":${BASH_REMATCH[2]}"
        kind="${BASH_REMATCH[4]}" msg="${BASH_REMATCH[5]}"
    elif [[ "$line" =~ $re_nopos ]]; then
        path="${BASH_REMATCH[1]}" pos=""
        kind="${BASH_REMATCH[2]}" msg="${BASH_REMATCH[3]}"
    elif [[ "$line" =~ $re_jvm ]]; then
        printf '%s\n' "$line" >&2 # JVM notices, not about the HTML
        continue
    else
        [[ -n "$line" ]] && other+=("$line")
        continue
    fi
    path="$(urldecode "$path")"
    if [[ -n "${display[$path]+set}" ]]; then
        path="${display[$path]}"
    else
        path="${path#"$cwd/"}"
    fi
    printf '%s%s: %s: %s\n' "$path" "$pos" "$kind" "$msg"
    errors=$((errors + 1))
done <"$tmp/messages"

# Every file we passed must have been named by --verbose.
declare -A seen=()
while IFS= read -r line || [[ -n "$line" ]]; do
    if [[ -z "$line" ]]; then
        continue
    elif [[ -n "${wanted[$line]+set}" ]]; then
        seen[$line]=1
    else
        other+=("$line")
    fi
done <"$tmp/checked"

# Anything else vnu wrote (exceptions, stack traces) is a failure too;
# it counts as one error.
if ((${#other[@]} > 0)); then
    printf '%s: error: unexpected checker output:\n' "$prog"
    printf '    %s\n' "${other[@]}"
    errors=$((errors + 1))
fi
for f in "${files[@]}"; do
    if [[ -z "${seen[$f]+set}" ]]; then
        printf '%s: error: not checked by vnu (unreadable, or checker aborted)\n' "$f"
        errors=$((errors + 1))
    fi
done

if ((rc != 0 && errors == 0)); then
    printf '%s: error: vnu exited with status %d without reporting errors\n' "$prog" "$rc"
    errors=1
fi

printf 'vnu: %d files, %d errors\n' "$nfiles" "$errors"
if ((errors > 0)); then
    exit 1
fi
exit 0
