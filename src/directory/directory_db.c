/* directory_db.c — scoped queries for regions, municipalities, organizations
 * and users. Each query binds the caller's scope as its first parameters
 * ($1 region, $2 municipality, $3 organization; 0 = unrestricted), so an
 * object outside the scope is never read, changed or counted. */
#include "directory/directory.h"

#include "base/text.h"

#include <string.h>

static int64_t offset_of(struct page pg)
{
    return (pg.page - 1) * pg.per_page;
}

/* Runs a count query with the same parameters as its list query. */
static int count_rows(struct store_conn *c, const char *sql, const struct store_val *p, int n,
                      int64_t *total, struct err *e)
{
    return store_query_int(c, sql, p, n, total, e);
}

/* Room for one page of a list, in the arena. */
static void *page_items(struct arena *a, struct page pg, size_t size)
{
    return arena_alloc(a, size * (size_t)pg.per_page);
}

/* ---- regions ---- */

#define REGION_COLS "r.id, r.code, r.name, r.timezone"

static void read_region(struct store_rows *r, struct arena *a, struct region *out)
{
    out->id = store_int(r, 0);
    out->code = store_dup(r, 1, a);
    out->name = store_dup(r, 2, a);
    out->timezone = store_dup(r, 3, a);
}

int dir_region_get(struct store_conn *c, const struct store_scope *s, int64_t id, struct arena *a,
                   struct region *out, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[4];
    store_scope_bind(s, p);
    p[1] = SV_I(id);
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT " REGION_COLS " FROM regions r"
                          " WHERE (r.id = $1 OR $1 = 0) AND r.id = $2",
                          p, 2, &r, e)))
        return rc;
    if (store_next(r))
        read_region(r, a, out);
    else
        rc = err_set(e, ERR_NOTFOUND, "регион не найден");
    store_rows_free(r);
    return rc;
}

int dir_region_list(struct store_conn *c, const struct store_scope *s, struct page pg,
                    struct arena *a, struct region **items, int64_t *count, int64_t *total,
                    struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[3];
    store_scope_bind(s, p);
    p[1] = SV_I(pg.per_page);
    p[2] = SV_I(offset_of(pg));
    if ((rc = count_rows(c, "SELECT count(*) FROM regions r WHERE (r.id = $1 OR $1 = 0)", p, 1,
                         total, e)))
        return rc;
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT " REGION_COLS " FROM regions r"
                          " WHERE (r.id = $1 OR $1 = 0) ORDER BY r.code LIMIT $2 OFFSET $3",
                          p, 3, &r, e)))
        return rc;
    *count = 0;
    if (!(*items = page_items(a, pg, sizeof **items)))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    while (rc == 0 && *count < pg.per_page && store_next(r))
        read_region(r, a, &(*items)[(*count)++]);
    store_rows_free(r);
    return rc;
}

int dir_region_create(struct store_conn *c, const struct store_scope *s, struct region *reg,
                      struct err *e)
{
    if (store_scope_check(s, e))
        return ERR_SCOPE;
    if (s->kind != SCOPE_SYSTEM && s->kind != SCOPE_ADMIN)
        return err_set(e, ERR_FORBIDDEN, "регионы создаёт администратор");
    struct store_val p[] = {SV_T(reg->code), SV_T(reg->name), SV_T(reg->timezone)};
    return store_query_int(c,
                           "INSERT INTO regions (code, name, timezone) VALUES ($1, $2, $3)"
                           " RETURNING id",
                           p, 3, &reg->id, e);
}

/* ---- municipalities ---- */

#define MUN_COLS "m.id, m.region_id, m.name, m.oktmo, m.timezone, m.created_at"
#define MUN_SCOPE "(m.region_id = $1 OR $1 = 0) AND (m.id = $2 OR $2 = 0)"

static void read_municipality(struct store_rows *r, struct arena *a, struct municipality *out)
{
    out->id = store_int(r, 0);
    out->region_id = store_int(r, 1);
    out->name = store_dup(r, 2, a);
    out->oktmo = store_dup(r, 3, a);
    out->timezone = store_dup(r, 4, a);
    out->created_at = store_int(r, 5);
}

int dir_municipality_get(struct store_conn *c, const struct store_scope *s, int64_t id,
                         struct arena *a, struct municipality *out, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[3];
    store_scope_bind(s, p);
    p[2] = SV_I(id);
    struct store_rows *r = NULL;
    if ((rc = store_query(
             c, "SELECT " MUN_COLS " FROM municipalities m WHERE " MUN_SCOPE " AND m.id = $3", p, 3,
             &r, e)))
        return rc;
    if (store_next(r))
        read_municipality(r, a, out);
    else
        rc = err_set(e, ERR_NOTFOUND, "муниципальное образование не найдено");
    store_rows_free(r);
    return rc;
}

