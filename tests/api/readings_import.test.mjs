// A supplier's file of readings (docs/meters.md "File of readings"): by upload
// (POST /api/v1/imports/readings) and by `upravdom import readings FILE`.
// Rules proven here:
//  - a file with broken rows answers 422 / exits 2 with every error as
//    LINE:COLUMN and a Russian message, and nothing of it is applied (not even
//    its good rows);
//  - a good file applies every row through the same rules as the API, with
//    channel "file"; the same file again changes nothing;
//  - with skip_invalid the good rows apply and the refused ones are listed;
//  - the importer's scope holds: an organization cannot load readings of a
//    meter it does not see, and residents may not upload at all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, startServer, api, assertNoSanitizerReport } from '../lib/harness.mjs';
import { assertProblem, auditFind } from '../lib/helpers.mjs';
import { LOGINS, discoverMeters, makeMeter } from '../lib/meters.mjs';

let srv;
let c;
const tok = {};
let d;
let scratch;
const m = {};

before(async () => {
  srv = await startServer();
  c = api(srv.url);
  for (const login of LOGINS) tok[login] = await c.login(login);
  d = await discoverMeters(c, tok);
  scratch = mkdtempSync(path.join(tmpdir(), 'upravdom-readings-'));
  m.a = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: d.rso1, serial: 'IMP-A' });
  m.day = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: d.rso1, serial: 'IMP-E', resource: 'electricity', zone: 'day', decimals: 1 });
  m.night = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: d.rso1, serial: 'IMP-E', resource: 'electricity', zone: 'night', decimals: 1 });
  m.cli = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: d.rso1, serial: 'IMP-CLI' });
  m.foreign = await makeMeter(c, tok.admin, { premises_id: d.other2, org_id: d.uo2, serial: 'IMP-FOREIGN' });
});

after(async () => {
  await srv?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function upload(body, token, query = '') {
  const res = await fetch(`${srv.url}/api/v1/imports/readings${query}`, {
    method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/csv' }, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: JSON.parse(text), text };
}

const history = async (meter) => (await c.get(`/api/v1/meters/${meter.id}/readings?per_page=500`, { token: tok.admin })).body.items;
const accepted = async (meter) => (await history(meter)).filter((x) => x.state === 'accepted')
  .map((x) => [x.period, x.value]).sort();

const BROKEN = [
  'заводской_номер;ресурс;зона;период;показание',
  'IMP-A;ХВС;;2025-01;10,5', // line 2: good, but the file is all or nothing
  'IMP-A;ХВС;;2025-02;9', // line 3: lower than line 2
  'IMP-E;электроэнергия;;2025-01;100', // line 4: two registers share the serial
  'IMP-E;электроэнергия;утро;2025-01;100', // line 5: no such zone
  'IMP-A;ХВС;;2025-13;12', // line 6: no such month
  'IMP-X;;;2025-01;1', // line 7: no such meter
  'IMP-A;ХВС;;2025-03;abc', // line 8: not a number
].join('\n');

test('a file with broken rows answers 422 naming every LINE:COLUMN and applies nothing', async () => {
  const r = await upload(BROKEN, tok.admin);
  assertProblem(r, 422, 'validation');
  const fields = r.body.errors.map((e) => e.field);
  assert.deepEqual(fields, ['3:5', '4:1', '5:3', '6:4', '7:1', '8:5'], r.text);
  assert.match(r.body.errors[0].message, /меньше предыдущего/);
  assert.match(r.body.errors[1].message, /несколько приборов/);
  assert.equal(r.body.error_count, 6);
  assert.deepEqual(await history(m.a), [], 'the good line 2 was not applied either');
});

test('the CLI refuses the same file with FILE:LINE:COLUMN messages, exit 2, nothing applied', async () => {
  const file = path.join(scratch, 'broken.csv');
  writeFileSync(file, BROKEN);
  const r = spawnSync(BIN, ['import', 'readings', file, '--db', srv.db.url], { encoding: 'utf8', timeout: 120000 });
  assertNoSanitizerReport(r.stderr, 'import readings');
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`${file.replace(/[.]/g, '\\.')}:3:5: показание 9,000 меньше`));
  assert.match(r.stderr, /:7:1: прибор с заводским номером «IMP-X» не найден/);
  assert.match(r.stderr, /nothing was changed/);
  assert.deepEqual(await history(m.a), []);
});

const GOOD = [
  'Заводской номер;Ресурс;Зона;Период;Показание',
  'IMP-A;ХВС;;2025-01;10,5',
  'IMP-A;ХВС;;2025-02;12.5',
  'IMP-E;электроэнергия;день;2025-01;100',
  'IMP-E;электроэнергия;ночь;2025-01;50,5',
].join('\r\n');

test('a good file applies every row with channel "file"; the same file again changes nothing', async () => {
  const r = await upload(GOOD, tok.admin, '?filename=vodokanal-2025-02.csv');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.body.rows, r.body.accepted, r.body.unchanged, r.body.rejected], [4, 4, 0, 0]);
  assert.deepEqual(await accepted(m.a), [['2025-01', '10.500'], ['2025-02', '12.500']]);
  assert.deepEqual(await accepted(m.night), [['2025-01', '50.500']]);
  const h = await history(m.a);
  assert.ok(h.every((x) => x.channel === 'file'), 'channel file');
  assert.equal(h.find((x) => x.period === '2025-02').consumption, '2.000');
  const again = await upload(GOOD, tok.admin);
  assert.equal(again.status, 200, again.text);
  assert.deepEqual([again.body.accepted, again.body.unchanged], [0, 4]);
  assert.equal((await history(m.a)).length, 2);
  assert.ok((await auditFind(c, tok.admin, 'action=readings.import', () => true)).length >= 2);
});

