// Payment documents (docs/paydoc.md) over HTTP and the command line, on both backends,
// against the demo region: one account's document as JSON, text and PDF with the same
// sums as its statement; who sees which document; `upravdom render bills` writing print
// batches and single PDFs, keeping what has not changed on a re-run and rewriting only
// what a payment changed; pages of a print batch in delivery-route order; the render as
// a job over HTTP. (The QR codes decoded from the PDFs are another test's.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, assertNoSanitizerReport, startServer, api } from '../lib/harness.mjs';
import { assertProblem, assertValidation, discoverDemo, listAll } from '../lib/helpers.mjs';
import { run, runAsync, sleep } from '../lib/jobs.mjs';

let srv;
let c;
const tok = {};
let demo;
let eirc; // the ЕИРЦ of municipality 1: its documents have two payees (docs/demo.md)
let account; // resident1's ЕИРЦ account
let period; // its latest billed period
let statement; // GET /api/v1/accounts/{id}/statement of it
let tmp; // files of this test
let documents; // the server's documents directory (the render job writes there)

before(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'upravdom-paydoc-'));
  documents = path.join(tmp, 'server-documents');
  srv = await startServer({ args: ['--documents', documents] });
  c = api(srv.url);
  for (const l of ['admin', 'eirc1', 'rso1', 'tko1', 'mun1', 'resident1', 'resident2']) tok[l] = await c.login(l);
  demo = await discoverDemo(c, tok.admin);
  eirc = demo.orgOf('eirc1');
  const own = await listAll(c, '/api/v1/accounts', tok.resident1);
  account = own.find((a) => a.org_id === eirc.id);
  assert.ok(account, 'resident1 has an account of the ЕИРЦ');
  const st = await c.get(`/api/v1/accounts/${account.id}/statements`, { token: tok.resident1 });
  assert.equal(st.status, 200, st.text);
  period = st.body.items[0].period;
  statement = (await c.get(`/api/v1/accounts/${account.id}/statement?period=${period}`, { token: tok.resident1 })).body;
});

