/* demo_meters.c — the demo's meters stage (docs/demo.md "Meters"): reads
 * back the houses and premises the registry stage made, one municipality at
 * a time, and gives them meters — cold and hot water (two of each in some
 * flats: kitchen and bathroom), electricity (some two-zone: day and night
 * registers sharing a serial), gas where the house has it, individual heat
 * meters in a few new houses, and the building meters (ОДПУ) the house
 * passport lists — then hands them to demo_readings.c for twelve months of
 * readings.
 *
 * A meter belongs to the organization that takes its readings: the РСО
 * where the registry gives it direct contracts in the house (house_orgs
 * supplier), else the house's УО, and for an individual house the ЕИРЦ;
 * building meters to the РСО.
 *
 * Broken on purpose: about 2.5% of the meters have verification expired
 * during the year (their readings stop), 1% no serial, and a few shops a
 * meter without any account; in every municipality's first МКД flat 3's
 * cold-water meter has expired and flat 4's electricity meter has no
 * serial, so each case always exists.
 *
 * Written like the registry stage: ids assigned here (from the tables'
 * maximum), rows batched through demo_bulk.h, nothing read back. */
#include "demo/demo_meters_impl.h"

#include "base/date.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT(a) ((int)(sizeof a / sizeof a[0]))
#define MAXMETERS 16 /* registers of one premises or house */

static const char *const res_name[NRES] = {"cold_water", "hot_water", "electricity", "gas", "heat"};

/* Counters of individual meters (ИПУ): digits, decimals, interval between
 * verifications in years (ПП 1183 leaves it to the meter's type approval;
 * these are the common ones). */
static const struct {
    int digits, decimals, years;
} ipu[NRES] = {
    [R_COLD] = {5, 3, 6}, [R_HOT] = {5, 3, 4},  [R_ELEC] = {6, 1, 16},
    [R_GAS] = {5, 3, 10}, [R_HEAT] = {4, 3, 4},
};
/* Building meters (ОДПУ). */
static const struct {
    int digits, decimals, years;
} odpu[NRES] = {
    [R_COLD] = {7, 2, 4}, [R_HOT] = {7, 2, 4},  [R_ELEC] = {7, 1, 16},
    [R_GAS] = {7, 2, 5},  [R_HEAT] = {6, 3, 4},
};

int mg_rand(struct mgen *g, int n)
{
    return (int)demo_below(g->d, (uint64_t)n);
}

int mg_between(struct mgen *g, int lo, int hi)
{
    return lo >= hi ? lo : lo + mg_rand(g, hi - lo + 1);
}

static int day_of(int y, int m, int d)
{
    return (int)date_days_from_civil((struct date){y, m, d});
}

static void day_text(int day, char out[DATE_STR_SIZE])
{
    date_format(date_civil_from_days(day), out);
}

/* The same calendar day n years later (earlier for n < 0); 29 February
 * becomes the 28th. */
static int add_years(int day, int n)
{
    struct date d = date_civil_from_days(day);
    d.y += n;
    if (d.m == 2 && d.d == 29 && !date_is_leap(d.y))
        d.d = 28;
    return day_of(d.y, d.m, d.d);
}

/* ------------------------------------------------------------------ tables */

