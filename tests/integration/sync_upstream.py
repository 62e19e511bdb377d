#!/usr/bin/env python3
"""A scripted LL2 upstream for ll2d sync's tests (loopback only).

Serves /2.3.0/config/launch_statuses/ (150 objects, pages of 100) and
/2.3.0/api-throttle/. The first calls of the list are answered as the
comma-separated SCRIPT says, one word per call, then normally:
  429:N    429 with Retry-After: N
  503      503
  slow:S   a normal answer after S seconds (the client should have timed out)
  bad      200 with a page that is not LL2 JSON
  ok       a normal answer
Each call of the list is logged to LOG as "<monotonic seconds> <path>".
Prints the port on stdout once listening.
"""
import http.server
import json
import sys
import threading
import time
import urllib.parse

script = [w for w in sys.argv[1].split(",") if w]
log_path = sys.argv[2]
lock = threading.Lock()
OBJECTS = [{"id": i, "name": f"Status {i}", "abbrev": f"S{i}", "description": "d"}
           for i in range(1, 151)]


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

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/2.3.0/api-throttle/":
            with lock:
                with open(log_path, "a") as f:
                    f.write(f"{time.monotonic():.3f} {self.path}\n")
            self.send(200, json.dumps({"your_request_limit": 100, "limit_frequency_secs": 60,
                                       "current_use": 0, "next_use_secs": 0,
                                       "ident": "127.0.0.1"}))
            return
        if url.path != "/2.3.0/config/launch_statuses/":
            self.send(404, '{"detail":"Not found."}')
            return
        with lock:
            word = script.pop(0) if script else "ok"
            with open(log_path, "a") as f:
                f.write(f"{time.monotonic():.3f} {self.path}\n")
        if word.startswith("429:"):
            self.send(429, '{"detail":"Request was throttled."}', [("Retry-After", word[4:])])
            return
        if word == "503":
            self.send(503, "<h1>Service Unavailable</h1>")
            return
        if word.startswith("slow:"):
            time.sleep(float(word[5:]))
        if word == "bad":
            self.send(200, '{"count": 150, "next": null, "previous": null, "results": [{"id": "x"}]}')
            return
        q = urllib.parse.parse_qs(url.query)
        offset = int(q.get("offset", ["0"])[0])
        page = OBJECTS[offset:offset + 100]
        nxt = None
        if offset + 100 < len(OBJECTS):
            nxt = f"http://127.0.0.1:{self.server.server_port}{url.path}?limit=100&offset={offset + 100}"
        self.send(200, json.dumps({"count": len(OBJECTS), "next": nxt, "previous": None,
                                   "results": page}))


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_port, flush=True)
server.serve_forever()
