// sigv4.test.mjs - the signatures and credentials of SQS and SNS calls, checked by a verifier
// of our own (sigv4_verifier.mjs, AWS's algorithm in node crypto; fauxqs checks none):
// credentials from the environment with a session token, a wrong secret refused, the shared
// credentials file with a profile, and the container credentials endpoint with its token file,
// refreshed before the credentials expire. Secrets never reach the logs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { Redis, Signalbox, tempDir } from './harness.mjs';
import { FakeSqs, awsEnv, sqsOk, sqsMessages, waitUntil } from './aws_harness.mjs';
import { verifySigV4 } from './sigv4_verifier.mjs';

const rule = (targets) => JSON.stringify({ Name: 'signed', EventPattern: { source: ['app'] }, Targets: targets });
const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/q';

// An SQS look-alike that answers only calls whose signature verifies with keys.
async function verifyingSqs(keys) {
  const seen = [];
  const fake = await FakeSqs.start((call) => {
    const v = verifySigV4({ method: call.method, path: call.url, headers: call.headers, body: call.raw }, keys,
      { required: ['x-amz-target', 'content-type'] });
    seen.push(v);
    if (!v.ok) return { status: 403, body: { __type: `com.amazonaws.sqs#${v.code}`, message: v.why } };
    return sqsOk(call);
  });
  fake.seen = seen;
  return fake;
}

async function put(sb, n) {
  const r = await sb.putEventsRaw({ Entries: Array.from({ length: n }, (_, i) => ({ Source: 'app', DetailType: 'T', Detail: JSON.stringify({ n: i }) })) });
  assert.equal(r.status, 200);
  return r.body.Entries.map((e) => e.EventId);
}

test('the verifier accepts what the AWS SDK signs and refuses a changed body', { timeout: 30000 }, async () => {
  const fake = await verifyingSqs({ AKIDSDK: { secret: 'sdk-secret' } });
  const sqs = new SQSClient({ endpoint: fake.endpoint, region: 'eu-west-1', useQueueUrlAsEndpoint: false,
    credentials: { accessKeyId: 'AKIDSDK', secretAccessKey: 'sdk-secret' } });
  await sqs.send(new SendMessageCommand({ QueueUrl: QUEUE, MessageBody: 'from the SDK' }));
  assert.equal(fake.seen[0].ok, true, JSON.stringify(fake.seen[0]));
  assert.equal(fake.seen[0].service, 'sqs');
  const c = fake.calls[0];
  const tampered = verifySigV4({ method: c.method, path: c.url, headers: c.headers, body: c.raw.replace('from', 'FROM') }, { AKIDSDK: { secret: 'sdk-secret' } });
  assert.deepEqual([tampered.ok, tampered.code], [false, 'SignatureDoesNotMatch']);
  const wrong = verifySigV4({ method: c.method, path: c.url, headers: c.headers, body: c.raw }, { AKIDSDK: { secret: 'other' } });
  assert.equal(wrong.ok, false);
  await fake.stop();
});

test('environment credentials with a session token sign every call; a wrong secret is refused for good', { timeout: 60000 }, async () => {
  const keys = { AKIDENV: { secret: 'env-secret/with+chars', token: 'session-token-123' } };
  const fake = await verifyingSqs(keys);
  const sb = await Signalbox.start({ env: awsEnv({ AWS_ACCESS_KEY_ID: 'AKIDENV', AWS_SECRET_ACCESS_KEY: 'env-secret/with+chars', AWS_SESSION_TOKEN: 'session-token-123' }),
    args: ['--sqs-endpoint', fake.endpoint], rules: { 'r.json': rule([{ Id: 'q', Arn: QUEUE }]) } });
  await put(sb, 10);
  await put(sb, 3);
  assert.ok(fake.seen.length >= 2);
  for (const v of fake.seen) {
    assert.equal(v.ok, true, JSON.stringify(v));
    assert.equal(v.region, 'eu-west-1');
    assert.equal(v.service, 'sqs');
    assert.ok(v.signedHeaders.includes('x-amz-security-token'));
  }
  assert.equal(sqsMessages(fake).length, 13);
  assert.equal((await sb.stop()).code, 0);
  assert.ok(!sb.stdout.includes('env-secret') && !sb.stderr.includes('env-secret'), 'the secret is not logged');
  assert.ok(!sb.stdout.includes('session-token-123'), 'the token is not logged');

  const redis = await Redis.start();
  const bad = await Signalbox.start({ redis, env: awsEnv({ AWS_ACCESS_KEY_ID: 'AKIDENV', AWS_SECRET_ACCESS_KEY: 'not-the-secret', AWS_SESSION_TOKEN: 'session-token-123' }),
    args: ['--sqs-endpoint', fake.endpoint], rules: { 'r.json': rule([{ Id: 'q', Arn: QUEUE }]) } });
  const ids = await put(bad, 2);
  const dl = redis.cmd('XRANGE', 'signalbox:dlq:signed:q', '-', '+').map(([, f]) => Object.fromEntries(
    Array.from({ length: f.length / 2 }, (_, i) => [f[2 * i], f[2 * i + 1]])));
  assert.deepEqual(dl.map((e) => e.event_id).sort(), [...ids].sort());
  for (const e of dl) assert.equal(e.error_code, 'SignatureDoesNotMatch');
  assert.equal(sqsMessages(fake).length, 15, 'the refused calls reached the server');
  assert.equal(fake.seen.filter((v) => !v.ok).length, 1);
  assert.equal((await bad.stop()).code, 0);
  await redis.stop();
  await fake.stop();
});

