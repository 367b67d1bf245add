/* routes.c — every route the server answers. docs/openapi.json describes the
 * same list; tests/unit/test_routes.c fails if the two drift apart. */
#include "http/http.h"

const struct route http_routes[] = {
    {"GET", "/healthz", RIGHT_NONE, api_healthz},
    {"GET", "/metrics", RIGHT_NONE, api_metrics},
    {"GET", "/api/v1/openapi.json", RIGHT_NONE, api_openapi},
    {"POST", "/api/v1/auth/login", RIGHT_NONE, api_login},
    {"POST", "/api/v1/auth/logout", RIGHT_SESSION, api_logout},
    {"GET", "/api/v1/me", RIGHT_SESSION, api_me},
    {"GET", "/api/v1/regions", RIGHT_REGIONS_READ, api_regions_list},
    {"GET", "/api/v1/municipalities", RIGHT_MUNICIPALITIES_READ, api_municipalities_list},
    {"POST", "/api/v1/municipalities", RIGHT_MUNICIPALITIES_WRITE, api_municipalities_create},
    {"GET", "/api/v1/municipalities/{id}", RIGHT_MUNICIPALITIES_READ, api_municipalities_get},
    {"PATCH", "/api/v1/municipalities/{id}", RIGHT_MUNICIPALITIES_WRITE, api_municipalities_patch},
    {"GET", "/api/v1/organizations", RIGHT_ORGANIZATIONS_READ, api_organizations_list},
    {"POST", "/api/v1/organizations", RIGHT_ORGANIZATIONS_CREATE, api_organizations_create},
    {"GET", "/api/v1/organizations/{id}", RIGHT_ORGANIZATIONS_READ, api_organizations_get},
    {"PATCH", "/api/v1/organizations/{id}", RIGHT_ORGANIZATIONS_WRITE, api_organizations_patch},
    {"GET", "/api/v1/users", RIGHT_USERS_READ, api_users_list},
    {"POST", "/api/v1/users", RIGHT_USERS_WRITE, api_users_create},
    {"GET", "/api/v1/users/{id}", RIGHT_USERS_READ, api_users_get},
    {"PATCH", "/api/v1/users/{id}", RIGHT_USERS_WRITE, api_users_patch},
    {"GET", "/api/v1/audit", RIGHT_AUDIT_READ, api_audit_list},
    {"GET", "/api/v1/jobs", RIGHT_JOBS_READ, api_jobs_list},
    {"GET", "/api/v1/jobs/{id}", RIGHT_JOBS_READ, api_jobs_get},
    {"POST", "/api/v1/jobs/{id}/retry", RIGHT_JOBS_WRITE, api_jobs_retry},
    {"POST", "/api/v1/jobs/{id}/cancel", RIGHT_JOBS_WRITE, api_jobs_cancel},
    {"GET", "/api/v1/schedules", RIGHT_SCHEDULES_READ, api_schedules_list},
    {"POST", "/api/v1/schedules", RIGHT_SCHEDULES_WRITE, api_schedules_create},
    {"PATCH", "/api/v1/schedules/{id}", RIGHT_SCHEDULES_WRITE, api_schedules_patch},
    {NULL, NULL, RIGHT_NONE, NULL},
};
