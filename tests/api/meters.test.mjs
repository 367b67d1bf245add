// Meters and readings over HTTP (docs/meters.md): every validation rule with an
// accepted and a refused case, the rollover, corrections keeping history, the
// reading window on the municipality's wall clock (Asia/Yekaterinburg), the
// Idempotency-Key, the billing consumption and the analytics inputs. Runs on
// both backends against the demo region.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api } from '../lib/harness.mjs';
import { assertProblem, assertValidation, listAll, orgBody } from '../lib/helpers.mjs';
import { LOGINS, discoverMeters, makeMeter, localToday, periodOf, nextPeriod } from '../lib/meters.mjs';

let srv;
let c;
const tok = {};
let d;

before(async () => {
  srv = await startServer();
  c = api(srv.url);
  for (const login of LOGINS) tok[login] = await c.login(login);
  d = await discoverMeters(c, tok);
});

after(async () => { await srv?.stop(); });

const submit = (token, body, headers) => c.post('/api/v1/readings', { token, body, headers });
const history = async (id) => (await c.get(`/api/v1/meters/${id}/readings?per_page=500`, { token: tok.admin })).body.items;

/** A 422 whose errors[] names field and whose rule is the given one. */
function assertRule(r, field, rule, what) {
  assertValidation(r, [field], what);
  assert.equal(r.body.rule, rule, `${what}: rule ${r.body.rule}`);
}

/** Sets an organization's window to the days [first, last] (and the factor). */
async function setWindow(orgId, first, last, factor = '3') {
  const r = await c.patch(`/api/v1/organizations/${orgId}/reading-settings`, { token: tok.admin,
    body: { first_day: first, last_day: last, implausible_factor: factor } });
  assert.equal(r.status, 200, r.text);
}

// ------------------------------------------------------------------ meters

test('creating a meter checks every field and names it (422)', async () => {
  const r = await c.post('/api/v1/meters', { token: tok.admin, body: {
    kind: 'tower', resource: 'steam', zone: 'evening', digits: 40, decimals: 5,
    installed_on: '25.01.2024', colour: 'red' } });
  assertValidation(r, ['kind', 'resource', 'zone', 'digits', 'decimals', 'installed_on', 'colour']);
  const water = await c.post('/api/v1/meters', { token: tok.admin, body: {
    kind: 'individual', resource: 'cold_water', zone: 'day', premises_id: d.own1, org_id: d.rso1,
    digits: 5, installed_on: '2024-01-15' } });
  assertValidation(water, ['zone'], 'day/night zones are for electricity only');
  const odpu = await c.post('/api/v1/meters', { token: tok.admin, body: {
    kind: 'building', resource: 'heat', premises_id: d.own1, org_id: d.uo1, digits: 6,
    installed_on: '2024-01-15' } });
  assertValidation(odpu, ['premises_id'], 'a building meter has no premises');
});

test('a two-zone electricity meter is two registers sharing the serial; a register is unique in the house', async () => {
  const day = await makeMeter(c, tok.admin, { premises_id: d.own1, org_id: d.rso1, resource: 'electricity', zone: 'day', serial: 'EL-2Z', decimals: 1 });
  const night = await makeMeter(c, tok.admin, { premises_id: d.own1, org_id: d.rso1, resource: 'electricity', zone: 'night', serial: 'EL-2Z', decimals: 1 });
  assert.equal(day.house_id, d.h1.id, 'the house comes from the premises');
  assert.equal(night.serial, day.serial);
  assert.equal(day.unit, 'кВт·ч');
  const again = await c.post('/api/v1/meters', { token: tok.admin, body: {
    kind: 'individual', resource: 'electricity', zone: 'day', premises_id: d.own1, org_id: d.rso1,
    serial: 'EL-2Z', digits: 5, installed_on: '2024-01-15' } });
  assertProblem(again, 409, 'conflict');
});

