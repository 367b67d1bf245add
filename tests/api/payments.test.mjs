// Payments, refunds and reversals (docs/payments.md): POST/GET /api/v1/payments,
// the bank registry upload (POST /api/v1/imports/payments) and
// `upravdom import payments FILE --org ID`, on the demo region.
// Rules proven here:
//  - an entry is booked once per payer's id (ext_id) in the organization: the
//    same id with the same data answers 200 with the stored entry and adds
//    nothing; with other data 409 naming ext_id; Idempotency-Key stands for
//    ext_id when the body has none;
//  - a reversal cancels one payment of the same account, for its amount,
//    once; a refund never takes back more than the account received;
//  - bad input is a 422 naming the field (amount, paid_on, els, account_number …);
//  - a registry file is all or nothing: one bad line answers 422 naming its
//    LINE:COLUMN (the CLI: FILE:LINE:COLUMN, exit 2) and writes nothing; the
//    same file again adds nothing and says how many rows were there already;
//  - tenancy: another organization's staff get 404 for an entry or an account
//    of ours, and see none of our entries; a resident sees only the entries of
//    own accounts and may not book.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, startServer, api, assertNoSanitizerReport } from '../lib/harness.mjs';
import { assertProblem, assertValidation, assertList, auditFind, listAll } from '../lib/helpers.mjs';

const SAMPLE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'data', 'payments',
  'bank-registry-2025-03.csv');
const LOGINS = ['admin', 'eirc1', 'rso1', 'uo2', 'mun1', 'mun2', 'resident1'];

let srv;
let c;
const tok = {};
const d = {}; // orgA (eirc1's ЕИРЦ), orgB (rso1's РСО), accounts of org A
let scratch;
let serial = 0;
const uid = (p) => `${p}-${process.pid}-${++serial}`;

before(async () => {
  srv = await startServer();
  c = api(srv.url);
  for (const login of LOGINS) tok[login] = await c.login(login);
  const me = async (login) => (await c.get('/api/v1/me', { token: tok[login] })).body;
  d.orgA = (await me('eirc1')).org_id;
  d.orgB = (await me('rso1')).org_id;
  const own = await listAll(c, '/api/v1/accounts', tok.resident1);
  d.residentAccount = own.find((a) => a.org_id === d.orgA);
  assert.ok(d.residentAccount, 'resident1 pays the ЕИРЦ through an account');
  const accounts = (await c.get(`/api/v1/accounts?org_id=${d.orgA}&per_page=200`, { token: tok.admin })).body.items;
  // Open accounts opened before 2024 with an ЕЛС, not resident1's: the tests' own.
  d.acc = accounts.filter((a) => a.opened_on < '2024-01-01' && !a.closed_on && a.els
    && !own.some((o) => o.id === a.id));
  assert.ok(d.acc.length >= 12, `enough accounts of org A: ${d.acc.length}`);
  d.late = accounts.find((a) => a.opened_on > '2016-01-01');
  scratch = mkdtempSync(path.join(tmpdir(), 'upravdom-payments-'));
});

