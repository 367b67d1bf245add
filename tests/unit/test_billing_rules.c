/* test_billing_rules.c — the pure rules of billing: allocation of payments to
 * periods (allocate.c) and penalties day by day (penalty.c, ЖК РФ ст. 155
 * ч. 14 and 14.1, DOMAIN.md §2.6). Every expected figure is computed by hand
 * in the comment above it; amounts are kopecks, rates basis points, n is the
 * day of delay counted from the due day (due day + 1 is n = 1). And the
 * lines' explanations in words (lines.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/date.h"
#include "base/err.h"
#include "billing/billing.h"

/* ---- helpers ---- */

static int64_t day(const char *s)
{
    struct date dt;
    if (date_parse(s, &dt, NULL) != 0)
        fail_msg("bad date %s", s);
    return date_days_from_civil(dt);
}

static int per(int y, int m)
{
    return date_period(y, m);
}

/* The key rates of migration 0006 (src/store/migrations/0006_billing.sql). */
static const struct {
    const char *from;
    int bp;
} RATES_0006[] = {
    {"2022-02-14", 950},  {"2022-02-28", 2000}, {"2022-04-11", 1700}, {"2022-05-04", 1400},
    {"2022-05-27", 1100}, {"2022-06-14", 950},  {"2022-07-25", 800},  {"2022-09-19", 750},
    {"2023-07-24", 850},  {"2023-08-15", 1200}, {"2023-09-18", 1300}, {"2023-10-30", 1500},
    {"2023-12-18", 1600}, {"2024-07-29", 1800}, {"2024-09-16", 1900}, {"2024-10-28", 2100},
    {"2025-06-09", 2000}, {"2025-07-28", 1800}, {"2025-09-15", 1700}, {"2025-10-27", 1650},
};
#define NRATES_0006 ((int)(sizeof RATES_0006 / sizeof RATES_0006[0]))

/* The penalty regimes of migration 0006. */
static const struct {
    bool moratorium;
    const char *from, *to;
    int cap_bp;
} REGIMES_0006[] = {
    {true, "2020-04-06", "2021-01-01", 0},    /* ПП РФ № 424 */
    {true, "2022-04-01", "2022-10-01", 0},    /* ПП РФ № 497 */
    {false, "2022-02-28", "2024-12-31", 950}, /* ПП РФ № 474: 9.5 % */
};
#define NREGIMES_0006 ((int)(sizeof REGIMES_0006 / sizeof REGIMES_0006[0]))

static struct key_rate rates_0006[NRATES_0006];
static struct penalty_regime regimes_0006[NREGIMES_0006];

static int setup_tables(void **state)
{
    (void)state;
    for (int i = 0; i < NRATES_0006; i++)
        rates_0006[i] = (struct key_rate){day(RATES_0006[i].from), RATES_0006[i].bp};
    for (int i = 0; i < NREGIMES_0006; i++)
        regimes_0006[i] =
            (struct penalty_regime){REGIMES_0006[i].moratorium, day(REGIMES_0006[i].from),
                                    day(REGIMES_0006[i].to), REGIMES_0006[i].cap_bp};
    return 0;
}

/* Rules with the real tables of migration 0006. */
static struct penalty_rules rules_0006(bool count_payment_day)
{
    return (struct penalty_rules){.rates = rates_0006,
                                  .nrates = NRATES_0006,
                                  .regimes = regimes_0006,
                                  .nregimes = NREGIMES_0006,
                                  .count_payment_day = count_payment_day};
}

/* One key rate in force since 2000 and no regimes: for plain arithmetic. */
static struct key_rate flat_rate[1];
static struct penalty_rules rules_flat(int bp, bool count_payment_day)
{
    flat_rate[0] = (struct key_rate){day("2000-01-01"), bp};
    return (struct penalty_rules){
        .rates = flat_rate, .nrates = 1, .count_payment_day = count_payment_day};
}

static struct bill_line penalty(const struct penalty_rules *r, int period, int64_t due,
                                int64_t amount, const struct alloc_part *parts, int nparts,
                                int64_t from, int64_t to)
{
    struct penalty_debt d = {period, due, amount, parts, nparts};
    struct bill_line l;
    memset(&l, 0x5a, sizeof l);
    struct err e = {0};
    if (bill_penalty(r, &d, from, to, &l, &e) != 0)
        fail_msg("bill_penalty refused: %s", e.msg);
    assert_int_equal(l.kind, LINE_PENALTY);
    assert_int_equal(l.method, METHOD_NONE);
    assert_int_equal(l.ref, period);
    assert_int_equal(l.service_id, 0);
    assert_int_equal(l.quantity, 0);
    assert_int_equal(l.price, 0);
    return l;
}

static void assert_penalty(struct bill_line l, int64_t amount, int64_t base, int64_t days300,
                           int64_t days130, int64_t rate)
{
    assert_int_equal(l.amount, amount);
    assert_int_equal(l.a, base);
    assert_int_equal(l.b, days300);
    assert_int_equal(l.c, days130);
    assert_int_equal(l.d, rate);
}

static int penalty_error(const struct penalty_rules *r, int period, int64_t due, int64_t amount,
                         const struct alloc_part *parts, int nparts, int64_t from, int64_t to,
                         struct err *e)
{
    struct penalty_debt d = {period, due, amount, parts, nparts};
    struct bill_line l;
    memset(&l, 0x5a, sizeof l);
    int rc = bill_penalty(r, &d, from, to, &l, e);
    assert_int_not_equal(rc, 0);
    assert_int_equal(l.amount, 0x5a5a5a5a5a5a5a5a); /* untouched on error */
    return rc;
}

/* Runs bill_allocate and compares the parts with want. */
static void expect_parts(const struct alloc_debt *debts, int ndebts,
                         const struct alloc_payment *pays, int npays, const struct alloc_part *want,
                         int nwant)
{
    struct arena *a = arena_new();
    assert_non_null(a);
    struct alloc_part *got = NULL;
    int n = -1;
    struct err e = {0};
    if (bill_allocate(debts, ndebts, pays, npays, a, &got, &n, &e) != 0)
        fail_msg("bill_allocate refused: %s", e.msg);
    for (int i = 0; i < n && i < nwant; i++) {
        if (got[i].payment_id != want[i].payment_id || got[i].period != want[i].period ||
            got[i].day != want[i].day || got[i].amount != want[i].amount)
            fail_msg("part %d: got {%lld, %d, %lld, %lld}, want {%lld, %d, %lld, %lld}", i,
                     (long long)got[i].payment_id, got[i].period, (long long)got[i].day,
                     (long long)got[i].amount, (long long)want[i].payment_id, want[i].period,
                     (long long)want[i].day, (long long)want[i].amount);
    }
    assert_int_equal(n, nwant);
    arena_free(a);
}

/* Runs bill_allocate expecting a refusal; returns the error. */
static struct err allocate_error(const struct alloc_debt *debts, int ndebts,
                                 const struct alloc_payment *pays, int npays)
{
    struct arena *a = arena_new();
    assert_non_null(a);
    struct alloc_part *got = (struct alloc_part *)1;
    int n = -7;
    struct err e = {0};
    assert_int_equal(bill_allocate(debts, ndebts, pays, npays, a, &got, &n, &e), ERR_INVALID);
    assert_int_equal(e.code, ERR_INVALID);
    assert_int_equal(n, -7); /* untouched on error */
    assert_true(got == (struct alloc_part *)1);
    arena_free(a);
    return e;
}

