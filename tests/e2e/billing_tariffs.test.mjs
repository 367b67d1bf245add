// Browser end-to-end test of the tariffs editor «Тарифы» (web/tariffs.js, docs/billing-catalog.md
// "Web page"): the ЕИРЦ's staff open the page, see the demo's services, open maintenance with its
// tariff history, add a tariff from next month and see it in the history (the previous one ended
// the day before), and see the server's refusals next to the «Действует с» field: a start on the
// 15th (a change inside a period) and a start before the history's last one. An operator only
// reads: no form.
//
//   cd tests/e2e && npm ci && UPRAVDOM_BIN=/path/to/build/upravdom node --test billing_tariffs.test.mjs
//
// Environment: UPRAVDOM_BIN, UPRAVDOM_CHROMIUM (default /usr/bin/chromium),
// UPRAVDOM_E2E_SCREENSHOTS (a directory: screenshots ui-tariffs-*.png are written there).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
process.env.UPRAVDOM_BIN ||= path.resolve(HERE, '../../build/upravdom');
const { startServer, api } = await import('../lib/harness.mjs');
const { localToday, periodOf } = await import('../lib/meters.mjs');
const { listAll } = await import('../lib/helpers.mjs');
const { launchBrowser, openGuardedPage, loginThroughForm } = await import('./browser.mjs');

const SCREENSHOTS = process.env.UPRAVDOM_E2E_SCREENSHOTS || '';

let server;
let browser;
let client;
let token;
let maintenance; // the ЕИРЦ's maintenance service from the demo

before(async () => {
  server = await startServer();
  client = api(server.url);
  token = await client.login('eirc1');
  const me = (await client.get('/api/v1/me', { token })).body;
  maintenance = (await listAll(client, `/api/v1/services?org_id=${me.org_id}`, token)).find((s) => s.code === 'maintenance');
  assert.ok(maintenance, 'the demo gives the ЕИРЦ a maintenance service');
  browser = await launchBrowser();
  if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
});

after(async () => {
  if (browser) await browser.close();
  if (client && token) await client.post('/api/v1/auth/logout', { token });
  if (server) await server.stop();
});

const testid = (page, id) => page.getByTestId(id);
const textOf = async (locator) => (await locator.textContent()).trim();

async function shot(page, name) {
  if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `ui-tariffs-${name}.png`), fullPage: true });
}

/** The 1st of the month n months after the current one in Moscow, and its dd.mm.yyyy. */
function monthStart(n) {
  const t = localToday('Europe/Moscow');
  const i = t.y * 12 + (t.m - 1) + n;
  const p = periodOf(Math.floor(i / 12), (i % 12) + 1);
  return { iso: `${p}-01`, ru: `01.${p.slice(5)}.${p.slice(0, 4)}`, period: p };
}

