#!/usr/bin/env python3
"""The request mix of LL2's real clients, as paths drawn from a generated world.

    make_mix.py GEN_DIR OUT N [SEED]

GEN_DIR is `ll2d generate --out` (pages of every route). Writes N request
paths to OUT, one a line, drawn with these shares (what launch widgets, Home
Assistant's integration, bots and dashboards ask of LL2). Most clients still
ask LL2's 2.3.0 (API_2_3_0, /2.3.0/); a tenth ask 2.4.0 (API_2_4_0,
/api/ll/2.4.0/), where modes are routes and upcoming is a filter:

    share  what
    2.3.0
    20%    launches/upcoming/  mode list, normal or detailed; limit 1-100; often
           hide_recent_previous, sometimes lsp__id, is_crewed, include_suborbital
     8%    launches/previous/  the same
    17%    launches/<id>/      one launch (detailed, LL2's default for a detail)
     6%    events/upcoming/ and events/previous/
     4%    dashboard/starship/ (Home Assistant asks at every update)
     8%    agencies/<id>/ and agencies/ lists
     5%    astronauts/<id>/ and astronauts/ lists
     4%    space_stations/ and space_stations/<id>/
     9%    searches: launches/?search=, agencies/?search=, astronauts/?search=
     9%    NET windows: launches/?net__gte=..&net__lte=.. (a month), ordered by net
    2.4.0
     5%    launches/, launches/mini/ or launches/detailed/ with upcoming=true (or
           previous=true), ordered by net; limit 1-100, sometimes lsp__id
     3%    launches/<id>/      one launch (detailed)
     2%    rockets/<id>/ and stages/ lists (new in 2.4.0)

The same path may be drawn more than once (clients ask the same things); the
set of distinct paths is what a static server is given in the comparison.
Standard library only.
"""
import glob
import json
import os
import random
import sys
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

# Where each API version's routes are (the versions ll2d serves).
API_2_3_0 = "/2.3.0/"
API_2_4_0 = "/api/ll/2.4.0/"


def objects(gen, route):
    for path in sorted(glob.glob(os.path.join(gen, route, "page_*.json"))):
        with open(path, encoding="utf-8") as f:
            yield from json.load(f)["results"]


def world(gen):
    launches = list(objects(gen, "launches"))
    return {
        "launches": [l["id"] for l in launches],
        "nets": [l["net"] for l in launches if l.get("net")],
        "providers": sorted({l["launch_service_provider"]["id"] for l in launches
                             if l.get("launch_service_provider")}),
        "words": sorted({w for l in launches for w in l["name"].replace("|", " ").split()
                         if len(w) > 3 and w.isalpha()}),
        "agencies": [a["id"] for a in objects(gen, "agencies")],
        "agency_words": sorted({a["name"].split()[0] for a in objects(gen, "agencies")}),
        "astronauts": [a["id"] for a in objects(gen, "astronauts")],
        "astronaut_words": sorted({a["name"].split()[-1] for a in objects(gen, "astronauts")}),
        "stations": [s["id"] for s in objects(gen, "space_stations")],
        "rockets": [l["rocket"]["id"] for l in launches if l.get("rocket")],
    }


def query(path, api=API_2_3_0, **params):
    params = {k: v for k, v in params.items() if v is not None}
    return api + path + ("?" + urlencode(params) if params else "")


def launch_list(r, w, action):
    mode = r.choices(["list", "normal", "detailed"], [3, 5, 2])[0]
    limit = r.choices([1, 5, 10, 20, 50, 100], [2, 3, 4, 2, 1, 1])[0]
    extra = {}
    if r.random() < 0.4:
        extra["hide_recent_previous"] = "true"
    if r.random() < 0.15:
        extra["lsp__id"] = r.choice(w["providers"])
    if r.random() < 0.08:
        extra["is_crewed"] = "true"
    if r.random() < 0.08:
        extra["include_suborbital"] = "false"
    return query(f"launches/{action}/", mode=mode, limit=limit, **extra)


def net_window(r, w):
    net = datetime.fromisoformat(r.choice(w["nets"]).replace("Z", "+00:00"))
    start = (net - timedelta(days=r.randint(0, 29))).astimezone(timezone.utc)
    end = start + timedelta(days=30)
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    return query("launches/", net__gte=start.strftime(fmt), net__lte=end.strftime(fmt),
                 ordering="net", limit=r.choice([10, 50, 100]),
                 mode=r.choice(["list", "normal"]))


def launch_list_240(r, w):
    """2.4.0's lists of launches: a route per mode, the time window a filter."""
    route = r.choices(["launches/mini/", "launches/", "launches/detailed/"], [3, 5, 2])[0]
    window = r.choices(["upcoming", "previous"], [3, 1])[0]
    params = {window: "true", "ordering": "net" if window == "upcoming" else "-net",
              "limit": r.choices([1, 5, 10, 20, 50, 100], [2, 3, 4, 2, 1, 1])[0]}
    if r.random() < 0.15:
        params["lsp__id"] = r.choice(w["providers"])
    return query(route, API_2_4_0, **params)


def search(r, w):
    what = r.choices(["launches", "agencies", "astronauts"], [6, 2, 2])[0]
    words = {"launches": "words", "agencies": "agency_words", "astronauts": "astronaut_words"}
    return query(f"{what}/", search=r.choice(w[words[what]]), limit=10)


def draw(r, w):
    kinds = [
        (20, lambda: launch_list(r, w, "upcoming")),
        (8, lambda: launch_list(r, w, "previous")),
        (17, lambda: query(f"launches/{r.choice(w['launches'])}/")),
        (6, lambda: query(f"events/{r.choice(['upcoming', 'previous'])}/",
                          limit=r.choice([1, 5, 10]))),
        (4, lambda: query("dashboard/starship/")),
        (8, lambda: r.choice([query(f"agencies/{r.choice(w['agencies'])}/"),
                              query("agencies/", limit=r.choice([10, 50]), mode="normal")])),
        (5, lambda: r.choice([query(f"astronauts/{r.choice(w['astronauts'])}/"),
                              query("astronauts/", limit=20)])),
        (4, lambda: r.choice([query("space_stations/"),
                              query(f"space_stations/{r.choice(w['stations'])}/")])),
        (9, lambda: search(r, w)),
        (9, lambda: net_window(r, w)),
        (5, lambda: launch_list_240(r, w)),
        (3, lambda: query(f"launches/{r.choice(w['launches'])}/", API_2_4_0)),
        (2, lambda: r.choice([query(f"rockets/{r.choice(w['rockets'])}/", API_2_4_0),
                              query("stages/", API_2_4_0, limit=r.choice([10, 50]))])),
    ]
    return r.choices([k[1] for k in kinds], [k[0] for k in kinds])[0]()


def main():
    gen, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    r = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    w = world(gen)
    with open(out, "w", encoding="utf-8") as f:
        for _ in range(n):
            f.write(draw(r, w) + "\n")


if __name__ == "__main__":
    main()