#define N(x) ((int)(sizeof(x) / sizeof((x)[0])))

/* ==== Allocation of payments (allocate.c) ==== */

static void allocate_pays_the_named_period_first_while_it_is_owed(void **state)
{
    (void)state;
    int jan = per(2025, 1), feb = per(2025, 2), mar = per(2025, 3);
    int64_t d1 = day("2025-03-05");
    struct alloc_debt debts[] = {{jan, 1000}, {feb, 2000}, {mar, 3000}};
    /* 2500 naming February: February's 2000, then the oldest owed (January)
     * gets the other 500; March is untouched. */
    struct alloc_payment pays[] = {{1, PAY_PAYMENT, d1, 2500, feb, 0}};
    struct alloc_part want[] = {{1, feb, d1, 2000}, {1, jan, d1, 500}};
    expect_parts(debts, N(debts), pays, N(pays), want, N(want));
}

static void allocate_named_period_paid_or_not_billed_falls_back_to_the_oldest_owed(void **state)
{
    (void)state;
    int dec = per(2024, 12), jan = per(2025, 1), feb = per(2025, 2), mar = per(2025, 3);
    int64_t d1 = day("2025-03-05"), d2 = day("2025-03-06"), d3 = day("2025-03-07");
    struct alloc_debt debts[] = {{jan, 1000}, {feb, 2000}, {mar, 3000}};
    struct alloc_payment pays[] = {
        {1, PAY_PAYMENT, d1, 2000, feb, 0}, /* pays February off */
        {2, PAY_PAYMENT, d2, 1500, feb, 0}, /* February no longer owed: January 1000, March 500 */
        {3, PAY_PAYMENT, d3, 100, dec, 0},  /* December 2024 is not among the debts: March */
    };
    struct alloc_part want[] = {
        {1, feb, d1, 2000}, {2, jan, d2, 1000}, {2, mar, d2, 500}, {3, mar, d3, 100}};
    expect_parts(debts, N(debts), pays, N(pays), want, N(want));
}

static void allocate_without_a_named_period_pays_the_oldest_owed_first(void **state)
{
    (void)state;
    int jan = per(2025, 1), feb = per(2025, 2), mar = per(2025, 3);
    int64_t d1 = day("2025-04-01");
    /* A credit period (negative: a correction larger than the charges) is
     * never owed and gets nothing. */
    int apr = per(2025, 4);
    struct alloc_debt debts[] = {{jan, 1000}, {feb, 2000}, {mar, -300}, {apr, 3000}};
    /* 3500: January 1000, February 2000, (March owes nothing), April 500. */
    struct alloc_payment pays[] = {{1, PAY_PAYMENT, d1, 3500, 0, 0}};
    struct alloc_part want[] = {{1, jan, d1, 1000}, {1, feb, d1, 2000}, {1, apr, d1, 500}};
    expect_parts(debts, N(debts), pays, N(pays), want, N(want));
}

static void allocate_surplus_is_an_advance_with_period_zero(void **state)
{
    (void)state;
    int jan = per(2025, 1);
    int64_t d1 = day("2025-02-05"), d2 = day("2025-02-20");
    struct alloc_debt debts[] = {{jan, 1000}};
    /* 1500 for a debt of 1000: 500 is an advance (period 0); a second
     * payment finds nothing owed and is all advance. The advance stays
     * period 0: nothing is billed for it to pay. */
    struct alloc_payment pays[] = {{1, PAY_PAYMENT, d1, 1500, 0, 0},
                                   {2, PAY_PAYMENT, d2, 200, jan, 0}};
    struct alloc_part want[] = {{1, jan, d1, 1000}, {1, 0, d1, 500}, {2, 0, d2, 200}};
    expect_parts(debts, N(debts), pays, N(pays), want, N(want));
}

static void allocate_advance_goes_to_a_period_once_it_is_billed(void **state)
{
    (void)state;
    /* The same two payments once February is billed too: the allocation is
     * recomputed from every entry, so February takes what was the advance,
     * and the parts keep the payments' days (paid before February was due,
     * so no penalty on them). */
    int jan = per(2025, 1), feb = per(2025, 2);
    int64_t d1 = day("2025-02-05"), d2 = day("2025-02-20");
    struct alloc_debt debts[] = {{jan, 1000}, {feb, 1000}};
    struct alloc_payment pays[] = {{1, PAY_PAYMENT, d1, 1500, 0, 0},
                                   {2, PAY_PAYMENT, d2, 200, jan, 0}};
    struct alloc_part want[] = {{1, jan, d1, 1000}, {1, feb, d1, 500}, {2, feb, d2, 200}};
    expect_parts(debts, N(debts), pays, N(pays), want, N(want));
}

static void allocate_applies_entries_by_day_then_id(void **state)
{
    (void)state;
    int jan = per(2025, 1), feb = per(2025, 2);
    int64_t d1 = day("2025-03-01"), d2 = day("2025-03-02");
    struct alloc_debt debts[] = {{jan, 1000}, {feb, 1000}};
    /* Given out of order. Applied: 9 (day 1) → January 700; then on day 2
     * id 3 before id 4: 3 → January 300 + February 400; 4 → February 600 +
     * advance 100. */
    struct alloc_payment pays[] = {{4, PAY_PAYMENT, d2, 700, 0, 0},
                                   {3, PAY_PAYMENT, d2, 700, 0, 0},
                                   {9, PAY_PAYMENT, d1, 700, 0, 0}};
    struct alloc_part want[] = {{9, jan, d1, 700},
                                {3, jan, d2, 300},
                                {3, feb, d2, 400},
                                {4, feb, d2, 600},
                                {4, 0, d2, 100}};
    expect_parts(debts, N(debts), pays, N(pays), want, N(want));
}

static void allocate_reversal_takes_back_exactly_the_parts_of_its_payment(void **state)
{
    (void)state;
    int jan = per(2025, 1), feb = per(2025, 2);
    int64_t d1 = day("2025-03-01"), d2 = day("2025-03-03"), d3 = day("2025-03-04");
    struct alloc_debt debts[] = {{jan, 1000}, {feb, 1000}};
    struct alloc_payment pays[] = {
        {1, PAY_PAYMENT, d1, 1600, 0, 0},  /* January 1000, February 600 */
        {2, PAY_PAYMENT, d1, 900, 0, 0},   /* February 400, advance 500 */
        {3, PAY_REVERSAL, d2, 1600, 0, 1}, /* back: January −1000, February −600 */
        {4, PAY_PAYMENT, d3, 800, 0, 0},   /* January is owed again: 800 */
    };
    struct alloc_part want[] = {{1, jan, d1, 1000}, {1, feb, d1, 600},   {2, feb, d1, 400},
                                {2, 0, d1, 500},    {3, jan, d2, -1000}, {3, feb, d2, -600},
                                {4, jan, d3, 800}};
    expect_parts(debts, N(debts), pays, N(pays), want, N(want));
}

