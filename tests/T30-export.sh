#!/usr/bin/env bash
# chatarc export: JSON lines and RFC 4180 CSV, time order, and the DATE and
# --since/--until windows (DATE in the chat's own time zone).
. "$(dirname "$0")/lib.sh"

D=$(new_data d fx)
# Three posts around local midnight in Toronto (UTC-5 in November), with
# text that CSV must quote: a comma, a double quote, a line break.
cat >"$TMP/posts.json" <<'JSON'
{"posts": [
 {"uri": "at://did:plc:a/app.bsky.feed.post/1", "author": {"handle": "ana.example", "displayName": "Ana, RN"},
  "record": {"text": "T1: say \"hello\", then\ngo on", "createdAt": "2026-11-19T04:59:59.999Z"}, "likeCount": 2},
 {"uri": "at://did:plc:b/app.bsky.feed.post/2", "author": {"handle": "bo.example"},
  "record": {"text": "A1 plain", "createdAt": "2026-11-19T05:00:00Z",
   "reply": {"parent": {"uri": "at://did:plc:a/app.bsky.feed.post/1"}, "root": {"uri": "at://did:plc:a/app.bsky.feed.post/1"}}}},
 {"uri": "at://did:plc:c/app.bsky.feed.post/3", "author": {"handle": "cy.example"},
  "record": {"text": "early", "createdAt": "2026-11-18T05:00:00Z"}}
]}
JSON
"$CHATARC" --data "$D" import --chat fx "$TMP/posts.json" >/dev/null

"$CHATARC" --data "$D" export fx --format csv >"$TMP/all.csv"
printf '%s\r\n' \
	'uri,network,source,chat,created_at,author,author_name,text,content_warning,lang,url,native_id,reply_to,reply_to_id,reply_to_account,thread_root,quote_of,tags,mentions,links,media_count,media_alt,replies,reposts,likes,author_followers,edited_at,session,topic,topic_method' \
	'at://did:plc:c/app.bsky.feed.post/3,bluesky,import,fx,2026-11-18T05:00:00.000Z,cy.example,,early,,,https://bsky.app/profile/cy.example/post/3,at://did:plc:c/app.bsky.feed.post/3,,,,,,,,,0,[],0,0,0,,,,,' \
	'at://did:plc:a/app.bsky.feed.post/1,bluesky,import,fx,2026-11-19T04:59:59.999Z,ana.example,"Ana, RN","T1: say ""hello"", then' \
	'go on",,,https://bsky.app/profile/ana.example/post/1,at://did:plc:a/app.bsky.feed.post/1,,,,,,,,,0,[],0,0,2,,,,,' \
	'at://did:plc:b/app.bsky.feed.post/2,bluesky,import,fx,2026-11-19T05:00:00.000Z,bo.example,,A1 plain,,,https://bsky.app/profile/bo.example/post/2,at://did:plc:b/app.bsky.feed.post/2,at://did:plc:a/app.bsky.feed.post/1,at://did:plc:a/app.bsky.feed.post/1,did:plc:a,at://did:plc:a/app.bsky.feed.post/1,,,,,0,[],0,0,0,,,,,' \
	>"$TMP/want.csv"
# The line break inside the quoted text is the post's own "\n", not CRLF.
sed -i 's/then\r$/then/' "$TMP/want.csv"
expect_file_eq "export: CSV has a header, time order and RFC 4180 quoting" "$TMP/all.csv" "$TMP/want.csv"

got=$("$CHATARC" --data "$D" export fx 2026-11-18 | jq -r .uri | tr '\n' ' ')
expect_eq "export: DATE is the chat's local day (Toronto), edges exact" "$got" \
	"at://did:plc:c/app.bsky.feed.post/3 at://did:plc:a/app.bsky.feed.post/1 "
