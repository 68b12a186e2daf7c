#!/usr/bin/env bash
# chatarc fetch against a real HTTP server on 127.0.0.1 (tests/fake-social.py)
# speaking Mastodon's and Bluesky's wire formats, fed with the recorded real
# statuses and posts in tests/fixtures, with injected faults.
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3 # Debian's Python (the standard library is all the server needs)
M="$FIXTURES/mastodon"
B="$FIXTURES/bluesky"

start_fake_social
ctl_file() { curl -s -X POST --data-binary "@$1" "$BASE/_control" >/dev/null; }
server_log() { curl -s "$BASE/_log"; }
calm() { ctl '{"faults": [], "latency_ms": 0, "token_uses": 0, "require_auth": true, "bsky_max_limit": 100, "clear_log": true}'; }

export BSKY_PW=app-pass-1234

# conf DIR EXTRA_CHAT_SETTINGS SOURCES_JSON [FETCH_SETTINGS]
conf() {
	rm -rf "$1" && mkdir -p "$1"
	cat >"$1/chatarc.conf" <<EOF
{"chats": {"hanna": {"tags": ["IchbinHanna"], "sources": $3 $2},
           "red": {"tags": ["redistricting"], "sources": ["bsky"]}},
 "sources": {"a": {"type": "mastodon", "url": "$BASE/a"},
             "b": {"type": "mastodon", "url": "$BASE/b"},
             "nope": {"type": "mastodon", "url": "$BASE/nope"},
             "bsky": {"type": "bluesky", "url": "$BASE", "identifier": "chatarc-test.bsky.social",
                      "password_env": "BSKY_PW"},
             "anon": {"type": "bluesky", "url": "$BASE"}},
 "fetch": {"backoff_base_ms": 100, "backoff_max_ms": 2000, "stall_timeout": 1, "retries": 3,
           "follow_interval": 1 ${4:-}}}
EOF
}

uris() { "$CHATARC" --data "$1" export "$2" --format json | jq -r .uri | sort; }

# What the recordings say the archive must hold: every status of instance a
# (b sees a subset under other ids), minus authors who opted out.
for f in rtoot_ichbinhanna_page1.http rtoot_ichbinhanna_page2.http; do http_body "$M/$f"; echo; done >"$TMP/hanna.json"
# A Bridgy Fed status is the Bluesky post it shows: its at:// uri is its identity.
ID='def id: .uri | sub("^https://bsky.brid.gy/convert/ap/"; "");'
jq -r "$ID"'.[] | select(.account.noindex != true and .account.discoverable != false) | id' "$TMP/hanna.json" | sort -u >"$TMP/want-consenting"
jq -r "$ID"'.[] | id' "$TMP/hanna.json" | sort -u >"$TMP/want-all"
opted_out_a=$(jq -s '[.[][] | select(.account.noindex == true or .account.discoverable == false)] | length' "$TMP/hanna.json")
http_body "$B/bskyr_searchPosts_redistricting.http" >"$TMP/bsky.json"
jq -r '.posts[] | select([.author.labels[]?.val] | index("!no-unauthenticated") | not) | .uri' "$TMP/bsky.json" | sort >"$TMP/want-bsky"

# 1. Two instances, one message per uri, consent honoured and counted.
D="$TMP/two"
conf "$D" "" '["a", "b"]'
"$CHATARC" --data "$D" fetch hanna --since 2020-01-01 -v >"$TMP/two.out" 2>"$TMP/two.err"
expect_eq "fetch: two instances exit 0" "$?" "0"
expect_file_eq "fetch: two instances merge to one message per uri, opted-out authors left out" <(uris "$D" hanna) "$TMP/want-consenting"
expect_eq "fetch: the summary counts instance a's opted-out authors" \
	"$(grep '^hanna a ' "$TMP/two.out" | grep -o '[0-9]* skipped for consent')" "$opted_out_a skipped for consent"
new_total=$(grep -o '[0-9]* new' "$TMP/two.out" | awk '{s += $1} END {print s}')
expect_eq "fetch: new messages across instances add up to the archive" "$new_total" "$(wc -l <"$TMP/want-consenting")"
expect_eq "fetch: instance b paged with its own ids" \
	"$(server_log | jq -r 'select(.path | startswith("/b/")) | .path' | grep -c 'max_id=1146301693063174')" "1"
expect_eq "fetch: User-Agent names chatarc and its version" \
	"$(server_log | jq -r .ua | sort -u)" "chatarc/0.1.0 (hashtag chat archiver; +https://github.com/chatarc)"

