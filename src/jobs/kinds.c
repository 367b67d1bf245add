/* kinds.c — the table of job handlers. Modules add their kinds here; each
 * handler must be idempotent (docs/jobs.md). The built-in kinds serve
 * benchmarks and tests of the queue itself. */
#include "jobs/jobs.h"

#include "billing/billing.h"
#include "paydoc/paydoc.h"

#include <time.h>

static int run_noop(struct job_ctx *j, struct err *e)
{
    (void)j, (void)e;
    return 0;
}

/* {"ms": N, "steps": K}: sleeps N ms in K steps, reporting progress, and
 * stops early when cancelled. */
static int run_sleep(struct job_ctx *j, struct err *e)
{
    (void)e;
    json_int_t ms = json_integer_value(json_object_get(job_payload(j), "ms"));
    json_int_t steps = json_integer_value(json_object_get(job_payload(j), "steps"));
    if (steps < 1)
        steps = 1;
    for (json_int_t i = 0; i < steps && !job_cancelled(j); i++) {
        struct timespec t = {(time_t)(ms / steps / 1000), (long)(ms / steps % 1000) * 1000000L};
        nanosleep(&t, NULL);
        job_progress(j, i + 1, steps);
    }
    return 0;
}

/* {"times": N, "message": "…"}: fails its first N attempts. */
static int run_fail(struct job_ctx *j, struct err *e)
{
    json_t *p = job_payload(j);
    const char *msg = json_string_value(json_object_get(p, "message"));
    if (job_of(j)->attempts <= json_integer_value(json_object_get(p, "times")))
        return err_set(e, ERR_INVALID, "%s", msg ? msg : "задание fail: отказ по заказу");
    return 0;
}

static int probe_effect(struct store_conn *c, void *arg, struct err *e)
{
    (void)c, (void)arg, (void)e;
    return 0; /* the recorded key in job_effects is the effect */
}

/* Records one job_effects row through job_once: reruns add nothing. */
static int run_probe(struct job_ctx *j, struct err *e)
{
    return job_once(j, "probe", probe_effect, NULL, e);
}

const struct job_kind job_kinds[] = {
    {"noop", run_noop},
    {"sleep", run_sleep},
    {"fail", run_fail},
    {"probe", run_probe},
    {"billing.run", billing_job_run},
    {"paydoc.render", paydoc_job_render},
    {NULL, NULL},
};
