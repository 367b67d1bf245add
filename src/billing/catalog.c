/* catalog.c — the billing catalogue (docs/billing-catalog.md): services with
 * their standard codes, tariffs and norms with their history, organizations'
 * billing settings, key rates and penalty regimes.
 *
 * History is never overwritten: a new tariff (or norm) of a service and
 * scope must start after every row of that scope, and ends the previous open
 * row the day before it starts — the only UPDATE of a row. Tariffs start on
 * the 1st and end on the last day of a month, so a billing period always has
 * one price (a change inside a period is refused, naming the field).
 *
 * Scope: services carry their organization; a caller sees those of the
 * organizations store_scope_bind allows (a municipal operator: those
 * registered in the municipality; a resident none: the bind gives them no
 * organization). Writes are the organization's staff's and the
 * administrator's; the handlers' rights say the same, this file enforces it. */
#include "billing/billing.h"

#include <stdio.h>
#include <string.h>

#define COUNT(x) ((int)(sizeof x / sizeof x[0]))

/* ---------------------------------------------------------------- numbers */

static int64_t pow10i(int n)
{
    int64_t p = 1;
    while (n-- > 0)
        p *= 10;
    return p;
}

static int fail(const char **why, const char *msg)
{
    if (why)
        *why = msg;
    return ERR_INVALID;
}

int bill_decimal_parse(const char *s, int decimals, int64_t max, int64_t *out, const char **why)
{
    static const char *big = "слишком большое значение";
    if (!s || !*s)
        return fail(why, "не указано");
    const char *p = s;
    int64_t whole = 0, frac = 0;
    int nwhole = 0, nfrac = 0;
    for (; *p >= '0' && *p <= '9'; p++, nwhole++)
        if (__builtin_mul_overflow(whole, 10, &whole) ||
            __builtin_add_overflow(whole, *p - '0', &whole) || whole > max)
            return fail(why, big);
    if (*p == '.' || *p == ',')
        for (p++; *p >= '0' && *p <= '9'; p++) {
            if (++nfrac > decimals)
                return fail(why, "слишком много знаков после запятой");
            frac = frac * 10 + (*p - '0');
        }
    if (*p || nwhole == 0 || (p[-1] == '.' || p[-1] == ','))
        return fail(why, "неверный формат числа");
    int64_t v;
    if (__builtin_mul_overflow(whole, pow10i(decimals), &v) ||
        __builtin_add_overflow(v, frac * pow10i(decimals - nfrac), &v) || v > max)
        return fail(why, big);
    *out = v;
    return 0;
}

void bill_decimal_format(int64_t v, int decimals, char *buf, size_t size)
{
    int64_t scale = pow10i(decimals);
    const char *sign = v < 0 ? "-" : "";
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    if (decimals == 0)
        snprintf(buf, size, "%s%llu", sign, (unsigned long long)u);
    else
        snprintf(buf, size, "%s%llu.%0*llu", sign, (unsigned long long)(u / (uint64_t)scale),
                 decimals, (unsigned long long)(u % (uint64_t)scale));
}

/* ---------------------------------------------------------------- services */

/* The standard services (DOMAIN.md §2.1): what a code means unless the
 * request says otherwise. heating may be billed by a heat meter (Гкал)
 * instead of the area, waste by the area instead of residents. raising: the
 * coefficient on the norm without a meter (ПП 354 п. 42: 1.5 for water and
 * electricity). */
static const struct standard {
    const char *code, *name, *method, *unit, *resource, *zone;
    int raising, order;
    const char *alt_method, *alt_unit, *alt_resource;
} standards[] = {
    {"maintenance", "Содержание и текущий ремонт", "area", "м²", NULL, "single", 100, 10},
    {"capital_repair", "Взнос на капитальный ремонт", "area", "м²", NULL, "single", 100, 20},
    {"cold_water", "Холодное водоснабжение", "meter", "м³", "cold_water", "single", 150, 30},
    {"hot_water", "Горячее водоснабжение", "meter", "м³", "hot_water", "single", 150, 40},
    {"wastewater", "Водоотведение", "meter", "м³", "wastewater", "single", 100, 50},
    {"electricity", "Электроснабжение", "meter", "кВт·ч", "electricity", "single", 150, 60},
    {"electricity_day", "Электроснабжение, дневная зона", "meter", "кВт·ч", "electricity", "day",
     150, 61},
    {"electricity_night", "Электроснабжение, ночная зона", "meter", "кВт·ч", "electricity", "night",
     150, 62},
    {"heating", "Отопление", "area", "м²", NULL, "single", 100, 70, "meter", "Гкал", "heat"},
    {"gas", "Газоснабжение", "meter", "м³", "gas", "single", 100, 80},
    {"waste", "Обращение с ТКО", "residents", "чел.", NULL, "single", 100, 90, "area", "м²"},
};

