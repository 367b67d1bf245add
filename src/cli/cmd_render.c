/* cmd_render.c — `upravdom render bills --period P [--org ID] [--house ID]
 * [--out DIR] [--only print|single]`: the period's payment documents as print
 * batches and single PDFs (docs/paydoc.md), in this process, with progress
 * on a terminal; a re-run writes only the files whose documents changed.
 * docs/cli.md. */
#include "cli/cli.h"

#include "base/date.h"
#include "directory/directory.h"
#include "paydoc/paydoc.h"
#include "registry/registry.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const struct store_scope system_scope = {.kind = SCOPE_SYSTEM};

/* A progress line on a terminal, rewritten in place; nothing on a pipe. */
static void show_progress(void *arg, int64_t done, int64_t total)
{
    (void)arg;
    fprintf(stderr, "\r\033[Krender bills: %lld of %lld documents (%lld%%)", (long long)done,
            (long long)total, (long long)(total > 0 ? done * 100 / total : 100));
    fflush(stderr);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* --org and --house name objects that exist: 0, or an exit code. */
static int check_named(struct cli *c, struct store *s, long org, long house)
{
    struct store_conn *conn;
    struct arena *a = arena_new();
    struct err e = {0};
    int rc = 0;
    if (!a || !(conn = store_acquire(s, &e))) {
        arena_free(a);
        cli_error(c, "%s", a ? e.msg : "out of memory");
        return EXIT_FAIL;
    }
    struct organization o;
    struct house h;
    if (org && (rc = dir_org_get(conn, &system_scope, org, a, &o, &e)) == ERR_NOTFOUND)
        cli_error(c, "--org: организация %ld не найдена", org);
    else if (!rc && house &&
             (rc = reg_house_get(conn, &system_scope, house, a, &h, &e)) == ERR_NOTFOUND)
        cli_error(c, "--house: дом %ld не найден", house);
    else if (rc)
        cli_error(c, "%s", e.msg);
    store_release(conn);
    arena_free(a);
    return rc == ERR_NOTFOUND ? EXIT_NOTFOUND : rc ? EXIT_FAIL : 0;
}

static int render_bills(int argc, char **argv)
{
    struct cli c;
    const char *period = NULL, *out = NULL, *only = NULL;
    long org = 0, house = 0, renderers = 0;
    const struct flag flags[] = {
        {"period", FLAG_STRING, &period, "the month billed, YYYY-MM"},
        {"org", FLAG_INT, &org, "only this organization's documents"},
        {"house", FLAG_INT, &house, "only this house's documents"},
        {"out", FLAG_STRING, &out, "output directory (default: the documents setting)"},
        {"only", FLAG_STRING, &only, "print (batches) or single (one PDF per account)"},
        {"renderers", FLAG_INT, &renderers, "rendering threads (default: the number of cores)"},
        {NULL}};
    int rc = cli_setup(&c, "render bills",
                       "render bills --period YYYY-MM [--org ID] [--house ID] [--out DIR]"
                       " [--only print|single]",
                       flags, argc, argv);
    int per;
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (!period || date_period_parse(period, &per, NULL)) {
        cli_error(&c, "--period: expected YYYY-MM");
        return EXIT_USAGE;
    }
    if (org < 0 || house < 0 || renderers < 0 || renderers > 64) {
        cli_error(&c, "%s: expected a positive number%s",
                  org < 0     ? "--org"
                  : house < 0 ? "--house"
                              : "--renderers",
                  renderers > 64 ? " up to 64" : "");
        return EXIT_USAGE;
    }
    if (only && strcmp(only, "print") != 0 && strcmp(only, "single") != 0) {
        cli_error(&c, "--only: expected print or single, got '%s'", only);
        return EXIT_USAGE;
    }
    /* The directory as given, never cut: a cut path would be another
     * directory. */
    char dir[PATH_MAX];
    if (out && strlen(out) >= sizeof dir - 1) {
        cli_error(&c, "--out: the path is longer than %zu bytes", sizeof dir - 2);
        return EXIT_USAGE;
    }
    if (out)
        snprintf(dir, sizeof dir, "%s", out);
    else
        config_documents_dir(&c.cfg, dir, sizeof dir);
    if (strlen(dir) >= sizeof dir - 1) {
        cli_error(&c, "documents: the directory's path is longer than %zu bytes", sizeof dir - 2);
        return EXIT_USAGE;
    }
    struct store *s;
    if ((rc = cli_open_store(&c, &s)))
        return rc;
    if ((rc = check_named(&c, s, org, house))) {
        store_close(s);
        return rc;
    }
    struct paydoc_render_req q = {.period = period,
                                  .org_id = org,
                                  .house_id = house,
                                  .out_dir = dir,
                                  .batches = !only || strcmp(only, "print") == 0,
                                  .singles = !only || strcmp(only, "single") == 0,
                                  .threads = (int)renderers};
    if (isatty(STDERR_FILENO))
        q.progress = show_progress;
    struct paydoc_render_result res;
    struct err e = {0};
    double t0 = now_s();
    rc = paydoc_render(s, &system_scope, &q, &res, &e);
    double secs = now_s() - t0;
    if (q.progress)
        fputs("\r\033[K", stderr);
    store_close(s);
    if (rc) {
        if (rc == ERR_INVALID) {
            if (e.field[0])
                cli_error(&c, "--%s: %s", e.field, e.msg);
            else
                cli_error(&c, "%s", e.msg);
            return EXIT_USAGE;
        }
        return cli_run_error(&c, &e);
    }
    printf("render bills: period %s, %s\ndocuments: %lld\npages: %lld\n"
           "batches: %lld written, %lld kept\nsingles: %lld written, %lld kept\n"
           "bytes: %lld\nseconds: %.2f\ndocuments/s: %.0f\n",
           period, dir, (long long)res.documents, (long long)res.pages,
           (long long)res.batches_written, (long long)res.batches_kept,
           (long long)res.singles_written, (long long)res.singles_kept, (long long)res.bytes, secs,
           secs > 0 ? (double)res.documents / secs : 0.0);
    return EXIT_OK;
}

int cmd_render(int argc, char **argv)
{
    static const char *const subs[] = {"bills", NULL};
    static int (*const fns[])(int, char **) = {render_bills};
    return cli_subcommand("render", argc, argv, subs, fns);
}
