// The billing catalogue (docs/billing-catalog.md): services of each method and the standard
// codes, the method/resource rules, tariff and norm histories (a second row ends the first; a
// change inside a period and a rewrite of history are refused, naming the field), the scope of a
// tariff inside the organization's territory, billing settings, key rates (administrator only),
// penalty regimes, tenancy, and the demo's catalogue (docs/demo.md "Billing"). Runs on both
// backends. Services are made in the УО of municipality 1 (uo1), which has no demo catalogue.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api } from '../lib/harness.mjs';
import { assertProblem, assertValidation, assertList, listAll, auditFind } from '../lib/helpers.mjs';
import { localToday, periodOf } from '../lib/meters.mjs';

const LOGINS = ['admin', 'region', 'mun1', 'mun2', 'uo1', 'uo2', 'rso1', 'eirc1', 'resident1'];
let srv;
let c;
const tok = {};
const d = {};
let serial = 0;

before(async () => {
  srv = await startServer();
  c = api(srv.url);
  for (const login of LOGINS) tok[login] = await c.login(login);
  const me = async (login) => (await c.get('/api/v1/me', { token: tok[login] })).body;
  for (const login of ['uo1', 'uo2', 'rso1', 'eirc1']) d[login] = (await me(login)).org_id;
  d.m1 = (await me('mun1')).municipality_id;
  d.m2 = (await me('mun2')).municipality_id;
  const orgs = await listAll(c, '/api/v1/organizations', tok.admin);
  d.orgs = orgs;
  d.tko1 = orgs.find((o) => o.municipality_id === d.m1 && o.kind === 'tko').id;
  d.eirc2 = orgs.find((o) => o.municipality_id === d.m2 && o.kind === 'eirc').id;
  d.tko2 = orgs.find((o) => o.municipality_id === d.m2 && o.kind === 'tko').id;
  d.houses1 = await listAll(c, '/api/v1/houses', tok.uo1); // the houses uo1 manages
  d.house2 = (await listAll(c, `/api/v1/houses?municipality_id=${d.m2}`, tok.admin))[0];
  assert.ok(d.houses1.length > 1 && d.house2, 'demo houses');
});

after(async () => { await srv?.stop(); });

const get = async (login, p) => {
  const r = await c.get(p, { token: tok[login] });
  assert.equal(r.status, 200, `GET ${p} as ${login}: ${r.text}`);
  return r.body;
};

/** A fresh custom service of uo1 (or of `fields.org_id` as admin). */
async function makeService(fields = {}, login = 'uo1') {
  const body = { code: `t${process.pid % 1000}_${++serial}`, name: `Тестовая услуга ${serial}`, method: 'area', unit: 'м²', ...fields };
  const r = await c.post('/api/v1/services', { token: tok[login], body });
  assert.equal(r.status, 201, `create service ${JSON.stringify(body)}: ${r.text}`);
  return r.body;
}

const addRate = (id, kind, body, login = 'uo1') => c.post(`/api/v1/services/${id}/${kind}`, { token: tok[login], body });
const history = async (id, kind, login = 'uo1') => (await get(login, `/api/v1/services/${id}/${kind}?per_page=500`)).items;

// ------------------------------------------------------------------ services

test('standard codes: each fills its Russian name, method, unit, resource, zone and raising coefficient', async () => {
  const want = {
    maintenance: ['Содержание и текущий ремонт', 'area', 'м²', null, 'single', 100],
    capital_repair: ['Взнос на капитальный ремонт', 'area', 'м²', null, 'single', 100],
    cold_water: ['Холодное водоснабжение', 'meter', 'м³', 'cold_water', 'single', 150],
    hot_water: ['Горячее водоснабжение', 'meter', 'м³', 'hot_water', 'single', 150],
    wastewater: ['Водоотведение', 'meter', 'м³', 'wastewater', 'single', 100],
    electricity: ['Электроснабжение', 'meter', 'кВт·ч', 'electricity', 'single', 150],
    electricity_day: ['Электроснабжение, дневная зона', 'meter', 'кВт·ч', 'electricity', 'day', 150],
    electricity_night: ['Электроснабжение, ночная зона', 'meter', 'кВт·ч', 'electricity', 'night', 150],
    heating: ['Отопление', 'area', 'м²', null, 'single', 100],
    gas: ['Газоснабжение', 'meter', 'м³', 'gas', 'single', 100],
    waste: ['Обращение с ТКО', 'residents', 'чел.', null, 'single', 100],
  };
  for (const [code, [name, method, unit, resource, zone, raising]] of Object.entries(want)) {
    const r = await c.post('/api/v1/services', { token: tok.uo1, body: { code } });
    assert.equal(r.status, 201, `${code}: ${r.text}`);
    const s = r.body;
    assert.deepEqual([s.name, s.method, s.unit, s.resource, s.zone, s.raising_pct, s.org_id, s.archived],
      [name, method, unit, resource, zone, raising, d.uo1, false], code);
  }
  const mine = (await listAll(c, `/api/v1/services?org_id=${d.uo1}`, tok.uo1)).map((s) => s.code);
  for (const code of Object.keys(want)) assert.ok(mine.includes(code), `listed: ${code}`);
  // The same code twice in one organization: 409 naming code.
  const again = await c.post('/api/v1/services', { token: tok.uo1, body: { code: 'cold_water' } });
  assertProblem(again, 409, 'conflict');
  assert.deepEqual(again.body.errors.map((e) => e.field), ['code']);
});

