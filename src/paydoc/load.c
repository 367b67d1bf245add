/* load.c — the payment document assembled from the store (docs/paydoc.md
 * "Contents"): the statement and its lines, the account, premises, house and
 * municipality, the payees with their bank details, the readings the
 * charges used, the contacts, the ИПД and the date of issue.
 *
 * One path serves one account (paydoc_load, the API) and a whole house
 * (paydoc_loader_house, the print run), so the two give the same document:
 * the render's digest of a file is the digest of what the API answers.
 * Documents are found by their statements — the statement is the
 * document's snapshot: its house and municipality are those it was billed
 * in, the ones the print run's selection (render.c) groups by, so an
 * account moved since is printed once, with the house of its bill. A house
 * costs a handful of queries whatever its size — its statements with their
 * accounts, the house, its corrections' reasons, its readings, each over
 * the same statements — and what houses share (organizations, services,
 * the runs' dates) is read once per loader (load_cache.c).
 *
 * Scope: the statements' region, municipality and organization
 * (reg_scope_bind $1..$3), a resident's own premises ($4) through the
 * account. */
#include "paydoc/load_impl.h"

#include "billing/billing.h"
#include "registry/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The documents' statements and their accounts: $1..$4 the scope, $5 the
 * period, $6 the house, municipality or account (enum which), $7 the
 * organization or 0. */
#define DOC_FROM " FROM statements st JOIN accounts a ON a.id = st.account_id"
#define DOC_WHERE(which)                                                                           \
    " WHERE st.period = $5 AND (st.region_id = $1 OR $1 = 0)"                                      \
    " AND (st.municipality_id = $2 OR $2 = 0) AND (CAST($3 AS BIGINT) = 0 OR st.org_id = $3)"      \
    " AND (CAST($4 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM resident_premises rp"                   \
    " WHERE rp.premises_id = a.premises_id AND rp.user_id = $4)) AND " which

/* With an organization the index statements (org_id, period, house_id)
 * finds a house's statements; an account's are its primary key. */
#define ONE_ORG "st.org_id = $7"
#define ANY_ORG "(CAST($7 AS BIGINT) = 0 OR st.org_id = $7)"
#define W_HOUSE " AND st.house_id = $6"
#define W_NO_HOUSE " AND st.house_id IS NULL AND st.municipality_id = $6"
#define W_ACCOUNT " AND st.account_id = $6"

#define DOCS_SQL(which)                                                                            \
    "SELECT st.account_id, st.org_id, st.region_id, st.municipality_id, coalesce(st.house_id, 0)," \
    " a.els, a.number, a.payer_name, a.residents, coalesce(a.premises_id, 0), p.number,"           \
    " coalesce(p.area, 0), coalesce(p.entrance, 0), st.run_id, st.due_on, st.opening,"             \
    " st.charged, st.corrected, st.penalty, st.cashback, st.paid, st.closing, st.lines" DOC_FROM   \
    " LEFT JOIN premises p ON p.id = a.premises_id" DOC_WHERE(which)

/* The corrections' reasons of the documents (shown in apply_period). */
#define REASONS_SQL(which)                                                                         \
    "SELECT c.id, c.reason" DOC_FROM " JOIN corrections c ON c.account_id = st.account_id"         \
    " AND c.apply_period = st.period" DOC_WHERE(which)

/* The period's accepted readings of the individual meters of the
 * documents' premises, with the previous accepted value (NULL for a meter's
 * first reading: its consumption counts from the initial value). Whoever
 * takes them: a document shows those its charges used (reading_used). */
#define READINGS_SQL(which)                                                                        \
    "SELECT m.premises_id, m.serial, m.resource, m.zone, m.decimals, m.id, r.value,"               \
    " r.consumption, (SELECT pr.value FROM readings pr WHERE pr.meter_id = m.id"                   \
    " AND pr.state = 'accepted' AND pr.period < r.period ORDER BY pr.period DESC LIMIT 1)"         \
    " FROM meters m JOIN readings r ON r.meter_id = m.id AND r.period = $5"                        \
    " AND r.state = 'accepted' WHERE m.kind = 'individual' AND m.premises_id IN"                   \
    " (SELECT a.premises_id" DOC_FROM                                                              \
    DOC_WHERE(which) ")"

