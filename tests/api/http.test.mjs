// HTTP conventions: health, metrics, the OpenAPI document, problem answers for
// unknown routes / wrong methods / bodies, request ids, keep-alive.
// Contract: docs/api.md, "Conventions", "Errors" and "Routes".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, api, cli } from '../lib/harness.mjs';
import { assertProblem, rawRequest } from '../lib/helpers.mjs';

const API_MD = new URL('../../docs/api.md', import.meta.url);
const OPENAPI_JSON = new URL('../../docs/openapi.json', import.meta.url);

/** The (method, path) pairs of the "## Routes" table of docs/api.md. */
function routesFromApiMd() {
  const md = readFileSync(API_MD, 'utf8');
  const start = md.indexOf('\n## Routes');
  assert.ok(start >= 0, 'docs/api.md has a "## Routes" section');
  const rest = md.slice(start + 1);
  const end = rest.indexOf('\n## ', 3);
  const section = end < 0 ? rest : rest.slice(0, end);
  const routes = [];
  for (const line of section.split('\n')) {
    const m = /^\|\s*(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s*\|\s*`([^`]+)`\s*\|/.exec(line);
    if (m) routes.push({ method: m[1], path: m[2] });
  }
  assert.ok(routes.length >= 10, `parsed the Routes table (${routes.length} rows)`);
  return routes;
}

const ROUTES = routesFromApiMd();

let srv;
let c;
let admin;

let documents; // the server's documents directory (a rendered file is served from there)

before(async () => {
  documents = mkdtempSync(join(tmpdir(), 'upravdom-http-documents-'));
  srv = await startServer({ args: ['--documents', documents] });
  c = api(srv.url);
  admin = await c.login('admin');
});
after(async () => {
  await srv?.stop();
  if (documents) rmSync(documents, { recursive: true, force: true });
});

// ------------------------------------------------------------------ health

test('GET /healthz answers 200 {"status":"ok","db":"ok"} without a session', async () => {
  const r = await c.get('/healthz');
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type') || '', /^application\/json/);
  assert.equal(r.body.status, 'ok');
  assert.equal(r.body.db, 'ok');
});

// ------------------------------------------------------------------ metrics

function parseMetrics(text) {
  const types = new Map();
  const samples = [];
  for (const line of text.split('\n')) {
    let m = /^# TYPE (\S+) (\S+)/.exec(line);
    if (m) { types.set(m[1], m[2]); continue; }
    if (!line || line.startsWith('#')) continue;
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    assert.ok(m, `a valid Prometheus sample line: ${line}`);
    const labels = {};
    if (m[3]) for (const l of m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return { types, samples };
}

test('GET /metrics answers Prometheus text format', async () => {
  await c.get('/healthz');
  const r = await c.get('/metrics');
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type') || '', /^text\/plain/);
  const { types, samples } = parseMetrics(r.text);
  assert.ok(types.size > 0, 'has # TYPE lines');
  assert.ok(samples.length > 0, 'has samples');
});

test('/metrics has a request counter labelled by route and status', async () => {
  await c.get('/healthz');
  await c.get('/api/v1/me'); // 401
  const { types, samples } = parseMetrics((await c.get('/metrics')).text);
  const counters = [...types].filter(([, t]) => t === 'counter').map(([n]) => n);
  const byRoute = samples.filter((s) => (counters.includes(s.name) || counters.includes(s.name.replace(/_total$/, '')))
    && 'route' in s.labels && 'status' in s.labels);
  assert.ok(byRoute.length > 0, `a counter with route and status labels; counters: ${counters.join(', ')}`);
  const healthz = byRoute.find((s) => s.labels.route === '/healthz' && s.labels.status === '200');
  assert.ok(healthz && healthz.value >= 2, `counter for route="/healthz",status="200" ≥ 2: ${JSON.stringify(byRoute.slice(0, 20))}`);
  assert.ok(byRoute.find((s) => s.labels.route === '/api/v1/me' && s.labels.status === '401'), 'counter for /api/v1/me 401');
});

test('/metrics labels requests by route pattern, not by the raw path', async () => {
  const list = await c.get('/api/v1/organizations?per_page=1', { token: admin });
  const id = list.body.items[0].id;
  await c.get(`/api/v1/organizations/${id}`, { token: admin });
  const text = (await c.get('/metrics')).text;
  assert.match(text, /route="\/api\/v1\/organizations\/\{id\}"/, 'route label uses the {id} pattern');
  assert.ok(!text.includes(`route="/api/v1/organizations/${id}"`), 'no raw ids in route labels');
});

test('/metrics has a request latency histogram with a +Inf bucket, _sum and _count', async () => {
  const { types, samples } = parseMetrics((await c.get('/metrics')).text);
  const hists = [...types].filter(([, t]) => t === 'histogram').map(([n]) => n);
  assert.ok(hists.length > 0, 'a histogram is declared');
  const h = hists.find((n) => samples.some((s) => s.name === `${n}_bucket` && s.labels.le === '+Inf'));
  assert.ok(h, `histogram with _bucket{le="+Inf"}: ${hists.join(', ')}`);
  assert.ok(samples.some((s) => s.name === `${h}_sum`), `${h}_sum`);
  assert.ok(samples.some((s) => s.name === `${h}_count`), `${h}_count`);
  // buckets are cumulative: +Inf equals _count for the same labels
  const inf = samples.filter((s) => s.name === `${h}_bucket` && s.labels.le === '+Inf');
  for (const b of inf) {
    const { le, ...rest } = b.labels;
    const count = samples.find((s) => s.name === `${h}_count` && JSON.stringify(s.labels) === JSON.stringify(rest));
    if (count) assert.equal(b.value, count.value, `+Inf bucket = _count for ${JSON.stringify(rest)}`);
  }
});

test('/metrics has database pool figures', async () => {
  const { samples } = parseMetrics((await c.get('/metrics')).text);
  const pool = samples.filter((s) => /pool/.test(s.name));
  assert.ok(pool.length > 0, `a metric about the DB pool (name containing "pool"): ${[...new Set(samples.map((s) => s.name))].join(', ')}`);
});

// ------------------------------------------------------------------ openapi

test('GET /api/v1/openapi.json serves docs/openapi.json verbatim without a session', async () => {
  const r = await c.get('/api/v1/openapi.json');
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.match(r.headers.get('content-type') || '', /^application\/json/);
  assert.equal(r.text, readFileSync(OPENAPI_JSON, 'utf8'));
});

test('the OpenAPI document parses and is OpenAPI 3.0.x', async () => {
  const r = await c.get('/api/v1/openapi.json');
  const doc = JSON.parse(r.text);
  assert.match(doc.openapi, /^3\.0\.\d+$/);
  assert.equal(typeof doc.info?.title, 'string');
  assert.equal(typeof doc.paths, 'object');
  for (const s of ['Region', 'Municipality', 'Organization', 'User', 'AuditEntry', 'Problem']) {
    assert.ok(doc.components?.schemas?.[s], `components.schemas.${s}`);
  }
  // every $ref resolves
  const refs = new Set();
  JSON.stringify(doc, (k, v) => { if (k === '$ref') refs.add(v); return v; });
  for (const ref of refs) {
    const target = ref.replace(/^#\//, '').split('/').reduce((o, k) => o?.[k], doc);
    assert.ok(target, `$ref ${ref} resolves`);
  }
});

test('every route in the docs/api.md Routes table is in the OpenAPI document, and no other', async () => {
  const doc = JSON.parse((await c.get('/api/v1/openapi.json')).text);
  const documented = new Set(ROUTES.map((r) => `${r.method} ${r.path}`));
  const inOpenapi = new Set();
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const m of ['get', 'post', 'put', 'patch', 'delete', 'head', 'options']) {
      if (item[m]) inOpenapi.add(`${m.toUpperCase()} ${p}`);
    }
  }
  const missing = [...documented].filter((r) => !inOpenapi.has(r));
  const extra = [...inOpenapi].filter((r) => !documented.has(r));
  assert.deepEqual(missing, [], 'routes of docs/api.md missing from openapi.json');
  assert.deepEqual(extra, [], 'openapi.json operations not in docs/api.md');
});

test('every route in the docs/api.md Routes table is served (not 404/405)', async () => {
  const ids = {};
  // Objects of every {id} route must exist, or a 404 would be the object's, not the route's.
  const job = cli(['job', 'add', '--db', srv.db.url, '--kind', 'noop', '--run-after', '2099-01-01T00:00:00Z']);
  assert.equal(job.status, 0, job.stderr);
  const sched = await c.post('/api/v1/schedules', { token: admin,
    body: { name: 'routes-check', rule: 'daily 10:00', timezone: 'Europe/Moscow', kind: 'noop' } });
  assert.equal(sched.status, 201, sched.text);
  for (const res of ['municipalities', 'organizations', 'users', 'jobs', 'schedules', 'houses', 'services']) {
    ids[res] = (await c.get(`/api/v1/${res}?per_page=1`, { token: admin })).body.items[0].id;
  }
  for (const h of (await c.get('/api/v1/houses?per_page=50&kind=mkd', { token: admin })).body.items) {
    const prem = (await c.get(`/api/v1/houses/${h.id}/premises`, { token: admin })).body.items;
    if (prem.length) { ids.premises = prem[0].id; break; }
  }
  const meter = await c.post('/api/v1/meters', { token: admin, body: {
    kind: 'building', resource: 'heat', house_id: ids.houses, org_id: ids.organizations,
    serial: 'routes-check', digits: 6, installed_on: '2025-01-01' } });
  assert.equal(meter.status, 201, meter.text);
  ids.meters = meter.body.id;
  const account = (await c.get('/api/v1/accounts?per_page=1', { token: admin })).body.items[0];
  const payment = await c.post('/api/v1/payments', { token: admin, body: {
    account_id: account.id, ext_id: 'routes-check', paid_on: account.opened_on, amount: '1.00' } });
  assert.equal(payment.status, 201, payment.text);
  ids.payments = payment.body.id;
  ids.accounts = account.id;
  const bill = cli(['bill', 'run', '--db', srv.db.url, '--period', '2026-10', '--org', String(account.org_id)]);
  assert.equal(bill.status, 0, bill.stderr);
  ids.runs = (await c.get('/api/v1/billing/runs?per_page=1', { token: admin })).body.items[0].id;
  // A rendered print batch of one house, in the server's documents directory.
  const render = cli(['render', 'bills', '--db', srv.db.url, '--period', '2026-10', '--org', String(account.org_id),
    ...(account.house_id ? ['--house', String(account.house_id)] : []), '--only', 'print', '--out', documents]);
  assert.equal(render.status, 0, render.stderr);
  ids.paydocFiles = (await c.get('/api/v1/paydoc/files?per_page=1', { token: admin })).body.items[0].id;
  for (const { method, path } of ROUTES) {
    if (path === '/api/v1/auth/logout') continue; // would end the admin session
    const p = path.replace('/billing/runs/{id}', `/billing/runs/${ids.runs}`)
      .replace('/paydoc/files/{id}', `/paydoc/files/${ids.paydocFiles}`)
      .replace(/^\/api\/v1\/(\w+)\/\{id\}/, (_, res) => `/api/v1/${res}/${ids[res]}`);
    const body = method === 'POST' || method === 'PATCH' ? {} : undefined;
    const r = await c.call(method, p, { token: admin, body });
    assert.ok(r.status !== 404 && r.status !== 405, `${method} ${p} is routed: ${r.status} ${r.text.slice(0, 200)}`);
    assert.ok(r.status < 500, `${method} ${p}: ${r.status} ${r.text.slice(0, 200)}`);
  }
});

// ------------------------------------------------------------------ errors

test('an unknown route answers 404 problem+json', async () => {
  assertProblem(await c.get('/api/v1/no-such-thing', { token: admin }), 404, 'not-found', 'unknown API route');
  assertProblem(await c.get('/api/v1/no-such-thing'), 404, 'not-found', 'unknown API route without session');
  assertProblem(await c.get('/api/v2/organizations', { token: admin }), 404, 'not-found', 'unknown version');
  const r = assertProblem(await c.get('/api/v1/organizations/999999', { token: admin }), 404, 'not-found', 'unknown object');
  assert.equal(r.instance, '/api/v1/organizations/999999');
});

test('a wrong method answers 405 problem+json with an Allow header', async () => {
  let r = await c.delete('/api/v1/organizations', { token: admin });
  assertProblem(r, 405, 'method-not-allowed', 'DELETE /api/v1/organizations');
  let allow = (r.headers.get('allow') || '').split(',').map((s) => s.trim()).sort();
  assert.ok(allow.includes('GET') && allow.includes('POST'), `Allow lists GET, POST: ${r.headers.get('allow')}`);
  assert.ok(!allow.includes('DELETE'), 'Allow does not list DELETE');

  const id = (await c.get('/api/v1/organizations?per_page=1', { token: admin })).body.items[0].id;
  r = await c.put(`/api/v1/organizations/${id}`, { token: admin, body: {} });
  assertProblem(r, 405, 'method-not-allowed', 'PUT /api/v1/organizations/{id}');
  allow = (r.headers.get('allow') || '').split(',').map((s) => s.trim());
  assert.ok(allow.includes('GET') && allow.includes('PATCH'), `Allow lists GET, PATCH: ${r.headers.get('allow')}`);

  r = await c.get('/api/v1/auth/login');
  assertProblem(r, 405, 'method-not-allowed', 'GET /api/v1/auth/login');
  assert.match(r.headers.get('allow') || '', /POST/);
});

test('a request body over 1 MiB answers 413 problem+json', async () => {
  const big = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 16) });
  const r = await rawRequest(srv.url, {
    method: 'POST', path: '/api/v1/organizations', body: big,
    headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(big), Authorization: `Bearer ${admin}` },
  });
  assertProblem(r, 413, 'payload-too-large', 'POST /api/v1/organizations with 1 MiB + 16 bytes');
});

test('a login body over 1 MiB answers 413 before authentication', async () => {
  const big = JSON.stringify({ login: 'admin', password: 'p'.repeat(1024 * 1024 + 1) });
  const r = await rawRequest(srv.url, {
    method: 'POST', path: '/api/v1/auth/login', body: big,
    headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(big) },
  });
  assertProblem(r, 413, 'payload-too-large', 'POST /api/v1/auth/login with 1 MiB + 1 byte');
});

test('a chunked body over 1 MiB (no Content-Length) answers 413', async () => {
  const big = JSON.stringify({ name: 'y'.repeat(1024 * 1024 + 16) });
  const r = await rawRequest(srv.url, {
    method: 'POST', path: '/api/v1/organizations', body: big,
    headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', Authorization: `Bearer ${admin}` },
  });
  assertProblem(r, 413, 'payload-too-large', 'chunked POST');
});

test('a body of exactly 1 MiB is not refused as too large', async () => {
  const limit = 1024 * 1024;
  const skeleton = JSON.stringify({ name: '' });
  const body = JSON.stringify({ name: 'z'.repeat(limit - skeleton.length) });
  assert.equal(Buffer.byteLength(body), limit);
  const r = await rawRequest(srv.url, {
    method: 'POST', path: '/api/v1/organizations', body,
    headers: { 'Content-Type': 'application/json', 'Content-Length': limit, Authorization: `Bearer ${admin}` },
  });
  assertProblem(r, 422, 'validation', 'a 1 MiB body with missing fields');
});

test('a JSON body with invalid UTF-8 answers 400 malformed-json', async () => {
  const raw = Buffer.concat([Buffer.from('{"login": "adm'), Buffer.from([0xff, 0xfe]), Buffer.from('in", "password": "x"}')]);
  const r = await c.post('/api/v1/auth/login', { raw, headers: { 'Content-Type': 'application/json' } });
  assertProblem(r, 400, 'malformed-json', 'invalid UTF-8');
});

test('deeply nested JSON is refused without harming the server', async () => {
  const raw = `{"login": ${'['.repeat(100000)}${']'.repeat(100000)}, "password": "x"}`;
  const r = await c.post('/api/v1/auth/login', { raw, headers: { 'Content-Type': 'application/json' } });
  assert.ok([400, 422].includes(r.status), `400 or 422: ${r.status} ${r.text.slice(0, 200)}`);
  assert.equal((await c.get('/healthz')).status, 200, 'server still answers');
});

test('an id too large for 64 bits answers 404', async () => {
  assertProblem(await c.get('/api/v1/organizations/99999999999999999999999', { token: admin }), 404, 'not-found', 'huge id');
  assertProblem(await c.get('/api/v1/organizations/0', { token: admin }), 404, 'not-found', 'id 0');
  assertProblem(await c.get('/api/v1/organizations/abc', { token: admin }), 404, 'not-found', 'id abc');
});

test('problem answers for 413 and 415 carry X-Request-Id too', async () => {
  const r = await c.post('/api/v1/auth/login', { raw: 'x', headers: { 'Content-Type': 'text/plain', 'X-Request-Id': 'rid-415' } });
  assert.equal(r.status, 415);
  assert.equal(r.headers.get('x-request-id'), 'rid-415');
  const big = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 16) });
  const t = await rawRequest(srv.url, {
    method: 'POST', path: '/api/v1/organizations', body: big,
    headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(big), Authorization: `Bearer ${admin}`, 'X-Request-Id': 'rid-413' },
  });
  assert.equal(t.status, 413);
  assert.equal(t.headers.get('x-request-id'), 'rid-413');
});

test('a body with a non-JSON content type answers 415 problem+json', async () => {
  const body = JSON.stringify({ login: 'admin', password: 'upravdom' });
  for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
    const r = await c.post('/api/v1/auth/login', { raw: body, headers: { 'Content-Type': ct } });
    assertProblem(r, 415, 'unsupported-media-type', `login with ${ct}`);
  }
  const r = await c.post('/api/v1/organizations', { token: admin, raw: '{"name":"x"}', headers: { 'Content-Type': 'text/plain' } });
  assertProblem(r, 415, 'unsupported-media-type', 'POST /api/v1/organizations with text/plain');
});

test('application/json with a charset parameter is accepted', async () => {
  const r = await c.post('/api/v1/auth/login', {
    raw: JSON.stringify({ login: 'admin', password: 'upravdom' }), headers: { 'Content-Type': 'application/json; charset=utf-8' },
  });
  assert.equal(r.status, 200, r.text);
});

// ------------------------------------------------------------------ request ids

test('every response carries an X-Request-Id, a fresh one per request', async () => {
  const answers = [
    await c.get('/healthz'),
    await c.get('/metrics'),
    await c.get('/api/v1/openapi.json'),
    await c.get('/api/v1/me'),
    await c.get('/api/v1/me', { token: admin }),
    await c.get('/api/v1/nope'),
    await c.delete('/api/v1/organizations', { token: admin }),
    await c.post('/api/v1/auth/login', { body: {} }),
  ];
  const ids = answers.map((r) => r.headers.get('x-request-id'));
  for (const [i, id] of ids.entries()) {
    assert.ok(id, `response ${i} (${answers[i].status}) has X-Request-Id`);
    assert.match(id, /^[A-Za-z0-9._-]{1,64}$/);
  }
  assert.equal(new Set(ids).size, ids.length, `request ids differ: ${ids.join(' ')}`);
});

test('a valid client X-Request-Id is echoed in the header and in problem bodies', async () => {
  const id = 'client-Req_1.2';
  let r = await c.get('/healthz', { headers: { 'X-Request-Id': id } });
  assert.equal(r.headers.get('x-request-id'), id);
  r = await c.get('/api/v1/me', { headers: { 'X-Request-Id': id } });
  assert.equal(r.headers.get('x-request-id'), id);
  assert.equal(r.body.request_id, id);
  const max = 'a'.repeat(64);
  r = await c.get('/healthz', { headers: { 'X-Request-Id': max } });
  assert.equal(r.headers.get('x-request-id'), max, '64 characters are accepted');
});

test('an invalid client X-Request-Id is replaced by a server-made one', async () => {
  for (const bad of ['a'.repeat(65), 'has space', 'semi;colon', 'slash/x', '<script>']) {
    const r = await rawRequest(srv.url, { path: '/healthz', headers: { 'X-Request-Id': bad } });
    assert.equal(r.status, 200);
    const got = r.headers.get('x-request-id');
    assert.ok(got, 'has X-Request-Id');
    assert.notEqual(got, bad);
    assert.match(got, /^[A-Za-z0-9._-]{1,64}$/, `server-made id for ${JSON.stringify(bad)}: ${got}`);
  }
});

// ------------------------------------------------------------------ keep-alive

test('keep-alive: two requests reuse one connection', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const a = await rawRequest(srv.url, { path: '/healthz', agent });
    const b = await rawRequest(srv.url, { path: '/api/v1/me', agent, headers: { Authorization: `Bearer ${admin}` } });
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.equal(b.reusedSocket, true, 'second request went over the first connection');
    assert.equal(a.localPort, b.localPort, 'same client port');
    // a problem answer keeps the connection too
    const d = await rawRequest(srv.url, { path: '/api/v1/nope', agent });
    assert.equal(d.status, 404);
    const e = await rawRequest(srv.url, { path: '/healthz', agent });
    assert.equal(e.reusedSocket, true, 'connection kept after a 404');
  } finally {
    agent.destroy();
  }
});
