/* test_store_backend.c — the store on a real database (UPRAVDOM_TEST_DB, set by
 * scripts/with-pgdb.sh for each backend): migrations, transactions, conflicts,
 * and the tenancy rule that the store refuses unscoped access and never
 * reads or changes another tenant's rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "directory/directory.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

static const struct store_scope system_scope = {.kind = SCOPE_SYSTEM};

struct fixture {
    struct store *s;
    struct store_conn *c;
    struct arena *a;
    int64_t region, mun_a, mun_b, org_a, org_b;
};

static int64_t add_org(struct fixture *f, int64_t mun, const char *inn, const char *ogrn)
{
    struct organization o = {.municipality_id = mun,
                             .kind = "uo",
                             .name = "ООО «Тест»",
                             .inn = inn,
                             .kpp = "770701001",
                             .ogrn = ogrn};
    struct err e = {0};
    assert_int_equal(dir_org_create(f->c, &system_scope, &o, f->a, &e), 0);
    return o.id;
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
    struct municipality a = {.region_id = r.id, .name = "А", .timezone = "Europe/Moscow"};
    struct municipality b = {.region_id = r.id, .name = "Б", .timezone = "Asia/Yekaterinburg"};
    assert_int_equal(dir_municipality_create(f->c, &system_scope, &a, f->a, &e), 0);
    assert_int_equal(dir_municipality_create(f->c, &system_scope, &b, f->a, &e), 0);
    f->mun_a = a.id;
    f->mun_b = b.id;
    f->org_a = add_org(f, a.id, "7707083893", "1027812400868");
    f->org_b = add_org(f, b.id, "9923444178", "1029973097604");
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

static void migrations_are_applied_once(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    int applied = -1;
    int64_t version = 0;
    assert_int_equal(store_migrate(f->s, &applied, &e), 0);
    assert_int_equal(applied, 0);
    assert_int_equal(store_schema_version(f->s, &version, &e), 0);
    assert_true(version >= 1);
}

static void tenant_query_without_scope_is_refused(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    struct organization o;
    struct store_scope unset = {0};
    assert_int_equal(dir_org_get(f->c, NULL, f->org_a, f->a, &o, &e), ERR_SCOPE);
    assert_int_equal(dir_org_get(f->c, &unset, f->org_a, f->a, &o, &e), ERR_SCOPE);
    struct municipality m;
    assert_int_equal(dir_municipality_get(f->c, NULL, f->mun_a, f->a, &m, &e), ERR_SCOPE);
    struct user u;
    assert_int_equal(dir_user_get(f->c, &unset, 1, f->a, &u, &e), ERR_SCOPE);
}

static void municipal_scope_does_not_see_other_municipality(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    struct store_scope mun_a = {
        .kind = SCOPE_MUNICIPALITY, .region_id = f->region, .municipality_id = f->mun_a};
    struct organization o;
    assert_int_equal(dir_org_get(f->c, &mun_a, f->org_a, f->a, &o, &e), 0);
    assert_int_equal(dir_org_get(f->c, &mun_a, f->org_b, f->a, &o, &e), ERR_NOTFOUND);
    struct municipality m;
    assert_int_equal(dir_municipality_get(f->c, &mun_a, f->mun_b, f->a, &m, &e), ERR_NOTFOUND);
    struct organization *items;
    int64_t n, total;
    struct list_filter all = {0};
    assert_int_equal(
        dir_org_list(f->c, &mun_a, &all, (struct page){1, 50}, f->a, &items, &n, &total, &e), 0);
    assert_int_equal(total, 1);
    assert_int_equal(items[0].id, f->org_a);
}

static void scoped_update_of_foreign_object_changes_nothing(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    struct store_scope org_a = {
        .kind = SCOPE_ORG, .region_id = f->region, .municipality_id = f->mun_a, .org_id = f->org_a};
    struct organization o;
    assert_int_equal(dir_org_get(f->c, &system_scope, f->org_b, f->a, &o, &e), 0);
    const char *before = o.name;
    o.name = "Захвачено";
    o.municipality_id = f->mun_a; /* even moved into the caller's municipality */
    assert_int_equal(dir_org_update(f->c, &org_a, &o, f->a, &e), ERR_NOTFOUND);
    assert_int_equal(dir_org_get(f->c, &system_scope, f->org_b, f->a, &o, &e), 0);
    assert_string_equal(o.name, before);
}

static void resident_scope_sees_no_organizations(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    struct store_scope res = {
        .kind = SCOPE_RESIDENT, .region_id = f->region, .municipality_id = f->mun_a};
    struct organization o;
    assert_int_equal(dir_org_get(f->c, &res, f->org_a, f->a, &o, &e), ERR_NOTFOUND);
}

static void duplicate_inn_kpp_is_a_conflict(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    struct organization o = {.municipality_id = f->mun_a,
                             .kind = "rso",
                             .name = "Дубль",
                             .inn = "7707083893",
                             .kpp = "770701001",
                             .ogrn = "1027812400868"};
    assert_int_equal(dir_org_create(f->c, &system_scope, &o, f->a, &e), ERR_CONFLICT);
    assert_string_equal(e.field, "inn");
}

static void rolled_back_transaction_leaves_nothing(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    int64_t before = 0, after = 0;
    assert_int_equal(
        store_query_int(f->c, "SELECT count(*) FROM organizations", NULL, 0, &before, &e), 0);
    assert_int_equal(store_begin(f->c, &e), 0);
    add_org(f, f->mun_a, "500100732259", "304500116000157");
    store_rollback(f->c);
    assert_int_equal(
        store_query_int(f->c, "SELECT count(*) FROM organizations", NULL, 0, &after, &e), 0);
    assert_int_equal(after, before);
}

static void name_search_is_case_insensitive_for_cyrillic(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    struct list_filter q = {.q = "ТЕСТ"};
    struct organization *items;
    int64_t n, total;
    assert_int_equal(
        dir_org_list(f->c, &system_scope, &q, (struct page){1, 50}, f->a, &items, &n, &total, &e),
        0);
    assert_true(total >= 2);
    struct list_filter pct = {.q = "%"}; /* a LIKE wildcard is matched literally */
    assert_int_equal(
        dir_org_list(f->c, &system_scope, &pct, (struct page){1, 50}, f->a, &items, &n, &total, &e),
        0);
    assert_int_equal(total, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(migrations_are_applied_once),
        cmocka_unit_test(tenant_query_without_scope_is_refused),
        cmocka_unit_test(municipal_scope_does_not_see_other_municipality),
        cmocka_unit_test(scoped_update_of_foreign_object_changes_nothing),
        cmocka_unit_test(resident_scope_sees_no_organizations),
        cmocka_unit_test(duplicate_inn_kpp_is_a_conflict),
        cmocka_unit_test(rolled_back_transaction_leaves_nothing),
        cmocka_unit_test(name_search_is_case_insensitive_for_cyrillic),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
