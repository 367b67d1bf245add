/* run_write.c — writes a run's statements inside the run's transaction:
 * the period's old statements and cashback go, the run's row comes first (the
 * statements name it), then the statements in batches — SQLite: LITE_ROWS
 * rows per cached INSERT … VALUES (…), (…); PostgreSQL: PG_ROWS rows per
 * INSERT … SELECT FROM unnest() of one array literal per column — and last
 * the run's totals by service. */
#include "billing/run_impl.h"

#include "base/money.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define NCOLS 16
#define LITE_ROWS 100
#define PG_ROWS 5000

static const char insert_one[] =
    "INSERT INTO statements (account_id, period, org_id, region_id, municipality_id, house_id,"
    " run_id, opening, charged, corrected, penalty, cashback, paid, closing, due_on, lines)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";
static const char insert_pg[] =
    "INSERT INTO statements (account_id, period, org_id, region_id, municipality_id, house_id,"
    " run_id, opening, charged, corrected, penalty, cashback, paid, closing, due_on, lines)"
    " SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[],"
    " $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[],"
    " $12::bigint[], $13::bigint[], $14::bigint[], $15::text[], $16::text[])";
static char insert_lite[LITE_ROWS * NCOLS * 8 + 512];
static pthread_once_t lite_once = PTHREAD_ONCE_INIT;

static void build_lite(void)
{
    const char *values = strstr(insert_one, " VALUES ");
    if (store_values_sql(insert_lite, sizeof insert_lite, insert_one, (size_t)(values - insert_one),
                         NCOLS, LITE_ROWS))
        insert_lite[0] = '\0';
}

struct run_writer {
    struct run *r;
    bool pg;
    int64_t run_id;
    int rows;
    /* SQLite: the values, texts copied into pool (offsets fixed at flush) */
    struct store_val vals[LITE_ROWS * NCOLS];
    size_t text_off[LITE_ROWS];
    char *pool;
    size_t pool_len, pool_cap;
    /* PostgreSQL: one array literal per column */
    char *col[NCOLS];
    size_t len[NCOLS], cap[NCOLS];
};

int run_writer_open(struct run *r, struct run_writer **out, struct err *e)
{
    struct run_writer *w = calloc(1, sizeof *w);
    if (!w)
        return err_set(e, ERR_NOMEM, "out of memory");
    *out = w;
    w->r = r;
    w->pg = store_conn_backend(r->c) == STORE_POSTGRES;
    pthread_once(&lite_once, build_lite);
    if (!w->pg && !insert_lite[0])
        return err_set(e, ERR_INVALID, "statements: batch statement too long");
    struct store_val p[] = {SV_I(r->q->org_id), SV_S(r->period_text)};
    struct store_val run[] = {SV_I(r->region_id), SV_I(r->q->org_id), SV_S(r->period_text),
                              SV_ID(r->q->job_id), SV_I(store_now())};
    int rc;
    if ((rc = store_exec(r->c, "DELETE FROM statements WHERE org_id = $1 AND period = $2", p, 2,
                         NULL, e)) ||
        (rc = store_exec(r->c, "DELETE FROM cashback WHERE org_id = $1 AND credit_period = $2", p,
                         2, NULL, e)))
        return rc;
    return store_query_int(r->c,
                           "INSERT INTO billing_runs (region_id, org_id, period, job_id, state,"
                           " started_at) VALUES ($1, $2, $3, $4, 'running', $5) RETURNING id",
                           run, 5, &w->run_id, e);
}

static int pool_add(struct run_writer *w, const char *text, size_t len)
{
    if (w->pool_len + len + 1 > w->pool_cap) {
        size_t cap = w->pool_cap ? w->pool_cap : 65536;
        while (cap < w->pool_len + len + 1)
            cap *= 2;
        char *p = realloc(w->pool, cap);
        if (!p)
            return ERR_NOMEM;
        w->pool = p;
        w->pool_cap = cap;
    }
    memcpy(w->pool + w->pool_len, text, len + 1);
    w->pool_len += len + 1;
    return 0;
}

static int flush_lite(struct run_writer *w, struct err *e)
{
    if (!w->rows)
        return 0;
    int rc = 0;
    for (int i = 0; i < w->rows; i++) { /* texts point into the pool now that it stopped moving */
        w->vals[i * NCOLS + 1] = SV_S(w->r->period_text);
        w->vals[i * NCOLS + 14] = SV_S(w->r->due_on);
        w->vals[i * NCOLS + 15] = SV_S(w->pool + w->text_off[i]);
    }
    if (w->rows == LITE_ROWS)
        rc = store_exec(w->r->c, insert_lite, w->vals, LITE_ROWS * NCOLS, NULL, e);
    else
        for (int i = 0; !rc && i < w->rows; i++)
            rc = store_exec(w->r->c, insert_one, &w->vals[i * NCOLS], NCOLS, NULL, e);
    w->rows = 0;
    w->pool_len = 0;
    return rc;
}

static int flush_pg(struct run_writer *w, struct err *e)
{
    if (!w->rows)
        return 0;
    struct store_val p[NCOLS];
    for (int k = 0; k < NCOLS; k++) {
        if (store_array_close(&w->col[k], &w->len[k], &w->cap[k]))
            return err_set(e, ERR_NOMEM, "out of memory");
        p[k] = SV_S(w->col[k]);
    }
    int rc = store_exec(w->r->c, insert_pg, p, NCOLS, NULL, e);
    for (int k = 0; k < NCOLS; k++)
        w->len[k] = 0;
    w->rows = 0;
    return rc;
}