test('standard codes: the alternatives (heating by a heat meter, waste by area) and a different name are accepted; another method is refused', async () => {
  const other = await c.post('/api/v1/services', { token: tok.admin, body: { org_id: d.tko1, code: 'heating', method: 'meter' } });
  assert.equal(other.status, 201, other.text);
  assert.deepEqual([other.body.method, other.body.resource, other.body.unit], ['meter', 'heat', 'Гкал']);
  const waste = await c.post('/api/v1/services', { token: tok.admin, body: { org_id: d.tko1, code: 'waste', method: 'area', name: 'ТКО по площади' } });
  assert.equal(waste.status, 201, waste.text);
  assert.deepEqual([waste.body.method, waste.body.unit, waste.body.name], ['area', 'м²', 'ТКО по площади']);
  assertValidation(await c.post('/api/v1/services', { token: tok.admin, body: { org_id: d.tko1, code: 'gas', method: 'area' } }), 'method');
  assertValidation(await c.post('/api/v1/services', { token: tok.admin, body: { org_id: d.tko1, code: 'electricity', zone: 'night' } }), 'zone');
  assertValidation(await c.post('/api/v1/services', { token: tok.admin, body: { org_id: d.tko1, code: 'hot_water', resource: 'cold_water' } }), 'resource');
});

test('custom services of each method; method meter needs a resource, the others must not have one', async () => {
  for (const method of ['area', 'residents', 'fixed']) {
    const s = await makeService({ method, unit: method === 'fixed' ? 'ЛС' : 'ед.' });
    assert.deepEqual([s.method, s.resource, s.zone, s.raising_pct], [method, null, 'single', 100]);
  }
  const m = await makeService({ method: 'meter', resource: 'gas', unit: 'м³', raising_pct: 150, sort_order: 5 });
  assert.deepEqual([m.method, m.resource, m.raising_pct, m.sort_order], ['meter', 'gas', 150, 5]);
  const base = { code: 'x_custom', name: 'Своя', unit: 'ед.' };
  assertValidation(await c.post('/api/v1/services', { token: tok.uo1, body: { ...base, method: 'meter' } }), 'resource', 'meter without resource');
  assertValidation(await c.post('/api/v1/services', { token: tok.uo1, body: { ...base, method: 'area', resource: 'gas' } }), 'resource', 'area with resource');
  assertValidation(await c.post('/api/v1/services', { token: tok.uo1, body: { ...base, method: 'meter', resource: 'steam' } }), 'resource');
  assertValidation(await c.post('/api/v1/services', { token: tok.uo1, body: { ...base, method: 'per_flat' } }), 'method');
  assertValidation(await c.post('/api/v1/services', { token: tok.uo1, body: { ...base, method: 'meter', resource: 'gas', zone: 'day' } }), 'zone');
  assertValidation(await c.post('/api/v1/services', { token: tok.uo1, body: { code: 'x_custom' } }), ['method', 'name', 'unit']);
  for (const code of ['Cold', '1abc', 'a-b', 'абв', 'a'.repeat(33)]) {
    assertValidation(await c.post('/api/v1/services', { token: tok.uo1, body: { ...base, code, method: 'area' } }), 'code', code);
  }
  assertValidation(await c.post('/api/v1/services', { token: tok.uo1, body: { ...base, method: 'area', raising_pct: 99 } }), 'raising_pct');
  assertValidation(await c.post('/api/v1/services', { token: tok.uo1, body: { ...base, method: 'area', colour: 'red' } }), 'colour');
  const all = await listAll(c, '/api/v1/services', tok.uo1);
  assert.ok(!all.some((s) => s.code === 'x_custom'), 'nothing refused was stored');
  // Filters.
  const meters = await listAll(c, '/api/v1/services?method=meter', tok.uo1);
  assert.ok(meters.length && meters.every((s) => s.method === 'meter'));
  assertValidation(await c.get('/api/v1/services?method=per_flat', { token: tok.uo1 }), 'method');
});

