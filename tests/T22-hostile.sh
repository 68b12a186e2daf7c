#!/usr/bin/env bash
# The second audit's hostile cases: posts, files and servers that lie.
# Each check fails on the program before its fix.
. "$(dirname "$0")/lib.sh"

# ---- A post from the year 9999 ----------------------------------------------
# Bluesky's createdAt is written by the poster's client. One accepted
# range, 1970-01-02 to a day after the post was seen: a post outside it is
# kept, its claim in its raw object, and placed by when the network saw it
# (indexedAt); the edge itself is kept as it is. Every reader then works
# on the data dir.
D=$(new_data dates redistricting)
allow_noindex "$D"
B="$FIXTURES/bluesky/bskyr_searchPosts_redistricting.body.json"
jq '.posts[0].record.createdAt = "9999-12-31T23:59:59.999Z" | .posts[0].indexedAt = "2025-07-01T00:00:00.000Z"
  | .posts[1].record.createdAt = "9999-06-01T12:00:00Z" | .posts[1].indexedAt = "2025-07-02T00:00:00.000Z"
  | .posts[2].record.createdAt = "1970-01-01T00:00:00Z" | .posts[2].indexedAt = "2025-07-03T00:00:00.000Z"
  | .posts[3].record.createdAt = "1970-01-02T00:00:00Z"' "$B" >"$TMP/future.json"
"$CHATARC" --data "$D" import --chat redistricting "$TMP/future.json" >/dev/null 2>"$TMP/err"
expect_eq "dates: a page with posts from 9999 imports (exit 0)" "$?" "0"
got=$("$CHATARC" --data "$D" export redistricting --format json |
	jq -r --slurpfile f "$TMP/future.json" '($f[0].posts[0:4] | map(.uri)) as $u | select(.uri as $x | $u | index($x)) | [.created_at, .raw.record.createdAt] | @tsv' | sort)
