/* api_billing_catalog.c — the billing catalogue over HTTP
 * (docs/billing-catalog.md): services, their tariff and norm histories,
 * organizations' billing settings, key rates and penalty regimes. Prices
 * travel as decimal strings in rubles with four decimals ("35.6712"), norms
 * in the unit with three ("6.935"), percents with two ("16.50"), money with
 * two ("300.00"); dates as "YYYY-MM-DD". */
#include "http/http.h"

#include "base/money.h"
#include "billing/billing.h"

#include <string.h>

#define MAX_PRICE 10000000LL /* rubles per unit */
#define MAX_NORM 1000000LL   /* units per person per month */

static const struct store_scope *scope(struct http_req *r)
{
    return &r->session->scope;
}

static json_t *jdecimal(int64_t v, int decimals)
{
    char buf[32];
    bill_decimal_format(v, decimals, buf, sizeof buf);
    return json_string(buf);
}

static json_t *jday(int64_t day)
{
    char buf[DATE_STR_SIZE];
    date_format(date_civil_from_days(day), buf);
    return json_string(buf);
}

/* ---------------------------------------------------------------- services */

static json_t *json_service(struct http_req *r, const struct bill_service *s)
{
    json_t *o =
        json_pack("{s:I, s:I, s:I, s:o, s:s, s:s, s:s, s:s, s:o, s:s, s:I, s:I, s:b}", "id",
                  (json_int_t)s->id, "region_id", (json_int_t)s->region_id, "org_id",
                  (json_int_t)s->org_id, "org_name", http_str(s->org_name), "code", s->code, "name",
                  s->name, "method", s->method, "unit", s->unit, "resource", http_str(s->resource),
                  "zone", s->zone, "raising_pct", (json_int_t)s->raising_pct, "sort_order",
                  (json_int_t)s->sort_order, "archived", s->archived);
    json_object_set_new(o, "created_at", json_string(http_time(r, s->created_at)));
    json_object_set_new(o, "payee_org_id", http_id(s->payee_org_id));
    json_object_set_new(o, "payee_name", http_str(s->payee_name));
    return o;
}

static struct audit_object service_object(const struct bill_service *s)
{
    return (struct audit_object){"service", s->id, s->region_id, 0, s->org_id};
}

int api_services_list(struct http_req *r)
{
    struct field_errors fe = {0};
    struct page pg;
    http_page(r, &pg, &fe);
    struct bill_service_filter f = {.method = http_query(r, "method"), .archived = -1};
    f.org_id = http_query_id(r, "org_id", &fe);
    const char *archived = http_query(r, "archived");
    if (f.method && strcmp(f.method, "area") && strcmp(f.method, "residents") &&
        strcmp(f.method, "meter") && strcmp(f.method, "fixed"))
        fe_add(&fe, "method", "допустимо: area, residents, meter, fixed");
    if (archived && strcmp(archived, "true") && strcmp(archived, "false"))
        fe_add(&fe, "archived", "ожидается true или false");
    else if (archived)
        f.archived = strcmp(archived, "true") == 0;
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct bill_service *items;
    int64_t n, total;
    struct err e = {0};
    if (!c)
        return 0;
    if (bill_service_list(c, scope(r), &f, pg, r->arena, &items, &n, &total, &e))
        return http_error(r, &e);
    json_t *list = json_array();
    for (int64_t i = 0; i < n; i++)
        json_array_append_new(list, json_service(r, &items[i]));
    return http_json(r, 200, http_list(list, pg, total));
}

int api_services_get(struct http_req *r)
{
    struct store_conn *c = http_db(r);
    struct bill_service s;
    struct err e = {0};
    if (!c)
        return 0;
    if (bill_service_get(c, scope(r), r->ids[0], r->arena, &s, &e))
        return http_error(r, &e);
    return http_json(r, 200, json_service(r, &s));
}

