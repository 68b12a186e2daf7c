#!/usr/bin/env bash
# The bundled sample chat and `chatarc demo`: a realistic session, merged
# from two Mastodon servers and two Bluesky pages into one message a post.
. "$(dirname "$0")/lib.sh"

D="$TMP/demo"
"$CHATARC" --data "$D" demo >"$TMP/out" 2>&1
expect_eq "sample: demo runs on a fresh directory" "$?" "0"
grep -q "158 messages from 24 accounts (75 Mastodon, 83 Bluesky, 0 Twitter), 38 replies" "$TMP/out" &&
	ok "sample: demo reports what the archive holds" || fail "sample: demo report" "$(cat "$TMP/out")"
first=$(archive_sum "$D")
# The commands it suggests run as printed: ./chatarc before `make install`.
(cd "$ROOT" && ./chatarc --data "$D" demo) >"$TMP/again.out" 2>&1
expect_eq "sample: the demo's 'try:' lines name the binary as it was run" \
	"$(grep -c -E '^ +(try: )?\./chatarc --data ' "$TMP/again.out")" "4"
tried=$(sed -n 's/^.*try: \(.*summarise hcsmdemo\) .*$/\1/p' "$TMP/again.out")
expect_eq "sample: the first suggested command works as printed" \
	"$(cd "$ROOT" && $tried | grep -c '<topic ')" "5"
expect_eq "sample: topic questions are shortened at a word, marked with …" \
	"$(grep -c -E '^    T[0-9]: .*[[:alpha:]?!.#]… \(' "$TMP/again.out") $(grep -c -E '^    T[0-9]: .*[^ ]… \(|^    T[0-9]: .*[^…] \(' "$TMP/again.out")" "3 5"
expect_eq "sample: running the demo again adds nothing" "$(archive_sum "$D")" "$first"

"$CHATARC" --data "$D" export hcsmdemo >"$TMP/all.jsonl"
S="$ROOT/share/sample/hcsmdemo"
posts_in=$(jq -s '[.[0][], .[1][]] | map(select(.reblog == null)) | length' "$S/mastodon-toot.example.json" "$S/mastodon-medsocial.example.json")
posts_in=$((posts_in + $(jq -s '[.[].posts[]] | length' "$S"/bluesky-searchPosts-page*.json)))
expect_eq "sample: $posts_in posts read in, one message per uri kept" \
	"$(wc -l <"$TMP/all.jsonl") $(jq -r .uri "$TMP/all.jsonl" | sort -u | wc -l)" "158 158"
[ "$posts_in" -gt 158 ] && ok "sample: the sources overlap (duplicates across servers and pages)" || fail "sample: no overlap"

# Every message has its gold topic label, by uri.
got=$(jq -r .uri "$TMP/all.jsonl" | sort)
want=$(grep -v '^#' "$ROOT/tests/gold/hcsmdemo-2026-11-18.tsv" | cut -f1 | sort)
expect_eq "sample: the gold topic labels cover exactly the archived messages" "$got" "$want"

questions=$(jq -r 'select((.author == "hcsmdemo@toot.example" or .author == "hcsmdemo.bsky.example") and (.text | test("^T[0-9]+:"))) | .text[0:2]' "$TMP/all.jsonl" | sort -u | tr '\n' ' ')
expect_eq "sample: the moderators post topic questions T1..T5" "$questions" "T1 T2 T3 T4 T5 "
labelled=$(jq -r 'select(.text | test("^(@\\S+ )?(A|T|Q)[0-9]")) | .uri' "$TMP/all.jsonl" | wc -l)
[ "$labelled" -gt 80 ] && ok "sample: most answers carry an A1-style label ($labelled)" || fail "sample: labels" "$labelled"
links=$(jq -r '.links[]' "$TMP/all.jsonl" | sort -u | wc -l)
mentions=$(jq -r '.mentions[]' "$TMP/all.jsonl" | sort -u | wc -l)
[ "$links" -eq 5 ] && [ "$mentions" -ge 10 ] && ok "sample: links ($links) and mentions ($mentions) are extracted" || fail "sample: links $links mentions $mentions"

# The three Bluesky posts read twice keep the later, higher like counts.
uri=$(jq -r '.posts[0].uri' "$S/bluesky-searchPosts-page2.json")
want=$(jq -s --arg u "$uri" '[.[].posts[] | select(.uri == $u) | .likeCount] | max' "$S"/bluesky-searchPosts-page*.json)
got=$(jq --arg u "$uri" 'select(.uri == $u) | .likes' "$TMP/all.jsonl")
expect_eq "sample: a post read on two pages keeps the higher count" "$got" "$want"

# A Mastodon reply names its parent's uri, resolved from a server-local id.
got=$(jq -r 'select(.text | startswith("@pete Not that I know of")) | .reply_to' "$TMP/all.jsonl")
want=$(jq -r 'select(.text | startswith("@maya 14 pages!")) | .uri' "$TMP/all.jsonl")
expect_eq "sample: a Mastodon reply's parent is resolved by its local id" "$got" "$want"

test_done
