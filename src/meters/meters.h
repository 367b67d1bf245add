/* meters.h — meters and their readings (docs/meters.md): individual meters
 * (ИПУ) of premises and building meters (ОДПУ) of houses, one row per
 * register (a two-zone electricity meter is two rows sharing the serial);
 * readings with their channel, author and time, at most one accepted per
 * meter and period, a correction superseding the earlier one and keeping it;
 * submissions refused by a rule; each organization's reading window and
 * implausibility factor; the period's consumption for billing and the
 * analytics inputs (channel shares, data quality).
 *
 * Rules are plain functions (rules.c), testable without a database. Scoped
 * queries: meters_db.c (meters, settings), readings.c (the submission — the
 * hot path — and a meter's history), analytics.c (consumption, channel
 * shares, data quality), import.c (the CSV file of readings).
 *
 * Values are int64 thousandths of the unit (m³, kWh, Гкал); periods are
 * date_period() numbers in code and 'YYYY-MM' in the store; dates
 * 'YYYY-MM-DD'. Strings of returned objects live in the caller's arena. */
#ifndef UPRAVDOM_METERS_H
#define UPRAVDOM_METERS_H

#include "base/arena.h"
#include "base/date.h"
#include "base/jsonv.h"
#include "directory/directory.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

#define METER_FIRST_DAY 20      /* default reading window: days 20–25 of the month */
#define METER_LAST_DAY 25       /* (configurable per organization: reading_settings) */
#define METER_FACTOR_PCT 300    /* default: implausible above 3 × the average */
#define METER_HISTORY 12        /* accepted readings the average is taken over */
#define METER_HISTORY_MIN 3     /* fewer earlier readings: no implausibility check */
#define METER_VALUE_SIZE 32     /* "-9223372036854775.807" + NUL */
#define METER_MAX_DIGITS 12     /* integer digits of a counter: 1..12 */
#define METER_ROLLOVER_SHARE 10 /* a wrap is plausible when under 1/10 of the capacity */

struct meter {
    int64_t id, region_id, municipality_id, house_id;
    int64_t premises_id;  /* 0 for a building meter */
    int64_t org_id;       /* the organization that takes its readings */
    const char *kind;     /* individual | building */
    const char *resource; /* cold_water | hot_water | electricity | heat | gas */
    const char *zone;     /* single | day | night (electricity registers) */
    const char *serial;   /* NULL: missing */
    int64_t digits, decimals;
    int64_t initial_value; /* thousandths, at installation */
    const char *installed_on, *verified_on, *next_verification_on, *removed_on;
    int64_t created_at, updated_at;
    const char *status;   /* read: active | expired | removed, on the local date */
    const char *timezone; /* read: of the meter's municipality */
};

struct meter_settings {
    int first_day, last_day; /* the window, days of the month (1..31, first <= last) */
    int factor_pct;          /* implausible above factor_pct / 100 × the average */
};

enum meter_channel {
    CH_RESIDENT,
    CH_OPERATOR,
    CH_FILE,
    CH_API
};

/* The rules a reading can fail (docs/meters.md "Validation"). */
enum meter_rule {
    RULE_OK = 0,
    RULE_METER_REMOVED,        /* meter_id: the meter is removed */
    RULE_VERIFICATION_EXPIRED, /* meter_id: next verification date has passed */
    RULE_BEFORE_INSTALLATION,  /* period: earlier than the installation */
    RULE_FUTURE_PERIOD,        /* period: a period whose window has not come */
    RULE_ALREADY_ACCEPTED,     /* period: accepted already; a correction must say so */
    RULE_LOWER_THAN_PREVIOUS,  /* value: below the previous reading, no plausible wrap */
    RULE_ROLLOVER_UNCONFIRMED, /* value: a plausible wrap not confirmed */
    RULE_ABOVE_NEXT,           /* value: a past correction above the next reading */
    RULE_IMPLAUSIBLE,          /* value: consumption over factor × the average */
    RULE_COUNT
};

const char *meter_rule_name(enum meter_rule r);  /* "lower_than_previous" … */
const char *meter_rule_field(enum meter_rule r); /* "value", "meter_id", "period" */

const char *meter_channel_name(enum meter_channel ch);
int meter_channel_parse(const char *s, enum meter_channel *out); /* 0 or ERR_INVALID */

