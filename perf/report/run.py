#!/usr/bin/env python3
"""The perf report: runs the standard scenarios and writes perf/report/README.md (the table),
perf/report/data/ (the figures behind it) and two gnuplot PNGs beside the README.

Scenarios: sources HTTP (PutEvents, 10 entries/request, wrk + perf/loadgen/putevents_ts.lua)
and Kafka (plain JSON through `signalbox kafka-mock`, perf/loadgen/kafka_produce.py + kcat);
1, 100 and 10,000 rules (perf/loadgen/gen_rules.py: each event matches exactly one rule);
1 and 5 Redis stream targets per rule; --idempotency off and on. Plus one row with an HTTP
target (perf/loadgen/http_sink.py, arrivals in microseconds).

Each run of a scenario starts its own redis-server (and mock Kafka) and router on free loopback
ports, then:
  1. throughput: HTTP - wrk unpaced, 64 connections, for --seconds (every PutEvents answer
     comes after its deliveries); Kafka - a backlog produced before the router starts, timed
     from its first delivery to its last.
  2. latency at --fraction of that throughput (--seconds): every event carries its creation
     time; the sink's arrival time minus it is the end-to-end latency (Redis stream entry ids:
     ms resolution; the HTTP sink: µs).
Router CPU: utime+stime from /proc/PID/stat over each phase (% of one core); memory: VmHWM
(peak RSS) from /proc/PID/status at the end. Figures are medians over --runs runs.

usage: perf/report/run.py [--quick] [--runs 3] [--seconds 5] [--events 300000]
                          [--sources http,kafka] [--no-readme]
"""
import argparse
import datetime
import os
import platform
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

HERE = os.path.dirname(os.path.abspath(__file__))
PERF = os.path.dirname(HERE)
ROOT = os.path.dirname(PERF)
sys.path.insert(0, PERF)
sys.path.insert(0, os.path.join(PERF, "loadgen"))
from perfcommon import free_port  # noqa: E402
import gen_rules  # noqa: E402
import kafka_produce  # noqa: E402
from redis_sink import Redis, stream_latencies_sampled_ms, stream_total  # noqa: E402

LOADGEN = os.path.join(PERF, "loadgen")
CONNS = 64
ENTRIES = 10
TICK = os.sysconf("SC_CLK_TCK")
PROCS = []  # every process this script started and has not stopped yet


def log(*a):
    print(*a, flush=True)


def start(args, **kw):
    p = subprocess.Popen(args, **kw)
    PROCS.append(p)
    return p


def stop(p, sig=signal.SIGTERM, secs=30):
    if p.poll() is None:
        p.send_signal(sig)
        try:
            p.wait(secs)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    if p in PROCS:
        PROCS.remove(p)


def wait(fn, secs, what):
    end = time.time() + secs
    while time.time() < end:
        if fn():
            return
        time.sleep(0.01)
    raise TimeoutError(f"timed out after {secs} s waiting for {what}")


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close()
        return True
    except OSError:
        return False


def ready(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


def cpu_ticks(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])  # utime, stime (fields 14 and 15)


def vm_kib(pid, field):
    m = re.search(field + r":\s+(\d+) kB", open(f"/proc/{pid}/status").read())
    return int(m.group(1))


def pct(sorted_vals, q):
    if not sorted_vals:
        return float("nan")
    return sorted_vals[min(len(sorted_vals) - 1, int(len(sorted_vals) * q))]


class Cpu:
    def __init__(self, pid):
        self.pid, self.t, self.c = pid, time.time(), cpu_ticks(pid)

    def percent(self):
        return 100.0 * (cpu_ticks(self.pid) - self.c) / TICK / (time.time() - self.t)


