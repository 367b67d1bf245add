// Browser end-to-end test of the registry pages (web/registry.js, docs/registry.md):
// the «Реестр» tab (search of houses, data quality, changes), the house card with its
// characteristics, report links and the building's chessboard with the premises panel;
// the municipal operator's scope; the resident's «Мой дом». Runs on the demo data
// (`upravdom demo --no-serve --seed 1`, tests/lib/harness.mjs).
//
//   cd tests/e2e && npm ci && UPRAVDOM_BIN=/path/to/build/upravdom node --test registry.test.mjs
//
// Environment: UPRAVDOM_BIN, UPRAVDOM_CHROMIUM (default /usr/bin/chromium),
// UPRAVDOM_E2E_SCREENSHOTS (a directory: screenshots ui-registry-*.png are written there).
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
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const NBSP = '\u00a0';

let server;
let browser;
let client;
const tokens = {};

before(async () => {
  server = await startServer();
  client = api(server.url);
  for (const login of ['admin', 'mun1', 'mun2', 'uo1', 'resident1']) tokens[login] = await client.login(login);
  browser = await launchBrowser();
  if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
});

after(async () => {
  if (browser) await browser.close();
  if (client) for (const token of Object.values(tokens)) await client.post('/api/v1/auth/logout', { token });
  if (server) await server.stop();
});

// ------------------------------------------------------------------ helpers

/** GET as a demo user through the API; asserts 200 and returns the body. */
async function apiGet(login, p) {
  const r = await client.get(p, { token: tokens[login] });
  assert.equal(r.status, 200, `GET ${p} as ${login}: ${r.text}`);
  return r.body;
}

const openPage = (opts) => openGuardedPage(browser, opts);

const login = (page, user) => loginThroughForm(page, server.url, user);

async function shot(page, name, locator) {
  if (!SCREENSHOTS) return;
  const file = path.join(SCREENSHOTS, `ui-registry-${name}.png`);
  if (locator) await locator.screenshot({ path: file });
  else await page.screenshot({ path: file, fullPage: true });
}

const testid = (page, id) => page.getByTestId(id);
const textOf = async (locator) => (await locator.textContent()).trim();