static int tables(struct mgen *g, struct err *e)
{
    g->meters = (struct demo_bulk){
        .ncols = 18,
        .one = "INSERT INTO meters (id, region_id, municipality_id, house_id, premises_id, org_id,"
               " kind, resource, zone, serial, digits, decimals, initial_value, installed_on,"
               " verified_on, next_verification_on, created_at, updated_at) VALUES ($1, $2, $3,"
               " $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
        .many = "INSERT INTO meters (id, region_id, municipality_id, house_id, premises_id,"
                " org_id, kind, resource, zone, serial, digits, decimals, initial_value,"
                " installed_on, verified_on, next_verification_on, created_at, updated_at)"
                " SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[],"
                " $5::bigint[], $6::bigint[], $7::text[], $8::text[], $9::text[], $10::text[],"
                " $11::int[], $12::int[], $13::bigint[], $14::text[], $15::text[], $16::text[],"
                " $17::bigint[], $18::bigint[])"};
    g->readings = (struct demo_bulk){
        .ncols = 18,
        .one = "INSERT INTO readings (id, meter_id, region_id, municipality_id, house_id, org_id,"
               " period, value, consumption, months, rollover, confirmed, channel, author_id,"
               " received_at, submitted_at, in_window, state) VALUES ($1, $2, $3, $4, $5, $6, $7,"
               " $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
        .many = "INSERT INTO readings (id, meter_id, region_id, municipality_id, house_id, org_id,"
                " period, value, consumption, months, rollover, confirmed, channel, author_id,"
                " received_at, submitted_at, in_window, state) SELECT * FROM unnest($1::bigint[],"
                " $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[],"
                " $7::text[], $8::bigint[], $9::bigint[], $10::int[], $11::int[], $12::int[],"
                " $13::text[], $14::bigint[], $15::bigint[], $16::bigint[], $17::int[],"
                " $18::text[])"};
    g->rejections = (struct demo_bulk){
        .ncols = 13,
        .one = "INSERT INTO reading_rejections (id, meter_id, region_id, municipality_id,"
               " house_id, org_id, period, value, channel, author_id, rule, message, at) VALUES"
               " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        .many = "INSERT INTO reading_rejections (id, meter_id, region_id, municipality_id,"
                " house_id, org_id, period, value, channel, author_id, rule, message, at)"
                " SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[],"
                " $5::bigint[], $6::bigint[], $7::text[], $8::bigint[], $9::text[],"
                " $10::bigint[], $11::text[], $12::text[], $13::bigint[])"};
    struct demo_bulk *const all[] = {&g->meters, &g->readings, &g->rejections};
    return demo_writer_init(&g->w, g->c, &g->d->rows, all, COUNT(all), e);
}

static int read_ids(struct mgen *g, struct err *e)
{
    int rc =
        store_query_int(g->c, "SELECT coalesce(max(id), 0) FROM meters", NULL, 0, &g->id_meter, e);
    if (!rc)
        rc = store_query_int(g->c, "SELECT coalesce(max(id), 0) FROM readings", NULL, 0,
                             &g->id_reading, e);
    if (!rc)
        rc = store_query_int(g->c, "SELECT coalesce(max(id), 0) FROM reading_rejections", NULL, 0,
                             &g->id_rejection, e);
    return rc;
}

static int move_sequences(struct mgen *g, struct err *e)
{
    static const char *const sql[] = {
        "SELECT setval(pg_get_serial_sequence('meters', 'id'),"
        " (SELECT coalesce(max(id), 0) + 1 FROM meters), false)",
        "SELECT setval(pg_get_serial_sequence('readings', 'id'),"
        " (SELECT coalesce(max(id), 0) + 1 FROM readings), false)",
        "SELECT setval(pg_get_serial_sequence('reading_rejections', 'id'),"
        " (SELECT coalesce(max(id), 0) + 1 FROM reading_rejections), false)",
    };
    for (int i = 0; i < COUNT(sql); i++) {
        int rc = store_exec(g->c, sql[i], NULL, 0, NULL, e);
        if (rc)
            return rc;
    }
    return 0;
}

int mg_staff(struct mgen *g, int64_t org, int64_t *user, struct err *e)
{
    for (int i = 0; i < g->nstaff; i++)
        if (g->staff[i].org == org) {
            *user = g->staff[i].user;
            return 0;
        }
    int rc = store_query_int(g->c,
                             "SELECT coalesce(min(id), 0) FROM users"
                             " WHERE org_id = $1 AND role = 'org_staff'",
                             DEMO_VALS(SV_I(org)), 1, user, e);
    if (rc == 0 && g->nstaff < MAXSTAFF)
        g->staff[g->nstaff++] = (struct staff_user){org, *user};
    return rc;
}

/* --------------------------------------------------------------- the meter */

/* Serial: two digits of the year of manufacture and eight digits that are a
 * bijection of the meter's id (48271 is prime to 10^8), so serials never
 * repeat in a house. */
static void serial_of(struct mgen *g, struct dmeter *m, int year)
{
    uint64_t x = ((uint64_t)m->id * 48271u + g->d->opt.seed * 7919u) % 100000000u;
    snprintf(m->serial, sizeof m->serial, "%02d%08u", year % 100, (unsigned)x);
}

/* Installation and verification dates. A sound meter was installed (or last
 * verified) before the history begins and is due after today; an expired
 * one fell due during the year, so its readings stop. */
static void meter_dates(struct mgen *g, const struct mhouse *h, struct dmeter *m, int years,
                        bool expired)
{
    int first_day = (int)date_days_from_civil(date_period_first_day(g->first));
    int earliest = day_of(2009, 6, 1);
    if (h->year > 0 && day_of(h->year + 1, 1, 15) > earliest)
        earliest = day_of(h->year + 1, 1, 15);
    if (earliest > first_day - 45)
        earliest = first_day - 45;
    if (expired) {
        m->next = mg_between(g, first_day + 45, g->today - 40);
        m->verified = add_years(m->next, -years);
        if (m->verified >= earliest) {
            m->installed = m->verified + mg_between(g, 5, 60);
            if (m->installed > first_day - 35)
                m->installed = first_day - 35;
            return;
        }
    }
    int lo = add_years(g->today + 20, -years), hi = first_day - 40;
    if (lo < earliest)
        lo = earliest;
    m->verified = mg_between(g, lo < hi ? lo : hi, hi);
    m->next = add_years(m->verified, years);
    int before = add_years(m->verified, -years);
    if (before >= earliest && mg_rand(g, 3) == 0) /* verified again, not replaced */
        m->installed = before + mg_between(g, 5, 120);
    else
        m->installed = m->verified + mg_between(g, 5, 120);
    if (m->installed > first_day - 35)
        m->installed = first_day - 35;
}

static int put_meter(struct mgen *g, const struct mhouse *h, const struct dmeter *m, struct err *e)
{
    char inst[DATE_STR_SIZE], ver[DATE_STR_SIZE], next[DATE_STR_SIZE];
    day_text(m->installed, inst);
    day_text(m->verified, ver);
    day_text(m->next, next);
    return demo_put(&g->w, &g->meters,
                    DEMO_VALS(SV_I(m->id), SV_I(g->d->region_id), SV_I(g->mun_id), SV_I(h->id),
                              SV_ID(m->premises_id), SV_I(m->org_id),
                              SV_S(m->premises_id ? "individual" : "building"),
                              SV_S(res_name[m->res]), SV_S(m->zone),
                              m->serial[0] ? DEMO_TXT(m->serial) : SV_NULLV, SV_I(m->digits),
                              SV_I(m->decimals), SV_I(m->initial), DEMO_TXT(inst), DEMO_TXT(ver),
                              DEMO_TXT(next), SV_I(g->created_at), SV_I(g->created_at)),
                    18, e);
}

/* ---------------------------------------------------- a premises' meters */

struct flat_plan {
    int which;   /* 1..4: a fixed broken case of the first МКД; 0 otherwise */
    bool clean;  /* a demo resident's flat: nothing broken */
    int64_t org; /* who takes the readings */
    struct dmeter *m;
    int n;
};

static struct dmeter *add_meter(struct mgen *g, const struct mhouse *h, struct flat_plan *p,
                                enum res r, int share, const char *zone)
{
    struct dmeter *m = &p->m[p->n++];
    memset(m, 0, sizeof *m);
    m->id = ++g->id_meter;
    m->org_id = p->org;
    m->res = r;
    m->zone = zone;
    m->share = share;
    m->digits = ipu[r].digits;
    m->decimals = ipu[r].decimals;
    bool chance = !p->clean && !p->which;
    bool expired = (chance && mg_rand(g, 1000) < 25) || (p->which == 3 && r == R_COLD);
    meter_dates(g, h, m, ipu[r].years, expired);
    serial_of(g, m, date_civil_from_days(m->verified).y);
    if ((chance && mg_rand(g, 1000) < 10) || (p->which == 4 && r == R_ELEC))
        m->serial[0] = '\0';
    if (mg_rand(g, 10) < 3) /* the factory's test run left a little on the counter */
        m->initial = (int64_t)mg_between(g, 1, 90) * 100;
    return m;
}

/* One or two meters of a water resource (kitchen and bathroom risers). */
static void water(struct mgen *g, const struct mhouse *h, struct flat_plan *p, enum res r, int pair)
{
    if (pair) {
        add_meter(g, h, p, r, 350, "single");
        add_meter(g, h, p, r, 650, "single");
    } else {
        add_meter(g, h, p, r, 1000, "single");
    }
}

/* Electricity: single-rate, or a two-zone meter (day ≈ 70%, night ≈ 30%)
 * kept as two registers sharing the serial and the dates. In the first
 * МКД's flat 1, an old five-digit meter that passes through zero. */
static void electricity(struct mgen *g, const struct mhouse *h, struct flat_plan *p)
{
    if (p->which == 1) {
        struct dmeter *m = add_meter(g, h, p, R_ELEC, 1000, "single");
        m->digits = 5;
        m->rollover = true;
        return;
    }
    if (mg_rand(g, 100) >= (h->izd ? 30 : 25)) {
        add_meter(g, h, p, R_ELEC, 1000, "single");
        return;
    }
    struct dmeter *day = add_meter(g, h, p, R_ELEC, 700, "day");
    day->decimals = 2;
    struct dmeter *night = &p->m[p->n++];
    *night = *day;
    night->id = ++g->id_meter;
    night->zone = "night";
    night->share = 300;
}

static void flat_meters(struct mgen *g, const struct mhouse *h, const struct mflat *f,
                        struct flat_plan *p)
{
    p->n = 0;
    if (strcmp(f->kind, "residential") != 0) { /* a shop: water and electricity */
        add_meter(g, h, p, R_COLD, 1000, "single");
        add_meter(g, h, p, R_ELEC, 1000, "single");
        return;
    }
    bool norm = !p->clean && !p->which && mg_rand(g, 50) == 0; /* no water meters: billed by norm */
    int pair = !h->izd && mg_rand(g, 100) < 15;
    if (!norm)
        water(g, h, p, R_COLD, pair);
    if (!norm && h->hot)
        water(g, h, p, R_HOT, pair);
    electricity(g, h, p);
    if (h->gas && mg_rand(g, 100) < (h->hot ? 40 : 90)) /* a gas water heater needs a meter */
        add_meter(g, h, p, R_GAS, 1000, "single");
    if (h->heat_meters && mg_rand(g, 100) < 80)
        add_meter(g, h, p, R_HEAT, 1000, "single");
}

int mg_which(const struct mhouse *h, const struct mflat *f)
{
    if (!h->first || f->user || strcmp(f->kind, "residential") != 0 || f->number[1] != '\0' ||
        f->number[0] < '1' || f->number[0] > '4')
        return 0;
    return f->number[0] - '0';
}

static enum habit habit_of(struct mgen *g, const struct mflat *f)
{
    if (f->user || strcmp(f->kind, "residential") != 0)
        return f->user ? H_APP : H_OPERATOR;
    int u = mg_rand(g, 100);
    return u < 55 ? H_APP : u < 80 ? H_FILE : u < 95 ? H_OPERATOR : H_API;
}

static int make_premises(struct mgen *g, const struct mhouse *h, const struct mflat *f, bool shop,
                         struct err *e)
{
    struct dmeter m[MAXMETERS];
    struct flat_plan p = {.m = m, .clean = f->user != 0};
    p.which = mg_which(h, f);
    p.org = h->direct ? g->rso : h->izd || !h->org_id ? g->eirc : h->org_id;
    if (shop)
        p.org = g->rso; /* a shop's own contract with the supplier */
    int64_t use[NRES][MONTHS];
    mg_flat_use(g, h, f, use);
    for (int r = 0; r < NRES; r++)
        for (int k = 0; k < MONTHS; k++)
            g->house_use[r][k] += use[r][k];
    if (strcmp(f->kind, "residential") != 0 && !shop)
        return 0;
    flat_meters(g, h, f, &p);
    enum habit habit = habit_of(g, f);
    int rc = 0;
    for (int i = 0; rc == 0 && i < p.n; i++) {
        m[i].premises_id = f->id;
        mg_meter_series(g, &m[i], use[m[i].res]);
        rc = put_meter(g, h, &m[i], e);
    }
    return rc ? rc : mg_readings(g, h, f, m, p.n, habit, e);
}

/* ------------------------------------------------------- building meters */

static int resource_of(const char *ru)
{
    static const char *const names[][2] = {{"холодная вода", "cold_water"},
                                           {"горячая вода", "hot_water"},
                                           {"электрическая энергия", "electricity"},
                                           {"тепловая энергия", "heat"},
                                           {"газ", "gas"}};
    for (int i = 0; i < COUNT(names); i++)
        if (ru && strcmp(ru, names[i][0]) == 0)
            for (int r = 0; r < NRES; r++)
                if (strcmp(res_name[r], names[i][1]) == 0)
                    return r;
    return -1;
}

/* The ОДПУ the house passport lists (houses.building_meters: resource,
 * number, verified_until), as meters of the РСО. */
static int building_meters(struct mgen *g, const struct mhouse *h, struct err *e)
{
    json_t *list = h->odpu ? json_loads(h->odpu, 0, NULL) : NULL;
    struct dmeter m[MAXMETERS];
    int n = 0, rc = 0;
    int64_t use[NRES][MONTHS];
    mg_house_use(g, h, use);
    int first_day = (int)date_days_from_civil(date_period_first_day(g->first));
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        int r = resource_of(json_string_value(json_object_get(item, "resource")));
        const char *number = json_string_value(json_object_get(item, "number"));
        struct date until;
        if (r < 0 || !number || n == MAXMETERS ||
            date_parse(json_string_value(json_object_get(item, "verified_until")), &until, NULL))
            continue;
        struct dmeter *x = &m[n++];
        *x = (struct dmeter){.id = ++g->id_meter,
                             .org_id = g->rso,
                             .res = (enum res)r,
                             .zone = "single",
                             .digits = odpu[r].digits,
                             .decimals = odpu[r].decimals,
                             .share = 1000};
        snprintf(x->serial, sizeof x->serial, "%s", number);
        x->next = (int)date_days_from_civil(until);
        x->verified = add_years(x->next, -odpu[r].years);
        if (x->verified > first_day - 40) /* verified out of turn, after a repair */
            x->verified = first_day - 40 - mg_rand(g, 300);
        x->installed = x->verified - mg_between(g, 0, 3) * 365 - mg_rand(g, 200);
        mg_meter_series(g, x, use[r]);
        rc = put_meter(g, h, x, e);
        if (rc)
            break;
    }
    json_decref(list);
    enum habit habit = h->year >= 2000 ? H_TELEMETRY : H_OPERATOR;
    return rc || !n ? rc : mg_readings(g, h, NULL, m, n, habit, e);
}

