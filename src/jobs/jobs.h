/* jobs.h — the durable job queue, the workers that run it, and schedules
 * that fire jobs at local times (docs/jobs.md). Queue and schedule rows live
 * in the store; any number of processes may share them. */
#ifndef UPRAVDOM_JOBS_H
#define UPRAVDOM_JOBS_H

#include "base/arena.h"
#include "directory/directory.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct job {
    int64_t id;
    const char *kind, *payload, *state;
    int64_t priority, run_after;
    int attempts, max_attempts;
    const char *lease_owner;
    int64_t lease_until;
    bool has_progress;
    int64_t progress_done, progress_total;
    const char *last_error, *unique_key;
    int64_t schedule_id;
    bool cancel_requested;
    int64_t region_id, municipality_id, org_id;
    int64_t created_at, started_at, finished_at;
};

/* What job_enqueue needs; zero fields take defaults (priority 0, now,
 * 5 attempts, payload "{}"). */
struct job_new {
    const char *kind, *payload, *unique_key;
    int64_t priority, run_after, schedule_id;
    int max_attempts;
    int64_t region_id, municipality_id, org_id;
};

struct job_filter {
    const char *state, *kind; /* or NULL */
};

/* ---- the queue (queue.c) ---- */

/* True for queued, running, done, dead, cancelled. */
bool job_state_valid(const char *state);

/* Adds a job; ERR_CONFLICT if its unique_key is taken. */
int job_enqueue(struct store_conn *c, const struct job_new *j, int64_t *id, struct err *e);

/* Operator views and actions, within the caller's scope. */
int job_get(struct store_conn *c, const struct store_scope *s, int64_t id, struct arena *a,
            struct job *out, struct err *e);
int job_list(struct store_conn *c, const struct store_scope *s, const struct job_filter *f,
             struct page pg, struct arena *a, struct job **items, int64_t *count, int64_t *total,
             struct err *e);
/* dead or cancelled → queued with attempts 0; ERR_CONFLICT otherwise. */
int job_retry(struct store_conn *c, const struct store_scope *s, int64_t id, struct err *e);
/* queued → cancelled; running → cancel requested; ERR_CONFLICT if finished. */
int job_cancel(struct store_conn *c, const struct store_scope *s, int64_t id, struct err *e);

/* Worker side (installation scope). Each runs its own transaction. */
/* Requeues jobs whose lease expired, then claims the best ready job for
 * owner; *got is false when none is ready. With probe (a worker that found
 * nothing last time), a read first looks for a ready job, so an idle worker
 * does not take the write lock only to find nothing. */
int job_claim(struct store_conn *c, const char *owner, int lease, bool probe, struct arena *a,
              struct job *out, bool *got, struct err *e);
/* Ends a claimed job: "done", "cancelled", or a failure (retry with backoff
 * or dead), storing the last progress reported (if total >= 0).
 * ERR_NOTFOUND when owner no longer holds it (lease lost). */
int job_finish(struct store_conn *c, int64_t id, const char *owner, const char *state, int64_t done,
               int64_t total, struct err *e);
int job_fail(struct store_conn *c, const struct job *j, const char *owner, const char *message,
             int backoff, int64_t done, int64_t total, struct err *e);
/* Extends the lease, stores progress (if total >= 0); tells whether a cancel
 * was requested. ERR_NOTFOUND when the lease was lost. */
int job_renew(struct store_conn *c, int64_t id, const char *owner, int lease, int64_t done,
              int64_t total, bool *cancel, struct err *e);
/* True while queued or running jobs exist. */
int job_pending(struct store_conn *c, bool *pending, struct err *e);

/* ---- handlers (kinds.c, worker.c) ---- */

struct job_ctx;

struct job_kind {
    const char *name;
    int (*run)(struct job_ctx *j, struct err *e);
};
extern const struct job_kind job_kinds[]; /* ends with {NULL} */

const struct job *job_of(struct job_ctx *j);
json_t *job_payload(struct job_ctx *j); /* borrowed; the parsed payload object */
struct store *job_store(struct job_ctx *j);
/* Reports progress (cheap: stored with the next lease renewal). */
void job_progress(struct job_ctx *j, int64_t done, int64_t total);
/* True once an operator asked to cancel this job; a handler should stop. */
bool job_cancelled(struct job_ctx *j);
/* The directory files made by jobs go to (worker_opts.documents): rendered
 * payment documents. */
const char *job_documents(struct job_ctx *j);

/* Runs fn(conn, arg, e) once per (job, key): the key is recorded in
 * job_effects in the same transaction as fn's writes on conn, and fn is skipped
 * when the key is already there (a rerun of the job). */
int job_once(struct job_ctx *j, const char *key,
             int (*fn)(struct store_conn *c, void *arg, struct err *e), void *arg, struct err *e);

/* ---- the worker pool (worker.c) ---- */

struct worker_opts {
    int workers;           /* threads running jobs */
    int lease;             /* seconds a claim holds a job */
    int poll_ms;           /* idle wait between claims */
    int backoff;           /* seconds of the first retry delay */
    int tick;              /* seconds between scheduler ticks; 0: no scheduler */
    bool exit_when_idle;   /* stop once nothing is queued or running */
    const char *documents; /* job_documents (config_documents_dir); NULL: "documents" */
};

struct worker_pool;

int worker_pool_start(struct store *s, const struct worker_opts *o, struct worker_pool **out,
                      struct err *e);
/* exit_when_idle: true once a worker found nothing queued or running. */
bool worker_pool_drained(struct worker_pool *p);
/* Stops taking jobs, lets running ones finish, frees the pool. */
void worker_pool_stop(struct worker_pool *p);

/* ---- schedules (schedule.c) ---- */

struct schedule {
    int64_t id;
    const char *name, *rule, *timezone, *kind, *payload;
    bool enabled;
    int64_t last_slot;
    int64_t region_id, municipality_id, org_id;
    int64_t created_at;
    int64_t next_at; /* computed: next slot after now, 0 if none */
};

/* Validates rule, zone, kind and payload; adds field errors. */
int sched_check(const struct schedule *sc, struct field_errors *fe);
int sched_create(struct store_conn *c, const struct store_scope *s, struct schedule *sc,
                 struct arena *a, struct err *e);
int sched_update(struct store_conn *c, const struct store_scope *s, struct schedule *sc,
                 struct err *e);
int sched_get(struct store_conn *c, const struct store_scope *s, int64_t id, struct arena *a,
              struct schedule *out, struct err *e);
int sched_list(struct store_conn *c, const struct store_scope *s, struct page pg, struct arena *a,
               struct schedule **items, int64_t *count, int64_t *total, struct err *e);

/* One scheduler pass as of `now`: each enabled schedule whose latest slot is
 * newer than its last_slot fires one job (older missed slots are counted in
 * the payload, not fired). Safe to run in many processes at once. */
int sched_tick(struct store *s, int64_t now, int *fired, struct err *e);

#endif
