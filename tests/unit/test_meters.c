/* test_meters.c — the meters module's rules (docs/meters.md "Validation",
 * "Reading window"): the window evaluated on the municipality's wall clock
 * (Asia/Yekaterinburg is UTC+5), reading values, the meter's status on a
 * date, and the judgement of a value against the previous reading (rollover
 * recognised and confirmed), the next one and the history (implausible
 * consumption). Each test names the rule it checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/err.h"
#include "meters/meters.h"

#include <string.h>

static const struct meter_settings w2025 = {20, 25, 300};

/* 2025-03-25T19:30:00Z */
static int64_t utc(int y, int m, int d, int h, int min)
{
    return date_days_from_civil((struct date){y, m, d}) * 86400 + h * 3600 + min * 60;
}

/* ---- the reading window ---- */

static void window_yekaterinburg_1930z_on_25th_is_26th_so_next_period(void **state)
{
    (void)state;
    int period;
    bool in;
    struct date local;
    assert_int_equal(meter_period_at(&w2025, "Asia/Yekaterinburg", utc(2025, 3, 25, 19, 30),
                                     &period, &in, &local),
                     0);
    assert_int_equal(local.d, 26); /* 00:30 on the 26th, UTC+5 */
    assert_false(in);
    assert_int_equal(period, date_period(2025, 4));
}

static void window_moscow_same_instant_is_still_25th_in_window(void **state)
{
    (void)state;
    int period;
    bool in;
    assert_int_equal(
        meter_period_at(&w2025, "Europe/Moscow", utc(2025, 3, 25, 19, 30), &period, &in, NULL), 0);
    assert_true(in); /* 22:30 on the 25th, UTC+3 */
    assert_int_equal(period, date_period(2025, 3));
}

static void window_yekaterinburg_1859z_on_25th_is_last_minute_in_window(void **state)
{
    (void)state;
    int period;
    bool in;
    assert_int_equal(
        meter_period_at(&w2025, "Asia/Yekaterinburg", utc(2025, 3, 25, 18, 59), &period, &in, NULL),
        0);
    assert_true(in); /* 23:59 on the 25th */
    assert_int_equal(period, date_period(2025, 3));
}

static void window_edges_before_counts_this_month_after_counts_next(void **state)
{
    (void)state;
    int period;
    bool in;
    meter_period_of(&w2025, (struct date){2025, 3, 19}, &period, &in);
    assert_false(in);
    assert_int_equal(period, date_period(2025, 3)); /* early: this month, outside */
    meter_period_of(&w2025, (struct date){2025, 3, 20}, &period, &in);
    assert_true(in);
    meter_period_of(&w2025, (struct date){2025, 3, 25}, &period, &in);
    assert_true(in);
    assert_int_equal(period, date_period(2025, 3));
    meter_period_of(&w2025, (struct date){2025, 12, 26}, &period, &in);
    assert_false(in);
    assert_int_equal(period, date_period(2026, 1)); /* late in December: January */
}

static void window_days_past_month_end_mean_its_last_day(void **state)
{
    (void)state;
    struct meter_settings late = {30, 31, 300};
    int period;
    bool in;
    meter_period_of(&late, (struct date){2025, 2, 28}, &period, &in);
    assert_true(in);
    assert_int_equal(period, date_period(2025, 2));
    meter_period_of(&late, (struct date){2024, 2, 28}, &period, &in);
    assert_false(in); /* a leap year has the 29th */
    meter_period_of(&late, (struct date){2024, 2, 29}, &period, &in);
    assert_true(in);
}

static void window_unknown_zone_is_refused(void **state)
{
    (void)state;
    int period;
    bool in;
    assert_int_equal(meter_period_at(&w2025, "Mars/Olympus", 0, &period, &in, NULL), ERR_INVALID);
}

/* ---- values ---- */