after(async () => {
  await srv?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const book = (body, token = tok.eirc1, headers = {}) => c.post('/api/v1/payments', { token, body, headers });
const total = async (query = '') => (await c.get(`/api/v1/payments?per_page=1${query}`, { token: tok.admin })).body.total;

async function upload(body, token = tok.eirc1, query = '') {
  const res = await fetch(`${srv.url}/api/v1/imports/payments${query}`, {
    method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/csv' }, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: JSON.parse(text), text };
}

// ------------------------------------------------------------------ booking

test('booking a payment answers 201 with the entry, takes region, municipality and organization from the account, and is audited', async () => {
  const a = d.acc[0];
  const ext = uid('app');
  const r = await book({ account_id: a.id, ext_id: ext, paid_on: '2025-04-02', amount: '1520.40', period: '2025-03', channel: 'app' });
  assert.equal(r.status, 201, r.text);
  const x = r.body;
  assert.equal(x.result, 'created');
  assert.deepEqual([x.account_id, x.org_id, x.kind, x.paid_on, x.amount, x.period, x.channel, x.source, x.ext_id],
    [a.id, d.orgA, 'payment', '2025-04-02', '1520.40', '2025-03', 'app', 'api', ext]);
  assert.equal(x.els, a.els);
  assert.equal(x.account_number, a.number);
  const mun1 = (await c.get('/api/v1/me', { token: tok.mun1 })).body.municipality_id;
  assert.equal(x.municipality_id, mun1, "the account's municipality");
  const { result, ...stored } = x;
  assert.equal(result, 'created');
  assert.deepEqual((await c.get(`/api/v1/payments/${x.id}`, { token: tok.eirc1 })).body, stored);
  const audit = await auditFind(c, tok.admin, 'action=payment.create', (e) => e.object_id === x.id);
  assert.equal(audit.length, 1, 'one audit entry');
  assert.equal(audit[0].detail.ext_id, ext);
});

test('the same ext_id with the same data answers 200 with the stored entry and adds nothing', async () => {
  const body = { els: d.acc[1].els, ext_id: uid('bank'), paid_on: '2025-04-03', amount: 700 };
  const first = await book(body);
  assert.equal(first.status, 201, first.text);
  assert.equal(first.body.amount, '700.00', 'a whole number is rubles');
  const before = await total();
  const again = await book(body);
  assert.equal(again.status, 200, again.text);
  assert.equal(again.body.result, 'existing');
  assert.equal(again.body.id, first.body.id);
  assert.equal(await total(), before, 'no row added');
  const byId = await book({ ...body, els: undefined, account_id: d.acc[1].id, amount: '700.00' });
  assert.equal(byId.status, 200, 'the same account named another way is the same data');
  assert.equal((await c.get(`/api/v1/payments?ext_id=${body.ext_id}`, { token: tok.admin })).body.total, 1);
});

test('the same ext_id with other data is a 409 naming ext_id, and nothing is added', async () => {
  const body = { account_id: d.acc[2].id, ext_id: uid('bank'), paid_on: '2025-04-03', amount: '100.00' };
  assert.equal((await book(body)).status, 201);
  const before = await total();
  for (const change of [{ amount: '100.01' }, { paid_on: '2025-04-04' }, { period: '2025-03' }, { account_id: d.acc[3].id }]) {
    const r = await book({ ...body, ...change });
    const p = assertProblem(r, 409, 'conflict', JSON.stringify(change));
    assert.deepEqual(p.errors.map((e) => e.field), ['ext_id']);
    assert.match(p.detail, new RegExp(body.ext_id));
  }
  assert.equal(await total(), before);
});

test('Idempotency-Key stands for ext_id when the body has none; a repeat with the key answers 200', async () => {
  const key = uid('idem');
  const body = { account_number: d.acc[4].number, paid_on: '2025-04-05', amount: '250.50' };
  const first = await book(body, tok.eirc1, { 'Idempotency-Key': key });
  assert.equal(first.status, 201, first.text);
  assert.equal(first.body.ext_id, key);
  const again = await book(body, tok.eirc1, { 'Idempotency-Key': key });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.body.id, first.body.id);
  const other = await book({ ...body, amount: '1.00' }, tok.eirc1, { 'Idempotency-Key': key });
  assertProblem(other, 409, 'conflict');
  assertValidation(await book({ ...body, ext_id: 'another' }, tok.eirc1, { 'Idempotency-Key': key }), 'Idempotency-Key');
  assertValidation(await book(body), 'ext_id', 'neither ext_id nor Idempotency-Key');
});

test('validation names the field: amount, dates, the account, the kind', async () => {
  const a = d.acc[5];
  const ok = { account_id: a.id, ext_id: uid('v'), paid_on: '2025-04-01', amount: '10.00' };
  const before = await total();
  const cases = [
    [{ amount: '0' }, 'amount'],
    [{ amount: '-5.00' }, 'amount'],
    [{ amount: '12.345' }, 'amount'],
    [{ paid_on: '2025-02-30' }, 'paid_on'],
    [{ paid_on: '01.04.2025' }, 'paid_on'],
    [{ paid_on: '2999-01-01' }, 'paid_on'], // in the future
    [{ paid_on: '1990-01-01' }, 'paid_on'], // before the account was opened
    [{ account_id: undefined, els: 'НЕТ-ТАКОГО' }, 'els'],
    [{ account_id: undefined, account_number: 'no-such-number' }, 'account_number'],
    [{ account_id: undefined }, 'account_id'],
    [{ els: a.els }, 'account_id'], // two ways at once
    [{ kind: 'gift' }, 'kind'],
    [{ channel: 'pigeon' }, 'channel'],
    [{ period: '2025-13' }, 'period'],
    [{ reverses: 1 }, 'reverses'], // only a reversal names a payment
    [{ surprise: 1 }, 'surprise'],
  ];
  for (const [change, field] of cases) {
    const r = await book({ ...ok, ...change, ext_id: uid('v') });
    assertValidation(r, field, JSON.stringify(change));
  }
  const admin = await book({ account_number: a.number, ext_id: uid('v'), paid_on: '2025-04-01', amount: '1' }, tok.admin);
  assertValidation(admin, 'org_id', 'an account number needs the organization');
  const withOrg = await book({ account_number: a.number, org_id: d.orgA, ext_id: uid('v'), paid_on: '2025-04-01', amount: '1' }, tok.admin);
  assert.equal(withOrg.status, 201, withOrg.text);
  assert.equal(await total(), before + 1, 'only the good one was booked');
});

test('a reversal cancels one payment of the same account, for its amount, once', async () => {
  const [a, b] = [d.acc[6], d.acc[7]];
  const pay = (await book({ account_id: a.id, ext_id: uid('p'), paid_on: '2025-05-10', amount: '999.99' })).body;
  const otherPay = (await book({ account_id: b.id, ext_id: uid('p'), paid_on: '2025-05-10', amount: '5.00' })).body;
  const refund = (await book({ account_id: a.id, ext_id: uid('r'), kind: 'refund', paid_on: '2025-05-11', amount: '1.00' })).body;
  assert.equal(refund.kind, 'refund');
  const rev = (body) => book({ ext_id: uid('s'), kind: 'reversal', paid_on: '2025-05-12', ...body });
  assertValidation(await rev({ account_id: a.id, reverses: pay.id, amount: '999.98' }), 'amount', 'not the payment\'s amount');
  assertValidation(await rev({ account_id: a.id, reverses: otherPay.id }), 'reverses', 'another account\'s payment');
  assertValidation(await rev({ account_id: a.id, reverses: refund.id }), 'reverses', 'a refund is not reversed');
  assertValidation(await rev({ account_id: a.id, reverses: pay.id, paid_on: '2025-05-09' }), 'paid_on', 'before the payment');
  assertValidation(await rev({ account_id: a.id, reverses: 999999999 }), 'reverses', 'no such payment');
  assertValidation(await rev({ account_id: a.id }), 'reverses', 'a reversal names its payment');
  const done = await rev({ reverses: pay.id }); // the account and the amount are the payment's
  assert.equal(done.status, 201, done.text);
  assert.deepEqual([done.body.kind, done.body.account_id, done.body.amount, done.body.reverses], ['reversal', a.id, '999.99', pay.id]);
  assert.equal((await c.get(`/api/v1/payments/${pay.id}`, { token: tok.eirc1 })).body.reversed_by, done.body.id);
  const twice = await rev({ account_id: a.id, reverses: pay.id });
  assertValidation(twice, 'reverses', 'reversed already');
  assert.match(twice.body.errors[0].message, /уже сторнирован/);
});

test('a refund never takes back more than the account received by its date', async () => {
  const a = d.acc[8];
  await book({ account_id: a.id, ext_id: uid('p'), paid_on: '2025-06-10', amount: '300.00' });
  const refund = (amount, paid_on = '2025-06-20') => book({ account_id: a.id, ext_id: uid('r'), kind: 'refund', paid_on, amount });
  assertValidation(await refund('300.01'), 'amount', 'more than received');
  assertValidation(await refund('100.00', '2025-06-09'), 'amount', 'before the money arrived');
  assert.equal((await refund('200.00')).status, 201);
  const rest = await refund('100.01');
  assertValidation(rest, 'amount', 'more than what is left');
  assert.match(rest.body.errors[0].message, /поступило 300\.00 ₽, возвращено 200\.00 ₽/);
  assert.equal((await refund('100.00')).status, 201, 'exactly what is left');
});

test('the list filters by account, dates, kind and channel, and pages', async () => {
  const a = d.acc[9];
  for (const [day, kind, amount] of [['2025-07-01', 'payment', '10.00'], ['2025-07-15', 'payment', '20.00'], ['2025-07-20', 'refund', '5.00']])
    assert.ok([201].includes((await book({ account_id: a.id, ext_id: uid('l'), paid_on: day, kind, amount, channel: 'cash' })).status));
  const list = async (q) => assertList(await c.get(`/api/v1/payments?account_id=${a.id}${q}`, { token: tok.eirc1 }));
  assert.equal((await list('')).total, 3);
  assert.deepEqual((await list('')).items.map((x) => x.paid_on), ['2025-07-20', '2025-07-15', '2025-07-01'], 'newest first');
  assert.equal((await list('&from=2025-07-10&to=2025-07-15')).total, 1);
  assert.equal((await list('&kind=refund')).items[0].amount, '5.00');
  assert.equal((await list('&channel=cash')).total, 3);
  assert.equal((await list('&channel=bank')).total, 0);
  const page2 = await list('&per_page=2&page=2');
  assert.deepEqual([page2.items.length, page2.total], [1, 3]);
  assertValidation(await c.get('/api/v1/payments?kind=gift', { token: tok.eirc1 }), 'kind');
  assertValidation(await c.get('/api/v1/payments?from=2025-13-01', { token: tok.eirc1 }), 'from');
});

// ------------------------------------------------------------------ the bank registry

test('the sample registry loads all its rows; the same file again adds nothing', async () => {
  const file = readFileSync(SAMPLE);
  const before = await total();
  const r = await upload(file, tok.eirc1, '?filename=sber-2025-03.csv');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.body.rows, r.body.added, r.body.present, r.body.org_id], [7, 7, 0, d.orgA]);
  assert.deepEqual([r.body.paid, r.body.refunded, r.body.reversed], ['11950.55', '500.00', '980.15']);
  assert.equal(await total(), before + 7);
  const byExt = async (ext) => (await c.get(`/api/v1/payments?ext_id=${ext}`, { token: tok.eirc1 })).body.items[0];
  const pay = await byExt('SB-2025-03-0003');
  const rev = await byExt('SB-2025-03-0005');
  assert.deepEqual([rev.kind, rev.reverses, rev.amount, rev.channel, rev.source], ['reversal', pay.id, '980.15', 'bank', 'file']);
  assert.equal(pay.reversed_by, rev.id);
  assert.deepEqual([(await byExt('SB-2025-03-0001')).period, (await byExt('SB-2025-03-0002')).amount], ['2025-02', '2300.00'],
    'MM.YYYY periods and grouped amounts are read');
  assert.equal((await byExt('SB-2025-03-0006')).kind, 'refund');
  const again = await upload(file);
  assert.equal(again.status, 200, again.text);
  assert.deepEqual([again.body.rows, again.body.added, again.body.present], [7, 0, 7]);
  assert.equal(await total(), before + 7, 'a repeated file adds nothing');
  assert.ok((await auditFind(c, tok.admin, 'action=payments.import', () => true)).length >= 2);
});

test('a bad line in the middle answers 422 naming LINE:COLUMN and writes nothing, not even the good lines', async () => {
  const [a, b] = [d.acc[10], d.acc[11]];
  const id = uid('F');
  const file = [
    'payment_id,date,account,amount,period',
    `${id}-1,01.08.2025,${a.els},100.00,`,
    `${id}-2,02.08.2025,${b.number},"1 200,50",08.2025`,
    `${id}-3,03.08.2025,${a.els},12.3.4,`, // line 4: the amount
    `${id}-4,2025-08-04,${b.number},50,`,
    `${id}-5,2025-08-05,NO-SUCH-ACCOUNT,50,`, // line 6: the account
  ].join('\n');
  const before = await total();
  const r = await upload(file);
  assertProblem(r, 422, 'validation');
  assert.deepEqual(r.body.errors.map((e) => e.field), ['4:4', '6:3'], r.text);
  assert.match(r.body.errors[0].message, /сумма/);
  assert.match(r.body.errors[1].message, /NO-SUCH-ACCOUNT.*не найден/);
  assert.equal(r.body.error_count, 2);
  assert.equal(await total(), before, 'nothing written');
  const fixed = await upload(file.replace('12.3.4', '12.34').replace('NO-SUCH-ACCOUNT', a.number));
  assert.equal(fixed.status, 200, fixed.text);
  assert.equal(fixed.body.added, 5);
  assert.equal((await c.get(`/api/v1/payments?ext_id=${id}-2`, { token: tok.eirc1 })).body.items[0].amount, '1200.50');
});

test('registry rules: a repeated id with other data, a reversal of another account\'s payment, a refund over what arrived', async () => {
  const [a, b] = [d.acc[10], d.acc[11]];
  const id = uid('G');
  const file = [
    'payment_id;date;account;amount;period;kind;reverses',
    `${id}-1;2025-09-01;${a.number};100,00;;;`,
    `${id}-1;2025-09-01;${a.number};100,00;;;`, // the same row twice: counted once
    `${id}-2;2025-09-02;${b.number};10,00;;оплата;`,
    `${id}-2;2025-09-02;${b.number};11,00;;оплата;`, // line 5: the same id, other data
    `${id}-3;2025-09-03;${a.number};;;СТОРНО;${id}-2`, // line 6: b's payment
    `${id}-4;2025-09-04;${b.number};5000,00;;возврат;`, // line 7: more than b received
    `SB-2025-03-0001;2025-03-05;0100000002;1520,40;2025-03;;`, // line 8: booked with period 2025-02
  ].join('\n');
  const before = await total();
  const r = await upload(file);
  assertProblem(r, 422, 'validation');
  assert.deepEqual(r.body.errors.map((e) => e.field), ['5:1', '6:7', '7:4', '8:1'], r.text);
  assert.match(r.body.errors[0].message, /строке 4/);
  assert.match(r.body.errors[1].message, /другому лицевому счёту/);
  assert.match(r.body.errors[2].message, /возврат 5000\.00/);
  assert.match(r.body.errors[3].message, /период: был 2025-02, теперь 2025-03/);
  assert.equal(await total(), before);
  const good = file.split('\n').filter((_, i) => i < 4).join('\n') + `\n${id}-3;2025-09-03;${b.number};;;сторно;${id}-2\n`;
  const ok = await upload(good);
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual([ok.body.rows, ok.body.added, ok.body.present, ok.body.reversed], [4, 3, 1, '10.00']);
});

test('the CLI loads a registry with a summary line, and refuses a bad one naming FILE:LINE:COLUMN with nothing written', async () => {
  const a = d.acc[3];
  const id = uid('CLI');
  const good = path.join(scratch, 'good.csv');
  writeFileSync(good, `payment_id;date;account;amount\n${id}-1;10.10.2025;${a.els};123,45\n${id}-2;11.10.2025;${a.number};10\n`);
  const run = (file, org = d.orgA) => {
    const r = spawnSync(BIN, ['import', 'payments', file, '--org', String(org), '--db', srv.db.url], { encoding: 'utf8', timeout: 120000 });
    assertNoSanitizerReport(r.stderr, 'import payments');
    return r;
  };
  const before = await total();
  const r = run(good);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /2 rows, 2 new, 0 already present/);
  assert.equal(await total(), before + 2);
  const again = run(good);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /2 rows, 0 new, 2 already present/);
  const bad = path.join(scratch, 'bad.csv');
  writeFileSync(bad, `payment_id;date;account;amount\n${id}-3;12.10.2025;${a.els};1\n${id}-4;32.10.2025;${a.els};1\n${id}-5;13.10.2025;${a.els};1\n`);
  const refused = run(bad);
  assert.equal(refused.status, 2, refused.stderr);
  assert.ok(refused.stderr.includes(`${bad}:3:2: дата`), refused.stderr);
  assert.match(refused.stderr, /nothing was changed/);
  assert.equal(await total(), before + 2, 'nothing of the bad file');
  const foreign = run(good, 999999);
  assert.equal(foreign.status, 3, foreign.stderr);
  assert.match(foreign.stderr, /--org/);
});

