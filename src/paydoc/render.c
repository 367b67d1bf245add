/* render.c — the period's payment documents as files (docs/paydoc.md "Print
 * batches and single files"): print batches — one multi-page PDF per
 * organization, municipality and street, houses in delivery-route order —
 * and one PDF per account for electronic delivery.
 *
 * Threads: the calling thread is the loader and the writer, the only one
 * that touches the database (its own connection): it selects the houses
 * with statements of the period, groups them into batches, reads each
 * organization's manifest when it reaches it, loads a batch's houses
 * (paydoc_loader_house) and pushes the batch to the renderers
 * (render_queue.c), which draw and write the files that changed
 * (render_draw.c); the manifest rows of what they wrote are written between
 * batches (render_manifest.c). */
#include "paydoc/render_impl.h"

#include "base/date.h"
#include "registry/registry.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The longest name a render writes under its output directory: the period,
 * the organization, the municipality, an 80-byte street key, the house and a
 * temporary's suffix fit in it. */
#define NAME_MAX_LEN 255

/* ---- the selection ---- */

/* The organizations with a done run of the period (one with q->org_id). */
static int select_orgs(struct store_conn *c, const struct paydoc_render_req *q, struct arena *a,
                       int64_t **out, int *n, struct err *e)
{
    struct store_rows *r;
    int rc = q->org_id
                 ? store_query(c,
                               "SELECT DISTINCT org_id FROM billing_runs WHERE org_id = $2"
                               " AND period = $1 AND state = 'done'",
                               (struct store_val[]){SV_S(q->period), SV_I(q->org_id)}, 2, &r, e)
                 : store_query(c,
                               "SELECT DISTINCT org_id FROM billing_runs WHERE period = $1"
                               " AND state = 'done' ORDER BY org_id",
                               (struct store_val[]){SV_S(q->period)}, 1, &r, e);
    if (rc)
        return rc;
    int cap = 0;
    *n = 0;
    while (!rc && store_next(r)) {
        if (arena_grow(a, out, *n, &cap, sizeof **out)) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            break;
        }
        (*out)[(*n)++] = store_int(r, 0);
    }
    store_rows_free(r);
    return rc;
}

/* The houses with statements of an organization's period in the scope: by
 * the statements (the document's snapshot), as the loader reads them.
 * $1..$3 the scope, $4 the period, $5 the organization, $6 the house. */
#define HOUSES_SQL(house)                                                                          \
    "SELECT coalesce(st.house_id, 0), st.municipality_id, st.region_id, count(*),"                 \
    " h.address, m.name FROM statements st"                                                        \
    " LEFT JOIN houses h ON h.id = st.house_id"                                                    \
    " JOIN municipalities m ON m.id = st.municipality_id"                                          \
    " WHERE st.org_id = $5 AND st.period = $4 AND " house " AND (st.region_id = $1 OR $1 = 0)"     \
    " AND (st.municipality_id = $2 OR $2 = 0) AND (CAST($3 AS BIGINT) = 0 OR st.org_id = $3)"      \
    " GROUP BY st.house_id, st.municipality_id, st.region_id, h.address, m.name"

struct houses {
    struct house_item *items;
    int n, cap;
};

