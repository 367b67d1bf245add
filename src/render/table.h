/* table.h — a report as data: a title, labelled facts about its subject
 * (the house's characteristics), column headings and rows of text cells;
 * rendered as CSV (csv.c) or XLSX (xlsx.c). All strings live in an arena. */
#ifndef UPRAVDOM_TABLE_H
#define UPRAVDOM_TABLE_H

#include "base/arena.h"
#include "base/err.h"

#include <stddef.h>

struct table {
    struct arena *a;
    const char *title;
    const char **fact_names, **fact_values; /* "Год постройки" → "1975" */
    int nfacts, facts_cap;
    const char **columns; /* headings */
    int ncolumns;
    const char ***rows; /* rows[i][j], ncolumns cells each */
    int nrows, rows_cap;
};

/* An empty table with these headings (copied). NULL when out of memory. */
struct table *table_new(struct arena *a, const char *title, const char *const *columns,
                        int ncolumns);
/* Adds a fact (value NULL shows as "—"). */
int table_fact(struct table *t, const char *name, const char *value);
/* Adds a row of ncolumns cells (NULL shows as empty). */
int table_row(struct table *t, const char *const *cells);

/* CSV: UTF-8 with BOM (so spreadsheet programs read Cyrillic), ';' separated,
 * quoted as RFC 4180; facts first as name;value lines, a blank line, then the
 * table. *out is malloc'ed. */
int table_csv(const struct table *t, char **out, size_t *len, struct err *e);

/* XLSX (libxlsxwriter): one sheet, facts on top, the table with a bold,
 * frozen heading row and an autofilter. *out is malloc'ed. */
int table_xlsx(const struct table *t, char **out, size_t *len, struct err *e);

#endif
