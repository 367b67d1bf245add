// upravdom web UI: login form, session restore from the cookie, a home page per role.
// Plain DOM, no framework. Every piece of server data goes into the page as text
// (text nodes / textContent), never as HTML.
import { api, ApiError, request } from './api.js';
import {
  DASH, h, appendChildren, text, formatDateTime, alertBox, details, pager as pagerNav,
} from './dom.js';
import { registrySections } from './registry.js';
import { metersSections } from './meters.js';
import { tariffsSections } from './tariffs.js';
import { billingSections } from './billing.js';

const PER_PAGE = 20;
const REFRESH_MS = 3000; // the jobs list reloads itself this often while a job is running

const ROLES = {
  admin: {
    name: 'Администратор',
    title: 'Администрирование',
    lead: 'Управление всей установкой: организации, реестр домов, приборы учёта, тарифы и начисления, пользователи, журнал действий, фоновые задания.',
    sections: ['organizations', 'registry', 'meters', 'tariffs', 'billing', 'users', 'audit', 'jobs', 'schedules'],
  },
  region_operator: {
    name: 'Оператор ЦУР',
    title: 'Региональный центр управления',
    lead: 'Муниципальные образования, организации, реестр домов, приборы учёта, тарифы и начисления региона.',
    sections: ['municipalities', 'organizations', 'registry', 'meters', 'tariffs', 'billing', 'users', 'audit', 'jobs', 'schedules'],
  },
  municipal_operator: {
    name: 'Оператор МЦУР',
    title: 'Муниципальный центр управления',
    lead: 'Организации, реестр домов, приборы учёта, тарифы и начисления муниципального образования.',
    sections: ['organizations', 'registry', 'meters', 'tariffs', 'billing', 'users', 'audit', 'jobs', 'schedules'],
  },
  org_staff: {
    name: 'Сотрудник организации',
    title: 'Кабинет организации',
    lead: 'Сведения о вашей организации, реестр её домов, приборы учёта, тарифы и начисления.',
    sections: ['registry', 'meters', 'tariffs', 'billing', 'jobs', 'schedules'],
  },
  resident: {
    name: 'Житель',
    title: 'Личный кабинет жителя',
    lead: '',
    sections: ['myhouse', 'bills', 'readings'],
  },
};

const KINDS = {
  uo: { short: 'УО', full: 'Управляющая организация' },
  rso: { short: 'РСО', full: 'Ресурсоснабжающая организация' },
  eirc: { short: 'ЕИРЦ', full: 'Единый информационно-расчётный центр' },
  tko: { short: 'ТКО', full: 'Региональный оператор по обращению с ТКО' },
};

const ACTIONS = {
  'auth.login': 'Вход в систему',
  'auth.logout': 'Выход из системы',
  'auth.login_failed': 'Неудачная попытка входа',
  'organization.create': 'Создание организации',
  'organization.update': 'Изменение организации',
  'municipality.create': 'Создание муниципального образования',
  'municipality.update': 'Изменение муниципального образования',
  'user.create': 'Создание пользователя',
  'user.update': 'Изменение пользователя',
  'job.retry': 'Повтор фонового задания',
  'job.cancel': 'Отмена фонового задания',
  'schedule.create': 'Создание расписания',
  'schedule.update': 'Изменение расписания',
  'service.create': 'Создание услуги',
  'service.update': 'Изменение услуги',
  'tariff.create': 'Новый тариф',
  'norm.create': 'Новый норматив',
  'billing_settings.update': 'Изменение настроек расчётов',
  'key_rate.create': 'Новая ключевая ставка',
  'billing.run': 'Расчёт начислений',
  'billing.close': 'Закрытие расчётного периода',
  'billing.correction': 'Перерасчёт',
};

const OBJECT_TYPES = {
  organization: 'Организация',
  municipality: 'Муниципальное образование',
  user: 'Пользователь',
  region: 'Регион',
  session: 'Сеанс',
  job: 'Фоновое задание',
  schedule: 'Расписание',
  service: 'Услуга',
  tariff: 'Тариф',
  norm: 'Норматив',
  key_rate: 'Ключевая ставка',
  billing_run: 'Расчёт начислений',
  billing_period: 'Расчётный период',
  correction: 'Перерасчёт',
};

