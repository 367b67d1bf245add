// The demo's meters stage (docs/demo.md "Meters"), read through the meters
// module's own API (docs/meters.md): meters of every resource, twelve periods
// of readings ending at the last completed one, the seasonal pattern, each
// deliberate broken case in the module's figures, consistent value and
// consumption chains, and the same rows on both backends. Runs on both.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, api, cli, BACKEND } from '../lib/harness.mjs';
import { listAll } from '../lib/helpers.mjs';
import { localToday, periodOf } from '../lib/meters.mjs';

let srv;
let c;
const tok = {};
const d = {};

/** period ± n months, as 'YYYY-MM'. */
function shift(period, n) {
  const [y, m] = period.split('-').map(Number);
  const i = y * 12 + (m - 1) + n;
  return periodOf(Math.floor(i / 12), (i % 12) + 1);
}

before(async () => {
  srv = await startServer();
  c = api(srv.url);
  for (const login of ['admin', 'rso1', 'resident1']) tok[login] = await c.login(login);
  const me = async (login) => (await c.get('/api/v1/me', { token: tok[login] })).body;
  d.rso1 = (await me('rso1')).org_id;
  d.resident1 = (await me('resident1')).id;
  d.h1 = (await listAll(c, '/api/v1/houses', tok.resident1))[0]; // the first МКД of municipality 1
  // The last completed period in municipality 1 (Europe/Moscow): its 20–25 window has closed.
  const t = localToday('Europe/Moscow');
  d.last = t.d > 25 ? periodOf(t.y, t.m) : shift(periodOf(t.y, t.m), -1);
  d.first = shift(d.last, -11);
  d.periods = Array.from({ length: 12 }, (_, i) => shift(d.first, i));
  d.meters1 = await listAll(c, `/api/v1/meters?house_id=${d.h1.id}`, tok.admin);
});

after(async () => { await srv?.stop(); });

const total = async (query) => (await c.get(`/api/v1/meters?per_page=1&${query}`, { token: tok.admin })).body.total;

test('demo meters: every resource has individual meters, and houses have building meters (ОДПУ)', async () => {
  for (const resource of ['cold_water', 'hot_water', 'electricity', 'gas', 'heat']) {
    assert.ok(await total(`kind=individual&resource=${resource}`) > 0, `individual ${resource}`);
  }
  for (const resource of ['cold_water', 'electricity', 'heat']) {
    assert.ok(await total(`kind=building&resource=${resource}`) > 0, `building ${resource}`);
  }
  const m = d.meters1;
  const day = m.find((x) => x.zone === 'day' && x.serial);
  assert.ok(day, 'a two-zone electricity meter');
  assert.ok(m.some((x) => x.zone === 'night' && x.serial === day.serial && x.premises_id === day.premises_id),
    'its night register shares the serial');
  for (const x of m) {
    assert.ok(x.digits >= 4 && x.decimals >= 1 && x.installed_on && x.verified_on && x.next_verification_on,
      `meter ${x.id} has its counter and dates`);
    assert.ok(x.installed_on < `${d.first}-01`, 'installed before the history begins');
  }
  // The first house has the РСО's direct contracts: its meters, and every ОДПУ, are the РСО's.
  assert.ok(m.every((x) => x.org_id === d.rso1), 'meters belong to the supplier that reads them');
});

test('demo readings: twelve periods ending at the last completed one, mostly from the resident app', async () => {
  const channels = { resident: 0, operator: 0, file: 0, api: 0 };
  for (const p of d.periods) {
    const s = (await c.get(`/api/v1/readings/stats?period=${p}&org_id=${d.rso1}`, { token: tok.admin })).body.items;
    assert.equal(s.length, 1, `readings of ${p}`);
    assert.ok(s[0].total > 0);
    for (const k of Object.keys(channels)) channels[k] += s[0].channels[k].count;
  }
  for (const p of [shift(d.first, -1), shift(d.last, 1)]) {
    const s = (await c.get(`/api/v1/readings/stats?period=${p}&org_id=${d.rso1}`, { token: tok.admin })).body.items;
    assert.equal(s.length, 0, `no readings in ${p}`);
  }
  const max = Math.max(...Object.values(channels));
  assert.equal(channels.resident, max, `the app is the main channel: ${JSON.stringify(channels)}`);
  assert.ok(channels.operator > 0 && channels.file > 0 && channels.api > 0, JSON.stringify(channels));
  assert.ok(channels.api < channels.operator, 'a few through the API');
});