test('PATCH changes name, unit, order, coefficient and archive; code, method, resource and zone are fixed', async () => {
  const s = await makeService({ method: 'meter', resource: 'cold_water', unit: 'м³' });
  const r = await c.patch(`/api/v1/services/${s.id}`, { token: tok.uo1, body: { name: 'ХВС (новое)', unit: 'куб. м', sort_order: 7, raising_pct: 120, archived: true } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.body.name, r.body.unit, r.body.sort_order, r.body.raising_pct, r.body.archived], ['ХВС (новое)', 'куб. м', 7, 120, true]);
  for (const [field, value] of [['code', 'other'], ['method', 'area'], ['resource', 'gas'], ['zone', 'day'], ['org_id', d.rso1]]) {
    assertValidation(await c.patch(`/api/v1/services/${s.id}`, { token: tok.uo1, body: { [field]: value, name: 'X' } }), field, field);
  }
  assertValidation(await c.patch(`/api/v1/services/${s.id}`, { token: tok.uo1, body: { name: '' } }), 'name');
  const now = await get('uo1', `/api/v1/services/${s.id}`);
  assert.equal(now.name, 'ХВС (новое)', 'a refused change changed nothing');
  const archived = await listAll(c, '/api/v1/services?archived=true', tok.uo1);
  assert.ok(archived.some((x) => x.id === s.id));
  assert.ok(!(await listAll(c, '/api/v1/services?archived=false', tok.uo1)).some((x) => x.id === s.id));
  const audit = await auditFind(c, tok.admin, 'action=service.update', (a) => a.object_id === s.id);
  assert.ok(audit.length >= 1, 'service.update audited');
});

test('payee_org_id: a service collected for another organization of the region; its own organization means none; an unknown one is refused naming the field', async () => {
  // docs/paydoc.md: the payee gets its own section and QR code on the payment document.
  const tko = d.orgs.find((o) => o.id === d.tko1);
  const s = await makeService({ payee_org_id: d.tko1 });
  assert.deepEqual([s.payee_org_id, s.payee_name], [d.tko1, tko.name], 'stored and named');
  assert.deepEqual(await get('uo1', `/api/v1/services/${s.id}`), s, 'GET answers it');
  const listed = (await listAll(c, '/api/v1/services', tok.uo1)).find((x) => x.id === s.id);
  assert.deepEqual(listed, s, 'the list answers it');
  const plain = await makeService();
  assert.deepEqual([plain.payee_org_id, plain.payee_name], [null, null], 'none by default');
  const own = await makeService({ payee_org_id: d.uo1 });
  assert.equal(own.payee_org_id, null, 'the service\'s own organization is stored as none');

  const before = (await listAll(c, '/api/v1/services', tok.uo1)).length;
  for (const payee of [987654, -3, 'x', 0.5]) {
    const r = await c.post('/api/v1/services', { token: tok.uo1, body: { code: `p_bad_${++serial}`, name: 'Плохой получатель', method: 'fixed', unit: 'ЛС', payee_org_id: payee } });
    assertValidation(r, 'payee_org_id', `payee ${payee}`);
  }
  assert.equal((await listAll(c, '/api/v1/services', tok.uo1)).length, before, 'nothing refused was stored');

  const moved = await c.patch(`/api/v1/services/${s.id}`, { token: tok.uo1, body: { payee_org_id: d.tko2 } });
  assert.equal(moved.status, 200, moved.text);
  assert.equal(moved.body.payee_org_id, d.tko2, 'another organization of the region (another municipality)');
  assertValidation(await c.patch(`/api/v1/services/${s.id}`, { token: tok.uo1, body: { payee_org_id: 987654 } }), 'payee_org_id');
  assert.equal((await get('uo1', `/api/v1/services/${s.id}`)).payee_org_id, d.tko2, 'a refused change changed nothing');
  const cleared = await c.patch(`/api/v1/services/${s.id}`, { token: tok.uo1, body: { payee_org_id: null } });
  assert.equal(cleared.status, 200, cleared.text);
  assert.deepEqual([cleared.body.payee_org_id, cleared.body.payee_name], [null, null], 'null clears it');
  // Another tenant's service is not found, whatever the payee.
  assertProblem(await c.patch(`/api/v1/services/${s.id}`, { token: tok.uo2, body: { payee_org_id: 987654 } }), 404, 'not-found');
});

