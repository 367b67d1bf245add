/* payments_import.c — the bank registry file (docs/payments.md "Bank
 * registry"): a CSV file of payments, refunds and reversals of one
 * organization's accounts, read by src/base/csv.h and written in the
 * caller's transaction, all or nothing.
 *
 * The file is read whole first (rows in memory, their text in the arena),
 * then checked in bulk: the accounts and the entries already booked are
 * looked up a few thousand keys a query (a JSON array read by json_each on
 * SQLite, a TEXT[] on PostgreSQL), each row is judged by the rules of
 * pay_book against the store and the other rows, and only a file without
 * errors is written: ids are taken up front (max(id) + 1 under SQLite's
 * write lock; the identity sequence on PostgreSQL) so a reversal can name a
 * payment of the same file, then the new rows go in as multi-row INSERTs
 * (SQLite) or unnest() arrays (PostgreSQL). Rows booked before with the same
 * data are counted and skipped: a repeated file adds nothing. */
#include "billing/payments_impl.h"

#include "base/csv.h"
#include "base/money.h"
#include "base/text.h"

#include <assert.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOOKUP_KEYS 5000 /* keys per lookup query */
#define LITE_ROWS 128    /* rows per SQLite INSERT */
#define PG_ROWS 10000    /* rows per PostgreSQL INSERT … unnest() */
#define INSERT_COLS 15

enum pcol {
    C_ID,
    C_DATE,
    C_ACCOUNT,
    C_AMOUNT,
    C_PERIOD,
    C_KIND,
    C_REVERSES,
    C_N
};

/* Column names, folded (lower case, spaces as '_'), synonyms separated by '|'. */
static const char *const column_words[C_N] = {
    "payment_id|id_платежа|номер_платежа|идентификатор_платежа",
    "date|дата|дата_платежа",
    "account|лицевой_счёт|лицевой_счет|лс|елс|els",
    "amount|сумма",
    "period|период",
    "kind|вид|вид_операции",
    "reverses|сторнирует|отменяемый_платёж|отменяемый_платеж",
};

enum row_state {
    R_BAD,     /* has an error */
    R_NEW,     /* to be written */
    R_PRESENT, /* booked before with the same data, or repeated in the file */
};

struct prow {
    long line;
    const char *ext_id, *account, *rev_ext; /* arena; rev_ext NULL unless a reversal */
    char paid_on[DATE_STR_SIZE];
    int64_t amount; /* kopecks; 0: a reversal's amount is the payment's */
    int period;
    enum payment_kind kind;
    enum row_state state;
    int acc;          /* index into accounts, or -1 */
    int64_t id;       /* the new id, or the stored entry's */
    int64_t reverses; /* the cancelled payment's id */
    int prev_same;    /* the previous new row of the same account, or -1 */
};

struct pacc {
    int64_t id, region_id, municipality_id;
    char opened_on[DATE_STR_SIZE];
    int last_new; /* the last new row of the account, or -1 */
};

/* A stored entry found by its ext_id. */
struct pstored {
    struct payment p;
};

/* A map from text to an index, open addressing; keys live in the arena. */
struct smap {
    size_t cap, n;
    const char **k;
    int *v;
};

struct pimp {
    struct store_conn *c;
    const struct pay_import_opts *o;
    struct arena *a;
    struct pay_import_result *res;
    struct err *e;
    struct csv *csv;
    bool pg;
    int64_t org_id;
    char today[DATE_STR_SIZE];
    int col[C_N]; /* field index of each column, -1 if absent */
    int header_n;
    long line;
    struct prow *rows;
    size_t nrows, caprows;
    struct pacc *accs;
    size_t naccs, capaccs;
    struct pstored *stored;
    size_t nstored, capstored;
    struct smap by_els, by_number, by_ext, stored_ext, file_reversed;
    struct pay_import_error *errors;
    size_t nerr, caperr;
};

/* ------------------------------------------------------------------ map */

static uint64_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static int smap_get(const struct smap *m, const char *k)
{
    if (!m->cap)
        return -1;
    for (size_t i = hash_text(k) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->k[i])
            return -1;
        if (strcmp(m->k[i], k) == 0)
            return m->v[i];
    }
}

static int smap_grow(struct smap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1024;
    const char **k = calloc(cap, sizeof *k);
    int *v = calloc(cap, sizeof *v);
    if (!k || !v) {
        free(k);
        free(v);
        return ERR_NOMEM;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->k[i])
            continue;
        size_t j = hash_text(m->k[i]) & (cap - 1);
        while (k[j])
            j = (j + 1) & (cap - 1);
        k[j] = m->k[i];
        v[j] = m->v[i];
    }
    free(m->k);
    free(m->v);
    *m = (struct smap){cap, m->n, k, v};
    return 0;
}

/* Adds k → v unless k is there; *old gets the index already there or -1. */
static int smap_put(struct smap *m, const char *k, int v, int *old)
{
    if ((m->n + 1) * 2 > m->cap && smap_grow(m))
        return ERR_NOMEM;
    size_t i = hash_text(k) & (m->cap - 1);
    while (m->k[i] && strcmp(m->k[i], k) != 0)
        i = (i + 1) & (m->cap - 1);
    if (m->k[i]) {
        *old = m->v[i];
        return 0;
    }
    m->k[i] = k;
    m->v[i] = v;
    m->n++;
    *old = -1;
    return 0;
}

static void smap_free(struct smap *m)
{
    free(m->k);
    free(m->v);
    memset(m, 0, sizeof *m);
}

