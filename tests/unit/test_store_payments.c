/* test_store_payments.c — payments in the store (src/billing/payments.c) on
 * a real database (UPRAVDOM_TEST_DB, per backend through scripts/with-pgdb.sh):
 * the sums the billing run reads ("payments received during a period") come
 * per account in ascending id with payments − refunds − reversals, a
 * reversal counting on its own date, and only for the organization asked and
 * a caller who may read it; a repeated booking adds nothing and a different
 * one is a conflict naming ext_id. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "billing/billing.h"
#include "directory/directory.h"

#include <stdlib.h>
#include <string.h>

static const struct store_scope system_scope = {.kind = SCOPE_SYSTEM};

struct fixture {
    struct store *s;
    struct store_conn *c;
    struct arena *a;
    int64_t region, mun, org_a, org_b;
    int64_t acc[4]; /* org A: 0, 1, 2; org B: 3 */
};

static int64_t add_org(struct fixture *f, const char *inn, const char *ogrn)
{
    struct organization o = {.municipality_id = f->mun,
                             .kind = "eirc",
                             .name = "ООО «ЕИРЦ»",
                             .inn = inn,
                             .kpp = "770701001",
                             .ogrn = ogrn};
    struct err e = {0};
    assert_int_equal(dir_org_create(f->c, &system_scope, &o, f->a, &e), 0);
    return o.id;
}

static int64_t add_account(struct fixture *f, int64_t org, const char *number)
{
    struct store_val p[] = {SV_S(number), SV_I(org), SV_I(f->region), SV_I(f->mun)};
    int64_t id = 0;
    struct err e = {0};
    assert_int_equal(store_query_int(f->c,
                                     "INSERT INTO accounts (number, org_id, region_id,"
                                     " municipality_id, opened_on, created_at)"
                                     " VALUES ($1, $2, $3, $4, '2020-01-01', 0) RETURNING id",
                                     p, 4, &id, &e),
                     0);
    return id;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct err e = {0};
    const char *url = getenv("UPRAVDOM_TEST_DB");
    assert_non_null(url);
    assert_int_equal(store_open(url, 2, &f->s, &e), 0);
    int applied = -1;
    assert_int_equal(store_migrate(f->s, &applied, &e), 0);
    f->c = store_acquire(f->s, &e);
    assert_non_null(f->c);
    f->a = arena_new();
    struct region r = {.code = "99", .name = "Тестовая", .timezone = "Europe/Moscow"};
    assert_int_equal(dir_region_create(f->c, &system_scope, &r, &e), 0);
    f->region = r.id;
    struct municipality m = {.region_id = r.id, .name = "А", .timezone = "Europe/Moscow"};
    assert_int_equal(dir_municipality_create(f->c, &system_scope, &m, f->a, &e), 0);
    f->mun = m.id;
    f->org_a = add_org(f, "7707083893", "1027812400868");
    f->org_b = add_org(f, "9923444178", "1029973097604");
    f->acc[0] = add_account(f, f->org_a, "A-1");
    f->acc[1] = add_account(f, f->org_a, "A-2");
    f->acc[2] = add_account(f, f->org_a, "A-3");
    f->acc[3] = add_account(f, f->org_b, "B-1");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    arena_free(f->a);
    store_release(f->c);
    store_close(f->s);
    free(f);
    return 0;
}

/* Books one entry as the installation; returns its id. */
static int64_t book(struct fixture *f, int64_t account, const char *ext, enum payment_kind kind,
                    const char *day, int64_t amount, int64_t reverses)
{
    struct pay_req q = {.account_id = account,
                        .ext_id = ext,
                        .kind = kind,
                        .paid_on = day,
                        .amount = amount,
                        .reverses = reverses};
    struct payment x;
    bool created = false;
    struct err e = {0};
    assert_int_equal(store_begin(f->c, &e), 0);
    int rc = pay_book(f->c, &system_scope, &q, f->a, &x, &created, &e);
    if (rc)
        fail_msg("book %s: %s (%s)", ext, e.msg, e.field);
    assert_true(created);
    assert_int_equal(store_commit(f->c, &e), 0);
    return x.id;
}

struct seen {
    struct pay_sums x[8];
    int n;
    int stop_after; /* 0: never */
};

static int collect(void *arg, const struct pay_sums *x)
{
    struct seen *s = arg;
    if (s->n < 8)
        s->x[s->n++] = *x;
    return s->stop_after && s->n == s->stop_after ? 7 : 0;
}

static void org_sums_give_each_account_its_net_in_ascending_order(void **state)
{
    struct fixture *f = *state;
    book(f, f->acc[0], "a0-pay", PAY_PAYMENT, "2025-03-05", 10000, 0);
    book(f, f->acc[0], "a0-refund", PAY_REFUND, "2025-03-10", 3000, 0);
    int64_t p1 = book(f, f->acc[1], "a1-pay", PAY_PAYMENT, "2025-02-27", 5000, 0);
    book(f, f->acc[1], "a1-rev", PAY_REVERSAL, "2025-03-02", 0, p1);   /* counts in March */
    book(f, f->acc[2], "a2-pay", PAY_PAYMENT, "2025-04-01", 7000, 0);  /* after the window */
    book(f, f->acc[3], "b-pay", PAY_PAYMENT, "2025-03-15", 100000, 0); /* another org */
    struct seen s = {0};
    struct err e = {0};
    assert_int_equal(
        pay_org_sums(f->c, &system_scope, f->org_a, "2025-03-01", "2025-03-31", collect, &s, &e),
        0);
    assert_int_equal(s.n, 2);
    assert_true(s.x[0].account_id < s.x[1].account_id);
    assert_int_equal(s.x[0].account_id, f->acc[0]);
    assert_int_equal(s.x[0].paid, 10000);
    assert_int_equal(s.x[0].refunded, 3000);
    assert_int_equal(s.x[0].reversed, 0);
    assert_int_equal(s.x[0].net, 7000);
    assert_int_equal(s.x[1].account_id, f->acc[1]);
    assert_int_equal(s.x[1].paid, 0);
    assert_int_equal(s.x[1].reversed, 5000);
    assert_int_equal(s.x[1].net, -5000);
    /* The bounds are inclusive: February alone has the reversed payment. */
    s = (struct seen){0};
    assert_int_equal(
        pay_org_sums(f->c, &system_scope, f->org_a, "2025-02-27", "2025-02-27", collect, &s, &e),
        0);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.x[0].net, 5000);
}

