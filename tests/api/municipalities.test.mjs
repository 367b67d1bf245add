// Municipalities (and the region list): create / list / get / patch,
// ОКТМО and time zone validation, unique ОКТМО, rights, audit.
// Contract: docs/api.md ("municipality", Routes).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api } from '../lib/harness.mjs';
import { assertProblem, assertValidation, assertList, listAll, auditFind, discoverDemo } from '../lib/helpers.mjs';

const MUNS = '/api/v1/municipalities';
const FIELDS = ['id', 'region_id', 'name', 'oktmo', 'timezone', 'created_at'];

let srv;
let c;
let admin;
let demo;

before(async () => {
  srv = await startServer();
  c = api(srv.url);
  admin = await c.login('admin');
  demo = await discoverDemo(c, admin);
});
after(async () => { await srv?.stop(); });

let oktmoSerial = Math.floor(Math.random() * 1e5);
const oktmo8 = () => `98${String(oktmoSerial++ % 1e6).padStart(6, '0')}`;
const oktmo11 = () => `${oktmo8()}051`;
const munBody = (over = {}) => ({ region_id: demo.region, name: `Тестовый район ${oktmoSerial}`, oktmo: oktmo8(),
  timezone: 'Asia/Yekaterinburg', ...over });

async function create(body, token = admin, headers = {}) {
  const r = await c.post(MUNS, { token, body, headers });
  assert.equal(r.status, 201, `POST ${JSON.stringify(body)} → ${r.status} ${r.text}`);
  return r;
}
async function total() {
  return (await c.get(`${MUNS}?per_page=1`, { token: admin })).body.total;
}

// ------------------------------------------------------------------ regions

test('GET /regions answers the demo region 99 «Демонстрационная область» in Europe/Moscow', async () => {
  const b = assertList(await c.get('/api/v1/regions', { token: admin }));
  const r99 = b.items.find((r) => r.code === '99');
  assert.ok(r99, JSON.stringify(b.items));
  assert.deepEqual(Object.keys(r99).sort(), ['code', 'id', 'name', 'timezone']);
  assert.equal(r99.name, 'Демонстрационная область');
  assert.equal(r99.timezone, 'Europe/Moscow');
  assert.equal(r99.id, demo.region);
});

// ------------------------------------------------------------------ demo data

test('the demo municipalities 1 and 2 are «г. Светлогорск» (Europe/Moscow) and «Заречный район» (Asia/Yekaterinburg)', async () => {
  const m1 = (await c.get(`${MUNS}/${demo.m1}`, { token: admin })).body;
  const m2 = (await c.get(`${MUNS}/${demo.m2}`, { token: admin })).body;
  assert.equal(m1.name, 'г. Светлогорск');
  assert.equal(m1.timezone, 'Europe/Moscow');
  assert.equal(m2.name, 'Заречный район');
  assert.equal(m2.timezone, 'Asia/Yekaterinburg');
  for (const m of [m1, m2]) {
    assert.deepEqual(Object.keys(m).sort(), [...FIELDS].sort());
    assert.equal(m.region_id, demo.region);
    assert.match(m.oktmo, /^(\d{8}|\d{11})$/);
  }
  assert.ok(demo.municipalities.length >= 3, 'the demo makes 3 municipalities by default');
});

// ------------------------------------------------------------------ create / get

test('POST as admin creates a municipality: 201 with the object', async () => {
  const body = munBody();
  const r = await create(body);
  assert.deepEqual(Object.keys(r.body).sort(), [...FIELDS].sort());
  assert.ok(Number.isInteger(r.body.id));
  for (const [k, v] of Object.entries(body)) assert.equal(r.body[k], v, k);
  assert.deepEqual((await c.get(`${MUNS}/${r.body.id}`, { token: admin })).body, r.body);
});

test('an 11-digit OKTMO is accepted', async () => {
  const r = await create(munBody({ oktmo: oktmo11(), timezone: 'Europe/Moscow' }));
  assert.match(r.body.oktmo, /^\d{11}$/);
});

test('region_id defaults to the caller\'s region (region operator)', async () => {
  const token = await c.login('region');
  const { region_id, ...body } = munBody();
  assert.ok(region_id);
  const r = await create(body, token);
  assert.equal(r.body.region_id, demo.region);
});

