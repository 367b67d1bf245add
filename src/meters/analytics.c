/* analytics.c — what other modules read from the meters: the period's
 * consumption per meter for billing (or the marker that it must be
 * estimated), the share of readings per channel per organization, and the
 * meter-data error figures per organization (DOMAIN.md §0, the monthly
 * supplier analytics: "share of readings through the app", "error rate in
 * meter data"). Scoped like meters (meters_db.c); residents see none. */
#include "meters/meters_impl.h"

#include <string.h>

#define CONSUMPTION_FILTER                                                                         \
    METER_STAFF_SCOPE " AND m.installed_on <= $5 AND (m.removed_on IS NULL OR m.removed_on >= $6)" \
                      " AND (m.house_id = $7 OR $7 = 0) AND (m.org_id = $8 OR $8 = 0)"             \
                      " AND (m.resource = $9 OR $9 IS NULL)"

int meter_consumption(struct store_conn *c, const struct store_scope *s,
                      const struct consumption_filter *f, struct page pg, struct arena *a,
                      struct consumption **items, int64_t *count, int64_t *total, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    char first[DATE_STR_SIZE], last[DATE_STR_SIZE];
    date_format(date_period_first_day(f->period), first);
    date_format(date_period_last_day(f->period), last);
    struct store_val p[12];
    meter_scope_bind(s, p);
    p[4] = SV_S(last);
    p[5] = SV_S(first);
    p[6] = SV_I(f->house_id);
    p[7] = SV_I(f->org_id);
    p[8] = SV_T(f->resource);
    p[9] = SV_S(meter_period_text(a, f->period));
    p[10] = SV_I(pg.per_page);
    p[11] = SV_I((pg.page - 1) * pg.per_page);
    if ((rc = store_query_int(c, "SELECT count(*) FROM meters m WHERE " CONSUMPTION_FILTER, p, 9,
                              total, e)))
        return rc;
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT m.id, m.house_id, m.premises_id, m.org_id, m.resource, m.zone,"
                          " r.id, r.value, r.consumption, r.months,"
                          " (SELECT max(pr.period) FROM readings pr WHERE pr.meter_id = m.id"
                          " AND pr.state = 'accepted' AND pr.period < $10)"
                          " FROM meters m LEFT JOIN readings r ON r.meter_id = m.id"
                          " AND r.period = $10 AND r.state = 'accepted'"
                          " WHERE " CONSUMPTION_FILTER " ORDER BY m.id LIMIT $11 OFFSET $12",
                          p, 12, &r, e)))
        return rc;
    *count = 0;
    if (!(*items = arena_alloc(a, sizeof **items * (size_t)pg.per_page)))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    while (rc == 0 && *count < pg.per_page && store_next(r)) {
        struct consumption *x = &(*items)[(*count)++];
        x->meter_id = store_int(r, 0);
        x->house_id = store_int(r, 1);
        x->premises_id = store_isnull(r, 2) ? 0 : store_int(r, 2);
        x->org_id = store_int(r, 3);
        x->resource = store_dup(r, 4, a);
        x->zone = store_dup(r, 5, a);
        x->estimate = store_isnull(r, 6);
        if (!x->estimate) {
            x->reading_id = store_int(r, 6);
            x->value = store_int(r, 7);
            x->consumption = store_int(r, 8);
            x->months = store_int(r, 9);
        }
        /* With an estimate: the last period read, which billing counts the
         * months of averaging from (ПП 354 п. 59–60). */
        x->prev_period = meter_period_stored(store_text(r, 10));
    }
    store_rows_free(r);
    return rc;
}

#define READING_SCOPE                                                                              \
    "(r.region_id = $1 OR $1 = 0) AND (r.municipality_id = $2 OR $2 = 0)"                          \
    " AND (CAST($3 AS BIGINT) = 0 OR r.org_id = $3 OR EXISTS (SELECT 1 FROM house_orgs ho"         \
    " WHERE ho.house_id = r.house_id AND ho.org_id = $3 AND ho.role = 'manager'))"                 \
    " AND CAST($4 AS BIGINT) = 0"

/* Grows the per-organization array when a new organization starts. */
static void *next_org(struct arena *a, void *items, int64_t n, size_t size)
{
    if (n && (n & (n - 1)))
        return items;
    void *bigger = arena_alloc(a, size * (size_t)(n ? n * 2 : 1));
    if (bigger && items)
        memcpy(bigger, items, size * (size_t)n);
    return bigger;
}

static const char *org_label(struct store_rows *r, int name_col, struct arena *a)
{
    return store_dup(r, store_isnull(r, name_col + 1) ? name_col : name_col + 1, a);
}

