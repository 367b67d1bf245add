/* server.c — the libmicrohttpd server: one request = one struct http_req with
 * its arena. The body is collected chunk by chunk; the response is queued only
 * on the final call, so connections stay alive (PITFALLS.md). Each finished
 * request writes one JSON log line and its metrics. */
#include "http/http.h"

#include "base/log.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct http_server {
    struct MHD_Daemon *daemon;
    const struct config *cfg;
    struct store *store;
    char url[96];
    pthread_mutex_t lock; /* guards: */
    pthread_cond_t idle;  /* signalled when deferred drops to 0 */
    int deferred;         /* requests suspended by http_defer */
    bool stopping;        /* http_stop has begun: no more deferrals */
};

/* Per-request state kept by MHD between calls. */
struct pending {
    struct http_req req;
    struct timespec start;
    bool handled; /* the handler has run */
};

int http_dispatch(struct http_req *r); /* router.c */
int http_static(struct http_req *r);   /* static.c */

static void make_request_id(struct http_req *r, struct MHD_Connection *conn)
{
    const char *given = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
    size_t n = given ? strlen(given) : 0;
    if (n >= 1 && n <= 64 &&
        strspn(given, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n) {
        memcpy(r->request_id, given, n + 1);
        return;
    }
    unsigned char raw[8];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(r->request_id, sizeof r->request_id, raw, sizeof raw);
}

static void client_address(struct http_req *r, struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(r->address, sizeof r->address, "unknown");
    if (!ci || !ci->client_addr)
        return;
    if (ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, r->address,
                  sizeof r->address);
    else if (ci->client_addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, r->address,
                  sizeof r->address);
}

static struct pending *begin(struct http_server *srv, struct MHD_Connection *conn, const char *url,
                             const char *method)
{
    struct pending *p = calloc(1, sizeof *p);
    struct arena *a = p ? arena_new() : NULL;
    if (!a) {
        free(p);
        return NULL;
    }
    clock_gettime(CLOCK_MONOTONIC, &p->start);
    struct http_req *r = &p->req;
    r->arena = a;
    r->resp_fd = -1;
    r->cfg = srv->cfg;
    r->store = srv->store;
    r->mhd = conn;
    r->server = srv;
    r->method = arena_strdup(a, method);
    r->path = arena_strdup(a, url);
    const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
    r->content_type = ct ? arena_strdup(a, ct) : NULL;
    make_request_id(r, conn);
    client_address(r, conn);
    const char *len = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    if (len && strtoll(len, NULL, 10) > r->cfg->max_body)
        r->body_too_large = true;
    return p;
}

/* Appends a body chunk, or marks the body too large and drops it. */
static void take_chunk(struct http_req *r, const char *data, size_t size)
{
    if (r->body_too_large || r->body_len + size > (size_t)r->cfg->max_body) {
        r->body_too_large = true;
        return;
    }
    char *grown = realloc(r->body, r->body_len + size + 1);
    if (!grown) {
        r->body_too_large = true;
        return;
    }
    memcpy(grown + r->body_len, data, size);
    r->body = grown;
    r->body_len += size;
    r->body[r->body_len] = '\0';
}

static enum MHD_Result send_response(struct http_req *r)
{
    struct MHD_Response *resp;
    if (r->resp_fd >= 0) {
        /* MHD closes the descriptor when it destroys the response; until
         * it has one, the request does (on_completed). */
        resp = MHD_create_response_from_fd64(r->resp_fd_len, r->resp_fd);
        if (!resp)
            return MHD_NO;
        r->resp_fd = -1;
    } else {
        resp = MHD_create_response_from_buffer(
            r->resp_len, r->resp_body ? r->resp_body : (char *)"",
            r->resp_body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
        if (!resp)
            return MHD_NO;
        r->resp_body = NULL; /* MHD owns it now */
    }
    if (r->resp_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->resp_type);
    MHD_add_response_header(resp, "X-Request-Id", r->request_id);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    for (int i = 0; i < r->nheaders; i++)
        MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
    enum MHD_Result ret = MHD_queue_response(r->mhd, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void handle(struct http_req *r)
{
    if (r->body_too_large) {
        http_problem(r, 413, "payload-too-large", "Слишком большой запрос",
                     arena_printf(r->arena, "тело запроса больше %ld байт", r->cfg->max_body));
        return;
    }
    if (strncmp(r->path, "/api/", 5) == 0 || strcmp(r->path, "/healthz") == 0 ||
        strcmp(r->path, "/metrics") == 0)
        http_dispatch(r);
    else
        http_static(r);
    if (!r->status)
        http_problem(r, 500, "internal", "Внутренняя ошибка", "обработчик не дал ответа");
}

bool http_defer(struct http_req *r, http_finish fn, void *arg)
{
    struct http_server *s = r->server;
    pthread_mutex_lock(&s->lock);
    bool ok = !s->stopping;
    if (ok) {
        s->deferred++;
        r->finish = fn;
        r->finish_arg = arg;
        MHD_suspend_connection(r->mhd);
    }
    pthread_mutex_unlock(&s->lock);
    if (!ok) {
        http_header(r, "Connection", "close");
        http_problem(r, 503, "unavailable", "Сервер останавливается", "повторите запрос");
        return false;
    }
    store_release(r->db);
    r->db = NULL;
    return true;
}

void http_resume(struct http_req *r)
{
    MHD_resume_connection(r->mhd);
}

/* The request no longer counts as deferred (http_stop waits for none). */
static void undefer(struct http_req *r)
{
    struct http_server *s = r->server;
    r->finish = NULL;
    pthread_mutex_lock(&s->lock);
    if (--s->deferred == 0)
        pthread_cond_broadcast(&s->idle);
    pthread_mutex_unlock(&s->lock);
}

/* A deferred request is back on its MHD thread: its response. */
static void finish(struct http_req *r)
{
    r->finish(r, r->finish_arg);
    undefer(r);
    if (!r->status)
        http_problem(r, 500, "internal", "Внутренняя ошибка", "обработчик не дал ответа");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct pending *p = *con_cls;
    if (!p) {
        p = begin(cls, conn, url, method);
        if (!p)
            return MHD_NO;
        *con_cls = p;
        return MHD_YES;
    }
    if (*upload_data_size) {
        take_chunk(&p->req, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    struct http_req *r = &p->req;
    if (!p->handled) {
        p->handled = true;
        handle(r);
        if (r->finish)
            return MHD_YES; /* suspended by http_defer */
    } else if (r->finish) {
        finish(r);
    }
    return send_response(r);
}

static void log_request(struct http_req *r, double seconds)
{
    json_t *f =
        json_pack("{s:s, s:s, s:s, s:s, s:i, s:f, s:s}", "request_id", r->request_id, "method",
                  r->method, "path", r->path, "route", r->route ? r->route->pattern : "", "status",
                  r->status, "duration_ms", seconds * 1000.0, "address", r->address);
    if (f && r->session)
        json_object_set_new(f, "user_id", json_integer(r->session->user.id));
    log_write(r->status >= 500 ? LOG_ERROR : LOG_INFO, "request", f);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)conn, (void)toe;
    struct pending *p = *con_cls;
    if (!p)
        return;
    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds =
        (double)(end.tv_sec - p->start.tv_sec) + (double)(end.tv_nsec - p->start.tv_nsec) / 1e9;
    struct http_req *r = &p->req;
    if (r->finish) /* resumed, then closed before its response */
        undefer(r);
    if (r->status) {
        metrics_record(r->route, r->status, seconds);
        log_request(r, seconds);
    }
    store_release(r->db);
    free(r->body);
    free(r->resp_body);
    if (r->resp_fd >= 0) /* a file response never handed to MHD */
        close(r->resp_fd);
    arena_free(r->arena);
    free(p);
    *con_cls = NULL;
}

/* libmicrohttpd's own messages, as JSON log lines like everything else. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    log_write(LOG_WARN, "libmicrohttpd", json_pack("{s:s}", "detail", msg));
}

int http_start(const struct config *cfg, struct store *store, struct http_server **out,
               struct err *e)
{
    struct http_server *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(e, ERR_NOMEM, "out of memory");
    s->cfg = cfg;
    s->store = store;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->idle, NULL);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg->port)};
    inet_pton(AF_INET, cfg->host, &addr.sin_addr);
    s->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                                     MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME,
                                 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log,
                                 NULL, MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_THREAD_POOL_SIZE,
                                 (unsigned)cfg->threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
                                 s, MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_END);
    if (!s->daemon) {
        pthread_cond_destroy(&s->idle);
        pthread_mutex_destroy(&s->lock);
        free(s);
        return err_field(e, ERR_IO, "listen", "cannot listen on %s (address in use?)", cfg->listen);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(s->url, sizeof s->url, "http://%s:%u", cfg->host, info ? info->port : cfg->port);
    *out = s;
    return 0;
}

const char *http_url(const struct http_server *s)
{
    return s->url;
}

void http_stop(struct http_server *s)
{
    if (!s)
        return;
    /* MHD must not be stopped with a suspended connection: let the deferred
     * requests finish, and defer no more. */
    pthread_mutex_lock(&s->lock);
    s->stopping = true;
    while (s->deferred > 0)
        pthread_cond_wait(&s->idle, &s->lock);
    pthread_mutex_unlock(&s->lock);
    MHD_stop_daemon(s->daemon);
    pthread_cond_destroy(&s->idle);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
