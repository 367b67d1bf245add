/* cmd_bill.c — `upravdom bill run --period P --org ID` (the billing run of an
 * organization, in this process, with progress on a terminal) and `upravdom
 * bill close --period P --org ID` (locks the period). docs/cli.md. */
#include "cli/cli.h"

#include "audit/audit.h"
#include "billing/billing.h"
#include "base/money.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static const struct store_scope system_scope = {.kind = SCOPE_SYSTEM};
static const struct audit_actor cli_actor = {.address = "cli"};

static void show_progress(void *arg, int64_t done, int64_t total)
{
    (void)arg;
    fprintf(stderr, "\r\033[Kbill run: %lld of %lld accounts", (long long)done, (long long)total);
    fflush(stderr);
}

/* Reads --period and --org; 0 or an exit code. */
static int period_and_org(struct cli *c, const char *period, long org, int *per)
{
    if (!period || date_period_parse(period, per, NULL)) {
        cli_error(c, "--period: expected YYYY-MM");
        return EXIT_USAGE;
    }
    if (org <= 0) {
        cli_error(c, "--org: the organization's id is required");
        return EXIT_USAGE;
    }
    return 0;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int bill_run(int argc, char **argv)
{
    struct cli c;
    const char *period = NULL;
    long org = 0;
    const struct flag flags[] = {{"period", FLAG_STRING, &period, "the month billed, YYYY-MM"},
                                 {"org", FLAG_INT, &org, "the organization's id"},
                                 {NULL}};
    int rc = cli_setup(&c, "bill run", "bill run --period YYYY-MM --org ID", flags, argc, argv);
    int per;
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if ((rc = period_and_org(&c, period, org, &per)))
        return rc;
    struct store *s;
    if ((rc = cli_open_store(&c, &s)))
        return rc;
    struct billing_run_req q = {.org_id = org, .period = per};
    if (isatty(STDERR_FILENO))
        q.progress = show_progress;
    struct billing_run_result out;
    struct err e = {0};
    double t0 = now_s();
    rc = billing_run(s, &system_scope, &q, &out, &e);
    double secs = now_s() - t0;
    if (q.progress)
        fputs("\r\033[K", stderr);
    if (rc) {
        store_close(s);
        if (rc == ERR_CONFLICT || rc == ERR_INVALID) {
            cli_error(&c, "%s", e.msg);
            return EXIT_USAGE;
        }
        return cli_run_error(&c, &e);
    }
    char total[MONEY_FMT_SIZE];
    money_format(total, sizeof total, out.charged);
    printf("bill run: organization %ld, period %s\nrun: %lld\naccounts: %lld\nlines: %lld\n"
           "charged: %s\ndigest: %s\nseconds: %.2f\n",
           org, period, (long long)out.run_id, (long long)out.accounts, (long long)out.lines, total,
           out.digest, secs);
    store_close(s);
    return EXIT_OK;
}

static int bill_close(int argc, char **argv)
{
    struct cli c;
    const char *period = NULL;
    long org = 0;
    const struct flag flags[] = {{"period", FLAG_STRING, &period, "the month to close, YYYY-MM"},
                                 {"org", FLAG_INT, &org, "the organization's id"},
                                 {NULL}};
    int rc = cli_setup(&c, "bill close", "bill close --period YYYY-MM --org ID", flags, argc, argv);
    int per;
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if ((rc = period_and_org(&c, period, org, &per)))
        return rc;
    struct store *s;
    struct store_conn *conn;
    if ((rc = cli_open_conn(&c, &s, &conn)))
        return rc;
    struct err e = {0};
    struct audit_object obj = {"billing_period", org, .org_id = org};
    json_t *detail = json_pack("{s:s}", "period", period);
    if (!(rc = store_begin(conn, &e)) &&
        !(rc = bill_period_close(conn, &system_scope, org, period, &e)) &&
        !(rc = audit_write(conn, &cli_actor, "billing.close", &obj, detail, &e)))
        rc = store_commit(conn, &e);
    if (rc)
        store_rollback(conn);
    json_decref(detail);
    cli_close_conn(s, conn);
    if (rc == ERR_CONFLICT || rc == ERR_INVALID) {
        cli_error(&c, "%s", e.msg);
        return EXIT_USAGE;
    }
    if (rc)
        return cli_run_error(&c, &e);
    printf("bill close: organization %ld, period %s closed\n", org, period);
    return EXIT_OK;
}

int cmd_bill(int argc, char **argv)
{
    static const char *const subs[] = {"run", "close", NULL};
    static int (*const fns[])(int, char **) = {bill_run, bill_close};
    return cli_subcommand("bill", argc, argv, subs, fns);
}
