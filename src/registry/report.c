/* report.c — the house reports of docs/registry.md (basic, extended, ИЖД) as
 * tables, and the registry's data-quality figures. Column names are the
 * Russian ones users expect in exported files.
 *
 * The «Приборы учёта» column reads the meters table with one SQL query per
 * house (house_meters). It does not call src/meters: the meters module
 * depends on the registry (meters_db.c checks premises and houses through
 * registry.h), so the registry reads meters only through the store, under
 * the same visibility rule as the meters module (docs/architecture.md). */
#include "registry/registry.h"

#include "base/date.h"
#include "base/money.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *kind_ru(const char *k)
{
    static const char *const map[][2] = {{"residential", "жилое"},
                                         {"nonresidential", "нежилое"},
                                         {"parking", "машино-место"},
                                         {"storage", "кладовая"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i][0], k) == 0)
            return map[i][1];
    return k;
}

static const char *right_ru(struct arena *a, const struct ownership *r)
{
    if (strcmp(r->right_type, "shared") == 0)
        return arena_printf(a, "общая долевая (%lld/%lld)", (long long)r->share_num,
                            (long long)r->share_den);
    return strcmp(r->right_type, "joint") == 0 ? "общая совместная" : "собственность";
}

static const char *area(struct arena *a, int64_t v)
{
    char buf[MONEY_FMT_SIZE];
    if (v == REG_NONE || money_format(buf, sizeof buf, v))
        return NULL;
    return arena_strdup(a, buf);
}

static const char *num(struct arena *a, int64_t v)
{
    return v == REG_NONE ? NULL : arena_printf(a, "%lld", (long long)v);
}

static int house_facts(struct table *t, const struct house *h, bool izd)
{
    struct arena *a = t->a;
    int rc = table_fact(t, "Адрес", h->address);
    rc |= table_fact(t, "Код ФИАС/ГАР", h->fias_guid);
    rc |= table_fact(t, "Кадастровый номер", h->cadastral_number);
    if (izd)
        return rc | table_fact(t, "Тип здания", "индивидуальный жилой дом") |
               table_fact(t, "Общая площадь, м²", area(a, h->total_area)) |
               table_fact(t, "Жилая площадь, м²", area(a, h->residential_area));
    rc |= table_fact(t, "Год постройки", num(a, h->year_built));
    rc |= table_fact(t, "Этажность", num(a, h->floors));
    rc |= table_fact(t, "Материал стен", h->wall_material);
    rc |= table_fact(t, "Общая площадь, м²", area(a, h->total_area));
    rc |= table_fact(t, "Жилая площадь, м²", area(a, h->residential_area));
    rc |= table_fact(t, "Нежилая площадь, м²", area(a, h->nonresidential_area));
    rc |= table_fact(t, "Количество нежилых помещений", num(a, h->nonresidential_count));
    rc |= table_fact(t, "Балконы", num(a, h->balconies));
    rc |= table_fact(t, "Лоджии", num(a, h->loggias));
    rc |= table_fact(t, "Аварийный", h->emergency ? "да" : "нет");
    rc |= table_fact(t, "ОДПУ", h->building_meters);
    rc |= table_fact(t, "Площадь общего имущества, м²", area(a, h->common_area));
    rc |= table_fact(t, "Подъезды", num(a, h->entrances));
    rc |= table_fact(t, "Внутридомовые системы", h->systems);
    return rc | table_fact(t, "Прочие характеристики", h->extra);
}

static const char *const basic_cols[] = {"Адрес помещения",
                                         "Кадастровый номер",
                                         "Тип помещения",
                                         "Площадь, м²",
                                         "ЕЛС",
                                         "Вид права",
                                         "Номер регистрации права",
                                         "Дата регистрации права",
                                         "Приборы учёта",
                                         "Число проживающих",
                                         "Число правообладателей",
                                         "Вид обременения",
                                         "Номер регистрации обременения",
                                         "Дата регистрации обременения"};
#define BASIC_NCOLS 9
#define EXTENDED_NCOLS 14

