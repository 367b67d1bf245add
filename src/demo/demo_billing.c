/* demo_billing.c — the demo's billing catalogue (docs/demo.md "Billing"):
 * for every organization of the region that has personal accounts, the
 * standard services of its kind with organization-wide tariffs from the
 * period a year before the current one (indexed on the 1st of July, as
 * utility tariffs are, so each service has a history of two rows), norms for
 * the meter services, and the billing settings of the ЕИРЦ.
 *
 * What each kind charges: a УО maintenance, the capital-repair contribution,
 * heating by area and waste (ТКО) by residents; a РСО (the demo's is a
 * Водоканал) cold and hot water and wastewater; a ТКО operator waste; the
 * ЕИРЦ, which bills on behalf of the УО and the suppliers without direct
 * contracts, the УО's services, electricity (single rate and the day and
 * night zones), and water with house tariffs only in the houses where no
 * РСО has direct contracts (so a flat is never charged twice for water).
 * The first МКД of the first municipality has its own maintenance tariff
 * from July (an owners' meeting decision). The ЕИРЦ's waste is collected for
 * the municipality's ТКО operator (its payee), so its payment documents pay
 * two organizations (docs/paydoc.md).
 *
 * Rows go through the catalogue's own functions (the same checks as the
 * API), but for the ЕИРЦ's house tariffs: one INSERT … SELECT per row of
 * history. Tens of rows per organization: no batching needed. */
#include "demo/demo.h"

#include "base/date.h"
#include "base/money.h"
#include "billing/billing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT(x) ((int)(sizeof x / sizeof x[0]))
#define INDEXATION 1119 /* per mille: the July indexation of utility tariffs (+11.9 %) */
#define RUB(r, k) ((int64_t)(r)*10000 + (int64_t)(k)*100) /* price of r ₽ k kop. */

static const struct store_scope sys = {.kind = SCOPE_SYSTEM};

/* A service of a kind's plan: its code, price a year ago (hundredths of a
 * kopeck), norm per person (thousandths; 0: none). */
struct plan {
    const char *code;
    int64_t price, norm;
};

static const struct plan uo_plan[] = {
    {"maintenance", RUB(32, 50), 0},
    {"capital_repair", RUB(12, 50), 0},
    {"heating", RUB(45, 20), 0},
    {"waste", RUB(150, 30), 0},
};
static const struct plan power_plan[] = {
    {"electricity", RUB(7, 41), 90000},
    {"electricity_day", RUB(8, 56), 60000},
    {"electricity_night", RUB(3, 82), 30000},
};
/* ПП 306-style norms per person per month: cold 6.935 m³, hot 4.745 m³,
 * wastewater their sum. */
static const struct plan water_plan[] = {
    {"cold_water", RUB(54, 71), 6935},
    {"hot_water", RUB(268, 34), 4745},
    {"wastewater", RUB(40, 28), 11680},
};

struct dbill {
    struct demo_ctx *d;
    char from[DATE_STR_SIZE], july[DATE_STR_SIZE], before_july[DATE_STR_SIZE];
    int variation; /* per mille of the base prices, by municipality */
    int64_t tko;   /* the ЕИРЦ's waste is paid to this ТКО operator; 0: none */
};

/* price × per mille, rounded half-up to the kopeck. */
static int64_t scaled(int64_t price, int64_t permille)
{
    int64_t kop = 0;
    money_mul_div_round(price, permille, 1000 * 100, &kop);
    return kop * 100;
}

static int add_rate(struct dbill *g, enum bill_rate_kind k, int64_t service, int64_t house,
                    const char *from, int64_t value, struct err *e)
{
    struct bill_rate r = {
        .service_id = service, .house_id = house, .valid_from = from, .value = value};
    g->d->rows++;
    return bill_rate_create(g->d->c, &sys, k, &r, g->d->a, e);
}

/* The ЕИРЦ's water tariff in each of its houses without a РСО's direct
 * contracts: one row of history for all of them. */