/* Room for one more element in a malloc'ed array. */
static int grow(void **items, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 1024;
    void *p = realloc(*items, ncap * size);
    if (!p)
        return ERR_NOMEM;
    *items = p;
    *cap = ncap;
    return 0;
}

/* ------------------------------------------------------------------ errors */

static int add_verror(struct pimp *m, long line, int col, const char *fmt, va_list ap)
{
    if (grow((void **)&m->errors, &m->caperr, m->nerr, sizeof *m->errors))
        return err_set(m->e, ERR_NOMEM, "out of memory");
    char *msg = arena_vprintf(m->a, fmt, ap);
    if (!msg)
        return err_set(m->e, ERR_NOMEM, "out of memory");
    m->errors[m->nerr++] = (struct pay_import_error){line, col, msg};
    return 0;
}

/* An error of the file (the header, the CSV itself); returns rc_after or a
 * negative code when out of memory. */
static int file_error(struct pimp *m, int rc_after, long line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int file_error(struct pimp *m, int rc_after, long line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = add_verror(m, line, col, fmt, ap);
    va_end(ap);
    return rc ? rc : rc_after;
}

/* The field number (from 1) of a column, 0 if the file has none. */
static int colno(const struct pimp *m, enum pcol k)
{
    return m->col[k] >= 0 ? m->col[k] + 1 : 0;
}

/* An error of row x at field col (from 1; 0: the whole row); the row is
 * bad. Returns 0, or a negative code when out of memory. */
static int row_error(struct pimp *m, struct prow *x, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int row_error(struct pimp *m, struct prow *x, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = add_verror(m, x->line, col, fmt, ap);
    va_end(ap);
    x->state = R_BAD;
    return rc;
}

/* ------------------------------------------------------------------ reading */

/* Trims spaces (and U+00A0) around s, in place. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t' || ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xa0))
        s += *s == '\xc2' ? 2 : 1;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    while (n > 1 && (unsigned char)s[n - 2] == 0xc2 && (unsigned char)s[n - 1] == 0xa0)
        n -= 2;
    s[n] = '\0';
    return s;
}

/* Lower case, spaces as '_': "Дата платежа" → "дата_платежа". */
static const char *fold(struct pimp *m, const char *s)
{
    char *low = text_lower(m->a, s);
    for (char *p = low; p && *p; p++)
        if (*p == ' ')
            *p = '_';
    return low ? low : "";
}

static bool is_word(const char *words, const char *s)
{
    size_t n = strlen(s);
    while (*words) {
        size_t len = strcspn(words, "|");
        if (len == n && strncmp(words, s, n) == 0)
            return true;
        words += len + (words[len] == '|');
    }
    return false;
}

static int read_header(struct pimp *m, const struct csv_record *rec)
{
    for (int k = 0; k < C_N; k++)
        m->col[k] = -1;
    m->header_n = rec->n;
    int rc = 0;
    for (int i = 0; i < rec->n && rc == 0; i++) {
        const char *name = fold(m, trim(rec->field[i]));
        int k = 0;
        while (k < C_N && !is_word(column_words[k], name))
            k++;
        if (k == C_N)
            rc = file_error(m, 0, rec->line, i + 1,
                            "неизвестный столбец «%s»: ожидаются payment_id, date, account, "
                            "amount, period, kind, reverses",
                            rec->field[i]);
        else if (m->col[k] >= 0)
            rc = file_error(m, 0, rec->line, i + 1, "столбец «%s» повторяется", rec->field[i]);
        else
            m->col[k] = i;
    }
    static const char *const required[] = {"payment_id", "date", "account", "amount"};
    for (int k = 0; k <= C_AMOUNT && rc == 0; k++)
        if (m->col[k] < 0)
            rc = file_error(m, 0, rec->line, 0, "нет обязательного столбца «%s»", required[k]);
    return rc;
}

static const char *value_of(const struct pimp *m, const struct csv_record *rec, enum pcol k)
{
    return m->col[k] >= 0 && m->col[k] < rec->n ? trim(rec->field[m->col[k]]) : "";
}

/* "YYYY-MM-DD" or "DD.MM.YYYY" into out as YYYY-MM-DD. */
static bool parse_day(const char *s, char out[DATE_STR_SIZE])
{
    struct date d;
    if (date_parse(s, &d, NULL) == 0)
        return date_format(d, out) == 0;
    int n = 0;
    if (strlen(s) != 10 || s[2] != '.' || s[5] != '.' ||
        sscanf(s, "%2d.%2d.%4d%n", &d.d, &d.m, &d.y, &n) != 3 || n != 10)
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 2 && i != 5 && (s[i] < '0' || s[i] > '9'))
            return false;
    return date_valid(d) && date_format(d, out) == 0;
}

/* "YYYY-MM" or "MM.YYYY". */
static bool parse_period(const char *s, int *out)
{
    if (date_period_parse(s, out, NULL) == 0)
        return true;
    int y, mo, n = 0;
    if (strlen(s) != 7 || s[2] != '.' || sscanf(s, "%2d.%4d%n", &mo, &y, &n) != 2 || n != 7)
        return false;
    for (int i = 0; i < 7; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9'))
            return false;
    if (y < 1 || mo < 1 || mo > 12)
        return false;
    *out = date_period(y, mo);
    return true;
}

static enum pcol field_col(const char *field)
{
    if (strcmp(field, "ext_id") == 0)
        return C_ID;
    if (strcmp(field, "paid_on") == 0)
        return C_DATE;
    if (strcmp(field, "amount") == 0)
        return C_AMOUNT;
    if (strcmp(field, "reverses") == 0)
        return C_REVERSES;
    return C_ACCOUNT;
}

/* Reads one data row into a new struct prow; syntax errors are recorded on
 * it. Returns 0 or a negative code. */
static int read_row(struct pimp *m, const struct csv_record *rec)
{
    if (grow((void **)&m->rows, &m->caprows, m->nrows, sizeof *m->rows))
        return err_set(m->e, ERR_NOMEM, "out of memory");
    struct prow *x = &m->rows[m->nrows++];
    *x = (struct prow){.line = rec->line, .state = R_NEW, .acc = -1, .prev_same = -1};
    const char *id = value_of(m, rec, C_ID), *day = value_of(m, rec, C_DATE),
               *acc = value_of(m, rec, C_ACCOUNT), *amount = value_of(m, rec, C_AMOUNT),
               *period = value_of(m, rec, C_PERIOD), *kind = value_of(m, rec, C_KIND),
               *rev = value_of(m, rec, C_REVERSES);
    x->ext_id = arena_strdup(m->a, id);
    x->account = arena_strdup(m->a, acc);
    if (!x->ext_id || !x->account)
        return err_set(m->e, ERR_NOMEM, "out of memory");
    for (int i = m->header_n; i < rec->n; i++)
        if (*trim(rec->field[i]))
            return row_error(m, x, i + 1, "лишнее поле «%s»: в заголовке %d столбцов",
                             rec->field[i], m->header_n);
    int rc = 0;
    if (!*acc)
        rc = row_error(m, x, colno(m, C_ACCOUNT),
                       "не указан лицевой счёт (ЕЛС или номер в организации)");
    if (rc == 0 && *kind && pay_kind_parse(kind, &x->kind))
        rc = row_error(m, x, colno(m, C_KIND),
                       "вид операции: оплата, возврат или сторно, а не «%s»", kind);
    if (rc == 0 && !*kind && *rev)
        x->kind = PAY_REVERSAL; /* naming the cancelled payment makes a reversal */
    if (rc == 0 && x->kind == PAY_REVERSAL && !*rev)
        rc = row_error(m, x, colno(m, m->col[C_REVERSES] >= 0 ? C_REVERSES : C_KIND),
                       "у сторно укажите payment_id отменяемого платежа (столбец reverses)");
    if (rc == 0 && x->kind != PAY_REVERSAL && *rev)
        rc = row_error(m, x, colno(m, C_REVERSES),
                       "отменяемый платёж указывают только у сторно, а строка — %s",
                       x->kind == PAY_REFUND ? "возврат" : "оплата");
    if (rc == 0 && *rev && !(x->rev_ext = arena_strdup(m->a, rev)))
        return err_set(m->e, ERR_NOMEM, "out of memory");
    if (rc == 0 && *period && !parse_period(period, &x->period))
        rc = row_error(m, x, colno(m, C_PERIOD), "период: ГГГГ-ММ или ММ.ГГГГ, а не «%s»", period);
    if (rc == 0 && !*day)
        rc = row_error(m, x, colno(m, C_DATE), "не указана дата платежа");
    if (rc == 0 && !parse_day(day, x->paid_on))
        rc = row_error(m, x, colno(m, C_DATE), "дата: ГГГГ-ММ-ДД или ДД.ММ.ГГГГ, а не «%s»", day);
    if (rc == 0 && !*amount && x->kind != PAY_REVERSAL)
        rc = row_error(m, x, colno(m, C_AMOUNT), "не указана сумма");
    if (rc == 0 && *amount && money_parse(amount, &x->amount, NULL))
        rc = row_error(m, x, colno(m, C_AMOUNT),
                       "сумма в рублях, например 1234.56 или 1234,56, а не «%s»", amount);
    if (rc || x->state == R_BAD)
        return rc;
    /* The rules every entry obeys (pay_check), with the file's columns. */
    struct pay_req q = {.account_number = x->account,
                        .ext_id = x->ext_id,
                        .kind = x->kind,
                        .paid_on = x->paid_on,
                        .amount = x->amount,
                        .period = x->period,
                        .reverses = x->kind == PAY_REVERSAL};
    struct field_errors fe = {0};
    pay_check(&q, m->today, &fe);
    for (int i = 0; i < fe.n && rc == 0; i++)
        rc = row_error(m, x, colno(m, field_col(fe.e[i].field)), "%s", fe.e[i].message);
    return rc;
}

static int read_rows(struct pimp *m)
{
    struct csv_record rec;
    int rc;
    int64_t size = csv_size(m->csv);
    while ((rc = csv_next(m->csv, &rec, m->e)) == 1) {
        m->line = rec.line;
        m->res->rows++;
        if ((rc = read_row(m, &rec)) < 0)
            return rc;
        if (m->o->progress && (m->res->rows & 4095) == 0)
            m->o->progress(m->o->progress_ctx, "чтение", csv_offset(m->csv), size);
    }
    if (rc == ERR_INVALID) { /* broken CSV: no later row can be trusted */
        long line;
        int col;
        csv_error_pos(m->csv, &line, &col);
        return file_error(m, ERR_INVALID, line, col, "%s", m->e->msg);
    }
    return rc;
}

/* ------------------------------------------------------------------ lookups */

/* The keys [from, to) of list as one parameter: a JSON array (SQLite) or
 * an array literal (PostgreSQL), malloc'ed. */
static char *key_param(bool pg, const char *const *keys, size_t n)
{
    if (pg) {
        char *buf = NULL;
        size_t len = 0, cap = 0;
        for (size_t i = 0; i < n; i++) {
            struct store_val v = SV_S(keys[i]);
            if (store_array_append(&buf, &len, &cap, &v, i == 0)) {
                free(buf);
                return NULL;
            }
        }
        if (store_array_close(&buf, &len, &cap)) {
            free(buf);
            return NULL;
        }
        return buf;
    }
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
        if (json_array_append_new(arr, json_string(keys[i]))) {
            json_decref(arr);
            return NULL;
        }
    char *text = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
    json_decref(arr);
    return text;
}

typedef int (*row_fn)(struct pimp *m, struct store_rows *r);

/* Runs sql ($1 the organization, $2 the keys) over the distinct keys in
 * chunks of LOOKUP_KEYS, calling fn for every row. */
static int lookup(struct pimp *m, const char *sql_lite, const char *sql_pg, const char **keys,
                  size_t n, row_fn fn)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i += LOOKUP_KEYS) {
        size_t k = n - i < LOOKUP_KEYS ? n - i : LOOKUP_KEYS;
        char *list = key_param(m->pg, keys + i, k);
        if (!list)
            return err_set(m->e, ERR_NOMEM, "out of memory");
        struct store_val p[] = {SV_I(m->org_id), SV_S(list)};
        struct store_rows *r = NULL;
        rc = store_query(m->c, m->pg ? sql_pg : sql_lite, p, 2, &r, m->e);
        while (rc == 0 && store_next(r))
            rc = fn(m, r);
        store_rows_free(r);
        free(list);
    }
    return rc;
}

