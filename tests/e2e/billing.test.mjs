// Browser end-to-end test of the billing pages (web/billing.js, docs/billing.md "Web pages"):
// «Начисления» starts a run of the current month, follows its job to 100 % and shows the run's
// summary by service with the deviations from the previous period highlighted, and shows the
// server's refusal to close a period next to the period field; the account card (reached from the
// house card's premises panel) shows a statement's lines with their explanation and takes a
// correction, naming the wrong field; the resident's «Мои счета» shows the balance history as an
// SVG chart with one bar per period and a table with the same numbers.
//
// Data: the demo region (tests/lib/harness.mjs) and the services of rso1's organization with
// their tariffs and norms. They are created through the catalogue's API (POST /api/v1/services,
// /services/{id}/tariffs, /norms) when the server has it; a server built before the catalogue
// landed gets the same rows written into its database (sqlite3 / psql). If the demo already has
// services for the organization, they are used as they are. Two earlier periods are billed
// through the API (POST /api/v1/billing/runs), so the chart has three bars and the run page has a
// previous period to compare with.
//
//   cd tests/e2e && npm ci && UPRAVDOM_BIN=/path/to/build/upravdom node --test billing.test.mjs
//
// Environment: UPRAVDOM_BIN, UPRAVDOM_CHROMIUM (default /usr/bin/chromium),
// UPRAVDOM_E2E_SCREENSHOTS (a directory: screenshots ui-billing-*.png are written there).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
process.env.UPRAVDOM_BIN ||= path.resolve(HERE, '../../build/upravdom');
const { startServer, api } = await import('../lib/harness.mjs');
const { launchBrowser, openGuardedPage, loginThroughForm } = await import('./browser.mjs');

const SCREENSHOTS = process.env.UPRAVDOM_E2E_SCREENSHOTS || '';
const NBSP = '\u00a0';
const MONTHS = ['январь', 'февраль', 'март', 'апрель', 'май', 'июнь', 'июль', 'август', 'сентябрь',
  'октябрь', 'ноябрь', 'декабрь'];

let server;
let browser;
let client;
const tok = {};
let d; // what the tests share: organization, periods, the resident's account, the catalogue

// ------------------------------------------------------------------ helpers

const openPage = (opts) => openGuardedPage(browser, opts);
const login = (page, user) => loginThroughForm(page, server.url, user);
const testid = (page, id) => page.getByTestId(id);
const textOf = async (locator) => (await locator.textContent()).trim();

async function shot(page, name) {
  if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `ui-billing-${name}.png`), fullPage: true });
}

async function apiGet(who, p) {
  const r = await client.get(p, { token: tok[who] });
  assert.equal(r.status, 200, `GET ${p} as ${who}: ${r.text}`);
  return r.body;
}

/** The page's period format: the current month in this machine's zone (the browser's too). */
function monthOf(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}`;
}

function addMonths(period, n) {
  const [y, m] = period.split('-').map(Number);
  const k = y * 12 + (m - 1) + n;
  return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
}

function lastDay(period) {
  const [y, m] = period.split('-').map(Number);
  return `${period}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

const periodName = (p) => `${MONTHS[Number(p.slice(5, 7)) - 1]} ${p.slice(0, 4)}`;

/** The page's decimal format: "1234.50" → "1 234,50" (no-break space between groups). */
function decimal(value) {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(value));
  assert.ok(m, `a decimal: ${value}`);
  return `${m[1]}${m[2].replace(/\B(?=(\d{3})+(?!\d))/g, NBSP)}${m[3] !== undefined ? `,${m[3]}` : ''}`;
}

const count = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);

/** Runs SQL on the server's database (only for a server built before the catalogue's API). */
function sql(text) {
  const url = server.db.url;
  const r = url.startsWith('sqlite:')
    ? spawnSync('sqlite3', ['-cmd', '.timeout 10000', url.slice('sqlite:'.length), text], { encoding: 'utf8' })
    : spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAtc', text], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${text}\n${r.stderr}`);
  return r.stdout.trim();
}

