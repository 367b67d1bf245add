/* import_houses.c — the house passport (`upravdom import houses`,
 * docs/registry.md "House passport"): its columns, the check of each row
 * (identifiers, municipality, managing organization, numbers, the house it
 * matches and whether the importer may touch it) and applying a row: create
 * the house, or update what the file says differently. */
#include "registry/import_impl.h"
#include "registry/registry.h"

#include "base/ident.h"
#include "base/text.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ houses file */

const struct column house_columns[H_NCOLS] = {
    [H_ADDRESS] = {"адрес", true},
    [H_FIAS] = {"фиас"},
    [H_CADASTRAL] = {"кадастровый_номер"},
    [H_OKTMO] = {"октмо", true},
    [H_KIND] = {"тип", true},
    [H_ORG_INN] = {"управляющая_организация_инн"},
    [H_YEAR] = {"год_постройки"},
    [H_FLOORS] = {"этажность"},
    [H_ENTRANCES] = {"подъезды"},
    [H_NONRES_COUNT] = {"число_нежилых"},
    [H_BALCONIES] = {"балконы"},
    [H_LOGGIAS] = {"лоджии"},
    [H_WALL] = {"материал_стен"},
    [H_TOTAL_AREA] = {"общая_площадь"},
    [H_RES_AREA] = {"жилая_площадь"},
    [H_NONRES_AREA] = {"нежилая_площадь"},
    [H_COMMON_AREA] = {"площадь_общего_имущества"},
    [H_EMERGENCY] = {"аварийный"},
    [H_LAT] = {"широта"},
    [H_LON] = {"долгота"},
};

/* A house's numbers, in the order of the SQL column lists below. */
enum hv {
    HV_YEAR,
    HV_FLOORS,
    HV_ENTRANCES,
    HV_NONRES_COUNT,
    HV_BALCONIES,
    HV_LOGGIAS,
    HV_TOTAL,
    HV_RES,
    HV_NONRES,
    HV_COMMON,
    HV_EMERGENCY,
    HV_LAT,
    HV_LON,
    HV_N
};

/* What the whole numbers may be, by column. */
static const struct {
    int col;
    int64_t min, max;
    const char *what;
} house_ints[] = {
    {H_YEAR, 1000, 2100, "год постройки"},      {H_FLOORS, 1, 300, "этажность"},
    {H_ENTRANCES, 0, 1000, "число подъездов"},  {H_NONRES_COUNT, 0, 100000, "число нежилых"},
    {H_BALCONIES, 0, 100000, "число балконов"}, {H_LOGGIAS, 0, 100000, "число лоджий"},
};
static const int house_areas[][2] = {{H_TOTAL_AREA, HV_TOTAL},
                                     {H_RES_AREA, HV_RES},
                                     {H_NONRES_AREA, HV_NONRES},
                                     {H_COMMON_AREA, HV_COMMON}};

/* A house as stored, or as the file gives it (NULL / NONE / 0: not given). */
struct hstate {
    int64_t id, region_id, municipality_id, org_id;
    const char *kind; /* mkd | izd */
    const char *address, *fias, *cadastral, *wall;
    int64_t v[HV_N];
};

struct hrow {
    struct hrow *next;
    long line;
    bool bad;
    struct hstate file; /* what the row says */
    struct hstate db;   /* the matched house (db.id 0: none) */
};

#define HOUSE_COLS                                                                                 \
    "region_id, municipality_id, org_id, kind, address, fias_guid, cadastral_number,"              \
    " wall_material, year_built, floors, entrances, nonresidential_count, balconies, loggias,"     \
    " total_area, residential_area, nonresidential_area, common_area, emergency, lat_e6, lon_e6"

static void read_house(struct store_rows *r, struct arena *a, struct hstate *h)
{
    h->id = store_int(r, 0);
    h->region_id = store_int(r, 1);
    h->municipality_id = store_int(r, 2);
    h->org_id = store_isnull(r, 3) ? 0 : store_int(r, 3);
    h->kind = store_dup(r, 4, a);
    h->address = store_dup(r, 5, a);
    h->fias = store_dup(r, 6, a);
    h->cadastral = store_dup(r, 7, a);
    h->wall = store_dup(r, 8, a);
    for (int k = 0; k < HV_N; k++)
        h->v[k] = store_isnull(r, 9 + k) ? NONE : store_int(r, 9 + k);
}

