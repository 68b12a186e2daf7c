#!/usr/bin/env bash
# chatarc summarise: the topic of every message against hand-labelled gold
# sessions (accuracy reported, fails below 95%), the XML against its schema,
# determinism, the recap, and the edge cases of real chats.
. "$(dirname "$0")/lib.sh"

D="$TMP/d"
"$CHATARC" --data "$D" init --sample >/dev/null
G="$ROOT/tests/gold"
"$CHATARC" --data "$D" import --chat hcsmdemo "$G"/nolabels-dst/*.json "$G"/late-replies/*.json >/dev/null

# Sessions phrased as real chats are: in a data dir of their own, so that
# the sample's newcomers stay as they are.
DR="$TMP/real"
"$CHATARC" --data "$DR" init --sample >/dev/null
"$CHATARC" --data "$DR" import --chat hcsmdemo "$G"/real-phrasing/*.json >/dev/null
# A real chat: #cancerchat, 19 June 2014 (tests/fixtures/csv/cancerchat), in
# the converted copy made by tools/topsy-to-v11.py. Its host never numbers
# the questions, and the answers are @-replies without labels.
DC="$TMP/cancerchat"
mkdir -p "$DC"
cat >"$DC/chatarc.conf" <<'EOF'
{"chats": {"hcsmdemo": {"tags": ["cancerchat"], "moderators": ["EverydayAbleism"],
  "schedule": {"weekday": "Thu", "start": "21:00", "minutes": 60, "tz": "Europe/London"}}}, "sources": {}}
EOF
"$CHATARC" --data "$DC" import --chat hcsmdemo "$FIXTURES/csv/cancerchat/cancerchat.v11.jsonl" >/dev/null

# accuracy DIR DATE GOLD.tsv: compares each message's section with its gold
# label; prints "GOOD TOTAL QFOUND QTOTAL LGOOD LTOTAL": messages in their
# topic, gold topics whose question was found (the topic exists and its
# question is a message of that topic), and messages that carry an answer
# label ("A1", "Q1:", "(Q1)", "#q2", after @mentions) placed right.
accuracy() {
	"$CHATARC" --data "$1" summarise hcsmdemo "$2" --format json >"$TMP/s.json" || return 1
	jq -r '(.intro.messages[] | [.uri, "intro"]), (.topics[] | .label as $t | .messages[] | [.uri, $t]),
		(.wrap.messages[] | [.uri, "wrap"]), (.unassigned.messages[] | [.uri, "unassigned"]) | @tsv' \
		"$TMP/s.json" | sort >"$TMP/got.tsv"
	jq -r '.topics[] | .label as $l | .question.ref as $r | .messages[] | select(.id == $r) | [.uri, $l] | @tsv' "$TMP/s.json" | sort >"$TMP/questions.tsv"
	jq -r '.. | objects | select(has("method") and (.question | not)) | select(.text | test("^([.@][^ ]+ +)*[(#\\[]?[AQTaqt] ?[0-9]")) | .uri' \
		"$TMP/s.json" | sort >"$TMP/labelled.txt"
	grep -v '^#' "$3" | sort >"$TMP/gold.tsv"
	join -t $'\t' -a 2 "$TMP/gold.tsv" "$TMP/got.tsv" | awk -F'\t' -v qfile="$TMP/questions.tsv" -v lfile="$TMP/labelled.txt" '
		BEGIN { while ((getline l < qfile) > 0) { split(l, f, "\t"); q[f[1]] = f[2] }
			while ((getline l < lfile) > 0) labelled[l] = 1 }
		{ n++; if ($2 == $3) ok++; else printf "     miss: %s gold %s got %s\n", $1, $2, ($3 == "" ? "(absent)" : $3) > "/dev/stderr"
		  if ($2 ~ /^T/) topics[$2] = 1
		  if (($1 in q) && q[$1] == $2) found[$2] = 1
		  if ($1 in labelled) { lt++; if ($2 == $3) lok++ } }
		END { for (t in topics) { qt++; if (t in found) qok++ }
			printf "%d %d %d %d %d %d\n", ok, n, qok, qt, lok, lt }'
}
# Messages in their topic: at least 95% where replies and labels tell; 90%
# in the real #cancerchat, where the CSV kept no reply links and only time
# places an answer (two of its answers reply to the question before).
for session in "$D 2026-11-18 hcsmdemo-2026-11-18.tsv 95 the bundled sample" \
	"$D 2026-11-04 nolabels-dst.tsv 95 few labels, first week after DST ended" \
	"$D 2026-11-11 late-replies.tsv 95 late replies across networks, two labels in one" \
	"$DR 2026-10-28 real-phrasing.tsv 95 questions and answers phrased as in real chats" \
	"$DC 2014-06-19 cancerchat-2014-06-19.tsv 90 real #cancerchat: unnumbered questions, unlabelled answers"; do
	set -- $session
	read -r good total qok qt lok lt < <(accuracy "$1" "$2" "$G/$3" 2>"$TMP/misses")
	desc="${session#* * * * }"
	if [ -n "$total" ] && [ "$total" -gt 0 ] && [ $((good * 100)) -ge $((total * $4)) ] &&
		[ $((qok * 100)) -ge $((qt * 95)) ] && [ $((lok * 100)) -ge $((lt * 90)) ]; then
		ok "summarise: gold $2 ($desc): $good/$total messages in their topic ($((good * 100 / total))%), questions found $qok/$qt, labelled answers placed $lok/$lt"
	else
		fail "summarise: gold $2 ($desc): $good/$total, questions $qok/$qt, labelled $lok/$lt" "$(cat "$TMP/misses")"
	fi
done

"$CHATARC" --data "$D" summarise hcsmdemo >"$TMP/latest.xml"
check "summarise: the XML validates against share/schema/summary.rng" \
	xmllint --noout --relaxng "$ROOT/share/schema/summary.rng" "$TMP/latest.xml"
expect_eq "summarise: without DATE, the latest session" "$(grep -o 'date="[0-9-]*"' "$TMP/latest.xml" | head -1)" 'date="2026-11-18"'
"$CHATARC" --data "$D" summarise hcsmdemo 2026-11-18 >"$TMP/again.xml"
# The same sample imported one status a run, newest first (no Mastodon reply
# finds its parent while importing): replies resolve by the parent's id when
# the session is read, and the summary is the same byte for byte.
DS="$TMP/split"
"$CHATARC" --data "$DS" init --sample >/dev/null && rm -rf "$DS/archive/hcsmdemo" # its config, none of its posts
mkdir -p "$DS/in"
for f in "$ROOT"/share/sample/hcsmdemo/mastodon-*.json; do
	jq -c '.[]' "$f" | awk -v d="$DS/in" -v b="$(basename "$f" .json)" '{ print "[" $0 "]" > (d "/" b "-" NR ".json") }'
done
for f in $(ls -r "$DS"/in/*.json); do "$CHATARC" --data "$DS" import --chat hcsmdemo "$f" >/dev/null; done
"$CHATARC" --data "$DS" import --chat hcsmdemo "$ROOT"/share/sample/hcsmdemo/bluesky-*.json \
	"$G"/nolabels-dst/*.json "$G"/late-replies/*.json >/dev/null
"$CHATARC" --data "$DS" summarise hcsmdemo 2026-11-18 >"$TMP/split.xml"
expect_eq "summarise: the sample split one status a file resolves the same replies (parents known: $(grep -c ' reply-to="m' "$TMP/again.xml"))" \
	"$(grep -c ' reply-to="m' "$TMP/split.xml") $(cmp -s "$TMP/split.xml" "$TMP/again.xml" && echo identical)" \
	"$(grep -c ' reply-to="m' "$TMP/again.xml") identical"
expect_file_eq "summarise: the same archive gives byte-identical output" "$TMP/again.xml" "$TMP/latest.xml"
xml_ids=$(grep -o '<message id="m[0-9a-f]*"' "$TMP/latest.xml" | cut -d'"' -f2 | sort | tr '\n' ' ')
json_ids=$("$CHATARC" --data "$D" summarise hcsmdemo --format json | jq -r '.. | objects | select(has("method")) | .id' | sort | tr '\n' ' ')
expect_eq "summarise: JSON holds the same messages as XML" "$json_ids" "$xml_ids"

# The recap of the sample, after two earlier sessions.
"$CHATARC" --data "$D" summarise hcsmdemo 2026-11-18 --format json >"$TMP/s.json"
got=$(jq -c '[."message-count", ."topic-count", ."reply-count", ."unassigned-count", (.networks | map([.name, .count]))]' "$TMP/s.json")
expect_eq "summarise: counts, networks" "$got" '[158,5,38,0,[["bluesky",83],["mastodon",75]]]'
got=$(jq -c '[.participants[] | select(.author == "maya@toot.example" or .author == "ottawadoc@medsocial.example") | [.author, .regular // false, .newcomer // false]]' "$TMP/s.json")
expect_eq "summarise: regulars came before, newcomers are new" "$got" '[["maya@toot.example",true,false],["ottawadoc@medsocial.example",false,true]]'
got=$(jq -r '.links[] | .url' "$TMP/s.json" | grep -c 'utm_\|fbclid')
expect_eq "summarise: links lose their tracking parameters" "$got" "0"
got=$(jq '[.activity[].count] | add' "$TMP/s.json")
expect_eq "summarise: the activity histogram counts every message" "$got" "158"
got=$(jq -c '[.topics[] | (.highlights | length) as $n | [.label, ($n >= 3 and $n <= 5)]]' "$TMP/s.json")
expect_eq "summarise: 3 to 5 highlights per topic" "$got" '[["T1",true],["T2",true],["T3",true],["T4",true],["T5",true]]'
got=$(jq -r '.topics[] | .messages as $m | .highlights[] | .ref as $r | $m[] | select(.id == $r) | select(.moderator or .question) | .id' "$TMP/s.json" | wc -l)
expect_eq "summarise: highlights are participants' messages, never the question" "$got" "0"
got=$(jq -r '.topics[] | select(.label == "T3") | .question.text' "$TMP/s.json")
expect_eq "summarise: a corrected question counts once, in its corrected words" "$got" "T3: How can we reach people with low health literacy online? #hcsmdemo"

# Edge cases, each a small session of its own (Bluesky JSON written here).
E="$TMP/edge"
mkdir -p "$E"
cat >"$E/chatarc.conf" <<'JSON'
{"chats": {
  "edge": {"tags": ["edge"], "moderators": ["mod.example", "co.example"],
           "schedule": {"weekday": "Wed", "start": "13:00", "minutes": 60, "tz": "America/Toronto", "slack_minutes": 10}},
  "oz": {"tags": ["oz"], "moderators": ["mod.example"],
         "schedule": {"weekday": "Wed", "start": "19:00", "minutes": 60, "tz": "Australia/Sydney"}},
  "free": {"tags": ["free"]}
}}
JSON
post() { # URI-KEY AUTHOR UTC TEXT [PARENT-KEY]
	local reply=""
	[ -n "${5:-}" ] && reply=",\"reply\": {\"parent\": {\"uri\": \"at://did:plc:e/app.bsky.feed.post/$5\"}, \"root\": {\"uri\": \"at://did:plc:e/app.bsky.feed.post/$5\"}}"
	printf '{"uri": "at://did:plc:e/app.bsky.feed.post/%s", "author": {"handle": "%s"}, "record": {"text": "%s", "createdAt": "%s"%s}}\n' "$1" "$2" "$4" "$3" "$reply"
}
{
	# 2026-11-04: T3 asked before T2; two moderators; "A1 & A2"; a label
	# naming no question; a question posted as a thread of two.
	post a1 mod.example 2026-11-04T18:01:00Z "T1: first question"
	post a2 mod.example 2026-11-04T18:01:30Z "and what would help?" a1
	post a3 ann.example 2026-11-04T18:03:00Z "A1 something"
	post a4 co.example 2026-11-04T18:10:00Z "T3: the third, asked early"
	post a5 bob.example 2026-11-04T18:12:00Z "no label, during T3"
	post a6 mod.example 2026-11-04T18:20:00Z "T2: the second"
	post a7 cyd.example 2026-11-04T18:22:00Z "A1 & A2 both at once"
	post a8 dan.example 2026-11-04T18:23:00Z "A9 no such question"
	post a9 eve.example 2026-11-04T18:24:00Z "A3: late but labelled"
	# 2026-11-11: no topic questions at all.
	post b1 ann.example 2026-11-11T18:05:00Z "just chatting"
	post b2 bob.example 2026-11-11T18:06:00Z "me too" b1
} | jq -s '{posts: .}' >"$E/edge.json"
"$CHATARC" --data "$E" import --chat edge "$E/edge.json" >/dev/null
"$CHATARC" --data "$E" summarise edge 2026-11-04 --format json >"$TMP/e.json"
section_of() { jq -r --arg k "$1" '(.intro.messages[], (.topics[] | .label as $t | .messages[] | .t = $t), .wrap.messages[], (.unassigned.messages[] | .t = "unassigned")) | select(.uri | endswith($k)) | (.t // "section") + " " + .method' "$TMP/e.json"; }
expect_eq "summarise: topics are listed by number even when T3 came before T2" "$(jq -c '[.topics[].label]' "$TMP/e.json")" '["T1","T2","T3"]'
expect_eq "summarise: between T3 and T2, time places a message in T3" "$(section_of /a5)" "T3 time"
expect_eq "summarise: either moderator's question counts" "$(section_of /a4)" "T3 question"
expect_eq "summarise: a question posted as a thread of two is one question" "$(section_of /a2)" "T1 question"
expect_eq "summarise: \"A1 & A2\" goes to the topic under way" "$(section_of /a7)" "T2 label"
expect_eq "summarise: a label naming no question leaves the message unassigned" "$(section_of /a8)" "unassigned none"
expect_eq "summarise: an explicit late label wins over time" "$(section_of /a9)" "T3 label"
got=$(jq -r '.unassigned.messages[0].reason' "$TMP/e.json")
[ -n "$got" ] && [ "$got" != null ] && ok "summarise: an unassigned message says why" || fail "summarise: no reason"
"$CHATARC" --data "$E" summarise edge 2026-11-11 --format json >"$TMP/e2.json"
expect_eq "summarise: a session without questions is all welcome, nothing lost" \
	"$(jq -c '[."topic-count", (.intro.messages | length), ."unassigned-count"]' "$TMP/e2.json")" '[0,2,0]'
# A date with no session (the next week, off the schedule, long before):
# said, with the nearest sessions, exit 1 and nothing on stdout.
"$CHATARC" --data "$E" summarise edge 2026-11-18 >"$TMP/empty.xml" 2>"$TMP/err"
expect_eq "summarise: a date after the last session exits 1 and names the nearest" \
	"$?:$(wc -c <"$TMP/empty.xml"):$(cat "$TMP/err")" \
	"1:0:chatarc: summarise: edge has no session on 2026-11-18 (nothing archived in its window: cancelled, or a gap in the archive); the nearest with messages is 2026-11-11"
"$CHATARC" --data "$E" summarise edge 2026-11-07 >/dev/null 2>"$TMP/err"
expect_eq "summarise: a date between sessions names both neighbours" "$?:$(grep -o 'the nearest.*' "$TMP/err")" \
	"1:the nearest with messages are 2026-11-04 and 2026-11-11"

# Windows in both hemispheres across DST: Sydney moved to AEDT (UTC+11) on
# 2026-10-04, so 19:00 on 2026-10-07 is 08:00 UTC (it was 09:00 UTC before).
{
	post o1 mod.example 2026-10-07T07:55:00Z "early hello"
	post o2 mod.example 2026-10-07T08:01:00Z "T1: question"
	post o3 ann.example 2026-10-07T09:05:00Z "A1 at the end"
	post o4 bob.example 2026-10-07T09:40:00Z "after the window"
} | jq -s '{posts: .}' >"$E/oz.json"
"$CHATARC" --data "$E" import --chat oz "$E/oz.json" >/dev/null
got=$("$CHATARC" --data "$E" summarise oz 2026-10-07 --format json | jq -c '[.start, ."message-count"]')
expect_eq "summarise: a Sydney session after DST starts is cut at local time" "$got" '["2026-10-07T07:45:00.000Z",3]'

# Without a schedule: a session is a burst of 10 or more messages with no
# 20-minute silence, named by the local date it starts on, even when it
# runs past midnight; lone posts are no session.
{
	post f1 ann.example 2026-11-04T14:00:00Z "a lone morning post"
	post f2 ann.example 2026-11-04T16:00:00Z "another lone post"
	for i in 50 52 54 56 58; do post "f$i" bob.example "2026-11-04T23:$i:00Z" "burst $i"; done
	for i in 00 02 04 06 08 10 12; do post "g$i" cyd.example "2026-11-05T00:$i:00Z" "burst after midnight $i"; done
	post f3 ann.example 2026-11-07T09:00:00Z "a lone post days later"
} | jq -s '{posts: .}' >"$E/free.json"
"$CHATARC" --data "$E" import --chat free "$E/free.json" >/dev/null
got=$("$CHATARC" --data "$E" summarise free 2026-11-04 --format json | jq -c '[.window, ."message-count", .start, .end]')
expect_eq "summarise: without a schedule, the session is a burst, across midnight" "$got" \
	'["burst",12,"2026-11-04T23:50:00.000Z","2026-11-05T00:12:00.001Z"]'
got=$("$CHATARC" --data "$E" summarise free --format json | jq -c '[.date, ."message-count"]')
expect_eq "summarise: the latest session of a chat without a schedule is its latest burst" "$got" '["2026-11-04",12]'
"$CHATARC" --data "$E" summarise free 2026-11-07 >/dev/null 2>"$TMP/err"
expect_eq "summarise: a day of lone posts is no session" "$?:$(grep -o 'the nearest.*' "$TMP/err")" "1:the nearest with messages is 2026-11-04"

"$CHATARC" --data "$E" summarise nochat >/dev/null 2>&1
expect_eq "summarise: an unknown chat fails (exit 1)" "$?" "1"
"$CHATARC" --data "$E" summarise edge 2026-99-01 >/dev/null 2>&1
expect_eq "summarise: a bad date is a usage error (exit 2)" "$?" "2"

# The recap (--format md / text), on the real #cancerchat: its figures are
# the summary's, checked against the JSON.
"$CHATARC" --data "$DC" summarise hcsmdemo 2014-06-19 --format json >"$TMP/recap.json"
"$CHATARC" --data "$DC" summarise hcsmdemo 2014-06-19 --format md >"$TMP/recap.md"
want_head="$(jq -r '"\(."message-count") message\(if ."message-count" == 1 then "" else "s" end) from \(.participants | length) participant"' "$TMP/recap.json")"
expect_eq "recap: the real #cancerchat session's counts are the summary's" \
	"$(grep -c -F "$want_head" "$TMP/recap.md")" "1"
expect_eq "recap: each question with its answer count as the summary has it" \
	"$(grep -o -E '\([0-9]+ answers?\)$' "$TMP/recap.md" | tr -dc '0-9\n' | tr '\n' ' ')" \
	"$(jq -r '[.topics[] | ."message-count" - (if .question then 1 else 0 end)] | map(tostring) | join(" ")' "$TMP/recap.json") "
expect_eq "recap: the top participant first, and the transcript's page" \
	"$(grep -c -F "1. " "$TMP/recap.md") $(tail -1 "$TMP/recap.md")" \
	"1 Transcript: hcsmdemo/2014-06-19.html"
"$CHATARC" --data "$DC" summarise hcsmdemo 2014-06-19 --format text >"$TMP/recap.txt"
expect_eq "recap --format text: the same figures, no Markdown" \
	"$(grep -c -E '^(## |> )|\*\*' "$TMP/recap.txt") $(grep -c -F "$want_head" "$TMP/recap.txt")" "0 1"

# Hostile posts: quoted, never links, images, HTML or headings in the recap.
H="$TMP/hostile"
mkdir -p "$H"
printf '%s\n' '{"chats": {"h": {"tags": ["h"], "moderators": ["mod.example"], "schedule": {"weekday": "Wed", "start": "13:00", "minutes": 60, "tz": "UTC"}}}, "sources": {}}' >"$H/chatarc.conf"
post() { jq -n -c --arg id "$1" --arg h "$2" --arg name "$3" --arg text "$4" --arg at "$5" --argjson likes "$6" \
	'{uri: ("at://did:plc:" + $h + "/app.bsky.feed.post/" + $id), author: {handle: $h, displayName: $name}, record: {text: $text, createdAt: ("2026-11-18T13:" + $at + ":00Z")}, likeCount: $likes}'; }
{
	post 1 mod.example "Mod" "T1: What do you think of links? #h" 05 0
	post 2 a.example "[x](javascript:alert(1))" "A1 [click me](javascript:alert(1)) and ![img](https://evil.example/x.png) really now #h" 06 50
	post 3 b.example "B" "A1 <script>alert(1)</script> <img src=x onerror=alert(1)> *bold* and _under_ #h" 07 40
	post 4 c.example "C" "# Heading attempt A1 with | table | cells | and \`code\` here #h" 08 30
} >"$H/posts.jsonl"
"$CHATARC" --data "$H" import --chat h "$H/posts.jsonl" >/dev/null
"$CHATARC" --data "$H" summarise h 2026-11-18 --format md >"$H/recap.md"
unescaped=$(($(grep -E '^(> |[0-9]+\. )' "$H/recap.md" | sed 's/\\.//g' | grep -c -E '\[|<|\*|_|`|\|') + $(grep -c -E '^> #' "$H/recap.md")))
expect_eq "recap: hostile posts' [links](..), ![images], <html>, *emphasis*, code and | tables are escaped" \
	"$unescaped $(grep -c -E '^> ' "$H/recap.md") $(grep -E '^#' "$H/recap.md" | grep -c -v -E '^(# \\#h, |## (Questions|Top participants|First time here|Top links)$)')" "0 3 0"
# The first archived session: nobody can be told to be new (nothing came
# before), so nobody is marked first time; the next session's newcomers are
# the authors the first did not have (brute force over the export).
FS="$TMP/first"
"$CHATARC" --data "$FS" init --sample >/dev/null
"$CHATARC" --data "$FS" import --chat hcsmdemo "$G"/nolabels-dst/*.json "$G"/late-replies/*.json >/dev/null
dates=$("$CHATARC" --data "$FS" export hcsmdemo --format json | jq -r '.created_at[0:10]' | sort -u | tr '\n' ' ')
first=$("$CHATARC" --data "$FS" summarise hcsmdemo 2026-11-04 --format json | jq '[.participants[] | select(.newcomer)] | length')
second_new=$("$CHATARC" --data "$FS" summarise hcsmdemo 2026-11-11 --format json | jq -r '[.participants[] | select(.newcomer) | .author] | sort | join(" ")')
want_new=$(comm -13 <("$CHATARC" --data "$FS" export hcsmdemo --until 2026-11-08 --format json | jq -r .author | sort -u) \
	<("$CHATARC" --data "$FS" summarise hcsmdemo 2026-11-11 --format json | jq -r '.participants[].author' | sort -u) | tr '\n' ' ' | sed 's/ $//')
expect_eq "summarise: the first archived session marks nobody first time; the next, who the archive never had" \
	"$first / $second_new" "0 / $want_new"

# The recap as one post (--format mastodon|bluesky), on the real #cancerchat:
# within each network's limit as that network counts (Bluesky: graphemes,
# counted here by python3-regex's \X; Mastodon: a link is 23, @user@server
# is @user), with the transcript's absolute link last.
sed -i 's|^{"chats"|{"site": {"base_url": "https://chats.example.org/hcsm/"}, "chats"|' "$DC/chatarc.conf"
for net in mastodon bluesky; do
	"$CHATARC" --data "$DC" summarise hcsmdemo 2014-06-19 --format "$net" >"$TMP/post.$net"
done
count() { /usr/bin/python3 -c 'import regex, sys
t = open(sys.argv[2], encoding="utf-8").read().rstrip("\n")
if sys.argv[1] == "bluesky":
    print(len(regex.findall(r"\X", t)))
else:
    t = regex.sub(r"(?<=^|\s)https?://\S+", "x" * 23, t)
    t = regex.sub(r"(?<=^|\s)(@[^@\s]+)@\S+", r"\1", t)
    print(len(t))' "$1" "$2"; }
m=$(count mastodon "$TMP/post.mastodon") b=$(count bluesky "$TMP/post.bluesky")
[ "$m" -le 500 ] && [ "$m" -ge 300 ] && [ "$b" -le 300 ] && [ "$b" -ge 200 ] &&
	ok "post: the real #cancerchat recap fills but fits one Mastodon post ($m of 500) and one Bluesky post ($b of 300)" ||
	fail "post: lengths" "mastodon $m, bluesky $b"
expect_eq "post: the chat's hashtag and the session's figures first, the transcript's absolute link last" \
	"$(head -1 "$TMP/post.bluesky" | grep -c -F "#cancerchat 2014-06-19: $(jq '."message-count"' "$TMP/recap.json") messages from $(jq '.participants | length' "$TMP/recap.json") people") $(tail -1 "$TMP/post.mastodon") $(tail -1 "$TMP/post.bluesky")" \
	"1 Transcript: https://chats.example.org/hcsm/hcsmdemo/2014-06-19.html Transcript: https://chats.example.org/hcsm/hcsmdemo/2014-06-19.html"
# One fitting rule: no question repeats the chat's tag (the post carries it
# once, first); a question cut is cut at a word, with "…"; a question
# that cannot be shown is counted in "(+N more ...)", never dropped
# silently (before: Mastodon dropped T4 outright, Bluesky T3 and T4).
for net in mastodon bluesky; do
	/usr/bin/python3 - "$TMP/post.$net" "$TMP/recap.json" <<'PY' >"$TMP/fit.$net"
import json, re, sys
lines = open(sys.argv[1], encoding="utf-8").read().rstrip("\n").split("\n")
topics = json.load(open(sys.argv[2]))["topics"]
shown = [l for l in lines[1:-1] if re.match(r"T\d+ ", l)]
more = [int(m.group(1)) for l in lines for m in [re.match(r"\(\+(\d+) more questions? in the transcript\)$", l)] if m]
tags = sum("#cancerchat" in l.lower() for l in lines[1:])
def words(t):
    return re.sub(r"\s+", " ", re.sub(r"#cancerchat\b", "", t, flags=re.I)).strip()
cut_at_word = True
for l, t in zip(shown, topics):
    if l.endswith("…"):
        whole = t["label"] + " " + words(t["question"]["text"])
        kept = l[:-1]
        cut_at_word &= whole.startswith(kept) and whole[len(kept):len(kept) + 1] in (" ", "")
print(len(shown) + sum(more) == len(topics), tags, cut_at_word)
PY
done
expect_eq "post: every question shown or counted, the chat's tag only first, cut at a word (Mastodon, Bluesky)" \
	"$(cat "$TMP/fit.mastodon") / $(cat "$TMP/fit.bluesky")" "True 0 True / True 0 True"
# Questions of emoji sequences (a family: 7 code points, one grapheme) and
# long words are cut between graphemes, never inside one.
E2="$TMP/emoji"
mkdir -p "$E2"
printf '%s\n' '{"chats": {"e": {"tags": ["e"], "moderators": ["mod.example"], "schedule": {"weekday": "Wed", "start": "13:00", "minutes": 60, "tz": "UTC"}}}, "site": {"base_url": "https://x.example/"}, "sources": {}}' >"$E2/chatarc.conf"
fam=$(printf '\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7\xe2\x80\x8d\xf0\x9f\x91\xa6')
for k in 1 2 3; do
	q="T$k: $(for i in $(seq 120); do printf '%s' "$fam"; done) #e"
	jq -n -c --arg id "$k" --arg text "$q" --arg at "0$k" '{uri: ("at://did:plc:mod.example/app.bsky.feed.post/" + $id), author: {handle: "mod.example", displayName: "Mod"}, record: {text: $text, createdAt: ("2026-11-18T13:" + $at + ":00Z")}}'
	jq -n -c --arg id "a$k" --arg text "A$k yes #e" --arg at "1$k" '{uri: ("at://did:plc:a.example/app.bsky.feed.post/" + $id), author: {handle: "a.example", displayName: "A"}, record: {text: $text, createdAt: ("2026-11-18T13:" + $at + ":00Z")}}'
done >"$E2/posts.jsonl"
"$CHATARC" --data "$E2" import --chat e "$E2/posts.jsonl" >/dev/null
"$CHATARC" --data "$E2" summarise e 2026-11-18 --format bluesky >"$E2/post"
b=$(count bluesky "$E2/post")
broken=$(/usr/bin/python3 -c 'import regex, sys
t = open(sys.argv[1], encoding="utf-8").read()
fam = "\U0001F468\u200d\U0001F469\u200d\U0001F467\u200d\U0001F466"
print(sum(1 for g in regex.findall(r"\X", t) if "\u200d" in g and g != fam))' "$E2/post")
expect_eq "post: emoji sequences are cut between graphemes, within 300, every question shown" \
	"$([ "$b" -le 300 ] && echo fits) $broken $(grep -c '^T[123]:' "$E2/post") $(grep -c '…$' "$E2/post")" "fits 0 3 2"

# export's session, topic and topic_method are the summary's, message by
# message: on the sample (labelled), the real-phrasing sessions and the
# real #cancerchat (unnumbered questions, unlabelled answers).
for case in "$D 2026-11-18 sample" "$DR 2026-10-28 real-phrasing" "$DC 2014-06-19 real #cancerchat"; do
	read -r dir date name <<<"$case"
	"$CHATARC" --data "$dir" summarise hcsmdemo "$date" --format json | jq -r --arg d "$date" \
		'(.intro.messages[] | [.uri, $d, "intro", .method]), (.topics[] | .id as $t | .messages[] | [.uri, $d, $t, .method]),
		 (.wrap.messages[] | [.uri, $d, "wrap", .method]), ((.unassigned.messages // [])[] | [.uri, $d, "", .method]) | @tsv' |
		sort >"$TMP/places-want.tsv"
	"$CHATARC" --data "$dir" export hcsmdemo --format json | jq -r --arg d "$date" 'select(.session == $d) | [.uri, .session, (.topic // ""), .topic_method] | @tsv' |
		sort >"$TMP/places-got.tsv"
	expect_eq "export: session, topic and method are the summary's for every message ($name, $(wc -l <"$TMP/places-want.tsv") messages)" \
		"$(diff "$TMP/places-got.tsv" "$TMP/places-want.tsv" | head -3)" ""
done

# "people": one person's accounts on several networks count as one
# participant. The sample's moderator posts from Mastodon and Bluesky;
# listed as one person (the second account written with '@' and capitals),
# the session has one participant fewer, with both accounts' messages.
# And a person seen earlier under another account is no newcomer.
DP="$TMP/people"
"$CHATARC" --data "$DP" init --sample >/dev/null
"$CHATARC" --data "$DP" import --chat hcsmdemo "$G"/nolabels-dst/*.json "$G"/late-replies/*.json >/dev/null
"$CHATARC" --data "$DP" summarise hcsmdemo 2026-11-18 --format json >"$TMP/apart.json"
sed -i 's|^{|{"people": {"#hcsmdemo moderators": ["hcsmdemo@toot.example", "@HCSMdemo.bsky.example"], "Priya Shah": ["priya.bsky.example", "aisha.bsky.example"]},|' "$DP/chatarc.conf"
"$CHATARC" --data "$DP" summarise hcsmdemo 2026-11-18 --format json >"$TMP/people.json"
expect_eq "people: two accounts of one person are one participant, with both accounts' messages and the person's name" \
	"$(jq '.participants | length' "$TMP/people.json") $(jq -c '.participants[] | select(.author == "hcsmdemo@toot.example") | [.name, ."message-count", .accounts]' "$TMP/people.json")" \
	"$(($(jq '.participants | length' "$TMP/apart.json") - 2)) [\"#hcsmdemo moderators\",$(jq '[.participants[] | select(.author | startswith("hcsmdemo")) | ."message-count"] | add' "$TMP/apart.json"),\"hcsmdemo@toot.example hcsmdemo.bsky.example\"]"
expect_eq "people: a person seen in earlier sessions under another account is no newcomer" \
	"$(jq -c '[.participants[] | select(.author == "priya.bsky.example") | .newcomer]' "$TMP/apart.json") $(jq -c '[.participants[] | select(.author == "priya.bsky.example") | .newcomer]' "$TMP/people.json")" \
	"[true] [null]"
expect_eq "people: the XML with people is valid against the schema" \
	"$("$CHATARC" --data "$DP" summarise hcsmdemo 2026-11-18 --format xml | xmllint --noout --relaxng "$ROOT/share/schema/summary.rng" - 2>&1)" "- validates"
printf '{"people": {"A": ["x@y"], "B": ["X@Y"]}, "chats": {}}' >"$TMP/dup.conf"
mkdir -p "$TMP/dup" && cp "$TMP/dup.conf" "$TMP/dup/chatarc.conf"
"$CHATARC" --data "$TMP/dup" summarise nochat >/dev/null 2>"$TMP/err"
expect_eq "people: an account listed for two people is a config error naming both" \
	"$?:$(grep -c 'people.B.*X@Y is already A' "$TMP/err")" "1:1"

test_done
