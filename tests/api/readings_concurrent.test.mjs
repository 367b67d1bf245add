// Concurrent reading submissions (docs/architecture.md, "Group commit"): each
// answer comes after its own reading's commit, which it shares with the
// submissions that arrived with it. Every accepted reading lands exactly once,
// a refused one (recorded for the quality figures) does not undo its
// neighbours, and a retried request with the same Idempotency-Key is answered
// from the stored reading. Runs on both backends against the demo region.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api } from '../lib/harness.mjs';
import { LOGINS, discoverMeters, makeMeter } from '../lib/meters.mjs';

let srv;
let c;
const tok = {};
let d;

before(async () => {
  srv = await startServer();
  c = api(srv.url);
  for (const login of LOGINS) tok[login] = await c.login(login);
  d = await discoverMeters(c, tok);
});

after(async () => { await srv?.stop(); });

const submit = (body, headers) => c.post('/api/v1/readings', { token: tok.admin, body, headers });
const history = async (id) =>
  (await c.get(`/api/v1/meters/${id}/readings?per_page=100`, { token: tok.admin })).body.items;

test('concurrent submissions all land once; refused ones beside them change nothing else', async () => {
  const meters = [];
  for (let i = 0; i < 30; i++) meters.push(await makeMeter(c, tok.admin, { premises_id: d.own1, org_id: d.uo1 }));
  // Every third meter already shows 100 for December: 50 in January is refused.
  const low = meters.filter((_, i) => i % 3 === 0);
  for (const m of low) {
    const r = await submit({ meter_id: m.id, period: '2024-12', value: '100' });
    assert.equal(r.status, 201, r.text);
  }
  const answers = await Promise.all(meters.map((m, i) =>
    submit({ meter_id: m.id, period: '2025-01', value: i % 3 === 0 ? '50' : String(10 + i) })));
  answers.forEach((r, i) => {
    if (i % 3 === 0) {
      assert.equal(r.status, 422, r.text);
      assert.equal(r.body.rule, 'lower_than_previous');
    } else {
      assert.equal(r.status, 201, r.text);
      assert.equal(r.body.result, 'accepted');
      assert.equal(r.body.value, `${10 + i}.000`);
    }
  });
  for (const [i, m] of meters.entries()) {
    const jan = (await history(m.id)).filter((x) => x.period === '2025-01');
    assert.equal(jan.length, i % 3 === 0 ? 0 : 1, `meter ${m.id}: January readings`);
    if (i % 3) assert.equal(jan[0].id, answers[i].body.id, 'the answer names the stored reading');
  }
});

test('the same request sent concurrently with one Idempotency-Key is stored once', async () => {
  const m = await makeMeter(c, tok.admin, { premises_id: d.own1, org_id: d.uo1 });
  const key = `retry-${process.pid}`;
  const send = () => submit({ meter_id: m.id, period: '2025-02', value: '7' }, { 'Idempotency-Key': key });
  const answers = await Promise.all([1, 2, 3, 4].map(send));
  // One is accepted; the others are answered from it, or (PostgreSQL, when
  // two commit lanes held them at once) told to repeat — and a repeat replays.
  assert.equal(answers.filter((r) => r.status === 201).length, 1, answers.map((r) => r.text).join('\n'));
  for (const r of answers.filter((x) => x.status !== 201)) {
    assert.ok([200, 409].includes(r.status), r.text);
    const again = r.status === 409 ? await send() : r;
    assert.equal(again.status, 200, again.text);
    assert.equal(again.body.result, 'replayed');
  }
  const stored = await history(m.id);
  assert.equal(stored.length, 1, 'stored once');
  assert.ok(answers.every((r) => r.status === 409 || r.body.id === stored[0].id));
});