enum which {
    BY_HOUSE,
    NO_HOUSE, /* the accounts without a house of a municipality */
    BY_ACCOUNT
};

struct queries {
    const char *docs, *reasons, *readings;
};
#define QUERIES(which)                                                                             \
    {                                                                                              \
        DOCS_SQL(which), REASONS_SQL(which), READINGS_SQL(which)                                   \
    }
/* [which][an organization given] */
static const struct queries queries[3][2] = {
    {QUERIES(ANY_ORG W_HOUSE), QUERIES(ONE_ORG W_HOUSE)},
    {QUERIES(ANY_ORG W_NO_HOUSE), QUERIES(ONE_ORG W_NO_HOUSE)},
    {QUERIES(ANY_ORG W_ACCOUNT), QUERIES(ANY_ORG W_ACCOUNT)},
};

/* ---- the rows ---- */

/* Reads the documents' rows into *raws. */
static int read_docs(struct paydoc_loader *l, const char *sql, const struct store_val p[7],
                     struct arena *a, struct raw **raws, int *n, struct err *e)
{
    struct store_rows *r;
    int rc = store_query(l->c, sql, p, 7, &r, e);
    if (rc)
        return rc;
    int cap = 0;
    *n = 0;
    *raws = NULL;
    while (!rc && store_next(r)) {
        if (arena_grow(a, raws, *n, &cap, sizeof **raws)) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            break;
        }
        struct raw *x = &(*raws)[(*n)++];
        *x = (struct raw){.d = {.account_id = store_int(r, 0),
                                .org_id = store_int(r, 1),
                                .region_id = store_int(r, 2),
                                .municipality_id = store_int(r, 3),
                                .house_id = store_int(r, 4),
                                .els = load_nonempty(store_dup(r, 5, a)),
                                .account_number = store_dup(r, 6, a),
                                .payer = load_nonempty(store_dup(r, 7, a)),
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
static int read_reasons(struct paydoc_loader *l, const char *sql, const struct store_val p[7],
                        struct arena *a, struct reason **out, int *n, struct err *e)
{
    struct store_rows *r;
    int rc = store_query(l->c, sql, p, 7, &r, e);
    if (rc)
        return rc;
    int cap = 0;
    *n = 0;
    *out = NULL;
    while (!rc && store_next(r)) {
        if (arena_grow(a, out, *n, &cap, sizeof **out)) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            break;
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

static int read_readings(struct paydoc_loader *l, const char *sql, const struct store_val p[7],
                         struct arena *a, struct meter_reading **out, int *n, struct err *e)
{
    struct store_rows *r;
    int rc = store_query(l->c, sql, p, 7, &r, e);
    if (rc)
        return rc;
    int cap = 0;
    *n = 0;
    *out = NULL;
    while (!rc && store_next(r)) {
        if (arena_grow(a, out, *n, &cap, sizeof **out)) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            break;
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
        const struct service_entry *sv = load_service(l, lines[i].service_id);
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
    if (manager && (rc = load_org(l, manager, &m, e)))
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
        if ((rc = load_org(l, d->org_id, &disp, e)))
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

/* The readings of its premises' meters that its charges used (readings
 * sorted by premises). */
static int attach_readings(const struct paydoc_loader *l, struct raw *x,
                           const struct meter_reading *readings, int n, struct arena *a,
                           struct err *e)
{
    struct paydoc *d = &x->d;
    int first = 0, count = 0;
    if (!x->premises_id)
        return 0;
    while (first < n && readings[first].premises_id < x->premises_id)
        first++;
    for (int k = first; k < n && readings[k].premises_id == x->premises_id; k++)
        count += reading_used(l, x->bl, x->nbl, &readings[k].x);
    if (!count)
        return 0;
    if (!(d->readings = arena_alloc(a, sizeof *d->readings * (size_t)count)))
        return err_set(e, ERR_NOMEM, "out of memory");
    for (int k = first; k < n && readings[k].premises_id == x->premises_id; k++)
        if (reading_used(l, x->bl, x->nbl, &readings[k].x))
            d->readings[d->nreadings++] = readings[k].x;
    return 0;
}

/* What a house's documents share, read once for them. */
struct common {
    struct place place;
    struct reason *reasons;
    int nreasons;
    struct meter_reading *readings;
    int nreadings;
};

static int read_common(struct paydoc_loader *l, const struct queries *qs,
                       const struct store_val p[7], const struct raw *raws, int nr, struct arena *a,
                       struct common *c, struct err *e)
{
    *c = (struct common){0};
    int rc = read_place(l, raws[0].d.house_id, raws[0].d.municipality_id, a, &c->place, e);
    /* Reasons only where there are corrections (rare): a packed line starts
     * with its kind. Readings only where there are premises. */
    bool corrections = false, premises = false;
    for (int i = 0; i < nr; i++) {
        corrections |= raws[i].lines && (strncmp(raws[i].lines, "R ", 2) == 0 ||
                                         strstr(raws[i].lines, "\nR ") != NULL);
        premises |= raws[i].premises_id != 0;
    }
    if (!rc && corrections)
        rc = read_reasons(l, qs->reasons, p, a, &c->reasons, &c->nreasons, e);
    if (!rc && premises)
        rc = read_readings(l, qs->readings, p, a, &c->readings, &c->nreadings, e);
    return rc;
}

/* A document completed: its place, ИПД, date of issue, lines, contacts and
 * readings. */
static int complete(struct paydoc_loader *l, struct raw *x, const struct common *c, struct arena *a,
                    struct err *e)
{
    struct paydoc *d = &x->d;
    char ipd[PAYDOC_IPD_LEN + 1];
    int rc = 0;
    d->address = c->place.address;
    d->municipality = c->place.municipality;
    if (d->els && paydoc_ipd(d->els, l->period, ipd) == 0 && !(d->ipd = arena_strdup(a, ipd)))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    if (!rc)
        rc = load_issued(l, x->run_id, c->place.timezone, &d->issued_on, e);
    if (!rc)
        rc = load_lines(l, x, c->reasons, c->nreasons, a, e);
    if (!rc)
        rc = build_contacts(l, d, c->place.manager, a, e);
    if (!rc)
        rc = attach_readings(l, x, c->readings, c->nreadings, a, e);
    return rc;
}

/* The documents of a house, the accounts without a house of a
 * municipality, or an account, in route order. */
static int load(struct paydoc_loader *l, enum which w, int64_t key, int64_t org_id, struct arena *a,
                struct paydoc **docs, int *n, struct err *e)
{
    const struct queries *qs = &queries[w][org_id != 0];
    struct store_val p[7];
    memcpy(p, l->scope, sizeof l->scope);
    p[4] = SV_S(l->period);
    p[5] = SV_I(key);
    p[6] = SV_I(org_id);
    struct raw *raws;
    int nr = 0;
    int rc = read_docs(l, qs->docs, p, a, &raws, &nr, e);
    struct common c;
    *docs = NULL;
    *n = 0;
    if (rc || !nr)
        return rc;
    if ((rc = read_common(l, qs, p, raws, nr, a, &c, e)))
        return rc;
    if (!(*docs = arena_alloc(a, sizeof **docs * (size_t)nr)))
        return err_set(e, ERR_NOMEM, "out of memory");
    for (int i = 0; i < nr && !rc; i++) {
        rc = complete(l, &raws[i], &c, a, e);
        (*docs)[i] = raws[i].d;
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
    return house_id ? load(l, BY_HOUSE, house_id, org_id, a, docs, n, e)
                    : load(l, NO_HOUSE, municipality_id, org_id, a, docs, n, e);
}

int paydoc_load(struct store_conn *c, const struct store_scope *s, int64_t account_id,
                const char *period, struct arena *a, struct paydoc *out, struct err *e)
{
    struct paydoc_loader l;
    struct paydoc *docs = NULL;
    int n = 0;
    int rc = load_init(&l, c, s, period, a, e);
    if (!rc)
        rc = load(&l, BY_ACCOUNT, account_id, 0, a, &docs, &n, e);
    if (!rc && n == 0) {
        /* Which 404: an account the caller cannot see, or no statement. */
        struct account acc;
        rc = reg_account_get(c, s, account_id, a, &acc, e);
        if (!rc)
            rc = err_set(e, ERR_NOTFOUND, "за период %s начислений нет", period);
    }
    if (!rc)
        *out = docs[0];
    load_clear(&l);
    return rc;
}
