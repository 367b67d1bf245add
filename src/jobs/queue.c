/* queue.c — the job table: enqueue, claim with a lease, finish, retry, cancel.
 * A claim is one UPDATE of the best ready row: on PostgreSQL its row is
 * picked with FOR UPDATE SKIP LOCKED, so concurrent workers never wait for
 * each other or take the same job; on SQLite the statement runs inside the
 * single-writer transaction. */
#include "jobs/jobs.h"

#include <string.h>

#define JOB_COLS                                                                                   \
    "j.id, j.kind, j.payload, j.state, j.priority, j.run_after, j.attempts, j.max_attempts,"       \
    " j.lease_owner, j.lease_until, j.progress_done, j.progress_total, j.last_error,"              \
    " j.unique_key, j.schedule_id, j.cancel_requested, j.region_id, j.municipality_id,"            \
    " j.org_id, j.created_at, j.started_at, j.finished_at"

/* The same, unqualified: SQLite's RETURNING takes no table prefix. */
#define JOB_RETURNING                                                                              \
    "id, kind, payload, state, priority, run_after, attempts, max_attempts, lease_owner,"          \
    " lease_until, progress_done, progress_total, last_error, unique_key, schedule_id,"            \
    " cancel_requested, region_id, municipality_id, org_id, created_at, started_at, finished_at"

#define JOB_SCOPE                                                                                  \
    "(j.region_id = $1 OR $1 = 0) AND (j.municipality_id = $2 OR $2 = 0)"                          \
    " AND (j.org_id = $3 OR $3 = 0)"

#define MAX_BACKOFF 3600

static void read_job(struct store_rows *r, struct arena *a, struct job *j)
{
    j->id = store_int(r, 0);
    j->kind = store_dup(r, 1, a);
    j->payload = store_dup(r, 2, a);
    j->state = store_dup(r, 3, a);
    j->priority = store_int(r, 4);
    j->run_after = store_int(r, 5);
    j->attempts = (int)store_int(r, 6);
    j->max_attempts = (int)store_int(r, 7);
    j->lease_owner = store_dup(r, 8, a);
    j->lease_until = store_int(r, 9);
    j->has_progress = !store_isnull(r, 11);
    j->progress_done = store_int(r, 10);
    j->progress_total = store_int(r, 11);
    j->last_error = store_dup(r, 12, a);
    j->unique_key = store_dup(r, 13, a);
    j->schedule_id = store_int(r, 14);
    j->cancel_requested = store_int(r, 15) != 0;
    j->region_id = store_int(r, 16);
    j->municipality_id = store_int(r, 17);
    j->org_id = store_int(r, 18);
    j->created_at = store_int(r, 19);
    j->started_at = store_int(r, 20);
    j->finished_at = store_int(r, 21);
}

bool job_state_valid(const char *state)
{
    static const char *const states[] = {"queued", "running", "done", "dead", "cancelled"};
    for (size_t i = 0; state && i < sizeof states / sizeof states[0]; i++)
        if (strcmp(states[i], state) == 0)
            return true;
    return false;
}

int job_enqueue(struct store_conn *c, const struct job_new *j, int64_t *id, struct err *e)
{
    int64_t now = store_now();
    struct store_val p[] = {SV_T(j->kind),
                            SV_T(j->payload ? j->payload : "{}"),
                            SV_I(j->priority),
                            SV_I(j->run_after ? j->run_after : now),
                            SV_I(j->max_attempts > 0 ? j->max_attempts : 5),
                            SV_T(j->unique_key),
                            SV_ID(j->schedule_id),
                            SV_ID(j->region_id),
                            SV_ID(j->municipality_id),
                            SV_ID(j->org_id),
                            SV_I(now)};
    int rc = store_query_int(c,
                             "INSERT INTO jobs (kind, payload, priority, run_after, max_attempts,"
                             " unique_key, schedule_id, region_id, municipality_id, org_id,"
                             " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                             " RETURNING id",
                             p, 11, id, e);
    if (rc == ERR_CONFLICT)
        err_field(e, rc, "unique_key", "задание с ключом %s уже есть", j->unique_key);
    return rc;
}

int job_get(struct store_conn *c, const struct store_scope *s, int64_t id, struct arena *a,
            struct job *out, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[4];
    store_scope_bind(s, p);
    p[3] = SV_I(id);
    struct store_rows *r = NULL;
    if ((rc = store_query(c, "SELECT " JOB_COLS " FROM jobs j WHERE " JOB_SCOPE " AND j.id = $4", p,
                          4, &r, e)))
        return rc;
    if (store_next(r))
        read_job(r, a, out);
    else
        rc = err_set(e, ERR_NOTFOUND, "задание не найдено");
    store_rows_free(r);
    return rc;
}

