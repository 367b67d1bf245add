/* test_store_billing.c — the billing run (src/billing/run.c) on a real
 * database (UPRAVDOM_TEST_DB, per backend through scripts/with-pgdb.sh), over
 * a small region built here: each charging method, the estimation chain
 * (ПП 354 пп. 42, 59, 60), wastewater as cold + hot, half a kopeck, the
 * house tariff over the organization's, a re-run writing the same statements,
 * a closed period refused, a failed run leaving the previous statements, the
 * next period's opening balance and streak, and tenancy.
 *
 * Amounts by hand (docs/billing.md: quantity × price / 100 000, half up):
 *   maintenance 35.6712 ₽/м²: 54.37 м² → 193 944; 40.00 → 142 685;
 *     61.50 → 219 378; 33.33 → 118 892; 70.00 → 249 698 kopecks
 *   waste 150.55 ₽/чел.: 3 → 45 165; 2 → 30 110; 1 → 15 055
 *   cold water 45.12 ₽/м³, norm 6.935: a1 read 5.250 → 23 688;
 *     a2 meter unread, no history: norm × 2 = 13.870 → 62 581 (N);
 *     a3 no meter: 6.935 × 1 × 1.5 = 10.4025 → 10.403 → 46 938 (K)
 *   hot water 250.05 ₽/м³, norm 4.745: a1 unread, history 9.000 over 3 months
 *     → 3.000 → 75 015 (V); a2 no meter: 4.745 × 2 × 1.5 = 14.235 → 355 946 (K);
 *     a3: 7.1175 → 7.118 → 177 986 (K)
 *   wastewater 38.50 ₽/м³, the water's volumes without the raising coefficient
 *     (п. 42 raises the water, not the drain): a1 5.250 + 3.000 → 31 763 (V);
 *     a2 13.870 + 4.745 × 2 = 23.360 → 89 936 (N); a3 6.935 + 4.745 = 11.680 → 44 968 (N)
 *   intercom 50.0050 ₽ per account: 5 000.5 → 5 001 (half a kopeck up);
 *     house 2's own tariff 60.00 ₽ → 6 000 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "billing/billing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct store *db;
static const struct store_scope sys = {.kind = SCOPE_SYSTEM};
static int period; /* 2026-10 */

static void exec(const char *sql)
{
    struct store_conn *c = store_acquire(db, &(struct err){0});
    struct err e = {0};
    assert_non_null(c);
    if (store_exec(c, sql, NULL, 0, NULL, &e))
        fail_msg("%s: %s", sql, e.msg);
    store_release(c);
}

static int64_t qint(const char *sql, int64_t account, const char *per)
{
    struct store_conn *c = store_acquire(db, &(struct err){0});
    struct store_val p[] = {SV_I(account), SV_S(per)};
    struct err e = {0};
    int64_t v = -1;
    if (store_query_int(c, sql, p, 2, &v, &e))
        fail_msg("%s: %s", sql, e.msg);
    store_release(c);
    return v;
}

