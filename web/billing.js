// The billing pages (docs/billing.md "Web pages"): the staff's «Начисления» (the run of an
// organization and period started as a job and followed to its end, the run's summary by service
// compared with the previous period with the deviations highlighted, the history of runs, closing a
// period), the account card with its ledger (statements by period, one statement's lines as the
// payment document shows them, corrections with a form for the organization's staff, payments) and
// the resident's «Мои счета» (each account's balance history as a chart with a table of the same
// numbers, the latest document's lines, the total due and its date).
// Server data goes into the page as text only (see dom.js); money stays the API's decimal strings.
import { api, ApiError, request } from './api.js';
import {
  DASH, h, appendChildren, text, alertBox, details, pager, formatDate, formatDateTime, formatCount, formatDecimal,
} from './dom.js';
import { periodName } from './meters.js';
import { splitAddress } from './registry.js';
import { renderDocument, documentUrl } from './paydoc.js';
import { followJob, jobProgress } from './job_progress.js';
import { paydocFilesPanel } from './paydoc_staff.js';

const PER_PAGE = 20;
const STATEMENTS_PER_PAGE = 12;
const CHART_PERIODS = 12; // the resident's chart: the last year
const NBSP = '\u00a0';
const SVG_NS = 'http://www.w3.org/2000/svg';
const WRITE_ROLES = ['admin', 'org_staff']; // billing.write (docs/api.md); org staff for their organization

const RUN_STATES = { running: 'выполняется', done: 'выполнен', failed: 'ошибка' };
// What a billing run's progress counts (web/job_progress.js).
const RUN_WORDS = {
  unit: 'лицевых счетов', counted: 'Рассчитано', started: 'Расчёт начат…', dead: 'Расчёт не выполнен', cancelled: 'Расчёт отменён',
};
const PAYMENT_KINDS = { payment: 'Оплата', refund: 'Возврат', reversal: 'Отмена платежа' };
const CHANNELS = { bank: 'банк', app: 'приложение', cash: 'касса', api: 'API' };
const MONTHS_SHORT = ['янв', 'фев', 'мар', 'апр', 'май', 'июн', 'июл', 'авг', 'сен', 'окт', 'ноя', 'дек'];

// ---------------------------------------------------------------- formatting

/** "1234.56" → "1 234,56 ₽". */
function rub(value) {
  if (value === undefined || value === null || value === '') return DASH;
  return `${formatDecimal(value)}${NBSP}₽`;
}

/** A ruble string of the API → kopecks (a safe integer for any real balance); null if malformed. */
function kopecks(value) {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(String(value ?? ''));
  if (!m) return null;
  const k = Number(m[2]) * 100 + Number((m[3] || '0').padEnd(2, '0'));
  return m[1] && k ? -k : k;
}

/** "12.50" → "+12,50 %", "-8.00" → "-8,00 %". */
function percentText(value) {
  if (value === undefined || value === null || value === '') return DASH;
  const s = String(value);
  const sign = /^-/.test(s) || /^0(\.0*)?$/.test(s) ? '' : '+';
  return `${sign}${formatDecimal(s)}${NBSP}%`;
}

/** A quantity with its unit: "54.370", "м²" → "54,370 м²". */
function quantityText(value, unit) {
  if (value === undefined || value === null || value === '') return DASH;
  return `${formatDecimal(value)}${unit ? `${NBSP}${unit}` : ''}`;
}

/** The server's messages start in lower case; a sentence on the page starts with a capital. */
function sentence(message) {
  const t = String(message || '').trim();
  return t ? t.charAt(0).toUpperCase() + t.slice(1) : '';
}

/** The current month as YYYY-MM in the browser's time zone (the default period). */
function thisMonth() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

function validPeriod(value) {
  const m = /^(\d{4})-(\d{2})$/.exec(value || '');
  return m && Number(m[2]) >= 1 && Number(m[2]) <= 12 ? value : null;
}

/** "2026-11" + 2 → "2027-01". */
function addMonths(period, n) {
  const [y, m] = period.split('-').map(Number);
  const k = y * 12 + (m - 1) + n;
  return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
}

function positiveInt(value) {
  const n = Number.parseInt(value || '', 10);
  return Number.isFinite(n) && n > 0 ? n : null;
}

/** Replaces a host's children (nulls skipped, arrays flattened; replaceChildren would print them). */
function fill(host, ...children) {
  host.replaceChildren();
  appendChildren(host, children);
}

function listOf(data) {
  const items = Array.isArray(data && data.items) ? data.items : [];
  return {
    items,
    total: Number.isFinite(data && data.total) ? data.total : items.length,
    perPage: Number.isFinite(data && data.per_page) && data.per_page > 0 ? data.per_page : PER_PAGE,
    page: Number.isFinite(data && data.page) && data.page > 0 ? data.page : 1,
  };
}

function stateBadge(state, testid) {
  const cls = state === 'done' ? 'badge badge-ok' : state === 'failed' ? 'badge badge-danger' : 'badge';
  return h('span', { class: cls, 'data-testid': testid, 'data-state': state }, RUN_STATES[state] || text(state));
}

/** A table with a header row: columns are [label, value(item), class]; row(item) gives the row's attributes. */
function table(columns, items, { row, testid, caption, foot } = {}) {
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'data-table', 'data-testid': testid },
      caption ? h('caption', { class: 'table-caption' }, caption) : null,
      h('thead', {}, h('tr', {}, columns.map(([label, , cls]) => h('th', { scope: 'col', class: cls }, label)))),
      h('tbody', {}, items.map((item, i) => h('tr', row ? row(item, i) : {},
        columns.map(([, value, cls]) => {
          const v = value(item, i);
          return h('td', { class: cls }, v instanceof Node ? v : text(v));
        })))),
      foot || null));
}

/** An SVG element (h() makes HTML ones); attributes via setAttribute, children as nodes or text. */
function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null && value !== false) el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child !== undefined && child !== null && child !== false) {
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return el;
}

// ---------------------------------------------------------------- forms: errors at their fields

/** A labelled control with its error line: {wrap, control, set(message), clear()}. */
function formField(id, label, control, { hint, inline = true } = {}) {
  const error = h('p', { class: 'field-error', id: `${id}-error`, role: 'alert', hidden: true, 'data-testid': `${id}-error` });
  const hintEl = hint ? h('span', { class: 'field-hint', id: `${id}-hint` }, hint) : null;
  control.id = id;
  if (!control.getAttribute('data-testid')) control.setAttribute('data-testid', id);
  control.setAttribute('aria-describedby', [hintEl ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(' '));
  const wrap = h('div', { class: `field${inline ? ' field-inline' : ''}` },
    h('label', { for: id }, label), control, hintEl, error);
  return {
    wrap,
    control,
    set(message) {
      error.textContent = message;
      error.hidden = false;
      control.setAttribute('aria-invalid', 'true');
    },
    clear() {
      error.textContent = '';
      error.hidden = true;
      control.removeAttribute('aria-invalid');
    },
  };
}

/** Puts each error of a failed request at the field it names (fields: API name → formField);
 *  returns the messages no field took (the problem's detail when it names no field). */
function showProblem(err, fields) {
  const problem = err instanceof ApiError ? err.problem : null;
  const errors = problem && Array.isArray(problem.errors) ? problem.errors : [];
  const rest = [];
  let first = null;
  for (const e of errors) {
    const f = fields[e.field];
    if (f) {
      f.set(sentence(e.message));
      first = first || f;
    } else {
      rest.push(sentence(e.message));
    }
  }
  if (!errors.length) rest.push((err && err.message) || 'Не удалось выполнить запрос');
  if (first) first.control.focus();
  return rest;
}

function clearFields(fields) {
  for (const f of Object.values(fields)) f.clear();
}

// ---------------------------------------------------------------- the balance chart

/** Round steps (1, 2, 5 × 10^k kopecks) covering lo..hi in about `count` intervals. */
function niceTicks(lo, hi, count) {
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((x) => x * mag).find((s) => s >= raw));
  const ticks = [];
  for (let t = Math.floor(lo / step) * step; t <= Math.ceil(hi / step) * step + step / 2; t += step) ticks.push(t);
  return ticks;
}

