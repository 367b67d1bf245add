// The payment document read by real readers (issue 7 "Tests", docs/paydoc.md): the PDF the API
// serves is rasterized with poppler (pdftoppm) and its QR codes decoded with zbarimg (zbar-tools);
// each payload equals, field by field, the GOST R 56042-2014 payload expected from the registry
// and billing data read through other routes (the organization's bank details, the statement,
// the services' payees) — for a single-payee document (the РСО's) and a two-payee one (the ЕИРЦ's,
// which collects waste for the ТКО operator). pdftotext finds the mandatory fields and the totals
// of the statement. A payee whose name holds «», ё and the pipe the format reserves gets its name
// byte for byte under another separator; an overpaid account and one paid exactly get Sum=0 in
// every QR and say so on the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, api } from '../lib/harness.mjs';
import { decodePng } from '../lib/qr.mjs';

const SEPARATORS = '|#;:^_~{}!$%&()*+,/@';
const NBSP = '\u00a0';

let server;
let c;
let tmp;
const tok = {};
const d = {}; // single, multi: {account, doc, statement}

async function get(who, p) {
  const r = await c.get(p, { token: tok[who] });
  assert.equal(r.status, 200, `GET ${p} as ${who}: ${r.text}`);
  return r.body;
}

/** The PDF of a document, as the API serves it, into a file. */
async function pdfOf(accountId, period, name) {
  const r = await fetch(`${server.url}/api/v1/accounts/${accountId}/document.pdf?period=${period}`,
    { headers: { Authorization: `Bearer ${tok.admin}` } });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/pdf/);
  const file = path.join(tmp, `${name}.pdf`);
  writeFileSync(file, Buffer.from(await r.arrayBuffer()));
  return file;
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.ok(r.status === 0, `${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Every QR code of every page, as zbarimg reads the PDF rasterized by pdftoppm at 200 dpi. */
function qrCodes(file) {
  const prefix = file.replace(/\.pdf$/, '');
  run('pdftoppm', ['-r', '200', '-png', file, prefix]);
  const pages = readdirSync(tmp).filter((f) => f.startsWith(path.basename(prefix) + '-') && f.endsWith('.png')).sort();
  assert.ok(pages.length >= 1, 'pdftoppm made no page');
  const codes = [];
  for (const png of pages) {
    codes.push(...decodePng(path.join(tmp, png)));
  }
  return codes;
}

/** "ST00012|Name=…|…" → {header, sep, fields: [[key, value]…]}; independent of our parser. */
function parsePayload(s) {
  assert.match(s, /^ST0001[123]/, s);
  const sep = s[7];
  assert.ok(SEPARATORS.includes(sep), `separator ${sep}`);
  const fields = s.slice(8).split(sep).filter(Boolean).map((kv) => {
    const i = kv.indexOf('=');
    return [kv.slice(0, i), kv.slice(i + 1)];
  });
  return { header: s.slice(0, 7), sep, fields, get: (k) => (fields.find(([key]) => key === k) || [])[1] };
}

const kop = (money) => {
  const m = /^(-?)(\d+)\.(\d{2})$/.exec(money);
  assert.ok(m, `money ${money}`);
  return (m[1] ? -1 : 1) * (Number(m[2]) * 100 + Number(m[3]));
};
const ruble = (k) => {
  const s = String(Math.abs(k) / 100 | 0).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return `${k < 0 ? '-' : ''}${s},${String(Math.abs(k) % 100).padStart(2, '0')}`;
};

/** What the QR of each payee must say, computed from other routes than the document's. */
async function expectedPayloads(account, statement, order) {
  const services = (await get('admin', `/api/v1/services?org_id=${account.org_id}&per_page=500`)).items;
  const payeeOf = new Map(services.map((s) => [s.id, s.payee_org_id || account.org_id]));
  const byPayee = new Map([[account.org_id, 0]]);
  for (const l of statement.lines) {
    if (!['charge', 'correction'].includes(l.kind)) continue;
    const p = payeeOf.get(l.service_id) || account.org_id;
    byPayee.set(p, (byPayee.get(p) || 0) + kop(l.amount));
  }
  // docs/paydoc.md "Who is asked what": the total due goes first to the other payees' own
  // lines of the period (in the document's order), the rest to the account's organization, so
  // the sums add up to the total due and nothing is asked when nothing is due.
  let left = Math.max(kop(statement.closing), 0);
  const sums = new Map();
  for (const id of order.filter((x) => x !== account.org_id)) {
    const v = Math.min(Math.max(byPayee.get(id) || 0, 0), left);
    sums.set(id, v);
    left -= v;
  }
  sums.set(account.org_id, left);
  const [y, m] = statement.period.split('-');
  const out = [];
  for (const orgId of order) {
    const org = await get('admin', `/api/v1/organizations/${orgId}`);
    const sum = sums.get(orgId);
    out.push({ org, sum, expect: {
      Name: org.name, PersonalAcc: org.settlement_account, BankName: org.bank_name, BIC: org.bic,
      CorrespAcc: org.corr_account || '0', PayeeINN: org.inn, Sum: String(sum),
      PersAcc: account.els || account.number, PaymPeriod: `${m}${y}`, TechCode: '02',
    } });
  }
  return out;
}

async function checkDocument(name, { account, statement, doc }, { separatorFor } = {}) {
  const file = await pdfOf(account.id, statement.period, name);
  const codes = qrCodes(file).map(parsePayload);
  const payees = await expectedPayloads(account, statement, doc.payees.map((p) => p.org_id));
  assert.equal(codes.length, payees.length, `${name}: one QR per payee`);
  for (const p of payees) {
    const q = codes.find((x) => x.get('PayeeINN') === p.org.inn);
    assert.ok(q, `${name}: a QR for ${p.org.name}`);
    // windows-1251 when every value fits it (docs/paydoc.md "QR payload"): the demo's do.
    assert.equal(q.header, /^[\u0000-\u007f\u0400-\u045f«»„“”—–№ ]*$/.test(Object.values(p.expect).join('')) ? 'ST00011' : 'ST00012');
    assert.deepEqual(q.fields.slice(0, 5).map(([k]) => k), ['Name', 'PersonalAcc', 'BankName', 'BIC', 'CorrespAcc'],
      'the mandatory block first, in the standard\'s order');
    for (const [k, v] of Object.entries(p.expect)) assert.equal(q.get(k), v, `${name}: ${p.org.name}: ${k}`);
    if (p.org.kpp) assert.equal(q.get('KPP'), p.org.kpp);
    assert.equal(q.sep, separatorFor?.(p.org) || '|', `${name}: the separator of ${p.org.name}`);
  }
  // pdftotext: the mandatory fields and the statement's totals.
  const textOut = run('pdftotext', ['-layout', file, '-']);
  const flat = textOut.replace(/\s+/g, ' ');
  for (const must of [account.els, account.number, ...payees.map((p) => p.org.bic), ...payees.map((p) => p.org.settlement_account)]) {
    if (must) assert.ok(flat.includes(must), `${name}: pdftotext finds ${must}`);
  }
  for (const p of payees) assert.ok(flat.includes(p.org.name.replace(/\s+/g, ' ')), `${name}: the payee ${p.org.name}`);
  const total = kop(statement.closing);
  assert.ok(flat.includes(ruble(Math.abs(total)).replace(/ /g, ' ')) || flat.includes(ruble(Math.abs(total)).replace(/ /g, '')),
    `${name}: the total ${ruble(total)} in the text`);
  const [yy, mm, dd] = statement.due_on.split('-');
  assert.ok(flat.includes(`${dd}.${mm}.${yy}`), `${name}: the due date`);
  return { file, text: flat, payees, codes };
}

before(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'upravdom-paydoc-'));
  server = await startServer();
  c = api(server.url);
  for (const who of ['admin', 'eirc1', 'resident1']) tok[who] = await c.login(who);
  const accounts = (await get('resident1', '/api/v1/accounts')).items;
  for (const account of accounts) {
    const st = (await get('resident1', `/api/v1/accounts/${account.id}/statements?per_page=1`)).items[0];
    if (!st) continue;
    const statement = await get('admin', `/api/v1/accounts/${account.id}/statement?period=${st.period}`);
    const doc = await get('admin', `/api/v1/accounts/${account.id}/document?period=${st.period}`);
    const key = doc.payees.length > 1 ? 'multi' : 'single';
    d[key] ||= { account, statement, doc };
  }
  assert.ok(d.multi, 'docs/demo.md: resident1 has an ЕИРЦ account (two payees)');
  assert.ok(d.single, 'docs/demo.md: resident1 has an account of one payee');
});

after(async () => {
  if (c) for (const token of Object.values(tok)) await c.post('/api/v1/auth/logout', { token });
  if (server) await server.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('GOST R 56042: the QR of a single-payee document, decoded from the PDF, equals the expected payload field by field; ' +
  'pdftotext finds the ЕЛС, the account, the payee\'s bank details, the total and the due date', async () => {
  await checkDocument('single', d.single);
});

test('GOST R 56042: a two-payee document carries one QR per payee, each with its own details and sum; the sums add up ' +
  'to the total due', async () => {
  const { payees } = await checkDocument('multi', d.multi);
  const due = Math.max(kop(d.multi.statement.closing), 0);
  assert.equal(payees.reduce((s, p) => s + p.sum, 0), due);
});

test('GOST R 56042 §5.2.1: a payee name with «», ё and the reserved pipe is carried byte for byte under the first ' +
  'separator no value holds', async () => {
  const other = d.multi.doc.payees[1];
  const name = 'ООО «Ёлка | Чистый город»';
  const r = await c.patch(`/api/v1/organizations/${other.org_id}`, { token: tok.admin, body: { name } });
  assert.equal(r.status, 200, r.text);
  const { codes, text } = await checkDocument('special', d.multi, {
    separatorFor: (org) => (org.id === other.org_id ? '#' : '|'),
  });
  assert.equal(codes.find((q) => q.get('Name') === name)?.get('Name'), name);
  assert.ok(text.includes('«Ёлка | Чистый город»'), 'pdftotext reads the name as it is');
});

async function billAgain(orgId, period) {
  const r = await c.post('/api/v1/billing/runs', { token: tok.eirc1, body: { org_id: orgId, period } });
  assert.equal(r.status, 202, r.text);
  const until = Date.now() + 120000;
  for (;;) {
    const job = await get('eirc1', r.body.job_url);
    if (job.state === 'done') return;
    assert.ok(!['dead', 'cancelled'].includes(job.state), `the run: ${job.state} ${job.last_error}`);
    assert.ok(Date.now() < until, 'the run did not end');
    await new Promise((res) => { setTimeout(res, 200); });
  }
}

test('an overpaid account: the document says «Переплата» and asks every payee Sum=0; an account paid exactly: ' +
  '«К оплате: 0,00» and Sum=0', { timeout: 240000 }, async () => {
  const { account, statement } = d.multi;
  const period = statement.period;
  const accounts = (await get('admin', `/api/v1/accounts?org_id=${account.org_id}&per_page=50`)).items
    .filter((a) => a.id !== account.id && !a.closed_on);
  // Both accounts: pay within the period (its last day, or today if the period is this month).
  const today = new Date().toISOString().slice(0, 10);
  const [y, m] = period.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
  const paidOn = last < today ? last : today;
  const exact = [];
  for (const a of accounts) {
    const st = await c.get(`/api/v1/accounts/${a.id}/statement?period=${period}`, { token: tok.admin });
    if (st.status === 200 && kop(st.body.closing) > 0) { exact.push({ account: a, statement: st.body }); break; }
  }
  assert.ok(exact.length, 'another billed account of the ЕИРЦ with something due');
  const pay = async (a, kopecks, tag) => {
    const r = await c.post('/api/v1/payments', { token: tok.eirc1, body: {
      account_id: a.id, ext_id: `paydoc-${tag}-${process.pid}-${Date.now()}`, paid_on: paidOn,
      amount: ruble(kopecks).replace(/ /g, '').replace(',', '.'), channel: 'bank' } });
    assert.equal(r.status, 201, r.text);
  };
  await pay(account, kop(statement.closing) + 50000, 'over');
  await pay(exact[0].account, kop(exact[0].statement.closing), 'exact');
  await billAgain(account.org_id, period);

  for (const [name, a, want] of [['overpaid', account, 'over'], ['exact', exact[0].account, 'zero']]) {
    const st = await get('admin', `/api/v1/accounts/${a.id}/statement?period=${period}`);
    const closing = kop(st.closing);
    assert.ok(want === 'over' ? closing < 0 : closing === 0, `${name}: closing ${st.closing}`);
    const file = await pdfOf(a.id, period, name);
    const codes = qrCodes(file).map(parsePayload);
    assert.ok(codes.length >= 1, `${name}: the QR codes are there`);
    for (const q of codes) assert.equal(q.get('Sum'), '0', `${name}: nothing asked of ${q.get('Name')}`);
    const flat = run('pdftotext', ['-layout', file, '-']).replace(/\s+/g, ' ');
    if (want === 'over') assert.match(flat, /Переплата/, `${name}: the overpayment said`);
    else assert.match(flat, /К оплате:? 0,00/, `${name}: nothing to pay`);
  }
});
