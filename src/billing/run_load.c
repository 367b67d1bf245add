/* run_load.c — reads what one organization's period needs into memory: the
 * catalogue in force, the open accounts with their premises, the meters of
 * those premises with the period's readings and their history, the previous
 * statements, the period's payments and corrections, the penalty rules. A
 * handful of scans, each ordered by what the store indexes; no query per
 * account (but for the debtors' penalties, run_load_debts). */
#include "billing/run_impl.h"

#include "base/log.h"

#define PENALTY_REGIMES_MAX 256 /* dated regimes the run takes (a table of a few rows) */

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Logs how long the phase that just ended took (debug level). */
static void phase(struct run *r, const char *what)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    double now = (double)t.tv_sec + (double)t.tv_nsec / 1e9;
    if (r->phase_at > 0)
        log_msgf(LOG_DEBUG, "billing run phase", "%s: %.3f s", what, now - r->phase_at);
    r->phase_at = now;
}

enum resource run_resource(const char *t)
{
    static const char *const names[] = {"cold_water", "hot_water", "electricity",
                                        "heat",       "gas",       "wastewater"};
    for (int i = 0; t && i < RES_NONE; i++)
        if (strcmp(t, names[i]) == 0)
            return (enum resource)i;
    return RES_NONE;
}

int run_zone(const char *t)
{
    return !t ? 0 : strcmp(t, "day") == 0 ? 1 : strcmp(t, "night") == 0 ? 2 : 0;
}

static int64_t day_of(const char *text)
{
    struct date d;
    return text && date_parse(text, &d, NULL) == 0 ? date_days_from_civil(d) : 0;
}

static int load_settings(struct run *r, struct err *e)
{
    struct store_val p[] = {SV_I(r->q->org_id)};
    struct store_rows *rows;
    int rc = store_query(r->c,
                         "SELECT due_day, count_payment_day, cashback_bp, cashback_cap"
                         " FROM billing_settings WHERE org_id = $1",
                         p, 1, &rows, e);
    if (rc)
        return rc;
    r->due_day = BILL_DUE_DAY;
    r->pen.count_payment_day = true;
    if (store_next(rows)) {
        r->due_day = (int)store_int(rows, 0);
        r->pen.count_payment_day = store_int(rows, 1) != 0;
        r->cashback_bp = (int)store_int(rows, 2);
        r->cashback_cap = store_int(rows, 3);
    }
    store_rows_free(rows);
    return 0;
}

static int load_services(struct run *r, struct err *e)
{
    struct store_val p[] = {SV_I(r->q->org_id)};
    int64_t n;
    int rc = store_query_int(r->c, "SELECT count(*) FROM services WHERE org_id = $1", p, 1, &n, e);
    if (rc)
        return rc;
    r->services = arena_alloc(r->arena, sizeof *r->services * (size_t)(n ? n : 1));
    if (!r->services)
        return err_set(e, ERR_NOMEM, "out of memory");
    struct store_rows *rows;
    if ((rc = store_query(r->c,
                          "SELECT id, method, resource, zone, raising_pct, code FROM services"
                          " WHERE org_id = $1 AND archived = 0 ORDER BY sort_order, id",
                          p, 1, &rows, e)))
        return rc;
    int all = 0, capital = 0;
    while (store_next(rows) && r->nservices < n) {
        struct run_service *s = &r->services[r->nservices++];
        const char *m = store_text(rows, 1);
        s->id = store_int(rows, 0);
        s->method = strcmp(m, "area") == 0        ? METHOD_AREA
                    : strcmp(m, "residents") == 0 ? METHOD_RESIDENTS
                    : strcmp(m, "fixed") == 0     ? METHOD_FIXED
                                                  : METHOD_METER;
        s->resource = run_resource(store_text(rows, 2));
        s->zone = run_zone(store_text(rows, 3));
        s->raising_pct = (int)store_int(rows, 4);
        all++;
        capital += strcmp(store_text(rows, 5), "capital_repair") == 0;
    }
    store_rows_free(rows);
    /* ЖК 155 ч. 14.1 governs an organization that collects only the
     * capital-repair contribution (the regional operator). */
    r->capital_repair_only = all > 0 && capital == all;
    r->pen.capital_repair = r->capital_repair_only;
    return 0;
}

