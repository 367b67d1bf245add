/* audit.c — writing and reading the audit log. */
#include "audit/audit.h"

#include <stdlib.h>
#include <string.h>

int audit_write(struct store_conn *c, const struct audit_actor *who, const char *action,
                const struct audit_object *obj, json_t *detail, struct err *e)
{
    char *text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
    struct audit_object none = {0};
    if (!obj)
        obj = &none;
    struct store_val p[] = {
        SV_I(store_now()),  SV_ID(who->user_id), SV_T(who->login),      SV_T(action),
        SV_T(obj->type),    SV_ID(obj->id),      SV_ID(obj->region_id), SV_ID(obj->municipality_id),
        SV_ID(obj->org_id), SV_T(who->address),  SV_T(who->request_id), SV_T(text)};
    int rc = store_exec(c,
                        "INSERT INTO audit_log (at, user_id, user_login, action, object_type,"
                        " object_id, region_id, municipality_id, org_id, address, request_id,"
                        " detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                        p, 12, NULL, e);
    free(text);
    return rc;
}

#define AUDIT_FILTER                                                                               \
    "(l.region_id = $1 OR $1 = 0) AND (l.municipality_id = $2 OR $2 = 0)"                          \
    " AND (l.org_id = $3 OR $3 = 0) AND (l.action = $4 OR $4 IS NULL)"                             \
    " AND (l.object_type = $5 OR $5 IS NULL) AND (l.user_id = $6 OR $6 = 0)"

int audit_list(struct store_conn *c, const struct store_scope *s, const struct audit_filter *f,
               struct page pg, struct arena *a, struct audit_entry **items, int64_t *count,
               int64_t *total, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[8];
    store_scope_bind(s, p);
    p[3] = SV_T(f->action);
    p[4] = SV_T(f->object_type);
    p[5] = SV_I(f->user_id);
    p[6] = SV_I(pg.per_page);
    p[7] = SV_I((pg.page - 1) * pg.per_page);
    if ((rc = store_query_int(c, "SELECT count(*) FROM audit_log l WHERE " AUDIT_FILTER, p, 6,
                              total, e)))
        return rc;
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT l.id, l.at, l.user_id, l.user_login, l.action, l.object_type,"
                          " l.object_id, l.address, l.request_id, l.detail FROM audit_log l"
                          " WHERE " AUDIT_FILTER " ORDER BY l.id DESC LIMIT $7 OFFSET $8",
                          p, 8, &r, e)))
        return rc;
    int64_t cap = pg.per_page;
    *items = arena_alloc(a, sizeof **items * (size_t)cap);
    *count = 0;
    while (*items && *count < cap && store_next(r)) {
        struct audit_entry *it = &(*items)[(*count)++];
        it->id = store_int(r, 0);
        it->at = store_int(r, 1);
        it->user_id = store_int(r, 2);
        it->user_login = store_dup(r, 3, a);
        it->action = store_dup(r, 4, a);
        it->object_type = store_dup(r, 5, a);
        it->object_id = store_int(r, 6);
        it->address = store_dup(r, 7, a);
        it->request_id = store_dup(r, 8, a);
        it->detail = store_dup(r, 9, a);
    }
    store_rows_free(r);
    return *items ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}