# The fetched records are the records `chatarc import` makes of the same statuses.
I="$TMP/imported"
conf "$I" "" '[]'
"$CHATARC" --data "$I" import --chat hanna "$TMP/hanna.json" >/dev/null 2>&1
fields='[.uri, .author, .author_name, .created_at, .text, .url, (.tags | sort), .links]'
"$CHATARC" --data "$I" export hanna --format json | jq -c "$fields" | grep -F -f "$TMP/want-consenting" | sort >"$TMP/import.fields"
"$CHATARC" --data "$D" export hanna --format json | jq -c "$fields" | sort >"$TMP/fetch.fields"
expect_file_eq "fetch: records match import's for the same statuses" "$TMP/fetch.fields" "$TMP/import.fields"
expect_eq "fetch: replies across pages keep their parent" \
	"$("$CHATARC" --data "$D" export hanna --format json | jq -r 'select(.reply_to != null) | .uri' | wc -l)" \
	"$("$CHATARC" --data "$I" export hanna --format json | jq -r 'select(.reply_to != null) | .uri' | grep -c -F -f "$TMP/want-consenting")"

# 2. A run with nothing new asks once per instance, from the cursor, and says nothing under cron.
calm
"$CHATARC" --data "$D" fetch hanna >"$TMP/again.out" 2>&1
expect_eq "fetch: rerun with nothing new exits 0 and prints nothing without a terminal" "$?:$(cat "$TMP/again.out")" "0:"
# The walk forward starts 10 minutes before the newest status (a status from
# another server may reach an instance late, numbered by when it was written).
resume_a=$(jq -rs '[.[][]] | (map(.created_at | sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601) | max) as $n
	| map(select((.created_at | sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601) <= $n - 600)) | max_by(.id) | .id' "$TMP/hanna.json")
expect_eq "fetch: rerun walks forward from 10 minutes before the newest status, once per instance" \
	"$(server_log | jq -r .path | sed 's/.*tag\///' | sort | tr '\n' ' ')" \
	"$(printf 'ichbinhanna?limit=40&min_id=%s\n' $((resume_a - 1000003)) $resume_a 114856169735898678 114856169736898681 | sort | tr '\n' ' ')"

# 3. New statuses on both instances (45: two forward pages) come in once.
"$PY" - "$TMP/hanna.json" "$TMP/add.json" <<'EOF'
import copy, json, sys, time
src = [s for line in open(sys.argv[1]) if line.strip() for s in json.loads(line)]
t = next(s for s in src if s["account"].get("discoverable") is not False and not s.get("in_reply_to_id"))
a, b = [], []
for i in range(45):
    s = copy.deepcopy(t)
    s["id"] = str(114900000000000000 + i * 65536)
    s["uri"] = "https://new.example/statuses/%d" % i
    s["url"] = s["uri"]
    s["created_at"] = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() - 600 + i))
    a.append(s)
    if i % 3 == 0:
        c = copy.deepcopy(s)
        c["id"] = str(int(s["id"]) - 1000003)
        b.append(c)
json.dump({"add": {"a": a, "b": b}}, open(sys.argv[2], "w"))
EOF
ctl_file "$TMP/add.json"
calm
"$CHATARC" --data "$D" fetch hanna -v >"$TMP/new.out" 2>&1
expect_eq "fetch: 45 new statuses on two instances are archived once" \
	"$(uris "$D" hanna | wc -l):$(uris "$D" hanna | uniq -d | wc -l)" "$(($(wc -l <"$TMP/want-consenting") + 45)):0"
expect_eq "fetch: forward paging followed Link rel=prev" \
	"$(server_log | jq -r 'select(.path | startswith("/a/")) | .path' | grep -c 'min_id=')" "3"
sort -u "$TMP/want-consenting" <(jq -r '.add.a[].uri' "$TMP/add.json") | sort >"$TMP/want-now"

# A status that reached instance a late: numbered (and written) 5 minutes
# before the newest one, so below the cursor. The next run still finds it.
jq -c '{add: {a: [.add.a[40] | .id = "114900000002621441" | .uri = "https://late.example/1"]}}' "$TMP/add.json" >"$TMP/late.json"
ctl_file "$TMP/late.json"
"$CHATARC" --data "$D" fetch hanna >/dev/null 2>&1
expect_eq "fetch: a status that federated late, below the cursor, is still fetched" "$(uris "$D" hanna | grep -c late.example)" "1"
echo "https://late.example/1" | sort - "$TMP/want-now" -o "$TMP/want-now"

# 4. allow_noindex keeps the opted-out authors.
D2="$TMP/noindex"
conf "$D2" ', "allow_noindex": true' '["a"]'
"$CHATARC" --data "$D2" fetch hanna --since 2020-01-01 --until 2025-07-18 >/dev/null 2>&1
expect_file_eq "fetch: allow_noindex keeps every author (and --until leaves out what came after)" <(uris "$D2" hanna) "$TMP/want-all"
expect_eq "fetch: --until keeps no cursor" "$(find "$D2/state" -name '*.json' | wc -l)" "0"

