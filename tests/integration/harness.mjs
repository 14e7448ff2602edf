// harness.mjs - real services for the integration tests: redis-server on a free loopback port,
// an HTTP receiver in this process, and `signalbox serve`. Everything started here is stopped
// by its PID when the test file ends.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

const here = dirname(fileURLToPath(import.meta.url));
export const SIGNALBOX = process.env.SB_TEST_SIGNALBOX || resolve(here, '../../build/signalbox');
// SB_TEST_WRAPPER runs each signalbox the tests start (serve, dlq, the refused starts) under a
// tool, e.g. valgrind (tests/valgrind/run.sh); `signalbox kafka-mock`, a stand-in broker, is not
const WRAPPER = (process.env.SB_TEST_WRAPPER || '').split(' ').filter(Boolean);

// how many times longer a test's time budgets are under SB_TEST_WRAPPER (a whole number,
// SB_TEST_SLOWDOWN, 3 by default: Valgrind runs code 20-50x slower, but the router mostly waits)
export const SLOWDOWN = WRAPPER.length ? Math.max(1, Math.round(Number(process.env.SB_TEST_SLOWDOWN) || 3)) : 1;

// [program, arguments] that run `signalbox ...argv`, under SB_TEST_WRAPPER when it is set
export function signalboxCommand(argv) {
  return WRAPPER.length ? [WRAPPER[0], [...WRAPPER.slice(1), SIGNALBOX, ...argv]] : [SIGNALBOX, argv];
}

const children = new Set();
process.on('exit', () => { for (const c of children) { try { c.kill('SIGKILL'); } catch { /* gone */ } } });

export function freePort() {
  return new Promise((ok, fail) => {
    const s = net.createServer();
    s.unref();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, fn, ms = 10000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try { if (await fn()) return; } catch (e) { last = e; }
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}${last ? ': ' + last.message : ''}`);
}

// the status of GET url over HTTPS, whatever the server's certificate (the harness only waits
// for the router to serve; tests that check the certificate pass their CA)
function httpsStatus(url) {
  return new Promise((ok, fail) => {
    const req = https.get(url, { rejectUnauthorized: false, timeout: 2000 * SLOWDOWN }, (res) => { res.resume(); ok(res.statusCode); });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${2 * SLOWDOWN} s`)));
    req.on('error', fail);
  });
}

export function tempDir(prefix = 'sb-') { return mkdtempSync(join(tmpdir(), prefix)); }

export class Redis {
  // aof: append-only file with fsync always, so that kill() and restart() lose nothing
  static async start({ aof = false } = {}) {
    const port = await freePort();
    const dir = tempDir('sb-redis-');
    const r = new Redis(port, null, dir);
    r.aof = aof;
    await r.spawn();
    return r;
  }
  async spawn() {
    this.proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '',
      '--appendonly', this.aof ? 'yes' : 'no', '--appendfsync', 'always', '--dir', this.dir], { stdio: 'ignore' });
    children.add(this.proc);
    await waitFor('redis-server', () => { try { return this.cmd('PING') === 'PONG'; } catch { return false; } });
  }
  // SIGKILL, keeping the data folder; restart() brings it back on the same port
  kill() {
    children.delete(this.proc);
    this.proc.kill('SIGKILL');
    return new Promise((ok) => this.proc.once('exit', ok));
  }
  restart() { return this.spawn(); }
  constructor(port, proc, dir) { Object.assign(this, { port, proc, dir }); }
  url() { return `redis://127.0.0.1:${this.port}`; }
  // one command through redis-cli, answered as JSON (RESP2)
  cmd(...args) {
    const out = execFileSync('redis-cli', ['-2', '--json', '-p', String(this.port), ...args.map(String)],
      { maxBuffer: 1 << 30 });
    return JSON.parse(out.toString());
  }
  // the `event` field of every entry of a stream, parsed
  streamEvents(key) {
    const entries = this.cmd('XRANGE', key, '-', '+');
    return entries.map(([, fields]) => {
      const f = {};
      for (let i = 0; i < fields.length; i += 2) f[fields[i]] = fields[i + 1];
      return JSON.parse(f.event);
    });
  }
  async stop() {
    children.delete(this.proc);
    this.proc.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// An HTTP server that records what it receives and answers as told.
export class Receiver {
  static async start(answer = () => ({ status: 200, body: '{}' })) {
    const r = new Receiver(answer);
    await new Promise((ok) => r.server.listen(0, '127.0.0.1', ok));
    r.port = r.server.address().port;
    return r;
  }
  constructor(answer) {
    this.requests = [];
    this.answer = answer;
    this.server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d) => { body += d; });
      req.on('end', async () => {
        const rec = { method: req.method, url: req.url, headers: req.headers, body };
        this.requests.push(rec);
        const a = await this.answer(rec);
        res.writeHead(a.status, { 'Content-Type': 'application/json', ...(a.headers || {}) });
        res.end(a.body ?? '');
      });
    });
  }
  url(path = '/') { return `http://127.0.0.1:${this.port}${path}`; }
  async waitFor(n, ms = 10000) { await waitFor(`${n} requests`, () => this.requests.length >= n, ms); }
  stop() { return new Promise((ok) => this.server.close(ok)); }
}

