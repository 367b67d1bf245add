// The command line: help, usage errors, database URLs, the config file,
// precedence config < env < flags, migrate, user and org commands.
// Contract: `upravdom [--config FILE] <command> [flags]`; exit codes 0 ok,
// 1 runtime error, 2 usage error, 3 not found.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { BIN, startServer, api, freshDatabase, assertNoSanitizerReport, DEMO_PASSWORD } from '../lib/harness.mjs';
import { inn10, inn12, ogrn13, breakCheckDigit, uniqueLogin } from '../lib/helpers.mjs';

const ENV_KEYS = ['UPRAVDOM_DB', 'UPRAVDOM_LISTEN', 'UPRAVDOM_THREADS', 'UPRAVDOM_CONFIG'];

/** Runs the binary with a clean UPRAVDOM_* environment plus opts.env. */
function run(args, opts = {}) {
  const env = { ...process.env };
  for (const k of ENV_KEYS) delete env[k];
  Object.assign(env, opts.env || {});
  const r = spawnSync(BIN, args, { encoding: 'utf8', env, input: opts.input ?? '', timeout: opts.timeout || 60000,
    cwd: opts.cwd || scratch });
  assertNoSanitizerReport(r.stderr, `upravdom ${args.join(' ')}`);
  assert.equal(r.signal, null, `upravdom ${args.join(' ')} was killed (${r.signal}); stderr: ${r.stderr}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, out: r.stdout + r.stderr };
}

let scratch; // a temp dir: cwd of every run, so stray default files land here
const dirs = [];
function tempDir() {
  const d = mkdtempSync(path.join(tmpdir(), 'upravdom-cli-'));
  dirs.push(d);
  return d;
}

let srv; // a demo server, for commands whose effect is checked through the API
let c;
let admin;
let m1;

before(async () => {
  scratch = tempDir();
  srv = await startServer();
  c = api(srv.url);
  admin = await c.login('admin');
  const me = (await c.get('/api/v1/users?q=mun1', { token: admin })).body.items.find((u) => u.login === 'mun1');
  m1 = me.municipality_id;
});
after(async () => {
  try { await srv?.stop(); } finally { for (const d of dirs) rmSync(d, { recursive: true, force: true }); }
});

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// ------------------------------------------------------------------ help

const HELP = [
  [['--help'], ['serve', 'migrate', 'demo', 'user', 'org', '--config']],
  [['serve', '--help'], ['--db', '--listen', '--threads', '--web']],
  [['migrate', '--help'], ['--db']],
  [['demo', '--help'], ['--seed', '--municipalities', '--orgs-per-municipality', '--residents', '--listen', '--no-serve']],
  [['user', '--help'], ['add', 'list', 'passwd']],
  [['org', '--help'], ['add', 'list']],
  [['user', 'add', '--help'], ['--login', '--role', '--password', '--full-name', '--municipality-id', '--org-id', '--email']],
  [['user', 'passwd', '--help'], ['--login', '--password']],
  [['org', 'add', '--help'], ['--name', '--kind', '--inn', '--kpp', '--ogrn', '--municipality-id', '--short-name']],
];

for (const [args, words] of HELP) {
  test(`upravdom ${args.join(' ')} exits 0 and prints usage naming ${words.join(' ')}`, () => {
    const r = run(args);
    assert.equal(r.status, 0, r.out);
    assert.match(r.stdout, /usage/i, `usage text on stdout: ${r.out}`);
    for (const w of words) assert.ok(r.stdout.includes(w), `help mentions ${w}:\n${r.stdout}`);
  });
}

// ------------------------------------------------------------------ usage errors

test('no command at all is a usage error (exit 2) with usage on stderr', () => {
  const r = run([]);
  assert.equal(r.status, 2, r.out);
  assert.match(r.stderr, /usage/i);
});

test('an unknown command exits 2 and stderr names it', () => {
  const r = run(['frobnicate']);
  assert.equal(r.status, 2, r.out);
  assert.ok(r.stderr.includes('frobnicate'), r.stderr);
});

const UNKNOWN_FLAGS = [
  ['serve', '--bogus'],
  ['--bogus', 'serve'],
  ['migrate', '--frobnicate'],
  ['demo', '--no-such-flag'],
  ['user', 'add', '--nope', 'x'],
  ['user', 'list', '--colour', 'red'],
  ['org', 'list', '--colour', 'red'],
];
for (const args of UNKNOWN_FLAGS) {
  const flag = args.find((a) => a.startsWith('--'));
  test(`an unknown flag (upravdom ${args.join(' ')}) exits 2 and stderr names ${flag}`, () => {
    const r = run(args, { timeout: 15000 });
    assert.equal(r.status, 2, r.out);
    assert.ok(r.stderr.includes(flag), `stderr names ${flag}: ${r.stderr}`);
  });
}

test('an unknown user/org subcommand exits 2 and names it', () => {
  for (const args of [['user', 'delete'], ['org', 'frob']]) {
    const r = run(args);
    assert.equal(r.status, 2, r.out);
    assert.ok(r.stderr.includes(args[1]), r.stderr);
  }
});

const BAD_VALUES = [
  [['serve', '--listen', 'nonsense'], '--listen'],
  [['serve', '--listen', '127.0.0.1:99999'], '--listen'],
  [['serve', '--listen', '127.0.0.1:0', '--threads', 'abc'], '--threads'],
  [['serve', '--listen', '127.0.0.1:0', '--threads', '-3'], '--threads'],
  [['serve', '--listen'], '--listen'], // missing value
  [['demo', '--no-serve', '--seed', 'abc'], '--seed'],
  [['demo', '--no-serve', '--municipalities', 'many'], '--municipalities'],
];
for (const [args, flag] of BAD_VALUES) {
  test(`a bad value (upravdom ${args.join(' ')}) exits 2 and stderr names ${flag}`, () => {
    const db = `sqlite:${tempDir()}/bad-value.db`;
    const r = run([...args.slice(0, 1), '--db', db, ...args.slice(1)], { timeout: 15000 });
    assert.equal(r.status, 2, r.out);
    assert.ok(r.stderr.includes(flag), `stderr names ${flag}: ${r.stderr}`);
  });
}

test('a bad UPRAVDOM_THREADS value exits 2 and names it', () => {
  const r = run(['serve', '--db', `sqlite:${tempDir()}/t.db`, '--listen', '127.0.0.1:0'], { env: { UPRAVDOM_THREADS: 'abc' }, timeout: 15000 });
  assert.equal(r.status, 2, r.out);
  assert.match(r.stderr, /UPRAVDOM_THREADS/);
});

// ------------------------------------------------------------------ database URLs

test('a database URL of an unsupported scheme (--db mysql://x) fails clearly, naming it', () => {
  const r = run(['migrate', '--db', 'mysql://x']);
  assert.notEqual(r.status, 0, r.out);
  assert.ok(r.stderr.includes('mysql://x') || r.stderr.includes('--db'), `stderr names the URL or --db: ${r.stderr}`);
});

test('a SQLite file in a missing directory fails clearly, naming the path', () => {
  const r = run(['migrate', '--db', 'sqlite:/nonexistent-dir/x.db']);
  assert.notEqual(r.status, 0, r.out);
  assert.ok(r.stderr.includes('/nonexistent-dir/x.db'), `stderr names the path: ${r.stderr}`);
  assert.ok(!existsSync('/nonexistent-dir'));
});

test('an unreachable PostgreSQL server is a runtime error: exit 1', () => {
  const r = run(['migrate', '--db', 'postgresql://postgres@127.0.0.1:1/nope'], { timeout: 30000 });
  assert.equal(r.status, 1, r.out);
  assert.ok(r.stderr.trim().length > 0, 'says why');
});

test('serve with a bad database URL exits non-zero without serving', () => {
  const r = run(['serve', '--db', 'mysql://x', '--listen', '127.0.0.1:0'], { timeout: 15000 });
  assert.notEqual(r.status, 0, r.out);
});

// ------------------------------------------------------------------ config file

const BAD_CONFIGS = [
  ['a line without "="', 'listen 127.0.0.1:8080'],
  ['an unknown key', 'colour = blue'],
  ['a bad threads value', 'threads = abc'],
];
for (const [what, line3] of BAD_CONFIGS) {
  test(`a config file with ${what} on line 3 exits 2 and stderr says FILE:3:COLUMN`, () => {
    const d = tempDir();
    const file = path.join(d, 'upravdom.conf');
    writeFileSync(file, `# upravdom test config\ndb = sqlite:${d}/cfg.db\n${line3}\nlog_level = info\n`);
    const r = run(['--config', file, 'migrate']);
    assert.equal(r.status, 2, r.out);
    assert.match(r.stderr, new RegExp(`${escapeRe(file)}:3:\\d+`), `stderr: ${r.stderr}`);
    assert.ok(!existsSync(`${d}/cfg.db`), 'nothing was done');
  });
}

