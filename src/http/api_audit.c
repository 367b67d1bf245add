/* api_audit.c — reading the audit log within the caller's scope. */
#include "http/http.h"

int api_audit_list(struct http_req *r)
{
    struct field_errors fe = {0};
    struct page pg;
    http_page(r, &pg, &fe);
    struct audit_filter f = {.action = http_query(r, "action"),
                             .object_type = http_query(r, "object_type")};
    f.user_id = http_query_id(r, "user_id", &fe);
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct audit_entry *items;
    int64_t n, total;
    struct err e = {0};
    if (!c)
        return 0;
    if (audit_list(c, &r->session->scope, &f, pg, r->arena, &items, &n, &total, &e))
        return http_error(r, &e);
    json_t *list = json_array();
    for (int64_t i = 0; i < n; i++) {
        const struct audit_entry *it = &items[i];
        json_t *detail = it->detail ? json_loads(it->detail, 0, NULL) : NULL;
        json_array_append_new(
            list, json_pack("{s:I, s:s, s:o, s:s?, s:s, s:s?, s:o, s:s?, s:s?, s:o}", "id",
                            (json_int_t)it->id, "at", http_time(r, it->at), "user_id",
                            it->user_id ? json_integer(it->user_id) : json_null(), "user_login",
                            it->user_login, "action", it->action, "object_type", it->object_type,
                            "object_id", it->object_id ? json_integer(it->object_id) : json_null(),
                            "address", it->address, "request_id", it->request_id, "detail",
                            detail ? detail : json_null()));
    }
    return http_json(r, 200, http_list(list, pg, total));
}
