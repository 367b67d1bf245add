// Registry API: houses, premises, accounts, changes (docs/registry.md) — the
// rules of scope for every endpoint, validation, audit. Runs on both backends
// against the demo region (its registry stage).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, api } from '../lib/harness.mjs';
import { assertProblem, assertValidation, listAll, auditFind } from '../lib/helpers.mjs';

let srv;
let c;
const tok = {};
const demo = {};

before(async () => {
  srv = await startServer();
  c = api(srv.url);
  for (const login of ['admin', 'region', 'mun1', 'mun2', 'uo1', 'uo2', 'rso1', 'eirc1', 'resident1', 'resident2']) {
    tok[login] = await c.login(login);
  }
  const muns = (await c.get('/api/v1/municipalities?per_page=500', { token: tok.admin })).body.items;
  demo.m1 = muns.find((m) => m.name === 'г. Светлогорск').id;
  demo.m2 = muns.find((m) => m.name === 'Заречный район').id;
  const me = async (login) => (await c.get('/api/v1/me', { token: tok[login] })).body;
  demo.uo1 = (await me('uo1')).org_id;
  demo.uo2 = (await me('uo2')).org_id;
  demo.rso1 = (await me('rso1')).org_id;
  demo.houses = await listAll(c, '/api/v1/houses?per_page=500', tok.admin);
  demo.h1 = demo.houses.find((h) => h.municipality_id === demo.m1 && h.org_id === demo.uo1);
  demo.h2 = demo.houses.find((h) => h.municipality_id === demo.m2 && h.org_id === demo.uo2);
  assert.ok(demo.h1 && demo.h2, 'the demo has managed houses in municipalities 1 and 2');
});

after(async () => { await srv?.stop(); });

const ids = (items) => new Set(items.map((x) => x.id));

test('the demo registry has houses of both kinds with premises, rights and accounts', async () => {
  assert.ok(demo.houses.some((h) => h.kind === 'mkd'));
  assert.ok(demo.houses.some((h) => h.kind === 'izd'));
  const prem = (await c.get(`/api/v1/houses/${demo.h1.id}/premises`, { token: tok.admin })).body.items;
  assert.ok(prem.length > 0);
  assert.ok(prem.some((p) => p.rights.length > 0), 'some premises have rights');
  assert.ok(prem.some((p) => p.accounts.length > 0), 'some premises have accounts');
  for (const p of prem) {
    assert.match(p.area, /^\d+\.\d{2}$/, 'area is a decimal string of m²');
    for (const r of p.rights) assert.match(r.share, /^\d+\/\d+$/, 'a share is an exact fraction');
  }
});

test('a municipal operator lists only its municipality\'s houses and gets 404 for the other\'s', async () => {
  const mine = await listAll(c, '/api/v1/houses?per_page=500', tok.mun1);
  assert.ok(mine.length > 0);
  assert.ok(mine.every((h) => h.municipality_id === demo.m1));
  assertProblem(await c.get(`/api/v1/houses/${demo.h2.id}`, { token: tok.mun1 }), 404, 'not-found');
  assertProblem(await c.get(`/api/v1/houses/${demo.h2.id}/premises`, { token: tok.mun1 }), 404, 'not-found');
});

test('a managing organization sees the houses it manages, not another organization\'s', async () => {
  const seen = await listAll(c, '/api/v1/houses?per_page=500', tok.uo1);
  assert.ok(seen.some((h) => h.id === demo.h1.id));
  assert.ok(!seen.some((h) => h.id === demo.h2.id));
  assertProblem(await c.get(`/api/v1/houses/${demo.h1.id}`, { token: tok.uo2 }), 404, 'not-found');
});

test('a supplier sees the houses it supplies and only its own accounts there', async () => {
  const accounts = await listAll(c, '/api/v1/accounts?per_page=500', tok.rso1);
  assert.ok(accounts.every((a) => a.org_id === demo.rso1), 'only the supplier\'s accounts');
  if (accounts.length) {
    const houseId = accounts.find((a) => a.house_id)?.house_id;
    if (houseId) assert.equal((await c.get(`/api/v1/houses/${houseId}`, { token: tok.rso1 })).status, 200);
  }
});