static void value_parses_thousandths_with_point_or_comma(void **state)
{
    (void)state;
    int64_t v;
    const char *why;
    assert_int_equal(meter_value_parse("123.456", 5, 3, &v, &why), 0);
    assert_int_equal(v, 123456);
    assert_int_equal(meter_value_parse("7,5", 5, 3, &v, &why), 0);
    assert_int_equal(v, 7500);
    assert_int_equal(meter_value_parse("42", 5, 0, &v, &why), 0);
    assert_int_equal(v, 42000);
}

static void value_more_decimals_than_the_counter_shows_is_refused(void **state)
{
    (void)state;
    int64_t v;
    const char *why = NULL;
    assert_int_equal(meter_value_parse("12.34", 5, 1, &v, &why), ERR_INVALID);
    assert_non_null(why);
    assert_int_equal(meter_value_parse("12.3", 5, 0, &v, &why), ERR_INVALID);
}

static void value_beyond_digit_capacity_is_refused(void **state)
{
    (void)state;
    int64_t v;
    const char *why;
    assert_int_equal(meter_value_parse("99999.999", 5, 3, &v, &why), 0);
    assert_int_equal(meter_value_parse("100000", 5, 3, &v, &why), ERR_INVALID);
    assert_int_equal(meter_value_parse("-1", 5, 3, &v, &why), ERR_INVALID);
    assert_int_equal(meter_value_parse("1e3", 5, 3, &v, &why), ERR_INVALID);
    assert_int_equal(meter_value_parse("", 5, 3, &v, &why), ERR_INVALID);
}

/* A number too long for any counter is refused, not wrapped round int64
 * into a small or negative reading; leading zeros do not count. */
static void value_too_long_for_int64_is_refused_not_wrapped(void **state)
{
    (void)state;
    int64_t v = 0;
    const char *why;
    assert_int_equal(meter_value_parse("18446744073709552", 12, 3, &v, &why), ERR_INVALID);
    assert_int_equal(meter_value_parse("10000000000000000", 12, 3, &v, &why), ERR_INVALID);
    assert_int_equal(meter_value_parse("99999999999999999999999.5", 12, 3, &v, &why), ERR_INVALID);
    assert_int_equal(meter_value_parse("999999999999", 12, 3, &v, &why), 0);
    assert_int_equal(v, 999999999999000);
    assert_int_equal(meter_value_parse("0000000000000000000042.5", 5, 3, &v, &why), 0);
    assert_int_equal(v, 42500);
}

static void value_formats_with_three_decimals(void **state)
{
    (void)state;
    char buf[METER_VALUE_SIZE];
    meter_value_format(123456, buf);
    assert_string_equal(buf, "123.456");
    meter_value_format(5, buf);
    assert_string_equal(buf, "0.005");
}

/* ---- meter status and validity ---- */

static void status_expired_after_next_verification_date_not_on_it(void **state)
{
    (void)state;
    struct meter m = {.next_verification_on = "2025-03-25"};
    assert_string_equal(meter_status(&m, "2025-03-25"), "active");
    assert_string_equal(meter_status(&m, "2025-03-26"), "expired");
    m.removed_on = "2025-03-26";
    assert_string_equal(meter_status(&m, "2025-03-26"), "removed");
    assert_string_equal(meter_status(&m, "2025-03-25"), "active");
}

static struct meter valid_meter(void)
{
    return (struct meter){.kind = "individual",
                          .resource = "cold_water",
                          .zone = "single",
                          .premises_id = 5,
                          .digits = 5,
                          .decimals = 3,
                          .installed_on = "2025-01-10"};
}

static void meter_zones_day_night_only_for_electricity(void **state)
{
    (void)state;
    struct field_errors fe = {0};
    struct meter m = valid_meter();
    assert_int_equal(meter_check(&m, &fe), 0);
    m.zone = "day";
    assert_int_equal(meter_check(&m, &fe), 1);
    assert_string_equal(fe.e[0].field, "zone");
    fe = (struct field_errors){0};
    m.resource = "electricity";
    assert_int_equal(meter_check(&m, &fe), 0);
}

