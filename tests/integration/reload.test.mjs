// reload.test.mjs - hot reload without loss: 100 reloads (good and bad, by file change and by
// SIGHUP) while 200,000 Kafka events flow; each event is delivered exactly once, by the rule
// set that matched it, and a bad file leaves the running rules in place with its error
// reported (log, /status, metric). Also the Kubernetes ConfigMap layout (a ..data symlink
// swapped by a rename).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KafkaMock, Redis, Signalbox, sleep, tempDir } from './harness.mjs';

async function waitFor(what, fn, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function metrics(sb) {
  const text = await (await fetch(sb.url('/metrics'))).text();
  const get = (name) => Number((text.match(new RegExp(`^${name} (\\S+)$`, 'm')) || [])[1] ?? NaN);
  return { ok: get('signalbox_reloads_total'), bad: get('signalbox_reload_failures_total') };
}

// version k of the rules: the target alternates between two streams, and the payload says k
const good = (k) => JSON.stringify({ Name: 'r', Description: `version ${k}`, EventPattern: { source: ['load'] },
  Targets: [{ Id: 't', Arn: k % 2 ? 'redis:stream:out-b' : 'redis:stream:out-a',
    InputTransformer: { InputPathsMap: { seq: '$.detail.seq' }, InputTemplate: `{"seq": <seq>, "v": ${k}}` } }] });
const bad = '{"Name": "r", "EventPattern": {"source": ["load"]},\n  "Targets": [ oops ]}\n';

test('100 reloads (good and bad) during 200,000 events: each delivered exactly once by the rules in force', { timeout: 240000 }, async () => {
  const N = 200000, CHUNK = 2000;
  const kafka = await KafkaMock.start(['load'], 4);
  const redis = await Redis.start();
  const dir = tempDir('sb-rules-');
  const file = join(dir, 'r.json');
  let k = 0, sb;
  try {
  sb = await Signalbox.start({ redis, dir, rules: { 'r.json': good(k) },
    args: ['--kafka-brokers', kafka.bootstrap, '--kafka-topics', 'load:plain'] });
  await waitFor('assignment', () => /assigned/.test(sb.stdout), 30000);
  let sent = 0, bads = 0, goods = 0;
  for (let i = 0; i < 100; i++) {
    const lines = [];
    for (let j = 0; j < CHUNK; j++, sent++) lines.push(`k${sent % 64}:{"seq":${sent}}`);
    kafka.produce('load', lines, ['-K:']);
    const before = await metrics(sb);
    if (i % 3 === 2) {
      writeFileSync(file, bad);
      bads++;
    } else {
      writeFileSync(file, good(++k));
      goods++;
      if (i % 10 === 0) sb.proc.kill('SIGHUP'); // either way reloads; the second sees no change
    }
    await waitFor(`reload ${i + 1}`, async () => {
      const m = await metrics(sb);
      return m.ok + m.bad > before.ok + before.bad;
    }, 10000);
  }
  assert.equal(sent, N);
  const m = await metrics(sb);
  assert.equal(m.ok, goods, 'every good file was loaded once');
  assert.ok(m.bad >= bads, 'every bad file was rejected');
  const status = await (await fetch(sb.url('/status'))).json();
  assert.match(status.last_error, /r\.json:2:\d+/, 'the last error names file:line:column');
  assert.match(status.rules_version, /^[0-9a-f]{16}$/);
  assert.ok(sb.logs().some((l) => /reload rejected: the previous rules keep running/.test(l.msg ?? '')));

  await waitFor('every event', () => redis.cmd('XLEN', 'out-a') + redis.cmd('XLEN', 'out-b') >= N, 120000);
  await sleep(500);
  const seen = new Map();
  for (const [stream, parity] of [['out-a', 0], ['out-b', 1]]) {
    for (const e of redis.streamEvents(stream)) {
      assert.equal(e.v % 2, parity, `version ${e.v} delivers to ${parity ? 'out-b' : 'out-a'}, not ${stream}`);
      assert.ok(!seen.has(e.seq), `event ${e.seq} delivered twice`);
      seen.set(e.seq, e.v);
    }
  }
  assert.equal(seen.size, N, 'every event delivered');
  assert.ok(new Set(seen.values()).size > 10, 'events were matched by many rule versions');
  assert.equal((await sb.stop()).code, 0);
  } finally {
    // a failure must not leave the broker and Redis running (the file would never end)
    if (sb && sb.proc.exitCode === null && sb.proc.signalCode === null) sb.proc.kill('SIGKILL');
    await redis.stop();
    kafka.stop();
  }
});

test('a Kubernetes ConfigMap update (the ..data symlink swapped by a rename) reloads the rules', { timeout: 30000 }, async () => {
  const redis = await Redis.start();
  const dir = tempDir('sb-cm-');
  const version = (name, target) => {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'r.json'), JSON.stringify({ Name: 'r', EventPattern: { source: ['app'] },
      Targets: [{ Id: 't', Arn: `redis:stream:${target}` }] }));
  };
  version('..2026_11_26_1', 'first');
  symlinkSync('..2026_11_26_1', join(dir, '..data'));
  symlinkSync('..data/r.json', join(dir, 'r.json'));
  const sb = await Signalbox.start({ redis, dir });
  const put = () => fetch(sb.url('/events'), { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ source: 'app', 'detail-type': 'T', detail: {} }) });
  await put();
  assert.equal(redis.cmd('XLEN', 'first'), 1);
  // what the kubelet does: a new timestamped folder, a new symlink, renamed over ..data
  version('..2026_11_26_2', 'second');
  symlinkSync('..2026_11_26_2', join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  await waitFor('the reload', async () => (await metrics(sb)).ok === 1, 10000);
  await put();
  assert.equal(redis.cmd('XLEN', 'second'), 1);
  assert.equal(redis.cmd('XLEN', 'first'), 1);
  assert.equal((await sb.stop()).code, 0);
  await redis.stop();
});
