// events.test.mjs - `POST /events` (EventBridge-shaped events and CloudEvents) and HTTP targets
// (method, path values, query, headers, traceparent, credentials), against a real HTTP
// receiver and redis-server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis, Receiver, Signalbox } from './harness.mjs';

let redis, hook, oauth, sb;
let tokensIssued = 0;
let validToken = 1; // the token number the hook accepts

before(async () => {
  redis = await Redis.start();
  hook = await Receiver.start((req) => {
    if (req.url.startsWith('/fail400')) return { status: 400, body: '{"error":"bad"}' };
    if (req.url.startsWith('/oauth') && req.headers.authorization !== `Bearer tok-${validToken}`) return { status: 401, body: '' };
    return { status: 200, body: '{}' };
  });
  oauth = await Receiver.start(() => { tokensIssued++; return { status: 200, body: JSON.stringify({ access_token: `tok-${tokensIssued}`, expires_in: 3600 }) }; });
  const rules = {
    'all.json': JSON.stringify({ Rules: [
      { Name: 'to-stream', EventPattern: { source: ['app'] }, Targets: [{ Id: 's', Arn: 'redis:stream:app' }] },
      { Name: 'to-hook', EventPattern: { source: ['app'], 'detail-type': ['Hook'] }, Targets: [{
        Id: 'h', Arn: hook.url('/orders/*/events'),
        HttpParameters: { PathParameterValues: ['o 1'], QueryStringParameters: { v: '2', q: 'a b' },
          HeaderParameters: { 'X-Team': 'payments' } },
        InputPath: '$.detail' }] },
      { Name: 'to-hook-key', EventPattern: { source: ['auth'], 'detail-type': ['Key'] }, Targets: [{
        Id: 'k', Arn: hook.url('/key'), ConnectionName: 'key' }] },
      { Name: 'to-hook-basic', EventPattern: { source: ['auth'], 'detail-type': ['Basic'] }, Targets: [{
        Id: 'b', Arn: hook.url('/basic'), ConnectionName: 'basic', HttpParameters: { HttpMethod: 'PUT' } }] },
      { Name: 'to-hook-oauth', EventPattern: { source: ['auth'], 'detail-type': ['OAuth'] }, Targets: [{
        Id: 'o', Arn: hook.url('/oauth'), ConnectionName: 'oauth' }] },
      { Name: 'to-400', EventPattern: { source: ['bad'] }, Targets: [{ Id: 'x', Arn: hook.url('/fail400') }] },
      { Name: 'ce', EventPattern: { source: ['urn:ce'] }, Targets: [{ Id: 'c', Arn: 'redis:list:ce' }] },
    ] }),
  };
  const config = [
    'connections:',
    '  key: { type: api-key, header: X-Api-Key, value: s3cret-key }',
    '  basic: { type: basic, username: ann, password: pw }',
    `  oauth: { type: oauth-client-credentials, token-url: "${oauth.url('/token')}", client-id: cid, client-secret: csecret }`,
  ].join('\n');
  sb = await Signalbox.start({ rules, redis, config });
});

after(async () => {
  if (sb) assert.equal((await sb.stop()).code, 0);
  await redis?.stop();
  await hook?.stop();
  await oauth?.stop();
});

