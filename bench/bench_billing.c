/* bench_billing.c — the monthly billing run of a whole region (issue 6, item
 * 9): generates a region billed by one ЕИРЦ, runs the engine
 * (billing_run(), docs/billing.md) for period P, and in the same process, on
 * the same database, computes the same charges as plain SQL — one
 * INSERT … SELECT per step, the way a team without an engine would write it
 * — then checks that both give the same amounts to the kopeck, per service
 * and per account.
 *
 *   bench_billing DB-URL [--accounts N]
 *
 * DB-URL: an empty database (sqlite:PATH or postgresql://…), migrated here.
 * N: open accounts to bill, one per premises (default 1,000,000; 3,900,000
 * is the Moscow region). Targets (docs/operations.md "Billing"): the engine
 * ≥ 2× faster than the plain SQL on SQLite, ≥ 3× on PostgreSQL, and 3.9 M
 * accounts × 8 services billed in ≤ 30 s on SQLite.
 *
 * The region (generate()): one municipality (Europe/Moscow), houses of
 * PER_HOUSE premises, one account per premises (residents 0–5, area
 * 25–120 m²). The ЕИРЦ bills 8 services: maintenance, capital repair and
 * heating by area, waste by residents, cold and hot water and electricity by
 * meter (raising 150 % without one), wastewater as cold + hot. About 90 % of
 * premises have a cold-water, a hot-water and an electricity meter, each
 * with a reading for P−1 covering 3 months (a few new meters: 2 months), and
 * 85 % of meters a reading for P; the rest are billed by the average (V) or,
 * for the new meters, by the norm (N); premises without meters by the raised
 * norm (K). Tariffs have a history: superseded, ended and future rows, a
 * newer organization-wide price that a house or municipality price still
 * beats, and prices ending in 50 hundredths of a kopeck so that lines land
 * on half a kopeck. Edge cases in every house: an account closed before P
 * and one closed on P's last day with its successor opened after P, a meter
 * removed before P, one installed after P. Generation is timed apart.
 *
 * The plain SQL relies on what this data guarantees and a regional team
 * would know of its own: at most one meter in service per premises, resource
 * and zone (its primary key would refuse a second line), no statements
 * before P (no п. 61 reconciliation, no streak of estimated periods), all
 * amounts positive (half-up as (x + 50000) / 100000). */
#include "base/date.h"
#include "base/log.h"
#include "billing/billing.h"
#include "demo/demo_bulk.h"
#include "directory/directory.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define PER_HOUSE 200 /* premises (and open accounts) a house */
#define PERIOD_Y 2026 /* the period billed: P = 2026-10 */
#define PERIOD_M 10
#define SEED 0x9e3779b97f4a7c15u
#define GEN_CACHE_KIB "1048576" /* SQLite page cache while generating: 1 GiB */
#define COUNT(a) ((int)(sizeof a / sizeof a[0]))

static const struct store_scope system_scope = {.kind = SCOPE_SYSTEM};

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU seconds of this process (user + system, every thread): on SQLite
 * all the work of a phase, whatever else the machine runs; on PostgreSQL
 * only the client's share. */
static double cpu_seconds(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/* The 1-minute load average, to say how busy the machine was. */
static double load1(void)
{
    double l = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1)
            l = -1;
        fclose(f);
    }
    return l;
}

/* ------------------------------------------------------------ the catalogue */

enum {
    S_MAINT,
    S_CAPREP,
    S_HEAT,
    S_WASTE,
    S_COLD,
    S_HOT,
    S_SEWER,
    S_ELEC,
    NSVC
};

static const struct {
    const char *code, *name, *method, *unit, *resource;
    int raising_pct;
} svc[NSVC] = {
    [S_MAINT] = {"maintenance", "Содержание и текущий ремонт", "area", "м²", NULL, 100},
    [S_CAPREP] = {"capital_repair", "Взнос на капитальный ремонт", "area", "м²", NULL, 100},
    [S_HEAT] = {"heating", "Отопление", "area", "м²", NULL, 100},
    [S_WASTE] = {"waste", "Обращение с ТКО", "residents", "чел.", NULL, 100},
    [S_COLD] = {"cold_water", "Холодное водоснабжение", "meter", "м³", "cold_water", 150},
    [S_HOT] = {"hot_water", "Горячее водоснабжение", "meter", "м³", "hot_water", 150},
    [S_SEWER] = {"wastewater", "Водоотведение", "meter", "м³", "wastewater", 100},
    [S_ELEC] = {"electricity", "Электроснабжение", "meter", "кВт·ч", "electricity", 150},
};

enum rate_scope {
    ORG,
    MUN,
    HOUSE /* every tenth house (ids 1, 11, 21 …) */
};
#define OPEN 99 /* no valid_to */

/* Prices (hundredths of a kopeck per unit) and norms (thousandths per
 * person), valid from the 1st of P + from to the last day of P + to. */
struct rate {
    int service;
    enum rate_scope scope;
    int from, to;
    int64_t value;
};

static const struct rate tariffs[] = {
    {S_MAINT, ORG, -12, OPEN, 356700},   /* 35,67 ₽/м² */
    {S_MAINT, ORG, -2, OPEN, 364950},    /* newer: wins over the one above… */
    {S_MAINT, HOUSE, -12, OPEN, 412350}, /* …but not over an older house price */
    {S_CAPREP, ORG, -12, OPEN, 128450},  {S_HEAT, ORG, -12, OPEN, 483150},
    {S_WASTE, ORG, -12, OPEN, 987650},  /* per resident */
    {S_WASTE, ORG, -3, OPEN, 1004450},  /* newer organization-wide… */
    {S_WASTE, MUN, -12, OPEN, 1023350}, /* …loses to the municipality's */
    {S_COLD, ORG, -12, -5, 451250},     /* ended before P */
    {S_COLD, ORG, -4, OPEN, 472450},     {S_HOT, ORG, -12, OPEN, 2314550},
    {S_HOT, ORG, -4, OPEN, 2398750}, /* the latest valid_from wins */
    {S_SEWER, ORG, -12, OPEN, 389750},   {S_ELEC, ORG, -12, OPEN, 65750},
    {S_ELEC, ORG, 1, OPEN, 69250}, /* not yet in force */
};

static const struct rate norms[] = {
    {S_COLD, ORG, -12, OPEN, 6935}, /* 6,935 м³ a person a month */
    {S_HOT, ORG, -12, OPEN, 4745},    {S_HOT, MUN, -12, OPEN, 4521}, /* the municipality's wins */
    {S_SEWER, ORG, -12, OPEN, 11680}, {S_ELEC, ORG, -12, OPEN, 143000},
};

/* ------------------------------------------------------------ the generator */

