#!/usr/bin/env python3
"""Compares ll2d with the DRF reference peer, query by query.

Sends the same GET to both servers and compares the status and the body
(JSON parsed and key order kept; each server's own base URL is normalised).

    compare_with_peer.py --ll2d http://127.0.0.1:8000 --peer http://127.0.0.1:8001 [--queries FILE]

Without --queries it runs a built-in varied set. Exit status 1 on any
difference. Standard library only.
"""
import argparse
import json
import sys
import urllib.error
import urllib.request

BASE_QUERIES = [
    "", "limit=5", "limit=0", "limit=-3", "limit=abc", "limit=1000", "limit=100", "limit=%207", "limit=+7", "limit=1_0",
    "offset=5", "offset=-1", "offset=abc", "offset=1995", "offset=5000", "limit=3&offset=2",
    "limit=5&offset=3&search=Mir", "offset=3&limit=5&search=Mir", "mode=detailed", "mode=normal",
    "mode=detailed&limit=3", "search=Salyut", "search=salyut", "search=soyuz", "search=Soyuz+progress",
    "search=soyuz,progress", "search=ISS", "search=%C3%A9toile", "search=%C3%89TOILE",
    "search=%D0%B6%D0%B0%D0%B2%D0%BE%D1%80%D0%BE%D0%BD%D0%BE%D0%BA", "search=%25", "search=_", "search=%5C",
    "search=", "search=+++", "search=zzzzzz", "search=Tiangong", "search=Dragon&ordering=-docking",
    "ordering=docking", "ordering=-docking", "ordering=departure", "ordering=-departure",
    "ordering=-departure,docking", "ordering=id", "ordering=-id", "ordering=Docking", "ordering=--docking",
    "ordering=foo,-departure", "ordering=", "ordering=departure&limit=100&offset=1900",
    "docking__gt=2019-12-19T03:20:49Z", "docking__gte=2019-12-19T03:20:49Z&ordering=-docking",
    "docking__lt=1990-01-01", "docking__lte=2000-01-01T00:00", "docking__gte=2010-01-01+00:00:00",
    "docking__gt=2015-06-01T12:00:00%2B05:30", "docking__gt=2015-06-01T12:00:00-0800",
    "docking__gt=2015-06-01T12:00:00.123456Z", "docking__gt=2015-06-01T12:00:00,5Z",
    "docking__gt=notadate", "docking__gt=01/15/2020", "docking__gt=2020/01/01", "docking__gt=1577836800",
    "docking__gt=2020-01-01T00:00:00%2B25:00", "docking__gt=2020-13-01", "docking__gt=",
    "docking__gt=2020-01-01&docking__lt=2021-01-01", "docking__gt=abc&docking_location__id=xyz",
    "docking_location__id=3", "docking_location__id=007", "docking_location__id=3.0",
    "docking_location__id=%203%20", "docking_location__id=abc", "docking_location__id=",
    "docking_location__id=3.7", "docking_location__id=1e1", "docking_location__id=99999999999999999999",
    "flight_vehicle_chaser__id=5", "flight_vehicle_chaser__id=-1", "space_station_target__id=6",
    "space_station_target__id=9", "space_station_target__id=6&search=soyuz",
    "space_station_target__id=6&space_station_target__id=9", "unknown=1", "format=json&foo=bar+baz",
    "search=Mir&search=Salyut", "limit=2&limit=4", "search=a%20b&limit=2",
]


