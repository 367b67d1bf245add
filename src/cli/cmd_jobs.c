/* cmd_jobs.c — `upravdom job add|list|retry|cancel` and
 * `upravdom schedule add|list|tick` (docs/jobs.md). */
#include "cli/cli.h"

#include "audit/audit.h"
#include "base/date.h"
#include "jobs/jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct store_scope system_scope = {.kind = SCOPE_SYSTEM};
static const struct audit_actor cli_actor = {.address = "cli"};

int cli_parse_time(const char *s, int64_t *out)
{
    struct tm tm = {0};
    const char *end = s ? strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) : NULL;
    if (!end || *end)
        return -1;
    *out = (int64_t)timegm(&tm);
    return 0;
}

static void format_time(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int job_add_cmd(int argc, char **argv)
{
    struct cli c;
    struct job_new j = {0};
    const char *run_after = NULL;
    long priority = 0, max_attempts = 5, count = 1;
    const struct flag flags[] = {
        {"kind", FLAG_STRING, &j.kind, "job kind (noop, sleep, fail, probe …)"},
        {"payload", FLAG_STRING, &j.payload, "JSON object given to the handler"},
        {"priority", FLAG_INT, &priority, "higher runs first (default 0)"},
        {"unique-key", FLAG_STRING, &j.unique_key, "refuse a second job with this key"},
        {"max-attempts", FLAG_INT, &max_attempts, "attempts before the job is dead (1-100)"},
        {"run-after", FLAG_STRING, &run_after, "not before this UTC time (2026-11-23T10:00:00Z)"},
        {"count", FLAG_INT, &count, "enqueue this many copies in one transaction (1-10000000)"},
        {NULL}};
    int rc =
        cli_setup(&c, "job add", "job add --kind K [--payload JSON] [flags]", flags, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    json_t *payload = j.payload ? json_loads(j.payload, 0, NULL) : NULL;
    bool payload_ok = !j.payload || json_is_object(payload);
    json_decref(payload);
    const char *bad = !j.kind                                  ? "--kind: required"
                      : !payload_ok                            ? "--payload: expected a JSON object"
                      : max_attempts < 1 || max_attempts > 100 ? "--max-attempts: expected 1 to 100"
                      : count < 1 || count > 10000000          ? "--count: expected 1 to 10000000"
                      : run_after && cli_parse_time(run_after, &j.run_after)
                          ? "--run-after: expected a UTC time like 2026-11-23T10:00:00Z"
                          : NULL;
    if (bad) {
        cli_error(&c, "%s", bad);
        return EXIT_USAGE;
    }
    j.priority = priority;
    j.max_attempts = (int)max_attempts;
    struct store *s;
    struct store_conn *conn;
    if ((rc = cli_open_conn(&c, &s, &conn)))
        return rc;
    struct err e = {0};
    int64_t id = 0;
    const char *base_key = j.unique_key;
    char key[256];
    rc = store_begin(conn, &e);
    for (long i = 0; rc == 0 && i < count; i++) {
        if (base_key && count > 1) {
            snprintf(key, sizeof key, "%s:%ld", base_key, i + 1);
            j.unique_key = key;
        }
        rc = job_enqueue(conn, &j, &id, &e);
    }
    if (rc == 0)
        rc = store_commit(conn, &e);
    if (rc)
        rc = cli_run_error(&c, &e);
    else if (count == 1)
        printf("job %lld queued\n", (long long)id);
    else
        printf("%ld jobs queued (last id %lld)\n", count, (long long)id);
    cli_close_conn(s, conn);
    return rc;
}

static int job_list_cmd(int argc, char **argv)
{
    struct cli c;
    struct job_filter f = {0};
    const struct flag flags[] = {
        {"state", FLAG_STRING, &f.state, "queued | running | done | dead | cancelled"},
        {"kind", FLAG_STRING, &f.kind, "only this kind"},
        {NULL}};
    int rc = cli_setup(&c, "job list", "job list [--state S] [--kind K]", flags, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (f.state && !job_state_valid(f.state)) {
        cli_error(&c, "--state: expected queued, running, done, dead or cancelled, got '%s'",
                  f.state);
        return EXIT_USAGE;
    }
    struct store *s;
    struct store_conn *conn;
    if ((rc = cli_open_conn(&c, &s, &conn)))
        return rc;
    struct err e = {0};
    struct arena *a = arena_new();
    struct job *items;
    int64_t n = 0, total = 0;
    printf("id\tkind\tstate\tattempts\tprogress\tunique_key\tlast_error\n");
    for (struct page pg = {1, 500}; a; pg.page++) {
        if (job_list(conn, &system_scope, &f, pg, a, &items, &n, &total, &e)) {
            rc = cli_run_error(&c, &e);
            break;
        }
        for (int64_t i = 0; i < n; i++) {
            const struct job *j = &items[i];
            printf("%lld\t%s\t%s\t%d/%d\t", (long long)j->id, j->kind, j->state, j->attempts,
                   j->max_attempts);
            if (j->has_progress)
                printf("%lld/%lld", (long long)j->progress_done, (long long)j->progress_total);
            printf("\t%s\t%s\n", j->unique_key ? j->unique_key : "",
                   j->last_error ? j->last_error : "");
        }
        if (pg.page * pg.per_page >= total)
            break;
    }
    arena_free(a);
    cli_close_conn(s, conn);
    return rc;
}

/* job retry ID / job cancel ID */
static int job_act(const char *name,
                   int (*act)(struct store_conn *, const struct store_scope *, int64_t,
                              struct err *),
                   const char *action, int argc, char **argv)
{
    struct cli c;
    int64_t id = argc > 0 && argv[0][0] != '-' ? strtoll(argv[0], NULL, 10) : 0;
    int rc = cli_setup(&c, name, id ? "" : "job retry|cancel ID", NULL, argc - (id > 0),
                       argv + (id > 0));
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (id <= 0) {
        cli_error(&c, "expected a job id");
        return EXIT_USAGE;
    }
    struct store *s;
    struct store_conn *conn;
    if ((rc = cli_open_conn(&c, &s, &conn)))
        return rc;
    struct err e = {0};
    struct audit_object obj = {"job", id};
    if (store_begin(conn, &e) || act(conn, &system_scope, id, &e) ||
        audit_write(conn, &cli_actor, action, &obj, NULL, &e) || store_commit(conn, &e)) {
        store_rollback(conn);
        rc = cli_run_error(&c, &e);
    } else {
        printf("job %lld: %s\n", (long long)id, action);
    }
    cli_close_conn(s, conn);
    return rc;
}

static int job_retry_cmd(int argc, char **argv)
{
    return job_act("job retry", job_retry, "job.retry", argc, argv);
}

static int job_cancel_cmd(int argc, char **argv)
{
    return job_act("job cancel", job_cancel, "job.cancel", argc, argv);
}

int cmd_job(int argc, char **argv)
{
    static const char *const subs[] = {"add", "list", "retry", "cancel", NULL};
    static int (*const fns[])(int, char **) = {job_add_cmd, job_list_cmd, job_retry_cmd,
                                               job_cancel_cmd};
    return cli_subcommand("job", argc, argv, subs, fns);
}

static int schedule_add(int argc, char **argv)
{
    struct cli c;
    struct schedule sc = {0};
    long municipality = 0, org = 0;
    const struct flag flags[] = {
        {"name", FLAG_STRING, &sc.name, "unique name"},
        {"rule", FLAG_STRING, &sc.rule, "cron rule or daily HH:MM, weekly DAY HH:MM, …"},
        {"timezone", FLAG_STRING, &sc.timezone, "IANA zone the rule is read in"},
        {"kind", FLAG_STRING, &sc.kind, "job kind it fires"},
        {"payload", FLAG_STRING, &sc.payload, "JSON object for the jobs"},
        {"municipality-id", FLAG_INT, &municipality, "whose schedule (municipality)"},
        {"org-id", FLAG_INT, &org, "whose schedule (organization)"},
        {NULL}};
    int rc = cli_setup(&c, "schedule add",
                       "schedule add --name N --rule R --timezone TZ --kind K [--payload JSON]",
                       flags, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    sc.municipality_id = municipality;
    sc.org_id = org;
    struct field_errors fe = {0};
    if (sched_check(&sc, &fe)) {
        cli_field_errors(&c, &fe);
        return EXIT_USAGE;
    }
    struct store *s;
    struct store_conn *conn;
    if ((rc = cli_open_conn(&c, &s, &conn)))
        return rc;
    struct err e = {0};
    struct arena *a = arena_new();
    struct audit_object obj = {"schedule"};
    if (!a || store_begin(conn, &e) || sched_create(conn, &system_scope, &sc, a, &e) ||
        (obj =
             (struct audit_object){"schedule", sc.id, sc.region_id, sc.municipality_id, sc.org_id},
         audit_write(conn, &cli_actor, "schedule.create", &obj, NULL, &e)) ||
        store_commit(conn, &e)) {
        store_rollback(conn);
        rc = a ? cli_run_error(&c, &e) : EXIT_FAIL;
    } else {
        char next[32] = "never";
        if (sc.next_at)
            format_time(sc.next_at, next);
        printf("schedule %s (id %lld) created; next firing %s\n", sc.name, (long long)sc.id, next);
    }
    arena_free(a);
    cli_close_conn(s, conn);
    return rc;
}

static int schedule_list(int argc, char **argv)
{
    struct cli c;
    int rc = cli_setup(&c, "schedule list", "schedule list", NULL, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    struct store *s;
    struct store_conn *conn;
    if ((rc = cli_open_conn(&c, &s, &conn)))
        return rc;
    struct err e = {0};
    struct arena *a = arena_new();
    struct schedule *items;
    int64_t n = 0, total = 0;
    printf("id\tname\trule\ttimezone\tkind\tenabled\tnext_at\tnext_local\n");
    for (struct page pg = {1, 500}; a; pg.page++) {
        if (sched_list(conn, &system_scope, pg, a, &items, &n, &total, &e)) {
            rc = cli_run_error(&c, &e);
            break;
        }
        for (int64_t i = 0; i < n; i++) {
            const struct schedule *sc = &items[i];
            char next[32] = "", local[32] = "";
            struct date_local l;
            if (sc->next_at) {
                format_time(sc->next_at, next);
                if (date_utc_to_local(sc->timezone, sc->next_at, &l) == 0)
                    snprintf(local, sizeof local, "%04d-%02d-%02dT%02d:%02d", l.y, l.m, l.d, l.h,
                             l.min);
            }
            printf("%lld\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", (long long)sc->id, sc->name, sc->rule,
                   sc->timezone, sc->kind, sc->enabled ? "yes" : "no", next, local);
        }
        if (pg.page * pg.per_page >= total)
            break;
    }
    arena_free(a);
    cli_close_conn(s, conn);
    return rc;
}

static int schedule_tick(int argc, char **argv)
{
    struct cli c;
    const char *at = NULL;
    const struct flag flags[] = {
        {"at", FLAG_STRING, &at, "evaluate as of this UTC time (default: now)"}, {NULL}};
    int rc = cli_setup(&c, "schedule tick", "schedule tick [--at 2026-11-23T10:00:00Z]", flags,
                       argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    int64_t now = store_now();
    if (at && cli_parse_time(at, &now)) {
        cli_error(&c, "--at: expected a UTC time like 2026-11-23T10:00:00Z, got '%s'", at);
        return EXIT_USAGE;
    }
    struct store *s;
    if ((rc = cli_open_store(&c, &s)))
        return rc;
    struct err e = {0};
    int fired = 0;
    if (sched_tick(s, now, &fired, &e))
        rc = cli_run_error(&c, &e);
    else
        printf("fired %d\n", fired);
    store_close(s);
    return rc;
}

int cmd_schedule(int argc, char **argv)
{
    static const char *const subs[] = {"add", "list", "tick", NULL};
    static int (*const fns[])(int, char **) = {schedule_add, schedule_list, schedule_tick};
    return cli_subcommand("schedule", argc, argv, subs, fns);
}
