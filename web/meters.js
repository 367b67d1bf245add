// The meters pages (docs/meters.md "Web pages and export"): the resident's «Показания» (own meters
// grouped by premises, the last accepted reading, the reading window on the municipality's clock, a
// form per meter with the rule's message next to the field, the confirmations of a wrap through
// zero and of a correction) and the staff's «Приборы учёта» (a filtered, paginated list with the
// last reading, export of the filtered list to CSV and XLSX, the meter card with its reading
// history and refused submissions). Server data goes into the page as text only (see dom.js).
import { api, ApiError, request } from './api.js';
import {
  DASH, h, appendChildren, text, alertBox, details, pager, formatDate, formatDateTime, formatDecimal,
} from './dom.js';
import { splitAddress } from './registry.js';

const PER_PAGE = 20;
const NBSP = '\u00a0';

const RESOURCES = {
  cold_water: 'Холодная вода',
  hot_water: 'Горячая вода',
  electricity: 'Электроэнергия',
  heat: 'Тепловая энергия',
  gas: 'Газ',
};
const ZONES = { day: 'дневная зона', night: 'ночная зона' };
const STATUSES = { active: 'действует', expired: 'истёк срок поверки', removed: 'снят с учёта' };
const CHANNELS = { resident: 'житель', operator: 'оператор', file: 'файл', api: 'API' };
const READING_STATES = { accepted: 'принято', superseded: 'заменено исправлением' };
const PREMISES_TITLES = {
  residential: 'Квартира', nonresidential: 'Нежилое помещение', parking: 'Машино-место', storage: 'Кладовая',
};
const RULES = {
  lower_than_previous: 'меньше предыдущего',
  rollover_unconfirmed: 'переход через ноль не подтверждён',
  implausible: 'необычно большой расход',
  already_accepted: 'за период уже принято',
  above_next: 'больше следующего показания',
  verification_expired: 'истёк срок поверки',
  meter_removed: 'прибор снят',
  before_installation: 'раньше установки',
  future_period: 'период ещё не начался',
};
// Refusals a resident may answer by confirming: the problem's rule → what the checkbox says
// and what the resubmission adds to the body.
const CONFIRMABLE = {
  rollover_unconfirmed: { label: 'Да, счётчик перешёл через ноль — показание верное', body: { confirm_rollover: true } },
  already_accepted: { label: 'Заменить принятое показание этого периода новым (исправление)', body: { correction: true } },
};
const MONTHS = ['январь', 'февраль', 'март', 'апрель', 'май', 'июнь', 'июль', 'август', 'сентябрь',
  'октябрь', 'ноябрь', 'декабрь'];
// How people name the time of a municipality's zone.
const TIME_ZONES = {
  'Europe/Kaliningrad': 'калининградское время (МСК−1)',
  'Europe/Moscow': 'московское время',
  'Europe/Samara': 'самарское время (МСК+1)',
  'Asia/Yekaterinburg': 'екатеринбургское время (МСК+2)',
  'Asia/Omsk': 'омское время (МСК+3)',
  'Asia/Novosibirsk': 'новосибирское время (МСК+4)',
  'Asia/Krasnoyarsk': 'красноярское время (МСК+4)',
  'Asia/Irkutsk': 'иркутское время (МСК+5)',
  'Asia/Yakutsk': 'якутское время (МСК+6)',
  'Asia/Vladivostok': 'владивостокское время (МСК+7)',
  'Asia/Magadan': 'магаданское время (МСК+8)',
  'Asia/Kamchatka': 'камчатское время (МСК+9)',
};

// ---------------------------------------------------------------- formatting

