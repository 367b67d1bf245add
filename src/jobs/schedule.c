/* schedule.c — schedules and the scheduler tick. A firing is claimed by a
 * compare-and-set on the schedule's last_slot, in the same transaction that
 * enqueues its job under the key schedule:<id>:<slot>; so any number of
 * schedulers fire each slot once. */
#include "jobs/jobs.h"

#include "base/date.h"
#include "base/log.h"
#include "jobs/cron.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SCHED_COLS                                                                                 \
    "s.id, s.name, s.rule, s.timezone, s.kind, s.payload, s.enabled, s.last_slot, s.region_id,"    \
    " s.municipality_id, s.org_id, s.created_at"
#define SCHED_SCOPE                                                                                \
    "(s.region_id = $1 OR $1 = 0) AND (s.municipality_id = $2 OR $2 = 0)"                          \
    " AND (s.org_id = $3 OR $3 = 0)"
#define MAX_MISSED 100000

static bool kind_known(const char *name)
{
    for (const struct job_kind *k = job_kinds; name && k->name; k++)
        if (strcmp(k->name, name) == 0)
            return true;
    return false;
}

int sched_check(const struct schedule *sc, struct field_errors *fe)
{
    int before = fe->n;
    struct cron c;
    struct err e = {0};
    if (!sc->name || !*sc->name)
        fe_add(fe, "name", "обязательное поле");
    if (!sc->rule || cron_parse(sc->rule, &c, &e))
        fe_add(fe, "rule", "%s", sc->rule ? e.msg : "обязательное поле");
    if (!sc->timezone || !date_tz_valid(sc->timezone))
        fe_add(fe, "timezone",
               "неизвестный часовой пояс (ожидается имя IANA, например Europe/Moscow)");
    if (!kind_known(sc->kind))
        fe_add(fe, "kind", "неизвестный вид задания");
    json_t *p = sc->payload ? json_loads(sc->payload, 0, NULL) : NULL;
    if (sc->payload && !json_is_object(p))
        fe_add(fe, "payload", "ожидается объект JSON");
    json_decref(p);
    return fe->n - before;
}

/* The next slot after now, or 0. */
static int64_t next_slot(const struct schedule *sc, int64_t now)
{
    struct cron c;
    struct err e = {0};
    int64_t t = 0;
    if (cron_parse(sc->rule, &c, &e) || cron_next(&c, sc->timezone, now, &t, &e))
        return 0;
    return t;
}

static void read_schedule(struct store_rows *r, struct arena *a, struct schedule *sc)
{
    sc->id = store_int(r, 0);
    sc->name = store_dup(r, 1, a);
    sc->rule = store_dup(r, 2, a);
    sc->timezone = store_dup(r, 3, a);
    sc->kind = store_dup(r, 4, a);
    sc->payload = store_dup(r, 5, a);
    sc->enabled = store_int(r, 6) != 0;
    sc->last_slot = store_int(r, 7);
    sc->region_id = store_int(r, 8);
    sc->municipality_id = store_int(r, 9);
    sc->org_id = store_int(r, 10);
    sc->created_at = store_int(r, 11);
    sc->next_at = sc->enabled ? next_slot(sc, store_now()) : 0;
}

int sched_get(struct store_conn *c, const struct store_scope *s, int64_t id, struct arena *a,
              struct schedule *out, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[4];
    store_scope_bind(s, p);
    p[3] = SV_I(id);
    struct store_rows *r = NULL;
    if ((rc = store_query(
             c, "SELECT " SCHED_COLS " FROM schedules s WHERE " SCHED_SCOPE " AND s.id = $4", p, 4,
             &r, e)))
        return rc;
    if (store_next(r))
        read_schedule(r, a, out);
    else
        rc = err_set(e, ERR_NOTFOUND, "расписание не найдено");
    store_rows_free(r);
    return rc;
}

