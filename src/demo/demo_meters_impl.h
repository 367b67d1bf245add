/* demo_meters_impl.h — what the meters stage's two files share, private to
 * them: demo_meters.c reads the registry back and makes the meters,
 * demo_readings.c their consumption and twelve months of readings
 * (docs/demo.md "Meters"). */
#ifndef UPRAVDOM_DEMO_METERS_IMPL_H
#define UPRAVDOM_DEMO_METERS_IMPL_H

#include "demo/demo.h"
#include "demo/demo_bulk.h"
#include "meters/meters.h"

#include <stdbool.h>
#include <stdint.h>

#define MONTHS 12   /* periods of readings, ending at the last completed one */
#define MAXSTAFF 64 /* organizations whose staff user is looked up, per municipality */

enum res {
    R_COLD,
    R_HOT,
    R_ELEC,
    R_GAS,
    R_HEAT,
    NRES
};

/* A house as the registry made it. */
struct mhouse {
    int64_t id, org_id, total_area;
    int year, floors;
    bool izd, direct, hot, gas, heat_meters;
    bool first;       /* the municipality's first МКД: the fixed broken cases */
    const char *odpu; /* houses.building_meters (JSON), or NULL */
};

/* A premises and what its accounts say. */
struct mflat {
    int64_t id, area;
    char number[16];
    const char *kind;
    int persons;  /* registered residents of its open accounts; -1: no open account */
    int64_t user; /* a demo resident linked to it, or 0 */
};

/* Who submits a premises' readings, and how (decided once per premises). */
enum habit {
    H_APP,      /* the resident app, now and then the phone */
    H_FILE,     /* on the payment document: the organization's monthly file */
    H_OPERATOR, /* by phone or at the office */
    H_API,      /* through an integrator (a bank, a payment agent) */
    H_TELEMETRY /* a building meter read remotely (ОДПУ) */
};

/* A meter (one register) being made, and its history while its readings
 * are generated. Values in thousandths of the unit. */
struct dmeter {
    int64_t id, premises_id, org_id;
    enum res res;
    const char *zone;
    int64_t digits, decimals;
    int64_t initial;
    int installed, verified, next; /* days since 1970-01-01 */
    char serial[24];               /* "" when missing */
    int share;                     /* per mille of its premises' use of the resource */
    bool rollover;                 /* made to pass through zero mid-history */
    int64_t use[MONTHS];           /* true consumption by month */
    int64_t pre;                   /* consumed between installation and the first period */
    /* while generating readings */
    int64_t prev_value;
    int prev_period;
    bool has_prev;
    int64_t hist_use[MONTHS], hist_months[MONTHS]; /* accepted readings, latest first */
    int nhist;
};

/* The stage's state. */
struct mgen {
    struct demo_ctx *d;
    struct store_conn *c;
    bool pg;
    int64_t now;
    struct demo_writer w;
    struct demo_bulk meters, readings, rejections;
    int64_t id_meter, id_reading, id_rejection;
    /* the municipality being made */
    int index;
    int64_t mun_id, rso, eirc;
    const char *tz;
    int first, last;                 /* periods of the history */
    int today;                       /* the local date, days since 1970-01-01 */
    int64_t today_start;             /* its local midnight, UTC */
    int64_t month_start[MONTHS + 2]; /* local midnight of day 1 of first−1 … last, UTC */
    char ptext[MONTHS][PERIOD_STR_SIZE];
    int64_t created_at;              /* of the meter rows: before the first reading */
    int64_t house_use[NRES][MONTHS]; /* the house's use so far (for its ОДПУ) */
    struct staff_user {
        int64_t org, user;
    } staff[MAXSTAFF];
    int nstaff;
    struct meter_settings window; /* the organizations' (the demo sets none: defaults) */
};

/* Uniform in [0, n) and in [lo, hi]. */
int mg_rand(struct mgen *g, int n);
int mg_between(struct mgen *g, int lo, int hi);

/* The flat's use of each resource by month (thousandths), seasonal. */
void mg_flat_use(struct mgen *g, const struct mhouse *h, const struct mflat *f,
                 int64_t use[NRES][MONTHS]);
/* The building's use: its flats' (g->house_use) plus common needs; heat by area. */
void mg_house_use(struct mgen *g, const struct mhouse *h, int64_t use[NRES][MONTHS]);
/* Fills m->use (share of use) and m->pre, and for a rollover meter the
 * initial value that makes it pass through zero mid-history. */
void mg_meter_series(struct mgen *g, struct dmeter *m, const int64_t use[MONTHS]);
/* Twelve months of readings of the meters of one premises (or, with f NULL,
 * of a house's building meters), with skipped months, typing errors and
 * the rejections they leave. */
int mg_readings(struct mgen *g, const struct mhouse *h, const struct mflat *f, struct dmeter *m,
                int n, enum habit habit, struct err *e);
/* 1..4 for flats 1..4 of the municipality's first МКД (the fixed broken
 * cases: 1 a rollover, 2 a rejected reading in the last period, 3 an
 * expired meter, 4 a meter without serial), else 0. */
int mg_which(const struct mhouse *h, const struct mflat *f);
/* The staff user who enters an organization's readings, or 0 (none in the demo). */
int mg_staff(struct mgen *g, int64_t org, int64_t *user, struct err *e);

#endif