test('a missing config file exits 2 and names it', () => {
  const r = run(['--config', '/nonexistent-dir/upravdom.conf', 'migrate']);
  assert.equal(r.status, 2, r.out);
  assert.ok(r.stderr.includes('/nonexistent-dir/upravdom.conf'), r.stderr);
});

test('comments, blank lines and spaces around "=" are allowed in the config file', () => {
  const d = tempDir();
  const file = path.join(d, 'ok.conf');
  writeFileSync(file, `# comment\n\n   db=sqlite:${d}/ok.db   \n# another = comment\nthreads =  2\nlog_level = info\n`);
  const r = run(['--config', file, 'migrate']);
  assert.equal(r.status, 0, r.out);
  assert.ok(existsSync(`${d}/ok.db`), 'config db used');
});

// ------------------------------------------------------------------ precedence

function precedenceSetup() {
  const d = tempDir();
  const file = path.join(d, 'p.conf');
  writeFileSync(file, `db = sqlite:${d}/from-config.db\n`);
  return { d, file, made: () => ['from-config', 'from-env', 'from-flag'].filter((n) => existsSync(`${d}/${n}.db`)) };
}

test('the database: config file is used when nothing else says', () => {
  const p = precedenceSetup();
  assert.equal(run(['--config', p.file, 'migrate']).status, 0);
  assert.deepEqual(p.made(), ['from-config']);
});

