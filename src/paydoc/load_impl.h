/* load_impl.h — the parts of the document loader (paydoc_load,
 * paydoc_loader_*; docs/paydoc.md "Contents") that its files share:
 *
 *   load.c        the documents' rows, the house, reasons and readings,
 *                 each document completed
 *   load_cache.c  what houses share, read once per loader: organizations,
 *                 services, the runs' dates of issue
 *   load_lines.c  one document's lines, payees and their sums
 *
 * Not part of the module's interface: only these files include it. */
#ifndef UPRAVDOM_PAYDOC_LOAD_IMPL_H
#define UPRAVDOM_PAYDOC_LOAD_IMPL_H

#include "base/date.h"
#include "paydoc/paydoc.h"

struct bill_line;

/* ---- what houses share (load_cache.c) ---- */

struct org_entry {
    int64_t id;
    struct paydoc_payee payee; /* its details; sums 0 */
    const char *dispatch_phone;
};

struct service_entry {
    int64_t id, org_id, payee_org_id, sort_order;
    const char *name, *unit;
    const char *resource, *zone; /* meter services: what readings they use; else NULL */
};

struct issued_entry {
    int64_t run_id;
    const char *timezone;
    char date[DATE_STR_SIZE];
};

struct paydoc_loader {
    struct store_conn *c;
    struct store_val scope[4]; /* reg_scope_bind */
    const char *period;        /* YYYY-MM, in the cache's arena: the documents point at it */
    int per;
    struct arena *a; /* the cache's strings; the documents point at them */
    bool own_arena;
    struct org_entry *orgs;
    int norgs, corgs;
    struct service_entry *services; /* sorted by id */
    int nservices, cservices;
    int64_t *service_orgs; /* organizations whose services are loaded */
    int nservice_orgs, cservice_orgs;
    struct issued_entry *issued;
    int nissued, cissued;
};

/* A loader over the caller's arena (paydoc_load) or its own. */
int load_init(struct paydoc_loader *l, struct store_conn *c, const struct store_scope *s,
              const char *period, struct arena *a, struct err *e);
void load_clear(struct paydoc_loader *l);
/* Grows *items (of *cap elements of size) to hold n + 1. */
int load_grow(void *items, int *cap, int n, size_t size, struct err *e);
/* s, or NULL for NULL and "". */
const char *load_nonempty(const char *s);
/* An organization's details, read once. */
int load_org(struct paydoc_loader *l, int64_t id, const struct org_entry **out, struct err *e);
/* An organization's services, read once; then load_service finds one. */
int load_services(struct paydoc_loader *l, int64_t org_id, struct err *e);
const struct service_entry *load_service(const struct paydoc_loader *l, int64_t id);
/* The date of issue of a run's statements in a zone (the cache's string). */
int load_issued(struct paydoc_loader *l, int64_t run_id, const char *tz, const char **out,
                struct err *e);

/* ---- one document (load.c, load_lines.c) ---- */

/* A document while it is assembled. */
struct raw {
    struct paydoc d;
    int64_t run_id, premises_id;
    const char *lines;    /* packed statement lines */
    struct bill_line *bl; /* unpacked (load_lines) */
    int nbl;
};

/* Corrections' reasons by id (the R lines' ref). */
struct reason {
    int64_t id;
    const char *text;
};

/* Lines, payees and their sums of one document (docs/paydoc.md "Which
 * payee gets what"). */
int load_lines(struct paydoc_loader *l, struct raw *x, const struct reason *reasons, int nreasons,
               struct arena *a, struct err *e);

#endif