// Job states (docs/jobs.md): how the page names them.
const JOB_STATES = {
  queued: 'в очереди',
  running: 'выполняется',
  done: 'готово',
  dead: 'ошибка',
  cancelled: 'отменено',
};

// ---------------------------------------------------------------- formatting

/** An instant in UTC: "24.11.2026, 07:00 UTC". */
function formatUtc(iso) {
  if (!iso) return DASH;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const text = new Intl.DateTimeFormat('ru-RU', { dateStyle: 'short', timeStyle: 'short', timeZone: 'UTC' }).format(date);
  return `${text} UTC`;
}

/** A local wall-clock time as the server gives it ("2026-11-24T10:00") → "24.11.2026, 10:00". */
function formatWallClock(local) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local || '');
  if (!m) return text(local);
  return `${m[3]}.${m[2]}.${m[1]}, ${m[4]}:${m[5]}`;
}

function kindShort(kind) {
  return KINDS[kind] ? KINDS[kind].short : text(kind);
}

function roleName(role) {
  return ROLES[role] ? ROLES[role].name : text(role);
}

// ---------------------------------------------------------------- state

const state = {
  user: null,
  context: null, // role-specific objects fetched once per session (region, municipality, organization)
  seq: 0, // increases on every render; async work of an older render is dropped
  refreshTimer: null, // the pending reload of a list that is still changing (running jobs)
  listRender: 0, // increases on every list render; a late refresh check of an older one is dropped
};

function stopRefresh() {
  if (state.refreshTimer) clearTimeout(state.refreshTimer);
  state.refreshTimer = null;
}

const mainEl = () => document.getElementById('main');

function setMain(...children) {
  document.body.classList.remove('layout-wide'); // only the pages that need it widen the layout
  const main = mainEl();
  main.replaceChildren();
  appendChildren(main, children);
}

function showSessionBar(user) {
  const bar = document.getElementById('session');
  if (!user) {
    bar.hidden = true;
    document.getElementById('user-name').textContent = '';
    document.getElementById('user-role').textContent = '';
    return;
  }
  document.getElementById('user-name').textContent = user.full_name || user.login;
  document.getElementById('user-role').textContent = roleName(user.role);
  bar.hidden = false;
}

// ---------------------------------------------------------------- routing (hash)

/** `#/organizations?page=2&kind=uo` → {section: 'organizations', rest: [], params};
 *  `#/house/12` → {section: 'house', rest: ['12'], params}. */
function parseRoute() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = raw.split('?');
  const [section, ...rest] = path.split('/');
  return { section: section || null, rest, params: new URLSearchParams(query) };
}

/** The tab of the role that shows a route's section (a section or one of its aliases), or null. */
function tabOf(role, section) {
  if (!role || !section) return null;
  if (role.sections.includes(section)) return section;
  return role.sections.find((key) => (SECTIONS[key].aliases || []).includes(section)) || null;
}

function routeHref(section, params = {}) {
  const qs = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') qs.set(key, String(value));
  }
  const s = qs.toString();
  return `#/${section}${s ? `?${s}` : ''}`;
}

function navigate(section, params) {
  const href = routeHref(section, params);
  if (location.hash === href) renderRoute();
  else location.hash = href;
}

function clearHash() {
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
}

function pageParam(params) {
  const n = Number.parseInt(params.get('page') || '1', 10);
  return Number.isFinite(n) && n >= 1 ? n : 1;
}

// ---------------------------------------------------------------- login

