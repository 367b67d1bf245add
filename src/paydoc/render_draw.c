/* render_draw.c — what a renderer thread does with a batch (docs/paydoc.md
 * "Re-runs"): each document's JSON form, the digests of the batch file and
 * of each single, and for the files whose digest differs from the manifest's
 * or that are not there as written, the PDF drawn and written into place.
 *
 * Writing a file: the PDF is saved in memory, written whole to a temporary
 * of its own in the target directory (mkstemp: «.NAME.XXXXXX»), synced,
 * closed, renamed over the name. Every error (a short write, ENOSPC on the
 * sync or the close) removes the temporary and leaves the old file. So a
 * crash leaves the old file or the new one, never a part; two renders
 * writing one file at once each rename a complete file of their own, and
 * the last rename wins. The manifest records the bytes written and the
 * file's mtime: a file kept on a re-run must still have both, so a file
 * replaced since (by hand, or by an overlapping render of other documents)
 * is drawn again. A render killed mid-write leaves its hidden temporary;
 * the next render of the directory removes those older than a day.
 *
 * Thread-safe: each call draws its own PDF documents and reads the
 * manifest, which nobody writes while batches render. */
#include "paydoc/render_impl.h"

#include "render/pdf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TEMP_SUFFIX_LEN 7        /* ".XXXXXX" */
#define TEMP_MAX_AGE (24 * 3600) /* seconds: older temporaries are a killed render's */

/* ---- files ---- */

int render_mkdirs(const char *path, struct err *e)
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

int render_sync_dir(const char *dir, struct err *e)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd)) {
        int rc = err_set(e, ERR_IO, "%s: %s", dir, strerror(errno));
        if (fd >= 0)
            close(fd);
        return rc;
    }
    close(fd);
    return 0;
}

/* A temporary's name: '.', the file's name, '.', six characters. */
static bool is_temporary(const char *name)
{
    size_t n = strlen(name);
    return name[0] == '.' && n > 1 + 4 + TEMP_SUFFIX_LEN &&
           strncmp(name + n - TEMP_SUFFIX_LEN - 4, ".pdf.", 5) == 0;
}

