/* cmd_demo.c — `upravdom demo`: generate the demo region and serve it. */
#include "cli/cli.h"

#include "auth/auth.h"
#include "demo/demo.h"
#include "jobs/jobs.h"

#include <stdio.h>

static void print_logins(const struct cli *c)
{
    printf("\nupravdom demo: %s\n"
           "Open http://%s:%d/ and sign in (password for every login: %s):\n"
           "  admin       администратор\n"
           "  region      региональный оператор (ЦУР)\n"
           "  mun1, mun2  муниципальный оператор (МЦУР) муниципалитета 1, 2\n"
           "  uo1         управляющая организация;  rso1  ресурсоснабжающая;\n"
           "  eirc1       ЕИРЦ;  tko1  региональный оператор ТКО;  uo2  УО муниципалитета 2\n"
           "  resident1   житель\n\n",
           c->cfg.db, c->cfg.host, c->cfg.port, DEMO_PASSWORD);
    fflush(stdout);
}

int cmd_demo(int argc, char **argv)
{
    struct cli c;
    long seed = 1, municipalities = 3, orgs = 4, residents = 10, houses = 20;
    bool no_serve = false;
    const struct flag flags[] = {
        {"seed", FLAG_INT, &seed, "generator seed (same seed, same data)"},
        {"municipalities", FLAG_INT, &municipalities, "municipalities (2-10000, default 3)"},
        {"orgs-per-municipality", FLAG_INT, &orgs, "organizations in each (4-1000, default 4)"},
        {"residents", FLAG_INT, &residents, "resident users in each (1-100000, default 10)"},
        {"houses", FLAG_INT, &houses,
         "apartment buildings in each, plus 1/4 as many detached houses (0-100000, default 20)"},
        {"no-serve", FLAG_BOOL, &no_serve, "generate only, do not serve"},
        {NULL}};
    int rc =
        cli_setup(&c, "demo", "demo [--db URL] [--seed N] [sizes] [--no-serve]", flags, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (municipalities < 2 || municipalities > 10000 || orgs < 4 || orgs > 1000 || residents < 1 ||
        residents > 100000 || seed < 0 || houses < 0 || houses > 100000) {
        cli_error(&c, "%s out of range (see --help)",
                  municipalities < 2 || municipalities > 10000 ? "--municipalities"
                  : orgs < 4 || orgs > 1000                    ? "--orgs-per-municipality"
                  : seed < 0                                   ? "--seed"
                  : houses < 0 || houses > 100000              ? "--houses"
                                                               : "--residents");
        return EXIT_USAGE;
    }
    struct err e = {0};
    if (auth_init(2, &e)) {
        cli_error(&c, "%s", e.msg);
        return EXIT_FAIL;
    }
    if (c.cfg.pool < c.cfg.threads + 4)
        c.cfg.pool = c.cfg.threads + 4; /* HTTP threads, 2 workers, heartbeat, scheduler */
    struct store *store;
    if ((rc = cli_open_store(&c, &store)))
        return rc;
    struct demo_opts o = {(uint64_t)seed, (int)municipalities, (int)orgs, (int)residents,
                          (int)houses};
    rc = demo_generate(store, &o, &e);
    if (rc == ERR_CONFLICT) {
        fprintf(stderr, "upravdom demo: %s: keeping what is there\n", c.cfg.db);
    } else if (rc) {
        cli_error(&c, "%s", e.msg);
        store_close(store);
        return EXIT_FAIL;
    }
    if (!no_serve) {
        print_logins(&c);
        struct worker_opts wo = {
            .workers = 2, .lease = 30, .poll_ms = 200, .backoff = 2, .tick = 15};
        rc = cli_serve_until_signal(&c, store, &wo);
    } else {
        rc = EXIT_OK;
    }
    store_close(store);
    return rc;
}
