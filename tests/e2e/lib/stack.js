// The system under test: a real `nadajnik-sandbox` and a real `nadajnik serve` on loopback, each
// test file with its own temp data folder and free ports, plus the CLI on the same data.
//
// Binaries come from the environment (tests/CMakeLists.txt passes $<TARGET_FILE:...>):
//   NADAJNIK_BINARY, NADAJNIK_SANDBOX_BINARY.
// Every child process is registered here and killed at stop(), on process exit and on
// SIGINT/SIGTERM, so a failing or interrupted test leaves nothing running.
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const SANDBOX_CLIENT_ID = 'nadajnik-sandbox';
const SANDBOX_CLIENT_SECRET = 'nadajnik-sandbox-secret';
const SANDBOX_SELLER_PASSWORD = 'haslo-sandbox';
const SELLER_PL = 'sprzedawca-pl';
const SELLER_CZ = 'prodejce-cz';

function requiredEnv(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the browser tests through ctest (ctest -L e2e), ` +
                    'which passes the paths of the built binaries');
  }
  if (!fs.existsSync(value)) throw new Error(`${name}=${value} does not exist: build it first`);
  return value;
}

// ---- child processes ----------------------------------------------------------------------------

const children = new Set();

function killAll(signal) {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try { child.kill(signal); } catch { /* already gone */ }
    }
  }
}
process.on('exit', () => killAll('SIGKILL'));
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    killAll('SIGKILL');
    process.exit(128 + (os.constants.signals[signal] || 1));
  });
}

// The environment of a child: ours without NADAJNIK_* (nadajnik refuses variables that are not
// configuration keys, such as NADAJNIK_BINARY or run-tests.sh's NADAJNIK_TEST_POSTGRES_URL),
// plus `env`.
function childEnv(env) {
  const clean = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('NADAJNIK_')) clean[key] = value;
  }
  return { ...clean, ...env };
}

function startProcess(file, args, { env = {}, stdout, stderr } = {}) {
  const out = fs.openSync(stdout, 'a');
  const err = fs.openSync(stderr, 'a');
  const child = spawn(file, args, {
    env: childEnv(env),
    stdio: ['ignore', out, err],
  });
  fs.closeSync(out);
  fs.closeSync(err);
  children.add(child);
  child.exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
  });
  return child;
}

async function stopProcess(child, graceMs = 5000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

// ---- small helpers ------------------------------------------------------------------------------

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Polls `probe` until it returns a truthy value; throws with `what` after `timeoutMs`, or at once
// when the probe throws an error marked `fatal` (see fatal()).
async function eventually(what, probe, { timeoutMs = 30000, intervalMs = 200 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (e) {
      if (e.fatal) throw e;
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}` +
                      (last ? `: ${last.message}` : ''));
    }
    await sleep(intervalMs);
  }
}

