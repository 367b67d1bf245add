/* import.c — the file of readings from a supplier (docs/meters.md "File of
 * readings"): CSV read by src/base/csv.h, one row per reading. The header
 * names the columns (Russian, any case); each row finds its meter (by id,
 * or by serial within the importer's meters) and is submitted through
 * meter_reading_submit with channel "file", so the file obeys every rule the
 * API does. Errors are collected as LINE:COLUMN with the Russian message;
 * the caller's transaction makes the file all or nothing. */
#include "meters/meters_impl.h"

#include "base/csv.h"
#include "base/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum mcol {
    C_METER,
    C_SERIAL,
    C_RESOURCE,
    C_ZONE,
    C_PERIOD,
    C_VALUE,
    C_CORRECTION,
    C_CONFIRMED,
    C_N
};

static const char *const column_names[C_N] = {"прибор",      "заводской_номер", "ресурс",
                                              "зона",        "период",          "показание",
                                              "исправление", "подтверждено"};

struct mimp {
    struct store_conn *c;
    const struct meter_import_opts *o;
    struct arena *a;
    struct meter_import_result *res;
    struct err *e;
    struct csv *csv;
    int col[C_N]; /* field index of each column, -1 if absent */
    int header_n;
    long line;
    struct meter_import_error *errors;
    size_t nerr, cap;
};

static int add_verror(struct mimp *m, long line, int col, const char *fmt, va_list ap)
{
    if (m->nerr == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        struct meter_import_error *p = realloc(m->errors, sizeof *p * cap);
        if (!p)
            return err_set(m->e, ERR_NOMEM, "out of memory");
        m->errors = p;
        m->cap = cap;
    }
    char *msg = arena_vprintf(m->a, fmt, ap);
    if (!msg)
        return err_set(m->e, ERR_NOMEM, "out of memory");
    m->errors[m->nerr++] = (struct meter_import_error){line, col, msg};
    return 0;
}

/* Records an error of the file (the header, the CSV itself); returns rc_after
 * (or a negative code when out of memory). */
