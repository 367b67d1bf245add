/* statements.c — scoped reads of runs and statements, corrections and period
 * closing. Queries bind the scope as $1..$4 (reg_scope_bind): region,
 * municipality, organization, resident. */
#include "billing/billing.h"

#include "base/jsonv.h"
#include "registry/registry.h"

#include <stdio.h>
#include <string.h>

/* Runs: of the organization; of organizations based in the territory. */
#define RUN_SCOPE                                                                                  \
    "(br.region_id = $1 OR $1 = 0) AND (CAST($2 AS BIGINT) = 0 OR o.municipality_id = $2)"         \
    " AND (CAST($3 AS BIGINT) = 0 OR br.org_id = $3) AND CAST($4 AS BIGINT) = 0"

/* Accounts billed by the organization; a resident's through their premises. */
#define ACCOUNT_SCOPE                                                                              \
    "(a.region_id = $1 OR $1 = 0) AND (a.municipality_id = $2 OR $2 = 0)"                          \
    " AND (CAST($3 AS BIGINT) = 0 OR a.org_id = $3)"                                               \
    " AND (CAST($4 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM resident_premises rp"                   \
    " WHERE rp.premises_id = a.premises_id AND rp.user_id = $4))"

#define RUN_COLS                                                                                   \
    "br.id, br.region_id, br.org_id, coalesce(br.job_id, 0), o.name, br.period, br.state,"         \
    " br.digest, br.error, br.accounts, br.lines, br.charged, br.started_at,"                      \
    " coalesce(br.finished_at, 0), br.corrected, br.penalty, br.cashback, br.paid,"                \
    " (SELECT count(*) FROM billing_periods bp WHERE bp.org_id = br.org_id"                        \
    " AND bp.period = br.period AND bp.closed_at IS NOT NULL)"

static void read_run(struct store_rows *r, struct arena *a, struct billing_run_info *x)
{
    *x = (struct billing_run_info){.id = store_int(r, 0),
                                   .region_id = store_int(r, 1),
                                   .org_id = store_int(r, 2),
                                   .job_id = store_int(r, 3),
                                   .org_name = store_dup(r, 4, a),
                                   .period = store_dup(r, 5, a),
                                   .state = store_dup(r, 6, a),
                                   .digest = store_dup(r, 7, a),
                                   .error = store_dup(r, 8, a),
                                   .accounts = store_int(r, 9),
                                   .lines = store_int(r, 10),
                                   .charged = store_int(r, 11),
                                   .started_at = store_int(r, 12),
                                   .finished_at = store_int(r, 13),
                                   .corrected = store_int(r, 14),
                                   .penalty = store_int(r, 15),
                                   .cashback = store_int(r, 16),
                                   .paid = store_int(r, 17),
                                   .period_closed = store_int(r, 18) > 0};
}

#define RUN_FILTER                                                                                 \
    RUN_SCOPE " AND (CAST($5 AS BIGINT) = 0 OR br.org_id = $5)"                                    \
              " AND (CAST($6 AS TEXT) IS NULL OR br.period = $6)"                                  \
              " AND (CAST($7 AS TEXT) IS NULL OR br.state = $7)"

int bill_runs_list(struct store_conn *c, const struct store_scope *s, const struct run_filter *f,
                   struct page pg, struct arena *a, struct billing_run_info **items, int64_t *count,
                   int64_t *total, struct err *e)
{
    if (store_scope_check(s, e))
        return e->code;
    struct store_val p[9];
    reg_scope_bind(s, p);
    p[4] = SV_I(f->org_id);
    p[5] = SV_T(f->period);
    p[6] = SV_T(f->state);
    p[7] = SV_I(pg.per_page);
    p[8] = SV_I((pg.page - 1) * pg.per_page);
    int rc = store_query_int(c,
                             "SELECT count(*) FROM billing_runs br JOIN organizations o"
                             " ON o.id = br.org_id WHERE " RUN_FILTER,
                             p, 7, total, e);
    if (rc)
        return rc;
    *items = arena_alloc(a, sizeof **items * (size_t)(pg.per_page ? pg.per_page : 1));
    if (!*items)
        return err_set(e, ERR_NOMEM, "out of memory");
    struct store_rows *rows;
    if ((rc = store_query(c,
                          "SELECT " RUN_COLS " FROM billing_runs br JOIN organizations o"
                          " ON o.id = br.org_id WHERE " RUN_FILTER
                          " ORDER BY br.id DESC LIMIT $8 OFFSET $9",
                          p, 9, &rows, e)))
        return rc;
    *count = 0;
    while (store_next(rows) && *count < pg.per_page)
        read_run(rows, a, &(*items)[(*count)++]);
    store_rows_free(rows);
    return 0;
}

