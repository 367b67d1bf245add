// The tariffs editor «Тарифы» (docs/billing-catalog.md "Web page"): the services of an
// organization, and for the chosen service its tariff and norm histories with forms to add a
// row — from the 1st of a month, a price or a norm, a scope (the whole organization, a
// municipality, a house by its address). The server's refusals (a start inside a month, a start
// before the history's last one, a house outside the territory) are shown next to the field they
// name. The administrator and organization staff write; the operators only read. Server data goes
// into the page as text only (see dom.js).
import { api, ApiError, request } from './api.js';
import {
  h, appendChildren, text, alertBox, details, formatDate, formatDateTime, formatDecimal,
} from './dom.js';

const METHODS = {
  area: 'по площади',
  residents: 'по числу зарегистрированных',
  meter: 'по прибору учёта',
  fixed: 'за лицевой счёт',
};
const RESOURCES = {
  cold_water: 'холодная вода',
  hot_water: 'горячая вода',
  wastewater: 'водоотведение',
  electricity: 'электроэнергия',
  heat: 'тепловая энергия',
  gas: 'газ',
};
const ZONES = { day: 'дневная зона', night: 'ночная зона' };
const WRITERS = ['admin', 'org_staff']; // billing.write (docs/api.md)

/** "37.1000" → "37,10": at least two decimals, trailing zeros past them dropped. */
function money4(value) {
  const m = /^(-?\d+)\.(\d*?)0*$/.exec(String(value || ''));
  if (!m) return formatDecimal(value);
  return formatDecimal(`${m[1]}.${m[2].padEnd(2, '0')}`);
}

function sentence(message) {
  const t = String(message || '').trim();
  return t ? t.charAt(0).toUpperCase() + t.slice(1) : '';
}

function scopeText(row) {
  if (row.scope === 'house') return `Дом: ${text(row.house_address)}`;
  if (row.scope === 'municipality') return `Муниципальное образование: ${text(row.municipality_name)}`;
  return 'Вся организация';
}

/** "для всей организации" / "для дома …": the scope in a sentence. */
function scopeFor(row) {
  if (row.scope === 'house') return `для дома ${text(row.house_address)}`;
  if (row.scope === 'municipality') return `для муниципального образования ${text(row.municipality_name)}`;
  return 'для всей организации';
}

function methodText(s) {
  const how = METHODS[s.method] || text(s.method);
  if (s.method !== 'meter') return how;
  const what = RESOURCES[s.resource] || text(s.resource);
  return `${how}: ${what}${ZONES[s.zone] ? `, ${ZONES[s.zone]}` : ''}`;
}

/**
 * The «Тарифы» tab for app.js. `app` gives: current(seq), sessionLost(), routeHref(section,
 * params), navigate(section, params).
 */