// ------------------------------------------------------------------ tenancy

test('tenancy: another organization\'s staff get 404 for our entry and our account, and see none of our entries', async () => {
  const a = d.acc[0];
  const x = (await book({ account_id: a.id, ext_id: uid('t'), paid_on: '2025-10-01', amount: '1.00' })).body;
  const before = await total();
  for (const who of ['rso1', 'uo2']) {
    assertProblem(await c.get(`/api/v1/payments/${x.id}`, { token: tok[who] }), 404, 'not-found', who);
    assertProblem(await book({ account_id: a.id, ext_id: uid('t'), paid_on: '2025-10-01', amount: '1.00' }, tok[who]), 404, 'not-found', who);
    assertValidation(await book({ els: a.els, ext_id: uid('t'), paid_on: '2025-10-01', amount: '1.00' }, tok[who]), 'els', who);
    const seen = await listAll(c, '/api/v1/payments', tok[who]);
    assert.ok(!seen.some((p) => p.org_id === d.orgA), `${who} sees none of org A's entries`);
    assert.equal((await c.get(`/api/v1/payments?account_id=${a.id}`, { token: tok[who] })).body.total, 0);
    const file = `payment_id;date;account;amount\n${uid('t')};2025-10-01;${a.els};1\n`;
    const r = await upload(file, tok[who]);
    assertProblem(r, 422, 'validation', who);
    assert.deepEqual(r.body.errors.map((e) => e.field), ['2:3'], 'our account is not theirs');
    assertValidation(await upload(file, tok[who], `?org_id=${d.orgA}`), 'org_id', `${who} loads for org A`);
  }
  assert.equal(await total(), before, 'nothing booked');
  assertProblem(await c.get(`/api/v1/payments/${x.id}`, { token: tok.mun2 }), 404, 'not-found', 'mun2');
  assert.equal((await c.get(`/api/v1/payments/${x.id}`, { token: tok.mun1 })).status, 200, 'the municipality sees it');
  assertProblem(await book({ account_id: a.id, ext_id: uid('t'), paid_on: '2025-10-01', amount: '1.00' }, tok.mun1), 403, 'forbidden');
});