want=$(printf '%s	%s
' 1970-01-02T00:00:00.000Z 1970-01-02T00:00:00Z 2025-07-01T00:00:00.000Z 9999-12-31T23:59:59.999Z \
	2025-07-02T00:00:00.000Z 9999-06-01T12:00:00Z 2025-07-03T00:00:00.000Z 1970-01-01T00:00:00Z)
expect_eq "dates: placed by indexedAt, the claim kept in raw; the edge kept as it is" "$got" "$want"
expect_eq "dates: no day file past tomorrow" \
	"$(find "$D/archive" -name '*.jsonl.gz' | sed 's,.*/,,' | awk -v t="$(date -u -d tomorrow +%F)" '$0 > t' | wc -l)" "0"

# An archive written before the fix holds day files for 9999-12-31,
# 9999-06-01 and 1970-01-01 (1969-12-31 in the chat's Toronto): every
# reader still works, and the latest session is not a future one.
gz="$(find "$D/archive" -name '*.jsonl.gz' | head -1)"
for at in 9999-12-31T23:00 9999-06-01T20:00 1970-01-01T00:00; do
	day=${at%T*}
	mkdir -p "$D/archive/redistricting/${day%%-*}"
	zcat "$gz" | head -1 | jq -c --arg at "$at" '.created_at = $at + ":00.000Z" | .uri = .uri + $at' |
		gzip >"$D/archive/redistricting/${day%%-*}/$day.jsonl.gz"
done
for cmd in "export redistricting" "stats" "index" "search --count *" "update" "publish" "digest redistricting"; do
	# shellcheck disable=SC2086
	"$CHATARC" --data "$D" $cmd >/dev/null 2>"$TMP/err"
	expect_eq "dates: '$cmd' on an archive holding 9999-12-31 exits 0" "$? $(head -c 200 "$TMP/err")" "0 "
done
# No post of the fixture falls in a Wednesday 13:00-14:00 Toronto window:
# the latest session with messages is none (exit 1, saying so), never a
# date in 9999 nor an empty Wednesday.
"$CHATARC" --data "$D" summarise redistricting --format json >"$TMP/sum.json" 2>"$TMP/err"
expect_eq "dates: summarise finds no session with messages, not one in 9999 (exit 1, says so)" \
	"$? $(grep -c 'no session with messages yet' "$TMP/err") $(grep -c 9999 "$TMP/err") $(wc -c <"$TMP/sum.json")" "1 1 0 0"

# A Mastodon status claiming 9999 (its home server's clock) is placed by its
# id on the server that served it (a snowflake: milliseconds << 16).
M=$(new_data mdates rstats)
allow_noindex "$M"
http_body "$FIXTURES/mastodon/rtoot_rstats_default.http" | jq '.[0].created_at = "9999-01-01T00:00:00.000Z"' >"$TMP/m.json"
"$CHATARC" --data "$M" import --chat rstats "$TMP/m.json" >/dev/null
id=$(jq -r '.[0].id' "$TMP/m.json")
expect_eq "dates: a Mastodon status from 9999 is placed by its id's time" \
	"$("$CHATARC" --data "$M" export rstats | jq -r --arg u "$(jq -r '.[0].uri' "$TMP/m.json")" 'select(.uri == $u) | .created_at')" \
	"$(date -u -d "@$(( (id >> 16) / 1000 ))" +%FT%T).$(printf '%03d' $(( (id >> 16) % 1000 )))Z"


# ---- A raw NUL in a CSV cell ----------------------------------------------
# It cut the text there (exit 0); a JSON "\u0000" already became U+FFFD.
N=$(new_data nul pstweetchat)
{ head -3 "$FIXTURES/csv/pstweetchat/pstweetchat.csv"; } | sed '3s/I have learned/I have\x00 learned/' >"$TMP/nul.csv"
expect_eq "nul: the real row holds a raw NUL" "$(tr -dc '\000' <"$TMP/nul.csv" | wc -c)" "1"
"$CHATARC" --data "$N" import --chat pstweetchat "$TMP/nul.csv" >/dev/null 2>"$TMP/err"
expect_eq "nul: a CSV cell with a raw NUL keeps all its text, the NUL as U+FFFD" \
	"$? $("$CHATARC" --data "$N" export pstweetchat | jq -r .text)" \
	"0 @JeffHicks I have$(printf '\xef\xbf\xbd') learned so much I need to rest my brain. Thanks, everybody #PSTweetChat"

# ---- Duplicate keys in the config -----------------------------------------
# The first value won, where jq and Python take the last: a second "c" chat
# with another schedule was silently ignored.
K="$TMP/dupkeys"
mkdir -p "$K"
printf '{"chats": {\n  "c": {"tags": ["c"]},\n  "c": {"tags": ["d"], "schedule": {"weekday": "Fri", "start": "12:00", "minutes": 60, "tz": "UTC"}}\n}}\n' >"$K/chatarc.conf"
"$CHATARC" --data "$K" stats >/dev/null 2>"$TMP/err"
expect_eq "config: a key given twice is refused, naming both lines" \
	"$? $(cat "$TMP/err")" \
	"1 chatarc: stats: $K/chatarc.conf:3: chats.c is given twice (first on line 2); JSON readers disagree on which one counts: keep one"
# ---- A trailing comma, as people leave one -----------------------------------
# A chat added above init's commented example keeps its comma; the error
# pointed 8 lines below it, at the next key. Now the comma is taken out;
# a comma inside a string or before a real next entry stays as it was.
TC="$TMP/trailing"
"$CHATARC" --data "$TC" init >/dev/null
sed -i 's|^    // "hcsmca": {$|    "ps": {"tags": ["pstweetchat"], "hide": ["a,}@x.example",],},\n&|' "$TC/chatarc.conf"
"$CHATARC" --data "$TC" stats --format json >"$TMP/out" 2>"$TMP/err"
expect_eq "config: trailing commas before } and ] are accepted, a comma in a string kept" \
	"$? $(grep -c '"a,}@x.example",],},$' "$TC/chatarc.conf") $(cat "$TMP/err")" "0 1 "
sed -i 's|"hide": \["a,}@x.example",\],},|"hide": ["a@x.example",,],},|' "$TC/chatarc.conf"
"$CHATARC" --data "$TC" stats >/dev/null 2>"$TMP/err"
expect_eq "config: two commas are still an error, on their own line" \
	"$? $(grep -o 'chatarc.conf:[0-9]*' "$TMP/err")" "1 chatarc.conf:$(grep -n 'a@x.example",,' "$TC/chatarc.conf" | cut -d: -f1)"
