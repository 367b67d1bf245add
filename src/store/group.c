/* group.c — group commit: many writers, one transaction, one fsync.
 *
 * With durable commits (synchronous=FULL) a SQLite COMMIT waits for an fsync
 * of the WAL (0.4–1.7 ms on this machine's disk), and SQLite has one writer,
 * so one transaction per request caps a server at a few hundred to a couple
 * of thousand writes a second. Instead, request threads queue their write
 * (store_write_submit); a committer thread takes everything queued (up to
 * GROUP_MAX), runs it in one transaction on its own connection — each write
 * inside its own SAVEPOINT, so a write that fails is undone alone — commits
 * once, and then settles every write of the batch with its own result.
 * Writes that arrive during the fsync form the next batch, so the batch
 * grows with the load and the fsync cost per write falls.
 *
 * A write that fails in a way that makes the database abandon the whole
 * transaction (I/O error, disk full) takes the batch's earlier writes with
 * it: they are settled with an error and the rest of the batch continues in
 * a new transaction.
 *
 * A store has `lanes` committer threads sharing the queue, each with its own
 * connection outside the pool: one on SQLite (one writer anyway), two on
 * PostgreSQL, whose concurrent commits share WAL flushes by themselves but
 * whose round trips a single lane would serialize.
 *
 * Thread safety: store_write_submit and store_write_run may be called from
 * any thread; done callbacks run on a committer thread. */
#include "store/store_impl.h"

#include <stdlib.h>
#include <string.h>

#define GROUP_MAX 512 /* writes in one transaction at most */

struct committer;

/* One committing thread and its own connection, outside the pool. */
struct lane {
    struct committer *k;
    pthread_t thread;
    struct store_conn conn;
};

struct committer {
    struct store *store;
    pthread_mutex_t lock;
    pthread_cond_t work;
    struct store_write *head, *tail; /* queued writes, oldest first */
    bool stop;
    int nlanes; /* threads started */
    struct lane lanes[];
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

/* The lane's connection, opened on first use and again after it broke. */
static int connect(struct lane *l, struct err *e)
{
    struct store_conn *c = &l->conn;
    if (c->pg && PQstatus(c->pg) != CONNECTION_OK)
        pg_disconnect(c);
    if (c->lite || c->pg)
        return 0;
    int rc = c->store->backend == STORE_SQLITE ? lite_connect(c, e) : pg_connect(c, e);
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
static void run_batch(struct lane *l, struct store_write *batch)
{
    struct store_conn *c = &l->conn;
    struct store_write *w = batch;
    while (w) {
        struct store_write *from = w;
        struct err e = {0};
        int rc = connect(l, &e);
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
    struct lane *l = arg;
    struct committer *k = l->k;
    pthread_mutex_lock(&k->lock);
    struct store_write *batch;
    while ((batch = take(k)) != NULL) {
        pthread_mutex_unlock(&k->lock);
        run_batch(l, batch);
        uint64_t n = 0;
        for (struct store_write *w = batch; w; w = w->next)
            n++;
        pthread_mutex_lock(&k->store->lock); /* counted before anyone is told */
        k->store->stats.groups++;
        k->store->stats.grouped += n;
        pthread_mutex_unlock(&k->store->lock);
        for (struct store_write *w = batch, *next; w; w = next) {
            next = w->next; /* done may free w */
            w->next = NULL;
            w->done(w);
        }
        pthread_mutex_lock(&k->lock);
    }
    pthread_mutex_unlock(&k->lock);
    return NULL;
}

int store_committer_start(struct store *s, int lanes, struct err *e)
{
    struct committer *k = calloc(1, sizeof *k + sizeof(struct lane) * (size_t)lanes);
    if (!k)
        return err_set(e, ERR_NOMEM, "out of memory");
    k->store = s;
    pthread_mutex_init(&k->lock, NULL);
    pthread_cond_init(&k->work, NULL);
    s->committer = k;
    for (; k->nlanes < lanes; k->nlanes++) {
        struct lane *l = &k->lanes[k->nlanes];
        l->k = k;
        l->conn.store = s;
        if (pthread_create(&l->thread, NULL, run, l) != 0) {
            store_committer_stop(s);
            return err_set(e, ERR_DB, "cannot start the group committer");
        }
        pthread_setname_np(l->thread, "store-commit"); /* for top and perf */
    }
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
    pthread_cond_broadcast(&k->work);
    pthread_mutex_unlock(&k->lock);
    for (int i = 0; i < k->nlanes; i++) {
        struct lane *l = &k->lanes[i];
        pthread_join(l->thread, NULL);
        if (l->conn.lite)
            lite_disconnect(&l->conn);
        if (l->conn.pg)
            pg_disconnect(&l->conn);
    }
    pthread_cond_destroy(&k->work);
    pthread_mutex_destroy(&k->lock);
    free(k);
    s->committer = NULL;
}

void store_write_submit(struct store *s, struct store_write *w)
{
    struct committer *k = s->committer;
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
