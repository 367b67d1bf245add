/* penalty.c — stub until the rules land. */
#include "billing/billing.h"

int bill_penalty(const struct penalty_rules *r, const struct penalty_debt *d, int64_t from,
                 int64_t to, struct bill_line *line, struct err *e)
{
    (void)r, (void)d, (void)from, (void)to, (void)line;
    return err_set(e, ERR_INVALID, "penalty: not built yet");
}
