/* api_billing.c — billing runs, statements, corrections and period closing
 * over HTTP (docs/billing.md "API"). Money travels as decimal ruble strings
 * ("1234.56"), quantities as decimal strings of the unit with three decimals,
 * prices with four. */
#include "http/http.h"

#include "base/money.h"
#include "billing/billing.h"
#include "jobs/jobs.h"

#include <stdio.h>
#include <string.h>

static const struct store_scope *scope(struct http_req *r)
{
    return &r->session->scope;
}

/* A fixed-point decimal: v / 10^places, e.g. 54370, 3 → "54.370". */
static json_t *jfixed(int64_t v, int places)
{
    char buf[48];
    bill_decimal_format(v, places, buf, sizeof buf);
    return json_string(buf);
}

static json_t *json_run(struct http_req *r, const struct billing_run_info *x)
{
    json_t *o =
        json_pack("{s:I, s:I, s:s, s:s, s:o, s:I, s:I, s:o, s:o, s:o}", "id", (json_int_t)x->id,
                  "org_id", (json_int_t)x->org_id, "org_name", x->org_name, "period", x->period,
                  "job_id", http_id(x->job_id), "accounts", (json_int_t)x->accounts, "lines",
                  (json_int_t)x->lines, "charged", http_money(x->charged), "digest",
                  http_str(x->digest), "error", http_str(x->error));
    json_object_set_new(o, "corrected", http_money(x->corrected));
    json_object_set_new(o, "penalty", http_money(x->penalty));
    json_object_set_new(o, "cashback", http_money(x->cashback));
    json_object_set_new(o, "paid", http_money(x->paid));
    json_object_set_new(o, "state", json_string(x->state));
    json_object_set_new(o, "period_closed", json_boolean(x->period_closed));
    json_object_set_new(o, "started_at", json_string(http_time(r, x->started_at)));
    json_object_set_new(o, "finished_at",
                        x->finished_at ? json_string(http_time(r, x->finished_at)) : json_null());
    return o;
}

static bool period_valid(const char *p)
{
    int per;
    return p && date_period_parse(p, &per, NULL) == 0;
}

int api_billing_runs_list(struct http_req *r)
{
    struct field_errors fe = {0};
    struct page pg;
    http_page(r, &pg, &fe);
    struct run_filter f = {.period = http_query(r, "period"), .state = http_query(r, "state")};
    f.org_id = http_query_id(r, "org_id", &fe);
    if (f.period && !period_valid(f.period))
        fe_add(&fe, "period", "ожидается месяц ГГГГ-ММ");
    if (f.state && strcmp(f.state, "running") && strcmp(f.state, "done") &&
        strcmp(f.state, "failed"))
        fe_add(&fe, "state", "допустимо: running, done, failed");
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct billing_run_info *items;
    int64_t n, total;
    struct err e = {0};
    if (!c)
        return 0;
    if (bill_runs_list(c, scope(r), &f, pg, r->arena, &items, &n, &total, &e))
        return http_error(r, &e);
    json_t *list = json_array();
    for (int64_t i = 0; i < n; i++)
        json_array_append_new(list, json_run(r, &items[i]));
    return http_json(r, 200, http_list(list, pg, total));
}

/* The change from prev to amount in percent of |prev|, two decimals, signed
 * ("-12.50"). http_percent rounds a non-negative ratio only: with a negative
 * numerator C's truncating division gave "-29.-99". */
static json_t *jchange(int64_t amount, int64_t prev)
{
    int64_t d = amount - prev;
    json_t *p = http_percent(d < 0 ? -d : d, prev < 0 ? -prev : prev);
    const char *s = json_string_value(p);
    if (d >= 0 || !s || strcmp(s, "0.00") == 0)
        return p;
    char buf[40];
    snprintf(buf, sizeof buf, "-%s", s);
    json_decref(p);
    return json_string(buf);
}

static json_t *json_total(const struct run_total *t)
{
    json_t *o =
        json_pack("{s:I, s:s, s:s, s:s, s:I, s:o, s:o, s:I}", "service_id",
                  (json_int_t)t->service_id, "code", t->code, "name", t->name, "unit", t->unit,
                  "lines", (json_int_t)t->lines, "quantity", jfixed(t->quantity, 3), "amount",
                  http_money(t->amount), "estimated", (json_int_t)t->estimated);
    json_object_set_new(o, "previous_amount",
                        t->has_prev ? http_money(t->prev_amount) : json_null());
    json_object_set_new(o, "change_percent",
                        t->has_prev && t->prev_amount ? jchange(t->amount, t->prev_amount)
                                                      : json_null());
    json_object_set_new(o, "deviates", json_boolean(t->deviates));
    return o;
}