int bill_run_get(struct store_conn *c, const struct store_scope *s, int64_t id, struct arena *a,
                 struct billing_run_info *out, struct err *e)
{
    if (store_scope_check(s, e))
        return e->code;
    struct store_val p[5];
    reg_scope_bind(s, p);
    p[4] = SV_I(id);
    struct store_rows *rows;
    int rc = store_query(c,
                         "SELECT " RUN_COLS " FROM billing_runs br JOIN organizations o"
                         " ON o.id = br.org_id WHERE br.id = $5 AND " RUN_SCOPE,
                         p, 5, &rows, e);
    if (rc)
        return rc;
    bool found = store_next(rows);
    if (found)
        read_run(rows, a, out);
    store_rows_free(rows);
    return found ? 0 : err_set(e, ERR_NOTFOUND, "расчёт не найден");
}

int bill_run_totals(struct store_conn *c, const struct store_scope *s, int64_t run_id,
                    struct arena *a, struct run_total **items, int *n, struct err *e)
{
    struct billing_run_info run;
    int rc = bill_run_get(c, s, run_id, a, &run, e);
    if (rc)
        return rc;
    int prev_period;
    char prev[PERIOD_STR_SIZE] = "";
    if (date_period_parse(run.period, &prev_period, NULL) == 0)
        date_period_format(prev_period - 1, prev);
    struct store_val p[] = {SV_I(run_id), SV_I(run.org_id), SV_S(prev)};
    int64_t count;
    if ((rc = store_query_int(c, "SELECT count(*) FROM billing_run_totals WHERE run_id = $1", p, 1,
                              &count, e)))
        return rc;
    *items = arena_alloc(a, sizeof **items * (size_t)(count + 1));
    if (!*items)
        return err_set(e, ERR_NOMEM, "out of memory");
    struct store_rows *rows;
    if ((rc = store_query(
             c,
             "SELECT t.service_id, s.code, s.name, s.unit, t.lines, t.quantity, t.amount,"
             " t.estimated, (SELECT pt.amount FROM billing_run_totals pt WHERE pt.service_id ="
             " t.service_id AND pt.run_id = (SELECT max(pr.id) FROM billing_runs pr WHERE"
             " pr.org_id = $2 AND pr.period = $3 AND pr.state = 'done'))"
             " FROM billing_run_totals t JOIN services s ON s.id = t.service_id"
             " WHERE t.run_id = $1 ORDER BY s.sort_order, s.id",
             p, 3, &rows, e)))
        return rc;
    *n = 0;
    while (store_next(rows) && *n < count) {
        struct run_total *t = &(*items)[(*n)++];
        *t = (struct run_total){.service_id = store_int(rows, 0),
                                .code = store_dup(rows, 1, a),
                                .name = store_dup(rows, 2, a),
                                .unit = store_dup(rows, 3, a),
                                .lines = store_int(rows, 4),
                                .quantity = store_int(rows, 5),
                                .amount = store_int(rows, 6),
                                .estimated = store_int(rows, 7),
                                .has_prev = !store_isnull(rows, 8),
                                .prev_amount = store_int(rows, 8)};
        int64_t diff = t->amount - t->prev_amount;
        t->deviates = t->has_prev && (diff < 0 ? -diff : diff) * 100 >
                                         (t->prev_amount < 0 ? -t->prev_amount : t->prev_amount) *
                                             BILL_DEVIATION_PCT;
    }
    store_rows_free(rows);
    return 0;
}

/* ---- statements ---- */

#define STATEMENT_COLS                                                                             \
    "st.account_id, st.org_id, st.run_id, st.period, st.due_on, st.opening, st.charged,"           \
    " st.corrected, st.penalty, st.cashback, st.paid, st.closing"