const axisRubles = new Intl.NumberFormat('ru-RU', { maximumFractionDigits: 2 });

/**
 * The closing balance per period as bars (a debt above the zero line, an overpayment below),
 * rubles on the vertical axis, months in Russian below. points: [{period, closing}] in time order.
 * Accessible: role img named by its <title> and described by its <desc>, which lists the numbers.
 */
function balanceChart(points, { id, title }) {
  const W = 460;
  const H = 240;
  const left = 84;
  const right = 8;
  const top = 12;
  const bottom = 44;
  const values = points.map((p) => kopecks(p.closing) ?? 0);
  let lo = Math.min(0, ...values);
  let hi = Math.max(0, ...values);
  if (lo === hi) hi = lo + 100;
  const ticks = niceTicks(lo, hi, 4);
  lo = Math.min(lo, ticks[0]);
  hi = Math.max(hi, ticks[ticks.length - 1]);
  const y = (v) => top + ((hi - v) * (H - top - bottom)) / (hi - lo);
  const band = (W - left - right) / points.length;
  const barWidth = Math.min(44, band * 0.62);

  const desc = `Исходящее сальдо на конец месяца: выше нуля — долг, ниже — переплата. ${
    points.map((p) => `${periodName(p.period)}: ${rub(p.closing)}`).join('; ')}.`;
  return svg('svg', {
    class: 'balance-chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': `${id}-title ${id}-desc`,
    'data-testid': id, preserveAspectRatio: 'xMinYMin meet',
  },
  svg('title', { id: `${id}-title` }, title),
  svg('desc', { id: `${id}-desc` }, desc),
  svg('g', { class: 'chart-axis', 'aria-hidden': 'true' },
    ticks.map((t) => [
      svg('line', { x1: left, x2: W - right, y1: y(t), y2: y(t), class: t === 0 ? 'chart-zero' : 'chart-grid' }),
      svg('text', { x: left - 8, y: y(t) + 4, 'text-anchor': 'end', class: 'chart-label' }, `${axisRubles.format(t / 100)}${NBSP}₽`),
    ]),
    points.map((p, i) => {
      const month = Number(p.period.slice(5, 7));
      const x = left + band * i + band / 2;
      return [
        svg('text', { x, y: H - bottom + 18, 'text-anchor': 'middle', class: 'chart-label' }, MONTHS_SHORT[month - 1]),
        i === 0 || month === 1
          ? svg('text', { x, y: H - bottom + 34, 'text-anchor': 'middle', class: 'chart-label chart-year' }, p.period.slice(0, 4))
          : null,
      ];
    })),
  svg('g', { class: 'chart-marks' }, points.map((p, i) => {
    const v = values[i];
    const y0 = y(0);
    const yv = y(v);
    return svg('rect', {
      class: `chart-bar${v < 0 ? ' chart-bar-credit' : ''}`,
      x: left + band * i + (band - barWidth) / 2,
      y: Math.min(y0, yv),
      width: barWidth,
      height: Math.max(1, Math.abs(yv - y0)),
      'data-period': p.period,
      'data-value': p.closing,
    }, svg('title', {}, `${periodName(p.period)}: ${rub(p.closing)}`));
  })));
}

/** The same numbers as the chart, for every reader. */
function balanceTable(statements, testid) {
  return table([
    ['Период', (s) => periodName(s.period), 'nowrap'],
    ['Начислено', (s) => formatDecimal(s.charged), 'num nowrap'],
    ['Оплачено', (s) => formatDecimal(s.paid), 'num nowrap'],
    ['Сальдо', (s) => formatDecimal(s.closing), 'num nowrap'],
  ], statements, {
    testid,
    caption: 'Те же числа, что на графике, в рублях; сальдо — на конец месяца',
    row: (s) => ({ 'data-period': s.period }),
  });
}

// ---------------------------------------------------------------- a statement's lines

/** What a line is for: the service, or the penalty / cashback / correction and its period. */
function lineService(l) {
  if (l.kind === 'penalty') return l.for_period ? `Пени за ${periodName(l.for_period)}` : 'Пени';
  if (l.kind === 'cashback') return 'Кешбэк';
  const name = text(l.service);
  if (l.kind === 'correction') return `${name}: перерасчёт${l.for_period ? ` за ${periodName(l.for_period)}` : ''}`;
  return name;
}

/** The payment document's lines: service, unit, quantity, tariff, amount, method in words, norm. */
function linesTable(lines, testid, { compact = false } = {}) {
  const columns = [
    ['Услуга', (l) => lineService(l)],
    ['Ед. изм.', (l) => (l.kind === 'charge' ? text(l.unit) : DASH), 'nowrap'],
    ['Объём', (l) => (l.kind === 'charge' ? formatDecimal(l.quantity) : DASH), 'num nowrap'],
    ['Тариф, ₽', (l) => (l.kind === 'charge' ? formatDecimal(l.tariff) : DASH), 'num nowrap'],
    ['Сумма, ₽', (l) => formatDecimal(l.amount), 'num nowrap'],
    ['Способ расчёта', (l) => h('span', { 'data-testid': 'line-explanation' }, text(l.explanation))],
  ];
  if (!compact) {
    columns.push(
      ['Периодов без показаний', (l) => (l.periods_without_reading ? String(l.periods_without_reading) : DASH), 'num'],
      ['Норматив на человека', (l) => (l.norm ? quantityText(l.norm, l.unit) : DASH), 'nowrap'],
    );
  }
  return table(columns, lines, {
    testid,
    row: (l, i) => ({
      'data-testid': `line-${i}`, 'data-kind': l.kind, 'data-method': l.method || '',
      class: l.kind !== 'charge' ? `line-${l.kind}` : null,
    }),
  });
}

/** The payment document of a period as a page (with its QR codes) and as a PDF. */
function documentLinks(accountId, period, testid) {
  return h('p', { class: 'document-links' },
    h('a', { class: 'button', href: `#/document/${accountId}/${period}`, 'data-testid': `${testid}-document` }, 'Платёжный документ с QR-кодом'),
    ' ',
    h('a', { class: 'button button-secondary', href: documentUrl(accountId, period, '.pdf'), download: '', 'data-testid': `${testid}-pdf` }, 'Скачать PDF'));
}

/** The document's sums: what was owed, charged, paid, and what is due by when. */
function statementTotals(st, testid) {
  const due = kopecks(st.closing);
  return h('div', { class: 'statement-totals' },
    details([
      ['Входящее сальдо', rub(st.opening), `${testid}-opening`],
      ['Начислено', rub(st.charged), `${testid}-charged`],
      ['Перерасчёты', rub(st.corrected), `${testid}-corrected`],
      ['Пени', rub(st.penalty), `${testid}-penalty`],
      ['Кешбэк', rub(st.cashback), `${testid}-cashback`],
      ['Оплачено', rub(st.paid), `${testid}-paid`],
      ['Исходящее сальдо', rub(st.closing), `${testid}-closing`],
    ], testid, 'details-compact'),
    dueLine(st, due, `${testid}-due`));
}

function dueLine(st, due, testid) {
  if (due !== null && due < 0) {
    return h('p', { class: 'due due-credit', 'data-testid': testid },
      `Переплата ${rub(String(st.closing).replace(/^-/, ''))}: она уменьшит следующий счёт.`);
  }
  if (!due) return h('p', { class: 'due due-none', 'data-testid': testid }, 'Долга нет.');
  return h('p', { class: 'due', 'data-testid': testid },
    'Итого к оплате: ', h('strong', { 'data-testid': `${testid}-amount` }, rub(st.total_due)),
    ` до ${formatDate(st.due_on)}`);
}

