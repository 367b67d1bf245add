// Worker and scheduler processes sharing one database (docs/jobs.md "Workers",
// "Leases", "Retries", "Schedules"): many workers drain a queue with every job
// done exactly once; a SIGKILLed worker's job is taken over after its lease;
// retries back off and end dead; concurrent schedulers fire each slot once;
// downtime is caught up once; slots are local wall-clock times.
//
// One demo server (--workers 0 --tick 0) answers the API; every worker and
// scheduler is a separate `upravdom` process on its database. Workers run with
// --tick 0 so that only the test's own `schedule tick --at` fires schedules.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api } from '../lib/harness.mjs';
import { listAll } from '../lib/helpers.mjs';
import { run, runAsync, jobList, startWorker, until, sleep, iso, unix, nowSec, nextUtcClock, wallClock } from '../lib/jobs.mjs';

const JOBS = '/api/v1/jobs';
const RUN = `w${process.pid}.${Date.now() % 1e6}`;
const N = 10000;
const DRAIN_TIMEOUT = 240000;

let srv;
let c;
let admin;
let db;

before(async () => {
  srv = await startServer({ args: ['--workers', '0', '--tick', '0'] });
  c = api(srv.url);
  admin = await c.login('admin');
  db = srv.db.url;
});
after(async () => { await srv?.stop(); });

async function getJob(id) {
  const r = await c.get(`${JOBS}/${id}`, { token: admin });
  assert.equal(r.status, 200, `GET ${JOBS}/${id} → ${r.status} ${r.text}`);
  return r.body;
}

/** The id of the one job with this unique key (job list on the command line). */
function idByKey(key, kind) {
  const found = jobList(db, { kind }).filter((j) => j.unique_key === key);
  assert.equal(found.length, 1, `one job with key ${key}: ${JSON.stringify(found)}`);
  return found[0].id;
}

/** Jobs of kind `probe` fired by schedule `sid` (the schedule tests fire probes only). */
async function firedBy(sid) {
  return (await listAll(c, `${JOBS}?kind=probe`, admin)).filter((j) => j.schedule_id === sid);
}

/** The first slot of an hourly schedule: the hour after the slot passed at its creation (last_slot). */
function firstHourlySlot(s) {
  return s.last_slot ? unix(s.last_slot) + 3600 : (Math.floor(nowSec() / 3600) + 1) * 3600;
}

async function scheduleNamed(name) {
  const s = (await listAll(c, '/api/v1/schedules', admin)).find((x) => x.name === name);
  assert.ok(s, `schedule ${name} listed`);
  return s;
}

function addSchedule(name, rule, timezone) {
  run(db, ['schedule', 'add', '--name', name, '--rule', rule, '--timezone', timezone, '--kind', 'probe']);
}

const tick = (at) => run(db, ['schedule', 'tick', '--at', iso(at)]);

/** Cancels the queued probe jobs the schedule tests leave, so later workers find nothing. */
async function cancelProbes() {
  for (const j of await listAll(c, `${JOBS}?kind=probe&state=queued`, admin)) {
    await c.post(`${JOBS}/${j.id}/cancel`, { token: admin });
  }
}

// ------------------------------------------------------------------ many workers, one queue

async function drain(processes, threads) {
  const key = `${RUN}:batch${processes}`;
  const t0 = Date.now();
  run(db, ['job', 'add', '--kind', 'noop', '--count', String(N), '--unique-key', key]);
  const tAdd = Date.now();
  const workers = Array.from({ length: processes }, () => startWorker(db,
    ['--workers', String(threads), '--exit-when-idle', '--tick', '0', '--poll-ms', '50']));
  await Promise.all(workers.map((w) => w.wait(DRAIN_TIMEOUT)));
  const tDrain = Date.now();

  const jobs = jobList(db, { kind: 'noop' }).filter((j) => j.unique_key.startsWith(`${key}:`));
  assert.equal(jobs.length, N, `${N} jobs enqueued`);
  const bad = jobs.filter((j) => j.state !== 'done' || j.attempts !== 1);
  assert.deepEqual(bad.slice(0, 5), [], `${bad.length} jobs are not done with attempts = 1`);

  const ids = new Set(jobs.map((j) => j.id));
  const seen = new Map();
  const perProcess = [];
  const perThread = new Map();
  workers.forEach((w, i) => {
    let n = 0;
    for (const l of w.lines()) {
      if (l.msg !== 'job done' || !ids.has(l.job_id)) continue;
      n++;
      seen.set(l.job_id, (seen.get(l.job_id) || 0) + 1);
      perThread.set(l.worker, (perThread.get(l.worker) || 0) + 1);
      assert.equal(l.attempt, 1, `attempt of ${JSON.stringify(l)}`);
      assert.equal(l.kind, 'noop');
      assert.match(String(l.worker), new RegExp(`:${w.pid}:\\d+$`), `worker "host:pid:n" of process ${w.pid}: ${l.worker}`);
    }
    perProcess.push(n);
  });
  const missing = [...ids].filter((id) => !seen.has(id));
  const twice = [...seen].filter(([, n]) => n > 1);
  assert.deepEqual(missing.slice(0, 5), [], `${missing.length} jobs have no "job done" line`);
  assert.deepEqual(twice.slice(0, 5), [], `${twice.length} jobs have more than one "job done" line`);
  assert.ok(perProcess.every((n) => n > 0), `every worker process did some: ${perProcess}`);
  assert.equal(perThread.size, processes * threads, `every worker thread did some: ${JSON.stringify([...perThread])}`);
  console.log(`# ${processes}×${threads} workers: ${N} jobs enqueued in ${tAdd - t0} ms, drained in ${tDrain - tAdd} ms; per process ${perProcess}`);
}

