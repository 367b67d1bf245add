/* test_date.c — civil calendar rules, billing periods and time zones by name
 * through ICU (PITFALLS.md "Time zones"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/date.h"
#include "base/err.h"

static struct date mk(int y, int m, int d)
{
    struct date dt = {y, m, d};
    return dt;
}

static void assert_date(struct date dt, int y, int m, int d)
{
    assert_int_equal(dt.y, y);
    assert_int_equal(dt.m, m);
    assert_int_equal(dt.d, d);
}

/* ---- Calendar ---- */

static void leap_years_follow_gregorian_rule(void **state)
{
    (void)state;
    assert_true(date_is_leap(2024));
    assert_false(date_is_leap(2025));
    assert_false(date_is_leap(1900)); /* divisible by 100 */
    assert_true(date_is_leap(2000));  /* divisible by 400 */
    assert_false(date_is_leap(2100));
}

static void feb_29_exists_only_in_leap_years(void **state)
{
    (void)state;
    assert_true(date_valid(mk(2024, 2, 29)));
    assert_false(date_valid(mk(2025, 2, 29)));
    assert_false(date_valid(mk(1900, 2, 29)));
    assert_true(date_valid(mk(2000, 2, 29)));
}

static void date_valid_rejects_out_of_range_fields(void **state)
{
    (void)state;
    assert_false(date_valid(mk(2026, 4, 31)));
    assert_false(date_valid(mk(2026, 13, 1)));
    assert_false(date_valid(mk(2026, 0, 1)));
    assert_false(date_valid(mk(2026, 1, 0)));
    assert_false(date_valid(mk(0, 1, 1)));
    assert_false(date_valid(mk(10000, 1, 1)));
    assert_true(date_valid(mk(1, 1, 1)));
    assert_true(date_valid(mk(9999, 12, 31)));
}

static void last_day_of_month_follows_month_lengths(void **state)
{
    (void)state;
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int m = 1; m <= 12; m++)
        assert_int_equal(date_last_day_of_month(2026, m), len[m - 1]);
    assert_int_equal(date_last_day_of_month(2024, 2), 29);
    assert_int_equal(date_last_day_of_month(1900, 2), 28);
    assert_int_equal(date_last_day_of_month(2000, 2), 29);
    assert_int_equal(date_last_day_of_month(2026, 13), ERR_INVALID);
    assert_int_equal(date_last_day_of_month(2026, 0), ERR_INVALID);
}

static void day_numbers_count_from_1970_01_01(void **state)
{
    (void)state;
    assert_int_equal(date_days_from_civil(mk(1970, 1, 1)), 0);
    assert_int_equal(date_days_from_civil(mk(1969, 12, 31)), -1);
    assert_int_equal(date_days_from_civil(mk(2000, 3, 1)), 11017);
    assert_int_equal(date_days_from_civil(mk(2026, 11, 23)), 20780);
    assert_int_equal(date_days_from_civil(mk(1, 1, 1)), -719162);
    assert_int_equal(date_days_from_civil(mk(9999, 12, 31)), 2932896);
    assert_date(date_civil_from_days(20780), 2026, 11, 23);
}

static void days_and_civil_round_trip_every_day_of_years_1_to_9999(void **state)
{
    (void)state;
    int64_t z = date_days_from_civil(mk(1, 1, 1));
    for (int y = 1; y <= 9999; y++) {
        for (int m = 1; m <= 12; m++) {
            int last = date_last_day_of_month(y, m);
            for (int d = 1; d <= last; d++, z++) {
                /* Consecutive dates get consecutive numbers, and back. */
                if (date_days_from_civil(mk(y, m, d)) != z)
                    fail_msg("%04d-%02d-%02d is not day %lld", y, m, d, (long long)z);
                struct date back = date_civil_from_days(z);
                if (back.y != y || back.m != m || back.d != d)
                    fail_msg("day %lld is not %04d-%02d-%02d", (long long)z, y, m, d);
            }
        }
    }
    assert_int_equal(z, date_days_from_civil(mk(9999, 12, 31)) + 1);
}