def start_redis(tmp):
    port = free_port()
    p = start(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--dir", tmp], stdout=subprocess.DEVNULL)
    wait(lambda: port_open(port), 10, "redis-server")
    return p, port


def start_router(a, tmp, rport, extra):
    sport = free_port()
    args = [a.bin, "serve", "--rules", os.path.join(tmp, "rules"), "--listen",
            f"127.0.0.1:{sport}", "--redis", f"redis://127.0.0.1:{rport}", "--log-level", "warn",
            "--no-watch-rules", *extra]
    p = start(args, stdout=subprocess.DEVNULL)
    wait(lambda: ready(sport), 30, "the router's /readyz")
    return p, sport


def wrk(a, url, rules, seconds, delay_ms=0):
    env = dict(os.environ, SB_DELAY_MS=str(delay_ms), SB_RULES=str(rules), SB_SIZE=str(a.size))
    out = subprocess.run(["wrk", "-t1", f"-c{CONNS}", f"-d{seconds}s", "--latency", "-s",
                          os.path.join(LOADGEN, "putevents_ts.lua"), url], env=env,
                         capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError("wrk saw errors:\n" + out)

    def ms(label):
        m = re.search(label + r"\s+([\d.]+)(us|ms|s)", out)
        v = float(m.group(1))
        return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "avg": ms("Latency"), "p99": ms("99%")}


def latencies(r, keys, t0_ms):
    """The first and the last target's streams (every event goes to each), sampled."""
    lat = []
    for k in sorted({keys[0], keys[-1]}):
        lat += stream_latencies_sampled_ms(r, k, t0_ms, int(time.time() * 1000))
    return sorted(lat)


def finish(p, res):
    res["hwm_mib"] = vm_kib(p.pid, "VmHWM") / 1024
    res["rss_mib"] = vm_kib(p.pid, "VmRSS") / 1024
    stop(p)
    return res


def run_http(a, sc, tmp):
    rules, targets, idem = sc["rules"], sc["targets"], sc["idem"]
    gen_rules.write_rules(os.path.join(tmp, "rules"), rules, targets)
    rd, rport = start_redis(tmp)
    try:
        sb, sport = start_router(a, tmp, rport, ["--idempotency"] if idem else [])
        url = f"http://127.0.0.1:{sport}/"
        r = Redis(rport)
        keys = [f"out-{j}" for j in range(targets)]
        cpu = Cpu(sb.pid)
        peak = wrk(a, url, rules, a.seconds)
        cpu_max = cpu.percent()
        delivered = stream_total(r, keys)
        want = peak["requests"] * ENTRIES * targets
        if delivered < want:  # every answer comes after its deliveries
            raise RuntimeError(f"{delivered} deliveries for {want} expected")
        rate = peak["rps"] * ENTRIES
        # pace each connection to one request every CONNS / (fraction * rps) s, less the latency
        cycle_ms = CONNS * 1000.0 / (peak["rps"] * a.fraction)
        delay = max(0, round(cycle_ms - peak["avg"]))
        t0_ms = int(time.time() * 1000)
        cpu = Cpu(sb.pid)
        paced = wrk(a, url, rules, a.seconds, delay)
        cpu_paced = cpu.percent()
        want += paced["requests"] * ENTRIES * targets
        wait(lambda: stream_total(r, keys) >= want, 30, "the paced deliveries")
        one_match_each(sport)
        lat = latencies(r, keys, t0_ms)
        r.close()
        return finish(sb, {"rate": rate, "paced": paced["rps"] * ENTRIES, "lat": sorted(lat),
                           "cpu_max": cpu_max, "cpu_paced": cpu_paced,
                           "wrk_p99": paced["p99"]})
    finally:
        for p in list(PROCS):
            stop(p)


def run_kafka(a, sc, tmp, http_sink=False):
    rules, targets, idem = sc["rules"], sc["targets"], sc["idem"]
    rd, rport = start_redis(tmp)
    try:
        km = start([a.bin, "kafka-mock", "--partitions", "12", "perf"], stdout=subprocess.PIPE,
                   text=True)
        bootstrap = km.stdout.readline().strip().split("=", 1)[1]
        events = max(10000, a.events // targets)
        if http_sink:
            events = a.http_events
            hport = free_port()
            hout = os.path.join(tmp, "http-lat.txt")
            hs = start([sys.executable, os.path.join(LOADGEN, "http_sink.py"), "--port",
                        str(hport), "--out", hout, "--seconds", "600"], stdout=subprocess.PIPE,
                       text=True)
            hs.stdout.readline()
            gen_rules.write_rules(os.path.join(tmp, "rules"), rules, 1,
                                  http=f"http://127.0.0.1:{hport}/")
        else:
            gen_rules.write_rules(os.path.join(tmp, "rules"), rules, targets)
        kafka_produce.backlog(bootstrap, "perf", events, rules, a.size)
        sb, sport = start_router(a, tmp, rport, ["--kafka-brokers", bootstrap, "--kafka-topics",
                                                 "perf:plain"] + (["--idempotency"] if idem else []))
        r = Redis(rport)
        keys = [f"out-{j}" for j in range(targets)]

        def delivered():
            if http_sink:
                return metric(sport, "signalbox_deliveries_total", 'outcome="ok"')
            return stream_total(r, keys) / targets

        wait(lambda: delivered() > 0, 60, "the first delivery")
        cpu = Cpu(sb.pid)
        t0 = time.time()
        wait(lambda: delivered() >= events, 300, "the backlog")
        secs = time.time() - t0
        cpu_max = cpu.percent()
        rate = events / secs
        paced_rate = int(min(rate * a.fraction, a.max_kafka_rate)) if not http_sink else a.http_rate
        t0_ms = int(time.time() * 1000)
        cpu = Cpu(sb.pid)
        sent = kafka_produce.paced(bootstrap, "perf", paced_rate, a.seconds, rules, a.size,
                                   seq0=events)
        cpu_paced = cpu.percent()
        wait(lambda: delivered() >= events + sent, 60, "the paced events")
        one_match_each(sport)
        if http_sink:
            res = finish(sb, {})
            stop(hs)
            vals = [int(x) / 1000.0 for x in open(hout)]
            lat = sorted(vals[events:])  # the paced events arrive after the backlog's
        else:
            lat = latencies(r, keys, t0_ms)
            res = finish(sb, {})
        r.close()
        res.update({"rate": rate, "paced": sent / a.seconds, "lat": lat, "cpu_max": cpu_max,
                    "cpu_paced": cpu_paced})
        return res
    finally:
        for p in list(PROCS):
            stop(p)


def one_match_each(port):
    """Each event matches exactly one rule (else the scenario is not what it says)."""
    time.sleep(0.3)
    ev, m = metric(port, "signalbox_events_in_total"), metric(port, "signalbox_rule_matches_total")
    if ev == 0 or ev != m:
        raise RuntimeError(f"{ev:.0f} events in, {m:.0f} rule matches: expected one match each")


def metric(port, name, label=""):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        text = r.read().decode()
    return sum(float(l.rsplit(" ", 1)[1]) for l in text.splitlines()
               if l.startswith(name + "{") and label in l)


def scenarios(a):
    out = []
    for src in a.sources:
        for rules in (1, 100, 10000):
            for targets in (1, 5):
                for idem in (False, True):
                    out.append({"source": src, "rules": rules, "targets": targets, "idem": idem,
                                "sink": "redis stream"})
    if "kafka" in a.sources and not a.no_http_target:
        out.append({"source": "kafka", "rules": 1, "targets": 1, "idem": False,
                    "sink": "HTTP (µs)"})
    return out


def summarize(sc, runs):
    med = lambda k: statistics.median(r[k] for r in runs)  # noqa: E731
    s = dict(sc)
    for k in ("rate", "paced", "cpu_max", "cpu_paced", "hwm_mib"):
        s[k] = med(k)
    for q, name in ((0.5, "p50"), (0.95, "p95"), (0.99, "p99")):
        s[name] = statistics.median(pct(r["lat"], q) for r in runs)
    s["samples"] = sum(len(r["lat"]) for r in runs)
    s["rates"] = [r["rate"] for r in runs]
    # the CDF of the run whose p50 is the median one
    s["cdf_run"] = sorted(runs, key=lambda r: pct(r["lat"], 0.5))[len(runs) // 2]["lat"]
    return s


def label(s):
    return (f"{s['source']}-{s['rules']}r-{s['targets']}t-{'idem' if s['idem'] else 'noidem'}"
            + ("-httpsink" if s["sink"].startswith("HTTP") else ""))


def fmt_n(v):
    return f"{v:,.0f}"


def write_data(results, a):
    data = os.path.join(HERE, "data")
    os.makedirs(data, exist_ok=True)
    for f in os.listdir(data):
        os.remove(os.path.join(data, f))
    # throughput against rules, one file per (source, targets, idempotency)
    for s in results:
        if s["sink"] != "redis stream":
            continue
        fn = os.path.join(data, f"tput-{s['source']}-{s['targets']}t-{'idem' if s['idem'] else 'noidem'}.dat")
        new = not os.path.exists(fn)
        with open(fn, "a") as f:
            if new:
                f.write("# rules events_per_s(median) min max\n")
            f.write(f"{s['rules']} {s['rate']:.0f} {min(s['rates']):.0f} {max(s['rates']):.0f}\n")
    # the latency CDF of each scenario, 200 quantiles
    for s in results:
        lat = s["cdf_run"]
        with open(os.path.join(data, f"cdf-{label(s)}.dat"), "w") as f:
            f.write(f"# latency_ms fraction ({len(lat)} samples, at {s['paced']:.0f} events/s)\n")
            for i in range(201):
                q = min(0.999, i / 200) if i < 200 else 0.999
                f.write(f"{pct(lat, q):.3f} {q:.3f}\n")
    import json
    keep = [{k: v for k, v in s.items() if k != "cdf_run"} for s in results]
    with open(os.path.join(data, "results.json"), "w") as f:
        json.dump({"args": {k: v for k, v in vars(a).items() if k != "bin"}, "results": keep}, f, indent=1)
    return data


def plot(results, data):
    gp = os.path.join(HERE, "plots.gp")
    tput = []
    for src in ("http", "kafka"):
        lines = []
        for t in (1, 5):
            for idem in ("noidem", "idem"):
                fn = os.path.join(data, f"tput-{src}-{t}t-{idem}.dat")
                if os.path.exists(fn):
                    lines.append(f"'{fn}' using 1:2:3:4 with yerrorlines title '{t} target{'s' if t > 1 else ''}, "
                                 f"{'idempotency' if idem == 'idem' else 'no idempotency'}'")
        if lines:
            tput.append((src, lines))
    cdf = []
    pick = [(1, 1, False), (100, 1, False), (10000, 1, False), (1, 5, False), (1, 1, True),
            (10000, 5, True)]
    for src in ("http", "kafka"):
        lines = []
        for s in results:
            if s["source"] == src and s["sink"] == "redis stream" and (s["rules"], s["targets"], s["idem"]) in pick:
                lines.append(f"'{os.path.join(data, 'cdf-' + label(s) + '.dat')}' using ($1<0.1?0.1:$1):2 with lines lw 2 title "
                             f"'{s['rules']} rule{'s' if s['rules'] > 1 else ''}, {s['targets']}t{', idem' if s['idem'] else ''} ({s['paced']/1000:.0f}K/s)'")
        if src == "kafka":
            for s in results:
                if s["sink"].startswith("HTTP"):
                    lines.append(f"'{os.path.join(data, 'cdf-' + label(s) + '.dat')}' using ($1<0.1?0.1:$1):2 with lines lw 2 dt 2 title "
                                 f"'HTTP target, µs sink ({s['paced']/1000:.0f}K/s)'")
        if lines:
            cdf.append((src, lines))
    with open(gp, "w") as f:
        f.write("# written by perf/report/run.py; gnuplot perf/report/plots.gp\n")
        f.write("set terminal pngcairo size 1200,480 font ',10'\n" if pngcairo() else
                "set terminal png size 1200,480\n")
        f.write(f"set output '{os.path.join(HERE, 'throughput-vs-rules.png')}'\n")
        f.write(f"set multiplot layout 1,{max(1, len(tput))}\nset logscale x\nset grid\n"
                "set xlabel 'rules'\nset ylabel 'events/s delivered (median, min-max)'\n"
                "set xrange [0.5:20000]\nset yrange [0:*]\nset key below\nset format y '%.0s%c'\n")
        for src, lines in tput:
            f.write(f"set title '{'HTTP PutEvents' if src == 'http' else 'Kafka (mock broker)'}: throughput against rules'\n")
            f.write("plot " + ", \\\n     ".join(lines) + "\n")
        f.write("unset multiplot\nunset logscale\nunset xrange\nunset format\n")
        f.write("set terminal pngcairo size 1200,600 font ',10'\n" if pngcairo() else
                "set terminal png size 1200,600\n")
        f.write(f"set output '{os.path.join(HERE, 'latency-cdf.png')}'\n")
        f.write(f"set multiplot layout 1,{max(1, len(cdf))}\nset grid\nset logscale x\n"
                "set xlabel 'end-to-end latency, ms (creation to arrival)'\n"
                "set ylabel 'fraction of events'\nset yrange [0:1]\nset xrange [0.1:*]\nset key below\n")
        for src, lines in cdf:
            f.write(f"set title '{'HTTP PutEvents' if src == 'http' else 'Kafka'}: latency CDF at the paced rate'\n")
            f.write("plot " + ", \\\n     ".join(lines) + "\n")
        f.write("unset multiplot\n")
    subprocess.run(["gnuplot", gp], check=True, timeout=60)
    # keep the committed script free of this machine's absolute paths
    text = open(gp).read().replace(HERE + "/", "perf/report/")
    open(gp, "w").write(text)


def pngcairo():
    out = subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True, text=True)
    return "pngcairo" in (out.stdout + out.stderr)


def loadavg():
    return " ".join(open("/proc/loadavg").read().split()[:3])


def machine():
    cpu = "?"
    for l in open("/proc/cpuinfo"):
        if l.startswith("model name"):
            cpu = l.split(":", 1)[1].strip()
            break
    rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                         text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no",
                            "src", "CMakeLists.txt"], capture_output=True, text=True).stdout.strip()
    return cpu, rev, bool(dirty)


