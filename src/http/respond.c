/* respond.c — reading requests and writing answers: JSON, problem+json,
 * query arguments, pagination. */
#include "http/http.h"

#include "base/money.h"

#include "base/log.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROBLEM_BASE "https://upravdom.example/problems/"

void http_header(struct http_req *r, const char *name, const char *value)
{
    /* The value is copied into the request's arena: it is sent after the
     * handler returns, when a caller's buffer on the stack is gone. */
    const char *copy = value && r->arena ? arena_strdup(r->arena, value) : value;
    if (copy && r->nheaders < (int)(sizeof r->headers / sizeof r->headers[0]))
        r->headers[r->nheaders++] = (struct http_header){name, copy};
}

/* Drops a file response set before (an error replaced it). */
static void drop_file(struct http_req *r)
{
    if (r->resp_fd >= 0)
        close(r->resp_fd);
    r->resp_fd = -1;
    r->resp_fd_len = 0;
}

int http_text(struct http_req *r, int status, const char *type, char *body, size_t len)
{
    free(r->resp_body);
    drop_file(r);
    r->status = status;
    r->resp_type = type;
    r->resp_body = body;
    r->resp_len = len;
    return 0;
}

static int send_json(struct http_req *r, int status, const char *type, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text) {
        r->status = 500;
        return 0;
    }
    return http_text(r, status, type, text, strlen(text));
}

int http_json(struct http_req *r, int status, json_t *body)
{
    return send_json(r, status, "application/json; charset=utf-8", body);
}

int http_no_content(struct http_req *r)
{
    return http_text(r, 204, NULL, NULL, 0);
}

int http_file(struct http_req *r, int status, const char *type, int fd, uint64_t len)
{
    http_text(r, status, type, NULL, 0);
    r->resp_fd = fd;
    r->resp_fd_len = len;
    return 0;
}

static json_t *problem(struct http_req *r, int status, const char *type, const char *title,
                       const char *detail)
{
    json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type",
                          arena_printf(r->arena, PROBLEM_BASE "%s", type), "title", title, "status",
                          status, "instance", r->path, "request_id", r->request_id);
    if (p && detail)
        json_object_set_new(p, "detail", json_string(detail));
    return p;
}

int http_problem(struct http_req *r, int status, const char *type, const char *title,
                 const char *detail)
{
    return send_json(r, status, "application/problem+json; charset=utf-8",
                     problem(r, status, type, title, detail));
}

int http_validation(struct http_req *r, const struct field_errors *fe)
{
    return http_validation_with(r, fe, NULL);
}

int http_validation_with(struct http_req *r, const struct field_errors *fe, json_t *extra)
{
    json_t *p = problem(r, 422, "validation", "Ошибка в данных запроса",
                        arena_printf(r->arena, "полей с ошибками: %d", fe->n));
    json_t *list = json_array();
    for (int i = 0; i < fe->n; i++)
        json_array_append_new(
            list, json_pack("{s:s, s:s}", "field", fe->e[i].field, "message", fe->e[i].message));
    json_object_set_new(p, "errors", list);
    if (p && extra)
        json_object_update_missing(p, extra);
    json_decref(extra);
    return send_json(r, 422, "application/problem+json; charset=utf-8", p);
}

int http_error(struct http_req *r, const struct err *e)
{
    switch (e->code) {
    case ERR_NOTFOUND:
        if (e->field[0]) { /* a referenced object the caller cannot see */
            struct field_errors fe = {0};
            fe_add(&fe, e->field, "%s", e->msg);
            return http_validation(r, &fe);
        }
        return http_problem(r, 404, "not-found", "Не найдено", e->msg);
    case ERR_CONFLICT: {
        json_t *p = problem(r, 409, "conflict", "Конфликт", e->msg);
        if (e->field[0])
            json_object_set_new(p, "errors",
                                json_pack("[{s:s, s:s}]", "field", e->field, "message", e->msg));
        return send_json(r, 409, "application/problem+json; charset=utf-8", p);
    }
    case ERR_INVALID: {
        struct field_errors fe = {0};
        fe_add(&fe, e->field[0] ? e->field : "", "%s", e->msg);
        return http_validation(r, &fe);
    }
    case ERR_FORBIDDEN: return http_problem(r, 403, "forbidden", "Недостаточно прав", e->msg);
    case ERR_AUTH: return http_problem(r, 401, "unauthenticated", "Требуется вход", e->msg);
    case ERR_THROTTLED: {
        http_header(r, "Retry-After", arena_printf(r->arena, "%ld", e->retry_after));
        return http_problem(
            r, 429, "too-many-requests", "Слишком много попыток",
            arena_printf(r->arena, "%s; повторите через %ld с", e->msg, e->retry_after));
    }
    default:
        log_write(LOG_ERROR, "internal error",
                  json_pack("{s:s, s:s, s:s}", "request_id", r->request_id, "code",
                            err_name(e->code), "detail", e->msg));
        return http_problem(r, 500, "internal", "Внутренняя ошибка",
                            "запрос не выполнен; сообщите администратору номер запроса");
    }
}

