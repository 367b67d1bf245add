// The tenancy matrix: what each demo login may read, change, list and create
// outside its scope. Contract: docs/api.md, "Roles, rights and scope":
// a route the role has no right to answers 403; an object outside the caller's
// scope answers 404 (never 403, never its data).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api } from '../lib/harness.mjs';
import { assertProblem, listAll, auditFind, discoverDemo, orgBody, uniqueLogin } from '../lib/helpers.mjs';

// login → [role, home municipality (1 or 2) as in docs/demo.md]
const LOGINS = {
  admin: ['admin', 1],
  region: ['region_operator', 1],
  mun1: ['municipal_operator', 1],
  mun2: ['municipal_operator', 2],
  uo1: ['org_staff', 1],
  rso1: ['org_staff', 1],
  eirc1: ['org_staff', 1],
  tko1: ['org_staff', 1],
  uo2: ['org_staff', 2],
  resident1: ['resident', 1],
};

// Targets, relative to the caller's home municipality H and other municipality F
// (admin and region have no home; for them H = 1, F = 2):
const TARGETS = {
  foreignMun: 'the other municipality',                       // /municipalities/{F}
  homeMun: 'its own municipality',                             // /municipalities/{H}
  foreignOrg: 'the other municipality\'s УО',                  // org of uo2 (or uo1)
  siblingOrg: 'another organization of its own municipality',  // an org of H not the caller's
  foreignOperator: 'the other municipality\'s operator',       // mun2 (or mun1)
  foreignStaff: 'the other municipality\'s УО staff',           // uo2 (or uo1)
};

// Expected status per role. ___ = not checked here (the call is allowed and would change data).
const ___ = null;
const CASES = [
  // [method, target]
  ['GET', 'foreignMun'], ['GET', 'homeMun'], ['GET', 'foreignOrg'], ['GET', 'siblingOrg'],
  ['GET', 'foreignOperator'], ['GET', 'foreignStaff'],
  ['PATCH', 'foreignMun'], ['PATCH', 'foreignOrg'], ['PATCH', 'siblingOrg'], ['PATCH', 'foreignOperator'],
];
/* eslint-disable no-multi-spaces */
//                         ──────────────────── GET ──────────────────────   ──────────── PATCH ────────────
//                         forMun homeMun forOrg sibOrg forOp forStaff       forMun forOrg sibOrg forOp
const MATRIX = {
  admin:                  [200,   200,    200,   200,   200,  200,           ___,   ___,   ___,   ___],
  region_operator:        [200,   200,    200,   200,   200,  200,           ___,   ___,   ___,   ___],
  municipal_operator:     [404,   200,    404,   200,   404,  404,           403,   404,   ___,   404],
  org_staff:              [404,   200,    404,   404,   403,  403,           403,   404,   404,   403],
  resident:               [403,   403,    403,   403,   403,  403,           403,   403,   403,   403],
};
/* eslint-enable no-multi-spaces */

// What the lists answer per role: 'all', 'region', 'home' (H), 'own' (own org / region), or a status.
const LISTS = {
  //                    regions  municipalities organizations users     audit
  admin:              { regions: 'all', municipalities: 'all', organizations: 'all', users: 'all', audit: 200 },
  region_operator:    { regions: 'own', municipalities: 'region', organizations: 'region', users: 'region', audit: 200 },
  municipal_operator: { regions: 'own', municipalities: 'home', organizations: 'home', users: 'home', audit: 200 },
  org_staff:          { regions: 'own', municipalities: 'home', organizations: 'own', users: 403, audit: 403 },
  resident:           { regions: 'own', municipalities: 403, organizations: 403, users: 403, audit: 403 },
};

const PATCH_BODY = {
  municipalities: { name: 'Чужое название' },
  organizations: { phone: '+7 000 000-00-00' },
  users: { full_name: 'Чужое имя' },
};

let srv;
let c;
let admin;
let demo;
const tokens = {};

before(async () => {
  srv = await startServer();
  c = api(srv.url);
  admin = await c.login('admin');
  demo = await discoverDemo(c, admin);
  for (const login of Object.keys(LOGINS)) tokens[login] = await c.login(login);
});
after(async () => { await srv?.stop(); });