function fatal(message) {
  const e = new Error(message);
  e.fatal = true;
  return e;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// One HTTP request with node:http (no global fetch: Node 18 still calls it experimental).
function request(method, url, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined
      : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const req = http.request(url, {
      method,
      headers: {
        ...(data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {}),
        ...headers,
      },
      timeout: 30000,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode, headers: res.headers, body: text });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer in 30 s`)));
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

function tail(file, lines = 60) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

// ---- the sandbox --------------------------------------------------------------------------------

class Sandbox {
  constructor(dir) {
    this.dir = dir;
    this.binary = requiredEnv('NADAJNIK_SANDBOX_BINARY');
    this.base = '';
  }

  async start({ orders = 0, seed = 42, extraArgs = [] } = {}) {
    const stdout = path.join(this.dir, 'sandbox.out');
    this.stderr = path.join(this.dir, 'sandbox.err');
    this.process = startProcess(this.binary,
      ['--listen', '127.0.0.1:0', '--seed', String(seed), '--orders', String(orders),
       ...extraArgs],
      { stdout, stderr: this.stderr });
    const port = await eventually('the sandbox to print LISTENING', () => {
      if (this.process.exitCode !== null) {
        throw fatal(`the sandbox exited: ${tail(this.stderr)}`);
      }
      const m = /^LISTENING (\d+)\n/.exec(fs.readFileSync(stdout, 'utf8'));
      return m && m[1];
    }, { timeoutMs: 60000, intervalMs: 50 });
    this.base = `http://127.0.0.1:${port}`;
    return this;
  }

  // The admin API under /__sandbox/ (JSON); throws on a status >= 300.
  async admin(method, adminPath, body) {
    const r = await request(method, this.base + adminPath, { body });
    if (r.status >= 300) throw new Error(`${method} ${adminPath}: ${r.status} ${r.body}`);
    return r.body ? JSON.parse(r.body) : null;
  }

  // A token pair of a seller, without a browser.
  tokens(login = SELLER_PL) { return this.admin('POST', '/__sandbox/tokens', { login }); }

  // New orders of a seller (paid unless told otherwise): their checkout form ids.
  async createOrders({ count = 1, seller = SELLER_PL, marketplace, paid = true } = {}) {
    const body = { count, seller, paid };
    if (marketplace) body.marketplace = marketplace;
    return (await this.admin('POST', '/__sandbox/orders', body)).checkoutFormIds;
  }

  // A password change at Allegro: every token of the seller dies.
  revoke(login = SELLER_PL) { return this.admin('POST', '/__sandbox/revoke', { login }); }

  // What the sandbox received from Nadajnik (fulfillment, tracking numbers, ...).
  async received(kind) {
    const q = kind ? `?kind=${encodeURIComponent(kind)}` : '';
    return (await this.admin('GET', `/__sandbox/received${q}`)).received;
  }

  // A checkout form as Allegro's REST API serves it to the seller.
  async checkoutForm(id, login = SELLER_PL) {
    const { access_token: token } = await this.tokens(login);
    const r = await request('GET', `${this.base}/order/checkout-forms/${encodeURIComponent(id)}`, {
      headers: {
        Accept: 'application/vnd.allegro.public.v1+json',
        Authorization: `Bearer ${token}`,
      },
    });
    if (r.status !== 200) throw new Error(`GET checkout form ${id}: ${r.status} ${r.body}`);
    return JSON.parse(r.body);
  }

  async stop() { await stopProcess(this.process); }
}

// ---- nadajnik -----------------------------------------------------------------------------------

class Nadajnik {
  constructor(dir) {
    this.dir = dir;
    this.dataDir = path.join(dir, 'data');
    fs.mkdirSync(this.dataDir, { recursive: true });
    this.binary = requiredEnv('NADAJNIK_BINARY');
    this.base = '';
    this.log = path.join(dir, 'nadajnik.log');
    this.stderr = path.join(dir, 'nadajnik.err');
  }

  // One CLI command on the same data; global flags go after the subcommand, which every command
  // accepts. Resolves to its stdout; rejects on a non-zero exit. Asynchronous, so that servers in
  // this process (a proxy) keep answering while it runs.
  cli(args, { input = '', env = {} } = {}) {
    return new Promise((resolve, reject) => {
      const child = spawn(this.binary, [...args, '--data-dir', this.dataDir],
                          { env: childEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
      children.add(child);
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
      child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
      const timer = setTimeout(() => child.kill('SIGKILL'), 120000);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        children.delete(child);
        if (code === 0) {
          resolve(stdout);
        } else {
          reject(new Error(`nadajnik ${args.join(' ')} exited ${code ?? signal}:\n` +
                           `${stdout}\n${stderr}`));
        }
      });
      child.stdin.end(input);
    });
  }

  addUser(username, password, role = 'admin') {
    return this.cli(['users', 'add', username, '--role', role], { input: `${password}\n` });
  }

  // An Allegro account connected without a browser: a refresh token from the sandbox's admin API,
  // given on stdin. `apiUrl` defaults to the sandbox (a test may put a proxy in between).
  async addAccount(sandbox, { alias, name, login = SELLER_PL, apiUrl = sandbox.base }) {
    const { refresh_token: refreshToken } = await sandbox.tokens(login);
    return this.cli(['accounts', 'add', '--alias', alias, '--name', name || `Sklep ${alias}`,
                     '--auth-url', sandbox.base, '--api-url', apiUrl,
                     '--client-id', SANDBOX_CLIENT_ID, '--client-secret', SANDBOX_CLIENT_SECRET,
                     '--refresh-token', '-'],
                    { input: `${refreshToken}\n` });
  }