struct store_conn *http_db(struct http_req *r)
{
    if (r->db)
        return r->db;
    struct err e = {0};
    r->db = store_acquire(r->store, &e);
    if (!r->db) {
        log_write(LOG_ERROR, "database unavailable", json_pack("{s:s}", "detail", e.msg));
        http_problem(r, 503, "unavailable", "База данных недоступна", NULL);
    }
    return r->db;
}

const char *http_query(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->mhd, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_request_header(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->mhd, MHD_HEADER_KIND, name);
}

static bool is_json_media(const char *ct)
{
    static const char want[] = "application/json";
    return ct && strncasecmp(ct, want, sizeof want - 1) == 0 &&
           (ct[sizeof want - 1] == '\0' || ct[sizeof want - 1] == ';');
}

json_t *http_body_object(struct http_req *r)
{
    if (r->body_len && !is_json_media(r->content_type)) {
        http_problem(r, 415, "unsupported-media-type", "Неподдерживаемый тип данных",
                     "ожидается Content-Type: application/json");
        return NULL;
    }
    json_error_t je;
    json_t *v = json_loadb(r->body ? r->body : "", r->body_len,
                           JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
    if (!v) {
        http_problem(
            r, 400, "malformed-json", "Некорректный JSON",
            arena_printf(r->arena, "строка %d, столбец %d: %s", je.line, je.column, je.text));
        return NULL;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        http_problem(r, 400, "malformed-json", "Некорректный JSON", "ожидается объект JSON");
        return NULL;
    }
    return v;
}

static int64_t query_int(struct http_req *r, const char *name, int64_t dflt, int64_t min,
                         int64_t max, struct field_errors *fe)
{
    const char *s = http_query(r, name);
    if (!s)
        return dflt;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno || v < min || v > max) {
        fe_add(fe, name, "ожидается целое число от %lld до %lld", (long long)min, (long long)max);
        return dflt;
    }
    return v;
}

void http_page(struct http_req *r, struct page *pg, struct field_errors *fe)
{
    pg->page = query_int(r, "page", 1, 1, 1000000000, fe);
    pg->per_page = query_int(r, "per_page", 50, 1, 500, fe);
}

int64_t http_query_id(struct http_req *r, const char *name, struct field_errors *fe)
{
    return query_int(r, name, 0, 1, INT64_MAX, fe);
}

json_t *http_list(json_t *items, struct page pg, int64_t total)
{
    return json_pack("{s:o, s:I, s:I, s:I}", "items", items, "page", (json_int_t)pg.page,
                     "per_page", (json_int_t)pg.per_page, "total", (json_int_t)total);
}

struct audit_actor http_actor(struct http_req *r)
{
    struct audit_actor a = {.address = r->address, .request_id = r->request_id};
    if (r->session) {
        a.user_id = r->session->user.id;
        a.login = r->session->user.login;
    }
    return a;
}

int http_audit(struct http_req *r, struct store_conn *c, const char *action,
               struct audit_object obj, json_t *detail, struct err *e)
{
    struct audit_actor who = http_actor(r);
    int rc = audit_write(c, &who, action, &obj, detail, e);
    json_decref(detail);
    return rc;
}

void http_tx_end(struct store_conn *c, struct err *e)
{
    if (e->code == 0)
        store_commit(c, e);
    else
        store_rollback(c);
}

json_t *http_id(int64_t id)
{
    return id ? json_integer(id) : json_null();
}

json_t *http_str(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *http_money(int64_t kopecks)
{
    char buf[MONEY_FMT_SIZE];
    money_format(buf, sizeof buf, kopecks);
    return json_string(buf);
}

json_t *http_percent(int64_t num, int64_t den)
{
    char out[32] = "0.00";
    if (den > 0) {
        int64_t bp = (num * 20000 + den) / (2 * den); /* hundredths of a percent, half up */
        snprintf(out, sizeof out, "%lld.%02lld", (long long)(bp / 100), (long long)(bp % 100));
    }
    return json_string(out);
}

const char *http_time(struct http_req *r, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char buf[32];
    gmtime_r(&tt, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return arena_strdup(r->arena, buf);
}