#define MUN_FILTER MUN_SCOPE " AND (m.name_search LIKE $3 ESCAPE '\\' OR $3 IS NULL)"

int dir_municipality_list(struct store_conn *c, const struct store_scope *s,
                          const struct list_filter *f, struct page pg, struct arena *a,
                          struct municipality **items, int64_t *count, int64_t *total,
                          struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[5];
    store_scope_bind(s, p);
    p[2] = SV_T(f->q ? text_like_pattern(a, f->q) : NULL);
    p[3] = SV_I(pg.per_page);
    p[4] = SV_I(offset_of(pg));
    if ((rc = count_rows(c, "SELECT count(*) FROM municipalities m WHERE " MUN_FILTER, p, 3, total,
                         e)))
        return rc;
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT " MUN_COLS " FROM municipalities m WHERE " MUN_FILTER
                          " ORDER BY m.name, m.id LIMIT $4 OFFSET $5",
                          p, 5, &r, e)))
        return rc;
    *count = 0;
    if (!(*items = page_items(a, pg, sizeof **items)))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    while (rc == 0 && *count < pg.per_page && store_next(r))
        read_municipality(r, a, &(*items)[(*count)++]);
    store_rows_free(r);
    return rc;
}

int dir_municipality_create(struct store_conn *c, const struct store_scope *s,
                            struct municipality *m, struct arena *a, struct err *e)
{
    struct region reg;
    int rc = dir_region_get(c, s, m->region_id, a, &reg, e);
    if (rc == ERR_NOTFOUND)
        return err_field(e, ERR_NOTFOUND, "region_id", "регион не найден");
    if (rc)
        return rc;
    m->created_at = store_now();
    struct store_val p[] = {SV_I(m->region_id), SV_T(m->name),     SV_T(text_lower(a, m->name)),
                            SV_T(m->oktmo),     SV_T(m->timezone), SV_I(m->created_at)};
    return store_query_int(c,
                           "INSERT INTO municipalities (region_id, name, name_search, oktmo,"
                           " timezone, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                           p, 6, &m->id, e);
}

int dir_municipality_update(struct store_conn *c, const struct store_scope *s,
                            const struct municipality *m, struct arena *a, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[7];
    store_scope_bind(s, p);
    p[2] = SV_I(m->id);
    p[3] = SV_T(m->name);
    p[4] = SV_T(text_lower(a, m->name));
    p[5] = SV_T(m->oktmo);
    p[6] = SV_T(m->timezone);
    int64_t changed = 0;
    if ((rc = store_exec(c,
                         "UPDATE municipalities SET name = $4, name_search = $5, oktmo = $6,"
                         " timezone = $7 WHERE id = $3"
                         " AND (region_id = $1 OR $1 = 0) AND (id = $2 OR $2 = 0)",
                         p, 7, &changed, e)))
        return rc;
    return changed ? 0 : err_set(e, ERR_NOTFOUND, "муниципальное образование не найдено");
}

/* ---- organizations ---- */

#define ORG_COLS                                                                                   \
    "o.id, o.region_id, o.municipality_id, o.kind, o.name, o.short_name, o.inn, o.kpp, o.ogrn,"    \
    " o.address, o.phone, o.email, o.website, o.created_at, o.bank_name, o.bic,"                   \
    " o.settlement_account, o.corr_account, o.dispatch_phone"
#define ORG_SCOPE                                                                                  \
    "(o.region_id = $1 OR $1 = 0) AND (o.municipality_id = $2 OR $2 = 0)"                          \
    " AND (o.id = $3 OR $3 = 0)"

static void read_org(struct store_rows *r, struct arena *a, struct organization *o)
{
    o->id = store_int(r, 0);
    o->region_id = store_int(r, 1);
    o->municipality_id = store_int(r, 2);
    o->kind = store_dup(r, 3, a);
    o->name = store_dup(r, 4, a);
    o->short_name = store_dup(r, 5, a);
    o->inn = store_dup(r, 6, a);
    o->kpp = store_dup(r, 7, a);
    o->ogrn = store_dup(r, 8, a);
    o->address = store_dup(r, 9, a);
    o->phone = store_dup(r, 10, a);
    o->email = store_dup(r, 11, a);
    o->website = store_dup(r, 12, a);
    o->created_at = store_int(r, 13);
    o->bank_name = store_dup(r, 14, a);
    o->bic = store_dup(r, 15, a);
    o->settlement_account = store_dup(r, 16, a);
    o->corr_account = store_dup(r, 17, a);
    o->dispatch_phone = store_dup(r, 18, a);
}

int dir_org_get(struct store_conn *c, const struct store_scope *s, int64_t id, struct arena *a,
                struct organization *out, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[4];
    store_scope_bind(s, p);
    p[3] = SV_I(id);
    struct store_rows *r = NULL;
    if ((rc = store_query(
             c, "SELECT " ORG_COLS " FROM organizations o WHERE " ORG_SCOPE " AND o.id = $4", p, 4,
             &r, e)))
        return rc;
    if (store_next(r))
        read_org(r, a, out);
    else
        rc = err_set(e, ERR_NOTFOUND, "организация не найдена");
    store_rows_free(r);
    return rc;
}

#define ORG_FILTER                                                                                 \
    ORG_SCOPE " AND (o.kind = $4 OR $4 IS NULL) AND (o.municipality_id = $5 OR $5 = 0)"            \
              " AND (o.name_search LIKE $6 ESCAPE '\\' OR $6 IS NULL)"

int dir_org_list(struct store_conn *c, const struct store_scope *s, const struct list_filter *f,
                 struct page pg, struct arena *a, struct organization **items, int64_t *count,
                 int64_t *total, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[8];
    store_scope_bind(s, p);
    p[3] = SV_T(f->kind);
    p[4] = SV_I(f->municipality_id);
    p[5] = SV_T(f->q ? text_like_pattern(a, f->q) : NULL);
    p[6] = SV_I(pg.per_page);
    p[7] = SV_I(offset_of(pg));
    if ((rc = count_rows(c, "SELECT count(*) FROM organizations o WHERE " ORG_FILTER, p, 6, total,
                         e)))
        return rc;
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT " ORG_COLS " FROM organizations o WHERE " ORG_FILTER
                          " ORDER BY o.name, o.id LIMIT $7 OFFSET $8",
                          p, 8, &r, e)))
        return rc;
    *count = 0;
    if (!(*items = page_items(a, pg, sizeof **items)))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    while (rc == 0 && *count < pg.per_page && store_next(r))
        read_org(r, a, &(*items)[(*count)++]);
    store_rows_free(r);
    return rc;
}