async function post(path, body, headers = {}) {
  const res = await fetch(sb.url(path), { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', ...headers } });
  return { status: res.status, body: await res.json() };
}

test('POST /events: one event and a list, in EventBridge\'s shape', async () => {
  let r = await post('/events', { source: 'app', 'detail-type': 'Plain', detail: { n: 1 } });
  assert.equal(r.status, 200);
  assert.equal(r.body.FailedEntryCount, 0);
  r = await post('/events', [{ source: 'app', 'detail-type': 'Plain', detail: { n: 2 } },
    { source: 'app', 'detail-type': 'Plain', detail: 'not an object' }]);
  assert.equal(r.body.FailedEntryCount, 1);
  assert.equal(r.body.Entries[1].ErrorCode, 'MalformedDetail');
  const ns = redis.streamEvents('app').map((e) => e.detail.n);
  assert.deepEqual(ns, [1, 2]);
});

test('HTTP target: path values, query string, headers, traceparent, InputPath', async () => {
  const before = hook.requests.length;
  const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const r = await post('/events', { source: 'app', 'detail-type': 'Hook', detail: { order: 'o 1', total: 3 } }, { traceparent: tp });
  assert.equal(r.status, 200);
  const req = hook.requests[before];
  assert.equal(req.method, 'POST');
  assert.equal(req.url, '/orders/o%201/events?v=2&q=a%20b');
  assert.equal(req.headers['x-team'], 'payments');
  assert.equal(req.headers['content-type'], 'application/json');
  assert.equal(req.headers.traceparent, tp);
  assert.deepEqual(JSON.parse(req.body), { order: 'o 1', total: 3 });
});

test('HTTP target credentials: API key, basic, OAuth with refresh on 401', async () => {
  let before = hook.requests.length;
  await post('/events', { source: 'auth', 'detail-type': 'Key', detail: {} });
  assert.equal(hook.requests[before].headers['x-api-key'], 's3cret-key');
  before = hook.requests.length;
  await post('/events', { source: 'auth', 'detail-type': 'Basic', detail: {} });
  assert.equal(hook.requests[before].method, 'PUT');
  assert.equal(hook.requests[before].headers.authorization, `Basic ${Buffer.from('ann:pw').toString('base64')}`);
  before = hook.requests.length;
  let r = await post('/events', { source: 'auth', 'detail-type': 'OAuth', detail: {} });
  assert.equal(hook.requests[before].headers.authorization, 'Bearer tok-1');
  assert.equal(r.body.FailedEntryCount, 0);
  // the token is revoked: the hook answers 401 to tok-1, signalbox fetches a new token (tok-2)
  // and sends again, once
  validToken = tokensIssued + 1;
  before = hook.requests.length;
  r = await post('/events', { source: 'auth', 'detail-type': 'OAuth', detail: {} });
  assert.equal(r.body.FailedEntryCount, 0);
  assert.deepEqual(hook.requests.slice(before).map((q) => q.headers.authorization), ['Bearer tok-1', 'Bearer tok-2']);
  assert.ok(!sb.stdout.includes('s3cret-key') && !sb.stdout.includes('csecret'), 'secrets stay out of the logs');
});

test('a 400 from a target fails the delivery for good, logged and counted', async () => {
  const r = await post('/events', { source: 'bad', 'detail-type': 'x', detail: {} });
  assert.equal(r.status, 200); // accepted; the delivery failed
  const logs = sb.logs().filter((l) => l.target === 'x' && l.level === 'warn');
  assert.ok(logs.length >= 1, 'a warning names the target');
  assert.match(logs.at(-1).msg, /HTTP 400/);
  const metrics = await (await fetch(sb.url('/metrics'))).text();
  assert.match(metrics, /signalbox_deliveries_total\{[^}]*target="x"[^}]*outcome="fail"[^}]*\} 1/);
});