int api_billing_runs_get(struct http_req *r)
{
    struct store_conn *c = http_db(r);
    struct billing_run_info x;
    struct run_total *totals;
    int n;
    struct err e = {0};
    if (!c)
        return 0;
    if (bill_run_get(c, scope(r), r->ids[0], r->arena, &x, &e) ||
        bill_run_totals(c, scope(r), r->ids[0], r->arena, &totals, &n, &e))
        return http_error(r, &e);
    json_t *o = json_run(r, &x), *list = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(list, json_total(&totals[i]));
    json_object_set_new(o, "services", list);
    json_object_set_new(o, "deviation_threshold_percent", json_integer(BILL_DEVIATION_PCT));
    return http_json(r, 200, o);
}

/* {org_id, period}: the caller's organization when org_id is absent. */
static int read_org_period(struct http_req *r, json_t *body, int64_t *org_id, const char **period,
                           struct field_errors *fe)
{
    struct jv_field fields[] = {
        {"org_id", JV_INT, false, 0, org_id}, {"period", JV_STRING, true, 7, period}, {NULL}};
    jv_read(body, fields, r->arena, fe);
    if (!fe->n && !period_valid(*period))
        fe_add(fe, "period", "ожидается месяц ГГГГ-ММ");
    if (!*org_id)
        *org_id = scope(r)->org_id;
    if (!*org_id && !fe->n)
        fe_add(fe, "org_id", "укажите организацию");
    return fe->n;
}

/* Starts the run as a job; 202 with the job to follow. */
int api_billing_runs_create(struct http_req *r)
{
    json_t *body = http_body_object(r);
    if (!body)
        return 0;
    int64_t org_id = 0;
    const char *period = NULL;
    struct field_errors fe = {0};
    read_org_period(r, body, &org_id, &period, &fe);
    json_decref(body);
    if (fe.n)
        return http_validation(r, &fe);
    char payload[96];
    snprintf(payload, sizeof payload, "{\"org_id\": %lld, \"period\": \"%s\"}", (long long)org_id,
             period);
    struct store_conn *c = http_db(r);
    struct err e = {0};
    struct organization org;
    bool closed = false;
    int64_t job_id = 0;
    const char *url;
    /* Another organization's billing is not there for its staff: 404. */
    if (!c || !http_org_job_target(r, c, org_id, &org))
        return 0;
    if (bill_period_closed(c, org_id, period, &closed, &e))
        return http_error(r, &e);
    if (closed)
        return http_error(r, &(struct err){.code = ERR_CONFLICT,
                                           .field = "period",
                                           .msg = "период закрыт: его начисления не меняются"});
    struct job_new j = {.kind = "billing.run",
                        .payload = payload,
                        .priority = 5,
                        .max_attempts = 3,
                        .region_id = org.region_id,
                        .municipality_id = org.municipality_id,
                        .org_id = org_id};
    struct audit_object obj = {"billing_run", 0, org.region_id, org.municipality_id, org_id};
    if (!http_org_job_queue(r, c, &j, "billing.run", obj, json_pack("{s:s}", "period", period),
                            &job_id, &url))
        return 0;
    return http_json(r, 202,
                     json_pack("{s:I, s:I, s:s, s:s}", "job_id", (json_int_t)job_id, "org_id",
                               (json_int_t)org_id, "period", period, "job_url", url));
}

int api_billing_close(struct http_req *r)
{
    json_t *body = http_body_object(r);
    if (!body)
        return 0;
    int64_t org_id = 0;
    const char *period = NULL;
    struct field_errors fe = {0};
    read_org_period(r, body, &org_id, &period, &fe);
    const char *per = period; /* in the request's arena */
    json_decref(body);
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct err e = {0};
    if (!c)
        return 0;
    struct audit_object obj = {"billing_period", org_id, .org_id = org_id};
    if (store_begin(c, &e) == 0 && bill_period_close(c, scope(r), org_id, per, &e) == 0)
        http_audit(r, c, "billing.close", obj, json_pack("{s:s}", "period", per), &e);
    http_tx_end(c, &e);
    if (e.code)
        return http_error(r, &e);
    return http_json(
        r, 200,
        json_pack("{s:I, s:s, s:b}", "org_id", (json_int_t)org_id, "period", per, "closed", 1));
}

/* ---- statements ---- */

