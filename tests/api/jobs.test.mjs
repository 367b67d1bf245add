// Background jobs through the API: the job object, list order, filters and
// paging, retry / cancel with their 409 rules, rights (403) and scope (404),
// audit; and the `job` CLI commands that feed them.
// Contract: docs/jobs.md ("A job", "API", CLI), docs/api.md (conventions).
//
// The server runs with --workers 0 --tick 0, so jobs stay where the test puts
// them; a test that needs jobs to run starts `upravdom worker` on the same
// database and stops it. Jobs that must stay queued get a run_after in 2030.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api } from '../lib/harness.mjs';
import { assertProblem, assertValidation, assertList, listAll, auditFind, discoverDemo, ISO_UTC } from '../lib/helpers.mjs';
import { run, jobList, startWorker, until, sleep, iso, nowSec, unix } from '../lib/jobs.mjs';

const JOBS = '/api/v1/jobs';
const FIELDS = ['id', 'kind', 'payload', 'priority', 'state', 'run_after', 'attempts', 'max_attempts', 'progress',
  'last_error', 'unique_key', 'schedule_id', 'region_id', 'municipality_id', 'org_id', 'created_at', 'started_at',
  'finished_at', 'cancel_requested'];
const FUTURE = '2030-01-01T00:00:00Z'; // run_after of jobs no worker may take
const RUN = `j${process.pid}.${Date.now() % 1e6}`;

let srv;
let c;
let admin;
let demo;
let db;

before(async () => {
  srv = await startServer({ args: ['--workers', '0', '--tick', '0'] });
  c = api(srv.url);
  admin = await c.login('admin');
  demo = await discoverDemo(c, admin);
  db = srv.db.url;
});
after(async () => { await srv?.stop(); });

let keySerial = 0;
const nextKey = (tag = 'k') => `${RUN}:${tag}${keySerial++}`;

/** `upravdom job add` with a unique key (returned). runAfter null: ready now. */
function add({ kind = 'noop', payload, priority, key = nextKey(), maxAttempts, runAfter = FUTURE, count, expect = 0 } = {}) {
  const args = ['job', 'add', '--kind', kind];
  if (key !== null) args.push('--unique-key', key);
  if (payload !== undefined) args.push('--payload', typeof payload === 'string' ? payload : JSON.stringify(payload));
  if (priority !== undefined) args.push('--priority', String(priority));
  if (maxAttempts !== undefined) args.push('--max-attempts', String(maxAttempts));
  if (runAfter !== null) args.push('--run-after', runAfter);
  if (count !== undefined) args.push('--count', String(count));
  run(db, args, { expect });
  return key;
}

async function allJobs(token = admin, query = '') {
  return listAll(c, `${JOBS}${query}`, token);
}

/** The one job with this unique key, as the admin's list shows it. */
async function jobByKey(key) {
  const found = (await allJobs()).filter((j) => j.unique_key === key);
  assert.equal(found.length, 1, `exactly one job with unique_key ${key}: ${JSON.stringify(found)}`);
  return found[0];
}

async function getJob(id, token = admin) {
  const r = await c.get(`${JOBS}/${id}`, { token });
  assert.equal(r.status, 200, `GET ${JOBS}/${id} → ${r.status} ${r.text}`);
  return r.body;
}

function near(isoText, sec, slack, what) {
  assert.match(isoText, ISO_UTC, what);
  const d = Math.abs(unix(isoText) - sec);
  assert.ok(d <= slack, `${what}: ${isoText} is ${d} s from ${iso(sec)}`);
}

// ------------------------------------------------------------------ the job object

