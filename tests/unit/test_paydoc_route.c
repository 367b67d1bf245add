/* test_paydoc_route.c — the delivery route of print batches (src/paydoc/route.c,
 * docs/paydoc.md "Print batches"): a house address split into the street and
 * the house number, the natural order of house and premises numbers, the
 * street's stable ASCII file-name key, and the ИПД. */
#include "paydoc/paydoc.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

static void split(const char *address, const char *street, const char *number)
{
    struct arena *a = arena_new();
    struct paydoc_address x;
    assert_int_equal(paydoc_address_split(address, a, &x), 0);
    if (street)
        assert_non_null(x.street), assert_string_equal(x.street, street);
    else
        assert_null(x.street);
    if (number)
        assert_non_null(x.number), assert_string_equal(x.number, number);
    else
        assert_null(x.number);
    arena_free(a);
}

/* The route is municipality, street, house: the street keeps the locality
 * (two villages of a district may both have «ул. Центральная»), the region
 * and the postal code, the same for every house of the municipality, go. */
static void address_splits_street_and_number(void **state)
{
    (void)state;
    split("г. Пушкино, ул. Ленина, д. 12к1", "г. Пушкино, ул. Ленина", "12к1");
    split("Московский пр-кт, д. 3/1", "Московский пр-кт", "3/1");
    split("д. Ивановка, 7", "д. Ивановка", "7");
    split("Демонстрационная обл., г. Светлогорск, ул. Ленина, д. 7", "г. Светлогорск, ул. Ленина",
          "7");
    split("141200, Московская область, г. Пушкино, ул. Ленина, дом 5", "г. Пушкино, ул. Ленина",
          "5");
    split("Заречный р-н, с. Заречье, пер. Тихий, д.14", "Заречный р-н, с. Заречье, пер. Тихий",
          "14");
    split("ул. Ленина, д. 12, корп. 2", "ул. Ленина", "12, корп. 2");
    split("ул. Мира, 12 корп. 1", "ул. Мира", "12 корп. 1");
}

static void address_without_a_number_is_all_street(void **state)
{
    (void)state;
    split("1-я Парковая ул., д. 3", "1-я Парковая ул.", "3"); /* a street may start with a digit */
    split("ул. 8 Марта, д. 10а", "ул. 8 Марта", "10а");
    split("г. Пушкино, ул. Ленина", "г. Пушкино, ул. Ленина", NULL);
    split("д. Ивановка", "д. Ивановка", NULL); /* деревня, not дом */
    split("  ул. Мира ,  д. 1  ", "ул. Мира", "1");
    split("д. 5", NULL, "5");
    split("", NULL, NULL);
    split(NULL, NULL, NULL);
}

static int cmp_str(const void *a, const void *b)
{
    return paydoc_natural_cmp(*(const char *const *)a, *(const char *const *)b);
}

/* Premises and houses in natural order: 1, 2, 10, 10а (docs/paydoc.md). */
static void natural_order_of_numbers(void **state)
{
    (void)state;
    const char *got[] = {"10а", "2",    "10", "1",  "11", "10б", "3/1",
                         "3",   "12к1", "12", "Н1", "М2", "М10", NULL};
    const char *want[] = {"1",  "2",  "3",    "3/1", "10",  "10а", "10б",
                          "11", "12", "12к1", "М2",  "М10", "Н1"};
    size_t n = sizeof want / sizeof want[0];
    qsort(got, n, sizeof got[0], cmp_str);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(got[i], want[i]);
    assert_true(paydoc_natural_cmp("007", "7") != 0); /* a total order */
    assert_int_equal(paydoc_natural_cmp("7", "7"), 0);
    assert_true(paydoc_natural_cmp("5", NULL) < 0); /* no number last */
    assert_true(paydoc_natural_cmp(NULL, "5") > 0);
}

/* Streets alphabetically, case aside, ё after е, numbers by value. */
static void natural_order_of_streets(void **state)
{
    (void)state;
    assert_true(paydoc_natural_cmp("ул. Ёлочная", "ул. Елецкая") > 0);
    assert_true(paydoc_natural_cmp("ул. Ёлочная", "ул. Жукова") < 0);
    assert_true(paydoc_natural_cmp("ул. Яблочная", "ул. абрикосовая") > 0);
    assert_true(paydoc_natural_cmp("ул. 8 Марта", "ул. 10 лет Октября") < 0);
    assert_true(paydoc_natural_cmp("пр-т Победы", "ул. Ленина") < 0);
}

static void street_keys_are_ascii_and_stable(void **state)
{
    (void)state;
    char k[96];
    assert_string_equal(paydoc_street_key("г. Пушкино, ул. Ленина", k, sizeof k),
                        "g-pushkino-ul-lenina");
    assert_string_equal(paydoc_street_key("Московский пр-кт", k, sizeof k), "moskovskiy-pr-kt");
    assert_string_equal(paydoc_street_key("ул. Подъёмная", k, sizeof k), "ul-podemnaya");
    assert_string_equal(paydoc_street_key("ул. Щорса, «Ж/Д»", k, sizeof k), "ul-shchorsa-zh-d");
    assert_string_equal(paydoc_street_key("ул.Ленина", k, sizeof k), "ul-lenina");
    assert_string_equal(paydoc_street_key("", k, sizeof k), "no-street");
    assert_string_equal(paydoc_street_key(NULL, k, sizeof k), "no-street");
    char longer[600] = "";
    for (int i = 0; i < 40; i++)
        strcat(longer, "Щщщ ");
    paydoc_street_key(longer, k, sizeof k);
    assert_true(strlen(k) <= 80);
    for (const char *p = k; *p; p++)
        assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-');
    char small[8];
    assert_string_equal(paydoc_street_key("ул. Ленина", small, sizeof small), "ul-leni");
}

