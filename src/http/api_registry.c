/* api_registry.c — houses, premises, accounts and registry changes over HTTP
 * (docs/registry.md). Areas travel as decimal strings in m² ("52.30"),
 * coordinates as decimal strings in degrees. */
#include "http/http.h"

#include "base/date.h"
#include "base/money.h"
#include "registry/registry.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct store_scope *scope(struct http_req *r)
{
    return &r->session->scope;
}

static json_t *jnum(int64_t v)
{
    return v == REG_NONE ? json_null() : json_integer(v);
}

static json_t *jarea(int64_t v)
{
    char buf[MONEY_FMT_SIZE];
    if (v == REG_NONE || money_format(buf, sizeof buf, v))
        return json_null();
    return json_string(buf);
}

static json_t *jcoord(int64_t e6)
{
    char buf[32];
    if (e6 == REG_NONE)
        return json_null();
    int64_t a = e6 < 0 ? -e6 : e6;
    snprintf(buf, sizeof buf, "%s%lld.%06lld", e6 < 0 ? "-" : "", (long long)(a / 1000000),
             (long long)(a % 1000000));
    return json_string(buf);
}

static json_t *jtext_json(const char *text)
{
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;
    return v ? v : json_null();
}

static json_t *json_house(struct http_req *r, const struct house *h)
{
    json_t *o =
        json_pack("{s:I, s:I, s:I, s:o, s:s, s:s, s:s?, s:s?, s:o, s:o}", "id", (json_int_t)h->id,
                  "region_id", (json_int_t)h->region_id, "municipality_id",
                  (json_int_t)h->municipality_id, "org_id", http_id(h->org_id), "kind", h->kind,
                  "address", h->address, "fias_guid", h->fias_guid, "cadastral_number",
                  h->cadastral_number, "lat", jcoord(h->lat_e6), "lon", jcoord(h->lon_e6));
    json_object_set_new(o, "year_built", jnum(h->year_built));
    json_object_set_new(o, "floors", jnum(h->floors));
    json_object_set_new(o, "entrances", jnum(h->entrances));
    json_object_set_new(o, "nonresidential_count", jnum(h->nonresidential_count));
    json_object_set_new(o, "balconies", jnum(h->balconies));
    json_object_set_new(o, "loggias", jnum(h->loggias));
    json_object_set_new(o, "wall_material",
                        h->wall_material ? json_string(h->wall_material) : json_null());
    json_object_set_new(o, "total_area", jarea(h->total_area));
    json_object_set_new(o, "residential_area", jarea(h->residential_area));
    json_object_set_new(o, "nonresidential_area", jarea(h->nonresidential_area));
    json_object_set_new(o, "common_area", jarea(h->common_area));
    json_object_set_new(o, "emergency", json_boolean(h->emergency));
    json_object_set_new(o, "building_meters", jtext_json(h->building_meters));
    json_object_set_new(o, "systems", jtext_json(h->systems));
    json_object_set_new(o, "extra", jtext_json(h->extra));
    json_object_set_new(o, "created_at", json_string(http_time(r, h->created_at)));
    json_object_set_new(o, "updated_at", json_string(http_time(r, h->updated_at)));
    return o;
}

static json_t *json_right(struct http_req *r, const struct ownership *x)
{
    json_t *o = json_pack(
        "{s:I, s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s?}", "id", (json_int_t)x->id, "owner_kind",
        x->owner_kind, "owner_name", x->owner_name, "owner_inn", x->owner_inn, "right_type",
        x->right_type, "share",
        arena_printf(r->arena, "%lld/%lld", (long long)x->share_num, (long long)x->share_den),
        "reg_number", x->reg_number, "reg_date", x->reg_date, "end_date", x->end_date);
    json_object_set_new(o, "encumbrance",
                        x->encumbrance
                            ? json_pack("{s:s, s:s?, s:s?}", "kind", x->encumbrance, "reg_number",
                                        x->enc_number, "reg_date", x->enc_date)
                            : json_null());
    return o;
}

