/* registry_premises.c — premises with their rights and accounts, the
 * accounts list and the change log, all scoped as in registry_db.c. A
 * supplier sees only its own accounts; a house's manager sees all of them. */
#include "registry/registry.h"

#include "base/text.h"

#include <stdlib.h>
#include <string.h>

#define PREMISES_SCOPE                                                                             \
    "(p.region_id = $1 OR $1 = 0) AND (p.municipality_id = $2 OR $2 = 0)"                          \
    " AND (CAST($3 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM house_orgs ho"                          \
    " WHERE ho.house_id = p.house_id AND ho.org_id = $3))"                                         \
    " AND (CAST($4 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM resident_premises rp"                   \
    " WHERE rp.premises_id = p.id AND rp.user_id = $4))"

#define ACCOUNT_SCOPE                                                                              \
    " AND (CAST($3 AS BIGINT) = 0 OR a.org_id = $3 OR EXISTS (SELECT 1 FROM house_orgs hm"         \
    " WHERE hm.house_id = a.house_id AND hm.org_id = $3 AND hm.role = 'manager'))"

#define PREMISES_COLS                                                                              \
    "p.id, p.house_id, p.number, p.kind, p.area, p.cadastral_number, p.entrance, p.floor"

#define RIGHT_COLS                                                                                 \
    "r.id, r.premises_id, r.owner_kind, r.owner_name, r.owner_inn, r.right_type, r.share_num,"     \
    " r.share_den, r.reg_number, r.reg_date, r.end_date,"                                          \
    " (SELECT en.kind FROM encumbrances en WHERE en.right_id = r.id ORDER BY en.id LIMIT 1),"      \
    " (SELECT en.reg_number FROM encumbrances en WHERE en.right_id = r.id ORDER BY en.id LIMIT "   \
    "1),"                                                                                          \
    " (SELECT en.reg_date FROM encumbrances en WHERE en.right_id = r.id ORDER BY en.id LIMIT 1)"

#define ACCOUNT_COLS                                                                               \
    "a.id, a.premises_id, a.house_id, a.org_id, a.els, a.number, a.payer_name, a.opened_on,"       \
    " a.closed_on, a.residents,"                                                                   \
    " (SELECT coalesce(o.short_name, o.name) FROM organizations o WHERE o.id = a.org_id)"

static void read_premises(struct store_rows *r, struct arena *a, struct premises *p)
{
    p->id = store_int(r, 0);
    p->house_id = store_int(r, 1);
    p->number = store_dup(r, 2, a);
    p->kind = store_dup(r, 3, a);
    p->area = store_int(r, 4);
    p->cadastral_number = store_dup(r, 5, a);
    p->entrance = store_isnull(r, 6) ? REG_NONE : store_int(r, 6);
    p->floor = store_isnull(r, 7) ? REG_NONE : store_int(r, 7);
}

static void read_right(struct store_rows *r, struct arena *a, struct ownership *x)
{
    x->id = store_int(r, 0);
    x->premises_id = store_int(r, 1);
    x->owner_kind = store_dup(r, 2, a);
    x->owner_name = store_dup(r, 3, a);
    x->owner_inn = store_dup(r, 4, a);
    x->right_type = store_dup(r, 5, a);
    x->share_num = store_int(r, 6);
    x->share_den = store_int(r, 7);
    x->reg_number = store_dup(r, 8, a);
    x->reg_date = store_dup(r, 9, a);
    x->end_date = store_dup(r, 10, a);
    x->encumbrance = store_dup(r, 11, a);
    x->enc_number = store_dup(r, 12, a);
    x->enc_date = store_dup(r, 13, a);
}

static void read_account(struct store_rows *r, struct arena *a, struct account *x)
{
    x->id = store_int(r, 0);
    x->premises_id = store_int(r, 1);
    x->house_id = store_int(r, 2);
    x->org_id = store_int(r, 3);
    x->els = store_dup(r, 4, a);
    x->number = store_dup(r, 5, a);
    x->payer_name = store_dup(r, 6, a);
    x->opened_on = store_dup(r, 7, a);
    x->closed_on = store_dup(r, 8, a);
    x->residents = store_int(r, 9);
    x->org_name = store_dup(r, 10, a);
}

/* Premises by id, for attaching rights and accounts (items sorted by id). */
static int by_id(const void *a, const void *b)
{
    int64_t x = (*(struct premises *const *)a)->id, y = (*(struct premises *const *)b)->id;
    return x < y ? -1 : x > y;
}

static struct premises *find(struct premises **index, int64_t n, int64_t id)
{
    struct premises key = {.id = id}, *k = &key;
    struct premises **hit = bsearch(&k, index, (size_t)n, sizeof *index, by_id);
    return hit ? *hit : NULL;
}

/* Appends to a growing arena array of `size`-byte items (capacity doubles at powers of two). */
static void *append(struct arena *a, void *items, int count, size_t size)
{
    if (count && (count & (count - 1)))
        return items;
    void *bigger = arena_alloc(a, size * (size_t)(count ? count * 2 : 1));
    if (bigger && items)
        memcpy(bigger, items, size * (size_t)count);
    return bigger;
}

