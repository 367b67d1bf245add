// Users: create / list / get / patch, validation, unique logins, passwords
// never returned, role limits of scoped operators, audit.
// Contract: docs/api.md ("user", "Roles, rights and scope", Routes).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, DEMO_PASSWORD } from '../lib/harness.mjs';
import {
  assertProblem, assertValidation, assertList, assertNoPassword, listAll, auditFind, discoverDemo,
  uniqueLogin, ISO_UTC,
} from '../lib/helpers.mjs';

const USERS = '/api/v1/users';
const FIELDS = ['id', 'login', 'full_name', 'email', 'role', 'region_id', 'municipality_id', 'org_id', 'active', 'created_at'];
const PASSWORD = 'Secret-pass-123';

let srv;
let c;
let admin;
let demo;

before(async () => {
  srv = await startServer();
  c = api(srv.url);
  admin = await c.login('admin');
  demo = await discoverDemo(c, admin);
});
after(async () => { await srv?.stop(); });

async function create(body, token = admin, headers = {}) {
  const r = await c.post(USERS, { token, body, headers });
  assert.equal(r.status, 201, `POST ${JSON.stringify(body)} → ${r.status} ${r.text}`);
  return r;
}
const munOp = (over = {}) => ({ login: uniqueLogin('mo'), password: PASSWORD, role: 'municipal_operator',
  full_name: 'Петров Пётр Петрович', email: 'petrov@example.org', municipality_id: demo.m1, ...over });
const staff = (over = {}) => ({ login: uniqueLogin('st'), password: PASSWORD, role: 'org_staff',
  full_name: 'Сидорова Анна', org_id: demo.orgOf('uo1').id, ...over });
async function total() {
  return (await c.get(`${USERS}?per_page=1`, { token: admin })).body.total;
}

// ------------------------------------------------------------------ create / get

test('POST as admin creates a municipal operator: 201, the object without the password', async () => {
  const body = munOp();
  const r = await create(body);
  const u = r.body;
  assert.deepEqual(Object.keys(u).sort(), [...FIELDS].sort(), 'exactly the documented fields');
  assert.ok(Number.isInteger(u.id));
  assert.equal(u.login, body.login);
  assert.equal(u.full_name, body.full_name);
  assert.equal(u.email, body.email);
  assert.equal(u.role, 'municipal_operator');
  assert.equal(u.municipality_id, demo.m1);
  assert.equal(u.region_id, demo.region, 'region_id follows from the municipality');
  assert.equal(u.org_id, null);
  assert.equal(u.active, true);
  assert.match(u.created_at, ISO_UTC);
  assertNoPassword(u, 'POST /users');
  assert.ok(!r.text.includes(PASSWORD), 'the password does not appear in the answer');
});

test('POST as admin creates org staff: region_id follows from the organization', async () => {
  const org = demo.orgOf('uo2');
  const u = (await create(staff({ org_id: org.id }))).body;
  assert.equal(u.role, 'org_staff');
  assert.equal(u.org_id, org.id);
  assert.equal(u.region_id, org.region_id);
});

test('POST as admin creates a region operator and another admin', async () => {
  const ro = (await create({ login: uniqueLogin('ro'), password: PASSWORD, role: 'region_operator', region_id: demo.region })).body;
  assert.equal(ro.region_id, demo.region);
  const ad = (await create({ login: uniqueLogin('ad'), password: PASSWORD, role: 'admin' })).body;
  assert.equal(ad.role, 'admin');
});

test('a created user logs in with its password', async () => {
  const body = munOp();
  const made = (await create(body)).body;
  const r = await c.post('/api/v1/auth/login', { body: { login: body.login, password: PASSWORD } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.user, made);
  const me = await c.get('/api/v1/me', { token: r.body.token });
  assert.deepEqual(me.body, made);
});

test('GET /users/{id} answers the user; an unknown id answers 404', async () => {
  const made = (await create(staff())).body;
  const r = await c.get(`${USERS}/${made.id}`, { token: admin });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, made);
  assertProblem(await c.get(`${USERS}/987654`, { token: admin }), 404, 'not-found');
});

test('the password is never returned: not by POST, GET, list, PATCH, /me or login', async () => {
  const body = staff();
  const made = await create(body);
  const answers = [
    made,
    await c.get(`${USERS}/${made.body.id}`, { token: admin }),
    await c.get(`${USERS}?per_page=500`, { token: admin }),
    await c.patch(`${USERS}/${made.body.id}`, { token: admin, body: { password: 'Another-pass-456' } }),
    await c.post('/api/v1/auth/login', { body: { login: body.login, password: 'Another-pass-456' } }),
  ];
  answers.push(await c.get('/api/v1/me', { token: answers[4].body.token }));
  for (const [i, r] of answers.entries()) {
    assert.ok(r.status < 300, `answer ${i}: ${r.status} ${r.text.slice(0, 200)}`);
    assertNoPassword(r.body, `answer ${i}`);
    assert.ok(!r.text.includes(PASSWORD) && !r.text.includes('Another-pass-456'), `answer ${i} carries no password`);
  }
});

