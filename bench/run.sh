#!/usr/bin/env bash
# Benchmark clinicgen against Hugo on the same synthetic corpus.
#
# usage: bench/run.sh PATH/TO/clinicgen [N ...]      (default N: 10000)
# (make bench runs N = 1000, 10000 and 50000)
#
# For each N: generate a corpus with ../shared/bench/gen-corpus, build it
# with clinicgen (also with filters, and without search) and with Hugo
# (layouts in bench/hugo/), once as warm-up and then RUNS times each, and
# print median wall time, median CPU time (user+sys) and user CPU time, the
# highest peak RSS and the number of HTML files written. The builds take
# turns, each into a new folder (see timed below); the sys time on this
# VM's disk still varies from run to run. Then bench/search.sh prints the
# search figures of the last clinicgen build, next to Pagefind's.
set -euo pipefail

RUNS=5

die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
say() { printf 'bench: %s\n' "$*" >&2; }

[ $# -ge 1 ] || die "usage: bench/run.sh PATH/TO/clinicgen [N ...]"
case "$1" in -h|--help)
    sed -n '2,11s/^# \{0,1\}//p' "$0"; exit 0 ;;
esac

root="$(cd "$(dirname "$0")/.." && pwd)"
bench="$root/bench"
gen="$root/../shared/bench/gen-corpus"
[ -f "$gen" ] || die "corpus generator not found: $gen (expected ../shared/bench/gen-corpus next to the repository)"
[ -d "$bench/hugo/layouts" ] || die "Hugo layouts not found: $bench/hugo/layouts"