static const struct standard *standard_of(const char *code)
{
    for (int i = 0; code && i < COUNT(standards); i++)
        if (strcmp(standards[i].code, code) == 0)
            return &standards[i];
    return NULL;
}

static bool one_of(const char *s, const char *const *list)
{
    for (; s && *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

static const char *const methods[] = {"area", "residents", "meter", "fixed", NULL};
static const char *const resources[] = {"cold_water", "hot_water",  "electricity", "heat",
                                        "gas",        "wastewater", NULL};
static const char *const zones[] = {"single", "day", "night", NULL};

static bool code_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 32 || s[0] < 'a' || s[0] > 'z')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

/* A standard code's defaults fill what the request left out; what it gives
 * must agree with the code (a standard's method, resource and zone are what
 * the code means). */
static void apply_standard(const struct standard *st, struct bill_service *s,
                           struct field_errors *fe)
{
    bool alt = st->alt_method && s->method && strcmp(s->method, st->alt_method) == 0;
    if (s->method && strcmp(s->method, st->method) != 0 && !alt) {
        if (st->alt_method)
            fe_add(fe, "method", "услуга «%s» начисляется по способу %s или %s", st->code,
                   st->method, st->alt_method);
        else
            fe_add(fe, "method", "услуга «%s» начисляется по способу %s", st->code, st->method);
        return;
    }
    const char *resource = alt ? st->alt_resource : st->resource;
    if (s->resource && (!resource || strcmp(s->resource, resource) != 0))
        fe_add(fe, "resource", "у услуги «%s» %s%s", st->code,
               resource ? "ресурс " : "нет ресурса (она не по приборам учёта)",
               resource ? resource : "");
    if (s->zone && strcmp(s->zone, st->zone) != 0)
        fe_add(fe, "zone",
               "зона задаётся кодом: у «%s» зона %s (дневная и ночная — "
               "electricity_day и electricity_night)",
               st->code, st->zone);
    s->method = alt ? st->alt_method : st->method;
    s->resource = resource;
    s->zone = st->zone;
    if (!s->name)
        s->name = st->name;
    if (!s->unit)
        s->unit = alt ? st->alt_unit : st->unit;
    if (s->raising_pct == 0)
        s->raising_pct = st->raising;
    if (s->sort_order < 0)
        s->sort_order = st->order;
}

int bill_service_check(struct bill_service *s, bool create, struct field_errors *fe)
{
    int before = fe->n;
    if (create) {
        const struct standard *st = standard_of(s->code);
        if (!code_valid(s->code))
            fe_add(fe, "code",
                   "код: латинские строчные буквы, цифры и _, начиная с буквы, "
                   "до 32 знаков (например, cold_water или parking_fee)");
        else if (st)
            apply_standard(st, s, fe);
        if (!st && !s->method)
            fe_add(fe, "method",
                   "обязательное поле для своей услуги: area, residents, meter "
                   "или fixed");
        else if (!one_of(s->method, methods))
            fe_add(fe, "method", "допустимо: area, residents, meter, fixed");
        if (!st && !s->name)
            fe_add(fe, "name", "обязательное поле для своей услуги");
        if (!st && !s->unit)
            fe_add(fe, "unit", "обязательное поле для своей услуги: «м²», «чел.», «м³», «ЛС» …");
        if (!s->zone)
            s->zone = "single";
        if (s->raising_pct == 0)
            s->raising_pct = 100;
        if (s->sort_order < 0)
            s->sort_order = 0;
        bool meter = s->method && strcmp(s->method, "meter") == 0;
        if (meter && !s->resource)
            fe_add(fe, "resource",
                   "услуге по приборам учёта нужен ресурс: cold_water, "
                   "hot_water, electricity, heat, gas или wastewater");
        else if (!meter && s->method && s->resource)
            fe_add(fe, "resource",
                   "ресурс указывается только для услуг по приборам учёта "
                   "(method meter)");
        else if (s->resource && !one_of(s->resource, resources))
            fe_add(fe, "resource",
                   "допустимо: cold_water, hot_water, electricity, heat, gas, "
                   "wastewater");
        if (!one_of(s->zone, zones))
            fe_add(fe, "zone", "допустимо: single, day, night");
        else if (strcmp(s->zone, "single") != 0 &&
                 (!s->resource || strcmp(s->resource, "electricity") != 0))
            fe_add(fe, "zone", "зоны суток бывают только у электроснабжения");
    }
    if (!s->name || !*s->name || strlen(s->name) > 200)
        fe_add(fe, "name", "наименование: от 1 до 200 байт");
    if (!s->unit || !*s->unit || strlen(s->unit) > 16)
        fe_add(fe, "unit", "единица измерения: от 1 до 16 байт");
    if (s->raising_pct < 100 || s->raising_pct > 300)
        fe_add(fe, "raising_pct", "повышающий коэффициент в процентах: от 100 до 300 (150 = ×1,5)");
    if (s->sort_order < 0 || s->sort_order > 9999)
        fe_add(fe, "sort_order", "порядок в документе: от 0 до 9999");
    return fe->n - before;
}

#define SERVICE_COLS                                                                               \
    "s.id, s.region_id, s.org_id, s.code, s.name, s.method, s.unit, s.resource, s.zone,"           \
    " s.raising_pct, s.sort_order, s.archived, s.created_at, o.name,"                              \
    " coalesce(s.payee_org_id, 0),"                                                                \
    " (SELECT po.name FROM organizations po WHERE po.id = s.payee_org_id)"
/* $1 region, $2 municipality (of the organization), $3 organization. */
#define SERVICE_SCOPE                                                                              \
    "(s.region_id = $1 OR $1 = 0) AND (o.municipality_id = $2 OR $2 = 0)"                          \
    " AND (s.org_id = $3 OR $3 = 0)"

static void read_service(struct store_rows *r, struct arena *a, struct bill_service *s)
{
    s->id = store_int(r, 0);
    s->region_id = store_int(r, 1);
    s->org_id = store_int(r, 2);
    s->code = store_dup(r, 3, a);
    s->name = store_dup(r, 4, a);
    s->method = store_dup(r, 5, a);
    s->unit = store_dup(r, 6, a);
    s->resource = store_dup(r, 7, a);
    s->zone = store_dup(r, 8, a);
    s->raising_pct = store_int(r, 9);
    s->sort_order = store_int(r, 10);
    s->archived = store_int(r, 11) != 0;
    s->created_at = store_int(r, 12);
    s->org_name = store_dup(r, 13, a);
    s->payee_org_id = store_int(r, 14);
    s->payee_name = store_dup(r, 15, a);
}

static int64_t offset_of(struct page pg)
{
    return (pg.page - 1) * pg.per_page;
}

static void *page_items(struct arena *a, struct page pg, size_t size, struct err *e)
{
    void *p = arena_alloc(a, size * (size_t)(pg.per_page > 0 ? pg.per_page : 1));
    if (!p)
        err_set(e, ERR_NOMEM, "out of memory");
    return p;
}

int bill_service_get(struct store_conn *c, const struct store_scope *s, int64_t id, struct arena *a,
                     struct bill_service *out, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[4];
    store_scope_bind(s, p);
    p[3] = SV_I(id);
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT " SERVICE_COLS " FROM services s JOIN organizations o"
                          " ON o.id = s.org_id WHERE s.id = $4 AND " SERVICE_SCOPE,
                          p, 4, &r, e)))
        return rc;
    if (store_next(r))
        read_service(r, a, out);
    else
        rc = err_set(e, ERR_NOTFOUND, "услуга не найдена");
    store_rows_free(r);
    return rc;
}