static void parse_accepts_exactly_yyyy_mm_dd(void **state)
{
    (void)state;
    struct date dt = {0, 0, 0};
    assert_int_equal(date_parse("2024-02-29", &dt, NULL), 0);
    assert_date(dt, 2024, 2, 29);
    assert_int_equal(date_parse("0001-01-01", &dt, NULL), 0);
    assert_date(dt, 1, 1, 1);
}

static void parse_rejects_impossible_dates_and_other_formats(void **state)
{
    (void)state;
    struct date dt = {7, 7, 7};
    const char *why = NULL;
    assert_int_equal(date_parse("2025-02-29", &dt, &why), ERR_INVALID);
    assert_string_equal(why, "Дата: такой даты не существует");
    assert_int_equal(date_parse("1900-02-29", &dt, NULL), ERR_INVALID);
    assert_int_equal(date_parse("2026-04-31", &dt, NULL), ERR_INVALID);
    assert_int_equal(date_parse("2026-00-10", &dt, NULL), ERR_INVALID);
    assert_int_equal(date_parse("0000-01-01", &dt, NULL), ERR_INVALID);
    assert_int_equal(date_parse("2026-1-05", &dt, &why), ERR_INVALID);
    assert_string_equal(why, "Дата: ожидается формат ГГГГ-ММ-ДД");
    assert_int_equal(date_parse("23.11.2026", &dt, NULL), ERR_INVALID);
    assert_int_equal(date_parse("2026-11-23T10:00", &dt, NULL), ERR_INVALID);
    assert_int_equal(date_parse("2026-+1-23", &dt, NULL), ERR_INVALID);
    assert_int_equal(date_parse("", &dt, NULL), ERR_INVALID);
    assert_int_equal(date_parse(NULL, &dt, NULL), ERR_INVALID);
    assert_date(dt, 7, 7, 7); /* untouched */
}

static void format_writes_zero_padded_yyyy_mm_dd(void **state)
{
    (void)state;
    char buf[DATE_STR_SIZE];
    assert_int_equal(date_format(mk(2026, 1, 5), buf), 0);
    assert_string_equal(buf, "2026-01-05");
    assert_int_equal(date_format(mk(33, 12, 31), buf), 0);
    assert_string_equal(buf, "0033-12-31");
    assert_int_equal(date_format(mk(2025, 2, 29), buf), ERR_INVALID);
    assert_string_equal(buf, "");
}

static void add_days_crosses_month_year_and_leap_day(void **state)
{
    (void)state;
    struct date r;
    assert_int_equal(date_add_days(mk(2024, 2, 28), 1, &r), 0);
    assert_date(r, 2024, 2, 29);
    assert_int_equal(date_add_days(mk(2025, 2, 28), 1, &r), 0);
    assert_date(r, 2025, 3, 1);
    assert_int_equal(date_add_days(mk(2026, 12, 31), 1, &r), 0);
    assert_date(r, 2027, 1, 1);
    assert_int_equal(date_add_days(mk(2027, 1, 1), -1, &r), 0);
    assert_date(r, 2026, 12, 31);
    assert_int_equal(date_add_days(mk(2026, 1, 10), 130, &r), 0); /* penalty day 131 */
    assert_date(r, 2026, 5, 20);
}

static void add_days_rejects_invalid_input_and_range_exit(void **state)
{
    (void)state;
    struct date r = {5, 5, 5};
    assert_int_equal(date_add_days(mk(2025, 2, 29), 1, &r), ERR_INVALID);
    assert_int_equal(date_add_days(mk(9999, 12, 31), 1, &r), ERR_INVALID);
    assert_int_equal(date_add_days(mk(1, 1, 1), -1, &r), ERR_INVALID);
    assert_int_equal(date_add_days(mk(2026, 1, 1), INT64_MAX, &r), ERR_INVALID);
    assert_int_equal(date_add_days(mk(2026, 1, 1), INT64_MIN, &r), ERR_INVALID);
    assert_date(r, 5, 5, 5);
}

/* ---- Billing periods ---- */

