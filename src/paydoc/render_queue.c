/* render_queue.c — the render's threads (docs/paydoc.md "Threads"). The
 * calling thread loads batches and pushes them on a bounded queue (twice the
 * renderers); renderers take them, draw them (render_draw.c) and report
 * back; between batches the calling thread collects the reports, shows the
 * progress and writes the manifest rows of the files written — after
 * syncing their directories, so a row never promises a rename that a power
 * loss could undo.
 *
 * Locking: the queue's fields marked "lock" in render_impl.h are under
 * j.lock; `failing` is atomic, read by a renderer between documents. A
 * batch belongs to the loader until pushed, then to the renderer that takes
 * it, which frees its documents. */
#include "paydoc/render_impl.h"

#include "base/log.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Takes the next batch, waiting; NULL once the queue is closed and empty.
 * *skip: a renderer failed, the batch is only reported. */
static struct batch *take(struct render_queue *j, bool *skip)
{
    pthread_mutex_lock(&j->lock);
    while (!j->todo && !j->closed)
        pthread_cond_wait(&j->changed, &j->lock);
    struct batch *b = j->todo;
    if (b) {
        j->todo = b->next;
        if (!j->todo)
            j->todo_tail = NULL;
        j->ntodo--;
    }
    *skip = atomic_load(&j->failing);
    pthread_cond_broadcast(&j->changed); /* room in the queue */
    pthread_mutex_unlock(&j->lock);
    return b;
}

static void report(struct render_queue *j, struct done *dn)
{
    pthread_mutex_lock(&j->lock);
    if (dn) {
        if (j->done_tail)
            j->done_tail->next = dn;
        else
            j->done = dn;
        j->done_tail = dn;
        if (dn->rc)
            atomic_store(&j->failing, true);
    } else {
        j->lost = true; /* out of memory: the run fails (render_settle) */
        atomic_store(&j->failing, true);
    }
    j->in_flight--;
    pthread_cond_broadcast(&j->changed);
    pthread_mutex_unlock(&j->lock);
}

static void *renderer(void *arg)
{
    struct render_queue *j = arg;
    bool skip;
    struct batch *b;
    while ((b = take(j, &skip))) {
        struct done *dn = calloc(1, sizeof *dn);
        if (dn) {
            dn->mf = b->mf;
            if (!skip)
                dn->rc = render_batch(j, b, dn, &dn->err);
        }
        arena_free(b->a);
        b->a = NULL;
        report(j, dn);
    }
    return NULL;
}

int render_start(struct run *r, int n, struct err *e)
{
    struct render_queue *j = &r->j;
    j->max_todo = 2 * n;
    for (; j->nthreads < n; j->nthreads++)
        if (pthread_create(&j->threads[j->nthreads], NULL, renderer, j))
            return err_set(e, ERR_NOMEM, "cannot start a renderer thread");
    return 0;
}

int render_push(struct run *r, struct batch *b, struct err *e)
{
    struct render_queue *j = &r->j;
    pthread_mutex_lock(&j->lock);
    while (j->ntodo >= j->max_todo && !atomic_load(&j->failing))
        pthread_cond_wait(&j->changed, &j->lock);
    b->next = NULL;
    if (j->todo_tail)
        j->todo_tail->next = b;
    else
        j->todo = b;
    j->todo_tail = b;
    j->ntodo++;
    j->in_flight++;
    pthread_cond_broadcast(&j->changed);
    pthread_mutex_unlock(&j->lock);
    return render_settle(r, e);
}

/* Moves a report's rows to the pending ones (their strings change hands). */
static void take_rows(struct run *r, struct done *dn)
{
    for (int i = 0; i < dn->nrows; i++) {
        if (r->npending == r->cpending) {
            int cap = r->cpending ? r->cpending * 2 : FLUSH_ROWS;
            void *p = realloc(r->pending, sizeof *r->pending * (size_t)cap);
            if (!p) {
                manifest_rows_clear(&dn->rows[i], 1);
                r->out_of_memory = true;
                continue;
            }
            r->pending = p;
            r->cpending = cap;
        }
        r->pending[r->npending++] = dn->rows[i];
    }
    free(dn->rows);
}