static json_t *json_account(const struct account *x)
{
    return json_pack("{s:I, s:s?, s:s, s:I, s:s?, s:o, s:o, s:s?, s:I, s:s, s:s?}", "id",
                     (json_int_t)x->id, "els", x->els, "number", x->number, "org_id",
                     (json_int_t)x->org_id, "org_name", x->org_name, "premises_id",
                     http_id(x->premises_id), "house_id", http_id(x->house_id), "payer_name",
                     x->payer_name, "residents", (json_int_t)x->residents, "opened_on",
                     x->opened_on, "closed_on", x->closed_on);
}

static json_t *json_premises(struct http_req *r, const struct premises *p)
{
    json_t *rights = json_array(), *accounts = json_array();
    for (int i = 0; i < p->nrights; i++)
        json_array_append_new(rights, json_right(r, &p->rights[i]));
    for (int i = 0; i < p->naccounts; i++)
        json_array_append_new(accounts, json_account(&p->accounts[i]));
    return json_pack("{s:I, s:I, s:s, s:s, s:o, s:s?, s:o, s:o, s:o, s:o}", "id", (json_int_t)p->id,
                     "house_id", (json_int_t)p->house_id, "number", p->number, "kind", p->kind,
                     "area", jarea(p->area), "cadastral_number", p->cadastral_number, "entrance",
                     jnum(p->entrance), "floor", jnum(p->floor), "rights", rights, "accounts",
                     accounts);
}

/* ---- reading a house from a request body ---- */

enum hf_type {
    HF_STR,
    HF_INT,
    HF_AREA,
    HF_COORD,
    HF_BOOL,
    HF_JSON
};

static const struct {
    const char *name;
    enum hf_type type;
    size_t off;
} house_fields[] = {
#define F(name, type, field)                                                                       \
    {                                                                                              \
        name, type, offsetof(struct house, field)                                                  \
    }
    F("kind", HF_STR, kind),
    F("address", HF_STR, address),
    F("fias_guid", HF_STR, fias_guid),
    F("cadastral_number", HF_STR, cadastral_number),
    F("municipality_id", HF_INT, municipality_id),
    F("org_id", HF_INT, org_id),
    F("lat", HF_COORD, lat_e6),
    F("lon", HF_COORD, lon_e6),
    F("year_built", HF_INT, year_built),
    F("floors", HF_INT, floors),
    F("entrances", HF_INT, entrances),
    F("nonresidential_count", HF_INT, nonresidential_count),
    F("balconies", HF_INT, balconies),
    F("loggias", HF_INT, loggias),
    F("wall_material", HF_STR, wall_material),
    F("total_area", HF_AREA, total_area),
    F("residential_area", HF_AREA, residential_area),
    F("nonresidential_area", HF_AREA, nonresidential_area),
    F("common_area", HF_AREA, common_area),
    F("emergency", HF_BOOL, emergency),
    F("building_meters", HF_JSON, building_meters),
    F("systems", HF_JSON, systems),
    F("extra", HF_JSON, extra),
#undef F
};
#define NFIELDS (sizeof house_fields / sizeof house_fields[0])

/* "55.751244" → 55751244; at most 6 decimals. */
static int parse_coord(const char *s, int64_t *out)
{
    bool neg = *s == '-';
    const char *p = s + neg;
    int64_t whole = 0, frac = 0;
    int digits = 0;
    if (!(*p >= '0' && *p <= '9'))
        return -1;
    while (*p >= '0' && *p <= '9' && whole < 1000)
        whole = whole * 10 + (*p++ - '0');
    if (*p == '.' || *p == ',')
        for (p++; *p >= '0' && *p <= '9' && digits < 6; digits++)
            frac = frac * 10 + (*p++ - '0');
    if (*p)
        return -1;
    while (digits++ < 6)
        frac *= 10;
    *out = (neg ? -1 : 1) * (whole * 1000000 + frac);
    return 0;
}

