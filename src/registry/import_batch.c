/* import_batch.c — the import's output other than single statements: rows
 * collected into batches (struct batch in import_impl.h; PostgreSQL arrays
 * for unnest(), SQLite multi-row INSERT … VALUES built once per program) and
 * the rejected rows' file PATH.rejected.csv written with skip_invalid. */
#include "registry/import_impl.h"

#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_LITE 128 /* rows per SQLite INSERT statement */

/* ------------------------------------------------------------------ batches */

/* Appends one row of values to the batch. */
int batch_add(struct batch *b, const struct store_val *v)
{
    if (!b->pg) {
        if ((size_t)b->n == b->cap_rows) {
            size_t cap = b->cap_rows ? b->cap_rows * 2 : BATCH_ROWS;
            struct store_val *p = realloc(b->vals, sizeof *p * cap * (size_t)b->ncols);
            if (!p)
                return ERR_NOMEM;
            b->vals = p;
            b->cap_rows = cap;
        }
        memcpy(b->vals + (size_t)b->n * (size_t)b->ncols, v, sizeof *v * (size_t)b->ncols);
        b->n++;
        return 0;
    }
    for (int k = 0; k < b->ncols; k++)
        if (store_array_append(&b->buf[k], &b->len[k], &b->cap[k], &v[k], b->n == 0))
            return ERR_NOMEM;
    b->n++;
    return 0;
}

/* The batch's columns as parameters, each array closed. */
int batch_params(struct batch *b, struct store_val *p)
{
    for (int k = 0; k < b->ncols; k++) {
        if (store_array_close(&b->buf[k], &b->len[k], &b->cap[k]))
            return ERR_NOMEM;
        p[k] = SV_T(b->buf[k]);
    }
    return 0;
}

void batch_reset(struct batch *b)
{
    for (int k = 0; k < b->ncols; k++)
        b->len[k] = 0;
    b->n = 0;
}

void batch_free(struct batch *b)
{
    for (int k = 0; k < 16; k++)
        free(b->buf[k]);
    free(b->vals);
    memset(b, 0, sizeof *b);
}

/* SQLite's INSERT statements of the import, for one row and for BATCH_LITE
 * rows, built once (the store caches statements by the SQL's address, so
 * they live for the program). */
static const struct {
    const char *head;
    int ncols;
} lite_insert[LS_N] = {
    [LS_PREMISES] = {"INSERT INTO premises (id, house_id, region_id, municipality_id, number,"
                     " kind, area, cadastral_number, entrance, floor, created_at, updated_at)",
                     12},
    [LS_RIGHTS] = {"INSERT INTO rights (id, premises_id, house_id, region_id, municipality_id,"
                   " owner_kind, owner_name, owner_inn, right_type, share_num, share_den,"
                   " reg_number, reg_date, created_at)",
                   14},
    [LS_ENCS] = {"INSERT INTO encumbrances (right_id, kind, reg_number, reg_date)", 4},
    [LS_CHANGES] = {"INSERT INTO registry_changes (region_id, municipality_id, house_id,"
                    " premises_id, kind, old_value, new_value, changed_on, source, at)",
                    10},
};
static char lite_sql[LS_N][2][32768]; /* [table][0]: one row, [1]: BATCH_LITE rows */
static pthread_once_t lite_once = PTHREAD_ONCE_INIT;

static void build_lite_sql(void)
{
    for (int t = 0; t < LS_N; t++)
        for (int many = 0; many < 2; many++) {
            const char *head = lite_insert[t].head;
            int rc = store_values_sql(lite_sql[t][many], sizeof lite_sql[t][many], head,
                                      strlen(head), lite_insert[t].ncols, many ? BATCH_LITE : 1);
            assert(rc == 0); /* the sizes are fixed: a fit is an invariant */
            (void)rc;
        }
}