static void allocate_reversal_of_an_unknown_payment_is_invalid_and_names_it(void **state)
{
    (void)state;
    int jan = per(2025, 1);
    int64_t d1 = day("2025-03-01"), d2 = day("2025-03-02");
    struct alloc_debt debts[] = {{jan, 1000}};
    struct alloc_payment unknown[] = {{1, PAY_PAYMENT, d1, 500, 0, 0},
                                      {2, PAY_REVERSAL, d2, 500, 0, 42}};
    struct err e = allocate_error(debts, N(debts), unknown, N(unknown));
    assert_string_equal(e.field, "reverses");
    assert_non_null(strstr(e.msg, "платёж 42 "));

    /* A reversal dated before its payment does not find it either. */
    struct alloc_payment early[] = {{5, PAY_PAYMENT, d2, 500, 0, 0},
                                    {6, PAY_REVERSAL, d1, 500, 0, 5}};
    e = allocate_error(debts, N(debts), early, N(early));
    assert_string_equal(e.field, "reverses");
    assert_non_null(strstr(e.msg, "платёж 5 "));
}

static void allocate_reversal_only_of_a_payment_once_and_for_its_amount(void **state)
{
    (void)state;
    int jan = per(2025, 1);
    int64_t d1 = day("2025-03-01"), d2 = day("2025-03-02");
    struct alloc_debt debts[] = {{jan, 1000}};
    struct alloc_payment twice[] = {{1, PAY_PAYMENT, d1, 500, 0, 0},
                                    {2, PAY_REVERSAL, d2, 500, 0, 1},
                                    {3, PAY_REVERSAL, d2, 500, 0, 1}};
    struct err e = allocate_error(debts, N(debts), twice, N(twice));
    assert_non_null(strstr(e.msg, "уже отменён"));

    struct alloc_payment of_refund[] = {{1, PAY_PAYMENT, d1, 500, 0, 0},
                                        {2, PAY_REFUND, d1, 100, 0, 0},
                                        {3, PAY_REVERSAL, d2, 100, 0, 2}};
    e = allocate_error(debts, N(debts), of_refund, N(of_refund));
    assert_non_null(strstr(e.msg, "не платёж"));

    struct alloc_payment other_amount[] = {{1, PAY_PAYMENT, d1, 500, 0, 0},
                                           {2, PAY_REVERSAL, d2, 400, 0, 1}};
    e = allocate_error(debts, N(debts), other_amount, N(other_amount));
    assert_string_equal(e.field, "amount");
}

static void allocate_reversal_of_money_already_refunded_is_invalid(void **state)
{
    (void)state;
    int jan = per(2025, 1);
    int64_t d1 = day("2025-03-01"), d2 = day("2025-03-02"), d3 = day("2025-03-03");
    struct alloc_debt debts[] = {{jan, 1000}};
    /* Payment 1: January 1000 + advance 500; the refund returns the advance;
     * reversing payment 1 would take back an advance of 500 that is gone. */
    struct alloc_payment pays[] = {{1, PAY_PAYMENT, d1, 1500, 0, 0},
                                   {2, PAY_REFUND, d2, 500, 0, 0},
                                   {3, PAY_REVERSAL, d3, 1500, 0, 1}};
    struct err e = allocate_error(debts, N(debts), pays, N(pays));
    assert_string_equal(e.field, "reverses");
    assert_non_null(strstr(e.msg, "аванс"));
}

static void allocate_refund_takes_the_advance_first_then_the_latest_periods(void **state)
{
    (void)state;
    int jan = per(2025, 1), feb = per(2025, 2), mar = per(2025, 3);
    int64_t d1 = day("2025-04-01"), d2 = day("2025-04-02"), d3 = day("2025-04-03"),
            d4 = day("2025-04-04");
    struct alloc_debt debts[] = {{jan, 1000}, {feb, 1000}, {mar, 1000}};
    struct alloc_payment pays[] = {
        {1, PAY_PAYMENT, d1, 2700, 0, 0}, /* January 1000, February 1000, March 700 */
        {2, PAY_PAYMENT, d2, 800, 0, 0},  /* March 300, advance 500 */
        {3, PAY_REFUND, d3, 1800, 0, 0},  /* advance −500, March −1000, February −300 */
        {4, PAY_PAYMENT, d4, 400, 0, 0},  /* freed periods again, oldest first:
                                             February 300, March 100 */
    };
    struct alloc_part want[] = {{1, jan, d1, 1000},  {1, feb, d1, 1000}, {1, mar, d1, 700},
                                {2, mar, d2, 300},   {2, 0, d2, 500},    {3, 0, d3, -500},
                                {3, mar, d3, -1000}, {3, feb, d3, -300}, {4, feb, d4, 300},
                                {4, mar, d4, 100}};
    expect_parts(debts, N(debts), pays, N(pays), want, N(want));
}

static void allocate_refund_larger_than_paid_is_invalid(void **state)
{
    (void)state;
    int jan = per(2025, 1);
    int64_t d1 = day("2025-03-01"), d2 = day("2025-03-02");
    struct alloc_debt debts[] = {{jan, 1000}};
    /* Paid 1500 in all: a refund of 1500 is fine, 1501 is not. */
    struct alloc_payment ok[] = {{1, PAY_PAYMENT, d1, 1500, 0, 0}, {2, PAY_REFUND, d2, 1500, 0, 0}};
    struct alloc_part want[] = {
        {1, jan, d1, 1000}, {1, 0, d1, 500}, {2, 0, d2, -500}, {2, jan, d2, -1000}};
    expect_parts(debts, N(debts), ok, N(ok), want, N(want));

    struct alloc_payment too_much[] = {{1, PAY_PAYMENT, d1, 1500, 0, 0},
                                       {2, PAY_REFUND, d2, 1501, 0, 0}};
    struct err e = allocate_error(debts, N(debts), too_much, N(too_much));
    assert_string_equal(e.field, "amount");
    assert_non_null(strstr(e.msg, "1501"));
    assert_non_null(strstr(e.msg, "1500"));

    /* A refund dated before the payment has nothing to take back. */
    struct alloc_payment early[] = {{2, PAY_REFUND, d1, 100, 0, 0},
                                    {1, PAY_PAYMENT, d2, 1500, 0, 0}};
    allocate_error(debts, N(debts), early, N(early));
}

static void allocate_is_deterministic_whatever_the_input_order(void **state)
{
    (void)state;
    int jan = per(2025, 1), feb = per(2025, 2), mar = per(2025, 3);
    int64_t d1 = day("2025-04-01"), d2 = day("2025-04-02"), d3 = day("2025-04-03");
    struct alloc_debt debts[] = {{jan, 1234}, {feb, 2345}, {mar, 3456}};
    struct alloc_payment fwd[] = {
        {10, PAY_PAYMENT, d1, 1000, mar, 0}, {11, PAY_PAYMENT, d1, 5000, 0, 0},
        {12, PAY_REFUND, d2, 700, 0, 0},     {13, PAY_REVERSAL, d3, 1000, 0, 10},
        {14, PAY_PAYMENT, d3, 99, feb, 0},
    };
    struct alloc_payment rev[N(fwd)];
    for (int i = 0; i < N(fwd); i++)
        rev[i] = fwd[N(fwd) - 1 - i];

    struct arena *a = arena_new();
    assert_non_null(a);
    struct alloc_part *p1, *p2, *p3;
    int n1, n2, n3;
    struct err e = {0};
    assert_int_equal(bill_allocate(debts, N(debts), fwd, N(fwd), a, &p1, &n1, &e), 0);
    assert_int_equal(bill_allocate(debts, N(debts), rev, N(rev), a, &p2, &n2, &e), 0);
    assert_int_equal(bill_allocate(debts, N(debts), fwd, N(fwd), a, &p3, &n3, &e), 0);
    assert_true(n1 > 5);
    assert_int_equal(n1, n2);
    assert_int_equal(n1, n3);
    assert_memory_equal(p1, p2, (size_t)n1 * sizeof *p1);
    assert_memory_equal(p1, p3, (size_t)n1 * sizeof *p1);
    /* And the books balance: 1000 + 5000 − 700 − 1000 + 99 = 4399 in parts. */
    int64_t sum = 0;
    for (int i = 0; i < n1; i++)
        sum += p1[i].amount;
    assert_int_equal(sum, 4399);
    arena_free(a);
}

