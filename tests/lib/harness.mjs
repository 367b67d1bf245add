// Test harness: starts the real upravdom binary on a fresh database of the
// backend under test and stops it at the end, failing the test if the process
// exits badly or a sanitizer reported anything.
//
// Environment (set by ctest, see tests/CMakeLists.txt):
//   UPRAVDOM_BIN          path to the built binary
//   UPRAVDOM_TEST_BACKEND sqlite | postgres
//   UPRAVDOM_TEST_PG      admin URL of the test PostgreSQL server
//                         (postgresql://postgres@127.0.0.1:PORT/postgres)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const BIN = process.env.UPRAVDOM_BIN || 'build/upravdom';
export const BACKEND = process.env.UPRAVDOM_TEST_BACKEND || 'sqlite';
export const DEMO_PASSWORD = 'upravdom';

let dbCounter = 0;

/** Creates an empty database of the backend under test; returns {url, drop()}. */
export function freshDatabase() {
  if (BACKEND === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'upravdom-test-'));
    return { url: `sqlite:${dir}/test.db`, drop: () => rmSync(dir, { recursive: true, force: true }) };
  }
  const admin = process.env.UPRAVDOM_TEST_PG;
  if (!admin) throw new Error('UPRAVDOM_TEST_PG is not set');
  const name = `t_${process.pid}_${Date.now()}_${dbCounter++}`;
  psql(admin, `CREATE DATABASE ${name}`);
  const url = admin.replace(/\/[^/?]*(\?|$)/, `/${name}$1`);
  return { url, drop: () => psql(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

function psql(url, sql) {
  const r = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qc', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
}

/** Runs the CLI synchronously; returns {status, stdout, stderr}. */
export function cli(args, opts = {}) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', env: { ...process.env, ...(opts.env || {}) },
    input: opts.input, timeout: opts.timeout || 120000 });
  assertNoSanitizerReport(r.stderr, `upravdom ${args.join(' ')}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function assertNoSanitizerReport(text, what) {
  if (/AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer/.test(text || ''))
    throw new Error(`${what}: sanitizer report:\n${text}`);
}

/**
 * Starts `upravdom serve` on a fresh database filled by `upravdom demo --no-serve`
 * (unless opts.demo === false). Returns {url, db, log, stop()}.
 * opts.args: extra serve flags; opts.demoArgs: extra demo flags; opts.env: extra env;
 * opts.db: the URL of a database to use instead of a fresh one of the backend
 * under test (it is not dropped at stop).
 */
export async function startServer(opts = {}) {
  const db = opts.db ? { url: opts.db, drop: () => {} } : freshDatabase();
  if (opts.demo !== false) {
    const r = cli(['demo', '--db', db.url, '--no-serve', '--seed', '1', ...(opts.demoArgs || [])]);
    if (r.status !== 0) throw new Error(`demo failed (${r.status}): ${r.stderr}`);
  }
  const args = ['serve', '--db', db.url, '--listen', '127.0.0.1:0', ...(opts.args || [])];
  const proc = spawn(BIN, args, { env: { ...process.env, ...(opts.env || {}) } });
  let log = '';
  let exited = null;
  const exitPromise = new Promise((resolve) => proc.on('exit', (code, sig) => {
    exited = { code, sig }; resolve(exited);
  }));
  proc.stdout.on('data', (d) => { log += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${log}`)), 30000);
    proc.stderr.on('data', (d) => {
      log += d;
      const m = /"msg":"listening","url":"([^"]+)"/.exec(log);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    exitPromise.then((e) => { clearTimeout(timer); reject(new Error(`server exited ${JSON.stringify(e)}:\n${log}`)); });
  });
  return {
    url,
    db,
    get log() { return log; },
    async stop() {
      if (!exited) proc.kill('SIGTERM');
      const e = await exitPromise;
      db.drop();
      assertNoSanitizerReport(log, 'upravdom serve');
      if (e.code !== 0) throw new Error(`server exited with ${JSON.stringify(e)}:\n${log.slice(-4000)}`);
    },
  };
}

/** Small fetch wrapper: api(base).get(path, {token}) etc.; returns {status, headers, body, text}. */
export function api(base) {
  async function call(method, p, { token, body, headers = {}, raw } = {}) {
    const h = { ...headers };
    if (token) h.Authorization = `Bearer ${token}`;
    let payload;
    if (raw !== undefined) payload = raw;
    else if (body !== undefined) { payload = JSON.stringify(body); h['Content-Type'] ??= 'application/json'; }
    const res = await fetch(base + p, { method, headers: h, body: payload });
    const text = await res.text();
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: res.status, headers: res.headers, body: json, text };
  }
  return {
    get: (p, o) => call('GET', p, o),
    post: (p, o) => call('POST', p, o),
    patch: (p, o) => call('PATCH', p, o),
    put: (p, o) => call('PUT', p, o),
    delete: (p, o) => call('DELETE', p, o),
    call,
    async login(login, password = DEMO_PASSWORD) {
      const r = await call('POST', '/api/v1/auth/login', { body: { login, password } });
      if (r.status !== 200) throw new Error(`login ${login}: ${r.status} ${r.text}`);
      return r.body.token;
    },
  };
}
