#!/usr/bin/env python3
"""Does what the README's "two commands" say, and gets what it shows.

Runs the block after `<!-- readme:commands -->` line by line in a scratch
directory laid out like the checkout (build/ll2d is the binary under test,
tests/ the checkout's), on a free port instead of 8000, and requires the
curl's answer to begin as the README's JSON example does (up to its first
ellipsis).
    readme_test.py REPO_ROOT LL2D_BINARY
"""
import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile
import time


def blocks_after(text, marker):
    rest = text[text.index(marker):]
    code = re.findall(r"```(\w*)\n(.*?)```", rest, flags=re.S)
    return code[0][1], next(body for lang, body in code if lang == "json")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    root, binary = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    with open(os.path.join(root, "README.md"), encoding="utf-8") as f:
        commands, example = blocks_after(f.read(), "<!-- readme:commands -->")
    port = str(free_port())
    lines = [line.replace("8000", port) for line in commands.strip().splitlines()]
    expected = example.strip().split("…")[0].replace("8000", port)
    with tempfile.TemporaryDirectory() as work:
        os.mkdir(os.path.join(work, "build"))
        os.symlink(binary, os.path.join(work, "build", "ll2d"))
        os.symlink(os.path.join(root, "tests"), os.path.join(work, "tests"))
        server = None
        try:
            for line in lines:
                args = shlex.split(line.rstrip("&").strip())
                if line.endswith("&"):  # the server: wait for its startup line
                    server = subprocess.Popen(args, cwd=work, stdout=subprocess.PIPE,
                                              stderr=subprocess.DEVNULL, text=True)
                    print(server.stdout.readline().strip())
                    continue
                done = subprocess.run(args, cwd=work, capture_output=True, text=True, timeout=120)
                print(f"$ {line} -> exit {done.returncode}")
                if done.returncode != 0:
                    print(done.stderr)
                    return 1
                out = done.stdout
        finally:
            if server:
                server.terminate()
                server.wait(timeout=30)
    same = out.startswith(expected)
    print(f"the answer begins as the README shows: {1 if same else 0} passed, {0 if same else 1} failed")
    if not same:
        print("expected:", expected[:300], "\ngot:     ", out[:300])
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
