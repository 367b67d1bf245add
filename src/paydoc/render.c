/* render.c — the period's payment documents as files (docs/paydoc.md "Print
 * batches and single files"): print batches — one multi-page PDF per
 * organization, municipality and street, houses in delivery-route order —
 * and one PDF per account for electronic delivery.
 *
 * Threads: the calling thread is the loader and the writer, the only one
 * that touches the database (its own connection): it reads a batch's
 * houses (paydoc_loader_house), hands the batch to a bounded queue, and
 * records in paydoc_files what the renderers report. The renderers (one per
 * core, each with its own PDF documents) turn each document into its JSON
 * form, hash the forms of each file, and draw and write only the files
 * whose digest differs from the manifest's or that are missing.
 *
 * A file is drawn to FILE.tmp, synced and renamed, so a crash leaves the old
 * file or the new one; its manifest row is written after the rename, so a
 * crash in between only costs drawing it again. */
#include "paydoc/paydoc.h"

#include "base/date.h"
#include "base/log.h"
#include "registry/registry.h"
#include "render/pdf.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Part of every digest: a new layout (a change that moves what a page
 * shows) bumps it, so the next run draws every file again. */
#define RENDER_FORMAT "paydoc-render-1\n"
#define FLUSH_ROWS 512 /* manifest rows written per transaction */

/* ---- what is rendered ---- */

/* A house of the selection (house_id 0: the accounts without a house of a
 * municipality). */
struct house_item {
    int64_t org_id, house_id, municipality_id, region_id, documents;
    const char *municipality, *address;
    struct paydoc_address split;
    char key[96]; /* the street's file-name key */
};

/* A print batch: an organization's houses on one street of one
 * municipality, in route order, and then their documents. */
struct batch {
    int64_t org_id, region_id, municipality_id;
    const char *key, *label;
    int *houses; /* indexes into the house list */
    int nhouses, chouses;
    /* Filled by the loader: */
    struct arena *a; /* the documents; freed by the renderer */
    struct paydoc *docs;
    int ndocs;
    struct batch *next; /* the queue */
};

/* A file's row in the manifest: before the run, what is there; after a
 * write, what to store. */
struct manifest_row {
    int64_t org_id, region_id;
    char *name; /* under the output directory */
    char *label;
    char kind; /* 'b' batch, 's' single */
    char digest[65];
    int64_t documents, pages, bytes;
};

/* What a renderer reports for a batch. */
struct done {
    int64_t documents, pages, bytes;
    int64_t batches_written, batches_kept, singles_written, singles_kept;
    struct manifest_row *rows; /* files written */
    int nrows;
    int rc;
    struct err err;
    struct done *next;
};

struct job {
    const struct paydoc_render_req *q;
    const char *period;
    struct manifest_row *manifest; /* sorted by org_id, name; read-only while rendering */
    int nmanifest;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct batch *todo, *todo_tail;
    int ntodo, max_todo;
    bool closed;  /* no more batches */
    bool failing; /* a renderer failed: the others stop */
    bool lost;    /* a report could not be allocated: the run fails */
    struct done *done, *done_tail;
    int in_flight; /* batches queued or being rendered */
};

/* ---- the manifest ---- */

static int cmp_row(const void *x, const void *y)
{
    const struct manifest_row *a = x, *b = y;
    if (a->org_id != b->org_id)
        return a->org_id < b->org_id ? -1 : 1;
    return strcmp(a->name, b->name);
}

static const struct manifest_row *manifest_find(const struct job *j, int64_t org_id,
                                                const char *name)
{
    struct manifest_row key = {.org_id = org_id, .name = (char *)name};
    return j->nmanifest ? bsearch(&key, j->manifest, (size_t)j->nmanifest, sizeof key, cmp_row)
                        : NULL;
}

static void rows_free(struct manifest_row *rows, int n)
{
    for (int i = 0; i < n; i++) {
        free(rows[i].name);
        free(rows[i].label);
    }
    free(rows);
}

