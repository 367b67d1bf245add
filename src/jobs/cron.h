/* cron.h — schedule rules: five-field cron expressions and the shorthands of
 * docs/jobs.md, and the instants they name in an IANA time zone. Pure
 * functions; time zones through ICU (base/date.h). */
#ifndef UPRAVDOM_CRON_H
#define UPRAVDOM_CRON_H

#include "base/err.h"

#include <stdbool.h>
#include <stdint.h>

struct cron {
    uint64_t minutes; /* bit m: minute m (0-59) */
    uint32_t hours;   /* bit h: hour h (0-23) */
    uint32_t mdays;   /* bit d: day of month d (1-31) */
    uint16_t months;  /* bit m: month m (1-12) */
    uint8_t wdays;    /* bit w: weekday w (0 = Sunday … 6) */
    bool mday_any;    /* day-of-month field was "*" */
    bool wday_any;    /* day-of-week field was "*" */
};

/* Parses a rule ("0 10 * * 5", "daily 10:00", "weekly fri 10:00",
 * "monthly 26 09:00", "hourly"). ERR_INVALID with a message naming the
 * offending field. */
int cron_parse(const char *rule, struct cron *out, struct err *e);

/* The first slot strictly after `after` (Unix seconds), in zone tz: *slot is
 * its UTC instant. A local time skipped by a clock change fires at the first
 * instant after the gap; one that occurs twice fires at its first occurrence.
 * ERR_NOTFOUND if the rule never fires (e.g. 31 February) within 5 years. */
int cron_next(const struct cron *c, const char *tz, int64_t after, int64_t *slot, struct err *e);

/* The last slot at or before `at`; ERR_NOTFOUND if none within 5 years. */
int cron_prev(const struct cron *c, const char *tz, int64_t at, int64_t *slot, struct err *e);

#endif
