// «Платёжные документы» on the staff's «Начисления» page (docs/paydoc.md "Files in the browser and
// over the API"): under the run of an organization and period, «Сформировать документы» queues the
// render (POST /api/v1/paydoc/renders) and follows its job with a progress bar (web/job_progress.js,
// as the billing run); the rendered files of that organization and period are listed — the print
// batches street by street with their pages, size, date and a download link, then the count of
// single documents with a switch to list them — page by page (GET /api/v1/paydoc/files).
// Server data goes into the page as text only (see dom.js).
import { api, ApiError, request } from './api.js';
import { h, text, alertBox, pager, formatCount, formatDateTime } from './dom.js';
import { periodName } from './meters.js';
import { followJob, jobProgress } from './job_progress.js';

const PER_PAGE = 20;
const NBSP = '\u00a0';
// What the render's progress counts.
const RENDER_WORDS = {
  unit: 'документов', counted: 'Сформировано', started: 'Формирование начато…',
  dead: 'Документы не сформированы', cancelled: 'Формирование отменено',
};

/** Bytes for people: 812 Б, 448 КБ, 1,2 МБ. */
export function fileSize(bytes) {
  const n = Number(bytes);
  if (!Number.isFinite(n) || n < 0) return text(bytes);
  if (n < 1024) return `${n}${NBSP}Б`;
  if (n < 1024 * 1024) return `${formatCount(Math.round(n / 1024))}${NBSP}КБ`;
  return `${(n / (1024 * 1024)).toFixed(1).replace('.', ',')}${NBSP}МБ`;
}

/** The download address of a file (built from its id, never taken from the server as is). */
export function fileUrl(id) {
  return `/api/v1/paydoc/files/${encodeURIComponent(id)}`;
}

/** The account id of a single document's file name ("2026-10/single/3/123.pdf" → "123"). */
function accountOf(name) {
  const m = /\/(\d+)\.pdf$/.exec(String(name || ''));
  return m ? m[1] : null;
}

/**
 * The section. `app` as for billingSections (current, sessionLost, routeHref); seq: the page's
 * render; canWrite: the user may render (billing.write). Returns {el, show({orgId, period, run})}:
 * show() after the page's run is shown (run null: the period has none).
 */