static void a_callback_stops_the_walk_with_its_code(void **state)
{
    struct fixture *f = *state;
    struct seen s = {.stop_after = 1};
    struct err e = {0};
    assert_int_equal(
        pay_org_sums(f->c, &system_scope, f->org_a, "2025-01-01", "2025-12-31", collect, &s, &e),
        7);
    assert_int_equal(s.n, 1);
}

static void org_sums_are_for_who_may_read_them(void **state)
{
    struct fixture *f = *state;
    struct seen s = {0};
    struct err e = {0};
    struct store_scope staff_a = {
        .kind = SCOPE_ORG, .user_id = 1, .region_id = f->region, .org_id = f->org_a};
    struct store_scope staff_b = staff_a, resident = {.kind = SCOPE_RESIDENT, .user_id = 1};
    staff_b.org_id = f->org_b;
    assert_int_equal(
        pay_org_sums(f->c, &staff_a, f->org_a, "2025-03-01", "2025-03-31", collect, &s, &e), 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(
        pay_org_sums(f->c, &staff_b, f->org_a, "2025-03-01", "2025-03-31", collect, &s, &e),
        ERR_NOTFOUND);
    assert_int_equal(
        pay_org_sums(f->c, &resident, f->org_a, "2025-03-01", "2025-03-31", collect, &s, &e),
        ERR_NOTFOUND);
    assert_int_equal(
        pay_org_sums(f->c, &staff_a, f->org_a, "2025-03", "2025-03-31", collect, &s, &e),
        ERR_INVALID);
    struct store_scope none = {0};
    assert_int_equal(
        pay_org_sums(f->c, &none, f->org_a, "2025-03-01", "2025-03-31", collect, &s, &e),
        ERR_SCOPE);
}

static void account_sums_cover_the_window(void **state)
{
    struct fixture *f = *state;
    struct pay_sums x;
    struct err e = {0};
    assert_int_equal(pay_account_sums(f->c, &system_scope, f->acc[0], NULL, NULL, &x, &e), 0);
    assert_int_equal(x.paid, 10000);
    assert_int_equal(x.refunded, 3000);
    assert_int_equal(x.net, 7000);
    assert_int_equal(
        pay_account_sums(f->c, &system_scope, f->acc[0], "2025-03-06", "2025-03-31", &x, &e), 0);
    assert_int_equal(x.paid, 0);
    assert_int_equal(x.net, -3000);
    struct store_scope staff_b = {
        .kind = SCOPE_ORG, .user_id = 1, .region_id = f->region, .org_id = f->org_b};
    assert_int_equal(pay_account_sums(f->c, &staff_b, f->acc[0], NULL, NULL, &x, &e), ERR_NOTFOUND);
}

static void a_repeated_booking_adds_nothing_and_a_different_one_conflicts(void **state)
{
    struct fixture *f = *state;
    struct pay_req q = {.account_id = f->acc[2],
                        .ext_id = "a2-pay",
                        .kind = PAY_PAYMENT,
                        .paid_on = "2025-04-01",
                        .amount = 7000};
    struct payment x;
    bool created = true;
    struct err e = {0};
    int64_t before = 0;
    assert_int_equal(store_query_int(f->c, "SELECT count(*) FROM payments", NULL, 0, &before, &e),
                     0);
    assert_int_equal(store_begin(f->c, &e), 0);
    assert_int_equal(pay_book(f->c, &system_scope, &q, f->a, &x, &created, &e), 0);
    assert_false(created);
    assert_string_equal(x.ext_id, "a2-pay");
    q.amount = 7001;
    assert_int_equal(pay_book(f->c, &system_scope, &q, f->a, &x, &created, &e), ERR_CONFLICT);
    assert_string_equal(e.field, "ext_id");
    store_rollback(f->c);
    int64_t after = 0;
    assert_int_equal(store_query_int(f->c, "SELECT count(*) FROM payments", NULL, 0, &after, &e),
                     0);
    assert_int_equal(after, before);
    /* The same ext_id in another organization is another payment. */
    book(f, f->acc[3], "a2-pay", PAY_PAYMENT, "2025-04-01", 1, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(org_sums_give_each_account_its_net_in_ascending_order),
        cmocka_unit_test(a_callback_stops_the_walk_with_its_code),
        cmocka_unit_test(org_sums_are_for_who_may_read_them),
        cmocka_unit_test(account_sums_cover_the_window),
        cmocka_unit_test(a_repeated_booking_adds_nothing_and_a_different_one_conflicts),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