void render_sweep(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    time_t old = time(NULL) - TEMP_MAX_AGE;
    const struct dirent *x;
    while ((x = readdir(d))) {
        struct stat st;
        if (is_temporary(x->d_name) &&
            fstatat(dirfd(d), x->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
            st.st_mtime < old)
            unlinkat(dirfd(d), x->d_name, 0);
    }
    closedir(d);
}

static int io_error(struct err *e, const char *path, const char *what)
{
    return err_set(e, ERR_IO, "%s: %s: %s", path, what,
                   errno ? strerror(errno) : "записано не всё");
}

/* Writes buf to path through a temporary of its own (the file's comment):
 * 0 and the file's mtime, or ERR_IO with path untouched. */
static int write_file(const char *path, const unsigned char *buf, size_t len, int64_t *mtime_ns,
                      struct err *e)
{
    char tmp[PATH_MAX];
    const char *slash = strrchr(path, '/');
    int dirlen = slash ? (int)(slash - path + 1) : 0;
    if (snprintf(tmp, sizeof tmp, "%.*s.%s.XXXXXX", dirlen, path, path + dirlen) >= (int)sizeof tmp)
        return err_set(e, ERR_IO, "%s: путь слишком длинный", path);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return io_error(e, path, "временный файл");
    int rc = 0;
    for (size_t off = 0; !rc && off < len;) {
        errno = 0;
        ssize_t n = write(fd, buf + off, len - off);
        if (n > 0)
            off += (size_t)n;
        else if (n < 0 && errno == EINTR)
            continue;
        else
            rc = io_error(e, path, "запись");
    }
    struct stat st = {0};
    if (!rc && (fchmod(fd, 0644) || fsync(fd) || fstat(fd, &st)))
        rc = io_error(e, path, "запись на диск");
    if (close(fd) && !rc)
        rc = io_error(e, path, "запись на диск");
    if (!rc && rename(tmp, path))
        rc = io_error(e, path, "переименование");
    if (rc) {
        unlink(tmp);
        return rc;
    }
    *mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    return 0;
}

/* Saves p in memory and writes it to path: its size and mtime. */
static int write_pdf(struct pdf_doc *p, const char *path, int64_t *bytes, int64_t *mtime_ns,
                     struct err *e)
{
    struct arena *a = arena_new();
    unsigned char *buf;
    size_t len;
    int rc = a ? pdf_save_mem(p, a, &buf, &len, e) : err_set(e, ERR_NOMEM, "out of memory");
    if (!rc)
        rc = write_file(path, buf, len, mtime_ns, e);
    if (!rc)
        *bytes = (int64_t)len;
    arena_free(a);
    return rc;
}

/* Whether the file of a manifest row is still there as written. */
static bool still_there(const char *path, const struct manifest_row *m)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == m->bytes &&
           (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec == m->mtime_ns;
}

/* Whether the file is kept: its row has this digest and it is still there. */
static bool kept(const struct batch *b, const char *name, const char *path, const char *digest)
{
    const struct manifest_row *m = manifest_find(b->mf, name);
    return m && strcmp(m->digest, digest) == 0 && still_there(path, m);
}

/* ---- digests and reports ---- */

static void digest_init(crypto_hash_sha256_state *h)
{
    crypto_hash_sha256_init(h);
    crypto_hash_sha256_update(h, (const unsigned char *)RENDER_FORMAT, strlen(RENDER_FORMAT));
}

static void digest_add(crypto_hash_sha256_state *h, const char *json)
{
    crypto_hash_sha256_update(h, (const unsigned char *)json, strlen(json));
    crypto_hash_sha256_update(h, (const unsigned char *)"\n", 1);
}

static void digest_end(crypto_hash_sha256_state *h, char out[65])
{
    unsigned char bin[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(h, bin);
    sodium_bin2hex(out, 65, bin, sizeof bin);
}

static int doc_error(struct err *e, const struct paydoc *d)
{
    char msg[sizeof e->msg];
    snprintf(msg, sizeof msg, "%s", e->msg);
    return err_set(e, e->code ? e->code : ERR_INVALID, "лицевой счёт %lld%s%s%s: %s",
                   (long long)d->account_id, d->els ? " (ЕЛС " : "", d->els ? d->els : "",
                   d->els ? ")" : "", msg);
}

/* A file written, to record (kind 'b' batch, 's' single). */
struct written {
    char kind;
    const char *name, *label, *digest;
    int64_t documents, pages, bytes, mtime_ns;
};

static int add_row(struct done *dn, const struct batch *b, const struct written *w, struct err *e)
{
    struct manifest_row *more = realloc(dn->rows, sizeof *more * (size_t)(dn->nrows + 1));
    if (!more)
        return err_set(e, ERR_NOMEM, "out of memory");
    dn->rows = more;
    struct manifest_row *m = &dn->rows[dn->nrows];
    *m = (struct manifest_row){.org_id = b->org_id,
                               .region_id = b->region_id,
                               .kind = w->kind,
                               .name = strdup(w->name),
                               .label = w->label ? strdup(w->label) : NULL,
                               .documents = w->documents,
                               .pages = w->pages,
                               .bytes = w->bytes,
                               .mtime_ns = w->mtime_ns};
    snprintf(m->digest, sizeof m->digest, "%s", w->digest);
    if (!m->name || (w->label && !m->label)) {
        free(m->name);
        free(m->label);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    dn->nrows++;
    return 0;
}

/* ---- drawing ---- */

/* One document drawn alone into its file. */
static int render_single(struct render_queue *j, const struct batch *b, const struct paydoc *d,
                         const char *json, struct done *dn, struct err *e)
{
    char name[256], path[PATH_MAX], digest[65];
    snprintf(name, sizeof name, "%s/single/%lld/%lld.pdf", j->period, (long long)b->org_id,
             (long long)d->account_id);
    snprintf(path, sizeof path, "%s/%s", j->q->out_dir, name);
    crypto_hash_sha256_state h;
    digest_init(&h);
    digest_add(&h, json);
    digest_end(&h, digest);
    if (kept(b, name, path, digest)) {
        dn->singles_kept++;
        return 0;
    }
    struct pdf_doc *p = NULL;
    int pages = 0;
    /* The label a person finds the file by: the account's number and ЕЛС. */
    char label[160];
    if (d->els)
        snprintf(label, sizeof label, "ЛС %s, ЕЛС %s", d->account_number ? d->account_number : "—",
                 d->els);
    else
        snprintf(label, sizeof label, "ЛС %s", d->account_number ? d->account_number : "—");
    struct written w = {
        .kind = 's', .name = name, .label = label, .digest = digest, .documents = 1};
    int rc = pdf_open(&p, e);
    if (!rc && (rc = paydoc_pdf_add(p, d, &pages, e)))
        doc_error(e, d);
    if (!rc)
        rc = write_pdf(p, path, &w.bytes, &w.mtime_ns, e);
    pdf_free(p);
    w.pages = pages;
    if (!rc)
        rc = add_row(dn, b, &w, e);
    if (!rc) {
        dn->singles_written++;
        dn->bytes += w.bytes;
        if (!j->q->batches)
            dn->pages += pages;
    }
    return rc;
}

/* The batch's documents drawn into one file. */
static int draw_batch(struct render_queue *j, const struct batch *b, const char *name,
                      const char *path, const char *digest, struct done *dn, struct err *e)
{
    struct pdf_doc *p = NULL;
    struct written w = {
        .kind = 'b', .name = name, .label = b->label, .digest = digest, .documents = b->ndocs};
    int rc = pdf_open(&p, e);
    for (int i = 0; !rc && i < b->ndocs; i++) {
        int n = 0;
        if ((rc = paydoc_pdf_add(p, &b->docs[i], &n, e)))
            doc_error(e, &b->docs[i]);
        w.pages += n;
        /* An operator's cancel or another renderer's failure stops a long
         * street between documents. */
        if (!rc && i % 64 == 63 && atomic_load(&j->failing))
            rc = err_set(e, ERR_CONFLICT, "печать прервана");
    }
    if (!rc)
        rc = write_pdf(p, path, &w.bytes, &w.mtime_ns, e);
    pdf_free(p);
    if (!rc)
        rc = add_row(dn, b, &w, e);
    if (!rc) {
        dn->batches_written++;
        dn->bytes += w.bytes;
        dn->pages += w.pages;
    }
    return rc;
}

/* The documents' JSON forms (the caller frees each and the array) and
 * their digest, the batch file's. */
static int forms(const struct batch *b, char ***out, char digest[65], struct err *e)
{
    char **json = calloc((size_t)(b->ndocs ? b->ndocs : 1), sizeof *json);
    int rc = json ? 0 : err_set(e, ERR_NOMEM, "out of memory");
    crypto_hash_sha256_state h;
    digest_init(&h);
    for (int i = 0; !rc && i < b->ndocs; i++) {
        json_t *o = NULL;
        if ((rc = paydoc_json_form(&b->docs[i], false, &o, e))) {
            doc_error(e, &b->docs[i]);
            break;
        }
        json[i] = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(o);
        if (!json[i])
            rc = err_set(e, ERR_NOMEM, "out of memory");
        else
            digest_add(&h, json[i]);
    }
    digest_end(&h, digest);
    *out = json;
    return rc;
}

int render_batch(struct render_queue *j, const struct batch *b, struct done *dn, struct err *e)
{
    const struct paydoc_render_req *q = j->q;
    char **json = NULL, digest[65];
    int rc = forms(b, &json, digest, e);
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
        if (kept(b, name, path, digest))
            dn->batches_kept++;
        else
            rc = draw_batch(j, b, name, path, digest, dn, e);
    }
    for (int i = 0; !rc && q->singles && i < b->ndocs; i++)
        rc = render_single(j, b, &b->docs[i], json[i], dn, e);
    for (int i = 0; json && i < b->ndocs; i++)
        free(json[i]);
    free(json);
    return rc;
}