// ---------------------------------------------------------------- the sections

// Where the account card came from (its «←» link): the address before the last hash change.
let previousHash = '';
window.addEventListener('hashchange', (event) => {
  try {
    previousHash = new URL(event.oldURL).hash;
  } catch {
    previousHash = '';
  }
});

/**
 * The billing tabs for app.js. `app` gives: current(seq), sessionLost(), routeHref(section,
 * params), navigate(section, params), pageParam(params).
 */
export function billingSections(app) {
  /** Shows a failed load in `host` (a 401 ends the session); nothing if the render is stale. */
  function failed(err, seq, host, fallback, testid = 'billing-error') {
    if (!app.current(seq)) return;
    if (err instanceof ApiError && err.status === 401) {
      app.sessionLost();
      return;
    }
    host.setAttribute('aria-busy', 'false');
    host.replaceChildren(alertBox((err && err.message) || fallback, testid));
  }

  /** Replaces the address without a new render (the page keeps its state and focus). */
  function replaceRoute(section, params) {
    history.replaceState(null, '', `${location.pathname}${location.search}${app.routeHref(section, params)}`);
  }

  let orgCache = { user: null, list: null };
  /** The organizations the user may choose from (admin and operators), sorted by name. */
  async function organizations(user) {
    if (orgCache.user !== user || !orgCache.list) {
      orgCache = { user, list: api.list('/organizations', { per_page: 500 }).then((d) => listOf(d).items
        .sort((a, b) => String(a.short_name || a.name).localeCompare(String(b.short_name || b.name), 'ru'))) };
      orgCache.list.catch(() => { orgCache = { user: null, list: null }; });
    }
    return orgCache.list;
  }

  // ------------------------------------------------ «Начисления»

  function renderBilling(ctx) {
    if (ctx.route.section === 'document') {
      renderDocument({ ...ctx, app });
      return;
    }
    if (ctx.route.section === 'account') {
      renderAccount(ctx);
      return;
    }
    renderRuns(ctx);
  }

  function renderRuns({ route, host, seq, user }) {
    const canWrite = WRITE_ROLES.includes(user.role);
    const fixedOrg = user.role === 'org_staff' ? user.org_id : null;
    const params = route.params;
    // What the page shows; kept in the address (replaceState) so a reload or a link shows the same.
    const sel = {
      orgId: fixedOrg ?? positiveInt(params.get('org_id')),
      period: validPeriod(params.get('period')) || thisMonth(),
      run: positiveInt(params.get('run')),
      runsPeriod: validPeriod(params.get('runs_period')) || '',
      state: RUN_STATES[params.get('state')] ? params.get('state') : '',
      page: app.pageParam(params),
    };
    const syncUrl = () => replaceRoute('billing', {
      org_id: fixedOrg ? '' : sel.orgId, period: sel.period, run: sel.run,
      runs_period: sel.runsPeriod, state: sel.state, page: sel.page > 1 ? sel.page : '',
    });
    let orgs = new Map(); // id → organization (admin and operators)
    let following = null; // the job id followed now
    const ended = new Set(); // jobs seen ending (a run still «running» after its job is not followed again)
    let historyFields = {}; // the history filter's fields by API name (its errors go there)
    let summaryToken = 0;
    let historyToken = 0;

    // ---- the form: organization, period, «Рассчитать», «Закрыть период»
    const orgControl = fixedOrg
      ? h('output', { class: 'org-fixed', 'data-testid': 'billing-org' }, 'Загрузка…')
      : h('select', { name: 'org_id', 'data-testid': 'billing-org' }, h('option', { value: '' }, 'Загрузка…'));
    const orgField = formField('billing-org', 'Организация', orgControl);
    const periodInput = h('input', { type: 'month', name: 'period', value: sel.period, required: true, 'data-testid': 'billing-period' });
    const periodField = formField('billing-period', 'Период', periodInput);
    const fields = { org_id: orgField, period: periodField };
    const runButton = canWrite ? h('button', { type: 'submit', class: 'button', 'data-testid': 'billing-run' }, 'Рассчитать') : null;
    const closeButton = canWrite ? h('button', {
      type: 'button', class: 'button button-secondary', 'data-testid': 'billing-close', onclick: askClose,
    }, 'Закрыть период') : null;
    const message = h('div', { class: 'billing-message', 'aria-live': 'polite', 'data-testid': 'billing-message' });
    const confirmBox = h('div', { class: 'confirm-box', hidden: true, 'data-testid': 'close-confirm', role: 'group', 'aria-label': 'Подтверждение закрытия периода' });
    const progress = h('div', { class: 'run-progress', hidden: true, 'data-testid': 'run-progress' });
    const summary = h('section', { class: 'card run-summary', 'aria-live': 'polite', 'aria-busy': 'true', 'data-testid': 'run-summary', 'aria-labelledby': 'h-run-summary' });
    const historyBody = h('div', { class: 'section-body', 'aria-live': 'polite', 'aria-busy': 'true' });
    const documents = paydocFilesPanel(app, { seq, canWrite }); // «Платёжные документы» of the run's period

    const form = h('form', {
      class: 'filters billing-form', novalidate: true, 'aria-label': 'Расчёт начислений',
      onsubmit: startRun,
    }, orgField.wrap, periodField.wrap, runButton, closeButton);

    if (!fixedOrg) {
      orgControl.addEventListener('change', () => {
        sel.orgId = positiveInt(orgControl.value);
        selectionChanged();
      });
    }
    periodInput.addEventListener('change', () => {
      if (!validPeriod(periodInput.value)) return;
      sel.period = periodInput.value;
      selectionChanged();
    });

    function selectionChanged() {
      clearFields(fields);
      confirmBox.hidden = true;
      message.replaceChildren();
      if (!following) progress.hidden = true; // the bar of a finished run belongs to its period
      sel.run = null;
      sel.page = 1;
      syncUrl();
      loadSummary();
      loadHistory();
    }

    function orgLabel(id) {
      const o = orgs.get(id);
      return o ? (o.short_name || o.name) : `Организация № ${id}`;
    }

    document.body.classList.add('layout-wide');
    host.replaceChildren(h('section', { class: 'list-section billing', 'data-testid': 'section-billing', 'aria-labelledby': 'h-billing' },
      h('h2', { id: 'h-billing' }, 'Начисления'),
      h('p', { class: 'muted billing-lead' }, canWrite
        ? 'Расчёт начисляет за месяц всем открытым лицевым счетам организации по её услугам и тарифам. Повторный расчёт того же периода заменяет прежний; закрытый период не пересчитывается.'
        : 'Расчёты начислений организаций: итоги по услугам в сравнении с прошлым периодом.'),
      form,
      confirmBox,
      message,
      progress,
      summary,
      documents.el,
      h('section', { class: 'runs-history', 'aria-labelledby': 'h-runs' },
        h('h3', { id: 'h-runs' }, 'История расчётов'),
        historyFilters(),
        historyBody)));

    loadOrgs();
    loadSummary();
    loadHistory();

    async function loadOrgs() {
      try {
        if (fixedOrg) {
          const o = await api.get(`/organizations/${encodeURIComponent(fixedOrg)}`);
          orgs = new Map([[o.id, o]]);
        } else {
          orgs = new Map((await organizations(user)).map((o) => [o.id, o]));
        }
      } catch (err) {
        if (!app.current(seq)) return;
        if (err instanceof ApiError && err.status === 401) {
          app.sessionLost();
          return;
        }
        orgs = new Map();
      }
      if (!app.current(seq)) return;
      if (fixedOrg) {
        orgControl.textContent = orgLabel(fixedOrg);
        return;
      }
      fill(orgControl,
        h('option', { value: '' }, '— выберите организацию —'),
        [...orgs.values()].map((o) => h('option', { value: o.id, selected: o.id === sel.orgId }, o.short_name || o.name)));
    }

    // ---- starting a run and following its job

    async function startRun(event) {
      event.preventDefault();
      if (!canWrite || following) return;
      clearFields(fields);
      confirmBox.hidden = true;
      message.replaceChildren();
      const period = validPeriod(periodInput.value);
      if (!period) {
        periodField.set('Выберите месяц');
        periodInput.focus();
        return;
      }
      if (!sel.orgId) {
        orgField.set('Выберите организацию');
        orgControl.focus();
        return;
      }
      runButton.disabled = true;
      let answer;
      try {
        answer = await request('POST', '/billing/runs', { body: { org_id: sel.orgId, period } });
      } catch (err) {
        if (!app.current(seq)) return;
        runButton.disabled = false;
        if (err instanceof ApiError && err.status === 401) {
          app.sessionLost();
          return;
        }
        const rest = showProblem(err, fields);
        if (rest.length) message.replaceChildren(alertBox(rest.join(' '), 'billing-error'));
        return;
      }
      if (!app.current(seq)) return;
      sel.run = null;
      syncUrl();
      follow(answer.job_id, answer.job_url, period);
    }

    /** Asks GET job_url until the job ends, showing its progress; then the run's summary. */
    async function follow(jobId, jobUrl, period) {
      following = jobId;
      if (runButton) runButton.disabled = true;
      if (closeButton) closeButton.disabled = true;
      const view = jobProgress(progress, {
        prefix: 'run-progress', title: `Расчёт за ${periodName(period)}`, jobId, words: RUN_WORDS,
      });
      const { job, error, stale } = await followJob(jobId, jobUrl, {
        alive: () => app.current(seq) && following === jobId,
        onJob: view.update,
      });
      if (stale) return;
      if (error instanceof ApiError && error.status === 401) {
        app.sessionLost();
        return;
      }
      if (error) view.note(`Не удалось узнать состояние задания: ${(error && error.message) || 'ошибка'}`);
      following = null;
      ended.add(jobId);
      view.end();
      if (runButton) runButton.disabled = false;
      if (closeButton) closeButton.disabled = false;
      if (job && job.state === 'done') {
        message.replaceChildren(h('p', { class: 'notice', role: 'status', 'data-testid': 'run-done' },
          `Расчёт за ${periodName(period)} выполнен.`));
      } else if (job && job.state === 'dead') {
        message.replaceChildren(alertBox(`Расчёт за ${periodName(period)} не выполнен: ${text(job.last_error)}`, 'run-failed'));
      } else if (job && job.state === 'cancelled') {
        message.replaceChildren(alertBox(`Расчёт за ${periodName(period)} отменён; начисления периода остались прежними.`, 'run-cancelled'));
      }
      loadSummary();
      loadHistory();
    }

    // ---- closing the period

    function askClose() {
      clearFields(fields);
      message.replaceChildren();
      const period = validPeriod(periodInput.value);
      if (!period) {
        periodField.set('Выберите месяц');
        periodInput.focus();
        return;
      }
      if (!sel.orgId) {
        orgField.set('Выберите организацию');
        orgControl.focus();
        return;
      }
      const yes = h('button', { type: 'button', class: 'button button-danger', 'data-testid': 'close-yes' }, 'Да, закрыть период');
      const no = h('button', { type: 'button', class: 'button button-secondary', 'data-testid': 'close-no' }, 'Отмена');
      no.addEventListener('click', () => {
        confirmBox.hidden = true;
        closeButton.focus();
      });
      yes.addEventListener('click', () => closePeriod(sel.orgId, period, yes, no));
      confirmBox.replaceChildren(
        h('p', { 'data-testid': 'close-question' },
          `Закрыть ${periodName(period)} для «${orgLabel(sel.orgId)}»? После закрытия начисления и перерасчёты этого периода не меняются, повторный расчёт невозможен.`),
        h('div', { class: 'row-actions' }, yes, no));
      confirmBox.hidden = false;
      yes.focus();
    }

    async function closePeriod(orgId, period, yes, no) {
      yes.disabled = true;
      no.disabled = true;
      try {
        await request('POST', '/billing/periods/close', { body: { org_id: orgId, period } });
      } catch (err) {
        if (!app.current(seq)) return;
        confirmBox.hidden = true;
        if (err instanceof ApiError && err.status === 401) {
          app.sessionLost();
          return;
        }
        const rest = showProblem(err, fields);
        if (rest.length) message.replaceChildren(alertBox(rest.join(' '), 'close-error'));
        return;
      }
      if (!app.current(seq)) return;
      confirmBox.hidden = true;
      message.replaceChildren(h('p', { class: 'notice', role: 'status', 'data-testid': 'close-done' },
        `Период ${periodName(period)} закрыт: его начисления больше не меняются.`));
    }

    // ---- the summary of the latest (or the chosen) run of the organization and period

    async function loadSummary() {
      const token = ++summaryToken;
      const stale = () => !app.current(seq) || token !== summaryToken;
      summary.setAttribute('aria-busy', 'true');
      if (!sel.orgId && !sel.run) {
        documents.show({ orgId: null });
        summary.setAttribute('aria-busy', 'false');
        summary.replaceChildren(h('h3', { id: 'h-run-summary' }, 'Итоги расчёта'),
          h('p', { class: 'muted', 'data-testid': 'run-summary-empty' }, 'Выберите организацию, чтобы увидеть её расчёт за период.'));
        return;
      }
      let run = null;
      try {
        if (sel.run) {
          run = await api.get(`/billing/runs/${encodeURIComponent(sel.run)}`);
        } else {
          const latest = listOf(await api.list('/billing/runs', { org_id: sel.orgId, period: sel.period, per_page: 1 })).items[0];
          if (latest && !stale()) run = await api.get(`/billing/runs/${encodeURIComponent(latest.id)}`);
        }
      } catch (err) {
        if (stale()) return;
        failed(err, seq, summary, 'Не удалось загрузить итоги расчёта');
        return;
      }
      if (stale()) return;
      summary.setAttribute('aria-busy', 'false');
      if (!run) {
        documents.show({ orgId: sel.orgId, period: sel.period, run: null });
        summary.replaceChildren(h('h3', { id: 'h-run-summary' }, `Итоги расчёта за ${periodName(sel.period)}`),
          h('p', { class: 'empty', 'data-testid': 'run-summary-empty' }, canWrite
            ? `За ${periodName(sel.period)} расчётов ещё не было. Нажмите «Рассчитать».`
            : `За ${periodName(sel.period)} расчётов ещё не было.`));
        return;
      }
      if (sel.run && run.org_id && !fixedOrg) {
        // a run chosen from the history: the form shows its organization and period
        sel.orgId = run.org_id;
        orgControl.value = String(run.org_id);
      }
      if (sel.run && validPeriod(run.period)) {
        sel.period = run.period;
        periodInput.value = run.period;
      }
      summary.replaceChildren(summaryView(run));
      documents.show({ orgId: run.org_id || sel.orgId, period: run.period, run });
      if (run.state === 'running' && run.job_id && !following && !ended.has(run.job_id)) follow(run.job_id, null, run.period);
    }

    function summaryView(run) {
      const services = Array.isArray(run.services) ? run.services : [];
      const threshold = Number.isFinite(run.deviation_threshold_percent) ? run.deviation_threshold_percent : 10;
      const deviating = services.filter((s) => s.deviates);
      const explanation = `отклонение больше ${threshold}${NBSP}% от прошлого периода`;
      const figure = (key, label, value) => h('div', { class: 'figure', 'data-testid': `run-${key}` },
        h('span', { class: 'figure-value', 'data-testid': `run-${key}-value` }, value),
        h('span', { class: 'figure-label' }, label));
      const digest = run.digest ? h('code', { title: run.digest, 'data-testid': 'run-digest' }, run.digest.slice(0, 16)) : DASH;

      const columns = [
        ['Услуга', (s) => h('span', { class: 'address' }, text(s.name), h('span', { class: 'address-locality' }, text(s.code)))],
        ['Строк', (s) => formatCount(s.lines), 'num'],
        ['Объём', (s) => quantityText(s.quantity, s.unit), 'num nowrap'],
        ['Сумма, ₽', (s) => formatDecimal(s.amount), 'num nowrap'],
        ['Без показаний (оценка)', (s) => formatCount(s.estimated), 'num'],
        ['Прошлый период, ₽', (s) => (s.previous_amount === null || s.previous_amount === undefined ? DASH : formatDecimal(s.previous_amount)), 'num nowrap'],
        ['Изменение', (s) => h('span', { class: 'change' },
          h('span', { class: 'nowrap', 'data-testid': 'service-change' }, percentText(s.change_percent)),
          s.deviates ? h('span', { class: 'deviation', 'data-testid': 'service-deviation' }, explanation) : null), 'num'],
      ];
      const totalLines = services.reduce((n, s) => n + (Number(s.lines) || 0), 0);
      const foot = services.length ? h('tfoot', {}, h('tr', {},
        h('th', { scope: 'row' }, 'Итого по услугам'),
        h('td', { class: 'num' }, formatCount(totalLines)),
        h('td', {}),
        h('td', { class: 'num nowrap', 'data-testid': 'run-services-total' }, formatDecimal(run.charged)),
        h('td', { colspan: 3 }))) : null;

      let note;
      if (!services.length) note = null;
      else if (deviating.length) {
        note = h('p', { class: 'deviation-note', 'data-testid': 'deviation-note' },
          `Выделены услуги, у которых ${explanation}: ${deviating.map((s) => s.name).join(', ')}. Проверьте тарифы, нормативы и показания.`);
      } else if (services.some((s) => s.previous_amount !== null && s.previous_amount !== undefined)) {
        note = h('p', { class: 'muted', 'data-testid': 'deviation-note' }, `Отклонений больше ${threshold}${NBSP}% от прошлого периода нет.`);
      } else {
        note = h('p', { class: 'muted', 'data-testid': 'deviation-note' }, `За ${periodName(addMonths(run.period, -1))} расчёта нет: сравнивать не с чем.`);
      }

      return h('div', { 'data-run-id': run.id, 'data-state': run.state, 'data-period': run.period },
        h('div', { class: 'run-summary-head' },
          h('h3', { id: 'h-run-summary', 'data-testid': 'run-summary-title' },
            `Расчёт № ${run.id}: ${text(run.org_name)}, ${periodName(run.period)}`),
          stateBadge(run.state, 'run-state')),
        run.state === 'failed' ? alertBox(`Расчёт завершился ошибкой: ${text(run.error)}. Начисления периода остались прежними.`, 'run-error') : null,
        run.state === 'running' ? h('p', { class: 'muted' }, 'Расчёт ещё выполняется: итоги появятся, когда он завершится.') : null,
        h('div', { class: 'figures run-figures' },
          figure('accounts', 'лицевых счетов рассчитано', formatCount(run.accounts)),
          figure('lines', 'строк в документах', formatCount(run.lines)),
          figure('charged', 'начислено', rub(run.charged))),
        details([
          ['Начат', formatDateTime(run.started_at), 'run-started'],
          ['Завершён', run.finished_at ? formatDateTime(run.finished_at) : DASH, 'run-finished'],
          ['Задание', run.job_id ? `№ ${run.job_id}` : 'из командной строки', 'run-job'],
          ['Контрольная сумма', digest, null],
        ], 'run-details', 'details-compact run-details'),
        services.length ? [
          h('h4', {}, 'По услугам'),
          table(columns, services, {
            testid: 'run-services',
            row: (s) => ({
              'data-testid': `run-service-${s.service_id}`,
              'data-deviates': s.deviates ? 'true' : 'false',
              class: s.deviates ? 'row-deviates' : null,
            }),
            foot,
          }),
          note,
        ] : (run.state === 'done'
          ? h('p', { class: 'empty', 'data-testid': 'run-services-empty' }, 'Ни одной строки: у организации нет услуг с тарифом на этот период или нет открытых лицевых счетов.')
          : null));
    }

    // ---- the history of runs

    function historyFilters() {
      const periodFilter = h('input', { type: 'month', name: 'runs_period', value: sel.runsPeriod, 'data-testid': 'runs-filter-period' });
      const stateFilter = h('select', { name: 'state', 'data-testid': 'runs-filter-state' },
        [['', 'Все состояния'], ...Object.entries(RUN_STATES).map(([k, v]) => [k, sentence(v)])]
          .map(([v, label]) => h('option', { value: v, selected: v === sel.state }, label)));
      const periodF = formField('runs-filter-period', 'Период', periodFilter);
      const stateF = formField('runs-filter-state', 'Состояние', stateFilter);
      const reset = h('button', { type: 'button', class: 'button button-secondary', 'data-testid': 'runs-filter-reset' }, 'Сбросить');
      const apply = () => {
        periodF.clear();
        sel.runsPeriod = validPeriod(periodFilter.value) || '';
        sel.state = stateFilter.value;
        sel.page = 1;
        syncUrl();
        loadHistory();
      };
      stateFilter.addEventListener('change', apply);
      reset.addEventListener('click', () => {
        periodFilter.value = '';
        stateFilter.value = '';
        apply();
      });
      historyFields = { period: periodF, state: stateF };
      return h('form', {
        class: 'filters', role: 'search', 'aria-label': 'Отбор расчётов', novalidate: true,
        onsubmit: (event) => {
          event.preventDefault();
          apply();
        },
      }, periodF.wrap, stateF.wrap,
      h('button', { type: 'submit', class: 'button', 'data-testid': 'runs-filter-submit' }, 'Показать'),
      reset);
    }

    async function loadHistory() {
      const token = ++historyToken;
      const stale = () => !app.current(seq) || token !== historyToken;
      historyBody.setAttribute('aria-busy', 'true');
      let data;
      try {
        data = await api.list('/billing/runs', {
          org_id: sel.orgId, period: sel.runsPeriod, state: sel.state, page: sel.page, per_page: PER_PAGE,
        });
      } catch (err) {
        if (stale()) return;
        if (err instanceof ApiError && err.status === 422) {
          historyBody.setAttribute('aria-busy', 'false');
          const rest = showProblem(err, historyFields);
          fill(historyBody, rest.length ? alertBox(rest.join(' '), 'runs-error') : null);
          return;
        }
        failed(err, seq, historyBody, 'Не удалось загрузить историю расчётов', 'runs-error');
        return;
      }
      if (stale()) return;
      const list = listOf(data);
      const show = (run) => {
        sel.run = run.id;
        sel.orgId = fixedOrg ?? run.org_id;
        sel.period = run.period;
        periodInput.value = run.period;
        if (!fixedOrg) orgControl.value = String(run.org_id);
        clearFields(fields);
        message.replaceChildren();
        if (!following) progress.hidden = true;
        syncUrl();
        loadSummary();
        summary.scrollIntoView({ block: 'start', behavior: 'smooth' });
      };
      const columns = [
        ['№', (r) => h('button', {
          type: 'button', class: 'link-button', 'data-testid': `run-open-${r.id}`,
          'aria-label': `Итоги расчёта № ${r.id}`, onclick: () => show(r),
        }, String(r.id)), 'num'],
        fixedOrg ? null : ['Организация', (r) => text(r.org_name)],
        ['Период', (r) => periodName(r.period), 'nowrap'],
        ['Состояние', (r) => stateBadge(r.state, `run-state-${r.id}`)],
        ['Лицевых счетов', (r) => formatCount(r.accounts), 'num'],
        ['Строк', (r) => formatCount(r.lines), 'num'],
        ['Начислено, ₽', (r) => formatDecimal(r.charged), 'num nowrap'],
        ['Начат', (r) => formatDateTime(r.started_at), 'nowrap'],
        ['Контрольная сумма', (r) => (r.digest ? h('code', { title: r.digest }, r.digest.slice(0, 12)) : DASH)],
        ['Ошибка', (r) => (r.error ? h('span', { class: 'text-danger' }, r.error) : DASH)],
      ].filter(Boolean);
      const filtered = sel.runsPeriod || sel.state;
      historyBody.setAttribute('aria-busy', 'false');
      historyBody.replaceChildren(
        list.items.length
          ? table(columns, list.items, {
            testid: 'runs-table',
            row: (r) => ({
              'data-testid': `run-row-${r.id}`, 'data-state': r.state, class: `clickable${r.id === sel.run ? ' row-selected' : ''}`,
              onclick: (event) => {
                if (!event.target.closest('button')) show(r);
              },
            }),
          })
          : h('p', { class: 'empty', 'data-testid': 'runs-empty' }, filtered ? 'Расчётов по этим условиям нет' : 'Расчётов ещё не было'),
        pager(list.page, list.perPage, list.total, (p) => {
          sel.page = p;
          syncUrl();
          loadHistory();
        }));
    }
  }

  // ------------------------------------------------ the account card

  /** The account's registry row: a resident's own list is short; staff find it by its house. */
  async function findAccount(id) {
    try {
      return await api.get(`/accounts/${encodeURIComponent(id)}`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) throw err;
      return null;
    }
  }

  async function renderAccount({ route, host, seq, user }) {
    const id = positiveInt(route.rest[0]);
    const params = route.params;
    const sel = {
      period: validPeriod(params.get('period')),
      page: app.pageParam(params),
      house: positiveInt(params.get('house')),
    };
    const resident = user.role === 'resident';
    const canWrite = WRITE_ROLES.includes(user.role);
    const back = backLink(resident);
    const wrap = h('section', { class: 'house-card account-card', 'data-testid': 'account-card', 'aria-busy': 'true' },
      back, h('p', { class: 'loading', role: 'status' }, 'Загрузка…'));
    host.replaceChildren(wrap);
    if (!id) {
      wrap.setAttribute('aria-busy', 'false');
      wrap.replaceChildren(back, alertBox('Лицевой счёт не найден', 'billing-error'));
      return;
    }
    const syncUrl = () => replaceRoute(`account/${id}`, {
      house: sel.house, period: sel.period, page: sel.page > 1 ? sel.page : '',
    });

    let first;
    let account;
    try {
      [first, account] = await Promise.all([
        api.list(`/accounts/${id}/statements`, { page: sel.page, per_page: STATEMENTS_PER_PAGE }),
        findAccount(id),
      ]);
    } catch (err) {
      const missing = err instanceof ApiError && err.status === 404;
      failed(missing ? new ApiError(404, 'Лицевой счёт не найден или недоступен вам') : err, seq, wrap, 'Не удалось загрузить лицевой счёт');
      if (app.current(seq)) wrap.prepend(backLink(resident));
      return;
    }
    if (!app.current(seq)) return;
    let house = null;
    if (account && account.house_id) {
      try {
        house = await api.get(`/houses/${encodeURIComponent(account.house_id)}`);
      } catch {
        house = null; // the address is a courtesy: the card works without it
      }
      if (!app.current(seq)) return;
    }
    if (!resident) document.body.classList.add('layout-wide');
    const number = account ? account.number : null;
    document.title = `Лицевой счёт ${number ? `№ ${number}` : id} — Управдом`;

    const statementsHost = h('div', { 'aria-live': 'polite', 'data-testid': 'account-statements' });
    const documentHost = h('section', { class: 'card', 'aria-live': 'polite', 'data-testid': 'account-document', 'aria-labelledby': 'h-document' });
    const correctionsHost = h('div', { 'aria-live': 'polite', 'data-testid': 'account-corrections' });
    const correctionForm = h('div', { 'data-testid': 'correction-form-host' });
    const paymentsHost = h('div', { 'aria-live': 'polite', 'data-testid': 'account-payments' });
    let shown = null; // the statement shown with its lines
    let correctionsPage = 1;
    let documentToken = 0;

    wrap.setAttribute('aria-busy', 'false');
    wrap.replaceChildren();
    appendChildren(wrap, [
      back,
      h('div', { class: 'house-head' },
        h('div', {},
          h('h2', { 'data-testid': 'account-title', tabindex: '-1' }, number ? `Лицевой счёт № ${number}` : `Лицевой счёт (код ${id})`),
          house ? h('p', { class: 'muted', 'data-testid': 'account-address' }, house.address) : null),
        account && account.org_name ? h('div', { class: 'badges' }, h('span', { class: 'badge', 'data-testid': 'account-org' }, account.org_name)) : null),
      account ? h('div', { class: 'card' },
        h('h3', {}, 'Сведения о счёте'),
        details([
          ['ЕЛС', account.els, 'account-f-els'],
          ['Поставщик услуг', account.org_name, 'account-f-org'],
          ['Плательщик', account.payer_name, 'account-f-payer'],
          ['Зарегистрировано', account.residents, 'account-f-residents'],
          ['Открыт', account.opened_on ? formatDate(account.opened_on) : null, 'account-f-opened'],
          account.closed_on ? ['Закрыт', formatDate(account.closed_on), 'account-f-closed'] : null,
        ].filter(Boolean), 'account-details', 'details-wide')) : null,
      h('section', { class: 'card', 'aria-labelledby': 'h-statements' },
        h('h3', { id: 'h-statements' }, 'Начисления по периодам'),
        statementsHost),
      documentHost,
      h('section', { class: 'card', 'aria-labelledby': 'h-corrections' },
        h('h3', { id: 'h-corrections' }, 'Перерасчёты'),
        correctionsHost,
        canWrite ? correctionForm : null),
      h('section', { class: 'card', 'aria-labelledby': 'h-payments' },
        h('h3', { id: 'h-payments' }, 'Платежи'),
        paymentsHost),
    ]);

    showStatements(first);
    loadCorrections();
    loadPayments();

    // ---- statements

    function showStatements(data) {
      const list = listOf(data);
      if (!sel.period && list.items.length) sel.period = list.items[0].period;
      if (!list.items.length) {
        statementsHost.replaceChildren(h('p', { class: 'empty', 'data-testid': 'statements-empty' },
          'Начислений по этому счёту ещё не было'));
        documentHost.hidden = true;
        renderCorrectionForm(null);
        return;
      }
      const columns = [
        ['Период', (s) => h('button', {
          type: 'button', class: 'link-button', 'data-testid': `statement-open-${s.period}`,
          'aria-pressed': s.period === sel.period ? 'true' : 'false',
          onclick: () => selectPeriod(s.period),
        }, periodName(s.period)), 'nowrap'],
        ['Входящее сальдо', (s) => formatDecimal(s.opening), 'num nowrap'],
        ['Начислено', (s) => formatDecimal(s.charged), 'num nowrap'],
        ['Перерасчёт', (s) => formatDecimal(s.corrected), 'num nowrap'],
        ['Пени', (s) => formatDecimal(s.penalty), 'num nowrap'],
        ['Кешбэк', (s) => formatDecimal(s.cashback), 'num nowrap'],
        ['Оплачено', (s) => formatDecimal(s.paid), 'num nowrap'],
        ['Исходящее сальдо', (s) => formatDecimal(s.closing), 'num nowrap'],
        ['Оплатить до', (s) => formatDate(s.due_on), 'nowrap'],
      ];
      statementsHost.replaceChildren(
        h('p', { class: 'muted table-note' }, 'Суммы в рублях. Выберите период, чтобы увидеть строки его платёжного документа.'),
        table(columns, list.items, {
          testid: 'statements-table',
          row: (s) => ({
            'data-testid': `statement-row-${s.period}`, class: `clickable${s.period === sel.period ? ' row-selected' : ''}`,
            onclick: (event) => {
              if (!event.target.closest('button')) selectPeriod(s.period);
            },
          }),
        }),
        pager(list.page, list.perPage, list.total, (p) => loadStatements(p)));
      loadDocument();
    }

    async function loadStatements(page) {
      statementsHost.setAttribute('aria-busy', 'true');
      let data;
      try {
        data = await api.list(`/accounts/${id}/statements`, { page, per_page: STATEMENTS_PER_PAGE });
      } catch (err) {
        failed(err, seq, statementsHost, 'Не удалось загрузить начисления');
        return;
      }
      if (!app.current(seq)) return;
      statementsHost.setAttribute('aria-busy', 'false');
      sel.page = page;
      syncUrl();
      showStatements(data);
    }

    function selectPeriod(period) {
      sel.period = period;
      syncUrl();
      for (const row of statementsHost.querySelectorAll('tbody tr')) {
        const on = row.dataset.testid === `statement-row-${period}`;
        row.classList.toggle('row-selected', on);
        const b = row.querySelector('button');
        if (b) b.setAttribute('aria-pressed', on ? 'true' : 'false');
      }
      loadDocument();
    }

    // ---- one statement: the payment document's data

    async function loadDocument() {
      const token = ++documentToken;
      const period = sel.period;
      documentHost.hidden = false;
      documentHost.setAttribute('aria-busy', 'true');
      documentHost.replaceChildren(h('h3', { id: 'h-document' }, `Платёжный документ за ${periodName(period)}`),
        h('p', { class: 'loading', role: 'status' }, 'Загрузка…'));
      let st;
      try {
        st = await api.get(`/accounts/${id}/statement?${new URLSearchParams({ period })}`);
      } catch (err) {
        if (token !== documentToken) return;
        failed(err, seq, documentHost, 'Не удалось загрузить документ');
        return;
      }
      if (!app.current(seq) || token !== documentToken) return;
      shown = st;
      const lines = Array.isArray(st.lines) ? st.lines : [];
      documentHost.setAttribute('aria-busy', 'false');
      documentHost.dataset.period = period;
      documentHost.replaceChildren(
        h('h3', { id: 'h-document', 'data-testid': 'document-title' }, `Платёжный документ за ${periodName(period)}`),
        documentLinks(id, period, 'statement'),
        lines.length ? linesTable(lines, 'statement-lines')
          : h('p', { class: 'empty', 'data-testid': 'statement-lines-empty' }, 'Строк в документе нет'),
        statementTotals(st, 'document-totals'));
      renderCorrectionForm(st);
    }

    // ---- corrections

    async function loadCorrections() {
      let data;
      try {
        data = await api.list(`/accounts/${id}/corrections`, { page: correctionsPage, per_page: PER_PAGE });
      } catch (err) {
        failed(err, seq, correctionsHost, 'Не удалось загрузить перерасчёты');
        return;
      }
      if (!app.current(seq)) return;
      const list = listOf(data);
      fill(correctionsHost,
        list.items.length
          ? table([
            ['Добавлен', (k) => formatDateTime(k.created_at), 'nowrap'],
            ['Услуга', (k) => text(k.service)],
            ['За период', (k) => periodName(k.period), 'nowrap'],
            ['В документе за', (k) => periodName(k.apply_period), 'nowrap'],
            ['Сумма, ₽', (k) => formatDecimal(k.amount), 'num nowrap'],
            ['Основание', (k) => text(k.reason)],
          ], list.items, { testid: 'corrections-table', row: (k) => ({ 'data-testid': `correction-${k.id}` }) })
          : h('p', { class: 'muted', 'data-testid': 'corrections-empty' }, 'Перерасчётов не было'),
        list.total > list.perPage ? pager(list.page, list.perPage, list.total, (p) => {
          correctionsPage = p;
          loadCorrections();
        }) : null);
    }

    /** The staff's form: a correction of a past period shown on a later document. */
    function renderCorrectionForm(st) {
      if (!canWrite) return;
      const services = new Map();
      for (const l of (st && st.lines) || []) {
        if (l.kind === 'charge' && l.service_id && !services.has(l.service_id)) services.set(l.service_id, l.service);
      }
      if (!services.size) {
        correctionForm.replaceChildren(h('p', { class: 'muted', 'data-testid': 'correction-no-services' },
          'Чтобы добавить перерасчёт, выберите период, в документе которого есть услуги.'));
        return;
      }
      const period = st.period;
      const serviceF = formField('correction-service', 'Услуга', h('select', { name: 'service_id' },
        [...services].map(([sid, name]) => h('option', { value: sid }, text(name)))));
      const periodF = formField('correction-period', 'За период', h('input', { type: 'month', name: 'period', value: period, required: true }));
      const applyF = formField('correction-apply', 'Показать в документе за',
        h('input', { type: 'month', name: 'apply_period', value: thisMonth() > period ? thisMonth() : addMonths(period, 1), required: true }));
      const amountF = formField('correction-amount', 'Сумма, ₽', h('input', {
        type: 'text', name: 'amount', inputmode: 'decimal', autocomplete: 'off', size: 12, required: true,
        placeholder: '-150,00',
      }));
      const reasonF = formField('correction-reason', 'Основание', h('input', { type: 'text', name: 'reason', size: 40, maxlength: 500, required: true }));
      const fields = { service_id: serviceF, period: periodF, apply_period: applyF, amount: amountF, reason: reasonF };
      const submit = h('button', { type: 'submit', class: 'button', 'data-testid': 'correction-submit' }, 'Добавить перерасчёт');
      const result = h('div', { 'aria-live': 'polite', 'data-testid': 'correction-result' });
      for (const f of Object.values(fields)) f.control.addEventListener('input', () => f.clear());

      async function send(event) {
        event.preventDefault();
        clearFields(fields);
        result.replaceChildren();
        const body = {
          account_id: id,
          service_id: Number(serviceF.control.value),
          period: periodF.control.value,
          apply_period: applyF.control.value,
          amount: amountF.control.value.trim().replace(/\u2212/g, '-').replace(/[\s\u00a0]/g, ''),
          reason: reasonF.control.value.trim(),
        };
        submit.disabled = true;
        let k;
        try {
          k = await request('POST', '/corrections', { body });
        } catch (err) {
          submit.disabled = false;
          if (err instanceof ApiError && err.status === 401) {
            app.sessionLost();
            return;
          }
          const rest = showProblem(err, fields);
          if (rest.length) result.replaceChildren(alertBox(rest.join(' '), 'correction-error'));
          return;
        }
        submit.disabled = false;
        amountF.control.value = '';
        reasonF.control.value = '';
        result.replaceChildren(h('p', { class: 'notice', role: 'status', 'data-testid': 'correction-added' },
          `Перерасчёт ${rub(k.amount)} за ${periodName(k.period)} добавлен: он войдёт в документ за ${periodName(k.apply_period)} при его расчёте.`));
        correctionsPage = 1;
        loadCorrections();
      }

      correctionForm.replaceChildren(h('details', { class: 'import-panel correction-panel', 'data-testid': 'correction-panel' },
        h('summary', { 'data-testid': 'correction-toggle' }, 'Добавить перерасчёт'),
        h('form', { class: 'filters correction-form', novalidate: true, 'aria-label': 'Перерасчёт', onsubmit: send },
          serviceF.wrap, periodF.wrap, applyF.wrap, amountF.wrap, reasonF.wrap, submit),
        h('p', { class: 'muted import-hint' }, 'Сумма в рублях, со знаком минус — уменьшение начисления. Закрытый период не меняется: перерасчёт появляется отдельной строкой в документе более позднего открытого периода.'),
        result));
    }

    // ---- payments (GET /api/v1/payments?account_id=; the route comes with the payments module)

    async function loadPayments() {
      let data;
      try {
        data = await api.list('/payments', { account_id: id, per_page: PER_PAGE });
      } catch (err) {
        if (!app.current(seq)) return;
        const detail = err instanceof ApiError && err.problem ? String(err.problem.detail || '') : '';
        if (err instanceof ApiError && err.status === 404 && (!detail || /нет такого адреса/.test(detail))) {
          paymentsHost.replaceChildren(h('p', { class: 'muted', 'data-testid': 'payments-pending' },
            'Платежи появятся после подключения модуля платежей'));
          return;
        }
        failed(err, seq, paymentsHost, 'Не удалось загрузить платежи', 'payments-error');
        return;
      }
      if (!app.current(seq)) return;
      const list = listOf(data);
      fill(paymentsHost, list.items.length
        ? [table([
          ['Дата', (p) => formatDate(p.paid_on), 'nowrap'],
          ['Вид', (p) => PAYMENT_KINDS[p.kind] || text(p.kind)],
          ['Сумма, ₽', (p) => `${p.kind === 'payment' ? '' : '−'}${formatDecimal(p.amount)}`, 'num nowrap'],
          ['За период', (p) => (p.period ? periodName(p.period) : 'погашение долга'), 'nowrap'],
          ['Канал', (p) => CHANNELS[p.channel] || text(p.channel)],
          ['Идентификатор платежа', (p) => h('span', { class: 'muted-cell' }, text(p.ext_id))],
        ], list.items, { testid: 'payments-table', row: (p) => ({ 'data-testid': `payment-${p.id}`, 'data-kind': p.kind }) }),
        list.total > list.items.length ? h('p', { class: 'muted' }, `Показаны последние ${list.items.length} из ${list.total}`) : null]
        : h('p', { class: 'muted', 'data-testid': 'payments-empty' }, 'Платежей не было'));
    }
  }

  function backLink(resident) {
    const from = previousHash && !previousHash.startsWith('#/account/') ? previousHash : '';
    let label = '← Назад';
    let href = from;
    if (!from) {
      href = app.routeHref(resident ? 'bills' : 'billing');
      label = resident ? '← К моим счетам' : '← К начислениям';
    } else if (from.startsWith('#/house/')) label = '← К карточке дома';
    else if (from.startsWith('#/bills')) label = '← К моим счетам';
    else if (from.startsWith('#/billing')) label = '← К начислениям';
    return h('a', { class: 'back-link', href, 'data-testid': 'account-back' }, label);
  }

  // ------------------------------------------------ residents: «Мои счета»

  function renderBills(ctx) {
    if (ctx.route.section === 'document') {
      renderDocument({ ...ctx, app });
      return;
    }
    if (ctx.route.section === 'account') {
      renderAccount(ctx);
      return;
    }
    renderMyBills(ctx);
  }

  async function renderMyBills({ host, seq }) {
    const body = h('section', { class: 'list-section', 'data-testid': 'section-bills', 'aria-busy': 'true', 'aria-labelledby': 'h-bills' },
      h('h2', { id: 'h-bills' }, 'Мои счета'),
      h('p', { class: 'loading', role: 'status' }, 'Загрузка…'));
    host.replaceChildren(body);
    let data;
    try {
      data = await api.list('/accounts', { per_page: 100 });
    } catch (err) {
      failed(err, seq, body, 'Не удалось загрузить лицевые счета');
      return;
    }
    if (!app.current(seq)) return;
    const accounts = listOf(data).items.sort((a, b) => Number(Boolean(a.closed_on)) - Number(Boolean(b.closed_on)) || a.id - b.id);
    body.setAttribute('aria-busy', 'false');
    body.replaceChildren(h('h2', { id: 'h-bills' }, 'Мои счета'));
    if (!accounts.length) {
      body.append(h('p', { class: 'empty', 'data-testid': 'empty-state' },
        'К вашей учётной записи не привязано ни одного лицевого счёта. Обратитесь в управляющую организацию.'));
      return;
    }
    body.append(h('p', { class: 'muted bills-lead' },
      'По каждому лицевому счёту — сумма к оплате, строки последнего платёжного документа и баланс по месяцам.'));
    const houses = new Map(); // house id → its address (one request per house)
    for (const a of accounts) {
      const card = h('article', { class: 'card bill-account', 'data-testid': `bill-account-${a.id}`, 'aria-busy': 'true', 'aria-labelledby': `h-bill-${a.id}` },
        h('h3', { id: `h-bill-${a.id}` }, `Лицевой счёт № ${text(a.number)}`),
        h('p', { class: 'loading', role: 'status' }, 'Загрузка…'));
      body.append(card);
      if (a.house_id && !houses.has(a.house_id)) {
        houses.set(a.house_id, api.get(`/houses/${encodeURIComponent(a.house_id)}`).then((x) => x.address).catch(() => null));
      }
      fillAccount(card, a, a.house_id ? houses.get(a.house_id) : Promise.resolve(null), seq);
    }
  }

  async function fillAccount(card, a, addressPromise, seq) {
    let statements;
    let latest = null;
    let address;
    try {
      [statements, address] = await Promise.all([
        api.list(`/accounts/${a.id}/statements`, { per_page: CHART_PERIODS }),
        addressPromise,
      ]);
      const first = listOf(statements).items[0];
      if (first) latest = await api.get(`/accounts/${a.id}/statement?${new URLSearchParams({ period: first.period })}`);
    } catch (err) {
      failed(err, seq, card, 'Не удалось загрузить начисления по счёту');
      if (app.current(seq)) card.prepend(h('h3', {}, `Лицевой счёт № ${text(a.number)}`));
      return;
    }
    if (!app.current(seq)) return;
    const items = listOf(statements).items;
    const head = [
      h('div', { class: 'bill-head' },
        h('h3', { id: `h-bill-${a.id}` }, `Лицевой счёт № ${text(a.number)}`),
        h('a', { class: 'row-link', href: app.routeHref(`account/${a.id}`), 'data-testid': `bill-open-${a.id}` }, 'Все начисления, перерасчёты и платежи →')),
      h('p', { class: 'muted' }, [text(a.org_name), address ? splitAddress(address)[0] : null, a.closed_on ? `закрыт ${formatDate(a.closed_on)}` : null]
        .filter(Boolean).join(' · ')),
    ];
    card.setAttribute('aria-busy', 'false');
    if (!items.length || !latest) {
      card.replaceChildren(...head, h('p', { class: 'empty', 'data-testid': `bill-empty-${a.id}` }, 'Начислений по этому счёту пока нет'));
      return;
    }
    const points = [...items].reverse(); // oldest first
    const lines = Array.isArray(latest.lines) ? latest.lines : [];
    card.replaceChildren(
      ...head,
      h('div', { class: 'bill-due', 'data-testid': `bill-due-${a.id}` },
        h('span', { class: 'bill-due-period' }, `Документ за ${periodName(latest.period)}`),
        dueLine(latest, kopecks(latest.closing), `bill-total-${a.id}`)),
      documentLinks(a.id, latest.period, `bill-${a.id}`),
      h('div', { class: 'bill-layout' },
        h('section', { class: 'bill-chart', 'aria-labelledby': `h-chart-${a.id}` },
          h('h4', { id: `h-chart-${a.id}` }, 'Баланс на конец месяца'),
          balanceChart(points, { id: `balance-chart-${a.id}`, title: `История баланса лицевого счёта № ${text(a.number)}` }),
          h('ul', { class: 'legend', 'aria-hidden': 'true' },
            h('li', {}, h('span', { class: 'swatch swatch-debt' }), 'долг'),
            h('li', {}, h('span', { class: 'swatch swatch-credit' }), 'переплата'))),
        h('section', { class: 'bill-table', 'aria-label': 'Баланс по месяцам, таблица' },
          balanceTable(items, `balance-table-${a.id}`))),
      h('h4', {}, `Строки документа за ${periodName(latest.period)}`),
      lines.length ? linesTable(lines, `bill-lines-${a.id}`, { compact: true })
        : h('p', { class: 'muted' }, 'Строк в документе нет'));
  }

  return {
    billing: { label: 'Начисления', render: renderBilling, aliases: ['account', 'document'] },
    bills: { label: 'Мои счета', render: renderBills, aliases: ['account', 'document'] },
  };
}
