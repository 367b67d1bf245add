/* load.c — the payment document assembled from the store (docs/paydoc.md
 * "Contents"): the statement and its lines, the account, premises, house and
 * municipality, the payees with their bank details, the readings the
 * charges used, the contacts, the ИПД and the date of issue.
 *
 * One path serves one account (paydoc_load, the API) and a whole house
 * (paydoc_loader_house, the print run), so the two give the same document:
 * the render's digest of a file is the digest of what the API answers.
 * A house costs a handful of queries whatever its size — its accounts with
 * their statements, the house, its corrections' reasons, its readings —
 * and what houses share (organizations, services, the runs' dates) is read
 * once per loader.
 *
 * Scope: the accounts query binds the caller's scope as the statements do
 * (statements.c): region, municipality, the account's organization
 * (reg_scope_bind $1..$3), a resident's own premises ($4). The rest is read
 * for the accounts found. */
#include "paydoc/paydoc.h"

#include "base/date.h"
#include "billing/billing.h"
#include "registry/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Accounts billed by the organization; a resident's through their premises
 * (the scope of statements.c). */
#define ACCOUNT_SCOPE                                                                              \
    "(a.region_id = $1 OR $1 = 0) AND (a.municipality_id = $2 OR $2 = 0)"                          \
    " AND (CAST($3 AS BIGINT) = 0 OR a.org_id = $3)"                                               \
    " AND (CAST($4 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM resident_premises rp"                   \
    " WHERE rp.premises_id = a.premises_id AND rp.user_id = $4))"

#define DOC_COLS                                                                                   \
    "SELECT a.id, a.org_id, a.region_id, a.municipality_id, coalesce(a.house_id, 0), a.els,"       \
    " a.number, a.payer_name, a.residents, coalesce(a.premises_id, 0), p.number,"                  \
    " coalesce(p.area, 0), coalesce(p.entrance, 0), st.run_id, st.due_on, st.opening,"             \
    " st.charged, st.corrected, st.penalty, st.cashback, st.paid, st.closing, st.lines"            \
    " FROM accounts a JOIN statements st ON st.account_id = a.id AND st.period = $5"               \
    " LEFT JOIN premises p ON p.id = a.premises_id WHERE " ACCOUNT_SCOPE                           \
    " AND (a.org_id = $7 OR $7 = 0)"

/* $6: the house; the accounts without a house of a municipality; one account. */
static const char *const docs_sql[] = {
    DOC_COLS " AND a.house_id = $6",
    DOC_COLS " AND a.house_id IS NULL AND a.municipality_id = $6",
    DOC_COLS " AND a.id = $6",
};
enum which {
    BY_HOUSE,
    NO_HOUSE,
    BY_ACCOUNT
};

/* The corrections' reasons of the documents: $1 the period shown, $2 as
 * docs_sql's $6, $3 the organization or 0. */
static const char *const reasons_sql[] = {
    "SELECT c.id, c.reason FROM corrections c JOIN accounts a ON a.id = c.account_id"
    " WHERE c.apply_period = $1 AND a.house_id = $2 AND (c.org_id = $3 OR $3 = 0)",
    "SELECT c.id, c.reason FROM corrections c JOIN accounts a ON a.id = c.account_id"
    " WHERE c.apply_period = $1 AND a.house_id IS NULL AND a.municipality_id = $2"
    " AND (c.org_id = $3 OR $3 = 0)",
    "SELECT c.id, c.reason FROM corrections c"
    " WHERE c.apply_period = $1 AND c.account_id = $2 AND (c.org_id = $3 OR $3 = 0)",
};

/* The period's accepted readings of the individual meters of the house
 * ($1) or of one premises ($1), with the previous accepted value (NULL for
 * a meter's first reading: its consumption counts from the initial value).
 * Whoever takes them: a document shows those its charges used
 * (reading_used). */
#define READING_COLS                                                                               \
    "SELECT m.premises_id, m.serial, m.resource, m.zone, m.decimals, m.id, r.value,"               \
    " r.consumption, (SELECT pr.value FROM readings pr WHERE pr.meter_id = m.id"                   \
    " AND pr.state = 'accepted' AND pr.period < r.period ORDER BY pr.period DESC LIMIT 1)"         \
    " FROM meters m JOIN readings r ON r.meter_id = m.id AND r.period = $2"                        \
    " AND r.state = 'accepted' WHERE m.kind = 'individual'"
static const char *const readings_sql[] = {
    READING_COLS " AND m.house_id = $1",
    READING_COLS " AND m.premises_id = $1",
};

/* ---- what houses share ---- */