test('job add enqueues a queued job: GET /jobs/{id} answers exactly the documented fields with the values given', async () => {
  const t0 = nowSec();
  const payload = { ms: 10, steps: 2, note: 'Привет, «ЖКХ»' };
  const key = add({ kind: 'sleep', payload, priority: 7, maxAttempts: 3 });
  const listed = await jobByKey(key);
  const j = await getJob(listed.id);
  assert.deepEqual(Object.keys(j).sort(), [...FIELDS].sort());
  assert.deepEqual(j, listed, 'the list shows the same object as GET');
  assert.ok(Number.isInteger(j.id) && j.id > 0);
  assert.equal(j.kind, 'sleep');
  assert.deepEqual(j.payload, payload, 'payload is the JSON object itself, not a string');
  assert.equal(j.priority, 7);
  assert.equal(j.state, 'queued');
  assert.equal(j.run_after, FUTURE);
  assert.equal(j.attempts, 0);
  assert.equal(j.max_attempts, 3);
  assert.equal(j.progress, null, 'progress is null until the handler reports');
  assert.equal(j.last_error, null);
  assert.equal(j.unique_key, key);
  assert.equal(j.schedule_id, null);
  assert.equal(j.region_id, null, 'a CLI job is the installation\'s');
  assert.equal(j.municipality_id, null);
  assert.equal(j.org_id, null);
  near(j.created_at, t0, 120, 'created_at');
  assert.equal(j.started_at, null);
  assert.equal(j.finished_at, null);
  assert.equal(j.cancel_requested, false);
});

test('job add defaults: payload {}, priority 0, max_attempts 5, run_after = creation time', async () => {
  const key = add({ runAfter: null });
  const j = await jobByKey(key);
  assert.deepEqual(j.payload, {});
  assert.equal(j.priority, 0);
  assert.equal(j.max_attempts, 5);
  assert.equal(j.attempts, 0);
  assert.equal(j.state, 'queued');
  near(j.run_after, unix(j.created_at), 2, 'run_after defaults to now');
});

test('a second job with the same unique key is not created (job add fails with exit 1, one job stays)', async () => {
  const key = add({ payload: { n: 1 } });
  const again = run(db, ['job', 'add', '--kind', 'noop', '--unique-key', key, '--payload', '{"n":2}', '--run-after', FUTURE],
    { expect: 1 });
  assert.ok(again.stderr.length > 0, 'the refusal says why');
  const j = await jobByKey(key);
  assert.deepEqual(j.payload, { n: 1 }, 'the first job is kept as it was');
});

test('job add --count 3 --unique-key K enqueues three jobs with keys K:1, K:2, K:3', async () => {
  const key = nextKey('batch');
  add({ key, count: 3 });
  const keys = (await allJobs()).map((j) => j.unique_key).filter((k) => k && k.startsWith(`${key}:`)).sort();
  assert.deepEqual(keys, [`${key}:1`, `${key}:2`, `${key}:3`]);
  // a second batch with the same key adds nothing (one transaction)
  run(db, ['job', 'add', '--kind', 'noop', '--unique-key', key, '--count', '3', '--run-after', FUTURE], { expect: 1 });
  assert.equal((await allJobs()).filter((j) => j.unique_key?.startsWith(`${key}:`)).length, 3);
});

// ------------------------------------------------------------------ list

test('the job list answers the envelope, page 1 and per_page 50 by default, newest first', async () => {
  const older = add();
  await sleep(1100); // created_at has whole seconds
  const newer = add();
  const b = assertList(await c.get(JOBS, { token: admin }));
  assert.equal(b.page, 1);
  assert.equal(b.per_page, 50);
  assert.ok(b.total >= 2);
  const all = await allJobs();
  assert.equal(all.length, b.total);
  for (let i = 1; i < all.length; i++) {
    assert.ok(unix(all[i - 1].created_at) >= unix(all[i].created_at),
      `newest first: #${all[i - 1].id} (${all[i - 1].created_at}) before #${all[i].id} (${all[i].created_at})`);
  }
  const pos = (k) => all.findIndex((j) => j.unique_key === k);
  assert.ok(pos(newer) >= 0 && pos(newer) < pos(older), 'the job added later comes first');
});

