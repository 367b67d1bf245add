/* allocate.c — stub until the rules land. */
#include "billing/billing.h"

int bill_allocate(const struct alloc_debt *debts, int ndebts, const struct alloc_payment *pays,
                  int npays, struct arena *a, struct alloc_part **parts, int *nparts, struct err *e)
{
    (void)debts, (void)ndebts, (void)pays, (void)npays, (void)a, (void)parts, (void)nparts;
    return err_set(e, ERR_INVALID, "allocation: not built yet");
}
