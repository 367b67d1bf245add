// Browser end-to-end test of «Платёжные документы» on the staff's «Начисления» page
// (web/paydoc_staff.js, docs/paydoc.md "Files in the browser and over the API"): under the run of
// the demo's billed period, «Сформировать документы» renders the organization's documents as a
// job followed to 100 %, the list then shows the print batches street by street as the API lists
// them (pages, documents) and the count of single documents, a batch's «Скачать» downloads the
// PDF (application/pdf, its base name, its bytes), the singles are listed page by page, and the
// street search narrows the batches.
//
// Data: the demo region (tests/lib/harness.mjs); rso1's organization is billed for the demo's
// last period (docs/demo.md); the server renders into a temporary documents directory.
//
//   cd tests/e2e && npm ci && UPRAVDOM_BIN=/path/to/build/upravdom node --test paydoc_staff.test.mjs
//
// Environment: UPRAVDOM_BIN, UPRAVDOM_CHROMIUM, UPRAVDOM_E2E_SCREENSHOTS (screenshots
// ui-paydoc-staff-*.png are written there).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
process.env.UPRAVDOM_BIN ||= path.resolve(HERE, '../../build/upravdom');
const { startServer, api } = await import('../lib/harness.mjs');
const { launchBrowser, openGuardedPage, loginThroughForm } = await import('./browser.mjs');

const SCREENSHOTS = process.env.UPRAVDOM_E2E_SCREENSHOTS || '';
const NBSP = '\u00a0';

let server;
let browser;
let client;
let tmp;
let documents;
const tok = {};
let org; // rso1's organization
let period; // its latest billed period

const testid = (page, id) => page.getByTestId(id);
const textOf = async (locator) => (await locator.textContent()).trim();
const count = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);

async function shot(page, name) {
  if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `ui-paydoc-staff-${name}.png`), fullPage: true });
}

async function apiGet(p) {
  const r = await client.get(p, { token: tok.rso1 });
  assert.equal(r.status, 200, `GET ${p}: ${r.text}`);
  return r.body;
}

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'upravdom-paydoc-staff-e2e-'));
  documents = path.join(tmp, 'documents');
  server = await startServer({ args: ['--documents', documents] });
  client = api(server.url);
  tok.rso1 = await client.login('rso1');
  const me = await apiGet('/api/v1/me');
  org = await apiGet(`/api/v1/organizations/${me.org_id}`);
  const runs = await apiGet(`/api/v1/billing/runs?org_id=${org.id}&state=done&per_page=1`);
  assert.ok(runs.items.length, 'docs/demo.md: rso1\'s organization is billed');
  period = runs.items[0].period;
  browser = await launchBrowser();
  if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
});