test('GET of an unknown municipality answers 404', async () => {
  assertProblem(await c.get(`${MUNS}/987654`, { token: admin }), 404, 'not-found');
});

// ------------------------------------------------------------------ list

test('the municipality list answers the envelope, page 1 and per_page 50 by default', async () => {
  const b = assertList(await c.get(MUNS, { token: admin }));
  assert.equal(b.page, 1);
  assert.equal(b.per_page, 50);
  assert.ok(b.total >= 3);
});

test('municipality pages of per_page=1 cover the list once', async () => {
  const all = await listAll(c, MUNS, admin);
  const seen = [];
  for (let page = 1; page <= all.length + 1; page++) {
    const b = assertList(await c.get(`${MUNS}?per_page=1&page=${page}`, { token: admin }));
    assert.equal(b.total, all.length);
    seen.push(...b.items.map((m) => m.id));
  }
  assert.deepEqual(seen, all.map((m) => m.id));
});

test('filter q= matches a name substring (Cyrillic)', async () => {
  const items = await listAll(c, `${MUNS}?q=${encodeURIComponent('Заречн')}`, admin);
  assert.ok(items.some((m) => m.id === demo.m2), JSON.stringify(items));
  assert.ok(items.every((m) => m.name.includes('Заречн')));
  assert.ok(!items.some((m) => m.id === demo.m1));
  assert.deepEqual(await listAll(c, `${MUNS}?q=${encodeURIComponent('Атлантида')}`, admin), []);
});

test('bad paging of the municipality list answers 422 naming it', async () => {
  assertValidation(await c.get(`${MUNS}?page=0`, { token: admin }), ['page']);
  assertValidation(await c.get(`${MUNS}?per_page=501`, { token: admin }), ['per_page']);
});

// ------------------------------------------------------------------ patch

test('PATCH changes name, oktmo and timezone', async () => {
  const before = (await create(munBody())).body;
  const change = { name: 'Переименованный район', oktmo: oktmo8(), timezone: 'Europe/Moscow' };
  const r = await c.patch(`${MUNS}/${before.id}`, { token: admin, body: change });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, { ...before, ...change });
  assert.deepEqual((await c.get(`${MUNS}/${before.id}`, { token: admin })).body, { ...before, ...change });
});

test('PATCH of region_id or id answers 422 naming it and changes nothing', async () => {
  const before = (await create(munBody())).body;
  assertValidation(await c.patch(`${MUNS}/${before.id}`, { token: admin, body: { region_id: demo.region } }), ['region_id']);
  assertValidation(await c.patch(`${MUNS}/${before.id}`, { token: admin, body: { id: 1, name: 'x' } }), ['id']);
  assert.deepEqual((await c.get(`${MUNS}/${before.id}`, { token: admin })).body, before);
});

test('PATCH with a bad time zone "Mars/Olympus" answers 422 naming timezone and changes nothing', async () => {
  const before = (await create(munBody())).body;
  assertValidation(await c.patch(`${MUNS}/${before.id}`, { token: admin, body: { timezone: 'Mars/Olympus' } }), ['timezone']);
  assert.deepEqual((await c.get(`${MUNS}/${before.id}`, { token: admin })).body, before);
});

test('PATCH of an unknown municipality answers 404', async () => {
  assertProblem(await c.patch(`${MUNS}/987654`, { token: admin, body: { name: 'x' } }), 404, 'not-found');
});

// ------------------------------------------------------------------ validation

const INVALID = [
  ['a bad time zone "Mars/Olympus"', { timezone: 'Mars/Olympus' }, ['timezone']],
  ['an empty time zone', { timezone: '' }, ['timezone']],
  ['a number for the time zone', { timezone: 3 }, ['timezone']],
  ['an OKTMO of 7 digits', { oktmo: '9800000' }, ['oktmo']],
  ['an OKTMO of 9 digits', { oktmo: '980000001' }, ['oktmo']],
  ['an OKTMO with letters', { oktmo: '98OOOOO1' }, ['oktmo']],
  ['a number for the OKTMO', { oktmo: 98000001 }, ['oktmo']],
  ['a number for the name', { name: 5 }, ['name']],
  ['an empty name', { name: '' }, ['name']],
  ['an unknown region_id', { region_id: 987654 }, ['region_id']],
  ['an unknown field', { population: 12000 }, ['population']],
  ['a bad OKTMO and a bad time zone together', { oktmo: '1', timezone: 'Mars/Olympus' }, ['oktmo', 'timezone']],
];

