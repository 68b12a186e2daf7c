#!/usr/bin/env bash
# Command-line conventions: --help on every command, exit codes cron can
# trust (0 ok, 1 failure, 2 usage), init, and quiet output without a TTY.
. "$(dirname "$0")/lib.sh"

for cmd in init import export summarise demo; do
	out=$("$CHATARC" "$cmd" --help)
	code=$?
	if [ "$code" -eq 0 ] && [[ "$out" == "usage: chatarc"* ]] && [[ "$out" == *"--help"* ]]; then
		ok "cli: chatarc $cmd --help prints its usage and exits 0"
	else
		fail "cli: $cmd --help" "exit $code: $out"
	fi
done
out=$("$CHATARC" --help)
for cmd in init import export summarise demo; do [[ "$out" == *"  $cmd "* ]] || out="missing $cmd"; done
expect_eq "cli: chatarc --help lists the commands" "${out:0:14}" "usage: chatarc"
expect_eq "cli: --version" "$("$CHATARC" --version)" "chatarc 0.1.0"
# `chatarc help CMD` is `chatarc CMD --help` (git's habit) followed by the
# command's manual page, the one `man chatarc-CMD` shows (both made from
# doc/chatarc-CMD.md), for every command --help lists, through the front
# end or the full program alike.
differ=""
commands=$("$CHATARC" --help | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
for cmd in $commands; do
	"$CHATARC" help "$cmd" >"$TMP/help" 2>&1 || differ="$differ $cmd(exit)"
	"$CHATARC" "$cmd" --help >"$TMP/usage"
	"$ROOT/tools/md2man" text "$ROOT/doc/chatarc-$cmd.md" >"$TMP/page" || differ="$differ $cmd(page)"
	{ cat "$TMP/usage"; echo; cat "$TMP/page"; } | cmp -s - "$TMP/help" || differ="$differ $cmd"
done
expect_eq "cli: chatarc help CMD prints CMD --help and its manual page, for each of the 14 commands" \
	"$(echo "$commands" | wc -w)$differ" "14"
grep -q "^NAME$" "$TMP/help" && grep -q "^    chatarc-demo - run the pipeline" "$TMP/help" &&
	ok "cli: a manual page opens with its name and what it does" ||
	fail "cli: manual page head" "$(head -5 "$TMP/help")"
for topic in config data consent security; do
	"$CHATARC" help "$topic" | cmp -s - <("$ROOT/tools/md2man" text "$ROOT/doc/chatarc-$topic.md") ||
		differ="$differ $topic"
done
expect_eq "cli: chatarc help config|data|consent|security prints that page" "$differ" ""
# Every page is a man page groff reads without a warning; a command's
# starts with the options its --help lists.
if command -v groff >/dev/null; then
	bad=""
	"$ROOT/tools/make-man" "$TMP/man" "$ROOT/chatarc-full" 0.1.0 2>"$TMP/man.err" || bad="make-man: $(cat "$TMP/man.err")"
	pages=0
	for page in "$TMP"/man/chatarc*.[157]; do
		pages=$((pages + 1))
		warn=$(groff -k -man -t -ww -Wbreak -z "$page" 2>&1)
		[ -z "$warn" ] || bad="$bad $(basename "$page"): $warn"
	done
	groff -k -man -t -Tutf8 -P-c "$TMP/man/chatarc-search.1" 2>/dev/null | col -b >"$TMP/search.txt"
	grep -q -- '--sort ORDER' "$TMP/search.txt" && grep -q '^DESCRIPTION' "$TMP/search.txt" || bad="$bad search page: $(head -20 "$TMP/search.txt")"
	expect_eq "cli: the 19 manual pages render as man pages, the search page with its options" "$pages$bad" "19"
else
	skip "cli: man pages" "groff is not installed"
fi
"$CHATARC" help frobnicate >/dev/null 2>&1
expect_eq "cli: chatarc help of no command is a usage error" "$?" "2"

"$CHATARC" frobnicate >/dev/null 2>"$TMP/err"
expect_eq "cli: an unknown command exits 2 and says so" "$? $(grep -c 'not a chatarc command' "$TMP/err")" "2 1"
"$CHATARC" import somefile >/dev/null 2>"$TMP/err"
expect_eq "cli: import without --chat exits 2" "$? $(grep -c -- '--chat CHAT is required' "$TMP/err")" "2 1"
"$CHATARC" export --bogus >/dev/null 2>"$TMP/err"
expect_eq "cli: an unknown option exits 2" "$? $(grep -c "unknown option '--bogus'" "$TMP/err")" "2 1"
"$CHATARC" --data "$TMP/none" import --chat x "$ROOT/README.md" >/dev/null 2>"$TMP/err"
expect_eq "cli: a directory without config says to run init" "$? $(grep -c 'run `chatarc --data' "$TMP/err")" "1 1"

D="$TMP/fresh"
"$CHATARC" --data "$D" init >"$TMP/out" 2>&1
expect_eq "cli: init writes a commented config quietly without a TTY" "$? $(wc -c <"$TMP/out") $([ "$(grep -c '^//' "$D/chatarc.conf")" -gt 10 ] && echo commented)" "0 0 commented"
[ -d "$D/archive" ] && [ -d "$D/state" ] && ok "cli: init makes archive/ and state/" || fail "cli: init layout"
# The template's example sources, uncommented as a user would, are a valid
# config: the Bluesky one shows its credentials keys.
sed -n '/^  "sources": {/,$p' "$D/chatarc.conf" | sed 's|^    // "|    "|; s|^    //             "|                 "|' >"$TMP/sources"
{ sed '/^  "sources": {/,$d' "$D/chatarc.conf"; cat "$TMP/sources"; } >"$TMP/uncommented.conf"
mkdir -p "$TMP/uc" && cp "$TMP/uncommented.conf" "$TMP/uc/chatarc.conf"
BSKY_APP_PASSWORD=x "$CHATARC" --data "$TMP/uc" export nothing >/dev/null 2>"$TMP/uc.err"
expect_eq "cli: the template's example sources, uncommented, load (Bluesky with identifier, password_env, pds)" \
	"$(grep -c "no chat named 'nothing'" "$TMP/uc.err") $(grep -c -E '"identifier"|"password_env"|"pds"' "$TMP/sources")" "1 2"
"$CHATARC" --data "$D" init >/dev/null 2>"$TMP/err"
expect_eq "cli: init refuses to overwrite a config" "$? $(grep -c -- '--force' "$TMP/err")" "1 1"
CHATARC_DATA="$D" "$CHATARC" init --force >/dev/null 2>&1
expect_eq "cli: \$CHATARC_DATA names the data directory" "$?" "0"

# Two imports of one chat at once: the second waits for the first, and the
# result is the same as one import.
D2=$(new_data two fx)
"$ROOT/tools/gen-posts" 60000 3 >"$TMP/posts.jsonl"
"$CHATARC" --data "$D2" import --chat fx "$TMP/posts.jsonl" >/dev/null 2>"$TMP/err1" &
p1=$!
sleep 0.2
"$CHATARC" --data "$D2" import --chat fx "$TMP/posts.jsonl" >/dev/null 2>"$TMP/err2"
c2=$?
wait $p1
c1=$?
lines=$(find "$D2/archive" -name '*.gz' -exec zcat {} + | wc -l)
expect_eq "cli: a concurrent import waits its turn; nothing is doubled" "$c1 $c2 $lines" "0 0 60000"
if grep -q "waiting for it to finish" "$TMP/err2"; then ok "cli: the waiting import says why it waits"; else fail "cli: no waiting message" "$(cat "$TMP/err2")"; fi

# chatarc is a front end: it searches, indexes and exports itself without
# loading libcurl, libxml2 or libxslt (a search starts three times faster),
# and runs every other command in chatarc-full beside it or installed in
# PREFIX/libexec/chatarc.
front_libs=$(ldd "$CHATARC" | grep -c -E 'libcurl|libxml2|libxslt|libcrypto')
full_libs=$(ldd "$ROOT/chatarc-full" | grep -c -E 'libcurl|libxml2|libxslt|libcrypto')
expect_eq "cli: the front end loads none of libcurl, libxml2, libxslt, libcrypto; chatarc-full all four" \
	"$front_libs $full_libs" "0 4"
mkdir -p "$TMP/bin"
cp "$CHATARC" "$TMP/bin/chatarc"
"$TMP/bin/chatarc" --data "$TMP/alone" init >/dev/null 2>"$TMP/alone.err"
expect_eq "cli: without chatarc-full, a command it runs fails with exit 1 and says to reinstall" \
	"$? $(grep -c 'cannot run .*chatarc-full.*reinstall' "$TMP/alone.err") $([ -e "$TMP/alone" ] && echo made || echo none)" "1 1 none"
cp "$ROOT/chatarc-full" "$TMP/bin/chatarc-full"
CHATARC_SHARE="$ROOT/share" "$TMP/bin/chatarc" --data "$TMP/alone" init --sample >/dev/null 2>"$TMP/alone.err"
expect_eq "cli: with chatarc-full beside it, init --sample runs there (exit 0, the sample archived)" \
	"$? $(find "$TMP/alone/archive" -name '*.gz' | wc -l | awk '$1 > 0 { print "archived" }')" "0 archived"

test_done
