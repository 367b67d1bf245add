/* run.c — the billing run of one organization and period (docs/billing.md
 * "Charging rules"): loads the period (run_load.c), computes each open
 * account's statement here, and writes them all in one transaction
 * (run_write.c) with the run's row, so a failed or killed run leaves the
 * period as it was. The digest over every statement written shows that a
 * re-run over the same data wrote the same statements. */
#include "billing/run_impl.h"

#include "base/log.h"
#include "base/money.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PENALTY_LINES_MAX 240 /* debt periods shown on one statement (20 years) */
#define PROGRESS_EVERY 20000

/* The row in force for the account: house over municipality over the
 * organization, then the latest valid_from. NULL: none. */
static const struct rate_row *resolve(const struct rate_row *rows, int n,
                                      const struct run_account *a)
{
    const struct rate_row *best = NULL;
    int best_level = -1;
    for (int i = 0; i < n; i++) {
        const struct rate_row *t = &rows[i];
        int level = t->house_id          ? (t->house_id == a->house_id ? 2 : -1)
                    : t->municipality_id ? (t->municipality_id == a->municipality_id ? 1 : -1)
                                         : 0;
        if (level > best_level ||
            (level >= 0 && level == best_level && t->valid_from > best->valid_from)) {
            best = t;
            best_level = level;
        }
    }
    return best;
}

static int method_rank(char m)
{
    return m == METHOD_METER ? 0 : m == METHOD_AVERAGE ? 1 : m == METHOD_NORM ? 2 : 3;
}

static struct run_carry carry_of(const struct run *r, const struct run_account *a,
                                 int64_t service_id)
{
    for (int i = 0; i < a->ncarry; i++)
        if (r->carry[a->carry + i].service_id == service_id)
            return r->carry[a->carry + i];
    return (struct run_carry){service_id, 0, 0};
}

static int64_t norm_of(const struct run_service *s, const struct run_account *a)
{
    const struct rate_row *n = resolve(s->norms, s->nnorms, a);
    return n ? n->value : -1;
}

static int no_norm(struct err *e, const struct run_service *s, const struct run_account *a)
{
    return err_set(e, ERR_INVALID,
                   "услуга %lld: нет норматива потребления для лицевого счёта %lld (дом %lld)",
                   (long long)s->id, (long long)a->id, (long long)a->house_id);
}

/* Whether a meter service applies to the account: a day or night service
 * only where the premises has a meter of that zone; the single-rate one
 * only where it has no zoned meter of the resource. */
static bool zone_applies(const struct run *r, const struct run_account *a,
                         const struct run_service *s)
{
    bool zoned = false, this_zone = false;
    for (int32_t m = a->meters; m >= 0; m = r->meters[m].next)
        if (r->meters[m].resource == s->resource && r->meters[m].zone) {
            zoned = true;
            this_zone |= r->meters[m].zone == s->zone;
        }
    return s->zone ? this_zone : !zoned;
}

