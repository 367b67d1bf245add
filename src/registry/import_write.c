/* import_write.c — writing the extract of premises and rights, and
 * import_premises, which reads the extract (import_premises.c) and then
 * writes it house by house: the house's stored premises, rights and
 * encumbrances are loaded into hash tables (load_house); each premises is
 * created or updated, its rights created, restored, updated or ended, and
 * every change of owners or area recorded in registry_changes; new rows go
 * out in batches (import_batch.c). Finally the rejected rows are listed. */
#include "registry/import_impl.h"

#include "base/money.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ premises file: writing */

/* Stored values (index 0: none); the words of the file for them are in
 * import_premises.c. */
static const char *const premises_kinds[] = {NULL, "residential", "nonresidential", "parking",
                                             "storage"};
static const char *const owner_kinds[] = {NULL, "person", "legal", "public"};
static const char *const right_types[] = {NULL, "own", "shared", "joint"};

static unsigned char db_index(const char *s, const char *const *names, int n)
{
    for (int i = 1; s && i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return (unsigned char)i;
    return 0;
}

/* A stored premises of the house being written. */
struct epremises {
    struct epremises *next;
    int64_t id, area, entrance, floor;
    const char *number, *cadastral;
    unsigned char kind;
    bool seen; /* the file lists it */
    bool skip; /* the file's rows for it were rejected: leave it as it is */
    struct eright *rights;
};

/* A stored right (current or ended) of the house being written. */
struct eright {
    struct eright *next; /* of the same premises */
    int64_t id, premises_id, share_num, share_den;
    const char *owner_name, *owner_inn, *reg_number, *reg_date, *end_date;
    unsigned char owner_kind, right_type;
    bool matched; /* the file lists it */
    struct eenc *enc;
};

struct eenc {
    struct eenc *next;
    const char *kind, *reg_number, *reg_date;
};

/* Writing state, reused from house to house. */
struct writer {
    bool pg; /* PostgreSQL: collect rows into batches */
    /* SQLite: the next ids of premises and rights. The import holds the
     * write lock from its start (BEGIN IMMEDIATE), so max(id) + 1 … are the
     * ids SQLite would choose; giving them spares an INSERT … RETURNING per
     * row, which SQLite runs through a temporary table. */
    int64_t next_premises, next_right;
    struct arena *ha; /* the current house's stored rows */
    struct arena *ba; /* texts of rows waiting in the batches; renewed after each flush */
    struct epremises *list;
    struct htab by_number, by_id, rights, rights_by_id;
    struct batch premises, rights_new, encs, changes, ends;
    struct htab *groups; /* the file's premises, to map returned ids */
};

static bool ep_number_eq(const void *v, const void *key)
{
    return strcmp(((const struct epremises *)v)->number, key) == 0;
}

static bool ep_id_eq(const void *v, const void *key)
{
    return ((const struct epremises *)v)->id == *(const int64_t *)key;
}

static bool er_id_eq(const void *v, const void *key)
{
    return ((const struct eright *)v)->id == *(const int64_t *)key;
}

struct rkey {
    int64_t premises_id;
    const char *reg_number, *owner;
};

static bool er_key_eq(const void *v, const void *key)
{
    const struct eright *r = v;
    const struct rkey *k = key;
    return r->premises_id == k->premises_id && strcmp(r->reg_number, k->reg_number) == 0 &&
           strcmp(r->owner_name, k->owner) == 0;
}

static uint64_t rkey_hash(int64_t pid, const char *reg, const char *owner)
{
    return hash_str(hash_str(hash_bytes(HASH_SEED, &pid, sizeof pid), reg), owner);
}

static uint64_t id_hash(int64_t id)
{
    return hash_bytes(HASH_SEED, &id, sizeof id);
}

/* Loads the house's premises, rights (ended ones too) and encumbrances. */
static int load_house(struct imp *m, struct writer *w, const struct phouse *h)
{
    arena_free(w->ha);
    w->list = NULL;
    ht_clear(&w->by_number);
    ht_clear(&w->by_id);
    ht_clear(&w->rights);
    ht_clear(&w->rights_by_id);
    if (!(w->ha = arena_new()))
        return err_set(m->e, ERR_NOMEM, "out of memory");
    struct store_val p[] = {SV_I(h->id)};
    struct store_rows *r = NULL;
    int rc = store_query(m->c,
                         "SELECT id, number, kind, area, cadastral_number, entrance, floor"
                         " FROM premises WHERE house_id = $1",
                         p, 1, &r, m->e);
    while (rc == 0 && store_next(r)) {
        struct epremises *ep = arena_alloc(w->ha, sizeof *ep);
        if (!ep) {
            rc = err_set(m->e, ERR_NOMEM, "out of memory");
            break;
        }
        ep->id = store_int(r, 0);
        ep->number = store_dup(r, 1, w->ha);
        ep->kind = db_index(store_text(r, 2), premises_kinds, 5);
        ep->area = store_int(r, 3);
        ep->cadastral = store_dup(r, 4, w->ha);
        ep->entrance = store_isnull(r, 5) ? NONE : store_int(r, 5);
        ep->floor = store_isnull(r, 6) ? NONE : store_int(r, 6);
        ep->next = w->list;
        w->list = ep;
        if (!ep->number || ht_put(&w->by_number, hash_str(HASH_SEED, ep->number), ep) ||
            ht_put(&w->by_id, id_hash(ep->id), ep))
            rc = err_set(m->e, ERR_NOMEM, "out of memory");
    }
    store_rows_free(r);
    if (rc || !w->list)
        return rc; /* a new house: nothing more to load */
    rc = store_query(m->c,
                     "SELECT id, premises_id, owner_kind, owner_name, owner_inn, right_type,"
                     " share_num, share_den, reg_number, reg_date, end_date"
                     " FROM rights WHERE house_id = $1",
                     p, 1, &r, m->e);
    while (rc == 0 && store_next(r)) {
        struct eright *er = arena_alloc(w->ha, sizeof *er);
        if (!er) {
            rc = err_set(m->e, ERR_NOMEM, "out of memory");
            break;
        }
        er->id = store_int(r, 0);
        er->premises_id = store_int(r, 1);
        er->owner_kind = db_index(store_text(r, 2), owner_kinds, 4);
        er->owner_name = store_dup(r, 3, w->ha);
        er->owner_inn = store_dup(r, 4, w->ha);
        er->right_type = db_index(store_text(r, 5), right_types, 4);
        er->share_num = store_int(r, 6);
        er->share_den = store_int(r, 7);
        er->reg_number = store_dup(r, 8, w->ha);
        er->reg_date = store_dup(r, 9, w->ha);
        er->end_date = store_dup(r, 10, w->ha);
        struct epremises *ep =
            ht_find(&w->by_id, id_hash(er->premises_id), ep_id_eq, &er->premises_id);
        if (!ep || !er->owner_name || !er->reg_number)
            continue; /* a right whose premises moved to another house: not ours */
        er->next = ep->rights;
        ep->rights = er;
        if (ht_put(&w->rights, rkey_hash(er->premises_id, er->reg_number, er->owner_name), er) ||
            ht_put(&w->rights_by_id, id_hash(er->id), er))
            rc = err_set(m->e, ERR_NOMEM, "out of memory");
    }
    store_rows_free(r);
    if (rc || !w->rights.n)
        return rc;
    rc = store_query(m->c,
                     "SELECT e.right_id, e.kind, e.reg_number, e.reg_date FROM encumbrances e"
                     " JOIN rights r ON r.id = e.right_id WHERE r.house_id = $1 ORDER BY e.id",
                     p, 1, &r, m->e);
    while (rc == 0 && store_next(r)) {
        int64_t rid = store_int(r, 0);
        struct eright *er = ht_find(&w->rights_by_id, id_hash(rid), er_id_eq, &rid);
        struct eenc *en = er ? arena_alloc(w->ha, sizeof *en) : NULL;
        if (!er)
            continue;
        if (!en) {
            rc = err_set(m->e, ERR_NOMEM, "out of memory");
            break;
        }
        en->kind = store_dup(r, 1, w->ha);
        en->reg_number = store_dup(r, 2, w->ha);
        en->reg_date = store_dup(r, 3, w->ha);
        en->next = er->enc;
        er->enc = en;
    }
    store_rows_free(r);
    return rc;
}

/* Frees the texts of sent rows. */
static int renew_batch_arena(struct imp *m, struct writer *w)
{
    arena_free(w->ba);
    return (w->ba = arena_new()) ? 0 : err_set(m->e, ERR_NOMEM, "out of memory");
}

/* batch_params, with the error recorded on m->e. */
static int params(struct imp *m, struct batch *b, struct store_val *p)
{
    return batch_params(b, p) ? err_set(m->e, ERR_NOMEM, "out of memory") : 0;
}

/* Sends the batches, in an order that keeps references whole: premises
 * before their rights, rights before their encumbrances. (New premises on
 * PostgreSQL are sent by flush_premises, for their ids.) */
static int flush(struct imp *m, struct writer *w)
{
    struct store_val p[16];
    int rc = 0;
    if (!w->pg) {
        struct batch *order[] = {&w->premises, &w->rights_new, &w->encs, &w->changes};
        for (size_t i = 0; rc == 0 && i < sizeof order / sizeof order[0]; i++)
            rc = lite_send(m, order[i]);
        return rc ? rc : renew_batch_arena(m, w);
    }
    if (w->rights_new.n && (rc = params(m, &w->rights_new, p)) == 0)
        rc = store_exec(m->c,
                        "INSERT INTO rights (premises_id, house_id, region_id, municipality_id,"
                        " owner_kind, owner_name, owner_inn, right_type, share_num, share_den,"
                        " reg_number, reg_date, created_at) SELECT * FROM unnest($1::bigint[],"
                        " $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::text[],"
                        " $7::text[], $8::text[], $9::bigint[], $10::bigint[], $11::text[],"
                        " $12::text[], $13::bigint[])",
                        p, 13, NULL, m->e);
    batch_reset(&w->rights_new);
    if (rc == 0 && w->encs.n && (rc = params(m, &w->encs, p)) == 0)
        rc = store_exec(m->c,
                        "INSERT INTO encumbrances (right_id, kind, reg_number, reg_date)"
                        " SELECT r.id, u.k, u.n, u.d FROM unnest($1::bigint[], $2::text[],"
                        " $3::text[], $4::text[], $5::text[], $6::text[]) AS u (p, rn, o, k, n, d)"
                        " JOIN rights r ON r.premises_id = u.p AND r.reg_number = u.rn"
                        " AND r.owner_name = u.o",
                        p, 6, NULL, m->e);
    batch_reset(&w->encs);
    if (rc == 0 && w->changes.n && (rc = params(m, &w->changes, p)) == 0)
        rc = store_exec(m->c,
                        "INSERT INTO registry_changes (region_id, municipality_id, house_id,"
                        " premises_id, kind, old_value, new_value, changed_on, source, at)"
                        " SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[],"
                        " $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[],"
                        " $9::text[], $10::bigint[])",
                        p, 10, NULL, m->e);
    batch_reset(&w->changes);
    if (rc == 0 && w->ends.n && (rc = params(m, &w->ends, p)) == 0) {
        p[1] = SV_T(m->o->date);
        rc = store_exec(m->c, "UPDATE rights SET end_date = $2 WHERE id = ANY ($1::bigint[])", p, 2,
                        NULL, m->e);
    }
    batch_reset(&w->ends);
    return rc ? rc : renew_batch_arena(m, w);
}

/* Adds a row to a batch, sending the batches when it is full. */
static int queue(struct imp *m, struct writer *w, struct batch *b, const struct store_val *v)
{
    if (batch_add(b, v))
        return err_set(m->e, ERR_NOMEM, "out of memory");
    return b->n >= BATCH_ROWS ? flush(m, w) : 0;
}

static int add_change(struct imp *m, struct writer *w, const struct phouse *h, int64_t pid,
                      const char *kind, const char *old_value, const char *new_value)
{
    /* The values outlive the house being written (batches are sent later). */
    if ((old_value && !(old_value = arena_strdup(w->ba, old_value))) ||
        (new_value && !(new_value = arena_strdup(w->ba, new_value))))
        return err_set(m->e, ERR_NOMEM, "out of memory");
    struct store_val p[] = {SV_I(h->region_id), SV_I(h->municipality_id),
                            SV_I(h->id),        SV_I(pid),
                            SV_T(kind),         SV_T(old_value),
                            SV_T(new_value),    SV_T(m->o->date),
                            SV_T(m->source),    SV_I(m->now)};
    m->res->changes++;
    return queue(m, w, &w->changes, p);
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Owner names sorted, each once, joined by "; "; NULL for none. */
static const char *join_names(struct arena *a, const char **names, int n)
{
    if (n == 0)
        return NULL;
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(names[i]) + 2;
    char *out = arena_alloc(a, len), *p = out;
    for (int i = 0; out && i < n; i++) {
        if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
            continue;
        p += sprintf(p, "%s%s", p == out ? "" : "; ", names[i]);
    }
    return out;
}

static const char *current_owners(struct arena *a, const struct epremises *ep)
{
    const char *names[64];
    int n = 0;
    for (const struct eright *r = ep ? ep->rights : NULL; r && n < 64; r = r->next)
        if (!r->end_date)
            names[n++] = r->owner_name;
    return join_names(a, names, n);
}

static const char *file_owners(struct arena *a, const struct pgroup *g)
{
    const char *names[64];
    int n = 0;
    for (const struct prow *r = g->rows; r && n < 64; r = r->next)
        if (r->right_type)
            names[n++] = r->owner;
    return join_names(a, names, n);
}

/* Creates the premises of g, or updates the stored one where the file says
 * otherwise (a value the file leaves empty is kept), recording an area change. */
static int write_premises(struct imp *m, struct writer *w, struct pgroup *g)
{
    const struct phouse *h = g->house;
    struct epremises *ep =
        ht_find(&w->by_number, hash_str(HASH_SEED, g->number), ep_number_eq, g->number);
    g->ep = ep;
    g->pid = 0;
    if (!ep) {
        struct store_val p[] = {SV_I(h->id),
                                SV_I(h->region_id),
                                SV_I(h->municipality_id),
                                SV_T(g->number),
                                SV_T(premises_kinds[g->kind]),
                                SV_I(g->area),
                                SV_T(g->cadastral),
                                g->entrance == NONE ? SV_NULLV : SV_I(g->entrance),
                                g->floor == NONE ? SV_NULLV : SV_I(g->floor),
                                SV_I(m->now),
                                SV_I(m->now)};
        m->res->premises_created++;
        if (w->pg)
            return batch_add(&w->premises, p) ? err_set(m->e, ERR_NOMEM, "out of memory") : 0;
        g->pid = w->next_premises++;
        struct store_val q[12] = {SV_I(g->pid)};
        memcpy(q + 1, p, sizeof p);
        return queue(m, w, &w->premises, q);
    }
    g->pid = ep->id;
    ep->seen = true;
    const char *cadastral = g->cadastral ? g->cadastral : ep->cadastral;
    int64_t entrance = g->entrance != NONE ? g->entrance : ep->entrance;
    int64_t floor = g->floor != NONE ? g->floor : ep->floor;
    if (g->kind == ep->kind && g->area == ep->area && same_text(cadastral, ep->cadastral) &&
        entrance == ep->entrance && floor == ep->floor)
        return 0;
    struct store_val p[] = {SV_I(ep->id),
                            SV_T(premises_kinds[g->kind]),
                            SV_I(g->area),
                            SV_T(cadastral),
                            entrance == NONE ? SV_NULLV : SV_I(entrance),
                            floor == NONE ? SV_NULLV : SV_I(floor),
                            SV_I(m->now)};
    m->res->premises_updated++;
    int rc = store_exec(m->c,
                        "UPDATE premises SET kind = $2, area = $3, cadastral_number = $4,"
                        " entrance = $5, floor = $6, updated_at = $7 WHERE id = $1",
                        p, 7, NULL, m->e);
    if (rc == 0 && g->area != ep->area) {
        char was[MONEY_FMT_SIZE], now[MONEY_FMT_SIZE];
        money_format(was, sizeof was, ep->area);
        money_format(now, sizeof now, g->area);
        rc = add_change(m, w, h, ep->id, "area", was, now);
    }
    return rc;
}

/* Sends the collected new premises (PostgreSQL) and notes their ids. */
static int flush_premises(struct imp *m, struct writer *w, const struct phouse *h)
{
    if (!w->premises.n)
        return 0;
    struct store_val p[16];
    struct store_rows *r = NULL;
    int rc = params(m, &w->premises, p);
    if (rc == 0)
        rc = store_query(m->c,
                         "INSERT INTO premises (house_id, region_id, municipality_id, number,"
                         " kind, area, cadastral_number, entrance, floor, created_at, updated_at)"
                         " SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[],"
                         " $4::text[], $5::text[], $6::bigint[], $7::text[], $8::bigint[],"
                         " $9::bigint[], $10::bigint[], $11::bigint[]) RETURNING id, number",
                         p, 11, &r, m->e);
    batch_reset(&w->premises);
    if (rc)
        return rc;
    while (store_next(r)) {
        const char *number = store_text(r, 1);
        struct gkey k = {h, number};
        struct pgroup *g = ht_find(w->groups, group_hash(h, number), group_eq, &k);
        if (g)
            g->pid = store_int(r, 0);
    }
    store_rows_free(r);
    return 0;
}

static bool right_same(const struct eright *er, const struct prow *r)
{
    return er->owner_kind == r->owner_kind && er->right_type == r->right_type &&
           same_text(er->owner_inn, r->inn) && strcmp(er->reg_date, r->reg_date) == 0 &&
           (i128)er->share_num * r->share_den == (i128)r->share_num * er->share_den;
}

/* Makes the right's encumbrances what the file says (one or none). */
static int sync_encumbrance(struct imp *m, const struct eright *er, const struct prow *r)
{
    const struct eenc *en = er->enc;
    if (!en && !r->enc_kind)
        return 0;
    if (en && !en->next && r->enc_kind && strcmp(en->kind, r->enc_kind) == 0 &&
        same_text(en->reg_number, r->enc_number) && same_text(en->reg_date, r->enc_date))
        return 0;
    int rc = store_exec(m->c, "DELETE FROM encumbrances WHERE right_id = $1",
                        (struct store_val[]){SV_I(er->id)}, 1, NULL, m->e);
    if (rc == 0 && r->enc_kind)
        rc = store_exec(m->c,
                        "INSERT INTO encumbrances (right_id, kind, reg_number, reg_date)"
                        " VALUES ($1, $2, $3, $4)",
                        (struct store_val[]){SV_I(er->id), SV_T(r->enc_kind), SV_T(r->enc_number),
                                             SV_T(r->enc_date)},
                        4, NULL, m->e);
    return rc;
}

static int insert_right(struct imp *m, struct writer *w, const struct pgroup *g,
                        const struct prow *r)
{
    const struct phouse *h = g->house;
    struct store_val p[] = {SV_I(g->pid),
                            SV_I(h->id),
                            SV_I(h->region_id),
                            SV_I(h->municipality_id),
                            SV_T(owner_kinds[r->owner_kind]),
                            SV_T(r->owner),
                            SV_T(r->inn),
                            SV_T(right_types[r->right_type]),
                            SV_I(r->share_num),
                            SV_I(r->share_den),
                            SV_T(r->reg_number),
                            SV_T(r->reg_date),
                            SV_I(m->now)};
    m->res->rights_created++;
    if (w->pg) {
        int rc = queue(m, w, &w->rights_new, p);
        if (rc == 0 && r->enc_kind) {
            struct store_val q[] = {SV_I(g->pid),      SV_T(r->reg_number), SV_T(r->owner),
                                    SV_T(r->enc_kind), SV_T(r->enc_number), SV_T(r->enc_date)};
            rc = queue(m, w, &w->encs, q);
        }
        return rc;
    }
    int64_t id = w->next_right++;
    struct store_val q[14] = {SV_I(id)};
    memcpy(q + 1, p, sizeof p);
    int rc = queue(m, w, &w->rights_new, q);
    if (rc == 0 && r->enc_kind)
        rc = queue(m, w, &w->encs,
                   (struct store_val[]){SV_I(id), SV_T(r->enc_kind), SV_T(r->enc_number),
                                        SV_T(r->enc_date)});
    return rc;
}

static int end_right(struct imp *m, struct writer *w, const struct eright *er)
{
    m->res->rights_ended++;
    if (w->pg)
        return queue(m, w, &w->ends, (struct store_val[]){SV_I(er->id)});
    return store_exec(m->c, "UPDATE rights SET end_date = $2 WHERE id = $1",
                      (struct store_val[]){SV_I(er->id), SV_T(m->o->date)}, 2, NULL, m->e);
}

/* Makes the premises' current rights those of the file: new ones created,
 * ended ones restored, changed ones updated, absent ones ended; one `owner`
 * change when the set of rights changed. */
static int write_rights(struct imp *m, struct writer *w, struct pgroup *g)
{
    struct epremises *ep = g->ep;
    const char *before = current_owners(w->ha, ep);
    bool changed = false;
    int rc = 0;
    for (struct prow *r = g->rows; r && rc == 0; r = r->next) {
        if (!r->right_type)
            continue;
        struct rkey k = {g->pid, r->reg_number, r->owner};
        struct eright *er =
            ep ? ht_find(&w->rights, rkey_hash(g->pid, r->reg_number, r->owner), er_key_eq, &k)
               : NULL;
        if (!er) {
            rc = insert_right(m, w, g, r);
            changed = true;
            continue;
        }
        er->matched = true;
        if (er->end_date || !right_same(er, r)) {
            if (er->end_date)
                m->res->rights_created++; /* restored */
            else
                m->res->rights_updated++;
            changed = changed || er->end_date;
            struct store_val p[] = {SV_I(er->id),       SV_T(owner_kinds[r->owner_kind]),
                                    SV_T(r->inn),       SV_T(right_types[r->right_type]),
                                    SV_I(r->share_num), SV_I(r->share_den),
                                    SV_T(r->reg_date)};
            rc = store_exec(m->c,
                            "UPDATE rights SET owner_kind = $2, owner_inn = $3, right_type = $4,"
                            " share_num = $5, share_den = $6, reg_date = $7, end_date = NULL"
                            " WHERE id = $1",
                            p, 7, NULL, m->e);
        }
        if (rc == 0)
            rc = sync_encumbrance(m, er, r);
    }
    for (struct eright *er = ep ? ep->rights : NULL; er && rc == 0; er = er->next)
        if (!er->end_date && !er->matched) {
            rc = end_right(m, w, er);
            changed = true;
        }
    /* A premises this import creates has no owner before it: its first
     * rights are its starting state, not a change (the monthly notice would
     * otherwise list a whole newly loaded registry as changed owners). */
    if (rc == 0 && changed && ep)
        rc = add_change(m, w, g->house, g->pid, "owner", before, file_owners(w->ha, g));
    return rc;
}

/* Writes one house of the extract: its premises and rights as the file
 * says, and the end of every current right of its premises the file leaves
 * out (the extract is a snapshot of the house). */
static int write_house(struct imp *m, struct writer *w, struct phouse *h)
{
    int rc = load_house(m, w, h);
    bool any = false;
    for (struct pgroup *g = h->groups; g && rc == 0; g = g->next) {
        if (!g->bad_line) {
            any = true;
            continue;
        }
        /* Rejected rows: the premises stays as it is. */
        struct epremises *ep =
            ht_find(&w->by_number, hash_str(HASH_SEED, g->number), ep_number_eq, g->number);
        if (ep)
            ep->skip = true;
    }
    if (!any)
        return rc; /* every row of the house was rejected: the house stays as it is */
    for (struct pgroup *g = h->groups; g && rc == 0; g = g->next)
        if (!g->bad_line) {
            rc = write_premises(m, w, g);
            m->res->rows_applied += g->nrows;
        }
    if (rc == 0 && w->pg)
        rc = flush_premises(m, w, h);
    for (struct pgroup *g = h->groups; g && rc == 0; g = g->next)
        if (!g->bad_line)
            rc = g->pid ? write_rights(m, w, g)
                        : err_set(m->e, ERR_DB, "premises %s: no id returned", g->number);
    for (struct epremises *ep = w->list; ep && rc == 0; ep = ep->next) {
        if (ep->seen || ep->skip || h->incomplete)
            continue;
        const char *before = current_owners(w->ha, ep);
        for (struct eright *er = ep->rights; er && rc == 0; er = er->next)
            if (!er->end_date)
                rc = end_right(m, w, er);
        if (rc == 0 && before)
            rc = add_change(m, w, h, ep->id, "owner", before, NULL);
    }
    return rc;
}

struct writer *writer_new(struct imp *m, struct pread *pr)
{
    bool pg = store_conn_backend(m->c) == STORE_POSTGRES;
    struct writer *w = calloc(1, sizeof *w);
    if (!w || !(w->ba = arena_new())) {
        free(w);
        err_set(m->e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    w->pg = pg;
    w->groups = &pr->groups;
    w->premises = (struct batch){.ncols = pg ? 11 : 12, .pg = pg, .table = LS_PREMISES};
    w->rights_new = (struct batch){.ncols = pg ? 13 : 14, .pg = pg, .table = LS_RIGHTS};
    w->encs = (struct batch){.ncols = pg ? 6 : 4, .pg = pg, .table = LS_ENCS};
    w->changes = (struct batch){.ncols = 10, .pg = pg, .table = LS_CHANGES};
    w->ends = (struct batch){.ncols = 1, .pg = pg};
    if (!pg && (store_query_int(m->c, "SELECT COALESCE(MAX(id), 0) + 1 FROM premises", NULL, 0,
                                &w->next_premises, m->e) ||
                store_query_int(m->c, "SELECT COALESCE(MAX(id), 0) + 1 FROM rights", NULL, 0,
                                &w->next_right, m->e))) {
        writer_free(w);
        return NULL;
    }
    return w;
}

int writer_house(struct imp *m, struct writer *w, struct phouse *h)
{
    return write_house(m, w, h);
}

int writer_end(struct imp *m, struct writer *w)
{
    return flush(m, w);
}

void writer_free(struct writer *w)
{
    if (!w)
        return;
    arena_free(w->ha);
    arena_free(w->ba);
    ht_free(&w->by_number);
    ht_free(&w->by_id);
    ht_free(&w->rights);
    ht_free(&w->rights_by_id);
    batch_free(&w->premises);
    batch_free(&w->rights_new);
    batch_free(&w->encs);
    batch_free(&w->changes);
    batch_free(&w->ends);
    free(w);
}

/* Writes every house of the extract after reading it. */
static int write_all(struct imp *m, struct pread *pr)
{
    struct writer *w = writer_new(m, pr);
    int rc = w ? 0 : m->e->code ? m->e->code : ERR_NOMEM;
    int64_t done = 0;
    for (struct phouse *h = pr->houses; h && rc == 0; h = h->next) {
        rc = write_house(m, w, h);
        progress(m, "запись", ++done, m->res->houses);
    }
    if (rc == 0)
        rc = flush(m, w);
    writer_free(w);
    return rc;
}

int import_premises(struct imp *m)
{
    struct pread pr = {0};
    struct csv_record rec;
    int rc = pipe_start(m, &pr);
    while (rc == 0 && (rc = csv_next(m->csv, &rec, m->e)) == 1) {
        m->res->rows++;
        if ((rc = read_values(m, &rec)) == 0)
            rc = premises_row(m, &pr);
        if (rc)
            break;
        if (m->res->rows % PROGRESS_ROWS == 0)
            progress(m, "чтение", csv_offset(m->csv), csv_size(m->csv));
    }
    bool written = false;
    int prc = pipe_finish(m, &pr, rc == 0 && (!m->nerr || m->o->skip_invalid), &written);
    if (rc < 0) {
        rc = csv_failed(m, rc) ? rc : ERR_INVALID;
    } else if (rc == 0 && m->nerr && !m->o->skip_invalid) {
        rc = ERR_INVALID;
    } else if (rc == 0) {
        progress(m, "чтение", csv_size(m->csv), csv_size(m->csv));
        rc = prc ? prc : written ? 0 : write_all(m, &pr);
        if (written)
            progress(m, "запись", m->res->houses, m->res->houses);
        m->res->rows_rejected = m->res->rows - m->res->rows_applied;
    }
    if (rc == 0 && m->res->rows_rejected) {
        /* Every row of a rejected premises goes, with the reason for those
         * rows that have no error of their own. */
        size_t n = pr.norphans;
        for (struct phouse *h = pr.houses; h; h = h->next)
            for (struct pgroup *g = h->groups; g; g = g->next)
                n += g->bad_line ? (size_t)g->nrows : 0;
        struct rejected *rej = arena_alloc(m->a, sizeof *rej * (n ? n : 1));
        if (!rej)
            rc = err_set(m->e, ERR_NOMEM, "out of memory");
        size_t k = 0;
        for (size_t i = 0; rc == 0 && i < pr.norphans; i++)
            rej[k++] = (struct rejected){pr.orphans[i], NULL};
        for (struct phouse *h = pr.houses; rc == 0 && h; h = h->next)
            for (struct pgroup *g = h->groups; g; g = g->next) {
                if (!g->bad_line)
                    continue;
                const char *why = arena_printf(m->a,
                                               "помещение «%s» отклонено целиком из-за ошибки в"
                                               " строке %ld",
                                               g->number, g->bad_line);
                if (!why) {
                    rc = err_set(m->e, ERR_NOMEM, "out of memory");
                    break;
                }
                for (struct prow *r = g->rows; r; r = r->next)
                    rej[k++] = (struct rejected){r->line, why};
            }
        if (rc == 0) {
            if (m->nerr)
                qsort(m->errors, m->nerr, sizeof *m->errors, cmp_errors);
            rc = write_rejected(m, rej, k);
        }
    }
    ht_free(&pr.groups);
    free(pr.orphans);
    return rc;
}