test('the shared credentials file and profile sign SNS calls too', { timeout: 60000 }, async () => {
  const keys = { AKIDFILE: { secret: 'file-secret' } };
  const fake = await FakeSqs.start((call) => {
    const v = verifySigV4({ method: call.method, path: call.url, headers: call.headers, body: call.raw }, keys);
    call.verified = v;
    if (!v.ok) return { status: 403, headers: { 'Content-Type': 'text/xml' }, body: `<ErrorResponse><Error><Type>Sender</Type><Code>${v.code}</Code><Message>${v.why}</Message></Error></ErrorResponse>` };
    return { headers: { 'Content-Type': 'text/xml' }, body: '<PublishResponse><PublishResult><MessageId>m</MessageId></PublishResult></PublishResponse>' };
  });
  const dir = tempDir('sb-aws-');
  const file = join(dir, 'credentials');
  writeFileSync(file, '[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = default-secret\n\n# ops\n[ops]\naws_access_key_id=AKIDFILE\naws_secret_access_key = file-secret\n');
  const sb = await Signalbox.start({ env: awsEnv({ AWS_SHARED_CREDENTIALS_FILE: file, AWS_PROFILE: 'ops', HOME: dir }),
    args: ['--sns-endpoint', fake.endpoint], rules: { 'r.json': rule([{ Id: 't', Arn: 'arn:aws:sns:ap-southeast-2:123456789012:topic' }]) } });
  await put(sb, 1);
  assert.equal(fake.calls.length, 1);
  const v = fake.calls[0].verified;
  assert.equal(v.ok, true, JSON.stringify(v));
  assert.deepEqual([v.accessKeyId, v.region, v.service], ['AKIDFILE', 'ap-southeast-2', 'sns']);
  const form = new URLSearchParams(fake.calls[0].raw);
  assert.equal(form.get('Action'), 'Publish');
  assert.equal(form.get('TopicArn'), 'arn:aws:sns:ap-southeast-2:123456789012:topic');
  assert.equal(JSON.parse(form.get('Message')).source, 'app');
  assert.match(sb.stdout, /credentials for SQS and SNS from the profile ops/);
  assert.equal((await sb.stop()).code, 0);
  assert.ok(!sb.stdout.includes('file-secret'));
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('container credentials: fetched with the token file, refreshed before they expire', { timeout: 60000 }, async () => {
  const dir = tempDir('sb-aws-');
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, 'token-one\n');
  const fetches = [];
  const creds = http.createServer((req, res) => {
    fetches.push({ url: req.url, auth: req.headers.authorization });
    const n = fetches.length;
    const expires = new Date(Date.now() + (n === 1 ? 10000 : 3600000)).toISOString().replace(/\.\d+Z$/, 'Z');
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ AccessKeyId: `AKIDCTR${n}`, SecretAccessKey: `ctr-secret-${n}`, Token: `ctr-token-${n}`, Expiration: expires }));
  });
  await new Promise((ok) => creds.listen(0, '127.0.0.1', ok));
  const keys = {};
  for (let n = 1; n <= 5; n++) keys[`AKIDCTR${n}`] = { secret: `ctr-secret-${n}`, token: `ctr-token-${n}` };
  const fake = await verifyingSqs(keys);
  const sb = await Signalbox.start({ env: awsEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${creds.address().port}/v1/credentials`,
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile }),
  args: ['--sqs-endpoint', fake.endpoint], rules: { 'r.json': rule([{ Id: 'q', Arn: QUEUE }]) } });
  await put(sb, 5);
  assert.equal(fake.seen.at(-1).accessKeyId, 'AKIDCTR1');
  writeFileSync(tokenFile, 'token-two');
  // ten seconds of validity: fetched again after about five (half, as it is short-lived)
  await waitUntil('a second fetch', () => fetches.length >= 2, 15000);
  await put(sb, 5);
  assert.equal(fake.seen.at(-1).accessKeyId, 'AKIDCTR2');
  assert.ok(fake.seen.every((v) => v.ok), JSON.stringify(fake.seen.filter((v) => !v.ok)));
  assert.deepEqual(fetches.slice(0, 2).map((f) => f.auth), ['token-one', 'token-two']);
  assert.equal(fetches[0].url, '/v1/credentials');
  assert.equal((await sb.stop()).code, 0);
  for (const s of ['ctr-secret', 'ctr-token', 'token-one', 'token-two'])
    assert.ok(!sb.stdout.includes(s) && !sb.stderr.includes(s), `${s} is not logged`);
  await fake.stop();
  creds.closeAllConnections();
  await new Promise((ok) => creds.close(ok));
  rmSync(dir, { recursive: true, force: true });
});

test('no credentials anywhere: the rules are refused with what was looked at', { timeout: 30000 }, async () => {
  const { spawnSync } = await import('node:child_process');
  const { signalboxCommand } = await import('./harness.mjs');
  const dir = tempDir('sb-aws-');
  writeFileSync(join(dir, 'r.json'), rule([{ Id: 'q', Arn: QUEUE }]));
  const r = spawnSync(...signalboxCommand(['serve', '--rules', dir, '--listen', '127.0.0.1:0', '--redis', 'redis://127.0.0.1:1']),
    { env: { ...process.env, ...awsEnv({ HOME: dir }) }, timeout: 10000 });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr.toString(), /no AWS credentials for SQS and SNS targets/);
  rmSync(dir, { recursive: true, force: true });
});
