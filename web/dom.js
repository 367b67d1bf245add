// DOM and formatting helpers shared by the pages of the web UI (app.js, registry.js).
// Every piece of server data goes into the page as text (text nodes / textContent,
// attributes via setAttribute), never as HTML.

export const DASH = '—';
const NBSP = '\u00a0';

/** Creates an element; attributes via setAttribute, `on*` functions as listeners,
 *  children appended as nodes or as text (never parsed as HTML). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'class') {
      el.className = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  appendChildren(el, children);
  return el;
}

export function appendChildren(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function text(value) {
  if (value === undefined || value === null || value === '') return DASH;
  return String(value);
}

export function formatDateTime(iso) {
  if (!iso) return DASH;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return new Intl.DateTimeFormat('ru-RU', { dateStyle: 'short', timeStyle: 'medium' }).format(date);
}

/** A calendar date as the API gives it ("2024-03-05") → "05.03.2024". */
export function formatDate(ymd) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd || '');
  if (!m) return text(ymd);
  return `${m[3]}.${m[2]}.${m[1]}`;
}

/** Digits grouped by threes with non-breaking spaces: "3512" → "3 512". */
function groupDigits(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
}

/** A whole number for people: 12345 → "12 345". */
export function formatCount(n) {
  if (n === undefined || n === null || n === '') return DASH;
  const s = String(n);
  return /^-?\d+$/.test(s) ? s.replace(/\d+/, groupDigits) : s;
}

/** A decimal string as the API gives it ("3512.40") → "3 512,40" (exact: no floats). */
export function formatDecimal(value) {
  if (value === undefined || value === null || value === '') return DASH;
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(value));
  if (!m) return String(value);
  return `${m[1]}${groupDigits(m[2])}${m[3] !== undefined ? `,${m[3]}` : ''}`;
}

/** An area in m² as the API gives it ("3512.40") → "3 512,40 м²". */
export function formatArea(value) {
  if (value === undefined || value === null || value === '') return DASH;
  return `${formatDecimal(value)}${NBSP}м²`;
}

export function alertBox(message, testid) {
  return h('p', { class: 'alert', role: 'alert', 'data-testid': testid }, message);
}

/** A definition list: rows of [label, value (text or node), testid]. */
export function details(rows, testid, extraClass = '') {
  return h('dl', { class: `details${extraClass ? ` ${extraClass}` : ''}`, 'data-testid': testid },
    rows.map(([label, value, id]) => h('div', { class: 'details-row' },
      h('dt', {}, label),
      h('dd', { 'data-testid': id }, value instanceof Node ? value : text(value)))));
}

/** «← Назад · Страница N из M · всего T · Вперёд →»; go(page) switches the page. */
export function pager(page, perPage, total, go) {
  const pages = Math.max(1, Math.ceil(total / perPage));
  return h('nav', { class: 'pager', 'aria-label': 'Страницы', 'data-testid': 'pager' },
    h('button', {
      type: 'button', class: 'button button-secondary', disabled: page <= 1,
      onclick: () => go(page - 1), 'data-testid': 'page-prev',
    }, '← Назад'),
    h('span', { class: 'pager-info', 'data-testid': 'page-info' },
      `Страница ${page} из ${pages} · всего ${total}`),
    h('button', {
      type: 'button', class: 'button button-secondary', disabled: page >= pages,
      onclick: () => go(page + 1), 'data-testid': 'page-next',
    }, 'Вперёд →'));
}