export function tariffsSections(app) {
  function failed(err, seq, host, fallback) {
    if (!app.current(seq)) return;
    if (err instanceof ApiError && err.status === 401) {
      app.sessionLost();
      return;
    }
    host.setAttribute('aria-busy', 'false');
    host.replaceChildren(alertBox((err && err.message) || fallback, 'tariffs-error'));
  }

  let lastList = null; // the list a service card goes back to

  function render({ route, host, seq, user }) {
    if (route.section === 'tariff') {
      renderService({ route, host, seq, user, back: lastList && lastList.user === user ? lastList.href : app.routeHref('tariffs') });
      return;
    }
    lastList = { user, href: location.hash || app.routeHref('tariffs') };
    renderList({ route, host, seq, user });
  }

  // ------------------------------------------------ the services

  async function renderList({ route, host, seq, user }) {
    const ownOrg = user.role === 'org_staff' ? user.org_id : null;
    const orgId = ownOrg || route.params.get('org_id') || '';
    const showArchived = route.params.get('archived') === 'all';
    const body = h('div', { class: 'section-body', 'aria-live': 'polite', 'aria-busy': 'true' },
      h('p', { class: 'loading', role: 'status' }, 'Загрузка…'));
    const filters = h('form', {
      class: 'filters', role: 'search', 'aria-label': 'Отбор услуг',
      onsubmit: (event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        app.navigate('tariffs', { org_id: ownOrg ? '' : String(data.get('org_id') || ''), archived: data.get('archived') ? 'all' : '' });
      },
    });
    host.replaceChildren(h('section', { class: 'list-section', 'data-testid': 'section-tariffs', 'aria-labelledby': 'h-tariffs' },
      h('h2', { id: 'h-tariffs' }, 'Услуги и тарифы'),
      h('p', { class: 'muted tariffs-lead' }, 'Тариф действует с 1-го числа месяца; история не переписывается: новый тариф закрывает предыдущий днём раньше.'),
      filters,
      body));

    const archived = h('input', { type: 'checkbox', id: 'filter-tariffs-archived', name: 'archived', checked: showArchived, 'data-testid': 'filter-tariffs-archived' });
    archived.addEventListener('change', () => filters.requestSubmit());
    if (!ownOrg) {
      const select = h('select', { id: 'filter-tariffs-org', name: 'org_id', 'data-testid': 'filter-tariffs-org' },
        h('option', { value: '' }, 'Все организации'));
      select.addEventListener('change', () => filters.requestSubmit());
      filters.append(h('div', { class: 'field field-inline' }, h('label', { for: 'filter-tariffs-org' }, 'Организация'), select));
      api.list('/organizations', { per_page: 500 }).then((list) => {
        if (!app.current(seq)) return;
        for (const o of (list && list.items) || []) {
          select.append(h('option', { value: String(o.id), selected: String(o.id) === String(orgId) }, o.short_name || o.name));
        }
      }).catch(() => {});
    }
    filters.append(h('div', { class: 'field field-check field-inline' },
      h('label', { for: 'filter-tariffs-archived' }, archived, 'Показывать архивные')));

    let data;
    try {
      data = await api.list('/services', { org_id: orgId, archived: showArchived ? '' : 'false', per_page: 500 });
    } catch (err) {
      failed(err, seq, body, 'Не удалось загрузить услуги');
      return;
    }
    if (!app.current(seq)) return;
    const items = (data && data.items) || [];
    body.setAttribute('aria-busy', 'false');
    if (!items.length) {
      body.replaceChildren(h('p', { class: 'empty', 'data-testid': 'empty-state' }, 'Услуг пока нет'));
      return;
    }
    const columns = [
      ['Услуга', (s) => h('a', { href: app.routeHref(`tariff/${s.id}`), class: 'row-link', 'data-testid': `service-link-${s.id}` }, s.name)],
      ['Код', (s) => s.code],
      ['Начисление', (s) => methodText(s)],
      ['Единица', (s) => s.unit],
      ownOrg ? null : ['Организация', (s) => s.org_name],
      ['Состояние', (s) => (s.archived ? h('span', { class: 'badge badge-plain' }, 'в архиве') : 'действует')],
    ].filter(Boolean);
    body.replaceChildren(h('div', { class: 'table-wrap' },
      h('table', { class: 'data-table', 'data-testid': 'services-table' },
        h('thead', {}, h('tr', {}, columns.map(([label]) => h('th', { scope: 'col' }, label)))),
        h('tbody', {}, items.map((s) => h('tr', { 'data-testid': `service-row-${s.id}`, 'data-code': s.code },
          columns.map(([, value]) => {
            const v = value(s);
            return h('td', {}, v instanceof Node ? v : text(v));
          })))))));
  }

  // ------------------------------------------------ one service: histories and forms

  async function renderService({ route, host, seq, user, back }) {
    const id = Number.parseInt(route.rest[0] || '', 10);
    const backLink = () => h('a', { class: 'back-link', href: back, 'data-testid': 'service-back' }, '← К списку услуг');
    const wrap = h('section', { class: 'house-card', 'data-testid': 'service-card', 'aria-busy': 'true' },
      backLink(), h('p', { class: 'loading', role: 'status' }, 'Загрузка…'));
    host.replaceChildren(wrap);
    let service;
    try {
      if (!Number.isFinite(id) || id < 1) throw new ApiError(404, 'Услуга не найдена');
      service = await api.get(`/services/${id}`);
    } catch (err) {
      failed(err, seq, wrap, 'Не удалось загрузить услугу');
      if (app.current(seq)) wrap.prepend(backLink());
      return;
    }
    if (!app.current(seq)) return;
    document.title = `${service.name} — Управдом`;
    const canWrite = WRITERS.includes(user.role);
    const kinds = [{
      key: 'tariffs', field: 'price', title: 'Тарифы', noun: 'тариф', empty: 'Тарифов пока нет',
      label: `Цена, ₽ за ${service.unit}`, hint: 'Рубли за единицу, до 4 знаков после запятой, например 35,6712',
      show: (v) => `${money4(v)} ₽`,
    }];
    if (service.method === 'meter') {
      kinds.push({
        key: 'norms', field: 'per_person', title: 'Нормативы потребления', noun: 'норматив', empty: 'Нормативов пока нет',
        label: `Норматив, ${service.unit} на человека в месяц`, hint: 'До 3 знаков после запятой, например 6,935',
        show: (v) => `${formatDecimal(v)} ${service.unit}`,
      });
    }

    wrap.setAttribute('aria-busy', 'false');
    wrap.replaceChildren();
    appendChildren(wrap, [
      backLink(),
      h('div', { class: 'house-head' },
        h('div', {},
          h('h2', { 'data-testid': 'service-title', tabindex: '-1' }, service.name),
          h('p', { class: 'muted' }, text(service.org_name))),
        service.archived ? h('div', { class: 'badges' }, h('span', { class: 'badge badge-plain' }, 'в архиве')) : null),
      h('div', { class: 'card' }, details([
        ['Код', service.code, 'service-f-code'],
        ['Начисление', methodText(service), 'service-f-method'],
        ['Единица', service.unit, 'service-f-unit'],
        service.method === 'meter' ? ['Повышающий коэффициент без прибора', `×${formatDecimal((service.raising_pct / 100).toFixed(2))}`, 'service-f-raising'] : null,
        ['Порядок в документе', service.sort_order, 'service-f-order'],
      ].filter(Boolean), 'service-details')),
      kinds.map((k) => historyCard(service, k, canWrite, seq)),
    ]);
  }

  function historyCard(service, kind, canWrite, seq) {
    const tableHost = h('div', { 'aria-live': 'polite', 'data-testid': `${kind.key}-history` },
      h('p', { class: 'loading', role: 'status' }, 'Загрузка…'));
    const card = h('div', { class: 'card', 'data-testid': `${kind.key}-card` }, h('h3', {}, kind.title), tableHost);

    async function load() {
      let data;
      try {
        data = await api.list(`/services/${service.id}/${kind.key}`, { per_page: 500 });
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return app.sessionLost();
        tableHost.replaceChildren(alertBox(err.message || 'Не удалось загрузить историю', `${kind.key}-error`));
        return;
      }
      if (!app.current(seq)) return;
      const rows = (data && data.items) || [];
      tableHost.replaceChildren(rows.length
        ? h('div', { class: 'table-wrap' }, h('table', { class: 'data-table', 'data-testid': `${kind.key}-table` },
          h('thead', {}, h('tr', {}, ['Область действия', 'С', 'По', kind.title === 'Тарифы' ? 'Цена' : 'Норматив', 'Внесён']
            .map((label) => h('th', { scope: 'col' }, label)))),
          h('tbody', {}, rows.map((row) => h('tr', {
            'data-testid': `${kind.key}-row-${row.id}`, 'data-from': row.valid_from, 'data-open': row.valid_to ? 'false' : 'true',
          },
          h('td', {}, scopeText(row)),
          h('td', { class: 'nowrap' }, formatDate(row.valid_from)),
          h('td', { class: 'nowrap' }, row.valid_to ? formatDate(row.valid_to) : 'бессрочно'),
          h('td', { class: 'num nowrap', 'data-testid': `${kind.key}-value-${row.id}` }, kind.show(row[kind.field])),
          h('td', { class: 'nowrap muted-cell' }, formatDateTime(row.created_at)))))))
        : h('p', { class: 'empty', 'data-testid': `${kind.key}-empty` }, kind.empty));
    }

    load();
    if (canWrite) card.append(rateForm(service, kind, load));
    return card;
  }

  function rateForm(service, kind, reload) {
    const p = kind.key; // id prefix: tariffs-… / norms-…
    const errors = {};
    const field = (name, label, control, hint) => {
      const id = `${p}-${name}`;
      control.id = id;
      control.setAttribute('data-testid', id);
      control.setAttribute('aria-describedby', `${id}-error`);
      errors[name] = h('p', { class: 'field-error', id: `${id}-error`, role: 'alert', hidden: true, 'data-testid': `${id}-error` });
      return h('div', { class: 'field', 'data-field': name }, h('label', { for: id }, label), control,
        hint ? h('span', { class: 'field-hint' }, hint) : null, errors[name]);
    };
    const from = h('input', { type: 'date', name: 'valid_from', required: true });
    const value = h('input', { type: 'text', name: kind.field, inputmode: 'decimal', autocomplete: 'off', required: true });
    const scope = h('select', { name: 'scope' },
      h('option', { value: 'organization' }, 'Вся организация'),
      h('option', { value: 'municipality' }, 'Муниципальное образование'),
      h('option', { value: 'house' }, 'Дом'));
    const municipality = h('select', { name: 'municipality_id' }, h('option', { value: '' }, 'Выберите…'));
    const house = h('input', { type: 'search', name: 'house', list: `${p}-house-options`, autocomplete: 'off', placeholder: 'Адрес дома' });
    const houseOptions = h('datalist', { id: `${p}-house-options` });
    const municipalityField = field('municipality_id', 'Муниципальное образование', municipality);
    const houseField = field('house_id', 'Дом', house, 'Начните вводить адрес и выберите дом из подсказки');
    houseField.append(houseOptions);
    const general = h('p', { class: 'field-error', role: 'alert', hidden: true, 'data-testid': `${p}-form-error` });
    const result = h('div', { 'aria-live': 'polite', 'data-testid': `${p}-result` });
    const submit = h('button', { type: 'submit', class: 'button', 'data-testid': `${p}-submit` }, `Добавить ${kind.noun}`);

    let municipalitiesLoaded = false;
    let found = new Map(); // address → id of the latest suggestions
    let timer = null;
    const showScope = () => {
      municipalityField.hidden = scope.value !== 'municipality';
      houseField.hidden = scope.value !== 'house';
      if (scope.value === 'municipality' && !municipalitiesLoaded) {
        municipalitiesLoaded = true;
        api.list('/municipalities', { per_page: 500 }).then((list) => {
          for (const m of (list && list.items) || []) municipality.append(h('option', { value: String(m.id) }, m.name));
        }).catch(() => {});
      }
    };
    scope.addEventListener('change', () => { clearErrors(); showScope(); });
    house.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const q = house.value.trim();
        if (q.length < 2) return;
        try {
          const list = await api.list('/houses', { q, per_page: 20 });
          found = new Map((list.items || []).map((x) => [x.address, x.id]));
          houseOptions.replaceChildren(...(list.items || []).map((x) => h('option', { value: x.address })));
        } catch (err) {
          if (err instanceof ApiError && err.status === 401) app.sessionLost();
        }
      }, 250);
    });

    function clearErrors() {
      general.hidden = true;
      for (const [name, el] of Object.entries(errors)) {
        el.hidden = true;
        el.textContent = '';
        const control = document.getElementById(`${p}-${name}`);
        if (control) control.removeAttribute('aria-invalid');
      }
    }
    function showError(name, message) {
      const el = errors[name];
      if (!el) {
        general.textContent = [general.hidden ? '' : general.textContent, sentence(message)].filter(Boolean).join(' ');
        general.hidden = false;
        return;
      }
      el.textContent = sentence(message);
      el.hidden = false;
      const control = document.getElementById(`${p}-${name}`);
      if (control) control.setAttribute('aria-invalid', 'true');
    }

    async function send(event) {
      event.preventDefault();
      clearErrors();
      result.replaceChildren();
      const body = { valid_from: from.value, [kind.field]: value.value.replace(/[\s\u00a0]/g, '') };
      if (!from.value) showError('valid_from', 'Укажите дату начала: 1-е число месяца');
      if (!body[kind.field]) showError(kind.field, 'Укажите значение');
      if (scope.value === 'municipality') {
        if (municipality.value) body.municipality_id = Number(municipality.value);
        else showError('municipality_id', 'Выберите муниципальное образование');
      }
      if (scope.value === 'house') {
        let houseId = found.get(house.value);
        if (!houseId && house.value.trim()) {
          try {
            const list = await api.list('/houses', { q: house.value.trim(), per_page: 2 });
            if (Number(list.total) === 1) houseId = list.items[0].id;
          } catch (err) {
            if (err instanceof ApiError && err.status === 401) return app.sessionLost();
          }
        }
        if (houseId) body.house_id = houseId;
        else showError('house_id', house.value.trim() ? `Дом «${house.value.trim()}» не найден: выберите адрес из подсказки` : 'Укажите дом');
      }
      if (Object.values(errors).some((el) => !el.hidden)) return;
      submit.disabled = true;
      let row;
      try {
        row = await request('POST', `/services/${service.id}/${kind.key}`, { body });
      } catch (err) {
        submit.disabled = false;
        if (err instanceof ApiError && err.status === 401) return app.sessionLost();
        const list = err instanceof ApiError && err.problem && Array.isArray(err.problem.errors) ? err.problem.errors : [];
        if (list.length) for (const e of list) showError(e.field, e.message);
        else showError('', (err && err.message) || 'Не удалось сохранить');
        return;
      }
      submit.disabled = false;
      value.value = '';
      result.replaceChildren(h('p', { class: 'notice', role: 'status', 'data-testid': `${p}-added` },
        `${sentence(kind.noun)} с ${formatDate(row.valid_from)} добавлен ${scopeFor(row)}: ${kind.show(row[kind.field])}.`));
      reload();
    }

    const form = h('form', { class: 'rate-form', novalidate: true, onsubmit: send, 'aria-label': `Новый ${kind.noun}`, 'data-testid': `${p}-form` },
      h('h4', {}, `Новый ${kind.noun}`),
      h('div', { class: 'rate-form-fields' },
        field('valid_from', 'Действует с', from, `1-е число месяца: внутри расчётного периода ${kind.noun} не меняется`),
        field(kind.field, kind.label, value, kind.hint),
        field('scope', 'Область действия', scope),
        municipalityField,
        houseField),
      general,
      submit,
      result);
    showScope();
    return form;
  }

  return {
    tariffs: { label: 'Тарифы', render, aliases: ['tariff'] },
  };
}
