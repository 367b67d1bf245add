// The meters list of the web pages and its export (docs/meters.md "Web pages and export",
// docs/api.md): GET /api/v1/meters/overview shares the filters and the scope of GET /api/v1/meters
// and adds each meter's latest accepted reading, its organization's window and the period a reading
// given now counts for on the municipality's wall clock; GET /api/v1/meters/export is the same
// filtered list as CSV and XLSX (read back with openpyxl) with Russian headings, scoped exactly
// like the list; GET /api/v1/meters/{id}/rejections lists the refused submissions. Runs on both
// backends against the demo region; creates its own meters (the demo may or may not have some).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, api } from '../lib/harness.mjs';
import { assertProblem, assertValidation, listAll } from '../lib/helpers.mjs';
import { LOGINS, discoverMeters, makeMeter, localToday, periodOf, nextPeriod } from '../lib/meters.mjs';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HEADINGS = ['Адрес дома', 'Помещение', 'Вид прибора', 'Ресурс', 'Тарифная зона', 'Заводской номер',
  'Принимает показания', 'Дата установки', 'Следующая поверка', 'Состояние', 'Единица',
  'Последнее показание', 'Период показания', 'Расход', 'Передано (местное время)', 'Канал',
  'Отклонено за период'];

let srv;
let c;
const tok = {};
let d;
const m = {}; // the meters this file creates

before(async () => {
  srv = await startServer();
  c = api(srv.url);
  for (const login of LOGINS) tok[login] = await c.login(login);
  d = await discoverMeters(c, tok);
  // Municipality 1 (Europe/Moscow): resident1's own premises, a neighbour's, an expired one.
  m.own = await makeMeter(c, tok.admin, { premises_id: d.own1, org_id: d.rso1, initial_value: '100' });
  m.other = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: d.rso1, resource: 'hot_water' });
  m.expired = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: d.rso1, resource: 'electricity',
    verified_on: '2018-01-01', next_verification_on: '2025-01-01' });
  // Municipality 2 (Asia/Yekaterinburg): another organization's meter in resident2's house.
  m.foreign = await makeMeter(c, tok.admin, { premises_id: d.own2, org_id: d.uo2, serial: `FOREIGN-${process.pid}` });
  const r = await c.post('/api/v1/readings', { token: tok.admin, body: { meter_id: m.foreign.id, value: '7', period: '2025-01' } });
  assert.equal(r.status, 201, r.text);
});

after(async () => { await srv?.stop(); });

const get = async (p, login) => {
  const r = await c.get(p, { token: tok[login] });
  assert.equal(r.status, 200, `GET ${p} as ${login}: ${r.text}`);
  return r.body;
};
const submit = (login, body) => c.post('/api/v1/readings', { token: tok[login], body });
const row = async (id, login = 'admin', query = '') => {
  const all = await listAll(c, `/api/v1/meters/overview${query ? `?${query}` : ''}`, tok[login]);
  return all.find((x) => x.id === id);
};

/** Sets an organization's window to the days [first, last]. */
async function setWindow(orgId, first, last) {
  const r = await c.patch(`/api/v1/organizations/${orgId}/reading-settings`, { token: tok.admin,
    body: { first_day: first, last_day: last } });
  assert.equal(r.status, 200, r.text);
}

/** The raw bytes of an authenticated GET. */
async function download(p, login) {
  const res = await fetch(`${srv.url}${p}`, { headers: { Authorization: `Bearer ${tok[login]}` } });
  return { status: res.status, type: res.headers.get('content-type') || '',
    disposition: res.headers.get('content-disposition') || '', body: Buffer.from(await res.arrayBuffer()) };
}

