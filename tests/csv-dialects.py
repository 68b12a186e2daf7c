#!/usr/bin/env python3
"""Writes the CSV a researcher's tool would have written for the tweets of
our recorded JSON fixtures, one file per dialect, so that T10 can import
both and compare the records. Columns and their contents follow each tool's
published output (README, "CSV archives"); this is our own writer of those
formats, not the tools' code (none of them is packaged in Debian).

    tests/csv-dialects.py V11.json V2PAGE.json V2.jsonl OUTDIR
    tests/csv-dialects.py --twarc-csv V2PAGES.jsonl > OUT.csv   (make bench)

Writes into OUTDIR:
  tags.csv            TAGS (Google Sheets): v1.1 fields, entities_str JSON
  tags-damaged.csv    the same as a spreadsheet leaves it: a banner line,
                      ids rounded to 15 significant digits (status_url
                      keeps the true one), the header repeated mid-file,
                      CRLF line ends
  twarc-2015.csv      twarc json2csv, its 2015 header (reweet_id misspelt,
                      user_screen_name twice)
  twarc.csv           twarc json2csv, its later header (tweet_type)
  twarc-csv.csv       twarc-csv for API v2: data tweets, and the originals
                      of retweets inline as rows of their own
  rounded-no-url.csv  twarc json2csv rows whose ids a spreadsheet rounded,
                      with the tweet_url column emptied: not recoverable
  zero-tail.csv       twarc json2csv rows without tweet_url, clean but for
                      one true id that ends in four zeros (one in 10,000
                      does: not a rounded one)
"""
import csv
import json
import os
import sys


def v1_text(t):
    ext = t.get("extended_tweet") or {}
    return ext.get("full_text") or t.get("full_text") or t["text"]


def v1_entities(t):
    ext = t.get("extended_tweet") or {}
    return ext.get("entities") or t.get("entities") or {}


def v1_statuses(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)["statuses"]


def rounded(id_str):
    """What a spreadsheet shows of a 19-digit id: 15 significant digits."""
    return id_str[:15] + "0" * (len(id_str) - 15)


def status_url(t):
    return "https://twitter.com/%s/status/%s" % (t["user"]["screen_name"], t["id_str"])


TAGS_HEADER = ["id_str", "from_user", "text", "created_at", "time", "geo_coordinates",
               "user_lang", "in_reply_to_user_id_str", "in_reply_to_screen_name",
               "from_user_id_str", "in_reply_to_status_id_str", "source",
               "profile_image_url", "user_followers_count", "user_friends_count",
               "user_location", "status_url", "entities_str"]


def tags_row(t):
    u = t["user"]
    return [t["id_str"], u["screen_name"], v1_text(t), t["created_at"], "",
            "", u.get("lang") or "", t.get("in_reply_to_user_id_str") or "",
            t.get("in_reply_to_screen_name") or "", u["id_str"],
            t.get("in_reply_to_status_id_str") or "", t.get("source", ""),
            u.get("profile_image_url", ""), u.get("followers_count", ""),
            u.get("friends_count", ""), u.get("location", ""), status_url(t),
            json.dumps(v1_entities(t))]


TWARC_2015_HEADER = ["coordinates", "created_at", "hashtags", "media", "urls",
                     "favorite_count", "id", "in_reply_to_screen_name",
                     "in_reply_to_status_id", "in_reply_to_user_id", "lang", "place",
                     "possibly_sensitive", "retweet_count", "reweet_id",
                     "retweet_screen_name", "source", "text", "tweet_url",
                     "user_created_at", "user_screen_name", "user_default_profile_image",
                     "user_description", "user_favourites_count", "user_followers_count",
                     "user_friends_count", "user_listed_count", "user_location",
                     "user_name", "user_screen_name", "user_statuses_count",
                     "user_time_zone", "user_urls", "user_verified"]


def lists(t):
    e = v1_entities(t)
    tags = " ".join(h["text"] for h in e.get("hashtags", []))
    urls = " ".join(u["expanded_url"] for u in e.get("urls", []) if u.get("expanded_url"))
    media = " ".join(m["media_url"] for m in e.get("media", []))
    return tags, urls, media


