// Organizations: create / list / get / patch, validation of ИНН, КПП, ОГРН,
// uniqueness of ИНН+КПП, audit. Contract: docs/api.md ("organization", Routes).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api } from '../lib/harness.mjs';
import {
  assertProblem, assertValidation, assertList, listAll, auditFind, discoverDemo,
  orgBody, inn10, inn12, ogrn13, ogrn15, breakCheckDigit, ISO_UTC,
} from '../lib/helpers.mjs';

const ORGS = '/api/v1/organizations';
const FIELDS = ['id', 'region_id', 'municipality_id', 'kind', 'name', 'short_name', 'inn', 'kpp', 'ogrn',
  'address', 'phone', 'email', 'website', 'created_at', 'bank_name', 'bic', 'settlement_account', 'corr_account',
  'dispatch_phone'];

// Bank details with valid control keys (DOMAIN.md §4, Bank of Russia method): the р/с
// 40702810138250123017 and the к/с 30101810400000000225 of the BIC 044525225.
const BANK = {
  bank_name: 'ПАО Сбербанк', bic: '044525225', settlement_account: '40702810138250123017',
  corr_account: '30101810400000000225', dispatch_phone: '+7 (999) 100-00-01',
};

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

async function create(body, token = admin, headers = {}) {
  const r = await c.post(ORGS, { token, body, headers });
  assert.equal(r.status, 201, `POST ${JSON.stringify(body)} → ${r.status} ${r.text}`);
  return r;
}

async function total(query = '') {
  return (await c.get(`${ORGS}?per_page=1${query}`, { token: admin })).body.total;
}

// ------------------------------------------------------------------ create / get

test('POST as admin creates a legal entity: 201 with every field of the object', async () => {
  const body = orgBody(demo.m1);
  const r = await create(body);
  assert.match(r.headers.get('content-type') || '', /^application\/json/);
  const o = r.body;
  assert.deepEqual(Object.keys(o).sort(), [...FIELDS].sort(), 'exactly the documented fields');
  assert.ok(Number.isInteger(o.id) && o.id > 0);
  for (const [k, v] of Object.entries(body)) assert.deepEqual(o[k], v, `field ${k}`);
  assert.equal(o.region_id, demo.region, 'region_id follows from the municipality');
  assert.match(o.created_at, ISO_UTC);
  assert.ok(Math.abs(Date.parse(o.created_at) - Date.now()) < 5 * 60e3, 'created_at is now');
});

test('POST creates an individual entrepreneur: 12-digit INN, no KPP, 15-digit OGRNIP', async () => {
  const body = orgBody(demo.m2, { kind: 'tko', inn: inn12(), ogrn: ogrn15() });
  delete body.kpp;
  const r = await create(body);
  assert.equal(r.body.inn, body.inn);
  assert.equal(r.body.ogrn, body.ogrn);
  assert.equal(r.body.kpp ?? null, null, 'no KPP');
  assert.equal(r.body.municipality_id, demo.m2);
});

test('optional fields may be omitted and read back as null', async () => {
  const { municipality_id, kind, name, inn, kpp, ogrn } = orgBody(demo.m1, { kind: 'eirc' });
  const r = await create({ municipality_id, kind, name, inn, kpp, ogrn });
  for (const k of ['short_name', 'address', 'phone', 'email', 'website', 'bank_name', 'bic', 'settlement_account',
    'corr_account', 'dispatch_phone']) assert.equal(r.body[k], null, `${k} is null`);
});

test('bank details and the dispatch phone round-trip through POST, GET, the list and PATCH', async () => {
  const made = (await create(orgBody(demo.m1, { kind: 'tko', ...BANK }))).body;
  for (const [k, v] of Object.entries(BANK)) assert.equal(made[k], v, `POST answers ${k}`);
  assert.deepEqual((await c.get(`${ORGS}/${made.id}`, { token: admin })).body, made, 'GET answers them');
  const listed = (await c.get(`${ORGS}?q=${made.inn}`, { token: admin })).body.items;
  assert.deepEqual(listed, [made], 'the list answers them');
  // Another bank: the р/с 40702810900000002851 of BIC 044030827 (its key checked with that BIC).
  const change = { bic: '044030827', settlement_account: '40702810900000002851', corr_account: null, bank_name: 'Банк 2' };
  const r = await c.patch(`${ORGS}/${made.id}`, { token: admin, body: change });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, { ...made, ...change });
  const cleared = await c.patch(`${ORGS}/${made.id}`, { token: admin,
    body: { bic: '', settlement_account: '', bank_name: null, dispatch_phone: '' } });
  assert.equal(cleared.status, 200, cleared.text);
  for (const k of ['bic', 'settlement_account', 'bank_name', 'dispatch_phone']) assert.equal(cleared.body[k], null, `${k} cleared ("" or null)`);
});

