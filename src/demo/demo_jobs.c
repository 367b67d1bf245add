/* demo_jobs.c — demo schedules: an hourly check of the scheduler for the
 * installation, and one in each of the first two municipalities' own time
 * zones (Moscow and Yekaterinburg), so their local firing times differ. */
#include "demo/demo.h"

#include "jobs/jobs.h"

static const struct store_scope system_scope = {.kind = SCOPE_SYSTEM};

int demo_stage_jobs(struct demo_ctx *d, struct err *e)
{
    struct schedule list[] = {
        {.name = "Проверка планировщика (ежечасно)",
         .rule = "hourly",
         .timezone = "Europe/Moscow",
         .kind = "noop"},
        {.name = "Светлогорск: утренняя проверка 09:00",
         .rule = "daily 09:00",
         .timezone = "Europe/Moscow",
         .kind = "noop",
         .municipality_id = d->municipality_ids[0]},
        {.name = "Заречный район: утренняя проверка 09:00",
         .rule = "daily 09:00",
         .timezone = "Asia/Yekaterinburg",
         .kind = "noop",
         .municipality_id = d->municipality_ids[1]},
    };
    for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) {
        int rc = sched_create(d->c, &system_scope, &list[i], d->a, e);
        if (rc)
            return rc;
        d->rows++;
    }
    return 0;
}
