/* bench_http.c — what the HTTP layer itself costs: requests per second and
 * p99 latency of an authenticated JSON read (GET /api/v1/me: session lookup,
 * scope, one query, JSON) against the bare GET /healthz as the baseline, both
 * from CLIENTS keep-alive connections of the in-process load generator
 * (bench/loadgen.h) to a server started in the same process.
 *
 *   bench_http DB-URL [REQUESTS] [CLIENTS]      (DB-URL: an empty database) */
#include "auth/auth.h"
#include "base/arena.h"
#include "base/config.h"
#include "base/log.h"
#include "directory/directory.h"
#include "http/http.h"
#include "loadgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct store_scope system_scope = {.kind = SCOPE_SYSTEM};

static void next_get(void *arg, int client, long seq, struct loadgen_req *out, char *buf,
                     size_t size)
{
    (void)client, (void)seq, (void)buf, (void)size;
    *out = (struct loadgen_req){"GET", arg, NULL};
}

/* An administrator and a session for them; the token into token. */
static int make_session(struct store *s, char *token, struct err *e)
{
    struct store_conn *c = store_acquire(s, e);
    struct arena *a = arena_new();
    char hash[crypto_pwhash_STRBYTES];
    struct user u = {.login = "bench", .full_name = "Нагрузка", .role = "admin", .active = true};
    struct auth_session session;
    int rc = !c || !a ? ERR_NOMEM : auth_password_hash("bench-password-1", hash, e);
    if (rc == 0 && (rc = store_begin(c, e)) == 0) {
        rc = dir_user_create(c, &system_scope, &u, hash, a, e);
        rc = rc ? rc : store_commit(c, e);
        if (rc)
            store_rollback(c);
    }
    if (rc == 0)
        rc = auth_login(c, "bench", "bench-password-1", "127.0.0.1", "bench", 3600, a, &session,
                        token, e);
    arena_free(a);
    if (c)
        store_release(c);
    return rc;
}

static int load(const char *url, const char *token, const char *path, long n, int clients,
                struct loadgen_result *r)
{
    struct loadgen_opts o = {.base_url = url,
                             .token = token,
                             .clients = clients,
                             .requests = n,
                             .expect_status = 200,
                             .next = next_get,
                             .arg = (void *)path};
    if (loadgen_run(&o, r))
        return -1;
    printf("  %-14s %ld ok, %ld failed in %.2f s: %.0f req/s, p50 %.2f ms, p99 %.2f ms\n", path,
           r->ok, r->failed, r->seconds, r->per_s, r->p50_ms, r->p99_ms);
    if (r->failed)
        fprintf(stderr, "bench_http: %s answered %d\n", path, r->first_bad_status);
    return r->failed ? -1 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_http DB-URL [REQUESTS] [CLIENTS]\n");
        return 2;
    }
    long n = argc > 2 ? atol(argv[2]) : 100000;
    int clients = argc > 3 ? atoi(argv[3]) : 16;
    log_set_level(LOG_WARN);
    struct config cfg;
    config_defaults(&cfg);
    snprintf(cfg.listen, sizeof cfg.listen, "127.0.0.1:0");
    snprintf(cfg.host, sizeof cfg.host, "127.0.0.1");
    cfg.port = 0;
    cfg.pool = cfg.threads + 2;
    struct err e = {0};
    struct store *s = NULL;
    struct http_server *srv = NULL;
    char token[AUTH_TOKEN_LEN + 1];
    if (auth_init(2, &e) || store_open(argv[1], cfg.pool, &s, &e) || store_migrate(s, NULL, &e) ||
        make_session(s, token, &e) || http_start(&cfg, s, &srv, &e)) {
        fprintf(stderr, "bench_http: %s (an empty database is needed)\n", e.msg);
        store_close(s);
        return 1;
    }
    printf("bench_http: %s, %ld requests a run, %d keep-alive clients, %d server threads\n",
           store_backend_name(s), n, clients, cfg.threads);
    struct loadgen_result base, me;
    int rc = load(http_url(srv), NULL, "/healthz", n, clients, &base);
    if (rc == 0)
        rc = load(http_url(srv), token, "/api/v1/me", n, clients, &me);
    http_stop(srv);
    if (rc == 0)
        printf("{\"bench\": \"http\", \"backend\": \"%s\", \"figures\": {\"requests\": %ld,"
               " \"clients\": %d, \"me_per_s\": %.0f, \"me_p99_ms\": %.2f},"
               " \"baseline\": {\"healthz_per_s\": %.0f, \"healthz_p99_ms\": %.2f},"
               " \"ratio\": %.2f}\n",
               store_backend_name(s), n, clients, me.per_s, me.p99_ms, base.per_s, base.p99_ms,
               base.per_s > 0 ? me.per_s / base.per_s : 0);
    store_close(s);
    return rc ? 1 : 0;
}
