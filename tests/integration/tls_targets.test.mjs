// tls_targets.test.mjs - HTTPS targets with a private CA and mutual TLS: with http-ca-file and
// a client certificate the delivery goes through (the server sees the client's name); without
// the client certificate the server refuses the handshake and the event ends as a dead letter.
// Connections carry TLS files of their own: two servers with different CAs each get their
// connection's certificate, two certificates to one server never share a kept-alive connection,
// a certificate the server does not trust ends as a dead letter with the TLS error, and a
// connection's certificate without its key stops the start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { freePort, Redis, Signalbox, signalboxCommand, sleep, tempDir } from './harness.mjs';

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

const ssl = (dir, ...a) => execFileSync('openssl', a, { cwd: dir, stdio: 'ignore' });

// ca.pem and ca.key in dir (EC keys: quick to make)
function makeCa(dir, ca) {
  ssl(dir, 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', `/CN=${ca}`, '-keyout', `${ca}.key`, '-out', `${ca}.pem`);
}

// name.pem and name.key signed by ca; a server's for 127.0.0.1
function issue(dir, ca, name, cn, server = false) {
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl(dir, 'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${cn}`,
    '-keyout', `${name}.key`, '-out', `${name}.csr`);
  ssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial',
    '-days', '1', '-out', `${name}.pem`, ...(server ? ['-extfile', 'san.ext'] : []));
}