static void period_is_year_times_12_plus_month_minus_1(void **state)
{
    (void)state;
    assert_int_equal(date_period(2026, 1), 2026 * 12);
    assert_int_equal(date_period(2026, 12), 2026 * 12 + 11);
    assert_int_equal(date_period_year(date_period(2026, 12)), 2026);
    assert_int_equal(date_period_month(date_period(2026, 12)), 12);
    assert_int_equal(date_period_year(date_period(2027, 1)), 2027);
    assert_int_equal(date_period_month(date_period(2027, 1)), 1);
}

static void period_text_round_trips_and_rejects_bad_months(void **state)
{
    (void)state;
    int p = -1;
    char buf[PERIOD_STR_SIZE];
    const char *why = NULL;
    assert_int_equal(date_period_parse("2026-11", &p, NULL), 0);
    assert_int_equal(p, date_period(2026, 11));
    assert_int_equal(date_period_format(p, buf), 0);
    assert_string_equal(buf, "2026-11");
    assert_int_equal(date_period_parse("2026-13", &p, &why), ERR_INVALID);
    assert_string_equal(why, "Период: ожидается формат ГГГГ-ММ");
    assert_int_equal(date_period_parse("2026-00", &p, NULL), ERR_INVALID);
    assert_int_equal(date_period_parse("2026-1", &p, NULL), ERR_INVALID);
    assert_int_equal(date_period_parse("2026-11-01", &p, NULL), ERR_INVALID);
    assert_int_equal(date_period_parse("0000-01", &p, NULL), ERR_INVALID);
    assert_int_equal(p, date_period(2026, 11));
    assert_int_equal(date_period_format(date_period(10000, 1), buf), ERR_INVALID);
}

static void period_add_months_crosses_year_boundary(void **state)
{
    (void)state;
    int p = 0;
    assert_int_equal(date_period_add_months(date_period(2026, 12), 1, &p), 0);
    assert_int_equal(p, date_period(2027, 1));
    assert_int_equal(date_period_add_months(date_period(2027, 1), -1, &p), 0);
    assert_int_equal(p, date_period(2026, 12));
    assert_int_equal(date_period_add_months(date_period(2026, 3), -15, &p), 0);
    assert_int_equal(p, date_period(2024, 12));
    assert_int_equal(date_period_add_months(date_period(2026, 11), 26, &p), 0);
    assert_int_equal(p, date_period(2029, 1));
    assert_int_equal(date_period_add_months(date_period(9999, 12), 1, &p), ERR_INVALID);
    assert_int_equal(date_period_add_months(date_period(1, 1), -1, &p), ERR_INVALID);
}

static void period_first_and_last_day_span_the_month(void **state)
{
    (void)state;
    assert_date(date_period_first_day(date_period(2024, 2)), 2024, 2, 1);
    assert_date(date_period_last_day(date_period(2024, 2)), 2024, 2, 29);
    assert_date(date_period_last_day(date_period(2026, 12)), 2026, 12, 31);
}

/* A payment document names its month in the nominative, lower case, with
 * the year («за октябрь 2026», Приказ Минстроя № 43/пр form). */
static void period_name_is_nominative_lower_case_month_and_year(void **state)
{
    (void)state;
    char buf[PERIOD_NAME_SIZE];
    assert_int_equal(date_period_name_ru(date_period(2026, 10), buf), 0);
    assert_string_equal(buf, "октябрь 2026");
    assert_int_equal(date_period_name_ru(date_period(2027, 1), buf), 0);
    assert_string_equal(buf, "январь 2027");
    assert_int_equal(date_period_name_ru(date_period(2026, 5), buf), 0);
    assert_string_equal(buf, "май 2026");
    assert_int_equal(date_period_name_ru(date_period(9999, 9), buf), 0);
    assert_string_equal(buf, "сентябрь 9999"); /* the longest name fits the size */
    assert_int_equal(date_period_name_ru(date_period(10, 12), buf), 0);
    assert_string_equal(buf, "декабрь 0010");
    assert_int_equal(date_period_name_ru(date_period(10000, 1), buf), ERR_INVALID);
    assert_string_equal(buf, "");
}

/* ---- Time zones ---- */