test('job pages of per_page=2 cover the list once', async () => {
  const all = await allJobs();
  const seen = [];
  for (let page = 1; page <= Math.ceil(all.length / 2) + 1; page++) {
    const b = assertList(await c.get(`${JOBS}?per_page=2&page=${page}`, { token: admin }));
    assert.equal(b.per_page, 2);
    assert.equal(b.page, page);
    assert.equal(b.total, all.length);
    assert.ok(b.items.length <= 2);
    seen.push(...b.items.map((j) => j.id));
  }
  assert.deepEqual(seen, all.map((j) => j.id));
});

test('filters: state= lists only that state, kind= only that kind, both together both', async () => {
  const sleepKey = add({ kind: 'sleep', payload: { ms: 1, steps: 1 } });
  const cancelledKey = add({ kind: 'probe' });
  const victim = await jobByKey(cancelledKey);
  assert.equal((await c.post(`${JOBS}/${victim.id}/cancel`, { token: admin })).status, 200);

  const queued = await allJobs(admin, '?state=queued');
  assert.ok(queued.length > 0 && queued.every((j) => j.state === 'queued'), JSON.stringify(queued.map((j) => j.state)));
  assert.ok(queued.some((j) => j.unique_key === sleepKey));
  const cancelled = await allJobs(admin, '?state=cancelled');
  assert.ok(cancelled.every((j) => j.state === 'cancelled'));
  assert.ok(cancelled.some((j) => j.id === victim.id));
  const sleeps = await allJobs(admin, '?kind=sleep');
  assert.ok(sleeps.length > 0 && sleeps.every((j) => j.kind === 'sleep'));
  assert.ok(sleeps.some((j) => j.unique_key === sleepKey));
  const probesCancelled = await allJobs(admin, '?kind=probe&state=cancelled');
  assert.ok(probesCancelled.every((j) => j.kind === 'probe' && j.state === 'cancelled'));
  assert.ok(probesCancelled.some((j) => j.id === victim.id));
  const none = assertList(await c.get(`${JOBS}?kind=sleep&state=cancelled&per_page=500`, { token: admin }));
  assert.ok(none.items.every((j) => j.kind === 'sleep' && j.state === 'cancelled'));
  const all = await allJobs();
  assert.equal(queued.length, all.filter((j) => j.state === 'queued').length, 'state=queued total matches');
});

test('a bad state, page or per_page answers 422 naming it', async () => {
  assertValidation(await c.get(`${JOBS}?state=finished`, { token: admin }), ['state'], 'state=finished');
  assertValidation(await c.get(`${JOBS}?page=0`, { token: admin }), ['page'], 'page=0');
  assertValidation(await c.get(`${JOBS}?per_page=0`, { token: admin }), ['per_page'], 'per_page=0');
  assertValidation(await c.get(`${JOBS}?per_page=501`, { token: admin }), ['per_page'], 'per_page=501');
  assertValidation(await c.get(`${JOBS}?per_page=abc`, { token: admin }), ['per_page'], 'per_page=abc');
});

test('GET, retry and cancel of an unknown job answer 404', async () => {
  assertProblem(await c.get(`${JOBS}/987654321`, { token: admin }), 404, 'not-found', 'GET unknown');
  assertProblem(await c.get(`${JOBS}/abc`, { token: admin }), 404, 'not-found', 'GET abc');
  assertProblem(await c.post(`${JOBS}/987654321/retry`, { token: admin }), 404, 'not-found', 'retry unknown');
  assertProblem(await c.post(`${JOBS}/987654321/cancel`, { token: admin }), 404, 'not-found', 'cancel unknown');
});

// ------------------------------------------------------------------ retry / cancel

