#!/usr/bin/env python3
"""Builds a large set of docking-event pages for import benchmarks from a
smaller generated one, without generating a bigger world: each copy of the
source pages gets its own ids for the objects an event owns (the docking
event, and the spacecraft and payload flights printed with their url), so
copy k is k * OFFSET further on; everything else (stations, agencies,
images, ...) is shared, as it is across a real world's events.

    build/ll2d generate --events 10000 --seed 1 --out /tmp/imp/gen10k --quiet
    bench/make_import_set.py /tmp/imp/gen10k 1000000 /tmp/imp/set1m

writes 10,000 pages of 100 events (about 10 GB) to /tmp/imp/set1m, named
so that a directory import reads them copy by copy. Only the top-level
page_*.json files of the source (the docking events) are used.
"""
import json
import os
import re
import sys

OFFSET = 10_000_000
OWNED = re.compile(
    rb'"id":(\d+),"url":"([^"]*/2\.3\.0/(?:docking_events|spacecraft_flights|payload_flights)/)(\d+)/')


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    source, events, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    pages = sorted(f for f in os.listdir(source) if f.startswith("page_") and f.endswith(".json"))
    if not pages:
        sys.exit(f"no page_*.json in {source}")
    texts = [open(os.path.join(source, p), "rb").read() for p in pages]
    counts = [len(json.loads(t)["results"]) for t in texts]
    os.makedirs(out, exist_ok=True)
    written = 0
    copy = 0
    while written < events:
        shift = copy * OFFSET

        def rewrite(m):
            old = int(m.group(1))
            if old != int(m.group(3)):  # not the object's own url
                return m.group(0)
            new = str(old + shift).encode()
            return b'"id":' + new + b',"url":"' + m.group(2) + new + b"/"

        for name, text, count in zip(pages, texts, counts):
            if written >= events:
                break
            data = OWNED.sub(rewrite, text) if shift else text
            with open(os.path.join(out, f"copy{copy:04d}_{name}"), "wb") as f:
                f.write(data)
            written += count
        copy += 1
    print(f"{out}: {written} events in {copy} copies of {len(pages)} pages", file=sys.stderr)


if __name__ == "__main__":
    main()
