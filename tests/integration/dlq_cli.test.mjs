// dlq_cli.test.mjs - `signalbox dlq list|show|redrive|purge` against a real redis-server and a
// real HTTP receiver as the target: dead letters written by `signalbox serve` (a target that
// answers 400) and entries of the same shape written with XADD at fixed ids (fixed times).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Redis, Receiver, Signalbox, signalboxCommand, sleep, tempDir } from './harness.mjs';

let redis;
before(async () => { redis = await Redis.start(); });
after(async () => { await redis.stop(); });

// one run of `signalbox dlq ...`, bounded in time; asynchronous, so that the receivers of this
// process can answer the deliveries it makes
function dlq(args, { input, env = {}, timeout = 30000 } = {}) {
  return new Promise((ok, fail) => {
    const p = spawn(...signalboxCommand(['dlq', ...args]), { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    p.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { p.kill('SIGKILL'); fail(new Error(`dlq ${args.join(' ')}: timed out\n${stdout}${stderr}`)); }, timeout);
    p.on('error', fail);
    p.on('close', (status) => { clearTimeout(timer); ok({ status, stdout, stderr }); });
    p.stdin.on('error', () => {});
    p.stdin.end(input ?? '');
  });
}
const at = () => ['--redis', redis.url()];

function entries(key) {
  return redis.cmd('XRANGE', key, '-', '+').map(([id, fields]) => {
    const f = { id };
    for (let i = 0; i < fields.length; i += 2) f[fields[i]] = fields[i + 1];
    return f;
  });
}

const event = (id, detail, source = 'app') => JSON.stringify({ version: '0', id, 'detail-type': 'T', source,
  account: '123456789012', time: '2023-11-14T22:13:20Z', region: 'us-east-1', resources: [], detail });

// a dead letter of the router's shape, at a fixed stream id
function addDelivery(key, id, { eventId, detail, rule = 'r', target = 'h', source = 'app', code = 'HTTP 400' }) {
  redis.cmd('XADD', key, id, 'kind', 'delivery', 'event', event(eventId, detail, source), 'event_id', eventId,
    'bus', 'default', 'rule', rule, 'target', target, 'target_arn', 'http://127.0.0.1:1/in', 'error_code', code,
    'error_message', 'no such order', 'attempts', '1', 'first_attempt_ms', '1700000000000',
    'last_attempt_ms', '1700000000100', 'exhausted', '');
  redis.cmd('SADD', 'signalbox:dlqs', key);
}
function addPoison(key, id) {
  redis.cmd('XADD', key, id, 'kind', 'poison', 'raw', '\x01not json\n', 'topic', 't', 'partition', '2', 'offset', '41',
    'key', 'k1', 'error_code', 'PoisonMessage', 'error_message', 'not JSON at offset 0', 'last_attempt_ms', '1700000000200');
  redis.cmd('SADD', 'signalbox:dlqs', key);
}

function rulesDir(rules) {
  const dir = tempDir('sb-dlq-rules-');
  writeFileSync(join(dir, 'r.json'), JSON.stringify({ Rules: rules }));
  return dir;
}

// 1700000000000 ms is 2023-11-14T22:13:20.000Z
const T0 = 1700000000000;

test('list: every queue with its count and the times of its oldest and newest entry', { timeout: 30000 }, async () => {
  redis.cmd('FLUSHALL');
  let r = await dlq(['list', ...at()]);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^no dead-letter queues in Redis at redis:\/\/127\.0\.0\.1:\d+\n$/);
  addDelivery('signalbox:dlq:r:h', `${T0}-0`, { eventId: 'e1', detail: { n: 1 } });
  addDelivery('signalbox:dlq:r:h', `${T0 + 60000}-0`, { eventId: 'e2', detail: { n: 2 } });
  addPoison('signalbox:dlq:kafka:t', `${T0 + 1}-0`);
  redis.cmd('SADD', 'signalbox:dlqs', 'signalbox:dlq:gone:x'); // indexed, stream gone
  r = await dlq(['list', ...at()]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout,
    'QUEUE                   ENTRIES  OLDEST                    NEWEST\n' +
    'signalbox:dlq:gone:x          0  -                         -\n' +
    'signalbox:dlq:kafka:t         1  2023-11-14T22:13:20.001Z  2023-11-14T22:13:20.001Z\n' +
    'signalbox:dlq:r:h             2  2023-11-14T22:13:20.000Z  2023-11-14T22:14:20.000Z\n');
  r = await dlq(['list', '--format', 'json', ...at()]);
  assert.equal(r.status, 0);
  assert.deepEqual(JSON.parse(r.stdout), { queues: [
    { queue: 'signalbox:dlq:gone:x', entries: 0, oldest: null, newest: null },
    { queue: 'signalbox:dlq:kafka:t', entries: 1, oldest: '2023-11-14T22:13:20.001Z', newest: '2023-11-14T22:13:20.001Z' },
    { queue: 'signalbox:dlq:r:h', entries: 2, oldest: '2023-11-14T22:13:20.000Z', newest: '2023-11-14T22:14:20.000Z' },
  ] });
  // settings come from SIGNALBOX_* variables as for serve
  r = await dlq(['list', '--format=json'], { env: { SIGNALBOX_REDIS: redis.url() } });
  assert.equal(JSON.parse(r.stdout).queues.length, 3);
});

