/* meters_db.c — scoped queries of meters and of organizations' reading
 * settings. Every meter query binds the caller's scope as $1..$4
 * (meter_scope_bind): region, municipality, organization (the meter's own,
 * or the manager of its house) and resident (via resident_premises). */
#include "meters/meters_impl.h"

#include "registry/registry.h"

#include <string.h>

#define METER_COLS                                                                                 \
    "m.id, m.region_id, m.municipality_id, m.house_id, m.premises_id, m.org_id, m.kind,"           \
    " m.resource, m.zone, m.serial, m.digits, m.decimals, m.initial_value, m.installed_on,"        \
    " m.verified_on, m.next_verification_on, m.removed_on, m.created_at, m.updated_at,"            \
    " mu.timezone"

static void read_meter(struct store_rows *r, struct arena *a, struct meter *m)
{
    m->id = store_int(r, 0);
    m->region_id = store_int(r, 1);
    m->municipality_id = store_int(r, 2);
    m->house_id = store_int(r, 3);
    m->premises_id = store_isnull(r, 4) ? 0 : store_int(r, 4);
    m->org_id = store_int(r, 5);
    m->kind = store_dup(r, 6, a);
    m->resource = store_dup(r, 7, a);
    m->zone = store_dup(r, 8, a);
    m->serial = store_dup(r, 9, a);
    m->digits = store_int(r, 10);
    m->decimals = store_int(r, 11);
    m->initial_value = store_int(r, 12);
    m->installed_on = store_dup(r, 13, a);
    m->verified_on = store_dup(r, 14, a);
    m->next_verification_on = store_dup(r, 15, a);
    m->removed_on = store_dup(r, 16, a);
    m->created_at = store_int(r, 17);
    m->updated_at = store_int(r, 18);
    m->timezone = store_dup(r, 19, a);
}

/* The meter's status on today's date in its own time zone. */
static void set_status(struct meter *m, int64_t now)
{
    struct date_local l;
    char today[DATE_STR_SIZE] = "9999-12-31";
    if (date_utc_to_local(m->timezone, now, &l) == 0)
        date_format((struct date){l.y, l.m, l.d}, today);
    m->status = meter_status(m, today);
}

int meter_get(struct store_conn *c, const struct store_scope *s, int64_t id, struct arena *a,
              struct meter *out, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[5];
    meter_scope_bind(s, p);
    p[4] = SV_I(id);
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT " METER_COLS " FROM meters m"
                          " JOIN municipalities mu ON mu.id = m.municipality_id"
                          " WHERE m.id = $5 AND " METER_SCOPE,
                          p, 5, &r, e)))
        return rc;
    if (store_next(r)) {
        read_meter(r, a, out);
        set_status(out, store_now());
    } else {
        rc = err_set(e, ERR_NOTFOUND, "прибор учёта не найден");
    }
    store_rows_free(r);
    return rc;
}

/* The municipality's local date, chosen by its zone from meter_today
 * ($14 zones ahead of UTC, $15 behind, $16..$18 the three dates). */
#define LOCAL_DATES                                                                                \
    " JOIN (SELECT x.id, x.timezone, CASE"                                                         \
    " WHEN $14 LIKE '%|' || replace(x.timezone, '_', '\\_') || '|%' ESCAPE '\\' THEN $18"          \
    " WHEN $15 LIKE '%|' || replace(x.timezone, '_', '\\_') || '|%' ESCAPE '\\' THEN $16"          \
    " ELSE $17 END AS today FROM municipalities x) mu ON mu.id = m.municipality_id"

#define METER_FILTER                                                                               \
    METER_SCOPE                                                                                    \
    " AND (m.house_id = $5 OR $5 = 0) AND (m.premises_id = $6 OR $6 = 0)"                          \
    " AND (m.org_id = $7 OR $7 = 0) AND (m.kind = $8 OR $8 IS NULL)"                               \
    " AND (m.resource = $9 OR $9 IS NULL)"                                                         \
    " AND (CAST($10 AS TEXT) IS NULL OR ($10 = 'removed' AND m.removed_on <= mu.today)"            \
    " OR ($10 = 'expired' AND (m.removed_on IS NULL OR m.removed_on > mu.today)"                   \
    " AND m.next_verification_on < mu.today)"                                                      \
    " OR ($10 = 'active' AND (m.removed_on IS NULL OR m.removed_on > mu.today)"                    \
    " AND (m.next_verification_on IS NULL OR m.next_verification_on >= mu.today)))"                \
    " AND ($12 = 0 OR NOT EXISTS (SELECT 1 FROM readings r WHERE r.meter_id = m.id"                \
    " AND r.period = $11 AND r.state = 'accepted'))"                                               \
    " AND ($13 = 0 OR EXISTS (SELECT 1 FROM reading_rejections j"                                  \
    " WHERE j.meter_id = m.id AND j.period = $11))"

