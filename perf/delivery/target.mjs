// target.mjs - the HTTP target of perf/delivery/retry.py: down (503) for DOWN_MS from its
// first request, then up (204); counts, and notes when the first and last deliveries came.
// usage: node target.mjs PORT DOWN_MS
//   GET /stats -> {"delivered", "refused", "first_ms", "last_ms", "up_ms"} (epoch ms; 0: not yet)
import http from 'node:http';

const [port, downMs] = [Number(process.argv[2]), Number(process.argv[3])];
const s = { delivered: 0, refused: 0, first_ms: 0, last_ms: 0, up_ms: 0 };

http.createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(s));
    return;
  }
  req.resume();
  req.on('end', () => {
    const now = Date.now();
    if (!s.up_ms) s.up_ms = now + downMs;
    if (now < s.up_ms) {
      s.refused++;
      res.writeHead(503);
    } else {
      s.delivered++;
      if (!s.first_ms) s.first_ms = now;
      s.last_ms = now;
      res.writeHead(204);
    }
    res.end();
  });
}).listen(port, '127.0.0.1', () => console.log('ready'));