test('CloudEvents: structured, batch and binary', async () => {
  let r = await post('/events', { specversion: '1.0', id: 'ce-1', source: 'urn:ce', type: 'com.example.one', data: { a: 1 } },
    { 'Content-Type': 'application/cloudevents+json' });
  assert.equal(r.status, 200);
  assert.equal(r.body.Entries[0].EventId, 'ce-1');
  r = await post('/events', [{ specversion: '1.0', id: 'ce-2', source: 'urn:ce', type: 't', data: 'text' },
    { specversion: '1.0', id: 'ce-3', source: 'urn:ce', type: 't', subject: 'sub' }],
  { 'Content-Type': 'application/cloudevents-batch+json' });
  assert.equal(r.body.FailedEntryCount, 0);
  r = await post('/events', { b: 2 }, { 'ce-specversion': '1.0', 'ce-id': 'ce-4', 'ce-source': 'urn:ce', 'ce-type': 'bin' });
  assert.equal(r.body.Entries[0].EventId, 'ce-4');
  r = await post('/events', { specversion: '0.3', id: 'x', source: 's', type: 't' }, { 'Content-Type': 'application/cloudevents+json' });
  assert.equal(r.body.Entries[0].ErrorCode, 'InvalidArgument');
  const got = redis.cmd('LRANGE', 'ce', 0, -1).map((s) => JSON.parse(s));
  assert.deepEqual(got.map((e) => [e.id, e['detail-type'], e.detail]), [
    ['ce-1', 'com.example.one', { a: 1 }], ['ce-2', 't', { data: 'text' }], ['ce-3', 't', {}], ['ce-4', 'bin', { b: 2 }]]);
  assert.deepEqual(got[2].resources, ['sub']);
});

test('metrics, health and readiness', async () => {
  const m = await (await fetch(sb.url('/metrics'))).text();
  assert.match(m, /# TYPE signalbox_events_in_total counter/);
  assert.match(m, /signalbox_events_in_total\{source="http",bus="default"\} \d+/);
  assert.match(m, /signalbox_rule_matches_total\{rule="to-stream",bus="default"\} \d+/);
  assert.match(m, /signalbox_delivery_seconds_bucket\{le="0.005"\} \d+/);
  assert.equal((await fetch(sb.url('/healthz'))).status, 200);
  const ready = await fetch(sb.url('/readyz'));
  assert.equal(ready.status, 200);
});

test('HTTP target: a burst beyond the connection limit waits its turn, without timing out', { timeout: 60000 }, async () => {
  // 400 deliveries to one origin whose answers take 200 ms: 64 at a time is seven rounds,
  // 1.4 s, twice the http-timeout; a delivery's time limit starts when it gets a connection
  let now = 0, most = 0;
  const slow = await Receiver.start(async () => {
    most = Math.max(most, ++now);
    await new Promise((r) => setTimeout(r, 200));
    now--;
    return { status: 204 };
  });
  const r2 = await Redis.start();
  const sb2 = await Signalbox.start({ redis: r2, args: ['--http-timeout', '700ms'], rules: { 'r.json': JSON.stringify({
    Name: 'slow', EventPattern: { source: ['burst'] }, Targets: [{ Id: 's', Arn: slow.url('/in') }] }) } });
  try {
    const calls = [];
    for (let c = 0; c < 40; c++) {
      calls.push(fetch(sb2.url('/'), { method: 'POST', headers: { 'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': 'AWSEvents.PutEvents' }, body: JSON.stringify({ Entries: Array.from({ length: 10 }, (_, i) => ({
        Source: 'burst', DetailType: 'T', Detail: JSON.stringify({ n: c * 10 + i }) })) }) }).then((r) => r.json()));
    }
    for (const body of await Promise.all(calls)) assert.equal(body.FailedEntryCount, 0);
    const ns = slow.requests.map((q) => JSON.parse(q.body).detail.n).sort((a, b) => a - b);
    assert.deepEqual(ns, Array.from({ length: 400 }, (_, i) => i), 'each delivered once');
    assert.ok(most <= 64, `at most 64 requests at once at the target (${most})`);
    const m = (await (await fetch(sb2.url('/metrics'))).text()).match(/^signalbox_delivery_retries_total (\S+)$/m);
    assert.equal(Number(m[1]), 0, 'no delivery timed out waiting for a connection');
    assert.equal((await sb2.stop()).code, 0);
  } finally {
    if (sb2.proc.exitCode === null && sb2.proc.signalCode === null) sb2.proc.kill('SIGKILL');
    await slow.stop();
    await r2.stop();
  }
});