test('PATCH changes verification dates and removal; kind, resource and place do not change', async () => {
  const m = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: d.rso1 });
  assertValidation(await c.patch(`/api/v1/meters/${m.id}`, { token: tok.admin, body: { resource: 'gas', premises_id: d.own1 } }),
    ['resource', 'premises_id']);
  const r = await c.patch(`/api/v1/meters/${m.id}`, { token: tok.admin, body: { next_verification_on: '2031-05-01', serial: null } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.next_verification_on, '2031-05-01');
  assert.equal(r.body.serial, null);
  const removed = await c.patch(`/api/v1/meters/${m.id}`, { token: tok.admin, body: { removed_on: '2025-01-01' } });
  assert.equal(removed.body.status, 'removed');
  const list = await listAll(c, `/api/v1/meters?premises_id=${d.other1}&status=removed`, tok.admin);
  assert.ok(list.some((x) => x.id === m.id), 'status filter finds the removed meter');
});

test('once a meter has readings, its capacity, initial value and installation stay, and it is not removed before its last reading', async () => {
  const m = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: d.rso1, digits: 5 });
  assert.equal((await c.patch(`/api/v1/meters/${m.id}`, { token: tok.admin, body: { digits: 6 } })).status, 200, 'no readings yet: free to fix');
  assert.equal((await submit(tok.admin, { meter_id: m.id, value: '10', period: '2025-03' })).status, 201);
  for (const [field, value] of [['digits', 4], ['initial_value', '5'], ['installed_on', '2023-01-01'], ['removed_on', '2025-02-28']])
    assertValidation(await c.patch(`/api/v1/meters/${m.id}`, { token: tok.admin, body: { [field]: value } }), [field]);
  const r = await c.patch(`/api/v1/meters/${m.id}`, { token: tok.admin, body: { removed_on: '2025-03-31', serial: 'S-2' } });
  assert.equal(r.status, 200, r.text);
});

// ------------------------------------------------------------------ resident channel

test('a resident submits for own premises: accepted with channel, author and time, in the window', async () => {
  const m = await makeMeter(c, tok.admin, { premises_id: d.own1, org_id: d.rso1, initial_value: '100' });
  const t = localToday('Europe/Moscow');
  await setWindow(d.rso1, Math.max(1, t.d - 1), Math.min(31, t.d + 1));
  const r = await submit(tok.resident1, { meter_id: m.id, value: '101.250' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.result, 'accepted');
  assert.equal(r.body.channel, 'resident');
  assert.equal(r.body.author_id, (await c.get('/api/v1/me', { token: tok.resident1 })).body.id);
  assert.equal(r.body.period, periodOf(t.y, t.m));
  assert.equal(r.body.in_window, true);
  assert.equal(r.body.consumption, '1.250');
  assert.equal(r.body.previous_period, null, 'counted from the initial value');
  assert.match(r.body.received_at, /Z$/);
  assert.equal(r.body.window.timezone, 'Europe/Moscow');
  const mine = await listAll(c, '/api/v1/meters', tok.resident1);
  assert.ok(mine.length >= 1 && mine.every((x) => x.premises_id === d.own1), 'a resident lists only own meters');
  const staff = await submit(tok.admin, { meter_id: m.id, value: '103', period: periodOf(t.y, t.m), correction: true });
  assert.equal(staff.status, 201, staff.text);
  const seen = (await c.get(`/api/v1/meters/${m.id}/readings`, { token: tok.resident1 })).body.items;
  assert.equal(seen.find((x) => x.id === staff.body.id).author_id, null, 'a resident does not see which staff member gave a reading');
  assert.equal(seen.find((x) => x.id === r.body.id).author_id, r.body.author_id, 'but sees their own');
});

test('tenancy: a resident cannot submit for another premises (404) and nothing is stored', async () => {
  const m = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: d.rso1 });
  assertProblem(await submit(tok.resident1, { meter_id: m.id, value: '5' }), 404, 'not-found');
  assertProblem(await c.get(`/api/v1/meters/${m.id}`, { token: tok.resident1 }), 404, 'not-found');
  assert.deepEqual(await history(m.id), []);
  const t = localToday('Europe/Moscow');
  for (const period of [periodOf(t.y, t.m), nextPeriod(t)]) {
    const refused = await listAll(c, `/api/v1/meters?period=${period}&rejected=true&premises_id=${d.other1}`, tok.admin);
    assert.ok(!refused.some((x) => x.id === m.id), 'not even a refusal is recorded for a foreign meter');
  }
});

