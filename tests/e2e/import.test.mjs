// Browser end-to-end test of the registry imports (web/registry.js, docs/registry.md
// "Files"): the «Импорт» panel of the «Реестр» tab uploads a house-passport file, an
// extract with an error (a 422 listed by line and column, nothing changed) and a good
// extract; the imported houses are then found, and their chessboard shows the owners.
// Runs on the demo data (`upravdom demo --no-serve --seed 1`, tests/lib/harness.mjs).
//
//   cd tests/e2e && npm ci && UPRAVDOM_BIN=/path/to/build/upravdom node --test import.test.mjs
//
// Environment: UPRAVDOM_BIN, UPRAVDOM_CHROMIUM (default /usr/bin/chromium),
// UPRAVDOM_E2E_SCREENSHOTS (a directory: screenshots ui-import*.png are written there).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
process.env.UPRAVDOM_BIN ||= path.resolve(HERE, '../../build/upravdom');
const { startServer, api } = await import('../lib/harness.mjs');
const { launchBrowser, openGuardedPage, loginThroughForm, TIMEOUT } = await import('./browser.mjs');

const SCREENSHOTS = process.env.UPRAVDOM_E2E_SCREENSHOTS || '';
const DATA = path.resolve(HERE, '../data/registry');
const NBSP = '\u00a0';

let server;
let browser;
let client;
let token;

before(async () => {
  server = await startServer();
  client = api(server.url);
  token = await client.login('admin');
  browser = await launchBrowser();
  if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
});

after(async () => {
  if (browser) await browser.close();
  if (client && token) await client.post('/api/v1/auth/logout', { token });
  if (server) await server.stop();
});

// ------------------------------------------------------------------ helpers

async function apiGet(p) {
  const r = await client.get(p, { token });
  assert.equal(r.status, 200, `GET ${p}: ${r.text}`);
  return r.body;
}

const openPage = (opts) => openGuardedPage(browser, opts);

const login = (page, user) => loginThroughForm(page, server.url, user);

const testid = (page, id) => page.getByTestId(id);
const textOf = async (locator) => (await locator.textContent()).trim();
const count = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);

/** Chooses the kind and the file in the import panel and uploads it; resolves to the request sent. */
async function upload(page, kind, file, { date, skipInvalid = false } = {}) {
  await testid(page, 'import-kind').selectOption(kind);
  await testid(page, 'import-file').setInputFiles(path.join(DATA, file));
  if (date) await testid(page, 'import-date').fill(date);
  await testid(page, 'import-skip').setChecked(skipInvalid);
  const sent = page.waitForRequest((req) => new URL(req.url()).pathname === `/api/v1/imports/${kind}`);
  await testid(page, 'import-submit').click();
  return sent;
}

// ------------------------------------------------------------------ tests