# 5. Faults: each run must end with exactly the recorded statuses.
fault_run() { # NAME FAULTS_JSON [EXPECTED_MIN_RETRY_GAP_S]
	local name="$1" dir="$TMP/fault"
	calm
	ctl "{\"faults\": $2}"
	conf "$dir" "" '["a"]'
	local start=$SECONDS
	"$CHATARC" --data "$dir" fetch hanna --since 2020-01-01 >"$TMP/fault.out" 2>&1
	local rc=$?
	expect_eq "fetch: $name: recovers, exit 0, archive exact" "$rc:$(uris "$dir" hanna | md5sum)" \
		"0:$(md5sum <"$TMP/want-now")"
	if [ -n "${3:-}" ]; then
		local gap
		gap=$(server_log | jq -s '[.[] | select(.path | startswith("/a/"))] | (.[1].t - .[0].t)')
		if awk -v g="$gap" -v w="$3" 'BEGIN {exit !(g >= w)}'; then ok "fetch: $name: waited $gap s before retrying"; else fail "fetch: $name: waited only $gap s, wanted $3"; fi
	fi
}
fault_run "429 with Retry-After seconds" '[{"match": "/a/", "kind": "429", "retry_after": 2, "times": 1}]' 1.9
fault_run "503 with Retry-After as an HTTP date" '[{"match": "/a/", "kind": "503", "retry_after": "date", "seconds": 3, "times": 1}]' 1.5
fault_run "two 500s" '[{"match": "/a/", "kind": "500", "times": 2}]'
fault_run "connection reset mid-body" '[{"match": "max_id", "kind": "reset", "times": 1}]'
fault_run "stalled body" '[{"match": "/a/", "kind": "stall", "seconds": 3, "times": 1}]'
fault_run "malformed JSON" '[{"match": "/a/", "kind": "malformed", "times": 1}]'
fault_run "HTML error page with status 200" '[{"match": "/a/", "kind": "html", "times": 1}]'
fault_run "a page cut before its first status, Content-Length matching" '[{"match": "max_id", "kind": "cut", "bytes": 200, "times": 1}]'

# A walk back whose second page always comes cut short before its first
# whole status (HTTP 200, the length matching the cut): never taken for an
# empty page, the end of the walk. The source
# fails (exit 3) after its retries, and the cursor stays where the walk was,
# so the next run walks on from there instead of never fetching older posts.
calm
ctl '{"faults": [{"match": "max_id", "kind": "cut", "bytes": 200, "times": 100}]}'
conf "$TMP/cut" "" '["a"]'
"$CHATARC" --data "$TMP/cut" fetch hanna --since 2020-01-01 >"$TMP/cut.out" 2>&1
expect_eq "fetch: a page that never parses fails the source (exit 3, says why)" \
	"$?:$(grep -c 'source a.*not what the API returns.*gave up after retrying' "$TMP/cut.out")" "3:1"
expect_eq "fetch: ... and the walk back is still under way in the cursor" \
	"$(jq -r '(.backfill_since // "none") + " " + ((.backfill_max_id // .max_id // "") | length > 0 | tostring)' "$TMP/cut/state/hanna/a/ichbinhanna.json")" \
	"2020-01-01T00:00:00.000Z true"
calm
"$CHATARC" --data "$TMP/cut" fetch hanna --since 2020-01-01 >/dev/null 2>&1
expect_eq "fetch: the next run walks on from there: archive exact" \
	"$?:$(uris "$TMP/cut" hanna | md5sum)" "0:$(md5sum <"$TMP/want-now")"

fault_run "a redirect to the same server" '[{"match": "/a/", "kind": "redirect", "times": 1}]'

# Servers that lie or stall. A Retry-After past year 9999 is waited for no
# longer than fetch.max_wait (it once overflowed); a server that drips 2
# bytes a second is cut off after stall_timeout (1 s here) below 100 bytes/s
# and the page is asked for again; a redirect to another origin is refused
# as a Link to one is; a walk back whose pages never go back stops.
calm
ctl '{"faults": [{"match": "/a/", "kind": "429", "retry_after": "99999999999999999999", "times": 1}]}'
conf "$TMP/forever" "" '["a"]'
"$CHATARC" --data "$TMP/forever" fetch hanna --since 2020-01-01 >"$TMP/forever.out" 2>&1
expect_eq "fetch: Retry-After: 99999999999999999999 gives up at once, saying so (exit 1: its one source, nothing fetched)" \
	"$?:$(grep -c 'source a.*more than fetch.max_wait' "$TMP/forever.out"):$(server_log | wc -l)" "1:1:1"