/** "3512.40" → "3 512,40 м²" (non-breaking spaces), as the page writes areas. */
function area(value) {
  const [whole, frac] = String(value).split('.');
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, NBSP)}${frac !== undefined ? `,${frac}` : ''}${NBSP}м²`;
}

/** The street name of an address: "…, ул. Свердлова, д. 6" → "Свердлова". */
function streetWord(address) {
  const street = address.split(/,\s*/).find((part) => /^(ул|пр-т|пер|б-р|мкр)\.?\s/.test(part));
  if (!street) return null;
  const words = street.split(/\s+/).slice(1).filter((w) => /^[А-ЯЁа-яё-]{4,}$/.test(w));
  return words.length ? words[words.length - 1] : null;
}

const placed = (p) => p.kind === 'residential' && Number.isInteger(p.entrance) && Number.isInteger(p.floor);

/**
 * An apartment building of the demo that suits the walk-through: found by a word of its
 * address on the first page of results, with premises placed on the chessboard, one of
 * them with a registered right.
 */
async function pickHouse() {
  const list = await apiGet('admin', '/api/v1/houses?kind=mkd&per_page=100');
  for (const house of list.items) {
    const word = streetWord(house.address);
    if (!word) continue;
    const found = await apiGet('admin', `/api/v1/houses?q=${encodeURIComponent(word)}&per_page=20`);
    if (!found.items.some((x) => x.id === house.id)) continue;
    const premises = (await apiGet('admin', `/api/v1/houses/${house.id}/premises`)).items;
    const withOwner = premises.find((p) => placed(p) && p.rights.length > 0 && p.accounts.length > 0);
    if (!withOwner) continue;
    return { house, word, found, premises, withOwner };
  }
  throw new Error('the demo has no apartment building with placed premises and rights');
}

// ------------------------------------------------------------------ tests

test('admin: «Реестр» tab → search by a word of the address → house card with characteristics, ' +
  'report links (XLSX 200) and the chessboard; a cell opens the side panel with the owner',
{ timeout: 90000 }, async () => {
  const { house, word, found, premises, withOwner } = await pickHouse();
  const quality = await apiGet('admin', '/api/v1/registry/quality');
  const s = await openPage();
  const { page } = s;
  try {
    await login(page, 'admin');
    await testid(page, 'tab-registry').click();
    const section = testid(page, 'section-registry');
    await section.getByTestId('houses-table').waitFor();

    // the data-quality figures are the API's
    await testid(page, 'quality-premises-value').filter({ hasText: /\d/ }).waitFor();
    const n = (v) => String(v).replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
    assert.equal(await textOf(testid(page, 'quality-premises-value')), n(quality.premises));
    assert.equal(await textOf(testid(page, 'quality-with_cadastral-value')),
      `${quality.with_cadastral_percent.replace('.', ',')} %`);
    assert.equal(await textOf(testid(page, 'quality-without_rights-value')), n(quality.without_rights));
    assert.equal(await textOf(testid(page, 'quality-shares_not_one-value')), n(quality.shares_not_one));
    assert.equal(await textOf(testid(page, 'quality-accounts_without_premises-value')), n(quality.accounts_without_premises));
    assert.match(await textOf(testid(page, 'registry-quality')), /без зарегистрированных прав/);
    assert.equal(await testid(page, 'filter-houses-municipality').count(), 1, 'the admin may filter by municipality');

    // search by a word of the address
    await page.getByLabel('Поиск', { exact: true }).fill(word);
    await testid(page, 'filter-houses-submit').click();
    await page.waitForURL(/#\/registry\?q=/);
    await testid(page, 'page-info').filter({ hasText: `всего ${found.total}` }).waitFor();
    const rows = page.locator('[data-testid="houses-table"] tbody tr');
    assert.equal(await rows.count(), Math.min(found.total, 20), 'one row per house found');
    for (const t of await rows.locator('td:first-child').allTextContents()) {
      assert.ok(t.toLowerCase().includes(word.toLowerCase()), `«${t}» contains «${word}»`);
    }
    await shot(page, 'search');

    // the house card
    await testid(page, `house-link-${house.id}`).click();
    await page.waitForURL(new RegExp(`#/house/${house.id}$`));
    const card = testid(page, 'house-card');
    await card.getByTestId('chessboard').waitFor();
    assert.ok(house.address.endsWith(await textOf(testid(page, 'house-address'))), 'the heading is the street and house');
    assert.equal(await textOf(testid(page, 'house-f-address')), house.address);
    assert.equal(await textOf(testid(page, 'house-f-year')), String(house.year_built));
    assert.equal(await textOf(testid(page, 'house-f-floors')), String(house.floors));
    assert.equal(await textOf(testid(page, 'house-f-total-area')), area(house.total_area), 'areas as «3 512,40 м²»');
    assert.equal(await textOf(testid(page, 'house-f-kind')), 'МКД — многоквартирный дом');
    assert.equal(await textOf(testid(page, 'house-f-emergency')), house.emergency ? 'Да' : 'Нет');

    // the chessboard: every placed residential premises is a cell; top floor first
    const board = testid(page, 'chessboard');
    const cells = board.locator('[data-testid^="premises-cell-"]');
    const onBoard = premises.filter(placed);
    assert.equal(await cells.count(), onBoard.length, 'a cell per premises with entrance and floor');
    const floors = onBoard.map((p) => p.floor);
    assert.equal(await board.locator('tbody tr').first().getAttribute('data-floor'), String(Math.max(...floors)), 'top floor first');
    assert.equal(await board.locator('tbody tr').last().getAttribute('data-floor'), String(Math.min(...floors)));
    const entrances = [...new Set(onBoard.map((p) => p.entrance))];
    assert.equal(await board.locator('thead th').count(), entrances.length + 1, 'a column per entrance');
    for (const p of onBoard) {
      const want = p.rights.length === 0 ? 'none'
        : p.rights.some((r) => r.right_type === 'shared' || r.right_type === 'joint') ? 'shared' : 'own';
      assert.equal(await testid(page, `premises-cell-${p.id}`).getAttribute('data-state'), want, `state of № ${p.number}`);
    }

    // a cell opens the side panel with the owner, the area and the accounts
    await testid(page, `premises-cell-${withOwner.id}`).click();
    const panel = testid(page, 'premises-panel');
    await panel.getByTestId('panel-title').filter({ hasText: `№ ${withOwner.number}` }).waitFor();
    const owners = (await panel.getByTestId('right-owner').allTextContents()).map((t) => t.trim());
    assert.deepEqual(owners, withOwner.rights.map((r) => r.owner_name), 'the panel names the owners');
    assert.equal(await textOf(panel.getByTestId('panel-area')), area(withOwner.area));
    const els = (await panel.getByTestId('account-els').allTextContents()).map((t) => t.trim());
    assert.deepEqual(els, withOwner.accounts.map((a) => a.els || 'нет'), 'the panel lists the accounts (ЕЛС)');
    assert.equal(await testid(page, `premises-cell-${withOwner.id}`).getAttribute('aria-pressed'), 'true');
    assert.match(page.url(), new RegExp(`#/house/${house.id}\\?premises=${withOwner.id}$`), 'the selection is in the address');
    await shot(page, 'house');
    await shot(page, 'chessboard', testid(page, 'house-chessboard'));

    // the report links answer with the files
    const reports = testid(page, 'house-reports');
    assert.equal(await textOf(reports.getByTestId('report-basic-xlsx')), 'Базовый отчёт (XLSX)');
    assert.equal(await textOf(reports.getByTestId('report-extended-xlsx')), 'Расширенный отчёт (XLSX)');
    for (const [id, type] of [['report-basic-xlsx', XLSX], ['report-extended-xlsx', XLSX],
      ['report-basic-csv', 'text/csv'], ['report-extended-csv', 'text/csv']]) {
      const href = await reports.getByTestId(id).getAttribute('href');
      assert.match(href, new RegExp(`^/api/v1/reports/house\\?house_id=${house.id}&type=(basic|extended)&format=(xlsx|csv)$`));
      const res = await page.request.get(`${server.url}${href}`); // with the page's session cookie
      assert.equal(res.status(), 200, `${href}: ${res.status()}`);
      assert.ok(res.headers()['content-type'].startsWith(type), `${href}: ${res.headers()['content-type']}`);
      const body = await res.body();
      if (type === XLSX) assert.equal(body.subarray(0, 2).toString('latin1'), 'PK', 'an XLSX file is a ZIP');
      else assert.ok(body.toString('utf8').includes(house.address), 'the CSV names the house');
    }

    // «← К списку домов» leads back to the search; reloading the card's address restores the selection
    assert.equal(await testid(page, 'house-back').getAttribute('href'), `#/registry?q=${encodeURIComponent(word)}`);
    await page.reload();
    await panel.getByTestId('panel-title').filter({ hasText: `№ ${withOwner.number}` }).waitFor();
    await testid(page, 'house-back').click();
    await testid(page, 'houses-table').waitFor();
  } finally {
    await s.finish();
  }
});