/* The quantity of a meter service (docs/billing.md "the estimation chain"). */
static int meter_line(const struct run *r, const struct run_account *a, const struct run_service *s,
                      struct bill_line *l, struct err *e)
{
    struct run_carry prev = carry_of(r, a, s->id);
    struct estimate_in in = {.has_meter = true,
                             .streak = prev.streak,
                             .residents = a->residents,
                             .norm = norm_of(s, a),
                             .raising_pct = s->raising_pct};
    struct estimate_out out;
    int64_t volume = 0, estimated = 0, meters = 0, covers = INT64_MAX;
    bool all_read = true, need_norm = false;
    for (int32_t m = a->meters; m >= 0; m = r->meters[m].next) {
        const struct run_meter *mt = &r->meters[m];
        if (mt->resource != s->resource || mt->zone != s->zone)
            continue;
        meters++;
        in.has_reading = mt->read;
        in.reading_volume = mt->consumption;
        in.history_volume = mt->hist_volume;
        in.history_months = mt->hist_months;
        int rc = bill_estimate(&in, &out, e);
        if (rc)
            return rc == ERR_INVALID && in.norm < 0 ? no_norm(e, s, a) : rc;
        if (mt->read && mt->months < covers)
            covers = mt->months;
        need_norm |= out.method == METHOD_NORM;
        all_read &= out.method == METHOD_METER;
        if (out.method != METHOD_METER)
            estimated += out.volume;
        volume += out.volume;
    }
    in = (struct estimate_in){.has_meter = meters > 0,
                              .streak = prev.streak,
                              .residents = a->residents,
                              .norm = in.norm,
                              .raising_pct = s->raising_pct};
    if (!meters || need_norm) { /* п. 42 without a meter; п. 60 after the average */
        if (in.norm < 0)
            return no_norm(e, s, a);
        int rc = bill_estimate(&in, &out, e);
        if (rc)
            return rc;
        *l = (struct bill_line){.method = out.method, .quantity = out.volume, .d = in.norm};
        l->a = meters ? prev.streak + 1 : 0;
        l->b = meters ? prev.estimated + out.volume : 0;
    } else if (all_read) {
        /* п. 61: readings covering every period billed by estimate since the
         * last reading correct what was estimated; readings covering fewer
         * (an earlier period's reading entered late) leave it to a correction. */
        bool corrects = prev.streak && covers - 1 >= prev.streak;
        *l = (struct bill_line){.method = METHOD_METER,
                                .quantity = volume - (corrects ? prev.estimated : 0)};
    } else {
        *l = (struct bill_line){.method = METHOD_AVERAGE,
                                .quantity = volume,
                                .a = prev.streak + 1,
                                .b = prev.estimated + estimated};
    }
    l->c = meters;
    return 0;
}

/* Wastewater: the account's cold and hot water lines of this organization. */
static int wastewater_line(const struct run *r, const struct run_account *a,
                           const struct run_service *s, const struct bill_line *lines, int n,
                           struct bill_line *l, struct err *e)
{
    int found = 0;
    *l = (struct bill_line){.method = METHOD_METER};
    for (int i = 0; i < n; i++)
        for (int k = 0; k < r->nservices; k++) {
            const struct run_service *w = &r->services[k];
            if (w->id != lines[i].service_id || w->zone ||
                (w->resource != RES_COLD && w->resource != RES_HOT))
                continue;
            found++;
            /* The raising coefficient is the water's (п. 42), not the drain's:
             * a raised line adds its norm × residents. */
            l->quantity += lines[i].method == METHOD_NORM_RAISED ? lines[i].d * a->residents
                                                                 : lines[i].quantity;
            if (method_rank(lines[i].method) > method_rank(l->method))
                l->method = lines[i].method == METHOD_NORM_RAISED ? METHOD_NORM : lines[i].method;
        }
    if (found)
        return 0;
    struct estimate_in in = {
        .residents = a->residents, .norm = norm_of(s, a), .raising_pct = s->raising_pct};
    struct estimate_out out;
    if (in.norm < 0)
        return no_norm(e, s, a);
    int rc = bill_estimate(&in, &out, e);
    *l = (struct bill_line){.method = out.method, .quantity = out.volume, .d = in.norm};
    return rc;
}

