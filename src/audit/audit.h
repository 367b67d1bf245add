/* audit.h — the audit log: who did what to which object, when, from which
 * address, under which request id. Written in the same transaction as the
 * change it records; read back within the reader's scope. */
#ifndef UPRAVDOM_AUDIT_H
#define UPRAVDOM_AUDIT_H

#include "directory/directory.h"
#include "store/store.h"

#include <jansson.h>

struct audit_actor {
    int64_t user_id;        /* 0 for the system or an unknown login */
    const char *login;      /* NULL for the system */
    const char *address;    /* client address, or "cli" */
    const char *request_id; /* or NULL */
};

/* What was acted on: its type, id and place (for scoping the entry). */
struct audit_object {
    const char *type; /* "organization", "user", "municipality", "session" */
    int64_t id;
    int64_t region_id, municipality_id, org_id;
};

struct audit_entry {
    int64_t id, at, user_id;
    const char *user_login, *action, *object_type;
    int64_t object_id;
    const char *address, *request_id, *detail; /* detail: JSON text or NULL */
};

struct audit_filter {
    const char *action, *object_type; /* or NULL */
    int64_t user_id;                  /* 0 = any */
};

/* Writes one entry; detail (may be NULL) is borrowed. */
int audit_write(struct store_conn *c, const struct audit_actor *who, const char *action,
                const struct audit_object *obj, json_t *detail, struct err *e);

/* Entries about objects in the scope, newest first. */
int audit_list(struct store_conn *c, const struct store_scope *s, const struct audit_filter *f,
               struct page pg, struct arena *a, struct audit_entry **items, int64_t *count,
               int64_t *total, struct err *e);

#endif
