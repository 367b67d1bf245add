/* registry_db.c — scoped queries of the registry. Every query binds the
 * caller's scope as $1..$4 (reg_scope_bind): region, municipality,
 * organization (via house_orgs) and resident (via resident_premises). */
#include "registry/registry.h"

#include "base/text.h"

#include <stdio.h>
#include <string.h>

#define HOUSE_SCOPE                                                                                \
    "(h.region_id = $1 OR $1 = 0) AND (h.municipality_id = $2 OR $2 = 0)"                          \
    " AND (CAST($3 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM house_orgs ho"                          \
    " WHERE ho.house_id = h.id AND ho.org_id = $3))"                                               \
    " AND (CAST($4 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM resident_premises rp"                   \
    " JOIN premises rq ON rq.id = rp.premises_id WHERE rq.house_id = h.id AND rp.user_id = $4))"

/* Premises: those of visible houses; a resident only their own. */
#define PREMISES_SCOPE                                                                             \
    "(p.region_id = $1 OR $1 = 0) AND (p.municipality_id = $2 OR $2 = 0)"                          \
    " AND (CAST($3 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM house_orgs ho"                          \
    " WHERE ho.house_id = p.house_id AND ho.org_id = $3))"                                         \
    " AND (CAST($4 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM resident_premises rp"                   \
    " WHERE rp.premises_id = p.id AND rp.user_id = $4))"

#define HOUSE_COLS                                                                                 \
    "h.id, h.region_id, h.municipality_id, h.org_id, h.kind, h.address, h.fias_guid,"              \
    " h.cadastral_number, h.lat_e6, h.lon_e6, h.year_built, h.floors, h.entrances,"                \
    " h.nonresidential_count, h.balconies, h.loggias, h.wall_material, h.total_area,"              \
    " h.residential_area, h.nonresidential_area, h.common_area, h.emergency,"                      \
    " h.building_meters, h.systems, h.extra, h.created_at, h.updated_at"

static int64_t opt_int(struct store_rows *r, int col)
{
    return store_isnull(r, col) ? REG_NONE : store_int(r, col);
}

static void read_house(struct store_rows *r, struct arena *a, struct house *h)
{
    h->id = store_int(r, 0);
    h->region_id = store_int(r, 1);
    h->municipality_id = store_int(r, 2);
    h->org_id = store_int(r, 3);
    h->kind = store_dup(r, 4, a);
    h->address = store_dup(r, 5, a);
    h->fias_guid = store_dup(r, 6, a);
    h->cadastral_number = store_dup(r, 7, a);
    h->lat_e6 = opt_int(r, 8);
    h->lon_e6 = opt_int(r, 9);
    h->year_built = opt_int(r, 10);
    h->floors = opt_int(r, 11);
    h->entrances = opt_int(r, 12);
    h->nonresidential_count = opt_int(r, 13);
    h->balconies = opt_int(r, 14);
    h->loggias = opt_int(r, 15);
    h->wall_material = store_dup(r, 16, a);
    h->total_area = opt_int(r, 17);
    h->residential_area = opt_int(r, 18);
    h->nonresidential_area = opt_int(r, 19);
    h->common_area = opt_int(r, 20);
    h->emergency = store_int(r, 21) != 0;
    h->building_meters = store_dup(r, 22, a);
    h->systems = store_dup(r, 23, a);
    h->extra = store_dup(r, 24, a);
    h->created_at = store_int(r, 25);
    h->updated_at = store_int(r, 26);
}

int reg_house_get(struct store_conn *c, const struct store_scope *s, int64_t id, struct arena *a,
                  struct house *out, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[5];
    reg_scope_bind(s, p);
    p[4] = SV_I(id);
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT " HOUSE_COLS " FROM houses h WHERE " HOUSE_SCOPE " AND h.id = $5",
                          p, 5, &r, e)))
        return rc;
    if (store_next(r))
        read_house(r, a, out);
    else
        rc = err_set(e, ERR_NOTFOUND, "дом не найден");
    store_rows_free(r);
    return rc;
}

#define HOUSE_FILTER                                                                               \
    HOUSE_SCOPE " AND (h.address_search LIKE $5 ESCAPE '\\' OR $5 IS NULL)"                        \
                " AND (h.municipality_id = $6 OR $6 = 0) AND (h.kind = $7 OR $7 IS NULL)"