test('tenancy: a resident sees only the entries of own accounts and may not book', async () => {
  const own = d.residentAccount;
  const mine = (await book({ account_id: own.id, ext_id: uid('res'), paid_on: '2025-10-02', amount: '42.00' })).body;
  const other = (await book({ account_id: d.acc[1].id, ext_id: uid('res'), paid_on: '2025-10-02', amount: '42.00' })).body;
  const seen = await listAll(c, '/api/v1/payments', tok.resident1);
  assert.ok(seen.some((p) => p.id === mine.id), 'own entry listed');
  const ownIds = new Set((await listAll(c, '/api/v1/accounts', tok.resident1)).map((a) => a.id));
  assert.ok(seen.every((p) => ownIds.has(p.account_id)), 'only own accounts');
  assert.equal((await c.get(`/api/v1/payments/${mine.id}`, { token: tok.resident1 })).status, 200);
  assertProblem(await c.get(`/api/v1/payments/${other.id}`, { token: tok.resident1 }), 404, 'not-found');
  assertProblem(await book({ account_id: own.id, ext_id: uid('res'), paid_on: '2025-10-02', amount: '1' }, tok.resident1), 403, 'forbidden');
  assertProblem(await upload('payment_id;date;account;amount\n', tok.resident1), 403, 'forbidden');
});
