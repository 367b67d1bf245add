// Tenancy of every meters endpoint (docs/meters.md "Who sees what"; docs/api.md
// "Roles, rights and scope"): a foreign organization, municipality or resident
// gets 404 (out of scope) or 403 (no right), never the data, and nothing
// changes. Targets live in municipality 2 (Asia/Yekaterinburg); callers are
// municipality 1's operator, its УО and РСО, and resident1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api } from '../lib/harness.mjs';
import { assertProblem, listAll } from '../lib/helpers.mjs';
import { LOGINS, discoverMeters, makeMeter } from '../lib/meters.mjs';

let srv;
let c;
const tok = {};
let d;
let foreign; // a meter of municipality 2 (its УО takes the readings) with one reading
let local; // a meter of municipality 1's РСО
let odpu2; // a building meter of municipality 2's house

before(async () => {
  srv = await startServer();
  c = api(srv.url);
  for (const login of LOGINS) tok[login] = await c.login(login);
  d = await discoverMeters(c, tok);
  foreign = await makeMeter(c, tok.admin, { premises_id: d.own2, org_id: d.uo2 });
  local = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: d.rso1 });
  odpu2 = await makeMeter(c, tok.admin, { house_id: d.h2.id, org_id: d.uo2, resource: 'heat', digits: 7 });
  const r = await c.post('/api/v1/readings', { token: tok.admin, body: { meter_id: foreign.id, value: '5', period: '2025-01' } });
  assert.equal(r.status, 201, r.text);
});

after(async () => { await srv?.stop(); });

const asAdmin = async (p) => (await c.get(p, { token: tok.admin })).body;
const OUTSIDERS = ['mun1', 'uo1', 'rso1', 'resident1'];

for (const who of OUTSIDERS) {
  test(`${who}: GET, PATCH and the readings of a foreign meter answer 404 and nothing changes`, async () => {
    const before = await asAdmin(`/api/v1/meters/${foreign.id}`);
    assertProblem(await c.get(`/api/v1/meters/${foreign.id}`, { token: tok[who] }), 404, 'not-found');
    assertProblem(await c.get(`/api/v1/meters/${foreign.id}/readings`, { token: tok[who] }), 404, 'not-found');
    const patch = await c.patch(`/api/v1/meters/${foreign.id}`, { token: tok[who], body: { serial: 'stolen' } });
    assertProblem(patch, who === 'resident1' ? 403 : 404, who === 'resident1' ? 'forbidden' : 'not-found');
    assert.deepEqual(await asAdmin(`/api/v1/meters/${foreign.id}`), before);
  });

  test(`${who}: a reading for a foreign meter answers 404 and nothing is stored`, async () => {
    const r = await c.post('/api/v1/readings', { token: tok[who], body: { meter_id: foreign.id, value: '9' } });
    assertProblem(r, 404, 'not-found');
    const h = (await asAdmin(`/api/v1/meters/${foreign.id}/readings`)).items;
    assert.deepEqual(h.map((x) => x.value), ['5.000']);
  });

  test(`${who}: lists never show municipality 2's meters`, async () => {
    const seen = await listAll(c, '/api/v1/meters', tok[who]);
    assert.ok(!seen.some((m) => m.municipality_id === d.m2), `${who} sees a foreign meter`);
  });
}

test('organization staff see the meters they read and those of houses they manage, not a sibling\'s', async () => {
  const rso = await listAll(c, '/api/v1/meters', tok.rso1);
  assert.ok(rso.some((m) => m.id === local.id));
  assert.ok(rso.every((m) => m.org_id === d.rso1), 'a supplier manages no house: only the meters it reads');
  const uo = await listAll(c, '/api/v1/meters', tok.uo1);
  assert.ok(uo.some((m) => m.id === local.id), 'the manager of the house sees its meters');
  assertProblem(await c.get(`/api/v1/meters/${odpu2.id}`, { token: tok.uo1 }), 404, 'not-found');
  assert.equal((await c.get(`/api/v1/meters/${odpu2.id}`, { token: tok.uo2 })).status, 200);
  const eirc = await c.login('eirc1');
  assertProblem(await c.get(`/api/v1/meters/${local.id}`, { token: eirc }), 404, 'not-found');
});

