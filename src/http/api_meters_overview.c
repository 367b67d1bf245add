/* api_meters_overview.c — what the web pages show of meters (docs/meters.md "Web pages and
 * export"): the filtered list with each meter's place, latest accepted reading, reading window and
 * the period a reading given now counts for (GET /api/v1/meters/overview); the same list as a CSV
 * or XLSX file (GET /api/v1/meters/export); a meter's refused submissions (GET
 * /api/v1/meters/{id}/rejections). Filters and scope are those of GET /api/v1/meters. */
#include "http/http.h"

#include "meters/overview.h"

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

static json_t *jperiod(struct http_req *r, int period)
{
    return period ? json_string(meter_period_text(r->arena, period)) : json_null();
}

static bool is_bool(const char *s)
{
    return strcmp(s, "true") == 0 || strcmp(s, "false") == 0;
}

/* The filters of GET /api/v1/meters, with the same messages. */
static void read_filter(struct http_req *r, struct meter_filter *f, struct field_errors *fe)
{
    *f = (struct meter_filter){.kind = http_query(r, "kind"),
                               .resource = http_query(r, "resource"),
                               .status = http_query(r, "status")};
    f->house_id = http_query_id(r, "house_id", fe);
    f->premises_id = http_query_id(r, "premises_id", fe);
    f->org_id = http_query_id(r, "org_id", fe);
    const char *period = http_query(r, "period"), *none = http_query(r, "no_reading"),
               *rejected = http_query(r, "rejected");
    if (f->kind && !meter_kind_valid(f->kind))
        fe_add(fe, "kind", "допустимо: individual, building");
    if (f->resource && !meter_resource_valid(f->resource))
        fe_add(fe, "resource", "допустимо: cold_water, hot_water, electricity, heat, gas");
    if (f->status && strcmp(f->status, "active") && strcmp(f->status, "expired") &&
        strcmp(f->status, "removed"))
        fe_add(fe, "status", "допустимо: active, expired, removed");
    if (period && date_period_parse(period, &f->period, NULL))
        fe_add(fe, "period", "ожидается месяц ГГГГ-ММ");
    if (none && !is_bool(none))
        fe_add(fe, "no_reading", "ожидается true или false");
    if (rejected && !is_bool(rejected))
        fe_add(fe, "rejected", "ожидается true или false");
    f->no_reading = none && strcmp(none, "true") == 0;
    f->rejected = rejected && strcmp(rejected, "true") == 0;
    if ((f->no_reading || f->rejected) && !period)
        fe_add(fe, "period", "укажите период для no_reading и rejected");
}

static json_t *json_last(struct http_req *r, const struct meter_row *x)
{
    if (!x->has_last)
        return json_null();
    const struct reading *l = &x->last;
    json_t *o = json_pack("{s:I, s:o, s:o, s:o, s:I, s:b, s:b, s:s, s:s}", "id", (json_int_t)l->id,
                          "period", jperiod(r, l->period), "value", jvalue(l->value), "consumption",
                          jvalue(l->consumption), "months", (json_int_t)l->months, "rollover",
                          l->rollover, "confirmed", l->confirmed, "channel", l->channel,
                          "received_at", http_time(r, l->received_at));
    return o;
}