// What the test bills when the organization has no services yet: maintenance by the area with
// a tariff lowered by 20 % in the current period (a deviation the run page must highlight), and
// cold and hot water by the meters with their norms (the estimation chain needs them).
function plannedCatalog(p2, p) {
  return [
    { code: 'maintenance', method: 'area', unit: 'м²', tariffs: [['30.0000', p2, lastDay(addMonths(p, -1))], ['24.0000', p, null]] },
    { code: 'cold_water', method: 'meter', unit: 'м³', resource: 'cold_water', raising: 150, tariffs: [['45.1200', p2, null]], norm: '4.500' },
    { code: 'hot_water', method: 'meter', unit: 'м³', resource: 'hot_water', raising: 150, tariffs: [['210.5000', p2, null]], norm: '3.200' },
  ];
}

const NAMES = { maintenance: 'Содержание и текущий ремонт', cold_water: 'Холодное водоснабжение', hot_water: 'Горячее водоснабжение' };

/** "35.6712" → 356712 (hundredths of a kopeck) and back. */
const scaled = (v, places) => {
  const [w, f = ''] = v.split('.');
  return Number(w) * 10 ** places + Number(f.padEnd(places, '0'));
};
const unscaled = (n, places) => `${Math.floor(n / 10 ** places)}.${String(n % 10 ** places).padStart(places, '0')}`;

/**
 * Gives rso1's organization its services. Returns how ('demo': the demo's own catalogue, 'api',
 * 'sql') and the code of the service whose price changes in the current period by more than
 * the 10 % a run flags (null if the demo's catalogue left no way to change one).
 */
async function ensureCatalog(org, p2, p) {
  const have = await client.get(`/api/v1/services?org_id=${org.id}`, { token: tok.admin });
  if (have.status === 200 && have.body.total > 0) {
    // The demo's catalogue: double the price, from this month, of a service priced for the
    // whole organization only (a house's or municipality's own tariff would keep its price).
    for (const service of have.body.items) {
      const tariffs = (await apiGet('admin', `/api/v1/services/${service.id}/tariffs?per_page=500`)).items;
      if (!tariffs.length || tariffs.some((t) => t.scope !== 'organization')) continue;
      const current = tariffs.reduce((a, t) => (t.valid_from > a.valid_from ? t : a));
      if (current.valid_from >= `${p}-01`) continue;
      const r = await client.post(`/api/v1/services/${service.id}/tariffs`, { token: tok.rso1,
        body: { valid_from: `${p}-01`, price: unscaled(scaled(current.price, 4) * 2, 4) } });
      if (r.status === 201) return { catalog: 'demo', changed: service.code };
    }
    return { catalog: 'demo', changed: null };
  }
  const planned = plannedCatalog(p2, p);
  if (have.status === 200) {
    for (const s of planned) {
      const r = await client.post('/api/v1/services', { token: tok.rso1, body: { org_id: org.id, code: s.code } });
      assert.equal(r.status, 201, `POST /services ${s.code}: ${r.text}`);
      for (const [price, from] of s.tariffs) {
        const t = await client.post(`/api/v1/services/${r.body.id}/tariffs`, { token: tok.rso1, body: { valid_from: `${from}-01`, price } });
        assert.equal(t.status, 201, `tariff of ${s.code}: ${t.text}`);
      }
      if (s.norm) {
        const n = await client.post(`/api/v1/services/${r.body.id}/norms`, { token: tok.rso1, body: { valid_from: `${p2}-01`, per_person: s.norm } });
        assert.equal(n.status, 201, `norm of ${s.code}: ${n.text}`);
      }
    }
    return { catalog: 'api', changed: 'maintenance' };
  }
  assert.equal(have.status, 404, `GET /services: ${have.text}`);
  // The catalogue's routes are not in this server yet: the same rows, written directly
  // (migration 0006: prices in hundredths of a kopeck, norms in thousandths of the unit).
  const now = Math.floor(Date.now() / 1000);
  planned.forEach((s, i) => {
    const id = sql(`INSERT INTO services (region_id, org_id, code, name, method, unit, resource, zone, raising_pct, sort_order, archived, created_at)
      VALUES (${org.region_id}, ${org.id}, '${s.code}', '${NAMES[s.code]}', '${s.method}', '${s.unit}', ${s.resource ? `'${s.resource}'` : 'NULL'},
      'single', ${s.raising || 100}, ${(i + 1) * 10}, 0, ${now}) RETURNING id`);
    for (const [price, from, to] of s.tariffs) {
      sql(`INSERT INTO tariffs (service_id, region_id, org_id, valid_from, valid_to, price, created_at)
        VALUES (${id}, ${org.region_id}, ${org.id}, '${from}-01', ${to ? `'${to}'` : 'NULL'}, ${scaled(price, 4)}, ${now})`);
    }
    if (s.norm) {
      sql(`INSERT INTO norms (service_id, region_id, org_id, valid_from, per_person, created_at)
        VALUES (${id}, ${org.region_id}, ${org.id}, '${p2}-01', ${scaled(s.norm, 3)}, ${now})`);
    }
  });
  return { catalog: 'sql', changed: 'maintenance' };
}