test('a resident may not choose the period, the time, the channel or confirm a consumption (422)', async () => {
  const m = await makeMeter(c, tok.admin, { premises_id: d.own1, org_id: d.rso1 });
  assertValidation(await submit(tok.resident1, { meter_id: m.id, value: '1', period: '2025-01' }), ['period']);
  assertValidation(await submit(tok.resident1, { meter_id: m.id, value: '1', received_at: '2025-01-21T10:00:00Z' }), ['received_at']);
  assertValidation(await submit(tok.resident1, { meter_id: m.id, value: '1', channel: 'operator' }), ['channel']);
  assertValidation(await submit(tok.resident1, { meter_id: m.id, value: '1', confirm: true }), ['confirm']);
  assert.deepEqual(await history(m.id), []);
});

// ------------------------------------------------------------------ validation rules

test('rule "not lower than the previous reading": lower refused on value, equal and higher accepted', async () => {
  const m = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: d.rso1 });
  assert.equal((await submit(tok.admin, { meter_id: m.id, value: '50', period: '2025-01' })).status, 201);
  assertRule(await submit(tok.admin, { meter_id: m.id, value: '49.999', period: '2025-02' }), 'value', 'lower_than_previous', 'lower');
  const same = await submit(tok.admin, { meter_id: m.id, value: '50', period: '2025-02' });
  assert.equal(same.status, 201, same.text);
  assert.equal(same.body.consumption, '0.000');
  assert.equal(same.body.previous_period, '2025-01');
  const up = await submit(tok.admin, { meter_id: m.id, value: 57, period: '2025-04' });
  assert.equal(up.status, 201, up.text);
  assert.equal(up.body.value, '57.000', 'a whole number is whole units');
  assert.equal(up.body.months, 2, 'the consumption covers the missing month');
});

test('rule "value fits the counter": more decimals than it shows or beyond its digits refused on value', async () => {
  const m = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: d.rso1, digits: 4, decimals: 1, serial: null });
  assertValidation(await submit(tok.admin, { meter_id: m.id, value: '12.34', period: '2025-01' }), ['value']);
  assertValidation(await submit(tok.admin, { meter_id: m.id, value: '10000', period: '2025-01' }), ['value']);
  assertValidation(await submit(tok.admin, { meter_id: m.id, value: 'двенадцать', period: '2025-01' }), ['value']);
  assert.equal((await submit(tok.admin, { meter_id: m.id, value: '9999.9', period: '2025-01' })).status, 201);
});

test('rollover: a wrap through zero is recognised, refused until confirmed, then counted through zero', async () => {
  const m = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: d.rso1, digits: 5 });
  assert.equal((await submit(tok.admin, { meter_id: m.id, value: '99950', period: '2025-01' })).status, 201);
  const r = await submit(tok.admin, { meter_id: m.id, value: '20', period: '2025-02' });
  assertRule(r, 'value', 'rollover_unconfirmed', 'unconfirmed wrap');
  assert.match(r.body.errors[0].message, /через ноль/);
  const ok = await submit(tok.admin, { meter_id: m.id, value: '20', period: '2025-02', confirm_rollover: true });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.body.rollover, true);
  assert.equal(ok.body.consumption, '70.000');
  const far = await submit(tok.admin, { meter_id: m.id, value: '10', period: '2025-03', confirm_rollover: true });
  assertRule(far, 'value', 'lower_than_previous', 'a drop of nearly the whole capacity is no wrap');
});

