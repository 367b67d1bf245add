/* test_payments.c — the rules of a payment entry without a database
 * (src/billing/payments.c, docs/payments.md): pay_check names the field of
 * every broken rule, the kinds are read in English and Russian in any case,
 * and a repeated booking's differences are spelled out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "billing/payments_impl.h"

#include <string.h>

static const struct pay_req good = {.account_id = 7,
                                    .ext_id = "SB-1",
                                    .kind = PAY_PAYMENT,
                                    .paid_on = "2025-03-05",
                                    .amount = 152040};

/* The one field pay_check names for q (fails unless exactly one error). */
static const char *only_field(const struct pay_req *q, const char *today, struct field_errors *fe)
{
    memset(fe, 0, sizeof *fe);
    int n = pay_check(q, today, fe);
    if (n != 1)
        fail_msg("expected one error, got %d (%s)", n, n ? fe->e[0].field : "");
    return fe->e[0].field;
}

static void a_good_entry_passes(void **state)
{
    (void)state;
    struct field_errors fe = {0};
    assert_int_equal(pay_check(&good, "2025-03-05", &fe), 0);
    struct pay_req rev = {.ext_id = "S-1",
                          .kind = PAY_REVERSAL,
                          .paid_on = "2025-03-05",
                          .reverses = 3}; /* no account, no amount: the payment's */
    assert_int_equal(pay_check(&rev, NULL, &fe), 0);
}

static void every_broken_rule_names_its_field(void **state)
{
    (void)state;
    struct field_errors fe;
    char long_id[PAY_EXT_ID_MAX + 2];
    memset(long_id, 'x', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    const struct {
        struct pay_req q;
        const char *field;
    } cases[] = {
        {{.account_id = 7, .ext_id = "", .paid_on = "2025-03-05", .amount = 1}, "ext_id"},
        {{.account_id = 7, .ext_id = long_id, .paid_on = "2025-03-05", .amount = 1}, "ext_id"},
        {{.account_id = 7, .ext_id = "a\tb", .paid_on = "2025-03-05", .amount = 1}, "ext_id"},
        {{.ext_id = "a", .paid_on = "2025-03-05", .amount = 1}, "account_id"},
        {{.account_id = 7,
          .els = "99AA000001",
          .ext_id = "a",
          .paid_on = "2025-03-05",
          .amount = 1},
         "account_id"},
        {{.els = "", .ext_id = "a", .paid_on = "2025-03-05", .amount = 1}, "els"},
        {{.account_id = 7, .ext_id = "a", .amount = 1}, "paid_on"},
        {{.account_id = 7, .ext_id = "a", .paid_on = "2025-02-29", .amount = 1}, "paid_on"},
        {{.account_id = 7, .ext_id = "a", .paid_on = "2025-03-06", .amount = 1}, "paid_on"},
        {{.account_id = 7, .ext_id = "a", .paid_on = "2025-03-05", .amount = 0}, "amount"},
        {{.account_id = 7, .ext_id = "a", .paid_on = "2025-03-05", .amount = -1}, "amount"},
        {{.account_id = 7, .ext_id = "a", .paid_on = "2025-03-05", .amount = PAY_AMOUNT_MAX + 1},
         "amount"},
        {{.account_id = 7, .ext_id = "a", .paid_on = "2025-03-05", .amount = 1, .reverses = 2},
         "reverses"},
        {{.account_id = 7, .ext_id = "a", .kind = PAY_REVERSAL, .paid_on = "2025-03-05"},
         "reverses"},
        {{.account_id = 7, .ext_id = "a", .paid_on = "2025-03-05", .amount = 1, .channel = "mail"},
         "channel"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        if (strcmp(only_field(&cases[i].q, "2025-03-05", &fe), cases[i].field) != 0)
            fail_msg("case %zu: named %s, not %s", i, fe.e[0].field, cases[i].field);
}

static void the_future_is_judged_only_with_a_date(void **state)
{
    (void)state;
    struct field_errors fe = {0};
    struct pay_req q = good;
    q.paid_on = "2999-01-01";
    assert_int_equal(pay_check(&q, NULL, &fe), 0);
    assert_string_equal(only_field(&q, "2025-03-05", &fe), "paid_on");
    assert_non_null(strstr(fe.e[0].message, "ещё не наступила"));
}

static void kinds_are_read_in_english_and_russian_in_any_case(void **state)
{
    (void)state;
    const struct {
        const char *word;
        enum payment_kind k;
    } ok[] = {{"payment", PAY_PAYMENT}, {"оплата", PAY_PAYMENT},   {"ОПЛАТА", PAY_PAYMENT},
              {"Платёж", PAY_PAYMENT},  {"ПЛАТЕЖ", PAY_PAYMENT},   {"возврат", PAY_REFUND},
              {"Возврат", PAY_REFUND},  {"refund", PAY_REFUND},    {"СТОРНО", PAY_REVERSAL},
              {"сторно", PAY_REVERSAL}, {"reversal", PAY_REVERSAL}};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        enum payment_kind k = PAY_PAYMENT;
        if (pay_kind_parse(ok[i].word, &k) != 0 || k != ok[i].k)
            fail_msg("%s", ok[i].word);
    }
    enum payment_kind k;
    assert_int_equal(pay_kind_parse("gift", &k), ERR_INVALID);
    assert_int_equal(pay_kind_parse("", &k), ERR_INVALID);
    assert_int_equal(pay_kind_parse(NULL, &k), ERR_INVALID);
    assert_string_equal(pay_kind_name(PAY_REVERSAL), "reversal");
    assert_true(pay_channel_valid("cash"));
    assert_false(pay_channel_valid("file"));
}

static void a_repeat_with_other_data_says_what_differs(void **state)
{
    (void)state;
    struct payment x = {.id = 5,
                        .account_id = 7,
                        .kind = PAY_PAYMENT,
                        .paid_on = "2025-03-05",
                        .amount = 100,
                        .period = date_period(2025, 2)};
    struct pay_key k = {7, PAY_PAYMENT, "2025-03-05", 100, date_period(2025, 2), 0};
    char buf[400];
    assert_false(pay_differs(&x, &k, buf, sizeof buf));
    assert_string_equal(buf, "");
    k.amount = 0; /* a reversal without an amount matches any */
    assert_false(pay_differs(&x, &k, buf, sizeof buf));
    k.amount = 200;
    k.period = 0;
    assert_true(pay_differs(&x, &k, buf, sizeof buf));
    assert_string_equal(buf,
                        "сумма: была 1.00, теперь 2.00; период: был 2025-02, теперь не указан");
    char tiny[12];
    assert_true(pay_differs(&x, &k, tiny, sizeof tiny)); /* cut, still valid UTF-8 */
    assert_true(strlen(tiny) < sizeof tiny);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_good_entry_passes),
        cmocka_unit_test(every_broken_rule_names_its_field),
        cmocka_unit_test(the_future_is_judged_only_with_a_date),
        cmocka_unit_test(kinds_are_read_in_english_and_russian_in_any_case),
        cmocka_unit_test(a_repeat_with_other_data_says_what_differs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