static void read_statement(struct store_rows *r, struct arena *a, struct statement *x)
{
    *x = (struct statement){.account_id = store_int(r, 0),
                            .org_id = store_int(r, 1),
                            .run_id = store_int(r, 2),
                            .period = store_dup(r, 3, a),
                            .due_on = store_dup(r, 4, a),
                            .opening = store_int(r, 5),
                            .charged = store_int(r, 6),
                            .corrected = store_int(r, 7),
                            .penalty = store_int(r, 8),
                            .cashback = store_int(r, 9),
                            .paid = store_int(r, 10),
                            .closing = store_int(r, 11)};
}

/* ERR_NOTFOUND unless the account is visible. */
static int account_visible(struct store_conn *c, const struct store_scope *s, int64_t account_id,
                           struct err *e)
{
    if (store_scope_check(s, e))
        return e->code;
    struct store_val p[5];
    reg_scope_bind(s, p);
    p[4] = SV_I(account_id);
    int64_t n;
    int rc = store_query_int(
        c, "SELECT count(*) FROM accounts a WHERE a.id = $5 AND " ACCOUNT_SCOPE, p, 5, &n, e);
    if (!rc && !n)
        rc = err_set(e, ERR_NOTFOUND, "лицевой счёт не найден");
    return rc;
}

int bill_statements(struct store_conn *c, const struct store_scope *s, int64_t account_id,
                    struct page pg, struct arena *a, struct statement **items, int64_t *count,
                    int64_t *total, struct err *e)
{
    int rc = account_visible(c, s, account_id, e);
    struct store_val p[] = {SV_I(account_id), SV_I(pg.per_page), SV_I((pg.page - 1) * pg.per_page)};
    if (rc || (rc = store_query_int(c, "SELECT count(*) FROM statements WHERE account_id = $1", p,
                                    1, total, e)))
        return rc;
    *items = arena_alloc(a, sizeof **items * (size_t)(pg.per_page ? pg.per_page : 1));
    if (!*items)
        return err_set(e, ERR_NOMEM, "out of memory");
    struct store_rows *rows;
    if ((rc = store_query(c,
                          "SELECT " STATEMENT_COLS " FROM statements st WHERE st.account_id = $1"
                          " ORDER BY st.period DESC LIMIT $2 OFFSET $3",
                          p, 3, &rows, e)))
        return rc;
    *count = 0;
    while (store_next(rows) && *count < pg.per_page)
        read_statement(rows, a, &(*items)[(*count)++]);
    store_rows_free(rows);
    return 0;
}

/* Names the services and the corrections' reasons of the lines. */
static int describe_lines(struct store_conn *c, struct statement *st, struct arena *a,
                          struct err *e)
{
    for (int i = 0; i < st->nlines; i++) {
        struct statement_line *l = &st->lines[i];
        struct store_rows *rows;
        int rc;
        if (l->line.service_id) {
            struct store_val p[] = {SV_I(l->line.service_id)};
            if ((rc = store_query(c, "SELECT code, name, unit FROM services WHERE id = $1", p, 1,
                                  &rows, e)))
                return rc;
            if (store_next(rows)) {
                l->service_code = store_dup(rows, 0, a);
                l->service_name = store_dup(rows, 1, a);
                l->unit = store_dup(rows, 2, a);
            }
            store_rows_free(rows);
        }
        if (l->line.kind == LINE_CORRECTION) {
            struct store_val p[] = {SV_I(l->line.ref)};
            if ((rc = store_query(c, "SELECT reason FROM corrections WHERE id = $1", p, 1, &rows,
                                  e)))
                return rc;
            if (store_next(rows))
                l->reason = store_dup(rows, 0, a);
            store_rows_free(rows);
        }
    }
    return 0;
}