/** Every row of the first sheet, read with a real XLSX reader (openpyxl). */
function readXlsx(buf) {
  const dir = mkdtempSync(path.join(tmpdir(), 'upravdom-xlsx-'));
  try {
    const file = path.join(dir, 'm.xlsx');
    writeFileSync(file, buf);
    const py = 'import json,sys,openpyxl\nws=openpyxl.load_workbook(sys.argv[1]).active\n' +
      'print(json.dumps([[c.value for c in r] for r in ws.iter_rows()], ensure_ascii=False))';
    // Debian's python3, which has python3-openpyxl (not another python on PATH).
    const r = spawnSync('/usr/bin/python3', ['-c', py, file], { encoding: 'utf8', maxBuffer: 256 << 20 });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

/** The data rows under the heading row of an exported sheet, keyed by heading. */
function sheetRows(rows) {
  const head = rows.findIndex((r) => r[0] === HEADINGS[0]);
  assert.ok(head > 0, 'the heading row is there, below the facts');
  assert.deepEqual(rows[head].slice(0, HEADINGS.length), HEADINGS, 'Russian column headings');
  return rows.slice(head + 1).filter((r) => r.some((v) => v !== null && v !== ''))
    .map((r) => Object.fromEntries(HEADINGS.map((name, i) => [name, r[i] ?? null])));
}

// ------------------------------------------------------------------ the overview

test('scope and filters of the overview are those of GET /api/v1/meters, for every role', async () => {
  const queries = ['', `house_id=${d.h1.id}`, 'status=expired', 'resource=hot_water', `premises_id=${d.other1}`,
    `period=2025-01&no_reading=true`, `period=2025-01&rejected=true`];
  for (const login of ['admin', 'mun1', 'mun2', 'uo1', 'uo2', 'rso1', 'resident1', 'resident2']) {
    for (const q of queries) {
      const list = (await listAll(c, `/api/v1/meters${q ? `?${q}` : ''}`, tok[login])).map((x) => x.id);
      const overview = (await listAll(c, `/api/v1/meters/overview${q ? `?${q}` : ''}`, tok[login])).map((x) => x.id);
      assert.deepEqual(overview, list, `${login} ?${q}`);
    }
  }
  const expired = await listAll(c, '/api/v1/meters/overview?status=expired', tok.admin);
  assert.ok(expired.some((x) => x.id === m.expired.id) && !expired.some((x) => x.id === m.own.id));
});

test('each row carries its place, organization and the latest accepted reading; a correction replaces it', async () => {
  const fresh = await row(m.other.id);
  assert.equal(fresh.address, d.h1.address);
  assert.ok(fresh.premises_number, 'the premises number');
  assert.equal(fresh.premises_kind, 'residential');
  assert.equal(fresh.last_reading, null, 'no reading yet');
  assert.equal(fresh.rejected, null, 'no period, no count of refusals');
  const orgs = await listAll(c, '/api/v1/organizations', tok.admin);
  const rso1 = orgs.find((o) => o.id === d.rso1);
  assert.equal(fresh.org_name, rso1.short_name || rso1.name);
  for (const [period, value] of [['2025-01', '10'], ['2025-03', '25'], ['2025-02', '12']]) {
    assert.equal((await submit('admin', { meter_id: m.other.id, value, period })).status, 201);
  }
  let x = await row(m.other.id);
  assert.equal(x.last_reading.period, '2025-03', 'the latest period, not the latest submission');
  assert.equal(x.last_reading.value, '25.000');
  assert.equal(x.last_reading.consumption, '13.000');
  const fix = await submit('admin', { meter_id: m.other.id, value: '24', period: '2025-03', correction: true });
  assert.equal(fix.status, 201, fix.text);
  x = await row(m.other.id);
  assert.equal(x.last_reading.id, fix.body.id, 'the correction, not the superseded reading');
  assert.equal(x.last_reading.value, '24.000');
});

test('the window and the period a reading given now counts for, on the municipality\'s wall clock', async () => {
  const t1 = localToday('Europe/Moscow');
  await setWindow(d.rso1, Math.max(1, t1.d - 1), Math.min(31, t1.d + 1));
  let x = await row(m.own.id, 'resident1');
  assert.deepEqual(x.window, { first_day: Math.max(1, t1.d - 1), last_day: Math.min(31, t1.d + 1), timezone: 'Europe/Moscow' });
  assert.equal(x.now.date, `${periodOf(t1.y, t1.m)}-${String(t1.d).padStart(2, '0')}`);
  assert.equal(x.now.in_window, true);
  assert.equal(x.now.period, periodOf(t1.y, t1.m));
  // The same meter, the window moved before today: a reading given now is kept for the next period,
  // and the submission says so.
  if (t1.d >= 2) {
    await setWindow(d.rso1, 1, t1.d - 1);
    x = await row(m.own.id, 'resident1');
    assert.equal(x.now.in_window, false);
    assert.equal(x.now.period, nextPeriod(t1));
    const r = await submit('resident1', { meter_id: m.own.id, value: '101' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.period, x.now.period, 'the overview told the period the reading went to');
    assert.match(r.body.message, /вне окна приёма/);
  }
  // Municipality 2 is on Asia/Yekaterinburg: its date is that zone's, whatever the server's.
  const t2 = localToday('Asia/Yekaterinburg');
  const y = await row(m.foreign.id, 'admin');
  assert.equal(y.window.timezone, 'Asia/Yekaterinburg');
  assert.equal(y.now.date, `${periodOf(t2.y, t2.m)}-${String(t2.d).padStart(2, '0')}`);
  await setWindow(d.rso1, 20, 25);
});

test('refusals of the period are counted per meter and listed with their rule at /meters/{id}/rejections', async () => {
  const meter = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: d.rso1, initial_value: '50' });
  const low = await submit('admin', { meter_id: meter.id, value: '40', period: '2025-02' });
  assertValidation(low, ['value']);
  assert.equal(low.body.rule, 'lower_than_previous');
  const x = await row(meter.id, 'admin', 'period=2025-02');
  assert.equal(x.rejected, 1);
  assert.equal((await row(meter.id, 'admin', 'period=2025-03')).rejected, 0, 'another period: none');
  const list = await get(`/api/v1/meters/${meter.id}/rejections`, 'uo1');
  assert.equal(list.total, 1);
  assert.equal(list.items[0].rule, 'lower_than_previous');
  assert.equal(list.items[0].period, '2025-02');
  assert.equal(list.items[0].value, '40.000');
  assert.equal(list.items[0].message, low.body.errors[0].message, 'the message the submitter saw');
  assert.equal((await get(`/api/v1/meters/${m.own.id}/rejections`, 'resident1')).total, 0);
  assertProblem(await c.get(`/api/v1/meters/${meter.id}/rejections`, { token: tok.resident1 }), 404, 'not-found');
  assertProblem(await c.get(`/api/v1/meters/${meter.id}/rejections`, { token: tok.uo2 }), 404, 'not-found');
});

test('bad filters and formats are 422 naming the parameter', async () => {
  assertValidation(await c.get('/api/v1/meters/overview?status=broken&resource=steam', { token: tok.admin }),
    ['status', 'resource']);
  assertValidation(await c.get('/api/v1/meters/overview?no_reading=true', { token: tok.admin }), ['period']);
  assertValidation(await c.get('/api/v1/meters/export?format=pdf', { token: tok.admin }), ['format']);
  assertValidation(await c.get('/api/v1/meters/export?period=2025-13', { token: tok.admin }), ['period']);
  assertProblem(await c.get('/api/v1/meters/export'), 401, 'unauthenticated');
});

// ------------------------------------------------------------------ the export

test('XLSX export: the filtered list (expired verification) with Russian headings, read back by openpyxl', async () => {
  const expected = await listAll(c, '/api/v1/meters/overview?status=expired', tok.admin);
  const x = await download('/api/v1/meters/export?status=expired&format=xlsx', 'admin');
  assert.equal(x.status, 200, x.body.toString());
  assert.equal(x.type, XLSX);
  assert.match(x.disposition, /^attachment; filename="meters-\d{8}\.xlsx"$/);
  const rows = readXlsx(x.body);
  assert.equal(rows[0][0], 'Приборы учёта');
  assert.ok(rows.some((r) => r[0] === 'Отбор' && r[1] === 'истёк срок поверки'), 'the filter is written on top');
  const data = sheetRows(rows);
  assert.equal(data.length, expected.length, 'one row per meter of the list');
  assert.ok(data.every((r) => r['Состояние'] === 'истёк срок поверки'));
  const mine = data.find((r) => r['Заводской номер'] === m.expired.serial);
  assert.ok(mine, 'the expired meter is in the file');
  assert.equal(mine['Адрес дома'], d.h1.address);
  assert.equal(mine['Ресурс'], 'Электроэнергия');
  assert.equal(mine['Вид прибора'], 'ИПУ');
  assert.equal(mine['Следующая поверка'], '2025-01-01');
  assert.equal(mine['Единица'], 'кВт·ч');
  assert.ok(!data.some((r) => r['Заводской номер'] === m.own.serial), 'an active meter is not');
});

test('CSV export: UTF-8 with BOM and semicolons; the last reading, its period and the period\'s refusals', async () => {
  const meter = await makeMeter(c, tok.admin, { premises_id: d.other1, org_id: d.rso1, resource: 'gas', initial_value: '3' });
  assert.equal((await submit('admin', { meter_id: meter.id, value: '2', period: '2025-04' })).status, 422);
  assert.equal((await submit('admin', { meter_id: meter.id, value: '8.5', period: '2025-04' })).status, 201);
  const r = await download(`/api/v1/meters/export?format=csv&resource=gas&period=2025-04&house_id=${d.h1.id}`, 'uo1');
  assert.equal(r.status, 200, r.body.toString());
  assert.match(r.type, /^text\/csv/);
  assert.deepEqual([...r.body.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const lines = r.body.toString('utf8').slice(1).split('\r\n');
  assert.ok(lines.includes(HEADINGS.join(';')), 'the heading line');
  const line = lines.find((l) => l.includes(`;${meter.serial};`));
  assert.ok(line, 'the meter is in the file');
  const cells = line.split(';');
  const at = (name) => cells[HEADINGS.indexOf(name)];
  assert.equal(at('Ресурс'), 'Газ');
  assert.equal(at('Последнее показание'), '8.500');
  assert.equal(at('Период показания'), '2025-04');
  assert.equal(at('Расход'), '5.500');
  assert.equal(at('Канал'), 'оператор');
  assert.equal(at('Отклонено за период'), '1');
  const total = (await get(`/api/v1/meters/overview?resource=gas&period=2025-04&house_id=${d.h1.id}`, 'uo1')).total;
  assert.equal(lines.slice(lines.indexOf(HEADINGS.join(';')) + 1).filter(Boolean).length, total);
});

test('tenancy: an export holds only the caller\'s meters — another organization\'s are not in the file', async () => {
  for (const [login, sees, hidden] of [
    ['uo1', [m.own, m.other, m.expired], [m.foreign]],
    ['rso1', [m.own, m.other, m.expired], [m.foreign]],
    ['mun1', [m.own, m.other], [m.foreign]],
    ['uo2', [m.foreign], [m.own, m.other, m.expired]],
    ['mun2', [m.foreign], [m.own, m.expired]],
    ['resident1', [m.own], [m.other, m.expired, m.foreign]],
  ]) {
    const expected = await listAll(c, '/api/v1/meters', tok[login]);
    const x = await download('/api/v1/meters/export?format=xlsx', login);
    assert.equal(x.status, 200, `${login}: ${x.body.toString().slice(0, 300)}`);
    const data = sheetRows(readXlsx(x.body));
    assert.equal(data.length, expected.length, `${login}: the file has the rows of the list`);
    const serials = new Set(data.map((r) => r['Заводской номер']));
    for (const s of sees) assert.ok(serials.has(s.serial), `${login} exports ${s.serial}`);
    for (const s of hidden) assert.ok(!serials.has(s.serial), `${login} must not export ${s.serial}`);
    const addresses = new Set(data.map((r) => r['Адрес дома']));
    if (hidden.includes(m.foreign)) assert.ok(!addresses.has(d.h2.address), `${login}: no address of municipality 2`);
  }
  // A filter naming a foreign house gives an empty file, not its meters.
  const x = await download(`/api/v1/meters/export?format=csv&house_id=${d.h2.id}`, 'uo1');
  assert.equal(x.status, 200);
  assert.ok(!x.body.toString('utf8').includes(m.foreign.serial));
});
