/* cmd_serve.c — `upravdom serve`, `upravdom worker` and `upravdom migrate`. */
#include "cli/cli.h"

#include "auth/auth.h"
#include "base/log.h"
#include "http/http.h"
#include "jobs/jobs.h"

#include <signal.h>
#include <stdio.h>

/* SIGINT and SIGTERM are blocked before any thread starts, so that only the
 * main thread receives them, with sigwait. */
static void block_stop_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int cli_serve_until_signal(struct cli *c, struct store *store, const struct worker_opts *wo)
{
    struct err e = {0};
    sigset_t stop;
    block_stop_signals(&stop);
    struct worker_pool *pool = NULL;
    char documents[sizeof c->cfg.documents + 16];
    config_documents_dir(&c->cfg, documents, sizeof documents);
    struct worker_opts with_dir = wo ? *wo : (struct worker_opts){0};
    with_dir.documents = documents;
    if (wo && (wo->workers > 0 || wo->tick > 0) && worker_pool_start(store, &with_dir, &pool, &e)) {
        cli_error(c, "%s", e.msg);
        return EXIT_FAIL;
    }
    struct http_server *srv;
    if (http_start(&c->cfg, store, &srv, &e)) {
        cli_error(c, "--%s: %s", e.field[0] ? e.field : "listen", e.msg);
        worker_pool_stop(pool);
        return EXIT_FAIL;
    }
    log_write(LOG_INFO, "listening",
              json_pack("{s:s, s:s, s:i}", "url", http_url(srv), "backend",
                        store_backend_name(store), "threads", c->cfg.threads));
    int sig = 0;
    sigwait(&stop, &sig);
    log_write(LOG_INFO, "stopping", json_pack("{s:i}", "signal", sig));
    http_stop(srv);
    worker_pool_stop(pool);
    return EXIT_OK;
}

/* Flags shared by serve, demo and worker for the worker pool. */
#define WORKER_FLAGS(w)                                                                            \
    {"workers", FLAG_INT, &(w)[0], "job worker threads (0: none)"},                                \
        {"lease", FLAG_INT, &(w)[1], "seconds a worker holds a job between renewals (2-3600)"},    \
        {"tick", FLAG_INT, &(w)[2], "seconds between scheduler ticks (0: no scheduler)"},          \
        {"backoff", FLAG_INT, &(w)[3], "seconds before the first retry of a failed job"},          \
    {                                                                                              \
        "poll-ms", FLAG_INT, &(w)[4], "milliseconds an idle worker waits between claims"           \
    }

/* Checks the numbers given with WORKER_FLAGS and fills wo. */
static int worker_opts_from(struct cli *c, const long w[5], struct worker_opts *wo)
{
    static const char *const names[] = {"workers", "lease", "tick", "backoff", "poll-ms"};
    static const long lo[] = {0, 2, 0, 0, 10}, hi[] = {256, 3600, 86400, 3600, 60000};
    for (int i = 0; i < 5; i++)
        if (w[i] < lo[i] || w[i] > hi[i]) {
            cli_error(c, "--%s: expected %ld to %ld, got %ld", names[i], lo[i], hi[i], w[i]);
            return EXIT_USAGE;
        }
    *wo = (struct worker_opts){(int)w[0], (int)w[1], (int)w[4], (int)w[3], (int)w[2], false};
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    struct cli c;
    long w[5] = {2, 30, 15, 2, 200};
    const struct flag flags[] = {WORKER_FLAGS(w), {NULL}};
    int rc = cli_setup(&c, "serve",
                       "serve [--db URL] [--listen HOST:PORT] [--threads N] [--web DIR] "
                       "[--workers N]",
                       flags, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    struct worker_opts wo;
    struct err e = {0};
    if ((rc = worker_opts_from(&c, w, &wo)))
        return rc;
    if (auth_init(2, &e)) {
        cli_error(&c, "%s", e.msg);
        return EXIT_FAIL;
    }
    /* Each HTTP thread and each worker may hold a connection, plus the
     * heartbeat and the scheduler. */
    if (c.cfg.pool < c.cfg.threads + wo.workers + 2)
        c.cfg.pool = c.cfg.threads + wo.workers + 2;
    struct store *store;
    if ((rc = cli_open_store(&c, &store)))
        return rc;
    rc = cli_serve_until_signal(&c, store, &wo);
    store_close(store);
    return rc;
}

int cmd_worker(int argc, char **argv)
{
    struct cli c;
    long w[5] = {2, 30, 15, 2, 200};
    bool idle_exit = false;
    const struct flag flags[] = {
        WORKER_FLAGS(w),
        {"exit-when-idle", FLAG_BOOL, &idle_exit, "exit once nothing is queued or running"},
        {NULL}};
    int rc = cli_setup(&c, "worker", "worker [--db URL] [--workers N] [--lease S] [--tick S]",
                       flags, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    struct worker_opts wo;
    if ((rc = worker_opts_from(&c, w, &wo)))
        return rc;
    wo.exit_when_idle = idle_exit;
    char documents[sizeof c.cfg.documents + 16];
    config_documents_dir(&c.cfg, documents, sizeof documents);
    wo.documents = documents;
    if (wo.workers < 1) {
        cli_error(&c, "--workers: a worker needs at least 1");
        return EXIT_USAGE;
    }
    if (c.cfg.pool < wo.workers + 2)
        c.cfg.pool = wo.workers + 2;
    struct store *store;
    if ((rc = cli_open_store(&c, &store)))
        return rc;
    sigset_t stop;
    block_stop_signals(&stop);
    struct worker_pool *pool;
    struct err e = {0};
    if (worker_pool_start(store, &wo, &pool, &e)) {
        cli_error(&c, "%s", e.msg);
        store_close(store);
        return EXIT_FAIL;
    }
    const struct timespec beat = {0, 100 * 1000000L};
    while (sigtimedwait(&stop, NULL, &beat) < 0 && !worker_pool_drained(pool))
        ;
    worker_pool_stop(pool);
    store_close(store);
    return EXIT_OK;
}

int cmd_migrate(int argc, char **argv)
{
    struct cli c;
    int rc = cli_setup(&c, "migrate", "migrate [--db URL]", NULL, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    struct err e = {0};
    struct store *store;
    if (store_open(c.cfg.db, 1, &store, &e)) {
        cli_error(&c, "--db: %s", e.msg);
        return EXIT_USAGE;
    }
    int applied = 0;
    int64_t version = 0;
    if (store_migrate(store, &applied, &e) || store_schema_version(store, &version, &e)) {
        cli_error(&c, "%s", e.msg);
        store_close(store);
        return EXIT_FAIL;
    }
    printf("%s: applied %d migration(s); schema version %lld\n", c.cfg.db, applied,
           (long long)version);
    store_close(store);
    return EXIT_OK;
}
