#!/usr/bin/env bash
# Deletions upstream propagate: fetch re-checks the recent archived posts
# against the loopback server (Mastodon 4.3's GET /api/v1/statuses?id[]=,
# Bluesky's app.bsky.feed.getPosts), fed with the recorded real statuses.
# A post deleted on its server leaves the archive (and the index at its next
# run); an edit replaces the text; a server that answers every batch with
# nothing deletes nothing.
source "$(dirname "$0")/lib.sh"

start_fake_social
lookups() { curl -s "$BASE/_log" | jq -r .path | grep -c -E "$1"; }
export BSKY_PW=app-pass-1234

# The recordings are from 2025: recheck_days reaches back to them.
conf() {
	rm -rf "$1" && mkdir -p "$1"
	cat >"$1/chatarc.conf" <<EOF
{"chats": {"hanna": {"tags": ["IchbinHanna"], "sources": ["a"], "allow_noindex": true},
           "red": {"tags": ["redistricting"], "sources": ["bsky"], "allow_noindex": true}},
 "sources": {"a": {"type": "mastodon", "url": "$BASE/a"},
             "bsky": {"type": "bluesky", "url": "$BASE", "identifier": "chatarc-test.bsky.social",
                      "password_env": "BSKY_PW"}},
 "fetch": {"backoff_base_ms": 100, "retries": 2, "recheck_days": 3650, "recheck_every": 0}}
EOF
}

D="$TMP/d"
conf "$D"
ctl '{"clear_log": true}'
"$CHATARC" --data "$D" fetch --since 2020-01-01 -v >"$TMP/first.out" 2>&1
expect_eq "recheck: the first fetch exits 0" "$?" "0"
n_hanna=$("$CHATARC" --data "$D" export hanna | wc -l)
n_red=$("$CHATARC" --data "$D" export red | wc -l)
pages=$(lookups 'timelines/tag|searchPosts')
batches=$(lookups 'api/v1/statuses\?|getPosts')
expect_eq "recheck: every archived post is asked for again, in batches of 20 (Mastodon) and 25 (Bluesky)" \
	"$batches" "$(((n_hanna + 19) / 20 + (n_red + 24) / 25))"
ok "recheck: measured: $pages page requests + $batches re-check requests for $((n_hanna + n_red)) posts"
"$CHATARC" --data "$D" index >/dev/null

# Delete a status of the instance's own account (acct without "@") and a
# Bluesky post on the server; the instance also prunes a remote status it
# had cached (it is still on its home server); edit another status to a
# shorter text (an edit wins even when shorter).
http_body "$FIXTURES/mastodon/rtoot_ichbinhanna_page1.http" >"$TMP/page1.json"
gone_id=$(jq -r '.[1].id' "$TMP/page1.json")
gone_uri=$(jq -r '.[1].uri' "$TMP/page1.json")
expect_eq "recheck: the status to delete is the instance's own, the pruned one a remote one" \
	"$(jq -r '.[1].account.acct, .[2].account.acct' "$TMP/page1.json" | tr '\n' ' ')" "AKellerGEW jomla@fedihum.org "
pruned_id=$(jq -r '.[2].id' "$TMP/page1.json")
pruned_uri=$(jq -r '.[2].uri' "$TMP/page1.json")
edit_id=$(jq -r '.[5].id' "$TMP/page1.json")
# (a Bridgy Fed status: archived under the Bluesky post's at:// uri it shows)
edit_uri=$(jq -r '.[5].uri | sub("^https://bsky.brid.gy/convert/ap/"; "")' "$TMP/page1.json")
bsky_uri=$("$CHATARC" --data "$D" export red | jq -r .uri | head -3 | tail -1)
expect_eq "recheck: the posts to delete are archived first" \
	"$("$CHATARC" --data "$D" export hanna | grep -c -F "\"uri\":\"$gone_uri\"") $("$CHATARC" --data "$D" export red | grep -c -F "\"uri\":\"$bsky_uri\"")" "1 1"
ctl "{\"delete\": {\"a\": [\"$gone_id\", \"$pruned_id\"], \"bsky\": [\"$bsky_uri\"]}, \"edit\": {\"a\": {\"$edit_id\": {\"content\": \"<p>Edited: short now #IchBinHanna</p>\", \"edited_at\": \"2026-01-02T03:04:05.000Z\"}}}, \"clear_log\": true}"
"$CHATARC" --data "$D" fetch -v >"$TMP/second.out" 2>&1
expect_eq "recheck: the next fetch exits 0 and says 2 deleted upstream" \
	"$? $(grep -o '[0-9]* deleted upstream' "$TMP/second.out" | awk '{ n += $1 } END { print n }')" "0 2"
expect_eq "recheck: each was proved gone alone at its home (GET statuses/ID 404, getPostThread NotFound)" \
	"$(lookups "api/v1/statuses/$gone_id\$") $(lookups 'getPostThread') $(lookups "statuses/$pruned_id\$")" "1 1 0"
expect_eq "recheck: the remote status the instance pruned is kept, and -v says why" \
	"$("$CHATARC" --data "$D" export hanna | grep -c -F "\"uri\":\"$pruned_uri\"") $(grep -c '1 posts left out whose home is another server: kept' "$TMP/second.out")" "1 1"