static void allocate_rejects_nonsense_input(void **state)
{
    (void)state;
    int jan = per(2025, 1), feb = per(2025, 2);
    int64_t d1 = day("2025-03-01");
    struct alloc_debt debts[] = {{jan, 1000}, {feb, 1000}};
    struct alloc_payment zero[] = {{1, PAY_PAYMENT, d1, 0, 0, 0}};
    assert_string_equal(allocate_error(debts, 2, zero, 1).field, "amount");
    struct alloc_payment dup[] = {{1, PAY_PAYMENT, d1, 10, 0, 0},
                                  {1, PAY_PAYMENT, d1 + 1, 10, 0, 0}};
    assert_string_equal(allocate_error(debts, 2, dup, 2).field, "id");
    struct alloc_payment one[] = {{1, PAY_PAYMENT, d1, 10, 0, 0}};
    struct alloc_debt unsorted[] = {{feb, 1000}, {jan, 1000}};
    allocate_error(unsorted, 2, one, 1);
    struct alloc_debt twice[] = {{jan, 1000}, {jan, 1000}};
    allocate_error(twice, 2, one, 1);
    struct alloc_debt zero_period[] = {{0, 1000}};
    allocate_error(zero_period, 1, one, 1);
}

static void allocate_checks_overflow(void **state)
{
    (void)state;
    int64_t d1 = day("2025-03-01");
    /* Two advances of INT64_MAX and 1 kopeck do not fit in the money range. */
    struct alloc_payment pays[] = {{1, PAY_PAYMENT, d1, INT64_MAX, 0, 0},
                                   {2, PAY_PAYMENT, d1, 1, 0, 0}};
    struct err e = allocate_error(NULL, 0, pays, 2);
    assert_non_null(strstr(e.msg, "переполнение"));
}

static void allocate_nothing_gives_no_parts(void **state)
{
    (void)state;
    struct alloc_debt debts[] = {{per(2025, 1), 1000}};
    struct arena *a = arena_new();
    struct alloc_part *p = (struct alloc_part *)1;
    int n = -1;
    struct err e = {0};
    assert_int_equal(bill_allocate(debts, 1, NULL, 0, a, &p, &n, &e), 0);
    assert_int_equal(n, 0);
    assert_null(p);
    arena_free(a);
}

/* ==== Penalties (penalty.c) ==== */

/* DOMAIN.md §2.6: 5 000.00 ₽ for January 2025, due 10.02.2025, paid
 * 20.06.2025 (n = 18 + 31 + 30 + 31 + 20 = 130), the window is the whole
 * delay 11.02.2025–20.06.2025.
 *   n 31..90 = 13.03–11.05: 60 days at 1/300;
 *   n 91..130 = 12.05–20.06: 40 days at 1/130 (the payment day counted).
 * With one rate of 21 %:
 *   60 × 500000 × 0.21 / 300 = 60 × 350      = 21000.000 kopecks
 *   40 × 500000 × 0.21 / 130 = 40 × 807.6923 = 32307.692 kopecks
 *   total 53307.692 → 53308 = 533.08 ₽ (DOMAIN's figure). */
static void penalty_domain_example_at_one_rate_of_21_percent(void **state)
{
    (void)state;
    struct penalty_rules r = rules_flat(2100, true);
    int jan = per(2025, 1);
    int64_t due = day("2025-02-10"), paid = day("2025-06-20");
    struct alloc_part parts[] = {{1, jan, paid, 500000}};
    struct bill_line l = penalty(&r, jan, due, 500000, parts, 1, due + 1, paid);
    /* a: nothing unpaid at the end; d: the rate of the portion paid on 20.06. */
    assert_penalty(l, 53308, 0, 60, 40, 2100);
}

/* The same with the real key-rate table (migration 0006): the whole debt is
 * paid on 20.06.2025, and the rate in force that day is 20 % (from
 * 09.06.2025), so every day of the delay uses 20 %:
 *   60 × 500000 × 0.20 / 300 = 60 × 333.3333 = 20000.000
 *   40 × 500000 × 0.20 / 130 = 40 × 769.2308 = 30769.231
 *   total 50769.231 → 50769 = 507.69 ₽ (DOMAIN's figure: consistent).
 * The payments are allocated by bill_allocate, as the run does. */
static void penalty_domain_example_at_the_rate_on_the_payment_day_counting_it(void **state)
{
    (void)state;
    struct penalty_rules r = rules_0006(true);
    int jan = per(2025, 1);
    int64_t due = day("2025-02-10"), paid = day("2025-06-20");
    struct alloc_debt debts[] = {{jan, 500000}};
    struct alloc_payment pays[] = {{77, PAY_PAYMENT, paid, 500000, jan, 0}};
    struct arena *a = arena_new();
    struct alloc_part *parts;
    int n;
    struct err e = {0};
    assert_int_equal(bill_allocate(debts, 1, pays, 1, a, &parts, &n, &e), 0);
    assert_int_equal(n, 1);
    struct bill_line l = penalty(&r, jan, due, 500000, parts, n, due + 1, paid);
    assert_penalty(l, 50769, 0, 60, 40, 2000);
    arena_free(a);
}

/* Not counting the payment day: the debt is gone on 20.06, so days at 1/130
 * are n 91..129 = 39:
 *   20000.000 + 39 × 769.2308 = 20000 + 30000.000 = 50000 = 500.00 ₽ (DOMAIN). */
static void penalty_domain_example_not_counting_the_payment_day(void **state)
{
    (void)state;
    struct penalty_rules r = rules_0006(false);
    int jan = per(2025, 1);
    int64_t due = day("2025-02-10"), paid = day("2025-06-20");
    struct alloc_part parts[] = {{1, jan, paid, 500000}};
    struct bill_line l = penalty(&r, jan, due, 500000, parts, 1, due + 1, paid);
    assert_penalty(l, 50000, 0, 60, 39, 2000);
}

/* Grace (ч. 14): 3 000.00 ₽ due 10.02.2025, 10 %. Day 30 of delay is
 * 12.03.2025 and accrues nothing; day 31, 13.03.2025, accrues
 * 300000 × 0.10 / 300 = 100 kopecks. */