static int house_rows(struct dbill *g, int64_t service, int64_t org, const char *from,
                      const char *to, int64_t price, struct err *e)
{
    struct store_val p[] = {SV_I(service), SV_I(g->d->region_id), SV_I(org),        SV_S(from),
                            SV_T(to),      SV_I(price),           SV_I(store_now())};
    int64_t n = 0;
    int rc = store_exec(g->d->c,
                        "INSERT INTO tariffs (service_id, region_id, org_id, house_id, valid_from,"
                        " valid_to, price, created_at) SELECT CAST($1 AS BIGINT),"
                        " CAST($2 AS BIGINT), CAST($3 AS BIGINT), ho.house_id, CAST($4 AS TEXT),"
                        " CAST($5 AS TEXT), CAST($6 AS BIGINT), CAST($7 AS BIGINT)"
                        " FROM house_orgs ho WHERE ho.org_id = $3 AND ho.role = 'supplier'"
                        " AND NOT EXISTS (SELECT 1 FROM house_orgs x JOIN organizations o"
                        " ON o.id = x.org_id WHERE x.house_id = ho.house_id"
                        " AND x.role = 'supplier' AND o.kind = 'rso') ORDER BY ho.house_id",
                        p, COUNT(p), &n, e);
    g->d->rows += n;
    return rc;
}

static int make_service(struct dbill *g, int64_t org, const struct plan *pl, bool by_house,
                        int64_t *id, struct err *e)
{
    struct bill_service s = {.org_id = org, .code = pl->code, .sort_order = -1};
    /* The ЕИРЦ collects waste (ТКО) for the municipality's regional operator:
     * its documents have a second payee with its own QR code. */
    if (g->tko && strcmp(pl->code, "waste") == 0)
        s.payee_org_id = g->tko;
    g->d->rows++;
    int rc = bill_service_create(g->d->c, &sys, &s, g->d->a, e);
    if (rc)
        return rc;
    *id = s.id;
    int64_t price = scaled(pl->price, g->variation);
    int64_t indexed = scaled(price, INDEXATION);
    if (by_house) {
        if ((rc = house_rows(g, s.id, org, g->from, g->before_july, price, e)) == 0)
            rc = house_rows(g, s.id, org, g->july, NULL, indexed, e);
    } else if ((rc = add_rate(g, BILL_TARIFF, s.id, 0, g->from, price, e)) == 0) {
        rc = add_rate(g, BILL_TARIFF, s.id, 0, g->july, indexed, e);
    }
    if (rc == 0 && pl->norm)
        rc = add_rate(g, BILL_NORM, s.id, 0, g->from, pl->norm, e);
    return rc;
}

static int make_plan(struct dbill *g, int64_t org, const struct plan *pl, int n, bool by_house,
                     struct err *e)
{
    int64_t id;
    int rc = 0;
    for (int i = 0; rc == 0 && i < n; i++)
        rc = make_service(g, org, &pl[i], by_house, &id, e);
    return rc;
}

/* The owners of the first МКД decided a higher maintenance fee from July. */
static int house_tariff(struct dbill *g, int64_t org, int64_t mun, struct err *e)
{
    struct store_val p[] = {SV_I(org), SV_I(mun)};
    int64_t service = 0, house = 0;
    int rc = store_query_int(g->d->c,
                             "SELECT id FROM services WHERE org_id = $1 AND code = 'maintenance'",
                             p, 1, &service, e);
    if (rc == 0)
        rc = store_query_int(g->d->c,
                             "SELECT min(h.id) FROM houses h JOIN house_orgs ho"
                             " ON ho.house_id = h.id AND ho.org_id = $1"
                             " WHERE h.municipality_id = $2 AND h.kind = 'mkd'",
                             p, 2, &house, e);
    if (rc || !house)
        return rc;
    return add_rate(g, BILL_TARIFF, service, house, g->july,
                    scaled(scaled(uo_plan[0].price, g->variation), 1200), e);
}

