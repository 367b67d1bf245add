// The premises extract written while it is read (src/registry/import_pipe.c,
// SQLite) and after it is read (PostgreSQL, and any file whose houses are not
// grouped): the order of the file's rows does not change what is stored.
// Rules proven here, on both backends:
//  - an extract whose rows of a house come back after another house's rows
//    stores exactly what the grouped file stores (importing the grouped file
//    afterwards changes nothing);
//  - an error in the last row, after whole houses have been written, still
//    refuses the file and leaves the database as it was.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, startServer, api, assertNoSanitizerReport } from '../lib/harness.mjs';
import { listAll } from '../lib/helpers.mjs';

const DATA = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'data', 'registry');
const OUR_HOUSES = '99:01:02000';

let srv;
let c;
let admin;
let scratch;

function run(args) {
  const r = spawnSync(BIN, [...args, '--db', srv.db.url], { encoding: 'utf8', timeout: 120000, cwd: scratch });
  assertNoSanitizerReport(r.stderr, `upravdom ${args.join(' ')}`);
  assert.equal(r.signal, null, r.stderr);
  return { status: r.status, stdout: r.stdout, out: r.stdout + r.stderr };
}

function counts(stdout) {
  const s = {};
  for (const m of stdout.matchAll(/^([a-z ]+): (\d+)$/gm)) s[m[1]] = Number(m[2]);
  return s;
}

/** premises.csv with its rows in another order, written to the scratch dir. */
function reordered(name, order, extra = []) {
  const [head, ...rows] = readFileSync(path.join(DATA, 'premises.csv'), 'utf8').trimEnd().split('\n');
  const file = path.join(scratch, name);
  writeFileSync(file, [head, ...order(rows), ...extra].join('\n') + '\n');
  return file;
}

async function state() {
  const houses = await listAll(c, `/api/v1/houses?q=${OUR_HOUSES}`, admin);
  const all = [];
  for (const h of houses)
    for (const p of (await c.get(`/api/v1/houses/${h.id}/premises`, { token: admin })).body.items)
      all.push((await c.get(`/api/v1/premises/${p.id}`, { token: admin })).body);
  return JSON.stringify(all.sort((a, b) => a.id - b.id));
}

before(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'upravdom-import-order-'));
  srv = await startServer();
  c = api(srv.url);
  admin = await c.login('admin');
  const h = run(['import', 'houses', path.join(DATA, 'houses.csv')]);
  assert.equal(h.status, 0, h.out);
});

after(async () => {
  try { await srv?.stop(); } finally { rmSync(scratch, { recursive: true, force: true }); }
});

test('an error in the last row, after whole houses were written, refuses the file and changes nothing', async () => {
  const before = await state();
  const bad = '99:01:0200002:5;2;жилое;-5;;;;;;;;;;;;;';
  const file = reordered('premises_late_error.csv', (rows) => rows, [bad]);
  const r = run(['import', 'premises', file, '--date', '2025-01-10']);
  assert.equal(r.status, 2, r.out);
  assert.match(r.out, /:13:4:/, 'the error is named by line and column');
  assert.equal(await state(), before);
});

test('a house whose rows come back later stores exactly what the grouped extract stores', async () => {
  // The first row (flat 1 of house 1) moves to the end: house 1, then the
  // others, then house 1 again.
  const file = reordered('premises_interleaved.csv', (rows) => [...rows.slice(1), rows[0]]);
  const first = run(['import', 'premises', file, '--date', '2025-01-10']);
  assert.equal(first.status, 0, first.out);
  const s = counts(first.stdout);
  assert.equal(s['rows applied'], 11);
  assert.equal(s['premises created'], 9);
  assert.equal(s['rights created'], 10);
  const stored = await state();
  const grouped = run(['import', 'premises', path.join(DATA, 'premises.csv'), '--date', '2025-01-10']);
  assert.equal(grouped.status, 0, grouped.out);
  const g = counts(grouped.stdout);
  for (const k of ['premises created', 'premises updated', 'rights created', 'rights updated', 'rights ended', 'changes recorded'])
    assert.equal(g[k], 0, `the grouped file finds nothing to change (${k})`);
  assert.equal(await state(), stored);
  const flat1 = JSON.parse(stored).find((p) => p.number === '1' && p.rights.some((x) => x.owner_name === 'Иванов Иван Иванович'));
  assert.ok(flat1, 'the row that came back is stored');
  assert.equal(flat1.rights[0].encumbrance.kind, 'ипотека');
});
