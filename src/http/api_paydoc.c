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
    if (!c)
        return 0;
    const struct store_scope *s = scope(r);
    /* Another organization's documents are not there for its staff: 404. */
    if ((s->kind == SCOPE_ORG && s->org_id != org_id) ||
        dir_org_get(c, s, org_id, r->arena, &org, &e))
        return http_error(
            r, e.code && e.code != ERR_NOTFOUND
                   ? &e
                   : &(struct err){.code = ERR_NOTFOUND, .msg = "организация не найдена"});
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
    if (store_begin(c, &e) == 0 && job_enqueue(c, &j, &job_id, &e) == 0)
        http_audit(r, c, "paydoc.render", obj,
                   json_pack("{s:s, s:o, s:I}", "period", period, "house_id", http_id(house_id),
                             "job_id", (json_int_t)job_id),
                   &e);
    http_tx_end(c, &e);
    if (e.code)
        return http_error(r, &e);
    char location[64];
    snprintf(location, sizeof location, "/api/v1/jobs/%lld", (long long)job_id);
    http_header(r, "Location", location);
    return http_json(r, 202,
                     json_pack("{s:I, s:I, s:o, s:s, s:s}", "job_id", (json_int_t)job_id, "org_id",
                               (json_int_t)org_id, "house_id", http_id(house_id), "period", period,
                               "job_url", location));
}