printf '{"chats": {"c": {"tags": ["c"], "hide": ["a@x.example"]}, "d": {"tags": ["d"], "hide": ["a@x.example"]}}}\n' >"$K/chatarc.conf"
"$CHATARC" --data "$K" stats >/dev/null 2>"$TMP/err"
expect_eq "config: the same key in two objects is no duplicate" "$? $(cat "$TMP/err")" "0 "

# ---- CSV formula injection ----------------------------------------------------
# Spreadsheets run a cell that starts with =, +, -, @ (or a tab, a CR) as a
# formula. csv puts a ' inside the quotes of such a text cell (OWASP);
# numbers stay as they are; csv-raw keeps the bytes.
X=$(new_data formula rstats)
allow_noindex "$X"
http_body "$FIXTURES/mastodon/rtoot_rstats_default.http" |
	jq '.[0].content = "<p>=HYPERLINK(\"http://evil.example/\",\"click\") #rstats</p>" | .[0].account.display_name = "+1 Maya" | .[1].content = "<p>-2+3 #rstats</p>"' >"$TMP/formula.json"
"$CHATARC" --data "$X" import --chat rstats "$TMP/formula.json" >/dev/null
"$CHATARC" --data "$X" index >/dev/null
cells() { python3 -c 'import csv,sys
for row in csv.DictReader(sys.stdin):
    if row["text"][:2] in ("\x27=", "=H", "\x27-", "-2"): print(row["text"].lstrip("\x27")[:6] + ("|q" if row["text"][0] == "\x27" else "|-") + "|" + row["author_name"].lstrip("\x27")[:2] + ("|q" if row["author_name"][0] == "\x27" else "|-") + "|" + row["likes"])' | sort; }
want="-2+3 #|q|$(jq -r '.[1].account.display_name[:2]' "$TMP/formula.json")|-|$(jq -r '.[1].favourites_count' "$TMP/formula.json")
=HYPER|q|+1|q|$(jq -r '.[0].favourites_count' "$TMP/formula.json")"
expect_eq "csv: export neutralises formula cells with a leading ', numbers as they are" \
	"$("$CHATARC" --data "$X" export rstats --format csv | cells)" "$want"
expect_eq "csv: search --format csv does the same" \
	"$("$CHATARC" --data "$X" search --format csv '*' | cells)" "$want"
expect_eq "csv: csv-raw keeps the bytes" \
	"$("$CHATARC" --data "$X" export rstats --format csv-raw | cells)" "$(printf '%s\n' "$want" | sed "s/|q|/|-|/g" | sort)"

# ---- Queries anyone can send ------------------------------------------------
# A long phrase cost time quadratic in its length (4,000 words: 15 s on
# 100k messages); --limit -5 was taken silently.
Q=$(new_data query rstats)
allow_noindex "$Q"
http_body "$FIXTURES/mastodon/rtoot_rstats_default.http" >"$TMP/q.json"
"$CHATARC" --data "$Q" import --chat rstats "$TMP/q.json" >/dev/null
"$CHATARC" --data "$Q" index >/dev/null
long_phrase="\"$(yes the | head -65 | tr '\n' ' ')\""
timeout 20 "$CHATARC" --data "$Q" search "$long_phrase" >/dev/null 2>"$TMP/err"
expect_eq "query: a phrase of 65 words exits 2, saying the cap" "$? $(grep -c 'at most 64 words' "$TMP/err")" "2 1"
ok_phrase="\"$(yes the | head -64 | tr '\n' ' ')\""
timeout 20 "$CHATARC" --data "$Q" search --count "$ok_phrase" >/dev/null 2>"$TMP/err"
expect_eq "query: a phrase of 64 words is searched" "$?" "0"
many=$(yes 'r OR' | head -1001 | tr '\n' ' ')
timeout 20 "$CHATARC" --data "$Q" search "$many r" >/dev/null 2>"$TMP/err"
expect_eq "query: more than 1,000 words exit 2, saying the cap" "$? $(grep -c 'at most 1000 words' "$TMP/err")" "2 1"
"$CHATARC" --data "$Q" search --limit -5 rstats >/dev/null 2>"$TMP/err"
expect_eq "query: --limit -5 is refused" "$? $(grep -c 'limit must not be negative' "$TMP/err")" "2 1"
expect_eq "query: --limit 0 still counts as a limit (no hits)" "$("$CHATARC" --data "$Q" search --format json --limit 0 rstats | wc -l)" "0"

# ---- Output that attacks its reader ------------------------------------------
# The Markdown recap: a link with a line break escaped <...> (a phishing
# link and a tracking image after it), a javascript: link was an autolink,
# GFM autolinked URLs inside escaped names, @everyone notified a room; ESC
# sequences in names reached the terminal through summarise text|md.
R="$TMP/recap"
mkdir -p "$R"
printf '%s\n' '{"chats": {"h": {"tags": ["h"], "moderators": ["mod.example"], "schedule": {"weekday": "Wed", "start": "13:00", "minutes": 60, "tz": "UTC"}}}, "sources": {}}' >"$R/chatarc.conf"
bpost() { # ID HANDLE NAME TEXT MINUTE [LINK...]
	local id="$1" h="$2" name="$3" text="$4" at="$5"
	shift 5
	jq -n -c --arg id "$id" --arg h "$h" --arg name "$name" --arg text "$text" --arg at "$at" --args \
		'{uri: ("at://did:plc:" + $h + "/app.bsky.feed.post/" + $id), author: {handle: $h, displayName: $name},
		  record: {text: $text, createdAt: ("2026-11-18T13:" + $at + ":00Z"),
		           facets: [$ARGS.positional[] | {index: {byteStart: 0, byteEnd: 1}, features: [{"$type": "app.bsky.richtext.facet#link", uri: .}]}]},
		  likeCount: 9}' "$@"
}
{
	bpost 1 mod.example "Mod" "T1: Where do links go? #h" 05
	for i in 1 2 3; do
		bpost "2$i" a.example "Maya https://phish.example/login www.phish.example" "A1 see www.evil.example and https://evil.example/x or mail me@evil.example #h" "1$i" \
			"$(printf 'https://ok.example/a\n![t](https://track.example/p.png)')" "javascript:alert(1)" "https://good.example/page"
	done
	bpost 3 b.example "$(printf 'Bo @everyone and @here \033]0;pwned\007\033[2J')" "A1 look $(printf '\033[31m')red #h" 20 \
		"$(printf 'https://esc.example/\033[2J')"
} >"$R/posts.jsonl"
"$CHATARC" --data "$R" import --chat h "$R/posts.jsonl" >/dev/null
"$CHATARC" --data "$R" summarise h 2026-11-18 --format md >"$R/recap.md"
"$CHATARC" --data "$R" summarise h 2026-11-18 --format text >"$R/recap.txt"
expect_eq "recap: only the http(s) link without a line break is listed, as an autolink" \
	"$(sed -n '/^## Top links/,$p' "$R/recap.md" | grep -c -E 'track|javascript|ok\.example') $(grep -c -F -- '- <https://good.example/page> (3)' "$R/recap.md")" "0 1"
