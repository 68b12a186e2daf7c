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
	'uri,network,source,chat,created_at,author,author_name,text,url,native_id,reply_to,reply_to_id,reply_to_account,tags,mentions,links,replies,reposts,likes,edited_at' \
	'at://did:plc:c/app.bsky.feed.post/3,bluesky,import,fx,2026-11-18T05:00:00.000Z,cy.example,,early,https://bsky.app/profile/cy.example/post/3,at://did:plc:c/app.bsky.feed.post/3,,,,,,,0,0,0,' \
	'at://did:plc:a/app.bsky.feed.post/1,bluesky,import,fx,2026-11-19T04:59:59.999Z,ana.example,"Ana, RN","T1: say ""hello"", then' \
	'go on",https://bsky.app/profile/ana.example/post/1,at://did:plc:a/app.bsky.feed.post/1,,,,,,,0,0,2,' \
	'at://did:plc:b/app.bsky.feed.post/2,bluesky,import,fx,2026-11-19T05:00:00.000Z,bo.example,,A1 plain,https://bsky.app/profile/bo.example/post/2,at://did:plc:b/app.bsky.feed.post/2,at://did:plc:a/app.bsky.feed.post/1,at://did:plc:a/app.bsky.feed.post/1,did:plc:a,,,,0,0,0,' \
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

test_done
