#!/usr/bin/python3
"""A loopback server that speaks the parts of the Mastodon and Bluesky APIs
`chatarc fetch` uses, serving statuses and posts taken from the recorded
real responses in tests/fixtures (and, for benchmarks, generated ones
shaped like them), with faults injected on request.

Mastodon instances live under path prefixes: http://127.0.0.1:PORT/a is one
instance, /b another; the same status has a different local id on each
(ids are what a server assigns), and the same uri.

  GET  /PREFIX/api/v1/timelines/tag/TAG?limit=&max_id=&min_id=&since_id=
  POST /xrpc/com.atproto.server.createSession   {identifier, password}
  POST /xrpc/com.atproto.server.refreshSession  (Bearer refreshJwt)
  GET  /xrpc/app.bsky.feed.searchPosts?q=&sort=latest&since=&until=&limit=&cursor=
  GET  /PREFIX/api/v1/statuses?id[]=..   (Mastodon 4.3: at most 20; unknown ids left out)
  GET  /PREFIX/api/v1/statuses/ID        (404 {"error":"Record not found"} once deleted)
  GET  /xrpc/app.bsky.feed.getPosts?uris=..  (at most 25; deleted posts left out)
  GET  /xrpc/app.bsky.feed.getPostThread?uri=  (400 {"error":"NotFound"} once deleted)

Control (for tests):
  POST /_control  {"faults": [{"match": "substring of path?query", "kind": K,
                   "times": N, ...}], "latency_ms": 0, "token_uses": 0,
                   "require_auth": true, "bsky_max_limit": 100,
                   "add": {"PREFIX": [status, ...]}, "clear_log": true,
                   "delete": {"PREFIX": [id, ...], "bsky": [uri, ...]},
                   "edit": {"PREFIX": {id: {field: value, ...}}}}
     K: 429 (with "retry_after": seconds or an HTTP date), 503, 500,
        exhausted (a good page with X-RateLimit-Remaining: 0, reset in
        "reset_in" seconds), foreign_link (a good page whose Link points
        to another host),
        reset (connection closed mid-body), stall (half the body, then
        silence for "seconds"), malformed (JSON cut short), cut (half the
        body, or its first "bytes", its Content-Length saying that is all),
        drip (2 bytes a second for "seconds"), redirect / redirect_foreign
        (302 to the same page on this origin / on localhost), stuck_link (a
        good page whose next Link never goes back), html (an HTML
        page with status 200), 401, 403, 404 (an endpoint the server's
        version lacks), empty (200 with an empty list:
        a server that lies), pick_one (a batch lookup answered with one
        of the posts asked for: a server that lies)
  GET  /_log     one JSON object a line per request served

Streaming (Mastodon's server-sent events, as its streaming server sends them):
  GET  /PREFIX/api/v1/streaming/hashtag?tag=TAG   text/event-stream, chunked:
       "event: update", "event: status.update", "event: delete" (data: the id),
       ":thump" every heartbeat_s of quiet
  POST /_control {"replay": {"prefix": "r", "from": "a", "duration": 6}}
       statuses of instance "from", oldest first, posted (created_at: now) on instance
       "prefix" (its timeline and its streams) at their real pace squeezed
       into "duration" seconds (or "rate" a second, "count" of them, cycling
       the real ones under new ids and uris); each post's send time is kept
       (GET /_sent); "consenting_only": true leaves out authors who opted out.
       "heartbeat_s" sets the heartbeat. Stream faults (by
       "match" like the others): drop (close after "after" events), silent
       (headers, then nothing for "seconds"), garbage (after "after" events, an
       update whose data is not JSON), 503/500/401/404 on connect.
  "add" sends update events; "delete"/"edit" with "announce": true send delete /
  status.update events; "lie_delete": {"PREFIX": [id]} a delete event for a
  status the server still has (a server that lies).
Jetstream (Bluesky's, JSON over a WebSocket; python3-websockets), with
--jetstream-port-file: ws://127.0.0.1:JPORT/subscribe?wantedCollections=&cursor=
  commit events (create/delete of app.bsky.feed.post) built from the real
  posts in tests/fixtures; a cursor replays the events since it first.
  POST /_control {"bsky_replay": {"tag": "redistricting", "duration": 4,
                   "noise_rate": 0}}
       the posts carrying the tag, taken out of the AppView and posted again
       (createdAt and indexedAt: now; " #tag" and its facet appended where the
       text has only the word, as the recording is of a word search) at their
       own pace squeezed into
       "duration" s: each back in the AppView (searchPosts, getPosts) and
       sent as a commit; "noise_rate" other posts a second (the rest of
       the network) beside them. {"bsky_delete": [uri]} deletes a post
       (AppView and a delete commit); {"bsky_lie_delete": [uri]} only sends
       the commit. Faults match "/subscribe": drop (after "after" events),
       silent, garbage (a frame that is not JSON, then go on), 503. Ten other
       posts a second go by all the time (the network is never quiet).
Run: fake-social.py --fixtures DIR --port-file FILE [--generate N --instances K]
     [--jetstream-port-file FILE]
Only the Python standard library is used (and python3-websockets for Jetstream).
"""
import argparse
import bisect
import copy
import email.utils
import json
import os
import queue
import random
import re
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {
    "faults": [],
    "latency_ms": 0,
    "token_uses": 0,      # access tokens expire after this many searches (0: never)
    "require_auth": True,  # Bluesky search refuses anonymous callers (as the AppView often does)
    "bsky_max_limit": 100,
    "log": [],
    "sessions": {},        # accessJwt -> uses left (None: unlimited)
    "refresh": set(),
    "serial": 0,
    "heartbeat_s": 15,     # Mastodon's streaming server: a ":thump" every 15 s of quiet
    "sent": {},            # uri -> when a replay posted it (time.time())
    "replaying": False,
}
SUBSCRIBERS = []  # (prefix, tag, queue) of each open stream
INSTANCES = {}   # prefix -> statuses, newest id first
BLUESKY = []     # PostViews, newest first
ACCOUNT = {"identifier": "chatarc-test.bsky.social", "password": "app-pass-1234"}