static int account_row(struct pimp *m, struct store_rows *r)
{
    if (grow((void **)&m->accs, &m->capaccs, m->naccs, sizeof *m->accs))
        return err_set(m->e, ERR_NOMEM, "out of memory");
    struct pacc *x = &m->accs[m->naccs];
    *x = (struct pacc){store_int(r, 0), store_int(r, 3), store_int(r, 4), "", -1};
    snprintf(x->opened_on, sizeof x->opened_on, "%s", store_text(r, 5) ? store_text(r, 5) : "");
    const char *els = store_dup(r, 1, m->a), *number = store_dup(r, 2, m->a);
    int old, idx = (int)m->naccs++;
    if (els && smap_put(&m->by_els, els, idx, &old))
        return err_set(m->e, ERR_NOMEM, "out of memory");
    if (number && smap_put(&m->by_number, number, idx, &old))
        return err_set(m->e, ERR_NOMEM, "out of memory");
    return 0;
}

static int stored_row(struct pimp *m, struct store_rows *r)
{
    if (grow((void **)&m->stored, &m->capstored, m->nstored, sizeof *m->stored))
        return err_set(m->e, ERR_NOMEM, "out of memory");
    struct pstored *x = &m->stored[m->nstored];
    struct payment *p = &x->p;
    *x = (struct pstored){0};
    p->id = store_int(r, 0);
    p->ext_id = store_dup(r, 1, m->a);
    p->account_id = store_int(r, 2);
    if (pay_kind_parse(store_text(r, 3), &p->kind))
        p->kind = PAY_PAYMENT;
    p->paid_on = store_dup(r, 4, m->a);
    p->amount = store_int(r, 5);
    p->period = pay_period_stored(store_text(r, 6));
    p->reverses = store_isnull(r, 7) ? 0 : store_int(r, 7);
    int old;
    if (!p->ext_id || !p->paid_on || smap_put(&m->stored_ext, p->ext_id, (int)m->nstored, &old))
        return err_set(m->e, ERR_NOMEM, "out of memory");
    m->nstored++;
    return 0;
}