static const char *const izd_cols[] = {"Адрес",
                                       "Вид права",
                                       "Номер регистрации права",
                                       "Дата регистрации права",
                                       "Число проживающих",
                                       "Число правообладателей",
                                       "Вид обременения",
                                       "Номер регистрации обременения",
                                       "Дата регистрации обременения"};

/* ---- the meters of the house's premises ---- */

/* A premises' meters in service, as the report shows them. */
struct pmeters {
    int64_t premises_id;
    const char *text; /* «ХВС №123, ЭЭ день/ночь №456» */
};

/* Resources in the order the column lists them, with their short names. */
static const char *const resources[][2] = {{"cold_water", "ХВС"},
                                           {"hot_water", "ГВС"},
                                           {"electricity", "ЭЭ"},
                                           {"gas", "Газ"},
                                           {"heat", "Тепло"}};

static const char *resource_ru(const char *r)
{
    for (size_t i = 0; i < sizeof resources / sizeof resources[0]; i++)
        if (strcmp(resources[i][0], r) == 0)
            return resources[i][1];
    return r;
}

/* Visible as in the meters module (docs/meters.md "Who sees what"): the
 * region's and municipality's operators, the organization that reads the
 * meter or manages the house, the residents of the premises. Parameters as
 * reg_scope_bind ($1..$4); $5 the house. Removed meters are dropped in C,
 * on the local date of the house's municipality. */
#define HOUSE_METERS_SQL                                                                           \
    "SELECT m.premises_id, m.resource, m.zone, m.serial, m.installed_on, m.removed_on,"            \
    " m.next_verification_on, mu.timezone FROM meters m"                                           \
    " JOIN municipalities mu ON mu.id = m.municipality_id"                                         \
    " WHERE m.house_id = $5 AND m.premises_id IS NOT NULL"                                         \
    " AND (m.region_id = $1 OR $1 = 0) AND (m.municipality_id = $2 OR $2 = 0)"                     \
    " AND (CAST($3 AS BIGINT) = 0 OR m.org_id = $3 OR EXISTS (SELECT 1 FROM house_orgs ho"         \
    " WHERE ho.house_id = m.house_id AND ho.org_id = $3 AND ho.role = 'manager'))"                 \
    " AND (CAST($4 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM resident_premises rp"                   \
    " WHERE rp.premises_id = m.premises_id AND rp.user_id = $4))"                                  \
    " ORDER BY m.premises_id, CASE m.resource WHEN 'cold_water' THEN 1 WHEN 'hot_water' THEN 2"    \
    " WHEN 'electricity' THEN 3 WHEN 'gas' THEN 4 ELSE 5 END, coalesce(m.serial, ''), m.zone, "    \
    "m.id"

/* One register as read; a day and a night register of one serial print once. */
struct reg_meter {
    const char *resource, *zone, *serial;
    bool expired;
};

static const char *meters_text(struct arena *a, const struct reg_meter *m, int n)
{
    char *out = arena_strdup(a, "");
    for (int i = 0; out && i < n; i++) {
        const struct reg_meter *x = &m[i];
        const char *zone = "";
        bool pair = i + 1 < n && strcmp(x->zone, "single") != 0 &&
                    strcmp(m[i + 1].resource, x->resource) == 0 && x->serial && m[i + 1].serial &&
                    strcmp(m[i + 1].serial, x->serial) == 0 &&
                    strcmp(m[i + 1].zone, x->zone) != 0 && strcmp(m[i + 1].zone, "single") != 0;
        if (pair)
            zone = " день/ночь";
        else if (strcmp(x->zone, "day") == 0)
            zone = " день";
        else if (strcmp(x->zone, "night") == 0)
            zone = " ночь";
        bool expired = x->expired || (pair && m[i + 1].expired);
        out = arena_printf(a, "%s%s%s%s %s%s%s", out, *out ? ", " : "", resource_ru(x->resource),
                           zone, x->serial ? "№" : "б/н", x->serial ? x->serial : "",
                           expired ? " (поверка истекла)" : "");
        i += pair;
    }
    return out;
}

