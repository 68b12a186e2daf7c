#!/usr/bin/env bash
# chatarc import on the real recorded responses: every format, records
# compared field by field, raw kept whole, re-import adds nothing, the same
# post from two servers stored once with the fuller counts, gzip read as is.
. "$(dirname "$0")/lib.sh"

D=$(new_data d fx one two gz)
allow_noindex "$D" # consent has its own checks below
B="$TMP/bodies"
mkdir -p "$B"
for f in "$FIXTURES"/mastodon/*.http "$FIXTURES"/twitter/*.http "$FIXTURES"/bluesky/*.http; do
	http_body "$f" >"$B/$(basename "$f" .http).json"
done
FILES=(
	"$FIXTURES/twitter/twarccsv_two_tweets.jsonl"
	"$FIXTURES/twitter/twarccsv_brexit_page1_first20.json"
	"$B/tweepy_v11_search_tweets.json"
	"$B/tweepy_v2_search_recent.json"
	"$B/tweepy_v2_search_all.json"
	"$B/bskyr_searchPosts_redistricting.json"
	"$B/mastodonpy_tag_page1.json" "$B/mastodonpy_tag_page2.json"
	"$B/mastodonpy_tag_page3.json" "$B/mastodonpy_tag_page4.json"
	"$B/rtoot_ichbinhanna_page1.json" "$B/rtoot_ichbinhanna_page2.json"
	"$B/rtoot_rstats_anonymous.json" "$B/rtoot_rstats_default.json"
)

check "import: every fixture format imports" "$CHATARC" --data "$D" import --chat fx "${FILES[@]}"
"$CHATARC" --data "$D" export fx | jq -c 'del(.raw, .session, .topic, .topic_method)' >"$TMP/fixtures.jsonl"
expect_file_eq "import: records match the reviewed expected records field by field" \
	"$TMP/fixtures.jsonl" "$ROOT/tests/expected/fixtures.jsonl"

count=$(wc -l <"$TMP/fixtures.jsonl")
uniq_count=$(jq -r .uri "$TMP/fixtures.jsonl" | sort -u | wc -l)
expect_eq "import: one record per uri" "$count" "$uniq_count"
# 1 + 20 + 15 + 10 + 10 + 25 + 30 + 80 + 5 posts, less what is the same post:
# 3 brexit retweets of one original, 1 tweet in both v2 searches, 5 rstats
# statuses seen from two servers; and one v2 tweet whose text is "RT
# @t6dr1ve: ..." without its reference, a retweet by the one rule (a boost
# event needs the retweeter, which the page does not name: counted only).
expect_eq "import: the expected number of messages" "$count" "$((1 + 20 + 15 + 10 + 10 + 25 + 30 + 80 + 5 - 3 - 1 - 1))"

sorted=$(jq -r .created_at "$TMP/fixtures.jsonl" | sort -c 2>&1 && echo sorted)
expect_eq "export: messages come in time order" "$sorted" "sorted"

# raw is the original object, whole.
want=$(jq -S -c '.[0]' "$B/rtoot_ichbinhanna_page1.json")
uri=$(jq -r '.[0].uri' "$B/rtoot_ichbinhanna_page1.json")
got=$("$CHATARC" --data "$D" export fx | jq -S -c --arg u "$uri" 'select(.uri == $u) | .raw')
expect_eq "import: raw keeps the Mastodon status whole" "$got" "$want"
want=$(jq -S -c '.posts[3]' "$B/bskyr_searchPosts_redistricting.json")
uri=$(jq -r '.posts[3].uri' "$B/bskyr_searchPosts_redistricting.json")
got=$("$CHATARC" --data "$D" export fx | jq -S -c --arg u "$uri" 'select(.uri == $u) | .raw')
expect_eq "import: raw keeps the Bluesky post whole" "$got" "$want"

before=$(archive_sum "$D")
"$CHATARC" --data "$D" import --chat fx "${FILES[@]}" >/dev/null 2>&1
expect_eq "import: importing everything again changes no archive byte" "$(archive_sum "$D")" "$before"

# The same five #rstats statuses read from mastodon.social and fosstodon.org:
# one message each, with the higher of the two counts.
"$CHATARC" --data "$D" import --chat one "$B/rtoot_rstats_default.json" "$B/rtoot_rstats_anonymous.json" >/dev/null
# (A Bluesky post bridged by Bridgy Fed is known by its at:// URI.)
want=$(jq -s -c '[.[0][], .[1][]] | map(.uri |= sub("^https://bsky.brid.gy/convert/ap/"; "")) | group_by(.uri) | map({uri: .[0].uri, likes: (map(.favourites_count) | max), reposts: (map(.reblogs_count) | max), replies: (map(.replies_count) | max)}) | sort_by(.uri)' \
	"$B/rtoot_rstats_default.json" "$B/rtoot_rstats_anonymous.json")
got=$("$CHATARC" --data "$D" export one | jq -s -c 'map({uri, likes, reposts, replies}) | sort_by(.uri)')
expect_eq "import: a post seen from two servers is one message with the fuller counts" "$got" "$want"
lines=$(zcat "$D"/archive/one/*/*.gz | wc -l)
versions=$(zcat "$D"/archive/one/*/*.gz | jq -r .uri | sort | uniq -d | wc -l)
if [ "$lines" -le 10 ] && [ "$versions" -le 5 ]; then ok "import: a fuller version is appended once, not per read"; else fail "import: versions" "$lines lines"; fi

# gzip input is read directly and gives the same records.
mkdir -p "$TMP/gz"
for f in "${FILES[@]}"; do gzip -c "$f" >"$TMP/gz/$(basename "$f").gz"; done
"$CHATARC" --data "$D" import --chat gz "$TMP"/gz/*.gz >/dev/null 2>&1
"$CHATARC" --data "$D" export gz | jq -c 'del(.raw, .chat, .session, .topic, .topic_method)' >"$TMP/gz.jsonl"
jq -c 'del(.chat)' "$TMP/fixtures.jsonl" >"$TMP/plain.jsonl"
expect_file_eq "import: gzip files give the same records as plain ones" "$TMP/gz.jsonl" "$TMP/plain.jsonl"

# A tweets.js archive, with its owner from account.js beside it.
mkdir -p "$TMP/twitter-archive/data"
cat >"$TMP/twitter-archive/data/tweets.js" <<'JS'
window.YTD.tweets.part0 = [ {
  "tweet" : {
    "id_str" : "1440000000000000001", "created_at" : "Wed Sep 22 17:01:00 +0000 2021",
    "full_text" : "T1: How do you vet health info online? #hcsmdemo", "retweet_count" : "2",
    "favorite_count" : "5", "entities" : { "hashtags" : [ { "text" : "hcsmdemo" } ], "user_mentions" : [ ], "urls" : [ ] }
  }
}, {
  "tweet" : {
    "id_str" : "1440000000000000002", "created_at" : "Wed Sep 22 17:02:00 +0000 2021",
    "full_text" : "RT @someone: A1 we check sources", "retweet_count" : "0", "favorite_count" : "0"
  }
} ]
JS
cat >"$TMP/twitter-archive/data/account.js" <<'JS'
window.YTD.account.part0 = [ { "account" : { "username" : "hcsmdemo", "accountId" : "42", "accountDisplayName" : "#hcsmdemo chat" } } ]
JS
"$CHATARC" --data "$D" import -v --chat two "$TMP/twitter-archive/data/tweets.js" >"$TMP/tj.out" 2>&1
got=$("$CHATARC" --data "$D" export two | jq -c '[.author, .author_name, .text, .reposts, .likes, .url]')
expect_eq "import: tweets.js takes its owner from account.js" "$got" \
	'["hcsmdemo","#hcsmdemo chat","T1: How do you vet health info online? #hcsmdemo",2,5,"https://twitter.com/hcsmdemo/status/1440000000000000001"]'
expect_eq "import: the summary counts the retweet, not stores it" "$(grep -o '1 boost counted' "$TMP/tj.out")" "1 boost counted"

# A Bluesky post seen on Mastodon through Bridgy Fed is the Bluesky post: read
# again from Bluesky it merges (one message, the higher count), and a
# Bluesky reply to it finds its parent in the archive.
bridged="at://did:plc:o7mqzu7aleiaz4hi44hod7x2/app.bsky.feed.post/3lp7lnaepbk25"
before=$("$CHATARC" --data "$D" export fx | wc -l)
cat >"$TMP/bridged.json" <<JSON
{"posts": [
 {"uri": "$bridged", "author": {"handle": "judithbeyer.bsky.social", "displayName": "Judith Beyer"},
  "record": {"text": "#ichbinhanna #tenure #tenuretracktagung2025", "createdAt": "2025-05-15T13:11:13.015Z"},
  "likeCount": 40},
 {"uri": "at://did:plc:zz/app.bsky.feed.post/reply1", "author": {"handle": "someone.example"},
  "record": {"text": "Thank you for this!", "createdAt": "2025-05-15T14:00:00Z",
   "reply": {"parent": {"uri": "$bridged"}, "root": {"uri": "$bridged"}}}}
]}
JSON
"$CHATARC" --data "$D" import --chat fx "$TMP/bridged.json" >/dev/null
after=$("$CHATARC" --data "$D" export fx | wc -l)
got=$("$CHATARC" --data "$D" export fx | jq -c --arg u "$bridged" 'select(.uri == $u) | [.network, .author, .likes]')
expect_eq "import: a bridged Bluesky post merges with its Bluesky original" "$((after - before)) $got" '1 ["bluesky","judithbeyer.bsky.social",40]'
got=$("$CHATARC" --data "$D" export fx | jq -r 'select(.author == "someone.example") | .reply_to')
expect_eq "import: a Bluesky reply to a post first seen on Mastodon finds its parent" "$got" "$bridged"

# Replies keep what the wire says whatever the file split: the real
# #ichbinhanna pages imported one status a file (no reply finds its parent
# in its own file) count as many replies as the wire's in_reply_to_id.
R=$(new_data replies hanna)
allow_noindex "$R"
mkdir -p "$TMP/split"
for page in 1 2; do http_body "$FIXTURES/mastodon/rtoot_ichbinhanna_page$page.http"; done |
	jq -c -s 'add | unique_by(.uri) | .[]' >"$TMP/hanna.jsonl"
wire=$(jq -s '[.[] | select(.in_reply_to_id != null)] | length' "$TMP/hanna.jsonl")
n=0
while read -r status; do
	n=$((n + 1))
	printf '[%s]\n' "$status" >"$TMP/split/$n.json"
done <"$TMP/hanna.jsonl"
"$CHATARC" --data "$R" import --chat hanna "$TMP/split"/*.json >/dev/null
got=$("$CHATARC" --data "$R" export hanna | jq -s '[.[] | select(.reply_to != null or .reply_to_id != null)] | length')
expect_eq "import: replies split one status a file still count as the wire's ($wire of $n)" "$got" "$wire"
got=$("$CHATARC" --data "$R" export hanna --format csv | head -1 | tr -d '\r' | tr ',' '\n' | grep -c '^reply_to')
expect_eq "import: export shows reply_to, reply_to_id and reply_to_account" "$got" "3"
want=$(jq -r 'select(.in_reply_to_id != null) | .id + " " + .in_reply_to_id' "$TMP/hanna.jsonl" | sort)
got=$("$CHATARC" --data "$R" export hanna | jq -r 'select(.reply_to_id != null) | .native_id + " " + .reply_to_id' | sort)
expect_eq "import: each reply keeps its parent's id as the wire gave it" "$got" "$want"
want=$(jq -s '[.[] | select(.in_reply_to_id != null and .in_reply_to_account_id == .account.id)] | length' "$TMP/hanna.jsonl")
got=$("$CHATARC" --data "$R" export hanna | jq -s '[.[] | select(.reply_to_id != null and .reply_to_account == .author)] | length')
expect_eq "import: a reply in its author's own thread names the author as the account replied to ($want)" "$got" "$want"
# Consent on every path: import honours what fetch honours. Accounts that
# opted out (Mastodon noindex or discoverable false; Bluesky's
# !no-unauthenticated label) in the real recordings are skipped and counted,
# and nothing of them reaches the archive, export, search or pages.
C=$(new_data consent c)
for f in "$FIXTURES"/mastodon/rtoot_*.http; do http_body "$f" >"$TMP/consent-$(basename "$f" .http).json"; done
http_body "$FIXTURES/bluesky/bskyr_searchPosts_redistricting.http" >"$TMP/consent-bsky.json"
"$CHATARC" --data "$C" import -v --chat c "$TMP"/consent-*.json >"$TMP/consent.out"
# The posts that must stay out, by uri (Bluesky posts by their at:// uri).
jq -r '.[] | select(.account.noindex == true or .account.discoverable == false) | .uri' "$TMP"/consent-rtoot_*.json | sort -u >"$TMP/opted-out-uris"
jq -r '.posts[] | select([.author.labels[]?.val] | index("!no-unauthenticated")) | .uri' "$TMP/consent-bsky.json" | sort -u >>"$TMP/opted-out-uris"
jq -r '.[] | select(.account.noindex == true or .account.discoverable == false) | .account.acct' "$TMP"/consent-rtoot_*.json | sort -u >"$TMP/opted-out"
jq -r '.posts[] | select([.author.labels[]?.val] | index("!no-unauthenticated")) | .author.handle' "$TMP/consent-bsky.json" | sort -u >>"$TMP/opted-out"
wire=$(jq -s '[.[][] | select(.account.noindex == true or .account.discoverable == false) | .uri] | unique | length' "$TMP"/consent-rtoot_*.json)
bsky=$(jq '[.posts[] | select([.author.labels[]?.val] | index("!no-unauthenticated"))] | length' "$TMP/consent-bsky.json")
"$CHATARC" --data "$C" index >/dev/null
"$CHATARC" --data "$C" publish >/dev/null
in_archive=$(zcat $(find "$C/archive" -name '*.gz') | grep -c -F -f "$TMP/opted-out-uris")
in_export=$("$CHATARC" --data "$C" export c | jq -r .uri | grep -c -x -F -f "$TMP/opted-out-uris")
expect_eq "import: the posts of $(wc -l <"$TMP/opted-out") accounts that opted out in the real recordings: none in the archive (not even in raw) or export" \
	"$in_archive $in_export" "0 0"
expect_eq "import: ... skipped and counted as fetch counts them ($wire Mastodon statuses + $bsky Bluesky posts)" \
	"$(grep -o '[0-9]* skipped for consent' "$TMP/consent.out" | awk '{ n += $1 } END { print n }') $("$CHATARC" --data "$C" search --count 'from:hannaengelmeier@mastodon.social')" \
	"$(($(jq -s '[.[][] | select(.account.noindex == true or .account.discoverable == false)] | length' "$TMP"/consent-rtoot_*.json) + bsky)) 0"
first=$(head -1 "$TMP/opted-out")
expect_eq "import: ... and nowhere on the published site" "$(grep -r -l -F "@${first%%@*}" "$C/site" | wc -l)" "0"
A=$(new_data allowed c)
allow_noindex "$A"
"$CHATARC" --data "$A" import --chat c "$TMP"/consent-*.json >/dev/null
expect_eq "import: a chat with allow_noindex takes them (its moderators' choice)" \
	"$(($("$CHATARC" --data "$A" export c | wc -l) - $("$CHATARC" --data "$C" export c | wc -l)))" "$((wire + bsky))"

# A NUL in the wire's JSON: text keeps everything after it (U+FFFD in its
# place); an identity holding one is refused, so two uris that differ only
# after a NUL never merge into one message.
N=$(new_data nul n)
printf '%s\n' '{"uri": "at://did:plc:n/app.bsky.feed.post/1", "author": {"handle": "n.example"}, "record": {"text": "before\u0000after, all of it", "createdAt": "2026-01-01T10:00:00Z"}}' >"$TMP/nul-text.jsonl"
"$CHATARC" --data "$N" import --chat n "$TMP/nul-text.jsonl" >/dev/null
expect_eq "import: a NUL in text never cuts it short (U+FFFD in its place)" \
	"$("$CHATARC" --data "$N" export n | jq -r .text)" "before�after, all of it"
printf '%s\n' '{"uri": "at://did:plc:n/app.bsky.feed.post/2\u0000a", "author": {"handle": "n.example"}, "record": {"text": "one", "createdAt": "2026-01-01T11:00:00Z"}}' \
	'{"uri": "at://did:plc:n/app.bsky.feed.post/2\u0000b", "author": {"handle": "n.example"}, "record": {"text": "two", "createdAt": "2026-01-01T11:00:01Z"}}' >"$TMP/nul-uri.jsonl"
"$CHATARC" --data "$N" import --chat n "$TMP/nul-uri.jsonl" >/dev/null 2>"$TMP/err"
expect_eq "import: a NUL in a uri is refused with file and line, nothing merged or kept" \
	"$?:$(grep -c 'nul-uri.jsonl:1: .*uri holds a NUL' "$TMP/err"):$("$CHATARC" --data "$N" export n | wc -l)" "1:1:1"


# Off the chat's hashtag: the real Bluesky search about #redistricting
# imported into #cancerchat is counted and said (the only undo once stored
# is `forget`); --require-tag leaves such posts out; a file on the chat's
# tag says nothing.
O=$(new_data off-tag cancerchat)
allow_noindex "$O"
"$CHATARC" --data "$O" import --chat cancerchat "$B/bskyr_searchPosts_redistricting.json" >"$TMP/out" 2>"$TMP/err"
expect_eq "import: posts without the chat's tag are kept, counted and said even without -v" \
	"$? $(grep -c '25 posts carry none of cancerchat.s tags (kept; --require-tag leaves them out)' "$TMP/err") $("$CHATARC" --data "$O" export cancerchat | wc -l)" "0 1 25"
O=$(new_data require-tag cancerchat)
allow_noindex "$O"
out=$("$CHATARC" --data "$O" import -v --require-tag --chat cancerchat "$B/bskyr_searchPosts_redistricting.json" 2>&1)
expect_eq "import: --require-tag leaves them out, and the summary line says how many" \
	"$(echo "$out" | grep -c '0 posts: 0 new.*; 25 without the chat.s tag (left out: --require-tag)') $("$CHATARC" --data "$O" export cancerchat | wc -l)" "1 0"
O=$(new_data on-tag ps)
sed -i 's/"tags": \["ps"\]/"tags": ["pstweetchat"]/' "$O/chatarc.conf"
"$CHATARC" --data "$O" import --chat ps "$FIXTURES/csv/pstweetchat/pstweetchat.csv" >/dev/null 2>"$TMP/err"
expect_eq "import: the real #PSTweetChat sheet carries its tag: nothing said" "$? $(wc -c <"$TMP/err")" "0 0"

test_done