static void read_field(struct http_req *r, json_t *v, int i, struct house *h,
                       struct field_errors *fe)
{
    const char *name = house_fields[i].name;
    char *at = (char *)h + house_fields[i].off;
    const char *why = NULL;
    switch (house_fields[i].type) {
    case HF_STR:
        if (json_is_null(v))
            *(const char **)at = NULL;
        else if (!json_is_string(v) || !json_string_length(v))
            fe_add(fe, name, "ожидается непустая строка");
        else
            *(const char **)at = arena_strdup(r->arena, json_string_value(v));
        break;
    case HF_INT:
        if (json_is_integer(v))
            *(int64_t *)at = json_integer_value(v);
        else if (json_is_null(v))
            *(int64_t *)at = strcmp(name, "org_id") == 0 ? 0 : REG_NONE;
        else
            fe_add(fe, name, "ожидается целое число");
        break;
    case HF_AREA:
        if (json_is_null(v))
            *(int64_t *)at = REG_NONE;
        else if (!json_is_string(v) || money_parse(json_string_value(v), (int64_t *)at, &why))
            fe_add(fe, name, "ожидается площадь в м² строкой, например \"52.30\"");
        break;
    case HF_COORD:
        if (json_is_null(v))
            *(int64_t *)at = REG_NONE;
        else if (!json_is_string(v) || parse_coord(json_string_value(v), (int64_t *)at))
            fe_add(fe, name, "ожидаются градусы строкой, например \"55.751244\"");
        break;
    case HF_BOOL:
        if (json_is_boolean(v))
            *(bool *)at = json_is_true(v);
        else
            fe_add(fe, name, "ожидается true или false");
        break;
    case HF_JSON: {
        if (json_is_null(v)) {
            *(const char **)at = NULL;
            break;
        }
        if (!json_is_array(v) && !json_is_object(v)) {
            fe_add(fe, name, "ожидается массив или объект JSON");
            break;
        }
        char *text = json_dumps(v, JSON_COMPACT);
        *(const char **)at = text ? arena_strdup(r->arena, text) : NULL;
        free(text);
        break;
    }
    }
}

static void read_house(struct http_req *r, json_t *body, struct house *h, struct field_errors *fe)
{
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        size_t i = 0;
        while (i < NFIELDS && strcmp(house_fields[i].name, key) != 0)
            i++;
        if (i == NFIELDS)
            fe_add(fe, key, "неизвестное поле");
        else
            read_field(r, v, (int)i, h, fe);
    }
    reg_house_check(h, fe);
}

static const struct house empty_house = {.lat_e6 = REG_NONE,
                                         .lon_e6 = REG_NONE,
                                         .year_built = REG_NONE,
                                         .floors = REG_NONE,
                                         .entrances = REG_NONE,
                                         .nonresidential_count = REG_NONE,
                                         .balconies = REG_NONE,
                                         .loggias = REG_NONE,
                                         .total_area = REG_NONE,
                                         .residential_area = REG_NONE,
                                         .nonresidential_area = REG_NONE,
                                         .common_area = REG_NONE};

static struct audit_object house_object(const struct house *h)
{
    return (struct audit_object){"house", h->id, h->region_id, h->municipality_id, h->org_id};
}

/* ---- handlers ---- */

int api_houses_list(struct http_req *r)
{
    struct field_errors fe = {0};
    struct page pg;
    http_page(r, &pg, &fe);
    struct house_filter f = {.q = http_query(r, "q"), .kind = http_query(r, "kind")};
    f.municipality_id = http_query_id(r, "municipality_id", &fe);
    if (f.kind && !reg_house_kind(f.kind))
        fe_add(&fe, "kind", "допустимо: mkd, izd");
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct house *items;
    int64_t n, total;
    struct err e = {0};
    if (!c)
        return 0;
    if (reg_house_list(c, scope(r), &f, pg, r->arena, &items, &n, &total, &e))
        return http_error(r, &e);
    json_t *list = json_array();
    for (int64_t i = 0; i < n; i++)
        json_array_append_new(list, json_house(r, &items[i]));
    return http_json(r, 200, http_list(list, pg, total));
}

