#!/bin/sh
# Broken-input tests (issue 6). Each tests/bad/NAME.expect is one case: a
# broken project and what clinicgen must do with it. The runner builds a
# fresh copy of tests/errors/_good (a tiny theme) with the case's input
# added, runs the ASan build on it under a time limit, and checks the exit
# status, every line on standard error, the CPU time and peak memory, the
# output, and, when the build fails, that the previous site in the output
# folder is byte for byte as it was. tests/bad/README.md lists the cases.
#
# A .expect file holds "key: value" lines (# starts a comment):
#   exit: N                 the exit status (required)
#   stderr: LINE            a line of standard error; together, in order,
#                           they must be all of it (with -q: errors only)
#   output: PATH contains TEXT   a file of the new site holds TEXT
#   input: NAME.md | NAME/  tests/bad/NAME.md goes to content/NAME.md, a
#                           folder tests/bad/NAME/ over the project
#                           (default: whichever exists)
#   write: PATH FORMAT      printf FORMAT > project/PATH (for bytes that
#                           do not belong in git: NUL, bad UTF-8, BOM, CR)
#   generate: FUNCTION      gen_FUNCTION PROJECT below makes the input
#                           (large files, symlinks, FIFOs, permissions)
#   base: clinic            the project uses themes/clinic and filters/
#                           instead of the tiny theme
#   out: PATH               the output folder, below the case's folder
#                           (default: site); messages show it as ../PATH
#   previous: none          no previous site (the output folder cannot be)
#   needs: root             skipped, with a "skip" line, unless run as root
#   as: nobody              run as an unprivileged user (below)
#   cpu: SECONDS            CPU time allowed (default 10)
#   memory: MB              peak resident memory allowed (default 100;
#                           AddressSanitizer's own share included)
#
# Unreadable files and folders that cannot be written: root reads and
# writes through any permission, so cases with "as: nobody" run the build
# as the user nobody (setpriv) when the tests run as root; otherwise as the
# user running the tests, for whom chmod 000 works.
# shellcheck disable=SC2317 # gen_* functions are called by name from .expect files
set -u
cd "$(dirname "$0")/.." || exit 1
root=$(pwd)
bin=${CLINICGEN:-$root/build/asan/clinicgen}
case $bin in /*) ;; *) bin="$root/$bin" ;; esac
tools/deps.sh time >/dev/null || { echo "FAIL bad: /usr/bin/time is missing (see above)"; exit 1; }
out="$root/tests/out/bad" # what each case printed, kept for a look after a failure
rm -rf "$out"
mkdir -p "$out"
# The cases themselves run in memory where there is a tmpfs: the 20,000
# pages of many-files are 80,000 files and folders to make and remove,
# which takes a minute on some disks.
work=$(mktemp -d /dev/shm/clinicgen-bad.XXXXXX 2>/dev/null || mktemp -d "$out/work.XXXXXX")
chmod 755 "$work" # for the cases run as nobody
trap 'chmod -R u+rwX "$work" 2>/dev/null; rm -rf "$work"' EXIT INT TERM
# A sanitizer report must not pass for a content error (exit 1). ASan keeps
# up to 256 MB of freed memory in quarantine by default, which would hide
# what the program itself holds: 32 MB still catches use after free.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86:quarantine_size_mb=32"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=87:print_stacktrace=1"
is_root=$([ "$(id -u)" = 0 ] && echo 1 || echo 0)
wall=${BAD_TIMEOUT:-60} # seconds on the clock: a hang, whatever the CPU time says
status=0

# ---- input generators: gen_NAME PROJECT ----

# repeat STRING N: STRING N times, without a newline
repeat() {
    awk -v s="$1" -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", s }'
}

# page PATH TITLE: front matter, then standard input, into content/PATH
page() {
    mkdir -p "$(dirname "$proj/content/$1")"
    { printf -- '---\ntitle: "%s"\n---\n' "$2"; cat; } >"$proj/content/$1"
}

# prose BYTES: paragraphs, headings, lists, links and a table, about BYTES long
prose() {
    yes "$(printf '%s\n' "## Aftercare" "" \
        "Rinse the treated skin with cool water and pat it dry. Avoid make-up for a day," \
        "and [call us](_index.md) if the redness lasts longer than a week." "" \
        "- Use a gentle cleanser" "- Wear sunscreen (SPF 30 or more)" "" \
        "| When | What to do |" "|------|------------|" "| Day 1 | Rest |" "")" |
        head -c "$1"
}

gen_page_50mb() {
    prose 52428800 | page page-50mb.md "Fifty megabytes"
}

gen_page_near_limit() {
    prose 4000000 | page long.md "Nearly four megabytes"
}

gen_many_files() {
    # 20,000 pages in 100 folders, each linking to the next in its folder
    i=0
    while [ $i -lt 100 ]; do
        mkdir -p "$proj/content/s$i"
        printf -- '---\ntitle: "Section %d"\n---\n' $i >"$proj/content/s$i/_index.md"
        k=0
        while [ $k -lt 200 ]; do
            printf -- '---\ntitle: "Page %d-%d"\ntags: [t%d]\n---\nSee [the next page](p%d.md).\n' \
                $i $k $((k % 20)) $(((k + 1) % 200)) >"$proj/content/s$i/p$k.md"
            k=$((k + 1))
        done
        i=$((i + 1))
    done
}

gen_deep_nesting() {
    { repeat "> " 50000; echo "deep quote"; } | page deep/quotes.md "Quotes"
    awk 'BEGIN { for (i = 0; i < 1000; i++) { for (k = 0; k < i; k++) printf "  "; print "* a" } }' |
        page deep/lists.md "Lists"
    { repeat "- " 50000; echo "deep item"; } | page deep/items.md "Items"
    { repeat "1. " 20000; echo "deep number"; } | page deep/numbers.md "Numbers"
    { repeat "> - " 20000; echo "deep mix"; } | page deep/mixed.md "Mixed"
    { repeat "*a **a " 15000; printf b; repeat " a** a*" 15000; echo; } | page deep/emphasis.md "Emphasis"
}

gen_deep_folders() {
    d="$proj/content"
    i=0
    while [ $i -lt 70 ]; do
        d="$d/d"
        i=$((i + 1))
    done
    mkdir -p "$d"
    echo "Deep down." >"$d/page.md"
}

# cmark's test/pathological_tests.py, at its sizes, for the shapes the
# limits let through: each must render, in linear time
gen_cmark_accepted() {
    repeat "a_ " 65000 | page cmark/emph-closers.md "Emphasis closers"
    repeat "_a " 65000 | page cmark/emph-openers.md "Emphasis openers"
    repeat "a***" 65000 | page cmark/emph-3-openers.md "Triple emphasis openers"
    repeat "a]" 65000 | page cmark/link-closers.md "Link closers"
    repeat "*a_ " 50000 | page cmark/mismatched.md "Mismatched openers and closers"
    { printf 'a**b'; repeat "c* " 50000; } | page cmark/multiple-of-3.md "Openers and closers multiple of 3"
    printf '**x [a*b**c*](#d)\n' | page cmark/hard-link-emph.md "Hard link and emphasis"
    awk 'BEGIN { for (x = 1; x < 700; x++) { printf "e"; for (k = 0; k < x; k++) printf "`" } }' |
        page cmark/backticks.md "Backticks"
    awk 'BEGIN { n = 0; for (i = 0; i < 50000; i++) { k = "x" i; printf "[%s]: https://example.org/\n\n[x0]\n\n", k } }' |
        page cmark/references.md "Many references"
    awk 'BEGIN { for (i = 0; i < 3000; i++) printf "aaa\rbbb\n-\v\n" }' | page cmark/tables.md "Tables"
}

# the shapes cmark-gfm 0.29.0.gfm.6 parses in quadratic (or worse) time or
# memory: each is refused at its line, in about no time
gen_cmark_refused() {
    repeat "![[]()" 160000 | page refused/a-image-brackets.md "Image brackets"
    { repeat "[" 50000; printf a; repeat "]" 50000; } | page refused/b-nested-brackets.md "Nested brackets"
    repeat "[a" 65000 | page refused/c-link-openers.md "Link openers"
    repeat "[ (](" 80000 | page refused/d-broken-links.md "Broken links"
    { printf '</'; repeat "<!--" 300000; } | page refused/e-comments.md "Unclosed comments"
    { printf x; repeat "<![CDATA[" 50000; } | page refused/f-cdata.md "CDATA openers"
    { printf x; repeat "<?" 50000; } | page refused/g-processing.md "Processing instructions"
    awk 'BEGIN { for (i = 1; i < 100000; i++) printf "[%d]: u\n", i; for (i = 0; i < 2000; i++) printf "[0] " }' |
        page refused/h-many-references.md "Many references"
    { repeat "*a **a " 65000; printf b; repeat " a** a*" 65000; } | page refused/i-nested-emphasis.md "Nested emphasis"
    { repeat "www._" 50000; printf x; } | page refused/j-www.md "Broken web addresses"
    { printf 'www.a.b'; repeat ")" 60000; } | page refused/k-parens.md "Parentheses after an address"
    { repeat "th|" 10000; printf '\n'; repeat "-|" 10000; printf '\n'; repeat "td\n" 10000; } |
        page refused/l-huge-table.md "A huge table"
    { printf '[x]: '; repeat "x" 50000; repeat "\n\n[x]" 50000; } | page refused/m-reference-copies.md "Reference copies"
    { repeat "|h" 100; printf '|\n'; repeat "|-" 100; printf '|\n'; repeat "|x|\n" 1000; } |
        page refused/n-table-cells.md "Short rows filled up"
    repeat "![[]()" 30000 | page refused/o-image-brackets-shorter.md "Image brackets, shorter"
}

gen_symlinks_outside() {
    ln -s /etc/passwd "$proj/content/passwd.md"
    ln -s /etc "$proj/content/etc"
    ln -s ../../outside.md "$proj/content/up.md"
    echo "Not in the project." >"$dir/outside.md"
}

gen_symlink_loops() {
    mkdir -p "$proj/content/a/b"
    ln -s .. "$proj/content/a/b/up"
    ln -s ../.. "$proj/content/a/b/top"
    ln -s . "$proj/content/self"
    ln -s loop-2 "$proj/content/loop-1"
    ln -s loop-1 "$proj/content/loop-2"
    ln -s nowhere.md "$proj/content/dangling.md"
}

gen_symlink_inside() {
    mkdir -p "$proj/content/_library"
    printf -- '---\ntitle: "Shared page"\n---\nKept outside content/.\n' >"$proj/content/_library/page.md"
    ln -s _library/page.md "$proj/content/shared.md"
    mkdir -p "$proj/shared" # a link out of content/, even into the project, is refused
    printf -- '---\ntitle: "Project page"\n---\nNot published.\n' >"$proj/shared/page.md"
    ln -s ../shared/page.md "$proj/content/project.md"
}

gen_content_folder_symlink() {
    mv "$proj/content" "$dir/kept-elsewhere"
    ln -s ../kept-elsewhere "$proj/content"
}

gen_templates_symlink_loop() {
    ln -s . "$proj/templates/again"
    ln -s . "$proj/templates/and-again"
}

gen_fifo() {
    mkfifo "$proj/content/pipe.md" "$proj/content/pipe.png"
}

gen_unreadable() {
    printf -- '---\ntitle: "Secret"\n---\nHidden.\n' >"$proj/content/secret.md"
    mkdir -p "$proj/content/locked"
    echo "In a locked folder." >"$proj/content/locked/page.md"
    echo "PNG" >"$proj/content/photo.png"
    chmod 000 "$proj/content/secret.md" "$proj/content/locked" "$proj/content/photo.png"
}

gen_output_parent_not_writable() {
    chmod 555 "$dir/locked"
}

gen_output_parent_is_a_file() {
    echo "a file" >"$dir/file"
}

# The previous site belongs to root, in a folder anyone may write to but
# only an owner may rename in (the sticky bit, as /tmp): the new site is
# written beside it, then cannot take its place.
gen_output_not_replaceable() {
    chown -R root "$dir/shared"
    chmod 1777 "$dir/shared"
}

gen_name_not_utf8() {
    printf -- '---\ntitle: "Caf\303\251"\n---\nLatin-1 name.\n' >"$proj/content/$(printf 'caf\351.md')"
}

gen_names_differ_in_case() {
    mkdir -p "$proj/content/Procedures" "$proj/content/procedures" "$proj/content/peel"
    printf -- '---\ntitle: "About us"\n---\nx\n' >"$proj/content/About.md"
    printf -- '---\ntitle: "About"\n---\nx\n' >"$proj/content/about.md"
    echo x >"$proj/content/Procedures/a.md"
    echo x >"$proj/content/procedures/b.md"
    echo x >"$proj/content/peel/index.md"
    echo 1 >"$proj/content/peel/Photo.png"
    echo 2 >"$proj/content/peel/photo.png"
}

# ---- the runner ----

# make_clinic PROJECT: the clinic theme and shipped filters, no templates of its own
make_clinic() {
    rm -rf "$1/templates" "$1/themes"
    mkdir -p "$1/themes"
    cp -R themes/clinic "$1/themes/"
    cp -R filters "$1/"
    printf '%s\n' 'title: "Broken input"' 'base_url: "https://bad.example/"' 'theme: clinic' \
        'filters: [contraindications, aftercare, call-provider]' >"$1/site.yaml"
}

# The previous site every failing case must leave alone.
previous="$work/_previous"
"$bin" build -q -C tests/errors/_good -o "$previous" >/dev/null 2>&1 ||
    { echo "FAIL bad: the good project does not build"; exit 1; }

# directives NAME KEY: the values of KEY in the case's .expect, one per line
directives() {
    sed -n "s/^$2: //p" "tests/bad/$1.expect"
}

setup_case() {
    cp -R tests/errors/_good/. "$proj/"
    [ "$(directives "$name" base)" = clinic ] && make_clinic "$proj"
    input=$(directives "$name" input)
    [ -z "$input" ] && [ -f "tests/bad/$name.md" ] && input="$name.md"
    [ -z "$input" ] && [ -d "tests/bad/$name" ] && input="$name/"
    case $input in
    */) cp -R "tests/bad/$input." "$proj/" ;;
    ?*) cp "tests/bad/$input" "$proj/content/$input" ;;
    esac
    directives "$name" write | while read -r path format; do
        mkdir -p "$(dirname "$proj/$path")"
        # shellcheck disable=SC2059 # the format is the point
        printf -- "$format" >"$proj/$path"
    done
}

