// The registry pages (docs/registry.md): the «Реестр» tab (houses with search and filters,
// data quality, owner and area changes), the house card (characteristics, reports, the
// building's chessboard with a side panel per premises) and the residents' «Мой дом».
// Server data goes into the page as text only (see dom.js).
import { api, ApiError } from './api.js';
import {
  DASH, h, appendChildren, text, alertBox, details, pager, formatDate, formatDateTime, formatCount, formatDecimal, formatArea,
} from './dom.js';

const PER_PAGE = 20;
const QUALITY_TTL_MS = 60000; // the data-quality figures are reused for a minute

const HOUSE_KINDS = {
  mkd: { short: 'МКД', full: 'Многоквартирный дом' },
  izd: { short: 'ИЖД', full: 'Индивидуальный жилой дом' },
};

const PREMISES_KINDS = {
  residential: { name: 'Жилое', title: 'Квартира' },
  nonresidential: { name: 'Нежилое', title: 'Нежилое помещение' },
  parking: { name: 'Машино-место', title: 'Машино-место' },
  storage: { name: 'Кладовая', title: 'Кладовая' },
};

const RIGHT_TYPES = {
  own: 'Собственность',
  shared: 'Общая долевая собственность',
  joint: 'Общая совместная собственность',
};

const OWNER_KINDS = {
  person: 'Физическое лицо',
  legal: 'Юридическое лицо',
  public: 'Публично-правовое образование',
};

const CHANGE_KINDS = {
  owner: 'Смена собственника',
  area: 'Изменение площади',
};

// Cell states of the chessboard, in the order of the legend.
const CELL_STATES = {
  own: 'Единоличная собственность',
  shared: 'Долевая или совместная собственность',
  none: 'Нет зарегистрированных прав',
};

// Keys of the house's free-form `extra` object that have a Russian name.
const EXTRA_LABELS = {
  lifts: 'Лифтов',
  series: 'Серия',
};

const METER_LABELS = {
  resource: 'ресурс',
  number: '№',
  verified_until: 'поверка до',
};

// The registry imports (registry.write): what can be uploaded, and who may.
const IMPORT_ROLES = ['admin', 'region_operator', 'municipal_operator', 'org_staff'];
const IMPORT_KINDS = {
  houses: { label: 'Паспорта домов', done: 'Паспорта домов загружены' },
  premises: { label: 'Выписка помещений и прав', done: 'Выписка загружена' },
};
// Problem fields of an upload that are not a cell of the file.
const IMPORT_FIELDS = { date: 'дата выписки', skip_invalid: 'режим', file: 'файл' };

/** Today as YYYY-MM-DD in the browser's time zone (the default date of an extract). */
function todayLocal() {
  const d = new Date();
  const pad = (x) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// ---------------------------------------------------------------- lookups (per session)

let cache = { user: null };

/** The lookups of the current user: organizations, municipalities, regions, houses, premises. */
function lookups(user) {
  if (cache.user !== user) {
    cache = { user, orgs: null, municipalities: null, regions: null, quality: null, houses: new Map(), premises: new Map() };
  }
  return cache;
}

/** Id → object map from a list the user may read (one request, per_page 500); empty on failure. */
async function listMap(c, key, path, allowed) {
  if (!allowed) return new Map();
  if (!c[key]) {
    c[key] = api.list(path, { per_page: 500 })
      .then((list) => new Map((list.items || []).map((x) => [x.id, x])))
      .catch((err) => {
        c[key] = null;
        if (err instanceof ApiError && err.status === 401) throw err;
        return new Map();
      });
  }
  return c[key];
}

const orgsOf = (user) => listMap(lookups(user), 'orgs', '/organizations', user.role !== 'resident');
const municipalitiesOf = (user) => listMap(lookups(user), 'municipalities', '/municipalities', user.role !== 'resident');
const regionsOf = (user) => listMap(lookups(user), 'regions', '/regions', true);

function orgName(orgs, id) {
  if (id === null || id === undefined) return DASH;
  const o = orgs && orgs.get(id);
  return o ? (o.short_name || o.name) : `Организация № ${id}`;
}

// ---------------------------------------------------------------- small helpers

function houseKindShort(kind) {
  return HOUSE_KINDS[kind] ? HOUSE_KINDS[kind].short : text(kind);
}

/** «Квартира № 12», «Машино-место № М3»; in an individual house «Жилое помещение № 1». */
function premisesTitle(p, houseKind) {
  if (houseKind === 'izd' && p.kind === 'residential') return `Жилое помещение № ${p.number}`;
  const kind = PREMISES_KINDS[p.kind];
  return `${kind ? kind.title : 'Помещение'} № ${p.number}`;
}

// Where the street begins in an address ("…, г. Светлогорск, ул. Ленина, д. 5").
const STREET = /^(ул|улица|пр-т|просп|проспект|пер|переулок|б-р|бульвар|мкр|микрорайон|проезд|пр-д|ш|шоссе|пл|площадь|наб|набережная|туп|тупик|аллея|тракт|кв-л|линия|снт|тер)\.?\s/i;

/** An address as [street and house, locality]: the part people look for first, and the rest. */
export function splitAddress(address) {
  const parts = String(address || '').split(/,\s*/);
  const at = parts.findIndex((part) => STREET.test(part));
  if (at <= 0) return [String(address || ''), ''];
  return [parts.slice(at).join(', '), parts.slice(0, at).join(', ')];
}

function addressBlock(address, href, testid) {
  const [street, locality] = splitAddress(address);
  return h('span', { class: 'address' },
    href ? h('a', { href, class: 'row-link', 'data-testid': testid }, text(street)) : text(street),
    locality ? h('span', { class: 'address-locality' }, locality) : null);
}

function yesNo(value) {
  if (value === undefined || value === null) return DASH;
  return value ? 'Да' : 'Нет';
}

/** Natural order of premises numbers: 2 < 10 < 10А < Н1. */
const byNumber = (a, b) => String(a.number).localeCompare(String(b.number), 'ru', { numeric: true });

function gcd(a, b) {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y) [x, y] = [y, x % y];
  return x || 1;
}

/** Sum of "n/d" shares as an exact fraction [num, den]; null if one is malformed. */
function shareSum(rights) {
  let num = 0;
  let den = 1;
  for (const r of rights) {
    const m = /^(\d+)\/(\d+)$/.exec(r.share || '');
    if (!m || Number(m[2]) === 0) return null;
    const n = Number(m[1]);
    const d = Number(m[2]);
    num = num * d + n * den;
    den *= d;
    const g = gcd(num, den);
    num /= g;
    den /= g;
  }
  return [num, den];
}

/** How the chessboard colours a premises: own | shared | none (+ flags). */
function premisesState(p) {
  const rights = Array.isArray(p.rights) ? p.rights : [];
  if (rights.length === 0) return { state: 'none', encumbered: false, sharesOff: false };
  const shared = rights.filter((r) => r.right_type === 'shared');
  const sum = shared.length ? shareSum(shared) : null;
  return {
    state: rights.some((r) => r.right_type === 'shared' || r.right_type === 'joint') ? 'shared' : 'own',
    encumbered: rights.some((r) => r.encumbrance),
    sharesOff: shared.length > 0 && !(sum && sum[0] === sum[1]),
  };
}