for (const [what, change, fields] of INVALID) {
  test(`POST with ${what} answers 422 naming ${fields.join(', ')}`, async () => {
    const t = await total();
    assertValidation(await c.post(MUNS, { token: admin, body: munBody(change) }), fields, what);
    assert.equal(await total(), t, 'nothing created');
  });
}

test('POST of an empty object answers 422 naming name, oktmo and timezone', async () => {
  assertValidation(await c.post(MUNS, { token: admin, body: {} }), ['name', 'oktmo', 'timezone']);
});

// ------------------------------------------------------------------ uniqueness

test('a duplicate OKTMO answers 409 conflict, on POST and on PATCH', async () => {
  const a = (await create(munBody())).body;
  const b = (await create(munBody())).body;
  const t = await total();
  assertProblem(await c.post(MUNS, { token: admin, body: munBody({ oktmo: a.oktmo }) }), 409, 'conflict', 'POST');
  assert.equal(await total(), t);
  assertProblem(await c.patch(`${MUNS}/${b.id}`, { token: admin, body: { oktmo: a.oktmo } }), 409, 'conflict', 'PATCH');
  assert.deepEqual((await c.get(`${MUNS}/${b.id}`, { token: admin })).body, b);
});

// ------------------------------------------------------------------ rights

test('municipal operators and org staff lack municipalities.write: POST and PATCH answer 403', async () => {
  for (const login of ['mun1', 'uo1']) {
    const token = await c.login(login);
    const t = await total();
    assertProblem(await c.post(MUNS, { token, body: munBody() }), 403, 'forbidden', `${login} POST`);
    assert.equal(await total(), t);
    const own = (await c.get(`${MUNS}/${demo.m1}`, { token: admin })).body;
    assertProblem(await c.patch(`${MUNS}/${demo.m1}`, { token, body: { name: 'Захват' } }), 403, 'forbidden', `${login} PATCH own`);
    assert.deepEqual((await c.get(`${MUNS}/${demo.m1}`, { token: admin })).body, own);
  }
});

test('residents lack municipalities.read: list and GET answer 403', async () => {
  const token = await c.login('resident1');
  assertProblem(await c.get(MUNS, { token }), 403, 'forbidden', 'list');
  assertProblem(await c.get(`${MUNS}/${demo.m1}`, { token }), 403, 'forbidden', 'GET own municipality');
});

test('a region operator may PATCH municipalities of the region', async () => {
  const token = await c.login('region');
  const before = (await create(munBody())).body;
  const r = await c.patch(`${MUNS}/${before.id}`, { token, body: { name: 'Район ЦУР' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.name, 'Район ЦУР');
});

// ------------------------------------------------------------------ audit

test('creating and changing a municipality writes one audit entry each with actor, action and request id', async () => {
  const region = await c.login('region');
  const made = await create(munBody(), region, { 'X-Request-Id': 'mun-audit-create' });
  const upd = await c.patch(`${MUNS}/${made.body.id}`, { token: admin, body: { name: 'Аудит' }, headers: { 'X-Request-Id': 'mun-audit-update' } });
  assert.equal(upd.status, 200, upd.text);
  const created = await auditFind(c, admin, 'object_type=municipality', (e) => e.request_id === 'mun-audit-create');
  assert.equal(created.length, 1, JSON.stringify(created));
  assert.equal(created[0].action, 'municipality.create');
  assert.equal(created[0].object_id, made.body.id);
  assert.equal(created[0].user_login, 'region');
  const updated = await auditFind(c, admin, 'action=municipality.update', (e) => e.request_id === 'mun-audit-update');
  assert.equal(updated.length, 1, JSON.stringify(updated));
  assert.equal(updated[0].object_id, made.body.id);
  assert.equal(updated[0].user_login, 'admin');
});
