#!/usr/bin/env bash
# The runner itself: a script that stops early, crashes, loses its last line
# or skips a check must never pass. Each case runs tests/run on scratch
# scripts in a tmp dir of its own and reads its verdict.
. "$(dirname "$0")/lib.sh"

# scratch NAME BODY: a test script in $TMP that sources the real lib.sh.
scratch() {
	printf '#!/usr/bin/env bash\n. "%s/tests/lib.sh"\n%s\n' "$ROOT" "$2" >"$TMP/$1"
	echo "$TMP/$1"
}

# nested CASE SCRIPT...: runs the runner on the scripts; prints "EXIT|LAST LINE".
nested() {
	local name="$1"
	shift
	TEST_TMP="$TMP/run-$name" TEST_JOBS=2 "$ROOT/tests/run" "$@" >"$TMP/$name.out" 2>&1
	echo "$?|$(tail -n 1 "$TMP/$name.out")"
}

good=$(scratch good.sh 'ok "a check"
test_done')
expect_eq "runner: a whole script passes" "$(nested good "$good")" "0|1 passed, 0 failed, 0 skipped"

early=$(scratch early.sh 'ok "first check"
exit 3
ok "never reached"
test_done')
expect_eq "runner: a script that exits 3 half-way turns the run red" \
	"$(nested early "$early")" "1|1 passed, 1 failed, 0 skipped"
expect_eq "runner: ... and names it" "$(grep -c 'FAIL early.sh: exited with status 3' "$TMP/early.out")" "1"

zero=$(scratch zero.sh 'ok "first check"
exit 0
test_done')
expect_eq "runner: a script that exits 0 before its end turns the run red" \
	"$(nested zero "$zero")" "1|1 passed, 1 failed, 0 skipped"

crash=$(scratch crash.sh 'ok "first check"
echo "$undefined_variable"
test_done')
expect_eq "runner: an unbound variable (set -u) turns the run red" \
	"$(nested crash "$crash")" "1|1 passed, 1 failed, 0 skipped"

segv=$(scratch segv.sh 'ok "first check"
kill -SEGV $$
test_done')
expect_eq "runner: a script killed by a signal turns the run red" \
	"$(nested segv "$segv")" "1|1 passed, 1 failed, 0 skipped"

nothing=$(scratch nothing.sh 'test_done')
expect_eq "runner: a script that checks nothing is a failure" \
	"$(nested nothing "$nothing")" "1|0 passed, 1 failed, 0 skipped"

skipped=$(scratch skipped.sh 'ok "a check"
skip "needs a tool" "not installed"
test_done')
expect_eq "runner: a skipped check counts as skipped, never as passed" \
	"$(nested skipped "$skipped")" "0|1 passed, 0 failed, 1 skipped"

both=$(scratch both.sh 'fail "a failing check"
test_done')
expect_eq "runner: a failing check in one script fails the run beside a good one" \
	"$(nested both "$good" "$both")" "1|1 passed, 1 failed, 0 skipped"

# A real script, cut: its last line gone, or `exit 3` half-way.
real="$ROOT/tests/T50-cli.sh"
lines=$(wc -l <"$real")
sed -e "s|\"\$(dirname \"\$0\")/lib.sh\"|\"$ROOT/tests/lib.sh\"|" -e '$d' "$real" >"$TMP/cut-last.sh"
out=$(nested cut-last "$TMP/cut-last.sh")
expect_eq "runner: T50-cli.sh without its last line turns the run red" "${out%%|*}" "1"
expect_eq "runner: ... because it stopped before its end" \
	"$(grep -c 'FAIL cut-last.sh: stopped before its end' "$TMP/cut-last.out")" "1"
sed -e "s|\"\$(dirname \"\$0\")/lib.sh\"|\"$ROOT/tests/lib.sh\"|" -e "$((lines / 2))a exit 3" "$real" >"$TMP/exit-half.sh"
out=$(nested exit-half "$TMP/exit-half.sh")
expect_eq "runner: T50-cli.sh with exit 3 half-way turns the run red" "${out%%|*}" "1"

# Every script ends with the marker, so that deleting its last line is caught.
missing=""
for t in "$ROOT"/tests/T*.sh; do
	[ "$(tail -n 1 "$t")" == "test_done" ] || missing="$missing $(basename "$t")"
done
expect_eq "runner: every tests/T*.sh ends with test_done" "$missing" ""

test_done