test(`${N} noop jobs, 2 worker processes × 2 threads at once: each job done once with attempts 1, one "job done" line each, every worker did some`,
  { timeout: DRAIN_TIMEOUT + 60000 }, async () => {
    await drain(2, 2);
  });

test(`${N} noop jobs, 3 worker processes × 2 threads at once: the same`, { timeout: DRAIN_TIMEOUT + 60000 }, async () => {
  await drain(3, 2);
});

// ------------------------------------------------------------------ leases

test('a worker SIGKILLed mid-job: after its lease (2 s) expires another worker takes the job over and finishes it (done, attempts 2)',
  { timeout: 90000 }, async () => {
    const key = `${RUN}:lease`;
    run(db, ['job', 'add', '--kind', 'sleep', '--payload', JSON.stringify({ ms: 3000, steps: 30 }), '--unique-key', key]);
    const id = idByKey(key, 'sleep');
    const a = startWorker(db, ['--workers', '1', '--lease', '2', '--tick', '0', '--poll-ms', '50']);
    let running;
    try {
      running = await until(async () => {
        const j = await getJob(id);
        return j.state === 'running' && j.progress && j.progress.done >= 1 ? j : null;
      }, { ms: 30000, every: 50, what: `job ${id} running on worker A` });
    } finally {
      a.kill('SIGKILL');
      await a.exited;
    }
    const killedAt = await getJob(id);
    assert.equal(killedAt.state, 'running', 'killed mid-job: still running (nobody recorded an end)');
    assert.ok(killedAt.progress.done < 30, `killed mid-job: ${JSON.stringify(killedAt.progress)}`);
    assert.equal(running.attempts, 1);

    await sleep(2500); // the lease: 2 s from A's last renewal
    const b = startWorker(db, ['--workers', '1', '--lease', '2', '--exit-when-idle', '--tick', '0', '--poll-ms', '50']);
    await b.wait(60000);
    const j = await getJob(id);
    assert.equal(j.state, 'done', JSON.stringify(j));
    assert.equal(j.attempts, 2, 'the lost run counts as an attempt');
    const doneB = b.lines().filter((l) => l.msg === 'job done' && l.job_id === id);
    assert.equal(doneB.length, 1, `B logs "job done" for job ${id}: ${b.stderr.slice(-2000)}`);
    assert.equal(doneB[0].attempt, 2);
    assert.ok(!a.lines().some((l) => l.job_id === id && l.msg === 'job done'), 'A never finished it');
  });

// ------------------------------------------------------------------ retries