static int read_manifest(struct store_conn *c, struct job *j, struct err *e)
{
    struct store_rows *r;
    int rc = store_query(c,
                         "SELECT org_id, name, digest, bytes, pages FROM paydoc_files"
                         " WHERE period = $1 AND (org_id = $2 OR $2 = 0)",
                         (struct store_val[]){SV_S(j->period), SV_I(j->q->org_id)}, 2, &r, e);
    if (rc)
        return rc;
    int cap = 0;
    while (!rc && store_next(r)) {
        if (j->nmanifest == cap) {
            void *p =
                realloc(j->manifest, sizeof *j->manifest * (size_t)(cap = cap ? cap * 2 : 256));
            if (!p) {
                rc = err_set(e, ERR_NOMEM, "out of memory");
                break;
            }
            j->manifest = p;
        }
        struct manifest_row *m = &j->manifest[j->nmanifest];
        *m = (struct manifest_row){.org_id = store_int(r, 0),
                                   .name = strdup(store_text(r, 1)),
                                   .bytes = store_int(r, 3),
                                   .pages = store_int(r, 4)};
        snprintf(m->digest, sizeof m->digest, "%s", store_text(r, 2) ? store_text(r, 2) : "");
        if (!m->name)
            rc = err_set(e, ERR_NOMEM, "out of memory");
        else
            j->nmanifest++;
    }
    store_rows_free(r);
    if (!rc && j->nmanifest)
        qsort(j->manifest, (size_t)j->nmanifest, sizeof *j->manifest, cmp_row);
    return rc;
}

static int write_rows(struct store_conn *c, const char *period, struct manifest_row *rows, int n,
                      struct err *e)
{
    if (!n)
        return 0;
    int rc = store_begin(c, e);
    int64_t now = store_now();
    for (int i = 0; !rc && i < n; i++) {
        const struct manifest_row *m = &rows[i];
        struct store_val p[] = {SV_I(m->region_id), SV_I(m->org_id),
                                SV_S(period),       SV_S(m->kind == 'b' ? "batch" : "single"),
                                SV_S(m->name),      SV_T(m->label),
                                SV_S(m->digest),    SV_I(m->documents),
                                SV_I(m->pages),     SV_I(m->bytes),
                                SV_I(now)};
        rc =
            store_exec(c,
                       "INSERT INTO paydoc_files (region_id, org_id, period, kind, name, label,"
                       " digest, documents, pages, bytes, rendered_at) VALUES ($1, $2, $3, $4,"
                       " $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (org_id, period, name) DO UPDATE"
                       " SET region_id = excluded.region_id, kind = excluded.kind,"
                       " label = excluded.label, digest = excluded.digest,"
                       " documents = excluded.documents, pages = excluded.pages,"
                       " bytes = excluded.bytes, rendered_at = excluded.rendered_at",
                       p, 11, NULL, e);
    }
    if (!rc)
        rc = store_commit(c, e);
    if (rc)
        store_rollback(c);
    return rc;
}

/* ---- the selection and the route ---- */

static int cmp_house(const void *x, const void *y)
{
    const struct house_item *a = x, *b = y;
    if (a->org_id != b->org_id)
        return a->org_id < b->org_id ? -1 : 1;
    int c = paydoc_natural_cmp(a->municipality, b->municipality);
    if (c)
        return c;
    if (a->municipality_id != b->municipality_id)
        return a->municipality_id < b->municipality_id ? -1 : 1;
    if (!a->house_id != !b->house_id) /* the accounts without a house last */
        return a->house_id ? -1 : 1;
    if ((c = paydoc_natural_cmp(a->split.street, b->split.street)))
        return c;
    if ((c = paydoc_natural_cmp(a->split.number, b->split.number)))
        return c;
    return a->house_id < b->house_id ? -1 : a->house_id > b->house_id;
}

/* The houses with statements of the period in the scope and the filters,
 * organization by organization (statements are indexed by organization and
 * period). */
