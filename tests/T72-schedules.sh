#!/usr/bin/env bash
# Chats as they really meet: one recurrence rule (RFC 5545, expanded by
# libical) defines a chat's sessions, and every command agrees on them:
# stats, export's session column, search's session: and topic: terms,
# summarise, publish, the .ics and the next-session line. Each is checked
# against dates computed here independently (python: zoneinfo, dateutil's
# rrule, icalendar), on the real #PSTweetChat archive (first Friday of each
# month) and on a year of posts for two alternating schedules across the
# daylight-saving changes of both hemispheres.
. "$(dirname "$0")/lib.sh"

# ---- #PSTweetChat: the first Friday of each month, 13:00 New York ----------
D="$TMP/ps"
mkdir -p "$D"
cat >"$D/chatarc.conf" <<'JSON'
{"chats": {"ps": {"tags": ["pstweetchat"], "moderators": ["JeffHicks"],
  "schedule": {"rrule": "FREQ=MONTHLY;BYDAY=1FR", "start": "13:00", "minutes": 60,
               "tz": "America/New_York"}}}}
JSON
"$CHATARC" --data "$D" import --chat ps "$FIXTURES"/csv/pstweetchat/*.csv >/dev/null
"$CHATARC" --data "$D" export ps >"$TMP/ps.jsonl"
"$CHATARC" --data "$D" stats ps --format csv --top 0 | awk -F, '$1 == "session" { sub(/^ps /, "", $2); print $2, $3 }' >"$TMP/ps.stats"

# The sessions as a person with a calendar finds them: first Fridays whose
# window (13:00-14:00 New York, 15 minutes either side) holds a post.
/usr/bin/python3 - "$TMP/ps.jsonl" >"$TMP/ps.expected" <<'PY'
import collections, datetime, json, sys, zoneinfo
ny = zoneinfo.ZoneInfo("America/New_York")
count = collections.Counter()
for line in open(sys.argv[1]):
    m = json.loads(line)
    t = datetime.datetime.strptime(m["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).astimezone(ny)
    d = t.date()
    if d.weekday() != 4 or d.day > 7:
        continue
    start = datetime.datetime(d.year, d.month, d.day, 13, 0, tzinfo=ny)
    if start - datetime.timedelta(minutes=15) <= t < start + datetime.timedelta(minutes=75):
        count[d.isoformat()] += 1
for d in sorted(count):
    print(d, count[d])
PY
expect_eq "schedules: stats' sessions are the first Fridays with posts in their window, counted alike ($(wc -l <"$TMP/ps.expected") of them)" \
	"$(cat "$TMP/ps.stats")" "$(cat "$TMP/ps.expected")"
expect_eq "schedules: #PSTweetChat met on 49 first Fridays from 2019-03 to 2023-03 (the archive's span)" \
	"$(wc -l <"$TMP/ps.stats") $(head -1 "$TMP/ps.stats" | cut -c1-7) $(tail -1 "$TMP/ps.stats" | cut -c1-7)" "49 2019-03 2023-03"

# export: a message is in the session of its local date exactly when it is
# in that first Friday's window; every other post is in no session (the
# Sunday announcements of the weekly reading of the issue).
/usr/bin/python3 - "$TMP/ps.jsonl" >"$TMP/ps.check" <<'PY'
import datetime, json, sys, zoneinfo
ny = zoneinfo.ZoneInfo("America/New_York")
wrong = inside = outside = 0
for line in open(sys.argv[1]):
    m = json.loads(line)
    t = datetime.datetime.strptime(m["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).astimezone(ny)
    d = t.date()
    start = datetime.datetime(d.year, d.month, d.day, 13, 0, tzinfo=ny)
    want = d.isoformat() if d.weekday() == 4 and d.day <= 7 and \
        start - datetime.timedelta(minutes=15) <= t < start + datetime.timedelta(minutes=75) else None
    wrong += m["session"] != want or (want is None and m["topic"] is not None)
    inside += want is not None
    outside += want is None
print(wrong, inside > 2000, outside > 500)
PY
expect_eq "schedules: export's session is the message's first Friday exactly when it is in its window, else null (topic null too)" \
	"$(cat "$TMP/ps.check")" "0 True True"

"$CHATARC" --data "$D" index >/dev/null
expect_eq "schedules: search session:2019-02-24 (a Sunday announcement) finds nothing; session:2019-03-01 the 121 stats counts" \
	"$("$CHATARC" --data "$D" search --count session:2019-02-24) $("$CHATARC" --data "$D" search --count session:2019-03-01)" \
	"0 $(awk '$1 == "2019-03-01" { print $2 }' "$TMP/ps.stats")"

SOURCE_DATE_EPOCH=$(date -u -d 2023-03-10T12:00:00Z +%s) "$CHATARC" --data "$D" publish >/dev/null
expect_eq "schedules: publish writes a page for exactly the sessions stats lists" \
	"$(cd "$D/site/ps" && ls 20*.html | sed 's/\.html$//')" "$(cut -d' ' -f1 "$TMP/ps.stats")"
# The charts as a person sees them, in Chromium at a phone's 390 px and a
# desk's 1280: the smallest label's rendered height (the activity chart's
# were about 5 px on a phone), labels on one line that overlap, labels
# cut off at the chart's edge, and session dates broken over two lines
# ("2023-/03-03" beside an empty row). On the real 49 sessions.
charts='(function () {
  var labels = Array.prototype.filter.call(d.querySelectorAll(".activity text, .trend text"), function (t) { return w.getComputedStyle(t).display != "none"; });
  var boxes = labels.map(function (t) { return t.getBoundingClientRect(); });
  var least = Math.min.apply(null, boxes.map(function (b) { return b.height; }));
  var overlaps = 0, cut = 0;
  boxes.forEach(function (a, i) {
    var svg = labels[i].ownerSVGElement.getBoundingClientRect();
    cut += a.left < svg.left || a.right > svg.right;
    boxes.forEach(function (b, j) { overlaps += i < j && Math.abs(a.top - b.top) < 1 && a.left < b.right && b.left < a.right; });
  });
  var wrapped = Array.prototype.filter.call(d.querySelectorAll("table.sessions th[scope=row] a"), function (a) { return a.getClientRects().length > 1; }).length;
  return labels.length + " " + Math.floor(least) + " " + overlaps + " " + cut + " " + wrapped;
})()'
for width in 390 1280; do
	read -r n least overlaps cut wrapped <<<"$(measure_framed "$D/site/ps/index.html" "$width" "$charts")"
	read -r n2 least2 overlaps2 cut2 _ <<<"$(measure_framed "$D/site/ps/2023-03-03.html" "$width" "$charts")"
	[ "${least:-0}" -ge 11 ] && [ "${least2:-0}" -ge 11 ] && [ "$overlaps$cut$overlaps2$cut2$wrapped" = 00000 ] &&
		ok "pages at $width px: chart labels at least 11 px high ($least, $least2), none overlapping or cut, no date broken" ||
		fail "pages at $width px: charts and dates" "trend: $n labels, least ${least:-?} px, $overlaps overlapping, $cut cut; activity: $n2 labels, least ${least2:-?} px, $overlaps2 overlapping, $cut2 cut; dates broken: $wrapped"
done
# Twitter Archiver keeps a tweet's links apart from its text: the
# transcript lists them under it, each its own link ("I published an
# update to my PSTimers module.  and PSScriptTools" showed no link), and
# no address anywhere holds a line break (%0A).
expect_eq "schedules: a message's links its text does not show are listed under it, none glued to another" \
	"$(grep -o 'PSTimers module.\{0,600\}' "$D/site/ps/2023-03-03.html" | grep -o 'href="https://github.com/jdhitsolutions/PS[A-Za-z]*"' | tr '\n' ' ')$(cat "$D"/site/ps/*.html | grep -c '%0A')" \
	'href="https://github.com/jdhitsolutions/PSTimers" href="https://github.com/jdhitsolutions/PSScriptTools" 0'
expect_eq "schedules: the next-session line after 2023-03-10 is the first Friday of April, said in words" \
	"$(grep -o 'Friday 7 April 2023 at <span[^>]*>13:00</span> America/New_York (17:00 UTC); it meets monthly, first Friday, 13:00-14:00' "$D/site/ps/index.html" | wc -l)" "1"

# The .ics carries the rule itself; read back by python's icalendar and
# expanded by dateutil it gives the same first Fridays, at 13:00 New York
# on both sides of each daylight-saving change (17:00 or 18:00 UTC).
/usr/bin/python3 - "$D/site/ps/schedule.ics" >"$TMP/ps.ics.check" <<'PY'
import datetime, sys, zoneinfo
import icalendar
from dateutil.rrule import rrulestr
cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
ev = [c for c in cal.walk("VEVENT")][0]
start = ev["DTSTART"].dt
rule = ev["RRULE"].to_ical().decode()
naive = start.replace(tzinfo=None)
got = [d for d in rrulestr(rule, dtstart=naive) if d.year <= 2023 and d.month <= 12 and d < datetime.datetime(2023, 4, 1)]
ny = zoneinfo.ZoneInfo("America/New_York")
want, d = [], datetime.date(2019, 3, 1)
while d < datetime.date(2023, 4, 1):
    if d.weekday() == 4 and d.day <= 7:
        want.append(d)
    d += datetime.timedelta(days=1)
utc_hours = sorted({d.replace(tzinfo=ny).astimezone(datetime.timezone.utc).hour for d in got})
print(rule, [d.date() for d in got] == want, {(d.hour, d.minute) for d in got} == {(13, 0)}, utc_hours,
      "monthly, first Friday" in str(ev["DESCRIPTION"]))
PY
expect_eq "schedules: the .ics says RRULE FREQ=MONTHLY;BYDAY=1FR, expands to the same first Fridays at 13:00 local (17 and 18 UTC), described in words" \
	"$(cat "$TMP/ps.ics.check")" "FREQ=MONTHLY;BYDAY=1FR True True [17, 18] True"

"$CHATARC" --data "$D" summarise ps --format json >"$TMP/latest.json"
expect_eq "schedules: summarise without DATE recaps the latest session with messages" \
	"$(jq -r '.date' "$TMP/latest.json")" "$(tail -1 "$TMP/ps.stats" | cut -d' ' -f1)"
"$CHATARC" --data "$D" summarise ps 2019-02-24 >/dev/null 2>"$TMP/err"
expect_eq "schedules: a date that is no session exits 1, naming the rule and the nearest session with messages" \
	"$? $(grep -c 'is no session date of ps (it meets monthly, first Friday, 13:00-14:00); the nearest with messages is 2019-03-01' "$TMP/err")" "1 1"
"$CHATARC" --data "$D" summarise ps 2023-04-07 >/dev/null 2>"$TMP/err"
expect_eq "schedules: a session date with nothing archived exits 1, naming the nearest session that has messages" \
	"$? $(grep -c 'ps has no session on 2023-04-07 .*the nearest with messages is 2023-03-03' "$TMP/err")" "1 1"

# ---- The index follows the config ------------------------------------------
# Indexed as a weekly Friday chat, then moved to the first Friday: index
# places that chat's messages again, says so, and search agrees with
# export's topic column message for message.
M="$TMP/moved"
mkdir -p "$M"
sed 's/"rrule": "FREQ=MONTHLY;BYDAY=1FR"/"weekday": "Fri"/' "$D/chatarc.conf" >"$M/chatarc.conf"
cp -R "$D/archive" "$M/"
"$CHATARC" --data "$M" index >/dev/null
weekly=$("$CHATARC" --data "$M" search --count topic:t1)
cp "$D/chatarc.conf" "$M/chatarc.conf"
out=$("$CHATARC" --data "$M" index 2>&1)
expect_eq "schedules: index after the schedule moved places that chat again and says so" \
	"$out" "ps: placed in sessions again (its schedule, moderators, labels or people changed)"
"$CHATARC" --data "$M" search --format json topic:t1 | jq -r .uri | sort >"$TMP/search.t1"
"$CHATARC" --data "$M" export ps | jq -r 'select(.topic == "t1") | .uri' | sort >"$TMP/export.t1"
expect_eq "schedules: topic:t1 finds exactly the messages export places under t1 ($(wc -l <"$TMP/export.t1"), not the weekly reading's $weekly)" \
	"$(cmp -s "$TMP/search.t1" "$TMP/export.t1" && echo same) $([ "$weekly" -gt "$(wc -l <"$TMP/export.t1")" ] && echo fewer)" "same fewer"
expect_eq "schedules: a second index run has nothing to place again" \
	"$("$CHATARC" --data "$M" index 2>&1)" ""

# ---- Two alternating schedules, a cancelled and a moved date ---------------
# A chat that meets every other Wednesday at noon and, in the weeks
# between, at 21:00; Toronto and Sydney, whose clocks change in opposite
# seasons. A post every day at 12:10, 21:10 and 03:00 local.
A="$TMP/alt"
mkdir -p "$A"
cat >"$A/chatarc.conf" <<'JSON'
{"chats": {
  "to": {"tags": ["to"], "schedule": [
    {"rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", "first": "2025-01-01", "start": "12:00",
     "minutes": 60, "tz": "America/Toronto", "except": ["2025-03-12"], "extra": ["2025-03-13"]},
    {"rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", "first": "2025-01-08", "start": "21:00",
     "minutes": 60, "tz": "America/Toronto", "except": ["2025-11-12"]}]},
  "sy": {"tags": ["sy"], "schedule": [
    {"rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "first": "2025-01-02", "start": "12:00",
     "minutes": 60, "tz": "Australia/Sydney", "except": ["2025-04-10"], "extra": ["2025-04-07"]},
    {"rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "first": "2025-01-09", "start": "21:00",
     "minutes": 60, "tz": "Australia/Sydney"}]}}}
JSON
/usr/bin/python3 - "$TMP" <<'PY'
import datetime, json, sys, zoneinfo
for chat, zone in (("to", "America/Toronto"), ("sy", "Australia/Sydney")):
    tz = zoneinfo.ZoneInfo(zone)
    posts, n, d = [], 0, datetime.date(2025, 1, 1)
    while d <= datetime.date(2025, 12, 31):
        for hour, minute in ((3, 0), (12, 10), (21, 10)):
            n += 1
            t = datetime.datetime(d.year, d.month, d.day, hour, minute, tzinfo=tz).astimezone(datetime.timezone.utc)
            posts.append({"id": str(n), "uri": f"https://t.example/users/p{n % 7}/statuses/{chat}{n}",
                "url": f"https://t.example/@p{n % 7}/{chat}{n}", "created_at": t.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "content": f"<p>post {n} #{chat}</p>", "account": {"id": str(n % 7), "acct": f"p{n % 7}",
                "username": f"p{n % 7}", "display_name": f"P{n % 7}", "url": f"https://t.example/@p{n % 7}"},
                "tags": [{"name": chat}], "mentions": [], "media_attachments": [], "in_reply_to_id": None,
                "visibility": "public", "language": "en", "replies_count": 0, "reblogs_count": 0,
                "favourites_count": 0})
        d += datetime.timedelta(days=1)
    json.dump(posts, open(f"{sys.argv[1]}/{chat}.json", "w"))
PY
for chat in to sy; do "$CHATARC" --data "$A" import --chat $chat "$TMP/$chat.json" >/dev/null; done
"$CHATARC" --data "$A" index >/dev/null
SOURCE_DATE_EPOCH=$(date -u -d 2025-12-20T00:00:00Z +%s) "$CHATARC" --data "$A" publish >/dev/null
for chat in to sy; do
	# Every command's idea of the year's sessions, one line each.
	{
		"$CHATARC" --data "$A" stats $chat --format csv | awk -F, '$1 == "session" { sub(/^[a-z]+ /, "", $2); print $2 }' | paste -sd' '
		"$CHATARC" --data "$A" export $chat | jq -r 'select(.session) | .session' | sort -u | paste -sd' '
		(cd "$A/site/$chat" && ls 20*.html | sed 's/\.html$//' | paste -sd' ')
	} >"$TMP/$chat.commands"
	# session:DATE finds that session's one post (12:10 or 21:10) and no more.
	bad=""
	for date in $(head -1 "$TMP/$chat.commands"); do
		[ "$("$CHATARC" --data "$A" search --count "chat:$chat session:$date")" = 1 ] || bad="$bad $date"
	done
	expect_eq "schedules: $chat: search session:DATE finds the one post in each session's window" "$bad" ""
	/usr/bin/python3 - "$A/chatarc.conf" "$chat" "$A/site/$chat/schedule.ics" "$TMP/$chat.commands" "$A" "$CHATARC" <<'PY' >"$TMP/$chat.check"
import datetime, json, subprocess, sys, zoneinfo
import icalendar
from dateutil.rrule import rrulestr
conf, chat, ics, commands, data, chatarc = sys.argv[1:]
schedules = json.load(open(conf))["chats"][chat]["schedule"]
tz = zoneinfo.ZoneInfo(schedules[0]["tz"])
want = {}
for s in schedules:
    first = datetime.datetime.fromisoformat(s["first"])
    dates = {d.date() for d in rrulestr(s["rrule"], dtstart=first) if d.year == 2025}
    dates -= {datetime.date.fromisoformat(x) for x in s.get("except", [])}
    dates |= {datetime.date.fromisoformat(x) for x in s.get("extra", [])}
    for d in dates:
        want[d.isoformat()] = s["start"]
line = " ".join(sorted(want))
lines = open(commands).read().splitlines()
print("stats", lines[0] == line, "export", lines[1] == line, "publish", lines[2] == line, len(want))
# The calendar: each schedule an event whose RRULE, EXDATE and RDATE expand
# (dateutil, in local time) to the same dates, at the schedule's hour.
cal = icalendar.Calendar.from_ical(open(ics, "rb").read())
got = {}
for ev in cal.walk("VEVENT"):
    start = ev["DTSTART"].dt
    dates = {d for d in rrulestr(ev["RRULE"].to_ical().decode(), dtstart=start.replace(tzinfo=None)) if d.year == 2025}
    for prop in ("EXDATE", "RDATE"):
        values = ev.get(prop, [])
        values = values if isinstance(values, list) else [values]
        for v in values:
            for dt in v.dts:
                (dates.discard if prop == "EXDATE" else dates.add)(dt.dt.replace(tzinfo=None))
    for d in dates:
        got[d.date().isoformat()] = d.strftime("%H:%M")
print("ics", got == want)
# A post is in a session only when it is in that date's own window: the
# 21:10 post of a noon session's date is in none.
wrong = 0
for line in subprocess.run([chatarc, "--data", data, "export", chat], capture_output=True,
                           text=True).stdout.splitlines():
    m = json.loads(line)
    t = datetime.datetime.strptime(m["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).astimezone(tz)
    d = t.date().isoformat()
    expect = d if d in want and t.strftime("%H") == want[d][:2] else None
    wrong += m["session"] != expect
print("posts", wrong)
PY
	expect_eq "schedules: $chat: stats, export, publish and the .ics give the sessions dateutil computes from the rules (DST, EXDATE, RDATE)" \
		"$(cat "$TMP/$chat.check")" "$(printf 'stats True export True publish True 52\nics True\nposts 0')"
done

# ---- Labels in the chat's language ----------------------------------------
# A German chat (#EdChatDE's habit): the moderator asks "F1" (Frage), people
# answer "A1" (Antwort). The welcome asks something too; read with the
# default labels (T, Q) it would become the first topic.
G="$TMP/de"
mkdir -p "$G"
cat >"$G/chatarc.conf" <<'JSON'
{"chats": {"edchatde": {"tags": ["edchatde"], "moderators": ["mod@bildung.social"],
  "labels": {"question": ["F"], "answer": ["A"]},
  "schedule": {"weekday": "Tue", "start": "20:00", "minutes": 60, "tz": "Europe/Berlin"}}}}
JSON
/usr/bin/python3 - "$TMP/de.json" <<'PY'
import json, sys
posts = [
    ("mod", "19:58", "Herzlich willkommen zum #edchatde! Wer ist heute dabei?"),
    ("lena", "19:59", "Hallo in die Runde, Lena aus Köln, Grundschule #edchatde"),
    ("mod", "20:02", "F1: Wie nutzt ihr digitale Werkzeuge im Fachunterricht? #edchatde"),
    ("lena", "20:05", "A1 Vor allem für kollaboratives Schreiben, mit Etherpads #edchatde"),
    ("jonas", "20:07", "A1: Bei uns kaum, die Geräte fehlen noch #edchatde"),
    ("mod", "20:20", "F2: Welche Fortbildung hat euch wirklich weitergebracht? #edchatde"),
    ("jonas", "20:24", "A2 Die schulinterne, weil sie konkret war #edchatde"),
    ("lena", "20:26", "@jonas A2 Ja, und weil man danach Zeit zum Ausprobieren hatte #edchatde"),
    ("mod", "20:40", "F3. Was nehmt ihr euch für die nächste Woche vor? #edchatde"),
    ("jonas", "20:44", "A3 Eine Stunde nur mit Tablets planen #edchatde"),
]
out = []
for n, (who, at, text) in enumerate(posts, 1):
    out.append({"id": str(n), "uri": f"https://bildung.social/users/{who}/statuses/{n}",
        "url": f"https://bildung.social/@{who}/{n}", "created_at": f"2025-03-04T{int(at[:2]) - 1:02d}:{at[3:]}:00.000Z",
        "content": f"<p>{text}</p>", "account": {"id": who, "acct": who, "username": who,
        "display_name": who.title(), "url": f"https://bildung.social/@{who}"},
        "tags": [{"name": "edchatde"}], "mentions": [], "media_attachments": [], "in_reply_to_id": None,
        "visibility": "public", "language": "de", "replies_count": 0, "reblogs_count": 0, "favourites_count": 0})
json.dump(out, open(sys.argv[1], "w"))
PY
"$CHATARC" --data "$G" import --chat edchatde "$TMP/de.json" >/dev/null
topics() { "$CHATARC" --data "$G" summarise edchatde 2025-03-04 --format json |
	jq -r '[(.topics[] | "\(.number):\(.question.text[0:3]):\([.messages[] | select(.question | not) | .method] | join(","))"), "intro:\(.intro.messages | length)"] | join(" ")'; }
expect_eq "schedules: a German chat's F1-F3 are its questions, A1-A3 placed by label, the welcome before them" \
	"$(topics)" "1:F1::label,label 2:F2::label,label 3:F3.:label intro:2"
sed -i '/"labels"/d' "$G/chatarc.conf"
expect_eq "schedules: without its labels the welcome would be taken for the first question" \
	"$(topics | cut -d' ' -f1 | cut -d: -f2)" "Her"

# ---- Config errors name the line and the key --------------------------------
bad_config() { # JSON-schedule expected-message
	mkdir -p "$TMP/bad"
	printf '{"chats": {"x": {"tags": ["x"],\n  "schedule": %s}}}\n' "$1" >"$TMP/bad/chatarc.conf"
	"$CHATARC" --data "$TMP/bad" export x 2>&1 >/dev/null | grep -c -F "$2"
}
expect_eq "schedules: an rrule that is none, INTERVAL without first, both forms, a bad EXDATE, two zones: each named" \
	"$(bad_config '{"rrule": "FREQ=SOMETIMES", "start": "13:00", "minutes": 60, "tz": "UTC"}' 'chatarc.conf:2: chats.x.schedule.rrule: expected an RFC 5545 recurrence rule')$(
		bad_config '{"rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", "start": "13:00", "minutes": 60, "tz": "UTC"}' 'chats.x.schedule.rrule: INTERVAL, COUNT')$(
		bad_config '{"rrule": "FREQ=WEEKLY;BYDAY=WE", "weekday": "Wed", "start": "13:00", "minutes": 60, "tz": "UTC"}' 'not both')$(
		bad_config '{"rrule": "FREQ=WEEKLY;BYDAY=WE", "except": ["2025-02-30"], "start": "13:00", "minutes": 60, "tz": "UTC"}' "chats.x.schedule.except: '2025-02-30' is not a date")$(
		bad_config '[{"weekday": "Wed", "start": "13:00", "minutes": 60, "tz": "UTC"},
   {"weekday": "Thu", "start": "13:00", "minutes": 60, "tz": "Europe/Berlin"}]' 'chatarc.conf:3: chats.x.schedule[1].tz: a chat has one time zone')$(
		bad_config '{"rrule": "FREQ=HOURLY", "start": "13:00", "minutes": 60, "tz": "UTC"}' 'FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY')" \
	"111111"

# ---- A rule that has ended ----------------------------------------------------
E="$TMP/ended"
mkdir -p "$E"
sed 's/"FREQ=MONTHLY;BYDAY=1FR"/"FREQ=MONTHLY;BYDAY=1FR;UNTIL=20230303"/' "$D/chatarc.conf" >"$E/chatarc.conf"
cp -R "$D/archive" "$E/"
SOURCE_DATE_EPOCH=$(date -u -d 2023-06-01T00:00:00Z +%s) "$CHATARC" --data "$E" publish >/dev/null
expect_eq "schedules: after UNTIL the chat page says no session is scheduled" \
	"$(grep -c 'No session scheduled (the chat met monthly, first Friday, 13:00-14:00, until 2023-03-03)' "$E/site/ps/index.html")" "1"

test_done