// ------------------------------------------------------------------ tariffs

test('tariff history: a second tariff ends the first the day before it starts; newest first', async () => {
  const s = await makeService();
  const t1 = await addRate(s.id, 'tariffs', { valid_from: '2031-01-01', price: '35.6712' });
  assert.equal(t1.status, 201, t1.text);
  assert.deepEqual([t1.body.price, t1.body.scope, t1.body.valid_to], ['35.6712', 'organization', null]);
  const t2 = await addRate(s.id, 'tariffs', { valid_from: '2031-07-01', price: '39,9' });
  assert.equal(t2.status, 201, t2.text);
  assert.equal(t2.body.price, '39.9000');
  const rows = await history(s.id, 'tariffs');
  assert.deepEqual(rows.map((x) => [x.valid_from, x.valid_to, x.price]),
    [['2031-07-01', null, '39.9000'], ['2031-01-01', '2031-06-30', '35.6712']]);
  // A row with an end date, then a later one: nothing to end.
  const t3 = await addRate(s.id, 'tariffs', { valid_from: '2032-01-01', valid_to: '2032-12-31', price: '41' });
  assert.equal(t3.status, 201, t3.text);
  const t4 = await addRate(s.id, 'tariffs', { valid_from: '2033-01-01', price: '42' });
  assert.equal(t4.status, 201, t4.text);
  const after4 = await history(s.id, 'tariffs');
  assert.deepEqual(after4.map((x) => [x.valid_from, x.valid_to]),
    [['2033-01-01', null], ['2032-01-01', '2032-12-31'], ['2031-07-01', '2031-12-31'], ['2031-01-01', '2031-06-30']]);
  const audit = await auditFind(c, tok.admin, 'action=tariff.create', (a) => a.object_id === t2.body.id);
  assert.equal(audit.length, 1, 'tariff.create audited');
  assert.equal(audit[0].detail.ended, t1.body.id, 'the audit names the row it ended');
});

test('a tariff change inside a period is refused, naming the field, in Russian; nothing is stored', async () => {
  const s = await makeService();
  const mid = await addRate(s.id, 'tariffs', { valid_from: '2031-03-15', price: '10' });
  assertValidation(mid, 'valid_from');
  const msg = mid.body.errors.find((e) => e.field === 'valid_from').message;
  assert.match(msg, /1-го числа месяца/);
  assert.match(msg, /внутри расчётного периода не допускается/);
  const to = await addRate(s.id, 'tariffs', { valid_from: '2031-03-01', valid_to: '2031-04-15', price: '10' });
  assertValidation(to, 'valid_to');
  assert.match(to.body.errors[0].message, /последним днём месяца \(2031-04-30\)/);
  assertValidation(await addRate(s.id, 'tariffs', { valid_from: '2031-03-01', valid_to: '2031-01-31', price: '10' }), 'valid_to');
  assertValidation(await addRate(s.id, 'tariffs', { valid_from: '2031-02-30', price: '10' }), 'valid_from');
  assertValidation(await addRate(s.id, 'tariffs', { price: '10' }), 'valid_from');
  assert.deepEqual(await history(s.id, 'tariffs'), []);
});

