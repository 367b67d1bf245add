/* bench_import.c — rows per second of `import premises` (src/registry/import.h)
 * for a generated extract of ROWS rows (default 1,000,000: premises with
 * their rights, a fifth of them held in two долевая shares, a tenth
 * mortgaged) over ROWS/200 houses loaded first from a generated passport.
 * The target: >= 200,000 rows/s on SQLite.
 *
 * The baseline is the same file read by the same CSV reader and each row
 * written raw by a prepared INSERT into a scratch table without indexes, in
 * one transaction, in the same process; the ratio is import ÷ baseline. A
 * second import of the same file (nothing to change) is reported too.
 *
 *   bench_import DB-URL [ROWS]      (DB-URL: an empty database) */
#include "base/csv.h"
#include "base/ident.h"
#include "base/log.h"
#include "directory/directory.h"
#include "registry/import.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define PER_HOUSE 200 /* premises rows per house */

static const struct store_scope system_scope = {.kind = SCOPE_SYSTEM};

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static const char *const surnames[] = {"Иванов", "Смирнов", "Кузнецов", "Попов",   "Васильев",
                                       "Петров", "Соколов", "Михайлов", "Новиков", "Фёдоров"};
static const char *const names[] = {"Алексей", "Сергей", "Андрей", "Дмитрий", "Михаил",
                                    "Ольга",   "Елена",  "Ирина",  "Наталья", "Татьяна"};

/* The passport of n houses in the municipality with ОКТМО oktmo. */
static int write_houses(const char *path, long n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "адрес;фиас;кадастровый_номер;октмо;тип;этажность;общая_площадь\n");
    for (long h = 0; h < n; h++)
        fprintf(f,
                "\"Тестовая обл., г. Скорость, ул. Быстрая, д. %ld\";%08lx-0000-4000-8000-%012lx;"
                "98:01:%07ld:1;98701000;МКД;9;12000,50\n",
                h + 1, h + 1, h + 1, h + 1);
    return fclose(f);
}

/* The extract: rows rows, PER_HOUSE a house; returns premises written. */
static long write_premises(const char *path, long rows)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    static char buf[1 << 20];
    setvbuf(f, buf, _IOFBF, sizeof buf);
    fprintf(f, "дом;помещение;тип_помещения;площадь;кадастровый_номер;подъезд;этаж;собственник;"
               "вид_собственника;инн;вид_права;доля;номер_регистрации;дата_регистрации;"
               "обременение;номер_обременения;дата_обременения\n");
    long row = 0, premises = 0;
    for (long h = 0; row < rows; h++) {
        long k = 0; /* rows of this house */
        for (long pn = 1; k < PER_HOUSE && row < rows; pn++, premises++) {
            long p = premises;
            char house[48], cad[64], area[48], inn[13] = "";
            snprintf(house, sizeof house, "98:01:%07ld:1", h + 1);
            snprintf(cad, sizeof cad, "98:01:%07ld:%ld", h + 1, pn + 1);
            snprintf(area, sizeof area, "%ld,%02ld", 28 + p % 90, p % 100);
            if (p % 3 == 0) {
                char head[24];
                snprintf(head, sizeof head, "77%08ld", p % 100000000);
                ident_inn12_complete(inn, head);
            }
            int owners = p % 5 == 0 && rows - row >= 2 && k + 2 <= PER_HOUSE ? 2 : 1;
            for (int o = 0; o < owners; o++, row++, k++) {
                const char *sur = surnames[(p + o) % 10], *name = names[(p / 10 + o) % 10];
                bool female = (p / 10 + o) % 10 >= 5;
                bool mortgage = p % 10 == 1;
                fprintf(f,
                        "%s;%ld;жилое;%s;%s;%ld;%ld;%s%s %s %s;ФЛ;%s;%s;%s;"
                        "98-98/001-%ld-%ld/%d;2015-03-16;%s;%s;%s\n",
                        house, pn, area, cad, 1 + (pn % 4), 1 + (pn / 8) % 25, sur,
                        female ? "а" : "", name, female ? "Петровна" : "Петрович", o ? "" : inn,
                        owners == 2 ? "общая долевая" : "собственность", owners == 2 ? "1/2" : "",
                        h + 1, p, o + 1, mortgage ? "ипотека" : "",
                        mortgage ? "98-98/001-ипотека" : "", mortgage ? "2015-03-16" : "");
            }
        }
    }
    return fclose(f) == 0 ? premises : -1;
}