bool meter_kind_valid(const char *s);
bool meter_resource_valid(const char *s);
bool meter_zone_valid(const char *s);
/* Unit of a resource for messages: "м³", "кВт·ч", "Гкал". */
const char *meter_unit(const char *resource);

/* Adds field errors of a meter to be stored; returns their count. */
int meter_check(const struct meter *m, struct field_errors *fe);
int meter_settings_check(const struct meter_settings *s, struct field_errors *fe);
/* The defaults (20–25, 3×). */
struct meter_settings meter_settings_default(void);

/* "active", "expired" (next_verification_on before today) or "removed"
 * (removed_on on or before today); today is "YYYY-MM-DD". */
const char *meter_status(const struct meter *m, const char *today);

/* Parses a reading: digits, optionally '.' or ',' and at most `decimals`
 * (<= 3) digits; below 10^digits. Returns 0 or ERR_INVALID with *why set. */
int meter_value_parse(const char *s, int64_t digits, int64_t decimals, int64_t *out,
                      const char **why);
/* "123.456" (always three decimals); buf of METER_VALUE_SIZE. */
void meter_value_format(int64_t v, char buf[METER_VALUE_SIZE]);
/* 10^digits × 1000: what the counter shows after its largest value. */
int64_t meter_capacity(int64_t digits);

/* The period of a reading given on local date d, and whether d is in the
 * window (ПП 354 п. 31 «е(1)»/34 «к(1)»: readings after the window count
 * for the next period). A day <= last_day is period d's month (in the
 * window from first_day); a later day the next month. Window days past the
 * month's end mean its last day. */
void meter_period_of(const struct meter_settings *w, struct date d, int *period, bool *in_window);
/* The same for an instant, on the wall clock of zone tz; *local gets the
 * local date. ERR_INVALID for a bad zone or instant. */
int meter_period_at(const struct meter_settings *w, const char *tz, int64_t when, int *period,
                    bool *in_window, struct date *local);

/* What a new value is judged against (readings.c fills it from the store). */
struct reading_ctx {
    int period;               /* of the new reading */
    int64_t prev_value;       /* the previous accepted reading, or the initial value */
    int prev_period;          /* its period (the installation's month if none) */
    bool has_prev;            /* a previous reading exists (not just the installation) */
    int64_t hist_consumption; /* sum over the last METER_HISTORY accepted readings before */
    int64_t hist_months;      /* the months they cover */
    int hist_count;           /* how many */
    bool has_next;            /* an accepted reading of a later period (a past correction) */
    int64_t next_value;
    int next_period;
    int64_t digits;        /* of the counter */
    int factor_pct;        /* of the organization */
    bool confirm_rollover; /* the request confirms a wrap through zero */
    bool confirm;          /* staff confirm an implausible consumption */
    const char *unit;      /* for messages */
};

struct reading_verdict {
    enum meter_rule rule;     /* RULE_OK: accept */
    int64_t consumption;      /* since the previous reading */
    int months;               /* periods it covers, >= 1 */
    bool rollover;            /* the counter wrapped */
    bool confirmed;           /* accepted on staff confirmation */
    int64_t next_consumption; /* has_next: the next reading's consumption recomputed */
    int next_months;
    bool next_rollover; /* the recomputed next consumption wraps through zero */
    char msg[480];      /* why, in Russian, when rule != RULE_OK (fits struct err) */
};

/* Judges value against ctx: lower than previous (or a rollover to confirm),
 * above the next reading, implausible consumption. Fills out; returns
 * out->rule. */
enum meter_rule meter_judge(const struct reading_ctx *ctx, int64_t value,
                            struct reading_verdict *out);

/* ---- meters and settings (meters_db.c) ---- */

struct meter_filter {
    int64_t house_id, premises_id, org_id;
    const char *kind, *resource, *status; /* status: active | expired | removed */
    int period;                           /* for no_reading / rejected; 0 = none */
    bool no_reading;                      /* no accepted reading in period */
    bool rejected;                        /* a refused submission in period */
};

/* A meter is visible to its region and municipality, to the organization
 * that takes its readings and to the house's manager, and to residents of
 * its premises. */