test('history is never rewritten: a start on or before an existing row of the scope is refused (409 naming valid_from)', async () => {
  const s = await makeService();
  assert.equal((await addRate(s.id, 'tariffs', { valid_from: '2031-05-01', price: '10' })).status, 201);
  const before = await history(s.id, 'tariffs');
  for (const from of ['2031-05-01', '2031-01-01']) {
    const r = await addRate(s.id, 'tariffs', { valid_from: from, price: '11' });
    assertProblem(r, 409, 'conflict', from);
    assert.deepEqual(r.body.errors.map((e) => e.field), ['valid_from']);
    assert.match(r.body.errors[0].message, /история не переписывается/);
  }
  // A closed row reaching past the new start is not shortened either.
  const s2 = await makeService();
  assert.equal((await addRate(s2.id, 'tariffs', { valid_from: '2031-01-01', valid_to: '2031-12-31', price: '10' })).status, 201);
  assertProblem(await addRate(s2.id, 'tariffs', { valid_from: '2031-06-01', price: '11' }), 409, 'conflict');
  assert.deepEqual(await history(s.id, 'tariffs'), before);
});

test('prices: rubles with up to 4 decimals; more, negative or malformed are refused naming price', async () => {
  const s = await makeService();
  for (const bad of ['1.23456', '-1', 'abc', '1e3', '', '1.', '.5', '1 000']) {
    assertValidation(await addRate(s.id, 'tariffs', { valid_from: '2031-01-01', price: bad }), 'price', bad);
  }
  assertValidation(await addRate(s.id, 'tariffs', { valid_from: '2031-01-01', price: 35.67 }), 'price', 'a JSON number');
  const ok = await addRate(s.id, 'tariffs', { valid_from: '2031-01-01', price: '0.0001' });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.body.price, '0.0001');
});

test('the scope of a tariff lies inside the organization\'s territory; each scope keeps its own history', async () => {
  const s = await makeService();
  const house = d.houses1[0];
  assert.equal((await addRate(s.id, 'tariffs', { valid_from: '2031-01-01', price: '30' })).status, 201);
  const h = await addRate(s.id, 'tariffs', { valid_from: '2031-03-01', price: '33', house_id: house.id });
  assert.equal(h.status, 201, h.text);
  assert.deepEqual([h.body.scope, h.body.house_id, h.body.house_address], ['house', house.id, house.address]);
  const m = await addRate(s.id, 'tariffs', { valid_from: '2031-02-01', price: '31', municipality_id: d.m1 });
  assert.equal(m.status, 201, m.text);
  assert.equal(m.body.scope, 'municipality');
  assert.ok(m.body.municipality_name);
  // The organization-wide row is still open: other scopes do not end it.
  const rows = await history(s.id, 'tariffs');
  assert.ok(rows.every((x) => x.valid_to === null), JSON.stringify(rows));
  // A later organization-wide row ends only the organization-wide one.
  assert.equal((await addRate(s.id, 'tariffs', { valid_from: '2031-04-01', price: '32' })).status, 201);
  const byScope = Object.fromEntries((await history(s.id, 'tariffs')).filter((x) => x.valid_from !== '2031-04-01').map((x) => [x.scope, x.valid_to]));
  assert.deepEqual(byScope, { organization: '2031-03-31', municipality: null, house: null });
  // Outside the territory: a house of another municipality, that municipality, both ids.
  assertValidation(await addRate(s.id, 'tariffs', { valid_from: '2032-01-01', price: '1', house_id: d.house2.id }), 'house_id');
  assertValidation(await addRate(s.id, 'tariffs', { valid_from: '2032-01-01', price: '1', municipality_id: d.m2 }), 'municipality_id');
  assertValidation(await addRate(s.id, 'tariffs', { valid_from: '2032-01-01', price: '1', municipality_id: d.m1, house_id: house.id }), 'house_id');
  assertValidation(await addRate(s.id, 'tariffs', { valid_from: '2032-01-01', price: '1', house_id: 99999999 }), 'house_id');
  assert.equal((await history(s.id, 'tariffs')).length, 4);
});

// ------------------------------------------------------------------ norms