test('rule "consumption not implausibly above the history": over 3× the average refused; staff confirm, residents cannot', async () => {
  const m = await makeMeter(c, tok.admin, { premises_id: d.own1, org_id: d.rso1, installed_on: '2024-12-15' });
  for (const [p, v] of [['2025-01', '10'], ['2025-02', '20'], ['2025-03', '30'], ['2025-04', '40']]) {
    assert.equal((await submit(tok.admin, { meter_id: m.id, value: v, period: p })).status, 201);
  }
  // 10 a month over four months: 3 × 10 = 30 is the limit for May.
  const limit = await submit(tok.admin, { meter_id: m.id, value: '70', period: '2025-05' });
  assert.equal(limit.status, 201, `exactly 3× is accepted: ${limit.text}`);
  const high = await submit(tok.admin, { meter_id: m.id, value: '200', period: '2025-06' });
  assertRule(high, 'value', 'implausible', 'far above the average');
  const confirmed = await submit(tok.admin, { meter_id: m.id, value: '200', period: '2025-06', confirm: true });
  assert.equal(confirmed.status, 201, confirmed.text);
  assert.equal(confirmed.body.confirmed, true);
  const own = await makeMeter(c, tok.admin, { premises_id: d.own1, org_id: d.rso1 });
  assertValidation(await submit(tok.resident1, { meter_id: own.id, value: '1', confirm: true }), ['confirm'],
    'a resident cannot confirm');
});

test('rule "meter active": a removed meter and one past its verification date refuse readings on meter_id', async () => {
  const removed = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: d.rso1, removed_on: '2024-06-01' });
  assertRule(await submit(tok.admin, { meter_id: removed.id, value: '1' }), 'meter_id', 'meter_removed', 'removed');
  assertRule(await submit(tok.admin, { meter_id: removed.id, value: '1', received_at: '2024-06-02T09:00:00Z' }), 'meter_id', 'meter_removed', 'the day after removal');
  const last = await submit(tok.admin, { meter_id: removed.id, value: '1', received_at: '2024-06-01T09:00:00Z' });
  assert.equal(last.status, 201, `the final reading on the day of removal is taken: ${last.text}`);
  const expired = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: d.rso1, verified_on: '2018-01-01', next_verification_on: '2025-01-01' });
  assert.equal(expired.status, 'expired');
  assertRule(await submit(tok.admin, { meter_id: expired.id, value: '1' }), 'meter_id', 'verification_expired', 'expired now');
  const then = await submit(tok.admin, { meter_id: expired.id, value: '1', period: '2024-12' });
  assert.equal(then.status, 201, `a period while it was verified is accepted: ${then.text}`);
  const valid = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: d.rso1, next_verification_on: '2035-01-01' });
  assert.equal((await submit(tok.admin, { meter_id: valid.id, value: '1', period: '2025-01' })).status, 201);
});

test('rule "one accepted reading per period": a different value is refused unless a correction, which keeps the history', async () => {
  const m = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: d.rso1 });
  const first = await submit(tok.admin, { meter_id: m.id, value: '10', period: '2025-01' });
  assert.equal(first.status, 201);
  assertRule(await submit(tok.admin, { meter_id: m.id, value: '11', period: '2025-01' }), 'period', 'already_accepted', 'second value');
  const same = await submit(tok.admin, { meter_id: m.id, value: '10.000', period: '2025-01' });
  assert.equal(same.status, 200, same.text);
  assert.equal(same.body.result, 'unchanged');
  assert.equal(same.body.id, first.body.id);
  const fix = await submit(tok.admin, { meter_id: m.id, value: '11', period: '2025-01', correction: true });
  assert.equal(fix.status, 201, fix.text);
  assert.equal(fix.body.result, 'corrected');
  assert.equal(fix.body.replaces, first.body.id);
  const h = await history(m.id);
  assert.deepEqual(h.map((x) => [x.value, x.state]).sort(), [['10.000', 'superseded'], ['11.000', 'accepted']]);
});

test('a reading given in the window replaces, without correction, one given outside it for the same period', async () => {
  const m = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: d.rso1 });
  await setWindow(d.rso1, 20, 25);
  const late = await submit(tok.admin, { meter_id: m.id, value: '10', received_at: '2025-03-27T09:00:00Z' });
  assert.equal(late.status, 201, late.text);
  assert.deepEqual([late.body.period, late.body.in_window], ['2025-04', false], 'after the window: the next period');
  const inWindow = await submit(tok.admin, { meter_id: m.id, value: '12', received_at: '2025-04-22T09:00:00Z' });
  assert.equal(inWindow.status, 201, inWindow.text);
  assert.deepEqual([inWindow.body.period, inWindow.body.result, inWindow.body.replaces], ['2025-04', 'corrected', late.body.id]);
  // An in-window reading is not replaced that way: a third one needs correction.
  assertRule(await submit(tok.admin, { meter_id: m.id, value: '13', received_at: '2025-04-24T09:00:00Z' }), 'period', 'already_accepted', 'in-window stays');
});