after(async () => {
  await srv?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const kop = (s) => Math.round(Number(s) * 100);
const doc = (id, token, suffix = '', p = period) => c.get(`/api/v1/accounts/${id}/document${suffix}?period=${p}`, { token });

/** pdftotext of a file, one string per page (pages end with a form feed). */
function pdfPages(file) {
  const r = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, `pdftotext ${file}: ${r.stderr}`); // poppler's CMap warnings go to stderr
  return r.stdout.split('\f').slice(0, -1);
}

/** "1234.56" → "1 234,56" as a Russian document prints it (any space between groups). */
const rubRe = (s) => {
  const [int, frac] = Number(s).toFixed(2).split('.');
  return new RegExp(`${int.replace(/\B(?=(\d{3})+(?!\d))/g, '[\\s\\u00a0\\u202f]?')},${frac}`);
};

// ---------------------------------------------------------------- one document

test('the JSON form: the totals are the statement\'s, the lines its lines, two payees whose sums add up to the total due', async () => {
  const r = await doc(account.id, tok.resident1);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  const d = r.body;
  assert.equal(d.account_id, account.id);
  assert.equal(d.org_id, eirc.id);
  assert.equal(d.els, account.els);
  const [y, m] = period.split('-');
  assert.equal(d.ipd, `${account.els}-01-${m}${y.slice(2)}`, 'ИПД = ЕЛС-01-MMYY');
  assert.equal(d.ipd.length, 18);
  assert.equal(d.period, period);
  assert.equal(d.due_on, statement.due_on);
  assert.match(d.issued_on, /^\d{4}-\d{2}-\d{2}$/);
  for (const k of ['opening', 'charged', 'corrected', 'penalty', 'cashback', 'paid', 'total_due']) {
    assert.equal(d.totals[k], statement[k], `totals.${k} is the statement's`);
  }
  assert.equal(d.totals.total, statement.closing, 'total is the statement\'s closing');
  // The same lines (kind and amount), whatever their order on the document.
  const key = (l) => `${l.kind}|${l.service ?? ''}|${l.amount}`;
  assert.deepEqual(d.lines.map(key).sort(), statement.lines.map(key).sort());
  // Charges by payee, the account's organization first.
  const payees = d.lines.filter((l) => l.kind === 'charge').map((l) => l.payee);
  assert.deepEqual(payees, [...payees].sort((a, b) => a - b), 'charges grouped by payee');
  // Two payees: the ЕИРЦ, and the ТКО operator paid for the waste (docs/demo.md).
  assert.equal(d.payees.length, 2, JSON.stringify(d.payees.map((p) => p.name)));
  assert.equal(d.payees[0].org_id, eirc.id);
  const tko = demo.orgsOf(eirc.municipality_id).find((o) => o.kind === 'tko');
  assert.equal(d.payees[1].org_id, tko.id);
  const waste = d.lines.filter((l) => l.payee === 1);
  assert.ok(waste.length >= 1 && waste.every((l) => l.service === 'Обращение с ТКО'), 'the waste line is the operator\'s');
  assert.equal(kop(d.payees[1].lines_total), waste.reduce((s, l) => s + kop(l.amount), 0));
  assert.equal(kop(d.payees[0].sum) + kop(d.payees[1].sum), kop(d.totals.total_due), 'the sums add up to the total due');
  for (const p of d.payees) {
    for (const f of ['bank_name', 'bic', 'account', 'corr_account']) assert.ok(p[f], `${p.name}: ${f}`);
    assert.ok(p.qr && /^ST0001[12]/.test(p.qr.payload), `${p.name}: a QR code`);
    assert.match(p.qr.payload, new RegExp(`Sum=${kop(p.sum)}(\\||$)`), 'the QR asks the payee\'s sum');
  }
  // Readings the charges used; contacts: the manager, the payees, the dispatch service.
  for (const x of d.readings) assert.ok(x.current && x.consumption, JSON.stringify(x));
  assert.deepEqual([...new Set(d.contacts.map((x) => x.role))].sort(), ['dispatch', 'manager', 'supplier']);
  assert.ok(d.contacts.find((x) => x.role === 'dispatch').phone, 'the dispatch phone');
  // The same document for the organization's staff.
  const staff = await doc(account.id, tok.eirc1);
  assert.equal(staff.status, 200, staff.text);
  assert.deepEqual(staff.body, d);
});

test('the text form: UTF-8 plain text with the ЕЛС, the period and the total, lines of at most 80 characters', async () => {
  const r = await doc(account.id, tok.resident1, '.txt');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('content-type'), 'text/plain; charset=utf-8');
  assert.ok(r.text.includes(account.els), 'the ЕЛС');
  assert.match(r.text, /ПЛАТЁЖНЫЙ ДОКУМЕНТ за [а-я]+ \d{4}/);
  assert.match(r.text, rubRe(statement.closing > 0 ? statement.closing : '0'), 'the total');
  for (const line of r.text.split('\n')) assert.ok([...line].length <= 80, `a line of ${[...line].length}: ${line}`);
});