struct org_entry {
    int64_t id;
    struct paydoc_payee payee; /* its details; sums 0 */
    const char *dispatch_phone;
};

struct service_entry {
    int64_t id, org_id, payee_org_id, sort_order;
    const char *name, *unit;
    const char *resource, *zone; /* meter services: what readings they use; else NULL */
};

struct issued_entry {
    int64_t run_id;
    const char *timezone;
    char date[DATE_STR_SIZE];
};

struct paydoc_loader {
    struct store_conn *c;
    struct store_val scope[4]; /* reg_scope_bind */
    const char *period;        /* YYYY-MM, in the cache's arena: the documents point at it */
    int per;
    struct arena *a; /* the cache's strings; the documents point at them */
    bool own_arena;
    struct org_entry *orgs;
    int norgs, corgs;
    struct service_entry *services; /* sorted by id */
    int nservices, cservices;
    int64_t *service_orgs; /* organizations whose services are loaded */
    int nservice_orgs, cservice_orgs;
    struct issued_entry *issued;
    int nissued, cissued;
};

/* Grows *items (of *cap elements of size) to hold n + 1. */
static int grow(void *items, int *cap, int n, size_t size, struct err *e)
{
    if (n < *cap)
        return 0;
    int want = *cap ? *cap * 2 : 16;
    void *p = realloc(*(void **)items, size * (size_t)want);
    if (!p)
        return err_set(e, ERR_NOMEM, "out of memory");
    *(void **)items = p;
    *cap = want;
    return 0;
}

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

static int org_of(struct paydoc_loader *l, int64_t id, const struct org_entry **out, struct err *e)
{
    for (int i = 0; i < l->norgs; i++)
        if (l->orgs[i].id == id) {
            *out = &l->orgs[i];
            return 0;
        }
    struct store_rows *r;
    int rc = store_query(l->c,
                         "SELECT name, inn, kpp, ogrn, address, phone, email, website, bank_name,"
                         " bic, settlement_account, corr_account, dispatch_phone"
                         " FROM organizations WHERE id = $1",
                         (struct store_val[]){SV_I(id)}, 1, &r, e);
    if (rc || (rc = grow(&l->orgs, &l->corgs, l->norgs, sizeof *l->orgs, e))) {
        store_rows_free(r);
        return rc;
    }
    struct org_entry *o = &l->orgs[l->norgs];
    *o = (struct org_entry){.id = id};
    if (store_next(r)) {
        struct arena *a = l->a;
        o->payee = (struct paydoc_payee){.org_id = id,
                                         .name = store_dup(r, 0, a),
                                         .inn = store_dup(r, 1, a),
                                         .kpp = nonempty(store_dup(r, 2, a)),
                                         .ogrn = store_dup(r, 3, a),
                                         .address = nonempty(store_dup(r, 4, a)),
                                         .phone = nonempty(store_dup(r, 5, a)),
                                         .email = nonempty(store_dup(r, 6, a)),
                                         .website = nonempty(store_dup(r, 7, a)),
                                         .bank_name = nonempty(store_dup(r, 8, a)),
                                         .bic = nonempty(store_dup(r, 9, a)),
                                         .account = nonempty(store_dup(r, 10, a)),
                                         .corr_account = nonempty(store_dup(r, 11, a))};
        o->dispatch_phone = nonempty(store_dup(r, 12, a));
    } else {
        rc = err_set(e, ERR_NOTFOUND, "организация %lld не найдена", (long long)id);
    }
    store_rows_free(r);
    if (!rc)
        *out = &l->orgs[l->norgs++];
    return rc;
}

