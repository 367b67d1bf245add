// The rendered payment documents over HTTP (docs/paydoc.md "Files in the browser and over the
// API"), on both backends, against the demo region: an organization's staff render two houses of a
// period through the paydoc.render job (the server's own workers), list the files the manifest
// recorded — batches first, then the single documents in order of their names, paginated, filtered
// by kind and by a street or an account — and download them: a print batch is the PDF its row
// describes (pdfinfo counts the row's pages, the bytes are the row's and the disk's), named by its
// base name. Who sees which files: another organization's staff nothing (an empty list, 404), the
// municipal operator of the organization's territory and the regional operator everything of it,
// another municipality's operator nothing, a resident nothing. A file gone from the disk is a 404
// whose detail says to render again, and rendering again brings it back; a manifest name that
// would leave the documents directory is refused without sending anything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, api } from '../lib/harness.mjs';
import { assertList, assertProblem, assertValidation, discoverDemo, listAll, ISO_UTC } from '../lib/helpers.mjs';
import { sleep } from '../lib/jobs.mjs';

let srv;
let c;
const tok = {};
let demo;
let org; // rso1's organization: its files are rendered
let period; // its latest billed period
let houses; // two of its houses on different streets
let documents; // the server's documents directory
let tmp;
let files; // every file of org and period, as GET /api/v1/paydoc/files lists them
let rendered; // documents the two render jobs reported

before(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'upravdom-paydoc-files-'));
  documents = path.join(tmp, 'documents');
  srv = await startServer({ args: ['--documents', documents] });
  c = api(srv.url);
  for (const l of ['admin', 'region', 'mun1', 'mun2', 'rso1', 'eirc1', 'resident1']) tok[l] = await c.login(l);
  demo = await discoverDemo(c, tok.admin);
  org = demo.orgOf('rso1');
  assert.equal(org.municipality_id, demo.m1, 'rso1 works in municipality 1 (docs/demo.md)');
  const runs = await c.get(`/api/v1/billing/runs?org_id=${org.id}&state=done&per_page=1`, { token: tok.rso1 });
  assert.equal(runs.status, 200, runs.text);
  assert.ok(runs.body.items.length, 'docs/demo.md: the organization is billed');
  period = runs.body.items[0].period;
  // Two houses with statements, on two streets: two batches.
  const accounts = await listAll(c, `/api/v1/accounts?org_id=${org.id}`, tok.admin);
  const street = async (h) => (await c.get(`/api/v1/houses/${h}`, { token: tok.admin })).body.address.replace(/,[^,]*$/, '');
  houses = [];
  const streets = new Set();
  for (const h of [...new Set(accounts.map((a) => a.house_id).filter(Boolean))]) {
    const s = await street(h);
    if (streets.has(s)) continue;
    const st = await c.get(`/api/v1/accounts/${accounts.find((a) => a.house_id === h).id}/statement?period=${period}`, { token: tok.admin });
    if (st.status !== 200) continue;
    streets.add(s);
    houses.push(h);
    if (houses.length === 2) break;
  }
  assert.equal(houses.length, 2, 'two billed houses on different streets');
  rendered = 0;
  for (const h of houses) rendered += (await renderJob(tok.rso1, { period, house_id: h })).progress.total;
  files = await listAll(c, `/api/v1/paydoc/files?period=${period}&org_id=${org.id}`, tok.rso1);
});

