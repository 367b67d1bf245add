/* billing.h — the billing engine (docs/billing.md): the catalogue of services
 * with tariffs and norms, the monthly run that writes one statement per
 * account and period, corrections of past periods, payments and their
 * allocation, penalties (ЖК РФ ст. 155 ч. 14), cashback, period closing.
 *
 * Rules are plain functions over plain structs, testable without a database:
 * lines.c (amounts, rounding, the packed statement lines), estimate.c (the
 * chain for a meter without a reading, ПП 354 пп. 59–60), allocate.c
 * (payments to periods), penalty.c (day by day). The store side: catalog.c
 * (services, tariffs, norms, settings), run.c (the engine), statements.c
 * (statements, ledger, corrections, closing), payments.c (entries, the bank
 * registry file).
 *
 * Units (migration 0006): money int64 kopecks; a price int64 hundredths of a
 * kopeck per unit; quantities int64 thousandths of the unit; rates basis
 * points; periods date_period() numbers in code, 'YYYY-MM' in the store;
 * days date_days_from_civil() numbers in code, 'YYYY-MM-DD' in the store.
 * Strings of returned objects live in the caller's arena. */
#ifndef UPRAVDOM_BILLING_H
#define UPRAVDOM_BILLING_H

#include "base/arena.h"
#include "base/date.h"
#include "base/err.h"
#include "directory/directory.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

#define BILL_QTY_SCALE 1000  /* quantities: thousandths of the unit */
#define BILL_PRICE_SCALE 100 /* prices: hundredths of a kopeck */
#define BILL_DUE_DAY 10      /* due by the 10th of the next month (ЖК 155 ч. 1) */
#define BILL_AVERAGE_MAX 3   /* periods in a row billed by the average (п. 59) */
#define BILL_HISTORY_MIN 3   /* months of meter history the average needs */
#define BILL_HISTORY_MAX 12  /* months the average is taken over */
#define PENALTY_GRACE 30     /* days of delay without penalty */
#define PENALTY_STEP 90      /* 1/300 up to this day of delay, 1/130 after */

/* ---- lines (lines.c) ---- */

/* kopecks = quantity × price, rounded half away from zero once
 * (PITFALLS.md "Rounding"): qty / BILL_QTY_SCALE × price / BILL_PRICE_SCALE.
 * ERR_INVALID on overflow. */
int bill_amount(int64_t quantity, int64_t price, int64_t *kopecks);

enum line_kind {
    LINE_CHARGE = 'C',     /* a service of the period */
    LINE_CORRECTION = 'R', /* перерасчёт of a past period: ref = correction id */
    LINE_PENALTY = 'P',    /* пени on one earlier period's debt: ref = that period */
    LINE_CASHBACK = 'B'    /* credited cashback (negative): ref = the bill period */
};

/* How a charge's quantity was found: every line says it. */
enum line_method {
    METHOD_AREA = 'A',        /* premises area (m²) */
    METHOD_RESIDENTS = 'R',   /* registered residents */
    METHOD_FIXED = 'F',       /* per account */
    METHOD_METER = 'M',       /* the period's readings */
    METHOD_AVERAGE = 'V',     /* no reading: the meter's average (п. 59 «б») */
    METHOD_NORM = 'N',        /* norm × residents (п. 60) */
    METHOD_NORM_RAISED = 'K', /* norm × residents × raising coefficient (п. 42) */
    METHOD_NONE = '-'         /* penalties, cashback, corrections */
};

/* One line of a statement. a..d by kind:
 *   charge by meter: a = periods in a row billed without a reading (0 when
 *     read), b = quantity estimated since the last reading, c = meters;
 *   charge by norm: a = residents, b = norm per person, c = raising %;
 *   penalty: a = base (kopecks), b = days at 1/300, c = days at 1/130,
 *     d = the rate (bp), quantity = 0, price = 0;
 *   cashback: a = the payment counted (kopecks), b = percent (bp). */
