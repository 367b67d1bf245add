/* test_paydoc_gost.c — the payment QR payload of GOST R 56042-2014
 * (DOMAIN.md §3, docs/paydoc.md "QR payload") and its parser: the
 * standard's sample, the order of the mandatory block, Sum in kopecks, the
 * separator rule (§5.2.1), special characters kept byte for byte, the payee's
 * bank details checked and named by field, totals of zero and below, one
 * payload per payee, the length limits, PaymPeriod as written in the wild. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/date.h"
#include "base/text.h"
#include "paydoc/paydoc.h"
#include "paydoc_fixture.h"

static const char sample[] =
    "ST00012|Name=ООО «Три кита»|PersonalAcc=40702810138250123017|BankName=ОАО \"БАНК\"|"
    "BIC=044525225|CorrespAcc=30101810400000000225|PayeeINN=6200098765|Sum=100000";

static int setup(void **state)
{
    *state = arena_new();
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    arena_free(*state);
    return 0;
}

/* noinline: GCC 12 at -O2 takes the returned pointer for the local out (-Wdangling-pointer) */
__attribute__((noinline)) static char *payload(struct arena *a, const struct paydoc *d, int payee)
{
    char *out = NULL;
    struct err e = {0};
    if (paydoc_qr_payload(d, payee, a, &out, &e))
        fail_msg("payload of payee %d refused: %s: %s", payee, e.field, e.msg);
    return out;
}

/* Parses a payload as a decoder reads it: the bytes of the code (windows-1251
 * for ST00011, paydoc_qr_bytes), not the UTF-8 text the builder returns. */
static struct paydoc_qr parse(struct arena *a, const char *s)
{
    struct paydoc_qr q;
    struct err e = {0};
    const unsigned char *bytes = NULL;
    size_t len = 0;
    if (paydoc_qr_bytes(s, a, &bytes, &len, &e))
        fail_msg("\"%s\" has no bytes: %s", s, e.msg);
    char *raw = arena_strndup(a, (const char *)bytes, len);
    if (!raw || paydoc_qr_parse(raw, a, &q, &e))
        fail_msg("\"%s\" not parsed: %s", s, e.msg);
    return q;
}

/* Parses bytes as they are (a decoder's output, literal test vectors). */
static struct paydoc_qr parse_raw(struct arena *a, const char *s)
{
    struct paydoc_qr q;
    struct err e = {0};
    if (paydoc_qr_parse(s, a, &q, &e))
        fail_msg("\"%s\" not parsed: %s", s, e.msg);
    return q;
}

static void assert_field(const struct paydoc_qr *q, const char *key, const char *value)
{
    const char *v = paydoc_qr_get(q, key);
    if (!v)
        fail_msg("no %s", key);
    assert_string_equal(v, value);
}

/* The error of a payee whose details are broken, with its field. */
static void assert_refused(struct arena *a, const struct paydoc *d, int payee, const char *field)
{
    char *out = NULL;
    struct err e = {0};
    assert_int_equal(paydoc_qr_payload(d, payee, a, &out, &e), ERR_INVALID);
    assert_string_equal(e.field, field);
    assert_true(text_valid(e.msg)); /* a Russian message, whole characters */
    assert_non_null(strstr(e.msg, "Получатель платежа"));
}

/* DOMAIN.md §3: the standard's sample string reads back field by field, and
 * the same details give the same mandatory block byte for byte. */
static void standard_sample_round_trips_through_parse(void **state)
{
    struct arena *a = *state;
    struct paydoc_qr q = parse_raw(a, sample);
    assert_int_equal(q.charset, '2');
    assert_int_equal(q.separator, '|');
    assert_int_equal(q.nfields, 7);
    assert_field(&q, "Name", "ООО «Три кита»");
    assert_field(&q, "PersonalAcc", "40702810138250123017");
    assert_field(&q, "BankName", "ОАО \"БАНК\"");
    assert_field(&q, "BIC", "044525225");
    assert_field(&q, "CorrespAcc", "30101810400000000225");
    assert_field(&q, "PayeeINN", "6200098765");
    assert_field(&q, "Sum", "100000");

    struct paydoc d;
    fixture(&d);
    d.payees[0].sum = 100000;
    char *p = payload(a, &d, 0);
    const char *block = strstr(sample, "|PayeeINN=");
    /* the same fields; the header says windows-1251: every value fits it */
    assert_memory_equal(p, "ST00011", 7);
    assert_memory_equal(p + 7, sample + 7, (size_t)(block - sample) - 7);
    assert_non_null(strstr(p, "|PayeeINN=" SAMPLE_INN "|"));
    struct paydoc_qr back = parse(a, p);
    for (int i = 0; i < 5; i++)
        assert_string_equal(back.fields[i].value, paydoc_qr_get(&q, back.fields[i].key));
}

