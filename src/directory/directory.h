/* directory.h — the reference data every module stands on: regions,
 * municipalities (each with its IANA time zone), organizations (УО, РСО, ЕИРЦ,
 * ТКО operator) with validated INN/KPP/OGRN, and users with their role and
 * place. Rules (what makes an object valid) are plain functions; the scoped
 * queries are in directory_db.c. Strings of returned objects live in the
 * caller's arena. */
#ifndef UPRAVDOM_DIRECTORY_H
#define UPRAVDOM_DIRECTORY_H

#include "base/arena.h"
#include "base/jsonv.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

struct region {
    int64_t id;
    const char *code; /* two-digit subject code */
    const char *name;
    const char *timezone; /* IANA */
};

struct municipality {
    int64_t id, region_id;
    const char *name;
    const char *oktmo;    /* 8 or 11 digits, or NULL */
    const char *timezone; /* IANA; deadlines and reports are local to it */
    int64_t created_at;
};

struct organization {
    int64_t id, region_id, municipality_id;
    const char *kind; /* uo | rso | eirc | tko */
    const char *name, *short_name;
    const char *inn;  /* 10 digits (legal entity) or 12 (ИП) */
    const char *kpp;  /* 9 chars for a legal entity, "" for an ИП */
    const char *ogrn; /* 13 digits (ОГРН) or 15 (ОГРНИП) */
    const char *address, *phone, *email, *website;
    /* Bank details of a payee on payment documents (docs/paydoc.md); each
     * NULL when not given. The accounts' control keys are checked with the
     * BIC (dir_org_check). */
    const char *bank_name;          /* «ПАО Сбербанк» */
    const char *bic;                /* БИК, 9 digits */
    const char *settlement_account; /* р/с, 20 digits */
    const char *corr_account;       /* к/с, 20 digits starting 301 */
    const char *dispatch_phone; /* аварийно-диспетчерская служба, or NULL */
    int64_t created_at;
};

struct user {
    int64_t id;
    const char *login, *full_name, *email;
    const char *role; /* admin | region_operator | municipal_operator | org_staff | resident */
    int64_t region_id, municipality_id, org_id; /* 0 = none */
    bool active;
    int64_t created_at;
};

/* A page of a list: page from 1, per_page 1..500. */
struct page {
    int64_t page, per_page;
};

struct list_filter {
    const char *q;           /* substring of name (or INN, login), or NULL */
    const char *kind;        /* organizations: kind, or NULL */
    const char *role;        /* users: role, or NULL */
    int64_t municipality_id; /* 0 = any */
    int64_t org_id;          /* 0 = any */
};

extern const char *const dir_org_kinds[]; /* NULL-terminated */
extern const char *const dir_roles[];     /* NULL-terminated */
bool dir_is_org_kind(const char *s);
bool dir_is_role(const char *s);
/* Roles a scope may create or manage: a municipal operator cannot make an
 * admin or a regional operator; a regional operator cannot make an admin. */
bool dir_role_grantable(enum scope_kind by, const char *role);

/* Validation: each adds field errors to fe; returns their count.
 * dir_org_check: bank details are optional, but a settlement or
 * correspondent account needs the BIC its control key is computed with. */
int dir_municipality_check(const struct municipality *m, struct field_errors *fe);
int dir_org_check(const struct organization *o, struct field_errors *fe);
int dir_user_check(const struct user *u, const char *password, struct field_errors *fe);
int dir_password_check(const char *password, struct field_errors *fe);

/* Queries. Every one takes the caller's scope; an object outside it is
 * ERR_NOTFOUND. Lists fill *items (arena array), *count and *total. */
int dir_region_get(struct store_conn *c, const struct store_scope *s, int64_t id, struct arena *a,
                   struct region *out, struct err *e);
int dir_region_list(struct store_conn *c, const struct store_scope *s, struct page pg,
                    struct arena *a, struct region **items, int64_t *count, int64_t *total,
                    struct err *e);
int dir_region_create(struct store_conn *c, const struct store_scope *s, struct region *r,
                      struct err *e);

int dir_municipality_get(struct store_conn *c, const struct store_scope *s, int64_t id,
                         struct arena *a, struct municipality *out, struct err *e);
int dir_municipality_list(struct store_conn *c, const struct store_scope *s,
                          const struct list_filter *f, struct page pg, struct arena *a,
                          struct municipality **items, int64_t *count, int64_t *total,
                          struct err *e);
int dir_municipality_create(struct store_conn *c, const struct store_scope *s,
                            struct municipality *m, struct arena *a, struct err *e);
int dir_municipality_update(struct store_conn *c, const struct store_scope *s,
                            const struct municipality *m, struct arena *a, struct err *e);

int dir_org_get(struct store_conn *c, const struct store_scope *s, int64_t id, struct arena *a,
                struct organization *out, struct err *e);
int dir_org_list(struct store_conn *c, const struct store_scope *s, const struct list_filter *f,
                 struct page pg, struct arena *a, struct organization **items, int64_t *count,
                 int64_t *total, struct err *e);
int dir_org_create(struct store_conn *c, const struct store_scope *s, struct organization *o,
                   struct arena *a, struct err *e);
int dir_org_update(struct store_conn *c, const struct store_scope *s, const struct organization *o,
                   struct arena *a, struct err *e);

int dir_user_get(struct store_conn *c, const struct store_scope *s, int64_t id, struct arena *a,
                 struct user *out, struct err *e);
int dir_user_list(struct store_conn *c, const struct store_scope *s, const struct list_filter *f,
                  struct page pg, struct arena *a, struct user **items, int64_t *count,
                  int64_t *total, struct err *e);
/* Creates u with the given argon2id hash; fills u->id. */
int dir_user_create(struct store_conn *c, const struct store_scope *s, struct user *u,
                    const char *password_hash, struct arena *a, struct err *e);
/* Updates full_name, email, active; and the hash when password_hash != NULL. */
int dir_user_update(struct store_conn *c, const struct store_scope *s, const struct user *u,
                    const char *password_hash, struct arena *a, struct err *e);

/* Installation-level lookups (SCOPE_SYSTEM only): for login and the CLI. */
int dir_user_by_login(struct store_conn *c, const struct store_scope *s, const char *login,
                      struct arena *a, struct user *out, const char **password_hash, struct err *e);

#endif
