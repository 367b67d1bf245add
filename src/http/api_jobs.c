/* api_jobs.c — background jobs and schedules for operators (docs/jobs.md). */
#include "http/http.h"

#include "base/date.h"
#include "directory/directory.h"
#include "jobs/jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *jtime(struct http_req *r, int64_t t)
{
    return t ? json_string(http_time(r, t)) : json_null();
}

/* A stored JSON text as a value (an unreadable one as null). */
static json_t *jraw(const char *text)
{
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;
    return v ? v : json_null();
}

static json_t *json_job(struct http_req *r, const struct job *j)
{
    json_t *o = json_pack(
        "{s:I, s:s, s:o, s:I, s:s, s:o, s:i, s:i, s:s?, s:s?, s:o, s:b, s:o, s:o, s:o, s:o, s:o,"
        " s:o}",
        "id", (json_int_t)j->id, "kind", j->kind, "payload", jraw(j->payload), "priority",
        (json_int_t)j->priority, "state", j->state, "run_after", jtime(r, j->run_after), "attempts",
        j->attempts, "max_attempts", j->max_attempts, "last_error", j->last_error, "unique_key",
        j->unique_key, "schedule_id", http_id(j->schedule_id), "cancel_requested",
        j->cancel_requested, "region_id", http_id(j->region_id), "municipality_id",
        http_id(j->municipality_id), "org_id", http_id(j->org_id), "created_at",
        jtime(r, j->created_at), "started_at", jtime(r, j->started_at), "finished_at",
        jtime(r, j->finished_at));
    json_object_set_new(o, "progress",
                        j->has_progress
                            ? json_pack("{s:I, s:I}", "done", (json_int_t)j->progress_done, "total",
                                        (json_int_t)j->progress_total)
                            : json_null());
    return o;
}

static json_t *local_time(const char *tz, int64_t t)
{
    struct date_local l;
    char buf[32];
    if (!t || date_utc_to_local(tz, t, &l))
        return json_null();
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d", l.y, l.m, l.d, l.h, l.min);
    return json_string(buf);
}

static json_t *json_schedule(struct http_req *r, const struct schedule *sc)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
                     (json_int_t)sc->id, "name", sc->name, "rule", sc->rule, "timezone",
                     sc->timezone, "kind", sc->kind, "payload", jraw(sc->payload), "enabled",
                     sc->enabled, "region_id", http_id(sc->region_id), "municipality_id",
                     http_id(sc->municipality_id), "org_id", http_id(sc->org_id), "last_slot",
                     jtime(r, sc->last_slot), "next_at", jtime(r, sc->next_at), "next_local",
                     local_time(sc->timezone, sc->next_at), "created_at", jtime(r, sc->created_at));
}

static const struct store_scope *scope(struct http_req *r)
{
    return &r->session->scope;
}

int api_jobs_list(struct http_req *r)
{
    struct field_errors fe = {0};
    struct page pg;
    http_page(r, &pg, &fe);
    struct job_filter f = {.state = http_query(r, "state"), .kind = http_query(r, "kind")};
    if (f.state && !job_state_valid(f.state))
        fe_add(&fe, "state", "допустимо: queued, running, done, dead, cancelled");
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct job *items;
    int64_t n, total;
    struct err e = {0};
    if (!c)
        return 0;
    if (job_list(c, scope(r), &f, pg, r->arena, &items, &n, &total, &e))
        return http_error(r, &e);
    json_t *list = json_array();
    for (int64_t i = 0; i < n; i++)
        json_array_append_new(list, json_job(r, &items[i]));
    return http_json(r, 200, http_list(list, pg, total));
}

int api_jobs_get(struct http_req *r)
{
    struct store_conn *c = http_db(r);
    struct job j;
    struct err e = {0};
    if (!c)
        return 0;
    if (job_get(c, scope(r), r->ids[0], r->arena, &j, &e))
        return http_error(r, &e);
    return http_json(r, 200, json_job(r, &j));
}

/* retry and cancel: change, audit, answer the job as it is now. */
static int job_action(struct http_req *r, const char *action,
                      int (*act)(struct store_conn *, const struct store_scope *, int64_t,
                                 struct err *))
{
    struct store_conn *c = http_db(r);
    struct job j;
    struct err e = {0};
    if (!c)
        return 0;
    if (store_begin(c, &e) == 0 && act(c, scope(r), r->ids[0], &e) == 0 &&
        job_get(c, scope(r), r->ids[0], r->arena, &j, &e) == 0)
        http_audit(r, c, action,
                   (struct audit_object){"job", j.id, j.region_id, j.municipality_id, j.org_id},
                   NULL, &e);
    http_tx_end(c, &e);
    return e.code ? http_error(r, &e) : http_json(r, 200, json_job(r, &j));
}

int api_jobs_retry(struct http_req *r)
{
    return job_action(r, "job.retry", job_retry);
}

int api_jobs_cancel(struct http_req *r)
{
    return job_action(r, "job.cancel", job_cancel);
}

