"""What the perf scripts share: free loopback ports, waiting for a port, stopping what they
started, reading wrk's output, and rewriting their table in perf/README.md between
<!-- NAME-results:start --> and <!-- NAME-results:end -->."""
import os
import re
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def stop_all(procs):
    """Stops the processes this script started, last first: SIGTERM, then SIGKILL after 10 s."""
    for p in reversed(procs):
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


def wait_port(port, secs=10):
    """Returns once 127.0.0.1:port accepts connections; exits the script after secs."""
    end = time.time() + secs
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"port {port} never opened")


def parse_wrk(out):
    """wrk --latency's output as requests/s and p50, p99 and mean latency in ms; exits the
    script when wrk saw non-2xx answers."""
    if "Non-2xx" in out:
        sys.exit("wrk saw errors:\n" + out)

    def ms(label):
        m = re.search(label + r"\s+([\d.]+)(us|ms|s)", out)
        v = float(m.group(1))
        return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": ms("50%"), "p99": ms("99%"), "avg": ms("Latency")}


def write_results(name, rows):
    readme = os.path.join(ROOT, "perf", "README.md")
    text = open(readme).read()
    start, end = f"<!-- {name}-results:start -->", f"<!-- {name}-results:end -->"
    i, j = text.index(start) + len(start), text.index(end)
    with open(readme, "w") as f:
        f.write(text[:i] + "\n" + "\n".join(rows) + "\n" + text[j:])
    print(f"wrote {readme}")