test('cancel of a queued job answers 200 with the job cancelled; cancel again 409; retry brings it back queued with attempts 0; retry of a queued job 409', async () => {
  const j = await jobByKey(add());
  const r = await c.post(`${JOBS}/${j.id}/cancel`, { token: admin });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.body).sort(), [...FIELDS].sort());
  assert.equal(r.body.id, j.id);
  assert.equal(r.body.state, 'cancelled', 'a queued job is cancelled at once');
  assert.deepEqual(await getJob(j.id), r.body, 'the answer is the stored job');

  assertProblem(await c.post(`${JOBS}/${j.id}/cancel`, { token: admin }), 409, 'conflict', 'cancel cancelled');
  assert.equal((await getJob(j.id)).state, 'cancelled');

  const back = await c.post(`${JOBS}/${j.id}/retry`, { token: admin });
  assert.equal(back.status, 200, back.text);
  assert.equal(back.body.state, 'queued');
  assert.equal(back.body.attempts, 0);
  assert.equal(back.body.cancel_requested, false, 'a retried job carries no old cancel request');
  assert.deepEqual(await getJob(j.id), back.body);

  assertProblem(await c.post(`${JOBS}/${j.id}/retry`, { token: admin }), 409, 'conflict', 'retry queued');
  assert.equal((await getJob(j.id)).state, 'queued');
  // leave nothing ready for the worker tests below
  assert.equal((await c.post(`${JOBS}/${j.id}/cancel`, { token: admin })).status, 200);
});

test('a running job: retry 409; cancel answers 200 with cancel_requested while it runs, the sleep handler stops at its next progress report and the job ends cancelled', { timeout: 90000 }, async () => {
  const key = add({ kind: 'sleep', payload: { ms: 30000, steps: 300 }, priority: 100, runAfter: null });
  const { id } = await jobByKey(key);
  const w = startWorker(db, ['--workers', '1', '--lease', '3', '--tick', '0', '--poll-ms', '50']);
  try {
    const running = await until(async () => {
      const j = await getJob(id);
      return j.state === 'running' && j.progress && j.progress.done >= 1 ? j : null;
    }, { ms: 30000, what: `job ${id} running with progress` });
    assert.equal(running.progress.total, 300, 'progress total = steps');
    assert.equal(running.attempts, 1);
    assert.match(running.started_at, ISO_UTC);
    assert.equal(running.finished_at, null);

    assertProblem(await c.post(`${JOBS}/${id}/retry`, { token: admin }), 409, 'conflict', 'retry running');

    const r = await c.post(`${JOBS}/${id}/cancel`, { token: admin });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.cancel_requested, true);
    assert.equal(r.body.state, 'running', 'a running job gets a cancel request; it ends when its handler sees it');

    const ended = await until(async () => {
      const j = await getJob(id);
      return j.state === 'cancelled' ? j : null;
    }, { ms: 15000, what: `job ${id} cancelled` });
    assert.ok(ended.progress.done < 300, `stopped early: ${JSON.stringify(ended.progress)}`);
    assert.match(ended.finished_at, ISO_UTC);
    assertProblem(await c.post(`${JOBS}/${id}/cancel`, { token: admin }), 409, 'conflict', 'cancel cancelled');
  } finally {
    await w.stop();
  }
  const lines = w.lines().filter((l) => l.job_id === id);
  assert.ok(lines.some((l) => l.msg === 'job cancelled'), `a "job cancelled" log line: ${JSON.stringify(lines)}`);
  assert.ok(!lines.some((l) => l.msg === 'job done'), 'no "job done" line for it');
});