static struct run_service *service_by_id(struct run *r, int64_t id)
{
    for (int i = 0; i < r->nservices; i++)
        if (r->services[i].id == id)
            return &r->services[i];
    return NULL;
}

/* Tariffs or norms in force for the whole period, attached to services. */
static int load_rates(struct run *r, const char *sql, bool norms, struct err *e)
{
    struct store_val p[] = {SV_I(r->q->org_id), SV_S(r->first_day), SV_S(r->last_day)};
    struct store_rows *rows;
    int rc = store_query(r->c, sql, p, 3, &rows, e);
    if (rc)
        return rc;
    while (store_next(rows)) {
        struct run_service *s = service_by_id(r, store_int(rows, 0));
        if (!s)
            continue;
        struct rate_row **list = norms ? &s->norms : &s->tariffs;
        int *count = norms ? &s->nnorms : &s->ntariffs;
        struct rate_row *grown = arena_alloc(r->arena, sizeof **list * (size_t)(*count + 1));
        if (!grown) {
            store_rows_free(rows);
            return err_set(e, ERR_NOMEM, "out of memory");
        }
        if (*count)
            memcpy(grown, *list, sizeof **list * (size_t)*count);
        grown[(*count)++] = (struct rate_row){.municipality_id = store_int(rows, 1),
                                              .house_id = store_int(rows, 2),
                                              .valid_from = day_of(store_text(rows, 3)),
                                              .value = store_int(rows, 4)};
        *list = grown;
    }
    store_rows_free(rows);
    return 0;
}

static int load_penalty_rules(struct run *r, struct err *e)
{
    struct store_rows *rows;
    int rc = store_query(r->c, "SELECT count(*) FROM key_rates", NULL, 0, &rows, e);
    if (rc)
        return rc;
    int64_t n = store_next(rows) ? store_int(rows, 0) : 0;
    store_rows_free(rows);
    struct key_rate *rates = arena_alloc(r->arena, sizeof *rates * (size_t)(n + 1));
    struct penalty_regime *regs = arena_alloc(r->arena, sizeof *regs * PENALTY_REGIMES_MAX);
    if (!rates || !regs)
        return err_set(e, ERR_NOMEM, "out of memory");
    if ((rc = store_query(r->c, "SELECT valid_from, rate_bp FROM key_rates ORDER BY valid_from",
                          NULL, 0, &rows, e)))
        return rc;
    int k = 0;
    while (store_next(rows) && k < n)
        rates[k++] = (struct key_rate){day_of(store_text(rows, 0)), (int)store_int(rows, 1)};
    store_rows_free(rows);
    r->pen.rates = rates;
    r->pen.nrates = k;
    if ((rc = store_query(r->c,
                          "SELECT kind, date_from, date_to, coalesce(cap_bp, 0)"
                          " FROM penalty_regimes ORDER BY date_from, id",
                          NULL, 0, &rows, e)))
        return rc;
    k = 0;
    while (store_next(rows) && k <= PENALTY_REGIMES_MAX)
        if (k++ < PENALTY_REGIMES_MAX)
            regs[k - 1] = (struct penalty_regime){
                strcmp(store_text(rows, 0), "moratorium") == 0, day_of(store_text(rows, 1)),
                day_of(store_text(rows, 2)), (int)store_int(rows, 3)};
    store_rows_free(rows);
    if (k > PENALTY_REGIMES_MAX)
        return err_set(e, ERR_INVALID, "более %d режимов начисления пени (penalty_regimes)",
                       PENALTY_REGIMES_MAX);
    r->pen.regimes = regs;
    r->pen.nregimes = k;
    return 0;
}

static int cmp_account(const void *x, const void *y)
{
    const struct run_account *a = x, *b = y;
    return (a->id > b->id) - (a->id < b->id);
}

