#!/usr/bin/env bash
# chatarc index and search: exact hit sets checked against a brute-force scan
# of the archive (chatarc export + jq), stemming, phrases, operators, date
# edges, incremental indexing, rebuild, search during indexing, SIGKILL.
. "$(dirname "$0")/lib.sh"

D="$TMP/d"
"$CHATARC" --data "$D" init --sample >/dev/null
"$CHATARC" --data "$D" index >/dev/null
"$CHATARC" --data "$D" export hcsmdemo >"$TMP/all.jsonl"

# same_hits QUERY JQ-FILTER: the search's uris equal the brute-force scan's.
same_hits() {
	local got want
	got=$("$CHATARC" --data "$D" search --format json "$1" | jq -r .uri | sort)
	want=$(jq -r "select($2) | .uri" "$TMP/all.jsonl" | sort)
	if [ "$got" == "$want" ] && [ -n "$want" ]; then
		ok "search: $1 ($(echo "$want" | wc -l) hits, as a scan of the archive finds)"
	else
		fail "search: $1" "got $(echo "$got" | grep -c .) hits, scan finds $(echo "$want" | grep -c .)" "$(diff <(echo "$want") <(echo "$got") | head -4)"
	fi
}
same_hits 'tag:hcsmdemo' '.tags | index("hcsmdemo")'
same_hits 'from:maya@toot.example' '.author == "maya@toot.example"'
same_hits 'network:bluesky' '.network == "bluesky"'
same_hits 'reply:yes' '.reply_to != null'
same_hits 'reply:no AND network:mastodon' '.reply_to == null and .network == "mastodon"'
same_hits 'policy' '.text + " " + .author_name | test("\\bpolic(y|ies)\\b"; "i")'
same_hits 'policies' '.text + " " + .author_name | test("\\bpolic(y|ies)\\b"; "i")'
same_hits '"office hours"' '.text | test("office hours"; "i")'
same_hits 'policy NOT from:maya@toot.example' '(.text | test("\\bpolic(y|ies)\\b"; "i")) and .author != "maya@toot.example"'
same_hits '(training OR literacy) AND network:mastodon' '(.text | test("\\b(training|literacy)\\b"; "i")) and .network == "mastodon"'
same_hits 'chat:hcsmdemo date:2026-11-18..2026-11-18' 'true'
same_hits 'date:..2026-11-18 from:hcsmdemo@toot.example' '.author == "hcsmdemo@toot.example"'

# topic: and session: come from the summariser's placement of each message.
"$CHATARC" --data "$D" summarise hcsmdemo 2026-11-18 --format json >"$TMP/s.json"
for t in T1 T3 T5; do
	got=$("$CHATARC" --data "$D" search --format json "topic:$t" | jq -r .uri | sort)
	want=$(jq -r --arg t "$t" '.topics[] | select(.label == $t) | .messages[].uri' "$TMP/s.json" | sort)
	expect_eq "search: topic:$t finds the messages the summariser put in $t" "$got" "$want"
done
got=$("$CHATARC" --data "$D" search --count 'topic:intro session:2026-11-18')
expect_eq "search: topic:intro session:DATE is the welcome section" "$got" "$(jq '.intro.messages | length' "$TMP/s.json")"
expect_eq "search: field values match whatever their case" \
	"$("$CHATARC" --data "$D" search --count 'from:MAYA@Toot.Example AND topic:t1')" \
	"$(jq '[.topics[] | select(.label == "T1") | .messages[] | select(.author == "maya@toot.example")] | length' "$TMP/s.json")"

expect_eq "search: a date range before the session finds nothing" \
	"$("$CHATARC" --data "$D" search --count 'date:..2026-11-17')" "0"
expect_eq "search: --count" "$("$CHATARC" --data "$D" search --count 'network:mastodon')" "75"
got=$("$CHATARC" --data "$D" search --format json --sort date tag:hcsmdemo | jq -r .created_at)
expect_eq "search: --sort date is time order" "$got" "$(echo "$got" | sort)"
got=$("$CHATARC" --data "$D" search --format json --sort -date --limit 3 --offset 1 tag:hcsmdemo | jq -r .created_at | tr '\n' ' ')
expect_eq "search: --sort -date with --limit and --offset" "$got" "$(jq -r .created_at "$TMP/all.jsonl" | sort -r | sed -n 2,4p | tr '\n' ' ')"
head=$("$CHATARC" --data "$D" search --format csv policy | head -1)
expect_eq "search: CSV has a header with the score last" "$head" $'uri,network,source,chat,created_at,author,author_name,text,content_warning,lang,url,native_id,reply_to,reply_to_id,reply_to_account,thread_root,quote_of,tags,mentions,links,media_count,media_alt,replies,reposts,likes,author_followers,edited_at,score\r'
# Phrases are stemmed like words (the index holds stemmed terms only,
# issue 17): "reading panels" also finds "reading panel".
expect_eq "search: a phrase matches its words' other forms, in order" \
	"$("$CHATARC" --data "$D" search --format json '"reading panels"' | jq -r .author | sort | tr '\n' ' ')" \
	"healthlib@toot.example lina@toot.example "