static int add_house(struct houses *hs, struct store_rows *r, int64_t org_id, struct arena *a,
                     struct err *e)
{
    if (arena_grow(a, &hs->items, hs->n, &hs->cap, sizeof *hs->items))
        return err_set(e, ERR_NOMEM, "out of memory");
    struct house_item *h = &hs->items[hs->n++];
    *h = (struct house_item){.stop = {.org_id = org_id,
                                      .house_id = store_int(r, 0),
                                      .municipality_id = store_int(r, 1),
                                      .municipality = store_dup(r, 5, a)},
                             .region_id = store_int(r, 2),
                             .documents = store_int(r, 3),
                             .address = store_dup(r, 4, a)};
    char key[96];
    if (paydoc_address_split(h->address, a, &h->stop.address))
        return err_set(e, ERR_NOMEM, "out of memory");
    h->stop.key = arena_strdup(a, h->stop.house_id
                                      ? paydoc_street_key(h->stop.address.street, key, sizeof key)
                                      : "no-address");
    return h->stop.key ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

static int cmp_house(const void *x, const void *y)
{
    const struct house_item *a = x, *b = y;
    return paydoc_stop_cmp(&a->stop, &b->stop);
}

/* The selection's houses, organization by organization (statements are
 * indexed by organization, period and house), in route order. */
static int select_houses(struct store_conn *c, const struct store_scope *s,
                         const struct paydoc_render_req *q, struct arena *a, struct houses *hs,
                         struct err *e)
{
    int64_t *orgs = NULL;
    int norgs = 0;
    int rc = select_orgs(c, q, a, &orgs, &norgs, e);
    struct store_val p[6];
    reg_scope_bind(s, p); /* region, municipality, organization ($4: residents are refused) */
    p[3] = SV_S(q->period);
    p[5] = SV_I(q->house_id);
    for (int o = 0; !rc && o < norgs; o++) {
        struct store_rows *r;
        p[4] = SV_I(orgs[o]);
        if ((rc = store_query(c,
                              q->house_id ? HOUSES_SQL("st.house_id = $6")
                                          : HOUSES_SQL("CAST($6 AS BIGINT) = 0"),
                              p, 6, &r, e)))
            break;
        while (!rc && store_next(r))
            rc = add_house(hs, r, orgs[o], a, e);
        store_rows_free(r);
    }
    if (!rc && hs->n)
        qsort(hs->items, (size_t)hs->n, sizeof *hs->items, cmp_house);
    return rc;
}

static int cmp_size(const void *x, const void *y)
{
    const struct batch *a = x, *b = y;
    if (a->documents != b->documents)
        return a->documents > b->documents ? -1 : 1;
    return a->first < b->first ? -1 : a->first > b->first;
}

/* Groups the sorted houses into batches: the runs of one organization,
 * municipality and street key (two spellings of a street with one key are
 * one batch). */
static int make_batches(const struct houses *hs, struct arena *a, struct batch **out, int *nb,
                        struct err *e)
{
    struct batch *b = arena_alloc(a, sizeof *b * (size_t)(hs->n ? hs->n : 1));
    if (!b)
        return err_set(e, ERR_NOMEM, "out of memory");
    int count = 0;
    for (int i = 0; i < hs->n; i++) {
        const struct house_item *h = &hs->items[i];
        struct batch *last = count ? &b[count - 1] : NULL;
        if (!last || last->org_id != h->stop.org_id ||
            last->municipality_id != h->stop.municipality_id || strcmp(last->key, h->stop.key)) {
            const char *m = h->stop.municipality ? h->stop.municipality : "";
            last = &b[count++];
            *last = (struct batch){
                .org_id = h->stop.org_id,
                .region_id = h->region_id,
                .municipality_id = h->stop.municipality_id,
                .key = h->stop.key,
                .first = i,
                /* The street names its locality; the municipality names the
                 * accounts without an address. */
                .label = h->stop.house_id && h->stop.address.street
                             ? h->stop.address.street
                             : arena_printf(a, "%s: %s", m,
                                            h->stop.house_id ? "дома без улицы" : "без адреса")};
            if (!last->label)
                return err_set(e, ERR_NOMEM, "out of memory");
        }
        last->nhouses++;
        last->documents += h->documents;
    }
    /* The order files are drawn in is nobody's but the renderers': the
     * largest batches of an organization first, so the run does not end
     * with one renderer drawing a long street while the others wait (the
     * organization's batches stay together: they share its manifest). */
    for (int i = 0, j; i < count; i = j) {
        for (j = i + 1; j < count && b[j].org_id == b[i].org_id; j++)
            ;
        qsort(b + i, (size_t)(j - i), sizeof *b, cmp_size);
    }
    *out = b;
    *nb = count;
    return 0;
}

/* ---- the loader ---- */

/* A batch's documents, its houses' one after another, in one array sized
 * by the statements counted at the selection (grown by doubling should a
 * billing run have added some since). */
static int load_batch(struct paydoc_loader *l, const struct houses *hs, struct batch *b,
                      struct err *e)
{
    if (!(b->a = arena_new()))
        return err_set(e, ERR_NOMEM, "out of memory");
    int64_t cap = b->documents > 0 ? b->documents : 1;
    if (cap > INT_MAX / 2)
        return err_set(e, ERR_INVALID, "%s: слишком много документов", b->label);
    if (!(b->docs = arena_alloc(b->a, sizeof *b->docs * (size_t)cap)))
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = 0;
    for (int k = 0; !rc && k < b->nhouses; k++) {
        const struct house_item *h = &hs->items[b->first + k];
        struct paydoc *docs;
        int n;
        if ((rc = paydoc_loader_house(l, h->stop.house_id, h->stop.municipality_id, h->stop.org_id,
                                      b->a, &docs, &n, e)))
            break;
        if (b->ndocs + n > cap) {
            while (b->ndocs + n > cap)
                cap *= 2;
            struct paydoc *more = arena_alloc(b->a, sizeof *more * (size_t)cap);
            if (!more)
                return err_set(e, ERR_NOMEM, "out of memory");
            memcpy(more, b->docs, sizeof *more * (size_t)b->ndocs);
            b->docs = more;
        }
        if (n)
            memcpy(b->docs + b->ndocs, docs, sizeof *docs * (size_t)n);
        b->ndocs += n;
    }
    return rc;
}

/* The manifest of the batches of b's organization (they follow b). */
static int open_manifest(struct run *r, struct batch *b, int left, struct err *e)
{
    struct manifest *mf;
    int rc = manifest_read(r->c, r->j.period, b->org_id, &mf, e);
    if (rc)
        return rc;
    mf->next = r->manifests;
    r->manifests = mf;
    for (int k = 0; k < left && b[k].org_id == b->org_id; k++) {
        b[k].mf = mf;
        mf->batches++;
    }
    return 0;
}

/* Loads and queues every batch. */
static int load_all(struct run *r, struct paydoc_loader *l, const struct houses *hs,
                    struct batch *batches, int nbatches, struct err *e)
{
    const struct paydoc_render_req *q = r->j.q;
    int rc = 0;
    for (int i = 0; !rc && i < nbatches; i++) {
        struct batch *b = &batches[i];
        if (q->cancelled && q->cancelled(q->progress_arg))
            return err_set(e, ERR_CONFLICT, "печать документов отменена");
        if (!b->mf && (rc = open_manifest(r, b, nbatches - i, e)))
            break;
        if ((rc = load_batch(l, hs, b, e))) {
            arena_free(b->a);
            b->a = NULL;
            break;
        }
        rc = render_push(r, b, e);
    }
    return rc;
}

/* ---- the run ---- */

static int threads_of(const struct paydoc_render_req *q)
{
    long n = q->threads > 0 ? q->threads : sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

static int check_request(const struct store_scope *s, const struct paydoc_render_req *q,
                         struct err *e)
{
    int per;
    if (store_scope_check(s, e))
        return e->code;
    if (s->kind == SCOPE_RESIDENT)
        return err_set(e, ERR_FORBIDDEN, "печать платёжных документов — для организаций");
    if (!q->period || date_period_parse(q->period, &per, NULL))
        return err_field(e, ERR_INVALID, "period", "ожидается месяц ГГГГ-ММ");
    if (!q->out_dir || !*q->out_dir)
        return err_field(e, ERR_INVALID, "out", "не указан каталог для документов");
    if (strlen(q->out_dir) > PATH_MAX - NAME_MAX_LEN - 2)
        return err_field(e, ERR_INVALID, "out", "путь к каталогу длиннее %d байт",
                         PATH_MAX - NAME_MAX_LEN - 2);
    return 0;
}

/* The directories of the organizations' files, and their temporaries of
 * killed renders swept. */
static int make_dirs(const struct paydoc_render_req *q, const struct batch *b, int n, struct err *e)
{
    int rc = 0;
    for (int i = 0; !rc && i < n; i++) {
        if (i && b[i].org_id == b[i - 1].org_id)
            continue;
        for (int kind = 0; !rc && kind < 2; kind++) {
            if (!(kind ? q->singles : q->batches))
                continue;
            char dir[PATH_MAX];
            snprintf(dir, sizeof dir, "%s/%s/%s/%lld", q->out_dir, q->period,
                     kind ? "single" : "print", (long long)b[i].org_id);
            if (!(rc = render_mkdirs(dir, e)))
                render_sweep(dir);
        }
    }
    return rc;
}

int paydoc_render(struct store *st, const struct store_scope *s, const struct paydoc_render_req *q,
                  struct paydoc_render_result *out, struct err *e)
{
    *out = (struct paydoc_render_result){0};
    int rc = check_request(s, q, e);
    if (rc)
        return rc;
    struct paydoc_render_req req = *q;
    if (!req.batches && !req.singles)
        req.batches = req.singles = true; /* neither asked: both */
    struct run r = {.j = {.q = &req, .period = q->period}, .out = out};
    struct arena *a = arena_new();
    struct houses hs = {0};
    struct batch *batches = NULL;
    struct paydoc_loader *l = NULL;
    int nbatches = 0;
    if (!a)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (!(r.c = store_acquire(st, e))) {
        arena_free(a);
        return e->code;
    }
    pthread_mutex_init(&r.j.lock, NULL);
    pthread_cond_init(&r.j.changed, NULL);
    atomic_init(&r.j.failing, false);
    if (!(rc = render_mkdirs(q->out_dir, e)) && !(rc = select_houses(r.c, s, &req, a, &hs, e)) &&
        !(rc = make_batches(&hs, a, &batches, &nbatches, e)) &&
        !(rc = make_dirs(&req, batches, nbatches, e)))
        rc = paydoc_loader_open(r.c, s, q->period, &l, e);
    for (int i = 0; i < nbatches; i++)
        r.total_docs += batches[i].documents;
    if (!rc)
        rc = render_start(&r, threads_of(q), e);
    if (!rc && q->progress)
        q->progress(q->progress_arg, 0, r.total_docs);
    if (!rc)
        rc = load_all(&r, l, &hs, batches, nbatches, e);
    rc = render_close(&r, rc, e);
    paydoc_loader_free(l);
    free(r.pending);
    for (struct manifest *mf = r.manifests, *next; mf; mf = next) {
        next = mf->next;
        manifest_free(mf);
        free(mf);
    }
    pthread_cond_destroy(&r.j.changed);
    pthread_mutex_destroy(&r.j.lock);
    store_release(r.c);
    arena_free(a);
    return rc;
}