test('organization staff add a tariff on «Тарифы», see it in the history, and see a mid-month start refused at the field',
  { timeout: 90000 }, async () => {
    const s = await openGuardedPage(browser, { expected: [409, 422] });
    const { page } = s;
    try {
      await loginThroughForm(page, server.url, 'eirc1');
      await testid(page, 'tab-tariffs').click();
      await page.waitForURL(/#\/tariffs$/);
      await testid(page, 'services-table').waitFor();
      await shot(page, 'services');
      await testid(page, `service-link-${maintenance.id}`).click();
      await page.waitForURL(new RegExp(`#/tariff/${maintenance.id}$`));
      assert.equal(await textOf(testid(page, 'service-title')), 'Содержание и текущий ремонт');
      await testid(page, 'tariffs-table').waitFor();
      const before = await page.locator('[data-testid^="tariffs-row-"]').count();
      assert.equal(before, 3, 'the demo history: two organization-wide rows and a house tariff');
      assert.equal(await testid(page, 'norms-card').count(), 0, 'no norms for a service by area');

      // A start inside a month: refused by the server, shown next to «Действует с».
      const mid = monthStart(2);
      await testid(page, 'tariffs-valid_from').fill(`${mid.period}-15`);
      await testid(page, 'tariffs-price').fill('41,25');
      await testid(page, 'tariffs-submit').click();
      const fromError = testid(page, 'tariffs-valid_from-error');
      await fromError.waitFor();
      const refusal = await textOf(fromError);
      assert.match(refusal, /1-го числа месяца/, refusal);
      assert.match(refusal, /внутри расчётного периода не допускается/, refusal);
      assert.equal(await testid(page, 'tariffs-valid_from').getAttribute('aria-invalid'), 'true');
      assert.equal(await page.locator('[data-testid^="tariffs-row-"]').count(), before, 'nothing was added');
      await shot(page, 'refused');

      // From the 1st of next month: added, listed first; the previous open row ends the day before.
      const next = monthStart(1);
      await testid(page, 'tariffs-valid_from').fill(next.iso);
      await testid(page, 'tariffs-submit').click();
      await testid(page, 'tariffs-added').waitFor();
      assert.ok(await fromError.isHidden(), 'the field error is cleared');
      await page.locator('[data-testid^="tariffs-row-"]').nth(before).waitFor();
      const rows = page.locator('[data-testid^="tariffs-row-"]');
      assert.equal(await rows.count(), before + 1);
      const first = rows.first();
      assert.equal(await first.getAttribute('data-from'), next.iso);
      const firstText = await textOf(first);
      assert.ok(firstText.includes('41,25'), firstText);
      assert.ok(firstText.includes('Вся организация'), firstText);
      assert.ok(firstText.includes(next.ru), firstText);
      const history = (await client.get(`/api/v1/services/${maintenance.id}/tariffs`, { token })).body.items;
      const org = history.filter((x) => x.scope === 'organization');
      assert.deepEqual([org[0].valid_from, org[0].valid_to, org[0].price], [next.iso, null, '41.2500']);
      assert.equal(org[1].valid_to === null, false, 'the previous tariff was ended');
      assert.equal(await page.locator(`[data-testid="tariffs-row-${org[1].id}"]`).getAttribute('data-open'), 'false');
      await shot(page, 'added');

      // The same start again: history is not rewritten (409), shown at the field.
      await testid(page, 'tariffs-valid_from').fill(next.iso);
      await testid(page, 'tariffs-price').fill('50');
      await testid(page, 'tariffs-submit').click();
      await fromError.waitFor();
      assert.match(await textOf(fromError), /история не переписывается/);
      assert.equal(await rows.count(), before + 1);
    } finally {
      await s.finish();
    }
  });

test('the administrator picks the organization, adds a norm to a meter service and a tariff for one house',
  { timeout: 90000 }, async () => {
    const me = (await client.get('/api/v1/me', { token })).body;
    const water = (await listAll(client, `/api/v1/services?org_id=${me.org_id}`, token)).find((x) => x.code === 'cold_water');
    // A house of the ЕИРЦ whose address names no other house (the form searches by substring).
    let house;
    for (const x of await listAll(client, '/api/v1/houses?kind=mkd', token)) {
      const found = (await client.get(`/api/v1/houses?q=${encodeURIComponent(x.address)}`, { token })).body;
      if (found.total === 1) { house = x; break; }
    }
    assert.ok(house, 'a house with a unique address');
    const next = monthStart(1);
    const s = await openGuardedPage(browser);
    const { page } = s;
    try {
      await loginThroughForm(page, server.url, 'admin');
      await testid(page, 'tab-tariffs').click();
      await testid(page, 'services-table').waitFor();
      await testid(page, 'filter-tariffs-org').selectOption(String(me.org_id));
      await page.waitForURL(new RegExp(`org_id=${me.org_id}`));
      await testid(page, `service-link-${water.id}`).click();
      await testid(page, 'norms-table').waitFor();
      const norms = page.locator('[data-testid^="norms-row-"]');
      assert.equal(await norms.count(), 1);
      await testid(page, 'norms-valid_from').fill(next.iso);
      await testid(page, 'norms-per_person').fill('7,1');
      await testid(page, 'norms-submit').click();
      await testid(page, 'norms-added').waitFor();
      await norms.nth(1).waitFor();
      assert.ok((await textOf(norms.first())).includes('7,100 м³'), await textOf(norms.first()));

      await testid(page, 'tariffs-scope').selectOption('house');
      await testid(page, 'tariffs-house_id').fill(house.address);
      await testid(page, 'tariffs-valid_from').fill(next.iso);
      await testid(page, 'tariffs-price').fill('60');
      await testid(page, 'tariffs-submit').click();
      await testid(page, 'tariffs-added').waitFor();
      const row = page.locator(`[data-testid^="tariffs-row-"][data-from="${next.iso}"]`);
      await row.waitFor();
      const rowText = await textOf(row);
      assert.ok(rowText.includes(`Дом: ${house.address}`) && rowText.includes('60,00'), rowText);
      await shot(page, 'admin');
    } finally {
      await s.finish();
    }
  });

test('a municipal operator reads the tariffs but gets no form', { timeout: 60000 }, async () => {
  const s = await openGuardedPage(browser);
  const { page } = s;
  try {
    await loginThroughForm(page, server.url, 'mun1');
    await page.goto(`${server.url}/#/tariff/${maintenance.id}`);
    await testid(page, 'tariffs-table').waitFor();
    assert.equal(await testid(page, 'tariffs-form').count(), 0);
  } finally {
    await s.finish();
  }
});
