#!/bin/sh
# Incremental builds (the build cache, src/cache.h): on a copy of the demo
# project, each change is followed by a rebuild; the files the rebuild
# rewrote (a new inode or modification time) must be exactly those whose
# content changed, and the site must equal a clean build (--no-cache) of
# the same project into another folder.
# Each check prints "ok incremental/NAME" or "FAIL incremental/NAME".
set -u
cd "$(dirname "$0")/.."
bin=${CLINICGEN:-build/asan/clinicgen}
root=$(pwd)
case $bin in /*) ;; *) bin=$root/$bin ;; esac # some builds run from another folder
work=$root/tests/out/incremental
proj=$work/project
site=$proj/site
rm -rf "$work"
mkdir -p "$proj"
cp -R content themes filters site.yaml "$proj/"

result() { # result NAME STATUS DETAILS
    if [ "$2" -eq 0 ]; then echo "ok incremental/$1"; else echo "FAIL incremental/$1"; printf '%s\n' "$3" | sed 's/^/    /'; fi
}

# path inode mtime of every file of the site
snapshot() { (cd "$1" && find . -type f -printf '%P %i %T@\n' | LC_ALL=C sort); }

build() {
    "$bin" build -C "$proj" "$@" 2>"$work/err"
    build_status=$?
    return $build_status
}

# Before a change: keep the site's files and their identities.
before_change() {
    snapshot "$site" >"$work/before.ids"
    rm -rf "$work/before" && cp -R "$site" "$work/before"
}

# After the rebuild: the files rewritten, and those whose content differs
# from before (or that are new), must be the same lists; the site must be
# what a clean build makes. Prints the differences; fails on any.
check_rewrites() {
    [ "$build_status" -eq 0 ] || { echo "the build failed:"; cat "$work/err"; return 1; }
    snapshot "$site" >"$work/after.ids"
    LC_ALL=C comm -13 "$work/before.ids" "$work/after.ids" | cut -d' ' -f1 >"$work/rewritten"
    (cd "$site" && find . -type f -printf '%P\n' | LC_ALL=C sort) | while read -r f; do
        cmp -s "$site/$f" "$work/before/$f" || echo "$f"
    done >"$work/differs"
    rm -rf "$work/clean"
    "$bin" build -C "$proj" -o "$work/clean" --no-cache -q 2>"$work/clean.err" ||
        { echo "the clean build failed:"; cat "$work/clean.err"; return 1; }
    if ! diff "$work/differs" "$work/rewritten" >"$work/diff"; then
        echo "rewritten (>) against changed (<):"; cat "$work/diff"; return 1
    fi
    diff -r "$site" "$work/clean" >"$work/diff" || { echo "not a clean build:"; head -20 "$work/diff"; return 1; }
}

# expect_rewritten NAME FILE...: each FILE was rewritten
expect_rewritten() {
    for f in "$@"; do grep -qx "$f" "$work/rewritten" || { echo "$f was not rewritten"; return 1; }; done
}
expect_kept() {
    for f in "$@"; do ! grep -qx "$f" "$work/rewritten" || { echo "$f was rewritten"; return 1; }; done
}

# only_search_files_of FILE: of search/, the rebuild rewrote only the
# shards of the words in page FILE (named by a term's first two letters:
# t-HEX.js), those of synonym groups (t-~N), the page's record files and
# meta.js: every other term kept its scores, and its file.
only_search_files_of() {
    allowed=$(tr 'A-Z' 'a-z' <"$1" | tr -c 'a-z0-9\n' '\n' | grep . | cut -c1-2 | sort -u |
        while read -r key; do printf 'search/t-%s.js\n' "$(printf '%s' "$key" | od -An -tx1 | tr -d ' \n')"; done)
    extra=$(grep '^search/' "$work/rewritten" |
        grep -v -e '^search/meta\.js$' -e '^search/r-[0-9]*\.js$' -e '^search/t-7e' | grep -vxF "$allowed")
    records=$(grep -c '^search/r-' "$work/rewritten")
    [ -z "$extra" ] && [ "$records" -le 2 ] ||
        { echo "search files rewritten beyond the page's words:"; echo "$extra"; echo "record files: $records"; return 1; }
}

build -q
[ "$build_status" -eq 0 ] && [ ! -s "$work/err" ]
result first-build-writes-the-cache-beside-the-site "$?" "$(cat "$work/err")"
[ -f "$proj/.clinicgen-cache/site.manifest" ] && [ -f "$proj/.clinicgen-cache/site.pages" ] &&
    [ -f "$proj/.clinicgen-cache/site.model" ] && [ -f "$proj/.clinicgen-cache/site.search" ] &&
    [ ! -e "$site/.clinicgen-cache" ]
result cache-folder-beside-the-output "$?" "$(ls -a "$proj")"

before_change
build
out=$(cat "$work/err")
snapshot "$site" | cmp -s - "$work/before.ids" &&
    echo "$out" | grep -q "nothing changed since the last build of [0-9]* pages: the site is up to date"
result no-change-rebuild-writes-nothing "$?" "$out"

page=procedures/microdermabrasion
before_change
printf '\nPatients sometimes ask about zebrafish collagen; there is no evidence for it.\n' \
    >>"$proj/content/$page.md"
build
out=$(cat "$work/err")
details=$(check_rewrites && expect_rewritten "$page/index.html" &&
    expect_kept procedures/index.html index.html a-z/index.html sitemap.xml css/site.css)
result body-edit-rewrites-the-page-and-its-search-shards-only "$?" "$details
$out"
echo "$out" | grep -Eq 'built [0-9]+ pages in [0-9.]+ s: [0-9]+ of [0-9]+ files changed'
result summary-says-how-many-files-changed "$?" "$out"
# the other pages are kept from the page cache, not built again
echo "$out" | grep -Eq 'files changed, 1 page rebuilt'
result body-edit-rebuilds-that-page-only "$?" "$out"

# The cache holds however the project is named: another spelling of the
# same folder, from another current folder, keeps every other page, and
# nothing changed is nothing changed from the project folder too.
before_change
printf '\nA sentence for the test of how -C is spelled.\n' >>"$proj/content/$page.md"
(cd "$work" && "$bin" build -C ./project/../project) 2>"$work/err"
build_status=$?
out=$(cat "$work/err")
details=$(check_rewrites && expect_rewritten "$page/index.html")
echo "$out" | grep -Eq 'files changed, 1 page rebuilt' && [ -z "$details" ] &&
    (cd "$proj" && "$bin" build -C .) 2>&1 | grep -q "nothing changed since the last build"
result another-spelling-of-the-project-keeps-the-cache "$?" "$details
$out"

# The search index of a short page's edit: BM25's scale and average length
# stay as they were, so only the shards of the page's own words change. (A
# few words in a site of hundreds of records move the average by far less
# than its 2.2% steps; one that crossed a step would rewrite every shard.)
short=$proj/content/faq/zebrafish-collagen.md
printf -- '---\ntitle: "Zebrafish collagen"\nsummary: "Is there evidence?"\n---\n\nNot yet.\n' >"$short"
build -q
before_change
printf '\nNo study in people so far.\n' >>"$short"
build -v
details=$(check_rewrites && expect_rewritten faq/zebrafish-collagen/index.html &&
    only_search_files_of "$short")
result short-page-edit-rewrites-the-shards-of-its-words-only "$?" "$details
$(cat "$work/err")"
# and the scores of the words it does not hold are not worked out again:
# the last build's are brought up to date (search_scores.h)
grep -Eq "the last build's scores kept, [0-9]+ terms scored again" "$work/err"
result page-edit-scores-only-its-words-again "$?" "$(cat "$work/err")"
# A word that leaves the site leaves its shard, though every other term
# there keeps its scores: the shard is made again, not kept.
printf '\nIt stays unproven, stubbornly.\n' >>"$short"
build -q
before_change
cp "$short" "$work/short-before.md" # its words then: those whose shards may change
sed -i '/stubbornly/d' "$short"
build -v
details=$(check_rewrites && expect_rewritten search/t-7374.js &&
    only_search_files_of "$work/short-before.md" &&
    { ! grep -q stubbornly "$site/search/t-7374.js" || echo "search/t-7374.js still has the word"; })
grep -Eq "the last build's scores kept, [0-9]+ terms scored again" "$work/err" && [ -z "$details" ]
result word-gone-from-the-site-leaves-its-shard "$?" "$details
$(cat "$work/err")"
rm "$short"
build -q

before_change
sed -i 's/^title: .*/title: "Microdermabrasion (crystal or diamond tip)"/' "$proj/content/$page.md"
build
details=$(check_rewrites && expect_rewritten "$page/index.html" procedures/index.html a-z/index.html)
result title-edit-rewrites-the-listings-that-show-it "$?" "$details
$(cat "$work/err")"

