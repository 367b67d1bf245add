/* bench_jobs.c — empty jobs claimed and completed per second by a worker pool
 * of 1, 2 and 4 workers on one database (issue: background jobs). The
 * baseline is the 1-worker run of the same process; the ratio is the
 * 4-worker throughput over it.
 *
 *   bench_jobs DB-URL [JOBS]      (default 20000 jobs per run) */
#include "base/log.h"
#include "jobs/jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int enqueue(struct store *s, long n, struct err *e)
{
    struct store_conn *c = store_acquire(s, e);
    struct job_new j = {.kind = "noop"};
    int64_t id;
    int rc = c ? store_begin(c, e) : ERR_DB;
    for (long i = 0; rc == 0 && i < n; i++)
        rc = job_enqueue(c, &j, &id, e);
    if (rc == 0)
        rc = store_commit(c, e);
    store_release(c);
    return rc;
}

/* Jobs per second with `workers` threads draining n queued jobs. */
static int run(struct store *s, int workers, long n, double *rate, struct err *e)
{
    if (enqueue(s, n, e))
        return e->code;
    struct worker_opts o = {
        .workers = workers, .lease = 30, .poll_ms = 5, .backoff = 1, .exit_when_idle = true};
    struct worker_pool *p;
    double t0 = seconds();
    if (worker_pool_start(s, &o, &p, e))
        return e->code;
    while (!worker_pool_drained(p))
        nanosleep(&(struct timespec){0, 2000000L}, NULL);
    double t = seconds() - t0;
    worker_pool_stop(p);
    *rate = (double)n / t;
    printf("  %d worker(s): %ld jobs in %.2f s, %.0f jobs/s\n", workers, n, t, *rate);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_jobs DB-URL [JOBS]\n");
        return 2;
    }
    long n = argc > 2 ? atol(argv[2]) : 20000;
    log_set_level(LOG_ERROR);
    struct err e = {0};
    struct store *s;
    if (store_open(argv[1], 8, &s, &e) || store_migrate(s, NULL, &e)) {
        fprintf(stderr, "bench_jobs: %s\n", e.msg);
        return 1;
    }
    printf("bench_jobs: %s, %ld empty jobs per run\n", store_backend_name(s), n);
    const int counts[] = {1, 2, 4};
    double rate[3] = {0};
    for (int i = 0; i < 3; i++)
        if (run(s, counts[i], n, &rate[i], &e)) {
            fprintf(stderr, "bench_jobs: %s\n", e.msg);
            store_close(s);
            return 1;
        }
    printf("{\"bench\": \"jobs\", \"backend\": \"%s\", \"figures\": {\"jobs\": %ld,"
           " \"jobs_per_s_1\": %.0f, \"jobs_per_s_2\": %.0f, \"jobs_per_s_4\": %.0f},"
           " \"baseline\": {\"jobs_per_s_1\": %.0f}, \"ratio\": %.2f}\n",
           store_backend_name(s), n, rate[0], rate[1], rate[2], rate[0], rate[2] / rate[0]);
    store_close(s);
    return 0;
}
