/* test_money.c — kopeck parsing/formatting and the rounding rule (PITFALLS.md
 * "Rounding": half-up per line, symmetric for negatives). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "base/err.h"
#include "base/money.h"

#define NNBSP MONEY_GROUP_SEP /* U+202F */

static int64_t parse_ok(const char *s)
{
    int64_t k = -12345;
    const char *why = NULL;
    if (money_parse(s, &k, &why) != 0)
        fail_msg("\"%s\" rejected: %s", s, why);
    return k;
}

static const char *parse_error(const char *s)
{
    int64_t k = 777;
    const char *why = NULL;
    if (money_parse(s, &k, &why) != ERR_INVALID)
        fail_msg("\"%s\" accepted as %lld", s ? s : "(null)", (long long)k);
    assert_int_equal(k, 777); /* untouched on error */
    assert_non_null(why);
    return why;
}

/* ---- Parsing ---- */

static void parse_accepts_dot_or_comma_and_one_or_two_fraction_digits(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1234.5"), 123450);
    assert_int_equal(parse_ok("1234,50"), 123450);
    assert_int_equal(parse_ok("1234,05"), 123405);
    assert_int_equal(parse_ok("1234"), 123400);
    assert_int_equal(parse_ok("0.01"), 1);
    assert_int_equal(parse_ok("-0.01"), -1);
    assert_int_equal(parse_ok("-0"), 0);
    assert_int_equal(parse_ok("007,10"), 710);
}

static void parse_accepts_thousands_groups_of_three(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("12 345,67"), 1234567);
    assert_int_equal(parse_ok("-1 234 567.89"), -123456789);
    assert_int_equal(parse_ok("12\xc2\xa0"
                              "345,67"),
                     1234567); /* U+00A0 */
    assert_int_equal(parse_ok("12\xe2\x80\x89"
                              "345,67"),
                     1234567);                                /* U+2009 */
    assert_int_equal(parse_ok("12" NNBSP "345,67"), 1234567); /* U+202F */
}

static void parse_rejects_misplaced_group_separators(void **state)
{
    (void)state;
    parse_error("1 2");
    parse_error("1234 567");
    parse_error("12 34");
    parse_error("1  234");
    parse_error(" 1234");
    parse_error("1234 ");
    parse_error("1 234 ,50");
    parse_error("12\xe2\x80"
                "345"); /* truncated UTF-8 */
}

static void parse_rejects_more_than_two_fraction_digits(void **state)
{
    (void)state;
    assert_string_equal(parse_error("1.234"), "Сумма: не более двух знаков после запятой");
    parse_error("0,001");
}

static void parse_rejects_junk(void **state)
{
    (void)state;
    assert_string_equal(parse_error(""), "Сумма: не указана");
    parse_error(NULL);
    assert_string_equal(parse_error("12a"), "Сумма: неверный формат числа");
    parse_error("1.");
    parse_error(".5");
    parse_error("-");
    parse_error("--1");
    parse_error("+1");
    parse_error("1e3");
    parse_error("0x10");
    parse_error("1,2,3");
    parse_error("1.-5");
    parse_error("1.5 руб.");
}

static void parse_rejects_overflow_and_accepts_the_limit(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("92233720368547758.07"), INT64_MAX);
    assert_int_equal(parse_ok("-92233720368547758.07"), -INT64_MAX);
    assert_string_equal(parse_error("92233720368547758.08"), "Сумма: слишком большое значение");
    parse_error("-92233720368547758.08"); /* INT64_MIN is outside the money range */
    parse_error("92233720368547759");
    parse_error("99999999999999999999999999");
}

/* ---- Formatting ---- */

static void format_gives_two_fraction_digits_and_a_dot(void **state)
{
    (void)state;
    char buf[MONEY_FMT_SIZE];
    assert_int_equal(money_format(buf, sizeof buf, 123450), 0);
    assert_string_equal(buf, "1234.50");
    assert_int_equal(money_format(buf, sizeof buf, -1), 0);
    assert_string_equal(buf, "-0.01");
    assert_int_equal(money_format(buf, sizeof buf, 0), 0);
    assert_string_equal(buf, "0.00");
    assert_int_equal(money_format(buf, sizeof buf, INT64_MAX), 0);
    assert_string_equal(buf, "92233720368547758.07");
    assert_int_equal(money_format(buf, sizeof buf, INT64_MIN), 0);
    assert_string_equal(buf, "-92233720368547758.08");
}

