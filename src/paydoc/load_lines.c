/* load_lines.c — one document's table (docs/paydoc.md "Contents", "Which
 * payee gets what"): the statement's packed lines with their services'
 * names and units, periods, reasons and explanations; the payees — the
 * account's organization, then the other services' payees in the order of
 * their first line — and what each is asked to pay. */
#include "paydoc/load_impl.h"

#include "billing/billing.h"

#include <stdlib.h>
#include <string.h>

static int kind_rank(char k)
{
    return k == LINE_CHARGE ? 0 : k == LINE_CORRECTION ? 1 : k == LINE_PENALTY ? 2 : 3;
}

/* A line with what orders it (docs/paydoc.md: charges by payee, then the
 * services' order; then corrections likewise; penalties; cashback). */
struct sorted_line {
    struct paydoc_line line;
    int64_t sort_order, service_id;
    int64_t payee_id; /* the organization paid, before it becomes line.payee */
    int index;
};

static int cmp_line(const void *x, const void *y)
{
    const struct sorted_line *a = x, *b = y;
    int ka = kind_rank(a->line.kind), kb = kind_rank(b->line.kind);
    if (ka != kb)
        return ka < kb ? -1 : 1;
    if (ka <= 1) {
        if (a->line.payee != b->line.payee)
            return a->line.payee < b->line.payee ? -1 : 1;
        if (a->sort_order != b->sort_order)
            return a->sort_order < b->sort_order ? -1 : 1;
        if (a->service_id != b->service_id)
            return a->service_id < b->service_id ? -1 : 1;
    }
    return a->index < b->index ? -1 : a->index > b->index;
}

static int cmp_by_order(const void *x, const void *y)
{
    const struct sorted_line *a = x, *b = y;
    if (a->sort_order != b->sort_order)
        return a->sort_order < b->sort_order ? -1 : 1;
    if (a->service_id != b->service_id)
        return a->service_id < b->service_id ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* A line's period as text; *out NULL when the number is not a period (the
 * line is shown without it). */
