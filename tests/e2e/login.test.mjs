// Browser end-to-end test of the web UI (web/): Debian's Chromium driven by playwright-core
// against the real `upravdom serve` on a fresh demo database (tests/lib/harness.mjs).
//
//   cd tests/e2e && npm ci && UPRAVDOM_BIN=/path/to/build/upravdom node --test login.test.mjs
//
// Environment: UPRAVDOM_BIN (default: ../../build/upravdom from this file),
// UPRAVDOM_CHROMIUM (default /usr/bin/chromium), UPRAVDOM_E2E_SCREENSHOTS (a directory:
// if set, screenshots of the home pages are written there).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
// The harness reads UPRAVDOM_BIN when it is loaded; default it to the build tree first.
process.env.UPRAVDOM_BIN ||= path.resolve(HERE, '../../build/upravdom');
const { startServer, api, DEMO_PASSWORD } = await import('../lib/harness.mjs');

const CHROMIUM = process.env.UPRAVDOM_CHROMIUM || '/usr/bin/chromium';
const SCREENSHOTS = process.env.UPRAVDOM_E2E_SCREENSHOTS || '';
const TIMEOUT = 15000;

// Every demo login of docs/demo.md with the home page its role must get.
const TITLES = {
  admin: 'Администрирование',
  region_operator: 'Региональный центр управления',
  municipal_operator: 'Муниципальный центр управления',
  org_staff: 'Кабинет организации',
  resident: 'Личный кабинет жителя',
};
const DEMO_LOGINS = [
  ['admin', 'admin'],
  ['region', 'region_operator'],
  ['mun1', 'municipal_operator'],
  ['mun2', 'municipal_operator'],
  ['uo1', 'org_staff'],
  ['rso1', 'org_staff'],
  ['eirc1', 'org_staff'],
  ['tko1', 'org_staff'],
  ['uo2', 'org_staff'],
  ['resident1', 'resident'],
  ['resident2', 'resident'],
];

// docs/demo.md
const DEMO_REGION = 'Демонстрационная область';
const DEMO_MUNICIPALITY = { mun1: 'г. Светлогорск', mun2: 'Заречный район' };

let server;
let browser;

before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
  server = await startServer();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

// ------------------------------------------------------------------ helpers

/**
 * A fresh browser context (no cookies) with one page, recording what the page must not do:
 * requests to anything but 127.0.0.1, uncaught exceptions, console errors, dialogs, and
 * failing loads of its own document/scripts/styles.
 */
async function openPage() {
  const context = await browser.newContext({ locale: 'ru-RU', viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  const outside = [];
  const problems = [];
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.protocol === 'data:') return;
    if (url.hostname !== '127.0.0.1') outside.push(req.url());
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    // The browser logs every non-2xx fetch; 401 (no session, wrong password) and
    // 429 (throttled login) are expected answers the page handles.
    if (/Failed to load resource: the server responded with a status of (401|429)\b/.test(msg.text())) return;
    problems.push(`console.error: ${msg.text()}`);
  });
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  page.on('response', (res) => {
    // The page's own files (everything outside /api/) must all be served.
    if (!new URL(res.url()).pathname.startsWith('/api/') && ![200, 304].includes(res.status())) {
      problems.push(`${res.request().resourceType()} ${res.url()} answered ${res.status()}`);
    }
  });
  return {
    context,
    page,
    outside,
    problems,
    /** Asserts nothing bad was recorded, then closes the context. */
    async finish() {
      try {
        assert.deepEqual(outside, [], 'the page requested something outside 127.0.0.1');
        assert.deepEqual(problems, [], 'the page reported errors');
      } finally {
        await context.close();
      }
    },
  };
}

async function loginThroughForm(page, login, password) {
  await page.getByTestId('login-form').waitFor({ state: 'visible' });
  await page.getByLabel('Логин').fill(login);
  await page.getByLabel('Пароль').fill(password);
  await page.getByRole('button', { name: 'Войти' }).click();
}

async function sessionCookie(context) {
  return (await context.cookies()).find((c) => c.name === 'upravdom_session' && c.value !== '');
}