static json_t *json_statement(const struct statement *s)
{
    return json_pack("{s:I, s:I, s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                     "account_id", (json_int_t)s->account_id, "org_id", (json_int_t)s->org_id,
                     "run_id", (json_int_t)s->run_id, "period", s->period, "due_on", s->due_on,
                     "opening", http_money(s->opening), "charged", http_money(s->charged),
                     "corrected", http_money(s->corrected), "penalty", http_money(s->penalty),
                     "cashback", http_money(s->cashback), "paid", http_money(s->paid), "closing",
                     http_money(s->closing), "total_due",
                     http_money(s->closing > 0 ? s->closing : 0));
}

/* The line's explanation (bill_line_explain). A reason is at most 500
 * characters (api_corrections_create), so the buffer holds any; a longer one from
 * elsewhere would be cut at a character boundary. */
static json_t *explain(const struct statement_line *sl)
{
    char buf[BILL_EXPLAIN_SIZE + 4 * 500];
    bill_line_explain(&sl->line, sl->reason, buf, sizeof buf);
    return json_string(buf);
}

static json_t *json_line(const struct statement_line *sl)
{
    const struct bill_line *l = &sl->line;
    json_t *o = json_pack(
        "{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "kind", bill_kind_name(l->kind), "method",
        http_str(bill_method_name(l->method)), "service_id", http_id(l->service_id), "service_code",
        http_str(sl->service_code), "service", http_str(sl->service_name), "unit",
        http_str(sl->unit), "amount", http_money(l->amount), "explanation", explain(sl));
    if (l->kind == LINE_CHARGE) {
        json_object_set_new(o, "quantity", jfixed(l->quantity, 3));
        json_object_set_new(o, "tariff", jfixed(l->price, 4));
    }
    if (l->kind == LINE_CHARGE && l->c)
        json_object_set_new(o, "meters", json_integer(l->c));
    if (l->kind == LINE_CHARGE && strchr("VNK", l->method) && l->a)
        json_object_set_new(o, "periods_without_reading", json_integer(l->a));
    if ((l->method == METHOD_NORM || l->method == METHOD_NORM_RAISED) && l->d)
        json_object_set_new(o, "norm", jfixed(l->d, 3));
    char per[PERIOD_STR_SIZE];
    if ((l->kind == LINE_CORRECTION && !date_period_format((int)l->a, per)) ||
        ((l->kind == LINE_PENALTY || l->kind == LINE_CASHBACK) &&
         !date_period_format((int)l->ref, per)))
        json_object_set_new(o, "for_period", json_string(per));
    if (l->kind == LINE_CORRECTION)
        json_object_set_new(o, "correction_id", json_integer(l->ref));
    if (l->kind == LINE_PENALTY) {
        json_object_set_new(o, "base", http_money(l->a));
        json_object_set_new(o, "days_1_300", json_integer(l->b));
        json_object_set_new(o, "days_1_130", json_integer(l->c));
        json_object_set_new(o, "rate_percent", jfixed(l->d, 2));
    }
    return o;
}

int api_account_statements(struct http_req *r)
{
    struct field_errors fe = {0};
    struct page pg;
    http_page(r, &pg, &fe);
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct statement *items;
    int64_t n, total;
    struct err e = {0};
    if (!c)
        return 0;
    if (bill_statements(c, scope(r), r->ids[0], pg, r->arena, &items, &n, &total, &e))
        return http_error(r, &e);
    json_t *list = json_array();
    for (int64_t i = 0; i < n; i++)
        json_array_append_new(list, json_statement(&items[i]));
    return http_json(r, 200, http_list(list, pg, total));
}

int api_account_statement(struct http_req *r)
{
    const char *period = http_query(r, "period");
    if (!period_valid(period)) {
        struct field_errors fe = {0};
        fe_add(&fe, "period", "ожидается месяц ГГГГ-ММ");
        return http_validation(r, &fe);
    }
    struct store_conn *c = http_db(r);
    struct statement st;
    struct err e = {0};
    if (!c)
        return 0;
    if (bill_statement_get(c, scope(r), r->ids[0], period, r->arena, &st, &e))
        return http_error(r, &e);
    json_t *o = json_statement(&st), *lines = json_array();
    for (int i = 0; i < st.nlines; i++)
        json_array_append_new(lines, json_line(&st.lines[i]));
    json_object_set_new(o, "lines", lines);
    return http_json(r, 200, o);
}

/* ---- corrections ---- */