clinicgen="$1"; shift
case "$clinicgen" in */*) ;; *) clinicgen="./$clinicgen" ;; esac
[ -f "$clinicgen" ] || die "clinicgen binary not found: $clinicgen (build it first: make)"
[ -x "$clinicgen" ] || die "clinicgen is not executable: $clinicgen"
clinicgen="$(cd "$(dirname "$clinicgen")" && pwd)/$(basename "$clinicgen")"

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000)
for n in "${sizes[@]}"; do
    [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "corpus size must be a positive integer, not '$n'"
done

# Debian packages we need: install them when root, otherwise say how.
need_pkg() { # need_pkg PROGRAM PACKAGE
    if [ -x "$1" ] || command -v "$1" >/dev/null 2>&1; then return 0; fi
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "$1 missing: installing Debian package $2"
        DEBIAN_FRONTEND=noninteractive apt-get install -y "$2" >&2 ||
            { apt-get update >&2 &&
              DEBIAN_FRONTEND=noninteractive apt-get install -y "$2" >&2; } ||
            die "could not install $2"
    else
        die "$1 is missing; install it with: sudo apt-get install -y $2"
    fi
}
need_pkg /usr/bin/time time
need_pkg hugo hugo
need_pkg cmark-gfm cmark-gfm
hugo_bin="$(command -v hugo)"
say "$("$hugo_bin" version 2>/dev/null | head -n 1)"
"$bench/search.sh" --setup      # node, Chromium, playwright-core, pagefind

tmp="$(mktemp -d "${TMPDIR:-/tmp}/clinicgen-bench.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
export TMPDIR="$tmp"            # Hugo's cache dir ($TMPDIR/hugo_cache) too

# timed LABEL OUTDIR CMD...: one build from nothing into OUTDIR, a folder
# name no build used before (so it has no build cache either); appends
# "wall cpu rss_kb" to $tmp/LABEL.times. On failure prints the stderr tail
# and exits 1. rebuild LABEL OUTDIR CMD...: the same into the OUTDIR there is.
#
# The outputs are only removed when the benchmark ends. This VM's ext4 has
# no journal, and there every file made within a minute or so of deleting
# many others scans past their inodes (recently_deleted in
# fs/ext4/ialloc.c): removing the last build's tree before each build made
# the next one's system time swing from 1 to 4 s at 10,000 pages, for
# clinicgen and Hugo alike. That measured the disk, not the generators.
# For the same reason each build starts with the last one's files on disk
# (sync), so that no build pays for writing out another's.
timed() {
    [ ! -e "$2" ] || die "$2 exists already: each full build gets a new folder"
    sync # the last build's files go to disk now, not during this one
    rebuild "$@"
}
rebuild() {
    local label="$1" out="$2"; shift 2
    local err="$tmp/$label.stderr" tf="$tmp/$label.time" rc=0 t0 t1
    # Wall time by the clock in nanoseconds: time's %e counts in steps of
    # 10 ms, as long as a third of a rebuild's margin. It includes starting
    # /usr/bin/time itself (about a millisecond), so it errs long.
    t0=$(date +%s%N)
    /usr/bin/time -f '%e %U %S %M' -o "$tf" "$@" >/dev/null 2>"$err" || rc=$?
    t1=$(date +%s%N)
    if [ "$rc" -ne 0 ]; then
        printf 'bench: %s failed (exit %d): %s\n' "$label" "$rc" "$*" >&2
        printf 'bench: last lines of its standard error:\n' >&2
        tail -n 20 "$err" | sed 's/^/    /' >&2
        exit 1
    fi
    # The time line is the last one (a killed command adds a line before it).
    tail -n 1 "$tf" | awk -v us="$(((t1 - t0) / 1000))" \
        '{ printf "%.3f %.2f %s %.2f\n", us / 1e6, $2 + $3, $4, $2 }' >>"$tmp/$label.times"
}

# summarize LABEL: "median_wall median_cpu max_rss_mb" of the timed runs.
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
summarize() {
    local f="$tmp/$1.times"
    echo "$(cut -d' ' -f1 "$f" | median) $(cut -d' ' -f2 "$f" | median)" \
         "$(awk '$3 > m { m = $3 } END { printf "%.1f", m / 1024 }' "$f")" \
         "$(cut -d' ' -f4 "$f" | median)"
}

count_html() { find "$1" -type f -name '*.html' | wc -l | tr -d ' '; }

# small_pages N DIR: N pages of a few hundred bytes each (front matter, a
# heading, two short paragraphs), where the cost per page, not Markdown,
# is what a build spends its time on; prints the cost per page.
small_pages() {
    local n="$1" dir="$2" i
    mkdir -p "$dir/content/notes"
    printf 'title: "Small pages"\nbase_url: "https://example.org/"\nlanguage: en\n' >"$dir/site.yaml"
    ln -s "$root/themes" "$dir/themes"
    awk -v n="$n" -v d="$dir/content/notes" 'BEGIN {
        for (i = 1; i <= n; i++) {
            f = sprintf("%s/note-%d.md", d, i)
            printf "---\ntitle: \"Note %d\"\nsummary: \"A short note.\"\nreviewed: 2026-01-0%d\n---\n\n", i, i % 9 + 1 >f
            printf "## Keeping skin calm %d\n\nUse a gentle cleanser and a plain moisturiser.\n", i >f
            printf "Avoid sun for a few days and call us with any worry.\n" >f
            close(f)
        }
    }'
    for ((i = 0; i <= RUNS; i++)); do
        say "N=$n: round $i of $RUNS: small pages"
        timed small "$dir/out-$i" "$clinicgen" build -C "$dir" -o "$dir/out-$i" -q
        [ "$i" -gt 0 ] || rm -f "$tmp/small.times"
    done
    read -r sw sc sm su <<<"$(summarize small)"
    printf 'small pages: %d pages of %d bytes: %.2f s wall, %.2f s cpu, %.1f MB:' "$n" \
        "$(wc -c <"$dir/content/notes/note-1.md")" "$sw" "$sc" "$sm"
    awk -v n="$n" -v w="$sw" -v c="$sc" 'BEGIN {
        printf " %.0f us wall, %.0f us cpu per page (target < 50 us)\n", w * 1e6 / n, c * 1e6 / n }'
}

for n in "${sizes[@]}"; do
    RUNS=5
    [ "$n" -le 10000 ] || RUNS=3   # a 50,000-page round takes minutes
    work="$tmp/n$n"
    corpus="$work/corpus"
    proj="$work/clinicgen"
    fproj="$work/clinicgen-filters"
    nproj="$work/clinicgen-nosearch"
    hproj="$work/hugo"
    mkdir -p "$work" "$proj" "$fproj" "$nproj" "$hproj"
    rm -f "$tmp"/*.times

    say "N=$n: generating corpus"
    if [ -x "$gen" ]; then "$gen" "$n" "$corpus"; else python3 "$gen" "$n" "$corpus"; fi

    # clinicgen project: site.yaml, content/ (a real copy), themes -> repo's.
    cat >"$proj/site.yaml" <<'EOF'
title: "Bench clinic"
base_url: "https://example.org/"
language: en
EOF
    cp -r "$corpus" "$proj/content"
    [ -d "$root/themes" ] || say "warning: $root/themes does not exist (yet)"
    ln -s "$root/themes" "$proj/themes"
    # The same project with the three shipped filters on.
    cp "$proj/site.yaml" "$fproj/site.yaml"
    echo 'filters: [contraindications, aftercare, call-provider]' >>"$fproj/site.yaml"
    ln -s "$proj/content" "$fproj/content"
    ln -s "$root/themes" "$fproj/themes"
    ln -s "$root/filters" "$fproj/filters"
    # The same project without search: a copy of the theme without
    # search.html (clinicgen indexes the site only when the theme has it).
    cp "$proj/site.yaml" "$nproj/site.yaml"
    ln -s "$proj/content" "$nproj/content"
    mkdir "$nproj/themes"
    cp -r "$root/themes/clinic" "$nproj/themes/clinic"
    rm -f "$nproj/themes/clinic/templates/search.html"

    # Hugo project: bench/hugo (config + layouts); content via --contentDir;
    # data/ is the corpus's _data/ so the contraindication refs resolve.
    cp -r "$bench/hugo/." "$hproj/"
    ln -s "$corpus/_data" "$hproj/data"

    # The builds take turns, round after round, so the state of the disk
    # weighs on each of them alike. Round 0 is the warm-up.
    # cmark-gfm alone on the same Markdown (all files as one document) is
    # the floor for a generator built on it, and tells how fast this
    # machine is today: runs on different days compare by ratios to it.
    labels=(clinicgen nosearch filters hugo cmark)
    for ((i = 0; i <= RUNS; i++)); do
        for label in "${labels[@]}"; do
            out="$work/out-$label-$i"
            if [ "$label" = clinicgen ]; then
                cmd=("$clinicgen" build -C "$proj" -o "$out" -q)
            elif [ "$label" = nosearch ]; then
                cmd=("$clinicgen" build -C "$nproj" -o "$out" -q)
            elif [ "$label" = filters ]; then
                cmd=("$clinicgen" build -C "$fproj" -o "$out" -q)
            elif [ "$label" = hugo ]; then
                cmd=("$hugo_bin" --quiet -s "$hproj" -d "$out" --contentDir "$corpus")
            else
                cmd=(sh -c 'mkdir "$1" && cd "$2" && find . -name "*.md" -print0 |
                    xargs -0 cmark-gfm -e table -e strikethrough -e autolink >"$1/all.html"' \
                    sh "$out" "$corpus")
            fi
            say "N=$n: round $i of $RUNS (0 is the warm-up): $label"
            timed "$label" "$out" "${cmd[@]}"
            [ -d "$out" ] || die "$label exited 0 but wrote no $out"
            if [ "$i" -eq 0 ]; then
                rm -f "$tmp/$label.times"
            elif [ "$i" -eq "$RUNS" ]; then
                echo "$(summarize "$label") $(count_html "$out")" >"$tmp/$label.result"
            fi
        done
    done
    # Rebuilds of the filters build just made: with nothing changed, and
    # after a line is added to one page (a new line each time). Hugo has
    # no rebuild outside its server, so it has no row here.
    edited="$proj/content/$(cd "$proj/content" && find . -name '*.md' ! -name '_index.md' |
        LC_ALL=C sort | sed -n "$((n / 2 + 1))p" | cut -c3-)"
    built="$work/out-filters-$RUNS"
    for ((i = 0; i <= RUNS; i++)); do
        say "N=$n: round $i of $RUNS: rebuilds"
        rebuild nochange "$built" "$clinicgen" build -C "$fproj" -o "$built" -q
        printf '\nOne more sentence, number %d, for the rebuild benchmark.\n' "$i" >>"$edited"
        rebuild oneedit "$built" "$clinicgen" build -C "$fproj" -o "$built" -q
        if [ "$i" -eq 0 ]; then rm -f "$tmp/nochange.times" "$tmp/oneedit.times"; fi
    done
    read -r rw rc rm ru <<<"$(summarize nochange)"
    read -r ew ec em eu <<<"$(summarize oneedit)"

    read -r pw pc pm pu ph <"$tmp/clinicgen.result"
    read -r nw nc nm nu nh <"$tmp/nosearch.result"
    read -r cw cc cm cu ch <"$tmp/filters.result"
    read -r hw hc hm hu hh <"$tmp/hugo.result"
    read -r mw mc mm mu mh <"$tmp/cmark.result"
    echo "corpus: $n pages"
    printf '%-22s %7s %7s %8s %9s %11s\n' "" "wall s" "cpu s" "user s" "peak MB" "html files"
    printf '%-22s %7.2f %7.2f %8.2f %9.1f %11d\n' "clinicgen, no filters" "$pw" "$pc" "$pu" "$pm" "$ph"
    printf '%-22s %7.2f %7.2f %8.2f %9.1f %11d\n' "clinicgen, no search" "$nw" "$nc" "$nu" "$nm" "$nh"
    printf '%-22s %7.2f %7.2f %8.2f %9.1f %11d\n' "clinicgen + filters" "$cw" "$cc" "$cu" "$cm" "$ch"
    printf '%-22s %7.2f %7.2f %8.2f %9.1f %11d\n' hugo "$hw" "$hc" "$hu" "$hm" "$hh"
    printf '%-22s %7.2f %7.2f %8.2f %9.1f\n' "cmark-gfm alone" "$mw" "$mc" "$mu" "$mm"
    printf '%-22s %7.3f %7.2f %8.2f %9.1f\n' "  rebuild, no change" "$rw" "$rc" "$ru" "$rm"
    printf '%-22s %7.3f %7.2f %8.2f %9.1f\n' "  rebuild, 1 page edit" "$ew" "$ec" "$eu" "$em"
    awk -v pw="$pw" -v cw="$cw" -v pc="$pc" -v cc="$cc" -v pu="$pu" -v cu="$cu" 'BEGIN {
        if (pw < 0.01) pw = 0.01; if (pc < 0.01) pc = 0.01; if (pu < 0.01) pu = 0.01
        printf "the three filters add %+.0f%% wall, %+.0f%% cpu (%+.0f%% user cpu)\n",
            (cw / pw - 1) * 100, (cc / pc - 1) * 100, (cu / pu - 1) * 100
    }'
    printf 'clinicgen + filters against hugo: '
    awk -v cw="$cw" -v hw="$hw" -v cm="$cm" -v hm="$hm" 'BEGIN {
        if (cw < 0.01) cw = 0.01; if (hw < 0.01) hw = 0.01
        if (cm < 0.1) cm = 0.1;   if (hm < 0.1) hm = 0.1
        t = (hw >= cw) ? sprintf("%.1fx faster", hw / cw) : sprintf("%.1fx slower", cw / hw)
        m = (hm >= cm) ? sprintf("%.1fx less", hm / cm) : sprintf("%.1fx more", cm / hm)
        printf "%s (wall), uses %s memory\n", t, m
    }'
    awk -v cc="$cc" -v hc="$hc" -v mc="$mc" 'BEGIN {
        if (mc < 0.01) mc = 0.01
        printf "cpu against cmark-gfm alone (the floor): clinicgen + filters %.1fx, hugo %.1fx\n",
            cc / mc, hc / mc
    }'
    echo
    # Search figures of the last clinicgen build (no filters), with the
    # medians with and without search for the index build's share.
    "$bench/search.sh" "$work/out-clinicgen-$RUNS" "$pw" "$pu" "$nw" "$nu"
    echo
    small_pages "$n" "$work/small"
    echo
done