static void tz_valid_accepts_iana_names_and_rejects_unknown(void **state)
{
    (void)state;
    assert_true(date_tz_valid("Europe/Moscow"));
    assert_true(date_tz_valid("Asia/Yekaterinburg"));
    assert_true(date_tz_valid("Asia/Vladivostok"));
    assert_true(date_tz_valid("UTC"));
    assert_false(date_tz_valid("Mars/Olympus"));
    assert_false(date_tz_valid("europe/moscow"));
    assert_false(date_tz_valid("GMT+03:00")); /* custom offset, not a zone */
    assert_false(date_tz_valid("Etc/Unknown"));
    assert_false(date_tz_valid("Europe/Moscow "));
    assert_false(date_tz_valid(""));
    assert_false(date_tz_valid(NULL));
}

/* Seconds since the epoch of a UTC civil time. */
static int64_t utc(int y, int m, int d, int h, int min, int s)
{
    return date_days_from_civil(mk(y, m, d)) * 86400 + h * 3600 + min * 60 + s;
}

static void assert_local(const char *tz, int64_t t, int y, int m, int d, int h, int min,
                         int32_t offset)
{
    struct date_local l;
    assert_int_equal(date_utc_to_local(tz, t, &l), 0);
    assert_date(mk(l.y, l.m, l.d), y, m, d);
    assert_int_equal(l.h, h);
    assert_int_equal(l.min, min);
    assert_int_equal(l.utc_offset, offset);
}

static void moscow_is_utc_plus_3_in_winter_and_summer(void **state)
{
    (void)state;
    assert_local("Europe/Moscow", utc(2026, 1, 15, 12, 0, 0), 2026, 1, 15, 15, 0, 3 * 3600);
    assert_local("Europe/Moscow", utc(2026, 7, 15, 12, 0, 0), 2026, 7, 15, 15, 0, 3 * 3600);
    /* 22:30Z is already the next day in Moscow. */
    assert_local("Europe/Moscow", utc(2026, 12, 31, 22, 30, 0), 2027, 1, 1, 1, 30, 3 * 3600);
}

static void yekaterinburg_is_utc_plus_5(void **state)
{
    (void)state;
    assert_local("Asia/Yekaterinburg", utc(2026, 11, 23, 5, 0, 0), 2026, 11, 23, 10, 0, 5 * 3600);
    int64_t t = 0;
    assert_int_equal(date_local_to_utc("Asia/Yekaterinburg", 2026, 11, 23, 10, 0, 0, &t), 0);
    assert_int_equal(t, utc(2026, 11, 23, 5, 0, 0));
}

static void moscow_2010_summer_was_utc_plus_4_so_icu_history_is_used(void **state)
{
    (void)state;
    assert_local("Europe/Moscow", utc(2010, 7, 1, 8, 0, 0), 2010, 7, 1, 12, 0, 4 * 3600);
    assert_local("Europe/Moscow", utc(2010, 1, 15, 9, 0, 0), 2010, 1, 15, 12, 0, 3 * 3600);
    int64_t t = 0;
    assert_int_equal(date_local_to_utc("Europe/Moscow", 2010, 7, 1, 12, 0, 0, &t), 0);
    assert_int_equal(t, utc(2010, 7, 1, 8, 0, 0));
}

static void local_time_repeated_at_fall_back_means_first_occurrence(void **state)
{
    (void)state;
    /* 2010-10-31 03:00 MSD (UTC+4) became 02:00 MSK (UTC+3): 02:30 happened twice. */
    int64_t t = 0;
    assert_int_equal(date_local_to_utc("Europe/Moscow", 2010, 10, 31, 2, 30, 0, &t), 0);
    assert_int_equal(t, utc(2010, 10, 30, 22, 30, 0));
    assert_local("Europe/Moscow", utc(2010, 10, 30, 23, 30, 0), 2010, 10, 31, 2, 30, 3 * 3600);
}

static void local_time_skipped_at_spring_forward_lands_after_the_gap(void **state)
{
    (void)state;
    /* 2011-03-27 02:00 MSK (UTC+3) became 03:00 (UTC+4): 02:30 never happened. */
    int64_t t = 0;
    assert_int_equal(date_local_to_utc("Europe/Moscow", 2011, 3, 27, 2, 30, 0, &t), 0);
    assert_int_equal(t, utc(2011, 3, 26, 23, 30, 0));
    assert_local("Europe/Moscow", t, 2011, 3, 27, 3, 30, 4 * 3600);
}

