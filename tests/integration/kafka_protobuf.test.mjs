// kafka_protobuf.test.mjs - CloudEvents in the protobuf format on a Kafka topic: encoded by
// protobufjs (an independent implementation) from proto/cloudevents.proto, produced by kafkajs
// into the mock cluster, routed into a real redis-server; and the poison messages of this
// format (bytes that are not protobuf, a wrong spec_version, text_data declared JSON that is
// not, a message over max-body), each skipped, counted and logged while the partition goes on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import protobuf from 'protobufjs';
import { Kafka, logLevel } from 'kafkajs';
import { Redis, Signalbox, sleep } from './harness.mjs';

const protoFile = resolve(dirname(fileURLToPath(import.meta.url)), '../../proto/cloudevents.proto');
let redis, sb, bootstrap, CloudEvent, producer;

async function waitFor(what, fn, ms = 20000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const encode = (fields) => Buffer.from(CloudEvent.encode(CloudEvent.fromObject(fields)).finish());
const events = () => redis.streamEvents('pb');

before(async () => {
  CloudEvent = (await protobuf.load(protoFile)).lookupType('io.cloudevents.v1.CloudEvent');
  redis = await Redis.start();
  sb = await Signalbox.start({ redis,
    rules: { 'r.json': JSON.stringify({ Name: 'all', EventBusName: 'orders', EventPattern: { source: [{ prefix: 'pb.' }] },
      Targets: [{ Id: 's', Arn: 'redis:stream:pb' }] }) },
    args: ['--kafka-mock', '--kafka-topics', 'cepb=orders:protobuf', '--max-body', '4096'] });
  await waitFor('partitions assigned', () => /partition\(s\) assigned/.test(sb.stdout));
  bootstrap = sb.stdout.match(/bootstrap.servers=([0-9.:]+)/)[1];
  producer = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
});

after(async () => {
  await producer?.disconnect();
  if (sb) assert.equal((await sb.stop()).code, 0);
  await redis?.stop();
});

test('protobuf CloudEvents: attributes, text, binary and proto data become the event', async () => {
  await producer.send({ topic: 'cepb', messages: [
    { key: 'a', value: encode({ id: 'pb-1', source: 'pb.orders', specVersion: '1.0', type: 'OrderPlaced',
      attributes: {
        time: { ceTimestamp: { seconds: 1795000000, nanos: 5 } },
        subject: { ceString: 'order/42' },
        datacontenttype: { ceString: 'application/json' },
        priority: { ceInteger: 7 },
      },
      textData: '{"order":42,"total":9.5,"name":"\u00e9t\u00e9"}' }) },
    { key: 'a', value: encode({ id: 'pb-2', source: 'pb.text', specVersion: '1.0', type: 'Note',
      attributes: { datacontenttype: { ceString: 'text/plain' }, time: { ceString: '2026-11-26T10:00:00Z' } },
      textData: 'hello "world"' }) },
    { key: 'a', value: encode({ id: 'pb-3', source: 'pb.bin', specVersion: '1.0', type: 'Blob',
      binaryData: Buffer.from([0, 1, 2, 250, 255]) }) },
    { key: 'a', value: encode({ id: 'pb-4', source: 'pb.proto', specVersion: '1.0', type: 'Typed',
      protoData: { typeUrl: 'type.googleapis.com/x.Y', value: Buffer.from('abc') } }) },
    { key: 'a', value: encode({ id: 'pb-5', source: 'pb.scalar', specVersion: '1.0', type: 'Num', textData: '17' }) },
  ] });
  await waitFor('5 events', () => events().length >= 5);
  const by = Object.fromEntries(events().map((e) => [e.id, e]));
  assert.equal(by['pb-1'].source, 'pb.orders');
  assert.equal(by['pb-1']['detail-type'], 'OrderPlaced');
  assert.equal(by['pb-1'].time, '2026-11-18T11:06:40Z');
  assert.deepEqual(by['pb-1'].resources, ['order/42']);
  assert.deepEqual(by['pb-1'].detail, { order: 42, total: 9.5, name: '\u00e9t\u00e9' });
  assert.equal(by['pb-2'].time, '2026-11-26T10:00:00Z');
  assert.deepEqual(by['pb-2'].detail, { data: 'hello "world"' });
  assert.deepEqual(by['pb-3'].detail, { data_base64: Buffer.from([0, 1, 2, 250, 255]).toString('base64') });
  assert.deepEqual(by['pb-4'].detail, { proto_data: { type_url: 'type.googleapis.com/x.Y', value_base64: 'YWJj' } });
  assert.deepEqual(by['pb-5'].detail, { data: 17 });
});

test('protobuf poison: each bad message is skipped, counted and logged; the partition goes on', async () => {
  const before = events().length;
  const good = (id) => ({ key: 'p', value: encode({ id, source: 'pb.after', specVersion: '1.0', type: 'T', textData: '{}' }) });
  await producer.send({ topic: 'cepb', messages: [
    { key: 'p', value: Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]) },
    good('ok-1'),
    { key: 'p', value: encode({ id: 'x', source: 'pb.bad', specVersion: '0.3', type: 'T' }) },
    { key: 'p', value: encode({ id: 'y', source: 'pb.bad', specVersion: '1.0', type: 'T', textData: '{not json' }) },
    { key: 'p', value: encode({ source: 'pb.bad', specVersion: '1.0', type: 'T' }) },
    { key: 'p', value: encode({ id: 'big', source: 'pb.bad', specVersion: '1.0', type: 'T', textData: JSON.stringify({ pad: 'x'.repeat(5000) }) }) },
    good('ok-2'),
  ] });
  await waitFor('the two good events', () => events().length >= before + 2);
  assert.deepEqual(events().slice(before).map((e) => e.id), ['ok-1', 'ok-2']);
  const warned = () => sb.logs().filter((l) => /cepb\[\d+\]@\d+ cannot be decoded/.test(l.msg ?? ''));
  await waitFor('5 warnings', () => warned().length >= 5);
  const text = warned().map((l) => l.msg).join('\n');
  assert.match(text, /not a protobuf io\.cloudevents\.v1\.CloudEvent/);
  assert.match(text, /spec_version must be "1\.0", not "0\.3"/);
  assert.match(text, /text_data is not valid JSON/);
  assert.match(text, /needs id, source and type/);
  assert.match(text, /larger than the limit of 4096 \(max-body\)/);
  const metrics = await (await fetch(sb.url('/metrics'))).text();
  assert.match(metrics, /signalbox_kafka_poison_messages_total\{topic="cepb"\} 5\b/);
  // each is in the topic's dead-letter queue, with its raw bytes
  await waitFor('5 dead letters', () => redis.cmd('XLEN', 'signalbox:dlq:kafka:cepb') === 5);
  const dl = redis.cmd('XRANGE', 'signalbox:dlq:kafka:cepb', '-', '+').map(([, f]) => {
    const o = {};
    for (let i = 0; i < f.length; i += 2) o[f[i]] = f[i + 1];
    return o;
  });
  for (const e of dl) {
    assert.equal(e.kind, 'poison');
    assert.equal(e.topic, 'cepb');
    assert.equal(e.key, 'p');
    assert.equal(e.error_code, 'PoisonMessage');
    assert.match(e.offset, /^\d+$/);
  }
  const raw = Buffer.from(execFileSync('redis-cli', ['-p', String(redis.port), '--no-raw', 'XRANGE',
    'signalbox:dlq:kafka:cepb', '-', '+', 'COUNT', '1']).toString());
  assert.match(raw.toString(), /"\\xff\\xff\\xff\\xff\\x0f\\x01"/, 'the raw bytes of the first poison message');
  assert.ok(redis.cmd('SMEMBERS', 'signalbox:dlqs').includes('signalbox:dlq:kafka:cepb'));
  // the lag gauge reports the partitions of the topic, caught up
  await waitFor('the lag gauge', async () => /signalbox_kafka_consumer_lag\{topic="cepb",partition="\d+"\} 0\b/
    .test(await (await fetch(sb.url('/metrics'))).text()));
});