enum {
    R_COLD,
    R_HOT,
    R_ELEC,
    NRES
};
static const char *const res_name[NRES] = {"cold_water", "hot_water", "electricity"};
/* Consumption in thousandths: over the 3 months before P, and in P. */
static const struct {
    int64_t lo3, hi3, lo1, hi1;
} use[NRES] = {
    [R_COLD] = {3000, 30000, 1000, 12000},
    [R_HOT] = {2000, 20000, 500, 8000},
    [R_ELEC] = {150000, 900000, 50000, 350000},
};

struct gen {
    struct store_conn *c;
    bool pg;
    uint64_t rng;
    long accounts; /* open accounts to bill */
    int period;
    int64_t now, region, mun, org;
    int64_t svc[NSVC];
    int64_t id_house, id_premises, id_account, id_meter, id_reading;
    long houses, meters, readings, extra_accounts;
    char per[16][PERIOD_STR_SIZE]; /* per[AT(k)]: period P + k, k = −13 … 2 */
    char first[16][DATE_STR_SIZE]; /* its first day */
    char last[16][DATE_STR_SIZE];  /* its last day */
    struct demo_bulk t_houses, t_house_orgs, t_premises, t_accounts, t_meters, t_readings;
    struct demo_writer w;
    int64_t rows;
};

#define AT(k) ((k) + 13) /* index of P + k in the per/first/last arrays */

static uint64_t rnd(struct gen *g)
{
    uint64_t z = (g->rng += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static int64_t between(struct gen *g, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rnd(g) % (uint64_t)(hi - lo + 1));
}

/* A volume in thousandths; one in three a whole number of units, so that
 * prices ending in 50 hundredths of a kopeck give half a kopeck. */
static int64_t volume(struct gen *g, int64_t lo, int64_t hi)
{
    int64_t v = between(g, lo, hi);
    return rnd(g) % 3 == 0 && v >= 1000 ? v / 1000 * 1000 : v;
}

#define VALS DEMO_VALS
#define TXT DEMO_TXT
#define PUT(b, ...) demo_put(&g->w, b, VALS(__VA_ARGS__), DEMO_NVALS(__VA_ARGS__), e)

static int tables(struct gen *g, struct err *e)
{
    g->t_houses = (struct demo_bulk){
        .ncols = 11,
        .one = "INSERT INTO houses (id, region_id, municipality_id, kind, address, address_search,"
               " year_built, floors, entrances, created_at, updated_at) VALUES ($1, $2, $3, $4, $5,"
               " $6, $7, $8, $9, $10, $11)",
        .many = "INSERT INTO houses (id, region_id, municipality_id, kind, address, address_search,"
                " year_built, floors, entrances, created_at, updated_at) SELECT * FROM"
                " unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[],"
                " $6::text[], $7::int[], $8::int[], $9::int[], $10::bigint[], $11::bigint[])"};
    g->t_house_orgs = (struct demo_bulk){
        .ncols = 3,
        .one = "INSERT INTO house_orgs (house_id, org_id, role) VALUES ($1, $2, $3)",
        .many = "INSERT INTO house_orgs (house_id, org_id, role) SELECT * FROM"
                " unnest($1::bigint[], $2::bigint[], $3::text[])"};
    g->t_premises = (struct demo_bulk){
        .ncols = 11,
        .one = "INSERT INTO premises (id, house_id, region_id, municipality_id, number, kind, area,"
               " entrance, floor, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"
               " $9, $10, $11)",
        .many =
            "INSERT INTO premises (id, house_id, region_id, municipality_id, number, kind, area,"
            " entrance, floor, created_at, updated_at) SELECT * FROM unnest($1::bigint[],"
            " $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::bigint[],"
            " $8::int[], $9::int[], $10::bigint[], $11::bigint[])"};
    g->t_accounts = (struct demo_bulk){
        .ncols = 11,
        .one = "INSERT INTO accounts (id, number, premises_id, house_id, org_id, region_id,"
               " municipality_id, residents, opened_on, closed_on, created_at) VALUES ($1, $2, $3,"
               " $4, $5, $6, $7, $8, $9, $10, $11)",
        .many = "INSERT INTO accounts (id, number, premises_id, house_id, org_id, region_id,"
                " municipality_id, residents, opened_on, closed_on, created_at) SELECT * FROM"
                " unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[],"
                " $6::bigint[], $7::bigint[], $8::int[], $9::text[], $10::text[], $11::bigint[])"};
    g->t_meters = (struct demo_bulk){
        .ncols = 17,
        .one = "INSERT INTO meters (id, region_id, municipality_id, house_id, premises_id, org_id,"
               " kind, resource, zone, serial, digits, decimals, initial_value, installed_on,"
               " removed_on, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
               " $10, $11, $12, $13, $14, $15, $16, $17)",
        .many = "INSERT INTO meters (id, region_id, municipality_id, house_id, premises_id, org_id,"
                " kind, resource, zone, serial, digits, decimals, initial_value, installed_on,"
                " removed_on, created_at, updated_at) SELECT * FROM unnest($1::bigint[],"
                " $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[],"
                " $8::text[], $9::text[], $10::text[], $11::int[], $12::int[], $13::bigint[],"
                " $14::text[], $15::text[], $16::bigint[], $17::bigint[])"};
    g->t_readings = (struct demo_bulk){
        .ncols = 15,
        .one = "INSERT INTO readings (id, meter_id, region_id, municipality_id, house_id, org_id,"
               " period, value, consumption, months, channel, received_at, submitted_at,"
               " in_window, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,"
               " $14, $15)",
        .many = "INSERT INTO readings (id, meter_id, region_id, municipality_id, house_id, org_id,"
                " period, value, consumption, months, channel, received_at, submitted_at,"
                " in_window, state) SELECT * FROM unnest($1::bigint[], $2::bigint[],"
                " $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[],"
                " $8::bigint[], $9::bigint[], $10::int[], $11::text[], $12::bigint[],"
                " $13::bigint[], $14::int[], $15::text[])"};
    struct demo_bulk *const all[] = {&g->t_houses,   &g->t_house_orgs, &g->t_premises,
                                     &g->t_accounts, &g->t_meters,     &g->t_readings};
    return demo_writer_init(&g->w, g->c, &g->rows, all, COUNT(all), e);
}

/* The region, its municipality, the ЕИРЦ and its catalogue of services. */
static int directory(struct gen *g, struct arena *a, struct err *e)
{
    struct region reg = {.code = "98", .name = "Тестовая область", .timezone = "Europe/Moscow"};
    struct municipality m = {
        .name = "г. Расчётный", .oktmo = "46701000", .timezone = "Europe/Moscow"};
    struct organization o = {.kind = "eirc",
                             .name = "АО «Единый информационно-расчётный центр»",
                             .short_name = "АО «ЕИРЦ»",
                             .inn = "7707083893",
                             .kpp = "770701001",
                             .ogrn = "1027812400868"};
    int rc = dir_region_create(g->c, &system_scope, &reg, e);
    if (rc == 0) {
        m.region_id = reg.id;
        rc = dir_municipality_create(g->c, &system_scope, &m, a, e);
    }
    if (rc == 0) {
        o.region_id = reg.id, o.municipality_id = m.id;
        rc = dir_org_create(g->c, &system_scope, &o, a, e);
    }
    g->region = reg.id, g->mun = m.id, g->org = o.id;
    for (int i = 0; rc == 0 && i < NSVC; i++)
        rc = store_query_int(g->c,
                             "INSERT INTO services (region_id, org_id, code, name, method, unit,"
                             " resource, raising_pct, sort_order, created_at) VALUES ($1, $2, $3,"
                             " $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                             VALS(SV_I(g->region), SV_I(g->org), SV_S(svc[i].code),
                                  SV_S(svc[i].name), SV_S(svc[i].method), SV_S(svc[i].unit),
                                  SV_T(svc[i].resource), SV_I(svc[i].raising_pct), SV_I(i + 1),
                                  SV_I(g->now)),
                             10, &g->svc[i], e);
    return rc;
}

