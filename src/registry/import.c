/* import.c — the registry's file imports (import.h, docs/registry.md
 * "Files"). Three steps per file:
 *
 *  1. read: every row is checked field by field into a compact struct (the
 *     premises extract grouped by house and premises as it is read, so the
 *     rules that span rows are checked on the row that breaks them);
 *  2. decide: with errors and without skip_invalid, stop (ERR_INVALID);
 *  3. write, house by house, only what differs from the database: the
 *     house's stored premises, rights and encumbrances are loaded once into
 *     hash tables; new rows go out in batches (see "batches").
 *
 * Memory: the rows of the file (about 400 bytes each with their strings and
 * tables: ~420 MiB for 1,000,000 rows) and, while one house is written, that
 * house's stored rows. Nothing here is shared: one import per connection. */
#include "registry/import.h"

#include "base/csv.h"
#include "base/date.h"
#include "base/ident.h"
#include "base/money.h"
#include "base/text.h"

#include <assert.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__extension__ typedef __int128 i128;

#define NONE INT64_MIN       /* a number the file does not give */
#define AREA_MAX 10000000000 /* 10^8 m² in hundredths: no building is larger */
#define PROGRESS_ROWS 65536  /* rows between progress calls while reading */
#define BATCH_ROWS 2048      /* rows collected before the batches are sent */
#define BATCH_LITE 128       /* rows per SQLite INSERT statement */

/* ------------------------------------------------------------------ hashing */

/* An open-addressing table of pointers by 64-bit hash. Equality is the
 * caller's: ht_find walks the entries with the same hash through eq. */
struct htab {
    size_t cap, n; /* cap is a power of two, n < cap / 2 */
    struct hent {
        uint64_t h;
        void *v; /* NULL: empty */
    } * e;
};

static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 0x100000001b3ull; /* FNV-1a */
    return h;
}

static uint64_t hash_str(uint64_t h, const char *s)
{
    return hash_bytes(h, s, strlen(s) + 1);
}

#define HASH_SEED 0xcbf29ce484222325ull

static void ht_clear(struct htab *t)
{
    if (t->e)
        memset(t->e, 0, sizeof *t->e * t->cap);
    t->n = 0;
}

static void ht_free(struct htab *t)
{
    free(t->e);
    memset(t, 0, sizeof *t);
}

static int ht_put(struct htab *t, uint64_t h, void *v)
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