test('norms: per person with up to 3 decimals, only for meter services, with the same history rules', async () => {
  const s = await makeService({ method: 'meter', resource: 'cold_water', unit: 'м³' });
  const n1 = await addRate(s.id, 'norms', { valid_from: '2031-01-01', per_person: '6.935' });
  assert.equal(n1.status, 201, n1.text);
  assert.equal(n1.body.per_person, '6.935');
  assertValidation(await addRate(s.id, 'norms', { valid_from: '2031-07-01', per_person: '6.9351' }), 'per_person');
  assertValidation(await addRate(s.id, 'norms', { valid_from: '2031-07-10', per_person: '7' }), 'valid_from');
  assertValidation(await addRate(s.id, 'norms', { valid_from: '2031-07-01', price: '7' }), ['price', 'per_person']);
  assertProblem(await addRate(s.id, 'norms', { valid_from: '2031-01-01', per_person: '7' }), 409, 'conflict');
  assert.equal((await addRate(s.id, 'norms', { valid_from: '2031-07-01', per_person: '7,2' })).status, 201);
  assert.deepEqual((await history(s.id, 'norms')).map((x) => [x.valid_from, x.valid_to, x.per_person]),
    [['2031-07-01', null, '7.200'], ['2031-01-01', '2031-06-30', '6.935']]);
  assert.deepEqual(await history(s.id, 'tariffs'), [], 'norms and tariffs are separate histories');
  const area = await makeService();
  const r = await addRate(area.id, 'norms', { valid_from: '2031-01-01', per_person: '1' });
  assertProblem(r, 422, 'validation');
  assert.match(r.body.errors[0].message, /только для услуг по приборам учёта/);
});

// ------------------------------------------------------------------ settings

test('billing settings: defaults, then due_day 1..28 (29 refused), cashback percent and cap', async () => {
  const path = `/api/v1/organizations/${d.uo1}/billing-settings`;
  const def = await get('uo1', path);
  assert.deepEqual(def, { org_id: d.uo1, due_day: 10, count_payment_day: true, cashback_percent: '0.00', cashback_cap: '0.00', updated_at: null });
  for (const due of [29, 0, -1]) assertValidation(await c.patch(path, { token: tok.uo1, body: { due_day: due } }), 'due_day', String(due));
  assertValidation(await c.patch(path, { token: tok.uo1, body: { due_day: '15' } }), 'due_day');
  assertValidation(await c.patch(path, { token: tok.uo1, body: { cashback_percent: '101' } }), 'cashback_percent');
  assertValidation(await c.patch(path, { token: tok.uo1, body: { cashback_percent: '1.555' } }), 'cashback_percent');
  assertValidation(await c.patch(path, { token: tok.uo1, body: { cashback_cap: '-5' } }), 'cashback_cap');
  assertValidation(await c.patch(path, { token: tok.uo1, body: { count_payment_day: 'yes' } }), 'count_payment_day');
  assert.deepEqual(await get('uo1', path), def, 'refusals changed nothing');
  const r = await c.patch(path, { token: tok.uo1, body: { due_day: 28, count_payment_day: false, cashback_percent: '1.5', cashback_cap: '300' } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.body.due_day, r.body.count_payment_day, r.body.cashback_percent, r.body.cashback_cap],
    [28, false, '1.50', '300.00']);
  assert.ok(r.body.updated_at);
  const one = await c.patch(path, { token: tok.uo1, body: { due_day: 1 } });
  assert.deepEqual([one.body.due_day, one.body.cashback_percent], [1, '1.50'], 'a PATCH keeps the other fields');
});

// ------------------------------------------------------------------ key rates, regimes

test('key rates: listed newest first; only the administrator adds one; a date is added once', async () => {
  const list = await get('resident1', '/api/v1/key-rates?per_page=500');
  assert.ok(list.total >= 20);
  assert.deepEqual(list.items.slice(0, 1), [{ valid_from: '2025-10-27', rate: '16.50' }]);
  const dates = list.items.map((x) => x.valid_from);
  assert.deepEqual(dates, [...dates].sort().reverse());
  const body = { valid_from: '2031-02-14', rate: '15.5' };
  assertProblem(await c.post('/api/v1/key-rates', { token: tok.uo1, body }), 403, 'forbidden');
  assertProblem(await c.post('/api/v1/key-rates', { token: tok.region, body }), 403, 'forbidden');
  assertProblem(await c.post('/api/v1/key-rates', { token: tok.resident1, body }), 403, 'forbidden');
  assert.equal((await get('admin', '/api/v1/key-rates?per_page=1')).total, list.total, 'a refused rate is not stored');
  const r = await c.post('/api/v1/key-rates', { token: tok.admin, body });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.body, { valid_from: '2031-02-14', rate: '15.50' });
  assert.deepEqual((await get('uo1', '/api/v1/key-rates?per_page=1')).items, [r.body]);
  const again = await c.post('/api/v1/key-rates', { token: tok.admin, body: { ...body, rate: '16' } });
  assertProblem(again, 409, 'conflict');
  assertValidation(await c.post('/api/v1/key-rates', { token: tok.admin, body: { valid_from: '2031-02-31', rate: '1' } }), 'valid_from');
  assertValidation(await c.post('/api/v1/key-rates', { token: tok.admin, body: { valid_from: '2031-03-01', rate: '120' } }), 'rate');
});