/* ------------------------------------------------------------ municipality */

struct mun_data {
    struct mhouse *houses;
    int nhouses;
    struct mflat *flats; /* by house, then id */
    int64_t *flat_house;
    int nflats, cap;
};

static int load_houses(struct mgen *g, struct arena *a, struct mun_data *md, struct err *e)
{
    struct store_rows *r = NULL;
    int64_t n = 0;
    int rc = store_query_int(g->c, "SELECT count(*) FROM houses WHERE municipality_id = $1",
                             DEMO_VALS(SV_I(g->mun_id)), 1, &n, e);
    if (rc == 0 && !(md->houses = arena_alloc(a, sizeof *md->houses * (size_t)(n + 1))))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = store_query(g->c,
                         "SELECT h.id, h.kind, coalesce(h.year_built, 0), coalesce(h.floors, 0),"
                         " coalesce(h.org_id, 0), coalesce(h.total_area, 0), h.systems,"
                         " h.building_meters, CASE WHEN EXISTS (SELECT 1 FROM house_orgs ho"
                         " WHERE ho.house_id = h.id AND ho.org_id = $2 AND ho.role = 'supplier')"
                         " THEN 1 ELSE 0 END FROM houses h WHERE h.municipality_id = $1"
                         " ORDER BY h.id",
                         DEMO_VALS(SV_I(g->mun_id), SV_I(g->rso)), 2, &r, e);
    bool seen_mkd = false, seen_new = false;
    while (rc == 0 && md->nhouses < n && store_next(r)) {
        struct mhouse *h = &md->houses[md->nhouses++];
        const char *systems = store_text(r, 6);
        *h = (struct mhouse){.id = store_int(r, 0),
                             .izd = strcmp(store_text(r, 1), "izd") == 0,
                             .year = (int)store_int(r, 2),
                             .floors = (int)store_int(r, 3),
                             .org_id = store_int(r, 4),
                             .total_area = store_int(r, 5),
                             .odpu = store_dup(r, 7, a),
                             .direct = store_int(r, 8) != 0};
        h->hot = systems && strstr(systems, "горячее водоснабжение");
        h->gas = systems && strstr(systems, "газоснабжение");
        /* Flat-by-flat heating (horizontal risers) in some houses since 2012:
         * the municipality's first such house and one in three after it. */
        h->heat_meters = !h->izd && h->year >= 2012 && (!seen_new || mg_rand(g, 3) == 0);
        seen_new |= !h->izd && h->year >= 2012;
        h->first = !h->izd && !seen_mkd;
        seen_mkd |= !h->izd;
    }
    store_rows_free(r);
    return rc;
}