def twarc_2015_row(t):
    u, rt = t["user"], t.get("retweeted_status")
    tags, urls, media = lists(t)
    return ["", t["created_at"], tags, media, urls, t.get("favorite_count", 0), t["id_str"],
            t.get("in_reply_to_screen_name") or "", t.get("in_reply_to_status_id_str") or "",
            t.get("in_reply_to_user_id_str") or "", t.get("lang", ""), "",
            t.get("possibly_sensitive", ""), t.get("retweet_count", 0),
            rt["id_str"] if rt else "", rt["user"]["screen_name"] if rt else "",
            t.get("source", ""), v1_text(t), status_url(t), u.get("created_at", ""),
            u["screen_name"], u.get("default_profile_image", ""), u.get("description", ""),
            u.get("favourites_count", ""), u.get("followers_count", ""),
            u.get("friends_count", ""), u.get("listed_count", ""), u.get("location", ""),
            u.get("name", ""), u["screen_name"], u.get("statuses_count", ""),
            u.get("time_zone") or "", "", u.get("verified", "")]


TWARC_HEADER = ["id", "tweet_url", "created_at", "parsed_created_at", "user_screen_name",
                "text", "tweet_type", "coordinates", "hashtags", "media", "urls",
                "favorite_count", "in_reply_to_screen_name", "in_reply_to_status_id",
                "in_reply_to_user_id", "lang", "place", "possibly_sensitive", "retweet_count",
                "retweet_or_quote_id", "retweet_or_quote_screen_name",
                "retweet_or_quote_user_id", "source", "user_id", "user_created_at",
                "user_default_profile_image", "user_description", "user_favourites_count",
                "user_followers_count", "user_friends_count", "user_listed_count",
                "user_location", "user_name", "user_statuses_count", "user_time_zone",
                "user_urls", "user_verified"]


def tweet_type(t):
    if t.get("retweeted_status"):
        return "retweet"
    if t.get("quoted_status_id_str"):
        return "quote"
    if t.get("in_reply_to_status_id_str"):
        return "reply"
    return "original"


def twarc_row(t):
    u = t["user"]
    other = t.get("retweeted_status") or t.get("quoted_status")
    tags, urls, media = lists(t)
    return [t["id_str"], status_url(t), t["created_at"], "", u["screen_name"], v1_text(t),
            tweet_type(t), "", tags, media, urls, t.get("favorite_count", 0),
            t.get("in_reply_to_screen_name") or "", t.get("in_reply_to_status_id_str") or "",
            t.get("in_reply_to_user_id_str") or "", t.get("lang", ""), "",
            t.get("possibly_sensitive", ""), t.get("retweet_count", 0),
            other["id_str"] if other else "", other["user"]["screen_name"] if other else "",
            other["user"]["id_str"] if other else "", t.get("source", ""), u["id_str"],
            u.get("created_at", ""), "", u.get("description", ""), "",
            u.get("followers_count", ""), "", "", u.get("location", ""), u.get("name", ""),
            "", "", "", ""]


TWARC_CSV_HEADER = ["id", "conversation_id", "referenced_tweets.replied_to.id",
                    "referenced_tweets.retweeted.id", "referenced_tweets.quoted.id",
                    "author_id", "in_reply_to_user_id", "in_reply_to_username",
                    "retweeted_user_id", "retweeted_username", "quoted_user_id",
                    "quoted_username", "created_at", "text", "lang", "source",
                    "public_metrics.reply_count", "public_metrics.retweet_count",
                    "public_metrics.quote_count", "public_metrics.like_count",
                    "entities.hashtags", "entities.mentions", "entities.urls", "author.id",
                    "author.username", "author.name", "author.public_metrics.followers_count",
                    "attachments.media_keys", "attachments.media", "__twarc.retrieved_at"]