int api_services_create(struct http_req *r)
{
    json_t *body = http_body_object(r);
    if (!body)
        return 0;
    struct bill_service s = {.sort_order = -1};
    struct field_errors fe = {0};
    struct jv_field fields[] = {{"org_id", JV_INT, false, 0, &s.org_id},
                                {"code", JV_STRING, true, 32, &s.code},
                                {"name", JV_STRING, false, 200, &s.name},
                                {"method", JV_STRING, false, 16, &s.method},
                                {"unit", JV_STRING, false, 16, &s.unit},
                                {"resource", JV_STRING, false, 16, &s.resource},
                                {"zone", JV_STRING, false, 16, &s.zone},
                                {"raising_pct", JV_INT, false, 0, &s.raising_pct},
                                {"sort_order", JV_INT, false, 0, &s.sort_order},
                                {"payee_org_id", JV_INT, false, 0, &s.payee_org_id},
                                {NULL}};
    jv_read(body, fields, r->arena, &fe);
    json_decref(body);
    if (!fe.n)
        bill_service_check(&s, true, &fe);
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct err e = {0};
    if (!c)
        return 0;
    if (store_begin(c, &e) == 0 && bill_service_create(c, scope(r), &s, r->arena, &e) == 0)
        http_audit(r, c, "service.create", service_object(&s),
                   json_pack("{s:s, s:s}", "code", s.code, "method", s.method), &e);
    http_tx_end(c, &e);
    if (e.code || bill_service_get(c, scope(r), s.id, r->arena, &s, &e))
        return http_error(r, &e);
    return http_json(r, 201, json_service(r, &s));
}

int api_services_patch(struct http_req *r)
{
    json_t *body = http_body_object(r);
    struct store_conn *c = body ? http_db(r) : NULL;
    struct bill_service s;
    struct err e = {0};
    if (!c || bill_service_get(c, scope(r), r->ids[0], r->arena, &s, &e)) {
        json_decref(body);
        return c ? http_error(r, &e) : 0;
    }
    static const char *const fixed[] = {"org_id", "code", "method", "resource", "zone", NULL};
    struct field_errors fe = {0};
    for (int i = 0; fixed[i]; i++)
        if (json_object_get(body, fixed[i]))
            fe_add(&fe, fixed[i],
                   "не изменяется после создания: заведите новую услугу, а эту переведите в "
                   "архив (archived)");
    struct jv_field fields[] = {{"name", JV_STRING, false, 200, &s.name},
                                {"unit", JV_STRING, false, 16, &s.unit},
                                {"raising_pct", JV_INT, false, 0, &s.raising_pct},
                                {"sort_order", JV_INT, false, 0, &s.sort_order},
                                {"archived", JV_BOOL, false, 0, &s.archived},
                                {"payee_org_id", JV_INT, false, 0, &s.payee_org_id},
                                {NULL}};
    json_t *rest = json_deep_copy(body);
    for (int i = 0; fixed[i]; i++)
        json_object_del(rest, fixed[i]);
    jv_read(rest, fields, r->arena, &fe);
    json_decref(rest);
    if (!fe.n)
        bill_service_check(&s, false, &fe);
    json_t *changed = json_pack("{s:o}", "changed", json_deep_copy(body));
    json_decref(body);
    if (fe.n) {
        json_decref(changed);
        return http_validation(r, &fe);
    }
    if (store_begin(c, &e) == 0 && bill_service_update(c, scope(r), &s, &e) == 0)
        http_audit(r, c, "service.update", service_object(&s), json_incref(changed), &e);
    http_tx_end(c, &e);
    json_decref(changed);
    if (e.code || bill_service_get(c, scope(r), s.id, r->arena, &s, &e))
        return http_error(r, &e);
    return http_json(r, 200, json_service(r, &s));
}

/* ---------------------------------------------------------------- tariffs and norms */

static const char *value_name(enum bill_rate_kind k)
{
    return k == BILL_TARIFF ? "price" : "per_person";
}

