/* registry.h — houses, premises, ownership rights, encumbrances, personal
 * accounts and the log of owner and area changes (docs/registry.md). Rules
 * are plain functions (registry.c); scoped queries are in registry_db.c.
 * Areas are hundredths of m², shares exact fractions, coordinates millionths
 * of a degree, dates "YYYY-MM-DD". Strings of returned objects live in the
 * caller's arena. */
#ifndef UPRAVDOM_REGISTRY_H
#define UPRAVDOM_REGISTRY_H

#include "base/arena.h"
#include "base/jsonv.h"
#include "directory/directory.h"
#include "render/table.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

#define REG_NONE INT64_MIN /* an absent number (year, floors, area …) */

struct house {
    int64_t id, region_id, municipality_id, org_id; /* org_id: manager, 0 = none */
    const char *kind;                               /* mkd | izd */
    const char *address, *fias_guid, *cadastral_number;
    int64_t lat_e6, lon_e6; /* REG_NONE if unknown */
    int64_t year_built, floors, entrances, nonresidential_count, balconies, loggias;
    const char *wall_material;
    int64_t total_area, residential_area, nonresidential_area, common_area; /* 1/100 m² */
    bool emergency;
    const char *building_meters, *systems, *extra; /* JSON texts or NULL */
    int64_t created_at, updated_at;
};

struct ownership {
    int64_t id, premises_id;
    const char *owner_kind; /* person | legal | public */
    const char *owner_name, *owner_inn;
    const char *right_type; /* own | shared | joint */
    int64_t share_num, share_den;
    const char *reg_number, *reg_date, *end_date;
    const char *encumbrance, *enc_number, *enc_date; /* the first encumbrance, if any */
};

struct account {
    int64_t id, premises_id, house_id, org_id;
    const char *els, *number, *payer_name, *opened_on, *closed_on;
    const char *org_name; /* the supplier's short (or full) name */
    int64_t residents;
};

struct premises {
    int64_t id, house_id;
    const char *number, *kind; /* residential | nonresidential | parking | storage */
    int64_t area;              /* 1/100 m² */
    const char *cadastral_number;
    int64_t entrance, floor;  /* REG_NONE if unknown */
    struct ownership *rights; /* current (or, for reg_premises_get, all) rights */
    int nrights;
    struct account *accounts;
    int naccounts;
};

struct change {
    int64_t id, house_id, premises_id;
    const char *kind; /* owner | area */
    const char *old_value, *new_value, *changed_on, *source;
    const char *address, *number; /* of the house and premises */
    int64_t at;
};

struct house_filter {
    const char *q;    /* address, cadastral number or FIAS GUID contains */
    const char *kind; /* mkd | izd */
    int64_t municipality_id;
};

struct account_filter {
    int64_t house_id, org_id;
    int64_t id;    /* one account, or 0 */
    const char *q; /* ЕЛС or number contains */
};

struct change_filter {
    const char *from, *to, *kind; /* dates inclusive; owner | area */
};

/* Validation: adds field errors, returns their count. */
int reg_house_check(const struct house *h, struct field_errors *fe);
bool reg_house_kind(const char *s);

/* Scoped queries (a house is visible to its region, municipality, managing
 * and supplying organizations, and residents of its premises). */
int reg_house_get(struct store_conn *c, const struct store_scope *s, int64_t id, struct arena *a,
                  struct house *out, struct err *e);
int reg_house_list(struct store_conn *c, const struct store_scope *s, const struct house_filter *f,
                   struct page pg, struct arena *a, struct house **items, int64_t *count,
                   int64_t *total, struct err *e);
int reg_house_create(struct store_conn *c, const struct store_scope *s, struct house *h,
                     struct arena *a, struct err *e);
int reg_house_update(struct store_conn *c, const struct store_scope *s, struct house *h,
                     struct arena *a, struct err *e);
/* Carries a house's region and municipality to the rows that copy them
 * (premises, rights, accounts, changes; meters, readings and refused
 * readings) after the house moved. Unscoped: the
 * caller has just checked the house itself. */
int reg_house_move_rows(struct store_conn *c, int64_t house_id, int64_t region_id,
                        int64_t municipality_id, struct err *e);

/* The house's premises with their current rights and accounts, by number. */
int reg_house_premises(struct store_conn *c, const struct store_scope *s, int64_t house_id,
                       struct arena *a, struct premises **items, int64_t *count, struct err *e);
/* One premises with all its rights (ended ones too) and accounts. */
int reg_premises_get(struct store_conn *c, const struct store_scope *s, int64_t id, struct arena *a,
                     struct premises *out, struct err *e);

int reg_account_list(struct store_conn *c, const struct store_scope *s,
                     const struct account_filter *f, struct page pg, struct arena *a,
                     struct account **items, int64_t *count, int64_t *total, struct err *e);
/* One visible account (ERR_NOTFOUND otherwise). */
int reg_account_get(struct store_conn *c, const struct store_scope *s, int64_t id, struct arena *a,
                    struct account *out, struct err *e);
int reg_change_list(struct store_conn *c, const struct store_scope *s,
                    const struct change_filter *f, struct page pg, struct arena *a,
                    struct change **items, int64_t *count, int64_t *total, struct err *e);

/* ---- reports and data quality (report.c, quality.c) ---- */

enum reg_report {
    REPORT_AUTO, /* by the house: ИЖД report for an ИЖД, basic for an МКД */
    REPORT_BASIC,
    REPORT_EXTENDED,
    REPORT_IZD
};

/* The house report as a table: the house's characteristics as facts, a row
 * per premises and current right. The ИЖД report is only for an ИЖД
 * (ERR_INVALID on field "type" otherwise). */
int reg_report_house(struct store_conn *c, const struct store_scope *s, int64_t house_id,
                     enum reg_report kind, struct arena *a, struct table **out, struct err *e);
/* A visible house by cadastral number or FIAS GUID. */
int reg_house_find(struct store_conn *c, const struct store_scope *s, const char *cadastral,
                   const char *fias, int64_t *id, struct err *e);

struct reg_quality {
    int64_t premises;       /* premises counted */
    int64_t with_cadastral; /* of them, with a cadastral number */
    int64_t without_rights; /* with no current right */
    int64_t shares_not_one; /* долевая shares not adding up to exactly 1 */
    int64_t accounts_without_premises;
};

/* Figures over the visible houses (of one organization if org_id != 0). */
int reg_quality(struct store_conn *c, const struct store_scope *s, int64_t org_id,
                struct reg_quality *out, struct err *e);

/* The monthly notice: premises whose owners or area changed in a period. */
struct notice_item {
    int64_t premises_id, house_id;
    const char *address, *number;
    bool owner_changed, area_changed;
};
struct reg_notice {
    int64_t owners_changed, areas_changed; /* distinct premises */
    struct notice_item *items;
    int64_t count;
};
/* Changes dated within [from, to] over the visible houses (of one
 * organization if org_id != 0). */
int reg_notice(struct store_conn *c, const struct store_scope *s, int64_t org_id, const char *from,
               const char *to, struct arena *a, struct reg_notice *out, struct err *e);

/* Scope parameters of registry queries: $1 region, $2 municipality (0 = any),
 * $3 organization (0 = any), $4 resident user (0 = not a resident). */
void reg_scope_bind(const struct store_scope *s, struct store_val p[4]);

#endif