static json_t *json_correction(struct http_req *r, const struct correction *k)
{
    json_t *o = json_pack(
        "{s:I, s:I, s:I, s:o, s:s, s:s, s:o, s:o, s:s}", "id", (json_int_t)k->id, "account_id",
        (json_int_t)k->account_id, "service_id", (json_int_t)k->service_id, "service",
        http_str(k->service_name), "period", k->period, "apply_period", k->apply_period, "quantity",
        jfixed(k->quantity, 3), "amount", http_money(k->amount), "reason", k->reason);
    json_object_set_new(o, "created_at", json_string(http_time(r, k->created_at)));
    return o;
}

int api_corrections_create(struct http_req *r)
{
    json_t *body = http_body_object(r);
    if (!body)
        return 0;
    struct correction k = {0};
    const char *amount = NULL;
    struct field_errors fe = {0};
    struct jv_field fields[] = {{"account_id", JV_INT, true, 0, &k.account_id},
                                {"service_id", JV_INT, true, 0, &k.service_id},
                                {"period", JV_STRING, true, 7, &k.period},
                                {"apply_period", JV_STRING, true, 7, &k.apply_period},
                                {"amount", JV_STRING, true, 24, &amount},
                                {"reason", JV_STRING, true, 500, &k.reason},
                                {NULL}};
    jv_read(body, fields, r->arena, &fe);
    const char *why = NULL;
    if (amount && money_parse(amount, &k.amount, &why))
        fe_add(&fe, "amount", why ? why : "ожидается сумма в рублях");
    if (fe.n) {
        json_decref(body);
        return http_validation(r, &fe);
    }
    json_decref(body);
    struct store_conn *c = http_db(r);
    struct err e = {0};
    if (!c)
        return 0;
    if (store_begin(c, &e) == 0 && bill_correction_add(c, scope(r), &k, &e) == 0)
        http_audit(r, c, "billing.correction", (struct audit_object){"correction", k.id},
                   json_pack("{s:I, s:s, s:I}", "account_id", (json_int_t)k.account_id, "period",
                             k.period, "amount", (json_int_t)k.amount),
                   &e);
    http_tx_end(c, &e);
    if (e.code)
        return http_error(r, &e);
    return http_json(r, 201, json_correction(r, &k));
}

int api_account_corrections(struct http_req *r)
{
    struct field_errors fe = {0};
    struct page pg;
    http_page(r, &pg, &fe);
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct correction *items;
    int64_t n, total;
    struct err e = {0};
    if (!c)
        return 0;
    if (bill_corrections(c, scope(r), r->ids[0], pg, r->arena, &items, &n, &total, &e))
        return http_error(r, &e);
    json_t *list = json_array();
    for (int64_t i = 0; i < n; i++)
        json_array_append_new(list, json_correction(r, &items[i]));
    return http_json(r, 200, http_list(list, pg, total));
}

/* ---- debts: how the account's payments were allocated ---- */

int api_account_debts(struct http_req *r)
{
    struct store_conn *c = http_db(r);
    struct account_debts d;
    struct err e = {0};
    if (!c)
        return 0;
    if (bill_account_debts(c, scope(r), r->ids[0], r->arena, &d, &e))
        return http_error(r, &e);
    json_t *periods = json_array(), *parts = json_array();
    int64_t advance = 0, owed_total = 0;
    char per[PERIOD_STR_SIZE], day[DATE_STR_SIZE];
    for (int i = 0; i < d.ndebts; i++) {
        int64_t paid = 0;
        for (int k = 0; k < d.nparts; k++)
            if (d.parts[k].period == d.debts[i].period)
                paid += d.parts[k].amount;
        int64_t owed = d.debts[i].amount - paid;
        owed_total += owed > 0 ? owed : 0;
        date_period_format(d.debts[i].period, per);
        json_array_append_new(periods,
                              json_pack("{s:s, s:o, s:o, s:o}", "period", per, "billed",
                                        http_money(d.debts[i].amount), "paid", http_money(paid),
                                        "owed", http_money(owed > 0 ? owed : 0)));
    }
    for (int k = 0; k < d.nparts; k++) {
        const struct alloc_part *p = &d.parts[k];
        if (!p->period)
            advance += p->amount;
        if (date_period_format(p->period, per))
            per[0] = '\0';
        date_format(date_civil_from_days(p->day), day);
        json_array_append_new(parts, json_pack("{s:I, s:o, s:s, s:o}", "payment_id",
                                               (json_int_t)p->payment_id, "period",
                                               p->period ? json_string(per) : json_null(),
                                               "paid_on", day, "amount", http_money(p->amount)));
    }
    return http_json(r, 200,
                     json_pack("{s:I, s:o, s:o, s:o, s:o}", "account_id", (json_int_t)r->ids[0],
                               "periods", periods, "owed", http_money(owed_total), "advance",
                               http_money(advance), "allocations", parts));
}