# The sitemap names each page's last change: a new date there rewrites it
# (a body edit keeps it: see above).
before_change
sed -i 's/^updated: .*/updated: 2026-11-20/' "$proj/content/$page.md"
build
details=$(check_rewrites && expect_rewritten "$page/index.html" sitemap.xml &&
    grep -q '<lastmod>2026-11-20</lastmod>' "$site/sitemap.xml")
result date-edit-rewrites-the-sitemap "$?" "$details
$(cat "$work/err")"

before_change
sed -i 's/^summary: .*/summary: "A rotating tip polishes off the outer layer of skin."/' \
    "$proj/content/$page.md"
build
details=$(check_rewrites && expect_rewritten "$page/index.html" procedures/index.html &&
    expect_kept faq/index.html)
result summary-edit "$?" "$details"

# A page without a title in its front matter takes its opening heading's:
# a new heading is a new title in the listings too.
printf -- '---\nsummary: Swelling after fillers.\n---\n\n# Swelling after fillers\n\nIt settles.\n' \
    >"$proj/content/faq/swelling.md"
build -q
before_change
sed -i 's/^# Swelling after fillers/# How long does swelling last?/' "$proj/content/faq/swelling.md"
build
details=$(check_rewrites && expect_rewritten faq/swelling/index.html faq/index.html &&
    { grep -q 'How long does swelling last?' "$site/faq/index.html" || echo "faq/index.html has the old title"; })