expect_eq "search: a phrase's words in another order do not match" \
	"$("$CHATARC" --data "$D" search --count '"panels reading"')" "0"
line=$("$CHATARC" --data "$D" search --limit 1 '"reading panels with volunteers"')
expect_eq "search: text shows local time with its UTC offset, chat, author, text and link" "$line" \
	"2026-11-18 13:29 -05:00  hcsmdemo  healthlib@toot.example  @lina we run reading panels with volunteers from the community. Happy to share how #hcsmdemo  https://toot.example/@healthlib/117638862268385273"
marked=$(script -qc "'$CHATARC' --data '$D' search --limit 1 '\"reading panels with volunteers\"'" /dev/null | tr -d '\r')
expect_eq "search: on a terminal, matched terms are marked" "$marked" \
	$'2026-11-18 13:29 -05:00  hcsmdemo  healthlib@toot.example  @lina we run \e[1mreading\e[0m \e[1mpanels\e[0m \e[1mwith\e[0m \e[1mvolunteers\e[0m from the community. Happy to share how #hcsmdemo  https://toot.example/@healthlib/117638862268385273'
"$CHATARC" --data "$D" search 'policy AND (' >/dev/null 2>"$TMP/err"
expect_eq "search: a malformed query exits 2 and says why" "$? $(grep -c 'a ( is not closed: add the )' "$TMP/err")" "2 1"

# Incremental: two more sessions imported; only their days are read.
"$CHATARC" --data "$D" import --chat hcsmdemo "$ROOT"/tests/gold/nolabels-dst/*.json "$ROOT"/tests/gold/late-replies/*.json >/dev/null
out=$("$CHATARC" --data "$D" index -v)
expect_eq "index: an incremental run reads only the changed days" "$out" \
	"indexed 56 messages from 2 changed day files (1 unchanged); 214 documents"
expect_eq "index: a run with nothing new reads nothing" "$("$CHATARC" --data "$D" index -v)" \
	"indexed 0 messages from 0 changed day files (3 unchanged); 214 documents"
# A day already indexed changes (a later read with more likes): its
# documents are replaced, never doubled.
uri=$(jq -r '.posts[0].uri' "$ROOT/share/sample/hcsmdemo/bluesky-searchPosts-page1.json")
jq '{posts: [.posts[0] | .likeCount = 999]}' "$ROOT/share/sample/hcsmdemo/bluesky-searchPosts-page1.json" >"$TMP/more-likes.json"
"$CHATARC" --data "$D" import --chat hcsmdemo "$TMP/more-likes.json" >/dev/null
out=$("$CHATARC" --data "$D" index -v)
got=$("$CHATARC" --data "$D" search --format json chat:hcsmdemo | jq -r --arg u "$uri" 'select(.uri == $u) | .likes')
expect_eq "index: a changed day replaces its documents (count kept, new likes found)" "$out | $got" \
	"indexed 158 messages from 1 changed day file (2 unchanged); 214 documents | 999"
before=$(readlink "$D/index")
"$CHATARC" --data "$D" index --rebuild >/dev/null
after=$(readlink "$D/index")
expect_eq "index: --rebuild swaps in a new generation with the same documents" \
	"$([ "$after" != "$before" ] && echo new) $("$CHATARC" --data "$D" search --count 'chat:hcsmdemo')" "new 214"
expect_eq "index: the old generations are removed" "$(ls "$D/index.d")" "${after#index.d/}"

# A bigger archive: search while a rebuild writes; SIGKILL mid-index.
B=$(new_data big big)
"$ROOT/tools/gen-posts" 60000 5 >"$TMP/big.jsonl"
"$CHATARC" --data "$B" import --chat big "$TMP/big.jsonl" >/dev/null
"$CHATARC" --data "$B" index >/dev/null
"$CHATARC" --data "$B" index --rebuild >/dev/null 2>&1 &
pid=$!
searches=0 good=0
while kill -0 "$pid" 2>/dev/null && [ $searches -lt 50 ]; do
	n=$("$CHATARC" --data "$B" search --count 'tag:hcsm') && [ "$n" == 60000 ] && good=$((good + 1))
	searches=$((searches + 1))
done
wait "$pid"
[ "$searches" -ge 1 ] && [ "$good" == "$searches" ] && ok "search: works while a rebuild is writing ($good searches, all complete)" ||
	fail "search during rebuild" "$good of $searches"
# Killed mid-run, past the first commit (every 5,000 documents): a first
# build is searchable as it commits, so the kill waits until search sees
# documents, not for a guessed share of a measured run (a slower machine
# killed before any commit, and the re-run rightly resumed nothing).
rm -rf "$B/index" "$B/index.d"
"$CHATARC" --data "$B" index >/dev/null 2>&1 &
pid=$!
killed=0
while kill -0 "$pid" 2>/dev/null; do
	n=$("$CHATARC" --data "$B" search --count 'chat:big' 2>/dev/null) || n=0
	if [ "${n:-0}" -gt 0 ] && kill -KILL "$pid" 2>/dev/null; then
		killed=1
		break
	fi
	sleep 0.02
done
wait "$pid" 2>/dev/null
[ "$killed" -eq 1 ] && ok "index: killed mid-run" || fail "index: every run finished before the kill"
out=$("$CHATARC" --data "$B" index -v 2>&1)
expect_eq "index: after SIGKILL mid-index, a re-run ends with one document per message" \
	"$("$CHATARC" --data "$B" search --count 'chat:big')" "60000"
days=$(find "$B/archive" -name '*.gz' | wc -l)
done_before=$(echo "$out" | sed -n 's/.*(\([0-9]*\) unchanged).*/\1/p')
[ -n "$done_before" ] && [ "$done_before" -gt 0 ] && [ "$done_before" -lt "$days" ] &&
	ok "index: the re-run resumed: $done_before of $days days were already committed" ||
	fail "index: resume" "$out"

