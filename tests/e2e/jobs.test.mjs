// Browser end-to-end test of the «Фоновые задания» and «Расписания» tabs (web/app.js):
// jobs enqueued with the CLI show with their state, «Отменить» / «Повторить» call the
// API, a running job shows its progress and the list refreshes itself until it is done;
// schedules show their next firing in local time and in UTC. Contract: docs/jobs.md.
//
//   cd tests/e2e && npm ci && UPRAVDOM_BIN=/path/to/build/upravdom node --test jobs.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
process.env.UPRAVDOM_BIN ||= path.resolve(HERE, '../../build/upravdom');
const { startServer, api, cli, DEMO_PASSWORD } = await import('../lib/harness.mjs');

const CHROMIUM = process.env.UPRAVDOM_CHROMIUM || '/usr/bin/chromium';
const TIMEOUT = 15000;
const FUTURE = '2030-01-01T00:00:00Z';
const RUN = `e${process.pid}.${Date.now() % 1e6}`;

let server;
let browser;
let client;
let admin;

before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
  // In-process workers on (they run the sleep job); no scheduler ticks during the test.
  server = await startServer({ args: ['--workers', '2', '--tick', '0'] });
  client = api(server.url);
  admin = await client.login('admin');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

// ------------------------------------------------------------------ helpers

/** A fresh context and page; records page errors, console errors (but expected 4xx) and dialogs. */
async function openPage() {
  const context = await browser.newContext({ locale: 'ru-RU', viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  const problems = [];
  const jobListRequests = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    // GET /api/v1/me before login answers 401; the browser logs it.
    if (/Failed to load resource: the server responded with a status of 401\b/.test(msg.text())) return;
    problems.push(`console.error: ${msg.text()}`);
  });
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  page.on('request', (req) => {
    if (new URL(req.url()).pathname === '/api/v1/jobs') jobListRequests.push(Date.now());
  });
  return {
    page,
    jobListRequests,
    async finish() {
      try {
        assert.deepEqual(problems, [], 'the page reported errors');
      } finally {
        await context.close();
      }
    },
  };
}

async function login(page, who) {
  await page.goto(`${server.url}/`);
  await page.getByTestId('login-form').waitFor({ state: 'visible' });
  await page.getByLabel('Логин').fill(who);
  await page.getByLabel('Пароль').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Войти' }).click();
  await page.getByTestId('home-title').waitFor();
}

function addJob(args) {
  const r = cli(['job', 'add', '--db', server.db.url, ...args]);
  assert.equal(r.status, 0, `job add: ${r.stderr}`);
}

async function jobByKey(key) {
  const r = await client.get('/api/v1/jobs?per_page=500', { token: admin });
  assert.equal(r.status, 200, r.text);
  const j = r.body.items.find((x) => x.unique_key === key);
  assert.ok(j, `job ${key} listed`);
  return j;
}

