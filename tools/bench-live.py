#!/usr/bin/python3
"""tools/bench live: chatarc fetch --follow on push, against the loopback
server (tests/fake-social.py) replaying the real recorded statuses and
posts, beside a peer doing the same work in the same run.

  1. Mastodon's streaming API at a chat's peak pace (60 posts a minute) and
     at 100x it (100 a second): from the server's send to the archive commit
     (p50/p99), and to the published page (--publish); the peer is the same
     chatarc polling every 30 s ("stream": false, the old --follow), run at
     the same time on the same replay.
  2. CPU while idle on open streams (heartbeats only), over IDLE_S seconds.
  3. Jetstream: NOISE events a second of the rest of the network, one in a
     thousand carrying the chat's tag: events read against events sent, CPU,
     and send-to-commit latency of the chat's posts; the peer is a Python
     websockets client reading the same stream and parsing each event with
     json.loads (what a script would do), at the same time.

Figures come from timestamps taken as lines arrive: chatarc -v logs each
commit ("committed what was pushed (N posts so far)"); the server keeps
each post's send time. Usage: tools/bench-live.py WORKDIR [--quick]
"""
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHATARC = os.path.join(ROOT, "chatarc")
WORK = os.path.abspath(sys.argv[1])
QUICK = "--quick" in sys.argv
PEAK_N = 20 if QUICK else 60        # posts at 60 a minute
FAST_N = 500 if QUICK else 3000     # posts at 100 a second
IDLE_S = 10 if QUICK else 30
NOISE = 5000
NOISE_S = 5 if QUICK else 10


def ctl(base, cmd):
    req = urllib.request.Request(base + "/_control", data=json.dumps(cmd).encode(), method="POST")
    urllib.request.urlopen(req).read()


def sent(base):
    return json.loads(urllib.request.urlopen(base + "/_sent").read())


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(len(v) * p / 100))] if v else float("nan")