calm
ctl '{"faults": [{"match": "/a/", "kind": "drip", "seconds": 30, "times": 1}]}'
conf "$TMP/drip" "" '["a"]'
start=$SECONDS
"$CHATARC" --data "$TMP/drip" fetch hanna --since 2020-01-01 >"$TMP/drip.out" 2>&1
expect_eq "fetch: a server dripping 2 bytes/s is cut off and the page asked again: exit 0, archive exact" \
	"$?:$(uris "$TMP/drip" hanna | md5sum)" "0:$(md5sum <"$TMP/want-now")"
if [ $((SECONDS - start)) -lt 15 ]; then ok "fetch: ... within $((SECONDS - start)) s (the drip would last 30 s)"; else fail "fetch: the drip held the run $((SECONDS - start)) s"; fi
calm
ctl '{"faults": [{"match": "/a/", "kind": "redirect_foreign", "times": 1}]}'
conf "$TMP/redir" "" '["a"]'
"$CHATARC" --data "$TMP/redir" fetch hanna --since 2020-01-01 >"$TMP/redir.out" 2>&1
expect_eq "fetch: a redirect to another origin (localhost for 127.0.0.1) is refused, not followed (exit 1)" \
	"$?:$(grep -c 'source a.*redirect to another server refused' "$TMP/redir.out"):$(server_log | jq -r .path | grep -c redirected=1)" "1:1:0"
calm
ctl '{"faults": [{"match": "max_id", "kind": "stuck_link", "times": 1000}]}'
conf "$TMP/stuck" "" '["a"]'
timeout 60 "$CHATARC" --data "$TMP/stuck" fetch hanna --since 2020-01-01 >"$TMP/stuck.out" 2>&1
expect_eq "fetch: Links whose pages never go back are stopped (exit 3, 3 requests, not hundreds)" \
	"$?:$(grep -c 'source a.*does not go back' "$TMP/stuck.out"):$(server_log | wc -l)" "3:1:3"
# fetch.max_pages bounds one run; the saved cursor carries the walk on.
calm
conf "$TMP/paged" "" '["a"]' ', "max_pages": 3, "recheck_days": 0'
runs=0
while [ $runs -lt 6 ]; do
	runs=$((runs + 1))
	since=""
	[ $runs -eq 1 ] && since="--since 2020-01-01" # later runs: where the cursor says
	"$CHATARC" --data "$TMP/paged" fetch hanna $since >/dev/null 2>&1 || break
	[ $runs -eq 1 ] && first=$(uris "$TMP/paged" hanna | wc -l) && first_requests=$(server_log | wc -l)
	cmp -s <(uris "$TMP/paged" hanna) "$TMP/want-now" && break
done
expect_eq "fetch: max_pages 3 reads 3 pages in the first run ($first of $(wc -l <"$TMP/want-now") posts), the next run ends the walk" \
	"$first_requests $((first < $(wc -l <"$TMP/want-now"))) $runs $(uris "$TMP/paged" hanna | md5sum)" "3 1 2 $(md5sum <"$TMP/want-now")"

# A page that spends the rate limit holds the next request until the reset.
calm
ctl '{"faults": [{"match": "/a/", "kind": "exhausted", "reset_in": 2, "times": 1}]}'
conf "$TMP/paced" "" '["a"]'
"$CHATARC" --data "$TMP/paced" fetch hanna --since 2020-01-01 >/dev/null 2>&1
gap=$(server_log | jq -s '[.[] | select(.path | startswith("/a/"))] | (.[1].t - .[0].t)')
if awk -v g="$gap" 'BEGIN {exit !(g >= 1.0)}'; then ok "fetch: X-RateLimit-Remaining 0 holds the next request until the reset ($gap s)"; else fail "fetch: X-RateLimit-Remaining 0: next request after only $gap s"; fi
expect_file_eq "fetch: paced run still archives everything" <(uris "$TMP/paced" hanna) "$TMP/want-now"

# A Link to another host is refused, not followed (what came is kept).
calm
ctl '{"faults": [{"match": "/a/", "kind": "foreign_link", "times": 1}]}'
conf "$TMP/foreign" "" '["a"]'
"$CHATARC" --data "$TMP/foreign" fetch hanna --since 2020-01-01 >"$TMP/foreign.out" 2>&1
expect_eq "fetch: a Link to another server is refused (exit 3, said), the page read is kept" \
	"$?:$(grep -c "source a.*Link header points to another server" "$TMP/foreign.out"):$(uris "$TMP/foreign" hanna | wc -l)" \
	"3:1:40" # page 1 holds the 40 newest statuses (those added above, all consenting)

# --source: only that source is asked.
calm
conf "$TMP/one" "" '["a", "b"]'
"$CHATARC" --data "$TMP/one" fetch hanna --source b --since 2020-01-01 >/dev/null 2>&1
expect_eq "fetch: --source b asks only b" "$(server_log | jq -r .path | cut -d/ -f2 | sort -u)" "b"

