#!/usr/bin/env bash
# chatarc import of tweets kept as CSV: each dialect against the JSON of the
# same tweets (our recorded fixtures written out as each tool writes its CSV,
# by tests/csv-dialects.py), the damage spreadsheets do, and two real chats
# archived as spreadsheets (#PSTweetChat by Twitter Archiver, #cancerchat by
# Topsy: tests/fixtures/csv, with their provenance in tests/fixtures/README.md).
. "$(dirname "$0")/lib.sh"

T="$FIXTURES/twitter"
C="$TMP/csv"
python3 "$ROOT/tests/csv-dialects.py" "$T/tweepy_v11_search_tweets.body.json" \
	"$T/twarccsv_brexit_page1_first20.json" "$T/twarccsv_two_tweets.jsonl" "$C"
D=$(new_data d v11 v2 tags damaged twarc15 twarc twarccsv lost ps cc ccjson)

# Records as export gives them, by uri, without what only says where they came from.
records() { "$CHATARC" --data "$D" export "$1" --format json | jq -c 'del(.raw, .source, .chat)' | sort; }
# The fields of each CSV record that differ from the JSON record of its uri.
differences() {
	jq -c -s --slurpfile json "$2" --argjson skip "$3" '.[] as $r
		| ($json[] | select(.uri == $r.uri)) as $j
		| [$r | to_entries[] | select((.key | IN($skip[])) | not) | select(.value != $j[.key]) | .key]
		| select(length > 0) | {uri: $r.uri, differ: .}' "$1"
}

"$CHATARC" --data "$D" import --chat v11 "$T/tweepy_v11_search_tweets.body.json"
"$CHATARC" --data "$D" import --chat v2 "$T/twarccsv_brexit_page1_first20.json" "$T/twarccsv_two_tweets.jsonl"
records v11 >"$TMP/v11.jsonl"
records v2 >"$TMP/v2.jsonl"
# v1.1 retweets give their original; a CSV row of a retweet has only its id.
originals=$(jq -r '.statuses[] | select(.retweeted_status == null) | .id_str' "$T/tweepy_v11_search_tweets.body.json" | sort | tr '\n' ' ' | sed 's/ $//')

for case in "tags tags.csv [\"author_name\",\"likes\",\"reposts\",\"replies\",\"lang\"] TAGS" \
	"twarc15 twarc-2015.csv [] twarc json2csv (2015 header)" \
	"twarc twarc.csv [] twarc json2csv (later header)"; do
	read -r chat file skip name <<<"$case"
	out=$("$CHATARC" --data "$D" import -v --chat "$chat" "$C/$file")
	records "$chat" >"$TMP/$chat.jsonl"
	expect_eq "csv: $name: every original tweet of the JSON, retweets counted, not stored" \
		"$(jq -r .native_id "$TMP/$chat.jsonl" | sort | tr '\n' ' ' | sed 's/ $//') | ${out#*: }" \
		"$originals | 9 posts: 9 new, 0 updated, 0 already archived; 6 boosts counted; 9 without the chat's tag (kept; --require-tag leaves them out)"
	expect_eq "csv: $name: each record equals the JSON's field by field (but for the columns $name lacks: $skip)" \
		"$(differences "$TMP/$chat.jsonl" "$TMP/v11.jsonl" "$skip")" ""
done

# One rule for a retweet in every dialect: a row whose text starts "RT @"
# is a boost even where the sheet's retweet column is empty (a manual
# retweet, or a cell a spreadsheet lost: 18 rows of a real #critlib sheet
# were stored as messages). The real tweets' sheet with that column blanked.
/usr/bin/python3 - "$C/twarc-2015.csv" >"$C/twarc-blank-rt.csv" <<'PY'
import csv, sys
rows = csv.reader(open(sys.argv[1], encoding="utf-8", newline=""))
out = csv.writer(sys.stdout, lineterminator="\r\n")
header = next(rows)
out.writerow(header)
for row in rows:
    row[header.index("reweet_id")] = ""
    out.writerow(row)
PY
out=$("$CHATARC" --data "$D" import -v --chat twarc15 "$C/twarc-blank-rt.csv")
expect_eq "csv: a sheet whose retweet column is empty: its RT @ rows are boosts, not messages" \
	"${out#*: }" \
	"9 posts: 0 new, 0 updated, 9 already archived; 6 boosts counted; 9 without the chat's tag (kept; --require-tag leaves them out)"
