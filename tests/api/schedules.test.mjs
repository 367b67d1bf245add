// Schedules through the API: create / list / patch, validation of the rule and
// the time zone, next_at / next_local, rights and scope, audit; firing through
// `upravdom schedule tick --at` (payload slot / slot_local, unique key, first
// firing after creation, disabled schedules); the `schedule` CLI commands.
// Contract: docs/jobs.md ("Schedules", "API", CLI), docs/api.md (conventions).
//
// The server runs with --workers 0 --tick 0: only the ticks a test makes fire.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api } from '../lib/harness.mjs';
import { assertProblem, assertValidation, assertList, listAll, auditFind, discoverDemo, ISO_UTC } from '../lib/helpers.mjs';
import { run, iso, unix, nowSec, nextUtcClock, wallClock } from '../lib/jobs.mjs';

const SCHEDS = '/api/v1/schedules';
const JOBS = '/api/v1/jobs';
const FIELDS = ['id', 'name', 'rule', 'timezone', 'kind', 'payload', 'enabled', 'region_id', 'municipality_id', 'org_id',
  'last_slot', 'next_at', 'next_local', 'created_at'];
const RUN = `s${process.pid}.${Date.now() % 1e6}`;
const MSK = 3; // UTC offsets (hours): neither zone has daylight saving
const YEKT = 5;

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

let serial = 0;
const uniqueName = (tag = 'Расписание') => `${tag} ${RUN}.${serial++}`;
const body = (over = {}) => ({
  name: uniqueName(), rule: 'daily 10:00', timezone: 'Europe/Moscow', kind: 'noop', payload: { report: 'daily' }, ...over,
});

async function create(b, token = admin, headers = {}) {
  const r = await c.post(SCHEDS, { token, body: b, headers });
  assert.equal(r.status, 201, `POST ${JSON.stringify(b)} → ${r.status} ${r.text}`);
  return r.body;
}

async function allSchedules(token = admin) {
  return listAll(c, SCHEDS, token);
}

async function scheduleById(id, token = admin) {
  return (await allSchedules(token)).find((s) => s.id === id);
}

async function total() {
  return (await c.get(`${SCHEDS}?per_page=1`, { token: admin })).body.total;
}

/** Jobs fired by a schedule, as the admin sees them. */
async function firedBy(id) {
  return (await listAll(c, JOBS, admin)).filter((j) => j.schedule_id === id);
}

/** Asserts next_at is one of the candidates (computed before and after the request). */
function assertNextAt(s, candidates, what) {
  assert.match(s.next_at ?? '', ISO_UTC, `${what}: next_at is ISO UTC`);
  assert.ok(candidates.map(iso).includes(s.next_at), `${what}: next_at ${s.next_at}, expected ${candidates.map(iso).join(' or ')}`);
}

/** Creates a "daily 10:00" schedule in a zone with a fixed offset and checks next_at / next_local. */
async function checkDaily10(timezone, offset, utcHour) {
  const before = nextUtcClock(utcHour, 0, nowSec());
  const s = await create(body({ timezone }));
  const afterT = nextUtcClock(utcHour, 0, nowSec());
  assertNextAt(s, [before, afterT], `${timezone} daily 10:00`);
  const next = unix(s.next_at);
  assert.ok(s.next_local.startsWith(wallClock(next, offset)), `next_local ${s.next_local}, expected ${wallClock(next, offset)}`);
  assert.ok(s.next_local.startsWith(`${iso(next).slice(0, 10)}T10:00`), 'next_local is 10:00 on the same date');
  const listed = await scheduleById(s.id);
  assert.equal(listed.next_at, s.next_at);
  assert.equal(listed.next_local, s.next_local);
  return s;
}

// ------------------------------------------------------------------ create / list

