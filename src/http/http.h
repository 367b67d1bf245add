/* http.h — the HTTP front: a libmicrohttpd server with a thread pool and
 * keep-alive, the route table, and what handlers use to read a request and
 * answer it. Everything a request allocates comes from its arena, freed when
 * the response has been sent. Handlers are thin: parse, call the module,
 * render; authorization (the route's right) happens before they run, and
 * scoping inside the store. */
#ifndef UPRAVDOM_HTTP_H
#define UPRAVDOM_HTTP_H

#include "auth/auth.h"
#include "audit/audit.h"
#include "base/arena.h"
#include "base/config.h"
#include "base/jsonv.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct http_server;
struct http_req;

typedef int (*http_handler)(struct http_req *r);
/* Renders the response of a deferred request (http_defer). */
typedef int (*http_finish)(struct http_req *r, void *arg);

struct route {
    const char *method;  /* "GET", "POST", "PATCH" */
    const char *pattern; /* "/api/v1/organizations/{id}"; {id} matches a positive integer */
    enum right right;    /* needed to call it; RIGHT_NONE for open routes */
    http_handler fn;
};

extern const struct route http_routes[]; /* routes.c; ends with {NULL} */

struct http_header {
    const char *name, *value;
};

struct http_req {
    struct arena *arena; /* freed when the response is done */
    const struct config *cfg;
    struct store *store;
    const char *method, *path;
    const struct route *route; /* matched route, or NULL */
    int64_t ids[4];            /* {id} path parameters, in order */
    char request_id[65];
    char address[64];         /* client IP */
    const char *content_type; /* of the request body, or NULL */
    char *body;               /* request body (NUL-terminated), or NULL */
    size_t body_len;
    bool body_too_large;
    struct auth_session *session; /* the caller, or NULL */
    struct store_conn *db;        /* acquired on first use; released at the end */
    void *mhd;                    /* struct MHD_Connection */
    struct http_server *server;
    http_finish finish; /* deferred: renders the response once resumed */
    void *finish_arg;

    /* the response */
    int status;
    char *resp_body; /* malloc'ed */
    size_t resp_len;
    int resp_fd;          /* http_file: an open file sent instead of resp_body, owned; -1 none */
    uint64_t resp_fd_len; /* its size */
    const char *resp_type;
    struct http_header headers[8];
    int nheaders;
};

/* Starts serving cfg->listen in the background. The server keeps `store`. */
int http_start(const struct config *cfg, struct store *store, struct http_server **out,
               struct err *e);
/* The "http://host:port" actually bound (port 0 resolved). */
const char *http_url(const struct http_server *s);
/* Stops accepting, finishes running requests, frees the server. */
void http_stop(struct http_server *s);

/* ---- for handlers ---- */

/* The request's database connection (acquired on first call), or NULL with a
 * 500/503 response already set. */
struct store_conn *http_db(struct http_req *r);

/* Deferring the response while other threads work (PITFALLS.md: a slow
 * handler blocks every connection of its MHD thread). The handler calls
 * http_defer, which suspends the connection and gives back the request's
 * database connection; then it hands the work on (store_write_submit) and
 * returns. When the work is done, http_resume — from any thread, once —
 * wakes the connection, and finish(r, arg) runs on its MHD thread to set
 * the response. While the server is stopping http_defer answers 503 and
 * returns false: the handler must then not start the work. */
bool http_defer(struct http_req *r, http_finish finish, void *arg);
void http_resume(struct http_req *r);

/* Query-string argument, or NULL. */
const char *http_query(struct http_req *r, const char *name);
/* Request header, or NULL. */
const char *http_request_header(struct http_req *r, const char *name);

/* Adds a response header; the name must outlive the request (a literal), the
 * value is copied into the request's arena. At most 8 a response. */
void http_header(struct http_req *r, const char *name, const char *value);

/* Responses. Each returns 0 so a handler can `return http_json(...)`. */
int http_json(struct http_req *r, int status, json_t *body /* stolen */);
int http_text(struct http_req *r, int status, const char *type, char *body /* malloc'ed */,
              size_t len);