static const char *org_search(struct arena *a, const struct organization *o)
{
    return text_lower(
        a, arena_printf(a, "%s %s %s", o->name, o->short_name ? o->short_name : "", o->inn));
}

/* The organization's municipality must be visible to the caller; it fixes the region. */
static int place_org(struct store_conn *c, const struct store_scope *s, struct organization *o,
                     struct arena *a, struct err *e)
{
    struct municipality m;
    int rc = dir_municipality_get(c, s, o->municipality_id, a, &m, e);
    if (rc == ERR_NOTFOUND)
        return err_field(e, ERR_NOTFOUND, "municipality_id",
                         "муниципальное образование не найдено");
    o->region_id = m.region_id;
    return rc;
}

int dir_org_create(struct store_conn *c, const struct store_scope *s, struct organization *o,
                   struct arena *a, struct err *e)
{
    int rc = place_org(c, s, o, a, e);
    if (rc)
        return rc;
    o->created_at = store_now();
    struct store_val p[] = {SV_I(o->region_id),
                            SV_I(o->municipality_id),
                            SV_T(o->kind),
                            SV_T(o->name),
                            SV_T(o->short_name),
                            SV_T(org_search(a, o)),
                            SV_T(o->inn),
                            SV_T(o->kpp ? o->kpp : ""),
                            SV_T(o->ogrn),
                            SV_T(o->address),
                            SV_T(o->phone),
                            SV_T(o->email),
                            SV_T(o->website),
                            SV_I(o->created_at),
                            SV_T(o->bank_name),
                            SV_T(o->bic),
                            SV_T(o->settlement_account),
                            SV_T(o->corr_account),
                            SV_T(o->dispatch_phone)};
    rc = store_query_int(c,
                         "INSERT INTO organizations (region_id, municipality_id, kind, name,"
                         " short_name, name_search, inn, kpp, ogrn, address, phone, email,"
                         " website, created_at, bank_name, bic, settlement_account, corr_account,"
                         " dispatch_phone) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
                         " $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id",
                         p, 19, &o->id, e);
    if (rc == ERR_CONFLICT)
        err_field(e, rc, "inn", "организация с таким ИНН и КПП уже есть");
    return rc;
}

