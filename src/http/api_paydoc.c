/* api_paydoc.c — payment documents over HTTP (docs/paydoc.md "API"): one
 * account's document for a period as JSON, PDF or plain text (the
 * resident's "download bill"), and the render of an organization's period
 * into files as a "paydoc.render" job. The account's visibility is the
 * store's (paydoc_load binds the caller's scope): another tenant's account,
 * or a period without a statement, is a 404. */
#include "http/http.h"

#include "base/date.h"
#include "jobs/jobs.h"
#include "paydoc/paydoc.h"
#include "registry/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct store_scope *scope(struct http_req *r)
{
    return &r->session->scope;
}

static bool period_valid(const char *p)
{
    int per;
    return p && date_period_parse(p, &per, NULL) == 0;
}

/* The document of the route's account for ?period=; false with the
 * response set (422 naming period, 404, 500). */
static bool load_document(struct http_req *r, struct paydoc *d)
{
    const char *period = http_query(r, "period");
    if (!period_valid(period)) {
        struct field_errors fe = {0};
        fe_add(&fe, "period", "ожидается месяц ГГГГ-ММ");
        http_validation(r, &fe);
        return false;
    }
    struct store_conn *c = http_db(r);
    struct err e = {0};
    if (!c)
        return false;
    if (paydoc_load(c, scope(r), r->ids[0], period, r->arena, d, &e)) {
        http_error(r, &e);
        return false;
    }
    return true;
}

int api_account_document(struct http_req *r)
{
    struct paydoc d;
    json_t *o = NULL;
    struct err e = {0};
    if (!load_document(r, &d))
        return 0;
    if (paydoc_json(&d, &o, &e))
        return http_error(r, &e);
    return http_json(r, 200, o);
}

/* A file name the header can carry as is: letters, digits and '-'. */
static const char *file_name(struct http_req *r, const struct paydoc *d)
{
    char id[32];
    const char *who = d->els;
    if (!who) {
        snprintf(id, sizeof id, "%lld", (long long)d->account_id);
        who = id;
    }
    char *name = arena_printf(r->arena, "bill-%s-%s.pdf", who, d->period);
    for (char *p = name; p && *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '.'))
            *p = '-';
    return name;
}

int api_account_document_pdf(struct http_req *r)
{
    struct paydoc d;
    unsigned char *pdf = NULL;
    size_t len = 0;
    struct err e = {0};
    if (!load_document(r, &d))
        return 0;
    if (paydoc_pdf(&d, r->arena, &pdf, &len, &e))
        return http_error(r, &e);
    char *body = malloc(len ? len : 1);
    if (!body)
        return http_error(r, &(struct err){.code = ERR_NOMEM, .msg = "out of memory"});
    memcpy(body, pdf, len);
    http_header(r, "Content-Disposition",
                arena_printf(r->arena, "attachment; filename=\"%s\"", file_name(r, &d)));
    return http_text(r, 200, "application/pdf", body, len);
}

int api_account_document_txt(struct http_req *r)
{
    struct paydoc d;
    char *text = NULL;
    struct err e = {0};
    if (!load_document(r, &d))
        return 0;
    if (paydoc_text(&d, r->arena, &text, &e))
        return http_error(r, &e);
    char *body = strdup(text);
    if (!body)
        return http_error(r, &(struct err){.code = ERR_NOMEM, .msg = "out of memory"});
    return http_text(r, 200, "text/plain; charset=utf-8", body, strlen(body));
}

/* {period, org_id?, house_id?}: renders the organization's documents of the
 * period into the installation's documents directory as a "paydoc.render"
 * job; 202 with the job to follow (as POST /api/v1/billing/runs). */
int api_paydoc_renders_create(struct http_req *r)
{
    json_t *body = http_body_object(r);
    if (!body)
        return 0;
    int64_t org_id = 0, house_id = 0;
    const char *period = NULL;
    struct field_errors fe = {0};
    struct jv_field fields[] = {{"period", JV_STRING, true, 7, &period},
                                {"org_id", JV_INT, false, 0, &org_id},
                                {"house_id", JV_INT, false, 0, &house_id},
                                {NULL}};
    jv_read(body, fields, r->arena, &fe);
    json_decref(body);
    if (!fe.n && !period_valid(period))
        fe_add(&fe, "period", "ожидается месяц ГГГГ-ММ");
    if (house_id < 0)
        fe_add(&fe, "house_id", "ожидается id дома");
    if (!org_id)
        org_id = scope(r)->org_id;
    if (!org_id && !fe.n)
        fe_add(&fe, "org_id", "укажите организацию");
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct err e = {0};
    struct organization org;
    struct house h;
    int64_t job_id = 0;
    const char *url;
    /* Another organization's documents are not there for its staff: 404. */
    if (!c || !http_org_job_target(r, c, org_id, &org))
        return 0;
    const struct store_scope *s = scope(r);
    if (house_id && reg_house_get(c, s, house_id, r->arena, &h, &e))
        return http_error(r, e.code == ERR_NOTFOUND ? &(struct err){.code = ERR_NOTFOUND,
                                                                    .field = "house_id",
                                                                    .msg = "дом не найден"}
                                                    : &e);
    char payload[128];
    if (house_id)
        snprintf(payload, sizeof payload,
                 "{\"period\": \"%s\", \"org_id\": %lld, \"house_id\": %lld}", period,
                 (long long)org_id, (long long)house_id);
    else
        snprintf(payload, sizeof payload, "{\"period\": \"%s\", \"org_id\": %lld}", period,
                 (long long)org_id);
    struct job_new j = {.kind = "paydoc.render",
                        .payload = payload,
                        .priority = 3,
                        .max_attempts = 3,
                        .region_id = org.region_id,
                        .municipality_id = org.municipality_id,
                        .org_id = org_id};
    struct audit_object obj = {"paydoc_render", 0, org.region_id, org.municipality_id, org_id};
    if (!http_org_job_queue(
            r, c, &j, "paydoc.render", obj,
            json_pack("{s:s, s:o}", "period", period, "house_id", http_id(house_id)), &job_id,
            &url))
        return 0;
    return http_json(r, 202,
                     json_pack("{s:I, s:I, s:o, s:s, s:s}", "job_id", (json_int_t)job_id, "org_id",
                               (json_int_t)org_id, "house_id", http_id(house_id), "period", period,
                               "job_url", url));
}