got=$("$CHATARC" --data "$D" export fx --since 2026-11-19T05:00:00Z | jq -r .uri)
expect_eq "export: --since is inclusive" "$got" "at://did:plc:b/app.bsky.feed.post/2"
got=$("$CHATARC" --data "$D" export fx --until 2026-11-19T05:00:00Z --format json | wc -l)
expect_eq "export: --until is exclusive" "$got" "2"
got=$("$CHATARC" --data "$D" export fx | jq -c '[.chat, .network, .reply_to, .raw.likeCount]' | sed -n 3p)
expect_eq "export: JSON lines carry the record and its raw" "$got" '["fx","bluesky","at://did:plc:a/app.bsky.feed.post/1",null]'

"$CHATARC" --data "$D" export fx --format xml >/dev/null 2>"$TMP/err"
expect_eq "export: an unknown format is a usage error (exit 2)" "$?" "2"
"$CHATARC" --data "$D" export fx 2026-02-30 >/dev/null 2>"$TMP/err"
expect_eq "export: a bad DATE is a usage error (exit 2)" "$?" "2"
"$CHATARC" --data "$D" export nochat >/dev/null 2>"$TMP/err"
code=$?
if [ "$code" -eq 1 ] && grep -q "no chat named 'nochat'" "$TMP/err"; then ok "export: an unknown chat is named"; else fail "export: unknown chat" "$code $(cat "$TMP/err")"; fi

# One message whose time moved across UTC midnight between two reads: one
# message, not two, in the archive, export and search; and an archive an
# older chatarc wrote with it in both day files is read as one too.
M=$(new_data midnight m)
echo '{"uri": "at://did:plc:m/app.bsky.feed.post/1", "author": {"handle": "m.example"}, "record": {"text": "short #m", "createdAt": "2026-01-01T23:59:59Z"}}' >"$TMP/a.json"
echo '{"uri": "at://did:plc:m/app.bsky.feed.post/1", "author": {"handle": "m.example"}, "record": {"text": "short #m, and longer", "createdAt": "2026-01-02T00:00:01Z"}}' >"$TMP/b.json"
"$CHATARC" --data "$M" import --chat m "$TMP/a.json" >/dev/null
"$CHATARC" --data "$M" import --chat m "$TMP/b.json" >/dev/null
"$CHATARC" --data "$M" index >/dev/null
expect_eq "export: a message whose time crossed midnight between two imports is one message, in its first day" \
	"$("$CHATARC" --data "$M" export m | jq -c '[.created_at, .text]' | tr '\n' ' ')$(find "$M/archive" -name '*.gz' | wc -l) $("$CHATARC" --data "$M" search longer --count)" \
	'["2026-01-01T23:59:59.000Z","short #m, and longer"] 1 1'
"$CHATARC" --data "$M" export m | jq -c '.created_at = "2026-01-02T00:00:01.000Z" | .text = "the copy"' | gzip >"$M/archive/m/2026/2026-01-02.jsonl.gz"
expect_eq "export: ... and one already written in both day files is read once, as its first day has it" \
	"$("$CHATARC" --data "$M" export m | jq -r .text | tr '\n' ' ')" "short #m, and longer "

# Across chats, with filters. Two chats of the real recorded fixtures: the
# Mastodon #mastodonpy pages and the Bluesky searchPosts page, plus one post
# in both chats. Every check is against a count jq makes from the chats'
# own exports.
R=$(new_data research masto bsky)
for f in "$FIXTURES"/mastodon/mastodonpy_tag_page*.http; do http_body "$f"; done | jq -c '.[]' >"$TMP/masto.jsonl"
http_body "$FIXTURES/bluesky/bskyr_searchPosts_redistricting.http" >"$TMP/bsky.json"
allow_noindex "$R"
"$CHATARC" --data "$R" import --chat masto "$TMP/masto.jsonl" >/dev/null
"$CHATARC" --data "$R" import --chat bsky "$TMP/bsky.json" >/dev/null
head -1 "$TMP/masto.jsonl" >"$TMP/both.jsonl"
"$CHATARC" --data "$R" import --chat bsky "$TMP/both.jsonl" >/dev/null
{ "$CHATARC" --data "$R" export masto; "$CHATARC" --data "$R" export bsky; } | jq -c 'del(.raw)' >"$TMP/each.jsonl"
"$CHATARC" --data "$R" export masto bsky | jq -c 'del(.raw)' >"$TMP/both-chats.jsonl"
expect_eq "export: several chats: every message of each, once per chat, in time order across them" \
	"$(sort "$TMP/both-chats.jsonl" | md5sum) $(jq -r .created_at "$TMP/both-chats.jsonl" | sort -c 2>&1 && echo sorted)" \
	"$(sort "$TMP/each.jsonl" | md5sum) sorted"