/* §3: Name, PersonalAcc, BankName, BIC, CorrespAcc first, in this order;
 * then the additional and other fields this project writes. */
static void fields_follow_the_standards_order(void **state)
{
    struct arena *a = *state;
    struct paydoc d;
    fixture(&d);
    struct paydoc_qr q = parse(a, payload(a, &d, 0));
    static const char *const keys[] = {
        "Name", "PersonalAcc", "BankName", "BIC",        "CorrespAcc",   "PayeeINN", "KPP",
        "Sum",  "Purpose",     "PersAcc",  "PaymPeriod", "PayerAddress", "LastName", "TechCode"};
    assert_int_equal(q.nfields, (int)(sizeof keys / sizeof keys[0]));
    for (int i = 0; i < q.nfields; i++)
        assert_string_equal(q.fields[i].key, keys[i]);
    assert_field(&q, "TechCode", "02"); /* коммунальные услуги, ЖКХ */
    assert_field(&q, "PersAcc", "75da533315");
    assert_field(&q, "PaymPeriod", "102026");
    assert_field(&q, "Purpose", "Оплата ЖКУ за октябрь 2026, ЛС 75da533315");
    assert_field(&q, "PayerAddress", "г. Энск, ул. Ленина, д. 5, пом. 12");
    assert_field(&q, "LastName", "Иванов И. И."); /* as given, not split */
    assert_field(&q, "KPP", "770701001");
}

/* §3: Sum is an integer number of kopecks (3 180,00 ₽ → 318000). */
static void sum_is_in_kopecks(void **state)
{
    struct arena *a = *state;
    struct paydoc d;
    fixture(&d);
    d.payees[0].sum = 123456; /* 1 234,56 ₽ */
    struct paydoc_qr q = parse(a, payload(a, &d, 0));
    assert_field(&q, "Sum", "123456");
    int64_t k = 0;
    assert_int_equal(paydoc_qr_sum(paydoc_qr_get(&q, "Sum"), &k), 0);
    assert_int_equal(k, 123456);
    assert_int_equal(paydoc_qr_sum("12.34", &k), ERR_INVALID);
    assert_int_equal(paydoc_qr_sum("1234567890123456789", &k), ERR_INVALID); /* > 18 digits */
    assert_int_equal(paydoc_qr_sum("", &k), ERR_INVALID);
}

/* ГОСТ Р 56042 header: windows-1251 («1») when every value fits it — a
 * Cyrillic letter is a byte, the code smaller — and UTF-8 («2») when one does
 * not; the bytes of the code are in the header's charset either way. */
static void charset_is_windows_1251_unless_a_value_does_not_fit(void **state)
{
    struct arena *a = *state;
    struct paydoc d;
    fixture(&d);
    char *p = payload(a, &d, 0);
    assert_memory_equal(p, "ST00011", 7);
    const unsigned char *bytes = NULL;
    size_t len = 0;
    struct err e = {0};
    assert_int_equal(paydoc_qr_bytes(p, a, &bytes, &len, &e), 0);
    assert_true(len < strlen(p)); /* the Cyrillic letters: one byte each */
    assert_memory_equal(bytes, "ST00011|Name=\xce\xce\xce ", 16); /* «ООО » in windows-1251 */

    d.payees[0].name = "ООО «Łódź»"; /* Ł, ó, ź: no place in windows-1251 */
    p = payload(a, &d, 0);
    assert_memory_equal(p, "ST00012", 7);
    assert_int_equal(paydoc_qr_bytes(p, a, &bytes, &len, &e), 0);
    assert_int_equal(len, strlen(p)); /* UTF-8: the text itself */
    struct paydoc_qr q = parse(a, p);
    assert_field(&q, "Name", "ООО «Łódź»");
}

/* The 300 bytes of the mandatory block hold in the payload's charset when a
 * value outside the block (the payer's name with a Tatar «Ә») makes the
 * whole payload UTF-8: the charset is chosen over every value first. */