int meter_list(struct store_conn *c, const struct store_scope *s, const struct meter_filter *f,
               struct page pg, struct arena *a, struct meter **items, int64_t *count,
               int64_t *total, struct err *e)
{
    int rc = store_scope_check(s, e);
    struct meter_today t;
    if (rc || (rc = meter_today_at(c, store_now(), a, &t, e)))
        return rc;
    struct store_val p[20];
    meter_scope_bind(s, p);
    p[4] = SV_I(f->house_id);
    p[5] = SV_I(f->premises_id);
    p[6] = SV_I(f->org_id);
    p[7] = SV_T(f->kind);
    p[8] = SV_T(f->resource);
    p[9] = SV_T(f->status);
    p[10] = SV_S(f->period ? meter_period_text(a, f->period) : "");
    p[11] = SV_I(f->no_reading);
    p[12] = SV_I(f->rejected);
    p[13] = SV_S(t.ahead);
    p[14] = SV_S(t.behind);
    for (int i = 0; i < 3; i++)
        p[15 + i] = SV_S(t.d[i]);
    p[18] = SV_I(pg.per_page);
    p[19] = SV_I((pg.page - 1) * pg.per_page);
    if ((rc = store_query_int(c, "SELECT count(*) FROM meters m" LOCAL_DATES " WHERE " METER_FILTER,
                              p, 18, total, e)))
        return rc;
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT " METER_COLS ", CASE WHEN m.removed_on <= mu.today THEN 'removed'"
                          " WHEN m.next_verification_on < mu.today THEN 'expired'"
                          " ELSE 'active' END FROM meters m" LOCAL_DATES " WHERE " METER_FILTER
                          " ORDER BY m.house_id, m.premises_id IS NULL, m.premises_id, m.id LIMIT "
                          "$19 OFFSET $20",
                          p, 20, &r, e)))
        return rc;
    *count = 0;
    if (!(*items = arena_alloc(a, sizeof **items * (size_t)pg.per_page)))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    while (rc == 0 && *count < pg.per_page && store_next(r)) {
        struct meter *m = &(*items)[(*count)++];
        read_meter(r, a, m);
        m->status = store_dup(r, 20, a);
    }
    store_rows_free(r);
    return rc;
}

/* Where the meter goes: its house (and premises) must be visible to the
 * caller; the house's region and municipality are copied onto it. */
static int place_meter(struct store_conn *c, const struct store_scope *s, struct meter *m,
                       struct arena *a, struct err *e)
{
    int rc;
    if (m->premises_id) {
        struct premises pr = {0};
        if ((rc = reg_premises_get(c, s, m->premises_id, a, &pr, e)) == ERR_NOTFOUND)
            return err_field(e, rc, "premises_id", "помещение не найдено");
        if (rc)
            return rc;
        if (m->house_id && m->house_id != pr.house_id)
            return err_field(e, ERR_INVALID, "house_id", "помещение находится в другом доме");
        m->house_id = pr.house_id;
    }
    struct house h;
    if ((rc = reg_house_get(c, s, m->house_id, a, &h, e)) == ERR_NOTFOUND)
        return err_field(e, rc, "house_id", "дом не найден");
    if (rc)
        return rc;
    m->region_id = h.region_id;
    m->municipality_id = h.municipality_id;
    if (s->kind == SCOPE_ORG && !m->org_id)
        m->org_id = s->org_id;
    if (!m->org_id)
        return err_field(e, ERR_INVALID, "org_id", "обязательное поле: кто принимает показания");
    /* Another organization's meter only in a house the caller manages. */
    if (s->kind == SCOPE_ORG && m->org_id != s->org_id && h.org_id != s->org_id)
        return err_field(e, ERR_INVALID, "org_id",
                         "прибор другой организации можно завести только в доме, которым вы "
                         "управляете");
    struct store_scope in_region = {.kind = SCOPE_REGION, .region_id = h.region_id};
    struct organization o;
    if ((rc = dir_org_get(c, &in_region, m->org_id, a, &o, e)) == ERR_NOTFOUND)
        return err_field(e, rc, "org_id", "организация не найдена в регионе дома");
    return rc;
}

