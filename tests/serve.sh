#!/bin/sh
# clinicgen serve (issue 8), on a copy of the demo project, with curl:
# answers (pages, MIME types, the site's 404 page, the slash redirect, HEAD,
# 405), refused paths (.., %2e%2e, %2f, symbolic links out of the output
# folder), the reload script added to pages but not to site/, the event
# stream (a reload after an edit, a build error with file:line while the
# last good site stays served, a reload after the fix), new folders and
# site.yaml watched, 20 concurrent requests, and a clean stop on SIGINT
# (no sanitizer report). Each check prints "ok serve/NAME" or
# "FAIL serve/NAME" with details. Every wait polls, with a time limit
# (WAIT seconds, default 20), so a busy machine slows the test down
# without failing it.
set -u
cd "$(dirname "$0")/.."
bin=${CLINICGEN:-build/asan/clinicgen}
out=tests/out/serve
proj=$out/project
WAIT=${WAIT:-20}
rm -rf "$out"
mkdir -p "$proj"
cp -R content themes filters site.yaml "$proj/"
tools/deps.sh curl >&2 || { echo "FAIL serve/setup: curl is missing (see above)"; exit 1; }

result() { # result NAME STATUS DETAILS
    if [ "$2" -eq 0 ]; then echo "ok serve/$1"; else
        echo "FAIL serve/$1"
        printf '%s\n' "$3" | sed 's/^/    /'
    fi
}

# wait_for SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds;
# fails after SECONDS.
wait_for() {
    tries=$(($1 * 10))
    shift
    while ! "$@" >/dev/null 2>&1; do
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] || return 1
        sleep 0.1
    done
}

# fetch PATH [CURL ARGS]: the answer's body in $out/body, headers in
# $out/headers; prints "STATUS CONTENT-TYPE".
fetch() {
    fetch_path=$1
    shift
    curl -s --path-as-is --max-time "$WAIT" -o "$out/body" -D "$out/headers.crlf" \
        -w '%{http_code} %{content_type}' "$@" "$base$fetch_path"
    tr -d '\r' <"$out/headers.crlf" >"$out/headers"
}

# gone PID: the process has exited (or is a zombie waiting to be reaped).
gone() {
    state=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)
    [ -z "$state" ] || [ "$state" = Z ]
}

server_pid=""
sse_pid=""
cleanup() {
    [ -n "$sse_pid" ] && kill "$sse_pid" 2>/dev/null
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
}
trap cleanup EXIT

"$bin" serve -C "$proj" --port 0 >"$out/stdout" 2>"$out/stderr" &
server_pid=$!
if ! wait_for 60 grep -q '^clinicgen: serving http://127\.0\.0\.1:[0-9][0-9]*/ (Ctrl-C to stop)$' \
    "$out/stdout"; then
    result starts 1 "$(cat "$out/stdout" "$out/stderr")"
    exit 1
fi
port=$(sed -n 's|^clinicgen: serving http://127\.0\.0\.1:\([0-9]*\)/ .*|\1|p' "$out/stdout")
base=http://127.0.0.1:$port
result starts 0 ""

# ---- answers ----
got=$(fetch /)
[ "$got" = "200 text/html; charset=utf-8" ] && grep -q '<h1' "$out/body"
result home-page $? "$got"
got=$(fetch /procedures/microneedling/)
[ "$got" = "200 text/html; charset=utf-8" ] && grep -q '<h1[^>]*>Microneedling' "$out/body"
result procedure-page $? "$got"
grep -qi "^content-security-policy: default-src 'self'" "$out/headers" &&
    grep -qi '^cache-control: no-store' "$out/headers"
result strict-csp-and-no-store $? "$(cat "$out/headers")"

