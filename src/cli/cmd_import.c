/* cmd_import.c — `upravdom import houses FILE`, `upravdom import premises
 * FILE` (the registry's files, docs/registry.md "Files"), `upravdom
 * import readings FILE` (a supplier's file of meter readings,
 * docs/meters.md) and `upravdom import payments FILE --org ID` (a bank
 * registry of payments, docs/payments.md): loaded in one transaction, as the
 * installation, with an audit entry. A file with errors changes nothing:
 * every error is printed as FILE:LINE:COLUMN: message and the exit code is 2. */
#include "cli/cli.h"

#include "audit/audit.h"
#include "base/money.h"
#include "billing/billing.h"
#include "meters/meters.h"
#include "registry/import.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const struct store_scope system_scope = {.kind = SCOPE_SYSTEM};
static const struct audit_actor cli_actor = {.address = "cli"};

/* A progress line on a terminal, rewritten in place; nothing on a pipe. */
static void show_progress(void *ctx, const char *phase, int64_t done, int64_t total)
{
    const char *command = ctx;
    fprintf(stderr, "\r\033[K%s: %s %lld%%", command, phase,
            (long long)(total > 0 ? done * 100 / total : 100));
    fflush(stderr);
}

/* Takes the one argument that is not a flag (FILE) out of argv. Flags other
 * than the boolean ones take a value, unless written --flag=value. */
static const char *take_file(int *argc, char **argv, int *extra)
{
    const char *file = NULL;
    int n = 0;
    *extra = 0;
    for (int i = 0; i < *argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) == 0) {
            argv[n++] = argv[i];
            bool boolean = strcmp(a, "--skip-invalid") == 0 || strcmp(a, "--help") == 0 ||
                           strchr(a, '=') != NULL;
            if (!boolean && i + 1 < *argc)
                argv[n++] = argv[++i];
        } else if (!file) {
            file = a;
        } else {
            argv[n++] = argv[i];
            ++*extra;
        }
    }
    *argc = n;
    argv[n] = NULL;
    return file;
}

static void print_summary(const char *command, const char *file, const struct reg_import_result *r,
                          bool premises)
{
    printf("%s: %s (%s, separator '%c')\n", command, file, r->encoding ? r->encoding : "?",
           r->separator ? r->separator : ';');
    printf("rows read: %lld\nrows applied: %lld\nrows rejected: %lld\nhouses: %lld\n",
           (long long)r->rows, (long long)r->rows_applied, (long long)r->rows_rejected,
           (long long)r->houses);
    if (premises)
        printf("premises created: %lld\npremises updated: %lld\nrights created: %lld\n"
               "rights updated: %lld\nrights ended: %lld\nchanges recorded: %lld\n",
               (long long)r->premises_created, (long long)r->premises_updated,
               (long long)r->rights_created, (long long)r->rights_updated,
               (long long)r->rights_ended, (long long)r->changes);
    else
        printf("houses created: %lld\nhouses updated: %lld\n", (long long)r->houses_created,
               (long long)r->houses_updated);
    if (r->rejected_path)
        printf("rejected rows written to: %s\n", r->rejected_path);
}

static void print_errors(const char *file, const struct reg_import_result *r)
{
    for (int i = 0; i < r->nerrors; i++)
        fprintf(stderr, "%s:%ld:%d: %s\n", file, r->errors[i].line, r->errors[i].col,
                r->errors[i].msg);
    if (r->error_count > r->nerrors)
        fprintf(stderr, "%s: … and %lld more errors\n", file,
                (long long)(r->error_count - r->nerrors));
}