int api_houses_get(struct http_req *r)
{
    struct store_conn *c = http_db(r);
    struct house h;
    struct err e = {0};
    if (!c)
        return 0;
    if (reg_house_get(c, scope(r), r->ids[0], r->arena, &h, &e))
        return http_error(r, &e);
    return http_json(r, 200, json_house(r, &h));
}

int api_houses_create(struct http_req *r)
{
    json_t *body = http_body_object(r);
    if (!body)
        return 0;
    struct house h = empty_house;
    struct field_errors fe = {0};
    read_house(r, body, &h, &fe);
    json_decref(body);
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct err e = {0};
    if (!c)
        return 0;
    if (store_begin(c, &e) == 0 && reg_house_create(c, scope(r), &h, r->arena, &e) == 0)
        http_audit(r, c, "house.create", house_object(&h), NULL, &e);
    http_tx_end(c, &e);
    return e.code ? http_error(r, &e) : http_json(r, 201, json_house(r, &h));
}

int api_houses_patch(struct http_req *r)
{
    json_t *body = http_body_object(r);
    struct store_conn *c = body ? http_db(r) : NULL;
    struct house h;
    struct err e = {0};
    if (!c) {
        json_decref(body);
        return 0;
    }
    if (reg_house_get(c, scope(r), r->ids[0], r->arena, &h, &e)) {
        json_decref(body);
        return http_error(r, &e);
    }
    struct field_errors fe = {0};
    read_house(r, body, &h, &fe);
    json_t *changed = json_pack("{s:o}", "changed", json_deep_copy(body));
    json_decref(body);
    if (fe.n) {
        json_decref(changed);
        return http_validation(r, &fe);
    }
    if (store_begin(c, &e) == 0 && reg_house_update(c, scope(r), &h, r->arena, &e) == 0)
        http_audit(r, c, "house.update", house_object(&h), json_incref(changed), &e);
    http_tx_end(c, &e);
    json_decref(changed);
    return e.code ? http_error(r, &e) : http_json(r, 200, json_house(r, &h));
}

int api_house_premises(struct http_req *r)
{
    struct store_conn *c = http_db(r);
    struct premises *items;
    int64_t n;
    struct err e = {0};
    if (!c)
        return 0;
    if (reg_house_premises(c, scope(r), r->ids[0], r->arena, &items, &n, &e))
        return http_error(r, &e);
    json_t *list = json_array();
    for (int64_t i = 0; i < n; i++)
        json_array_append_new(list, json_premises(r, &items[i]));
    struct page pg = {1, n ? n : 1};
    return http_json(r, 200, http_list(list, pg, n));
}

int api_premises_get(struct http_req *r)
{
    struct store_conn *c = http_db(r);
    struct premises p = {0};
    struct err e = {0};
    if (!c)
        return 0;
    if (reg_premises_get(c, scope(r), r->ids[0], r->arena, &p, &e))
        return http_error(r, &e);
    return http_json(r, 200, json_premises(r, &p));
}

int api_accounts_list(struct http_req *r)
{
    struct field_errors fe = {0};
    struct page pg;
    http_page(r, &pg, &fe);
    struct account_filter f = {.q = http_query(r, "q")};
    f.house_id = http_query_id(r, "house_id", &fe);
    f.org_id = http_query_id(r, "org_id", &fe);
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct account *items;
    int64_t n, total;
    struct err e = {0};
    if (!c)
        return 0;
    if (reg_account_list(c, scope(r), &f, pg, r->arena, &items, &n, &total, &e))
        return http_error(r, &e);
    json_t *list = json_array();
    for (int64_t i = 0; i < n; i++)
        json_array_append_new(list, json_account(&items[i]));
    return http_json(r, 200, http_list(list, pg, total));
}

