/* bench_readings.c — sustained meter readings through the HTTP API (issue 5,
 * item 8): CLIENTS keep-alive clients of the in-process load generator
 * (bench/loadgen.h) POST /api/v1/readings to a server started in the same
 * process, as an organization's operator giving successive periods of the
 * organization's meters, so every request is one accepted reading (201).
 * Reported: accepted readings per second, p50 and p99; afterwards the
 * database must hold exactly that many readings (none lost, none twice).
 *
 * The baseline is the same submissions, on a second set of meters, made by
 * CLIENTS threads calling meter_reading_submit directly through the same
 * durable write path (store_write_run), without HTTP: what the store and the
 * meters module sustain alone. The ratio is HTTP ÷ baseline, the share of it
 * the API delivers once parsing, sessions, JSON and the load generator share
 * the two cores.
 *
 *   bench_readings DB-URL [READINGS] [CLIENTS] [DURABILITY]
 *
 * DB-URL: an empty database; READINGS 100,000 a run; CLIENTS 64: each
 * closed-loop client waits for a durable commit (an fsync) per reading, so
 * the rate is bounded by clients ÷ latency and 16 clients cannot show what
 * the server sustains; DURABILITY: full (the default) or process
 * (docs/operations.md, "Durability"). */
#include "auth/auth.h"
#include "base/config.h"
#include "base/log.h"
#include "directory/directory.h"
#include "http/http.h"
#include "loadgen.h"
#include "meters/meters.h"
#include "registry/registry.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PER_HOUSE 100       /* premises (one meter each) per house */
#define FIRST_PERIOD_Y 1990 /* meters installed 1990-01-10; readings from 1990-02 */

static const struct store_scope system_scope = {.kind = SCOPE_SYSTEM};

/* Who submits what: client k's j-th submission is period j / per_client of
 * its meter k + clients × (j % per_client), so each meter gets its periods in
 * order from one client, and a client can send every request if it must. */
struct plan {
    const int64_t *meters; /* clients × per_client ids */
    int clients, per_client;
    long periods; /* periods available: 1990-02 up to last month */
    long *next;   /* per client: submissions made so far */
};

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Meter and period of client k's next submission; false when it has none. */
static bool next_of(struct plan *p, int k, int64_t *meter, int *period)
{
    long j = p->next[k]++;
    long slot = j % p->per_client, n = j / p->per_client;
    if (n >= p->periods)
        return false;
    *meter = p->meters[k + (long)p->clients * slot];
    *period = date_period(FIRST_PERIOD_Y, 2) + (int)n;
    return true;
}

static void next_http(void *arg, int client, long seq, struct loadgen_req *out, char *buf,
                      size_t size)
{
    (void)seq;
    int64_t meter = 0;
    int period = 0;
    char per[PERIOD_STR_SIZE] = "none";
    if (next_of(arg, client, &meter, &period))
        date_period_format(period, per);
    /* The value grows by one unit a month: always plausible. */
    snprintf(buf, size, "{\"meter_id\": %lld, \"period\": \"%s\", \"value\": \"%d\"}",
             (long long)meter, per, period - date_period(FIRST_PERIOD_Y, 1));
    *out = (struct loadgen_req){"POST", "/api/v1/readings", buf};
}

/* One organization in one municipality and its operator. */
static int make_org(struct store_conn *c, struct arena *a, int64_t *org, struct err *e)
{
    struct region reg = {.code = "98", .name = "Тестовая область", .timezone = "Europe/Moscow"};
    struct municipality m = {.name = "г. Скорость", .timezone = "Europe/Moscow"};
    struct organization o = {.kind = "uo",
                             .name = "ООО «Быстрый учёт»",
                             .inn = "7707083893",
                             .kpp = "770701001",
                             .ogrn = "1027812400868"};
    struct user u = {.login = "operator", .full_name = "Оператор", .role = "org_staff"};
    char hash[crypto_pwhash_STRBYTES];
    int rc = auth_password_hash("bench-password-1", hash, e);
    if (rc == 0 && (rc = dir_region_create(c, &system_scope, &reg, e)) == 0) {
        m.region_id = reg.id;
        rc = dir_municipality_create(c, &system_scope, &m, a, e);
    }
    if (rc == 0) {
        o.municipality_id = m.id;
        rc = dir_org_create(c, &system_scope, &o, a, e);
    }
    if (rc == 0) {
        u.region_id = reg.id, u.municipality_id = m.id, u.org_id = o.id, u.active = true;
        rc = dir_user_create(c, &system_scope, &u, hash, a, e);
    }
    *org = o.id;
    return rc;
}

