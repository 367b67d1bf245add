/* estimate.c — the quantity of a meter service when a reading is missing
 * (ПП 354 п. 59 «б»: the average, for at most three periods in a row; п. 60:
 * then the norm × residents; п. 42: the norm raised without a meter). */
#include "billing/billing.h"

#include "base/money.h"

/* norm × residents × pct / 100, rounded half-up to the thousandth. */
static int norm_volume(const struct estimate_in *in, int pct, int64_t *out, struct err *e)
{
    int64_t all; /* rounded once, after the coefficient */
    if (money_mul_div_round(in->norm, in->residents, 1, &all) ||
        money_mul_div_round(all, pct, 100, out))
        return err_set(e, ERR_INVALID, "норматив × проживающие: переполнение");
    return 0;
}

int bill_estimate(const struct estimate_in *in, struct estimate_out *out, struct err *e)
{
    if (in->has_meter && in->has_reading) {
        *out = (struct estimate_out){.method = METHOD_METER, .volume = in->reading_volume};
        return 0;
    }
    if (in->has_meter && in->history_months >= BILL_HISTORY_MIN && in->streak < BILL_AVERAGE_MAX) {
        out->method = METHOD_AVERAGE;
        out->streak = in->streak + 1;
        return money_mul_div_round(in->history_volume, 1, in->history_months, &out->volume)
                   ? err_set(e, ERR_INVALID, "среднее потребление: переполнение")
                   : 0;
    }
    if (in->norm < 0)
        return err_set(e, ERR_INVALID, "нет норматива потребления");
    int pct = in->has_meter ? 100 : in->raising_pct;
    out->method = pct == 100 ? METHOD_NORM : METHOD_NORM_RAISED;
    out->streak = in->has_meter ? in->streak + 1 : 0;
    return norm_volume(in, pct, &out->volume, e);
}