test('a resident sees only their own premises, not the neighbours\' owners', async () => {
  const houses = await listAll(c, '/api/v1/houses?per_page=500', tok.resident1);
  assert.ok(houses.length >= 1, 'the resident\'s house is visible');
  for (const h of houses) {
    const prem = (await c.get(`/api/v1/houses/${h.id}/premises`, { token: tok.resident1 })).body.items;
    assert.ok(prem.length >= 1 && prem.length < 5, `only own premises: ${prem.length}`);
  }
  const all = (await c.get(`/api/v1/houses/${houses[0].id}/premises`, { token: tok.admin })).body.items;
  const own = ids((await c.get(`/api/v1/houses/${houses[0].id}/premises`, { token: tok.resident1 })).body.items);
  const other = all.find((p) => !own.has(p.id));
  if (other) assertProblem(await c.get(`/api/v1/premises/${other.id}`, { token: tok.resident1 }), 404, 'not-found');
  assertProblem(await c.get(`/api/v1/houses/${demo.h2.id}`, { token: tok.resident1 }), 404, 'not-found');
});

test('creating a house validates every field and names it (422)', async () => {
  const r = await c.post('/api/v1/houses', { token: tok.admin, body: {
    kind: 'tower', address: '', municipality_id: demo.m1, fias_guid: 'not-a-guid',
    cadastral_number: '12-34', year_built: 1500, total_area: 'много', lat: 'north', colour: 'red' } });
  assertValidation(r, ['kind', 'address', 'fias_guid', 'cadastral_number', 'year_built', 'total_area', 'lat', 'colour']);
});