static json_t *json_rate(struct http_req *r, enum bill_rate_kind k, const struct bill_rate *t)
{
    const char *scope = t->house_id          ? "house"
                        : t->municipality_id ? "municipality"
                                             : "organization";
    json_t *o = json_pack(
        "{s:I, s:I, s:I, s:s, s:o, s:o, s:o, s:o, s:s, s:o}", "id", (json_int_t)t->id, "service_id",
        (json_int_t)t->service_id, "org_id", (json_int_t)t->org_id, "scope", scope,
        "municipality_id", http_id(t->municipality_id), "municipality_name",
        http_str(t->municipality_name), "house_id", http_id(t->house_id), "house_address",
        http_str(t->house_address), "valid_from", t->valid_from, "valid_to", http_str(t->valid_to));
    json_object_set_new(
        o, value_name(k),
        jdecimal(t->value, k == BILL_TARIFF ? BILL_PRICE_DECIMALS : BILL_QTY_DECIMALS));
    json_object_set_new(o, "created_by", http_id(t->created_by));
    json_object_set_new(o, "created_at", json_string(http_time(r, t->created_at)));
    return o;
}

static int rates_list(struct http_req *r, enum bill_rate_kind k)
{
    struct field_errors fe = {0};
    struct page pg;
    http_page(r, &pg, &fe);
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct bill_rate *items;
    int64_t n, total;
    struct err e = {0};
    if (!c)
        return 0;
    if (bill_rate_list(c, scope(r), k, r->ids[0], pg, r->arena, &items, &n, &total, &e))
        return http_error(r, &e);
    json_t *list = json_array();
    for (int64_t i = 0; i < n; i++)
        json_array_append_new(list, json_rate(r, k, &items[i]));
    return http_json(r, 200, http_list(list, pg, total));
}

static int rates_create(struct http_req *r, enum bill_rate_kind k)
{
    json_t *body = http_body_object(r);
    if (!body)
        return 0;
    struct bill_rate t = {.service_id = r->ids[0]};
    const char *value = NULL;
    struct field_errors fe = {0};
    struct jv_field fields[] = {{"valid_from", JV_STRING, true, 10, &t.valid_from},
                                {"valid_to", JV_STRING, false, 10, &t.valid_to},
                                {value_name(k), JV_STRING, true, 32, &value},
                                {"municipality_id", JV_INT, false, 0, &t.municipality_id},
                                {"house_id", JV_INT, false, 0, &t.house_id},
                                {NULL}};
    jv_read(body, fields, r->arena, &fe);
    json_decref(body);
    const char *why = NULL;
    if (value && k == BILL_TARIFF &&
        bill_decimal_parse(value, BILL_PRICE_DECIMALS, MAX_PRICE * 10000, &t.value, &why))
        fe_add(&fe, "price",
               "цена: %s; ожидается число в рублях за единицу, не более 4 знаков "
               "после запятой, например \"35.6712\"",
               why);
    else if (value && k == BILL_NORM &&
             bill_decimal_parse(value, BILL_QTY_DECIMALS, MAX_NORM * 1000, &t.value, &why))
        fe_add(&fe, "per_person",
               "норматив: %s; ожидается число единиц на человека в месяц, "
               "не более 3 знаков после запятой, например \"6.935\"",
               why);
    if (t.municipality_id < 0)
        fe_add(&fe, "municipality_id", "ожидается номер муниципального образования");
    if (t.house_id < 0)
        fe_add(&fe, "house_id", "ожидается номер дома");
    if (t.valid_from)
        bill_rate_check(k, &t, &fe);
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct err e = {0};
    if (!c)
        return 0;
    if (store_begin(c, &e) == 0 && bill_rate_create(c, scope(r), k, &t, r->arena, &e) == 0) {
        struct audit_object obj = {k == BILL_TARIFF ? "tariff" : "norm", t.id, t.region_id, 0,
                                   t.org_id};
        json_t *detail =
            json_pack("{s:I, s:s, s:s, s:o}", "service_id", (json_int_t)t.service_id, "valid_from",
                      t.valid_from, value_name(k), value, "ended", http_id(t.ended));
        http_audit(r, c, k == BILL_TARIFF ? "tariff.create" : "norm.create", obj, detail, &e);
    }
    http_tx_end(c, &e);
    if (e.code)
        return http_error(r, &e);
    return http_json(r, 201, json_rate(r, k, &t));
}