int meter_channel_stats(struct store_conn *c, const struct store_scope *s, int period,
                        int64_t org_id, struct arena *a, struct channel_stats **items,
                        int64_t *count, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[6];
    meter_scope_bind(s, p);
    p[4] = SV_S(meter_period_text(a, period));
    p[5] = SV_I(org_id);
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT r.org_id, o.name, o.short_name, o.inn, r.channel, count(*)"
                          " FROM readings r JOIN organizations o ON o.id = r.org_id"
                          " WHERE r.period = $5 AND r.state = 'accepted'"
                          " AND (r.org_id = $6 OR $6 = 0) AND " READING_SCOPE
                          " GROUP BY r.org_id, o.name, o.short_name, o.inn, r.channel"
                          " ORDER BY r.org_id",
                          p, 6, &r, e)))
        return rc;
    *items = NULL;
    *count = 0;
    while (rc == 0 && store_next(r)) {
        int64_t id = store_int(r, 0);
        if (!*count || (*items)[*count - 1].org_id != id) {
            if (!(*items = next_org(a, *items, *count, sizeof **items))) {
                rc = err_set(e, ERR_NOMEM, "out of memory");
                break;
            }
            (*items)[(*count)++] = (struct channel_stats){
                .org_id = id, .org_name = org_label(r, 1, a), .org_inn = store_dup(r, 3, a)};
        }
        struct channel_stats *x = &(*items)[*count - 1];
        enum meter_channel ch;
        int64_t n = store_int(r, 5);
        if (meter_channel_parse(store_text(r, 4), &ch) == 0)
            x->count[ch] += n;
        x->total += n;
    }
    store_rows_free(r);
    return rc;
}

/* The date each meter is judged on: the period's last day ($7), or today in
 * the municipality's zone if earlier ($8 zones ahead, $9 behind, $10..$12
 * the dates; meter_today). */
#define ON_DATE                                                                                    \
    " JOIN (SELECT z.id, CASE WHEN z.today < $7 THEN z.today ELSE $7 END AS on_date FROM"          \
    " (SELECT x.id, CASE"                                                                          \
    " WHEN $8 LIKE '%|' || replace(x.timezone, '_', '\\_') || '|%' ESCAPE '\\' THEN $12"           \
    " WHEN $9 LIKE '%|' || replace(x.timezone, '_', '\\_') || '|%' ESCAPE '\\' THEN $10"           \
    " ELSE $11 END AS today FROM municipalities x) z) mu ON mu.id = m.municipality_id"

/* The error flags of a meter (1/0), on mu.on_date and for the period $6.
 * Refusals of a repeated or future period are procedural, not data errors. */
#define QUALITY_FLAGS                                                                              \
    "CASE WHEN m.next_verification_on < mu.on_date THEN 1 ELSE 0 END AS xp,"                       \
    " CASE WHEN m.serial IS NULL OR m.serial = '' THEN 1 ELSE 0 END AS ns,"                        \
    " CASE WHEN EXISTS (SELECT 1 FROM reading_rejections j WHERE j.meter_id = m.id"                \
    " AND j.period = $6 AND j.rule NOT IN ('already_accepted', 'future_period'))"                  \
    " THEN 1 ELSE 0 END AS rj,"                                                                    \
    " CASE WHEN m.premises_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM accounts ac"               \
    " WHERE ac.premises_id = m.premises_id AND ac.opened_on <= mu.on_date"                         \
    " AND (ac.closed_on IS NULL OR ac.closed_on > mu.on_date)) THEN 1 ELSE 0 END AS na"

int meter_quality(struct store_conn *c, const struct store_scope *s, int period, int64_t org_id,
                  struct arena *a, struct meter_quality **items, int64_t *count, struct err *e)
{
    int rc = store_scope_check(s, e);
    struct meter_today t;
    if (rc || (rc = meter_today_at(c, store_now(), a, &t, e)))
        return rc;
    char last[DATE_STR_SIZE];
    date_format(date_period_last_day(period), last);
    struct store_val p[12];
    meter_scope_bind(s, p);
    p[4] = SV_I(org_id);
    p[5] = SV_S(meter_period_text(a, period));
    p[6] = SV_S(last);
    p[7] = SV_S(t.ahead);
    p[8] = SV_S(t.behind);
    for (int i = 0; i < 3; i++)
        p[9 + i] = SV_S(t.d[i]);
    struct store_rows *r = NULL;
    rc = store_query(c,
                     "SELECT f.org_id, o.name, o.short_name, o.inn, count(*),"
                     " sum(CASE WHEN f.xp + f.ns + f.rj + f.na > 0 THEN 1 ELSE 0 END),"
                     " sum(f.xp), sum(f.ns), sum(f.rj), sum(f.na) FROM"
                     " (SELECT m.org_id, " QUALITY_FLAGS " FROM meters m" ON_DATE
                     " WHERE " METER_STAFF_SCOPE " AND (m.org_id = $5 OR $5 = 0)"
                     " AND m.installed_on <= mu.on_date"
                     " AND (m.removed_on IS NULL OR m.removed_on > mu.on_date)) f"
                     " JOIN organizations o ON o.id = f.org_id"
                     " GROUP BY f.org_id, o.name, o.short_name, o.inn ORDER BY f.org_id",
                     p, 12, &r, e);
    if (rc)
        return rc;
    *items = NULL;
    *count = 0;
    while (rc == 0 && store_next(r)) {
        if (!(*items = next_org(a, *items, *count, sizeof **items))) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            break;
        }
        (*items)[(*count)++] = (struct meter_quality){.org_id = store_int(r, 0),
                                                      .org_name = org_label(r, 1, a),
                                                      .org_inn = store_dup(r, 3, a),
                                                      .meters = store_int(r, 4),
                                                      .with_errors = store_int(r, 5),
                                                      .verification_expired = store_int(r, 6),
                                                      .missing_serial = store_int(r, 7),
                                                      .rejected = store_int(r, 8),
                                                      .no_account = store_int(r, 9)};
    }
    store_rows_free(r);
    return rc;
}