test('admin: «Импорт» on the «Реестр» tab — passports, a bad extract (422 by line and column, ' +
  'nothing changed), a good extract; the imported house\'s chessboard shows the owner', { timeout: 90000 }, async () => {
  const s = await openPage({ expected: [422] });
  const { page } = s;
  try {
    await login(page, 'admin');
    await testid(page, 'tab-registry').click();
    await testid(page, 'houses-table').waitFor();
    await testid(page, 'import-toggle').click();
    assert.equal(await testid(page, 'import-date').isVisible(), false, 'no date for house passports');

    // house passports; the answer is held back a little to see the progress
    await page.route('**/api/v1/imports/**', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      await route.continue();
    });
    const housesReq = await upload(page, 'houses', 'houses.csv');
    await testid(page, 'import-progress').waitFor();
    assert.match(await textOf(testid(page, 'import-progress')), /^Загрузка…/);
    assert.equal(await testid(page, 'import-submit').isDisabled(), true, 'the button is disabled while uploading');
    const hq = new URL(housesReq.url()).searchParams;
    assert.equal(housesReq.method(), 'POST');
    assert.equal(housesReq.headers()['content-type'], 'text/csv');
    assert.equal(hq.get('filename'), 'houses.csv');
    assert.equal(hq.get('skip_invalid'), 'false');
    assert.equal(hq.get('date'), null);
    await testid(page, 'import-done').waitFor();
    await page.unroute('**/api/v1/imports/**');
    assert.equal(await testid(page, 'import-submit').isDisabled(), false);
    assert.equal(await textOf(testid(page, 'import-rows')), '3');
    assert.equal(await textOf(testid(page, 'import-applied')), '3');
    assert.equal(await textOf(testid(page, 'import-rejected')), '0');
    assert.equal(await textOf(testid(page, 'import-houses')), '3 / 0', 'houses created / updated');
    const imported = await apiGet('/api/v1/houses?q=99:01:02000&per_page=100');
    assert.equal(imported.total, 3);

    // an extract with a bad INN: nothing changes, the error is named by line and column
    const quality = await apiGet('/api/v1/registry/quality');
    const badReq = await upload(page, 'premises', 'premises_bad_inn.csv', { date: '2026-11-01' });
    const bq = new URL(badReq.url()).searchParams;
    assert.equal(bq.get('date'), '2026-11-01');
    assert.equal(bq.get('filename'), 'premises_bad_inn.csv');
    await testid(page, 'import-failed').waitFor();
    assert.equal(await textOf(testid(page, 'import-error')), 'Файл не принят, ничего не изменено');
    const row = testid(page, 'import-errors').locator('tbody tr[data-line="2"][data-column="10"]');
    assert.equal(await row.count(), 1, 'the error at line 2, column 10');
    assert.equal(await textOf(row.locator('td').nth(0)), '2');
    assert.equal(await textOf(row.locator('td').nth(1)), '10');
    assert.match(await textOf(row.locator('td').nth(2)), /ИНН/);
    if (SCREENSHOTS) await testid(page, 'import-panel').screenshot({ path: path.join(SCREENSHOTS, 'ui-import.png') });
    assert.deepEqual(await apiGet('/api/v1/registry/quality'), quality, 'nothing changed');
    const first = imported.items.find((x) => x.cadastral_number === '99:01:0200001:1');
    assert.equal((await apiGet(`/api/v1/houses/${first.id}/premises`)).items.length, 0);

    // the good extract
    await upload(page, 'premises', 'premises.csv', { date: '2026-11-01', skipInvalid: true });
    await testid(page, 'import-done').waitFor();
    assert.equal(await textOf(testid(page, 'import-rows')), '11');
    assert.equal(await textOf(testid(page, 'import-rejected')), '0');
    assert.match(await textOf(testid(page, 'import-premises')), /^[1-9]\d* \/ 0$/);
    assert.match(await textOf(testid(page, 'import-rights')), /^[1-9]\d* \/ 0 \/ 0$/);
    assert.equal(await testid(page, 'import-rejected-rows').count(), 0);
    // the figures are reloaded after the import
    const after = await apiGet('/api/v1/registry/quality');
    assert.notEqual(after.premises, quality.premises);
    await testid(page, 'quality-premises-value').filter({ hasText: count(after.premises) }).waitFor();

    // the imported houses are found; the chessboard has cells; a cell shows the owner
    await page.getByLabel('Поиск', { exact: true }).fill('Импортная');
    await testid(page, 'filter-houses-submit').click();
    await page.waitForURL(/#\/registry\?q=/);
    await testid(page, 'page-info').filter({ hasText: 'всего 2' }).waitFor();
    await testid(page, `house-link-${first.id}`).click();
    await page.waitForURL(new RegExp(`#/house/${first.id}$`));
    const board = testid(page, 'chessboard');
    await board.waitFor();
    const cells = board.locator('[data-testid^="premises-cell-"]');
    assert.equal(await cells.count(), 4, 'apartments 1–4 are on the board');
    await board.locator('[data-number="1"]').click();
    const panel = testid(page, 'premises-panel');
    await panel.getByTestId('panel-title').filter({ hasText: '№ 1' }).waitFor();
    assert.deepEqual((await panel.getByTestId('right-owner').allTextContents()).map((t) => t.trim()),
      ['Иванов Иван Иванович']);
  } finally {
    await s.finish();
  }
});
