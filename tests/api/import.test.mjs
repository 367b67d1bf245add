// Registry imports (docs/registry.md "Files"): `upravdom import houses FILE` and
// `upravdom import premises FILE [--date D] [--skip-invalid]` against the demo
// region, checked through the API. Rules proven here:
//  - a good file applies and is visible; importing it again changes nothing;
//  - a file with any error exits 2, lists every error as FILE:LINE:COLUMN and
//    changes nothing (the API listing and the audit log are the same after);
//  - an extract is a snapshot: a new owner ends the old right with the extract's
//    date; owner and area changes are recorded in registry_changes, exactly;
//  - --skip-invalid applies the good rows and writes FILE.rejected.csv with reasons;
//  - a Windows-1251 file imports exactly like its UTF-8 twin.
// The tests run in order: each builds on the state the previous one left.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, startServer, api, assertNoSanitizerReport } from '../lib/harness.mjs';
import { listAll, auditFind } from '../lib/helpers.mjs';

const DATA = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'data', 'registry');
const fixture = (name) => path.join(DATA, name);
const DEMO_UO_INN = '9990518530'; // the УО of municipality 1 (ОКТМО 99701000) of demo seed 1
const OUR_HOUSES = '99:01:02000'; // cadastral numbers of the fixture houses start so

let srv;
let c;
let admin;
let scratch;
let uo; // the demo УО's organization id

