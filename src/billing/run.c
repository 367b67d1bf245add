/* run.c — the billing run of one organization and period (docs/billing.md). */
#include "billing/billing.h"

int billing_run(struct store *st, const struct store_scope *s, const struct billing_run_req *q,
                struct billing_run_result *out, struct err *e)
{
    (void)st, (void)s, (void)q, (void)out;
    return err_set(e, ERR_INVALID, "billing run: not built yet");
}