/** Resolves a target for a login to {res, id, obj}. */
function target(login, name) {
  const [, home] = LOGINS[login];
  const H = home === 1 ? demo.m1 : demo.m2;
  const F = home === 1 ? demo.m2 : demo.m1;
  const other = home === 1 ? '2' : '1';
  const ownOrgId = demo.users[login].org_id;
  const mun = (id) => ({ res: 'municipalities', id, obj: demo.municipalities.find((m) => m.id === id) });
  const org = (o) => ({ res: 'organizations', id: o.id, obj: o });
  const user = (l) => ({ res: 'users', id: demo.users[l].id, obj: demo.users[l] });
  switch (name) {
    case 'foreignMun': return mun(F);
    case 'homeMun': return mun(H);
    case 'foreignOrg': return org(demo.orgOf(`uo${other}`));
    case 'siblingOrg': return org(demo.orgsOf(H).find((o) => o.id !== ownOrgId));
    case 'foreignOperator': return user(`mun${other}`);
    case 'foreignStaff': return user(`uo${other}`);
    default: throw new Error(name);
  }
}

const SUFFIX = { 403: 'forbidden', 404: 'not-found' };
const WHY = { 200: ' (in scope)', 403: ' (role lacks the right)', 404: ' (out of scope)' };

for (const [login, [role]] of Object.entries(LOGINS)) {
  CASES.forEach(([method, name], i) => {
    const expected = MATRIX[role][i];
    if (expected === ___) return;
    test(`${role} ${login}: ${method} of ${TARGETS[name]} answers ${expected}${WHY[expected]}`, async () => {
      const t = target(login, name);
      assert.ok(t.obj, `target ${name} exists for ${login}`);
      const path = `/api/v1/${t.res}/${t.id}`;
      const before = (await c.get(path, { token: admin })).body;
      const r = method === 'GET'
        ? await c.get(path, { token: tokens[login] })
        : await c.patch(path, { token: tokens[login], body: PATCH_BODY[t.res] });
      if (expected === 200) {
        assert.equal(r.status, 200, `${login} ${method} ${path}: ${r.status} ${r.text}`);
        assert.equal(r.body.id, t.id);
      } else {
        assertProblem(r, expected, SUFFIX[expected], `${login} ${method} ${path}`);
        const secret = t.obj.name ?? t.obj.login;
        assert.ok(!r.text.includes(secret), `the refusal does not carry the object's data (${secret})`);
        if (expected === 404) {
          // indistinguishable from a missing object
          const missing = await c.call(method, `/api/v1/${t.res}/987654`, {
            token: tokens[login], body: method === 'PATCH' ? PATCH_BODY[t.res] : undefined });
          assert.equal(missing.status, 404);
          assert.equal(r.body.title, missing.body.title, 'same title as for a missing object');
        }
      }
      const after = (await c.get(path, { token: admin })).body;
      assert.deepEqual(after, before, `${t.res} ${t.id} unchanged`);
    });
  });
}

// ------------------------------------------------------------------ lists

function expectSet(items, expected, what) {
  const got = items.map((x) => x.id).sort((a, b) => a - b);
  const want = expected.map((x) => x.id).sort((a, b) => a - b);
  assert.deepEqual(got, want, what);
}

async function listOrStatus(login, resource) {
  const r = await c.get(`/api/v1/${resource}?per_page=500`, { token: tokens[login] });
  return r;
}