// ------------------------------------------------------------------ validation

const INVALID = [
  ['a login of 2 characters', { login: 'ab' }, ['login']],
  ['a login of 65 characters', { login: 'a'.repeat(65) }, ['login']],
  ['a login with capitals', { login: 'Ivanov' }, ['login']],
  ['a login with a space', { login: 'ivan ov' }, ['login']],
  ['a login in Cyrillic', { login: 'иванов' }, ['login']],
  ['a password of 7 characters', { password: '1234567' }, ['password']],
  ['a number for the password', { password: 12345678 }, ['password']],
  ['an unknown role', { role: 'superuser' }, ['role']],
  ['a municipal operator without municipality_id', { municipality_id: undefined }, ['municipality_id']],
  ['an unknown municipality_id', { municipality_id: 987654 }, ['municipality_id']],
  ['a number for full_name', { full_name: 42 }, ['full_name']],
  ['a number for email', { email: 42 }, ['email']],
  ['a string for municipality_id', { municipality_id: 'one' }, ['municipality_id']],
  ['an unknown field', { is_admin: true }, ['is_admin']],
  ['a client-chosen id', { id: 5 }, ['id']],
  ['a bad login and a short password together', { login: 'A', password: 'x' }, ['login', 'password']],
];

for (const [what, change, fields] of INVALID) {
  test(`POST with ${what} answers 422 naming ${fields.join(', ')}`, async () => {
    const body = JSON.parse(JSON.stringify({ ...munOp(), ...change }));
    const t = await total();
    assertValidation(await c.post(USERS, { token: admin, body }), fields, what);
    assert.equal(await total(), t, 'nothing created');
  });
}

test('POST of org staff without org_id answers 422 naming org_id', async () => {
  const body = staff();
  delete body.org_id;
  assertValidation(await c.post(USERS, { token: admin, body }), ['org_id']);
  assertValidation(await c.post(USERS, { token: admin, body: { ...body, org_id: 987654 } }), ['org_id'], 'unknown org_id');
});

test('POST of an empty object answers 422 naming login, password and role', async () => {
  assertValidation(await c.post(USERS, { token: admin, body: {} }), ['login', 'password', 'role']);
});

// ------------------------------------------------------------------ uniqueness

test('a duplicate login answers 409 conflict', async () => {
  const body = staff();
  await create(body);
  const t = await total();
  assertProblem(await c.post(USERS, { token: admin, body: { ...body } }), 409, 'conflict', 'same login twice');
  assertProblem(await c.post(USERS, { token: admin, body: { ...staff(), login: 'uo1' } }), 409, 'conflict', 'demo login uo1');
  assert.equal(await total(), t, 'nothing created');
});

// ------------------------------------------------------------------ patch

test('PATCH changes full_name and email and answers the user', async () => {
  const before = (await create(munOp())).body;
  const change = { full_name: 'Иванова Мария Ивановна', email: 'ivanova@example.org' };
  const r = await c.patch(`${USERS}/${before.id}`, { token: admin, body: change });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, { ...before, ...change });
  assert.deepEqual((await c.get(`${USERS}/${before.id}`, { token: admin })).body, { ...before, ...change });
});

test('PATCH of the password: the old one stops working, the new one works', async () => {
  const body = munOp();
  const made = (await create(body)).body;
  const r = await c.patch(`${USERS}/${made.id}`, { token: admin, body: { password: 'Brand-new-pass-1' } });
  assert.equal(r.status, 200, r.text);
  assertProblem(await c.post('/api/v1/auth/login', { body: { login: body.login, password: PASSWORD } }), 401, 'unauthenticated', 'old password');
  const ok = await c.post('/api/v1/auth/login', { body: { login: body.login, password: 'Brand-new-pass-1' } });
  assert.equal(ok.status, 200, ok.text);
});

