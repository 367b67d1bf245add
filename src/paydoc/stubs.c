/* stubs.c — TEMPORARY stand-ins for the forms (gost.c, text.c, json.c) and
 * the PDF (pdf.c, render/pdf.c) that other branches write, so this branch
 * links and its tests run. Deleted when those land in main. */
#include "paydoc/paydoc.h"
#include "paydoc/stubs.h"

#include <jansson.h>
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

int paydoc_qr_payload(const struct paydoc *d, int payee, struct arena *a, char **out, struct err *e)
{
    const struct paydoc_payee *p = &d->payees[payee];
    if (!p->bic || !p->account)
        return err_field(e, ERR_INVALID, !p->bic ? "bic" : "account", "нет реквизитов");
    *out = arena_printf(a, "ST00012|Name=%s|PersonalAcc=%s|BIC=%s|Sum=%lld", p->name, p->account,
                        p->bic, (long long)p->sum);
    return *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

int paydoc_text(const struct paydoc *d, struct arena *a, char **out, struct err *e)
{
    *out = arena_printf(a, "ЕЛС %s\nПериод %s\nИтого %lld\n", d->els ? d->els : "-", d->period,
                        (long long)d->total);
    return *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

static json_t *s_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

int paydoc_json(const struct paydoc *d, json_t **out, struct err *e)
{
    json_t *o = json_object(), *lines = json_array(), *payees = json_array(), *rd = json_array();
    json_object_set_new(o, "account_id", json_integer(d->account_id));
    json_object_set_new(o, "org_id", json_integer(d->org_id));
    json_object_set_new(o, "els", s_or_null(d->els));
    json_object_set_new(o, "ipd", s_or_null(d->ipd));
    json_object_set_new(o, "period", json_string(d->period));
    json_object_set_new(o, "issued_on", s_or_null(d->issued_on));
    json_object_set_new(o, "due_on", s_or_null(d->due_on));
    json_object_set_new(o, "address", s_or_null(d->address));
    json_object_set_new(o, "premises", s_or_null(d->premises));
    json_object_set_new(o, "payer", s_or_null(d->payer));
    char buf[32];
    snprintf(buf, sizeof buf, "%lld.%02lld", (long long)(d->total / 100),
             (long long)llabs(d->total % 100));
    json_object_set_new(o, "totals",
                        json_pack("{s:I, s:I, s:I, s:s}", "opening", (json_int_t)d->opening, "paid",
                                  (json_int_t)d->paid, "total_kop", (json_int_t)d->total, "total",
                                  buf));
    for (int i = 0; i < d->npayees; i++)
        json_array_append_new(payees, json_pack("{s:I, s:o, s:I, s:I}", "org_id",
                                                (json_int_t)d->payees[i].org_id, "name",
                                                s_or_null(d->payees[i].name), "lines_total",
                                                (json_int_t)d->payees[i].lines_total, "sum",
                                                (json_int_t)d->payees[i].sum));
    for (int i = 0; i < d->nlines; i++)
        json_array_append_new(lines, json_pack("{s:s#, s:i, s:o, s:I, s:I}", "kind",
                                               &d->lines[i].kind, 1, "payee", d->lines[i].payee,
                                               "service", s_or_null(d->lines[i].service),
                                               "quantity", (json_int_t)d->lines[i].quantity,
                                               "amount", (json_int_t)d->lines[i].amount));
    for (int i = 0; i < d->nreadings; i++)
        json_array_append_new(rd, json_pack("{s:o, s:o, s:o}", "serial",
                                            s_or_null(d->readings[i].serial), "current",
                                            s_or_null(d->readings[i].current), "consumption",
                                            s_or_null(d->readings[i].consumption)));
    json_object_set_new(o, "payees", payees);
    json_object_set_new(o, "lines", lines);
    json_object_set_new(o, "readings", rd);
    *out = o;
    return o ? 0 : err_set(e, ERR_NOMEM, "out of memory");
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
