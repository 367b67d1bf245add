/* auth.c — passwords, sessions, throttling and the rights table. */
#include "auth/auth.h"

#include "audit/audit.h"

#include <semaphore.h>
#include <stdio.h>
#include <string.h>

/* Rights of each role (docs/api.md, "Roles, rights and scope"). */
static const struct {
    const char *role;
    unsigned rights;
} role_rights[] = {
#define R(x) (1u << RIGHT_##x)
/* What every staff role may do within its scope: background jobs, the registry, meters. */
#define STAFF                                                                                      \
    (R(JOBS_READ) | R(JOBS_WRITE) | R(SCHEDULES_READ) | R(REGISTRY_READ) | R(REGISTRY_WRITE) |     \
     R(METERS_READ) | R(METERS_WRITE) | R(METERS_REPORT) | R(READINGS_SUBMIT) | R(BILLING_READ))
/* Who sets tariffs, runs billing, closes periods and books payments: the
 * organization's own staff and the administrator. */
#define BILLER (R(BILLING_WRITE) | R(PAYMENTS_WRITE))
    {"admin", R(REGIONS_READ) | R(MUNICIPALITIES_READ) | R(MUNICIPALITIES_WRITE) |
                  R(ORGANIZATIONS_READ) | R(ORGANIZATIONS_CREATE) | R(ORGANIZATIONS_WRITE) |
                  R(USERS_READ) | R(USERS_WRITE) | R(AUDIT_READ) | STAFF | BILLER |
                  R(SCHEDULES_WRITE)},
    {"region_operator", R(REGIONS_READ) | R(MUNICIPALITIES_READ) | R(MUNICIPALITIES_WRITE) |
                            R(ORGANIZATIONS_READ) | R(ORGANIZATIONS_CREATE) |
                            R(ORGANIZATIONS_WRITE) | R(USERS_READ) | R(USERS_WRITE) |
                            R(AUDIT_READ) | STAFF | R(SCHEDULES_WRITE)},
    {"municipal_operator", R(REGIONS_READ) | R(MUNICIPALITIES_READ) | R(ORGANIZATIONS_READ) |
                               R(ORGANIZATIONS_CREATE) | R(ORGANIZATIONS_WRITE) | R(USERS_READ) |
                               R(USERS_WRITE) | R(AUDIT_READ) | STAFF},
    {"org_staff", R(REGIONS_READ) | R(MUNICIPALITIES_READ) | R(ORGANIZATIONS_READ) |
                      R(ORGANIZATIONS_WRITE) | STAFF | BILLER},
    {"resident",
     R(REGIONS_READ) | R(REGISTRY_READ) | R(METERS_READ) | R(READINGS_SUBMIT) | R(BILLING_READ)},
#undef STAFF
#undef BILLER
#undef R
};

static const char *const right_names[] = {
    [RIGHT_REGIONS_READ] = "regions.read",
    [RIGHT_MUNICIPALITIES_READ] = "municipalities.read",
    [RIGHT_MUNICIPALITIES_WRITE] = "municipalities.write",
    [RIGHT_ORGANIZATIONS_READ] = "organizations.read",
    [RIGHT_ORGANIZATIONS_CREATE] = "organizations.create",
    [RIGHT_ORGANIZATIONS_WRITE] = "organizations.write",
    [RIGHT_USERS_READ] = "users.read",
    [RIGHT_USERS_WRITE] = "users.write",
    [RIGHT_AUDIT_READ] = "audit.read",
    [RIGHT_JOBS_READ] = "jobs.read",
    [RIGHT_JOBS_WRITE] = "jobs.write",
    [RIGHT_SCHEDULES_READ] = "schedules.read",
    [RIGHT_SCHEDULES_WRITE] = "schedules.write",
    [RIGHT_REGISTRY_READ] = "registry.read",
    [RIGHT_REGISTRY_WRITE] = "registry.write",
    [RIGHT_METERS_READ] = "meters.read",
    [RIGHT_METERS_WRITE] = "meters.write",
    [RIGHT_METERS_REPORT] = "meters.report",
    [RIGHT_READINGS_SUBMIT] = "readings.submit",
    [RIGHT_BILLING_READ] = "billing.read",
    [RIGHT_BILLING_WRITE] = "billing.write",
    [RIGHT_PAYMENTS_WRITE] = "payments.write",
    [RIGHT_SESSION] = "session",
    [RIGHT_NONE] = "none",
};

static sem_t hash_slots; /* bounds concurrent argon2id hashes */