int api_accounts_get(struct http_req *r)
{
    struct store_conn *c = http_db(r);
    struct account x;
    struct err e = {0};
    if (!c)
        return 0;
    if (reg_account_get(c, scope(r), r->ids[0], r->arena, &x, &e))
        return http_error(r, &e);
    return http_json(r, 200, json_account(&x));
}

static void date_arg(struct http_req *r, const char *name, const char **out,
                     struct field_errors *fe)
{
    const char *s = http_query(r, name), *why = NULL;
    struct date d;
    if (s && date_parse(s, &d, &why))
        fe_add(fe, name, "ожидается дата ГГГГ-ММ-ДД");
    else
        *out = s;
}

int api_registry_changes(struct http_req *r)
{
    struct field_errors fe = {0};
    struct page pg;
    http_page(r, &pg, &fe);
    struct change_filter f = {.kind = http_query(r, "kind")};
    date_arg(r, "from", &f.from, &fe);
    date_arg(r, "to", &f.to, &fe);
    if (f.kind && strcmp(f.kind, "owner") != 0 && strcmp(f.kind, "area") != 0)
        fe_add(&fe, "kind", "допустимо: owner, area");
    if (f.from && f.to && strcmp(f.from, f.to) > 0)
        fe_add(&fe, "to", "не раньше даты from");
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct change *items;
    int64_t n, total;
    struct err e = {0};
    if (!c)
        return 0;
    if (reg_change_list(c, scope(r), &f, pg, r->arena, &items, &n, &total, &e))
        return http_error(r, &e);
    json_t *list = json_array();
    for (int64_t i = 0; i < n; i++) {
        const struct change *x = &items[i];
        json_array_append_new(
            list, json_pack("{s:I, s:I, s:I, s:s, s:s?, s:s?, s:s, s:s, s:s}", "id",
                            (json_int_t)x->id, "house_id", (json_int_t)x->house_id, "premises_id",
                            (json_int_t)x->premises_id, "kind", x->kind, "old_value", x->old_value,
                            "new_value", x->new_value, "changed_on", x->changed_on, "source",
                            x->source, "at", http_time(r, x->at)));
    }
    return http_json(r, 200, http_list(list, pg, total));
}

/* ---- reports ---- */

static json_t *json_table(const struct table *t)
{
    json_t *facts = json_object(), *columns = json_array(), *rows = json_array();
    for (int i = 0; i < t->nfacts; i++)
        json_object_set_new(facts, t->fact_names[i], json_string(t->fact_values[i]));
    for (int j = 0; j < t->ncolumns; j++)
        json_array_append_new(columns, json_string(t->columns[j]));
    for (int i = 0; i < t->nrows; i++) {
        json_t *row = json_array();
        for (int j = 0; j < t->ncolumns; j++)
            json_array_append_new(row, json_string(t->rows[i][j]));
        json_array_append_new(rows, row);
    }
    return json_pack("{s:s, s:o, s:o, s:o}", "title", t->title, "facts", facts, "columns", columns,
                     "rows", rows);
}

/* The house named by house_id, cadastral_number or fias_guid. */
static int64_t report_house(struct http_req *r, struct store_conn *c, struct field_errors *fe,
                            struct err *e)
{
    int64_t id = http_query_id(r, "house_id", fe);
    const char *cad = http_query(r, "cadastral_number"), *fias = http_query(r, "fias_guid");
    if (fe->n)
        return 0;
    if (!id && !cad && !fias) {
        fe_add(fe, "house_id", "укажите house_id, cadastral_number или fias_guid");
        return 0;
    }
    if (!id && reg_house_find(c, scope(r), cad, fias, &id, e))
        return 0;
    return id;
}