static int make_org(struct dbill *g, int i, int k, struct err *e)
{
    struct demo_ctx *d = g->d;
    int64_t org = d->org_ids[i * d->opt.orgs_per_municipality + k];
    int64_t accounts = 0;
    struct store_rows *r = NULL;
    const char *kind = NULL;
    int rc = store_query(
        d->c,
        "SELECT o.kind, CASE WHEN EXISTS (SELECT 1 FROM accounts a WHERE a.org_id = o.id)"
        " THEN 1 ELSE 0 END"
        " FROM organizations o WHERE o.id = $1",
        (struct store_val[]){SV_I(org)}, 1, &r, e);
    if (rc == 0 && store_next(r)) {
        kind = store_dup(r, 0, d->a);
        accounts = store_int(r, 1);
    }
    store_rows_free(r);
    if (rc || !accounts || !kind)
        return rc;
    g->tko = strcmp(kind, "eirc") == 0 ? d->org_ids[i * d->opt.orgs_per_municipality + 3] : 0;
    if (strcmp(kind, "uo") == 0 || strcmp(kind, "eirc") == 0)
        rc = make_plan(g, org, uo_plan, COUNT(uo_plan), false, e);
    g->tko = 0;
    if (rc == 0 && strcmp(kind, "eirc") == 0) {
        struct bill_settings set = {.due_day = BILL_DUE_DAY,
                                    .count_payment_day = true,
                                    .cashback_bp = 150,
                                    .cashback_cap = 30000};
        if ((rc = make_plan(g, org, power_plan, COUNT(power_plan), false, e)) == 0 &&
            (rc = make_plan(g, org, water_plan, COUNT(water_plan), true, e)) == 0)
            rc = bill_settings_put(d->c, &sys, org, &set, e);
        if (rc == 0 && i == 0)
            rc = house_tariff(g, org, d->municipality_ids[i], e);
    }
    if (rc == 0 && strcmp(kind, "rso") == 0)
        rc = make_plan(g, org, water_plan, COUNT(water_plan), false, e);
    if (rc == 0 && strcmp(kind, "tko") == 0)
        rc = make_plan(g, org, uo_plan + 3, 1, false, e);
    return rc;
}

int demo_stage_billing(struct demo_ctx *d, struct err *e)
{
    struct dbill g = {.d = d};
    struct store_rows *r = NULL;
    char tz[64] = "Europe/Moscow";
    int rc = store_query(d->c, "SELECT timezone FROM regions WHERE id = $1",
                         (struct store_val[]){SV_I(d->region_id)}, 1, &r, e);
    if (rc == 0 && store_next(r))
        snprintf(tz, sizeof tz, "%s", store_text(r, 0));
    store_rows_free(r);
    struct date_local now;
    if (rc || (rc = date_utc_to_local(tz, store_now(), &now)))
        return rc ? rc : err_set(e, ERR_INVALID, "time zone %s", tz);
    /* The history starts a year before the current period (with the
     * meters' readings); the indexation is the July since then. */
    int current = date_period(now.y, now.m), first = current - 12;
    int july = current - (now.m - 7 + 12) % 12;
    date_format(date_period_first_day(first), g.from);
    date_format(date_period_first_day(july), g.july);
    date_format(date_period_last_day(july - 1), g.before_july);
    for (int i = 0; rc == 0 && i < d->opt.municipalities; i++) {
        g.variation = 1000 + 30 * (i % 5);
        for (int k = 0; rc == 0 && k < d->opt.orgs_per_municipality; k++)
            rc = make_org(&g, i, k, e);
    }
    return rc;
}

/* Bills the last two periods with readings for every organization with
 * services, so the pages open on a billed region (the «Начисления» summary
 * compares them; «Мои счета» draws two months). Each run is the engine's own
 * transaction, after the stages have committed. */
int demo_bills(struct store *s, int64_t *rows, struct err *e)
{
    struct store_conn *c = store_acquire(s, e);
    struct store_rows *r;
    int64_t *orgs = NULL;
    int n = 0, cap = 0, last = 0, rc;
    if (!c)
        return e->code;
    if ((rc = store_query(c, "SELECT max(period) FROM readings", NULL, 0, &r, e)) == 0) {
        if (store_next(r) && !store_isnull(r, 0))
            date_period_parse(store_text(r, 0), &last, NULL);
        store_rows_free(r);
    }
    if (!rc && (rc = store_query(c, "SELECT DISTINCT org_id FROM services ORDER BY org_id", NULL, 0,
                                 &r, e)) == 0) {
        while (!rc && store_next(r)) {
            if (n == cap) {
                int64_t *grown = realloc(orgs, sizeof *orgs * (size_t)(cap = cap ? cap * 2 : 16));
                if (!grown) {
                    rc = err_set(e, ERR_NOMEM, "out of memory");
                    break;
                }
                orgs = grown;
            }
            orgs[n++] = store_int(r, 0);
        }
        store_rows_free(r);
    }
    store_release(c);
    for (int i = 0; !rc && last && i < n; i++)
        for (int k = 1; !rc && k >= 0; k--) {
            struct billing_run_req q = {.org_id = orgs[i], .period = last - k};
            struct billing_run_result out;
            if ((rc = billing_run(s, &sys, &q, &out, e)) == 0)
                *rows += out.accounts;
        }
    free(orgs);
    return rc;
}