result heading-title-edit-rewrites-the-listings-that-show-it "$?" "$details"

before_change
printf -- '---\ntitle: Aftercare kits\nsummary: What the kit holds.\n---\n\nA gentle cleanser.\n' \
    >"$proj/content/aftercare-kits.md"
build
details=$(check_rewrites && expect_rewritten aftercare-kits/index.html)
result added-page "$?" "$details"

before_change
rm "$proj/content/aftercare-kits.md"
build
details=$(check_rewrites && { [ ! -e "$site/aftercare-kits" ] || echo "aftercare-kits/ is still there"; })
result deleted-page-leaves-the-site-with-its-folder "$?" "$details"

before_change
printf '<!-- a comment -->\n' >>"$proj/themes/clinic/static/favicon.svg"
build
details=$(check_rewrites && expect_rewritten favicon.svg && expect_kept index.html)
[ "$(wc -l <"$work/rewritten")" -eq 1 ] || details="$details
more than favicon.svg was rewritten: $(cat "$work/rewritten")"
result static-file-edit-copies-that-file-only "$([ -z "$details" ]; echo $?)" "$details"

# A style sheet's name carries a hash of its content (cache busting): the
# new name is written, the old one leaves, and every page links the new.
before_change
old_css=$(cd "$site" && ls css/print.*.css)
printf '\n/* a comment */\n' >>"$proj/themes/clinic/static/css/print.css"
build
new_css=$(cd "$site" && ls css/print.*.css)
details=$(check_rewrites && expect_rewritten "$new_css" index.html &&
    { [ "$new_css" != "$old_css" ] && [ ! -e "$site/$old_css" ] || echo "still $old_css"; })
result style-sheet-edit-renames-it-everywhere "$?" "$details"

before_change
tpl=$(ls "$proj/themes/clinic/templates/"*.html | head -n 1)
printf '\n<!-- edited -->\n' >>"$tpl"
build
details=$(check_rewrites)
result template-edit "$?" "$details"

before_change
sed -i 's/Wait until the spots have settled\./Wait until the spots have calmed down./' \
    "$proj/content/_data/conditions.yaml"
build
details=$(check_rewrites)
result data-file-edit "$?" "$details"

before_change
sed -i 's/^title: "\(.*\)"/title: "\1 Online"/' "$proj/site.yaml"
build
details=$(check_rewrites && expect_rewritten index.html faq/index.html)
result site-yaml-edit-rewrites-every-page "$?" "$details"

# Someone deletes or edits a file of the site: the next build restores it.
before_change
rm "$site/faq/index.html"
echo changed >"$site/robots.txt"
build
[ -f "$site/faq/index.html" ] && cmp -s "$site/faq/index.html" "$work/before/faq/index.html" &&
    cmp -s "$site/robots.txt" "$work/before/robots.txt"
