/* run_impl.h — the billing run's working set, shared by run_load.c (reads
 * the organization's period into memory), run.c (computes each account's
 * statement) and run_write.c (writes the statements in one transaction).
 * Everything is held in plain arrays indexed by position; ids of meters and
 * premises map to positions through dense arrays sized by the largest id. */
#ifndef UPRAVDOM_BILLING_RUN_IMPL_H
#define UPRAVDOM_BILLING_RUN_IMPL_H

#include "billing/billing.h"

enum resource {
    RES_COLD,
    RES_HOT,
    RES_ELECTRICITY,
    RES_HEAT,
    RES_GAS,
    RES_WASTEWATER,
    RES_NONE
};

/* A price or a norm of one scope, in force for the whole period. */
struct rate_row {
    int64_t municipality_id, house_id; /* 0: wider */
    int64_t valid_from;                /* day: the latest wins among equals */
    int64_t value;
};

struct run_service {
    int64_t id;
    char method; /* METHOD_AREA, RESIDENTS, FIXED, METER */
    enum resource resource;
    int zone; /* 0 single, 1 day, 2 night */
    int raising_pct;
    struct rate_row *tariffs, *norms;
    int ntariffs, nnorms;
    /* totals of the run */
    int64_t lines, quantity, amount, estimated;
};

struct run_meter {
    int64_t id;
    int32_t next; /* the next meter of the same premises, -1 */
    uint8_t resource, zone;
    bool read;           /* an accepted reading of the period */
    int64_t consumption; /* of that reading */
    int64_t months;      /* periods that reading covers */
    int64_t hist_volume; /* accepted consumption over P−12 … P−1 */
    int64_t hist_months;
};

/* What the previous period's statement left for one meter line. */
struct run_carry {
    int64_t service_id, streak, estimated;
};

struct run_account {
    int64_t id, premises_id, house_id, municipality_id, residents, area;
    int64_t opening, prev_billed; /* the previous statement's closing and charges */
    bool has_prev;
    bool named_payments;   /* paid naming a period: allocation may leave an old debt */
    int32_t meters;        /* first meter of the premises, -1 */
    int32_t carry, ncarry; /* into run.carry */
    int64_t paid;          /* net payments dated in the period */
    int64_t paid_by_due;   /* of them, dated on or before the previous due date */
    int32_t corr, ncorr;   /* into run.corr (sorted by account) */
};

struct run_correction {
    int64_t id, account_id, service_id, quantity, amount;
    int period;
};

struct run {
    struct store_conn *c;
    const struct billing_run_req *q;
    int64_t region_id;
    int period;
    char period_text[PERIOD_STR_SIZE], prev_text[PERIOD_STR_SIZE];
    char first_day[DATE_STR_SIZE], last_day[DATE_STR_SIZE], due_on[DATE_STR_SIZE];
    int64_t first, last; /* days of the period */
    int64_t prev_due;    /* the due day of the previous period's document */
    int due_day, cashback_bp;
    int64_t cashback_cap;
    struct penalty_rules pen;
    bool capital_repair_only;

    struct run_service *services;
    int nservices;
    struct run_account *accounts;
    int64_t naccounts;
    struct run_meter *meters;
    int64_t nmeters, meters_cap;
    struct run_carry *carry;
    int64_t ncarry, carry_cap;
    struct run_correction *corr;
    int64_t ncorr;
    int64_t *municipalities;
    int nmunicipalities;

    /* results */
    int64_t lines, charged, corrected, penalty, cashback, paid;
    struct arena *arena; /* the catalogue, rates, penalty inputs */
    double phase_at;     /* monotonic seconds: when the current phase began */
};

enum resource run_resource(const char *text);
int run_zone(const char *text);

/* run_load.c */
int run_load(struct run *r, struct err *e);
void run_free(struct run *r);
/* A debtor's earlier periods and payments, for penalties. */
int run_load_debts(struct run *r, const struct run_account *acc, struct arena *a,
                   struct alloc_debt **debts, int *ndebts, struct alloc_payment **pays, int *npays,
                   struct err *e);

/* run.c: one account's lines; n gets their count (at most run_max_lines). */
int run_max_lines(const struct run *r, const struct run_account *acc);
int run_account_lines(struct run *r, const struct run_account *acc, struct bill_line *lines, int *n,
                      struct err *e);

/* run_write.c */
struct run_writer;
int run_writer_open(struct run *r, struct run_writer **out, struct err *e);
/* Adds one statement (lines packed in text). */
int run_writer_put(struct run_writer *w, const struct run_account *acc,
                   const struct bill_line *lines, int n, const char *text, struct err *e);
/* Flushes, writes the run's row and totals; *run_id gets its id. */
int run_writer_finish(struct run_writer *w, const char *digest, int64_t *run_id, struct err *e);
void run_writer_free(struct run_writer *w);

#endif