/** What the API says about a demo user (and the objects its home page shows). */
async function facts(login) {
  const client = api(server.url);
  const token = await client.login(login);
  try {
    const me = await client.get('/api/v1/me', { token });
    assert.equal(me.status, 200, `GET /me for ${login}: ${me.text}`);
    const user = me.body;
    const out = { user };
    if (user.role === 'org_staff') {
      const r = await client.get(`/api/v1/organizations/${user.org_id}`, { token });
      assert.equal(r.status, 200, r.text);
      out.organization = r.body;
    }
    if (user.role === 'municipal_operator') {
      const m = await client.get(`/api/v1/municipalities/${user.municipality_id}`, { token });
      assert.equal(m.status, 200, m.text);
      out.municipality = m.body;
      const orgs = await client.get('/api/v1/organizations?per_page=20', { token });
      assert.equal(orgs.status, 200, orgs.text);
      out.organizations = orgs.body;
    }
    if (user.role === 'region_operator' || user.role === 'admin') {
      const orgs = await client.get('/api/v1/organizations?per_page=20', { token });
      assert.equal(orgs.status, 200, orgs.text);
      out.organizations = orgs.body;
    }
    return out;
  } finally {
    await client.post('/api/v1/auth/logout', { token });
  }
}

const testid = (page, id) => page.getByTestId(id);
const textOf = async (locator) => (await locator.textContent()).trim();

async function tableColumn(section, header) {
  const headers = await section.locator('thead th').allTextContents();
  const index = headers.map((h) => h.trim()).indexOf(header);
  assert.ok(index >= 0, `column «${header}» in ${JSON.stringify(headers)}`);
  return (await section.locator(`tbody tr td:nth-child(${index + 1})`).allTextContents()).map((t) => t.trim());
}

/** Checks the part of the home page that depends on the role. */
async function checkRoleContent(page, f) {
  const { user } = f;
  switch (user.role) {
    case 'admin':
    case 'region_operator':
    case 'municipal_operator': {
      if (user.role === 'municipal_operator') {
        assert.equal(await textOf(testid(page, 'municipality-name')), f.municipality.name,
          'a municipal operator sees the municipality name');
        if (DEMO_MUNICIPALITY[user.login]) assert.equal(f.municipality.name, DEMO_MUNICIPALITY[user.login]);
      }
      if (user.role === 'region_operator') {
        assert.equal(await textOf(testid(page, 'region-name')), DEMO_REGION, 'the region operator sees the region');
        const municipalities = testid(page, 'section-municipalities');
        await municipalities.getByTestId('page-info').waitFor();
        const names = await tableColumn(municipalities, 'Наименование');
        for (const name of Object.values(DEMO_MUNICIPALITY)) {
          assert.ok(names.includes(name), `municipality «${name}» listed in ${JSON.stringify(names)}`);
        }
        await testid(page, 'tab-organizations').click();
      }
      const section = testid(page, 'section-organizations');
      await testid(page, 'page-info').waitFor();
      const expected = f.organizations.items.map((o) => o.inn).sort();
      if (expected.length === 0) {
        await testid(page, 'empty-state').waitFor();
      } else {
        assert.deepEqual((await tableColumn(section, 'ИНН')).sort(), expected,
          'the organizations table lists what GET /organizations answers for this user');
      }
      assert.match(await textOf(testid(page, 'page-info')), new RegExp(`всего ${f.organizations.total}$`));
      return;
    }
    case 'org_staff': {
      const o = f.organization;
      assert.equal(await textOf(testid(page, 'org-name')), o.name);
      assert.equal(await textOf(testid(page, 'org-inn')), o.inn);
      assert.equal(await textOf(testid(page, 'org-kpp')), o.kpp || '—');
      assert.equal(await textOf(testid(page, 'org-ogrn')), o.ogrn);
      return;
    }
    case 'resident':
      assert.ok((await textOf(testid(page, 'greeting'))).includes(user.full_name), 'the greeting names the resident');
      assert.match(await textOf(testid(page, 'bills-hint')), /на вкладке «Мои счета»/);
      assert.equal(await textOf(testid(page, 'tab-bills')), 'Мои счета');
      return;
    default:
      assert.fail(`unexpected role ${user.role}`);
  }
}