/** "2026-11" → "ноябрь 2026". */
export function periodName(period) {
  const m = /^(\d{4})-(\d{2})$/.exec(period || '');
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) return text(period);
  return `${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
}

/** "101.250", "м³" → "101,250 м³"; with the meter's decimals (1) zeros past them go: "101,2 м³". */
export function formatValue(value, unit, decimals = 3) {
  if (value === undefined || value === null || value === '') return DASH;
  let v = String(value);
  const m = /^(-?\d+)\.(\d+)$/.exec(v);
  if (m && Number.isInteger(decimals) && decimals >= 0 && decimals < m[2].length && /^0*$/.test(m[2].slice(decimals))) {
    v = decimals ? `${m[1]}.${m[2].slice(0, decimals)}` : m[1];
  }
  return `${formatDecimal(v)}${unit ? `${NBSP}${unit}` : ''}`;
}

/** A rule's message for a resident: the API's instruction to send a flag becomes the checkbox's. */
function forPeople(message) {
  return sentence(message)
    .replace(/\.?\s*Если так, подтвердите: confirm_rollover = true\.?$/, '. Если так, отметьте подтверждение ниже.')
    .replace(/;\s*чтобы заменить его, отправьте correction = true\.?$/, '. Чтобы заменить его, отметьте исправление ниже.')
    .replace(/\s*\(confirm = true\)/, '');
}

function zoneTime(tz) {
  return TIME_ZONES[tz] || `время ${text(tz)}`;
}

function resourceName(m) {
  const name = RESOURCES[m.resource] || text(m.resource);
  return ZONES[m.zone] ? `${name}, ${ZONES[m.zone]}` : name;
}

function premisesName(row) {
  if (row.premises_id === null || row.premises_id === undefined) return 'Общедомовой прибор';
  return `${PREMISES_TITLES[row.premises_kind] || 'Помещение'} № ${text(row.premises_number)}`;
}

function statusBadge(status, testid) {
  const cls = status === 'active' ? 'badge badge-ok' : 'badge badge-danger';
  return h('span', { class: cls, 'data-testid': testid }, STATUSES[status] || text(status));
}

/** The server's messages start in lower case; a sentence on the page starts with a capital. */
function sentence(message) {
  const t = String(message || '').trim();
  return t ? t.charAt(0).toUpperCase() + t.slice(1) : '';
}

/** The current month as YYYY-MM in the browser's time zone (the default period of the filters). */
function thisMonth() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

/** A random Idempotency-Key (crypto.getRandomValues works outside secure contexts too). */
function newKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** What the window means for a reading given now: {text, open}. */
function windowText(row) {
  const w = row.window || {};
  const now = row.now || {};
  const days = `Приём показаний — с ${w.first_day} по ${w.last_day} число, ${zoneTime(w.timezone)}.`;
  const today = /^(\d{4}-\d{2})/.exec(now.date || '');
  if (now.in_window) {
    return { open: true, text: `${days} Сейчас идёт приём: показание будет учтено за ${periodName(now.period)}.` };
  }
  if (today && now.period > today[1]) {
    return {
      open: false,
      text: `${days} Приём за ${periodName(today[1])} завершён: показание, переданное сейчас, будет учтено `
        + `в следующем периоде — ${periodName(now.period)}.`,
    };
  }
  return {
    open: false,
    text: `${days} Приём ещё не начался: показание, переданное сейчас, будет учтено за ${periodName(now.period)}.`,
  };
}

function lastReadingText(row) {
  const last = row.last_reading;
  if (!last) return `показаний ещё нет (при установке — ${formatValue(row.initial_value, row.unit, row.decimals)})`;
  return `${formatValue(last.value, row.unit, row.decimals)} за ${periodName(last.period)}`;
}

// ---------------------------------------------------------------- the sections

/**
 * The meters' tabs for app.js. `app` gives: current(seq), sessionLost(), routeHref(section,
 * params), navigate(section, params), pageParam(params).
 */
export function metersSections(app) {
  /** Shows a failed load in `host` (a 401 ends the session); nothing if the render is stale. */
  function failed(err, seq, host, fallback, testid = 'meters-error') {
    if (!app.current(seq)) return;
    if (err instanceof ApiError && err.status === 401) {
      app.sessionLost();
      return;
    }
    host.setAttribute('aria-busy', 'false');
    host.replaceChildren(alertBox((err && err.message) || fallback, testid));
  }

  // ------------------------------------------------ residents: «Показания»

  async function renderReadings({ host, seq }) {
    const body = h('section', { class: 'list-section', 'data-testid': 'section-readings', 'aria-busy': 'true', 'aria-labelledby': 'h-readings' },
      h('h2', { id: 'h-readings' }, 'Показания приборов учёта'),
      h('p', { class: 'loading', role: 'status' }, 'Загрузка…'));
    host.replaceChildren(body);
    let data;
    try {
      data = await api.list('/meters/overview', { per_page: 500 });
    } catch (err) {
      failed(err, seq, body, 'Не удалось загрузить приборы учёта');
      return;
    }
    if (!app.current(seq)) return;
    const rows = Array.isArray(data && data.items) ? data.items : [];
    const groups = new Map(); // premises → its meters, in the server's order (house, premises, meter)
    for (const row of rows) {
      const key = row.premises_id ?? `house-${row.house_id}`;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(row);
    }
    body.setAttribute('aria-busy', 'false');
    body.replaceChildren(h('h2', { id: 'h-readings' }, 'Показания приборов учёта'));
    if (!rows.length) {
      body.append(h('p', { class: 'empty', 'data-testid': 'empty-state' },
        'К вашим помещениям не привязано ни одного прибора учёта. Если прибор установлен, обратитесь в управляющую организацию.'));
      return;
    }
    body.append(h('p', { class: 'muted readings-lead' },
      'Передавайте показания в дни приёма: показание, переданное после окончания приёма, учитывается в следующем периоде.'));
    for (const meters of groups.values()) {
      const first = meters[0];
      body.append(h('section', { class: 'card premises-meters', 'data-testid': `readings-premises-${first.premises_id ?? first.house_id}` },
        h('h3', {}, premisesName(first)),
        h('p', { class: 'muted' }, text(first.address)),
        h('div', { class: 'meter-cards' }, meters.map((row) => meterForm(row)))));
    }
  }

  /** One meter of a resident: what was accepted, the window, and the form. */
  function meterForm(row) {
    const id = row.id;
    const lastEl = h('dd', { 'data-testid': `meter-last-${id}` }, lastReadingText(row));
    const receivedEl = h('dd', { 'data-testid': `meter-received-${id}` },
      row.last_reading ? formatDateTime(row.last_reading.received_at) : DASH);
    const win = windowText(row);
    const head = h('div', { class: 'meter-head' },
      h('h4', {}, resourceName(row)),
      row.status !== 'active' ? statusBadge(row.status, `meter-status-${id}`) : null);
    const info = h('dl', { class: 'details details-compact' },
      h('div', { class: 'details-row' }, h('dt', {}, 'Заводской номер'), h('dd', {}, text(row.serial))),
      h('div', { class: 'details-row' }, h('dt', {}, 'Поверка до'), h('dd', {}, formatDate(row.next_verification_on))),
      h('div', { class: 'details-row' }, h('dt', {}, 'Последнее принятое'), lastEl),
      h('div', { class: 'details-row' }, h('dt', {}, 'Передано'), receivedEl),
      h('div', { class: 'details-row' }, h('dt', {}, 'Принимает'), h('dd', {}, text(row.org_name))));
    const windowEl = h('p', {
      class: `window ${win.open ? 'window-open' : 'window-closed'}`, 'data-testid': `meter-window-${id}`,
      'data-in-window': win.open ? 'true' : 'false',
    }, win.text);

    const card = h('article', { class: 'meter-card', 'data-testid': `meter-${id}` }, head, info,
      row.status === 'active' ? windowEl : null);
    if (row.status === 'removed') {
      card.append(h('p', { class: 'alert alert-soft' }, `Прибор снят с учёта ${formatDate(row.removed_on)}: показания по нему не принимаются.`));
      return card;
    }
    if (row.status === 'expired') {
      card.append(h('p', { class: 'alert alert-soft', 'data-testid': `meter-expired-${id}` },
        `Срок поверки истёк ${formatDate(row.next_verification_on)}: показания не принимаются до новой поверки. Обратитесь в ${text(row.org_name)}.`));
      return card;
    }

    const inputId = `reading-value-${id}`;
    const errorId = `reading-error-${id}`;
    const hintId = `reading-hint-${id}`;
    const decimals = Number.isInteger(row.decimals) ? row.decimals : 3;
    const input = h('input', {
      id: inputId, name: 'value', type: 'text', inputmode: decimals ? 'decimal' : 'numeric', autocomplete: 'off',
      required: true, 'aria-describedby': `${hintId} ${errorId}`, 'data-testid': inputId,
    });
    const hint = h('span', { class: 'field-hint', id: hintId },
      decimals ? `Цифры со счётчика, не больше ${decimals === 1 ? 'одного знака' : `${decimals} знаков`} после запятой`
        : 'Целое число со счётчика');
    const error = h('p', { class: 'field-error', id: errorId, role: 'alert', hidden: true, 'data-testid': `reading-error-${id}` });
    const confirmBox = h('input', { type: 'checkbox', id: `reading-confirm-${id}`, 'data-testid': `reading-confirm-${id}` });
    const confirmLabel = h('span', {});
    const confirmField = h('div', { class: 'field field-check reading-confirm', hidden: true, 'data-testid': `reading-confirm-field-${id}` },
      h('label', { for: `reading-confirm-${id}` }, confirmBox, confirmLabel));
    const submit = h('button', { type: 'submit', class: 'button', 'data-testid': `reading-submit-${id}` }, 'Передать показание');
    const result = h('div', { class: 'reading-result', 'aria-live': 'polite', 'data-testid': `reading-result-${id}` });

    let key = newKey(); // one per reading: a retried request is not applied twice
    let pending = null; // the refusal a confirmation answers (a CONFIRMABLE rule)

    const clearError = () => {
      error.hidden = true;
      error.textContent = '';
      input.removeAttribute('aria-invalid');
    };
    const showError = (message) => {
      error.textContent = message;
      error.hidden = false;
      input.setAttribute('aria-invalid', 'true');
    };
    const askConfirmation = (rule) => {
      pending = rule;
      confirmBox.checked = false;
      confirmLabel.textContent = rule ? CONFIRMABLE[rule].label : '';
      confirmField.hidden = !rule;
      submit.textContent = rule ? 'Подтвердить и передать' : 'Передать показание';
    };
    input.addEventListener('input', () => {
      clearError();
      askConfirmation(null); // a confirmation is for the value it was asked about
    });

    async function send(event) {
      event.preventDefault();
      const value = input.value.replace(/[\s\u00a0]/g, '');
      result.replaceChildren();
      if (!value) {
        showError('Введите показание');
        input.focus();
        return;
      }
      if (pending && !confirmBox.checked) {
        showError('Отметьте подтверждение или исправьте показание');
        confirmBox.focus();
        return;
      }
      const body = { meter_id: id, value, ...(pending ? CONFIRMABLE[pending].body : {}) };
      submit.disabled = true;
      let answer;
      try {
        answer = await request('POST', '/readings', { body, headers: { 'Idempotency-Key': key } });
      } catch (err) {
        submit.disabled = false;
        if (err instanceof ApiError && err.status === 401) {
          app.sessionLost();
          return;
        }
        const problem = err instanceof ApiError ? err.problem : null;
        const errors = problem && Array.isArray(problem.errors) ? problem.errors : [];
        if (err.status === 422 && errors.length) {
          showError(errors.map((e) => forPeople(e.message)).join(' '));
          const rule = problem.rule && CONFIRMABLE[problem.rule] && !(pending === problem.rule) ? problem.rule : null;
          askConfirmation(rule);
          (rule ? confirmBox : input).focus();
        } else {
          result.replaceChildren(alertBox((err && err.message) || 'Не удалось передать показание', `reading-failed-${id}`));
        }
        return;
      }
      submit.disabled = false;
      key = newKey();
      clearError();
      askConfirmation(null);
      input.value = '';
      accepted(answer || {});
    }

    function accepted(r) {
      const unit = row.unit;
      const value = (v) => formatValue(v, unit, row.decimals);
      const use = `${value(r.consumption)}${Number(r.months) > 1 ? ` за ${r.months} мес.` : ''}${r.rollover ? ' (через ноль)' : ''}`;
      const what = r.result === 'unchanged'
        ? `Показание ${value(r.value)} за ${periodName(r.period)} уже было принято.`
        : `Показание ${value(r.value)} принято за ${periodName(r.period)}. Расход: ${use}${use.endsWith('.') ? '' : '.'}`;
      // The server's answer when it says more than the line above: given outside the window
      // (kept for the next period), a correction, a repeated request.
      const more = r.message && (r.in_window === false || r.result !== 'accepted');
      result.replaceChildren(h('div', { class: 'notice', role: 'status', 'data-testid': `reading-accepted-${id}` },
        h('p', { 'data-testid': `reading-accepted-text-${id}` }, what),
        more ? h('p', { class: 'reading-message', 'data-testid': `reading-message-${id}` }, r.message) : null));
      if (r.value !== undefined && r.period) {
        row.last_reading = { value: r.value, period: r.period, received_at: r.received_at };
        lastEl.textContent = lastReadingText(row);
        receivedEl.textContent = formatDateTime(r.received_at);
      }
    }

    card.append(h('form', { class: 'reading-form', novalidate: true, onsubmit: send, 'aria-label': `Показание: ${resourceName(row)}` },
      h('div', { class: 'field reading-field' },
        h('label', { for: inputId }, `Показание, ${text(row.unit)}`),
        h('div', { class: 'reading-input' }, input, submit),
        hint,
        error),
      confirmField),
    result);
    return card;
  }

  // ------------------------------------------------ staff: «Приборы учёта»

  let lastList = null; // the list the meter card goes back to

  function renderMeters({ route, host, seq, user }) {
    if (route.section === 'meter') {
      const back = lastList && lastList.user === user ? lastList : { href: app.routeHref('meters') };
      renderMeterCard({ route, host, seq, back });
      return;
    }
    lastList = { user, href: location.hash || app.routeHref('meters') };
    const filters = {
      house_id: route.params.get('house_id') || '',
      resource: route.params.get('resource') || '',
      status: route.params.get('status') || '',
      period: /^\d{4}-\d{2}$/.test(route.params.get('period') || '') ? route.params.get('period') : thisMonth(),
      readings: ['no_reading', 'rejected'].includes(route.params.get('readings')) ? route.params.get('readings') : '',
    };
    const page = app.pageParam(route.params);
    const body = h('div', { class: 'section-body', 'aria-live': 'polite', 'aria-busy': 'true' },
      h('p', { class: 'loading', role: 'status' }, 'Загрузка…'));
    document.body.classList.add('layout-wide');
    host.replaceChildren(h('section', { class: 'list-section', 'data-testid': 'section-meters', 'aria-labelledby': 'h-meters' },
      h('h2', { id: 'h-meters' }, 'Приборы учёта'),
      meterFilters(filters, seq),
      exportLinks(filters),
      body));
    loadMeters(filters, page, body, seq);
  }

  /** The query of the API for the page's filters (the same for the list and the export). */
  function apiQuery(f) {
    return {
      house_id: f.house_id,
      resource: f.resource,
      status: f.status,
      period: f.period,
      no_reading: f.readings === 'no_reading' ? 'true' : '',
      rejected: f.readings === 'rejected' ? 'true' : '',
    };
  }

  function exportLinks(filters) {
    const href = (format) => {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries({ ...apiQuery(filters), format })) if (v) qs.set(k, v);
      return `/api/v1/meters/export?${qs}`;
    };
    return h('div', { class: 'reports', role: 'group', 'aria-label': 'Выгрузка списка', 'data-testid': 'meters-export' },
      h('span', { class: 'reports-label' }, 'Выгрузить отобранное:'),
      h('a', { class: 'button', href: href('xlsx'), download: true, 'data-testid': 'meters-export-xlsx' }, 'XLSX'),
      h('a', { class: 'button button-secondary', href: href('csv'), download: true, 'data-testid': 'meters-export-csv' }, 'CSV'));
  }

  function meterFilters(values, seq) {
    const field = (id, label, control) => h('div', { class: 'field field-inline' }, h('label', { for: id }, label), control);
    const select = (id, name, options, value) => {
      const el = h('select', { id, name, 'data-testid': id },
        options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
      el.addEventListener('change', () => el.form.requestSubmit());
      return el;
    };
    // The house: an address typed with suggestions from the registry; its id goes to the list.
    const houseId = h('input', { type: 'hidden', name: 'house_id', value: values.house_id });
    const house = h('input', {
      id: 'filter-meters-house', type: 'search', size: 28, list: 'filter-meters-house-options', autocomplete: 'off',
      placeholder: 'Адрес дома', 'data-testid': 'filter-meters-house',
    });
    const options = h('datalist', { id: 'filter-meters-house-options' });
    const houseError = h('p', { class: 'field-error', role: 'alert', hidden: true, 'data-testid': 'filter-meters-house-error' });
    let found = new Map(); // address → id of the latest suggestions
    let timer = null;
    const suggest = async () => {
      const q = house.value.trim();
      if (q.length < 2) return;
      try {
        const list = await api.list('/houses', { q, per_page: 20 });
        found = new Map((list.items || []).map((x) => [x.address, x.id]));
        options.replaceChildren(...(list.items || []).map((x) => h('option', { value: x.address })));
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) app.sessionLost();
      }
    };
    house.addEventListener('input', () => {
      houseError.hidden = true;
      houseId.value = found.get(house.value) || '';
      clearTimeout(timer);
      timer = setTimeout(suggest, 250);
    });
    if (values.house_id) {
      api.get(`/houses/${encodeURIComponent(values.house_id)}`)
        .then((x) => {
          if (!app.current(seq)) return;
          house.value = x.address;
          found.set(x.address, x.id);
        })
        .catch(() => {});
    }

    const form = h('form', {
      class: 'filters', role: 'search', 'aria-label': 'Отбор приборов учёта',
      onsubmit: async (event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        let id = String(data.get('house_id') || '');
        const typed = house.value.trim();
        if (!typed) id = '';
        if (typed && !id) {
          // typed without choosing a suggestion: one house found is taken, else say so
          let list;
          try {
            list = await api.list('/houses', { q: typed, per_page: 2 });
          } catch (err) {
            if (err instanceof ApiError && err.status === 401) return app.sessionLost();
            list = { items: [], total: 0 };
          }
          if (Number(list.total) !== 1) {
            houseError.textContent = Number(list.total) > 1
              ? `Под «${typed}» подходят ${list.total} домов: выберите адрес из подсказки`
              : `Дом «${typed}» не найден`;
            houseError.hidden = false;
            house.focus();
            return;
          }
          id = String(list.items[0].id);
        }
        app.navigate('meters', {
          house_id: id,
          resource: String(data.get('resource') || ''),
          status: String(data.get('status') || ''),
          period: String(data.get('period') || ''),
          readings: String(data.get('readings') || ''),
        });
      },
    },
    h('div', { class: 'field field-inline' },
      h('label', { for: 'filter-meters-house' }, 'Дом'), house, options, houseId, houseError),
    field('filter-meters-resource', 'Ресурс',
      select('filter-meters-resource', 'resource', [['', 'Все ресурсы'], ...Object.entries(RESOURCES)], values.resource)),
    field('filter-meters-status', 'Состояние',
      select('filter-meters-status', 'status', [['', 'Все'], ['active', 'Действует'], ['expired', 'Истёк срок поверки'], ['removed', 'Снят с учёта']], values.status)),
    field('filter-meters-period', 'Период', h('input', {
      id: 'filter-meters-period', name: 'period', type: 'month', value: values.period, required: true, 'data-testid': 'filter-meters-period',
    })),
    field('filter-meters-readings', 'Показания за период',
      select('filter-meters-readings', 'readings', [['', 'Все приборы'], ['no_reading', 'Нет принятого показания'], ['rejected', 'Есть отклонённые']], values.readings)),
    h('button', { type: 'submit', class: 'button', 'data-testid': 'filter-meters-submit' }, 'Показать'),
    values.house_id || values.resource || values.status || values.readings
      ? h('a', { class: 'button button-secondary', href: app.routeHref('meters', { period: values.period }) }, 'Сбросить') : null);
    return form;
  }

  async function loadMeters(filters, page, body, seq) {
    let data;
    try {
      data = await api.list('/meters/overview', { ...apiQuery(filters), page, per_page: PER_PAGE });
    } catch (err) {
      failed(err, seq, body, 'Не удалось загрузить приборы учёта');
      return;
    }
    if (!app.current(seq)) return;
    const items = Array.isArray(data && data.items) ? data.items : [];
    const total = Number.isFinite(data && data.total) ? data.total : items.length;
    const perPage = Number.isFinite(data && data.per_page) && data.per_page > 0 ? data.per_page : PER_PAGE;
    const current = Number.isFinite(data && data.page) && data.page > 0 ? data.page : page;

    const period = periodName(filters.period);
    const columns = [
      ['Адрес', (x) => h('span', { class: 'address', title: x.address },
        h('a', { href: app.routeHref(`meter/${x.id}`), class: 'row-link', 'data-testid': `meter-link-${x.id}` }, text(splitAddress(x.address)[0])),
        h('span', { class: 'address-locality' }, premisesName(x)))],
      ['Ресурс, заводской №', (x) => h('span', { class: 'address' }, resourceName(x),
        x.serial ? h('span', { class: 'address-locality' }, `№ ${x.serial}`)
          : h('span', { class: 'address-locality text-danger' }, 'номер не указан'))],
      ['Принимает показания', (x) => text(x.org_name)],
      ['Поверка до', (x) => formatDate(x.next_verification_on), 'nowrap'],
      ['Состояние', (x) => statusBadge(x.status, `meter-status-${x.id}`)],
      ['Последнее показание', (x) => (x.last_reading
        ? h('span', { class: 'address' }, formatValue(x.last_reading.value, x.unit, x.decimals),
          h('span', { class: 'address-locality' }, `за ${periodName(x.last_reading.period)}`))
        : h('span', { class: 'muted' }, 'нет')), 'nowrap'],
      [`Отклонено за ${period}`, (x) => (x.rejected ? h('span', { class: 'badge badge-danger' }, String(x.rejected)) : '0'), 'num'],
    ];
    const table = h('div', { class: 'table-wrap' },
      h('table', { class: 'data-table meters-table', 'data-testid': 'meters-table' },
        h('thead', {}, h('tr', {}, columns.map(([label, , cls]) => h('th', { scope: 'col', class: cls }, label)))),
        h('tbody', {}, items.map((x) => h('tr', {
          class: 'clickable', 'data-testid': `meter-row-${x.id}`, 'data-status': x.status,
          onclick: (event) => {
            if (event.target.closest('a')) return;
            app.navigate(`meter/${x.id}`);
          },
        }, columns.map(([, value, cls]) => {
          const v = value(x);
          return h('td', { class: cls }, v instanceof Node ? v : text(v));
        }))))));
    const filtered = filters.house_id || filters.resource || filters.status || filters.readings;
    body.setAttribute('aria-busy', 'false');
    body.replaceChildren(
      items.length ? table : h('p', { class: 'empty', 'data-testid': 'empty-state' },
        filtered ? 'Приборов по этим условиям не найдено' : 'Приборов учёта пока нет'),
      pager(current, perPage, total, (p) => app.navigate('meters', { ...filters, page: p })));
  }

  // ---- the meter card

  async function renderMeterCard({ route, host, seq, back }) {
    const id = Number.parseInt(route.rest[0] || '', 10);
    const backLink = () => h('a', { class: 'back-link', href: back.href, 'data-testid': 'meter-back' }, '← К списку приборов');
    const wrap = h('section', { class: 'house-card meter-card-page', 'data-testid': 'meter-card', 'aria-busy': 'true' },
      backLink(), h('p', { class: 'loading', role: 'status' }, 'Загрузка…'));
    host.replaceChildren(wrap);
    if (!Number.isFinite(id) || id < 1) {
      wrap.setAttribute('aria-busy', 'false');
      wrap.replaceChildren(backLink(), alertBox('Прибор учёта не найден', 'meters-error'));
      return;
    }
    let meter;
    let rows;
    let readings;
    let rejections;
    try {
      meter = await api.get(`/meters/${id}`);
      [rows, readings, rejections] = await Promise.all([
        api.list('/meters/overview', { house_id: meter.house_id, premises_id: meter.premises_id, kind: meter.kind, per_page: 500 }),
        api.list(`/meters/${id}/readings`, { per_page: 100 }),
        api.list(`/meters/${id}/rejections`, { per_page: 100 }),
      ]);
    } catch (err) {
      failed(err, seq, wrap, 'Не удалось загрузить прибор учёта');
      if (app.current(seq)) wrap.prepend(backLink());
      return;
    }
    if (!app.current(seq)) return;
    const row = ((rows && rows.items) || []).find((x) => x.id === id) || { ...meter };
    const history = (readings && readings.items) || [];
    const refused = (rejections && rejections.items) || [];
    document.body.classList.add('layout-wide');
    document.title = `${resourceName(meter)} № ${meter.serial || meter.id} — Управдом`;
    const win = row.window ? windowText(row) : null;

    const info = details([
      ['Адрес', row.address, 'meter-f-address'],
      ['Помещение', premisesName(row), 'meter-f-premises'],
      ['Вид', meter.kind === 'building' ? 'Общедомовой (ОДПУ)' : 'Индивидуальный (ИПУ)', 'meter-f-kind'],
      ['Ресурс', resourceName(meter), 'meter-f-resource'],
      ['Заводской номер', meter.serial || h('span', { class: 'text-danger' }, 'не указан'), 'meter-f-serial'],
      ['Разрядность', `${meter.digits} знаков, ${meter.decimals} после запятой`, 'meter-f-digits'],
      ['Установлен', formatDate(meter.installed_on), 'meter-f-installed'],
      ['Начальное показание', formatValue(meter.initial_value, meter.unit, meter.decimals), 'meter-f-initial'],
      ['Поверка', meter.verified_on ? formatDate(meter.verified_on) : DASH, 'meter-f-verified'],
      ['Следующая поверка', formatDate(meter.next_verification_on), 'meter-f-next'],
      ['Состояние', statusBadge(meter.status, 'meter-f-status'), null],
      meter.removed_on ? ['Снят с учёта', formatDate(meter.removed_on), 'meter-f-removed'] : null,
      ['Принимает показания', row.org_name, 'meter-f-org'],
      ['Окно приёма', win ? win.text : DASH, 'meter-f-window'],
    ].filter(Boolean), 'meter-details', 'details-wide');

    const flags = (r) => [r.rollover ? 'через ноль' : null, r.confirmed ? 'подтверждено сотрудником' : null,
      r.in_window === false ? 'вне окна приёма' : null].filter(Boolean).join(', ') || DASH;
    const historyTable = history.length
      ? h('div', { class: 'table-wrap' }, h('table', { class: 'data-table', 'data-testid': 'meter-readings' },
        h('thead', {}, h('tr', {}, ['Период', 'Показание', 'Расход', 'Канал', 'Передано', 'Состояние', 'Отметки']
          .map((label) => h('th', { scope: 'col' }, label)))),
        h('tbody', {}, history.map((r) => h('tr', { 'data-testid': `reading-${r.id}`, 'data-state': r.state, class: r.state === 'superseded' ? 'row-superseded' : null },
          h('td', { class: 'nowrap' }, periodName(r.period)),
          h('td', { class: 'num nowrap' }, formatValue(r.value, meter.unit, meter.decimals)),
          h('td', { class: 'num nowrap' }, `${formatValue(r.consumption, meter.unit, meter.decimals)}${r.months > 1 ? ` за ${r.months} мес.` : ''}`),
          h('td', {}, CHANNELS[r.channel] || text(r.channel)),
          h('td', { class: 'nowrap' }, formatDateTime(r.received_at)),
          h('td', {}, READING_STATES[r.state] || text(r.state)),
          h('td', { class: 'muted-cell' }, flags(r)))))))
      : h('p', { class: 'empty', 'data-testid': 'meter-readings-empty' }, 'Показаний ещё нет');

    const refusedTable = refused.length
      ? h('div', { class: 'table-wrap' }, h('table', { class: 'data-table', 'data-testid': 'meter-rejections' },
        h('thead', {}, h('tr', {}, ['Когда', 'Период', 'Значение', 'Канал', 'Правило', 'Сообщение']
          .map((label) => h('th', { scope: 'col' }, label)))),
        h('tbody', {}, refused.map((x) => h('tr', { 'data-testid': `rejection-${x.id}`, 'data-rule': x.rule },
          h('td', { class: 'nowrap' }, formatDateTime(x.at)),
          h('td', { class: 'nowrap' }, periodName(x.period)),
          h('td', { class: 'num nowrap' }, formatValue(x.value, meter.unit, meter.decimals)),
          h('td', {}, CHANNELS[x.channel] || text(x.channel)),
          h('td', {}, RULES[x.rule] || text(x.rule)),
          h('td', {}, sentence(x.message)))))))
      : h('p', { class: 'muted', 'data-testid': 'meter-rejections-empty' }, 'Отклонённых передач нет');

    const count = (list, shown) => (list && list.total > shown ? ` (последние ${shown} из ${list.total})` : '');
    wrap.setAttribute('aria-busy', 'false');
    wrap.replaceChildren();
    appendChildren(wrap, [
      backLink(),
      h('div', { class: 'house-head' },
        h('div', {},
          h('h2', { 'data-testid': 'meter-title', tabindex: '-1' }, `${resourceName(meter)}${meter.serial ? `, № ${meter.serial}` : ''}`),
          h('p', { class: 'muted' }, `${text(row.address)} · ${premisesName(row)}`)),
        h('div', { class: 'badges' }, statusBadge(meter.status, 'meter-status'))),
      h('div', { class: 'card' }, h('h3', {}, 'Сведения о приборе'), info),
      h('div', { class: 'card' }, h('h3', {}, `История показаний${count(readings, history.length)}`), historyTable),
      h('div', { class: 'card' }, h('h3', {}, `Отклонённые передачи${count(rejections, refused.length)}`), refusedTable),
    ]);
  }

  return {
    readings: { label: 'Показания', render: renderReadings },
    meters: { label: 'Приборы учёта', render: renderMeters, aliases: ['meter'] },
  };
}