#define ACCOUNTS_SQL(WHERE)                                                                        \
    "SELECT a.id, a.els, a.number, a.region_id, a.municipality_id, a.opened_on FROM accounts a"    \
    " WHERE a.org_id = $1 AND " WHERE

#define STORED_SQL(WHERE)                                                                          \
    "SELECT y.id, y.ext_id, y.account_id, y.kind, y.paid_on, y.amount, y.period, y.reverses"       \
    " FROM payments y WHERE y.org_id = $1 AND " WHERE

/* The accounts the rows name (by ЕЛС, then by number) and the entries of
 * the organization with the rows' ids or the ids they reverse. */
static int look_up(struct pimp *m)
{
    struct smap seen = {0}, seen_ext = {0};
    const char **keys = malloc(sizeof *keys * (m->nrows + 1)),
               **exts = malloc(sizeof *exts * (2 * m->nrows + 1));
    size_t nk = 0, ne = 0;
    int rc = keys && exts ? 0 : err_set(m->e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < m->nrows; i++) {
        const struct prow *x = &m->rows[i];
        int old;
        if (*x->account && (rc = smap_put(&seen, x->account, 0, &old)) == 0 && old < 0)
            keys[nk++] = x->account;
        if (rc == 0 && *x->ext_id && (rc = smap_put(&seen_ext, x->ext_id, 0, &old)) == 0 && old < 0)
            exts[ne++] = x->ext_id;
        if (rc == 0 && x->rev_ext && (rc = smap_put(&seen_ext, x->rev_ext, 0, &old)) == 0 &&
            old < 0)
            exts[ne++] = x->rev_ext;
        if (rc)
            rc = err_set(m->e, ERR_NOMEM, "out of memory");
    }
    if (rc == 0)
        rc = lookup(m, ACCOUNTS_SQL("a.els IN (SELECT value FROM json_each($2))"),
                    ACCOUNTS_SQL("a.els = ANY(CAST($2 AS TEXT[]))"), keys, nk, account_row);
    if (rc == 0)
        rc = lookup(m, ACCOUNTS_SQL("a.number IN (SELECT value FROM json_each($2))"),
                    ACCOUNTS_SQL("a.number = ANY(CAST($2 AS TEXT[]))"), keys, nk, account_row);
    if (rc == 0)
        rc = lookup(m, STORED_SQL("y.ext_id IN (SELECT value FROM json_each($2))"),
                    STORED_SQL("y.ext_id = ANY(CAST($2 AS TEXT[]))"), exts, ne, stored_row);
    free(keys);
    free(exts);
    smap_free(&seen);
    smap_free(&seen_ext);
    return rc;
}