static json_t *audit_detail(const char *file, const char *date, const struct reg_import_result *r,
                            bool premises)
{
    json_t *d =
        json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "file", file, "kind",
                  premises ? "premises" : "houses", "rows", (json_int_t)r->rows, "rows_applied",
                  (json_int_t)r->rows_applied, "rows_rejected", (json_int_t)r->rows_rejected,
                  "houses", (json_int_t)r->houses, "errors", (json_int_t)r->error_count);
    if (!d)
        return NULL;
    if (premises) {
        json_object_set_new(d, "date", json_string(date));
        json_object_set_new(d, "premises_created", json_integer(r->premises_created));
        json_object_set_new(d, "premises_updated", json_integer(r->premises_updated));
        json_object_set_new(d, "rights_created", json_integer(r->rights_created));
        json_object_set_new(d, "rights_updated", json_integer(r->rights_updated));
        json_object_set_new(d, "rights_ended", json_integer(r->rights_ended));
        json_object_set_new(d, "changes", json_integer(r->changes));
    } else {
        json_object_set_new(d, "houses_created", json_integer(r->houses_created));
        json_object_set_new(d, "houses_updated", json_integer(r->houses_updated));
    }
    return d;
}

static int run_import(int argc, char **argv, enum reg_import_kind kind)
{
    bool premises = kind == REG_IMPORT_PREMISES;
    const char *command = premises ? "import premises" : "import houses";
    struct cli c;
    const char *date = NULL;
    bool skip = false;
    const struct flag house_flags[] = {
        {"skip-invalid", FLAG_BOOL, &skip,
         "apply the good rows; write the rejected ones to FILE.rejected.csv"},
        {NULL}};
    const struct flag premises_flags[] = {
        {"date", FLAG_STRING, &date, "the extract's date, YYYY-MM-DD (default: today)"},
        {"skip-invalid", FLAG_BOOL, &skip,
         "apply the good rows; write the rejected ones to FILE.rejected.csv"},
        {NULL}};
    int extra;
    const char *file = take_file(&argc, argv, &extra);
    int rc = cli_setup(&c, command,
                       premises ? "import premises FILE [--date YYYY-MM-DD] [--skip-invalid]"
                                : "import houses FILE [--skip-invalid]",
                       premises ? premises_flags : house_flags, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (!file || extra) {
        cli_error(&c, extra ? "one FILE expected" : "FILE is required (see --help)");
        return EXIT_USAGE;
    }
    char today[11];
    if (!date) {
        time_t t = time(NULL);
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(today, sizeof today, "%Y-%m-%d", &tm);
        date = today;
    }
    struct store *s;
    struct store_conn *conn;
    if ((rc = cli_open_conn(&c, &s, &conn)))
        return rc;
    struct arena *a = arena_new();
    struct err e = {0};
    struct reg_import_result res = {0};
    struct reg_import_opts o = {.kind = kind,
                                .path = file,
                                .date = date,
                                .skip_invalid = skip,
                                .scope = &system_scope,
                                .progress = isatty(STDERR_FILENO) ? show_progress : NULL,
                                .progress_ctx = (void *)command};
    if (!a || store_begin(conn, &e)) {
        rc = a ? cli_run_error(&c, &e) : EXIT_FAIL;
        goto done;
    }
    rc = reg_import_run(conn, &o, a, &res, &e);
    if (o.progress)
        fprintf(stderr, "\r\033[K");
    if (rc == 0) {
        json_t *detail = audit_detail(file, date, &res, premises);
        struct audit_object obj = {"registry_import"};
        rc = audit_write(conn, &cli_actor, "registry.import", &obj, detail, &e);
        json_decref(detail);
        if (rc == 0)
            rc = store_commit(conn, &e);
        if (rc) {
            rc = cli_run_error(&c, &e);
            goto done;
        }
        print_errors(file, &res); /* the rejected rows' reasons, with --skip-invalid */
        print_summary(command, file, &res, premises);
        rc = EXIT_OK;
    } else if (rc == ERR_INVALID && res.error_count) {
        store_rollback(conn);
        print_errors(file, &res);
        cli_error(&c, "%s: %lld error(s); nothing was changed", file, (long long)res.error_count);
        rc = EXIT_USAGE;
    } else {
        store_rollback(conn);
        if (rc == ERR_IO || rc == ERR_INVALID) {
            cli_error(&c, "%s", e.msg);
            rc = EXIT_USAGE;
        } else {
            rc = cli_run_error(&c, &e);
        }
    }
done:
    arena_free(a);
    cli_close_conn(s, conn);
    return rc;
}

static int import_houses(int argc, char **argv)
{
    return run_import(argc, argv, REG_IMPORT_HOUSES);
}

static int import_premises(int argc, char **argv)
{
    return run_import(argc, argv, REG_IMPORT_PREMISES);
}

/* ---- readings ---- */

static void print_reading_errors(const char *file, const struct meter_import_result *r)
{
    for (int i = 0; i < r->nerrors; i++)
        fprintf(stderr, "%s:%ld:%d: %s\n", file, r->errors[i].line, r->errors[i].col,
                r->errors[i].msg);
    if (r->error_count > r->nerrors)
        fprintf(stderr, "%s: … and %lld more errors\n", file,
                (long long)(r->error_count - r->nerrors));
}

/* Applies the file in conn's transaction and commits with the audit entry. */
static int apply_readings(struct cli *c, struct store_conn *conn, const char *file, bool skip,
                          struct arena *a)
{
    struct err e = {0};
    struct meter_import_result res = {0};
    struct meter_import_opts o = {.path = file, .skip_invalid = skip, .scope = &system_scope};
    int rc = store_begin(conn, &e);
    if (rc == 0)
        rc = meter_import_run(conn, &o, a, &res, &e);
    if (rc == 0) {
        json_t *detail =
            json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "file", file, "rows", (json_int_t)res.rows,
                      "accepted", (json_int_t)res.accepted, "corrected", (json_int_t)res.corrected,
                      "unchanged", (json_int_t)res.unchanged, "rejected", (json_int_t)res.rejected);
        struct audit_object obj = {"readings_import"};
        rc = audit_write(conn, &cli_actor, "readings.import", &obj, detail, &e);
        json_decref(detail);
        if (rc == 0)
            rc = store_commit(conn, &e);
        if (rc)
            return cli_run_error(c, &e);
        print_reading_errors(file, &res);
        printf("import readings: %s (%s, separator '%c')\nrows read: %lld\naccepted: %lld\n"
               "corrected: %lld\nunchanged: %lld\nrejected: %lld\n",
               file, res.encoding ? res.encoding : "?", res.separator ? res.separator : ';',
               (long long)res.rows, (long long)res.accepted, (long long)res.corrected,
               (long long)res.unchanged, (long long)res.rejected);
        return EXIT_OK;
    }
    store_rollback(conn);
    if (rc == ERR_INVALID && res.error_count) {
        print_reading_errors(file, &res);
        cli_error(c, "%s: %lld error(s); nothing was changed", file, (long long)res.error_count);
        return EXIT_USAGE;
    }
    if (rc == ERR_IO || rc == ERR_INVALID) {
        cli_error(c, "%s", e.msg);
        return EXIT_USAGE;
    }
    return cli_run_error(c, &e);
}

