/* date.h — calendar arithmetic and time zones.
 *
 * Civil dates (no time zone) in the proleptic Gregorian calendar: validation,
 * "YYYY-MM-DD" text, day numbers (days since 1970-01-01), billing periods
 * (year·12 + month − 1, text "YYYY-MM"). Text and validation cover years
 * 0001–9999.
 *
 * Time zones by IANA name through ICU's C API, never through setenv("TZ")
 * (PITFALLS.md "Time zones"). Every call opens and closes its own ICU calendar,
 * so all functions are thread-safe. Errors are ERR_INVALID (unknown zone, bad
 * field, out of range, or an ICU failure). */
#ifndef UPRAVDOM_DATE_H
#define UPRAVDOM_DATE_H

#include <stdbool.h>
#include <stdint.h>

#define DATE_STR_SIZE 11  /* "YYYY-MM-DD" + NUL */
#define PERIOD_STR_SIZE 8 /* "YYYY-MM" + NUL */

/* A civil date. */
struct date {
    int y; /* year, 1..9999 for text */
    int m; /* month, 1..12 */
    int d; /* day of month, 1..last */
};

/* Local wall-clock time in some zone, with that zone's offset at the time. */
struct date_local {
    int y, m, d;        /* civil date */
    int h, min, s;      /* 0..23, 0..59, 0..59 */
    int32_t utc_offset; /* seconds east of UTC, daylight saving included */
};

/* True in Gregorian leap years (2000 yes, 1900 no). */
bool date_is_leap(int y);

/* Days in month m of year y (28..31), or ERR_INVALID for a month outside 1..12. */
int date_last_day_of_month(int y, int m);

/* True when dt is a real date with year 1..9999. */
bool date_valid(struct date dt);

/* Day number of a valid date: days since 1970-01-01 (negative before it). */
int64_t date_days_from_civil(struct date dt);

/* The date of a day number; the inverse of date_days_from_civil. Defined for
 * |days| <= 10^9 (about ±2.7 million years); a struct date is valid only for
 * years 1..9999. */
struct date date_civil_from_days(int64_t days);

/* Parses exactly "YYYY-MM-DD" into a valid date. Returns 0, or ERR_INVALID with
 * *why (if not NULL) set to a Russian message; *out is untouched then. */
int date_parse(const char *s, struct date *out, const char **why);

/* Writes "YYYY-MM-DD". Returns 0, or ERR_INVALID (out = "") for an invalid date. */
int date_format(struct date dt, char out[DATE_STR_SIZE]);

/* *out = dt + n days (n may be negative). ERR_INVALID when dt is invalid or
 * the result leaves years 1..9999. */
int date_add_days(struct date dt, int64_t n, struct date *out);

/* Billing period of year y, month m (1..12): y·12 + m − 1. */
int date_period(int y, int m);

/* Year and month (1..12) of a period. */
int date_period_year(int period);
int date_period_month(int period);

/* Parses exactly "YYYY-MM" (year 0001–9999) into a period. Returns 0, or
 * ERR_INVALID with *why (if not NULL) set to a Russian message. */
int date_period_parse(const char *s, int *out, const char **why);

/* Writes "YYYY-MM". Returns 0, or ERR_INVALID (out = "") outside years 1..9999. */
int date_period_format(int period, char out[PERIOD_STR_SIZE]);

/* Bytes (with the NUL) that fit any date_period_name_ru: "сентябрь 9999". */
#define PERIOD_NAME_SIZE 24

/* The period's name as a Russian document writes it: the month in the
 * nominative, lower case, and the year — "октябрь 2026". Returns 0, or
 * ERR_INVALID (out = "") outside years 1..9999. */
int date_period_name_ru(int period, char out[PERIOD_NAME_SIZE]);

/* *out = period + n months (n may be negative); ERR_INVALID when the result
 * leaves years 1..9999. */
int date_period_add_months(int period, int n, int *out);

/* First and last day of a period. */
struct date date_period_first_day(int period);
struct date date_period_last_day(int period);

/* True when iana is a zone ICU knows by that system ID ("Europe/Moscow"); false
 * for unknown names ("Mars/Olympus"), custom offsets ("GMT+03:00") and NULL. */
bool date_tz_valid(const char *iana);

/* Local time in zone tz at the instant unix_seconds (years 1..9999), using the
 * zone's full history (Moscow was UTC+4 in 2010). Returns 0 or ERR_INVALID. */
int date_utc_to_local(const char *tz, int64_t unix_seconds, struct date_local *out);

/* The instant of a local wall-clock time in zone tz. A time skipped by a
 * forward transition is read with the offset in force before it (so it lands
 * after the gap); a time repeated by a backward transition means its first
 * occurrence. Returns 0, or ERR_INVALID for a bad zone or field. */
int date_local_to_utc(const char *tz, int y, int m, int d, int h, int min, int s, int64_t *out);

#endif