/* ------------------------------------------------------------------ judging */

static const char *money_text(struct pimp *m, int64_t kopecks)
{
    char buf[MONEY_FMT_SIZE];
    money_format(buf, sizeof buf, kopecks);
    return arena_strdup(m->a, buf);
}

/* Whether row y repeats row x (the same entry twice in the file). */
static bool same_row(const struct prow *x, const struct prow *y)
{
    return x->acc == y->acc && x->kind == y->kind && strcmp(x->paid_on, y->paid_on) == 0 &&
           x->amount == y->amount && x->period == y->period &&
           strcmp(x->rev_ext ? x->rev_ext : "", y->rev_ext ? y->rev_ext : "") == 0;
}

/* The id a reversal's rev_ext stands for: a stored entry's, or -1. */
static int64_t stored_id_of(const struct pimp *m, const char *ext)
{
    int i = ext ? smap_get(&m->stored_ext, ext) : -1;
    return i >= 0 ? m->stored[i].p.id : -1;
}

/* The account, the repeats (in the file and in the store), the opening
 * date: every row ends R_NEW, R_PRESENT or R_BAD. */
static int judge_row(struct pimp *m, size_t i)
{
    struct prow *x = &m->rows[i];
    int e = smap_get(&m->by_els, x->account);
    x->acc = e >= 0 ? e : smap_get(&m->by_number, x->account);
    if (x->acc < 0)
        return row_error(m, x, colno(m, C_ACCOUNT),
                         "лицевой счёт «%s» не найден в организации (ни ЕЛС, ни "
                         "номер счёта)",
                         x->account);
    const struct pacc *acc = &m->accs[x->acc];
    int first;
    if (smap_put(&m->by_ext, x->ext_id, (int)i, &first))
        return err_set(m->e, ERR_NOMEM, "out of memory");
    if (first >= 0) {
        const struct prow *f = &m->rows[first];
        if (f->state == R_BAD || !same_row(f, x))
            return row_error(m, x, colno(m, C_ID),
                             "платёж «%s» уже есть в строке %ld с другими данными", x->ext_id,
                             f->line);
        x->state = R_PRESENT;
        x->id = f->id;
        return 0;
    }
    int s = smap_get(&m->stored_ext, x->ext_id);
    if (s >= 0) {
        const struct payment *p = &m->stored[s].p;
        struct pay_key k = {acc->id,   x->kind,   x->paid_on,
                            x->amount, x->period, x->rev_ext ? stored_id_of(m, x->rev_ext) : 0};
        char diff[400];
        if (pay_differs(p, &k, diff, sizeof diff))
            return row_error(m, x, colno(m, C_ID),
                             "платёж «%s» уже проведён (№ %lld) с другими данными: %s", x->ext_id,
                             (long long)p->id, diff);
        x->state = R_PRESENT;
        x->id = p->id;
        return 0;
    }
    if (strcmp(x->paid_on, acc->opened_on) < 0)
        return row_error(m, x, colno(m, C_DATE), "дата платежа раньше открытия лицевого счёта (%s)",
                         acc->opened_on);
    x->prev_same = m->accs[x->acc].last_new;
    m->accs[x->acc].last_new = (int)i;
    return 0;
}

/* A new reversal: the payment it cancels (of the file or stored) is a
 * payment of the same account, dated no later, not reversed yet, for the
 * same amount. */