test('show: fields and events, by count, time range, id and pattern; text and JSON', { timeout: 30000 }, async () => {
  redis.cmd('FLUSHALL');
  for (let i = 0; i < 5; i++) addDelivery('signalbox:dlq:r:h', `${T0 + i * 60000}-0`, { eventId: `e${i}`, detail: { n: i } });
  addPoison('signalbox:dlq:kafka:t', `${T0}-0`);

  let r = await dlq(['show', 'signalbox:dlq:r:h', '--count', '1', ...at()]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, [
    `${T0}-0  2023-11-14T22:13:20.000Z`,
    '  kind: delivery',
    '  event_id: e0',
    '  bus: default',
    '  rule: r',
    '  target: h',
    '  target_arn: http://127.0.0.1:1/in',
    '  error_code: HTTP 400',
    '  error_message: no such order',
    '  attempts: 1',
    '  first_attempt_ms: 1700000000000 (2023-11-14T22:13:20.000Z)',
    '  last_attempt_ms: 1700000000100 (2023-11-14T22:13:20.100Z)',
    '  exhausted:',
    '  event: {',
    '    "version": "0",',
    '    "id": "e0",',
    '    "detail-type": "T",',
    '    "source": "app",',
    '    "account": "123456789012",',
    '    "time": "2023-11-14T22:13:20Z",',
    '    "region": "us-east-1",',
    '    "resources": [],',
    '    "detail": {',
    '      "n": 0',
    '    }',
    '  }',
    '',
    '(more entries: --count N shows N, --count 0 all)',
    ''].join('\n'));

  // the RULE:TARGET shorthand, --compact, and a time range in RFC 3339 with an offset
  r = await dlq(['show', 'r:h', '--compact', '--since', '2023-11-14T23:14:20+01:00', '--until', String(T0 + 120000), ...at()]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.split('\n').filter((l) => l.startsWith('  event:')),
    [`  event: ${event('e1', { n: 1 })}`, `  event: ${event('e2', { n: 2 })}`]);

  const json = async (args) => { const x = await dlq(['show', 'signalbox:dlq:r:h', '--format', 'json', ...args, ...at()]); assert.equal(x.status, 0, x.stderr); return JSON.parse(x.stdout); };
  let j = await json(['--count', '0']);
  assert.equal(j.queue, 'signalbox:dlq:r:h');
  assert.equal(j.truncated, false);
  assert.deepEqual(j.entries.map((e) => e.event_id ?? ''), ['e0', 'e1', 'e2', 'e3', 'e4']);
  assert.deepEqual(j.entries[3], { id: `${T0 + 180000}-0`, time: '2023-11-14T22:16:20.000Z', kind: 'delivery',
    event: JSON.parse(event('e3', { n: 3 })), event_id: 'e3', bus: 'default', rule: 'r', target: 'h',
    target_arn: 'http://127.0.0.1:1/in', error_code: 'HTTP 400', error_message: 'no such order', attempts: '1',
    first_attempt_ms: '1700000000000', last_attempt_ms: '1700000000100', exhausted: '' });
  j = await json(['--count', '2']);
  assert.deepEqual(j.entries.map((e) => e.event_id ?? ''), ['e0', 'e1']);
  assert.equal(j.truncated, true);
  j = await json(['--id', `${T0 + 240000}-0,${T0 + 60000}-0`]);
  assert.deepEqual(j.entries.map((e) => e.event_id ?? ''), ['e4', 'e1']);
  j = await json(['--pattern', '{"detail":{"n":[{"numeric":[">=",3]}]}}']);
  assert.deepEqual(j.entries.map((e) => e.event_id ?? ''), ['e3', 'e4']);
  j = await json(['--since', String(T0 + 240000)]);
  assert.deepEqual(j.entries.map((e) => e.event_id ?? ''), ['e4']);

  // a poison message: its bytes also in base64
  r = await dlq(['show', 'signalbox:dlq:kafka:t', '--format', 'json', ...at()]);
  const p = JSON.parse(r.stdout).entries[0];
  assert.equal(p.kind, 'poison');
  assert.equal(Buffer.from(p.raw_base64, 'base64').toString('latin1'), '\x01not json\n');
  assert.equal(p.offset, '41');
  r = await dlq(['show', 'signalbox:dlq:kafka:t', ...at()]);
  assert.match(r.stdout, /^ {2}raw: \\x01not json\\n$/m);

  // nothing selected; an id that is not there
  r = await dlq(['show', 'r:h', '--since', '2030-01-01', ...at()]);
  assert.equal(r.status, 0);
  assert.equal(r.stdout, 'no entries selected in signalbox:dlq:r:h\n');
  r = await dlq(['show', 'r:h', '--id', '1-0', ...at()]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no entry 1-0 in signalbox:dlq:r:h/);
});