/** Starts the run of a period through the API and waits for its job; false if the period is closed. */
async function billThrough(orgId, period) {
  const r = await client.post('/api/v1/billing/runs', { token: tok.rso1, body: { org_id: orgId, period } });
  if (r.status === 409) return false;
  assert.equal(r.status, 202, `POST /billing/runs ${period}: ${r.text}`);
  const until = Date.now() + 60000;
  for (;;) {
    const job = await apiGet('rso1', r.body.job_url);
    if (job.state === 'done') return true;
    assert.ok(!['dead', 'cancelled'].includes(job.state), `the run of ${period}: ${job.state} ${job.last_error}`);
    assert.ok(Date.now() < until, `the run of ${period} did not end`);
    await new Promise((resolve) => { setTimeout(resolve, 200); });
  }
}

// ------------------------------------------------------------------ setup

before(async () => {
  server = await startServer();
  client = api(server.url);
  for (const who of ['admin', 'region', 'rso1', 'resident1']) tok[who] = await client.login(who);
  browser = await launchBrowser();
  if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });

  const orgId = (await apiGet('rso1', '/api/v1/me')).org_id;
  const org = await apiGet('admin', `/api/v1/organizations/${orgId}`);
  const p = monthOf(new Date());
  const p1 = addMonths(p, -1);
  const p2 = addMonths(p, -2);
  const accounts = (await apiGet('resident1', '/api/v1/accounts')).items;
  const account = accounts.find((a) => a.org_id === orgId);
  assert.ok(account, 'docs/demo.md: resident1 has an account of the РСО of municipality 1');
  const { catalog, changed } = await ensureCatalog(org, p2, p);
  // A payment in the previous month, when the server has the payments module: the card lists
  // it and that month's statement counts it.
  const paid = await client.post('/api/v1/payments', { token: tok.rso1, body: {
    account_id: account.id, ext_id: `e2e-${process.pid}-${Date.now()}`, paid_on: `${p1}-15`, amount: '1000.00',
    period: p2, channel: 'bank' } });
  assert.ok([201, 404].includes(paid.status), `POST /payments: ${paid.text}`);
  const payment = paid.status === 201 ? paid.body : null;
  for (const period of [p2, p1]) await billThrough(orgId, period);
  d = { org, p, p1, p2, account, accounts, catalog, changed, payment };
});

after(async () => {
  if (browser) await browser.close();
  if (client) for (const token of Object.values(tok)) await client.post('/api/v1/auth/logout', { token });
  if (server) await server.stop();
});

// ------------------------------------------------------------------ tests

