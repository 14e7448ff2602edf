// sqs.test.mjs - SQS targets against fauxqs (npm, in this process) and against small local
// servers that answer the SQS JSON protocol as told: bodies and attributes, batches, queue URLs
// and ARNs (GetQueueUrl through an endpoint override), FIFO order and deduplication, a missing
// queue, throttling, partial batch failures, the batch size limit; SQS dead-letter queues
// (DeadLetterConfig) with EventBridge's attributes, and the Redis stream when the queue fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Receiver, Redis, Signalbox } from './harness.mjs';
import { Fauxqs, FakeSqs, TEST_CREDS, awsEnv, sqsOk, sqsMessages, waitUntil } from './aws_harness.mjs';

const rule = (name, targets, pattern = { source: ['app'] }) => JSON.stringify({ Name: name, EventPattern: pattern, Targets: targets });

async function put(sb, details, source = 'app') {
  const r = await sb.putEventsRaw({ Entries: details.map((d) => ({ Source: source, DetailType: 'T', Detail: JSON.stringify(d) })) });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.FailedEntryCount, 0, JSON.stringify(r.body));
  return r.body.Entries.map((e) => e.EventId);
}

function dlq(redis, key) {
  return redis.cmd('XRANGE', key, '-', '+').map(([, f]) => {
    const o = {};
    for (let i = 0; i < f.length; i += 2) o[f[i]] = f[i + 1];
    return o;
  });
}

const metric = async (sb, name) => {
  const m = (await (await fetch(sb.url('/metrics'))).text()).match(new RegExp(`^${name} (\\S+)$`, 'm'));
  return m ? Number(m[1]) : NaN;
};

test('fauxqs: events arrive with their body and attributes, by queue URL and by ARN', { timeout: 60000 }, async () => {
  const fq = await Fauxqs.start();
  const url = await fq.createQueue('orders');
  const sb = await Signalbox.start({ env: awsEnv(TEST_CREDS), args: ['--sqs-endpoint', fq.endpoint],
    rules: { 'r.json': rule('to-sqs', [{ Id: 'by-url', Arn: url },
      { Id: 'by-arn', Arn: 'arn:aws:sqs:us-east-1:000000000000:orders', InputPath: '$.detail' }]) } });
  const ids = [];
  for (let b = 0; b < 3; b++) ids.push(...await put(sb, Array.from({ length: 10 }, (_, i) => ({ n: b * 10 + i, text: 'ünïcode "quoted"' }))));
  const msgs = await fq.receive(url, 60);
  assert.equal(msgs.length, 60);
  const byUrl = msgs.filter((m) => m.MessageAttributes['signalbox.target'].StringValue === 'by-url');
  const byArn = msgs.filter((m) => m.MessageAttributes['signalbox.target'].StringValue === 'by-arn');
  assert.equal(byUrl.length, 30);
  assert.equal(byArn.length, 30);
  for (const m of byUrl) {
    const ev = JSON.parse(m.Body);
    assert.equal(m.MessageAttributes['signalbox.event-id'].StringValue, ev.id);
    assert.equal(m.MessageAttributes['signalbox.rule'].StringValue, 'to-sqs');
    assert.match(m.MessageAttributes.traceparent.StringValue, /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    assert.equal(ev.source, 'app');
    assert.equal(ev.detail.text, 'ünïcode "quoted"');
  }
  assert.deepEqual(byUrl.map((m) => JSON.parse(m.Body).id).sort(), [...ids].sort());
  assert.deepEqual(byArn.map((m) => JSON.parse(m.Body).n).sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => i));
  assert.match(sb.stdout, /queue orders is http:\/\/sqs\.us-east-1\.127\.0\.0\.1/);
  assert.equal((await sb.stop()).code, 0);
  await fq.stop();
});

