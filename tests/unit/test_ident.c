/* test_ident.c — identifier rules of DOMAIN.md §4, with its test vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/ident.h"

typedef bool (*validator)(const char *, const char **);

/* Every single-digit change of a valid value must be rejected: replaces each
 * digit in turn by each other digit. (True for these vectors; a mod 11 / mod 10
 * check digit of 0 could collide with a remainder of 10.) */
static void assert_every_digit_change_rejected(validator v, const char *valid)
{
    char buf[64];
    size_t n = strlen(valid);
    for (size_t i = 0; i < n; i++) {
        if (valid[i] < '0' || valid[i] > '9')
            continue;
        for (char c = '0'; c <= '9'; c++) {
            if (c == valid[i])
                continue;
            memcpy(buf, valid, n + 1);
            buf[i] = c;
            const char *why = NULL;
            if (v(buf, &why)) {
                fail_msg("%s accepted (changed from %s)", buf, valid);
            }
            assert_non_null(why);
        }
    }
}

/* ---- ИНН ---- */

static void inn10_accepts_domain_vector(void **state)
{
    (void)state;
    const char *why = "untouched";
    assert_true(ident_inn_valid("7707083893", &why));
    assert_string_equal(why, "untouched");
}

static void inn10_check_digit_rejects_single_digit_change(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_false(ident_inn_valid("7707083894", &why));
    assert_string_equal(why, "ИНН: неверная контрольная цифра");
    assert_every_digit_change_rejected(ident_inn_valid, "7707083893");
}

static void inn12_accepts_domain_vector(void **state)
{
    (void)state;
    assert_true(ident_inn_valid("500100732259", NULL));
}

static void inn12_both_check_digits_reject_single_digit_change(void **state)
{
    (void)state;
    assert_false(ident_inn_valid("500100732249", NULL)); /* 11th digit */
    assert_false(ident_inn_valid("500100732258", NULL)); /* 12th digit */
    assert_every_digit_change_rejected(ident_inn_valid, "500100732259");
}

static void inn_rejects_wrong_length_letters_and_empty(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_false(ident_inn_valid("770708389", &why));
    assert_string_equal(why, "ИНН: должен содержать 10 или 12 цифр");
    assert_false(ident_inn_valid("77070838931", &why));
    assert_false(ident_inn_valid("5001007322590", &why));
    assert_false(ident_inn_valid("77070838A3", &why));
    assert_string_equal(why, "ИНН: допускаются только цифры");
    assert_false(ident_inn_valid(" 7707083893", NULL));
    assert_false(ident_inn_valid("", &why));
    assert_string_equal(why, "ИНН: не указан");
    assert_false(ident_inn_valid(NULL, NULL));
}

static void inn_completion_produces_valid_numbers(void **state)
{
    (void)state;
    char inn10[11], inn12[13];
    assert_int_equal(ident_inn10_complete(inn10, "770708389"), 0);
    assert_string_equal(inn10, "7707083893");
    assert_int_equal(ident_inn12_complete(inn12, "5001007322"), 0);
    assert_string_equal(inn12, "500100732259");
    /* Any digits complete to a valid number. */
    char seed[16];
    for (unsigned i = 0; i < 1000; i++) {
        snprintf(seed, sizeof seed, "%010u", i * 7919u + 123456u);
        assert_int_equal(ident_inn10_complete(inn10, seed), 0);
        assert_true(ident_inn_valid(inn10, NULL));
        assert_int_equal(ident_inn12_complete(inn12, seed), 0);
        assert_true(ident_inn_valid(inn12, NULL));
    }
    assert_int_equal(ident_inn10_complete(inn10, "77070838x"), ERR_INVALID);
}

/* ---- КПП ---- */

static void kpp_accepts_digits_and_uppercase_reason_code(void **state)
{
    (void)state;
    assert_true(ident_kpp_valid("770701001", NULL));
    assert_true(ident_kpp_valid("7707AB001", NULL));
}