int reg_house_list(struct store_conn *c, const struct store_scope *s, const struct house_filter *f,
                   struct page pg, struct arena *a, struct house **items, int64_t *count,
                   int64_t *total, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc)
        return rc;
    struct store_val p[9];
    reg_scope_bind(s, p);
    p[4] = SV_T(f->q ? text_like_pattern(a, f->q) : NULL);
    p[5] = SV_I(f->municipality_id);
    p[6] = SV_T(f->kind);
    p[7] = SV_I(pg.per_page);
    p[8] = SV_I((pg.page - 1) * pg.per_page);
    if ((rc = store_query_int(c, "SELECT count(*) FROM houses h WHERE " HOUSE_FILTER, p, 7, total,
                              e)))
        return rc;
    struct store_rows *r = NULL;
    if ((rc = store_query(c,
                          "SELECT " HOUSE_COLS " FROM houses h WHERE " HOUSE_FILTER
                          " ORDER BY h.address COLLATE ru_natural, h.id LIMIT $8 OFFSET $9",
                          p, 9, &r, e)))
        return rc;
    *count = 0;
    if (!(*items = arena_alloc(a, sizeof **items * (size_t)pg.per_page)))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    while (rc == 0 && *count < pg.per_page && store_next(r))
        read_house(r, a, &(*items)[(*count)++]);
    store_rows_free(r);
    return rc;
}

static const char *house_search(struct arena *a, const struct house *h)
{
    return text_lower(a, arena_printf(a, "%s %s %s", h->address, h->fias_guid ? h->fias_guid : "",
                                      h->cadastral_number ? h->cadastral_number : ""));
}

/* The house's municipality and manager must be visible to the caller; org
 * staff create and keep houses they manage. */
static int place_house(struct store_conn *c, const struct store_scope *s, struct house *h,
                       struct arena *a, struct err *e)
{
    struct municipality m;
    int rc;
    if (s->kind == SCOPE_ORG)
        h->org_id = s->org_id;
    const struct store_scope *look = s;
    struct store_scope in_region = *s;
    if (s->kind == SCOPE_ORG) { /* an organization may work in several municipalities */
        in_region.kind = SCOPE_REGION;
        look = &in_region;
    }
    if ((rc = dir_municipality_get(c, look, h->municipality_id, a, &m, e)) == ERR_NOTFOUND)
        return err_field(e, rc, "municipality_id", "муниципальное образование не найдено");
    if (rc)
        return rc;
    h->region_id = m.region_id;
    struct organization o;
    if (h->org_id && (rc = dir_org_get(c, s, h->org_id, a, &o, e)) == ERR_NOTFOUND)
        return err_field(e, rc, "org_id", "организация не найдена");
    return rc;
}

static void house_params(struct arena *a, const struct house *h, struct store_val *p)
{
#define OPT(x) ((x) == REG_NONE ? SV_NULLV : SV_I(x))
    struct store_val v[] = {SV_I(h->region_id),       SV_I(h->municipality_id),
                            SV_ID(h->org_id),         SV_T(h->kind),
                            SV_T(h->address),         SV_T(house_search(a, h)),
                            SV_T(h->fias_guid),       SV_T(h->cadastral_number),
                            OPT(h->lat_e6),           OPT(h->lon_e6),
                            OPT(h->year_built),       OPT(h->floors),
                            OPT(h->entrances),        OPT(h->nonresidential_count),
                            OPT(h->balconies),        OPT(h->loggias),
                            SV_T(h->wall_material),   OPT(h->total_area),
                            OPT(h->residential_area), OPT(h->nonresidential_area),
                            OPT(h->common_area),      SV_I(h->emergency ? 1 : 0),
                            SV_T(h->building_meters), SV_T(h->systems),
                            SV_T(h->extra),           SV_I(h->updated_at)};
#undef OPT
    memcpy(p, v, sizeof v);
}
#define HOUSE_NPARAMS 26

/* Keeps house_orgs' manager row in step with houses.org_id. */
static int set_manager(struct store_conn *c, int64_t house_id, int64_t org_id, struct err *e)
{
    struct store_val p[] = {SV_I(house_id), SV_I(org_id)};
    int rc = store_exec(c, "DELETE FROM house_orgs WHERE house_id = $1 AND role = 'manager'", p, 1,
                        NULL, e);
    if (rc == 0 && org_id)
        rc = store_exec(
            c, "INSERT INTO house_orgs (house_id, org_id, role) VALUES ($1, $2, 'manager')", p, 2,
            NULL, e);
    return rc;
}