/* n houses of PER_HOUSE premises, each with one cold-water meter. */
static int make_meters(struct store_conn *c, struct arena *a, int64_t org, long n, struct err *e)
{
    struct organization o;
    int rc = dir_org_get(c, &system_scope, org, a, &o, e);
    for (long h = 0; rc == 0 && h < n; h++) {
        struct house x = {.municipality_id = o.municipality_id,
                          .org_id = org,
                          .kind = "mkd",
                          .address = arena_printf(a, "г. Скорость, ул. Счётная, д. %ld", h + 1),
                          .year_built = 1985,
                          .floors = 9,
                          .lat_e6 = REG_NONE,
                          .lon_e6 = REG_NONE};
        rc = reg_house_create(c, &system_scope, &x, a, e);
        struct store_val p[] = {SV_I(x.id), SV_I(store_now()), SV_I(org), SV_I(PER_HOUSE)};
        if (rc == 0)
            rc = store_exec(c,
                            "INSERT INTO premises (house_id, region_id, municipality_id, number,"
                            " kind, area, created_at, updated_at) WITH RECURSIVE n(i) AS"
                            " (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < CAST($3 AS INT))"
                            " SELECT h.id, h.region_id, h.municipality_id, CAST(n.i AS TEXT),"
                            " 'residential', 5000, CAST($2 AS BIGINT), CAST($2 AS BIGINT)"
                            " FROM houses h, n WHERE h.id = $1",
                            (struct store_val[]){p[0], p[1], p[3]}, 3, NULL, e);
        if (rc == 0)
            rc = store_exec(c,
                            "INSERT INTO meters (region_id, municipality_id, house_id,"
                            " premises_id, org_id, kind, resource, serial, digits, decimals,"
                            " installed_on, created_at, updated_at) SELECT p.region_id,"
                            " p.municipality_id, p.house_id, p.id, CAST($3 AS BIGINT),"
                            " 'individual', 'cold_water', 'B-' || p.number, 8, 3, '1990-01-10',"
                            " CAST($2 AS BIGINT), CAST($2 AS BIGINT) FROM premises p"
                            " WHERE p.house_id = $1 ORDER BY p.id",
                            p, 3, NULL, e);
    }
    return rc;
}

/* The ids of every meter, in order, into ids (count of them). */
static int meter_ids(struct store_conn *c, int64_t *ids, long count, struct err *e)
{
    struct store_rows *r = NULL;
    int rc = store_query(c, "SELECT id FROM meters ORDER BY id", NULL, 0, &r, e);
    long n = 0;
    while (rc == 0 && n < count && store_next(r))
        ids[n++] = store_int(r, 0);
    store_rows_free(r);
    return rc           ? rc
           : n == count ? 0
                        : err_set(e, ERR_DB, "expected %ld meters, found %ld", count, n);
}

/* Everything the two runs need: the place, the operator and a session for
 * them (token), 2 × need meters (need a multiple of PER_HOUSE). */
static int setup(struct store *s, long need, int64_t *ids, struct store_scope *staff, char *token,
                 struct err *e)
{
    struct store_conn *c = store_acquire(s, e);
    struct arena *a = arena_new();
    struct auth_session session;
    int rc = !c || !a ? ERR_NOMEM : store_begin(c, e);
    int64_t org = 0;
    if (rc == 0)
        rc = make_org(c, a, &org, e);
    if (rc == 0)
        rc = make_meters(c, a, org, 2 * need / PER_HOUSE, e);
    rc = rc ? rc : store_commit(c, e);
    if (rc == 0)
        rc = auth_login(c, "operator", "bench-password-1", "127.0.0.1", "bench", 3600, a, &session,
                        token, e);
    if (rc == 0)
        rc = meter_ids(c, ids, 2 * need, e);
    *staff = session.scope;
    arena_free(a);
    store_release(c);
    return rc;
}

/* ---- the baseline: the same submissions without HTTP ---- */

struct direct {
    struct store *store;
    struct plan *plan;
    const struct store_scope *scope;
    long total;         /* submissions to make in all */
    atomic_long *taken; /* shared: submissions started */
    double *lat_ms;     /* this thread's latencies */
    long n, ok;         /* made, accepted */
    int k;              /* the client this thread plays */
};

struct one_sub {
    const struct store_scope *scope;
    struct reading_req q;
    struct arena *a;
    struct reading_result out;
    int rc; /* meter_reading_submit's */
};

/* A store_write_fn: the submission, kept when accepted or when its refusal
 * was logged (as the API does). */
static int submit(struct store_conn *c, void *arg, struct err *e)
{
    struct one_sub *o = arg;
    o->rc = meter_reading_submit(c, o->scope, &o->q, o->a, &o->out, e);
    return o->rc == 0 || (o->rc == ERR_INVALID && o->out.logged) ? 0 : o->rc;
}