# A first build of this much archive is split between two processes and
# merged: every message once, each document's data the message as export
# gives it, and no helper's half left behind.
rm -rf "$B/index" "$B/index.d"
"$CHATARC" --data "$B" index >/dev/null
"$CHATARC" --data "$B" search --format json '*' | jq -c 'del(.score, .raw)' | sort >"$TMP/big.search"
"$CHATARC" --data "$B" export big --format json | jq -c 'del(.raw, .session, .topic, .topic_method)' | sort >"$TMP/big.export"
expect_file_eq "index: a build in two processes holds every message once, as export has it" \
	"$TMP/big.search" "$TMP/big.export"
expect_eq "index: the two halves are merged into one generation" "$(ls "$B/index.d")" "2"

# The halves are halves of the work, not of the days: a chat whose last
# day holds most of its messages (30 quiet weeks, then one busy hour) has
# the second process index that day alone. Split by days, it would take
# 15 days, the busy one among them, and one core would wait.
K=$(new_data skewed skewed)
{ "$ROOT/tools/gen-posts" 3000 5 100 && "$ROOT/tools/gen-posts" 30000 6 30000; } >"$TMP/skewed.jsonl"
"$CHATARC" --data "$K" import --chat skewed "$TMP/skewed.jsonl" >/dev/null
mkdir -p "$TMP/trace"
strace -f -ff -e trace=openat,execve -o "$TMP/trace/t" "$CHATARC" --data "$K" index >/dev/null 2>&1
helper=$(grep -L execve "$TMP/trace"/t.* | head -1) # forked, never exec'd
busiest=$(find "$K/archive" -name '*.jsonl.gz' -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2)
expect_eq "index: split by bytes, the second process indexes the one busy day ($(find "$K/archive" -name '*.jsonl.gz' | wc -l) days)" \
	"$(grep -o '[^"]*\.jsonl\.gz' "${helper:-/dev/null}" | sort -u)" "$busiest"
expect_eq "index: ... and the index holds every message once" \
	"$("$CHATARC" --data "$K" search --count '*')" "$("$CHATARC" --data "$K" export skewed | wc -l)"
# Each process reads a day file once: the session windows that place a
# day's messages, the bursts that find them (no schedule here) and the
# indexing itself share one parse (it was three reads a day).
for t in "$TMP/trace"/t.*; do grep -o 'openat([^"]*"[^"]*\.jsonl\.gz' "$t" | sort | uniq -c; done >"$TMP/day-opens"
expect_eq "index: each process opens each day file once (sessions, bursts and documents from one read)" \
	"$(awk '$1 > 1' "$TMP/day-opens" | wc -l) $(($(wc -l <"$TMP/day-opens") >= $(find "$K/archive" -name '*.jsonl.gz' | wc -l)))" "0 1"

# An index an older chatarc built (other terms) is refused by search with
# what to run, and rebuilt by the next index run.
xapian-metadata set "$B/index" schema 1
"$CHATARC" --data "$B" search --count tag:hcsm >/dev/null 2>"$TMP/err"
expect_eq "search: an index of an older scheme exits 1 saying to run index" \
	"$? $(grep -c 'built by an older chatarc.*chatarc --data .* index' "$TMP/err")" "1 1"
out=$("$CHATARC" --data "$B" index -v)
expect_eq "index: an index of an older scheme is rebuilt, then searched" \
	"$out / $("$CHATARC" --data "$B" search --count tag:hcsm)" \
	"indexed 60000 messages from $days changed day files (0 unchanged); 60000 documents / 60000"

