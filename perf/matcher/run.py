#!/usr/bin/env python3
"""The matcher benchmark: event-ruler's CL2 rule sets over the synthetic citylots2 file.

Runs `signalbox bench` for each rule set several times on one pinned core and reports the
median events/s, plus the 10,000-pattern scaling check (time and resident memory), then
rewrites the results table in perf/README.md between its markers.

usage: perf/matcher/run.py [--runs 5] [--repeat 3] [--events N] [--no-readme]
Needs ../shared/bench (rule sets and the data generator) beside the project.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from perfcommon import free_port, write_results  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "bench")
DATA = os.path.join(ROOT, "perf", "data")
SIGNALBOX = os.path.join(ROOT, "build", "signalbox")

SETS = ["EXACT", "PREFIX", "PREFIX_EQUALS_IGNORE_CASE", "SUFFIX", "SUFFIX_EQUALS_IGNORE_CASE",
        "EQUALS_IGNORE_CASE", "WILDCARD", "NUMERIC", "ANYTHING_BUT", "ANYTHING_BUT_IGNORE_CASE",
        "ANYTHING_BUT_PREFIX", "ANYTHING_BUT_SUFFIX", "ANYTHING_BUT_WILDCARD", "COMPLEX_ARRAYS"]
PARTIAL_COMBO = ["NUMERIC", "EXACT", "PREFIX", "ANYTHING_BUT", "ANYTHING_BUT_IGNORE_CASE",
                 "ANYTHING_BUT_PREFIX", "ANYTHING_BUT_SUFFIX", "ANYTHING_BUT_WILDCARD"]
COMBO = PARTIAL_COMBO + ["COMPLEX_ARRAYS"]
# From ../shared/bench/README.md: the same synthetic file on this kind of machine.
OTHERS = {
    "EXACT": ("75K-177K", "1.6M"), "PREFIX": ("240K-344K", "1.6M"), "SUFFIX": ("359K", "-"),
    "EQUALS_IGNORE_CASE": ("320K", "1.2M"), "WILDCARD": ("277K", "1.6M"),
    "NUMERIC": ("197K", "-"), "ANYTHING_BUT": ("190K", "0.53M"), "COMPLEX_ARRAYS": ("50K", "-"),
    "PARTIAL_COMBO": ("63K", "-"), "COMBO": ("27K", "-"),
}
REQUIRED = {s: 2_000_000 for s in ["EXACT", "PREFIX", "SUFFIX", "EQUALS_IGNORE_CASE", "WILDCARD"]}
REQUIRED.update({s: 1_000_000 for s in ["NUMERIC", "ANYTHING_BUT", "ANYTHING_BUT_IGNORE_CASE",
                                        "ANYTHING_BUT_PREFIX", "ANYTHING_BUT_SUFFIX",
                                        "ANYTHING_BUT_WILDCARD"]})
REQUIRED.update({"COMPLEX_ARRAYS": 300_000, "COMBO": 300_000})


def ensure_data(n_events):
    name = "synthetic-citylots2.json.gz" if n_events is None else f"citylots2-{n_events}.json.gz"
    path = os.path.join(DATA, name)
    if os.path.exists(path):
        return path
    gen = os.path.join(SHARED, "gen_citylots.py")
    if not os.path.exists(gen):
        sys.exit(f"run.py: {gen} not found: the benchmark needs ../shared/bench")
    os.makedirs(DATA, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        args = [sys.executable, gen, tmp] + ([] if n_events is None else [str(n_events)])
        subprocess.run(args, check=True)
        os.replace(os.path.join(tmp, "synthetic-citylots2.json.gz"), path)
    return path


def rule_file(name, tmp):
    if name in ("COMBO", "PARTIAL_COMBO"):
        merged = []
        for part in (COMBO if name == "COMBO" else PARTIAL_COMBO):
            with open(os.path.join(SHARED, "cl2-rules", part + ".json")) as f:
                merged += json.load(f)
        path = os.path.join(tmp, name + ".json")
        with open(path, "w") as f:
            json.dump(merged, f)
        return path
    if name.startswith("GEN"):
        n = int(name[3:])
        path = os.path.join(tmp, f"generated-{n}.json")
        subprocess.run([sys.executable, os.path.join(ROOT, "perf", "matcher", "gen_patterns.py"),
                        str(n), path], check=True)
        return path
    return os.path.join(SHARED, "cl2-rules", name + ".json")


def bench(patterns, events, repeat):
    cmd = ["taskset", "-c", "0", SIGNALBOX, "bench", "--patterns", patterns, "--events", events,
           "--repeat", str(repeat)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    last = re.search(r"events=(\d+) seconds=([\d.]+) events_per_sec=(\d+)", out)
    comp = re.search(r"compile: patterns=(\d+) .* bytes=(\d+) seconds=([\d.]+) rss_kb=(\d+)", out)
    return {"eps": int(last.group(3)), "seconds": float(last.group(2)),
            "compile_s": float(comp.group(3)), "rss_kb": int(comp.group(4)),
            "machine_bytes": int(comp.group(2))}


def fmt_rate(r):
    return f"{r / 1e6:.2f}M" if r >= 1e6 else f"{r / 1e3:.0f}K"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--events", type=int, default=None, help="smaller event file (quick runs)")
    ap.add_argument("--no-readme", action="store_true")
    args = ap.parse_args()
    events = ensure_data(args.events)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in SETS + ["PARTIAL_COMBO", "COMBO", "GEN10000"]:
            path = rule_file(name, tmp)
            runs = [bench(path, events, args.repeat) for _ in range(args.runs)]
            eps = sorted(r["eps"] for r in runs)
            results[name] = {"median": statistics.median(eps), "min": eps[0], "max": eps[-1],
                             "rss_kb": max(r["rss_kb"] for r in runs),
                             "compile_s": statistics.median(r["compile_s"] for r in runs),
                             "machine_bytes": runs[0]["machine_bytes"]}
            r = results[name]
            print(f"{name:28s} median {fmt_rate(r['median']):>7s} events/s "
                  f"(min {fmt_rate(r['min'])}, max {fmt_rate(r['max'])}), "
                  f"compile {r['compile_s'] * 1e3:.1f} ms, rss {r['rss_kb'] / 1024:.1f} MiB",
                  flush=True)
    ratio_exact = results["EXACT"]["median"] / results["GEN10000"]["median"]
    ratio_prefix = results["PREFIX"]["median"] / results["GEN10000"]["median"]
    print(f"10,000 patterns take {ratio_exact:.2f}x the time of EXACT and {ratio_prefix:.2f}x "
          f"the time of PREFIX")
    if args.no_readme:
        return
    rows = ["| rule set | signalbox (median) | min - max | required | event-ruler | Quamina |",
            "|---|---|---|---|---|---|"]
    for name in SETS + ["PARTIAL_COMBO", "COMBO"]:
        r = results[name]
        er, qu = OTHERS.get(name, ("-", "-"))
        req = fmt_rate(REQUIRED[name]) if name in REQUIRED else "-"
        rows.append(f"| {name} | **{fmt_rate(r['median'])}** | {fmt_rate(r['min'])} - "
                    f"{fmt_rate(r['max'])} | {req} | {er} | {qu} |")
    g = results["GEN10000"]
    rows += ["", f"10,000 generated patterns (`perf/matcher/gen_patterns.py`: 5,000 exact "
             f"MAPBLKLOT + 5,000 STREET prefixes): **{fmt_rate(g['median'])} events/s**, "
             f"{ratio_exact:.2f}x the time of EXACT and {ratio_prefix:.2f}x the time of PREFIX "
             f"(required: at most 1.5x); compiled in {g['compile_s'] * 1e3:.0f} ms; "
             f"machine {g['machine_bytes'] / 2**20:.1f} MiB; process resident memory after "
             f"compiling {g['rss_kb'] / 1024:.1f} MiB (required: under 100 MB).",
             "", f"Runs: {args.runs} per set, each matching every event {args.repeat} times "
             f"(`perf/matcher/run.py --runs {args.runs} --repeat {args.repeat}`), pinned to one "
             f"core with taskset."]
    write_results("matcher", rows)


if __name__ == "__main__":
    main()
