#!/usr/bin/env python3
"""Kafka load generator: plain JSON events piped into `kcat -P`, either a backlog as fast as
kcat takes it (--count) or paced at --rate events/s for --seconds. Each event carries its
creation time in microseconds (created_us, taken when its batch of at most 2 ms is written)
and a customer c-K with a total in rule K's range, matching exactly one rule of
perf/loadgen/gen_rules.py (K cycles over --rules); --size pads the value to about that many bytes.

usage: perf/loadgen/kafka_produce.py --bootstrap HOST:PORT --topic perf
           (--count N | --rate R --seconds S) [--rules N] [--size 256]
"""
import argparse
import subprocess
import sys
import time

BASE = 80  # bytes of the value without padding, about


def line(i, rules, pad, now_us):
    k = i % rules
    return (f'k{i % 97}:{{"customer":"c-{k}","seq":{i},"total":{(k % 50) * 10 + i % 10},'
            f'"created_us":{now_us},"pad":"{pad}"}}\n')


def kcat(bootstrap, topic, extra=()):
    return subprocess.Popen(["kcat", "-P", "-b", bootstrap, "-t", topic, "-K:", *extra],
                            stdin=subprocess.PIPE, text=True)


def backlog(bootstrap, topic, count, rules=1, size=256):
    pad = "x" * max(0, size - BASE)
    kc = kcat(bootstrap, topic, ["-z", "lz4"])
    now = int(time.time() * 1e6)
    step = 10000
    for s in range(0, count, step):
        kc.stdin.write("".join(line(i, rules, pad, now) for i in range(s, min(count, s + step))))
    kc.stdin.close()
    if kc.wait(300) != 0:
        sys.exit("kcat failed")
    return count


def paced(bootstrap, topic, rate, seconds, rules=1, size=256, seq0=0):
    """Produces at `rate` events/s for `seconds`; returns the number sent."""
    pad = "x" * max(0, size - BASE)
    kc = kcat(bootstrap, topic, ["-X", "linger.ms=1"])
    start = time.time()
    sent = 0
    while True:
        el = time.time() - start
        if el >= seconds:
            break
        due = int(el * rate)
        if due > sent:
            now = int(time.time() * 1e6)
            kc.stdin.write("".join(line(seq0 + i, rules, pad, now) for i in range(sent, due)))
            kc.stdin.flush()
            sent = due
        time.sleep(0.002)
    kc.stdin.close()
    if kc.wait(60) != 0:
        sys.exit("kcat failed")
    return sent


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", default="perf")
    ap.add_argument("--count", type=int)
    ap.add_argument("--rate", type=int)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--rules", type=int, default=1)
    ap.add_argument("--size", type=int, default=256)
    a = ap.parse_args()
    if a.count:
        n = backlog(a.bootstrap, a.topic, a.count, a.rules, a.size)
    elif a.rate:
        n = paced(a.bootstrap, a.topic, a.rate, a.seconds, a.rules, a.size)
    else:
        sys.exit("--count or --rate")
    print(f"produced {n} events")


if __name__ == "__main__":
    main()
