/* import.c — the registry's file imports (import.h, docs/registry.md
 * "Files"): the driver reg_import_run and what every step shares — the
 * import's state (struct imp in import_impl.h), error collection, the header
 * row, the scope check, cached lookups and the hash table. Three steps per
 * file:
 *
 *  1. read: every row is checked field by field into a compact struct (the
 *     premises extract grouped by house and premises as it is read, so the
 *     rules that span rows are checked on the row that breaks them);
 *     import_houses.c, import_premises.c, with the values of import_values.c;
 *  2. decide: with errors and without skip_invalid, stop (ERR_INVALID);
 *  3. write, house by house, only what differs from the database: the
 *     house's stored premises, rights and encumbrances are loaded once into
 *     hash tables; new rows go out in batches (import_write.c,
 *     import_batch.c).
 *
 * Memory: the rows of the file (about 400 bytes each with their strings and
 * tables: ~420 MiB for 1,000,000 rows) and, while one house is written, that
 * house's stored rows. Nothing here is shared: one import per connection. */
#include "registry/import_impl.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ hashing */

uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 0x100000001b3ull; /* FNV-1a */
    return h;
}

uint64_t hash_str(uint64_t h, const char *s)
{
    return hash_bytes(h, s, strlen(s) + 1);
}

void ht_clear(struct htab *t)
{
    if (t->e)
        memset(t->e, 0, sizeof *t->e * t->cap);
    t->n = 0;
}

void ht_free(struct htab *t)
{
    free(t->e);
    memset(t, 0, sizeof *t);
}

int ht_put(struct htab *t, uint64_t h, void *v)
{
    if ((t->n + 1) * 2 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        struct hent *e = calloc(cap, sizeof *e);
        if (!e)
            return ERR_NOMEM;
        for (size_t i = 0; i < t->cap; i++)
            if (t->e[i].v) {
                size_t j = t->e[i].h & (cap - 1);
                while (e[j].v)
                    j = (j + 1) & (cap - 1);
                e[j] = t->e[i];
            }
        free(t->e);
        t->e = e;
        t->cap = cap;
    }
    size_t j = h & (t->cap - 1);
    while (t->e[j].v)
        j = (j + 1) & (t->cap - 1);
    t->e[j] = (struct hent){h, v};
    t->n++;
    return 0;
}

void *ht_find(const struct htab *t, uint64_t h, bool (*eq)(const void *v, const void *key),
              const void *key)
{
    if (!t->cap)
        return NULL;
    for (size_t j = h & (t->cap - 1); t->e[j].v; j = (j + 1) & (t->cap - 1))
        if (t->e[j].h == h && eq(t->e[j].v, key))
            return t->e[j].v;
    return NULL;
}

/* ------------------------------------------------------------------ context */

/* Records an error at the current row's line and column col (a column id, or
 * -1 for the whole row); marks the row bad. */
