#!/usr/bin/env bash
# chatarc fetch --follow on push: Mastodon's streaming API (server-sent
# events) from tests/fake-social.py, which posts the real #ichbinhanna
# statuses again at their own pace squeezed into seconds (a replay), and
# drops, silences, garbles and refuses its streams on request.
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
M="$FIXTURES/mastodon"

start_fake_social --jetstream-port-file "$TMP/jport"
for _ in $(seq 100); do [ -s "$TMP/jport" ] && break; sleep 0.05; done
JET="ws://127.0.0.1:$(cat "$TMP/jport")"
server_log() { curl -s "$BASE/_log"; }
streams() { server_log | jq -r 'select(.path | contains("/streaming/")) | .t'; }
uris() { "$CHATARC" --data "$1" export hanna --format json | jq -r .uri | sort; }
pushed() { grep -o '[0-9]* pushed' "$1" | awk '{s += $1} END {print s + 0}'; }
replayed() { curl -s "$BASE/_sent" | jq -r '.replaying'; }

# conf DIR SOURCE [SOURCE_EXTRA] [FETCH_EXTRA]
conf() {
	rm -rf "$1" && mkdir -p "$1"
	cat >"$1/chatarc.conf" <<EOF
{"chats": {"hanna": {"tags": ["IchbinHanna"], "sources": ["$2"]}},
 "sources": {"$2": {"type": "mastodon", "url": "$BASE/$2" ${3:-}}},
 "fetch": {"backoff_base_ms": 100, "backoff_max_ms": 1000, "stall_timeout": 2, "retries": 3,
           "follow_interval": 1, "stream_silence": 2 ${4:-}}}
EOF
}

# What the replay must leave: every status of the recording whose author
# did not opt out (as T15 reads them).
for f in rtoot_ichbinhanna_page1.http rtoot_ichbinhanna_page2.http; do http_body "$M/$f"; echo; done >"$TMP/hanna.json"
ID='def id: .uri | sub("^https://bsky.brid.gy/convert/ap/"; "");'
jq -r "$ID"'.[] | select(.account.noindex != true and .account.discoverable != false) | id' "$TMP/hanna.json" | sort -u >"$TMP/want"
total=$(jq -s '[.[][]] | length' "$TMP/hanna.json")

# wait_for CMD...: up to 30 s for CMD to succeed (an event, not a time).
wait_for() { for _ in $(seq 600); do "$@" && return 0; sleep 0.05; done; return 1; }
archived_all() { [ "$(uris "$1" 2>/dev/null | wc -l)" -eq "$(wc -l <"$TMP/want")" ]; }
replay_done() { [ "$(replayed)" = false ] && [ "$(curl -s "$BASE/_sent" | jq '.sent | length')" -ge "$2" ]; }

# 1. A replay across three dropped streams, a garbled one and a 503 on
# reconnect: every post archived exactly once, most of them pushed, the
# gaps filled by the walk each reconnect starts.
ctl '{"heartbeat_s": 0.3, "clear_log": true, "add": {"r1": []},
      "faults": [{"match": "/r1/api/v1/streaming", "kind": "drop", "after": 8, "times": 3},
                 {"match": "/r1/api/v1/streaming", "kind": "503", "times": 1},
                 {"match": "/r1/api/v1/streaming", "kind": "garbage", "after": 5, "times": 1}]}'
D="$TMP/drops"
conf "$D" r1
"$CHATARC" --data "$D" fetch hanna --follow -v >"$TMP/drops.out" 2>"$TMP/drops.err" &
pid=$!
wait_for grep -q 'streaming from' "$TMP/drops.err"
ctl '{"replay": {"prefix": "r1", "from": "a", "duration": 8}}'
wait_for replay_done x "$total"
wait_for archived_all "$D"
kill -TERM $pid
wait $pid
expect_eq "live: --follow exits 0 on SIGTERM" "$?" "0"
expect_file_eq "live: every replayed post archived once across 3 drops, garbage and a 503" <(uris "$D") "$TMP/want"
expect_eq "live: no uri twice in the archive" "$(uris "$D" | uniq -d | wc -l)" "0"
expect_eq "live: the stream was opened six times (first, 3 drops, garbage, 503)" \
	"$(server_log | jq -r 'select(.path | contains("/r1/api/v1/streaming")) | .status' | sort | uniq -c | awk '{printf "%s:%s ", $2, $1}')" "200:5 503:1 "