/** Sum of one-month consumption of a resource in a period (meters of municipality 1's РСО). */
async function monthUse(resource, period) {
  const items = await listAll(c, `/api/v1/meters/consumption?period=${period}&org_id=${d.rso1}&resource=${resource}`, tok.admin);
  const read = items.filter((x) => !x.estimate && x.months === 1);
  assert.ok(read.length > 0, `${resource} read in ${period}`);
  return read.reduce((s, x) => s + Number(x.consumption), 0);
}

/** A period of the history in one of the months (not the first: it counts from installation). */
function inMonths(months) {
  return d.periods.slice(1).find((p) => months.includes(Number(p.slice(5))));
}

test('demo readings are seasonal: electricity and hot water above in winter, heat only in the heating season', async () => {
  const winter = inMonths([1, 12, 2]);
  const summer = inMonths([7, 6, 8]);
  assert.ok((await monthUse('electricity', winter)) > 1.3 * (await monthUse('electricity', summer)),
    `electricity ${winter} > ${summer}`);
  assert.ok((await monthUse('hot_water', winter)) > 1.2 * (await monthUse('hot_water', summer)),
    `hot water ${winter} > ${summer}`);
  assert.ok((await monthUse('heat', winter)) > 0, 'heat in winter');
  assert.equal(await monthUse('heat', summer), 0, 'no heat in summer');
  // Per person and month the flats stay in the realistic ranges.
  const cold = (await monthUse('cold_water', summer)) / (await total(`kind=individual&resource=cold_water&org_id=${d.rso1}`));
  assert.ok(cold > 1 && cold < 20, `cold water per meter ${cold} m³`);
});

test('demo broken cases exist and show in the module\'s figures', async () => {
  const q = (await c.get(`/api/v1/meters/quality?period=${d.last}`, { token: tok.admin })).body.items;
  const sum = (k) => q.reduce((s, x) => s + x[k], 0);
  assert.ok(sum('verification_expired') > 0, 'meters with verification expired');
  assert.ok(sum('missing_serial') > 0, 'meters without a serial');
  assert.ok(sum('rejected') > 0, 'submissions refused in the period');
  assert.ok(sum('no_account') > 0, 'a premises with a meter and no open account');
  assert.ok(await total('status=expired') > 0);
  // The first house's fixed cases: flat 2 refused in the last period, flat 3 expired, flat 4 no serial.
  const prem = (await c.get(`/api/v1/houses/${d.h1.id}/premises?per_page=500`, { token: tok.admin })).body.items;
  const flat = (n) => prem.find((p) => p.number === String(n)).id;
  const refused = await listAll(c, `/api/v1/meters?house_id=${d.h1.id}&period=${d.last}&rejected=true`, tok.admin);
  assert.ok(refused.some((x) => x.premises_id === flat(2)), 'flat 2 has a refused reading');
  assert.ok(d.meters1.some((x) => x.premises_id === flat(3) && x.status === 'expired'), 'flat 3 expired');
  assert.ok(d.meters1.some((x) => x.premises_id === flat(4) && x.serial === null), 'flat 4 without serial');
  // No reading: the billing input marks the estimate.
  const use = await listAll(c, `/api/v1/meters/consumption?period=${d.last}&house_id=${d.h1.id}`, tok.admin);
  const expired = use.find((x) => x.premises_id === flat(3) && x.resource === 'cold_water');
  assert.equal(expired.estimate, true, 'an expired meter\'s month is estimated');
  assert.equal(expired.consumption, null);
  assert.ok(use.filter((x) => !x.estimate).length > use.length / 2);
});

