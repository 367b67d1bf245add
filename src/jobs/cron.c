/* cron.c — cron rules and their slots in a time zone. A slot is a local
 * wall-clock minute the rule names, turned into a UTC instant by ICU. Slots
 * are searched day by day (at most 5 years), so a rule that never fires is
 * found out rather than looped on. */
#include "jobs/cron.h"

#include "base/date.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SEARCH_DAYS (5 * 366)

static const char *const wday_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                          "jul", "aug", "sep", "oct", "nov", "dec"};

struct field {
    const char *name;         /* for messages */
    int min, max;             /* allowed values */
    const char *const *names; /* symbolic values, names[0] = min, or NULL */
};

static const struct field fields[5] = {
    {"minute", 0, 59, NULL},           {"hour", 0, 23, NULL},
    {"day of month", 1, 31, NULL},     {"month", 1, 12, month_names},
    {"day of week", 0, 7, wday_names},
};

/* Reads a number or a name at *s; advances *s. */
static int read_value(const struct field *f, const char **s, int *out)
{
    if (isdigit((unsigned char)**s)) {
        char *end;
        long v = strtol(*s, &end, 10);
        if (end - *s > 2)
            return -1;
        *s = end;
        *out = (int)v;
        return v < f->min || v > f->max ? -1 : 0;
    }
    for (int i = 0; f->names && i < (f->max == 7 ? 7 : 12); i++)
        if (strncasecmp(*s, f->names[i], 3) == 0 && !isalpha((unsigned char)(*s)[3])) {
            *s += 3;
            *out = f->min + i;
            return 0;
        }
    return -1;
}

/* One comma-separated item: "*", "*\/N", "A", "A-B", "A-B\/N" or "A\/N". */
static int parse_item(const struct field *f, const char *s, uint64_t *bits)
{
    int lo = f->min, hi = f->max, step = 1;
    if (*s == '*') {
        s++;
    } else {
        if (read_value(f, &s, &lo))
            return -1;
        hi = lo;
        if (*s == '-') {
            s++;
            if (read_value(f, &s, &hi) || hi < lo)
                return -1;
        }
    }
    if (*s == '/') {
        char *end;
        step = (int)strtol(s + 1, &end, 10);
        if (end == s + 1 || step < 1 || step > f->max)
            return -1;
        if (hi == lo && s[-1] != '*')
            hi = f->max; /* "A/N": from A to the end */
        s = end;
    }
    if (*s)
        return -1;
    for (int v = lo; v <= hi; v += step)
        *bits |= 1ull << v;
    return 0;
}

static int parse_field(const struct field *f, const char *text, uint64_t *bits, bool *any,
                       struct err *e)
{
    char buf[128];
    *bits = 0;
    *any = strcmp(text, "*") == 0;
    if (strlen(text) >= sizeof buf)
        return err_field(e, ERR_INVALID, "rule", "%s: too long", f->name);
    snprintf(buf, sizeof buf, "%s", text);
    /* strsep, unlike strtok, yields the empty items of "1,,2" so they are refused. */
    for (char *rest = buf, *item; (item = strsep(&rest, ",")) != NULL;)
        if (!*item || parse_item(f, item, bits))
            return err_field(e, ERR_INVALID, "rule", "%s: bad value '%s' (allowed %d-%d)", f->name,
                             item, f->min, f->max);
    return *bits ? 0 : err_field(e, ERR_INVALID, "rule", "%s: empty", f->name);
}

/* "daily 10:00" and friends as a five-field rule; returns 0, or -1 if rule is
 * not a shorthand. */
static int expand(const char *rule, char *out, size_t size)
{
    char day[8];
    int h, m, d, n = 0;
    if (strcmp(rule, "hourly") == 0)
        return snprintf(out, size, "0 * * * *"), 0;
    if (sscanf(rule, "daily %2d:%2d%n", &h, &m, &n) == 2 && !rule[n])
        return snprintf(out, size, "%d %d * * *", m, h), 0;
    if (sscanf(rule, "weekly %3s %2d:%2d%n", day, &h, &m, &n) == 3 && !rule[n])
        return snprintf(out, size, "%d %d * * %s", m, h, day), 0;
    if (sscanf(rule, "monthly %2d %2d:%2d%n", &d, &h, &m, &n) == 3 && !rule[n])
        return snprintf(out, size, "%d %d %d * *", m, h, d), 0;
    return -1;
}