pushed_n=$(pushed "$TMP/drops.out")
expect_eq "live: posts came pushed (more than half), the rest by the gap walks" \
	"$(awk -v p="$pushed_n" -v w="$(wc -l <"$TMP/want")" 'BEGIN {print (p > w / 2 && p <= w)}')" "1"
expect_eq "live: each open stream started a walk for the gap" \
	"$(server_log | jq -r 'select(.path | contains("/r1/api/v1/timelines")) | .path' | wc -l | awk '{print ($1 >= 6)}')" "1"
check "live: garbage on the stream is said and the stream reopened" grep -q 'what no Mastodon stream sends' "$TMP/drops.err"

# 2. A stream silent past fetch.stream_silence (no heartbeat) is dropped
# and reopened within that window, and what is posted then comes pushed.
ctl '{"heartbeat_s": 0.3, "clear_log": true, "add": {"r2": []},
      "faults": [{"match": "/r2/api/v1/streaming", "kind": "silent", "seconds": 60, "times": 1}]}'
D="$TMP/silent"
conf "$D" r2
"$CHATARC" --data "$D" fetch hanna --follow -v >"$TMP/silent.out" 2>"$TMP/silent.err" &
pid=$!
two_streams() { [ "$(streams | wc -l)" -ge 2 ]; }
wait_for two_streams
gap=$(streams | head -2 | awk 'NR == 1 {a = $1} NR == 2 {print $1 - a}')
expect_eq "live: a silent stream is reopened within its window (2 s; took ${gap} s)" \
	"$(awk -v g="$gap" 'BEGIN {print (g >= 1.9 && g < 6)}')" "1"
check "live: the silence is said" grep -q 'silent 2 s (no heartbeat); reopening' "$TMP/silent.err"
ctl '{"replay": {"prefix": "r2", "from": "a", "duration": 2}}'
wait_for archived_all "$D"
kill -TERM $pid
wait $pid
expect_file_eq "live: after the silence the replay is archived" <(uris "$D") "$TMP/want"

# 3. Delete and edit events. A delete is a suspect proved gone at its home
# (GET the status alone: 404) before it leaves; a delete event for a
# status the server still has (a lying server) removes nothing; an edit
# replaces the text.
D="$TMP/events"
conf "$D" r1
"$CHATARC" --data "$D" fetch hanna --follow -v >"$TMP/events.out" 2>"$TMP/events.err" &
pid=$!
wait_for archived_all "$D"
wait_for grep -q 'streaming from' "$TMP/events.err"
local_ids=$(jq -r '.[] | select(.account.acct | contains("@") | not) | select(.account.noindex != true and .account.discoverable != false) | .id' "$TMP/hanna.json" | head -3)
del=$(echo "$local_ids" | sed -n 1p)
lie=$(echo "$local_ids" | sed -n 2p)
edit=$(echo "$local_ids" | sed -n 3p)
del_uri=$(jq -r --arg i "$del" '.[] | select(.id == $i) | .uri' "$TMP/hanna.json")
lie_uri=$(jq -r --arg i "$lie" '.[] | select(.id == $i) | .uri' "$TMP/hanna.json")
edit_uri=$(jq -r --arg i "$edit" '.[] | select(.id == $i) | .uri' "$TMP/hanna.json")
ctl "{\"lie_delete\": {\"r1\": [\"$lie\"]}, \"delete\": {\"r1\": [\"$del\"]}, \"announce\": true,
      \"edit\": {\"r1\": {\"$edit\": {\"content\": \"<p>edited live #IchbinHanna</p>\", \"edited_at\": \"2030-01-01T00:00:00.000Z\"}}}}"
ctl '{"lie_delete": {"r1": ["999999999"]}}'
gone() { ! uris "$D" | grep -qxF "$del_uri"; }
edited() { "$CHATARC" --data "$D" export hanna --format json | jq -r --arg u "$edit_uri" 'select(.uri == $u) | .text' | grep -q 'edited live'; }
wait_for gone
wait_for edited
# (the lie was asked about before the true delete's check ended: both
# were named in one check of the archive)
asked_lie=$(server_log | jq -r 'select(.path == "/r1/api/v1/statuses/'"$lie"'") | .status')
kill -TERM $pid
wait $pid
expect_eq "live: a delete event proved at home removes the post" "$(uris "$D" | grep -cxF "$del_uri")" "0"
expect_eq "live: a delete event for a post its home still has removes nothing" \
	"$asked_lie:$(uris "$D" | grep -cxF "$lie_uri")" "200:1"
