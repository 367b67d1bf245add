/* cmd_serve.c — `upravdom serve` and `upravdom migrate`. */
#include "cli/cli.h"

#include "auth/auth.h"
#include "base/log.h"
#include "http/http.h"

#include <signal.h>
#include <stdio.h>

int cli_serve_until_signal(struct cli *c, struct store *store)
{
    struct err e = {0};
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    /* Blocked before the server's threads start, so only sigwait sees them. */
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct http_server *srv;
    if (http_start(&c->cfg, store, &srv, &e)) {
        cli_error(c, "--%s: %s", e.field[0] ? e.field : "listen", e.msg);
        return EXIT_FAIL;
    }
    log_write(LOG_INFO, "listening",
              json_pack("{s:s, s:s, s:i}", "url", http_url(srv), "backend",
                        store_backend_name(store), "threads", c->cfg.threads));
    int sig = 0;
    sigwait(&stop, &sig);
    log_write(LOG_INFO, "stopping", json_pack("{s:i}", "signal", sig));
    http_stop(srv);
    return EXIT_OK;
}

int cmd_serve(int argc, char **argv)
{
    struct cli c;
    int rc =
        cli_setup(&c, "serve", "serve [--db URL] [--listen HOST:PORT] [--threads N] [--web DIR]",
                  NULL, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    struct err e = {0};
    if (auth_init(2, &e)) {
        cli_error(&c, "%s", e.msg);
        return EXIT_FAIL;
    }
    if (c.cfg.pool < c.cfg.threads)
        c.cfg.pool = c.cfg.threads; /* each HTTP thread may hold one connection */
    struct store *store;
    if ((rc = cli_open_store(&c, &store)))
        return rc;
    rc = cli_serve_until_signal(&c, store);
    store_close(store);
    return rc;
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