test('a bank account whose control key does not match the BIC answers 422 naming that account; nothing is stored', async () => {
  const cases = [
    [{ ...BANK, settlement_account: breakCheckDigit(BANK.settlement_account) }, 'settlement_account'],
    [{ ...BANK, settlement_account: '40702810038250123017' }, 'settlement_account'], // the key digit (9th) changed
    [{ ...BANK, corr_account: '30101810500000000225' }, 'corr_account'],
    [{ ...BANK, bic: '044030827' }, 'settlement_account'], // a valid BIC of another bank: the keys no longer match
    [{ ...BANK, bic: '123456789' }, 'bic'],
    [{ ...BANK, bic: undefined }, 'bic'], // an account needs the BIC its key is computed with
    [{ corr_account: BANK.corr_account }, 'bic'],
    [{ ...BANK, settlement_account: '4070281013825012301' }, 'settlement_account'], // 19 digits
  ];
  for (const [bank, field] of cases) {
    const body = JSON.parse(JSON.stringify(orgBody(demo.m1, bank)));
    const t = await total();
    assertValidation(await c.post(ORGS, { token: admin, body }), [field], JSON.stringify(bank));
    assert.equal(await total(), t, 'nothing created');
  }
  const made = (await create(orgBody(demo.m1, BANK))).body;
  assertValidation(await c.patch(`${ORGS}/${made.id}`, { token: admin, body: { corr_account: '30101810400000000226' } }),
    ['corr_account'], 'PATCH with a bad к/с');
  assert.deepEqual((await c.get(`${ORGS}/${made.id}`, { token: admin })).body, made, 'unchanged');
});

test('GET /organizations/{id} answers the object as created', async () => {
  const made = (await create(orgBody(demo.m1, { kind: 'rso' }))).body;
  const r = await c.get(`${ORGS}/${made.id}`, { token: admin });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, made);
});

test('GET of an unknown organization answers 404 problem+json', async () => {
  assertProblem(await c.get(`${ORGS}/987654`, { token: admin }), 404, 'not-found', 'unknown id');
});

test('routes need a session: 401 without one', async () => {
  assertProblem(await c.get(ORGS), 401, 'unauthenticated', 'GET list');
  assertProblem(await c.get(`${ORGS}/${demo.orgs[0].id}`), 401, 'unauthenticated', 'GET one');
  assertProblem(await c.post(ORGS, { body: orgBody(demo.m1) }), 401, 'unauthenticated', 'POST');
  assertProblem(await c.patch(`${ORGS}/${demo.orgs[0].id}`, { body: { phone: '1' } }), 401, 'unauthenticated', 'PATCH');
});

// ------------------------------------------------------------------ list

test('the list answers {items, page, per_page, total} with page 1 and per_page 50 by default', async () => {
  const b = assertList(await c.get(ORGS, { token: admin }), 'GET list');
  assert.equal(b.page, 1);
  assert.equal(b.per_page, 50);
  assert.ok(b.total >= 12, `demo has at least 3×4 organizations (total ${b.total})`);
  assert.equal(b.items.length, Math.min(50, b.total));
  for (const o of b.items) assert.deepEqual(Object.keys(o).sort(), [...FIELDS].sort());
});