static void format_reports_a_short_buffer(void **state)
{
    (void)state;
    char buf[7];
    assert_int_equal(money_format(buf, sizeof buf, 123450), ERR_INVALID); /* needs 8 */
    assert_string_equal(buf, "");
    assert_int_equal(money_format(buf, sizeof buf, 23450), 0);
    assert_string_equal(buf, "234.50");
}

static void format_display_groups_thousands_with_comma_decimal(void **state)
{
    (void)state;
    char buf[MONEY_DISPLAY_SIZE];
    assert_int_equal(money_format_display(buf, sizeof buf, 123450), 0);
    assert_string_equal(buf, "1" NNBSP "234,50");
    assert_int_equal(money_format_display(buf, sizeof buf, 99999), 0);
    assert_string_equal(buf, "999,99");
    assert_int_equal(money_format_display(buf, sizeof buf, -100000), 0);
    assert_string_equal(buf, "-1" NNBSP "000,00");
    assert_int_equal(money_format_display(buf, sizeof buf, 123456789), 0);
    assert_string_equal(buf, "1" NNBSP "234" NNBSP "567,89");
    assert_int_equal(money_format_display(buf, sizeof buf, -5), 0);
    assert_string_equal(buf, "-0,05");
    assert_int_equal(money_format_display(buf, sizeof buf, INT64_MIN), 0);
    assert_string_equal(buf, "-92" NNBSP "233" NNBSP "720" NNBSP "368" NNBSP "547" NNBSP "758,08");
    char small[8];
    assert_int_equal(money_format_display(small, sizeof small, 123450), ERR_INVALID);
    assert_string_equal(small, "");
}

static void parse_reads_back_what_format_and_display_write(void **state)
{
    (void)state;
    const int64_t values[] = {0,      1,          -1,           99,        100,
                              123456, -987654321, 100000000000, INT64_MAX, -INT64_MAX};
    char buf[MONEY_DISPLAY_SIZE];
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        assert_int_equal(money_format(buf, sizeof buf, values[i]), 0);
        assert_int_equal(parse_ok(buf), values[i]);
        assert_int_equal(money_format_display(buf, sizeof buf, values[i]), 0);
        assert_int_equal(parse_ok(buf), values[i]);
    }
}

/* ---- Arithmetic ---- */

static int64_t mdr(int64_t a, int64_t b, int64_t c)
{
    int64_t r = -999;
    assert_int_equal(money_mul_div_round(a, b, c, &r), 0);
    return r;
}

static void mul_div_rounds_half_up_away_from_zero(void **state)
{
    (void)state;
    assert_int_equal(mdr(5, 1, 2), 3);   /* 2.5 → 3 */
    assert_int_equal(mdr(1, 1, 2), 1);   /* 0.5 → 1 */
    assert_int_equal(mdr(-1, 1, 2), -1); /* −0.5 → −1 (symmetric) */
    assert_int_equal(mdr(-5, 1, 2), -3); /* −2.5 → −3 */
    assert_int_equal(mdr(5, 1, -2), -3);
    assert_int_equal(mdr(-5, 1, -2), 3);
    assert_int_equal(mdr(5, -1, -2), 3);
}

static void mul_div_rounds_non_halves_to_nearest(void **state)
{
    (void)state;
    assert_int_equal(mdr(4, 1, 3), 1);   /* 1.33 */
    assert_int_equal(mdr(5, 1, 3), 2);   /* 1.67 */
    assert_int_equal(mdr(-4, 1, 3), -1); /* −1.33 */
    assert_int_equal(mdr(-5, 1, 3), -2); /* −1.67 */
    assert_int_equal(mdr(1, 1, 3), 0);
    assert_int_equal(mdr(-1, 1, 3), 0);
    assert_int_equal(mdr(0, 12345, 7), 0);
    assert_int_equal(mdr(6, 1, 3), 2); /* exact */
    /* A charge line: 12.345 m³ (in 1/1000) × 45.67 ₽ = 563.79615 ₽ → 563.80. */
    assert_int_equal(mdr(12345, 4567, 1000), 56380);
    /* 149 999 kopecks / 2 = 74 999.5 → 75 000; negated → −75 000. */
    assert_int_equal(mdr(149999, 1, 2), 75000);
    assert_int_equal(mdr(-149999, 1, 2), -75000);
}