/* Takes the renderers' reports (j.lock held): counts, the first error, rows
 * to write; an organization's manifest is freed after its last batch. */
static void collect(struct run *r)
{
    struct done *dn = r->j.done;
    r->j.done = r->j.done_tail = NULL;
    while (dn) {
        struct done *next = dn->next;
        struct paydoc_render_result *o = r->out;
        o->documents += dn->documents;
        o->pages += dn->pages;
        o->bytes += dn->bytes;
        o->batches_written += dn->batches_written;
        o->batches_kept += dn->batches_kept;
        o->singles_written += dn->singles_written;
        o->singles_kept += dn->singles_kept;
        r->done_docs += dn->documents;
        if (dn->rc && !r->rc) {
            r->rc = dn->rc;
            r->err = dn->err;
        }
        take_rows(r, dn);
        if (dn->mf && --dn->mf->batches == 0)
            manifest_free(dn->mf);
        free(dn);
        dn = next;
    }
}

/* Syncs the directories of the pending rows, each once. */
static int sync_dirs(struct run *r, struct err *e)
{
    struct seen {
        int64_t org_id;
        char kind;
    } seen[16]; /* rows come grouped by organization: a few directories */
    int nseen = 0, rc = 0;
    for (int i = 0; !rc && i < r->npending; i++) {
        const struct manifest_row *m = &r->pending[i];
        int k = 0;
        while (k < nseen && (seen[k].org_id != m->org_id || seen[k].kind != m->kind))
            k++;
        if (k < nseen)
            continue;
        if (nseen == (int)(sizeof seen / sizeof seen[0]))
            nseen = 0;
        seen[nseen++] = (struct seen){m->org_id, m->kind};
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s/%s/%s/%lld", r->j.q->out_dir, r->j.period,
                 m->kind == 'b' ? "print" : "single", (long long)m->org_id);
        rc = render_sync_dir(dir, e);
    }
    return rc;
}

/* Writes the pending manifest rows (without j.lock). */
static int flush(struct run *r, struct err *e)
{
    int rc = sync_dirs(r, e);
    if (!rc)
        rc = manifest_write(r->c, r->j.period, r->pending, r->npending, e);
    manifest_rows_clear(r->pending, r->npending);
    r->npending = 0;
    return rc;
}

int render_settle(struct run *r, struct err *e)
{
    pthread_mutex_lock(&r->j.lock);
    collect(r);
    r->out_of_memory |= r->j.lost;
    pthread_mutex_unlock(&r->j.lock);
    const struct paydoc_render_req *q = r->j.q;
    if (q->progress)
        q->progress(q->progress_arg, r->done_docs, r->total_docs);
    int rc = r->rc;
    if (rc)
        *e = r->err;
    if (!rc && r->out_of_memory)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    if (!rc && r->npending >= FLUSH_ROWS)
        rc = flush(r, e);
    return rc;
}

int render_close(struct run *r, int rc, struct err *e)
{
    struct render_queue *j = &r->j;
    pthread_mutex_lock(&j->lock);
    j->closed = true;
    if (rc)
        atomic_store(&j->failing, true);
    pthread_cond_broadcast(&j->changed);
    while (j->in_flight > 0)
        pthread_cond_wait(&j->changed, &j->lock);
    pthread_mutex_unlock(&j->lock);
    for (int i = 0; i < j->nthreads; i++)
        pthread_join(j->threads[i], NULL);
    j->nthreads = 0;
    struct err late = {0};
    int late_rc = render_settle(r, &late);
    if (!rc && late_rc)
        rc = late_rc, *e = late;
    /* What was written is recorded even when the run fails: those files
     * are done. */
    if (r->npending) {
        struct err fe = {0};
        int frc = flush(r, &fe);
        if (!rc && frc)
            rc = frc, *e = fe;
    }
    if (rc && rc != ERR_CONFLICT)
        log_msgf(LOG_WARN, "paydoc render failed", "%s", e->msg);
    return rc;
}