/* The stored house with this FIAS GUID or, failing that, cadastral number. */
static int find_house(struct imp *m, const struct hstate *f, struct hstate *out)
{
    struct store_rows *r = NULL;
    int rc;
    out->id = 0;
    if (f->fias) {
        if ((rc = store_query(m->c, "SELECT id, " HOUSE_COLS " FROM houses WHERE fias_guid = $1",
                              (struct store_val[]){SV_T(f->fias)}, 1, &r, m->e)))
            return rc;
        if (store_next(r))
            read_house(r, m->a, out);
        store_rows_free(r);
        if (out->id)
            return 0;
    }
    if (f->cadastral) {
        if ((rc = store_query(m->c,
                              "SELECT id, " HOUSE_COLS " FROM houses WHERE cadastral_number = $1"
                              " ORDER BY id LIMIT 1",
                              (struct store_val[]){SV_T(f->cadastral)}, 1, &r, m->e)))
            return rc;
        if (store_next(r))
            read_house(r, m->a, out);
        store_rows_free(r);
    }
    return 0;
}

struct seen_key {
    char kind; /* 'f' FIAS, 'c' cadastral number */
    const char *value;
};

struct seen {
    struct seen_key k;
    long line;
};

static bool seen_eq(const void *v, const void *key)
{
    const struct seen *s = v;
    const struct seen_key *k = key;
    return s->k.kind == k->kind && strcmp(s->k.value, k->value) == 0;
}

/* The line where this FIAS / cadastral number was first given, or 0 (then
 * records this line). */
static long seen_before(struct imp *m, struct htab *t, char kind, const char *value)
{
    struct seen_key k = {kind, value};
    uint64_t h = hash_str(hash_bytes(HASH_SEED, &kind, 1), value);
    struct seen *s = ht_find(t, h, seen_eq, &k);
    if (s)
        return s->line;
    if ((s = arena_alloc(m->a, sizeof *s))) {
        s->k = k;
        s->line = m->line;
        if (ht_put(t, h, s))
            return -1;
    }
    return s ? 0 : -1;
}

