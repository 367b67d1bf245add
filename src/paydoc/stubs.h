/* stubs.h — TEMPORARY: the PDF document interface render.c uses until
 * src/render/pdf.h lands from the PDF branch. Delete with stubs.c. */
#ifndef UPRAVDOM_PAYDOC_STUBS_H
#define UPRAVDOM_PAYDOC_STUBS_H

#include "base/err.h"

#include <stddef.h>

struct pdf_doc;
int pdf_doc_new(struct pdf_doc **out, struct err *e);
/* The document's bytes, malloc'ed (the caller frees). */
int pdf_doc_bytes(struct pdf_doc *d, unsigned char **buf, size_t *len, struct err *e);
void pdf_doc_free(struct pdf_doc *d);

#endif