after(async () => {
  await srv?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** POST /api/v1/paydoc/renders and waits for its job to end; returns the job. */
async function renderJob(token, body) {
  const r = await c.post('/api/v1/paydoc/renders', { token, body });
  assert.equal(r.status, 202, r.text);
  let job;
  for (let i = 0; i < 1200; i++) {
    job = (await c.get(r.body.job_url, { token })).body;
    if (['done', 'dead', 'cancelled'].includes(job.state)) break;
    await sleep(100);
  }
  assert.equal(job.state, 'done', JSON.stringify(job));
  return job;
}

/** GET a file's bytes with a token: {status, headers, bytes, text}. */
async function download(id, token) {
  const res = await fetch(`${srv.url}/api/v1/paydoc/files/${id}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  const bytes = Buffer.from(await res.arrayBuffer());
  let body;
  try { body = JSON.parse(bytes.toString('utf8')); } catch { body = undefined; }
  return { status: res.status, headers: res.headers, bytes, text: bytes.toString('utf8', 0, 600), body };
}

/** pdfinfo's page count of a PDF's bytes (poppler-utils; its CMap warnings on stderr are ignored). */
function pdfPages(bytes) {
  const file = path.join(tmp, `f-${Date.now()}-${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(file, bytes);
  const r = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
  assert.equal(r.status, 0, `pdfinfo: ${r.stderr}`);
  const m = /^Pages:\s+(\d+)$/m.exec(r.stdout);
  assert.ok(m, r.stdout);
  return Number(m[1]);
}

/** A SQL statement on the server's database (sqlite3 or psql). */
function sql(text) {
  const url = srv.db.url;
  const r = url.startsWith('sqlite:')
    ? spawnSync('sqlite3', ['-cmd', '.timeout 10000', url.slice('sqlite:'.length), text], { encoding: 'utf8' })
    : spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAtc', text], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${text}\n${r.stderr}`);
  return r.stdout.trim();
}

const batches = () => files.filter((f) => f.kind === 'batch');
const singles = () => files.filter((f) => f.kind === 'single');

// ---------------------------------------------------------------- the list

test('the staff list what the render wrote: a batch per street and a single per document, batches first, singles by account', async () => {
  assert.equal(batches().length, 2, 'two houses on two streets: two batches');
  assert.equal(singles().length, rendered, 'a single per rendered document');
  assert.equal(batches().reduce((n, f) => n + f.documents, 0), rendered, 'the batches hold every document');
  assert.deepEqual(files.map((f) => f.kind), [...batches(), ...singles()].map((f) => f.kind), 'batches first');
  const ids = singles().map((f) => Number(/\/(\d+)\.pdf$/.exec(f.name)[1]));
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'singles by account id, numbers by value');
  const names = batches().map((f) => f.name);
  assert.deepEqual(names, [...names].sort(), 'batches by name');
  const accountsById = new Map(sql(`SELECT id, number, COALESCE(els, '') FROM accounts WHERE org_id = ${org.id}`)
    .split('\n').filter(Boolean).map((line) => {
      const [id, number, els] = line.split('|');
      return [Number(id), { number, els: els || null }];
    }));
  for (const f of files) {
    assert.equal(f.org_id, org.id);
    assert.equal(f.org_name, org.short_name || org.name);
    assert.equal(f.period, period);
    assert.match(f.rendered_at, ISO_UTC);
    assert.equal(f.url, `/api/v1/paydoc/files/${f.id}`);
    assert.ok(f.pages >= f.documents && f.documents >= 1 && f.bytes > 0, JSON.stringify(f));
    // The manifest's bytes are the file's on the disk.
    assert.equal(readFileSync(path.join(documents, f.name)).length, f.bytes, f.name);
    if (f.kind === 'batch') {
      assert.match(f.name, new RegExp(`^${period}/print/${org.id}/M\\d+-[a-z0-9-]+-h\\d+\\.pdf$`));
      assert.ok(typeof f.label === 'string' && f.label.length > 0, 'a batch is labelled by its street');
    } else {
      assert.match(f.name, new RegExp(`^${period}/single/${org.id}/\\d+\\.pdf$`));
      // A single is labelled by its account's number and ЕЛС, as people look for it.
      const acc = accountsById.get(Number(/\/(\d+)\.pdf$/.exec(f.name)[1]));
      assert.ok(acc, f.name);
      assert.equal(f.label, acc.els ? `ЛС ${acc.number}, ЕЛС ${acc.els}` : `ЛС ${acc.number}`);
      assert.equal(f.documents, 1);
    }
  }
});

test('pages of the list, kind and search filters', async () => {
  const base = `/api/v1/paydoc/files?period=${period}&org_id=${org.id}`;
  const page2 = assertList(await c.get(`${base}&per_page=1&page=2`, { token: tok.rso1 }));
  assert.deepEqual([page2.page, page2.per_page, page2.total], [2, 1, files.length]);
  assert.deepEqual(page2.items, [files[1]], 'page 2 of one a page is the second file');
  const b = assertList(await c.get(`${base}&kind=batch`, { token: tok.rso1 }));
  assert.deepEqual(b.items, batches());
  const s = assertList(await c.get(`${base}&kind=single&per_page=1`, { token: tok.rso1 }));
  assert.equal(s.total, singles().length, 'the count of singles');
  // The staff's own organization without org_id; another period has none.
  assert.equal(assertList(await c.get(`/api/v1/paydoc/files?period=${period}`, { token: tok.rso1 })).total, files.length);
  assert.equal(assertList(await c.get(`/api/v1/paydoc/files?period=1999-01`, { token: tok.rso1 })).total, 0);
  // A street: the last word of a batch's label, as written and lower-cased (the file name's key).
  const target = batches()[1];
  const word = target.label.split(/[\s,.]+/).filter(Boolean).pop();
  for (const q of [word, word.toLowerCase(), word.toUpperCase()]) {
    const r = assertList(await c.get(`${base}&q=${encodeURIComponent(q)}`, { token: tok.rso1 }));
    assert.ok(r.items.some((f) => f.id === target.id), `q=${q} finds ${target.label}`);
    assert.ok(r.items.every((f) => f.kind === 'batch'), `q=${q}: no single matches a street`);
  }
  // An account id finds its single, not the others of the period or organization.
  const one = singles()[0];
  const account = /\/(\d+)\.pdf$/.exec(one.name)[1];
  const r = assertList(await c.get(`${base}&kind=single&q=${account}`, { token: tok.rso1 }));
  assert.ok(r.items.some((f) => f.id === one.id));
  assert.ok(r.items.every((f) => f.name.split('/').pop().includes(account) || (f.label || '').includes(account)),
    'matched in the file\'s own name or its label, not in the period or organization');
  // The account's number, as its label shows it, finds its single.
  const number = /^ЛС ([^,]+)/.exec(one.label)[1];
  const byNumber = assertList(await c.get(`${base}&kind=single&q=${encodeURIComponent(number)}`, { token: tok.rso1 }));
  assert.ok(byNumber.items.some((f) => f.id === one.id), `q=${number} finds ${one.label}`);
});

test('the list\'s arguments: 422 naming period, kind, org_id, page, per_page; 401 without a session', async () => {
  const r = await c.get('/api/v1/paydoc/files?period=2026-13&kind=all&org_id=x&page=0&per_page=501', { token: tok.rso1 });
  assertValidation(r, ['period', 'kind', 'org_id', 'page', 'per_page']);
  assertProblem(await c.get('/api/v1/paydoc/files'), 401, 'unauthenticated');
  assertProblem(await c.get(`/api/v1/paydoc/files/${files[0].id}`), 401, 'unauthenticated');
});

// ---------------------------------------------------------------- downloads

test('a batch downloads as the PDF its row describes: the row\'s pages and bytes, named by its base name', async () => {
  for (const f of [batches()[0], batches()[1], singles()[0]]) {
    const r = await download(f.id, tok.rso1);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('content-type'), 'application/pdf');
    assert.equal(r.headers.get('content-disposition'), `attachment; filename="${f.name.split('/').pop()}"`);
    assert.equal(Number(r.headers.get('content-length')), f.bytes);
    assert.equal(r.bytes.length, f.bytes, 'the row\'s bytes');
    assert.equal(r.bytes.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.ok(r.bytes.equals(readFileSync(path.join(documents, f.name))), 'the file on the disk, byte for byte');
    assert.equal(pdfPages(r.bytes), f.pages, `${f.name}: pdfinfo counts the row's pages`);
  }
});

// ---------------------------------------------------------------- who sees what

test('another organization\'s staff get an empty list and 404; the territory\'s operators see the files; a resident none', async () => {
  const id = batches()[0].id;
  const list = (who, q = `period=${period}&org_id=${org.id}`) => c.get(`/api/v1/paydoc/files?${q}`, { token: tok[who] });
  // Another organization of the same municipality.
  assert.equal(assertList(await list('eirc1')).total, 0, 'eirc1: none of rso1\'s files');
  assert.ok(!assertList(await list('eirc1', `period=${period}`)).items.some((f) => f.org_id === org.id));
  assertProblem(await c.get(`/api/v1/paydoc/files/${id}`, { token: tok.eirc1 }), 404, 'not-found', 'eirc1');
  // Another municipality's operator.
  assert.equal(assertList(await list('mun2')).total, 0, 'mun2');
  assertProblem(await c.get(`/api/v1/paydoc/files/${id}`, { token: tok.mun2 }), 404, 'not-found', 'mun2');
  // The operators of the organization's territory and the administrator.
  for (const who of ['mun1', 'region', 'admin']) {
    assert.equal(assertList(await list(who)).total, files.length, `${who} sees the organization's files`);
    const r = await download(id, tok[who]);
    assert.equal(r.status, 200, `${who}: ${r.text}`);
    assert.equal(r.bytes.length, batches()[0].bytes);
  }
  // A resident holds billing.read (their own documents) but sees no organization's files.
  assert.equal(assertList(await list('resident1', `period=${period}`)).total, 0, 'resident1: none');
  assertProblem(await c.get(`/api/v1/paydoc/files/${id}`, { token: tok.resident1 }), 404, 'not-found', 'resident1');
  assertProblem(await c.get('/api/v1/paydoc/files/987654321', { token: tok.admin }), 404, 'not-found', 'no such file');
});

// ---------------------------------------------------------------- files off the disk

test('a file gone from the disk answers 404 saying to render again; rendering again brings it back', async () => {
  const f = singles()[singles().length - 1];
  const disk = path.join(documents, f.name);
  unlinkSync(disk);
  const r = await download(f.id, tok.rso1);
  assertProblem(r, 404, 'not-found', 'a deleted file');
  assert.ok(r.body.detail.includes(f.name), `the detail names the file: ${r.body.detail}`);
  assert.match(r.body.detail, /сформируйте документы за [а-я]+ \d{4} заново/);
  // The row stays (the manifest says what was rendered), and the render rewrites what is missing.
  assert.ok(assertList(await c.get(`/api/v1/paydoc/files?period=${period}&org_id=${org.id}&kind=single&per_page=500`,
    { token: tok.rso1 })).items.some((x) => x.id === f.id));
  for (const h of houses) await renderJob(tok.rso1, { period, house_id: h });
  assert.ok(existsSync(disk), 'the render wrote the missing file again');
  const again = await download(f.id, tok.rso1);
  assert.equal(again.status, 200, again.text);
  assert.equal(pdfPages(again.bytes), f.pages);
});

test('a manifest name that would leave the documents directory is refused and nothing of the file is sent', async () => {
  const f = singles()[0];
  // A file outside the documents directory that a climbing name would reach.
  writeFileSync(path.join(tmp, 'secret.pdf'), '%PDF-secret');
  const quoted = (s) => `'${s.replaceAll("'", "''")}'`;
  try {
    for (const name of ['../secret.pdf', path.join(tmp, 'secret.pdf')]) {
      sql(`UPDATE paydoc_files SET name = ${quoted(name)} WHERE id = ${f.id}`);
      const r = await download(f.id, tok.rso1);
      assert.ok(r.status >= 400, `${name}: refused (${r.status})`);
      assert.ok(!r.bytes.includes('secret'), `${name}: nothing of the file`);
      assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
    }
  } finally {
    sql(`UPDATE paydoc_files SET name = ${quoted(f.name)} WHERE id = ${f.id}`);
  }
  assert.equal((await download(f.id, tok.rso1)).status, 200, 'the real name serves again');
});