"$CHATARC" --data "$D" import --chat twarccsv "$C/twarc-csv.csv"
records twarccsv >"$TMP/twarccsv.jsonl"
expect_eq "csv: twarc-csv (API v2): the same records as the twarc2 JSON, field by field" \
	"$(wc -l <"$TMP/twarccsv.jsonl") $(differences "$TMP/twarccsv.jsonl" "$TMP/v2.jsonl" '[]')" \
	"$(wc -l <"$TMP/v2.jsonl") "
expect_eq "csv: twarc-csv: a text spanning lines is read whole" \
	"$(jq -s '[.[] | select(.text | test("\n"))] | length' "$TMP/twarccsv.jsonl")" \
	"$(jq -s '[.[] | select(.text | test("\n"))] | length' "$TMP/v2.jsonl")"

# As a spreadsheet leaves it: a banner line, ids rounded to 15 digits, the
# header again mid-file, CRLF. The status_url column keeps the true ids.
grep -q '^1149825924029980000,' "$C/tags-damaged.csv" && ok "csv: the damaged TAGS file holds rounded ids" ||
	fail "csv: the damaged TAGS file holds no rounded id"
"$CHATARC" --data "$D" import --chat damaged "$C/tags-damaged.csv"
expect_eq "csv: damaged TAGS (banner, rounded ids, header repeated, CRLF): the same records as the clean file" \
	"$(records damaged | md5sum)" "$(md5sum <"$TMP/tags.jsonl")"

# Rounded ids and no URL to recover them: refused, each line named.
"$CHATARC" --data "$D" import --chat lost "$C/rounded-no-url.csv" 2>"$TMP/err"
expect_eq "csv: a rounded id with no status URL fails the file, naming the line and what to do" \
	"$?:$(grep -c 'rounded-no-url.csv:2: tweet id [0-9]*0000 was rounded by a spreadsheet.*--keep-going' "$TMP/err"):$("$CHATARC" --data "$D" export lost | wc -l)" \
	"1:1:0"
"$CHATARC" --data "$D" import --keep-going --chat lost "$C/rounded-no-url.csv" 2>"$TMP/err"
expect_eq "csv: with --keep-going each such row is reported by line, exit 3" \
	"$?:$(grep -o 'rounded-no-url.csv:[0-9]*: skipped' "$TMP/err" | tr '\n' ' ')" \
	"3:rounded-no-url.csv:2: skipped rounded-no-url.csv:4: skipped rounded-no-url.csv:5: skipped "

# A clean file whose ids are not rounded but one ends in zeros, as one in
# 10,000 true ids does: imported, not refused (a million-row export holds a
# hundred such ids).
D3=$(new_data zero z)
"$CHATARC" --data "$D3" import --chat z "$C/zero-tail.csv" 2>"$TMP/err"
expect_eq "csv: a true id ending in zeros, in a file whose ids are not rounded, is imported" \
	"$?:$("$CHATARC" --data "$D3" export z | jq -r .native_id | grep -c '^1149788838430220000$')" "0:1"

# The real #cancerchat, Topsy's CSV and its v1.1 JSON (tools/topsy-to-v11.py):
# Topsy keeps no names and no times but the day; times come from the ids.
# The JSON was made before followers were kept, so they are left out.
CC="$FIXTURES/csv/cancerchat"
# (On its own tag: Topsy's ~-joined tags carry it, so nothing more is said.)
sed -i 's/"tags": \["cc"\]/"tags": ["cancerchat"]/' "$D/chatarc.conf"
out=$("$CHATARC" --data "$D" import -v --chat cc "$CC/Tweets_CancerChat_full.csv")
"$CHATARC" --data "$D" import --chat ccjson "$CC/cancerchat.v11.jsonl"
seconds() { jq -c '.created_at |= .[0:19] | del(.author_name, .author_followers)'; }
expect_eq "csv: real Topsy #cancerchat: 156 rows, 101 retweets counted, the records of its JSON" \
	"${out#*: } $(records cc | seconds | md5sum)" \
	"55 posts: 55 new, 0 updated, 0 already archived; 101 boosts counted $(records ccjson | seconds | md5sum)"

# Retweets are kept as boost events, out of the messages (who amplified
# whom, for research): export --retweets gives one row a retweet, in
# twarc-csv's columns, the (booster, retweeted account) pairs python's csv
# module reads from the "RT @user" rows of Topsy's file; its JSON
# (tools/topsy-to-v11.py) keeps 93 of them as native retweets.
/usr/bin/python3 - "$CC/Tweets_CancerChat_full.csv" >"$TMP/rt.want" <<'PY'
import csv, re, sys
for row in csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")):
    m = re.match(r"RT @(\w+)", row["content"])
    if m:
        print(row["trackback_author_nick"].lower(), m.group(1).lower())
