/* job.c — the "billing.run" job: {"org_id": N, "period": "YYYY-MM"}. The run
 * is one transaction, so a worker killed mid-run leaves the period as it
 * was and the reclaimed job simply runs it again. */
#include "billing/billing.h"

#include "jobs/jobs.h"

static void progress(void *arg, int64_t done, int64_t total)
{
    job_progress(arg, done, total);
}

static bool cancelled(void *arg)
{
    return job_cancelled(arg);
}

int billing_job_run(struct job_ctx *j, struct err *e)
{
    json_t *p = job_payload(j);
    const char *period = json_string_value(json_object_get(p, "period"));
    struct billing_run_req q = {
        .org_id = json_integer_value(json_object_get(p, "org_id")),
        .job_id = job_of(j)->id,
        .progress = progress,
        .cancelled = cancelled,
        .progress_arg = j,
    };
    if (!period || date_period_parse(period, &q.period, NULL))
        return err_field(e, ERR_INVALID, "period", "задание billing.run: ожидается период ГГГГ-ММ");
    /* The job bills only the organization it was queued for (the API sets
     * it after checking the caller's right): a payload naming another one,
     * from a schedule or a hand-made job, is refused. */
    if (q.org_id <= 0 || q.org_id != job_of(j)->org_id)
        return err_field(e, ERR_FORBIDDEN, "org_id",
                         "задание billing.run: организация задания (%lld) не совпадает с указанной",
                         (long long)job_of(j)->org_id);
    static const struct store_scope system = {.kind = SCOPE_SYSTEM};
    struct billing_run_result out;
    return billing_run(job_store(j), &system, &q, &out, e);
}
