// admin.test.mjs - the admin paths protected on their own: admin keys (admin_keys in the auth
// file) for /metrics and /status, which ingest keys do not open and which send no events; the
// probes' paths (/healthz, /readyz) open; a file of admin keys only, which leaves ingest open on
// loopback; HTTPS on admin-listen with admin-tls-cert and admin-tls-key; and the starts that are
// refused (an admin listener other hosts reach without admin keys, TLS files that do not go
// together or have no admin listener, an `admin` field on an ingest key).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import https from 'node:https';
import { Redis, Signalbox, SLOWDOWN, signalboxCommand, freePort, sleep, tempDir } from './harness.mjs';

const sha = (s) => createHash('sha256').update(s).digest('hex');
const INGEST_KEY = 'k-orders-123';
const ADMIN_KEY = 'k-admin-789';
const rules = { 'r.json': JSON.stringify({ Name: 'd', EventPattern: { source: ['app'] }, Targets: [{ Id: 's', Arn: 'redis:stream:out' }] }) };

let redis, dir, authFile, ingestOnlyFile, adminOnlyFile, sb, adminPort;

before(async () => {
  redis = await Redis.start();
  dir = tempDir('sb-admin-');
  authFile = join(dir, 'auth.yaml');
  writeFileSync(authFile, `api_keys:
  - name: orders-service
    sha256: ${sha(INGEST_KEY)}
admin_keys:
  - name: prometheus
    sha256: ${sha(ADMIN_KEY)}
`);
  ingestOnlyFile = join(dir, 'ingest-only.yaml');
  writeFileSync(ingestOnlyFile, `api_keys:
  - name: orders-service
    sha256: ${sha(INGEST_KEY)}
`);
  adminOnlyFile = join(dir, 'admin-only.yaml');
  writeFileSync(adminOnlyFile, `admin_keys:
  - name: prometheus
    sha256: ${sha(ADMIN_KEY)}
`);
  adminPort = await freePort();
  sb = await Signalbox.start({ redis, rules, args: ['--auth-file', authFile, '--admin-listen', `127.0.0.1:${adminPort}`] });
});

