#!/usr/bin/env bash
# chatarc stats: every count and edge equals a brute-force count (python,
# its own time-zone code) over what export gives for the same selection, on
# the real #PSTweetChat (Twitter Archiver CSV, 2019-2023, many sessions),
# the real recorded Mastodon and Bluesky fixtures, and the sample chat; the
# GraphML reads in networkx as a researcher would read it.
. "$(dirname "$0")/lib.sh"

D="$TMP/d"
"$CHATARC" --data "$D" init --sample >/dev/null
cat >"$D/chatarc.conf" <<'JSON'
{"chats": {
  "hcsmdemo": {"tags": ["hcsmdemo"], "moderators": ["hcsmdemo@toot.example", "hcsmdemo.bsky.example"],
    "schedule": {"weekday": "Wed", "start": "13:00", "minutes": 60, "tz": "America/Toronto"}},
  "ps": {"tags": ["pstweetchat"], "moderators": ["JeffHicks"],
    "schedule": {"weekday": "Fri", "start": "13:00", "minutes": 60, "tz": "America/New_York"}},
  "fx": {"tags": ["redistricting"], "allow_noindex": true,
    "schedule": {"weekday": "Tue", "start": "10:00", "minutes": 60, "tz": "Europe/Berlin"}}},
 "sources": {}}
