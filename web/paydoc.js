// The payment document as a page (docs/paydoc.md "Web page"): `#/document/{account}/{period}`
// shows the same document as the PDF — payer, payees with their bank details and one payment QR
// code each (GOST R 56042-2014, drawn as SVG from the API's module matrix), the table of services
// with the method of each line, corrections with reasons, penalties, meter readings, the sums and
// the due date, contacts — with the PDF download, the text form and printing.
// Server data goes into the page as text only (see dom.js); money stays the API's decimal strings.
import { api, ApiError } from './api.js';
import { DASH, h, text, alertBox, details, formatDate, formatDecimal, formatArea } from './dom.js';
import { periodName } from './meters.js';

const NBSP = '\u00a0';
const SVG_NS = 'http://www.w3.org/2000/svg';
const QUIET = 4; // modules of white around a QR code (ISO/IEC 18004)

const METHODS = {
  meter: 'по показаниям',
  average: 'по среднему',
  norm: 'по нормативу',
  norm_raised: 'по нормативу с коэфф.',
  area: 'по площади',
  residents: 'по числу зарегистрированных',
  fixed: 'за лицевой счёт',
};
const KIND_TITLES = { correction: 'Перерасчёт', penalty: 'Пени', cashback: 'Кешбэк' };
const ROLES = { manager: 'Управляющая организация', supplier: 'Поставщик услуг', dispatch: 'Аварийно-диспетчерская служба' };
const RESOURCES = {
  cold_water: 'Холодная вода', hot_water: 'Горячая вода', electricity: 'Электроэнергия', heat: 'Тепловая энергия', gas: 'Газ',
};
const ZONES = { day: 'день', night: 'ночь' };

function rub(value) {
  if (value === undefined || value === null || value === '') return DASH;
  return `${formatDecimal(value)}${NBSP}₽`;
}

const negative = (value) => /^-/.test(String(value || '')) && !/^-0(\.0*)?$/.test(String(value));

/** The API's URL of a form of the document: "", ".pdf" or ".txt". */
export function documentUrl(accountId, period, suffix = '') {
  return `/api/v1/accounts/${encodeURIComponent(accountId)}/document${suffix}?${new URLSearchParams({ period })}`;
}

/** A QR matrix (rows of '0'/'1') as an SVG: one path of the dark runs, crisp at any size. */
export function qrSvg(qr, label) {
  const n = qr.size + 2 * QUIET;
  let d = '';
  qr.modules.forEach((row, y) => {
    for (let x = 0; x < row.length;) {
      if (row[x] !== '1') { x += 1; continue; }
      const start = x;
      while (x < row.length && row[x] === '1') x += 1;
      d += `M${start + QUIET} ${y + QUIET}h${x - start}v1h${start - x}z`;
    }
  });
  const el = document.createElementNS(SVG_NS, 'svg');
  for (const [k, v] of Object.entries({
    viewBox: `0 0 ${n} ${n}`, class: 'qr', role: 'img', 'aria-label': label, 'shape-rendering': 'crispEdges',
  })) el.setAttribute(k, v);
  const bg = document.createElementNS(SVG_NS, 'rect');
  bg.setAttribute('width', n);
  bg.setAttribute('height', n);
  bg.setAttribute('fill', '#fff');
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', '#000');
  el.append(bg, path);
  return el;
}

function payeeCard(p, i, doc) {
  const bank = [
    ['ИНН / КПП', [p.inn, p.kpp].filter(Boolean).join(' / ') || DASH, `payee-${i}-inn`],
    ['Банк', p.bank_name, `payee-${i}-bank`],
    ['БИК', p.bic, `payee-${i}-bic`],
    ['Расчётный счёт', p.account, `payee-${i}-account`],
    ['Корр. счёт', p.corr_account, `payee-${i}-corr`],
    ['Адрес', p.address, `payee-${i}-address`],
    ['Телефон', p.phone, `payee-${i}-phone`],
  ];
  const pay = p.qr
    ? h('figure', { class: 'paydoc-qr' },
      qrSvg(p.qr, `QR-код для оплаты получателю ${text(p.name)}: ${formatDecimal(p.sum)} рублей`),
      h('figcaption', {}, 'Отсканируйте в приложении банка'),
      h('details', { class: 'paydoc-payload' },
        h('summary', {}, 'Платёжная строка'),
        h('code', { 'data-testid': `payee-${i}-payload` }, p.qr.payload)))
    : h('p', { class: 'alert', 'data-testid': `payee-${i}-noqr` },
      `Реквизиты для оплаты не заданы${p.qr_error ? `: ${p.qr_error}` : ''}. Оплатите по реквизитам организации.`);
  return h('article', { class: 'card paydoc-payee', 'data-testid': `payee-${i}`, 'aria-labelledby': `h-payee-${i}` },
    h('div', { class: 'paydoc-payee-text' },
      h('h4', { id: `h-payee-${i}` }, i === 0 && doc.payees.length > 1 ? `${text(p.name)} (исполнитель)` : text(p.name)),
      details(bank, `payee-${i}-details`, 'details-compact'),
      h('p', { class: 'paydoc-sum' }, 'К оплате получателю: ',
        h('strong', { 'data-testid': `payee-${i}-sum` }, rub(p.sum)))),
    pay);
}

