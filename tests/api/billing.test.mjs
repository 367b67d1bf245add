// The billing run over HTTP and the command line (docs/billing.md), on both
// backends, against the demo region and its billing catalogue: a run started as
// a job and followed to its summary; the summary compared with the previous
// period; the payment document's data with every line explained; a payment and
// a correction on the next document; period closing refusing runs and
// corrections; validation naming fields; tenancy; and a run killed with SIGKILL
// at random moments, which leaves either the previous statements or the new
// ones, never a part, after which a run completes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startServer, api, BIN } from '../lib/harness.mjs';
import { assertProblem, assertValidation, discoverDemo, listAll } from '../lib/helpers.mjs';
import { run, startWorker, sleep } from '../lib/jobs.mjs';

let srv;
let c;
const tok = {};
let demo;
let eirc; // the ЕИРЦ of municipality 1
let account; // a ЕИРЦ account of resident1's premises, or any ЕИРЦ account
let residentAccount = null;

before(async () => {
  srv = await startServer();
  c = api(srv.url);
  for (const l of ['admin', 'eirc1', 'rso1', 'mun1', 'mun2', 'resident1']) tok[l] = await c.login(l);
  demo = await discoverDemo(c, tok.admin);
  eirc = demo.orgOf('eirc1');
  const own = await listAll(c, '/api/v1/accounts', tok.resident1);
  residentAccount = own.find((a) => a.org_id === eirc.id) || null;
  const all = await listAll(c, `/api/v1/accounts?org_id=${eirc.id}&per_page=500`, tok.admin);
  account = residentAccount || all.find((a) => a.premises_id);
  assert.ok(account, 'an account of the ЕИРЦ');
});

after(async () => { await srv?.stop(); });

/** Starts a run over HTTP, works it off with a worker, returns the run object. */
async function runByJob(period, token = tok.eirc1) {
  const r = await c.post('/api/v1/billing/runs', { token, body: { period } });
  assert.equal(r.status, 202, r.text);
  assert.match(r.body.job_url, /^\/api\/v1\/jobs\/\d+$/);
  const w = startWorker(srv.db.url, ['--exit-when-idle']);
  await w.wait(120000);
  const job = await c.get(r.body.job_url, { token });
  assert.equal(job.body.state, 'done', job.text);
  assert.ok(job.body.progress && job.body.progress.total > 0, `the job reports its progress: ${job.text}`);
  assert.equal(job.body.progress.done, job.body.progress.total, 'progress reached the total');
  const list = await c.get(`/api/v1/billing/runs?org_id=${eirc.id}&period=${period}&state=done`,
    { token });
  assert.equal(list.status, 200, list.text);
  const got = await c.get(`/api/v1/billing/runs/${list.body.items[0].id}`, { token });
  assert.equal(got.status, 200, got.text);
  return got.body;
}

const kop = (s) => Math.round(Number(s) * 100);

test('a run started over HTTP is a job that bills every open account and sums by service', async () => {
  const x = await runByJob('2026-09');
  assert.equal(x.state, 'done');
  assert.ok(x.accounts > 100, `accounts billed: ${x.accounts}`);
  assert.ok(x.services.length >= 5, 'several services');
  const sum = x.services.reduce((s, t) => s + kop(t.amount), 0);
  assert.equal(sum, kop(x.charged), 'the services add up to the run total');
  assert.match(x.digest, /^[0-9a-f]{64}$/);
  for (const t of x.services) assert.equal(t.previous_amount, null, 'no earlier period yet');
});

test('the next period compares each service with the previous one and flags deviations', async () => {
  const x = await runByJob('2026-10');
  for (const t of x.services) {
    assert.notEqual(t.previous_amount, null, `${t.code}: the previous amount`);
    const change = Math.abs(kop(t.amount) - kop(t.previous_amount)) * 100 / Math.abs(kop(t.previous_amount) || 1);
    assert.equal(t.deviates, change > x.deviation_threshold_percent, `${t.code}: deviates iff > 10 %`);
  }
});

test('a re-run over the same data writes the same statements (digest)', async () => {
  const a = run(srv.db.url, ['bill', 'run', '--period', '2026-10', '--org', String(eirc.id)]);
  const b = run(srv.db.url, ['bill', 'run', '--period', '2026-10', '--org', String(eirc.id)]);
  const digest = (o) => /digest: ([0-9a-f]{64})/.exec(o.stdout)[1];
  assert.equal(digest(a), digest(b));
});

