/* api_imports.c — uploading registry files (docs/registry.md, "Files") and
 * files of readings (docs/meters.md); the bank registry of payments is in
 * api_payments.c with the helpers here (http.h). The request body is the CSV
 * file. The import runs in the request's transaction with the caller's
 * scope: a bad file changes nothing and answers 422 with every error as
 * {field: "LINE:COL", message}. */
#include "http/http.h"

#include "base/date.h"
#include "meters/meters.h"
#include "registry/import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The body in a private temporary file (http.h). */
int http_upload_to_file(struct http_req *r, char path[64], struct err *e)
{
    snprintf(path, 64, "/tmp/upravdom-upload-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return err_set(e, ERR_IO, "cannot store the upload");
    size_t done = 0;
    while (done < r->body_len) {
        ssize_t n = write(fd, r->body + done, r->body_len - done);
        if (n <= 0) {
            close(fd);
            unlink(path);
            return err_set(e, ERR_IO, "cannot store the upload");
        }
        done += (size_t)n;
    }
    close(fd);
    return 0;
}

static json_t *json_result(const struct reg_import_result *res)
{
    json_t *errors = json_array();
    for (int i = 0; i < res->nerrors; i++)
        json_array_append_new(errors, json_pack("{s:I, s:i, s:s}", "line",
                                                (json_int_t)res->errors[i].line, "column",
                                                res->errors[i].col, "message", res->errors[i].msg));
    return json_pack(
        "{s:s?, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "encoding",
        res->encoding, "rows", (json_int_t)res->rows, "rows_applied", (json_int_t)res->rows_applied,
        "rows_rejected", (json_int_t)res->rows_rejected, "houses_created",
        (json_int_t)res->houses_created, "houses_updated", (json_int_t)res->houses_updated,
        "premises_created", (json_int_t)res->premises_created, "premises_updated",
        (json_int_t)res->premises_updated, "rights_created", (json_int_t)res->rights_created,
        "rights_updated", (json_int_t)res->rights_updated, "rights_ended",
        (json_int_t)res->rights_ended, "changes", (json_int_t)res->changes, "error_count",
        (json_int_t)res->error_count, "errors", errors);
}

/* A file's error as the field "LINE:COLUMN" (http.h). */
void http_file_error_at(struct field_errors *fe, long line, int col, const char *msg)
{
    char at[32];
    snprintf(at, sizeof at, "%ld:%d", line, col);
    if (!fe_has(fe, at))
        fe_add(fe, at, "%s", msg);
}

/* 422 listing the file's errors, as a validation problem. */
static int file_errors(struct http_req *r, const struct reg_import_result *res)
{
    struct field_errors fe = {0};
    for (int i = 0; i < res->nerrors && fe.n < FIELD_ERRORS_MAX; i++)
        http_file_error_at(&fe, res->errors[i].line, res->errors[i].col, res->errors[i].msg);
    if (!fe.n)
        fe_add(&fe, "file", "файл не прочитан");
    return http_validation(r, &fe);
}

static int import_upload(struct http_req *r, enum reg_import_kind kind)
{
    struct field_errors fe = {0};
    const char *date = http_query(r, "date"), *skip = http_query(r, "skip_invalid");
    const char *name = http_query(r, "filename"), *why = NULL;
    struct date d;
    char today[DATE_STR_SIZE];
    if (date && date_parse(date, &d, &why))
        fe_add(&fe, "date", "ожидается дата ГГГГ-ММ-ДД");
    if (skip && strcmp(skip, "true") != 0 && strcmp(skip, "false") != 0)
        fe_add(&fe, "skip_invalid", "ожидается true или false");
    if (!r->body_len)
        fe_add(&fe, "file", "пустой файл: тело запроса — файл CSV");
    if (fe.n)
        return http_validation(r, &fe);
    if (!date) { /* today, UTC */
        date_format(date_civil_from_days(store_now() / 86400), today);
        date = today;
    }
    struct store_conn *c = http_db(r);
    char path[64];
    struct err e = {0};
    if (!c)
        return 0;
    if (http_upload_to_file(r, path, &e))
        return http_error(r, &e);
    struct reg_import_result res = {0};
    struct reg_import_opts o = {.kind = kind,
                                .path = path,
                                .source = name ? name : "загрузка через API",
                                .date = date,
                                .skip_invalid = skip && strcmp(skip, "true") == 0,
                                .scope = &r->session->scope};
    int rc = store_begin(c, &e);
    if (rc == 0)
        rc = reg_import_run(c, &o, r->arena, &res, &e);
    if (rc && !e.code)
        e.code = rc;
    if (rc == 0) {
        json_t *detail = json_pack("{s:s, s:s, s:I, s:I}", "file", o.source, "date", date, "rows",
                                   (json_int_t)res.rows, "changes", (json_int_t)res.changes);
        http_audit(r, c, "registry.import", (struct audit_object){"registry_import"}, detail, &e);
    }
    http_tx_end(c, &e);
    if (res.rejected_path)
        unlink(res.rejected_path); /* the reasons are in the answer */
    unlink(path);
    if (rc == ERR_INVALID && res.error_count)
        return file_errors(r, &res);
    return e.code ? http_error(r, &e) : http_json(r, 200, json_result(&res));
}

int api_imports_houses(struct http_req *r)
{
    return import_upload(r, REG_IMPORT_HOUSES);
}

int api_imports_premises(struct http_req *r)
{
    return import_upload(r, REG_IMPORT_PREMISES);
}

/* ---- readings (docs/meters.md "File of readings") ---- */

static json_t *json_readings_result(const struct meter_import_result *res)
{
    json_t *errors = json_array();
    for (int i = 0; i < res->nerrors; i++)
        json_array_append_new(errors, json_pack("{s:I, s:i, s:s}", "line",
                                                (json_int_t)res->errors[i].line, "column",
                                                res->errors[i].col, "message", res->errors[i].msg));
    return json_pack("{s:s?, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "encoding", res->encoding, "rows",
                     (json_int_t)res->rows, "accepted", (json_int_t)res->accepted, "corrected",
                     (json_int_t)res->corrected, "unchanged", (json_int_t)res->unchanged,
                     "rejected", (json_int_t)res->rejected, "error_count",
                     (json_int_t)res->error_count, "errors", errors);
}

static int readings_file_errors(struct http_req *r, const struct meter_import_result *res)
{
    struct field_errors fe = {0};
    for (int i = 0; i < res->nerrors && fe.n < FIELD_ERRORS_MAX; i++)
        http_file_error_at(&fe, res->errors[i].line, res->errors[i].col, res->errors[i].msg);
    if (!fe.n)
        fe_add(&fe, "file", "файл не прочитан");
    return http_validation_with(r, &fe,
                                json_pack("{s:I}", "error_count", (json_int_t)res->error_count));
}

int api_imports_readings(struct http_req *r)
{
    struct field_errors fe = {0};
    const char *skip = http_query(r, "skip_invalid");
    if (skip && strcmp(skip, "true") != 0 && strcmp(skip, "false") != 0)
        fe_add(&fe, "skip_invalid", "ожидается true или false");
    if (!r->body_len)
        fe_add(&fe, "file", "пустой файл: тело запроса — файл CSV");
    if (fe.n)
        return http_validation(r, &fe);
    struct store_conn *c = http_db(r);
    char path[64];
    struct err e = {0};
    if (!c)
        return 0;
    if (http_upload_to_file(r, path, &e))
        return http_error(r, &e);
    struct meter_import_result res = {0};
    struct meter_import_opts o = {.path = path,
                                  .skip_invalid = skip && strcmp(skip, "true") == 0,
                                  .scope = &r->session->scope};
    int rc = store_begin(c, &e);
    if (rc == 0)
        rc = meter_import_run(c, &o, r->arena, &res, &e);
    if (rc && !e.code)
        e.code = rc;
    if (rc == 0) {
        const char *name = http_query(r, "filename");
        json_t *detail =
            json_pack("{s:s, s:I, s:I, s:I, s:I}", "file", name ? name : "загрузка через API",
                      "rows", (json_int_t)res.rows, "accepted", (json_int_t)res.accepted,
                      "corrected", (json_int_t)res.corrected, "rejected", (json_int_t)res.rejected);
        http_audit(r, c, "readings.import", (struct audit_object){"readings_import"}, detail, &e);
    }
    http_tx_end(c, &e);
    unlink(path);
    if (rc == ERR_INVALID && res.error_count)
        return readings_file_errors(r, &res);
    return e.code ? http_error(r, &e) : http_json(r, 200, json_readings_result(&res));
}
