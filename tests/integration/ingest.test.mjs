// ingest.test.mjs - EventBridge-compatible ingest end to end: the aws CLI and the AWS SDK for
// JavaScript against `signalbox serve`, events landing in a real redis-server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { EventBridgeClient, PutEventsCommand, TestEventPatternCommand } from '@aws-sdk/client-eventbridge';
import { Redis, Signalbox, awsCli } from './harness.mjs';

let redis, sb, client;

const rules = {
  'orders.json': JSON.stringify({
    Name: 'orders', EventPattern: { source: ['shop.orders'] },
    Targets: [{ Id: 'stream', Arn: 'redis:stream:orders' }],
  }),
  'large.yaml': [
    '# a YAML rule with a transformer',
    'Name: large-orders',
    'EventPattern:',
    '  source: ["shop.orders"]',
    '  detail:',
    '    total: [{ "numeric": [">", 1000] }]',
    'Targets:',
    '  - Id: list',
    '    Arn: redis:list:large',
    '    InputTransformer:',
    '      InputPathsMap: { id: "$.detail.id", total: "$.detail.total" }',
    '      InputTemplate: \'{"order": <id>, "total": <total>, "rule": "<aws.events.rule-name>"}\'',
  ].join('\n'),
  'audit.json': JSON.stringify({
    Rules: [{ Name: 'audit', EventBusName: 'audit', EventPattern: { 'detail-type': [{ prefix: 'Audit' }] },
      Targets: [{ Id: 'pub', Arn: 'redis:stream:audit' }] }],
  }),
};

