#!/usr/bin/python3
"""Turns bench/run.sh's JSON lines into bench/results/latest.md and latest.json,
with each target of issue #8 checked against what was measured."""
import datetime
import json
import os
import platform
import subprocess
import sys


def load(path):
    runs, facts = [], {}
    with open(path) as f:
        for line in f:
            d = json.loads(line)
            if "fact" in d:
                facts.setdefault(d["size"], {})[d["fact"]] = d["value"]
            else:
                runs.append(d)
    return runs, facts


def ratio(runs, size, name, other):
    """ll2d's req/s over `other`'s for one request, compared within each round
    of run.sh's turns (both measured minutes apart at most): the median ratio,
    the number of rounds, and each round's ratio."""
    rounds = {}
    for r in runs:
        if r["size"] == size and r["name"] == name and r.get("round", 0) > 0:
            rounds.setdefault(r["round"], {})[r["server"]] = r["result"]["rps"]
    each = sorted(x["ll2d"] / x[other] for x in rounds.values() if "ll2d" in x and x.get(other))
    if not each:
        return None
    return each[len(each) // 2], len(each), each


def ms(us):
    return f"{us / 1000:.2f}"


def main():
    src, out_dir = sys.argv[1], sys.argv[2]
    runs, facts = load(src)
    # Each (size, server, request) measured one or more times (the ratios'
    # rounds): its run of median req/s stands for it.
    groups = {}
    for r in runs:
        groups.setdefault((r["size"], r["server"], r["name"]), []).append(r)
    medians = {}
    for key, rs in groups.items():
        rs = sorted(rs, key=lambda r: r["result"]["rps"])
        medians[key] = dict(rs[len(rs) // 2], times=len(rs))
    by = {key: r["result"] for key, r in medians.items()}
    sizes = sorted({r["size"] for r in runs} | set(facts))
    largest = sizes[-1] if sizes else None
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    commit = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    lines = [
        "# ll2d benchmark (`bench/run.sh`)",
        "",
        f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
        f"{os.cpu_count()} cores ({platform.machine()}), wrk and servers on the same machine "
        f"over loopback. {commit}",
        "",
    ]
    targets = []

    def check(name, ok, detail):
        targets.append({"target": name, "met": bool(ok), "measured": detail})

    for size in sizes:
        f = facts.get(size, {})
        lines += [f"## {size:,} docking events", ""]
        lines += [
            f"- import: {f.get('import_events_per_second', '?'):,} events/s "
            f"({f.get('import_seconds', '?')} s, median of {f.get('import_runs', 1)} into a new "
            f"file; peak RSS {f.get('import_max_rss_mib', '?')} MiB); "
            f"database {f.get('database_mib', '?')} MiB"
            if isinstance(f.get("import_events_per_second"), int) else "- import: not measured",
            f"- generate: {f['generate_seconds']} s, peak RSS {f.get('generate_max_rss_mib', '?')} MiB"
            if "generate_seconds" in f else "- generate: not measured (the generated set was reused)",
            f"- serve: first answer {f.get('first_answer_ms', '?')} ms after start, list indexes "
            f"ready after {f.get('indexes_ready_ms', '?')} ms; RSS {f.get('serve_rss_warm_mib', '?')} "
            f"MiB warm, {f.get('serve_rss_after_mib', '?')} MiB after the run, "
            f"{f.get('serve_rss_after_second_run_mib', '?')} MiB after a second run",
            "",
            "Runs measured several times show the one of median req/s (runs: how many).",
            "",
            "| request | server | req/s | p50 ms | p90 ms | p99 ms | bytes/response | errors | runs |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for key, r in medians.items():
            if r["size"] != size:
                continue
            x = r["result"]
            lines.append(
                f"| {r['name']} `{r['path']}` | {r['server']} (c{r['conns']}) | {x['rps']:,.0f} | "
                f"{ms(x['p50_us'])} | {ms(x['p90_us'])} | {ms(x['p99_us'])} | "
                f"{x['bytes_per_response']:,.0f} | {x['socket_errors'] + x['non_2xx']} | "
                f"{r['times']} |")
        lines.append("")
        imp = f.get("import_events_per_second")
        if isinstance(imp, int):
            check(f"import ≥ 20,000 events/s at {size:,}", imp >= 20000, f"{imp:,} events/s")
        gen = f.get("generate_max_rss_mib")
        if isinstance(gen, int):
            check(f"generate ≤ 500 MB RSS at {size:,}", gen <= 500, f"{gen} MiB")
        a, b = f.get("serve_rss_after_mib"), f.get("serve_rss_after_second_run_mib")
        if isinstance(a, int) and isinstance(b, int):
            check(f"serve RSS does not grow between two runs at {size:,}", b <= a * 1.05 + 8,
                  f"{a} → {b} MiB")

    if largest is not None:
        for name in ["search_one_term", "search_two_terms", "search_nearly_all", "search_nothing",
                     "search_new_term", "filter_ordering", "deep_offset"]:
            x = by.get((largest, "ll2d", name))
            if x:
                check(f"{name} p99 ≤ 10 ms at {largest:,} events, c16", x["p99_us"] <= 10000,
                      f"p99 {ms(x['p99_us'])} ms, {x['rps']:,.0f} req/s")
        for size in sizes:
            for name, other, least in (("detail", "ceiling", 0.8), ("detail", "nginx", 0.7),
                                       ("detailed_100", "ceiling", 0.5)):
                r = ratio(runs, size, name, other)
                if r:
                    label = "mode=detailed&limit=100" if name == "detailed_100" else name
                    check(f"{label} ≥ {least}× {other} ({size:,})", r[0] >= least,
                          f"{r[0]:.2f}× (median of {r[1]} rounds: "
                          f"{', '.join(f'{x:.2f}' for x in r[2])})")

    lines += ["## Targets", "", "| target | met | measured |", "|---|---|---|"]
    for t in targets:
        lines.append(f"| {t['target']} | {'yes' if t['met'] else '**no**'} | {t['measured']} |")
    lines.append("")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "latest.md"), "w") as f:
        f.write("\n".join(lines))
    with open(os.path.join(out_dir, "latest.json"), "w") as f:
        json.dump({"runs": runs, "facts": facts, "targets": targets}, f, indent=1)
    show_in_readme(os.path.join(root, "docs", "performance.md"), lines)
    print("\n".join(lines))


def show_in_readme(readme, lines):
    """Puts the report, its headings one level down, between docs/performance.md's
    `<!-- bench:begin -->` and `<!-- bench:end -->` lines (if it has them)."""
    begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    try:
        with open(readme) as f:
            text = f.read()
    except OSError:
        return
    if begin not in text or end not in text:
        return
    body = [("### " + l[3:] if l.startswith("## ") else l) for l in lines
            if not l.startswith("# ")]
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(readme, "w") as f:
        f.write(head + begin + "\n" + "\n".join(body).strip() + "\n" + end + tail)


if __name__ == "__main__":
    main()