static int load_flats(struct mgen *g, struct mun_data *md, struct err *e)
{
    struct store_rows *r = NULL;
    int rc = store_query(
        g->c,
        "SELECT p.house_id, p.id, p.number, p.kind, p.area, coalesce(ac.n, -1), coalesce(rp.u, 0)"
        " FROM premises p LEFT JOIN (SELECT a.premises_id, max(a.residents) AS n FROM accounts a"
        " WHERE a.municipality_id = $1 AND a.closed_on IS NULL GROUP BY a.premises_id) ac"
        " ON ac.premises_id = p.id LEFT JOIN (SELECT x.premises_id, min(x.user_id) AS u"
        " FROM resident_premises x GROUP BY x.premises_id) rp ON rp.premises_id = p.id"
        " WHERE p.municipality_id = $1 ORDER BY p.house_id, p.id",
        DEMO_VALS(SV_I(g->mun_id)), 1, &r, e);
    while (rc == 0 && store_next(r)) {
        if (md->nflats == md->cap) {
            int cap = md->cap ? md->cap * 2 : 1024;
            struct mflat *f = realloc(md->flats, sizeof *f * (size_t)cap);
            if (f)
                md->flats = f;
            int64_t *fh = realloc(md->flat_house, sizeof *fh * (size_t)cap);
            if (fh)
                md->flat_house = fh;
            if (!f || !fh) {
                rc = err_set(e, ERR_NOMEM, "out of memory");
                break;
            }
            md->cap = cap;
        }
        struct mflat *f = &md->flats[md->nflats];
        md->flat_house[md->nflats++] = store_int(r, 0);
        const char *kind = store_text(r, 3);
        *f = (struct mflat){.id = store_int(r, 1),
                            .area = store_int(r, 4),
                            .persons = (int)store_int(r, 5),
                            .user = store_int(r, 6)};
        f->kind = strcmp(kind, "residential") == 0      ? "residential"
                  : strcmp(kind, "nonresidential") == 0 ? "nonresidential"
                                                        : "other";
        snprintf(f->number, sizeof f->number, "%s", store_text(r, 2));
    }
    store_rows_free(r);
    return rc;
}

