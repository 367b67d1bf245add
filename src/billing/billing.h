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
 *   charge of a meter service (methods M, V, N, K): a = periods in a row
 *     billed without a reading (0 when read), b = quantity estimated since
 *     the last reading (what a late reading corrects, п. 61), c = meters,
 *     d = the norm per person (N, K);
 *   correction: ref = correction id, a = the period recalculated;
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
/* The same into buf of at least n × BILL_LINE_TEXT_MAX + 1 bytes; returns the
 * length written (NUL-terminated). For the run's hot loop. */
#define BILL_LINE_TEXT_MAX (4 + 10 * 21)
size_t bill_lines_write(const struct bill_line *lines, int n, char *buf);
/* The inverse; ERR_INVALID naming the line number on a malformed text. */
int bill_lines_unpack(const char *text, struct arena *a, struct bill_line **lines, int *n,
                      struct err *e);

/* "charge", "correction", "penalty", "cashback" (the API's and the payment
 * document's names of a line kind). */
const char *bill_kind_name(char kind);
/* "area", "residents", "fixed", "meter", "average", "norm", "norm_raised";
 * NULL for METHOD_NONE and anything else. */
const char *bill_method_name(char method);

/* The explanation of a line as the statement and the payment document show
 * it, in Russian: how a charge was found (its «способ расчёта»: «по
 * показаниям прибора учёта», «по среднему потреблению (ПП 354 п. 59), 2-й
 * период подряд» …), a correction's reason («перерасчёт: …»), a penalty's
 * base, days and rate, the cashback. reason: the correction's reason (NULL:
 * none). Returns 0, or ERR_INVALID when the text does not fit in size bytes
 * (buf then holds it cut at a character boundary); BILL_EXPLAIN_SIZE plus
 * the reason's length in bytes always fits. */
#define BILL_EXPLAIN_SIZE 256
int bill_line_explain(const struct bill_line *l, const char *reason, char *buf, size_t size);

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

/* ---- payments (payments.c) ---- */

/* Entries of the payments table (docs/payments.md): a payment, a refund (money
 * returned to the payer) or a reversal (сторно: a payment cancelled), each its
 * own row, never edited. Every entry carries the payer's (bank's) own id,
 * ext_id, unique within the organization: booking the same ext_id again with
 * the same data answers the stored entry and adds nothing; with other data it
 * is a conflict. Region, municipality and organization are the account's.
 *
 * Scope: booking (pay_book, pay_import_run) is for the account's own
 * organization staff, the administrator and the installation (SCOPE_SYSTEM);
 * an account of another organization is not found. Reading (pay_get,
 * pay_list, pay_account_sums) follows the region, municipality and
 * organization of the entry; a resident sees the entries of accounts whose
 * premises are theirs (resident_premises). */

#define PAY_EXT_ID_MAX 64             /* bytes of a payer's payment id */
#define PAY_AMOUNT_MAX 100000000000LL /* kopecks of one entry: 1 000 000 000 ₽ */
#define PAY_IMPORT_MAX_ERRORS 1000    /* errors of a file listed; all are counted */

/* "payment", "refund", "reversal". */
const char *pay_kind_name(enum payment_kind k);
/* The English names and the Russian «оплата» (платёж), «возврат», «сторно»,
 * any case. 0 or ERR_INVALID. */
int pay_kind_parse(const char *s, enum payment_kind *out);
/* bank | app | cash | api. */
bool pay_channel_valid(const char *s);

struct payment {
    int64_t id, region_id, municipality_id, org_id, account_id;
    const char *els, *account_number; /* of the account (read) */
    const char *ext_id;               /* the payer's (bank's) id */
    enum payment_kind kind;
    const char *paid_on; /* YYYY-MM-DD */
    int64_t amount;      /* kopecks, > 0; refunds and reversals subtract */
    int period;          /* named by the payer; 0: none (the oldest debt) */
    int64_t reverses;    /* PAY_REVERSAL: the payment's id; else 0 */
    int64_t reversed_by; /* read: the reversal of this payment; 0: none */
    const char *channel; /* bank | app | cash | api */
    const char *source;  /* api | file */
    int64_t created_by;  /* 0: the installation */
    int64_t created_at;
};

