#!/bin/sh
# The progress line: shown on a terminal (run under script(1)) while a long
# build runs, wiped before the summary; never when standard error is a file
# or with -q. Each check prints "ok progress/NAME" or "FAIL progress/NAME".
set -u
cd "$(dirname "$0")/.."
bin=${CLINICGEN:-build/asan/clinicgen}
root=$(pwd)
work=$root/tests/out/progress
rm -rf "$work"
mkdir -p "$work/project/content/notes"
cp -R themes "$work/project/"
printf 'title: "Many notes"\nbase_url: "https://example.org/"\n' >"$work/project/site.yaml"
# enough small pages that the build outlasts the line's half-second delay
awk -v d="$work/project/content/notes" 'BEGIN {
    for (i = 1; i <= 6000; i++) {
        f = sprintf("%s/note-%d.md", d, i)
        printf "---\ntitle: \"Note %d\"\n---\n\nKeep the skin calm for a day or two.\n", i >f
        close(f)
    }
}'

result() { # result NAME STATUS DETAILS
    if [ "$2" -eq 0 ]; then echo "ok progress/$1"; else echo "FAIL progress/$1"; printf '%s\n' "$3" | sed 's/^/    /'; fi
}

# on_terminal FILE ARGS...: runs a build with a terminal for its output
on_terminal() {
    out=$1
    shift
    script -qec "$bin build -C '$work/project' $*" /dev/null >"$out" 2>&1
}

on_terminal "$work/tty.txt" --no-cache
status=$?
tr '\r' '\n' <"$work/tty.txt" >"$work/tty.lines"
grep -Eq 'clinicgen: building pages [0-9]+ of 600[0-9]$' "$work/tty.lines" &&
    tail -n 2 "$work/tty.lines" |
    grep -Eq "^$(printf '\033')\\[Kclinicgen: built 600[0-9] pages in [0-9.]+ s: wrote [0-9]+ files \\(0 warnings\\)" &&
    [ "$status" -eq 0 ]
result shown-on-a-terminal-and-wiped-before-the-summary "$?" "exit $status: $(cat -v "$work/tty.txt" | tail -c 600)"

"$bin" build -C "$work/project" --no-cache 2>"$work/file.txt"
! grep -q "$(printf '\r')" "$work/file.txt" && ! grep -q 'building pages' "$work/file.txt" &&
    grep -q '^clinicgen: built 600[0-9] pages' "$work/file.txt"
result not-shown-in-a-file "$?" "$(cat -v "$work/file.txt")"

on_terminal "$work/quiet.txt" --no-cache -q
[ ! -s "$work/quiet.txt" ]
result not-shown-with-q "$?" "$(cat -v "$work/quiet.txt")"