/* The municipality's clock: the history's periods end at the last one whose
 * reading window has closed on its local date. */
static int set_clock(struct mgen *g, struct arena *a, struct err *e)
{
    struct store_rows *r = NULL;
    int rc = store_query(g->c, "SELECT timezone FROM municipalities WHERE id = $1",
                         DEMO_VALS(SV_I(g->mun_id)), 1, &r, e);
    if (rc == 0)
        g->tz = store_next(r) ? store_dup(r, 0, a) : NULL;
    store_rows_free(r);
    if (rc)
        return rc;
    int now_period;
    bool in;
    struct date today;
    if (!g->tz || meter_period_at(&g->window, g->tz, g->now, &now_period, &in, &today))
        return err_set(e, ERR_INVALID, "demo: municipality %lld has no usable time zone",
                       (long long)g->mun_id);
    g->today = (int)date_days_from_civil(today);
    rc = date_local_to_utc(g->tz, today.y, today.m, today.d, 0, 0, 0, &g->today_start);
    g->last = now_period - 1;
    g->first = g->last - (MONTHS - 1);
    for (int k = 0; k < MONTHS + 2 && rc == 0; k++) {
        int p = g->first - 1 + k;
        rc = date_local_to_utc(g->tz, date_period_year(p), date_period_month(p), 1, 0, 0, 0,
                               &g->month_start[k]);
        if (k >= 1 && k <= MONTHS)
            date_period_format(p, g->ptext[k - 1]);
    }
    if (rc)
        return err_set(e, ERR_INVALID, "demo: local time in %s", g->tz);
    g->created_at = g->month_start[0] + 10 * 86400 + 9 * 3600; /* the meters were loaded */
    return 0;
}

