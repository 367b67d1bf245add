/* demo.c — running the generator's stages. */
#include "demo/demo.h"

#include "auth/auth.h"
#include "base/log.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

const struct demo_stage demo_stages[] = {
    {"directory", demo_stage_directory},
    {"registry", demo_stage_registry},
    {"meters", demo_stage_meters},
    {"billing", demo_stage_billing}, /* services, tariffs, norms */
    {"jobs", demo_stage_jobs},
    {NULL, NULL},
};

uint64_t demo_rand(struct demo_ctx *d)
{
    uint64_t z = (d->rng += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

uint64_t demo_below(struct demo_ctx *d, uint64_t n)
{
    return n ? demo_rand(d) % n : 0;
}

static int run_stage(struct demo_ctx *d, const struct demo_stage *st, struct err *e)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    d->rows = 0;
    int rc = store_begin(d->c, e);
    if (rc == 0 && (rc = st->run(d, e)) == 0)
        rc = store_commit(d->c, e);
    if (rc) {
        store_rollback(d->c);
        return rc;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double sec = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (isatty(STDERR_FILENO))
        fprintf(stderr, "demo: %-12s %10lld rows  %.2f s\n", st->name, (long long)d->rows, sec);
    else
        log_write(LOG_INFO, "demo stage",
                  json_pack("{s:s, s:I, s:f}", "stage", st->name, "rows", (json_int_t)d->rows,
                            "seconds", sec));
    return 0;
}

/* The billing runs, timed and reported like a stage. */
static int bill_stage(struct store *s, struct err *e)
{
    struct timespec t0, t1;
    int64_t rows = 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = demo_bills(s, &rows, e);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double sec = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (rc)
        return rc;
    if (isatty(STDERR_FILENO))
        fprintf(stderr, "demo: %-12s %10lld rows  %.2f s\n", "bills", (long long)rows, sec);
    else
        log_write(LOG_INFO, "demo stage",
                  json_pack("{s:s, s:I, s:f}", "stage", "bills", "rows", (json_int_t)rows,
                            "seconds", sec));
    return 0;
}

int demo_generate(struct store *s, const struct demo_opts *o, struct err *e)
{
    struct demo_ctx d = {.opt = *o, .rng = o->seed};
    char hash[crypto_pwhash_STRBYTES];
    int rc = auth_password_hash(DEMO_PASSWORD, hash, e);
    if (rc)
        return rc;
    d.password_hash = hash;
    if (!(d.c = store_acquire(s, e)))
        return e->code;
    int64_t regions = 0;
    if ((rc = store_query_int(d.c, "SELECT count(*) FROM regions", NULL, 0, &regions, e)) == 0 &&
        regions)
        rc = err_set(e, ERR_CONFLICT, "the database already holds data; demo needs an empty one");
    if (rc == 0 && !(d.a = arena_new()))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    for (const struct demo_stage *st = demo_stages; rc == 0 && st->name; st++)
        rc = run_stage(&d, st, e);
    arena_free(d.a);
    store_release(d.c);
    if (rc == 0)
        rc = bill_stage(s, e);
    return rc;
}