int api_reports_house(struct http_req *r)
{
    struct field_errors fe = {0};
    const char *type = http_query(r, "type"), *format = http_query(r, "format");
    enum reg_report kind = REPORT_AUTO;
    if (type && strcmp(type, "basic") == 0)
        kind = REPORT_BASIC;
    else if (type && strcmp(type, "extended") == 0)
        kind = REPORT_EXTENDED;
    else if (type && strcmp(type, "izd") == 0)
        kind = REPORT_IZD;
    else if (type)
        fe_add(&fe, "type", "допустимо: basic, extended, izd");
    if (!format)
        format = "json";
    if (strcmp(format, "json") != 0 && strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0)
        fe_add(&fe, "format", "допустимо: json, csv, xlsx");
    struct store_conn *c = fe.n ? NULL : http_db(r);
    struct err e = {0};
    if (fe.n)
        return http_validation(r, &fe);
    if (!c)
        return 0;
    int64_t id = report_house(r, c, &fe, &e);
    if (fe.n)
        return http_validation(r, &fe);
    struct table *t;
    if (!id || reg_report_house(c, scope(r), id, kind, r->arena, &t, &e))
        return http_error(r, &e);
    if (strcmp(format, "json") == 0)
        return http_json(r, 200, json_table(t));
    char *body = NULL;
    size_t len = 0;
    bool xlsx = strcmp(format, "xlsx") == 0;
    if (xlsx ? table_xlsx(t, &body, &len, &e) : table_csv(t, &body, &len, &e))
        return http_error(r, &e);
    http_header(r, "Content-Disposition",
                arena_printf(r->arena, "attachment; filename=\"house-%lld-%s.%s\"", (long long)id,
                             type ? type : "report", format));
    return http_text(r, 200,
                     xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                          : "text/csv; charset=utf-8",
                     body, len);
}

int api_registry_quality(struct http_req *r)
{
    struct field_errors fe = {0};
    int64_t org = http_query_id(r, "org_id", &fe);
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct reg_quality q = {0};
    struct err e = {0};
    if (!c)
        return 0;
    if (reg_quality(c, scope(r), org, &q, &e))
        return http_error(r, &e);
    return http_json(r, 200,
                     json_pack("{s:o, s:I, s:I, s:o, s:I, s:I, s:I}", "org_id", http_id(org),
                               "premises", (json_int_t)q.premises, "with_cadastral",
                               (json_int_t)q.with_cadastral, "with_cadastral_percent",
                               http_percent(q.with_cadastral, q.premises), "without_rights",
                               (json_int_t)q.without_rights, "shares_not_one",
                               (json_int_t)q.shares_not_one, "accounts_without_premises",
                               (json_int_t)q.accounts_without_premises));
}

int api_registry_notice(struct http_req *r)
{
    struct field_errors fe = {0};
    int64_t org = http_query_id(r, "org_id", &fe);
    const char *period = http_query(r, "period");
    int per = 0;
    const char *why = NULL;
    if (!period || date_period_parse(period, &per, &why))
        fe_add(&fe, "period", "ожидается месяц ГГГГ-ММ");
    if (fe.n)
        return http_validation(r, &fe);
    char from[DATE_STR_SIZE], to[DATE_STR_SIZE];
    date_format(date_period_first_day(per), from);
    date_format(date_period_last_day(per), to);
    struct store_conn *c = http_db(r);
    struct reg_notice n;
    struct err e = {0};
    if (!c)
        return 0;
    if (reg_notice(c, scope(r), org, from, to, r->arena, &n, &e))
        return http_error(r, &e);
    json_t *items = json_array();
    for (int64_t i = 0; i < n.count; i++) {
        const struct notice_item *it = &n.items[i];
        json_array_append_new(
            items, json_pack("{s:I, s:I, s:s, s:s, s:b, s:b}", "premises_id",
                             (json_int_t)it->premises_id, "house_id", (json_int_t)it->house_id,
                             "address", it->address, "number", it->number, "owner_changed",
                             it->owner_changed, "area_changed", it->area_changed));
    }
    return http_json(r, 200,
                     json_pack("{s:s, s:o, s:I, s:I, s:o}", "period", period, "org_id",
                               http_id(org), "owners_changed", (json_int_t)n.owners_changed,
                               "areas_changed", (json_int_t)n.areas_changed, "premises", items));
}