/* Loads rights (sql_rights) and accounts (sql_accounts), both taking $1..$5,
 * onto the premises in index. */
static int attach(struct store_conn *c, const struct store_val *p, const char *sql_rights,
                  const char *sql_accounts, struct arena *a, struct premises **index, int64_t n,
                  struct err *e)
{
    struct store_rows *r = NULL;
    int rc = store_query(c, sql_rights, p, 5, &r, e);
    while (rc == 0 && store_next(r)) {
        struct premises *pr = find(index, n, store_int(r, 1));
        if (!pr)
            continue;
        if (!(pr->rights = append(a, pr->rights, pr->nrights, sizeof *pr->rights)))
            rc = err_set(e, ERR_NOMEM, "out of memory");
        else
            read_right(r, a, &pr->rights[pr->nrights++]);
    }
    store_rows_free(r);
    r = NULL;
    if (rc == 0)
        rc = store_query(c, sql_accounts, p, 5, &r, e);
    while (rc == 0 && store_next(r)) {
        struct premises *pr = find(index, n, store_int(r, 1));
        if (!pr)
            continue;
        if (!(pr->accounts = append(a, pr->accounts, pr->naccounts, sizeof *pr->accounts)))
            rc = err_set(e, ERR_NOMEM, "out of memory");
        else
            read_account(r, a, &pr->accounts[pr->naccounts++]);
    }
    store_rows_free(r);
    return rc;
}

static struct premises **make_index(struct arena *a, struct premises *items, int64_t n)
{
    struct premises **index = arena_alloc(a, sizeof *index * (size_t)(n ? n : 1));
    for (int64_t i = 0; index && i < n; i++)
        index[i] = &items[i];
    if (index)
        qsort(index, (size_t)n, sizeof *index, by_id);
    return index;
}

int reg_house_premises(struct store_conn *c, const struct store_scope *s, int64_t house_id,
                       struct arena *a, struct premises **items, int64_t *count, struct err *e)
{
    struct house h;
    int rc = reg_house_get(c, s, house_id, a, &h, e);
    if (rc)
        return rc;
    struct store_val p[5];
    reg_scope_bind(s, p);
    p[4] = SV_I(house_id);
    int64_t n = 0;
    if ((rc = store_query_int(
             c, "SELECT count(*) FROM premises p WHERE p.house_id = $5 AND " PREMISES_SCOPE, p, 5,
             &n, e)))
        return rc;
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT " PREMISES_COLS
                          " FROM premises p WHERE p.house_id = $5 AND " PREMISES_SCOPE
                          " ORDER BY p.entrance, p.floor, p.number COLLATE ru_natural",
                          p, 5, &r, e)))
        return rc;
    *count = 0;
    if (!(*items = arena_alloc(a, sizeof **items * (size_t)(n ? n : 1))))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    while (rc == 0 && *count < n && store_next(r))
        read_premises(r, a, &(*items)[(*count)++]);
    store_rows_free(r);
    struct premises **index = rc ? NULL : make_index(a, *items, *count);
    if (rc || !index)
        return rc ? rc : err_set(e, ERR_NOMEM, "out of memory");
    return attach(c, p,
                  "SELECT " RIGHT_COLS " FROM rights r JOIN premises p ON p.id = r.premises_id"
                  " WHERE r.house_id = $5 AND r.end_date IS NULL AND " PREMISES_SCOPE
                  " ORDER BY r.premises_id, r.id",
                  "SELECT " ACCOUNT_COLS " FROM accounts a JOIN premises p ON p.id = a.premises_id"
                  " WHERE a.house_id = $5 AND a.closed_on IS NULL AND " PREMISES_SCOPE ACCOUNT_SCOPE
                  " ORDER BY a.premises_id, a.id",
                  a, index, *count, e);
}

int reg_premises_get(struct store_conn *c, const struct store_scope *s, int64_t id, struct arena *a,
                     struct premises *out, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[5];
    reg_scope_bind(s, p);
    p[4] = SV_I(id);
    struct store_rows *r = NULL;
    if ((rc = store_query(
             c, "SELECT " PREMISES_COLS " FROM premises p WHERE p.id = $5 AND " PREMISES_SCOPE, p,
             5, &r, e)))
        return rc;
    if (store_next(r))
        read_premises(r, a, out);
    else
        rc = err_set(e, ERR_NOTFOUND, "помещение не найдено");
    store_rows_free(r);
    if (rc)
        return rc;
    struct premises *one = out, **index = &one;
    return attach(c, p,
                  "SELECT " RIGHT_COLS " FROM rights r JOIN premises p ON p.id = r.premises_id"
                  " WHERE r.premises_id = $5 AND " PREMISES_SCOPE
                  " ORDER BY r.end_date IS NULL DESC, r.id",
                  "SELECT " ACCOUNT_COLS " FROM accounts a JOIN premises p ON p.id = a.premises_id"
                  " WHERE a.premises_id = $5 AND " PREMISES_SCOPE ACCOUNT_SCOPE " ORDER BY a.id",
                  a, index, 1, e);
}

