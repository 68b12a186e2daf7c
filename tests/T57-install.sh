#!/usr/bin/env bash
# make install to a PREFIX other than the one the tree was built with: the
# installed chatarc finds its other half (libexec/chatarc/chatarc-full) and
# its share/ under that PREFIX, from cron's bare environment. The tree is
# built in a copy, so the tests running beside this one keep their binary.
. "$(dirname "$0")/lib.sh"

if ! git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	skip "install" "needs the tree as a git checkout (its files are listed by git)"
	test_done
	exit 0
fi
T="$TMP/tree"
mkdir -p "$T"
git -C "$ROOT" ls-files -z | (cd "$ROOT" && xargs -0 cp --parents -t "$T")
# The newcomer's order: make (the default PREFIX), then install elsewhere.
make -C "$T" -j"$(nproc)" chatarc >"$TMP/build.log" 2>&1
expect_eq "install: the copy builds with the default PREFIX" "$?" "0"
make -C "$T" install PREFIX="$TMP/opt" >"$TMP/install.log" 2>&1
expect_eq "install: make install PREFIX=elsewhere succeeds" "$?" "0"
# The manual goes in with the program: a page a command and four more.
pages="$(ls "$TMP/opt/share/man/man1" 2>/dev/null | wc -l) $(ls "$TMP/opt/share/man/man5" 2>/dev/null | wc -l) $(ls "$TMP/opt/share/man/man7" 2>/dev/null | wc -l)"
expect_eq "install: make install puts the man pages in PREFIX/share/man (chatarc and its 14 commands, 2 files, 2 topics)" \
	"$pages $(grep -c '^\.TH "CHATARC-SEARCH" "1"' "$TMP/opt/share/man/man1/chatarc-search.1" 2>/dev/null)" "15 2 2 1"
D="$TMP/d"
env -i PATH=/usr/bin:/bin "$TMP/opt/bin/chatarc" --data "$D" init --sample >"$TMP/init.out" 2>&1
expect_eq "install: init --sample finds the sample under the new PREFIX's share/" "$? $(ls "$D/archive/hcsmdemo" 2>/dev/null | wc -l | tr -d ' ' | sed 's/^[1-9][0-9]*$/some/')" "0 some"
export SOURCE_DATE_EPOCH=$(date -u -d 2026-11-24T12:00:00Z +%s)
env -i PATH=/usr/bin:/bin SOURCE_DATE_EPOCH="$SOURCE_DATE_EPOCH" "$TMP/opt/bin/chatarc" --data "$D" update >"$TMP/update.out" 2>&1
expect_eq "install: update from env -i runs its other half and publishes (exit 0, silent)" \
	"$? $(cat "$TMP/update.out") $(ls "$D/site/hcsmdemo/2026-11-18.html" 2>/dev/null | wc -l)" "0  1"
expect_eq "install: nothing of the build tree is needed (the copy removed, it still runs)" \
	"$(rm -rf "$T" && env -i PATH=/usr/bin:/bin "$TMP/opt/bin/chatarc" --data "$D" search --count '*' 2>&1)" \
	"$("$CHATARC" --data "$D" export hcsmdemo | wc -l)"
test_done
