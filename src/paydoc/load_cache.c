/* load_cache.c — what the documents of many houses share, read once per
 * loader (docs/paydoc.md "Print batches"): the organizations (payees,
 * managers, dispatch services), their services, and the dates of issue of
 * the billing runs. The entries live in realloc'ed arrays and their strings
 * in the loader's arena, which the documents point into: a loader outlives
 * its documents. One loader, one thread. */
#include "paydoc/load_impl.h"

#include "registry/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int load_grow(void *items, int *cap, int n, size_t size, struct err *e)
{
    if (n < *cap)
        return 0;
    int want = *cap ? *cap * 2 : 16;
    void *p = realloc(*(void **)items, size * (size_t)want);
    if (!p)
        return err_set(e, ERR_NOMEM, "out of memory");
    *(void **)items = p;
    *cap = want;
    return 0;
}

const char *load_nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

int load_org(struct paydoc_loader *l, int64_t id, const struct org_entry **out, struct err *e)
{
    for (int i = 0; i < l->norgs; i++)
        if (l->orgs[i].id == id) {
            *out = &l->orgs[i];
            return 0;
        }
    struct store_rows *r = NULL;
    int rc = store_query(l->c,
                         "SELECT name, inn, kpp, ogrn, address, phone, email, website, bank_name,"
                         " bic, settlement_account, corr_account, dispatch_phone"
                         " FROM organizations WHERE id = $1",
                         (struct store_val[]){SV_I(id)}, 1, &r, e);
    if (rc || (rc = load_grow(&l->orgs, &l->corgs, l->norgs, sizeof *l->orgs, e))) {
        store_rows_free(r);
        return rc;
    }
    struct org_entry *o = &l->orgs[l->norgs];
    *o = (struct org_entry){.id = id};
    if (store_next(r)) {
        struct arena *a = l->a;
        o->payee = (struct paydoc_payee){.org_id = id,
                                         .name = store_dup(r, 0, a),
                                         .inn = store_dup(r, 1, a),
                                         .kpp = load_nonempty(store_dup(r, 2, a)),
                                         .ogrn = store_dup(r, 3, a),
                                         .address = load_nonempty(store_dup(r, 4, a)),
                                         .phone = load_nonempty(store_dup(r, 5, a)),
                                         .email = load_nonempty(store_dup(r, 6, a)),
                                         .website = load_nonempty(store_dup(r, 7, a)),
                                         .bank_name = load_nonempty(store_dup(r, 8, a)),
                                         .bic = load_nonempty(store_dup(r, 9, a)),
                                         .account = load_nonempty(store_dup(r, 10, a)),
                                         .corr_account = load_nonempty(store_dup(r, 11, a))};
        o->dispatch_phone = load_nonempty(store_dup(r, 12, a));
    } else {
        rc = err_set(e, ERR_NOTFOUND, "организация %lld не найдена", (long long)id);
    }
    store_rows_free(r);
    if (!rc)
        *out = &l->orgs[l->norgs++];
    return rc;
}

