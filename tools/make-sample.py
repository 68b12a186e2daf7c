#!/usr/bin/env python3
"""Renders tools/sample-chat.txt into the wire formats the bundled sample
chat would arrive in: Mastodon tag timelines as two servers see them, and
Bluesky searchPosts pages. Also writes the gold topic of every message for
the summariser's tests. Run by hand when the script changes; the output is
committed under share/sample/hcsmdemo/ and tests/gold/.

    tools/make-sample.py                       the bundled sample
    tools/make-sample.py SCRIPT BASE OUT GOLD  another session (a gold test
                                               session): BASE is the UTC
                                               time MM:SS counts from"""
import datetime as dt
import hashlib
import json
import os
import re

import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "tools", "sample-chat.txt")
OUT = os.path.join(ROOT, "share", "sample", "hcsmdemo")
GOLD = os.path.join(ROOT, "tests", "gold", "hcsmdemo-2026-11-18.tsv")
BASE = dt.datetime(2026, 11, 18, 18, 0, 0, tzinfo=dt.timezone.utc)
if len(sys.argv) == 5:
    SCRIPT, OUT, GOLD = sys.argv[1], sys.argv[3], sys.argv[4]
    BASE = dt.datetime.fromisoformat(sys.argv[2].replace("Z", "+00:00"))

# key: (network, home server or None, username or handle, display name)
ACCOUNTS = {
    "mod": ("mastodon", "toot.example", "hcsmdemo", "#hcsmdemo chat"),
    "modb": ("bluesky", None, "hcsmdemo.bsky.example", "#hcsmdemo chat"),
    "maya": ("mastodon", "toot.example", "maya", "Maya Chen, RN"),
    "drjoseph": ("mastodon", "medsocial.example", "drjoseph", "Dr Joseph Okafor"),
    "lina": ("mastodon", "toot.example", "lina", "Lina Haddad"),
    "pete": ("mastodon", "medsocial.example", "pete", "Pete Lindqvist, PharmD"),
    "kiri": ("mastodon", "nurses.example", "kiri", "Kiri Tane"),
    "devin": ("mastodon", "toot.example", "devin", "Devin Park"),
    "sam": ("mastodon", "medsocial.example", "sam", "Sam Rivera"),
    "healthlib": ("mastodon", "toot.example", "healthlib", "Hospital Library"),
    "carecoord": ("mastodon", "nurses.example", "carecoord", "Amara (care coordinator)"),
    "ottawadoc": ("mastodon", "medsocial.example", "ottawadoc", "Dr. Émile Tremblay"),
    "rosa": ("bluesky", None, "rosa.pt.example", "Rosa Martins"),
    "ben": ("bluesky", None, "ben.bsky.example", "Ben Adeyemi RN"),
    "priya": ("bluesky", None, "priya.bsky.example", "Priya | health comms"),
    "grace": ("bluesky", None, "grace.bsky.example", "Grace O'Neill"),
    "nadia": ("bluesky", None, "nadia.bsky.example", "Nadia (patient advocate)"),
    "yuki": ("bluesky", None, "yuki.bsky.example", "Yuki Sato"),
    "aisha": ("bluesky", None, "aisha.bsky.example", "Dr Aisha Rahman"),
    "tom": ("bluesky", None, "tom.bsky.example", "Tom Becker"),
    "leo": ("bluesky", None, "leo.bsky.example", "Leo Fischer"),
    "ruralhc": ("bluesky", None, "ruralhealth.bsky.example", "Rural Health Collective"),
    "mthomas": ("bluesky", None, "mthomas.bsky.example", "Marc Thomas"),
    "claire": ("bluesky", None, "claire.bsky.example", "Dr Claire Dubois"),
}


def h(*parts):
    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:12], 16)


def did(key):
    return "did:plc:" + hashlib.sha256(key.encode()).hexdigest()[:24]


def iso(t, micro=False):
    if micro:
        return t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def find_account(token):
    token = token.rstrip(".,:;!?)")
    for key, (net, host, name, _) in ACCOUNTS.items():
        if token in (key, name) or (host and token == f"{name}@{host}") or (
            net == "bluesky" and token == name.split(".")[0] and False
        ):
            return key
    for key, (net, host, name, _) in ACCOUNTS.items():
        if net == "mastodon" and name.startswith(token):
            return key
    return None


