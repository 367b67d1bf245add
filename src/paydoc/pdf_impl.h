/* pdf_impl.h — what the payment document's page (pdf.c) and its layout
 * helpers (pdf_layout.c) share: the page's geometry and type sizes, the
 * layout state of one document, the table's columns and cells, and the
 * helpers — text formatting, pages and sections, wrapped text, table rows
 * and rules. Private to src/paydoc/. */
#ifndef UPRAVDOM_PAYDOC_PDF_IMPL_H
#define UPRAVDOM_PAYDOC_PDF_IMPL_H

#include "paydoc/paydoc.h"
#include "render/pdf.h"

#include <stdint.h>

#define LEFT 28.0f
#define RIGHT 567.0f
#define WIDTH (RIGHT - LEFT)
#define TOP 25.0f
#define BOTTOM 820.0f

#define FS 7.5f        /* body and tables */
#define FS_SMALL 7.0f  /* notes, legends, the table's headings */
#define FS_HEAD 8.0f   /* section headings */
#define FS_TOTAL 10.0f /* sums to pay */
#define FS_TITLE 11.0f
#define LH 9.0f  /* line height at FS */
#define PAD 2.5f /* cell padding */
#define RULE 0.4f
#define FRAME 0.8f
#define QR_MAX 112.0f /* the largest side of a QR code with its quiet zone */

/* What one document's layout carries. */
struct lay {
    struct pdf_doc *pdf;
    const struct paydoc *d;
    struct arena *a;
    float y; /* the top of the free space */
    int pages;
    const char *period_name; /* «октябрь 2026» */
    int table;               /* a table is open: its header goes on a new page */
    unsigned rules;          /* the table's column rules open, bit k: left of column k */
    float rules_from[8];     /* where each starts */
    struct err *e;
    int rc;
};

/* ---- formatting (pdf_layout.c) ---- */

/* «октябрь 2026 г.»-style names of a period and dates, money "1 234,56",
 * fixed-point decimals, "—" for nothing, a value with a comma after it. */
const char *lay_period_text(struct arena *a, const char *period);
const char *lay_date_text(struct arena *a, const char *date);
const char *lay_money(struct arena *a, int64_t kopecks);
const char *lay_decimal(struct arena *a, int64_t v, int scale, int keep);
const char *lay_or_dash(const char *s);
const char *lay_comma(struct arena *a, const char *s);

/* The calculation methods: the table's short code and the legend. */
struct method {
    char code;
    const char *mark, *legend;
};
#define LAY_NMETHODS 7
extern const struct method lay_methods[LAY_NMETHODS];
int lay_method_index(char code);
const char *lay_resource_name(const char *r);
const char *lay_zone_name(const char *z);

/* ---- pages, sections, text ---- */

void lay_new_page(struct lay *l);
/* A new page unless h points fit below l->y. */
void lay_need(struct lay *l, float h);
/* A section heading on a gray band, with an optional note at its right;
 * `keep` is the height of what must follow it on the same page. */
void lay_section(struct lay *l, const char *title, const char *note, float keep);
/* Text wrapped into width at x from the baseline y, at most max lines;
 * returns the lines drawn. */
int lay_para(struct lay *l, float x, float y, float width, float size, enum pdf_face f,
             const char *s, int max);
/* The lines s takes in width, at most max. */
int lay_lines_of(struct lay *l, float size, const char *s, float width, int max);
/* "Label: value" with the label bold; returns the height used. */
float lay_labelled(struct lay *l, float x, float y, float width, const char *label,
                   const char *value, int max);

/* ---- the table of sections 2 and 3 ---- */

enum {
    C_SERVICE,
    C_METHOD,
    C_UNIT,
    C_QTY,
    C_PRICE,
    C_AMOUNT,
    NCOL
};
_Static_assert(NCOL + 1 <= 8, "struct lay holds 8 column rules");
float lay_col_x(int c);
enum align {
    A_LEFT,
    A_RIGHT,
    A_CENTER
};

struct cell {
    int from, to; /* columns spanned */
    const char *text;
    enum align align;
    enum pdf_face face;
    float size;
};
/* One table row of cells (at most 3 lines each), fill gray (1: none). */
void lay_row(struct lay *l, const struct cell *c, int n, float fill);
/* Closes the open column rules at `at`, but those in `keep`. */
void lay_rules(struct lay *l, unsigned keep, float at);
void lay_table_header(struct lay *l);
/* A row across the table: text, and an amount in the last column. */
void lay_span_row(struct lay *l, const char *text, const char *amount, enum pdf_face f, float fill);

#endif