static int judge_reversal(struct pimp *m, size_t i)
{
    struct prow *x = &m->rows[i];
    int rc = pay_lock_account(m->c, m->accs[x->acc].id, m->e);
    if (rc)
        return rc;
    int f = smap_get(&m->by_ext, x->rev_ext), s = smap_get(&m->stored_ext, x->rev_ext);
    const struct prow *fr = f >= 0 ? &m->rows[f] : NULL;
    if (fr && fr->state == R_BAD)
        return row_error(m, x, colno(m, C_REVERSES),
                         "отменяемый платёж «%s» (строка %ld) с ошибкой", x->rev_ext, fr->line);
    if (fr && fr->state == R_PRESENT)
        fr = NULL; /* booked before: judged as stored */
    if (!fr && s < 0)
        return row_error(m, x, colno(m, C_REVERSES),
                         "отменяемый платёж «%s» не найден ни в файле, ни среди проведённых",
                         x->rev_ext);
    const struct payment *sp = NULL;
    enum payment_kind kind;
    int64_t account, amount;
    const char *paid_on;
    if (fr) {
        kind = fr->kind;
        account = m->accs[fr->acc].id;
        amount = fr->amount;
        paid_on = fr->paid_on;
    } else {
        sp = &m->stored[s].p;
        kind = sp->kind;
        account = sp->account_id;
        amount = sp->amount;
        paid_on = sp->paid_on;
    }
    if (kind != PAY_PAYMENT)
        return row_error(m, x, colno(m, C_REVERSES),
                         "сторнировать можно только оплату, а «%s» — %s", x->rev_ext,
                         kind == PAY_REFUND ? "возврат" : "сторно");
    if (account != m->accs[x->acc].id)
        return row_error(m, x, colno(m, C_REVERSES),
                         "платёж «%s» проведён по другому лицевому счёту", x->rev_ext);
    int64_t by = 0;
    if (sp) { /* a stored payment's own reversal, if any */
        struct store_val p[] = {SV_I(sp->account_id), SV_I(sp->id)};
        rc = store_query_int(m->c,
                             "SELECT min(id) FROM payments WHERE account_id = $1"
                             " AND reverses = $2",
                             p, 2, &by, m->e);
        if (rc)
            return rc;
    }
    if (by)
        return row_error(m, x, colno(m, C_REVERSES), "платёж «%s» уже сторнирован (№ %lld)",
                         x->rev_ext, (long long)by);
    int other;
    if (smap_put(&m->file_reversed, x->rev_ext, (int)i, &other))
        return err_set(m->e, ERR_NOMEM, "out of memory");
    if (other >= 0)
        return row_error(m, x, colno(m, C_REVERSES), "платёж «%s» уже сторнирован в строке %ld",
                         x->rev_ext, m->rows[other].line);
    if (x->amount && x->amount != amount)
        return row_error(m, x, colno(m, C_AMOUNT),
                         "сумма сторно должна равняться сумме платежа «%s»: %s "
                         "₽",
                         x->rev_ext, money_text(m, amount));
    if (strcmp(x->paid_on, paid_on) < 0)
        return row_error(m, x, colno(m, C_DATE), "сторно не раньше платежа «%s» (%s)", x->rev_ext,
                         paid_on);
    x->amount = amount;
    return 0;
}

/* A new refund leaves the money received by its date not negative: the
 * stored entries up to that date and the new rows of the account dated no
 * later (this one included). */
static int judge_refund(struct pimp *m, size_t i)
{
    struct prow *x = &m->rows[i];
    struct store_val p[] = {SV_I(m->accs[x->acc].id), SV_S(x->paid_on)};
    struct store_rows *r = NULL;
    int rc = pay_lock_account(m->c, m->accs[x->acc].id, m->e);
    if (rc == 0)
        rc = store_query(m->c, PAY_RECEIVED_SQL, p, 2, &r, m->e);
    if (rc)
        return rc;
    int64_t received = 0, refunded = 0;
    if (store_next(r)) {
        received = store_int(r, 0);
        refunded = store_int(r, 1);
    }
    store_rows_free(r);
    for (int j = m->accs[x->acc].last_new; j >= 0; j = m->rows[j].prev_same) {
        const struct prow *y = &m->rows[j];
        if (y->state == R_BAD || strcmp(y->paid_on, x->paid_on) > 0)
            continue;
        if (y->kind == PAY_REFUND)
            refunded += y->amount;
        else
            received += y->kind == PAY_PAYMENT ? y->amount : -y->amount;
    }
    if (received - refunded >= 0)
        return 0;
    return row_error(m, x, colno(m, C_AMOUNT),
                     "возврат %s ₽ не покрыт: к %s поступило %s ₽, "
                     "возвратов с этим %s ₽",
                     money_text(m, x->amount), x->paid_on, money_text(m, received),
                     money_text(m, refunded));
}

static int judge(struct pimp *m)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < m->nrows; i++)
        if (m->rows[i].state == R_NEW)
            rc = judge_row(m, i);
    for (size_t i = 0; rc == 0 && i < m->nrows; i++)
        if (m->rows[i].state == R_NEW && m->rows[i].kind == PAY_REVERSAL)
            rc = judge_reversal(m, i);
    for (size_t i = 0; rc == 0 && i < m->nrows; i++)
        if (m->rows[i].state == R_NEW && m->rows[i].kind == PAY_REFUND)
            rc = judge_refund(m, i);
    return rc;
}

/* ------------------------------------------------------------------ writing */

#define INSERT_HEAD                                                                                \
    "INSERT INTO payments (id, region_id, municipality_id, org_id, account_id, ext_id, kind,"      \
    " paid_on, amount, period, reverses, channel, source, created_by, created_at)"

static char lite_sql[2][16384]; /* [0]: one row, [1]: LITE_ROWS rows */
static pthread_once_t lite_once = PTHREAD_ONCE_INIT;

static void build_lite_sql(void)
{
    for (int many = 0; many < 2; many++) {
        int rc = store_values_sql(lite_sql[many], sizeof lite_sql[many], INSERT_HEAD,
                                  strlen(INSERT_HEAD), INSERT_COLS, many ? LITE_ROWS : 1);
        assert(rc == 0); /* the sizes are fixed: a fit is an invariant */
        (void)rc;
    }
}