# 404: an unused tag on some Mastodon versions is nothing to read; another 404 is a wrong url.
calm
conf "$TMP/404" "" '["nope"]'
"$CHATARC" --data "$TMP/404" fetch hanna >"$TMP/404.out" 2>&1
expect_eq "fetch: 404 Record not found is an empty tag (exit 0)" "$?" "0"
sed -i "s|$BASE/nope|$BASE/not/an/instance|" "$TMP/404/chatarc.conf"
"$CHATARC" --data "$TMP/404" fetch hanna >"$TMP/404.out" 2>&1
expect_eq "fetch: any other 404 fails the source and asks about its url (exit 1: the only source)" \
	"$?:$(grep -c "source nope.*HTTP 404.*is the source's url" "$TMP/404.out")" "1:1"

# 6. A source that keeps failing: named, exit 3, the others archived, its cursor untouched.
calm
ctl '{"faults": [{"match": "/a/", "kind": "500", "times": 100}]}'
D3="$TMP/down"
conf "$D3" "" '["a", "b"]'
"$CHATARC" --data "$D3" fetch hanna --since 2020-01-01 >"$TMP/down.out" 2>&1
rc=$?
expect_eq "fetch: one source down exits 3" "$rc" "3"
check "fetch: the error names the source and the reason" grep -q "source a (#ichbinhanna): HTTP 500.*gave up after retrying" "$TMP/down.out"
# Instance b holds the newest two thirds of the recording (53 of 80) and 15 added.
b_consenting=$(jq -s '[.[][]] | .[0:53] | map(select(.account.noindex != true and .account.discoverable != false)) | length' "$TMP/hanna.json")
expect_eq "fetch: the other instance's statuses are archived" "$(uris "$D3" hanna | wc -l)" \
	"$((b_consenting + $(jq '.add.b | length' "$TMP/add.json")))"
expect_eq "fetch: retries back off (no more than 1 + retries requests)" \
	"$(server_log | jq -r 'select(.path | startswith("/a/")) | .path' | wc -l)" "4"
expect_eq "fetch: the failed source's cursor still says where to walk back to, and nothing more" \
	"$(jq -c . "$D3/state/hanna/a/ichbinhanna.json")" '{"version":1,"backfill_since":"2020-01-01T00:00:00.000Z"}'

# Waiting between retries sleeps: a source that keeps failing, with a
# second of back-off, costs almost no CPU while it waits.
calm
ctl '{"faults": [{"match": "/a/", "kind": "500", "times": 100}]}'
conf "$TMP/backoff" "" '["a"]'
sed -i 's/"backoff_base_ms": 100, "backoff_max_ms": 2000/"backoff_base_ms": 1500, "backoff_max_ms": 3000/' "$TMP/backoff/chatarc.conf"
/usr/bin/time -f '%e %U %S' -o "$TMP/backoff.time" "$CHATARC" --data "$TMP/backoff" fetch hanna --since 2020-01-01 >/dev/null 2>&1
read -r wall user sys < <(tail -n 1 "$TMP/backoff.time")
if awk -v w="$wall" -v u="$user" -v s="$sys" 'BEGIN { exit !(w >= 1.5 && (u + s) < 0.05 * w) }'; then
	ok "fetch: back-off sleeps: $user s user + $sys s system over $wall s of retries (under 5%)"
else
	fail "fetch: back-off burns CPU: $user s user + $sys s system over $wall s"
fi

# Every source failing is a failure (exit 1), not a partial run (3).
calm
ctl '{"faults": [{"match": "/a/", "kind": "500", "times": 100}]}'
conf "$TMP/alldown" "" '["a"]'
"$CHATARC" --data "$TMP/alldown" fetch hanna --since 2020-01-01 >"$TMP/alldown.out" 2>&1
expect_eq "fetch: when every source fails, exit 1 and say nothing was fetched" \
	"$?:$(grep -c 'every source failed (said above); nothing was fetched' "$TMP/alldown.out")" "1:1"

# 7. Credentials: a Mastodon server that wants a token; Bluesky's AppView without a session.
calm
ctl '{"faults": [{"match": "/a/", "kind": "401", "times": 5}]}'
conf "$D3" "" '["a"]'
"$CHATARC" --data "$D3" fetch hanna >"$TMP/401.out" 2>&1
expect_eq "fetch: 401 on the only source exits 1" "$?" "1"
check "fetch: 401 says a token is needed and where it goes" grep -q 'source a.*HTTP 401.*token_env' "$TMP/401.out"
expect_eq "fetch: a 401 is not retried" "$(server_log | jq -r .path | wc -l)" "1"
# With a token (from a file named in the config), every request carries it.
calm
conf "$D3" "" '["a"]'
sed -i 's|"url": "'"$BASE"'/a"}|"url": "'"$BASE"'/a", "token_file": "secrets/a-token"}|' "$D3/chatarc.conf"
mkdir -p "$D3/secrets" && echo "tok-SECRET-42" >"$D3/secrets/a-token"
"$CHATARC" --data "$D3" fetch hanna -v >"$TMP/token.out" 2>&1
expect_eq "fetch: a token_file's token goes in every request as a Bearer, and is never printed" \
	"$?:$(server_log | jq -r .auth | sort -u):$(grep -c tok-SECRET "$TMP/token.out")" "0:Bearer :0"