int dir_org_update(struct store_conn *c, const struct store_scope *s, const struct organization *o,
                   struct arena *a, struct err *e)
{
    struct organization placed = *o;
    int rc = place_org(c, s, &placed, a, e);
    if (rc)
        return rc;
    struct store_val p[21];
    store_scope_bind(s, p);
    struct store_val rest[] = {SV_I(o->id),           SV_I(o->municipality_id),
                               SV_T(o->kind),         SV_T(o->name),
                               SV_T(o->short_name),   SV_T(org_search(a, o)),
                               SV_T(o->inn),          SV_T(o->kpp ? o->kpp : ""),
                               SV_T(o->ogrn),         SV_T(o->address),
                               SV_T(o->phone),        SV_T(o->email),
                               SV_T(o->website),      SV_T(o->bank_name),
                               SV_T(o->bic),          SV_T(o->settlement_account),
                               SV_T(o->corr_account), SV_T(o->dispatch_phone)};
    memcpy(p + 3, rest, sizeof rest);
    int64_t changed = 0;
    rc = store_exec(c,
                    "UPDATE organizations SET municipality_id = $5, kind = $6, name = $7,"
                    " short_name = $8, name_search = $9, inn = $10, kpp = $11, ogrn = $12,"
                    " address = $13, phone = $14, email = $15, website = $16, bank_name = $17,"
                    " bic = $18, settlement_account = $19, corr_account = $20,"
                    " dispatch_phone = $21"
                    " WHERE id = $4 AND (region_id = $1 OR $1 = 0)"
                    " AND (municipality_id = $2 OR $2 = 0) AND (id = $3 OR $3 = 0)",
                    p, 21, &changed, e);
    if (rc == ERR_CONFLICT)
        return err_field(e, rc, "inn", "организация с таким ИНН и КПП уже есть");
    if (rc)
        return rc;
    return changed ? 0 : err_set(e, ERR_NOTFOUND, "организация не найдена");
}

/* ---- users ---- */

#define USER_COLS                                                                                  \
    "u.id, u.login, u.full_name, u.email, u.role, u.region_id, u.municipality_id, u.org_id,"       \
    " u.active, u.created_at"
#define USER_SCOPE                                                                                 \
    "(u.region_id = $1 OR $1 = 0) AND (u.municipality_id = $2 OR $2 = 0)"                          \
    " AND (u.org_id = $3 OR $3 = 0)"

static void read_user(struct store_rows *r, struct arena *a, struct user *u)
{
    u->id = store_int(r, 0);
    u->login = store_dup(r, 1, a);
    u->full_name = store_dup(r, 2, a);
    u->email = store_dup(r, 3, a);
    u->role = store_dup(r, 4, a);
    u->region_id = store_int(r, 5);
    u->municipality_id = store_int(r, 6);
    u->org_id = store_int(r, 7);
    u->active = store_int(r, 8) != 0;
    u->created_at = store_int(r, 9);
}

int dir_user_get(struct store_conn *c, const struct store_scope *s, int64_t id, struct arena *a,
                 struct user *out, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[4];
    store_scope_bind(s, p);
    p[3] = SV_I(id);
    struct store_rows *r = NULL;
    if ((rc = store_query(c, "SELECT " USER_COLS " FROM users u WHERE " USER_SCOPE " AND u.id = $4",
                          p, 4, &r, e)))
        return rc;
    if (store_next(r))
        read_user(r, a, out);
    else
        rc = err_set(e, ERR_NOTFOUND, "пользователь не найден");
    store_rows_free(r);
    return rc;
}

#define USER_FILTER                                                                                \
    USER_SCOPE " AND (u.role = $4 OR $4 IS NULL) AND (u.municipality_id = $5 OR $5 = 0)"           \
               " AND (u.org_id = $6 OR $6 = 0)"                                                    \
               " AND (u.full_name_search LIKE $7 ESCAPE '\\' OR $7 IS NULL)"

int dir_user_list(struct store_conn *c, const struct store_scope *s, const struct list_filter *f,
                  struct page pg, struct arena *a, struct user **items, int64_t *count,
                  int64_t *total, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[9];
    store_scope_bind(s, p);
    p[3] = SV_T(f->role);
    p[4] = SV_I(f->municipality_id);
    p[5] = SV_I(f->org_id);
    p[6] = SV_T(f->q ? text_like_pattern(a, f->q) : NULL);
    p[7] = SV_I(pg.per_page);
    p[8] = SV_I(offset_of(pg));
    if ((rc = count_rows(c, "SELECT count(*) FROM users u WHERE " USER_FILTER, p, 7, total, e)))
        return rc;
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT " USER_COLS " FROM users u WHERE " USER_FILTER
                          " ORDER BY u.login LIMIT $8 OFFSET $9",
                          p, 9, &r, e)))
        return rc;
    *count = 0;
    if (!(*items = page_items(a, pg, sizeof **items)))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    while (rc == 0 && *count < pg.per_page && store_next(r))
        read_user(r, a, &(*items)[(*count)++]);
    store_rows_free(r);
    return rc;
}

