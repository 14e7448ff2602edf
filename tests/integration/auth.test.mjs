// auth.test.mjs - who may send: API keys (hashed in the auth file, per-bus, rate-limited) and
// AWS SigV4 verified against access keys (the AWS SDK and CLI sign as they always do; a wrong
// secret, a tampered body and a signature replayed outside the clock-skew window are refused),
// the admin paths on a listener of their own, and the refusal to serve a non-loopback listener
// without authentication unless that is explicit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SignatureV4 } from '@smithy/signature-v4';
import { Redis, Signalbox, signalboxCommand, freePort, tempDir } from './harness.mjs';

// the hash the Smithy signer needs, on node's crypto (HMAC when given a secret)
class Sha256 {
  constructor(secret) { this.h = secret ? createHmac('sha256', secret) : createHash('sha256'); }
  update(d) { this.h.update(d); }
  digest() { return Promise.resolve(new Uint8Array(this.h.digest())); }
}
const sha = (s) => createHash('sha256').update(s).digest('hex');
let redis, sb, adminPort, secretDir;

before(async () => {
  redis = await Redis.start();
  secretDir = tempDir('sb-auth-');
  writeFileSync(join(secretDir, 'secret'), 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n');
  const authFile = join(secretDir, 'auth.yaml');
  writeFileSync(authFile, `api_keys:
  - name: orders-service
    sha256: ${sha('k-orders-123')}
    buses: [default]
  - name: limited
    sha256: ${sha('k-limited-456')}
    rate: 2
access_keys:
  - id: AKIDSIGNALBOXTEST
    secret_file: ${join(secretDir, 'secret')}
    buses: ["*"]
`);
  adminPort = await freePort();
  sb = await Signalbox.start({ redis, args: ['--auth-file', authFile, '--admin-listen', `127.0.0.1:${adminPort}`],
    rules: { 'r.json': JSON.stringify({ Rules: [
      { Name: 'd', EventPattern: { source: ['app'] }, Targets: [{ Id: 's', Arn: 'redis:stream:out' }] },
      { Name: 'o', EventBusName: 'orders', EventPattern: { source: ['app'] }, Targets: [{ Id: 's', Arn: 'redis:stream:orders' }] },
    ] }) } });
});

after(async () => {
  if (sb) assert.equal((await sb.stop()).code, 0);
  await redis?.stop();
});

const entries = (bus = 'default') => ({ Entries: [{ Source: 'app', DetailType: 'T', Detail: '{"n":1}', EventBusName: bus }] });
async function put(headers, body = entries()) {
  const res = await fetch(sb.url('/'), { method: 'POST', body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AWSEvents.PutEvents', ...headers } });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

test('API keys: none or a wrong one is refused; the right one may use its buses only', async () => {
  const none = await put({});
  assert.equal(none.status, 401);
  assert.equal(none.body.__type, 'UnrecognizedClientException');
  assert.equal((await put({ Authorization: 'Bearer k-wrong' })).status, 401);
  const ok = await put({ 'X-Api-Key': 'k-orders-123' });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.FailedEntryCount, 0);
  const denied = await put({ Authorization: 'Bearer k-orders-123' }, entries('orders'));
  assert.equal(denied.body.FailedEntryCount, 1);
  assert.equal(denied.body.Entries[0].ErrorCode, 'AccessDeniedException');
  assert.equal(redis.cmd('XLEN', 'orders'), 0);
  const ev = await fetch(sb.url('/events'), { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer k-orders-123' },
    body: JSON.stringify({ source: 'app', 'detail-type': 'T', detail: {} }) });
  assert.equal(ev.status, 200);
  const evNone = await fetch(sb.url('/events'), { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ source: 'app', 'detail-type': 'T', detail: {} }) });
  assert.equal(evNone.status, 401);
  assert.equal(redis.cmd('XLEN', 'out'), 2);
  // no secret in the log
  assert.ok(!sb.stdout.includes('k-orders-123') && !sb.stdout.includes('wJalrXUtnFEMI'));
});

test('a rate per key: over it, 429 ThrottlingException with Retry-After', async () => {
  const codes = [];
  for (let i = 0; i < 4; i++) codes.push(await put({ 'X-Api-Key': 'k-limited-456' }));
  assert.deepEqual(codes.slice(0, 2).map((r) => r.status), [200, 200]);
  const over = codes.find((r) => r.status === 429);
  assert.ok(over, 'a request over the rate is refused');
  assert.equal(over.body.__type, 'ThrottlingException');
  assert.match(over.headers.get('retry-after'), /^\d+$/);
});

test('SigV4: the AWS SDK signs and is let in; a wrong secret is refused', async () => {
  const client = (secret) => new EventBridgeClient({ endpoint: sb.endpoint(), region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDSIGNALBOXTEST', secretAccessKey: secret } });
  const ok = await client('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY').send(new PutEventsCommand(entries('orders')));
  assert.equal(ok.FailedEntryCount, 0);
  assert.equal(redis.cmd('XLEN', 'orders'), 1);
  await assert.rejects(client('not-the-secret').send(new PutEventsCommand(entries())),
    (e) => e.name === 'InvalidSignatureException' && /does not match/.test(e.message));
  await assert.rejects(new EventBridgeClient({ endpoint: sb.endpoint(), region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'x' } }).send(new PutEventsCommand(entries())),
  (e) => e.name === 'InvalidSignatureException');
});

test('SigV4: the aws CLI signs and is let in', () => {
  const out = execFileSync('aws', ['events', 'put-events', '--endpoint-url', sb.endpoint(), '--region', 'us-east-1',
    '--output', 'json', '--entries', JSON.stringify(entries().Entries)], {
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDSIGNALBOXTEST', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', AWS_PAGER: '' } });
  assert.equal(JSON.parse(out).FailedEntryCount, 0);
});

async function signed(body, signingDate) {
  const signer = new SignatureV4({ service: 'events', region: 'us-east-1', sha256: Sha256,
    credentials: { accessKeyId: 'AKIDSIGNALBOXTEST', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } });
  const url = new URL(sb.url('/'));
  return signer.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/',
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' }, body },
  { signingDate });
}

