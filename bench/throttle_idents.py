#!/usr/bin/python3
"""What a flood of made-up client addresses costs the throttle in memory.

Starts `LL2D serve --anon-rate 1000000/m --client-ip-header X-Real-IP` on a
database holding the golden record (made once in WORK) and sends REQUESTS
requests on one keep-alive connection, each with a distinct X-Real-IP value
of SIZE bytes that is not an address, then the same number with distinct
real IPv4 addresses; reports the server's resident size before and after
each. Loopback only.

    bench/throttle_idents.py build/ll2d [REQUESTS=20000] [SIZE=15000] [WORK=/tmp/ll2d-idents]
"""
import os
import socket
import subprocess
import sys

LL2D = sys.argv[1]
REQUESTS = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
SIZE = int(sys.argv[3]) if len(sys.argv) > 3 else 15000
WORK = sys.argv[4] if len(sys.argv) > 4 else "/tmp/ll2d-idents"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DB = os.path.join(WORK, "db.sqlite3")


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0


def flood(port, values):
    c = socket.create_connection(("127.0.0.1", port))
    f = c.makefile("rb")
    for value in values:
        c.sendall(f"GET /2.3.0/docking_events/609/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  f"X-Real-IP: {value}\r\n\r\n".encode())
        length = 0
        while (line := f.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        f.read(length)
    c.close()


def main():
    os.makedirs(WORK, exist_ok=True)
    if not os.path.exists(DB):
        subprocess.run([LL2D, "import", "--db", DB,
                        os.path.join(ROOT, "tests/fixtures/docking_event_609_detailed.json")],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = subprocess.Popen([LL2D, "serve", "--db", DB, "--port", "0", "--no-access-log",
                               "--anon-rate", "1000000/m", "--client-ip-header", "X-Real-IP"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    port = int(server.stdout.readline().rsplit(":", 1)[1].split("/")[0])
    before = rss_mib(server.pid)
    flood(port, (f"{i:08d}".ljust(SIZE, "x") for i in range(REQUESTS)))
    junk = rss_mib(server.pid)
    flood(port, (f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}" for i in range(REQUESTS)))
    addresses = rss_mib(server.pid)
    server.terminate()
    server.wait(timeout=30)
    print(f"RSS {before:.1f} MiB; after {REQUESTS} distinct {SIZE}-byte non-addresses "
          f"{junk:.1f} MiB; after {REQUESTS} distinct IPv4 addresses {addresses:.1f} MiB")


if __name__ == "__main__":
    main()
