#!/bin/sh
# clinicgen new: a page from its archetype, in a copy of the demo project.
# Each check prints "ok new/NAME" or "FAIL new/NAME" with the details.
set -u
cd "$(dirname "$0")/.."
bin=${CLINICGEN:-build/asan/clinicgen}
root=$(pwd)
proj=tests/out/new-project
rm -rf "$proj" "$proj.site"
mkdir -p "$proj"
cp -R content themes filters site.yaml "$proj/"
export CLINICGEN_TODAY=2026-05-04

result() { # result NAME CONDITION-STATUS DETAILS
    if [ "$2" -eq 0 ]; then echo "ok new/$1"; else echo "FAIL new/$1"; printf '%s\n' "$3" | sed 's/^/    /'; fi
}

out=$("$bin" new -C "$proj" procedure "Laser resurfacing" 2>&1)
page="$proj/content/procedures/laser-resurfacing.md"
[ "$out" = "$proj/content/procedures/laser-resurfacing.md" ] && grep -q '^title: "Laser resurfacing"$' "$page" &&
    grep -q '^reviewed: 2026-05-04$' "$page" && grep -q '^draft: true$' "$page" &&
    grep -q '^contraindications:' "$page" && grep -q '^```aftercare$' "$page"
result writes-a-procedure-from-the-archetype $? "$out"

before=$(cksum <"$page")
out=$("$bin" new -C "$proj" procedure "Laser resurfacing" 2>&1)
status=$?
[ "$status" -eq 1 ] && [ "$(cksum <"$page")" = "$before" ] &&
    echo "$out" | grep -q 'laser-resurfacing.md: error: this page exists already'
result never-overwrites-a-page "$?" "exit $status: $out"

out=$("$bin" new -C "$proj" procedure "Microneedling" 2>&1)
status=$?
[ "$status" -eq 1 ] && [ ! -e "$proj/content/procedures/microneedling.md" ] &&
    echo "$out" | grep -q 'microneedling/index.md: error: this page exists already'
result never-shadows-a-page-bundle "$?" "exit $status: $out"

"$bin" new -C "$proj" leaflet "Aftercare" >/dev/null 2>&1
status=$?
[ "$status" -eq 2 ]
result refuses-an-unknown-kind "$?" "exit $status"

"$bin" new -C "$proj" faq 'Laser: "what" to expect' >/dev/null 2>&1 &&
    "$bin" new -C "$proj" concern "Rosacea" >/dev/null 2>&1 &&
    "$bin" new -C "$proj" page "Opening hours" >/dev/null 2>&1
result writes-faq-concern-and-page "$?" "$(ls "$proj/content/faq" "$proj/content/concerns" "$proj/content")"

# The drafts build cleanly (a title with quotes stays valid YAML) and stay
# out of the site until their writer publishes them.
err=$("$bin" build -C "$proj" -o "$root/$proj.site" --drafts 2>&1)
status=$?
[ "$status" -eq 0 ] && ! echo "$err" | grep -q 'warning:' &&
    grep -q '<h1[^>]*>Laser: &quot;what&quot; to expect</h1>\|<h1[^>]*>Laser: "what" to expect</h1>' \
        "$proj.site/faq/laser-what-to-expect/index.html"
result drafts-build-cleanly "$?" "exit $status: $err"
"$bin" build -q -C "$proj" -o "$root/$proj.site" >/dev/null 2>&1 &&
    [ ! -e "$proj.site/procedures/laser-resurfacing" ]
result drafts-stay-unpublished "$?" "the draft was published"

mkdir -p "$proj/archetypes"
printf -- '---\ntitle: "{{title}}"\nsummary: "Our own archetype."\n---\n\nText.\n' >"$proj/archetypes/page.md"
"$bin" new -C "$proj" page "Parking" >/dev/null 2>&1 && grep -q 'Our own archetype' "$proj/content/parking.md"
result the-projects-archetype-comes-first "$?" "$(cat "$proj/content/parking.md" 2>&1)"
