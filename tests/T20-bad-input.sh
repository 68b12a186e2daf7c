#!/usr/bin/env bash
# Bad input: one clear line naming the file (and line), a non-zero exit, and
# an archive left exactly as it was.
. "$(dirname "$0")/lib.sh"

D=$(new_data d fx)
allow_noindex "$D"
B="$TMP/in"
mkdir -p "$B/a-directory"
http_body "$FIXTURES/mastodon/rtoot_rstats_anonymous.http" >"$B/good.json"
"$CHATARC" --data "$D" import --chat fx "$B/good.json" >/dev/null
before=$(archive_sum "$D")

# Each bad file shares posts with good.json or adds new ones before its
# fault, so a wrong program would change the archive.
http_body "$FIXTURES/mastodon/rtoot_ichbinhanna_page1.http" | head -c 60000 >"$B/truncated.json"
jq -c '.[0].created_at = 1700000000' "$B/good.json" >"$B/wrong-type.json"
http_body "$FIXTURES/mastodon/rtoot_ichbinhanna_page2.http" | jq -c '.[]' >"$B/bad-utf8.jsonl"
printf '{"uri":"https://x.example/s/1","created_at":"2025-01-01T00:00:00Z","content":"<p>caf\xe9</p>","account":{"acct":"a@x.example"}}\n' >>"$B/bad-utf8.jsonl"
http_body "$FIXTURES/mastodon/rtoot_ichbinhanna_page2.http" | gzip -c | head -c 20000 >"$B/truncated.json.gz"
: >"$B/empty.json"
printf '<html><body>Service Unavailable</body></html>\n' >"$B/html-error-page.json"
echo '{"statuses": "none"}' >"$B/unknown-shape.json"

run_bad() { # NAME FILE WANT-IN-MESSAGE
	local name="$1" file="$2" want="$3"
	"$CHATARC" --data "$D" import --chat fx "$file" >"$TMP/out" 2>"$TMP/err"
	local code=$?
	local lines msg
	lines=$(wc -l <"$TMP/err")
	msg=$(cat "$TMP/err")
	if [ "$code" -ne 0 ] && [ "$lines" -eq 1 ] && [[ "$msg" == *"$(basename "$file")"* ]] &&
		[[ "$msg" == *"$want"* ]] && [ "$(archive_sum "$D")" == "$before" ]; then
		ok "bad input: $name: exit $code, one line, archive unchanged"
	else
		fail "bad input: $name" "exit $code, $lines lines: $msg" "archive changed: $([ "$(archive_sum "$D")" == "$before" ] && echo no || echo YES)"
	fi
}

run_bad "truncated JSON" "$B/truncated.json" "truncated JSON"
run_bad "a field of the wrong type" "$B/wrong-type.json" '"created_at" should be a string, found a number'
run_bad "invalid UTF-8 after 40 good posts" "$B/bad-utf8.jsonl" "bad-utf8.jsonl:41: invalid JSON"
run_bad "truncated gzip" "$B/truncated.json.gz" "truncated gzip"
run_bad "an empty file" "$B/empty.json" "empty file"
run_bad "a directory" "$B/a-directory" "is a directory"
run_bad "an HTML error page" "$B/html-error-page.json" "invalid JSON"
run_bad "JSON of an unknown shape" "$B/unknown-shape.json" "not a post chatarc knows"
run_bad "a missing file" "$B/no-such-file.json" "No such file"
# Times that fall outside 1970-9999 once in UTC: refused with file and line,
# never written to a 0000/ or 1969/ day file that no reader lists.
printf '%s\n' '{"uri": "at://did:plc:t/app.bsky.feed.post/1", "author": {"handle": "t.example"}, "record": {"text": "fine", "createdAt": "2026-01-01T10:00:00Z"}}' \
	'{"uri": "at://did:plc:t/app.bsky.feed.post/2", "author": {"handle": "t.example"}, "record": {"text": "year 10000 in UTC", "createdAt": "9999-12-31T23:59:59-14:00"}}' >"$B/year-10000.jsonl"