static int select_houses(struct store_conn *c, const struct store_scope *s, struct job *j,
                         struct arena *a, struct house_item **out, int *n, struct err *e)
{
    const struct paydoc_render_req *q = j->q;
    struct store_rows *r;
    int64_t *orgs = NULL;
    int norgs = 0, corgs = 0;
    int rc = store_query(c,
                         "SELECT DISTINCT org_id FROM billing_runs WHERE period = $1"
                         " AND state = 'done' AND (org_id = $2 OR $2 = 0) ORDER BY org_id",
                         (struct store_val[]){SV_S(j->period), SV_I(q->org_id)}, 2, &r, e);
    if (rc)
        return rc;
    while (!rc && store_next(r)) {
        if (norgs == corgs) {
            int64_t *more = arena_alloc(a, sizeof *more * (size_t)(corgs = corgs ? corgs * 2 : 16));
            if (!more) {
                rc = err_set(e, ERR_NOMEM, "out of memory");
                break;
            }
            if (norgs)
                memcpy(more, orgs, sizeof *more * (size_t)norgs);
            orgs = more;
        }
        orgs[norgs++] = store_int(r, 0);
    }
    store_rows_free(r);
    int cap = 0;
    *n = 0;
    *out = NULL;
    struct store_val p[6];
    reg_scope_bind(s, p); /* region, municipality, organization ($4: residents are refused) */
    p[3] = SV_S(j->period);
    p[5] = SV_I(q->house_id);
    for (int o = 0; !rc && o < norgs; o++) {
        p[4] = SV_I(orgs[o]);
        if ((rc = store_query(
                 c,
                 "SELECT coalesce(st.house_id, 0), st.municipality_id, st.region_id, count(*),"
                 " h.address, m.name FROM statements st"
                 " LEFT JOIN houses h ON h.id = st.house_id"
                 " JOIN municipalities m ON m.id = st.municipality_id"
                 " WHERE st.org_id = $5 AND st.period = $4 AND (st.region_id = $1 OR $1 = 0)"
                 " AND (st.municipality_id = $2 OR $2 = 0)"
                 " AND (CAST($3 AS BIGINT) = 0 OR st.org_id = $3)"
                 " AND (st.house_id = $6 OR $6 = 0)"
                 " GROUP BY st.house_id, st.municipality_id, st.region_id, h.address, m.name",
                 p, 6, &r, e)))
            break;
        while (!rc && store_next(r)) {
            if (*n == cap) {
                struct house_item *more =
                    arena_alloc(a, sizeof *more * (size_t)(cap = cap ? cap * 2 : 256));
                if (!more) {
                    rc = err_set(e, ERR_NOMEM, "out of memory");
                    break;
                }
                if (*n)
                    memcpy(more, *out, sizeof *more * (size_t)*n);
                *out = more;
            }
            struct house_item *h = &(*out)[*n];
            *h = (struct house_item){.org_id = orgs[o],
                                     .house_id = store_int(r, 0),
                                     .municipality_id = store_int(r, 1),
                                     .region_id = store_int(r, 2),
                                     .documents = store_int(r, 3),
                                     .address = store_dup(r, 4, a),
                                     .municipality = store_dup(r, 5, a)};
            if (paydoc_address_split(h->address, a, &h->split))
                rc = err_set(e, ERR_NOMEM, "out of memory");
            if (h->house_id)
                paydoc_street_key(h->split.street, h->key, sizeof h->key);
            else
                snprintf(h->key, sizeof h->key, "no-address");
            (*n)++;
        }
        store_rows_free(r);
    }
    if (!rc && *n)
        qsort(*out, (size_t)*n, sizeof **out, cmp_house);
    return rc;
}

/* Groups the sorted houses into batches: organization × municipality ×
 * street key (two spellings of a street with one key are one batch). */
static int make_batches(const struct house_item *h, int n, struct arena *a, struct batch **out,
                        int *nb, struct err *e)
{
    struct batch *b = arena_alloc(a, sizeof *b * (size_t)(n ? n : 1));
    if (!b)
        return err_set(e, ERR_NOMEM, "out of memory");
    int count = 0, group = 0; /* batches of the current organization and municipality from group */
    for (int i = 0; i < n; i++) {
        if (i &&
            (h[i].org_id != h[i - 1].org_id || h[i].municipality_id != h[i - 1].municipality_id))
            group = count;
        int k = group;
        while (k < count && strcmp(b[k].key, h[i].key) != 0)
            k++;
        if (k == count) {
            b[count++] = (struct batch){
                .org_id = h[i].org_id,
                .region_id = h[i].region_id,
                .municipality_id = h[i].municipality_id,
                .key = h[i].key,
                /* The street names its locality; the municipality names the
                 * accounts without an address. */
                .label = h[i].house_id && h[i].split.street
                             ? h[i].split.street
                             : arena_printf(a, "%s: %s", h[i].municipality ? h[i].municipality : "",
                                            h[i].house_id ? "дома без улицы" : "без адреса")};
        }
        struct batch *x = &b[k];
        if (x->nhouses == x->chouses) {
            int *more = arena_alloc(a, sizeof *more *
                                           (size_t)(x->chouses = x->chouses ? x->chouses * 2 : 8));
            if (!more)
                return err_set(e, ERR_NOMEM, "out of memory");
            if (x->nhouses)
                memcpy(more, x->houses, sizeof *more * (size_t)x->nhouses);
            x->houses = more;
        }
        x->houses[x->nhouses++] = i;
    }
    *out = b;
    *nb = count;
    return 0;
}

