/* overview.c — the meters of a filtered list with what the pages show of
 * each (overview.h), the list as a report table, and a meter's refused
 * submissions.
 *
 * A page is meter_list (scoped and filtered there) followed by one query of
 * the page's meters by id, again under the caller's scope: house address,
 * premises number, organization, settings, latest accepted reading and the
 * period's refusals. The ids travel as one parameter: a JSON array read by
 * json_each on SQLite, a BIGINT[] on PostgreSQL. */
#include "meters/overview.h"
#include "meters/meters_impl.h"

#include <stdio.h>
#include <string.h>

/* $5 the ids, $6..$8 the default settings, $9 the period of the refusals. */
#define ROW_SQL(IDS)                                                                               \
    "SELECT m.id, h.address, p.number, p.kind, coalesce(o.short_name, o.name),"                    \
    " coalesce(st.first_day, $6), coalesce(st.last_day, $7), coalesce(st.factor_pct, $8),"         \
    " r.id, r.period, r.value, r.consumption, r.months, r.rollover, r.confirmed, r.channel,"       \
    " r.state, r.author_id, r.received_at, r.submitted_at, r.in_window, r.replaces,"               \
    " (SELECT count(*) FROM reading_rejections j WHERE j.meter_id = m.id AND j.period = $9)"       \
    " FROM meters m JOIN houses h ON h.id = m.house_id"                                            \
    " JOIN organizations o ON o.id = m.org_id"                                                     \
    " LEFT JOIN premises p ON p.id = m.premises_id"                                                \
    " LEFT JOIN reading_settings st ON st.org_id = m.org_id"                                       \
    " LEFT JOIN readings r ON r.id = (SELECT x.id FROM readings x WHERE x.meter_id = m.id"         \
    " AND x.state = 'accepted' ORDER BY x.period DESC LIMIT 1)"                                    \
    " WHERE " IDS " AND " METER_SCOPE

static const char rows_sqlite[] = ROW_SQL("m.id IN (SELECT value FROM json_each($5))");
static const char rows_pg[] = ROW_SQL("m.id = ANY(CAST($5 AS BIGINT[]))");

/* "[1,2,3]" (SQLite) or "{1,2,3}" (PostgreSQL) of the meters' ids. */
static const char *id_list(struct arena *a, const struct meter_row *rows, int64_t n, bool pg)
{
    size_t size = (size_t)n * 21 + 3;
    char *buf = arena_alloc(a, size), *p = buf;
    if (!buf)
        return NULL;
    *p++ = pg ? '{' : '[';
    for (int64_t i = 0; i < n; i++)
        p += snprintf(p, size - (size_t)(p - buf), "%s%lld", i ? "," : "", (long long)rows[i].m.id);
    *p++ = pg ? '}' : ']';
    *p = '\0';
    return buf;
}

static void read_details(struct store_rows *r, struct arena *a, struct meter_row *x)
{
    x->address = store_dup(r, 1, a);
    x->premises_number = store_dup(r, 2, a);
    x->premises_kind = store_dup(r, 3, a);
    x->org_name = store_dup(r, 4, a);
    x->window =
        (struct meter_settings){(int)store_int(r, 5), (int)store_int(r, 6), (int)store_int(r, 7)};
    x->has_last = !store_isnull(r, 8);
    x->rejected = store_int(r, 22);
    if (!x->has_last)
        return;
    x->last = (struct reading){.id = store_int(r, 8),
                               .meter_id = x->m.id,
                               .period = meter_period_stored(store_text(r, 9)),
                               .value = store_int(r, 10),
                               .consumption = store_int(r, 11),
                               .months = store_int(r, 12),
                               .rollover = store_int(r, 13) != 0,
                               .confirmed = store_int(r, 14) != 0,
                               .channel = store_dup(r, 15, a),
                               .state = store_dup(r, 16, a),
                               .author_id = store_isnull(r, 17) ? 0 : store_int(r, 17),
                               .received_at = store_int(r, 18),
                               .submitted_at = store_int(r, 19),
                               .in_window = store_isnull(r, 20) ? -1 : (int)store_int(r, 20),
                               .replaces = store_isnull(r, 21) ? 0 : store_int(r, 21)};
}

