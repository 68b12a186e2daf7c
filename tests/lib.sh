# Helpers for the command-line tests: each check prints "ok NAME" or
# "FAIL NAME" (with what differed) for tests/run to count.
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHATARC="${CHATARC_UNDER_TEST:-$ROOT/chatarc}"
FIXTURES="${CHATARC_FIXTURES:-$ROOT/tests/fixtures}"
TMP="${TEST_TMP:-$ROOT/tests/tmp}/$(basename "$0" .sh)"
rm -rf "$TMP" && mkdir -p "$TMP"

ok() { echo "ok   $*"; }
fail() {
	echo "FAIL $1"
	shift
	[ $# -gt 0 ] && printf '     %s\n' "$@"
	return 0
}

# check NAME COMMAND...: passes when COMMAND exits 0.
check() {
	local name="$1"
	shift
	if "$@" >"$TMP/check.out" 2>&1; then ok "$name"; else fail "$name" "command: $*" "$(head -c 600 "$TMP/check.out")"; fi
}

# expect_eq NAME GOT WANT
expect_eq() {
	if [ "$2" == "$3" ]; then ok "$1"; else fail "$1" "got:  $(printf '%s' "$2" | head -c 400)" "want: $(printf '%s' "$3" | head -c 400)"; fi
}

# expect_file_eq NAME GOT_FILE WANT_FILE
expect_file_eq() {
	if cmp -s "$2" "$3"; then ok "$1"; else fail "$1" "$(diff "$3" "$2" | head -n 12)"; fi
}

# A data directory with a config naming the given chats (tags = the name).
new_data() {
	local dir="$TMP/$1"
	shift
	rm -rf "$dir"
	mkdir -p "$dir"
	{
		echo '{"chats": {'
		local first=1
		for chat in "$@"; do
			[ $first -eq 1 ] || echo ','
			first=0
			printf '  "%s": {"tags": ["%s"], "schedule": {"weekday": "Wed", "start": "13:00", "minutes": 60, "tz": "America/Toronto"}}' "$chat" "$chat"
		done
		echo '}, "sources": {}}'
	} >"$dir/chatarc.conf"
	echo "$dir"
}

# The body of a recorded raw HTTP response (.http) file.
http_body() { sed '1,/^\r$/d' "$1"; }

# A checksum over every archive file of a data directory.
archive_sum() { find "$1/archive" -name '*.gz' -print0 2>/dev/null | sort -z | xargs -0 -r md5sum | md5sum | cut -c1-32; }

# skip NAME REASON: a check that could not run here (a missing tool); counted
# as skipped, never as passed.
skip() { echo "skip $1: $2"; }

# test_done: the last line of every script. tests/run fails a script whose
# output does not end with this marker, so one that stops early cannot pass.
test_done() {
	echo "done: $(basename "$0")"
	exit 0
}

# allow_noindex DIR: the data directory's chats take posts of accounts that
# opted out of indexing (for tests about something else, on real data).
allow_noindex() { sed -i 's/"tags": \["\([^"]*\)"\]/"tags": ["\1"], "allow_noindex": true/g' "$1/chatarc.conf"; }

# The loopback server of the networks' APIs (tests/fake-social.py, fed with
# the recorded responses), started for this script and stopped when it
# exits; sets SERVER, PORT and BASE (http://127.0.0.1:PORT), and ctl, which
# posts to its control endpoint.
# start_fake_social [ARGS...]: more arguments go to the server
# (--jetstream-port-file F: its Jetstream too).
start_fake_social() {
	/usr/bin/python3 "$ROOT/tests/fake-social.py" --fixtures "$FIXTURES" --port-file "$TMP/port" \
		"$@" >"$TMP/server.log" 2>&1 &
	SERVER=$!
	trap 'kill $SERVER 2>/dev/null' EXIT
	for _ in $(seq 100); do [ -s "$TMP/port" ] && break; sleep 0.05; done
	PORT=$(cat "$TMP/port")
	BASE="http://127.0.0.1:$PORT"
}
ctl() { curl -s -X POST --data "$1" "$BASE/_control" >/dev/null; }

# browser ARGS...: Debian's Chromium, headless, as every page test drives it.
browser() { timeout 60 chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions "$@" 2>/dev/null; }

# framed PAGE WIDTH [JS]: writes $TMP/framed.html, which shows PAGE in a
# WIDTH px wide frame (headless Chromium has no window narrower than
# 500 px, so a phone is a frame) and, once loaded, sets its own title to
# JS, an expression over the frame's document `d` and window `w`.
framed() {
	cat >"$TMP/framed.html" <<HTML
<html><body style="margin:0;background:#888"><iframe id="f" src="file://$1" style="width:$2px;height:1600px;border:0;background:#fff"></iframe>
<script>document.getElementById("f").onload = function () { var d = this.contentDocument, w = this.contentWindow; document.title = String(${3:-""}); };</script></body></html>
HTML
}

# measure_framed PAGE WIDTH JS: what JS (as in framed) says of PAGE laid
# out WIDTH px wide in Chromium.
measure_framed() {
	framed "$@"
	browser --allow-file-access-from-files --window-size=$(($2 < 480 ? 500 : $2 + 20)),1700 \
		--virtual-time-budget=3000 --dump-dom "file://$TMP/framed.html" |
		sed -n 's|.*<title>\(.*\)</title>.*|\1|p'
}