static void penalty_grace_day_30_accrues_nothing_day_31_does(void **state)
{
    (void)state;
    struct penalty_rules r = rules_flat(1000, true);
    int jan = per(2025, 1);
    int64_t due = day("2025-02-10");
    assert_int_equal(day("2025-03-12") - due, 30);
    struct bill_line l = penalty(&r, jan, due, 300000, NULL, 0, due + 1, day("2025-03-12"));
    assert_penalty(l, 0, 300000, 0, 0, 0);
    l = penalty(&r, jan, due, 300000, NULL, 0, day("2025-03-13"), day("2025-03-13"));
    assert_penalty(l, 100, 300000, 1, 0, 1000);
    /* The whole first 31 days: still only day 31. */
    l = penalty(&r, jan, due, 300000, NULL, 0, due + 1, day("2025-03-13"));
    assert_penalty(l, 100, 300000, 1, 0, 1000);
}

/* The divisor (ч. 14): 3 900.00 ₽ due 10.02.2025, 10 %. Day 90 = 11.05.2025
 * at 1/300: 390000 × 0.10 / 300 = 130; day 91 = 12.05.2025 at 1/130:
 * 390000 × 0.10 / 130 = 300. Both: 430. */
static void penalty_divisor_changes_from_1_300_to_1_130_after_day_90(void **state)
{
    (void)state;
    struct penalty_rules r = rules_flat(1000, true);
    int jan = per(2025, 1);
    int64_t due = day("2025-02-10"), d90 = day("2025-05-11"), d91 = day("2025-05-12");
    assert_int_equal(d90 - due, 90);
    assert_penalty(penalty(&r, jan, due, 390000, NULL, 0, d90, d90), 130, 390000, 1, 0, 1000);
    assert_penalty(penalty(&r, jan, due, 390000, NULL, 0, d91, d91), 300, 390000, 0, 1, 1000);
    assert_penalty(penalty(&r, jan, due, 390000, NULL, 0, d90, d91), 430, 390000, 1, 1, 1000);
}

/* A key-rate change in the middle: 6 000.00 ₽ for February 2025, due
 * 10.03.2025; rates 10 % from 2025-01-01 and 20 % from 19.05.2025 (n 70).
 * 3 000.00 ₽ paid on 09.05.2025 (n 60, rate 10 %); the rest unpaid at the
 * end of the window 10.04.2025 (n 31) – 29.05.2025 (n 80), rate on `to` 20 %.
 *   n 31..60 (30 days): 300000 × 0.10/300 + 300000 × 0.20/300 = 100 + 200
 *     = 300 a day → 9000 (the portion paid on 09.05 keeps 10 %)
 *   n 61..80 (20 days): 300000 × 0.20 / 300 = 200 a day → 4000
 *   total 13000 = 130.00 ₽.
 * One rate for everything (20 % on `to`) would give 16000; the rate of each
 * day t would give 9100. */
static void penalty_portion_paid_earlier_keeps_the_rate_of_its_payment_day(void **state)
{
    (void)state;
    struct key_rate rates[] = {{day("2025-01-01"), 1000}, {day("2025-05-19"), 2000}};
    struct penalty_rules r = {.rates = rates, .nrates = 2, .count_payment_day = true};
    int feb = per(2025, 2);
    int64_t due = day("2025-03-10");
    assert_int_equal(day("2025-05-09") - due, 60);
    assert_int_equal(day("2025-05-19") - due, 70);
    assert_int_equal(day("2025-05-29") - due, 80);
    struct alloc_part parts[] = {{1, feb, day("2025-05-09"), 300000}};
    struct bill_line l =
        penalty(&r, feb, due, 600000, parts, 1, day("2025-04-10"), day("2025-05-29"));
    assert_penalty(l, 13000, 300000, 50, 0, 2000);
}

/* A partial payment mid-window: 6 000.00 ₽ due 10.03.2025, 10 %, window
 * 10.04.2025 (n 31) – 09.05.2025 (n 60), 2 000.00 ₽ paid 19.04.2025 (n 40).
 * 600000 × 0.10 / 300 = 200 a day; 400000 × 0.10 / 300 = 133.333 a day.
 * Counting the payment day: 10 × 200 + 20 × 133.333 = 4666.667 → 4667.
 * Not counting it:           9 × 200 + 21 × 133.333 = 4600.000 → 4600. */
static void penalty_partial_payment_reduces_the_debt_from_its_day_or_the_next(void **state)
{
    (void)state;
    int feb = per(2025, 2);
    int64_t due = day("2025-03-10"), from = day("2025-04-10"), to = day("2025-05-09");
    assert_int_equal(day("2025-04-19") - due, 40);
    struct alloc_part parts[] = {{1, feb, day("2025-04-19"), 200000}};
    struct penalty_rules r = rules_flat(1000, true);
    assert_penalty(penalty(&r, feb, due, 600000, parts, 1, from, to), 4667, 400000, 30, 0, 1000);
    r = rules_flat(1000, false);
    assert_penalty(penalty(&r, feb, due, 600000, parts, 1, from, to), 4600, 400000, 30, 0, 1000);
}

/* ПП 497 moratorium 01.04.2022–01.10.2022 inside the window. 3 000.00 ₽ for
 * January 2022, due 10.02.2022, 10 % (a plain rate: the ПП 474 cap is the
 * next test), window 01.03.2022 (n 19) – 31.10.2022 (n 263).
 *   n 31..49 = 13.03–31.03: 19 days × 100 = 1900
 *   01.04–01.10: nothing (the days of delay keep counting)
 *   n 234..263 = 02.10–31.10: 30 days at 1/130 × 230.769 = 6923.077
 *   total 8823.077 → 8823.
 * Without the moratorium: n 31..90 60 × 100 = 6000, n 91..263 173 × 230.769
 * = 39923.077, total 45923. */
static void penalty_moratorium_days_add_nothing_and_the_delay_keeps_counting(void **state)
{
    (void)state;
    int jan = per(2022, 1);
    int64_t due = day("2022-02-10"), from = day("2022-03-01"), to = day("2022-10-31");
    assert_int_equal(day("2022-10-02") - due, 234);
    assert_int_equal(to - due, 263);
    struct penalty_regime pp497[] = {{true, day("2022-04-01"), day("2022-10-01"), 0}};
    struct penalty_rules r = rules_flat(1000, true);
    r.regimes = pp497;
    r.nregimes = 1;
    assert_penalty(penalty(&r, jan, due, 300000, NULL, 0, from, to), 8823, 300000, 19, 30, 1000);
    r.nregimes = 0;
    assert_penalty(penalty(&r, jan, due, 300000, NULL, 0, from, to), 45923, 300000, 60, 173, 1000);
}

/* ПП 474 caps the rate at 9.5 % on 28.02.2022–31.12.2024 (the real tables of
 * migration 0006). 3 000.00 ₽ for December 2021, due 10.01.2022, unpaid;
 * window 10.02.2022 (n 31) – 31.03.2022 (n 80); rate on `to` 20 %.
 *   10.02–27.02: 18 days, before the cap: 300000 × 0.20 / 300 = 200 → 3600
 *   28.02–31.03: 32 days capped:           300000 × 0.095 / 300 = 95 → 3040
 *   total 6640 = 66.40 ₽ (d = 950, the capped rate of the last day).
 * The cap ends with 2024: 3 000.00 ₽ due 10.11.2024, window 16.12.2024 (n 36)
 * – 15.01.2025 (n 66), rate on `to` 21 %:
 *   16.12–31.12: 16 days × 95 = 1520; 01.01–15.01: 15 days × 210 = 3150;
 *   total 4670. */
