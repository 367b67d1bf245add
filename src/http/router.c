/* router.c — matching a request to a route, then the two gates every route
 * passes before its handler: who is calling (session) and whether their role
 * has the route's right. */
#include "http/http.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

/* Matches path against pattern; fills ids for {id} segments. */
static bool match(const char *pattern, const char *path, int64_t ids[4])
{
    int nid = 0;
    while (*pattern && *path) {
        if (strncmp(pattern, "{id}", 4) == 0) {
            char *end;
            long long v = strtoll(path, &end, 10);
            if (end == path || v <= 0 || *path == '+' || *path == '-' || nid == 4)
                return false;
            ids[nid++] = v;
            pattern += 4;
            path = end;
            continue;
        }
        if (*pattern++ != *path++)
            return false;
    }
    return !*pattern && !*path;
}

/* The session token from "Authorization: Bearer …" or the cookie. */
static const char *find_token(struct http_req *r)
{
    const char *auth =
        MHD_lookup_connection_value(r->mhd, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (auth && strncasecmp(auth, "Bearer ", 7) == 0)
        return auth + 7;
    return MHD_lookup_connection_value(r->mhd, MHD_COOKIE_KIND, "upravdom_session");
}

static int authenticate(struct http_req *r)
{
    const char *token = find_token(r);
    if (!token)
        return http_problem(r, 401, "unauthenticated", "Требуется вход", "нет сессии"), -1;
    struct store_conn *c = http_db(r);
    if (!c)
        return -1;
    struct auth_session *s = arena_alloc(r->arena, sizeof *s);
    struct err e = {0};
    if (!s)
        return http_problem(r, 500, "internal", "Внутренняя ошибка", NULL), -1;
    if (auth_session_find(c, token, r->arena, s, &e))
        return http_error(r, &e), -1;
    r->session = s;
    return 0;
}

static void method_not_allowed(struct http_req *r)
{
    char *allow = arena_strdup(r->arena, "");
    int64_t ids[4];
    for (const struct route *rt = http_routes; rt->method; rt++)
        if (match(rt->pattern, r->path, ids))
            allow = arena_printf(r->arena, "%s%s%s", allow, *allow ? ", " : "", rt->method);
    http_header(r, "Allow", allow);
    http_problem(r, 405, "method-not-allowed", "Метод не поддерживается",
                 arena_printf(r->arena, "%s не поддерживается; допустимо: %s", r->method, allow));
}

int http_dispatch(struct http_req *r)
{
    bool path_known = false;
    for (const struct route *rt = http_routes; rt->method; rt++) {
        int64_t ids[4] = {0};
        if (!match(rt->pattern, r->path, ids))
            continue;
        path_known = true;
        if (strcmp(rt->method, r->method) != 0)
            continue;
        r->route = rt;
        memcpy(r->ids, ids, sizeof ids);
        if (rt->right != RIGHT_NONE && authenticate(r))
            return 0;
        if (r->session && !auth_role_has(r->session->user.role, rt->right))
            return http_problem(
                r, 403, "forbidden", "Недостаточно прав",
                arena_printf(r->arena, "нужно право %s", auth_right_name(rt->right)));
        return rt->fn(r);
    }
    if (path_known) {
        method_not_allowed(r);
        return 0;
    }
    return http_problem(r, 404, "not-found", "Не найдено",
                        arena_printf(r->arena, "нет такого адреса: %s", r->path));
}