export function paydocFilesPanel(app, { seq, canWrite }) {
  const sel = { orgId: null, period: null, run: null, kind: 'batch', q: '', page: 1 };
  let following = null; // the render job followed now
  let loadToken = 0;
  const resumed = new Set(); // org|period whose running render was looked for

  const button = canWrite ? h('button', {
    type: 'button', class: 'button', 'data-testid': 'paydoc-render', onclick: start,
  }, 'Сформировать документы') : null;
  const lead = h('p', { class: 'muted', 'data-testid': 'paydoc-lead' });
  const message = h('div', { class: 'billing-message', 'aria-live': 'polite', 'data-testid': 'paydoc-message' });
  const progress = h('div', { class: 'run-progress', hidden: true, 'data-testid': 'paydoc-progress' });
  const qInput = h('input', {
    type: 'search', id: 'paydoc-q', name: 'q', size: 28, autocomplete: 'off', 'data-testid': 'paydoc-q',
  });
  const qLabel = h('label', { for: 'paydoc-q' }, 'Улица');
  const searchForm = h('form', {
    class: 'filters', role: 'search', 'aria-label': 'Поиск платёжных документов', novalidate: true,
    onsubmit: (event) => {
      event.preventDefault();
      sel.q = qInput.value.trim();
      sel.page = 1;
      load();
    },
  }, h('div', { class: 'field field-inline' }, qLabel, qInput),
  h('button', { type: 'submit', class: 'button button-secondary', 'data-testid': 'paydoc-search' }, 'Найти'));
  const body = h('div', { class: 'section-body', 'aria-live': 'polite', 'aria-busy': 'false', 'data-testid': 'paydoc-files' });
  const el = h('section', { class: 'card paydoc-files', hidden: true, 'aria-labelledby': 'h-paydoc-files', 'data-testid': 'paydoc-section' },
    h('div', { class: 'run-summary-head' }, h('h3', { id: 'h-paydoc-files' }, 'Платёжные документы'), button),
    lead, message, progress, searchForm, body);

  const ready = () => Boolean(sel.run && sel.run.state === 'done');

  function show({ orgId, period, run }) {
    if (!orgId || !period) {
      el.hidden = true;
      return;
    }
    const changed = orgId !== sel.orgId || period !== sel.period;
    Object.assign(sel, { orgId, period, run });
    if (changed) {
      Object.assign(sel, { kind: 'batch', q: '', page: 1 });
      qInput.value = '';
      message.replaceChildren();
      if (!following) progress.hidden = true; // the bar of a finished render belongs to its period
    }
    el.hidden = false;
    lead.textContent = ready()
      ? `Пачки для печати по маршруту доставки (улица за улицей) и отдельный PDF каждого лицевого счёта для электронной рассылки за ${periodName(period)}. Повторное формирование переписывает только изменившиеся документы.`
      : (sel.run && sel.run.state === 'running'
        ? 'Документы можно будет сформировать, когда расчёт завершится.'
        : `Документы формируются по выполненному расчёту: за ${periodName(period)} его нет.`);
    if (button) button.disabled = Boolean(following) || !ready();
    load();
    if (changed) resume(orgId, period);
  }

  // ---- the render job

  async function start() {
    if (!canWrite || following || !ready()) return;
    message.replaceChildren();
    const { orgId, period } = sel;
    button.disabled = true;
    let answer;
    try {
      answer = await request('POST', '/paydoc/renders', { body: { org_id: orgId, period } });
    } catch (err) {
      if (!app.current(seq)) return;
      button.disabled = !ready();
      if (err instanceof ApiError && err.status === 401) {
        app.sessionLost();
        return;
      }
      const errors = err instanceof ApiError && err.problem && Array.isArray(err.problem.errors) ? err.problem.errors : [];
      message.replaceChildren(alertBox(errors.length ? errors.map((e) => e.message).join('; ') : err.message, 'paydoc-error'));
      return;
    }
    if (!app.current(seq)) return;
    follow(answer.job_id, answer.job_url, period);
  }

  async function follow(jobId, jobUrl, period) {
    following = jobId;
    if (button) button.disabled = true;
    const view = jobProgress(progress, {
      prefix: 'paydoc-progress', title: `Документы за ${periodName(period)}`, jobId, words: RENDER_WORDS,
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
    view.end();
    if (button) button.disabled = !ready();
    const total = job && job.progress && Number.isFinite(job.progress.total) ? job.progress.total : null;
    if (job && job.state === 'done') {
      message.replaceChildren(h('p', { class: 'notice', role: 'status', 'data-testid': 'paydoc-done' },
        total !== null
          ? `Документы за ${periodName(period)} сформированы: ${formatCount(total)}.`
          : `Документы за ${periodName(period)} сформированы.`));
    } else if (job && job.state === 'dead') {
      message.replaceChildren(alertBox(`Документы за ${periodName(period)} не сформированы: ${text(job.last_error)}`, 'paydoc-failed'));
    } else if (job && job.state === 'cancelled') {
      message.replaceChildren(alertBox(`Формирование документов за ${periodName(period)} отменено; уже записанные файлы остались.`, 'paydoc-cancelled'));
    }
    sel.page = 1;
    load();
  }

  /** A render of this organization and period still queued or running (a reload of the page): follow it. */
  async function resume(orgId, period) {
    const key = `${orgId}|${period}`;
    if (following || resumed.has(key)) return;
    resumed.add(key);
    let jobs = [];
    try {
      for (const state of ['running', 'queued']) {
        const data = await api.list('/jobs', { kind: 'paydoc.render', state, per_page: 100 });
        jobs = jobs.concat(Array.isArray(data && data.items) ? data.items : []);
      }
    } catch {
      return; // nothing to resume is not worth an error on the page
    }
    if (!app.current(seq) || following || sel.orgId !== orgId || sel.period !== period) return;
    const job = jobs.find((j) => j.org_id === orgId && j.payload && j.payload.period === period);
    if (job) follow(job.id, null, period);
  }

  // ---- the files

  async function load() {
    const token = ++loadToken;
    const stale = () => !app.current(seq) || token !== loadToken;
    const { orgId, period, kind, q, page } = sel;
    body.setAttribute('aria-busy', 'true');
    let list;
    let singles = null;
    try {
      [list, singles] = await Promise.all([
        api.list('/paydoc/files', { org_id: orgId, period, kind, q, page, per_page: PER_PAGE }),
        kind === 'batch' ? api.list('/paydoc/files', { org_id: orgId, period, kind: 'single', per_page: 1 }) : null,
      ]);
    } catch (err) {
      if (stale()) return;
      if (err instanceof ApiError && err.status === 401) {
        app.sessionLost();
        return;
      }
      body.setAttribute('aria-busy', 'false');
      body.replaceChildren(alertBox(err.message || 'Не удалось загрузить список документов', 'paydoc-files-error'));
      return;
    }
    if (stale()) return;
    body.setAttribute('aria-busy', 'false');
    const items = Array.isArray(list && list.items) ? list.items : [];
    const total = Number.isFinite(list && list.total) ? list.total : items.length;
    const singleCount = singles && Number.isFinite(singles.total) ? singles.total : 0;
    qLabel.textContent = kind === 'batch' ? 'Улица' : 'Лицевой счёт (id)';
    qInput.placeholder = kind === 'batch' ? 'Часть названия улицы' : 'id лицевого счёта';

    const download = (f, what) => h('a', {
      class: 'button button-secondary', href: fileUrl(f.id), download: '',
      'data-testid': `paydoc-download-${f.id}`, 'aria-label': `Скачать ${what}`,
    }, 'Скачать');
    const batchColumns = [
      ['Улица', (f) => text(f.label)],
      ['Документов', (f) => formatCount(f.documents), 'num'],
      ['Страниц', (f) => formatCount(f.pages), 'num'],
      ['Размер', (f) => fileSize(f.bytes), 'num nowrap'],
      ['Сформирован', (f) => formatDateTime(f.rendered_at), 'nowrap'],
      ['PDF', (f) => download(f, `пачку «${text(f.label)}»`)],
    ];
    const singleColumns = [
      ['Лицевой счёт', (f) => {
        const id = accountOf(f.name);
        const what = f.label || `id ${id}`; // «ЛС 0100000005, ЕЛС 99HM789261»; older renders have no label
        return id ? h('a', {
          class: 'row-link', href: app.routeHref(`account/${id}`), 'aria-label': `Карточка лицевого счёта: ${what}`,
        }, what) : text(f.name);
      }],
      ['Страниц', (f) => formatCount(f.pages), 'num'],
      ['Размер', (f) => fileSize(f.bytes), 'num nowrap'],
      ['Сформирован', (f) => formatDateTime(f.rendered_at), 'nowrap'],
      ['PDF', (f) => download(f, `документ лицевого счёта ${f.label || `id ${accountOf(f.name) || text(f.name)}`}`)],
    ];
    const columns = kind === 'batch' ? batchColumns : singleColumns;
    const table = h('div', { class: 'table-wrap' },
      h('table', { class: 'data-table', 'data-testid': kind === 'batch' ? 'paydoc-batches' : 'paydoc-singles' },
        h('caption', { class: 'table-caption' }, kind === 'batch' ? 'Пачки для печати' : 'Отдельные документы'),
        h('thead', {}, h('tr', {}, columns.map(([label, , cls]) => h('th', { scope: 'col', class: cls }, label)))),
        h('tbody', {}, items.map((f) => h('tr', { 'data-testid': `paydoc-file-${f.id}`, 'data-kind': f.kind },
          columns.map(([, value, cls]) => {
            const v = value(f);
            return h('td', { class: cls }, v instanceof Node ? v : text(v));
          }))))));

    let empty = null;
    if (!items.length) {
      if (q) empty = 'Ничего не найдено.';
      else if (kind === 'single' || singleCount) empty = kind === 'batch' ? 'Пачек для печати нет.' : 'Отдельных документов нет.';
      else if (canWrite && ready()) empty = `Документы за ${periodName(period)} ещё не сформированы. Нажмите «Сформировать документы».`;
      else empty = `Документы за ${periodName(period)} ещё не сформированы.`;
    }
    const switcher = kind === 'batch'
      ? (singleCount ? h('p', { class: 'paydoc-singles-note', 'data-testid': 'paydoc-singles-count' },
        `Отдельных документов для электронной рассылки: ${formatCount(singleCount)}. `,
        h('button', {
          type: 'button', class: 'link-button', 'data-testid': 'paydoc-show-singles',
          onclick: () => { Object.assign(sel, { kind: 'single', q: '', page: 1 }); qInput.value = ''; load(); },
        }, 'Показать их')) : null)
      : h('p', {}, h('button', {
        type: 'button', class: 'link-button', 'data-testid': 'paydoc-show-batches',
        onclick: () => { Object.assign(sel, { kind: 'batch', q: '', page: 1 }); qInput.value = ''; load(); },
      }, '← К пачкам для печати'));
    searchForm.hidden = !items.length && !q;
    body.replaceChildren(...[
      items.length ? table : h('p', { class: 'empty', 'data-testid': 'paydoc-files-empty' }, empty),
      items.length ? pager(page, PER_PAGE, total, (p) => { sel.page = p; load(); }) : null,
      switcher,
    ].filter(Boolean));
  }

  return { el, show };
}