test('pages of per_page=5 cover the whole list once, in a stable order', async () => {
  const all = await listAll(c, ORGS, admin);
  const seen = [];
  let totalSeen;
  for (let page = 1; ; page++) {
    const b = assertList(await c.get(`${ORGS}?per_page=5&page=${page}`, { token: admin }), `page ${page}`);
    assert.equal(b.page, page);
    assert.equal(b.per_page, 5);
    totalSeen ??= b.total;
    assert.equal(b.total, totalSeen, 'total is the same on every page');
    assert.ok(b.items.length <= 5);
    if (b.items.length === 0) break;
    seen.push(...b.items.map((o) => o.id));
    assert.ok(page < 100, 'pagination ends');
  }
  assert.equal(seen.length, totalSeen, 'pages hold total items');
  assert.equal(new Set(seen).size, seen.length, 'no item on two pages');
  assert.deepEqual(seen, all.map((o) => o.id), 'same order as one big page');
});

test('a page past the end answers 200 with no items and the total', async () => {
  const t = await total();
  const b = assertList(await c.get(`${ORGS}?per_page=10&page=1000`, { token: admin }));
  assert.deepEqual(b.items, []);
  assert.equal(b.total, t);
});

test('a bad page or per_page answers 422 naming it', async () => {
  for (const [q, field] of [['page=0', 'page'], ['page=-1', 'page'], ['page=abc', 'page'], ['page=1.5', 'page'],
    ['page=99999999999999999999999', 'page'], ['per_page=0', 'per_page'], ['per_page=501', 'per_page'], ['per_page=x', 'per_page']]) {
    assertValidation(await c.get(`${ORGS}?${q}`, { token: admin }), [field], q);
  }
  const b = assertList(await c.get(`${ORGS}?per_page=500`, { token: admin }), 'per_page=500 is allowed');
  assert.equal(b.per_page, 500);
});

test('filter kind= answers only organizations of that kind', async () => {
  for (const kind of ['uo', 'rso', 'eirc', 'tko']) {
    const items = await listAll(c, `${ORGS}?kind=${kind}`, admin);
    assert.ok(items.length >= 3, `demo has a ${kind} in each municipality`);
    assert.ok(items.every((o) => o.kind === kind), `all of kind ${kind}`);
  }
  assert.ok((await listAll(c, `${ORGS}?kind=rso`, admin)).some((o) => o.id === demo.orgOf('rso1').id));
});

test('filter municipality_id= answers only that municipality\'s organizations', async () => {
  const items = await listAll(c, `${ORGS}?municipality_id=${demo.m2}`, admin);
  assert.ok(items.length >= 4);
  assert.ok(items.every((o) => o.municipality_id === demo.m2));
  assert.ok(items.some((o) => o.id === demo.orgOf('uo2').id), 'includes the УО of uo2');
  const both = await listAll(c, `${ORGS}?municipality_id=${demo.m1}&kind=eirc`, admin);
  assert.ok(both.length >= 1 && both.every((o) => o.municipality_id === demo.m1 && o.kind === 'eirc'), 'filters combine');
});

test('filter q= matches a name substring or the INN', async () => {
  const made = (await create(orgBody(demo.m1, { name: 'ООО «Уникальное Имя Квазар»' }))).body;
  let items = await listAll(c, `${ORGS}?q=${encodeURIComponent(made.inn)}`, admin);
  assert.deepEqual(items.map((o) => o.id), [made.id], 'by INN');
  items = await listAll(c, `${ORGS}?q=${encodeURIComponent('Имя Квазар')}`, admin);
  assert.deepEqual(items.map((o) => o.id), [made.id], 'by name substring');
  items = await listAll(c, `${ORGS}?q=${encodeURIComponent('Нет-такого-названия')}`, admin);
  assert.deepEqual(items, []);
});

test('total counts the filtered list, not the whole table', async () => {
  const rso = await listAll(c, `${ORGS}?kind=rso`, admin);
  const b = assertList(await c.get(`${ORGS}?kind=rso&per_page=1`, { token: admin }));
  assert.equal(b.total, rso.length);
  assert.equal(b.items.length, 1);
});

test('a name with a U+0000 character is refused (422 naming name) or kept whole', async () => {
  const r = await c.post(ORGS, { token: admin, body: orgBody(demo.m1, { name: 'ООО «Нуль\u0000Хвост»' }) });
  if (r.status === 201) assert.equal(r.body.name, 'ООО «Нуль\u0000Хвост»', 'not truncated at the NUL');
  else assertValidation(r, ['name'], 'NUL in name');
});