int auth_init(int max_parallel_hashes, struct err *e)
{
    if (sodium_init() < 0)
        return err_set(e, ERR_NOMEM, "libsodium failed to initialize");
    if (sem_init(&hash_slots, 0, (unsigned)(max_parallel_hashes > 0 ? max_parallel_hashes : 1)))
        return err_set(e, ERR_NOMEM, "cannot create semaphore");
    return 0;
}

bool auth_role_has(const char *role, enum right r)
{
    if (r == RIGHT_NONE || r == RIGHT_SESSION)
        return true;
    for (size_t i = 0; i < sizeof role_rights / sizeof role_rights[0]; i++)
        if (strcmp(role_rights[i].role, role) == 0)
            return role_rights[i].rights & (1u << r);
    return false;
}

const char *auth_right_name(enum right r)
{
    return right_names[r];
}

struct store_scope auth_scope_of(const struct user *u)
{
    struct store_scope s = {.user_id = u->id,
                            .region_id = u->region_id,
                            .municipality_id = u->municipality_id,
                            .org_id = u->org_id};
    if (strcmp(u->role, "admin") == 0)
        s.kind = SCOPE_ADMIN;
    else if (strcmp(u->role, "region_operator") == 0)
        s.kind = SCOPE_REGION;
    else if (strcmp(u->role, "municipal_operator") == 0)
        s.kind = SCOPE_MUNICIPALITY;
    else if (strcmp(u->role, "org_staff") == 0)
        s.kind = SCOPE_ORG;
    else if (strcmp(u->role, "resident") == 0)
        s.kind = SCOPE_RESIDENT;
    /* Defence in depth: a scoped role without its place sees nothing. */
    if ((s.kind == SCOPE_REGION && !s.region_id) ||
        (s.kind == SCOPE_MUNICIPALITY && !s.municipality_id) || (s.kind == SCOPE_ORG && !s.org_id))
        s.kind = SCOPE_NONE;
    return s;
}

int auth_password_hash(const char *password, char out[crypto_pwhash_STRBYTES], struct err *e)
{
    sem_wait(&hash_slots);
    int rc = crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                               crypto_pwhash_MEMLIMIT_INTERACTIVE);
    sem_post(&hash_slots);
    return rc == 0 ? 0 : err_set(e, ERR_NOMEM, "password hashing failed (out of memory)");
}

bool auth_password_verify(const char *hash, const char *password)
{
    sem_wait(&hash_slots);
    int rc = crypto_pwhash_str_verify(hash, password, strlen(password));
    sem_post(&hash_slots);
    return rc == 0;
}

static void hash_token(const char *token, char out[65])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof h);
}

/* Seconds until the caller may try again, or 0 if not throttled. */
static int throttle_wait(struct store_conn *c, const char *login, const char *address, long *wait,
                         struct err *e)
{
    static const char *const sql[] = {
        "SELECT count(*), coalesce(min(at), 0) FROM login_failures WHERE login = $1 AND at > $2",
        "SELECT count(*), coalesce(min(at), 0) FROM login_failures WHERE address = $1 AND at > $2",
    };
    const int64_t limit[] = {AUTH_MAX_PER_LOGIN, AUTH_MAX_PER_ADDRESS};
    const char *key[] = {login, address};
    int64_t now = store_now();
    *wait = 0;
    for (int i = 0; i < 2; i++) {
        struct store_val p[] = {SV_T(key[i]), SV_I(now - AUTH_WINDOW)};
        struct store_rows *r = NULL;
        int rc = store_query(c, sql[i], p, 2, &r, e);
        if (rc)
            return rc;
        if (store_next(r) && store_int(r, 0) >= limit[i]) {
            long w = (long)(store_int(r, 1) + AUTH_WINDOW - now);
            if (w > *wait)
                *wait = w > 0 ? w : 1;
        }
        store_rows_free(r);
    }
    return 0;
}

static int record_failure(struct store_conn *c, const char *login, const char *address,
                          const char *request_id, struct err *e)
{
    struct store_val p[] = {SV_T(login), SV_T(address), SV_I(store_now())};
    int rc = store_exec(c, "INSERT INTO login_failures (login, address, at) VALUES ($1, $2, $3)", p,
                        3, NULL, e);
    struct audit_actor who = {.login = login, .address = address, .request_id = request_id};
    return rc ? rc : audit_write(c, &who, "auth.login_failed", NULL, NULL, e);
}