test('finished jobs: a done job refuses retry and cancel (409), a dead one refuses cancel and retry makes it queued with attempts 0', { timeout: 90000 }, async () => {
  const doneKey = add({ runAfter: null });
  const deadKey = add({ kind: 'fail', payload: { times: 9, message: 'отказ для проверки' }, maxAttempts: 1, runAfter: null });
  const t0 = nowSec();
  const w = startWorker(db, ['--workers', '2', '--lease', '5', '--tick', '0', '--poll-ms', '50']);
  let done;
  let dead;
  try {
    await until(async () => {
      [done, dead] = [await jobByKey(doneKey), await jobByKey(deadKey)];
      return done.state === 'done' && dead.state === 'dead';
    }, { ms: 60000, what: 'noop done, fail dead' });
  } finally {
    await w.stop();
  }
  assert.equal(done.attempts, 1);
  near(done.started_at, t0, 60, 'started_at');
  near(done.finished_at, t0, 60, 'finished_at');
  assert.ok(unix(done.finished_at) >= unix(done.started_at) && unix(done.started_at) >= unix(done.created_at));
  assert.equal(done.last_error, null);

  assert.equal(dead.attempts, 1);
  assert.equal(dead.max_attempts, 1);
  assert.equal(dead.last_error, 'отказ для проверки', 'last_error is the handler\'s message');
  assert.match(dead.finished_at, ISO_UTC);

  assertProblem(await c.post(`${JOBS}/${done.id}/retry`, { token: admin }), 409, 'conflict', 'retry done');
  assertProblem(await c.post(`${JOBS}/${done.id}/cancel`, { token: admin }), 409, 'conflict', 'cancel done');
  assertProblem(await c.post(`${JOBS}/${dead.id}/cancel`, { token: admin }), 409, 'conflict', 'cancel dead');
  assert.equal((await getJob(done.id)).state, 'done');

  const r = await c.post(`${JOBS}/${dead.id}/retry`, { token: admin });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.state, 'queued');
  assert.equal(r.body.attempts, 0);
  assert.equal(r.body.max_attempts, 1);
  assert.equal((await c.post(`${JOBS}/${dead.id}/cancel`, { token: admin })).status, 200, 'and it can be cancelled again');
});

test('a finished sleep job shows the last progress its handler reported: done = total = steps', { timeout: 60000 }, async () => {
  const key = add({ kind: 'sleep', payload: { ms: 300, steps: 3 }, runAfter: null });
  const w = startWorker(db, ['--workers', '1', '--lease', '5', '--tick', '0', '--poll-ms', '50']);
  let j;
  try {
    j = await until(async () => {
      const x = await jobByKey(key);
      return x.state === 'done' ? x : null;
    }, { ms: 30000, what: 'the sleep job done' });
  } finally {
    await w.stop();
  }
  assert.deepEqual(j.progress, { done: 3, total: 3 }, 'progress of a done job (the handler reported 3 of 3)');
});

// ------------------------------------------------------------------ rights and scope

test('residents lack jobs.read and jobs.write: list, GET, retry and cancel answer 403; no session answers 401', async () => {
  const j = await jobByKey(add());
  const token = await c.login('resident1');
  assertProblem(await c.get(JOBS, { token }), 403, 'forbidden', 'list');
  assertProblem(await c.get(`${JOBS}/${j.id}`, { token }), 403, 'forbidden', 'GET');
  assertProblem(await c.post(`${JOBS}/${j.id}/retry`, { token }), 403, 'forbidden', 'retry');
  assertProblem(await c.post(`${JOBS}/${j.id}/cancel`, { token }), 403, 'forbidden', 'cancel');
  assertProblem(await c.get(JOBS), 401, 'unauthenticated', 'list without a session');
  assertProblem(await c.post(`${JOBS}/${j.id}/cancel`), 401, 'unauthenticated', 'cancel without a session');
  assert.equal((await getJob(j.id)).state, 'queued');
});

test('installation jobs (no region) are the admin\'s: region and municipal operators and org staff list none of them, and GET, retry and cancel answer 404', async () => {
  const j = await jobByKey(add());
  for (const login of ['region', 'mun1', 'mun2', 'uo1', 'uo2']) {
    const token = await c.login(login);
    const mine = await allJobs(token);
    assert.ok(!mine.some((x) => x.region_id === null), `${login} lists no installation job: ${JSON.stringify(mine.slice(0, 3))}`);
    assertProblem(await c.get(`${JOBS}/${j.id}`, { token }), 404, 'not-found', `${login} GET`);
    assertProblem(await c.post(`${JOBS}/${j.id}/cancel`, { token }), 404, 'not-found', `${login} cancel`);
    assertProblem(await c.post(`${JOBS}/${j.id}/retry`, { token }), 404, 'not-found', `${login} retry`);
  }
  assert.equal((await getJob(j.id)).state, 'queued', 'untouched');
});