static int charge_lines(struct run *r, const struct run_account *a, struct bill_line *lines, int *n,
                        struct err *e)
{
    for (int pass = 0; pass < 2; pass++) /* wastewater after the water it follows */
        for (int k = 0; k < r->nservices; k++) {
            struct run_service *s = &r->services[k];
            if ((s->resource == RES_WASTEWATER) != (pass == 1))
                continue;
            const struct rate_row *t = resolve(s->tariffs, s->ntariffs, a);
            if (!t || (s->method == METHOD_METER && !zone_applies(r, a, s)))
                continue;
            struct bill_line *l = &lines[*n];
            int rc = 0;
            if (s->method == METHOD_AREA)
                *l = (struct bill_line){.method = METHOD_AREA, .quantity = a->area * 10};
            else if (s->method == METHOD_RESIDENTS)
                *l = (struct bill_line){.method = METHOD_RESIDENTS,
                                        .quantity = a->residents * BILL_QTY_SCALE};
            else if (s->method == METHOD_FIXED)
                *l = (struct bill_line){.method = METHOD_FIXED, .quantity = BILL_QTY_SCALE};
            else if (s->resource == RES_WASTEWATER)
                rc = wastewater_line(r, a, s, lines, *n, l, e);
            else
                rc = meter_line(r, a, s, l, e);
            if (rc)
                return rc;
            l->kind = LINE_CHARGE;
            l->service_id = s->id;
            l->price = t->value;
            if ((rc = bill_amount(l->quantity, l->price, &l->amount)))
                return err_set(e, rc, "услуга %lld, лицевой счёт %lld: сумма вне диапазона",
                               (long long)s->id, (long long)a->id);
            s->lines++;
            s->quantity += l->quantity;
            s->amount += l->amount;
            s->estimated += l->method != METHOD_METER && s->method == METHOD_METER;
            (*n)++;
        }
    return 0;
}

static void correction_lines(const struct run *r, const struct run_account *a,
                             struct bill_line *lines, int *n)
{
    for (int i = 0; i < a->ncorr; i++) {
        const struct run_correction *c = &r->corr[a->corr + i];
        lines[(*n)++] = (struct bill_line){.kind = LINE_CORRECTION,
                                           .method = METHOD_NONE,
                                           .service_id = c->service_id,
                                           .quantity = c->quantity,
                                           .amount = c->amount,
                                           .ref = c->id,
                                           .a = c->period};
    }
}

/* The due day of a period's document: due_day of the next month. */
static int64_t due_of(const struct run *r, int period)
{
    struct date d = date_period_first_day(period + 1);
    d.d = r->due_day;
    return date_days_from_civil(d);
}

/* Penalties for the days of this period on every earlier period still owed
 * (ЖК 155 ч. 14), for an account whose opening balance holds an old debt. */
static int penalty_lines(struct run *r, const struct run_account *a, struct bill_line *lines,
                         int *n, struct err *e)
{
    if (!a->has_prev || a->opening <= 0 || (a->opening - a->prev_billed <= 0 && !a->named_payments))
        return 0;
    struct arena *tmp = arena_new();
    struct alloc_debt *debts;
    struct alloc_payment *pays;
    struct alloc_part *parts;
    int nd, np, nparts, rc;
    if (!tmp)
        return err_set(e, ERR_NOMEM, "out of memory");
    struct alloc_part *mine = NULL; /* the parts of one period, reused for each */
    if (!(rc = run_load_debts(r, a, tmp, &debts, &nd, &pays, &np, e)) &&
        !(rc = bill_allocate(debts, nd, pays, np, tmp, &parts, &nparts, e)) &&
        !(mine = arena_alloc(tmp, sizeof *mine * (size_t)(nparts + 1))))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    for (int i = 0; !rc && i < nd; i++) {
        struct penalty_debt d = {.period = debts[i].period,
                                 .due_day = due_of(r, debts[i].period),
                                 .amount = debts[i].amount};
        /* parts of this period, in allocation order (ascending days) */
        d.nparts = 0;
        for (int k = 0; k < nparts; k++)
            if (parts[k].period == d.period)
                mine[d.nparts++] = parts[k];
        d.parts = mine;
        struct bill_line l;
        if (d.due_day >= r->last || (rc = bill_penalty(&r->pen, &d, r->first, r->last, &l, e)))
            continue;
        if (l.amount == 0)
            continue;
        if (*n >= r->nservices + (int)a->ncorr + PENALTY_LINES_MAX) {
            rc = err_set(e, ERR_INVALID, "лицевой счёт %lld: слишком много периодов долга",
                         (long long)a->id);
            break;
        }
        lines[(*n)++] = l;
    }
    arena_free(tmp);
    return rc;
}