test('skip_invalid applies the good rows and lists the refused ones by line and column', async () => {
  const file = ['прибор;период;показание', `${m.a.id};2025-03;13`, `${m.a.id};2025-04;1`, `${m.day.id};2025-02;7`].join('\n');
  const r = await upload(file, tok.admin, '?skip_invalid=true');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.body.accepted, r.body.rejected], [1, 2]);
  assert.deepEqual(r.body.errors.map((e) => [e.line, e.column]), [[3, 3], [4, 3]]);
  assert.deepEqual(await accepted(m.a), [['2025-01', '10.500'], ['2025-02', '12.500'], ['2025-03', '13.000']]);
});

test('the CLI applies a good file as the installation (no author)', () => {
  const file = path.join(scratch, 'good.csv');
  writeFileSync(file, 'заводской_номер;период;показание\nIMP-CLI;2025-01;3\n');
  const r = spawnSync(BIN, ['import', 'readings', file, '--db', srv.db.url], { encoding: 'utf8', timeout: 120000 });
  assertNoSanitizerReport(r.stderr, 'import readings');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /accepted: 1/);
});

test('the CLI-imported reading has no author and channel file', async () => {
  const [x] = await history(m.cli);
  assert.equal(x.channel, 'file');
  assert.equal(x.author_id, null);
});

test('tenancy: an organization cannot load readings of a meter it does not see; residents may not upload', async () => {
  const file = 'заводской_номер;период;показание\nIMP-FOREIGN;2025-01;1\n';
  const r = await upload(file, tok.uo1);
  assertProblem(r, 422, 'validation');
  assert.deepEqual(r.body.errors.map((e) => e.field), ['2:1']);
  const byId = await upload(`прибор;период;показание\n${m.foreign.id};2025-01;1\n`, tok.uo1);
  assertProblem(byId, 422, 'validation');
  assert.match(byId.body.errors[0].message, /не найден/);
  assert.deepEqual(await history(m.foreign), []);
  assertProblem(await upload(file, tok.resident1), 403, 'forbidden');
  const own = await upload(file, tok.uo2);
  assert.equal(own.status, 200, own.text);
});
