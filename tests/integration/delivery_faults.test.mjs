// delivery_faults.test.mjs - nothing lost, nothing twice: retries in memory and in the Redis
// schedule through a target outage, dead letters for permanent failures and exhausted
// retries, a Redis killed and restarted (AOF) mid-run, exactly once through a SIGKILL of the
// router with idempotency keys, repeated calls with one Idempotency-Key, 429 under load, and
// flat memory with a target down for a whole run. Real redis-server, real HTTP servers, the
// mock Kafka cluster in a process of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { KafkaMock, Redis, Receiver, SLOWDOWN, Signalbox, sleep, tempDir, freePort } from './harness.mjs';

async function waitFor(what, fn, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const metric = async (sb, name) => {
  const m = (await (await fetch(sb.url('/metrics'))).text()).match(new RegExp(`^${name} (\\S+)$`, 'm'));
  return m ? Number(m[1]) : NaN;
};

function entries(redis, key) {
  return redis.cmd('XRANGE', key, '-', '+').map(([id, fields]) => {
    const f = { id };
    for (let i = 0; i < fields.length; i += 2) f[fields[i]] = fields[i + 1];
    return f;
  });
}

async function put(sb, events, headers = {}) {
  const res = await fetch(sb.url('/'), { method: 'POST', headers: { 'Content-Type': 'application/x-amz-json-1.1',
    'X-Amz-Target': 'AWSEvents.PutEvents', ...headers },
  body: JSON.stringify({ Entries: events.map((d) => ({ Source: d.source ?? 'app', DetailType: 'T', Detail: JSON.stringify(d) })) }) });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

test('a target down for a while: retries in memory, then from the Redis schedule; every event arrives', { timeout: 90000 }, async () => {
  const redis = await Redis.start();
  let upAt = Infinity;
  const delivered = [];
  const hook = await Receiver.start((q) => {
    if (Date.now() < upAt) return { status: 503, body: 'down' };
    delivered.push(JSON.parse(q.body).id);
    return { status: 200, body: '{}' };
  });
  const sb = await Signalbox.start({ redis, rules: { 'r.json': JSON.stringify({ Name: 'hook', EventPattern: { source: ['app'] },
    Targets: [{ Id: 'h', Arn: hook.url('/in') }] }) } });
  upAt = Date.now() + 6000;
  const ids = [];
  for (let b = 0; b < 4; b++) {
    const r = await put(sb, Array.from({ length: 10 }, (_, i) => ({ n: b * 10 + i })));
    assert.equal(r.status, 200);
    assert.equal(r.body.FailedEntryCount, 0);
    ids.push(...r.body.Entries.map((e) => e.EventId));
  }
  // answered before the target is back: a retry waiting in the schedule counts as settled
  assert.ok(Date.now() < upAt, 'answered while the target was still down');
  assert.ok(redis.cmd('ZCARD', 'signalbox:retry') > 0, 'retries wait in Redis');
  await waitFor('all 40 delivered after the outage', () => ids.every((id) => delivered.includes(id)), 60000);
  assert.equal(new Set(delivered).size, 40);
  assert.ok(await metric(sb, 'signalbox_delivery_retries_total') > 0, 'retried');
  assert.ok(await metric(sb, 'signalbox_retries_scheduled_total') > 0, 'retried from the schedule');
  await waitFor('the schedule to empty', () => redis.cmd('ZCARD', 'signalbox:retry') === 0, 20000);
  assert.equal(await metric(sb, 'signalbox_dead_letters_total'), 0);
  assert.equal((await sb.stop()).code, 0);
  await hook.stop();
  await redis.stop();
});

test('permanent failures and exhausted retries go to the dead-letter queues with the error', { timeout: 60000 }, async () => {
  const redis = await Redis.start();
  const hook = await Receiver.start((q) => (JSON.parse(q.body).source === 'bad' ? { status: 400, body: 'no such order' }
    : { status: 503, body: 'busy' }));
  const sb = await Signalbox.start({ redis, rules: { 'r.json': JSON.stringify({ Rules: [
    { Name: 'bad', EventPattern: { source: ['bad'] }, Targets: [{ Id: 'h', Arn: hook.url('/in') }] },
    { Name: 'busy', EventPattern: { source: ['busy'] }, Targets: [{ Id: 'h', Arn: hook.url('/in'),
      RetryPolicy: { MaximumRetryAttempts: 1 }, DeadLetterConfig: { Arn: 'redis:stream:my-dlq' } }] },
  ] }) } });
  const r1 = await put(sb, [{ source: 'bad', n: 1 }, { source: 'bad', n: 2 }, { source: 'busy', n: 3 }]);
  assert.equal(r1.status, 200);
  const [id1, id2, id3] = r1.body.Entries.map((e) => e.EventId);
  const bad = entries(redis, 'signalbox:dlq:bad:h');
  assert.deepEqual(bad.map((e) => e.event_id).sort(), [id1, id2].sort());
  for (const e of bad) {
    assert.equal(e.kind, 'delivery');
    assert.equal(e.error_code, 'HTTP 400');
    assert.equal(e.error_message, 'no such order');
    assert.equal(e.attempts, '1');
    assert.equal(e.exhausted, '');
    assert.equal(e.rule, 'bad');
    assert.equal(e.target, 'h');
    assert.equal(e.bus, 'default');
    assert.equal(JSON.parse(e.event).id, e.event_id);
    assert.ok(Number(e.last_attempt_ms) >= Number(e.first_attempt_ms));
  }
  const busy = entries(redis, 'my-dlq');
  assert.equal(busy.length, 1);
  assert.equal(busy[0].event_id, id3);
  assert.equal(busy[0].error_code, 'HTTP 503');
  assert.equal(busy[0].attempts, '2');
  assert.equal(busy[0].exhausted, 'MaximumRetryAttemptsExceeded');
  assert.deepEqual(redis.cmd('SMEMBERS', 'signalbox:dlqs').sort(), ['my-dlq', 'signalbox:dlq:bad:h']);
  assert.equal(await metric(sb, 'signalbox_dead_letters_total'), 3);
  assert.equal((await sb.stop()).code, 0);
  await hook.stop();
  await redis.stop();
});

test('Redis killed and restarted (AOF) in the middle of a run: reconnects, nothing lost', { timeout: 120000 }, async () => {
  const redis = await Redis.start({ aof: true });
  const sb = await Signalbox.start({ redis, rules: { 'r.json': JSON.stringify({ Name: 's', EventPattern: { source: ['app'] },
    Targets: [{ Id: 's', Arn: 'redis:stream:out' }] }) } });
  const ids = [];
  const calls = [];
  let n = 0;
  const send = async (batches) => {
    for (let b = 0; b < batches; b++) {
      const evs = Array.from({ length: 10 }, () => ({ n: n++ }));
      calls.push(put(sb, evs).then((r) => {
        assert.equal(r.status, 200);
        assert.equal(r.body.FailedEntryCount, 0);
        ids.push(...r.body.Entries.map((e) => e.EventId));
      }));
    }
  };
  await send(50);
  await Promise.all(calls.splice(0));
  await redis.kill();
  await send(50); // accepted while Redis is down: their deliveries wait in memory
  await sleep(1500);
  await redis.restart();
  await Promise.all(calls.splice(0));
  await send(50);
  await Promise.all(calls.splice(0));
  await waitFor('every event in the stream', () => {
    const got = new Set(redis.streamEvents('out').map((e) => e.id));
    return ids.every((id) => got.has(id));
  }, 60000);
  assert.equal(ids.length, 1500);
  assert.equal((await sb.stop()).code, 0);
  await redis.stop();
});

test('SIGKILL in the middle of a Kafka stream, restart: every event exactly once (idempotency)', { timeout: 240000 }, async () => {
  const N = 100000; // enough that the kill lands mid-stream even on a fast machine
  const kafka = await KafkaMock.start(['once']);
  const redis = await Redis.start();
  const dir = tempDir('sb-rules-');
  const args = ['--kafka-brokers', kafka.bootstrap, '--kafka-topics', 'once:plain', '--kafka-group', 'g-once',
    '--kafka-properties', 'session.timeout.ms=6000,heartbeat.interval.ms=500', '--idempotency',
    '--idempotency-lease', '2s'];
  const rules = { 'r.json': JSON.stringify({ Name: 'once', EventPattern: { source: ['once'] },
    IdempotencyKeyPath: '$.detail.seq', Targets: [{ Id: 's', Arn: 'redis:stream:out' }] }) };
  let sb;
  try {
  sb = await Signalbox.start({ rules, redis, args, dir });
  await waitFor('assignment', () => /assigned/.test(sb.stdout), 30000);
  const lines = [];
  for (let i = 0; i < N; i++) lines.push(`k${i % 64}:{"seq":${i}}`);
  kafka.produce('once', lines, ['-K:']);
  await waitFor('the stream to start', () => redis.cmd('XLEN', 'out') >= 3000, 60000);
  await sb.stop('SIGKILL', true);
  const atKill = redis.cmd('XLEN', 'out');
  assert.ok(atKill < N, `killed mid-stream (${atKill} of ${N})`);
  sb = await Signalbox.start({ rules, redis, args, dir });
  await waitFor(`${N} events`, () => redis.cmd('XLEN', 'out') >= N, 120000);
  await sleep(3000); // replays that would duplicate have had time to arrive
  const seqs = redis.streamEvents('out').map((e) => e.detail.seq);
  assert.equal(new Set(seqs).size, N, 'every event arrived');
  assert.equal(seqs.length, N, 'and none twice');
  assert.equal((await sb.stop()).code, 0);
  } finally {
    // a failure must not leave the broker and Redis running (the file would never end)
    if (sb && sb.proc.exitCode === null && sb.proc.signalCode === null) sb.proc.kill('SIGKILL');
    await redis.stop();
    kafka.stop();
  }
});

test('the same PutEvents with the same Idempotency-Key twice: one delivery, the same answer', { timeout: 30000 }, async () => {
  const redis = await Redis.start();
  const sb = await Signalbox.start({ redis, rules: { 'r.json': JSON.stringify({ Name: 's', EventPattern: { source: ['app'] },
    Targets: [{ Id: 's', Arn: 'redis:stream:out' }] }) } });
  const first = await put(sb, [{ n: 1 }, { n: 2 }], { 'Idempotency-Key': 'order-42' });
  const again = await put(sb, [{ n: 1 }, { n: 2 }], { 'Idempotency-Key': 'order-42' });
  assert.equal(first.status, 200);
  assert.equal(again.status, 200);
  assert.deepEqual(again.body, first.body);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal(redis.cmd('XLEN', 'out'), 2);
  // another key routes again; an invalid key is refused
  const other = await put(sb, [{ n: 3 }], { 'Idempotency-Key': 'order-43' });
  assert.notDeepEqual(other.body.Entries[0].EventId, first.body.Entries[0].EventId);
  assert.equal(redis.cmd('XLEN', 'out'), 3);
  const bad = await put(sb, [{ n: 4 }], { 'Idempotency-Key': 'has space' });
  assert.equal(bad.status, 400);
  // POST /events too
  const post = (key) => fetch(sb.url('/events'), { method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
    body: JSON.stringify({ source: 'app', 'detail-type': 'T', detail: { n: 5 } }) }).then((r) => r.json());
  assert.deepEqual(await post('ev-1'), await post('ev-1'));
  assert.equal(redis.cmd('XLEN', 'out'), 4);
  assert.equal((await sb.stop()).code, 0);
  await redis.stop();
});

test('above max-in-flight, ingest answers 429 ThrottlingException with Retry-After', { timeout: 30000 }, async () => {
  const redis = await Redis.start();
  const slow = await Receiver.start(async () => { await sleep(1500); return { status: 200, body: '{}' }; });
  const sb = await Signalbox.start({ redis, args: ['--max-in-flight', '5'], rules: { 'r.json': JSON.stringify({ Name: 'h',
    EventPattern: { source: ['app'] }, Targets: [{ Id: 'h', Arn: slow.url('/in') }] }) } });
  const first = put(sb, Array.from({ length: 10 }, (_, i) => ({ n: i })));
  await waitFor('deliveries in flight', async () => (await metric(sb, 'signalbox_deliveries_in_flight')) >= 10, 5000);
  const refused = await put(sb, [{ n: 99 }]);
  assert.equal(refused.status, 429);
  assert.equal(refused.body.__type, 'ThrottlingException');
  assert.equal(refused.headers.get('retry-after'), '1');
  assert.equal((await first).status, 200);
  assert.equal((await put(sb, [{ n: 100 }])).status, 200, 'accepted again once the deliveries are done');
  assert.equal((await sb.stop()).code, 0);
  await slow.stop();
  await redis.stop();
});

test('10,000 events with the target down for the whole run: memory stays flat, each ends in the schedule or a DLQ', { timeout: 120000 }, async () => {
  const redis = await Redis.start();
  const dead = await freePort(); // nothing listens there: every attempt is refused
  // under AddressSanitizer, freed memory waits in a quarantine: keep it small so RSS means something
  const env = { ASAN_OPTIONS: `${process.env.ASAN_OPTIONS ? process.env.ASAN_OPTIONS + ':' : ''}quarantine_size_mb=1` };
  const sb = await Signalbox.start({ redis, env, rules: { 'r.json': JSON.stringify({ Name: 'down', EventPattern: { source: ['app'] },
    Targets: [{ Id: 'h', Arn: `http://127.0.0.1:${dead}/in` }] }) } });
  const rss = () => Number(readFileSync(`/proc/${sb.proc.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]);
  let sent = 0;
  const batch = async () => {
    const r = await put(sb, Array.from({ length: 10 }, () => ({ n: sent++ })));
    assert.equal(r.status, 200);
  };
  for (let i = 0; i < 100; i++) await Promise.all(Array.from({ length: 5 }, batch));
  const early = rss();
  for (let i = 0; i < 100; i++) await Promise.all(Array.from({ length: 5 }, batch));
  assert.equal(sent, 10000);
  await waitFor('every event in the schedule or a DLQ', () =>
    redis.cmd('ZCARD', 'signalbox:retry') + (redis.cmd('XLEN', 'signalbox:dlq:down:h') || 0) === 10000, 60000);
  const late = rss();
  assert.ok(await metric(sb, 'signalbox_deliveries_in_flight') < 1000, 'the waiting deliveries are in Redis, not in memory');
  assert.ok(late - early < 40 * 1024, `RSS grew from ${early} KiB to ${late} KiB while 5,000 more events waited`);
  assert.equal((await sb.stop()).code, 0);
  await redis.stop();
});

test('idempotency for an HTTP target: a repeated event id is claimed once, the repeat skipped', { timeout: 30000 }, async () => {
  const redis = await Redis.start();
  const hook = await Receiver.start();
  const sb = await Signalbox.start({ redis, args: ['--idempotency'], rules: { 'r.json': JSON.stringify({ Name: 'h',
    EventPattern: { source: ['ce'] }, Targets: [{ Id: 'h', Arn: hook.url('/in') }] }) } });
  const post = () => fetch(sb.url('/events'), { method: 'POST', headers: { 'Content-Type': 'application/cloudevents+json' },
    body: JSON.stringify({ specversion: '1.0', id: 'same-id', source: 'ce', type: 'T', data: { n: 1 } }) }).then((r) => r.json());
  await post();
  await post();
  await post();
  assert.equal(hook.requests.length, 1);
  assert.equal(await metric(sb, 'signalbox_duplicates_skipped_total'), 2);
  assert.equal(redis.cmd('GET', 'signalbox:idem:{same-id}:h:h'), '1');
  assert.ok(redis.cmd('PTTL', 'signalbox:idem:{same-id}:h:h') > 23 * 3600 * 1000);
  assert.equal((await sb.stop()).code, 0);
  await hook.stop();
  await redis.stop();
});

// a TTL of 1 s, SLOWDOWN s under Valgrind (where four calls 250 ms apart took 800 ms of the 1,000)
test('idempotency for a Redis target: repeats within the TTL skipped, marks in sharded sets that expire', { timeout: 30000 * SLOWDOWN }, async () => {
  const redis = await Redis.start();
  const TTL = 1000 * SLOWDOWN;
  const sb = await Signalbox.start({ redis, args: ['--idempotency', '--idempotency-ttl', `${SLOWDOWN}s`], rules: { 'r.json': JSON.stringify({
    Name: 'r', EventPattern: { source: ['ce'] }, Targets: [{ Id: 't', Arn: 'redis:stream:once' }] }) } });
  try {
    const post = (id) => fetch(sb.url('/events'), { method: 'POST', headers: { 'Content-Type': 'application/cloudevents+json' },
      body: JSON.stringify({ specversion: '1.0', id, source: 'ce', type: 'T', data: { id } }) }).then((r) => r.json());
    const first = Date.now();
    await post('same-id');
    for (let i = 0; i < 3; i++) { // within the TTL, across an epoch boundary most of the time
      await sleep(TTL / 4);
      await post('same-id');
    }
    assert.ok(Date.now() - first < TTL, 'the repeats came within the TTL');
    await post('other-id');
    assert.deepEqual(redis.streamEvents('once').map((e) => e.detail.id), ['same-id', 'other-id']);
    assert.equal(await metric(sb, 'signalbox_duplicates_skipped_total'), 3);
    const sets = redis.cmd('KEYS', 'signalbox:idem:{r:t:*}:*');
    assert.ok(sets.length >= 1 && sets.length <= 4, `mark sets: ${sets}`);
    const members = sets.flatMap((k) => redis.cmd('SMEMBERS', k));
    assert.deepEqual([...new Set(members)].sort(), ['other-id', 'same-id']);
    for (const k of sets) {
      const ttl = redis.cmd('PTTL', k);
      assert.ok(ttl > 0 && ttl <= 2 * TTL, `${k} expires within two TTLs (${ttl} ms)`);
    }
    await sleep(Math.max(0, first + 2.1 * TTL - Date.now())); // remembered for at most twice the TTL
    await post('same-id');
    assert.deepEqual(redis.streamEvents('once').map((e) => e.detail.id), ['same-id', 'other-id', 'same-id']);
    await waitFor('the sets to expire', () => redis.cmd('KEYS', 'signalbox:idem:*').length === 0, 5 * TTL);
    assert.equal((await sb.stop()).code, 0);
  } finally {
    if (sb.proc.exitCode === null && sb.proc.signalCode === null) sb.proc.kill('SIGKILL');
    await redis.stop();
  }
});