struct bill_line {
    char kind, method;
    int64_t service_id; /* 0 for penalty and cashback lines */
    int64_t quantity, price, amount;
    int64_t ref;
    int64_t a, b, c, d;
};

/* Packed form stored in statements.lines: one line of text per line,
 * "K M service quantity price amount ref a b c d" (K and M single
 * characters, the rest decimal integers) separated by single spaces, lines
 * ended by newlines, allocated in the arena. */
int bill_lines_pack(const struct bill_line *lines, int n, struct arena *a, char **out,
                    struct err *e);
/* The inverse; ERR_INVALID naming the line number on a malformed text. */
int bill_lines_unpack(const char *text, struct arena *a, struct bill_line **lines, int *n,
                      struct err *e);

/* ---- estimation (estimate.c), ПП 354 пп. 42, 59, 60 ---- */

/* What is known about one meter for the period being billed. */
struct estimate_in {
    bool has_meter;         /* an individual meter of the resource in service */
    bool has_reading;       /* an accepted reading for the period */
    int64_t reading_volume; /* its consumption (thousandths) */
    int64_t history_volume; /* accepted consumption over the months before */
    int64_t history_months; /* months that history covers (<= BILL_HISTORY_MAX) */
    int64_t streak;         /* periods in a row billed without a reading before this one */
    int64_t residents;
    int64_t norm;    /* per person per month (thousandths); < 0: no norm */
    int raising_pct; /* the service's coefficient without a meter (150 = ×1.5) */
};
struct estimate_out {
    char method;    /* METHOD_METER / AVERAGE / NORM / NORM_RAISED */
    int64_t volume; /* thousandths */
    int64_t streak; /* for this period's line (0 when read) */
};
/* The chain: the reading; else the average of history (at least
 * BILL_HISTORY_MIN months, at most BILL_AVERAGE_MAX periods in a row); else
 * norm × residents (× raising_pct / 100 without a meter). ERR_INVALID when a
 * norm is needed and there is none (the caller names the service). */
int bill_estimate(const struct estimate_in *in, struct estimate_out *out, struct err *e);

/* ---- allocation of payments (allocate.c) ---- */

struct alloc_debt {
    int period;     /* billed period, ascending, each once */
    int64_t amount; /* billed in it: charges + corrections (not penalties) */
};
enum payment_kind {
    PAY_PAYMENT,
    PAY_REFUND,  /* money returned to the payer */
    PAY_REVERSAL /* a payment cancelled (reverses) */
};
struct alloc_payment {
    int64_t id;
    enum payment_kind kind;
    int64_t day;      /* paid_on, date_days_from_civil */
    int64_t amount;   /* > 0 */
    int period;       /* named by the payer; 0: none */
    int64_t reverses; /* PAY_REVERSAL: the payment's id */
};
struct alloc_part {
    int64_t payment_id;
    int period;     /* 0: an advance (nothing owed yet) */
    int64_t day;    /* the payment's day */
    int64_t amount; /* negative for the parts a refund or reversal takes back */
};
/* Allocates payments (sorted by day, then id) to debts: to the period the
 * payer named while it is owed, else to the oldest owed period; the rest is
 * an advance that later debts take first. A reversal takes back exactly the
 * parts of the payment it reverses; a refund takes back from the advance,
 * then from the latest periods. Deterministic: the same entries, the same
 * parts. Parts are allocated in the arena. */
int bill_allocate(const struct alloc_debt *debts, int ndebts, const struct alloc_payment *pays,
                  int npays, struct arena *a, struct alloc_part **parts, int *nparts,
                  struct err *e);

/* ---- penalties (penalty.c), ЖК РФ ст. 155 ч. 14 ---- */

struct key_rate {
    int64_t from; /* day */
    int rate_bp;
};
struct penalty_regime {
    bool moratorium;  /* no accrual on its days; else the rate is capped */
    int64_t from, to; /* days, inclusive */
    int cap_bp;
};
struct penalty_rules {
    const struct key_rate *rates; /* ascending by from */
    int nrates;
    const struct penalty_regime *regimes;
    int nregimes;
    bool count_payment_day; /* the day of payment is a day of delay */
    bool capital_repair;    /* ч. 14.1: 1/300 from the first day, no grace, no 1/130 */
};
/* One period's debt: what was billed, when it was due, and the parts of
 * payments that reduced it (from bill_allocate; their days matter). */