# Launches and agencies in the modes the peer serves (list and normal; the
# peer renders launches' detailed mode as normal, and leaves two keys out of
# agencies' detailed mode, so those are not compared). is_crewed is left out:
# the peer tests spacecraft flights for want of crew data, ll2d tests crews.
LAUNCH_QUERIES = [
    "", "mode=list&limit=5", "mode=normal&limit=3&offset=7", "status=3", "status=999", "status=abc",
    "status=", "status__ids=1,3", "status__ids=1,x", "status__ids=,", "status__ids=3,,", "lsp__id=13",
    "lsp__id=13,14", "lsp__id=a", "lsp__name=aeb,nasa", "lsp__name=,", "program=1&program=2",
    "program=999", "program=x", "program=", "include_suborbital=false", "include_suborbital=true",
    "include_suborbital=maybe", "year=1990,1991", "year=1990.5", "year=x", "month=2&day=3,4",
    "net__gt=2000-01-01&ordering=-net", "net__lte=1985-01-01T00:00:00Z", "net__gt=bad",
    "window_start__gte=1990-01-01", "last_updated__lte=1999-01-01", "search=synthetic+mission+1",
    "search=SYNTHETIC", "ordering=name&limit=20&offset=20", "ordering=-last_updated",
    "ordering=-id", "ordering=net,-name", "pad=1", "pad=abc", "pad__location=1",
    "pad__location=99999", "mission__orbit__name__icontains=leo", "mission__orbit__name=Low+Earth+Orbit",
    "rocket__configuration__id=3", "rocket__configuration__name=Synthetic+Rocket+6",
    "rocket__configuration__full_name__icontains=rocket", "id=b281d111-b097-48bb-91ec-c4f20904d0bb",
    "id=b281d111-b097-48bb-91ec-c4f20904d0bb,zzz", "id=B281D111B09748BB91ECC4F20904D0BB",
    "location__ids=1,2", "launcher_config__id=1,2", "spacecraft_config__ids=1",
    "rocket__spacecraftflight__spacecraft__name__icontains=a", "rocket__spacecraftflight__spacecraft__id=3",
    "name=Synthetic+Rocket+6+%7C+Synthetic+Mission+11", "slug=synthetic-mission-11",
    "orbital_launch_attempt_count__gte=3", "agency_launch_attempt_count_year=1",
    "mission__orbit__celestial_body__id=1", "pad__location__celestial_body__id=1",
]
AGENCY_QUERIES = [
    "", "mode=list", "mode=normal&limit=3", "featured=true", "featured=FALSE", "featured=yes",
    "name=Ag%C3%AAncia+Espacial+Brasileira", "name__contains=Space", "name__contains=space",
    "abbrev=AEB", "abbrev__contains=A", "description__contains=synthetic", "country_code=AGX",
    "country_code=AGX,ZZZ", "country_code=,", "spacecraft=true", "spacecraft=false",
    "founding_year__gt=1990&ordering=-founding_year", "founding_year=1980.9", "founding_year=x",
    "ordering=-total_launch_count", "ordering=featured,-name", "search=space", "search=aeb",
    "type__id=2", "id=13", "total_launch_count__lte=3",
]