static void penalty_pp474_caps_the_rate_at_9_5_percent_on_the_days_it_covers(void **state)
{
    (void)state;
    struct penalty_rules r = rules_0006(true);
    int dec21 = per(2021, 12);
    int64_t due = day("2022-01-10");
    assert_int_equal(day("2022-02-10") - due, 31);
    struct bill_line l =
        penalty(&r, dec21, due, 300000, NULL, 0, day("2022-02-10"), day("2022-03-31"));
    assert_penalty(l, 6640, 300000, 50, 0, 950);

    int oct24 = per(2024, 10);
    due = day("2024-11-10");
    assert_int_equal(day("2024-12-16") - due, 36);
    l = penalty(&r, oct24, due, 300000, NULL, 0, day("2024-12-16"), day("2025-01-15"));
    assert_penalty(l, 4670, 300000, 31, 0, 2100);
}

/* Capital repair (ч. 14.1): 1/300 from the first day of delay, no grace, no
 * 1/130. 3 000.00 ₽ due 10.02.2025, 10 %, window n 1..100 (11.02–21.05.2025):
 *   100 × 100 = 10000 = 100.00 ₽.
 * The same debt under ч. 14: n 31..90 60 × 100 = 6000, n 91..100
 * 10 × 230.769 = 2307.692; total 8307.692 → 8308. */
static void penalty_capital_repair_accrues_from_day_one_at_1_300(void **state)
{
    (void)state;
    int jan = per(2025, 1);
    int64_t due = day("2025-02-10"), to = day("2025-05-21");
    assert_int_equal(to - due, 100);
    struct penalty_rules r = rules_flat(1000, true);
    r.capital_repair = true;
    assert_penalty(penalty(&r, jan, due, 300000, NULL, 0, due + 1, to), 10000, 300000, 100, 0,
                   1000);
    r.capital_repair = false;
    assert_penalty(penalty(&r, jan, due, 300000, NULL, 0, due + 1, to), 8308, 300000, 60, 10, 1000);
}

/* Rounding half away from zero, once for the line (PITFALLS.md "Rounding"),
 * 10 %, due 10.02.2025, day 31 = 13.03.2025:
 *   304500 × 0.10 / 300 = 101.5    → 102
 *   304499 × 0.10 / 300 = 101.4997 → 101
 *   1950 × 0.10 / 130 at day 91     = 1.5 → 2
 *   1500 × 0.10 / 300 = 0.5 a day for days 31..33: 1.5 → 2 (rounding each
 *   day would give 3, truncating 1). */
static void penalty_rounds_half_a_kopeck_away_from_zero_once(void **state)
{
    (void)state;
    struct penalty_rules r = rules_flat(1000, true);
    int jan = per(2025, 1);
    int64_t due = day("2025-02-10"), d31 = day("2025-03-13"), d91 = day("2025-05-12");
    assert_penalty(penalty(&r, jan, due, 304500, NULL, 0, d31, d31), 102, 304500, 1, 0, 1000);
    assert_penalty(penalty(&r, jan, due, 304499, NULL, 0, d31, d31), 101, 304499, 1, 0, 1000);
    assert_penalty(penalty(&r, jan, due, 1950, NULL, 0, d91, d91), 2, 1950, 0, 1, 1000);
    assert_penalty(penalty(&r, jan, due, 1500, NULL, 0, d31, d31 + 2), 2, 1500, 3, 0, 1000);
}

/* The monthly run: one calendar month of the delay at a time, each with the
 * rate on its last day for what is unpaid then. The DOMAIN debt (5 000.00 ₽,
 * due 10.02.2025), paid 20.06.2025, real rates:
 *   March 2025 (n 19..49): n 31..49 19 days × 350 (21 % on 31.03)  = 6650
 *   April 2025 (n 50..79): 30 days × 500000 × 0.21 / 300 = 30 × 350 = 10500
 *   May 2025 (n 80..110): n 80..90 11 × 350 = 3850; n 91..110 20 × 807.692
 *     = 16153.846; total 20003.846 → 20004 (21 % on 31.05)
 *   June 2025 (n 111..130): 20 days × 769.231 (20 % on the payment day)
 *     = 15384.615 → 15385
 * The June payment is in the input every time: a part after the window's end
 * does not change the month (the line is final when the month is billed).
 * The months add up to 52539, not to the one-shot 50769: the months before
 * the payment used the rate in force at their end (21 %). */
static void penalty_monthly_window_uses_the_rate_on_its_last_day_for_the_unpaid(void **state)
{
    (void)state;
    struct penalty_rules r = rules_0006(true);
    int jan = per(2025, 1);
    int64_t due = day("2025-02-10");
    struct alloc_part parts[] = {{1, jan, day("2025-06-20"), 500000}};
    struct bill_line feb = penalty(&r, jan, due, 500000, parts, 1, due + 1, day("2025-02-28"));
    struct bill_line mar =
        penalty(&r, jan, due, 500000, parts, 1, day("2025-03-01"), day("2025-03-31"));
    struct bill_line apr =
        penalty(&r, jan, due, 500000, parts, 1, day("2025-04-01"), day("2025-04-30"));
    struct bill_line may =
        penalty(&r, jan, due, 500000, parts, 1, day("2025-05-01"), day("2025-05-31"));
    struct bill_line jun =
        penalty(&r, jan, due, 500000, parts, 1, day("2025-06-01"), day("2025-06-30"));
    assert_penalty(feb, 0, 500000, 0, 0, 0);
    assert_penalty(mar, 6650, 500000, 19, 0, 2100);
    assert_penalty(apr, 10500, 500000, 30, 0, 2100);
    assert_penalty(may, 20004, 500000, 11, 20, 2100);
    assert_penalty(jun, 15385, 0, 0, 20, 2000);
    assert_int_equal(mar.amount + apr.amount + may.amount + jun.amount, 52539);
    /* April without the June payment in the input: the same line. */
    struct bill_line apr0 =
        penalty(&r, jan, due, 500000, NULL, 0, day("2025-04-01"), day("2025-04-30"));
    assert_memory_equal(&apr, &apr0, sizeof apr);
}

/* A reversed payment did not pay: 3 000.00 ₽ due 10.02.2025; rates 10 % from
 * 2025-01-01 and 20 % from 01.04.2025 (n 50). Paid 22.03 (n 40), reversed
 * 27.03 (n 45), paid again 11.04 (n 60) — allocated by bill_allocate. Window
 * n 31..60 (13.03–11.04), counting the payment day:
 *   n 31..40: 300000 at the rate of 11.04 (the money that finally paid it),
 *     20 %: 200 a day → 2000
 *   n 41..45: paid (the reversal counts from the day after it) → 0
 *   n 46..60: 15 days × 200 → 3000
 *   total 5000 (at the rate of the reversed payment's day, 10 %, days
 *   n 31..40 would give 1000 and the total 4000). */