test('creating a meter in a foreign house or premises is refused and nothing is made', async () => {
  const count = (await asAdmin('/api/v1/meters?per_page=1')).total;
  for (const who of ['mun1', 'uo1']) {
    const r1 = await c.post('/api/v1/meters', { token: tok[who], body: {
      kind: 'individual', resource: 'gas', premises_id: d.other2, org_id: d.uo2, digits: 5, installed_on: '2024-01-01' } });
    assert.ok([404, 422].includes(r1.status), `${who}: ${r1.text}`);
    const r2 = await c.post('/api/v1/meters', { token: tok[who], body: {
      kind: 'building', resource: 'gas', house_id: d.h2.id, org_id: d.uo2, digits: 5, installed_on: '2024-01-01' } });
    assert.ok([404, 422].includes(r2.status), `${who}: ${r2.text}`);
  }
  const rso = await c.post('/api/v1/meters', { token: tok.rso1, body: {
    kind: 'individual', resource: 'gas', premises_id: d.other1, org_id: d.uo1, digits: 5, installed_on: '2024-01-01' } });
  assert.equal(rso.status, 422, 'a supplier cannot make another organization\'s meter in a house it does not manage');
  assertProblem(await c.post('/api/v1/meters', { token: tok.resident1, body: {} }), 403, 'forbidden');
  assert.equal((await asAdmin('/api/v1/meters?per_page=1')).total, count);
});

test('billing and analytics stay in scope; residents have no right to them (403)', async () => {
  const period = '2025-01';
  const cons = await listAll(c, `/api/v1/meters/consumption?period=${period}`, tok.mun1);
  assert.ok(!cons.some((x) => x.meter_id === foreign.id || x.meter_id === odpu2.id));
  assert.ok((await listAll(c, `/api/v1/meters/consumption?period=${period}`, tok.mun2)).some((x) => x.meter_id === foreign.id));
  const stats = (await c.get(`/api/v1/readings/stats?period=${period}`, { token: tok.mun1 })).body.items;
  assert.ok(!stats.some((x) => x.org_id === d.uo2), 'no foreign organization in the channel shares');
  assert.ok((await c.get(`/api/v1/readings/stats?period=${period}`, { token: tok.uo2 })).body.items.some((x) => x.org_id === d.uo2));
  const quality = (await c.get(`/api/v1/meters/quality?period=${period}`, { token: tok.uo1 })).body.items;
  assert.ok(quality.every((x) => x.org_id !== d.uo2));
  for (const p of ['/api/v1/meters/consumption', '/api/v1/readings/stats', '/api/v1/meters/quality']) {
    assertProblem(await c.get(`${p}?period=${period}`, { token: tok.resident1 }), 403, 'forbidden');
  }
});

test('reading settings: staff change their own organization\'s only; foreign ones answer 404 and stay', async () => {
  const path = `/api/v1/organizations/${d.uo2}/reading-settings`;
  const before = await asAdmin(path);
  for (const who of ['mun1', 'uo1', 'rso1']) {
    assertProblem(await c.get(path, { token: tok[who] }), 404, 'not-found');
    assertProblem(await c.patch(path, { token: tok[who], body: { first_day: 1 } }), 404, 'not-found');
  }
  assertProblem(await c.patch(path, { token: tok.resident1, body: { first_day: 1 } }), 403, 'forbidden');
  assertProblem(await c.get(path, { token: tok.resident1 }), 404, 'not-found');
  assert.deepEqual(await asAdmin(path), before);
  const own = await c.patch(`/api/v1/organizations/${d.uo1}/reading-settings`, { token: tok.uo1, body: { first_day: 18 } });
  assert.equal(own.status, 200, own.text);
  assert.equal(own.body.first_day, 18);
  assertProblem(await c.patch(`/api/v1/organizations/${d.rso1}/reading-settings`, { token: tok.uo1, body: { first_day: 1 } }), 404, 'not-found');
  // The window holds in every municipality the organization works in: one
  // municipality's operator may read it but not set it.
  const visible = `/api/v1/organizations/${d.uo1}/reading-settings`;
  assert.equal((await c.get(visible, { token: tok.mun1 })).status, 200);
  assertProblem(await c.patch(visible, { token: tok.mun1, body: { first_day: 2 } }), 403, 'forbidden');
  assert.equal((await asAdmin(visible)).first_day, 18);
});