test('a job fired by a schedule of municipality 2 carries its scope: admin, region and mun2 see it; mun1, uo1 and uo2 (organization scope) get 404; mun2 may cancel it', async () => {
  const name = `jobs-scope-${RUN}`;
  run(db, ['schedule', 'add', '--name', name, '--rule', 'hourly', '--timezone', 'Asia/Yekaterinburg', '--kind', 'noop',
    '--municipality-id', String(demo.m2)]);
  const scheds = await listAll(c, '/api/v1/schedules', admin);
  const sched = scheds.find((s) => s.name === name);
  assert.ok(sched, `schedule ${name} listed: ${JSON.stringify(scheds.map((s) => s.name))}`);
  assert.equal(sched.municipality_id, demo.m2);
  assert.equal(sched.region_id, demo.region, 'a municipality\'s schedule is in its region');

  const at = (Math.floor(nowSec() / 3600) + 3) * 3600; // a whole hour, in the future
  run(db, ['schedule', 'tick', '--at', iso(at)]);
  const fired = (await allJobs()).filter((j) => j.schedule_id === sched.id);
  assert.equal(fired.length, 1, `one job fired: ${JSON.stringify(fired)}`);
  const j = fired[0];
  assert.equal(j.kind, 'noop');
  assert.equal(j.region_id, demo.region);
  assert.equal(j.municipality_id, demo.m2);
  assert.equal(j.org_id, null);

  for (const login of ['region', 'mun2']) {
    const token = await c.login(login);
    assert.equal((await c.get(`${JOBS}/${j.id}`, { token })).status, 200, `${login} GET`);
    assert.ok((await allJobs(token)).some((x) => x.id === j.id), `${login} lists it`);
  }
  for (const login of ['mun1', 'uo1', 'uo2']) {
    const token = await c.login(login);
    assertProblem(await c.get(`${JOBS}/${j.id}`, { token }), 404, 'not-found', `${login} GET`);
    assert.ok(!(await allJobs(token)).some((x) => x.id === j.id), `${login} does not list it`);
    assertProblem(await c.post(`${JOBS}/${j.id}/cancel`, { token }), 404, 'not-found', `${login} cancel`);
  }
  const mun2 = await c.login('mun2');
  for (const x of await allJobs(mun2)) assert.equal(x.municipality_id, demo.m2, 'mun2 lists only municipality 2\'s jobs');
  const r = await c.post(`${JOBS}/${j.id}/cancel`, { token: mun2 });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.state, 'cancelled');
});

// ------------------------------------------------------------------ audit

test('retry and cancel through the API write one audit entry each (job.retry, job.cancel) with the job id and request id; a refused call writes none', async () => {
  const j = await jobByKey(add());
  const rc = await c.post(`${JOBS}/${j.id}/cancel`, { token: admin, headers: { 'X-Request-Id': `${RUN}-audit-cancel` } });
  assert.equal(rc.status, 200, rc.text);
  const rr = await c.post(`${JOBS}/${j.id}/retry`, { token: admin, headers: { 'X-Request-Id': `${RUN}-audit-retry` } });
  assert.equal(rr.status, 200, rr.text);
  const refused = await c.post(`${JOBS}/${j.id}/retry`, { token: admin, headers: { 'X-Request-Id': `${RUN}-audit-refused` } });
  assert.equal(refused.status, 409);

  const cancelled = await auditFind(c, admin, 'object_type=job', (e) => e.request_id === `${RUN}-audit-cancel`);
  assert.equal(cancelled.length, 1, JSON.stringify(cancelled));
  assert.equal(cancelled[0].action, 'job.cancel');
  assert.equal(cancelled[0].object_id, j.id);
  assert.equal(cancelled[0].user_login, 'admin');
  const retried = await auditFind(c, admin, 'action=job.retry', (e) => e.request_id === `${RUN}-audit-retry`);
  assert.equal(retried.length, 1, JSON.stringify(retried));
  assert.equal(retried[0].object_type, 'job');
  assert.equal(retried[0].object_id, j.id);
  assert.equal((await auditFind(c, admin, '', (e) => e.request_id === `${RUN}-audit-refused`)).length, 0);
  await c.post(`${JOBS}/${j.id}/cancel`, { token: admin });
});