int api_service_tariffs_list(struct http_req *r)
{
    return rates_list(r, BILL_TARIFF);
}

int api_service_tariffs_create(struct http_req *r)
{
    return rates_create(r, BILL_TARIFF);
}

int api_service_norms_list(struct http_req *r)
{
    return rates_list(r, BILL_NORM);
}

int api_service_norms_create(struct http_req *r)
{
    return rates_create(r, BILL_NORM);
}

/* ---------------------------------------------------------------- settings */

static json_t *json_settings(struct http_req *r, int64_t org_id, const struct bill_settings *s)
{
    char cap[MONEY_FMT_SIZE];
    money_format(cap, sizeof cap, s->cashback_cap);
    json_t *o = json_pack("{s:I, s:I, s:b, s:o, s:s}", "org_id", (json_int_t)org_id, "due_day",
                          (json_int_t)s->due_day, "count_payment_day", s->count_payment_day,
                          "cashback_percent", jdecimal(s->cashback_bp, BILL_RATE_DECIMALS),
                          "cashback_cap", cap);
    json_object_set_new(o, "updated_at",
                        s->updated_at ? json_string(http_time(r, s->updated_at)) : json_null());
    return o;
}

int api_billing_settings_get(struct http_req *r)
{
    struct store_conn *c = http_db(r);
    struct bill_settings s;
    struct err e = {0};
    if (!c)
        return 0;
    if (bill_settings_get(c, scope(r), r->ids[0], &s, &e))
        return http_error(r, &e);
    return http_json(r, 200, json_settings(r, r->ids[0], &s));
}

int api_billing_settings_patch(struct http_req *r)
{
    json_t *body = http_body_object(r);
    struct store_conn *c = body ? http_db(r) : NULL;
    struct bill_settings s;
    struct err e = {0};
    if (!c || bill_settings_get(c, scope(r), r->ids[0], &s, &e)) {
        json_decref(body);
        return c ? http_error(r, &e) : 0;
    }
    const char *percent = NULL, *cap = NULL;
    struct field_errors fe = {0};
    struct jv_field fields[] = {{"due_day", JV_INT, false, 0, &s.due_day},
                                {"count_payment_day", JV_BOOL, false, 0, &s.count_payment_day},
                                {"cashback_percent", JV_STRING, false, 16, &percent},
                                {"cashback_cap", JV_STRING, false, 32, &cap},
                                {NULL}};
    jv_read(body, fields, r->arena, &fe);
    json_t *changed = json_pack("{s:o}", "changed", json_deep_copy(body));
    json_decref(body);
    const char *why = NULL;
    if (!fe_has(&fe, "due_day") && (s.due_day < 1 || s.due_day > 28))
        fe_add(&fe, "due_day",
               "день оплаты следующего месяца: от 1 до 28 (в каждом месяце есть такой день)");
    if (percent && bill_decimal_parse(percent, BILL_RATE_DECIMALS, 10000, &s.cashback_bp, &why))
        fe_add(&fe, "cashback_percent",
               "процент кешбэка от 0 до 100, не более 2 знаков после "
               "запятой, например \"1.5\" (%s)",
               why);
    if (cap && (money_parse(cap, &s.cashback_cap, &why) || s.cashback_cap < 0))
        fe_add(&fe, "cashback_cap", "предел кешбэка в рублях, например \"300.00\"%s%s",
               s.cashback_cap < 0 ? "" : ": ", s.cashback_cap < 0 ? "" : why);
    if (fe.n) {
        json_decref(changed);
        return http_validation(r, &fe);
    }
    struct audit_object obj = {"organization", r->ids[0]};
    if (store_begin(c, &e) == 0 && bill_settings_put(c, scope(r), r->ids[0], &s, &e) == 0)
        http_audit(r, c, "billing_settings.update", obj, json_incref(changed), &e);
    http_tx_end(c, &e);
    json_decref(changed);
    if (e.code || bill_settings_get(c, scope(r), r->ids[0], &s, &e))
        return http_error(r, &e);
    return http_json(r, 200, json_settings(r, r->ids[0], &s));
}

