/* worker.c — the worker pool: N threads claim and run jobs, one heartbeat
 * thread renews their leases (carrying progress and bringing back cancel
 * requests), and an optional scheduler thread ticks the schedules. */
#include "jobs/jobs.h"

#include "base/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct job_ctx {
    struct worker_pool *pool;
    struct job job;      /* the claimed row */
    json_t *payload;     /* parsed payload */
    int64_t done, total; /* progress reported; total -1 until reported */
    bool cancel;         /* a cancel was requested */
    bool lost;           /* the heartbeat found the lease gone */
};

struct slot {
    pthread_t thread;
    char owner[96];          /* "host:pid:n" */
    struct job_ctx *running; /* guarded by pool->lock */
    bool idle;               /* the last claim found nothing */
    struct worker_pool *pool;
};

struct worker_pool {
    struct store *store;
    struct worker_opts opt;
    pthread_mutex_t lock;
    pthread_cond_t wake; /* stopping, or a worker went idle */
    bool stopping;
    bool idle_exit; /* exit_when_idle: the queue drained */
    struct slot *slots;
    pthread_t heartbeat, scheduler;
    bool has_heartbeat, has_scheduler; /* threads started */
};

const struct job *job_of(struct job_ctx *j)
{
    return &j->job;
}

json_t *job_payload(struct job_ctx *j)
{
    return j->payload;
}

struct store *job_store(struct job_ctx *j)
{
    return j->pool->store;
}

const char *job_documents(struct job_ctx *j)
{
    return j->pool->opt.documents ? j->pool->opt.documents : "documents";
}

void job_progress(struct job_ctx *j, int64_t done, int64_t total)
{
    pthread_mutex_lock(&j->pool->lock);
    j->done = done;
    j->total = total;
    pthread_mutex_unlock(&j->pool->lock);
}

bool job_cancelled(struct job_ctx *j)
{
    pthread_mutex_lock(&j->pool->lock);
    bool c = j->cancel || j->lost; /* a lost lease: another worker has the job now */
    pthread_mutex_unlock(&j->pool->lock);
    return c;
}

int job_once(struct job_ctx *j, const char *key,
             int (*fn)(struct store_conn *c, void *arg, struct err *e), void *arg, struct err *e)
{
    struct store_conn *c = store_acquire(j->pool->store, e);
    if (!c)
        return e->code;
    struct store_val p[] = {SV_I(j->job.id), SV_T(key), SV_I(store_now())};
    int64_t fresh = 0;
    int rc = store_begin(c, e);
    if (rc == 0)
        rc = store_exec(c,
                        "INSERT INTO job_effects (job_id, key, at) VALUES ($1, $2, $3)"
                        " ON CONFLICT DO NOTHING",
                        p, 3, &fresh, e);
    if (rc == 0 && fresh)
        rc = fn(c, arg, e);
    if (rc == 0)
        rc = store_commit(c, e);
    else
        store_rollback(c);
    store_release(c);
    return rc;
}

/* Waits ms milliseconds or until the pool stops. Called locked. */
static void nap(struct worker_pool *p, int ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    if (!p->stopping)
        pthread_cond_timedwait(&p->wake, &p->lock, &until);
}

static const struct job_kind *find_kind(const char *name)
{
    for (const struct job_kind *k = job_kinds; k->name; k++)
        if (strcmp(k->name, name) == 0)
            return k;
    return NULL;
}

static void log_job(const char *msg, const struct job *j, const char *owner, const char *detail)
{
    json_t *f = json_pack("{s:I, s:s, s:i, s:s}", "job_id", (json_int_t)j->id, "kind", j->kind,
                          "attempt", j->attempts, "worker", owner);
    if (f && detail)
        json_object_set_new(f, "error", json_string(detail));
    log_write(strcmp(msg, "job done") == 0 ? LOG_INFO : LOG_WARN, msg, f);
}

/* Runs the handler of a claimed job; its error, if any, is in e. */
static int run_handler(struct job_ctx *ctx, struct err *e)
{
    const struct job_kind *kind = find_kind(ctx->job.kind);
    ctx->payload = json_loads(ctx->job.payload, 0, NULL);
    if (!kind)
        return err_set(e, ERR_INVALID, "неизвестный вид задания: %s", ctx->job.kind);
    if (!json_is_object(ctx->payload))
        return err_set(e, ERR_INVALID, "payload не объект JSON");
    return kind->run(ctx, e);
}