test('retries: fail {"times": 2} succeeds on attempt 3; fail {"times": 9} with --max-attempts 3 ends dead with last_error; run_after backs off 2 s then 4 s; job retry brings the dead job back',
  { timeout: 120000 }, async () => {
    const okKey = `${RUN}:fail2`;
    const deadKey = `${RUN}:fail9`;
    run(db, ['job', 'add', '--kind', 'fail', '--payload', JSON.stringify({ times: 2, message: 'сбой по заказу' }), '--unique-key', okKey]);
    run(db, ['job', 'add', '--kind', 'fail', '--payload', JSON.stringify({ times: 9, message: 'сбой навсегда' }), '--unique-key', deadKey,
      '--max-attempts', '3']);
    const okId = idByKey(okKey, 'fail');
    const deadId = idByKey(deadKey, 'fail');
    const first = { [okId]: await getJob(okId), [deadId]: await getJob(deadId) };

    // Watch the jobs while workers run them: every (state, attempts, run_after) seen.
    const seen = { [okId]: [], [deadId]: [] };
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const id of [okId, deadId]) {
          const j = await getJob(id);
          seen[id].push({ state: j.state, attempts: j.attempts, run_after: j.run_after, last_error: j.last_error });
        }
        await sleep(100);
      }
    })();

    // --exit-when-idle may stop while a retry waits for its run_after: start workers until both have ended.
    const logs = [];
    const deadline = Date.now() + 90000;
    try {
      for (;;) {
        const w = startWorker(db, ['--workers', '2', '--exit-when-idle', '--tick', '0', '--poll-ms', '50']);
        await w.wait(Math.max(1000, deadline - Date.now()));
        logs.push(...w.lines());
        const [ok, dead] = [await getJob(okId), await getJob(deadId)];
        if (ok.state === 'done' && dead.state === 'dead') break;
        assert.ok(Date.now() < deadline, `not finished: ${JSON.stringify([ok, dead])}`);
        await sleep(200);
      }
    } finally {
      watching = false;
      await watcher;
    }

    const ok = await getJob(okId);
    assert.equal(ok.state, 'done');
    assert.equal(ok.attempts, 3, 'failed twice, done on attempt 3');
    const dead = await getJob(deadId);
    assert.equal(dead.state, 'dead');
    assert.equal(dead.attempts, 3);
    assert.equal(dead.last_error, 'сбой навсегда');

    const outcome = (id) => logs.filter((l) => l.job_id === id && /^job (done|failed|dead)$/.test(l.msg))
      .map((l) => `${l.msg}#${l.attempt}`);
    assert.deepEqual(outcome(okId), ['job failed#1', 'job failed#2', 'job done#3']);
    assert.deepEqual(outcome(deadId), ['job failed#1', 'job failed#2', 'job dead#3']);
    for (const l of logs.filter((x) => x.job_id === deadId && x.msg !== 'job done')) {
      if (/failed|dead/.test(l.msg)) assert.ok(JSON.stringify(l).includes('сбой навсегда'), `the log line carries the message: ${JSON.stringify(l)}`);
    }

    // Backoff: run_after = failure time + 2^(attempts-1) × 2 s.
    for (const id of [okId, deadId]) {
      const waiting = (n) => seen[id].find((s) => s.state === 'queued' && s.attempts === n);
      const w1 = waiting(1);
      const w2 = waiting(2);
      assert.ok(w1 && w2, `job ${id} seen waiting after attempts 1 and 2: ${JSON.stringify(seen[id])}`);
      assert.ok(unix(w1.run_after) >= unix(first[id].run_after) + 2, `after attempt 1 run_after moved ≥ 2 s: ${first[id].run_after} → ${w1.run_after}`);
      assert.ok(unix(w2.run_after) >= unix(w1.run_after) + 4, `after attempt 2 run_after moved ≥ 4 s more: ${w1.run_after} → ${w2.run_after}`);
      assert.ok(unix(w2.run_after) - unix(w1.run_after) <= 15, `the second delay is 4 s, not much more: ${w1.run_after} → ${w2.run_after}`);
      assert.ok(w1.last_error && w1.last_error.startsWith('сбой'), `last_error kept while waiting: ${JSON.stringify(w1)}`);
    }

    run(db, ['job', 'retry', String(deadId)]);
    const back = await getJob(deadId);
    assert.equal(back.state, 'queued');
    assert.equal(back.attempts, 0);
    run(db, ['job', 'cancel', String(deadId)]);
  });

// ------------------------------------------------------------------ schedulers

