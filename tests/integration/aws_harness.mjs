// aws_harness.mjs - AWS-side helpers of the SQS, SNS and SigV4 tests: fauxqs (the npm SQS/SNS
// emulator) in this process on a free loopback port, AWS SDK clients pointed at it, and small
// HTTP servers that answer the SQS JSON protocol as a test tells them to.
import { startFauxqs } from 'fauxqs';
import { SQSClient, CreateQueueCommand, ReceiveMessageCommand, DeleteMessageBatchCommand } from '@aws-sdk/client-sqs';
import { SNSClient, CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import http from 'node:http';
import crypto from 'node:crypto';
import { sleep } from './harness.mjs';

export const TEST_CREDS = { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'test-secret', AWS_REGION: 'us-east-1' };

// A clean environment for signalbox: no AWS settings of the machine leak in.
export function awsEnv(extra = {}) {
  const env = {};
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE',
    'AWS_DEFAULT_PROFILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN', 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE']) env[k] = '';
  return { ...env, ...extra };
}

export class Fauxqs {
  static async start() {
    const server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
    return new Fauxqs(server);
  }
  constructor(server) {
    this.server = server;
    this.endpoint = `http://127.0.0.1:${server.port}`;
    const cfg = { endpoint: this.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    // fauxqs's queue URLs name a host that does not resolve: keep requests on the endpoint
    this.sqs = new SQSClient({ ...cfg, useQueueUrlAsEndpoint: false });
    this.sns = new SNSClient(cfg);
  }
  async createQueue(name, attributes = {}) {
    const r = await this.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    return r.QueueUrl;
  }
  async createTopic(name, attributes = {}) {
    return (await this.sns.send(new CreateTopicCommand({ Name: name, Attributes: attributes }))).TopicArn;
  }
  async subscribe(topicArn, queueName, raw) {
    await this.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs',
      Endpoint: `arn:aws:sqs:us-east-1:000000000000:${queueName}`,
      Attributes: raw ? { RawMessageDelivery: 'true' } : {} }));
  }
  // Receives (and deletes) until n messages came or ms passed; returns them in order received.
  async receive(queueUrl, n, ms = 10000) {
    const out = [];
    const end = Date.now() + ms;
    while (out.length < n && Date.now() < end) {
      const r = await this.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'], WaitTimeSeconds: 0 }));
      const msgs = r.Messages || [];
      if (!msgs.length) { await sleep(50); continue; }
      out.push(...msgs);
      await this.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl,
        Entries: msgs.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
    }
    return out;
  }
  stop() { return this.server.stop(); }
}

// An HTTP server that speaks just enough of SQS's JSON protocol: answer(call) decides each
// answer from { target, body (parsed), headers, raw }; calls are recorded.
export class FakeSqs {
  static async start(answer) {
    const f = new FakeSqs(answer);
    await new Promise((ok) => f.server.listen(0, '127.0.0.1', ok));
    f.port = f.server.address().port;
    f.endpoint = `http://127.0.0.1:${f.port}`;
    return f;
  }
  constructor(answer) {
    this.calls = [];
    this.server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (d) => chunks.push(d));
      req.on('end', async () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let body = null;
        try { body = JSON.parse(raw); } catch { /* form or garbage */ }
        const call = { method: req.method, url: req.url, headers: req.headers, raw, body,
          target: req.headers['x-amz-target'] || '' };
        this.calls.push(call);
        const a = await answer(call);
        res.writeHead(a.status ?? 200, { 'Content-Type': 'application/x-amz-json-1.0', ...(a.headers || {}) });
        res.end(typeof a.body === 'string' ? a.body : JSON.stringify(a.body ?? {}));
      });
    });
  }
  stop() { this.server.closeAllConnections(); return new Promise((ok) => this.server.close(ok)); }
}

// The instant answer of SendMessage / SendMessageBatch: every entry successful.
const md5 = (s) => crypto.createHash('md5').update(s ?? '').digest('hex');
export function sqsOk(call) {
  if (call.target.endsWith('GetQueueUrl'))
    return { body: { QueueUrl: `https://sqs.us-east-1.amazonaws.com/${call.body.QueueOwnerAWSAccountId}/${call.body.QueueName}` } };
  if (call.target.endsWith('SendMessageBatch'))
    return { body: { Successful: call.body.Entries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: md5(e.MessageBody) })), Failed: [] } };
  return { body: { MessageId: 'm', MD5OfMessageBody: md5(call.body.MessageBody) } };
}

// The messages a FakeSqs received (each batch entry or single message), in order.
export function sqsMessages(fake) {
  const out = [];
  for (const c of fake.calls) {
    if (c.target.endsWith('SendMessageBatch')) out.push(...c.body.Entries);
    else if (c.target.endsWith('SendMessage')) out.push(c.body);
  }
  return out;
}

export async function waitUntil(what, fn, ms = 15000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}