test('the PDF form: %PDF, an attachment named by the ЕЛС and period; pdftotext finds the ЕЛС, the period and the total', async () => {
  const res = await fetch(`${srv.url}/api/v1/accounts/${account.id}/document.pdf?period=${period}`,
    { headers: { Authorization: `Bearer ${tok.resident1}` } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  assert.equal(res.headers.get('content-disposition'), `attachment; filename="bill-${account.els}-${period}.pdf"`);
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
  const file = path.join(tmp, 'one.pdf');
  writeFileSync(file, bytes);
  const text = pdfPages(file).join('\n');
  assert.ok(text.includes(account.els), 'the ЕЛС');
  const [y, m] = period.split('-');
  const months = ['январь', 'февраль', 'март', 'апрель', 'май', 'июнь', 'июль', 'август', 'сентябрь', 'октябрь',
    'ноябрь', 'декабрь'];
  assert.ok(text.includes(`${months[Number(m) - 1]} ${y}`), `the period (${months[Number(m) - 1]} ${y})`);
  assert.match(text, rubRe(statement.closing > 0 ? statement.closing : '0'), 'the total due');
});

test('a resident gets their own document and 404 for another\'s; another organization\'s staff 404', async () => {
  const other = (await listAll(c, '/api/v1/accounts', tok.resident2))[0];
  assert.ok(other, 'resident2 has an account');
  for (const suffix of ['', '.pdf', '.txt']) {
    assertProblem(await doc(other.id, tok.resident1, suffix), 404, 'not-found', `resident1 → resident2's ${suffix}`);
    assertProblem(await doc(account.id, tok.rso1, suffix), 404, 'not-found', `rso1 → the ЕИРЦ's ${suffix}`);
  }
  assert.equal((await doc(other.id, tok.resident2)).status, 200, 'resident2 reads their own');
  assert.equal((await doc(account.id, tok.mun1)).status, 200, 'the municipal operator reads its territory\'s');
});

test('period missing or malformed answers 422 naming period; a period without a statement 404', async () => {
  for (const suffix of ['', '.pdf', '.txt']) {
    assertValidation(await c.get(`/api/v1/accounts/${account.id}/document${suffix}`, { token: tok.resident1 }), 'period', `no period ${suffix}`);
    for (const p of ['2026-13', '2026-1', 'октябрь']) {
      assertValidation(await doc(account.id, tok.resident1, suffix, encodeURIComponent(p)), 'period', p);
    }
    assertProblem(await doc(account.id, tok.resident1, suffix, '1999-01'), 404, 'not-found', 'no statement');
  }
  assertProblem(await doc(987654, tok.admin), 404, 'not-found', 'unknown account');
});

// ---------------------------------------------------------------- render bills

/** Runs `render bills`; returns the summary as {documents, pages, batches: [w, k], singles: [w, k], bytes}. */
function render(out, args = []) {
  const r = run(srv.db.url, ['render', 'bills', '--period', period, '--out', out, ...args], { timeout: 600000 });
  const n = (re) => {
    const m = re.exec(r.stdout);
    assert.ok(m, `${re} in ${r.stdout}`);
    return m.slice(1).map(Number);
  };
  assert.equal(r.stderr.includes('\r'), false, 'no progress line on a pipe');
  return {
    documents: n(/documents: (\d+)/)[0], pages: n(/pages: (\d+)/)[0], bytes: n(/bytes: (\d+)/)[0],
    batches: n(/batches: (\d+) written, (\d+) kept/), singles: n(/singles: (\d+) written, (\d+) kept/),
  };
}

/** Every file under dir: relative path → mtime (ms). */
function files(dir) {
  const out = {};
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = statSync(p).mtimeMs;
    }
  };
  walk(dir);
  return out;
}