#define SERVICE_FILTER                                                                             \
    SERVICE_SCOPE " AND (s.org_id = $4 OR $4 = 0) AND (s.method = $5 OR $5 IS NULL)"               \
                  " AND (CAST($6 AS BIGINT) < 0 OR s.archived = $6)"

int bill_service_list(struct store_conn *c, const struct store_scope *s,
                      const struct bill_service_filter *f, struct page pg, struct arena *a,
                      struct bill_service **items, int64_t *count, int64_t *total, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[8];
    store_scope_bind(s, p);
    p[3] = SV_I(f->org_id);
    p[4] = SV_T(f->method);
    p[5] = SV_I(f->archived < 0 ? -1 : f->archived != 0);
    p[6] = SV_I(pg.per_page);
    p[7] = SV_I(offset_of(pg));
    if ((rc = store_query_int(c,
                              "SELECT count(*) FROM services s JOIN organizations o"
                              " ON o.id = s.org_id WHERE " SERVICE_FILTER,
                              p, 6, total, e)))
        return rc;
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT " SERVICE_COLS " FROM services s JOIN organizations o"
                          " ON o.id = s.org_id WHERE " SERVICE_FILTER
                          " ORDER BY s.org_id, s.archived, s.sort_order, s.id LIMIT $7 OFFSET $8",
                          p, 8, &r, e)))
        return rc;
    *count = 0;
    if (!(*items = page_items(a, pg, sizeof **items, e)))
        rc = ERR_NOMEM;
    while (rc == 0 && *count < pg.per_page && store_next(r))
        read_service(r, a, &(*items)[(*count)++]);
    store_rows_free(r);
    return rc;
}

/* Writes are the organization's own staff's and the administrator's. */
static int may_write(const struct store_scope *s, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc == 0 && s->kind != SCOPE_SYSTEM && s->kind != SCOPE_ADMIN && s->kind != SCOPE_ORG)
        rc = err_set(e, ERR_FORBIDDEN,
                     "каталог услуг и тарифы ведут сотрудники организации и администратор");
    return rc;
}

/* The payee of a service of an organization of region_id: another
 * organization of the same region (the caller may name one it cannot read
 * otherwise: staff see only their own organization, and a regional operator
 * collected on their documents is another). The service's own organization
 * means none. 422 naming payee_org_id for anything else. */