/* Today in the zone, "YYYY-MM-DD" (the UTC date if the zone is unknown). */
static void local_today(const char *tz, char out[DATE_STR_SIZE])
{
    int64_t now = store_now();
    struct date_local l;
    struct date d = date_civil_from_days(now / 86400);
    if (tz && date_utc_to_local(tz, now, &l) == 0)
        d = (struct date){l.y, l.m, l.d};
    date_format(d, out);
}

/* Collects one premises' rows (from the current row on) into *out. */
static int next_premises(struct store_rows *r, bool *more, struct arena *a, char today[],
                         struct pmeters *out)
{
    struct reg_meter m[32];
    int n = 0;
    out->premises_id = store_int(r, 0);
    do {
        if (!today[0])
            local_today(store_text(r, 7), today);
        const char *installed = store_text(r, 4), *removed = store_text(r, 5);
        const char *due = store_text(r, 6);
        if (n < 32 && strcmp(installed, today) <= 0 && (!removed || strcmp(removed, today) > 0))
            m[n++] = (struct reg_meter){store_dup(r, 1, a), store_dup(r, 2, a), store_dup(r, 3, a),
                                        due && strcmp(due, today) < 0};
        *more = store_next(r);
    } while (*more && store_int(r, 0) == out->premises_id);
    out->text = n ? meters_text(a, m, n) : NULL;
    return n && !out->text ? ERR_NOMEM : 0;
}

/* The meters of every premises of the house the caller may see, by
 * premises id (one query). */
static int house_meters(struct store_conn *c, const struct store_scope *s, int64_t house_id,
                        struct arena *a, struct pmeters **out, int64_t *count, struct err *e)
{
    struct store_val p[5];
    reg_scope_bind(s, p);
    p[4] = SV_I(house_id);
    struct store_rows *r = NULL;
    int rc = store_query(c, HOUSE_METERS_SQL, p, 5, &r, e);
    int64_t cap = 0;
    char today[DATE_STR_SIZE] = "";
    *out = NULL;
    *count = 0;
    bool more = rc == 0 && store_next(r);
    while (rc == 0 && more) {
        if (*count == cap) {
            cap = cap ? cap * 2 : 64;
            struct pmeters *bigger = arena_alloc(a, sizeof *bigger * (size_t)cap);
            if (!bigger) {
                rc = err_set(e, ERR_NOMEM, "out of memory");
                break;
            }
            if (*count)
                memcpy(bigger, *out, sizeof *bigger * (size_t)*count);
            *out = bigger;
        }
        if (next_premises(r, &more, a, today, &(*out)[*count]))
            rc = err_set(e, ERR_NOMEM, "out of memory");
        else if ((*out)[*count].text)
            ++*count;
    }
    store_rows_free(r);
    return rc;
}

static int by_premises(const void *key, const void *item)
{
    int64_t k = *(const int64_t *)key, v = ((const struct pmeters *)item)->premises_id;
    return (k > v) - (k < v);
}

static const char *meters_of(const struct pmeters *m, int64_t n, int64_t premises_id)
{
    const struct pmeters *x =
        n ? bsearch(&premises_id, m, (size_t)n, sizeof *m, by_premises) : NULL;
    return x ? x->text : NULL;
}

/* Residents of a premises: the largest count among its accounts (each
 * supplier's account repeats the same people). */
static int64_t residents(const struct premises *p)
{
    int64_t n = 0;
    for (int i = 0; i < p->naccounts; i++)
        if (p->accounts[i].residents > n)
            n = p->accounts[i].residents;
    return n;
}

