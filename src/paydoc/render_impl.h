/* render_impl.h — the parts of the period's render (paydoc_render,
 * docs/paydoc.md "Print batches and single files") that its files share:
 *
 *   render.c           the selection, the batches, the loader loop
 *   render_manifest.c  paydoc_files: what was written before, what is now
 *   render_queue.c     the bounded queue, the renderer threads, their reports
 *   render_draw.c      a batch drawn: digests, PDFs, files written into place
 *
 * Not part of the module's interface: only these files include it. */
#ifndef UPRAVDOM_PAYDOC_RENDER_IMPL_H
#define UPRAVDOM_PAYDOC_RENDER_IMPL_H

#include "paydoc/paydoc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* Part of every digest: a new layout (a change that moves what a page
 * shows) bumps it, so the next run draws every file again. */
#define RENDER_FORMAT "paydoc-render-1\n"
#define FLUSH_ROWS 512 /* manifest rows written per transaction */

/* ---- what is rendered (render.c) ---- */

/* A house of the selection: a stop of the route (house_id 0: the accounts
 * without a house of a municipality). */
struct house_item {
    struct paydoc_stop stop;
    int64_t region_id;
    int64_t documents; /* its statements of the period */
    const char *address;
};

/* An organization's files of the period as paydoc_files has them
 * (render_manifest.c): read when the loader reaches the organization's
 * first batch, read-only while its batches render, freed when the last is
 * done. */
struct manifest {
    int64_t org_id;
    struct manifest_row *rows; /* sorted by name */
    int nrows;
    struct arena *a; /* the rows' names */
    int batches;     /* not yet reported done (the loader's count) */
    struct manifest *next;
};

/* A print batch: an organization's houses on one street (one key) of one
 * municipality, in route order, and then their documents. */
struct batch {
    int64_t org_id, region_id, municipality_id;
    const char *key, *label;
    int first, nhouses;  /* houses[first .. first + nhouses) of the sorted list */
    int64_t documents;   /* the houses' statements when selected */
    struct manifest *mf; /* its organization's files */
    /* Filled by the loader: */
    struct arena *a; /* the documents; freed by the renderer */
    struct paydoc *docs;
    int ndocs;
    struct batch *next; /* the queue */
};

/* A file's row in paydoc_files: before the run, what is there; after a
 * write, what to store. */
struct manifest_row {
    int64_t org_id, region_id;
    char *name; /* under the output directory */
    char *label;
    char kind; /* 'b' batch, 's' single */
    char digest[65];
    int64_t documents, pages, bytes;
    int64_t mtime_ns; /* the file's modification time when written */
};

/* ---- the manifest (render_manifest.c) ---- */

/* The organization's rows of the period (mf->batches is the caller's). */
int manifest_read(struct store_conn *c, const char *period, int64_t org_id, struct manifest **out,
                  struct err *e);
void manifest_free(struct manifest *mf);
const struct manifest_row *manifest_find(const struct manifest *mf, const char *name);
/* Upserts rows in one transaction. */
int manifest_write(struct store_conn *c, const char *period, const struct manifest_row *rows, int n,
                   struct err *e);
/* Frees the strings of rows[0 .. n) (not the array). */
void manifest_rows_clear(struct manifest_row *rows, int n);

/* ---- the queue (render_queue.c) ---- */

/* What a renderer reports for a batch. */
struct done {
    int64_t documents, pages, bytes;
    int64_t batches_written, batches_kept, singles_written, singles_kept;
    struct manifest_row *rows; /* files written */
    int nrows;
    struct manifest *mf; /* the batch's organization's files */
    int rc;
    struct err err;
    struct done *next;
};

/* The batches between the loader and the renderers, and the renderers'
 * reports back. */
struct render_queue {
    const struct paydoc_render_req *q;
    const char *period;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct batch *todo, *todo_tail; /* lock */
    int ntodo, max_todo;            /* lock */
    bool closed;                    /* lock: no more batches */
    bool lost;                      /* lock: a report could not be allocated: the run fails */
    atomic_bool failing;            /* a renderer failed: the others stop (read anywhere) */
    struct done *done, *done_tail;  /* lock */
    int in_flight;                  /* lock: batches queued or being rendered */
    pthread_t threads[64];
    int nthreads;
};

/* The loader and writer's state (the calling thread's). */
struct run {
    struct render_queue j;
    struct store_conn *c;
    struct paydoc_render_result *out;
    struct manifest *manifests;   /* every one read, freed at the end */
    struct manifest_row *pending; /* rows to write */
    int npending, cpending;
    int64_t done_docs, total_docs;
    int rc;
    struct err err;
    bool out_of_memory;
};

/* Starts n renderers on r's queue (ERR_NOMEM when a thread cannot start:
 * those started run until render_close). */
int render_start(struct run *r, int n, struct err *e);
/* Queues a loaded batch, waiting for room; 0, or the run's error. */
int render_push(struct run *r, struct batch *b, struct err *e);
/* Between batches: the renderers' reports, progress, manifest rows in
 * transactions of FLUSH_ROWS. 0, or the run's error. */
int render_settle(struct run *r, struct err *e);
/* No more batches: waits for the renderers (which skip what is queued
 * after a failure), joins them, collects the last reports and writes every
 * pending row (what was written is recorded even when the run fails).
 * rc is the run's error so far; returns the run's result. */
int render_close(struct run *r, int rc, struct err *e);

/* ---- drawing and writing (render_draw.c) ---- */

/* A batch's documents: their digests, the batch file and the singles that
 * changed or are missing, written into place; the files written reported
 * in dn. */
int render_batch(struct render_queue *j, const struct batch *b, struct done *dn, struct err *e);
/* mkdir -p. */
int render_mkdirs(const char *path, struct err *e);
/* Removes the temporaries of killed renders in dir (hidden, older than a
 * day); errors are ignored. */
void render_sweep(const char *dir);
/* Syncs a directory, making the renames into it durable. */
int render_sync_dir(const char *dir, struct err *e);

#endif