expect_eq "export: no CHAT is every chat in the config" \
	"$("$CHATARC" --data "$R" export | jq -c 'del(.raw)' | md5sum)" "$(md5sum <"$TMP/both-chats.jsonl")"
expect_eq "export: a post in two chats comes once for each, chat by chat" \
	"$(jq -r --arg u "$(jq -r .uri "$TMP/both.jsonl")" 'select(.uri == $u) | .chat' "$TMP/both-chats.jsonl" | tr '\n' ' ')" "bsky masto "
# --author: a name alone, @name@server and name@server.
acct=$(jq -r 'select(.network == "mastodon") | .author' "$TMP/each.jsonl" | sort | uniq -c | sort -rn | head -1 | awk '{print $2}')
want=$(jq -r --arg a "$acct" 'select(.author == $a) | .uri' "$TMP/both-chats.jsonl" | md5sum)
for spelling in "${acct%@*}" "@$acct" "$acct" "$(echo "$acct" | tr a-z A-Z)"; do
	expect_eq "export: --author $spelling keeps exactly that account's messages" \
		"$("$CHATARC" --data "$R" export --author "$spelling" | jq -r .uri | md5sum)" "$want"
done
expect_eq "export: --author takes a list" \
	"$("$CHATARC" --data "$R" export --author "nobody.example,$acct" | wc -l)" "$(jq -r --arg a "$acct" 'select(.author == $a)' "$TMP/both-chats.jsonl" | jq -s length)"
# --query: the same messages as search (each query finds some: 25, 25, 12, 31).
"$CHATARC" --data "$R" index >/dev/null
for q in 'network:bluesky' 'redistricting' 'reply:yes' 'from:mastodonpy_test_2 AND reply:no'; do
	expect_eq "export: --query '$q' gives the messages search finds" \
		"$("$CHATARC" --data "$R" export --query "$q" | jq -r '"\(.chat) \(.uri)"' | sort | md5sum)" \
		"$("$CHATARC" --data "$R" search --format json "$q" | jq -r '"\(.chat) \(.uri)"' | sort | md5sum)"
done
expect_eq "export: --query with other filters and a CSV header" \
	"$("$CHATARC" --data "$R" export bsky --query 'network:mastodon' --format csv | wc -l)" "2"
"$CHATARC" --data "$R" export --query 'from:' >/dev/null 2>"$TMP/err"
expect_eq "export: a malformed --query exits 2 saying why" "$?:$(grep -c 'from:' "$TMP/err")" "2:1"