/* ---- files ---- */

static int mkdirs(const char *path, struct err *e)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return err_set(e, ERR_IO, "%s: путь слишком длинный", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) && errno != EEXIST)
            return err_set(e, ERR_IO, "%s: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0755) && errno != EEXIST)
        return err_set(e, ERR_IO, "%s: %s", buf, strerror(errno));
    return 0;
}

/* Writes p to path through path.tmp: saved, synced, renamed. */
static int write_file(struct pdf_doc *p, const char *path, int64_t *bytes, struct err *e)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return err_set(e, ERR_IO, "%s: путь слишком длинный", path);
    int rc = pdf_save_file(p, tmp, e);
    if (rc)
        return rc;
    int fd = open(tmp, O_RDONLY);
    struct stat st;
    if (fd < 0 || fsync(fd) || fstat(fd, &st) || rename(tmp, path)) {
        rc = err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
        unlink(tmp);
    } else {
        *bytes = st.st_size;
    }
    if (fd >= 0)
        close(fd);
    return rc;
}

/* Whether the file of a manifest row is still there as written. */
static bool still_there(const char *path, const struct manifest_row *m)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == m->bytes;
}

static void hex_digest(crypto_hash_sha256_state *h, char out[65])
{
    unsigned char bin[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(h, bin);
    sodium_bin2hex(out, 65, bin, sizeof bin);
}

/* ---- a renderer ---- */

static int doc_error(struct err *e, const struct paydoc *d)
{
    char msg[sizeof e->msg];
    snprintf(msg, sizeof msg, "%s", e->msg);
    return err_set(e, e->code ? e->code : ERR_INVALID, "лицевой счёт %lld%s%s%s: %s",
                   (long long)d->account_id, d->els ? " (ЕЛС " : "", d->els ? d->els : "",
                   d->els ? ")" : "", msg);
}

static int add_row(struct done *dn, const struct batch *b, char kind, const char *name,
                   const char *label, const char *digest, int64_t documents, int64_t pages,
                   int64_t bytes, struct err *e)
{
    struct manifest_row *more = realloc(dn->rows, sizeof *more * (size_t)(dn->nrows + 1));
    if (!more)
        return err_set(e, ERR_NOMEM, "out of memory");
    dn->rows = more;
    struct manifest_row *m = &dn->rows[dn->nrows];
    *m = (struct manifest_row){.org_id = b->org_id,
                               .region_id = b->region_id,
                               .kind = kind,
                               .name = strdup(name),
                               .label = label ? strdup(label) : NULL,
                               .documents = documents,
                               .pages = pages,
                               .bytes = bytes};
    snprintf(m->digest, sizeof m->digest, "%s", digest);
    if (!m->name || (label && !m->label)) {
        free(m->name);
        free(m->label);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    dn->nrows++;
    return 0;
}

/* One document drawn alone into its file. */
static int render_single(struct job *j, const struct batch *b, const struct paydoc *d,
                         const char *json, struct done *dn, struct err *e)
{
    char name[256], path[PATH_MAX], digest[65];
    snprintf(name, sizeof name, "%s/single/%lld/%lld.pdf", j->period, (long long)b->org_id,
             (long long)d->account_id);
    snprintf(path, sizeof path, "%s/%s", j->q->out_dir, name);
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, (const unsigned char *)RENDER_FORMAT, strlen(RENDER_FORMAT));
    crypto_hash_sha256_update(&h, (const unsigned char *)json, strlen(json));
    crypto_hash_sha256_update(&h, (const unsigned char *)"\n", 1);
    hex_digest(&h, digest);
    const struct manifest_row *m = manifest_find(j, b->org_id, name);
    if (m && strcmp(m->digest, digest) == 0 && still_there(path, m)) {
        dn->singles_kept++;
        return 0;
    }
    struct pdf_doc *p = NULL;
    int pages = 0;
    int64_t bytes = 0;
    int rc = pdf_open(&p, e);
    if (!rc && (rc = paydoc_pdf_add(p, d, &pages, e)))
        doc_error(e, d);
    if (!rc)
        rc = write_file(p, path, &bytes, e);
    pdf_free(p);
    if (!rc)
        rc = add_row(dn, b, 's', name, NULL, digest, 1, pages, bytes, e);
    if (!rc) {
        dn->singles_written++;
        dn->bytes += bytes;
        if (!j->q->batches)
            dn->pages += pages;
    }
    return rc;
}

/* A batch: its documents' JSON forms, the batch file and each single. */
static int render_batch(struct job *j, struct batch *b, struct done *dn, struct err *e)
{
    const struct paydoc_render_req *q = j->q;
    char **json = calloc((size_t)(b->ndocs ? b->ndocs : 1), sizeof *json);
    int rc = json ? 0 : err_set(e, ERR_NOMEM, "out of memory");
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, (const unsigned char *)RENDER_FORMAT, strlen(RENDER_FORMAT));
    for (int i = 0; !rc && i < b->ndocs; i++) {
        json_t *o = NULL;
        if ((rc = paydoc_json_form(&b->docs[i], false, &o, e))) {
            doc_error(e, &b->docs[i]);
            break;
        }
        json[i] = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(o);
        if (!json[i]) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            break;
        }
        crypto_hash_sha256_update(&h, (const unsigned char *)json[i], strlen(json[i]));
        crypto_hash_sha256_update(&h, (const unsigned char *)"\n", 1);
    }
    char digest[65];
    hex_digest(&h, digest);
    dn->documents = b->ndocs;
    if (!rc && q->batches && b->ndocs) {
        char name[256], path[PATH_MAX];
        /* One house's render (the house filter) does not replace its
         * street's batch: its file is named by the house too. */
        char house[32] = "";
        if (q->house_id)
            snprintf(house, sizeof house, "-h%lld", (long long)q->house_id);
        snprintf(name, sizeof name, "%s/print/%lld/M%lld-%s%s.pdf", j->period, (long long)b->org_id,
                 (long long)b->municipality_id, b->key, house);
        snprintf(path, sizeof path, "%s/%s", q->out_dir, name);
        const struct manifest_row *m = manifest_find(j, b->org_id, name);
        if (m && strcmp(m->digest, digest) == 0 && still_there(path, m)) {
            dn->batches_kept++;
        } else {
            struct pdf_doc *p = NULL;
            int64_t bytes = 0, pages = 0;
            rc = pdf_open(&p, e);
            for (int i = 0; !rc && i < b->ndocs; i++) {
                int n = 0;
                if ((rc = paydoc_pdf_add(p, &b->docs[i], &n, e)))
                    doc_error(e, &b->docs[i]);
                pages += n;
                /* An operator's cancel or another renderer's failure stops
                 * a long street between documents. */
                if (!rc && i % 64 == 63 && j->failing)
                    rc = err_set(e, ERR_CONFLICT, "печать прервана");
            }
            if (!rc)
                rc = write_file(p, path, &bytes, e);
            pdf_free(p);
            if (!rc)
                rc = add_row(dn, b, 'b', name, b->label, digest, b->ndocs, pages, bytes, e);
            if (!rc) {
                dn->batches_written++;
                dn->bytes += bytes;
                dn->pages += pages;
            }
        }
    }
    for (int i = 0; !rc && q->singles && i < b->ndocs; i++)
        rc = render_single(j, b, &b->docs[i], json[i], dn, e);
    for (int i = 0; json && i < b->ndocs; i++)
        free(json[i]);
    free(json);
    return rc;
}