static void *direct_run(void *arg)
{
    struct direct *d = arg;
    char value[24];
    int64_t meter;
    int period;
    while (atomic_fetch_add(d->taken, 1) < d->total && next_of(d->plan, d->k, &meter, &period)) {
        snprintf(value, sizeof value, "%d", period - date_period(FIRST_PERIOD_Y, 1));
        struct one_sub o = {
            .scope = d->scope,
            .q = {.meter_id = meter, .value = value, .period = period, .channel = CH_OPERATOR},
            .a = arena_new()};
        struct err e = {0};
        if (!o.a)
            break;
        double t0 = seconds();
        int rc = store_write_run(d->store, submit, &o, &e);
        d->lat_ms[d->n++] = (seconds() - t0) * 1000.0;
        d->ok += rc == 0 && o.rc == 0 && o.out.outcome == READING_ACCEPTED;
        arena_free(o.a);
    }
    return NULL;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* `clients` threads submitting `total` readings directly; rate and percentiles into r. */
static int direct(struct store *s, struct plan *p, const struct store_scope *scope, long total,
                  struct loadgen_result *r)
{
    struct direct *d = calloc((size_t)p->clients, sizeof *d);
    pthread_t *th = calloc((size_t)p->clients, sizeof *th);
    double *all = malloc(sizeof *all * (size_t)total);
    atomic_long taken = 0;
    int started = 0, rc = d && th && all ? 0 : -1;
    double t0 = seconds();
    for (; rc == 0 && started < p->clients; started++) {
        d[started] = (struct direct){
            .store = s, .plan = p, .scope = scope, .total = total, .taken = &taken, .k = started};
        if (!(d[started].lat_ms = malloc(sizeof(double) * (size_t)total)) ||
            pthread_create(&th[started], NULL, direct_run, &d[started]) != 0)
            rc = -1;
    }
    long k = 0;
    for (int i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
        r->ok += d[i].ok;
        r->failed += d[i].n - d[i].ok;
        memcpy(all + k, d[i].lat_ms, sizeof(double) * (size_t)d[i].n);
        k += d[i].n;
    }
    r->seconds = seconds() - t0;
    r->per_s = (double)r->ok / r->seconds;
    if (rc == 0 && k) {
        qsort(all, (size_t)k, sizeof *all, cmp_double);
        r->p50_ms = all[k / 2];
        r->p99_ms = all[(k * 99) / 100];
    }
    for (int i = 0; d && i < p->clients; i++)
        free(d[i].lat_ms);
    free(d), free(th), free(all);
    return rc;
}

/* ---- the check and the run ---- */

/* Accepted readings of meters from..to, and distinct (meter, period) among them. */
static int stored(struct store *s, int64_t from, int64_t to, int64_t *count, int64_t *distinct,
                  struct err *e)
{
    struct store_conn *c = store_acquire(s, e);
    struct store_val p[] = {SV_I(from), SV_I(to)};
    int rc = c ? 0 : ERR_DB;
    if (rc == 0)
        rc = store_query_int(c,
                             "SELECT count(*) FROM readings WHERE meter_id BETWEEN $1 AND $2"
                             " AND state = 'accepted'",
                             p, 2, count, e);
    if (rc == 0)
        rc = store_query_int(c,
                             "SELECT count(*) FROM (SELECT DISTINCT meter_id, period FROM readings"
                             " WHERE meter_id BETWEEN $1 AND $2) d",
                             p, 2, distinct, e);
    store_release(c);
    return rc;
}

static void report(const char *what, const struct loadgen_result *r, double batch)
{
    printf("  %-8s %ld accepted, %ld failed in %.2f s: %.0f readings/s, p50 %.2f ms,"
           " p99 %.2f ms, %.1f writes a commit\n",
           what, r->ok, r->failed, r->seconds, r->per_s, r->p50_ms, r->p99_ms, batch);
}

/* One set of meters (ids[0 .. clients × per_client)): the run and its check. */
static int run_set(struct store *s, struct plan *p, long total, bool http, const char *url,
                   const char *token, const struct store_scope *scope, struct loadgen_result *r,
                   double *batch, struct err *e)
{
    memset(r, 0, sizeof *r);
    memset(p->next, 0, sizeof(long) * (size_t)p->clients);
    struct loadgen_opts o = {.base_url = url,
                             .token = token,
                             .clients = p->clients,
                             .requests = total,
                             .expect_status = 201,
                             .next = next_http,
                             .arg = p};
    struct store_stats before, after;
    store_get_stats(s, &before);
    int rc = http ? loadgen_run(&o, r) : direct(s, p, scope, total, r);
    store_get_stats(s, &after);
    *batch = after.groups > before.groups
                 ? (double)(after.grouped - before.grouped) / (double)(after.groups - before.groups)
                 : 1;
    report(http ? "http" : "direct", r, *batch);
    int64_t count = 0, distinct = 0;
    long n = (long)p->clients * p->per_client;
    if (rc == 0)
        rc = stored(s, p->meters[0], p->meters[n - 1], &count, &distinct, e);
    if (rc == 0 && (r->failed || count != r->ok || distinct != r->ok))
        rc = err_set(e, ERR_DB,
                     "%s: %ld accepted (first other status %d), %lld stored, %lld distinct",
                     http ? "http" : "direct", r->ok, r->first_bad_status, (long long)count,
                     (long long)distinct);
    return rc;
}

/* Periods from 1990-02 up to last month (the current one may be in its window). */
static long periods_available(void)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    return date_period(tm.tm_year + 1900, tm.tm_mon + 1) - 1 - date_period(FIRST_PERIOD_Y, 2) + 1;
}

