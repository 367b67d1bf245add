/* penalty.c — пени on one period's debt, day by day (ЖК РФ ст. 155 ч. 14 and
 * ч. 14.1; DOMAIN.md §2.6; docs/billing.md "Penalties"). A pure function over
 * plain structs: no database, no clock, no floating point.
 *
 * Every day t of the window with n = t − due_day days of delay adds
 *   Σ over the portions of the debt D(t): portion × min(rate, cap(t)) × k(n)
 * where k(n) = 1/300 for n in 31..90 and 1/130 from day 91 (ч. 14), or 1/300
 * from day 1 for capital-repair contributions (ч. 14.1). The debt is cut into
 * portions by the money that finally pays it: a portion paid by a later part
 * carries the key rate in force on that part's day ("в день фактической
 * оплаты"); what is still unpaid at the end of the window carries the rate in
 * force on `to`. Sums are exact over the common denominator
 * 3900 (1/300 = 13/3900, 1/130 = 30/3900) × 10000 (basis points), rounded half
 * away from zero once for the whole line. */
#include "billing/billing.h"

#include "base/money.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

__extension__ typedef __int128 i128;

#define W300 13                             /* 1/300 = 13/3900 */
#define W130 30                             /* 1/130 = 30/3900 */
#define PENALTY_DEN ((int64_t)3900 * 10000) /* the fractions' and basis points' denominator */
#define PENALTY_WINDOW_MAX 40000 /* days in one window (≈ 109 years): more is nonsense */
#define PENALTY_RATE_MAX 100000  /* basis points (1000 %): more is nonsense */
#define PAYDAYS_LOCAL 16         /* paydays kept on the stack before malloc */
#define DATE_RU_SIZE 16          /* "20.06.2025" with room to spare */

/* The parts of one day, summed. */
struct payday {
    int64_t day;
    int64_t paid;  /* paid to the period after this day's parts (cumulative) */
    int64_t floor; /* the least `paid` on this and every later payday up to `to` */
    int rate;      /* the key rate in force on `day`, -1 until looked up */
};

/* "20.06.2025" (the Russian order) for messages. */
static const char *date_ru(int64_t day, char buf[DATE_RU_SIZE])
{
    struct date dt = date_civil_from_days(day);
    snprintf(buf, DATE_RU_SIZE, "%02d.%02d.%04d", dt.d, dt.m, dt.y);
    return buf;
}

