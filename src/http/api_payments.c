/* api_payments.c — payments, refunds and reversals over HTTP
 * (docs/payments.md): booking one entry (idempotent by the payer's id,
 * ext_id, or the Idempotency-Key header), the list and one entry, and the
 * bank registry file. Amounts travel as ruble strings with two decimals
 * ("1234.50"), dates as "YYYY-MM-DD", periods as "YYYY-MM". */
#include "http/http.h"

#include "base/money.h"
#include "billing/billing.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct store_scope *scope(struct http_req *r)
{
    return &r->session->scope;
}

static json_t *json_payment(struct http_req *r, const struct payment *x)
{
    char period[PERIOD_STR_SIZE] = "";
    if (x->period)
        date_period_format(x->period, period);
    json_t *o = json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:s, s:s, s:s, s:o}", "id", (json_int_t)x->id,
        "region_id", (json_int_t)x->region_id, "municipality_id", (json_int_t)x->municipality_id,
        "org_id", (json_int_t)x->org_id, "account_id", (json_int_t)x->account_id, "els",
        http_str(x->els), "account_number", http_str(x->account_number), "ext_id", x->ext_id,
        "kind", pay_kind_name(x->kind), "paid_on", x->paid_on, "amount", http_money(x->amount));
    json_object_set_new(o, "period", x->period ? json_string(period) : json_null());
    json_object_set_new(o, "reverses", http_id(x->reverses));
    json_object_set_new(o, "reversed_by", http_id(x->reversed_by));
    json_object_set_new(o, "channel", http_str(x->channel));
    json_object_set_new(o, "source", http_str(x->source));
    json_object_set_new(o, "created_by", http_id(x->created_by));
    json_object_set_new(o, "created_at", json_string(http_time(r, x->created_at)));
    return o;
}

/* An Idempotency-Key usable as ext_id: 1..PAY_EXT_ID_MAX printable ASCII. */
static bool key_valid(const char *k)
{
    size_t n = strlen(k);
    for (size_t i = 0; i < n; i++)
        if (k[i] <= ' ' || k[i] > '~')
            return false;
    return n >= 1 && n <= PAY_EXT_ID_MAX;
}

/* Reads a booking; the amount is a ruble string, or a whole number of rubles. */
static void read_request(struct http_req *r, json_t *body, struct pay_req *q,
                         struct field_errors *fe)
{
    json_t *v = json_object_get(body, "amount");
    if (json_is_integer(v))
        json_object_set_new(
            body, "amount",
            json_string(arena_printf(r->arena, "%lld", (long long)json_integer_value(v))));
    const char *kind = NULL, *amount = NULL, *period = NULL;
    struct jv_field fields[] = {{"account_id", JV_INT, false, 0, &q->account_id},
                                {"els", JV_STRING, false, 64, &q->els},
                                {"account_number", JV_STRING, false, 64, &q->account_number},
                                {"org_id", JV_INT, false, 0, &q->org_id},
                                {"ext_id", JV_STRING, false, PAY_EXT_ID_MAX, &q->ext_id},
                                {"kind", JV_STRING, false, 16, &kind},
                                {"paid_on", JV_STRING, true, 10, &q->paid_on},
                                {"amount", JV_STRING, false, 32, &amount},
                                {"period", JV_STRING, false, 7, &period},
                                {"reverses", JV_INT, false, 0, &q->reverses},
                                {"channel", JV_STRING, false, 16, &q->channel},
                                {NULL}};
    jv_read(body, fields, r->arena, fe);
    if (kind && (pay_kind_parse(kind, &q->kind) || strcmp(kind, pay_kind_name(q->kind)) != 0))
        fe_add(fe, "kind", "допустимо: payment, refund, reversal");
    if (amount && money_parse(amount, &q->amount, NULL))
        fe_add(fe, "amount", "сумма в рублях строкой, например \"1234.50\"");
    else if (!amount && q->kind != PAY_REVERSAL)
        fe_add(fe, "amount", "укажите сумму в рублях, например \"1234.50\"");
    if (period && date_period_parse(period, &q->period, NULL))
        fe_add(fe, "period", "ожидается месяц ГГГГ-ММ");
    const char *key = http_request_header(r, "Idempotency-Key");
    if (key && !key_valid(key))
        fe_add(fe, "Idempotency-Key", "1–%d печатных символов ASCII без пробелов", PAY_EXT_ID_MAX);
    else if (key && q->ext_id && strcmp(key, q->ext_id) != 0)
        fe_add(fe, "Idempotency-Key", "не совпадает с ext_id в теле запроса");
    else if (key)
        q->ext_id = key;
    if (!q->ext_id)
        fe_add(fe, "ext_id",
               "нужен идентификатор платежа: ext_id в теле или заголовок Idempotency-Key");
    if (!fe->n)
        pay_check(q, NULL, fe);
}

static struct audit_object payment_object(const struct payment *x)
{
    return (struct audit_object){"payment", x->id, x->region_id, x->municipality_id, x->org_id};
}

int api_payments_create(struct http_req *r)
{
    json_t *body = http_body_object(r);
    if (!body)
        return 0;
    struct pay_req q = {0};
    struct field_errors fe = {0};
    read_request(r, body, &q, &fe);
    json_decref(body);
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct payment x = {0};
    bool created = false;
    struct err e = {0};
    if (!c)
        return 0;
    if (store_begin(c, &e) == 0 && pay_book(c, scope(r), &q, r->arena, &x, &created, &e) == 0 &&
        created) {
        json_t *detail =
            json_pack("{s:s, s:s, s:I, s:s}", "ext_id", x.ext_id, "kind", pay_kind_name(x.kind),
                      "account_id", (json_int_t)x.account_id, "paid_on", x.paid_on);
        json_object_set_new(detail, "amount", http_money(x.amount));
        http_audit(r, c, "payment.create", payment_object(&x), detail, &e);
    }
    http_tx_end(c, &e);
    if (e.code)
        return http_error(r, &e);
    json_t *o = json_payment(r, &x);
    json_object_set_new(o, "result", json_string(created ? "created" : "existing"));
    return http_json(r, created ? 201 : 200, o);
}