static int cmp_service(const void *x, const void *y)
{
    const struct service_entry *a = x, *b = y;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* Loads the services of an organization once. */
static int load_services(struct paydoc_loader *l, int64_t org_id, struct err *e)
{
    for (int i = 0; i < l->nservice_orgs; i++)
        if (l->service_orgs[i] == org_id)
            return 0;
    int rc =
        grow(&l->service_orgs, &l->cservice_orgs, l->nservice_orgs, sizeof *l->service_orgs, e);
    if (rc)
        return rc;
    l->service_orgs[l->nservice_orgs++] = org_id;
    struct store_rows *r;
    if ((rc = store_query(l->c,
                          "SELECT id, name, unit, sort_order, coalesce(payee_org_id, 0),"
                          " resource, zone FROM services WHERE org_id = $1",
                          (struct store_val[]){SV_I(org_id)}, 1, &r, e)))
        return rc;
    while (!rc && store_next(r)) {
        if ((rc = grow(&l->services, &l->cservices, l->nservices, sizeof *l->services, e)))
            break;
        l->services[l->nservices++] = (struct service_entry){.id = store_int(r, 0),
                                                             .org_id = org_id,
                                                             .name = store_dup(r, 1, l->a),
                                                             .unit = store_dup(r, 2, l->a),
                                                             .sort_order = store_int(r, 3),
                                                             .payee_org_id = store_int(r, 4),
                                                             .resource = store_dup(r, 5, l->a),
                                                             .zone = store_dup(r, 6, l->a)};
    }
    store_rows_free(r);
    qsort(l->services, (size_t)l->nservices, sizeof *l->services, cmp_service);
    return rc;
}

static const struct service_entry *service_of(const struct paydoc_loader *l, int64_t id)
{
    struct service_entry key = {.id = id};
    return l->nservices ? bsearch(&key, l->services, (size_t)l->nservices, sizeof key, cmp_service)
                        : NULL;
}

/* The date of issue: the local date (in the municipality's zone) the run
 * that wrote the statement finished; the 1st of the next month when that is
 * not known. */
static int issued_of(struct paydoc_loader *l, int64_t run_id, const char *tz, const char **out,
                     struct err *e)
{
    for (int i = 0; i < l->nissued; i++)
        if (l->issued[i].run_id == run_id && strcmp(l->issued[i].timezone, tz) == 0) {
            *out = l->issued[i].date;
            return 0;
        }
    int64_t finished = 0;
    struct store_rows *r;
    int rc = store_query(l->c, "SELECT coalesce(finished_at, 0) FROM billing_runs WHERE id = $1",
                         (struct store_val[]){SV_I(run_id)}, 1, &r, e);
    if (rc)
        return rc;
    if (store_next(r))
        finished = store_int(r, 0);
    store_rows_free(r);
    if ((rc = grow(&l->issued, &l->cissued, l->nissued, sizeof *l->issued, e)))
        return rc;
    struct issued_entry *x = &l->issued[l->nissued];
    *x = (struct issued_entry){.run_id = run_id, .timezone = arena_strdup(l->a, tz)};
    struct date_local local;
    if (!x->timezone)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (finished > 0 && date_utc_to_local(tz, finished, &local) == 0)
        date_format((struct date){local.y, local.m, local.d}, x->date);
    else
        date_format(date_period_first_day(l->per + 1), x->date);
    /* The entries live in a realloc'ed array: the documents get a copy. */
    *out = arena_strdup(l->a, l->issued[l->nissued++].date);
    return *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

static int loader_init(struct paydoc_loader *l, struct store_conn *c, const struct store_scope *s,
                       const char *period, struct arena *a, struct err *e)
{
    *l = (struct paydoc_loader){.c = c, .a = a};
    if (store_scope_check(s, e))
        return e->code;
    if (!period || date_period_parse(period, &l->per, NULL))
        return err_field(e, ERR_INVALID, "period", "ожидается месяц ГГГГ-ММ");
    if (!(l->period = arena_strdup(a, period)))
        return err_set(e, ERR_NOMEM, "out of memory");
    reg_scope_bind(s, l->scope);
    return 0;
}

static void loader_clear(struct paydoc_loader *l)
{
    free(l->orgs);
    free(l->services);
    free(l->service_orgs);
    free(l->issued);
    if (l->own_arena)
        arena_free(l->a);
}

int paydoc_loader_open(struct store_conn *c, const struct store_scope *s, const char *period,
                       struct paydoc_loader **out, struct err *e)
{
    struct paydoc_loader *l = calloc(1, sizeof *l);
    struct arena *a = arena_new();
    int rc = !l || !a ? err_set(e, ERR_NOMEM, "out of memory") : loader_init(l, c, s, period, a, e);
    if (rc) {
        free(l);
        arena_free(a);
        return rc;
    }
    l->own_arena = true;
    *out = l;
    return 0;
}

void paydoc_loader_free(struct paydoc_loader *l)
{
    if (!l)
        return;
    loader_clear(l);
    free(l);
}

/* ---- one house's documents ---- */

/* A document while it is assembled. */
struct raw {
    struct paydoc d;
    int64_t run_id, premises_id;
    const char *lines;    /* packed statement lines */
    struct bill_line *bl; /* unpacked (build_lines) */
    int nbl;
};

/* Reads the accounts' rows (docs_sql[w]) into *raws. */
static int read_docs(struct paydoc_loader *l, enum which w, int64_t key, int64_t org_id,
                     struct arena *a, struct raw **raws, int *n, struct err *e)
{
    struct store_val p[7];
    memcpy(p, l->scope, sizeof l->scope);
    p[4] = SV_S(l->period);
    p[5] = SV_I(key);
    p[6] = SV_I(org_id);
    struct store_rows *r;
    int rc = store_query(l->c, docs_sql[w], p, 7, &r, e);
    if (rc)
        return rc;
    int cap = 0;
    *n = 0;
    *raws = NULL;
    while (!rc && store_next(r)) {
        if (*n == cap) {
            struct raw *more = arena_alloc(a, sizeof *more * (size_t)(cap = cap ? cap * 2 : 64));
            if (!more) {
                rc = err_set(e, ERR_NOMEM, "out of memory");
                break;
            }
            if (*n)
                memcpy(more, *raws, sizeof *more * (size_t)*n);
            *raws = more;
        }
        struct raw *x = &(*raws)[(*n)++];
        *x = (struct raw){.d = {.account_id = store_int(r, 0),
                                .org_id = store_int(r, 1),
                                .region_id = store_int(r, 2),
                                .municipality_id = store_int(r, 3),
                                .house_id = store_int(r, 4),
                                .els = nonempty(store_dup(r, 5, a)),
                                .account_number = store_dup(r, 6, a),
                                .payer = nonempty(store_dup(r, 7, a)),
                                .residents = store_int(r, 8),
                                .premises = store_dup(r, 10, a),
                                .area = store_int(r, 11),
                                .entrance = store_int(r, 12),
                                .period = l->period,
                                .due_on = store_dup(r, 14, a),
                                .opening = store_int(r, 15),
                                .charged = store_int(r, 16),
                                .corrected = store_int(r, 17),
                                .penalty = store_int(r, 18),
                                .cashback = store_int(r, 19),
                                .paid = store_int(r, 20),
                                .total = store_int(r, 21)},
                          .premises_id = store_int(r, 9),
                          .run_id = store_int(r, 13),
                          .lines = store_dup(r, 22, a)};
        if (x->d.entrance < 0)
            x->d.entrance = 0;
    }
    store_rows_free(r);
    return rc;
}

/* The house (its address, manager, municipality and zone). */
struct place {
    const char *address, *municipality, *timezone;
    int64_t manager;
};

static int read_place(struct paydoc_loader *l, int64_t house_id, int64_t municipality_id,
                      struct arena *a, struct place *out, struct err *e)
{
    *out = (struct place){.timezone = "Europe/Moscow"};
    struct store_rows *r;
    int rc = house_id
                 ? store_query(l->c,
                               "SELECT h.address, coalesce(h.org_id, 0), m.name, m.timezone"
                               " FROM houses h JOIN municipalities m ON m.id = h.municipality_id"
                               " WHERE h.id = $1",
                               (struct store_val[]){SV_I(house_id)}, 1, &r, e)
                 : store_query(l->c,
                               "SELECT NULL, 0, m.name, m.timezone FROM municipalities m"
                               " WHERE m.id = $1",
                               (struct store_val[]){SV_I(municipality_id)}, 1, &r, e);
    if (rc)
        return rc;
    if (store_next(r)) {
        out->address = store_dup(r, 0, a);
        out->manager = store_int(r, 1);
        out->municipality = store_dup(r, 2, a);
        out->timezone = store_dup(r, 3, a);
    }
    store_rows_free(r);
    return out->timezone ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

/* Corrections' reasons by id (the R lines' ref). */
struct reason {
    int64_t id;
    const char *text;
};

static int read_reasons(struct paydoc_loader *l, enum which w, int64_t key, int64_t org_id,
                        struct arena *a, struct reason **out, int *n, struct err *e)
{
    struct store_rows *r;
    int rc = store_query(l->c, reasons_sql[w],
                         (struct store_val[]){SV_S(l->period), SV_I(key), SV_I(org_id)}, 3, &r, e);
    if (rc)
        return rc;
    int cap = 0;
    *n = 0;
    *out = NULL;
    while (!rc && store_next(r)) {
        if (*n == cap) {
            struct reason *more = arena_alloc(a, sizeof *more * (size_t)(cap = cap ? cap * 2 : 16));
            if (!more) {
                rc = err_set(e, ERR_NOMEM, "out of memory");
                break;
            }
            if (*n)
                memcpy(more, *out, sizeof *more * (size_t)*n);
            *out = more;
        }
        (*out)[(*n)++] = (struct reason){store_int(r, 0), store_dup(r, 1, a)};
    }
    store_rows_free(r);
    return rc;
}

/* A reading with what sorts it onto its document. */
struct meter_reading {
    int64_t premises_id, meter_id;
    int rank;
    struct paydoc_reading x;
};

static int resource_rank(const char *resource, const char *zone)
{
    static const char *const order[] = {"cold_water", "hot_water", "electricity", "heat", "gas"};
    int z = zone && strcmp(zone, "day") == 0 ? 1 : zone && strcmp(zone, "night") == 0 ? 2 : 0;
    for (int i = 0; i < 5; i++)
        if (resource && strcmp(resource, order[i]) == 0)
            return i * 3 + z;
    return 15 + z;
}

static int cmp_reading(const void *x, const void *y)
{
    const struct meter_reading *a = x, *b = y;
    if (a->premises_id != b->premises_id)
        return a->premises_id < b->premises_id ? -1 : 1;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    return a->meter_id < b->meter_id ? -1 : a->meter_id > b->meter_id;
}

/* A counter value in thousandths as the meter shows it: `decimals` digits
 * after the point (0–3). */
static const char *meter_value(int64_t v, int64_t decimals, struct arena *a)
{
    if (decimals < 0 || decimals > 3)
        decimals = 3;
    static const int64_t drop[] = {1000, 100, 10, 1};
    const char *sign = v < 0 ? "-" : "";
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    if (!decimals)
        return arena_printf(a, "%s%llu", sign, (unsigned long long)(u / 1000));
    return arena_printf(a, "%s%llu.%0*llu", sign, (unsigned long long)(u / 1000), (int)decimals,
                        (unsigned long long)(u % 1000 / (uint64_t)drop[decimals]));
}

static int read_readings(struct paydoc_loader *l, int which, int64_t key, struct arena *a,
                         struct meter_reading **out, int *n, struct err *e)
{
    struct store_rows *r;
    int rc = store_query(l->c, readings_sql[which],
                         (struct store_val[]){SV_I(key), SV_S(l->period)}, 2, &r, e);
    if (rc)
        return rc;
    int cap = 0;
    *n = 0;
    *out = NULL;
    while (!rc && store_next(r)) {
        if (*n == cap) {
            struct meter_reading *more =
                arena_alloc(a, sizeof *more * (size_t)(cap = cap ? cap * 2 : 64));
            if (!more) {
                rc = err_set(e, ERR_NOMEM, "out of memory");
                break;
            }
            if (*n)
                memcpy(more, *out, sizeof *more * (size_t)*n);
            *out = more;
        }
        int64_t decimals = store_int(r, 4);
        struct meter_reading *m = &(*out)[(*n)++];
        *m = (struct meter_reading){
            .premises_id = store_int(r, 0),
            .meter_id = store_int(r, 5),
            .x = {.serial = store_dup(r, 1, a),
                  .resource = store_dup(r, 2, a),
                  .zone = store_dup(r, 3, a),
                  .current = meter_value(store_int(r, 6), decimals, a),
                  .consumption = meter_value(store_int(r, 7), decimals, a),
                  .previous =
                      store_isnull(r, 8) ? NULL : meter_value(store_int(r, 8), decimals, a)}};
        m->rank = resource_rank(m->x.resource, m->x.zone);
        if (!m->x.current || !m->x.consumption || (!store_isnull(r, 8) && !m->x.previous))
            rc = err_set(e, ERR_NOMEM, "out of memory");
    }
    store_rows_free(r);
    if (!rc && *n)
        qsort(*out, (size_t)*n, sizeof **out, cmp_reading);
    return rc;
}

/* Whether a charge by a meter service used this meter's reading: the same
 * resource and zone (the billing run matches a premises' meters to the
 * service so, whoever takes their readings); wastewater is the cold and hot
 * water. */
static bool reading_used(const struct paydoc_loader *l, const struct bill_line *lines, int n,
                         const struct paydoc_reading *x)
{
    for (int i = 0; i < n; i++) {
        if (lines[i].kind != LINE_CHARGE || lines[i].method != METHOD_METER)
            continue;
        const struct service_entry *sv = service_of(l, lines[i].service_id);
        if (!sv || !sv->resource || !x->resource || !x->zone || !sv->zone ||
            strcmp(sv->zone, x->zone) != 0)
            continue;
        if (strcmp(sv->resource, x->resource) == 0 ||
            (strcmp(sv->resource, "wastewater") == 0 &&
             (strcmp(x->resource, "cold_water") == 0 || strcmp(x->resource, "hot_water") == 0)))
            return true;
    }
    return false;
}

/* ---- one document ---- */

static int kind_rank(char k)
{
    return k == LINE_CHARGE ? 0 : k == LINE_CORRECTION ? 1 : k == LINE_PENALTY ? 2 : 3;
}

/* A line with what orders it (docs/paydoc.md: charges by payee, then the
 * services' order; then corrections likewise; penalties; cashback). */
struct sorted_line {
    struct paydoc_line line;
    int64_t sort_order, service_id;
    int index;
};

static int cmp_line(const void *x, const void *y)
{
    const struct sorted_line *a = x, *b = y;
    int ka = kind_rank(a->line.kind), kb = kind_rank(b->line.kind);
    if (ka != kb)
        return ka < kb ? -1 : 1;
    if (ka <= 1) {
        if (a->line.payee != b->line.payee)
            return a->line.payee < b->line.payee ? -1 : 1;
        if (a->sort_order != b->sort_order)
            return a->sort_order < b->sort_order ? -1 : 1;
        if (a->service_id != b->service_id)
            return a->service_id < b->service_id ? -1 : 1;
    }
    return a->index < b->index ? -1 : a->index > b->index;
}

static int cmp_by_order(const void *x, const void *y)
{
    const struct sorted_line *a = x, *b = y;
    if (a->sort_order != b->sort_order)
        return a->sort_order < b->sort_order ? -1 : 1;
    if (a->service_id != b->service_id)
        return a->service_id < b->service_id ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

static const char *period_text(int period, struct arena *a)
{
    char buf[PERIOD_STR_SIZE];
    return date_period_format(period, buf) ? NULL : arena_strdup(a, buf);
}

/* How a line was found, in words: the statement API's explanation. */
static const char *explain_of(const struct bill_line *l, const char *reason, struct arena *a)
{
    size_t size = BILL_EXPLAIN_SIZE + (reason ? strlen(reason) : 0);
    char *buf = arena_alloc(a, size);
    if (buf)
        bill_line_explain(l, reason, buf, size); /* a cut text is still shown */
    return buf;
}

/* Lines, payees and their sums of one document. */
static int build_lines(struct paydoc_loader *l, struct raw *x, const struct reason *reasons,
                       int nreasons, struct arena *a, struct err *e)
{
    struct paydoc *d = &x->d;
    struct bill_line *bl;
    int nl = 0, rc;
    if ((rc = bill_lines_unpack(x->lines ? x->lines : "", a, &bl, &nl, e)) ||
        (rc = load_services(l, d->org_id, e)))
        return rc;
    x->bl = bl;
    x->nbl = nl;
    const struct org_entry *own;
    if ((rc = org_of(l, d->org_id, &own, e)))
        return rc;
    struct sorted_line *sl = arena_alloc(a, sizeof *sl * (size_t)(nl + 1));
    int64_t *payee_ids = arena_alloc(a, sizeof *payee_ids * (size_t)(nl + 1));
    if (!sl || !payee_ids)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (int i = 0; i < nl; i++) {
        const struct bill_line *b = &bl[i];
        const struct service_entry *sv = b->service_id ? service_of(l, b->service_id) : NULL;
        const char *reason = NULL;
        for (int k = 0; b->kind == LINE_CORRECTION && k < nreasons; k++)
            if (reasons[k].id == b->ref)
                reason = reasons[k].text;
        sl[i] = (struct sorted_line){
            .line = {.kind = b->kind,
                     .method = b->method,
                     .service = sv ? sv->name : NULL,
                     .unit = sv ? sv->unit : NULL,
                     .quantity = b->quantity,
                     .price = b->kind == LINE_CHARGE ? b->price : 0,
                     .amount = b->amount,
                     .period = b->kind == LINE_CORRECTION ? period_text((int)b->a, a)
                               : b->kind == LINE_PENALTY  ? period_text((int)b->ref, a)
                                                          : NULL,
                     .reason = reason,
                     .explain = explain_of(b, reason, a)},
            .sort_order = sv ? sv->sort_order : 0,
            .service_id = b->service_id,
            .index = i};
        /* The payee: the service's, else the account's organization. */
        payee_ids[i] =
            sv && sv->payee_org_id && (b->kind == LINE_CHARGE || b->kind == LINE_CORRECTION)
                ? sv->payee_org_id
                : d->org_id;
        sl[i].line.payee = -1 - i; /* resolved below */
    }
    /* Payees: the account's organization, then the others in the order of
     * their first service on the document. */
    qsort(sl, (size_t)nl, sizeof *sl, cmp_by_order);
    int64_t *order = arena_alloc(a, sizeof *order * (size_t)(nl + 1));
    if (!order)
        return err_set(e, ERR_NOMEM, "out of memory");
    int np = 0;
    order[np++] = d->org_id;
    for (int i = 0; i < nl; i++) {
        int64_t id = payee_ids[-1 - sl[i].line.payee];
        int k = 0;
        while (k < np && order[k] != id)
            k++;
        if (k == np)
            order[np++] = id;
        sl[i].line.payee = k;
    }
    qsort(sl, (size_t)nl, sizeof *sl, cmp_line);
    d->payees = arena_alloc(a, sizeof *d->payees * (size_t)np);
    d->lines = arena_alloc(a, sizeof *d->lines * (size_t)(nl + 1));
    if (!d->payees || !d->lines)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (int k = 0; k < np; k++) {
        const struct org_entry *o = own;
        if (k && (rc = org_of(l, order[k], &o, e)))
            return rc;
        d->payees[k] = o->payee;
    }
    d->npayees = np;
    for (int i = 0; i < nl; i++) {
        d->lines[i] = sl[i].line;
        if (sl[i].line.kind == LINE_CHARGE || sl[i].line.kind == LINE_CORRECTION)
            d->payees[sl[i].line.payee].lines_total += sl[i].line.amount;
    }
    d->nlines = nl;
    /* Sums (docs/paydoc.md "Which payee gets what"): the total due goes to
     * the other payees first, each at most its own lines, the rest to the
     * account's organization (the opening balance, payments, penalties and
     * cashback are its); the sums add up to the total due. */
    int64_t left = d->total > 0 ? d->total : 0;
    for (int k = 1; k < np; k++) {
        int64_t asked = d->payees[k].lines_total > 0 ? d->payees[k].lines_total : 0;
        d->payees[k].sum = asked < left ? asked : left;
        left -= d->payees[k].sum;
    }
    d->payees[0].sum = left;
    return 0;
}

/* Contacts (ПД section 4): the house's manager, each payee that is not it,
 * and the dispatch service of the manager (of the account's organization
 * without one). */
static int build_contacts(struct paydoc_loader *l, struct paydoc *d, int64_t manager,
                          struct arena *a, struct err *e)
{
    d->contacts = arena_alloc(a, sizeof *d->contacts * (size_t)(d->npayees + 2));
    if (!d->contacts)
        return err_set(e, ERR_NOMEM, "out of memory");
    const struct org_entry *m = NULL;
    int rc;
    if (manager && (rc = org_of(l, manager, &m, e)))
        return rc;
    int n = 0;
    if (m)
        d->contacts[n++] =
            (struct paydoc_contact){"manager",      m->payee.name,  m->payee.address,
                                    m->payee.phone, m->payee.email, m->payee.website};
    for (int k = 0; k < d->npayees; k++) {
        const struct paydoc_payee *p = &d->payees[k];
        if (p->org_id != manager)
            d->contacts[n++] = (struct paydoc_contact){"supplier", p->name,  p->address,
                                                       p->phone,   p->email, p->website};
    }
    const struct org_entry *disp = m;
    if (!disp || !disp->dispatch_phone)
        if ((rc = org_of(l, d->org_id, &disp, e)))
            return rc;
    if (disp->dispatch_phone)
        d->contacts[n++] = (struct paydoc_contact){
            "dispatch", disp->payee.name, NULL, disp->dispatch_phone, NULL, NULL};
    d->ncontacts = n;
    return 0;
}

int paydoc_ipd(const char *els, const char *period, char out[PAYDOC_IPD_LEN + 1])
{
    int per;
    out[0] = '\0';
    if (!els || strlen(els) != 10 || !period || date_period_parse(period, &per, NULL))
        return ERR_INVALID;
    snprintf(out, PAYDOC_IPD_LEN + 1, "%s-01-%02d%02d", els, date_period_month(per),
             date_period_year(per) % 100);
    return 0;
}

static int cmp_doc(const void *x, const void *y)
{
    const struct paydoc *a = x, *b = y;
    /* Entrances in order, the unknown entrance (0) last. */
    int64_t ea = a->entrance > 0 ? a->entrance : INT64_MAX;
    int64_t eb = b->entrance > 0 ? b->entrance : INT64_MAX;
    if (ea != eb)
        return ea < eb ? -1 : 1;
    int c = paydoc_natural_cmp(a->premises, b->premises);
    if (c)
        return c;
    return a->account_id < b->account_id ? -1 : a->account_id > b->account_id;
}

/* Reads the documents of docs_sql[w] and completes them. */
static int load(struct paydoc_loader *l, enum which w, int64_t key, int64_t municipality_id,
                int64_t org_id, struct arena *a, struct paydoc **docs, int *n, struct err *e)
{
    struct raw *raws;
    int nr = 0;
    int rc = read_docs(l, w, key, org_id, a, &raws, &nr, e);
    *docs = NULL;
    *n = 0;
    if (rc || !nr)
        return rc;
    struct place place;
    int64_t house_id = raws[0].d.house_id;
    if ((rc = read_place(l, house_id, municipality_id ? municipality_id : raws[0].d.municipality_id,
                         a, &place, e)))
        return rc;
    /* Reasons only where there are corrections (rare): a packed line starts
     * with its kind. */
    bool corrections = false;
    for (int i = 0; i < nr && !corrections; i++)
        corrections = raws[i].lines && (strncmp(raws[i].lines, "R ", 2) == 0 ||
                                        strstr(raws[i].lines, "\nR ") != NULL);
    struct reason *reasons = NULL;
    int nreasons = 0;
    if (corrections &&
        (rc = read_reasons(l, w, key, w == BY_ACCOUNT ? 0 : org_id, a, &reasons, &nreasons, e)))
        return rc;
    struct meter_reading *readings = NULL;
    int nreadings = 0;
    if (w == BY_HOUSE || (w == BY_ACCOUNT && raws[0].premises_id))
        rc = read_readings(l, w == BY_HOUSE ? 0 : 1, w == BY_HOUSE ? key : raws[0].premises_id, a,
                           &readings, &nreadings, e);
    if (rc)
        return rc;
    *docs = arena_alloc(a, sizeof **docs * (size_t)nr);
    if (!*docs)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (int i = 0; i < nr && !rc; i++) {
        struct raw *x = &raws[i];
        struct paydoc *d = &x->d;
        char ipd[PAYDOC_IPD_LEN + 1];
        d->address = place.address;
        d->municipality = place.municipality;
        if (d->els && paydoc_ipd(d->els, l->period, ipd) == 0 && !(d->ipd = arena_strdup(a, ipd)))
            rc = err_set(e, ERR_NOMEM, "out of memory");
        if (!rc)
            rc = issued_of(l, x->run_id, place.timezone, &d->issued_on, e);
        if (!rc)
            rc = build_lines(l, x, reasons, nreasons, a, e);
        if (!rc)
            rc = build_contacts(l, d, place.manager, a, e);
        /* The readings of its premises' meters that its charges used. */
        int first = 0, count = 0;
        while (first < nreadings && readings[first].premises_id < x->premises_id)
            first++;
        for (int k = first; !rc && k < nreadings && readings[k].premises_id == x->premises_id; k++)
            count += x->premises_id && reading_used(l, x->bl, x->nbl, &readings[k].x);
        if (!rc && count) {
            d->readings = arena_alloc(a, sizeof *d->readings * (size_t)count);
            if (!d->readings)
                rc = err_set(e, ERR_NOMEM, "out of memory");
            for (int k = first; !rc && k < nreadings && readings[k].premises_id == x->premises_id;
                 k++)
                if (reading_used(l, x->bl, x->nbl, &readings[k].x))
                    d->readings[d->nreadings++] = readings[k].x;
        }
        (*docs)[i] = *d;
    }
    if (rc)
        return rc;
    qsort(*docs, (size_t)nr, sizeof **docs, cmp_doc);
    *n = nr;
    return 0;
}

int paydoc_loader_house(struct paydoc_loader *l, int64_t house_id, int64_t municipality_id,
                        int64_t org_id, struct arena *a, struct paydoc **docs, int *n,
                        struct err *e)
{
    return house_id ? load(l, BY_HOUSE, house_id, 0, org_id, a, docs, n, e)
                    : load(l, NO_HOUSE, municipality_id, municipality_id, org_id, a, docs, n, e);
}

int paydoc_load(struct store_conn *c, const struct store_scope *s, int64_t account_id,
                const char *period, struct arena *a, struct paydoc *out, struct err *e)
{
    struct paydoc_loader l;
    struct paydoc *docs = NULL;
    int n = 0;
    int rc = loader_init(&l, c, s, period, a, e);
    if (!rc)
        rc = load(&l, BY_ACCOUNT, account_id, 0, 0, a, &docs, &n, e);
    if (!rc && n == 0) {
        /* Which 404: an account the caller cannot see, or no statement. */
        struct account acc;
        rc = reg_account_get(c, s, account_id, a, &acc, e);
        if (!rc)
            rc = err_set(e, ERR_NOTFOUND, "за период %s начислений нет", period);
    }
    if (!rc)
        *out = docs[0];
    loader_clear(&l);
    return rc;
}