static int open_session(struct store_conn *c, struct auth_session *out, char *token,
                        const char *address, long ttl, struct err *e)
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(token, AUTH_TOKEN_LEN + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    hash_token(token, out->token_hash);
    int64_t now = store_now();
    struct store_val p[] = {SV_T(out->token_hash), SV_I(out->user.id), SV_I(now), SV_I(now + ttl),
                            SV_T(address)};
    return store_exec(c,
                      "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, address)"
                      " VALUES ($1, $2, $3, $4, $5)",
                      p, 5, NULL, e);
}

static struct audit_object user_object(const struct user *u)
{
    return (struct audit_object){"user", u->id, u->region_id, u->municipality_id, u->org_id};
}

int auth_login(struct store_conn *c, const char *login, const char *password, const char *address,
               const char *request_id, long ttl, struct arena *a, struct auth_session *out,
               char *token, struct err *e)
{
    const struct store_scope system = {.kind = SCOPE_SYSTEM};
    long wait = 0;
    const char *hash = NULL;
    int rc = store_begin(c, e);
    if (rc || (rc = throttle_wait(c, login, address, &wait, e)))
        goto done;
    if (wait) {
        rc = err_set(e, ERR_THROTTLED, "слишком много неудачных попыток входа");
        e->retry_after = wait;
        goto done; /* nothing to write: roll back */
    }
    rc = dir_user_by_login(c, &system, login, a, &out->user, &hash, e);
    if (rc && rc != ERR_NOTFOUND)
        goto done;
    /* Verify even for an unknown login, so timing does not reveal which logins exist. */
    bool ok = auth_password_verify(hash ? hash
                                        : "$argon2id$v=19$m=65536,t=2,p=1$"
                                          "c29tZXNhbHRzb21lc2FsdA$"
                                          "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE",
                                   password);
    if (rc == ERR_NOTFOUND || !ok || !out->user.active) {
        if ((rc = record_failure(c, login, address, request_id, e)) == 0 &&
            (rc = store_commit(c, e)) == 0)
            rc = err_set(e, ERR_AUTH, "неверный логин или пароль");
        goto done;
    }
    out->scope = auth_scope_of(&out->user);
    struct audit_actor who = {out->user.id, out->user.login, address, request_id};
    struct audit_object obj = user_object(&out->user);
    if ((rc = open_session(c, out, token, address, ttl, e)) ||
        (rc = audit_write(c, &who, "auth.login", &obj, NULL, e)))
        goto done;
    rc = store_commit(c, e);
done:
    if (rc)
        store_rollback(c); /* no-op when the failure was already committed */
    return rc;
}

int auth_session_find(struct store_conn *c, const char *token, struct arena *a,
                      struct auth_session *out, struct err *e)
{
    if (strlen(token) != AUTH_TOKEN_LEN)
        return err_set(e, ERR_AUTH, "сессия не найдена");
    hash_token(token, out->token_hash);
    struct store_val p[] = {SV_T(out->token_hash), SV_I(store_now())};
    struct store_rows *r = NULL;
    int rc = store_query(c,
                         "SELECT u.id, u.login, u.full_name, u.email, u.role, u.region_id,"
                         " u.municipality_id, u.org_id, u.active, u.created_at"
                         " FROM sessions s JOIN users u ON u.id = s.user_id"
                         " WHERE s.token_hash = $1 AND s.expires_at > $2"
                         " AND s.revoked_at IS NULL AND u.active = 1",
                         p, 2, &r, e);
    if (rc)
        return rc;
    if (store_next(r)) {
        struct user *u = &out->user;
        u->id = store_int(r, 0);
        u->login = store_dup(r, 1, a);
        u->full_name = store_dup(r, 2, a);
        u->email = store_dup(r, 3, a);
        u->role = store_dup(r, 4, a);
        u->region_id = store_int(r, 5);
        u->municipality_id = store_int(r, 6);
        u->org_id = store_int(r, 7);
        u->active = true;
        u->created_at = store_int(r, 9);
        out->scope = auth_scope_of(u);
    } else {
        rc = err_set(e, ERR_AUTH, "сессия не найдена или истекла");
    }
    store_rows_free(r);
    return rc;
}

int auth_logout(struct store_conn *c, const struct auth_session *s, struct err *e)
{
    struct store_val p[] = {SV_I(store_now()), SV_T(s->token_hash)};
    return store_exec(c, "UPDATE sessions SET revoked_at = $1 WHERE token_hash = $2", p, 2, NULL,
                      e);
}