after(async () => {
  if (browser) await browser.close();
  if (client) for (const token of Object.values(tok)) await client.post('/api/v1/auth/logout', { token });
  if (server) await server.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('«Сформировать документы» renders the period as a job followed to 100 %; the batches are listed as the API lists ' +
  'them and download as PDF; the singles are counted and listed; the street search narrows the batches', { timeout: 300000 }, async () => {
  const s = await openGuardedPage(browser);
  const { page } = s;
  try {
    await loginThroughForm(page, server.url, 'rso1');
    await page.goto(`${server.url}/#/billing?period=${period}`);
    const section = testid(page, 'paydoc-section');
    await section.waitFor();
    assert.equal(await textOf(section.locator('h3')), 'Платёжные документы');
    // Nothing rendered yet.
    await section.getByTestId('paydoc-files-empty').filter({ hasText: 'ещё не сформированы' }).waitFor();
    const button = testid(page, 'paydoc-render');
    assert.equal(await button.isEnabled(), true, 'the period has a done run: the button is enabled');

    await button.click();
    const progress = page.locator('[data-testid="paydoc-progress"][data-state="done"]');
    await progress.waitFor({ timeout: 240000 });
    assert.equal(await progress.getAttribute('data-percent'), '100');
    const bar = await testid(page, 'paydoc-progress-bar').evaluate((el) => ({ value: el.value, max: el.max }));
    assert.equal(bar.value, bar.max, 'the bar is full');
    assert.match(await textOf(testid(page, 'paydoc-progress-text')), /^Готово: [\d\s]+ из [\d\s]+ документов · 100\s%$/);
    const done = await textOf(testid(page, 'paydoc-done'));

    // The list is the API's: batches first page, the singles' count.
    const batches = await apiGet(`/api/v1/paydoc/files?org_id=${org.id}&period=${period}&kind=batch&per_page=20`);
    const singles = await apiGet(`/api/v1/paydoc/files?org_id=${org.id}&period=${period}&kind=single&per_page=20`);
    assert.ok(batches.total > 0 && singles.total > 0, 'the render wrote batches and singles');
    assert.ok(done.includes(count(singles.total)), `the message counts the documents: ${done}`);
    const rows = section.locator('[data-testid="paydoc-batches"] tbody tr');
    await section.locator(`[data-testid="paydoc-file-${batches.items[0].id}"]`).waitFor();
    assert.equal(await rows.count(), batches.items.length);
    for (const [i, f] of batches.items.entries()) {
      const cells = (await rows.nth(i).locator('td').allTextContents()).map((t) => t.trim());
      assert.equal(cells[0], f.label, 'the street');
      assert.equal(cells[1], count(f.documents));
      assert.equal(cells[2], count(f.pages));
      assert.match(cells[3], /^[\d\s,]+\s(Б|КБ|МБ)$/, 'the size');
    }
    assert.match(await textOf(testid(page, 'paydoc-singles-count')), new RegExp(`Отдельных документов для электронной рассылки: ${count(singles.total)}\\.`));
    await shot(page, 'batches');

    // «Скачать»: the browser downloads the batch's PDF under its base name, its bytes the row's.
    const first = batches.items[0];
    const link = testid(page, `paydoc-download-${first.id}`);
    assert.equal(await link.getAttribute('href'), `/api/v1/paydoc/files/${first.id}`);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    assert.equal(download.suggestedFilename(), first.name.split('/').pop());
    const saved = await download.path();
    assert.equal(statSync(saved).size, first.bytes, 'the downloaded bytes are the row\'s');
    assert.equal(readFileSync(saved).subarray(0, 5).toString('latin1'), '%PDF-');
    const res = await page.request.get(`${server.url}${await link.getAttribute('href')}`);
    assert.equal(res.status(), 200);
    assert.equal(res.headers()['content-type'], 'application/pdf', 'the link answers application/pdf (the session cookie)');

    // The singles, page by page.
    await testid(page, 'paydoc-show-singles').click();
    const singleRows = section.locator('[data-testid="paydoc-singles"] tbody tr');
    await section.locator(`[data-testid="paydoc-file-${singles.items[0].id}"]`).waitFor();
    assert.equal(await singleRows.count(), singles.items.length);
    assert.match(await textOf(section.getByTestId('page-info')), new RegExp(`всего ${singles.total}$`));
    const account = /\/(\d+)\.pdf$/.exec(singles.items[0].name)[1];
    assert.equal(await textOf(singleRows.first().locator('td').first()), singles.items[0].label,
      'a single shown by its account number and ЕЛС');
    assert.match(singles.items[0].label, /^ЛС /);
    assert.equal(await singleRows.first().locator('td a').first().getAttribute('href'), `#/account/${account}`);
    if (singles.total > 20) {
      await section.getByTestId('page-next').click();
      await section.getByTestId('page-info').filter({ hasText: /^Страница 2 / }).waitFor();
    }
    await shot(page, 'singles');

    // Back to the batches; a street word finds its batch.
    await testid(page, 'paydoc-show-batches').click();
    await section.locator('[data-testid="paydoc-batches"]').waitFor();
    const target = batches.items[batches.items.length - 1];
    const word = target.label.split(/[\s,.]+/).filter(Boolean).pop();
    await testid(page, 'paydoc-q').fill(word.toLowerCase());
    await testid(page, 'paydoc-search').click();
    await section.locator(`[data-testid="paydoc-file-${target.id}"]`).waitFor();
    const found = await apiGet(`/api/v1/paydoc/files?org_id=${org.id}&period=${period}&kind=batch&q=${encodeURIComponent(word.toLowerCase())}`);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="paydoc-batches"] tbody tr').length === n, found.total);
    assert.ok(found.total < batches.total || batches.total === 1, 'the search narrows the list');
  } finally {
    await s.finish();
  }
});