struct penalty_debt {
    int period;
    int64_t due_day; /* the last day to pay without delay */
    int64_t amount;
    const struct alloc_part *parts; /* parts with this period, ascending by day */
    int nparts;
};
/* The penalty on one debt for the days from..to (inclusive) of the window:
 * each day of delay n (counted from due_day) past the grace adds
 * D(t) × rate × 1/300 (n <= 90) or 1/130 (n > 90); rate is the key rate in
 * force on the day the portion was paid, or on `to` for what is unpaid,
 * capped by a rate_cap regime on the days it covers; moratorium days add
 * nothing. Exact in rationals, rounded half-up once into line->amount.
 * Fills a LINE_PENALTY line (a = base at the end of the window, b, c =
 * days counted at each fraction, d = rate). line->amount = 0 and no days
 * when nothing accrues. */
int bill_penalty(const struct penalty_rules *r, const struct penalty_debt *d, int64_t from,
                 int64_t to, struct bill_line *line, struct err *e);

/* ---- catalogue (catalog.c) ----
 * Services, their tariffs and norms (a change is a new row: the previous open
 * row of the same service and scope ends the day before, the only UPDATE),
 * billing settings, key rates, penalty regimes. Visible: all to admin and
 * system; a region's to its operator; those of organizations registered in
 * a municipality to its operator; staff their own organization's; residents
 * none. Written by the organization's staff and the administrator; key
 * rates by the administrator only (ERR_FORBIDDEN otherwise). */

#define BILL_PRICE_DECIMALS 4 /* "35.6712" ₽ per unit = 356712 */
#define BILL_QTY_DECIMALS 3   /* "6.935" per person = 6935 */
#define BILL_RATE_DECIMALS 2  /* "16.5" % = 1650 bp */

struct bill_service {
    int64_t id, region_id, org_id;
    const char *code; /* standard (maintenance, cold_water …) or custom [a-z][a-z0-9_]* */
    const char *name, *unit;
    const char *method;   /* area | residents | meter | fixed */
    const char *resource; /* method meter only; else NULL */
    const char *zone;     /* single | day | night (electricity) */
    int64_t raising_pct;  /* 100..300; 0 on create: the standard's */
    int64_t sort_order;   /* 0..9999; -1 on create: the standard's */
    bool archived;
    int64_t created_at;
    const char *org_name; /* read */
};
struct bill_service_filter {
    int64_t org_id;     /* 0: any */
    const char *method; /* or NULL */
    int archived;       /* -1: any */
};
enum bill_rate_kind {
    BILL_TARIFF, /* value: price */
    BILL_NORM    /* value: per person per month (meter services) */
};
struct bill_rate {
    int64_t id, service_id, region_id, org_id;
    int64_t municipality_id, house_id; /* at most one; both 0: organization-wide */
    const char *valid_from, *valid_to; /* the 1st / the last day of a month; to NULL: open */
    int64_t value;
    int64_t created_by, created_at;
    const char *municipality_name, *house_address; /* read */
    int64_t ended;                                 /* create: the open row it ended, or 0 */
};
struct bill_settings {
    int64_t due_day; /* 1..28 of the next month */
    bool count_payment_day;
    int64_t cashback_bp, cashback_cap; /* cap in kopecks */
    int64_t updated_at;                /* 0: the defaults, never set */
};
struct bill_regime {
    int64_t id, cap_bp; /* cap_bp -1: none (moratorium) */
    const char *kind, *date_from, *date_to, *note;
};

/* A non-negative decimal ("35.6712", "6,935") with at most `decimals`
 * fraction digits, scaled by 10^decimals, at most max. ERR_INVALID with
 * *why (Russian) otherwise. bill_decimal_format writes it with all digits. */
