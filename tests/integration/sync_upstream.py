#!/usr/bin/env python3
"""A scripted LL2 upstream for ll2d sync's tests (loopback only).

    sync_upstream.py SCRIPT LOG [THROTTLE]

Serves /2.3.0/config/launch_statuses/ (150 objects, pages of 100), each
object's detail (/2.3.0/config/launch_statuses/ID/, 404 when there is none)
and /2.3.0/api-throttle/ (100 calls a minute; THROTTLE "deep": 10^6 '['
instead of the report, "none": 404).
The first calls of the list are answered as the comma-separated SCRIPT says,
one word per call (a word ending in "*" answers every call from then on),
then normally:
  429:N    429 with Retry-After: N
  503, 500 that status
  slow:S   a normal answer after S seconds (the client should have timed out)
  bad      200 with a page that is not LL2 JSON
  notjson  200 with an HTML page
  deep     200 with 10^6 '['
  next     a normal answer whose `next` is always set
  shift    object 50 deleted and 151 created, then a normal answer
  huge     Content-Length: 2 GiB, then bytes until the client leaves
  endless  no Content-Length, bytes until the client leaves
  here     301 to the same page on this origin
  away     302 to another origin (a second listener here, whose page holds
           objects 901-903)
  ok       a normal answer
Each call is logged to LOG as "<monotonic seconds> <path>" (the other
origin's as "away:<path>"); what huge and endless wrote before the client
left is logged to LOG.bytes. Prints the port on stdout once listening.
"""
import http.server
import json
import sys
import threading
import time
import urllib.parse

script = [w for w in sys.argv[1].split(",") if w]
log_path = sys.argv[2]
throttle = sys.argv[3] if len(sys.argv) > 3 else "normal"
lock = threading.Lock()
objects = {i: {"id": i, "name": f"Status {i}", "abbrev": f"S{i}", "description": "d"}
           for i in range(1, 151)}
DETAIL = "/2.3.0/config/launch_statuses/"


def log(line):
    with lock:
        with open(log_path, "a") as f:
            f.write(f"{time.monotonic():.3f} {line}\n")


def next_word():
    with lock:
        if not script:
            return "ok"
        if script[0].endswith("*"):
            return script[0][:-1]
        return script.pop(0)


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, body, headers=()):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def flood(self, length):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        chunk = b"[" * 65536
        written = 0
        try:
            while length is None or written < length:
                self.wfile.write(chunk)
                written += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        with lock:
            with open(log_path + ".bytes", "a") as f:
                f.write(f"{written}\n")
        self.close_connection = True

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/2.3.0/api-throttle/":
            log(self.path)
            if throttle == "deep":
                self.send(200, "[" * 1_000_000)
                return
            if throttle == "none":
                self.send(404, '{"detail":"Not found."}')
                return
            self.send(200, json.dumps({"your_request_limit": 100, "limit_frequency_secs": 60,
                                       "current_use": 0, "next_use_secs": 0,
                                       "ident": "127.0.0.1"}))
            return
        if url.path.startswith(DETAIL) and url.path[len(DETAIL):].rstrip("/").isdigit():
            log(self.path)
            obj = objects.get(int(url.path[len(DETAIL):].rstrip("/")))
            if obj is None:
                self.send(404, '{"detail":"No LaunchStatus matches the given query."}')
            else:
                self.send(200, json.dumps(obj))
            return
        if url.path != DETAIL:
            self.send(404, '{"detail":"Not found."}')
            return
        log(self.path)
        word = next_word()
        if word.startswith("429:"):
            self.send(429, '{"detail":"Request was throttled."}', [("Retry-After", word[4:])])
            return
        if word in ("503", "500"):
            self.send(int(word), "<h1>Server Error</h1>")
            return
        if word.startswith("slow:"):
            time.sleep(float(word[5:]))
        if word == "bad":
            self.send(200, '{"count": 150, "next": null, "previous": null, "results": [{"id": "x"}]}')
            return
        if word == "notjson":
            self.send(200, "<html><body>Maintenance</body></html>")
            return
        if word == "deep":
            self.send(200, "[" * 1_000_000)
            return
        if word == "huge":
            self.flood(2 << 30)
            return
        if word == "endless":
            self.flood(None)
            return
        if word == "here":
            self.send(301, "", [("Location", self.path + "&moved=1")])
            return
        if word == "away":
            self.send(302, "", [("Location", f"http://127.0.0.1:{away.server_port}{self.path}")])
            return
        if word == "shift":
            with lock:
                objects.pop(50, None)
                objects[151] = {"id": 151, "name": "Status 151", "abbrev": "S151",
                                "description": "d"}
        q = urllib.parse.parse_qs(url.query)
        offset = int(q.get("offset", ["0"])[0])
        with lock:
            everything = [objects[k] for k in sorted(objects)]
        page = everything[offset:offset + 100]
        nxt = None
        if word == "next" or offset + 100 < len(everything):
            nxt = f"http://127.0.0.1:{self.server.server_port}{url.path}?limit=100&offset={offset + 100}"
        self.send(200, json.dumps({"count": len(everything), "next": nxt, "previous": None,
                                   "results": page}))


class Away(Handler):
    def do_GET(self):
        log("away:" + self.path)
        page = [{"id": i, "name": f"Elsewhere {i}", "abbrev": f"E{i}", "description": "d"}
                for i in (901, 902, 903)]
        self.send(200, json.dumps({"count": 3, "next": None, "previous": None, "results": page}))


away = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Away)
away.daemon_threads = True
threading.Thread(target=away.serve_forever, daemon=True).start()
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_port, flush=True)
server.serve_forever()