# Only the first line of a token file is the token: a second line cannot
# smuggle a header into the request.
calm
printf 'tok-SECRET-42  \nX-Injected: yes\n' >"$D3/secrets/a-token"
"$CHATARC" --data "$D3" fetch hanna >"$TMP/token.out" 2>&1
expect_eq "fetch: a token file's second line never reaches the server as a header" \
	"$?:$(server_log | jq -r .injected | sort -u):$(server_log | jq -r .auth | sort -u)" "0::Bearer "
sed -i 's|"token_file": "secrets/a-token"|"token_env": "X_TOKEN"|' "$D3/chatarc.conf"
X_TOKEN=$'tok\r\nX-Injected: yes' "$CHATARC" --data "$D3" fetch hanna >"$TMP/token.out" 2>&1
expect_eq "fetch: a token variable with a line break is refused, not sent" \
	"$?:$(grep -c 'sources.a: \$X_TOKEN holds a control character' "$TMP/token.out")" "1:1"
# Where a token file may be: inside DIR, or a file of the user's own that
# only they can read; not ../../etc/shadow.
sed -i 's|"token_env": "X_TOKEN"|"token_file": "../../../../../etc/passwd"|' "$D3/chatarc.conf"
"$CHATARC" --data "$D3" fetch hanna >"$TMP/token.out" 2>&1
expect_eq "fetch: a token_file that climbs out of the data directory is refused" \
	"$?:$(grep -c 'sources.a: its access token file ../../../../../etc/passwd leads out of the data directory' "$TMP/token.out")" "1:1"
ln -s /etc/passwd "$D3/secrets/link"
sed -i 's|"token_file": "../../../../../etc/passwd"|"token_file": "secrets/link"|' "$D3/chatarc.conf"
"$CHATARC" --data "$D3" fetch hanna >"$TMP/token.out" 2>&1
expect_eq "fetch: ... and so is one that leaves through a symlink" "$?:$(grep -c 'leads out of the data directory' "$TMP/token.out")" "1:1"
echo "tok-SECRET-42" >"$TMP/abs-token" && chmod 644 "$TMP/abs-token"
sed -i 's|"token_file": "secrets/link"|"token_file": "'"$TMP"'/abs-token"|' "$D3/chatarc.conf"
"$CHATARC" --data "$D3" fetch hanna >"$TMP/token.out" 2>&1
expect_eq "fetch: an absolute token_file others can read is refused, saying chmod 600" \
	"$?:$(grep -c 'only you can read (chmod 600' "$TMP/token.out")" "1:1"
chmod 600 "$TMP/abs-token"
calm
"$CHATARC" --data "$D3" fetch hanna >"$TMP/token.out" 2>&1
expect_eq "fetch: ... and accepted once it is 0600" "$?:$(server_log | jq -r .auth | sort -u)" "0:Bearer "
sed -i 's|"token_file": "'"$TMP"'/abs-token"|"token_file": "secrets/a-token"|' "$D3/chatarc.conf"
rm "$D3/secrets/a-token"
"$CHATARC" --data "$D3" fetch hanna >"$TMP/token.out" 2>&1
expect_eq "fetch: a missing token file is a config error that names it" \
	"$?:$(grep -c "sources.a: cannot read its access token: $D3/secrets/a-token: cannot read: No such file" "$TMP/token.out")" "1:1"
calm
conf "$D3" "" '["anon"]'
"$CHATARC" --data "$D3" fetch hanna >"$TMP/403.out" 2>&1
check "fetch: Bluesky's 403 says to sign in with an app password" grep -q 'source anon.*HTTP 403.*identifier.*password_env' "$TMP/403.out"
BSKY_PW=wrong "$CHATARC" --data "$D3" fetch red >"$TMP/badpw.out" 2>&1
expect_eq "fetch: a wrong app password exits 1 and says so" \
	"$?:$(grep -c 'sign-in as chatarc-test.bsky.social refused with HTTP 401' "$TMP/badpw.out")" "1:1"
check "fetch: the password is never printed" bash -c "! grep -q wrong '$TMP/badpw.out'"