test('render bills writes batches and singles; a re-run writes nothing; a payment rewrites only its account\'s files', async () => {
  const out = path.join(tmp, 'render');
  // Another house of the ЕИРЦ on another street (its own batch file).
  const street = async (h) => (await c.get(`/api/v1/houses/${h}`, { token: tok.admin })).body.address.replace(/,[^,]*$/, '');
  const mine = await street(account.house_id);
  const ids = [...new Set((await listAll(c, `/api/v1/accounts?org_id=${eirc.id}&per_page=500`, tok.admin))
    .map((a) => a.house_id).filter((h) => h && h !== account.house_id))];
  let otherHouse = null;
  for (const h of ids) if (await street(h) !== mine) { otherHouse = h; break; }
  assert.ok(otherHouse, 'a house on another street');
  const houses = [account.house_id, otherHouse];
  const first = houses.map((h) => render(out, ['--org', String(eirc.id), '--house', String(h)]));
  for (const [i, f] of first.entries()) {
    assert.ok(f.documents > 0, `house ${houses[i]}: documents`);
    assert.deepEqual(f.batches, [1, 0], 'one batch written (one house, one street)');
    assert.deepEqual(f.singles, [f.documents, 0], 'a single per document');
    assert.ok(f.pages >= f.documents && f.bytes > 0);
  }
  const before = files(out);
  const singles = Object.keys(before).filter((p) => p.includes('/single/'));
  const batches = Object.keys(before).filter((p) => p.includes('/print/'));
  assert.equal(singles.length, first[0].documents + first[1].documents);
  assert.equal(batches.length, 2);
  assert.ok(singles.every((p) => p.startsWith(`${period}/single/${eirc.id}/`) && /\/\d+\.pdf$/.test(p)), singles[0]);
  assert.ok(batches.every((p) => new RegExp(`^${period}/print/${eirc.id}/M\\d+-[a-z0-9-]+-h\\d+\\.pdf$`).test(p)), batches[0]);
  assert.ok(singles.includes(`${period}/single/${eirc.id}/${account.id}.pdf`));
  assert.ok(!Object.keys(before).some((p) => p.endsWith('.tmp')), 'no temporary file left');

  await sleep(1100); // a rewritten file would get a later mtime
  const again = houses.map((h) => render(out, ['--org', String(eirc.id), '--house', String(h)]));
  for (const [i, f] of again.entries()) {
    assert.deepEqual(f.batches, [0, 1], 'the batch kept');
    assert.deepEqual(f.singles, [0, first[i].documents], 'every single kept');
    assert.equal(f.bytes, 0, 'nothing written');
  }
  assert.deepEqual(files(out), before, 'no file touched');

  // A payment in the period changes the account's statement once the period is billed again.
  const paid = await c.post('/api/v1/payments', { token: tok.eirc1, body: {
    account_id: account.id, ext_id: `paydoc-${process.pid}-${Date.now()}`, paid_on: `${period}-15`, amount: '123.45', channel: 'app' } });
  assert.equal(paid.status, 201, paid.text);
  run(srv.db.url, ['bill', 'run', '--period', period, '--org', String(eirc.id)]);
  const third = houses.map((h) => render(out, ['--org', String(eirc.id), '--house', String(h)]));
  assert.deepEqual(third[0].batches, [1, 0], 'the batch of the paid account\'s house is rewritten');
  assert.deepEqual(third[0].singles, [1, first[0].documents - 1], 'only the paid account\'s single is rewritten');
  assert.deepEqual(third[1].batches, [0, 1], 'another house\'s batch is kept');
  assert.deepEqual(third[1].singles, [0, first[1].documents], 'another house\'s singles are kept');
  const after = files(out);
  const changed = Object.keys(after).filter((p) => after[p] !== before[p]).sort();
  const paidBatch = batches.find((p) => after[p] !== before[p]);
  assert.deepEqual(changed, [`${period}/single/${eirc.id}/${account.id}.pdf`, paidBatch].sort());
  const now = await doc(account.id, tok.resident1);
  assert.equal(kop(now.body.totals.paid), kop(statement.paid) + 12345, 'the document shows the payment');
});