test('fauxqs: a FIFO queue keeps the order of each message group and drops a re-sent event', { timeout: 60000 }, async () => {
  const fq = await Fauxqs.start();
  const url = await fq.createQueue('orders.fifo', { FifoQueue: 'true' });
  const sb = await Signalbox.start({ env: awsEnv(TEST_CREDS), args: ['--sqs-endpoint', fq.endpoint],
    rules: { 'r.json': rule('fifo', [{ Id: 'q', Arn: url, SqsParameters: { MessageGroupId: '$.detail.customer' } }]) } });
  for (let b = 0; b < 4; b++)
    await put(sb, Array.from({ length: 10 }, (_, i) => ({ customer: (b * 10 + i) % 3 === 0 ? 'ann' : 'bob', n: b * 10 + i })));
  // the same event (same id) posted twice: FIFO deduplication keeps one
  const twice = { version: '0', id: '11111111-2222-3333-4444-555555555555', 'detail-type': 'T', source: 'app',
    account: '123456789012', time: '2026-01-01T00:00:00Z', region: 'us-east-1', resources: [], detail: { customer: 'cy', n: 99 } };
  for (let i = 0; i < 2; i++) {
    const r = await fetch(sb.url('/events'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(twice) });
    assert.equal(r.status, 200);
  }
  const msgs = await fq.receive(url, 41, 10000);
  await new Promise((r) => setTimeout(r, 300));
  msgs.push(...await fq.receive(url, 1, 500));
  assert.equal(msgs.length, 41, 'forty events and one of the two copies');
  const groups = {};
  for (const m of msgs) {
    const ev = JSON.parse(m.Body);
    (groups[ev.detail.customer] ||= []).push(ev.detail.n);
    assert.equal(m.Attributes.MessageGroupId, ev.detail.customer);
    assert.equal(m.Attributes.MessageDeduplicationId.slice(0, 37), `${ev.id}-`);
  }
  const sorted = (a) => [...a].sort((x, y) => x - y);
  assert.deepEqual(groups.ann, sorted(groups.ann));
  assert.deepEqual(groups.bob, sorted(groups.bob));
  assert.equal(groups.ann.length + groups.bob.length, 40);
  assert.deepEqual(groups.cy, [99]);
  assert.equal((await sb.stop()).code, 0);
  await fq.stop();
});

test('fauxqs: a queue that does not exist fails for good with QueueDoesNotExist', { timeout: 60000 }, async () => {
  const fq = await Fauxqs.start();
  const redis = await Redis.start();
  const url = await fq.createQueue('real');
  const sb = await Signalbox.start({ redis, env: awsEnv(TEST_CREDS), args: ['--sqs-endpoint', fq.endpoint],
    rules: { 'r.json': rule('missing', [{ Id: 'gone', Arn: url.replace(/real$/, 'gone') },
      { Id: 'gone-arn', Arn: 'arn:aws:sqs:us-east-1:000000000000:gone-too' }]) } });
  const ids = await put(sb, [{ n: 1 }, { n: 2 }]);
  for (const key of ['signalbox:dlq:missing:gone', 'signalbox:dlq:missing:gone-arn']) {
    const dl = dlq(redis, key);
    assert.deepEqual(dl.map((e) => e.event_id).sort(), [...ids].sort(), key);
    for (const e of dl) {
      assert.equal(e.error_code, 'QueueDoesNotExist');
      assert.equal(e.attempts, '1');
    }
  }
  assert.equal(await metric(sb, 'signalbox_delivery_retries_total'), 0);
  assert.equal((await sb.stop()).code, 0);
  await redis.stop();
  await fq.stop();
});

test('throttling and 5xx answers are retried until the queue takes the messages', { timeout: 60000 }, async () => {
  const redis = await Redis.start();
  let refusals = 0;
  const fake = await FakeSqs.start((call) => {
    if (refusals < 2) {
      refusals++;
      return refusals === 1 ? { status: 400, body: { __type: 'com.amazonaws.sqs#ThrottlingException', message: 'Rate exceeded' } }
        : { status: 503, body: { __type: 'com.amazonaws.sqs#ServiceUnavailable', message: 'try later' } };
    }
    return sqsOk(call);
  });
  const sb = await Signalbox.start({ redis, env: awsEnv(TEST_CREDS), args: ['--sqs-endpoint', fake.endpoint],
    rules: { 'r.json': rule('t', [{ Id: 'q', Arn: 'https://sqs.us-east-1.amazonaws.com/123456789012/q' }]) } });
  const ids = await put(sb, Array.from({ length: 10 }, (_, i) => ({ n: i })));
  // answered once the retries were in memory or durably scheduled; every event gets through
  const delivered = () => sqsMessages({ calls: fake.calls.slice(2) }).map((e) => JSON.parse(e.MessageBody).id);
  await waitUntil('every event delivered', () => delivered().length >= 10, 30000);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(refusals, 2);
  assert.deepEqual([...delivered()].sort(), [...ids].sort(), 'each event arrived once');
  assert.ok(await metric(sb, 'signalbox_delivery_retries_total') >= 10);
  assert.equal(await metric(sb, 'signalbox_dead_letters_total'), 0);
  // signed for SQS in the rule's region, JSON 1.0
  const h = fake.calls[0].headers;
  assert.match(h.authorization, /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/us-east-1\/sqs\/aws4_request, SignedHeaders=[^,]*x-amz-target/);
  assert.equal(h['content-type'], 'application/x-amz-json-1.0');
  assert.equal(fake.calls[0].body.QueueUrl, 'https://sqs.us-east-1.amazonaws.com/123456789012/q');
  assert.equal((await sb.stop()).code, 0);
  await fake.stop();
  await redis.stop();
});