static void *renderer(void *arg)
{
    struct job *j = arg;
    for (;;) {
        pthread_mutex_lock(&j->lock);
        while (!j->todo && !j->closed)
            pthread_cond_wait(&j->changed, &j->lock);
        struct batch *b = j->todo;
        if (b) {
            j->todo = b->next;
            if (!j->todo)
                j->todo_tail = NULL;
            j->ntodo--;
        }
        bool skip = j->failing;
        pthread_cond_broadcast(&j->changed); /* room in the queue */
        pthread_mutex_unlock(&j->lock);
        if (!b)
            return NULL;
        struct done *dn = calloc(1, sizeof *dn);
        if (dn && !skip)
            dn->rc = render_batch(j, b, dn, &dn->err);
        arena_free(b->a);
        b->a = NULL;
        pthread_mutex_lock(&j->lock);
        if (dn) {
            if (j->done_tail)
                j->done_tail->next = dn;
            else
                j->done = dn;
            j->done_tail = dn;
            if (dn->rc)
                j->failing = true;
        } else {
            j->failing = j->lost = true; /* out of memory: the run fails (settle) */
        }
        j->in_flight--;
        pthread_cond_broadcast(&j->changed);
        pthread_mutex_unlock(&j->lock);
    }
}

/* ---- the loader and writer ---- */