expect_eq "live: a delete event for a status this run never archived asks nothing" \
	"$(server_log | jq -r .path | grep -c '/statuses/999999999')" "0"
expect_eq "live: status.update replaces the text" \
	"$("$CHATARC" --data "$D" export hanna --format json | jq -r --arg u "$edit_uri" 'select(.uri == $u) | .text')" "edited live #IchbinHanna"
expect_eq "live: a deletion is not a takedown (nothing remembered as forgotten)" \
	"$(cat "$D/forgotten"* 2>/dev/null | wc -c)" "0"

# 4. kill -9 mid-stream, then --follow again: nothing lost, nothing doubled.
ctl '{"heartbeat_s": 0.3, "clear_log": true, "add": {"r4": []}, "faults": []}'
D="$TMP/kill"
conf "$D" r4
"$CHATARC" --data "$D" fetch hanna --follow -v >/dev/null 2>"$TMP/kill.err" &
pid=$!
wait_for grep -q 'streaming from' "$TMP/kill.err"
ctl '{"replay": {"prefix": "r4", "from": "a", "duration": 6}}'
half() { [ "$(uris "$D" 2>/dev/null | wc -l)" -ge 20 ]; }
wait_for half
kill -KILL $pid
wait $pid 2>/dev/null
before=$(uris "$D" | wc -l)
"$CHATARC" --data "$D" fetch hanna --follow -v >"$TMP/kill2.out" 2>"$TMP/kill2.err" &
pid=$!
wait_for replay_done x "$total"
wait_for archived_all "$D"
kill -TERM $pid
wait $pid
expect_eq "live: killed mid-stream, then --follow again: exit 0" "$?" "0"
expect_file_eq "live: after kill -9 and a new --follow nothing is lost" <(uris "$D") "$TMP/want"
expect_eq "live: ... and nothing doubled (killed with $before archived)" "$(uris "$D" | uniq -d | wc -l)" "0"

# 5. No push: "stream": false polls, said once; an instance without a
# streaming API (404) or wanting a token (401, Mastodon 4.2+) falls back
# to polling, said once, and its posts still come.
ctl '{"clear_log": true, "add": {"r5": []}, "faults": [{"match": "/r5/api/v1/streaming", "kind": "401", "times": 1}]}'
D="$TMP/nopush"
conf "$D" r5
"$CHATARC" --data "$D" fetch hanna --follow -v >"$TMP/nopush.out" 2>"$TMP/nopush.err" &
pid=$!
wait_for grep -q 'polling every' "$TMP/nopush.err"
ctl '{"replay": {"prefix": "r5", "from": "a", "duration": 2}}'
wait_for archived_all "$D"
kill -TERM $pid
wait $pid
expect_file_eq "live: a source refusing its stream is polled, nothing lost" <(uris "$D") "$TMP/want"
expect_eq "live: the fallback is said once, naming the token" \
	"$(grep -c 'polling every 1 s instead' "$TMP/nopush.err"):$(grep -c 'wants an access token' "$TMP/nopush.err")" "1:1"
expect_eq "live: no stream asked for again after the fallback" "$(streams | wc -l)" "1"
expect_eq "live: polling says 0 pushed" "$(pushed "$TMP/nopush.out")" "0"

# A 200 that is no event stream (a proxy's HTML page) is polled instead.
ctl '{"clear_log": true, "add": {"r5h": []}, "faults": [{"match": "/r5h/api/v1/streaming", "kind": "html", "times": 1}]}'
D="$TMP/html"
conf "$D" r5h
"$CHATARC" --data "$D" fetch hanna --follow -v >/dev/null 2>"$TMP/html.err" &
pid=$!
wait_for grep -q 'polling every' "$TMP/html.err"
kill -TERM $pid
wait $pid
check "live: a stream answered with an HTML page is polled, saying why" \
	grep -q 'r5h: the streaming API answered text/html; charset=utf-8, not text/event-stream; polling every 1 s instead' "$TMP/html.err"