before(async () => {
  redis = await Redis.start();
  sb = await Signalbox.start({ rules, redis });
  client = new EventBridgeClient({ endpoint: sb.endpoint(), region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});

after(async () => {
  client?.destroy();
  if (sb) assert.equal((await sb.stop()).code, 0, 'signalbox exits 0 on SIGTERM');
  await redis?.stop();
});

test('aws CLI put-events: answered with event ids, delivered to the stream', async () => {
  const detail = JSON.stringify({ id: 'o-1', total: 12.5 });
  const out = awsCli(sb, ['put-events', '--entries', JSON.stringify([{ Source: 'shop.orders', DetailType: 'OrderPlaced',
    Detail: detail, Resources: ['arn:aws:shop:eu:1:order/o-1'] }])]);
  assert.equal(out.FailedEntryCount, 0);
  assert.equal(out.Entries.length, 1);
  const id = out.Entries[0].EventId;
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const events = redis.streamEvents('orders');
  const ev = events.find((e) => e.id === id);
  assert.ok(ev, 'the event is in the stream when the call returns');
  assert.equal(ev.version, '0');
  assert.equal(ev.source, 'shop.orders');
  assert.equal(ev['detail-type'], 'OrderPlaced');
  assert.deepEqual(ev.detail, { id: 'o-1', total: 12.5 });
  assert.deepEqual(ev.resources, ['arn:aws:shop:eu:1:order/o-1']);
  assert.equal(ev.account, '123456789012');
  assert.equal(ev.region, 'us-east-1');
  assert.match(ev.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

test('SDK PutEvents: Time as epoch seconds, per-entry errors with HTTP 200', async () => {
  const res = await client.send(new PutEventsCommand({ Entries: [
    { Source: 'shop.orders', DetailType: 'OrderPlaced', Detail: JSON.stringify({ id: 'o-2', total: 5000 }),
      Time: new Date('2026-01-02T03:04:05Z') },
    { Source: 'shop.orders', DetailType: 'OrderPlaced', Detail: '{not json' },
    { DetailType: 'OrderPlaced', Detail: '{}' },
    { Source: 'x', DetailType: 'y', Detail: '{}', EventBusName: 'nope' },
  ] }));
  assert.equal(res.FailedEntryCount, 3);
  assert.ok(res.Entries[0].EventId);
  assert.equal(res.Entries[1].ErrorCode, 'MalformedDetail');
  assert.equal(res.Entries[2].ErrorCode, 'InvalidArgument');
  assert.match(res.Entries[2].ErrorMessage, /Source/);
  assert.equal(res.Entries[3].ErrorCode, 'ResourceNotFoundException');
  const ev = redis.streamEvents('orders').find((e) => e.id === res.Entries[0].EventId);
  assert.equal(ev.time, '2026-01-02T03:04:05Z');
  // the transformer's output on the list target
  const large = redis.cmd('LRANGE', 'large', 0, -1).map((s) => JSON.parse(s));
  assert.deepEqual(large.at(-1), { order: 'o-2', total: 5000, rule: 'large-orders' });
});

test('SDK PutEvents: request-level validation errors', async () => {
  const eleven = Array.from({ length: 11 }, () => ({ Source: 's', DetailType: 'd', Detail: '{}' }));
  await assert.rejects(client.send(new PutEventsCommand({ Entries: eleven })), (e) => e.name === 'ValidationException');
  const big = 'x'.repeat(200 * 1024);
  await assert.rejects(client.send(new PutEventsCommand({ Entries: [
    { Source: 's', DetailType: 'd', Detail: JSON.stringify({ a: big }) },
    { Source: 's', DetailType: 'd', Detail: JSON.stringify({ b: big }) }] })),
  (e) => e.name === 'ValidationException' || e.$metadata?.httpStatusCode === 413);
});

test('event buses: a named bus routes only its rules', async () => {
  const res = await client.send(new PutEventsCommand({ Entries: [
    { Source: 'ops', DetailType: 'AuditLogin', Detail: '{"user":"ann"}', EventBusName: 'audit' },
    { Source: 'ops', DetailType: 'AuditLogin', Detail: '{"user":"bob"}',
      EventBusName: 'arn:aws:events:us-east-1:123456789012:event-bus/audit' },
    { Source: 'ops', DetailType: 'AuditLogin', Detail: '{"user":"cy"}' },
  ] }));
  assert.equal(res.FailedEntryCount, 0);
  const users = redis.streamEvents('audit').map((e) => e.detail.user);
  assert.deepEqual(users, ['ann', 'bob']);
});

test('TestEventPattern through the CLI and the SDK', async () => {
  const event = JSON.stringify({ id: '1', source: 'shop.orders', 'detail-type': 'x', account: '123456789012',
    time: '2026-01-01T00:00:00Z', region: 'us-east-1', resources: [], detail: { total: 10 } });
  const yes = awsCli(sb, ['test-event-pattern', '--event-pattern', '{"detail":{"total":[{"numeric":[">",5]}]}}', '--event', event]);
  assert.equal(yes.Result, true);
  const no = await client.send(new TestEventPatternCommand({ EventPattern: '{"source":["other"]}', Event: event }));
  assert.equal(no.Result, false);
  await assert.rejects(client.send(new TestEventPatternCommand({ EventPattern: '{"source":[{"prefx":"a"}]}', Event: event })),
    (e) => e.name === 'InvalidEventPatternException' && /prefx/.test(e.message));
});

test('bad requests get errors in the protocol\'s own form', async () => {
  let r = await sb.putEventsRaw('{"Entries": [');
  assert.equal(r.status, 400);
  assert.equal(r.body.__type, 'SerializationException');
  r = await sb.putEventsRaw('{"Entries": []}');
  assert.equal(r.body.__type, 'ValidationException');
  r = await sb.putEventsRaw('{}', 'AWSEvents.DeleteRule');
  assert.equal(r.status, 400);
  assert.equal(r.body.__type, 'UnknownOperationException');
  const wrongType = await fetch(sb.url('/events'), { method: 'POST', body: '{}', headers: { 'Content-Type': 'text/plain' } });
  assert.equal(wrongType.status, 415);
  const notJson = await fetch(sb.url('/events'), { method: 'POST', body: '[{', headers: { 'Content-Type': 'application/json' } });
  assert.equal(notJson.status, 400);
  assert.match((await notJson.json()).message, /not valid JSON/);
  // a body over max-body is refused from its Content-Length, before it is read (a client that
  // keeps sending may see the connection close instead of the answer: ask with headers only)
  const answer = await new Promise((ok, fail) => {
    const s = net.connect(sb.port, '127.0.0.1', () => s.write('POST /events HTTP/1.1\r\nHost: x\r\n' +
      'Content-Type: application/json\r\nContent-Length: 2097152\r\n\r\n'));
    let got = '';
    s.on('data', (d) => { got += d; if (got.includes('\r\n\r\n')) { s.destroy(); ok(got); } });
    s.on('error', fail);
    s.setTimeout(5000, () => fail(new Error('no answer')));
  });
  assert.match(answer, /^HTTP\/1\.1 413/);
  // and it still serves
  assert.equal((await fetch(sb.url('/healthz'))).status, 200);
});