test('two schedulers ticking at the same moment never fire a slot twice: exactly one job per slot, key schedule:<id>:<slot>',
  { timeout: 120000 }, async () => {
    const name = `${RUN} двойной`;
    addSchedule(name, 'hourly', 'Europe/Moscow');
    const s = await scheduleNamed(name);
    const H = firstHourlySlot(s);
    const steps = [
      [H + 10, [H]],
      [H + 1800, [H]],
      [H + 3600, [H, H + 3600]],
      [H + 3600, [H, H + 3600]],
      [H + 7200 + 3540, [H, H + 3600, H + 7200]],
      [H + 3 * 3600, [H, H + 3600, H + 7200, H + 3 * 3600]],
      [H + 4 * 3600, [H, H + 3600, H + 7200, H + 3 * 3600, H + 4 * 3600]],
    ];
    for (const [at, slots] of steps) {
      const results = await Promise.all([0, 1].map(() => runAsync(db, ['schedule', 'tick', '--at', iso(at)])));
      for (const r of results) assert.equal(r.status, 0, `schedule tick --at ${iso(at)}: ${r.stderr}`);
      const jobs = await firedBy(s.id);
      const got = jobs.map((j) => j.payload.slot).sort();
      assert.deepEqual(got, slots.map(iso), `after two ticks at ${iso(at)}: one job per slot`);
      for (const j of jobs) {
        const slot = unix(j.payload.slot);
        assert.ok(j.unique_key === `schedule:${s.id}:${slot}` || j.unique_key === `schedule:${s.id}:${iso(slot)}`, j.unique_key);
      }
    }
    await cancelProbes();
  });

test('downtime: "hourly" ticked at T0, then not until T0 + 5 h 10 min: one job for the latest slot (T0 + 5 h) with "missed": 4 (the earlier slots skipped); another tick then fires nothing',
  { timeout: 60000 }, async () => {
    const name = `${RUN} простой`;
    addSchedule(name, 'hourly', 'Europe/Moscow');
    const s = await scheduleNamed(name);
    const T0 = firstHourlySlot(s);
    tick(T0);
    let jobs = await firedBy(s.id);
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0].payload.slot, iso(T0));
    assert.equal(jobs[0].payload.missed, 0, 'a tick on time: "missed": 0');

    const T1 = T0 + 5 * 3600 + 600;
    tick(T1);
    jobs = await firedBy(s.id);
    assert.equal(jobs.length, 2, `one job for the five slots missed: ${JSON.stringify(jobs.map((j) => j.payload))}`);
    const late = jobs.find((j) => j.payload.slot !== iso(T0));
    assert.equal(late.payload.slot, iso(T0 + 5 * 3600), 'the latest missed slot');
    assert.equal(late.payload.slot_local, wallClock(T0 + 5 * 3600, 3));
    // docs/jobs.md: "missed" counts the earlier slots that were skipped: T0+1h … T0+4h
    assert.equal(late.payload.missed, 4, 'T0+1h … T0+4h were skipped: "missed": 4');

    tick(T1);
    tick(T1 + 60);
    assert.equal((await firedBy(s.id)).length, 2, 'caught up once: nothing more in the same slot');
    tick(T0 + 6 * 3600);
    jobs = await firedBy(s.id);
    assert.equal(jobs.length, 3, 'the next slot fires normally');
    assert.equal(jobs.find((j) => j.payload.slot === iso(T0 + 6 * 3600)).payload.missed, 0);
    await cancelProbes();
  });

test('"daily 10:00" fires at 07:00Z in Europe/Moscow and 05:00Z in Asia/Yekaterinburg: a tick one second before fires nothing, a tick at the instant fires it',
  { timeout: 60000 }, async () => {
    const zones = [['Europe/Moscow', 7, 3], ['Asia/Yekaterinburg', 5, 5]];
    const now = nowSec();
    const plan = [];
    for (const [tz, utcHour, offset] of zones) {
      const name = `${RUN} 10:00 ${tz}`;
      addSchedule(name, 'daily 10:00', tz);
      const s = await scheduleNamed(name);
      // the first slot after creation: after the slot passed at creation (last_slot)
      const T = nextUtcClock(utcHour, 0, s.last_slot ? unix(s.last_slot) : now);
      assert.ok([iso(T), iso(nextUtcClock(utcHour, 0, nowSec()))].includes(s.next_at), `${tz}: next_at ${s.next_at}, expected ${iso(T)}`);
      plan.push({ tz, s, T, offset });
    }
    plan.sort((a, b) => a.T - b.T);
    for (const { tz, s, T, offset } of plan) {
      tick(T - 1);
      assert.equal((await firedBy(s.id)).length, 0, `${tz}: nothing at ${iso(T - 1)}`);
      tick(T);
      const jobs = await firedBy(s.id);
      assert.equal(jobs.length, 1, `${tz}: one job at ${iso(T)}`);
      assert.equal(jobs[0].payload.slot, iso(T));
      assert.equal(jobs[0].payload.slot_local, wallClock(T, offset));
      assert.equal(jobs[0].payload.slot_local.slice(11), '10:00');
    }
    for (const { s } of plan) assert.equal((await firedBy(s.id)).length, 1, 'each fired once');
    await cancelProbes();
  });
