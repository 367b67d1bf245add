/* demo.h — the deterministic demo region generator. The same seed and sizes
 * give the same data on either backend. Generation runs in stages (one per
 * module: directory, registry, meters now; billing … add theirs), each in its own
 * transaction, reporting progress. Stages share what they made through the
 * context (ids by municipality), so a later stage can hang its rows on them. */
#ifndef UPRAVDOM_DEMO_H
#define UPRAVDOM_DEMO_H

#include "base/arena.h"
#include "store/store.h"

#include <stdint.h>

struct demo_opts {
    uint64_t seed;
    int municipalities;        /* >= 2 */
    int orgs_per_municipality; /* >= 4: УО, РСО, ЕИРЦ, ТКО, then more УО */
    int residents;             /* resident users per municipality, >= 1 */
    int houses;                /* apartment buildings (МКД) per municipality, >= 0 */
};

struct demo_ctx {
    struct demo_opts opt;
    struct store_conn *c;
    struct arena *a;
    uint64_t rng;              /* splitmix64 state */
    const char *password_hash; /* of the demo password, hashed once */
    int64_t region_id;
    int64_t *municipality_ids; /* [opt.municipalities] */
    int64_t *org_ids; /* [municipality * orgs_per_municipality + k]; k 0..3 = uo,rso,eirc,tko */
    int64_t rows;     /* rows written by the running stage */
};

struct demo_stage {
    const char *name;
    int (*run)(struct demo_ctx *d, struct err *e);
};

extern const struct demo_stage demo_stages[]; /* ends with {NULL} */

#define DEMO_PASSWORD "upravdom"

/* Next pseudo-random number of the generator (splitmix64). */
uint64_t demo_rand(struct demo_ctx *d);
/* Uniform in [0, n). */
uint64_t demo_below(struct demo_ctx *d, uint64_t n);

/* Fills an empty database. ERR_CONFLICT if it already holds a region. */
int demo_generate(struct store *s, const struct demo_opts *o, struct err *e);

/* The stage that makes the region, municipalities, organizations and users. */
int demo_stage_directory(struct demo_ctx *d, struct err *e);
/* Houses, premises, rights, accounts and recent changes (demo_registry.c). */
int demo_stage_registry(struct demo_ctx *d, struct err *e);
/* Meters of premises and houses, twelve months of readings and the
 * submissions the rules refused (demo_meters.c, demo_readings.c). */
int demo_stage_meters(struct demo_ctx *d, struct err *e);
/* Services, tariffs and norms of the organizations with accounts, and the
 * ЕИРЦ's billing settings (demo_billing.c). */
int demo_stage_billing(struct demo_ctx *d, struct err *e);
/* After the stages: bills the last two periods with readings for every
 * organization with services (the engine's runs); *rows gets the statements. */
int demo_bills(struct store *s, int64_t *rows, struct err *e);
/* Schedules, so the operators' pages show the scheduler at work. */
int demo_stage_jobs(struct demo_ctx *d, struct err *e);

#endif