static int period_text(int period, struct arena *a, const char **out, struct err *e)
{
    char buf[PERIOD_STR_SIZE];
    *out = NULL;
    if (date_period_format(period, buf))
        return 0;
    return (*out = arena_strdup(a, buf)) ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

/* How a line was found, in words: the statement API's explanation. */
static const char *explain_of(const struct bill_line *l, const char *reason, struct arena *a)
{
    size_t size = BILL_EXPLAIN_SIZE + (reason ? strlen(reason) : 0);
    char *buf = arena_alloc(a, size);
    if (buf)
        bill_line_explain(l, reason, buf, size); /* a cut text is still shown */
    return buf;
}

/* One statement line as the document shows it. */
static int make_line(const struct paydoc_loader *l, const struct paydoc *d,
                     const struct bill_line *b, const struct reason *reasons, int nreasons,
                     struct arena *a, struct sorted_line *out, struct err *e)
{
    const struct service_entry *sv = b->service_id ? load_service(l, b->service_id) : NULL;
    const char *reason = NULL;
    for (int k = 0; b->kind == LINE_CORRECTION && k < nreasons; k++)
        if (reasons[k].id == b->ref)
            reason = reasons[k].text;
    /* R: the period recalculated; P: the debt's period. */
    const char *period = NULL;
    int rc = b->kind == LINE_CORRECTION ? period_text((int)b->a, a, &period, e)
             : b->kind == LINE_PENALTY  ? period_text((int)b->ref, a, &period, e)
                                        : 0;
    if (rc)
        return rc;
    out->line = (struct paydoc_line){.kind = b->kind,
                                     .method = b->method,
                                     .service = sv ? sv->name : NULL,
                                     .unit = sv ? sv->unit : NULL,
                                     .quantity = b->quantity,
                                     .price = b->kind == LINE_CHARGE ? b->price : 0,
                                     .amount = b->amount,
                                     .period = period,
                                     .reason = reason,
                                     .explain = explain_of(b, reason, a)};
    if (!out->line.explain)
        return err_set(e, ERR_NOMEM, "out of memory");
    out->sort_order = sv ? sv->sort_order : 0;
    out->service_id = b->service_id;
    /* The payee: the service's, else the account's organization. */
    out->payee_id = sv && sv->payee_org_id && (b->kind == LINE_CHARGE || b->kind == LINE_CORRECTION)
                        ? sv->payee_org_id
                        : d->org_id;
    return 0;
}

/* The payees: the account's organization, then the others in the order of
 * their first service on the document; each line gets its payee's index. */
static int make_payees(struct paydoc_loader *l, struct paydoc *d, struct sorted_line *sl, int nl,
                       struct arena *a, struct err *e)
{
    qsort(sl, (size_t)nl, sizeof *sl, cmp_by_order);
    int64_t *order = arena_alloc(a, sizeof *order * (size_t)(nl + 1));
    if (!order)
        return err_set(e, ERR_NOMEM, "out of memory");
    int np = 0, rc;
    order[np++] = d->org_id;
    for (int i = 0; i < nl; i++) {
        int k = 0;
        while (k < np && order[k] != sl[i].payee_id)
            k++;
        if (k == np)
            order[np++] = sl[i].payee_id;
        sl[i].line.payee = k;
    }
    if (!(d->payees = arena_alloc(a, sizeof *d->payees * (size_t)np)))
        return err_set(e, ERR_NOMEM, "out of memory");
    for (int k = 0; k < np; k++) {
        const struct org_entry *o;
        if ((rc = load_org(l, order[k], &o, e)))
            return rc;
        d->payees[k] = o->payee;
    }
    d->npayees = np;
    return 0;
}

/* Sums (docs/paydoc.md "Which payee gets what"): the total due goes to the
 * other payees first, each at most its own lines, the rest to the account's
 * organization (the opening balance, payments, penalties and cashback are
 * its); the sums add up to the total due. */
static void share_total(struct paydoc *d)
{
    int64_t left = d->total > 0 ? d->total : 0;
    for (int k = 1; k < d->npayees; k++) {
        int64_t asked = d->payees[k].lines_total > 0 ? d->payees[k].lines_total : 0;
        d->payees[k].sum = asked < left ? asked : left;
        left -= d->payees[k].sum;
    }
    d->payees[0].sum = left;
}

int load_lines(struct paydoc_loader *l, struct raw *x, const struct reason *reasons, int nreasons,
               struct arena *a, struct err *e)
{
    struct paydoc *d = &x->d;
    struct bill_line *bl;
    int nl = 0, rc;
    if ((rc = bill_lines_unpack(x->lines ? x->lines : "", a, &bl, &nl, e)) ||
        (rc = load_services(l, d->org_id, e)))
        return rc;
    x->bl = bl;
    x->nbl = nl;
    struct sorted_line *sl = arena_alloc(a, sizeof *sl * (size_t)(nl + 1));
    if (!sl)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (int i = 0; i < nl; i++) {
        if ((rc = make_line(l, d, &bl[i], reasons, nreasons, a, &sl[i], e)))
            return rc;
        sl[i].index = i;
    }
    if ((rc = make_payees(l, d, sl, nl, a, e)))
        return rc;
    qsort(sl, (size_t)nl, sizeof *sl, cmp_line);
    if (!(d->lines = arena_alloc(a, sizeof *d->lines * (size_t)(nl + 1))))
        return err_set(e, ERR_NOMEM, "out of memory");
    for (int i = 0; i < nl; i++) {
        d->lines[i] = sl[i].line;
        if (sl[i].line.kind == LINE_CHARGE || sl[i].line.kind == LINE_CORRECTION)
            d->payees[sl[i].line.payee].lines_total += sl[i].line.amount;
    }
    d->nlines = nl;
    share_total(d);
    return 0;
}