int api_schedules_list(struct http_req *r)
{
    struct field_errors fe = {0};
    struct page pg;
    http_page(r, &pg, &fe);
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct schedule *items;
    int64_t n, total;
    struct err e = {0};
    if (!c)
        return 0;
    if (sched_list(c, scope(r), pg, r->arena, &items, &n, &total, &e))
        return http_error(r, &e);
    json_t *list = json_array();
    for (int64_t i = 0; i < n; i++)
        json_array_append_new(list, json_schedule(r, &items[i]));
    return http_json(r, 200, http_list(list, pg, total));
}

/* The payload field: any JSON object, kept as text. */
static void read_payload(struct http_req *r, json_t *body, struct schedule *sc,
                         struct field_errors *fe)
{
    json_t *p = json_object_get(body, "payload");
    if (!p)
        return;
    if (!json_is_object(p)) {
        fe_add(fe, "payload", "ожидается объект JSON");
        return;
    }
    char *text = json_dumps(p, JSON_COMPACT);
    sc->payload = text ? arena_strdup(r->arena, text) : NULL;
    free(text);
    json_object_del(body, "payload");
}

static struct audit_object sched_object(const struct schedule *sc)
{
    return (struct audit_object){"schedule", sc->id, sc->region_id, sc->municipality_id,
                                 sc->org_id};
}

int api_schedules_create(struct http_req *r)
{
    json_t *body = http_body_object(r);
    if (!body)
        return 0;
    struct schedule sc = {0};
    struct field_errors fe = {0};
    read_payload(r, body, &sc, &fe);
    struct jv_field fields[] = {{"name", JV_STRING, true, 200, &sc.name, NULL},
                                {"rule", JV_STRING, true, 200, &sc.rule, NULL},
                                {"timezone", JV_STRING, true, 64, &sc.timezone, NULL},
                                {"kind", JV_STRING, true, 64, &sc.kind, NULL},
                                {"municipality_id", JV_INT, false, 0, &sc.municipality_id, NULL},
                                {"org_id", JV_INT, false, 0, &sc.org_id, NULL},
                                {NULL}};
    jv_read(body, fields, r->arena, &fe);
    json_decref(body);
    sched_check(&sc, &fe);
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct err e = {0};
    if (!c)
        return 0;
    if (store_begin(c, &e) == 0 && sched_create(c, scope(r), &sc, r->arena, &e) == 0)
        http_audit(r, c, "schedule.create", sched_object(&sc), NULL, &e);
    http_tx_end(c, &e);
    return e.code ? http_error(r, &e) : http_json(r, 201, json_schedule(r, &sc));
}

int api_schedules_patch(struct http_req *r)
{
    json_t *body = http_body_object(r);
    struct store_conn *c = body ? http_db(r) : NULL;
    struct schedule sc;
    struct err e = {0};
    if (!c) {
        json_decref(body);
        return 0;
    }
    if (sched_get(c, scope(r), r->ids[0], r->arena, &sc, &e)) {
        json_decref(body);
        return http_error(r, &e);
    }
    struct field_errors fe = {0};
    read_payload(r, body, &sc, &fe);
    struct jv_field fields[] = {{"rule", JV_STRING, false, 200, &sc.rule, NULL},
                                {"timezone", JV_STRING, false, 64, &sc.timezone, NULL},
                                {"enabled", JV_BOOL, false, 0, &sc.enabled, NULL},
                                {NULL}};
    jv_read(body, fields, r->arena, &fe);
    json_decref(body);
    sched_check(&sc, &fe);
    if (fe.n)
        return http_validation(r, &fe);
    if (store_begin(c, &e) == 0 && sched_update(c, scope(r), &sc, &e) == 0)
        http_audit(r, c, "schedule.update", sched_object(&sc), NULL, &e);
    http_tx_end(c, &e);
    return e.code ? http_error(r, &e) : http_json(r, 200, json_schedule(r, &sc));
}

/* ---- an organization's job, queued by another area's route ---- */

bool http_org_job_target(struct http_req *r, struct store_conn *c, int64_t org_id,
                         struct organization *org)
{
    struct err e = {0};
    const struct store_scope *s = &r->session->scope;
    if ((s->kind == SCOPE_ORG && s->org_id != org_id) ||
        dir_org_get(c, s, org_id, r->arena, org, &e)) {
        http_error(r, e.code && e.code != ERR_NOTFOUND
                          ? &e
                          : &(struct err){.code = ERR_NOTFOUND, .msg = "организация не найдена"});
        return false;
    }
    return true;
}

bool http_org_job_queue(struct http_req *r, struct store_conn *c, const struct job_new *j,
                        const char *action, struct audit_object obj, json_t *detail,
                        int64_t *job_id, const char **url)
{
    struct err e = {0};
    *job_id = 0;
    if (store_begin(c, &e) == 0 && job_enqueue(c, j, job_id, &e) == 0) {
        if (detail)
            json_object_set_new(detail, "job_id", json_integer(*job_id));
        http_audit(r, c, action, obj, detail, &e);
        detail = NULL;
    }
    json_decref(detail);
    http_tx_end(c, &e);
    if (e.code) {
        http_error(r, &e);
        return false;
    }
    *url = arena_printf(r->arena, "/api/v1/jobs/%lld", (long long)*job_id);
    if (!*url) {
        http_error(r, &(struct err){.code = ERR_NOMEM, .msg = "out of memory"});
        return false;
    }
    http_header(r, "Location", *url);
    return true;
}