int api_payments_get(struct http_req *r)
{
    struct store_conn *c = http_db(r);
    struct payment x = {0};
    struct err e = {0};
    if (!c)
        return 0;
    if (pay_get(c, scope(r), r->ids[0], r->arena, &x, &e))
        return http_error(r, &e);
    return http_json(r, 200, json_payment(r, &x));
}

/* An optional date argument, YYYY-MM-DD. */
static const char *date_arg(struct http_req *r, const char *name, struct field_errors *fe)
{
    const char *s = http_query(r, name);
    struct date d;
    if (s && date_parse(s, &d, NULL)) {
        fe_add(fe, name, "ожидается дата ГГГГ-ММ-ДД");
        return NULL;
    }
    return s;
}

int api_payments_list(struct http_req *r)
{
    struct field_errors fe = {0};
    struct page pg;
    http_page(r, &pg, &fe);
    struct pay_filter f = {
        .kind = -1, .channel = http_query(r, "channel"), .ext_id = http_query(r, "ext_id")};
    f.account_id = http_query_id(r, "account_id", &fe);
    f.org_id = http_query_id(r, "org_id", &fe);
    f.from = date_arg(r, "from", &fe);
    f.to = date_arg(r, "to", &fe);
    const char *kind = http_query(r, "kind");
    enum payment_kind k;
    if (kind && (pay_kind_parse(kind, &k) || strcmp(kind, pay_kind_name(k)) != 0))
        fe_add(&fe, "kind", "допустимо: payment, refund, reversal");
    else if (kind)
        f.kind = (int)k;
    if (f.channel && !pay_channel_valid(f.channel))
        fe_add(&fe, "channel", "допустимо: bank, app, cash, api");
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct payment *items;
    int64_t n, total;
    struct err e = {0};
    if (!c)
        return 0;
    if (pay_list(c, scope(r), &f, pg, r->arena, &items, &n, &total, &e))
        return http_error(r, &e);
    json_t *list = json_array();
    for (int64_t i = 0; i < n; i++)
        json_array_append_new(list, json_payment(r, &items[i]));
    return http_json(r, 200, http_list(list, pg, total));
}

/* ---- the bank registry (docs/payments.md "Bank registry") ---- */

static json_t *json_import(const struct pay_import_result *res)
{
    json_t *o = json_pack("{s:s?, s:I, s:I, s:I, s:I}", "encoding", res->encoding, "org_id",
                          (json_int_t)res->org_id, "rows", (json_int_t)res->rows, "added",
                          (json_int_t)res->added, "present", (json_int_t)res->present);
    json_object_set_new(o, "paid", http_money(res->paid));
    json_object_set_new(o, "refunded", http_money(res->refunded));
    json_object_set_new(o, "reversed", http_money(res->reversed));
    return o;
}

/* 422 listing the file's errors by LINE:COLUMN. */
static int import_errors(struct http_req *r, const struct pay_import_result *res)
{
    struct field_errors fe = {0};
    for (int i = 0; i < res->nerrors && fe.n < FIELD_ERRORS_MAX; i++)
        http_file_error_at(&fe, res->errors[i].line, res->errors[i].col, res->errors[i].msg);
    if (!fe.n)
        fe_add(&fe, "file", "файл не прочитан");
    return http_validation_with(r, &fe,
                                json_pack("{s:I}", "error_count", (json_int_t)res->error_count));
}

int api_imports_payments(struct http_req *r)
{
    struct field_errors fe = {0};
    int64_t org = http_query_id(r, "org_id", &fe);
    if (!r->body_len)
        fe_add(&fe, "file", "пустой файл: тело запроса — файл CSV");
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    char path[64];
    struct err e = {0};
    if (!c)
        return 0;
    if (http_upload_to_file(r, path, &e))
        return http_error(r, &e);
    struct pay_import_result res = {0};
    struct pay_import_opts o = {.path = path, .org_id = org, .scope = scope(r)};
    int rc = store_begin(c, &e);
    if (rc == 0)
        rc = pay_import_run(c, &o, r->arena, &res, &e);
    if (rc && !e.code)
        e.code = rc;
    if (rc == 0) {
        const char *name = http_query(r, "filename");
        json_t *detail =
            json_pack("{s:s, s:I, s:I, s:I}", "file", name ? name : "загрузка через API", "rows",
                      (json_int_t)res.rows, "added", (json_int_t)res.added, "present",
                      (json_int_t)res.present);
        json_object_set_new(detail, "paid", http_money(res.paid));
        json_object_set_new(detail, "refunded", http_money(res.refunded));
        json_object_set_new(detail, "reversed", http_money(res.reversed));
        http_audit(r, c, "payments.import",
                   (struct audit_object){"payments_import", 0, 0, 0, res.org_id}, detail, &e);
    }
    http_tx_end(c, &e);
    unlink(path);
    if (rc == ERR_INVALID && res.error_count)
        return import_errors(r, &res);
    return e.code ? http_error(r, &e) : http_json(r, 200, json_import(&res));
}