int meter_create(struct store_conn *c, const struct store_scope *s, struct meter *m,
                 struct arena *a, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc == 0 && s->kind == SCOPE_RESIDENT) /* residents read meters, never set them */
        rc = err_set(e, ERR_FORBIDDEN, "жители не заводят приборы учёта");
    if (rc || (rc = place_meter(c, s, m, a, e)))
        return rc;
    m->created_at = m->updated_at = store_now();
    struct store_val p[] = {SV_I(m->region_id),
                            SV_I(m->municipality_id),
                            SV_I(m->house_id),
                            SV_ID(m->premises_id),
                            SV_I(m->org_id),
                            SV_T(m->kind),
                            SV_T(m->resource),
                            SV_T(m->zone),
                            SV_T(m->serial),
                            SV_I(m->digits),
                            SV_I(m->decimals),
                            SV_I(m->initial_value),
                            SV_T(m->installed_on),
                            SV_T(m->verified_on),
                            SV_T(m->next_verification_on),
                            SV_T(m->removed_on),
                            SV_I(m->created_at)};
    rc = store_query_int(c,
                         "INSERT INTO meters (region_id, municipality_id, house_id, premises_id,"
                         " org_id, kind, resource, zone, serial, digits, decimals, initial_value,"
                         " installed_on, verified_on, next_verification_on, removed_on,"
                         " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
                         " $10, $11, $12, $13, $14, $15, $16, $17, $17) RETURNING id",
                         p, 17, &m->id, e);
    if (rc == ERR_CONFLICT)
        return err_field(e, rc, "serial",
                         "в доме уже есть действующий прибор с этим заводским номером, ресурсом "
                         "и зоной");
    return rc;
}

/* Once a meter has readings, what they were judged against stays: its
 * capacity, decimals, initial value and installation date; and it is not
 * removed before its last accepted reading. (Unscoped: the UPDATE that
 * follows is scoped, and a foreign id finds nothing there.) */
static int keep_readings_whole(struct store_conn *c, const struct meter *m, struct err *e)
{
    struct store_rows *r = NULL;
    int rc = store_query(c,
                         "SELECT digits, decimals, initial_value, installed_on,"
                         " (SELECT max(period) FROM readings WHERE meter_id = $1"
                         " AND state = 'accepted') FROM meters WHERE id = $1",
                         (struct store_val[]){SV_I(m->id)}, 1, &r, e);
    if (rc || !store_next(r) || store_isnull(r, 4)) {
        store_rows_free(r);
        return rc;
    }
    static const char *const held = "у прибора уже есть показания: %s не меняется";
    if (store_int(r, 0) != m->digits)
        rc = err_field(e, ERR_INVALID, "digits", held, "разрядность");
    else if (store_int(r, 1) != m->decimals)
        rc = err_field(e, ERR_INVALID, "decimals", held, "число знаков после запятой");
    else if (store_int(r, 2) != m->initial_value)
        rc = err_field(e, ERR_INVALID, "initial_value", held, "начальное показание");
    else if (strcmp(store_text(r, 3), m->installed_on ? m->installed_on : "") != 0)
        rc = err_field(e, ERR_INVALID, "installed_on", held, "дата установки");
    else if (m->removed_on && strncmp(m->removed_on, store_text(r, 4), 7) < 0)
        rc = err_field(e, ERR_INVALID, "removed_on",
                       "снятие раньше последнего принятого показания (за %s)", store_text(r, 4));
    store_rows_free(r);
    return rc;
}

int meter_update(struct store_conn *c, const struct store_scope *s, struct meter *m,
                 struct arena *a, struct err *e)
{
    (void)a;
    int rc = store_scope_check(s, e);
    if (rc == 0 && s->kind == SCOPE_RESIDENT)
        rc = err_set(e, ERR_FORBIDDEN, "жители не меняют приборы учёта");
    if (rc || (rc = keep_readings_whole(c, m, e)))
        return rc;
    m->updated_at = store_now();
    struct store_val p[14];
    meter_scope_bind(s, p);
    struct store_val v[] = {SV_T(m->serial),
                            SV_I(m->digits),
                            SV_I(m->decimals),
                            SV_I(m->initial_value),
                            SV_T(m->installed_on),
                            SV_T(m->verified_on),
                            SV_T(m->next_verification_on),
                            SV_T(m->removed_on),
                            SV_I(m->updated_at),
                            SV_I(m->id)};
    memcpy(p + 4, v, sizeof v);
    int64_t changed = 0;
    rc = store_exec(c,
                    "UPDATE meters AS m SET serial = $5, digits = $6, decimals = $7,"
                    " initial_value = $8, installed_on = $9, verified_on = $10,"
                    " next_verification_on = $11, removed_on = $12, updated_at = $13"
                    " WHERE m.id = $14 AND " METER_SCOPE,
                    p, 14, &changed, e);
    if (rc == ERR_CONFLICT)
        return err_field(e, rc, "serial",
                         "в доме уже есть действующий прибор с этим заводским номером, ресурсом "
                         "и зоной");
    if (rc == 0 && !changed)
        rc = err_set(e, ERR_NOTFOUND, "прибор учёта не найден");
    return rc;
}

