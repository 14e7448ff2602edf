#!/usr/bin/env python3
"""Kafka source benchmark: Kafka (librdkafka's mock cluster, `signalbox kafka-mock`) to match
to a Redis stream target.

1. Throughput: a backlog of --events messages (plain JSON, 12 partitions, lz4) is produced
   with kcat before the router starts; the time from its first delivery to the last gives the
   sustained rate, and the backlog is the starting consumer lag.
2. Latency: events are produced at --rate events/s for --seconds; each carries its creation
   time (ms); the Redis stream entry id carries the arrival time (ms). p50/p99 of the
   difference is the end-to-end latency.

Every figure is the median of --runs runs. Starts and stops its own processes by PID.
usage: perf/kafka/run.py [--runs 3] [--events 300000] [--rate 20000] [--seconds 5] [--no-readme]
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from perfcommon import free_port, stop_all, write_results  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SIGNALBOX = os.path.join(ROOT, "build", "signalbox")



def redis(port, *args):
    return subprocess.run(["redis-cli", "-p", str(port), *map(str, args)], capture_output=True,
                          text=True, check=True).stdout.strip()


def wait(fn, secs, what):
    end = time.time() + secs
    while time.time() < end:
        if fn():
            return
        time.sleep(0.02)
    sys.exit(f"timed out waiting for {what}")


def consumer_lag(port):
    """The sum of signalbox_kafka_consumer_lag over the partitions of topic paced."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
            text = r.read().decode()
    except OSError:
        return 0
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith('signalbox_kafka_consumer_lag{topic="paced"'))


