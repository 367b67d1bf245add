// Browser helpers for the e2e tests (here, beside their node_modules): Debian's Chromium through playwright-core,
// pages that record what a page must not do, and the login form.
//
// Environment: UPRAVDOM_CHROMIUM (default /usr/bin/chromium).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { DEMO_PASSWORD } from '../lib/harness.mjs';

export const CHROMIUM = process.env.UPRAVDOM_CHROMIUM || '/usr/bin/chromium';
export const TIMEOUT = 15000;

/** Chromium as root, with no network of its own (PITFALLS.md). */
export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * A fresh context and page recording what the page must not do: requests to anything but
 * 127.0.0.1, uncaught exceptions, console errors (but the expected ones), dialogs, and
 * failing loads of its own files. `expected` lists HTTP statuses the test provokes on
 * purpose; 401 is always expected (GET /api/v1/me before the login answers 401). Call
 * finish() at the end: it fails the test on anything recorded.
 */
export async function openGuardedPage(browser, { expected = [] } = {}) {
  const context = await browser.newContext({ locale: 'ru-RU', viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  const outside = [];
  const problems = [];
  const allowed = new RegExp(`Failed to load resource: the server responded with a status of (${[401, ...expected].join('|')})\\b`);
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.protocol === 'data:') return;
    if (url.hostname !== '127.0.0.1') outside.push(req.url());
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    if (allowed.test(msg.text())) return;
    problems.push(`console.error: ${msg.text()}`);
  });
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  page.on('response', (res) => {
    if (!new URL(res.url()).pathname.startsWith('/api/') && ![200, 304].includes(res.status())) {
      problems.push(`${res.request().resourceType()} ${res.url()} answered ${res.status()}`);
    }
  });
  return {
    context,
    page,
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

/** Signs in through the login form with the demo password and waits for the home page. */
export async function loginThroughForm(page, baseUrl, user) {
  await page.goto(`${baseUrl}/`);
  await page.getByTestId('login-form').waitFor({ state: 'visible' });
  await page.getByLabel('Логин').fill(user);
  await page.getByLabel('Пароль').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Войти' }).click();
  await page.getByTestId('home-title').waitFor();
}