test('POST as admin creates a schedule: 201 with exactly the documented fields, enabled, listed with the same object', async () => {
  const b = body();
  const t0 = nowSec();
  const s = await create(b);
  assert.deepEqual(Object.keys(s).sort(), [...FIELDS].sort());
  assert.ok(Number.isInteger(s.id) && s.id > 0);
  for (const k of ['name', 'rule', 'timezone', 'kind']) assert.equal(s[k], b[k], k);
  assert.deepEqual(s.payload, b.payload, 'payload is the JSON object itself');
  assert.equal(s.enabled, true, 'a new schedule is enabled');
  assert.equal(s.region_id, null, 'the admin\'s schedule without a place is the installation\'s');
  assert.equal(s.municipality_id, null);
  assert.equal(s.org_id, null);
  assert.match(s.created_at, ISO_UTC);
  assert.ok(Math.abs(unix(s.created_at) - t0) <= 120);
  assert.ok(s.last_slot === null || (ISO_UTC.test(s.last_slot) && unix(s.last_slot) <= nowSec()),
    `last_slot is null or a past ISO time: ${s.last_slot}`);
  assert.deepEqual(await scheduleById(s.id), s);
});

test('payload defaults to {} when omitted', async () => {
  const { payload, ...b } = body();
  assert.ok(payload);
  const s = await create(b);
  assert.deepEqual((await scheduleById(s.id)).payload, {}, 'stored as {}');
  assert.deepEqual(s.payload, {}, 'the 201 answer shows the stored payload');
});

test('"daily 10:00" in Europe/Moscow: next_at is the next 07:00Z, next_local 10:00 that day', async () => {
  await checkDaily10('Europe/Moscow', MSK, 7);
});

test('"daily 10:00" in Asia/Yekaterinburg: next_at is the next 05:00Z, next_local 10:00 that day', async () => {
  await checkDaily10('Asia/Yekaterinburg', YEKT, 5);
});

test('"weekly fri 10:00" in Europe/Moscow: next_at is a Friday 07:00Z within a week', async () => {
  const t0 = nowSec();
  const s = await create(body({ rule: 'weekly fri 10:00' }));
  const next = unix(s.next_at);
  assert.equal(new Date(next * 1000).getUTCDay(), 5, `${s.next_at} is a Friday`);
  assert.equal(iso(next).slice(11), '07:00:00Z');
  assert.ok(next > t0 && next <= t0 + 7 * 86400 + 60, `${s.next_at} within a week`);
  assert.ok(s.next_local.startsWith(`${iso(next).slice(0, 10)}T10:00`), s.next_local);
});

test('a five-field cron rule "30 2 * * *" in Asia/Yekaterinburg: next_at is the next 21:30Z', async () => {
  const a = nextUtcClock(21, 30, nowSec());
  const s = await create(body({ rule: '30 2 * * *', timezone: 'Asia/Yekaterinburg' }));
  assertNextAt(s, [a, nextUtcClock(21, 30, nowSec())], '30 2 * * * Yekaterinburg');
  assert.ok(s.next_local.startsWith(wallClock(unix(s.next_at), YEKT)), s.next_local);
  assert.equal(s.next_local.slice(11, 16), '02:30');
});

test('the schedule list answers the envelope (page 1, per_page 50) and pages of per_page=1 cover it once', async () => {
  const b = assertList(await c.get(SCHEDS, { token: admin }));
  assert.equal(b.page, 1);
  assert.equal(b.per_page, 50);
  const all = await allSchedules();
  assert.equal(all.length, b.total);
  for (const s of all) {
    assert.deepEqual(Object.keys(s).sort(), [...FIELDS].sort());
    assert.match(s.next_at, ISO_UTC, `${s.name}: next_at`);
    assert.equal(typeof s.next_local, 'string');
  }
  const seen = [];
  for (let page = 1; page <= all.length + 1; page++) {
    const p = assertList(await c.get(`${SCHEDS}?per_page=1&page=${page}`, { token: admin }));
    assert.equal(p.total, all.length);
    seen.push(...p.items.map((s) => s.id));
  }
  assert.deepEqual(seen, all.map((s) => s.id));
  assertValidation(await c.get(`${SCHEDS}?per_page=0`, { token: admin }), ['per_page']);
  assertValidation(await c.get(`${SCHEDS}?page=0`, { token: admin }), ['page']);
});

// ------------------------------------------------------------------ validation

const BAD_RULES = ['every fortnight', '60 * * * *', '0 24 * * *', 'daily 25:00', 'daily 24:00', '0 10 * *',
  '0 10 * * * *', '', 'weekly fry 10:00', 'monthly 32 09:00'];