// An HTTPS server with ca's server certificate that requires a client certificate from ca; it
// records the path, the client's name and the TLS connection of every request.
async function mtlsServer(dir, ca, name) {
  const seen = [];
  const sockets = new WeakMap();
  const server = https.createServer({ key: readFileSync(join(dir, `${name}.key`)), cert: readFileSync(join(dir, `${name}.pem`)),
    ca: readFileSync(join(dir, `${ca}.pem`)), requestCert: true, rejectUnauthorized: true }, (req, res) => {
    if (!sockets.has(req.socket)) sockets.set(req.socket, sockets.size = (sockets.size || 0) + 1);
    let b = '';
    req.on('data', (d) => { b += d; });
    req.on('end', () => {
      seen.push({ path: req.url, cn: req.socket.getPeerCertificate().subject.CN, socket: sockets.get(req.socket),
        apiKey: req.headers['x-api-key'], body: JSON.parse(b) });
      res.end('{}');
    });
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const close = () => new Promise((ok) => { server.close(ok); server.closeAllConnections(); });
  return { seen, url: (path) => `https://127.0.0.1:${server.address().port}${path}`, close };
}

async function until(what, fn, ms = 10000) {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

// `openssl s_server` with name's certificate, refusing clients that ca did not sign with a TLS
// alert, as TLS servers do (node's closes the connection without one)
async function opensslServer(dir, ca, name) {
  const port = await freePort();
  const proc = spawn('openssl', ['s_server', '-quiet', '-www', '-accept', `127.0.0.1:${port}`, '-cert', `${name}.pem`,
    '-key', `${name}.key`, '-CAfile', `${ca}.pem`, '-Verify', '1', '-verify_return_error'], { cwd: dir, stdio: 'ignore' });
  const up = () => new Promise((ok) => {
    const c = net.connect(port, '127.0.0.1', () => { c.destroy(); ok(true); });
    c.on('error', () => ok(false));
  });
  await until('openssl s_server', up);
  return { url: (path) => `https://127.0.0.1:${port}${path}`, stop: () => { proc.kill(); } };
}

test('connections with TLS files of their own: two CAs, two client certificates, no shared connection, a refused certificate', { timeout: 60000 }, async (t) => {
  const dir = tempDir('sb-conn-tls-');
  makeCa(dir, 'ca-a');
  makeCa(dir, 'ca-b');
  issue(dir, 'ca-a', 'server-a', '127.0.0.1', true);
  issue(dir, 'ca-b', 'server-b', '127.0.0.1', true);
  issue(dir, 'ca-a', 'router', 'router-client');
  issue(dir, 'ca-a', 'client-a', 'conn-a-client');
  issue(dir, 'ca-b', 'client-b', 'conn-b-client');
  // conn-b's key is encrypted: its password comes from a file (and from a variable for `wrong`)
  ssl(dir, 'pkey', '-in', 'client-b.key', '-aes256', '-passout', 'pass:b-key-pw', '-out', 'client-b.enc.key');
  writeFileSync(join(dir, 'client-b.pw'), 'b-key-pw\n');
  // stopped even when the test fails, so that nothing keeps the file running
  const a = await mtlsServer(dir, 'ca-a', 'server-a');
  t.after(a.close);
  const b = await mtlsServer(dir, 'ca-b', 'server-b');
  t.after(b.close);
  const c = await opensslServer(dir, 'ca-a', 'server-a');
  t.after(c.stop);
  const redis = await Redis.start();
  t.after(() => redis.stop());
  const f = (name) => join(dir, name);
  const config = `connections:
  conn-a:
    type: api-key
    header: X-Api-Key
    value: key-a
    tls: {ca-file: ${f('ca-a.pem')}, client-cert: ${f('client-a.pem')}, client-key: ${f('client-a.key')}}
  conn-b:
    type: none
    tls:
      ca-file: ${f('ca-b.pem')}
      client-cert: ${f('client-b.pem')}
      client-key: ${f('client-b.enc.key')}
      client-key-password-file: ${f('client-b.pw')}
  wrong:
    type: none
    tls: {client-cert: ${f('client-b.pem')}, client-key: ${f('client-b.enc.key')},
          client-key-password-env: SB_TEST_KEY_PW}
`;
  const rule = (name, url, connection) => JSON.stringify({ Name: name, EventPattern: { source: [name] },
    Targets: [{ Id: 'h', Arn: url, ...(connection ? { ConnectionName: connection } : {}), RetryPolicy: { MaximumRetryAttempts: 0 } }] });
  const rules = { 'default.json': rule('default', a.url('/default'), null), 'a.json': rule('a', a.url('/a'), 'conn-a'),
    'b.json': rule('b', b.url('/b'), 'conn-b'), 'wrong.json': rule('wrong', c.url('/wrong'), 'wrong') };
  // the router-wide files: server A's CA and another certificate of CA A; `wrong` keeps the CA
  const sb = await Signalbox.start({ redis, rules, config, env: { SB_TEST_KEY_PW: 'b-key-pw' },
    args: ['--http-ca-file', f('ca-a.pem'), '--http-client-cert', f('router.pem'), '--http-client-key', f('router.key')] });
  t.after(() => sb.stop());
  const put = async (source) => {
    const r = await sb.putEventsRaw({ Entries: [{ Source: source, DetailType: 'T', Detail: '{}' }] });
    assert.equal(r.status, 200);
    return r.body.Entries[0].EventId;
  };

  // one at a time, so that each request finds the other certificate's connection idle in the pool
  const sent = [];
  for (let i = 0; i < 4; i++) {
    for (const source of ['default', 'a']) {
      sent.push({ source, id: await put(source) });
      await until(`delivery ${sent.length}`, () => a.seen.length === sent.length);
    }
  }
  const bId = await put('b');
  await until('the delivery to server B', () => b.seen.length === 1);

  assert.deepEqual(a.seen.map((r) => [r.path, r.cn, r.body.id]),
    sent.map(({ source, id }) => [`/${source}`, source === 'a' ? 'conn-a-client' : 'router-client', id]));
  assert.ok(a.seen.every((r) => r.apiKey === (r.path === '/a' ? 'key-a' : undefined)), 'conn-a\'s API key goes with it');
  assert.deepEqual(b.seen.map((r) => [r.path, r.cn, r.body.id]), [['/b', 'conn-b-client', bId]]);
  // kept-alive connections were reused, each by its own certificate only
  const socketsOf = (cn) => new Set(a.seen.filter((r) => r.cn === cn).map((r) => r.socket));
  const router = socketsOf('router-client'), connA = socketsOf('conn-a-client');
  assert.ok(router.size < 4 && connA.size < 4, `connections reused: ${router.size} and ${connA.size} for 4 requests each`);
  assert.ok([...router].every((s) => !connA.has(s)), 'no TLS connection carried both certificates');

  // a certificate that CA A did not sign: a dead letter with the TLS error
  const wrongId = await put('wrong');
  await until('the dead letter', () => (redis.cmd('XLEN', 'signalbox:dlq:wrong:h') || 0) === 1);
  const [[, fields]] = redis.cmd('XRANGE', 'signalbox:dlq:wrong:h', '-', '+');
  const dl = {};
  for (let i = 0; i < fields.length; i += 2) dl[fields[i]] = fields[i + 1];
  assert.ok(JSON.stringify(dl).includes(wrongId));
  assert.match(dl.error_message, /SSL.*alert unknown ca/, `a TLS error: ${dl.error_message}`);

  for (const secret of ['key-a', 'b-key-pw']) assert.ok(!sb.stdout.includes(secret) && !sb.stderr.includes(secret), `the log shows ${secret}`);
  assert.equal((await sb.stop()).code, 0);
});

test('a connection with a client certificate and no key is refused at start', () => {
  const dir = tempDir('sb-conn-tls-');
  makeCa(dir, 'ca');
  issue(dir, 'ca', 'client', 'c');
  writeFileSync(join(dir, 'signalbox.yaml'), `connections:\n  partner:\n    type: none\n    tls: {client-cert: client.pem}\n`);
  const r = spawnSync(...signalboxCommand(['serve', '--rules', dir, '--config', join(dir, 'signalbox.yaml')]), { timeout: 60000 });
  assert.equal(r.status, 2);
  assert.ok(r.stderr.toString().includes(
    `signalbox serve: ${join(dir, 'signalbox.yaml')}:4:24: connection partner: tls: client-cert needs client-key\n`), r.stderr.toString());
});
