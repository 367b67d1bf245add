/* api_meters.c — meters and organizations' reading settings over HTTP
 * (docs/meters.md). Values travel as decimal strings of the unit with three
 * decimals ("123.456"), dates as "YYYY-MM-DD". */
#include "http/http.h"

#include "base/money.h"
#include "meters/meters.h"

#include <stdio.h>
#include <string.h>

static const struct store_scope *scope(struct http_req *r)
{
    return &r->session->scope;
}

static json_t *jvalue(int64_t v)
{
    char buf[METER_VALUE_SIZE];
    meter_value_format(v, buf);
    return json_string(buf);
}

static json_t *json_meter(struct http_req *r, const struct meter *m)
{
    json_t *o = json_pack(
        "{s:I, s:I, s:I, s:I, s:o, s:I, s:s, s:s, s:s, s:o, s:I, s:I}", "id", (json_int_t)m->id,
        "region_id", (json_int_t)m->region_id, "municipality_id", (json_int_t)m->municipality_id,
        "house_id", (json_int_t)m->house_id, "premises_id", http_id(m->premises_id), "org_id",
        (json_int_t)m->org_id, "kind", m->kind, "resource", m->resource, "zone", m->zone, "serial",
        http_str(m->serial), "digits", (json_int_t)m->digits, "decimals", (json_int_t)m->decimals);
    json_object_set_new(o, "initial_value", jvalue(m->initial_value));
    json_object_set_new(o, "unit", json_string(meter_unit(m->resource)));
    json_object_set_new(o, "installed_on", http_str(m->installed_on));
    json_object_set_new(o, "verified_on", http_str(m->verified_on));
    json_object_set_new(o, "next_verification_on", http_str(m->next_verification_on));
    json_object_set_new(o, "removed_on", http_str(m->removed_on));
    json_object_set_new(o, "status", http_str(m->status));
    json_object_set_new(o, "created_at", json_string(http_time(r, m->created_at)));
    json_object_set_new(o, "updated_at", json_string(http_time(r, m->updated_at)));
    return o;
}

static struct audit_object meter_object(const struct meter *m)
{
    return (struct audit_object){"meter", m->id, m->region_id, m->municipality_id, m->org_id};
}

/* Reads the fields of a meter present in body (all for a new meter); the
 * initial value is parsed after the digits are known. */
static void read_meter(struct http_req *r, json_t *body, struct meter *m, bool create,
                       struct field_errors *fe)
{
    static const char *const fixed[] = {"kind",     "resource", "zone", "premises_id",
                                        "house_id", "org_id",   NULL};
    const char *initial = NULL;
    bool has_initial = false;
    struct jv_field fields[] = {
        {"kind", JV_STRING, create, 16, &m->kind},
        {"resource", JV_STRING, create, 16, &m->resource},
        {"zone", JV_STRING, false, 16, &m->zone},
        {"premises_id", JV_INT, false, 0, &m->premises_id},
        {"house_id", JV_INT, false, 0, &m->house_id},
        {"org_id", JV_INT, false, 0, &m->org_id},
        {"serial", JV_STRING, false, 64, &m->serial},
        {"digits", JV_INT, create, 0, &m->digits},
        {"decimals", JV_INT, false, 0, &m->decimals},
        {"initial_value", JV_STRING, false, 32, &initial, &has_initial},
        {"installed_on", JV_STRING, create, 10, &m->installed_on},
        {"verified_on", JV_STRING, false, 10, &m->verified_on},
        {"next_verification_on", JV_STRING, false, 10, &m->next_verification_on},
        {"removed_on", JV_STRING, false, 10, &m->removed_on},
        {NULL}};
    for (int i = 0; !create && fixed[i]; i++)
        if (json_object_get(body, fixed[i]))
            fe_add(fe, fixed[i], "не изменяется: снимите прибор (removed_on) и заведите новый");
    /* A change reads from "serial" on: the first six fields are fixed at creation. */
    jv_read(body, create ? fields : fields + 6, r->arena, fe);
    const char *why = NULL;
    if (has_initial && initial && meter_value_parse(initial, m->digits, 3, &m->initial_value, &why))
        fe_add(fe, "initial_value", "%s", why);
    else if (has_initial && !initial)
        m->initial_value = 0;
    meter_check(m, fe);
}

int api_meters_list(struct http_req *r)
{
    struct field_errors fe = {0};
    struct page pg;
    http_page(r, &pg, &fe);
    struct meter_filter f = {.kind = http_query(r, "kind"),
                             .resource = http_query(r, "resource"),
                             .status = http_query(r, "status")};
    f.house_id = http_query_id(r, "house_id", &fe);
    f.premises_id = http_query_id(r, "premises_id", &fe);
    f.org_id = http_query_id(r, "org_id", &fe);
    const char *period = http_query(r, "period"), *none = http_query(r, "no_reading"),
               *rejected = http_query(r, "rejected");
    if (f.kind && !meter_kind_valid(f.kind))
        fe_add(&fe, "kind", "допустимо: individual, building");
    if (f.resource && !meter_resource_valid(f.resource))
        fe_add(&fe, "resource", "допустимо: cold_water, hot_water, electricity, heat, gas");
    if (f.status && strcmp(f.status, "active") && strcmp(f.status, "expired") &&
        strcmp(f.status, "removed"))
        fe_add(&fe, "status", "допустимо: active, expired, removed");
    if (period && date_period_parse(period, &f.period, NULL))
        fe_add(&fe, "period", "ожидается месяц ГГГГ-ММ");
    if (none && strcmp(none, "true") && strcmp(none, "false"))
        fe_add(&fe, "no_reading", "ожидается true или false");
    if (rejected && strcmp(rejected, "true") && strcmp(rejected, "false"))
        fe_add(&fe, "rejected", "ожидается true или false");
    f.no_reading = none && strcmp(none, "true") == 0;
    f.rejected = rejected && strcmp(rejected, "true") == 0;
    if ((f.no_reading || f.rejected) && !period)
        fe_add(&fe, "period", "укажите период для no_reading и rejected");
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct meter *items;
    int64_t n, total;
    struct err e = {0};
    if (!c)
        return 0;
    if (meter_list(c, scope(r), &f, pg, r->arena, &items, &n, &total, &e))
        return http_error(r, &e);
    json_t *list = json_array();
    for (int64_t i = 0; i < n; i++)
        json_array_append_new(list, json_meter(r, &items[i]));
    return http_json(r, 200, http_list(list, pg, total));
}