#define JOB_FILTER JOB_SCOPE " AND (j.state = $4 OR $4 IS NULL) AND (j.kind = $5 OR $5 IS NULL)"

int job_list(struct store_conn *c, const struct store_scope *s, const struct job_filter *f,
             struct page pg, struct arena *a, struct job **items, int64_t *count, int64_t *total,
             struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[7];
    store_scope_bind(s, p);
    p[3] = SV_T(f->state);
    p[4] = SV_T(f->kind);
    p[5] = SV_I(pg.per_page);
    p[6] = SV_I((pg.page - 1) * pg.per_page);
    if ((rc = store_query_int(c, "SELECT count(*) FROM jobs j WHERE " JOB_FILTER, p, 5, total, e)))
        return rc;
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT " JOB_COLS " FROM jobs j WHERE " JOB_FILTER
                          " ORDER BY j.id DESC LIMIT $6 OFFSET $7",
                          p, 7, &r, e)))
        return rc;
    *count = 0;
    if (!(*items = arena_alloc(a, sizeof **items * (size_t)pg.per_page)))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    while (rc == 0 && *count < pg.per_page && store_next(r))
        read_job(r, a, &(*items)[(*count)++]);
    store_rows_free(r);
    return rc;
}

/* Runs a scoped state change; ERR_CONFLICT (with the current state) if no row
 * in an allowed state changed, ERR_NOTFOUND if the job is not visible. */
static int change_state(struct store_conn *c, const struct store_scope *s, int64_t id,
                        const char *sql, const char *refusal, struct err *e)
{
    struct job j;
    struct arena *a = arena_new();
    if (!a)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = job_get(c, s, id, a, &j, e);
    if (rc == 0) {
        struct store_val p[] = {SV_I(id), SV_I(store_now())};
        int64_t changed = 0;
        if ((rc = store_exec(c, sql, p, 2, &changed, e)) == 0 && !changed)
            rc = err_set(e, ERR_CONFLICT, "%s (состояние: %s)", refusal, j.state);
    }
    arena_free(a);
    return rc;
}

int job_retry(struct store_conn *c, const struct store_scope *s, int64_t id, struct err *e)
{
    return change_state(c, s, id,
                        "UPDATE jobs SET state = 'queued', attempts = 0, run_after = $2,"
                        " cancel_requested = 0, finished_at = NULL, lease_owner = NULL,"
                        " lease_until = NULL WHERE id = $1 AND state IN ('dead', 'cancelled')",
                        "повторить можно только задание с ошибкой или отменённое", e);
}

int job_cancel(struct store_conn *c, const struct store_scope *s, int64_t id, struct err *e)
{
    return change_state(c, s, id,
                        "UPDATE jobs SET cancel_requested = 1,"
                        " state = CASE WHEN state = 'queued' THEN 'cancelled' ELSE state END,"
                        " finished_at = CASE WHEN state = 'queued' THEN $2 ELSE finished_at END"
                        " WHERE id = $1 AND state IN ('queued', 'running')",
                        "задание уже завершено", e);
}

/* Jobs whose worker vanished: back to the queue (or dead, or cancelled). */
static int requeue_expired(struct store_conn *c, int64_t now, struct err *e)
{
    struct store_val p[] = {SV_I(now)};
    return store_exec(c,
                      "UPDATE jobs SET state = CASE WHEN cancel_requested = 1 THEN 'cancelled'"
                      " WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END,"
                      " finished_at = CASE WHEN cancel_requested = 1 OR attempts >= max_attempts"
                      " THEN CAST($1 AS BIGINT) ELSE NULL END,"
                      " last_error = 'обработчик прерван: истекла аренда (lease)',"
                      " lease_owner = NULL, lease_until = NULL"
                      " WHERE state = 'running' AND lease_until < $1",
                      p, 1, NULL, e);
}

static const char claim_pg[] =
    "UPDATE jobs SET state = 'running', lease_owner = $1, lease_until = $3,"
    " attempts = attempts + 1, started_at = $2"
    " WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND run_after <= $2"
    " ORDER BY priority DESC, run_after, id LIMIT 1 FOR UPDATE SKIP LOCKED)"
    " RETURNING " JOB_RETURNING;

static const char claim_lite[] =
    "UPDATE jobs SET state = 'running', lease_owner = $1, lease_until = $3,"
    " attempts = attempts + 1, started_at = $2"
    " WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND run_after <= $2"
    " ORDER BY priority DESC, run_after, id LIMIT 1)"
    " RETURNING " JOB_RETURNING;

