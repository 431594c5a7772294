#!/bin/sh
# Seeds the fuzzers' corpora from the tests and the demo project:
#   build/fuzz/corpus-front_matter  every Markdown page, and every YAML file
#                                   wrapped in --- lines as front matter
#   build/fuzz/corpus-page          every Markdown page
#   build/fuzz/corpus-template      every template (themes/, tests/)
# Each seed is named by its SHA-1, so seeding again only adds what is new
# and keeps what the fuzzers found. The corpora are not committed.
# usage: tests/fuzz/seed.sh [OUT_DIR]   (default build/fuzz)
set -eu
cd "$(dirname "$0")/../.."
out=${1:-build/fuzz}
mkdir -p "$out/corpus-front_matter" "$out/corpus-page" "$out/corpus-template"

# add CORPUS FILE: copies FILE into CORPUS under its hash
add() {
    sum=$(sha1sum <"$2" | cut -c1-40)
    [ -e "$1/$sum" ] || cp "$2" "$1/$sum"
}

sources() {
    find content themes tests -path tests/out -prune -o -path '*/expected' -prune \
        -o -type f -name "$1" -print | LC_ALL=C sort
}

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
sources '*.md' | while read -r f; do
    add "$out/corpus-front_matter" "$f"
    add "$out/corpus-page" "$f"
done
sources '*.yaml' | while read -r f; do
    { echo ---; cat "$f"; echo ---; echo; echo "# Body"; } >"$tmp"
    add "$out/corpus-front_matter" "$tmp"
done
sources '*.html' | grep '/templates/' | while read -r f; do
    add "$out/corpus-template" "$f"
done
# the inputs that once crashed a harness are seeds too
for name in front_matter page template; do
    for f in tests/fuzz/regressions/$name/*; do
        [ -f "$f" ] && add "$out/corpus-$name" "$f"
    done
done
for name in front_matter page template; do
    echo "fuzz: corpus-$name: $(ls "$out/corpus-$name" | wc -l) inputs"
done
