/* api_directory.c — regions, municipalities, organizations and users over
 * HTTP: parse, call the directory module with the caller's scope, audit,
 * render. */
#include "http/http.h"

#include <string.h>

static json_t *json_region(const struct region *g)
{
    return json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)g->id, "code", g->code, "name",
                     g->name, "timezone", g->timezone);
}

static json_t *json_municipality(struct http_req *r, const struct municipality *m)
{
    return json_pack("{s:I, s:I, s:s, s:s?, s:s, s:s}", "id", (json_int_t)m->id, "region_id",
                     (json_int_t)m->region_id, "name", m->name, "oktmo", m->oktmo, "timezone",
                     m->timezone, "created_at", http_time(r, m->created_at));
}

static json_t *json_org(struct http_req *r, const struct organization *o)
{
    json_t *j =
        json_pack("{s:I, s:I, s:I, s:s, s:s, s:s?, s:s, s:s?, s:s, s:s?, s:s?, s:s?, s:s?,"
                  " s:s}",
                  "id", (json_int_t)o->id, "region_id", (json_int_t)o->region_id, "municipality_id",
                  (json_int_t)o->municipality_id, "kind", o->kind, "name", o->name, "short_name",
                  o->short_name, "inn", o->inn, "kpp", o->kpp && *o->kpp ? o->kpp : NULL, "ogrn",
                  o->ogrn, "address", o->address, "phone", o->phone, "email", o->email, "website",
                  o->website, "created_at", http_time(r, o->created_at));
    json_object_set_new(j, "bank_name", http_str(o->bank_name));
    json_object_set_new(j, "bic", http_str(o->bic));
    json_object_set_new(j, "settlement_account", http_str(o->settlement_account));
    json_object_set_new(j, "corr_account", http_str(o->corr_account));
    json_object_set_new(j, "dispatch_phone", http_str(o->dispatch_phone));
    return j;
}

json_t *json_user(struct http_req *r, const struct user *u)
{
    return json_pack("{s:I, s:s, s:s, s:s?, s:s, s:o, s:o, s:o, s:b, s:s}", "id", (json_int_t)u->id,
                     "login", u->login, "full_name", u->full_name, "email", u->email, "role",
                     u->role, "region_id", http_id(u->region_id), "municipality_id",
                     http_id(u->municipality_id), "org_id", http_id(u->org_id), "active", u->active,
                     "created_at", http_time(r, u->created_at));
}

static const struct store_scope *scope(struct http_req *r)
{
    return &r->session->scope;
}

/* ---- regions ---- */

int api_regions_list(struct http_req *r)
{
    struct field_errors fe = {0};
    struct page pg;
    http_page(r, &pg, &fe);
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct region *items;
    int64_t n, total;
    struct err e = {0};
    if (!c)
        return 0;
    if (dir_region_list(c, scope(r), pg, r->arena, &items, &n, &total, &e))
        return http_error(r, &e);
    json_t *list = json_array();
    for (int64_t i = 0; i < n; i++)
        json_array_append_new(list, json_region(&items[i]));
    return http_json(r, 200, http_list(list, pg, total));
}

/* ---- municipalities ---- */

int api_municipalities_list(struct http_req *r)
{
    struct field_errors fe = {0};
    struct page pg;
    http_page(r, &pg, &fe);
    struct list_filter f = {.q = http_query(r, "q")};
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct municipality *items;
    int64_t n, total;
    struct err e = {0};
    if (!c)
        return 0;
    if (dir_municipality_list(c, scope(r), &f, pg, r->arena, &items, &n, &total, &e))
        return http_error(r, &e);
    json_t *list = json_array();
    for (int64_t i = 0; i < n; i++)
        json_array_append_new(list, json_municipality(r, &items[i]));
    return http_json(r, 200, http_list(list, pg, total));
}

int api_municipalities_get(struct http_req *r)
{
    struct store_conn *c = http_db(r);
    struct municipality m;
    struct err e = {0};
    if (!c)
        return 0;
    if (dir_municipality_get(c, scope(r), r->ids[0], r->arena, &m, &e))
        return http_error(r, &e);
    return http_json(r, 200, json_municipality(r, &m));
}

static void read_municipality(struct http_req *r, json_t *body, struct municipality *m, bool create,
                              struct field_errors *fe)
{
    struct jv_field fields[] = {{"name", JV_STRING, create, 300, &m->name, NULL},
                                {"oktmo", JV_STRING, false, 11, &m->oktmo, NULL},
                                {"timezone", JV_STRING, create, 64, &m->timezone, NULL},
                                {create ? "region_id" : "", JV_INT, false, 0, &m->region_id, NULL},
                                {NULL}};
    jv_read(body, fields, r->arena, fe);
    dir_municipality_check(m, fe);
}

