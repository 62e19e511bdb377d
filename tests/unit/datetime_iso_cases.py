"""Writes datetime_iso_cases.inc: inputs with what the DRF peer's date-time
filter makes of them. Run from the repository root with Debian's Python 3.11:
    /usr/bin/python3 tests/unit/datetime_iso_cases.py ../shared/peer/vendor > tests/unit/datetime_iso_cases.inc
The unit test reads only the .inc; this script is how it was made."""
import sys, random, json, datetime, re
sys.path.insert(0, sys.argv[1] if len(sys.argv) > 1 else '../shared/peer/vendor')
from django.conf import settings; settings.configure(USE_TZ=True, TIME_ZONE='UTC')
from django.utils.dateparse import parse_datetime

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)

def peer(value):
    # ll2/filters.py IsoDateTimeField.to_python, without the form plumbing.
    value = value.strip()
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            parsed = datetime.datetime.strptime(value, "%Y-%m-%d")
        except ValueError:
            parsed = None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    d = parsed - EPOCH
    return (d.days * 86400 + d.seconds) * 1000000 + d.microseconds

hand = [
    "2019-01-01T10", "20190101", "20190101T101010Z", "2019-W01-1", "2019-W01", "2019W01", "2019W011",
    "2019W01T10", "2019-W01-1T10:00", "2019-W52-7", "2020-W53-5", "2019-W53-1", "2015-W53-7", "2019-W00-1",
    "2019-W01-0", "2019-W01-8", "2019-W011", "2019W01-1", "0000-W01-1", "9999-W52-5", "9999-W52-6",
    "2019-01-01T10:00:00+05:30:15", "2019-01-01T10:00:00+05:30:15.5", "2019-01-01T10:00:00-053015",
    "2019-01-01T10:00 Z", "2019-01-01T10:00  +05:00", "2019-01-01T10:00:00 -0800", "2019-01-01 10:00:00\tZ",
    "2019-01-01T10:00:00.123456789Z", "2019-01-01T10:00:00,5", "2019-01-01T10:00:00.", "2019-01-01T10:00:00.Z",
    "2019-01-01T10:00:00.123abc+05:00", "2019-01-01T10:+05:00", "2019-01-01T10:00:+05:00", "2019-01-01T1030",
    "2019-01-01T103000", "2019-01-01T1030005", "2019-01-01T10:30:00:5", "2019-01-01T10:3000", "2019-01-01T1030:00",
    "2019-01-01x10:00", "2019-01-01\u00e910:00", "2019-01-01\u20ac10:00", "2019-01-01T", "2019-01-01 ",
    "2019-01-01T10Z", "2019-01-01T10Z0", "2019-01-01T10ZZ", "2019-01-01T10+05", "2019-01-01T10+5",
    "2019-01-01T10+050", "2019-01-01T10+05:99", "2019-01-01T10+23:59:59.999999", "2019-01-01T10+24:00",
    "2019-01-01T10-23:59:59", "2019-01-01T10+00:00", "2019-01-01T10-00", "2019-01-01T24:00", "2019-01-01T23:60",
    "2019-01-01T23:59:60", "2019-02-29", "2020-02-29T00:00", "2019-13-01", "2019-00-10", "0000-01-01",
    "0001-01-01T00:00+01:00", "9999-12-31T23:59:59.999999-05:00", "2019-1-1T1:2", "2019-1-1 1:2:3.4",
    "2019-01-01T1:02", "2019-01-1", "2019-1-01", "201901-01", "2019-0101", "2019-01-01T10:00:00+0530",
    "2019-01-01T10:00:00+05:30", "2019-01-01T10:00:00+05", "2019-01-01T10:00:00 +05", "2019-01-01T10:00:00+5:30",
    "2019-01-01T10:00:00+05:3", "2019-01-01T10:00:00 UTC", "01/15/2020", "2020/01/01", "1577836800", "notadate",
    "", " ", "2019-01-01\n", " 2019-01-01T10:00Z ", "\u00a02019-01-01", "2019-01-01T10:00\u00a0Z",
    "2019-01-01T10:00:00.1234567", "2019-01-01T10:00:00.1234567Z", "2019-01-01T10:00:00.1234567+01:00",
    "2019-01-01T10.5", "2019-01-01T10,5", "2019-01-01T10:30.5", "2019-01-01T10:30,25Z", "2019-001",
    "2019001", "2019-01", "201901", "2019-01-01T10:00:00+05:30Z", "2019-01-01T10:00:00Z+05:00",
    "2019-01-01T10-05:00-01:00", "2019-01-01T10:00:00.000000+00:00:00.000001", "2019-01-01T10+0000001",
    "2019-01-01T10+00000", "2019-01-01T10+000", "2019-01-01T10+0", "2019-01-01T10+", "2019-01-01T10-",
    "2019-01-01T10:00:00+05:30:15.123456789", "2019-01-01T1", "2019-01-01T10:0", "2019-01-01T10:00:0",
    "2019-W01-1 10:00", "2019-W01-1-10", "2019-W01-10", "2019-W0110", "2019W0110:00", "2019W01101010",
    "2019W0111010", "20190101T10", "20190101 1010", "2019010110:10", "2019-01-01T10:10:10.5 +01:00",
    "2019-01-01 10:10:10,123456 -01:30", "2019-01-01T10:10:10.5\tZ", "\u0662\u0660\u0661\u0669-01-01T10:00",
    "2019-01-01T\u0661\u0660:00", "2019-01-01T10:00:00 \n", "2019-01-01T10:00\x1fZ", "2019-01-01\x1f10:00",
    "2019-01-01T10:00Z\x00", "2019-01-01T10\x00", "2019-01-01\x00", "2019-01-01T10:00\x00abc", "2019-01-01T10Z\x00x",
    "2019-01-01T10:00:00.5\x00", "\x002019-01-01", "2019-01-01T10:00\x00", "2019-01-01\x0010:00", "2019-01-01T10:00:00+01:00\x00",
]