def parse_script():
    msgs = []
    for line in open(SCRIPT, encoding="utf-8"):
        if not line.strip() or line.startswith("#"):
            continue
        when, who, key, parent, topic, text = line.rstrip("\n").split("|", 5)
        after = when.endswith("+")
        mm, ss = map(int, when.rstrip("+").split(":"))
        t = BASE + dt.timedelta(minutes=mm, seconds=ss)
        if topic == "intro" and mm >= 50:
            t -= dt.timedelta(hours=1)
        if after:
            t += dt.timedelta(hours=1)
        t += dt.timedelta(microseconds=h(key) % 1000 * 1000)
        msgs.append(dict(when=t, who=who, key=key, parent=parent or None, topic=topic, text=text))
    msgs.sort(key=lambda m: m["when"])
    return msgs


def counts(m, salt=""):
    q = m["key"].startswith(("T", "w", "z1"))
    likes = h(m["key"], "likes", salt) % (25 if q else 9)
    return dict(replies=h(m["key"], "r") % (12 if q else 3), reposts=h(m["key"], "b", salt) % (8 if q else 3), likes=likes)


# Mastodon: HTML content as Mastodon renders it.
def mastodon_html(m, server):
    def link(url):
        scheme, rest = url.split("://", 1)
        shown, hidden = rest[:30], rest[30:]
        return (f'<a href="{url}" target="_blank" rel="nofollow noopener" translate="no">'
                f'<span class="invisible">{scheme}://</span><span class="{"ellipsis" if hidden else ""}">'
                f'{esc(shown)}</span><span class="invisible">{esc(hidden)}</span></a>')

    out = []
    for tok in re.split(r"(\s+)", m["text"]):
        if tok.startswith("https://"):
            out.append(link(tok))
        elif tok.startswith("#") and len(tok) > 1:
            tag = re.match(r"#(\w+)", tok).group(1)
            rest = tok[len(tag) + 1:]
            out.append(f'<a href="https://{server}/tags/{tag}" class="mention hashtag" rel="tag">#<span>{tag}</span></a>{esc(rest)}')
        elif tok.startswith("@") and find_account(tok[1:]):
            key = find_account(tok[1:])
            net, host, name, _ = ACCOUNTS[key]
            url = f"https://{host}/@{name}" if net == "mastodon" else f"https://bsky.brid.gy/r/https://bsky.app/profile/{name}"
            out.append(f'<span class="h-card" translate="no"><a href="{url}" class="u-url mention">@<span>{name.split(".")[0]}</span></a></span>')
        else:
            out.append(esc(tok))
    return "<p>" + "".join(out) + "</p>"


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#39;")


def mastodon_account(key, server):
    net, host, name, display = ACCOUNTS[key]
    local = host == server
    return {
        "id": str(100000 + h(key, server) % 900000),
        "username": name,
        "acct": name if local else f"{name}@{host}",
        "display_name": display,
        "locked": False, "bot": False, "discoverable": True, "indexable": True, "group": False,
        "created_at": "2022-11-%02dT00:00:00.000Z" % (1 + h(key) % 28),
        "note": "", "url": f"https://{host}/@{name}", "uri": f"https://{host}/users/{name}",
        "avatar": f"https://{server}/avatars/original/missing.png",
        "avatar_static": f"https://{server}/avatars/original/missing.png",
        "header": f"https://{server}/headers/original/missing.png",
        "header_static": f"https://{server}/headers/original/missing.png",
        "followers_count": 20 + h(key, "f") % 2000, "following_count": 10 + h(key, "g") % 500,
        "statuses_count": 100 + h(key, "s") % 5000, "last_status_at": "2026-11-18",
        "noindex": False, "emojis": [], "roles": [], "fields": [],
    }


def local_id(m, server):
    ms = int(m["when"].timestamp() * 1000)
    return str((ms << 16) + h(m["key"], server) % 65536)


