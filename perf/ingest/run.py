#!/usr/bin/env python3
"""HTTP ingest benchmark with wrk (on the same machine): PutEvents with 10 entries per request
into a Redis stream, and POST /events with one event per request. For each: the maximum
throughput (wrk unpaced, 64 connections), then p50/p99 latency at half that rate (wrk paced with
its delay() hook). Every figure is the median of --runs runs. Starts its own redis-server and
`signalbox serve` on free loopback ports and stops them by PID.

usage: perf/ingest/run.py [--runs 3] [--seconds 10] [--no-readme]
"""
import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from perfcommon import free_port, parse_wrk, wait_port, write_results  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(ROOT, "perf", "ingest")
SIGNALBOX = os.path.join(ROOT, "build", "signalbox")
CONNS = 64


def wrk(script, url, seconds, delay_ms=0):
    env = dict(os.environ, SB_DELAY_MS=str(delay_ms))
    out = subprocess.run(["wrk", "-t1", f"-c{CONNS}", f"-d{seconds}s", "--latency", "-s",
                          os.path.join(HERE, script), url], env=env, capture_output=True,
                         text=True, check=True).stdout
    return parse_wrk(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--no-readme", action="store_true")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="sb-perf-")
    with open(os.path.join(tmp, "bench.json"), "w") as f:
        f.write('{"Name":"bench","EventPattern":{"source":["bench.orders"]},'
                '"Targets":[{"Id":"stream","Arn":"redis:stream:bench?maxlen=100000"}]}')
    rport, sport = free_port(), free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(rport), "--bind", "127.0.0.1",
                              "--save", "", "--appendonly", "no", "--dir", tmp],
                             stdout=subprocess.DEVNULL)
    wait_port(rport)
    sb = subprocess.Popen([SIGNALBOX, "serve", "--rules", tmp, "--listen", f"127.0.0.1:{sport}",
                           "--redis", f"redis://127.0.0.1:{rport}", "--log-level", "warn"],
                          stdout=subprocess.DEVNULL)
    wait_port(sport)
    results = {}
    try:
        for name, script, path, per_req in [("PutEvents, 10 entries/request", "putevents.lua", "/", 10),
                                            ("POST /events, 1 event/request", "events.lua", "/events", 1)]:
            url = f"http://127.0.0.1:{sport}{path}"
            peak = [wrk(script, url, a.seconds) for _ in range(a.runs)]
            max_rps = statistics.median(r["rps"] for r in peak)
            # pace each connection: one request every CONNS / (rate/2) seconds, less the latency
            cycle_ms = CONNS * 1000.0 / (max_rps / 2)
            avg = statistics.median(r["avg"] for r in peak)
            delay = max(0, round(cycle_ms - avg))
            half = [wrk(script, url, a.seconds, delay) for _ in range(a.runs)]
            results[name] = {
                "max_rps": max_rps, "events": max_rps * per_req,
                "p50_max": statistics.median(r["p50"] for r in peak),
                "p99_max": statistics.median(r["p99"] for r in peak),
                "half_rps": statistics.median(r["rps"] for r in half),
                "p50_half": statistics.median(r["p50"] for r in half),
                "p99_half": statistics.median(r["p99"] for r in half)}
            r = results[name]
            print(f"{name}: max {r['max_rps']:.0f} req/s = {r['events']:.0f} events/s "
                  f"(p50 {r['p50_max']:.2f} ms, p99 {r['p99_max']:.2f} ms); at {r['half_rps']:.0f} "
                  f"req/s: p50 {r['p50_half']:.2f} ms, p99 {r['p99_half']:.2f} ms", flush=True)
        xlen = subprocess.run(["redis-cli", "-p", str(rport), "XLEN", "bench"], capture_output=True,
                              text=True).stdout.strip()
        print(f"stream length after the runs: {xlen} (capped near 100,000 by maxlen)")
    finally:
        sb.send_signal(signal.SIGTERM)
        sb.wait(30)
        redis.kill()
        redis.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    if a.no_readme:
        return
    rows = ["| load | max throughput | p50 / p99 at max | rate at half | p50 / p99 at half |",
            "|---|---|---|---|---|"]
    for name, r in results.items():
        through = f"{r['max_rps']:,.0f} req/s" + (f" = **{r['events']:,.0f} events/s**" if "10" in name else "")
        rows.append(f"| {name} | {through} | {r['p50_max']:.2f} / {r['p99_max']:.2f} ms | "
                    f"{r['half_rps']:,.0f} req/s | {r['p50_half']:.2f} / **{r['p99_half']:.2f} ms** |")
    rows += ["", f"wrk 1 thread, {CONNS} connections, {a.seconds} s per run, median of {a.runs} runs "
             f"(`perf/ingest/run.py --runs {a.runs} --seconds {a.seconds}`); signalbox, redis-server "
             "and wrk share the machine's 2 cores. Every PutEvents answer comes after its events "
             "are in the Redis stream."]
    write_results("ingest", rows)


if __name__ == "__main__":
    main()