/* ---------------------------------------------------------------- key rates, regimes */

int api_key_rates_list(struct http_req *r)
{
    struct field_errors fe = {0};
    struct page pg;
    http_page(r, &pg, &fe);
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct key_rate *items;
    int64_t n, total;
    struct err e = {0};
    if (!c)
        return 0;
    if (bill_key_rate_list(c, scope(r), pg, r->arena, &items, &n, &total, &e))
        return http_error(r, &e);
    json_t *list = json_array();
    for (int64_t i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:o, s:o}", "valid_from", jday(items[i].from),
                                              "rate", jdecimal(items[i].rate_bp, 2)));
    return http_json(r, 200, http_list(list, pg, total));
}

int api_key_rates_create(struct http_req *r)
{
    json_t *body = http_body_object(r);
    if (!body)
        return 0;
    const char *from = NULL, *rate = NULL, *why = NULL;
    struct field_errors fe = {0};
    struct jv_field fields[] = {
        {"valid_from", JV_STRING, true, 10, &from}, {"rate", JV_STRING, true, 16, &rate}, {NULL}};
    jv_read(body, fields, r->arena, &fe);
    json_decref(body);
    struct date d = {0};
    int64_t bp = 0;
    if (from && date_parse(from, &d, &why))
        fe_add(&fe, "valid_from", "%s", why);
    if (rate && bill_decimal_parse(rate, BILL_RATE_DECIMALS, 10000, &bp, &why))
        fe_add(&fe, "rate", "ставка в процентах от 0 до 100, например \"16.5\" (%s)", why);
    if (fe.n)
        return http_validation(r, &fe);
    struct key_rate k = {date_days_from_civil(d), (int)bp};
    struct store_conn *c = http_db(r);
    struct err e = {0};
    if (!c)
        return 0;
    if (store_begin(c, &e) == 0 && bill_key_rate_add(c, scope(r), &k, &e) == 0)
        http_audit(r, c, "key_rate.create", (struct audit_object){"key_rate", 0},
                   json_pack("{s:s, s:s}", "valid_from", from, "rate", rate), &e);
    http_tx_end(c, &e);
    if (e.code)
        return http_error(r, &e);
    return http_json(r, 201,
                     json_pack("{s:o, s:o}", "valid_from", jday(k.from), "rate",
                               jdecimal(k.rate_bp, BILL_RATE_DECIMALS)));
}

int api_penalty_regimes_list(struct http_req *r)
{
    struct field_errors fe = {0};
    struct page pg;
    http_page(r, &pg, &fe);
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct bill_regime *items;
    int64_t n, total;
    struct err e = {0};
    if (!c)
        return 0;
    if (bill_regime_list(c, scope(r), pg, r->arena, &items, &n, &total, &e))
        return http_error(r, &e);
    json_t *list = json_array();
    for (int64_t i = 0; i < n; i++) {
        const struct bill_regime *g = &items[i];
        json_array_append_new(
            list, json_pack("{s:I, s:s, s:s, s:s, s:o, s:s}", "id", (json_int_t)g->id, "kind",
                            g->kind, "date_from", g->date_from, "date_to", g->date_to, "cap",
                            g->cap_bp < 0 ? json_null() : jdecimal(g->cap_bp, BILL_RATE_DECIMALS),
                            "note", g->note));
    }
    return http_json(r, 200, http_list(list, pg, total));
}