static int file_error(struct mimp *m, int rc_after, long line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int file_error(struct mimp *m, int rc_after, long line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = add_verror(m, line, col, fmt, ap);
    va_end(ap);
    return rc ? rc : rc_after;
}

/* Records an error of the current row at field col; returns 1 (the row is
 * rejected) or a negative code when out of memory. */
static int row_error(struct mimp *m, int col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int row_error(struct mimp *m, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = add_verror(m, m->line, col, fmt, ap);
    va_end(ap);
    return rc ? rc : 1;
}

/* The field number (from 1) of a column, 0 if the file has none. */
static int field_no(const struct mimp *m, enum mcol k)
{
    return m->col[k] >= 0 ? m->col[k] + 1 : 0;
}

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

/* Lower case, spaces as '_': "Заводской номер" → "заводской_номер". */
static const char *fold(struct mimp *m, const char *s)
{
    char *low = text_lower(m->a, s);
    for (char *p = low; p && *p; p++)
        if (*p == ' ')
            *p = '_';
    return low ? low : "";
}

static int read_header(struct mimp *m, const struct csv_record *rec)
{
    for (int k = 0; k < C_N; k++)
        m->col[k] = -1;
    m->header_n = rec->n;
    int rc = 0;
    for (int i = 0; i < rec->n && rc == 0; i++) {
        const char *name = fold(m, trim(rec->field[i]));
        int k = 0;
        while (k < C_N && strcmp(column_names[k], name) != 0)
            k++;
        if (k == C_N)
            rc = file_error(m, 0, rec->line, i + 1, "неизвестный столбец «%s»", rec->field[i]);
        else if (m->col[k] >= 0)
            rc = file_error(m, 0, rec->line, i + 1, "столбец «%s» повторяется", rec->field[i]);
        else
            m->col[k] = i;
    }
    if (rc == 0 && m->col[C_VALUE] < 0)
        rc = file_error(m, 0, rec->line, 1, "нет обязательного столбца «показание»");
    if (rc == 0 && m->col[C_METER] < 0 && m->col[C_SERIAL] < 0)
        rc = file_error(m, 0, rec->line, 1, "нужен столбец «прибор» или «заводской_номер»");
    return rc;
}

static const char *value_of(const struct mimp *m, const struct csv_record *rec, enum mcol k)
{
    return m->col[k] >= 0 && m->col[k] < rec->n ? trim(rec->field[m->col[k]]) : "";
}

/* Index of word (folded) in a NULL-terminated list of synonyms "a|b|c"
 * per entry, or -1. */
static int word_of(struct mimp *m, const char *s, const char *const *words)
{
    const char *f = fold(m, s);
    for (int i = 0; words[i]; i++) {
        const char *w = words[i];
        size_t n = strlen(f);
        while (*w) {
            size_t len = strcspn(w, "|");
            if (len == n && strncmp(w, f, n) == 0)
                return i;
            w += len + (w[len] == '|');
        }
    }
    return -1;
}

static const char *const resources[] = {"cold_water", "hot_water", "electricity",
                                        "heat",       "gas",       NULL};
static const char *const resource_words[] = {"хвс|cold_water|холодная_вода",
                                             "гвс|hot_water|горячая_вода",
                                             "электроэнергия|ээ|electricity",
                                             "отопление|тепло|heat",
                                             "газ|gas",
                                             NULL};
static const char *const zones[] = {"single", "day", "night", NULL};
static const char *const zone_words[] = {"однотарифный|одна|single", "день|day", "ночь|night",
                                         NULL};
static const char *const yes_no[] = {"нет|0|false|no", "да|1|true|yes", NULL};

/* The row's meter: by id, or by serial (with resource and zone) among the
 * meters in use the importer may see. */
static int find_meter(struct mimp *m, const struct csv_record *rec, int64_t *id)
{
    const char *idtext = value_of(m, rec, C_METER), *serial = value_of(m, rec, C_SERIAL);
    if (*idtext) {
        char *end;
        long long v = strtoll(idtext, &end, 10);
        if (*end || v <= 0)
            return row_error(m, field_no(m, C_METER), "номер прибора — целое число");
        *id = v;
        return 0;
    }
    if (!*serial)
        return row_error(m, field_no(m, m->col[C_SERIAL] >= 0 ? C_SERIAL : C_METER),
                         "не указан прибор: заводской номер или номер прибора");
    const char *res = value_of(m, rec, C_RESOURCE), *zone = value_of(m, rec, C_ZONE);
    int ri = *res ? word_of(m, res, resource_words) : -2,
        zi = *zone ? word_of(m, zone, zone_words) : -2;
    if (ri == -1)
        return row_error(m, field_no(m, C_RESOURCE),
                         "ресурс: ХВС, ГВС, электроэнергия, отопление или газ");
    if (zi == -1)
        return row_error(m, field_no(m, C_ZONE), "зона: день, ночь или однотарифный");
    struct store_val p[7];
    meter_scope_bind(m->o->scope, p);
    p[4] = SV_S(serial);
    p[5] = SV_T(zi >= 0 ? zones[zi] : NULL);
    p[6] = SV_T(ri >= 0 ? resources[ri] : NULL);
    struct store_rows *r = NULL;
    int rc = store_query(m->c,
                         "SELECT m.id FROM meters m WHERE m.serial = $5"
                         " AND (m.zone = $6 OR $6 IS NULL) AND (m.resource = $7 OR $7 IS NULL)"
                         " AND m.removed_on IS NULL AND " METER_STAFF_SCOPE " LIMIT 2",
                         p, 7, &r, m->e);
    if (rc)
        return rc;
    int n = 0;
    while (store_next(r))
        *id = n++ ? *id : store_int(r, 0);
    store_rows_free(r);
    if (n == 1)
        return 0;
    return row_error(m, field_no(m, C_SERIAL),
                     n ? "несколько приборов с заводским номером «%s»: укажите ресурс, зону или "
                         "номер прибора"
                       : "прибор с заводским номером «%s» не найден",
                     serial);
}

/* Reads the request of a row; 1 if the row has an error (recorded). */
static int read_row(struct mimp *m, const struct csv_record *rec, struct reading_req *q)
{
    *q = (struct reading_req){.channel = CH_FILE, .value = value_of(m, rec, C_VALUE)};
    for (int i = m->header_n; i < rec->n; i++)
        if (*trim(rec->field[i]))
            return row_error(m, i + 1, "лишнее поле «%s»: в заголовке %d столбцов", rec->field[i],
                             m->header_n);
    int rc = find_meter(m, rec, &q->meter_id);
    if (rc)
        return rc;
    const char *per = value_of(m, rec, C_PERIOD), *fix = value_of(m, rec, C_CORRECTION),
               *ok = value_of(m, rec, C_CONFIRMED);
    if (*per && date_period_parse(per, &q->period, NULL))
        return row_error(m, field_no(m, C_PERIOD), "период: ГГГГ-ММ, а не «%s»", per);
    int yes_fix = *fix ? word_of(m, fix, yes_no) : 0, yes_ok = *ok ? word_of(m, ok, yes_no) : 0;
    if (yes_fix < 0)
        return row_error(m, field_no(m, C_CORRECTION), "исправление: да или нет");
    if (yes_ok < 0)
        return row_error(m, field_no(m, C_CONFIRMED), "подтверждено: да или нет");
    q->correction = yes_fix == 1;
    q->confirm = q->confirm_rollover = yes_ok == 1;
    return 0;
}

/* The column a submission error belongs to. */
static int error_col(const struct mimp *m, const char *field)
{
    if (strcmp(field, "period") == 0 && m->col[C_PERIOD] >= 0)
        return field_no(m, C_PERIOD);
    if (strcmp(field, "meter_id") == 0 || strcmp(field, "") == 0)
        return field_no(m, m->col[C_METER] >= 0 ? C_METER : C_SERIAL);
    return field_no(m, C_VALUE);
}

static int import_row(struct mimp *m, const struct csv_record *rec)
{
    struct reading_req q;
    int rc = read_row(m, rec, &q);
    if (rc)
        return rc < 0 ? rc : 1;
    struct reading_result out;
    struct err e = {0};
    rc = meter_reading_submit(m->c, m->o->scope, &q, m->a, &out, &e);
    if (rc == ERR_INVALID || rc == ERR_NOTFOUND) {
        const char *msg = rc == ERR_NOTFOUND ? "прибор не найден" : e.msg;
        return row_error(m, error_col(m, rc == ERR_NOTFOUND ? "meter_id" : e.field), "%s", msg);
    }
    if (rc) {
        *m->e = e;
        return rc;
    }
    struct meter_import_result *res = m->res;
    res->accepted += out.outcome == READING_ACCEPTED;
    res->corrected += out.outcome == READING_CORRECTED;
    res->unchanged += out.outcome == READING_UNCHANGED || out.outcome == READING_REPLAYED;
    return 0;
}

static int import_rows(struct mimp *m)
{
    struct csv_record rec;
    int rc;
    while ((rc = csv_next(m->csv, &rec, m->e)) == 1) {
        m->line = rec.line;
        m->res->rows++;
        rc = import_row(m, &rec);
        if (rc < 0)
            return rc;
        m->res->rejected += rc;
    }
    if (rc == ERR_INVALID) { /* broken CSV: no later row can be trusted */
        long line;
        int col;
        csv_error_pos(m->csv, &line, &col);
        return file_error(m, ERR_INVALID, line, col, "%s", m->e->msg);
    }
    return rc;
}

static int cmp_errors(const void *x, const void *y)
{
    const struct meter_import_error *a = x, *b = y;
    if (a->line != b->line)
        return (a->line > b->line) - (a->line < b->line);
    return (a->col > b->col) - (a->col < b->col);
}

static int finish(struct mimp *m, int rc)
{
    struct meter_import_result *out = m->res;
    if (m->nerr)
        qsort(m->errors, m->nerr, sizeof *m->errors, cmp_errors);
    int cap = m->o->max_errors > 0 ? m->o->max_errors : METER_IMPORT_MAX_ERRORS;
    out->error_count = (int64_t)m->nerr;
    out->nerrors = m->nerr < (size_t)cap ? (int)m->nerr : cap;
    out->errors = arena_alloc(m->a, sizeof *out->errors * (size_t)(out->nerrors + 1));
    if (out->errors && out->nerrors)
        memcpy(out->errors, m->errors, sizeof *out->errors * (size_t)out->nerrors);
    free(m->errors);
    if (!out->errors && rc == 0)
        rc = err_set(m->e, ERR_NOMEM, "out of memory");
    if (rc == 0 && m->nerr && !m->o->skip_invalid)
        rc = ERR_INVALID;
    if (rc == ERR_INVALID)
        err_set(m->e, ERR_INVALID, "%s: ошибок в файле: %lld", m->o->path, (long long)m->nerr);
    return rc;
}

int meter_import_run(struct store_conn *c, const struct meter_import_opts *o, struct arena *a,
                     struct meter_import_result *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    int rc = store_scope_check(o->scope, e);
    if (rc)
        return rc;
    struct mimp m = {.c = c, .o = o, .a = a, .res = out, .e = e};
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
        rc = m.nerr ? ERR_INVALID : import_rows(&m);
    csv_close(m.csv);
    return finish(&m, rc);
}
