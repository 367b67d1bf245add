/* test_cron.c — schedule rules (docs/jobs.md "Schedules", src/jobs/cron.h):
 * parsing of the five cron fields and the shorthands, refusals that name the
 * field, and the UTC instants of the next / previous slot in an IANA zone,
 * across month ends, leap years and daylight-saving changes.
 *
 * Instants are Unix seconds written as literals, each with its UTC and local
 * time in a comment (checked with `date -u -d @N` and `TZ=Europe/Berlin date`). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/err.h"
#include "jobs/cron.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define MSK "Europe/Moscow"
#define YEKT "Asia/Yekaterinburg"
#define BERLIN "Europe/Berlin"

/* Every minute 0-59, hour 0-23, day 1-31, month 1-12, weekday 0-6. */
#define ALL_MINUTES 0x0FFFFFFFFFFFFFFFull
#define ALL_HOURS 0x00FFFFFFu
#define ALL_MDAYS 0xFFFFFFFEu
#define ALL_MONTHS 0x1FFEu
#define ALL_WDAYS 0x7Fu

#define BIT(n) (1ull << (n))

/* ---- helpers ---- */

static const char *iso(int64_t t, char buf[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

static struct cron parse_ok(const char *rule)
{
    struct cron c;
    struct err e = {0};
    memset(&c, 0, sizeof c);
    int rc = cron_parse(rule, &c, &e);
    if (rc != 0)
        fail_msg("cron_parse(\"%s\") = %d (%s), expected 0", rule, rc, e.msg);
    return c;
}

/* Asserts that the first slot of `rule` in `tz` strictly after `after` is `want`. */
static void assert_next(const char *rule, const char *tz, int64_t after, int64_t want)
{
    struct cron c = parse_ok(rule);
    struct err e = {0};
    int64_t slot = -1;
    char a[32], w[32], g[32];
    int rc = cron_next(&c, tz, after, &slot, &e);
    if (rc != 0)
        fail_msg("cron_next(\"%s\", %s, after %s) = %d (%s), expected %s", rule, tz, iso(after, a),
                 rc, e.msg, iso(want, w));
    if (slot != want)
        fail_msg("cron_next(\"%s\", %s, after %s): expected %s (%lld), got %s (%lld)", rule, tz,
                 iso(after, a), iso(want, w), (long long)want, iso(slot, g), (long long)slot);
}

/* Asserts that the last slot of `rule` in `tz` at or before `at` is `want`. */
static void assert_prev(const char *rule, const char *tz, int64_t at, int64_t want)
{
    struct cron c = parse_ok(rule);
    struct err e = {0};
    int64_t slot = -1;
    char a[32], w[32], g[32];
    int rc = cron_prev(&c, tz, at, &slot, &e);
    if (rc != 0)
        fail_msg("cron_prev(\"%s\", %s, at %s) = %d (%s), expected %s", rule, tz, iso(at, a), rc,
                 e.msg, iso(want, w));
    if (slot != want)
        fail_msg("cron_prev(\"%s\", %s, at %s): expected %s (%lld), got %s (%lld)", rule, tz,
                 iso(at, a), iso(want, w), (long long)want, iso(slot, g), (long long)slot);
}

/* Asserts that the slots following `after`, one by one, are want[0..n-1]. */
static void assert_sequence(const char *rule, const char *tz, int64_t after, const int64_t *want,
                            size_t n)
{
    struct cron c = parse_ok(rule);
    int64_t t = after;
    for (size_t i = 0; i < n; i++) {
        struct err e = {0};
        int64_t slot = -1;
        char a[32], w[32], g[32];
        int rc = cron_next(&c, tz, t, &slot, &e);
        if (rc != 0 || slot != want[i])
            fail_msg("\"%s\" in %s, slot %zu after %s: expected %s, got rc %d %s (%s)", rule, tz,
                     i + 1, iso(t, a), iso(want[i], w), rc, rc == 0 ? iso(slot, g) : "-", e.msg);
        t = slot;
    }
}

/* True if msg contains any of the NULL-terminated words. */
static bool mentions(const char *msg, const char *const *words)
{
    for (size_t i = 0; words[i]; i++)
        if (strstr(msg, words[i]))
            return true;
    return false;
}

static const char *const W_MINUTE[] = {"минут", "Минут", "minute", "Minute", NULL};
static const char *const W_HOUR[] = {"час", "Час", "hour", "Hour", NULL};
static const char *const W_MDAY[] = {"день месяца",  "День месяца",  "числ",         "Числ",
                                     "day of month", "day-of-month", "Day of month", NULL};
static const char *const W_MONTH[] = {"месяц", "Месяц", "month", "Month", NULL};
static const char *const W_WDAY[] = {"день недели", "День недели", "day of week", "day-of-week",
                                     "Day of week", "weekday",     NULL};

/* Asserts that cron_parse refuses `rule` with ERR_INVALID and a message; if
 * words is not NULL, the message names the field by one of them. */
static void assert_refused(const char *rule, const char *const *words)
{
    struct cron c;
    struct err e = {0};
    int rc = cron_parse(rule, &c, &e);
    if (rc != ERR_INVALID)
        fail_msg("cron_parse(\"%s\") = %d, expected ERR_INVALID (%d)", rule, rc, ERR_INVALID);
    if (e.msg[0] == '\0')
        fail_msg("cron_parse(\"%s\") refused without a message", rule);
    if (words && !mentions(e.msg, words))
        fail_msg("cron_parse(\"%s\"): the message \"%s\" does not name the field (%s…)", rule,
                 e.msg, words[0]);
}

/* ---- parsing: the five fields ---- */

static void star_in_every_field_sets_every_value_and_marks_both_day_fields_any(void **state)
{
    (void)state;
    struct cron c = parse_ok("* * * * *");
    assert_true(c.minutes == ALL_MINUTES);
    assert_int_equal(c.hours, ALL_HOURS);
    assert_int_equal(c.mdays, ALL_MDAYS);
    assert_int_equal(c.months, ALL_MONTHS);
    assert_int_equal(c.wdays, ALL_WDAYS);
    assert_true(c.mday_any);
    assert_true(c.wday_any);
}

static void single_values_set_one_bit_per_field(void **state)
{
    (void)state;
    struct cron c = parse_ok("5 10 26 11 4");
    assert_true(c.minutes == BIT(5));
    assert_int_equal(c.hours, BIT(10));
    assert_int_equal(c.mdays, BIT(26));
    assert_int_equal(c.months, BIT(11));
    assert_int_equal(c.wdays, BIT(4));
    assert_false(c.mday_any);
    assert_false(c.wday_any);
}

static void field_bounds_are_minute_0_59_hour_0_23_day_1_31_month_1_12(void **state)
{
    (void)state;
    struct cron lo = parse_ok("0 0 1 1 0");
    assert_true(lo.minutes == BIT(0));
    assert_int_equal(lo.hours, BIT(0));
    assert_int_equal(lo.mdays, BIT(1));
    assert_int_equal(lo.months, BIT(1));
    struct cron hi = parse_ok("59 23 31 12 6");
    assert_true(hi.minutes == BIT(59));
    assert_int_equal(hi.hours, BIT(23));
    assert_int_equal(hi.mdays, BIT(31));
    assert_int_equal(hi.months, BIT(12));
    assert_int_equal(hi.wdays, BIT(6));
}

static void lists_set_each_listed_value(void **state)
{
    (void)state;
    struct cron c = parse_ok("0,30 8,12,18 1,15 1,7 1,3,5");
    assert_true(c.minutes == (BIT(0) | BIT(30)));
    assert_int_equal(c.hours, BIT(8) | BIT(12) | BIT(18));
    assert_int_equal(c.mdays, BIT(1) | BIT(15));
    assert_int_equal(c.months, BIT(1) | BIT(7));
    assert_int_equal(c.wdays, BIT(1) | BIT(3) | BIT(5));
}

static void ranges_set_both_ends_and_everything_between(void **state)
{
    (void)state;
    struct cron c = parse_ok("10-12 9-17 1-5 3-5 1-5");
    assert_true(c.minutes == (BIT(10) | BIT(11) | BIT(12)));
    assert_int_equal(c.hours, 0x3FE00u); /* 9..17 */
    assert_int_equal(c.mdays, 0x3Eu);    /* 1..5 */
    assert_int_equal(c.months, BIT(3) | BIT(4) | BIT(5));
    assert_int_equal(c.wdays, 0x3Eu); /* mon..fri */
}

static void star_step_15_sets_minutes_0_15_30_45(void **state)
{
    (void)state;
    struct cron c = parse_ok("*/15 * * * *");
    assert_true(c.minutes == (BIT(0) | BIT(15) | BIT(30) | BIT(45)));
    assert_int_equal(c.hours, ALL_HOURS);
}

static void range_step_1_30_by_10_sets_1_11_21(void **state)
{
    (void)state;
    struct cron c = parse_ok("1-30/10 */6 */10 */3 *");
    assert_true(c.minutes == (BIT(1) | BIT(11) | BIT(21)));
    assert_int_equal(c.hours, BIT(0) | BIT(6) | BIT(12) | BIT(18));
    /* Days start at 1: 1, 11, 21, 31. Months start at 1: 1, 4, 7, 10. */
    assert_int_equal(c.mdays, BIT(1) | BIT(11) | BIT(21) | BIT(31));
    assert_int_equal(c.months, BIT(1) | BIT(4) | BIT(7) | BIT(10));
}

static void lists_may_mix_values_ranges_and_steps(void **state)
{
    (void)state;
    struct cron c = parse_ok("0,20-22,50-59/5 * * * *");
    assert_true(c.minutes == (BIT(0) | BIT(20) | BIT(21) | BIT(22) | BIT(50) | BIT(55)));
}

static void day_names_mon_to_sun_mean_weekdays_1_to_6_and_0(void **state)
{
    (void)state;
    static const char *names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    for (int w = 0; w < 7; w++) {
        char rule[32];
        snprintf(rule, sizeof rule, "0 10 * * %s", names[w]);
        struct cron c = parse_ok(rule);
        if (c.wdays != BIT(w))
            fail_msg("\"%s\": wdays = 0x%x, expected bit %d", rule, c.wdays, w);
        assert_false(c.wday_any);
        assert_true(c.mday_any);
    }
    struct cron l = parse_ok("0 10 * * mon,wed,fri");
    assert_int_equal(l.wdays, BIT(1) | BIT(3) | BIT(5));
    struct cron r = parse_ok("0 10 * * mon-fri");
    assert_int_equal(r.wdays, 0x3Eu);
}

static void day_of_week_7_is_sunday_like_0(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("0 0 * * 7").wdays, BIT(0));
    assert_int_equal(parse_ok("0 0 * * 0").wdays, BIT(0));
    assert_int_equal(parse_ok("0 0 * * 0,7").wdays, BIT(0));
    /* fri, sat, sun */
    assert_int_equal(parse_ok("0 0 * * 5-7").wdays, BIT(5) | BIT(6) | BIT(0));
}

static void only_a_star_day_field_counts_as_any(void **state)
{
    (void)state;
    struct cron a = parse_ok("0 0 13 * *");
    assert_false(a.mday_any);
    assert_true(a.wday_any);
    struct cron b = parse_ok("0 0 * * fri");
    assert_true(b.mday_any);
    assert_false(b.wday_any);
    struct cron both = parse_ok("0 0 13 * fri");
    assert_false(both.mday_any);
    assert_false(both.wday_any);
}

/* ---- parsing: shorthands ---- */

static void hourly_is_0_star_star_star_star(void **state)
{
    (void)state;
    struct cron c = parse_ok("hourly");
    assert_true(c.minutes == BIT(0));
    assert_int_equal(c.hours, ALL_HOURS);
    assert_int_equal(c.mdays, ALL_MDAYS);
    assert_int_equal(c.months, ALL_MONTHS);
    assert_int_equal(c.wdays, ALL_WDAYS);
    assert_true(c.mday_any);
    assert_true(c.wday_any);
}

static void daily_hh_mm_is_mm_hh_star_star_star(void **state)
{
    (void)state;
    struct cron c = parse_ok("daily 10:00");
    assert_true(c.minutes == BIT(0));
    assert_int_equal(c.hours, BIT(10));
    assert_int_equal(c.mdays, ALL_MDAYS);
    assert_int_equal(c.months, ALL_MONTHS);
    assert_int_equal(c.wdays, ALL_WDAYS);
    assert_true(c.mday_any);
    assert_true(c.wday_any);
    struct cron d = parse_ok("daily 09:05");
    assert_true(d.minutes == BIT(5));
    assert_int_equal(d.hours, BIT(9));
    struct cron e = parse_ok("daily 23:59");
    assert_true(e.minutes == BIT(59));
    assert_int_equal(e.hours, BIT(23));
    struct cron z = parse_ok("daily 00:00");
    assert_true(z.minutes == BIT(0));
    assert_int_equal(z.hours, BIT(0));
}

static void weekly_day_hh_mm_is_mm_hh_star_star_day(void **state)
{
    (void)state;
    struct cron c = parse_ok("weekly fri 10:00");
    assert_true(c.minutes == BIT(0));
    assert_int_equal(c.hours, BIT(10));
    assert_int_equal(c.mdays, ALL_MDAYS);
    assert_int_equal(c.months, ALL_MONTHS);
    assert_int_equal(c.wdays, BIT(5));
    assert_true(c.mday_any);
    assert_false(c.wday_any);
    assert_int_equal(parse_ok("weekly sun 07:30").wdays, BIT(0));
    assert_int_equal(parse_ok("weekly mon 07:30").wdays, BIT(1));
}

static void monthly_d_hh_mm_is_mm_hh_d_star_star(void **state)
{
    (void)state;
    struct cron c = parse_ok("monthly 26 09:00");
    assert_true(c.minutes == BIT(0));
    assert_int_equal(c.hours, BIT(9));
    assert_int_equal(c.mdays, BIT(26));
    assert_int_equal(c.months, ALL_MONTHS);
    assert_int_equal(c.wdays, ALL_WDAYS);
    assert_false(c.mday_any);
    assert_true(c.wday_any);
    assert_int_equal(parse_ok("monthly 1 00:00").mdays, BIT(1));
    assert_int_equal(parse_ok("monthly 31 09:00").mdays, BIT(31));
}

static void shorthand_equals_its_cron_expansion(void **state)
{
    (void)state;
    static const char *pairs[][2] = {
        {"hourly", "0 * * * *"},
        {"daily 10:00", "0 10 * * *"},
        {"daily 07:45", "45 7 * * *"},
        {"weekly fri 10:00", "0 10 * * 5"},
        {"weekly sun 23:15", "15 23 * * 0"},
        {"monthly 26 09:00", "0 9 26 * *"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        struct cron a = parse_ok(pairs[i][0]);
        struct cron b = parse_ok(pairs[i][1]);
        if (a.minutes != b.minutes || a.hours != b.hours || a.mdays != b.mdays ||
            a.months != b.months || a.wdays != b.wdays || a.mday_any != b.mday_any ||
            a.wday_any != b.wday_any)
            fail_msg("\"%s\" differs from \"%s\"", pairs[i][0], pairs[i][1]);
    }
}

/* ---- parsing: refusals ---- */

static void minute_60_is_refused_naming_the_minute(void **state)
{
    (void)state;
    assert_refused("60 * * * *", W_MINUTE);
    assert_refused("-1 * * * *", W_MINUTE);
    assert_refused("0-60 * * * *", W_MINUTE);
    assert_refused("daily 10:60", W_MINUTE);
}

static void hour_24_is_refused_naming_the_hour(void **state)
{
    (void)state;
    assert_refused("0 24 * * *", W_HOUR);
    assert_refused("daily 24:00", W_HOUR);
    assert_refused("daily 25:00", W_HOUR);
    assert_refused("weekly fri 24:00", W_HOUR);
    assert_refused("monthly 26 24:00", W_HOUR);
}

static void day_of_month_outside_1_31_is_refused_naming_the_day_of_month(void **state)
{
    (void)state;
    assert_refused("0 0 0 * *", W_MDAY);
    assert_refused("0 0 32 * *", W_MDAY);
    assert_refused("monthly 32 09:00", W_MDAY);
    assert_refused("monthly 0 09:00", W_MDAY);
}

static void month_outside_1_12_is_refused_naming_the_month(void **state)
{
    (void)state;
    assert_refused("0 0 * 0 *", W_MONTH);
    assert_refused("0 0 * 13 *", W_MONTH);
}

static void day_of_week_8_or_an_unknown_name_is_refused_naming_the_day_of_week(void **state)
{
    (void)state;
    assert_refused("0 0 * * 8", W_WDAY);
    assert_refused("0 0 * * fry", W_WDAY);
    assert_refused("weekly fry 10:00", W_WDAY);
    assert_refused("weekly 8 10:00", W_WDAY);
}

static void malformed_values_steps_and_ranges_are_refused(void **state)
{
    (void)state;
    assert_refused("*/0 * * * *", W_MINUTE);   /* step 0 */
    assert_refused("30-10 * * * *", W_MINUTE); /* reversed range */
    assert_refused("a * * * *", W_MINUTE);
    assert_refused("1,,2 * * * *", W_MINUTE); /* empty list items */
    assert_refused("5, * * * *", W_MINUTE);
    assert_refused(",5 * * * *", W_MINUTE);
    assert_refused("0 1- * * *", W_HOUR);
    assert_refused("0 */ * * *", W_HOUR);
}

static void words_that_are_no_rule_are_refused(void **state)
{
    (void)state;
    assert_refused("every fortnight", NULL);
    assert_refused("yearly", NULL);
    assert_refused("daily", NULL);
    assert_refused("daily 10", NULL);
    assert_refused("daily 10:00 extra", NULL);
    assert_refused("weekly 10:00", NULL);
    assert_refused("monthly 09:00", NULL);
    assert_refused("hourly 5", NULL);
}

static void too_few_or_too_many_fields_are_refused(void **state)
{
    (void)state;
    assert_refused("0 10 * *", NULL);
    assert_refused("0 10 *", NULL);
    assert_refused("0", NULL);
    assert_refused("0 10 * * * *", NULL);
    assert_refused("0 0 10 * * * 2026", NULL);
}

static void empty_rule_is_refused(void **state)
{
    (void)state;
    assert_refused("", NULL);
    assert_refused("   ", NULL);
}

/* ---- next slot ---- */

static void daily_10_moscow_after_06_59_59z_fires_at_07_00z_same_day(void **state)
{
    (void)state;
    /* 2026-11-23T06:59:59Z = 09:59:59 MSK → 2026-11-23T07:00:00Z = 10:00 MSK */
    assert_next("daily 10:00", MSK, 1795417199, 1795417200);
}

static void daily_10_moscow_after_exactly_07_00z_fires_the_next_day(void **state)
{
    (void)state;
    /* strictly after 2026-11-23T07:00:00Z → 2026-11-24T07:00:00Z */
    assert_next("daily 10:00", MSK, 1795417200, 1795503600);
}

static void daily_10_yekaterinburg_fires_at_05_00z(void **state)
{
    (void)state;
    /* 2026-11-23T04:59:59Z = 09:59:59 YEKT → 2026-11-23T05:00:00Z */
    assert_next("daily 10:00", YEKT, 1795409999, 1795410000);
    /* after 2026-11-23T06:59:59Z (11:59:59 YEKT) → 2026-11-24T05:00:00Z */
    assert_next("daily 10:00", YEKT, 1795417199, 1795496400);
}

static void weekly_fri_10_moscow_from_monday_fires_friday_07_00z(void **state)
{
    (void)state;
    /* Mon 2026-11-23T00:00:00Z → Fri 2026-11-27T07:00:00Z (10:00 MSK) */
    assert_next("weekly fri 10:00", MSK, 1795392000, 1795762800);
    /* the same from Monday 10:00 MSK */
    assert_next("weekly fri 10:00", MSK, 1795417200, 1795762800);
}

static void monthly_26_09_moscow_at_exactly_09_00_local_fires_next_month(void **state)
{
    (void)state;
    /* after 2026-11-26T06:00:00Z (09:00 MSK exactly) → 2026-12-26T06:00:00Z */
    assert_next("monthly 26 09:00", MSK, 1795672800, 1798264800);
}

static void monthly_26_09_moscow_one_second_before_fires_the_same_day(void **state)
{
    (void)state;
    /* after 2026-11-26T05:59:59Z → 2026-11-26T06:00:00Z */
    assert_next("monthly 26 09:00", MSK, 1795672799, 1795672800);
}

static void monthly_31_skips_months_of_30_days(void **state)
{
    (void)state;
    /* after 2026-11-01T00:00:00Z: November has 30 days → 2026-12-31T06:00:00Z */
    assert_next("monthly 31 09:00", MSK, 1793491200, 1798696800);
    /* after 2026-03-31T06:00:00Z: April has 30 days → 2026-05-31T06:00:00Z */
    assert_next("monthly 31 09:00", MSK, 1774936800, 1780207200);
}

static void feb_29_fires_only_in_leap_years(void **state)
{
    (void)state;
    /* after 2026-01-01T00:00:00Z → 2028-02-29 00:00 MSK = 2028-02-28T21:00:00Z */
    assert_next("0 0 29 2 *", MSK, 1767225600, 1835384400);
    /* after that → 2032-02-29 00:00 MSK = 2032-02-28T21:00:00Z */
    assert_next("0 0 29 2 *", MSK, 1835384400, 1961614800);
}

static void a_rule_that_never_fires_is_not_found(void **state)
{
    (void)state;
    struct cron c = parse_ok("0 0 31 2 *"); /* 31 February */
    struct err e = {0};
    int64_t slot = 12345;
    assert_int_equal(cron_next(&c, MSK, 1767225600, &slot, &e), ERR_NOTFOUND);
    struct err e2 = {0};
    assert_int_equal(cron_prev(&c, MSK, 1767225600, &slot, &e2), ERR_NOTFOUND);
    struct cron d = parse_ok("0 0 30 2 *"); /* 30 February */
    assert_int_equal(cron_next(&d, MSK, 1767225600, &slot, &e), ERR_NOTFOUND);
}

static void hourly_crosses_the_day_boundary(void **state)
{
    (void)state;
    /* 2026-11-23T20:30:00Z = 23:30 MSK → 2026-11-23T21:00:00Z = 00:00 MSK 24 Nov */
    assert_next("hourly", MSK, 1795465800, 1795467600);
    const int64_t want[] = {1795467600, 1795467600 + 3600, 1795467600 + 7200};
    assert_sequence("hourly", MSK, 1795465800, want, 3);
}

static void every_15_minutes_fires_on_the_quarter_hours(void **state)
{
    (void)state;
    /* after 2026-11-23T07:00:00Z → 07:15, 07:30, 07:45, 08:00 */
    const int64_t want[] = {1795417200 + 900, 1795417200 + 1800, 1795417200 + 2700,
                            1795417200 + 3600};
    assert_sequence("*/15 * * * *", MSK, 1795417200, want, 4);
}

static void day_of_month_or_day_of_week_fires_when_both_are_restricted(void **state)
{
    (void)state;
    /* "0 0 13 * fri" in Moscow after Mon 2026-11-23 00:00Z: Fridays 27 Nov, 4 Dec,
     * 11 Dec, then Sunday 13 Dec (the 13th), then Friday 18 Dec — midnight MSK,
     * i.e. 21:00Z the day before. */
    const int64_t want[] = {1795726800, 1796331600, 1796936400, 1797109200, 1797541200};
    assert_sequence("0 0 13 * fri", MSK, 1795392000, want, 5);
}

static void a_star_day_of_week_leaves_only_the_day_of_month(void **state)
{
    (void)state;
    /* "0 0 13 * *" after 2026-11-23 → only 13 Dec 00:00 MSK = 2026-12-12T21:00:00Z */
    assert_next("0 0 13 * *", MSK, 1795392000, 1797109200);
    /* "0 0 * * fri" → Friday 27 Nov 00:00 MSK */
    assert_next("0 0 * * fri", MSK, 1795392000, 1795726800);
}

/* ---- daylight saving (Europe/Berlin, 2026: CET→CEST 29 Mar 01:00Z, CEST→CET 25 Oct 01:00Z) */

static void
a_local_time_skipped_by_spring_forward_fires_at_the_first_instant_after_the_gap(void **state)
{
    (void)state;
    /* 29 Mar 2026: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist.
     * after 2026-03-28T01:30:00Z (02:30 CET on the 28th) → 2026-03-29T01:00:00Z (03:00 CEST) */
    assert_next("30 2 * * *", BERLIN, 1774661400, 1774746000);
    /* and then 2026-03-30T00:30:00Z (02:30 CEST) */
    assert_next("30 2 * * *", BERLIN, 1774746000, 1774830600);
}

static void slots_in_and_after_the_spring_gap_are_distinct_instants(void **state)
{
    (void)state;
    /* "30 2,3": 02:30 (skipped → 03:00 CEST = 01:00Z), then 03:30 CEST = 01:30Z */
    const int64_t want[] = {1774746000, 1774747800, 1774830600};
    assert_sequence("30 2,3 * * *", BERLIN, 1774661400 + 3600, want, 3);
}

static void two_skipped_local_times_fire_once_after_the_gap(void **state)
{
    (void)state;
    /* "0,30 2": both 02:00 and 02:30 are skipped; one firing at 01:00Z, then 02:00 CEST
     * on the 30th = 2026-03-30T00:00:00Z */
    const int64_t want[] = {1774746000, 1774828800};
    assert_sequence("0,30 2 * * *", BERLIN, 1774661400 + 3600, want, 2);
}

static void hourly_on_spring_forward_day_fires_once_for_the_missing_hour(void **state)
{
    (void)state;
    /* after 2026-03-29T00:00:00Z (01:00 CET): 02:00 does not exist → 03:00 CEST (01:00Z),
     * which is also 03:00's slot; next 04:00 CEST (02:00Z) */
    const int64_t want[] = {1774746000, 1774749600};
    assert_sequence("hourly", BERLIN, 1774742400, want, 2);
}

static void a_local_time_repeated_by_fall_back_fires_once_at_its_first_occurrence(void **state)
{
    (void)state;
    /* 25 Oct 2026: 03:00 CEST goes back to 02:00 CET; 02:30 occurs at 00:30Z and 01:30Z.
     * after 2026-10-24T23:00:00Z → 2026-10-25T00:30:00Z (02:30 CEST) */
    assert_next("30 2 * * *", BERLIN, 1792882800, 1792888200);
    /* after it: the next day's 02:30 CET (2026-10-26T01:30:00Z), not 01:30Z the same day */
    assert_next("30 2 * * *", BERLIN, 1792888200, 1792978200);
    /* even from between the two occurrences */
    assert_next("30 2 * * *", BERLIN, 1792888200 + 60, 1792978200);
}

static void hourly_on_fall_back_day_fires_the_repeated_hour_once(void **state)
{
    (void)state;
    /* after 2026-10-25T00:00:00Z (02:00 CEST): 02:00 CET (01:00Z) is the second
     * occurrence of 02:00 → next is 03:00 CET = 02:00Z */
    assert_next("hourly", BERLIN, 1792886400, 1792893600);
}

/* ---- previous slot ---- */

static void prev_includes_a_slot_exactly_at_the_time(void **state)
{
    (void)state;
    /* at 2026-11-23T07:00:00Z exactly → itself */
    assert_prev("daily 10:00", MSK, 1795417200, 1795417200);
}

static void prev_one_second_before_a_slot_is_the_slot_before(void **state)
{
    (void)state;
    /* at 2026-11-23T06:59:59Z → 2026-11-22T07:00:00Z */
    assert_prev("daily 10:00", MSK, 1795417199, 1795330800);
    /* Yekaterinburg: at 04:59:59Z → 2026-11-22T05:00:00Z */
    assert_prev("daily 10:00", YEKT, 1795409999, 1795410000 - 86400);
}

static void prev_of_hourly_is_the_start_of_the_hour(void **state)
{
    (void)state;
    /* at 2026-11-23T20:30:00Z → 20:00:00Z; at 21:00:00Z → itself */
    assert_prev("hourly", MSK, 1795465800, 1795465800 - 1800);
    assert_prev("hourly", MSK, 1795467600, 1795467600);
}

static void prev_goes_back_across_months_and_leap_years(void **state)
{
    (void)state;
    /* monthly 26 09:00 at 2026-12-26T05:59:59Z → 2026-11-26T06:00:00Z */
    assert_prev("monthly 26 09:00", MSK, 1798264799, 1795672800);
    /* monthly 31 at 2026-12-31T05:59:59Z → 2026-10-31 09:00 MSK = 06:00:00Z */
    assert_prev("monthly 31 09:00", MSK, 1798696799, 1798696800 - 61 * 86400);
    /* 29 Feb at 2032-02-28T20:59:59Z → 2028-02-28T21:00:00Z */
    assert_prev("0 0 29 2 *", MSK, 1961614799, 1835384400);
}

static void prev_and_next_agree_across_daylight_saving(void **state)
{
    (void)state;
    /* the skipped 02:30 on 29 Mar is 01:00Z, looked at from either side */
    assert_prev("30 2 * * *", BERLIN, 1774746000, 1774746000);
    assert_prev("30 2 * * *", BERLIN, 1774746000 + 1800, 1774746000);
    assert_prev("30 2 * * *", BERLIN, 1774746000 - 1, 1774661400);
    /* the repeated 02:30 on 25 Oct is only its first occurrence (00:30Z) */
    assert_prev("30 2 * * *", BERLIN, 1792891800, 1792888200);
    assert_prev("30 2 * * *", BERLIN, 1792888200, 1792888200);
}

static void next_and_prev_are_consistent_over_a_year_of_a_daily_rule(void **state)
{
    (void)state;
    /* For each slot s of "daily 10:00" in Berlin over 2026: prev(s) = s,
     * prev(s - 1) = the slot before, next(prev slot) = s. */
    struct cron c = parse_ok("daily 10:00");
    int64_t t = 1767225600; /* 2026-01-01T00:00:00Z */
    int64_t before = -1;
    for (int i = 0; i < 365; i++) {
        struct err e = {0};
        int64_t s = 0, p = 0;
        assert_int_equal(cron_next(&c, BERLIN, t, &s, &e), 0);
        assert_true(s > t);
        assert_int_equal(cron_prev(&c, BERLIN, s, &p, &e), 0);
        assert_int_equal(p, s);
        if (before >= 0) {
            assert_int_equal(cron_prev(&c, BERLIN, s - 1, &p, &e), 0);
            assert_int_equal(p, before);
            /* 10:00 local is 09:00Z in winter, 08:00Z in summer */
            int64_t gap = s - before;
            assert_true(gap == 86400 || gap == 82800 || gap == 90000);
        }
        before = s;
        t = s;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(star_in_every_field_sets_every_value_and_marks_both_day_fields_any),
        cmocka_unit_test(single_values_set_one_bit_per_field),
        cmocka_unit_test(field_bounds_are_minute_0_59_hour_0_23_day_1_31_month_1_12),
        cmocka_unit_test(lists_set_each_listed_value),
        cmocka_unit_test(ranges_set_both_ends_and_everything_between),
        cmocka_unit_test(star_step_15_sets_minutes_0_15_30_45),
        cmocka_unit_test(range_step_1_30_by_10_sets_1_11_21),
        cmocka_unit_test(lists_may_mix_values_ranges_and_steps),
        cmocka_unit_test(day_names_mon_to_sun_mean_weekdays_1_to_6_and_0),
        cmocka_unit_test(day_of_week_7_is_sunday_like_0),
        cmocka_unit_test(only_a_star_day_field_counts_as_any),
        cmocka_unit_test(hourly_is_0_star_star_star_star),
        cmocka_unit_test(daily_hh_mm_is_mm_hh_star_star_star),
        cmocka_unit_test(weekly_day_hh_mm_is_mm_hh_star_star_day),
        cmocka_unit_test(monthly_d_hh_mm_is_mm_hh_d_star_star),
        cmocka_unit_test(shorthand_equals_its_cron_expansion),
        cmocka_unit_test(minute_60_is_refused_naming_the_minute),
        cmocka_unit_test(hour_24_is_refused_naming_the_hour),
        cmocka_unit_test(day_of_month_outside_1_31_is_refused_naming_the_day_of_month),
        cmocka_unit_test(month_outside_1_12_is_refused_naming_the_month),
        cmocka_unit_test(day_of_week_8_or_an_unknown_name_is_refused_naming_the_day_of_week),
        cmocka_unit_test(malformed_values_steps_and_ranges_are_refused),
        cmocka_unit_test(words_that_are_no_rule_are_refused),
        cmocka_unit_test(too_few_or_too_many_fields_are_refused),
        cmocka_unit_test(empty_rule_is_refused),
        cmocka_unit_test(daily_10_moscow_after_06_59_59z_fires_at_07_00z_same_day),
        cmocka_unit_test(daily_10_moscow_after_exactly_07_00z_fires_the_next_day),
        cmocka_unit_test(daily_10_yekaterinburg_fires_at_05_00z),
        cmocka_unit_test(weekly_fri_10_moscow_from_monday_fires_friday_07_00z),
        cmocka_unit_test(monthly_26_09_moscow_at_exactly_09_00_local_fires_next_month),
        cmocka_unit_test(monthly_26_09_moscow_one_second_before_fires_the_same_day),
        cmocka_unit_test(monthly_31_skips_months_of_30_days),
        cmocka_unit_test(feb_29_fires_only_in_leap_years),
        cmocka_unit_test(a_rule_that_never_fires_is_not_found),
        cmocka_unit_test(hourly_crosses_the_day_boundary),
        cmocka_unit_test(every_15_minutes_fires_on_the_quarter_hours),
        cmocka_unit_test(day_of_month_or_day_of_week_fires_when_both_are_restricted),
        cmocka_unit_test(a_star_day_of_week_leaves_only_the_day_of_month),
        cmocka_unit_test(
            a_local_time_skipped_by_spring_forward_fires_at_the_first_instant_after_the_gap),
        cmocka_unit_test(slots_in_and_after_the_spring_gap_are_distinct_instants),
        cmocka_unit_test(two_skipped_local_times_fire_once_after_the_gap),
        cmocka_unit_test(hourly_on_spring_forward_day_fires_once_for_the_missing_hour),
        cmocka_unit_test(a_local_time_repeated_by_fall_back_fires_once_at_its_first_occurrence),
        cmocka_unit_test(hourly_on_fall_back_day_fires_the_repeated_hour_once),
        cmocka_unit_test(prev_includes_a_slot_exactly_at_the_time),
        cmocka_unit_test(prev_one_second_before_a_slot_is_the_slot_before),
        cmocka_unit_test(prev_of_hourly_is_the_start_of_the_hour),
        cmocka_unit_test(prev_goes_back_across_months_and_leap_years),
        cmocka_unit_test(prev_and_next_agree_across_daylight_saving),
        cmocka_unit_test(next_and_prev_are_consistent_over_a_year_of_a_daily_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
