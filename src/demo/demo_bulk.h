/* demo_bulk.h — the batched writer the demo stages share (demo_registry.c,
 * demo_meters.c). A stage lists its tables in foreign-key order, assigns the
 * ids itself, and hands rows over one at a time; nothing is read back.
 *
 * SQLite: DEMO_LITE_ROWS rows per cached multi-row INSERT … VALUES (…), (…)
 * (one row per statement would pay SQLite's per-statement setup — an
 * ephemeral table for every CHECK (x IN (…)) — on every row); a table is
 * flushed when it fills, so the stage defers foreign keys to the commit.
 * PostgreSQL: DEMO_BATCH rows per INSERT … SELECT FROM unnest() of one array
 * literal per column (the driver binds at most 64 parameters); when one table
 * fills, all are flushed in their order, so parents always precede children. */
#ifndef UPRAVDOM_DEMO_BULK_H
#define UPRAVDOM_DEMO_BULK_H

#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DEMO_BATCH 5000    /* rows per PostgreSQL INSERT … SELECT FROM unnest() */
#define DEMO_LITE_ROWS 100 /* rows per SQLite INSERT … VALUES (…), (…) */
#define DEMO_MAXCOLS 28    /* columns of the widest table */
#define DEMO_MAXTABLES 12  /* tables of one writer */

struct demo_buf {
    char *p;
    size_t len, cap;
};

/* One table's pending rows. `one` is the one-row INSERT … VALUES ($1, …) and
 * `many` the unnest() form; both string literals (statements are cached by
 * the SQL text's address). PostgreSQL keeps an array literal per column;
 * SQLite the values, texts as offsets into `pool`. */
struct demo_bulk {
    const char *one, *many;
    int ncols;
    /* kept by the writer */
    const char *lite; /* the DEMO_LITE_ROWS-row form of `one` */
    int nrows;
    struct demo_buf col[DEMO_MAXCOLS];
    struct store_val *vals;
    struct demo_buf pool;
};

struct demo_writer {
    struct store_conn *c;
    bool pg;
    int64_t *rows;                           /* bumped per row (the stage's count) */
    struct demo_bulk *table[DEMO_MAXTABLES]; /* in foreign-key order */
    int ntables;
};

/* Prepares w for the n tables (parents first; each with one, many, ncols
 * set). ERR_NOMEM, or ERR_INVALID when a table is too wide. */
int demo_writer_init(struct demo_writer *w, struct store_conn *c, int64_t *rows,
                     struct demo_bulk *const *tables, int n, struct err *e);
/* Adds one row of n values (n must be b's ncols); may flush. */
int demo_put(struct demo_writer *w, struct demo_bulk *b, const struct store_val *v, int n,
             struct err *e);
/* Writes every pending row, table by table in their order. */
int demo_flush(struct demo_writer *w, struct err *e);
void demo_writer_free(struct demo_writer *w);

/* Text that is never NULL (SV_T of an array trips -Waddress). */
#define DEMO_TXT(x) ((struct store_val){.type = SV_TEXT, .s = (x)})
#define DEMO_VALS(...)                                                                             \
    (const struct store_val[])                                                                     \
    {                                                                                              \
        __VA_ARGS__                                                                                \
    }
#define DEMO_NVALS(...) ((int)(sizeof(DEMO_VALS(__VA_ARGS__)) / sizeof(struct store_val)))

#endif