for (const [login, [role, home]] of Object.entries(LOGINS)) {
  const rule = LISTS[role];
  test(`${role} ${login}: lists hold only in-scope objects (regions ${rule.regions}, municipalities ${rule.municipalities}, organizations ${rule.organizations}, users ${rule.users}, audit ${rule.audit})`, async () => {
    const H = home === 1 ? demo.m1 : demo.m2;
    const me = demo.users[login];
    const allRegions = await listAll(c, '/api/v1/regions', admin);
    const homeOrgIds = new Set(demo.orgsOf(H).map((o) => o.id));

    const expected = {
      regions: {
        all: allRegions,
        own: allRegions.filter((r) => r.id === demo.region),
      },
      municipalities: {
        all: demo.municipalities,
        region: demo.municipalities.filter((m) => m.region_id === demo.region),
        home: demo.municipalities.filter((m) => m.id === H),
      },
      organizations: {
        all: demo.orgs,
        region: demo.orgs.filter((o) => o.region_id === demo.region),
        home: demo.orgsOf(H),
        own: demo.orgs.filter((o) => o.id === me.org_id),
      },
      users: {
        all: Object.values(demo.users),
        region: Object.values(demo.users).filter((u) => u.region_id === demo.region),
        home: Object.values(demo.users).filter((u) => u.municipality_id === H || homeOrgIds.has(u.org_id)),
      },
    };

    for (const res of ['regions', 'municipalities', 'organizations', 'users']) {
      const want = rule[res];
      if (typeof want === 'number') {
        assertProblem(await listOrStatus(login, res), want, SUFFIX[want], `${login} GET /${res}`);
        continue;
      }
      const items = await listAll(c, `/api/v1/${res}`, tokens[login]);
      assert.ok(expected[res][want].length > 0, `${res}/${want} expects something`);
      expectSet(items, expected[res][want], `${login} GET /${res} holds exactly the ${want} ${res}`);
    }
    if (rule.users === 'home') {
      const users = await listAll(c, '/api/v1/users', tokens[login]);
      for (const l of ['admin', 'region', home === 1 ? 'mun2' : 'mun1', home === 1 ? 'uo2' : 'uo1']) {
        assert.ok(!users.some((u) => u.login === l), `${login} does not list ${l}`);
      }
      assert.ok(users.some((u) => u.login === login), `${login} lists itself`);
    }
    const audit = await listOrStatus(login, 'audit');
    if (rule.audit === 200) assert.equal(audit.status, 200, audit.text);
    else assertProblem(audit, rule.audit, SUFFIX[rule.audit], `${login} GET /audit`);
  });
}

test('list filters cannot widen the scope: mun1 asking for municipality 2\'s organizations and users gets none', async () => {
  const orgs = await listAll(c, `/api/v1/organizations?municipality_id=${demo.m2}`, tokens.mun1);
  assert.deepEqual(orgs, []);
  const users = await listAll(c, `/api/v1/users?municipality_id=${demo.m2}`, tokens.mun1);
  assert.deepEqual(users, []);
  const byOrg = await listAll(c, `/api/v1/users?org_id=${demo.orgOf('uo2').id}`, tokens.mun1);
  assert.deepEqual(byOrg, []);
  const byQ = await listAll(c, '/api/v1/users?q=mun2', tokens.mun1);
  assert.deepEqual(byQ, []);
  const uo = await listAll(c, '/api/v1/organizations?kind=rso', tokens.uo1);
  assert.deepEqual(uo, [], 'uo1 sees no РСО');
});

test('audit entries about objects outside the scope are not listed', async () => {
  const foreign = demo.orgOf('uo2');
  const r = await c.patch(`/api/v1/organizations/${foreign.id}`, {
    token: admin, body: { website: 'https://uo2.example.org' }, headers: { 'X-Request-Id': 'tenancy-audit-m2' } });
  assert.equal(r.status, 200, r.text);
  const pred = (e) => e.request_id === 'tenancy-audit-m2';
  assert.equal((await auditFind(c, tokens.mun2, '', pred)).length, 1, 'mun2 sees the change in its municipality');
  assert.equal((await auditFind(c, tokens.region, '', pred)).length, 1, 'region sees it');
  assert.equal((await auditFind(c, tokens.mun1, '', pred)).length, 0, 'mun1 does not');
});

// ------------------------------------------------------------------ creating outside the scope

async function orgCountByInn(inn) {
  return (await listAll(c, `/api/v1/organizations?q=${inn}`, admin)).length;
}
async function userExists(login) {
  return (await listAll(c, `/api/v1/users?q=${encodeURIComponent(login)}`, admin)).some((u) => u.login === login);
}
function assertRefused(r, what) {
  assert.ok([403, 404, 422].includes(r.status), `${what} refused (403/404/422): ${r.status} ${r.text}`);
  assert.match(r.headers.get('content-type') || '', /^application\/problem\+json/);
}

