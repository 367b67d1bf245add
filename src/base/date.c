/* date.c — civil calendar arithmetic (after Howard Hinnant, "chrono-Compatible
 * Low-Level Date Algorithms") and time zones through ICU.
 *
 * Thread safety: no shared state of our own; each time-zone call opens a
 * private UCalendar and closes it before returning. ICU itself is thread-safe
 * for distinct objects. ICU is used only for zone offsets at an instant; the
 * calendar arithmetic is ours, so both halves agree on the proleptic Gregorian
 * calendar (an ICU calendar would switch to Julian before 1582). */
#include "base/date.h"

#include <string.h>
#include <unicode/ucal.h>
#include <unicode/ustring.h>

#include "base/err.h"

static int fail(const char **why, const char *msg)
{
    if (why)
        *why = msg;
    return ERR_INVALID;
}

bool date_is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_last_day_of_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return ERR_INVALID;
    return m == 2 && date_is_leap(y) ? 29 : days[m - 1];
}

bool date_valid(struct date dt)
{
    return dt.y >= 1 && dt.y <= 9999 && dt.m >= 1 && dt.m <= 12 && dt.d >= 1 &&
           dt.d <= date_last_day_of_month(dt.y, dt.m);
}

/* Years are counted from March, so the leap day is the last day of a year; a
 * 400-year era has exactly 146097 days; 719468 days lie between 0000-03-01
 * and 1970-01-01. */
int64_t date_days_from_civil(struct date dt)
{
    int64_t y = (int64_t)dt.y - (dt.m <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                               /* [0, 399] */
    int64_t doy = (153 * (dt.m > 2 ? dt.m - 3 : dt.m + 9) + 2) / 5 + dt.d - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                       /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

struct date date_civil_from_days(int64_t days)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11], 0 = March */
    struct date dt;
    dt.d = (int)(doy - (153 * mp + 2) / 5 + 1);
    dt.m = (int)(mp < 10 ? mp + 3 : mp - 9);
    dt.y = (int)(yoe + era * 400 + (dt.m <= 2));
    return dt;
}

/* Value of n digits at s, or -1 if any is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int date_parse(const char *s, struct date *out, const char **why)
{
    static const char *bad = "Дата: ожидается формат ГГГГ-ММ-ДД";
    if (!s || !*s)
        return fail(why, "Дата: не указана");
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return fail(why, bad);
    struct date dt = {digits(s, 4), digits(s + 5, 2), digits(s + 8, 2)};
    if (dt.y < 0 || dt.m < 0 || dt.d < 0)
        return fail(why, bad);
    if (!date_valid(dt))
        return fail(why, "Дата: такой даты не существует");
    *out = dt;
    return 0;
}

/* Writes v (0 <= v < 10^n) as exactly n digits, zero-padded. */
static void put_digits(char *p, int v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
}

int date_format(struct date dt, char out[DATE_STR_SIZE])
{
    out[0] = '\0';
    if (!date_valid(dt))
        return ERR_INVALID;
    put_digits(out, dt.y, 4);
    out[4] = '-';
    put_digits(out + 5, dt.m, 2);
    out[7] = '-';
    put_digits(out + 8, dt.d, 2);
    out[10] = '\0';
    return 0;
}

int date_add_days(struct date dt, int64_t n, struct date *out)
{
    /* Day numbers of 0001-01-01 and 9999-12-31. */
    const int64_t lo = -719162, hi = 2932896;
    if (!date_valid(dt) || n < lo - hi || n > hi - lo)
        return ERR_INVALID;
    int64_t z = date_days_from_civil(dt) + n;
    if (z < lo || z > hi)
        return ERR_INVALID;
    *out = date_civil_from_days(z);
    return 0;
}

int date_period(int y, int m)
{
    return y * 12 + m - 1;
}

/* Floor division, so that negative periods still map to months 1..12. */
int date_period_year(int period)
{
    return period >= 0 ? period / 12 : -((11 - period) / 12);
}

int date_period_month(int period)
{
    return period - date_period_year(period) * 12 + 1;
}

static bool period_in_range(int64_t p)
{
    return p >= 1 * 12 && p <= 9999 * 12 + 11;
}

int date_period_parse(const char *s, int *out, const char **why)
{
    static const char *bad = "Период: ожидается формат ГГГГ-ММ";
    if (!s || !*s)
        return fail(why, "Период: не указан");
    if (strlen(s) != 7 || s[4] != '-')
        return fail(why, bad);
    int y = digits(s, 4), m = digits(s + 5, 2);
    if (y < 1 || m < 1 || m > 12)
        return fail(why, bad);
    *out = date_period(y, m);
    return 0;
}

int date_period_format(int period, char out[PERIOD_STR_SIZE])
{
    out[0] = '\0';
    if (!period_in_range(period))
        return ERR_INVALID;
    put_digits(out, date_period_year(period), 4);
    out[4] = '-';
    put_digits(out + 5, date_period_month(period), 2);
    out[7] = '\0';
    return 0;
}

int date_period_name_ru(int period, char out[PERIOD_NAME_SIZE])
{
    static const char *const months[12] = {"январь",   "февраль", "март",   "апрель",
                                           "май",      "июнь",    "июль",   "август",
                                           "сентябрь", "октябрь", "ноябрь", "декабрь"};
    out[0] = '\0';
    if (!period_in_range(period))
        return ERR_INVALID;
    size_t n = strlen(months[date_period_month(period) - 1]);
    memcpy(out, months[date_period_month(period) - 1], n);
    out[n] = ' ';
    put_digits(out + n + 1, date_period_year(period), 4);
    out[n + 5] = '\0';
    return 0;
}