#define ACCOUNT_FILTER                                                                             \
    "(a.region_id = $1 OR $1 = 0) AND (a.municipality_id = $2 OR $2 = 0)" ACCOUNT_SCOPE            \
    " AND (CAST($4 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM resident_premises rp"                   \
    " WHERE rp.premises_id = a.premises_id AND rp.user_id = $4))"                                  \
    " AND (a.house_id = $5 OR $5 = 0) AND (a.org_id = $6 OR $6 = 0)"                               \
    " AND (lower(a.els) LIKE $7 ESCAPE '\\' OR lower(a.number) LIKE $7 ESCAPE '\\' OR $7 IS NULL)" \
    " AND (a.id = $8 OR $8 = 0)"

int reg_account_list(struct store_conn *c, const struct store_scope *s,
                     const struct account_filter *f, struct page pg, struct arena *a,
                     struct account **items, int64_t *count, int64_t *total, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[10];
    reg_scope_bind(s, p);
    p[4] = SV_I(f->house_id);
    p[5] = SV_I(f->org_id);
    p[6] = SV_T(f->q ? text_like_pattern(a, f->q) : NULL);
    p[7] = SV_I(f->id);
    p[8] = SV_I(pg.per_page);
    p[9] = SV_I((pg.page - 1) * pg.per_page);
    if ((rc = store_query_int(c, "SELECT count(*) FROM accounts a WHERE " ACCOUNT_FILTER, p, 8,
                              total, e)))
        return rc;
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT " ACCOUNT_COLS " FROM accounts a WHERE " ACCOUNT_FILTER
                          " ORDER BY a.id LIMIT $9 OFFSET $10",
                          p, 10, &r, e)))
        return rc;
    *count = 0;
    if (!(*items = arena_alloc(a, sizeof **items * (size_t)pg.per_page)))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    while (rc == 0 && *count < pg.per_page && store_next(r))
        read_account(r, a, &(*items)[(*count)++]);
    store_rows_free(r);
    return rc;
}

#define CHANGE_FILTER                                                                              \
    "(g.region_id = $1 OR $1 = 0) AND (g.municipality_id = $2 OR $2 = 0)"                          \
    " AND (CAST($3 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM house_orgs ho"                          \
    " WHERE ho.house_id = g.house_id AND ho.org_id = $3))"                                         \
    " AND (CAST($4 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM resident_premises rp"                   \
    " WHERE rp.premises_id = g.premises_id AND rp.user_id = $4))"                                  \
    " AND (g.changed_on >= $5 OR $5 IS NULL) AND (g.changed_on <= $6 OR $6 IS NULL)"               \
    " AND (g.kind = $7 OR $7 IS NULL)"

int reg_change_list(struct store_conn *c, const struct store_scope *s,
                    const struct change_filter *f, struct page pg, struct arena *a,
                    struct change **items, int64_t *count, int64_t *total, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[9];
    reg_scope_bind(s, p);
    p[4] = SV_T(f->from);
    p[5] = SV_T(f->to);
    p[6] = SV_T(f->kind);
    p[7] = SV_I(pg.per_page);
    p[8] = SV_I((pg.page - 1) * pg.per_page);
    if ((rc = store_query_int(c, "SELECT count(*) FROM registry_changes g WHERE " CHANGE_FILTER, p,
                              7, total, e)))
        return rc;
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT g.id, g.house_id, g.premises_id, g.kind, g.old_value,"
                          " g.new_value, g.changed_on, g.source, g.at,"
                          " (SELECT h.address FROM houses h WHERE h.id = g.house_id),"
                          " (SELECT pr.number FROM premises pr WHERE pr.id = g.premises_id)"
                          " FROM registry_changes g"
                          " WHERE " CHANGE_FILTER " ORDER BY g.changed_on DESC, g.id DESC"
                          " LIMIT $8 OFFSET $9",
                          p, 9, &r, e)))
        return rc;
    *count = 0;
    if (!(*items = arena_alloc(a, sizeof **items * (size_t)pg.per_page)))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    while (rc == 0 && *count < pg.per_page && store_next(r)) {
        struct change *x = &(*items)[(*count)++];
        x->id = store_int(r, 0);
        x->house_id = store_int(r, 1);
        x->premises_id = store_int(r, 2);
        x->kind = store_dup(r, 3, a);
        x->old_value = store_dup(r, 4, a);
        x->new_value = store_dup(r, 5, a);
        x->changed_on = store_dup(r, 6, a);
        x->source = store_dup(r, 7, a);
        x->at = store_int(r, 8);
        x->address = store_dup(r, 9, a);
        x->number = store_dup(r, 10, a);
    }
    store_rows_free(r);
    return rc;
}

int reg_account_get(struct store_conn *c, const struct store_scope *s, int64_t id, struct arena *a,
                    struct account *out, struct err *e)
{
    struct account_filter f = {.id = id};
    struct account *items;
    int64_t n, total;
    int rc = reg_account_list(c, s, &f, (struct page){1, 1}, a, &items, &n, &total, e);
    if (!rc && n == 0)
        rc = err_set(e, ERR_NOTFOUND, "лицевой счёт не найден");
    if (!rc)
        *out = items[0];
    return rc;
}