JSON
"$CHATARC" --data "$D" import --chat ps "$FIXTURES/csv/pstweetchat/pstweetchat.csv" "$FIXTURES/csv/pstweetchat/pstweetchat_2019_at_3dfabab.csv" >/dev/null
for f in "$FIXTURES"/mastodon/mastodonpy_tag_page*.http "$FIXTURES"/mastodon/rtoot_*.http "$FIXTURES"/bluesky/*.http; do
	http_body "$f" >"$TMP/$(basename "$f" .http).json"
	"$CHATARC" --data "$D" import --chat fx "$TMP/$(basename "$f" .http).json" >/dev/null
done

# brute SELECTION...: the stats JSON (--top 0) and the edges, computed from
# export's JSON lines on stdin, then export --retweets' (the retweet edges).
brute() {
	python3 -c '
import collections, datetime, json, sys, zoneinfo
zones = {"hcsmdemo": "America/Toronto", "ps": "America/New_York", "fx": "Europe/Berlin"}
lines = [json.loads(l) for l in sys.stdin]
msgs = [l for l in lines if "retweeted_username" not in l]
boosts = [l for l in lines if "retweeted_username" in l]
def local(m):
    t = datetime.datetime.strptime(m["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return t.astimezone(zoneinfo.ZoneInfo(zones[m["chat"]]))
def reply(m):
    return bool(m["reply_to"] or m["reply_to_id"])
def table(key_of, name, full=True):
    groups = collections.defaultdict(list)
    for m in msgs:
        for k in key_of(m):
            groups[k].append(m)
    rows = []
    for k, ms in groups.items():
        row = {name: k, "messages": len(ms)}
        if full:
            row["participants"] = len({m["author"] or "" for m in ms})
            row["replies"] = sum(reply(m) for m in ms)
        rows.append(row)
    if full:
        return sorted(rows, key=lambda r: r[name].encode())
    return sorted(rows, key=lambda r: (-r["messages"], r[name].encode()))
out = {"messages": len(msgs), "participants": len({m["author"] or "" for m in msgs}),
       "replies": sum(reply(m) for m in msgs),
       "by_day": table(lambda m: [local(m).strftime("%Y-%m-%d")], "date"),
       "by_hour": table(lambda m: [local(m).strftime("%H")], "hour"),
       "by_session": table(lambda m: [m["chat"] + " " + m["session"]] if m["session"] else [], "session"),
       "top_tags": table(lambda m: m["tags"], "tag", False),
       "top_authors": table(lambda m: [m["author"]] if m["author"] else [], "author", False),
       "top_mentions": table(lambda m: m["mentions"], "mention", False),
       "top_links": table(lambda m: m["links"], "link", False)}
print(json.dumps(out, sort_keys=True))
did = {m["uri"][5:].split("/")[0]: m["author"] for m in msgs if m["uri"].startswith("at://")}
edges = collections.Counter()
for m in msgs:
    if not m["author"]:
        continue
    if m["reply_to_account"]:
        t = m["reply_to_account"]
        edges[(m["author"].lower(), did.get(t, t).lower(), "reply")] += 1
    for t in m["mentions"]:
        edges[(m["author"].lower(), t.lower(), "mention")] += 1
for b in boosts:
    if b["author.username"] and b["retweeted_username"]:
        edges[(b["author.username"].lower(), b["retweeted_username"].lower(), "retweet")] += 1
for (s, t, k), n in sorted(edges.items()):
    print(s, t, k, n)
'
}
# What chatarc gives for the same: the JSON, then its edges in the same form.
chatarc_stats() {
	"$CHATARC" --data "$D" stats --format json --top 0 "$@" | jq -S -c .
	"$CHATARC" --data "$D" stats --edges --format json "$@" | jq -r '"\(.source) \(.target) \(.type) \(.weight)"' | LC_ALL=C sort
}
check_same() { # NAME SELECTION...
	local name=$1
	shift
	{ "$CHATARC" --data "$D" export "$@" && "$CHATARC" --data "$D" export --retweets "$@" 2>/dev/null; } |
		brute >"$TMP/brute.txt"
	{ head -1 "$TMP/brute.txt" | jq -S -c .; tail -n +2 "$TMP/brute.txt" | LC_ALL=C sort; } >"$TMP/want.txt"
	chatarc_stats "$@" >"$TMP/got.txt"
	expect_eq "stats: $name: every count, top list and edge equals a brute-force count over export ($(head -1 "$TMP/want.txt" | jq .messages) messages, $(($(wc -l <"$TMP/want.txt") - 1)) edges)" \
		"$(diff "$TMP/got.txt" "$TMP/want.txt" | head -5)" ""
}
check_same "all chats"
check_same "the real #PSTweetChat alone" ps
check_same "one local day across chats in three zones" 2020-03-06
check_same "an author by bare name" --author jeffhicks
check_same "a time range" ps --since 2021-01-01T00:00:00Z --until 2022-01-01T00:00:00Z
check_same "one session of the real #PSTweetChat" ps --session 2020-03-06
expect_eq "stats: --session keeps the messages export places in that session, and only those" \
	"$("$CHATARC" --data "$D" export ps --session 2020-03-06 | jq -r .session | sort -u) $("$CHATARC" --data "$D" export ps --session 2020-03-06 | wc -l)" \
	"2020-03-06 $("$CHATARC" --data "$D" export ps | jq -r 'select(.session == "2020-03-06") | .uri' | wc -l)"

# The real chat has the shape a researcher expects: many sessions, a host
# at the centre of the reply network.
"$CHATARC" --data "$D" stats ps --format json --top 3 >"$TMP/ps.json"
expect_eq "stats: #PSTweetChat: its sessions are counted (one per chat day), its host the top author" \
	"$(jq -c '[(.by_session | length > 30), .top_authors[0].author, (.top_authors | length)]' "$TMP/ps.json")" \
	'[true,"JeffHicks",3]'
"$CHATARC" --data "$D" stats ps --format csv >"$TMP/ps.csv"
expect_eq "stats: CSV is one long table, its totals the JSON's" \
	"$(head -2 "$TMP/ps.csv" | tr -d '\r' | tr '\n' ' ')" \
	"kind,key,messages,participants,replies total,,$(jq -r '"\(.messages),\(.participants),\(.replies)"' "$TMP/ps.json") "

# GraphML as networkx reads it: the same edges and weights as the CSV list.
"$CHATARC" --data "$D" stats --edges --format graphml >"$TMP/net.graphml"
"$CHATARC" --data "$D" stats --edges >"$TMP/net.csv"
got=$(/usr/bin/python3 - "$TMP/net.graphml" "$TMP/net.csv" <<'PY'
import csv, sys, networkx
g = networkx.read_graphml(sys.argv[1], force_multigraph=True)
edges = sorted((s, t, d["type"], d["weight"]) for s, t, d in g.edges(data=True))
rows = sorted((r["source"], r["target"], r["type"], int(r["weight"])) for r in csv.DictReader(open(sys.argv[2], newline="")))
authors = sum(1 for n, d in g.nodes(data=True) if d["messages"] > 0)
print(edges == rows, len(edges) > 50, authors > 20)
PY
)
expect_eq "stats: the GraphML reads in networkx with the edge list's edges and weights" "$got" "True True True"
# Bluesky names the account replied to by its DID: named by its handle
# wherever the selection holds a post of that account.
"$CHATARC" --data "$D" export fx | jq -r 'select(.uri | startswith("at://")) | .uri[5:] | split("/")[0]' | sort -u >"$TMP/dids.txt"
expect_eq "stats: a Bluesky reply's account is named by its handle where the selection knows it, never by a DID it knows" \
	"$(cut -d, -f2 "$TMP/net.csv" | grep '^did:' | sort -u | comm -12 - "$TMP/dids.txt" | wc -l) $(grep -c '\.bsky\.social,reply,' "$TMP/net.csv" | awk '{print ($1 > 0)}')" "0 1"
"$CHATARC" --data "$D" stats --format graphml >/dev/null 2>"$TMP/err"
expect_eq "stats: graphml without --edges is a usage error" "$?:$(grep -c 'graphml is for --edges' "$TMP/err")" "2:1"
"$CHATARC" --data "$D" stats nochat >/dev/null 2>"$TMP/err"
expect_eq "stats: an unknown chat is named" "$?:$(grep -c "no chat named 'nochat'" "$TMP/err")" "1:1"

test_done