static const char *const setup_sql[] = {
    "INSERT INTO regions (id, code, name, timezone) VALUES (1, '50', 'Обл.', 'Europe/Moscow')",
    "INSERT INTO municipalities (id, region_id, name, name_search, timezone, created_at)"
    " VALUES (1, 1, 'Город', 'город', 'Europe/Moscow', 0)",
    "INSERT INTO organizations (id, region_id, municipality_id, kind, name, name_search, inn,"
    " ogrn, created_at) VALUES (1, 1, 1, 'eirc', 'ЕИРЦ', 'еирц', '7700000001', '1', 0),"
    " (2, 1, 1, 'uo', 'УК', 'ук', '7700000002', '2', 0)",
    "INSERT INTO houses (id, region_id, municipality_id, kind, address, address_search,"
    " created_at, updated_at) VALUES (1, 1, 1, 'mkd', 'ул. А, 1', 'а 1', 0, 0),"
    " (2, 1, 1, 'mkd', 'ул. А, 2', 'а 2', 0, 0)",
    "INSERT INTO premises (id, house_id, region_id, municipality_id, number, kind, area,"
    " created_at, updated_at) VALUES (1, 1, 1, 1, '1', 'residential', 5437, 0, 0),"
    " (2, 1, 1, 1, '2', 'residential', 4000, 0, 0), (3, 1, 1, 1, '3', 'residential', 6150, 0, 0),"
    " (4, 1, 1, 1, '4', 'residential', 3333, 0, 0), (5, 2, 1, 1, '1', 'residential', 7000, 0, 0)",
    "INSERT INTO accounts (id, number, premises_id, house_id, org_id, region_id,"
    " municipality_id, residents, opened_on, closed_on, created_at) VALUES"
    " (1, 'A1', 1, 1, 1, 1, 1, 3, '2020-01-01', NULL, 0),"
    " (2, 'A2', 2, 1, 1, 1, 1, 2, '2020-01-01', NULL, 0),"
    " (3, 'A3', 3, 1, 1, 1, 1, 1, '2020-01-01', NULL, 0),"
    " (4, 'A4', 4, 1, 1, 1, 1, 0, '2020-01-01', NULL, 0),"
    " (5, 'A5', 5, 2, 1, 1, 1, 4, '2020-01-01', NULL, 0),"
    " (6, 'A6', 4, 1, 1, 1, 1, 1, '2020-01-01', '2026-09-15', 0),"
    " (7, 'B7', 1, 1, 2, 1, 1, 3, '2020-01-01', NULL, 0)",
    "INSERT INTO meters (id, region_id, municipality_id, house_id, premises_id, org_id, kind,"
    " resource, serial, digits, decimals, installed_on, created_at, updated_at) VALUES"
    " (1, 1, 1, 1, 1, 2, 'individual', 'cold_water', 'C1', 5, 3, '2025-01-01', 0, 0),"
    " (2, 1, 1, 1, 1, 2, 'individual', 'hot_water', 'H1', 5, 3, '2025-01-01', 0, 0),"
    " (3, 1, 1, 1, 2, 2, 'individual', 'cold_water', 'C2', 5, 3, '2026-09-01', 0, 0),"
    " (4, 1, 1, 2, 5, 2, 'individual', 'cold_water', 'C5', 5, 3, '2025-01-01', 0, 0),"
    " (5, 1, 1, 2, 5, 2, 'individual', 'hot_water', 'H5', 5, 3, '2025-01-01', 0, 0)",
    "INSERT INTO meters (id, region_id, municipality_id, house_id, premises_id, org_id, kind,"
    " resource, zone, serial, digits, decimals, installed_on, created_at, updated_at) VALUES"
    " (6, 1, 1, 2, 5, 2, 'individual', 'electricity', 'day', 'E5', 6, 1, '2025-01-01', 0, 0),"
    " (7, 1, 1, 2, 5, 2, 'individual', 'electricity', 'night', 'E5', 6, 1, '2025-01-01', 0, 0)",
    "INSERT INTO readings (meter_id, region_id, municipality_id, house_id, org_id, period,"
    " value, consumption, months, channel, received_at, submitted_at, state) VALUES"
    " (1, 1, 1, 1, 2, '2026-10', 20000, 5250, 1, 'operator', 0, 0, 'accepted'),"
    " (2, 1, 1, 1, 2, '2026-09', 9000, 9000, 3, 'operator', 0, 0, 'accepted'),"
    " (4, 1, 1, 2, 2, '2026-10', 3000, 3000, 1, 'operator', 0, 0, 'accepted'),"
    " (5, 1, 1, 2, 2, '2026-10', 2000, 2000, 1, 'operator', 0, 0, 'accepted'),"
    " (6, 1, 1, 2, 2, '2026-10', 120000, 120000, 1, 'operator', 0, 0, 'accepted'),"
    " (7, 1, 1, 2, 2, '2026-10', 60000, 60000, 1, 'operator', 0, 0, 'accepted')",
    "INSERT INTO services (id, region_id, org_id, code, name, method, unit, resource,"
    " raising_pct, sort_order, created_at) VALUES"
    " (1, 1, 1, 'maintenance', 'Содержание', 'area', 'м²', NULL, 100, 1, 0),"
    " (2, 1, 1, 'waste', 'ТКО', 'residents', 'чел.', NULL, 100, 2, 0),"
    " (3, 1, 1, 'cold_water', 'ХВС', 'meter', 'м³', 'cold_water', 150, 3, 0),"
    " (4, 1, 1, 'hot_water', 'ГВС', 'meter', 'м³', 'hot_water', 150, 4, 0),"
    " (5, 1, 1, 'wastewater', 'Водоотведение', 'meter', 'м³', 'wastewater', 100, 5, 0),"
    " (6, 1, 1, 'intercom', 'Домофон', 'fixed', 'ЛС', NULL, 100, 6, 0),"
    " (7, 1, 2, 'maintenance', 'Содержание', 'area', 'м²', NULL, 100, 1, 0)",
    "INSERT INTO services (id, region_id, org_id, code, name, method, unit, resource, zone,"
    " raising_pct, sort_order, created_at) VALUES"
    " (8, 1, 1, 'electricity', 'ЭЭ', 'meter', 'кВт·ч', 'electricity', 'single', 150, 8, 0),"
    " (9, 1, 1, 'electricity_day', 'ЭЭ день', 'meter', 'кВт·ч', 'electricity', 'day', 150, 9, 0),"
    " (10, 1, 1, 'electricity_night', 'ЭЭ ночь', 'meter', 'кВт·ч', 'electricity', 'night', 150,"
    " 10, 0)",
    "INSERT INTO tariffs (service_id, region_id, org_id, municipality_id, house_id, valid_from,"
    " valid_to, price, created_at) VALUES"
    " (1, 1, 1, NULL, NULL, '2026-01-01', NULL, 356712, 0),"
    " (1, 1, 1, NULL, NULL, '2025-01-01', NULL, 300000, 0),"
    " (2, 1, 1, NULL, NULL, '2026-01-01', NULL, 1505500, 0),"
    " (3, 1, 1, NULL, NULL, '2026-01-01', NULL, 451200, 0),"
    " (4, 1, 1, NULL, NULL, '2026-01-01', NULL, 2500500, 0),"
    " (5, 1, 1, NULL, NULL, '2026-01-01', NULL, 385000, 0),"
    " (6, 1, 1, NULL, NULL, '2026-01-01', NULL, 500050, 0),"
    " (6, 1, 1, NULL, 2, '2026-01-01', NULL, 600000, 0),"
    " (6, 1, 1, NULL, NULL, '2026-11-01', NULL, 900000, 0),"
    " (7, 1, 2, NULL, NULL, '2026-01-01', NULL, 100000, 0),"
    " (8, 1, 1, NULL, NULL, '2026-01-01', NULL, 74100, 0),"
    " (9, 1, 1, NULL, NULL, '2026-01-01', NULL, 85600, 0),"
    " (10, 1, 1, NULL, NULL, '2026-01-01', NULL, 38200, 0)",
    "INSERT INTO norms (service_id, region_id, org_id, valid_from, per_person, created_at)"
    " VALUES (3, 1, 1, '2026-01-01', 6935, 0), (4, 1, 1, '2026-01-01', 4745, 0),"
    " (5, 1, 1, '2026-01-01', 11680, 0), (8, 1, 1, '2026-01-01', 90000, 0),"
    " (9, 1, 1, '2026-01-01', 60000, 0), (10, 1, 1, '2026-01-01', 30000, 0)",
    /* A2 owes 5 000.00 ₽ for July (due 10.08) and pays it on 16.10 naming July. */
    "INSERT INTO statements (account_id, period, org_id, region_id, municipality_id, house_id,"
    " run_id, opening, charged, corrected, penalty, cashback, paid, closing, due_on, lines)"
    " VALUES (2, '2026-07', 1, 1, 1, 1, 0, 0, 500000, 0, 0, 0, 0, 500000, '2026-08-10', ''),"
    " (2, '2026-09', 1, 1, 1, 1, 0, 500000, 0, 0, 0, 0, 0, 500000, '2026-10-10', ''),"
    /* A4 owes 1 000.00 ₽ for July but paid September's 1 000.00 ₽ naming it. */
    " (4, '2026-07', 1, 1, 1, 1, 0, 0, 100000, 0, 0, 0, 0, 100000, '2026-08-10', ''),"
    " (4, '2026-09', 1, 1, 1, 1, 0, 100000, 100000, 0, 0, 0, 100000, 100000, '2026-10-10', '')",
    "INSERT INTO payments (region_id, municipality_id, org_id, account_id, ext_id, kind, paid_on,"
    " amount, period, channel, source, created_at) VALUES"
    " (1, 1, 1, 2, 'bank-1', 'payment', '2026-10-16', 500000, '2026-07', 'bank', 'api', 0),"
    " (1, 1, 1, 1, 'bank-2', 'payment', '2026-11-05', 674681, NULL, 'app', 'api', 0),"
    " (1, 1, 1, 4, 'bank-3', 'payment', '2026-09-05', 100000, '2026-09', 'bank', 'api', 0)",
    /* Cashback 1 % of an on-time full payment, at most 30 ₽. */
    "INSERT INTO billing_settings (org_id, due_day, count_payment_day, cashback_bp,"
    " cashback_cap, updated_at) VALUES (1, 10, 1, 100, 3000, 0)",
    "INSERT INTO corrections (region_id, org_id, account_id, service_id, period, apply_period,"
    " quantity, amount, reason, created_at) VALUES"
    " (1, 1, 1, 1, '2026-09', '2026-11', 0, -10000, 'площадь уточнена по выписке ЕГРН', 0)",
};