const PASSWORD = 'Tenancy-pass-1';
const CREATE_OUTSIDE = [
  // [who, what, request, expected status or 'refused', how to see it was not made]
  ['mun1', 'an organization in municipality 2',
    () => ({ path: '/api/v1/organizations', body: orgBody(demo.m2) }), 'refused'],
  ['mun2', 'an organization in municipality 1',
    () => ({ path: '/api/v1/organizations', body: orgBody(demo.m1) }), 'refused'],
  ['uo1', 'an organization in its own municipality',
    () => ({ path: '/api/v1/organizations', body: orgBody(demo.m1) }), 403],
  ['resident1', 'an organization',
    () => ({ path: '/api/v1/organizations', body: orgBody(demo.m1) }), 403],
  ['mun1', 'a municipal operator of municipality 2',
    () => ({ path: '/api/v1/users', body: { login: uniqueLogin('x'), password: PASSWORD, role: 'municipal_operator', municipality_id: demo.m2 } }), 'refused'],
  ['mun1', 'org staff of municipality 2\'s УО',
    () => ({ path: '/api/v1/users', body: { login: uniqueLogin('x'), password: PASSWORD, role: 'org_staff', org_id: demo.orgOf('uo2').id } }), 'refused'],
  ['mun1', 'a region operator',
    () => ({ path: '/api/v1/users', body: { login: uniqueLogin('x'), password: PASSWORD, role: 'region_operator', region_id: demo.region } }), 403],
  ['mun1', 'an admin',
    () => ({ path: '/api/v1/users', body: { login: uniqueLogin('x'), password: PASSWORD, role: 'admin' } }), 403],
  ['region', 'an admin',
    () => ({ path: '/api/v1/users', body: { login: uniqueLogin('x'), password: PASSWORD, role: 'admin' } }), 403],
  ['uo1', 'a colleague in its own organization',
    () => ({ path: '/api/v1/users', body: { login: uniqueLogin('x'), password: PASSWORD, role: 'org_staff', org_id: demo.orgOf('uo1').id } }), 403],
  ['resident1', 'a user',
    () => ({ path: '/api/v1/users', body: { login: uniqueLogin('x'), password: PASSWORD, role: 'resident' } }), 403],
  ['mun1', 'a municipality',
    () => ({ path: '/api/v1/municipalities', body: { name: 'Самозахват', oktmo: '97000001', timezone: 'Europe/Moscow' } }), 403],
];

for (const [who, what, make, expected] of CREATE_OUTSIDE) {
  test(`${who} creating ${what} is ${expected === 'refused' ? 'refused' : `refused with ${expected}`} and nothing is made`, async () => {
    const { path, body } = make();
    const r = await c.post(path, { token: tokens[who], body });
    if (expected === 'refused') assertRefused(r, `${who} POST ${path}`);
    else assertProblem(r, expected, SUFFIX[expected], `${who} POST ${path}`);
    if (body.inn) assert.equal(await orgCountByInn(body.inn), 0, 'organization not made');
    if (body.login) assert.equal(await userExists(body.login), false, 'user not made');
    if (body.oktmo) {
      const muns = await listAll(c, '/api/v1/municipalities', admin);
      assert.ok(!muns.some((m) => m.oktmo === body.oktmo), 'municipality not made');
    }
  });
}

test('mun1 cannot move an organization of its municipality into municipality 2 (refused, unchanged)', async () => {
  const org = demo.orgsOf(demo.m1).find((o) => o.kind === 'tko');
  const before = (await c.get(`/api/v1/organizations/${org.id}`, { token: admin })).body;
  const r = await c.patch(`/api/v1/organizations/${org.id}`, { token: tokens.mun1, body: { municipality_id: demo.m2 } });
  assertRefused(r, 'mun1 moves an organization to municipality 2');
  assert.deepEqual((await c.get(`/api/v1/organizations/${org.id}`, { token: admin })).body, before);
});

test('in-scope changes work: mun1 changes an organization and a user of municipality 1', async () => {
  const org = demo.orgsOf(demo.m1).find((o) => o.kind === 'eirc');
  const r = await c.patch(`/api/v1/organizations/${org.id}`, { token: tokens.mun1, body: { phone: '+7 111 222-33-44' } });
  assert.equal(r.status, 200, r.text);
  const u = await c.patch(`/api/v1/users/${demo.users.tko1.id}`, { token: tokens.mun1, body: { full_name: 'Оператор ТКО' } });
  assert.equal(u.status, 200, u.text);
});