static void kpp_rejects_bad_positions_and_length(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_false(ident_kpp_valid("7707ab001", &why)); /* lowercase reason code */
    assert_non_null(why);
    assert_false(ident_kpp_valid("77A701001", NULL)); /* letter in tax office */
    assert_false(ident_kpp_valid("7707010A1", NULL)); /* letter in sequence */
    assert_false(ident_kpp_valid("77070100", &why));
    assert_string_equal(why, "КПП: должен содержать 9 символов");
    assert_false(ident_kpp_valid("7707010011", NULL));
    assert_false(ident_kpp_valid("", NULL));
}

/* ---- ОГРН / ОГРНИП ---- */

static void ogrn_check_digit_rejects_single_digit_change(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_true(ident_ogrn_valid("1027812400868", NULL));
    assert_false(ident_ogrn_valid("1027812400869", &why));
    assert_string_equal(why, "ОГРН: неверная контрольная цифра");
    assert_every_digit_change_rejected(ident_ogrn_valid, "1027812400868");
}

static void ogrn_rejects_wrong_length_and_letters(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_false(ident_ogrn_valid("102781240086", &why));
    assert_string_equal(why, "ОГРН: должен содержать 13 цифр");
    assert_false(ident_ogrn_valid("102781240086O", &why)); /* letter O */
    assert_string_equal(why, "ОГРН: допускаются только цифры");
    assert_false(ident_ogrn_valid("304500116000157", NULL)); /* an ОГРНИП */
}

static void ogrnip_check_digit_rejects_single_digit_change(void **state)
{
    (void)state;
    assert_true(ident_ogrnip_valid("304500116000157", NULL));
    assert_false(ident_ogrnip_valid("304500116000167", NULL));
    assert_every_digit_change_rejected(ident_ogrnip_valid, "304500116000157");
    assert_false(ident_ogrnip_valid("1027812400868", NULL)); /* an ОГРН */
    assert_false(ident_ogrnip_valid("30450011600015a", NULL));
}

static void ogrn_completion_produces_valid_numbers(void **state)
{
    (void)state;
    char ogrn[14], ogrnip[16];
    assert_int_equal(ident_ogrn_complete(ogrn, "102781240086"), 0);
    assert_string_equal(ogrn, "1027812400868");
    assert_int_equal(ident_ogrnip_complete(ogrnip, "30450011600015"), 0);
    assert_string_equal(ogrnip, "304500116000157");
    char seed[24];
    for (unsigned i = 0; i < 1000; i++) {
        snprintf(seed, sizeof seed, "1%011u30", i * 104729u);
        assert_int_equal(ident_ogrn_complete(ogrn, seed), 0);
        assert_true(ident_ogrn_valid(ogrn, NULL));
        assert_int_equal(ident_ogrnip_complete(ogrnip, seed), 0);
        assert_true(ident_ogrnip_valid(ogrnip, NULL));
    }
    assert_int_equal(ident_ogrn_complete(ogrn, "10278124008-"), ERR_INVALID);
}

/* ---- СНИЛС ---- */

static void snils_accepts_formatted_and_digits_only(void **state)
{
    (void)state;
    char d[12];
    assert_true(ident_snils_valid("112-233-445 95", NULL));
    assert_true(ident_snils_valid("11223344595", NULL));
    assert_int_equal(ident_snils_digits(d, "112-233-445 95"), 0);
    assert_string_equal(d, "11223344595");
}

static void snils_checksum_rejects_single_digit_change(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_false(ident_snils_valid("112-233-445 96", &why));
    assert_string_equal(why, "СНИЛС: неверное контрольное число");
    assert_every_digit_change_rejected(ident_snils_valid, "11223344595");
}