# chatarc's search answers as Xapian itself does: on real chats
# (#PSTweetChat, #cancerchat, the German, Swedish and English #ichbinhanna,
# #rstats, Bluesky), 240 queries made from the posts' own words (adjacent,
# reversed, NEAR, ADJ, under OR, NOT and XOR, hyphenated words, date
# ranges), against a positional index of the same messages built by
# Xapian's Python bindings (tests/phrase-reference.py): the same hits, and
# the same first ten by weight.
P=$(new_data phrases p)
allow_noindex "$P"
for f in "$FIXTURES"/mastodon/rtoot_*.http "$FIXTURES"/bluesky/*.http; do
	http_body "$f" >"$TMP/phrase-$(basename "$f" .http).json"
done
"$CHATARC" --data "$P" import --chat p "$FIXTURES"/csv/pstweetchat/*.csv "$FIXTURES"/csv/cancerchat/cancerchat.v11.jsonl "$TMP"/phrase-*.json >/dev/null
"$CHATARC" --data "$P" index >/dev/null
"$CHATARC" --data "$P" export p --format json >"$TMP/phrase-all.jsonl"
/usr/bin/python3 "$ROOT/tests/phrase-reference.py" --make-queries 240 <"$TMP/phrase-all.jsonl" >"$TMP/phrase-q.txt"
/usr/bin/python3 "$ROOT/tests/phrase-reference.py" "$TMP/phrase-q.txt" <"$TMP/phrase-all.jsonl" >"$TMP/phrase-want.txt"
while IFS= read -r q; do
	"$CHATARC" --data "$P" search --format json --limit 100000 "$q" >"$TMP/phrase-hits.jsonl"
	printf '%s\t%s\t%s\n' "$q" "$(jq -r .uri "$TMP/phrase-hits.jsonl" | sort | tr '\n' ' ' | sed 's/ $//')" \
		"$(jq -r '"\(.score * 10000 | round) \(.uri)"' "$TMP/phrase-hits.jsonl" | sort -k1,1nr -k2,2 | head -10 |
			awk '{ printf "%s%s=%.4f", (NR > 1 ? " " : ""), $2, $1 / 10000 }')"
done <"$TMP/phrase-q.txt" >"$TMP/phrase-got.txt"
differ=$(diff <(cut -f1,2 "$TMP/phrase-want.txt") <(cut -f1,2 "$TMP/phrase-got.txt") | grep -c '^>')
order=$(diff <(cut -f1,3 "$TMP/phrase-want.txt") <(cut -f1,3 "$TMP/phrase-got.txt") | grep -c '^>')
matched=$(awk -F'\t' '$2 != ""' "$TMP/phrase-want.txt" | wc -l)
expect_eq "search: phrases, NEAR, ADJ, OR, NOT, XOR and dates find what Xapian finds on real chats ($matched of 240 queries with hits), the first ten in its order" \
	"$differ $order $([ "$matched" -ge 150 ] && echo enough)" "0 0 enough"
# Phrases narrow: for many of the quoted phrases the AND of their words
# finds more.
narrowed=0
while IFS=$'\t' read -r q hits top; do
	case "$q" in \"*\") ;; *) continue ;; esac
	[ "$("$CHATARC" --data "$P" search --count "${q//\"/}")" -gt "$(echo "$hits" | wc -w)" ] && narrowed=$((narrowed + 1))
done <"$TMP/phrase-got.txt"
[ "$narrowed" -ge 20 ] && ok "search: for $narrowed phrases the AND of their words finds more" ||
	fail "search: phrases should narrow the AND of their words" "$narrowed"

# Queries as people type them: Twitter's operators and the aliases
# researchers use, each against its canonical form or a count over export,
# on the real #PSTweetChat and the other fixtures; what is read otherwise
# than typed is said on stderr and the search still runs.
"$CHATARC" --data "$P" export p >"$TMP/p-all.jsonl"
same=""
for pair in "author:JeffHicks=from:JeffHicks" "user:JeffHicks=from:JeffHicks" \
	"hashtag:powershell=tag:powershell" "#powershell=tag:powershell" \
	"since:2022-01-01=date:2022-01-01.." "until:2022-01-01=date:..2021-12-31" \
	"date:2022..2023=date:2022-01-01..2023-12-31" "date:2022-01..2022-03=date:2022-01-01..2022-03-31" \
	"filter:replies=reply:yes" "powershell -filter:replies=powershell NOT reply:yes" \
	"@JeffHicks=mention:JeffHicks" "pester or vscode=pester OR vscode"; do
	a=$("$CHATARC" --data "$P" search --count "${pair%%=*}" 2>/dev/null)
	b=$("$CHATARC" --data "$P" search --count "${pair#*=}" 2>/dev/null)
	[ "$a" = "$b" ] && [ "$b" -gt 0 ] || same="$same [${pair%%=*}: $a, ${pair#*=}: $b]"
done
expect_eq "search: aliases and Twitter's operators find what their canonical forms find (12 pairs, none empty)" "$same" ""
expect_eq "search: -filter:replies typed as its own argument is a word of the query, not an option" \
	"$("$CHATARC" --data "$P" search --count powershell -filter:replies)" "$("$CHATARC" --data "$P" search --count 'powershell NOT reply:yes')"
want=$(/usr/bin/python3 - "$TMP/p-all.jsonl" <<'PY'
import json, re, sys
msgs = [json.loads(l) for l in open(sys.argv[1])]
def account(a, name):
    a = (a or "").lower().lstrip("@")
    return a == name or a.startswith(name + "@")
print(sum(1 for m in msgs if re.search(r"(?<!\w)chatg", m["text"] or "", re.I)),
      sum(1 for m in msgs if account(m["reply_to_account"], "jeffhicks")),
      sum(1 for m in msgs if any(account(x, "jeffhicks") for x in m["mentions"])),
      sum(1 for m in msgs if (m["lang"] or "").startswith("de")))
PY
)
expect_eq "search: chatg* (ChatGPT), to:, mention: and lang: count what export holds" \
	"$("$CHATARC" --data "$P" search --count 'chatg*') $("$CHATARC" --data "$P" search --count to:JeffHicks) $("$CHATARC" --data "$P" search --count mention:JeffHicks) $("$CHATARC" --data "$P" search --count lang:de)" \
	"$want"
"$CHATARC" --data "$P" search --count 'pester or vscode' >"$TMP/q.out" 2>"$TMP/q.err"
expect_eq "search: a lower-case or is read as OR and said, once" \
	"$(cat "$TMP/q.out") $(grep -c "read 'or' as the operator OR; for the word, write \"or\"" "$TMP/q.err")" \
	"$("$CHATARC" --data "$P" search --count 'pester OR vscode') 1"
"$CHATARC" --data "$P" search --count 'powrshell:x pester' >"$TMP/q.out" 2>"$TMP/q.err"
expect_eq "search: an unknown field is said, its words searched, the search run" \
	"$(cat "$TMP/q.out") $(grep -c "powrshell: is not a field; searched 'powrshell:x' as words" "$TMP/q.err")" "0 1"
"$CHATARC" --data "$P" search --count 'from: pester' >"$TMP/q.out" 2>"$TMP/q.err"
expect_eq "search: a field with no value is said and left out, the rest searched" \
	"$? $(cat "$TMP/q.out") $(grep -c 'from: has no value and was left out' "$TMP/q.err")" \
	"0 $("$CHATARC" --data "$P" search --count pester) 1"
expect_eq "search: text output ends saying how many were not shown" \
	"$("$CHATARC" --data "$P" search powershell | tail -1)" \
	"20 of $("$CHATARC" --data "$P" search --count powershell) shown; --limit / --offset for more"
expect_eq "search: ... and says nothing when all are shown" \
	"$("$CHATARC" --data "$P" search --limit 100000 powershell | wc -l)" "$("$CHATARC" --data "$P" search --count powershell)"

# Shards: DIR/index and two remote shards (xapian-tcpsrv on 127.0.0.1,
# started and stopped here) searched as one: the same hits, scores and
# order as one database holding everything, phrases and the hide list
# included (Xapian runs both on a remote backend: positions, and the hide
# list as AND_NOT).
L=$(new_data local-shard hcsmdemo)
R=$(new_data remote-shard hcsmdemo)
"$CHATARC" --data "$L" import --chat hcsmdemo "$ROOT"/tests/gold/late-replies/*.json >/dev/null
"$CHATARC" --data "$R" import --chat hcsmdemo "$ROOT"/tests/gold/nolabels-dst/*.json >/dev/null
"$CHATARC" --data "$L" index >/dev/null
"$CHATARC" --data "$R" index >/dev/null
S=$(new_data shards hcsmdemo)
"$CHATARC" --data "$S" import --chat hcsmdemo "$ROOT"/share/sample/hcsmdemo/*.json >/dev/null
"$CHATARC" --data "$S" index >/dev/null
ALL=$(new_data one-database hcsmdemo)
"$CHATARC" --data "$ALL" import --chat hcsmdemo "$ROOT"/share/sample/hcsmdemo/*.json \
	"$ROOT"/tests/gold/late-replies/*.json "$ROOT"/tests/gold/nolabels-dst/*.json >/dev/null
"$CHATARC" --data "$ALL" index >/dev/null
# serve DB: a xapian-tcpsrv on a free loopback port; sets $port and $srv.
serve() {
	port=""
	for try in 1 2 3 4 5; do
		local p=$((20000 + RANDOM % 20000))
		# Its own session: on SIGTERM xapian-tcpsrv signals its whole process group.
		setsid xapian-tcpsrv --interface 127.0.0.1 --port "$p" --quiet "$1" >"$TMP/tcpsrv.log" 2>&1 &
		srv=$!
		sleep 0.5
		if kill -0 "$srv" 2>/dev/null; then port=$p; return; fi
	done
}
serve "$L/index"
port_l=$port srv_l=$srv
serve "$R/index"
port_r=$port srv_r=$srv
if [ -z "$port_l" ] || [ -z "$port_r" ]; then
	fail "search: shards: xapian-tcpsrv did not start" "$(cat "$TMP/tcpsrv.log")"
else
	sed -i "s|^{\"chats\"|{\"index_shards\": [\"tcp:127.0.0.1:$port_l\", \"tcp:127.0.0.1:$port_r\"], \"chats\"|" "$S/chatarc.conf"
	expect_eq "search: DIR/index and two remote shards are searched as one" \
		"$("$CHATARC" --data "$S" search --count tag:hcsmdemo)" "$((158 + 23 + 33))"
	got=$("$CHATARC" --data "$S" search --format json --limit 3 'wearable OR "test results" OR policy' | jq -r .created_at | cut -c1-10 | sort -u | tr '\n' ' ')
	[ "$(echo "$got" | wc -w)" -ge 2 ] && ok "search: ranking merges hits from different shards ($got)" ||
		fail "search: merged ranking" "$got"
	got=$("$CHATARC" --data "$S" search --format json 'session:2026-11-04' | jq -r .uri | sort)
	expect_eq "search: a remote shard's hits come back whole" "$got" \
		"$(grep -v '^#' "$ROOT/tests/gold/nolabels-dst.tsv" | cut -f1 | sort)"
	# The same hide list in both: an account of the sample and one
	# message of each remote shard, by uri and by url.
	hidden_uri=$(jq -r 'select(.text | test("wearable")) | .uri' <("$CHATARC" --data "$R" export hcsmdemo) | tail -1)
	hidden_url=$(jq -r 'select(.text | test("results")) | .url' <("$CHATARC" --data "$L" export hcsmdemo) | tail -1)
	hidden_author=$(jq -r .author <("$CHATARC" --data "$S" export hcsmdemo) | sort | uniq -c | sort -nr | sed -n 2p | awk '{ print $2 }')
	for d in "$S" "$ALL"; do
		sed -i "s|\"tags\": \[\"hcsmdemo\"\]|\"tags\": [\"hcsmdemo\"], \"hide\": [\"$hidden_author\", \"$hidden_uri\", \"$hidden_url\"]|" "$d/chatarc.conf"
	done
	differ=""
	for q in '"test results"' 'policy OR trust' '"health literacy" OR wearable' 'wearable' 'NOT reply:yes' \
		'health NEAR/3 information' '*' "from:$hidden_author" 'training -"social media"'; do
		a=$("$CHATARC" --data "$S" search --format json --limit 1000 "$q" | jq -r '"\(.score) \(.uri)"' | sort -k1,1gr -k2,2)
		b=$("$CHATARC" --data "$ALL" search --format json --limit 1000 "$q" | jq -r '"\(.score) \(.uri)"' | sort -k1,1gr -k2,2)
		[ "$a" = "$b" ] && [ -n "$b" -o "$q" = "from:$hidden_author" ] || differ="$differ [$q]"
		echo "$a" | grep -q -F -e "$hidden_uri" -e "$hidden_url" && differ="$differ [$q shows a hidden post]"
	done
	expect_eq "search: two remote shards and a local one give one database's hits, scores and order, phrases and the hide list included" \
		"$differ $("$CHATARC" --data "$S" search --count "from:$hidden_author") $([ -n "$hidden_uri" ] && [ -n "$hidden_url" ] && echo named)" \
		" 0 named"
	kill "$srv_l" "$srv_r" 2>/dev/null
	wait "$srv_l" "$srv_r" 2>/dev/null
fi
sed -i "s|\"tcp:127.0.0.1:[0-9]*\"|\"tcp:127.0.0.1:1\"|g" "$S/chatarc.conf"
"$CHATARC" --data "$S" search --count tag:hcsmdemo >/dev/null 2>"$TMP/err"
expect_eq "search: an unreachable shard is an error that names it" "$? $(grep -c 'tcp:127.0.0.1:1\|127.0.0.1' "$TMP/err")" "1 1"

# A post's control characters never reach the terminal: an ESC sequence
# (clear the screen, recolour), BEL and C1 in its text are
# shown as \x1b, \x07, \u009b; on a terminal the only escapes are the bold
# marks around the matched word, and the text reads as written ("<b> &").
T=$(new_data tty t)
printf '%s\n' '{"posts": [{"uri": "at://did:plc:a/app.bsky.feed.post/1", "author": {"handle": "evil.example", "displayName": "Evil \u001b]0;pwned\u0007"}, "record": {"text": "policy \u001b[2J\u001b[31mred <b> & more \u009b bell\u0007 #t", "createdAt": "2026-11-18T18:05:00Z"}}]}' >"$TMP/tty.json"
"$CHATARC" --data "$T" import --chat t "$TMP/tty.json" >/dev/null
"$CHATARC" --data "$T" index >/dev/null
"$CHATARC" --data "$T" search policy >"$TMP/tty.out"
expect_eq "search: control characters in a post are shown, not sent to the terminal" \
	"$(tr -d '\n' <"$TMP/tty.out" | LC_ALL=C tr -d '[:print:]' | wc -c) $(cut -c29- "$TMP/tty.out")" \
	'0 evil.example  policy \x1b[2J\x1b[31mred <b> & more \u009b bell\x07 #t  https://bsky.app/profile/evil.example/post/1'
script -qc "'$CHATARC' --data '$T' search policy" /dev/null | tr -d '\r' >"$TMP/tty-term.out"
expect_eq "search: on a terminal only the bold marks are escapes, and the text is not HTML-escaped" \
	"$(cut -c29- "$TMP/tty-term.out")" \
	$'evil.example  \033[1mpolicy\033[0m \\x1b[2J\\x1b[31mred <b> & more \\u009b bell\\x07 #t  https://bsky.app/profile/evil.example/post/1'

# What an index run leaves behind. A generation a killed rebuild half built
# goes at the next run; one index run at a time.
S2=$(new_data stray hcsmdemo)
"$CHATARC" --data "$S2" import --chat hcsmdemo "$ROOT"/share/sample/hcsmdemo/* >/dev/null
"$CHATARC" --data "$S2" index >/dev/null
mkdir -p "$S2/index.d/99" && head -c 100000 /dev/urandom >"$S2/index.d/99/postlist.glass"
"$CHATARC" --data "$S2" index >/dev/null
expect_eq "index: a half-built generation (a killed rebuild's) is removed at the next run" \
	"$(ls "$S2/index.d" | tr '\n' ' ')$("$CHATARC" --data "$S2" search --count trust)" "$(readlink "$S2/index" | cut -d/ -f2) 11"
# Search that forgives: what a person meant, or exit 2 saying what to write.
for q in "date:2026-11-18=158" "date:2026-11=158" "date:2026=158" "date:2026-11-19=0" "from:maya=9" \
	"from:@maya@toot.example=9" "from:maya@toot.example=9" "*=158" "(from:maya OR from:lina) trust=1" \
	"trust date:2019=0" "trust date:2019..2020=0" "NOT date:2019=158" "trust date:2019..=$("$CHATARC" --data "$S2" search --count trust)"; do
	got=$("$CHATARC" --data "$S2" search --count "${q%=*}" 2>&1)
	expect_eq "search: '${q%=*}' finds ${q##*=}" "$got" "${q##*=}"
done
for q in "from:=from: has no value and was left out; write from:maya@toot.example" "=give a QUERY" "date:2026-13=give a day (2025-07-17), a month" "tag:=tag: has no value"; do
	"$CHATARC" --data "$S2" search --count "${q%%=*}" >/dev/null 2>"$TMP/q.err"
	expect_eq "search: '${q%%=*}' exits 2 and says what to write" "$?:$(grep -c -F "${q#*=}" "$TMP/q.err")" "2:1"
done

# A stale index says so: a post imported after the last index run.
echo '{"uri": "at://did:plc:s/app.bsky.feed.post/late", "author": {"handle": "s.example"}, "record": {"text": "trust arrives late #hcsmdemo", "createdAt": "2026-11-25T10:00:00Z"}}' >"$TMP/late.jsonl"
"$CHATARC" --data "$S2" search --count trust 2>"$TMP/stale.err" >/dev/null
clean=$(wc -c <"$TMP/stale.err")
"$CHATARC" --data "$S2" import --chat hcsmdemo "$TMP/late.jsonl" >/dev/null
"$CHATARC" --data "$S2" search --count trust 2>"$TMP/stale.err" >/dev/null
expect_eq "search: an index behind the archive answers and warns on stderr that results may be incomplete" \
	"$clean $(grep -c 'warning: 1 day file of the archive changed since the index last read it' "$TMP/stale.err")" "0 1"
"$CHATARC" --data "$S2" index >/dev/null
expect_eq "search: ... and not once it is indexed" "$("$CHATARC" --data "$S2" search --count trust 2>&1)" "12"
# ... learnt from the archive's write count alone: an index up to date with
# it looks at no day file (strace).
expect_eq "search: an up-to-date index is known so from the archive's write count, no day file looked at" \
	"$(strace -f -e trace=%file "$CHATARC" --data "$S2" search --count trust 2>&1 >/dev/null | grep -c '\.jsonl\.gz')" "0"
# A damaged index fails loudly, never as 0 hits.
pl="$(readlink -f "$S2/index")/postlist.glass"
head -c "$(stat -c %s "$pl")" /dev/zero >"$pl"
"$CHATARC" --data "$S2" search --count trust >"$TMP/damaged.out" 2>&1
expect_eq "search: a damaged index exits 1 and says what Xapian found" "$?:$(grep -c -E 'search: .*Database[A-Za-z]*Error' "$TMP/damaged.out")" "1:1"
# A full disk: the first index fails, says so, and leaves no index that
# would answer 0 hits; search says there is none; with room, it works.
if [ "$(id -u)" -eq 0 ] && mkdir -p "$TMP/full" && mount -t tmpfs -o size=1200k tmpfs "$TMP/full" 2>/dev/null; then
	F2="$TMP/full/d"
	mkdir -p "$F2" && cp "$S2/chatarc.conf" "$F2/"
	"$CHATARC" --data "$F2" import --chat hcsmdemo "$ROOT"/share/sample/hcsmdemo/* >/dev/null
	head -c 1100000 /dev/urandom >"$TMP/full/filler" 2>/dev/null
	"$CHATARC" --data "$F2" index >/dev/null 2>"$TMP/full.err"
	code=$?
	"$CHATARC" --data "$F2" search --count trust >/dev/null 2>"$TMP/full-search.err"
	expect_eq "index: on a full disk the first index fails saying so, leaves no generation, and search exits 1 saying there is no index" \
		"$code $(grep -c 'the disk holding .* is full' "$TMP/full.err") $(ls "$F2/index.d" 2>/dev/null | wc -l) $([ -e "$F2/index" ] && echo linked) $? $(grep -c 'no index yet' "$TMP/full-search.err")" "1 1 0  1 1"
	rm "$TMP/full/filler"
	"$CHATARC" --data "$F2" index >/dev/null 2>&1
	expect_eq "index: ... and with room again it indexes" "$?:$("$CHATARC" --data "$F2" search --count trust)" "0:11"
	umount "$TMP/full"
else
	skip "index: full disk" "needs root to mount a small tmpfs"
fi

# Each post stemmed in its own language: the real #IchBinHanna posts (German,
# Mastodon) and the Bluesky page. "Universität" finds "Universitäten" and
# the reverse in German posts, which English stemming kept apart; the counts
# are a brute-force count over export (jq, either form as a whole word).
L=$(new_data langs g)
allow_noindex "$L"
for f in "$FIXTURES"/mastodon/rtoot_ichbinhanna_page*.http "$FIXTURES"/bluesky/*.http; do
	http_body "$f" >"$TMP/lang-$(basename "$f" .http).json"
	"$CHATARC" --data "$L" import --chat g "$TMP/lang-$(basename "$f" .http).json" >/dev/null
done
"$CHATARC" --data "$L" index >/dev/null
"$CHATARC" --data "$L" export g >"$TMP/langs.jsonl"
words() { jq -s --arg re "$1" '[.[] | select(.lang == "de" and (.text | test("(^|[^[:alpha:]])(" + $re + ")([^[:alpha:]]|$)"; "i")))] | length' "$TMP/langs.jsonl"; }
both=$(words 'universität|universitäten') singular=$(words 'universität') plural=$(words 'universitäten')
expect_eq "search: German posts are stemmed in German: Universität and Universitäten find each other ($singular with the one, $plural with the other, $both with either)" \
	"$("$CHATARC" --data "$L" search --count 'Universität lang:de') $("$CHATARC" --data "$L" search --count 'Universitäten lang:de') $([ "$singular" -lt "$both" ] && [ "$plural" -lt "$both" ] && echo apart)" \
	"$both $both apart"
expect_eq "search: lang: finds the posts of a language, as the network tagged them" \
	"$("$CHATARC" --data "$L" search --count 'lang:de') $("$CHATARC" --data "$L" search --count 'lang:en')" \
	"$(jq -s '[.[] | select(.lang | . != null and startswith("de"))] | length' "$TMP/langs.jsonl") $(jq -s '[.[] | select(.lang | . != null and startswith("en"))] | length' "$TMP/langs.jsonl")"
expect_eq "search: English posts are still stemmed in English (policies finds policy)" \
	"$("$CHATARC" --data "$L" search --count 'lang:en AND (policy OR policies)') $("$CHATARC" --data "$L" search --count 'lang:en AND policies')" \
	"$("$CHATARC" --data "$L" search --count 'lang:en AND policy') $("$CHATARC" --data "$L" search --count 'lang:en AND policy')"

test_done