result a-tampered-site-is-rebuilt "$?" "$(cat "$work/err")"

# A build that fails leaves the site as it was, file for file; fixing the
# error builds again.
before_change
cp "$proj/content/faq/_index.md" "$work/faq-index.md"
printf -- '---\ntitle: [never closed\n---\n' >"$proj/content/faq/_index.md"
build
status=$?
snapshot "$site" | cmp -s - "$work/before.ids" && [ "$status" -eq 1 ] &&
    grep -q 'content/faq/_index.md:2' "$work/err"
result failed-build-leaves-the-site-untouched "$?" "exit $status: $(cat "$work/err")"
cp "$work/faq-index.md" "$proj/content/faq/_index.md"
before_change
build
details=$(check_rewrites)
result fixed-build-after-a-failure "$?" "$details"

# Warnings are repeated when nothing changed.
printf -- '---\ntitle: Opening hours\n---\n\nWe open at <b>nine</b>.\n' \
    >"$proj/content/opening-hours.md"
build
first=$(cat "$work/err")
build
out=$(cat "$work/err")
echo "$first" | grep -q 'opening-hours.md:5:.*warning: raw HTML is left out' &&
    echo "$out" | grep -q 'opening-hours.md:5:.*warning: raw HTML is left out' &&
    echo "$out" | grep -q 'up to date'
result warnings-are-repeated-when-nothing-changed "$?" "$first
--
$out"

# ... and when another page changed: the page kept gives its warning again.
before_change
printf '\nAsk us about a patch test first.\n' >>"$proj/content/$page.md"
build
out=$(cat "$work/err")
details=$(check_rewrites)
echo "$out" | grep -q 'opening-hours.md:5:.*warning: raw HTML is left out' &&
    echo "$out" | grep -q '1 page rebuilt' && [ -z "$details" ]
result a-kept-page-repeats-its-warnings "$?" "$details
$out"

before_change
build -o "$site" --drafts
build --drafts
snapshot "$site" >"$work/after.ids"
build -o "$site"
out=$(cat "$work/err")
echo "$out" | grep -q "files changed"
result drafts-option-is-part-of-the-key "$?" "$out"

before_change
build --no-cache
snapshot "$site" >"$work/after.ids"
n_before=$(wc -l <"$work/before.ids")
n_same=$(LC_ALL=C comm -12 "$work/before.ids" "$work/after.ids" | wc -l)
[ "$n_same" -eq 0 ] && [ "$n_before" -gt 100 ]
result no-cache-rewrites-everything "$?" "$n_same of $n_before files kept"

# A second output folder keeps its own cache.
build -o "$work/other" -q && build -o "$work/other"
grep -q "up to date" "$work/err" && [ -f "$work/.clinicgen-cache/other.manifest" ]
result each-output-folder-has-its-cache "$?" "$(cat "$work/err")"

# A page cache that is damaged is none: every page is built again, and
# the site is still what a clean build makes.
for damage in truncate scramble; do
    before_change
    pages="$proj/.clinicgen-cache/site.pages"
    if [ $damage = truncate ]; then
        head -c 5000 "$pages" >"$work/pages" && mv "$work/pages" "$pages"
    else # the same length, every byte from some way in on changed
        size=$(wc -c <"$pages")
        { head -c 2000 "$pages"; head -c $((size - 2000)) /dev/zero | tr '\0' '\377'; } >"$work/pages"
        mv "$work/pages" "$pages"
    fi
    printf '\nBring a list of your medicines.\n' >>"$proj/content/$page.md"
    build
    out=$(cat "$work/err")
    n=$(echo "$out" | sed -n 's/.*built \([0-9]*\) pages.*/\1/p')
    details=$(check_rewrites)
    [ -n "$n" ] && echo "$out" | grep -q "files changed, $n pages rebuilt" && [ -z "$details" ]
    result damaged-page-cache-$damage-builds-every-page "$?" "$details
$out"
done

# A manifest that is damaged is no manifest: the build is a full one.
printf 'clinicgen-cache 1\ninputs zz\n' >"$proj/.clinicgen-cache/site.manifest"
build
grep -q "wrote [0-9]* files" "$work/err"
result damaged-cache-means-a-full-build "$?" "$(cat "$work/err")"
