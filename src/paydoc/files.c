/* files.c — the rendered files as the staff reach them (docs/paydoc.md
 * "Files in the browser and over the API"): scoped reads of the manifest
 * (paydoc_files, migration 0007) and opening a file under the documents
 * directory without ever leaving it.
 *
 * Scope as the billing runs' (statements.c RUN_SCOPE), bound as $1..$4
 * (reg_scope_bind): the region, the organization's municipality (an
 * operator sees the files of the organizations based in the territory), the
 * organization, and no resident. */
#include "paydoc/paydoc.h"

#include "base/date.h"
#include "registry/registry.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_SCOPE                                                                                 \
    "(f.region_id = $1 OR $1 = 0) AND (CAST($2 AS BIGINT) = 0 OR o.municipality_id = $2)"          \
    " AND (CAST($3 AS BIGINT) = 0 OR f.org_id = $3) AND CAST($4 AS BIGINT) = 0"

#define FILE_COLS                                                                                  \
    "f.id, f.region_id, f.org_id, coalesce(o.short_name, o.name), f.period, f.kind, f.name,"       \
    " f.label, f.documents, f.pages, f.bytes, f.rendered_at"

#define FILE_FROM " FROM paydoc_files f JOIN organizations o ON o.id = f.org_id WHERE "

/* $5 organization, $6 period, $7 kind, $8 the label pattern, $9 the
 * pattern of the name's last segment (the street's key, a single's account
 * id: not the period or organization in front of it); $8 NULL: no search. */
#define FILE_FILTER                                                                                \
    FILE_SCOPE " AND (CAST($5 AS BIGINT) = 0 OR f.org_id = $5)"                                    \
               " AND (CAST($6 AS TEXT) IS NULL OR f.period = $6)"                                  \
               " AND (CAST($7 AS TEXT) IS NULL OR f.kind = $7)"                                    \
               " AND (CAST($8 AS TEXT) IS NULL OR f.label LIKE $8 ESCAPE '\\'"                     \
               " OR f.name LIKE f.period || '/%/' || CAST(f.org_id AS TEXT) || '/'"                \
               " || CAST($9 AS TEXT) ESCAPE '\\')"

static void read_file(struct store_rows *r, struct arena *a, struct paydoc_file *x)
{
    *x = (struct paydoc_file){.id = store_int(r, 0),
                              .region_id = store_int(r, 1),
                              .org_id = store_int(r, 2),
                              .org_name = store_dup(r, 3, a),
                              .period = store_dup(r, 4, a),
                              .kind = store_dup(r, 5, a),
                              .name = store_dup(r, 6, a),
                              .label = store_dup(r, 7, a),
                              .documents = store_int(r, 8),
                              .pages = store_int(r, 9),
                              .bytes = store_int(r, 10),
                              .rendered_at = store_int(r, 11)};
}

/* The two patterns of a search: q as written in the label (LIKE is
 * case-sensitive for Cyrillic on both backends, so «Ленина» finds «ул.
 * Ленина»), and q's street key in the file name, which is the street's key
 * («ленина», «ЛЕНИНА», «Lenina» → "lenina"). A q without letters or digits
 * has no key: the label pattern alone (twice). */
static int search_patterns(const char *q, struct arena *a, const char **label, const char **name,
                           struct err *e)
{
    *label = *name = NULL;
    if (!q || !*q)
        return 0;
    size_t n = strlen(q);
    char *esc = arena_alloc(a, 2 * n + 3), *o = esc;
    if (!esc)
        return err_set(e, ERR_NOMEM, "out of memory");
    *o++ = '%';
    for (const char *p = q; *p; p++) {
        if (*p == '%' || *p == '_' || *p == '\\')
            *o++ = '\\';
        *o++ = *p;
    }
    *o++ = '%';
    *o = '\0';
    *label = *name = esc;
    bool word = false;
    for (const char *p = q; *p && !word; p++)
        word = (unsigned char)*p >= 0x80 || (*p >= '0' && *p <= '9') ||
               ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z');
    char key[96];
    paydoc_street_key(q, key, sizeof key);
    if (word && strcmp(key, "no-street") != 0) {
        /* The key is [a-z0-9-]: nothing to escape. */
        if (!(*name = arena_printf(a, "%%%s%%", key)))
            return err_set(e, ERR_NOMEM, "out of memory");
    }
    return 0;
}

