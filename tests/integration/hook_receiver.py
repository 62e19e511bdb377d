#!/usr/bin/env python3
"""A webhook receiver for tests/integration/hooks_test.cpp, scripted.

    hook_receiver.py PORT LOG SCRIPT

SCRIPT is the answers to the first requests, comma-separated: a status
(500), `redirect` (302 to /elsewhere, which a hook must not follow),
`slow` (a 200 after two seconds) or `hang` (nothing for a minute); after
them, every request gets a 200.
Each request is one JSON line in LOG: path, status, headers, body. The
port is printed on stdout once it listens.
"""
import http.server
import json
import sys
import time

port, log_path, script = int(sys.argv[1]), sys.argv[2], sys.argv[3].split(",")


class Handler(http.server.BaseHTTPRequestHandler):
    count = 0

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        step = script[Handler.count] if Handler.count < len(script) else "200"
        Handler.count += 1
        status = 200
        if step == "slow":
            time.sleep(2)
        elif step == "hang":
            time.sleep(60)
        elif step == "redirect":
            status = 302
        elif step.isdigit():
            status = int(step)
        with open(log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps({"path": self.path, "status": status,
                                  "headers": {k.lower(): v for k, v in self.headers.items()},
                                  "body": body.decode("utf-8")}) + "\n")
        self.send_response(status)
        if status == 302:
            self.send_header("Location", "/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
print(server.server_address[1], flush=True)  # listening: the test may go on
server.serve_forever()