def mastodon_status(m, server, by_key, salt):
    net, host, name, _ = ACCOUNTS[m["who"]]
    sid = local_id(m, server)
    origin_id = local_id(m, host)
    parent = by_key.get(m["parent"]) if m["parent"] else None
    if parent and ACCOUNTS[parent["who"]][0] != "mastodon":
        parent = None  # a cross-network answer is a mention, not a reply
    mentions = []
    for tok in m["text"].split():
        if tok.startswith("@") and find_account(tok[1:]):
            k = find_account(tok[1:])
            n2, h2, nm2, _ = ACCOUNTS[k]
            if n2 == "mastodon":
                mentions.append({"id": mastodon_account(k, server)["id"], "username": nm2,
                                 "url": f"https://{h2}/@{nm2}", "acct": nm2 if h2 == server else f"{nm2}@{h2}"})
    c = counts(m, salt)
    links = [t for t in m["text"].split() if t.startswith("https://")]
    return {
        "id": sid, "created_at": iso(m["when"]),
        "in_reply_to_id": local_id(parent, server) if parent else None,
        "in_reply_to_account_id": mastodon_account(parent["who"], server)["id"] if parent else None,
        "sensitive": False, "spoiler_text": "", "visibility": "public", "language": "en",
        "uri": f"https://{host}/users/{name}/statuses/{origin_id}",
        "url": f"https://{host}/@{name}/{origin_id}",
        "replies_count": c["replies"], "reblogs_count": c["reposts"], "favourites_count": c["likes"],
        "edited_at": None, "content": mastodon_html(m, server), "reblog": None,
        "application": {"name": "Web", "website": None} if host == server else None,
        "account": mastodon_account(m["who"], server), "media_attachments": [],
        "mentions": mentions,
        "tags": [{"name": t.lower(), "url": f"https://{server}/tags/{t.lower()}"} for t in re.findall(r"#(\w+)", m["text"])],
        "emojis": [],
        "card": {"url": links[0], "title": "Shared link", "description": "", "type": "link"} if links else None,
        "poll": None,
    }


def mastodon_views(msgs, by_key):
    masto = [m for m in msgs if ACCOUNTS[m["who"]][0] == "mastodon"]
    # toot.example sees every status; medsocial.example its own accounts'
    # and about half the rest (federation is partial), with counts as far
    # as they have reached it.
    views = {
        "toot.example": masto,
        "medsocial.example": [m for m in masto if ACCOUNTS[m["who"]][1] == "medsocial.example" or h(m["key"], "fed") % 2 == 0],
    }
    for server, seen in views.items():
        statuses = [mastodon_status(m, server, by_key, "" if server == ACCOUNTS[m["who"]][1] else server) for m in seen]
        if server == "toot.example":
            # Two boosts of topic questions, as an account timeline shows them.
            for booster, target in (("lina", "T1"), ("maya", "T3")):
                if target not in by_key:
                    continue
                orig = next(s for s in statuses if s["uri"].endswith(local_id(by_key[target], "toot.example")))
                when = by_key[target]["when"] + dt.timedelta(seconds=40)
                b = dict(orig)
                b.update({
                    "id": str((int(when.timestamp() * 1000) << 16) + 7), "created_at": iso(when),
                    "uri": f"https://toot.example/users/{booster}/statuses/{int(when.timestamp() * 1000) << 16}/activity",
                    "url": None, "content": "", "reblog": orig, "account": mastodon_account(booster, server),
                    "mentions": [], "tags": [], "card": None, "replies_count": 0, "reblogs_count": 0, "favourites_count": 0,
                })
                statuses.append(b)
        statuses.sort(key=lambda s: s["id"], reverse=True)  # newest first, as the API pages
        with open(os.path.join(OUT, f"mastodon-{server}.json"), "w", encoding="utf-8") as f:
            json.dump(statuses, f, ensure_ascii=False, indent=1)
            f.write("\n")


