/* group.c — group commit: many writers, one transaction, one fsync.
 *
 * With durable commits (synchronous=FULL) a SQLite COMMIT waits for an fsync
 * of the WAL, ~1.7 ms on this machine's disk, and SQLite has one writer, so
 * one transaction per request caps a server at a few hundred writes a
 * second. Instead, request threads queue their write (store_write_submit); a
 * committer thread takes everything queued, runs it in one transaction on
 * its own connection — each write inside its own SAVEPOINT, so a write that
 * fails is undone alone — commits once, and then settles every write of the
 * batch with its own result. Writes that arrive during the fsync form the
 * next batch, so the batch grows with the load and the fsync cost per write
 * falls.
 *
 * A write that fails in a way that makes the database abandon the whole
 * transaction (I/O error, disk full) takes the batch's earlier writes with
 * it: they are settled with that error and the rest of the batch continues
 * in a new transaction.
 *
 * PostgreSQL does this itself: concurrent commits of different connections
 * share a WAL flush. There (and whenever a store has no committer) a write
 * runs in its own transaction on a pooled connection, on the calling thread.
 *
 * Thread safety: store_write_submit and store_write_run may be called from
 * any thread; done callbacks run on the committer thread (or the caller's). */
#include "store/store_impl.h"

#include <stdlib.h>
#include <string.h>

#define GROUP_MAX 512 /* writes in one transaction at most */

struct committer {
    struct store *store;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t work;
    struct store_write *head, *tail; /* queued writes, oldest first */
    bool stop;
    struct store_conn conn; /* its own connection, outside the pool */
};

/* Takes up to GROUP_MAX queued writes, waiting for one; NULL when stopped
 * with nothing left. Called locked. */
static struct store_write *take(struct committer *k)
{
    while (!k->head && !k->stop)
        pthread_cond_wait(&k->work, &k->lock);
    struct store_write *first = k->head, *last = first;
    for (int n = 1; last && last->next && n < GROUP_MAX; n++)
        last = last->next;
    if (last) {
        k->head = last->next;
        if (!k->head)
            k->tail = NULL;
        last->next = NULL;
    }
    return first;
}

static void settle(struct store_write *from, const struct store_write *to, int rc,
                   const struct err *e)
{
    for (struct store_write *w = from; w != to; w = w->next)
        if (w->rc == 0 && rc) {
            w->rc = rc;
            w->err = *e;
        }
}

/* The committer's own connection, opened on first use and again after it broke. */
static int connect(struct committer *k, struct err *e)
{
    struct store_conn *c = &k->conn;
    if (c->pg && PQstatus(c->pg) != CONNECTION_OK)
        pg_disconnect(c);
    if (c->lite || c->pg)
        return 0;
    int rc = k->store->backend == STORE_SQLITE ? lite_connect(c, e) : pg_connect(c, e);
    if (rc && c->lite)
        lite_disconnect(c);
    if (rc && c->pg)
        pg_disconnect(c);
    return rc;
}

/* One write inside its savepoint. False when the transaction was lost. */
static bool run_one(struct store_conn *c, struct store_write *w)
{
    memset(&w->err, 0, sizeof w->err);
    w->rc = store_exec(c, "SAVEPOINT w", NULL, 0, NULL, &w->err);
    if (w->rc)
        return store_tx_alive(c);
    w->rc = w->fn(c, w->arg, &w->err);
    struct err ignored = {0};
    if (w->rc && store_exec(c, "ROLLBACK TO w", NULL, 0, NULL, &ignored))
        return false;
    return store_exec(c, "RELEASE w", NULL, 0, NULL, &ignored) == 0 && store_tx_alive(c);
}

/* Runs the batch in as few transactions as it takes (one, unless the
 * database abandons one); leaves every write's result in it. */
static void run_batch(struct committer *k, struct store_write *batch)
{
    struct store_conn *c = &k->conn;
    struct store_write *w = batch;
    while (w) {
        struct store_write *from = w;
        struct err e = {0};
        int rc = connect(k, &e);
        if (rc == 0)
            rc = store_begin(c, &e);
        if (rc) {
            settle(from, NULL, rc, &e);
            return;
        }
        struct store_write *failed = NULL;
        for (; w && !failed; w = w->next)
            if (!run_one(c, w))
                failed = w;
        if (failed) { /* it keeps its own error; the writes before it are lost */
            store_rollback(c);
            struct err lost = {0};
            err_set(&lost, ERR_DB, "the shared transaction was abandoned; nothing was written");
            settle(from, failed, ERR_DB, &lost);
            if (failed->rc == 0)
                failed->rc = ERR_DB, failed->err = lost;
            continue;
        }
        if ((rc = store_commit(c, &e)) != 0)
            settle(from, w, rc, &e);
    }
}