int meter_rows(struct store_conn *c, const struct store_scope *s, const struct meter_filter *f,
               struct page pg, int64_t now, struct arena *a, struct meter_row **items,
               int64_t *count, int64_t *total, struct err *e)
{
    struct meter *ms;
    int64_t n;
    int rc = meter_list(c, s, f, pg, a, &ms, &n, total, e); /* checks the scope */
    if (rc)
        return rc;
    *count = 0;
    if (!(*items = arena_alloc(a, sizeof **items * (size_t)(n ? n : 1))))
        return err_set(e, ERR_NOMEM, "out of memory");
    if (n == 0)
        return 0;
    struct meter_row *rows = *items;
    memset(rows, 0, sizeof *rows * (size_t)n);
    for (int64_t i = 0; i < n; i++)
        rows[i].m = ms[i];
    bool pg_backend = store_conn_backend(c) == STORE_POSTGRES;
    const char *ids = id_list(a, rows, n, pg_backend);
    if (!ids)
        return err_set(e, ERR_NOMEM, "out of memory");
    struct store_val p[9];
    meter_scope_bind(s, p);
    p[4] = SV_S(ids);
    p[5] = SV_I(METER_FIRST_DAY);
    p[6] = SV_I(METER_LAST_DAY);
    p[7] = SV_I(METER_FACTOR_PCT);
    p[8] = SV_S(f->period ? meter_period_text(a, f->period) : "");
    struct store_rows *r = NULL;
    if ((rc = store_query(c, pg_backend ? rows_pg : rows_sqlite, p, 9, &r, e)))
        return rc;
    while (store_next(r)) {
        int64_t id = store_int(r, 0);
        for (int64_t i = 0; i < n; i++)
            if (rows[i].m.id == id) {
                read_details(r, a, &rows[i]);
                break;
            }
    }
    store_rows_free(r);
    for (int64_t i = 0; i < n; i++) {
        struct meter_row *x = &rows[i];
        if (!x->address) /* gone between the two queries: not shown */
            continue;
        if (meter_period_at(&x->window, x->m.timezone, now, &x->now_period, &x->now_in_window,
                            &x->today))
            return err_set(e, ERR_DB, "meter %lld: time zone %s not recognised", (long long)x->m.id,
                           x->m.timezone ? x->m.timezone : "(null)");
        rows[(*count)++] = *x;
    }
    return 0;
}

/* ---- names ---- */

const char *meter_resource_name(const char *resource)
{
    static const char *const names[][2] = {{"cold_water", "Холодная вода"},
                                           {"hot_water", "Горячая вода"},
                                           {"electricity", "Электроэнергия"},
                                           {"heat", "Тепловая энергия"},
                                           {"gas", "Газ"}};
    for (size_t i = 0; resource && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(resource, names[i][0]) == 0)
            return names[i][1];
    return resource ? resource : "";
}

const char *meter_status_name(const char *status)
{
    if (status && strcmp(status, "expired") == 0)
        return "истёк срок поверки";
    if (status && strcmp(status, "removed") == 0)
        return "снят с учёта";
    return "действует";
}

const char *meter_channel_title(const char *channel)
{
    static const char *const names[][2] = {
        {"resident", "житель"}, {"operator", "оператор"}, {"file", "файл"}, {"api", "API"}};
    for (size_t i = 0; channel && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(channel, names[i][0]) == 0)
            return names[i][1];
    return channel ? channel : "";
}

static const char *zone_name(const char *zone)
{
    if (zone && strcmp(zone, "day") == 0)
        return "день";
    if (zone && strcmp(zone, "night") == 0)
        return "ночь";
    return "";
}

/* ---- the table ---- */

static const char *const columns[] = {"Адрес дома",
                                      "Помещение",
                                      "Вид прибора",
                                      "Ресурс",
                                      "Тарифная зона",
                                      "Заводской номер",
                                      "Принимает показания",
                                      "Дата установки",
                                      "Следующая поверка",
                                      "Состояние",
                                      "Единица",
                                      "Последнее показание",
                                      "Период показания",
                                      "Расход",
                                      "Передано (местное время)",
                                      "Канал",
                                      "Отклонено за период"};
#define NCOLUMNS ((int)(sizeof columns / sizeof columns[0]))

static const char *value_text(struct arena *a, int64_t v)
{
    char buf[METER_VALUE_SIZE];
    meter_value_format(v, buf);
    return arena_strdup(a, buf);
}

/* "2026-11-23 10:15" on the wall clock of tz. */
static const char *local_time(struct arena *a, const char *tz, int64_t t)
{
    struct date_local l;
    if (!tz || date_utc_to_local(tz, t, &l))
        return NULL;
    return arena_printf(a, "%04d-%02d-%02d %02d:%02d", l.y, l.m, l.d, l.h, l.min);
}

static int add_row(struct table *t, struct arena *a, const struct meter_row *x, bool period)
{
    const struct meter *m = &x->m;
    bool building = m->kind && strcmp(m->kind, "building") == 0;
    const char *cells[NCOLUMNS] = {
        x->address,
        building ? "ОДПУ дома" : x->premises_number,
        building ? "ОДПУ" : "ИПУ",
        meter_resource_name(m->resource),
        zone_name(m->zone),
        m->serial,
        x->org_name,
        m->installed_on,
        m->next_verification_on,
        meter_status_name(m->status),
        meter_unit(m->resource),
        x->has_last ? value_text(a, x->last.value) : NULL,
        x->has_last ? meter_period_text(a, x->last.period) : NULL,
        x->has_last ? value_text(a, x->last.consumption) : NULL,
        x->has_last ? local_time(a, m->timezone, x->last.received_at) : NULL,
        x->has_last ? meter_channel_title(x->last.channel) : NULL,
        period ? arena_printf(a, "%lld", (long long)x->rejected) : NULL,
    };
    return table_row(t, cells);
}