// ------------------------------------------------------------------ tests

for (const [login, role] of DEMO_LOGINS) {
  test(`${login} (${role}) logs in through the form and gets the «${TITLES[role]}» home with their name; ` +
    'nothing is loaded from outside 127.0.0.1; «Выйти» brings back the form and revokes the session',
  { timeout: 60000 }, async () => {
    const f = await facts(login);
    assert.equal(f.user.role, role, `docs/demo.md: ${login} is ${role}`);
    const s = await openPage();
    const { page, context } = s;
    try {
      await page.goto(`${server.url}/`);
      await loginThroughForm(page, login, DEMO_PASSWORD);

      const heading = testid(page, 'home-title');
      await heading.filter({ hasText: TITLES[role] }).waitFor({ state: 'visible' });
      assert.equal(await heading.evaluate((el) => el.tagName), 'H1', 'the role title is the page heading');
      assert.equal(await page.getByRole('heading', { level: 1, name: TITLES[role] }).count(), 1);
      assert.equal(await textOf(testid(page, 'user-name')), f.user.full_name, 'the header shows the user name');
      assert.ok((await textOf(testid(page, 'user-role'))).length > 0, 'the header shows the role');
      assert.equal(await testid(page, 'login-form').count(), 0, 'the login form is gone');
      await checkRoleContent(page, f);

      if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `ui-${login}.png`), fullPage: true });

      const cookie = await sessionCookie(context);
      assert.ok(cookie, 'the server set the upravdom_session cookie');
      assert.equal(cookie.httpOnly, true, 'the session cookie is HttpOnly');
      const stored = await page.evaluate(() => JSON.stringify([{ ...localStorage }, { ...sessionStorage }]));
      assert.ok(!stored.includes(cookie.value), 'the token is not kept in web storage');

      await testid(page, 'logout').click();
      await testid(page, 'login-form').waitFor({ state: 'visible' });
      assert.equal(await heading.count(), 0, 'the home page is gone after «Выйти»');
      assert.equal(await testid(page, 'logout').isVisible(), false, 'no «Выйти» on the login form');
      assert.equal(await sessionCookie(context), undefined, 'logout clears the session cookie');

      const res = await fetch(`${server.url}/api/v1/me`, { headers: { Cookie: `upravdom_session=${cookie.value}` } });
      assert.equal(res.status, 401, 'GET /api/v1/me with the old cookie answers 401 after logout');
    } finally {
      await s.finish();
    }
  });
}

test('a wrong password keeps the login form and shows the server\'s error message on it', async () => {
  const s = await openPage();
  const { page, context } = s;
  try {
    await page.goto(`${server.url}/`);
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login')),
      loginThroughForm(page, 'admin', 'not-the-password'),
    ]);
    assert.equal(answer.status(), 401);
    const problem = await answer.json();
    const error = testid(page, 'login-error');
    await error.waitFor({ state: 'visible' });
    assert.equal((await textOf(error)).toLowerCase(), (problem.detail || problem.title).trim().toLowerCase(),
      'the form shows the problem detail (first letter capitalised)');
    assert.equal(await testid(page, 'home-title').count(), 0, 'no home page');
    assert.equal(await sessionCookie(context), undefined, 'no session cookie');
    assert.equal(await page.getByLabel('Логин').inputValue(), 'admin', 'the login stays filled in');
  } finally {
    await s.finish();
  }
});

test('reloading the page restores the session from the cookie (GET /api/v1/me on load)', async () => {
  const s = await openPage();
  const { page } = s;
  try {
    await page.goto(`${server.url}/`);
    await loginThroughForm(page, 'region', DEMO_PASSWORD);
    await testid(page, 'home-title').filter({ hasText: TITLES.region_operator }).waitFor();
    await page.reload();
    await testid(page, 'home-title').filter({ hasText: TITLES.region_operator }).waitFor();
    assert.equal(await testid(page, 'login-form').count(), 0);
    await testid(page, 'logout').click();
    await testid(page, 'login-form').waitFor();
    await page.reload();
    await testid(page, 'login-form').waitFor();
    assert.equal(await testid(page, 'home-title').count(), 0, 'after logout a reload shows the login form');
  } finally {
    await s.finish();
  }
});