static void block_fits_when_another_field_forces_utf8(void **state)
{
    struct arena *a = *state;
    struct paydoc d;
    fixture(&d);
    char name[1024] = "";
    for (int i = 0; i < 160; i++)
        strcat(name, i % 10 == 9 ? " " : "Ж");
    d.payees[0].name = name;
    d.payer = "Гәрәева Әлфия";
    char *p = payload(a, &d, 0);
    assert_memory_equal(p, "ST00012|", 8);
    size_t block = (size_t)(strstr(p, "|PayeeINN=") - (p + strlen("ST00012|")));
    assert_true(block <= PAYDOC_QR_MANDATORY_MAX);
    struct paydoc_qr q = parse(a, p);
    assert_field(&q, "LastName", "Гәрәева Әлфия");
}

/* §5.2.1: a value holding '|' moves the separator to '#', the first of the
 * list no value holds, and the parser takes the separator after the header. */
static void pipe_in_a_value_switches_the_separator(void **state)
{
    struct arena *a = *state;
    struct paydoc d;
    fixture(&d);
    d.payees[0].name = "ООО «Труба|Кран»";
    char *p = payload(a, &d, 0);
    static const char head[] = "ST00011#Name=ООО «Труба|Кран»#PersonalAcc=";
    assert_memory_equal(p, head, sizeof head - 1);
    struct paydoc_qr q = parse(a, p);
    assert_int_equal(q.separator, '#');
    assert_field(&q, "Name", "ООО «Труба|Кран»");
    assert_field(&q, "PersonalAcc", SAMPLE_ACCOUNT);

    d.payer = "Иванов #1"; /* '|' and '#' taken: ';' is next */
    q = parse(a, payload(a, &d, 0));
    assert_int_equal(q.separator, ';');
    assert_field(&q, "LastName", "Иванов #1");
    assert_field(&q, "Name", "ООО «Труба|Кран»");
}

/* §5.2.1: when every character of the list is in some value there is no
 * separator: refused, not written ambiguously. */
static void no_free_separator_is_refused(void **state)
{
    struct arena *a = *state;
    struct paydoc d;
    fixture(&d);
    d.payer = "|#;:^_~{}!$%&()*+,/@";
    char *out = NULL;
    struct err e = {0};
    assert_int_equal(paydoc_qr_payload(&d, 0, a, &out, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "разделител"));
}

/* Issue 7: quotes «», ё and ASCII quotes are written as they are, UTF-8
 * after ST00012, and read back byte for byte. */
static void guillemets_yo_and_quotes_survive_byte_exact(void **state)
{
    struct arena *a = *state;
    struct paydoc d;
    fixture(&d);
    const char *name = "ТСЖ «Ёлочка» \"Север\" — д'Артаньян";
    const char *payer = "Пётр Семёнович Ёжиков";
    d.payees[0].name = name;
    d.payer = payer;
    d.address = "г. Орёл, ул. «Весёлая», д. 1";
    char *p = payload(a, &d, 0);
    assert_non_null(strstr(p, name));
    struct paydoc_qr q = parse(a, p);
    assert_int_equal(q.separator, '|');
    assert_field(&q, "Name", name);
    assert_field(&q, "LastName", payer);
    assert_field(&q, "PayerAddress", "г. Орёл, ул. «Весёлая», д. 1, пом. 12");
}

/* DOMAIN.md §4 checks on the payee's details, each error naming its field
 * of struct paydoc_payee. */