static int cmp_stop(const void *a, const void *b)
{
    return paydoc_stop_cmp(a, b);
}

/* A stop of the route from a house's address, as render.c makes it. */
static struct paydoc_stop stop(struct arena *a, int64_t org, int64_t municipality, int64_t house,
                               const char *address)
{
    struct paydoc_stop s = {.org_id = org,
                            .municipality_id = municipality,
                            .house_id = house,
                            .municipality = municipality == 1 ? "Пушкино" : "Ивантеевка"};
    assert_int_equal(paydoc_address_split(address, a, &s.address), 0);
    char key[96];
    s.key = arena_strdup(a, house ? paydoc_street_key(s.address.street, key, sizeof key)
                                  : "no-address");
    return s;
}

/* docs/paydoc.md "Route": a batch is one organization's houses of one
 * municipality with one street key, in house-number order along the street
 * whatever the spelling — «ул. Ленина» 1, 3, 5 and «ул.Ленина» 2, 4 go 1, 2,
 * 3, 4, 5, not 1, 3, 5, 2, 4; and the batch's houses are next to each other
 * in the order, another street's never between them. */
static void route_orders_a_street_by_number_whatever_its_spelling(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct paydoc_stop s[] = {
        stop(a, 1, 1, 11, "г. Пушкино, ул.Ленина, д. 2"),
        stop(a, 1, 1, 12, "г. Пушкино, ул. Мира, д. 1"),
        stop(a, 1, 1, 13, "г. Пушкино, ул. Ленина, д. 5"),
        stop(a, 1, 1, 0, ""), /* the accounts without a house: last of the municipality */
        stop(a, 1, 1, 14, "г. Пушкино, ул. Ленина, д. 1"),
        stop(a, 1, 2, 15, "г. Ивантеевка, ул. Ленина, д. 1"), /* another municipality */
        stop(a, 1, 1, 16, "г. Пушкино, ул.Ленина, д. 4"),
        stop(a, 1, 1, 17, "г. Пушкино, ул. Ленина, д. 3"),
        stop(a, 1, 1, 18, "г. Пушкино, ул. Ленина, д. 10"),
        stop(a, 0, 1, 19, "г. Пушкино, ул. Мира, д. 9"), /* an organization before */
    };
    size_t n = sizeof s / sizeof s[0];
    qsort(s, n, sizeof s[0], cmp_stop);
    const int64_t want[] = {19, 15, 14, 11, 17, 16, 13, 18, 12, 0};
    for (size_t i = 0; i < n; i++)
        assert_int_equal(s[i].house_id, want[i]);
    /* Ties: the same number on two spellings goes by the text, then the id. */
    struct paydoc_stop x = stop(a, 1, 1, 30, "г. Пушкино, ул.Ленина, д. 7");
    struct paydoc_stop y = stop(a, 1, 1, 31, "г. Пушкино, ул. Ленина, д. 7");
    assert_true(paydoc_stop_cmp(&y, &x) < 0 && paydoc_stop_cmp(&x, &y) > 0);
    y = x;
    y.house_id = 29;
    assert_true(paydoc_stop_cmp(&y, &x) < 0);
    assert_int_equal(paydoc_stop_cmp(&x, &x), 0);
    arena_free(a);
}

/* ИПД (DOMAIN.md §4): ЕЛС(10) + "-01" + "-" + MMYY, 18 characters. */
static void ipd_is_els_service_and_period(void **state)
{
    (void)state;
    char ipd[PAYDOC_IPD_LEN + 1];
    assert_int_equal(paydoc_ipd("75da533315", "2026-10", ipd), 0);
    assert_string_equal(ipd, "75da533315-01-1026");
    assert_int_equal(strlen(ipd), 18);
    assert_int_equal(paydoc_ipd("99KX041735", "2027-01", ipd), 0);
    assert_string_equal(ipd, "99KX041735-01-0127");
    assert_int_equal(paydoc_ipd(NULL, "2026-10", ipd), ERR_INVALID);
    assert_int_equal(paydoc_ipd("75da53331", "2026-10", ipd), ERR_INVALID);
    assert_int_equal(paydoc_ipd("75da533315", "2026-13", ipd), ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(address_splits_street_and_number),
        cmocka_unit_test(address_without_a_number_is_all_street),
        cmocka_unit_test(natural_order_of_numbers),
        cmocka_unit_test(natural_order_of_streets),
        cmocka_unit_test(street_keys_are_ascii_and_stable),
        cmocka_unit_test(route_orders_a_street_by_number_whatever_its_spelling),
        cmocka_unit_test(ipd_is_els_service_and_period),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