# What DRF 3.17.1 / Django 5.2 read differently from older stacks (issue 17):
# search terms as search_smart_split splits them, NUL and control
# characters in every kind of parameter, date-times as fromisoformat reads
# them, integer bounds beyond an IntegerField's range.
QUOTED_SEARCHES = [
    "search=%22Soyuz%20MS%22", "search=%27soyuz%20ms%27", "search=%22", "search=%27", "search=%22%22",
    "search=%22%22+soyuz", "search=%22unclosed+soyuz", "search=a%22b%20c%22d", "search=%22soyuz+ms%22,",
    "search=,%22soyuz%22", "search=%22a%5C%22b%22", "search=%22%20%22", "search=x%22a,%20,b%22y",
    "search=%22soyuz%22%27ms%27", "search=%22soyuz%22,progress", "search=%22%22,soyuz",
    "search=%27it%27%27s%27", "search=%22%5C%5C%22", "search=%22a%5C%0Ab%22",
]
CONTROL_SEARCHES = [
    "search=%00", "search=a%00b", "search=%22%00%22", "search=%01", "search=soyuz%1Fms", "search=%1F",
    "search=a%0Ab", "search=%7F", "search=soyuz%09ms", "search=%C2%85soyuz", "search=%E2%80%A8", "search=%0B",
]
ISO_DATES = [
    "2019-01-01T10", "20190101", "20190101T101010Z", "2019-W01-1", "2019-W01", "2019W011", "2019W01T10",
    "2020-W53-5", "2019-W53-1", "2019-01-01T10:00:00%2B05:30:15", "2019-01-01T10:00:00-053015",
    "2019-01-01T10:00%20Z", "2019-01-01T10:00%20%20%2B05:00", "2019-01-01+10:00:00%09Z", "2019-01-01x10:00",
    "2019-01-01%C3%A910:00", "2019-01-01T10:00:00.123abc%2B05:00", "2019-01-01T10:%2B05:00",
    "%D9%A2%D9%A0%D9%A1%D9%A9-01-01T10:00", "2019-01-01T10%2B05:99", "2019-01-01T10%2B24:00",
    "2019-01-01T24:00", "2019-01-01T10:00:00.", "2019-01-01T1030005", "2019-01-01T10:30:00:5",
    "2019-01-01T10Z%00x", "2019-01-01T10%00", "2019-01-01%00", "%002019-01-01", "2019-001",
    "2019-01-01T10:00:00.000000%2B00:00:00.000001",
]
DOCKING_EDGE = QUOTED_SEARCHES + CONTROL_SEARCHES + [
    "docking__gt=" + d for d in ISO_DATES] + [
    "docking_location__id=%00", "docking_location__id=1%00", "docking_location__id=%0B3%0C",
    "docking_location__id=%01", "docking_location__id=2147483648", "flight_vehicle_chaser__id=-2147483649",
    "space_station_target__id=6%00", "limit=%00", "offset=5%00", "ordering=%00", "ordering=-docking%00",
    "format=json%00", "docking__lte=%00", "search=soyuz%E3%80%80ms", "search=%FF", "search=%C2%A0soyuz%C2%A0",
    # Python's int() and Decimal() read any Unicode decimal digit.
    "docking_location__id=%EF%BC%93", "docking_location__id=%D9%A3", "docking_location__id=%E2%80%8B3",
    "limit=%EF%BC%95", "offset=%EF%BC%95", "limit=%D9%A5&offset=%D9%A5",
    "docking__gt=%EF%BC%92%EF%BC%90%EF%BC%91%EF%BC%99-01-01T10:00", "docking__gt=2019-01-01T10:00%E3%80%80Z",
    "docking__gt=%E3%80%802019-01-01", "docking__gt=2019-01-01T10:00:00%2B00:00:00.5",
]
LAUNCH_EDGE = [
    "search=Starliner,Delta", "search=Crew+Dragon+TM-21", "search=Crew,Atlas,GPS",
    "search=%22Crew%20Dragon%22,Atlas", "search=Dragon,Sentinel", "search=Starliner,MS-34,Electron",
    "search=%22Dragon%20TM%22", "search=Shenzhou,Antares,422", "search=TM-23,%22Antares%202D%22",
    "search=%22%22+Shenzhou", "search=%00", "search=%22Falcon%22", "search=%27falcon%27+starlink",
    "status=%00", "status=1%00", "status=2147483648", "pad=%00", "pad=99999999999999999999",
    "pad__location=1%01", "program=%00", "program=1&program=%00", "status__ids=1,%00",
    "status__ids=2147483648", "lsp__id=%00", "name=%00", "name=a%00b", "slug=%01", "launch_designator=a,%00",
    "lsp__name=%00", "mission__orbit__name__icontains=%00", "id=%00", "include_suborbital=true%00",
    "net__gt=2000-01-01T10%00", "net__gt=%00", "orbital_launch_attempt_count__lt=2147483648",
    "agency_launch_attempt_count_year__gte=-9999999999", "orbital_launch_attempt_count__gt=2147483648",
    "pad_launch_attempt_count=-2147483649", "rocket__configuration__id=2147483648",
    "rocket__spacecraftflight__spacecraft__id=2147483648", "year=2147483648",
    "status=%EF%BC%93", "status=%2B3", "status=3_0", "status=%203%20", "status=3.0", "pad=%EF%BC%91",
    "status__ids=%EF%BC%93", "year=%EF%BC%91%EF%BC%99%EF%BC%99%EF%BC%90", "year=-1", "month=13",
    # ModelMultipleChoiceField compares str(pk) with the value as given.
    "program=%EF%BC%91", "program=%201", "program=01", "program=1&program=%2B1",
    "search=a&search=%00", "search=%00&search=a", "ordering=net%00",
] + ["net__gt=" + d for d in ISO_DATES[:12]]
AGENCY_EDGE = [
    "search=%22space%22", "search=%00", "search=%27aeb%27,space", "founding_year=%00", "founding_year__gt=%01",
    "founding_year__lt=2147483648", "founding_year__lte=2147483647", "founding_year__gt=-2147483649",
    "founding_year__gte=-2147483648", "founding_year=2147483648", "founding_year__gt=2147483648",
    "founding_year__lt=-2147483649", "founding_year__lt=1e30", "founding_year__lt=99999999999999999999999",
    "founding_year__lt=2147483648.5", "founding_year__gte=-2147483648.5", "founding_year__gte=-2147483649.5",
    "total_launch_count__gt=-2147483649", "id=2147483648", "id=%00", "type__id=-2147483649", "name=%00",
    "abbrev__contains=%00", "country_code=%00", "featured=%00", "spacecraft=true%00",
    "founding_year=1_960", "founding_year__gt=%EF%BC%91%EF%BC%99%EF%BC%96%EF%BC%90", "id=%EF%BC%91",
    "type__id=%EF%BC%91", "featured=TRUE%20", "featured=%20true",
]
# Every detail route's answer for an object that is not there (a missing id,
# one beyond the column, one a filter or the upcoming/previous window leaves
# out) and for ids that are no id (malformed, a format suffix).
DETAIL_404 = [
    "/2.3.0/docking_events/999999/", "/2.3.0/docking_events/2147483648/", "/2.3.0/docking_events/-1/",
    "/2.3.0/docking_events/abc/", "/2.3.0/docking_events/1.5/", "/2.3.0/docking_events/17/?search=zzzzzz",
    "/2.3.0/docking_events/17/?docking__gt=2100-01-01", "/2.3.0/docking_events/17/?search=%00",
    "/2.3.0/agencies/999999/", "/2.3.0/agencies/abc/",
    "/2.3.0/agencies/2147483648/", "/2.3.0/agencies/1/?search=zzzzzz",
    "/2.3.0/launches/00000000-0000-4000-8000-000000000000/", "/2.3.0/launches/not-a-uuid/",
    "/2.3.0/launches/upcoming/00000000-0000-4000-8000-000000000000/", "/2.3.0/launches/previous/abc/",
    "/2.3.0/docking_events/%EF%BC%91%EF%BC%97/", "/2.3.0/agencies/%EF%BC%99%EF%BC%99%EF%BC%99%EF%BC%99/",
]


