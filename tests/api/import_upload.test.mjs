// Registry import by upload (POST /api/v1/imports/…): the same rules as the
// CLI import — one transaction, errors by LINE:COLUMN, scope — over HTTP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, api } from '../lib/harness.mjs';
import { assertProblem, listAll } from '../lib/helpers.mjs';

const DATA = new URL('../data/registry/', import.meta.url);
const file = (name) => readFileSync(new URL(name, DATA));

let srv;
let c;
const tok = {};

before(async () => {
  srv = await startServer();
  c = api(srv.url);
  for (const login of ['admin', 'uo1', 'uo2', 'resident1']) tok[login] = await c.login(login);
});

after(async () => { await srv?.stop(); });

async function upload(kind, body, token, query = '') {
  const res = await fetch(`${srv.url}/api/v1/imports/${kind}${query}`, {
    method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/csv' }, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: JSON.parse(text), text };
}

const ourHouses = async () => (await listAll(c, '/api/v1/houses?per_page=500&q=99:01:02000', tok.admin));

test('a broken upload answers 422 naming LINE:COLUMN and changes nothing', async () => {
  const before = (await c.get('/api/v1/registry/quality', { token: tok.admin })).body;
  const r = await upload('premises', file('premises_bad_inn.csv'), tok.admin, '?date=2026-11-01');
  assertProblem(r, 422, 'validation');
  assert.ok(r.body.errors.some((e) => e.field === '2:10' && /ИНН/.test(e.message)), r.text);
  assert.deepEqual((await c.get('/api/v1/registry/quality', { token: tok.admin })).body, before);
});

test('houses then premises upload apply once; the same upload again changes nothing', async () => {
  const h = await upload('houses', file('houses.csv'), tok.admin, '?filename=houses.csv');
  assert.equal(h.status, 200, h.text);
  assert.ok(h.body.houses_created > 0);
  const p = await upload('premises', file('premises.csv'), tok.admin, '?date=2026-11-01&filename=premises.csv');
  assert.equal(p.status, 200, p.text);
  assert.ok(p.body.premises_created > 0 && p.body.rights_created > 0);
  const again = await upload('premises', file('premises.csv'), tok.admin, '?date=2026-11-02');
  assert.equal(again.status, 200, again.text);
  assert.equal(again.body.changes, 0);
  assert.equal(again.body.premises_created + again.body.rights_created + again.body.rights_ended, 0);
  const houses = await ourHouses();
  assert.ok(houses.length > 0);
  const audit = (await c.get('/api/v1/audit?action=registry.import', { token: tok.admin })).body.items;
  assert.ok(audit.length >= 3, 'every upload is audited');
});

test('an organization may not import into houses it does not manage, and residents not at all', async () => {
  const r = await upload('premises', file('premises.csv'), tok.uo2, '?date=2026-11-03');
  assert.ok([403, 404, 422].includes(r.status), r.text);
  assertProblem(await upload('houses', file('houses.csv'), tok.resident1), 403, 'forbidden');
});

test('upload arguments are checked', async () => {
  const r = await upload('premises', file('premises.csv'), tok.admin, '?date=01.13.2026&skip_invalid=maybe');
  assertProblem(r, 422, 'validation');
  const fields = r.body.errors.map((e) => e.field).sort();
  assert.deepEqual(fields, ['date', 'skip_invalid']);
  assertProblem(await upload('houses', '', tok.admin), 422, 'validation');
});
