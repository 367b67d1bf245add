// Browser end-to-end test of the payment document page (web/paydoc.js, docs/paydoc.md "Web page"):
// the resident opens the latest document from «Мои счета» and sees it as a page — the payer, each
// payee's bank details and sum, a payment QR code per payee that a real decoder (zbarimg) reads as
// exactly the GOST R 56042-2014 payload of the API's JSON form, the table of services, the total
// due and its date — and downloads the same document as a PDF through the page's link.
//
// Data: the demo region (tests/lib/harness.mjs); the demo bills its organizations' last reading
// periods (docs/demo.md), so resident1 has documents.
//
//   cd tests/e2e && npm ci && UPRAVDOM_BIN=/path/to/build/upravdom node --test paydoc.test.mjs
//
// Environment: UPRAVDOM_BIN, UPRAVDOM_CHROMIUM, UPRAVDOM_E2E_SCREENSHOTS (screenshots
// ui-paydoc-*.png are written there).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
process.env.UPRAVDOM_BIN ||= path.resolve(HERE, '../../build/upravdom');
const { startServer, api } = await import('../lib/harness.mjs');
const { launchBrowser, openGuardedPage, loginThroughForm } = await import('./browser.mjs');
const { decodePng } = await import('../lib/qr.mjs');

const SCREENSHOTS = process.env.UPRAVDOM_E2E_SCREENSHOTS || '';
const NBSP = '\u00a0';

let server;
let browser;
let client;
let tmp;
const tok = {};
let doc; // the JSON form of resident1's latest document

const testid = (page, id) => page.getByTestId(id);
const textOf = async (locator) => (await locator.textContent()).trim();
/** "1234.56" → "1 234,56" as the page prints it. */
const decimal = (v) => {
  const [i, f] = String(v).replace('-', '').split('.');
  return `${i.replace(/\B(?=(\d{3})+(?!\d))/g, NBSP)}${f !== undefined ? `,${f}` : ''}`;
};

/** What zbarimg (zbar-tools) reads off a screenshot: the QR codes' texts (tests/lib/qr.mjs). */
function decodeQr(png) {
  const file = path.join(tmp, `qr-${Date.now()}-${Math.random().toString(36).slice(2)}.png`);
  writeFileSync(file, png);
  const codes = decodePng(file);
  assert.ok(codes.length, `zbarimg found no QR code in ${file}`);
  return codes;
}

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'upravdom-paydoc-e2e-'));
  server = await startServer();
  client = api(server.url);
  tok.resident1 = await client.login('resident1');
  browser = await launchBrowser();
  if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
  const accounts = (await client.get('/api/v1/accounts', { token: tok.resident1 })).body.items;
  for (const a of accounts) {
    const st = (await client.get(`/api/v1/accounts/${a.id}/statements?per_page=1`, { token: tok.resident1 })).body;
    if (!st.items.length) continue;
    const r = await client.get(`/api/v1/accounts/${a.id}/document?period=${st.items[0].period}`, { token: tok.resident1 });
    assert.equal(r.status, 200, r.text);
    doc = r.body;
    break;
  }
  assert.ok(doc, 'docs/demo.md: resident1 has a billed account');
});

after(async () => {
  if (browser) await browser.close();
  if (client) for (const token of Object.values(tok)) await client.post('/api/v1/auth/logout', { token });
  if (server) await server.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('the resident\'s document page shows the payer, each payee with its sum and a QR code that decodes to the ' +
  'GOST R 56042 payload of the JSON form, the lines and the total due; the PDF link downloads the document',
{ timeout: 90000 }, async () => {
  const s = await openGuardedPage(browser);
  const { page } = s;
  try {
    await loginThroughForm(page, server.url, 'resident1');
    await testid(page, 'tab-bills').click();
    await testid(page, `bill-${doc.account_id}-document`).click();
    await page.waitForURL(new RegExp(`#/document/${doc.account_id}/${doc.period}$`));
    await testid(page, 'document-payees').waitFor();
    assert.match(await textOf(testid(page, 'document-title')), new RegExp(`за ${doc.period_name}`));
    if (doc.els) assert.equal(await textOf(testid(page, 'doc-els')), doc.els);
    assert.equal(await textOf(testid(page, 'doc-account')), doc.account_number);

    for (const [i, p] of doc.payees.entries()) {
      const card = testid(page, `payee-${i}`);
      assert.equal(await textOf(card.getByTestId(`payee-${i}-sum`)), `${decimal(p.sum)}${NBSP}₽`);
      if (!p.qr) {
        await card.getByTestId(`payee-${i}-noqr`).waitFor();
        continue;
      }
      assert.equal(await textOf(card.getByTestId(`payee-${i}-bic`)), p.bic);
      // The QR on the screen, read by a real decoder, is the payload byte for byte.
      const png = await card.locator('svg.qr').screenshot();
      assert.deepEqual(decodeQr(png), [p.qr.payload], `payee ${i}: the QR on the page`);
    }

    const rows = testid(page, 'document-lines').locator('tbody tr[data-kind]');
    assert.equal(await rows.count(), doc.lines.length, 'one row per line of the document');
    const due = await textOf(testid(page, 'doc-due'));
    if (Number(doc.totals.total) > 0) {
      const [y, m, d] = doc.due_on.split('-');
      assert.equal(due, `К оплате: ${decimal(doc.totals.total_due)}${NBSP}₽ до ${d}.${m}.${y}`);
    } else {
      assert.match(due, /Переплата|К оплате: 0,00/);
    }
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'ui-paydoc-document.png'), fullPage: true });

    // The PDF link: the same session's cookie downloads the document.
    const href = await testid(page, 'document-pdf').getAttribute('href');
    const pdf = await page.request.get(new URL(href, server.url).toString());
    assert.equal(pdf.status(), 200);
    assert.match(pdf.headers()['content-type'], /^application\/pdf/);
    const body = await pdf.body();
    assert.equal(body.subarray(0, 5).toString(), '%PDF-');
  } finally {
    await s.finish();
  }
});

test('a document address without a valid period says so instead of loading', { timeout: 60000 }, async () => {
  const s = await openGuardedPage(browser);
  const { page } = s;
  try {
    await loginThroughForm(page, server.url, 'resident1');
    await page.goto(`${server.url}/#/document/${doc.account_id}/2026-13`);
    assert.match(await textOf(testid(page, 'document-error')), /нет лицевого счёта или периода/);
  } finally {
    await s.finish();
  }
});