static int premises_rows(struct table *t, const struct house *h, const struct premises *p, bool izd,
                         const char *meters)
{
    struct arena *a = t->a;
    const char *els = p->naccounts ? p->accounts[0].els : NULL;
    const char *who = arena_printf(a, "%lld", (long long)residents(p));
    const char *holders = arena_printf(a, "%d", p->nrights);
    const char *addr = izd ? h->address : arena_printf(a, "%s, пом. %s", h->address, p->number);
    int rc = 0;
    for (int i = 0; i < (p->nrights ? p->nrights : 1) && rc == 0; i++) {
        const struct ownership *r = p->nrights ? &p->rights[i] : NULL;
        const char *rt = r ? right_ru(a, r) : NULL, *rn = r ? r->reg_number : NULL;
        const char *rd = r ? r->reg_date : NULL, *en = r ? r->encumbrance : NULL;
        const char *enn = r ? r->enc_number : NULL, *end = r ? r->enc_date : NULL;
        if (izd) {
            const char *cells[] = {addr, rt, rn, rd, who, holders, en, enn, end};
            rc = table_row(t, cells);
        } else {
            const char *cells[] = {addr,
                                   p->cadastral_number,
                                   kind_ru(p->kind),
                                   area(a, p->area),
                                   els,
                                   rt,
                                   rn,
                                   rd,
                                   meters,
                                   who,
                                   holders,
                                   en,
                                   enn,
                                   end};
            rc = table_row(t, cells);
        }
    }
    return rc;
}

int reg_report_house(struct store_conn *c, const struct store_scope *s, int64_t house_id,
                     enum reg_report kind, struct arena *a, struct table **out, struct err *e)
{
    struct house h;
    struct premises *items;
    int64_t n;
    int rc = reg_house_get(c, s, house_id, a, &h, e);
    if (rc)
        return rc;
    bool house_izd = strcmp(h.kind, "izd") == 0;
    if (kind == REPORT_AUTO)
        kind = house_izd ? REPORT_IZD : REPORT_BASIC;
    if (kind == REPORT_IZD && !house_izd)
        return err_field(e, ERR_INVALID, "type",
                         "отчёт ИЖД строится только для индивидуального жилого дома, а «%s» —"
                         " многоквартирный дом",
                         h.address);
    if ((rc = reg_house_premises(c, s, house_id, a, &items, &n, e)))
        return rc;
    bool izd = kind == REPORT_IZD;
    struct pmeters *meters = NULL;
    int64_t nmeters = 0;
    if (!izd && (rc = house_meters(c, s, house_id, a, &meters, &nmeters, e)))
        return rc;
    const char *title = izd ? "Отчёт по индивидуальному жилому дому"
                        : kind == REPORT_EXTENDED ? "Расширенный отчёт по дому"
                                                  : "Базовый отчёт по дому";
    *out = izd ? table_new(a, title, izd_cols, 9)
               : table_new(a, title, basic_cols,
                           kind == REPORT_EXTENDED ? EXTENDED_NCOLS : BASIC_NCOLS);
    if (!*out || house_facts(*out, &h, izd))
        return err_set(e, ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < n && rc == 0; i++)
        rc = premises_rows(*out, &h, &items[i], izd, meters_of(meters, nmeters, items[i].id));
    return rc ? err_set(e, ERR_NOMEM, "out of memory") : 0;
}

int reg_house_find(struct store_conn *c, const struct store_scope *s, const char *cadastral,
                   const char *fias, int64_t *id, struct err *e)
{
    struct house_filter f = {.q = cadastral ? cadastral : fias};
    struct house *items;
    int64_t n, total;
    struct arena *a = arena_new();
    int rc = a ? reg_house_list(c, s, &f, (struct page){1, 50}, a, &items, &n, &total, e)
               : err_set(e, ERR_NOMEM, "out of memory");
    *id = 0;
    for (int64_t i = 0; rc == 0 && i < n && !*id; i++)
        if ((cadastral && items[i].cadastral_number &&
             strcmp(items[i].cadastral_number, cadastral) == 0) ||
            (fias && items[i].fias_guid && strcasecmp(items[i].fias_guid, fias) == 0))
            *id = items[i].id;
    arena_free(a);
    if (rc == 0 && !*id)
        rc = err_set(e, ERR_NOTFOUND, "дом не найден");
    return rc;
}