/* Cashback for the previous document paid in full by its due date. */
static void cashback_line(const struct run *r, const struct run_account *a, struct bill_line *lines,
                          int *n)
{
    if (!r->cashback_bp || !a->has_prev || a->opening <= 0 || a->paid_by_due < a->opening)
        return;
    int64_t amount;
    if (money_mul_div_round(a->opening, r->cashback_bp, 10000, &amount))
        return;
    if (r->cashback_cap > 0 && amount > r->cashback_cap)
        amount = r->cashback_cap;
    if (amount > 0)
        lines[(*n)++] = (struct bill_line){.kind = LINE_CASHBACK,
                                           .method = METHOD_NONE,
                                           .amount = -amount,
                                           .ref = r->period - 1,
                                           .a = a->opening,
                                           .b = r->cashback_bp};
}

int run_max_lines(const struct run *r, const struct run_account *a)
{
    return r->nservices + a->ncorr + PENALTY_LINES_MAX + 1;
}

int run_account_lines(struct run *r, const struct run_account *a, struct bill_line *lines, int *n,
                      struct err *e)
{
    *n = 0;
    int rc = charge_lines(r, a, lines, n, e);
    if (!rc) {
        correction_lines(r, a, lines, n);
        rc = penalty_lines(r, a, lines, n, e);
    }
    if (!rc)
        cashback_line(r, a, lines, n);
    return rc;
}

/* ---- the driver ---- */

static int open_run(struct run *r, struct store *st, const struct store_scope *s,
                    const struct billing_run_req *q, struct err *e)
{
    if (store_scope_check(s, e))
        return e->code;
    if (!(s->kind == SCOPE_SYSTEM || s->kind == SCOPE_ADMIN ||
          (s->kind == SCOPE_ORG && s->org_id == q->org_id)))
        return err_field(e, ERR_NOTFOUND, "org_id", "организация не найдена");
    r->q = q;
    r->period = q->period;
    if (date_period_format(q->period, r->period_text) ||
        date_period_format(q->period - 1, r->prev_text))
        return err_field(e, ERR_INVALID, "period", "период вне допустимого диапазона");
    struct date first = date_period_first_day(q->period), last = date_period_last_day(q->period);
    date_format(first, r->first_day);
    date_format(last, r->last_day);
    r->first = date_days_from_civil(first);
    r->last = date_days_from_civil(last);
    if (!(r->arena = arena_new()) || !(r->c = store_acquire(st, e)))
        return r->arena ? e->code : err_set(e, ERR_NOMEM, "out of memory");
    struct store_val p[] = {SV_I(q->org_id)};
    int rc = store_query_int(r->c, "SELECT region_id FROM organizations WHERE id = $1", p, 1,
                             &r->region_id, e);
    if (rc == ERR_NOTFOUND)
        return err_field(e, ERR_NOTFOUND, "org_id", "организация не найдена");
    return rc;
}

/* ERR_CONFLICT when the period is closed. */
static int check_open(struct run *r, struct err *e)
{
    bool closed;
    int rc = bill_period_closed(r->c, r->q->org_id, r->period_text, &closed, e);
    if (!rc && closed)
        rc = err_field(e, ERR_CONFLICT, "period", "период %s закрыт: его начисления не меняются",
                       r->period_text);
    return rc;
}

static void digest_add(crypto_generichash_state *h, const struct run_account *a, const char *text,
                       size_t len)
{
    char head[128];
    int n = snprintf(head, sizeof head, "%lld %lld %lld\n", (long long)a->id, (long long)a->opening,
                     (long long)a->paid);
    crypto_generichash_update(h, (const unsigned char *)head, (size_t)n);
    crypto_generichash_update(h, (const unsigned char *)text, len);
}