struct run {
    struct job j;
    struct store_conn *c;
    struct paydoc_render_result *out;
    struct manifest_row *pending; /* rows to write */
    int npending, cpending;
    int64_t done_docs, total_docs;
    int rc;
    struct err err;
    bool out_of_memory;
};

/* Takes the renderers' reports (j.lock held): counts, the first error, rows
 * to write. */
static void collect(struct run *r)
{
    struct done *dn = r->j.done;
    r->j.done = r->j.done_tail = NULL;
    while (dn) {
        struct done *next = dn->next;
        struct paydoc_render_result *o = r->out;
        o->documents += dn->documents;
        o->pages += dn->pages;
        o->bytes += dn->bytes;
        o->batches_written += dn->batches_written;
        o->batches_kept += dn->batches_kept;
        o->singles_written += dn->singles_written;
        o->singles_kept += dn->singles_kept;
        r->done_docs += dn->documents;
        if (dn->rc && !r->rc) {
            r->rc = dn->rc;
            r->err = dn->err;
        }
        for (int i = 0; i < dn->nrows; i++) {
            if (r->npending == r->cpending) {
                int cap = r->cpending ? r->cpending * 2 : FLUSH_ROWS;
                void *p = realloc(r->pending, sizeof *r->pending * (size_t)cap);
                if (!p) {
                    free(dn->rows[i].name);
                    free(dn->rows[i].label);
                    r->out_of_memory = true;
                    continue;
                }
                r->pending = p;
                r->cpending = cap;
            }
            r->pending[r->npending++] = dn->rows[i];
        }
        free(dn->rows);
        free(dn);
        dn = next;
    }
}

/* Writes the pending manifest rows (without j.lock). */
static int flush(struct run *r, struct err *e)
{
    int rc = write_rows(r->c, r->j.period, r->pending, r->npending, e);
    for (int i = 0; i < r->npending; i++) {
        free(r->pending[i].name);
        free(r->pending[i].label);
    }
    r->npending = 0;
    return rc;
}

/* Between batches: reports, progress, the manifest. 0, or the run's error. */
static int settle(struct run *r, struct err *e)
{
    pthread_mutex_lock(&r->j.lock);
    collect(r);
    r->out_of_memory |= r->j.lost;
    pthread_mutex_unlock(&r->j.lock);
    const struct paydoc_render_req *q = r->j.q;
    if (q->progress)
        q->progress(q->progress_arg, r->done_docs, r->total_docs);
    int rc = r->rc;
    if (rc)
        *e = r->err;
    if (!rc && r->out_of_memory)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    if (!rc && r->npending >= FLUSH_ROWS)
        rc = flush(r, e);
    return rc;
}