test('names in Cyrillic, with quotes and emoji round-trip unchanged', async () => {
  const name = 'ООО «Ёлки-палки» "ЖЭУ №5" \\ / \u{1F3E0} — тест';
  const made = (await create(orgBody(demo.m1, { name }))).body;
  assert.equal(made.name, name);
  assert.equal((await c.get(`${ORGS}/${made.id}`, { token: admin })).body.name, name);
});

test('a bad filter value answers 422 naming the filter', async () => {
  assertValidation(await c.get(`${ORGS}?kind=bank`, { token: admin }), ['kind'], 'kind=bank');
  assertValidation(await c.get(`${ORGS}?municipality_id=abc`, { token: admin }), ['municipality_id'], 'municipality_id=abc');
});

// ------------------------------------------------------------------ patch

test('PATCH changes the given fields, leaves the others and answers the object', async () => {
  const before = (await create(orgBody(demo.m1))).body;
  const change = { phone: '+7 495 123-45-67', address: 'г. Светлогорск, пр. Мира, д. 5', website: 'https://new.example.org',
    name: 'ООО «Новое имя»', short_name: null };
  const r = await c.patch(`${ORGS}/${before.id}`, { token: admin, body: change });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, { ...before, ...change });
  assert.deepEqual((await c.get(`${ORGS}/${before.id}`, { token: admin })).body, { ...before, ...change });
});

test('PATCH may move an organization to another municipality and change its registration numbers', async () => {
  const before = (await create(orgBody(demo.m1))).body;
  const change = { municipality_id: demo.m2, inn: inn10(), kpp: '660101001', ogrn: ogrn13(), kind: 'rso' };
  const r = await c.patch(`${ORGS}/${before.id}`, { token: admin, body: change });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, { ...before, ...change });
});

test('PATCH of id, region_id or created_at answers 422 naming it and changes nothing', async () => {
  const before = (await create(orgBody(demo.m1))).body;
  for (const [field, value] of [['id', 777777], ['region_id', demo.region], ['created_at', '2020-01-01T00:00:00Z']]) {
    assertValidation(await c.patch(`${ORGS}/${before.id}`, { token: admin, body: { [field]: value, phone: '1' } }), [field], field);
  }
  assert.deepEqual((await c.get(`${ORGS}/${before.id}`, { token: admin })).body, before);
});

test('PATCH validates like POST: a bad INN, KPP, OGRN or kind answers 422 and changes nothing', async () => {
  const before = (await create(orgBody(demo.m1))).body;
  const cases = [
    [{ inn: breakCheckDigit(before.inn) }, 'inn'],
    [{ kpp: '12' }, 'kpp'],
    [{ kpp: null }, 'kpp'],
    [{ ogrn: breakCheckDigit(before.ogrn) }, 'ogrn'],
    [{ kind: 'bank' }, 'kind'],
    [{ name: 5 }, 'name'],
    [{ name: '' }, 'name'],
    [{ colour: 'red' }, 'colour'],
  ];
  for (const [body, field] of cases) {
    assertValidation(await c.patch(`${ORGS}/${before.id}`, { token: admin, body }), [field], JSON.stringify(body));
  }
  assert.deepEqual((await c.get(`${ORGS}/${before.id}`, { token: admin })).body, before);
});

test('PATCH of an unknown organization answers 404', async () => {
  assertProblem(await c.patch(`${ORGS}/987654`, { token: admin, body: { phone: '1' } }), 404, 'not-found');
});

// ------------------------------------------------------------------ validation