test('penalty regimes: the moratoria and the ПП 474 rate cap', async () => {
  const list = await get('uo1', '/api/v1/penalty-regimes');
  assert.deepEqual(list.items.map((x) => [x.kind, x.date_from, x.date_to, x.cap]), [
    ['moratorium', '2020-04-06', '2021-01-01', null],
    ['rate_cap', '2022-02-28', '2024-12-31', '9.50'],
    ['moratorium', '2022-04-01', '2022-10-01', null],
  ]);
  assert.ok(list.items.every((x) => x.note.startsWith('ПП РФ')));
});

// ------------------------------------------------------------------ tenancy

test('tenancy: another organization\'s staff neither see nor change a service, its tariffs, norms or settings (404)', async () => {
  const s = await makeService({ method: 'meter', resource: 'gas', unit: 'м³' });
  assert.equal((await addRate(s.id, 'tariffs', { valid_from: '2031-01-01', price: '5' })).status, 201);
  const before = [await history(s.id, 'tariffs'), await get('uo1', `/api/v1/services/${s.id}`)];
  for (const who of ['rso1', 'eirc1', 'uo2']) {
    assertProblem(await c.get(`/api/v1/services/${s.id}`, { token: tok[who] }), 404, 'not-found', who);
    assertProblem(await c.get(`/api/v1/services/${s.id}/tariffs`, { token: tok[who] }), 404, 'not-found', who);
    assertProblem(await c.get(`/api/v1/services/${s.id}/norms`, { token: tok[who] }), 404, 'not-found', who);
    assertProblem(await c.patch(`/api/v1/services/${s.id}`, { token: tok[who], body: { name: 'чужое' } }), 404, 'not-found', who);
    assertProblem(await addRate(s.id, 'tariffs', { valid_from: '2032-01-01', price: '1' }, who), 404, 'not-found', who);
    assertProblem(await addRate(s.id, 'norms', { valid_from: '2032-01-01', per_person: '1' }, who), 404, 'not-found', who);
    assertProblem(await c.get(`/api/v1/organizations/${d.uo1}/billing-settings`, { token: tok[who] }), 404, 'not-found', who);
    assertProblem(await c.patch(`/api/v1/organizations/${d.uo1}/billing-settings`, { token: tok[who], body: { due_day: 5 } }), 404, 'not-found', who);
    const seen = await listAll(c, '/api/v1/services', tok[who]);
    assert.ok(seen.every((x) => x.org_id === d[who]), `${who} lists only its own services`);
    assert.deepEqual(await listAll(c, `/api/v1/services?org_id=${d.uo1}`, tok[who]), []);
    // Creating a service for another organization names org_id.
    assertValidation(await c.post('/api/v1/services', { token: tok[who], body: { code: 'gas', org_id: d.uo1 } }), 'org_id', who);
  }
  assert.deepEqual([await history(s.id, 'tariffs'), await get('uo1', `/api/v1/services/${s.id}`)], before, 'nothing changed');
});

test('tenancy: residents see no services and change nothing; operators read their territory and write nothing', async () => {
  const s = await makeService();
  assert.deepEqual(await listAll(c, '/api/v1/services', tok.resident1), []);
  assertProblem(await c.get(`/api/v1/services/${s.id}`, { token: tok.resident1 }), 404, 'not-found');
  assertProblem(await c.get(`/api/v1/services/${s.id}/tariffs`, { token: tok.resident1 }), 404, 'not-found');
  assertProblem(await c.get(`/api/v1/organizations/${d.eirc1}/billing-settings`, { token: tok.resident1 }), 404, 'not-found');
  assertProblem(await c.post('/api/v1/services', { token: tok.resident1, body: { code: 'gas' } }), 403, 'forbidden');
  assertProblem(await addRate(s.id, 'tariffs', { valid_from: '2031-01-01', price: '1' }, 'resident1'), 403, 'forbidden');
  // Operators: billing.read over their territory, no billing.write.
  assert.equal((await get('region', `/api/v1/services/${s.id}`)).id, s.id);
  assert.equal((await get('mun1', `/api/v1/services/${s.id}`)).id, s.id);
  assertProblem(await c.get(`/api/v1/services/${s.id}`, { token: tok.mun2 }), 404, 'not-found');
  const mun2 = await listAll(c, '/api/v1/services', tok.mun2);
  assert.ok(mun2.length > 0 && mun2.every((x) => d.orgs.find((o) => o.id === x.org_id).municipality_id === d.m2));
  assertProblem(await c.post('/api/v1/services', { token: tok.region, body: { code: 'gas', org_id: d.uo1 } }), 403, 'forbidden');
  assertProblem(await addRate(s.id, 'tariffs', { valid_from: '2031-01-01', price: '1' }, 'mun1'), 403, 'forbidden');
  assertProblem(await c.patch(`/api/v1/organizations/${d.uo1}/billing-settings`, { token: tok.mun1, body: { due_day: 5 } }), 403, 'forbidden');
  // The administrator writes for any organization, naming it.
  assertValidation(await c.post('/api/v1/services', { token: tok.admin, body: { code: 'gas' } }), 'org_id');
  const byAdmin = await addRate(s.id, 'tariffs', { valid_from: '2031-01-01', price: '1' }, 'admin');
  assert.equal(byAdmin.status, 201, byAdmin.text);
});