static int make_municipality(struct mgen *g, int i, struct err *e)
{
    struct demo_ctx *d = g->d;
    int per = d->opt.orgs_per_municipality;
    g->index = i;
    g->mun_id = d->municipality_ids[i];
    g->rso = d->org_ids[i * per + 1];
    g->eirc = d->org_ids[i * per + 2];
    g->nstaff = 0;
    struct arena *a = arena_new();
    struct mun_data md = {0};
    int rc = a ? set_clock(g, a, e) : err_set(e, ERR_NOMEM, "out of memory");
    if (rc == 0 && (rc = load_houses(g, a, &md, e)) == 0)
        rc = load_flats(g, &md, e);
    bool shop_seen = false;
    for (int hi = 0, fi = 0; rc == 0 && hi < md.nhouses; hi++) {
        const struct mhouse *h = &md.houses[hi];
        memset(g->house_use, 0, sizeof g->house_use);
        bool shop_done = false;
        while (fi < md.nflats && md.flat_house[fi] < h->id) /* a house of another municipality */
            fi++;
        for (; rc == 0 && fi < md.nflats && md.flat_house[fi] == h->id; fi++) {
            const struct mflat *f = &md.flats[fi];
            /* A shop with meters and no account (the registry gives
             * non-residential premises none): the first of the
             * municipality and then one house in two. */
            bool shop = !shop_done && strcmp(f->kind, "nonresidential") == 0 &&
                        (!shop_seen || mg_rand(g, 2) == 0);
            shop_done |= strcmp(f->kind, "nonresidential") == 0;
            shop_seen |= shop;
            rc = make_premises(g, h, f, shop, e);
        }
        if (rc == 0)
            rc = building_meters(g, h, e);
    }
    free(md.flats);
    free(md.flat_house);
    arena_free(a);
    return rc;
}

int demo_stage_meters(struct demo_ctx *d, struct err *e)
{
    struct mgen *g = calloc(1, sizeof *g);
    if (!g)
        return err_set(e, ERR_NOMEM, "out of memory");
    g->d = d;
    g->c = d->c;
    g->pg = store_conn_backend(d->c) == STORE_POSTGRES;
    g->now = store_now();
    g->window = meter_settings_default();
    int rc = tables(g, e);
    if (rc == 0)
        rc = read_ids(g, e);
    /* SQLite: tables are flushed as they fill; foreign keys at the commit. */
    if (rc == 0 && !g->pg)
        rc = store_exec(g->c, "PRAGMA defer_foreign_keys = ON", NULL, 0, NULL, e);
    for (int i = 0; rc == 0 && i < d->opt.municipalities; i++)
        rc = make_municipality(g, i, e);
    if (rc == 0 && (rc = demo_flush(&g->w, e)) == 0 && g->pg)
        rc = move_sequences(g, e);

    demo_writer_free(&g->w);
    free(g);
    return rc;
}