test('a print batch has its pages in delivery-route order: house number, entrance, premises number', async () => {
  // The smallest organization billed in the period keeps the run short.
  const runs = (await c.get(`/api/v1/billing/runs?period=${period}&state=done&per_page=100`, { token: tok.admin })).body.items;
  const org = runs.filter((x) => x.accounts > 0).sort((a, b) => a.accounts - b.accounts)[0];
  const out = path.join(tmp, 'route');
  const r = render(out, ['--org', String(org.org_id), '--only', 'print']);
  assert.deepEqual(r.singles, [0, 0], '--only print writes no singles');
  const dir = path.join(out, period, 'print', String(org.org_id));
  // Expected: for each batch, its houses by number, their accounts by entrance and premises.
  const natural = new Intl.Collator('ru', { numeric: true }).compare;
  const accounts = await listAll(c, `/api/v1/accounts?org_id=${org.org_id}&per_page=500`, tok.admin);
  const houses = new Map();
  for (const a of accounts) if (a.house_id && !houses.has(a.house_id)) houses.set(a.house_id, null);
  let checked = 0;
  for (const name of readdirSync(dir)) {
    const pages = pdfPages(path.join(dir, name));
    const els = [];
    for (const p of pages) {
      const m = /\b99[A-Z]{2}\d{6}\b/.exec(p);
      if (m && els[els.length - 1] !== m[0]) els.push(m[0]);
    }
    if (els.length < 2) continue;
    // The documents of the batch, ordered independently of the server.
    const byEls = new Map(accounts.filter((a) => a.els).map((a) => [a.els, a]));
    const docs = els.map((e) => byEls.get(e));
    assert.ok(docs.every(Boolean), `${name}: every page's ЕЛС is the organization's`);
    for (const h of new Set(docs.map((a) => a.house_id))) {
      if (houses.get(h)) continue;
      const house = (await c.get(`/api/v1/houses/${h}`, { token: tok.admin })).body;
      const premises = (await c.get(`/api/v1/houses/${h}/premises`, { token: tok.admin })).body.items;
      houses.set(h, { number: /д\.\s*([^,]+)$/.exec(house.address)?.[1] ?? '', premises: new Map(premises.map((p) => [p.id, p])) });
    }
    // Entrances in order, an unknown one last; accounts without premises last.
    const sortKey = (a) => {
      const h = houses.get(a.house_id);
      const p = h.premises.get(a.premises_id);
      return { h: h.number, e: p?.entrance ?? Number.MAX_SAFE_INTEGER, none: p ? 0 : 1, n: p?.number ?? '', id: a.id };
    };
    const want = [...docs].sort((a, b) => {
      const x = sortKey(a), y = sortKey(b);
      return natural(x.h, y.h) || (x.e - y.e) || (x.none - y.none) || natural(x.n, y.n) || (x.id - y.id);
    });
    assert.deepEqual(els, want.map((a) => a.els), `${name}: pages in route order`);
    checked++;
  }
  assert.ok(checked > 0, 'at least one batch of several documents checked');
});

/** Runs SQL on the server's database: the registry has no API that moves an account yet. */
function sql(text) {
  const url = srv.db.url;
  const r = url.startsWith('sqlite:')
    ? spawnSync('sqlite3', ['-cmd', '.timeout 10000', url.slice('sqlite:'.length), text], { encoding: 'utf8' })
    : spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAtc', text], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${text}\n${r.stderr}`);
  return r.stdout.trim();
}

/** Every temporary under dir: a hidden name (a render's own), or one ending in .tmp. */
function hidden(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name.endsWith('.tmp')) out.push(path.join(d, e.name));
      else if (e.isDirectory()) walk(path.join(d, e.name));
    }
  };
  walk(dir);
  return out;
}