static void penalty_reversed_payment_leaves_its_days_to_the_payment_that_paid(void **state)
{
    (void)state;
    int jan = per(2025, 1);
    int64_t due = day("2025-02-10"), p1 = day("2025-03-22"), rv = day("2025-03-27"),
            p3 = day("2025-04-11");
    assert_int_equal(p1 - due, 40);
    assert_int_equal(rv - due, 45);
    assert_int_equal(day("2025-04-01") - due, 50);
    assert_int_equal(p3 - due, 60);
    struct alloc_debt debts[] = {{jan, 300000}};
    struct alloc_payment pays[] = {{1, PAY_PAYMENT, p1, 300000, 0, 0},
                                   {2, PAY_REVERSAL, rv, 300000, 0, 1},
                                   {3, PAY_PAYMENT, p3, 300000, 0, 0}};
    struct arena *a = arena_new();
    struct alloc_part *parts;
    int n;
    struct err e = {0};
    assert_int_equal(bill_allocate(debts, 1, pays, 3, a, &parts, &n, &e), 0);
    assert_int_equal(n, 3);
    struct key_rate rates[] = {{day("2025-01-01"), 1000}, {day("2025-04-01"), 2000}};
    struct penalty_rules r = {.rates = rates, .nrates = 2, .count_payment_day = true};
    assert_penalty(penalty(&r, jan, due, 300000, parts, n, due + 31, p3), 5000, 0, 25, 0, 2000);
    arena_free(a);
}

/* Many paydays (more than the 16 kept on the stack): 3 000.00 ₽ due
 * 10.02.2025, 10 %, 100.00 ₽ paid every day n 31..60 (13.03–11.04.2025).
 * Counting the payment day, day n = 31 + j owes 300000 − 10000·j:
 *   Σ j=0..29 = 9 000 000 − 10000 × 435 = 4 650 000 kopeck-days
 *   × 0.10 / 300 = 1550.
 * Not counting it, day 31 + j owes 300000 − 10000·(j + 1):
 *   Σ = 9 000 000 − 10000 × 465 = 4 350 000 → 1450, and day 60 owes
 *   nothing (29 days counted). */
static void penalty_daily_partial_payments_each_reduce_the_debt(void **state)
{
    (void)state;
    int jan = per(2025, 1);
    int64_t due = day("2025-02-10");
    struct alloc_part parts[30];
    for (int j = 0; j < 30; j++)
        parts[j] = (struct alloc_part){j + 1, jan, due + 31 + j, 10000};
    struct penalty_rules r = rules_flat(1000, true);
    assert_penalty(penalty(&r, jan, due, 300000, parts, 30, due + 1, due + 60), 1550, 0, 30, 0,
                   1000);
    r = rules_flat(1000, false);
    assert_penalty(penalty(&r, jan, due, 300000, parts, 30, due + 1, due + 60), 1450, 0, 29, 0,
                   1000);
}

static void penalty_zero_or_negative_debt_accrues_nothing(void **state)
{
    (void)state;
    struct penalty_rules r = rules_flat(1000, true);
    int jan = per(2025, 1);
    int64_t due = day("2025-02-10"), to = day("2025-12-31");
    assert_penalty(penalty(&r, jan, due, 0, NULL, 0, due + 1, to), 0, 0, 0, 0, 0);
    assert_penalty(penalty(&r, jan, due, -5000, NULL, 0, due + 1, to), 0, 0, 0, 0, 0);
    /* Paid in full before the due day. */
    struct alloc_part parts[] = {{1, jan, day("2025-02-05"), 300000}};
    assert_penalty(penalty(&r, jan, due, 300000, parts, 1, due + 1, to), 0, 0, 0, 0, 0);
    /* A zero key rate adds nothing and counts no days. */
    r = rules_flat(0, true);
    assert_penalty(penalty(&r, jan, due, 300000, NULL, 0, due + 1, to), 0, 300000, 0, 0, 0);
}