# The research columns against the wire itself, record by record (jq reads
# raw, independently of the converters).
expect_eq "export: lang, thread root, quoted post, media count and followers are the wire's" \
	"$("$CHATARC" --data "$R" export | jq -c 'select(.network == "bluesky" and .raw.record != null)
		| [.lang == (.raw.record.langs // [null])[0],
		   .thread_root == .raw.record.reply.root.uri,
		   .quote_of == (.raw.record.embed.record.uri // .raw.record.embed.record.record.uri),
		   .media_count == ((.raw.record.embed.images // []) | length) + ((.raw.record.embed.media.images // []) | length),
		   .author_followers == null]' | sort | uniq -c | awk '{print $2}')
$("$CHATARC" --data "$R" export masto | jq -c '[.lang == .raw.language, .media_count == (.raw.media_attachments | length),
		   .media_alt == [.raw.media_attachments[] | .description // ""], .author_followers == .raw.account.followers_count,
		   .content_warning == (if .raw.spoiler_text == "" then null else .raw.spoiler_text end)]' | sort -u)" \
	"[true,true,true,true,true]
[true,true,true,true,true]"
expect_eq "export: the fixtures hold replies with a thread root and posts with media (the check above is not empty)" \
	"$("$CHATARC" --data "$R" export | jq -s '[([.[] | select(.thread_root != null)] | length > 0), ([.[] | select(.media_count > 0)] | length > 0), ([.[] | select(.lang != null)] | length > 0)]' | tr -d ' \n')" \
	"[true,true,true]"

# A chat with no schedule: each date's session is found among three days'
# messages, which export keeps from one date to the next. Exported in
# pieces, from cold, every message has the session and topic it has in
# one export from the start. In the chat's zone (UTC+5) a local day begins
# at 19:00 UTC, inside the generated sessions (18:00-20:00 UTC): what is
# kept and what is read next meet mid-session.
G="$TMP/unscheduled"
"$CHATARC" --data "$G" init >/dev/null
sed -i 's|"chats": {|"chats": {"u": {"tags": ["hcsm"], "tz": "Asia/Karachi"}|' "$G/chatarc.conf"
# Weekly generated sessions, and three copies a day, half an hour later
# each: busy days in a row, so dates are built one after another.
"$ROOT/tools/gen-posts" 2000 9 100 >"$TMP/u.jsonl"
for k in 1 2 3; do
	jq -c --argjson k $k '.data |= map(.id += ($k | tostring) | .conversation_id = .id |
		.created_at = ((.created_at | sub("\\.[0-9]+Z$"; "Z") | fromdate) + $k * 88200 | todate))' \
		"$TMP/u.jsonl"
done >"$TMP/u-more.jsonl"
cat "$TMP/u-more.jsonl" >>"$TMP/u.jsonl"
"$CHATARC" --data "$G" import --chat u "$TMP/u.jsonl" >/dev/null
"$CHATARC" --data "$G" export u --format csv >"$TMP/u-whole.csv"
{
	"$CHATARC" --data "$G" export u --format csv --until 2022-09-21
	"$CHATARC" --data "$G" export u --format csv --since 2022-09-21 --until 2022-11-09 | tail -n +2
	"$CHATARC" --data "$G" export u --format csv --since 2022-11-09 | tail -n +2
} >"$TMP/u-pieces.csv"
expect_file_eq "export: an unscheduled chat's sessions and topics are the same exported whole or in pieces ($(cut -d, -f1 "$TMP/u-whole.csv" | wc -l) rows)" \
	"$TMP/u-pieces.csv" "$TMP/u-whole.csv"
expect_eq "export: ... and each piece has sessions to compare (80 bursts in all)" \
	"$(for r in "--until 2022-09-21" "--since 2022-09-21 --until 2022-11-09" "--since 2022-11-09"; do
		"$CHATARC" --data "$G" export u $r | jq -r 'select(.session != null) | .session' | sort -u | wc -l
	done | tr '\n' ' ')" "20 28 32 "
# A date as people write it (US month first, European dots, a year first
# with slashes) is not taken for a chat's name: exit 2 saying the form to
# write, with both readings when day and month could be either.
msgs=""
for d in 03/03/2023 3/14/2023 14.3.2023 2023/03/03 03/04/23; do
	"$CHATARC" --data "$D" export fx "$d" >/dev/null 2>"$TMP/err"
	msgs="$msgs$? $(sed -n 's/.*looks like a date: write it YYYY-MM-DD, //p' "$TMP/err");"
done
expect_eq "export: dates written other ways exit 2 naming the YYYY-MM-DD meant" "$msgs" \
	"2 2023-03-03;2 2023-03-14;2 2023-03-14;2 2023-03-03;2 2023-03-04 (month first) or 2023-04-03 (day first);"
test_done