static int add_municipality(struct run *r, int64_t id, struct err *e)
{
    if ((r->nmunicipalities & (r->nmunicipalities - 1)) == 0) { /* 0, 1, 2, 4 …: grow */
        size_t cap = r->nmunicipalities ? (size_t)r->nmunicipalities * 2 : 1;
        int64_t *p = realloc(r->municipalities, sizeof *p * cap);
        if (!p)
            return err_set(e, ERR_NOMEM, "out of memory");
        r->municipalities = p;
    }
    r->municipalities[r->nmunicipalities++] = id;
    return 0;
}

static int load_accounts(struct run *r, struct err *e)
{
    struct store_val p[] = {SV_I(r->q->org_id), SV_S(r->last_day), SV_S(r->first_day)};
    int64_t n;
    int rc = store_query_int(r->c, "SELECT count(*) FROM accounts WHERE org_id = $1", p, 1, &n, e);
    if (rc)
        return rc;
    r->accounts = malloc(sizeof *r->accounts * (size_t)(n ? n : 1));
    if (!r->accounts)
        return err_set(e, ERR_NOMEM, "out of memory");
    struct store_rows *rows;
    if ((rc = store_query(r->c,
                          "SELECT a.id, coalesce(a.premises_id, 0), coalesce(a.house_id, 0),"
                          " a.municipality_id, a.residents, coalesce(p.area, 0)"
                          " FROM accounts a LEFT JOIN premises p ON p.id = a.premises_id"
                          " WHERE a.org_id = $1 AND a.opened_on <= $2"
                          " AND (a.closed_on IS NULL OR a.closed_on >= $3)",
                          p, 3, &rows, e)))
        return rc;
    while (store_next(rows) && r->naccounts < n) {
        struct run_account *a = &r->accounts[r->naccounts++];
        *a = (struct run_account){.id = store_int(rows, 0),
                                  .premises_id = store_int(rows, 1),
                                  .house_id = store_int(rows, 2),
                                  .municipality_id = store_int(rows, 3),
                                  .residents = store_int(rows, 4),
                                  .area = store_int(rows, 5),
                                  .meters = -1};
        int m = 0;
        while (m < r->nmunicipalities && r->municipalities[m] != a->municipality_id)
            m++;
        if (m == r->nmunicipalities && (rc = add_municipality(r, a->municipality_id, e)))
            break;
    }
    store_rows_free(rows);
    if (rc)
        return rc;
    qsort(r->accounts, (size_t)r->naccounts, sizeof *r->accounts, cmp_account);
    return 0;
}