/* ---- reading settings ---- */

int meter_settings_get(struct store_conn *c, const struct store_scope *s, int64_t org_id,
                       struct meter_settings *out, struct err *e)
{
    struct organization o;
    struct arena *a = arena_new();
    int rc = a ? dir_org_get(c, s, org_id, a, &o, e) : err_set(e, ERR_NOMEM, "out of memory");
    arena_free(a);
    if (rc)
        return rc;
    *out = meter_settings_default();
    struct store_val p[] = {SV_I(org_id)};
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT first_day, last_day, factor_pct FROM reading_settings"
                          " WHERE org_id = $1",
                          p, 1, &r, e)))
        return rc;
    if (store_next(r))
        *out = (struct meter_settings){(int)store_int(r, 0), (int)store_int(r, 1),
                                       (int)store_int(r, 2)};
    store_rows_free(r);
    return 0;
}

int meter_settings_put(struct store_conn *c, const struct store_scope *s, int64_t org_id,
                       const struct meter_settings *in, struct err *e)
{
    struct meter_settings old;
    /* The window applies to the organization's meters in every municipality:
     * its own staff, the region and the administrators set it, not one
     * municipality's operator. */
    if (s->kind == SCOPE_RESIDENT || s->kind == SCOPE_MUNICIPALITY)
        return err_set(e, ERR_FORBIDDEN,
                       "окно приёма показаний задают сотрудники организации или региона");
    int rc = meter_settings_get(c, s, org_id, &old, e); /* visible to the caller */
    if (rc)
        return rc;
    if (s->kind == SCOPE_ORG && s->org_id != org_id)
        return err_set(e, ERR_NOTFOUND, "организация не найдена");
    struct store_val p[] = {SV_I(org_id), SV_I(in->first_day), SV_I(in->last_day),
                            SV_I(in->factor_pct), SV_I(store_now())};
    return store_exec(c,
                      "INSERT INTO reading_settings (org_id, first_day, last_day, factor_pct,"
                      " updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id) DO UPDATE"
                      " SET first_day = excluded.first_day, last_day = excluded.last_day,"
                      " factor_pct = excluded.factor_pct, updated_at = excluded.updated_at",
                      p, 5, NULL, e);
}

/* ---- today's date by time zone ---- */

static const char *append_zone(struct arena *a, const char *list, const char *zone)
{
    return arena_printf(a, "%s%s|", list, zone);
}

int meter_today_at(struct store_conn *c, int64_t now, struct arena *a, struct meter_today *out,
                   struct err *e)
{
    *out = (struct meter_today){0};
    int64_t day = now >= 0 ? now / 86400 : -((86399 - now) / 86400);
    for (int i = 0; i < 3; i++)
        date_format(date_civil_from_days(day - 1 + i), out->d[i]);
    out->ahead = out->behind = "|";
    struct store_rows *r = NULL;
    int rc = store_query(c, "SELECT DISTINCT timezone FROM municipalities", NULL, 0, &r, e);
    while (rc == 0 && store_next(r)) {
        const char *tz = store_text(r, 0);
        struct date_local l;
        if (!tz || date_utc_to_local(tz, now, &l))
            continue;
        char local[DATE_STR_SIZE];
        date_format((struct date){l.y, l.m, l.d}, local);
        if (strcmp(local, out->d[1]) > 0)
            out->ahead = append_zone(a, out->ahead, tz);
        else if (strcmp(local, out->d[1]) < 0)
            out->behind = append_zone(a, out->behind, tz);
        if (!out->ahead || !out->behind)
            rc = err_set(e, ERR_NOMEM, "out of memory");
    }
    store_rows_free(r);
    return rc;
}