test('admin lists: organizations filter by kind, users page with «Вперёд»/«Назад», the audit journal shows logins',
  { timeout: 60000 }, async () => {
    const client = api(server.url);
    const token = await client.login('admin');
    const uo = await client.get('/api/v1/organizations?kind=uo&per_page=500', { token });
    const users = await client.get('/api/v1/users?per_page=1', { token });
    await client.post('/api/v1/auth/logout', { token });
    assert.equal(uo.status, 200, uo.text);
    assert.equal(users.status, 200, users.text);

    const s = await openPage();
    const { page } = s;
    try {
      await page.goto(`${server.url}/`);
      await loginThroughForm(page, 'admin', DEMO_PASSWORD);
      await testid(page, 'home-title').filter({ hasText: TITLES.admin }).waitFor();
      const orgs = testid(page, 'section-organizations');
      await orgs.getByTestId('page-info').waitFor();
      if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'ui-admin-organizations.png'), fullPage: true });

      await orgs.getByLabel('Вид').selectOption('uo');
      await page.waitForURL(/kind=uo/);
      await testid(page, 'page-info').filter({ hasText: `всего ${uo.body.total}` }).waitFor();
      const kinds = await tableColumn(testid(page, 'section-organizations'), 'Вид');
      assert.ok(kinds.length > 0 && kinds.every((k) => k === 'УО'), `only УО rows: ${JSON.stringify(kinds)}`);
      assert.deepEqual((await tableColumn(testid(page, 'section-organizations'), 'ИНН')).sort(),
        uo.body.items.slice(0, 20).map((o) => o.inn).sort());

      await testid(page, 'tab-users').click();
      const usersSection = testid(page, 'section-users');
      const pages = Math.ceil(users.body.total / 20);
      await usersSection.getByTestId('page-info').filter({ hasText: `Страница 1 из ${pages} · всего ${users.body.total}` }).waitFor();
      assert.ok(await usersSection.getByTestId('page-prev').isDisabled(), '«Назад» is disabled on page 1');
      assert.ok(pages >= 2, `the demo has more than 20 users (${users.body.total})`);
      await usersSection.getByRole('button', { name: /Вперёд/ }).click();
      await testid(page, 'page-info').filter({ hasText: `Страница 2 из ${pages}` }).waitFor();
      assert.ok(await testid(page, 'page-prev').isEnabled(), '«Назад» is enabled on page 2');
      await page.getByRole('button', { name: /Назад/ }).click();
      await testid(page, 'page-info').filter({ hasText: `Страница 1 из ${pages}` }).waitFor();

      await testid(page, 'tab-audit').click();
      const audit = testid(page, 'section-audit');
      await audit.getByTestId('page-info').waitFor();
      const actions = await tableColumn(audit, 'Действие');
      assert.ok(actions.includes('Вход в систему'), `the journal lists logins: ${JSON.stringify(actions.slice(0, 5))}`);
    } finally {
      await s.finish();
    }
  });

// Last: it throttles one login (and adds failures from 127.0.0.1) for the rest of the run.
test('after 5 wrong passwords for one login the form says «Слишком много попыток, повторите через N с» (429 + Retry-After)',
  { timeout: 60000 }, async () => {
    const s = await openPage();
    const { page } = s;
    try {
      await page.goto(`${server.url}/`);
      let answer;
      for (let attempt = 1; attempt <= 6; attempt++) {
        [answer] = await Promise.all([
          page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login')),
          loginThroughForm(page, 'tko1', `wrong-${attempt}`),
        ]);
        assert.equal(answer.status(), attempt <= 5 ? 401 : 429, `attempt ${attempt}`);
        await page.getByRole('button', { name: 'Войти' }).and(page.locator(':enabled')).waitFor();
      }
      const retryAfter = answer.headers()['retry-after'];
      assert.match(retryAfter || '', /^\d+$/, 'a 429 carries Retry-After in seconds');
      await testid(page, 'login-error').filter({ hasText: `Слишком много попыток, повторите через ${retryAfter} с` }).waitFor();
    } finally {
      await s.finish();
    }
  });