int paydoc_file_list(struct store_conn *c, const struct store_scope *s,
                     const struct paydoc_file_filter *f, struct page pg, struct arena *a,
                     struct paydoc_file **items, int64_t *count, int64_t *total, struct err *e)
{
    if (store_scope_check(s, e))
        return e->code;
    const char *label = NULL, *name = NULL;
    int rc = search_patterns(f->q, a, &label, &name, e);
    if (rc)
        return rc;
    struct store_val p[11];
    reg_scope_bind(s, p);
    p[4] = SV_I(f->org_id);
    p[5] = SV_T(f->period);
    p[6] = SV_T(f->kind);
    p[7] = SV_T(label);
    p[8] = SV_T(name);
    p[9] = SV_I(pg.per_page);
    p[10] = SV_I((pg.page - 1) * pg.per_page);
    if ((rc = store_query_int(c, "SELECT count(*)" FILE_FROM FILE_FILTER, p, 9, total, e)))
        return rc;
    *count = 0;
    *items = arena_alloc(a, sizeof **items * (size_t)(pg.per_page > 0 ? pg.per_page : 1));
    if (!*items)
        return err_set(e, ERR_NOMEM, "out of memory");
    struct store_rows *r;
    /* Batches first ('batch' < 'single'), then by name with numbers by
     * value: M2- before M10-, 9.pdf before 10.pdf. */
    if ((rc = store_query(c,
                          "SELECT " FILE_COLS FILE_FROM FILE_FILTER
                          " ORDER BY f.kind, f.name COLLATE ru_natural, f.id LIMIT $10 OFFSET $11",
                          p, 11, &r, e)))
        return rc;
    while (store_next(r) && *count < pg.per_page)
        read_file(r, a, &(*items)[(*count)++]);
    store_rows_free(r);
    return 0;
}

int paydoc_file_get(struct store_conn *c, const struct store_scope *s, int64_t id, struct arena *a,
                    struct paydoc_file *out, struct err *e)
{
    if (store_scope_check(s, e))
        return e->code;
    struct store_val p[5];
    reg_scope_bind(s, p);
    p[4] = SV_I(id);
    struct store_rows *r;
    int rc = store_query(c, "SELECT " FILE_COLS FILE_FROM "f.id = $5 AND " FILE_SCOPE, p, 5, &r, e);
    if (rc)
        return rc;
    bool found = store_next(r);
    if (found)
        read_file(r, a, out);
    store_rows_free(r);
    return found ? 0 : err_set(e, ERR_NOTFOUND, "файл документов не найден");
}

bool paydoc_file_name_safe(const char *name)
{
    if (!name || !*name || name[0] == '/' || strstr(name, ".."))
        return false;
    const char *seg = name;
    for (const char *p = name;; p++) {
        if (*p == '/' || *p == '\0') {
            size_t len = (size_t)(p - seg);
            if (len == 0 || (len == 1 && seg[0] == '.'))
                return false;
            if (!*p)
                return true;
            seg = p + 1;
        } else if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\') {
            return false;
        }
    }
}

int paydoc_file_open(const char *dir, const struct paydoc_file *f, int *fd, int64_t *size,
                     struct err *e)
{
    *fd = -1;
    *size = 0;
    if (!paydoc_file_name_safe(f->name))
        return err_set(e, ERR_IO, "paydoc_files %lld: name '%s' leaves the documents directory",
                       (long long)f->id, f->name ? f->name : "");
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", dir, f->name) >= (int)sizeof path)
        return err_set(e, ERR_IO, "paydoc_files %lld: path too long", (long long)f->id);
    /* O_NOFOLLOW: the file itself is never a link to somewhere else. */
    int d = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (d < 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            char when[PERIOD_NAME_SIZE] = "";
            int per;
            if (f->period && date_period_parse(f->period, &per, NULL) == 0)
                date_period_name_ru(per, when);
            return err_set(e, ERR_NOTFOUND,
                           "файла %s больше нет на диске; сформируйте документы за %s заново",
                           f->name, when[0] ? when : "этот период");
        }
        return err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
    }
    struct stat st;
    if (fstat(d, &st) || !S_ISREG(st.st_mode)) {
        int rc = err_set(e, ERR_IO, "%s: not a regular file", path);
        close(d);
        return rc;
    }
    *fd = d;
    *size = (int64_t)st.st_size;
    return 0;
}