static int check_payee(struct store_conn *c, int64_t region_id, int64_t org_id, int64_t *payee,
                       struct err *e)
{
    if (*payee == org_id)
        *payee = 0;
    if (!*payee)
        return 0;
    if (*payee < 0)
        return err_field(e, ERR_INVALID, "payee_org_id", "организация-получатель не найдена");
    int64_t n = 0;
    int rc =
        store_query_int(c, "SELECT count(*) FROM organizations WHERE id = $1 AND region_id = $2",
                        (struct store_val[]){SV_I(*payee), SV_I(region_id)}, 2, &n, e);
    if (!rc && !n)
        rc = err_field(e, ERR_INVALID, "payee_org_id",
                       "организация-получатель %lld не найдена в регионе поставщика",
                       (long long)*payee);
    return rc;
}

int bill_service_create(struct store_conn *c, const struct store_scope *s, struct bill_service *sv,
                        struct arena *a, struct err *e)
{
    int rc = may_write(s, e);
    if (rc)
        return rc;
    struct field_errors fe = {0};
    if (bill_service_check(sv, true, &fe))
        return err_field(e, ERR_INVALID, fe.e[0].field, "%s", fe.e[0].message);
    if (!sv->org_id && s->kind == SCOPE_ORG)
        sv->org_id = s->org_id;
    if (!sv->org_id)
        return err_field(e, ERR_INVALID, "org_id", "обязательное поле: организация-поставщик");
    struct organization o;
    if ((rc = dir_org_get(c, s, sv->org_id, a, &o, e)) == ERR_NOTFOUND)
        return err_field(e, rc, "org_id", "организация не найдена");
    if (rc)
        return rc;
    sv->region_id = o.region_id;
    sv->org_name = o.name;
    if ((rc = check_payee(c, sv->region_id, sv->org_id, &sv->payee_org_id, e)))
        return rc;
    sv->created_at = store_now();
    struct store_val p[] = {SV_I(sv->region_id),    SV_I(sv->org_id),   SV_T(sv->code),
                            SV_T(sv->name),         SV_T(sv->method),   SV_T(sv->unit),
                            SV_T(sv->resource),     SV_T(sv->zone),     SV_I(sv->raising_pct),
                            SV_I(sv->sort_order),   SV_I(sv->archived), SV_I(sv->created_at),
                            SV_ID(sv->payee_org_id)};
    rc = store_query_int(c,
                         "INSERT INTO services (region_id, org_id, code, name, method, unit,"
                         " resource, zone, raising_pct, sort_order, archived, created_at,"
                         " payee_org_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
                         " $12, $13) RETURNING id",
                         p, COUNT(p), &sv->id, e);
    if (rc == ERR_CONFLICT)
        return err_field(e, rc, "code", "у организации уже есть услуга с кодом «%s»", sv->code);
    return rc;
}

int bill_service_update(struct store_conn *c, const struct store_scope *s,
                        const struct bill_service *sv, struct err *e)
{
    int rc = may_write(s, e);
    if (rc)
        return rc;
    struct bill_service copy = *sv;
    struct field_errors fe = {0};
    if (bill_service_check(&copy, false, &fe))
        return err_field(e, ERR_INVALID, fe.e[0].field, "%s", fe.e[0].message);
    struct store_val p[10];
    store_scope_bind(s, p);
    p[3] = SV_I(sv->id);
    /* The service's own region and organization judge the payee. */
    struct store_rows *r = NULL;
    int64_t region_id = 0, org_id = 0, payee = sv->payee_org_id;
    if ((rc = store_query(c,
                          "SELECT s.region_id, s.org_id FROM services s WHERE s.id = $4"
                          " AND (s.region_id = $1 OR $1 = 0) AND (s.org_id = $3 OR $3 = 0)"
                          " AND (CAST($2 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM organizations o"
                          " WHERE o.id = s.org_id AND o.municipality_id = $2))",
                          p, 4, &r, e)))
        return rc;
    if (store_next(r)) {
        region_id = store_int(r, 0);
        org_id = store_int(r, 1);
    }
    store_rows_free(r);
    if (!org_id)
        return err_set(e, ERR_NOTFOUND, "услуга не найдена");
    if ((rc = check_payee(c, region_id, org_id, &payee, e)))
        return rc;
    p[4] = SV_T(sv->name);
    p[5] = SV_T(sv->unit);
    p[6] = SV_I(sv->raising_pct);
    p[7] = SV_I(sv->sort_order);
    p[8] = SV_I(sv->archived);
    p[9] = SV_ID(payee);
    int64_t changed = 0;
    rc = store_exec(c,
                    "UPDATE services AS s SET name = $5, unit = $6, raising_pct = $7,"
                    " sort_order = $8, archived = $9, payee_org_id = $10 WHERE s.id = $4"
                    " AND (s.region_id = $1 OR $1 = 0) AND (s.org_id = $3 OR $3 = 0)"
                    " AND (CAST($2 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM organizations o"
                    " WHERE o.id = s.org_id AND o.municipality_id = $2))",
                    p, COUNT(p), &changed, e);
    if (rc == 0 && !changed)
        rc = err_set(e, ERR_NOTFOUND, "услуга не найдена");
    return rc;
}