int api_meters_get(struct http_req *r)
{
    struct store_conn *c = http_db(r);
    struct meter m;
    struct err e = {0};
    if (!c)
        return 0;
    if (meter_get(c, scope(r), r->ids[0], r->arena, &m, &e))
        return http_error(r, &e);
    return http_json(r, 200, json_meter(r, &m));
}

int api_meters_create(struct http_req *r)
{
    json_t *body = http_body_object(r);
    if (!body)
        return 0;
    struct meter m = {.zone = "single", .decimals = 3};
    struct field_errors fe = {0};
    read_meter(r, body, &m, true, &fe);
    json_decref(body);
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct err e = {0};
    if (!c)
        return 0;
    if (store_begin(c, &e) == 0 && meter_create(c, scope(r), &m, r->arena, &e) == 0)
        http_audit(r, c, "meter.create", meter_object(&m), NULL, &e);
    http_tx_end(c, &e);
    if (e.code)
        return http_error(r, &e);
    if (meter_get(c, scope(r), m.id, r->arena, &m, &e))
        return http_error(r, &e);
    return http_json(r, 201, json_meter(r, &m));
}

int api_meters_patch(struct http_req *r)
{
    json_t *body = http_body_object(r);
    struct store_conn *c = body ? http_db(r) : NULL;
    struct meter m;
    struct err e = {0};
    if (!c) {
        json_decref(body);
        return 0;
    }
    if (meter_get(c, scope(r), r->ids[0], r->arena, &m, &e)) {
        json_decref(body);
        return http_error(r, &e);
    }
    struct field_errors fe = {0};
    read_meter(r, body, &m, false, &fe);
    json_t *changed = json_pack("{s:o}", "changed", json_deep_copy(body));
    json_decref(body);
    if (fe.n) {
        json_decref(changed);
        return http_validation(r, &fe);
    }
    if (store_begin(c, &e) == 0 && meter_update(c, scope(r), &m, r->arena, &e) == 0)
        http_audit(r, c, "meter.update", meter_object(&m), json_incref(changed), &e);
    http_tx_end(c, &e);
    json_decref(changed);
    if (e.code || meter_get(c, scope(r), m.id, r->arena, &m, &e))
        return http_error(r, &e);
    return http_json(r, 200, json_meter(r, &m));
}

/* ---- reading settings of an organization ---- */

static json_t *json_settings(int64_t org_id, const struct meter_settings *s)
{
    char factor[MONEY_FMT_SIZE];
    money_format(factor, sizeof factor, s->factor_pct);
    return json_pack("{s:I, s:i, s:i, s:s}", "org_id", (json_int_t)org_id, "first_day",
                     s->first_day, "last_day", s->last_day, "implausible_factor", factor);
}

int api_reading_settings_get(struct http_req *r)
{
    struct store_conn *c = http_db(r);
    struct meter_settings s;
    struct err e = {0};
    if (!c)
        return 0;
    if (meter_settings_get(c, scope(r), r->ids[0], &s, &e))
        return http_error(r, &e);
    return http_json(r, 200, json_settings(r->ids[0], &s));
}

int api_reading_settings_patch(struct http_req *r)
{
    json_t *body = http_body_object(r);
    struct store_conn *c = body ? http_db(r) : NULL;
    struct meter_settings s;
    struct err e = {0};
    if (!c || meter_settings_get(c, scope(r), r->ids[0], &s, &e)) {
        json_decref(body);
        return c ? http_error(r, &e) : 0;
    }
    int64_t first = s.first_day, last = s.last_day;
    const char *factor = NULL;
    struct field_errors fe = {0};
    struct jv_field fields[] = {{"first_day", JV_INT, false, 0, &first},
                                {"last_day", JV_INT, false, 0, &last},
                                {"implausible_factor", JV_STRING, false, 16, &factor},
                                {NULL}};
    jv_read(body, fields, r->arena, &fe);
    json_t *changed = json_pack("{s:o}", "changed", json_deep_copy(body));
    json_decref(body);
    int64_t pct = s.factor_pct;
    if (factor && (money_parse(factor, &pct, NULL) || pct > 10000))
        fe_add(&fe, "implausible_factor", "кратность числом, например \"3\" или \"2.5\"");
    s = (struct meter_settings){first >= 1 && first <= 31 ? (int)first : 0,
                                last >= 1 && last <= 31 ? (int)last : 0, (int)pct};
    meter_settings_check(&s, &fe);
    if (fe.n) {
        json_decref(changed);
        return http_validation(r, &fe);
    }
    struct audit_object obj = {"organization", r->ids[0]};
    if (store_begin(c, &e) == 0 && meter_settings_put(c, scope(r), r->ids[0], &s, &e) == 0)
        http_audit(r, c, "reading_settings.update", obj, json_incref(changed), &e);
    http_tx_end(c, &e);
    json_decref(changed);
    return e.code ? http_error(r, &e) : http_json(r, 200, json_settings(r->ids[0], &s));
}