function lineTitle(l) {
  if (l.kind === 'charge') return text(l.service);
  const what = KIND_TITLES[l.kind] || l.kind;
  const of = l.service ? `: ${l.service}` : '';
  return `${what}${of}${l.period ? ` за ${periodName(l.period)}` : ''}`;
}

function linesSection(doc) {
  const rows = [];
  doc.payees.forEach((p, i) => {
    const mine = doc.lines.filter((l) => l.payee === i);
    if (!mine.length) return;
    if (doc.payees.length > 1) {
      rows.push(h('tr', { class: 'paydoc-group' }, h('th', { colspan: '6', scope: 'rowgroup' }, `Получатель: ${text(p.name)}`)));
    }
    for (const l of mine) {
      rows.push(h('tr', { 'data-kind': l.kind, 'data-testid': `doc-line-${doc.lines.indexOf(l)}`, class: l.kind !== 'charge' ? `line-${l.kind}` : null },
        h('td', {}, lineTitle(l), l.reason ? h('div', { class: 'muted' }, `Основание: ${l.reason}`) : null),
        h('td', { class: 'nowrap' }, l.kind === 'charge' ? text(l.unit) : DASH),
        h('td', { class: 'num nowrap' }, l.quantity ? formatDecimal(l.quantity) : DASH),
        h('td', { class: 'num nowrap' }, l.price ? formatDecimal(l.price) : DASH),
        h('td', { class: 'num nowrap' }, formatDecimal(l.amount)),
        h('td', {}, l.method ? h('abbr', { title: text(l.explanation) }, METHODS[l.method] || l.method) : text(l.explanation))));
    }
    if (doc.payees.length > 1) {
      rows.push(h('tr', { class: 'paydoc-subtotal' },
        h('td', { colspan: '4' }, `Итого по получателю ${text(p.name)}`),
        h('td', { class: 'num nowrap' }, formatDecimal(p.lines_total)), h('td', {})));
    }
  });
  return h('section', { class: 'card', 'aria-labelledby': 'h-doc-lines' },
    h('h3', { id: 'h-doc-lines' }, '3. Расчёт размера платы'),
    h('div', { class: 'table-wrap' },
      h('table', { class: 'data-table', 'data-testid': 'document-lines' },
        h('thead', {}, h('tr', {}, ['Услуга', 'Ед. изм.', 'Объём', 'Тариф, ₽', 'Сумма, ₽', 'Способ расчёта']
          .map((c, i) => h('th', { scope: 'col', class: i >= 2 && i <= 4 ? 'num' : null }, c)))),
        h('tbody', {}, rows))));
}

function readingsSection(doc) {
  const body = doc.readings.length
    ? h('div', { class: 'table-wrap' }, h('table', { class: 'data-table', 'data-testid': 'document-readings' },
      h('thead', {}, h('tr', {}, ['Прибор учёта', 'Ресурс', 'Предыдущие', 'Текущие', 'Расход']
        .map((c, i) => h('th', { scope: 'col', class: i >= 2 ? 'num' : null }, c)))),
      h('tbody', {}, doc.readings.map((r) => h('tr', {},
        h('td', {}, `№ ${text(r.serial)}`),
        h('td', {}, `${RESOURCES[r.resource] || text(r.resource)}${ZONES[r.zone] ? ` (${ZONES[r.zone]})` : ''}`),
        h('td', { class: 'num' }, r.previous ? formatDecimal(r.previous) : 'начальные'),
        h('td', { class: 'num' }, formatDecimal(r.current)),
        h('td', { class: 'num' }, formatDecimal(r.consumption)))))))
    : h('p', { class: 'muted' }, 'Показания в этом периоде не использовались');
  return h('section', { class: 'card', 'aria-labelledby': 'h-doc-readings' },
    h('h3', { id: 'h-doc-readings' }, '2. Показания индивидуальных приборов учёта'), body);
}

function totalsSection(doc) {
  const t = doc.totals;
  const over = negative(t.total);
  return h('section', { class: 'card paydoc-totals', 'aria-labelledby': 'h-doc-totals' },
    h('h3', { id: 'h-doc-totals' }, '5. Итого к оплате'),
    details([
      [negative(t.opening) ? 'Переплата на начало периода' : 'Задолженность на начало периода', rub(t.opening.replace(/^-/, '')), 'doc-opening'],
      ['Начислено за период', rub(t.charged), 'doc-charged'],
      ['Перерасчёты', rub(t.corrected), 'doc-corrected'],
      ['Пени', rub(t.penalty), 'doc-penalty'],
      ['Кешбэк', rub(t.cashback), 'doc-cashback'],
      ['Оплачено в периоде', rub(t.paid), 'doc-paid'],
    ], 'document-totals', 'details-compact'),
    h('p', { class: 'paydoc-due', 'data-testid': 'doc-due' },
      over ? ['Переплата: ', h('strong', { 'data-testid': 'doc-total' }, rub(t.total.replace(/^-/, ''))), ' — оплата не требуется']
        : ['К оплате: ', h('strong', { 'data-testid': 'doc-total' }, rub(t.total_due)), ` до ${formatDate(doc.due_on)}`]));
}

