/* stubs.h — TEMPORARY: the part of src/render/pdf.h (the PDF branch) that
 * render.c uses, until that header lands in main. Delete with stubs.c. */
#ifndef UPRAVDOM_PAYDOC_STUBS_H
#define UPRAVDOM_PAYDOC_STUBS_H

#include "base/arena.h"
#include "base/err.h"

#include <stddef.h>

struct pdf_doc;
int pdf_open(struct pdf_doc **out, struct err *e);
void pdf_free(struct pdf_doc *p);
int pdf_page_count(const struct pdf_doc *p);
int pdf_save_file(struct pdf_doc *p, const char *path, struct err *e);
int pdf_save_mem(struct pdf_doc *p, struct arena *a, unsigned char **out, size_t *len,
                 struct err *e);

#endif
