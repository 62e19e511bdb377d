#!/usr/bin/env python3
"""Validates every configuration file docs/deploy.md shows, from the doc's own text.

A fenced block whose first line is a `# /path` marker is the file at that
path, checked by what the path is:
  *.service, *.timer     systemd-analyze verify (all units together), and
                         equal to the file the package installs (packaging/)
  /etc/default/ll2d      equal to the file the package installs
  /etc/nginx/...         nginx -t, inside an http {} block, in a temp prefix
                         (a warning, or the deprecated `listen ... http2`, fails)
  .../haproxy.cfg        haproxy -c, a warning counting as a failure
and the Dockerfile's apt packages must exist in the archive (apt-cache).
A block tagged ini, nginx, haproxy or systemd without a marker fails: it
would go unchecked.

What is changed before a validator runs, and only this: certificate paths
point to a self-signed pair made here with openssl; the units' binary path
points to a stub (systemd-analyze wants an executable there); with nginx
older than 1.25.1 (Debian 12's 1.22) `http2 on;` becomes `listen ... ssl
http2;`, as the doc tells Debian 12 users to do.

Given an ll2d binary (`--ll2d PATH`, as ctest does), the nginx and HAProxy
configurations also run, in front of that ll2d serving with the doc's
--public-url and --allowed-hosts (further changes: the listening ports are
free loopback ones, HAProxy's plain :80 bind is dropped, the upstream
servers are that ll2d, both run in the foreground, HAProxy gets a stats
socket and, unless root, no user/group switch). Through nginx, /readyz must
answer 200 to a probe by address (any Host) and the API its pages with
https://ll.example.org links; HAProxy's health checks of /readyz must pass
(L7OK on every server, read from its stats socket) and it must serve the API.

Exit 0: all valid; 1: something failed; 77: nothing failed, but a validator
(systemd-analyze, nginx, haproxy, openssl, apt-cache) is missing.
"""
import argparse
import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^\s*```(\S*)")
MARKER = re.compile(r"^#\s+(/\S+)\s*$")
CONFIG_LANGS = {"ini", "nginx", "haproxy", "systemd"}
PUBLIC_NAME = "ll.example.org"  # the doc's --public-url and --allowed-hosts
WAIT_SECONDS = 60  # a bound on waiting for a process to come up, not a verdict
# What packaging/*.in say for the .deb (CMAKE_INSTALL_PREFIX=/usr).
PACKAGE_PATHS = {
    "@LL2D_BIN@": "/usr/bin/ll2d",
    "@LL2D_DEFAULTS@": "/etc/default/ll2d",
    "@LL2D_DOC_DIR@": "/usr/share/doc/ll2d",
}


class Report:
    def __init__(self):
        self.failed = []
        self.skipped = []

    def ok(self, what):
        print(f"ok      {what}")

    def fail(self, what, detail=""):
        self.failed.append(what)
        print(f"FAILED  {what}\n{detail}".rstrip())

    def skip(self, what, why):
        self.skipped.append(what)
        print(f"skipped {what}: {why}")


def blocks(text):
    """(line number, language, lines) of every fenced block, indentation removed."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent = len(lines[i]) - len(lines[i].lstrip())
        start, lang, body = i + 1, m.group(1), []
        i += 1
        while i < len(lines) and not FENCE.match(lines[i]):
            body.append(lines[i][indent:])
            i += 1
        i += 1
        yield start, lang, body


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def packaged_text(name):
    """The file packaging/ installs as `name`, as the .deb has it."""
    for candidate in (ROOT / "packaging" / name, ROOT / "packaging" / (name + ".in")):
        if candidate.exists():
            text = candidate.read_text()
            for key, value in PACKAGE_PATHS.items():
                text = text.replace(key, value)
            return text
    return None


def check_packaged(report, path, content):
    name = "default.in" if path == "/etc/default/ll2d" else Path(path).name
    expected = packaged_text(name)
    if expected is None:
        report.fail(f"{path}: the package installs no such file (packaging/{name})")
    elif expected.strip() != content.strip():
        report.fail(f"{path}: differs from packaging/{name} (the doc must show what is installed)")
    else:
        report.ok(f"{path} is the packaged file")


def self_signed(work):
    cert, key = work / "cert.pem", work / "key.pem"
    r = run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
             "-subj", "/CN=ll.example.org", "-keyout", str(key), "-out", str(cert)])
    if r.returncode != 0:
        raise RuntimeError("openssl: " + r.stderr)
    combined = work / "combined.pem"
    combined.write_text(cert.read_text() + key.read_text())
    return cert, key, combined


def nginx_version():
    r = run(["nginx", "-v"])
    m = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", r.stderr + r.stdout)
    return tuple(int(x) for x in m.groups()) if m else (0, 0, 0)


def check_nginx(report, path, content, work, pair, ll2d_port):
    if not shutil.which("nginx"):
        return report.skip(f"{path} (nginx -t)", "nginx is not installed")
    cert, key, _ = pair
    if re.search(r"^\s*listen\s[^;]*\bhttp2\b", content, flags=re.M):
        return report.fail(f"{path}: `listen ... http2` is deprecated since nginx 1.25.1 (http2 on;)")
    content = re.sub(r"(ssl_certificate\s+)\S+;", rf"\g<1>{cert};", content)
    content = re.sub(r"(ssl_certificate_key\s+)\S+;", rf"\g<1>{key};", content)
    if nginx_version() < (1, 25, 1):
        content = re.sub(r"^\s*http2 on;\n", "", content, flags=re.M)
        content = re.sub(r"(listen\s+\S+\s+ssl)\s*;", r"\1 http2;", content)
    prefix = work / "nginx"
    prefix.mkdir()
    (prefix / "site.conf").write_text(content)
    temp_paths = "".join(f"  {kind}_temp_path {prefix}/{kind};\n"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (prefix / "nginx.conf").write_text(
        f"pid {prefix}/nginx.pid;\nerror_log {prefix}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n{temp_paths}  include {prefix}/site.conf;\n}}\n")
    r = run(["nginx", "-t", "-p", str(prefix), "-e", str(prefix / "error.log"),
             "-c", str(prefix / "nginx.conf")])
    if r.returncode != 0 or "[warn]" in r.stderr:
        return report.fail(f"{path} (nginx -t)", r.stderr)
    report.ok(f"{path} (nginx -t)")
    if ll2d_port:
        run_nginx(report, path, prefix / "nginx.conf", prefix, ll2d_port)


def check_haproxy(report, path, content, work, pair, ll2d_port):
    if not shutil.which("haproxy"):
        return report.skip(f"{path} (haproxy -c)", "haproxy is not installed")
    content = re.sub(r"(\bcrt\s+)\S+", rf"\g<1>{pair[2]}", content)
    cfg = work / "haproxy.cfg"
    cfg.write_text(content)
    r = run(["haproxy", "-dW", "-c", "-f", str(cfg)])  # -dW: a warning fails
    if r.returncode != 0:
        return report.fail(f"{path} (haproxy -c)", r.stdout + r.stderr)
    report.ok(f"{path} (haproxy -c)")
    if ll2d_port:
        run_haproxy(report, path, cfg, work, ll2d_port)


def check_units(report, units, work):
    if not units:
        return report.fail("the doc shows no systemd unit")
    if not shutil.which("systemd-analyze"):
        return report.skip("the systemd units (systemd-analyze verify)", "systemd is not installed")
    unit_dir, stub = work / "units", work / "bin" / "ll2d"
    unit_dir.mkdir()
    stub.parent.mkdir()
    stub.write_text("#!/bin/sh\n")
    stub.chmod(0o755)
    for path, content in units.items():
        content = re.sub(r"(Exec\w+=)/\S*/ll2d\b", rf"\g<1>{stub}", content)
        (unit_dir / Path(path).name).write_text(content)
    names = sorted(str(p) for p in unit_dir.iterdir())
    r = run(["systemd-analyze", "verify", *names])
    if r.returncode == 0 and not r.stderr.strip():
        report.ok(f"{', '.join(Path(p).name for p in names)} (systemd-analyze verify)")
    else:
        report.fail("the systemd units (systemd-analyze verify)", r.stderr + r.stdout)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, what):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what}: not within {WAIT_SECONDS} s")


def accepts(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


@contextmanager
def process(cmd):
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def serving_ll2d(binary, work):
    """ll2d on a free port with the golden event, as the doc's settings say."""
    db = work / "ll2d.sqlite3"
    r = run([binary, "import", "--db", str(db),
             str(ROOT / "tests" / "fixtures" / "docking_event_609_detailed.json")])
    if r.returncode != 0:
        raise RuntimeError("ll2d import: " + r.stderr)
    cmd = [binary, "serve", "--db", str(db), "--host", "127.0.0.1", "--port", "0",
           "--public-url", f"https://{PUBLIC_NAME}", "--allowed-hosts", PUBLIC_NAME,
           "--no-access-log"]
    with process(cmd) as proc:
        line = proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            raise RuntimeError("ll2d serve did not start: " + proc.stderr.read())
        yield int(m.group(1))


def https_get(port, path, host):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=context)
    try:
        conn.request("GET", path, headers={"Host": host})
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def expect(report, what, got, ok):
    if ok:
        report.ok(what)
    else:
        report.fail(what, f"got {got}")


def run_nginx(report, path, conf, prefix, ll2d_port):
    """The doc's nginx in front of ll2d: listen ports and the upstream moved."""
    ports = {"80": free_port(), "443": free_port()}
    site = (prefix / "site.conf").read_text()
    site = re.sub(r"(listen\s+)(80|443)\b", lambda m: f"{m.group(1)}127.0.0.1:{ports[m.group(2)]}", site)
    site = re.sub(r"(server\s+)127\.0\.0\.1:8000;", rf"\g<1>127.0.0.1:{ll2d_port};", site)
    (prefix / "site.conf").write_text(site)
    cmd = ["nginx", "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(conf),
           "-g", "daemon off;"]
    with process(cmd):
        wait_for(lambda: accepts(ports["443"]), "nginx listening")
        got = https_get(ports["443"], "/readyz", "10.0.0.5")
        expect(report, f"{path}: /readyz probed by address answers 200", got, got[0] == 200)
        got = https_get(ports["443"], "/2.3.0/docking_events/", PUBLIC_NAME)
        expect(report, f"{path}: the API through nginx, with https://{PUBLIC_NAME} links", got,
               got[0] == 200 and f'"https://{PUBLIC_NAME}/2.3.0/docking_events/' in got[1])


def haproxy_checks(sock):
    """(server, status, check status) of every backend server, from `show stat`."""
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(str(sock))
        s.sendall(b"show stat\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    lines = data.decode().splitlines()
    header = lines[0].lstrip("# ").split(",")
    rows = [dict(zip(header, line.split(","))) for line in lines[1:] if line]
    return [(r["svname"], r["status"], r["check_status"]) for r in rows
            if r["svname"] not in ("FRONTEND", "BACKEND")]


def run_haproxy(report, path, cfg, work, ll2d_port):
    """The doc's HAProxy in front of ll2d: binds and servers moved, a stats socket,
    in the foreground."""
    port = free_port()
    sock = work / "haproxy.sock"
    text = cfg.read_text()
    text = re.sub(r"^(\s*bind\s+):80\b.*$", r"", text, flags=re.M)
    text = re.sub(r"(bind\s+):443\b", rf"\g<1>127.0.0.1:{port}", text)
    text = re.sub(r"(server\s+\S+\s+)\S+:8000", rf"\g<1>127.0.0.1:{ll2d_port}", text)
    text = re.sub(r"^global$", f"global\n  stats socket {sock}", text, flags=re.M)
    text = re.sub(r"^\s*daemon$", "", text, flags=re.M)
    if os.geteuid() != 0:  # only root may switch to the haproxy user
        text = re.sub(r"^\s*(user|group)\s+\S+$", "", text, flags=re.M)
    cfg.write_text(text)
    with process(["haproxy", "-db", "-f", str(cfg)]):
        wait_for(lambda: sock.exists() and accepts(port), "haproxy listening")
        # Each server's first check decides L7OK or a failure (L7STS, L4CON...).
        wait_for(lambda: all(c not in ("", "INI", "* INI") and not c.startswith("*")
                             for _, _, c in haproxy_checks(sock)), "haproxy's first checks")
        checks = haproxy_checks(sock)
        expect(report, f"{path}: the /readyz health checks pass", checks,
               checks and all(c == "L7OK" for _, _, c in checks))
        got = https_get(port, "/2.3.0/docking_events/", PUBLIC_NAME)
        expect(report, f"{path}: the API through HAProxy", got, got[0] == 200)


def dockerfile_packages(text):
    """The package names of the Dockerfile's `apt-get install` commands."""
    names = []
    for command in re.findall(r"apt-get install([^&\n\\]*(?:\\\n[^&\n\\]*)*)", text):
        for word in command.replace("\\\n", " ").split():
            if re.fullmatch(r"[a-z0-9][a-z0-9.+-]+", word):
                names.append(word)
    return names


def check_dockerfile(report):
    dockerfile = ROOT / "Dockerfile"
    if not dockerfile.exists():
        return report.fail("Dockerfile: missing")
    if not shutil.which("apt-cache"):
        return report.skip("Dockerfile packages", "apt-cache is not installed")
    names = dockerfile_packages(dockerfile.read_text())
    if not names:
        return report.fail("Dockerfile: no apt-get install found")
    for name in names:
        r = run(["apt-cache", "policy", name])
        candidate = re.search(r"Candidate:\s*(\S+)", r.stdout)
        if candidate and candidate.group(1) != "(none)":
            report.ok(f"Dockerfile package {name} ({candidate.group(1)})")
        else:
            report.fail(f"Dockerfile package {name}: not in the archive (apt-cache policy)")


def check_configs(report, configs, work, ll2d_port):
    pair = self_signed(work) if shutil.which("openssl") else None
    for path, content in configs:
        try:
            if pair is None:
                report.skip(path, "openssl is not installed (the certificates)")
            elif path.startswith("/etc/nginx/"):
                check_nginx(report, path, content, work, pair, ll2d_port)
            else:
                check_haproxy(report, path, content, work, pair, ll2d_port)
        except RuntimeError as e:
            report.fail(f"{path}: running it", str(e))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("doc", nargs="?", type=Path, default=ROOT / "docs" / "deploy.md")
    parser.add_argument("--ll2d", help="an ll2d binary: also run nginx and HAProxy in front of it")
    args = parser.parse_args()
    doc = args.doc
    report = Report()
    units, configs = {}, []
    for line, lang, body in blocks(doc.read_text()):
        marker = MARKER.match(body[0]) if body else None
        if not marker:
            if lang in CONFIG_LANGS:
                report.fail(f"{doc.name}:{line}: a {lang} block without a `# /path` marker")
            continue
        path, content = marker.group(1), "\n".join(body[1:]) + "\n"
        if path.endswith((".service", ".timer")):
            units[path] = content
            check_packaged(report, path, content)
        elif path == "/etc/default/ll2d":
            check_packaged(report, path, content)
        elif path.startswith("/etc/nginx/") or path.endswith("haproxy.cfg"):
            configs.append((path, content))
        else:
            report.fail(f"{doc.name}:{line}: no validator for {path}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        check_units(report, units, work)
        if args.ll2d:
            with serving_ll2d(args.ll2d, work) as port:
                check_configs(report, configs, work, port)
        else:
            print("(no --ll2d: the configurations are checked, not run)")
            check_configs(report, configs, work, None)
        if not any(p.startswith("/etc/nginx/") for p, _ in configs):
            report.fail("the doc shows no nginx configuration")
        if not any(p.endswith("haproxy.cfg") for p, _ in configs):
            report.fail("the doc shows no HAProxy configuration")
    check_dockerfile(report)
    if report.failed:
        print(f"{len(report.failed)} failed")
        return 1
    if report.skipped:
        print(f"nothing failed; skipped (validator missing): {', '.join(report.skipped)}")
        return 77
    return 0


if __name__ == "__main__":
    sys.exit(main())