D="$TMP/off"
conf "$D" r5 ', "stream": false'
ctl '{"clear_log": true}'
timeout 20 "$CHATARC" --data "$D" fetch hanna --follow -v >"$TMP/off.out" 2>"$TMP/off.err" &
pid=$!
wait_for grep -q 'polling every' "$TMP/off.err"
kill -TERM $pid
wait $pid
expect_eq "live: \"stream\": false never opens a stream and says so once" \
	"$(streams | wc -l):$(grep -c '"stream": false; polling' "$TMP/off.err")" "0:1"

ctl '{"clear_log": true, "faults": [{"match": "/r5/api/v1/streaming", "kind": "404", "times": 1}]}'
D="$TMP/nostream"
conf "$D" r5
"$CHATARC" --data "$D" fetch hanna --follow >"$TMP/ns.out" 2>"$TMP/ns.err" </dev/null &
pid=$!
wait_for archived_all "$D"
ns_stream_asked() { [ "$(streams | wc -l)" -ge 1 ]; }
wait_for ns_stream_asked
kill -TERM $pid
wait $pid
expect_eq "live: without a terminal or --verbose the fallback is quiet" "$(cat "$TMP/ns.err")" ""

# 6. Bluesky's Jetstream: one WebSocket for the source, the whole
# network's posts going by (ten a second of others here), the chat's
# taken by their tag and asked for whole (app.bsky.feed.getPosts). The
# replay takes the tag's real posts out of the AppView and posts them
# again, so the first walk finds none: each must come by Jetstream.
export BSKY_PW=app-pass-1234
B="$FIXTURES/bluesky"
http_body "$B/bskyr_searchPosts_redistricting.http" >"$TMP/bsky.json"
jq -r '.posts[] | select([.author.labels[]?.val] | index("!no-unauthenticated") | not) | .uri' "$TMP/bsky.json" | sort >"$TMP/want-bsky"
bconf() {
	rm -rf "$1" && mkdir -p "$1"
	cat >"$1/chatarc.conf" <<JSON
{"chats": {"red": {"tags": ["redistricting"], "sources": ["bsky"]}},
 "sources": {"bsky": {"type": "bluesky", "url": "$BASE", "identifier": "chatarc-test.bsky.social",
                      "password_env": "BSKY_PW", "stream": "$JET"}},
 "fetch": {"backoff_base_ms": 100, "backoff_max_ms": 1000, "stall_timeout": 2, "retries": 3,
           "follow_interval": 1, "stream_silence": 2 ${2:-}}}
JSON
}
buris() { "$CHATARC" --data "$1" export red --format json | jq -r .uri | sort; }
bsky_all() { [ "$(buris "$1" 2>/dev/null | wc -l)" -eq "$(wc -l <"$TMP/want-bsky")" ]; }
jet_opens() { server_log | jq -r 'select(.method == "WS") | .status' | sort | uniq -c | awk '{printf "%s:%s ", $2, $1}'; }

ctl '{"clear_log": true, "faults": [{"match": "/subscribe", "kind": "drop", "after": 4, "times": 3},
                                     {"match": "/subscribe", "kind": "503", "times": 1},
                                     {"match": "/subscribe", "kind": "garbage", "after": 2, "times": 1}]}'
D="$TMP/jet"
bconf "$D"
ctl '{"bsky_replay": {"tag": "redistricting", "duration": 5}}'
"$CHATARC" --data "$D" fetch red --follow -v >"$TMP/jet.out" 2>"$TMP/jet.err" &
pid=$!
wait_for replay_done x 25
wait_for bsky_all "$D"
kill -TERM $pid
wait $pid
expect_eq "jetstream: --follow exits 0 on SIGTERM" "$?" "0"
expect_file_eq "jetstream: every replayed post archived once across 3 drops, garbage and a 503" <(buris "$D") "$TMP/want-bsky"
expect_eq "jetstream: connections (3 dropped, 1 refused, the last garbled and kept)" "$(jet_opens)" "101:4 503:1 "
expect_eq "jetstream: every post came pushed (the first walk found none)" \
	"$(awk -v p="$(pushed "$TMP/jet.out")" -v w="$(wc -l <"$TMP/want-bsky")" 'BEGIN {print (p >= w)}')" "1"