int bill_statement_get(struct store_conn *c, const struct store_scope *s, int64_t account_id,
                       const char *period, struct arena *a, struct statement *out, struct err *e)
{
    int rc = account_visible(c, s, account_id, e);
    if (rc)
        return rc;
    struct store_val p[] = {SV_I(account_id), SV_S(period)};
    struct store_rows *rows;
    if ((rc = store_query(c,
                          "SELECT " STATEMENT_COLS ", st.lines FROM statements st"
                          " WHERE st.account_id = $1 AND st.period = $2",
                          p, 2, &rows, e)))
        return rc;
    const char *text = NULL;
    if (store_next(rows)) {
        read_statement(rows, a, out);
        text = store_dup(rows, 12, a);
    }
    store_rows_free(rows);
    if (!text)
        return err_set(e, ERR_NOTFOUND, "за период %s начислений нет", period);
    struct bill_line *lines;
    if ((rc = bill_lines_unpack(text, a, &lines, &out->nlines, e)))
        return rc;
    out->lines = arena_alloc(a, sizeof *out->lines * (size_t)(out->nlines + 1));
    if (!out->lines)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (int i = 0; i < out->nlines; i++)
        out->lines[i].line = lines[i];
    return describe_lines(c, out, a, e);
}

/* ---- debts ---- */

int bill_account_entries(struct store_conn *c, int64_t account_id, const char *before,
                         const char *until, struct arena *a, struct alloc_debt **debts, int *ndebts,
                         struct alloc_payment **pays, int *npays, struct err *e)
{
    struct store_val p[] = {SV_I(account_id), SV_S(before)};
    struct store_val q[] = {SV_I(account_id), SV_S(until)};
    int64_t nd, np;
    int rc;
    if ((rc = store_query_int(c,
                              "SELECT count(*) FROM statements WHERE account_id = $1"
                              " AND period < $2",
                              p, 2, &nd, e)) ||
        (rc = store_query_int(c,
                              "SELECT count(*) FROM payments WHERE account_id = $1"
                              " AND paid_on <= $2",
                              q, 2, &np, e)))
        return rc;
    *debts = arena_alloc(a, sizeof **debts * (size_t)(nd + 1));
    *pays = arena_alloc(a, sizeof **pays * (size_t)(np + 1));
    if (!*debts || !*pays)
        return err_set(e, ERR_NOMEM, "out of memory");
    struct store_rows *rows;
    if ((rc = store_query(c,
                          "SELECT period, charged + corrected FROM statements"
                          " WHERE account_id = $1 AND period < $2 ORDER BY period",
                          p, 2, &rows, e)))
        return rc;
    *ndebts = 0;
    while (store_next(rows) && *ndebts < nd) {
        struct alloc_debt *d = &(*debts)[(*ndebts)++];
        date_period_parse(store_text(rows, 0), &d->period, NULL);
        d->amount = store_int(rows, 1);
    }
    store_rows_free(rows);
    if ((rc = store_query(c,
                          "SELECT id, kind, paid_on, amount, period, coalesce(reverses, 0)"
                          " FROM payments WHERE account_id = $1 AND paid_on <= $2"
                          " ORDER BY paid_on, id",
                          q, 2, &rows, e)))
        return rc;
    *npays = 0;
    while (store_next(rows) && *npays < np) {
        struct alloc_payment *y = &(*pays)[(*npays)++];
        const char *kind = store_text(rows, 1);
        y->id = store_int(rows, 0);
        y->kind = strcmp(kind, "refund") == 0     ? PAY_REFUND
                  : strcmp(kind, "reversal") == 0 ? PAY_REVERSAL
                                                  : PAY_PAYMENT;
        struct date day;
        y->day = date_parse(store_text(rows, 2), &day, NULL) == 0 ? date_days_from_civil(day) : 0;
        y->amount = store_int(rows, 3);
        if (!store_isnull(rows, 4))
            date_period_parse(store_text(rows, 4), &y->period, NULL);
        y->reverses = store_int(rows, 5);
    }
    store_rows_free(rows);
    return 0;
}

int bill_account_debts(struct store_conn *c, const struct store_scope *s, int64_t account_id,
                       struct arena *a, struct account_debts *out, struct err *e)
{
    int rc = account_visible(c, s, account_id, e);
    struct alloc_payment *pays;
    int np;
    *out = (struct account_debts){0};
    if (rc ||
        (rc = bill_account_entries(c, account_id, "9999-12", "9999-12-31", a, &out->debts,
                                   &out->ndebts, &pays, &np, e)) ||
        (rc = bill_allocate(out->debts, out->ndebts, pays, np, a, &out->parts, &out->nparts, e)))
        return rc;
    return 0;
}

/* ---- corrections ---- */

