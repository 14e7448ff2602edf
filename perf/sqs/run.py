#!/usr/bin/env python3
"""SQS target benchmark: PutEvents (10 entries per request, wrk) into `signalbox serve`, one rule
delivering every event to an SQS queue served by perf/sqs/server.mjs, a local server that
answers SQS's JSON protocol at once (SendMessageBatch, every entry successful). Each PutEvents
answer comes only after its 10 events were accepted by the queue, so wrk's request rate times
10 is the delivered rate; the server's own count is checked against it. Also reports the mean
batch size and the CPU each process used (where the time goes). Every figure is the median of
--runs runs. Starts its own processes on free loopback ports and stops them by PID.

usage: perf/sqs/run.py [--runs 5] [--seconds 8] [--no-readme]
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

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from perfcommon import free_port, parse_wrk, wait_port, write_results  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(ROOT, "perf", "sqs")
SIGNALBOX = os.path.join(ROOT, "build", "signalbox")
CONNS = 64
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """user + system CPU seconds of a process so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def stats(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/stats") as r:
        return json.loads(r.read())


def wrk(url, seconds):
    p = subprocess.Popen(["wrk", "-t1", f"-c{CONNS}", f"-d{seconds}s", "--latency", "-s",
                          os.path.join(ROOT, "perf", "ingest", "putevents.lua"), url], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--no-readme", action="store_true")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="sb-perf-sqs-")
    qport, sport = free_port(), free_port()
    queue = "https://sqs.us-east-1.amazonaws.com/123456789012/bench"
    with open(os.path.join(tmp, "bench.json"), "w") as f:
        f.write('{"Name":"bench","EventPattern":{"source":["bench.orders"]},'
                f'"Targets":[{{"Id":"sqs","Arn":"{queue}"}}]}}')
    server = subprocess.Popen(["node", os.path.join(HERE, "server.mjs"), str(qport)],
                              stdout=subprocess.PIPE, text=True)
    wait_port(qport)
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDBENCH", AWS_SECRET_ACCESS_KEY="bench-secret")
    sb = subprocess.Popen([SIGNALBOX, "serve", "--rules", tmp, "--listen", f"127.0.0.1:{sport}",
                           "--redis", "redis://127.0.0.1:1", "--log-level", "warn",
                           "--sqs-endpoint", f"http://127.0.0.1:{qport}"],
                          stdout=subprocess.DEVNULL, env=env)
    wait_port(sport)
    runs = []
    try:
        for i in range(a.runs):
            before = stats(qport)
            cpu0 = {"signalbox": cpu_seconds(sb.pid), "server": cpu_seconds(server.pid)}
            t0 = time.time()
            w = wrk(f"http://127.0.0.1:{sport}/", a.seconds)
            out, _ = w.communicate()
            wall = time.time() - t0
            after = stats(qport)
            r = parse_wrk(out)
            r["delivered"] = r["rps"] * 10
            r["server_rate"] = (after["messages"] - before["messages"]) / wall
            calls = after["calls"] - before["calls"]
            r["batch"] = (after["messages"] - before["messages"]) / calls if calls else 0
            r["cpu_sb"] = (cpu_seconds(sb.pid) - cpu0["signalbox"]) / wall * 100
            r["cpu_server"] = (cpu_seconds(server.pid) - cpu0["server"]) / wall * 100
            runs.append(r)
            print(f"run {i + 1}: {r['delivered']:,.0f} events/s delivered (server counted "
                  f"{r['server_rate']:,.0f}/s), {r['batch']:.2f} messages per call, p50 "
                  f"{r['p50']:.2f} ms p99 {r['p99']:.2f} ms, CPU signalbox {r['cpu_sb']:.0f}% "
                  f"server {r['cpu_server']:.0f}%", flush=True)
    finally:
        sb.send_signal(signal.SIGTERM)
        sb.wait(30)
        server.send_signal(signal.SIGTERM)
        server.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(f"median: {med['delivered']:,.0f} events/s, {med['batch']:.2f} per call, "
          f"p50 {med['p50']:.2f} ms, p99 {med['p99']:.2f} ms")
    if a.no_readme:
        return
    lo, hi = min(r["delivered"] for r in runs), max(r["delivered"] for r in runs)
    rows = ["| measure | median |", "|---|---|",
            f"| events delivered to SQS (PutEvents of 10, each answered after SendMessageBatch) "
            f"| **{med['delivered']:,.0f} events/s** ({lo:,.0f} - {hi:,.0f}) |",
            f"| messages per SendMessageBatch | {med['batch']:.2f} |",
            f"| PutEvents latency p50 / p99 | {med['p50']:.2f} / {med['p99']:.2f} ms |",
            f"| CPU: signalbox / the instant SQS server (node) | {med['cpu_sb']:.0f}% / "
            f"{med['cpu_server']:.0f}% of one core |",
            "",
            f"`perf/sqs/run.py --runs {a.runs} --seconds {a.seconds}`: wrk (1 thread, {CONNS} "
            "connections) sends PutEvents to signalbox, which signs each SendMessageBatch with "
            "SigV4 (libcurl) and sends it to `perf/sqs/server.mjs`; all three share the 2 cores."]
    write_results("sqs", rows)


if __name__ == "__main__":
    main()
