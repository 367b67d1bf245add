/* payments_impl.h — what the entries (payments.c) and the bank registry file
 * (payments_import.c) share: the scope predicate of the payments table, the
 * organization's clock, the comparison of an entry with a repeated one.
 * Included only by those two files. */
#ifndef UPRAVDOM_PAYMENTS_IMPL_H
#define UPRAVDOM_PAYMENTS_IMPL_H

#include "billing/billing.h"

#include <stddef.h>

/* The caller's scope over payments y as $1..$4 (pay_scope_bind): region,
 * municipality, organization, and a resident's own accounts (premises in
 * resident_premises). */
#define PAY_SCOPE                                                                                  \
    "(y.region_id = $1 OR $1 = 0) AND (y.municipality_id = $2 OR $2 = 0)"                          \
    " AND (y.org_id = $3 OR $3 = 0)"                                                               \
    " AND (CAST($4 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM accounts ra"                            \
    " JOIN resident_premises rp ON rp.premises_id = ra.premises_id"                                \
    " WHERE ra.id = y.account_id AND rp.user_id = $4))"

/* The same over accounts a. */
#define PAY_ACCOUNT_SCOPE                                                                          \
    "(a.region_id = $1 OR $1 = 0) AND (a.municipality_id = $2 OR $2 = 0)"                          \
    " AND (a.org_id = $3 OR $3 = 0)"                                                               \
    " AND (CAST($4 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM resident_premises rp"                   \
    " WHERE rp.premises_id = a.premises_id AND rp.user_id = $4))"

/* An account's money received (payments − reversals) and refunded, by a
 * date: $1 the account, $2 the date (inclusive). */
#define PAY_RECEIVED_SQL                                                                           \
    "SELECT CAST(coalesce(sum(CASE WHEN y.kind = 'payment' THEN y.amount"                          \
    " WHEN y.kind = 'reversal' THEN -y.amount ELSE 0 END), 0) AS BIGINT),"                         \
    " CAST(coalesce(sum(CASE WHEN y.kind = 'refund' THEN y.amount ELSE 0 END), 0) AS BIGINT)"      \
    " FROM payments y WHERE y.account_id = $1 AND y.paid_on <= $2"

void pay_scope_bind(const struct store_scope *s, struct store_val p[4]);

/* 0 when s may book entries (the installation, the administrator, an
 * organization's staff); ERR_FORBIDDEN otherwise. */
int pay_scope_writes(const struct store_scope *s, struct err *e);

/* PostgreSQL: an entry that subtracts from an account (a refund, a
 * reversal) takes the account's row lock before its checks, so two of them
 * cannot both pass against the same state. SQLite's writer holds the whole
 * database from BEGIN IMMEDIATE: nothing to do. */
int pay_lock_account(struct store_conn *c, int64_t account_id, struct err *e);

/* Today (YYYY-MM-DD) on the clock of the organization's municipality at
 * the instant now; the UTC date when the zone is unknown. */
int pay_today(struct store_conn *c, int64_t org_id, int64_t now, char out[DATE_STR_SIZE],
              struct err *e);

/* The entry's data that a repeated booking must match. */
struct pay_key {
    int64_t account_id;
    enum payment_kind kind;
    const char *paid_on;
    int64_t amount; /* 0: any (a reversal's amount is the payment's) */
    int period;
    int64_t reverses;
};

/* Writes into buf (Russian) what differs between the stored entry x and k,
 * "" when nothing does; returns whether something does. */
bool pay_differs(const struct payment *x, const struct pay_key *k, char *buf, size_t size);

/* "YYYY-MM" of a period, in the arena (NULL for 0). */
const char *pay_period_text(struct arena *a, int period);
/* A stored period ("YYYY-MM" or NULL) as a number (0 for NULL). */
int pay_period_stored(const char *s);

#endif