/* When the import started writing (its progress reports the phase). */
static double write_started;

static void on_progress(void *ctx, const char *phase, int64_t done, int64_t total)
{
    (void)ctx, (void)done, (void)total;
    if (!write_started && strcmp(phase, "запись") == 0)
        write_started = seconds();
}

/* One import in its own transaction; seconds taken. */
static int import(struct store *s, enum reg_import_kind kind, const char *path,
                  struct reg_import_result *res, double *took, double *reading, struct err *e)
{
    struct store_conn *c = store_acquire(s, e);
    struct arena *a = arena_new();
    struct reg_import_opts o = {.kind = kind,
                                .path = path,
                                .date = "2025-01-10",
                                .scope = &system_scope,
                                .progress = on_progress};
    double t0 = seconds();
    write_started = 0;
    int rc = !c || !a ? ERR_NOMEM : store_begin(c, e);
    if (rc == 0)
        rc = reg_import_run(c, &o, a, res, e);
    if (rc == 0)
        rc = store_commit(c, e);
    *took = seconds() - t0;
    *reading = write_started ? write_started - t0 : *took;
    if (rc && res->nerrors)
        fprintf(stderr, "%s:%ld:%d: %s\n", path, res->errors[0].line, res->errors[0].col,
                res->errors[0].msg);
    arena_free(a);
    store_release(c);
    return rc;
}

/* The baseline: the same rows, read by the same reader, inserted raw. */
static int baseline(struct store *s, const char *path, long *rows, double *took, struct err *e)
{
    struct store_conn *c = store_acquire(s, e);
    if (!c)
        return ERR_DB;
    struct csv *r = NULL;
    double t0 = seconds();
    int rc = store_exec(c,
                        "CREATE TABLE bench_scratch (c1 TEXT, c2 TEXT, c3 TEXT, c4 TEXT, c5 TEXT,"
                        " c6 TEXT, c7 TEXT, c8 TEXT, c9 TEXT, c10 TEXT, c11 TEXT, c12 TEXT,"
                        " c13 TEXT, c14 TEXT, c15 TEXT, c16 TEXT, c17 TEXT)",
                        NULL, 0, NULL, e);
    if (rc == 0)
        rc = csv_open(path, NULL, &r, e);
    if (rc == 0)
        rc = store_begin(c, e);
    struct csv_record rec;
    *rows = 0;
    bool header = true;
    while (rc == 0 && (rc = csv_next(r, &rec, e)) == 1) {
        rc = 0;
        if (header) {
            header = false;
            continue;
        }
        struct store_val p[17];
        for (int i = 0; i < 17; i++)
            p[i] = SV_T(i < rec.n ? rec.field[i] : "");
        rc = store_exec(c,
                        "INSERT INTO bench_scratch VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
                        " $10, $11, $12, $13, $14, $15, $16, $17)",
                        p, 17, NULL, e);
        ++*rows;
    }
    if (rc == 0)
        rc = store_commit(c, e);
    *took = seconds() - t0;
    csv_close(r);
    struct err ignored = {0};
    store_exec(c, "DROP TABLE IF EXISTS bench_scratch", NULL, 0, NULL, &ignored);
    store_release(c);
    return rc;
}

/* The import did what it says: as many rows in the tables as it counted. */
static int check_counts(struct store *s, const struct reg_import_result *r, struct err *e)
{
    static const char *const sql[] = {"SELECT count(*) FROM premises",
                                      "SELECT count(*) FROM rights",
                                      "SELECT count(*) FROM registry_changes"};
    const int64_t want[] = {r->premises_created, r->rights_created, r->changes};
    struct store_conn *c = store_acquire(s, e);
    int rc = c ? 0 : ERR_DB;
    for (int i = 0; rc == 0 && i < 3; i++) {
        int64_t n = -1;
        if ((rc = store_query_int(c, sql[i], NULL, 0, &n, e)) == 0 && n != want[i])
            rc = err_set(e, ERR_DB, "%s: %lld, the import counted %lld", sql[i], (long long)n,
                         (long long)want[i]);
    }
    store_release(c);
    return rc;
}