static int cmp_service(const void *x, const void *y)
{
    const struct service_entry *a = x, *b = y;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* Loads the services of an organization once (marked loaded only when
 * they all are: a failed read is not taken for an organization without
 * services). */
int load_services(struct paydoc_loader *l, int64_t org_id, struct err *e)
{
    for (int i = 0; i < l->nservice_orgs; i++)
        if (l->service_orgs[i] == org_id)
            return 0;
    int rc = load_grow(&l->service_orgs, &l->cservice_orgs, l->nservice_orgs,
                       sizeof *l->service_orgs, e);
    if (rc)
        return rc;
    struct store_rows *r;
    if ((rc = store_query(l->c,
                          "SELECT id, name, unit, sort_order, coalesce(payee_org_id, 0),"
                          " resource, zone FROM services WHERE org_id = $1",
                          (struct store_val[]){SV_I(org_id)}, 1, &r, e)))
        return rc;
    while (!rc && store_next(r)) {
        if ((rc = load_grow(&l->services, &l->cservices, l->nservices, sizeof *l->services, e)))
            break;
        l->services[l->nservices++] = (struct service_entry){.id = store_int(r, 0),
                                                             .org_id = org_id,
                                                             .name = store_dup(r, 1, l->a),
                                                             .unit = store_dup(r, 2, l->a),
                                                             .sort_order = store_int(r, 3),
                                                             .payee_org_id = store_int(r, 4),
                                                             .resource = store_dup(r, 5, l->a),
                                                             .zone = store_dup(r, 6, l->a)};
    }
    store_rows_free(r);
    qsort(l->services, (size_t)l->nservices, sizeof *l->services, cmp_service);
    if (!rc)
        l->service_orgs[l->nservice_orgs++] = org_id;
    return rc;
}

const struct service_entry *load_service(const struct paydoc_loader *l, int64_t id)
{
    struct service_entry key = {.id = id};
    return l->nservices ? bsearch(&key, l->services, (size_t)l->nservices, sizeof key, cmp_service)
                        : NULL;
}

/* The date of issue: the local date (in the municipality's zone) the run
 * that wrote the statement finished; the 1st of the next month when that is
 * not known. */
int load_issued(struct paydoc_loader *l, int64_t run_id, const char *tz, const char **out,
                struct err *e)
{
    for (int i = 0; i < l->nissued; i++)
        if (l->issued[i].run_id == run_id && strcmp(l->issued[i].timezone, tz) == 0) {
            *out = l->issued[i].date;
            return 0;
        }
    int64_t finished = 0;
    struct store_rows *r;
    int rc = store_query(l->c, "SELECT coalesce(finished_at, 0) FROM billing_runs WHERE id = $1",
                         (struct store_val[]){SV_I(run_id)}, 1, &r, e);
    if (rc)
        return rc;
    if (store_next(r))
        finished = store_int(r, 0);
    store_rows_free(r);
    if ((rc = load_grow(&l->issued, &l->cissued, l->nissued, sizeof *l->issued, e)))
        return rc;
    struct issued_entry *x = &l->issued[l->nissued];
    *x = (struct issued_entry){.run_id = run_id, .timezone = arena_strdup(l->a, tz)};
    struct date_local local;
    if (!x->timezone)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (finished > 0 && date_utc_to_local(tz, finished, &local) == 0)
        date_format((struct date){local.y, local.m, local.d}, x->date);
    else
        date_format(date_period_first_day(l->per + 1), x->date);
    /* The entries live in a realloc'ed array: the documents get a copy. */
    *out = arena_strdup(l->a, l->issued[l->nissued++].date);
    return *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

int load_init(struct paydoc_loader *l, struct store_conn *c, const struct store_scope *s,
              const char *period, struct arena *a, struct err *e)
{
    *l = (struct paydoc_loader){.c = c, .a = a};
    if (store_scope_check(s, e))
        return e->code;
    if (!period || date_period_parse(period, &l->per, NULL))
        return err_field(e, ERR_INVALID, "period", "ожидается месяц ГГГГ-ММ");
    if (!(l->period = arena_strdup(a, period)))
        return err_set(e, ERR_NOMEM, "out of memory");
    reg_scope_bind(s, l->scope);
    return 0;
}

void load_clear(struct paydoc_loader *l)
{
    free(l->orgs);
    free(l->services);
    free(l->service_orgs);
    free(l->issued);
    if (l->own_arena)
        arena_free(l->a);
}

int paydoc_loader_open(struct store_conn *c, const struct store_scope *s, const char *period,
                       struct paydoc_loader **out, struct err *e)
{
    struct paydoc_loader *l = calloc(1, sizeof *l);
    struct arena *a = arena_new();
    int rc = !l || !a ? err_set(e, ERR_NOMEM, "out of memory") : load_init(l, c, s, period, a, e);
    if (rc) {
        free(l);
        arena_free(a);
        return rc;
    }
    l->own_arena = true;
    *out = l;
    return 0;
}

void paydoc_loader_free(struct paydoc_loader *l)
{
    if (!l)
        return;
    load_clear(l);
    free(l);
}