int meter_get(struct store_conn *c, const struct store_scope *s, int64_t id, struct arena *a,
              struct meter *out, struct err *e);
int meter_list(struct store_conn *c, const struct store_scope *s, const struct meter_filter *f,
               struct page pg, struct arena *a, struct meter **items, int64_t *count,
               int64_t *total, struct err *e);
/* Creates m (checked with meter_check) at a premises (individual) or house
 * (building) the caller may see; the house's place is copied onto it.
 * Organization staff create meters they take readings of, or (for another
 * organization) in houses they manage. Fills m->id. */
int meter_create(struct store_conn *c, const struct store_scope *s, struct meter *m,
                 struct arena *a, struct err *e);
/* Updates serial, digits, decimals, initial value, dates of m->id. */
int meter_update(struct store_conn *c, const struct store_scope *s, struct meter *m,
                 struct arena *a, struct err *e);

/* An organization's settings (the defaults without a row). The organization
 * must be visible to the caller; staff change only their own. */
int meter_settings_get(struct store_conn *c, const struct store_scope *s, int64_t org_id,
                       struct meter_settings *out, struct err *e);
int meter_settings_put(struct store_conn *c, const struct store_scope *s, int64_t org_id,
                       const struct meter_settings *in, struct err *e);

/* Today's date ("YYYY-MM-DD") in each time zone, for queries that judge
 * "verification expired" on the local date of the meter's municipality
 * without a clock in SQL (meters_db.c). */
struct meter_today {
    char d[3][DATE_STR_SIZE]; /* UTC date − 1, UTC date, UTC date + 1 */
    const char *behind;       /* "|zone|zone|": zones whose local date is d[0] */
    const char *ahead;        /* zones whose local date is d[2] */
};
int meter_today_at(struct store_conn *c, int64_t now, struct arena *a, struct meter_today *out,
                   struct err *e);

/* ---- readings (readings.c) ---- */

struct reading_req {
    int64_t meter_id;
    const char *value;          /* the reading as text: "123.456" */
    int period;                 /* staff: the period itself; 0 = by the window */
    int64_t received_at;        /* staff: when it was given; 0 = now */
    enum meter_channel channel; /* a resident's is always CH_RESIDENT */
    bool correction;            /* replace the period's accepted reading */
    bool confirm_rollover;
    bool confirm;         /* staff only */
    const char *idem_key; /* Idempotency-Key, or NULL */
};

struct reading {
    int64_t id, meter_id;
    int period;
    int64_t value, consumption;
    int64_t months;
    bool rollover, confirmed;
    const char *channel, *state;
    int64_t author_id; /* 0: the installation */
    int64_t received_at, submitted_at;
    int in_window;    /* 1, 0, or -1 when the period was given */
    int64_t replaces; /* 0: none */
};

enum reading_outcome {
    READING_ACCEPTED,  /* a new accepted reading */
    READING_CORRECTED, /* it superseded the period's earlier one */
    READING_UNCHANGED, /* the period's accepted reading has this value already */
    READING_REPLAYED   /* the Idempotency-Key was seen: the earlier answer */
};

struct reading_result {
    struct reading r; /* stored, or the existing one */
    enum reading_outcome outcome;
    int64_t prev_value; /* what consumption was counted from */
    int prev_period;    /* 0: the installation */
    bool in_window;
    struct meter_settings settings;
    const char *timezone;
    enum meter_rule rule; /* with ERR_INVALID: the rule that failed */
    bool logged;          /* a rejection was recorded: commit the transaction */
};

/* Validates and stores one reading inside the caller's transaction (begun
 * with store_begin). Returns 0 (out->outcome says what happened);
 * ERR_NOTFOUND when the meter is not the caller's to read (a resident's
 * own premises only); ERR_INVALID naming the field: a bad request, or a
 * rule (out->rule) — then the refusal has been recorded in
 * reading_rejections (out->logged) and the caller should commit. */
int meter_reading_submit(struct store_conn *c, const struct store_scope *s,
                         const struct reading_req *q, struct arena *a, struct reading_result *out,
                         struct err *e);

/* A meter's readings, accepted and superseded, latest period first. */
int meter_readings(struct store_conn *c, const struct store_scope *s, int64_t meter_id,
                   struct page pg, struct arena *a, struct reading **items, int64_t *count,
                   int64_t *total, struct err *e);