/* One entry to book. The account is named one way: by id, by ЕЛС, or by the
 * organization's own account number (org_id: staff's own when 0). */
struct pay_req {
    int64_t account_id;
    const char *els;
    const char *account_number;
    int64_t org_id;
    const char *ext_id;
    enum payment_kind kind;
    const char *paid_on; /* YYYY-MM-DD */
    int64_t amount;      /* kopecks; a reversal may give 0: the payment's amount */
    int period;          /* 0: none */
    int64_t reverses;    /* PAY_REVERSAL: the id of the payment it cancels */
    const char *channel; /* NULL: "api" */
};

/* The rules that need no database (plain): ext_id (1..PAY_EXT_ID_MAX bytes
 * of printable text), one way of naming the account, paid_on a date not
 * after `today` (YYYY-MM-DD), amount in 1..PAY_AMOUNT_MAX (0 allowed for a
 * reversal), reverses given exactly for a reversal, channel. Adds one error
 * per field (fields as in struct pay_req: "account_id", "ext_id", "paid_on",
 * "amount", "reverses", "channel"); returns their count. */
int pay_check(const struct pay_req *q, const char *today, struct field_errors *fe);

/* Books one entry in the caller's transaction (store_begin). Besides
 * pay_check: the account exists in the caller's scope (ERR_NOTFOUND for
 * account_id; ERR_INVALID naming "els" or "account_number" for a number that
 * finds nothing); paid_on not before the account was opened and not after
 * today on the organization's clock (its municipality's zone; a payment
 * dated its local today is accepted where UTC is still on yesterday); a
 * reversal cancels a payment (not a refund or a reversal) of the same
 * account, dated no later, not reversed already, for the same amount; a
 * refund leaves what the account received by its date (payments − refunds
 * − reversals) not negative. The same ext_id in the organization: identical
 * data (account, kind, date, amount, period, reverses) → 0 with *created =
 * false and the stored entry; other data → ERR_CONFLICT naming "ext_id".
 * Fills out (with *created = true) for a new entry. */
int pay_book(struct store_conn *c, const struct store_scope *s, const struct pay_req *q,
             struct arena *a, struct payment *out, bool *created, struct err *e);

struct pay_filter {
    int64_t account_id, org_id;
    const char *from, *to; /* paid_on, inclusive, YYYY-MM-DD; NULL: open */
    int kind;              /* enum payment_kind, or -1: any */
    const char *channel;   /* or NULL */
    const char *ext_id;    /* or NULL */
};

int pay_get(struct store_conn *c, const struct store_scope *s, int64_t id, struct arena *a,
            struct payment *out, struct err *e);
/* Newest first (paid_on, then id). */
int pay_list(struct store_conn *c, const struct store_scope *s, const struct pay_filter *f,
             struct page pg, struct arena *a, struct payment **items, int64_t *count,
             int64_t *total, struct err *e);

/* An account's entries over paid_on from..to (inclusive; NULL: open). */
struct pay_sums {
    int64_t account_id;
    int64_t paid, refunded, reversed; /* kopecks, each >= 0 */
    int64_t net;                      /* paid − refunded − reversed */
};
/* The sums of one account visible to the caller (ERR_NOTFOUND otherwise). */
int pay_account_sums(struct store_conn *c, const struct store_scope *s, int64_t account_id,
                     const char *from, const char *to, struct pay_sums *out, struct err *e);

/* Called once per account with entries; a non-zero return stops the walk
 * and is returned by pay_org_sums. */
typedef int (*pay_sums_fn)(void *arg, const struct pay_sums *x);

/* "Payments received during a period" for the billing run: for every account
 * of the organization with entries dated from..to (inclusive, YYYY-MM-DD,
 * both required), its sums, in ascending account id, by one query whose
 * rows are streamed to fn (nothing is held in memory). A reversal counts on
 * its own date, whatever the date of the payment it cancels. The
 * organization must be the caller's to read (ERR_NOTFOUND otherwise); use it
 * inside the run's transaction to see a consistent state. Cost: the index
 * payments_org (org_id, paid_on) gives the period's entries, which the
 * database groups and sorts by account: measured here for a period with a
 * million entries of a million accounts, about 2.3 s on SQLite and 1.5 s on
 * PostgreSQL, where libpq holds the whole result (about 100 bytes a row)
 * before the first callback. */