for (const rule of BAD_RULES) {
  test(`POST with rule ${JSON.stringify(rule)} answers 422 naming rule, and creates nothing`, async () => {
    const t = await total();
    const r = await c.post(SCHEDS, { token: admin, body: body({ rule }) });
    assertValidation(r, ['rule'], `rule ${rule}`);
    assert.ok(!r.body.errors.some((e) => e.field === 'timezone'), 'only the rule is wrong');
    assert.equal(await total(), t);
  });
}

for (const timezone of ['Mars/Olympus', 'GMT+03:00', '', 'Moscow']) {
  test(`POST with timezone ${JSON.stringify(timezone)} answers 422 naming timezone`, async () => {
    const t = await total();
    const r = await c.post(SCHEDS, { token: admin, body: body({ timezone }) });
    assertValidation(r, ['timezone'], `timezone ${timezone}`);
    assert.ok(!r.body.errors.some((e) => e.field === 'rule'), 'only the zone is wrong');
    assert.equal(await total(), t);
  });
}

test('a bad rule and a bad time zone together: 422 names both', async () => {
  assertValidation(await c.post(SCHEDS, { token: admin, body: body({ rule: '61 * * * *', timezone: 'Nowhere/City' }) }),
    ['rule', 'timezone']);
});

test('POST of an empty object answers 422 naming name, rule, timezone and kind', async () => {
  assertValidation(await c.post(SCHEDS, { token: admin, body: {} }), ['name', 'rule', 'timezone', 'kind']);
});

test('POST with an unknown kind, a payload that is not an object, wrong types or an unknown field answers 422 naming each', async () => {
  assertValidation(await c.post(SCHEDS, { token: admin, body: body({ kind: 'no.such.kind' }) }), ['kind'], 'unknown kind');
  assertValidation(await c.post(SCHEDS, { token: admin, body: body({ payload: [1, 2] }) }), ['payload'], 'payload array');
  assertValidation(await c.post(SCHEDS, { token: admin, body: body({ payload: 'x' }) }), ['payload'], 'payload string');
  assertValidation(await c.post(SCHEDS, { token: admin, body: body({ rule: 10 }) }), ['rule'], 'rule a number');
  assertValidation(await c.post(SCHEDS, { token: admin, body: body({ colour: 'red' }) }), ['colour'], 'unknown field');
  assertProblem(await c.post(SCHEDS, { token: admin, raw: '{"name":', headers: { 'Content-Type': 'application/json' } }),
    400, 'malformed-json');
});

test('a second schedule with the same name answers 409 conflict', async () => {
  const s = await create(body());
  const t = await total();
  assertProblem(await c.post(SCHEDS, { token: admin, body: body({ name: s.name }) }), 409, 'conflict');
  assert.equal(await total(), t);
});

// ------------------------------------------------------------------ PATCH

test('PATCH timezone from Europe/Moscow to Asia/Yekaterinburg moves next_at from 07:00Z to 05:00Z; local time stays 10:00', async () => {
  const s = await create(body());
  const a = nextUtcClock(5, 0, nowSec());
  const r = await c.patch(`${SCHEDS}/${s.id}`, { token: admin, body: { timezone: 'Asia/Yekaterinburg' } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.body).sort(), [...FIELDS].sort());
  assert.equal(r.body.timezone, 'Asia/Yekaterinburg');
  assertNextAt(r.body, [a, nextUtcClock(5, 0, nowSec())], 'after PATCH timezone');
  assert.ok(r.body.next_local.startsWith(`${iso(unix(r.body.next_at)).slice(0, 10)}T10:00`), r.body.next_local);
  for (const k of ['name', 'rule', 'kind', 'created_at']) assert.deepEqual(r.body[k], s[k], `${k} unchanged`);
  assert.deepEqual(await scheduleById(s.id), r.body);
});