test('org staff create houses they manage; another organization cannot change them (404, unchanged)', async () => {
  const r = await c.post('/api/v1/houses', { token: tok.uo1, body: {
    kind: 'mkd', address: 'г. Светлогорск, ул. Тестовая, д. 1', municipality_id: demo.m1,
    total_area: '1200.50', floors: 5 } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.org_id, demo.uo1, 'the creator organization manages it');
  assert.equal(r.body.total_area, '1200.50');
  const p = await c.patch(`/api/v1/houses/${r.body.id}`, { token: tok.uo2, body: { floors: 99 } });
  assertProblem(p, 404, 'not-found');
  assert.equal((await c.get(`/api/v1/houses/${r.body.id}`, { token: tok.admin })).body.floors, 5);
  const ok = await c.patch(`/api/v1/houses/${r.body.id}`, { token: tok.uo1, body: { floors: 6, emergency: true } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.floors, 6);
  assert.ok(await auditFind(c, tok.admin, 'action=house.update', (e) => e.object_id === r.body.id));
});

test('a supplier may read the houses it supplies but not change them (404, manager unchanged)', async () => {
  const accounts = await listAll(c, '/api/v1/accounts?per_page=500', tok.rso1);
  const houseId = accounts.find((a) => a.house_id)?.house_id;
  assert.ok(houseId, 'the demo supplier has accounts in some house');
  const before = (await c.get(`/api/v1/houses/${houseId}`, { token: tok.admin })).body;
  assert.notEqual(before.org_id, demo.rso1);
  assertProblem(await c.patch(`/api/v1/houses/${houseId}`, { token: tok.rso1, body: { floors: 42 } }), 404, 'not-found');
  const after = (await c.get(`/api/v1/houses/${houseId}`, { token: tok.admin })).body;
  assert.equal(after.org_id, before.org_id);
  assert.equal(after.floors, before.floors);
});

test('a municipal operator cannot create a house in another municipality', async () => {
  const r = await c.post('/api/v1/houses', { token: tok.mun1, body: {
    kind: 'izd', address: 'Заречный район, д. Новая, 1', municipality_id: demo.m2 } });
  assert.ok([404, 422].includes(r.status), r.text);
  const after = await listAll(c, '/api/v1/houses?per_page=500&q=' + encodeURIComponent('д. Новая'), tok.admin);
  assert.equal(after.length, 0, 'nothing was made');
});

test('residents may read but not write the registry (403)', async () => {
  assertProblem(await c.post('/api/v1/houses', { token: tok.resident1, body: {} }), 403, 'forbidden');
  assertProblem(await c.patch(`/api/v1/houses/${demo.h1.id}`, { token: tok.resident1, body: {} }), 403, 'forbidden');
});

test('house search finds by address, kind filter and paging hold', async () => {
  const word = demo.h1.address.split(/[ ,.]+/).find((w) => w.length > 4);
  const found = await listAll(c, `/api/v1/houses?per_page=500&q=${encodeURIComponent(word.toUpperCase())}`, tok.admin);
  assert.ok(found.some((h) => h.id === demo.h1.id), `search for ${word}`);
  const izd = await listAll(c, '/api/v1/houses?per_page=500&kind=izd', tok.admin);
  assert.ok(izd.every((h) => h.kind === 'izd'));
  assertValidation(await c.get('/api/v1/houses?kind=castle', { token: tok.admin }), ['kind']);
  const p1 = (await c.get('/api/v1/houses?per_page=2&page=1', { token: tok.admin })).body;
  const p2 = (await c.get('/api/v1/houses?per_page=2&page=2', { token: tok.admin })).body;
  assert.equal(p1.total, demo.houses.length + (p1.total - demo.houses.length));
  assert.ok(p1.items.every((h) => !ids(p2.items).has(h.id)), 'pages do not overlap');
});

test('registry changes validate their filters and stay in scope', async () => {
  assertValidation(await c.get('/api/v1/registry/changes?from=yesterday&kind=colour', { token: tok.admin }), ['from', 'kind']);
  const all = await listAll(c, '/api/v1/registry/changes?per_page=500', tok.admin);
  const mine = await listAll(c, '/api/v1/registry/changes?per_page=500', tok.mun1);
  const m1Houses = ids(await listAll(c, '/api/v1/houses?per_page=500', tok.mun1));
  assert.ok(mine.every((x) => m1Houses.has(x.house_id)), 'a municipality sees only its houses\' changes');
  assert.ok(mine.length <= all.length);
});

async function download(url, token) {
  const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  return { status: res.status, type: res.headers.get('content-type') || '', body: Buffer.from(await res.arrayBuffer()) };
}

/** Reads every row of the first sheet with a real XLSX reader (openpyxl). */
function readXlsx(buf) {
  const dir = mkdtempSync(path.join(tmpdir(), 'upravdom-xlsx-'));
  try {
    const file = path.join(dir, 'r.xlsx');
    writeFileSync(file, buf);
    const py = 'import json,sys,openpyxl\nws=openpyxl.load_workbook(sys.argv[1]).active\n' +
      'print(json.dumps([[c.value for c in r] for r in ws.iter_rows()], ensure_ascii=False))';
    // Debian's python3, which has python3-openpyxl (not another python on PATH).
    const r = spawnSync('/usr/bin/python3', ['-c', py, file], { encoding: 'utf8', maxBuffer: 256 << 20 });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

test('the extended house report reads back from XLSX (openpyxl) with the rows of the JSON report', async () => {
  const base = `${srv.url}/api/v1/reports/house?house_id=${demo.h1.id}&type=extended`;
  const json = (await c.get(`/api/v1/reports/house?house_id=${demo.h1.id}&type=extended`, { token: tok.admin })).body;
  assert.ok(json.columns.includes('Число правообладателей') && json.columns.includes('Вид обременения'));
  assert.ok(json.rows.length > 0);
  const x = await download(`${base}&format=xlsx`, tok.admin);
  assert.equal(x.status, 200);
  assert.match(x.type, /spreadsheetml/);
  const rows = readXlsx(x.body);
  assert.equal(rows[0][0], json.title);
  const head = rows.findIndex((r) => r[0] === 'Адрес помещения');
  assert.ok(head > 0, 'the heading row is there');
  assert.deepEqual(rows[head].slice(0, json.columns.length), json.columns);
  const data = rows.slice(head + 1).filter((r) => r.some((v) => v !== null && v !== ''));
  assert.equal(data.length, json.rows.length);
  assert.equal(data[0][0], json.rows[0][0]);
  assert.ok(rows.some((r) => r[0] === 'Год постройки'), 'house characteristics are on top');
  // «Приборы учёта»: each premises' meters in service from the meters table (the demo's
  // meters stage), the same in XLSX as in JSON, and every serial the meters API lists.
  const col = json.columns.indexOf('Приборы учёта');
  assert.ok(col > 0);
  const filled = json.rows.filter((r) => r[col]);
  assert.ok(filled.length > json.rows.length / 2, `meters listed for most premises (${filled.length}/${json.rows.length})`);
  for (const r of filled) assert.match(r[col], /^(ХВС|ГВС|ЭЭ|Газ|Тепло)( день| ночь| день\/ночь)? (№\S+|б\/н)/);
  data.forEach((r, i) => assert.equal(r[col] ?? null, json.rows[i][col] ?? null, `XLSX row ${i + 1}: meters`));
  const prem = (await c.get(`/api/v1/houses/${demo.h1.id}/premises`, { token: tok.admin })).body.items;
  const p = prem.find((x) => x.kind === 'residential');
  const meters = (await c.get(`/api/v1/meters?premises_id=${p.id}`, { token: tok.admin })).body.items
    .filter((m) => m.status !== 'removed');
  assert.ok(meters.length > 0, 'the premises has meters');
  const cell = json.rows.find((r) => r[0].endsWith(`пом. ${p.number}`))[col];
  for (const m of meters) assert.ok(cell.includes(m.serial ? `№${m.serial}` : 'б/н'), `${cell} names ${m.serial}`);
});

test('the basic house report as CSV is UTF-8 with BOM and semicolons, found by cadastral number too', async () => {
  const cad = demo.h1.cadastral_number;
  const q = cad ? `cadastral_number=${encodeURIComponent(cad)}` : `house_id=${demo.h1.id}`;
  const r = await download(`${srv.url}/api/v1/reports/house?${q}&format=csv`, tok.admin);
  assert.equal(r.status, 200);
  assert.match(r.type, /text\/csv/);
  assert.deepEqual([...r.body.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const text = r.body.toString('utf8');
  assert.ok(text.includes('Адрес помещения;Кадастровый номер;Тип помещения;Площадь, м²;ЕЛС;Вид права'));
  assert.ok(text.includes(demo.h1.address));
});

test('a house moved to another municipality takes its premises, rights and accounts with it (scope follows)', async () => {
  const h = demo.houses.find((x) => x.municipality_id === demo.m1 && x.id !== demo.h1.id && x.kind === 'mkd');
  const prem = (await c.get(`/api/v1/houses/${h.id}/premises`, { token: tok.admin })).body.items;
  const p = prem.find((x) => x.rights.length > 0) ?? prem[0];
  assert.ok(p, 'the house has premises');
  assert.equal((await c.get(`/api/v1/premises/${p.id}`, { token: tok.mun1 })).status, 200);
  const meter = await c.post('/api/v1/meters', { token: tok.admin, body: {
    kind: 'individual', resource: 'cold_water', premises_id: p.id, org_id: h.org_id ?? demo.uo1,
    serial: 'MOVE-1', digits: 5, installed_on: '2024-01-15' } });
  assert.equal(meter.status, 201, meter.text);
  const moved = await c.patch(`/api/v1/houses/${h.id}`, { token: tok.admin, body: { municipality_id: demo.m2 } });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  try {
    assertProblem(await c.get(`/api/v1/premises/${p.id}`, { token: tok.mun1 }), 404, 'not-found');
    const seen = await c.get(`/api/v1/premises/${p.id}`, { token: tok.mun2 });
    assert.equal(seen.status, 200, 'the new municipality sees the premises');
    assert.deepEqual(seen.body.rights.map((r) => r.id), (await c.get(`/api/v1/premises/${p.id}`, { token: tok.admin })).body.rights.map((r) => r.id));
    const accounts = (login) => listAll(c, `/api/v1/accounts?per_page=500&house_id=${h.id}`, tok[login]);
    const all = await accounts('admin');
    assert.ok(all.length > 0, 'the house has accounts');
    assert.equal((await accounts('mun1')).length, 0, 'no account of the house is left in the old municipality');
    assert.equal((await accounts('mun2')).length, all.length);
    assertProblem(await c.get(`/api/v1/meters/${meter.body.id}`, { token: tok.mun1 }), 404, 'not-found');
    assert.equal((await c.get(`/api/v1/meters/${meter.body.id}`, { token: tok.mun2 })).status, 200, 'its meters follow the house');
  } finally {
    const back = await c.patch(`/api/v1/houses/${h.id}`, { token: tok.admin, body: { municipality_id: demo.m1 } });
    assert.equal(back.status, 200);
  }
  assert.equal((await c.get(`/api/v1/premises/${p.id}`, { token: tok.mun1 })).status, 200);
});

test('houses are listed in Russian address order with house numbers by value (д. 2 before д. 10, ё after е)', async () => {
  const addresses = ['ул. Сортировочная, д. 10', 'ул. Сортировочная, д. 2', 'ул. Сортировочная, д. 9а',
    'ул. Сортировочная, д. 9', 'ул. Сортировочная, д. 1'];
  for (const address of addresses) {
    const r = await c.post('/api/v1/houses', { token: tok.admin, body: { kind: 'mkd', address: `г. Светлогорск, ${address}`, municipality_id: demo.m1 } });
    assert.equal(r.status, 201, r.text);
  }
  const got = (await c.get(`/api/v1/houses?q=${encodeURIComponent('Сортировочная')}&per_page=50`, { token: tok.admin })).body.items
    .map((h) => h.address.replace('г. Светлогорск, ул. Сортировочная, ', ''));
  assert.deepEqual(got, ['д. 1', 'д. 2', 'д. 9', 'д. 9а', 'д. 10']);
  const words = ['Ёлочная', 'Елецкая', 'Жуковского'];
  for (const w of words) await c.post('/api/v1/houses', { token: tok.admin, body: { kind: 'izd', address: `пос. Сортир-${w}, 1`, municipality_id: demo.m1 } });
  const byLetter = (await c.get(`/api/v1/houses?q=${encodeURIComponent('пос. Сортир-')}&per_page=50`, { token: tok.admin })).body.items.map((h) => h.address);
  assert.deepEqual(byLetter, ['пос. Сортир-Елецкая, 1', 'пос. Сортир-Ёлочная, 1', 'пос. Сортир-Жуковского, 1']);
});

test('the ИЖД report is refused for an apartment building (field type) and is the default for an ИЖД', async () => {
  const mkd = demo.houses.find((h) => h.kind === 'mkd');
  const izd = demo.houses.find((h) => h.kind === 'izd');
  assertValidation(await c.get(`/api/v1/reports/house?house_id=${mkd.id}&type=izd`, { token: tok.admin }), ['type']);
  const auto = (await c.get(`/api/v1/reports/house?house_id=${izd.id}`, { token: tok.admin })).body;
  assert.equal(auto.title, 'Отчёт по индивидуальному жилому дому');
  const basic = (await c.get(`/api/v1/reports/house?house_id=${mkd.id}`, { token: tok.admin })).body;
  assert.equal(basic.title, 'Базовый отчёт по дому');
});

test('reports validate their arguments and follow scope', async () => {
  assertValidation(await c.get('/api/v1/reports/house?house_id=1&type=full&format=pdf', { token: tok.admin }), ['type', 'format']);
  assertValidation(await c.get('/api/v1/reports/house', { token: tok.admin }), ['house_id']);
  assertProblem(await c.get(`/api/v1/reports/house?house_id=${demo.h2.id}`, { token: tok.mun1 }), 404, 'not-found');
  assertProblem(await c.get('/api/v1/reports/house?fias_guid=00000000-0000-0000-0000-000000000000', { token: tok.admin }), 404, 'not-found');
});

test('data-quality figures add up and narrow to an organization', async () => {
  const all = (await c.get('/api/v1/registry/quality', { token: tok.admin })).body;
  assert.ok(all.premises > 0);
  assert.ok(all.with_cadastral <= all.premises && all.without_rights <= all.premises);
  assert.match(all.with_cadastral_percent, /^\d{1,3}\.\d{2}$/);
  const uo = (await c.get(`/api/v1/registry/quality?org_id=${demo.uo1}`, { token: tok.admin })).body;
  assert.ok(uo.premises > 0 && uo.premises < all.premises);
  const seenByUo = (await c.get('/api/v1/registry/quality', { token: tok.uo1 })).body;
  assert.ok(seenByUo.premises <= all.premises);
  assertValidation(await c.get('/api/v1/registry/quality?org_id=abc', { token: tok.admin }), ['org_id']);
});

test('the monthly notice counts premises whose owner or area changed in the month', async () => {
  const changes = await listAll(c, '/api/v1/registry/changes?per_page=500', tok.admin);
  const month = (changes[0]?.changed_on || new Date().toISOString()).slice(0, 7);
  const n = (await c.get(`/api/v1/registry/notice?period=${month}`, { token: tok.admin })).body;
  assert.equal(n.period, month);
  const inMonth = changes.filter((x) => x.changed_on.startsWith(month));
  const owners = new Set(inMonth.filter((x) => x.kind === 'owner').map((x) => x.premises_id));
  const areas = new Set(inMonth.filter((x) => x.kind === 'area').map((x) => x.premises_id));
  assert.equal(n.owners_changed, owners.size);
  assert.equal(n.areas_changed, areas.size);
  assert.equal(n.premises.filter((p) => p.owner_changed).length, owners.size);
  assertValidation(await c.get('/api/v1/registry/notice?period=2026-13', { token: tok.admin }), ['period']);
});