/* ---------------------------------------------------------------- tariffs and norms */

static const char *noun(enum bill_rate_kind k)
{
    return k == BILL_TARIFF ? "тариф" : "норматив";
}

int bill_rate_check(enum bill_rate_kind k, const struct bill_rate *r, struct field_errors *fe)
{
    int before = fe->n;
    struct date from = {0}, to;
    const char *why = NULL;
    /* A period has one price (docs/billing.md "Tariff resolution"): a
     * change inside a period is refused rather than prorated. */
    if (!r->valid_from || date_parse(r->valid_from, &from, &why))
        fe_add(fe, "valid_from", "%s", r->valid_from ? why : "обязательное поле: ГГГГ-ММ-01");
    else if (from.d != 1)
        fe_add(fe, "valid_from",
               "%s действует с 1-го числа месяца (%04d-%02d-01): изменение внутри расчётного "
               "периода не допускается",
               noun(k), from.y, from.m);
    if (r->valid_to && date_parse(r->valid_to, &to, &why))
        fe_add(fe, "valid_to", "%s", why);
    else if (r->valid_to && to.d != date_last_day_of_month(to.y, to.m))
        fe_add(fe, "valid_to",
               "%s заканчивается последним днём месяца (%04d-%02d-%02d): изменение внутри "
               "расчётного периода не допускается",
               noun(k), to.y, to.m, date_last_day_of_month(to.y, to.m));
    else if (r->valid_to && from.d == 1 && strcmp(r->valid_to, r->valid_from) < 0)
        fe_add(fe, "valid_to", "окончание раньше начала (%s)", r->valid_from);
    if (r->municipality_id && r->house_id)
        fe_add(fe, "house_id", "укажите либо муниципальное образование, либо дом, не оба");
    if (r->value < 0)
        fe_add(fe, k == BILL_TARIFF ? "price" : "per_person", "не может быть отрицательным");
    return fe->n - before;
}

/* One statement text per table: the store caches statements by address. */
#define RATE_COLS(v)                                                                               \
    "t.id, t.service_id, t.region_id, t.org_id, t.municipality_id, t.house_id, t.valid_from,"      \
    " t.valid_to, t." v ", t.created_by, t.created_at, m.name, h.address"
#define RATE_LIST(table, v)                                                                        \
    "SELECT " RATE_COLS(v) " FROM " table " t LEFT JOIN municipalities m"                          \
                           " ON m.id = t.municipality_id LEFT JOIN houses h ON h.id = t.house_id"  \
                           " WHERE t.service_id = $1 ORDER BY t.valid_from DESC, t.id DESC"        \
                           " LIMIT $2 OFFSET $3"
#define RATE_COUNT(table) "SELECT count(*) FROM " table " WHERE service_id = $1"
/* The latest row of the same service and scope. */
#define RATE_LATEST(table)                                                                         \
    "SELECT id, valid_from, valid_to FROM " table " WHERE service_id = $1"                         \
    " AND COALESCE(municipality_id, 0) = $2 AND COALESCE(house_id, 0) = $3"                        \
    " ORDER BY valid_from DESC, id DESC LIMIT 1"
#define RATE_END(table) "UPDATE " table " SET valid_to = $2 WHERE id = $1 AND valid_to IS NULL"
#define RATE_INSERT(table, v)                                                                      \
    "INSERT INTO " table " (service_id, region_id, org_id, municipality_id, house_id,"             \
    " valid_from, valid_to, " v ", created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7,"    \
    " $8, $9, $10) RETURNING id"

static const struct {
    const char *list, *count, *latest, *end, *insert;
} rate_sql[] = {
    [BILL_TARIFF] = {RATE_LIST("tariffs", "price"), RATE_COUNT("tariffs"), RATE_LATEST("tariffs"),
                     RATE_END("tariffs"), RATE_INSERT("tariffs", "price")},
    [BILL_NORM] = {RATE_LIST("norms", "per_person"), RATE_COUNT("norms"), RATE_LATEST("norms"),
                   RATE_END("norms"), RATE_INSERT("norms", "per_person")},
};

static void read_rate(struct store_rows *r, struct arena *a, struct bill_rate *t)
{
    *t = (struct bill_rate){0};
    t->id = store_int(r, 0);
    t->service_id = store_int(r, 1);
    t->region_id = store_int(r, 2);
    t->org_id = store_int(r, 3);
    t->municipality_id = store_isnull(r, 4) ? 0 : store_int(r, 4);
    t->house_id = store_isnull(r, 5) ? 0 : store_int(r, 5);
    t->valid_from = store_dup(r, 6, a);
    t->valid_to = store_dup(r, 7, a);
    t->value = store_int(r, 8);
    t->created_by = store_isnull(r, 9) ? 0 : store_int(r, 9);
    t->created_at = store_int(r, 10);
    t->municipality_name = store_dup(r, 11, a);
    t->house_address = store_dup(r, 12, a);
}