def read_http_body(path):
    raw = open(path, "rb").read()
    return json.loads(raw.split(b"\r\n\r\n", 1)[1])


def load_fixtures(root):
    mastodon = os.path.join(root, "mastodon")
    real = []
    for name in ("rtoot_ichbinhanna_page1.http", "rtoot_ichbinhanna_page2.http"):
        real.extend(read_http_body(os.path.join(mastodon, name)))
    # Instance a sees every status; instance b the newer two thirds, under
    # its own ids (offset, so the order holds but no id is the same).
    real.sort(key=lambda s: int(s["id"]), reverse=True)
    INSTANCES["a"] = real
    b = []
    for s in real[: len(real) * 2 // 3]:
        t = copy.deepcopy(s)
        t["id"] = str(int(s["id"]) - 1000003)
        if t.get("in_reply_to_id"):
            t["in_reply_to_id"] = str(int(t["in_reply_to_id"]) - 1000003)
        b.append(t)
    INSTANCES["b"] = b
    # A small instance for the Mastodon.py recordings (another tag).
    small = []
    for i in (1, 2, 3):
        small.extend(read_http_body(os.path.join(mastodon, "mastodonpy_tag_page%d.http" % i)))
    small.sort(key=lambda s: int(s["id"]), reverse=True)
    INSTANCES["c"] = small
    bsky = read_http_body(os.path.join(root, "bluesky", "bskyr_searchPosts_redistricting.http"))
    BLUESKY.extend(sorted(bsky["posts"], key=lambda p: p["indexedAt"], reverse=True))


def generate(n, instances, template):
    """n statuses shaped like a real one, spread over instances (each also
    sees a tenth of its neighbour's, as federation does)."""
    base_id = 115000000000000000
    base_ms = 1763000000000
    per = n // instances
    all_statuses = []
    for i in range(n):
        s = dict(template)  # nested parts (account, media) shared: n may be large
        created = base_ms + i * 1000
        s["id"] = str(base_id + i * 65536)
        s["uri"] = "https://gen.example/users/u%d/statuses/%d" % (i % 997, i)
        s["url"] = s["uri"]
        s["created_at"] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created / 1000)) + ".000Z"
        s["content"] = "<p>A%d generated answer %d about #hcsmgen and patient voices</p>" % (i % 6 + 1, i)
        s["in_reply_to_id"] = None
        s["reblog"] = None
        s["tags"] = [{"name": "hcsmgen", "url": "https://gen.example/tags/hcsmgen"}]
        all_statuses.append(s)
    for k in range(instances):
        mine = all_statuses[k * per:(k + 1) * per]
        neighbour = all_statuses[((k + 1) % instances) * per:((k + 1) % instances) * per + per // 10]
        seen = []
        for s in mine + neighbour:
            t = dict(s)
            t["id"] = str(int(s["id"]) + k + 1)  # each instance's own ids
            seen.append(t)
        seen.sort(key=lambda s: int(s["id"]), reverse=True)
        INSTANCES["g%d" % (k + 1)] = seen


def id_key(x):
    return (len(x), x)


POOLS = {}  # (prefix, tag, count) -> (statuses oldest first, their id keys)


def tag_pool(prefix, statuses, tag):
    key = (prefix, tag, len(statuses))
    if key not in POOLS:
        pool = [s for s in reversed(statuses)
                if any(t["name"].lower() == tag for t in s.get("tags", []))]
        POOLS[key] = (pool, [id_key(s["id"]) for s in pool])
    return POOLS[key]


def mastodon_page(prefix, statuses, tag, query):
    """Mastodon's paging: max_id and since_id bound the page from above and
    below, newest first; min_id gives the statuses just after it (still
    listed newest first)."""
    limit = min(int(query.get("limit", ["20"])[0]), 40)
    pool, keys = tag_pool(prefix, statuses, tag.lower())
    hi = len(pool)
    lo = 0
    max_id = query.get("max_id", [None])[0]
    min_id = query.get("min_id", [None])[0]
    since_id = query.get("since_id", [None])[0]
    if max_id:
        hi = bisect.bisect_left(keys, id_key(max_id))
    if since_id:
        lo = max(lo, bisect.bisect_right(keys, id_key(since_id)))
    if min_id:
        lo = max(lo, bisect.bisect_right(keys, id_key(min_id)))
        return list(reversed(pool[lo:min(hi, lo + limit)]))
    return list(reversed(pool[max(lo, hi - limit):hi]))


def has_tag(status, tag):
    return any(t["name"].lower() == tag.lower() for t in status.get("tags", []))


def broadcast(prefix, status, event):
    """An event to every stream of prefix whose tag the status carries (with
    status None, a delete, to every stream of prefix)."""
    for p, tag, q in list(SUBSCRIBERS):
        if p != prefix:
            continue
        if status is None or has_tag(status, tag):
            q.put(event)


def sse(event, data):
    return ("event: %s\ndata: %s\n\n" % (event, data)).encode()


def now_iso():
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % (int(t * 1000) % 1000)


def post_status(prefix, status):
    """Posted now: written now (a live chat's created_at), on the timeline
    and on its streams."""
    status["created_at"] = now_iso()
    with LOCK:
        INSTANCES.setdefault(prefix, []).append(status)
        INSTANCES[prefix].sort(key=lambda s: id_key(s["id"]), reverse=True)
        STATE["sent"][status["uri"]] = time.time()
    broadcast(prefix, status, sse("update", json.dumps(status)))


def replay(cfg):
    """A recorded chat posted again on instance cfg["prefix"], oldest first,
    at its own pace squeezed into cfg["duration"] seconds, or at cfg["rate"]
    posts a second (cycling the recording under new ids and uris)."""
    with LOCK:
        source = sorted(INSTANCES[cfg.get("from", "a")], key=lambda s: s["created_at"])
        if cfg.get("consenting_only"):
            source = [s for s in source if not s["account"].get("noindex")
                      and s["account"].get("discoverable") is not False]
        INSTANCES.setdefault(cfg["prefix"], [])
        STATE["replaying"] = True
    if "rate" in cfg:
        count = cfg.get("count", len(source))
        start = time.time()
        with LOCK:
            STATE["replays"] = STATE.get("replays", 0) + 1
            serial = STATE["replays"]
        base_id = 116000000000000000 + serial * 10000000
        for i in range(count):
            t = copy.deepcopy(source[i % len(source)])
            t["id"] = str(base_id + i)
            t["uri"] = "https://replay.example/statuses/%d-%d" % (serial, i)
            t["url"] = t["uri"]
            t["in_reply_to_id"] = None
            delay = start + i / cfg["rate"] - time.time()
            if delay > 0:
                time.sleep(delay)
            post_status(cfg["prefix"], t)
    else:
        def at(s):
            return time.mktime(time.strptime(s["created_at"][:19], "%Y-%m-%dT%H:%M:%S"))
        span = max(at(source[-1]) - at(source[0]), 1)
        scale = cfg.get("duration", 6) / span
        start = time.time()
        for s in source:
            delay = start + (at(s) - at(source[0])) * scale - time.time()
            if delay > 0:
                time.sleep(delay)
            post_status(cfg["prefix"], copy.deepcopy(s))
    with LOCK:
        STATE["replaying"] = False


JET = {"loop": None, "clients": set(), "events": [], "last_us": 0, "replaying": False,
       "last_count": 0}


def jet_event(op, did, rkey, record=None):
    """A Jetstream commit event (its wire form), numbered by time_us."""
    return jet_events([(op, did, rkey, None if record is None else json.dumps(record))])


def jet_events(commits):
    """Commit events, each (op, did, rkey, record as JSON text or None),
    numbered by time_us and sent together (one wake of the loop for all:
    the noise of a busy network comes thousands a second)."""
    out = []
    with LOCK:
        for op, did, rkey, record in commits:
            t = max(int(time.time() * 1e6), JET["last_us"] + 1)
            JET["last_us"] = t
            text = ('{"did":%s,"time_us":%d,"kind":"commit","commit":{"rev":"3l%011d",'
                    '"operation":"%s","collection":"app.bsky.feed.post","rkey":%s%s}}' % (
                        json.dumps(did), t, t % 10**11, op, json.dumps(rkey),
                        "" if record is None else
                        ',"record":%s,"cid":"bafyrei%s"' % (record, ("%x" % t).rjust(52, "a"))))
            JET["events"].append((t, text))
            JET["last_count"] += 1
            out.append((t, text))
        if len(JET["events"]) > 200000:  # Jetstream keeps a window, not all time
            del JET["events"][:100000]
    loop = JET["loop"]
    if loop:
        loop.call_soon_threadsafe(jet_fanout_all, out)
    return out[-1][0] if out else 0


def jet_fanout_all(events):
    for q in list(JET["clients"]):
        for e in events:
            q.put_nowait(e)


def did_rkey(uri):
    parts = uri[len("at://"):].split("/")
    return parts[0], parts[2]


def add_hashtag(record, tag):
    """The recording was a word search: its posts name the word, few carry
    it as a hashtag. A chat's posts do: " #tag" is appended with the facet
    Bluesky's clients write for it (byte offsets in UTF-8)."""
    for f in record.get("facets") or []:
        for feat in f.get("features", []):
            if feat.get("tag", "").lower() == tag.lower():
                return
    text = record.get("text", "") + " #" + tag
    end = len(text.encode())
    record["text"] = text
    record.setdefault("facets", []).append({
        "index": {"byteStart": end - len(tag.encode()) - 1, "byteEnd": end},
        "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}]})


def jet_background():
    """The rest of the network: Jetstream is never quiet (thousands of
    commits a second); here ten a second of posts no chat follows."""
    n = 0
    while True:
        time.sleep(0.1)
        with LOCK:
            pool = BLUESKY[-10:]
        if not pool:
            continue
        p = pool[n % len(pool)]
        did, rkey = did_rkey(p["uri"])
        record = {"$type": "app.bsky.feed.post", "text": "background post %d" % n,
                  "createdAt": now_iso(), "langs": ["en"]}
        jet_event("create", did, "%sb%d" % (rkey, n), record)
        n += 1


def bsky_replay(cfg):
    """The posts carrying cfg["tag"] posted again now, at their own pace
    squeezed into cfg["duration"] seconds, each into the AppView and as a
    Jetstream commit; noise_rate other posts a second go by beside them."""
    tag = cfg.get("tag", "redistricting")
    with LOCK:
        chosen = [p for p in BLUESKY if text_matches(p, tag)]
        BLUESKY[:] = [p for p in BLUESKY if not text_matches(p, tag)]
        JET["replaying"] = True
    chosen.sort(key=lambda p: p["record"]["createdAt"])
    if cfg.get("consenting_only"):
        chosen = [p for p in chosen
                  if "!no-unauthenticated" not in [x.get("val") for x in p["author"].get("labels", [])]]

    def at(p):
        return time.mktime(time.strptime(p["record"]["createdAt"][:19], "%Y-%m-%dT%H:%M:%S"))
    span = max(at(chosen[-1]) - at(chosen[0]), 1)
    scale = cfg.get("duration", 4) / span
    # The rest of the network: the real records, their text kept but for
    # the tag's word (so their size and shape are real posts').
    noise = []
    for p in chosen:
        record = copy.deepcopy(p["record"])
        record["text"] = re.sub(tag, "re-zoning", record.get("text", ""), flags=re.I)
        record.pop("facets", None)
        noise.append((did_rkey(p["uri"]), json.dumps(record)))
    rate = cfg.get("noise_rate", 0)
    start = time.time()
    n_noise = 0
    for p in chosen:
        due = start + (at(p) - at(chosen[0])) * scale
        while True:
            now = time.time()
            if now >= due:
                break
            behind = int((now - start) * rate) - n_noise if rate else 0
            if behind > 0:  # the network's other posts, in batches
                batch = []
                for _ in range(min(behind, 500)):
                    (did, rkey), record = noise[n_noise % len(noise)]
                    batch.append(("create", did, "%sn%d" % (rkey, n_noise), record))
                    n_noise += 1
                jet_events(batch)
                continue
            time.sleep(min(due - now, 0.002 if rate else 0.05))
        p = copy.deepcopy(p)
        add_hashtag(p["record"], tag)
        stamp = now_iso()
        p["record"]["createdAt"] = stamp
        p["indexedAt"] = stamp
        with LOCK:
            BLUESKY.insert(0, p)
            STATE["sent"][p["uri"]] = time.time()
        did, rkey = did_rkey(p["uri"])
        jet_event("create", did, rkey, p["record"])
    with LOCK:
        JET["replaying"] = False


async def jet_handler(ws, path):
    fault = None
    with LOCK:
        for f in STATE["faults"]:
            if f.get("times", 1) > 0 and f["match"] in path and f["kind"] != "503":
                f["times"] = f.get("times", 1) - 1
                fault = dict(f)
                break
        STATE["log"].append({"t": time.time(), "method": "WS", "path": path, "status": 101,
                             "ua": "", "injected": "", "auth": ""})
    import asyncio
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    cursor = int(query.get("cursor", ["0"])[0])
    q = asyncio.Queue()
    JET["clients"].add(q)
    with LOCK:
        backlog = [e for e in JET["events"] if cursor and e[0] >= cursor]
    last = 0
    sent = 0
    try:
        if fault and fault["kind"] == "silent":
            await asyncio.sleep(fault.get("seconds", 30))
            return
        pending = list(backlog)
        while True:
            event = pending.pop(0) if pending else await q.get()
            if event[0] <= last:
                continue
            await ws.send(event[1])
            last = event[0]
            sent += 1
            if fault and sent >= fault.get("after", 1):
                if fault["kind"] == "garbage":
                    await ws.send("<html><body>502 Bad Gateway</body></html>")
                    fault = None
                elif fault["kind"] == "drop":
                    ws.transport.abort()
                    return
    except Exception:
        pass
    finally:
        JET["clients"].discard(q)


def jet_process_request(path, headers):
    with LOCK:
        for f in STATE["faults"]:
            if f.get("times", 1) > 0 and f["match"] in path and f["kind"] == "503":
                f["times"] = f.get("times", 1) - 1
                STATE["log"].append({"t": time.time(), "method": "WS", "path": path, "status": 503,
                                     "ua": "", "injected": "", "auth": ""})
                return (503, [("Content-Type", "text/plain")], b"Service Unavailable\n")
    return None


def start_jetstream(port_file):
    import asyncio
    import websockets

    def run():
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        server = loop.run_until_complete(websockets.serve(
            jet_handler, "127.0.0.1", 0, process_request=jet_process_request,
            max_size=2 ** 20, ping_interval=None))
        JET["loop"] = loop
        port = server.sockets[0].getsockname()[1]
        with open(port_file + ".tmp", "w") as f:
            f.write(str(port))
        os.rename(port_file + ".tmp", port_file)
        loop.run_forever()
    threading.Thread(target=run, daemon=True).start()
    threading.Thread(target=jet_background, daemon=True).start()


def text_matches(post, q):
    word = q.lstrip("#").lower()
    rec = post.get("record", {})
    if word in rec.get("text", "").lower():
        return True
    for f in rec.get("facets", []) or []:
        for feat in f.get("features", []):
            if feat.get("tag", "").lower() == word:
                return True
    return False


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-social/1"

    def log_message(self, fmt, *args):
        pass

    def record(self, status):
        if self.path.startswith("/_"):
            return
        with LOCK:
            STATE["log"].append({
                "t": time.time(), "method": self.command, "path": self.path, "status": status,
                "ua": self.headers.get("User-Agent", ""),
                # Headers a client must never send: what a token with a
                # line break would smuggle in.
                "injected": self.headers.get("X-Injected", ""),
                "auth": self.headers.get("Authorization", "")[:7],
            })

    def take_fault(self):
        with LOCK:
            for f in STATE["faults"]:
                if f.get("times", 1) > 0 and f["match"] in self.path and \
                        f.get("method", self.command) == self.command:
                    f["times"] = f.get("times", 1) - 1
                    return dict(f)
        return None

    def send_body(self, status, body, ctype="application/json; charset=utf-8", headers=None):
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.record(status)

    def apply_fault(self, fault, body, headers):
        kind = fault["kind"]
        if kind == "404":
            # An endpoint this server's version does not have.
            self.send_body(404, '{"error":"Record not found"}')
            return True
        if kind in ("429", "503"):
            h = {}
            if "retry_after" in fault:
                ra = fault["retry_after"]
                if ra == "date":
                    ra = email.utils.formatdate(time.time() + fault.get("seconds", 2), usegmt=True)
                h["Retry-After"] = str(ra)
            if kind == "429":
                h["X-RateLimit-Limit"] = "300"
                h["X-RateLimit-Remaining"] = "0"
                h["X-RateLimit-Reset"] = time.strftime(
                    "%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() + fault.get("reset_in", 1)))
            self.send_body(int(kind), '{"error":"Too many requests"}', headers=h)
            return True
        if kind == "foreign_link":
            # A server that lies: its next page is on somebody else's host.
            headers = dict(headers)
            headers["Link"] = '<http://198.51.100.7/api/v1/timelines/tag/x?max_id=1>; rel="next"'
            self.send_body(200, body, headers=headers)
            return True
        if kind == "exhausted":
            # A good page that spends the last request of the window.
            headers = dict(headers)
            headers["X-RateLimit-Remaining"] = "0"
            headers["X-RateLimit-Reset"] = time.strftime(
                "%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() + fault.get("reset_in", 2)))
            self.send_body(200, body, headers=headers)
            return True
        if kind in ("500", "401", "403"):
            # ("error": what the body says; a hostile server's may hold ESC)
            self.send_body(int(kind), json.dumps({"error": fault.get("error", "injected " + kind)}))
            return True
        if kind == "html":
            self.send_body(200, "<html><body><h1>Down for maintenance</h1></body></html>",
                           ctype="text/html; charset=utf-8")
            return True
        if kind == "malformed":
            self.send_body(200, body[: len(body) // 2] + b'"}]', headers=headers)
            return True
        if kind in ("redirect", "redirect_foreign"):
            # 302 to this page again (marked so the fault does not match
            # twice), on this host or under another name for it.
            host = self.headers["Host"]
            if kind == "redirect_foreign":
                host = "localhost:" + host.rsplit(":", 1)[1]
            self.send_response(302)
            self.send_header("Location", "http://%s%s&redirected=1" % (host, self.path))
            self.send_header("Content-Length", "0")
            self.end_headers()
            self.record(302)
            return True
        if kind == "stuck_link":
            # A server that lies: a good page whose next Link names a new
            # max_id each time, above every id: its pages never go back.
            headers = dict(headers)
            STATE["stuck"] = STATE.get("stuck", 0) + 1
            base = "http://%s%s" % (self.headers["Host"], self.path.split("?")[0])
            headers["Link"] = '<%s?limit=40&max_id=%d>; rel="next"' % (base, 999999999999999999 - STATE["stuck"])
            self.send_body(200, body, headers=headers)
            return True
        if kind == "drip":
            # A server that drips: 2 bytes a second, for at most "seconds".
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.record(-3)
            try:
                for i in range(0, min(len(body), 2 * fault.get("seconds", 20)), 2):
                    self.wfile.write(body[i:i + 2])
                    self.wfile.flush()
                    time.sleep(1)
            except OSError:
                pass
            self.close_connection = True
            return True
        if kind == "cut":
            # A server that lies: half the page, with a Content-Length that
            # matches, so the transfer itself succeeds.
            self.send_body(200, body[: fault.get("bytes", len(body) // 2)], headers=headers)
            return True
        if kind in ("reset", "stall"):
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.record(-1 if kind == "reset" else -2)
            if kind == "stall":
                time.sleep(fault.get("seconds", 5))
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
            except OSError:
                pass
            self.close_connection = True
            return True
        return False

    def latency(self):
        ms = STATE["latency_ms"]
        if ms:
            time.sleep(ms / 1000.0)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        parts = url.path.strip("/").split("/")
        if url.path == "/_log":
            with LOCK:
                body = "".join(json.dumps(e) + "\n" for e in STATE["log"])
            self.send_body(200, body, ctype="application/x-ndjson")
            return
        if url.path == "/_sent":
            with LOCK:
                body = json.dumps({"replaying": STATE["replaying"] or JET["replaying"],
                                   "sent": STATE["sent"], "jet_events": JET["last_count"]})
            self.send_body(200, body)
            return
        if len(parts) == 5 and parts[1:5] == ["api", "v1", "streaming", "hashtag"]:
            self.stream_hashtag(parts[0], query.get("tag", [""])[0])
            return
        self.latency()
        if len(parts) == 6 and parts[1:5] == ["api", "v1", "timelines", "tag"]:
            statuses = INSTANCES.get(parts[0])
            if statuses is None:
                self.send_body(404, '{"error":"Record not found"}')
                return
            with LOCK:
                page = mastodon_page(parts[0], statuses, urllib.parse.unquote(parts[5]), query)
            body = json.dumps(page).encode()
            headers = {
                "X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "299",
                "X-RateLimit-Reset": time.strftime("%Y-%m-%dT%H:%M:%S.000Z",
                                                   time.gmtime(time.time() + 300)),
            }
            if page:
                base = "http://%s/%s/api/v1/timelines/tag/%s" % (self.headers["Host"], parts[0], parts[5])
                limit = query.get("limit", ["20"])[0]
                headers["Link"] = '<%s?limit=%s&max_id=%s>; rel="next", <%s?limit=%s&min_id=%s>; rel="prev"' % (
                    base, limit, page[-1]["id"], base, limit, page[0]["id"])
            fault = self.take_fault()
            if fault and self.apply_fault(fault, body, headers):
                return
            self.send_body(200, body, headers=headers)
            return
        if url.path == "/xrpc/app.bsky.feed.searchPosts":
            self.search_posts(query)
            return
        if len(parts) in (4, 5) and parts[1:4] == ["api", "v1", "statuses"] and parts[0] in INSTANCES:
            with LOCK:
                by_id = {s["id"]: s for s in INSTANCES[parts[0]]}
            if len(parts) == 5:
                found = by_id.get(parts[4])
                self.send_body(200 if found else 404,
                               json.dumps(found) if found else '{"error":"Record not found"}')
                return
            ids = query.get("id[]", [])
            if len(ids) > 20:
                self.send_body(422, '{"error":"Too many ids"}')
                return
            self.send_lookup([by_id[i] for i in ids if i in by_id], "[]")
            return
        if url.path == "/xrpc/app.bsky.feed.getPostThread":
            # The AppView's answer for one post: the thread, or XRPC error
            # NotFound (HTTP 400) for a post that is gone.
            uri = query.get("uri", [""])[0]
            with LOCK:
                found = [p for p in BLUESKY if p["uri"] == uri]
            fault = self.take_fault()
            if fault and self.apply_fault(fault, b"{}", {}):
                return
            if found:
                self.send_body(200, json.dumps({"thread": {
                    "$type": "app.bsky.feed.defs#threadViewPost", "post": found[0]}}))
            else:
                self.send_body(400, json.dumps({"error": "NotFound", "message": "Post not found: " + uri}))
            return
        if url.path == "/xrpc/app.bsky.feed.getPosts":
            uris = query.get("uris", [])
            if len(uris) > 25:
                self.send_body(400, '{"error":"InvalidRequest","message":"uris: at most 25"}')
                return
            with LOCK:
                by_uri = {p["uri"]: p for p in BLUESKY}
            self.send_lookup({"posts": [by_uri[u] for u in uris if u in by_uri]}, '{"posts":[]}')
            return
        self.send_body(404, '{"error":"NotFound"}')

    def stream_hashtag(self, prefix, tag):
        """Mastodon's hashtag stream: events as statuses are posted, a
        heartbeat comment in each quiet heartbeat_s; faults on request."""
        fault = self.take_fault()
        if prefix not in INSTANCES:
            self.send_body(404, '{"error":"Not found"}')
            return
        if fault and fault["kind"] in ("503", "500", "429", "401", "403", "404", "html"):
            self.apply_fault(fault, b"", {})
            return
        q = queue.Queue()
        entry = (prefix, tag, q)
        SUBSCRIBERS.append(entry)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.record(200)

        def chunk(data):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        sent = 0
        try:
            chunk(b":)\n")
            if fault and fault["kind"] == "silent":
                time.sleep(fault.get("seconds", 30))
                return
            while True:
                try:
                    event = q.get(timeout=STATE["heartbeat_s"])
                except queue.Empty:
                    chunk(b":thump\n")
                    continue
                chunk(event)
                sent += 1
                if fault and sent >= fault.get("after", 1):
                    if fault["kind"] == "garbage":
                        chunk(b"event: update\ndata: <html><body>Bad gateway</body>\n\n")
                    if fault["kind"] in ("drop", "garbage"):
                        break
        except OSError:
            pass
        finally:
            SUBSCRIBERS.remove(entry)
            # A drop: the connection ends without the last chunk.
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.close_connection = True

    def send_lookup(self, result, empty):
        fault = self.take_fault()
        if fault and fault["kind"] == "empty":
            self.send_body(200, empty)
            return
        if fault and fault["kind"] == "pick_one":
            # A server that lies: each batch answered with one post of
            # its choosing, as if every other had been deleted.
            posts = result["posts"] if isinstance(result, dict) else result
            posts[1:] = []
        body = json.dumps(result).encode()
        if fault and self.apply_fault(fault, body, {}):
            return
        self.send_body(200, body)

    def bearer(self):
        h = self.headers.get("Authorization", "")
        return h[7:] if h.startswith("Bearer ") else None

    def new_session(self):
        with LOCK:
            STATE["serial"] += 1
            n = STATE["serial"]
            access, refresh = "access-%d" % n, "refresh-%d" % n
            STATE["sessions"][access] = STATE["token_uses"] or None
            STATE["refresh"].add(refresh)
        return {"accessJwt": access, "refreshJwt": refresh, "handle": ACCOUNT["identifier"],
                "did": "did:plc:chatarctest", "active": True}

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length) if length else b""
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/_control":
            cmd = json.loads(raw or b"{}")
            with LOCK:
                for key in ("faults", "latency_ms", "token_uses", "require_auth", "bsky_max_limit",
                            "heartbeat_s"):
                    if key in cmd:
                        STATE[key] = cmd[key]
                for prefix, statuses in cmd.get("add", {}).items():
                    INSTANCES.setdefault(prefix, []).extend(statuses)
                    INSTANCES[prefix].sort(key=lambda s: id_key(s["id"]), reverse=True)
                    for s in statuses:  # posted: on its streams too
                        broadcast(prefix, s, sse("update", json.dumps(s)))
                announce = cmd.get("announce")
                for prefix, ids in cmd.get("delete", {}).items():
                    if prefix == "bsky":
                        BLUESKY[:] = [p for p in BLUESKY if p["uri"] not in ids]
                    else:
                        INSTANCES[prefix] = [s for s in INSTANCES[prefix] if s["id"] not in ids]
                        for i in ids if announce else []:
                            broadcast(prefix, None, sse("delete", i))
                for prefix, ids in cmd.get("lie_delete", {}).items():
                    for i in ids:
                        broadcast(prefix, None, sse("delete", i))
                for prefix, edits in cmd.get("edit", {}).items():
                    for s in INSTANCES[prefix]:
                        if s["id"] in edits:
                            s.update(edits[s["id"]])
                            if announce:
                                broadcast(prefix, s, sse("status.update", json.dumps(s)))
                if cmd.get("clear_log"):
                    STATE["log"] = []
            if "replay" in cmd:
                threading.Thread(target=replay, args=(cmd["replay"],), daemon=True).start()
            if "bsky_replay" in cmd:
                with LOCK:
                    JET["replaying"] = True
                threading.Thread(target=bsky_replay, args=(cmd["bsky_replay"],), daemon=True).start()
            for uri in cmd.get("bsky_delete", []) + cmd.get("bsky_lie_delete", []):
                if uri in cmd.get("bsky_delete", []):
                    with LOCK:
                        BLUESKY[:] = [p for p in BLUESKY if p["uri"] != uri]
                did, rkey = did_rkey(uri)
                jet_event("delete", did, rkey)
            self.send_body(200, "{}")
            return
        self.latency()
        fault = self.take_fault()
        if fault and self.apply_fault(fault, b"{}", {}):
            return
        if url.path == "/xrpc/com.atproto.server.createSession":
            try:
                body = json.loads(raw)
            except ValueError:
                self.send_body(400, '{"error":"InvalidRequest","message":"bad JSON"}')
                return
            if body.get("identifier") != ACCOUNT["identifier"] or body.get("password") != ACCOUNT["password"]:
                self.send_body(401, '{"error":"AuthenticationRequired","message":"Invalid identifier or password"}')
                return
            self.send_body(200, json.dumps(self.new_session()))
            return
        if url.path == "/xrpc/com.atproto.server.refreshSession":
            token = self.bearer()
            with LOCK:
                ok = token in STATE["refresh"]
                if ok:
                    STATE["refresh"].discard(token)
            if not ok:
                self.send_body(400, '{"error":"ExpiredToken","message":"Token has been revoked"}')
                return
            self.send_body(200, json.dumps(self.new_session()))
            return
        self.send_body(404, '{"error":"NotFound"}')

    def search_posts(self, query):
        token = self.bearer()
        with LOCK:
            known = token in STATE["sessions"]
            uses = STATE["sessions"].get(token)
            expired = known and uses is not None and uses <= 0
            if known and uses is not None:
                STATE["sessions"][token] = uses - 1
        if token and not known:
            self.send_body(401, '{"error":"InvalidToken","message":"Bad token"}')
            return
        if STATE["require_auth"] and not known:
            self.send_body(403, '{"error":"Forbidden","message":"search requires authentication"}')
            return
        if expired:
            self.send_body(400, '{"error":"ExpiredToken","message":"Token has expired"}')
            return
        q = query.get("q", [""])[0]
        since = query.get("since", [""])[0]
        until = query.get("until", [""])[0]
        limit = min(int(query.get("limit", ["25"])[0]), STATE["bsky_max_limit"])
        offset = int(query.get("cursor", ["0"])[0] or 0)
        pool = [p for p in BLUESKY if text_matches(p, q)]
        # sortAt: the earlier of createdAt and indexedAt; ISO strings compare in order.
        def sort_at(p):
            return min(p["record"].get("createdAt", p["indexedAt"]), p["indexedAt"])
        if since:
            pool = [p for p in pool if sort_at(p) >= since]
        if until:
            pool = [p for p in pool if sort_at(p) < until]
        page = pool[offset:offset + limit]
        result = {"posts": page}
        if offset + limit < len(pool):
            result["cursor"] = str(offset + limit)
        body = json.dumps(result).encode()
        headers = {"RateLimit-Limit": "3000", "RateLimit-Remaining": "2999",
                   "RateLimit-Reset": str(int(time.time()) + 300), "RateLimit-Policy": "3000;w=300"}
        fault = self.take_fault()
        if fault and self.apply_fault(fault, body, headers):
            return
        self.send_body(200, body, headers=headers)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--generate", type=int, default=0)
    ap.add_argument("--instances", type=int, default=4)
    ap.add_argument("--latency-ms", type=int, default=0)
    ap.add_argument("--jetstream-port-file")
    args = ap.parse_args()
    load_fixtures(args.fixtures)
    if args.generate:
        generate(args.generate, args.instances, INSTANCES["a"][0])
    STATE["latency_ms"] = args.latency_ms
    if args.jetstream_port_file:
        start_jetstream(args.jetstream_port_file)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
