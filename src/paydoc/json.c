/* json.c — the payment document as JSON (docs/paydoc.md "JSON form"): the
 * model field by field, money as decimal ruble strings ("1234.56",
 * money_format), quantities with three decimals, prices with four, the area
 * with two; absent values null. Each payee carries its QR payload and the
 * code's module matrix, so a page can draw the code without a QR library.
 * Keys keep their order (jansson keeps insertion order), so the same
 * document always gives the same text: the render manifest's digest hashes
 * it. */
#include "paydoc/forms_impl.h"

#include "base/date.h"
#include "base/money.h"
#include "billing/billing.h"
#include "render/qr.h"

#include <jansson.h>
#include <string.h>

/* Builds one object; the first failure (a NULL value, out of memory) is
 * remembered and the object is released at the end. */
struct jb {
    bool failed;
};

static void set(struct jb *j, json_t *o, const char *key, json_t *v)
{
    if (!v || json_object_set_new(o, key, v) != 0) /* steals v, even on failure */
        j->failed = true;
}

static json_t *str(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *money(int64_t kopecks)
{
    char buf[MONEY_FMT_SIZE];
    if (money_format(buf, sizeof buf, kopecks))
        return NULL;
    return json_string(buf);
}

static json_t *fixed(int64_t v, int places)
{
    char buf[48];
    bill_decimal_format(v, places, buf, sizeof buf);
    return json_string(buf);
}

static json_t *period_name(const char *period)
{
    int p;
    char buf[PERIOD_NAME_SIZE];
    if (!period || date_period_parse(period, &p, NULL) || date_period_name_ru(p, buf))
        return json_null();
    return json_string(buf);
}

static json_t *totals(struct jb *j, const struct paydoc *d)
{
    json_t *o = json_object();
    set(j, o, "opening", money(d->opening));
    set(j, o, "charged", money(d->charged));
    set(j, o, "corrected", money(d->corrected));
    set(j, o, "penalty", money(d->penalty));
    set(j, o, "cashback", money(d->cashback));
    set(j, o, "paid", money(d->paid));
    set(j, o, "total", money(d->total));
    set(j, o, "total_due", money(d->total > 0 ? d->total : 0));
    return o;
}

/* {"payload", "size", "modules": ["0101…", …]} of payee i, or NULL with
 * e set (no bank details, a payload too long for a QR code). Without
 * matrices: {"payload"} alone (paydoc_json_form). */
static json_t *qr(struct jb *j, const struct paydoc *d, int i, bool matrices, struct arena *a,
                  struct err *e)
{
    char *payload;
    struct qr q;
    if (paydoc_qr_payload(d, i, a, &payload, e))
        return NULL;
    if (!matrices) {
        json_t *o = json_object();
        set(j, o, "payload", json_string(payload));
        return o;
    }
    if (paydoc_qr_code(payload, a, &q, e))
        return NULL;
    json_t *rows = json_array();
    char *row = arena_alloc(a, (size_t)q.size + 1);
    if (!rows || !row) {
        json_decref(rows);
        err_set(e, ERR_NOMEM, "QR-код: нет памяти");
        return NULL;
    }
    for (int y = 0; y < q.size; y++) {
        for (int x = 0; x < q.size; x++)
            row[x] = q.modules[(size_t)y * (size_t)q.size + (size_t)x] ? '1' : '0';
        row[q.size] = '\0';
        if (json_array_append_new(rows, json_string(row)))
            j->failed = true;
    }
    json_t *o = json_object();
    set(j, o, "payload", json_string(payload));
    set(j, o, "size", json_integer(q.size));
    set(j, o, "modules", rows);
    return o;
}

static json_t *payee(struct jb *j, const struct paydoc *d, int i, bool matrices, struct arena *a)
{
    const struct paydoc_payee *p = &d->payees[i];
    json_t *o = json_object();
    set(j, o, "org_id", p->org_id ? json_integer(p->org_id) : json_null());
    set(j, o, "name", str(p->name));
    set(j, o, "inn", str(p->inn));
    set(j, o, "kpp", str(p->kpp));
    set(j, o, "ogrn", str(p->ogrn));
    set(j, o, "address", str(p->address));
    set(j, o, "phone", str(p->phone));
    set(j, o, "email", str(p->email));
    set(j, o, "website", str(p->website));
    set(j, o, "bank_name", str(p->bank_name));
    set(j, o, "bic", str(p->bic));
    set(j, o, "account", str(p->account));
    set(j, o, "corr_account", str(p->corr_account));
    set(j, o, "lines_total", money(p->lines_total));
    set(j, o, "sum", money(p->sum > 0 ? p->sum : 0));
    struct err e = {0};
    json_t *code = qr(j, d, i, matrices, a, &e);
    if (code) {
        set(j, o, "qr", code);
    } else if (e.code == ERR_NOMEM) {
        j->failed = true;
    } else {
        set(j, o, "qr", json_null());
        set(j, o, "qr_error", json_string(e.msg));
    }
    return o;
}

static json_t *line(struct jb *j, const struct paydoc_line *l)
{
    json_t *o = json_object();
    bool charge = l->kind == LINE_CHARGE;
    set(j, o, "kind", json_string(bill_kind_name(l->kind)));
    set(j, o, "method", str(bill_method_name(l->method)));
    set(j, o, "payee", json_integer(l->payee));
    set(j, o, "service", str(l->service));
    set(j, o, "unit", str(l->unit));
    /* A charge always has its volume and tariff (0 is a value); a
     * correction has a volume when it recalculated one; penalty and
     * cashback lines have neither. */
    set(j, o, "quantity",
        charge || (l->kind == LINE_CORRECTION && l->quantity) ? fixed(l->quantity, 3)
                                                              : json_null());
    set(j, o, "price",
        charge || (l->kind == LINE_CORRECTION && l->price) ? fixed(l->price, 4) : json_null());
    set(j, o, "amount", money(l->amount));
    set(j, o, "period", str(l->period));
    set(j, o, "reason", str(l->reason));
    set(j, o, "explanation", str(l->explain));
    return o;
}

static json_t *reading(struct jb *j, const struct paydoc_reading *r)
{
    json_t *o = json_object();
    set(j, o, "serial", str(r->serial));
    set(j, o, "resource", str(r->resource));
    set(j, o, "zone", str(r->zone));
    set(j, o, "previous", str(r->previous));
    set(j, o, "current", str(r->current));
    set(j, o, "consumption", str(r->consumption));
    return o;
}

static json_t *contact(struct jb *j, const struct paydoc_contact *c)
{
    json_t *o = json_object();
    set(j, o, "role", str(c->role));
    set(j, o, "name", str(c->name));
    set(j, o, "address", str(c->address));
    set(j, o, "phone", str(c->phone));
    set(j, o, "email", str(c->email));
    set(j, o, "website", str(c->website));
    return o;
}

static void append(struct jb *j, json_t *arr, json_t *v)
{
    if (!v || json_array_append_new(arr, v)) /* steals v, even on failure */
        j->failed = true;
}

int paydoc_json(const struct paydoc *d, struct json_t **out, struct err *e)
{
    return paydoc_json_form(d, true, out, e);
}

int paydoc_json_form(const struct paydoc *d, bool matrices, struct json_t **out, struct err *e)
{
    struct arena *a = arena_new();
    json_t *o = json_object();
    struct jb j = {.failed = !a || !o};
    if (j.failed)
        goto fail;
    set(&j, o, "account_id", json_integer(d->account_id));
    set(&j, o, "org_id", json_integer(d->org_id));
    set(&j, o, "els", str(d->els));
    set(&j, o, "account_number", str(d->account_number));
    set(&j, o, "ipd", str(d->ipd));
    set(&j, o, "period", str(d->period));
    set(&j, o, "period_name", period_name(d->period));
    set(&j, o, "issued_on", str(d->issued_on));
    set(&j, o, "due_on", str(d->due_on));
    set(&j, o, "payer", str(d->payer));
    set(&j, o, "municipality", str(d->municipality));
    set(&j, o, "address", str(d->address));
    set(&j, o, "premises", str(d->premises));
    set(&j, o, "area", d->area > 0 ? fixed(d->area, 2) : json_null());
    set(&j, o, "residents", json_integer(d->residents));
    set(&j, o, "totals", totals(&j, d));
    json_t *payees = json_array(), *lines = json_array(), *readings = json_array(),
           *contacts = json_array();
    set(&j, o, "payees", payees);
    set(&j, o, "lines", lines);
    set(&j, o, "readings", readings);
    set(&j, o, "contacts", contacts);
    for (int i = 0; i < d->npayees && !j.failed; i++)
        append(&j, payees, payee(&j, d, i, matrices, a));
    for (int i = 0; i < d->nlines && !j.failed; i++)
        append(&j, lines, line(&j, &d->lines[i]));
    for (int i = 0; i < d->nreadings && !j.failed; i++)
        append(&j, readings, reading(&j, &d->readings[i]));
    for (int i = 0; i < d->ncontacts && !j.failed; i++)
        append(&j, contacts, contact(&j, &d->contacts[i]));
    if (j.failed)
        goto fail;
    arena_free(a);
    *out = o;
    return 0;
fail:
    json_decref(o);
    arena_free(a);
    /* jansson refuses only for memory or text that is not UTF-8 (the store
     * holds UTF-8 only) */
    return err_set(e, ERR_NOMEM, "платёжный документ: JSON не собран (нет памяти)");
}