test('PATCH rule recomputes next_at; PATCH payload replaces the payload', async () => {
  const s = await create(body());
  const a = nextUtcClock(9, 15, nowSec());
  const r = await c.patch(`${SCHEDS}/${s.id}`, { token: admin, body: { rule: '15 12 * * *' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.rule, '15 12 * * *');
  assertNextAt(r.body, [a, nextUtcClock(9, 15, nowSec())], 'after PATCH rule');
  const p = await c.patch(`${SCHEDS}/${s.id}`, { token: admin, body: { payload: { region: 'Заречный', n: 2 } } });
  assert.equal(p.status, 200, p.text);
  assert.deepEqual(p.body.payload, { region: 'Заречный', n: 2 });
  assert.equal(p.body.rule, '15 12 * * *', 'the rule is kept');
});

test('PATCH enabled=false disables the schedule (nothing fires on a tick) and enabled=true enables it again', async () => {
  const s = await create(body({ rule: 'hourly' }));
  const r = await c.patch(`${SCHEDS}/${s.id}`, { token: admin, body: { enabled: false } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.enabled, false);
  const at = (Math.floor(nowSec() / 3600) + 2) * 3600 + 60;
  run(db, ['schedule', 'tick', '--at', iso(at)]);
  assert.equal((await firedBy(s.id)).length, 0, 'a disabled schedule fires nothing');
  const on = await c.patch(`${SCHEDS}/${s.id}`, { token: admin, body: { enabled: true } });
  assert.equal(on.status, 200, on.text);
  assert.equal(on.body.enabled, true);
  assert.match(on.body.next_at, ISO_UTC);
  run(db, ['schedule', 'tick', '--at', iso(at)]);
  assert.equal((await firedBy(s.id)).length, 1, 'enabled again, it fires');
});

test('PATCH with a bad rule or time zone answers 422 naming it and changes nothing', async () => {
  const s = await create(body());
  assertValidation(await c.patch(`${SCHEDS}/${s.id}`, { token: admin, body: { rule: 'every fortnight' } }), ['rule']);
  assertValidation(await c.patch(`${SCHEDS}/${s.id}`, { token: admin, body: { timezone: 'Mars/Olympus' } }), ['timezone']);
  assertValidation(await c.patch(`${SCHEDS}/${s.id}`, { token: admin, body: { rule: 'daily 25:00', timezone: 'X/Y' } }),
    ['rule', 'timezone']);
  assertValidation(await c.patch(`${SCHEDS}/${s.id}`, { token: admin, body: { enabled: 'yes' } }), ['enabled']);
  assertValidation(await c.patch(`${SCHEDS}/${s.id}`, { token: admin, body: { payload: [1] } }), ['payload']);
  const after = await scheduleById(s.id);
  for (const k of ['rule', 'timezone', 'enabled', 'payload', 'next_at']) assert.deepEqual(after[k], s[k], `${k} unchanged`);
});

test('PATCH of a field other than enabled, rule, timezone, payload answers 422 naming it', async () => {
  const s = await create(body());
  assertValidation(await c.patch(`${SCHEDS}/${s.id}`, { token: admin, body: { kind: 'sleep' } }), ['kind']);
  assertValidation(await c.patch(`${SCHEDS}/${s.id}`, { token: admin, body: { id: 1 } }), ['id']);
  assertValidation(await c.patch(`${SCHEDS}/${s.id}`, { token: admin, body: { municipality_id: demo.m1 } }), ['municipality_id']);
  const after = await scheduleById(s.id);
  assert.equal(after.kind, 'noop');
  assert.equal(after.municipality_id, null);
});

test('PATCH of an unknown schedule answers 404', async () => {
  assertProblem(await c.patch(`${SCHEDS}/987654321`, { token: admin, body: { enabled: false } }), 404, 'not-found');
  assertProblem(await c.patch(`${SCHEDS}/abc`, { token: admin, body: { enabled: false } }), 404, 'not-found');
});

// ------------------------------------------------------------------ rights and scope

test('residents lack schedules.read: the list answers 403', async () => {
  const token = await c.login('resident1');
  assertProblem(await c.get(SCHEDS, { token }), 403, 'forbidden');
  assertProblem(await c.post(SCHEDS, { token, body: body() }), 403, 'forbidden');
});

test('municipal operators and org staff may read schedules but lack schedules.write: POST and PATCH answer 403', async () => {
  const s = await create(body());
  for (const login of ['mun1', 'uo1']) {
    const token = await c.login(login);
    assertList(await c.get(SCHEDS, { token }), `${login} list`);
    const t = await total();
    assertProblem(await c.post(SCHEDS, { token, body: body() }), 403, 'forbidden', `${login} POST`);
    assert.equal(await total(), t);
    assertProblem(await c.patch(`${SCHEDS}/${s.id}`, { token, body: { enabled: false } }), 403, 'forbidden', `${login} PATCH`);
  }
  assert.equal((await scheduleById(s.id)).enabled, true);
});

test('a region operator creates schedules in the region (region_id = own, or the municipality\'s) and may PATCH them', async () => {
  const token = await c.login('region');
  const own = await create(body(), token);
  assert.equal(own.region_id, demo.region);
  assert.equal(own.municipality_id, null);
  const m2 = await create(body({ municipality_id: demo.m2, timezone: 'Asia/Yekaterinburg' }), token);
  assert.equal(m2.region_id, demo.region);
  assert.equal(m2.municipality_id, demo.m2);
  const r = await c.patch(`${SCHEDS}/${m2.id}`, { token, body: { enabled: false } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.enabled, false);
  const listed = await allSchedules(token);
  assert.ok(listed.some((s) => s.id === own.id) && listed.some((s) => s.id === m2.id), 'the region operator lists both');
});

test('scope: a schedule of municipality 2 is listed for the admin, region and mun2, not for mun1, uo1 or uo2; installation schedules are listed only for the admin, and PATCH of one by the region operator answers 404', async () => {
  const name = uniqueName('Заречный');
  run(db, ['schedule', 'add', '--name', name, '--rule', 'daily 10:00', '--timezone', 'Asia/Yekaterinburg', '--kind', 'noop',
    '--municipality-id', String(demo.m2)]);
  const s = (await allSchedules()).find((x) => x.name === name);
  assert.ok(s, 'the CLI schedule is listed for the admin');
  assert.equal(s.municipality_id, demo.m2);
  assert.equal(s.region_id, demo.region);
  const installation = await create(body());

  for (const login of ['region', 'mun2']) {
    const mine = await allSchedules(await c.login(login));
    assert.ok(mine.some((x) => x.id === s.id), `${login} lists municipality 2's schedule`);
    assert.ok(!mine.some((x) => x.region_id === null), `${login} lists no installation schedule`);
  }
  for (const login of ['mun1', 'uo1', 'uo2']) {
    const mine = await allSchedules(await c.login(login));
    assert.ok(!mine.some((x) => x.id === s.id), `${login} does not list municipality 2's schedule`);
    assert.ok(!mine.some((x) => x.region_id === null), `${login} lists no installation schedule`);
  }
  for (const x of await allSchedules(await c.login('mun1'))) assert.equal(x.municipality_id, demo.m1);

  const region = await c.login('region');
  assertProblem(await c.patch(`${SCHEDS}/${installation.id}`, { token: region, body: { enabled: false } }), 404, 'not-found');
  assert.equal((await scheduleById(installation.id)).enabled, true);
});

// ------------------------------------------------------------------ audit

test('POST and PATCH write one audit entry each (schedule.create, schedule.update) with actor, object and request id; schedule add on the CLI writes one from address cli', async () => {
  const region = await c.login('region');
  const s = await create(body(), region, { 'X-Request-Id': `${RUN}-create` });
  const u = await c.patch(`${SCHEDS}/${s.id}`, { token: admin, body: { enabled: false }, headers: { 'X-Request-Id': `${RUN}-update` } });
  assert.equal(u.status, 200, u.text);
  const created = await auditFind(c, admin, 'object_type=schedule', (e) => e.request_id === `${RUN}-create`);
  assert.equal(created.length, 1, JSON.stringify(created));
  assert.equal(created[0].action, 'schedule.create');
  assert.equal(created[0].object_id, s.id);
  assert.equal(created[0].user_login, 'region');
  const updated = await auditFind(c, admin, 'action=schedule.update', (e) => e.request_id === `${RUN}-update`);
  assert.equal(updated.length, 1, JSON.stringify(updated));
  assert.equal(updated[0].object_id, s.id);
  assert.equal(updated[0].user_login, 'admin');
  const refused = await c.patch(`${SCHEDS}/${s.id}`, { token: admin, body: { rule: 'never' }, headers: { 'X-Request-Id': `${RUN}-refused` } });
  assert.equal(refused.status, 422);
  assert.equal((await auditFind(c, admin, '', (e) => e.request_id === `${RUN}-refused`)).length, 0, 'a refused change is not audited');

  const name = uniqueName('CLI');
  run(db, ['schedule', 'add', '--name', name, '--rule', 'hourly', '--timezone', 'Europe/Moscow', '--kind', 'noop']);
  const made = (await allSchedules()).find((x) => x.name === name);
  const cliEntries = await auditFind(c, admin, 'action=schedule.create', (e) => e.object_id === made.id);
  assert.equal(cliEntries.length, 1, JSON.stringify(cliEntries));
  assert.equal(cliEntries[0].address, 'cli');
});

// ------------------------------------------------------------------ firing (schedule tick --at)

test('a tick at the slot fires one job of the schedule\'s kind: its payload plus slot (UTC) and slot_local (local wall clock), schedule_id, scope and unique key schedule:<id>:<slot>', async () => {
  const s = await create(body({ timezone: 'Asia/Yekaterinburg', kind: 'probe', payload: { report: 'x', n: 1 } }));
  const slot = unix(s.next_at);
  assert.equal(iso(slot).slice(11), '05:00:00Z');
  const r = run(db, ['schedule', 'tick', '--at', iso(slot)]);
  const jobs = await firedBy(s.id);
  assert.equal(jobs.length, 1, `one job: ${JSON.stringify(jobs)} (tick said ${r.stdout.trim()})`);
  const j = jobs[0];
  assert.equal(j.kind, 'probe');
  assert.equal(j.state, 'queued');
  assert.equal(j.payload.report, 'x');
  assert.equal(j.payload.n, 1);
  assert.equal(j.payload.slot, iso(slot));
  assert.equal(j.payload.slot_local, `${iso(slot).slice(0, 10)}T10:00`);
  assert.equal(j.payload.missed, 0, 'on time: "missed": 0 (docs/jobs.md)');
  assert.equal(j.region_id, null);
  assert.ok(j.unique_key === `schedule:${s.id}:${slot}` || j.unique_key === `schedule:${s.id}:${iso(slot)}`,
    `unique_key schedule:<id>:<slot>: ${j.unique_key}`);
  const after = await scheduleById(s.id);
  assert.ok(after.last_slot === iso(slot), `last_slot is the fired slot: ${after.last_slot}`);
  run(db, ['schedule', 'tick', '--at', iso(slot + 30)]);
  assert.equal((await firedBy(s.id)).length, 1, 'a second tick in the same slot fires nothing');
});

test('a new schedule fires nothing for slots before its creation: ticks at now and hours ago fire nothing', async () => {
  const now = nowSec(); // before the creation: its slot is at most the last one passed at creation
  const s = await create(body({ rule: '*/5 * * * *' }));
  run(db, ['schedule', 'tick', '--at', iso(now - 3 * 3600)]);
  run(db, ['schedule', 'tick', '--at', iso(now)]);
  assert.equal((await firedBy(s.id)).length, 0);
});

test('schedule add on the command line: a bad rule or time zone exits 2 naming it; a good one is listed by schedule list with its next firing', async () => {
  const bad = run(db, ['schedule', 'add', '--name', uniqueName(), '--rule', 'every fortnight', '--timezone', 'Europe/Moscow',
    '--kind', 'noop'], { expect: 2 });
  assert.match(bad.stderr, /rule/);
  const badTz = run(db, ['schedule', 'add', '--name', uniqueName(), '--rule', 'hourly', '--timezone', 'Mars/Olympus',
    '--kind', 'noop'], { expect: 2 });
  assert.match(badTz.stderr, /timezone/);
  run(db, ['schedule', 'add', '--name', uniqueName(), '--rule', 'hourly', '--timezone', 'Europe/Moscow', '--kind', 'noop',
    '--payload', '[1]'], { expect: 2 });
  const name = uniqueName('Список');
  run(db, ['schedule', 'add', '--name', name, '--rule', 'daily 10:00', '--timezone', 'Asia/Yekaterinburg', '--kind', 'noop']);
  const s = (await allSchedules()).find((x) => x.name === name);
  const line = run(db, ['schedule', 'list']).stdout.split('\n').find((l) => l.split('\t').includes(name));
  assert.ok(line, `schedule list has a line for ${name}`);
  const f = line.split('\t');
  assert.ok(f.includes('daily 10:00') && f.includes('Asia/Yekaterinburg'), line);
  assert.ok(f.includes(s.next_at), `the line shows next_at ${s.next_at}: ${line}`);
  run(db, ['schedule', 'tick', '--at', 'tomorrow'], { expect: 2 });
});