mime_ok=0
mime_details=""
for f in "$(cd "$proj/site" && ls css/style.*.css)|text/css; charset=utf-8" \
    "$(cd "$proj/site" && ls js/search.*.js)|text/javascript; charset=utf-8" \
    "favicon.svg|image/svg+xml; charset=utf-8" "sitemap.xml|application/xml; charset=utf-8" \
    "robots.txt|text/plain; charset=utf-8"; do
    path=${f%%|*}
    want=${f#*|}
    got=$(fetch "/$path")
    if [ "$got" != "200 $want" ] || ! cmp -s "$out/body" "$proj/site/$path"; then
        mime_ok=1
        mime_details="$mime_details/$path: $got (expected 200 $want, the file's bytes)
"
    fi
done
result mime-types $mime_ok "$mime_details"

got=$(fetch /no-such-page/)
[ "$got" = "404 text/html; charset=utf-8" ] && grep -q 'Page not found' "$out/body"
result missing-page-gets-the-sites-404 $? "$got"

got=$(fetch /procedures/microneedling)
[ "${got%% *}" = 301 ] && grep -qi '^location: /procedures/microneedling/$' "$out/headers"
result folder-without-slash-redirects $? "$got $(cat "$out/headers")"
got=$(fetch '/search?q=blood%20thinners&page=2')
[ "${got%% *}" = 301 ] && grep -qi '^location: /search/?q=blood%20thinners&page=2$' "$out/headers"
result redirect-keeps-the-query $? "$got $(cat "$out/headers")"

got=$(fetch /procedures/microneedling/)
length=$(wc -c <"$out/body")
got=$(fetch /procedures/microneedling/ -I)
# (curl -I writes the headers where the body would go: no HTML there)
[ "${got%% *}" = 200 ] && ! grep -qi '<html' "$out/body" &&
    grep -qi "^content-length: $length$" "$out/headers"
result head $? "$got (GET gave $length bytes) $(cat "$out/headers")"

got=$(fetch / -X POST -d x=1)
[ "${got%% *}" = 405 ] && grep -qi '^allow: GET, HEAD' "$out/headers"
result post-is-405 $? "$got"

# ---- nothing outside the output folder ----
ln -s "$(pwd)/$proj/site.yaml" "$proj/site/linked-settings.txt"
ln -s ../site.yaml "$proj/site/relative-link.txt"
ln -s /etc "$proj/site/etc-link"
leaks=""
for path in /../site.yaml /%2e%2e/site.yaml /..%2fsite.yaml /%2e%2e%2f%2e%2e%2fetc/passwd \
    /%2E%2E/site.yaml /.%2e/site.yaml '/..%5csite.yaml' '/..\site.yaml' /%00/../site.yaml \
    /procedures/../../site.yaml /linked-settings.txt /relative-link.txt /etc-link/passwd \
    /etc-link/ /.clinicgen-output; do
    got=$(fetch "$path")
    case ${got%% *} in 400 | 404) ;; *) leaks="$leaks$path: $got
" ;; esac
    if grep -q 'review_max_age_months\|^root:' "$out/body"; then
        leaks="$leaks$path: the file's contents were served
"
    fi
done
[ -z "$leaks" ]
result no-path-traversal $? "$leaks"

# ---- the reload script: in the answers, never on disk ----
fetch /procedures/microneedling/ >/dev/null
grep -q '<script src="/__clinicgen/reload.js" defer></script></head>' "$out/body" &&
    ! grep -rq '__clinicgen' "$proj/site"
result reload-script-served-not-written $? "$(grep -c __clinicgen "$out/body") in the answer"
got=$(fetch /__clinicgen/reload.js)
[ "$got" = "200 text/javascript; charset=utf-8" ] && grep -q 'EventSource' "$out/body"
result reload-script-is-javascript $? "$got"

# ---- rebuilds and the event stream ----
curl -s -N --max-time 600 "$base/__clinicgen/events" >"$out/events" 2>/dev/null &
sse_pid=$!
wait_for "$WAIT" grep -q '^event: hello' "$out/events"
result events-say-hello $? "$(cat "$out/events")"

# count_at_least N PATTERN FILE
count_at_least() { [ "$(grep -c "$2" "$3")" -ge "$1" ]; }
served_has() { fetch "$1" >/dev/null && grep -q "$2" "$out/body"; }

printf '\nThis sentence was added by the serve test.\n' >>"$proj/content/about.md"
wait_for "$WAIT" count_at_least 1 '^event: reload' "$out/events" &&
    served_has /about/ 'This sentence was added by the serve test'
result edit-reloads-with-new-text $? "$(cat "$out/events"; tail -5 "$out/stderr")"

printf -- '---\ntitle: "Broken"\n\nNo closing line.\n' >"$proj/content/procedures/broken.md"
wait_for "$WAIT" grep -q '^event: build-error' "$out/events"
ev=$(grep -A1 '^event: build-error' "$out/events" | tail -1)
echo "$ev" | grep -q 'content/procedures/broken.md:1:1: error: ' &&
    grep -q 'content/procedures/broken.md:1:1: error: ' "$out/stderr"