/* The statement's sums from its lines (docs/billing.md "Statements"). */
static int sums(const struct run_account *a, const struct bill_line *lines, int n, int64_t v[7])
{
    int64_t charged = 0, corrected = 0, penalty = 0, cashback = 0, closing;
    for (int i = 0; i < n; i++) {
        int64_t *to = lines[i].kind == LINE_CHARGE       ? &charged
                      : lines[i].kind == LINE_CORRECTION ? &corrected
                      : lines[i].kind == LINE_PENALTY    ? &penalty
                                                         : &cashback;
        if (money_add(*to, lines[i].amount, to))
            return ERR_INVALID;
    }
    if (money_add(a->opening, charged, &closing) || money_add(closing, corrected, &closing) ||
        money_add(closing, penalty, &closing) || money_add(closing, cashback, &closing) ||
        money_sub(closing, a->paid, &closing))
        return ERR_INVALID;
    int64_t out[7] = {a->opening, charged, corrected, penalty, -cashback, a->paid, closing};
    memcpy(v, out, sizeof out);
    return 0;
}

static int put_cashback(struct run_writer *w, const struct run_account *a,
                        const struct bill_line *l, struct err *e)
{
    char bill[PERIOD_STR_SIZE];
    date_period_format((int)l->ref, bill);
    struct store_val p[] = {
        SV_I(a->id),           SV_S(bill), SV_S(w->r->period_text), SV_I(w->r->q->org_id),
        SV_I(w->r->region_id), SV_I(l->a), SV_I(-l->amount)};
    return store_exec(w->r->c,
                      "INSERT INTO cashback (account_id, bill_period, credit_period, org_id,"
                      " region_id, base, amount) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                      p, 7, NULL, e);
}

int run_writer_put(struct run_writer *w, const struct run_account *a, const struct bill_line *lines,
                   int n, const char *text, struct err *e)
{
    int64_t v[7];
    if (sums(a, lines, n, v))
        return err_set(e, ERR_INVALID, "лицевой счёт %lld: сумма вне диапазона", (long long)a->id);
    w->r->charged += v[1];
    w->r->corrected += v[2];
    w->r->penalty += v[3];
    w->r->cashback += v[4];
    w->r->paid += v[5];
    for (int i = 0; i < n; i++)
        if (lines[i].kind == LINE_CASHBACK) {
            int rc = put_cashback(w, a, &lines[i], e);
            if (rc)
                return rc;
        }
    struct store_val row[NCOLS] = {SV_I(a->id),
                                   SV_S(w->r->period_text),
                                   SV_I(w->r->q->org_id),
                                   SV_I(w->r->region_id),
                                   SV_I(a->municipality_id),
                                   SV_ID(a->house_id),
                                   SV_I(w->run_id),
                                   SV_I(v[0]),
                                   SV_I(v[1]),
                                   SV_I(v[2]),
                                   SV_I(v[3]),
                                   SV_I(v[4]),
                                   SV_I(v[5]),
                                   SV_I(v[6]),
                                   SV_S(w->r->due_on),
                                   SV_S(text)};
    if (w->pg) {
        for (int k = 0; k < NCOLS; k++)
            if (store_array_append(&w->col[k], &w->len[k], &w->cap[k], &row[k], w->rows == 0))
                return err_set(e, ERR_NOMEM, "out of memory");
        return ++w->rows == PG_ROWS ? flush_pg(w, e) : 0;
    }
    w->text_off[w->rows] = w->pool_len;
    if (pool_add(w, text, strlen(text)))
        return err_set(e, ERR_NOMEM, "out of memory");
    memcpy(&w->vals[w->rows * NCOLS], row, sizeof row);
    return ++w->rows == LITE_ROWS ? flush_lite(w, e) : 0;
}

int run_writer_finish(struct run_writer *w, const char *digest, int64_t *run_id, struct err *e)
{
    struct run *r = w->r;
    int rc = w->pg ? flush_pg(w, e) : flush_lite(w, e);
    for (int k = 0; !rc && k < r->nservices; k++) {
        const struct run_service *s = &r->services[k];
        if (!s->lines)
            continue;
        struct store_val p[] = {SV_I(w->run_id),   SV_I(s->id),     SV_I(s->lines),
                                SV_I(s->quantity), SV_I(s->amount), SV_I(s->estimated)};
        rc = store_exec(r->c,
                        "INSERT INTO billing_run_totals (run_id, service_id, lines, quantity,"
                        " amount, estimated) VALUES ($1, $2, $3, $4, $5, $6)",
                        p, 6, NULL, e);
    }
    struct store_val p[] = {
        SV_I(w->run_id),   SV_I(r->naccounts), SV_I(r->lines),   SV_I(r->charged),  SV_S(digest),
        SV_I(store_now()), SV_I(r->corrected), SV_I(r->penalty), SV_I(r->cashback), SV_I(r->paid)};
    if (!rc)
        rc = store_exec(r->c,
                        "UPDATE billing_runs SET state = 'done', accounts = $2, lines = $3,"
                        " charged = $4, digest = $5, finished_at = $6, corrected = $7,"
                        " penalty = $8, cashback = $9, paid = $10 WHERE id = $1",
                        p, 10, NULL, e);
    *run_id = w->run_id;
    return rc;
}

void run_writer_free(struct run_writer *w)
{
    if (!w)
        return;
    for (int k = 0; k < NCOLS; k++)
        free(w->col[k]);
    free(w->pool);
    free(w);
}
