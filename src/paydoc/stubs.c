/* stubs.c — TEMPORARY stand-ins for the PDF (paydoc/pdf.c, render/pdf.c)
 * that the PDF branch writes, so this branch links and its tests run.
 * Deleted when it lands in main. */
#include "paydoc/paydoc.h"
#include "paydoc/stubs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pdf_doc {
    char *text;
    size_t len;
    int pages;
};

int pdf_open(struct pdf_doc **out, struct err *e)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

int pdf_page_count(const struct pdf_doc *p)
{
    return p->pages;
}

static const char head[] = "%PDF-1.4\n% stub\n";

int pdf_save_mem(struct pdf_doc *d, struct arena *a, unsigned char **buf, size_t *len,
                 struct err *e)
{
    *len = strlen(head) + d->len;
    *buf = arena_alloc(a, *len + 1);
    if (!*buf)
        return err_set(e, ERR_NOMEM, "out of memory");
    memcpy(*buf, head, strlen(head));
    if (d->len)
        memcpy(*buf + strlen(head), d->text, d->len);
    return 0;
}

int pdf_save_file(struct pdf_doc *d, const char *path, struct err *e)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return err_set(e, ERR_IO, "%s: cannot write", path);
    fputs(head, f);
    if (d->len)
        fwrite(d->text, 1, d->len, f);
    return fclose(f) ? err_set(e, ERR_IO, "%s: cannot write", path) : 0;
}

void pdf_free(struct pdf_doc *d)
{
    if (d)
        free(d->text);
    free(d);
}

int paydoc_pdf_add(struct pdf_doc *pdf, const struct paydoc *d, int *pages, struct err *e)
{
    char line[256];
    int n = snprintf(line, sizeof line, "page: account %lld ЕЛС %s premises %s total %lld\n",
                     (long long)d->account_id, d->els ? d->els : "-",
                     d->premises ? d->premises : "-", (long long)d->total);
    char *grown = realloc(pdf->text, pdf->len + (size_t)n + 1);
    if (!grown)
        return err_set(e, ERR_NOMEM, "out of memory");
    memcpy(grown + pdf->len, line, (size_t)n + 1);
    pdf->text = grown;
    pdf->len += (size_t)n;
    pdf->pages++;
    *pages = 1;
    return 0;
}

int paydoc_pdf(const struct paydoc *d, struct arena *a, unsigned char **pdf, size_t *len,
               struct err *e)
{
    struct pdf_doc *doc;
    int pages, rc = pdf_open(&doc, e);
    if (!rc)
        rc = paydoc_pdf_add(doc, d, &pages, e);
    if (!rc)
        rc = pdf_save_mem(doc, a, pdf, len, e);
    pdf_free(doc);
    return rc;
}