/* ---- billing and analytics (analytics.c) ---- */

struct consumption_filter {
    int period;
    int64_t house_id, org_id;
    const char *resource;
};

struct consumption {
    int64_t meter_id, house_id, premises_id, org_id;
    const char *resource, *zone;
    bool estimate;      /* no accepted reading: billing estimates (ПП 354 п. 59) */
    int64_t reading_id; /* 0 with estimate */
    int64_t value, consumption, months;
    int prev_period; /* 0: counted from the installation */
};

/* Meters in service during the period (installed by its end, not removed
 * before its start), each with its accepted reading's consumption or the
 * estimate marker. */
int meter_consumption(struct store_conn *c, const struct store_scope *s,
                      const struct consumption_filter *f, struct page pg, struct arena *a,
                      struct consumption **items, int64_t *count, int64_t *total, struct err *e);

#define METER_NCHANNELS 4

struct channel_stats {
    int64_t org_id;
    const char *org_name, *org_inn;
    int64_t total;                  /* accepted readings of the period */
    int64_t count[METER_NCHANNELS]; /* by enum meter_channel */
};

/* Accepted readings of a period per organization and channel. */
int meter_channel_stats(struct store_conn *c, const struct store_scope *s, int period,
                        int64_t org_id, struct arena *a, struct channel_stats **items,
                        int64_t *count, struct err *e);

struct meter_quality {
    int64_t org_id;
    const char *org_name, *org_inn;
    int64_t meters;               /* in service on the date */
    int64_t with_errors;          /* with at least one of: */
    int64_t verification_expired; /* next verification date passed */
    int64_t missing_serial;
    int64_t rejected;   /* a submission refused in the period */
    int64_t no_account; /* an individual meter of premises without an open account */
};

/* Error figures per organization for a period, judged on the period's last
 * day (or today, for the current period) in each meter's time zone. */
int meter_quality(struct store_conn *c, const struct store_scope *s, int period, int64_t org_id,
                  struct arena *a, struct meter_quality **items, int64_t *count, struct err *e);

/* ---- the file of readings (import.c) ---- */

#define METER_IMPORT_MAX_ERRORS 1000 /* errors listed; all are counted */

struct meter_import_opts {
    const char *path;  /* the CSV file (UTF-8 or Windows-1251, ';' or ',') */
    bool skip_invalid; /* apply the good rows, list the rejected ones */
    /* Who imports: SCOPE_SYSTEM (the CLI) any meter; otherwise the meters
     * the caller may see (meter_get). Readings get channel "file". */
    const struct store_scope *scope;
    int max_errors; /* 0: METER_IMPORT_MAX_ERRORS */
};

struct meter_import_error {
    long line; /* physical line of the row, from 1 */
    int col;   /* the field's number, from 1 (0: the whole row) */
    const char *msg;
};

struct meter_import_result {
    const char *encoding;
    char separator;
    int64_t rows;                           /* data rows read */
    int64_t accepted, corrected, unchanged; /* rows by outcome */
    int64_t rejected;                       /* rows refused (with skip_invalid) */
    struct meter_import_error *errors;      /* by line and column */
    int nerrors;
    int64_t error_count;
};

/* Imports a file of readings through c, inside the caller's transaction:
 * each row is submitted as meter_reading_submit would (the same rules, in
 * file order, so a file may carry several periods of one meter). Returns
 * 0 when applied; ERR_INVALID when the file has errors (out->errors lists
 * them by line and column; the caller rolls back, so nothing is applied) —
 * with skip_invalid only when the header or the CSV itself is broken;
 * ERR_IO, ERR_DB, ERR_CONFLICT (a concurrent writer), ERR_NOMEM. */
int meter_import_run(struct store_conn *c, const struct meter_import_opts *o, struct arena *a,
                     struct meter_import_result *out, struct err *e);

/* Scope parameters of meter queries: as reg_scope_bind ($1 region, $2
 * municipality, $3 organization, $4 resident). */
void meter_scope_bind(const struct store_scope *s, struct store_val p[4]);

/* "YYYY-MM" of a period, in the arena. */
const char *meter_period_text(struct arena *a, int period);

#endif