class Follow:
    """chatarc fetch --follow -v, its stderr lines stamped as they come."""

    def __init__(self, data, extra=()):
        self.lines = []
        self.proc = subprocess.Popen([CHATARC, "--data", data, "fetch", "--follow", "-v", *extra],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        for line in self.proc.stderr:
            self.lines.append((time.time(), line))

    def wait_for(self, text, timeout=60):
        end = time.time() + timeout
        while time.time() < end:
            if any(text in l for _, l in self.lines):
                return True
            time.sleep(0.05)
        return False

    def commits(self, chat):
        """(time, pushed so far) of each commit of the chat."""
        out = []
        for t, l in self.lines:
            if ("fetch: %s: committed what was pushed (" % chat) in l:
                out.append((t, int(l.split("(")[1].split()[0])))
        return out

    def cpu_s(self):
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def conf(data, base, jet, stream=True, interval=30):
    os.makedirs(data, exist_ok=True)
    source = {"type": "mastodon", "url": base + "/live"}
    if not stream:
        source["stream"] = False
    with open(os.path.join(data, "chatarc.conf"), "w") as f:
        json.dump({"chats": {"live": {"tags": ["IchbinHanna"], "sources": ["m"]},
                             "red": {"tags": ["redistricting"], "sources": ["bsky"]}},
                   "sources": {"m": source,
                               "bsky": {"type": "bluesky", "url": base, "stream": jet,
                                        "identifier": "chatarc-test.bsky.social",
                                        "password_env": "BSKY_PW"}},
                   "fetch": {"follow_interval": interval}}, f)


def latencies(sends, commits, offset=0):
    """The k-th post sent is committed by the first commit whose count
    reaches offset + k (one stream, in order)."""
    out = []
    for k, t_sent in enumerate(sends, 1):
        for t, n in commits:
            if n >= offset + k:
                out.append(t - t_sent)
                break
    return out


def page_count(path):
    try:
        with open(path) as f:
            return f.read().count('class="msg ')
    except OSError:
        return 0


def page_watcher(path, stamps, stop, last):
    while not stop.is_set():
        n = page_count(path)
        for _ in range(last, n):
            stamps.append(time.time())
        last = max(last, n)
        time.sleep(0.1)


stop_poll = threading.Event()


def archive_watcher(data, stamps, stop, last):
    """When each new message was in the poller's archive (looked at every 0.5 s)."""
    while not stop.is_set():
        n = archive_count(data, "live")
        for _ in range(last, n):
            stamps.append(time.time())
        last = max(last, n)
        time.sleep(0.5)


def replay(base, follow, n, rate, prefix, page, poll_dir=None):
    before = len(sent(base)["sent"])
    poll_stamps = []
    if poll_dir:
        threading.Thread(target=archive_watcher,
                         args=(poll_dir, poll_stamps, stop_poll, archive_count(poll_dir, "live")),
                         daemon=True).start()
    c = follow.commits("live")
    offset = c[-1][1] if c else 0
    stop = threading.Event()
    page_stamps = []
    threading.Thread(target=page_watcher, args=(page, page_stamps, stop, page_count(page)),
                     daemon=True).start()
    ctl(base, {"replay": {"prefix": prefix, "from": "a", "rate": rate, "count": n,
                          "consenting_only": True}})
    end = time.time() + n / rate + 120
    while time.time() < end:
        c = follow.commits("live")
        if c and c[-1][1] >= offset + n:
            break
        time.sleep(0.2)
    times = sorted(sent(base)["sent"].values())[before:before + n]
    push = latencies(times, follow.commits("live"), offset)
    end = time.time() + 30  # the page: published at most every 10 s
    while time.time() < end and len(page_stamps) < n:
        time.sleep(0.2)
    stop.set()
    if poll_dir:  # the poller's next round (every 30 s) takes the last of them
        end = time.time() + 45
        while time.time() < end and len(poll_stamps) < n:
            time.sleep(0.5)
        stop_poll.set()
    return (push, [p - t for p, t in zip(page_stamps, times)],
            [p - t for p, t in zip(poll_stamps, times)])


def archive_count(data, chat):
    out = subprocess.run([CHATARC, "--data", data, "export", chat, "--format", "json"],
                         capture_output=True, text=True).stdout
    return len(out.splitlines())


def main():
    os.makedirs(WORK, exist_ok=True)
    os.environ["BSKY_PW"] = "app-pass-1234"
    port_file = os.path.join(WORK, "port")
    jport_file = os.path.join(WORK, "jport")
    for f in (port_file, jport_file):
        if os.path.exists(f):
            os.remove(f)
    server = subprocess.Popen(["/usr/bin/python3", os.path.join(ROOT, "tests", "fake-social.py"),
                               "--fixtures", os.path.join(ROOT, "tests", "fixtures"),
                               "--port-file", port_file, "--jetstream-port-file", jport_file],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            if os.path.exists(port_file) and os.path.exists(jport_file):
                break
            time.sleep(0.05)
        base = "http://127.0.0.1:" + open(port_file).read()
        jet = "ws://127.0.0.1:" + open(jport_file).read()
        ctl(base, {"add": {"live": []}})
        push_dir, poll_dir = os.path.join(WORK, "push"), os.path.join(WORK, "poll")
        subprocess.run(["rm", "-rf", push_dir, poll_dir])
        conf(push_dir, base, jet)
        conf(poll_dir, base, jet, stream=False)
        push = Follow(push_dir, ["--publish"])
        poll = Follow(poll_dir, ["live"])
        push.wait_for("streaming from")
        poll.wait_for("polling every")
        time.sleep(1)

        print("live: Mastodon streaming API, the real #IchbinHanna statuses replayed (consenting authors)")
        print("%-44s %8s %8s %8s" % ("", "p50 s", "p99 s", "max s"))
        for label, n, rate in (("60 a minute (a chat's peak)", PEAK_N, 1.0),
                               ("100 a second (100x)", FAST_N, 100.0)) if "--jet-only" not in sys.argv else ():
            page = os.path.join(push_dir, "site", "live", time.strftime("%Y-%m-%d", time.gmtime()) + ".html")
            stop_poll.clear()
            lat, page_lat, poll_lat = replay(base, push, n, rate, "live", page,
                                             poll_dir if rate == 1.0 else None)
            print("%-44s %8.3f %8.3f %8.3f  (%d posts)" % ("push: send -> commit, " + label,
                                                          pct(lat, 50), pct(lat, 99), max(lat), len(lat)))
            print("%-44s %8.3f %8.3f %8.3f" % ("push: send -> published page", pct(page_lat, 50),
                                                pct(page_lat, 99), max(page_lat or [0])))
            if rate == 1.0:
                # The poller (the old --follow, every 30 s), same posts, same run.
                pl = poll_lat
                print("%-44s %8.3f %8.3f %8.3f  (%d posts)" % ("peer: polling every 30 s, send -> archive",
                                                              pct(pl, 50), pct(pl, 99), max(pl or [0]), len(pl)))
                # Idle: streams open, heartbeats only.
                c0, w0 = push.cpu_s(), time.time()
                time.sleep(IDLE_S)
                idle = (push.cpu_s() - c0) / (time.time() - w0) * 100
                print("%-44s %7.2f%% of a core over %d s" % ("push: CPU idle on an open stream", idle, IDLE_S))
        poll.stop()

        # Jetstream throughput: the network's noise, one in a thousand ours.
        print()
        print("live: Jetstream at %d events a second, 1 in 1,000 carrying #redistricting (real posts)" % NOISE)
        peer_out = os.path.join(WORK, "peer.json")
        peer = subprocess.Popen(["/usr/bin/python3", "-c", PEER, jet, str(NOISE_S + 6), peer_out])
        push.wait_for("bsky: streaming from")
        time.sleep(1)
        ev0 = sent(base)["jet_events"]
        c0, w0 = push.cpu_s(), time.time()
        n_posts = max(1, int(NOISE * NOISE_S / 1000))
        ctl(base, {"bsky_replay": {"tag": "redistricting", "duration": NOISE_S, "noise_rate": NOISE,
                                   "consenting_only": True}})
        while sent(base)["replaying"]:
            time.sleep(0.1)
        replay_s = time.time() - w0
        time.sleep(2)
        wall = time.time() - w0
        cpu = (push.cpu_s() - c0) / wall * 100
        ev = sent(base)["jet_events"] - ev0
        s = sent(base)["sent"]
        bsky_times = sorted(t for u, t in s.items() if u.startswith("at://"))[-21:]
        lat = latencies(bsky_times, push.commits("red"))
        with open("/proc/%d/status" % push.proc.pid) as f:
            hwm = [l.split()[1] for l in f if l.startswith("VmHWM")][0]
        push.stop()
        peer.wait()
        read = [int(l.split("Jetstream: ")[1].split()[0]) for _, l in push.lines if "events read" in l]
        pr = json.load(open(peer_out))
        print("%-44s %10s %10s %12s" % ("", "events", "events/s", "CPU, a core"))
        print("%-44s %10d %10.0f" % ("server sent, over the replay's %.1f s" % replay_s, ev,
                                      ev / replay_s))
        print("%-44s %10d %10s %11.1f%%" % ("chatarc fetch --follow (all of it)", read[-1] if read else -1,
                                             "", cpu))
        print("%-44s %10d %10s %11.1f%%" % ("peer: python3 websockets + json.loads", pr["events"], "",
                                             pr["cpu"] / pr["wall"] * 100))
        print("%-44s p50 %.3f s, p99 %.3f s (%d posts)" % ("chatarc: the chat's posts, send -> commit",
                                                          pct(lat, 50), pct(lat, 99), len(lat)))
        print("chatarc fetch --follow peak RSS over the whole run: %s kB" % hwm)
    finally:
        server.terminate()


PEER = r'''
import asyncio, json, resource, sys, time, websockets
async def main(url, seconds, out):
    n = 0
    t0 = time.time()
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    try:
        async with websockets.connect(url + "/subscribe?wantedCollections=app.bsky.feed.post",
                                      max_size=2 ** 20) as ws:
            while time.time() - t0 < seconds:
                try:
                    m = await asyncio.wait_for(ws.recv(), 1)
                except asyncio.TimeoutError:
                    continue
                e = json.loads(m)
                n += 1
                rec = e.get("commit", {}).get("record", {})
                "#redistricting" in rec.get("text", "").lower()
    except Exception:
        pass
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    json.dump({"events": n, "cpu": cpu, "wall": time.time() - t0}, open(out, "w"))
asyncio.run(main(sys.argv[1], float(sys.argv[2]), sys.argv[3]))
'''

if __name__ == "__main__":
    main()