static int start(struct store *s, struct config *cfg, long need, int64_t *ids,
                 struct store_scope *staff, char *token, struct http_server **srv, struct err *e)
{
    config_defaults(cfg);
    snprintf(cfg->listen, sizeof cfg->listen, "127.0.0.1:0");
    cfg->port = 0;
    return setup(s, need, ids, staff, token, e) || http_start(cfg, s, srv, e);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_readings DB-URL [READINGS] [CLIENTS] [full|process]\n");
        return 2;
    }
    long total = argc > 2 ? atol(argv[2]) : 100000;
    int clients = argc > 3 ? atoi(argv[3]) : 64;
    enum store_durability durability = STORE_DURABLE_FULL;
    if (argc > 4 && store_durability_parse(argv[4], &durability)) {
        fprintf(stderr, "bench_readings: durability is full or process\n");
        return 2;
    }
    long periods = periods_available();
    int per_client = (int)((total + periods - 1) / periods);
    /* Whole houses of meters: round each set up to PER_HOUSE. */
    long need = ((long)clients * per_client + PER_HOUSE - 1) / PER_HOUSE * PER_HOUSE;
    log_set_level(LOG_WARN);
    struct config cfg;
    struct err e = {0};
    struct store *s = NULL;
    struct http_server *srv = NULL;
    struct store_scope staff;
    char token[AUTH_TOKEN_LEN + 1];
    int64_t *ids = malloc(sizeof *ids * (size_t)(2 * need));
    long *next = calloc((size_t)clients, sizeof *next);
    if (!ids || !next || total < 1 || clients < 1 || auth_init(2, &e) ||
        store_open(argv[1], 8, &s, &e) || (store_set_durability(s, durability), 0) ||
        store_migrate(s, NULL, &e) || start(s, &cfg, need, ids, &staff, token, &srv, &e)) {
        fprintf(stderr, "bench_readings: %s (an empty database is needed)\n", e.msg);
        store_close(s);
        return 1;
    }
    printf("bench_readings: %s, durability %s, %ld readings a run, %d keep-alive clients,"
           " %d server threads, %ld meters a run\n",
           store_backend_name(s), store_durability_name(durability), total, clients, cfg.threads,
           need);
    struct plan hp = {ids, clients, per_client, periods, next};
    struct plan dp = {ids + need, clients, per_client, periods, next};
    struct loadgen_result h, d;
    double hb = 0, db = 0;
    int rc = run_set(s, &hp, total, true, http_url(srv), token, &staff, &h, &hb, &e);
    http_stop(srv);
    if (rc == 0)
        rc = run_set(s, &dp, total, false, NULL, NULL, &staff, &d, &db, &e);
    if (rc)
        fprintf(stderr, "bench_readings: %s\n", e.msg);
    else
        printf("{\"bench\": \"readings\", \"backend\": \"%s\", \"figures\": {\"readings\": %ld,"
               " \"clients\": %d, \"durability\": \"%s\", \"readings_per_s\": %.0f,"
               " \"p50_ms\": %.2f, \"p99_ms\": %.2f, \"writes_per_commit\": %.1f},"
               " \"baseline\": {\"direct_per_s\": %.0f, \"direct_p50_ms\": %.2f,"
               " \"direct_p99_ms\": %.2f, \"direct_writes_per_commit\": %.1f},"
               " \"ratio\": %.2f}\n",
               store_backend_name(s), total, clients, store_durability_name(durability), h.per_s,
               h.p50_ms, h.p99_ms, hb, d.per_s, d.p50_ms, d.p99_ms, db,
               d.per_s > 0 ? h.per_s / d.per_s : 0);
    store_close(s);
    free(ids), free(next);
    return rc ? 1 : 0;
}