static void broken_bank_details_are_named_by_field(void **state)
{
    struct arena *a = *state;
    struct paydoc d;
    fixture(&d);
    d.payees[1].bank_name = NULL;
    assert_refused(a, &d, 1, "bank_name");
    fixture(&d);
    d.payees[1].bic = "04403082"; /* 8 digits */
    assert_refused(a, &d, 1, "bic");
    fixture(&d);
    d.payees[1].bic = NULL;
    assert_refused(a, &d, 1, "bic");
    fixture(&d);
    d.payees[1].account = "40702810900000002852"; /* control key broken */
    assert_refused(a, &d, 1, "account");
    fixture(&d);
    d.payees[1].account = SAMPLE_ACCOUNT; /* valid at another bank only */
    assert_refused(a, &d, 1, "account");
    fixture(&d);
    d.payees[1].corr_account = "30101810200000000828";
    assert_refused(a, &d, 1, "corr_account");
    fixture(&d);
    d.payees[1].corr_account = ""; /* a commercial bank has one */
    assert_refused(a, &d, 1, "corr_account");
    fixture(&d);
    d.payees[1].inn = "7801001232"; /* check digit */
    assert_refused(a, &d, 1, "inn");
    fixture(&d);
    d.payees[1].inn = NULL;
    assert_refused(a, &d, 1, "inn");
    fixture(&d);
    d.payees[1].kpp = "7801-0100";
    assert_refused(a, &d, 1, "kpp");
    fixture(&d);
    d.payees[0].name = " ";
    assert_refused(a, &d, 0, "name");
    /* the other payee is not affected by its neighbour's broken details */
    fixture(&d);
    d.payees[1].bic = NULL;
    assert_non_null(payload(a, &d, 0));
}

/* §3: CorrespAcc is "0" when there is none — only a subdivision of the Bank
 * of Russia (БИК ending 000) has none; a ИП has no КПП: KPP is left out. */
static void bank_of_russia_has_corresp_acc_0_and_kpp_is_optional(void **state)
{
    struct arena *a = *state;
    struct paydoc d;
    fixture(&d);
    d.payees[1].bic = "044525000";
    d.payees[1].account = "40702810300000001234";
    d.payees[1].corr_account = NULL;
    d.payees[1].kpp = NULL;
    d.payees[1].inn = "500100732259"; /* ИНН-12 of a person (an ИП) */
    struct paydoc_qr q = parse(a, payload(a, &d, 1));
    assert_field(&q, "CorrespAcc", "0");
    assert_null(paydoc_qr_get(&q, "KPP"));
    assert_field(&q, "PayeeINN", "500100732259");
}

/* docs/paydoc.md: nothing due (a total of zero, an overpaid account) is
 * Sum=0, never a negative sum and never a missing field. */
static void zero_and_negative_totals_give_sum_0(void **state)
{
    struct arena *a = *state;
    struct paydoc d;
    fixture(&d);
    d.total = 0;
    d.payees[0].sum = 0;
    struct paydoc_qr q = parse(a, payload(a, &d, 0));
    assert_field(&q, "Sum", "0");
    d.total = -50000;
    d.payees[0].sum = -50000; /* a loader's mistake still writes no minus */
    q = parse(a, payload(a, &d, 0));
    assert_field(&q, "Sum", "0");
}

/* Issue 7: one QR per payee: the second payee's payload carries its own
 * bank details and the sum of its own lines, the same account and period. */
static void second_payee_has_its_own_details_and_sum(void **state)
{
    struct arena *a = *state;
    struct paydoc d;
    fixture(&d);
    struct paydoc_qr q = parse(a, payload(a, &d, 1));
    assert_field(&q, "Name", FUND_NAME);
    assert_field(&q, "PersonalAcc", FUND_ACCOUNT);
    assert_field(&q, "BankName", "ПАО «Банк Санкт-Петербург»");
    assert_field(&q, "BIC", FUND_BIC);
    assert_field(&q, "CorrespAcc", FUND_CORR);
    assert_field(&q, "PayeeINN", FUND_INN);
    assert_field(&q, "Sum", "54300");
    assert_field(&q, "PersAcc", "75da533315");
    assert_field(&q, "PaymPeriod", "102026");
    struct paydoc_qr first = parse(a, payload(a, &d, 0));
    assert_field(&first, "Sum", "318000");
    assert_field(&first, "PersonalAcc", SAMPLE_ACCOUNT);
    char *out;
    struct err e = {0};
    assert_int_equal(paydoc_qr_payload(&d, 2, a, &out, &e), ERR_INVALID); /* no third payee */
}

/* §3: PaymPeriod is generated as MMYYYY; MMYYYY, MM.YYYY and MYYYY are
 * read. */
