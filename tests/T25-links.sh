#!/usr/bin/env bash
# Links planted in the data directory: a day file, a year, DIR/site and
# DIR/index.d pointing outside it. chatarc refuses to write or delete through
# them (naming the link), and what lies outside is left as it was.
. "$(dirname "$0")/lib.sh"

D=$(new_data d fx)
OUT="$TMP/outside"
mkdir -p "$OUT"
post() { # DAY TEXT
	printf '{"uri": "at://did:plc:l/app.bsky.feed.post/%s", "author": {"handle": "l.example"}, "record": {"text": "%s", "createdAt": "%sT18:00:00Z"}}\n' "$RANDOM$RANDOM" "$2" "$1"
}
post 2026-01-05 first >"$TMP/first.jsonl"
"$CHATARC" --data "$D" import --chat fx "$TMP/first.jsonl" >/dev/null

# A day file that is a link to a file outside, and a dangling one.
echo "precious" >"$OUT/victim"
ln -s "$OUT/victim" "$D/archive/fx/2026/2026-01-06.jsonl.gz"
post 2026-01-06 "into the link" >"$TMP/linked.jsonl"
"$CHATARC" --data "$D" import --chat fx "$TMP/linked.jsonl" >/dev/null 2>"$TMP/err"
expect_eq "links: import refuses a day file that is a link, names it, and leaves its target alone" \
	"$?:$(grep -c '2026-01-06.jsonl.gz is a symbolic link' "$TMP/err"):$(cat "$OUT/victim")" "1:1:precious"
ln -s "$OUT/made-by-chatarc" "$D/archive/fx/2026/2026-01-07.jsonl.gz"
post 2026-01-07 "into a dangling link" >"$TMP/dangling.jsonl"
"$CHATARC" --data "$D" import --chat fx "$TMP/dangling.jsonl" >/dev/null 2>&1
expect_eq "links: ... and a dangling one: nothing is created outside" "$?:$(ls "$OUT")" "1:victim"

# A year directory linked elsewhere.
mkdir -p "$OUT/years"
ln -s "$OUT/years" "$D/archive/fx/2019"
post 2019-03-01 "into a linked year" >"$TMP/year.jsonl"
"$CHATARC" --data "$D" import --chat fx "$TMP/year.jsonl" >/dev/null 2>"$TMP/err"
expect_eq "links: a year directory that is a link is refused, nothing written through it" \
	"$?:$(grep -c 'archive/fx/2019 is a symbolic link' "$TMP/err"):$(ls "$OUT/years" | wc -l)" "1:1:0"
rm -f "$D/archive/fx/2026/2026-01-06.jsonl.gz" "$D/archive/fx/2026/2026-01-07.jsonl.gz" "$D/archive/fx/2019"
expect_eq "links: the archive reads as before (the one good post)" "$("$CHATARC" --data "$D" export fx | jq -r .text)" "first"

# DIR/site linked outside: publish refuses.
mkdir -p "$OUT/site"
ln -s "$OUT/site" "$D/site"
"$CHATARC" --data "$D" publish >/dev/null 2>"$TMP/err"
expect_eq "links: publish refuses a DIR/site that is a link" \
	"$?:$(grep -c '/site is a symbolic link' "$TMP/err"):$(find "$OUT/site" -type f | wc -l)" "1:1:0"
rm "$D/site"

# DIR/index.d linked outside, holding directories named like generations:
# neither index nor a rebuild writes there or deletes them.
mkdir -p "$OUT/index/1/keep" "$OUT/index/2/keep"
ln -s "$OUT/index" "$D/index.d"
"$CHATARC" --data "$D" index >/dev/null 2>"$TMP/err"
code=$?
"$CHATARC" --data "$D" index --rebuild >/dev/null 2>>"$TMP/err"
expect_eq "links: index and index --rebuild refuse a DIR/index.d that is a link, delete nothing through it" \
	"$code:$?:$(grep -c 'index.d is a symbolic link' "$TMP/err"):$(find "$OUT/index" | sort | tr '\n' ' ')" \
	"1:1:2:$OUT/index $OUT/index/1 $OUT/index/1/keep $OUT/index/2 $OUT/index/2/keep "
rm "$D/index.d"
"$CHATARC" --data "$D" index >/dev/null 2>&1
expect_eq "links: with the link gone, index works" "$?:$("$CHATARC" --data "$D" search first --count)" "0:1"

test_done