def bluesky_post(m, by_key, salt=""):
    net, _, handle, display = ACCOUNTS[m["who"]]
    text = m["text"]
    facets = []
    b = text.encode("utf-8")
    for mt in re.finditer(r"(https://\S+)|(#\w+)|(@[\w.]+)", text):
        start = len(text[: mt.start()].encode("utf-8"))
        tok = mt.group(0).rstrip(".,:;!?)")
        end = start + len(tok.encode("utf-8"))
        if mt.group(1):
            feat = {"$type": "app.bsky.richtext.facet#link", "uri": tok}
        elif mt.group(2):
            feat = {"$type": "app.bsky.richtext.facet#tag", "tag": tok[1:]}
        else:
            k = find_account(tok[1:])
            if not k or ACCOUNTS[k][0] != "bluesky":
                continue
            feat = {"$type": "app.bsky.richtext.facet#mention", "did": did(k)}
        facets.append({"$type": "app.bsky.richtext.facet", "index": {"byteStart": start, "byteEnd": end}, "features": [feat]})
    assert len(b) >= max([f["index"]["byteEnd"] for f in facets] or [0])
    rkey = "3m" + hashlib.sha256(m["key"].encode()).hexdigest()[:11]
    record = {"$type": "app.bsky.feed.post", "createdAt": iso(m["when"], micro=True), "langs": ["en"], "text": text}
    if facets:
        record["facets"] = facets
    parent = by_key.get(m["parent"]) if m["parent"] else None
    if parent and ACCOUNTS[parent["who"]][0] == "bluesky":
        root = parent
        while root["parent"] and ACCOUNTS[by_key[root["parent"]]["who"]][0] == "bluesky":
            root = by_key[root["parent"]]
        ref = lambda p: {"cid": "bafyrei" + hashlib.sha256(p["key"].encode()).hexdigest()[:52], "uri": post_uri(p)}
        record["reply"] = {"parent": ref(parent), "root": ref(root)}
    c = counts(m, salt)
    return {
        "uri": f"at://{did(m['who'])}/app.bsky.feed.post/{rkey}",
        "cid": "bafyrei" + hashlib.sha256(m["key"].encode()).hexdigest()[:52],
        "author": {"did": did(m["who"]), "handle": handle, "displayName": display,
                   "avatar": f"https://cdn.bsky.example/img/avatar/plain/{did(m['who'])}/bafkrei@jpeg",
                   "labels": [], "createdAt": "2023-05-%02dT10:00:00.000Z" % (1 + h(m["who"]) % 28)},
        "record": record,
        "replyCount": c["replies"], "repostCount": c["reposts"], "likeCount": c["likes"], "quoteCount": 0,
        "indexedAt": iso(m["when"] + dt.timedelta(milliseconds=250)),
        "labels": [],
    }


def post_uri(m):
    return f"at://{did(m['who'])}/app.bsky.feed.post/" + "3m" + hashlib.sha256(m["key"].encode()).hexdigest()[:11]


def bluesky_pages(msgs, by_key):
    posts = [m for m in msgs if ACCOUNTS[m["who"]][0] == "bluesky"]
    posts.sort(key=lambda m: m["when"], reverse=True)  # sort=latest
    page1, rest = posts[:50], posts[50:]
    # Page 2 was read a little later: new likes had arrived on the three
    # oldest posts of page 1, which it repeats (offset cursors shift).
    page2 = [bluesky_post(m, by_key, "later") for m in page1[-3:]] + [bluesky_post(m, by_key) for m in rest]
    pages = [{"posts": [bluesky_post(m, by_key) for m in page1], "cursor": "50"}, {"posts": page2}]
    for i, page in enumerate(pages, 1):
        with open(os.path.join(OUT, f"bluesky-searchPosts-page{i}.json"), "w", encoding="utf-8") as f:
            json.dump(page, f, ensure_ascii=False, indent=1)
            f.write("\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(os.path.dirname(GOLD), exist_ok=True)
    msgs = parse_script()
    by_key = {m["key"]: m for m in msgs}
    mastodon_views(msgs, by_key)
    bluesky_pages(msgs, by_key)
    with open(GOLD, "w", encoding="utf-8") as f:
        f.write("# uri\ttopic (gold label for the summariser tests)\n")
        for m in msgs:
            net, host, name, _ = ACCOUNTS[m["who"]]
            uri = f"https://{host}/users/{name}/statuses/{local_id(m, host)}" if net == "mastodon" else post_uri(m)
            f.write(f"{uri}\t{m['topic']}\n")
    print(f"{len(msgs)} messages from {len({m['who'] for m in msgs})} accounts")


main()