function renderLogin({ error = '', notice = '' } = {}) {
  state.user = null;
  state.context = null;
  state.seq++;
  stopRefresh();
  showSessionBar(null);
  document.title = 'Вход — Управдом';

  const errorEl = h('p', { class: 'alert', role: 'alert', 'data-testid': 'login-error', hidden: !error }, error);
  const loginInput = h('input', {
    id: 'login-input', name: 'login', type: 'text', autocomplete: 'username',
    autocapitalize: 'none', spellcheck: 'false', required: true, 'data-testid': 'login-input',
  });
  const passwordInput = h('input', {
    id: 'password-input', name: 'password', type: 'password', autocomplete: 'current-password',
    required: true, 'data-testid': 'password-input',
  });
  const submit = h('button', { type: 'submit', class: 'button', 'data-testid': 'login-submit' }, 'Войти');
  const noticeEl = h('p', { class: 'notice', role: 'status', 'data-testid': 'login-notice', hidden: !notice }, notice);

  function showError(message) {
    errorEl.textContent = message;
    errorEl.hidden = false;
  }

  async function onSubmit(event) {
    event.preventDefault();
    const login = loginInput.value.trim();
    const password = passwordInput.value;
    if (!login || !password) {
      showError('Введите логин и пароль');
      (login ? passwordInput : loginInput).focus();
      return;
    }
    errorEl.hidden = true;
    noticeEl.hidden = true;
    submit.disabled = true;
    submit.textContent = 'Вход…';
    try {
      await api.login(login, password);
      const user = await api.me();
      startSession(user);
    } catch (err) {
      submit.disabled = false;
      submit.textContent = 'Войти';
      showError(err instanceof ApiError ? err.message : 'Не удалось войти');
      passwordInput.value = '';
      passwordInput.focus();
    }
  }

  const form = h('form', { class: 'login-form', 'data-testid': 'login-form', novalidate: true, onsubmit: onSubmit },
    h('div', { class: 'field' }, h('label', { for: 'login-input' }, 'Логин'), loginInput),
    h('div', { class: 'field' }, h('label', { for: 'password-input' }, 'Пароль'), passwordInput),
    errorEl,
    submit);

  setMain(h('section', { class: 'login-card card', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title', 'data-testid': 'login-title' }, 'Вход в систему'),
    h('p', { class: 'muted' }, 'Платформа ЖКХ «Управдом»'),
    noticeEl,
    form));
  loginInput.focus();
}

function startSession(user) {
  state.user = user;
  state.context = null;
  const role = ROLES[user.role];
  const { section } = parseRoute();
  if (!tabOf(role, section)) clearHash();
  renderHome();
}

/** Any 401 after login means the session is gone (expired or revoked). */
function sessionLost() {
  if (!state.user) return;
  clearHash();
  renderLogin({ error: 'Сеанс завершён, войдите снова' });
}

async function logout() {
  const button = document.getElementById('logout');
  button.disabled = true;
  try {
    await api.logout();
  } catch {
    // Already expired or the server is unreachable: the login form is shown either way.
  } finally {
    button.disabled = false;
  }
  clearHash();
  renderLogin({ notice: 'Вы вышли из системы' });
}

// ---------------------------------------------------------------- home pages

function renderHome() {
  const user = state.user;
  const role = ROLES[user.role];
  showSessionBar(user);
  state.seq++;
  stopRefresh();

  if (!role) {
    document.title = 'Управдом';
    setMain(h('section', { class: 'page' },
      h('h1', { 'data-testid': 'home-title', tabindex: '-1' }, 'Управдом'),
      alertBox(`Роль «${text(user.role)}» не поддерживается этим интерфейсом`, 'role-error')));
    return;
  }

  document.title = `${role.title} — Управдом`;
  const contextEl = h('div', { class: 'context', 'data-testid': 'home-context' });
  const sectionEl = h('div', { class: 'section-host' });
  const title = h('h1', { 'data-testid': 'home-title', tabindex: '-1' }, role.title);

  setMain(h('section', { class: 'page', 'data-testid': `home-${user.role}` },
    h('div', { class: 'page-head' },
      title,
      role.lead ? h('p', { class: 'lead' }, role.lead) : null),
    contextEl,
    role.sections.length ? h('nav', { class: 'tabs', 'aria-label': 'Разделы', id: 'tabs' }) : null,
    sectionEl));
  title.focus();

  renderContext(user, contextEl);
  if (role.sections.length) renderRoute();
}

async function renderContext(user, host) {
  switch (user.role) {
    case 'admin':
      return;
    case 'resident':
      host.append(
        h('h2', { class: 'greeting', 'data-testid': 'greeting' }, `Здравствуйте, ${user.full_name || user.login}!`),
        h('p', { class: 'muted home-hint', 'data-testid': 'bills-hint' },
          'Суммы к оплате и история баланса — на вкладке «Мои счета», показания приборов учёта передаются на вкладке «Показания».'));
      return;
    default:
      break;
  }

  host.append(h('p', { class: 'loading', role: 'status' }, 'Загрузка…'));
  try {
    if (!state.context) state.context = await loadContext(user);
  } catch (err) {
    if (state.user !== user) return; // logged out meanwhile
    if (err instanceof ApiError && err.status === 401) return sessionLost();
    host.replaceChildren(alertBox(err.message || 'Не удалось загрузить данные', 'context-error'));
    return;
  }
  if (state.user !== user) return;
  host.replaceChildren(contextView(user, state.context));
}

async function loadContext(user) {
  switch (user.role) {
    case 'region_operator': {
      const list = await api.list('/regions', { per_page: 500 });
      const region = (list.items || []).find((r) => r.id === user.region_id) || (list.items || [])[0] || null;
      return { region };
    }
    case 'municipal_operator':
      if (user.municipality_id == null) return { municipality: null };
      return { municipality: await api.get(`/municipalities/${encodeURIComponent(user.municipality_id)}`) };
    case 'org_staff':
      if (user.org_id == null) return { organization: null };
      return { organization: await api.get(`/organizations/${encodeURIComponent(user.org_id)}`) };
    default:
      return {};
  }
}

function contextView(user, ctx) {
  if (user.role === 'region_operator') {
    const r = ctx.region;
    if (!r) return h('p', { class: 'muted' }, 'Регион не назначен');
    return h('div', { class: 'card' },
      h('h2', { 'data-testid': 'region-name' }, r.name),
      details([['Код региона', r.code, 'region-code'], ['Часовой пояс', r.timezone, 'region-timezone']], 'region-details'));
  }
  if (user.role === 'municipal_operator') {
    const m = ctx.municipality;
    if (!m) return h('p', { class: 'muted' }, 'Муниципальное образование не назначено');
    return h('div', { class: 'card' },
      h('h2', { 'data-testid': 'municipality-name' }, m.name),
      details([['ОКТМО', m.oktmo, 'municipality-oktmo'], ['Часовой пояс', m.timezone, 'municipality-timezone']],
        'municipality-details'));
  }
  if (user.role === 'org_staff') {
    const o = ctx.organization;
    if (!o) return h('p', { class: 'muted' }, 'Организация не назначена');
    return h('div', { class: 'card' },
      h('h2', { 'data-testid': 'org-name' }, o.name),
      details([
        ['Вид', KINDS[o.kind] ? KINDS[o.kind].full : o.kind, 'org-kind'],
        ['Краткое наименование', o.short_name, 'org-short-name'],
        ['ИНН', o.inn, 'org-inn'],
        ['КПП', o.kpp, 'org-kpp'],
        ['ОГРН', o.ogrn, 'org-ogrn'],
        ['Адрес', o.address, 'org-address'],
        ['Телефон', o.phone, 'org-phone'],
        ['Эл. почта', o.email, 'org-email'],
        ['Сайт', o.website, 'org-website'],
        ['Аварийно-диспетчерская служба', o.dispatch_phone, 'org-dispatch-phone'],
        ['Банк', o.bank_name, 'org-bank-name'],
        ['БИК', o.bic, 'org-bic'],
        ['Расчётный счёт', o.settlement_account, 'org-settlement-account'],
        ['Корреспондентский счёт', o.corr_account, 'org-corr-account'],
      ], 'org-details'));
  }
  return h('div');
}

// ---------------------------------------------------------------- list sections

const SECTIONS = {
  organizations: {
    label: 'Организации',
    path: '/organizations',
    empty: 'Организаций не найдено',
    filters: [
      {
        key: 'kind', label: 'Вид', type: 'select',
        options: [['', 'Все виды'], ...Object.entries(KINDS).map(([k, v]) => [k, `${v.short} — ${v.full}`])],
      },
      { key: 'q', label: 'Поиск', type: 'search', placeholder: 'Название или ИНН' },
    ],
    columns: [
      ['Наименование', (o) => o.short_name || o.name],
      ['Вид', (o) => kindShort(o.kind)],
      ['ИНН', (o) => o.inn],
      ['КПП', (o) => o.kpp],
      ['ОГРН', (o) => o.ogrn],
      ['Телефон', (o) => o.phone],
    ],
  },
  municipalities: {
    label: 'Муниципальные образования',
    path: '/municipalities',
    empty: 'Муниципальных образований не найдено',
    filters: [{ key: 'q', label: 'Поиск', type: 'search', placeholder: 'Часть названия' }],
    columns: [
      ['Наименование', (m) => m.name],
      ['ОКТМО', (m) => m.oktmo],
      ['Часовой пояс', (m) => m.timezone],
    ],
  },
  users: {
    label: 'Пользователи',
    path: '/users',
    empty: 'Пользователей не найдено',
    filters: [
      {
        key: 'role', label: 'Роль', type: 'select',
        options: [['', 'Все роли'], ...Object.entries(ROLES).map(([k, v]) => [k, v.name])],
      },
      { key: 'q', label: 'Поиск', type: 'search', placeholder: 'Логин или ФИО' },
    ],
    columns: [
      ['Логин', (u) => u.login],
      ['ФИО', (u) => u.full_name],
      ['Роль', (u) => roleName(u.role)],
      ['Эл. почта', (u) => u.email],
      ['Активен', (u) => (u.active === false ? 'Нет' : 'Да')],
      ['Создан', (u) => formatDateTime(u.created_at)],
    ],
  },
  audit: {
    label: 'Журнал действий',
    path: '/audit',
    empty: 'Записей в журнале нет',
    filters: [
      {
        key: 'action', label: 'Действие', type: 'select',
        options: [['', 'Все действия'], ...Object.entries(ACTIONS)],
      },
    ],
    columns: [
      ['Время', (a) => formatDateTime(a.at)],
      ['Пользователь', (a) => a.user_login],
      ['Действие', (a) => ACTIONS[a.action] || a.action],
      ['Объект', (a) => (a.object_type
        ? `${OBJECT_TYPES[a.object_type] || a.object_type}${a.object_id != null ? ` № ${a.object_id}` : ''}`
        : DASH)],
      ['Адрес', (a) => a.address],
      ['Подробности', (a) => (a.detail && typeof a.detail === 'object' ? JSON.stringify(a.detail) : a.detail)],
    ],
  },
  jobs: {
    label: 'Фоновые задания',
    path: '/jobs',
    empty: 'Фоновых заданий нет',
    filters: [
      {
        key: 'state', label: 'Состояние', type: 'select',
        options: [['', 'Все состояния'], ...Object.entries(JOB_STATES).map(([k, v]) => [k, v.charAt(0).toUpperCase() + v.slice(1)])],
      },
    ],
    row: (j) => ({ 'data-testid': `job-${j.id}`, 'data-state': j.state }),
    columns: [
      ['№', (j) => j.id],
      ['Вид', (j) => j.kind],
      ['Состояние', (j) => jobState(j)],
      ['Выполнение', (j) => jobProgress(j)],
      ['Попытки', (j) => `${j.attempts}/${j.max_attempts}`],
      ['Последняя ошибка', (j) => j.last_error],
      ['Создано', (j) => formatDateTime(j.created_at)],
      ['Действия', (j, ctx) => jobActions(j, ctx)],
    ],
    // reload while any job is running: one on this page, or any other (a filter may hide it)
    refresh: async (items) => {
      if (items.some((j) => j.state === 'running')) return true;
      try {
        const running = await api.list('/jobs', { state: 'running', per_page: 1 });
        return Number(running && running.total) > 0;
      } catch {
        return false;
      }
    },
  },
  schedules: {
    label: 'Расписания',
    path: '/schedules',
    empty: 'Расписаний нет',
    filters: [],
    row: (s) => ({ 'data-testid': `schedule-${s.id}` }),
    columns: [
      ['Название', (s) => s.name],
      ['Правило', (s) => s.rule],
      ['Часовой пояс', (s) => s.timezone],
      ['Запуск (местное время)', (s) => (s.next_local ? formatWallClock(s.next_local) : DASH)],
      ['Запуск (UTC)', (s) => formatUtc(s.next_at)],
      ['Включено', (s) => (s.enabled ? 'Да' : 'Нет')],
    ],
  },
};

Object.assign(SECTIONS, registrySections({
  state,
  current: (seq) => seq === state.seq,
  sessionLost,
  routeHref,
  navigate,
  pageParam,
}), metersSections({
  current: (seq) => seq === state.seq,
  sessionLost,
  routeHref,
  navigate,
  pageParam,
}), tariffsSections({
  current: (seq) => seq === state.seq,
  sessionLost,
  routeHref,
  navigate,
}), billingSections({
  current: (seq) => seq === state.seq,
  sessionLost,
  routeHref,
  navigate,
  pageParam,
}));

// ---------------------------------------------------------------- jobs: cells and actions

function jobState(j) {
  const name = JOB_STATES[j.state] || text(j.state);
  return h('span', { class: `job-state job-state-${j.state}`, 'data-testid': `job-state-${j.id}` },
    j.state === 'running' && j.cancel_requested ? `${name} (отмена запрошена)` : name);
}

function jobProgress(j) {
  const p = j.progress;
  if (!p || !Number.isFinite(p.done) || !Number.isFinite(p.total)) return DASH;
  const total = Math.max(0, p.total);
  const done = Math.min(Math.max(0, p.done), total);
  const percent = total > 0 ? Math.floor((done * 100) / total) : 0;
  return h('div', { class: 'job-progress', 'data-testid': `job-progress-${j.id}` },
    h('progress', { max: total > 0 ? total : 1, value: done, 'aria-label': `Выполнено ${done} из ${total}` }),
    h('span', { class: 'job-progress-text' }, `${done}/${total} · ${percent} %`));
}

function jobActions(j, ctx) {
  const buttons = [];
  if (j.state === 'dead' || j.state === 'cancelled') {
    buttons.push(h('button', {
      type: 'button', class: 'button button-secondary button-small', 'data-testid': `job-retry-${j.id}`,
      onclick: (event) => jobAction(j, 'retry', event.currentTarget, ctx),
    }, 'Повторить'));
  }
  if ((j.state === 'queued' || j.state === 'running') && !j.cancel_requested) {
    buttons.push(h('button', {
      type: 'button', class: 'button button-secondary button-small', 'data-testid': `job-cancel-${j.id}`,
      onclick: (event) => jobAction(j, 'cancel', event.currentTarget, ctx),
    }, 'Отменить'));
  }
  return buttons.length ? h('div', { class: 'row-actions' }, buttons) : DASH;
}

async function jobAction(job, action, button, ctx) {
  button.disabled = true;
  let changed;
  try {
    changed = await request('POST', `/jobs/${encodeURIComponent(job.id)}/${action}`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return sessionLost();
    button.disabled = false;
    ctx.reload({ error: err.message || 'Не удалось выполнить действие' });
    return;
  }
  const what = action === 'retry'
    ? `Задание № ${job.id} снова в очереди`
    : changed && changed.state === 'cancelled' ? `Задание № ${job.id} отменено` : `Отмена задания № ${job.id} запрошена`;
  ctx.reload({ notice: what });
}

function renderRoute() {
  const user = state.user;
  if (!user) return;
  const role = ROLES[user.role];
  if (!role || !role.sections.length) return;
  const host = document.querySelector('.section-host');
  const tabs = document.getElementById('tabs');
  if (!host || !tabs) return renderHome();

  const route = parseRoute();
  const name = tabOf(role, route.section) || role.sections[0];
  const section = SECTIONS[name];
  const seq = ++state.seq;
  stopRefresh();
  document.body.classList.remove('layout-wide');
  if (name !== route.section && !(section.aliases || []).includes(route.section)) {
    route.section = name;
    route.rest = [];
  }
  document.title = `${role.title} — Управдом`;

  tabs.replaceChildren(...role.sections.map((key) => h('a', {
    href: routeHref(key),
    class: 'tab',
    'aria-current': key === name ? 'page' : null,
    'data-testid': `tab-${key}`,
  }, SECTIONS[key].label)));

  if (section.render) {
    section.render({ route, host, seq, user });
    return;
  }

  const page = pageParam(route.params);
  const filterValues = {};
  for (const f of section.filters) filterValues[f.key] = route.params.get(f.key) || '';

  const body = h('div', { class: 'section-body', 'aria-live': 'polite', 'aria-busy': 'true' },
    h('p', { class: 'loading', role: 'status' }, 'Загрузка…'));
  host.replaceChildren(h('section', { class: 'list-section', 'data-testid': `section-${name}`, 'aria-labelledby': `h-${name}` },
    h('h2', { id: `h-${name}` }, section.label),
    filterForm(name, section, filterValues),
    body));

  loadList(name, section, page, filterValues, body, seq);
}

function filterForm(name, section, values) {
  if (!section.filters.length) return null;
  const controls = section.filters.map((f) => {
    const id = `filter-${name}-${f.key}`;
    let control;
    if (f.type === 'select') {
      control = h('select', { id, name: f.key, 'data-testid': id },
        f.options.map(([value, label]) => h('option', { value, selected: value === values[f.key] }, label)));
      control.addEventListener('change', () => control.form.requestSubmit());
    } else {
      control = h('input', {
        id, name: f.key, type: 'search', value: values[f.key], placeholder: f.placeholder, 'data-testid': id,
      });
    }
    return h('div', { class: 'field field-inline' }, h('label', { for: id }, f.label), control);
  });
  const hasSearch = section.filters.some((f) => f.type === 'search');
  const active = Object.values(values).some((v) => v !== '');

  return h('form', {
    class: 'filters', role: 'search', 'aria-label': `Отбор: ${section.label}`,
    onsubmit: (event) => {
      event.preventDefault();
      const data = new FormData(event.currentTarget);
      const params = {};
      for (const f of section.filters) params[f.key] = String(data.get(f.key) || '').trim();
      navigate(name, params);
    },
  },
  controls,
  hasSearch ? h('button', { type: 'submit', class: 'button' }, 'Найти') : null,
  active ? h('a', { class: 'button button-secondary', href: routeHref(name) }, 'Сбросить') : null);
}

/** Loads one page of a section into body; message: {notice} or {error} shown above the table. */
async function loadList(name, section, page, filters, body, seq, message = {}) {
  let data;
  try {
    data = await api.list(section.path, { ...filters, page, per_page: PER_PAGE });
  } catch (err) {
    if (seq !== state.seq) return;
    if (err instanceof ApiError && err.status === 401) return sessionLost();
    body.setAttribute('aria-busy', 'false');
    body.replaceChildren(alertBox(err.message || 'Не удалось загрузить список', 'section-error'));
    return;
  }
  if (seq !== state.seq) return;
  stopRefresh();

  const items = Array.isArray(data && data.items) ? data.items : [];
  const total = Number.isFinite(data && data.total) ? data.total : items.length;
  const perPage = Number.isFinite(data && data.per_page) && data.per_page > 0 ? data.per_page : PER_PAGE;
  const current = Number.isFinite(data && data.page) && data.page > 0 ? data.page : page;

  const reload = (next = {}) => {
    if (seq === state.seq) loadList(name, section, page, filters, body, seq, next);
  };
  body.setAttribute('aria-busy', 'false');
  body.replaceChildren();
  appendChildren(body, [
    message.error ? alertBox(message.error, 'action-error') : null,
    message.notice ? h('p', { class: 'notice', role: 'status', 'data-testid': 'action-notice' }, message.notice) : null,
    items.length ? dataTable(section, items, { reload }) : h('p', { class: 'empty', 'data-testid': 'empty-state' }, section.empty),
    pager(name, filters, current, perPage, total)]);
  const render = ++state.listRender;
  if (section.refresh) {
    const again = await section.refresh(items);
    if (again && seq === state.seq && render === state.listRender) {
      stopRefresh();
      state.refreshTimer = setTimeout(() => {
        state.refreshTimer = null;
        reload();
      }, REFRESH_MS);
    }
  }
}

/** A cell: a node as it is, anything else as text. */
function cell(value) {
  return h('td', {}, value instanceof Node ? value : text(value));
}

function dataTable(section, items, ctx) {
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'data-table', 'data-testid': 'data-table' },
      h('thead', {}, h('tr', {}, section.columns.map(([label]) => h('th', { scope: 'col' }, label)))),
      h('tbody', {}, items.map((item) => h('tr', section.row ? section.row(item) : {},
        section.columns.map(([, value]) => cell(value(item, ctx))))))));
}

function pager(name, filters, page, perPage, total) {
  return pagerNav(page, perPage, total, (p) => navigate(name, { ...filters, page: p }));
}

// ---------------------------------------------------------------- start

async function boot() {
  document.getElementById('logout').addEventListener('click', logout);
  window.addEventListener('hashchange', () => {
    if (state.user) renderRoute();
  });
  try {
    startSession(await api.me());
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) renderLogin();
    else renderLogin({ error: err instanceof ApiError ? err.message : 'Не удалось связаться с сервером' });
  }
}

boot();