test('a correction of a past period stays at or below the next reading, and the next consumption follows it', async () => {
  const m = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: d.rso1 });
  for (const [p, v] of [['2025-01', '10'], ['2025-02', '20'], ['2025-03', '30']]) {
    assert.equal((await submit(tok.admin, { meter_id: m.id, value: v, period: p })).status, 201);
  }
  assertRule(await submit(tok.admin, { meter_id: m.id, value: '31', period: '2025-02', correction: true }), 'value', 'above_next', 'above March');
  assert.equal((await submit(tok.admin, { meter_id: m.id, value: '25', period: '2025-02', correction: true })).status, 201);
  const march = (await history(m.id)).find((x) => x.period === '2025-03' && x.state === 'accepted');
  assert.equal(march.consumption, '5.000');
  const was = (await history(m.id)).find((x) => x.period === '2025-03' && x.state === 'superseded');
  assert.equal(was.consumption, '10.000', 'the consumption billing may have used stays in the history');
  assert.equal(march.replaces, was.id);
});

test('a correction that makes the next reading wrap through zero needs confirm_rollover, like any wrap', async () => {
  const m = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: d.rso1, digits: 5 });
  for (const [p, v] of [['2025-01', '99990'], ['2025-02', '99995'], ['2025-03', '3']]) {
    const r = await submit(tok.admin, { meter_id: m.id, value: v, period: p, confirm_rollover: true });
    assert.ok([200, 201].includes(r.status), r.text);
  }
  // February corrected to 99,998: March's 3 is then a wrap of 5 m³ — confirmed, it is recorded as one.
  assertRule(await submit(tok.admin, { meter_id: m.id, value: '99998', period: '2025-02', correction: true }), 'value', 'rollover_unconfirmed', 'the next reading wraps');
  const ok = await submit(tok.admin, { meter_id: m.id, value: '99998', period: '2025-02', correction: true, confirm_rollover: true });
  assert.equal(ok.status, 201, ok.text);
  const march = (await history(m.id)).find((x) => x.period === '2025-03' && x.state === 'accepted');
  assert.deepEqual([march.consumption, march.rollover], ['5.000', true]);
});

test('a period whose window has not come, or before the installation, is refused on period', async () => {
  const m = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: d.rso1, installed_on: '2024-05-10' });
  assertRule(await submit(tok.admin, { meter_id: m.id, value: '1', period: '2099-01' }), 'period', 'future_period', 'future');
  assertRule(await submit(tok.admin, { meter_id: m.id, value: '1', period: '2024-04' }), 'period', 'before_installation', 'before');
  assert.equal((await submit(tok.admin, { meter_id: m.id, value: '1', period: '2024-05' })).status, 201);
});

// ------------------------------------------------------------------ the window

test('window in Asia/Yekaterinburg: 19:30Z on the 25th is the 26th there, so the next period; in Moscow still the 25th', async () => {
  const ekb = await makeMeter(c, tok.admin, { premises_id: d.other2, org_id: d.uo2 });
  const msk = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: d.uo1 });
  const at = '2025-03-25T19:30:00Z';
  const e = await submit(tok.admin, { meter_id: ekb.id, value: '5', received_at: at });
  assert.equal(e.status, 201, e.text);
  assert.equal(e.body.period, '2025-04');
  assert.equal(e.body.in_window, false);
  assert.equal(e.body.window.timezone, 'Asia/Yekaterinburg');
  assert.match(e.body.message, /вне окна приёма.*2025-04/);
  const m = await submit(tok.admin, { meter_id: msk.id, value: '5', received_at: at });
  assert.equal(m.status, 201, m.text);
  assert.equal(m.body.period, '2025-03');
  assert.equal(m.body.in_window, true);
  const early = await submit(tok.admin, { meter_id: ekb.id, value: '6', received_at: '2025-05-19T10:00:00Z' });
  assert.equal(early.body.period, '2025-05', 'before the window: this month, outside it');
  assert.equal(early.body.in_window, false);
  assertValidation(await submit(tok.admin, { meter_id: ekb.id, value: '7', received_at: '2099-01-01T00:00:00Z' }), ['received_at']);
});