static int import_readings(int argc, char **argv)
{
    struct cli c;
    bool skip = false;
    const struct flag flags[] = {
        {"skip-invalid", FLAG_BOOL, &skip, "apply the good rows; list the rejected ones"}, {NULL}};
    int extra;
    const char *file = take_file(&argc, argv, &extra);
    int rc = cli_setup(&c, "import readings", "import readings FILE [--skip-invalid]", flags, argc,
                       argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (!file || extra) {
        cli_error(&c, extra ? "one FILE expected" : "FILE is required (see --help)");
        return EXIT_USAGE;
    }
    struct store *s;
    struct store_conn *conn;
    if ((rc = cli_open_conn(&c, &s, &conn)))
        return rc;
    struct arena *a = arena_new();
    rc = a ? apply_readings(&c, conn, file, skip, a) : EXIT_FAIL;
    arena_free(a);
    cli_close_conn(s, conn);
    return rc;
}

/* ---- payments (docs/payments.md "Bank registry") ---- */

static void print_payment_errors(const char *file, const struct pay_import_result *r)
{
    for (int i = 0; i < r->nerrors; i++)
        fprintf(stderr, "%s:%ld:%d: %s\n", file, r->errors[i].line, r->errors[i].col,
                r->errors[i].msg);
    if (r->error_count > r->nerrors)
        fprintf(stderr, "%s: … and %lld more errors\n", file,
                (long long)(r->error_count - r->nerrors));
}

/* Applies the registry in conn's transaction and commits with the audit entry. */
static int apply_payments(struct cli *c, struct store_conn *conn, const char *file, long org,
                          struct arena *a)
{
    static const struct store_scope system = {.kind = SCOPE_SYSTEM};
    struct err e = {0};
    struct pay_import_result res = {0};
    struct pay_import_opts o = {.path = file,
                                .org_id = org,
                                .scope = &system,
                                .progress = isatty(STDERR_FILENO) ? show_progress : NULL,
                                .progress_ctx = (void *)"import payments"};
    int rc = store_begin(conn, &e);
    if (rc == 0)
        rc = pay_import_run(conn, &o, a, &res, &e);
    if (o.progress)
        fprintf(stderr, "\r\033[K");
    if (rc == 0) {
        json_t *detail =
            json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "file", file, "org_id",
                      (json_int_t)org, "rows", (json_int_t)res.rows, "added", (json_int_t)res.added,
                      "present", (json_int_t)res.present, "paid", (json_int_t)res.paid, "refunded",
                      (json_int_t)res.refunded, "reversed", (json_int_t)res.reversed);
        struct audit_object obj = {"payments_import", 0, 0, 0, org};
        rc = audit_write(conn, &cli_actor, "payments.import", &obj, detail, &e);
        json_decref(detail);
        if (rc == 0)
            rc = store_commit(conn, &e);
        if (rc)
            return cli_run_error(c, &e);
        char paid[MONEY_FMT_SIZE], refunded[MONEY_FMT_SIZE], reversed[MONEY_FMT_SIZE];
        money_format(paid, sizeof paid, res.paid);
        money_format(refunded, sizeof refunded, res.refunded);
        money_format(reversed, sizeof reversed, res.reversed);
        printf("import payments: %s (%s, separator '%c'): %lld rows, %lld new, %lld already "
               "present; new: paid %s, refunded %s, reversed %s\n",
               file, res.encoding ? res.encoding : "?", res.separator ? res.separator : ';',
               (long long)res.rows, (long long)res.added, (long long)res.present, paid, refunded,
               reversed);
        return EXIT_OK;
    }
    store_rollback(conn);
    if (rc == ERR_INVALID && res.error_count) {
        print_payment_errors(file, &res);
        cli_error(c, "%s: %lld error(s); nothing was changed", file, (long long)res.error_count);
        return EXIT_USAGE;
    }
    if (rc == ERR_NOTFOUND && strcmp(e.field, "org_id") == 0) {
        cli_error(c, "--org: %s", e.msg);
        return EXIT_NOTFOUND;
    }
    if (rc == ERR_IO || rc == ERR_INVALID) {
        cli_error(c, "%s", e.msg);
        return EXIT_USAGE;
    }
    return cli_run_error(c, &e);
}

