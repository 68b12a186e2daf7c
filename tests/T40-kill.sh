#!/usr/bin/env bash
# SIGKILL during a large import, at several random moments: after each kill
# every archive file reads with zcat up to its last whole record; a final
# run completes, and the archive holds every record exactly once.
. "$(dirname "$0")/lib.sh"

N=${KILL_TEST_RECORDS:-200000}
D=$(new_data d big)
"$ROOT/tools/gen-posts" "$N" 7 | gzip -1 >"$TMP/big.jsonl.gz"

# Whole lines zcat gives are all valid records, even from a torn member:
# zcat may stop with an error at a torn member, and its last line may be cut
# where the kill fell, so only newline-terminated lines are records.
zcat_readable() {
	local f lines whole=0 valid
	: >"$TMP/whole-lines"
	for f in $(find "$D/archive" -name '*.gz'); do
		zcat "$f" >"$TMP/one" 2>/dev/null
		lines=$(tr -cd '\n' <"$TMP/one" | wc -c)
		head -n "$lines" "$TMP/one" >>"$TMP/whole-lines"
		whole=$((whole + lines))
	done
	valid=$(jq -r '.uri' "$TMP/whole-lines" 2>/dev/null | grep -c '^https://twitter.com/i/web/status/')
	[ "$whole" -gt 0 ] && with_data=$((with_data + 1))
	[ "$valid" -eq "$whole" ]
}

# Kill moments are fractions of a whole run, measured here, so they fall
# mid-import on a fast machine and under the sanitizers alike.
D0=$(new_data timing big)
t0=$(date +%s%N)
"$CHATARC" --data "$D0" import --chat big "$TMP/big.jsonl.gz" >/dev/null 2>&1
full_ms=$((($(date +%s%N) - t0) / 1000000))
rm -rf "$D0"

kills=0 readable=0 with_data=0 runs=0
RANDOM=42
# Six kills are wanted; on a machine whose speed changes under other load
# a run may end before its kill lands, so up to twelve runs are started.
while [ "$kills" -lt 6 ] && [ "$runs" -lt 12 ]; do
	runs=$((runs + 1))
	"$CHATARC" --data "$D" import --chat big "$TMP/big.jsonl.gz" >/dev/null 2>&1 &
	pid=$!
	at_ms=$((full_ms * (15 + RANDOM % 70) / 100))
	sleep "$((at_ms / 1000)).$(printf '%03d' $((at_ms % 1000)))"
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid"
		kills=$((kills + 1))
	fi
	wait "$pid" 2>/dev/null
	zcat_readable && readable=$((readable + 1))
done
if [ "$kills" -ge 3 ]; then ok "kill: import was killed $kills times mid-run"; else fail "kill: too few kills ($kills): the import finished too fast"; fi
expect_eq "kill: after every run, killed or not, each archive file reads with zcat up to its last whole record" "$readable" "$runs"
if [ "$with_data" -ge 3 ]; then ok "kill: most kills fell after records were written ($with_data of $runs runs)"; else fail "kill: only $with_data kills fell after records were written"; fi

"$CHATARC" --data "$D" import --chat big "$TMP/big.jsonl.gz" >/dev/null 2>"$TMP/err"
expect_eq "kill: a re-run completes" "$?" "0"

total_lines=$(find "$D/archive" -name '*.gz' -exec zcat {} + | wc -l)
unique_uris=$(find "$D/archive" -name '*.gz' -exec zcat {} + | jq -r .uri | sort -u | wc -l)
exported=$("$CHATARC" --data "$D" export big | wc -l)
expect_eq "kill: the archive holds every record exactly once" "$total_lines $unique_uris $exported" "$N $N $N"
bad=0
for f in $(find "$D/archive" -name '*.gz'); do gzip -t "$f" 2>/dev/null || bad=$((bad + 1)); done
expect_eq "kill: every archive file is whole gzip after the re-run" "$bad" "0"
expect_eq "kill: a run after that adds nothing" "$(archive_sum "$D")" "$("$CHATARC" --data "$D" import --chat big "$TMP/big.jsonl.gz" >/dev/null 2>&1; archive_sum "$D")"

# Readers see only committed data: an import whose last line is bad fails
# and rolls back; while it runs, export, index and search never show its
# posts (they once did, and the index kept them after the rollback).
R=$(new_data readers big)
{ zcat "$TMP/big.jsonl.gz" | head -n 60000; echo '{"broken'; } >"$TMP/fails.jsonl"
"$CHATARC" --data "$R" import --chat big "$TMP/fails.jsonl" >/dev/null 2>"$TMP/fails.err" &
pid=$!
seen=0 polls=0
while kill -0 "$pid" 2>/dev/null; do
	n=$("$CHATARC" --data "$R" export big 2>/dev/null | wc -l)
	polls=$((polls + 1))
	[ "$n" -gt 0 ] && seen=$((seen + 1))
	[ $polls -eq 3 ] && "$CHATARC" --data "$R" index >/dev/null 2>&1
done
wait "$pid"
code=$?
"$CHATARC" --data "$R" index >/dev/null 2>&1
expect_eq "kill: a failing import's posts are never seen by export while it runs, nor indexed ($polls polls)" \
	"$code $seen $("$CHATARC" --data "$R" export big | wc -l) $("$CHATARC" --data "$R" search --count 'chat:big' 2>/dev/null || echo 0)" "1 0 0 0"

test_done
