/* registry.c — what makes a house valid, and the registry's scope binding. */
#include "registry/registry.h"

#include "base/ident.h"

#include <string.h>

bool reg_house_kind(const char *s)
{
    return s && (strcmp(s, "mkd") == 0 || strcmp(s, "izd") == 0);
}

static void check_range(struct field_errors *fe, const char *field, int64_t v, int64_t lo,
                        int64_t hi)
{
    if (v != REG_NONE && (v < lo || v > hi))
        fe_add(fe, field, "допустимо от %lld до %lld", (long long)lo, (long long)hi);
}

int reg_house_check(const struct house *h, struct field_errors *fe)
{
    int before = fe->n;
    const char *why = NULL;
    if (!reg_house_kind(h->kind))
        fe_add(fe, "kind", "допустимо: mkd (многоквартирный дом), izd (индивидуальный дом)");
    if (!h->address || !*h->address)
        fe_add(fe, "address", "обязательное поле");
    if (!h->municipality_id)
        fe_add(fe, "municipality_id", "обязательное поле");
    if (h->fias_guid && !ident_fias_guid_valid(h->fias_guid, &why))
        fe_add(fe, "fias_guid", "%s", why);
    if (h->cadastral_number && !ident_cadastral_valid(h->cadastral_number, &why))
        fe_add(fe, "cadastral_number", "%s", why);
    check_range(fe, "year_built", h->year_built, 1700, 2100);
    check_range(fe, "floors", h->floors, 1, 200);
    check_range(fe, "entrances", h->entrances, 0, 100);
    check_range(fe, "nonresidential_count", h->nonresidential_count, 0, 100000);
    check_range(fe, "balconies", h->balconies, 0, 100000);
    check_range(fe, "loggias", h->loggias, 0, 100000);
    check_range(fe, "lat", h->lat_e6, -90000000, 90000000);
    check_range(fe, "lon", h->lon_e6, -180000000, 180000000);
    const char *areas[] = {"total_area", "residential_area", "nonresidential_area", "common_area"};
    const int64_t values[] = {h->total_area, h->residential_area, h->nonresidential_area,
                              h->common_area};
    for (int i = 0; i < 4; i++)
        check_range(fe, areas[i], values[i], 0, 100000000000);
    return fe->n - before;
}

void reg_scope_bind(const struct store_scope *s, struct store_val p[4])
{
    bool all = s->kind == SCOPE_SYSTEM || s->kind == SCOPE_ADMIN;
    p[0] = SV_I(all ? 0 : s->region_id);
    p[1] = SV_I(all || s->kind == SCOPE_REGION ? 0 : s->municipality_id);
    /* An organization sees the houses it manages or supplies, wherever they are. */
    if (s->kind == SCOPE_ORG)
        p[1] = SV_I(0);
    p[2] = SV_I(s->kind == SCOPE_ORG ? s->org_id : 0);
    p[3] = SV_I(s->kind == SCOPE_RESIDENT ? s->user_id : 0);
}