const INVALID = [
  // [what, body changes (undefined = delete the field), fields the 422 must name]
  ['an INN with a wrong check digit', (b) => ({ ...b, inn: breakCheckDigit(b.inn) }), ['inn']],
  ['a 12-digit INN with a wrong check digit', (b) => ({ ...b, inn: breakCheckDigit(inn12()), kpp: undefined, ogrn: ogrn15() }), ['inn']],
  ['an INN of 11 digits', (b) => ({ ...b, inn: '77070838931' }), ['inn']],
  ['an INN with letters', (b) => ({ ...b, inn: '77O7083893' }), ['inn']],
  ['a 10-digit INN without KPP', (b) => ({ ...b, kpp: undefined }), ['kpp']],
  ['a 10-digit INN with a null KPP', (b) => ({ ...b, kpp: null }), ['kpp']],
  ['a 12-digit INN with a KPP', (b) => ({ ...b, inn: inn12(), ogrn: ogrn15() }), ['kpp']],
  ['a KPP of 8 characters', (b) => ({ ...b, kpp: '77010100' }), ['kpp']],
  ['a KPP with letters in the last part', (b) => ({ ...b, kpp: '7701010AB' }), ['kpp']],
  ['an OGRN with a wrong check digit', (b) => ({ ...b, ogrn: breakCheckDigit(b.ogrn) }), ['ogrn']],
  ['an OGRNIP with a wrong check digit', (b) => ({ ...b, inn: inn12(), kpp: undefined, ogrn: breakCheckDigit(ogrn15()) }), ['ogrn']],
  ['an OGRN of 14 digits', (b) => ({ ...b, ogrn: '10277001321951' }), ['ogrn']],
  ['a 15-digit OGRNIP with a 10-digit INN', (b) => ({ ...b, ogrn: ogrn15() }), ['ogrn']],
  ['a 13-digit OGRN with a 12-digit INN', (b) => ({ ...b, inn: inn12(), kpp: undefined }), ['ogrn']],
  ['an unknown kind', (b) => ({ ...b, kind: 'zhkh' }), ['kind']],
  ['a number for the name', (b) => ({ ...b, name: 42 }), ['name']],
  ['an empty name', (b) => ({ ...b, name: '' }), ['name']],
  ['a number for the INN', (b) => ({ ...b, inn: 7707083893 }), ['inn']],
  ['a string for municipality_id', (b) => ({ ...b, municipality_id: String(b.municipality_id) }), ['municipality_id']],
  ['an unknown municipality_id', (b) => ({ ...b, municipality_id: 987654 }), ['municipality_id']],
  ['a boolean for the phone', (b) => ({ ...b, phone: true }), ['phone']],
  ['an unknown field', (b) => ({ ...b, director: 'Иванов И. И.' }), ['director']],
  ['two unknown fields', (b) => ({ ...b, director: 'x', founded: 1990 }), ['director', 'founded']],
  ['a bad INN and an unknown kind together', (b) => ({ ...b, inn: breakCheckDigit(b.inn), kind: 'bank' }), ['inn', 'kind']],
  ['nothing at all', () => ({}), ['municipality_id', 'kind', 'name', 'inn', 'ogrn']],
];

for (const [what, make, fields] of INVALID) {
  test(`POST with ${what} answers 422 naming ${fields.join(', ')}`, async () => {
    const body = JSON.parse(JSON.stringify(make(orgBody(demo.m1)), (k, v) => v)); // drops undefined fields
    const t = await total();
    assertValidation(await c.post(ORGS, { token: admin, body }), fields, what);
    assert.equal(await total(), t, 'nothing created');
  });
}

test('a 422 problem describes the request: instance, detail and one message per field', async () => {
  const body = orgBody(demo.m1, { kind: 'bank' });
  body.inn = breakCheckDigit(body.inn);
  const r = await c.post(ORGS, { token: admin, body });
  assertValidation(r, ['inn', 'kind']);
  assert.equal(r.body.instance, ORGS);
  assert.equal(typeof r.body.detail, 'string');
  assert.equal(r.body.errors.length, 2, `exactly the two bad fields: ${JSON.stringify(r.body.errors)}`);
});

test('a body that is not JSON answers 400 malformed-json', async () => {
  const r = await c.post(ORGS, { token: admin, raw: '{"name": "x",}', headers: { 'Content-Type': 'application/json' } });
  assertProblem(r, 400, 'malformed-json');
});

// ------------------------------------------------------------------ uniqueness

test('a duplicate INN+KPP answers 409 conflict', async () => {
  const first = (await create(orgBody(demo.m1))).body;
  const again = orgBody(demo.m2, { inn: first.inn, kpp: first.kpp });
  const t = await total();
  assertProblem(await c.post(ORGS, { token: admin, body: again }), 409, 'conflict', 'same INN+KPP');
  assert.equal(await total(), t, 'nothing created');
});