function contactsSection(doc) {
  return h('section', { class: 'card', 'aria-labelledby': 'h-doc-contacts' },
    h('h3', { id: 'h-doc-contacts' }, '4. Справочная информация'),
    h('ul', { class: 'paydoc-contacts', 'data-testid': 'document-contacts' }, doc.contacts.map((c) => h('li', {},
      h('strong', {}, ROLES[c.role] || text(c.role)), ': ', text(c.name),
      [c.address, c.phone ? `тел. ${c.phone}` : null, c.email, c.website].filter(Boolean).map((x) => ` · ${x}`).join('')))));
}

/** The whole document as the page shows it. */
export function documentView(doc) {
  const title = `Платёжный документ за ${periodName(doc.period)}`;
  return [
    h('div', { class: 'house-head paydoc-head' },
      h('div', {},
        h('h2', { 'data-testid': 'document-title', tabindex: '-1' }, title),
        h('p', { class: 'muted' }, [doc.ipd ? `ИПД ${doc.ipd}` : null, doc.issued_on ? `выдан ${formatDate(doc.issued_on)}` : null]
          .filter(Boolean).join(' · '))),
      h('div', { class: 'paydoc-actions' },
        h('a', { class: 'button', href: documentUrl(doc.account_id, doc.period, '.pdf'), download: '', 'data-testid': 'document-pdf' }, 'Скачать PDF'),
        h('a', { class: 'button button-secondary', href: documentUrl(doc.account_id, doc.period, '.txt'), 'data-testid': 'document-text' }, 'Текстовая версия'),
        h('button', { type: 'button', class: 'button button-secondary', onclick: () => window.print() }, 'Печать'))),
    h('section', { class: 'card', 'aria-labelledby': 'h-doc-payer' },
      h('h3', { id: 'h-doc-payer' }, '1. Плательщик и получатели'),
      details([
        ['Плательщик', doc.payer, 'doc-payer'],
        ['Адрес', [doc.address, doc.premises ? `пом. ${doc.premises}` : null].filter(Boolean).join(', '), 'doc-address'],
        ['Площадь', doc.area ? formatArea(doc.area) : DASH, 'doc-area'],
        ['Зарегистрировано', doc.residents, 'doc-residents'],
        ['ЕЛС', doc.els, 'doc-els'],
        ['Лицевой счёт', doc.account_number, 'doc-account'],
        ['Расчётный период', periodName(doc.period), 'doc-period'],
      ], 'document-payer', 'details-compact')),
    h('div', { class: 'paydoc-payees', 'data-testid': 'document-payees' }, doc.payees.map((p, i) => payeeCard(p, i, doc))),
    readingsSection(doc),
    linesSection(doc),
    contactsSection(doc),
    totalsSection(doc),
  ];
}

/** `#/document/{account}/{period}`: loads the JSON form and shows it. */
export async function renderDocument({ route, host, seq, app }) {
  const id = /^\d+$/.test(route.rest[0] || '') ? route.rest[0] : null;
  const period = /^\d{4}-(0[1-9]|1[0-2])$/.test(route.rest[1] || '') ? route.rest[1] : null;
  const back = h('a', { class: 'back-link', href: id ? app.routeHref(`account/${id}`) : app.routeHref('bills'), 'data-testid': 'document-back' },
    '← К лицевому счёту');
  const wrap = h('section', { class: 'paydoc', 'data-testid': 'document-page', 'aria-busy': 'true' },
    back, h('p', { class: 'loading', role: 'status' }, 'Загрузка…'));
  host.replaceChildren(wrap);
  if (!id || !period) {
    wrap.setAttribute('aria-busy', 'false');
    wrap.replaceChildren(back, alertBox('Документ не найден: в адресе нет лицевого счёта или периода', 'document-error'));
    return;
  }
  let doc;
  try {
    doc = await api.get(`/accounts/${encodeURIComponent(id)}/document?${new URLSearchParams({ period })}`);
  } catch (err) {
    if (!app.current(seq)) return;
    const msg = err instanceof ApiError && err.status === 404
      ? `Платёжного документа за ${periodName(period)} нет: начисления за этот период не выполнялись`
      : err.message;
    wrap.setAttribute('aria-busy', 'false');
    wrap.replaceChildren(back, alertBox(msg, 'document-error'));
    return;
  }
  if (!app.current(seq)) return;
  document.title = `Платёжный документ за ${periodName(period)} — Управдом`;
  wrap.setAttribute('aria-busy', 'false');
  wrap.replaceChildren(back, ...documentView(doc));
  wrap.querySelector('[data-testid="document-title"]').focus();
}