test('the statement is the document\'s snapshot: an account moved to another house after the run is printed once, with the house it was billed in and the readings its charges used', async () => {
  // An account of the resident's house whose document shows readings, and another house.
  const house = account.house_id;
  const mates = (await listAll(c, `/api/v1/accounts?org_id=${eirc.id}&per_page=500`, tok.admin))
    .filter((a) => a.house_id === house && a.id !== account.id);
  let moved = null;
  let before = null;
  for (const a of mates) {
    const d = await doc(a.id, tok.admin);
    if (d.status === 200 && d.body.readings.length && d.body.els) { moved = a; before = d.body; break; }
  }
  assert.ok(moved, 'an account of the house with readings on its document');
  const other = (await listAll(c, `/api/v1/accounts?org_id=${eirc.id}&per_page=500`, tok.admin))
    .map((a) => a.house_id).find((h) => h && h !== house);
  const out = path.join(tmp, 'moved');
  const args = (h) => ['--org', String(eirc.id), '--house', String(h)];
  const countA = render(out, args(house)).documents;
  const countB = render(out, args(other)).documents;
  sql(`UPDATE accounts SET house_id = ${other} WHERE id = ${moved.id}`);
  try {
    const a = render(path.join(tmp, 'moved-a'), args(house));
    const b = render(path.join(tmp, 'moved-b'), args(other));
    assert.equal(a.documents, countA, 'the house it was billed in still prints it');
    assert.equal(b.documents, countB, 'the house it moved to does not print it too');
    const single = (dir) => path.join(dir, period, 'single', String(eirc.id), `${moved.id}.pdf`);
    assert.ok(statSync(single(path.join(tmp, 'moved-a'))).size > 0, 'its single with the house it was billed in');
    assert.throws(() => statSync(single(path.join(tmp, 'moved-b'))), /ENOENT/, 'no single with the other house');
    // Its page of the house's batch: its ЕЛС, the house's address, the meters its charges used.
    const dir = path.join(tmp, 'moved-a', period, 'print', String(eirc.id));
    const pages = readdirSync(dir).flatMap((f) => pdfPages(path.join(dir, f)));
    const page = pages.find((p) => p.includes(moved.els));
    assert.ok(page, 'its page in the batch of the house it was billed in');
    for (const x of before.readings) assert.ok(page.includes(x.serial), `the reading of meter ${x.serial} on its page`);
    // The API answers the same document: the statement's house.
    const now = await doc(moved.id, tok.admin);
    assert.equal(now.status, 200, now.text);
    assert.equal(now.body.address, before.address, 'the address of the house it was billed in');
    assert.deepEqual(now.body.readings, before.readings);
  } finally {
    sql(`UPDATE accounts SET house_id = ${house} WHERE id = ${moved.id}`);
  }
});

test('two renders of the same files at once both finish: every file is a whole PDF, no temporary is left, and the next render keeps them', async () => {
  const out = path.join(tmp, 'overlap');
  const args = ['render', 'bills', '--period', period, '--out', out, '--org', String(eirc.id), '--house', String(account.house_id)];
  const both = await Promise.all([runAsync(srv.db.url, args, { timeout: 600000 }), runAsync(srv.db.url, args, { timeout: 600000 })]);
  for (const r of both) assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(hidden(out), [], 'no temporary left');
  const made = Object.keys(files(out));
  const docs = Number(/documents: (\d+)/.exec(both[0].stdout)[1]);
  assert.equal(made.length, docs + 1, 'a single per document and the batch');
  for (const f of made) {
    const bytes = readFileSync(path.join(out, f));
    assert.equal(bytes.subarray(0, 5).toString(), '%PDF-', f);
    assert.match(bytes.subarray(-8).toString(), /%%EOF\s*$/, `${f} is whole`);
  }
  // The manifest may name either render's copy (the last rename and the last row may be
  // different renders'): a render after them makes it agree, and the next keeps everything.
  render(out, args.slice(6));
  const again = render(out, args.slice(6));
  assert.deepEqual(again.batches, [0, 1]);
  assert.deepEqual(again.singles, [0, docs]);
});

