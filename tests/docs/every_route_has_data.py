#!/usr/bin/env python3
"""Asks every route of a server's API root, in each mode, whether it has data.

A paginated list needs count > 0; the Starship dashboard needs every list
and both halves non-empty. Prints the empty ones; exit 1 if any.
    every_route_has_data.py BASE_URL
"""
import json
import sys
import urllib.error
import urllib.request


def get(url):
    req = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)


def empty_parts(name, body):
    if isinstance(body, dict) and "count" in body:
        return [name] if body["count"] == 0 else []
    if isinstance(body, list):  # a plain array
        return [name] if not body else [p for item in body for p in empty_parts(name, item)]
    out = []
    for key, value in body.items():  # the dashboard: lists and upcoming/previous halves
        if isinstance(value, list) and not value:
            out.append(f"{name} {key}")
        elif isinstance(value, dict):
            out += [f"{name} {key}.{k}" for k, v in value.items() if isinstance(v, list) and not v]
    return out


def main():
    base = sys.argv[1].rstrip("/")
    root = get(base + "/2.3.0/")
    empty, asked = [], 0
    for name, url in root.items():
        for mode in ("", "list", "normal", "detailed"):
            try:
                body = get(url + (f"?mode={mode}" if mode else ""))
            except urllib.error.HTTPError as e:
                if e.code == 400 and mode:  # a mode this route does not have
                    continue
                raise
            asked += 1
            empty += empty_parts(f"{name}{' mode=' + mode if mode else ''}", body)
    for e in empty:
        print("empty:", e)
    print(f"{len(root)} routes, {asked} answers: {asked - len(empty)} passed, {len(empty)} failed")
    return 1 if empty else 0


if __name__ == "__main__":
    sys.exit(main())
