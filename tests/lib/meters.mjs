// Shared setup of the meters tests (tests/api/meters*.test.mjs, readings*.test.mjs):
// the demo's places and people, and a meter factory. Contract: docs/meters.md.
import assert from 'node:assert/strict';
import { listAll } from './helpers.mjs';

export const LOGINS = ['admin', 'region', 'mun1', 'mun2', 'uo1', 'uo2', 'rso1', 'resident1', 'resident2'];

/**
 * Learns the demo's ids: municipalities m1 (Europe/Moscow) and m2
 * (Asia/Yekaterinburg), their organizations, a managed house in each, the
 * residents' own premises and a neighbour's premises in the same house.
 */
export async function discoverMeters(c, tok) {
  const me = async (login) => (await c.get('/api/v1/me', { token: tok[login] })).body;
  const d = {};
  d.m1 = (await me('mun1')).municipality_id;
  d.m2 = (await me('mun2')).municipality_id;
  d.uo1 = (await me('uo1')).org_id;
  d.uo2 = (await me('uo2')).org_id;
  d.rso1 = (await me('rso1')).org_id;
  const orgs = await listAll(c, '/api/v1/organizations', tok.admin);
  d.rso2 = orgs.find((o) => o.municipality_id === d.m2 && o.kind === 'rso').id;
  d.eirc1 = orgs.find((o) => o.municipality_id === d.m1 && o.kind === 'eirc').id;
  for (const [login, key] of [['resident1', 1], ['resident2', 2]]) {
    const houses = await listAll(c, '/api/v1/houses', tok[login]);
    assert.ok(houses.length >= 1, `${login} sees a house`);
    const own = (await c.get(`/api/v1/houses/${houses[0].id}/premises`, { token: tok[login] })).body.items;
    const all = (await c.get(`/api/v1/houses/${houses[0].id}/premises`, { token: tok.admin })).body.items;
    d[`h${key}`] = houses[0];
    d[`own${key}`] = own[0].id;
    // A neighbour's flat with an open account (the list shows open accounts only).
    d[`other${key}`] = all.find((p) => !own.some((o) => o.id === p.id) && p.kind === 'residential'
      && p.accounts.length > 0).id;
  }
  // Premises of municipality 1 without an open account (a data error the quality figures count).
  for (const h of await listAll(c, `/api/v1/houses?municipality_id=${d.m1}&kind=mkd`, tok.admin)) {
    const prem = (await c.get(`/api/v1/houses/${h.id}/premises`, { token: tok.admin })).body.items;
    d.noAccount1 = prem.find((p) => p.accounts.length === 0)?.id;
    if (d.noAccount1) break;
  }
  assert.equal(d.h1.municipality_id, d.m1);
  assert.equal(d.h2.municipality_id, d.m2);
  return d;
}

let serial = 0;

/** Creates a meter as admin (defaults: cold water, 5 digits, installed 2024-01-15). */
export async function makeMeter(c, token, fields) {
  const body = {
    kind: fields.house_id && !fields.premises_id ? 'building' : 'individual',
    resource: 'cold_water',
    serial: `T-${process.pid}-${++serial}`,
    digits: 5,
    decimals: 3,
    installed_on: '2024-01-15',
    verified_on: '2024-01-10',
    next_verification_on: '2030-01-10',
    ...fields,
  };
  const r = await c.post('/api/v1/meters', { token, body });
  assert.equal(r.status, 201, `create meter: ${r.text}`);
  return r.body;
}

/** The local date parts of now in an IANA zone: {y, m, d}. */
export function localToday(timeZone) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(new Date());
  const get = (t) => Number(parts.find((p) => p.type === t).value);
  return { y: get('year'), m: get('month'), d: get('day') };
}

export const periodOf = (y, m) => `${y}-${String(m).padStart(2, '0')}`;
export const nextPeriod = ({ y, m }) => (m === 12 ? periodOf(y + 1, 1) : periodOf(y, m + 1));