int http_no_content(struct http_req *r);
/* A file streamed from its descriptor (libmicrohttpd reads it as it sends,
 * sendfile where it can): fd (stolen: closed once sent, or when the
 * response is replaced or the request ends) of len bytes from its start. */
int http_file(struct http_req *r, int status, const char *type, int fd, uint64_t len);
int http_problem(struct http_req *r, int status, const char *type, const char *title,
                 const char *detail);
int http_validation(struct http_req *r, const struct field_errors *fe);
/* The same with extra members (stolen; may be NULL) added to the problem. */
int http_validation_with(struct http_req *r, const struct field_errors *fe, json_t *extra);
/* Maps an error from a module to its status (404, 409, 422, 500 …). */
int http_error(struct http_req *r, const struct err *e);

/* The body as a JSON object, or NULL with a 400/415 response set. */
json_t *http_body_object(struct http_req *r);

/* Reads page and per_page into pg (defaults 1 and 50), adding errors to fe. */
void http_page(struct http_req *r, struct page *pg, struct field_errors *fe);
/* Reads an optional positive integer query argument (0 if absent). */
int64_t http_query_id(struct http_req *r, const char *name, struct field_errors *fe);

/* The list envelope {"items": items, "page", "per_page", "total"}. */
json_t *http_list(json_t *items /* stolen */, struct page pg, int64_t total);

/* Who acts, for the audit log. */
struct audit_actor http_actor(struct http_req *r);

/* Writes the audit entry of a change made in the request's transaction;
 * detail (may be NULL) is released. */
int http_audit(struct http_req *r, struct store_conn *c, const char *action,
               struct audit_object obj, json_t *detail, struct err *e);
/* Ends the request's write transaction: commit if e holds no error, else roll back. */
void http_tx_end(struct store_conn *c, struct err *e);

/* An organization's background job queued over HTTP (api_jobs.c): the
 * billing run, the render of payment documents. http_org_job_target reads
 * the organization the job is for as the caller sees it (another
 * organization's staff, or an organization outside the scope: 404);
 * http_org_job_queue queues j with its audit entry (action, obj, detail with
 * "job_id" added; detail is released) in one transaction and sets the
 * Location header; *url is the job's URL in the request's arena. Both return
 * false with the response set. */
struct organization;
struct job_new;
bool http_org_job_target(struct http_req *r, struct store_conn *c, int64_t org_id,
                         struct organization *org);
bool http_org_job_queue(struct http_req *r, struct store_conn *c, const struct job_new *j,
                        const char *action, struct audit_object obj, json_t *detail,
                        int64_t *job_id, const char **url);

/* An id as JSON: the number, or null for 0. */
json_t *http_id(int64_t id);
/* A string, or JSON null for NULL. */
json_t *http_str(const char *s);
/* Kopecks as a ruble string "1234.56" (money_format). */
json_t *http_money(int64_t kopecks);

/* num / den as a percent with two decimals, rounded half up: "22.50";
 * "0.00" when den is 0. Exact in integers (no floating point). */
json_t *http_percent(int64_t num, int64_t den);

/* ISO 8601 UTC text of a Unix time, in the request's arena. */
const char *http_time(struct http_req *r, int64_t t);

/* Uploaded files (api_imports.c). The body in a private temporary file
 * (the CSV reader needs a regular file); the caller unlinks path. */
int http_upload_to_file(struct http_req *r, char path[64], struct err *e);
/* Adds a file's error at line:column as the field "LINE:COLUMN". Field names
 * are unique per problem list: the first message of a position is kept. */
void http_file_error_at(struct field_errors *fe, long line, int col, const char *msg);