int add_error_at(struct imp *m, long line, int field, const char *fmt, ...)
{
    if (m->nerr == m->caperr) {
        size_t cap = m->caperr ? m->caperr * 2 : 64;
        struct error_item *p = realloc(m->errors, sizeof *p * cap);
        if (!p)
            return err_set(m->e, ERR_NOMEM, "out of memory");
        m->errors = p;
        m->caperr = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vprintf(m->a, fmt, ap);
    va_end(ap);
    if (!msg)
        return err_set(m->e, ERR_NOMEM, "out of memory");
    m->errors[m->nerr] = (struct error_item){line, field, (int64_t)m->nerr, msg};
    m->nerr++;
    m->row_bad = true;
    return 0;
}

/* The field number (from 1) of column id col in the current file, 0 if absent. */
int field_no(const struct imp *m, int col)
{
    return col >= 0 && m->colmap[col] >= 0 ? m->colmap[col] + 1 : 0;
}

/* ------------------------------------------------------------------ header */

/* Maps the header's fields to column ids. Every problem is an error at line 1. */
static int read_header(struct imp *m, const struct csv_record *rec, const struct column *cols,
                       int ncols)
{
    m->ncols = ncols;
    m->header_n = rec->n;
    m->colmap = arena_alloc(m->a, sizeof *m->colmap * (size_t)ncols);
    m->val = arena_alloc(m->a, sizeof *m->val * (size_t)ncols);
    if (!m->colmap || !m->val)
        return err_set(m->e, ERR_NOMEM, "out of memory");
    for (int k = 0; k < ncols; k++)
        m->colmap[k] = -1;
    int rc = 0;
    for (int i = 0; i < rec->n && rc == 0; i++) {
        char name[256];
        fold(trim(rec->field[i]), name, sizeof name, true);
        int k = 0;
        while (k < ncols && strcmp(cols[k].name, name) != 0)
            k++;
        if (!name[0])
            rc = add_error_at(m, rec->line, i + 1, "пустое имя столбца");
        else if (k == ncols)
            rc = add_error_at(m, rec->line, i + 1, "неизвестный столбец «%s»", rec->field[i]);
        else if (m->colmap[k] >= 0)
            rc = add_error_at(m, rec->line, i + 1, "столбец «%s» повторяется (он же столбец %d)",
                              rec->field[i], m->colmap[k] + 1);
        else
            m->colmap[k] = i;
    }
    for (int k = 0; k < ncols && rc == 0; k++)
        if (cols[k].required && m->colmap[k] < 0)
            rc = add_error_at(m, rec->line, 1, "нет обязательного столбца «%s»", cols[k].name);
    return rc;
}

/* Fills m->val for a data row; an error if it has more fields than the
 * header (fewer are taken as empty: spreadsheets drop trailing ones). */
int read_values(struct imp *m, const struct csv_record *rec)
{
    m->line = rec->line;
    m->row_bad = false;
    for (int k = 0; k < m->ncols; k++)
        m->val[k] =
            m->colmap[k] >= 0 && m->colmap[k] < rec->n ? trim(rec->field[m->colmap[k]]) : "";
    if (rec->n > m->header_n) {
        for (int i = m->header_n; i < rec->n; i++)
            if (*trim(rec->field[i]))
                return add_error_at(m, m->line, i + 1,
                                    "в строке %d полей, а в заголовке %d: лишнее поле «%s»", rec->n,
                                    m->header_n, rec->field[i]);
    }
    return 0;
}

/* The csv error as a file error at its place. */
int csv_failed(struct imp *m, int rc)
{
    if (rc != ERR_INVALID)
        return rc;
    long line;
    int col;
    csv_error_pos(m->csv, &line, &col);
    return add_error_at(m, line, col, "%s", m->e->msg);
}

void progress(struct imp *m, const char *phase, int64_t done, int64_t total)
{
    if (m->o->progress)
        m->o->progress(m->o->progress_ctx, phase, done, total);
}

/* ------------------------------------------------------------------ scope */

/* The one place that decides which houses an import may touch: by the
 * house's region, municipality and managing organization (for a new house:
 * those the file gives it). The CLI imports as the installation
 * (SCOPE_SYSTEM): everything. An organization may only load data into houses
 * it manages, as in reg_house_create/update. */
bool may_touch(const struct store_scope *s, int64_t region, int64_t mun, int64_t org)
{
    switch (s->kind) {
    case SCOPE_SYSTEM:
    case SCOPE_ADMIN: return true;
    case SCOPE_REGION: return region == s->region_id;
    case SCOPE_MUNICIPALITY: return mun == s->municipality_id;
    case SCOPE_ORG: return org != 0 && org == s->org_id;
    default: return false;
    }
}

/* ------------------------------------------------------------------ lookups */

struct found_key {
    char kind;
    const char *key;
};

static bool found_eq(const void *v, const void *key)
{
    const struct found *f = v;
    const struct found_key *k = key;
    return f->kind == k->kind && strcmp(f->key, k->key) == 0;
}

static uint64_t found_hash(char kind, const char *key)
{
    return hash_str(hash_bytes(HASH_SEED, &kind, 1), key);
}

/* The cached entry for (kind, key), or a new one (id 0) with *fresh set. */
struct found *cache_get(struct imp *m, char kind, const char *key, bool *fresh)
{
    struct found_key k = {kind, key};
    uint64_t h = found_hash(kind, key);
    struct found *f = ht_find(&m->cache, h, found_eq, &k);
    *fresh = !f;
    if (f)
        return f;
    if (!(f = arena_alloc(m->a, sizeof *f)) || !(f->key = arena_strdup(m->a, key)) ||
        ht_put(&m->cache, h, f)) {
        err_set(m->e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    f->kind = kind;
    return f;
}

int lookup_municipality(struct imp *m, const char *oktmo, struct found **out)
{
    bool fresh;
    struct found *f = cache_get(m, 'm', oktmo, &fresh);
    if (!f)
        return ERR_NOMEM;
    *out = f;
    if (!fresh)
        return 0;
    struct store_rows *r = NULL;
    int rc = store_query(m->c, "SELECT id, region_id FROM municipalities WHERE oktmo = $1",
                         (struct store_val[]){SV_T(oktmo)}, 1, &r, m->e);
    if (rc)
        return rc;
    if (store_next(r)) {
        f->id = store_int(r, 0);
        f->region_id = store_int(r, 1);
        f->municipality_id = f->id;
    }
    store_rows_free(r);
    return 0;
}

int lookup_org(struct imp *m, const char *inn, struct found **out)
{
    bool fresh;
    struct found *f = cache_get(m, 'o', inn, &fresh);
    if (!f)
        return ERR_NOMEM;
    *out = f;
    if (!fresh)
        return 0;
    /* ИНН is shared by an organization's branches (they differ by КПП):
     * prefer a managing organization, then the oldest. */
    int rc = store_query_int(m->c,
                             "SELECT id FROM organizations WHERE inn = $1"
                             " ORDER BY CASE WHEN kind = 'uo' THEN 0 ELSE 1 END, id LIMIT 1",
                             (struct store_val[]){SV_T(inn)}, 1, &f->id, m->e);
    return rc == ERR_NOTFOUND ? 0 : rc;
}

/* Folds a FIAS GUID to lower case (GUIDs are case-insensitive). */
char *guid_lower(struct arena *a, const char *s)
{
    char *g = arena_strdup(a, s);
    for (char *p = g; p && *p; p++)
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p + 32);
    return g;
}

/* ------------------------------------------------------------------ the import */

int reg_import_run(struct store_conn *c, const struct reg_import_opts *o, struct arena *a,
                   struct reg_import_result *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    int rc = store_scope_check(o->scope, e);
    if (rc)
        return rc;
    struct date d;
    if (o->kind == REG_IMPORT_PREMISES && (!o->date || date_parse(o->date, &d, NULL) != 0))
        return err_field(e, ERR_INVALID, "date", "дата выписки: ожидается ГГГГ-ММ-ДД, а не «%s»",
                         o->date ? o->date : "");
    const char *base = strrchr(o->path, '/');
    struct imp m = {.c = c,
                    .o = o,
                    .a = a,
                    .res = out,
                    .e = e,
                    .source = o->source ? o->source
                              : base    ? base + 1
                                        : o->path,
                    .now = store_now()};
    if ((rc = csv_open(o->path, NULL, &m.csv, e)) != 0) {
        if (rc == ERR_INVALID)
            rc = add_error_at(&m, 0, 0, "%s", e->msg) ? rc : ERR_INVALID;
    } else {
        out->encoding = csv_encoding_name(csv_encoding(m.csv));
        out->separator = csv_separator(m.csv);
        struct csv_record rec;
        rc = csv_next(m.csv, &rec, e);
        if (rc == 0)
            rc = add_error_at(&m, 1, 0, "файл пуст: нет строки заголовка") ? rc : ERR_INVALID;
        else if (rc < 0)
            rc = csv_failed(&m, rc) ? rc : ERR_INVALID;
        else if (o->kind == REG_IMPORT_HOUSES)
            rc = read_header(&m, &rec, house_columns, H_NCOLS);
        else
            rc = read_header(&m, &rec, premises_columns, P_NCOLS);
        if (rc == 0 && m.nerr)
            rc = ERR_INVALID; /* a bad header: the rows cannot be read */
        else if (rc == 0)
            rc = o->kind == REG_IMPORT_HOUSES ? import_houses(&m) : import_premises(&m);
    }
    csv_close(m.csv);
    ht_free(&m.cache);

    /* The first max_errors errors by place, all of them counted. */
    if (m.nerr)
        qsort(m.errors, m.nerr, sizeof *m.errors, cmp_errors);
    int cap = o->max_errors > 0 ? o->max_errors : REG_IMPORT_MAX_ERRORS;
    out->error_count = (int64_t)m.nerr;
    out->nerrors = m.nerr < (size_t)cap ? (int)m.nerr : cap;
    out->errors = arena_alloc(a, sizeof *out->errors * (size_t)(out->nerrors + 1));
    for (int i = 0; out->errors && i < out->nerrors; i++)
        out->errors[i] =
            (struct reg_import_error){m.errors[i].line, m.errors[i].col, m.errors[i].msg};
    free(m.errors);
    if (!out->errors && rc == 0)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    if (rc == ERR_INVALID && m.nerr)
        err_set(e, ERR_INVALID, "%s: ошибок в файле: %lld", o->path, (long long)m.nerr);
    return rc;
}