static void utc_and_local_round_trip_every_hour_of_2026_in_russian_zones(void **state)
{
    (void)state;
    static const char *zones[] = {"Europe/Kaliningrad", "Europe/Moscow",    "Asia/Yekaterinburg",
                                  "Asia/Novosibirsk",   "Asia/Vladivostok", "Asia/Kamchatka"};
    for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
        for (int64_t t = utc(2026, 1, 1, 0, 0, 0); t < utc(2027, 1, 1, 0, 0, 0); t += 3607) {
            struct date_local l;
            int64_t back = 0;
            assert_int_equal(date_utc_to_local(zones[z], t, &l), 0);
            assert_int_equal(date_local_to_utc(zones[z], l.y, l.m, l.d, l.h, l.min, l.s, &back), 0);
            assert_int_equal(back, t);
        }
    }
}

static void tz_functions_reject_unknown_zone_and_bad_fields(void **state)
{
    (void)state;
    struct date_local l;
    int64_t t = 99;
    /* ICU would silently use GMT for this name; we must refuse instead. */
    assert_int_equal(date_utc_to_local("Mars/Olympus", 0, &l), ERR_INVALID);
    assert_int_equal(date_local_to_utc("Mars/Olympus", 2026, 1, 1, 0, 0, 0, &t), ERR_INVALID);
    assert_int_equal(date_local_to_utc("Europe/Moscow", 2025, 2, 29, 0, 0, 0, &t), ERR_INVALID);
    assert_int_equal(date_local_to_utc("Europe/Moscow", 2026, 1, 1, 24, 0, 0, &t), ERR_INVALID);
    assert_int_equal(date_local_to_utc("Europe/Moscow", 2026, 1, 1, 0, 60, 0, &t), ERR_INVALID);
    assert_int_equal(date_local_to_utc("Europe/Moscow", 2026, 1, 1, 0, 0, -1, &t), ERR_INVALID);
    assert_int_equal(t, 99);
    assert_int_equal(date_utc_to_local("Europe/Moscow", INT64_MAX, &l), ERR_INVALID);
    assert_int_equal(date_utc_to_local("Europe/Moscow", INT64_MIN, &l), ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(leap_years_follow_gregorian_rule),
        cmocka_unit_test(feb_29_exists_only_in_leap_years),
        cmocka_unit_test(date_valid_rejects_out_of_range_fields),
        cmocka_unit_test(last_day_of_month_follows_month_lengths),
        cmocka_unit_test(day_numbers_count_from_1970_01_01),
        cmocka_unit_test(days_and_civil_round_trip_every_day_of_years_1_to_9999),
        cmocka_unit_test(parse_accepts_exactly_yyyy_mm_dd),
        cmocka_unit_test(parse_rejects_impossible_dates_and_other_formats),
        cmocka_unit_test(format_writes_zero_padded_yyyy_mm_dd),
        cmocka_unit_test(add_days_crosses_month_year_and_leap_day),
        cmocka_unit_test(add_days_rejects_invalid_input_and_range_exit),
        cmocka_unit_test(period_is_year_times_12_plus_month_minus_1),
        cmocka_unit_test(period_text_round_trips_and_rejects_bad_months),
        cmocka_unit_test(period_add_months_crosses_year_boundary),
        cmocka_unit_test(period_first_and_last_day_span_the_month),
        cmocka_unit_test(period_name_is_nominative_lower_case_month_and_year),
        cmocka_unit_test(tz_valid_accepts_iana_names_and_rejects_unknown),
        cmocka_unit_test(moscow_is_utc_plus_3_in_winter_and_summer),
        cmocka_unit_test(yekaterinburg_is_utc_plus_5),
        cmocka_unit_test(moscow_2010_summer_was_utc_plus_4_so_icu_history_is_used),
        cmocka_unit_test(local_time_repeated_at_fall_back_means_first_occurrence),
        cmocka_unit_test(local_time_skipped_at_spring_forward_lands_after_the_gap),
        cmocka_unit_test(utc_and_local_round_trip_every_hour_of_2026_in_russian_zones),
        cmocka_unit_test(tz_functions_reject_unknown_zone_and_bad_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
