#!/usr/bin/python3
"""The fetch benchmark's helpers (run with Debian's /usr/bin/python3).

  mastodonpy TAG BASE...   page through TAG on each instance in turn with
                           Mastodon.py (python3-mastodon), as a script using
                           it must; prints statuses and pages
  dump TAG OUT BASE...     save every raw page (one JSON array a line) for
                           the parse-throughput measurement
"""
import json
import sys
import urllib.request


def mastodonpy(tag, bases):
    from mastodon import Mastodon
    statuses = pages = 0
    for base in bases:
        api = Mastodon(api_base_url=base, version_check_mode="none", request_timeout=60)
        page = api.timeline_hashtag(tag, limit=40)
        while page:
            statuses += len(page)
            pages += 1
            page = api.fetch_next(page)
    print(statuses, pages)


def dump(tag, out, bases):
    with open(out, "wb") as f:
        for base in bases:
            url = "%s/api/v1/timelines/tag/%s?limit=40" % (base, tag)
            while url:
                with urllib.request.urlopen(url) as r:
                    body = r.read()
                    link = r.headers.get("Link", "")
                if body.strip() == b"[]":
                    break
                f.write(body.replace(b"\n", b" ") + b"\n")
                url = None
                for part in link.split(","):
                    if 'rel="next"' in part:
                        url = part[part.index("<") + 1:part.index(">")]


if __name__ == "__main__":
    if sys.argv[1] == "mastodonpy":
        mastodonpy(sys.argv[2], sys.argv[3:])
    elif sys.argv[1] == "dump":
        dump(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        sys.exit(__doc__)