result broken-file-error-event-with-file-line $? "$ev $(tail -5 "$out/stderr")"
got=$(fetch /__clinicgen/status)
grep -q '"ok":false' "$out/body" && grep -q 'broken.md:1:1: error' "$out/body"
result status-has-the-error $? "$got $(cat "$out/body")"
served_has /about/ 'This sentence was added by the serve test' && ! served_has /procedures/broken/ 'Broken'
result last-good-site-stays-served $? "$(head -c 300 "$out/body")"

sed -i 's/^No closing line\.$/---\nNow closed./' "$proj/content/procedures/broken.md"
wait_for "$WAIT" count_at_least 2 '^event: reload' "$out/events" &&
    served_has /procedures/broken/ 'Now closed' && served_has /__clinicgen/status '"ok":true'
result fix-reloads $? "$(tail -4 "$out/events"; tail -5 "$out/stderr")"

# A folder made while serving is watched too, and so is site.yaml.
mkdir -p "$proj/content/guides/skin"
printf -- '---\ntitle: "Sun care"\n---\nFirst version.\n' >"$proj/content/guides/skin/sun-care.md"
wait_for "$WAIT" served_has /guides/skin/sun-care/ 'First version'
first=$?
sed -i 's/First version/Second version/' "$proj/content/guides/skin/sun-care.md"
wait_for "$WAIT" served_has /guides/skin/sun-care/ 'Second version'
second=$?
[ "$first" -eq 0 ] && [ "$second" -eq 0 ]
result new-folders-are-watched $? "$(tail -5 "$out/stderr")"
sed -i 's/^title: .*/title: "Serve Test Clinic"/' "$proj/site.yaml"
wait_for "$WAIT" served_has / 'Serve Test Clinic'
result site-yaml-is-watched $? "$(tail -5 "$out/stderr")"
mkdir "$proj/templates"
sed 's/Page not found/Nothing here (serve test)/' themes/clinic/templates/404.html \
    >"$proj/templates/404.html"
wait_for "$WAIT" served_has /no-such-page/ 'Nothing here (serve test)'
result new-templates-folder-is-watched $? "$(tail -5 "$out/stderr")"

# ---- 20 requests at once ----
pids=""
i=0
while [ "$i" -lt 20 ]; do
    curl -s --max-time "$WAIT" -o "$out/parallel.$i" -w '%{http_code}\n' \
        "$base/procedures/microneedling/" >"$out/parallel.$i.status" &
    pids="$pids $!"
    i=$((i + 1))
done
# shellcheck disable=SC2086 # pids are numbers
wait $pids
oks=$(cat "$out"/parallel.*.status | grep -c '^200$')
[ "$oks" -eq 20 ] && ! grep -L 'Microneedling' "$out"/parallel.? "$out"/parallel.?? | grep -q .
result twenty-concurrent-requests $? "$oks of 20 answered 200"

# ---- usage and a taken port ----
"$bin" serve -C "$proj" --port 70000 >/dev/null 2>&1
status=$?
[ "$status" -eq 2 ]
result bad-port-is-usage $? "exit $status"
timeout 120 "$bin" serve -C "$proj" --port "$port" >"$out/taken.stdout" 2>"$out/taken.stderr"
status=$?
[ "$status" -eq 1 ] && grep -q "cannot listen on 127.0.0.1 port $port: Address already in use" \
    "$out/taken.stderr"
result taken-port-fails $? "exit $status: $(cat "$out/taken.stderr")"

# ---- Ctrl-C: a clean stop, with the event stream still open ----
kill -INT "$server_pid"
wait_for "$WAIT" gone "$server_pid"
stopped=$?
wait "$server_pid"
status=$?
server_pid=""
[ "$stopped" -eq 0 ] && [ "$status" -eq 0 ] && grep -q 'SIGINT: stopping' "$out/stderr"
result sigint-stops-cleanly $? "exit $status $(tail -5 "$out/stderr")"
! grep -q 'Sanitizer\|runtime error' "$out/stderr"
result no-sanitizer-reports $? "$(grep -A30 'Sanitizer\|runtime error' "$out/stderr" | head -60)"