/* Ids for the new rows, taken before they are written. */
static int take_ids(struct pimp *m, int64_t n)
{
    int64_t next = 0;
    int rc = 0;
    struct store_rows *r = NULL;
    if (!m->pg) { /* the write lock is ours since BEGIN IMMEDIATE */
        rc = store_query_int(m->c, "SELECT coalesce(max(id), 0) + 1 FROM payments", NULL, 0, &next,
                             m->e);
    } else {
        struct store_val p[] = {SV_I(n)};
        rc = store_query(m->c,
                         "SELECT nextval(pg_get_serial_sequence('payments', 'id'))"
                         " FROM generate_series(1, CAST($1 AS BIGINT))",
                         p, 1, &r, m->e);
    }
    for (size_t i = 0; rc == 0 && i < m->nrows; i++) {
        struct prow *x = &m->rows[i];
        if (x->state != R_NEW)
            continue;
        if (!m->pg)
            x->id = next++;
        else if (store_next(r))
            x->id = store_int(r, 0);
        else
            rc = err_set(m->e, ERR_DB, "the sequence of payments gave too few ids");
    }
    store_rows_free(r);
    if (rc)
        return rc;
    /* Reversals name their payment by id now that every row has one. */
    for (size_t i = 0; i < m->nrows; i++) {
        struct prow *x = &m->rows[i];
        if (x->state != R_NEW || x->kind != PAY_REVERSAL)
            continue;
        int f = smap_get(&m->by_ext, x->rev_ext);
        x->reverses =
            f >= 0 && m->rows[f].state != R_BAD ? m->rows[f].id : stored_id_of(m, x->rev_ext);
    }
    return 0;
}

/* The row's values in INSERT_HEAD's order. */
static void row_values(struct pimp *m, const struct prow *x, int64_t now, struct store_val *v)
{
    const struct pacc *acc = &m->accs[x->acc];
    v[0] = SV_I(x->id);
    v[1] = SV_I(acc->region_id);
    v[2] = SV_I(acc->municipality_id);
    v[3] = SV_I(m->org_id);
    v[4] = SV_I(acc->id);
    v[5] = SV_S(x->ext_id);
    v[6] = SV_S(pay_kind_name(x->kind));
    v[7] = SV_S(x->paid_on);
    v[8] = SV_I(x->amount);
    v[9] = SV_T(pay_period_text(m->a, x->period));
    v[10] = SV_ID(x->reverses);
    v[11] = SV_S("bank");
    v[12] = SV_S("file");
    v[13] = SV_ID(m->o->scope->user_id);
    v[14] = SV_I(now);
}

static int write_lite(struct pimp *m, int64_t now)
{
    pthread_once(&lite_once, build_lite_sql);
    struct store_val *v = malloc(sizeof *v * LITE_ROWS * INSERT_COLS);
    if (!v)
        return err_set(m->e, ERR_NOMEM, "out of memory");
    int rc = 0, n = 0;
    int64_t done = 0;
    for (size_t i = 0; rc == 0 && i <= m->nrows; i++) {
        bool last = i == m->nrows;
        if (!last && m->rows[i].state == R_NEW)
            row_values(m, &m->rows[i], now, v + (size_t)n++ * INSERT_COLS);
        if (n == LITE_ROWS) {
            rc = store_exec(m->c, lite_sql[1], v, LITE_ROWS * INSERT_COLS, NULL, m->e);
            done += n;
            n = 0;
            if (m->o->progress && done % 8192 < LITE_ROWS)
                m->o->progress(m->o->progress_ctx, "запись", done, m->res->added);
        }
        for (int k = 0; last && rc == 0 && k < n; k++)
            rc =
                store_exec(m->c, lite_sql[0], v + (size_t)k * INSERT_COLS, INSERT_COLS, NULL, m->e);
    }
    free(v);
    return rc;
}

static int write_pg(struct pimp *m, int64_t now)
{
    char *buf[INSERT_COLS] = {0};
    size_t len[INSERT_COLS] = {0}, cap[INSERT_COLS] = {0};
    int rc = 0, n = 0;
    int64_t done = 0;
    for (size_t i = 0; rc == 0 && i <= m->nrows; i++) {
        bool last = i == m->nrows;
        if (!last && m->rows[i].state == R_NEW) {
            struct store_val v[INSERT_COLS];
            row_values(m, &m->rows[i], now, v);
            for (int k = 0; k < INSERT_COLS && rc == 0; k++)
                if (store_array_append(&buf[k], &len[k], &cap[k], &v[k], n == 0))
                    rc = err_set(m->e, ERR_NOMEM, "out of memory");
            n++;
        }
        if (rc || !(n == PG_ROWS || (last && n > 0)))
            continue;
        struct store_val p[INSERT_COLS];
        for (int k = 0; k < INSERT_COLS && rc == 0; k++) {
            if (store_array_close(&buf[k], &len[k], &cap[k]))
                rc = err_set(m->e, ERR_NOMEM, "out of memory");
            p[k] = SV_T(buf[k]);
        }
        if (rc == 0)
            rc = store_exec(m->c,
                            INSERT_HEAD
                            " SELECT * FROM unnest(CAST($1 AS BIGINT[]), CAST($2 AS BIGINT[]),"
                            " CAST($3 AS BIGINT[]), CAST($4 AS BIGINT[]), CAST($5 AS BIGINT[]),"
                            " CAST($6 AS TEXT[]), CAST($7 AS TEXT[]), CAST($8 AS TEXT[]),"
                            " CAST($9 AS BIGINT[]), CAST($10 AS TEXT[]), CAST($11 AS BIGINT[]),"
                            " CAST($12 AS TEXT[]), CAST($13 AS TEXT[]), CAST($14 AS BIGINT[]),"
                            " CAST($15 AS BIGINT[]))",
                            p, INSERT_COLS, NULL, m->e);
        done += n;
        n = 0;
        for (int k = 0; k < INSERT_COLS; k++)
            len[k] = 0;
        if (m->o->progress)
            m->o->progress(m->o->progress_ctx, "запись", done, m->res->added);
    }
    for (int k = 0; k < INSERT_COLS; k++)
        free(buf[k]);
    return rc;
}

