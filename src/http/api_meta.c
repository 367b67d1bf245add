/* api_meta.c — health, metrics and the OpenAPI document. */
#include "http/http.h"

#include "base/embedded.h"

#include <stdlib.h>
#include <string.h>

int api_healthz(struct http_req *r)
{
    struct err e = {0};
    struct store_conn *c = store_acquire(r->store, &e);
    int64_t one = 0;
    if (c && store_query_int(c, "SELECT 1", NULL, 0, &one, &e) == 0) {
        r->db = c; /* released with the request */
        return http_json(r, 200,
                         json_pack("{s:s, s:s, s:s}", "status", "ok", "db", "ok", "backend",
                                   store_backend_name(r->store)));
    }
    r->db = c;
    return http_json(
        r, 503, json_pack("{s:s, s:s, s:s}", "status", "degraded", "db", "down", "detail", e.msg));
}

int api_metrics(struct http_req *r)
{
    size_t len = 0;
    char *text = metrics_render(r->store, &len);
    if (!text)
        return http_problem(r, 500, "internal", "Внутренняя ошибка", NULL);
    return http_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}

int api_openapi(struct http_req *r)
{
    const struct embedded_file *f = embedded_find("openapi.json");
    char *copy = f ? malloc(f->size) : NULL;
    if (!copy)
        return http_problem(r, 500, "internal", "Внутренняя ошибка", "нет описания API");
    memcpy(copy, f->data, f->size);
    return http_text(r, 200, "application/json; charset=utf-8", copy, f->size);
}