/** Runs the CLI against the server's database; returns {status, stdout, stderr}. */
function run(args) {
  const r = spawnSync(BIN, [...args, '--db', srv.db.url], { encoding: 'utf8', timeout: 120000, cwd: scratch });
  assertNoSanitizerReport(r.stderr, `upravdom ${args.join(' ')}`);
  assert.equal(r.signal, null, `upravdom ${args.join(' ')} was killed: ${r.stderr}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, out: r.stdout + r.stderr };
}

/** The summary's "name: N" lines as numbers. */
function summary(stdout) {
  const s = {};
  for (const m of stdout.matchAll(/^([a-z ]+): (\d+)$/gm)) s[m[1]] = Number(m[2]);
  return s;
}

function importOk(kind, file, extra = []) {
  const r = run(['import', kind, file, ...extra]);
  assert.equal(r.status, 0, `import ${kind} ${file}:\n${r.out}`);
  return summary(r.stdout);
}

const ourHouses = async () => (await listAll(c, `/api/v1/houses?q=${OUR_HOUSES}`, admin))
  .sort((a, b) => a.cadastral_number.localeCompare(b.cadastral_number));
const premisesOf = async (houseId) => (await c.get(`/api/v1/houses/${houseId}/premises`, { token: admin })).body.items;
const changesOn = async (date) => listAll(c, `/api/v1/registry/changes?from=${date}&to=${date}`, admin);
const imports = async () => auditFind(c, admin, 'action=registry.import', () => true);

/** Everything an import could change, as one comparable value. */
async function snapshot() {
  const houses = await ourHouses();
  const premises = {};
  for (const h of houses) {
    premises[h.id] = [];
    for (const p of await premisesOf(h.id))
      premises[h.id].push((await c.get(`/api/v1/premises/${p.id}`, { token: admin })).body);
  }
  const changes = await listAll(c, '/api/v1/registry/changes', admin);
  return JSON.stringify({ houses, premises, changes, imports: (await imports()).length });
}

before(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'upravdom-import-'));
  srv = await startServer();
  c = api(srv.url);
  admin = await c.login('admin');
  const orgs = (await c.get(`/api/v1/organizations?q=${DEMO_UO_INN}`, { token: admin })).body.items;
  assert.equal(orgs.length, 1, `the demo has the УО with INN ${DEMO_UO_INN} (fixtures name it)`);
  uo = orgs[0].id;
});

after(async () => {
  try { await srv?.stop(); } finally { rmSync(scratch, { recursive: true, force: true }); }
});

// ------------------------------------------------------------------ command line

test('import --help names both files; import premises --help names --date and --skip-invalid', () => {
  const top = run(['import', '--help']);
  assert.equal(top.status, 0, top.out);
  assert.match(top.stdout, /houses/);
  assert.match(top.stdout, /premises/);
  const p = run(['import', 'premises', '--help']);
  assert.equal(p.status, 0, p.out);
  for (const w of ['--date', '--skip-invalid', 'FILE']) assert.ok(p.stdout.includes(w), `help names ${w}: ${p.stdout}`);
});

test('import without FILE, with a missing file or a bad --date exits 2 and says why', () => {
  const none = run(['import', 'houses']);
  assert.equal(none.status, 2, none.out);
  assert.match(none.stderr, /FILE/);
  const missing = run(['import', 'premises', '/nonexistent/extract.csv']);
  assert.equal(missing.status, 2, missing.out);
  assert.ok(missing.stderr.includes('/nonexistent/extract.csv'), missing.stderr);
  const date = run(['import', 'premises', fixture('premises.csv'), '--date', '10.01.2025']);
  assert.equal(date.status, 2, date.out);
  assert.match(date.stderr, /10\.01\.2025/);
  const sub = run(['import', 'flats', 'x.csv']);
  assert.equal(sub.status, 2, sub.out);
  assert.ok(sub.stderr.includes('flats'), sub.stderr);
});

// ------------------------------------------------------------------ houses

test('a houses file with a bad cadastral number exits 2 naming FILE:3:3 and creates no house', async () => {
  const before = await snapshot();
  const file = fixture('houses_bad_cadastral.csv');
  const r = run(['import', 'houses', file]);
  assert.equal(r.status, 2, r.out);
  assert.ok(r.stderr.includes(`${file}:3:3: `), `FILE:LINE:COL of the bad cadastral number:\n${r.stderr}`);
  assert.match(r.stderr, /99:01:02:2/);
  assert.equal((await ourHouses()).length, 0);
  assert.equal(await snapshot(), before, 'nothing changed');
});

test('a good houses file creates its houses with their passport, manager and search text', async () => {
  const s = importOk('houses', fixture('houses.csv'));
  assert.equal(s['rows read'], 3);
  assert.equal(s['houses created'], 3);
  const [h1, h2, h3] = await ourHouses();
  assert.equal(h1.kind, 'mkd');
  assert.equal(h1.fias_guid, '5f1a2b3c-0001-4d2e-9f00-000000000001');
  assert.equal(h1.org_id, uo);
  assert.equal(h1.total_area, '3512.40');
  assert.equal(h1.common_area, '412.30');
  assert.equal(h1.year_built, 1975);
  assert.equal(h1.entrances, 4);
  assert.equal(h1.wall_material, 'панель');
  assert.equal(h1.emergency, false);
  assert.match(String(h1.lat), /^55\.123456/);
  assert.equal(h2.total_area, '5120.50');
  assert.equal(h3.kind, 'izd');
  assert.equal(h3.fias_guid ?? null, null);
  assert.equal(h3.emergency, true);
  assert.equal(h3.org_id ?? null, null);
  // Found by FIAS GUID (in any case) and by address, through the search text.
  const byFias = await listAll(c, '/api/v1/houses?q=5F1A2B3C-0001-4D2E-9F00-000000000002', admin);
  assert.deepEqual(byFias.map((h) => h.id), [h2.id]);
  const byAddress = await listAll(c, `/api/v1/houses?q=${encodeURIComponent('пер. садовый')}`, admin);
  assert.deepEqual(byAddress.map((h) => h.id), [h3.id]);
  // The managing organization's staff see the houses (house_orgs).
  const uo1 = await c.login('uo1');
  const seen = await listAll(c, `/api/v1/houses?q=${OUR_HOUSES}`, uo1);
  assert.deepEqual(seen.map((h) => h.id).sort(), [h1.id, h2.id].sort());
});

test('importing the same houses file again creates and updates nothing', async () => {
  const before = JSON.stringify(await ourHouses());
  const s = importOk('houses', fixture('houses.csv'));
  assert.equal(s['houses created'], 0);
  assert.equal(s['houses updated'], 0);
  assert.equal(JSON.stringify(await ourHouses()), before);
});

// ------------------------------------------------------------------ premises

test('a good extract creates premises and current rights; a premises it creates records no owner change', async () => {
  const s = importOk('premises', fixture('premises.csv'), ['--date', '2025-01-10']);
  assert.equal(s['rows read'], 11);
  assert.equal(s['rows applied'], 11);
  assert.equal(s['premises created'], 9);
  assert.equal(s['rights created'], 10);
  assert.equal(s['rights ended'], 0);
  assert.equal(s['changes recorded'], 0, 'the first rights of a new premises are its starting state');
  const [h1, h2, h3] = await ourHouses();
  const p1 = await premisesOf(h1.id);
  assert.deepEqual(p1.map((p) => p.number).sort(), ['1', '2', '3', '4', 'Н1']);
  const flat = (n) => p1.find((p) => p.number === n);
  assert.equal(flat('1').area, '52.30');
  assert.equal(flat('1').cadastral_number, '99:01:0200001:101');
  assert.equal(flat('1').rights[0].owner_name, 'Иванов Иван Иванович');
  assert.equal(flat('1').rights[0].right_type, 'own');
  assert.equal(flat('1').rights[0].encumbrance.kind, 'ипотека');
  assert.deepEqual(flat('2').rights.map((r) => [r.right_type, r.share]), [['shared', '1/2'], ['shared', '1/2']]);
  assert.deepEqual(flat('3').rights.map((r) => r.right_type), ['joint', 'joint']);
  assert.equal(flat('3').rights[0].reg_date, '2018-05-15', 'a DD.MM.YYYY date is stored as YYYY-MM-DD');
  assert.equal(flat('4').rights.length, 0, 'a premises with no registered right');
  assert.equal(flat('Н1').kind, 'nonresidential');
  assert.equal(flat('Н1').rights[0].owner_name, 'ООО "Ромашка; и партнёры"', 'a quoted field keeps ; and doubled quotes');
  assert.equal(flat('Н1').rights[0].owner_kind, 'legal');
  const p2 = await premisesOf(h2.id);
  assert.deepEqual(p2.map((p) => [p.number, p.kind]).sort(), [['1', 'residential'], ['2', 'residential'], ['М1', 'parking']]);
  assert.equal(p2.find((p) => p.number === 'М1').floor, -1);
  assert.equal((await premisesOf(h3.id)).length, 1);
  assert.equal((await changesOn('2025-01-10')).length, 0);
  const audit = await imports();
  assert.ok(audit.length >= 2, 'each applied import is in the audit log');
});

const BROKEN = [
  ['a bad INN check digit', 'premises_bad_inn.csv', [[2, 10, /ИНН/]]],
  ['shares of a premises adding up above 1', 'premises_shares.csv', [[4, 12, /долей.*больше 1.*7\/6/]]],
  ['an unknown house', 'premises_unknown_house.csv', [[9, 1, /99:01:0299999:9.*не найден/]]],
  ['the same right given twice', 'premises_duplicate.csv', [[3, 13, /уже указано в строке 2/]]],
  ['an unterminated quote', 'premises_unterminated.csv', [[10, 8, /кавычк/]]],
];
for (const [what, name, errors] of BROKEN) {
  test(`an extract with ${what} exits 2 listing FILE:LINE:COL and leaves the database unchanged`, async () => {
    const before = await snapshot();
    const file = fixture(name);
    const r = run(['import', 'premises', file, '--date', '2025-03-01']);
    assert.equal(r.status, 2, r.out);
    const listed = r.stderr.split('\n').filter((l) => l.startsWith(`${file}:`));
    assert.equal(listed.length, errors.length, `errors listed:\n${r.stderr}`);
    for (const [line, col, msg] of errors) {
      const l = listed.find((x) => x.startsWith(`${file}:${line}:${col}: `));
      assert.ok(l, `${file}:${line}:${col} is listed:\n${r.stderr}`);
      assert.match(l, msg);
    }
    assert.match(r.stderr, /nothing was changed/);
    assert.equal(await snapshot(), before, 'nothing changed');
  });
}

test('a house passport with every column problem listed at once, each at its own column', async () => {
  const file = path.join(scratch, 'houses_many.csv');
  writeFileSync(file, 'адрес;фиас;октмо;тип;управляющая_организация_инн;общая_площадь;широта\n'
    + 'ул. Одна, 1;not-a-guid;99701000;МКД;;12,345;55\n'
    + ';;12345;башня;7700000000;;91\n');
  const r = run(['import', 'houses', file]);
  assert.equal(r.status, 2, r.out);
  for (const at of ['2:2', '2:6', '3:1', '3:2', '3:3', '3:4', '3:5', '3:7'])
    assert.ok(r.stderr.includes(`${file}:${at}: `), `${at} listed:\n${r.stderr}`);
});

test('an unknown column is an error at its place in the header', async () => {
  const file = path.join(scratch, 'unknown_column.csv');
  writeFileSync(file, 'дом;помещение;тип_помещения;площадь;цвет\n99:01:0200001:1;1;жилое;52,30;синий\n');
  const r = run(['import', 'premises', file, '--date', '2025-03-01']);
  assert.equal(r.status, 2, r.out);
  assert.ok(r.stderr.includes(`${file}:1:5: `), r.stderr);
  assert.match(r.stderr, /цвет/);
});

test('importing the same extract again changes nothing and records no change', async () => {
  const before = await snapshot();
  const s = importOk('premises', fixture('premises.csv'), ['--date', '2025-02-01']);
  for (const k of ['premises created', 'premises updated', 'rights created', 'rights updated', 'rights ended', 'changes recorded'])
    assert.equal(s[k], 0, k);
  assert.equal((await changesOn('2025-02-01')).length, 0);
  const after = JSON.parse(await snapshot());
  const was = JSON.parse(before);
  assert.deepEqual(after.premises, was.premises, 'premises and rights are as they were');
  assert.deepEqual(after.changes, was.changes);
});

test('the Windows-1251 copy of the extract imports exactly like its UTF-8 twin: no change at all', async () => {
  const before = JSON.parse(await snapshot());
  const r = run(['import', 'premises', fixture('premises_cp1251.csv'), '--date', '2025-02-02']);
  assert.equal(r.status, 0, r.out);
  assert.match(r.stdout, /Windows-1251/);
  const s = summary(r.stdout);
  assert.equal(s['rows applied'], 11);
  for (const k of ['premises created', 'premises updated', 'rights created', 'rights updated', 'rights ended', 'changes recorded'])
    assert.equal(s[k], 0, `${k}: the Cyrillic names and words read the same`);
  assert.deepEqual(JSON.parse(await snapshot()).premises, before.premises);
});

test('a second extract with a new owner and a new area ends the old right and records exactly those two changes', async () => {
  const s = importOk('premises', fixture('premises_2.csv'), ['--date', '2025-06-01']);
  assert.equal(s['rights created'], 1);
  assert.equal(s['rights ended'], 1);
  assert.equal(s['premises updated'], 1);
  assert.equal(s['changes recorded'], 2);
  const changes = await changesOn('2025-06-01');
  assert.equal(changes.length, 2, JSON.stringify(changes));
  const owner = changes.find((x) => x.kind === 'owner');
  const area = changes.find((x) => x.kind === 'area');
  assert.equal(owner.old_value, 'Иванов Иван Иванович');
  assert.equal(owner.new_value, 'Новиков Николай Николаевич');
  assert.equal(area.old_value, '48.10');
  assert.equal(area.new_value, '48.60');
  assert.equal(owner.source, 'premises_2.csv');
  const [h1] = await ourHouses();
  const p1 = (await premisesOf(h1.id)).find((p) => p.number === '1');
  assert.equal(owner.premises_id, p1.id);
  assert.deepEqual(p1.rights.map((r) => r.owner_name), ['Новиков Николай Николаевич'], 'the current right is the new one');
  const all = (await c.get(`/api/v1/premises/${p1.id}`, { token: admin })).body.rights;
  const old = all.find((r) => r.owner_name === 'Иванов Иван Иванович');
  assert.equal(old.end_date, '2025-06-01', 'the old right ended on the extract date');
  const p2 = (await premisesOf(h1.id)).find((p) => p.number === '2');
  assert.equal(p2.area, '48.60');
});

test('--skip-invalid applies the good rows and writes the rejected one to FILE.rejected.csv with its reason', async () => {
  const file = path.join(scratch, 'premises_bad_inn.csv');
  copyFileSync(fixture('premises_bad_inn.csv'), file);
  const r = run(['import', 'premises', file, '--date', '2025-07-01', '--skip-invalid']);
  assert.equal(r.status, 0, r.out);
  const s = summary(r.stdout);
  assert.equal(s['rows applied'], 10);
  assert.equal(s['rows rejected'], 1);
  assert.ok(r.stderr.includes(`${file}:2:10: `), 'the reason is also printed');
  const rejected = `${file}.rejected.csv`;
  assert.ok(existsSync(rejected), r.out);
  const lines = readFileSync(rejected, 'utf8').replace(/^\uFEFF/, '').trim().split('\n');
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.match(lines[0], /;причина$/);
  assert.ok(lines[1].includes('770123456704'), 'the rejected row as it was');
  assert.match(lines[1], /ИНН.*контрольн/);
  // The good rows applied: premises 2 is back to 48.10 m²; the rejected premises 1 kept its owner.
  const [h1] = await ourHouses();
  const prem = await premisesOf(h1.id);
  assert.equal(prem.find((p) => p.number === '2').area, '48.10');
  assert.deepEqual(prem.find((p) => p.number === '1').rights.map((x) => x.owner_name), ['Новиков Николай Николаевич']);
  const changes = await changesOn('2025-07-01');
  assert.deepEqual(changes.map((x) => x.kind), ['area']);
});

test('an extract that leaves a premises out ends its rights (the extract is a snapshot of its houses)', async () => {
  const file = path.join(scratch, 'premises_without_h3.csv');
  // House 3 listed with its premises but no owner: its right ends.
  const text = readFileSync(fixture('premises.csv'), 'utf8')
    .replace(/^99:01:0200002:5;1;.*$/m, '99:01:0200002:5;1;жилое;84,20;;;;;;;;;;;;;');
  writeFileSync(file, text);
  const s = importOk('premises', file, ['--date', '2025-08-01']);
  assert.ok(s['rights ended'] >= 1);
  const [, , h3] = await ourHouses();
  assert.equal((await premisesOf(h3.id))[0].rights.length, 0);
  const ended = (await changesOn('2025-08-01')).filter((x) => x.house_id === h3.id);
  assert.deepEqual(ended.map((x) => [x.kind, x.old_value, x.new_value ?? null]), [['owner', 'Смирнов Алексей Иванович', null]]);
});

test('a big extract (5,000 rows: more than one batch of writes) is applied whole, and again changes nothing', async () => {
  const [, h2] = await ourHouses();
  const head = 'дом;помещение;тип_помещения;площадь;собственник;вид_права;доля;номер_регистрации;дата_регистрации;обременение';
  const rows = [];
  for (let i = 1; rows.length < 5000; i++) {
    const area = `${30 + (i % 70)},${String(i % 100).padStart(2, '0')}`;
    if (i % 4 === 0) {
      for (const k of [1, 2]) rows.push(`${h2.fias_guid};${i};жилое;${area};Совладелец ${i}-${k};общая долевая;1/2;R-${i}-${k};2020-01-01;`);
    } else {
      rows.push(`${h2.fias_guid};${i};жилое;${area};Владелец ${i};собственность;;R-${i};2020-01-01;${i % 10 === 1 ? 'ипотека' : ''}`);
    }
  }
  const file = path.join(scratch, 'big.csv');
  writeFileSync(file, `${head}\n${rows.join('\n')}\n`);
  const s = importOk('premises', file, ['--date', '2025-09-01']);
  assert.equal(s['rows applied'], 5000);
  assert.equal(s['rights created'], 5000);
  const prem = await premisesOf(h2.id);
  const numbered = prem.filter((p) => /^\d+$/.test(p.number));
  assert.equal(numbered.length, s['premises created'] + 2, 'every premises of the file (1 and 2 existed)');
  assert.equal(numbered.reduce((n, p) => n + p.rights.length, 0), 5000, 'every right is current');
  const p41 = numbered.find((p) => p.number === '41');
  assert.equal(p41.rights[0].encumbrance?.kind, 'ипотека');
  assert.equal(prem.find((p) => p.number === 'М1').rights.length, 0, 'a premises left out of the extract lost its right');
  const again = importOk('premises', file, ['--date', '2025-09-02']);
  assert.equal(again['changes recorded'], 0);
  assert.equal(again['rights created'], 0);
  // One owner changed in the middle of the file: exactly one change.
  writeFileSync(file, `${head}\n${rows.join('\n').replace('Владелец 2501;', 'Новый владелец 2501;')}\n`);
  const one = importOk('premises', file, ['--date', '2025-09-03']);
  assert.equal(one['rights created'], 1);
  assert.equal(one['rights ended'], 1);
  const changes = await changesOn('2025-09-03');
  assert.deepEqual(changes.map((x) => [x.old_value, x.new_value]), [['Владелец 2501', 'Новый владелец 2501']]);
});

test('a passport that gives a house a manager and another municipality updates both, and what hangs on the house follows', async () => {
  const [h1, , h3] = await ourHouses();
  const file = path.join(scratch, 'houses_moved.csv');
  const lines = readFileSync(fixture('houses.csv'), 'utf8').trim().split('\n');
  writeFileSync(file, [lines[0],
    lines[1].replace(';99701000;', ';99701001;'),
    lines[3].replace(';ИЖД;;', `;ИЖД;${DEMO_UO_INN};`)].join('\n') + '\n');
  const s = importOk('houses', file);
  assert.equal(s['houses updated'], 2);
  assert.equal(s['houses created'], 0);
  const mun1 = await c.login('mun1');
  const mun2 = await c.login('mun2');
  const moved = (await c.get(`/api/v1/houses/${h1.id}`, { token: admin })).body;
  assert.notEqual(moved.municipality_id, h1.municipality_id);
  assert.equal((await c.get(`/api/v1/houses/${h1.id}/premises`, { token: mun2 })).status, 200);
  assert.equal((await c.get(`/api/v1/houses/${h1.id}/premises`, { token: mun1 })).status, 404);
  const seen = await listAll(c, '/api/v1/registry/changes', mun2);
  assert.ok(seen.some((x) => x.house_id === h1.id), 'the house\'s change history moved with it');
  assert.ok(!(await listAll(c, '/api/v1/registry/changes', mun1)).some((x) => x.house_id === h1.id));
  const uo1 = await c.login('uo1');
  assert.ok((await listAll(c, `/api/v1/houses?q=${OUR_HOUSES}`, uo1)).some((h) => h.id === h3.id), 'the new manager sees the house');
  assert.equal((await c.get(`/api/v1/houses/${h3.id}`, { token: admin })).body.org_id, uo);
});