# 8. Bluesky: session, expired access token, refresh, cursor paging.
calm
ctl '{"token_uses": 1, "bsky_max_limit": 10}'
D4="$TMP/bsky"
conf "$D4" "" '[]'
"$CHATARC" --data "$D4" fetch red --since 2020-01-01 -v >"$TMP/bsky.out" 2>&1
expect_eq "fetch: Bluesky through expiring tokens exits 0" "$?" "0"
expect_file_eq "fetch: Bluesky posts archived, the opted-out author left out" <(uris "$D4" red) "$TMP/want-bsky"
expect_eq "fetch: Bluesky signed in once and refreshed on ExpiredToken" \
	"$(server_log | jq -r 'select(.path | startswith("/xrpc/com.atproto")) | .path' | sed 's/.*server\.//' | sort | uniq -c | awk '{printf "%s %s; ", $1, $2}')" \
	"1 createSession; 2 refreshSession; "
expect_eq "fetch: Bluesky paged with the cursor" \
	"$(server_log | jq -r 'select(.status == 200 and (.path | contains("searchPosts"))) | .path' | grep -o 'cursor=[0-9]*' | tr '\n' ' ')" \
	"cursor=10 cursor=20 "
check "fetch: tokens never appear in the verbose log" bash -c "! grep -q -e access- -e refresh- -e app-pass '$TMP/bsky.out'"
expect_eq "fetch: the Bluesky cursor records the window done" \
	"$(jq -r 'keys | join(",")' "$D4/state/red/bsky/redistricting.json")" "done_until,rechecked_at,version"
# The session outlives the run (createSession is rate-limited), private to its owner.
SESSION="$D4/state/.sessions/bsky.json"
expect_eq "fetch: the Bluesky session is kept, readable by its owner only, without the password" \
	"$(stat -c %a "$SESSION"):$(jq -r 'keys | join(",")' "$SESSION"):$(grep -c app-pass "$SESSION")" \
	"600:accessJwt,identifier,refreshJwt:0"
ctl '{"clear_log": true}'
"$CHATARC" --data "$D4" fetch red >/dev/null 2>&1
expect_eq "fetch: the next run uses the kept session (refreshing it), no new sign-in" \
	"$?:$(server_log | jq -r .path | grep -c createSession):$(server_log | jq -r .path | grep -c refreshSession)" "0:0:1"
jq '.accessJwt = "stale" | .refreshJwt = "stale"' "$SESSION" >"$SESSION.new" && mv "$SESSION.new" "$SESSION"
ctl '{"clear_log": true}'
"$CHATARC" --data "$D4" fetch red >/dev/null 2>&1
expect_eq "fetch: a kept session the server no longer knows: refresh refused, sign in again" \
	"$?:$(server_log | jq -r .path | grep -c createSession)" "0:1"

# 9. SIGKILL at any moment, then a re-run: nothing lost, nothing twice.
calm
ctl '{"latency_ms": 120, "bsky_max_limit": 5}'
D5="$TMP/kill"
for delay in 0.15 0.4 0.7 1.0; do
	conf "$D5" "" '["a", "b"]'
	"$CHATARC" --data "$D5" fetch --since 2020-01-01 >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	"$CHATARC" --data "$D5" fetch >/dev/null 2>&1
	rc=$?
	got="$rc:$(uris "$D5" hanna | md5sum):$(uris "$D5" red | md5sum)"
	want="0:$(md5sum <"$TMP/want-now"):$(md5sum <"$TMP/want-bsky")"
	expect_eq "fetch: SIGKILL after ${delay}s, then a re-run: archive exact" "$got" "$want"
done

# 10. Two fetches of one chat at once: the second says so and leaves it.
calm
ctl '{"latency_ms": 300}'
conf "$D5" "" '["a", "b"]'
"$CHATARC" --data "$D5" fetch hanna --since 2020-01-01 >"$TMP/first.out" 2>&1 &
pid=$!
# The first holds its lock once its first request is out (pages take 300 ms each).
for _ in $(seq 100); do [ -n "$(server_log)" ] && break; sleep 0.05; done
"$CHATARC" --data "$D5" fetch hanna >"$TMP/second.out" 2>&1
rc2=$?
wait $pid
rc1=$?
expect_eq "fetch: concurrent runs (overlapping cron jobs): the first finishes, the second exits 0 and says nothing without a terminal" \
	"$rc1:$rc2:$(wc -c <"$TMP/second.out")" "0:0:0"
"$CHATARC" --data "$D5" fetch hanna --since 2020-01-01 >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do [ -n "$(server_log)" ] && break; sleep 0.05; done
"$CHATARC" --data "$D5" fetch hanna -v >"$TMP/second.out" 2>&1
wait $pid
check "fetch: with --verbose the second run says another fetch is running" grep -q 'another `chatarc fetch` of this chat is running' "$TMP/second.out"
expect_file_eq "fetch: concurrent runs leave the archive exact" <(uris "$D5" hanna) "$TMP/want-now"