test('the statement is the payment document data: every line explained, sums add up', async () => {
  const r = await c.get(`/api/v1/accounts/${account.id}/statement?period=2026-10`, { token: tok.eirc1 });
  assert.equal(r.status, 200, r.text);
  const s = r.body;
  assert.ok(s.lines.length > 0);
  let charged = 0;
  for (const l of s.lines) {
    assert.ok(l.explanation.length > 5, 'explained');
    if (l.kind !== 'charge') continue;
    charged += kop(l.amount);
    assert.ok(l.service && l.unit, 'named with its unit');
    assert.match(l.quantity, /^-?\d+\.\d{3}$/);
    assert.match(l.tariff, /^\d+\.\d{4}$/);
    assert.ok(['area', 'residents', 'fixed', 'meter', 'average', 'norm', 'norm_raised'].includes(l.method));
  }
  assert.equal(charged, kop(s.charged));
  assert.equal(kop(s.opening) + kop(s.charged) + kop(s.corrected) + kop(s.penalty) - kop(s.cashback)
    - kop(s.paid), kop(s.closing), 'closing = opening + charged + corrected + penalty − cashback − paid');
  assert.equal(s.due_on, '2026-11-10', 'due on the 10th of the next month');
  const list = await c.get(`/api/v1/accounts/${account.id}/statements`, { token: tok.eirc1 });
  assert.deepEqual(list.body.items.map((x) => x.period), ['2026-10', '2026-09']);
  assert.equal(list.body.items[0].opening, list.body.items[1].closing, 'opening is the previous closing');
});

test('a payment and a correction of a past period show on the next document', async () => {
  const service = (await c.get(`/api/v1/accounts/${account.id}/statement?period=2026-10`,
    { token: tok.eirc1 })).body.lines.find((l) => l.kind === 'charge');
  const k = await c.post('/api/v1/corrections', { token: tok.eirc1, body: {
    account_id: account.id, service_id: service.service_id, period: '2026-09',
    apply_period: '2026-11', amount: '-12.34', reason: 'площадь уточнена по выписке ЕГРН' } });
  assert.equal(k.status, 201, k.text);
  const p = await c.post('/api/v1/payments', { token: tok.eirc1, body: {
    account_id: account.id, ext_id: `t-${Date.now()}`, paid_on: '2026-11-05', amount: '1000.00',
    channel: 'bank' } });
  assert.ok([200, 201].includes(p.status), p.text);
  run(srv.db.url, ['bill', 'run', '--period', '2026-11', '--org', String(eirc.id)]);
  const s = (await c.get(`/api/v1/accounts/${account.id}/statement?period=2026-11`,
    { token: tok.eirc1 })).body;
  const corr = s.lines.find((l) => l.kind === 'correction');
  assert.ok(corr, 'the correction line');
  assert.equal(corr.amount, '-12.34');
  assert.equal(corr.for_period, '2026-09');
  assert.match(corr.explanation, /площадь уточнена/);
  assert.equal(s.corrected, '-12.34');
  assert.equal(s.paid, '1000.00');
  const runs = await c.get(`/api/v1/billing/runs?org_id=${eirc.id}&period=2026-11&state=done`,
    { token: tok.eirc1 });
  assert.equal(runs.body.items[0].corrected, '-12.34', 'the run totals its corrections');
  assert.ok(kop(runs.body.items[0].paid) >= 100000, 'and the payments of the period');
  // The payment named no period: it pays the oldest debt first (September's).
  const debts = (await c.get(`/api/v1/accounts/${account.id}/debts`, { token: tok.eirc1 })).body;
  assert.deepEqual(debts.periods.map((x) => x.period).slice(0, 2), ['2026-09', '2026-10']);
  const part = debts.allocations.find((x) => x.payment_id === p.body.id);
  assert.equal(part.period, '2026-09', 'the oldest debt');
  assert.equal(kop(debts.periods[0].paid), Math.min(100000, kop(debts.periods[0].billed)));
  const ks = await c.get(`/api/v1/accounts/${account.id}/corrections`, { token: tok.eirc1 });
  assert.equal(ks.body.items[0].reason, 'площадь уточнена по выписке ЕГРН');
});

