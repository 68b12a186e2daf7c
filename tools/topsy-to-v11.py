#!/usr/bin/env python3
"""Converts a Topsy-era CSV export (hashtags,id,...,content,...,firstpost_date,
url,...,trackback_author_nick,...) into Twitter API v1.1 statuses, one JSON
object a line, so that `chatarc import` can read it before it reads such CSV
itself. Run by hand; its output is committed as a derived fixture.

    tools/topsy-to-v11.py IN.csv > OUT.jsonl

What it does with what the CSV lacks:
- created_at: Topsy keeps only the day (MM/DD/YY); the time comes from the
  tweet id, a snowflake (milliseconds since 2010-11-04T01:42:54.657Z in the
  bits above 22).
- a row whose text starts "RT @user:" is a retweet: it gets a retweeted_status
  when the original is in the file (same author, text starts alike), so it is
  counted for the original as a v1.1 retweet is; otherwise it is left out (a
  retweet whose original is unknown is neither a message nor countable).
- user.name: Topsy has none; the screen name stands in.
- replies: Topsy keeps no in_reply_to_status_id, so there are none."""
import csv
import datetime as dt
import json
import re
import sys

TWITTER_EPOCH_MS = 1288834974657


def created_at(tweet_id):
    ms = (int(tweet_id) >> 22) + TWITTER_EPOCH_MS
    t = dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc)
    return t.strftime("%a %b %d %H:%M:%S +0000 %Y")


def status(row):
    nick = row["trackback_author_nick"]
    tags = [t for t in row["hashtags"].split("~") if t]
    mentions = [m for m in row["user_mentions"].split("~") if m]
    return {
        "id": int(row["id"]),
        "id_str": row["id"],
        "created_at": created_at(row["id"]),
        "text": row["content"],
        "user": {"screen_name": nick, "name": nick},
        "entities": {
            "hashtags": [{"text": t} for t in tags],
            "user_mentions": [{"screen_name": m} for m in mentions],
            "urls": [],
        },
        "retweet_count": int(row["retweet_count"] or 0),
        "lang": row["lang"],
    }


def main():
    rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")))
    rows.sort(key=lambda r: int(r["id"]))
    originals = [r for r in rows if not r["content"].startswith("RT @")]
    rt = re.compile(r"^RT @(\w+): (.*?)(…|\.\.\.)?$", re.S)
    for row in rows:
        s = status(row)
        m = rt.match(row["content"])
        if m:
            author, head = m.group(1).lower(), m.group(2)
            found = [o for o in originals if o["trackback_author_nick"].lower() == author
                     and o["content"].startswith(head[:60]) and int(o["id"]) < int(row["id"])]
            if not found:
                continue
            s["retweeted_status"] = status(found[0])
        print(json.dumps(s, ensure_ascii=False))


main()