export class Signalbox {
  // rules: {file name: content}; args: extra command-line arguments
  static async start({ rules = {}, args = [], env = {}, redis, config, dir } = {}) {
    dir = dir || tempDir('sb-rules-');
    for (const [name, text] of Object.entries(rules)) writeFileSync(join(dir, name), text);
    const port = await freePort();
    const argv = ['serve', '--rules', dir, '--listen', `127.0.0.1:${port}`,
      '--redis', redis ? redis.url() : 'redis://127.0.0.1:1', ...args];
    if (config) {
      const cfg = join(dir, 'signalbox.yaml.cfg');
      writeFileSync(cfg, config);
      argv.push('--config', cfg);
    }
    const proc = spawn(...signalboxCommand(argv), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(proc);
    const sb = new Signalbox(port, proc, dir);
    proc.stdout.on('data', (d) => { sb.stdout += d; });
    proc.stderr.on('data', (d) => { sb.stderr += d; });
    sb.exited = new Promise((ok) => proc.on('exit', (code, signal) => { children.delete(proc); ok({ code, signal }); }));
    // the admin paths answer on --admin-listen when it is given, over HTTPS with --admin-tls-cert
    const adminTls = args.includes('--admin-tls-cert');
    const admin = args.includes('--admin-listen') ? `${adminTls ? 'https' : 'http'}://${args[args.indexOf('--admin-listen') + 1]}` : sb.url('').replace(/\/$/, '');
    const healthz = adminTls ? () => httpsStatus(`${admin}/healthz`) : async () => (await fetch(`${admin}/healthz`)).status;
    await waitFor('signalbox /healthz', async () => (await healthz()) === 200, WRAPPER.length ? 60000 : 10000)
      .catch((e) => { throw new Error(`${e.message}\nstdout: ${sb.stdout}\nstderr: ${sb.stderr}`); });
    return sb;
  }
  constructor(port, proc, dir) { Object.assign(this, { port, proc, dir, stdout: '', stderr: '' }); }
  url(path = '/') { return `http://127.0.0.1:${this.port}${path}`; }
  endpoint() { return `http://127.0.0.1:${this.port}`; }
  logs() { return this.stdout.split('\n').filter(Boolean).map((l) => { try { return JSON.parse(l); } catch { return { raw: l }; } }); }
  async putEventsRaw(body, target = 'AWSEvents.PutEvents') {
    const res = await fetch(this.url('/'), { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': target } });
    return { status: res.status, body: await res.json() };
  }
  async stop(signal = 'SIGTERM', keepDir = false) {
    this.proc.kill(signal);
    const r = await this.exited;
    if (!keepDir) rmSync(this.dir, { recursive: true, force: true });
    return r;
  }
}

// `signalbox kafka-mock`: a mock Kafka cluster in a process of its own, so that routers can be
// killed and restarted while the broker, its data and the committed offsets stay.
export class KafkaMock {
  static async start(topics, partitions = 4) {
    const proc = spawn(SIGNALBOX, ['kafka-mock', '--partitions', String(partitions), ...topics],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    children.add(proc);
    let out = '';
    proc.stdout.on('data', (d) => { out += d; });
    await waitFor('kafka-mock', () => /bootstrap.servers=/.test(out));
    return new KafkaMock(proc, out.match(/bootstrap.servers=(\S+)/)[1]);
  }
  constructor(proc, bootstrap) { Object.assign(this, { proc, bootstrap }); }
  produce(topic, lines, args = []) {
    execFileSync('kcat', ['-P', '-b', this.bootstrap, '-t', topic, '-z', 'lz4', ...args],
      { input: lines.join('\n') + '\n', maxBuffer: 1 << 28 });
  }
  stop() { children.delete(this.proc); this.proc.kill('SIGTERM'); }
}

// the aws CLI against signalbox, with throwaway credentials
export function awsCli(sb, args) {
  const out = execFileSync('aws', ['events', ...args, '--endpoint-url', sb.endpoint(), '--region', 'us-east-1', '--output', 'json'], {
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_PAGER: '' },
  });
  return JSON.parse(out.toString());
}
