// kafka_ingest_topic.test.mjs - HTTP ingest through Kafka (--ingest-topic): PutEvents (the AWS
// SDK) and POST /events are answered once Kafka has the events, routing happens on the
// consumer path, and an accepted event survives a SIGKILL of the router that accepted it.
// The broker is `signalbox kafka-mock` in a process of its own, so it outlives the routers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { KafkaMock, Redis, Receiver, Signalbox, signalboxCommand, sleep, tempDir } from './harness.mjs';

async function waitFor(what, fn, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

// the messages of a topic, as kcat sees them: headers and value
function topicMessages(bootstrap, topic) {
  const out = execFileSync('kcat', ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q',
    '-f', '%h\t%s\n'], { timeout: 30000 }).toString();
  return out.split('\n').filter(Boolean).map((l) => {
    const [h, v] = l.split('\t');
    return { headers: h, event: JSON.parse(v) };
  });
}

test('accepted events survive a SIGKILL of the router that accepted them', { timeout: 120000 }, async () => {
  const kafka = await KafkaMock.start(['ingest'], 4);
  const redis = await Redis.start();
  // the first router's target never answers: nothing it accepts is delivered before the kill
  const stuck = await Receiver.start(() => new Promise(() => {}));
  const good = await Receiver.start();
  const rule = (url) => ({ 'r.json': JSON.stringify({ Rules: [
    { Name: 'hook', EventPattern: { source: ['app'] }, Targets: [{ Id: 'h', Arn: url }] },
    { Name: 'orders', EventBusName: 'orders', EventPattern: { source: ['shop'] },
      Targets: [{ Id: 's', Arn: 'redis:stream:orders' }] },
  ] }) });
  const args = ['--kafka-brokers', kafka.bootstrap, '--ingest-topic', 'ingest', '--kafka-group', 'gi',
    '--kafka-properties', 'session.timeout.ms=6000,heartbeat.interval.ms=500', '--http-timeout', '60s'];
  const a = await Signalbox.start({ rules: rule(stuck.url('/in')), redis, args });
  await waitFor('assignment', () => /assigned/.test(a.stdout), 30000);

  const client = new EventBridgeClient({ endpoint: a.endpoint(), region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const t0 = Date.now();
  const res = await client.send(new PutEventsCommand({ Entries: [
    { Source: 'app', DetailType: 'T', Detail: JSON.stringify({ n: 1 }) },
    { Source: 'app', DetailType: 'T', Detail: JSON.stringify({ n: 2 }), Resources: ['r:1'] },
    { Source: 'shop', DetailType: 'Order', Detail: JSON.stringify({ n: 3 }), EventBusName: 'orders' },
    { Source: 'app', DetailType: 'T', Detail: JSON.stringify({ n: 4 }), EventBusName: 'missing' },
  ] }));
  assert.ok(Date.now() - t0 < 10000, 'answered on the Kafka ack, not on delivery');
  assert.equal(res.FailedEntryCount, 1);
  assert.equal(res.Entries[3].ErrorCode, 'ResourceNotFoundException');
  const ids = res.Entries.slice(0, 3).map((e) => e.EventId);
  ids.forEach((id) => assert.match(id, /^[0-9a-f-]{36}$/));
  // POST /events goes the same way
  const post = await fetch(a.url('/events'), { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ source: 'app', 'detail-type': 'Posted', detail: { n: 5 } }) });
  assert.equal(post.status, 200);
  ids.push((await post.json()).Entries[0].EventId);

  // the topic holds the four events, each with its bus in a header
  const onTopic = topicMessages(kafka.bootstrap, 'ingest');
  assert.deepEqual(onTopic.map((m) => m.event.id).sort(), [...ids].sort());
  const orders = onTopic.find((m) => m.event.source === 'shop');
  assert.match(orders.headers, /signalbox-bus=orders/);
  assert.deepEqual(orders.event.detail, { n: 3 });

  // the app events reached the stuck target (so they were consumed), and then the router dies
  await stuck.waitFor(3, 30000);
  await a.stop('SIGKILL');
  assert.equal(good.requests.length, 0);

  // the next router of the group takes the partitions over and delivers everything, same ids
  const b = await Signalbox.start({ rules: rule(good.url('/in')), redis, args });
  await good.waitFor(3, 60000);
  await waitFor('the orders event', () => redis.cmd('XLEN', 'orders') >= 1, 30000);
  const delivered = good.requests.map((r) => JSON.parse(r.body));
  assert.deepEqual(delivered.map((e) => e.id).sort(), [ids[0], ids[1], ids[3]].sort());
  const byN = Object.fromEntries(delivered.map((e) => [e.detail.n, e]));
  assert.deepEqual(byN[2].resources, ['r:1']);
  assert.equal(byN[5]['detail-type'], 'Posted');
  assert.equal(redis.streamEvents('orders')[0].id, ids[2]);
  assert.equal((await b.stop()).code, 0);
  await stuck.stop().catch(() => {});
  await good.stop();
  await redis.stop();
  kafka.stop();
});

test('ingest-topic without a Kafka to write to is refused at start', async () => {
  const dir = tempDir('sb-rules-');
  const out = (() => {
    try {
      execFileSync(...signalboxCommand(['serve', '--rules', dir, '--ingest-topic', 'ingest']),
        { stdio: 'pipe', timeout: 10000 });
      return { status: 0, stderr: '' };
    } catch (e) {
      return { status: e.status, stderr: e.stderr.toString() };
    }
  })();
  assert.equal(out.status, 2);
  assert.match(out.stderr, /ingest-topic ingest needs kafka-brokers \(or kafka-mock\)/);
});