static struct audit_object mun_object(const struct municipality *m)
{
    return (struct audit_object){"municipality", m->id, m->region_id, m->id, 0};
}

int api_municipalities_create(struct http_req *r)
{
    json_t *body = http_body_object(r);
    if (!body)
        return 0;
    struct municipality m = {.region_id = scope(r)->region_id};
    struct field_errors fe = {0};
    read_municipality(r, body, &m, true, &fe);
    json_decref(body);
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct err e = {0};
    if (!c)
        return 0;
    if (store_begin(c, &e) == 0 && dir_municipality_create(c, scope(r), &m, r->arena, &e) == 0)
        http_audit(r, c, "municipality.create", mun_object(&m), json_municipality(r, &m), &e);
    http_tx_end(c, &e);
    if (e.code == ERR_CONFLICT)
        err_field(&e, ERR_CONFLICT, "oktmo", "муниципальное образование с таким ОКТМО уже есть");
    return e.code ? http_error(r, &e) : http_json(r, 201, json_municipality(r, &m));
}

int api_municipalities_patch(struct http_req *r)
{
    json_t *body = http_body_object(r);
    struct store_conn *c = body ? http_db(r) : NULL;
    struct municipality m;
    struct err e = {0};
    if (!c) {
        json_decref(body);
        return 0;
    }
    if (dir_municipality_get(c, scope(r), r->ids[0], r->arena, &m, &e)) {
        json_decref(body);
        return http_error(r, &e);
    }
    struct field_errors fe = {0};
    read_municipality(r, body, &m, false, &fe);
    json_t *changed = json_pack("{s:o}", "changed", json_deep_copy(body));
    json_decref(body);
    if (fe.n) {
        json_decref(changed);
        return http_validation(r, &fe);
    }
    if (store_begin(c, &e) == 0 && dir_municipality_update(c, scope(r), &m, r->arena, &e) == 0)
        http_audit(r, c, "municipality.update", mun_object(&m), json_incref(changed), &e);
    http_tx_end(c, &e);
    json_decref(changed);
    if (e.code == ERR_CONFLICT)
        err_field(&e, ERR_CONFLICT, "oktmo", "муниципальное образование с таким ОКТМО уже есть");
    return e.code ? http_error(r, &e) : http_json(r, 200, json_municipality(r, &m));
}

/* ---- organizations ---- */

/* What an organization's own staff may change: its contacts, its dispatch
 * service's phone and the bank details its payment documents carry. */
static const char *const org_contact_fields[] = {
    "address",        "phone",     "email", "website",
    "dispatch_phone", "bank_name", "bic",   "settlement_account",
    "corr_account",   NULL};

/* An empty bank detail is none (NULL), so clearing a field is "" or null. */
static void none_if_empty(const char **s)
{
    if (*s && !**s)
        *s = NULL;
}

static void read_org(struct http_req *r, json_t *body, struct organization *o, bool create,
                     struct field_errors *fe)
{
    struct jv_field fields[] = {
        {"name", JV_STRING, create, 500, &o->name, NULL},
        {"short_name", JV_STRING, false, 200, &o->short_name, NULL},
        {"kind", JV_STRING, create, 10, &o->kind, NULL},
        {"inn", JV_STRING, create, 12, &o->inn, NULL},
        {"kpp", JV_STRING, false, 9, &o->kpp, NULL},
        {"ogrn", JV_STRING, create, 15, &o->ogrn, NULL},
        {"municipality_id", JV_INT, create, 0, &o->municipality_id, NULL},
        {"address", JV_STRING, false, 500, &o->address, NULL},
        {"phone", JV_STRING, false, 50, &o->phone, NULL},
        {"email", JV_STRING, false, 200, &o->email, NULL},
        {"website", JV_STRING, false, 200, &o->website, NULL},
        {"bank_name", JV_STRING, false, 200, &o->bank_name, NULL},
        {"bic", JV_STRING, false, 9, &o->bic, NULL},
        {"settlement_account", JV_STRING, false, 20, &o->settlement_account, NULL},
        {"corr_account", JV_STRING, false, 20, &o->corr_account, NULL},
        {"dispatch_phone", JV_STRING, false, 50, &o->dispatch_phone, NULL},
        {NULL}};
    jv_read(body, fields, r->arena, fe);
    const char **bank[] = {&o->bank_name, &o->bic, &o->settlement_account, &o->corr_account,
                           &o->dispatch_phone};
    for (size_t i = 0; i < sizeof bank / sizeof bank[0]; i++)
        none_if_empty(bank[i]);
    dir_org_check(o, fe);
}