function shareText(r) {
  if (r.right_type === 'shared') return r.share || DASH;
  if (r.right_type === 'joint') return 'без определения долей';
  return 'целиком';
}

function registrationText(number, date) {
  if (!number && !date) return DASH;
  return [number ? `№ ${number}` : null, date ? `от ${formatDate(date)}` : null].filter(Boolean).join(' ');
}

/** A JSON value of the house (ОДПУ, systems, extra) as readable text or a list. */
function jsonValue(value, labels = {}) {
  if (value === undefined || value === null) return DASH;
  const one = (v) => {
    if (v === null || v === undefined) return DASH;
    if (typeof v !== 'object') return /^\d{4}-\d{2}-\d{2}$/.test(String(v)) ? formatDate(v) : String(v);
    if (Array.isArray(v)) return v.map(one).join(', ');
    return Object.entries(v).map(([k, x]) => `${labels[k] || k}: ${one(x)}`).join(', ');
  };
  if (Array.isArray(value)) {
    if (value.length === 0) return 'нет';
    if (value.every((v) => typeof v !== 'object' || v === null)) return value.map(one).join(', ');
    return h('ul', { class: 'plain-list' }, value.map((v) => h('li', {}, one(v))));
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return DASH;
    return h('ul', { class: 'plain-list' }, entries.map(([k, v]) => h('li', {}, `${labels[k] || k}: ${one(v)}`)));
  }
  return String(value);
}

function meterText(m) {
  if (!m || typeof m !== 'object') return text(m);
  const parts = [m.resource || null, m.number ? `№ ${m.number}` : null,
    m.verified_until ? `поверка до ${formatDate(m.verified_until)}` : null].filter(Boolean);
  const known = new Set(['resource', 'number', 'verified_until']);
  for (const [k, v] of Object.entries(m)) if (!known.has(k)) parts.push(`${METER_LABELS[k] || k}: ${v}`);
  return parts.join(', ');
}

function metersValue(meters) {
  if (meters === undefined || meters === null) return DASH;
  if (!Array.isArray(meters)) return jsonValue(meters);
  if (meters.length === 0) return 'нет';
  return h('ul', { class: 'plain-list' }, meters.map((m) => h('li', {}, meterText(m))));
}

// ---------------------------------------------------------------- the sections

/**
 * The registry's tabs for app.js. `app` gives: state, current(seq), sessionLost(),
 * routeHref(section, params), navigate(section, params), pageParam(params).
 */
