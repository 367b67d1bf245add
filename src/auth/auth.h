/* auth.h — who the caller is and what they may do: argon2id password hashes
 * (libsodium), session tokens (random, stored only as a BLAKE2b hash), login
 * throttling, and the role → rights table. What a caller may *see* is their
 * scope (store.h), derived here from the user record. */
#ifndef UPRAVDOM_AUTH_H
#define UPRAVDOM_AUTH_H

#include "directory/directory.h"
#include "store/store.h"

#include <sodium.h>

enum right {
    RIGHT_REGIONS_READ,
    RIGHT_MUNICIPALITIES_READ,
    RIGHT_MUNICIPALITIES_WRITE,
    RIGHT_ORGANIZATIONS_READ,
    RIGHT_ORGANIZATIONS_CREATE,
    RIGHT_ORGANIZATIONS_WRITE,
    RIGHT_USERS_READ,
    RIGHT_USERS_WRITE,
    RIGHT_AUDIT_READ,
    RIGHT_JOBS_READ,
    RIGHT_JOBS_WRITE,
    RIGHT_SCHEDULES_READ,
    RIGHT_SCHEDULES_WRITE,
    RIGHT_REGISTRY_READ,
    RIGHT_REGISTRY_WRITE,
    RIGHT_METERS_READ,
    RIGHT_METERS_WRITE,
    RIGHT_METERS_REPORT,
    RIGHT_READINGS_SUBMIT,
    RIGHT_BILLING_READ,
    RIGHT_BILLING_WRITE,
    RIGHT_PAYMENTS_WRITE,
    RIGHT_SESSION, /* any signed-in user */
    RIGHT_NONE     /* open route */
};

/* Throttling limits (see docs/api.md). */
#define AUTH_WINDOW 900         /* seconds */
#define AUTH_MAX_PER_LOGIN 5    /* failures of one login within the window */
#define AUTH_MAX_PER_ADDRESS 20 /* failures from one address within the window */

#define AUTH_TOKEN_LEN 43 /* base64url of 32 random bytes */

struct auth_session {
    struct user user;         /* the signed-in user */
    struct store_scope scope; /* what they may see */
    char token_hash[65];      /* hex; identifies the session */
};

/* Call once at start (sodium_init). */
int auth_init(int max_parallel_hashes, struct err *e);

bool auth_role_has(const char *role, enum right r);
const char *auth_right_name(enum right r);

/* The scope of a user's role and place. */
struct store_scope auth_scope_of(const struct user *u);

/* argon2id hash in libsodium's encoded form. At most max_parallel_hashes run
 * at once (each takes 64 MiB). */
int auth_password_hash(const char *password, char out[crypto_pwhash_STRBYTES], struct err *e);
bool auth_password_verify(const char *hash, const char *password);

/* Checks the throttle, then the password; on success opens a session of ttl
 * seconds and writes *token (AUTH_TOKEN_LEN + 1 bytes). ERR_THROTTLED sets
 * e->retry_after; ERR_AUTH for a bad login or password (one answer for both).
 * Records the attempt in login_failures / the audit log. Runs its own
 * transaction. */
int auth_login(struct store_conn *c, const char *login, const char *password, const char *address,
               const char *request_id, long ttl, struct arena *a, struct auth_session *out,
               char *token, struct err *e);

/* Finds the live session of a token. ERR_AUTH if unknown, expired, revoked or
 * the user is inactive. */
int auth_session_find(struct store_conn *c, const char *token, struct arena *a,
                      struct auth_session *out, struct err *e);

/* Revokes the session. */
int auth_logout(struct store_conn *c, const struct auth_session *s, struct err *e);

#endif