/* Handlers, one file per area. */
int api_healthz(struct http_req *r);
int api_metrics(struct http_req *r);
int api_openapi(struct http_req *r);
int api_login(struct http_req *r);
int api_logout(struct http_req *r);
int api_me(struct http_req *r);
int api_regions_list(struct http_req *r);
int api_municipalities_list(struct http_req *r);
int api_municipalities_create(struct http_req *r);
int api_municipalities_get(struct http_req *r);
int api_municipalities_patch(struct http_req *r);
int api_organizations_list(struct http_req *r);
int api_organizations_create(struct http_req *r);
int api_organizations_get(struct http_req *r);
int api_organizations_patch(struct http_req *r);
int api_users_list(struct http_req *r);
int api_users_create(struct http_req *r);
int api_users_get(struct http_req *r);
int api_users_patch(struct http_req *r);
int api_audit_list(struct http_req *r);
int api_jobs_list(struct http_req *r);
int api_jobs_get(struct http_req *r);
int api_jobs_retry(struct http_req *r);
int api_jobs_cancel(struct http_req *r);
int api_schedules_list(struct http_req *r);
int api_schedules_create(struct http_req *r);
int api_schedules_patch(struct http_req *r);
int api_houses_list(struct http_req *r);
int api_houses_create(struct http_req *r);
int api_houses_get(struct http_req *r);
int api_houses_patch(struct http_req *r);
int api_house_premises(struct http_req *r);
int api_premises_get(struct http_req *r);
int api_accounts_list(struct http_req *r);
int api_accounts_get(struct http_req *r);
int api_registry_changes(struct http_req *r);
int api_reports_house(struct http_req *r);
int api_registry_quality(struct http_req *r);
int api_registry_notice(struct http_req *r);
int api_imports_houses(struct http_req *r);
int api_imports_premises(struct http_req *r);
int api_meters_list(struct http_req *r);
int api_meters_create(struct http_req *r);
int api_meters_get(struct http_req *r);
int api_meters_patch(struct http_req *r);
int api_meter_readings(struct http_req *r);
int api_readings_submit(struct http_req *r);
int api_meters_consumption(struct http_req *r);
int api_readings_stats(struct http_req *r);
int api_meters_quality(struct http_req *r);
int api_reading_settings_get(struct http_req *r);
int api_reading_settings_patch(struct http_req *r);
int api_imports_readings(struct http_req *r);
int api_meters_overview(struct http_req *r);
int api_meters_export(struct http_req *r);
int api_meter_rejections(struct http_req *r);
int api_payments_list(struct http_req *r);
int api_payments_create(struct http_req *r);
int api_payments_get(struct http_req *r);
int api_imports_payments(struct http_req *r);
int api_services_list(struct http_req *r);
int api_services_create(struct http_req *r);
int api_services_get(struct http_req *r);
int api_services_patch(struct http_req *r);
int api_service_tariffs_list(struct http_req *r);
int api_service_tariffs_create(struct http_req *r);
int api_service_norms_list(struct http_req *r);
int api_service_norms_create(struct http_req *r);
int api_billing_settings_get(struct http_req *r);
int api_billing_settings_patch(struct http_req *r);
int api_key_rates_list(struct http_req *r);
int api_key_rates_create(struct http_req *r);
int api_penalty_regimes_list(struct http_req *r);

/* JSON of directory objects (api_directory.c). */
json_t *json_user(struct http_req *r, const struct user *u);

/* ---- metrics (metrics.c) ---- */
void metrics_record(const struct route *route, int status, double seconds);
/* Prometheus text for everything recorded plus the store's pool figures. */
char *metrics_render(struct store *store, size_t *len);

int api_billing_runs_list(struct http_req *r);
int api_billing_runs_create(struct http_req *r);
int api_billing_runs_get(struct http_req *r);
int api_billing_close(struct http_req *r);
int api_account_statements(struct http_req *r);
int api_account_statement(struct http_req *r);
int api_account_corrections(struct http_req *r);
int api_account_debts(struct http_req *r);
int api_corrections_create(struct http_req *r);
int api_account_document(struct http_req *r);
int api_account_document_pdf(struct http_req *r);
int api_account_document_txt(struct http_req *r);
int api_paydoc_renders_create(struct http_req *r);
int api_paydoc_files_list(struct http_req *r);
int api_paydoc_files_get(struct http_req *r);

#endif