int sched_list(struct store_conn *c, const struct store_scope *s, struct page pg, struct arena *a,
               struct schedule **items, int64_t *count, int64_t *total, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[5];
    store_scope_bind(s, p);
    p[3] = SV_I(pg.per_page);
    p[4] = SV_I((pg.page - 1) * pg.per_page);
    if ((rc = store_query_int(c, "SELECT count(*) FROM schedules s WHERE " SCHED_SCOPE, p, 3, total,
                              e)))
        return rc;
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT " SCHED_COLS " FROM schedules s WHERE " SCHED_SCOPE
                          " ORDER BY s.name LIMIT $4 OFFSET $5",
                          p, 5, &r, e)))
        return rc;
    *count = 0;
    if (!(*items = arena_alloc(a, sizeof **items * (size_t)pg.per_page)))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    while (rc == 0 && *count < pg.per_page && store_next(r))
        read_schedule(r, a, &(*items)[(*count)++]);
    store_rows_free(r);
    return rc;
}

/* Fixes the schedule's place from its organization or municipality, which
 * the caller must see; otherwise it is the caller's region (or, for an
 * administrator, the installation's). */
static int place(struct store_conn *c, const struct store_scope *s, struct schedule *sc,
                 struct arena *a, struct err *e)
{
    int rc = 0;
    if (sc->org_id) {
        struct organization o;
        if ((rc = dir_org_get(c, s, sc->org_id, a, &o, e)) == ERR_NOTFOUND)
            return err_field(e, rc, "org_id", "организация не найдена");
        sc->region_id = o.region_id;
        sc->municipality_id = o.municipality_id;
    } else if (sc->municipality_id) {
        struct municipality m;
        if ((rc = dir_municipality_get(c, s, sc->municipality_id, a, &m, e)) == ERR_NOTFOUND)
            return err_field(e, rc, "municipality_id", "муниципальное образование не найдено");
        sc->region_id = m.region_id;
    } else {
        sc->region_id = s->kind == SCOPE_ADMIN || s->kind == SCOPE_SYSTEM ? 0 : s->region_id;
    }
    return rc;
}

int sched_create(struct store_conn *c, const struct store_scope *s, struct schedule *sc,
                 struct arena *a, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc || (rc = place(c, s, sc, a, e)))
        return rc;
    /* The first firing is the next slot: nothing before creation is caught up. */
    struct cron cr;
    int64_t now = store_now(), prev = now;
    if (cron_parse(sc->rule, &cr, e) == 0 && cron_prev(&cr, sc->timezone, now, &prev, e))
        prev = now;
    sc->last_slot = prev;
    sc->created_at = now;
    if (!sc->payload)
        sc->payload = "{}";
    sc->enabled = true;
    struct store_val p[] = {SV_T(sc->name),
                            SV_T(sc->rule),
                            SV_T(sc->timezone),
                            SV_T(sc->kind),
                            SV_T(sc->payload ? sc->payload : "{}"),
                            SV_I(sc->last_slot),
                            SV_ID(sc->region_id),
                            SV_ID(sc->municipality_id),
                            SV_ID(sc->org_id),
                            SV_I(now)};
    rc = store_query_int(c,
                         "INSERT INTO schedules (name, rule, timezone, kind, payload, last_slot,"
                         " region_id, municipality_id, org_id, created_at)"
                         " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                         p, 10, &sc->id, e);
    if (rc == ERR_CONFLICT)
        return err_field(e, rc, "name", "расписание «%s» уже есть", sc->name);
    sc->next_at = next_slot(sc, now);
    return rc;
}

int sched_update(struct store_conn *c, const struct store_scope *s, struct schedule *sc,
                 struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    /* A changed rule, zone or a re-enabled schedule starts from now: slots
     * that passed before the change are not caught up. */
    struct cron cr;
    int64_t prev = sc->last_slot;
    if (cron_parse(sc->rule, &cr, e) == 0 && cron_prev(&cr, sc->timezone, store_now(), &prev, e))
        prev = sc->last_slot;
    if (prev > sc->last_slot)
        sc->last_slot = prev;
    struct store_val p[9];
    store_scope_bind(s, p);
    p[3] = SV_I(sc->id);
    p[4] = SV_T(sc->rule);
    p[5] = SV_T(sc->timezone);
    p[6] = SV_T(sc->payload);
    p[7] = SV_I(sc->enabled ? 1 : 0);
    p[8] = SV_I(sc->last_slot);
    int64_t changed = 0;
    if ((rc = store_exec(c,
                         "UPDATE schedules SET rule = $5, timezone = $6, payload = $7,"
                         " enabled = $8, last_slot = $9 WHERE id = $4"
                         " AND (region_id = $1 OR $1 = 0) AND (municipality_id = $2 OR $2 = 0)"
                         " AND (org_id = $3 OR $3 = 0)",
                         p, 9, &changed, e)))
        return rc;
    sc->next_at = sc->enabled ? next_slot(sc, store_now()) : 0;
    return changed ? 0 : err_set(e, ERR_NOTFOUND, "расписание не найдено");
}