test('a resident in Yekaterinburg after the window: kept for the next period and the answer says so', async () => {
  const t = localToday('Asia/Yekaterinburg');
  const m = await makeMeter(c, tok.admin, { premises_id: d.own2, org_id: d.rso2 });
  let expected;
  if (t.d > 1) { await setWindow(d.rso2, 1, t.d - 1); expected = nextPeriod(t); } // today is after the window
  else { await setWindow(d.rso2, 2, 3); expected = periodOf(t.y, t.m); } // the 1st: before the window
  const r = await submit(tok.resident2, { meter_id: m.id, value: '3' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.in_window, false);
  assert.equal(r.body.period, expected, `local date ${JSON.stringify(t)} in Asia/Yekaterinburg`);
  assert.match(r.body.message, new RegExp(`вне окна приёма.*${expected}`));
  const settings = (await c.get(`/api/v1/organizations/${d.rso2}/reading-settings`, { token: tok.admin })).body;
  assert.equal(settings.implausible_factor, '3.00');
});

// ------------------------------------------------------------------ idempotency

test('Idempotency-Key: a retried submission is answered again, not applied twice', async () => {
  const m = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: d.rso1 });
  const key = { 'Idempotency-Key': `k-${m.id}` };
  const a = await submit(tok.admin, { meter_id: m.id, value: '10', period: '2025-01' }, key);
  assert.equal(a.status, 201, a.text);
  const again = await submit(tok.admin, { meter_id: m.id, value: '10', period: '2025-01' }, key);
  assert.equal(again.status, 200, again.text);
  assert.equal(again.body.result, 'replayed');
  assert.equal(again.body.id, a.body.id);
  const fix = await submit(tok.admin, { meter_id: m.id, value: '12', period: '2025-01', correction: true }, { 'Idempotency-Key': `k2-${m.id}` });
  assert.equal(fix.status, 201);
  const late = await submit(tok.admin, { meter_id: m.id, value: '12', period: '2025-01', correction: true }, { 'Idempotency-Key': `k2-${m.id}` });
  assert.equal(late.body.result, 'replayed');
  assert.equal((await history(m.id)).length, 2);
  assertValidation(await submit(tok.admin, { meter_id: m.id, value: '13', period: '2025-01', correction: true }, { 'Idempotency-Key': `k2-${m.id}` }),
    ['Idempotency-Key'], 'a key reused for another value is refused, not replayed');
  assert.equal((await history(m.id)).length, 2);
  assertValidation(await submit(tok.admin, { meter_id: m.id, value: '1' }, { 'Idempotency-Key': 'with space' }), ['Idempotency-Key']);
});

// ------------------------------------------------------------------ billing and analytics

test('billing: the period\'s consumption per meter, or estimate: true when no reading arrived', async () => {
  const h = await c.post('/api/v1/houses', { token: tok.admin, body: {
    kind: 'mkd', address: 'г. Светлогорск, ул. Счётчиков, д. 1', municipality_id: d.m1, org_id: d.uo1 } });
  assert.equal(h.status, 201, h.text);
  const read = await makeMeter(c, tok.admin, { house_id: h.body.id, org_id: d.uo1, resource: 'heat', digits: 6 });
  const silent = await makeMeter(c, tok.admin, { house_id: h.body.id, org_id: d.uo1, resource: 'cold_water', digits: 6 });
  await submit(tok.admin, { meter_id: read.id, value: '100', period: '2025-01' });
  await submit(tok.admin, { meter_id: read.id, value: '112.5', period: '2025-02' });
  await submit(tok.admin, { meter_id: silent.id, value: '7', period: '2025-01' });
  const items = await listAll(c, `/api/v1/meters/consumption?period=2025-02&house_id=${h.body.id}`, tok.admin);
  assert.equal(items.length, 2);
  const a = items.find((x) => x.meter_id === read.id);
  const b = items.find((x) => x.meter_id === silent.id);
  assert.deepEqual([a.estimate, a.consumption, a.months, a.previous_period], [false, '12.500', 1, '2025-01']);
  assert.deepEqual([b.estimate, b.consumption, b.reading_id], [true, null, null]);
  assert.equal(b.previous_period, '2025-01', 'an estimate names the last period read (п. 59–60 count from it)');
  const before = await listAll(c, `/api/v1/meters/consumption?period=2023-12&house_id=${h.body.id}`, tok.admin);
  assert.equal(before.length, 0, 'meters installed later are not in service');
  assertValidation(await c.get('/api/v1/meters/consumption', { token: tok.admin }), ['period']);
  assertProblem(await c.get('/api/v1/meters/consumption?period=2025-02', { token: tok.resident1 }), 403, 'forbidden');
});