int bill_decimal_parse(const char *s, int decimals, int64_t max, int64_t *out, const char **why);
void bill_decimal_format(int64_t v, int decimals, char *buf, size_t size);
/* Completes a new service from its code's standard (name, method, unit,
 * resource, zone, raising, order) and checks it; a change (create false)
 * checks the changeable fields. Returns the number of errors added. */
int bill_service_check(struct bill_service *s, bool create, struct field_errors *fe);
/* The dates and scope of a new tariff or norm; returns the errors added. */
int bill_rate_check(enum bill_rate_kind k, const struct bill_rate *r, struct field_errors *fe);

int bill_service_list(struct store_conn *c, const struct store_scope *s,
                      const struct bill_service_filter *f, struct page pg, struct arena *a,
                      struct bill_service **items, int64_t *count, int64_t *total, struct err *e);
int bill_service_get(struct store_conn *c, const struct store_scope *s, int64_t id, struct arena *a,
                     struct bill_service *out, struct err *e);
/* Checks (bill_service_check) and stores; org_id 0: the caller's. Fills id. */
int bill_service_create(struct store_conn *c, const struct store_scope *s, struct bill_service *sv,
                        struct arena *a, struct err *e);
/* Stores name, unit, sort_order, raising_pct, archived of sv->id. */
int bill_service_update(struct store_conn *c, const struct store_scope *s,
                        const struct bill_service *sv, struct err *e);
/* A service's rows, newest valid_from first. */
int bill_rate_list(struct store_conn *c, const struct store_scope *s, enum bill_rate_kind k,
                   int64_t service_id, struct page pg, struct arena *a, struct bill_rate **items,
                   int64_t *count, int64_t *total, struct err *e);
/* Adds a row to r->service_id's history inside the caller's transaction:
 * the scope inside the organization's territory (a house it manages or
 * supplies, or its own municipality or one where it has such houses); a
 * valid_from after every row of the same scope (else ERR_CONFLICT) and
 * outside closed periods; ends the previous open row. Fills id, ended. */
int bill_rate_create(struct store_conn *c, const struct store_scope *s, enum bill_rate_kind k,
                     struct bill_rate *r, struct arena *a, struct err *e);
/* Settings of a visible organization (the defaults without a row). */
int bill_settings_get(struct store_conn *c, const struct store_scope *s, int64_t org_id,
                      struct bill_settings *out, struct err *e);
int bill_settings_put(struct store_conn *c, const struct store_scope *s, int64_t org_id,
                      const struct bill_settings *in, struct err *e);
/* Key rates newest first; adding one needs the administrator or the system. */
int bill_key_rate_list(struct store_conn *c, const struct store_scope *s, struct page pg,
                       struct arena *a, struct key_rate **items, int64_t *count, int64_t *total,
                       struct err *e);
int bill_key_rate_add(struct store_conn *c, const struct store_scope *s, const struct key_rate *k,
                      struct err *e);
int bill_regime_list(struct store_conn *c, const struct store_scope *s, struct page pg,
                     struct arena *a, struct bill_regime **items, int64_t *count, int64_t *total,
                     struct err *e);

/* ---- the store side ---- */

struct billing_run_req {
    int64_t org_id;
    int period;
    int64_t job_id;                                           /* 0: from the command line */
    void (*progress)(void *arg, int64_t done, int64_t total); /* or NULL */
    void *progress_arg;
    bool (*cancelled)(void *arg); /* or NULL; stops the run */
};
struct billing_run_result {
    int64_t run_id, accounts, lines, charged;
    char digest[65]; /* hex */
};
/* The run of one organization and period (run.c): every open account × its
 * services, written in one transaction with the run's row. A closed period
 * is ERR_CONFLICT; a failed, killed or cancelled run leaves the previous
 * statements of the period; a re-run over the same data writes the same
 * statements (the same digest). */
int billing_run(struct store *st, const struct store_scope *s, const struct billing_run_req *q,
                struct billing_run_result *out, struct err *e);

#endif
