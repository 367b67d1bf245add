/* demo_bulk.c — the demo stages' batched writer (demo_bulk.h): rows kept per
 * table and written in multi-row INSERTs (SQLite) or unnest() arrays
 * (PostgreSQL), through the dialect helpers of src/store/bulk.c. */
#include "demo/demo_bulk.h"

#include <stdlib.h>
#include <string.h>

#define LITE_SQL_SIZE 32768
#define LITE_SLOTS 24 /* distinct tables over all stages */

static int buf_reserve(struct demo_buf *b, size_t more)
{
    if (b->len + more + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
        return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

/* The DEMO_LITE_ROWS-row form of a one-row INSERT. The statement cache is
 * keyed by the SQL text's address, so each text is built once into static
 * storage, found again by the one-row text's address, and lives for the
 * program (the demo runs on one thread). */
static const char *lite_sql(const char *one, int ncols)
{
    static const char *key[LITE_SLOTS];
    static char sql[LITE_SLOTS][LITE_SQL_SIZE];
    int i = 0;
    while (i < LITE_SLOTS && key[i] && key[i] != one)
        i++;
    if (i == LITE_SLOTS)
        return NULL;
    if (key[i] == one)
        return sql[i];
    const char *values = strstr(one, " VALUES ");
    if (!values ||
        store_values_sql(sql[i], LITE_SQL_SIZE, one, (size_t)(values - one), ncols, DEMO_LITE_ROWS))
        return NULL;
    key[i] = one;
    return sql[i];
}

int demo_writer_init(struct demo_writer *w, struct store_conn *c, int64_t *rows,
                     struct demo_bulk *const *tables, int n, struct err *e)
{
    memset(w, 0, sizeof *w);
    w->c = c;
    w->pg = store_conn_backend(c) == STORE_POSTGRES;
    w->rows = rows;
    if (n > DEMO_MAXTABLES)
        return err_set(e, ERR_INVALID, "demo: %d tables for one writer", n);
    for (int t = 0; t < n; t++) {
        struct demo_bulk *b = tables[t];
        w->table[w->ntables++] = b;
        if (b->ncols < 1 || b->ncols > DEMO_MAXCOLS)
            return err_set(e, ERR_INVALID, "demo: a table of %d columns", b->ncols);
        if (w->pg)
            continue;
        b->lite = lite_sql(b->one, b->ncols);
        b->vals = malloc(sizeof *b->vals * DEMO_LITE_ROWS * (size_t)b->ncols);
        if (!b->lite || !b->vals)
            return err_set(e, ERR_NOMEM, "out of memory");
    }
    return 0;
}

void demo_writer_free(struct demo_writer *w)
{
    for (int t = 0; t < w->ntables; t++) {
        struct demo_bulk *b = w->table[t];
        for (int i = 0; i < DEMO_MAXCOLS; i++)
            free(b->col[i].p);
        free(b->vals);
        free(b->pool.p);
        memset(b->col, 0, sizeof b->col);
        b->vals = NULL;
        b->pool = (struct demo_buf){0};
    }
    w->ntables = 0;
}

static int lite_flush(struct demo_writer *w, struct demo_bulk *b, struct err *e)
{
    int n = b->nrows * b->ncols, rc = 0;
    for (int i = 0; i < n; i++)
        if (b->vals[i].type == SV_TEXT)
            b->vals[i].s = b->pool.p + b->vals[i].i;
    if (b->nrows == DEMO_LITE_ROWS)
        rc = store_exec(w->c, b->lite, b->vals, n, NULL, e);
    else
        for (int r = 0; rc == 0 && r < b->nrows; r++)
            rc = store_exec(w->c, b->one, b->vals + r * b->ncols, b->ncols, NULL, e);
    b->nrows = 0;
    b->pool.len = 0;
    return rc;
}

/* SQLite: keeps a copy of the row (texts into the pool). */
static int lite_keep(struct demo_bulk *b, const struct store_val *v)
{
    struct store_val *dst = b->vals + b->nrows * b->ncols;
    for (int i = 0; i < b->ncols; i++) {
        dst[i] = v[i];
        if (v[i].type != SV_TEXT)
            continue;
        size_t n = strlen(v[i].s) + 1;
        if (buf_reserve(&b->pool, n))
            return -1;
        memcpy(b->pool.p + b->pool.len, v[i].s, n);
        dst[i].i = (int64_t)b->pool.len;
        dst[i].s = NULL; /* set by lite_flush: the pool may move */
        b->pool.len += n;
    }
    return 0;
}

static int bulk_flush(struct demo_writer *w, struct demo_bulk *b, struct err *e)
{
    if (!b->nrows)
        return 0;
    if (!w->pg)
        return lite_flush(w, b, e);
    struct store_val p[DEMO_MAXCOLS];
    for (int i = 0; i < b->ncols; i++) {
        struct demo_buf *c = &b->col[i];
        if (store_array_close(&c->p, &c->len, &c->cap))
            return err_set(e, ERR_NOMEM, "out of memory");
        p[i] = SV_T(c->p);
    }
    int rc = store_exec(w->c, b->many, p, b->ncols, NULL, e);
    for (int i = 0; i < b->ncols; i++)
        b->col[i].len = 0;
    b->nrows = 0;
    return rc;
}

int demo_flush(struct demo_writer *w, struct err *e)
{
    for (int i = 0; i < w->ntables; i++) {
        int rc = bulk_flush(w, w->table[i], e);
        if (rc)
            return rc;
    }
    return 0;
}

int demo_put(struct demo_writer *w, struct demo_bulk *b, const struct store_val *v, int n,
             struct err *e)
{
    if (n != b->ncols)
        return err_set(e, ERR_DB, "demo: %d values for %d columns", n, b->ncols);
    (*w->rows)++;
    if (!w->pg) {
        if (lite_keep(b, v))
            return err_set(e, ERR_NOMEM, "out of memory");
        return ++b->nrows == DEMO_LITE_ROWS ? lite_flush(w, b, e) : 0;
    }
    for (int i = 0; i < n; i++)
        if (store_array_append(&b->col[i].p, &b->col[i].len, &b->col[i].cap, &v[i], b->nrows == 0))
            return err_set(e, ERR_NOMEM, "out of memory");
    return ++b->nrows >= DEMO_BATCH ? demo_flush(w, e) : 0;
}