test('analytics: channel shares per organization and meters with errors as a share of the organization\'s meters', async () => {
  const org = await c.post('/api/v1/organizations', { token: tok.admin, body: orgBody(d.m1, { kind: 'rso' }) });
  assert.equal(org.status, 201, org.text);
  const o = org.body.id;
  const period = '2025-03';
  const ok1 = await makeMeter(c, tok.admin, { premises_id: d.own1, org_id: o });
  const ok2 = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: o });
  const expired = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: o, verified_on: '2015-01-01', next_verification_on: '2025-03-10' });
  const noSerial = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: o, serial: null });
  assert.ok(d.noAccount1, 'the demo house has premises without an account');
  const noAccount = await makeMeter(c, tok.admin, { premises_id: d.noAccount1, org_id: o });
  const removed = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: o, removed_on: '2025-01-01' }); // not in service
  assert.equal((await submit(tok.admin, { meter_id: ok1.id, value: '5', period })).status, 201);
  assert.equal((await submit(tok.admin, { meter_id: ok2.id, value: '5', period, channel: 'api' })).status, 201);
  assert.equal((await submit(tok.admin, { meter_id: noSerial.id, value: '5', period })).status, 201);
  assert.equal((await submit(tok.admin, { meter_id: noAccount.id, value: '5', period: '2025-02' })).status, 201);
  assertRule(await submit(tok.admin, { meter_id: noAccount.id, value: '4', period }), 'value', 'lower_than_previous', 'rejected');

  const stats = (await c.get(`/api/v1/readings/stats?period=${period}&org_id=${o}`, { token: tok.admin })).body;
  assert.equal(stats.items.length, 1);
  const s = stats.items[0];
  assert.equal(s.total, 3);
  assert.deepEqual(s.channels.operator, { count: 2, percent: '66.67' });
  assert.deepEqual(s.channels.api, { count: 1, percent: '33.33' });
  assert.deepEqual(s.channels.resident, { count: 0, percent: '0.00' });

  const q = (await c.get(`/api/v1/meters/quality?period=${period}&org_id=${o}`, { token: tok.admin })).body.items[0];
  assert.equal(q.meters, 5, 'five meters in service at the end of March');
  assert.equal(q.verification_expired, 1);
  assert.equal(q.missing_serial, 1);
  assert.equal(q.rejected, 1);
  assert.equal(q.no_account, 1);
  assert.equal(q.with_errors, 3, 'the expired one, the one without a serial, the refused one without an account');
  assert.equal(q.with_errors_percent, '60.00');
  assert.equal(q.verification_expired_percent, '20.00');

  const flagged = await listAll(c, `/api/v1/meters?org_id=${o}&period=${period}&rejected=true`, tok.admin);
  assert.deepEqual(flagged.map((x) => x.id), [noAccount.id]);
  const silent = await listAll(c, `/api/v1/meters?org_id=${o}&period=${period}&no_reading=true`, tok.admin);
  const ids = (xs) => xs.map((x) => x.id).sort((a, b) => a - b);
  assert.deepEqual(ids(silent), ids([expired, noAccount, removed]));
  assertValidation(await c.get('/api/v1/meters?no_reading=true', { token: tok.admin }), ['period']);
});
