/* quality.c — the registry's data-quality figures (issue: registry, item 5):
 * share of premises with a cadastral number, premises without any right,
 * долевая shares that do not add up to 1 (summed exactly as fractions), and
 * accounts without premises. */
#include "registry/registry.h"

#define Q_SCOPE                                                                                    \
    "(p.region_id = $1 OR $1 = 0) AND (p.municipality_id = $2 OR $2 = 0)"                          \
    " AND (CAST($3 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM house_orgs ho"                          \
    " WHERE ho.house_id = p.house_id AND ho.org_id = $3))"                                         \
    " AND (CAST($4 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM resident_premises rp"                   \
    " WHERE rp.premises_id = p.id AND rp.user_id = $4))"                                           \
    " AND (CAST($5 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM house_orgs hq"                          \
    " WHERE hq.house_id = p.house_id AND hq.org_id = $5))"

static int64_t gcd(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a < 0 ? -a : a;
}

/* Counts premises whose current долевая shares do not sum to exactly 1. */
static int count_bad_shares(struct store_conn *c, const struct store_val *p, int64_t *bad,
                            struct err *e)
{
    struct store_rows *r = NULL;
    int rc = store_query(c,
                         "SELECT r.premises_id, r.share_num, r.share_den FROM rights r"
                         " JOIN premises p ON p.id = r.premises_id WHERE r.end_date IS NULL"
                         " AND r.right_type = 'shared' AND " Q_SCOPE " ORDER BY r.premises_id",
                         p, 5, &r, e);
    if (rc)
        return rc;
    int64_t current = 0, num = 0, den = 1;
    bool any = false, overflow = false;
    *bad = 0;
    while (store_next(r)) {
        int64_t id = store_int(r, 0), n = store_int(r, 1), d = store_int(r, 2);
        if (any && id != current) {
            *bad += overflow || num != den;
            num = 0, den = 1, overflow = false;
        }
        any = true;
        current = id;
        /* num/den + n/d, reduced; __int128 keeps the cross products exact. */
        __int128 nn = (__int128)num * d + (__int128)n * den, dd = (__int128)den * d;
        if (d <= 0 || dd > INT64_MAX || nn > INT64_MAX) {
            overflow = true;
            continue;
        }
        int64_t g = gcd((int64_t)nn, (int64_t)dd);
        num = g ? (int64_t)nn / g : 0;
        den = g ? (int64_t)dd / g : 1;
    }
    if (any)
        *bad += overflow || num != den;
    store_rows_free(r);
    return 0;
}

int reg_quality(struct store_conn *c, const struct store_scope *s, int64_t org_id,
                struct reg_quality *out, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[5];
    reg_scope_bind(s, p);
    p[4] = SV_I(org_id);
    struct store_rows *r = NULL;
    if ((rc = store_query(
             c,
             "SELECT count(*),"
             " coalesce(sum(CASE WHEN p.cadastral_number IS NOT NULL"
             " AND p.cadastral_number <> '' THEN 1 ELSE 0 END), 0),"
             " coalesce(sum(CASE WHEN NOT EXISTS (SELECT 1 FROM rights r"
             " WHERE r.premises_id = p.id AND r.end_date IS NULL) THEN 1 ELSE 0 END), 0)"
             " FROM premises p WHERE " Q_SCOPE,
             p, 5, &r, e)))
        return rc;
    if (store_next(r)) {
        out->premises = store_int(r, 0);
        out->with_cadastral = store_int(r, 1);
        out->without_rights = store_int(r, 2);
    }
    store_rows_free(r);
    if ((rc = count_bad_shares(c, p, &out->shares_not_one, e)))
        return rc;
    return store_query_int(
        c,
        "SELECT count(*) FROM accounts a WHERE a.premises_id IS NULL"
        " AND (a.region_id = $1 OR $1 = 0) AND (a.municipality_id = $2 OR $2 = 0)"
        " AND (CAST($3 AS BIGINT) = 0 OR a.org_id = $3) AND CAST($4 AS BIGINT) = 0"
        " AND (CAST($5 AS BIGINT) = 0 OR a.org_id = $5)",
        p, 5, &out->accounts_without_premises, e);
}

#define N_SCOPE                                                                                    \
    "(g.region_id = $1 OR $1 = 0) AND (g.municipality_id = $2 OR $2 = 0)"                          \
    " AND (CAST($3 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM house_orgs ho"                          \
    " WHERE ho.house_id = g.house_id AND ho.org_id = $3))"                                         \
    " AND (CAST($4 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM resident_premises rp"                   \
    " WHERE rp.premises_id = g.premises_id AND rp.user_id = $4))"                                  \
    " AND (CAST($5 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM house_orgs hq"                          \
    " WHERE hq.house_id = g.house_id AND hq.org_id = $5))"                                         \
    " AND g.changed_on >= $6 AND g.changed_on <= $7"

int reg_notice(struct store_conn *c, const struct store_scope *s, int64_t org_id, const char *from,
               const char *to, struct arena *a, struct reg_notice *out, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[7];
    reg_scope_bind(s, p);
    p[4] = SV_I(org_id);
    p[5] = SV_T(from);
    p[6] = SV_T(to);
    int64_t n = 0;
    if ((rc = store_query_int(c,
                              "SELECT count(DISTINCT g.premises_id) FROM registry_changes g"
                              " WHERE " N_SCOPE,
                              p, 7, &n, e)))
        return rc;
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT g.premises_id, g.house_id, h.address, pr.number,"
                          " max(CASE WHEN g.kind = 'owner' THEN 1 ELSE 0 END),"
                          " max(CASE WHEN g.kind = 'area' THEN 1 ELSE 0 END)"
                          " FROM registry_changes g JOIN houses h ON h.id = g.house_id"
                          " JOIN premises pr ON pr.id = g.premises_id WHERE " N_SCOPE
                          " GROUP BY g.premises_id, g.house_id, h.address, pr.number"
                          " ORDER BY h.address COLLATE ru_natural, pr.number COLLATE ru_natural",
                          p, 7, &r, e)))
        return rc;
    *out = (struct reg_notice){0};
    if (!(out->items = arena_alloc(a, sizeof *out->items * (size_t)(n ? n : 1))))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    while (rc == 0 && out->count < n && store_next(r)) {
        struct notice_item *it = &out->items[out->count++];
        it->premises_id = store_int(r, 0);
        it->house_id = store_int(r, 1);
        it->address = store_dup(r, 2, a);
        it->number = store_dup(r, 3, a);
        it->owner_changed = store_int(r, 4) != 0;
        it->area_changed = store_int(r, 5) != 0;
        out->owners_changed += it->owner_changed;
        out->areas_changed += it->area_changed;
    }
    store_rows_free(r);
    return rc;
}
