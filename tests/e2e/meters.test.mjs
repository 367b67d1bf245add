// Browser end-to-end test of the meters pages (web/meters.js, docs/meters.md "Web pages and
// export"): a resident submits readings on «Показания» — a value below the initial one is refused
// with the rule's message next to the field, a good one is accepted with its consumption, a wrap
// through zero is confirmed and resubmitted; an operator filters «Приборы учёта» by expired
// verification, downloads the XLSX of the filtered list and opens a meter's card. The meters are
// created through the API (the demo data may have none).
//
//   cd tests/e2e && npm ci && UPRAVDOM_BIN=/path/to/build/upravdom node --test meters.test.mjs
//
// Environment: UPRAVDOM_BIN, UPRAVDOM_CHROMIUM (default /usr/bin/chromium),
// UPRAVDOM_E2E_SCREENSHOTS (a directory: screenshots ui-meters-*.png are written there).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
process.env.UPRAVDOM_BIN ||= path.resolve(HERE, '../../build/upravdom');
const { startServer, api } = await import('../lib/harness.mjs');
const { LOGINS, discoverMeters, makeMeter, localToday, periodOf } = await import('../lib/meters.mjs');
const { listAll } = await import('../lib/helpers.mjs');
const { launchBrowser, openGuardedPage, loginThroughForm } = await import('./browser.mjs');

const SCREENSHOTS = process.env.UPRAVDOM_E2E_SCREENSHOTS || '';
const NBSP = '\u00a0';
const MONTHS = ['январь', 'февраль', 'март', 'апрель', 'май', 'июнь', 'июль', 'август', 'сентябрь',
  'октябрь', 'ноябрь', 'декабрь'];

let server;
let browser;
let client;
const tok = {};
let d;

before(async () => {
  server = await startServer();
  client = api(server.url);
  for (const login of LOGINS) tok[login] = await client.login(login);
  d = await discoverMeters(client, tok);
  browser = await launchBrowser();
  if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
});

after(async () => {
  if (browser) await browser.close();
  if (client) for (const token of Object.values(tok)) await client.post('/api/v1/auth/logout', { token });
  if (server) await server.stop();
});

// ------------------------------------------------------------------ helpers

const openPage = (opts) => openGuardedPage(browser, opts);
const login = (page, user) => loginThroughForm(page, server.url, user);
const testid = (page, id) => page.getByTestId(id);
const textOf = async (locator) => (await locator.textContent()).trim();

async function shot(page, name) {
  if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `ui-meters-${name}.png`), fullPage: true });
}

async function apiGet(login, p) {
  const r = await client.get(p, { token: tok[login] });
  assert.equal(r.status, 200, `GET ${p} as ${login}: ${r.text}`);
  return r.body;
}

/** The organization's window set to the days around today (local time of municipality 1). */
async function openWindowToday(orgId) {
  const t = localToday('Europe/Moscow');
  const first = Math.max(1, t.d - 1);
  const last = Math.min(31, t.d + 1);
  const r = await client.patch(`/api/v1/organizations/${orgId}/reading-settings`, { token: tok.admin,
    body: { first_day: first, last_day: last } });
  assert.equal(r.status, 200, r.text);
  return { first, last, period: periodOf(t.y, t.m), name: `${MONTHS[t.m - 1]} ${t.y}` };
}