const capacity = (digits) => 10n ** BigInt(digits) * 1000n;
const milli = (s) => BigInt(s.replace('.', ''));
const months = (a, b) => (Number(a.slice(0, 4)) * 12 + Number(a.slice(5, 7))) - (Number(b.slice(0, 4)) * 12 + Number(b.slice(5, 7)));

test('demo readings chain: value − previous = consumption (through zero on a rollover), months as covered', async () => {
  const prem = (await c.get(`/api/v1/houses/${d.h1.id}/premises?per_page=500`, { token: tok.admin })).body.items;
  const firstFlats = new Set(prem.filter((p) => Number(p.number) >= 1 && Number(p.number) <= 12).map((p) => p.id));
  const sample = d.meters1.filter((x, i) => firstFlats.has(x.premises_id) || x.kind === 'building' || i % 7 === 0);
  let rollovers = 0;
  let checked = 0;
  for (const m of sample) {
    const rs = (await c.get(`/api/v1/meters/${m.id}/readings?per_page=500`, { token: tok.admin })).body.items
      .filter((r) => r.state === 'accepted').reverse();
    let prev = { value: milli(m.initial_value), period: m.installed_on.slice(0, 7) };
    for (const r of rs) {
      const step = milli(r.value) - prev.value + (r.rollover ? capacity(m.digits) : 0n);
      assert.equal(step, milli(r.consumption), `meter ${m.id} ${r.period}: consumption`);
      assert.equal(r.months, months(r.period, prev.period), `meter ${m.id} ${r.period}: months`);
      assert.ok(d.periods.includes(r.period));
      rollovers += r.rollover ? 1 : 0;
      checked++;
      prev = { value: milli(r.value), period: r.period };
    }
  }
  assert.ok(checked > 500, `readings checked: ${checked}`);
  assert.ok(rollovers >= 1, 'flat 1 has a counter that passed through zero');
});

test('demo resident: resident1 sees twelve months of own readings sent from the app', async () => {
  const mine = await listAll(c, '/api/v1/meters', tok.resident1);
  assert.ok(mine.length >= 2, 'the demo resident has meters');
  for (const m of mine) {
    const rs = (await c.get(`/api/v1/meters/${m.id}/readings`, { token: tok.resident1 })).body.items;
    assert.equal(rs.length, 12, `meter ${m.id}: a reading every month`);
    for (const r of rs) {
      assert.equal(r.channel, 'resident');
      assert.equal(r.author_id, d.resident1, 'authored by the resident');
      assert.equal(typeof r.in_window, 'boolean');
      assert.ok(r.submitted_at >= r.received_at);
    }
  }
});

test('demo meters are the same rows on SQLite and PostgreSQL for the same seed', { skip: BACKEND !== 'postgres' }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'upravdom-demo-'));
  const other = await startServer({ db: `sqlite:${dir}/lite.db` });
  try {
    const o = api(other.url);
    const admin = await o.login('admin');
    const pick = d.meters1.filter((_, i) => i % 25 === 0);
    // (The meter list puts building meters first on SQLite and last on
    // PostgreSQL — NULL premises sort differently — so lists compare by id.)
    const byId = (b) => (b.items ? { ...b, items: [...b.items].sort((x, y) => (x.id ?? x.org_id) - (y.id ?? y.org_id)) } : b);
    const same = async (p) => assert.deepEqual(byId((await o.get(p, { token: admin })).body),
      byId((await c.get(p, { token: tok.admin })).body), p);
    const all = async (client, token) => (await listAll(client, `/api/v1/meters?house_id=${d.h1.id}`, token))
      .sort((x, y) => x.id - y.id);
    assert.deepEqual(await all(o, admin), await all(c, tok.admin), 'the first house\'s meters');
    for (const m of pick) await same(`/api/v1/meters/${m.id}/readings?per_page=500`);
    await same(`/api/v1/meters/quality?period=${d.last}`);
    await same(`/api/v1/readings/stats?period=${d.first}`);
  } finally {
    await other.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