/* One tariff or norm row; house 0 for a wider one. */
static int put_rate(struct gen *g, const struct rate *r, bool is_norm, int64_t house, struct err *e)
{
    struct store_val p[] = {SV_I(g->svc[r->service]),
                            SV_I(g->region),
                            SV_I(g->org),
                            r->scope == ORG ? SV_NULLV : SV_I(g->mun),
                            SV_ID(house),
                            SV_S(g->first[AT(r->from)]),
                            r->to == OPEN ? SV_NULLV : SV_S(g->last[AT(r->to)]),
                            SV_I(r->value),
                            SV_I(g->now)};
    return store_exec(g->c,
                      is_norm ? "INSERT INTO norms (service_id, region_id, org_id, municipality_id,"
                                " house_id, valid_from, valid_to, per_person, created_at) VALUES"
                                " ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                              : "INSERT INTO tariffs (service_id, region_id, org_id,"
                                " municipality_id, house_id, valid_from, valid_to, price,"
                                " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                      p, COUNT(p), NULL, e);
}

static int rates(struct gen *g, struct err *e)
{
    int rc = 0;
    for (int i = 0; rc == 0 && i < COUNT(norms); i++)
        rc = put_rate(g, &norms[i], true, 0, e);
    for (int i = 0; rc == 0 && i < COUNT(tariffs); i++) {
        if (tariffs[i].scope != HOUSE) {
            rc = put_rate(g, &tariffs[i], false, 0, e);
            continue;
        }
        for (int64_t h = 1; rc == 0 && h <= g->id_house; h++)
            if (h % 10 == 1)
                rc = put_rate(g, &tariffs[i], false, h, e);
    }
    return rc;
}

/* A reading of meter m at P + k covering `months`, given on the 23rd. */
static int put_reading(struct gen *g, int64_t m, int64_t house, int k, int64_t value,
                       int64_t consumption, int months, struct err *e)
{
    struct date d = date_period_first_day(g->period + k);
    int64_t at = (date_days_from_civil(d) + 22) * 86400 + 10 * 3600;
    g->readings++;
    return PUT(&g->t_readings, SV_I(++g->id_reading), SV_I(m), SV_I(g->region), SV_I(g->mun),
               SV_I(house), SV_I(g->org), TXT(g->per[AT(k)]), SV_I(value), SV_I(consumption),
               SV_I(months), SV_S("resident"), SV_I(at), SV_I(at), SV_I(1), SV_S("accepted"));
}

static int put_meter(struct gen *g, int64_t house, int64_t premises, int r, const char *installed,
                     const char *removed, int64_t initial, int64_t *id, struct err *e)
{
    char serial[32];
    *id = ++g->id_meter;
    snprintf(serial, sizeof serial, "%c%09" PRId64, "CHE"[r], *id);
    g->meters++;
    return PUT(&g->t_meters, SV_I(*id), SV_I(g->region), SV_I(g->mun), SV_I(house), SV_I(premises),
               SV_I(g->org), SV_S("individual"), SV_S(res_name[r]), SV_S("single"), TXT(serial),
               SV_I(8), SV_I(3), SV_I(initial), SV_T(installed), SV_T(removed), SV_I(g->now),
               SV_I(g->now));
}

static int put_account(struct gen *g, int64_t house, int64_t premises, int residents,
                       const char *opened, const char *closed, struct err *e)
{
    char number[24];
    int64_t id = ++g->id_account;
    snprintf(number, sizeof number, "77%08" PRId64, id);
    return PUT(&g->t_accounts, SV_I(id), TXT(number), SV_I(premises), SV_I(house), SV_I(g->org),
               SV_I(g->region), SV_I(g->mun), SV_I(residents), SV_T(opened), SV_T(closed),
               SV_I(g->now));
}

/* Meters of one premises. kind: 0 none, 1 in service for years (P−1
 * reading covers 3 months), 2 new (installed at P−2: 2 months of history).
 * read: −1 random (85 %), else 0/1 for every meter. */
static int meters_of(struct gen *g, int64_t house, int64_t premises, int kind, int read,
                     struct err *e)
{
    int rc = 0;
    for (int r = 0; rc == 0 && kind && r < NRES; r++) {
        int64_t m, initial = between(g, 0, r == R_ELEC ? 40000000 : 2000000);
        int months = kind == 1 ? 3 : 2;
        int64_t c1 = volume(g, use[r].lo3 * months / 3, use[r].hi3 * months / 3);
        rc = put_meter(g, house, premises, r, kind == 1 ? "2019-04-15" : g->first[AT(-2)], NULL,
                       initial, &m, e);
        if (rc == 0)
            rc = put_reading(g, m, house, -1, initial + c1, c1, months, e);
        bool has = read < 0 ? rnd(g) % 100 < 85 : read;
        if (rc == 0 && has) {
            int64_t c0 = volume(g, use[r].lo1, use[r].hi1);
            rc = put_reading(g, m, house, 0, initial + c1 + c0, c0, 1, e);
        }
    }
    return rc;
}

static int residents_of(struct gen *g)
{
    static const int cum[] = {8, 30, 60, 82, 94, 100}; /* % with 0 … 5 residents */
    int x = (int)(rnd(g) % 100), n = 0;
    while (x >= cum[n])
        n++;
    return n;
}

/* Premises k of a house: its account(s), meters and readings. The first
 * ones of every house are fixed cases; the rest random. */
static int premises_of(struct gen *g, int64_t house, int k, struct err *e)
{
    int64_t p = ++g->id_premises, area = between(g, 2500, 12000);
    int residents = residents_of(g);
    char number[16];
    snprintf(number, sizeof number, "%d", k + 1);
    int rc = PUT(&g->t_premises, SV_I(p), SV_I(house), SV_I(g->region), SV_I(g->mun), TXT(number),
                 SV_S("residential"), SV_I(area), SV_I(1 + k / 36), SV_I(1 + k % 36 / 4),
                 SV_I(g->now), SV_I(g->now));
    /* Accounts: a predecessor closed before P; one closed on P's last day
     * (billed) with a successor opened after P (not billed). */
    if (rc == 0 && k == 5) {
        rc = put_account(g, house, p, 2, "2016-03-01", g->last[AT(-2)], e);
        g->extra_accounts++;
        if (rc == 0)
            rc = put_account(g, house, p, residents, g->first[AT(-1)], NULL, e);
    } else if (rc == 0 && k == 6) {
        rc = put_account(g, house, p, residents, "2015-01-01", g->last[AT(0)], e);
        g->extra_accounts++;
        if (rc == 0)
            rc = put_account(g, house, p, 3, g->first[AT(1)], NULL, e);
    } else if (rc == 0) {
        rc = put_account(g, house, p, residents, "2015-01-01", NULL, e);
    }
    /* Meters: premises 1 none (and one installed after P), 2 all read, 3
     * none read (the average), 4 new and unread (the norm), 5 none, 51 a
     * replaced one besides; the others ~10 % none, ~3 % new. */
    int kind = 1, read = -1;
    switch (k) {
    case 0: kind = 0; break;
    case 1: read = 1; break;
    case 2: read = 0; break;
    case 3: kind = 2, read = 0; break;
    case 4: kind = 0; break;
    case 50: break; /* with a replaced meter below */
    default: {
        int x = (int)(rnd(g) % 100);
        kind = x < 10 ? 0 : x < 13 ? 2 : 1;
    }
    }
    if (rc == 0)
        rc = meters_of(g, house, p, kind, read, e);
    int64_t m;
    if (rc == 0 && k == 0) { /* in service only from P+1 */
        struct date d = date_period_first_day(g->period + 1);
        char day[DATE_STR_SIZE];
        d.d = 5;
        date_format(d, day);
        rc = put_meter(g, house, p, R_COLD, day, NULL, 0, &m, e);
    }
    if (rc == 0 && kind && k % 100 == 50) { /* replaced at P−6: out of service */
        struct date d = date_period_first_day(g->period - 6);
        char day[DATE_STR_SIZE];
        d.d = 15;
        date_format(d, day);
        rc = put_meter(g, house, p, R_COLD, "2012-05-10", day, 100000, &m, e);
        if (rc == 0)
            rc = put_reading(g, m, house, -7, 105000, 5000, 1, e);
    }
    return rc;
}

static int house_of(struct gen *g, long n, struct err *e)
{
    int64_t h = ++g->id_house;
    char address[160];
    snprintf(address, sizeof address, "Тестовая обл., г. Расчётный, ул. Тарифная, д. %" PRId64, h);
    g->houses++;
    int rc = PUT(&g->t_houses, SV_I(h), SV_I(g->region), SV_I(g->mun), SV_S("mkd"), TXT(address),
                 TXT(address), SV_I(1970 + h % 50), SV_I(9), SV_I(6), SV_I(g->now), SV_I(g->now));
    if (rc == 0)
        rc = PUT(&g->t_house_orgs, SV_I(h), SV_I(g->org), SV_S("supplier"));
    for (int k = 0; rc == 0 && k < n; k++)
        rc = premises_of(g, h, k, e);
    return rc;
}

/* PostgreSQL: identity sequences past the ids given here. */
static int move_sequences(struct gen *g, struct err *e)
{
    static const char *const sql[] = {
        "SELECT setval(pg_get_serial_sequence('houses', 'id'),"
        " (SELECT coalesce(max(id), 0) + 1 FROM houses), false)",
        "SELECT setval(pg_get_serial_sequence('premises', 'id'),"
        " (SELECT coalesce(max(id), 0) + 1 FROM premises), false)",
        "SELECT setval(pg_get_serial_sequence('accounts', 'id'),"
        " (SELECT coalesce(max(id), 0) + 1 FROM accounts), false)",
        "SELECT setval(pg_get_serial_sequence('meters', 'id'),"
        " (SELECT coalesce(max(id), 0) + 1 FROM meters), false)",
        "SELECT setval(pg_get_serial_sequence('readings', 'id'),"
        " (SELECT coalesce(max(id), 0) + 1 FROM readings), false)",
    };
    int rc = 0;
    for (int i = 0; rc == 0 && i < COUNT(sql); i++)
        rc = store_exec(g->c, sql[i], NULL, 0, NULL, e);
    return rc;
}

static void period_texts(struct gen *g)
{
    for (int k = -13; k <= 2; k++) {
        int p = g->period + k;
        date_period_format(p, g->per[AT(k)]);
        date_format(date_period_first_day(p), g->first[AT(k)]);
        date_format(date_period_last_day(p), g->last[AT(k)]);
    }
}

/* The whole region in one transaction; then statistics (PostgreSQL's
 * autovacuum would gather them within a minute of such a load). */
static int generate(struct store *s, struct gen *g, struct err *e)
{
    struct arena *a = arena_new();
    g->c = store_acquire(s, e);
    int rc = !a ? err_set(e, ERR_NOMEM, "out of memory") : !g->c ? ERR_DB : 0;
    if (rc == 0) {
        g->pg = store_conn_backend(g->c) == STORE_POSTGRES;
        rc = store_begin(g->c, e);
    }
    /* SQLite: tables are flushed as they fill, so the foreign keys are
     * checked at the commit (as the demo generator does). */
    if (rc == 0 && !g->pg)
        rc = store_exec(g->c, "PRAGMA defer_foreign_keys = ON", NULL, 0, NULL, e);
    /* SQLite: a page cache that holds the indexes being filled, so the
     * transaction does not spill pages to the WAL before its commit; back to
     * the default after, so the runs timed later get the connection as
     * everyone does. */
    if (rc == 0 && !g->pg)
        rc = store_exec(g->c, "PRAGMA cache_size = -" GEN_CACHE_KIB, NULL, 0, NULL, e);
    if (rc == 0)
        rc = directory(g, a, e);
    if (rc == 0)
        rc = tables(g, e);
    for (long done = 0; rc == 0 && done < g->accounts; done += PER_HOUSE)
        rc = house_of(g, g->accounts - done < PER_HOUSE ? g->accounts - done : PER_HOUSE, e);
    if (rc == 0)
        rc = demo_flush(&g->w, e);
    if (rc == 0)
        rc = rates(g, e);
    if (rc == 0 && g->pg)
        rc = move_sequences(g, e);
    if (rc == 0)
        rc = store_commit(g->c, e);
    if (rc == 0 && g->pg)
        rc = store_exec(g->c, "ANALYZE", NULL, 0, NULL, e);
    if (rc == 0 && !g->pg)
        rc = store_exec(g->c, "PRAGMA cache_size = -2000", NULL, 0, NULL, e);
    demo_writer_free(&g->w);
    store_release(g->c);
    g->c = NULL;
    arena_free(a);
    return rc;
}

/* ---------------------------------------------------------- the plain SQL */

static const char *const plain_ddl[] = {
    "CREATE TABLE plain_prices (house_id BIGINT NOT NULL, service_id BIGINT NOT NULL,"
    " price BIGINT NOT NULL, norm BIGINT, PRIMARY KEY (house_id, service_id))",
    "CREATE TABLE plain_charges (account_id BIGINT NOT NULL, service_id BIGINT NOT NULL,"
    " method TEXT NOT NULL, quantity BIGINT NOT NULL, price BIGINT NOT NULL,"
    " amount BIGINT NOT NULL, PRIMARY KEY (account_id, service_id))",
    "CREATE TABLE plain_totals (account_id BIGINT PRIMARY KEY, total BIGINT NOT NULL)",
};

/* Pieces repeated in the steps. Parameters: $1 organization, $2 and $3
 * the period's first and last day, $4 the period, $5 and $6 the first and
 * last period of the meters' history (P−12, P−1); each step binds only the
 * ones it uses, in that order. */
#define OPEN_ACCOUNT                                                                               \
    "a.org_id = $1 AND a.opened_on <= $3 AND (a.closed_on IS NULL OR a.closed_on >= $2)"
#define METER_SERVICE                                                                              \
    " JOIN services s ON s.org_id = a.org_id AND s.method = 'meter'"                               \
    " AND s.resource <> 'wastewater' AND s.archived = 0"
#define PRICE " JOIN plain_prices pr ON pr.house_id = a.house_id AND pr.service_id = s.id"
#define SEWER_QTY "CASE c.method WHEN 'K' THEN pw.norm * a.residents ELSE c.quantity END"
#define IN_SERVICE                                                                                 \
    "m.premises_id = a.premises_id AND m.kind = 'individual' AND m.resource = s.resource"          \
    " AND m.zone = s.zone AND m.installed_on <= $3"                                                \
    " AND (m.removed_on IS NULL OR m.removed_on >= $2)"
#define NO_READING                                                                                 \
    "NOT EXISTS (SELECT 1 FROM readings r WHERE r.meter_id = m.id AND r.period = $4"               \
    " AND r.state = 'accepted')"
#define INSERT_CHARGES                                                                             \
    "INSERT INTO plain_charges (account_id, service_id, method, quantity, price, amount) "
/* A house's, else its municipality's, else the organization-wide row in
 * force for the whole period; among equals the latest valid_from. */
#define RESOLVE(table, col)                                                                        \
    "(SELECT x." col " FROM " table " x WHERE x.service_id = s.id AND x.valid_from <= $2"          \
    " AND (x.valid_to IS NULL OR x.valid_to >= $3) AND (x.house_id = h.id OR (x.house_id IS NULL"  \
    " AND (x.municipality_id = h.municipality_id OR x.municipality_id IS NULL)))"                  \
    " ORDER BY x.house_id IS NULL, x.municipality_id IS NULL, x.valid_from DESC LIMIT 1)"

struct step {
    const char *name;
    int nparams;
    const char *sql;
};

static const struct step steps[] = {
    {"prices", 3,
     "INSERT INTO plain_prices (house_id, service_id, price, norm)"
     " SELECT house_id, service_id, price, norm FROM (SELECT h.id AS house_id,"
     " s.id AS service_id, " RESOLVE("tariffs", "price") " AS price, " RESOLVE(
         "norms", "per_person") " AS norm FROM houses h JOIN services s ON s.org_id = $1"
                                " AND s.archived = 0 WHERE h.region_id = (SELECT o.region_id"
                                " FROM organizations o WHERE o.id = $1)) t"
                                " WHERE price IS NOT NULL"},
    {"area", 3,
     INSERT_CHARGES "SELECT a.id, s.id, 'A', coalesce(p.area, 0) * 10, pr.price,"
                    " (coalesce(p.area, 0) * 10 * pr.price + 50000) / 100000 FROM accounts a"
                    " JOIN services s ON s.org_id = a.org_id AND s.method = 'area'"
                    " AND s.archived = 0" PRICE
                    " LEFT JOIN premises p ON p.id = a.premises_id WHERE " OPEN_ACCOUNT},
    {"residents", 3,
     INSERT_CHARGES "SELECT a.id, s.id, 'R', a.residents * 1000, pr.price,"
                    " (a.residents * 1000 * pr.price + 50000) / 100000 FROM accounts a"
                    " JOIN services s ON s.org_id = a.org_id AND s.method = 'residents'"
                    " AND s.archived = 0" PRICE " WHERE " OPEN_ACCOUNT},
    {"meter", 4,
     INSERT_CHARGES "SELECT a.id, s.id, 'M', r.consumption, pr.price,"
                    " (r.consumption * pr.price + 50000) / 100000"
                    " FROM accounts a" METER_SERVICE PRICE " JOIN meters m ON " IN_SERVICE
                    " JOIN readings r ON r.meter_id = m.id AND r.period = $4"
                    " AND r.state = 'accepted' WHERE " OPEN_ACCOUNT},
    /* Σ consumption / Σ months over P−12 … P−1, half-up, when it covers at
     * least 3 months (ПП 354 п. 59 «б»). */
    {"average", 6,
     INSERT_CHARGES "SELECT a.id, s.id, 'V', v.volume, pr.price,"
                    " (v.volume * pr.price + 50000) / 100000"
                    " FROM accounts a" METER_SERVICE PRICE " JOIN meters m ON " IN_SERVICE
                    " JOIN (SELECT r.meter_id, (2 * CAST(sum(r.consumption) AS BIGINT)"
                    " + sum(r.months)) / (2 * sum(r.months)) AS volume FROM readings r"
                    " WHERE r.period BETWEEN $5 AND $6 AND r.state = 'accepted'"
                    " GROUP BY r.meter_id HAVING sum(r.months) >= 3) v ON v.meter_id = m.id"
                    " WHERE " OPEN_ACCOUNT " AND " NO_READING},
    /* A meter without a reading or enough history: norm × residents (п. 60). */
    {"norm", 6,
     INSERT_CHARGES "SELECT a.id, s.id, 'N', pr.norm * a.residents, pr.price,"
                    " (pr.norm * a.residents * pr.price + 50000) / 100000"
                    " FROM accounts a" METER_SERVICE PRICE " JOIN meters m ON " IN_SERVICE
                    " WHERE " OPEN_ACCOUNT " AND " NO_READING
                    " AND coalesce((SELECT sum(r.months) FROM readings r"
                    " WHERE r.meter_id = m.id AND r.period BETWEEN $5 AND $6"
                    " AND r.state = 'accepted'), 0) < 3"},
    /* No meter: norm × residents × raising_pct / 100, half-up to the
     * thousandth (п. 42). */
    {"raised norm", 3,
     INSERT_CHARGES "SELECT a.id, s.id, CASE WHEN s.raising_pct = 100 THEN 'N' ELSE 'K' END,"
                    " (pr.norm * a.residents * s.raising_pct + 50) / 100, pr.price,"
                    " ((pr.norm * a.residents * s.raising_pct + 50) / 100 * pr.price + 50000)"
                    " / 100000 FROM accounts a" METER_SERVICE PRICE " WHERE " OPEN_ACCOUNT
                    " AND NOT EXISTS (SELECT 1 FROM meters m WHERE " IN_SERVICE ")"},
    /* Cold + hot water lines, with the weakest of their methods; a raised
     * line (K) counts its unraised norm × residents (the coefficient is the
     * water's, п. 42, not the drain's). */
    {"wastewater", 1,
     INSERT_CHARGES "SELECT c.account_id, s.id, CASE max(CASE c.method WHEN 'M' THEN 1"
                    " WHEN 'V' THEN 2 ELSE 3 END) WHEN 1 THEN 'M' WHEN 2 THEN 'V' ELSE 'N' END,"
                    " CAST(sum(" SEWER_QTY ") AS BIGINT), pr.price,"
                    " (CAST(sum(" SEWER_QTY ") AS BIGINT) * pr.price + 50000) / 100000"
                    " FROM plain_charges c JOIN services w ON w.id = c.service_id"
                    " AND w.resource IN ('cold_water', 'hot_water')"
                    " JOIN accounts a ON a.id = c.account_id"
                    " JOIN plain_prices pw ON pw.house_id = a.house_id AND pw.service_id = w.id"
                    " JOIN services s ON s.org_id = $1 AND s.resource = 'wastewater'"
                    " AND s.archived = 0" PRICE " GROUP BY c.account_id, s.id, pr.price"},
    /* What the statements hold: each account's charges of the period. */
    {"totals", 0,
     "INSERT INTO plain_totals (account_id, total)"
     " SELECT account_id, sum(amount) FROM plain_charges GROUP BY account_id"},
};

#define NSTEPS COUNT(steps)

struct plain_result {
    double seconds, cpu_s, step_s[NSTEPS];
    int64_t lines, charged;
};

static int plain_run(struct store *s, const struct gen *g, struct plain_result *out, struct err *e)
{
    struct store_conn *c = store_acquire(s, e);
    int rc = c ? 0 : ERR_DB;
    for (int i = 0; rc == 0 && i < COUNT(plain_ddl); i++)
        rc = store_exec(c, plain_ddl[i], NULL, 0, NULL, e);
    const struct store_val p[] = {SV_I(g->org),        SV_S(g->first[AT(0)]), SV_S(g->last[AT(0)]),
                                  SV_S(g->per[AT(0)]), SV_S(g->per[AT(-12)]), SV_S(g->per[AT(-1)])};
    double t0 = seconds(), c0 = cpu_seconds();
    if (rc == 0)
        rc = store_begin(c, e);
    for (int i = 0; rc == 0 && i < NSTEPS; i++) {
        double ts = seconds();
        rc = store_exec(c, steps[i].sql, p, steps[i].nparams, NULL, e);
        out->step_s[i] = seconds() - ts;
        if (rc)
            fprintf(stderr, "bench_billing: plain SQL step \"%s\" failed\n", steps[i].name);
    }
    if (rc == 0)
        rc = store_commit(c, e);
    out->seconds = seconds() - t0;
    out->cpu_s = cpu_seconds() - c0;
    if (rc == 0)
        rc = store_query_int(c, "SELECT count(*) FROM plain_charges", NULL, 0, &out->lines, e);
    if (rc == 0)
        rc = store_query_int(c, "SELECT CAST(coalesce(sum(total), 0) AS BIGINT) FROM plain_totals",
                             NULL, 0, &out->charged, e);
    store_release(c);
    return rc;
}

/* ------------------------------------------------------------- the checks */

/* Per service: lines, quantity, amount. */
struct totals {
    int64_t lines[NSVC], quantity[NSVC], amount[NSVC];
    bool seen[NSVC];
};

static int svc_index(const struct gen *g, int64_t id)
{
    for (int i = 0; i < NSVC; i++)
        if (g->svc[i] == id)
            return i;
    return -1;
}

static int read_totals(struct store_conn *c, const struct gen *g, const char *sql,
                       const struct store_val *p, int n, struct totals *t, struct err *e)
{
    struct store_rows *r = NULL;
    int rc = store_query(c, sql, p, n, &r, e);
    while (rc == 0 && store_next(r)) {
        int i = svc_index(g, store_int(r, 0));
        if (i < 0) {
            rc = err_set(e, ERR_DB, "a total of unknown service %" PRId64, store_int(r, 0));
            break;
        }
        t->seen[i] = true;
        t->lines[i] = store_int(r, 1);
        t->quantity[i] = store_int(r, 2);
        t->amount[i] = store_int(r, 3);
    }
    store_rows_free(r);
    return rc;
}

static void rub(int64_t k, char *out, size_t n)
{
    snprintf(out, n, "%s%" PRId64 ",%02" PRId64, k < 0 ? "-" : "", (k < 0 ? -k : k) / 100,
             (k < 0 ? -k : k) % 100);
}

/* Prints up to five accounts whose statement differs from the plain total,
 * with the statement's lines and the plain lines. */
static int show_accounts(struct store_conn *c, const struct gen *g, struct err *e)
{
    struct store_rows *r = NULL, *q = NULL;
    int rc = store_query(c,
                         "SELECT s.account_id, s.charged, t.total, s.lines FROM statements s"
                         " LEFT JOIN plain_totals t ON t.account_id = s.account_id"
                         " WHERE s.org_id = $1 AND s.period = $2"
                         " AND (t.total IS NULL OR t.total <> s.charged)"
                         " ORDER BY s.account_id LIMIT 5",
                         VALS(SV_I(g->org), SV_S(g->per[AT(0)])), 2, &r, e);
    while (rc == 0 && store_next(r)) {
        int64_t acc = store_int(r, 0);
        printf("  account %" PRId64 ": statement charged %" PRId64 ", plain total %s\n"
               "    statement lines (K M service quantity price amount …):\n",
               acc, store_int(r, 1), store_isnull(r, 2) ? "none" : store_text(r, 2));
        for (const char *l = store_text(r, 3); l && *l;) {
            const char *nl = strchr(l, '\n');
            int len = nl ? (int)(nl - l) : (int)strlen(l);
            printf("      %.*s\n", len, l);
            l += len + (nl != NULL);
        }
        printf("    plain lines (service method quantity price amount):\n");
        rc = store_query(c,
                         "SELECT service_id, method, quantity, price, amount FROM plain_charges"
                         " WHERE account_id = $1 ORDER BY service_id",
                         VALS(SV_I(acc)), 1, &q, e);
        while (rc == 0 && store_next(q))
            printf("      %" PRId64 " %s %" PRId64 " %" PRId64 " %" PRId64 "\n", store_int(q, 0),
                   store_text(q, 1), store_int(q, 2), store_int(q, 3), store_int(q, 4));
        store_rows_free(q);
        q = NULL;
    }
    store_rows_free(r);
    return rc;
}

/* Compares the engine's run (run_id; 0 when it failed: the plain totals
 * alone are shown) with the plain SQL: per service, lines and amounts must
 * be equal (quantities are shown when they differ), and per account
 * statements.charged must equal plain_totals.total. *match false on any
 * difference. */
static int compare(struct store *s, const struct gen *g, int64_t run_id, bool *match, struct err *e)
{
    struct totals en = {0}, pl = {0};
    int64_t bad = 0, missing = 0;
    struct store_conn *c = store_acquire(s, e);
    int rc = c ? 0 : ERR_DB;
    if (rc == 0 && run_id)
        rc = read_totals(c, g,
                         "SELECT service_id, lines, quantity, amount FROM billing_run_totals"
                         " WHERE run_id = $1",
                         VALS(SV_I(run_id)), 1, &en, e);
    if (rc == 0)
        rc = read_totals(c, g,
                         "SELECT service_id, count(*), CAST(sum(quantity) AS BIGINT),"
                         " CAST(sum(amount) AS BIGINT) FROM plain_charges GROUP BY service_id",
                         NULL, 0, &pl, e);
    if (rc == 0 && run_id)
        rc = store_query_int(c,
                             "SELECT count(*) FROM statements s LEFT JOIN plain_totals t"
                             " ON t.account_id = s.account_id WHERE s.org_id = $1"
                             " AND s.period = $2 AND (t.total IS NULL OR t.total <> s.charged)",
                             VALS(SV_I(g->org), SV_S(g->per[AT(0)])), 2, &bad, e);
    if (rc == 0 && run_id)
        rc = store_query_int(c,
                             "SELECT count(*) FROM plain_totals t WHERE NOT EXISTS (SELECT 1"
                             " FROM statements s WHERE s.account_id = t.account_id"
                             " AND s.period = $1)",
                             VALS(SV_S(g->per[AT(0)])), 1, &missing, e);
    if (rc) {
        store_release(c);
        return rc;
    }
    *match = run_id && bad == 0 && missing == 0;
    int64_t sum_en = 0, sum_pl = 0;
    char a[32] = "-", b[32];
    printf("  %-15s %9s %9s %17s %17s\n", "service", "engine", "plain", "engine, ₽",
           "plain, ₽");
    for (int i = 0; i < NSVC; i++) {
        bool same =
            en.seen[i] == pl.seen[i] && en.lines[i] == pl.lines[i] && en.amount[i] == pl.amount[i];
        *match = *match && same;
        if (run_id)
            rub(en.amount[i], a, sizeof a);
        rub(pl.amount[i], b, sizeof b);
        printf("  %-15s %9" PRId64 " %9" PRId64 " %17s %17s%s\n", svc[i].code, en.lines[i],
               pl.lines[i], a, b, !run_id || same ? "" : "  MISMATCH");
        if (run_id && en.quantity[i] != pl.quantity[i])
            printf("  %-15s quantity: engine %" PRId64 ", plain %" PRId64 "\n", "", en.quantity[i],
                   pl.quantity[i]);
        sum_en += en.amount[i], sum_pl += pl.amount[i];
    }
    if (run_id)
        rub(sum_en, a, sizeof a);
    rub(sum_pl, b, sizeof b);
    printf("  %-15s %9s %9s %17s %17s\n", "total", "", "", a, b);
    if (run_id)
        printf("  accounts: %" PRId64 " statements differ from the plain total, %" PRId64
               " plain totals without a statement\n",
               bad, missing);
    if (run_id && !*match) {
        printf("MISMATCH: the engine and the plain SQL disagree\n");
        rc = show_accounts(c, g, e);
    }
    store_release(c);
    return rc;
}

/* What the database holds: SQLite the file's pages after a checkpoint (the
 * WAL copied in); PostgreSQL the relations the engine writes and those of
 * the plain SQL (tables with their indexes and TOAST). */
struct sizes {
    int64_t file, engine, plain;
};

static int sizes(struct store *s, struct sizes *out, struct err *e)
{
    struct store_conn *c = store_acquire(s, e);
    int rc = c ? 0 : ERR_DB;
    int64_t pages = 0, size = 0;
    memset(out, 0, sizeof *out);
    if (rc == 0 && store_conn_backend(c) == STORE_SQLITE) {
        struct store_rows *r = NULL;
        rc = store_query(c, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, 0, &r, e);
        store_rows_free(r);
        if (rc == 0)
            rc = store_query_int(c, "PRAGMA page_count", NULL, 0, &pages, e);
        if (rc == 0)
            rc = store_query_int(c, "PRAGMA page_size", NULL, 0, &size, e);
        out->file = pages * size;
    } else if (rc == 0) {
        rc = store_query_int(c,
                             "SELECT pg_total_relation_size('statements')"
                             " + pg_total_relation_size('billing_run_totals')"
                             " + pg_total_relation_size('billing_runs')",
                             NULL, 0, &out->engine, e);
        if (rc == 0)
            rc = store_query_int(c,
                                 "SELECT CAST(coalesce(sum(pg_total_relation_size(oid)), 0)"
                                 " AS BIGINT) FROM pg_class WHERE relkind = 'r' AND relname IN"
                                 " ('plain_prices', 'plain_charges', 'plain_totals')",
                                 NULL, 0, &out->plain, e);
        if (rc == 0)
            rc = store_query_int(c, "SELECT pg_database_size(current_database())", NULL, 0,
                                 &out->file, e);
    }
    store_release(c);
    return rc;
}

/* ---------------------------------------------------------------- the run */

/* What one run measured. */
struct report {
    const char *backend;
    double gen_s, load0, load1; /* load averages at the start and the end */
    bool engine_ok;             /* billing_run() succeeded */
    struct err engine_err;      /* its message when it failed */
    struct billing_run_result er;
    double engine_s, engine_cpu;
    int64_t engine_bytes; /* database growth of the engine's run */
    struct plain_result pr;
    int64_t plain_bytes;
    bool match; /* the engine and the plain SQL agree */
};

static double quot(double x, double y)
{
    return y > 0 ? x / y : 0;
}

static void print_human(const struct gen *g, const struct report *r, const struct sizes *z0,
                        const struct sizes *z2)
{
    if (r->engine_ok)
        printf("  engine:   %" PRId64 " lines, %" PRId64 " accounts in %.2f s (%.2f s CPU here):"
               " %.0f lines/s, %.0f accounts/s; +%" PRId64 " bytes, %.0f a billed"
               " account-month\n",
               r->er.lines, r->er.accounts, r->engine_s, r->engine_cpu,
               quot((double)r->er.lines, r->engine_s), quot((double)r->er.accounts, r->engine_s),
               r->engine_bytes, quot((double)r->engine_bytes, (double)r->er.accounts));
    else
        printf("  engine:   FAILED after %.2f s: %s\n", r->engine_s, r->engine_err.msg);
    printf("  plain:    %" PRId64 " lines in %.2f s (%.2f s CPU here): %.0f lines/s; +%" PRId64
           " bytes, %.0f a billed account-month\n            steps:",
           r->pr.lines, r->pr.seconds, r->pr.cpu_s, quot((double)r->pr.lines, r->pr.seconds),
           r->plain_bytes, quot((double)r->plain_bytes, (double)g->accounts));
    for (int i = 0; i < NSTEPS; i++)
        printf("%s %s %.2f s", i ? "," : "", steps[i].name, r->pr.step_s[i]);
    printf("\n  database: %" PRId64 " bytes generated, %" PRId64 " in the end\n", z0->file,
           z2->file);
}

static void print_json(const struct gen *g, const struct report *r)
{
    printf(
        "{\"bench\": \"billing\", \"backend\": \"%s\", \"figures\": {\"accounts\": %ld,"
        " \"services\": %d, \"period\": \"%s\", \"generate_s\": %.2f, \"generated_rows\": %" PRId64
        ", \"load_before\": %.2f, \"load_after\": %.2f",
        r->backend, g->accounts, NSVC, g->per[AT(0)], r->gen_s, g->rows, r->load0, r->load1);
    if (r->engine_ok)
        printf(", \"engine_s\": %.2f, \"engine_cpu_s\": %.2f, \"lines\": %" PRId64
               ", \"lines_per_s\": %.0f, \"accounts_per_s\": %.0f, \"charged\": %" PRId64
               ", \"bytes_per_account_month\": %.0f, \"match\": %s",
               r->engine_s, r->engine_cpu, r->er.lines, quot((double)r->er.lines, r->engine_s),
               quot((double)r->er.accounts, r->engine_s), r->er.charged,
               quot((double)r->engine_bytes, (double)r->er.accounts), r->match ? "true" : "false");
    else
        printf(", \"engine_s\": null, \"match\": null");
    printf("}, \"baseline\": {\"plain_s\": %.2f, \"plain_cpu_s\": %.2f, \"lines\": %" PRId64
           ", \"lines_per_s\": %.0f, \"charged\": %" PRId64 ", \"bytes_per_account_month\": %.0f},",
           r->pr.seconds, r->pr.cpu_s, r->pr.lines, quot((double)r->pr.lines, r->pr.seconds),
           r->pr.charged, quot((double)r->plain_bytes, (double)g->accounts));
    if (r->engine_ok)
        printf(" \"ratio\": %.2f}\n", quot(r->pr.seconds, r->engine_s));
    else
        printf(" \"ratio\": null}\n");
}

/* The engine's run, then the plain SQL's, each with the database's growth,
 * then the comparison. */
static int measure(struct store *s, const struct gen *g, struct report *r, struct err *e)
{
    struct sizes z0, z1, z2;
    struct billing_run_req q = {.org_id = g->org, .period = g->period};
    bool lite = store_backend(s) == STORE_SQLITE;
    int rc = sizes(s, &z0, e);
    if (rc == 0) {
        double t0 = seconds(), c0 = cpu_seconds();
        r->engine_ok = billing_run(s, &system_scope, &q, &r->er, &r->engine_err) == 0;
        r->engine_s = seconds() - t0;
        r->engine_cpu = cpu_seconds() - c0;
        rc = sizes(s, &z1, e);
    }
    if (rc == 0 && (rc = plain_run(s, g, &r->pr, e)) == 0)
        rc = sizes(s, &z2, e);
    if (rc)
        return rc;
    r->engine_bytes = lite ? z1.file - z0.file : z1.engine - z0.engine;
    r->plain_bytes = lite ? z2.file - z1.file : z2.plain;
    print_human(g, r, &z0, &z2);
    return compare(s, g, r->engine_ok ? r->er.run_id : 0, &r->match, e);
}

static int usage(void)
{
    fprintf(stderr, "usage: bench_billing DB-URL [--accounts N]\n");
    return 2;
}

int main(int argc, char **argv)
{
    struct gen g = {.accounts = 1000000, .rng = SEED, .period = date_period(PERIOD_Y, PERIOD_M)};
    if (argc < 2 || argv[1][0] == '-')
        return usage();
    for (int i = 2; i < argc; i++) {
        char *end = NULL;
        if (strcmp(argv[i], "--accounts") == 0 && i + 1 < argc) {
            g.accounts = strtol(argv[++i], &end, 10);
            if (*end || g.accounts < PER_HOUSE)
                return fprintf(stderr, "bench_billing: --accounts: at least %d\n", PER_HOUSE), 2;
        } else {
            return usage();
        }
    }
    log_set_level(LOG_WARN);
    g.now = store_now();
    period_texts(&g);
    struct report r = {.load0 = load1()};
    struct err e = {0};
    struct store *s = NULL;
    if (store_open(argv[1], 8, &s, &e) || store_migrate(s, NULL, &e)) {
        fprintf(stderr, "bench_billing: %s\n", e.msg);
        store_close(s);
        return 1;
    }
    r.backend = store_backend_name(s);
    printf("bench_billing: %s, %ld accounts × %d services, period %s, load average %.2f\n",
           r.backend, g.accounts, NSVC, g.per[AT(0)], r.load0);

    double t0 = seconds();
    if (generate(s, &g, &e)) {
        fprintf(stderr, "bench_billing: generating: %s (an empty database is needed)\n", e.msg);
        store_close(s);
        return 1;
    }
    r.gen_s = seconds() - t0;
    printf("  generate: %" PRId64 " rows in %.2f s: %ld houses, %ld accounts (%ld not billed),"
           " %ld meters, %ld readings\n",
           g.rows, r.gen_s, g.houses, g.accounts + g.extra_accounts, g.extra_accounts, g.meters,
           g.readings);
    fflush(stdout);

    if (measure(s, &g, &r, &e)) {
        fflush(stdout);
        fprintf(stderr, "bench_billing: %s\n", e.msg);
        store_close(s);
        return 1;
    }
    r.load1 = load1();
    if (r.engine_ok)
        printf("  ratio (plain ÷ engine): %.2f; load average %.2f\n",
               quot(r.pr.seconds, r.engine_s), r.load1);
    else
        printf("  ratio: none (the engine failed); load average %.2f\n", r.load1);
    print_json(&g, &r);
    store_close(s);
    return r.engine_ok && r.match ? 0 : 1;
}