static void snils_checksum_not_applied_up_to_001_001_998(void **state)
{
    (void)state;
    assert_true(ident_snils_valid("001-001-998 00", NULL));
    assert_true(ident_snils_valid("00100199877", NULL));
    assert_true(ident_snils_valid("00000000100", NULL));
    /* 001-001-999: sum 1·7 + 1·4 + 9·3 + 9·2 + 9·1 = 65. */
    assert_false(ident_snils_valid("001-001-999 00", NULL));
    assert_true(ident_snils_valid("001-001-999 65", NULL));
}

static void snils_check_number_100_and_101_become_00(void **state)
{
    (void)state;
    char out[12];
    /* 9·9 + 8·2 + 3·1 = 100 → "00". */
    assert_int_equal(ident_snils_complete(out, "900000083"), 0);
    assert_string_equal(out, "90000008300");
    assert_true(ident_snils_valid(out, NULL));
    /* 9·9 + 8·2 + 4·1 = 101 → "00". */
    assert_int_equal(ident_snils_complete(out, "900000084"), 0);
    assert_string_equal(out, "90000008400");
    /* 9·(9+8+7+6+5) = 315 → 315 mod 101 = 12. */
    assert_int_equal(ident_snils_complete(out, "999990000"), 0);
    assert_string_equal(out, "99999000012");
    /* 9·9 + 8·9 + 7·6 + 6·1 = 201 → 201 mod 101 = 100 → "00". */
    assert_int_equal(ident_snils_complete(out, "996100000"), 0);
    assert_string_equal(out, "99610000000");
}

static void snils_rejects_other_formats(void **state)
{
    (void)state;
    char d[12] = "unchanged";
    assert_false(ident_snils_valid("112-233-445-95", NULL));
    assert_false(ident_snils_valid("112 233 445 95", NULL));
    assert_false(ident_snils_valid("1122334459", NULL));
    assert_false(ident_snils_valid("112233445950", NULL));
    assert_false(ident_snils_valid("1122334459a", NULL));
    assert_false(ident_snils_valid("", NULL));
    assert_int_equal(ident_snils_digits(d, "112-233-445 96"), ERR_INVALID);
    assert_string_equal(d, "unchanged");
}

/* ---- БИК and accounts ---- */

static void bik_requires_nine_digits_starting_04(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_true(ident_bik_valid("044525225", NULL));
    assert_false(ident_bik_valid("054525225", &why));
    assert_string_equal(why, "БИК: должен начинаться с 04");
    assert_false(ident_bik_valid("04452522", NULL));
    assert_false(ident_bik_valid("0445252250", NULL));
    assert_false(ident_bik_valid("04452522A", NULL));
}

static void settlement_account_key_accepts_domain_vectors(void **state)
{
    (void)state;
    assert_true(ident_account_valid("40702810900000002851", "044030827", NULL));
    assert_true(ident_account_valid("40702810138250123017", "044525225", NULL));
}

static void settlement_account_key_rejects_single_digit_change(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_false(ident_account_valid("40702810800000002851", "044030827", &why));
    assert_string_equal(why, "Р/с: не соответствует БИК (неверный контрольный ключ)");
    char buf[] = "40702810138250123017";
    for (size_t i = 0; i < 20; i++) {
        for (char c = '0'; c <= '9'; c++) {
            char save = buf[i];
            if (c == save)
                continue;
            buf[i] = c;
            assert_false(ident_account_valid(buf, "044525225", NULL));
            buf[i] = save;
        }
    }
}

static void settlement_account_key_depends_on_bik(void **state)
{
    (void)state;
    /* The same account at another bank (BIC digits 7–9 differ) fails. */
    assert_false(ident_account_valid("40702810138250123017", "044525226", NULL));
}

