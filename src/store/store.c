/* store.c — the connection pool, transactions, the backend switch and the
 * scope check. Dialect details live in sqlite.c and postgres.c. */
#include "store/store_impl.h"

#include "base/arena.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

int store_open(const char *url, int pool_size, struct store **out, struct err *e)
{
    struct store *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (strncmp(url, "sqlite:", 7) == 0 && url[7]) {
        s->backend = STORE_SQLITE;
        s->path = strdup(url + 7);
    } else if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
        s->backend = STORE_POSTGRES;
    } else {
        free(s);
        return err_field(e, ERR_INVALID, "db",
                         "unsupported database URL '%s' (expected sqlite:PATH or postgresql://...)",
                         url);
    }
    s->url = strdup(url);
    s->size = pool_size > 0 ? pool_size : 1;
    s->conns = calloc((size_t)s->size, sizeof *s->conns);
    if (!s->url || !s->conns || (s->backend == STORE_SQLITE && !s->path)) {
        store_close(s);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < s->size; i++)
        s->conns[i].store = s;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->freed, NULL);
    s->stats.size = s->size;
    int rc = s->backend == STORE_SQLITE ? lite_checkpointer_start(s, e) : 0;
    /* Writes are grouped (group.c): SQLite has one writer, so one lane;
     * PostgreSQL takes two transactions at a time (measured: docs/operations.md). */
    if (rc == 0)
        rc = store_committer_start(s, s->backend == STORE_SQLITE ? 1 : 2, e);
    if (rc) {
        store_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

static void conn_close(struct store_conn *c)
{
    if (c->lite)
        lite_disconnect(c);
    if (c->pg)
        pg_disconnect(c);
}

int store_peer_open(struct store_conn *c, struct store_conn **out, struct err *e)
{
    struct store_conn *p = calloc(1, sizeof *p);
    if (!p)
        return err_set(e, ERR_NOMEM, "out of memory");
    p->store = c->store;
    int rc = c->store->backend == STORE_SQLITE ? lite_connect(p, e) : pg_connect(p, e);
    if (rc) {
        store_peer_close(p);
        return rc;
    }
    *out = p;
    return 0;
}

void store_peer_close(struct store_conn *peer)
{
    if (!peer)
        return;
    conn_close(peer);
    free(peer);
}

void store_close(struct store *s)
{
    if (!s)
        return;
    if (s->committer)
        store_committer_stop(s);
    if (s->checkpointer)
        lite_checkpointer_stop(s);
    if (s->conns) {
        for (int i = 0; i < s->size; i++)
            conn_close(&s->conns[i]);
        pthread_mutex_destroy(&s->lock);
        pthread_cond_destroy(&s->freed);
    }
    free(s->conns);
    free(s->url);
    free(s->path);
    free(s);
}

enum store_backend store_backend(const struct store *s)
{
    return s->backend;
}

const char *store_backend_name(const struct store *s)
{
    return s->backend == STORE_SQLITE ? "sqlite" : "postgres";
}

void store_set_durability(struct store *s, enum store_durability d)
{
    s->durability = d;
}

enum store_durability store_get_durability(const struct store *s)
{
    return s->durability;
}

static const char *const durability_names[] = {"full", "process"};

int store_durability_parse(const char *text, enum store_durability *out)
{
    for (int i = 0; i < 2; i++)
        if (strcmp(text, durability_names[i]) == 0) {
            *out = (enum store_durability)i;
            return 0;
        }
    return ERR_INVALID;
}

const char *store_durability_name(enum store_durability d)
{
    return durability_names[d == STORE_DURABLE_PROCESS];
}

enum store_backend store_conn_backend(const struct store_conn *c)
{
    return c->store->backend;
}

static bool conn_open(const struct store_conn *c)
{
    return c->lite || c->pg;
}

/* Picks a free connection, preferring one already open. Called locked. */
static struct store_conn *pick_free(struct store *s)
{
    struct store_conn *closed = NULL;
    for (int i = 0; i < s->size; i++) {
        struct store_conn *c = &s->conns[i];
        if (c->busy)
            continue;
        if (conn_open(c))
            return c;
        if (!closed)
            closed = c;
    }
    return closed;
}

struct store_conn *store_acquire(struct store *s, struct err *e)
{
    pthread_mutex_lock(&s->lock);
    struct store_conn *c = pick_free(s);
    if (!c) {
        s->stats.waited++;
        while (!(c = pick_free(s)))
            pthread_cond_wait(&s->freed, &s->lock);
    }
    c->busy = true;
    s->stats.in_use++;
    s->stats.acquired++;
    pthread_mutex_unlock(&s->lock);

    if (!conn_open(c)) {
        int rc = s->backend == STORE_SQLITE ? lite_connect(c, e) : pg_connect(c, e);
        if (rc) {
            conn_close(c);
            store_release(c);
            return NULL;
        }
        pthread_mutex_lock(&s->lock);
        s->stats.open++;
        pthread_mutex_unlock(&s->lock);
    }
    return c;
}

int store_relax(struct store_conn *c, struct err *e)
{
    if (c->relaxed || c->store->durability != STORE_DURABLE_FULL)
        return 0;
    int rc =
        store_script(c, c->lite ? "PRAGMA synchronous=NORMAL" : "SET synchronous_commit = off", e);
    c->relaxed = rc == 0;
    return rc;
}

/* Back to durable commits; a connection that cannot be is closed. */
static void unrelax(struct store_conn *c)
{
    struct err ignored = {0};
    c->relaxed = false;
    if (store_script(c, c->lite ? "PRAGMA synchronous=FULL" : "RESET synchronous_commit",
                     &ignored) == 0)
        return;
    conn_close(c);
    pthread_mutex_lock(&c->store->lock);
    c->store->stats.open--;
    pthread_mutex_unlock(&c->store->lock);
}

void store_release(struct store_conn *c)
{
    if (!c)
        return;
    if (c->in_tx)
        store_rollback(c);
    if (c->relaxed)
        unrelax(c);
    /* A PostgreSQL connection that broke is dropped; the next acquire reopens it. */
    if (c->pg && PQstatus(c->pg) != CONNECTION_OK) {
        conn_close(c);
        pthread_mutex_lock(&c->store->lock);
        c->store->stats.open--;
        pthread_mutex_unlock(&c->store->lock);
    }
    struct store *s = c->store;
    pthread_mutex_lock(&s->lock);
    c->busy = false;
    s->stats.in_use--;
    pthread_cond_signal(&s->freed);
    pthread_mutex_unlock(&s->lock);
}

int store_script(struct store_conn *c, const char *sql, struct err *e)
{
    return c->lite ? lite_script(c, sql, e) : pg_script(c, sql, e);
}

bool store_tx_alive(struct store_conn *c)
{
    if (c->lite)
        return !sqlite3_get_autocommit(c->lite);
    PGTransactionStatusType st = PQtransactionStatus(c->pg);
    return st == PQTRANS_INTRANS || st == PQTRANS_INERROR;
}

int store_begin(struct store_conn *c, struct err *e)
{
    int rc = store_script(c, c->lite ? "BEGIN IMMEDIATE" : "BEGIN", e);
    if (rc == 0)
        c->in_tx = true;
    return rc;
}

int store_commit(struct store_conn *c, struct err *e)
{
    int rc = store_script(c, "COMMIT", e);
    if (rc)
        store_rollback(c);
    c->in_tx = false;
    return rc;
}

void store_rollback(struct store_conn *c)
{
    struct err ignored = {0};
    if (!c->in_tx)
        return;
    /* A failed ROLLBACK leaves nothing to do: the transaction is gone either way. */
    (void)store_script(c, "ROLLBACK", &ignored);
    c->in_tx = false;
}

static int run(struct store_conn *c, const char *sql, const struct store_val *p, int n,
               struct store_rows *r, int64_t *changes, struct err *e)
{
    r->conn = c;
    r->step_rc = -1;
    r->row = -1;
    int rc =
        c->lite ? lite_query(c, sql, p, n, r, changes, e) : pg_query(c, sql, p, n, r, changes, e);
    if (rc)
        store_count_error(c->store);
    return rc;
}

int store_exec(struct store_conn *c, const char *sql, const struct store_val *params, int n,
               int64_t *changes, struct err *e)
{
    struct store_rows r = {0};
    int rc = run(c, sql, params, n, &r, changes ? changes : &(int64_t){0}, e);
    if (c->lite)
        lite_rows_free(&r);
    else
        PQclear(r.res);
    return rc;
}

int store_query(struct store_conn *c, const char *sql, const struct store_val *params, int n,
                struct store_rows **out, struct err *e)
{
    *out = NULL;
    struct store_rows *r = calloc(1, sizeof *r);
    if (!r)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = run(c, sql, params, n, r, NULL, e);
    if (rc) {
        store_rows_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

bool store_next(struct store_rows *r)
{
    if (r->conn->lite)
        return lite_next(r);
    return ++r->row < r->nrows;
}

bool store_isnull(struct store_rows *r, int col)
{
    if (r->conn->lite)
        return sqlite3_column_type(r->stmt, col) == SQLITE_NULL;
    return PQgetisnull(r->res, r->row, col);
}

int64_t store_int(struct store_rows *r, int col)
{
    if (r->conn->lite)
        return sqlite3_column_int64(r->stmt, col);
    const char *v = PQgetvalue(r->res, r->row, col);
    if (v[0] == 't' && v[1] == '\0')
        return 1; /* PostgreSQL boolean */
    return strtoll(v, NULL, 10);
}

const char *store_text(struct store_rows *r, int col)
{
    if (store_isnull(r, col))
        return NULL;
    if (r->conn->lite)
        return (const char *)sqlite3_column_text(r->stmt, col);
    return PQgetvalue(r->res, r->row, col);
}

const char *store_dup(struct store_rows *r, int col, struct arena *a)
{
    const char *s = store_text(r, col);
    return s ? arena_strdup(a, s) : NULL;
}

void store_rows_free(struct store_rows *r)
{
    if (!r)
        return;
    if (r->conn && r->conn->lite)
        lite_rows_free(r);
    PQclear(r->res);
    free(r);
}

int store_query_int(struct store_conn *c, const char *sql, const struct store_val *params, int n,
                    int64_t *out, struct err *e)
{
    struct store_rows *r = NULL;
    int rc = store_query(c, sql, params, n, &r, e);
    if (rc)
        return rc;
    if (store_next(r))
        *out = store_int(r, 0);
    else
        rc = err_set(e, ERR_NOTFOUND, "no row");
    store_rows_free(r);
    return rc;
}

struct stmt_slot *store_cache_slot(struct store_conn *c, const char *sql)
{
    size_t h = ((uintptr_t)sql >> 3) * 2654435761u;
    for (size_t i = 0; i < STMT_CACHE; i++) {
        struct stmt_slot *slot = &c->cache[(h + i) % STMT_CACHE];
        if (slot->sql == sql || !slot->sql)
            return slot;
    }
    return NULL;
}

void store_count_error(struct store *s)
{
    pthread_mutex_lock(&s->lock);
    s->stats.errors++;
    pthread_mutex_unlock(&s->lock);
}

void store_get_stats(struct store *s, struct store_stats *out)
{
    pthread_mutex_lock(&s->lock);
    *out = s->stats;
    pthread_mutex_unlock(&s->lock);
}

int64_t store_now(void)
{
    return (int64_t)time(NULL);
}

int store_scope_check(const struct store_scope *s, struct err *e)
{
    if (!s || s->kind == SCOPE_NONE)
        return err_set(e, ERR_SCOPE, "tenant data queried without a scope");
    return 0;
}

void store_scope_bind(const struct store_scope *s, struct store_val p[3])
{
    bool all = s->kind == SCOPE_SYSTEM || s->kind == SCOPE_ADMIN;
    p[0] = SV_I(all ? 0 : s->region_id);
    p[1] = SV_I(all ? 0 : s->municipality_id);
    /* A resident belongs to no organization: org-bound rows are never theirs. */
    p[2] = SV_I(all ? 0 : s->kind == SCOPE_RESIDENT ? -1 : s->org_id);
}