def one_run(a, tmp):
    rport, sport = free_port(), free_port()
    procs = []
    try:
        rd = subprocess.Popen(["redis-server", "--port", str(rport), "--bind", "127.0.0.1",
                               "--save", "", "--appendonly", "no", "--dir", tmp],
                              stdout=subprocess.DEVNULL)
        procs.append(rd)
        wait(lambda: subprocess.run(["redis-cli", "-p", str(rport), "ping"], capture_output=True)
             .returncode == 0, 10, "redis")
        km = subprocess.Popen([SIGNALBOX, "kafka-mock", "--partitions", "12", "bench", "paced"],
                              stdout=subprocess.PIPE, text=True)
        procs.append(km)
        bootstrap = km.stdout.readline().strip().split("=", 1)[1]
        # 1. the backlog
        lines = "".join(f'k{i % 97}:{{"seq":{i},"customer":"c-{i % 1000}","total":{i % 500}}}\n'
                        for i in range(a.events))
        subprocess.run(["kcat", "-P", "-b", bootstrap, "-t", "bench", "-K:", "-z", "lz4"],
                       input=lines, text=True, check=True)
        sb = subprocess.Popen([SIGNALBOX, "serve", "--rules", tmp, "--listen",
                               f"127.0.0.1:{sport}", "--redis", f"redis://127.0.0.1:{rport}",
                               "--kafka-brokers", bootstrap, "--kafka-topics",
                               "bench:plain,paced:plain", "--log-level", "warn",
                               *a.serve_args],
                              stdout=subprocess.DEVNULL)
        procs.append(sb)
        wait(lambda: int(redis(rport, "XLEN", "out")) > 0, 60, "the first delivery")
        t0 = time.time()
        wait(lambda: int(redis(rport, "XLEN", "out")) >= a.events, 300, "the backlog")
        secs = time.time() - t0
        rate = a.events / secs
        if a.backlog_only:
            sb.send_signal(signal.SIGTERM)
            sb.wait(30)
            return {"rate": rate, "secs": secs, "p50": 0, "p99": 0, "paced": 0, "lag": 0}
        # 2. latency at a steady rate (into its own stream: no big DEL in the way)
        kc = subprocess.Popen(["kcat", "-P", "-b", bootstrap, "-t", "paced", "-K:", "-X",
                               "linger.ms=1"], stdin=subprocess.PIPE, text=True)
        start = time.time()
        sent = 0
        lags = []
        while time.time() - start < a.seconds:
            if len(lags) < (time.time() - start) * 4:
                lags.append(consumer_lag(sport))
            due = int((time.time() - start) * a.rate)
            now_ms = int(time.time() * 1000)
            chunk = "".join(f'k{i % 97}:{{"seq":{i},"created_ms":{now_ms}}}\n'
                            for i in range(sent, due))
            kc.stdin.write(chunk)
            kc.stdin.flush()
            sent = due
            time.sleep(0.002)
        kc.stdin.close()
        kc.wait()
        wait(lambda: int(redis(rport, "XLEN", "lat")) >= sent, 60, "the paced events")
        out = subprocess.run(["redis-cli", "-2", "--json", "-p", str(rport), "XRANGE", "lat", "-",
                              "+"], capture_output=True, text=True, check=True).stdout
        lat = []
        for entry_id, fields in json.loads(out):
            arrived = int(entry_id.split("-")[0])
            ev = json.loads(fields[1])
            lat.append(arrived - ev["detail"]["created_ms"])
        lat.sort()
        sb.send_signal(signal.SIGTERM)
        sb.wait(30)
        return {"rate": rate, "secs": secs, "p50": lat[len(lat) // 2],
                "p99": lat[int(len(lat) * 0.99)], "paced": sent / a.seconds,
                "lag": max(lags) if lags else 0}
    finally:
        stop_all(procs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--events", type=int, default=300000)
    ap.add_argument("--rate", type=int, default=20000)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--no-readme", action="store_true")
    ap.add_argument("--backlog-only", action="store_true", help="measure the drain only")
    ap.add_argument("--serve-arg", dest="serve_args", action="append", default=[],
                    help="an extra argument of signalbox serve (repeat)")
    a = ap.parse_args()
    if a.backlog_only or a.serve_args:
        a.no_readme = True
    tmp = tempfile.mkdtemp(prefix="sb-kafka-perf-")
    with open(os.path.join(tmp, "r.json"), "w") as f:
        f.write('{"Name":"bench","EventPattern":{"source":["bench"]},'
                '"Targets":[{"Id":"s","Arn":"redis:stream:out"}]}')
    with open(os.path.join(tmp, "p.json"), "w") as f:
        f.write('{"Name":"paced","EventPattern":{"source":["paced"]},'
                '"Targets":[{"Id":"s","Arn":"redis:stream:lat"}]}')
    try:
        runs = []
        for i in range(a.runs):
            r = one_run(a, tmp)
            runs.append(r)
            print(f"run {i + 1}: backlog of {a.events} drained in {r['secs']:.2f} s = "
                  f"{r['rate']:.0f} events/s; at {r['paced']:.0f} events/s: p50 {r['p50']} ms, "
                  f"p99 {r['p99']} ms, max consumer lag {r['lag']:.0f}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    med = {k: statistics.median(r[k] for r in runs) for k in ("rate", "secs", "p50", "p99", "paced", "lag")}
    print(f"median: {med['rate']:.0f} events/s; p50 {med['p50']} ms, p99 {med['p99']} ms at "
          f"{med['paced']:.0f} events/s, max consumer lag {med['lag']:.0f}")
    if a.no_readme:
        return
    rows = ["| measure | median |", "|---|---|",
            f"| sustained rate, Kafka to match to Redis stream (backlog of {a.events:,} events, starting consumer lag {a.events:,}) | **{med['rate']:,.0f} events/s** (drained in {med['secs']:.2f} s) |",
            f"| end-to-end latency at {med['paced']:,.0f} events/s (creation to arrival in Redis) | p50 **{med['p50']:.0f} ms**, p99 **{med['p99']:.0f} ms** |",
            f"| consumer lag at {med['paced']:,.0f} events/s (`signalbox_kafka_consumer_lag`, sampled 4 times a second, highest) | **{med['lag']:,.0f} messages** |",
            "", f"`perf/kafka/run.py --runs {a.runs} --events {a.events} --rate {a.rate} --seconds "
            f"{a.seconds}`: kcat produces (lz4, 12 partitions) into `signalbox kafka-mock`; "
            "the router, the mock broker, redis-server and kcat share the 2 cores. Offsets are "
            "committed only after each event is in the stream."]
    write_results("kafka", rows)


if __name__ == "__main__":
    main()