test('a partial batch failure retries only the failed entries; a sender fault fails for good', { timeout: 60000 }, async () => {
  const redis = await Redis.start();
  let first = true;
  const fake = await FakeSqs.start((call) => {
    const entries = call.body.Entries;
    if (first && entries) {
      first = false;
      const failed = new Set(['3', '7', '8']);
      return { body: {
        Successful: entries.filter((e) => !failed.has(e.Id)).map((e) => ({ Id: e.Id, MessageId: 'm', MD5OfMessageBody: 'x' })),
        Failed: [{ Id: '3', Code: 'InternalError', Message: 'try again', SenderFault: false },
          { Id: '7', Code: 'ServiceUnavailable', Message: 'busy', SenderFault: false },
          { Id: '8', Code: 'InvalidMessageContents', Message: 'bad characters', SenderFault: true }] } };
    }
    return sqsOk(call);
  });
  const sb = await Signalbox.start({ redis, env: awsEnv(TEST_CREDS), args: ['--sqs-endpoint', fake.endpoint],
    rules: { 'r.json': rule('p', [{ Id: 'q', Arn: 'https://sqs.us-east-1.amazonaws.com/123456789012/q' }]) } });
  const ids = await put(sb, Array.from({ length: 10 }, (_, i) => ({ n: i })));
  const n = (m) => JSON.parse(m.MessageBody).detail.n;
  const firstCall = fake.calls[0].body.Entries;
  const later = sqsMessages(fake).slice(10).map(n).sort();
  const idOf = (id) => n(firstCall.find((e) => e.Id === id));
  assert.deepEqual(later, [idOf('3'), idOf('7')].sort(), 'only the two retryable entries were sent again');
  const dl = dlq(redis, 'signalbox:dlq:p:q');
  assert.equal(dl.length, 1);
  assert.equal(dl[0].error_code, 'InvalidMessageContents');
  assert.equal(dl[0].error_message, 'bad characters');
  assert.equal(JSON.parse(dl[0].event).detail.n, idOf('8'));
  assert.ok(ids.includes(dl[0].event_id));
  assert.equal((await sb.stop()).code, 0);
  await fake.stop();
  await redis.stop();
});

test('batches stay within 256 KiB; a single message goes as SendMessage', { timeout: 60000 }, async () => {
  const fake = await FakeSqs.start(sqsOk);
  const sb = await Signalbox.start({ env: awsEnv(TEST_CREDS), args: ['--sqs-endpoint', fake.endpoint, '--aws-batch-linger', '300ms'],
    rules: { 'r.json': rule('big', [{ Id: 'q', Arn: 'https://sqs.us-east-1.amazonaws.com/123456789012/q' }]) } });
  const big = 'x'.repeat(60000);
  await Promise.all(Array.from({ length: 10 }, (_, i) => put(sb, [{ n: i, big }])));
  const sent = sqsMessages(fake);
  assert.equal(sent.length, 10);
  assert.ok(fake.calls.length >= 3, `${fake.calls.length} calls`);
  for (const c of fake.calls) {
    const entries = c.body.Entries || [c.body];
    assert.ok(entries.reduce((s, e) => s + e.MessageBody.length, 0) <= 256 * 1024);
  }
  await put(sb, [{ n: 'alone' }]);
  const last = fake.calls.at(-1);
  assert.equal(last.target, 'AmazonSQS.SendMessage');
  assert.equal(JSON.parse(last.body.MessageBody).detail.n, 'alone');
  assert.equal((await sb.stop()).code, 0);
  await fake.stop();
});

