/* meters_impl.h — what the files of src/meters/ share and no other module
 * uses: the scope of meter rows in SQL and the reading of a stored period. */
#ifndef UPRAVDOM_METERS_IMPL_H
#define UPRAVDOM_METERS_IMPL_H

#include "meters/meters.h"

/* The meters m the caller may see, with the parameters of meter_scope_bind
 * ($1 region, $2 municipality, $3 organization — the one that takes the
 * readings or the house's manager —, $4 resident: their own premises). */
#define METER_SCOPE                                                                                \
    "(m.region_id = $1 OR $1 = 0) AND (m.municipality_id = $2 OR $2 = 0)"                          \
    " AND (CAST($3 AS BIGINT) = 0 OR m.org_id = $3 OR EXISTS (SELECT 1 FROM house_orgs ho"         \
    " WHERE ho.house_id = m.house_id AND ho.org_id = $3 AND ho.role = 'manager'))"                 \
    " AND (CAST($4 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM resident_premises rp"                   \
    " WHERE rp.premises_id = m.premises_id AND rp.user_id = $4))"

/* The same for staff figures: a resident sees none. */
#define METER_STAFF_SCOPE                                                                          \
    "(m.region_id = $1 OR $1 = 0) AND (m.municipality_id = $2 OR $2 = 0)"                          \
    " AND (CAST($3 AS BIGINT) = 0 OR m.org_id = $3 OR EXISTS (SELECT 1 FROM house_orgs ho"         \
    " WHERE ho.house_id = m.house_id AND ho.org_id = $3 AND ho.role = 'manager'))"                 \
    " AND CAST($4 AS BIGINT) = 0"

/* The period of a stored 'YYYY-MM', 0 for NULL or a malformed one (rules.c). */
int meter_period_stored(const char *s);

#endif