test('admin: an ИЖД card offers the ИЖД report; houses filter by municipality and kind; ' +
  '«Изменения» filter by kind and dates', { timeout: 60000 }, async () => {
  const izd = (await apiGet('admin', '/api/v1/houses?kind=izd&per_page=1')).items[0];
  const mun2 = (await apiGet('mun2', '/api/v1/me')).municipality_id;
  const inMun2 = await apiGet('admin', `/api/v1/houses?municipality_id=${mun2}&per_page=1`);
  const izdInMun2 = await apiGet('admin', `/api/v1/houses?municipality_id=${mun2}&kind=izd&per_page=1`);
  assert.ok(izd, 'the demo has individual houses');
  const owners = await apiGet('admin', '/api/v1/registry/changes?kind=owner&per_page=20');
  const all = await apiGet('admin', '/api/v1/registry/changes?per_page=1');
  assert.ok(owners.total > 0, 'the demo has owner changes');
  const day = owners.items[0].changed_on;
  const onDay = await apiGet('admin', `/api/v1/registry/changes?from=${day}&to=${day}&per_page=20`);

  const s = await openPage();
  const { page } = s;
  try {
    await login(page, 'admin');
    await page.goto(`${server.url}/#/house/${izd.id}`);
    await testid(page, 'house-reports').waitFor();
    assert.equal(await testid(page, 'report-basic-xlsx').count(), 0, 'no МКД report for an ИЖД');
    const href = await testid(page, 'report-izd-xlsx').getAttribute('href');
    assert.equal(href, `/api/v1/reports/house?house_id=${izd.id}&type=izd&format=xlsx`);
    const res = await page.request.get(`${server.url}${href}`);
    assert.equal(res.status(), 200);
    assert.ok(res.headers()['content-type'].startsWith(XLSX));
    assert.equal(await textOf(testid(page, 'house-f-kind')), 'ИЖД — индивидуальный жилой дом');

    await testid(page, 'tab-registry').click();
    await testid(page, 'houses-table').waitFor();
    await testid(page, 'filter-houses-municipality').selectOption(String(mun2));
    await page.waitForURL(new RegExp(`municipality_id=${mun2}`));
    await testid(page, 'page-info').filter({ hasText: `всего ${inMun2.total}` }).waitFor();
    await testid(page, 'filter-houses-kind').selectOption('izd');
    await page.waitForURL(/kind=izd/);
    await testid(page, 'page-info').filter({ hasText: `всего ${izdInMun2.total}` }).waitFor();
    const types = await page.locator('[data-testid="houses-table"] tbody tr td:nth-child(2)').allTextContents();
    assert.ok(types.length > 0 && types.every((t) => t.trim() === 'ИЖД'), JSON.stringify(types));

    await testid(page, 'registry-view-changes').click();
    const table = testid(page, 'changes-table');
    await table.waitFor();
    await testid(page, 'page-info').filter({ hasText: `всего ${all.total}` }).waitFor();

    await testid(page, 'filter-changes-kind').selectOption('owner');
    await page.waitForURL(/kind=owner/);
    await testid(page, 'page-info').filter({ hasText: `всего ${owners.total}` }).waitFor();
    const kinds = await table.locator('tbody tr td:nth-child(2)').allTextContents();
    assert.ok(kinds.length > 0 && kinds.every((k) => k.trim() === 'Смена собственника'), JSON.stringify(kinds));
    const was = (await table.locator('tbody tr td:nth-child(5)').allTextContents()).map((t) => t.trim());
    assert.deepEqual(was, owners.items.map((x) => x.old_value || '—'), 'the former owners, newest first');
    await shot(page, 'changes');

    await testid(page, 'filter-changes-kind').selectOption('');
    await page.waitForURL((url) => !/kind=owner/.test(url.hash));
    await testid(page, 'filter-changes-from').fill(day);
    await testid(page, 'filter-changes-to').fill(day);
    await testid(page, 'filter-changes-submit').click();
    await page.waitForURL(new RegExp(`from=${day}&to=${day}`));
    await testid(page, 'page-info').filter({ hasText: `всего ${onDay.total}` }).waitFor();
    const [y, m, d] = day.split('-');
    const dates = (await table.locator('tbody tr td:nth-child(1)').allTextContents()).map((t) => t.trim());
    assert.ok(dates.length > 0 && dates.every((t) => t === `${d}.${m}.${y}`), JSON.stringify(dates));
  } finally {
    await s.finish();
  }
});