test('FIFO queues: deduplication ids unless the queue deduplicates by content; one call at a time', { timeout: 60000 }, async () => {
  const contentDedup = { 'by-content.fifo': 'true', 'by-id.fifo': 'false' };
  let inFlight = 0, maxInFlight = 0;
  const fake = await FakeSqs.start(async (call) => {
    if (call.target === 'AmazonSQS.GetQueueAttributes') {
      const name = call.body.QueueUrl.split('/').pop();
      return { body: { Attributes: { ContentBasedDeduplication: contentDedup[name] } } };
    }
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 20));
    inFlight--;
    return sqsOk(call);
  });
  const sb = await Signalbox.start({ env: awsEnv(TEST_CREDS), args: ['--sqs-endpoint', fake.endpoint, '--aws-batch-linger', '0'],
    rules: { 'r.json': rule('f', [
      { Id: 'c', Arn: 'https://sqs.us-east-1.amazonaws.com/123456789012/by-content.fifo', SqsParameters: { MessageGroupId: 'all' } },
      { Id: 'i', Arn: 'https://sqs.us-east-1.amazonaws.com/123456789012/by-id.fifo', SqsParameters: { MessageGroupId: 'all' } }]) } });
  await Promise.all(Array.from({ length: 5 }, (_, b) => put(sb, Array.from({ length: 3 }, (_, i) => ({ n: b * 3 + i })))));
  const of = (name) => fake.calls.filter((c) => c.body.QueueUrl.endsWith(name) && c.target.startsWith('AmazonSQS.SendMessage'))
    .flatMap((c) => c.body.Entries || [c.body]);
  const byContent = of('by-content.fifo'), byId = of('by-id.fifo');
  assert.equal(byContent.length, 15);
  assert.equal(byId.length, 15);
  for (const e of byContent) {
    assert.equal(e.MessageDeduplicationId, undefined);
    assert.equal(e.MessageGroupId, 'all');
  }
  for (const e of byId) assert.match(e.MessageDeduplicationId, new RegExp(`^${JSON.parse(e.MessageBody).id}-[0-9a-f]{16}$`));
  assert.equal(fake.calls.filter((c) => c.target === 'AmazonSQS.GetQueueAttributes').length, 2, 'looked up once per queue');
  assert.ok(maxInFlight <= 2, `one call per FIFO target at a time (${maxInFlight} over two targets)`);
  assert.equal((await sb.stop()).code, 0);
  await fake.stop();
});