static struct run_account *account_by_id(struct run *r, int64_t id)
{
    int64_t lo = 0, hi = r->naccounts - 1;
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (r->accounts[mid].id == id)
            return &r->accounts[mid];
        if (r->accounts[mid].id < id)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

static int carry_push(struct run *r, struct run_carry c)
{
    if (r->ncarry == r->carry_cap) {
        int64_t cap = r->carry_cap ? r->carry_cap * 2 : 1024;
        struct run_carry *p = realloc(r->carry, sizeof *p * (size_t)cap);
        if (!p)
            return -1;
        r->carry = p;
        r->carry_cap = cap;
    }
    r->carry[r->ncarry++] = c;
    return 0;
}

/* The meter lines of one previous statement that billed without a reading:
 * their streak and what they estimated since the last reading. */
static int carry_from_text(struct run *r, struct run_account *a, const char *text, struct err *e)
{
    a->carry = (int32_t)r->ncarry;
    for (const char *p = text; p && *p;) {
        const char *end = strchr(p, '\n');
        if (!end)
            break;
        if (p[0] == LINE_CHARGE && strchr("VNK", p[2])) {
            long long f[9] = {0};
            const char *q = p + 3;
            for (int k = 0; k < 9 && q < end; k++)
                f[k] = strtoll(q + 1, (char **)&q, 10);
            if (carry_push(r, (struct run_carry){f[0], f[5], f[6]}))
                return err_set(e, ERR_NOMEM, "out of memory");
        }
        p = end + 1;
    }
    a->ncarry = (int32_t)(r->ncarry - a->carry);
    return 0;
}

static int load_previous(struct run *r, struct err *e)
{
    struct store_val p[] = {SV_I(r->q->org_id), SV_S(r->prev_text)};
    struct store_rows *rows;
    int rc = store_query(r->c,
                         "SELECT account_id, closing, charged + corrected, lines FROM statements"
                         " WHERE org_id = $1 AND period = $2",
                         p, 2, &rows, e);
    if (rc)
        return rc;
    while (store_next(rows)) {
        struct run_account *a = account_by_id(r, store_int(rows, 0));
        if (!a)
            continue;
        a->has_prev = true;
        a->opening = store_int(rows, 1);
        a->prev_billed = store_int(rows, 2);
        if ((rc = carry_from_text(r, a, store_text(rows, 3), e)))
            break;
    }
    store_rows_free(rows);
    return rc;
}

/* Individual meters in service in the period, chained per premises. */
static int load_meters(struct run *r, int32_t *prem_head, int64_t max_premises, int32_t *meter_pos,
                       int64_t max_meter, struct err *e)
{
    for (int m = 0; m < r->nmunicipalities; m++) {
        struct store_val p[] = {SV_I(r->region_id), SV_I(r->municipalities[m]), SV_S(r->last_day),
                                SV_S(r->first_day)};
        struct store_rows *rows;
        int rc = store_query(r->c,
                             "SELECT id, premises_id, resource, zone FROM meters"
                             " WHERE region_id = $1 AND municipality_id = $2"
                             " AND kind = 'individual' AND installed_on <= $3"
                             " AND (removed_on IS NULL OR removed_on >= $4)",
                             p, 4, &rows, e);
        if (rc)
            return rc;
        while (store_next(rows)) {
            int64_t id = store_int(rows, 0), pid = store_int(rows, 1);
            if (pid > max_premises || prem_head[pid] == -2 || id > max_meter)
                continue; /* not a premises of this organization's accounts */
            if (r->nmeters == r->meters_cap)
                break; /* meters added since they were counted wait for the next run */
            struct run_meter *mt = &r->meters[r->nmeters];
            *mt = (struct run_meter){.id = id,
                                     .next = prem_head[pid],
                                     .resource = (uint8_t)run_resource(store_text(rows, 2)),
                                     .zone = (uint8_t)run_zone(store_text(rows, 3))};
            meter_pos[id] = (int32_t)r->nmeters;
            prem_head[pid] = (int32_t)r->nmeters++;
        }
        store_rows_free(rows);
    }
    return 0;
}

static int load_readings(struct run *r, const int32_t *meter_pos, int64_t max_meter, struct err *e)
{
    char from[PERIOD_STR_SIZE];
    int first;
    if (date_period_add_months(r->period, -BILL_HISTORY_MAX, &first) ||
        date_period_format(first, from))
        return err_set(e, ERR_INVALID, "период вне допустимого диапазона");
    for (int m = 0; m < r->nmunicipalities; m++) {
        struct store_val p[] = {SV_I(r->region_id), SV_I(r->municipalities[m]), SV_S(from),
                                SV_S(r->period_text)};
        struct store_rows *rows;
        int rc = store_query(r->c,
                             "SELECT meter_id, period, consumption, months FROM readings"
                             " WHERE region_id = $1 AND municipality_id = $2"
                             " AND period >= $3 AND period <= $4 AND state = 'accepted'",
                             p, 4, &rows, e);
        if (rc)
            return rc;
        while (store_next(rows)) {
            int64_t id = store_int(rows, 0);
            if (id > max_meter || meter_pos[id] < 0)
                continue;
            struct run_meter *mt = &r->meters[meter_pos[id]];
            if (strcmp(store_text(rows, 1), r->period_text) == 0) {
                mt->read = true;
                mt->consumption = store_int(rows, 2);
                mt->months = store_int(rows, 3);
            } else {
                mt->hist_volume += store_int(rows, 2);
                mt->hist_months += store_int(rows, 3);
            }
        }
        store_rows_free(rows);
    }
    return 0;
}

static int max_id(struct run *r, const char *sql, int64_t *out, struct err *e)
{
    return store_query_int(r->c, sql, NULL, 0, out, e);
}

static int load_meter_data(struct run *r, struct err *e)
{
    int64_t max_premises, max_meter;
    int rc;
    if ((rc = max_id(r, "SELECT coalesce(max(id), 0) FROM premises", &max_premises, e)) ||
        (rc = max_id(r, "SELECT coalesce(max(id), 0) FROM meters", &max_meter, e)))
        return rc;
    int32_t *prem_head = malloc(sizeof *prem_head * (size_t)(max_premises + 1));
    int32_t *meter_pos = malloc(sizeof *meter_pos * (size_t)(max_meter + 1));
    int64_t nmeters = 0;
    r->meters = NULL;
    if (!prem_head || !meter_pos)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    else
        rc = store_query_int(r->c, "SELECT count(*) FROM meters WHERE kind = 'individual'", NULL, 0,
                             &nmeters, e);
    if (!rc && !(r->meters = malloc(sizeof *r->meters * (size_t)(nmeters + 1))))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    r->meters_cap = nmeters;
    if (!rc) {
        for (int64_t i = 0; i <= max_premises; i++)
            prem_head[i] = -2; /* -2: not ours; -1: ours, no meter yet */
        memset(meter_pos, 0xff, sizeof *meter_pos * (size_t)(max_meter + 1));
        for (int64_t i = 0; i < r->naccounts; i++)
            if (r->accounts[i].premises_id > 0 && r->accounts[i].premises_id <= max_premises)
                prem_head[r->accounts[i].premises_id] = -1;
        rc = load_meters(r, prem_head, max_premises, meter_pos, max_meter, e);
    }
    phase(r, "meters");
    if (!rc)
        rc = load_readings(r, meter_pos, max_meter, e);
    phase(r, "readings");
    if (!rc)
        for (int64_t i = 0; i < r->naccounts; i++) {
            int64_t pid = r->accounts[i].premises_id;
            r->accounts[i].meters = pid > 0 && pid <= max_premises ? prem_head[pid] : -1;
            if (r->accounts[i].meters < -1)
                r->accounts[i].meters = -1;
        }
    free(prem_head);
    free(meter_pos);
    return rc;
}

static int add_paid(void *arg, const struct pay_sums *x)
{
    struct run *r = arg;
    struct run_account *a = account_by_id(r, x->account_id);
    if (a)
        a->paid = x->net;
    return 0;
}

static int add_paid_by_due(void *arg, const struct pay_sums *x)
{
    struct run *r = arg;
    struct run_account *a = account_by_id(r, x->account_id);
    if (a)
        a->paid_by_due = x->net;
    return 0;
}

/* The period's net payments per account, and of them those dated by the
 * previous document's due date (cashback). */
static int load_payments(struct run *r, struct err *e)
{
    static const struct store_scope system = {.kind = SCOPE_SYSTEM};
    char prev_due[DATE_STR_SIZE];
    date_format(date_civil_from_days(r->prev_due), prev_due);
    int rc = pay_org_sums(r->c, &system, r->q->org_id, r->first_day, r->last_day, add_paid, r, e);
    if (!rc && r->cashback_bp)
        rc = pay_org_sums(r->c, &system, r->q->org_id, r->first_day, prev_due, add_paid_by_due, r,
                          e);
    return rc;
}

/* Accounts that ever paid naming a period: their payments may have left an
 * older period owed whatever the balance says, so their penalties are
 * always worked out (docs/billing.md "Penalties in the run"). */
static int load_named_payments(struct run *r, struct err *e)
{
    struct store_val p[] = {SV_I(r->q->org_id), SV_S(r->last_day)};
    struct store_rows *rows;
    int rc = store_query(r->c,
                         "SELECT DISTINCT account_id FROM payments WHERE org_id = $1"
                         " AND period IS NOT NULL AND paid_on <= $2",
                         p, 2, &rows, e);
    if (rc)
        return rc;
    while (store_next(rows)) {
        struct run_account *a = account_by_id(r, store_int(rows, 0));
        if (a)
            a->named_payments = true;
    }
    store_rows_free(rows);
    return 0;
}

static int load_corrections(struct run *r, struct err *e)
{
    struct store_val p[] = {SV_I(r->q->org_id), SV_S(r->period_text)};
    int64_t n;
    int rc = store_query_int(r->c,
                             "SELECT count(*) FROM corrections WHERE org_id = $1"
                             " AND apply_period = $2",
                             p, 2, &n, e);
    if (rc)
        return rc;
    r->corr = arena_alloc(r->arena, sizeof *r->corr * (size_t)(n + 1));
    if (!r->corr)
        return err_set(e, ERR_NOMEM, "out of memory");
    struct store_rows *rows;
    if ((rc = store_query(r->c,
                          "SELECT id, account_id, service_id, period, quantity, amount"
                          " FROM corrections WHERE org_id = $1 AND apply_period = $2"
                          " ORDER BY account_id, id",
                          p, 2, &rows, e)))
        return rc;
    while (store_next(rows) && r->ncorr < n) {
        struct run_correction *c = &r->corr[r->ncorr];
        int period = 0;
        date_period_parse(store_text(rows, 3), &period, NULL);
        *c = (struct run_correction){store_int(rows, 0), store_int(rows, 1), store_int(rows, 2),
                                     store_int(rows, 4), store_int(rows, 5), period};
        struct run_account *a = account_by_id(r, c->account_id);
        if (!a)
            continue; /* the account closed: its correction waits for a document */
        if (!a->ncorr)
            a->corr = (int32_t)r->ncorr;
        a->ncorr++;
        r->ncorr++;
    }
    store_rows_free(rows);
    return 0;
}

int run_load(struct run *r, struct err *e)
{
    phase(r, "start");
    int rc;
    static const char tariffs_sql[] =
        "SELECT service_id, coalesce(municipality_id, 0), coalesce(house_id, 0), valid_from,"
        " price FROM tariffs WHERE org_id = $1 AND valid_from <= $2"
        " AND (valid_to IS NULL OR valid_to >= $3)";
    static const char norms_sql[] =
        "SELECT service_id, coalesce(municipality_id, 0), coalesce(house_id, 0), valid_from,"
        " per_person FROM norms WHERE org_id = $1 AND valid_from <= $2"
        " AND (valid_to IS NULL OR valid_to >= $3)";
    if ((rc = load_settings(r, e)))
        return rc;
    struct date due = date_period_first_day(r->period + 1),
                prev_due = date_period_first_day(r->period);
    due.d = prev_due.d = r->due_day;
    date_format(due, r->due_on);
    r->prev_due = date_days_from_civil(prev_due);
    if ((rc = load_services(r, e)) || (rc = load_rates(r, tariffs_sql, false, e)) ||
        (rc = load_rates(r, norms_sql, true, e)) || (rc = load_penalty_rules(r, e)) ||
        (rc = load_accounts(r, e)))
        return rc;
    phase(r, "catalogue and accounts");
    if (r->q->progress)
        r->q->progress(r->q->progress_arg, 0, r->naccounts);
    if ((rc = load_previous(r, e)))
        return rc;
    phase(r, "previous statements");
    if ((rc = load_meter_data(r, e)))
        return rc;
    if ((rc = load_payments(r, e)) || (rc = load_named_payments(r, e)) ||
        (rc = load_corrections(r, e)))
        return rc;
    phase(r, "payments and corrections");
    return 0;
}

void run_free(struct run *r)
{
    free(r->accounts);
    free(r->meters);
    free(r->carry);
    free(r->municipalities);
}

int run_load_debts(struct run *r, const struct run_account *acc, struct arena *a,
                   struct alloc_debt **debts, int *ndebts, struct alloc_payment **pays, int *npays,
                   struct err *e)
{
    return bill_account_entries(r->c, acc->id, r->period_text, r->last_day, a, debts, ndebts, pays,
                                npays, e);
}