// ------------------------------------------------------------------ CLI

test('job cancel / job retry on the command line: exit 0 with an audit entry from address cli; 1 when the state forbids it; 3 for an unknown id', async () => {
  const j = await jobByKey(add());
  run(db, ['job', 'cancel', String(j.id)]);
  assert.equal((await getJob(j.id)).state, 'cancelled');
  const entries = await auditFind(c, admin, 'action=job.cancel', (e) => e.object_id === j.id);
  assert.equal(entries.length, 1, JSON.stringify(entries));
  assert.equal(entries[0].address, 'cli');
  run(db, ['job', 'cancel', String(j.id)], { expect: 1 });
  run(db, ['job', 'retry', String(j.id)]);
  assert.equal((await getJob(j.id)).state, 'queued');
  assert.equal((await auditFind(c, admin, 'action=job.retry', (e) => e.object_id === j.id)).length, 1);
  run(db, ['job', 'retry', String(j.id)], { expect: 1 });
  run(db, ['job', 'retry', '987654321'], { expect: 3 });
  run(db, ['job', 'cancel', '987654321'], { expect: 3 });
  run(db, ['job', 'cancel', String(j.id)]);
});

test('job list prints one tab-separated line per job and filters by --state and --kind', async () => {
  const key = add({ kind: 'probe' });
  const j = await jobByKey(key);
  const queued = jobList(db, { state: 'queued' });
  assert.ok(queued.length > 0 && queued.every((x) => x.state === 'queued'), JSON.stringify(queued.slice(0, 3)));
  const mine = queued.find((x) => x.id === j.id);
  assert.ok(mine, `job ${j.id} in job list --state queued`);
  assert.equal(mine.kind, 'probe');
  assert.equal(mine.unique_key, key);
  assert.ok(jobList(db, { kind: 'probe' }).every((x) => x.kind === 'probe'));
  const api = await allJobs(admin, '?state=queued');
  assert.deepEqual(queued.map((x) => x.id).sort((a, b) => a - b), api.map((x) => x.id).sort((a, b) => a - b),
    'the CLI and the API list the same queued jobs');
});

test('job add and job list refuse bad values with exit 2: no --kind, payload not a JSON object, --max-attempts 0, a bad --run-after, an unknown --state', async () => {
  const before = (await allJobs()).length;
  run(db, ['job', 'add', '--payload', '{}'], { expect: 2 });
  run(db, ['job', 'add', '--kind', 'noop', '--payload', '[1,2]'], { expect: 2 });
  run(db, ['job', 'add', '--kind', 'noop', '--payload', 'not json'], { expect: 2 });
  run(db, ['job', 'add', '--kind', 'noop', '--max-attempts', '0'], { expect: 2 });
  run(db, ['job', 'add', '--kind', 'noop', '--priority', 'high'], { expect: 2 });
  run(db, ['job', 'add', '--kind', 'noop', '--run-after', 'tomorrow'], { expect: 2 });
  run(db, ['job', 'add', '--kind', 'noop', '--count', '0'], { expect: 2 });
  assert.equal((await allJobs()).length, before, 'nothing was enqueued');
  run(db, ['job', 'list', '--state', 'finished'], { expect: 2 }); // docs/cli.md: a bad value is a usage error
});