static const char *user_search(struct arena *a, const struct user *u)
{
    return text_lower(a, arena_printf(a, "%s %s", u->full_name, u->login));
}

/* Fixes the user's region and municipality from their organization or
 * municipality, which must be visible to the caller. */
static int place_user(struct store_conn *c, const struct store_scope *s, struct user *u,
                      struct arena *a, struct err *e)
{
    int rc = 0;
    if (u->org_id) {
        struct organization o;
        if ((rc = dir_org_get(c, s, u->org_id, a, &o, e)) == ERR_NOTFOUND)
            return err_field(e, rc, "org_id", "организация не найдена");
        u->municipality_id = o.municipality_id;
        u->region_id = o.region_id;
    } else if (u->municipality_id) {
        struct municipality m;
        if ((rc = dir_municipality_get(c, s, u->municipality_id, a, &m, e)) == ERR_NOTFOUND)
            return err_field(e, rc, "municipality_id", "муниципальное образование не найдено");
        u->region_id = m.region_id;
    } else if (strcmp(u->role, "admin") == 0) {
        u->region_id = 0;
    } else {
        if (!u->region_id)
            u->region_id = s->region_id;
        struct region r;
        if ((rc = dir_region_get(c, s, u->region_id, a, &r, e)) == ERR_NOTFOUND)
            return err_field(e, rc, "region_id", "регион не найден");
    }
    return rc;
}

int dir_user_create(struct store_conn *c, const struct store_scope *s, struct user *u,
                    const char *password_hash, struct arena *a, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    if (!dir_role_grantable(s->kind, u->role))
        return err_field(e, ERR_FORBIDDEN, "role", "нет права создавать пользователей с ролью %s",
                         u->role);
    if ((rc = place_user(c, s, u, a, e)))
        return rc;
    u->created_at = store_now();
    u->active = true;
    struct store_val p[] = {
        SV_T(u->login),      SV_T(u->full_name),  SV_T(user_search(a, u)),   SV_T(u->email),
        SV_T(u->role),       SV_ID(u->region_id), SV_ID(u->municipality_id), SV_ID(u->org_id),
        SV_T(password_hash), SV_I(u->created_at)};
    rc = store_query_int(c,
                         "INSERT INTO users (login, full_name, full_name_search, email, role,"
                         " region_id, municipality_id, org_id, password_hash, active, created_at)"
                         " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10) RETURNING id",
                         p, 10, &u->id, e);
    if (rc == ERR_CONFLICT)
        err_field(e, rc, "login", "логин «%s» уже занят", u->login);
    return rc;
}

int dir_user_update(struct store_conn *c, const struct store_scope *s, const struct user *u,
                    const char *password_hash, struct arena *a, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[9];
    store_scope_bind(s, p);
    p[3] = SV_I(u->id);
    p[4] = SV_T(u->full_name);
    p[5] = SV_T(user_search(a, u));
    p[6] = SV_T(u->email);
    p[7] = SV_I(u->active ? 1 : 0);
    p[8] = SV_T(password_hash);
    int64_t changed = 0;
    if ((rc = store_exec(c,
                         "UPDATE users SET full_name = $5, full_name_search = $6, email = $7,"
                         " active = $8, password_hash = coalesce($9, password_hash)"
                         " WHERE id = $4 AND (region_id = $1 OR $1 = 0)"
                         " AND (municipality_id = $2 OR $2 = 0) AND (org_id = $3 OR $3 = 0)",
                         p, 9, &changed, e)))
        return rc;
    return changed ? 0 : err_set(e, ERR_NOTFOUND, "пользователь не найден");
}

int dir_user_by_login(struct store_conn *c, const struct store_scope *s, const char *login,
                      struct arena *a, struct user *out, const char **password_hash, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    if (s->kind != SCOPE_SYSTEM)
        return err_set(e, ERR_SCOPE, "login lookup needs the system scope");
    struct store_val p[] = {SV_T(login)};
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT " USER_COLS ", u.password_hash FROM users u"
                          " WHERE u.login = $1",
                          p, 1, &r, e)))
        return rc;
    if (store_next(r)) {
        read_user(r, a, out);
        if (password_hash)
            *password_hash = store_dup(r, 10, a);
    } else {
        rc = err_set(e, ERR_NOTFOUND, "пользователь «%s» не найден", login);
    }
    store_rows_free(r);
    return rc;
}