static json_t *json_row(struct http_req *r, const struct meter_row *x, bool period)
{
    const struct meter *m = &x->m;
    char today[DATE_STR_SIZE];
    date_format(x->today, today);
    json_t *o =
        json_pack("{s:I, s:I, s:I, s:o, s:I, s:s, s:s, s:s, s:o, s:s, s:I, s:I}", "id",
                  (json_int_t)m->id, "municipality_id", (json_int_t)m->municipality_id, "house_id",
                  (json_int_t)m->house_id, "premises_id", http_id(m->premises_id), "org_id",
                  (json_int_t)m->org_id, "kind", m->kind, "resource", m->resource, "zone", m->zone,
                  "serial", http_str(m->serial), "unit", meter_unit(m->resource), "digits",
                  (json_int_t)m->digits, "decimals", (json_int_t)m->decimals);
    json_object_set_new(o, "initial_value", jvalue(m->initial_value));
    json_object_set_new(o, "installed_on", http_str(m->installed_on));
    json_object_set_new(o, "verified_on", http_str(m->verified_on));
    json_object_set_new(o, "next_verification_on", http_str(m->next_verification_on));
    json_object_set_new(o, "removed_on", http_str(m->removed_on));
    json_object_set_new(o, "status", http_str(m->status));
    json_object_set_new(o, "address", http_str(x->address));
    json_object_set_new(o, "premises_number", http_str(x->premises_number));
    json_object_set_new(o, "premises_kind", http_str(x->premises_kind));
    json_object_set_new(o, "org_name", http_str(x->org_name));
    json_object_set_new(o, "last_reading", json_last(r, x));
    json_object_set_new(o, "window",
                        json_pack("{s:i, s:i, s:s}", "first_day", x->window.first_day, "last_day",
                                  x->window.last_day, "timezone", m->timezone));
    json_object_set_new(o, "now",
                        json_pack("{s:s, s:o, s:b}", "date", today, "period",
                                  jperiod(r, x->now_period), "in_window", x->now_in_window));
    json_object_set_new(o, "rejected", period ? json_integer(x->rejected) : json_null());
    return o;
}

int api_meters_overview(struct http_req *r)
{
    struct field_errors fe = {0};
    struct page pg;
    struct meter_filter f;
    http_page(r, &pg, &fe);
    read_filter(r, &f, &fe);
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct meter_row *items;
    int64_t n, total;
    struct err e = {0};
    if (!c)
        return 0;
    if (meter_rows(c, scope(r), &f, pg, store_now(), r->arena, &items, &n, &total, &e))
        return http_error(r, &e);
    json_t *list = json_array();
    for (int64_t i = 0; i < n; i++)
        json_array_append_new(list, json_row(r, &items[i], f.period != 0));
    return http_json(r, 200, http_list(list, pg, total));
}

int api_meters_export(struct http_req *r)
{
    struct field_errors fe = {0};
    struct meter_filter f;
    read_filter(r, &f, &fe);
    const char *format = http_query(r, "format");
    if (!format)
        format = "xlsx";
    bool xlsx = strcmp(format, "xlsx") == 0;
    if (!xlsx && strcmp(format, "csv") != 0)
        fe_add(&fe, "format", "допустимо: csv, xlsx");
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct table *t;
    struct err e = {0};
    if (!c)
        return 0;
    int64_t now = store_now();
    if (meter_rows_table(c, scope(r), &f, now, r->arena, &t, &e))
        return http_error(r, &e);
    char *body = NULL;
    size_t len = 0;
    if (xlsx ? table_xlsx(t, &body, &len, &e) : table_csv(t, &body, &len, &e))
        return http_error(r, &e);
    struct date_local l = {0};
    date_utc_to_local("UTC", now, &l);
    http_header(r, "Content-Disposition",
                arena_printf(r->arena, "attachment; filename=\"meters-%04d%02d%02d.%s\"", l.y, l.m,
                             l.d, format));
    return http_text(r, 200,
                     xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                          : "text/csv; charset=utf-8",
                     body, len);
}

int api_meter_rejections(struct http_req *r)
{
    struct field_errors fe = {0};
    struct page pg;
    http_page(r, &pg, &fe);
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct reading_rejection *items;
    int64_t n, total;
    struct err e = {0};
    if (!c)
        return 0;
    if (meter_rejections(c, scope(r), r->ids[0], pg, r->arena, &items, &n, &total, &e))
        return http_error(r, &e);
    json_t *list = json_array();
    for (int64_t i = 0; i < n; i++) {
        const struct reading_rejection *x = &items[i];
        json_t *o =
            json_pack("{s:I, s:I, s:o, s:o, s:s, s:s, s:s, s:o, s:s}", "id", (json_int_t)x->id,
                      "meter_id", (json_int_t)x->meter_id, "period", jperiod(r, x->period), "value",
                      jvalue(x->value), "channel", x->channel, "rule", x->rule, "message",
                      x->message, "author_id", http_id(x->author_id), "at", http_time(r, x->at));
        json_array_append_new(list, o);
    }
    return http_json(r, 200, http_list(list, pg, total));
}
