#!/usr/bin/env bash
# chatarc update, for cron: fetch, index, publish and the last complete
# week's digest in one run; quiet when all is well; an overlapping run
# leaves a chat alone and exits 0; every source failing exits 1 with the
# reason, and the site is still brought up to date from the archive.
. "$(dirname "$0")/lib.sh"

export SOURCE_DATE_EPOCH=$(date -u -d 2026-11-24T12:00:00Z +%s) # W48: W47 is complete
D="$TMP/d"
"$CHATARC" --data "$D" init --sample >/dev/null
"$CHATARC" --data "$D" update >"$TMP/out" 2>&1
expect_eq "update: exit 0 and silent without a terminal" "$? $(wc -c <"$TMP/out")" "0 0"
expect_eq "update: the index, the session's transcript and the week's digest are there" \
	"$("$CHATARC" --data "$D" search --count '*') $(ls "$D/site/hcsmdemo/2026-11-18.html" "$D/site/digest/2026-W47.html" 2>/dev/null | wc -l)" \
	"$("$CHATARC" --data "$D" export hcsmdemo | wc -l) 2"
# (Xapian's flintlock is touched by every open for writing: a lock, not content.)
sum() { find "$D/site" "$D/index.d" -type f ! -name flintlock -printf '%P %s %T@\n' | sort | md5sum; }
before=$(sum)
"$CHATARC" --data "$D" update >"$TMP/out2" 2>&1
expect_eq "update: a second run changes nothing and says nothing" "$? $(wc -c <"$TMP/out2") $(sum)" "0 0 $before"
"$CHATARC" --data "$D" update --verbose >"$TMP/verbose" 2>&1
expect_eq "update --verbose: one line per step" \
	"$(grep -c -E '^(index|publish): ' "$TMP/verbose")" "2"

# A chat with a source that another fetch is reading: left alone, exit 0,
# nothing said; the rest of the pipeline runs.
sed -i 's|"sources": \[\]|"sources": ["dead"]|; s|"sources": {|"sources": {"dead": {"type": "mastodon", "url": "http://127.0.0.1:9"}|' "$D/chatarc.conf"
sed -i 's|^{|{"fetch": {"retries": 0, "connect_timeout": 2},|' "$D/chatarc.conf"
mkdir -p "$D/state/hcsmdemo"
# The holder keeps the lock until told to let go, and the update starts
# once the lock is held: events, not times (a loaded machine once took
# longer than a fixed pause to take it).
rm -f "$TMP/release"
flock "$D/state/hcsmdemo/fetch.lock" sh -c 'while [ ! -e "$1" ]; do sleep 0.05; done' sh "$TMP/release" &
holder=$!
for _ in $(seq 600); do flock -n "$D/state/hcsmdemo/fetch.lock" true || break; sleep 0.05; done
"$CHATARC" --data "$D" update >"$TMP/overlap" 2>&1
expect_eq "update: a chat another fetch holds is left to it: exit 0, silent" "$? $(wc -c <"$TMP/overlap")" "0 0"
touch "$TMP/release"
wait $holder

# Every source failing: exit 1, the reason on stderr, the site still published.
rm -rf "$D/site"
"$CHATARC" --data "$D" update >"$TMP/dead.out" 2>"$TMP/dead.err"
expect_eq "update: every source failing exits 1 and says so; the site is still published" \
	"$? $(grep -c 'every source failed' "$TMP/dead.err") $(test -f "$D/site/index.html" && echo site)" "1 1 site"
"$CHATARC" --data "$D" update extra >/dev/null 2>&1
expect_eq "update: an argument is a usage error" "$?" "2"
test_done