export function registrySections(app) {
  /** Shows a failed load in `host` (a 401 ends the session); nothing if the render is stale. */
  function failed(err, seq, host, fallback, testid = 'registry-error') {
    if (!app.current(seq)) return;
    if (err instanceof ApiError && err.status === 401) {
      app.sessionLost();
      return;
    }
    host.setAttribute('aria-busy', 'false');
    host.replaceChildren(alertBox((err && err.message) || fallback, testid));
  }

  // ------------------------------------------------ «Реестр»: houses, quality, changes

  // The list the house card goes back to (with its search, filters and page).
  let lastList = null;

  function renderRegistry({ route, host, seq, user }) {
    if (route.section === 'house') {
      const back = lastList && lastList.user === user ? lastList
        : { href: app.routeHref('registry'), label: '← К списку домов' };
      renderHouseCard({ route, host, seq, user, back });
      return;
    }
    const view = route.rest[0] === 'changes' ? 'changes' : 'houses';
    lastList = {
      user,
      href: location.hash || app.routeHref('registry'),
      label: view === 'changes' ? '← К изменениям' : '← К списку домов',
    };
    const body = h('div', { class: 'section-body', 'aria-live': 'polite', 'aria-busy': 'true' },
      h('p', { class: 'loading', role: 'status' }, 'Загрузка…'));
    const quality = h('div', { class: 'quality', 'data-testid': 'registry-quality', 'aria-busy': 'true' },
      h('p', { class: 'loading', role: 'status' }, 'Загрузка…'));
    const subtab = (key, label, href) => h('a', {
      href, class: 'subtab', 'aria-current': key === view ? 'page' : null, 'data-testid': `registry-view-${key}`,
    }, label);

    // After an import: fresh figures, and the list (houses or changes) reloaded in place.
    const reload = () => {
      const c = lookups(user);
      c.quality = null;
      c.houses.clear();
      c.premises.clear();
      if (!app.current(seq)) return;
      body.setAttribute('aria-busy', 'true');
      loadQuality(user, quality, seq);
      if (view === 'changes') loadChanges(route, user, body, seq);
      else loadHouses(route, user, body, seq);
    };

    host.replaceChildren(h('section', { class: 'list-section', 'data-testid': 'section-registry', 'aria-labelledby': 'h-registry' },
      h('h2', { id: 'h-registry' }, 'Реестр домов и помещений'),
      h('section', { class: 'quality-panel', 'aria-labelledby': 'h-quality' },
        h('h3', { id: 'h-quality' }, 'Качество данных'),
        quality),
      IMPORT_ROLES.includes(user.role) ? importPanel(reload) : null,
      h('nav', { class: 'subtabs', 'aria-label': 'Разделы реестра' },
        subtab('houses', 'Дома', app.routeHref('registry')),
        subtab('changes', 'Изменения', app.routeHref('registry/changes'))),
      body));

    loadQuality(user, quality, seq);
    if (view === 'changes') loadChanges(route, user, body, seq);
    else loadHouses(route, user, body, seq);
  }

  async function loadQuality(user, host, seq) {
    const c = lookups(user);
    let q;
    try {
      if (!c.quality || Date.now() - c.quality.at > QUALITY_TTL_MS) {
        c.quality = { at: Date.now(), data: api.get('/registry/quality') };
      }
      q = await c.quality.data;
    } catch (err) {
      c.quality = null;
      failed(err, seq, host, 'Не удалось загрузить показатели качества', 'quality-error');
      return;
    }
    if (!app.current(seq)) return;
    const figure = (key, label, value, note, warn) => h('div', {
      class: `figure${warn ? ' figure-warn' : ''}`, 'data-testid': `quality-${key}`,
    },
    h('span', { class: 'figure-value', 'data-testid': `quality-${key}-value` }, value),
    h('span', { class: 'figure-label' }, label),
    note ? h('span', { class: 'figure-note' }, note) : null);
    host.setAttribute('aria-busy', 'false');
    host.replaceChildren(h('div', { class: 'figures' },
      figure('premises', 'помещений', formatCount(q.premises)),
      figure('with_cadastral', 'с кадастровым номером', `${formatDecimal(q.with_cadastral_percent)} %`,
        `${formatCount(q.with_cadastral)} из ${formatCount(q.premises)}`),
      figure('without_rights', 'без зарегистрированных прав', formatCount(q.without_rights), null, q.without_rights > 0),
      figure('shares_not_one', 'доли не в сумме 1', formatCount(q.shares_not_one), null, q.shares_not_one > 0),
      figure('accounts_without_premises', 'счета без помещений', formatCount(q.accounts_without_premises),
        null, q.accounts_without_premises > 0)));
  }

  // ---- houses

  async function loadHouses(route, user, body, seq) {
    const canFilterMunicipality = user.role === 'admin' || user.role === 'region_operator';
    const filters = {
      q: route.params.get('q') || '',
      kind: route.params.get('kind') || '',
      municipality_id: canFilterMunicipality ? (route.params.get('municipality_id') || '') : '',
    };
    const page = app.pageParam(route.params);
    let data;
    let orgs;
    let municipalities;
    try {
      [data, orgs, municipalities] = await Promise.all([
        api.list('/houses', { ...filters, page, per_page: PER_PAGE }),
        orgsOf(user),
        municipalitiesOf(user),
      ]);
    } catch (err) {
      failed(err, seq, body, 'Не удалось загрузить список домов');
      return;
    }
    if (!app.current(seq)) return;

    const items = Array.isArray(data && data.items) ? data.items : [];
    const total = Number.isFinite(data && data.total) ? data.total : items.length;
    const perPage = Number.isFinite(data && data.per_page) && data.per_page > 0 ? data.per_page : PER_PAGE;
    const current = Number.isFinite(data && data.page) && data.page > 0 ? data.page : page;
    const houses = lookups(user).houses;
    for (const house of items) houses.set(house.id, house);

    const columns = [
      ['Адрес', (x) => addressBlock(x.address, app.routeHref(`house/${x.id}`), `house-link-${x.id}`)],
      ['Тип', (x) => h('abbr', { title: HOUSE_KINDS[x.kind] ? HOUSE_KINDS[x.kind].full : null }, houseKindShort(x.kind))],
      ['Год постройки', (x) => text(x.year_built), 'num'],
      ['Этажность', (x) => text(x.floors), 'num'],
      ['Общая площадь', (x) => formatArea(x.total_area), 'num'],
      ['Аварийный', (x) => (x.emergency ? h('span', { class: 'badge badge-danger' }, 'аварийный') : 'нет')],
      ['Управляющая организация', (x) => orgName(orgs, x.org_id)],
    ];

    const table = h('div', { class: 'table-wrap' },
      h('table', { class: 'data-table houses-table', 'data-testid': 'houses-table' },
        h('thead', {}, h('tr', {}, columns.map(([label, , cls]) => h('th', { scope: 'col', class: cls }, label)))),
        h('tbody', {}, items.map((x) => h('tr', {
          class: 'clickable', 'data-testid': `house-row-${x.id}`,
          onclick: (event) => {
            if (event.target.closest('a')) return; // the address link navigates by itself
            app.navigate(`house/${x.id}`);
          },
        }, columns.map(([, value, cls]) => {
          const v = value(x);
          return h('td', { class: cls }, v instanceof Node ? v : text(v));
        }))))));

    body.setAttribute('aria-busy', 'false');
    body.replaceChildren(
      houseFilters(filters, canFilterMunicipality ? municipalities : null),
      items.length ? table : h('p', { class: 'empty', 'data-testid': 'empty-state' },
        filters.q || filters.kind || filters.municipality_id ? 'Домов по этим условиям не найдено'
          : user.role === 'org_staff' ? 'Домов, которыми управляет или которые обслуживает ваша организация, в реестре нет'
            : 'В реестре пока нет домов'),
      pager(current, perPage, total, (p) => app.navigate('registry', { ...filters, page: p })));
  }

  function houseFilters(values, municipalities) {
    const field = (id, label, control) => h('div', { class: 'field field-inline' }, h('label', { for: id }, label), control);
    const search = h('input', {
      id: 'filter-houses-q', name: 'q', type: 'search', value: values.q, size: 30,
      placeholder: 'Адрес, кадастровый номер или ФИАС', 'data-testid': 'filter-houses-q',
    });
    const kind = h('select', { id: 'filter-houses-kind', name: 'kind', 'data-testid': 'filter-houses-kind' },
      [['', 'Все'], ['mkd', 'МКД'], ['izd', 'ИЖД']]
        .map(([v, label]) => h('option', {
          value: v, selected: v === values.kind, title: HOUSE_KINDS[v] ? HOUSE_KINDS[v].full : null,
        }, label)));
    kind.addEventListener('change', () => kind.form.requestSubmit());
    let municipality = null;
    if (municipalities) {
      const options = [...municipalities.values()].sort((a, b) => a.name.localeCompare(b.name, 'ru'));
      municipality = h('select', { id: 'filter-houses-municipality', name: 'municipality_id', 'data-testid': 'filter-houses-municipality' },
        h('option', { value: '' }, 'Все'),
        options.map((m) => h('option', { value: m.id, selected: String(m.id) === values.municipality_id }, m.name)));
      municipality.addEventListener('change', () => municipality.form.requestSubmit());
    }
    const active = Object.values(values).some((v) => v !== '');
    return h('form', {
      class: 'filters', role: 'search', 'aria-label': 'Отбор домов',
      onsubmit: (event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        app.navigate('registry', {
          q: String(data.get('q') || '').trim(),
          kind: String(data.get('kind') || ''),
          municipality_id: String(data.get('municipality_id') || ''),
        });
      },
    },
    field('filter-houses-q', 'Поиск', search),
    field('filter-houses-kind', 'Тип дома', kind),
    municipality ? field('filter-houses-municipality', 'Муниципальное образование', municipality) : null,
    h('button', { type: 'submit', class: 'button', 'data-testid': 'filter-houses-submit' }, 'Найти'),
    active ? h('a', { class: 'button button-secondary', href: app.routeHref('registry') }, 'Сбросить') : null);
  }

  // ---- imports (docs/registry.md, "Files"): the file's bytes are the request body

  /** «Импорт»: a passport or extract CSV uploaded to /imports/{houses|premises}; onImported() after a 200. */
  function importPanel(onImported) {
    const field = (id, label, control, attrs = {}) => h('div', { class: 'field field-inline', ...attrs }, h('label', { for: id }, label), control);
    const kind = h('select', { id: 'import-kind', name: 'kind', 'data-testid': 'import-kind' },
      Object.entries(IMPORT_KINDS).map(([v, k]) => h('option', { value: v }, k.label)));
    const file = h('input', {
      id: 'import-file', name: 'file', type: 'file', accept: '.csv,text/csv', required: true, 'data-testid': 'import-file',
    });
    const date = h('input', { id: 'import-date', name: 'date', type: 'date', value: todayLocal(), required: true, 'data-testid': 'import-date' });
    const dateField = field('import-date', 'Дата выписки', date, { hidden: true });
    const skip = h('input', { id: 'import-skip', name: 'skip_invalid', type: 'checkbox', 'data-testid': 'import-skip' });
    const submit = h('button', { type: 'submit', class: 'button', 'data-testid': 'import-submit' }, 'Загрузить');
    const result = h('div', { class: 'import-result', 'aria-live': 'polite', 'data-testid': 'import-result' });

    const syncKind = () => {
      const premises = kind.value === 'premises';
      dateField.hidden = !premises;
      date.disabled = !premises;
    };
    kind.addEventListener('change', syncKind);
    syncKind();

    let busy = false;
    async function upload(event) {
      event.preventDefault();
      if (busy) return;
      const chosen = file.files && file.files[0];
      if (!chosen) {
        result.replaceChildren(alertBox('Выберите файл CSV', 'import-error'));
        return;
      }
      const what = kind.value;
      const query = { skip_invalid: skip.checked ? 'true' : 'false', filename: chosen.name };
      if (what === 'premises') {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(date.value)) {
          result.replaceChildren(alertBox('Укажите дату выписки', 'import-error'));
          return;
        }
        query.date = date.value;
      }
      busy = true;
      submit.disabled = true;
      result.setAttribute('aria-busy', 'true');
      result.replaceChildren(h('p', { class: 'loading', role: 'status', 'data-testid': 'import-progress' }, `Загрузка… ${chosen.name}`));
      let answer;
      try {
        answer = await api.upload(`/imports/${what}`, chosen, 'text/csv', query);
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) {
          app.sessionLost();
          return;
        }
        result.replaceChildren(importRejected(err));
        return;
      } finally {
        busy = false;
        submit.disabled = false;
        result.setAttribute('aria-busy', 'false');
      }
      result.replaceChildren(importDone(what, chosen.name, answer || {}));
      onImported();
    }

    return h('details', { class: 'import-panel', 'data-testid': 'import-panel' },
      h('summary', { 'data-testid': 'import-toggle' }, 'Импорт'),
      h('form', { class: 'filters import-form', 'aria-label': 'Импорт файла', onsubmit: upload },
        field('import-kind', 'Что загружается', kind),
        field('import-file', 'Файл CSV', file),
        dateField,
        h('div', { class: 'field field-inline field-check' },
          h('label', { for: 'import-skip' }, skip, 'Применить верные строки, отклонённые перечислить')),
        submit),
      h('p', { class: 'muted import-hint' },
        'Файл с ошибками не меняет ничего; ошибки перечисляются построчно. Кодировка UTF-8 или Windows-1251, разделитель «;» или «,».'),
      result);
  }

  /** A 200 answer: what was read and changed, and the rejected rows (skip_invalid). */
  function importDone(what, name, r) {
    const n = (key) => (Number.isFinite(r[key]) ? r[key] : 0);
    const rows = [
      ['Строк прочитано', formatCount(n('rows')), 'import-rows'],
      ['Применено', formatCount(n('rows_applied')), 'import-applied'],
      ['Отклонено', formatCount(n('rows_rejected')), 'import-rejected'],
    ];
    if (what === 'houses' || n('houses_created') || n('houses_updated')) {
      rows.push(['Домов создано / обновлено', `${formatCount(n('houses_created'))} / ${formatCount(n('houses_updated'))}`, 'import-houses']);
    }
    if (what === 'premises' || n('premises_created') || n('premises_updated')) {
      rows.push(['Помещений создано / обновлено', `${formatCount(n('premises_created'))} / ${formatCount(n('premises_updated'))}`, 'import-premises']);
      rows.push(['Прав создано / изменено / прекращено',
        `${formatCount(n('rights_created'))} / ${formatCount(n('rights_updated'))} / ${formatCount(n('rights_ended'))}`, 'import-rights']);
    }
    rows.push(['Изменений записано', formatCount(n('changes')), 'import-changes']);
    const errors = Array.isArray(r.errors) ? r.errors : [];
    const total = Math.max(n('error_count'), errors.length);
    return h('div', { class: 'import-done', 'data-testid': 'import-done' },
      h('p', { class: 'notice', role: 'status' },
        `${IMPORT_KINDS[what] ? IMPORT_KINDS[what].done : 'Файл загружен'}: ${name}${n('rows_rejected') ? ', часть строк отклонена' : ''}`),
      details(rows, 'import-counts', 'details-compact'),
      errors.length ? [
        h('h4', {}, 'Отклонённые строки'),
        total > errors.length ? h('p', { class: 'muted' }, `Показаны первые ${formatCount(errors.length)} из ${formatCount(total)}`) : null,
        importErrorTable(errors.map((e) => [e.line, e.column, e.message]), 'import-rejected-rows'),
      ] : null);
  }

  /** A failed upload: a 422 with the file's errors as a table, anything else as the usual alert. */
  function importRejected(err) {
    const problem = err instanceof ApiError ? err.problem : null;
    const errors = problem && Array.isArray(problem.errors) ? problem.errors : [];
    if (err.status !== 422 || !errors.length) {
      return alertBox((err && err.message) || 'Не удалось загрузить файл', 'import-error');
    }
    const rows = errors.map((e) => {
      const m = /^(\d+):(\d+)$/.exec(String(e.field || ''));
      if (m) return [m[1], m[2], e.message];
      return [null, IMPORT_FIELDS[e.field] || e.field, e.message]; // an argument of the upload, not a cell
    });
    return h('div', { class: 'import-failed', 'data-testid': 'import-failed' },
      alertBox('Файл не принят, ничего не изменено', 'import-error'),
      importErrorTable(rows, 'import-errors'));
  }

  function importErrorTable(rows, testid) {
    return h('div', { class: 'table-wrap' },
      h('table', { class: 'data-table import-errors', 'data-testid': testid },
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col', class: 'num' }, 'Строка'),
          h('th', { scope: 'col', class: 'num' }, 'Столбец'),
          h('th', { scope: 'col' }, 'Причина'))),
        h('tbody', {}, rows.map(([line, column, message]) => h('tr', { 'data-line': line ?? '', 'data-column': column ?? '' },
          h('td', { class: 'num' }, text(line)),
          h('td', { class: 'num' }, text(column)),
          h('td', {}, text(message)))))));
  }

  // ---- changes

  async function loadChanges(route, user, body, seq) {
    const filters = {
      from: route.params.get('from') || '',
      to: route.params.get('to') || '',
      kind: route.params.get('kind') || '',
    };
    const page = app.pageParam(route.params);
    let data;
    try {
      data = await api.list('/registry/changes', { ...filters, page, per_page: PER_PAGE });
    } catch (err) {
      if (app.current(seq) && err instanceof ApiError && err.status === 422) {
        body.setAttribute('aria-busy', 'false');
        body.replaceChildren(changeFilters(filters), alertBox(err.message, 'registry-error'));
        return;
      }
      failed(err, seq, body, 'Не удалось загрузить изменения');
      return;
    }
    if (!app.current(seq)) return;
    const items = Array.isArray(data && data.items) ? data.items : [];
    const total = Number.isFinite(data && data.total) ? data.total : items.length;
    const perPage = Number.isFinite(data && data.per_page) && data.per_page > 0 ? data.per_page : PER_PAGE;
    const current = Number.isFinite(data && data.page) && data.page > 0 ? data.page : page;

    // The addresses of the houses and the numbers of the premises on this page (cached).
    const c = lookups(user);
    const fetchOnce = (map, id, path) => {
      if (!map.has(id)) map.set(id, api.get(path).catch(() => null));
      return map.get(id);
    };
    const [houses, premises] = await Promise.all([
      Promise.all([...new Set(items.map((x) => x.house_id))].map(async (id) => [id, await fetchOnce(c.houses, id, `/houses/${id}`)])),
      Promise.all([...new Set(items.map((x) => x.premises_id))].map(async (id) => [id, await fetchOnce(c.premises, id, `/premises/${id}`)])),
    ]);
    if (!app.current(seq)) return;
    const houseById = new Map(houses);
    const premisesById = new Map(premises);

    const value = (x, v) => (x.kind === 'area' ? formatArea(v) : text(v));
    const rows = items.map((x) => {
      const house = houseById.get(x.house_id);
      const p = premisesById.get(x.premises_id);
      const href = app.routeHref(`house/${x.house_id}`, { premises: x.premises_id });
      return h('tr', { 'data-testid': `change-${x.id}`, 'data-kind': x.kind },
        h('td', { class: 'nowrap' }, formatDate(x.changed_on)),
        h('td', {}, h('span', { class: `badge badge-${x.kind}` }, CHANGE_KINDS[x.kind] || text(x.kind))),
        h('td', {}, house ? addressBlock(house.address, app.routeHref(`house/${x.house_id}`)) : h('a', { href: app.routeHref(`house/${x.house_id}`) }, `Дом № ${x.house_id}`)),
        h('td', { class: 'nowrap' }, h('a', { href }, p ? premisesTitle(p, house && house.kind) : `Помещение № ${x.premises_id}`)),
        h('td', {}, value(x, x.old_value)),
        h('td', {}, value(x, x.new_value)),
        h('td', { class: 'muted-cell' }, text(x.source)));
    });
    const table = h('div', { class: 'table-wrap' },
      h('table', { class: 'data-table', 'data-testid': 'changes-table' },
        h('thead', {}, h('tr', {}, ['Дата', 'Вид', 'Дом', 'Помещение', 'Было', 'Стало', 'Источник']
          .map((label) => h('th', { scope: 'col' }, label)))),
        h('tbody', {}, rows)));

    body.setAttribute('aria-busy', 'false');
    body.replaceChildren(
      changeFilters(filters),
      items.length ? table : h('p', { class: 'empty', 'data-testid': 'empty-state' }, 'Изменений за этот период нет'),
      pager(current, perPage, total, (p) => app.navigate('registry/changes', { ...filters, page: p })));
  }

  function changeFilters(values) {
    const field = (id, label, control) => h('div', { class: 'field field-inline' }, h('label', { for: id }, label), control);
    const from = h('input', { id: 'filter-changes-from', name: 'from', type: 'date', value: values.from, 'data-testid': 'filter-changes-from' });
    const to = h('input', { id: 'filter-changes-to', name: 'to', type: 'date', value: values.to, 'data-testid': 'filter-changes-to' });
    const kind = h('select', { id: 'filter-changes-kind', name: 'kind', 'data-testid': 'filter-changes-kind' },
      [['', 'Все изменения'], ...Object.entries(CHANGE_KINDS)]
        .map(([v, label]) => h('option', { value: v, selected: v === values.kind }, label)));
    kind.addEventListener('change', () => kind.form.requestSubmit());
    const active = Object.values(values).some((v) => v !== '');
    return h('form', {
      class: 'filters', 'aria-label': 'Отбор изменений',
      onsubmit: (event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        app.navigate('registry/changes', {
          from: String(data.get('from') || ''), to: String(data.get('to') || ''), kind: String(data.get('kind') || ''),
        });
      },
    },
    field('filter-changes-from', 'С даты', from),
    field('filter-changes-to', 'По дату', to),
    field('filter-changes-kind', 'Вид изменения', kind),
    h('button', { type: 'submit', class: 'button', 'data-testid': 'filter-changes-submit' }, 'Показать'),
    active ? h('a', { class: 'button button-secondary', href: app.routeHref('registry/changes') }, 'Сбросить') : null);
  }

  // ------------------------------------------------ the house card

  async function renderHouseCard({ route, host, seq, user, back }) {
    const id = Number.parseInt(route.rest[0] || '', 10);
    const wrap = h('section', { class: 'house-card', 'data-testid': 'house-card', 'aria-busy': 'true' },
      back ? h('a', { class: 'back-link', href: back.href, 'data-testid': 'house-back' }, back.label) : null,
      h('p', { class: 'loading', role: 'status' }, 'Загрузка…'));
    host.replaceChildren(wrap);
    if (!Number.isFinite(id) || id < 1) {
      wrap.setAttribute('aria-busy', 'false');
      wrap.append(alertBox('Дом не найден', 'registry-error'));
      wrap.querySelector('.loading').remove();
      return;
    }

    const resident = user.role === 'resident';
    let house;
    let premises;
    let orgs;
    let municipalities;
    let regions;
    try {
      [house, premises, orgs, municipalities, regions] = await Promise.all([
        api.get(`/houses/${id}`),
        api.get(`/houses/${id}/premises`),
        orgsOf(user),
        municipalitiesOf(user),
        regionsOf(user),
      ]);
    } catch (err) {
      failed(err, seq, wrap, 'Не удалось загрузить карточку дома');
      if (back && app.current(seq)) wrap.prepend(h('a', { class: 'back-link', href: back.href }, back.label));
      return;
    }
    if (!app.current(seq)) return;
    lookups(user).houses.set(house.id, house);
    if (!resident) document.body.classList.add('layout-wide');
    const list = Array.isArray(premises && premises.items) ? premises.items : [];
    const lookup = { orgs, municipalities, regions, houseKind: house.kind };

    document.title = `${house.address} — Управдом`;
    wrap.setAttribute('aria-busy', 'false');
    wrap.replaceChildren();
    appendChildren(wrap, [
      back ? h('a', { class: 'back-link', href: back.href, 'data-testid': 'house-back' }, back.label) : null,
      houseHeader(house),
      reportLinks(house),
      h('div', { class: 'card' },
        h('h3', {}, 'Характеристики дома'),
        houseDetails(house, lookup, resident)),
      resident ? ownPremises(house, list, lookup) : chessboard(house, list, lookup, route.params.get('premises'))]);
    // a link to one premises (from «Изменения»): show its cell and panel
    const chosen = wrap.querySelector('.flat[aria-pressed="true"]');
    if (chosen) chosen.scrollIntoView({ block: 'center' });
  }

  function houseHeader(house) {
    const kind = HOUSE_KINDS[house.kind];
    const [street, locality] = splitAddress(house.address);
    return h('div', { class: 'house-head' },
      h('div', {},
        h('h2', { 'data-testid': 'house-address', tabindex: '-1' }, text(street)),
        locality ? h('p', { class: 'muted', 'data-testid': 'house-locality' }, locality) : null),
      h('div', { class: 'badges' },
        h('span', { class: 'badge', 'data-testid': 'house-kind', title: kind ? kind.full : null }, kind ? kind.short : text(house.kind)),
        house.emergency ? h('span', { class: 'badge badge-danger', 'data-testid': 'house-emergency' }, 'Аварийный') : null,
        house.cadastral_number ? h('span', { class: 'badge badge-plain' }, `Кадастровый № ${house.cadastral_number}`) : null));
  }

  function reportLinks(house) {
    const href = (type, format) => `/api/v1/reports/house?${new URLSearchParams({ house_id: house.id, type, format })}`;
    const link = (type, format, label, primary) => h('a', {
      class: `button${primary ? '' : ' button-secondary'}`, href: href(type, format), download: true,
      'data-testid': `report-${type}-${format}`,
    }, label);
    const links = house.kind === 'izd'
      ? [link('izd', 'xlsx', 'Отчёт по ИЖД (XLSX)', true), link('izd', 'csv', 'Отчёт по ИЖД (CSV)')]
      : [link('basic', 'xlsx', 'Базовый отчёт (XLSX)', true), link('extended', 'xlsx', 'Расширенный отчёт (XLSX)', true),
        link('basic', 'csv', 'Базовый отчёт (CSV)'), link('extended', 'csv', 'Расширенный отчёт (CSV)')];
    return h('div', { class: 'reports', 'data-testid': 'house-reports', role: 'group', 'aria-label': 'Отчёты по дому' },
      h('span', { class: 'reports-label' }, 'Отчёты:'), links);
  }

  function houseDetails(x, { orgs, municipalities, regions }, resident) {
    const named = (map, id, what) => {
      if (id === null || id === undefined) return DASH;
      const o = map.get(id);
      return o ? o.name : `${what} № ${id}`;
    };
    const coords = x.lat && x.lon ? `${formatDecimal(x.lat)}, ${formatDecimal(x.lon)}` : DASH;
    const rows = [
      ['Адрес', x.address, 'house-f-address'],
      ['Тип дома', HOUSE_KINDS[x.kind] ? `${HOUSE_KINDS[x.kind].short} — ${HOUSE_KINDS[x.kind].full.toLowerCase()}` : x.kind, 'house-f-kind'],
      ['Кадастровый номер', x.cadastral_number, 'house-f-cadastral'],
      ['Код ФИАС (ГАР)', x.fias_guid, 'house-f-fias'],
      ['Регион', named(regions, x.region_id, 'Регион'), 'house-f-region'],
      resident ? null : ['Муниципальное образование', named(municipalities, x.municipality_id, 'МО'), 'house-f-municipality'],
      resident ? null : ['Управляющая организация', orgName(orgs, x.org_id), 'house-f-org'],
      ['Координаты (широта, долгота)', coords, 'house-f-coords'],
      ['Год постройки', x.year_built, 'house-f-year'],
      ['Этажность', x.floors, 'house-f-floors'],
      ['Подъездов', x.entrances, 'house-f-entrances'],
      ['Материал стен', x.wall_material, 'house-f-walls'],
      ['Общая площадь', formatArea(x.total_area), 'house-f-total-area'],
      ['Жилая площадь', formatArea(x.residential_area), 'house-f-residential-area'],
      ['Нежилая площадь', formatArea(x.nonresidential_area), 'house-f-nonresidential-area'],
      ['Площадь общего имущества', formatArea(x.common_area), 'house-f-common-area'],
      ['Нежилых помещений', x.nonresidential_count, 'house-f-nonresidential-count'],
      ['Балконов', x.balconies, 'house-f-balconies'],
      ['Лоджий', x.loggias, 'house-f-loggias'],
      ['Аварийный', yesNo(x.emergency), 'house-f-emergency'],
      ['Общедомовые приборы учёта', metersValue(x.building_meters), 'house-f-meters'],
      ['Инженерные системы', jsonValue(x.systems), 'house-f-systems'],
      ['Прочее', jsonValue(x.extra, EXTRA_LABELS), 'house-f-extra'],
      ['Внесён в реестр', formatDateTime(x.created_at), 'house-f-created'],
      ['Изменён', formatDateTime(x.updated_at), 'house-f-updated'],
    ].filter(Boolean);
    return details(rows, 'house-details', 'details-wide');
  }

  // ---- the chessboard

  function chessboard(house, list, lookup, selectedParam) {
    const residential = list.filter((p) => p.kind === 'residential');
    const placed = residential.filter((p) => Number.isInteger(p.entrance) && Number.isInteger(p.floor));
    const unplaced = residential.filter((p) => !placed.includes(p)).sort(byNumber);
    const other = list.filter((p) => p.kind !== 'residential').sort(byNumber);

    const panel = h('aside', { class: 'premises-panel', 'data-testid': 'premises-panel', 'aria-live': 'polite', 'aria-label': 'Помещение' },
      h('p', { class: 'muted panel-hint' }, 'Выберите помещение, чтобы увидеть его права и лицевые счета.'));
    const buttons = new Map(); // premises id → its buttons (cell, list entry)
    let selected = null;

    function select(p, { focusPanel = false } = {}) {
      if (selected) for (const b of buttons.get(selected.id) || []) b.setAttribute('aria-pressed', 'false');
      selected = p;
      for (const b of buttons.get(p.id) || []) b.setAttribute('aria-pressed', 'true');
      // the selection is part of the address (a link to it opens the same panel), without a re-render
      history.replaceState(null, '', `${location.pathname}${location.search}${app.routeHref(`house/${house.id}`, { premises: p.id })}`);
      showPremises(panel, p, lookup, () => {
        if (selected) for (const b of buttons.get(selected.id) || []) b.setAttribute('aria-pressed', 'false');
        selected = null;
        history.replaceState(null, '', `${location.pathname}${location.search}${app.routeHref(`house/${house.id}`)}`);
        panel.replaceChildren(h('p', { class: 'muted panel-hint' }, 'Выберите помещение, чтобы увидеть его права и лицевые счета.'));
      });
      if (focusPanel) panel.querySelector('h3').focus();
    }

    function cellButton(p, extraClass = '') {
      const s = premisesState(p);
      const label = [premisesTitle(p, house.kind), formatArea(p.area), CELL_STATES[s.state],
        s.encumbered ? 'есть обременение' : null, s.sharesOff ? 'доли не в сумме 1' : null].filter(Boolean).join(', ');
      const b = h('button', {
        type: 'button',
        class: `flat flat-${s.state}${s.encumbered ? ' flat-encumbered' : ''}${s.sharesOff ? ' flat-shares-off' : ''}${extraClass}`,
        'data-testid': `premises-cell-${p.id}`, 'data-state': s.state, 'data-number': p.number,
        'aria-pressed': 'false', 'aria-label': label, title: label,
        onclick: () => {
          select(p);
          // one column on a narrow screen: the panel is below the board, bring it into view
          if (window.matchMedia('(max-width: 62rem)').matches) panel.scrollIntoView({ block: 'start', behavior: 'smooth' });
        },
      }, text(p.number));
      if (!buttons.has(p.id)) buttons.set(p.id, []);
      buttons.get(p.id).push(b);
      return b;
    }

    const parts = [];
    if (placed.length) {
      const entrances = [...new Set(placed.map((p) => p.entrance))].sort((a, b) => a - b);
      const floorsSeen = placed.map((p) => p.floor);
      const top = Math.max(...floorsSeen);
      const bottom = Math.min(...floorsSeen);
      const at = new Map();
      for (const p of placed) {
        const key = `${p.entrance}/${p.floor}`;
        if (!at.has(key)) at.set(key, []);
        at.get(key).push(p);
      }
      const rows = [];
      for (let floor = top; floor >= bottom; floor--) {
        rows.push(h('tr', { 'data-floor': floor },
          h('th', { scope: 'row', class: 'floor' }, String(floor)),
          entrances.map((entrance) => h('td', { 'data-entrance': entrance },
            h('div', { class: 'flats' }, (at.get(`${entrance}/${floor}`) || []).sort(byNumber).map((p) => cellButton(p)))))));
      }
      parts.push(h('div', { class: 'chess-scroll' },
        h('table', { class: 'chess', 'data-testid': 'chessboard' },
          h('caption', { class: 'visually-hidden' }, 'Шахматка: подъезды по столбцам, этажи по строкам (верхний этаж сверху)'),
          h('thead', {}, h('tr', {},
            h('th', { scope: 'col', class: 'floor' }, 'Этаж'),
            entrances.map((e) => h('th', { scope: 'col' }, `Подъезд ${e}`)))),
          h('tbody', {}, rows))));
    }
    if (unplaced.length) {
      parts.push(h('div', { class: 'unplaced', 'data-testid': 'premises-unplaced' },
        h('h4', {}, placed.length ? 'Жилые помещения без подъезда и этажа' : 'Жилые помещения'),
        h('div', { class: 'flats flats-wrap' }, unplaced.map((p) => cellButton(p)))));
    }
    if (!residential.length) {
      parts.push(h('p', { class: 'empty', 'data-testid': 'premises-empty' },
        list.length ? 'Жилых помещений в реестре нет' : 'Помещения дома в реестр ещё не внесены'));
    }

    const noRight = residential.filter((p) => premisesState(p).state === 'none').length;
    const summary = [`жилых помещений: ${formatCount(residential.length)}`,
      other.length ? `нежилых, машино-мест и кладовых: ${formatCount(other.length)}` : null,
      noRight ? `без прав: ${formatCount(noRight)}` : null].filter(Boolean).join(' · ');

    const legendItem = (cls, label) => h('li', {}, h('span', { class: `swatch ${cls}`, 'aria-hidden': 'true' }), label);
    const legend = h('ul', { class: 'legend', 'aria-label': 'Обозначения' },
      Object.entries(CELL_STATES).map(([k, label]) => legendItem(`flat-${k}`, label)),
      legendItem('flat-own flat-encumbered', 'Обременение (ипотека, арест…)'),
      legendItem('flat-shared flat-shares-off', 'Доли не в сумме 1'));

    // Non-residential premises: a table (their owners are mostly organizations); parking
    // places and storerooms: compact groups of cells like the chessboard's.
    const nonresidential = other.filter((p) => p.kind === 'nonresidential' || !PREMISES_KINDS[p.kind]);
    const groups = [['parking', 'Машино-места'], ['storage', 'Кладовые']]
      .map(([kind, label]) => [label, other.filter((p) => p.kind === kind)])
      .filter(([, items]) => items.length);
    const otherPart = other.length ? h('div', { class: 'other-premises', 'data-testid': 'premises-other' },
      nonresidential.length ? [
        h('h4', {}, `Нежилые помещения (${nonresidential.length})`),
        h('div', { class: 'table-wrap' }, h('table', { class: 'data-table' },
          h('thead', {}, h('tr', {}, ['№', 'Площадь', 'Подъезд', 'Этаж', 'Правообладатель', 'Вид права']
            .map((label) => h('th', { scope: 'col' }, label)))),
          h('tbody', {}, nonresidential.map((p) => {
            const rights = p.rights || [];
            return h('tr', {},
              h('td', {}, cellButton(p, ' flat-inline')),
              h('td', { class: 'num nowrap' }, formatArea(p.area)),
              h('td', { class: 'num' }, text(p.entrance)),
              h('td', { class: 'num' }, text(p.floor)),
              h('td', {}, rights.length ? rights.map((r) => r.owner_name).join('; ') : h('span', { class: 'text-danger' }, 'нет зарегистрированных прав')),
              h('td', {}, rights.length ? [...new Set(rights.map((r) => RIGHT_TYPES[r.right_type] || r.right_type))].join('; ') : DASH));
          }))))] : null,
      groups.map(([label, items]) => [
        h('h4', {}, `${label} (${items.length})`),
        h('div', { class: 'flats flats-wrap' }, items.map((p) => cellButton(p)))])) : null;

    const board = h('div', { class: 'card chess-card', 'data-testid': 'house-chessboard' },
      h('div', { class: 'chess-head' },
        h('h3', {}, house.kind === 'izd' ? 'Помещения и правообладатели' : 'Шахматка'),
        h('p', { class: 'muted', 'data-testid': 'chess-summary' }, summary)),
      legend,
      h('div', { class: 'chess-layout' },
        h('div', { class: 'chess-main' }, parts, otherPart),
        panel));

    const want = Number.parseInt(selectedParam || '', 10);
    const initial = list.find((p) => p.id === want);
    if (initial) select(initial);
    return board;
  }

  /** Fills the side panel with one premises: its details, rights and accounts. */
  function showPremises(panel, p, lookup, close) {
    const title = h('h3', { tabindex: '-1', 'data-testid': 'panel-title' }, premisesTitle(p, lookup.houseKind));
    const endedHost = h('div', { class: 'panel-history' });
    panel.replaceChildren(
      h('div', { class: 'panel-head' },
        title,
        h('button', { type: 'button', class: 'button button-secondary button-small', onclick: close, 'aria-label': 'Закрыть', 'data-testid': 'panel-close' }, '×')),
      premisesBody(p, lookup),
      endedHost);
    loadEndedRights(p, endedHost, panel);
  }

  /** The ended rights of a premises (GET /premises/{id} has them; the chessboard only the current). */
  async function loadEndedRights(p, host, panel) {
    let full;
    try {
      full = await api.get(`/premises/${p.id}`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) app.sessionLost();
      return;
    }
    if (!host.isConnected || !panel.contains(host)) return;
    const ended = (full.rights || []).filter((r) => r.end_date);
    if (!ended.length) return;
    host.replaceChildren(h('h4', {}, 'Прекращённые права'),
      h('ul', { class: 'rights rights-ended', 'data-testid': 'panel-ended-rights' }, ended.map((r) => h('li', { class: 'right' },
        h('div', { class: 'right-owner' }, text(r.owner_name)),
        h('div', { class: 'muted' },
          `${RIGHT_TYPES[r.right_type] || r.right_type}${r.right_type === 'shared' ? `, доля ${r.share}` : ''}; `
          + `${registrationText(r.reg_number, r.reg_date)}; прекращено ${formatDate(r.end_date)}`)))));
  }

  function premisesBody(p, { orgs }) {
    const rights = Array.isArray(p.rights) ? p.rights : [];
    const accounts = Array.isArray(p.accounts) ? p.accounts : [];
    const info = details([
      ['Вид', PREMISES_KINDS[p.kind] ? PREMISES_KINDS[p.kind].name : p.kind, 'panel-kind'],
      ['Площадь', formatArea(p.area), 'panel-area'],
      ['Кадастровый номер', p.cadastral_number || h('span', { class: 'text-danger' }, 'не указан'), 'panel-cadastral'],
      ['Подъезд', p.entrance, 'panel-entrance'],
      ['Этаж', p.floor, 'panel-floor'],
    ], 'panel-details', 'details-compact');

    const rightsList = rights.length
      ? h('ul', { class: 'rights', 'data-testid': 'panel-rights' }, rights.map((r) => h('li', { class: 'right', 'data-testid': `right-${r.id}` },
        h('div', { class: 'right-owner', 'data-testid': 'right-owner' }, text(r.owner_name)),
        h('div', { class: 'right-who' }, `${OWNER_KINDS[r.owner_kind] || text(r.owner_kind)}${r.owner_inn ? ` · ИНН ${r.owner_inn}` : ''}`),
        details([
          ['Вид права', RIGHT_TYPES[r.right_type] || r.right_type, 'right-type'],
          ['Доля', shareText(r), 'right-share'],
          ['Регистрация', registrationText(r.reg_number, r.reg_date), 'right-registration'],
          ['Обременение', r.encumbrance
            ? h('span', { class: 'text-warn' }, [r.encumbrance.kind, registrationText(r.encumbrance.reg_number, r.encumbrance.reg_date)]
              .filter((s) => s && s !== DASH).join(', '))
            : 'нет', 'right-encumbrance'],
        ], null, 'details-compact'))))
      : h('p', { class: 'alert alert-soft', 'data-testid': 'panel-no-rights' }, 'Нет зарегистрированных прав');

    const sum = rights.filter((r) => r.right_type === 'shared');
    const s = sum.length ? shareSum(sum) : null;
    const sharesWarning = sum.length && !(s && s[0] === s[1])
      ? h('p', { class: 'alert alert-soft' }, `Доли в сумме ${s ? `${s[0]}/${s[1]}` : 'не определяются'}, а не 1`)
      : null;

    const accountsList = accounts.length
      ? h('ul', { class: 'accounts', 'data-testid': 'panel-accounts' }, accounts.map((a) => h('li', { class: 'account', 'data-testid': `account-${a.id}` },
        details([
          ['ЕЛС', a.els || h('span', { class: 'text-danger' }, 'нет'), 'account-els'],
          ['Лицевой счёт', h('a', {
            href: app.routeHref(`account/${a.id}`, { house: a.house_id }), class: 'row-link',
            'data-testid': `account-link-${a.id}`, title: 'Начисления, перерасчёты и платежи по счёту',
          }, text(a.number)), 'account-number'],
          ['Организация', orgs && orgs.has(a.org_id) ? orgName(orgs, a.org_id) : null, 'account-org'],
          ['Плательщик', a.payer_name, 'account-payer'],
          ['Проживающих', a.residents, 'account-residents'],
          ['Открыт', a.opened_on ? formatDate(a.opened_on) : null],
          a.closed_on ? ['Закрыт', formatDate(a.closed_on)] : null,
        ].filter((row) => row && !(row[0] === 'Организация' && row[1] === null)), null, 'details-compact'))))
      : h('p', { class: 'muted', 'data-testid': 'panel-no-accounts' }, 'Лицевых счетов нет');

    return h('div', { class: 'panel-body' },
      info,
      h('h4', {}, `Права${rights.length > 1 ? ` (${rights.length})` : ''}`),
      sharesWarning,
      rightsList,
      h('h4', {}, `Лицевые счета${accounts.length > 1 ? ` (${accounts.length})` : ''}`),
      accountsList);
  }

  // ------------------------------------------------ residents: «Мой дом»

  function ownPremises(house, list, lookup) {
    const sorted = [...list].sort(byNumber);
    return h('div', { class: 'card', 'data-testid': 'own-premises' },
      h('h3', {}, sorted.length > 1 ? 'Мои помещения' : 'Моё помещение'),
      sorted.length
        ? h('div', { class: 'own-list' }, sorted.map((p) => h('article', { class: 'own-premises', 'data-testid': `premises-card-${p.id}` },
          h('h4', { class: 'own-title' }, premisesTitle(p, house.kind)),
          premisesBody(p, lookup))))
        : h('p', { class: 'empty' }, 'Помещения не найдены'));
  }

  async function renderMyHouse({ route, host, seq, user }) {
    if (route.section === 'house') {
      // «← Мои дома» only when there is more than one house to go back to
      const c = lookups(user);
      const back = c.myHouses && c.myHouses.length > 1 ? { href: app.routeHref('myhouse'), label: '← Мои дома' } : null;
      renderHouseCard({ route, host, seq, user, back });
      return;
    }
    const body = h('section', { class: 'list-section', 'data-testid': 'section-myhouse', 'aria-busy': 'true' },
      h('p', { class: 'loading', role: 'status' }, 'Загрузка…'));
    host.replaceChildren(body);
    let data;
    try {
      data = await api.list('/houses', { per_page: 100 });
    } catch (err) {
      failed(err, seq, body, 'Не удалось загрузить сведения о доме');
      return;
    }
    if (!app.current(seq)) return;
    const houses = Array.isArray(data && data.items) ? data.items : [];
    lookups(user).myHouses = houses;
    if (houses.length === 1) {
      renderHouseCard({ route: { section: 'house', rest: [String(houses[0].id)], params: route.params }, host, seq, user, back: null });
      return;
    }
    body.setAttribute('aria-busy', 'false');
    body.replaceChildren(
      h('h2', {}, 'Мои дома'),
      houses.length
        ? h('ul', { class: 'house-list', 'data-testid': 'my-houses' }, houses.map((x) => h('li', {},
          addressBlock(x.address, app.routeHref(`house/${x.id}`), `house-link-${x.id}`),
          h('span', { class: 'muted' }, ` · ${houseKindShort(x.kind)}${x.year_built ? `, ${x.year_built} г.` : ''}`))))
        : h('p', { class: 'empty', 'data-testid': 'empty-state' }, 'К вашей учётной записи пока не привязано ни одного помещения'));
  }

  return {
    registry: { label: 'Реестр', render: renderRegistry, aliases: ['house'] },
    myhouse: { label: 'Мой дом', render: renderMyHouse, aliases: ['house'] },
  };
}