/* ERR_NOTFOUND unless the caller may write for the organization. */
static int may_write(const struct store_scope *s, int64_t org_id, const char *field, struct err *e)
{
    if (store_scope_check(s, e))
        return e->code;
    if (s->kind == SCOPE_SYSTEM || s->kind == SCOPE_ADMIN ||
        (s->kind == SCOPE_ORG && s->org_id == org_id))
        return 0;
    return err_field(e, ERR_NOTFOUND, field, "не найдено");
}

int bill_lock_org(struct store_conn *c, int64_t org_id, struct err *e)
{
    if (store_conn_backend(c) != STORE_POSTGRES)
        return 0; /* SQLite: BEGIN IMMEDIATE already holds the write lock */
    struct store_val p[] = {SV_I(org_id)};
    int64_t id;
    return store_query_int(c, "SELECT id FROM organizations WHERE id = $1 FOR UPDATE", p, 1, &id,
                           e);
}

int bill_period_closed(struct store_conn *c, int64_t org_id, const char *period, bool *closed,
                       struct err *e)
{
    struct store_val p[] = {SV_I(org_id), SV_S(period)};
    int64_t n;
    int rc = store_query_int(c,
                             "SELECT count(*) FROM billing_periods WHERE org_id = $1"
                             " AND period = $2 AND closed_at IS NOT NULL",
                             p, 2, &n, e);
    *closed = !rc && n;
    return rc;
}

static int correction_check(struct store_conn *c, const struct correction *q, int64_t org_id,
                            struct err *e)
{
    int period, apply;
    if (date_period_parse(q->period, &period, NULL))
        return err_field(e, ERR_INVALID, "period", "ожидается месяц ГГГГ-ММ");
    if (date_period_parse(q->apply_period, &apply, NULL))
        return err_field(e, ERR_INVALID, "apply_period", "ожидается месяц ГГГГ-ММ");
    if (apply <= period)
        return err_field(e, ERR_INVALID, "apply_period",
                         "перерасчёт показывается в периоде после пересчитанного");
    if (!q->amount)
        return err_field(e, ERR_INVALID, "amount", "сумма перерасчёта не может быть нулевой");
    if (!q->reason || !*q->reason)
        return err_field(e, ERR_INVALID, "reason", "укажите основание перерасчёта");
    char first[DATE_STR_SIZE], last[DATE_STR_SIZE];
    date_format(date_period_first_day(apply), first);
    date_format(date_period_last_day(apply), last);
    struct store_val o[] = {SV_I(q->account_id), SV_S(last), SV_S(first)};
    int64_t open;
    int orc = store_query_int(c,
                              "SELECT count(*) FROM accounts WHERE id = $1 AND opened_on <= $2"
                              " AND (closed_on IS NULL OR closed_on >= $3)",
                              o, 3, &open, e);
    if (orc)
        return orc;
    if (!open)
        return err_field(e, ERR_INVALID, "apply_period",
                         "лицевой счёт не открыт в периоде %s: документа, где показать перерасчёт, "
                         "не будет",
                         q->apply_period);
    struct store_val p[] = {SV_I(q->service_id), SV_I(org_id)};
    int64_t n;
    bool closed;
    int rc = store_query_int(c, "SELECT count(*) FROM services WHERE id = $1 AND org_id = $2", p, 2,
                             &n, e);
    if (!rc && !n)
        return err_field(e, ERR_INVALID, "service_id", "у организации счёта нет такой услуги");
    if (!rc && !(rc = bill_period_closed(c, org_id, q->apply_period, &closed, e)) && closed)
        return err_field(e, ERR_CONFLICT, "apply_period", "период %s закрыт", q->apply_period);
    return rc;
}