  async accounts() { return JSON.parse(await this.cli(['accounts', 'list', '--json'])); }

  // `nadajnik serve` on a free port; retried on another port if the one picked was taken.
  async start(env = {}) {
    for (let attempt = 1; ; ++attempt) {
      const port = await freePort();
      this.process = startProcess(this.binary,
        ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', this.dataDir],
        {
          env: {
            NADAJNIK_LOG_FILE: this.log,
            NADAJNIK_JOBS_POLL_INTERVAL_MS: '50',
            ...env,
          },
          stdout: path.join(this.dir, 'nadajnik.out'),
          stderr: this.stderr,
        });
      this.base = `http://127.0.0.1:${port}`;
      try {
        await eventually('nadajnik to answer /healthz', async () => {
          if (this.process.exitCode !== null) throw fatal('nadajnik exited');
          return (await request('GET', `${this.base}/healthz`)).status === 200;
        }, { timeoutMs: 60000, intervalMs: 100 });
        return this;
      } catch (e) {
        await stopProcess(this.process);
        if (attempt >= 3) throw new Error(`${e.message}\n${this.logTail()}`);
      }
    }
  }

  url(p = '') { return this.base + p; }

  logTail(lines = 80) {
    return `--- nadajnik log ---\n${tail(this.log, lines)}\n--- nadajnik stderr ---\n` +
           tail(this.stderr, lines);
  }

  async stop() { await stopProcess(this.process); }
}

// ---- the whole stack ----------------------------------------------------------------------------

// Settings that make background work quick enough for a browser test to watch.
const FAST_JOBS = {
  NADAJNIK_ALLEGRO_JOURNAL_INTERVAL_MS: '300',
  NADAJNIK_JOBS_BACKOFF_BASE_MS: '200',
  NADAJNIK_JOBS_BACKOFF_MAX_MS: '2000',
};

class Stack {
  constructor(name) {
    this.name = name;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `nadajnik-e2e-${name}-`));
    this.sandbox = new Sandbox(this.dir);
    this.nadajnik = new Nadajnik(this.dir);
    this.extras = [];  // other things to close at stop(): proxies, servers
  }

  // The sandbox (with `orders` paid orders spread over the past days), the users, then
  // `nadajnik serve`. Users are added before the server starts, as an operator would.
  async start({ orders = 0, users = [], env = {}, sandboxArgs = [] } = {}) {
    await this.sandbox.start({ orders, extraArgs: sandboxArgs });
    for (const u of users) await this.nadajnik.addUser(u.username, u.password, u.role);
    await this.nadajnik.start({ ...FAST_JOBS, ...env });
    return this;
  }

  // Stops everything; keeps the temp folder (and says where) when `failed` or when a sanitizer
  // reported an error in a server (ASan/UBSan builds), else removes it. Returns those reports.
  async stop({ failed = false } = {}) {
    for (const extra of this.extras.reverse()) {
      try { await extra.close(); } catch { /* best effort */ }
    }
    await Promise.allSettled([this.nadajnik.stop(), this.sandbox.stop()]);
    const reports = [this.nadajnik.stderr, this.sandbox.stderr].filter(Boolean).flatMap((file) =>
      tail(file, 100000).split('\n').filter((line) =>
        /ERROR: AddressSanitizer|runtime error:/.test(line)).map((line) => `${file}: ${line}`));
    if (failed || reports.length) {
      process.stderr.write(`${this.nadajnik.logTail()}\n--- sandbox stderr ---\n` +
                           `${tail(this.sandbox.stderr || '', 40)}\n` +
                           `(data, logs: ${this.dir})\n`);
    } else {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
    return reports;
  }
}

module.exports = {
  SANDBOX_CLIENT_ID,
  SANDBOX_CLIENT_SECRET,
  SANDBOX_SELLER_PASSWORD,
  SELLER_CZ,
  SELLER_PL,
  Stack,
  eventually,
  freePort,
  request,
  sleep,
};