static void *ht_find(const struct htab *t, uint64_t h, bool (*eq)(const void *v, const void *key),
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

struct error_item {
    long line;
    int col;
    int64_t seq; /* order of discovery, for a stable sort */
    const char *msg;
};

struct imp {
    struct store_conn *c;
    const struct reg_import_opts *o;
    struct arena *a; /* the caller's: rows, messages, the result */
    struct reg_import_result *res;
    struct err *e;
    const char *source; /* registry_changes.source */
    int64_t now;

    struct csv *csv;
    int *colmap;      /* column id → field index in the record, -1 absent */
    const char **val; /* column id → trimmed value of the current row ("" if none) */
    int ncols;        /* columns of this kind of file */
    int header_n;     /* fields in the header */
    long line;        /* line of the current row */
    bool row_bad;     /* the current row has an error */

    struct error_item *errors;
    size_t nerr, caperr;

    struct htab cache; /* municipalities by ОКТМО, organizations by ИНН, houses by key */
    char reg_date[DATE_STR_SIZE], enc_date[DATE_STR_SIZE]; /* the current row's dates */
};

/* Records an error at the current row's line and column col (a column id, or
 * -1 for the whole row); marks the row bad. */
static int add_error_at(struct imp *m, long line, int field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int add_error_at(struct imp *m, long line, int field, const char *fmt, ...)
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
static int field_no(const struct imp *m, int col)
{
    return col >= 0 && m->colmap[col] >= 0 ? m->colmap[col] + 1 : 0;
}

#define ROW_ERROR(m, col, ...) add_error_at((m), (m)->line, field_no((m), (col)), __VA_ARGS__)

/* ------------------------------------------------------------------ values */

/* Trims ASCII white space and U+00A0 around s, in place. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' ||
           ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xa0))
        s += *s == '\xc2' ? 2 : 1;
    size_t n = strlen(s);
    for (;;) {
        if (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
            n--;
        else if (n > 1 && (unsigned char)s[n - 2] == 0xc2 && (unsigned char)s[n - 1] == 0xa0)
            n -= 2;
        else
            break;
    }
    s[n] = '\0';
    return s;
}

/* Lower-cases Latin and Cyrillic letters (А-Я, Ё) of s into out; other
 * characters are copied. Enough for the fixed words of the files (column
 * names, МКД, ЮЛ, собственность …), without a trip through ICU per row.
 * Runs of spaces become one '_' when spaces_to_underscore. */
static void fold(const char *s, char *out, size_t size, bool spaces_to_underscore)
{
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && n + 3 < size) {
        if (*p >= 'A' && *p <= 'Z') {
            out[n++] = (char)(*p++ + 32);
        } else if (*p == ' ' && spaces_to_underscore) {
            while (*p == ' ')
                p++;
            out[n++] = '_';
        } else if (p[0] == 0xd0 && p[1] >= 0x90 && p[1] <= 0x9f) { /* А-П → а-п */
            out[n++] = (char)0xd0, out[n++] = (char)(p[1] + 0x20), p += 2;
        } else if (p[0] == 0xd0 && p[1] >= 0xa0 && p[1] <= 0xaf) { /* Р-Я → р-я */
            out[n++] = (char)0xd1, out[n++] = (char)(p[1] - 0x20), p += 2;
        } else if (p[0] == 0xd0 && p[1] == 0x81) { /* Ё → ё */
            out[n++] = (char)0xd1, out[n++] = (char)0x91, p += 2;
        } else {
            out[n++] = (char)*p++;
        }
    }
    out[n] = '\0';
}

/* Index of s in words (case-insensitive; words written with '_' for
 * spaces), or -1. */
static int word_index(const char *s, const char *const *words)
{
    char f[128];
    fold(s, f, sizeof f, true);
    for (int i = 0; words[i]; i++)
        if (strcmp(f, words[i]) == 0)
            return i;
    return -1;
}

/* A whole number in [min, max]; false on anything else. */
static bool parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    const char *p = s;
    bool neg = *p == '-';
    if (neg)
        p++;
    if (!*p)
        return false;
    int64_t v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || v > (INT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (*p - '0');
    }
    v = neg ? -v : v;
    if (v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* An area in m² with up to two decimals ("52,3", "1 204.50") into hundredths. */
static bool parse_area(const char *s, int64_t *out)
{
    int64_t v;
    if (money_parse(s, &v, NULL) != 0 || v < 0 || v > AREA_MAX)
        return false;
    *out = v;
    return true;
}

/* Degrees with up to six decimals into millionths, |value| <= limit. */
static bool parse_coord(const char *s, int64_t limit, int64_t *out)
{
    const char *p = s;
    bool neg = *p == '-';
    if (neg)
        p++;
    int64_t whole = 0, frac = 0;
    int nd = 0, nf = 0;
    for (; *p >= '0' && *p <= '9'; p++, nd++)
        if ((whole = whole * 10 + (*p - '0')) > 1000)
            return false;
    if (*p == '.' || *p == ',') {
        for (p++; *p >= '0' && *p <= '9'; p++) {
            if (++nf > 6)
                return false;
            frac = frac * 10 + (*p - '0');
        }
    }
    if (*p || nd == 0)
        return false;
    for (int i = nf; i < 6; i++)
        frac *= 10;
    int64_t v = whole * 1000000 + frac;
    if (v > limit * 1000000)
        return false;
    *out = neg ? -v : v;
    return true;
}

/* A date "YYYY-MM-DD" or "DD.MM.YYYY" into out as "YYYY-MM-DD". */
static bool parse_date(const char *s, char out[DATE_STR_SIZE])
{
    char iso[DATE_STR_SIZE];
    if (strlen(s) == 10 && s[2] == '.' && s[5] == '.') {
        snprintf(iso, sizeof iso, "%.4s-%.2s-%.2s", s + 6, s + 3, s);
        s = iso;
    }
    struct date d;
    if (date_parse(s, &d, NULL) != 0)
        return false;
    memcpy(out, s, DATE_STR_SIZE); /* date_parse takes exactly YYYY-MM-DD */
    return true;
}

/* A share "n/d" with 0 < n <= d <= 10^15 (a bare "1" is 1/1). */
static bool parse_share(const char *s, int64_t *num, int64_t *den)
{
    const char *slash = strchr(s, '/');
    char a[32];
    if (!slash)
        return strcmp(s, "1") == 0 && (*num = *den = 1);
    size_t n = (size_t)(slash - s);
    if (n == 0 || n >= sizeof a)
        return false;
    memcpy(a, s, n);
    a[n] = '\0';
    int64_t x, y;
    if (!parse_int(trim(a), 1, 1000000000000000, &x))
        return false;
    char b[32];
    snprintf(b, sizeof b, "%s", slash + 1);
    if (!parse_int(trim(b), 1, 1000000000000000, &y) || x > y)
        return false;
    *num = x;
    *den = y;
    return true;
}

static i128 gcd128(i128 a, i128 b)
{
    while (b) {
        i128 t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* sn/sd += n/d exactly, reduced. False if the sum no longer fits. */
static bool share_add(i128 *sn, i128 *sd, int64_t n, int64_t d)
{
    i128 a, b, den;
    if (__builtin_mul_overflow(*sn, (i128)d, &a) || __builtin_mul_overflow((i128)n, *sd, &b) ||
        __builtin_add_overflow(a, b, &a) || __builtin_mul_overflow(*sd, (i128)d, &den))
        return false;
    i128 g = gcd128(a, den);
    *sn = a / g;
    *sd = den / g;
    return true;
}

/* Text of a fraction held in 128 bits (for messages). */
static const char *share_text(struct arena *a, i128 n, i128 d)
{
    char buf[96], *p = buf + sizeof buf;
    *--p = '\0';
    for (int part = 0; part < 2; part++) {
        i128 v = part == 0 ? d : n;
        do {
            *--p = (char)('0' + (int)(v % 10));
            v /= 10;
        } while (v);
        if (part == 0)
            *--p = '/';
    }
    return arena_strdup(a, p);
}

/* Text a user can read: no control characters, at most max bytes. (The CSV
 * reader hands out valid UTF-8 only: the file was checked or converted.) */
static bool plain_text(const char *s, size_t max)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++, n++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return n <= max;
}

/* Equal texts, NULL equal to NULL only. */
static bool same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* ------------------------------------------------------------------ header */

struct column {
    const char *name; /* folded: lower case, '_' between words */
    bool required;
};

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
static int read_values(struct imp *m, const struct csv_record *rec)
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
static int csv_failed(struct imp *m, int rc)
{
    if (rc != ERR_INVALID)
        return rc;
    long line;
    int col;
    csv_error_pos(m->csv, &line, &col);
    return add_error_at(m, line, col, "%s", m->e->msg);
}

static void progress(struct imp *m, const char *phase, int64_t done, int64_t total)
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
static bool may_touch(const struct store_scope *s, int64_t region, int64_t mun, int64_t org)
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

/* A cached lookup result: municipality, organization or house by its key. */
struct found {
    char kind; /* 'm' municipality, 'o' organization, 'h' house */
    const char *key;
    int64_t id, region_id, municipality_id, org_id; /* id 0: not found */
    struct phouse *house;                           /* 'h': the premises file's house */
};

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
static struct found *cache_get(struct imp *m, char kind, const char *key, bool *fresh)
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

static int lookup_municipality(struct imp *m, const char *oktmo, struct found **out)
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

static int lookup_org(struct imp *m, const char *inn, struct found **out)
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
static char *guid_lower(struct arena *a, const char *s)
{
    char *g = arena_strdup(a, s);
    for (char *p = g; p && *p; p++)
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p + 32);
    return g;
}

/* ------------------------------------------------------------------ batches */

/* Rows written by one statement. Each statement costs a round trip on
 * PostgreSQL and, on SQLite, a fixed start and end (cursors on the table and
 * its indexes opened and closed, the statement reset): paid once per batch
 * instead of once per row.
 *
 * PostgreSQL: each column is collected as the text of an array literal, sent
 * as one parameter and expanded by unnest(). SQLite: the values themselves
 * are kept (texts borrowed: they must stay valid until the batch is sent) and
 * sent BATCH_LITE rows per INSERT … VALUES (…), (…). */
struct batch {
    int ncols;
    bool pg;
    int table;     /* SQLite: LS_* of the statement */
    char *buf[16]; /* PostgreSQL: array literal text per column, "{…" while open */
    size_t len[16], cap[16];
    struct store_val *vals; /* SQLite: n rows of ncols values */
    size_t cap_rows;
    int n; /* rows collected */
};

/* Appends one row of values to the batch. */
static int batch_add(struct batch *b, const struct store_val *v)
{
    if (!b->pg) {
        if ((size_t)b->n == b->cap_rows) {
            size_t cap = b->cap_rows ? b->cap_rows * 2 : BATCH_ROWS;
            struct store_val *p = realloc(b->vals, sizeof *p * cap * (size_t)b->ncols);
            if (!p)
                return ERR_NOMEM;
            b->vals = p;
            b->cap_rows = cap;
        }
        memcpy(b->vals + (size_t)b->n * (size_t)b->ncols, v, sizeof *v * (size_t)b->ncols);
        b->n++;
        return 0;
    }
    for (int k = 0; k < b->ncols; k++)
        if (store_array_append(&b->buf[k], &b->len[k], &b->cap[k], &v[k], b->n == 0))
            return ERR_NOMEM;
    b->n++;
    return 0;
}

/* The batch's columns as parameters, each array closed. */
static int batch_params(struct batch *b, struct store_val *p)
{
    for (int k = 0; k < b->ncols; k++) {
        if (store_array_close(&b->buf[k], &b->len[k], &b->cap[k]))
            return ERR_NOMEM;
        p[k] = SV_T(b->buf[k]);
    }
    return 0;
}

static void batch_reset(struct batch *b)
{
    for (int k = 0; k < b->ncols; k++)
        b->len[k] = 0;
    b->n = 0;
}

static void batch_free(struct batch *b)
{
    for (int k = 0; k < 16; k++)
        free(b->buf[k]);
    free(b->vals);
    memset(b, 0, sizeof *b);
}

/* SQLite's INSERT statements of the import, for one row and for BATCH_LITE
 * rows, built once (the store caches statements by the SQL's address, so
 * they live for the program). */
enum {
    LS_PREMISES,
    LS_RIGHTS,
    LS_ENCS,
    LS_CHANGES,
    LS_N
};
static const struct {
    const char *head;
    int ncols;
} lite_insert[LS_N] = {
    [LS_PREMISES] = {"INSERT INTO premises (id, house_id, region_id, municipality_id, number,"
                     " kind, area, cadastral_number, entrance, floor, created_at, updated_at)",
                     12},
    [LS_RIGHTS] = {"INSERT INTO rights (id, premises_id, house_id, region_id, municipality_id,"
                   " owner_kind, owner_name, owner_inn, right_type, share_num, share_den,"
                   " reg_number, reg_date, created_at)",
                   14},
    [LS_ENCS] = {"INSERT INTO encumbrances (right_id, kind, reg_number, reg_date)", 4},
    [LS_CHANGES] = {"INSERT INTO registry_changes (region_id, municipality_id, house_id,"
                    " premises_id, kind, old_value, new_value, changed_on, source, at)",
                    10},
};
static char lite_sql[LS_N][2][32768]; /* [table][0]: one row, [1]: BATCH_LITE rows */
static pthread_once_t lite_once = PTHREAD_ONCE_INIT;

static void build_lite_sql(void)
{
    for (int t = 0; t < LS_N; t++)
        for (int many = 0; many < 2; many++) {
            const char *head = lite_insert[t].head;
            int rc = store_values_sql(lite_sql[t][many], sizeof lite_sql[t][many], head,
                                      strlen(head), lite_insert[t].ncols, many ? BATCH_LITE : 1);
            assert(rc == 0); /* the sizes are fixed: a fit is an invariant */
            (void)rc;
        }
}

/* Sends a SQLite batch: BATCH_LITE rows a statement, the rest one by one. */
static int lite_send(struct imp *m, struct batch *b)
{
    pthread_once(&lite_once, build_lite_sql);
    int rc = 0, i = 0, nc = b->ncols;
    for (; rc == 0 && i + BATCH_LITE <= b->n; i += BATCH_LITE)
        rc = store_exec(m->c, lite_sql[b->table][1], b->vals + (size_t)i * (size_t)nc,
                        BATCH_LITE * nc, NULL, m->e);
    for (; rc == 0 && i < b->n; i++)
        rc = store_exec(m->c, lite_sql[b->table][0], b->vals + (size_t)i * (size_t)nc, nc, NULL,
                        m->e);
    b->n = 0;
    return rc;
}

/* ------------------------------------------------------------------ rejected rows */

/* A rejected row: its line, and the reason when the row itself has no error
 * (it went down with its premises). */
struct rejected {
    long line;
    const char *fallback;
};

static int cmp_rejected(const void *x, const void *y)
{
    const struct rejected *a = x, *b = y;
    return (a->line > b->line) - (a->line < b->line);
}

static int cmp_errors(const void *x, const void *y)
{
    const struct error_item *a = x, *b = y;
    if (a->line != b->line)
        return (a->line > b->line) - (a->line < b->line);
    if (a->col != b->col)
        return (a->col > b->col) - (a->col < b->col);
    return (a->seq > b->seq) - (a->seq < b->seq);
}

/* Writes s as the inside of a quoted CSV field: its quotes doubled. */
static void put_quoted(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
}

/* Writes one CSV field, quoted when it needs to be. */
static void put_field(FILE *f, const char *s, bool first)
{
    if (!first)
        fputc(';', f);
    if (!strpbrk(s, ";\"\r\n") && s[0] != ' ' && (!*s || s[strlen(s) - 1] != ' ')) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    put_quoted(f, s);
    fputc('"', f);
}

/* Writes PATH.rejected.csv: the header plus a column «причина», then every
 * rejected row as it was in the file (UTF-8 with a byte order mark, for
 * spreadsheets, separator ';'), with its reasons. Errors must be sorted. */
static int write_rejected(struct imp *m, struct rejected *rej, size_t n)
{
    qsort(rej, n, sizeof *rej, cmp_rejected);
    const char *path = arena_printf(m->a, "%s.rejected.csv", m->o->path);
    struct csv *r = NULL;
    FILE *f = path ? fopen(path, "w") : NULL;
    int rc = f ? csv_open(m->o->path, NULL, &r, m->e) : ERR_IO;
    if (!f)
        err_set(m->e, ERR_IO, "%s: не удалось создать файл", path ? path : m->o->path);
    struct csv_record rec;
    size_t i = 0, k = 0;
    bool header = true;
    while (rc == 0 && (rc = csv_next(r, &rec, m->e)) == 1) {
        rc = 0;
        if (header) {
            fputs("\xef\xbb\xbf", f);
            for (int j = 0; j < rec.n; j++)
                put_field(f, rec.field[j], j == 0);
            put_field(f, "причина", false);
            fputc('\n', f);
            header = false;
            continue;
        }
        while (i < n && rej[i].line < rec.line)
            i++;
        if (i == n)
            break;
        if (rej[i].line != rec.line)
            continue;
        for (int j = 0; j < rec.n; j++)
            put_field(f, rec.field[j], j == 0);
        /* Reasons: this line's errors, with their columns. */
        while (k < m->nerr && m->errors[k].line < rec.line)
            k++;
        fputs(";\"", f);
        bool any = false;
        for (; k < m->nerr && m->errors[k].line == rec.line; k++, any = true) {
            fputs(any ? "; " : "", f);
            put_quoted(f, m->errors[k].msg);
            if (m->errors[k].col > 0)
                fprintf(f, " (столбец %d)", m->errors[k].col);
        }
        if (!any && rej[i].fallback)
            put_quoted(f, rej[i].fallback);
        fputs("\"\n", f);
    }
    csv_close(r);
    if (f && (fclose(f) != 0) && rc >= 0)
        rc = err_set(m->e, ERR_IO, "%s: ошибка записи", path);
    if (rc < 0)
        return rc;
    m->res->rejected_path = path;
    return 0;
}

/* ------------------------------------------------------------------ houses file */

enum hcol {
    H_ADDRESS,
    H_FIAS,
    H_CADASTRAL,
    H_OKTMO,
    H_KIND,
    H_ORG_INN,
    H_YEAR,
    H_FLOORS,
    H_ENTRANCES,
    H_NONRES_COUNT,
    H_BALCONIES,
    H_LOGGIAS,
    H_WALL,
    H_TOTAL_AREA,
    H_RES_AREA,
    H_NONRES_AREA,
    H_COMMON_AREA,
    H_EMERGENCY,
    H_LAT,
    H_LON,
    H_NCOLS
};

static const struct column house_columns[H_NCOLS] = {
    [H_ADDRESS] = {"адрес", true},
    [H_FIAS] = {"фиас"},
    [H_CADASTRAL] = {"кадастровый_номер"},
    [H_OKTMO] = {"октмо", true},
    [H_KIND] = {"тип", true},
    [H_ORG_INN] = {"управляющая_организация_инн"},
    [H_YEAR] = {"год_постройки"},
    [H_FLOORS] = {"этажность"},
    [H_ENTRANCES] = {"подъезды"},
    [H_NONRES_COUNT] = {"число_нежилых"},
    [H_BALCONIES] = {"балконы"},
    [H_LOGGIAS] = {"лоджии"},
    [H_WALL] = {"материал_стен"},
    [H_TOTAL_AREA] = {"общая_площадь"},
    [H_RES_AREA] = {"жилая_площадь"},
    [H_NONRES_AREA] = {"нежилая_площадь"},
    [H_COMMON_AREA] = {"площадь_общего_имущества"},
    [H_EMERGENCY] = {"аварийный"},
    [H_LAT] = {"широта"},
    [H_LON] = {"долгота"},
};

/* A house's numbers, in the order of the SQL column lists below. */
enum hv {
    HV_YEAR,
    HV_FLOORS,
    HV_ENTRANCES,
    HV_NONRES_COUNT,
    HV_BALCONIES,
    HV_LOGGIAS,
    HV_TOTAL,
    HV_RES,
    HV_NONRES,
    HV_COMMON,
    HV_EMERGENCY,
    HV_LAT,
    HV_LON,
    HV_N
};

/* What the whole numbers may be, by column. */
static const struct {
    int col;
    int64_t min, max;
    const char *what;
} house_ints[] = {
    {H_YEAR, 1000, 2100, "год постройки"},      {H_FLOORS, 1, 300, "этажность"},
    {H_ENTRANCES, 0, 1000, "число подъездов"},  {H_NONRES_COUNT, 0, 100000, "число нежилых"},
    {H_BALCONIES, 0, 100000, "число балконов"}, {H_LOGGIAS, 0, 100000, "число лоджий"},
};
static const int house_areas[][2] = {{H_TOTAL_AREA, HV_TOTAL},
                                     {H_RES_AREA, HV_RES},
                                     {H_NONRES_AREA, HV_NONRES},
                                     {H_COMMON_AREA, HV_COMMON}};

/* A house as stored, or as the file gives it (NULL / NONE / 0: not given). */
struct hstate {
    int64_t id, region_id, municipality_id, org_id;
    const char *kind; /* mkd | izd */
    const char *address, *fias, *cadastral, *wall;
    int64_t v[HV_N];
};

struct hrow {
    struct hrow *next;
    long line;
    bool bad;
    struct hstate file; /* what the row says */
    struct hstate db;   /* the matched house (db.id 0: none) */
};

#define HOUSE_COLS                                                                                 \
    "region_id, municipality_id, org_id, kind, address, fias_guid, cadastral_number,"              \
    " wall_material, year_built, floors, entrances, nonresidential_count, balconies, loggias,"     \
    " total_area, residential_area, nonresidential_area, common_area, emergency, lat_e6, lon_e6"

static void read_house(struct store_rows *r, struct arena *a, struct hstate *h)
{
    h->id = store_int(r, 0);
    h->region_id = store_int(r, 1);
    h->municipality_id = store_int(r, 2);
    h->org_id = store_isnull(r, 3) ? 0 : store_int(r, 3);
    h->kind = store_dup(r, 4, a);
    h->address = store_dup(r, 5, a);
    h->fias = store_dup(r, 6, a);
    h->cadastral = store_dup(r, 7, a);
    h->wall = store_dup(r, 8, a);
    for (int k = 0; k < HV_N; k++)
        h->v[k] = store_isnull(r, 9 + k) ? NONE : store_int(r, 9 + k);
}

/* The stored house with this FIAS GUID or, failing that, cadastral number. */
static int find_house(struct imp *m, const struct hstate *f, struct hstate *out)
{
    struct store_rows *r = NULL;
    int rc;
    out->id = 0;
    if (f->fias) {
        if ((rc = store_query(m->c, "SELECT id, " HOUSE_COLS " FROM houses WHERE fias_guid = $1",
                              (struct store_val[]){SV_T(f->fias)}, 1, &r, m->e)))
            return rc;
        if (store_next(r))
            read_house(r, m->a, out);
        store_rows_free(r);
        if (out->id)
            return 0;
    }
    if (f->cadastral) {
        if ((rc = store_query(m->c,
                              "SELECT id, " HOUSE_COLS " FROM houses WHERE cadastral_number = $1"
                              " ORDER BY id LIMIT 1",
                              (struct store_val[]){SV_T(f->cadastral)}, 1, &r, m->e)))
            return rc;
        if (store_next(r))
            read_house(r, m->a, out);
        store_rows_free(r);
    }
    return 0;
}

struct seen_key {
    char kind; /* 'f' FIAS, 'c' cadastral number */
    const char *value;
};

struct seen {
    struct seen_key k;
    long line;
};

static bool seen_eq(const void *v, const void *key)
{
    const struct seen *s = v;
    const struct seen_key *k = key;
    return s->k.kind == k->kind && strcmp(s->k.value, k->value) == 0;
}

/* The line where this FIAS / cadastral number was first given, or 0 (then
 * records this line). */
static long seen_before(struct imp *m, struct htab *t, char kind, const char *value)
{
    struct seen_key k = {kind, value};
    uint64_t h = hash_str(hash_bytes(HASH_SEED, &kind, 1), value);
    struct seen *s = ht_find(t, h, seen_eq, &k);
    if (s)
        return s->line;
    if ((s = arena_alloc(m->a, sizeof *s))) {
        s->k = k;
        s->line = m->line;
        if (ht_put(t, h, s))
            return -1;
    }
    return s ? 0 : -1;
}

/* Checks one row of the house passport into row; errors go to the list. */
static int house_row(struct imp *m, struct htab *seen, struct hrow *row)
{
    const char **v = m->val;
    struct hstate *f = &row->file;
    const char *why;
    int rc = 0;
    for (int k = 0; k < HV_N; k++)
        f->v[k] = NONE;
    row->line = m->line;

    if (!*v[H_ADDRESS])
        rc = ROW_ERROR(m, H_ADDRESS, "не указан адрес");
    else if (!plain_text(v[H_ADDRESS], 1000))
        rc = ROW_ERROR(m, H_ADDRESS, "адрес: недопустимые символы или длиннее 1000 байт");
    else
        f->address = arena_strdup(m->a, v[H_ADDRESS]);
    if (rc == 0 && *v[H_FIAS]) {
        if (!ident_fias_guid_valid(v[H_FIAS], &why))
            rc = ROW_ERROR(m, H_FIAS, "%s, а не «%s»", why, v[H_FIAS]);
        else
            f->fias = guid_lower(m->a, v[H_FIAS]);
    }
    if (rc == 0 && *v[H_CADASTRAL]) {
        if (!ident_cadastral_valid(v[H_CADASTRAL], &why))
            rc = ROW_ERROR(m, H_CADASTRAL, "%s, а не «%s»", why, v[H_CADASTRAL]);
        else
            f->cadastral = arena_strdup(m->a, v[H_CADASTRAL]);
    }
    if (rc == 0 && !*v[H_FIAS] && !*v[H_CADASTRAL])
        rc = ROW_ERROR(m, field_no(m, H_FIAS) ? H_FIAS : H_CADASTRAL,
                       "нужен ФИАС или кадастровый номер дома");
    long first;
    if (rc == 0 && f->fias && (first = seen_before(m, seen, 'f', f->fias)) != 0)
        rc = first < 0
                 ? ERR_NOMEM
                 : ROW_ERROR(m, H_FIAS, "дом с ФИАС %s уже указан в строке %ld", f->fias, first);
    if (rc == 0 && f->cadastral && (first = seen_before(m, seen, 'c', f->cadastral)) != 0)
        rc = first < 0
                 ? ERR_NOMEM
                 : ROW_ERROR(m, H_CADASTRAL, "дом с кадастровым номером %s уже указан в строке %ld",
                             f->cadastral, first);

    struct found *mun = NULL, *org = NULL;
    if (rc == 0 && !*v[H_OKTMO])
        rc = ROW_ERROR(m, H_OKTMO, "не указан ОКТМО");
    else if (rc == 0 && !ident_oktmo_valid(v[H_OKTMO], &why))
        rc = ROW_ERROR(m, H_OKTMO, "%s, а не «%s»", why, v[H_OKTMO]);
    else if (rc == 0 && (rc = lookup_municipality(m, v[H_OKTMO], &mun)) == 0 && !mun->id)
        rc = ROW_ERROR(m, H_OKTMO, "муниципальное образование с ОКТМО %s не найдено", v[H_OKTMO]);
    else if (rc == 0) {
        f->region_id = mun->region_id;
        f->municipality_id = mun->id;
    }

    static const char *const kinds[] = {"мкд", "ижд", NULL};
    int kind = rc == 0 ? word_index(v[H_KIND], kinds) : 0;
    if (rc == 0 && !*v[H_KIND])
        rc = ROW_ERROR(m, H_KIND, "не указан тип дома (МКД или ИЖД)");
    else if (rc == 0 && kind < 0)
        rc = ROW_ERROR(m, H_KIND, "тип дома: ожидается МКД или ИЖД, а не «%s»", v[H_KIND]);
    else if (rc == 0)
        f->kind = kind == 0 ? "mkd" : "izd";

    if (rc == 0 && *v[H_ORG_INN]) {
        if (!ident_inn_valid(v[H_ORG_INN], &why))
            rc = ROW_ERROR(m, H_ORG_INN, "%s (ИНН «%s»)", why, v[H_ORG_INN]);
        else if ((rc = lookup_org(m, v[H_ORG_INN], &org)) == 0 && !org->id)
            rc = ROW_ERROR(m, H_ORG_INN, "организация с ИНН %s не найдена", v[H_ORG_INN]);
        else if (rc == 0)
            f->org_id = org->id;
    }
    for (size_t i = 0; rc == 0 && i < sizeof house_ints / sizeof house_ints[0]; i++) {
        const char *s = v[house_ints[i].col];
        if (*s && !parse_int(s, house_ints[i].min, house_ints[i].max, &f->v[i]))
            rc = ROW_ERROR(
                m, house_ints[i].col, "%s: ожидается целое число от %lld до %lld, а не «%s»",
                house_ints[i].what, (long long)house_ints[i].min, (long long)house_ints[i].max, s);
    }
    if (rc == 0 && *v[H_WALL]) {
        if (!plain_text(v[H_WALL], 200))
            rc = ROW_ERROR(m, H_WALL, "материал стен: недопустимые символы или длиннее 200 байт");
        else
            f->wall = arena_strdup(m->a, v[H_WALL]);
    }
    for (size_t i = 0; rc == 0 && i < sizeof house_areas / sizeof house_areas[0]; i++) {
        const char *s = v[house_areas[i][0]];
        if (*s && !parse_area(s, &f->v[house_areas[i][1]]))
            rc = ROW_ERROR(m, house_areas[i][0],
                           "площадь: ожидается число м² с точностью до 0,01, а не «%s»", s);
    }
    static const char *const yes_no[] = {"нет", "да", NULL};
    int emergency = word_index(v[H_EMERGENCY], yes_no);
    if (rc == 0 && *v[H_EMERGENCY] && emergency < 0)
        rc = ROW_ERROR(m, H_EMERGENCY, "аварийный: ожидается «да» или «нет», а не «%s»",
                       v[H_EMERGENCY]);
    else if (rc == 0 && *v[H_EMERGENCY])
        f->v[HV_EMERGENCY] = emergency;
    if (rc == 0 && *v[H_LAT] && !parse_coord(v[H_LAT], 90, &f->v[HV_LAT]))
        rc = ROW_ERROR(
            m, H_LAT,
            "широта: ожидаются градусы от -90 до 90, до 6 знаков после запятой, а не «%s»",
            v[H_LAT]);
    if (rc == 0 && *v[H_LON] && !parse_coord(v[H_LON], 180, &f->v[HV_LON]))
        rc = ROW_ERROR(
            m, H_LON,
            "долгота: ожидаются градусы от -180 до 180, до 6 знаков после запятой, а не «%s»",
            v[H_LON]);
    if (rc || m->row_bad)
        return rc;

    /* The stored house it updates, and whether this import may touch it. */
    if ((rc = find_house(m, f, &row->db)))
        return rc;
    struct hstate *d = &row->db;
    if (d->id && f->fias && d->fias && strcmp(f->fias, d->fias) != 0)
        return ROW_ERROR(m, H_CADASTRAL, "кадастровый номер %s принадлежит дому с другим ФИАС (%s)",
                         f->cadastral, d->fias);
    if (d->id && f->cadastral && !same_text(f->cadastral, d->cadastral)) {
        /* A new cadastral number for a house found by FIAS: not another's. */
        int64_t other = 0;
        int rc2 =
            store_query_int(m->c,
                            "SELECT id FROM houses WHERE cadastral_number = $1 AND id <> $2"
                            " LIMIT 1",
                            (struct store_val[]){SV_T(f->cadastral), SV_I(d->id)}, 2, &other, m->e);
        if (rc2 == 0)
            return ROW_ERROR(m, H_CADASTRAL, "кадастровый номер %s уже принадлежит другому дому",
                             f->cadastral);
        if (rc2 != ERR_NOTFOUND)
            return rc2;
    }
    /* Both the house as it is and as the file makes it must be the importer's. */
    bool ok = may_touch(m->o->scope, f->region_id, f->municipality_id,
                        f->org_id ? f->org_id : d->org_id) &&
              (!d->id || may_touch(m->o->scope, d->region_id, d->municipality_id, d->org_id));
    if (!ok)
        return ROW_ERROR(m, H_ADDRESS, "нет прав на изменение этого дома");
    return 0;
}

/* address_search: lower(address + ' ' + FIAS + ' ' + cadastral number), as
 * registry_db.c writes it. */
static const char *address_search(struct arena *a, const struct hstate *h)
{
    const char *s = arena_printf(a, "%s %s %s", h->address, h->fias ? h->fias : "",
                                 h->cadastral ? h->cadastral : "");
    return s ? text_lower(a, s) : NULL;
}

/* Keeps house_orgs' manager row in step with houses.org_id. */
static int set_manager(struct imp *m, int64_t house, int64_t org)
{
    int rc = store_exec(m->c, "DELETE FROM house_orgs WHERE house_id = $1 AND role = 'manager'",
                        (struct store_val[]){SV_I(house)}, 1, NULL, m->e);
    if (rc == 0 && org)
        rc = store_exec(
            m->c, "INSERT INTO house_orgs (house_id, org_id, role) VALUES ($1, $2, 'manager')",
            (struct store_val[]){SV_I(house), SV_I(org)}, 2, NULL, m->e);
    return rc;
}

/* A house moved to another municipality: the copies of its place on the
 * rows that hang on it follow (they scope who sees them). */
static int move_house_rows(struct imp *m, int64_t house, int64_t region, int64_t mun)
{
    struct store_val p[] = {SV_I(house), SV_I(region), SV_I(mun)};
    int rc = store_exec(
        m->c, "UPDATE premises SET region_id = $2, municipality_id = $3 WHERE house_id = $1", p, 3,
        NULL, m->e);
    if (rc == 0)
        rc = store_exec(
            m->c, "UPDATE rights SET region_id = $2, municipality_id = $3 WHERE house_id = $1", p,
            3, NULL, m->e);
    if (rc == 0)
        rc = store_exec(
            m->c, "UPDATE accounts SET region_id = $2, municipality_id = $3 WHERE house_id = $1", p,
            3, NULL, m->e);
    if (rc == 0)
        rc = store_exec(m->c,
                        "UPDATE registry_changes SET region_id = $2, municipality_id = $3"
                        " WHERE house_id = $1",
                        p, 3, NULL, m->e);
    return rc;
}

/* Creates the house of row, or updates the matched one where the file says
 * something else (a value the file leaves empty is kept). */
static int apply_house(struct imp *m, struct hrow *row)
{
    const struct hstate *f = &row->file;
    struct hstate n = row->db.id ? row->db : *f; /* the house as it will be */
    bool create = !row->db.id;
    if (!create) {
        n.region_id = f->region_id;
        n.municipality_id = f->municipality_id;
        n.kind = f->kind;
        n.address = f->address;
        if (f->org_id)
            n.org_id = f->org_id;
        if (f->fias)
            n.fias = f->fias;
        if (f->cadastral)
            n.cadastral = f->cadastral;
        if (f->wall)
            n.wall = f->wall;
        for (int k = 0; k < HV_N; k++)
            if (f->v[k] != NONE)
                n.v[k] = f->v[k];
        const struct hstate *d = &row->db;
        bool same = n.region_id == d->region_id && n.municipality_id == d->municipality_id &&
                    n.org_id == d->org_id && same_text(n.kind, d->kind) &&
                    same_text(n.address, d->address) && same_text(n.fias, d->fias) &&
                    same_text(n.cadastral, d->cadastral) && same_text(n.wall, d->wall) &&
                    memcmp(n.v, d->v, sizeof n.v) == 0;
        if (same)
            return 0;
    } else if (n.v[HV_EMERGENCY] == NONE) {
        n.v[HV_EMERGENCY] = 0;
    }
    const char *search = address_search(m->a, &n);
    if (!search)
        return err_set(m->e, ERR_NOMEM, "out of memory");
    struct store_val p[25] = {SV_I(n.id),      SV_I(n.region_id), SV_I(n.municipality_id),
                              SV_ID(n.org_id), SV_T(n.kind),      SV_T(n.address),
                              SV_T(search),    SV_T(n.fias),      SV_T(n.cadastral),
                              SV_T(n.wall),    SV_I(m->now)};
    for (int k = 0; k < HV_N; k++)
        p[11 + k] = n.v[k] == NONE ? SV_NULLV : SV_I(n.v[k]);
    int rc;
    if (create) {
        rc = store_query_int(
            m->c,
            "INSERT INTO houses (region_id, municipality_id, org_id, kind, address,"
            " address_search, fias_guid, cadastral_number, wall_material, created_at, updated_at,"
            " year_built, floors, entrances, nonresidential_count, balconies, loggias, total_area,"
            " residential_area, nonresidential_area, common_area, emergency, lat_e6, lon_e6)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12, $13, $14, $15, $16,"
            " $17, $18, $19, $20, $21, $22, $23) RETURNING id",
            p + 1, 23, &n.id, m->e);
        m->res->houses_created++;
    } else {
        rc = store_exec(m->c,
                        "UPDATE houses SET region_id = $2, municipality_id = $3, org_id = $4,"
                        " kind = $5, address = $6, address_search = $7, fias_guid = $8,"
                        " cadastral_number = $9, wall_material = $10, updated_at = $11,"
                        " year_built = $12, floors = $13, entrances = $14,"
                        " nonresidential_count = $15, balconies = $16, loggias = $17,"
                        " total_area = $18, residential_area = $19, nonresidential_area = $20,"
                        " common_area = $21, emergency = $22, lat_e6 = $23, lon_e6 = $24"
                        " WHERE id = $1",
                        p, 24, NULL, m->e);
        m->res->houses_updated++;
    }
    if (rc == 0 && (create || n.org_id != row->db.org_id))
        rc = set_manager(m, n.id, n.org_id);
    if (rc == 0 && !create && n.municipality_id != row->db.municipality_id)
        rc = move_house_rows(m, n.id, n.region_id, n.municipality_id);
    return rc;
}

static int import_houses(struct imp *m)
{
    struct htab seen = {0};
    struct hrow *first = NULL, **tail = &first;
    struct csv_record rec;
    int rc;
    while ((rc = csv_next(m->csv, &rec, m->e)) == 1) {
        struct hrow *row = arena_alloc(m->a, sizeof *row);
        if (!row) {
            rc = err_set(m->e, ERR_NOMEM, "out of memory");
            break;
        }
        m->res->rows++;
        if ((rc = read_values(m, &rec)) == 0 && !m->row_bad)
            rc = house_row(m, &seen, row);
        if (rc)
            break;
        row->line = rec.line;
        row->bad = m->row_bad;
        *tail = row;
        tail = &row->next;
        if (m->res->rows % PROGRESS_ROWS == 0)
            progress(m, "чтение", csv_offset(m->csv), csv_size(m->csv));
    }
    ht_free(&seen);
    if (rc < 0)
        return csv_failed(m, rc) ? rc : ERR_INVALID;
    if (m->nerr && !m->o->skip_invalid)
        return ERR_INVALID;

    size_t nrej = 0;
    for (struct hrow *row = first; row; row = row->next)
        nrej += row->bad;
    struct rejected *rej = nrej ? arena_alloc(m->a, sizeof *rej * nrej) : NULL;
    if (nrej && !rej)
        return err_set(m->e, ERR_NOMEM, "out of memory");
    int64_t done = 0;
    nrej = 0;
    for (struct hrow *row = first; row && rc == 0; row = row->next, done++) {
        if (row->bad) {
            rej[nrej++] = (struct rejected){row->line, NULL};
            continue;
        }
        m->res->houses++;
        m->res->rows_applied++;
        rc = apply_house(m, row);
        if (done % 1024 == 0)
            progress(m, "запись", done, m->res->rows);
    }
    m->res->rows_rejected = (int64_t)nrej;
    if (rc == 0 && nrej) {
        if (m->nerr)
            qsort(m->errors, m->nerr, sizeof *m->errors, cmp_errors);
        rc = write_rejected(m, rej, nrej);
    }
    return rc;
}

/* ------------------------------------------------------------------ premises file: reading */

enum pcol {
    P_HOUSE,
    P_NUMBER,
    P_KIND,
    P_AREA,
    P_CADASTRAL,
    P_ENTRANCE,
    P_FLOOR,
    P_OWNER,
    P_OWNER_KIND,
    P_INN,
    P_RIGHT,
    P_SHARE,
    P_REG_NUMBER,
    P_REG_DATE,
    P_ENC,
    P_ENC_NUMBER,
    P_ENC_DATE,
    P_NCOLS
};

static const struct column premises_columns[P_NCOLS] = {
    [P_HOUSE] = {"дом", true},
    [P_NUMBER] = {"помещение", true},
    [P_KIND] = {"тип_помещения", true},
    [P_AREA] = {"площадь", true},
    [P_CADASTRAL] = {"кадастровый_номер"},
    [P_ENTRANCE] = {"подъезд"},
    [P_FLOOR] = {"этаж"},
    [P_OWNER] = {"собственник"},
    [P_OWNER_KIND] = {"вид_собственника"},
    [P_INN] = {"инн"},
    [P_RIGHT] = {"вид_права"},
    [P_SHARE] = {"доля"},
    [P_REG_NUMBER] = {"номер_регистрации"},
    [P_REG_DATE] = {"дата_регистрации"},
    [P_ENC] = {"обременение"},
    [P_ENC_NUMBER] = {"номер_обременения"},
    [P_ENC_DATE] = {"дата_обременения"},
};

/* Stored values (index 0: none) and the words of the file for them. */
static const char *const premises_kinds[] = {NULL, "residential", "nonresidential", "parking",
                                             "storage"};
static const char *const premises_kind_words[] = {"жилое",    "нежилое",     "машино-место",
                                                  "кладовая", "машиноместо", NULL};
static const unsigned char premises_kind_of[] = {1, 2, 3, 4, 3};
static const char *const owner_kinds[] = {NULL, "person", "legal", "public"};
static const char *const owner_kind_words[] = {"фл", "юл", "публичное", NULL};
static const char *const right_types[] = {NULL, "own", "shared", "joint"};
static const char *const right_type_words[] = {"собственность", "общая_долевая", "общая_совместная",
                                               "долевая",       "совместная",    NULL};
static const unsigned char right_type_of[] = {1, 2, 3, 2, 3};
enum {
    RT_OWN = 1,
    RT_SHARED = 2,
    RT_JOINT = 3,
    OK_PERSON = 1,
    OK_LEGAL = 2
};

static unsigned char db_index(const char *s, const char *const *names, int n)
{
    for (int i = 1; s && i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return (unsigned char)i;
    return 0;
}

struct pgroup;
struct epremises;

/* A house the extract names (each stored house once, however it is named). */
struct phouse {
    struct phouse *next; /* file order */
    const char *key;     /* as first written in the file */
    int64_t id, region_id, municipality_id, org_id;
    struct pgroup *groups, *last; /* its premises, file order */
    bool incomplete;              /* a rejected row names no premises: end no rights */
};

/* A row of the extract that names a right (or none: right_type 0). */
struct prow {
    struct prow *next; /* the next row of the same premises */
    long line;
    const char *owner, *inn, *reg_number, *reg_date; /* inn NULL if not given */
    const char *enc_kind, *enc_number, *enc_date;    /* NULL if not given */
    int64_t share_num, share_den;                    /* 1/1 unless долевая */
    unsigned char owner_kind, right_type;
};

/* One premises of the extract: its rows and what they say together. */
struct pgroup {
    struct pgroup *next; /* the next premises of the same house */
    struct phouse *house;
    const char *number, *cadastral; /* cadastral NULL if not given */
    int64_t area, entrance, floor;  /* NONE if no (valid) row gives it */
    unsigned char kind;             /* 0 until a row gives it */
    long kind_line, area_line, cad_line;
    long own_line, first_right_line, empty_line, bad_line; /* 0: none */
    struct prow *rows, *last;
    int nrows;
    i128 share_num, share_den; /* sum of the долевая shares so far */
    /* While its house is written: */
    int64_t pid;          /* the premises' id */
    struct epremises *ep; /* the stored premises, or NULL */
};

struct gkey {
    const struct phouse *house;
    const char *number;
};

static bool group_eq(const void *v, const void *key)
{
    const struct pgroup *g = v;
    const struct gkey *k = key;
    return g->house == k->house && strcmp(g->number, k->number) == 0;
}

static uint64_t group_hash(const struct phouse *h, const char *number)
{
    return hash_str(hash_bytes(HASH_SEED, &h, sizeof h), number);
}

/* Reading state of a premises extract. */
struct pread {
    struct htab groups;           /* struct pgroup by (house, number) */
    struct phouse *houses, *last; /* file order */
    long *orphans;                /* lines of bad rows that belong to no premises */
    size_t norphans, caporphans;
};

/* The house named by key (cadastral number or FIAS GUID) for the current
 * row: *out is NULL, with an error recorded, when it is unknown or not ours. */
static int resolve_house(struct imp *m, struct pread *pr, const char *key, struct phouse **out)
{
    *out = NULL;
    bool guid = ident_fias_guid_valid(key, NULL);
    if (!guid && !ident_cadastral_valid(key, NULL))
        return ROW_ERROR(m, P_HOUSE, "дом: ожидается кадастровый номер или GUID ФИАС, а не «%s»",
                         key);
    char kbuf[256], *k = kbuf;
    size_t klen = strlen(key); /* valid identifiers are short */
    memcpy(kbuf, key, klen < sizeof kbuf ? klen + 1 : sizeof kbuf);
    kbuf[sizeof kbuf - 1] = '\0';
    for (char *p = k; guid && *p; p++)
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p + 32);
    bool fresh;
    struct found *f = cache_get(m, 'h', k, &fresh);
    if (!f)
        return ERR_NOMEM;
    if (fresh) {
        struct store_rows *r = NULL;
        int rc = guid ? store_query(m->c,
                                    "SELECT id, region_id, municipality_id, org_id FROM houses"
                                    " WHERE fias_guid = $1",
                                    (struct store_val[]){SV_T(k)}, 1, &r, m->e)
                      : store_query(m->c,
                                    "SELECT id, region_id, municipality_id, org_id FROM houses"
                                    " WHERE cadastral_number = $1 ORDER BY id LIMIT 1",
                                    (struct store_val[]){SV_T(k)}, 1, &r, m->e);
        if (rc)
            return rc;
        if (store_next(r)) {
            f->id = store_int(r, 0);
            f->region_id = store_int(r, 1);
            f->municipality_id = store_int(r, 2);
            f->org_id = store_isnull(r, 3) ? 0 : store_int(r, 3);
        }
        store_rows_free(r);
        if (f->id && !may_touch(m->o->scope, f->region_id, f->municipality_id, f->org_id))
            f->id = -1;
        if (f->id > 0) {
            /* The same house may be named both ways in one file. */
            char idkey[24];
            snprintf(idkey, sizeof idkey, "%lld", (long long)f->id);
            struct found *byid = cache_get(m, 'i', idkey, &fresh);
            if (!byid)
                return ERR_NOMEM;
            if (fresh) {
                struct phouse *h = arena_alloc(m->a, sizeof *h);
                if (!h)
                    return err_set(m->e, ERR_NOMEM, "out of memory");
                *h = (struct phouse){.key = f->key,
                                     .id = f->id,
                                     .region_id = f->region_id,
                                     .municipality_id = f->municipality_id,
                                     .org_id = f->org_id};
                if (pr->last)
                    pr->last->next = h;
                else
                    pr->houses = h;
                pr->last = h;
                byid->house = h;
                m->res->houses++;
            }
            f->house = byid->house;
        }
    }
    if (f->id == 0)
        return ROW_ERROR(m, P_HOUSE,
                         "дом «%s» не найден в реестре: сначала загрузите его паспорт"
                         " (upravdom import houses)",
                         key);
    if (f->id < 0)
        return ROW_ERROR(m, P_HOUSE, "нет прав на дом «%s»", key);
    *out = f->house;
    return 0;
}

/* The premises number of the house, created on first sight. */
static struct pgroup *group_get(struct imp *m, struct pread *pr, struct phouse *h,
                                const char *number)
{
    struct gkey k = {h, number};
    uint64_t hash = group_hash(h, number);
    struct pgroup *g = ht_find(&pr->groups, hash, group_eq, &k);
    if (g)
        return g;
    if (!(g = arena_alloc(m->a, sizeof *g)) || !(g->number = arena_strdup(m->a, number)) ||
        ht_put(&pr->groups, hash, g)) {
        err_set(m->e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    g->house = h;
    g->area = g->entrance = g->floor = NONE;
    g->share_den = 1;
    if (h->last)
        h->last->next = g;
    else
        h->groups = g;
    h->last = g;
    return g;
}

/* Copies the row's right into the arena as one block. */
static struct prow *new_row(struct imp *m, const struct prow *t)
{
    const char *const *src[] = {&t->owner,    &t->inn,        &t->reg_number, &t->reg_date,
                                &t->enc_kind, &t->enc_number, &t->enc_date};
    size_t need = sizeof(struct prow);
    for (size_t i = 0; i < sizeof src / sizeof src[0]; i++)
        need += *src[i] ? strlen(*src[i]) + 1 : 0;
    struct prow *r = arena_alloc(m->a, need);
    if (!r) {
        err_set(m->e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    *r = *t;
    const char **dst[] = {&r->owner,    &r->inn,        &r->reg_number, &r->reg_date,
                          &r->enc_kind, &r->enc_number, &r->enc_date};
    char *p = (char *)(r + 1);
    for (size_t i = 0; i < sizeof src / sizeof src[0]; i++) {
        if (!*src[i])
            continue;
        size_t n = strlen(*src[i]) + 1;
        memcpy(p, *src[i], n);
        *dst[i] = p;
        p += n;
    }
    return r;
}

static int add_orphan(struct imp *m, struct pread *pr)
{
    if (pr->norphans == pr->caporphans) {
        size_t cap = pr->caporphans ? pr->caporphans * 2 : 64;
        long *p = realloc(pr->orphans, sizeof *p * cap);
        if (!p)
            return err_set(m->e, ERR_NOMEM, "out of memory");
        pr->orphans = p;
        pr->caporphans = cap;
    }
    pr->orphans[pr->norphans++] = m->line;
    return 0;
}

/* The right columns of the current row: field checks into t. Returns a fatal
 * error code only; *ok tells whether the right is usable for the rules that
 * span rows. */
static int right_fields(struct imp *m, struct prow *t, bool *ok)
{
    const char **v = m->val;
    const char *why;
    int rc = 0;
    size_t errors = m->nerr;
    t->share_num = t->share_den = 1;
    t->owner_kind = OK_PERSON;
    if (!plain_text(v[P_OWNER], 500))
        rc = ROW_ERROR(m, P_OWNER, "собственник: недопустимые символы или длиннее 500 байт");
    if (rc == 0 && *v[P_OWNER_KIND]) {
        int k = word_index(v[P_OWNER_KIND], owner_kind_words);
        if (k < 0)
            rc = ROW_ERROR(m, P_OWNER_KIND,
                           "вид собственника: ожидается ФЛ, ЮЛ или публичное, а не «%s»",
                           v[P_OWNER_KIND]);
        else
            t->owner_kind = (unsigned char)(k + 1);
    }
    if (rc == 0 && *v[P_INN]) {
        size_t n = strlen(v[P_INN]);
        if (!ident_inn_valid(v[P_INN], &why))
            rc = ROW_ERROR(m, P_INN, "%s (ИНН «%s»)", why, v[P_INN]);
        else if (t->owner_kind == OK_LEGAL && n != 10)
            rc = ROW_ERROR(m, P_INN, "ИНН юридического лица — 10 цифр, а не «%s»", v[P_INN]);
        else if (t->owner_kind == OK_PERSON && n != 12)
            rc = ROW_ERROR(m, P_INN, "ИНН физического лица — 12 цифр, а не «%s»", v[P_INN]);
        else
            t->inn = v[P_INN];
    } else if (rc == 0 && t->owner_kind == OK_LEGAL) {
        rc = ROW_ERROR(m, field_no(m, P_INN) ? P_INN : P_OWNER_KIND,
                       "для юридического лица (ЮЛ) нужен ИНН");
    }
    if (rc == 0 && !*v[P_RIGHT]) {
        rc = ROW_ERROR(m, field_no(m, P_RIGHT) ? P_RIGHT : P_OWNER,
                       "не указан вид права (собственность, общая долевая, общая совместная)");
    } else if (rc == 0) {
        int k = word_index(v[P_RIGHT], right_type_words);
        if (k < 0)
            rc = ROW_ERROR(m, P_RIGHT,
                           "вид права: ожидается собственность, общая долевая или общая"
                           " совместная, а не «%s»",
                           v[P_RIGHT]);
        else
            t->right_type = right_type_of[k];
    }
    if (rc == 0 && t->right_type == RT_SHARED) {
        if (!*v[P_SHARE])
            rc = ROW_ERROR(m, field_no(m, P_SHARE) ? P_SHARE : P_RIGHT,
                           "для общей долевой собственности нужна доля (например 1/2)");
        else if (!parse_share(v[P_SHARE], &t->share_num, &t->share_den))
            rc = ROW_ERROR(m, P_SHARE, "доля: ожидается дробь от 0 до 1 вида 1/2, а не «%s»",
                           v[P_SHARE]);
    } else if (rc == 0 && *v[P_SHARE]) {
        int64_t n, d;
        if (!parse_share(v[P_SHARE], &n, &d) || n != d)
            rc = ROW_ERROR(m, P_SHARE,
                           "доля указывается только для общей долевой собственности, а здесь «%s»",
                           v[P_RIGHT]);
    }
    if (rc == 0 && !*v[P_REG_NUMBER])
        rc = ROW_ERROR(m, field_no(m, P_REG_NUMBER) ? P_REG_NUMBER : P_OWNER,
                       "не указан номер государственной регистрации права");
    else if (rc == 0 && !plain_text(v[P_REG_NUMBER], 100))
        rc = ROW_ERROR(m, P_REG_NUMBER,
                       "номер регистрации: недопустимые символы или длиннее 100 байт");
    else
        t->reg_number = v[P_REG_NUMBER];
    char *reg_date = m->reg_date, *enc_date = m->enc_date; /* copied by new_row */
    if (rc == 0 && !*v[P_REG_DATE])
        rc = ROW_ERROR(m, field_no(m, P_REG_DATE) ? P_REG_DATE : P_OWNER,
                       "не указана дата регистрации права");
    else if (rc == 0 && !parse_date(v[P_REG_DATE], reg_date))
        rc = ROW_ERROR(m, P_REG_DATE,
                       "дата регистрации: ожидается ГГГГ-ММ-ДД или ДД.ММ.ГГГГ, а не «%s»",
                       v[P_REG_DATE]);
    else
        t->reg_date = reg_date;
    if (rc == 0 && !*v[P_ENC] && (*v[P_ENC_NUMBER] || *v[P_ENC_DATE]))
        rc = ROW_ERROR(m, *v[P_ENC_NUMBER] ? P_ENC_NUMBER : P_ENC_DATE,
                       "указаны номер или дата обременения, но не его вид (столбец обременение)");
    if (rc == 0 && *v[P_ENC]) {
        if (!plain_text(v[P_ENC], 200))
            rc = ROW_ERROR(m, P_ENC, "обременение: недопустимые символы или длиннее 200 байт");
        else
            t->enc_kind = v[P_ENC];
        if (rc == 0 && *v[P_ENC_NUMBER]) {
            if (!plain_text(v[P_ENC_NUMBER], 100))
                rc = ROW_ERROR(m, P_ENC_NUMBER,
                               "номер обременения: недопустимые символы или длиннее 100 байт");
            else
                t->enc_number = v[P_ENC_NUMBER];
        }
        if (rc == 0 && *v[P_ENC_DATE]) {
            if (!parse_date(v[P_ENC_DATE], enc_date))
                rc = ROW_ERROR(m, P_ENC_DATE,
                               "дата обременения: ожидается ГГГГ-ММ-ДД или ДД.ММ.ГГГГ, а не «%s»",
                               v[P_ENC_DATE]);
            else
                t->enc_date = enc_date;
        }
    }
    t->owner = v[P_OWNER];
    *ok = m->nerr == errors;
    return rc;
}

/* The rules between the rows of one premises, checked on the row that breaks
 * them (docs/registry.md "Rules checked per file"). */
static int group_rules(struct imp *m, struct pgroup *g, const struct prow *t, bool right_ok,
                       unsigned char kind, int64_t area, const char *cadastral)
{
    const char **v = m->val;
    int rc = 0;
    if (kind && !g->kind) {
        g->kind = kind;
        g->kind_line = m->line;
    } else if (kind && kind != g->kind) {
        rc = ROW_ERROR(m, P_KIND, "тип помещения «%s» не совпадает с указанным в строке %ld",
                       v[P_KIND], g->kind_line);
    }
    if (rc == 0 && area != NONE && g->area == NONE) {
        g->area = area;
        g->area_line = m->line;
    } else if (rc == 0 && area != NONE && area != g->area) {
        char a1[MONEY_FMT_SIZE], a2[MONEY_FMT_SIZE];
        money_format(a1, sizeof a1, area);
        money_format(a2, sizeof a2, g->area);
        rc = ROW_ERROR(m, P_AREA, "площадь %s не совпадает с указанной в строке %ld (%s)", a1,
                       g->area_line, a2);
    }
    if (rc == 0 && cadastral && !g->cadastral) {
        g->cadastral = arena_strdup(m->a, cadastral);
        g->cad_line = m->line;
    } else if (rc == 0 && cadastral && strcmp(cadastral, g->cadastral) != 0) {
        rc = ROW_ERROR(m, P_CADASTRAL,
                       "кадастровый номер %s не совпадает с указанным в строке %ld (%s)", cadastral,
                       g->cad_line, g->cadastral);
    }
    if (rc || !right_ok)
        return rc;
    if (!t->right_type) {
        if (g->empty_line)
            return ROW_ERROR(m, P_NUMBER, "помещение «%s» уже указано в строке %ld", g->number,
                             g->empty_line);
        g->empty_line = m->line;
        return 0;
    }
    for (const struct prow *q = g->rows; q; q = q->next)
        if (q->right_type && q->reg_number && q->owner &&
            strcmp(q->reg_number, t->reg_number) == 0 && strcmp(q->owner, t->owner) == 0)
            return ROW_ERROR(m, P_REG_NUMBER,
                             "право № %s собственника «%s» на помещение «%s» уже указано в"
                             " строке %ld",
                             t->reg_number, t->owner, g->number, q->line);
    if (t->right_type == RT_OWN && g->first_right_line)
        return ROW_ERROR(m, P_RIGHT,
                         "собственность — единственное право на помещение, а у помещения «%s»"
                         " уже есть право в строке %ld",
                         g->number, g->first_right_line);
    if (t->right_type != RT_OWN && g->own_line)
        return ROW_ERROR(m, P_RIGHT,
                         "у помещения «%s» в строке %ld указана собственность — единственное"
                         " право на помещение",
                         g->number, g->own_line);
    if (t->right_type == RT_SHARED) {
        bool within = g->share_num <= g->share_den;
        if (!share_add(&g->share_num, &g->share_den, t->share_num, t->share_den))
            return ROW_ERROR(m, P_SHARE,
                             "сумма долей помещения «%s» не вычисляется: слишком"
                             " большие знаменатели",
                             g->number);
        if (within && g->share_num > g->share_den)
            return ROW_ERROR(m, P_SHARE, "сумма долей помещения «%s» больше 1: %s", g->number,
                             share_text(m->a, g->share_num, g->share_den));
    }
    if (!g->first_right_line)
        g->first_right_line = m->line;
    if (t->right_type == RT_OWN)
        g->own_line = m->line;
    return 0;
}

/* Checks one row of the extract and files it under its premises. */
static int premises_row(struct imp *m, struct pread *pr)
{
    const char **v = m->val;
    const char *why;
    int rc = 0;
    struct phouse *h = NULL;
    if (!*v[P_HOUSE])
        rc = ROW_ERROR(m, P_HOUSE, "не указан дом (его кадастровый номер или ФИАС)");
    else
        rc = resolve_house(m, pr, v[P_HOUSE], &h);
    bool number_ok = false;
    if (rc == 0 && !*v[P_NUMBER])
        rc = ROW_ERROR(m, P_NUMBER, "не указан номер помещения");
    else if (rc == 0 && !plain_text(v[P_NUMBER], 50))
        rc = ROW_ERROR(m, P_NUMBER, "номер помещения: недопустимые символы или длиннее 50 байт");
    else
        number_ok = true;
    unsigned char kind = 0;
    if (rc == 0 && !*v[P_KIND]) {
        rc = ROW_ERROR(m, P_KIND, "не указан тип помещения");
    } else if (rc == 0) {
        int k = word_index(v[P_KIND], premises_kind_words);
        if (k < 0)
            rc = ROW_ERROR(m, P_KIND,
                           "тип помещения: ожидается жилое, нежилое, машино-место или кладовая,"
                           " а не «%s»",
                           v[P_KIND]);
        else
            kind = premises_kind_of[k];
    }
    int64_t area = NONE;
    if (rc == 0 && !*v[P_AREA])
        rc = ROW_ERROR(m, P_AREA, "не указана площадь помещения");
    else if (rc == 0 && (!parse_area(v[P_AREA], &area) || area == 0)) {
        area = NONE;
        rc = ROW_ERROR(m, P_AREA,
                       "площадь: ожидается число м² больше нуля с точностью до 0,01,"
                       " а не «%s»",
                       v[P_AREA]);
    }
    const char *cadastral = NULL;
    if (rc == 0 && *v[P_CADASTRAL]) {
        if (!ident_cadastral_valid(v[P_CADASTRAL], &why))
            rc = ROW_ERROR(m, P_CADASTRAL, "%s, а не «%s»", why, v[P_CADASTRAL]);
        else
            cadastral = v[P_CADASTRAL];
    }
    int64_t entrance = NONE, floor = NONE;
    if (rc == 0 && *v[P_ENTRANCE] && !parse_int(v[P_ENTRANCE], 0, 1000, &entrance))
        rc = ROW_ERROR(m, P_ENTRANCE, "подъезд: ожидается целое число от 0 до 1000, а не «%s»",
                       v[P_ENTRANCE]);
    if (rc == 0 && *v[P_FLOOR] && !parse_int(v[P_FLOOR], -20, 300, &floor))
        rc = ROW_ERROR(m, P_FLOOR, "этаж: ожидается целое число от -20 до 300, а не «%s»",
                       v[P_FLOOR]);

    struct prow t = {.line = m->line, .share_num = 1, .share_den = 1};
    bool right_ok = true;
    if (rc == 0 && *v[P_OWNER]) {
        rc = right_fields(m, &t, &right_ok);
    } else if (rc == 0) {
        static const int right_cols[] = {P_OWNER_KIND, P_INN, P_RIGHT,      P_SHARE,   P_REG_NUMBER,
                                         P_REG_DATE,   P_ENC, P_ENC_NUMBER, P_ENC_DATE};
        for (size_t i = 0; i < sizeof right_cols / sizeof right_cols[0]; i++)
            if (*v[right_cols[i]]) {
                rc = ROW_ERROR(m, right_cols[i],
                               "указаны сведения о праве, но не указан собственник");
                right_ok = false;
                break;
            }
    }
    if (rc)
        return rc;
    if (h && !number_ok)
        h->incomplete = true;
    if (!h || !number_ok)
        return add_orphan(m, pr);

    struct pgroup *g = group_get(m, pr, h, v[P_NUMBER]);
    if (!g)
        return ERR_NOMEM;
    if ((rc = group_rules(m, g, &t, right_ok && !m->row_bad, kind, area, cadastral)))
        return rc;
    if (entrance != NONE && g->entrance == NONE)
        g->entrance = entrance;
    if (floor != NONE && g->floor == NONE)
        g->floor = floor;
    struct prow *r = new_row(m, &t);
    if (!r)
        return ERR_NOMEM;
    if (g->last)
        g->last->next = r;
    else
        g->rows = r;
    g->last = r;
    g->nrows++;
    if (m->row_bad && !g->bad_line)
        g->bad_line = m->line;
    return 0;
}

/* ------------------------------------------------------------------ premises file: writing */

/* A stored premises of the house being written. */
struct epremises {
    struct epremises *next;
    int64_t id, area, entrance, floor;
    const char *number, *cadastral;
    unsigned char kind;
    bool seen; /* the file lists it */
    bool skip; /* the file's rows for it were rejected: leave it as it is */
    struct eright *rights;
};

/* A stored right (current or ended) of the house being written. */
struct eright {
    struct eright *next; /* of the same premises */
    int64_t id, premises_id, share_num, share_den;
    const char *owner_name, *owner_inn, *reg_number, *reg_date, *end_date;
    unsigned char owner_kind, right_type;
    bool matched; /* the file lists it */
    struct eenc *enc;
};

struct eenc {
    struct eenc *next;
    const char *kind, *reg_number, *reg_date;
};

/* Writing state, reused from house to house. */
struct writer {
    bool pg; /* PostgreSQL: collect rows into batches */
    /* SQLite: the next ids of premises and rights. The import holds the
     * write lock from its start (BEGIN IMMEDIATE), so max(id) + 1 … are the
     * ids SQLite would choose; giving them spares an INSERT … RETURNING per
     * row, which SQLite runs through a temporary table. */
    int64_t next_premises, next_right;
    struct arena *ha; /* the current house's stored rows */
    struct arena *ba; /* texts of rows waiting in the batches; renewed after each flush */
    struct epremises *list;
    struct htab by_number, by_id, rights, rights_by_id;
    struct batch premises, rights_new, encs, changes, ends;
    struct htab *groups; /* the file's premises, to map returned ids */
};

static bool ep_number_eq(const void *v, const void *key)
{
    return strcmp(((const struct epremises *)v)->number, key) == 0;
}

static bool ep_id_eq(const void *v, const void *key)
{
    return ((const struct epremises *)v)->id == *(const int64_t *)key;
}

static bool er_id_eq(const void *v, const void *key)
{
    return ((const struct eright *)v)->id == *(const int64_t *)key;
}

struct rkey {
    int64_t premises_id;
    const char *reg_number, *owner;
};

static bool er_key_eq(const void *v, const void *key)
{
    const struct eright *r = v;
    const struct rkey *k = key;
    return r->premises_id == k->premises_id && strcmp(r->reg_number, k->reg_number) == 0 &&
           strcmp(r->owner_name, k->owner) == 0;
}

static uint64_t rkey_hash(int64_t pid, const char *reg, const char *owner)
{
    return hash_str(hash_str(hash_bytes(HASH_SEED, &pid, sizeof pid), reg), owner);
}

static uint64_t id_hash(int64_t id)
{
    return hash_bytes(HASH_SEED, &id, sizeof id);
}

/* Loads the house's premises, rights (ended ones too) and encumbrances. */
static int load_house(struct imp *m, struct writer *w, const struct phouse *h)
{
    arena_free(w->ha);
    w->list = NULL;
    ht_clear(&w->by_number);
    ht_clear(&w->by_id);
    ht_clear(&w->rights);
    ht_clear(&w->rights_by_id);
    if (!(w->ha = arena_new()))
        return err_set(m->e, ERR_NOMEM, "out of memory");
    struct store_val p[] = {SV_I(h->id)};
    struct store_rows *r = NULL;
    int rc = store_query(m->c,
                         "SELECT id, number, kind, area, cadastral_number, entrance, floor"
                         " FROM premises WHERE house_id = $1",
                         p, 1, &r, m->e);
    while (rc == 0 && store_next(r)) {
        struct epremises *ep = arena_alloc(w->ha, sizeof *ep);
        if (!ep) {
            rc = err_set(m->e, ERR_NOMEM, "out of memory");
            break;
        }
        ep->id = store_int(r, 0);
        ep->number = store_dup(r, 1, w->ha);
        ep->kind = db_index(store_text(r, 2), premises_kinds, 5);
        ep->area = store_int(r, 3);
        ep->cadastral = store_dup(r, 4, w->ha);
        ep->entrance = store_isnull(r, 5) ? NONE : store_int(r, 5);
        ep->floor = store_isnull(r, 6) ? NONE : store_int(r, 6);
        ep->next = w->list;
        w->list = ep;
        if (!ep->number || ht_put(&w->by_number, hash_str(HASH_SEED, ep->number), ep) ||
            ht_put(&w->by_id, id_hash(ep->id), ep))
            rc = err_set(m->e, ERR_NOMEM, "out of memory");
    }
    store_rows_free(r);
    if (rc || !w->list)
        return rc; /* a new house: nothing more to load */
    rc = store_query(m->c,
                     "SELECT id, premises_id, owner_kind, owner_name, owner_inn, right_type,"
                     " share_num, share_den, reg_number, reg_date, end_date"
                     " FROM rights WHERE house_id = $1",
                     p, 1, &r, m->e);
    while (rc == 0 && store_next(r)) {
        struct eright *er = arena_alloc(w->ha, sizeof *er);
        if (!er) {
            rc = err_set(m->e, ERR_NOMEM, "out of memory");
            break;
        }
        er->id = store_int(r, 0);
        er->premises_id = store_int(r, 1);
        er->owner_kind = db_index(store_text(r, 2), owner_kinds, 4);
        er->owner_name = store_dup(r, 3, w->ha);
        er->owner_inn = store_dup(r, 4, w->ha);
        er->right_type = db_index(store_text(r, 5), right_types, 4);
        er->share_num = store_int(r, 6);
        er->share_den = store_int(r, 7);
        er->reg_number = store_dup(r, 8, w->ha);
        er->reg_date = store_dup(r, 9, w->ha);
        er->end_date = store_dup(r, 10, w->ha);
        struct epremises *ep =
            ht_find(&w->by_id, id_hash(er->premises_id), ep_id_eq, &er->premises_id);
        if (!ep || !er->owner_name || !er->reg_number)
            continue; /* a right whose premises moved to another house: not ours */
        er->next = ep->rights;
        ep->rights = er;
        if (ht_put(&w->rights, rkey_hash(er->premises_id, er->reg_number, er->owner_name), er) ||
            ht_put(&w->rights_by_id, id_hash(er->id), er))
            rc = err_set(m->e, ERR_NOMEM, "out of memory");
    }
    store_rows_free(r);
    if (rc || !w->rights.n)
        return rc;
    rc = store_query(m->c,
                     "SELECT e.right_id, e.kind, e.reg_number, e.reg_date FROM encumbrances e"
                     " JOIN rights r ON r.id = e.right_id WHERE r.house_id = $1 ORDER BY e.id",
                     p, 1, &r, m->e);
    while (rc == 0 && store_next(r)) {
        int64_t rid = store_int(r, 0);
        struct eright *er = ht_find(&w->rights_by_id, id_hash(rid), er_id_eq, &rid);
        struct eenc *en = er ? arena_alloc(w->ha, sizeof *en) : NULL;
        if (!er)
            continue;
        if (!en) {
            rc = err_set(m->e, ERR_NOMEM, "out of memory");
            break;
        }
        en->kind = store_dup(r, 1, w->ha);
        en->reg_number = store_dup(r, 2, w->ha);
        en->reg_date = store_dup(r, 3, w->ha);
        en->next = er->enc;
        er->enc = en;
    }
    store_rows_free(r);
    return rc;
}

/* Frees the texts of sent rows. */
static int renew_batch_arena(struct imp *m, struct writer *w)
{
    arena_free(w->ba);
    return (w->ba = arena_new()) ? 0 : err_set(m->e, ERR_NOMEM, "out of memory");
}

/* Sends the batches, in an order that keeps references whole: premises
 * before their rights, rights before their encumbrances. (New premises on
 * PostgreSQL are sent by flush_premises, for their ids.) */
static int flush(struct imp *m, struct writer *w)
{
    struct store_val p[16];
    int rc = 0;
    if (!w->pg) {
        struct batch *order[] = {&w->premises, &w->rights_new, &w->encs, &w->changes};
        for (size_t i = 0; rc == 0 && i < sizeof order / sizeof order[0]; i++)
            rc = lite_send(m, order[i]);
        return rc ? rc : renew_batch_arena(m, w);
    }
    if (w->rights_new.n && (rc = batch_params(&w->rights_new, p)) == 0)
        rc = store_exec(m->c,
                        "INSERT INTO rights (premises_id, house_id, region_id, municipality_id,"
                        " owner_kind, owner_name, owner_inn, right_type, share_num, share_den,"
                        " reg_number, reg_date, created_at) SELECT * FROM unnest($1::bigint[],"
                        " $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::text[],"
                        " $7::text[], $8::text[], $9::bigint[], $10::bigint[], $11::text[],"
                        " $12::text[], $13::bigint[])",
                        p, 13, NULL, m->e);
    batch_reset(&w->rights_new);
    if (rc == 0 && w->encs.n && (rc = batch_params(&w->encs, p)) == 0)
        rc = store_exec(m->c,
                        "INSERT INTO encumbrances (right_id, kind, reg_number, reg_date)"
                        " SELECT r.id, u.k, u.n, u.d FROM unnest($1::bigint[], $2::text[],"
                        " $3::text[], $4::text[], $5::text[], $6::text[]) AS u (p, rn, o, k, n, d)"
                        " JOIN rights r ON r.premises_id = u.p AND r.reg_number = u.rn"
                        " AND r.owner_name = u.o",
                        p, 6, NULL, m->e);
    batch_reset(&w->encs);
    if (rc == 0 && w->changes.n && (rc = batch_params(&w->changes, p)) == 0)
        rc = store_exec(m->c,
                        "INSERT INTO registry_changes (region_id, municipality_id, house_id,"
                        " premises_id, kind, old_value, new_value, changed_on, source, at)"
                        " SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[],"
                        " $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[],"
                        " $9::text[], $10::bigint[])",
                        p, 10, NULL, m->e);
    batch_reset(&w->changes);
    if (rc == 0 && w->ends.n && (rc = batch_params(&w->ends, p)) == 0) {
        p[1] = SV_T(m->o->date);
        rc = store_exec(m->c, "UPDATE rights SET end_date = $2 WHERE id = ANY ($1::bigint[])", p, 2,
                        NULL, m->e);
    }
    batch_reset(&w->ends);
    return rc ? rc : renew_batch_arena(m, w);
}

/* Adds a row to a batch, sending the batches when it is full. */
static int queue(struct imp *m, struct writer *w, struct batch *b, const struct store_val *v)
{
    if (batch_add(b, v))
        return err_set(m->e, ERR_NOMEM, "out of memory");
    return b->n >= BATCH_ROWS ? flush(m, w) : 0;
}

static int add_change(struct imp *m, struct writer *w, const struct phouse *h, int64_t pid,
                      const char *kind, const char *old_value, const char *new_value)
{
    /* The values outlive the house being written (batches are sent later). */
    if ((old_value && !(old_value = arena_strdup(w->ba, old_value))) ||
        (new_value && !(new_value = arena_strdup(w->ba, new_value))))
        return err_set(m->e, ERR_NOMEM, "out of memory");
    struct store_val p[] = {SV_I(h->region_id), SV_I(h->municipality_id),
                            SV_I(h->id),        SV_I(pid),
                            SV_T(kind),         SV_T(old_value),
                            SV_T(new_value),    SV_T(m->o->date),
                            SV_T(m->source),    SV_I(m->now)};
    m->res->changes++;
    return queue(m, w, &w->changes, p);
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Owner names sorted, each once, joined by "; "; NULL for none. */
static const char *join_names(struct arena *a, const char **names, int n)
{
    if (n == 0)
        return NULL;
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(names[i]) + 2;
    char *out = arena_alloc(a, len), *p = out;
    for (int i = 0; out && i < n; i++) {
        if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
            continue;
        p += sprintf(p, "%s%s", p == out ? "" : "; ", names[i]);
    }
    return out;
}

static const char *current_owners(struct arena *a, const struct epremises *ep)
{
    const char *names[64];
    int n = 0;
    for (const struct eright *r = ep ? ep->rights : NULL; r && n < 64; r = r->next)
        if (!r->end_date)
            names[n++] = r->owner_name;
    return join_names(a, names, n);
}

static const char *file_owners(struct arena *a, const struct pgroup *g)
{
    const char *names[64];
    int n = 0;
    for (const struct prow *r = g->rows; r && n < 64; r = r->next)
        if (r->right_type)
            names[n++] = r->owner;
    return join_names(a, names, n);
}

/* Creates the premises of g, or updates the stored one where the file says
 * otherwise (a value the file leaves empty is kept), recording an area change. */
static int write_premises(struct imp *m, struct writer *w, struct pgroup *g)
{
    const struct phouse *h = g->house;
    struct epremises *ep =
        ht_find(&w->by_number, hash_str(HASH_SEED, g->number), ep_number_eq, g->number);
    g->ep = ep;
    g->pid = 0;
    if (!ep) {
        struct store_val p[] = {SV_I(h->id),
                                SV_I(h->region_id),
                                SV_I(h->municipality_id),
                                SV_T(g->number),
                                SV_T(premises_kinds[g->kind]),
                                SV_I(g->area),
                                SV_T(g->cadastral),
                                g->entrance == NONE ? SV_NULLV : SV_I(g->entrance),
                                g->floor == NONE ? SV_NULLV : SV_I(g->floor),
                                SV_I(m->now),
                                SV_I(m->now)};
        m->res->premises_created++;
        if (w->pg)
            return batch_add(&w->premises, p) ? err_set(m->e, ERR_NOMEM, "out of memory") : 0;
        g->pid = w->next_premises++;
        struct store_val q[12] = {SV_I(g->pid)};
        memcpy(q + 1, p, sizeof p);
        return queue(m, w, &w->premises, q);
    }
    g->pid = ep->id;
    ep->seen = true;
    const char *cadastral = g->cadastral ? g->cadastral : ep->cadastral;
    int64_t entrance = g->entrance != NONE ? g->entrance : ep->entrance;
    int64_t floor = g->floor != NONE ? g->floor : ep->floor;
    if (g->kind == ep->kind && g->area == ep->area && same_text(cadastral, ep->cadastral) &&
        entrance == ep->entrance && floor == ep->floor)
        return 0;
    struct store_val p[] = {SV_I(ep->id),
                            SV_T(premises_kinds[g->kind]),
                            SV_I(g->area),
                            SV_T(cadastral),
                            entrance == NONE ? SV_NULLV : SV_I(entrance),
                            floor == NONE ? SV_NULLV : SV_I(floor),
                            SV_I(m->now)};
    m->res->premises_updated++;
    int rc = store_exec(m->c,
                        "UPDATE premises SET kind = $2, area = $3, cadastral_number = $4,"
                        " entrance = $5, floor = $6, updated_at = $7 WHERE id = $1",
                        p, 7, NULL, m->e);
    if (rc == 0 && g->area != ep->area) {
        char was[MONEY_FMT_SIZE], now[MONEY_FMT_SIZE];
        money_format(was, sizeof was, ep->area);
        money_format(now, sizeof now, g->area);
        rc = add_change(m, w, h, ep->id, "area", was, now);
    }
    return rc;
}

/* Sends the collected new premises (PostgreSQL) and notes their ids. */
static int flush_premises(struct imp *m, struct writer *w, const struct phouse *h)
{
    if (!w->premises.n)
        return 0;
    struct store_val p[16];
    struct store_rows *r = NULL;
    int rc = batch_params(&w->premises, p);
    if (rc == 0)
        rc = store_query(m->c,
                         "INSERT INTO premises (house_id, region_id, municipality_id, number,"
                         " kind, area, cadastral_number, entrance, floor, created_at, updated_at)"
                         " SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[],"
                         " $4::text[], $5::text[], $6::bigint[], $7::text[], $8::bigint[],"
                         " $9::bigint[], $10::bigint[], $11::bigint[]) RETURNING id, number",
                         p, 11, &r, m->e);
    batch_reset(&w->premises);
    if (rc)
        return rc;
    while (store_next(r)) {
        const char *number = store_text(r, 1);
        struct gkey k = {h, number};
        struct pgroup *g = ht_find(w->groups, group_hash(h, number), group_eq, &k);
        if (g)
            g->pid = store_int(r, 0);
    }
    store_rows_free(r);
    return 0;
}

static bool right_same(const struct eright *er, const struct prow *r)
{
    return er->owner_kind == r->owner_kind && er->right_type == r->right_type &&
           same_text(er->owner_inn, r->inn) && strcmp(er->reg_date, r->reg_date) == 0 &&
           (i128)er->share_num * r->share_den == (i128)r->share_num * er->share_den;
}

/* Makes the right's encumbrances what the file says (one or none). */
static int sync_encumbrance(struct imp *m, const struct eright *er, const struct prow *r)
{
    const struct eenc *en = er->enc;
    if (!en && !r->enc_kind)
        return 0;
    if (en && !en->next && r->enc_kind && strcmp(en->kind, r->enc_kind) == 0 &&
        same_text(en->reg_number, r->enc_number) && same_text(en->reg_date, r->enc_date))
        return 0;
    int rc = store_exec(m->c, "DELETE FROM encumbrances WHERE right_id = $1",
                        (struct store_val[]){SV_I(er->id)}, 1, NULL, m->e);
    if (rc == 0 && r->enc_kind)
        rc = store_exec(m->c,
                        "INSERT INTO encumbrances (right_id, kind, reg_number, reg_date)"
                        " VALUES ($1, $2, $3, $4)",
                        (struct store_val[]){SV_I(er->id), SV_T(r->enc_kind), SV_T(r->enc_number),
                                             SV_T(r->enc_date)},
                        4, NULL, m->e);
    return rc;
}

static int insert_right(struct imp *m, struct writer *w, const struct pgroup *g,
                        const struct prow *r)
{
    const struct phouse *h = g->house;
    struct store_val p[] = {SV_I(g->pid),
                            SV_I(h->id),
                            SV_I(h->region_id),
                            SV_I(h->municipality_id),
                            SV_T(owner_kinds[r->owner_kind]),
                            SV_T(r->owner),
                            SV_T(r->inn),
                            SV_T(right_types[r->right_type]),
                            SV_I(r->share_num),
                            SV_I(r->share_den),
                            SV_T(r->reg_number),
                            SV_T(r->reg_date),
                            SV_I(m->now)};
    m->res->rights_created++;
    if (w->pg) {
        int rc = queue(m, w, &w->rights_new, p);
        if (rc == 0 && r->enc_kind) {
            struct store_val q[] = {SV_I(g->pid),      SV_T(r->reg_number), SV_T(r->owner),
                                    SV_T(r->enc_kind), SV_T(r->enc_number), SV_T(r->enc_date)};
            rc = queue(m, w, &w->encs, q);
        }
        return rc;
    }
    int64_t id = w->next_right++;
    struct store_val q[14] = {SV_I(id)};
    memcpy(q + 1, p, sizeof p);
    int rc = queue(m, w, &w->rights_new, q);
    if (rc == 0 && r->enc_kind)
        rc = queue(m, w, &w->encs,
                   (struct store_val[]){SV_I(id), SV_T(r->enc_kind), SV_T(r->enc_number),
                                        SV_T(r->enc_date)});
    return rc;
}

static int end_right(struct imp *m, struct writer *w, const struct eright *er)
{
    m->res->rights_ended++;
    if (w->pg)
        return queue(m, w, &w->ends, (struct store_val[]){SV_I(er->id)});
    return store_exec(m->c, "UPDATE rights SET end_date = $2 WHERE id = $1",
                      (struct store_val[]){SV_I(er->id), SV_T(m->o->date)}, 2, NULL, m->e);
}

/* Makes the premises' current rights those of the file: new ones created,
 * ended ones restored, changed ones updated, absent ones ended; one `owner`
 * change when the set of rights changed. */
static int write_rights(struct imp *m, struct writer *w, struct pgroup *g)
{
    struct epremises *ep = g->ep;
    const char *before = current_owners(w->ha, ep);
    bool changed = false;
    int rc = 0;
    for (struct prow *r = g->rows; r && rc == 0; r = r->next) {
        if (!r->right_type)
            continue;
        struct rkey k = {g->pid, r->reg_number, r->owner};
        struct eright *er =
            ep ? ht_find(&w->rights, rkey_hash(g->pid, r->reg_number, r->owner), er_key_eq, &k)
               : NULL;
        if (!er) {
            rc = insert_right(m, w, g, r);
            changed = true;
            continue;
        }
        er->matched = true;
        if (er->end_date || !right_same(er, r)) {
            if (er->end_date)
                m->res->rights_created++; /* restored */
            else
                m->res->rights_updated++;
            changed = changed || er->end_date;
            struct store_val p[] = {SV_I(er->id),       SV_T(owner_kinds[r->owner_kind]),
                                    SV_T(r->inn),       SV_T(right_types[r->right_type]),
                                    SV_I(r->share_num), SV_I(r->share_den),
                                    SV_T(r->reg_date)};
            rc = store_exec(m->c,
                            "UPDATE rights SET owner_kind = $2, owner_inn = $3, right_type = $4,"
                            " share_num = $5, share_den = $6, reg_date = $7, end_date = NULL"
                            " WHERE id = $1",
                            p, 7, NULL, m->e);
        }
        if (rc == 0)
            rc = sync_encumbrance(m, er, r);
    }
    for (struct eright *er = ep ? ep->rights : NULL; er && rc == 0; er = er->next)
        if (!er->end_date && !er->matched) {
            rc = end_right(m, w, er);
            changed = true;
        }
    /* A premises this import creates has no owner before it: its first
     * rights are its starting state, not a change (the monthly notice would
     * otherwise list a whole newly loaded registry as changed owners). */
    if (rc == 0 && changed && ep)
        rc = add_change(m, w, g->house, g->pid, "owner", before, file_owners(w->ha, g));
    return rc;
}

/* Writes one house of the extract: its premises and rights as the file
 * says, and the end of every current right of its premises the file leaves
 * out (the extract is a snapshot of the house). */
static int write_house(struct imp *m, struct writer *w, struct phouse *h)
{
    int rc = load_house(m, w, h);
    bool any = false;
    for (struct pgroup *g = h->groups; g && rc == 0; g = g->next) {
        if (!g->bad_line) {
            any = true;
            continue;
        }
        /* Rejected rows: the premises stays as it is. */
        struct epremises *ep =
            ht_find(&w->by_number, hash_str(HASH_SEED, g->number), ep_number_eq, g->number);
        if (ep)
            ep->skip = true;
    }
    if (!any)
        return rc; /* every row of the house was rejected: the house stays as it is */
    for (struct pgroup *g = h->groups; g && rc == 0; g = g->next)
        if (!g->bad_line) {
            rc = write_premises(m, w, g);
            m->res->rows_applied += g->nrows;
        }
    if (rc == 0 && w->pg)
        rc = flush_premises(m, w, h);
    for (struct pgroup *g = h->groups; g && rc == 0; g = g->next)
        if (!g->bad_line)
            rc = g->pid ? write_rights(m, w, g)
                        : err_set(m->e, ERR_DB, "premises %s: no id returned", g->number);
    for (struct epremises *ep = w->list; ep && rc == 0; ep = ep->next) {
        if (ep->seen || ep->skip || h->incomplete)
            continue;
        const char *before = current_owners(w->ha, ep);
        for (struct eright *er = ep->rights; er && rc == 0; er = er->next)
            if (!er->end_date)
                rc = end_right(m, w, er);
        if (rc == 0 && before)
            rc = add_change(m, w, h, ep->id, "owner", before, NULL);
    }
    return rc;
}

static int import_premises(struct imp *m)
{
    struct pread pr = {0};
    struct csv_record rec;
    int rc;
    while ((rc = csv_next(m->csv, &rec, m->e)) == 1) {
        m->res->rows++;
        if ((rc = read_values(m, &rec)) == 0)
            rc = premises_row(m, &pr);
        if (rc)
            break;
        if (m->res->rows % PROGRESS_ROWS == 0)
            progress(m, "чтение", csv_offset(m->csv), csv_size(m->csv));
    }
    if (rc < 0) {
        rc = csv_failed(m, rc) ? rc : ERR_INVALID;
    } else if (m->nerr && !m->o->skip_invalid) {
        rc = ERR_INVALID;
    } else {
        progress(m, "чтение", csv_size(m->csv), csv_size(m->csv));
        bool pg = store_conn_backend(m->c) == STORE_POSTGRES;
        struct writer w = {.pg = pg, .groups = &pr.groups};
        w.premises = (struct batch){.ncols = pg ? 11 : 12, .pg = pg, .table = LS_PREMISES};
        w.rights_new = (struct batch){.ncols = pg ? 13 : 14, .pg = pg, .table = LS_RIGHTS};
        w.encs = (struct batch){.ncols = pg ? 6 : 4, .pg = pg, .table = LS_ENCS};
        w.changes = (struct batch){.ncols = 10, .pg = pg, .table = LS_CHANGES};
        w.ends = (struct batch){.ncols = 1, .pg = pg};
        int64_t done = 0;
        if (!(w.ba = arena_new()))
            rc = err_set(m->e, ERR_NOMEM, "out of memory");
        if (rc == 0 && !w.pg &&
            ((rc = store_query_int(m->c, "SELECT COALESCE(MAX(id), 0) + 1 FROM premises", NULL, 0,
                                   &w.next_premises, m->e)) ||
             (rc = store_query_int(m->c, "SELECT COALESCE(MAX(id), 0) + 1 FROM rights", NULL, 0,
                                   &w.next_right, m->e))))
            w.next_premises = 0;
        for (struct phouse *h = pr.houses; h && rc == 0; h = h->next) {
            rc = write_house(m, &w, h);
            progress(m, "запись", ++done, m->res->houses);
        }
        if (rc == 0)
            rc = flush(m, &w);
        arena_free(w.ha);
        arena_free(w.ba);
        ht_free(&w.by_number);
        ht_free(&w.by_id);
        ht_free(&w.rights);
        ht_free(&w.rights_by_id);
        batch_free(&w.premises);
        batch_free(&w.rights_new);
        batch_free(&w.encs);
        batch_free(&w.changes);
        batch_free(&w.ends);
        m->res->rows_rejected = m->res->rows - m->res->rows_applied;
    }
    if (rc == 0 && m->res->rows_rejected) {
        /* Every row of a rejected premises goes, with the reason for those
         * rows that have no error of their own. */
        size_t n = pr.norphans;
        for (struct phouse *h = pr.houses; h; h = h->next)
            for (struct pgroup *g = h->groups; g; g = g->next)
                n += g->bad_line ? (size_t)g->nrows : 0;
        struct rejected *rej = arena_alloc(m->a, sizeof *rej * (n ? n : 1));
        if (!rej)
            rc = err_set(m->e, ERR_NOMEM, "out of memory");
        size_t k = 0;
        for (size_t i = 0; rc == 0 && i < pr.norphans; i++)
            rej[k++] = (struct rejected){pr.orphans[i], NULL};
        for (struct phouse *h = pr.houses; rc == 0 && h; h = h->next)
            for (struct pgroup *g = h->groups; g; g = g->next) {
                if (!g->bad_line)
                    continue;
                const char *why = arena_printf(m->a,
                                               "помещение «%s» отклонено целиком из-за ошибки в"
                                               " строке %ld",
                                               g->number, g->bad_line);
                for (struct prow *r = g->rows; r; r = r->next)
                    rej[k++] = (struct rejected){r->line, why};
            }
        if (rc == 0) {
            if (m->nerr)
                qsort(m->errors, m->nerr, sizeof *m->errors, cmp_errors);
            rc = write_rejected(m, rej, k);
        }
    }
    ht_free(&pr.groups);
    free(pr.orphans);
    return rc;
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