int cron_parse(const char *rule, struct cron *out, struct err *e)
{
    char text[256], *part[6];
    int n = 0;
    if (!rule || strlen(rule) >= sizeof text)
        return err_field(e, ERR_INVALID, "rule", "empty or too long");
    if (expand(rule, text, sizeof text))
        snprintf(text, sizeof text, "%s", rule);
    for (char *save = NULL, *tok = strtok_r(text, " \t", &save); tok && n < 6;
         tok = strtok_r(NULL, " \t", &save))
        part[n++] = tok;
    if (n != 5)
        return err_field(e, ERR_INVALID, "rule",
                         "expected five fields (minute hour day month weekday) or hourly, "
                         "daily HH:MM, weekly DAY HH:MM, monthly D HH:MM");
    uint64_t bits[5];
    bool any[5];
    for (int i = 0; i < 5; i++)
        if (parse_field(&fields[i], part[i], &bits[i], &any[i], e))
            return ERR_INVALID;
    if (bits[4] & (1u << 7))
        bits[4] = (bits[4] | 1u) & 0x7f; /* 7 is Sunday too */
    *out = (struct cron){
        bits[0], (uint32_t)bits[1], (uint32_t)bits[2], (uint16_t)bits[3], (uint8_t)bits[4], any[2],
        any[4]};
    return 0;
}

/* Does the rule name this civil day? Cron: with both day fields restricted,
 * either matches. */
static bool day_matches(const struct cron *c, int64_t days)
{
    struct date d = date_civil_from_days(days);
    if (!(c->months & (1u << d.m)))
        return false;
    int wday = (int)(((days + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
    bool mday = c->mdays & (1u << d.d), wd = c->wdays & (1u << wday);
    if (c->mday_any || c->wday_any)
        return mday && wd;
    return mday || wd;
}

/* The UTC instant of local minute (day, h, m). A minute inside a gap (clocks
 * jump forward) resolves to the first instant after the gap, found by
 * bisection between the instants of the minute under the two offsets. */
static int slot_instant(const char *tz, int64_t days, int h, int m, int64_t *out, struct err *e)
{
    struct date d = date_civil_from_days(days);
    struct date_local back;
    if (date_local_to_utc(tz, d.y, d.m, d.d, h, m, 0, out) || date_utc_to_local(tz, *out, &back))
        return err_field(e, ERR_INVALID, "timezone", "unknown time zone %s", tz);
    if (back.y == d.y && back.m == d.m && back.d == d.d && back.h == h && back.min == m)
        return 0;
    /* In the gap: the wall time is reached at no instant. Find the first
     * instant whose local time is later than it. */
    int64_t want = (days * 24 + h) * 60 + m, lo = *out - 2 * 3600, hi = *out;
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (date_utc_to_local(tz, mid, &back))
            return err_field(e, ERR_INVALID, "timezone", "unknown time zone %s", tz);
        struct date bd = {back.y, back.m, back.d};
        int64_t local = (date_days_from_civil(bd) * 24 + back.h) * 60 + back.min;
        if (local >= want)
            hi = mid;
        else
            lo = mid;
    }
    *out = hi;
    return 0;
}

static int64_t local_days(const struct date_local *l)
{
    return date_days_from_civil((struct date){l->y, l->m, l->d});
}

int cron_next(const struct cron *c, const char *tz, int64_t after, int64_t *slot, struct err *e)
{
    struct date_local l;
    if (date_utc_to_local(tz, after, &l))
        return err_field(e, ERR_INVALID, "timezone", "unknown time zone %s", tz);
    int64_t first = local_days(&l);
    for (int64_t day = first; day < first + SEARCH_DAYS; day++) {
        if (!day_matches(c, day))
            continue;
        for (int h = day == first ? l.h : 0; h < 24; h++) {
            if (!(c->hours & (1u << h)))
                continue;
            for (int m = day == first && h == l.h ? l.min : 0; m < 60; m++) {
                int64_t t;
                if (!(c->minutes & (1ull << m)))
                    continue;
                if (slot_instant(tz, day, h, m, &t, e))
                    return ERR_INVALID;
                if (t > after) {
                    *slot = t;
                    return 0;
                }
            }
        }
    }
    return err_set(e, ERR_NOTFOUND, "the rule does not fire within five years");
}

int cron_prev(const struct cron *c, const char *tz, int64_t at, int64_t *slot, struct err *e)
{
    struct date_local l;
    if (date_utc_to_local(tz, at, &l))
        return err_field(e, ERR_INVALID, "timezone", "unknown time zone %s", tz);
    /* Slots in local order have non-decreasing instants (a repeated hour
     * resolves to its first occurrence), so walking back from the end of the
     * next local day, the first slot not after `at` is the latest one. The
     * extra day covers a slot of `at`'s local day that a clock change put
     * before `at` although its wall time is later. */
    int64_t last = local_days(&l) + 1;
    for (int64_t day = last; day > last - SEARCH_DAYS; day--) {
        if (!day_matches(c, day))
            continue;
        for (int h = 23; h >= 0; h--) {
            if (!(c->hours & (1u << h)))
                continue;
            for (int m = 59; m >= 0; m--) {
                int64_t t;
                if (!(c->minutes & (1ull << m)))
                    continue;
                if (slot_instant(tz, day, h, m, &t, e))
                    return ERR_INVALID;
                if (t <= at) {
                    *slot = t;
                    return 0;
                }
            }
        }
    }
    return err_set(e, ERR_NOTFOUND, "the rule did not fire within five years");
}