def variants():
    dates = ["2019-01-01", "20190101", "2019-W01-1", "2019W011", "2019-W01", "2019W01", "2019-1-1", "2019-02-30"]
    seps = ["T", " ", "t", "_"]
    times = ["10", "1030", "10:30", "103045", "10:30:45", "10:30:45.5", "10:30:45,123456", "103045.1234567",
             "10:3045", "1:30", "10:30:4", "25:00"]
    zones = ["", "Z", "+01", "-0130", "+01:30", "+013045", "+01:30:45.25", " Z", " +01:00", "+1", "z", "+24"]
    out = []
    for d in dates:
        out.append(d)
        for s in seps:
            for t in times:
                for z in zones:
                    out.append(d + s + t + z)
    return out

r = random.Random(17)
allv = variants()
cases = hand + r.sample(allv, 260)
alphabet = "0123456789-:TWZ+.,  "
for _ in range(120):
    base = r.choice(allv)
    chars = list(base)
    for _ in range(r.randint(1, 3)):
        op = r.randint(0, 2)
        k = r.randrange(len(chars) + 1)
        if op == 0 and chars: del chars[min(k, len(chars) - 1)]
        elif op == 1: chars.insert(k, r.choice(alphabet))
        elif chars: chars[min(k, len(chars) - 1)] = r.choice(alphabet)
    cases.append("".join(chars))
table = []
for case in dict.fromkeys(cases):
    table.append((case, peer(case)))

def c(s):
    out='"'
    for ch in s:
        o=ord(ch)
        if ch=='"': out+='\\"'
        elif ch=='\\': out+='\\\\'
        elif ch=='\n': out+='\\n'
        elif ch=='\t': out+='\\t'
        elif o<0x20: out+='\\x%02x""'%o
        elif o>=0x80: out+=''.join('\\x%02x""'%b for b in ch.encode())
        else: out+=ch
    return out+'"s'
lines=["// Generated: each input with what the DRF peer's date-time filter makes of it",
"// (ll2/filters.py IsoDateTimeField: str.strip(), Django 5.2.6's parse_datetime,",
"// which tries datetime.fromisoformat first, then a bare YYYY-MM-DD), run by",
"// /usr/bin/python3 (3.11): microseconds since the epoch, or nullopt (400).",
"// Hand-picked forms and quirks (a NUL ends the text where the C code reads",
"// it), then a seeded sample of combinations and mutations of them."]
for a, b in table:
    lines.append('{%s, %s},'%(c(a), 'std::nullopt' if b is None else 'int64_t{%d}'%b))
print('\n'.join(lines))

