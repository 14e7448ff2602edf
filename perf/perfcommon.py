"""What the perf scripts share: free loopback ports and rewriting their table in
perf/README.md between <!-- NAME-results:start --> and <!-- NAME-results:end -->."""
import os
import socket

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def write_results(name, rows):
    readme = os.path.join(ROOT, "perf", "README.md")
    text = open(readme).read()
    start, end = f"<!-- {name}-results:start -->", f"<!-- {name}-results:end -->"
    i, j = text.index(start) + len(start), text.index(end)
    with open(readme, "w") as f:
        f.write(text[:i] + "\n" + "\n".join(rows) + "\n" + text[j:])
    print(f"wrote {readme}")