test('the same INN with another KPP (a branch) is allowed', async () => {
  const first = (await create(orgBody(demo.m1))).body;
  const branch = (await create(orgBody(demo.m1, { inn: first.inn, kpp: '770102001' }))).body;
  assert.equal(branch.inn, first.inn);
  assert.notEqual(branch.id, first.id);
});

test('a duplicate 12-digit INN (no KPP) answers 409 conflict', async () => {
  const body = orgBody(demo.m1, { inn: inn12(), ogrn: ogrn15() });
  delete body.kpp;
  await create(body);
  assertProblem(await c.post(ORGS, { token: admin, body: { ...body, ogrn: ogrn15() } }), 409, 'conflict', 'same ИП INN');
});

test('PATCH to an INN+KPP taken by another organization answers 409 and changes nothing', async () => {
  const a = (await create(orgBody(demo.m1))).body;
  const b = (await create(orgBody(demo.m1))).body;
  assertProblem(await c.patch(`${ORGS}/${b.id}`, { token: admin, body: { inn: a.inn, kpp: a.kpp } }), 409, 'conflict');
  assert.deepEqual((await c.get(`${ORGS}/${b.id}`, { token: admin })).body, b);
});

test('concurrent creates all succeed with distinct ids (no lost writes, no 5xx)', async () => {
  const t = await total();
  const answers = await Promise.all(Array.from({ length: 24 }, () => c.post(ORGS, { token: admin, body: orgBody(demo.m2) })));
  for (const r of answers) assert.equal(r.status, 201, `${r.status} ${r.text}`);
  assert.equal(new Set(answers.map((r) => r.body.id)).size, answers.length, 'distinct ids');
  assert.equal(await total(), t + answers.length);
  const reads = await Promise.all(answers.map((r) => c.get(`${ORGS}/${r.body.id}`, { token: admin })));
  for (const [i, r] of reads.entries()) assert.deepEqual(r.body, answers[i].body);
});

test('concurrent creates of the same INN+KPP: exactly one 201, the others 409', async () => {
  const body = orgBody(demo.m1);
  const answers = await Promise.all(Array.from({ length: 8 }, () => c.post(ORGS, { token: admin, body })));
  const statuses = answers.map((r) => r.status).sort();
  assert.deepEqual(statuses, [201, 409, 409, 409, 409, 409, 409, 409], answers.map((r) => r.text).join('\n'));
});

// ------------------------------------------------------------------ roles

test('a region operator creates organizations in the region', async () => {
  const token = await c.login('region');
  const r = await create(orgBody(demo.m2), token);
  assert.equal(r.body.region_id, demo.region);
});

test('a municipal operator creates organizations in its municipality', async () => {
  const token = await c.login('mun1');
  const r = await create(orgBody(demo.m1, { kind: 'tko' }), token);
  assert.equal(r.body.municipality_id, demo.m1);
});

test('org staff may PATCH their own organization\'s contact fields', async () => {
  const token = await c.login('uo1');
  const own = demo.orgOf('uo1');
  const change = { address: 'г. Светлогорск, ул. Новая, д. 2', phone: '+7 900 111-22-33', email: 'office@uo1.example.org',
    website: 'https://uo1.example.org' };
  const r = await c.patch(`${ORGS}/${own.id}`, { token, body: change });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, { ...own, ...change });
});

test('org staff may PATCH their own organization\'s bank details and dispatch phone', async () => {
  const token = await c.login('tko1');
  const own = (await c.get(`${ORGS}/${demo.orgOf('tko1').id}`, { token: admin })).body;
  const r = await c.patch(`${ORGS}/${own.id}`, { token, body: BANK });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, { ...own, ...BANK });
  const back = { bank_name: own.bank_name, bic: own.bic, settlement_account: own.settlement_account,
    corr_account: own.corr_account, dispatch_phone: own.dispatch_phone };
  assert.equal((await c.patch(`${ORGS}/${own.id}`, { token, body: back })).status, 200);
});