static int setup(void **state)
{
    (void)state;
    const char *url = getenv("UPRAVDOM_TEST_DB");
    struct err e = {0};
    int applied;
    if (!url || store_open(url, 4, &db, &e) || store_migrate(db, &applied, &e))
        fail_msg("database: %s", url ? e.msg : "UPRAVDOM_TEST_DB is not set");
    for (size_t i = 0; i < sizeof setup_sql / sizeof *setup_sql; i++)
        exec(setup_sql[i]);
    date_period_parse("2026-10", &period, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    store_close(db);
    return 0;
}

static int run(const struct store_scope *s, int64_t org, int per, struct billing_run_result *out,
               struct err *e)
{
    struct billing_run_req q = {.org_id = org, .period = per};
    return billing_run(db, s, &q, out, e);
}

/* The lines of one statement, decoded. */
static int lines_of(int64_t account, const char *per, struct arena *a, struct bill_line **lines)
{
    struct store_conn *c = store_acquire(db, &(struct err){0});
    struct store_val p[] = {SV_I(account), SV_S(per)};
    struct store_rows *rows;
    struct err e = {0};
    int n = -1;
    if (store_query(c, "SELECT lines FROM statements WHERE account_id = $1 AND period = $2", p, 2,
                    &rows, &e))
        fail_msg("%s", e.msg);
    if (store_next(rows) && bill_lines_unpack(store_dup(rows, 0, a), a, lines, &n, &e))
        fail_msg("%s", e.msg);
    store_rows_free(rows);
    store_release(c);
    return n;
}

static const struct bill_line *line_of(const struct bill_line *l, int n, int64_t service)
{
    for (int i = 0; i < n; i++)
        if (l[i].kind == LINE_CHARGE && l[i].service_id == service)
            return &l[i];
    return NULL;
}

static void expect(int64_t account, int64_t service, char method, int64_t qty, int64_t amount)
{
    struct arena *a = arena_new();
    struct bill_line *l;
    int n = lines_of(account, "2026-10", a, &l);
    const struct bill_line *x = line_of(l, n, service);
    if (!x)
        fail_msg("account %lld: no line of service %lld", (long long)account, (long long)service);
    if (x->method != method || x->quantity != qty || x->amount != amount)
        fail_msg("account %lld service %lld: %c %lld %lld, expected %c %lld %lld",
                 (long long)account, (long long)service, x->method, (long long)x->quantity,
                 (long long)x->amount, method, (long long)qty, (long long)amount);
    arena_free(a);
}

static void test_run_bills_every_open_account_of_the_organization(void **state)
{
    (void)state;
    struct billing_run_result out;
    struct err e = {0};
    if (run(&sys, 1, period, &out, &e))
        fail_msg("%s", e.msg);
    assert_int_equal(out.accounts, 5); /* A6 closed before the period; B7 is another org's */
    assert_int_equal(
        qint("SELECT count(*) FROM statements WHERE account_id = $1 AND period = $2", 6, "2026-10"),
        0);
    assert_int_equal(
        qint("SELECT count(*) FROM statements WHERE account_id = $1 AND period = $2", 7, "2026-10"),
        0);
}

static void test_area_residents_fixed_lines_by_hand(void **state)
{
    (void)state;
    expect(1, 1, METHOD_AREA, 54370, 193944);
    expect(2, 1, METHOD_AREA, 40000, 142685);
    expect(3, 1, METHOD_AREA, 61500, 219378);
    expect(1, 2, METHOD_RESIDENTS, 3000, 45165);
    expect(3, 2, METHOD_RESIDENTS, 1000, 15055);
    expect(4, 2, METHOD_RESIDENTS, 0, 0);
}

static void test_half_a_kopeck_rounds_up(void **state)
{
    (void)state;
    expect(4, 6, METHOD_FIXED, 1000, 5001); /* 5 000.5 → 5 001 */
}

static void test_house_tariff_wins_and_a_later_tariff_waits_for_its_month(void **state)
{
    (void)state;
    expect(5, 6, METHOD_FIXED, 1000, 6000);   /* house 2's own, not 50.0050 */
    expect(1, 6, METHOD_FIXED, 1000, 5001);   /* the 90 ₽ from November is not October's */
    expect(1, 1, METHOD_AREA, 54370, 193944); /* the 2026 tariff, not 2025's */
}

static void test_estimation_chain_reading_average_norm_raised_norm(void **state)
{
    (void)state;
    expect(1, 3, METHOD_METER, 5250, 23688);         /* п. 59: the reading */
    expect(1, 4, METHOD_AVERAGE, 3000, 75015);       /* п. 59 «б»: 9.000 over 3 months */
    expect(2, 3, METHOD_NORM, 13870, 62581);         /* п. 60: no history: norm × 2 */
    expect(2, 4, METHOD_NORM_RAISED, 14235, 355946); /* п. 42: no meter: × 1.5 */
    expect(3, 3, METHOD_NORM_RAISED, 10403, 46938);  /* 10.4025 rounds half up once */
    expect(3, 4, METHOD_NORM_RAISED, 7118, 177986);
}

static void test_wastewater_is_cold_plus_hot_unraised_with_the_weakest_method(void **state)
{
    (void)state;
    expect(1, 5, METHOD_AVERAGE, 8250, 31763);
    expect(2, 5, METHOD_NORM, 23360, 89936);
    expect(3, 5, METHOD_NORM, 11680, 44968);
    expect(5, 5, METHOD_METER, 5000, 19250);
}

/* Electricity by zones: premises 5 has day and night registers (read), so
 * A5 pays both zones and not the single rate; A1 has no meter, so it pays
 * the single rate by the raised norm: 90 × 3 × 1.5 = 405 kWh × 7.41 ₽. */
static void test_zone_services_follow_the_meter_registers(void **state)
{
    (void)state;
    expect(5, 9, METHOD_METER, 120000, 102720);
    expect(5, 10, METHOD_METER, 60000, 22920);
    expect(1, 8, METHOD_NORM_RAISED, 405000, 300105);
    struct arena *a = arena_new();
    struct bill_line *l;
    int n = lines_of(5, "2026-10", a, &l);
    assert_null(line_of(l, n, 8));
    n = lines_of(1, "2026-10", a, &l);
    assert_null(line_of(l, n, 9));
    assert_null(line_of(l, n, 10));
    arena_free(a);
}

static void test_statement_sums_match_lines(void **state)
{
    (void)state;
    /* A1: 193 944 + 45 165 + 23 688 + 75 015 + 31 763 + 5 001 + 300 105 */
    assert_int_equal(
        qint("SELECT charged FROM statements WHERE account_id = $1 AND period = $2", 1, "2026-10"),
        674681);
    assert_int_equal(
        qint("SELECT closing FROM statements WHERE account_id = $1 AND period = $2", 1, "2026-10"),
        674681);
}

static char digest_of_last_run[65];

static void test_rerun_writes_the_same_statements(void **state)
{
    (void)state;
    struct billing_run_result a, b;
    struct err e = {0};
    if (run(&sys, 1, period, &a, &e) || run(&sys, 1, period, &b, &e))
        fail_msg("%s", e.msg);
    assert_string_equal(a.digest, b.digest);
    assert_int_equal(a.charged, b.charged);
    assert_int_equal(qint("SELECT count(*) FROM statements WHERE account_id >= $1 AND period = $2",
                          0, "2026-10"),
                     5);
    memcpy(digest_of_last_run, b.digest, sizeof b.digest);
}

/* A re-run rewrites the period: an account closed since loses its statement,
 * and gets it back when it is billed again. */
static void test_rerun_drops_the_statement_of_an_account_closed_since(void **state)
{
    (void)state;
    struct billing_run_result out;
    struct err e = {0};
    exec("UPDATE accounts SET closed_on = '2026-09-30' WHERE id = 3");
    if (run(&sys, 1, period, &out, &e))
        fail_msg("%s", e.msg);
    assert_int_equal(out.accounts, 4);
    assert_int_equal(
        qint("SELECT count(*) FROM statements WHERE account_id = $1 AND period = $2", 3, "2026-10"),
        0);
    exec("UPDATE accounts SET closed_on = NULL WHERE id = 3");
    if (run(&sys, 1, period, &out, &e))
        fail_msg("%s", e.msg);
    assert_string_equal(out.digest, digest_of_last_run);
}

static void test_failed_run_leaves_the_previous_statements(void **state)
{
    (void)state;
    exec("UPDATE norms SET valid_from = '2027-01-01' WHERE service_id = 3");
    struct billing_run_result out;
    struct err e = {0};
    assert_int_equal(run(&sys, 1, period, &out, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "норматив"));
    exec("UPDATE norms SET valid_from = '2026-01-01' WHERE service_id = 3");
    assert_int_equal(qint("SELECT count(*) FROM statements WHERE account_id >= $1 AND period = $2",
                          0, "2026-10"),
                     5);
    assert_int_equal(qint("SELECT count(*) FROM billing_runs WHERE org_id = $1 AND period = $2"
                          " AND state = 'failed'",
                          1, "2026-10"),
                     1);
    if (run(&sys, 1, period, &out, &e))
        fail_msg("%s", e.msg);
    assert_string_equal(out.digest, digest_of_last_run);
}

static void test_next_period_opens_with_the_closing_and_counts_the_streak(void **state)
{
    (void)state;
    struct billing_run_result out;
    struct err e = {0};
    if (run(&sys, 1, period + 1, &out, &e))
        fail_msg("%s", e.msg);
    assert_int_equal(
        qint("SELECT opening FROM statements WHERE account_id = $1 AND period = $2", 1, "2026-11"),
        674681);
    struct arena *a = arena_new();
    struct bill_line *l;
    int n = lines_of(1, "2026-11", a, &l);
    const struct bill_line *hot = line_of(l, n, 4), *cold = line_of(l, n, 3);
    assert_non_null(hot);
    assert_int_equal(hot->method, METHOD_AVERAGE);
    assert_int_equal(hot->a, 2);    /* the second period in a row without a reading */
    assert_int_equal(hot->b, 6000); /* 3.000 + 3.000 estimated since the last reading */
    /* No November reading, and one month of history is under the 3 the
     * average needs: norm × 3 residents, without the raising (a meter exists). */
    assert_int_equal(cold->method, METHOD_NORM);
    assert_int_equal(cold->quantity, 20805);
    assert_int_equal(cold->a, 1);
    arena_free(a);
}

/* ЖК 155 ч. 14: July's 5 000.00 ₽ was due 10.08; October's days 1–16 are
 * days 52–67 of delay (past the 30-day grace, before day 90), the payment
 * day counting: 16 × 5 000.00 × 16.5 % / 300 = 44.00 ₽ at the key rate of
 * 27.10.2025 in force on 16.10.2026. */
static void test_penalty_on_an_old_debt_counts_the_days_until_payment(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct bill_line *l;
    int n = lines_of(2, "2026-10", a, &l);
    const struct bill_line *p = NULL;
    for (int i = 0; i < n; i++)
        if (l[i].kind == LINE_PENALTY)
            p = &l[i];
    assert_non_null(p);
    assert_int_equal(p->amount, 4400);
    assert_int_equal(p->b, 16);   /* days at 1/300 */
    assert_int_equal(p->c, 0);    /* none at 1/130 */
    assert_int_equal(p->d, 1650); /* 16.5 % */
    arena_free(a);
    assert_int_equal(
        qint("SELECT paid FROM statements WHERE account_id = $1 AND period = $2", 2, "2026-10"),
        500000);
}

/* A4's balance holds no debt older than September (opening 1 000.00 = what
 * September billed), yet the payment named September, so July is still owed:
 * 31 October days (days 52–82 of delay) × 1 000.00 × 16.5 % / 300 = 17.05 ₽. */
static void test_penalty_on_a_debt_left_by_a_payment_naming_a_later_period(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct bill_line *l;
    int n = lines_of(4, "2026-10", a, &l);
    const struct bill_line *p = NULL;
    for (int i = 0; i < n; i++)
        if (l[i].kind == LINE_PENALTY)
            p = &l[i];
    assert_non_null(p);
    assert_int_equal(p->amount, 1705);
    assert_int_equal(p->b, 31);
    int july;
    date_period_parse("2026-07", &july, NULL);
    assert_int_equal(p->ref, july);
    arena_free(a);
}

/* The October document (6 746.81 ₽) paid in full on 05.11, before its due
 * date 10.11: 1 % is 67.47 ₽, capped at 30.00 ₽, credited on November's. A
 * correction of September booked for November shows there with its reason. */
static void test_cashback_and_correction_on_the_next_document(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct bill_line *l;
    int n = lines_of(1, "2026-11", a, &l);
    const struct bill_line *b = NULL, *r = NULL;
    for (int i = 0; i < n; i++) {
        if (l[i].kind == LINE_CASHBACK)
            b = &l[i];
        if (l[i].kind == LINE_CORRECTION)
            r = &l[i];
    }
    assert_non_null(b);
    assert_int_equal(b->amount, -3000);
    assert_non_null(r);
    assert_int_equal(r->amount, -10000);
    assert_int_equal(r->service_id, 1);
    arena_free(a);
    assert_int_equal(qint("SELECT amount FROM cashback WHERE account_id = $1 AND bill_period = $2",
                          1, "2026-10"),
                     3000);
    /* closing = opening + charged + corrected + penalty − cashback − paid */
    assert_int_equal(qint("SELECT opening + charged + corrected + penalty - cashback - paid"
                          " - closing FROM statements WHERE account_id = $1 AND period = $2",
                          1, "2026-11"),
                     0);
}

/* п. 61: A1's hot water was billed by the average in October and November
 * (3.000 + 3.000 estimated); December's reading covers those three months
 * (10.000): December bills 10.000 − 6.000 = 4.000 by the meter. A2's cold
 * water was billed by the norm in both; its December reading covers one month
 * only (an earlier reading entered late), so nothing is taken off: 5.000. */
static void test_a_late_reading_corrects_the_estimates_it_covers(void **state)
{
    (void)state;
    exec("INSERT INTO readings (meter_id, region_id, municipality_id, house_id, org_id, period,"
         " value, consumption, months, channel, received_at, submitted_at, state) VALUES"
         " (2, 1, 1, 1, 2, '2026-12', 19000, 10000, 3, 'operator', 0, 0, 'accepted'),"
         " (3, 1, 1, 1, 2, '2026-12', 5000, 5000, 1, 'operator', 0, 0, 'accepted')");
    struct billing_run_result out;
    struct err e = {0};
    if (run(&sys, 1, period + 2, &out, &e))
        fail_msg("%s", e.msg);
    struct arena *a = arena_new();
    struct bill_line *l;
    int n = lines_of(1, "2026-12", a, &l);
    const struct bill_line *hot = line_of(l, n, 4);
    assert_int_equal(hot->method, METHOD_METER);
    assert_int_equal(hot->quantity, 4000);
    n = lines_of(2, "2026-12", a, &l);
    const struct bill_line *cold = line_of(l, n, 3);
    assert_int_equal(cold->method, METHOD_METER);
    assert_int_equal(cold->quantity, 5000);
    arena_free(a);
}

static void test_closed_period_is_refused(void **state)
{
    (void)state;
    exec("INSERT INTO billing_periods (org_id, period, closed_at) VALUES (1, '2026-10', 1)");
    struct billing_run_result out;
    struct err e = {0};
    assert_int_equal(run(&sys, 1, period, &out, &e), ERR_CONFLICT);
    assert_string_equal(e.field, "period");
}

static void test_another_organizations_staff_cannot_run_it(void **state)
{
    (void)state;
    struct store_scope other = {.kind = SCOPE_ORG, .user_id = 9, .region_id = 1, .org_id = 2};
    struct billing_run_result out;
    struct err e = {0};
    assert_int_equal(run(&other, 1, period + 1, &out, &e), ERR_NOTFOUND);
    struct store_scope resident = {.kind = SCOPE_RESIDENT, .user_id = 9};
    assert_int_equal(run(&resident, 1, period + 1, &out, &e), ERR_NOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_bills_every_open_account_of_the_organization),
        cmocka_unit_test(test_area_residents_fixed_lines_by_hand),
        cmocka_unit_test(test_half_a_kopeck_rounds_up),
        cmocka_unit_test(test_house_tariff_wins_and_a_later_tariff_waits_for_its_month),
        cmocka_unit_test(test_estimation_chain_reading_average_norm_raised_norm),
        cmocka_unit_test(test_wastewater_is_cold_plus_hot_unraised_with_the_weakest_method),
        cmocka_unit_test(test_zone_services_follow_the_meter_registers),
        cmocka_unit_test(test_statement_sums_match_lines),
        cmocka_unit_test(test_rerun_writes_the_same_statements),
        cmocka_unit_test(test_rerun_drops_the_statement_of_an_account_closed_since),
        cmocka_unit_test(test_failed_run_leaves_the_previous_statements),
        cmocka_unit_test(test_next_period_opens_with_the_closing_and_counts_the_streak),
        cmocka_unit_test(test_penalty_on_an_old_debt_counts_the_days_until_payment),
        cmocka_unit_test(test_penalty_on_a_debt_left_by_a_payment_naming_a_later_period),
        cmocka_unit_test(test_cashback_and_correction_on_the_next_document),
        cmocka_unit_test(test_a_late_reading_corrects_the_estimates_it_covers),
        cmocka_unit_test(test_closed_period_is_refused),
        cmocka_unit_test(test_another_organizations_staff_cannot_run_it),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