/* Records how the job ended: done, cancelled, retry later, or dead. */
static void record_outcome(struct slot *sl, struct job_ctx *ctx, int rc, const struct err *e)
{
    struct worker_pool *p = sl->pool;
    bool cancelled = ctx->cancel;
    struct err fe = {0};
    struct store_conn *c = store_acquire(p->store, &fe);
    int64_t done = ctx->done, total = ctx->total; /* the handler's last report */
    int frc;
    if (!c || store_relax(c, &fe))
        frc = fe.code;
    else if (rc == 0 || cancelled)
        frc = job_finish(c, ctx->job.id, sl->owner, cancelled ? "cancelled" : "done", done, total,
                         &fe);
    else
        frc = job_fail(c, &ctx->job, sl->owner, e->msg, p->opt.backoff, done, total, &fe);
    store_release(c);
    if (frc)
        log_job("job outcome not recorded", &ctx->job, sl->owner, fe.msg);
    else if (rc == 0 || cancelled)
        log_job(cancelled ? "job cancelled" : "job done", &ctx->job, sl->owner, NULL);
    else
        log_job(ctx->job.attempts >= ctx->job.max_attempts ? "job dead" : "job failed", &ctx->job,
                sl->owner, e->msg);
}

/* Claims one job; returns 1 if one ran, 0 if none was ready, -1 on error. */
static int work_once(struct slot *sl)
{
    struct worker_pool *p = sl->pool;
    struct err e = {0};
    struct arena *a = arena_new();
    struct store_conn *c = a ? store_acquire(p->store, &e) : NULL;
    struct job_ctx ctx = {.pool = p, .total = -1};
    bool got = false;
    /* The queue's bookkeeping need not wait for the disk: a claim or outcome
     * lost to a power loss only runs the job again (store_relax). */
    int rc = c ? store_relax(c, &e) : -1;
    if (rc == 0)
        rc = job_claim(c, sl->owner, p->opt.lease, sl->idle, a, &ctx.job, &got, &e);
    sl->idle = rc == 0 && !got;
    store_release(c);
    if (rc == 0 && got) {
        pthread_mutex_lock(&p->lock);
        sl->running = &ctx;
        pthread_mutex_unlock(&p->lock);
        struct err he = {0};
        int hrc = run_handler(&ctx, &he);
        /* Out of the heartbeat's sight before the outcome is written. */
        pthread_mutex_lock(&p->lock);
        sl->running = NULL;
        pthread_mutex_unlock(&p->lock);
        record_outcome(sl, &ctx, hrc, &he);
        json_decref(ctx.payload);
    } else if (rc) {
        log_write(LOG_ERROR, "job claim failed", json_pack("{s:s}", "detail", e.msg));
    }
    arena_free(a);
    return rc ? -1 : got;
}

/* exit_when_idle: true when nothing is queued or running anywhere. */
static bool drained(struct worker_pool *p)
{
    struct err e = {0};
    struct store_conn *c = store_acquire(p->store, &e);
    bool pending = true;
    if (c && job_pending(c, &pending, &e))
        pending = true;
    store_release(c);
    return !pending;
}

static void *worker_main(void *arg)
{
    struct slot *sl = arg;
    struct worker_pool *p = sl->pool;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        bool stop = p->stopping;
        pthread_mutex_unlock(&p->lock);
        if (stop)
            break;
        int ran = work_once(sl);
        if (ran > 0)
            continue;
        if (p->opt.exit_when_idle && ran == 0 && drained(p)) {
            pthread_mutex_lock(&p->lock);
            p->idle_exit = true;
            pthread_cond_broadcast(&p->wake);
            pthread_mutex_unlock(&p->lock);
        }
        pthread_mutex_lock(&p->lock);
        nap(p, p->opt.poll_ms);
        pthread_mutex_unlock(&p->lock);
    }
    return NULL;
}

/* Renews the lease of every running job, storing progress and reading cancel
 * requests. */