# What GFM would autolink in text: scheme://, www., user@host; none may stand unescaped.
expect_eq "recap: no URL, www. or address in post text or names is left for GFM to autolink" \
	"$(grep -v -E '^(- <https://good.example/page>|Transcript:)' "$R/recap.md" | grep -c -E '[a-z]://|(^|[^a-z])www\.|[a-z]@[a-z]')" "0"
expect_eq "recap: @everyone and @here are code spans in Markdown, joined-off in text" \
	"$(grep -c -F '`@everyone` and `@here`' "$R/recap.md") $(grep -c -F "@$(printf '\u2060')everyone and @$(printf '\u2060')here" "$R/recap.txt")" "1 1"
expect_eq "recap: no ESC reaches the terminal from md or text" \
	"$(cat "$R/recap.md" "$R/recap.txt" | tr -dc '\033\007' | wc -c) $(grep -c -F '\x1b]0;pwned\x07\x1b[2J' "$R/recap.txt")" "0 1"


# ---- Files where ours belong ------------------------------------------------
start_fake_social
fetch_conf() { # DIR [TOKEN-FILE]
	rm -rf "$1" && mkdir -p "$1"
	cat >"$1/chatarc.conf" <<EOC
{"chats": {"hanna": {"tags": ["IchbinHanna"], "sources": ["a"], "allow_noindex": true}},
 "sources": {"a": {"type": "mastodon", "url": "$BASE/a"${2:+, \"token_file\": \"$2\"}}},
 "fetch": {"backoff_base_ms": 100, "retries": 1, "recheck_days": 0}}
EOC
}

# A FIFO at token_file: every fetch used to block for ever on opening it.
F="$TMP/fifo"
fetch_conf "$F" token
mkfifo "$F/token"
timeout 20 "$CHATARC" --data "$F" fetch --since 2020-01-01 >/dev/null 2>"$TMP/err"
expect_eq "files: a FIFO at token_file is refused at once (exit 1), saying why" \
	"$? $(grep -c 'not a regular file' "$TMP/err")" "1 1"

# stats prints tags, authors and links, the posts' own text.
"$CHATARC" --data "$R" stats h >"$TMP/stats.txt" 2>&1
expect_eq "terminal: stats' text escapes what posts wrote (a link's ESC shown, never acted on)" \
	"$(tr -dc '\033\007' <"$TMP/stats.txt" | wc -c) $(grep -c -F 'https://esc.example/\x1b[2J' "$TMP/stats.txt")" "0 1"

# A server's 401 body with ESC sequences reached the terminal (and cron's
# mail) through fetch's error message.
ctl '{"faults": [{"match": "timelines", "kind": "401", "times": 5, "error": "\u001b]0;owned\u0007\u001b[2Jlog in"}]}'
fetch_conf "$TMP/esc"
"$CHATARC" --data "$TMP/esc" fetch --since 2020-01-01 >/dev/null 2>"$TMP/err"
expect_eq "terminal: a server's 401 body reaches stderr escaped, never as ESC" \
	"$? $(tr -dc '\033\007' <"$TMP/err" | wc -c) $(grep -c -F '\x1b]0;owned\x07\x1b[2Jlog in' "$TMP/err")" "1 0 1"
ctl '{"faults": []}'

# Links under DIR where state, locks and cursors belong: nothing is written
# through them, and the message names the link.
OUTSIDE="$TMP/outside"
links_case() { # NAME WHAT-TO-LINK COMMAND...
	local name="$1" link="$2"
	shift 2
	rm -rf "$OUTSIDE" && mkdir -p "$OUTSIDE"
	fetch_conf "$TMP/l"
	mkdir -p "$TMP/l/state/hanna" "$(dirname "$TMP/l/$link")"
	rm -rf "${TMP:?}/l/$link"
	ln -s "$OUTSIDE/target" "$TMP/l/$link"
	[ "${link##*/}" = "publish.lock" ] || [ "${link##*/}" = "fetch.lock" ] || mkdir -p "$OUTSIDE/target"
	"$CHATARC" --data "$TMP/l" "$@" >/dev/null 2>"$TMP/err"
	local rc=$?
	expect_eq "files: $name: refused, the link named, nothing written outside" \
		"$rc $(grep -c 'is a symbolic link' "$TMP/err") $(find "$OUTSIDE" -type f | wc -l)" "$rc 1 0"
	[ "$rc" -ne 0 ] || fail "files: $name: exit 0"
}
links_case "DIR/state a link (publish)" state publish
links_case "state/publish a link" state/publish publish
links_case "state/publish.lock a link to a new file" state/publish.lock publish
links_case "DIR/state a link (fetch)" state fetch --since 2020-01-01
links_case "state/CHAT a link" state/hanna fetch --since 2020-01-01
links_case "state/CHAT/SOURCE a link" state/hanna/a fetch --since 2020-01-01
links_case "state/CHAT/fetch.lock a link" state/hanna/fetch.lock fetch --since 2020-01-01

test_done