def v2_pages(page_path, jsonl_path):
    with open(page_path, encoding="utf-8") as f:
        yield json.load(f)
    with open(jsonl_path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def twarc_csv_rows(page):
    users = {u["id"]: u for u in page.get("includes", {}).get("users", [])}
    media = {m["media_key"]: m for m in page.get("includes", {}).get("media", [])}
    included = {t["id"]: t for t in page.get("includes", {}).get("tweets", [])}

    def row(t):
        refs = {r["type"]: r["id"] for r in t.get("referenced_tweets", [])}
        author = users.get(t.get("author_id"), {})
        replied_to_user = users.get(t.get("in_reply_to_user_id"), {})
        rt_user = users.get(included.get(refs.get("retweeted"), {}).get("author_id"), {})
        m = t.get("public_metrics", {})
        e = t.get("entities", {})

        def enc(key):
            return json.dumps(e[key]) if key in e else ""
        keys = t.get("attachments", {}).get("media_keys", [])
        return [t["id"], t.get("conversation_id", ""), refs.get("replied_to", ""),
                refs.get("retweeted", ""), refs.get("quoted", ""), t.get("author_id", ""),
                t.get("in_reply_to_user_id", ""), replied_to_user.get("username", ""),
                rt_user.get("id", ""), rt_user.get("username", ""), "", "",
                t["created_at"], t["text"], t.get("lang", ""), t.get("source", ""),
                m.get("reply_count", ""), m.get("retweet_count", ""),
                m.get("quote_count", ""), m.get("like_count", ""), enc("hashtags"),
                enc("mentions"), enc("urls"), author.get("id", ""),
                author.get("username", ""), author.get("name", ""),
                author.get("public_metrics", {}).get("followers_count", ""),
                json.dumps(keys) if keys else "",
                json.dumps([media[k] for k in keys if k in media]) if keys else "",
                "2021-05-18T19:30:00+00:00"]

    for t in page.get("data", []):
        yield row(t)
        for r in t.get("referenced_tweets", []):
            if r["type"] == "retweeted" and r["id"] in included:
                yield row(included[r["id"]])


def write(path, header, rows, banner=None, lineterminator="\n"):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator=lineterminator)
        if banner:
            w.writerow(banner)
        w.writerow(header)
        for r in rows:
            w.writerow(r)


def main():
    if sys.argv[1] == "--twarc-csv":
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(TWARC_CSV_HEADER)
        with open(sys.argv[2], encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    w.writerows(twarc_csv_rows(json.loads(line)))
        return
    v11, v2page, v2jsonl, out = sys.argv[1:5]
    os.makedirs(out, exist_ok=True)
    statuses = v1_statuses(v11)
    write(os.path.join(out, "tags.csv"), TAGS_HEADER, [tags_row(t) for t in statuses])

    damaged = []
    for i, t in enumerate(statuses):
        r = tags_row(t)
        r[0] = rounded(r[0])
        damaged.append(r)
        if i == len(statuses) // 2:
            damaged.append(TAGS_HEADER)
    write(os.path.join(out, "tags-damaged.csv"), TAGS_HEADER, damaged,
          banner=["Archive of #tweepy", "", "", "exported from Google Sheets"],
          lineterminator="\r\n")

    write(os.path.join(out, "twarc-2015.csv"), TWARC_2015_HEADER,
          [twarc_2015_row(t) for t in statuses])
    write(os.path.join(out, "twarc.csv"), TWARC_HEADER, [twarc_row(t) for t in statuses])

    rows = []
    for page in v2_pages(v2page, v2jsonl):
        rows.extend(twarc_csv_rows(page))
    write(os.path.join(out, "twarc-csv.csv"), TWARC_CSV_HEADER, rows)

    # Original tweets: a row whose text starts "RT @" is a retweet whatever
    # its id, counted and never refused.
    lost = []
    for t in [t for t in statuses if not t.get("retweeted_status")][:3]:
        r = twarc_row(t)
        r[0], r[1] = rounded(r[0]), ""
        lost.append(r)
    write(os.path.join(out, "rounded-no-url.csv"), TWARC_HEADER, lost)

    clean = []
    for i, t in enumerate(statuses):
        r = twarc_row(t)
        r[1] = ""
        if i == 4:
            r[0] = "1149788838430220000"
        clean.append(r)
    write(os.path.join(out, "zero-tail.csv"), TWARC_HEADER, clean)


main()
