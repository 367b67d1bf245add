/* api_auth.c — login, logout and "who am I". */
#include "http/http.h"

#include "audit/audit.h"

int api_login(struct http_req *r)
{
    json_t *body = http_body_object(r);
    if (!body)
        return 0;
    const char *login = NULL, *password = NULL;
    struct field_errors fe = {0};
    struct jv_field fields[] = {{"login", JV_STRING, true, 64, &login, NULL},
                                {"password", JV_STRING, true, 1024, &password, NULL},
                                {NULL}};
    jv_read(body, fields, r->arena, &fe);
    json_decref(body);
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    if (!c)
        return 0;
    struct auth_session s = {0};
    char token[AUTH_TOKEN_LEN + 1];
    struct err e = {0};
    if (auth_login(c, login, password, r->address, r->request_id, r->cfg->session_ttl, r->arena, &s,
                   token, &e))
        return http_error(r, &e);
    r->session = arena_alloc(r->arena, sizeof *r->session);
    if (r->session)
        *r->session = s;
    http_header(r, "Set-Cookie",
                arena_printf(r->arena,
                             "upravdom_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%ld",
                             token, r->cfg->session_ttl));
    http_header(r, "Cache-Control", "no-store");
    return http_json(r, 200,
                     json_pack("{s:s, s:s, s:o}", "token", token, "expires_at",
                               http_time(r, store_now() + r->cfg->session_ttl), "user",
                               json_user(r, &s.user)));
}

int api_logout(struct http_req *r)
{
    struct store_conn *c = http_db(r);
    struct err e = {0};
    struct audit_actor who = http_actor(r);
    const struct user *u = &r->session->user;
    struct audit_object obj = {"user", u->id, u->region_id, u->municipality_id, u->org_id};
    if (!c)
        return 0;
    if (store_begin(c, &e) || auth_logout(c, r->session, &e) ||
        audit_write(c, &who, "auth.logout", &obj, NULL, &e) || store_commit(c, &e))
        return http_error(r, &e);
    http_header(r, "Set-Cookie", "upravdom_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    return http_no_content(r);
}

int api_me(struct http_req *r)
{
    return http_json(r, 200, json_user(r, &r->session->user));
}