def write_readme(results, a, cmd, started, elapsed):
    cpu, rev, dirty = machine()
    rows = ["| source | sink | rules | targets/rule | idempotency | throughput, events/s (deliveries/s) | "
            "latency measured at, events/s | p50 ms | p95 ms | p99 ms | router CPU at max / at paced, % of a core | router peak RSS (VmHWM), MiB |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for s in results:
        dl = f" ({fmt_n(s['rate'] * s['targets'])})" if s["targets"] > 1 else ""
        prec = 2 if s["sink"].startswith("HTTP") else 1
        rows.append(f"| {'HTTP PutEvents' if s['source'] == 'http' else 'Kafka'} | {s['sink']} | {s['rules']:,} | {s['targets']} | "
                    f"{'on' if s['idem'] else 'off'} | **{fmt_n(s['rate'])}**{dl} | {fmt_n(s['paced'])} | "
                    f"{s['p50']:.{prec}f} | {s['p95']:.{prec}f} | **{s['p99']:.{prec}f}** | "
                    f"{s['cpu_max']:.0f} / {s['cpu_paced']:.0f} | {s['hwm_mib']:.1f} |")
    table = "\n".join(rows)
    tmpl = open(os.path.join(HERE, "README.template.md")).read()
    text = (tmpl.replace("{{TABLE}}", table)
            .replace("{{COMMAND}}", cmd)
            .replace("{{RUNS}}", str(a.runs))
            .replace("{{SECONDS}}", str(a.seconds))
            .replace("{{EVENTS}}", f"{a.events:,}")
            .replace("{{EVENTS5}}", f"{max(10000, a.events // 5):,}")
            .replace("{{FRACTION}}", f"{a.fraction:.0%}")
            .replace("{{MAXKAFKA}}", f"{a.max_kafka_rate:,}")
            .replace("{{HTTPRATE}}", f"{a.http_rate:,}")
            .replace("{{SIZE}}", str(a.size))
            .replace("{{MACHINE}}", f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}")
            .replace("{{WHEN}}", f"{started:%Y-%m-%d %H:%M} UTC, {elapsed / 60:.0f} minutes")
            .replace("{{LOAD}}", a.load_start + " at the start, " + a.load_end + " at the end")
            .replace("{{REV}}", rev + (" plus uncommitted changes of other sessions in src/" if dirty else "")))
    with open(os.path.join(HERE, "README.md"), "w") as f:
        f.write(text)
    log(f"wrote {os.path.join(HERE, 'README.md')}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true",
                    help="1 run, 2 s phases, 60,000-event backlogs: a few minutes")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=4)
    ap.add_argument("--events", type=int, default=200000,
                    help="Kafka backlog (divided by the targets per rule)")
    ap.add_argument("--fraction", type=float, default=0.5,
                    help="latency is measured at this fraction of the scenario's throughput")
    ap.add_argument("--max-kafka-rate", type=int, default=200000,
                    help="cap of the paced Kafka rate (what the Python generator sustains here)")
    ap.add_argument("--http-rate", type=int, default=2000,
                    help="paced rate of the HTTP-target row")
    ap.add_argument("--http-events", type=int, default=20000, help="backlog of the HTTP-target row")
    ap.add_argument("--size", type=int, default=256, help="event detail size, bytes (about)")
    ap.add_argument("--sources", default="http,kafka")
    ap.add_argument("--only", help="only scenarios whose label contains this (e.g. kafka-1r)")
    ap.add_argument("--no-http-target", action="store_true")
    ap.add_argument("--no-readme", action="store_true")
    ap.add_argument("--replot", action="store_true",
                    help="no runs: redraw the plots and README from data/results.json")
    ap.add_argument("--signalbox", default=os.path.join(ROOT, "build", "signalbox"))
    a = ap.parse_args()
    argv = sys.argv[1:]
    if a.quick:
        a.runs, a.seconds, a.events, a.http_events = 1, 2, 60000, 10000
    a.sources = a.sources.split(",")
    if a.replot:
        import json
        data = os.path.join(HERE, "data")
        saved = json.load(open(os.path.join(data, "results.json")))
        for k, v in saved["args"].items():
            setattr(a, k, v)
        plot(saved["results"], data)
        write_readme(saved["results"], a, saved["args"]["command"],
                     datetime.datetime.fromisoformat(saved["args"]["started"]), saved["args"]["elapsed"])
        return
    for tool in ("wrk", "kcat", "redis-server", "gnuplot"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: apt-get install -y "
                     f"{'gnuplot-nox' if tool == 'gnuplot' else 'redis-server' if tool == 'redis-server' else tool}")
    tmp_root = tempfile.mkdtemp(prefix="sb-report-")
    # a private copy, so that a rebuild by someone else during the run changes nothing
    a.bin = os.path.join(tmp_root, "signalbox")
    shutil.copy2(a.signalbox, a.bin)
    started, t_start = datetime.datetime.utcnow(), time.time()
    a.load_start = loadavg()
    results = []
    try:
        for sc in scenarios(a):
            if a.only and a.only not in label(sc):
                continue
            runs = []
            for i in range(a.runs):
                tmp = tempfile.mkdtemp(dir=tmp_root)
                if sc["source"] == "http":
                    r = run_http(a, sc, tmp)
                else:
                    r = run_kafka(a, sc, tmp, http_sink=sc["sink"].startswith("HTTP"))
                shutil.rmtree(tmp, ignore_errors=True)
                runs.append(r)
                log(f"{label(sc)} run {i + 1}: {r['rate']:.0f} events/s; at {r['paced']:.0f}/s "
                    f"p50 {pct(r['lat'], .5):.2f} p95 {pct(r['lat'], .95):.2f} p99 {pct(r['lat'], .99):.2f} ms "
                    f"({len(r['lat'])} samples); cpu {r['cpu_max']:.0f}% / {r['cpu_paced']:.0f}%, "
                    f"VmHWM {r['hwm_mib']:.1f} MiB" + (f"; wrk p99 {r['wrk_p99']:.2f} ms" if 'wrk_p99' in r else ""))
            results.append(summarize(sc, runs))
    finally:
        for p in list(PROCS):
            stop(p)
        shutil.rmtree(tmp_root, ignore_errors=True)
    if a.no_readme:
        return
    a.command = "perf/report/run.py" + (" " + " ".join(argv) if argv else "")
    a.started, a.elapsed, a.load_end = started.isoformat(), time.time() - t_start, loadavg()
    data = write_data(results, a)
    plot(results, data)
    write_readme(results, a, a.command, started, a.elapsed)


if __name__ == "__main__":
    main()