after(async () => {
  if (sb) assert.equal((await sb.stop()).code, 0);
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const adminUrl = (path) => `http://127.0.0.1:${adminPort}${path}`;

test('admin listener with an admin key: /metrics and /status need it; an ingest key gets 403', async () => {
  const none = await fetch(adminUrl('/metrics'));
  assert.equal(none.status, 401);
  assert.match(none.headers.get('www-authenticate'), /^Bearer /);
  const noneBody = await none.json();
  assert.equal(noneBody.code, 'Unauthorized');
  assert.match(noneBody.message, /admin key/);
  const wrong = await fetch(adminUrl('/metrics'), { headers: { Authorization: 'Bearer k-admin-78' } });
  assert.equal(wrong.status, 401);
  assert.equal((await wrong.json()).message, 'the admin key is not valid');
  const ingest = await fetch(adminUrl('/metrics'), { headers: { Authorization: `Bearer ${INGEST_KEY}` } });
  assert.equal(ingest.status, 403);
  assert.deepEqual(await ingest.json(), { code: 'Forbidden',
    message: 'orders-service sends events and does not open the admin paths: use a key of admin_keys' });
  assert.equal((await fetch(adminUrl('/status'), { headers: { 'X-Api-Key': INGEST_KEY } })).status, 403);

  const ok = await fetch(adminUrl('/metrics'), { headers: { Authorization: `Bearer ${ADMIN_KEY}` } });
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /signalbox_events_in_total/);
  const status = await fetch(adminUrl('/status'), { headers: { 'X-Api-Key': ADMIN_KEY } });
  assert.equal(status.status, 200);
  assert.equal((await status.json()).rules, 1);
  assert.equal((await fetch(adminUrl('/status'))).status, 401);
  // no key in the log
  assert.ok(!sb.stdout.includes(ADMIN_KEY) && !sb.stdout.includes(INGEST_KEY));
});

test('the probes\' paths stay open: /healthz and /readyz without a key', async () => {
  const h = await fetch(adminUrl('/healthz'));
  assert.equal(h.status, 200);
  assert.deepEqual(await h.json(), { status: 'ok' });
  // ready once Redis answers: 200 then, 503 before; never a demand for a key
  let r;
  for (let i = 0; i < 200 * SLOWDOWN && (r = await fetch(adminUrl('/readyz'))).status !== 200; i++) await sleep(50);
  assert.equal(r.status, 200);
  assert.equal((await r.json()).ready, true);
  assert.equal((await fetch(adminUrl('/nothing'))).status, 404);
});

test('an admin key sends no events; the ingest key still does', async () => {
  const event = JSON.stringify({ source: 'app', 'detail-type': 'T', detail: {} });
  const post = (key) => fetch(sb.url('/events'), { method: 'POST', body: event,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` } });
  const refused = await post(ADMIN_KEY);
  assert.equal(refused.status, 403);
  assert.deepEqual(await refused.json(), { code: 'Forbidden',
    message: 'prometheus is an admin key: it opens the admin paths and sends no events' });
  const put = await fetch(sb.url('/'), { method: 'POST', headers: { 'Content-Type': 'application/x-amz-json-1.1',
    'X-Amz-Target': 'AWSEvents.PutEvents', 'X-Api-Key': ADMIN_KEY },
  body: JSON.stringify({ Entries: [{ Source: 'app', DetailType: 'T', Detail: '{}' }] }) });
  assert.equal(put.status, 403);
  assert.equal((await put.json()).__type, 'AccessDeniedException');
  assert.equal(redis.cmd('XLEN', 'out'), 0);
  assert.equal((await post(INGEST_KEY)).status, 200);
  assert.equal(redis.cmd('XLEN', 'out'), 1);
});

test('without admin-listen, the admin keys protect /metrics and /status on the main listener', async () => {
  const main = await Signalbox.start({ redis, rules, args: ['--auth-file', authFile] });
  try {
    assert.equal((await fetch(main.url('/metrics'))).status, 401);
    assert.equal((await fetch(main.url('/status'), { headers: { 'X-Api-Key': INGEST_KEY } })).status, 403);
    assert.equal((await fetch(main.url('/metrics'), { headers: { 'X-Api-Key': ADMIN_KEY } })).status, 200);
    assert.equal((await fetch(main.url('/healthz'))).status, 200);
  } finally {
    assert.equal((await main.stop()).code, 0);
  }
});

test('a file of admin keys only (a sidecar): ingest stays open on loopback, the admin paths need the key', async () => {
  const port = await freePort();
  const side = await Signalbox.start({ redis, rules, args: ['--auth-file', adminOnlyFile, '--admin-listen', `0.0.0.0:${port}`] });
  try {
    const ev = await fetch(side.url('/events'), { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ source: 'app', 'detail-type': 'T', detail: {} }) });
    assert.equal(ev.status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 401);
    assert.equal((await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { 'X-Api-Key': ADMIN_KEY } })).status, 200);
  } finally {
    assert.equal((await side.stop()).code, 0);
  }
  // such a file does not authenticate ingest, so a listener other hosts reach is refused
  const r = refused(['--auth-file', adminOnlyFile, '--listen', '0.0.0.0:0']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /listen 0\.0\.0\.0:0 is reachable from other hosts and the auth-file names no ingest key \(api_keys, access_keys\)/);
});

// GET url over HTTPS, trusting ca only: the status, the body and the server's certificate
function httpsGet(url, ca, headers = {}) {
  return new Promise((ok, fail) => {
    const req = https.get(url, { ca, headers, timeout: 5000 * SLOWDOWN }, (res) => {
      const cert = res.socket.getPeerCertificate();
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => ok({ status: res.statusCode, body, cert }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${5 * SLOWDOWN} s`)));
    req.on('error', fail);
  });
}

