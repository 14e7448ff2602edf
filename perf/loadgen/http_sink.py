#!/usr/bin/env python3
"""HTTP sink: a small HTTP/1.1 receiver (asyncio, keep-alive) that answers 200 to every request
and records, with microseconds, arrival time minus the created_us in the body. On SIGTERM (or
after --seconds) it writes the latencies (µs, one a line) to --out and exits.

usage: perf/loadgen/http_sink.py --port P --out FILE [--seconds 600]
"""
import argparse
import asyncio
import gc
import re
import signal
import time

CREATED = re.compile(rb'"created_us":(\d+)')
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
lat = []


class Sink(asyncio.Protocol):
    def connection_made(self, tr):
        self.tr, self.buf = tr, b""

    def data_received(self, data):
        now = time.time_ns() // 1000
        self.buf += data
        while True:
            h = self.buf.find(b"\r\n\r\n")
            if h < 0:
                return
            head = self.buf[:h].lower()
            i = head.find(b"content-length:")
            n = int(head[i + 15:head.find(b"\r\n", i) if head.find(b"\r\n", i) > 0 else None]) if i >= 0 else 0
            if len(self.buf) < h + 4 + n:
                return
            body = self.buf[h + 4:h + 4 + n]
            self.buf = self.buf[h + 4 + n:]
            m = CREATED.search(body)
            if m:
                lat.append(now - int(m.group(1)))
            self.tr.write(OK)


async def serve(port, seconds):
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, lambda: stop.done() or stop.set_result(None))
    srv = await loop.create_server(Sink, "127.0.0.1", port, backlog=1024)
    print("listening", flush=True)
    try:
        await asyncio.wait_for(stop, seconds)
    except asyncio.TimeoutError:
        pass
    srv.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seconds", type=float, default=600)
    a = ap.parse_args()
    gc.disable()
    asyncio.run(serve(a.port, a.seconds))
    with open(a.out, "w") as f:
        f.write("".join(f"{v}\n" for v in lat))


if __name__ == "__main__":
    main()