static void penalty_window_ending_before_it_starts_is_invalid(void **state)
{
    (void)state;
    struct penalty_rules r = rules_flat(1000, true);
    struct err e = {0};
    assert_int_equal(penalty_error(&r, per(2025, 1), day("2025-02-10"), 300000, NULL, 0,
                                   day("2025-04-02"), day("2025-04-01"), &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "to");
    assert_non_null(strstr(e.msg, "01.04.2025"));
    assert_non_null(strstr(e.msg, "02.04.2025"));
}

static void penalty_without_a_key_rate_on_a_needed_day_is_invalid_naming_it(void **state)
{
    (void)state;
    int jan = per(2025, 1);
    int64_t due = day("2025-02-10");
    struct penalty_rules none = {.count_payment_day = true};
    /* All days within the grace: no rate is needed, no error. */
    assert_penalty(penalty(&none, jan, due, 300000, NULL, 0, due + 1, day("2025-03-12")), 0, 300000,
                   0, 0, 0);
    /* Day 31 needs the rate on `to` for the unpaid debt. */
    struct err e = {0};
    assert_int_equal(
        penalty_error(&none, jan, due, 300000, NULL, 0, due + 1, day("2025-03-13"), &e),
        ERR_INVALID);
    assert_string_equal(e.field, "key_rates");
    assert_non_null(strstr(e.msg, "13.03.2025"));
    /* A portion paid before the table starts needs the rate of its day. */
    struct key_rate late[] = {{day("2025-06-01"), 2000}};
    struct penalty_rules r = {.rates = late, .nrates = 1, .count_payment_day = true};
    struct alloc_part parts[] = {{1, jan, day("2025-05-20"), 100000}};
    e = (struct err){0};
    assert_int_equal(penalty_error(&r, jan, due, 300000, parts, 1, due + 1, day("2025-06-30"), &e),
                     ERR_INVALID);
    assert_non_null(strstr(e.msg, "20.05.2025"));
}

static void penalty_rejects_nonsense_tables_and_parts(void **state)
{
    (void)state;
    int jan = per(2025, 1);
    int64_t due = day("2025-02-10"), to = day("2025-06-30");
    struct err e = {0};
    struct key_rate unsorted[] = {{day("2025-06-01"), 2000}, {day("2025-01-01"), 2100}};
    struct penalty_rules r = {.rates = unsorted, .nrates = 2};
    penalty_error(&r, jan, due, 300000, NULL, 0, due + 1, to, &e);
    assert_string_equal(e.field, "key_rates");
    struct key_rate negative[] = {{day("2025-01-01"), -5}};
    r = (struct penalty_rules){.rates = negative, .nrates = 1};
    penalty_error(&r, jan, due, 300000, NULL, 0, due + 1, to, &e);
    struct penalty_regime backwards[] = {{true, day("2025-03-01"), day("2025-02-01"), 0}};
    r = rules_flat(1000, true);
    r.regimes = backwards;
    r.nregimes = 1;
    e = (struct err){0};
    penalty_error(&r, jan, due, 300000, NULL, 0, due + 1, to, &e);
    assert_string_equal(e.field, "penalty_regimes");
    r = rules_flat(1000, true);
    struct alloc_part other[] = {{1, per(2025, 2), day("2025-03-01"), 1000}};
    penalty_error(&r, jan, due, 300000, other, 1, due + 1, to, &e);
    struct alloc_part unordered[] = {{1, jan, day("2025-04-01"), 1000},
                                     {2, jan, day("2025-03-01"), 1000}};
    penalty_error(&r, jan, due, 300000, unordered, 2, due + 1, to, &e);
    /* A window of more than PENALTY_WINDOW_MAX days. */
    penalty_error(&r, jan, due, 300000, NULL, 0, day("1900-01-01"), day("2025-01-01"), &e);
}

static void penalty_sums_exactly_for_the_largest_debt(void **state)
{
    (void)state;
    /* INT64_MAX kopecks at 10 % for day 31 alone: INT64_MAX / 3000 exactly
     * (9223372036854775807 / 3000 = 3074457345618258.602 → …259): the 128-bit
     * sum neither overflows nor loses a kopeck. */
    struct penalty_rules r = rules_flat(1000, true);
    int jan = per(2025, 1);
    int64_t due = day("2025-02-10"), d31 = day("2025-03-13");
    assert_penalty(penalty(&r, jan, due, INT64_MAX, NULL, 0, d31, d31), 3074457345618259, INT64_MAX,
                   1, 0, 1000);
}

/* ---- explanations (lines.c) ---- */

static const char *explain(struct bill_line l, const char *reason)
{
    static char buf[BILL_EXPLAIN_SIZE + 64];
    assert_int_equal(bill_line_explain(&l, reason, buf, sizeof buf), 0);
    return buf;
}

/* Every line says how it was found (the document's «способ расчёта», ПП 354
 * п. 69): the statement API and the payment document use these words. */
static void explanation_names_the_method_the_average_streak_and_the_rules(void **state)
{
    (void)state;
    assert_string_equal(explain((struct bill_line){.kind = 'C', .method = 'A'}, NULL),
                        "по площади помещения");
    assert_string_equal(explain((struct bill_line){.kind = 'C', .method = 'R'}, NULL),
                        "по числу зарегистрированных");
    assert_string_equal(explain((struct bill_line){.kind = 'C', .method = 'F'}, NULL),
                        "фиксированно за лицевой счёт");
    assert_string_equal(explain((struct bill_line){.kind = 'C', .method = 'M'}, NULL),
                        "по показаниям прибора учёта");
    assert_string_equal(explain((struct bill_line){.kind = 'C', .method = 'V', .a = 2}, NULL),
                        "по среднему потреблению (ПП 354 п. 59), 2-й период подряд");
    assert_string_equal(explain((struct bill_line){.kind = 'C', .method = 'N'}, NULL),
                        "по нормативу × зарегистрированные (ПП 354 п. 60)");
    assert_string_equal(explain((struct bill_line){.kind = 'C', .method = 'K'}, NULL),
                        "по нормативу × зарегистрированные × повышающий коэффициент "
                        "(ПП 354 п. 42)");
    assert_string_equal(explain((struct bill_line){.kind = 'R', .method = '-'}, "ошибка в площади"),
                        "перерасчёт: ошибка в площади");
    /* base 1 234,56 ₽ (U+202F between groups), 40 days at 1/300, 5 at 1/130, 16 % */
    assert_string_equal(
        explain(
            (struct bill_line){.kind = 'P', .method = '-', .a = 123456, .b = 40, .c = 5, .d = 1600},
            NULL),
        "пени (ЖК РФ ст. 155 ч. 14) на долг 1\xe2\x80\xaf"
        "234,56 ₽: 40 дн. × 1/300 и 5 дн. × 1/130 ставки 16,00 %");
    assert_string_equal(explain((struct bill_line){.kind = 'B', .method = '-'}, NULL),
                        "кешбэк за своевременную полную оплату");
    assert_string_equal(bill_kind_name('R'), "correction");
    assert_string_equal(bill_method_name('K'), "norm_raised");
    assert_null(bill_method_name('-'));
}

/* A reason longer than the buffer is cut at a character boundary (the API
 * would refuse half a letter as JSON), and the cut is reported. */
static void explanation_cut_short_keeps_whole_characters(void **state)
{
    (void)state;
    char buf[24]; /* "перерасчёт: " is 22 bytes: one letter and a half fit */
    struct bill_line l = {.kind = 'R', .method = '-'};
    assert_int_equal(bill_line_explain(&l, "ёёё", buf, sizeof buf), ERR_INVALID);
    assert_string_equal(buf, "перерасчёт: ");
    assert_int_equal(bill_line_explain(&l, "ёёё", buf, 0), ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(allocate_pays_the_named_period_first_while_it_is_owed),
        cmocka_unit_test(allocate_named_period_paid_or_not_billed_falls_back_to_the_oldest_owed),
        cmocka_unit_test(allocate_without_a_named_period_pays_the_oldest_owed_first),
        cmocka_unit_test(allocate_surplus_is_an_advance_with_period_zero),
        cmocka_unit_test(allocate_advance_goes_to_a_period_once_it_is_billed),
        cmocka_unit_test(allocate_applies_entries_by_day_then_id),
        cmocka_unit_test(allocate_reversal_takes_back_exactly_the_parts_of_its_payment),
        cmocka_unit_test(allocate_reversal_of_an_unknown_payment_is_invalid_and_names_it),
        cmocka_unit_test(allocate_reversal_only_of_a_payment_once_and_for_its_amount),
        cmocka_unit_test(allocate_reversal_of_money_already_refunded_is_invalid),
        cmocka_unit_test(allocate_refund_takes_the_advance_first_then_the_latest_periods),
        cmocka_unit_test(allocate_refund_larger_than_paid_is_invalid),
        cmocka_unit_test(allocate_is_deterministic_whatever_the_input_order),
        cmocka_unit_test(allocate_rejects_nonsense_input),
        cmocka_unit_test(allocate_checks_overflow),
        cmocka_unit_test(allocate_nothing_gives_no_parts),
        cmocka_unit_test(penalty_domain_example_at_one_rate_of_21_percent),
        cmocka_unit_test(penalty_domain_example_at_the_rate_on_the_payment_day_counting_it),
        cmocka_unit_test(penalty_domain_example_not_counting_the_payment_day),
        cmocka_unit_test(penalty_grace_day_30_accrues_nothing_day_31_does),
        cmocka_unit_test(penalty_divisor_changes_from_1_300_to_1_130_after_day_90),
        cmocka_unit_test(penalty_portion_paid_earlier_keeps_the_rate_of_its_payment_day),
        cmocka_unit_test(penalty_partial_payment_reduces_the_debt_from_its_day_or_the_next),
        cmocka_unit_test(penalty_moratorium_days_add_nothing_and_the_delay_keeps_counting),
        cmocka_unit_test(penalty_pp474_caps_the_rate_at_9_5_percent_on_the_days_it_covers),
        cmocka_unit_test(penalty_capital_repair_accrues_from_day_one_at_1_300),
        cmocka_unit_test(penalty_rounds_half_a_kopeck_away_from_zero_once),
        cmocka_unit_test(penalty_monthly_window_uses_the_rate_on_its_last_day_for_the_unpaid),
        cmocka_unit_test(penalty_reversed_payment_leaves_its_days_to_the_payment_that_paid),
        cmocka_unit_test(penalty_daily_partial_payments_each_reduce_the_debt),
        cmocka_unit_test(penalty_zero_or_negative_debt_accrues_nothing),
        cmocka_unit_test(penalty_window_ending_before_it_starts_is_invalid),
        cmocka_unit_test(penalty_without_a_key_rate_on_a_needed_day_is_invalid_naming_it),
        cmocka_unit_test(penalty_rejects_nonsense_tables_and_parts),
        cmocka_unit_test(penalty_sums_exactly_for_the_largest_debt),
        cmocka_unit_test(explanation_names_the_method_the_average_streak_and_the_rules),
        cmocka_unit_test(explanation_cut_short_keeps_whole_characters),
    };
    return cmocka_run_group_tests(tests, setup_tables, NULL);
}