test('HTTPS on the admin listener with admin-tls-cert and admin-tls-key', async () => {
  const tlsDir = tempDir('sb-admin-tls-');
  const cert = join(tlsDir, 'cert.pem'), key = join(tlsDir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=signalbox-admin',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  const port = await freePort();
  const tls = await Signalbox.start({ redis, rules, args: ['--auth-file', authFile, '--admin-listen', `127.0.0.1:${port}`,
    '--admin-tls-cert', cert, '--admin-tls-key', key] });
  try {
    const ca = readFileSync(cert);
    const want = new X509Certificate(ca).fingerprint256;
    const metrics = await httpsGet(`https://127.0.0.1:${port}/metrics`, ca, { Authorization: `Bearer ${ADMIN_KEY}` });
    assert.equal(metrics.status, 200);
    assert.equal(metrics.cert.fingerprint256, want);
    assert.equal(metrics.cert.subject.CN, 'signalbox-admin');
    assert.match(metrics.body, /signalbox_events_in_total/);
    assert.equal((await httpsGet(`https://127.0.0.1:${port}/metrics`, ca)).status, 401);
    assert.equal((await httpsGet(`https://127.0.0.1:${port}/healthz`, ca)).status, 200);
    // plain HTTP to the admin port gets no answer
    const plain = await fetch(`http://127.0.0.1:${port}/healthz`).then(() => 'answered', () => 'refused');
    assert.equal(plain, 'refused');
    // the main listener stays plain HTTP (it has tls-cert of its own)
    const ev = await fetch(tls.url('/events'), { method: 'POST', body: JSON.stringify({ source: 'app', 'detail-type': 'T', detail: {} }),
      headers: { 'Content-Type': 'application/json', 'X-Api-Key': INGEST_KEY } });
    assert.equal(ev.status, 200);
    assert.match(tls.stdout, new RegExp(`admin paths on https://127\\.0\\.0\\.1:${port}`));
  } finally {
    assert.equal((await tls.stop()).code, 0);
    rmSync(tlsDir, { recursive: true, force: true });
  }
});

// `signalbox serve` with args that must be refused before it serves: exit 2 and stderr
function refused(args) {
  const r = spawnSync(...signalboxCommand(['serve', '--rules', tempDir('sb-rules-'), '--listen', '127.0.0.1:0',
    '--redis', 'redis://127.0.0.1:1', ...args]), { timeout: 30000 });
  return { status: r.status, stderr: r.stderr.toString() };
}

test('an admin listener other hosts reach needs admin keys, or admin-allow-unauthenticated', async () => {
  const port = await freePort();
  for (const auth of [[], ['--auth-file', ingestOnlyFile]]) {
    const r = refused([...auth, '--admin-listen', `0.0.0.0:${port}`]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`admin-listen 0\\.0\\.0\\.0:${port} is reachable from other hosts and no admin key is set: `
      + 'list admin_keys in the auth-file \\(docs/security\\.md\\), or set admin-allow-unauthenticated'));
  }
  // the ingest setting does not open the admin paths
  const ingestOnly = refused(['--allow-unauthenticated', '--admin-listen', `0.0.0.0:${port}`]);
  assert.equal(ingestOnly.status, 2, ingestOnly.stderr);
  assert.match(ingestOnly.stderr, /set admin-allow-unauthenticated/);
  // with admin keys it starts, and so it does when the open admin listener is explicit
  for (const args of [['--auth-file', authFile], ['--admin-allow-unauthenticated']]) {
    const open = await Signalbox.start({ redis, rules, args: [...args, '--admin-listen', `0.0.0.0:${await freePort()}`] });
    assert.equal((await open.stop()).code, 0);
  }
});

test('admin TLS settings that cannot work are refused at start', async () => {
  const port = await freePort();
  const alone = refused(['--admin-listen', `127.0.0.1:${port}`, '--admin-tls-cert', join(dir, 'cert.pem')]);
  assert.equal(alone.status, 2);
  assert.match(alone.stderr, /admin-tls-cert and admin-tls-key go together/);
  const nowhere = refused(['--admin-tls-cert', join(dir, 'cert.pem'), '--admin-tls-key', join(dir, 'key.pem')]);
  assert.equal(nowhere.status, 2);
  assert.match(nowhere.stderr, /admin-tls-cert and admin-tls-key are for admin-listen, which is not set/);
  const missing = refused(['--admin-listen', `127.0.0.1:${port}`, '--admin-tls-cert', join(dir, 'none.pem'),
    '--admin-tls-key', join(dir, 'none.key')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /TLS: cannot use the certificate .*none\.pem/);
});

test('an admin field on an ingest key is refused with where it is', () => {
  const f = join(dir, 'admin-field.yaml');
  writeFileSync(f, `api_keys:\n  - name: ops\n    sha256: ${sha('x')}\n    admin: true\n`);
  const r = refused(['--auth-file', f]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /admin-field\.yaml:4:12: a key of api_keys or access_keys sends events only: list a key for the admin paths under admin_keys/);
});