static int write_rows(struct pimp *m)
{
    struct pay_import_result *res = m->res;
    for (size_t i = 0; i < m->nrows; i++) {
        const struct prow *x = &m->rows[i];
        res->present += x->state == R_PRESENT;
        if (x->state != R_NEW)
            continue;
        res->added++;
        int64_t *sum = x->kind == PAY_PAYMENT  ? &res->paid
                       : x->kind == PAY_REFUND ? &res->refunded
                                               : &res->reversed;
        *sum += x->amount;
    }
    if (!res->added)
        return 0;
    int rc = take_ids(m, res->added);
    if (rc == 0)
        rc = m->pg ? write_pg(m, store_now()) : write_lite(m, store_now());
    if (rc == ERR_CONFLICT) /* a concurrent writer booked one of the ids */
        rc = err_set(m->e, ERR_CONFLICT,
                     "платежи этого файла проводятся одновременно другой загрузкой: загрузите "
                     "файл ещё раз");
    return rc;
}

/* ------------------------------------------------------------------ driver */

static int cmp_errors(const void *x, const void *y)
{
    const struct pay_import_error *a = x, *b = y;
    if (a->line != b->line)
        return (a->line > b->line) - (a->line < b->line);
    return (a->col > b->col) - (a->col < b->col);
}

static int finish(struct pimp *m, int rc)
{
    struct pay_import_result *out = m->res;
    if (m->nerr)
        qsort(m->errors, m->nerr, sizeof *m->errors, cmp_errors);
    int cap = m->o->max_errors > 0 ? m->o->max_errors : PAY_IMPORT_MAX_ERRORS;
    out->error_count = (int64_t)m->nerr;
    out->nerrors = m->nerr < (size_t)cap ? (int)m->nerr : cap;
    out->errors = arena_alloc(m->a, sizeof *out->errors * (size_t)(out->nerrors + 1));
    if (out->errors && out->nerrors)
        memcpy(out->errors, m->errors, sizeof *out->errors * (size_t)out->nerrors);
    free(m->errors);
    free(m->rows);
    free(m->accs);
    free(m->stored);
    smap_free(&m->by_els);
    smap_free(&m->by_number);
    smap_free(&m->by_ext);
    smap_free(&m->stored_ext);
    smap_free(&m->file_reversed);
    if (!out->errors && rc == 0)
        rc = err_set(m->e, ERR_NOMEM, "out of memory");
    if (rc == 0 && m->nerr)
        rc = ERR_INVALID;
    if (rc == ERR_INVALID && m->nerr)
        err_set(m->e, ERR_INVALID, "%s: ошибок в файле: %lld", m->o->path, (long long)m->nerr);
    return rc;
}

/* The organization the file pays: the caller's to book for. */
static int find_org(struct pimp *m)
{
    const struct store_scope *s = m->o->scope;
    m->org_id = m->o->org_id ? m->o->org_id : s->kind == SCOPE_ORG ? s->org_id : 0;
    if (!m->org_id)
        return err_field(m->e, ERR_INVALID, "org_id", "укажите организацию-получателя платежей");
    struct store_val p[] = {SV_I(m->org_id)};
    int64_t id;
    int rc =
        s->kind == SCOPE_ORG && s->org_id != m->org_id
            ? ERR_NOTFOUND
            : store_query_int(m->c, "SELECT id FROM organizations WHERE id = $1", p, 1, &id, m->e);
    if (rc == ERR_NOTFOUND)
        return err_field(m->e, ERR_NOTFOUND, "org_id", "организация № %lld не найдена",
                         (long long)m->org_id);
    return rc ? rc : pay_today(m->c, m->org_id, store_now(), m->today, m->e);
}

int pay_import_run(struct store_conn *c, const struct pay_import_opts *o, struct arena *a,
                   struct pay_import_result *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    int rc = pay_scope_writes(o->scope, e);
    if (rc)
        return rc;
    struct pimp m = {.c = c, .o = o, .a = a, .res = out, .e = e};
    m.pg = store_conn_backend(c) == STORE_POSTGRES;
    if ((rc = find_org(&m)))
        return rc;
    out->org_id = m.org_id;
    struct csv_record rec;
    if ((rc = csv_open(o->path, NULL, &m.csv, e)) != 0) {
        if (rc == ERR_INVALID)
            rc = file_error(&m, ERR_INVALID, 0, 0, "%s", e->msg);
        return finish(&m, rc);
    }
    out->encoding = csv_encoding_name(csv_encoding(m.csv));
    out->separator = csv_separator(m.csv);
    rc = csv_next(m.csv, &rec, e);
    if (rc == 0)
        rc = file_error(&m, ERR_INVALID, 1, 0, "файл пуст: нет строки заголовка");
    else if (rc == ERR_INVALID)
        rc = file_error(&m, ERR_INVALID, 1, 0, "%s", e->msg);
    else if (rc == 1 && (rc = read_header(&m, &rec)) == 0)
        rc = m.nerr ? ERR_INVALID : read_rows(&m);
    csv_close(m.csv);
    if (rc == 0)
        rc = look_up(&m);
    if (rc == 0)
        rc = judge(&m);
    if (rc == 0 && !m.nerr)
        rc = write_rows(&m);
    return finish(&m, rc);
}