test('mun1 lists only the houses of its municipality; another municipality\'s house is not found', { timeout: 60000 }, async () => {
  const me = await apiGet('mun1', '/api/v1/me');
  const own = await apiGet('mun1', '/api/v1/houses?per_page=100');
  const everything = await apiGet('admin', '/api/v1/houses?per_page=500');
  const foreign = everything.items.find((x) => x.municipality_id !== me.municipality_id && x.cadastral_number);
  assert.ok(foreign, 'the demo has houses in other municipalities');
  assert.ok(own.total > 0 && own.total < everything.total, `mun1 sees ${own.total} of ${everything.total}`);
  assert.ok(own.items.every((x) => x.municipality_id === me.municipality_id));

  const s = await openPage({ expected: [404] });
  const { page } = s;
  try {
    await login(page, 'mun1');
    await testid(page, 'tab-registry').click();
    await testid(page, 'houses-table').waitFor();
    await testid(page, 'page-info').filter({ hasText: `всего ${own.total}` }).waitFor();
    assert.equal(await testid(page, 'filter-houses-municipality').count(), 0, 'no municipality filter for a municipal operator');
    const ids = await page.locator('[data-testid="houses-table"] tbody tr')
      .evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.testid.replace('house-row-', ''))));
    const ownIds = new Set(own.items.map((x) => x.id));
    assert.ok(ids.length > 0 && ids.every((id) => ownIds.has(id)), 'only the municipality\'s houses are listed');
    assert.ok(!ids.includes(foreign.id));

    // a house of another municipality, by its cadastral number: nothing found
    await page.getByLabel('Поиск', { exact: true }).fill(foreign.cadastral_number);
    await testid(page, 'filter-houses-submit').click();
    await testid(page, 'empty-state').waitFor();
    assert.match(await textOf(testid(page, 'page-info')), /всего 0$/);

    // and its card by address: the API's 404, shown as an error
    await page.goto(`${server.url}/#/house/${foreign.id}`);
    await testid(page, 'registry-error').waitFor();
    assert.equal(await testid(page, 'chessboard').count(), 0);
  } finally {
    await s.finish();
  }
});