static int import_payments(int argc, char **argv)
{
    struct cli c;
    long org = 0;
    const struct flag flags[] = {
        {"org", FLAG_INT, &org, "the organization whose accounts the registry pays (required)"},
        {NULL}};
    int extra;
    const char *file = take_file(&argc, argv, &extra);
    int rc = cli_setup(&c, "import payments", "import payments FILE --org ID", flags, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (!file || extra) {
        cli_error(&c, extra ? "one FILE expected" : "FILE is required (see --help)");
        return EXIT_USAGE;
    }
    if (org <= 0) {
        cli_error(&c, "--org: the organization's id is required");
        return EXIT_USAGE;
    }
    struct store *s;
    struct store_conn *conn;
    if ((rc = cli_open_conn(&c, &s, &conn)))
        return rc;
    struct arena *a = arena_new();
    rc = a ? apply_payments(&c, conn, file, org, a) : EXIT_FAIL;
    arena_free(a);
    cli_close_conn(s, conn);
    return rc;
}

int cmd_import(int argc, char **argv)
{
    static const char *const subs[] = {"houses", "premises", "readings", "payments", NULL};
    static int (*const fns[])(int, char **) = {import_houses, import_premises, import_readings,
                                               import_payments};
    return cli_subcommand("import", argc, argv, subs, fns);
}