int bill_correction_add(struct store_conn *c, const struct store_scope *s, struct correction *q,
                        struct err *e)
{
    int rc = account_visible(c, s, q->account_id, e);
    struct store_val p[] = {SV_I(q->account_id)};
    struct store_rows *rows;
    int64_t org_id = 0, region_id = 0;
    if (rc || (rc = store_query(c, "SELECT org_id, region_id FROM accounts WHERE id = $1", p, 1,
                                &rows, e)))
        return rc;
    if (store_next(rows)) {
        org_id = store_int(rows, 0);
        region_id = store_int(rows, 1);
    }
    store_rows_free(rows);
    if ((rc = may_write(s, org_id, "account_id", e)) || (rc = correction_check(c, q, org_id, e)))
        return rc;
    q->created_at = store_now();
    q->created_by = s->user_id;
    struct store_val v[] = {SV_I(region_id),      SV_I(org_id),       SV_I(q->account_id),
                            SV_I(q->service_id),  SV_S(q->period),    SV_S(q->apply_period),
                            SV_I(q->quantity),    SV_I(q->amount),    SV_S(q->reason),
                            SV_ID(q->created_by), SV_I(q->created_at)};
    return store_query_int(c,
                           "INSERT INTO corrections (region_id, org_id, account_id, service_id,"
                           " period, apply_period, quantity, amount, reason, created_by,"
                           " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                           " RETURNING id",
                           v, 11, &q->id, e);
}

int bill_corrections(struct store_conn *c, const struct store_scope *s, int64_t account_id,
                     struct page pg, struct arena *a, struct correction **items, int64_t *count,
                     int64_t *total, struct err *e)
{
    int rc = account_visible(c, s, account_id, e);
    struct store_val p[] = {SV_I(account_id), SV_I(pg.per_page), SV_I((pg.page - 1) * pg.per_page)};
    if (rc || (rc = store_query_int(c, "SELECT count(*) FROM corrections WHERE account_id = $1", p,
                                    1, total, e)))
        return rc;
    *items = arena_alloc(a, sizeof **items * (size_t)(pg.per_page ? pg.per_page : 1));
    if (!*items)
        return err_set(e, ERR_NOMEM, "out of memory");
    struct store_rows *rows;
    if ((rc = store_query(c,
                          "SELECT k.id, k.account_id, k.service_id, k.quantity, k.amount,"
                          " coalesce(k.created_by, 0), k.created_at, k.period, k.apply_period,"
                          " k.reason, s.name FROM corrections k JOIN services s"
                          " ON s.id = k.service_id WHERE k.account_id = $1"
                          " ORDER BY k.id DESC LIMIT $2 OFFSET $3",
                          p, 3, &rows, e)))
        return rc;
    *count = 0;
    while (store_next(rows) && *count < pg.per_page)
        (*items)[(*count)++] = (struct correction){.id = store_int(rows, 0),
                                                   .account_id = store_int(rows, 1),
                                                   .service_id = store_int(rows, 2),
                                                   .quantity = store_int(rows, 3),
                                                   .amount = store_int(rows, 4),
                                                   .created_by = store_int(rows, 5),
                                                   .created_at = store_int(rows, 6),
                                                   .period = store_dup(rows, 7, a),
                                                   .apply_period = store_dup(rows, 8, a),
                                                   .reason = store_dup(rows, 9, a),
                                                   .service_name = store_dup(rows, 10, a)};
    store_rows_free(rows);
    return 0;
}

/* ---- closing ---- */

int bill_period_close(struct store_conn *c, const struct store_scope *s, int64_t org_id,
                      const char *period, struct err *e)
{
    int per;
    int rc = may_write(s, org_id, "org_id", e);
    if (rc)
        return rc;
    if (date_period_parse(period, &per, NULL))
        return err_field(e, ERR_INVALID, "period", "ожидается месяц ГГГГ-ММ");
    struct store_val p[] = {SV_I(org_id), SV_S(period), SV_I(store_now()), SV_ID(s->user_id)};
    int64_t done;
    bool closed;
    if ((rc = bill_lock_org(c, org_id, e)) ||
        (rc = bill_period_closed(c, org_id, period, &closed, e)))
        return rc == ERR_NOTFOUND ? err_field(e, rc, "org_id", "организация не найдена") : rc;
    if (closed)
        return err_field(e, ERR_CONFLICT, "period", "период %s уже закрыт", period);
    if ((rc = store_query_int(c,
                              "SELECT count(*) FROM billing_runs WHERE org_id = $1"
                              " AND period = $2 AND state = 'done'",
                              p, 2, &done, e)))
        return rc;
    if (!done)
        return err_field(e, ERR_CONFLICT, "period",
                         "период %s не рассчитан: закрыть можно только после расчёта", period);
    return store_exec(c,
                      "INSERT INTO billing_periods (org_id, period, closed_at, closed_by)"
                      " VALUES ($1, $2, $3, $4)",
                      p, 4, NULL, e);
}