test('org staff may not PATCH their own organization\'s other fields (refused, unchanged)', async () => {
  const token = await c.login('rso1');
  const own = (await c.get(`${ORGS}/${demo.orgOf('rso1').id}`, { token: admin })).body;
  for (const body of [{ name: 'ООО «Захват»' }, { inn: inn10() }, { kind: 'uo' }, { municipality_id: demo.m2 }]) {
    const r = await c.patch(`${ORGS}/${own.id}`, { token, body });
    assert.ok([403, 422].includes(r.status), `org staff PATCH ${JSON.stringify(body)} refused: ${r.status} ${r.text}`);
  }
  assert.deepEqual((await c.get(`${ORGS}/${own.id}`, { token: admin })).body, own);
});

test('org staff may not POST organizations: 403', async () => {
  const token = await c.login('eirc1');
  const t = await total();
  assertProblem(await c.post(ORGS, { token, body: orgBody(demo.m1) }), 403, 'forbidden', 'org staff POST');
  assert.equal(await total(), t);
});

// ------------------------------------------------------------------ audit

test('every create and update writes one audit entry with the actor, action, object and request id', async () => {
  const mun1 = await c.login('mun1');
  const made = await create(orgBody(demo.m1), mun1, { 'X-Request-Id': 'org-audit-create' });
  assert.equal(made.headers.get('x-request-id'), 'org-audit-create');
  const upd = await c.patch(`${ORGS}/${made.body.id}`, { token: admin, body: { phone: '+7 1' }, headers: { 'X-Request-Id': 'org-audit-update' } });
  assert.equal(upd.status, 200, upd.text);

  const created = await auditFind(c, admin, 'object_type=organization', (e) => e.request_id === 'org-audit-create');
  assert.equal(created.length, 1, `one entry for the create: ${JSON.stringify(created)}`);
  assert.equal(created[0].action, 'organization.create');
  assert.equal(created[0].object_type, 'organization');
  assert.equal(created[0].object_id, made.body.id);
  assert.equal(created[0].user_login, 'mun1');
  assert.equal(created[0].user_id, demo.users.mun1.id);
  assert.match(created[0].at, ISO_UTC);
  assert.match(created[0].address || '', /127\.0\.0\.1/);

  const updated = await auditFind(c, admin, 'action=organization.update', (e) => e.request_id === 'org-audit-update');
  assert.equal(updated.length, 1, 'one entry for the update');
  assert.equal(updated[0].object_id, made.body.id);
  assert.equal(updated[0].user_login, 'admin');
});

test('a refused change writes no audit entry', async () => {
  const r = await c.post(ORGS, { token: admin, body: orgBody(demo.m1, { kind: 'bank' }), headers: { 'X-Request-Id': 'org-audit-refused' } });
  assert.equal(r.status, 422);
  const found = await auditFind(c, admin, '', (e) => e.request_id === 'org-audit-refused');
  assert.deepEqual(found, []);
});

test('the audit list is newest first and filters by action, object_type and user_id', async () => {
  for (let i = 0; i < 2; i++) await create(orgBody(demo.m1));
  const items = (await c.get('/api/v1/audit?per_page=500', { token: admin })).body.items;
  for (let i = 1; i < items.length; i++) {
    assert.ok(items[i - 1].at >= items[i].at && (items[i - 1].at > items[i].at || items[i - 1].id > items[i].id),
      `newest first at ${i}: ${items[i - 1].id}@${items[i - 1].at} before ${items[i].id}@${items[i].at}`);
  }
  const byAction = await auditFind(c, admin, 'action=organization.create', () => true);
  assert.ok(byAction.length >= 2 && byAction.every((e) => e.action === 'organization.create'));
  const byType = await auditFind(c, admin, 'object_type=organization', () => true);
  assert.ok(byType.length >= 2 && byType.every((e) => e.object_type === 'organization'));
  const byUser = await auditFind(c, admin, `user_id=${demo.users.admin.id}`, () => true);
  assert.ok(byUser.length >= 2 && byUser.every((e) => e.user_id === demo.users.admin.id));
  assertValidation(await c.get('/api/v1/audit?user_id=abc', { token: admin }), ['user_id'], 'user_id=abc');
});