expect_eq "recheck: the deleted status and post are out of the archive, everything else kept" \
	"$("$CHATARC" --data "$D" export hanna | wc -l) $("$CHATARC" --data "$D" export red | wc -l) $(find "$D/archive" -name '*.gz' -exec zcat {} + | grep -c -F -e "$gone_uri" -e "$bsky_uri")" \
	"$((n_hanna - 1)) $((n_red - 1)) 0"
expect_eq "recheck: the edit replaced the text (shorter, yet the later edit)" \
	"$("$CHATARC" --data "$D" export hanna | jq -r --arg u "$edit_uri" 'select(.uri == $u) | .text + " | " + .edited_at')" \
	"Edited: short now #IchBinHanna | 2026-01-02T03:04:05.000Z"
before_docs=$("$CHATARC" --data "$D" search --count "*" 2>/dev/null)
"$CHATARC" --data "$D" index >/dev/null
expect_eq "recheck: the next index run drops their documents too, and finds the edit" \
	"$("$CHATARC" --data "$D" search --count '*') $("$CHATARC" --data "$D" search --count 'Edited short now')" "$((before_docs - 2)) 1"

# A deletion is not a takedown: nothing is hashed into DIR/forgotten, and a
# copy of the post read again (restored by its author) comes back.
expect_eq "recheck: a post deleted upstream is not remembered as forgotten" \
	"$(cat "$D/forgotten" 2>/dev/null | wc -l)" "0"
"$CHATARC" --data "$D" import --chat hanna "$TMP/page1.json" >/dev/null
expect_eq "recheck: an import of the same status later brings it back" \
	"$("$CHATARC" --data "$D" export hanna | grep -c -F "\"uri\":\"$gone_uri\"")" "1"
ctl "{\"add\": {\"a\": [$(jq -c '.[1]' "$TMP/page1.json")]}}"

# A server that lies: each batch answered with one post of its choosing
# (the audit's case erased 29 of 32 posts). The posts it leaves out are
# asked for alone at their home, which still has them: nothing goes.
ctl '{"faults": [{"match": "statuses?", "kind": "pick_one", "times": 1000}, {"match": "getPosts", "kind": "pick_one", "times": 1000}], "clear_log": true}'
"$CHATARC" --data "$D" fetch -v >"$TMP/picker.out" 2>&1
expect_eq "recheck: a server answering each batch with one post deletes nothing" \
	"$? $("$CHATARC" --data "$D" export hanna | wc -l) $("$CHATARC" --data "$D" export red | wc -l)" \
	"0 $n_hanna $((n_red - 1))"
# Which ids were asked for alone: the instance's own statuses only.
for f in "$FIXTURES"/mastodon/rtoot_ichbinhanna_page*.http; do http_body "$f"; done |
	jq -r '.[] | select(.account.acct | contains("@") | not) | .id' | sort >"$TMP/local-ids"
curl -s "$BASE/_log" | jq -r .path | sed -n 's,^/a/api/v1/statuses/\([0-9]*\)$,\1,p' | sort >"$TMP/asked-alone"
expect_eq "recheck: ... the statuses asked for alone are all the instance's own, and some were" \
	"$(comm -13 "$TMP/local-ids" "$TMP/asked-alone" | wc -l) $([ -s "$TMP/asked-alone" ] && echo some)" "0 some"
red_batches=$(( (n_red - 1 + 24) / 25 ))
expect_eq "recheck: ... and every Bluesky post a batch left out was asked for alone" \
	"$(lookups getPostThread)" "$((n_red - 1 - red_batches))"
ctl '{"faults": []}'

# A server that lies: every batch answered with an empty list. Nothing goes.
ctl '{"faults": [{"match": "statuses?", "kind": "empty", "times": 1000}, {"match": "getPosts", "kind": "empty", "times": 1000}], "clear_log": true}'
"$CHATARC" --data "$D" fetch -v >"$TMP/liar.out" 2>&1
expect_eq "recheck: a server answering every batch with nothing deletes nothing" \
	"$? $("$CHATARC" --data "$D" export hanna | wc -l) $("$CHATARC" --data "$D" export red | wc -l)" \
	"0 $n_hanna $((n_red - 1))"
expect_eq "recheck: ... and says so with --verbose" "$(grep -c 'came back empty: not taken as deletions' "$TMP/liar.out")" "2"
ctl '{"faults": []}'

# recheck_every: a run within the interval asks for nothing again.
sed -i 's/"recheck_every": 0/"recheck_every": 6/' "$D/chatarc.conf"
ctl '{"clear_log": true}'
"$CHATARC" --data "$D" fetch >/dev/null 2>&1
expect_eq "recheck: within recheck_every hours of the last, no post is asked for again" \
	"$(lookups 'api/v1/statuses\?|getPosts')" "0"

# A server without the batch lookup (Mastodon before 4.3): the fetch still
# succeeds, and nothing is deleted (a holds all but the status it pruned).
D2="$TMP/old"
conf "$D2"
ctl '{"faults": [{"match": "statuses?", "kind": "404", "times": 1000}]}'
"$CHATARC" --data "$D2" fetch hanna --since 2020-01-01 >/dev/null 2>"$TMP/old.err"
expect_eq "recheck: a server without batch lookups: fetch exits 0, keeps everything" \
	"$? $("$CHATARC" --data "$D2" export hanna | wc -l)" "0 $((n_hanna - 1))"
ctl '{"faults": []}'
test_done