async function until(fn, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const textOf = async (locator) => (await locator.textContent()).trim();

// ------------------------------------------------------------------ tests

test('admin: a job enqueued with the CLI shows in «Фоновые задания» as «в очереди»; «Отменить» cancels it through the API, «Повторить» queues it again; the state filter lists only that state',
  { timeout: 60000 }, async () => {
    const key = `${RUN}:queued`;
    addJob(['--kind', 'noop', '--run-after', FUTURE, '--unique-key', key, '--max-attempts', '4']);
    const job = await jobByKey(key);
    const s = await openPage();
    const { page } = s;
    try {
      await login(page, 'admin');
      await page.getByTestId('tab-jobs').click();
      const section = page.getByTestId('section-jobs');
      await section.getByRole('heading', { name: 'Фоновые задания' }).waitFor();
      const row = page.getByTestId(`job-${job.id}`);
      await row.waitFor();
      assert.equal(await textOf(page.getByTestId(`job-state-${job.id}`)), 'в очереди');
      const cells = (await row.locator('td').allTextContents()).map((t) => t.trim());
      assert.ok(cells.includes('noop'), `the kind is shown: ${JSON.stringify(cells)}`);
      assert.ok(cells.includes('0/4'), `attempts/max: ${JSON.stringify(cells)}`);
      assert.equal(await page.getByTestId(`job-retry-${job.id}`).count(), 0, 'no «Повторить» for a queued job');
      assert.ok(!/null|undefined|NaN/.test(await section.textContent()), 'no null / undefined / NaN shown');

      await page.getByTestId(`job-cancel-${job.id}`).click();
      await page.locator(`[data-testid="job-${job.id}"][data-state="cancelled"]`).waitFor();
      assert.equal(await textOf(page.getByTestId(`job-state-${job.id}`)), 'отменено');
      assert.match(await textOf(page.getByTestId('action-notice')), new RegExp(`№ ${job.id}`));
      assert.equal((await jobByKey(key)).state, 'cancelled', 'the API says cancelled');
      assert.equal(await page.getByTestId(`job-cancel-${job.id}`).count(), 0, 'no «Отменить» for a cancelled job');

      await section.getByLabel('Состояние').selectOption('cancelled');
      await page.waitForURL(/state=cancelled/);
      await page.getByTestId(`job-${job.id}`).waitFor();
      const states = await page.locator('[data-testid="section-jobs"] tbody tr').evaluateAll(
        (rows) => rows.map((r) => r.getAttribute('data-state')));
      assert.ok(states.length > 0 && states.every((x) => x === 'cancelled'), `only cancelled rows: ${states}`);

      // (the server's workers may take the retried job at once, so the answer is checked, not a later GET)
      const [answer] = await Promise.all([
        page.waitForResponse((res) => res.url().endsWith(`/api/v1/jobs/${job.id}/retry`)),
        page.getByTestId(`job-retry-${job.id}`).click(),
      ]);
      assert.equal(answer.status(), 200);
      const back = await answer.json();
      assert.equal(back.state, 'queued');
      assert.equal(back.attempts, 0);
      await page.getByTestId('action-notice').filter({ hasText: 'снова в очереди' }).waitFor();
    } finally {
      await s.finish();
      await client.post(`/api/v1/jobs/${job.id}/cancel`, { token: admin });
    }
  });

test('a running job shows «выполняется» with a progress bar and percent, and the list reloads itself until the job is «готово»',
  { timeout: 90000 }, async () => {
    const key = `${RUN}:sleep`;
    addJob(['--kind', 'sleep', '--payload', JSON.stringify({ ms: 8000, steps: 16 }), '--unique-key', key]);
    const job = await until(async () => {
      const j = await jobByKey(key);
      return j.state === 'running' && j.progress ? j : null;
    }, 30000, 'the sleep job running with progress');
    const s = await openPage();
    const { page } = s;
    try {
      await login(page, 'admin');
      await page.goto(`${server.url}/#/jobs`);
      await page.getByTestId(`job-${job.id}`).waitFor();
      assert.equal(await textOf(page.getByTestId(`job-state-${job.id}`)), 'выполняется');
      const progress = page.getByTestId(`job-progress-${job.id}`);
      assert.equal(await progress.locator('progress').getAttribute('max'), '16');
      assert.match(await textOf(progress), /^\d+\/16 · \d+ %$/);
      const requestsBefore = s.jobListRequests.length;
      await page.locator(`[data-testid="job-${job.id}"][data-state="done"]`).waitFor({ timeout: 40000 });
      assert.equal(await textOf(page.getByTestId(`job-state-${job.id}`)), 'готово');
      assert.ok(s.jobListRequests.length > requestsBefore, 'the list was fetched again without a reload');
      await page.waitForTimeout(1000); // the last check for running jobs
      const n = s.jobListRequests.length;
      await page.waitForTimeout(4000);
      assert.equal(s.jobListRequests.length, n, 'nothing running: no more reloads');
    } finally {
      await s.finish();
    }
  });

test('«Расписания» lists the demo schedules with rule, time zone, next firing in local time and in UTC; a municipal operator sees only their municipality\'s',
  { timeout: 60000 }, async () => {
    const r = await client.get('/api/v1/schedules?per_page=500', { token: admin });
    assert.equal(r.status, 200, r.text);
    const zar = r.body.items.find((x) => x.timezone === 'Asia/Yekaterinburg' && x.municipality_id !== null);
    assert.ok(zar, `a demo schedule in Asia/Yekaterinburg: ${JSON.stringify(r.body.items)}`);
    const s = await openPage();
    const { page } = s;
    try {
      await login(page, 'admin');
      await page.getByTestId('tab-schedules').click();
      const row = page.getByTestId(`schedule-${zar.id}`);
      await row.waitFor();
      const cells = (await row.locator('td').allTextContents()).map((t) => t.trim());
      const [date, time] = zar.next_local.split('T');
      const [y, m, d] = date.split('-');
      const utc = new Date(zar.next_at);
      const hhmm = `${String(utc.getUTCHours()).padStart(2, '0')}:${String(utc.getUTCMinutes()).padStart(2, '0')}`;
      assert.deepEqual(cells.slice(0, 3), [zar.name, zar.rule, 'Asia/Yekaterinburg']);
      assert.equal(cells[3], `${d}.${m}.${y}, ${time.slice(0, 5)}`, 'next firing, local wall clock');
      assert.ok(cells[4].endsWith(`${hhmm} UTC`), `next firing in UTC: ${cells[4]} (${zar.next_at})`);
      assert.equal(cells[5], zar.enabled ? 'Да' : 'Нет');

      await page.getByTestId('logout').click();
      await login(page, 'mun1');
      await page.getByTestId('tab-schedules').click();
      await page.getByTestId('section-schedules').getByTestId('page-info').waitFor();
      assert.equal(await page.getByTestId(`schedule-${zar.id}`).count(), 0, 'mun1 does not see municipality 2\'s schedule');
    } finally {
      await s.finish();
    }
  });
