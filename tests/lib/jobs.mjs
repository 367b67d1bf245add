// Helpers for the background-job tests (tests/api/jobs|schedules|workers.test.mjs):
// the `job` / `schedule` / `worker` commands against a database URL, worker
// processes with their JSON log lines, and UTC instants.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { BIN, cli, assertNoSanitizerReport } from './harness.mjs';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Unix seconds now. */
export const nowSec = () => Math.floor(Date.now() / 1000);

/** "2026-11-23T07:00:00Z" of Unix seconds. */
export function iso(sec) {
  return new Date(sec * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Unix seconds of an ISO time. */
export function unix(text) {
  const ms = Date.parse(text);
  assert.ok(Number.isFinite(ms), `not a time: ${text}`);
  return Math.floor(ms / 1000);
}

/** The first instant strictly after `after` (Unix seconds) whose UTC clock reads hh:mm:00. */
export function nextUtcClock(hh, mm, after) {
  const d = new Date(after * 1000);
  let t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), hh, mm, 0) / 1000;
  while (t <= after) t += 86400;
  return t;
}

/** "YYYY-MM-DDTHH:MM" of the wall clock at `sec` in a zone with a fixed UTC offset (hours). */
export function wallClock(sec, offsetHours) {
  return iso(sec + offsetHours * 3600).slice(0, 16);
}

/**
 * Runs `upravdom <args> --db url` synchronously; asserts the exit status unless
 * expect is null. Returns {status, stdout, stderr}.
 */
export function run(url, args, { expect = 0, timeout = 120000 } = {}) {
  const r = cli([...args, '--db', url], { timeout });
  if (expect !== null) {
    assert.equal(r.status, expect,
      `upravdom ${args.join(' ')} exited ${r.status}, expected ${expect}\nstdout: ${r.stdout}\nstderr: ${r.stderr.slice(-2000)}`);
  }
  return r;
}

/** The same, asynchronously (for commands that must run at the same moment). */
export function runAsync(url, args, { timeout = 120000 } = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(BIN, [...args, '--db', url], { env: process.env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`upravdom ${args.join(' ')} timed out`)); }, timeout);
    p.on('error', reject);
    p.on('close', (status, signal) => {
      clearTimeout(timer);
      try {
        assertNoSanitizerReport(stderr, `upravdom ${args.join(' ')}`);
      } catch (e) {
        reject(e);
        return;
      }
      resolve({ status, signal, stdout, stderr });
    });
  });
}

/**
 * `upravdom job list [--state S] [--kind K]` as objects. The output is
 * tab-separated (docs/jobs.md); a header row names the columns
 * (id, kind, state, attempts "a/max", progress "done/total", unique_key, last_error).
 */
export function jobList(url, { state, kind } = {}) {
  const args = ['job', 'list'];
  if (state) args.push('--state', state);
  if (kind) args.push('--kind', kind);
  const r = run(url, args);
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  let cols = ['id', 'kind', 'state', 'attempts', 'progress', 'unique_key', 'last_error'];
  if (lines.length && /^id\t/.test(lines[0])) cols = lines.shift().split('\t');
  return lines.map((line) => {
    const f = line.split('\t');
    const o = Object.fromEntries(cols.map((c, i) => [c, f[i] ?? '']));
    const [a, max] = String(o.attempts).split('/');
    const [done, total] = String(o.progress || '').split('/');
    return {
      ...o,
      id: Number(o.id),
      attempts: Number(a),
      max_attempts: max === undefined ? undefined : Number(max),
      progress: o.progress ? { done: Number(done), total: Number(total) } : null,
    };
  });
}

/**
 * A `upravdom worker --db url …` process. Its stderr (JSON log lines) is kept;
 * wait(ms) resolves on exit (killing it and failing after ms); stop() sends
 * SIGTERM and expects a clean exit.
 */
export function startWorker(url, args = []) {
  const argv = ['worker', '--db', url, ...args];
  const proc = spawn(BIN, argv, { env: process.env });
  let stderr = '';
  let stdout = '';
  let exit = null;
  proc.stderr.on('data', (d) => { stderr += d; });
  proc.stdout.on('data', (d) => { stdout += d; });
  const exited = new Promise((resolve) => proc.on('close', (code, signal) => { exit = { code, signal }; resolve(exit); }));
  const what = `upravdom ${argv.join(' ')}`;
  return {
    proc,
    exited,
    get pid() { return proc.pid; },
    get stderr() { return stderr; },
    get stdout() { return stdout; },
    get exit() { return exit; },
    /** JSON log lines of stderr. */
    lines() {
      return stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => {
        try { return JSON.parse(l); } catch { return { unparsed: l }; }
      });
    },
    /** Waits for the process to exit by itself; expects status 0. */
    async wait(ms, expectCode = 0) {
      let timer;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => {
          proc.kill('SIGKILL');
          reject(new Error(`${what} did not exit within ${ms} ms; stderr tail:\n${stderr.slice(-3000)}`));
        }, ms);
      });
      try {
        const e = await Promise.race([exited, timeout]);
        assertNoSanitizerReport(stderr, what);
        if (expectCode !== null) assert.equal(e.code, expectCode, `${what} exited ${JSON.stringify(e)}:\n${stderr.slice(-3000)}`);
        return e;
      } finally {
        clearTimeout(timer);
      }
    },
    /** SIGTERM, then waits (running jobs finish first, docs/jobs.md). */
    async stop(ms = 60000) {
      if (!exit) proc.kill('SIGTERM');
      return this.wait(ms);
    },
    kill(signal = 'SIGKILL') {
      if (!exit) proc.kill(signal);
      return exited;
    },
  };
}

/** Polls fn() every `every` ms until it returns a truthy value; fails after ms. */
export async function until(fn, { ms = 30000, every = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}; last: ${JSON.stringify(last)}`);
    await sleep(every);
  }
}