static struct audit_object org_object(const struct organization *o)
{
    return (struct audit_object){"organization", o->id, o->region_id, o->municipality_id, o->id};
}

int api_organizations_list(struct http_req *r)
{
    struct field_errors fe = {0};
    struct page pg;
    http_page(r, &pg, &fe);
    struct list_filter f = {.q = http_query(r, "q"), .kind = http_query(r, "kind")};
    f.municipality_id = http_query_id(r, "municipality_id", &fe);
    if (f.kind && !dir_is_org_kind(f.kind))
        fe_add(&fe, "kind", "допустимо: uo, rso, eirc, tko");
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct organization *items;
    int64_t n, total;
    struct err e = {0};
    if (!c)
        return 0;
    if (dir_org_list(c, scope(r), &f, pg, r->arena, &items, &n, &total, &e))
        return http_error(r, &e);
    json_t *list = json_array();
    for (int64_t i = 0; i < n; i++)
        json_array_append_new(list, json_org(r, &items[i]));
    return http_json(r, 200, http_list(list, pg, total));
}

int api_organizations_get(struct http_req *r)
{
    struct store_conn *c = http_db(r);
    struct organization o;
    struct err e = {0};
    if (!c)
        return 0;
    if (dir_org_get(c, scope(r), r->ids[0], r->arena, &o, &e))
        return http_error(r, &e);
    return http_json(r, 200, json_org(r, &o));
}

int api_organizations_create(struct http_req *r)
{
    json_t *body = http_body_object(r);
    if (!body)
        return 0;
    struct organization o = {0};
    struct field_errors fe = {0};
    read_org(r, body, &o, true, &fe);
    json_decref(body);
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct err e = {0};
    if (!c)
        return 0;
    if (store_begin(c, &e) == 0 && dir_org_create(c, scope(r), &o, r->arena, &e) == 0)
        http_audit(r, c, "organization.create", org_object(&o), json_org(r, &o), &e);
    http_tx_end(c, &e);
    return e.code ? http_error(r, &e) : http_json(r, 201, json_org(r, &o));
}

/* Organization staff may change only their organization's contact fields. */
static const char *forbidden_field(struct http_req *r, json_t *body)
{
    if (scope(r)->kind != SCOPE_ORG)
        return NULL;
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        const char *const *f = org_contact_fields;
        while (*f && strcmp(*f, key) != 0)
            f++;
        if (!*f)
            return arena_strdup(r->arena, key); /* the body is released before the answer */
    }
    return NULL;
}

int api_organizations_patch(struct http_req *r)
{
    json_t *body = http_body_object(r);
    struct store_conn *c = body ? http_db(r) : NULL;
    struct organization o;
    struct err e = {0};
    if (!c) {
        json_decref(body);
        return 0;
    }
    if (dir_org_get(c, scope(r), r->ids[0], r->arena, &o, &e)) {
        json_decref(body);
        return http_error(r, &e);
    }
    const char *denied = forbidden_field(r, body);
    if (denied) {
        json_decref(body);
        return http_problem(
            r, 403, "forbidden", "Недостаточно прав",
            arena_printf(r->arena,
                         "сотрудник организации меняет только контакты и банковские реквизиты, "
                         "не %s",
                         denied));
    }
    struct field_errors fe = {0};
    read_org(r, body, &o, false, &fe);
    json_t *changed = json_pack("{s:o}", "changed", json_deep_copy(body));
    json_decref(body);
    if (fe.n) {
        json_decref(changed);
        return http_validation(r, &fe);
    }
    if (store_begin(c, &e) == 0 && dir_org_update(c, scope(r), &o, r->arena, &e) == 0)
        http_audit(r, c, "organization.update", org_object(&o), json_incref(changed), &e);
    http_tx_end(c, &e);
    json_decref(changed);
    return e.code ? http_error(r, &e) : http_json(r, 200, json_org(r, &o));
}

/* ---- users ---- */

static struct audit_object user_object(const struct user *u)
{
    return (struct audit_object){"user", u->id, u->region_id, u->municipality_id, u->org_id};
}

int api_users_list(struct http_req *r)
{
    struct field_errors fe = {0};
    struct page pg;
    http_page(r, &pg, &fe);
    struct list_filter f = {.q = http_query(r, "q"), .role = http_query(r, "role")};
    f.municipality_id = http_query_id(r, "municipality_id", &fe);
    f.org_id = http_query_id(r, "org_id", &fe);
    if (f.role && !dir_is_role(f.role))
        fe_add(&fe, "role", "неизвестная роль");
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct user *items;
    int64_t n, total;
    struct err e = {0};
    if (!c)
        return 0;
    if (dir_user_list(c, scope(r), &f, pg, r->arena, &items, &n, &total, &e))
        return http_error(r, &e);
    json_t *list = json_array();
    for (int64_t i = 0; i < n; i++)
        json_array_append_new(list, json_user(r, &items[i]));
    return http_json(r, 200, http_list(list, pg, total));
}