int bill_rate_list(struct store_conn *c, const struct store_scope *s, enum bill_rate_kind k,
                   int64_t service_id, struct page pg, struct arena *a, struct bill_rate **items,
                   int64_t *count, int64_t *total, struct err *e)
{
    struct bill_service sv;
    int rc = bill_service_get(c, s, service_id, a, &sv, e); /* visible: its whole history is */
    if (rc)
        return rc;
    struct store_val p[] = {SV_I(service_id), SV_I(pg.per_page), SV_I(offset_of(pg))};
    if ((rc = store_query_int(c, rate_sql[k].count, p, 1, total, e)))
        return rc;
    struct store_rows *r = NULL;
    if ((rc = store_query(c, rate_sql[k].list, p, 3, &r, e)))
        return rc;
    *count = 0;
    if (!(*items = page_items(a, pg, sizeof **items, e)))
        rc = ERR_NOMEM;
    while (rc == 0 && *count < pg.per_page && store_next(r))
        read_rate(r, a, &(*items)[(*count)++]);
    store_rows_free(r);
    return rc;
}

/* The organization's territory (docs/billing-catalog.md "Scope of a
 * tariff"): a house it manages or supplies (house_orgs), or a municipality
 * of its region that is its own or has such a house. Fills the place's name. */
static int check_territory(struct store_conn *c, const struct bill_service *sv, struct bill_rate *r,
                           struct arena *a, struct err *e)
{
    if (!r->house_id && !r->municipality_id)
        return 0;
    struct store_val p[] = {SV_I(r->house_id ? r->house_id : r->municipality_id), SV_I(sv->org_id),
                            SV_I(sv->region_id)};
    struct store_rows *rows = NULL;
    int rc = store_query(c,
                         r->house_id
                             ? "SELECT h.address FROM houses h WHERE h.id = $1 AND h.region_id = $3"
                               " AND EXISTS (SELECT 1 FROM house_orgs ho WHERE ho.house_id = h.id"
                               " AND ho.org_id = $2)"
                             : "SELECT m.name FROM municipalities m WHERE m.id = $1"
                               " AND m.region_id = $3 AND (EXISTS (SELECT 1 FROM organizations o"
                               " WHERE o.id = $2 AND o.municipality_id = m.id) OR EXISTS (SELECT 1"
                               " FROM house_orgs ho JOIN houses h ON h.id = ho.house_id"
                               " WHERE ho.org_id = $2 AND h.municipality_id = m.id))",
                         p, 3, &rows, e);
    if (rc == 0 && store_next(rows))
        *(r->house_id ? &r->house_address : &r->municipality_name) = store_dup(rows, 0, a);
    else if (rc == 0 && r->house_id)
        rc = err_field(e, ERR_INVALID, "house_id",
                       "дом не обслуживается организацией «%s»: тариф дома задаётся для домов, "
                       "которыми она управляет или куда поставляет ресурсы",
                       sv->org_name);
    else if (rc == 0)
        rc = err_field(e, ERR_INVALID, "municipality_id",
                       "муниципальное образование вне территории организации «%s»: у неё нет "
                       "там домов",
                       sv->org_name);
    store_rows_free(rows);
    return rc;
}

/* A row may not start in a period the organization has closed. */
static int check_open_period(struct store_conn *c, enum bill_rate_kind k,
                             const struct bill_service *sv, const struct bill_rate *r,
                             struct arena *a, struct err *e)
{
    struct store_val p[] = {SV_I(sv->org_id), SV_T(arena_strndup(a, r->valid_from, 7))};
    struct store_rows *rows = NULL;
    int rc = store_query(c,
                         "SELECT max(period) FROM billing_periods WHERE org_id = $1"
                         " AND closed_at IS NOT NULL AND period >= $2",
                         p, 2, &rows, e);
    if (rc == 0 && store_next(rows) && !store_isnull(rows, 0))
        rc = err_field(e, ERR_CONFLICT, "valid_from",
                       "период %s закрыт: %s не может начинаться раньше следующего периода",
                       store_text(rows, 0), noun(k));
    store_rows_free(rows);
    return rc;
}

/* History is never overwritten: the new row starts after the latest row of
 * its scope, which it ends the day before if it is open. */