# run_case: sets rc, cpu, mem_mb
run_case() {
    set -- build -q -o "../$site_rel"
    if [ "$(directives "$name" as)" = nobody ] && [ "$is_root" = 1 ]; then
        chown -R nobody:nogroup "$dir"
        set -- setpriv --reuid=nobody --regid=nogroup --clear-groups "$bin" "$@"
    else
        set -- "$bin" "$@"
    fi
    gen=$(directives "$name" generate)
    [ -n "$gen" ] && (proj="$proj" dir="$dir" "gen_$gen")
    (cd "$proj" && timeout "$wall" /usr/bin/time -f '%U %S %M' -o "$dir/time" "$@") \
        >"$dir/stdout" 2>"$dir/stderr"
    rc=$?
    cpu=$(tail -n 1 "$dir/time" 2>/dev/null | awk '{ printf "%.1f", $1 + $2 }')
    mem_mb=$(tail -n 1 "$dir/time" 2>/dev/null | awk '{ printf "%d", $3 / 1024 }')
}

check_case() {
    problems=""
    want=$(directives "$name" exit)
    [ "$rc" = 124 ] && problems="$problems did not finish in $wall s;"
    [ "$rc" = "$want" ] || problems="$problems exit status $rc, expected $want;"
    if grep -q -e 'Sanitizer' -e 'runtime error:' "$dir/stderr"; then
        problems="$problems a sanitizer report;"
    fi
    directives "$name" stderr >"$dir/expected"
    diff -u "$dir/expected" "$dir/stderr" >"$dir/diff" || problems="$problems messages differ;"
    max_cpu=$(directives "$name" cpu)
    max_mem=$(directives "$name" memory)
    awk -v c="${cpu:-999}" -v m="${max_cpu:-10}" 'BEGIN { exit !(c <= m) }' ||
        problems="$problems took ${cpu:-?} s of CPU (allowed ${max_cpu:-10});"
    [ "${mem_mb:-99999}" -le "${max_mem:-100}" ] ||
        problems="$problems used ${mem_mb:-?} MB (allowed ${max_mem:-100});"
    site="$dir/$site_rel"
    directives "$name" output | while read -r line; do
        path=${line%% contains *} # a path may hold spaces
        text=${line#* contains }
        grep -F -q -- "$text" "$site/$path" 2>/dev/null || echo " $path does not contain '$text';"
    done >"$dir/output-problems"
    problems="$problems$(cat "$dir/output-problems")"
    chmod -R u+rwX "$dir" 2>/dev/null
    if [ "$keep" = 1 ] && ! diff -r "$previous" "$site" >/dev/null 2>&1; then
        problems="$problems the previous site was changed;"
    fi
    if [ "$want" != 0 ] && ls -d "$(dirname "$site")"/.*.new-* >/dev/null 2>&1; then
        problems="$problems a staging folder was left behind;"
    fi
}

for expect in tests/bad/*.expect; do
    name=$(basename "$expect" .expect)
    if [ "$(directives "$name" needs)" = root ] && [ "$is_root" = 0 ]; then
        echo "skip bad/$name: needs root (see $expect)"
        continue
    fi
    dir="$work/$name"
    proj="$dir/project"
    site_rel=$(directives "$name" out)
    site_rel=${site_rel:-site}
    mkdir -p "$proj"
    setup_case
    keep=0 # is there a previous site to keep?
    if [ "$(directives "$name" exit)" != 0 ] && [ "$(directives "$name" previous)" != none ]; then
        keep=1
        mkdir -p "$(dirname "$dir/$site_rel")"
        cp -R "$previous" "$dir/$site_rel"
    fi
    run_case
    check_case
    mkdir -p "$out/$name"
    for f in stderr stdout expected diff time; do cp "$dir/$f" "$out/$name/" 2>/dev/null; done
    rm -rf "$dir" # as it goes: many-files is large
    if [ -z "$problems" ]; then
        echo "ok bad/$name (${cpu}s CPU, ${mem_mb} MB)"
    else
        echo "FAIL bad/$name:$problems"
        sed 's/^/    /' "$out/$name/diff" | head -20
        status=1
    fi
done
exit $status
