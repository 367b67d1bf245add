// Shared helpers for the black-box API tests (tests/api/*.test.mjs):
// valid Russian registration numbers, problem+json assertions, list paging,
// raw HTTP requests (for oversized bodies and keep-alive).
import assert from 'node:assert/strict';
import http from 'node:http';

export const PROBLEM_BASE = 'https://upravdom.example/problems/';

// ---------------------------------------------------------------- ИНН / ОГРН

function checkDigit(digits, weights, mod = 11) {
  let s = 0;
  for (let i = 0; i < weights.length; i++) s += Number(digits[i]) * weights[i];
  return String((s % mod) % 10);
}

const start = Math.floor(Math.random() * 1e8);
let serial = 0;
function nextDigits(n) {
  // distinct per call within a process (for fewer than 10**n/7919 calls)
  serial += 1;
  return String((start + serial * 7919) % 10 ** n).padStart(n, '0');
}

/** A valid 10-digit INN of a legal entity (region 77 prefix). */
export function inn10() {
  const base = '77' + nextDigits(7);
  return base + checkDigit(base, [2, 4, 10, 3, 5, 9, 4, 6, 8]);
}

/** A valid 12-digit INN of an individual entrepreneur. */
export function inn12() {
  const base = '50' + nextDigits(8);
  const d11 = checkDigit(base, [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]);
  const d12 = checkDigit(base + d11, [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]);
  return base + d11 + d12;
}

export function isValidInn(inn) {
  if (/^\d{10}$/.test(inn)) return checkDigit(inn, [2, 4, 10, 3, 5, 9, 4, 6, 8]) === inn[9];
  if (/^\d{12}$/.test(inn)) {
    return checkDigit(inn, [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) === inn[10]
      && checkDigit(inn, [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) === inn[11];
  }
  return false;
}

/** A valid 13-digit OGRN (legal entity): check digit = (first 12 mod 11) mod 10. */
export function ogrn13() {
  const base = '1027700' + nextDigits(5);
  return base + String((BigInt(base) % 11n) % 10n);
}

/** A valid 15-digit OGRNIP: check digit = (first 14 mod 13) mod 10. */
export function ogrn15() {
  const base = '3047700' + nextDigits(7);
  return base + String((BigInt(base) % 13n) % 10n);
}

export function isValidOgrn(o) {
  if (/^\d{13}$/.test(o)) return String((BigInt(o.slice(0, 12)) % 11n) % 10n) === o[12];
  if (/^\d{15}$/.test(o)) return String((BigInt(o.slice(0, 14)) % 13n) % 10n) === o[14];
  return false;
}

/** The same number with its last (check) digit changed: always invalid. */
export function breakCheckDigit(s) {
  const last = Number(s[s.length - 1]);
  return s.slice(0, -1) + String((last + 1) % 10);
}

/** A valid organization body (legal entity) for POST /api/v1/organizations. */
export function orgBody(municipalityId, overrides = {}) {
  const inn = inn10();
  return {
    municipality_id: municipalityId,
    kind: 'uo',
    name: `ООО «Тестовая УК ${inn}»`,
    short_name: `УК ${inn}`,
    inn,
    kpp: '770101001',
    ogrn: ogrn13(),
    address: 'г. Светлогорск, ул. Ленина, д. 1',
    phone: '+7 900 000-00-00',
    email: 'uk@example.org',
    website: 'https://uk.example.org',
    ...overrides,
  };
}

let loginSerial = 0;
/** A fresh, valid login. */
export function uniqueLogin(prefix = 't') {
  return `${prefix}${process.pid}.${Date.now() % 100000}.${loginSerial++}`.toLowerCase().slice(0, 64);
}

// ---------------------------------------------------------------- assertions

/** Asserts an application/problem+json answer with the given status and type suffix. */
export function assertProblem(r, status, suffix, what = '') {
  const ctx = `${what} → ${r.status} ${r.text?.slice(0, 500)}`;
  assert.equal(r.status, status, `expected ${status} ${suffix}: ${ctx}`);
  const ct = r.headers.get('content-type') || '';
  assert.match(ct, /^application\/problem\+json/, `content-type of a ${status}: ${ct}`);
  assert.ok(r.body && typeof r.body === 'object', `problem body is JSON: ${ctx}`);
  assert.equal(r.body.type, PROBLEM_BASE + suffix, `problem type: ${ctx}`);
  assert.equal(r.body.status, status, `problem status field: ${ctx}`);
  assert.equal(typeof r.body.title, 'string', `problem title: ${ctx}`);
  const rid = r.headers.get('x-request-id');
  assert.ok(rid, 'X-Request-Id header on a problem answer');
  if (r.body.request_id !== undefined) assert.equal(r.body.request_id, rid, 'problem request_id = X-Request-Id');
  return r.body;
}

/** Fields named in a 422 problem's errors[]. */
export function errorFields(r) {
  return (r.body?.errors || []).map((e) => e.field);
}

/** Asserts a 422 validation problem whose errors[] names every field given. */
export function assertValidation(r, fields, what = '') {
  assertProblem(r, 422, 'validation', what);
  assert.ok(Array.isArray(r.body.errors), `errors[] present: ${r.text}`);
  for (const e of r.body.errors) {
    assert.equal(typeof e.field, 'string', `errors[].field is a string: ${JSON.stringify(e)}`);
    assert.equal(typeof e.message, 'string', `errors[].message is a string: ${JSON.stringify(e)}`);
    assert.ok(e.message.length > 0, 'errors[].message not empty');
  }
  const got = errorFields(r);
  for (const f of [].concat(fields)) {
    assert.ok(got.includes(f), `errors[] names "${f}" (${what}); got ${JSON.stringify(r.body.errors)}`);
  }
}

/** Asserts a list envelope. */
export function assertList(r, what = '') {
  assert.equal(r.status, 200, `${what}: ${r.status} ${r.text?.slice(0, 300)}`);
  const b = r.body;
  assert.ok(Array.isArray(b.items), `${what}: items[]`);
  for (const k of ['page', 'per_page', 'total']) assert.ok(Number.isInteger(b[k]), `${what}: ${k} is an integer (${b[k]})`);
  return b;
}

/** Fetches every item of a list (per_page=500, all pages). */
export async function listAll(client, pathWithQuery, token) {
  const sep = pathWithQuery.includes('?') ? '&' : '?';
  const items = [];
  for (let page = 1; page < 1000; page++) {
    const r = await client.get(`${pathWithQuery}${sep}per_page=500&page=${page}`, { token });
    const b = assertList(r, `GET ${pathWithQuery}`);
    items.push(...b.items);
    if (b.items.length === 0 || items.length >= b.total) break;
  }
  return items;
}

export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Recursively asserts that no key looks like a password or its hash. */
export function assertNoPassword(value, what = '') {
  const walk = (v, p) => {
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        assert.ok(!/pass|hash|argon/i.test(k), `${what}: response carries "${p}${k}"`);
        walk(x, `${p}${k}.`);
      }
    } else if (typeof v === 'string') {
      assert.ok(!/\$argon2/.test(v), `${what}: response carries an argon2 hash at ${p}`);
    }
  };
  walk(value, '');
}