/* The demo-like region the generated houses live in. */
static int make_place(struct store *s, struct err *e)
{
    struct store_conn *c = store_acquire(s, e);
    struct arena *a = arena_new();
    struct region reg = {.code = "98", .name = "Тестовая область", .timezone = "Europe/Moscow"};
    int rc = !c || !a ? ERR_NOMEM : store_begin(c, e);
    if (rc == 0)
        rc = dir_region_create(c, &system_scope, &reg, e);
    struct municipality m = {.region_id = reg.id,
                             .name = "г. Скорость",
                             .oktmo = "98701000",
                             .timezone = "Europe/Moscow"};
    if (rc == 0)
        rc = dir_municipality_create(c, &system_scope, &m, a, e);
    if (rc == 0)
        rc = store_commit(c, e);
    arena_free(a);
    store_release(c);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_import DB-URL [ROWS]\n");
        return 2;
    }
    long rows = argc > 2 ? atol(argv[2]) : 1000000;
    long nhouses = (rows + PER_HOUSE - 1) / PER_HOUSE;
    log_set_level(LOG_ERROR);
    char dir[] = "/tmp/bench_import.XXXXXX";
    if (!mkdtemp(dir)) {
        perror("bench_import: mkdtemp");
        return 1;
    }
    char houses[64], premises[64];
    snprintf(houses, sizeof houses, "%s/houses.csv", dir);
    snprintf(premises, sizeof premises, "%s/premises.csv", dir);
    long npremises;
    if (write_houses(houses, nhouses) != 0 || (npremises = write_premises(premises, rows)) < 0) {
        perror("bench_import: writing the files");
        return 1;
    }
    struct err e = {0};
    struct store *s;
    if (store_open(argv[1], 2, &s, &e) || store_migrate(s, NULL, &e) || make_place(s, &e)) {
        fprintf(stderr, "bench_import: %s (an empty database is needed)\n", e.msg);
        return 1;
    }
    printf("bench_import: %s, %ld rows (%ld premises in %ld houses)\n", store_backend_name(s), rows,
           npremises, nhouses);
    struct reg_import_result hr, pr, rr;
    double th, tp, tr, tb, rh, rp, rr2;
    long brows;
    int rc = import(s, REG_IMPORT_HOUSES, houses, &hr, &th, &rh, &e);
    if (rc == 0)
        rc = import(s, REG_IMPORT_PREMISES, premises, &pr, &tp, &rp, &e);
    if (rc == 0)
        rc = check_counts(s, &pr, &e);
    if (rc == 0)
        rc = import(s, REG_IMPORT_PREMISES, premises, &rr, &tr, &rr2, &e);
    if (rc == 0)
        rc = baseline(s, premises, &brows, &tb, &e);
    if (rc) {
        fprintf(stderr, "bench_import: %s\n", e.msg);
        store_close(s);
        return 1;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double rate = (double)pr.rows / tp, base = (double)brows / tb;
    printf("  houses:   %lld in %.2f s\n", (long long)hr.houses_created, th);
    printf("  import:   %lld rows in %.2f s, %.0f rows/s (%lld premises, %lld rights, %lld "
           "changes)\n",
           (long long)pr.rows, tp, rate, (long long)pr.premises_created,
           (long long)pr.rights_created, (long long)pr.changes);
    printf("            reading and checking %.2f s, writing and commit %.2f s\n", rp, tp - rp);
    printf("  again:    %lld rows in %.2f s, %.0f rows/s (%lld changes)\n", (long long)rr.rows, tr,
           (double)rr.rows / tr, (long long)rr.changes);
    printf("  baseline: %ld rows in %.2f s, %.0f rows/s (raw INSERT into a scratch table)\n", brows,
           tb, base);
    printf("  peak memory: %ld MiB\n", ru.ru_maxrss / 1024);
    printf("{\"bench\": \"import\", \"backend\": \"%s\", \"figures\": {\"rows\": %lld,"
           " \"rows_per_s\": %.0f, \"seconds\": %.2f, \"read_seconds\": %.2f,"
           " \"write_seconds\": %.2f, \"reimport_rows_per_s\": %.0f,"
           " \"peak_rss_mib\": %ld}, \"baseline\": {\"rows\": %ld, \"rows_per_s\": %.0f,"
           " \"seconds\": %.2f}, \"ratio\": %.2f}\n",
           store_backend_name(s), (long long)pr.rows, rate, tp, rp, tp - rp, (double)rr.rows / tr,
           ru.ru_maxrss / 1024, brows, base, tb, rate / base);
    store_close(s);
    unlink(houses);
    unlink(premises);
    rmdir(dir);
    return 0;
}
