#!/usr/bin/env python3
"""Cost of the retry path: a backlog of --events Kafka messages (mock cluster) routed to an HTTP
target (perf/delivery/target.mjs, node) that is down (503) for the first --down seconds, then
up. The events fail, wait in memory and then in the Redis retry schedule (ZSET of protobuf
records, Lua claim) while the circuit breaker holds them back; once a probe finds the target
back, all of them are delivered. Reported:

  - the reference: the same backlog with no outage, events/s from first to last delivery;
  - after the outage: how long after the target came back the first retry was delivered
    (the breaker's probe), and the rate from that first delivery to the last, with its ratio
    to the reference.

Runs alternate (no outage, outage); figures are medians of --runs. Starts its own
redis-server, kafka-mock, target and router on free loopback ports and stops them by PID.

usage: perf/delivery/retry.py [--runs 3] [--events 20000] [--down 10] [--no-readme]
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from perfcommon import free_port, stop_all, wait_port, write_results  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
SIGNALBOX = os.path.join(ROOT, "build", "signalbox")
def target_stats(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/stats", timeout=5) as r:
        return json.loads(r.read())


def one_run(events, down_s, tmp):
    rport, tport, sport = free_port(), free_port(), free_port()
    procs = []
    try:
        procs.append(subprocess.Popen(["redis-server", "--port", str(rport), "--bind",
                                       "127.0.0.1", "--save", "", "--appendonly", "no",
                                       "--dir", tmp], stdout=subprocess.DEVNULL))
        wait_port(rport)
        procs.append(subprocess.Popen(["node", os.path.join(HERE, "target.mjs"), str(tport),
                                       str(int(down_s * 1000))], stdout=subprocess.DEVNULL))
        wait_port(tport)
        km = subprocess.Popen([SIGNALBOX, "kafka-mock", "--partitions", "12", "retry"],
                              stdout=subprocess.PIPE, text=True)
        procs.append(km)
        bootstrap = km.stdout.readline().strip().split("=", 1)[1]
        lines = "".join(f'k{i % 97}:{{"seq":{i}}}\n' for i in range(events))
        subprocess.run(["kcat", "-P", "-b", bootstrap, "-t", "retry", "-K:", "-z", "lz4"],
                       input=lines, text=True, check=True)
        with open(os.path.join(tmp, "r.json"), "w") as f:
            f.write('{"Name":"retry","EventPattern":{"source":["retry"]},"Targets":[{"Id":"h",'
                    f'"Arn":"http://127.0.0.1:{tport}/in"}}]}}')
        sb = subprocess.Popen([SIGNALBOX, "serve", "--rules", tmp, "--listen",
                               f"127.0.0.1:{sport}", "--redis", f"redis://127.0.0.1:{rport}",
                               "--kafka-brokers", bootstrap, "--kafka-topics", "retry:plain",
                               "--log-level", "error"], stdout=subprocess.DEVNULL)
        procs.append(sb)
        end = time.time() + 600
        while (st := target_stats(tport))["delivered"] < events:
            if time.time() > end:
                sys.exit(f"down {down_s} s: {st['delivered']} of {events} delivered in 600 s")
            time.sleep(0.05)
        if st["delivered"] != events:
            sys.exit(f"down {down_s} s: {st['delivered']} deliveries of {events} events")
        if down_s and not st["refused"]:
            sys.exit("the outage refused nothing: the backlog came after it")
        sb.send_signal(signal.SIGTERM)
        sb.wait(30)
        span = max(st["last_ms"] - st["first_ms"], 1) / 1000
        return {"rate": events / span, "probe": max(st["first_ms"] - st["up_ms"], 0) / 1000,
                "refused": st["refused"]}
    finally:
        stop_all(procs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--events", type=int, default=20000)
    ap.add_argument("--down", type=float, default=10)
    ap.add_argument("--no-readme", action="store_true")
    a = ap.parse_args()
    ref, out = [], []
    tmp = tempfile.mkdtemp(prefix="sb-retry-perf-")
    try:
        for i in range(a.runs):
            ref.append(one_run(a.events, 0, tmp))
            out.append(one_run(a.events, a.down, tmp))
            print(f"run {i + 1}: no outage {ref[-1]['rate']:,.0f} events/s; after a "
                  f"{a.down:g} s outage ({out[-1]['refused']:,} attempts refused): first "
                  f"delivery {out[-1]['probe']:.1f} s after recovery, then "
                  f"{out[-1]['rate']:,.0f} events/s", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    m_ref = statistics.median(r["rate"] for r in ref)
    m_out = statistics.median(r["rate"] for r in out)
    m_probe = statistics.median(r["probe"] for r in out)
    print(f"median: no outage {m_ref:,.0f} events/s; after the outage {m_out:,.0f} events/s "
          f"({m_out / m_ref:.0%}), first delivery {m_probe:.1f} s after recovery")
    if a.no_readme:
        return
    write_results("retry", [
        "| HTTP target, Kafka backlog | median |", "|---|---|",
        f"| no outage: first to last delivery | **{m_ref:,.0f} events/s** |",
        f"| after a {a.down:g} s outage: from the first retry delivered to the last (memory "
        f"and Redis schedule) | **{m_out:,.0f} events/s** ({m_out / m_ref:.0%}) |",
        f"| after the outage: from recovery to the first delivery (the breaker's probe) | "
        f"{m_probe:.1f} s |",
        "", f"`perf/delivery/retry.py --runs {a.runs} --events {a.events} --down {a.down:g}`: "
        f"{a.events:,} events from the mock Kafka into an HTTP target (node) that answers 503 "
        f"for its first {a.down:g} s; the router, node, redis-server and the broker share the "
        "2 cores."])


if __name__ == "__main__":
    main()