test('«Начисления»: «Рассчитать» runs the current month as a job followed to 100 %, the summary by service ' +
  'matches the API with the deviations highlighted and explained; closing a period shows the server\'s refusal ' +
  'at the period field', { timeout: 120000 }, async () => {
  const { org, p, p2 } = d;
  const s = await openPage({ expected: [409] });
  const { page } = s;
  try {
    await login(page, 'rso1');
    await testid(page, 'tab-billing').click();
    await page.waitForURL(/#\/billing/);
    await testid(page, 'section-billing').waitFor();
    await page.getByTestId('billing-org').filter({ hasText: org.short_name || org.name }).waitFor();
    assert.equal(await testid(page, 'billing-period').inputValue(), p, 'the current month by default');
    const before = (await apiGet('rso1', `/api/v1/billing/runs?org_id=${org.id}&period=${p}`)).total;
    if (before === 0) await testid(page, 'run-summary-empty').waitFor();

    await testid(page, 'billing-run').click();
    const progress = page.locator('[data-testid="run-progress"][data-state="done"]');
    await progress.waitFor({ timeout: 60000 });
    assert.equal(await progress.getAttribute('data-percent'), '100');
    const bar = await testid(page, 'run-progress-bar').evaluate((el) => ({ value: el.value, max: el.max }));
    assert.equal(bar.value, bar.max, 'the bar is full');
    assert.match(await textOf(testid(page, 'run-progress-text')), /100\s%/);
    await testid(page, 'run-done').waitFor();

    const latest = (await apiGet('rso1', `/api/v1/billing/runs?org_id=${org.id}&period=${p}`)).items[0];
    assert.equal(latest.state, 'done');
    const run = await apiGet('rso1', `/api/v1/billing/runs/${latest.id}`);
    await page.locator(`[data-testid="run-summary"] [data-run-id="${run.id}"]`).waitFor();
    assert.match(await textOf(testid(page, 'run-summary-title')), new RegExp(`Расчёт № ${run.id}: .*${periodName(p)}$`));
    assert.equal(await textOf(testid(page, 'run-accounts-value')), count(run.accounts));
    assert.equal(await textOf(testid(page, 'run-lines-value')), count(run.lines));
    assert.equal(await textOf(testid(page, 'run-charged-value')), `${decimal(run.charged)}${NBSP}₽`);
    assert.equal((await testid(page, 'run-digest').getAttribute('title')), run.digest);
    assert.ok(run.accounts > 0 && run.lines > 0, 'the organization has accounts and services');

    // One row per service; the deviating ones (and only they) highlighted, with the reason.
    const rows = page.locator('[data-testid="run-services"] tbody tr');
    assert.equal(await rows.count(), run.services.length);
    for (const x of run.services) {
      const row = testid(page, `run-service-${x.service_id}`);
      assert.equal(await row.getAttribute('data-deviates'), String(x.deviates), x.code);
      assert.equal(await row.evaluate((el) => el.classList.contains('row-deviates')), x.deviates);
      assert.equal(await row.getByTestId('service-deviation').count(), x.deviates ? 1 : 0);
      if (x.deviates) {
        assert.match(await textOf(row.getByTestId('service-deviation')), /^отклонение больше 10\s% от прошлого периода$/);
      }
      const cells = (await row.locator('td').allTextContents()).map((t) => t.trim());
      assert.equal(cells[3], decimal(x.amount), `${x.code}: the amount`);
      assert.equal(cells[5], x.previous_amount === null ? '—' : decimal(x.previous_amount), `${x.code}: the previous period`);
      if (x.change_percent !== null) {
        assert.match(x.change_percent, /^-?\d+\.\d{2}$/, 'change_percent is a signed decimal');
        assert.ok(cells[6].startsWith(`${/^-/.test(x.change_percent) || /^0\.00$/.test(x.change_percent) ? '' : '+'}${decimal(x.change_percent)}${NBSP}%`), cells[6]);
      }
    }
    if (d.changed) {
      // The service whose price changed this month deviates (the test's own catalogue lowers
      // maintenance by 20 %: a negative change keeps its sign).
      const changed = run.services.find((x) => x.code === d.changed);
      if (d.catalog !== 'demo') assert.equal(changed.change_percent, '-20.00', 'the tariff was lowered by 20 %');
      assert.equal(changed.deviates, true, `${d.changed} deviates`);
      assert.equal(await testid(page, `run-service-${changed.service_id}`).getAttribute('data-deviates'), 'true');
      assert.ok((await textOf(testid(page, 'deviation-note'))).includes(changed.name));
    }
    await testid(page, `run-row-${run.id}`).waitFor();
    assert.equal(await testid(page, `run-row-${run.id}`).getAttribute('data-state'), 'done');
    await shot(page, 'run');

    // The history filtered by state: only failed runs (none here).
    await testid(page, 'runs-filter-state').selectOption('failed');
    await testid(page, 'runs-empty').waitFor();
    await testid(page, 'runs-filter-reset').click();
    await testid(page, `run-row-${run.id}`).waitFor();

    // Closing a month that was never billed: the 409's message at the period field.
    await testid(page, 'billing-period').fill('2020-01');
    await testid(page, 'run-summary-empty').waitFor();
    await testid(page, 'billing-close').click();
    assert.match(await textOf(testid(page, 'close-question')), /Закрыть январь 2020/);
    await testid(page, 'close-yes').click();
    const periodError = testid(page, 'billing-period-error');
    await periodError.waitFor();
    assert.match(await textOf(periodError), /не рассчитан/);
    assert.equal(await testid(page, 'billing-period').getAttribute('aria-invalid'), 'true');

    // A billed month closes; closing it again is refused, at the same field.
    await testid(page, 'billing-period').fill(p2);
    await page.locator(`[data-testid="run-summary"] > [data-period="${p2}"][data-state="done"]`).waitFor();
    await testid(page, 'billing-close').click();
    await testid(page, 'close-yes').click();
    await testid(page, 'close-done').waitFor();
    await testid(page, 'billing-close').click();
    await testid(page, 'close-yes').click();
    await periodError.waitFor();
    assert.match(await textOf(periodError), /уже закрыт/);
    await shot(page, 'close-refused');
  } finally {
    await s.finish();
  }
});

test('admin chooses the organization on «Начисления» and sees its run of a period; the regional operator reads ' +
  'the runs without «Рассчитать» and «Закрыть период»', { timeout: 90000 }, async () => {
  const { org, p1 } = d;
  const run = (await apiGet('admin', `/api/v1/billing/runs?org_id=${org.id}&period=${p1}`)).items[0];
  assert.ok(run, 'the run of the previous month (setup)');
  for (const who of ['admin', 'region']) {
    const s = await openPage();
    const { page } = s;
    try {
      await login(page, who);
      await testid(page, 'tab-billing').click();
      await testid(page, 'run-summary-empty').waitFor();
      assert.match(await textOf(testid(page, 'run-summary-empty')), /Выберите организацию/);
      assert.equal(await testid(page, 'billing-run').count(), who === 'admin' ? 1 : 0, 'billing.write only');
      assert.equal(await testid(page, 'billing-close').count(), who === 'admin' ? 1 : 0);
      await testid(page, 'billing-period').fill(p1);
      await testid(page, 'billing-org').selectOption(String(org.id));
      await page.locator(`[data-testid="run-summary"] > [data-run-id="${run.id}"]`).waitFor();
      assert.equal(await textOf(testid(page, 'run-charged-value')), `${decimal(run.charged)}${NBSP}₽`);
      assert.match(page.url(), new RegExp(`#/billing\\?org_id=${org.id}&period=${p1}`), 'the choice is in the address');
      // the history lists the runs of the chosen organization only, with its name
      await testid(page, `run-row-${run.id}`).waitFor();
      const names = new Set((await page.locator('[data-testid="runs-table"] tbody tr td:nth-child(2)').allTextContents()).map((t) => t.trim()));
      assert.deepEqual([...names], [run.org_name]);
    } finally {
      await s.finish();
    }
  }
});

test('account card: from the premises panel of the house card, the statements by period and a statement\'s ' +
  'lines with the method in words; a correction refused at its field, then added', { timeout: 90000 }, async () => {
  const { account, p, p1 } = d;
  const statements = await apiGet('rso1', `/api/v1/accounts/${account.id}/statements`);
  assert.ok(statements.total >= 3, 'three billed periods');
  const correctionsBefore = (await apiGet('rso1', `/api/v1/accounts/${account.id}/corrections`)).total;
  const s = await openPage({ expected: [404, 422] });
  const { page } = s;
  try {
    await login(page, 'rso1');
    await page.goto(`${server.url}/#/house/${account.house_id}?premises=${account.premises_id}`);
    await testid(page, `account-link-${account.id}`).click();
    await page.waitForURL(new RegExp(`#/account/${account.id}\\b`));
    assert.equal(await textOf(testid(page, 'account-title')), `Лицевой счёт № ${account.number}`);
    assert.equal(await textOf(testid(page, 'account-back')), '← К карточке дома');
    const rows = page.locator('[data-testid="statements-table"] tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), Math.min(statements.total, 12));

    // The newest period's document: every line with its explanation, as the API gives it.
    for (const period of [p, p1]) {
      if (period !== p) await testid(page, `statement-open-${period}`).click();
      await page.locator(`[data-testid="account-document"][data-period="${period}"]`).waitFor();
      assert.equal(await textOf(testid(page, 'document-title')), `Платёжный документ за ${periodName(period)}`);
      const st = await apiGet('rso1', `/api/v1/accounts/${account.id}/statement?period=${period}`);
      const lines = page.locator('[data-testid="statement-lines"] tbody tr');
      assert.equal(await lines.count(), st.lines.length);
      assert.ok(st.lines.length > 0, 'the statement has lines');
      const shown = (await page.locator('[data-testid="statement-lines"] [data-testid="line-explanation"]').allTextContents()).map((t) => t.trim());
      assert.deepEqual(shown, st.lines.map((l) => l.explanation));
      assert.ok(shown.every((t) => t.length > 0));
      if (d.catalog !== 'demo') assert.ok(shown.includes('по площади помещения'), JSON.stringify(shown));
      assert.equal(await textOf(testid(page, 'document-totals-closing')), `${decimal(st.closing)}${NBSP}₽`);
    }
    await shot(page, 'account');

    // A correction shown in the same period as the one recalculated: refused at «Показать в документе за».
    await testid(page, 'correction-toggle').click();
    await testid(page, 'correction-period').fill(p1);
    await testid(page, 'correction-apply').fill(p1);
    await testid(page, 'correction-amount').fill('-150,00');
    await testid(page, 'correction-reason').fill('Проверка: показания переданы после расчёта');
    await testid(page, 'correction-submit').click();
    const applyError = testid(page, 'correction-apply-error');
    await applyError.waitFor();
    assert.match(await textOf(applyError), /после пересчитанного/);
    assert.equal(await testid(page, 'correction-apply').getAttribute('aria-invalid'), 'true');

    await testid(page, 'correction-apply').fill(p);
    await testid(page, 'correction-submit').click();
    await testid(page, 'correction-added').waitFor();
    const corrections = await apiGet('rso1', `/api/v1/accounts/${account.id}/corrections`);
    assert.equal(corrections.total, correctionsBefore + 1, 'one correction added (the refused one added nothing)');
    const k = corrections.items[0];
    assert.deepEqual([k.period, k.apply_period, k.amount], [p1, p, '-150.00']);
    const row = testid(page, `correction-${k.id}`);
    await row.waitFor();
    assert.match(await textOf(row), /-150,00/);

    // Payments: the one booked in the setup, or the note that the module is not connected yet.
    if (d.payment) {
      const row = testid(page, `payment-${d.payment.id}`);
      await row.waitFor();
      const cells = (await row.locator('td').allTextContents()).map((t) => t.trim());
      assert.deepEqual(cells.slice(0, 5), [`15.${p1.slice(5)}.${p1.slice(0, 4)}`, 'Оплата', `1${NBSP}000,00`, periodName(d.p2), 'банк']);
      const st = await apiGet('rso1', `/api/v1/accounts/${account.id}/statement?period=${p1}`);
      assert.equal(st.paid, '1000.00', 'the run of the month counted the payment');
      await testid(page, `statement-open-${p1}`).click();
      await page.locator(`[data-testid="account-document"][data-period="${p1}"]`).waitFor();
      assert.equal(await textOf(testid(page, 'document-totals-paid')), `1${NBSP}000,00${NBSP}₽`);
    } else {
      await testid(page, 'payments-pending').waitFor();
    }
    await shot(page, 'account-correction');
  } finally {
    await s.finish();
  }
});

test('resident1: «Мои счета» shows the balance history as an SVG chart with one bar per period and a table ' +
  'with the same numbers, the latest document\'s lines and the total due', { timeout: 90000 }, async () => {
  const { account } = d;
  const statements = (await apiGet('resident1', `/api/v1/accounts/${account.id}/statements?per_page=12`)).items;
  const latest = await apiGet('resident1', `/api/v1/accounts/${account.id}/statement?period=${statements[0].period}`);
  const s = await openPage({ expected: [404] });
  const { page } = s;
  try {
    await login(page, 'resident1');
    await testid(page, 'tab-bills').click();
    await page.waitForURL(/#\/bills$/);
    const card = testid(page, `bill-account-${account.id}`);
    const chart = card.getByTestId(`balance-chart-${account.id}`);
    await chart.waitFor();

    // The chart: an accessible image with one mark per period, oldest first.
    assert.equal(await chart.evaluate((el) => el.namespaceURI), 'http://www.w3.org/2000/svg');
    assert.equal(await chart.getAttribute('role'), 'img');
    assert.match(await chart.locator('title').first().textContent(), new RegExp(`№ ${account.number}`));
    const desc = await chart.locator('desc').textContent();
    const bars = chart.locator('rect.chart-bar');
    assert.equal(await bars.count(), statements.length, 'one bar per period');
    const marks = await bars.evaluateAll((els) => els.map((el) => [el.dataset.period, el.dataset.value]));
    assert.deepEqual(marks, [...statements].reverse().map((x) => [x.period, x.closing]));
    for (const x of statements) assert.ok(desc.includes(`${periodName(x.period)}: ${decimal(x.closing)}${NBSP}₽`), desc);
    const labels = (await chart.locator('text.chart-label').allTextContents()).join(' ');
    assert.match(labels, /₽/, 'rubles on the axis');
    assert.ok(labels.includes(['янв', 'фев', 'мар', 'апр', 'май', 'июн', 'июл', 'авг', 'сен', 'окт', 'ноя', 'дек'][Number(statements[0].period.slice(5)) - 1]),
      'the months in Russian');

    // The same numbers as a table.
    const table = card.getByTestId(`balance-table-${account.id}`);
    const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.dataset.period,
      tr.querySelector('td:last-child').textContent.trim()]));
    assert.deepEqual(rows, statements.map((x) => [x.period, decimal(x.closing)]));

    // The latest document: its lines and the total due by its date.
    const lines = card.getByTestId(`bill-lines-${account.id}`).locator('tbody tr');
    assert.equal(await lines.count(), latest.lines.length);
    const [y, m, dd] = latest.due_on.split('-');
    const due = await textOf(card.getByTestId(`bill-due-${account.id}`));
    if (Number(latest.total_due) > 0) {
      assert.ok(due.includes(`Итого к оплате: ${decimal(latest.total_due)}${NBSP}₽ до ${dd}.${m}.${y}`), due);
    }
    // The resident's other account (another organization, not billed here) says so.
    for (const other of d.accounts.filter((a) => a.id !== account.id)) {
      const billed = await apiGet('resident1', `/api/v1/accounts/${other.id}/statements`);
      if (billed.total === 0) await testid(page, `bill-empty-${other.id}`).waitFor();
    }
    await shot(page, 'resident');

    // The card of the account, for the resident: the ledger without the staff's form.
    await testid(page, `bill-open-${account.id}`).click();
    await testid(page, 'statements-table').waitFor();
    assert.equal(await testid(page, 'correction-form-host').count(), 0, 'a resident adds no corrections');
    assert.equal(await textOf(testid(page, 'account-back')), '← К моим счетам');
  } finally {
    await s.finish();
  }
});
