// kafka_recovery.test.mjs - at-least-once through crashes: a router killed with SIGKILL in the
// middle of a stream and restarted, two routers in one group with one of them killed, and
// partitions paused under a slow target. The broker is `signalbox kafka-mock`, in a process of
// its own, so that it outlives the routers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KafkaMock, Redis, Receiver, Signalbox, sleep, tempDir } from './harness.mjs';

const rule = JSON.stringify({ Name: 'all', EventPattern: { source: ['seq'] },
  Targets: [{ Id: 's', Arn: 'redis:stream:out' }] });
// fast failure detection for the takeover test (the mock honours the session timeout)
const fast = 'session.timeout.ms=6000,heartbeat.interval.ms=500';

function seqs(redis) {
  const got = new Set();
  for (const e of redis.streamEvents('out')) got.add(e.detail.seq);
  return got;
}

// waits until the stream holds n distinct sequence numbers (cheap XLEN first)
async function waitForAll(redis, n, ms) {
  await waitFor(`${n} events`, () => redis.cmd('XLEN', 'out') >= n, ms);
  const end = Date.now() + ms;
  while (seqs(redis).size < n && Date.now() < end) await sleep(1000);
}

async function waitFor(what, fn, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function messages(from, to) {
  const lines = [];
  for (let i = from; i < to; i++) lines.push(`k${i % 64}:{"seq":${i}}`);
  return lines;
}

test('SIGKILL in the middle of 100,000 events, then a restart: every event is delivered', { timeout: 180000 }, async () => {
  const N = 100000;
  const kafka = await KafkaMock.start(['stream']);
  const redis = await Redis.start();
  const dir = tempDir('sb-rules-');
  const args = ['--kafka-brokers', kafka.bootstrap, '--kafka-topics', 'stream:plain', '--kafka-group', 'g1',
    '--kafka-properties', fast];
  const rules = { 'r.json': rule.replace('"seq"', '"stream"') };
  let sb = await Signalbox.start({ rules, redis, args, dir });
  await waitFor('assignment', () => /assigned/.test(sb.stdout), 30000);
  kafka.produce('stream', messages(0, N), ['-K:']);
  await waitFor('the stream to start', () => redis.cmd('XLEN', 'out') >= 2000, 60000);
  await sb.stop('SIGKILL', true);
  const atKill = redis.cmd('XLEN', 'out');
  assert.ok(atKill < N, `killed mid-stream (${atKill} of ${N} delivered)`);
  sb = await Signalbox.start({ rules, redis, args, dir });
  await waitForAll(redis, N, 120000);
  const delivered = redis.cmd('XLEN', 'out');
  assert.equal(seqs(redis).size, N, 'every sequence number arrived');
  assert.ok(delivered >= N, `${delivered} deliveries (replays are allowed, losses are not)`);
  assert.equal((await sb.stop()).code, 0);
  await redis.stop();
  kafka.stop();
});

test('two routers in one group split the partitions; one is killed, the other takes over', { timeout: 180000 }, async () => {
  const N = 20000;
  const kafka = await KafkaMock.start(['shared'], 6);
  const redis = await Redis.start();
  const args = ['--kafka-brokers', kafka.bootstrap, '--kafka-topics', 'shared:plain', '--kafka-group', 'g2',
    '--kafka-properties', fast];
  const rules = { 'r.json': rule.replace('"seq"', '"shared"') };
  const a = await Signalbox.start({ rules, redis, args });
  const b = await Signalbox.start({ rules, redis, args });
  await waitFor('both assigned', () => /assigned/.test(a.stdout) && /assigned/.test(b.stdout), 60000);
  kafka.produce('shared', messages(0, N / 2), ['-K:']);
  await waitFor('first half', () => redis.cmd('XLEN', 'out') >= N / 2, 60000);
  await a.stop('SIGKILL');
  kafka.produce('shared', messages(N / 2, N), ['-K:']);
  await waitForAll(redis, N, 120000);
  assert.equal(seqs(redis).size, N);
  assert.equal((await b.stop()).code, 0);
  await redis.stop();
  kafka.stop();
});

test('a slow target pauses the partitions, which resume when it catches up', { timeout: 120000 }, async () => {
  const kafka = await KafkaMock.start(['slow'], 2);
  const redis = await Redis.start();
  const hook = await Receiver.start(async () => { await sleep(20); return { status: 200, body: '{}' }; });
  const rules = { 'r.json': JSON.stringify({ Name: 'hook', EventPattern: { source: ['slow'] },
    Targets: [{ Id: 'h', Arn: hook.url('/in') }] }) };
  const sb = await Signalbox.start({ rules, redis, args: ['--kafka-brokers', kafka.bootstrap,
    '--kafka-topics', 'slow:plain', '--kafka-max-in-flight', '20'] });
  await waitFor('assignment', () => /assigned/.test(sb.stdout), 30000);
  kafka.produce('slow', messages(0, 300), ['-K:']);
  await waitFor('all delivered', () => hook.requests.length >= 300, 60000);
  const kafkaLogs = sb.logs().filter((l) => l.component === 'kafka').map((l) => l.msg);
  assert.ok(kafkaLogs.some((m) => /^paused/.test(m)), 'paused when 20 were in flight');
  assert.ok(kafkaLogs.some((m) => /^resumed/.test(m)), 'resumed');
  const seen = new Set(hook.requests.map((r) => JSON.parse(r.body).detail.seq));
  assert.equal(seen.size, 300);
  assert.equal((await sb.stop()).code, 0);
  await hook.stop();
  await redis.stop();
  kafka.stop();
});