static int continue_history(struct store_conn *c, enum bill_rate_kind k, struct bill_rate *r,
                            struct err *e)
{
    struct store_val p[] = {SV_I(r->service_id), SV_I(r->municipality_id), SV_I(r->house_id)};
    struct store_rows *rows = NULL;
    int rc = store_query(c, rate_sql[k].latest, p, 3, &rows, e);
    if (rc || !store_next(rows)) {
        store_rows_free(rows);
        return rc;
    }
    int64_t id = store_int(rows, 0);
    char from[DATE_STR_SIZE], to[DATE_STR_SIZE] = "", end[DATE_STR_SIZE] = "";
    snprintf(from, sizeof from, "%s", store_text(rows, 1));
    if (!store_isnull(rows, 2))
        snprintf(to, sizeof to, "%s", store_text(rows, 2));
    store_rows_free(rows);
    struct date d;
    if (strcmp(r->valid_from, from) <= 0) {
        date_parse(from, &d, NULL);
        int next = date_period(d.y, d.m) + 1;
        return err_field(e, ERR_CONFLICT, "valid_from",
                         "в истории уже есть %s с %s: история не переписывается, новый %s этой "
                         "же области действия может начинаться не раньше %04d-%02d-01",
                         noun(k), from, noun(k), date_period_year(next), date_period_month(next));
    }
    if (to[0] && strcmp(to, r->valid_from) >= 0)
        return err_field(e, ERR_CONFLICT, "valid_from",
                         "предыдущий %s действует по %s: новый может начинаться только после",
                         noun(k), to);
    if (to[0])
        return 0;
    date_parse(r->valid_from, &d, NULL);
    date_add_days(d, -1, &d);
    date_format(d, end);
    struct store_val q[] = {SV_I(id), SV_S(end)};
    if ((rc = store_exec(c, rate_sql[k].end, q, 2, NULL, e)) == 0)
        r->ended = id;
    return rc;
}

int bill_rate_create(struct store_conn *c, const struct store_scope *s, enum bill_rate_kind k,
                     struct bill_rate *r, struct arena *a, struct err *e)
{
    int rc = may_write(s, e);
    if (rc)
        return rc;
    struct field_errors fe = {0};
    if (bill_rate_check(k, r, &fe))
        return err_field(e, ERR_INVALID, fe.e[0].field, "%s", fe.e[0].message);
    struct bill_service sv;
    if ((rc = bill_service_get(c, s, r->service_id, a, &sv, e)))
        return rc;
    if (k == BILL_NORM && strcmp(sv.method, "meter") != 0)
        return err_set(e, ERR_INVALID,
                       "норматив потребления задаётся только для услуг по приборам учёта");
    /* One writer per service at a time: the history check and the insert
     * must see each other (SQLite's BEGIN IMMEDIATE serializes already). */
    if (store_conn_backend(c) == STORE_POSTGRES &&
        (rc = store_query_int(c, "SELECT id FROM services WHERE id = $1 FOR UPDATE",
                              (struct store_val[]){SV_I(sv.id)}, 1, &(int64_t){0}, e)))
        return rc;
    if ((rc = check_territory(c, &sv, r, a, e)) || (rc = check_open_period(c, k, &sv, r, a, e)) ||
        (rc = continue_history(c, k, r, e)))
        return rc;
    r->region_id = sv.region_id;
    r->org_id = sv.org_id;
    r->created_by = s->user_id;
    r->created_at = store_now();
    struct store_val p[] = {SV_I(r->service_id),       SV_I(r->region_id), SV_I(r->org_id),
                            SV_ID(r->municipality_id), SV_ID(r->house_id), SV_T(r->valid_from),
                            SV_T(r->valid_to),         SV_I(r->value),     SV_ID(r->created_by),
                            SV_I(r->created_at)};
    return store_query_int(c, rate_sql[k].insert, p, COUNT(p), &r->id, e);
}

/* ---------------------------------------------------------------- settings */

int bill_settings_get(struct store_conn *c, const struct store_scope *s, int64_t org_id,
                      struct bill_settings *out, struct err *e)
{
    struct organization o;
    struct arena *a = arena_new();
    int rc = a ? dir_org_get(c, s, org_id, a, &o, e) : err_set(e, ERR_NOMEM, "out of memory");
    arena_free(a);
    if (rc)
        return rc;
    /* No row: the defaults (due on the 10th, ЖК 155 ч. 1; the payment day counted). */
    *out = (struct bill_settings){.due_day = BILL_DUE_DAY, .count_payment_day = true};
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT due_day, count_payment_day, cashback_bp, cashback_cap,"
                          " updated_at FROM billing_settings WHERE org_id = $1",
                          (struct store_val[]){SV_I(org_id)}, 1, &r, e)))
        return rc;
    if (store_next(r))
        *out = (struct bill_settings){store_int(r, 0), store_int(r, 1) != 0, store_int(r, 2),
                                      store_int(r, 3), store_int(r, 4)};
    store_rows_free(r);
    return 0;
}