expect_eq "jetstream: every connection resumed from a cursor" \
	"$(server_log | jq -r 'select(.method == "WS") | .path' | grep -c 'cursor=')" "5"
check "jetstream: the cursor is saved in the job's state" grep -q '"stream_cursor_us":1' "$D/state/red/bsky/redistricting.json"

# A deletion (a delete commit, proved at the AppView: getPostThread says
# NotFound) removes the post; a delete commit for a post the AppView still
# has removes nothing.
del=$(sed -n 1p "$TMP/want-bsky")
lie=$(sed -n 2p "$TMP/want-bsky")
"$CHATARC" --data "$D" fetch red --follow -v >"$TMP/jetdel.out" 2>"$TMP/jetdel.err" &
pid=$!
wait_for grep -q 'streaming from' "$TMP/jetdel.err"
ctl "{\"clear_log\": true, \"bsky_delete\": [\"$del\"], \"bsky_lie_delete\": [\"$lie\"]}"
bgone() { ! buris "$D" | grep -qxF "$del"; }
wait_for bgone
asked_lie() { server_log | jq -r '.path' | grep -q "getPostThread.*${lie##*/}"; }
wait_for asked_lie
kill -TERM $pid
wait $pid
expect_eq "jetstream: a delete commit proved at the AppView removes the post" "$(buris "$D" | grep -cxF "$del")" "0"
expect_eq "jetstream: a delete commit for a post the AppView has removes nothing" "$(buris "$D" | grep -cxF "$lie")" "1"

# kill -9 mid-replay, then --follow again: the saved cursor resumes. (The
# post deleted above is gone from the network now.)
grep -vxF "$del" "$TMP/want-bsky" >"$TMP/want-bsky2"
cp "$TMP/want-bsky2" "$TMP/want-bsky"
ctl '{"clear_log": true, "faults": []}'
D="$TMP/jetkill"
bconf "$D"
ctl '{"bsky_replay": {"tag": "redistricting", "duration": 6}}'
"$CHATARC" --data "$D" fetch red --follow -v >/dev/null 2>"$TMP/jetkill.err" &
pid=$!
some() { [ "$(buris "$D" 2>/dev/null | wc -l)" -ge 5 ]; }
wait_for some
kill -KILL $pid
wait $pid 2>/dev/null
"$CHATARC" --data "$D" fetch red --follow -v >"$TMP/jetkill2.out" 2>"$TMP/jetkill2.err" &
pid=$!
wait_for replay_done x 25
wait_for bsky_all "$D"
kill -TERM $pid
wait $pid
expect_file_eq "jetstream: after kill -9 and a new --follow nothing is lost" <(buris "$D") "$TMP/want-bsky"
expect_eq "jetstream: ... nothing doubled" "$(buris "$D" | uniq -d | wc -l)" "0"

# A silent Jetstream (not even the network's other posts) is reopened.
ctl '{"clear_log": true, "faults": [{"match": "/subscribe", "kind": "silent", "seconds": 60, "times": 1}]}'
D="$TMP/jetsilent"
bconf "$D"
"$CHATARC" --data "$D" fetch red --follow -v >/dev/null 2>"$TMP/jetsilent.err" &
pid=$!
two_ws() { [ "$(server_log | jq -r 'select(.method == "WS") | .t' | wc -l)" -ge 2 ]; }
wait_for two_ws
gap=$(server_log | jq -r 'select(.method == "WS") | .t' | head -2 | awk 'NR == 1 {a = $1} NR == 2 {print $1 - a}')
kill -TERM $pid
wait $pid
expect_eq "jetstream: a silent connection is reopened within its window (2 s; took ${gap} s)" \
	"$(awk -v g="$gap" 'BEGIN {print (g >= 1.9 && g < 6)}')" "1"