test('errors say what, where and why: no queue, a bad time, a bad pattern, Redis away, usage', { timeout: 30000 }, async () => {
  redis.cmd('FLUSHALL');
  addDelivery('signalbox:dlq:r:h', `${T0}-0`, { eventId: 'e0', detail: { n: 0 } });
  redis.cmd('SET', 'plain', 'x');
  let r = await dlq(['show', 'nope', ...at()]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no dead-letter queue "nope" in Redis at redis:\/\/127\.0\.0\.1:\d+: .*`signalbox dlq list` shows the queues/);
  r = await dlq(['show', 'plain', ...at()]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /"plain" in Redis at .* is a string, not a dead-letter queue/);
  r = await dlq(['show', 'r:h', '--since', 'yesterday', ...at()]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--since "yesterday" is not a time: write RFC 3339/);
  r = await dlq(['show', 'r:h', '--until', '2023-02-30T00:00:00Z', ...at()]);
  assert.equal(r.status, 2);
  // rules of its own: the default rules/ is relative to where the tests run
  const patRules = tempDir('sb-dlq-rules-');
  writeFileSync(join(patRules, 'r.json'), JSON.stringify({ Name: 'r', EventPattern: { source: ['app'] },
    Targets: [{ Id: 'h', Arn: 'redis:stream:x' }] }));
  r = await dlq(['redrive', 'r:h', '--rules', patRules, '--pattern', '{"detail":{"n":[{"numerc":[">",1]}]}}', ...at()]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--pattern:1:\d+: .*unknown operator "numerc"/);
  r = await dlq(['list', '--redis', 'redis://:s3cret@127.0.0.1:1']);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'signalbox dlq list: cannot connect to Redis at redis://:***@127.0.0.1:1: Connection refused\n');
  r = await dlq(['redrive', 'r:h', ...at()]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /say what to redrive: --all, --id, --since\/--until or --pattern/);
  r = await dlq(['redrive', 'r:h', '--all', '--id', `${T0}-0`, ...at()]);
  assert.equal(r.status, 2);
  r = await dlq(['show', 'r:h', '--id', 'abc', ...at()]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--id "abc" is not a stream entry id/);
  r = await dlq(['show', 'r:h', '--yes', ...at()]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--yes is not an option of this command/);
  r = await dlq(['show', ...at()]);
  assert.equal(r.status, 2);
  r = await dlq(['frob']);
  assert.equal(r.status, 2);
  r = await dlq(['list', '--redsi', 'x']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown flag --redsi \(did you mean --redis\?\)/);
  r = await dlq(['--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /list +every queue/);
  r = await dlq(['redrive', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /--dry-run +print what would be redriven/);
});

test('end to end: a target answering 400 puts events in the DLQ; after the fix, redrive delivers each once', { timeout: 60000 }, async () => {
  redis.cmd('FLUSHALL');
  let broken = true;
  const hook = await Receiver.start(() => (broken ? { status: 400, body: 'no such order' } : { status: 200, body: '{}' }));
  const dir = rulesDir([{ Name: 'orders', EventPattern: { source: ['shop'] }, Targets: [{ Id: 'h', Arn: hook.url('/in') }] }]);
  const sb = await Signalbox.start({ redis, dir });
  const res = await sb.putEventsRaw({ Entries: [1, 2, 3].map((n) => ({ Source: 'shop', DetailType: 'Order', Detail: JSON.stringify({ n }) })) });
  assert.equal(res.status, 200);
  const ids = res.body.Entries.map((e) => e.EventId);
  const key = 'signalbox:dlq:orders:h';
  for (let i = 0; i < 100 && entries(key).length < 3; i++) await sleep(50);
  assert.deepEqual(entries(key).map((e) => e.event_id ?? '').sort(), [...ids].sort());
  assert.equal(hook.requests.length, 3);
  assert.equal((await sb.stop('SIGTERM', true)).code, 0);

  // a dry run changes nothing
  let r = await dlq(['redrive', key, '--all', '--dry-run', '--rules', dir, ...at()]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.split('\n').filter((l) => l.startsWith('would ')).length, 3);
  assert.match(r.stdout, /dry run, nothing changed: 3 selected in signalbox:dlq:orders:h: 3 would be redriven, 0 would fail, 0 skipped\n$/);
  assert.equal(entries(key).length, 3);
  assert.equal(hook.requests.length, 3);

  broken = false;
  r = await dlq(['redrive', 'orders:h', '--all', '--rules', dir, ...at()]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /3 selected in signalbox:dlq:orders:h: 3 redriven OK, 0 failed again \(0 new dead letters\), 0 skipped\n$/);
  const got = hook.requests.slice(3).map((q) => JSON.parse(q.body));
  assert.deepEqual(got.map((e) => e.id).sort(), [...ids].sort(), 'each event once, with its own id');
  assert.deepEqual(got.map((e) => e.detail.n).sort(), [1, 2, 3]);
  assert.equal(redis.cmd('XLEN', key), 0);
  // nothing left to redrive
  r = await dlq(['redrive', key, '--all', '--rules', dir, ...at()]);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^0 selected/);
  assert.equal(hook.requests.length, 6);
  await hook.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('redrive by id, by time range and by pattern; a failure goes back to the DLQ; poison is skipped', { timeout: 60000 }, async () => {
  redis.cmd('FLUSHALL');
  let fixed = false;
  const hook = await Receiver.start((q) => (JSON.parse(q.body).detail.n === 2 && !fixed
    ? { status: 400, body: 'n=2 refused' } : { status: 200, body: '{}' }));
  const dir = rulesDir([{ Name: 'r', EventPattern: { source: ['app'] }, Targets: [{ Id: 'h', Arn: hook.url('/in') }] }]);
  const key = 'signalbox:dlq:r:h';
  for (let i = 0; i < 5; i++) addDelivery(key, `${T0 + i * 60000}-0`, { eventId: `e${i}`, detail: { n: i } });
  addPoison(key, `${T0 + 300000}-0`);
  const delivered = () => hook.requests.map((q) => JSON.parse(q.body).id);

  // by id
  let r = await dlq(['redrive', key, '--id', `${T0 + 60000}-0`, '--rules', dir, ...at()]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`^redriven  ${T0 + 60000}-0: event e1 to rule r target h\n`));
  assert.deepEqual(delivered(), ['e1']);
  assert.deepEqual(entries(key).map((e) => e.event_id ?? ''), ['e0', 'e2', 'e3', 'e4', '']);

  // by time range: e2 (n=2) is refused again, comes back as a new dead letter, the old one goes
  r = await dlq(['redrive', key, '--since', '2023-11-14T22:15:00Z', '--until', String(T0 + 120000), '--rules', dir, ...at()]);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`^failed    ${T0 + 120000}-0: event e2 to rule r target h: HTTP 400: n=2 refused; new dead letter \\d+-\\d+ in ${key}\n`));
  assert.match(r.stdout, /1 selected in signalbox:dlq:r:h: 0 redriven OK, 1 failed again \(1 new dead letters\), 0 skipped\n$/);
  let left = entries(key);
  assert.deepEqual(left.map((e) => e.event_id ?? ''), ['e0', 'e3', 'e4', '', 'e2']);
  assert.equal(left[4].error_code, 'HTTP 400');
  assert.equal(left[4].error_message, 'n=2 refused');
  assert.equal(left[4].attempts, '1');
  assert.equal(JSON.parse(left[4].event).id, 'e2', 'the event keeps its id');

  // by pattern (the poison entry has no event: not selected)
  r = await dlq(['redrive', key, '--pattern', '{"detail":{"n":[{"numeric":[">=",3]}]}}', '--rules', dir, ...at()]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /2 selected in signalbox:dlq:r:h: 2 redriven OK/);
  assert.deepEqual(delivered(), ['e1', 'e2', 'e3', 'e4']);
  assert.deepEqual(entries(key).map((e) => e.event_id ?? ''), ['e0', '', 'e2']);

  // the rest, once fixed: the poison message is skipped and stays
  fixed = true;
  r = await dlq(['redrive', key, '--all', '--rules', dir, ...at()]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`^skipped   ${T0 + 300000}-0: a poison message \\(topic t partition 2 offset 41\\) is not redriven; kept$`, 'm'));
  assert.match(r.stdout, /3 selected in signalbox:dlq:r:h: 2 redriven OK, 0 failed again \(0 new dead letters\), 1 skipped\n$/);
  assert.deepEqual(delivered(), ['e1', 'e2', 'e3', 'e4', 'e0', 'e2']);
  assert.deepEqual(entries(key).map((e) => e.kind), ['poison']);

  // a rule that is gone: reported and kept
  addDelivery(key, '*', { eventId: 'g1', detail: { n: 9 }, rule: 'gone' });
  r = await dlq(['redrive', key, '--all', '--dry-run', '--rules', dir, ...at()]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /would fail +\d+-\d+: event g1: no rule gone on bus default/);
  assert.match(r.stdout, /dry run, nothing changed: 2 selected in signalbox:dlq:r:h: 0 would be redriven, 1 would fail, 1 skipped\n$/);
  r = await dlq(['redrive', key, '--all', '--rules', dir, ...at()]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /failed +\d+-\d+: event g1: no rule gone on bus default in the rules \(removed or renamed\?\); kept/);
  assert.equal(redis.cmd('XLEN', key), 2);
  await hook.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('redrive stops after --max-failures failures in a row; the untried entries stay', { timeout: 60000 }, async () => {
  redis.cmd('FLUSHALL');
  const hook = await Receiver.start(() => ({ status: 400, body: 'still broken' }));
  const dir = rulesDir([{ Name: 'r', EventPattern: { source: ['app'] }, Targets: [{ Id: 'h', Arn: hook.url('/in') }] }]);
  const key = 'signalbox:dlq:r:h';
  for (let i = 0; i < 8; i++) addDelivery(key, `${T0 + i}-0`, { eventId: `e${i}`, detail: { n: i } });
  let r = await dlq(['redrive', key, '--all', '--rules', dir, ...at()]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /8 selected in signalbox:dlq:r:h: 0 redriven OK, 5 failed again \(5 new dead letters\), 0 skipped, 3 not tried \(stopped after 5 failures in a row; --max-failures 0 tries every entry\)\n$/);
  assert.equal(hook.requests.length, 5);
  const left = entries(key);
  assert.deepEqual(left.map((e) => e.event_id ?? ''), ['e5', 'e6', 'e7', 'e0', 'e1', 'e2', 'e3', 'e4']);
  assert.deepEqual(left.slice(0, 3).map((e) => e.id), [`${T0 + 5}-0`, `${T0 + 6}-0`, `${T0 + 7}-0`]);
  r = await dlq(['redrive', key, '--all', '--max-failures', '0', '--rules', dir, ...at()]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /8 selected in signalbox:dlq:r:h: 0 redriven OK, 8 failed again \(8 new dead letters\), 0 skipped\n$/);
  assert.equal(redis.cmd('XLEN', key), 8);
  await hook.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('redrive of many entries in parallel (pages of the stream): each delivered once, the queue empties', { timeout: 60000 }, async () => {
  redis.cmd('FLUSHALL');
  const hook = await Receiver.start(() => ({ status: 200, body: '{}' }));
  const dir = rulesDir([{ Name: 'r', EventPattern: { source: ['app'] }, Targets: [{ Id: 'h', Arn: hook.url('/in') }] }]);
  const key = 'bulk-dlq';
  const N = 450;
  const args = [];
  for (let i = 0; i < N; i++) args.push(`XADD ${key} ${T0 + i}-0 kind delivery event '${event(`b${i}`, { n: i })}' event_id b${i} bus default rule r target h`);
  spawnSync('redis-cli', ['-p', String(redis.port)], { input: args.join('\n') + '\n', timeout: 20000 });
  redis.cmd('SADD', 'signalbox:dlqs', key);
  assert.equal(redis.cmd('XLEN', key), N);
  const r = await dlq(['redrive', key, '--all', '--parallel', '16', '--rules', dir, ...at()]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /450 selected in bulk-dlq: 450 redriven OK, 0 failed again/);
  const ids = hook.requests.map((q) => JSON.parse(q.body).id);
  assert.equal(ids.length, N);
  assert.equal(new Set(ids).size, N);
  assert.equal(redis.cmd('XLEN', key), 0);
  await hook.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a redriven event keeps its id: with idempotency, one already delivered is not sent again', { timeout: 60000 }, async () => {
  redis.cmd('FLUSHALL');
  const hook = await Receiver.start(() => ({ status: 200, body: '{}' }));
  const dir = rulesDir([{ Name: 'r', EventPattern: { source: ['app'] }, Targets: [{ Id: 'h', Arn: hook.url('/in') }] }]);
  const sb = await Signalbox.start({ redis, dir, args: ['--idempotency'] });
  const res = await sb.putEventsRaw({ Entries: [{ Source: 'app', DetailType: 'T', Detail: '{"n":1}' }] });
  const id = res.body.Entries[0].EventId;
  await hook.waitFor(1);
  assert.equal((await sb.stop('SIGTERM', true)).code, 0);
  // the same event in a DLQ (as if a copy had failed elsewhere), and a new one
  const key = 'signalbox:dlq:r:h';
  redis.cmd('XADD', key, `${T0}-0`, 'kind', 'delivery', 'event', hook.requests[0].body, 'event_id', id, 'bus', 'default', 'rule', 'r', 'target', 'h');
  addDelivery(key, `${T0 + 1}-0`, { eventId: 'fresh', detail: { n: 2 } });
  const r = await dlq(['redrive', key, '--all', '--idempotency', '--rules', dir, ...at()]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`redriven  ${T0}-0: event ${id} to rule r target h \\(already delivered before: idempotency key; not sent again\\)`));
  assert.match(r.stdout, /2 selected in signalbox:dlq:r:h: 2 redriven OK, 0 failed again \(0 new dead letters\), 0 skipped, 1 of the OK already delivered before \(not sent again\)\n$/);
  assert.deepEqual(hook.requests.map((q) => JSON.parse(q.body).id), [id, 'fresh']);
  assert.equal(redis.cmd('XLEN', key), 0);
  await hook.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('purge: --yes deletes; without it, refuses off a terminal and asks for the name on one', { timeout: 30000 }, async () => {
  redis.cmd('FLUSHALL');
  addDelivery('signalbox:dlq:r:h', `${T0}-0`, { eventId: 'e0', detail: { n: 0 } });
  addDelivery('signalbox:dlq:r:h', `${T0 + 1}-0`, { eventId: 'e1', detail: { n: 1 } });
  addDelivery('signalbox:dlq:q:h', `${T0}-0`, { eventId: 'e0', detail: { n: 0 } });
  let r = await dlq(['purge', 'r:h', ...at()], { input: 'signalbox:dlq:r:h\n' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /refusing to purge signalbox:dlq:r:h \(2 entries\) without --yes: standard input is not a terminal/);
  assert.equal(redis.cmd('XLEN', 'signalbox:dlq:r:h'), 2);

  // on a terminal (script(1) gives the command one): a wrong name changes nothing
  const onTty = (answer) => spawnSync('script', ['-qec', signalboxCommand(['dlq', 'purge', 'signalbox:dlq:r:h', ...at()]).flat().join(' '), '/dev/null'],
    { input: answer + '\n', timeout: 15000, encoding: 'utf8' });
  let t = onTty('signalbox:dlq:q:h');
  assert.equal(t.status, 1, t.stdout);
  assert.match(t.stdout, /Type the queue's name \(signalbox:dlq:r:h\) to confirm/);
  assert.match(t.stdout, /not confirmed: signalbox:dlq:r:h is left as it was/);
  assert.equal(redis.cmd('XLEN', 'signalbox:dlq:r:h'), 2);
  t = onTty('signalbox:dlq:r:h');
  assert.equal(t.status, 0, t.stdout);
  assert.match(t.stdout, /purged signalbox:dlq:r:h: 2 entries deleted/);
  assert.equal(redis.cmd('EXISTS', 'signalbox:dlq:r:h'), 0);
  assert.deepEqual(redis.cmd('SMEMBERS', 'signalbox:dlqs'), ['signalbox:dlq:q:h']);

  r = await dlq(['purge', 'q:h', '--yes', ...at()]);
  assert.equal(r.status, 0);
  assert.equal(r.stdout, 'purged signalbox:dlq:q:h: 1 entries deleted\n');
  assert.equal(redis.cmd('EXISTS', 'signalbox:dlq:q:h'), 0);
  assert.deepEqual(redis.cmd('SMEMBERS', 'signalbox:dlqs'), []);
  r = await dlq(['purge', 'q:h', '--yes', ...at()]);
  assert.equal(r.status, 2, 'gone');
});