int bill_settings_put(struct store_conn *c, const struct store_scope *s, int64_t org_id,
                      const struct bill_settings *in, struct err *e)
{
    struct bill_settings old;
    int rc = may_write(s, e);
    if (rc || (rc = bill_settings_get(c, s, org_id, &old, e)))
        return rc;
    if (in->due_day < 1 || in->due_day > 28)
        return err_field(e, ERR_INVALID, "due_day", "день оплаты: от 1 до 28");
    if (in->cashback_bp < 0 || in->cashback_bp > 10000)
        return err_field(e, ERR_INVALID, "cashback_percent", "процент: от 0 до 100");
    if (in->cashback_cap < 0)
        return err_field(e, ERR_INVALID, "cashback_cap", "не может быть отрицательным");
    struct store_val p[] = {
        SV_I(org_id),          SV_I(in->due_day),      SV_I(in->count_payment_day),
        SV_I(in->cashback_bp), SV_I(in->cashback_cap), SV_I(store_now())};
    return store_exec(c,
                      "INSERT INTO billing_settings (org_id, due_day, count_payment_day,"
                      " cashback_bp, cashback_cap, updated_at) VALUES ($1, $2, $3, $4, $5, $6)"
                      " ON CONFLICT (org_id) DO UPDATE SET due_day = excluded.due_day,"
                      " count_payment_day = excluded.count_payment_day,"
                      " cashback_bp = excluded.cashback_bp, cashback_cap = excluded.cashback_cap,"
                      " updated_at = excluded.updated_at",
                      p, COUNT(p), NULL, e);
}

/* ---------------------------------------------------------------- key rates, regimes */

int bill_key_rate_list(struct store_conn *c, const struct store_scope *s, struct page pg,
                       struct arena *a, struct key_rate **items, int64_t *count, int64_t *total,
                       struct err *e)
{
    int rc = store_scope_check(s, e); /* public data: every scope reads it */
    if (rc || (rc = store_query_int(c, "SELECT count(*) FROM key_rates", NULL, 0, total, e)))
        return rc;
    struct store_val p[] = {SV_I(pg.per_page), SV_I(offset_of(pg))};
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT valid_from, rate_bp FROM key_rates ORDER BY valid_from DESC"
                          " LIMIT $1 OFFSET $2",
                          p, 2, &r, e)))
        return rc;
    *count = 0;
    if (!(*items = page_items(a, pg, sizeof **items, e)))
        rc = ERR_NOMEM;
    while (rc == 0 && *count < pg.per_page && store_next(r)) {
        struct date d = {0};
        date_parse(store_text(r, 0), &d, NULL);
        (*items)[(*count)++] = (struct key_rate){date_days_from_civil(d), (int)store_int(r, 1)};
    }
    store_rows_free(r);
    return rc;
}

int bill_key_rate_add(struct store_conn *c, const struct store_scope *s, const struct key_rate *k,
                      struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    /* The Bank of Russia's rate is the installation's reference data. */
    if (s->kind != SCOPE_SYSTEM && s->kind != SCOPE_ADMIN)
        return err_set(e, ERR_FORBIDDEN, "ключевую ставку вносит только администратор");
    if (k->rate_bp < 0 || k->rate_bp > 10000)
        return err_field(e, ERR_INVALID, "rate", "ставка в процентах: от 0 до 100");
    char day[DATE_STR_SIZE];
    if (date_format(date_civil_from_days(k->from), day))
        return err_field(e, ERR_INVALID, "valid_from", "неверная дата");
    rc = store_exec(c, "INSERT INTO key_rates (valid_from, rate_bp) VALUES ($1, $2)",
                    (struct store_val[]){SV_S(day), SV_I(k->rate_bp)}, 2, NULL, e);
    if (rc == ERR_CONFLICT)
        return err_field(e, rc, "valid_from",
                         "ставка с %s уже есть: история ставок не переписывается", day);
    return rc;
}

int bill_regime_list(struct store_conn *c, const struct store_scope *s, struct page pg,
                     struct arena *a, struct bill_regime **items, int64_t *count, int64_t *total,
                     struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc || (rc = store_query_int(c, "SELECT count(*) FROM penalty_regimes", NULL, 0, total, e)))
        return rc;
    struct store_val p[] = {SV_I(pg.per_page), SV_I(offset_of(pg))};
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT id, kind, date_from, date_to, cap_bp, note FROM penalty_regimes"
                          " ORDER BY date_from, id LIMIT $1 OFFSET $2",
                          p, 2, &r, e)))
        return rc;
    *count = 0;
    if (!(*items = page_items(a, pg, sizeof **items, e)))
        rc = ERR_NOMEM;
    while (rc == 0 && *count < pg.per_page && store_next(r))
        (*items)[(*count)++] =
            (struct bill_regime){store_int(r, 0),    store_isnull(r, 4) ? -1 : store_int(r, 4),
                                 store_dup(r, 1, a), store_dup(r, 2, a),
                                 store_dup(r, 3, a), store_dup(r, 5, a)};
    store_rows_free(r);
    return rc;
}