test('a closed period refuses runs and corrections; closing needs a run', async () => {
  let r = await c.post('/api/v1/billing/periods/close', { token: tok.eirc1, body: { period: '2025-01' } });
  assertProblem(r, 409, 'conflict', 'an unbilled period cannot be closed');
  assert.equal(r.body.errors[0].field, 'period');
  r = await c.post('/api/v1/billing/periods/close', { token: tok.eirc1, body: { period: '2026-09' } });
  assert.equal(r.status, 200, r.text);
  r = await c.post('/api/v1/billing/periods/close', { token: tok.eirc1, body: { period: '2026-09' } });
  assert.equal(r.status, 409, 'closed once');
  r = await c.get(`/api/v1/billing/runs?org_id=${eirc.id}&period=2026-09`, { token: tok.eirc1 });
  assert.equal(r.body.items[0].period_closed, true, 'the run shows its period closed');
  r = await c.post('/api/v1/billing/runs', { token: tok.eirc1, body: { period: '2026-09' } });
  assert.equal(r.status, 409, r.text);
  const cli = run(srv.db.url, ['bill', 'run', '--period', '2026-09', '--org', String(eirc.id)], { expect: 2 });
  assert.match(cli.stderr, /закрыт/);
  const service = (await c.get(`/api/v1/accounts/${account.id}/statement?period=2026-10`,
    { token: tok.eirc1 })).body.lines.find((l) => l.kind === 'charge');
  r = await c.post('/api/v1/corrections', { token: tok.eirc1, body: {
    account_id: account.id, service_id: service.service_id, period: '2026-08',
    apply_period: '2026-09', amount: '5.00', reason: 'x' } });
  assert.equal(r.status, 409, r.text);
});

test('a billing.run job bills only the organization it was queued for', async () => {
  // A hand-made job (or a schedule's) naming an organization it was not queued for.
  run(srv.db.url, ['job', 'add', '--kind', 'billing.run', '--max-attempts', '1', '--payload',
    JSON.stringify({ org_id: eirc.id, period: '2026-10' })]);
  const w = startWorker(srv.db.url, ['--exit-when-idle']);
  await w.wait(120000);
  const jobs = (await c.get('/api/v1/jobs?kind=billing.run&state=dead', { token: tok.admin })).body.items;
  assert.ok(jobs.length >= 1, 'the job is dead');
  assert.match(jobs[0].last_error, /не совпадает/);
});

test('a correction needs a document to show on: the account open in apply_period', async () => {
  const closed = (await listAll(c, `/api/v1/accounts?org_id=${eirc.id}&per_page=500`, tok.admin))
    .find((a) => a.closed_on);
  if (!closed) return; // the demo closes some accounts; none here means nothing to check
  const service = (await c.get(`/api/v1/services?org_id=${eirc.id}`, { token: tok.eirc1 })).body.items[0];
  const r = await c.post('/api/v1/corrections', { token: tok.eirc1, body: {
    account_id: closed.id, service_id: service.id, period: '2020-01', apply_period: '2099-01',
    amount: '1.00', reason: 'x' } });
  assertValidation(r, ['apply_period']);
});

test('bad input names the field', async () => {
  let r = await c.post('/api/v1/billing/runs', { token: tok.eirc1, body: { period: '2026-13' } });
  assertValidation(r, ['period']);
  r = await c.post('/api/v1/billing/runs', { token: tok.admin, body: { period: '2026-10' } });
  assertValidation(r, ['org_id'], 'an administrator names the organization');
  r = await c.post('/api/v1/corrections', { token: tok.eirc1, body: {
    account_id: account.id, service_id: 1, period: '2026-09', apply_period: '2026-11', amount: 'abc',
    reason: 'x' } });
  assertValidation(r, ['amount']);
  r = await c.post('/api/v1/corrections', { token: tok.eirc1, body: {
    account_id: account.id, service_id: 1, period: '2026-10', apply_period: '2026-10', amount: '1.00',
    reason: 'x' } });
  assertValidation(r, ['apply_period'], 'a correction shows after the period it recalculates');
  r = await c.get(`/api/v1/accounts/${account.id}/statement?period=oct`, { token: tok.eirc1 });
  assertValidation(r, ['period']);
  const cli = run(srv.db.url, ['bill', 'run', '--period', '2026-10'], { expect: 2 });
  assert.match(cli.stderr, /--org/);
});