test('the database: UPRAVDOM_DB beats the config file', () => {
  const p = precedenceSetup();
  const r = run(['--config', p.file, 'migrate'], { env: { UPRAVDOM_DB: `sqlite:${p.d}/from-env.db` } });
  assert.equal(r.status, 0, r.out);
  assert.deepEqual(p.made(), ['from-env']);
});

test('the database: --db beats UPRAVDOM_DB and the config file', () => {
  const p = precedenceSetup();
  const r = run(['--config', p.file, 'migrate', '--db', `sqlite:${p.d}/from-flag.db`], { env: { UPRAVDOM_DB: `sqlite:${p.d}/from-env.db` } });
  assert.equal(r.status, 0, r.out);
  assert.deepEqual(p.made(), ['from-flag']);
});

test('UPRAVDOM_CONFIG names the config file; --config beats it; --config may follow the command', () => {
  const p = precedenceSetup();
  assert.equal(run(['migrate'], { env: { UPRAVDOM_CONFIG: p.file } }).status, 0);
  assert.deepEqual(p.made(), ['from-config']);

  const q = precedenceSetup();
  const other = path.join(q.d, 'other.conf');
  writeFileSync(other, `db = sqlite:${q.d}/from-flag.db\n`);
  assert.equal(run(['--config', other, 'migrate'], { env: { UPRAVDOM_CONFIG: q.file } }).status, 0);
  assert.deepEqual(q.made(), ['from-flag']);

  const s = precedenceSetup();
  const r = run(['migrate', '--config', s.file]);
  assert.equal(r.status, 0, r.out);
  assert.deepEqual(s.made(), ['from-config']);
});

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** Starts `serve`, waits for the listening line, stops it; returns the URL. */
async function serveUrl(args, env = {}) {
  const e = { ...process.env };
  for (const k of ENV_KEYS) delete e[k];
  Object.assign(e, env);
  const proc = spawn(BIN, args, { env: e, cwd: scratch });
  let log = '';
  proc.stdout.on('data', (d) => { log += d; });
  proc.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, sig) => resolve({ code, sig })));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${log}`)), 30000);
    const poll = setInterval(() => {
      const m = /"msg":"listening","url":"([^"]+)"/.exec(log);
      if (m) { clearTimeout(timer); clearInterval(poll); resolve(m[1]); }
    }, 50);
    exited.then((x) => { clearTimeout(timer); clearInterval(poll); reject(new Error(`serve exited ${JSON.stringify(x)}:\n${log}`)); });
  }).catch(async (err) => { proc.kill('SIGKILL'); await exited; throw err; });
  proc.kill('SIGTERM');
  const x = await exited;
  assertNoSanitizerReport(log, 'serve');
  assert.equal(x.code, 0, `serve exits 0 on SIGTERM:\n${log}`);
  return url;
}

test('the listen address: config < UPRAVDOM_LISTEN < --listen', async () => {
  const d = tempDir();
  const db = `sqlite:${d}/listen.db`;
  assert.equal(run(['migrate', '--db', db]).status, 0);
  const [pc, pe, pf] = [await freePort(), await freePort(), await freePort()];
  const file = path.join(d, 'l.conf');
  writeFileSync(file, `db = ${db}\nlisten = 127.0.0.1:${pc}\n`);
  assert.match(await serveUrl(['--config', file, 'serve']), new RegExp(`:${pc}\\b`), 'config');
  assert.match(await serveUrl(['--config', file, 'serve'], { UPRAVDOM_LISTEN: `127.0.0.1:${pe}` }), new RegExp(`:${pe}\\b`), 'env');
  assert.match(await serveUrl(['--config', file, 'serve', '--listen', `127.0.0.1:${pf}`], { UPRAVDOM_LISTEN: `127.0.0.1:${pe}` }),
    new RegExp(`:${pf}\\b`), 'flag');
});

// ------------------------------------------------------------------ migrate

test('migrate twice applies the migrations once: the second run has nothing to apply', () => {
  const db = freshDatabase();
  try {
    const first = run(['migrate', '--db', db.url]);
    assert.equal(first.status, 0, first.out);
    const second = run(['migrate', '--db', db.url]);
    assert.equal(second.status, 0, second.out);
    const version = (s) => (/version\D{0,3}(\d+)/i.exec(s) || [])[1];
    const nothing = /nothing to (apply|do)|up[ -]to[ -]date|already|no (pending|new) migrations|0 migrations|applied 0|нечего|актуальн/i;
    assert.ok(nothing.test(second.out) || (version(first.out) && version(first.out) === version(second.out) && second.out !== first.out),
      `second run says nothing to apply / same version:\nfirst: ${first.out}\nsecond: ${second.out}`);
    assert.ok(!nothing.test(first.out), `the first run applied something: ${first.out}`);
    assert.equal(run(['user', 'list', '--db', db.url]).status, 0, 'the schema works');
  } finally {
    db.drop();
  }
});

// ------------------------------------------------------------------ user

test('user add then user list shows the user; list --role filters', () => {
  const db = freshDatabase();
  try {
    assert.equal(run(['migrate', '--db', db.url]).status, 0);
    const login = uniqueLogin('cli');
    const r = run(['user', 'add', '--db', db.url, '--login', login, '--role', 'admin', '--password', 'Cli-pass-123',
      '--full-name', 'Администратор CLI', '--email', 'cli@example.org']);
    assert.equal(r.status, 0, r.out);
    assert.ok(!r.out.includes('Cli-pass-123'), 'the password is not echoed');
    const list = run(['user', 'list', '--db', db.url]);
    assert.equal(list.status, 0, list.out);
    assert.ok(list.stdout.includes(login), list.stdout);
    assert.ok(!list.stdout.includes('Cli-pass-123') && !list.stdout.includes('$argon2'), 'no password in the list');
    assert.ok(run(['user', 'list', '--db', db.url, '--role', 'admin']).stdout.includes(login));
    assert.ok(!run(['user', 'list', '--db', db.url, '--role', 'resident']).stdout.includes(login));
  } finally {
    db.drop();
  }
});

test('user add of a taken login fails (exit 1)', () => {
  const login = uniqueLogin('dup');
  const args = ['user', 'add', '--db', srv.db.url, '--login', login, '--role', 'admin', '--password', 'Cli-pass-123'];
  assert.equal(run(args).status, 0);
  const r = run(args);
  assert.equal(r.status, 1, r.out);
  assert.ok(r.stderr.includes(login), `stderr names the login: ${r.stderr}`);
});

test('user add with a bad role, login or short password exits 2 naming the flag', () => {
  const base = ['user', 'add', '--db', srv.db.url];
  for (const [args, flag] of [
    [['--login', uniqueLogin('x'), '--role', 'superuser', '--password', 'Cli-pass-123'], '--role'],
    [['--login', 'Bad Login', '--role', 'admin', '--password', 'Cli-pass-123'], '--login'],
    [['--login', uniqueLogin('x'), '--role', 'admin', '--password', 'short'], '--password'],
    [['--login', uniqueLogin('x'), '--role', 'admin'], '--password'],
    [['--role', 'admin', '--password', 'Cli-pass-123'], '--login'],
    [['--login', uniqueLogin('x'), '--role', 'municipal_operator', '--password', 'Cli-pass-123', '--municipality-id', 'abc'], '--municipality-id'],
  ]) {
    const r = run([...base, ...args]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.out}`);
    assert.ok(r.stderr.includes(flag), `${args.join(' ')}: stderr names ${flag}: ${r.stderr}`);
  }
});