test('a file that cannot be written whole (the file size limit, as a full disk) fails the run naming it and leaves the old file and no temporary; a file touched since its render is drawn again', async () => {
  const out = path.join(tmp, 'limit');
  const args = ['render', 'bills', '--period', period, '--out', out, '--org', String(eirc.id), '--house', String(account.house_id), '--only', 'print'];
  assert.deepEqual(render(out, args.slice(6)).batches, [1, 0]);
  const dir = path.join(out, period, 'print', String(eirc.id));
  const [name] = readdirSync(dir);
  const file = path.join(dir, name);
  const old = readFileSync(file);
  assert.ok(old.length > 64 * 1024, 'the batch is larger than the limit below');
  // Touched: its recorded mtime no longer matches, so the next render draws it again.
  const past = new Date(Date.now() - 3600 * 1000);
  utimesSync(file, past, past);
  const limited = spawnSync('bash', ['-c', 'trap "" XFSZ; ulimit -f 64; exec "$0" "$@"', BIN, ...args, '--db', srv.db.url],
    { encoding: 'utf8', timeout: 600000 });
  assertNoSanitizerReport(limited.stderr, 'render bills under ulimit -f');
  assert.notEqual(limited.status, 0, `the run fails: ${limited.stdout}`);
  assert.ok(limited.stderr.includes(name), `the error names the file: ${limited.stderr}`);
  assert.deepEqual(readFileSync(file), old, 'the old file is whole');
  assert.equal(Math.round(statSync(file).mtimeMs), past.getTime(), 'and untouched');
  assert.deepEqual(hidden(out), [], 'no temporary left');
  const redrawn = render(out, args.slice(6));
  assert.deepEqual(redrawn.batches, [1, 0], 'drawn again: the file is not as recorded');
  assert.deepEqual(render(out, args.slice(6)).batches, [0, 1], 'then kept');
});

test('render bills --out: a path too long for a file name under it is refused naming --out, never cut', async () => {
  for (const n of [5000, 4000]) {
    const r = run(srv.db.url, ['render', 'bills', '--period', period, '--out', `/tmp/${'d'.repeat(n)}`], { expect: 2 });
    assert.match(r.stderr, /--out: /, r.stderr);
  }
});

// ---------------------------------------------------------------- the render job

test('POST /api/v1/paydoc/renders queues a paydoc.render job that writes the same files the command line keeps', async () => {
  const r = await c.post('/api/v1/paydoc/renders', { token: tok.eirc1, body: { period, house_id: account.house_id } });
  assert.equal(r.status, 202, r.text);
  assert.deepEqual([r.body.org_id, r.body.house_id, r.body.period], [eirc.id, account.house_id, period]);
  assert.match(r.body.job_url, /^\/api\/v1\/jobs\/\d+$/);
  let job;
  for (let i = 0; i < 600; i++) {
    job = (await c.get(r.body.job_url, { token: tok.eirc1 })).body;
    if (['done', 'dead', 'cancelled'].includes(job.state)) break;
    await sleep(200);
  }
  assert.equal(job.state, 'done', JSON.stringify(job));
  assert.equal(job.kind, 'paydoc.render');
  assert.ok(job.progress && job.progress.total > 0 && job.progress.done === job.progress.total,
    `progress in documents: ${JSON.stringify(job.progress)}`);
  const made = files(documents);
  assert.ok(made[`${period}/single/${eirc.id}/${account.id}.pdf`], 'the account\'s single in the documents directory');
  // The same documents rendered from the command line: the job's files are kept.
  const again = render(documents, ['--org', String(eirc.id), '--house', String(account.house_id)]);
  assert.deepEqual(again.batches, [0, 1]);
  assert.equal(again.singles[0], 0, 'the API\'s documents and the command line\'s are the same');
});

test('the render job: 422 naming period, org_id or an unknown house_id, 404 for another organization, 403 for a resident', async () => {
  assertValidation(await c.post('/api/v1/paydoc/renders', { token: tok.eirc1, body: {} }), 'period');
  assertValidation(await c.post('/api/v1/paydoc/renders', { token: tok.eirc1, body: { period: '2026-13' } }), 'period');
  assertValidation(await c.post('/api/v1/paydoc/renders', { token: tok.admin, body: { period } }), 'org_id');
  assertValidation(await c.post('/api/v1/paydoc/renders', { token: tok.eirc1, body: { period, colour: 1 } }), 'colour');
  assertProblem(await c.post('/api/v1/paydoc/renders', { token: tok.rso1, body: { period, org_id: eirc.id } }), 404, 'not-found');
  assertValidation(await c.post('/api/v1/paydoc/renders', { token: tok.eirc1, body: { period, house_id: 987654 } }), 'house_id');
  assertProblem(await c.post('/api/v1/paydoc/renders', { token: tok.resident1, body: { period } }), 403, 'forbidden');
});