int api_users_get(struct http_req *r)
{
    struct store_conn *c = http_db(r);
    struct user u;
    struct err e = {0};
    if (!c)
        return 0;
    if (dir_user_get(c, scope(r), r->ids[0], r->arena, &u, &e))
        return http_error(r, &e);
    return http_json(r, 200, json_user(r, &u));
}

int api_users_create(struct http_req *r)
{
    json_t *body = http_body_object(r);
    if (!body)
        return 0;
    struct user u = {0};
    const char *password = NULL;
    struct field_errors fe = {0};
    struct jv_field fields[] = {{"login", JV_STRING, true, 64, &u.login, NULL},
                                {"full_name", JV_STRING, false, 300, &u.full_name, NULL},
                                {"email", JV_STRING, false, 200, &u.email, NULL},
                                {"role", JV_STRING, true, 32, &u.role, NULL},
                                {"password", JV_STRING, true, 1024, &password, NULL},
                                {"region_id", JV_INT, false, 0, &u.region_id, NULL},
                                {"municipality_id", JV_INT, false, 0, &u.municipality_id, NULL},
                                {"org_id", JV_INT, false, 0, &u.org_id, NULL},
                                {NULL}};
    jv_read(body, fields, r->arena, &fe);
    json_decref(body);
    if (!u.full_name)
        u.full_name = u.login;
    if (dir_is_role(u.role) && !dir_role_grantable(scope(r)->kind, u.role))
        return http_problem(
            r, 403, "forbidden", "Недостаточно прав",
            arena_printf(r->arena, "нельзя создать пользователя с ролью %s", u.role));
    dir_user_check(&u, password, &fe);
    if (fe.n)
        return http_validation(r, &fe);
    char hash[crypto_pwhash_STRBYTES];
    struct err e = {0};
    if (auth_password_hash(password, hash, &e))
        return http_error(r, &e);
    struct store_conn *c = http_db(r);
    if (!c)
        return 0;
    if (store_begin(c, &e) == 0 && dir_user_create(c, scope(r), &u, hash, r->arena, &e) == 0)
        http_audit(r, c, "user.create", user_object(&u), json_user(r, &u), &e);
    http_tx_end(c, &e);
    return e.code ? http_error(r, &e) : http_json(r, 201, json_user(r, &u));
}

int api_users_patch(struct http_req *r)
{
    json_t *body = http_body_object(r);
    struct store_conn *c = body ? http_db(r) : NULL;
    struct user u;
    struct err e = {0};
    if (!c) {
        json_decref(body);
        return 0;
    }
    if (dir_user_get(c, scope(r), r->ids[0], r->arena, &u, &e)) {
        json_decref(body);
        return http_error(r, &e);
    }
    const char *password = NULL;
    bool has_password = false;
    struct field_errors fe = {0};
    struct jv_field fields[] = {{"full_name", JV_STRING, false, 300, &u.full_name, NULL},
                                {"email", JV_STRING, false, 200, &u.email, NULL},
                                {"password", JV_STRING, false, 1024, &password, &has_password},
                                {"active", JV_BOOL, false, 0, &u.active, NULL},
                                {NULL}};
    jv_read(body, fields, r->arena, &fe);
    json_object_del(body, "password"); /* never into the audit log */
    json_t *changed =
        json_pack("{s:o, s:b}", "changed", json_deep_copy(body), "password", has_password);
    json_decref(body);
    if (!u.full_name || !*u.full_name)
        fe_add(&fe, "full_name", "обязательное поле");
    if (has_password)
        dir_password_check(password, &fe);
    char hash[crypto_pwhash_STRBYTES];
    if (fe.n || (has_password && auth_password_hash(password, hash, &e))) {
        json_decref(changed);
        return fe.n ? http_validation(r, &fe) : http_error(r, &e);
    }
    if (store_begin(c, &e) == 0 &&
        dir_user_update(c, scope(r), &u, has_password ? hash : NULL, r->arena, &e) == 0)
        http_audit(r, c, "user.update", user_object(&u), json_incref(changed), &e);
    http_tx_end(c, &e);
    json_decref(changed);
    return e.code ? http_error(r, &e) : http_json(r, 200, json_user(r, &u));
}
