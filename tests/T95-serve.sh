#!/usr/bin/env bash
# chatarc serve: the site, the search page, the JSON API and people's pages
# from one process on loopback, used as a reader, a research group's tool
# and an attacker would, on the real #PSTweetChat archive beside the sample.
# Every API answer is compared with the CLI's output for the same question.
. "$(dirname "$0")/lib.sh"
export SOURCE_DATE_EPOCH=1795478400
ARTIFACTS="${TEST_ARTIFACTS:-$ROOT/tests/artifacts}/serve"
mkdir -p "$ARTIFACTS"

D="$TMP/d"
"$CHATARC" --data "$D" init --sample >/dev/null
sed -i 's|"chats": {|"chats": {"ps": {"tags": ["pstweetchat"], "moderators": ["JeffHicks"], "schedule": {"rrule": "FREQ=MONTHLY;BYDAY=1FR", "start": "13:00", "minutes": 60, "tz": "America/New_York"}},|' "$D/chatarc.conf"
"$CHATARC" --data "$D" import --chat hcsmdemo "$ROOT"/share/sample/hcsmdemo/* >/dev/null
"$CHATARC" --data "$D" import --chat ps "$FIXTURES"/csv/pstweetchat/*.csv >/dev/null 2>&1
"$CHATARC" --data "$D" index >/dev/null
"$CHATARC" --data "$D" publish >/dev/null

SERVE=
start_serve() { # ARGS...: starts it on a free port; sets SERVE and BASE
	"$CHATARC" --data "$D" serve --listen 127.0.0.1:0 "$@" >"$TMP/serve.out" 2>>"$TMP/serve.log" &
	SERVE=$!
	for _ in $(seq 400); do grep -q '^serving ' "$TMP/serve.out" 2>/dev/null && break; sleep 0.05; done
	BASE=$(sed -n 's|^serving \(http://[^ ]*\)/$|\1|p' "$TMP/serve.out")
}
trap '[ -n "$SERVE" ] && kill $SERVE 2>/dev/null' EXIT
start_serve
expect_eq "serve: says where it listens, on loopback" "$(sed 's/:[0-9][0-9]*\/$/:PORT\//' "$TMP/serve.out")" "serving http://127.0.0.1:PORT/"

get() { curl -s --max-time 20 "$BASE$1"; }
code() { curl -s --max-time 20 -o /dev/null -w '%{http_code}' "$@"; }
urlq() { /usr/bin/python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

# ---- the JSON API against the CLI ---------------------------------------
# For each query: the API's first two pages of 20 and its total equal
# `chatarc search --format json` with the same offsets, and --count.
same=0
queries=("policy" "from:JeffHicks" "#powershell" "pester OR vscode" '"thank you"' "date:2022..2023 module" "chatg*" "*")
for q in "${queries[@]}"; do
	for page in 1 2; do
		api=$(get "/api/search?q=$(urlq "$q")&page=$page" | jq -c '.hits[]')
		cli=$("$CHATARC" --data "$D" search --format json --limit 20 --offset $(((page - 1) * 20)) -- "$q" 2>/dev/null | jq -c .)
		[ "$api" = "$cli" ] && same=$((same + 1)) || echo "differs: $q page $page" >&2
	done
	total=$(get "/api/search?q=$(urlq "$q")" | jq .total)
	[ "$total" = "$("$CHATARC" --data "$D" search --count -- "$q" 2>/dev/null)" ] && same=$((same + 1)) || echo "total differs: $q" >&2
done
expect_eq "api: /api/search's hits (two pages) and total equal the CLI's for ${#queries[@]} queries" "$same" "$((${#queries[@]} * 3))"
expect_eq "api: under 10,000 matches the total is exact and said so; exact=1 asks it of any query" \
	"$(get "/api/search?q=$(urlq '*')" | jq -r .total_is) $(get "/api/search?q=$(urlq '*')&exact=1" | jq -r '"\(.total_is) \(.total)"')" \
	"exact exact $("$CHATARC" --data "$D" search --count '*')"
expect_eq "api: facets count every match by chat, network and year (they sum to the total)" \
	"$(get "/api/search?q=$(urlq 'policy OR module')" | jq -c '[.total, (.facets.chat | add), (.facets.network | add), (.facets.year | add)] | unique | length')" "1"
expect_eq "api: a warning for what was read otherwise than typed, as the CLI says it" \
	"$(get "/api/search?q=$(urlq 'pester or vscode')" | jq -r '.warnings[0]' | cut -c1-40)" \
	"$("$CHATARC" --data "$D" search --count 'pester or vscode' 2>&1 >/dev/null | sed 's/^chatarc: search: note: //' | cut -c1-40)"
expect_eq "api: /api/chats lists the config's chats with their schedules in words" \
	"$(get /api/chats | jq -r '.[] | "\(.name) \(.schedule)"')" \
	"ps monthly, first Friday, 13:00-14:00
hcsmdemo weekly, Wednesday, 13:00-14:00"
# A chat's sessions with messages: the dates and counts stats gives.
"$CHATARC" --data "$D" stats ps --format csv --top 0 | awk -F, '$1 == "session" { sub(/^ps /, "", $2); print $2, $3 }' >"$TMP/ps.stats"
expect_eq "api: /api/sessions?chat=ps gives stats' 49 sessions and their message counts" \
	"$(get '/api/sessions?chat=ps' | jq -r '.[] | "\(.date) \(.messages)"')" "$(cat "$TMP/ps.stats")"
expect_eq "api: /api/session/CHAT/DATE is summarise --format json" \
	"$(get /api/session/ps/2023-03-03 | jq -S -c . | md5sum)" "$("$CHATARC" --data "$D" summarise ps 2023-03-03 --format json | jq -S -c . | md5sum)"
expect_eq "api: unknown chats, dates, endpoints and queries are JSON errors with 4xx" \
	"$(code "$BASE/api/session/nochat/2023-03-03") $(code "$BASE/api/session/ps/2023-03-04") $(code "$BASE/api/nothing") $(code "$BASE/api/search?q=%22open") $(get "/api/search?q=%22open" | jq -r 'keys[0]')" \
	"404 404 404 400 error"
expect_eq "api: no CORS header by default" "$(curl -s -D - -o /dev/null "$BASE/api/chats" | grep -ci '^access-control')" "0"

# The index the server holds follows `chatarc index`: a run that commits
# (more posts), then --rebuild (a new generation swapped in).
before=$(get "/api/search?q=$(urlq '*')" | jq .total)
"$CHATARC" --data "$D" import --chat hcsmdemo "$ROOT"/tests/gold/nolabels-dst/*.json >/dev/null 2>&1
"$CHATARC" --data "$D" index >/dev/null
after=$(get "/api/search?q=$(urlq '*')" | jq .total)
"$CHATARC" --data "$D" index --rebuild >/dev/null
"$CHATARC" --data "$D" publish >/dev/null
rebuilt=$(get "/api/search?q=$(urlq '*')" | jq .total)
expect_eq "api: a running server sees what index commits and what --rebuild swaps in" \
	"$((after > before)) $after $rebuilt" "1 $("$CHATARC" --data "$D" search --count '*') $after"

# ---- pages ----------------------------------------------------------------
xp() { xmllint --html --xpath "$2" "$1" 2>/dev/null; }
get "/search?q=$(urlq '#powershell')" >"$TMP/search.html"
n=$("$CHATARC" --data "$D" search --count '#powershell')
expect_eq "page: /search shows the query, the count, 20 hits, facets and a next page" \
	"$(xp "$TMP/search.html" 'string(//input[@id="q"]/@value)') | $(xp "$TMP/search.html" 'normalize-space(//p[@class="result-count"])') | $(xp "$TMP/search.html" 'count(//li[contains(@class, "hit")])') $(xp "$TMP/search.html" 'count(//div[@class="facet"])') $(xp "$TMP/search.html" 'string(//a[@rel="next"]/@href)')" \
	"#powershell | 1–20 of $n messages | 20 3 /search?q=%23powershell&page=2"
# Each hit links its message's anchor in its transcript, which is there.
missing=0
for href in $(xp "$TMP/search.html" '//a[@class="in-transcript"]/@href' | sed 's/ href="\([^"]*\)"/\1\n/g'); do
	page=${href%%#*}
	anchor=${href#*#}
	grep -q "id=\"$anchor\"" "$D/site$page" || missing=$((missing + 1))
done
expect_eq "page: every hit in a session links its message's anchor in its transcript" \
	"$(xp "$TMP/search.html" 'count(//a[@class="in-transcript"])') $missing" "$(xp "$TMP/search.html" 'count(//span[@class="session"])') 0"
expect_eq "page: a query that cannot be read is a 400 page saying why, with the form" \
	"$(code "$BASE/search?q=%28unclosed") $(get "/search?q=%28unclosed" | grep -c 'class="error"') $(get "/search?q=%28unclosed" | grep -c 'id="q"')" "400 1 1"
# A participant of many sessions (not the moderator, whose 1,447 posts
# pass the page's 1,000): their messages, sessions and topics as export
# places them.
PERSON=$("$CHATARC" --data "$D" export ps | jq -r .author | sort | uniq -c | sort -rn | awk '$1 < 1000 { print $2; exit }')
get "/people/$PERSON" >"$TMP/person.html"
"$CHATARC" --data "$D" export --author "$PERSON" >"$TMP/person.jsonl"
expect_eq "page: /people/ACCOUNT: the person's messages, sessions and topics answered, as export places them" \
	"$(xp "$TMP/person.html" 'normalize-space(//p[@class="when"])' | cut -d' ' -f1) $(xp "$TMP/person.html" 'count(//div[contains(@class, "person-session")][h3/a])') $(xp "$TMP/person.html" 'count(//ul[@class="topics-answered"]/li)')" \
	"$(wc -l <"$TMP/person.jsonl") $(jq -r 'select(.session != null) | .chat + .session' "$TMP/person.jsonl" | sort -u | wc -l) $(jq -r 'select(.topic != null and (.topic | test("^t[0-9]"))) | .chat + .session + .topic' "$TMP/person.jsonl" | sort -u | wc -l)"
expect_eq "page: the site's files come as they are on disk" \
	"$(get /ps/2023-03-03.html | md5sum) $(get /style.css | md5sum)" "$(md5sum <"$D/site/ps/2023-03-03.html") $(md5sum <"$D/site/style.css")"
expect_eq "page: every answer forbids scripts, sniffing and referrers" \
	"$(for p in / /search?q=x /api/chats /people/JeffHicks /nothing; do curl -s -D - -o /dev/null "$BASE$p" | grep -ci -E "^(content-security-policy: default-src 'none'|x-content-type-options: nosniff|referrer-policy: no-referrer)"; done | tr '\n' ' ')" \
	"3 3 3 3 3 "

# ---- a reader in Chromium, at a desk and on a phone ----------------------
policy=$("$CHATARC" --data "$D" search --count policy)
mastodon=$("$CHATARC" --data "$D" search --count policy network:mastodon)
tagged=$("$CHATARC" --data "$D" search --count '#hcsmdemo')
for width in 1280 390; do
	/usr/bin/python3 "$ROOT/tests/serve-reader.py" "$BASE" "$ARTIFACTS" "$width" >"$TMP/reader-$width.txt" 2>"$TMP/reader-$width.err"
	expect_eq "chromium at $width px: type a query, narrow by a facet, page, follow a hit to its message" \
		"$(cat "$TMP/reader-$width.txt")" \
		"typed: 1–$policy of $policy messages $policy hits
facet: 1–$mastodon of $mastodon messages ['hit net-mastodon'] policy network:mastodon
paged: 1–20 of $tagged messages | 21–40 of $tagged messages | 21
followed: on screen same text
width: fits"
done

# ---- hostile -------------------------------------------------------------
ln -s /etc "$D/site/outside"
ln -s "$D/chatarc.conf" "$D/site/conf.html"
expect_eq "hostile: .., %2e%2e, dot-files, symlinks out and directory listings are 404" \
	"$(for p in /../chatarc.conf /%2e%2e/chatarc.conf /ps/%2e%2e/%2e%2e/chatarc.conf /outside/passwd /conf.html /.publish-cache /ps/..%2f..%2fchatarc.conf; do code --path-as-is "$BASE$p"; echo -n ' '; done)" \
	"404 404 404 404 404 404 404 "
expect_eq "hostile: only GET and HEAD (405 with Allow)" \
	"$(code -X POST "$BASE/api/chats") $(code -X DELETE "$BASE/") $(curl -s -X PUT -D - -o /dev/null "$BASE/" | grep -i '^allow:' | tr -d '\r')" "405 405 Allow: GET, HEAD"
quick() { curl -s --max-time 5 -o /dev/null -w '%{http_code} %{time_total}' --interface 127.0.0.2 "$BASE/api/search?q=policy"; }
within() { awk -v t="${1#* }" 'BEGIN { exit !(t < 0.1) }' && [ "${1% *}" = 200 ]; }
# A 1 MB query string (past the 64 KiB a request may hold), and one of
# 3 KB (past the 2,048 bytes a query may have).
status=$(/usr/bin/python3 - "$BASE" <<'PY'
import http.client, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
try:
    c.request("GET", "/search?q=" + "a" * (1 << 20))
    print(c.getresponse().status)
except (ConnectionError, http.client.HTTPException) as e:
    print("closed")
PY
)
status2=$(code "$BASE/api/search?q=$(head -c 3000 /dev/zero | tr '\0' a)")
r=$(quick)
within "$r" && { [ "${status:0:1}" = 4 ] || [ "$status" = closed ]; } && [ "$status2" = 414 ] &&
	ok "hostile: a 1 MB query string is refused ($status), a 3 KB query too ($status2); a normal query answers in ${r#* } s" ||
	fail "hostile: long query string" "status $status, $status2, then $r"
r=$(timeout 20 curl -s -o /dev/null -w '%{http_code} %{time_total}' "$BASE/api/search?q=*&page=1000000")
expect_eq "hostile: q=* at page=1000000 is a 400, at once" "$(echo "$r" | awk '{ print $1, ($2 < 1) }')" "400 1"
/usr/bin/python3 - "$BASE" <<'PY' >"$TMP/flood.txt" 2>&1 &
import resource, socket, sys, time, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 20000), hard))
# 10,000, or as many as this machine lets one process open.
target = min(10000, min(hard, 20000) - 200)
# A slowloris first: a request a byte at a time, never ended.
slow = socket.create_connection((u.hostname, u.port))
slow.send(b"GET /api/chats HTTP/1.1\r\n")
idle = []
for i in range(target):
    try:
        idle.append(socket.create_connection((u.hostname, u.port), timeout=2))
    except OSError:
        pass
print("open", len(idle), "of", target, flush=True)
held = True
for b in b"Host: x\r\nX-Slow: " + b"a" * 20:
    try:
        slow.send(bytes([b]))
    except OSError:
        held = False
        break
    time.sleep(0.3)
print("opened", len(idle), "slowloris", "held" if held else "dropped", flush=True)
PY
FLOOD=$!
for _ in $(seq 600); do grep -q '^open' "$TMP/flood.txt" && break; sleep 0.05; done
r=$(quick)
read -r _ opened _ target <"$TMP/flood.txt"
within "$r" && [ "$opened" = "$target" ] && [ "$target" -ge 1000 ] &&
	ok "hostile: $opened idle connections and a slowloris from one address: a normal query answers in ${r#* } s" ||
	fail "hostile: connection flood" "$r; $(cat "$TMP/flood.txt")"
wait $FLOOD
r=$(quick)
within "$r" && grep -q 'slowloris held' "$TMP/flood.txt" &&
	ok "hostile: the slowloris held its connection, no worker: after the flood, answers in ${r#* } s" ||
	fail "hostile: after the flood" "$r; $(cat "$TMP/flood.txt")"

# ---- people's pages, published ------------------------------------------
# "site": {"people": true}: publish writes a static page per account, the
# served one's content with links relative to the site.
sed -i 's|^{|{"site": {"people": true},|' "$D/chatarc.conf"
"$CHATARC" --data "$D" publish >/dev/null
static="$D/site/people/$(echo "$PERSON" | tr 'A-Z' 'a-z').html"
expect_eq "publish: people's pages, one an account, the same posts and sessions as served" \
	"$(ls "$D/site/people" | wc -l) $(xp "$static" 'normalize-space(//p[@class="when"])') $(xp "$static" 'count(//li[contains(@class, "hit")])')" \
	"$("$CHATARC" --data "$D" export | jq -r .author | tr 'A-Z' 'a-z' | sort -u | wc -l) $(xp "$TMP/person.html" 'normalize-space(//p[@class="when"])') $(xp "$TMP/person.html" 'count(//li[contains(@class, "hit")])')"
missing=0
for href in $(xp "$static" '//a[@class="in-transcript"]/@href' | sed 's/ href="\([^"]*\)"/\1\n/g'); do
	grep -q "id=\"${href#*#}\"" "$D/site/people/${href%%#*}" || missing=$((missing + 1))
done
expect_eq "publish: a static person's page links each post's anchor in its transcript, relatively" \
	"$(($(xp "$static" 'count(//a[@class="in-transcript"])') > 0)) $missing" "1 0"

# ---- consent: a hidden account and a forgotten one -----------------------
# The hide list comes in on SIGHUP; forget rewrites the archive and the
# index, which the server reopens. Neither account is in any answer.
HIDDEN=jeffhicks
FORGOTTEN=$("$CHATARC" --data "$D" export ps | jq -r .author | grep -vi jeffhicks | sort | uniq -c | sort -rn | awk 'NR == 1 { print $2 }')
sed -i 's|"ps": {"tags": \["pstweetchat"\],|"ps": {"tags": ["pstweetchat"], "hide": ["JeffHicks"],|' "$D/chatarc.conf"
kill -HUP "$SERVE"
for _ in $(seq 100); do grep -q 'read the config again' "$TMP/serve.log" && break; sleep 0.05; done
"$CHATARC" --data "$D" forget "@$FORGOTTEN" >/dev/null
# Every author the API gives for every message (all pages), the summaries'
# participants, the search pages' author links: none is either account.
{
	for page in $(seq 40); do get "/api/search?q=*&per_page=100&page=$page"; done
	get "/api/search?q=from:$HIDDEN"
	get "/api/search?q=from:$FORGOTTEN"
	while read -r date _; do get "/api/session/ps/$date"; done <"$TMP/ps.stats"
} | jq -r '.. | objects | .author? // empty' | tr 'A-Z' 'a-z' >"$TMP/authors.txt"
for q in '*' powershell '#pstweetchat'; do get "/search?q=$(urlq "$q")"; done |
	grep -o 'href="/people/[^"]*"' | tr 'A-Z' 'a-z' >"$TMP/links.txt"
lower() { echo "$1" | tr 'A-Z' 'a-z'; }
"$CHATARC" --data "$D" publish >/dev/null
expect_eq "consent: publish removes the people's pages of the hidden and the forgotten accounts" \
	"$(ls "$D/site/people" | grep -c -i -x -e "$HIDDEN.html" -e "$FORGOTTEN.html") $(code "$BASE/people/$HIDDEN.html")" "0 404"
expect_eq "consent: after SIGHUP and forget, neither the hidden nor the forgotten account is in any answer" \
	"$(($(wc -l <"$TMP/authors.txt") > 1000)) $(grep -c -x -e "$(lower "$HIDDEN")" -e "$(lower "$FORGOTTEN")" "$TMP/authors.txt") $(grep -c -e "/people/$(lower "$HIDDEN")\"" -e "/people/$(lower "$FORGOTTEN")\"" "$TMP/links.txt") $(code "$BASE/people/$HIDDEN") $(code "$BASE/people/$FORGOTTEN")" \
	"1 0 0 404 404"

# ---- the log, SIGTERM ----------------------------------------------------
searches=$(grep -c '"GET /api/search" 200' "$TMP/serve.log")
expect_eq "log: one line a request, no query string (--log-queries keeps them)" \
	"$((searches > 50)) $(grep -c 'q=' "$TMP/serve.log")" "1 0"
i=0
while read -r date _; do
	i=$((i + 1))
	[ $i -le 12 ] || break
	curl -s --max-time 20 -o "$TMP/inflight.$i" -w '%{http_code}\n' "$BASE/api/session/ps/$date" >"$TMP/inflight.$i.code" &
done <"$TMP/ps.stats"
# One more begun (its request line sent) but not ended when SIGTERM comes.
/usr/bin/python3 - "$BASE" "$SERVE" <<'PY' >"$TMP/inflight.13" 2>&1 &
import os, signal, socket, sys, time, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
s = socket.create_connection((u.hostname, u.port))
s.send(b"GET /api/chats HTTP/1.1\r\nHost: x\r\n")
time.sleep(0.3)
os.kill(int(sys.argv[2]), signal.SIGTERM)
time.sleep(0.5)
s.send(b"Connection: close\r\n\r\n")
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
head, _, body = data.partition(b"\r\n\r\n")
print(head.split(b"\r\n")[0].decode(), len(body.decode().strip()) > 10 and body.decode().strip()[0] == "[")
PY
WAITER=$!
wait "$SERVE"
rc=$?
SERVE=
wait
echo 200 >"$TMP/inflight.13.code"
whole=0
for i in $(seq 12); do
	c=$(cat "$TMP/inflight.$i.code")
	# Refused (000: it came after the server stopped listening) or whole.
	# (404: a session the forget above emptied, said whole in JSON.)
	if [ "$c" = 000 ] || { [ "$c" = 200 ] && jq -e .chat "$TMP/inflight.$i" >/dev/null 2>&1; } ||
		{ [ "$c" = 404 ] && jq -e .error "$TMP/inflight.$i" >/dev/null 2>&1; }; then
		whole=$((whole + 1))
	fi
done
expect_eq "serve: SIGTERM lets the requests in flight finish whole (one begun before it, ended after), and exits 0" \
	"$rc $whole $(cat "$TMP/inflight.13")" "0 12 HTTP/1.1 200 OK True"

# The options a deployment sets: query strings kept in the log, one origin
# allowed to call the API (and only the API).
: >"$TMP/serve.log"
start_serve --log-queries --cors https://chats.example.org
get "/api/search?q=policy" >/dev/null
expect_eq "serve: --log-queries keeps the query; --cors answers the API alone for that origin" \
	"$(grep -c '"GET /api/search?q=policy" 200' "$TMP/serve.log") $(curl -s -D - -o /dev/null "$BASE/api/chats" | grep -i '^access-control-allow-origin' | tr -d '\r') | $(curl -s -D - -o /dev/null "$BASE/search?q=x" | grep -ci '^access-control')" \
	"1 Access-Control-Allow-Origin: https://chats.example.org | 0"
expect_eq "serve: HEAD answers the headers of GET, no body" \
	"$(curl -s -I "$BASE/style.css" | grep -i '^content-length' | tr -d '\r' | cut -d' ' -f2) $(curl -s -X HEAD --max-time 5 "$BASE/style.css" | wc -c)" \
	"$(stat -c %s "$D/site/style.css") 0"
kill -TERM "$SERVE"
wait "$SERVE"
SERVE=

test_done