/* The payload of a firing: the schedule's, plus the slot and the count of
 * earlier slots skipped while no scheduler ran. */
static char *firing_payload(const struct schedule *sc, int64_t slot, int64_t missed)
{
    json_t *p = json_loads(sc->payload, 0, NULL);
    if (!json_is_object(p)) {
        json_decref(p);
        p = json_object();
    }
    struct date_local l = {0};
    char utc[32], local[32];
    time_t t = (time_t)slot;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(utc, sizeof utc, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (date_utc_to_local(sc->timezone, slot, &l) == 0)
        snprintf(local, sizeof local, "%04d-%02d-%02dT%02d:%02d", l.y, l.m, l.d, l.h, l.min);
    else
        snprintf(local, sizeof local, "%s", utc);
    json_object_set_new(p, "slot", json_string(utc));
    json_object_set_new(p, "slot_local", json_string(local));
    json_object_set_new(p, "missed", json_integer(missed));
    char *text = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    return text;
}

/* Fires sc's latest due slot, if any; *fired += 1 when this process won it. */
static int fire(struct store_conn *c, const struct schedule *sc, int64_t now, int *fired,
                struct err *e)
{
    struct cron cr;
    int64_t latest, missed = 0;
    if (cron_parse(sc->rule, &cr, e) || cron_prev(&cr, sc->timezone, now, &latest, e))
        return 0; /* a rule that never fires (it was checked when saved) */
    if (latest <= sc->last_slot)
        return 0;
    for (int64_t t = sc->last_slot; missed < MAX_MISSED; missed++)
        if (cron_next(&cr, sc->timezone, t, &t, e) || t >= latest)
            break;
    char *payload = firing_payload(sc, latest, missed);
    char key[96];
    snprintf(key, sizeof key, "schedule:%lld:%lld", (long long)sc->id, (long long)latest);
    struct job_new j = {.kind = sc->kind,
                        .payload = payload,
                        .unique_key = key,
                        .schedule_id = sc->id,
                        .region_id = sc->region_id,
                        .municipality_id = sc->municipality_id,
                        .org_id = sc->org_id};
    struct store_val p[] = {SV_I(sc->id), SV_I(sc->last_slot), SV_I(latest)};
    int64_t won = 0, job_id = 0;
    int rc = payload ? store_begin(c, e) : err_set(e, ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = store_exec(c, "UPDATE schedules SET last_slot = $3 WHERE id = $1 AND last_slot = $2",
                        p, 3, &won, e);
    if (rc == 0 && won)
        rc = job_enqueue(c, &j, &job_id, e);
    if (rc == 0)
        rc = store_commit(c, e);
    else
        store_rollback(c);
    if (rc == 0 && won) {
        (*fired)++;
        log_write(LOG_INFO, "schedule fired",
                  json_pack("{s:I, s:s, s:I, s:s, s:I}", "schedule_id", (json_int_t)sc->id, "name",
                            sc->name, "job_id", (json_int_t)job_id, "key", key, "missed",
                            (json_int_t)missed));
    }
    free(payload);
    return rc == ERR_CONFLICT ? 0 : rc; /* another scheduler enqueued it */
}

int sched_tick(struct store *s, int64_t now, int *fired, struct err *e)
{
    const struct store_scope system = {.kind = SCOPE_SYSTEM};
    struct store_conn *c = store_acquire(s, e);
    struct arena *a = arena_new();
    struct schedule *items = NULL;
    int64_t n = 0, total = 0;
    int rc = !c ? e->code : !a ? err_set(e, ERR_NOMEM, "out of memory") : 0;
    *fired = 0;
    for (struct page pg = {1, 500}; rc == 0; pg.page++) {
        if ((rc = sched_list(c, &system, pg, a, &items, &n, &total, e)))
            break;
        for (int64_t i = 0; i < n && rc == 0; i++)
            if (items[i].enabled)
                rc = fire(c, &items[i], now, fired, e);
        if (pg.page * pg.per_page >= total)
            break;
    }
    arena_free(a);
    store_release(c);
    return rc;
}