static void settlement_account_at_rkc_uses_bik_digits_5_6(void **state)
{
    (void)state;
    /* БИК 044525001 is an РКЦ (digits 7–8 "00"): the bank code is "0" + "25",
     * the same as an ordinary bank whose БИК ends in "025". */
    char rkc[21], ordinary[21];
    assert_int_equal(ident_account_complete(rkc, "40702810000000001234", "044525001"), 0);
    assert_int_equal(ident_account_complete(ordinary, "40702810000000001234", "044999025"), 0);
    assert_string_equal(rkc, ordinary);
    /* Key 3 (computed by hand); reading "001" as the bank code would give key 1. */
    assert_string_equal(rkc, "40702810300000001234");
    assert_true(ident_account_valid(rkc, "044525001", NULL));
    /* A bank whose БИК ends in "701" uses bank code "701", which needs another key. */
    assert_false(ident_account_valid(rkc, "044525701", NULL));
}

static void correspondent_account_key_accepts_domain_vector(void **state)
{
    (void)state;
    assert_true(ident_corr_account_valid("30101810400000000225", "044525225", NULL));
    /* The к/с key uses BIC digits 5–6, so the р/с rule rejects it. */
    assert_false(ident_account_valid("30101810400000000225", "044525225", NULL));
}

static void correspondent_account_rejects_digit_change_and_non_301(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_false(ident_corr_account_valid("30101810500000000225", "044525225", &why));
    assert_string_equal(why, "К/с: не соответствует БИК (неверный контрольный ключ)");
    assert_false(ident_corr_account_valid("40702810138250123017", "044525225", &why));
    assert_string_equal(why, "К/с: должен начинаться с 301");
}

static void account_rejects_wrong_length_letters_and_bad_bik(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_false(ident_account_valid("4070281090000000285", "044030827", &why));
    assert_string_equal(why, "Р/с: должен содержать 20 цифр");
    assert_false(ident_account_valid("4070281090000000285X", "044030827", NULL));
    assert_false(ident_account_valid("40702810900000002851", "14403082", &why));
    assert_string_equal(why, "БИК: должен содержать 9 цифр");
    assert_false(ident_account_valid("40702810900000002851", NULL, NULL));
}

static void account_completion_sets_the_domain_key(void **state)
{
    (void)state;
    char acc[21];
    assert_int_equal(ident_account_complete(acc, "40702810000000002851", "044030827"), 0);
    assert_string_equal(acc, "40702810900000002851");
    assert_int_equal(ident_account_complete(acc, "40702810000000002851", "14403082"), ERR_INVALID);
}

/* ---- Other formats ---- */

static void oktmo_accepts_8_or_11_digits_only(void **state)
{
    (void)state;
    assert_true(ident_oktmo_valid("45382000", NULL));
    assert_true(ident_oktmo_valid("45382000001", NULL));
    assert_false(ident_oktmo_valid("4538200", NULL));
    assert_false(ident_oktmo_valid("453820000", NULL));
    assert_false(ident_oktmo_valid("4538200000", NULL));
    assert_false(ident_oktmo_valid("4538200O", NULL));
}

static void els_is_exactly_10_latin_letters_or_digits(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_true(ident_els_valid("75da533315", NULL));
    assert_true(ident_els_valid("75DA533315", NULL));
    assert_false(ident_els_valid("75da53331", &why));
    assert_string_equal(why, "ЕЛС: должен содержать 10 символов");
    assert_false(ident_els_valid("75da5333150", NULL));
    assert_false(ident_els_valid("75da-33315", NULL));
    assert_false(ident_els_valid("75da53331\xd0", NULL)); /* half of a Cyrillic letter */
}

static void fias_guid_is_hyphenated_hex_uuid(void **state)
{
    (void)state;
    assert_true(ident_fias_guid_valid("5ee84ac0-eb9a-4b42-b814-2f5f7c27c255", NULL));
    assert_true(ident_fias_guid_valid("5EE84AC0-EB9A-4B42-B814-2F5F7C27C255", NULL));
    assert_false(ident_fias_guid_valid("5ee84ac0eb9a4b42b8142f5f7c27c255", NULL));
    assert_false(ident_fias_guid_valid("5ee84ac0-eb9a-4b42-b814-2f5f7c27c25g", NULL));
    assert_false(ident_fias_guid_valid("5ee84ac0-eb9a4-b42-b814-2f5f7c27c255", NULL));
    assert_false(ident_fias_guid_valid("{5ee84ac0-eb9a-4b42-b814-2f5f7c27c255}", NULL));
}

