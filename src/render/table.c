/* table.c — building a report table, and writing it as CSV. */
#include "render/table.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct table *table_new(struct arena *a, const char *title, const char *const *columns,
                        int ncolumns)
{
    struct table *t = arena_alloc(a, sizeof *t);
    if (!t || !(t->columns = arena_alloc(a, sizeof *t->columns * (size_t)ncolumns)))
        return NULL;
    t->a = a;
    t->title = arena_strdup(a, title);
    for (int i = 0; i < ncolumns; i++)
        t->columns[i] = arena_strdup(a, columns[i]);
    t->ncolumns = ncolumns;
    return t;
}

int table_fact(struct table *t, const char *name, const char *value)
{
    int cap = t->facts_cap;
    if (arena_grow(t->a, &t->fact_names, t->nfacts, &cap, sizeof(char *)) ||
        arena_grow(t->a, &t->fact_values, t->nfacts, &t->facts_cap, sizeof(char *)))
        return ERR_NOMEM;
    t->fact_names[t->nfacts] = arena_strdup(t->a, name);
    t->fact_values[t->nfacts++] = arena_strdup(t->a, value ? value : "—");
    return 0;
}

int table_row(struct table *t, const char *const *cells)
{
    const char **row = arena_alloc(t->a, sizeof *row * (size_t)t->ncolumns);
    if (!row || arena_grow(t->a, &t->rows, t->nrows, &t->rows_cap, sizeof *t->rows))
        return ERR_NOMEM;
    for (int i = 0; i < t->ncolumns; i++)
        row[i] = arena_strdup(t->a, cells[i] ? cells[i] : "");
    t->rows[t->nrows++] = row;
    return 0;
}

static void csv_cell(FILE *f, const char *s, bool last)
{
    if (strpbrk(s, ";\"\r\n")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputs(last ? "\r\n" : ";", f);
}

int table_csv(const struct table *t, char **out, size_t *len, struct err *e)
{
    FILE *f = open_memstream(out, len);
    if (!f)
        return err_set(e, ERR_NOMEM, "out of memory");
    fputs("\xEF\xBB\xBF", f);
    csv_cell(f, t->title, true);
    for (int i = 0; i < t->nfacts; i++) {
        csv_cell(f, t->fact_names[i], false);
        csv_cell(f, t->fact_values[i], true);
    }
    fputs("\r\n", f);
    for (int j = 0; j < t->ncolumns; j++)
        csv_cell(f, t->columns[j], j == t->ncolumns - 1);
    for (int i = 0; i < t->nrows; i++)
        for (int j = 0; j < t->ncolumns; j++)
            csv_cell(f, t->rows[i][j], j == t->ncolumns - 1);
    if (fclose(f)) {
        free(*out);
        *out = NULL;
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    return 0;
}