def window_404s(peer):
    """upcoming/{id} of a launch only previous lists, and previous/{id} of
    one only upcoming lists: the ids come from the peer."""
    out = []
    for route, other in (("previous", "upcoming"), ("upcoming", "previous")):
        status, body = fetch(peer, "/2.3.0/launches/%s/?format=json&mode=list&limit=100" % route)
        if status != 200:
            continue
        theirs = {r["id"] for r in json.loads(body)["results"]}
        _, body = fetch(peer, "/2.3.0/launches/%s/?format=json&mode=list&limit=100" % other)
        listed = {r["id"] for r in json.loads(body)["results"]} if body.startswith("{") else set()
        for launch_id in sorted(theirs - listed)[:2]:
            out.append("/2.3.0/launches/%s/%s/?format=json" % (other, launch_id))
    return out


# Every detail route's 404s: a lookup that finds nothing names the model; an id
# that does not parse, or an unknown format, is DRF's bare "Not found.".
NOT_FOUND_PATHS = [
    "/2.3.0/docking_events/99999/", "/2.3.0/docking_events/-1/", "/2.3.0/docking_events/0/",
    "/2.3.0/docking_events/99999999999999999999999/", "/2.3.0/docking_events/99999.json",
    "/2.3.0/docking_events/abc/", "/2.3.0/docking_events/1__0/", "/2.3.0/docking_events/1/?format=xml",
    "/2.3.0/docking_events/1/?docking__gt=2100-01-01", "/2.3.0/docking_events/1/?search=zzzzzz",
    "/2.3.0/launches/00000000-0000-0000-0000-000000000000/", "/2.3.0/launches/1/", "/2.3.0/launches/abc/",
    "/2.3.0/launches/00000000-0000-0000-0000-00000000000g/",
    "/2.3.0/launches/upcoming/00000000-0000-0000-0000-000000000000/", "/2.3.0/launches/upcoming/abc/",
    "/2.3.0/launches/previous/00000000-0000-0000-0000-000000000000/", "/2.3.0/launches/previous/1/",
    "/2.3.0/agencies/99999/", "/2.3.0/agencies/abc/", "/2.3.0/agencies/1.5/", "/2.3.0/agencies/1/?featured=true",
    "/2.3.0/agencies/1/?name=nothing-like-this",
]

