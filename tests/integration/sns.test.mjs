// sns.test.mjs - SNS targets against fauxqs: a topic fanning out to subscribed SQS queues (raw
// and in the SNS envelope) with the subject and message attributes, a FIFO topic into a FIFO
// queue in group order, and a topic that does not exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis, Signalbox } from './harness.mjs';
import { Fauxqs, TEST_CREDS, awsEnv } from './aws_harness.mjs';

const rule = (name, targets) => JSON.stringify({ Name: name, EventPattern: { source: ['app'] }, Targets: targets });

async function put(sb, details) {
  const r = await sb.putEventsRaw({ Entries: details.map((d) => ({ Source: 'app', DetailType: 'T', Detail: JSON.stringify(d) })) });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.FailedEntryCount, 0);
  return r.body.Entries.map((e) => e.EventId);
}

test('fauxqs: a topic fans out to raw and enveloped SQS subscriptions, with subject and attributes', { timeout: 60000 }, async () => {
  const fq = await Fauxqs.start();
  const topic = await fq.createTopic('orders');
  const rawUrl = await fq.createQueue('raw');
  const envUrl = await fq.createQueue('enveloped');
  await fq.subscribe(topic, 'raw', true);
  await fq.subscribe(topic, 'enveloped', false);
  const sb = await Signalbox.start({ env: awsEnv(TEST_CREDS), args: ['--sns-endpoint', fq.endpoint],
    rules: { 'r.json': rule('to-sns', [{ Id: 't', Arn: topic, SnsParameters: { Subject: 'Order & co' } }]) } });
  const ids = [...await put(sb, Array.from({ length: 10 }, (_, i) => ({ n: i, s: 'a+b=c&d ü' }))), ...await put(sb, [{ n: 10 }])];
  const raw = await fq.receive(rawUrl, 11);
  const env = await fq.receive(envUrl, 11);
  assert.equal(raw.length, 11);
  assert.equal(env.length, 11);
  assert.deepEqual(raw.map((m) => JSON.parse(m.Body).id).sort(), [...ids].sort());
  for (const m of raw) {
    const ev = JSON.parse(m.Body);
    assert.equal(m.MessageAttributes['signalbox.event-id'].StringValue, ev.id);
    assert.equal(m.MessageAttributes['signalbox.rule'].StringValue, 'to-sns');
    if (ev.detail.n < 10) assert.equal(ev.detail.s, 'a+b=c&d ü');
  }
  for (const m of env) {
    const n = JSON.parse(m.Body);
    assert.equal(n.Type, 'Notification');
    assert.equal(n.TopicArn, topic);
    assert.equal(n.Subject, 'Order & co');
    const ev = JSON.parse(n.Message);
    assert.equal(n.MessageAttributes['signalbox.event-id'].Value, ev.id);
    assert.equal(n.MessageAttributes['signalbox.target'].Value, 't');
  }
  assert.equal((await sb.stop()).code, 0);
  await fq.stop();
});

test('fauxqs: a FIFO topic delivers each message group in order into a FIFO queue', { timeout: 60000 }, async () => {
  const fq = await Fauxqs.start();
  const topic = await fq.createTopic('orders.fifo', { FifoTopic: 'true' });
  const url = await fq.createQueue('orders.fifo', { FifoQueue: 'true' });
  await fq.subscribe(topic, 'orders.fifo', true);
  const sb = await Signalbox.start({ env: awsEnv(TEST_CREDS), args: ['--sns-endpoint', fq.endpoint],
    rules: { 'r.json': rule('fifo', [{ Id: 't', Arn: topic, SnsParameters: { MessageGroupId: '$.detail.customer' } }]) } });
  for (let b = 0; b < 3; b++)
    await put(sb, Array.from({ length: 10 }, (_, i) => ({ customer: i % 2 ? 'ann' : 'bob', n: b * 10 + i })));
  const msgs = await fq.receive(url, 30);
  assert.equal(msgs.length, 30);
  const groups = {};
  for (const m of msgs) {
    const ev = JSON.parse(m.Body);
    (groups[ev.detail.customer] ||= []).push(ev.detail.n);
  }
  for (const g of ['ann', 'bob']) assert.deepEqual(groups[g], [...groups[g]].sort((a, b) => a - b));
  assert.equal(groups.ann.length, 15);
  assert.equal((await sb.stop()).code, 0);
  await fq.stop();
});

test('fauxqs: a topic that does not exist fails for good with NotFound', { timeout: 60000 }, async () => {
  const fq = await Fauxqs.start();
  const redis = await Redis.start();
  const sb = await Signalbox.start({ redis, env: awsEnv(TEST_CREDS), args: ['--sns-endpoint', fq.endpoint],
    rules: { 'r.json': rule('gone', [{ Id: 't', Arn: 'arn:aws:sns:us-east-1:000000000000:nope' }]) } });
  const ids = await put(sb, [{ n: 1 }, { n: 2 }, { n: 3 }]);
  const dl = redis.cmd('XRANGE', 'signalbox:dlq:gone:t', '-', '+').map(([, f]) => Object.fromEntries(
    Array.from({ length: f.length / 2 }, (_, i) => [f[2 * i], f[2 * i + 1]])));
  assert.deepEqual(dl.map((e) => e.event_id).sort(), [...ids].sort());
  for (const e of dl) {
    assert.equal(e.error_code, 'NotFound');
    assert.match(e.error_message, /HTTP 404: Topic does not exist/);
  }
  assert.equal((await sb.stop()).code, 0);
  await redis.stop();
  await fq.stop();
});