test('a user made by the CLI logs in through the API', async () => {
  const login = uniqueLogin('api');
  const r = run(['user', 'add', '--db', srv.db.url, '--login', login, '--role', 'municipal_operator', '--password', 'Cli-pass-123',
    '--municipality-id', String(m1)]);
  assert.equal(r.status, 0, r.out);
  const res = await c.post('/api/v1/auth/login', { body: { login, password: 'Cli-pass-123' } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.user.municipality_id, m1);
  assert.equal(res.body.user.role, 'municipal_operator');
});

test('user passwd --password changes the password: the new one logs in, the old one does not', async () => {
  const r = run(['user', 'passwd', '--db', srv.db.url, '--login', 'uo1', '--password', 'Changed-pass-1']);
  assert.equal(r.status, 0, r.out);
  assert.equal((await c.post('/api/v1/auth/login', { body: { login: 'uo1', password: 'Changed-pass-1' } })).status, 200);
  assert.equal((await c.post('/api/v1/auth/login', { body: { login: 'uo1', password: DEMO_PASSWORD } })).status, 401);
});

test('user passwd without --password reads the password from stdin', async () => {
  const r = run(['user', 'passwd', '--db', srv.db.url, '--login', 'rso1'], { input: 'Stdin-pass-456\n' });
  assert.equal(r.status, 0, r.out);
  const ok = await c.post('/api/v1/auth/login', { body: { login: 'rso1', password: 'Stdin-pass-456' } });
  assert.equal(ok.status, 200, `the password without the newline works: ${ok.text}`);
});

test('user passwd for an unknown login exits 3', () => {
  const r = run(['user', 'passwd', '--db', srv.db.url, '--login', 'no-such-user', '--password', 'Whatever-123']);
  assert.equal(r.status, 3, r.out);
  assert.ok(r.stderr.includes('no-such-user'), r.stderr);
});

test('user passwd with a short password exits 2 naming --password and changes nothing', async () => {
  const r = run(['user', 'passwd', '--db', srv.db.url, '--login', 'eirc1', '--password', 'short']);
  assert.equal(r.status, 2, r.out);
  assert.ok(r.stderr.includes('--password'), r.stderr);
  assert.equal((await c.post('/api/v1/auth/login', { body: { login: 'eirc1', password: DEMO_PASSWORD } })).status, 200);
});

// ------------------------------------------------------------------ org

test('org add creates an organization seen by the API and by org list', async () => {
  const inn = inn10();
  const ogrn = ogrn13();
  const r = run(['org', 'add', '--db', srv.db.url, '--name', 'ООО «УК из CLI»', '--kind', 'uo', '--inn', inn, '--kpp', '770101001',
    '--ogrn', ogrn, '--municipality-id', String(m1), '--short-name', 'УК CLI']);
  assert.equal(r.status, 0, r.out);
  const found = (await c.get(`/api/v1/organizations?q=${inn}`, { token: admin })).body.items;
  assert.equal(found.length, 1, JSON.stringify(found));
  assert.equal(found[0].name, 'ООО «УК из CLI»');
  assert.equal(found[0].short_name, 'УК CLI');
  assert.equal(found[0].kind, 'uo');
  assert.equal(found[0].kpp, '770101001');
  assert.equal(found[0].ogrn, ogrn);
  assert.equal(found[0].municipality_id, m1);
  const list = run(['org', 'list', '--db', srv.db.url]);
  assert.equal(list.status, 0, list.out);
  assert.ok(list.stdout.includes(inn), 'org list shows the INN');
  assert.ok(run(['org', 'list', '--db', srv.db.url, '--kind', 'uo']).stdout.includes(inn));
  assert.ok(!run(['org', 'list', '--db', srv.db.url, '--kind', 'rso']).stdout.includes(inn));
});

test('org add of an individual entrepreneur needs no --kpp', async () => {
  const inn = inn12();
  const base = '3047700' + String(Date.now() % 1e7).padStart(7, '0');
  const ogrnip = base + String((BigInt(base) % 13n) % 10n);
  const r = run(['org', 'add', '--db', srv.db.url, '--name', 'ИП Иванов', '--kind', 'tko', '--inn', inn, '--ogrn', ogrnip,
    '--municipality-id', String(m1)]);
  assert.equal(r.status, 0, r.out);
  const found = (await c.get(`/api/v1/organizations?q=${inn}`, { token: admin })).body.items;
  assert.equal(found.length, 1);
  assert.equal(found[0].kpp ?? null, null);
});

const ORG_BAD = [
  ['a bad INN check digit', (a) => a.with(a.indexOf('--inn') + 1, breakCheckDigit(a[a.indexOf('--inn') + 1])), '--inn'],
  ['a bad OGRN check digit', (a) => a.with(a.indexOf('--ogrn') + 1, breakCheckDigit(a[a.indexOf('--ogrn') + 1])), '--ogrn'],
  ['an unknown kind', (a) => a.with(a.indexOf('--kind') + 1, 'bank'), '--kind'],
  ['no --kpp for a 10-digit INN', (a) => a.filter((x, i) => x !== '--kpp' && a[i - 1] !== '--kpp'), '--kpp'],
  ['no --ogrn', (a) => a.filter((x, i) => x !== '--ogrn' && a[i - 1] !== '--ogrn'), '--ogrn'],
  ['a non-numeric --municipality-id', (a) => a.with(a.indexOf('--municipality-id') + 1, 'first'), '--municipality-id'],
];
for (const [what, change, flag] of ORG_BAD) {
  test(`org add with ${what} exits 2 naming ${flag} and makes nothing`, async () => {
    const inn = inn10();
    const args = change(['org', 'add', '--db', srv.db.url, '--name', 'ООО «Неверная»', '--kind', 'uo', '--inn', inn, '--kpp', '770101001',
      '--ogrn', ogrn13(), '--municipality-id', String(m1)]);
    const r = run(args);
    assert.equal(r.status, 2, r.out);
    assert.ok(r.stderr.includes(flag), `stderr names ${flag}: ${r.stderr}`);
    const found = (await c.get(`/api/v1/organizations?q=${inn.slice(0, 9)}`, { token: admin })).body.items;
    assert.equal(found.length, 0, 'nothing made');
  });
}

test('org add for an unknown municipality fails (non-zero) naming --municipality-id', () => {
  const r = run(['org', 'add', '--db', srv.db.url, '--name', 'ООО «Нигде»', '--kind', 'uo', '--inn', inn10(), '--kpp', '770101001',
    '--ogrn', ogrn13(), '--municipality-id', '987654']);
  assert.notEqual(r.status, 0, r.out);
  assert.ok(r.stderr.includes('--municipality-id') || r.stderr.includes('987654'), r.stderr);
});

test('org add of a taken INN+KPP fails with exit 1', () => {
  const args = ['org', 'add', '--db', srv.db.url, '--name', 'ООО «Дубль»', '--kind', 'rso', '--inn', inn10(), '--kpp', '770101001',
    '--ogrn', ogrn13(), '--municipality-id', String(m1)];
  assert.equal(run(args).status, 0);
  const r = run(args);
  assert.equal(r.status, 1, r.out);
});