static void meter_building_has_no_premises_individual_needs_one(void **state)
{
    (void)state;
    struct field_errors fe = {0};
    struct meter m = valid_meter();
    m.kind = "building";
    m.house_id = 1;
    assert_int_equal(meter_check(&m, &fe), 1);
    assert_string_equal(fe.e[0].field, "premises_id");
    fe = (struct field_errors){0};
    m = valid_meter();
    m.premises_id = 0;
    assert_int_equal(meter_check(&m, &fe), 1);
    assert_string_equal(fe.e[0].field, "premises_id");
}

static void meter_next_verification_after_verification(void **state)
{
    (void)state;
    struct field_errors fe = {0};
    struct meter m = valid_meter();
    m.verified_on = "2025-01-01";
    m.next_verification_on = "2024-12-31";
    assert_int_equal(meter_check(&m, &fe), 1);
    assert_string_equal(fe.e[0].field, "next_verification_on");
}

static void settings_window_and_factor_ranges(void **state)
{
    (void)state;
    struct field_errors fe = {0};
    struct meter_settings s = meter_settings_default();
    assert_int_equal(s.first_day, 20);
    assert_int_equal(s.last_day, 25);
    assert_int_equal(s.factor_pct, 300);
    assert_int_equal(meter_settings_check(&s, &fe), 0);
    s = (struct meter_settings){26, 25, 100};
    assert_int_equal(meter_settings_check(&s, &fe), 2);
}

/* ---- judging a value ---- */

static struct reading_ctx ctx(int64_t prev)
{
    return (struct reading_ctx){.period = date_period(2025, 3),
                                .prev_value = prev,
                                .prev_period = date_period(2025, 2),
                                .has_prev = true,
                                .digits = 5,
                                .factor_pct = 300,
                                .unit = "м³"};
}

static void not_lower_than_previous_equal_is_zero_consumption(void **state)
{
    (void)state;
    struct reading_ctx x = ctx(100000);
    struct reading_verdict v;
    assert_int_equal(meter_judge(&x, 100000, &v), RULE_OK);
    assert_int_equal(v.consumption, 0);
    assert_int_equal(v.months, 1);
    assert_int_equal(meter_judge(&x, 103500, &v), RULE_OK);
    assert_int_equal(v.consumption, 3500);
}

static void lower_than_previous_is_refused_on_value(void **state)
{
    (void)state;
    struct reading_ctx x = ctx(100000);
    struct reading_verdict v;
    assert_int_equal(meter_judge(&x, 99000, &v), RULE_LOWER_THAN_PREVIOUS);
    assert_string_equal(meter_rule_field(v.rule), "value");
    assert_string_equal(meter_rule_name(v.rule), "lower_than_previous");
    assert_non_null(strstr(v.msg, "меньше"));
    x.confirm_rollover = true; /* no confirmation makes a non-wrap a wrap */
    assert_int_equal(meter_judge(&x, 99000, &v), RULE_LOWER_THAN_PREVIOUS);
}

static void rollover_recognised_needs_confirmation(void **state)
{
    (void)state;
    /* 5 digits: 99 950.000 → 00 020.000 passes zero, 70 m³ used. */
    struct reading_ctx x = ctx(99950000);
    struct reading_verdict v;
    assert_int_equal(meter_judge(&x, 20000, &v), RULE_ROLLOVER_UNCONFIRMED);
    assert_non_null(strstr(v.msg, "confirm_rollover"));
    x.confirm_rollover = true;
    assert_int_equal(meter_judge(&x, 20000, &v), RULE_OK);
    assert_true(v.rollover);
    assert_int_equal(v.consumption, 70000);
}

static void rollover_over_a_tenth_of_capacity_is_not_plausible(void **state)
{
    (void)state;
    struct reading_ctx x = ctx(60000000); /* 60 000 → 20 000 would be 60 000 m³ */
    x.confirm_rollover = true;
    struct reading_verdict v;
    assert_int_equal(meter_judge(&x, 20000000, &v), RULE_LOWER_THAN_PREVIOUS);
}