int pay_org_sums(struct store_conn *c, const struct store_scope *s, int64_t org_id,
                 const char *from, const char *to, pay_sums_fn fn, void *arg, struct err *e);

/* ---- the bank registry file (payments.c) ---- */

struct pay_import_opts {
    const char *path; /* the CSV file (UTF-8 or Windows-1251, ';' or ',') */
    int64_t org_id;   /* whose accounts the file pays; staff: their own when 0 */
    /* Who imports: SCOPE_SYSTEM (the CLI), the administrator, or the
     * organization's staff. Entries get channel "bank", source "file" and
     * created_by = scope->user_id. */
    const struct store_scope *scope;
    int max_errors; /* 0: PAY_IMPORT_MAX_ERRORS */
    /* Progress (or NULL): phase "чтение" by bytes, "запись" by rows. */
    void (*progress)(void *ctx, const char *phase, int64_t done, int64_t total);
    void *progress_ctx;
};

struct pay_import_error {
    long line; /* physical line of the row, from 1 */
    int col;   /* the field's number, from 1 (0: the whole row) */
    const char *msg;
};

struct pay_import_result {
    const char *encoding;
    char separator;
    int64_t org_id;
    int64_t rows;                     /* data rows read */
    int64_t added;                    /* new entries written */
    int64_t present;                  /* rows already booked (or repeated in the file) */
    int64_t paid, refunded, reversed; /* kopecks of the new entries by kind */
    struct pay_import_error *errors;  /* by line and column */
    int nerrors;
    int64_t error_count;
};

/* Imports a bank registry through c, inside the caller's transaction: a
 * header row naming the columns payment_id, date, account, amount and
 * optionally period, kind, reverses (Russian names too, docs/payments.md),
 * then one entry a row, each checked as pay_book checks it (and against the
 * other rows: a reversal may cancel a payment of the same file). Returns 0
 * when applied (rows already booked with the same data are counted in
 * present and not written again); ERR_INVALID when the file has errors
 * (out->errors lists them by line and column; the caller rolls back, so
 * nothing is written); ERR_NOTFOUND for an organization outside the scope;
 * ERR_CONFLICT when another writer booked the same ids meanwhile (load the
 * file again); ERR_IO, ERR_DB, ERR_NOMEM. */
int pay_import_run(struct store_conn *c, const struct pay_import_opts *o, struct arena *a,
                   struct pay_import_result *out, struct err *e);
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
    /* Who is paid for it (docs/paydoc.md): 0, the service's own
     * organization; else another organization of the region whose section
     * and QR code the payment document adds (a regional operator collected
     * through the ЕИРЦ's document). */
    int64_t payee_org_id;
    const char *payee_name; /* read */
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
/* Checks (bill_service_check) and stores; org_id 0: the caller's. Fills id.
 * payee_org_id, if not 0, must name an organization of the service's region
 * (ERR_INVALID naming payee_org_id otherwise); the service's own
 * organization is stored as none (0). */
int bill_service_create(struct store_conn *c, const struct store_scope *s, struct bill_service *sv,
                        struct arena *a, struct err *e);
/* Stores name, unit, sort_order, raising_pct, archived and payee_org_id
 * (checked as on create) of sv->id. */
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
/* The "billing.run" job (job.c): payload {"org_id": N, "period": "YYYY-MM"}. */
struct job_ctx;
int billing_job_run(struct job_ctx *j, struct err *e);

/* ---- runs, statements, corrections, closing (statements.c) ----
 * Scope: an organization's staff see their organization's runs and accounts;
 * municipal and regional operators their territory; a resident the
 * accounts of their own premises. */

struct billing_run_info {
    int64_t id, region_id, org_id, job_id;
    const char *org_name, *period, *state, *digest, *error;
    int64_t accounts, lines, charged, started_at, finished_at; /* finished_at 0: not yet */
    int64_t corrected, penalty, cashback, paid;                /* totals over its statements */
    bool period_closed;                                        /* the period is closed now */
};
struct run_total {
    int64_t service_id;
    const char *code, *name, *unit;
    int64_t lines, quantity, amount, estimated;
    bool has_prev;       /* the previous period has a done run with this service */
    int64_t prev_amount; /* its amount */
    bool deviates;       /* |amount − prev| > BILL_DEVIATION_PCT % of prev */
};
#define BILL_DEVIATION_PCT 10