/* The key rate in force on `day`: the latest entry from on or before it. */
static int key_rate(const struct penalty_rules *r, int64_t day, int *rate, struct err *e)
{
    int lo = 0, hi = r->nrates - 1, found = -1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (r->rates[mid].from <= day) {
            found = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    if (found < 0) {
        char db[DATE_RU_SIZE];
        return err_field(e, ERR_INVALID, "key_rates",
                         "Пени: не задана ключевая ставка Банка России на %s", date_ru(day, db));
    }
    *rate = r->rates[found].rate_bp;
    return 0;
}

/* A moratorium covers day t: nothing accrues on it. */
static bool in_moratorium(const struct penalty_rules *r, int64_t t)
{
    for (int i = 0; i < r->nregimes; i++)
        if (r->regimes[i].moratorium && r->regimes[i].from <= t && t <= r->regimes[i].to)
            return true;
    return false;
}

/* The cap of the rate on day t (ПП 474: 9.5 %), INT_MAX when none covers it. */
static int rate_cap(const struct penalty_rules *r, int64_t t)
{
    int cap = INT_MAX;
    for (int i = 0; i < r->nregimes; i++) {
        const struct penalty_regime *g = &r->regimes[i];
        if (!g->moratorium && g->from <= t && t <= g->to && g->cap_bp < cap)
            cap = g->cap_bp;
    }
    return cap;
}

static int check(const struct penalty_rules *r, const struct penalty_debt *d, int64_t from,
                 int64_t to, const struct bill_line *line, struct err *e)
{
    if (!r || !d || !line || r->nrates < 0 || r->nregimes < 0 || d->nparts < 0 ||
        (r->nrates && !r->rates) || (r->nregimes && !r->regimes) || (d->nparts && !d->parts))
        return err_set(e, ERR_INVALID, "Пени: неверные входные данные");
    const int64_t lo = date_days_from_civil((struct date){1, 1, 1});
    const int64_t hi = date_days_from_civil((struct date){9999, 12, 31});
    if (from < lo || from > hi || to < lo || to > hi || d->due_day < lo || d->due_day > hi)
        return err_set(e, ERR_INVALID, "Пени: дата вне диапазона 0001–9999 годов");
    char fb[DATE_RU_SIZE], tb[DATE_RU_SIZE];
    if (to < from)
        return err_field(e, ERR_INVALID, "to", "Пени: конец расчёта %s раньше его начала %s",
                         date_ru(to, tb), date_ru(from, fb));
    if (to - from >= PENALTY_WINDOW_MAX)
        return err_field(e, ERR_INVALID, "to", "Пени: расчёт с %s по %s длиннее %d дней",
                         date_ru(from, fb), date_ru(to, tb), PENALTY_WINDOW_MAX);
    if (d->amount == INT64_MIN)
        return err_set(e, ERR_INVALID, "Пени: сумма долга вне диапазона");
    for (int i = 0; i < r->nrates; i++) {
        if (r->rates[i].rate_bp < 0 || r->rates[i].rate_bp > PENALTY_RATE_MAX)
            return err_field(e, ERR_INVALID, "key_rates", "Пени: ключевая ставка с %s неверна",
                             date_ru(r->rates[i].from, fb));
        if (i > 0 && r->rates[i].from <= r->rates[i - 1].from)
            return err_field(e, ERR_INVALID, "key_rates",
                             "Пени: ключевые ставки не по возрастанию дат (%s)",
                             date_ru(r->rates[i].from, fb));
    }
    for (int i = 0; i < r->nregimes; i++) {
        const struct penalty_regime *g = &r->regimes[i];
        if (g->from > g->to || (!g->moratorium && (g->cap_bp < 0 || g->cap_bp > PENALTY_RATE_MAX)))
            return err_field(e, ERR_INVALID, "penalty_regimes",
                             "Пени: особый режим с %s по %s задан неверно", date_ru(g->from, fb),
                             date_ru(g->to, tb));
    }
    for (int i = 0; i < d->nparts; i++) {
        const struct alloc_part *p = &d->parts[i];
        if (p->period != d->period)
            return err_set(e, ERR_INVALID,
                           "Пени: часть платежа %" PRId64 " относится к другому периоду",
                           p->payment_id);
        if (i > 0 && p->day < d->parts[i - 1].day)
            return err_set(e, ERR_INVALID, "Пени: части платежей не по возрастанию дат");
    }
    return 0;
}

/* The paydays of the parts on or before `to`, with their cumulative sums and
 * floors. *pd is `local` or malloc'ed (the caller frees it if not local). */
static int paydays(const struct penalty_debt *d, int64_t to, struct payday *local,
                   struct payday **pd, int *np, struct err *e)
{
    int n = 0;
    for (int i = 0; i < d->nparts && d->parts[i].day <= to; i++)
        if (i == 0 || d->parts[i].day != d->parts[i - 1].day)
            n++;
    *pd = local;
    if (n > PAYDAYS_LOCAL && !(*pd = malloc((size_t)n * sizeof **pd)))
        return err_set(e, ERR_NOMEM, "out of memory");
    int64_t paid = 0;
    int k = -1;
    for (int i = 0; i < d->nparts && d->parts[i].day <= to; i++) {
        if (i == 0 || d->parts[i].day != d->parts[i - 1].day)
            (*pd)[++k] = (struct payday){.day = d->parts[i].day, .rate = -1};
        if (money_add(paid, d->parts[i].amount, &paid) != 0)
            return err_set(e, ERR_INVALID, "Пени: переполнение суммы платежей");
        (*pd)[k].paid = paid;
    }
    for (k = n - 1; k >= 0; k--) {
        int64_t next = k + 1 < n ? (*pd)[k + 1].floor : INT64_MAX;
        (*pd)[k].floor = (*pd)[k].paid < next ? (*pd)[k].paid : next;
    }
    *np = n;
    return 0;
}

int bill_penalty(const struct penalty_rules *r, const struct penalty_debt *d, int64_t from,
                 int64_t to, struct bill_line *line, struct err *e)
{
    int rc = check(r, d, from, to, line, e);
    if (rc != 0)
        return rc;
    struct payday local[PAYDAYS_LOCAL], *pd = local;
    int np = 0;
    if ((rc = paydays(d, to, local, &pd, &np, e)) != 0)
        goto out;

    /* ч. 14: from the 31st day of delay; ч. 14.1: from the 1st. */
    int64_t t = d->due_day + (r->capital_repair ? 1 : PENALTY_GRACE + 1);
    if (t < from)
        t = from;
    i128 total = 0;       /* Σ portion × rate × 13 or 30: kopecks × PENALTY_DEN */
    int64_t b = 0, c = 0; /* days that added something, at 1/300 and at 1/130 */
    int rate_to = -1;     /* the key rate on `to`, for what is unpaid */
    int last = 0;         /* the rate applied last (to the remainder when there is one) */
    int k0 = 0;           /* paydays before k0 already reduce the debt of day t */
    for (; t <= to; t++) {
        int64_t n = t - d->due_day;
        int w = (r->capital_repair || n <= PENALTY_STEP) ? W300 : W130;
        if (in_moratorium(r, t))
            continue;
        /* The payment day is a day of delay (the debt falls from the next
         * day) or not (it falls that day): the organization's setting. */
        while (k0 < np && (r->count_payment_day ? pd[k0].day < t : pd[k0].day <= t))
            k0++;
        int64_t lev = k0 ? pd[k0 - 1].paid : 0, debt;
        if (money_sub(d->amount, lev, &debt) != 0) {
            rc = err_set(e, ERR_INVALID, "Пени: переполнение суммы долга");
            goto out;
        }
        if (debt <= 0)
            continue;
        int cap = rate_cap(r, t), used = 0;
        i128 day = 0;
        /* The kopecks lev+1 .. floor(k) are paid for good on payday k. */
        for (int k = k0; k < np; k++) {
            int64_t hi = pd[k].floor < d->amount ? pd[k].floor : d->amount;
            if (hi <= lev)
                continue;
            if (pd[k].rate < 0 && (rc = key_rate(r, pd[k].day, &pd[k].rate, e)) != 0)
                goto out;
            used = pd[k].rate < cap ? pd[k].rate : cap;
            day += (i128)(hi - lev) * used;
            lev = hi;
        }
        if (d->amount > lev) {
            if (rate_to < 0 && (rc = key_rate(r, to, &rate_to, e)) != 0)
                goto out;
            used = rate_to < cap ? rate_to : cap;
            day += (i128)(d->amount - lev) * used;
        }
        if (day > 0) {
            total += day * w;
            if (w == W300)
                b++;
            else
                c++;
            last = used;
        }
    }
    i128 amount = (total + PENALTY_DEN / 2) / PENALTY_DEN; /* total >= 0: half up */
    if (amount > INT64_MAX) {
        rc = err_set(e, ERR_INVALID, "Пени: сумма вне диапазона");
        goto out;
    }
    int64_t paid_to = np ? pd[np - 1].paid : 0, base;
    if (money_sub(d->amount, paid_to, &base) != 0) {
        rc = err_set(e, ERR_INVALID, "Пени: переполнение суммы долга");
        goto out;
    }
    *line = (struct bill_line){.kind = LINE_PENALTY,
                               .method = METHOD_NONE,
                               .amount = (int64_t)amount,
                               .ref = d->period,
                               .a = base > 0 ? base : 0,
                               .b = b,
                               .c = c,
                               .d = last};
out:
    if (pd != local)
        free(pd);
    return rc;
}