int reg_house_create(struct store_conn *c, const struct store_scope *s, struct house *h,
                     struct arena *a, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc || (rc = place_house(c, s, h, a, e)))
        return rc;
    h->created_at = h->updated_at = store_now();
    struct store_val p[HOUSE_NPARAMS];
    house_params(a, h, p);
    rc = store_query_int(c,
                         "INSERT INTO houses (region_id, municipality_id, org_id, kind, address,"
                         " address_search, fias_guid, cadastral_number, lat_e6, lon_e6,"
                         " year_built, floors, entrances, nonresidential_count, balconies,"
                         " loggias, wall_material, total_area, residential_area,"
                         " nonresidential_area, common_area, emergency, building_meters, systems,"
                         " extra, updated_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"
                         " $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,"
                         " $23, $24, $25, $26, $26) RETURNING id",
                         p, HOUSE_NPARAMS, &h->id, e);
    if (rc == ERR_CONFLICT)
        return err_field(e, rc, "fias_guid", "дом с таким кодом ФИАС уже есть");
    return rc ? rc : set_manager(c, h->id, h->org_id, e);
}

int reg_house_update(struct store_conn *c, const struct store_scope *s, struct house *h,
                     struct arena *a, struct err *e)
{
    int rc = store_scope_check(s, e);
    if (rc || (rc = place_house(c, s, h, a, e)))
        return rc;
    h->updated_at = store_now();
    struct store_val p[4 + HOUSE_NPARAMS + 1];
    reg_scope_bind(s, p);
    house_params(a, h, p + 4);
    p[4 + HOUSE_NPARAMS] = SV_I(h->id);
    int64_t changed = 0;
    rc = store_exec(c,
                    "UPDATE houses AS h SET region_id = $5, municipality_id = $6, org_id = $7,"
                    " kind = $8, address = $9, address_search = $10, fias_guid = $11,"
                    " cadastral_number = $12, lat_e6 = $13, lon_e6 = $14, year_built = $15,"
                    " floors = $16, entrances = $17, nonresidential_count = $18,"
                    " balconies = $19, loggias = $20, wall_material = $21, total_area = $22,"
                    " residential_area = $23, nonresidential_area = $24, common_area = $25,"
                    " emergency = $26, building_meters = $27, systems = $28, extra = $29,"
                    " updated_at = $30 WHERE h.id = $31 AND " HOUSE_SCOPE
                    /* An organization changes only houses it manages, not those it supplies. */
                    " AND (CAST($3 AS BIGINT) = 0 OR h.org_id = $3)",
                    p, 4 + HOUSE_NPARAMS + 1, &changed, e);
    if (rc == ERR_CONFLICT)
        return err_field(e, rc, "fias_guid", "дом с таким кодом ФИАС уже есть");
    if (rc)
        return rc;
    if (!changed)
        return err_set(e, ERR_NOTFOUND, "дом не найден");
    if ((rc = reg_house_move_rows(c, h->id, h->region_id, h->municipality_id, e)))
        return rc;
    return set_manager(c, h->id, h->org_id, e);
}

int reg_house_move_rows(struct store_conn *c, int64_t house_id, int64_t region_id,
                        int64_t municipality_id, struct err *e)
{
    static const char *const sql[] = {
        "UPDATE premises SET region_id = $2, municipality_id = $3"
        " WHERE house_id = $1 AND (region_id <> $2 OR municipality_id <> $3)",
        "UPDATE rights SET region_id = $2, municipality_id = $3"
        " WHERE house_id = $1 AND (region_id <> $2 OR municipality_id <> $3)",
        "UPDATE accounts SET region_id = $2, municipality_id = $3"
        " WHERE house_id = $1 AND (region_id <> $2 OR municipality_id <> $3)",
        "UPDATE registry_changes SET region_id = $2, municipality_id = $3"
        " WHERE house_id = $1 AND (region_id <> $2 OR municipality_id <> $3)",
        /* Rows other modules hang on a house copy its place too (scope,
         * time zone): they follow it the same way. */
        "UPDATE meters SET region_id = $2, municipality_id = $3"
        " WHERE house_id = $1 AND (region_id <> $2 OR municipality_id <> $3)",
        "UPDATE readings SET region_id = $2, municipality_id = $3"
        " WHERE meter_id IN (SELECT id FROM meters WHERE house_id = $1)"
        " AND (region_id <> $2 OR municipality_id <> $3)",
        "UPDATE reading_rejections SET region_id = $2, municipality_id = $3"
        " WHERE meter_id IN (SELECT id FROM meters WHERE house_id = $1)"
        " AND (region_id <> $2 OR municipality_id <> $3)",
    };
    struct store_val p[] = {SV_I(house_id), SV_I(region_id), SV_I(municipality_id)};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof sql / sizeof sql[0]; i++)
        rc = store_exec(c, sql[i], p, 3, NULL, e);
    return rc;
}