/** Finds the audit entries matching pred (newest first), looking at the newest `limit`. */
export async function auditFind(client, token, query, pred) {
  const r = await client.get(`/api/v1/audit?per_page=500${query ? '&' + query : ''}`, { token });
  const b = assertList(r, `GET /api/v1/audit?${query}`);
  return b.items.filter(pred);
}

// ---------------------------------------------------------------- raw HTTP

/**
 * A request through node:http (for bodies fetch won't send, keep-alive checks).
 * Resolves {status, headers, text, body, reusedSocket, localPort}; write errors
 * after the server has answered early (e.g. 413) are ignored.
 */
export function rawRequest(base, { method = 'GET', path = '/', headers = {}, body, agent } = {}) {
  const u = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({
          status: res.statusCode,
          headers: { get: (n) => res.headers[n.toLowerCase()] ?? null, raw: res.headers },
          text, body: json, reusedSocket: req.reusedSocket, localPort: res.socket?.localPort,
        });
      });
      res.on('error', reject);
    });
    let answered = false;
    req.on('response', () => { answered = true; });
    req.on('error', (e) => { if (!answered) reject(e); });
    if (body !== undefined) {
      req.write(body, () => req.end());
    } else req.end();
  });
}

// ---------------------------------------------------------------- demo data

/**
 * Learns the demo's ids as the admin: {users: {login: user}, region, m1, m2,
 * orgsOf(mid), orgOf(login)}. docs/demo.md: mun1/mun2 are the municipal
 * operators of municipality 1/2; uo1..tko1 staff of municipality 1's
 * organizations, uo2 of municipality 2's УО.
 */
export async function discoverDemo(client, adminToken) {
  const all = await listAll(client, '/api/v1/users', adminToken);
  const users = Object.fromEntries(all.map((u) => [u.login, u]));
  for (const l of ['admin', 'region', 'mun1', 'mun2', 'uo1', 'rso1', 'eirc1', 'tko1', 'uo2', 'resident1']) {
    assert.ok(users[l], `demo user "${l}" exists`);
  }
  const orgs = await listAll(client, '/api/v1/organizations', adminToken);
  const municipalities = await listAll(client, '/api/v1/municipalities', adminToken);
  const m1 = users.mun1.municipality_id;
  const m2 = users.mun2.municipality_id;
  assert.ok(Number.isInteger(m1) && Number.isInteger(m2) && m1 !== m2, 'mun1 and mun2 have different municipalities');
  const orgById = Object.fromEntries(orgs.map((o) => [o.id, o]));
  return {
    users, orgs, municipalities, m1, m2,
    region: users.region.region_id,
    orgById,
    orgsOf: (mid) => orgs.filter((o) => o.municipality_id === mid),
    orgOf: (login) => orgById[users[login].org_id],
  };
}