test('rules: a FIFO queue without MessageGroupId and a bad endpoint are refused at start', { timeout: 30000 }, async () => {
  const { spawnSync } = await import('node:child_process');
  const { signalboxCommand, tempDir } = await import('./harness.mjs');
  const { writeFileSync } = await import('node:fs');
  const dir = tempDir();
  writeFileSync(`${dir}/r.json`, rule('f', [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:123456789012:x.fifo' }]));
  const r = spawnSync(...signalboxCommand(['serve', '--rules', dir, '--listen', '127.0.0.1:0', '--redis', 'redis://127.0.0.1:1']),
    { env: { ...process.env, ...awsEnv(TEST_CREDS) }, timeout: 10000 });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr.toString(), /FIFO queue: give SqsParameters.MessageGroupId/);
  writeFileSync(`${dir}/r.json`, rule('f', [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:123456789012:x' }]));
  const r2 = spawnSync(...signalboxCommand(['serve', '--rules', dir, '--listen', '127.0.0.1:0', '--redis', 'redis://127.0.0.1:1',
    '--sqs-endpoint', 'ftp://nowhere']), { env: { ...process.env, ...awsEnv(TEST_CREDS) }, timeout: 10000 });
  assert.notEqual(r2.status, 0);
  assert.match(r2.stderr.toString(), /sqs endpoint "ftp:\/\/nowhere" is not an http/);
});

test('DeadLetterConfig with an SQS queue: the event with RULE_ARN, TARGET_ARN, ERROR_CODE, ... as attributes', { timeout: 60000 }, async () => {
  const fq = await Fauxqs.start();
  const redis = await Redis.start();
  const hook = await Receiver.start((req) => (JSON.parse(req.body).detail.n % 2
    ? { status: 400, body: '{"message":"no such order"}' } : { status: 503, body: 'busy' }));
  const dlqUrl = await fq.createQueue('failed');
  const sb = await Signalbox.start({ redis, env: awsEnv(TEST_CREDS), args: ['--sqs-endpoint', fq.endpoint],
    rules: { 'r.json': rule('to-hook', [{ Id: 'hook', Arn: hook.url('/orders'),
      RetryPolicy: { MaximumRetryAttempts: 2 },
      DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:000000000000:failed' } }]) } });
  try {
    const ids = await put(sb, [{ n: 1 }, { n: 2 }]); // 400: at once; 503: after 2 retries
    const msgs = await fq.receive(dlqUrl, 2, 20000);
    assert.equal(msgs.length, 2);
    const byN = Object.fromEntries(msgs.map((m) => [JSON.parse(m.Body).detail.n, m]));
    const attr = (m, k) => m.MessageAttributes[k]?.StringValue;
    for (const [n, m] of Object.entries(byN)) {
      const ev = JSON.parse(m.Body);
      assert.equal(ev.id, ids[n - 1], 'the body is the event itself');
      assert.equal(attr(m, 'RULE_ARN'), 'arn:aws:events:us-east-1:123456789012:rule/to-hook');
      assert.equal(attr(m, 'TARGET_ARN'), hook.url('/orders'));
      assert.equal(attr(m, 'signalbox.event-id'), ev.id);
    }
    assert.equal(attr(byN[1], 'ERROR_CODE'), 'HTTP 400');
    assert.match(attr(byN[1], 'ERROR_MESSAGE'), /no such order/);
    assert.equal(attr(byN[1], 'RETRY_ATTEMPTS'), '0');
    assert.equal(attr(byN[1], 'EXHAUSTED_RETRY_CONDITION'), undefined, 'a permanent error exhausts nothing');
    assert.equal(attr(byN[2], 'ERROR_CODE'), 'HTTP 503');
    assert.equal(attr(byN[2], 'RETRY_ATTEMPTS'), '2');
    assert.equal(attr(byN[2], 'EXHAUSTED_RETRY_CONDITION'), 'MaximumRetryAttemptsExceeded');
    assert.equal(redis.cmd('EXISTS', 'signalbox:dlq:to-hook:hook'), 0, 'nothing in the Redis stream');
    assert.equal(await metric(sb, 'signalbox_dead_letters_total'), 2);
    assert.equal((await sb.stop()).code, 0);
  } finally {
    await hook.stop();
    await redis.stop();
    await fq.stop();
  }
});

test('an SQS dead-letter queue that fails for good: the dead letter goes to the Redis stream', { timeout: 60000 }, async () => {
  const fq = await Fauxqs.start();
  const redis = await Redis.start();
  const hook = await Receiver.start(() => ({ status: 403, body: 'forbidden' }));
  const sb = await Signalbox.start({ redis, env: awsEnv(TEST_CREDS), args: ['--sqs-endpoint', fq.endpoint],
    rules: { 'r.json': rule('to-hook', [{ Id: 'hook', Arn: hook.url('/'),
      DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:000000000000:no-such-queue' } }]) } });
  try {
    const ids = await put(sb, [{ n: 1 }]);
    await waitUntil('the fallback dead letter', () => redis.cmd('XLEN', 'signalbox:dlq:to-hook:hook') === 1);
    const [e] = dlq(redis, 'signalbox:dlq:to-hook:hook');
    assert.equal(e.event_id, ids[0]);
    assert.equal(e.error_code, 'HTTP 403', 'the target\'s error, not the queue\'s');
    assert.match(sb.stdout + sb.stderr, /dead-letter queue arn:aws:sqs:us-east-1:000000000000:no-such-queue did not take the event \(QueueDoesNotExist/);
    assert.equal((await sb.stop()).code, 0);
  } finally {
    await hook.stop();
    await redis.stop();
    await fq.stop();
  }
});

test('rules: a FIFO queue as DeadLetterConfig is refused at start', { timeout: 30000 }, async () => {
  const { spawnSync } = await import('node:child_process');
  const { signalboxCommand, tempDir } = await import('./harness.mjs');
  const { writeFileSync } = await import('node:fs');
  const dir = tempDir();
  writeFileSync(`${dir}/r.json`, rule('f', [{ Id: 'h', Arn: 'http://127.0.0.1:1/',
    DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:123456789012:dead.fifo' } }]));
  const r = spawnSync(...signalboxCommand(['serve', '--rules', dir, '--listen', '127.0.0.1:0', '--redis', 'redis://127.0.0.1:1']),
    { env: { ...process.env, ...awsEnv(TEST_CREDS) }, timeout: 10000 });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr.toString(), /r\.json:\d+:\d+: DeadLetterConfig Arn "arn:aws:sqs:us-east-1:123456789012:dead\.fifo" is a FIFO queue/);
});