/* Sends a SQLite batch: BATCH_LITE rows a statement, the rest one by one. */
int lite_send(struct imp *m, struct batch *b)
{
    pthread_once(&lite_once, build_lite_sql);
    int rc = 0, i = 0, nc = b->ncols;
    for (; rc == 0 && i + BATCH_LITE <= b->n; i += BATCH_LITE)
        rc = store_exec(m->c, lite_sql[b->table][1], b->vals + (size_t)i * (size_t)nc,
                        BATCH_LITE * nc, NULL, m->e);
    for (; rc == 0 && i < b->n; i++)
        rc = store_exec(m->c, lite_sql[b->table][0], b->vals + (size_t)i * (size_t)nc, nc, NULL,
                        m->e);
    b->n = 0;
    return rc;
}

/* ------------------------------------------------------------------ rejected rows */

static int cmp_rejected(const void *x, const void *y)
{
    const struct rejected *a = x, *b = y;
    return (a->line > b->line) - (a->line < b->line);
}

int cmp_errors(const void *x, const void *y)
{
    const struct error_item *a = x, *b = y;
    if (a->line != b->line)
        return (a->line > b->line) - (a->line < b->line);
    if (a->col != b->col)
        return (a->col > b->col) - (a->col < b->col);
    return (a->seq > b->seq) - (a->seq < b->seq);
}

/* Writes s as the inside of a quoted CSV field: its quotes doubled. */
static void put_quoted(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
}

/* Writes one CSV field, quoted when it needs to be. */
static void put_field(FILE *f, const char *s, bool first)
{
    if (!first)
        fputc(';', f);
    if (!strpbrk(s, ";\"\r\n") && s[0] != ' ' && (!*s || s[strlen(s) - 1] != ' ')) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    put_quoted(f, s);
    fputc('"', f);
}

/* Writes PATH.rejected.csv: the header plus a column «причина», then every
 * rejected row as it was in the file (UTF-8 with a byte order mark, for
 * spreadsheets, separator ';'), with its reasons. Errors must be sorted. */
int write_rejected(struct imp *m, struct rejected *rej, size_t n)
{
    qsort(rej, n, sizeof *rej, cmp_rejected);
    const char *path = arena_printf(m->a, "%s.rejected.csv", m->o->path);
    struct csv *r = NULL;
    FILE *f = path ? fopen(path, "w") : NULL;
    int rc = f ? csv_open(m->o->path, NULL, &r, m->e) : ERR_IO;
    if (!f)
        err_set(m->e, ERR_IO, "%s: не удалось создать файл", path ? path : m->o->path);
    struct csv_record rec;
    size_t i = 0, k = 0;
    bool header = true;
    while (rc == 0 && (rc = csv_next(r, &rec, m->e)) == 1) {
        rc = 0;
        if (header) {
            fputs("\xef\xbb\xbf", f);
            for (int j = 0; j < rec.n; j++)
                put_field(f, rec.field[j], j == 0);
            put_field(f, "причина", false);
            fputc('\n', f);
            header = false;
            continue;
        }
        while (i < n && rej[i].line < rec.line)
            i++;
        if (i == n)
            break;
        if (rej[i].line != rec.line)
            continue;
        for (int j = 0; j < rec.n; j++)
            put_field(f, rec.field[j], j == 0);
        /* Reasons: this line's errors, with their columns. */
        while (k < m->nerr && m->errors[k].line < rec.line)
            k++;
        fputs(";\"", f);
        bool any = false;
        for (; k < m->nerr && m->errors[k].line == rec.line; k++, any = true) {
            fputs(any ? "; " : "", f);
            put_quoted(f, m->errors[k].msg);
            if (m->errors[k].col > 0)
                fprintf(f, " (столбец %d)", m->errors[k].col);
        }
        if (!any && rej[i].fallback)
            put_quoted(f, rej[i].fallback);
        fputs("\"\n", f);
    }
    csv_close(r);
    /* A write that failed on the way (a full disk) leaves only the stream's
     * error flag: fclose reports just its own last flush. */
    bool write_failed = f && ferror(f);
    if (f && fclose(f) != 0)
        write_failed = true;
    if (write_failed && rc >= 0)
        rc = err_set(m->e, ERR_IO, "%s: ошибка записи", path);
    if (rc < 0)
        return rc;
    m->res->rejected_path = path;
    return 0;
}
