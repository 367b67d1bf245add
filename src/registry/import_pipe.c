/* import_pipe.c — SQLite: writing an extract while it is still being read.
 *
 * An extract is checked whole before it counts (one import is one
 * transaction), and most files list each house's rows together. When the
 * rows move on to another house, the house just left is complete — unless it
 * comes back later. So the reader hands each house it leaves to a writer
 * thread, which writes it while the reader goes on: on two cores, reading
 * and checking the file overlaps SQLite's writing. If a house does come back
 * (a file not grouped by house), the reader waits for the writer, the writes
 * so far are undone (ROLLBACK TO SAVEPOINT) and the extract is written after
 * reading, as without the pipe. A file with errors is refused as before: the
 * caller rolls the whole transaction back.
 *
 * The writer has the import's connection; the reader looks houses up
 * through a connection of its own (the houses are committed before an
 * extract is read), so neither waits for the other. The writer touches only
 * the houses handed to it, which the reader no longer does. PostgreSQL
 * writes after reading (its writer maps returned ids through the table the
 * reader is filling). */
#include "registry/import_impl.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define QUEUE_MAX 64 /* houses waiting for the writer: the reader waits beyond */

struct pipe {
    pthread_t thread;
    pthread_mutex_t lock;            /* the queue and the flags */
    pthread_cond_t changed;          /* queue, busy or stop changed */
    struct store_conn *lookup;       /* the reader's own connection */
    struct phouse *queue[QUEUE_MAX]; /* ring of houses to write */
    int head, n;
    bool busy, stop;
    bool off; /* no more houses are handed on: one came back, or the file is refused */
    struct phouse *current; /* the house of the rows being read */
    struct imp wm;          /* the writer's copy of the import: its own err */
    struct err werr;
    struct writer *w;
    int rc; /* the writer's first failure */
};

static void *run(void *arg)
{
    struct pipe *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->n && !p->stop)
            pthread_cond_wait(&p->changed, &p->lock);
        if (!p->n)
            break;
        struct phouse *h = p->queue[p->head];
        p->head = (p->head + 1) % QUEUE_MAX;
        p->n--;
        p->busy = true;
        pthread_cond_broadcast(&p->changed);
        pthread_mutex_unlock(&p->lock);
        int rc = 0;
        if (p->rc == 0)
            rc = writer_house(&p->wm, p->w, h);
        pthread_mutex_lock(&p->lock);
        if (rc && !p->rc)
            p->rc = rc;
        p->busy = false;
        pthread_cond_broadcast(&p->changed);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int pipe_start(struct imp *m, struct pread *pr)
{
    pr->pipe = NULL;
    if (store_conn_backend(m->c) != STORE_SQLITE)
        return 0;
    struct pipe *p = calloc(1, sizeof *p);
    if (!p)
        return err_set(m->e, ERR_NOMEM, "out of memory");
    p->wm = *m;
    p->wm.e = &p->werr;
    int rc = store_peer_open(m->c, &p->lookup, m->e);
    if (rc == 0)
        rc = store_exec(m->c, "SAVEPOINT import_write", NULL, 0, NULL, m->e);
    if (rc == 0 && !(p->w = writer_new(&p->wm, pr)))
        rc = err_set(m->e, p->werr.code ? p->werr.code : ERR_NOMEM, "%s", p->werr.msg);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->changed, NULL);
    if (rc == 0 && pthread_create(&p->thread, NULL, run, p) != 0)
        rc = err_set(m->e, ERR_NOMEM, "cannot start the import's writer thread");
    if (rc) {
        pthread_cond_destroy(&p->changed);
        pthread_mutex_destroy(&p->lock);
        writer_free(p->w);
        store_peer_close(p->lookup);
        free(p);
        return rc;
    }
    pr->pipe = p;
    m->lookup = p->lookup;
    return 0;
}

/* Waits until the writer has nothing queued and nothing in hand. */
static void drain(struct pipe *p)
{
    pthread_mutex_lock(&p->lock);
    while (p->n || p->busy)
        pthread_cond_wait(&p->changed, &p->lock);
    pthread_mutex_unlock(&p->lock);
}

static void hand_on(struct pipe *p, struct phouse *h)
{
    pthread_mutex_lock(&p->lock);
    while (p->n == QUEUE_MAX)
        pthread_cond_wait(&p->changed, &p->lock);
    p->queue[(p->head + p->n) % QUEUE_MAX] = h;
    p->n++;
    h->handed = true;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
}

void pipe_row(struct imp *m, struct pipe *p, struct phouse *h)
{
    if (p->off || h == p->current)
        return;
    if (h->handed) { /* it comes back: the file is not grouped by house */
        p->off = true;
        drain(p);
        return;
    }
    if (m->nerr && !m->o->skip_invalid) { /* refused whatever comes: stop writing */
        p->off = true;
        return;
    }
    if (p->current)
        hand_on(p, p->current);
    p->current = h;
}

/* Undoes what the writer wrote and forgets its counts. */
static int fall_back(struct imp *m)
{
    struct reg_import_result *r = m->res;
    r->premises_created = r->premises_updated = 0;
    r->rights_created = r->rights_updated = r->rights_ended = 0;
    r->changes = r->rows_applied = 0;
    return store_exec(m->c, "ROLLBACK TO SAVEPOINT import_write", NULL, 0, NULL, m->e);
}

int pipe_finish(struct imp *m, struct pread *pr, bool ok, bool *written)
{
    struct pipe *p = pr->pipe;
    *written = false;
    if (!p)
        return 0;
    if (ok && !p->off && p->current)
        hand_on(p, p->current);
    pthread_mutex_lock(&p->lock);
    p->stop = true;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    m->lookup = NULL;
    int rc = 0;
    if (p->rc)
        rc = err_set(m->e, p->rc, "%s", p->werr.msg);
    else if (ok && !p->off)
        rc = writer_end(m, p->w);
    if (rc == 0 && ok) {
        *written = !p->off;
        if (p->off)
            rc = fall_back(m);
    }
    if (rc == 0 && ok)
        rc = store_exec(m->c, "RELEASE SAVEPOINT import_write", NULL, 0, NULL, m->e);
    writer_free(p->w);
    store_peer_close(p->lookup);
    pthread_cond_destroy(&p->changed);
    pthread_mutex_destroy(&p->lock);
    free(p);
    pr->pipe = NULL;
    return rc;
}
