/* job.c — the "paydoc.render" job: {"period": "YYYY-MM", "org_id": N,
 * "house_id": N (optional)}. Renders the organization's documents of the
 * period into the worker's documents directory. A worker killed mid-run
 * leaves whole files (each is renamed into place) and a manifest of those it
 * recorded; the reclaimed job runs again and draws only what is missing or
 * changed. */
#include "paydoc/paydoc.h"

#include "base/date.h"
#include "jobs/jobs.h"

static void progress(void *arg, int64_t done, int64_t total)
{
    job_progress(arg, done, total);
}

static bool cancelled(void *arg)
{
    return job_cancelled(arg);
}

int paydoc_job_render(struct job_ctx *j, struct err *e)
{
    json_t *p = job_payload(j);
    const char *period = json_string_value(json_object_get(p, "period"));
    int per;
    struct paydoc_render_req q = {
        .period = period,
        .org_id = json_integer_value(json_object_get(p, "org_id")),
        .house_id = json_integer_value(json_object_get(p, "house_id")),
        .out_dir = job_documents(j),
        .batches = true,
        .singles = true,
        .progress = progress,
        .progress_arg = j,
        .cancelled = cancelled,
    };
    if (!period || date_period_parse(period, &per, NULL))
        return err_field(e, ERR_INVALID, "period",
                         "задание paydoc.render: ожидается период ГГГГ-ММ");
    /* The job renders only the organization it was queued for (the API sets
     * it after checking the caller's right): a payload naming another one,
     * from a schedule or a hand-made job, is refused. */
    if (q.org_id <= 0 || q.org_id != job_of(j)->org_id)
        return err_field(
            e, ERR_FORBIDDEN, "org_id",
            "задание paydoc.render: организация задания (%lld) не совпадает с указанной",
            (long long)job_of(j)->org_id);
    if (q.house_id < 0)
        return err_field(e, ERR_INVALID, "house_id", "задание paydoc.render: неверный дом");
    static const struct store_scope system = {.kind = SCOPE_SYSTEM};
    struct paydoc_render_result out;
    return paydoc_render(job_store(j), &system, &q, &out, e);
}
