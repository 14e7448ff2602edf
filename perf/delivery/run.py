#!/usr/bin/env python3
"""Cost of the delivery guarantees on the Kafka-to-Redis-stream path (perf/kafka/run.py's
backlog drain): throughput with idempotency keys (each delivery checks and marks its key in
the same Lua script as its XADD) against the same run without, and the ratio. Runs alternate
(off, on, off, on, ...) so that the shared machine's noise falls on both; medians of --runs.

usage: perf/delivery/run.py [--runs 5] [--events 300000] [--no-readme]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from perfcommon import write_results  # noqa: E402

KAFKA = os.path.join(os.path.dirname(HERE), "kafka", "run.py")


def drain(events, extra):
    args = [sys.executable, KAFKA, "--runs", "1", "--events", str(events), "--backlog-only"]
    for e in extra:
        args += ["--serve-arg=" + e]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return float(re.search(r"median: (\d+) events/s", out).group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--events", type=int, default=300000)
    ap.add_argument("--no-readme", action="store_true")
    a = ap.parse_args()
    off, on = [], []
    for i in range(a.runs):
        off.append(drain(a.events, []))
        on.append(drain(a.events, ["--idempotency"]))
        print(f"run {i + 1}: without {off[-1]:.0f} events/s, with idempotency {on[-1]:.0f} "
              f"events/s ({on[-1] / off[-1]:.0%})", flush=True)
    m_off, m_on = statistics.median(off), statistics.median(on)
    ratios = [b / a_ for a_, b in zip(off, on)]
    print(f"median: without {m_off:.0f}, with {m_on:.0f} events/s; median ratio "
          f"{statistics.median(ratios):.0%}")
    if a.no_readme:
        return
    write_results("delivery", [
        "| Kafka to Redis stream, backlog drain | median events/s |", "|---|---|",
        f"| without idempotency | **{m_off:,.0f}** |",
        f"| with `--idempotency` (key check + XADD + mark in one Lua script) | **{m_on:,.0f}** |",
        f"| ratio (median of the per-pair ratios) | **{statistics.median(ratios):.0%}** |",
        "", f"`perf/delivery/run.py --runs {a.runs} --events {a.events}`: the backlog drain of "
        "perf/kafka/run.py, runs alternating without and with idempotency."])


if __name__ == "__main__":
    main()
