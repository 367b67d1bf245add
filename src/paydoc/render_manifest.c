/* render_manifest.c — paydoc_files, the manifest of the files a render
 * wrote (docs/paydoc.md "Re-runs"): read an organization at a time (the
 * batches are an organization's; a region's whole period would be millions
 * of rows in memory), and upserted in transactions by the loader thread.
 * Only the loader thread calls these; a manifest read is then shared
 * read-only with the renderers. */
#include "paydoc/render_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_name(const void *x, const void *y)
{
    const struct manifest_row *a = x, *b = y;
    return strcmp(a->name, b->name);
}

const struct manifest_row *manifest_find(const struct manifest *mf, const char *name)
{
    struct manifest_row key = {.name = (char *)name};
    return mf && mf->nrows ? bsearch(&key, mf->rows, (size_t)mf->nrows, sizeof key, cmp_name)
                           : NULL;
}

void manifest_free(struct manifest *mf)
{
    if (!mf)
        return;
    free(mf->rows);
    arena_free(mf->a);
    mf->rows = NULL;
    mf->a = NULL;
    mf->nrows = 0;
}

/* The index UNIQUE (org_id, period, name) serves this query (its first two
 * columns); the digest, size and time are all a re-run compares. */
int manifest_read(struct store_conn *c, const char *period, int64_t org_id, struct manifest **out,
                  struct err *e)
{
    struct manifest *mf = calloc(1, sizeof *mf);
    struct store_rows *r = NULL;
    int rc = mf && (mf->a = arena_new()) ? 0 : err_set(e, ERR_NOMEM, "out of memory");
    if (!rc)
        rc = store_query(c,
                         "SELECT name, digest, bytes, mtime_ns FROM paydoc_files"
                         " WHERE org_id = $1 AND period = $2",
                         (struct store_val[]){SV_I(org_id), SV_S(period)}, 2, &r, e);
    int cap = 0;
    while (!rc && store_next(r)) {
        if (mf->nrows == cap) {
            void *p = realloc(mf->rows, sizeof *mf->rows * (size_t)(cap = cap ? cap * 2 : 256));
            if (!p) {
                rc = err_set(e, ERR_NOMEM, "out of memory");
                break;
            }
            mf->rows = p;
        }
        struct manifest_row *m = &mf->rows[mf->nrows];
        *m = (struct manifest_row){.org_id = org_id,
                                   .name = (char *)store_dup(r, 0, mf->a),
                                   .bytes = store_int(r, 2),
                                   .mtime_ns = store_int(r, 3)};
        snprintf(m->digest, sizeof m->digest, "%s", store_text(r, 1) ? store_text(r, 1) : "");
        if (!m->name)
            rc = err_set(e, ERR_NOMEM, "out of memory");
        else
            mf->nrows++;
    }
    store_rows_free(r);
    if (rc) {
        manifest_free(mf);
        free(mf);
        return rc;
    }
    if (mf->nrows)
        qsort(mf->rows, (size_t)mf->nrows, sizeof *mf->rows, cmp_name);
    mf->org_id = org_id;
    *out = mf;
    return 0;
}

void manifest_rows_clear(struct manifest_row *rows, int n)
{
    for (int i = 0; i < n; i++) {
        free(rows[i].name);
        free(rows[i].label);
        rows[i].name = rows[i].label = NULL;
    }
}

int manifest_write(struct store_conn *c, const char *period, const struct manifest_row *rows, int n,
                   struct err *e)
{
    if (!n)
        return 0;
    int rc = store_begin(c, e);
    int64_t now = store_now();
    for (int i = 0; !rc && i < n; i++) {
        const struct manifest_row *m = &rows[i];
        struct store_val p[] = {SV_I(m->region_id), SV_I(m->org_id),
                                SV_S(period),       SV_S(m->kind == 'b' ? "batch" : "single"),
                                SV_S(m->name),      SV_T(m->label),
                                SV_S(m->digest),    SV_I(m->documents),
                                SV_I(m->pages),     SV_I(m->bytes),
                                SV_I(m->mtime_ns),  SV_I(now)};
        rc = store_exec(c,
                        "INSERT INTO paydoc_files (region_id, org_id, period, kind, name, label,"
                        " digest, documents, pages, bytes, mtime_ns, rendered_at) VALUES ($1, $2,"
                        " $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
                        " ON CONFLICT (org_id, period, name) DO UPDATE"
                        " SET region_id = excluded.region_id, kind = excluded.kind,"
                        " label = excluded.label, digest = excluded.digest,"
                        " documents = excluded.documents, pages = excluded.pages,"
                        " bytes = excluded.bytes, mtime_ns = excluded.mtime_ns,"
                        " rendered_at = excluded.rendered_at",
                        p, 12, NULL, e);
    }
    if (!rc)
        rc = store_commit(c, e);
    if (rc)
        store_rollback(c);
    return rc;
}
