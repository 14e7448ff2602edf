// tls_targets.test.mjs - HTTPS targets with a private CA and mutual TLS: with http-ca-file and
// a client certificate the delivery goes through (the server sees the client's name); without
// the client certificate the server refuses the handshake and the event ends as a dead letter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis, Signalbox, tempDir } from './harness.mjs';

function pki(dir) {
  const ssl = (...a) => execFileSync('openssl', a, { cwd: dir, stdio: 'ignore' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=test-ca', '-keyout', 'ca.key', '-out', 'ca.pem');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const [name, cn, ext] of [['server', '127.0.0.1', ['-extfile', 'san.ext']], ['client', 'signalbox-client', []]]) {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1',
      '-out', `${name}.pem`, ...ext);
  }
}

test('HTTPS target with a private CA and a client certificate (mutual TLS)', { timeout: 60000 }, async () => {
  const dir = tempDir('sb-mtls-');
  pki(dir);
  const seen = [];
  const server = https.createServer({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')),
    ca: readFileSync(join(dir, 'ca.pem')), requestCert: true, rejectUnauthorized: true }, (req, res) => {
    let b = '';
    req.on('data', (d) => { b += d; });
    req.on('end', () => { seen.push({ cn: req.socket.getPeerCertificate().subject.CN, body: JSON.parse(b) }); res.end('{}'); });
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `https://127.0.0.1:${server.address().port}/in`;
  const redis = await Redis.start();
  const rules = { 'r.json': JSON.stringify({ Name: 'm', EventPattern: { source: ['app'] },
    Targets: [{ Id: 'h', Arn: url, RetryPolicy: { MaximumRetryAttempts: 0 } }] }) };
  const put = (sb) => fetch(sb.url('/'), { method: 'POST', headers: { 'Content-Type': 'application/x-amz-json-1.1',
    'X-Amz-Target': 'AWSEvents.PutEvents' }, body: JSON.stringify({ Entries: [{ Source: 'app', DetailType: 'T', Detail: '{"n":1}' }] }) })
    .then((r) => r.json());

  const withCert = await Signalbox.start({ redis, rules, args: ['--http-ca-file', join(dir, 'ca.pem'),
    '--http-client-cert', join(dir, 'client.pem'), '--http-client-key', join(dir, 'client.key')] });
  const ok = await put(withCert);
  assert.equal(seen.length, 1);
  assert.equal(seen[0].cn, 'signalbox-client');
  assert.equal(seen[0].body.id, ok.Entries[0].EventId);
  assert.equal((await withCert.stop()).code, 0);

  const noCert = await Signalbox.start({ redis, rules, args: ['--http-ca-file', join(dir, 'ca.pem')] });
  const refused = await put(noCert);
  assert.equal(seen.length, 1, 'nothing delivered without the client certificate');
  const dl = redis.cmd('XRANGE', 'signalbox:dlq:m:h', '-', '+');
  assert.equal(dl.length, 1);
  assert.ok(dl[0][1].includes(refused.Entries[0].EventId));
  assert.equal((await noCert.stop()).code, 0);
  await new Promise((ok2) => server.close(ok2));
  await redis.stop();
});