/* Checks one row of the house passport into row; errors go to the list. */
static int house_row(struct imp *m, struct htab *seen, struct hrow *row)
{
    const char **v = m->val;
    struct hstate *f = &row->file;
    const char *why;
    int rc = 0;
    for (int k = 0; k < HV_N; k++)
        f->v[k] = NONE;
    row->line = m->line;

    if (!*v[H_ADDRESS])
        rc = ROW_ERROR(m, H_ADDRESS, "не указан адрес");
    else if (!plain_text(v[H_ADDRESS], 1000))
        rc = ROW_ERROR(m, H_ADDRESS, "адрес: недопустимые символы или длиннее 1000 байт");
    else if (!(f->address = arena_strdup(m->a, v[H_ADDRESS])))
        rc = err_set(m->e, ERR_NOMEM, "out of memory");
    if (rc == 0 && *v[H_FIAS]) {
        if (!ident_fias_guid_valid(v[H_FIAS], &why))
            rc = ROW_ERROR(m, H_FIAS, "%s, а не «%s»", why, v[H_FIAS]);
        else if (!(f->fias = guid_lower(m->a, v[H_FIAS])))
            rc = err_set(m->e, ERR_NOMEM, "out of memory");
    }
    if (rc == 0 && *v[H_CADASTRAL]) {
        if (!ident_cadastral_valid(v[H_CADASTRAL], &why))
            rc = ROW_ERROR(m, H_CADASTRAL, "%s, а не «%s»", why, v[H_CADASTRAL]);
        else if (!(f->cadastral = arena_strdup(m->a, v[H_CADASTRAL])))
            rc = err_set(m->e, ERR_NOMEM, "out of memory");
    }
    if (rc == 0 && !*v[H_FIAS] && !*v[H_CADASTRAL])
        rc = ROW_ERROR(m, field_no(m, H_FIAS) ? H_FIAS : H_CADASTRAL,
                       "нужен ФИАС или кадастровый номер дома");
    long first;
    if (rc == 0 && f->fias && (first = seen_before(m, seen, 'f', f->fias)) != 0)
        rc = first < 0
                 ? ERR_NOMEM
                 : ROW_ERROR(m, H_FIAS, "дом с ФИАС %s уже указан в строке %ld", f->fias, first);
    if (rc == 0 && f->cadastral && (first = seen_before(m, seen, 'c', f->cadastral)) != 0)
        rc = first < 0
                 ? ERR_NOMEM
                 : ROW_ERROR(m, H_CADASTRAL, "дом с кадастровым номером %s уже указан в строке %ld",
                             f->cadastral, first);

    struct found *mun = NULL, *org = NULL;
    if (rc == 0 && !*v[H_OKTMO])
        rc = ROW_ERROR(m, H_OKTMO, "не указан ОКТМО");
    else if (rc == 0 && !ident_oktmo_valid(v[H_OKTMO], &why))
        rc = ROW_ERROR(m, H_OKTMO, "%s, а не «%s»", why, v[H_OKTMO]);
    else if (rc == 0 && (rc = lookup_municipality(m, v[H_OKTMO], &mun)) == 0 && !mun->id)
        rc = ROW_ERROR(m, H_OKTMO, "муниципальное образование с ОКТМО %s не найдено", v[H_OKTMO]);
    else if (rc == 0) {
        f->region_id = mun->region_id;
        f->municipality_id = mun->id;
    }

    static const char *const kinds[] = {"мкд", "ижд", NULL};
    int kind = rc == 0 ? word_index(v[H_KIND], kinds) : 0;
    if (rc == 0 && !*v[H_KIND])
        rc = ROW_ERROR(m, H_KIND, "не указан тип дома (МКД или ИЖД)");
    else if (rc == 0 && kind < 0)
        rc = ROW_ERROR(m, H_KIND, "тип дома: ожидается МКД или ИЖД, а не «%s»", v[H_KIND]);
    else if (rc == 0)
        f->kind = kind == 0 ? "mkd" : "izd";

    if (rc == 0 && *v[H_ORG_INN]) {
        if (!ident_inn_valid(v[H_ORG_INN], &why))
            rc = ROW_ERROR(m, H_ORG_INN, "%s (ИНН «%s»)", why, v[H_ORG_INN]);
        else if ((rc = lookup_org(m, v[H_ORG_INN], &org)) == 0 && !org->id)
            rc = ROW_ERROR(m, H_ORG_INN, "организация с ИНН %s не найдена", v[H_ORG_INN]);
        else if (rc == 0)
            f->org_id = org->id;
    }
    for (size_t i = 0; rc == 0 && i < sizeof house_ints / sizeof house_ints[0]; i++) {
        const char *s = v[house_ints[i].col];
        if (*s && !parse_int(s, house_ints[i].min, house_ints[i].max, &f->v[i]))
            rc = ROW_ERROR(
                m, house_ints[i].col, "%s: ожидается целое число от %lld до %lld, а не «%s»",
                house_ints[i].what, (long long)house_ints[i].min, (long long)house_ints[i].max, s);
    }
    if (rc == 0 && *v[H_WALL]) {
        if (!plain_text(v[H_WALL], 200))
            rc = ROW_ERROR(m, H_WALL, "материал стен: недопустимые символы или длиннее 200 байт");
        else if (!(f->wall = arena_strdup(m->a, v[H_WALL])))
            rc = err_set(m->e, ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; rc == 0 && i < sizeof house_areas / sizeof house_areas[0]; i++) {
        const char *s = v[house_areas[i][0]];
        if (*s && !parse_area(s, &f->v[house_areas[i][1]]))
            rc = ROW_ERROR(m, house_areas[i][0],
                           "площадь: ожидается число м² с точностью до 0,01, а не «%s»", s);
    }
    static const char *const yes_no[] = {"нет", "да", NULL};
    int emergency = word_index(v[H_EMERGENCY], yes_no);
    if (rc == 0 && *v[H_EMERGENCY] && emergency < 0)
        rc = ROW_ERROR(m, H_EMERGENCY, "аварийный: ожидается «да» или «нет», а не «%s»",
                       v[H_EMERGENCY]);
    else if (rc == 0 && *v[H_EMERGENCY])
        f->v[HV_EMERGENCY] = emergency;
    if (rc == 0 && *v[H_LAT] && !parse_coord(v[H_LAT], 90, &f->v[HV_LAT]))
        rc = ROW_ERROR(
            m, H_LAT,
            "широта: ожидаются градусы от -90 до 90, до 6 знаков после запятой, а не «%s»",
            v[H_LAT]);
    if (rc == 0 && *v[H_LON] && !parse_coord(v[H_LON], 180, &f->v[HV_LON]))
        rc = ROW_ERROR(
            m, H_LON,
            "долгота: ожидаются градусы от -180 до 180, до 6 знаков после запятой, а не «%s»",
            v[H_LON]);
    if (rc || m->row_bad)
        return rc;

    /* The stored house it updates, and whether this import may touch it. */
    if ((rc = find_house(m, f, &row->db)))
        return rc;
    struct hstate *d = &row->db;
    if (d->id && f->fias && d->fias && strcmp(f->fias, d->fias) != 0)
        return ROW_ERROR(m, H_CADASTRAL, "кадастровый номер %s принадлежит дому с другим ФИАС (%s)",
                         f->cadastral, d->fias);
    if (d->id && f->cadastral && !same_text(f->cadastral, d->cadastral)) {
        /* A new cadastral number for a house found by FIAS: not another's. */
        int64_t other = 0;
        int rc2 =
            store_query_int(m->c,
                            "SELECT id FROM houses WHERE cadastral_number = $1 AND id <> $2"
                            " LIMIT 1",
                            (struct store_val[]){SV_T(f->cadastral), SV_I(d->id)}, 2, &other, m->e);
        if (rc2 == 0)
            return ROW_ERROR(m, H_CADASTRAL, "кадастровый номер %s уже принадлежит другому дому",
                             f->cadastral);
        if (rc2 != ERR_NOTFOUND)
            return rc2;
    }
    /* Both the house as it is and as the file makes it must be the importer's. */
    bool ok = may_touch(m->o->scope, f->region_id, f->municipality_id,
                        f->org_id ? f->org_id : d->org_id) &&
              (!d->id || may_touch(m->o->scope, d->region_id, d->municipality_id, d->org_id));
    if (!ok)
        return ROW_ERROR(m, H_ADDRESS, "нет прав на изменение этого дома");
    return 0;
}

/* address_search: lower(address + ' ' + FIAS + ' ' + cadastral number), as
 * registry_db.c writes it. */
static const char *address_search(struct arena *a, const struct hstate *h)
{
    const char *s = arena_printf(a, "%s %s %s", h->address, h->fias ? h->fias : "",
                                 h->cadastral ? h->cadastral : "");
    return s ? text_lower(a, s) : NULL;
}

/* Keeps house_orgs' manager row in step with houses.org_id. */
static int set_manager(struct imp *m, int64_t house, int64_t org)
{
    int rc = store_exec(m->c, "DELETE FROM house_orgs WHERE house_id = $1 AND role = 'manager'",
                        (struct store_val[]){SV_I(house)}, 1, NULL, m->e);
    if (rc == 0 && org)
        rc = store_exec(
            m->c, "INSERT INTO house_orgs (house_id, org_id, role) VALUES ($1, $2, 'manager')",
            (struct store_val[]){SV_I(house), SV_I(org)}, 2, NULL, m->e);
    return rc;
}

/* Creates the house of row, or updates the matched one where the file says
 * something else (a value the file leaves empty is kept). */
static int apply_house(struct imp *m, struct hrow *row)
{
    const struct hstate *f = &row->file;
    struct hstate n = row->db.id ? row->db : *f; /* the house as it will be */
    bool create = !row->db.id;
    if (!create) {
        n.region_id = f->region_id;
        n.municipality_id = f->municipality_id;
        n.kind = f->kind;
        n.address = f->address;
        if (f->org_id)
            n.org_id = f->org_id;
        if (f->fias)
            n.fias = f->fias;
        if (f->cadastral)
            n.cadastral = f->cadastral;
        if (f->wall)
            n.wall = f->wall;
        for (int k = 0; k < HV_N; k++)
            if (f->v[k] != NONE)
                n.v[k] = f->v[k];
        const struct hstate *d = &row->db;
        bool same = n.region_id == d->region_id && n.municipality_id == d->municipality_id &&
                    n.org_id == d->org_id && same_text(n.kind, d->kind) &&
                    same_text(n.address, d->address) && same_text(n.fias, d->fias) &&
                    same_text(n.cadastral, d->cadastral) && same_text(n.wall, d->wall) &&
                    memcmp(n.v, d->v, sizeof n.v) == 0;
        if (same)
            return 0;
    } else if (n.v[HV_EMERGENCY] == NONE) {
        n.v[HV_EMERGENCY] = 0;
    }
    const char *search = address_search(m->a, &n);
    if (!search)
        return err_set(m->e, ERR_NOMEM, "out of memory");
    struct store_val p[25] = {SV_I(n.id),      SV_I(n.region_id), SV_I(n.municipality_id),
                              SV_ID(n.org_id), SV_T(n.kind),      SV_T(n.address),
                              SV_T(search),    SV_T(n.fias),      SV_T(n.cadastral),
                              SV_T(n.wall),    SV_I(m->now)};
    for (int k = 0; k < HV_N; k++)
        p[11 + k] = n.v[k] == NONE ? SV_NULLV : SV_I(n.v[k]);
    int rc;
    if (create) {
        rc = store_query_int(
            m->c,
            "INSERT INTO houses (region_id, municipality_id, org_id, kind, address,"
            " address_search, fias_guid, cadastral_number, wall_material, created_at, updated_at,"
            " year_built, floors, entrances, nonresidential_count, balconies, loggias, total_area,"
            " residential_area, nonresidential_area, common_area, emergency, lat_e6, lon_e6)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12, $13, $14, $15, $16,"
            " $17, $18, $19, $20, $21, $22, $23) RETURNING id",
            p + 1, 23, &n.id, m->e);
        m->res->houses_created++;
    } else {
        rc = store_exec(m->c,
                        "UPDATE houses SET region_id = $2, municipality_id = $3, org_id = $4,"
                        " kind = $5, address = $6, address_search = $7, fias_guid = $8,"
                        " cadastral_number = $9, wall_material = $10, updated_at = $11,"
                        " year_built = $12, floors = $13, entrances = $14,"
                        " nonresidential_count = $15, balconies = $16, loggias = $17,"
                        " total_area = $18, residential_area = $19, nonresidential_area = $20,"
                        " common_area = $21, emergency = $22, lat_e6 = $23, lon_e6 = $24"
                        " WHERE id = $1",
                        p, 24, NULL, m->e);
        m->res->houses_updated++;
    }
    if (rc == 0 && (create || n.org_id != row->db.org_id))
        rc = set_manager(m, n.id, n.org_id);
    if (rc == 0 && !create && n.municipality_id != row->db.municipality_id)
        rc = reg_house_move_rows(m->c, n.id, n.region_id, n.municipality_id, m->e);
    return rc;
}

int import_houses(struct imp *m)
{
    struct htab seen = {0};
    struct hrow *first = NULL, **tail = &first;
    struct csv_record rec;
    int rc;
    while ((rc = csv_next(m->csv, &rec, m->e)) == 1) {
        struct hrow *row = arena_alloc(m->a, sizeof *row);
        if (!row) {
            rc = err_set(m->e, ERR_NOMEM, "out of memory");
            break;
        }
        m->res->rows++;
        if ((rc = read_values(m, &rec)) == 0 && !m->row_bad)
            rc = house_row(m, &seen, row);
        if (rc)
            break;
        row->line = rec.line;
        row->bad = m->row_bad;
        *tail = row;
        tail = &row->next;
        if (m->res->rows % PROGRESS_ROWS == 0)
            progress(m, "чтение", csv_offset(m->csv), csv_size(m->csv));
    }
    ht_free(&seen);
    if (rc < 0)
        return csv_failed(m, rc) ? rc : ERR_INVALID;
    if (m->nerr && !m->o->skip_invalid)
        return ERR_INVALID;

    size_t nrej = 0;
    for (struct hrow *row = first; row; row = row->next)
        nrej += row->bad;
    struct rejected *rej = nrej ? arena_alloc(m->a, sizeof *rej * nrej) : NULL;
    if (nrej && !rej)
        return err_set(m->e, ERR_NOMEM, "out of memory");
    int64_t done = 0;
    nrej = 0;
    for (struct hrow *row = first; row && rc == 0; row = row->next, done++) {
        if (row->bad) {
            rej[nrej++] = (struct rejected){row->line, NULL};
            continue;
        }
        m->res->houses++;
        m->res->rows_applied++;
        rc = apply_house(m, row);
        if (done % 1024 == 0)
            progress(m, "запись", done, m->res->rows);
    }
    m->res->rows_rejected = (int64_t)nrej;
    if (rc == 0 && nrej) {
        if (m->nerr)
            qsort(m->errors, m->nerr, sizeof *m->errors, cmp_errors);
        rc = write_rejected(m, rej, nrej);
    }
    return rc;
}
