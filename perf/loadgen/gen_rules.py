#!/usr/bin/env python3
"""Writes a rule set for the load tests: N rules, T Redis stream targets each, in one file
({"Rules": [...]}).

Rule i matches {"source": ["perf"], "detail": {"customer": ["c-<i>"],
"total": [{"numeric": [">=", 10*(i%50), "<", 10*(i%50)+10]}]}}. The generators send
customer "c-<k>" (k cycling over N) and a total in rule k's range, so each event matches exactly
one rule whatever N is, and its total also falls in the range of 1 rule in 50 (200 of 10,000):
every scenario delivers each event to T targets, and only the matching work grows with N.
Target j of every rule is `redis:stream:out-<j>` (the streams are shared by the rules).
A target may instead be an HTTP URL (--http URL): then every rule has one target, that URL.

usage: perf/loadgen/gen_rules.py --rules N --targets T OUTDIR [--http URL]
"""
import argparse
import json
import os


def write_rules(outdir, rules, targets, http=None):
    os.makedirs(outdir, exist_ok=True)
    out = []
    for i in range(rules):
        if http:
            tg = [{"Id": "http", "Arn": http}]
        else:
            tg = [{"Id": f"s{j}", "Arn": f"redis:stream:out-{j}"} for j in range(targets)]
        out.append({"Name": f"perf-{i}",
                    "EventPattern": {"source": ["perf"],
                                     "detail": {"customer": [f"c-{i}"],
                                                "total": [{"numeric": [">=", 10 * (i % 50),
                                                                     "<", 10 * (i % 50) + 10]}]}},
                    "Targets": tg})
    path = os.path.join(outdir, "perf-rules.json")
    with open(path, "w") as f:
        json.dump({"Rules": out}, f)
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rules", type=int, default=1)
    ap.add_argument("--targets", type=int, default=1)
    ap.add_argument("--http", help="one HTTP target per rule, this URL")
    ap.add_argument("outdir")
    a = ap.parse_args()
    print(write_rules(a.outdir, a.rules, a.targets, a.http))


if __name__ == "__main__":
    main()