static void *run(void *arg)
{
    struct committer *k = arg;
    pthread_mutex_lock(&k->lock);
    struct store_write *batch;
    while ((batch = take(k)) != NULL) {
        pthread_mutex_unlock(&k->lock);
        run_batch(k, batch);
        uint64_t n = 0;
        for (struct store_write *w = batch, *next; w; w = next, n++) {
            next = w->next; /* done may free w */
            w->next = NULL;
            w->done(w);
        }
        pthread_mutex_lock(&k->store->lock);
        k->store->stats.groups++;
        k->store->stats.grouped += n;
        pthread_mutex_unlock(&k->store->lock);
        pthread_mutex_lock(&k->lock);
    }
    pthread_mutex_unlock(&k->lock);
    return NULL;
}

int store_committer_start(struct store *s, struct err *e)
{
    struct committer *k = calloc(1, sizeof *k);
    if (!k)
        return err_set(e, ERR_NOMEM, "out of memory");
    k->store = s;
    k->conn.store = s;
    pthread_mutex_init(&k->lock, NULL);
    pthread_cond_init(&k->work, NULL);
    if (pthread_create(&k->thread, NULL, run, k) != 0) {
        pthread_cond_destroy(&k->work);
        pthread_mutex_destroy(&k->lock);
        free(k);
        return err_set(e, ERR_DB, "cannot start the group committer");
    }
    s->committer = k;
    return 0;
}

/* Settles what is queued, then stops. */
void store_committer_stop(struct store *s)
{
    struct committer *k = s->committer;
    if (!k)
        return;
    pthread_mutex_lock(&k->lock);
    k->stop = true;
    pthread_cond_signal(&k->work);
    pthread_mutex_unlock(&k->lock);
    pthread_join(k->thread, NULL);
    if (k->conn.lite)
        lite_disconnect(&k->conn);
    if (k->conn.pg)
        pg_disconnect(&k->conn);
    pthread_cond_destroy(&k->work);
    pthread_mutex_destroy(&k->lock);
    free(k);
    s->committer = NULL;
}

/* Without a committer: the write in its own transaction, here and now. */
static void run_inline(struct store *s, struct store_write *w)
{
    memset(&w->err, 0, sizeof w->err);
    w->next = NULL;
    struct store_conn *c = store_acquire(s, &w->err);
    w->rc = c ? store_begin(c, &w->err) : w->err.code ? w->err.code : ERR_DB;
    if (w->rc == 0 && (w->rc = w->fn(c, w->arg, &w->err)) == 0)
        w->rc = store_commit(c, &w->err);
    store_release(c); /* rolls back what is still open */
    w->done(w);
}

void store_write_submit(struct store *s, struct store_write *w)
{
    struct committer *k = s->committer;
    if (!k) {
        run_inline(s, w);
        return;
    }
    w->next = NULL;
    w->rc = 0;
    pthread_mutex_lock(&k->lock);
    if (k->tail)
        k->tail->next = w;
    else
        k->head = w;
    k->tail = w;
    pthread_cond_signal(&k->work);
    pthread_mutex_unlock(&k->lock);
}

/* store_write_run's wait. */
struct waiter {
    struct store_write w;
    pthread_mutex_t lock;
    pthread_cond_t settled;
    bool done;
};

static void wake(struct store_write *w)
{
    struct waiter *x = (struct waiter *)w;
    pthread_mutex_lock(&x->lock);
    x->done = true;
    pthread_cond_signal(&x->settled);
    pthread_mutex_unlock(&x->lock);
}

int store_write_run(struct store *s, store_write_fn fn, void *arg, struct err *e)
{
    struct waiter x = {.w = {.fn = fn, .arg = arg, .done = wake}};
    pthread_mutex_init(&x.lock, NULL);
    pthread_cond_init(&x.settled, NULL);
    store_write_submit(s, &x.w);
    pthread_mutex_lock(&x.lock);
    while (!x.done)
        pthread_cond_wait(&x.settled, &x.lock);
    pthread_mutex_unlock(&x.lock);
    pthread_cond_destroy(&x.settled);
    pthread_mutex_destroy(&x.lock);
    if (x.w.rc)
        *e = x.w.err;
    return x.w.rc;
}