test('uo1 (organization staff) gets «Реестр» as the first tab with the houses its organization serves', { timeout: 60000 }, async () => {
  const houses = await apiGet('uo1', '/api/v1/houses?per_page=20');
  const s = await openPage();
  const { page } = s;
  try {
    await login(page, 'uo1');
    await testid(page, 'section-registry').waitFor();
    assert.equal(await testid(page, 'tab-registry').getAttribute('aria-current'), 'page');
    await testid(page, 'page-info').filter({ hasText: `всего ${houses.total}` }).waitFor();
    const ids = await page.locator('[data-testid="houses-table"] tbody tr')
      .evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.testid.replace('house-row-', ''))));
    assert.deepEqual(ids, houses.items.map((x) => x.id));
  } finally {
    await s.finish();
  }
});

test('resident1: «Мой дом» shows the house and only the resident\'s own premises', { timeout: 60000 }, async () => {
  const houses = await apiGet('resident1', '/api/v1/houses');
  assert.equal(houses.total, 1, 'docs/demo.md: resident1 lives in one house');
  const house = houses.items[0];
  const mine = (await apiGet('resident1', `/api/v1/houses/${house.id}/premises`)).items;
  const all = (await apiGet('admin', `/api/v1/houses/${house.id}/premises`)).items;
  assert.ok(mine.length >= 1 && mine.length < 5 && mine.length < all.length, `${mine.length} of ${all.length}`);

  const s = await openPage();
  const { page } = s;
  try {
    await login(page, 'resident1');
    assert.equal(await testid(page, 'tab-registry').count(), 0, 'no «Реестр» for a resident');
    assert.equal(await textOf(testid(page, 'tab-myhouse')), 'Мой дом');
    const card = testid(page, 'house-card');
    await card.getByTestId('own-premises').waitFor();
    assert.equal(await textOf(testid(page, 'house-f-address')), house.address);
    const cards = card.locator('[data-testid^="premises-card-"]');
    assert.equal(await cards.count(), mine.length, 'one card per own premises');
    const shown = await cards.evaluateAll((els) => els.map((el) => Number(el.dataset.testid.replace('premises-card-', ''))));
    assert.deepEqual(shown.sort((a, b) => a - b), mine.map((p) => p.id).sort((a, b) => a - b));
    assert.equal(await testid(page, 'chessboard').count(), 0, 'no chessboard of the neighbours');
    const owners = (await card.getByTestId('right-owner').allTextContents()).map((t) => t.trim());
    assert.deepEqual(owners.sort(), mine.flatMap((p) => p.rights.map((r) => r.owner_name)).sort());
    // the greeting of the resident's home stays
    await testid(page, 'greeting').waitFor();
    await shot(page, 'resident');
  } finally {
    await s.finish();
  }
});
