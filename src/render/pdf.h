/* pdf.h — PDF documents through libharu, the one way every PDF of the
 * project is drawn (docs/paydoc-pdf.md). One font: PT Sans (ParaType's
 * public font for Russian), embedded as a subset with the UTF-8 encoder, so
 * any Cyrillic text prints and pdftotext reads it back; "bold" is the same
 * face filled and stroked with a thin line (a second face would cost about
 * 20 KB in every single-document file). Compression is on and no dates are
 * written, so the same drawing gives the same bytes.
 *
 * Coordinates are points (1/72 inch) from the top-left corner of the page,
 * y growing downwards; for text, y is the baseline. They are rounded to a
 * quarter point, which keeps the content streams short and exact.
 *
 * Errors: libharu's error handler records the first error on the document
 * (never exit, never longjmp); the drawing calls return nothing and do
 * nothing once an error is recorded, and pdf_status() turns it into a
 * struct err. A struct pdf_doc belongs to one thread; different documents
 * may be drawn in different threads at the same time. */
#ifndef UPRAVDOM_RENDER_PDF_H
#define UPRAVDOM_RENDER_PDF_H

#include "base/arena.h"
#include "base/err.h"
#include "render/qr.h"

#include <stddef.h>

#define PDF_A4_WIDTH 595.28f  /* 210 mm */
#define PDF_A4_HEIGHT 841.89f /* 297 mm */
#define PDF_MM 2.834646f      /* points per millimetre */

/* The font file (Debian's fonts-paratype). */
#define PDF_FONT_PATH "/usr/share/fonts/truetype/paratype/PTS55F.ttf"

struct pdf_doc;

enum pdf_face {
    PDF_REGULAR,
    PDF_BOLD /* the regular face filled and stroked */
};

/* A new empty document with its font loaded (ERR_IO when the font cannot
 * be read, ERR_NOMEM). Free with pdf_free. */
int pdf_open(struct pdf_doc **out, struct err *e);
void pdf_free(struct pdf_doc *p);

/* 0, or the first error libharu reported on p as ERR_NOMEM / ERR_IO with a
 * message naming libharu's code. */
int pdf_status(const struct pdf_doc *p, struct err *e);

/* Adds an A4 portrait page and makes it the one drawn on. */
int pdf_page_add(struct pdf_doc *p, struct err *e);
/* Pages added so far. */
int pdf_page_count(const struct pdf_doc *p);

/* ---- text ---- */

/* Width of s (UTF-8) in points at this size; the same for both faces. */
float pdf_text_width(struct pdf_doc *p, float size, const char *s);
float pdf_text_width_n(struct pdf_doc *p, float size, const char *s, size_t len);

/* Draws s with its left end at x, or its right end at right. Characters the
 * font lacks (U+202F, U+2009, controls) are drawn as a space, bytes that
 * are not UTF-8 and characters past the BMP as '?'; a line is cut at 1 KB. */
void pdf_text(struct pdf_doc *p, float x, float y, float size, enum pdf_face f, const char *s);
void pdf_text_n(struct pdf_doc *p, float x, float y, float size, enum pdf_face f, const char *s,
                size_t len);
void pdf_text_right(struct pdf_doc *p, float right, float y, float size, enum pdf_face f,
                    const char *s);

/* One line of a wrapped text: s[start .. start + len). */
struct pdf_line {
    size_t start, len;
};

/* Breaks s into lines no wider than width at this size: at spaces (and
 * after a hyphen), a word wider than the line at code points. Fills at most
 * max lines and returns how many the whole text needs (so a caller can tell
 * it was cut, and draws min(result, max)). An empty s is one empty line. */
int pdf_wrap(struct pdf_doc *p, float size, const char *s, float width, struct pdf_line *lines,
             int max);

/* ---- lines, rectangles, QR codes ---- */

void pdf_line(struct pdf_doc *p, float x0, float y0, float x1, float y1, float width);
/* A rectangle's outline; top-left corner x, y. */
void pdf_rect(struct pdf_doc *p, float x, float y, float w, float h, float width);
/* A filled rectangle, gray 0 (black) … 1 (white). */
void pdf_fill(struct pdf_doc *p, float x, float y, float w, float h, float gray);
/* A QR matrix with its 4-module quiet zone, top-left corner x, y, module
 * size in points: (q->size + 8) × module square. Each horizontal run of
 * dark modules is one rectangle. */
void pdf_qr(struct pdf_doc *p, const struct qr *q, float x, float y, float module);

/* ---- saving ---- */

/* Writes the document to path (the caller renames a temporary name into
 * place). ERR_IO naming the path. */
int pdf_save_file(struct pdf_doc *p, const char *path, struct err *e);
/* The document's bytes in the arena. */
int pdf_save_mem(struct pdf_doc *p, struct arena *a, unsigned char **out, size_t *len,
                 struct err *e);

#endif