test('tenancy: another organization sees nothing of it; a resident only their own', async () => {
  let r = await c.post('/api/v1/billing/runs', { token: tok.rso1, body: { org_id: eirc.id, period: '2026-10' } });
  assert.equal(r.status, 404, r.text);
  r = await c.get(`/api/v1/accounts/${account.id}/statements`, { token: tok.rso1 });
  assert.equal(r.status, 404);
  r = await c.get(`/api/v1/billing/runs?org_id=${eirc.id}`, { token: tok.rso1 });
  assert.equal(r.body.total, 0, 'no runs of another organization');
  r = await c.get(`/api/v1/billing/runs?org_id=${eirc.id}`, { token: tok.mun1 });
  assert.ok(r.body.total > 0, 'the municipal operator reads runs of its territory');
  r = await c.get(`/api/v1/billing/runs?org_id=${eirc.id}`, { token: tok.mun2 });
  assert.equal(r.body.total, 0, 'not of another municipality');
  r = await c.post('/api/v1/billing/runs', { token: tok.resident1, body: { period: '2026-10' } });
  assert.equal(r.status, 403);
  const others = await listAll(c, `/api/v1/accounts?org_id=${eirc.id}&per_page=500`, tok.admin);
  const foreign = others.find((a) => !residentAccount || a.premises_id !== residentAccount.premises_id);
  r = await c.get(`/api/v1/accounts/${foreign.id}/statements`, { token: tok.resident1 });
  assert.equal(r.status, 404, 'another account answers 404');
  r = await c.get(`/api/v1/accounts/${foreign.id}`, { token: tok.resident1 });
  assert.equal(r.status, 404, 'and so does the account itself');
  r = await c.get(`/api/v1/accounts/${account.id}`, { token: tok.eirc1 });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.number, account.number, 'the account card reads its account');
  if (residentAccount) {
    r = await c.get(`/api/v1/accounts/${residentAccount.id}/statement?period=2026-10`, { token: tok.resident1 });
    assert.equal(r.status, 200, 'the resident reads their own document');
  }
});

/** The ЕИРЦ's statements of a period for its first 60 accounts: charged per account (null: none). */
async function snapshot(period) {
  const all = await listAll(c, `/api/v1/accounts?org_id=${eirc.id}&per_page=500`, tok.admin);
  const out = [];
  for (const a of all.slice(0, 60)) {
    const r = await c.get(`/api/v1/accounts/${a.id}/statement?period=${period}`, { token: tok.admin });
    out.push(r.status === 200 ? r.body.charged : null);
  }
  return JSON.stringify(out);
}

test('a run killed with SIGKILL leaves the previous statements whole; a re-run completes', async () => {
  const period = '2026-12';
  const org = String(eirc.id);
  run(srv.db.url, ['bill', 'run', '--period', period, '--org', org]);
  const before = await snapshot(period);
  // A new tariff from December changes the statements of the period.
  const svc = (await c.get(`/api/v1/services?org_id=${eirc.id}`, { token: tok.eirc1 })).body.items
    .find((x) => x.code === 'capital_repair'); // no house tariffs (maintenance has one)
  const t = await c.post(`/api/v1/services/${svc.id}/tariffs`, { token: tok.eirc1,
    body: { valid_from: `${period}-01`, price: '99.9900' } });
  assert.equal(t.status, 201, t.text);
  const started = Date.now();
  run(srv.db.url, ['bill', 'run', '--period', '2027-01', '--org', org]);
  const full = Date.now() - started; // how long a run takes here
  let kills = 0;
  const seen = [];
  for (let i = 0; i < 6; i++) {
    const p = spawn(BIN, ['bill', 'run', '--period', period, '--org', org, '--db', srv.db.url]);
    const closed = new Promise((resolve) => p.on('close', resolve));
    await sleep(Math.floor(full * (0.1 + 0.15 * i)));
    if (p.exitCode === null && p.signalCode === null) { p.kill('SIGKILL'); kills++; }
    await closed;
    seen.push(await snapshot(period));
  }
  assert.ok(kills > 0, 'at least one run was killed before it finished');
  run(srv.db.url, ['bill', 'run', '--period', period, '--org', org]);
  const after = await snapshot(period);
  assert.notEqual(after, before, 'the new tariff changed the statements');
  for (const x of seen) assert.ok(x === before || x === after, 'the period is whole: all old or all new');
});
