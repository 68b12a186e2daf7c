#!/usr/bin/env bash
# chatarc forget: a participant's takedown request, on the real recordings
# (#ichbinhanna, #rstats, Mastodon.py's tag pages, Bluesky's search): every
# trace of the account leaves the archive, the index and the site; every
# other message stays byte for byte; a later import of the same files adds
# nothing back; SIGKILL at any moment leaves each day file whole (as before
# or as after), and a rerun finishes the job.
. "$(dirname "$0")/lib.sh"

D=$(new_data d c)
allow_noindex "$D" # every real author in, so the checks have the most to lose
for f in "$FIXTURES"/mastodon/*.http "$FIXTURES"/bluesky/*.http; do
	http_body "$f" >"$TMP/$(basename "$f" .http).json"
done
"$CHATARC" --data "$D" import --chat c "$TMP"/*.json >/dev/null
"$CHATARC" --data "$D" index >/dev/null
"$CHATARC" --data "$D" publish >/dev/null
"$CHATARC" --data "$D" export c >"$TMP/before.jsonl"

# The account: one whose posts are on a published transcript and in a
# digest (M@nerdculture.de, #ichbinhanna, 2025-05-28), and one with many
# posts, from a Bluesky bridge (judithbeyer.bsky.social, 12 posts).
ACCOUNT=M@nerdculture.de
SECOND=judithbeyer.bsky.social
"$CHATARC" --data "$D" digest --week 2025-W22 >/dev/null
"$CHATARC" --data "$D" digest --week 2025-W27 >/dev/null
expect_eq "forget: the account is on the site before (transcript, digest input)" \
	"$(grep -r -l -F "$ACCOUNT" "$D/site" | sed "s|$D/site/||" | sort | tr '\n' ' ')" \
	"c/2025-05-28.html digest/2025-W22.xml "
expect_eq "pages: a session of one message by one person says so in the singular" \
	"$(grep -o -E '<strong>1</strong> (message|messages|participant|participants)<' "$D/site/c/2025-05-28.html" | tr '\n' ' ')" \
	"<strong>1</strong> message< <strong>1</strong> participant< "
# The same rule on every page, feed and message (one helper each side):
# the chat page's trend labels and its table's nouns (shown on a phone),
# the Atom feed, stats' tables. Each said "1 messages" or "1 people".
expect_eq "pages, feed, stats: a count of one is singular everywhere" \
	"$(xmllint --html --xpath '//*[local-name()="text"][contains(@class, "messages") or contains(@class, "people")]/text() | //table[@class="sessions"]//tr[1]/td/span' "$D/site/c/index.html" 2>/dev/null | tr '\n' ' ')| $(grep -o '<title>#c, 2025-07-02: [^<]*' "$D/site/c/feed.atom")| $("$CHATARC" --data "$D" stats c | grep -E '^  c 2025-05-28 ' | tr -s ' ')" \
	"1 message 1 person <span class=\"unit\"> message</span> <span class=\"unit\"> person</span> | <title>#c, 2025-07-02: 1 message|  c 2025-05-28 1 message 1 participant 1 reply"
links() { grep -o -E 'rel="(prev|next)" href="[^"]*"' "$1" | tr '\n' ' '; }
expect_eq "pages: transcripts link the previous and next sessions (the real #ichbinhanna's two)" \
	"$(links "$D/site/c/2025-05-28.html")| $(links "$D/site/c/2025-07-02.html")" \
	'rel="next" href="2025-07-02.html" | rel="prev" href="2025-05-28.html" '
mine=$(jq -r --arg a "$ACCOUNT" 'select(.author == $a) | .uri' "$TMP/before.jsonl" | wc -l)
expect_eq "forget: the account has messages in the archive and the index before" \
	"$mine $("$CHATARC" --data "$D" search --count "from:$ACCOUNT")" "2 2"

# --dry-run lists them and changes nothing.
sum0=$(archive_sum "$D")
"$CHATARC" --data "$D" forget --dry-run "@$ACCOUNT" >"$TMP/dry.out"
expect_eq "forget --dry-run: lists the account's messages, changes nothing, records nothing" \
	"$(grep -c -F "$ACCOUNT" "$TMP/dry.out") $(archive_sum "$D") $(test -e "$D/forgotten" && echo kept || echo none)" \
	"2 $sum0 none"

# Written as a person might: with '@' and in another case.
"$CHATARC" --data "$D" forget "@m@NerdCulture.de" >"$TMP/forget.out"
expect_eq "forget: exit 0, says how many messages went, from one chat" "$? $(grep -o 'forgot [0-9]* messages in [0-9]* chats\?' "$TMP/forget.out")" "0 forgot 2 messages in 1 chat"
expect_eq "forget: no trace in the archive (zcat | grep)" \
	"$(find "$D/archive" -name '*.gz' -exec zcat {} + | grep -c -i -F "nerdculture.de/users/M/")" "0"
expect_eq "forget: no trace in search (from:, and the words of the post)" \
	"$("$CHATARC" --data "$D" search --count "from:$ACCOUNT") $("$CHATARC" --data "$D" search --count '"Story, die mit Entfristung endet"')" "0 0"
expect_eq "forget: no trace on the site; the transcript of the session it alone made, and its week's digest, are gone" \
	"$(grep -r -l -F "$ACCOUNT" "$D/site" | wc -l) $(ls "$D/site/c/2025-05-28.html" "$D/site/digest/2025-W22.html" 2>/dev/null | wc -l) $(grep -c 2025-05-28 "$D/site/c/index.html")" "0 0 0"
expect_eq "pages: the session left has no link to the one that went" "$(links "$D/site/c/2025-07-02.html")" ""
"$CHATARC" --data "$D" export c >"$TMP/after.jsonl"
jq -c --arg a "$ACCOUNT" 'select(.author != $a)' "$TMP/before.jsonl" >"$TMP/want.jsonl"
expect_file_eq "forget: every other message byte-identical in export" "$TMP/after.jsonl" <(grep -v -F "\"author\":\"$ACCOUNT\"" "$TMP/before.jsonl")
expect_eq "forget: DIR/forgotten holds hashes (the account and its identity), never the name" \
	"$(grep -c -i -F nerdculture "$D/forgotten") $(tail -n +2 "$D/forgotten" | grep -c -x -E '[0-9a-f]{64}') $(stat -c %a "$D/forgotten")" "0 2 600"
expect_eq "forget: the index holds no old generation with the documents" \
	"$(ls "$D/index.d" | wc -l)" "1"
# Below search: no term of the index names the account (from:, its words
# in uris), and no document's stored display data does (every one shown).
expect_eq "forget: no index term and no stored record names the account" \
	"$(xapian-delve -a -1 "$D/index" | grep -c -i -E '^Am@nerdculture\.de$|nerdculture\.de/users/m/') $("$CHATARC" --data "$D" search --format json --limit 100000 '*' | grep -c -i -F "\"author\":\"$ACCOUNT\"")" "0 0"

# The account with many posts, by --file, with a comment line.
printf '# takedown request 2026-11-24\n%s\n' "$SECOND" >"$TMP/names"
"$CHATARC" --data "$D" forget --file "$TMP/names" >/dev/null
expect_eq "forget --file: the second account's 12 messages go, the rest stay" \
	"$(jq -c --arg a "$SECOND" 'select(.author == $a)' "$TMP/after.jsonl" | wc -l) $("$CHATARC" --data "$D" export c | wc -l) $("$CHATARC" --data "$D" search --count "from:$SECOND")" \
	"12 $(($(wc -l <"$TMP/after.jsonl") - 12)) 0"

# One message by its url.
url=$(jq -r 'select(.url != null and (.author | test("bsky") | not)) | .url' "$TMP/after.jsonl" | head -1)
n_before=$("$CHATARC" --data "$D" export c | wc -l)
"$CHATARC" --data "$D" forget "$url" >/dev/null
expect_eq "forget URL: that message alone goes" \
	"$("$CHATARC" --data "$D" export c | grep -c -F "\"url\":\"$url\"") $("$CHATARC" --data "$D" export c | wc -l)" "0 $((n_before - 1))"

# A later import of the same files adds nothing back, and says why.
sum1=$(archive_sum "$D")
"$CHATARC" --data "$D" import -v --chat c "$TMP"/*.json >"$TMP/reimport.out"
expect_eq "forget: re-importing the same files adds nothing back (counted as forgotten)" \
	"$(archive_sum "$D") $(grep -o '[0-9]* forgotten before' "$TMP/reimport.out" | awk '{ n += $1 } END { print n }')" \
	"$sum1 $((2 + 12 + 1))"

# Usage errors exit 2; a corrupt list stops import instead of letting
# forgotten posts back in.
"$CHATARC" --data "$D" forget >/dev/null 2>&1
expect_eq "forget: nothing named is a usage error (exit 2)" "$?" "2"
cp "$D/forgotten" "$TMP/forgotten.good"
echo garbage >>"$D/forgotten"
"$CHATARC" --data "$D" import --chat c "$TMP"/*.json >/dev/null 2>"$TMP/corrupt.err"
expect_eq "forget: a damaged DIR/forgotten stops import with a clear error" \
	"$? $(grep -c 'forgotten: not a list of forgotten posts' "$TMP/corrupt.err")" "1 1"
cp "$TMP/forgotten.good" "$D/forgotten"

# The moderators' hide list: an account (spam, a bot) and one message kept
# off pages, search and exports, without being erased.
HIDDEN=rheinze.bsky.social
hidden_url=$("$CHATARC" --data "$D" export c | jq -r 'select(.author == "MissJonesTravel@norden.social") | .url' | head -1)
cp "$D/chatarc.conf" "$TMP/conf.plain"
n_all=$("$CHATARC" --data "$D" export c | wc -l)
n_hidden=$("$CHATARC" --data "$D" export c | jq -r --arg a "$HIDDEN" --arg u "$hidden_url" 'select(.author == $a or .url == $u) | .uri' | wc -l)
n_found=$("$CHATARC" --data "$D" search --count "from:$HIDDEN")
grep -q -F "$HIDDEN" "$D/site/c/2025-07-02.html" && on_site=yes || on_site=no
expect_eq "hide: the account is on a transcript and in search before" "$on_site $n_found" "yes 1"
sed -i "s|\"allow_noindex\": true|\"allow_noindex\": true, \"hide\": [\"@RHEINZE.bsky.social\"]|" "$D/chatarc.conf"
sed -i "s|}}}, \"sources\"|}}}, \"hide\": [\"$hidden_url\"], \"sources\"|" "$D/chatarc.conf"
"$CHATARC" --data "$D" publish >/dev/null
"$CHATARC" --data "$D" digest --week 2025-W27 >/dev/null
expect_eq "hide: the account (chat's list) and the message (config's list) are out of export, search and pages" \
	"$("$CHATARC" --data "$D" export c | wc -l) $("$CHATARC" --data "$D" export c | grep -c -F "$hidden_url") $("$CHATARC" --data "$D" search --count "from:$HIDDEN") $(grep -r -l -F "$HIDDEN" "$D/site" | wc -l)" \
	"$((n_all - n_hidden)) 0 0 0"
expect_eq "hide: ... and still in the archive (hidden, not erased)" \
	"$(find "$D/archive" -name '*.gz' -exec zcat {} + | grep -c -F "\"author\":\"$HIDDEN\"")" "1"
cp "$TMP/conf.plain" "$D/chatarc.conf"
"$CHATARC" --data "$D" publish >/dev/null
expect_eq "hide: taken off the list, they are back" \
	"$("$CHATARC" --data "$D" export c | wc -l) $(grep -c -F "$HIDDEN" "$D/site/c/2025-07-02.html")" "$n_all 1"

# SIGKILL during forget, at moments spread over a run (each on a fresh copy
# of the archive): each day file stays whole and is either as before or as
# after; a rerun finishes.
K=$(new_data kill big)
"$ROOT/tools/gen-posts" 100000 11 | gzip -1 >"$TMP/big.gz"
"$CHATARC" --data "$K" import --chat big "$TMP/big.gz" >/dev/null
victim=$("$CHATARC" --data "$K" export big | jq -r .author | sort | uniq -c | sort -rn | awk 'NR == 1 { print $2 }')
for f in $(find "$K/archive" -name '*.gz' | sort); do
	echo "$f $(zcat "$f" | wc -l) $(zcat "$f" | grep -c -v -F "\"author\":\"$victim\"")"
done >"$TMP/counts"
total=$("$CHATARC" --data "$K" export big | wc -l)
victim_n=$("$CHATARC" --data "$K" export big | jq -r .author | grep -c -x -F "$victim")
cp -a "$K" "$TMP/pristine"
cp -a "$K" "$TMP/timing"
t0=$(date +%s%N)
"$CHATARC" --data "$TMP/timing" forget "$victim" >/dev/null
full_ms=$((($(date +%s%N) - t0) / 1000000))
rm -rf "$TMP/timing"
kills=0 whole=0 runs=0
RANDOM=7
# Five kills are wanted; under a changing load a run may end before its
# kill lands, so up to ten runs are started.
while [ "$kills" -lt 5 ] && [ "$runs" -lt 10 ]; do
	runs=$((runs + 1))
	rm -rf "$K" && cp -a "$TMP/pristine" "$K"
	"$CHATARC" --data "$K" forget "$victim" >/dev/null 2>&1 &
	pid=$!
	at_ms=$((full_ms * (20 + RANDOM % 60) / 100))
	sleep "$((at_ms / 1000)).$(printf '%03d' $((at_ms % 1000)))"
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" && kills=$((kills + 1))
	wait "$pid" 2>/dev/null
	good=1
	while read -r f before after; do
		if [ ! -e "$f" ]; then
			[ "$after" -eq 0 ] || good=0
			continue
		fi
		gzip -t "$f" 2>/dev/null || good=0
		n=$(zcat "$f" | wc -l)
		[ "$n" -eq "$before" ] || [ "$n" -eq "$after" ] || good=0
	done <"$TMP/counts"
	whole=$((whole + good))
done
if [ "$kills" -ge 3 ]; then ok "forget: killed mid-run $kills times"; else fail "forget: too few kills ($kills): it finished too fast"; fi
expect_eq "forget: after every run, killed or not, every day file is whole and either as before or as after" "$whole" "$runs"
"$CHATARC" --data "$K" forget "$victim" >/dev/null
expect_eq "forget: a rerun after the kills finishes: the account's $victim_n messages gone, every other kept once" \
	"$("$CHATARC" --data "$K" export big | jq -r .author | grep -c -x -F "$victim") $("$CHATARC" --data "$K" export big | wc -l) $(find "$K/archive" -name '*.gz' -exec zcat {} + | jq -r .uri | sort | uniq -d | wc -l)" \
	"0 $((total - victim_n)) 0"
# A takedown survives a change of handle: forget a Bluesky account by its
# handle, then read the same posts (same at://did:... uris) again after the
# person changed handle, and a Mastodon status of the account under another
# display of its acct. The audit's case: all came back, published.
H=$(new_data handle redistricting)
allow_noindex "$H"
B="$FIXTURES/bluesky/bskyr_searchPosts_redistricting.body.json"
"$CHATARC" --data "$H" import --chat redistricting "$B" >/dev/null
n_before=$("$CHATARC" --data "$H" export redistricting | wc -l)
"$CHATARC" --data "$H" forget uhackett.bsky.social >"$TMP/handle.out"
expect_eq "forget: the handle's 4 posts go" "$("$CHATARC" --data "$H" export redistricting | wc -l)" "$((n_before - 4))"
jq '.posts |= map(if .author.handle == "uhackett.bsky.social" then .author.handle = "grace.bsky.example" | .author.displayName = "Grace" else . end)' "$B" >"$TMP/renamed.json"
"$CHATARC" --data "$H" import --chat redistricting "$TMP/renamed.json" >/dev/null
expect_eq "forget: after a change of handle, none of the account's posts comes back" \
	"$("$CHATARC" --data "$H" export redistricting | wc -l) $("$CHATARC" --data "$H" export redistricting | grep -c -F grace.bsky.example)" "$((n_before - 4)) 0"
# ... and a new post of the account under its new handle (a new uri, the same DID).
jq '.posts |= map(select(.author.handle == "grace.bsky.example") | .uri |= sub("/[^/]*$"; "/3newpost") | .record.createdAt = "2025-07-01T10:00:00Z") | .posts |= .[0:1]' "$TMP/renamed.json" >"$TMP/new-post.json"
"$CHATARC" --data "$H" import --chat redistricting "$TMP/new-post.json" >/dev/null
expect_eq "forget: a new post by the renamed account is refused too (its DID is forgotten)" \
	"$("$CHATARC" --data "$H" export redistricting | grep -c -F grace.bsky.example)" "0"
expect_eq "forget: DIR/forgotten names neither the handle nor the DID" \
	"$(grep -c -i -e uhackett -e 'did:' "$H/forgotten")" "0"

test_done