static void implausible_over_factor_times_average_is_refused(void **state)
{
    (void)state;
    struct reading_ctx x = ctx(100000);
    x.hist_count = 3;
    x.hist_consumption = 30000; /* 10 m³ a month over 3 months */
    x.hist_months = 3;
    struct reading_verdict v;
    assert_int_equal(meter_judge(&x, 130000, &v), RULE_OK); /* exactly 3 ×: accepted */
    assert_int_equal(meter_judge(&x, 130001, &v), RULE_IMPLAUSIBLE);
    assert_string_equal(meter_rule_field(v.rule), "value");
    x.confirm = true;
    assert_int_equal(meter_judge(&x, 130001, &v), RULE_OK);
    assert_true(v.confirmed);
}

static void implausible_compares_per_month_rates(void **state)
{
    (void)state;
    struct reading_ctx x = ctx(100000);
    x.prev_period = date_period(2024, 12); /* three months since the previous reading */
    x.hist_count = 4;
    x.hist_consumption = 40000;
    x.hist_months = 4;
    struct reading_verdict v;
    assert_int_equal(meter_judge(&x, 100000 + 90000, &v), RULE_OK); /* 30 m³ a month */
    assert_int_equal(v.months, 3);
    assert_int_equal(meter_judge(&x, 100000 + 90001, &v), RULE_IMPLAUSIBLE);
}

static void implausible_needs_three_earlier_readings(void **state)
{
    (void)state;
    struct reading_ctx x = ctx(100000);
    x.hist_count = 2;
    x.hist_consumption = 2000;
    x.hist_months = 2;
    struct reading_verdict v;
    assert_int_equal(meter_judge(&x, 900000, &v), RULE_OK);
}

static void correction_of_past_period_not_above_next_reading(void **state)
{
    (void)state;
    struct reading_ctx x = ctx(100000);
    x.has_next = true;
    x.next_value = 120000;
    x.next_period = date_period(2025, 4);
    struct reading_verdict v;
    assert_int_equal(meter_judge(&x, 110000, &v), RULE_OK);
    assert_int_equal(v.next_consumption, 10000);
    assert_int_equal(meter_judge(&x, 130000, &v), RULE_ABOVE_NEXT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(window_yekaterinburg_1930z_on_25th_is_26th_so_next_period),
        cmocka_unit_test(window_moscow_same_instant_is_still_25th_in_window),
        cmocka_unit_test(window_yekaterinburg_1859z_on_25th_is_last_minute_in_window),
        cmocka_unit_test(window_edges_before_counts_this_month_after_counts_next),
        cmocka_unit_test(window_days_past_month_end_mean_its_last_day),
        cmocka_unit_test(window_unknown_zone_is_refused),
        cmocka_unit_test(value_parses_thousandths_with_point_or_comma),
        cmocka_unit_test(value_more_decimals_than_the_counter_shows_is_refused),
        cmocka_unit_test(value_beyond_digit_capacity_is_refused),
        cmocka_unit_test(value_too_long_for_int64_is_refused_not_wrapped),
        cmocka_unit_test(value_formats_with_three_decimals),
        cmocka_unit_test(status_expired_after_next_verification_date_not_on_it),
        cmocka_unit_test(meter_zones_day_night_only_for_electricity),
        cmocka_unit_test(meter_building_has_no_premises_individual_needs_one),
        cmocka_unit_test(meter_next_verification_after_verification),
        cmocka_unit_test(settings_window_and_factor_ranges),
        cmocka_unit_test(not_lower_than_previous_equal_is_zero_consumption),
        cmocka_unit_test(lower_than_previous_is_refused_on_value),
        cmocka_unit_test(rollover_recognised_needs_confirmation),
        cmocka_unit_test(rollover_over_a_tenth_of_capacity_is_not_plausible),
        cmocka_unit_test(implausible_over_factor_times_average_is_refused),
        cmocka_unit_test(implausible_compares_per_month_rates),
        cmocka_unit_test(implausible_needs_three_earlier_readings),
        cmocka_unit_test(correction_of_past_period_not_above_next_reading),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