# Content negotiation (path, Accept): a format narrows the renderers to its
# own and Accept must still take it; `indent` re-indents JSON.
NEGOTIATION = [
    ("/2.3.0/docking_events/17/?format=json", "text/html"),
    ("/2.3.0/docking_events/17/?format=api", "application/json"),
    ("/2.3.0/docking_events/17.json", "text/html"),
    ("/2.3.0/docking_events/17/?format=json", "image/png"),
    ("/2.3.0/docking_events/17/?format=json", "text/html,*/*;q=0.8"),
    ("/2.3.0/docking_events/17/", "application/json; indent=4"),
    ("/2.3.0/docking_events/17/", "*/*;indent=2"),
    ("/2.3.0/docking_events/?limit=2", "application/json; indent=12"),
    ("/2.3.0/docking_events/?docking__gt=bad", "application/json; indent=3"),
    ("/2.3.0/agencies/99999/", "application/json; INDENT=\"1\""),
    ("/2.3.0/docking_events/17/", "application/json; indent=x"),
]


def random_queries(count, seed):
    """Combinations of every parameter, valid and invalid, drawn from a seed."""
    import random
    r = random.Random(seed)
    dates = ["1975-01-01", "1990-06-15T12:00:00Z", "2000-01-01T00:00", "2010-03-04T05:06:07%2B03:00",
             "2019-12-19T03:20:49Z", "2024-06-06T06:48:00.5Z", "2030-01-01", "bad", "2020-02-30", ""]
    terms = ["Salyut", "soyuz", "mir", "ISS", "Dragon", "port", "%C3%A9toile", "%D0%96%D0%90", "%25", "_",
             "Tiangong", "progress+m", "a,b", "station", "7", "Cargo", ""]
    params = {
        "limit": lambda: r.choice(["1", "3", "10", "25", "100", "101", "0", "-1", "x", "%205"]),
        "offset": lambda: r.choice(["0", "1", "7", "50", "99", "100", "1999", "2001", "-5", "y"]),
        "mode": lambda: r.choice(["normal", "detailed", ""]),
        "ordering": lambda: r.choice(["docking", "-docking", "departure", "-departure", "departure,-docking",
                                      "-departure,docking", "foo", "-id", "docking,departure"]),
        "search": lambda: r.choice(terms),
        "docking__gt": lambda: r.choice(dates), "docking__gte": lambda: r.choice(dates),
        "docking__lt": lambda: r.choice(dates), "docking__lte": lambda: r.choice(dates),
        "docking_location__id": lambda: str(r.choice([1, 2, 5, 12, 50, 120, 130, 149, "x", "3.5", ""])),
        "flight_vehicle_chaser__id": lambda: str(r.choice([1, 3, 10, 77, 500, 999, "z", ""])),
        "space_station_target__id": lambda: str(r.choice([1, 4, 6, 9, 12, 20, 21, "q", ""])),
    }
    out = []
    for _ in range(count):
        chosen = r.sample(sorted(params), r.randint(1, 4))
        query = "&".join(f"{k}={params[k]()}" for k in chosen)
        out.append("/2.3.0/docking_events/?format=json&" + query)
    return out


