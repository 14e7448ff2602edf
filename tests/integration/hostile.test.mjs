// hostile.test.mjs - what an attacker (or a broken client) sends: malformed and truncated JSON,
// invalid UTF-8, huge numbers, deep nesting, oversized bodies and headers, slow (slowloris)
// clients, and HTTPS. Each gets the right answer, and good traffic beside them keeps flowing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import https from 'node:https';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis, Signalbox, freePort, sleep, tempDir } from './harness.mjs';

let redis, sb;

before(async () => {
  redis = await Redis.start();
  sb = await Signalbox.start({ redis, args: ['--client-timeout', '2s', '--max-body', '64KB'],
    rules: { 'r.json': JSON.stringify({ Name: 's', EventPattern: { source: ['app'] }, Targets: [{ Id: 's', Arn: 'redis:stream:out' }] }) } });
});

after(async () => {
  if (sb) assert.equal((await sb.stop()).code, 0);
  await redis?.stop();
});

const good = JSON.stringify({ Entries: [{ Source: 'app', DetailType: 'T', Detail: '{"ok":true}' }] });

// one raw request on its own connection; the answer's status line and body
function raw(bytes, { wait = 5000 } = {}) {
  return new Promise((resolve) => {
    const s = net.connect(sb.port, '127.0.0.1');
    let out = Buffer.alloc(0);
    s.on('data', (d) => { out = Buffer.concat([out, d]); });
    s.on('error', () => {});
    s.on('close', () => resolve(out.toString('latin1')));
    s.write(bytes);
    setTimeout(() => s.destroy(), wait);
  });
}

function request(body, ctype = 'application/x-amz-json-1.1') {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return Buffer.concat([Buffer.from(`POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSEvents.PutEvents\r\nContent-Type: ${ctype}\r\nContent-Length: ${b.length}\r\nConnection: close\r\n\r\n`), b]);
}

const status = (resp) => Number((resp.match(/^HTTP\/1\.1 (\d+)/) || [])[1]);

test('malformed, truncated, invalid UTF-8, huge numbers, deep nesting: 400 each, with a message', async () => {
  const cases = [
    ['truncated', good.slice(0, good.length - 5)],
    ['not JSON', 'Entries=1'],
    ['invalid UTF-8', Buffer.concat([Buffer.from('{"Entries":[{"Source":"app","DetailType":"'), Buffer.from([0xff, 0xfe]), Buffer.from('","Detail":"{}"}]}')])],
    ['deep nesting', JSON.stringify({ Entries: [{ Source: 'app', DetailType: 'T', Detail: '['.repeat(5000) + ']'.repeat(5000) }] })],
    ['deep request', '['.repeat(60000)],
  ];
  for (const [what, body] of cases) {
    const resp = await raw(request(body));
    const code = status(resp);
    assert.ok(code === 400 || (code === 200 && /"ErrorCode"/.test(resp)), `${what}: ${resp.slice(0, 200)}`);
    assert.match(resp, /"(message|ErrorMessage)":"[^"]+"/, `${what} says why`);
  }
  const ok = await raw(request(good));
  assert.equal(status(ok), 200);
  // a number beyond a double is valid JSON: accepted and passed on with its spelling
  const huge = await raw(request(JSON.stringify({ Entries: [{ Source: 'app', DetailType: 'T',
    Detail: '{"n":1e999999,"m":-123456789012345678901234567890}' }] })));
  assert.equal(status(huge), 200);
  assert.match(huge, /"FailedEntryCount":0/);
  const last = redis.cmd('XREVRANGE', 'out', '+', '-', 'COUNT', 1)[0][1][1];
  assert.match(last, /"detail":\{"n":1e999999,"m":-123456789012345678901234567890\}/);
});

test('an oversized body is refused with 413; oversized headers are refused', async () => {
  const big = JSON.stringify({ Entries: [{ Source: 'app', DetailType: 'T', Detail: JSON.stringify({ pad: 'x'.repeat(100000) }) }] });
  assert.equal(status(await raw(request(big))), 413);
  const hdr = `POST / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70000)}\r\nContent-Length: 2\r\n\r\n{}`;
  const r = await raw(hdr);
  assert.ok(r === '' || status(r) >= 400, `oversized headers: ${r.slice(0, 100)}`);
});

test('slow clients (slowloris) are cut off after client-timeout, and good traffic flows beside them', async () => {
  const slow = [];
  for (let i = 0; i < 50; i++) {
    const s = net.connect(sb.port, '127.0.0.1');
    s.on('error', () => {});
    s.closedAt = 0;
    s.on('close', () => { s.closedAt = Date.now(); });
    s.write('POST / HTTP/1.1\r\nHost: x\r\n'); // and then nothing
    slow.push(s);
  }
  const start = Date.now();
  for (let i = 0; i < 20; i++) {
    const r = await raw(request(good));
    assert.equal(status(r), 200);
  }
  await sleep(3500);
  for (const s of slow) {
    assert.ok(s.closedAt > 0, 'a stalled connection is closed by the router');
    assert.ok(s.closedAt - start < 6000);
  }
});

test('HTTPS: the listener speaks TLS with tls-cert and tls-key', async () => {
  const dir = tempDir('sb-tls-');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const tls = await Signalbox.start({ redis, args: ['--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem'),
    // the harness waits for /healthz over plain HTTP: on the admin listener
    '--admin-listen', `127.0.0.1:${await freePort()}`],
  rules: { 'r.json': JSON.stringify({ Name: 's', EventPattern: { source: ['app'] }, Targets: [{ Id: 's', Arn: 'redis:stream:tls' }] }) } });
  const ca = readFileSync(join(dir, 'cert.pem'));
  const answer = await new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port: tls.port, method: 'POST', path: '/', ca,
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AWSEvents.PutEvents' } }, (res) => {
      let b = '';
      res.on('data', (d) => { b += d; });
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(b) }));
    });
    req.on('error', reject);
    req.end(good);
  });
  assert.equal(answer.status, 200);
  assert.equal(answer.body.FailedEntryCount, 0);
  assert.equal(redis.cmd('XLEN', 'tls'), 1);
  // plain HTTP to the TLS port gets no answer
  const plain = await fetch(tls.url('/'), { method: 'POST', body: good }).then(() => 'answered', () => 'refused');
  assert.equal(plain, 'refused');
  assert.equal((await tls.stop()).code, 0);
});
