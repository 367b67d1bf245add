/* test_text.c — base/text.h and base/err.h: messages cut by a fixed buffer
 * stay valid UTF-8 (an API error is JSON; a half Cyrillic letter is not). */
#include "base/err.h"
#include "base/jsonv.h"
#include "base/text.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

static void cut_drops_a_half_two_byte_letter(void **state)
{
    (void)state;
    char s[] = "дом\xd0"; /* «д» «о» «м» and the first byte of «д» */
    text_cut_partial(s);
    assert_string_equal(s, "дом");
}

static void cut_drops_a_half_three_and_four_byte_character(void **state)
{
    (void)state;
    char euro[] = "цена \xe2\x82"; /* € is e2 82 ac */
    text_cut_partial(euro);
    assert_string_equal(euro, "цена ");
    char emoji[] = "ok \xf0\x9f\x8f"; /* 🏠 is f0 9f 8f a0 */
    text_cut_partial(emoji);
    assert_string_equal(emoji, "ok ");
}

static void cut_keeps_whole_text(void **state)
{
    (void)state;
    char s[] = "квартира 12 €";
    text_cut_partial(s);
    assert_string_equal(s, "квартира 12 €");
    char empty[] = "";
    text_cut_partial(empty);
    assert_string_equal(empty, "");
}

/* The rule: a long Russian message cut by err's and field_errors' buffers
 * is still valid UTF-8, so the problem+json that carries it is sent whole. */
static void long_messages_stay_valid_utf8(void **state)
{
    (void)state;
    char big[2000] = "";
    for (int i = 0; i < 300; i++)
        strcat(big, "ж"); /* 600 bytes: more than either buffer holds */
    for (int shift = 0; shift < 2; shift++) {
        struct err e = {0};
        err_set(&e, ERR_INVALID, "%s%s", shift ? "x" : "", big);
        assert_true(text_valid(e.msg));
        struct field_errors fe = {0};
        fe_add(&fe, "type", "%s%s%s", shift ? "x" : "", big, big);
        assert_true(text_valid(fe.e[0].message));
        assert_true(strlen(fe.e[0].message) >= sizeof fe.e[0].message - 2);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cut_drops_a_half_two_byte_letter),
        cmocka_unit_test(cut_drops_a_half_three_and_four_byte_character),
        cmocka_unit_test(cut_keeps_whole_text),
        cmocka_unit_test(long_messages_stay_valid_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