static void cadastral_number_matches_pattern_and_length(void **state)
{
    (void)state;
    char long_number[300];
    assert_true(ident_cadastral_valid("77:01:0001001:1024", NULL));
    assert_true(ident_cadastral_valid("66:41:060401:5", NULL));
    assert_false(ident_cadastral_valid("77:01:00010:1024", NULL));    /* quarter of 5 */
    assert_false(ident_cadastral_valid("77:01:00010011:1024", NULL)); /* quarter of 8 */
    assert_false(ident_cadastral_valid("7:01:0001001:1024", NULL));
    assert_false(ident_cadastral_valid("77:01:0001001:", NULL));
    assert_false(ident_cadastral_valid("77:01:0001001", NULL));
    assert_false(ident_cadastral_valid("77:01:0001001:12a", NULL));
    assert_false(ident_cadastral_valid("77-01-0001001-1024", NULL));
    /* 255 characters pass, 256 do not. */
    memcpy(long_number, "77:01:0001001:", 14);
    memset(long_number + 14, '1', 241);
    long_number[255] = '\0';
    assert_true(ident_cadastral_valid(long_number, NULL));
    long_number[255] = '1';
    long_number[256] = '\0';
    assert_false(ident_cadastral_valid(long_number, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(inn10_accepts_domain_vector),
        cmocka_unit_test(inn10_check_digit_rejects_single_digit_change),
        cmocka_unit_test(inn12_accepts_domain_vector),
        cmocka_unit_test(inn12_both_check_digits_reject_single_digit_change),
        cmocka_unit_test(inn_rejects_wrong_length_letters_and_empty),
        cmocka_unit_test(inn_completion_produces_valid_numbers),
        cmocka_unit_test(kpp_accepts_digits_and_uppercase_reason_code),
        cmocka_unit_test(kpp_rejects_bad_positions_and_length),
        cmocka_unit_test(ogrn_check_digit_rejects_single_digit_change),
        cmocka_unit_test(ogrn_rejects_wrong_length_and_letters),
        cmocka_unit_test(ogrnip_check_digit_rejects_single_digit_change),
        cmocka_unit_test(ogrn_completion_produces_valid_numbers),
        cmocka_unit_test(snils_accepts_formatted_and_digits_only),
        cmocka_unit_test(snils_checksum_rejects_single_digit_change),
        cmocka_unit_test(snils_checksum_not_applied_up_to_001_001_998),
        cmocka_unit_test(snils_check_number_100_and_101_become_00),
        cmocka_unit_test(snils_rejects_other_formats),
        cmocka_unit_test(bik_requires_nine_digits_starting_04),
        cmocka_unit_test(settlement_account_key_accepts_domain_vectors),
        cmocka_unit_test(settlement_account_key_rejects_single_digit_change),
        cmocka_unit_test(settlement_account_key_depends_on_bik),
        cmocka_unit_test(settlement_account_at_rkc_uses_bik_digits_5_6),
        cmocka_unit_test(correspondent_account_key_accepts_domain_vector),
        cmocka_unit_test(correspondent_account_rejects_digit_change_and_non_301),
        cmocka_unit_test(account_rejects_wrong_length_letters_and_bad_bik),
        cmocka_unit_test(account_completion_sets_the_domain_key),
        cmocka_unit_test(oktmo_accepts_8_or_11_digits_only),
        cmocka_unit_test(els_is_exactly_10_latin_letters_or_digits),
        cmocka_unit_test(fias_guid_is_hyphenated_hex_uuid),
        cmocka_unit_test(cadastral_number_matches_pattern_and_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