/* ---- the rendered files ---- */

static json_t *json_file(struct http_req *r, const struct paydoc_file *f)
{
    json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:I, s:s}", "id",
                          (json_int_t)f->id, "org_id", (json_int_t)f->org_id, "org_name",
                          f->org_name ? f->org_name : "", "period", f->period, "kind", f->kind,
                          "name", f->name, "label", http_str(f->label), "documents",
                          (json_int_t)f->documents, "pages", (json_int_t)f->pages, "bytes",
                          (json_int_t)f->bytes, "rendered_at", http_time(r, f->rendered_at));
    if (o)
        json_object_set_new(
            o, "url",
            json_string(arena_printf(r->arena, "/api/v1/paydoc/files/%lld", (long long)f->id)));
    return o;
}

/* GET /api/v1/paydoc/files?period=&org_id=&kind=&q=&page=&per_page=: the
 * manifest of the visible rendered files, batches first. */
int api_paydoc_files_list(struct http_req *r)
{
    struct field_errors fe = {0};
    struct page pg;
    http_page(r, &pg, &fe);
    struct paydoc_file_filter f = {
        .period = http_query(r, "period"), .kind = http_query(r, "kind"), .q = http_query(r, "q")};
    f.org_id = http_query_id(r, "org_id", &fe);
    if (f.period && !period_valid(f.period))
        fe_add(&fe, "period", "ожидается месяц ГГГГ-ММ");
    if (f.kind && strcmp(f.kind, "batch") && strcmp(f.kind, "single"))
        fe_add(&fe, "kind", "допустимо: batch, single");
    if (f.q && strlen(f.q) > 200)
        fe_add(&fe, "q", "не длиннее 200 байт");
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    struct paydoc_file *items;
    int64_t n, total;
    struct err e = {0};
    if (!c)
        return 0;
    if (paydoc_file_list(c, scope(r), &f, pg, r->arena, &items, &n, &total, &e))
        return http_error(r, &e);
    json_t *list = json_array();
    for (int64_t i = 0; i < n; i++)
        json_array_append_new(list, json_file(r, &items[i]));
    return http_json(r, 200, http_list(list, pg, total));
}

/* The file's base name for Content-Disposition: what follows the last '/',
 * with anything but letters, digits, '.', '-' and '_' as '-' (render.c
 * writes only those; the header must not carry a quote or a newline). */
static const char *download_name(struct http_req *r, const struct paydoc_file *f)
{
    const char *base = strrchr(f->name, '/');
    char *name = arena_strdup(r->arena, base ? base + 1 : f->name);
    for (char *p = name; p && *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '.' || *p == '_'))
            *p = '-';
    return name ? name : "document.pdf";
}

/* GET /api/v1/paydoc/files/{id}: the file itself, streamed from the
 * documents directory (the `documents` setting, as the workers write it). */
int api_paydoc_files_get(struct http_req *r)
{
    struct store_conn *c = http_db(r);
    struct paydoc_file f;
    struct err e = {0};
    if (!c)
        return 0;
    if (paydoc_file_get(c, scope(r), r->ids[0], r->arena, &f, &e))
        return http_error(r, &e);
    /* The row is read: the connection goes back before the (long) send. */
    store_release(r->db);
    r->db = NULL;
    char dir[sizeof r->cfg->documents + 16];
    config_documents_dir(r->cfg, dir, sizeof dir);
    int fd = -1;
    int64_t size = 0;
    if (paydoc_file_open(dir, &f, &fd, &size, &e)) {
        if (e.code == ERR_NOTFOUND)
            return http_problem(r, 404, "not-found", "Файл не найден", e.msg);
        return http_error(r, &e);
    }
    http_header(r, "Content-Disposition",
                arena_printf(r->arena, "attachment; filename=\"%s\"", download_name(r, &f)));
    http_header(r, "Cache-Control", "private, no-cache");
    return http_file(r, 200, "application/pdf", fd, (uint64_t)size);
}
