// kafka.test.mjs - the Kafka source against librdkafka's mock cluster (started by
// `signalbox serve --kafka-mock`), fed by kcat and kafkajs, delivering into a real
// redis-server: every payload format, poison messages, and pausing under a slow target.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { Redis, Receiver, Signalbox, sleep } from './harness.mjs';

let redis, sb, bootstrap;

async function waitFor(what, fn, ms = 20000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function kcat(topic, lines, args = []) {
  execFileSync('kcat', ['-P', '-b', bootstrap, '-t', topic, ...args], { input: lines.join('\n') + '\n' });
}

before(async () => {
  redis = await Redis.start();
  sb = await Signalbox.start({ redis,
    rules: { 'r.json': JSON.stringify({ Rules: [
      { Name: 'all', EventPattern: { source: [{ prefix: '' }] }, Targets: [{ Id: 's', Arn: 'redis:stream:all' }] },
      { Name: 'keyed', EventPattern: { kafka: { key: ['vip'] } }, Targets: [{ Id: 'k', Arn: 'redis:list:vip' }] },
    ] }) },
    args: ['--kafka-mock', '--kafka-topics', 'eb:eventbridge,ce:cloudevents,raw=default:plain'] });
  await waitFor('the mock bootstrap', () => /bootstrap.servers=/.test(sb.stdout));
  bootstrap = sb.stdout.match(/bootstrap.servers=([0-9.:]+)/)[1];
  await waitFor('partitions assigned', () => /partition\(s\) assigned/.test(sb.stdout));
});

after(async () => {
  if (sb) assert.equal((await sb.stop()).code, 0);
  await redis?.stop();
});

const events = () => redis.streamEvents('all');

test('kcat: EventBridge, CloudEvents and plain payloads land in Redis byte for byte', async () => {
  kcat('eb', ['{"source":"kcat.eb","detail-type":"T","detail":{"n":1,"s":"\u00e9"},"resources":["r"]}']);
  kcat('ce', ['{"specversion":"1.0","id":"ce-1","source":"kcat.ce","type":"T","data":{"n":2}}']);
  kcat('raw', ['{"n":3}'], ['-k', 'vip', '-H', 'source=kcat.raw', '-H', 'detail-type=Raw']);
  kcat('ce', ['{"n":4}'], ['-H', 'ce_specversion=1.0', '-H', 'ce_id=ce-2', '-H', 'ce_source=kcat.bin', '-H', 'ce_type=Bin']);
  await waitFor('4 events', () => events().length >= 4);
  const by = Object.fromEntries(events().map((e) => [e.source, e]));
  assert.deepEqual(by['kcat.eb'].detail, { n: 1, s: '\u00e9' });
  assert.deepEqual(by['kcat.eb'].resources, ['r']);
  assert.equal(by['kcat.ce'].id, 'ce-1');
  assert.deepEqual(by['kcat.ce'].detail, { n: 2 });
  assert.equal(by['kcat.raw']['detail-type'], 'Raw');
  assert.deepEqual(by['kcat.raw'].detail, { n: 3 });
  assert.equal(by['kcat.raw'].kafka.topic, 'raw');
  assert.equal(by['kcat.raw'].kafka.key, 'vip');
  assert.equal(typeof by['kcat.raw'].kafka.offset, 'number');
  assert.equal(by['kcat.bin'].id, 'ce-2');
  assert.deepEqual(by['kcat.bin'].detail, { n: 4 });
  // a pattern on the Kafka key
  const vip = redis.cmd('LRANGE', 'vip', 0, -1).map((s) => JSON.parse(s));
  assert.deepEqual(vip.map((e) => e.detail), [{ n: 3 }]);
});

test('kafkajs (an independent client) produces; poison messages are skipped, counted, logged', async () => {
  const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  const before = events().length;
  await producer.send({ topic: 'eb', messages: [
    { key: 'a', value: 'not json at all' },
    { key: 'a', value: JSON.stringify({ source: 'kafkajs', 'detail-type': 'T', detail: { n: 5 } }) },
    { key: 'a', value: JSON.stringify({ 'detail-type': 'no source', detail: {} }) },
    { key: 'a', value: JSON.stringify({ source: 'kafkajs', 'detail-type': 'T', detail: { n: 6 } }) },
  ] });
  await producer.disconnect();
  await waitFor('2 more events', () => events().length >= before + 2);
  assert.deepEqual(events().filter((e) => e.source === 'kafkajs').map((e) => e.detail.n), [5, 6]);
  await waitFor('poison counted', async () => /signalbox_kafka_poison_messages_total\{topic="eb"\} 2/
    .test(await (await fetch(sb.url('/metrics'))).text()));
  const warn = sb.logs().filter((l) => l.component === 'kafka' && /cannot be decoded/.test(l.msg));
  assert.ok(warn.some((l) => /eb\[\d+\]@\d+/.test(l.msg)), 'the log names topic[partition]@offset');
});

test('poison in the CloudEvents and plain formats: skipped and counted, the partitions go on', async () => {
  const before = events().length;
  // single-partition order is not needed: every good message must arrive, every bad one be counted
  kcat('ce', ['{"specversion":"1.0","source":"kcat.ce","type":"T"}']); // no id
  kcat('ce', ['{"specversion":"0.3","id":"x","source":"kcat.ce","type":"T"}']); // wrong version
  kcat('ce', ['{"n":1}'], ['-H', 'ce_specversion=1.0', '-H', 'ce_source=kcat.bin']); // binary, no id/type
  kcat('ce', ['[not json'], ['-H', 'ce_specversion=1.0', '-H', 'ce_id=i', '-H', 'ce_source=s', '-H', 'ce_type=t']);
  kcat('ce', ['{"specversion":"1.0","id":"ce-ok","source":"kcat.ce.after","type":"T","data":{}}']);
  kcat('raw', ['{"unterminated": '], ['-H', 'source=kcat.raw.bad']);
  kcat('raw', ['{"n":9}'], ['-H', 'source=kcat.raw.after']);
  await waitFor('the two good messages', () => events().length >= before + 2);
  assert.deepEqual(events().slice(before).map((e) => e.source).sort(), ['kcat.ce.after', 'kcat.raw.after']);
  await waitFor('poison counted', async () => {
    const m = await (await fetch(sb.url('/metrics'))).text();
    return /signalbox_kafka_poison_messages_total\{topic="ce"\} 4\b/.test(m) &&
      /signalbox_kafka_poison_messages_total\{topic="raw"\} 1\b/.test(m);
  });
});