/** Every row of the first sheet, read with a real XLSX reader (Debian's python3-openpyxl). */
function readXlsx(file) {
  const py = 'import json,sys,openpyxl\nws=openpyxl.load_workbook(sys.argv[1]).active\n' +
    'print(json.dumps([[c.value for c in r] for r in ws.iter_rows()], ensure_ascii=False))';
  const r = spawnSync('/usr/bin/python3', ['-c', py, file], { encoding: 'utf8', maxBuffer: 256 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// ------------------------------------------------------------------ tests

test('resident: «Показания» — a value below the initial one is refused with the rule\'s message at the field, ' +
  'a good one is accepted with its consumption, a wrap through zero is confirmed and accepted', { timeout: 90000 }, async () => {
  const win = await openWindowToday(d.rso1);
  const water = await makeMeter(client, tok.admin, { premises_id: d.own1, org_id: d.rso1, initial_value: '100' });
  const power = await makeMeter(client, tok.admin, { premises_id: d.own1, org_id: d.rso1, resource: 'electricity',
    digits: 5, decimals: 1, initial_value: '99950' });
  const s = await openPage({ expected: [422] });
  const { page } = s;
  try {
    await login(page, 'resident1');
    await testid(page, 'tab-readings').click();
    await page.waitForURL(/#\/readings$/);
    const card = testid(page, `meter-${water.id}`);
    await card.waitFor();
    assert.match(await textOf(testid(page, `meter-last-${water.id}`)), /показаний ещё нет/);
    const windowText = await textOf(testid(page, `meter-window-${water.id}`));
    assert.ok(windowText.includes(`с ${win.first} по ${win.last} число, московское время`), windowText);
    assert.ok(windowText.includes(`будет учтено за ${win.name}`), windowText);
    await shot(page, 'resident');

    // Rule "not lower than the previous reading": the refusal is shown next to the field.
    const input = testid(page, `reading-value-${water.id}`);
    await input.fill('50');
    await testid(page, `reading-submit-${water.id}`).click();
    const error = testid(page, `reading-error-${water.id}`);
    await error.waitFor();
    const rejections = await apiGet('admin', `/api/v1/meters/${water.id}/rejections`);
    assert.equal(rejections.total, 1, 'the refusal was recorded');
    assert.equal(rejections.items[0].rule, 'lower_than_previous');
    const message = rejections.items[0].message;
    assert.equal(await textOf(error), message.charAt(0).toUpperCase() + message.slice(1), 'the rule\'s own message');
    assert.match(await textOf(error), /меньше начального показания/);
    assert.equal(await input.getAttribute('aria-invalid'), 'true');
    assert.ok((await input.getAttribute('aria-describedby')).split(' ').includes(`reading-error-${water.id}`),
      'the message describes the field');
    assert.equal(await card.locator('.field').filter({ has: error }).filter({ has: input }).count(), 1,
      'the message is in the field\'s own block');
    await shot(page, 'refused');

    // A good value: accepted for the open period, with its consumption.
    await input.fill('101,25');
    assert.equal(await error.isHidden(), true, 'typing clears the message');
    await testid(page, `reading-submit-${water.id}`).click();
    const accepted = testid(page, `reading-accepted-text-${water.id}`);
    await accepted.waitFor();
    const { months } = (await apiGet('admin', `/api/v1/meters/${water.id}/readings`)).items[0];
    assert.equal(await textOf(accepted), `Показание 101,250${NBSP}м³ принято за ${win.name}. ` +
      `Расход: 1,250${NBSP}м³${months > 1 ? ` за ${months} мес.` : '.'}`);
    assert.equal(await testid(page, `reading-message-${water.id}`).count(), 0, 'in the window nothing more to say');
    assert.equal(await textOf(testid(page, `meter-last-${water.id}`)), `101,250${NBSP}м³ за ${win.name}`);
    const history = await apiGet('admin', `/api/v1/meters/${water.id}/readings`);
    assert.deepEqual(history.items.map((r) => [r.value, r.period, r.channel, r.state]),
      [['101.250', win.period, 'resident', 'accepted']]);

    // A wrap through zero: the API asks to confirm; the page asks the resident and resubmits.
    const powerInput = testid(page, `reading-value-${power.id}`);
    await powerInput.fill('20');
    await testid(page, `reading-submit-${power.id}`).click();
    await testid(page, `reading-error-${power.id}`).waitFor();
    assert.match(await textOf(testid(page, `reading-error-${power.id}`)), /перешёл через ноль/);
    const confirm = testid(page, `reading-confirm-${power.id}`);
    await confirm.waitFor();
    assert.equal(await textOf(testid(page, `reading-submit-${power.id}`)), 'Подтвердить и передать');
    await shot(page, 'rollover');
    await confirm.check();
    await testid(page, `reading-submit-${power.id}`).click();
    await testid(page, `reading-accepted-text-${power.id}`).waitFor();
    assert.match(await textOf(testid(page, `reading-accepted-text-${power.id}`)),
      new RegExp(`^Показание 20,0${NBSP}кВт·ч принято за ${win.name}\\. Расход: 70,0${NBSP}кВт·ч.*\\(через ноль\\)\\.$`));
    const wrapped = (await apiGet('admin', `/api/v1/meters/${power.id}/readings`)).items;
    assert.equal(wrapped.length, 1);
    assert.equal(wrapped[0].rollover, true);
    assert.equal(wrapped[0].consumption, '70.000');
    await shot(page, 'accepted');

    // Outside the window (it ended yesterday): the page says a reading is kept for the next
    // period, and so does the answer to the submission.
    const t = localToday('Europe/Moscow');
    if (t.d >= 2) {
      const r = await client.patch(`/api/v1/organizations/${d.rso1}/reading-settings`, { token: tok.admin,
        body: { first_day: 1, last_day: t.d - 1 } });
      assert.equal(r.status, 200, r.text);
      const next = t.m === 12 ? { y: t.y + 1, m: 1 } : { y: t.y, m: t.m + 1 };
      const nextName = `${MONTHS[next.m - 1]} ${next.y}`;
      await page.reload();
      await testid(page, `meter-window-${water.id}`).waitFor();
      assert.match(await textOf(testid(page, `meter-window-${water.id}`)),
        new RegExp(`Приём за ${win.name} завершён: показание, переданное сейчас, будет учтено в следующем периоде — ${nextName}`));
      await testid(page, `reading-value-${water.id}`).fill('102');
      await testid(page, `reading-submit-${water.id}`).click();
      await testid(page, `reading-accepted-text-${water.id}`).waitFor();
      assert.match(await textOf(testid(page, `reading-accepted-text-${water.id}`)), new RegExp(`принято за ${nextName}\\.`));
      assert.match(await textOf(testid(page, `reading-message-${water.id}`)),
        new RegExp(`вне окна приёма .* учтено в периоде ${periodOf(next.y, next.m)}`));
      await shot(page, 'after-window');
    }
  } finally {
    await s.finish();
  }
});

test('operator: «Приборы учёта» filtered by expired verification, the XLSX of the filtered list downloaded, ' +
  'a meter\'s card with its history and refused submissions', { timeout: 90000 }, async () => {
  const expired = await makeMeter(client, tok.admin, { premises_id: d.other1, org_id: d.rso1, resource: 'hot_water',
    verified_on: '2018-01-01', next_verification_on: '2025-01-01' });
  const active = await makeMeter(client, tok.admin, { premises_id: d.other1, org_id: d.rso1, resource: 'gas', initial_value: '10' });
  const ok = await client.post('/api/v1/readings', { token: tok.admin, body: { meter_id: active.id, value: '12', period: '2025-01' } });
  assert.equal(ok.status, 201, ok.text);
  const low = await client.post('/api/v1/readings', { token: tok.admin, body: { meter_id: active.id, value: '11', period: '2025-02' } });
  assert.equal(low.status, 422, low.text);
  const expected = await listAll(client, '/api/v1/meters/overview?status=expired', tok.uo1);
  assert.ok(expected.some((x) => x.id === expired.id), 'uo1 sees the expired meter of its house');

  const s = await openPage();
  const { page } = s;
  const dir = mkdtempSync(path.join(tmpdir(), 'upravdom-e2e-'));
  try {
    await login(page, 'uo1');
    await testid(page, 'tab-meters').click();
    await testid(page, 'meters-table').waitFor();
    await testid(page, 'filter-meters-status').selectOption('expired');
    await page.waitForURL(/#\/meters\?.*status=expired/);
    await testid(page, 'page-info').filter({ hasText: `всего ${expected.length}` }).waitFor();
    const rows = page.locator('[data-testid="meters-table"] tbody tr');
    assert.equal(await rows.count(), Math.min(expected.length, 20));
    assert.deepEqual([...new Set(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.status)))], ['expired']);
    await testid(page, `meter-row-${expired.id}`).waitFor();
    assert.equal(await testid(page, `meter-row-${active.id}`).count(), 0, 'an active meter is filtered out');
    await shot(page, 'operator-expired');

    // The export link carries the filter; the file is the filtered list.
    const href = await testid(page, 'meters-export-xlsx').getAttribute('href');
    assert.match(href, /^\/api\/v1\/meters\/export\?.*status=expired.*format=xlsx/);
    const [download] = await Promise.all([page.waitForEvent('download'), testid(page, 'meters-export-xlsx').click()]);
    assert.match(download.suggestedFilename(), /^meters-\d{8}\.xlsx$/);
    const file = path.join(dir, 'meters.xlsx');
    await download.saveAs(file);
    const sheet = readXlsx(file);
    const head = sheet.findIndex((r) => r[0] === 'Адрес дома');
    assert.ok(head > 0, 'the heading row');
    const serialCol = sheet[head].indexOf('Заводской номер');
    const statusCol = sheet[head].indexOf('Состояние');
    const data = sheet.slice(head + 1).filter((r) => r.some((v) => v !== null && v !== ''));
    assert.equal(data.length, expected.length, 'one row per meter of the filtered list');
    assert.ok(data.some((r) => r[serialCol] === expired.serial), 'the expired meter is in the file');
    assert.ok(!data.some((r) => r[serialCol] === active.serial), 'the active one is not');
    assert.ok(data.every((r) => r[statusCol] === 'истёк срок поверки'));

    // The card of a meter: its reading history and the refused submission.
    await testid(page, 'filter-meters-status').selectOption('');
    await page.waitForURL((url) => !/status=expired/.test(url.hash));
    await testid(page, `meter-link-${active.id}`).click();
    await page.waitForURL(new RegExp(`#/meter/${active.id}$`));
    await testid(page, 'meter-readings').waitFor();
    assert.equal(await textOf(testid(page, 'meter-f-serial')), active.serial);
    assert.equal(await testid(page, `reading-${ok.body.id}`).getAttribute('data-state'), 'accepted');
    const refused = testid(page, 'meter-rejections').locator('tbody tr');
    assert.equal(await refused.count(), 1);
    assert.equal(await refused.first().getAttribute('data-rule'), 'lower_than_previous');
    await shot(page, 'operator-card');
    await testid(page, 'meter-back').click();
    await testid(page, 'meters-table').waitFor();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await s.finish();
  }
});