# 11. --follow polls until SIGTERM, and keeps what came in between.
calm
D6="$TMP/follow"
conf "$D6" "" '["a"]'
"$CHATARC" --data "$D6" fetch hanna --since 2020-01-01 --follow >"$TMP/follow.out" 2>&1 &
pid=$!
# Events, not times: the first round has archived something before the
# new status is posted, and the follow is stopped once it has it.
for _ in $(seq 600); do [ "$(uris "$D6" hanna 2>/dev/null | wc -l)" -gt 0 ] && break; sleep 0.05; done
"$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = dict(d["add"]["a"][0]); s["id"] = "114999999999999999"; s["uri"] = "https://new.example/statuses/follow"
print(json.dumps({"add": {"a": [s]}}))' "$TMP/add.json" >"$TMP/add1.json"
ctl_file "$TMP/add1.json"
timeout 20 "$CHATARC" --data "$D6" import --chat hanna "$TMP/hanna.json" >/dev/null 2>&1
rc=$?
# (an event, not a time: the import ended while --follow still ran, so it
# never waited for the follow to end)
expect_eq "fetch: an import goes in while --follow runs (archive locked only during a round)" \
	"$rc:$(kill -0 $pid 2>/dev/null && echo running)" "0:running"
for _ in $(seq 600); do uris "$D6" hanna 2>/dev/null | grep -q 'statuses/follow' && break; sleep 0.05; done
kill -TERM $pid
wait $pid
expect_eq "fetch: --follow exits 0 on SIGTERM" "$?" "0"
expect_eq "fetch: --follow picked up a status posted while it ran" \
	"$(uris "$D6" hanna | grep -c 'statuses/follow')" "1"
expect_eq "fetch: --follow polled more than once" \
	"$(server_log | jq -r 'select(.path | contains("min_id")) | .path' | wc -l | awk '{print ($1 >= 2)}')" "1"

# 12. Usage and config errors.
conf "$D6" "" '["a"]'
"$CHATARC" --data "$D6" fetch --follow --until 2025-01-01 >/dev/null 2>&1
expect_eq "fetch: --follow with --until is a usage error" "$?" "2"
"$CHATARC" --data "$D6" fetch nosuchchat >"$TMP/nochat.out" 2>&1
expect_eq "fetch: an unknown chat exits 1 and names it" "$?:$(grep -c 'no chat "nosuchchat"' "$TMP/nochat.out")" "1:1"
sed -i 's/"password_env": "BSKY_PW"/"password": "hunter2"/' "$D6/chatarc.conf"
"$CHATARC" --data "$D6" fetch >"$TMP/conf.out" 2>&1
expect_eq "fetch: a password in the config is refused" "$?:$(grep -c 'sources.bsky.password: unknown setting' "$TMP/conf.out")" "1:1"
conf "$D6" "" '["a"]' ', "connect_timeout": 0'
"$CHATARC" --data "$D6" fetch >"$TMP/conf.out" 2>&1
expect_eq "fetch: a fetch setting out of range names it and its line" \
	"$?:$(grep -c 'chatarc.conf:[0-9]*: fetch.connect_timeout: expected a whole number from 1 to 600' "$TMP/conf.out")" "1:1"
sed -i 's/"url": "[^"]*\/a"}/"url": "http:\/\/127.0.0.1:1\/a", "identifier": "me"}/' "$D6/chatarc.conf"
sed -i "s/, \"connect_timeout\": 0//" "$D6/chatarc.conf"
"$CHATARC" --data "$D6" fetch >"$TMP/conf.out" 2>&1
expect_eq "fetch: a Mastodon source with Bluesky credentials is told what it takes" \
	"$?:$(grep -c 'sources.a: a Mastodon source signs in with "token_env"' "$TMP/conf.out")" "1:1"

# On a terminal: a progress line per source, then the summary.
calm
conf "$TMP/tty" "" '["a", "b"]'
script -qec "'$CHATARC' --data '$TMP/tty' fetch hanna --since 2020-01-01" /dev/null | tr '\r' '\n' >"$TMP/tty.out"
expect_eq "fetch: on a terminal, each source's progress line ends up to date" \
	"$(grep -c -E '^hanna (a|b) #ichbinhanna: [0-9]+ pages, [0-9]+ new, up to date' "$TMP/tty.out" | awk '{print ($1 >= 2)}')" "1"
expect_eq "fetch: on a terminal, a summary line per source" \
	"$(grep -c -E '^hanna (a|b) #ichbinhanna: [0-9]+ new, [0-9]+ duplicate, [0-9]+ updated, [0-9]+ skipped for consent, 0 forgotten, 0 boosts counted, 0 errors' "$TMP/tty.out")" "2"

test_done
