#!/usr/bin/python3
"""What clients that never read cost `ll2d serve` in resident memory.

Starts `LL2D serve` on a database of 100 generated events (made once in WORK),
opens CLIENTS connections with a 4 KiB receive buffer, each asking for a
detailed list of 100 (~1.1 MB) and reading nothing, and reports the server's
resident size before and at its peak over the next seconds: once with every
client asking for a page of its own (distinct URLs), once with all asking for
the same page. Loopback only; every wait is bounded.

    bench/stalled_clients.py build/ll2d [CLIENTS=300] [WORK=/tmp/ll2d-stalled]
"""
import os
import socket
import subprocess
import sys
import time

LL2D = sys.argv[1]
CLIENTS = int(sys.argv[2]) if len(sys.argv) > 2 else 300
WORK = sys.argv[3] if len(sys.argv) > 3 else "/tmp/ll2d-stalled"
DB = os.path.join(WORK, "db.sqlite3")
TARGET = "/2.3.0/docking_events/?mode=detailed&limit=100"


def run(*args):
    subprocess.run([LL2D, *args], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=300)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def scenario(distinct):
    server = subprocess.Popen([LL2D, "serve", "--db", DB, "--port", "0", "--no-access-log",
                               "--threads", "2"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    line = server.stdout.readline()
    port = int(line.rsplit(":", 1)[1].split("/")[0])
    time.sleep(1)  # list indexes built
    before = rss_kib(server.pid)
    clients = []
    for i in range(CLIENTS):
        c = socket.socket()
        c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        c.connect(("127.0.0.1", port))
        target = f"{TARGET}&client={i}" if distinct else TARGET
        c.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        clients.append(c)
    peak = before
    for _ in range(50):  # 5 s, while the server answers and the clients stall
        peak = max(peak, rss_kib(server.pid))
        time.sleep(0.1)
    server.terminate()
    server.wait(timeout=30)
    for c in clients:
        c.close()
    growth = peak - before
    print(f"{'distinct' if distinct else 'same':8} pages, {CLIENTS} stalled clients: "
          f"RSS {before / 1024:.1f} -> {peak / 1024:.1f} MiB "
          f"(+{growth / 1024:.1f} MiB, {growth / CLIENTS:.0f} KiB a client)")


def main():
    os.makedirs(WORK, exist_ok=True)
    if not os.path.exists(DB):
        run("generate", "--events", "100", "--seed", "1", "--out", os.path.join(WORK, "gen"),
            "--quiet")
        run("import", "--db", DB, os.path.join(WORK, "gen"))
    for distinct in (True, False):
        scenario(distinct)


if __name__ == "__main__":
    main()