# 8. --publish: the session under way is published as posts arrive (at
# most every 10 s), its page and the chat page saying "live" and
# reloading themselves; stopped, they are published once more, final.
ctl '{"heartbeat_s": 0.3, "clear_log": true, "add": {"r8": []}, "faults": []}'
D="$TMP/pub"
conf "$D" r8
"$CHATARC" --data "$D" fetch hanna --follow --publish -v >"$TMP/pub.out" 2>"$TMP/pub.err" &
pid=$!
wait_for grep -q 'streaming from' "$TMP/pub.err"
ctl '{"replay": {"prefix": "r8", "from": "a", "duration": 3}}'
wait_for archived_all "$D"
page() { ls "$D"/site/hanna/20*.html 2>/dev/null | tail -1; }
# The page catches up within the publish interval: every archived message on it.
page_has_all() {
	[ -n "$(page)" ] && [ "$(grep -o 'class="msg[ "]' "$(page)" | wc -l)" -ge "$(wc -l <"$TMP/want")" ]
}
wait_for page_has_all
live_page=$(page)
check "live: the session page says live while the chat goes on" grep -q 'class="live" role="status">Live, updated [0-9][0-9]:[0-9][0-9]:[0-9][0-9]<' "$live_page"
check "live: ... and reloads itself (meta refresh, no script)" grep -q '<meta http-equiv="refresh" content="10">' "$live_page"
check "live: the chat page says live too" grep -q 'Live, updated' "$D/site/hanna/index.html"
expect_eq "live: the live page has no script" "$(grep -c '<script' "$live_page")" "0"
# What a reader sees: Chromium opens the page once; a post arrives; the
# page reloads itself and shows it, still live.
ARTIFACTS="${TEST_ARTIFACTS:-$ROOT/tests/artifacts}/live"
mkdir -p "$ARTIFACTS"
/usr/bin/python3 "$ROOT/tests/live-watcher.py" "file://$live_page" "$ARTIFACTS" 40 >"$TMP/watch.out" 2>"$TMP/watch.err" &
watcher=$!
watch_started() { grep -q '^start:' "$TMP/watch.out"; }
wait_for watch_started
"$PY" -c '
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
s = [x for y in s for x in y if not x["account"].get("noindex") and x["account"].get("discoverable") is not False][0]
s["id"] = "116999999999999999"; s["uri"] = "https://late.example/statuses/1"; s["url"] = s["uri"]
s["content"] = "<p>A late answer, seen live #IchbinHanna</p>"
import time; s["created_at"] = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
print(json.dumps({"add": {"r8": [s]}}))' "$TMP/hanna.json" >"$TMP/late.json"
curl -s -X POST --data-binary "@$TMP/late.json" "$BASE/_control" >/dev/null
wait $watcher
expect_eq "live: in Chromium the open page reloads itself with the new post, still live" \
	"$(sed -n 's/^later: \([0-9]*\) messages, \(Live\).*/\1 \2/p' "$TMP/watch.out")" "$(($(wc -l <"$TMP/want") + 1)) Live"
kill -TERM $pid
wait $pid
expect_eq "live: --follow --publish exits 0" "$?" "0"
expect_eq "live: stopped, the pages are published once more, final" \
	"$(cat "$live_page" "$D/site/hanna/index.html" | grep -c 'Live, updated\|http-equiv="refresh"')" "0"
expect_eq "live: ... with every message" "$(grep -o 'class="msg[ "]' "$live_page" | wc -l)" "$(($(wc -l <"$TMP/want") + 1))"
# publish --live itself: live only while the archive was written in the
# last 15 minutes.
"$CHATARC" --data "$D" publish --live
check "live: publish --live on a chat written just now is live" grep -q 'Live, updated' "$live_page"
find "$D/archive" -name '*.jsonl.gz' -exec touch -d '20 minutes ago' {} +
"$CHATARC" --data "$D" publish --live
expect_eq "live: ... and final once the chat has been quiet 15 minutes" "$(grep -c 'Live, updated' "$live_page")" "0"
"$CHATARC" --data "$D" fetch hanna --publish >/dev/null 2>"$TMP/pubusage.err"
expect_eq "live: --publish without --follow is a usage error" "$?" "2"

# 9. The config: "stream" must be a URL of the right kind, or false.
conf "$TMP/badconf" r5 ', "stream": "wss://x.example"'
"$CHATARC" --data "$TMP/badconf" fetch hanna >/dev/null 2>"$TMP/bad.err"
expect_eq "live: a Mastodon \"stream\" that is not http(s) is a config error (exit 1)" "$?" "1"
check "live: ... naming the key" grep -q 'sources.r5.stream: expected "stream": "https://streaming.server" or false' "$TMP/bad.err"

test_done