test('SigV4: a replayed signature outside the 5-minute window and a tampered body are refused', async () => {
  const body = JSON.stringify(entries());
  const fresh = await signed(body, new Date());
  const send = (req, b) => fetch(sb.url('/'), { method: 'POST', headers: req.headers, body: b });
  assert.equal((await send(fresh, body)).status, 200);
  const tampered = await send(fresh, body.replace('"Source":"app"', '"Source":"evil"'));
  assert.notEqual(body.replace('"Source":"app"', '"Source":"evil"'), body);
  assert.equal(tampered.status, 403);
  const old = await signed(body, new Date(Date.now() - 10 * 60 * 1000));
  const replay = await send(old, body);
  assert.equal(replay.status, 403);
  assert.match((await replay.json()).message, /Signature expired/);
});

test('admin paths on their own listener; the ingest listener does not serve them', async () => {
  assert.equal((await fetch(`http://127.0.0.1:${adminPort}/metrics`)).status, 200);
  assert.equal((await fetch(`http://127.0.0.1:${adminPort}/healthz`)).status, 200);
  assert.equal((await fetch(sb.url('/metrics'))).status, 404);
  assert.equal((await fetch(`http://127.0.0.1:${adminPort}/`, { method: 'POST', body: '{}' })).status, 405);
});

test('a listener reachable from other hosts without auth-file is refused unless explicit', () => {
  const r = spawnSync(...signalboxCommand(['serve', '--rules', tempDir('sb-rules-'), '--listen', '0.0.0.0:0']), { timeout: 10000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr.toString(), /reachable from other hosts and no auth-file is set/);
  const bad = spawnSync(...signalboxCommand(['serve', '--rules', tempDir('sb-rules-'), '--auth-file', '/nonexistent/auth.yaml']), { timeout: 10000 });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr.toString(), /cannot read the auth file \/nonexistent\/auth.yaml/);
});