/* Appends "; part" to the text in buf (cut at the end of buf). */
static void add_part(char *buf, size_t size, const char *part)
{
    size_t n = strlen(buf);
    if (n < size)
        snprintf(buf + n, size - n, "%s%s", n ? "; " : "", part);
}

/* The filter in words, for the file's header. */
static const char *filter_text(struct arena *a, const struct meter_filter *f)
{
    char buf[512] = "", num[64];
    if (f->house_id) {
        snprintf(num, sizeof num, "дом № %lld", (long long)f->house_id);
        add_part(buf, sizeof buf, num);
    }
    if (f->premises_id) {
        snprintf(num, sizeof num, "помещение № %lld", (long long)f->premises_id);
        add_part(buf, sizeof buf, num);
    }
    if (f->org_id) {
        snprintf(num, sizeof num, "организация № %lld", (long long)f->org_id);
        add_part(buf, sizeof buf, num);
    }
    if (f->kind)
        add_part(buf, sizeof buf, strcmp(f->kind, "building") == 0 ? "ОДПУ" : "ИПУ");
    if (f->resource)
        add_part(buf, sizeof buf, meter_resource_name(f->resource));
    if (f->status)
        add_part(buf, sizeof buf, meter_status_name(f->status));
    if (f->no_reading)
        add_part(buf, sizeof buf, "нет принятого показания за период");
    if (f->rejected)
        add_part(buf, sizeof buf, "есть отклонённые показания за период");
    return arena_strdup(a, buf[0] ? buf : "все приборы");
}

#define EXPORT_PAGE 500

int meter_rows_table(struct store_conn *c, const struct store_scope *s,
                     const struct meter_filter *f, int64_t now, struct arena *a, struct table **out,
                     struct err *e)
{
    struct table *t = table_new(a, "Приборы учёта", columns, NCOLUMNS);
    if (!t)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = 0;
    int64_t done = 0, total = 0;
    /* Each page in its own arena: the table keeps copies of the cells. */
    for (struct page pg = {1, EXPORT_PAGE}; rc == 0; pg.page++) {
        struct arena *pa = arena_new();
        struct meter_row *items;
        int64_t n = 0;
        if (!pa)
            return err_set(e, ERR_NOMEM, "out of memory");
        rc = meter_rows(c, s, f, pg, now, pa, &items, &n, &total, e);
        if (rc == 0 && total > METER_EXPORT_MAX)
            rc = err_field(e, ERR_INVALID, "house_id",
                           "отобрано приборов: %lld, в файл выгружается не более %d: уточните "
                           "отбор (дом, организация, ресурс, состояние)",
                           (long long)total, METER_EXPORT_MAX);
        for (int64_t i = 0; rc == 0 && i < n; i++)
            if (add_row(t, pa, &items[i], f->period != 0))
                rc = err_set(e, ERR_NOMEM, "out of memory");
        arena_free(pa);
        done += EXPORT_PAGE;
        if (done >= total)
            break;
    }
    if (rc)
        return rc;
    const char *period = f->period ? meter_period_text(a, f->period) : NULL;
    if (table_fact(t, "Отбор", filter_text(a, f)) || table_fact(t, "Период", period) ||
        table_fact(t, "Приборов", arena_printf(a, "%d", t->nrows)) ||
        table_fact(t, "Сформирован (UTC)", local_time(a, "UTC", now)))
        return err_set(e, ERR_NOMEM, "out of memory");
    *out = t;
    return 0;
}

/* ---- refused submissions ---- */

int meter_rejections(struct store_conn *c, const struct store_scope *s, int64_t meter_id,
                     struct page pg, struct arena *a, struct reading_rejection **items,
                     int64_t *count, int64_t *total, struct err *e)
{
    struct meter m;
    int rc = meter_get(c, s, meter_id, a, &m, e); /* scoped */
    if (rc)
        return rc;
    struct store_val p[] = {SV_I(meter_id), SV_I(pg.per_page), SV_I((pg.page - 1) * pg.per_page)};
    if ((rc = store_query_int(c, "SELECT count(*) FROM reading_rejections WHERE meter_id = $1", p,
                              1, total, e)))
        return rc;
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT id, period, value, channel, rule, message, author_id, at"
                          " FROM reading_rejections WHERE meter_id = $1"
                          " ORDER BY at DESC, id DESC LIMIT $2 OFFSET $3",
                          p, 3, &r, e)))
        return rc;
    *count = 0;
    if (!(*items = arena_alloc(a, sizeof **items * (size_t)pg.per_page)))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    while (rc == 0 && *count < pg.per_page && store_next(r))
        (*items)[(*count)++] = (struct reading_rejection){
            .id = store_int(r, 0),
            .meter_id = meter_id,
            .period = meter_period_stored(store_text(r, 1)),
            .value = store_int(r, 2),
            .channel = store_dup(r, 3, a),
            .rule = store_dup(r, 4, a),
            .message = store_dup(r, 5, a),
            .author_id = store_isnull(r, 6) ? 0 : store_int(r, 6),
            .at = store_int(r, 7),
        };
    store_rows_free(r);
    return rc;
}