static int load_batch(struct run *r, struct paydoc_loader *l, const struct house_item *houses,
                      struct batch *b, struct err *e)
{
    if (!(b->a = arena_new()))
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = 0;
    for (int k = 0; !rc && k < b->nhouses; k++) {
        const struct house_item *h = &houses[b->houses[k]];
        struct paydoc *docs;
        int n;
        if ((rc = paydoc_loader_house(l, h->house_id, h->municipality_id, h->org_id, b->a, &docs,
                                      &n, e)) ||
            !n)
            continue;
        struct paydoc *all = arena_alloc(b->a, sizeof *all * (size_t)(b->ndocs + n));
        if (!all)
            return err_set(e, ERR_NOMEM, "out of memory");
        if (b->ndocs)
            memcpy(all, b->docs, sizeof *all * (size_t)b->ndocs);
        memcpy(all + b->ndocs, docs, sizeof *all * (size_t)n);
        b->docs = all;
        b->ndocs += n;
    }
    (void)r;
    return rc;
}

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
    return 0;
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
    int nthreads = threads_of(q);
    r.j.max_todo = 2 * nthreads;
    struct arena *a = arena_new();
    struct house_item *houses = NULL;
    struct batch *batches = NULL;
    struct paydoc_loader *l = NULL;
    pthread_t threads[64];
    int started = 0, nhouses = 0, nbatches = 0;
    if (!a)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (!(r.c = store_acquire(st, e))) {
        arena_free(a);
        return e->code;
    }
    pthread_mutex_init(&r.j.lock, NULL);
    pthread_cond_init(&r.j.changed, NULL);
    if (!(rc = mkdirs(q->out_dir, e)) && !(rc = read_manifest(r.c, &r.j, e)) &&
        !(rc = select_houses(r.c, s, &r.j, a, &houses, &nhouses, e)) &&
        !(rc = make_batches(houses, nhouses, a, &batches, &nbatches, e)))
        rc = paydoc_loader_open(r.c, s, q->period, &l, e);
    for (int i = 0; i < nhouses; i++)
        r.total_docs += houses[i].documents;
    /* The directories of the organizations' files. */
    for (int i = 0; !rc && i < nbatches; i++)
        if (i == 0 || batches[i].org_id != batches[i - 1].org_id) {
            char dir[PATH_MAX];
            snprintf(dir, sizeof dir, "%s/%s/print/%lld", q->out_dir, q->period,
                     (long long)batches[i].org_id);
            if (req.batches)
                rc = mkdirs(dir, e);
            snprintf(dir, sizeof dir, "%s/%s/single/%lld", q->out_dir, q->period,
                     (long long)batches[i].org_id);
            if (!rc && req.singles)
                rc = mkdirs(dir, e);
        }
    for (; !rc && started < nthreads; started++)
        if (pthread_create(&threads[started], NULL, renderer, &r.j)) {
            rc = err_set(e, ERR_NOMEM, "cannot start a renderer thread");
            break;
        }
    if (!rc && q->progress)
        q->progress(q->progress_arg, 0, r.total_docs);
    for (int i = 0; !rc && i < nbatches; i++) {
        if (q->cancelled && q->cancelled(q->progress_arg)) {
            rc = err_set(e, ERR_CONFLICT, "печать документов отменена");
            break;
        }
        struct batch *b = &batches[i];
        if ((rc = load_batch(&r, l, houses, b, e))) {
            arena_free(b->a);
            break;
        }
        pthread_mutex_lock(&r.j.lock);
        while (r.j.ntodo >= r.j.max_todo && !r.j.failing)
            pthread_cond_wait(&r.j.changed, &r.j.lock);
        b->next = NULL;
        if (r.j.todo_tail)
            r.j.todo_tail->next = b;
        else
            r.j.todo = b;
        r.j.todo_tail = b;
        r.j.ntodo++;
        r.j.in_flight++;
        pthread_cond_broadcast(&r.j.changed);
        pthread_mutex_unlock(&r.j.lock);
        rc = settle(&r, e);
    }
    /* No more batches: the renderers finish what is queued (or skip it
     * after a failure) and stop. */
    pthread_mutex_lock(&r.j.lock);
    r.j.closed = true;
    if (rc)
        r.j.failing = true;
    pthread_cond_broadcast(&r.j.changed);
    while (r.j.in_flight > 0)
        pthread_cond_wait(&r.j.changed, &r.j.lock);
    pthread_mutex_unlock(&r.j.lock);
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    struct err late = {0};
    int late_rc = settle(&r, &late);
    if (!rc)
        rc = late_rc, *e = late;
    /* What was written is recorded even when the run fails: those files
     * are done. */
    if (r.npending) {
        struct err fe = {0};
        int frc = flush(&r, &fe);
        if (!rc && frc)
            rc = frc, *e = fe;
    }
    if (rc && rc != ERR_CONFLICT)
        log_msgf(LOG_WARN, "paydoc render failed", "%s", e->msg);
    paydoc_loader_free(l);
    free(r.pending);
    rows_free(r.j.manifest, r.j.nmanifest);
    pthread_cond_destroy(&r.j.changed);
    pthread_mutex_destroy(&r.j.lock);
    store_release(r.c);
    arena_free(a);
    return rc;
}