static void renew_all(struct worker_pool *p)
{
    for (int i = 0; i < p->opt.workers; i++) {
        struct slot *sl = &p->slots[i];
        pthread_mutex_lock(&p->lock);
        struct job_ctx *ctx = sl->running;
        int64_t id = ctx ? ctx->job.id : 0, done = ctx ? ctx->done : 0;
        int64_t total = ctx ? ctx->total : -1;
        pthread_mutex_unlock(&p->lock);
        if (!id)
            continue;
        struct err e = {0};
        bool cancel = false;
        struct store_conn *c = store_acquire(p->store, &e);
        int rc = !c || store_relax(c, &e)
                     ? e.code
                     : job_renew(c, id, sl->owner, p->opt.lease, done, total, &cancel, &e);
        store_release(c);
        pthread_mutex_lock(&p->lock);
        bool still = sl->running && sl->running->job.id == id;
        if (still) {
            sl->running->cancel |= cancel;
            sl->running->lost |= rc == ERR_NOTFOUND;
        }
        pthread_mutex_unlock(&p->lock);
        if (rc && still) /* a job that just ended is no longer renewed: no news */
            log_write(LOG_WARN, "job lease not renewed",
                      json_pack("{s:I, s:s}", "job_id", (json_int_t)id, "detail", e.msg));
    }
}

static void *heartbeat_main(void *arg)
{
    struct worker_pool *p = arg;
    int period_ms = p->opt.lease * 1000 / 3;
    if (period_ms > 1000)
        period_ms = 1000; /* progress shows within a second */
    pthread_mutex_lock(&p->lock);
    while (!p->stopping) {
        nap(p, period_ms);
        pthread_mutex_unlock(&p->lock);
        renew_all(p);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

static void *scheduler_main(void *arg)
{
    struct worker_pool *p = arg;
    pthread_mutex_lock(&p->lock);
    while (!p->stopping) {
        pthread_mutex_unlock(&p->lock);
        struct err e = {0};
        int fired = 0;
        if (sched_tick(p->store, store_now(), &fired, &e))
            log_write(LOG_ERROR, "scheduler tick failed", json_pack("{s:s}", "detail", e.msg));
        pthread_mutex_lock(&p->lock);
        nap(p, p->opt.tick * 1000);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int worker_pool_start(struct store *s, const struct worker_opts *o, struct worker_pool **out,
                      struct err *e)
{
    struct worker_pool *p = calloc(1, sizeof *p);
    if (!p || !(p->slots = calloc((size_t)(o->workers > 0 ? o->workers : 1), sizeof *p->slots))) {
        free(p);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    p->store = s;
    p->opt = *o;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    char host[64] = "localhost";
    gethostname(host, sizeof host - 1);
    int started = 0;
    for (; started < o->workers; started++) {
        struct slot *sl = &p->slots[started];
        sl->pool = p;
        snprintf(sl->owner, sizeof sl->owner, "%s:%d:%d", host, (int)getpid(), started + 1);
        if (pthread_create(&sl->thread, NULL, worker_main, sl))
            break;
    }
    p->opt.workers = started;
    p->has_heartbeat = pthread_create(&p->heartbeat, NULL, heartbeat_main, p) == 0;
    p->has_scheduler = o->tick > 0 && pthread_create(&p->scheduler, NULL, scheduler_main, p) == 0;
    if (started < o->workers || !p->has_heartbeat || (o->tick > 0 && !p->has_scheduler)) {
        worker_pool_stop(p);
        return err_set(e, ERR_NOMEM, "cannot start worker threads");
    }
    log_write(
        LOG_INFO, "workers started",
        json_pack("{s:i, s:i, s:i}", "workers", o->workers, "lease", o->lease, "tick", o->tick));
    *out = p;
    return 0;
}

bool worker_pool_drained(struct worker_pool *p)
{
    pthread_mutex_lock(&p->lock);
    bool drained_now = p->idle_exit;
    pthread_mutex_unlock(&p->lock);
    return drained_now;
}

void worker_pool_stop(struct worker_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->opt.workers; i++)
        pthread_join(p->slots[i].thread, NULL);
    if (p->has_heartbeat)
        pthread_join(p->heartbeat, NULL);
    if (p->has_scheduler)
        pthread_join(p->scheduler, NULL);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->wake);
    free(p->slots);
    free(p);
}
