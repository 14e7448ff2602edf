// drain.test.mjs - SIGTERM: stop accepting, finish what is in flight, exit 0; and the drain
// bound (--drain-timeout) when a target never answers. SIGHUP reloads; a bad file keeps the
// old rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis, Receiver, Signalbox, sleep } from './harness.mjs';

// waits until the router has logged `count` records matching re
async function waitForLog(sb, re, count, ms = 10000) {
  const end = Date.now() + ms;
  while (sb.logs().filter((l) => re.test(l.msg)).length < count) {
    if (Date.now() > end) throw new Error(`no log ${re} (x${count})`);
    await sleep(20);
  }
}

const slowRule = (url) => JSON.stringify({ Name: 'slow', EventPattern: { source: ['slow'] },
  Targets: [{ Id: 'h', Arn: url }] });

test('SIGTERM waits for the delivery in flight, answers the call, exits 0', async () => {
  const redis = await Redis.start();
  const hook = await Receiver.start(async () => { await sleep(800); return { status: 200, body: '{}' }; });
  const sb = await Signalbox.start({ rules: { 'r.json': slowRule(hook.url('/slow')) }, redis });
  const call = fetch(sb.url('/events'), { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ source: 'slow', 'detail-type': 'x', detail: {} }) });
  await hook.waitFor(1);
  const t0 = Date.now();
  sb.proc.kill('SIGTERM');
  const res = await call;
  assert.equal(res.status, 200);
  assert.equal((await res.json()).FailedEntryCount, 0);
  const { code } = await sb.exited;
  assert.equal(code, 0);
  assert.ok(Date.now() - t0 >= 300, 'it waited for the slow target');
  await assert.rejects(fetch(sb.url('/healthz')), 'no longer listening');
  assert.ok(sb.logs().some((l) => /drained/.test(l.msg)));
  await hook.stop();
  await redis.stop();
});

test('the drain is bounded by --drain-timeout', async () => {
  const redis = await Redis.start();
  const hook = await Receiver.start(async () => { await sleep(10000); return { status: 200, body: '{}' }; });
  const sb = await Signalbox.start({ rules: { 'r.json': slowRule(hook.url('/stuck')) }, redis,
    args: ['--drain-timeout', '300ms', '--http-timeout', '30s'] });
  fetch(sb.url('/events'), { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ source: 'slow', 'detail-type': 'x', detail: {} }) }).catch(() => {});
  await hook.waitFor(1);
  const t0 = Date.now();
  sb.proc.kill('SIGTERM');
  const { code } = await sb.exited;
  assert.equal(code, 0);
  assert.ok(Date.now() - t0 < 5000, 'stopped at the drain timeout, not at the target');
  assert.ok(sb.logs().some((l) => /drain timeout/.test(l.msg)));
  hook.server.closeAllConnections();
  await hook.stop();
  await redis.stop();
});

test('SIGHUP reloads the rules; a file with an error keeps the old ones', async () => {
  const redis = await Redis.start();
  const sb = await Signalbox.start({ rules: { 'r.json': JSON.stringify({ Name: 'one', EventPattern: { source: ['a'] },
    Targets: [{ Id: 's', Arn: 'redis:stream:one' }] }) }, redis });
  const post = (source) => fetch(sb.url('/events'), { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ source, 'detail-type': 'x', detail: {} }) });
  await post('a');
  writeFileSync(join(sb.dir, 'r.json'), JSON.stringify({ Name: 'two', EventPattern: { source: ['b'] },
    Targets: [{ Id: 's', Arn: 'redis:stream:two' }] }));
  sb.proc.kill('SIGHUP');
  await waitForLog(sb, /rules loaded .*version/, 2);
  await post('a');
  await post('b');
  assert.equal(redis.cmd('XLEN', 'one'), 1, 'the old rule is gone');
  assert.equal(redis.cmd('XLEN', 'two'), 1, 'the new rule delivers');
  writeFileSync(join(sb.dir, 'r.json'), '{"Name": "broken", "EventPattern": {"source": [{"prefx": 1}]}}');
  sb.proc.kill('SIGHUP');
  await waitForLog(sb, /reload rejected/, 1);
  await post('b');
  assert.equal(redis.cmd('XLEN', 'two'), 2, 'the previous rules keep running');
  const status = await (await fetch(sb.url('/status'))).json();
  assert.match(status.last_error, /r\.json:1:\d+: field "source": unknown operator "prefx"/);
  const metrics = await (await fetch(sb.url('/metrics'))).text();
  assert.match(metrics, /signalbox_reload_failures_total 1/);
  assert.equal((await sb.stop()).code, 0);
  await redis.stop();
});