// ------------------------------------------------------------------ the demo

test('demo: the ЕИРЦ and the РСО have their standard services with a year of tariff history and norms; the УО and ТКО (no accounts) none', async () => {
  const t = localToday('Europe/Moscow');
  const shift = (n) => { const i = t.y * 12 + t.m - 1 + n; return periodOf(Math.floor(i / 12), (i % 12) + 1); };
  const from = `${shift(-12)}-01`;
  const july = `${shift(-((t.m - 7 + 12) % 12))}-01`;
  const codes = async (org) => (await listAll(c, `/api/v1/services?org_id=${org}`, tok.admin)).map((s) => s.code).sort();
  assert.deepEqual(await codes(d.eirc1), ['capital_repair', 'cold_water', 'electricity', 'electricity_day', 'electricity_night',
    'heating', 'hot_water', 'maintenance', 'waste', 'wastewater']);
  assert.deepEqual(await codes(d.rso1), ['cold_water', 'hot_water', 'wastewater']);
  assert.deepEqual(await codes(d.eirc2), await codes(d.eirc1));
  assert.deepEqual(await codes(d.tko2), [], 'the ТКО operator has no accounts: no services');
  const rso = await listAll(c, `/api/v1/services?org_id=${d.rso1}`, tok.rso1);
  for (const s of rso) {
    const tariffs = await history(s.id, 'tariffs', 'rso1');
    assert.deepEqual(tariffs.map((x) => [x.scope, x.valid_from, x.valid_to === null]),
      [['organization', july, true], ['organization', from, false]], s.code);
    assert.ok(Number(tariffs[0].price) > Number(tariffs[1].price), 'indexed in July');
    const norms = await history(s.id, 'norms', 'rso1');
    assert.equal(norms.length, 1, `${s.code} has a norm`);
  }
  const norm = async (code) => (await history(rso.find((s) => s.code === code).id, 'norms', 'rso1'))[0].per_person;
  assert.deepEqual([await norm('cold_water'), await norm('hot_water'), await norm('wastewater')], ['6.935', '4.745', '11.680']);
  const eirc = await listAll(c, `/api/v1/services?org_id=${d.eirc1}`, tok.eirc1);
  const maint = await history(eirc.find((s) => s.code === 'maintenance').id, 'tariffs', 'eirc1');
  assert.equal(maint.filter((x) => x.scope === 'house').length, 1, 'one house-specific maintenance tariff');
  // The ЕИРЦ bills water only in houses without the РСО's direct contracts: house tariffs only.
  const water = await history(eirc.find((s) => s.code === 'cold_water').id, 'tariffs', 'eirc1');
  assert.ok(water.length > 0 && water.every((x) => x.scope === 'house'));
  const settings = await get('eirc1', `/api/v1/organizations/${d.eirc1}/billing-settings`);
  assert.deepEqual([settings.due_day, settings.cashback_percent, settings.cashback_cap], [10, '1.50', '300.00']);
  assertList(await c.get(`/api/v1/services?org_id=${d.uo2}`, { token: tok.admin }));
  assert.deepEqual(await listAll(c, `/api/v1/services?org_id=${d.uo2}`, tok.admin), [], 'the УО has no accounts: no services');
});