PY
pairs() { "$CHATARC" --data "$D" export "$1" --retweets --format csv | /usr/bin/python3 -c '
import csv, sys
for row in csv.DictReader(sys.stdin):
    print(row["author.username"].lower(), row["retweeted_username"].lower())' | sort; }
pairs ccjson >"$TMP/rt.json"
expect_eq "csv: #cancerchat's 101 retweets are boost events, the pairs python reads; the JSON's 93 among them" \
	"$(sort "$TMP/rt.want" | md5sum) $(wc -l <"$TMP/rt.want") | $(pairs cc | md5sum) | $(sort "$TMP/rt.want" | comm -13 - "$TMP/rt.json" | wc -l) $(wc -l <"$TMP/rt.json")" \
	"$(sort "$TMP/rt.want" | md5sum) 101 | $(sort "$TMP/rt.want" | md5sum) | 0 $(grep -c '"retweeted_status"' "$CC/cancerchat.v11.jsonl")"
expect_eq "csv: the JSON's native retweets name the original by id, as twarc-csv does; no boost is a message" \
	"$("$CHATARC" --data "$D" export ccjson --retweets | jq -r 'select(."referenced_tweets.retweeted.id" != null) | ."referenced_tweets.retweeted.id"' | grep -c '^[0-9]*$') $("$CHATARC" --data "$D" export cc | grep -c '"text":"RT @')" \
	"$(jq -r 'select(.retweeted_status != null) | .id' "$CC/cancerchat.v11.jsonl" | wc -l) 0"
# stats --edges: a retweet edge a (booster, retweeted) pair, weighted by
# its retweets, beside the reply and mention edges.
expect_eq "csv: stats --edges has the retweet network: one edge a pair, weighted as python counts" \
	"$("$CHATARC" --data "$D" stats cc --edges --format csv | awk -F, '$3 == "retweet" { print tolower($1), tolower($2), $4 }' | sort)" \
	"$(tr 'A-Z' 'a-z' <"$TMP/rt.want" | sort | uniq -c | awk '{ print $2, $3, $1 }' | sort)"
# Forgetting an account takes the boosts of its messages with it, and its
# own boosts; the others stay.
"$CHATARC" --data "$D" forget @debecca >"$TMP/forget.out"
expect_eq "csv: forget @debecca: no boost event names it, the other boosts stay" \
	"$(grep -o 'forgot [0-9]* boost events' "$TMP/forget.out") $("$CHATARC" --data "$D" export cc ccjson --retweets | grep -ci debecca) $(pairs cc | wc -l)" \
	"forgot $(($(grep -ci 'debecca' "$TMP/rt.want") + $(grep -ci 'debecca' "$TMP/rt.json"))) boost events 0 $(grep -vci debecca "$TMP/rt.want")"

# Topsy keeps no display names: a highlight names its author by @account,
# never as an empty link (the real #cancerchat, its two most active
# accounts as moderators so that it has topics and highlights).
sed -i 's/"cc": {"tags": \["cancerchat"\], "schedule": {[^}]*}}/"cc": {"tags": ["cancerchat"], "moderators": ["abcdiagnosis", "everydayableism"]}/' "$D/chatarc.conf"
"$CHATARC" --data "$D" publish cc >/dev/null
page=$(ls "$D"/site/cc/20*.html | head -1)
expect_eq "csv: Topsy's highlights are named @account, no link is empty" \
	"$(grep -o '<a href="#m[0-9a-f]*"></a>' "$page" | wc -l) $(grep -o '<ul class="highlights">.*' "$page" | grep -o '<a href="#m[0-9a-f]*">@[a-z0-9_]*</a>' | wc -l | sed 's/^[1-9][0-9]*$/some/')" "0 some"

# The real #PSTweetChat, Twitter Archiver: a banner, US Eastern local times,
# newest first, "Location" twice. Every row is a tweet (no retweets).
PS="$FIXTURES/csv/pstweetchat"
"$CHATARC" --data "$D" import --chat ps "$PS/pstweetchat.csv" "$PS/pstweetchat_2019_at_3dfabab.csv"
records ps >"$TMP/ps.jsonl"
expect_eq "csv: real Twitter Archiver #PSTweetChat: every row once (2,473 + 877)" \
	"$(wc -l <"$TMP/ps.jsonl") $(jq -r .native_id "$TMP/ps.jsonl" | sort -u | wc -l)" "3350 3350"
# Archiver's Link(s) cell holds a message's links a line each: each is a
# link of its own, as python's csv module reads the cells (41 messages
# have two or more, once read as one URL with a line break); a comma is
# part of a link ("...powershell,/azure/2019/...").
want=$(/usr/bin/python3 - "$PS/pstweetchat.csv" "$PS/pstweetchat_2019_at_3dfabab.csv" <<'PY'
import csv, sys
n = 0
for path in sys.argv[1:]:
    rows = list(csv.reader(open(path, encoding="utf-8", newline="")))
    head = next(i for i, r in enumerate(rows) if "Tweet ID" in r)
    col = rows[head].index("Link(s)")
    n += sum(1 for r in rows[head + 1:] if len(r) > col and len(r[col].split()) >= 2)
print(n)
PY
)
expect_eq "csv: Archiver's several links in one cell are links of their own ($want messages), none with a space or line break" \
	"$(jq -r 'select((.links | length) >= 2) | .uri' "$TMP/ps.jsonl" | wc -l) $(jq -r '.links[] | select(test("\\s"))' "$TMP/ps.jsonl" | wc -l)" "$want 0"
# The sheet's local time (US Eastern) agrees with the id's to the second:
# python's zoneinfo converts, independently of chatarc.
python3 - "$PS/pstweetchat.csv" >"$TMP/ps-utc.txt" <<'EOF'
import csv, datetime, sys, zoneinfo
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))[2:]
zone = zoneinfo.ZoneInfo("America/New_York")
for r in rows:
    t = datetime.datetime.strptime(r[0], "%m/%d/%Y %H:%M:%S").replace(tzinfo=zone)
    print(r[4], t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"))
EOF
jq -r '"\(.native_id) \(.created_at[0:19])"' "$TMP/ps.jsonl" | sort >"$TMP/ps-ids.txt"
expect_eq "csv: Archiver: each tweet's time is the sheet's US Eastern time, in UTC" \
	"$(sort "$TMP/ps-utc.txt" | comm -23 - "$TMP/ps-ids.txt" | wc -l) $(wc -l <"$TMP/ps-utc.txt")" "0 2473"
# Ids too old to carry a time: the local time is read in the chat's zone
# (America/Toronto, as New York), across both DST changes of the sheet.
python3 - "$PS/pstweetchat.csv" "$TMP/old-ids.csv" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
with open(sys.argv[2], "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f)
    for i, r in enumerate(rows):
        if i >= 2:
            r[4] = str(100000 + i)  # an id from 2006, before ids held time
        w.writerow(r)
EOF
D2=$(new_data old ps)
"$CHATARC" --data "$D2" import --chat ps "$TMP/old-ids.csv"
paste -d' ' <(tail -n +3 "$TMP/old-ids.csv" | python3 -c 'import csv,sys; [print(r[4]) for r in csv.reader(sys.stdin)]') \
	<(cut -d' ' -f2 "$TMP/ps-utc.txt") | sort >"$TMP/old-expected.txt"
"$CHATARC" --data "$D2" export ps --format json | jq -r '"\(.native_id) \(.created_at[0:19])"' | sort >"$TMP/old-got.txt"
expect_file_eq "csv: Archiver rows without a time in the id: local times in the chat's zone, DST either side" \
	"$TMP/old-got.txt" "$TMP/old-expected.txt"
expect_eq "csv: ... and both sides of a DST change are there" \
	"$(grep -c 'T17:' "$TMP/old-got.txt" | awk '{print ($1 > 0)}') $(grep -c 'T18:' "$TMP/old-got.txt" | awk '{print ($1 > 0)}')" "1 1"

# Neither JSON nor a known CSV: a clear error, nothing kept.
printf 'name,when\nmaya,today\n' >"$TMP/other.csv"
"$CHATARC" --data "$D" import --chat lost "$TMP/other.csv" 2>"$TMP/err"
expect_eq "csv: a file that is neither JSON nor a known CSV dialect exits 1 and says which it knows" \
	"$?:$(grep -c 'neither JSON .* nor CSV .*TAGS, twarc json2csv, twarc-csv, Twitter Archiver, Topsy' "$TMP/err")" "1:1"
# A quoted field that never closes (a file cut short): the line is named.
head -c 3000 "$C/tags.csv" >"$TMP/cut.csv"
"$CHATARC" --data "$D" import --chat lost "$TMP/cut.csv" 2>"$TMP/err"
expect_eq "csv: a file cut inside a quoted field exits 1, names the line, keeps nothing" \
	"$?:$(grep -c 'cut.csv:[0-9]*: a quoted field opened on this line never closes' "$TMP/err"):$("$CHATARC" --data "$D" export lost | wc -l)" "1:1:0"

test_done