static int write_all(struct run *r, struct billing_run_result *out, struct err *e)
{
    struct run_writer *w = NULL;
    int maxl = 0;
    for (int64_t i = 0; i < r->naccounts; i++)
        if (run_max_lines(r, &r->accounts[i]) > maxl)
            maxl = run_max_lines(r, &r->accounts[i]);
    struct bill_line *lines = malloc(sizeof *lines * (size_t)(maxl ? maxl : 1));
    char *text = malloc((size_t)(maxl ? maxl : 1) * BILL_LINE_TEXT_MAX + 1);
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 32);
    crypto_generichash_update(&h, (const unsigned char *)r->due_on, strlen(r->due_on));
    int rc = !lines || !text ? err_set(e, ERR_NOMEM, "out of memory") : run_writer_open(r, &w, e);
    for (int64_t i = 0; !rc && i < r->naccounts; i++) {
        const struct run_account *a = &r->accounts[i];
        int n;
        if ((rc = run_account_lines(r, a, lines, &n, e)))
            break;
        size_t len = bill_lines_write(lines, n, text);
        digest_add(&h, a, text, len);
        r->lines += n;
        if ((rc = run_writer_put(w, a, lines, n, text, e)))
            break;
        if ((i + 1) % PROGRESS_EVERY == 0) {
            if (r->q->progress)
                r->q->progress(r->q->progress_arg, i + 1, r->naccounts);
            if (r->q->cancelled && r->q->cancelled(r->q->progress_arg))
                rc = err_set(e, ERR_CONFLICT, "расчёт отменён");
        }
    }
    if (rc == 0 && r->q->progress) /* the last report: every account done */
        r->q->progress(r->q->progress_arg, r->naccounts, r->naccounts);
    unsigned char bin[32];
    crypto_generichash_final(&h, bin, sizeof bin);
    sodium_bin2hex(out->digest, sizeof out->digest, bin, sizeof bin);
    if (!rc)
        rc = run_writer_finish(w, out->digest, &out->run_id, e);
    if (!rc)
        log_msgf(LOG_DEBUG, "billing run phase", "statements computed and written: %lld",
                 (long long)r->naccounts);
    run_writer_free(w);
    free(lines);
    free(text);
    return rc;
}

/* A failed run is recorded (outside the rolled-back transaction). */
static void record_failure(struct run *r, const struct err *why)
{
    struct err e2 = {0};
    struct store_val p[] = {SV_I(r->region_id),  SV_I(r->q->org_id), SV_S(r->period_text),
                            SV_ID(r->q->job_id), SV_S(why->msg),     SV_I(store_now())};
    if (store_exec(r->c,
                   "INSERT INTO billing_runs (region_id, org_id, period, job_id, state, error,"
                   " started_at, finished_at) VALUES ($1, $2, $3, $4, 'failed', $5, $6, $6)",
                   p, 6, NULL, &e2))
        log_msgf(LOG_WARN, "billing run failure not recorded", "%s", e2.msg);
}

int billing_run(struct store *st, const struct store_scope *s, const struct billing_run_req *q,
                struct billing_run_result *out, struct err *e)
{
    struct run r = {0};
    *out = (struct billing_run_result){0};
    int rc = open_run(&r, st, s, q, e);
    if (!rc && !(rc = check_open(&r, e)))
        rc = run_load(&r, e);
    if (!rc && !(rc = store_begin(r.c, e))) {
        if (!(rc = bill_lock_org(r.c, q->org_id, e)) && !(rc = check_open(&r, e)))
            rc = write_all(&r, out, e);
        if (!rc)
            rc = store_commit(r.c, e);
        if (rc)
            store_rollback(r.c);
    }
    /* Recorded once the organization is known (not a refusal: a closed
     * period, a cancel, another tenant's organization). */
    if (rc && r.c && r.region_id && rc != ERR_CONFLICT && rc != ERR_NOTFOUND)
        record_failure(&r, e);
    if (!rc) {
        out->accounts = r.naccounts;
        out->lines = r.lines;
        out->charged = r.charged;
    }
    store_release(r.c);
    run_free(&r);
    arena_free(r.arena);
    return rc;
}