int date_period_add_months(int period, int n, int *out)
{
    int64_t p = (int64_t)period + n;
    if (!period_in_range(period) || !period_in_range(p))
        return ERR_INVALID;
    *out = (int)p;
    return 0;
}

struct date date_period_first_day(int period)
{
    struct date dt = {date_period_year(period), date_period_month(period), 1};
    return dt;
}

struct date date_period_last_day(int period)
{
    struct date dt = date_period_first_day(period);
    dt.d = date_last_day_of_month(dt.y, dt.m);
    return dt;
}

/* ---- Time zones ------------------------------------------------------- */

#define TZ_ID_CAP 64

/* Copies an IANA name to UTF-16; -1 unless it is 1..63 characters of
 * [A-Za-z0-9/_+-] (every IANA name is; this also keeps ICU's invariant-character
 * conversion defined). */
static int tz_uchars(const char *iana, UChar id[TZ_ID_CAP])
{
    if (!iana)
        return -1;
    size_t n = strlen(iana);
    if (n == 0 || n >= TZ_ID_CAP)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char c = iana[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '/' || c == '_' || c == '+' || c == '-';
        if (!ok)
            return -1;
    }
    u_charsToUChars(iana, id, (int32_t)n);
    id[n] = 0;
    return (int)n;
}

/* ucal_open silently falls back to GMT for an unknown zone, so a zone is
 * accepted only when ICU canonicalizes it as a system (tzdata) ID. */
bool date_tz_valid(const char *iana)
{
    UChar id[TZ_ID_CAP], canon[TZ_ID_CAP];
    int n = tz_uchars(iana, id);
    if (n < 0)
        return false;
    UBool system = 0;
    UErrorCode st = U_ZERO_ERROR;
    ucal_getCanonicalTimeZoneID(id, n, canon, TZ_ID_CAP, &system, &st);
    if (U_FAILURE(st) || !system)
        return false;
    /* "Etc/Unknown" is ICU's own name for "no zone", not a real one. */
    return strcmp(iana, "Etc/Unknown") != 0;
}

/* A private calendar in a valid zone, or NULL. Caller closes it. */
static UCalendar *tz_open(const char *tz)
{
    UChar id[TZ_ID_CAP];
    if (!date_tz_valid(tz))
        return NULL;
    int n = tz_uchars(tz, id);
    UErrorCode st = U_ZERO_ERROR;
    UCalendar *cal = ucal_open(id, n, "en_US_POSIX", UCAL_GREGORIAN, &st);
    if (U_FAILURE(st)) {
        if (cal)
            ucal_close(cal);
        return NULL;
    }
    return cal;
}

/* Seconds of 0001-01-01T00:00:00 and 9999-12-31T23:59:59 since the epoch. */
#define UNIX_MIN (-719162LL * 86400)
#define UNIX_MAX (2932896LL * 86400 + 86399)

int date_utc_to_local(const char *tz, int64_t unix_seconds, struct date_local *out)
{
    if (unix_seconds < UNIX_MIN || unix_seconds > UNIX_MAX)
        return ERR_INVALID;
    UCalendar *cal = tz_open(tz);
    if (!cal)
        return ERR_INVALID;
    UErrorCode st = U_ZERO_ERROR;
    /* UDate is milliseconds in a double: exact for every second in range. */
    ucal_setMillis(cal, (UDate)unix_seconds * 1000.0, &st);
    int32_t zone_ms = ucal_get(cal, UCAL_ZONE_OFFSET, &st);
    int32_t dst_ms = ucal_get(cal, UCAL_DST_OFFSET, &st);
    ucal_close(cal);
    if (U_FAILURE(st))
        return ERR_INVALID;

    int32_t offset = (zone_ms + dst_ms) / 1000; /* tzdata offsets are whole seconds */
    int64_t local = unix_seconds + offset;
    int64_t days = local >= 0 ? local / 86400 : -((86399 - local) / 86400);
    int64_t sod = local - days * 86400;
    struct date dt = date_civil_from_days(days);
    if (!date_valid(dt))
        return ERR_INVALID;
    out->y = dt.y;
    out->m = dt.m;
    out->d = dt.d;
    out->h = (int)(sod / 3600);
    out->min = (int)(sod / 60 % 60);
    out->s = (int)(sod % 60);
    out->utc_offset = offset;
    return 0;
}

int date_local_to_utc(const char *tz, int y, int m, int d, int h, int min, int s, int64_t *out)
{
    struct date dt = {y, m, d};
    if (!date_valid(dt) || h < 0 || h > 23 || min < 0 || min > 59 || s < 0 || s > 59)
        return ERR_INVALID;
    UCalendar *cal = tz_open(tz);
    if (!cal)
        return ERR_INVALID;
    int64_t local = date_days_from_civil(dt) * 86400 + h * 3600 + min * 60 + s;
    int32_t raw_ms = 0, dst_ms = 0;
    UErrorCode st = U_ZERO_ERROR;
    /* ucal_getTimeZoneOffsetFromLocal reads the calendar's time as local
     * milliseconds. FORMER/FORMER: a skipped time takes the offset before the
     * transition; a repeated time is its first occurrence. */
    ucal_setMillis(cal, (UDate)local * 1000.0, &st);
    ucal_getTimeZoneOffsetFromLocal(cal, UCAL_TZ_LOCAL_FORMER, UCAL_TZ_LOCAL_FORMER, &raw_ms,
                                    &dst_ms, &st);
    ucal_close(cal);
    if (U_FAILURE(st))
        return ERR_INVALID;
    *out = local - (raw_ms + dst_ms) / 1000;
    return 0;
}