static void paym_period_formats_are_parsed(void **state)
{
    (void)state;
    int p = 0;
    assert_int_equal(paydoc_qr_period("102026", &p), 0);
    assert_int_equal(p, date_period(2026, 10));
    assert_int_equal(paydoc_qr_period("082026", &p), 0);
    assert_int_equal(p, date_period(2026, 8));
    assert_int_equal(paydoc_qr_period("11.2021", &p), 0);
    assert_int_equal(p, date_period(2021, 11));
    assert_int_equal(paydoc_qr_period("62015", &p), 0);
    assert_int_equal(p, date_period(2015, 6));
    assert_int_equal(paydoc_qr_period("132026", &p), ERR_INVALID);
    assert_int_equal(paydoc_qr_period("002026", &p), ERR_INVALID);
    assert_int_equal(paydoc_qr_period("02026", &p), ERR_INVALID);
    assert_int_equal(paydoc_qr_period("2026-10", &p), ERR_INVALID);
    assert_int_equal(paydoc_qr_period("1.2026", &p), ERR_INVALID);
    assert_int_equal(paydoc_qr_period("", &p), ERR_INVALID);
    assert_int_equal(paydoc_qr_period(NULL, &p), ERR_INVALID);
    assert_int_equal(p, date_period(2015, 6)); /* untouched on error */
}

/* §3: parsers tolerate a trailing separator, match keys case-insensitively
 * (real bills write persAcc, paymPeriod), take the separator after the
 * header, read windows-1251 (ST00011) and KOI8-R (ST00013). */
static void parser_reads_real_world_variants(void **state)
{
    struct arena *a = *state;
    struct paydoc_qr q = parse_raw(a, "ST00012|Name=ТСЖ|persAcc=123|paymPeriod=62015|\n");
    assert_int_equal(q.nfields, 3);
    assert_field(&q, "PersAcc", "123");
    assert_field(&q, "PAYMPERIOD", "62015");
    assert_string_equal(q.fields[1].key, "persAcc"); /* kept as written */

    q = parse_raw(a, "ST00012@Name=a|b@Sum=1@@");
    assert_int_equal(q.separator, '@');
    assert_field(&q, "Name", "a|b");
    assert_field(&q, "Sum", "1");

    q = parse_raw(a, "ST00011|Name=\xce\xce\xce \xab\xd2\xf0\xe8 \xea\xe8\xf2\xe0\xbb|Sum=5");
    assert_int_equal(q.charset, '1');
    assert_field(&q, "Name", "ООО «Три кита»");
    q = parse_raw(a, "ST00013|Name=\xef\xef\xef|Sum=5"); /* KOI8-R "ООО" */
    assert_int_equal(q.charset, '3');
    assert_field(&q, "Name", "ООО");

    q = parse_raw(a, "ST00012|Purpose=a=b");
    assert_field(&q, "Purpose", "a=b"); /* the first '=' ends the key */
    assert_null(paydoc_qr_get(&q, "Name"));
}