run_bad "a time in year 10000 UTC" "$B/year-10000.jsonl" "year-10000.jsonl:2: Bluesky post: record.createdAt is missing, not an ISO 8601 time, or outside 1970-9999 UTC"
printf '%s\n' '{"uri": "at://did:plc:t/app.bsky.feed.post/3", "author": {"handle": "t.example"}, "record": {"text": "1969 in UTC", "createdAt": "1970-01-01T00:00:00+01:00"}}' >"$B/year-1969.jsonl"
run_bad "a time in 1969 UTC" "$B/year-1969.jsonl" "year-1969.jsonl:1:"
# A 100 MB "post": refused as it streams in, with memory bounded.
python3 -c 'import sys; sys.stdout.write("{\"uri\": \"at://did:plc:t/app.bsky.feed.post/huge\", \"author\": {\"handle\": \"t.example\"}, \"record\": {\"createdAt\": \"2026-01-01T10:00:00Z\", \"text\": \"" + "x" * 100000000 + "\"}}\n")' >"$B/huge-post.jsonl"
run_bad "a 100 MB post" "$B/huge-post.jsonl" "one JSON object is larger than 16 MB"
/usr/bin/time -f %M -o "$TMP/huge.kb" "$CHATARC" --data "$D" import --chat fx "$B/huge-post.jsonl" >/dev/null 2>&1
if [ "$(cat "$TMP/huge.kb" | tail -1)" -lt 100000 ]; then ok "bad input: ... in under 100 MB of memory ($(($(tail -1 "$TMP/huge.kb") / 1024)) MB)"; else fail "bad input: a 100 MB post took $(($(tail -1 "$TMP/huge.kb") / 1024)) MB"; fi
rm -f "$B/huge-post.jsonl"

# --keep-going keeps the good posts of a damaged file and says which failed.
"$CHATARC" --data "$D" import --keep-going --chat fx "$B/bad-utf8.jsonl" >/dev/null 2>"$TMP/err"
code=$?
n=$("$CHATARC" --data "$D" export fx | wc -l)
expect_eq "bad input: --keep-going keeps 40 good posts and exits 3" "$code $n $(grep -c 'bad-utf8.jsonl:41: skipped' "$TMP/err")" "3 45 1"

# Several files, one bad: the good ones are kept, the exit is partial (3).
D2=$(new_data d2 fx)
allow_noindex "$D2"
"$CHATARC" --data "$D2" import --chat fx "$B/good.json" "$B/truncated.json" >/dev/null 2>"$TMP/err"
expect_eq "bad input: one bad file among good ones exits 3, keeps the good" \
	"$? $("$CHATARC" --data "$D2" export fx | wc -l)" "3 5"

# A malformed config names its file and line.
D3=$(new_data d3 fx)
allow_noindex "$D3"
printf '{\n  "chats": {\n    "fx": {"tags": "fx"}\n  }\n}\n' >"$D3/chatarc.conf"
"$CHATARC" --data "$D3" import --chat fx "$B/good.json" 2>"$TMP/err"
code=$?
msg=$(cat "$TMP/err")
if [ "$code" -eq 1 ] && [[ "$msg" == *"chatarc.conf:3: chats.fx.tags: expected an array of hashtags"* ]]; then
	ok "bad input: a malformed config is placed by file and line"
else
	fail "bad input: malformed config" "exit $code: $msg"
fi

# A full disk: the import fails cleanly and the archive is as it was.
if [ "$(id -u)" -eq 0 ] && command -v mount >/dev/null && mkdir -p "$TMP/full" &&
	mount -t tmpfs -o size=400k tmpfs "$TMP/full" 2>/dev/null; then
	D4="$TMP/full/d"
	mkdir -p "$D4"
	cp "$D/chatarc.conf" "$D4/"
	"$CHATARC" --data "$D4" import --chat fx "$B/good.json" >/dev/null 2>&1
	small=$(archive_sum "$D4")
	head -c 300000 /dev/urandom >"$TMP/full/filler" 2>/dev/null
	http_body "$FIXTURES/mastodon/rtoot_ichbinhanna_page1.http" >"$B/big.json"
	"$CHATARC" --data "$D4" import --chat fx "$B/big.json" >/dev/null 2>"$TMP/err"
	code=$?
	if [ "$code" -eq 1 ] && grep -q "No space left" "$TMP/err" && [ "$(archive_sum "$D4")" == "$small" ]; then
		ok "bad input: a full disk fails the import and leaves the archive as it was"
	else
		fail "bad input: full disk" "exit $code: $(cat "$TMP/err")"
	fi
	umount "$TMP/full"
else
	skip "bad input: full disk" "needs root to mount a small tmpfs"
fi

test_done