test('PATCH active=false: the user can no longer log in; active=true lets it in again', async () => {
  const body = staff();
  const made = (await create(body)).body;
  const r = await c.patch(`${USERS}/${made.id}`, { token: admin, body: { active: false } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.active, false);
  assertProblem(await c.post('/api/v1/auth/login', { body: { login: body.login, password: PASSWORD } }), 401, 'unauthenticated', 'inactive');
  assert.equal((await c.patch(`${USERS}/${made.id}`, { token: admin, body: { active: true } })).status, 200);
  assert.equal((await c.post('/api/v1/auth/login', { body: { login: body.login, password: PASSWORD } })).status, 200);
});

test('PATCH of fields other than full_name, email, password, active answers 422 naming them and changes nothing', async () => {
  const before = (await create(munOp())).body;
  for (const [field, value] of [['login', uniqueLogin('x')], ['role', 'admin'], ['municipality_id', demo.m2],
    ['org_id', demo.orgOf('uo1').id], ['region_id', demo.region], ['id', 1], ['created_at', '2020-01-01T00:00:00Z']]) {
    assertValidation(await c.patch(`${USERS}/${before.id}`, { token: admin, body: { [field]: value } }), [field], field);
  }
  assert.deepEqual((await c.get(`${USERS}/${before.id}`, { token: admin })).body, before);
});

test('PATCH with a short password, a non-boolean active or a number for full_name answers 422 naming it', async () => {
  const before = (await create(munOp())).body;
  assertValidation(await c.patch(`${USERS}/${before.id}`, { token: admin, body: { password: 'short' } }), ['password']);
  assertValidation(await c.patch(`${USERS}/${before.id}`, { token: admin, body: { active: 'yes' } }), ['active']);
  assertValidation(await c.patch(`${USERS}/${before.id}`, { token: admin, body: { full_name: 7 } }), ['full_name']);
  assert.deepEqual((await c.get(`${USERS}/${before.id}`, { token: admin })).body, before);
});

test('PATCH of an unknown user answers 404', async () => {
  assertProblem(await c.patch(`${USERS}/987654`, { token: admin, body: { full_name: 'x' } }), 404, 'not-found');
});

// ------------------------------------------------------------------ list

test('the user list answers the envelope with page 1 and per_page 50 by default', async () => {
  const b = assertList(await c.get(USERS, { token: admin }));
  assert.equal(b.page, 1);
  assert.equal(b.per_page, 50);
  assert.ok(b.total >= 11, `at least the demo logins (total ${b.total})`);
  assert.equal(b.items.length, Math.min(50, b.total));
});

test('user pages of per_page=3 cover the list once', async () => {
  const all = await listAll(c, USERS, admin);
  const seen = [];
  for (let page = 1; page < 200; page++) {
    const b = assertList(await c.get(`${USERS}?per_page=3&page=${page}`, { token: admin }));
    assert.equal(b.total, all.length);
    if (!b.items.length) break;
    assert.ok(b.items.length <= 3);
    seen.push(...b.items.map((u) => u.id));
  }
  assert.deepEqual(seen, all.map((u) => u.id));
});

test('filter role= answers only users of that role', async () => {
  const items = await listAll(c, `${USERS}?role=org_staff`, admin);
  assert.ok(items.every((u) => u.role === 'org_staff'));
  for (const l of ['uo1', 'rso1', 'eirc1', 'tko1', 'uo2']) assert.ok(items.some((u) => u.login === l), l);
  const ops = await listAll(c, `${USERS}?role=municipal_operator`, admin);
  assert.ok(ops.every((u) => u.role === 'municipal_operator') && ops.some((u) => u.login === 'mun2'));
});

test('filter org_id= answers only that organization\'s staff', async () => {
  const org = demo.orgOf('uo1');
  const items = await listAll(c, `${USERS}?org_id=${org.id}`, admin);
  assert.ok(items.length >= 1 && items.every((u) => u.org_id === org.id));
  assert.ok(items.some((u) => u.login === 'uo1'));
});

test('filter municipality_id= answers only that municipality\'s users', async () => {
  const m2orgs = new Set(demo.orgsOf(demo.m2).map((o) => o.id));
  const items = await listAll(c, `${USERS}?municipality_id=${demo.m2}`, admin);
  assert.ok(items.some((u) => u.login === 'mun2'));
  assert.ok(!items.some((u) => ['mun1', 'uo1', 'admin', 'region'].includes(u.login)));
  for (const u of items) {
    assert.ok(u.municipality_id === demo.m2 || m2orgs.has(u.org_id), `${u.login} belongs to municipality ${demo.m2}`);
  }
});

test('filter q= matches a login substring', async () => {
  const items = await listAll(c, `${USERS}?q=mun`, admin);
  assert.ok(items.some((u) => u.login === 'mun1') && items.some((u) => u.login === 'mun2'));
  assert.ok(!items.some((u) => u.login === 'uo1'));
  const none = await listAll(c, `${USERS}?q=no-such-login-anywhere`, admin);
  assert.deepEqual(none, []);
});

test('a bad user filter value answers 422 naming it', async () => {
  assertValidation(await c.get(`${USERS}?role=superuser`, { token: admin }), ['role'], 'role=superuser');
  assertValidation(await c.get(`${USERS}?org_id=x`, { token: admin }), ['org_id'], 'org_id=x');
  assertValidation(await c.get(`${USERS}?municipality_id=-`, { token: admin }), ['municipality_id'], 'municipality_id=-');
  assertValidation(await c.get(`${USERS}?per_page=1000`, { token: admin }), ['per_page'], 'per_page=1000');
});

// ------------------------------------------------------------------ scoped operators

test('a municipal operator creates operators and org staff of its own municipality', async () => {
  const token = await c.login('mun1');
  const op = (await create(munOp(), token)).body;
  assert.equal(op.municipality_id, demo.m1);
  const st = (await create(staff({ org_id: demo.orgOf('rso1').id }), token)).body;
  assert.equal(st.org_id, demo.orgOf('rso1').id);
});

test('a municipal operator may not create an admin or a region operator: 403', async () => {
  const token = await c.login('mun1');
  const t = await total();
  assertProblem(await c.post(USERS, { token, body: { login: uniqueLogin('x'), password: PASSWORD, role: 'admin' } }),
    403, 'forbidden', 'mun1 creates admin');
  assertProblem(await c.post(USERS, { token, body: { login: uniqueLogin('x'), password: PASSWORD, role: 'region_operator', region_id: demo.region } }),
    403, 'forbidden', 'mun1 creates region_operator');
  assert.equal(await total(), t, 'nothing created');
});

test('a region operator may not create an admin (403) but creates operators of the region', async () => {
  const token = await c.login('region');
  assertProblem(await c.post(USERS, { token, body: { login: uniqueLogin('x'), password: PASSWORD, role: 'admin' } }),
    403, 'forbidden', 'region creates admin');
  const op = (await create(munOp({ municipality_id: demo.m2 }), token)).body;
  assert.equal(op.region_id, demo.region);
  const ro = (await create({ login: uniqueLogin('ro'), password: PASSWORD, role: 'region_operator' }, token)).body;
  assert.equal(ro.region_id, demo.region, 'region_id defaults to the caller\'s');
});

test('a municipal operator may change users of its municipality', async () => {
  const token = await c.login('mun2');
  const target = demo.users.uo2;
  const r = await c.patch(`${USERS}/${target.id}`, { token, body: { full_name: 'Сотрудник УО-2' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.full_name, 'Сотрудник УО-2');
  assert.equal((await c.post('/api/v1/auth/login', { body: { login: 'uo2', password: DEMO_PASSWORD } })).status, 200,
    'the user still logs in');
});

// ------------------------------------------------------------------ audit

test('creating and changing a user writes one audit entry each, with actor, action and request id, without the password', async () => {
  const mun1 = await c.login('mun1');
  const made = await create(munOp(), mun1, { 'X-Request-Id': 'user-audit-create' });
  const upd = await c.patch(`${USERS}/${made.body.id}`, {
    token: admin, body: { password: 'Audit-pass-789', full_name: 'Аудит' }, headers: { 'X-Request-Id': 'user-audit-update' },
  });
  assert.equal(upd.status, 200, upd.text);

  const created = await auditFind(c, admin, 'object_type=user', (e) => e.request_id === 'user-audit-create');
  assert.equal(created.length, 1, JSON.stringify(created));
  assert.equal(created[0].action, 'user.create');
  assert.equal(created[0].object_id, made.body.id);
  assert.equal(created[0].user_login, 'mun1');
  assert.equal(created[0].user_id, demo.users.mun1.id);
  const updated = await auditFind(c, admin, 'action=user.update', (e) => e.request_id === 'user-audit-update');
  assert.equal(updated.length, 1, JSON.stringify(updated));
  assert.equal(updated[0].object_type, 'user');
  assert.equal(updated[0].object_id, made.body.id);
  assert.equal(updated[0].user_login, 'admin');
  for (const e of [...created, ...updated]) {
    const s = JSON.stringify(e);
    assert.ok(!s.includes(PASSWORD) && !s.includes('Audit-pass-789') && !s.includes('$argon2'), `no password in audit: ${s}`);
  }
});

test('a municipal operator sees the audit of its municipality\'s users but not of another\'s', async () => {
  const a = await create(munOp({ municipality_id: demo.m1 }), admin, { 'X-Request-Id': 'user-audit-m1' });
  const b = await create(munOp({ municipality_id: demo.m2 }), admin, { 'X-Request-Id': 'user-audit-m2' });
  assert.ok(a && b);
  const mun1 = await c.login('mun1');
  const seen = await auditFind(c, mun1, 'object_type=user', () => true);
  assert.ok(seen.some((e) => e.request_id === 'user-audit-m1'), 'own municipality\'s entry is visible');
  assert.ok(!seen.some((e) => e.request_id === 'user-audit-m2'), 'the other municipality\'s entry is not');
});