int job_claim(struct store_conn *c, const char *owner, int lease, bool probe, struct arena *a,
              struct job *out, bool *got, struct err *e)
{
    int64_t now = store_now(), ready = 0;
    int rc;
    *got = false;
    if (probe) {
        struct store_val q[] = {SV_I(now)};
        rc = store_query_int(c,
                             "SELECT count(*) FROM (SELECT 1 FROM jobs WHERE state = 'queued'"
                             " AND run_after <= $1 UNION ALL SELECT 1 FROM jobs"
                             " WHERE state = 'running' AND lease_until < $1 LIMIT 1) AS ready",
                             q, 1, &ready, e);
        if (rc || !ready)
            return rc;
    }
    rc = store_begin(c, e);
    if (rc || (rc = requeue_expired(c, now, e)))
        goto fail;
    struct store_val p[] = {SV_T(owner), SV_I(now), SV_I(now + lease)};
    struct store_rows *r = NULL;
    const char *sql = store_conn_backend(c) == STORE_POSTGRES ? claim_pg : claim_lite;
    if ((rc = store_query(c, sql, p, 3, &r, e)))
        goto fail;
    if (store_next(r)) {
        read_job(r, a, out);
        *got = true;
    }
    store_rows_free(r);
    return store_commit(c, e);
fail:
    store_rollback(c);
    return rc;
}

int job_finish(struct store_conn *c, int64_t id, const char *owner, const char *state, int64_t done,
               int64_t total, struct err *e)
{
    struct store_val p[] = {SV_I(id),          SV_T(owner), SV_T(state),
                            SV_I(store_now()), SV_I(done),  SV_I(total)};
    int64_t changed = 0;
    int rc = store_exec(c,
                        "UPDATE jobs SET state = $3, finished_at = $4, lease_owner = NULL,"
                        " lease_until = NULL,"
                        " progress_total = CASE WHEN $6 >= 0 THEN $6 ELSE progress_total END,"
                        " progress_done = CASE WHEN $6 >= 0 THEN $5 ELSE progress_done END"
                        " WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
                        p, 6, &changed, e);
    if (rc == 0 && !changed)
        rc = err_set(e, ERR_NOTFOUND, "lease of job %lld lost", (long long)id);
    return rc;
}

int job_fail(struct store_conn *c, const struct job *j, const char *owner, const char *message,
             int backoff, int64_t done, int64_t total, struct err *e)
{
    int64_t now = store_now(), delay = backoff;
    for (int i = 1; i < j->attempts && delay < MAX_BACKOFF; i++)
        delay *= 2;
    if (delay > MAX_BACKOFF)
        delay = MAX_BACKOFF;
    bool dead = j->attempts >= j->max_attempts;
    struct store_val p[] = {SV_I(j->id),       SV_T(owner),   SV_T(dead ? "dead" : "queued"),
                            SV_I(now + delay), SV_T(message), SV_I(dead ? now : 0),
                            SV_I(done),        SV_I(total)};
    int64_t changed = 0;
    int rc = store_exec(c,
                        "UPDATE jobs SET state = $3, run_after = $4, last_error = $5,"
                        " finished_at = CASE WHEN $6 > 0 THEN $6 ELSE NULL END,"
                        " lease_owner = NULL, lease_until = NULL,"
                        " progress_total = CASE WHEN $8 >= 0 THEN $8 ELSE progress_total END,"
                        " progress_done = CASE WHEN $8 >= 0 THEN $7 ELSE progress_done END"
                        " WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
                        p, 8, &changed, e);
    if (rc == 0 && !changed)
        rc = err_set(e, ERR_NOTFOUND, "lease of job %lld lost", (long long)j->id);
    return rc;
}

int job_renew(struct store_conn *c, int64_t id, const char *owner, int lease, int64_t done,
              int64_t total, bool *cancel, struct err *e)
{
    struct store_val p[] = {SV_I(id), SV_T(owner), SV_I(store_now() + lease), SV_I(done),
                            SV_I(total)};
    struct store_rows *r = NULL;
    int rc = store_query(c,
                         "UPDATE jobs SET lease_until = $3,"
                         " progress_done = CASE WHEN $5 >= 0 THEN $4 ELSE progress_done END,"
                         " progress_total = CASE WHEN $5 >= 0 THEN $5 ELSE progress_total END"
                         " WHERE id = $1 AND lease_owner = $2 AND state = 'running'"
                         " RETURNING cancel_requested",
                         p, 5, &r, e);
    if (rc)
        return rc;
    if (store_next(r))
        *cancel = store_int(r, 0) != 0;
    else
        rc = err_set(e, ERR_NOTFOUND, "lease of job %lld lost", (long long)id);
    store_rows_free(r);
    return rc;
}

int job_pending(struct store_conn *c, bool *pending, struct err *e)
{
    int64_t n = 0;
    int rc = store_query_int(c, "SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')",
                             NULL, 0, &n, e);
    *pending = n > 0;
    return rc;
}