struct run_filter {
    int64_t org_id;
    const char *period, *state; /* or NULL */
};
int bill_runs_list(struct store_conn *c, const struct store_scope *s, const struct run_filter *f,
                   struct page pg, struct arena *a, struct billing_run_info **items, int64_t *count,
                   int64_t *total, struct err *e);
int bill_run_get(struct store_conn *c, const struct store_scope *s, int64_t id, struct arena *a,
                 struct billing_run_info *out, struct err *e);
/* The run's totals by service, compared with the previous period's last
 * done run of the organization. */
int bill_run_totals(struct store_conn *c, const struct store_scope *s, int64_t run_id,
                    struct arena *a, struct run_total **items, int *n, struct err *e);

struct statement_line {
    struct bill_line line;
    const char *service_code, *service_name, *unit; /* NULL for penalty and cashback */
    const char *reason;                             /* corrections */
};
struct statement {
    int64_t account_id, org_id, run_id;
    const char *period, *due_on;
    int64_t opening, charged, corrected, penalty, cashback, paid, closing;
    struct statement_line *lines; /* bill_statement_get only */
    int nlines;
};
/* An account's statements, newest first, without lines. */
int bill_statements(struct store_conn *c, const struct store_scope *s, int64_t account_id,
                    struct page pg, struct arena *a, struct statement **items, int64_t *count,
                    int64_t *total, struct err *e);
/* One statement with its lines (the payment document's data). */
int bill_statement_get(struct store_conn *c, const struct store_scope *s, int64_t account_id,
                       const char *period, struct arena *a, struct statement *out, struct err *e);

struct correction {
    int64_t id, account_id, service_id, quantity, amount, created_by, created_at;
    const char *period, *apply_period, *reason, *service_name;
};
/* Books a correction of `period` shown on the document of `apply_period`
 * (later than period, not closed). Only the account's organization (or the
 * administrator). Field errors name account_id, service_id, period,
 * apply_period, amount, reason. */
int bill_correction_add(struct store_conn *c, const struct store_scope *s, struct correction *q,
                        struct err *e);
int bill_corrections(struct store_conn *c, const struct store_scope *s, int64_t account_id,
                     struct page pg, struct arena *a, struct correction **items, int64_t *count,
                     int64_t *total, struct err *e);

/* An account's billed periods (charges + corrections, ascending) and its
 * money entries (by day, then id), before period `before` and paid on or
 * before `until` — the inputs of bill_allocate. No scope check (the run's and
 * bill_account_debts' callers check it). */
int bill_account_entries(struct store_conn *c, int64_t account_id, const char *before,
                         const char *until, struct arena *a, struct alloc_debt **debts, int *ndebts,
                         struct alloc_payment **pays, int *npays, struct err *e);
/* Every billed period of a visible account and how its payments were
 * allocated (named period, else the oldest debt; the rest an advance). */
struct account_debts {
    struct alloc_debt *debts;
    int ndebts;
    struct alloc_part *parts;
    int nparts;
};
int bill_account_debts(struct store_conn *c, const struct store_scope *s, int64_t account_id,
                       struct arena *a, struct account_debts *out, struct err *e);

/* Closes an organization's period: it needs a done run; a closed period is
 * ERR_CONFLICT. Runs and corrections of a closed period are refused. */
int bill_period_close(struct store_conn *c, const struct store_scope *s, int64_t org_id,
                      const char *period, struct err *e);
/* Serializes runs and closing of an organization's periods inside the
 * caller's transaction (PostgreSQL: the organization's row FOR UPDATE;
 * SQLite's write transaction already does). */
int bill_lock_org(struct store_conn *c, int64_t org_id, struct err *e);
/* True when closed. */
int bill_period_closed(struct store_conn *c, int64_t org_id, const char *period, bool *closed,
                       struct err *e);

#endif