static void parser_rejects_what_is_not_a_payload(void **state)
{
    struct arena *a = *state;
    static const char *const bad[] = {
        "",
        "ST00014|Name=x",              /* no such charset */
        "ST0002|Name=x",               /* another version */
        "st00012|Name=x",              /* the header is upper case */
        "ST00012",                     /* no separator */
        "ST00012Name=x",               /* a letter is no separator */
        "ST00012|Name=x|Sum",          /* a pair without '=' */
        "ST00012|=x",                  /* an empty key */
        "ST00012|Name=\xd0\xce|Sum=1", /* not UTF-8 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct paydoc_qr q;
        struct err e = {0};
        if (paydoc_qr_parse(bad[i], a, &q, &e) != ERR_INVALID)
            fail_msg("\"%s\" accepted", bad[i]);
        assert_true(text_valid(e.msg));
    }
}

/* docs/paydoc.md "QR payload": limits count characters; Name, BankName and
 * Purpose are cut at a character boundary, and Name further until the
 * mandatory block is at most 300 bytes (QRCoder's rule). */
static void long_values_are_cut_at_character_boundaries(void **state)
{
    struct arena *a = *state;
    struct paydoc d;
    fixture(&d);
    char name[1024] = "", bank[512] = "", number[1024] = "";
    for (int i = 0; i < 200; i++)
        strcat(name, i % 10 == 9 ? " " : "Ж");
    for (int i = 0; i < 60; i++)
        strcat(bank, "Б");
    for (int i = 0; i < 300; i++)
        strcat(number, "7");
    d.payees[0].name = name;
    d.payees[0].bank_name = bank;
    d.els = NULL;
    d.account_number = number;
    char *p = payload(a, &d, 0);
    assert_true(text_valid(p));
    struct paydoc_qr q = parse(a, p);
    const char *n = paydoc_qr_get(&q, "Name"), *b = paydoc_qr_get(&q, "BankName");
    const char *purpose = paydoc_qr_get(&q, "Purpose");
    assert_int_equal(strlen(b), 2 * PAYDOC_QR_BANK_NAME_MAX); /* 45 letters, 2 bytes each */
    assert_true(strncmp(name, n, strlen(n)) == 0);            /* a prefix of the name */
    /* the block in the code's bytes: windows-1251, a letter a byte */
    const unsigned char *bytes = NULL;
    size_t len = 0;
    struct err be = {0};
    assert_int_equal(paydoc_qr_bytes(p, a, &bytes, &len, &be), 0);
    assert_memory_equal(bytes, "ST00011|", 8);
    const char *raw = arena_strndup(a, (const char *)bytes, len);
    size_t block = (size_t)(strstr(raw, "|PayeeINN=") - (raw + strlen("ST00011|")));
    assert_true(block <= PAYDOC_QR_MANDATORY_MAX);
    assert_true(block > PAYDOC_QR_MANDATORY_MAX - 2); /* cut no more than needed */
    size_t purpose_cps = 0;
    for (const char *c = purpose; *c; c++)
        purpose_cps += ((unsigned char)*c & 0xc0) != 0x80;
    assert_int_equal(purpose_cps, PAYDOC_QR_PURPOSE_MAX);
    assert_field(&q, "PersAcc", number); /* free length: never cut */

    /* Latin letters are one byte: 160 of them pass both limits untouched
     * but for the character limit. */
    fixture(&d);
    char latin[256] = "";
    for (int i = 0; i < 170; i++)
        strcat(latin, "L");
    d.payees[0].name = latin;
    d.payees[0].bank_name = "B";
    q = parse(a, payload(a, &d, 0));
    assert_int_equal(strlen(paydoc_qr_get(&q, "Name")), PAYDOC_QR_NAME_MAX);
}

/* Without an ЕЛС the supplier's own account number is PersAcc; control
 * characters in a value become spaces; a missing payer or address leaves
 * its field out. */
static void persacc_falls_back_and_values_are_cleaned(void **state)
{
    struct arena *a = *state;
    struct paydoc d;
    fixture(&d);
    d.els = NULL;
    d.payer = NULL;
    d.address = "г. Энск,\nул. Мира";
    d.premises = NULL;
    struct paydoc_qr q = parse(a, payload(a, &d, 0));
    assert_field(&q, "PersAcc", "A-001");
    assert_field(&q, "Purpose", "Оплата ЖКУ за октябрь 2026, ЛС A-001");
    assert_field(&q, "PayerAddress", "г. Энск, ул. Мира");
    assert_null(paydoc_qr_get(&q, "LastName"));
    d.address = NULL;
    q = parse(a, payload(a, &d, 0));
    assert_null(paydoc_qr_get(&q, "PayerAddress"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(standard_sample_round_trips_through_parse, setup, teardown),
        cmocka_unit_test_setup_teardown(fields_follow_the_standards_order, setup, teardown),
        cmocka_unit_test_setup_teardown(sum_is_in_kopecks, setup, teardown),
        cmocka_unit_test_setup_teardown(charset_is_windows_1251_unless_a_value_does_not_fit, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(block_fits_when_another_field_forces_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(pipe_in_a_value_switches_the_separator, setup, teardown),
        cmocka_unit_test_setup_teardown(no_free_separator_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(guillemets_yo_and_quotes_survive_byte_exact, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(broken_bank_details_are_named_by_field, setup, teardown),
        cmocka_unit_test_setup_teardown(bank_of_russia_has_corresp_acc_0_and_kpp_is_optional, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(zero_and_negative_totals_give_sum_0, setup, teardown),
        cmocka_unit_test_setup_teardown(second_payee_has_its_own_details_and_sum, setup, teardown),
        cmocka_unit_test(paym_period_formats_are_parsed),
        cmocka_unit_test_setup_teardown(parser_reads_real_world_variants, setup, teardown),
        cmocka_unit_test_setup_teardown(parser_rejects_what_is_not_a_payload, setup, teardown),
        cmocka_unit_test_setup_teardown(long_values_are_cut_at_character_boundaries, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(persacc_falls_back_and_values_are_cleaned, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