def fetch(base, path, accept="application/json"):
    req = urllib.request.Request(base + path, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8")


def normalise(body, base):
    return body.replace(base, "BASE")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ll2d", required=True)
    ap.add_argument("--peer", required=True)
    ap.add_argument("--queries", help="file with one path?query per line")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--random", type=int, default=0, help="add N random parameter combinations")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.queries:
        with open(args.queries, encoding="utf-8") as f:
            paths = [line.strip() for line in f if line.strip()]
    else:
        paths = ["/2.3.0/docking_events/?format=json" + ("&" + q if q else "") for q in BASE_QUERIES]
        paths += ["/2.3.0/docking_events/%d/?format=json" % i for i in (1, 2, 17, 609, 1999, 2000, 5000)]
        # Format suffixes, as DRF's router adds them.
        for route in ("launches", "launches/upcoming", "launches/previous"):
            paths += ["/2.3.0/%s/?format=json%s" % (route, "&" + q if q else "") for q in LAUNCH_QUERIES]
        paths += ["/2.3.0/launches/upcoming/?format=json&hide_recent_previous=true",
                  "/2.3.0/launches/upcoming/?format=json&hide_recent_previous=0&limit=3"]
        paths += ["/2.3.0/agencies/?format=json" + ("&" + q if q else "") for q in AGENCY_QUERIES]
        paths += ["/2.3.0/docking_events/17.json", "/2.3.0/docking_events/17.json/",
                  "/2.3.0/docking_events/17.json?format=json", "/2.3.0/docking_events.json?limit=3&offset=3",
                  "/2.3.0/docking_events.json/?search=mir&limit=2", "/2.3.0/docking_events/17.xml",
                  "/2.3.0/docking_events/1.5/", "/2.3.0/docking_events/abc.json"]
        paths += ["/2.3.0/docking_events/?format=json&" + q for q in DOCKING_EDGE]
        for route in ("launches", "launches/upcoming", "launches/previous"):
            paths += ["/2.3.0/%s/?format=json&mode=list&%s" % (route, q) for q in LAUNCH_EDGE]
        paths += ["/2.3.0/agencies/?format=json&mode=list&" + q for q in AGENCY_EDGE]
        paths += [p + ("&" if "?" in p else "?") + "format=json" for p in DETAIL_404]
        paths += window_404s(args.peer)
        paths += NOT_FOUND_PATHS
    paths += random_queries(args.random, args.seed)
    diffs = 0
    checks = [(p, "application/json") for p in paths]
    if not args.queries:
        checks += NEGOTIATION
    for p, accept in checks:
        s1, b1 = fetch(args.ll2d, p, accept)
        s2, b2 = fetch(args.peer, p, accept)
        b1, b2 = normalise(b1, args.ll2d), normalise(b2, args.peer)
        try:
            same = s1 == s2 and json.loads(b1) == json.loads(b2) and b1 == b2
        except ValueError:
            same = s1 == s2 and b1 == b2
        if not same:
            diffs += 1
            print(f"DIFF {p} (Accept: {accept})\n  ll2d {s1}: {b1[:300]}\n  peer {s2}: {b2[:300]}")
        elif not args.quiet:
            print(f"ok   {s1} {p}")
    print(f"{len(checks) - diffs} passed, {diffs} failed")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