static void mul_div_keeps_a_128_bit_intermediate_product(void **state)
{
    (void)state;
    assert_int_equal(mdr(INT64_MAX, INT64_MAX, INT64_MAX), INT64_MAX);
    assert_int_equal(mdr(INT64_MAX, 3, 6), INT64_MAX / 2 + 1);             /* x.5 rounds up */
    assert_int_equal(mdr(INT64_MIN, 2, -4), INT64_C(4611686018427387904)); /* 2^62 */
}

static void mul_div_rejects_zero_divisor_and_overflow(void **state)
{
    (void)state;
    int64_t r = 42;
    assert_int_equal(money_mul_div_round(1, 1, 0, &r), ERR_INVALID);
    assert_int_equal(money_mul_div_round(INT64_MAX, 2, 1, &r), ERR_INVALID);
    assert_int_equal(money_mul_div_round(INT64_MAX, INT64_MAX, 1, &r), ERR_INVALID);
    assert_int_equal(money_mul_div_round(INT64_MIN, 1, 1, &r), ERR_INVALID);
    assert_int_equal(money_mul_div_round(INT64_MIN, -1, 1, &r), ERR_INVALID);
    /* Rounding itself can overflow: (2^64 − 1) / 2 = INT64_MAX + 0.5 → 2^63. */
    assert_int_equal(money_mul_div_round(4294967295, 4294967297, 2, &r), ERR_INVALID);
    assert_int_equal(money_mul_div_round(4294967295, 4294967297, 3, &r), 0);
    assert_int_equal(r, INT64_C(6148914691236517205));
    r = 42;
    assert_int_equal(money_mul_div_round(-INT64_MAX, 2, 1, &r), ERR_INVALID);
    assert_int_equal(r, 42);
}

static void add_and_sub_reject_overflow(void **state)
{
    (void)state;
    int64_t r = 0;
    assert_int_equal(money_add(100, -250, &r), 0);
    assert_int_equal(r, -150);
    assert_int_equal(money_sub(100, 250, &r), 0);
    assert_int_equal(r, -150);
    assert_int_equal(money_add(INT64_MAX, 1, &r), ERR_INVALID);
    assert_int_equal(money_add(-INT64_MAX, -1, &r), ERR_INVALID); /* INT64_MIN */
    assert_int_equal(money_sub(-INT64_MAX, 1, &r), ERR_INVALID);
    assert_int_equal(money_sub(0, INT64_MIN, &r), ERR_INVALID);
    assert_int_equal(r, -150);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_accepts_dot_or_comma_and_one_or_two_fraction_digits),
        cmocka_unit_test(parse_accepts_thousands_groups_of_three),
        cmocka_unit_test(parse_rejects_misplaced_group_separators),
        cmocka_unit_test(parse_rejects_more_than_two_fraction_digits),
        cmocka_unit_test(parse_rejects_junk),
        cmocka_unit_test(parse_rejects_overflow_and_accepts_the_limit),
        cmocka_unit_test(format_gives_two_fraction_digits_and_a_dot),
        cmocka_unit_test(format_reports_a_short_buffer),
        cmocka_unit_test(format_display_groups_thousands_with_comma_decimal),
        cmocka_unit_test(parse_reads_back_what_format_and_display_write),
        cmocka_unit_test(mul_div_rounds_half_up_away_from_zero),
        cmocka_unit_test(mul_div_rounds_non_halves_to_nearest),
        cmocka_unit_test(mul_div_keeps_a_128_bit_intermediate_product),
        cmocka_unit_test(mul_div_rejects_zero_divisor_and_overflow),
        cmocka_unit_test(add_and_sub_reject_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
