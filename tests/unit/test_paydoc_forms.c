/* test_paydoc_forms.c — the text and JSON forms of a payment document
 * (docs/paydoc.md "Text form", "JSON form"): lines of at most 80 code
 * points, the five sections, the model's totals in both forms, every key of
 * the JSON contract, the QR payload lines that join back, and the QR module
 * matrix that re-encoding the payload reproduces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/money.h"
#include "base/text.h"
#include "paydoc/paydoc.h"
#include "paydoc_fixture.h"
#include "render/qr.h"

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

/* noinline: GCC 12 at -O2 takes the returned pointer for the local t (-Wdangling-pointer) */
__attribute__((noinline)) static char *text_of(struct arena *a, const struct paydoc *d)
{
    char *t = NULL;
    struct err e = {0};
    if (paydoc_text(d, a, &t, &e))
        fail_msg("text form refused: %s", e.msg);
    assert_true(text_valid(t));
    return t;
}

static json_t *json_of(const struct paydoc *d)
{
    json_t *j = NULL;
    struct err e = {0};
    if (paydoc_json(d, &j, &e))
        fail_msg("JSON form refused: %s", e.msg);
    return j;
}

/* "1 234,56 ₽" as the text form writes money. */
static const char *rub(struct arena *a, int64_t k)
{
    char buf[MONEY_DISPLAY_SIZE];
    assert_int_equal(money_format_display(buf, sizeof buf, k), 0);
    return arena_printf(a, "%s\xc2\xa0₽", buf);
}

static const char *money_s(struct arena *a, int64_t k)
{
    char buf[MONEY_FMT_SIZE];
    assert_int_equal(money_format(buf, sizeof buf, k), 0);
    return arena_strdup(a, buf);
}

static size_t cps(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xc0) != 0x80;
    return k;
}

static void assert_lines_fit(const char *t)
{
    int no = 0;
    for (const char *p = t; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        no++;
        if (cps(p, n) > 80)
            fail_msg("line %d has %zu code points: %.*s", no, cps(p, n), (int)n, p);
        if (n && p[n - 1] == ' ')
            fail_msg("line %d ends in a space: %.*s", no, (int)n, p);
        p += n + (nl != NULL);
    }
}

/* A line of t that starts with `start` (after its indent), or NULL. */
static const char *line_with(const char *t, const char *start)
{
    for (const char *p = t; p && *p;) {
        const char *q = p + strspn(p, " ");
        if (strncmp(q, start, strlen(start)) == 0)
            return p;
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    return NULL;
}

/* The line starting with label ends with the amount, flush right at column
 * 80. */
static void assert_row(struct arena *a, const char *t, const char *label, int64_t amount)
{
    const char *p = line_with(t, label);
    if (!p)
        fail_msg("no line \"%s\"", label);
    const char *nl = strchr(p, '\n');
    size_t n = (size_t)(nl - p);
    const char *want = rub(a, amount);
    size_t w = strlen(want);
    if (n < w || memcmp(p + n - w, want, w) != 0)
        fail_msg("\"%.*s\" does not end with %s", (int)n, p, want);
    assert_int_equal(cps(p, n), 80);
}

/* Issue 7 item 3 (accessibility): no line over 80 columns, counted in code
 * points, even with names, reasons and addresses far longer than a line
 * and a word longer than a line. */
static void text_lines_are_at_most_80_code_points(void **state)
{
    struct arena *a = *state;
    struct paydoc d;
    fixture(&d);
    assert_lines_fit(text_of(a, &d));
    char longname[4096] = "", word[512] = "";
    for (int i = 0; i < 20; i++)
        strcat(longname, "Общество с ограниченной ответственностью ");
    for (int i = 0; i < 130; i++)
        strcat(word, "Ж");
    d.payees[0].name = longname;
    d.payees[1].name = word;
    d.address = longname;
    d.lines[0].service = "Содержание и текущий ремонт общего имущества многоквартирного дома, "
                         "включая управление, уборку лестничных клеток и придомовой территории";
    d.lines[4].explain = longname;
    d.lines[5].explain = word;
    d.payer = "Иванов\nИван\tИванович";
    d.contacts[0].name = longname;
    char *t = text_of(a, &d);
    assert_lines_fit(t);
    assert_null(strchr(t, '\t'));
    assert_non_null(strstr(t, "Плательщик: Иванов Иван Иванович\n"));
    /* the long service still has its amount flush right on its first line */
    assert_row(a, t, "Содержание и текущий ремонт", d.lines[0].amount);
}

/* Приказ Минстроя № 43/пр: the five sections in order, the identifiers. */
static void text_has_the_five_sections_in_order(void **state)
{
    struct arena *a = *state;
    struct paydoc d;
    fixture(&d);
    char *t = text_of(a, &d);
    static const char *const heads[] = {"ПЛАТЁЖНЫЙ ДОКУМЕНТ за октябрь 2026\n",
                                        "\n1. Плательщик и получатели платежа\n",
                                        "\n2. Показания индивидуальных приборов учёта\n",
                                        "\n3. Расчёт платы за октябрь 2026\n",
                                        "\n4. Справочная информация\n",
                                        "\n5. Итого к оплате\n"};
    const char *at = t;
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
        const char *h = strstr(at, heads[i]);
        if (!h)
            fail_msg("no \"%s\" after the previous section", heads[i]);
        at = h + 1;
    }
    assert_non_null(strstr(t, "ЕЛС: 75da533315\n"));
    assert_non_null(strstr(t, "ИПД: 75da533315-01-1026\n"));
    assert_non_null(strstr(t, "Оплатить до: 10.11.2026\n"));
    assert_non_null(strstr(t, "Адрес помещения: г. Энск, ул. Ленина, д. 5, пом. 12\n"));
    assert_non_null(strstr(t, "Р/с " SAMPLE_ACCOUNT "; к/с " SAMPLE_CORR "\n"));
    assert_non_null(strstr(t, "Прибор № ХВ-001, холодная вода\n"));
    assert_non_null(strstr(t, "предыдущее 123,456; текущее 130,000; расход 6,544\n"));
    assert_non_null(strstr(
        t,
        "6,544\xc2\xa0м³ × 45,6712\xc2\xa0₽/м³ — по показаниям прибора "
        "учёта"));
    assert_non_null(strstr(t, "перерасчёт: площадь уточнена по выписке ЕГРН\n"));
    assert_non_null(strstr(t, "Аварийно-диспетчерская служба: АДС ООО «Три кита»\n"));
}

/* Issue 7: the totals equal the billing data — every figure of the model is
 * in the text, flush right in its row. */
static void text_totals_equal_the_model(void **state)
{
    struct arena *a = *state;
    struct paydoc d;
    fixture(&d);
    char *t = text_of(a, &d);
    assert_row(a, t, "Задолженность на начало периода", d.opening);
    assert_row(a, t, "Начислено за период", d.charged);
    assert_row(a, t, "Перерасчёты", d.corrected);
    assert_row(a, t, "Пени  ", d.penalty);
    assert_row(a, t, "Оплачено за период", d.paid);
    assert_row(a, t, "Задолженность на конец периода", d.total);
    assert_row(a, t, "Итого к оплате за октябрь 2026", d.total);
    assert_row(a, t, "Итого по получателю 1", d.payees[0].lines_total);
    assert_row(a, t, "Итого по получателю 2", d.payees[1].lines_total);
    for (int i = 0; i < d.nlines; i++)
        assert_non_null(strstr(t, rub(a, d.lines[i].amount)));
    /* each payee's sum in section 5 */
    const char *s5 = strstr(t, "\n5. Итого к оплате\n");
    assert_non_null(strstr(s5, rub(a, d.payees[0].sum)));
    assert_non_null(strstr(s5, rub(a, d.payees[1].sum)));
    assert_non_null(strstr(t, "3\xe2\x80\xaf"
                              "723,00\xc2\xa0₽")); /* 3 723,00 ₽ */
}

/* An overpaid account: nothing to pay (0,00 ₽), the overpayment said in
 * words, each payee's QR with Sum=0. */
static void text_of_an_overpaid_account_asks_nothing(void **state)
{
    struct arena *a = *state;
    struct paydoc d;
    fixture(&d);
    d.paid = 400000;
    d.total = -22121;
    d.payees[0].sum = 0;
    d.payees[1].sum = 0;
    char *t = text_of(a, &d);
    assert_row(a, t, "Итого к оплате за октябрь 2026", 0);
    assert_row(a, t, "Переплата на конец периода", 22121);
    assert_non_null(strstr(
        t, "Переплата 221,21\xc2\xa0₽ будет учтена в следующих "
           "периодах"));
    assert_non_null(strstr(t, "|Sum=0|"));
}

/* The payload lines of section 5 joined without their newlines are the
 * payload itself (docs/paydoc.md "Text form"). */
static void text_payload_lines_join_back_to_the_payload(void **state)
{
    struct arena *a = *state;
    struct paydoc d;
    fixture(&d);
    d.payer = "Очень-длинная-фамилия-без-пробелов-которую-не-разбить-по-словам-никак-иначе";
    char *t = text_of(a, &d);
    const char *at = t;
    for (int i = 0; i < d.npayees; i++) {
        char *want = NULL;
        struct err e = {0};
        assert_int_equal(paydoc_qr_payload(&d, i, a, &want, &e), 0);
        const char *h = strstr(at, "Строка QR-кода (ГОСТ Р 56042-2014):\n");
        assert_non_null(h);
        const char *p = strchr(h, '\n') + 1;
        char joined[4096] = "";
        while (*p && *p != '\n') {
            const char *nl = strchr(p, '\n');
            strncat(joined, p, (size_t)(nl - p));
            p = nl + 1;
        }
        assert_string_equal(joined, want);
        at = p;
    }
}

/* A payee without bank details gets no QR: the text says why. */
static void text_says_why_a_payee_has_no_qr(void **state)
{
    struct arena *a = *state;
    struct paydoc d;
    fixture(&d);
    d.payees[1].bic = NULL;
    d.payees[1].bank_name = NULL;
    d.payees[1].account = NULL;
    char *t = text_of(a, &d);
    assert_non_null(strstr(t, "Банковские реквизиты не указаны"));
    assert_non_null(strstr(t, "QR-код не сформирован: Получатель платежа № 2: не указан банк"));
    assert_lines_fit(t);
}

/* The keys of an object, exactly these (docs/paydoc.md "JSON form"). */
static void assert_keys(json_t *o, const char *const *keys, const char *what)
{
    assert_true(json_is_object(o));
    size_t n = 0;
    for (; keys[n]; n++)
        if (!json_object_get(o, keys[n]))
            fail_msg("%s: no \"%s\"", what, keys[n]);
    if (json_object_size(o) != n) {
        const char *k;
        json_t *v;
        json_object_foreach(o, k, v)
        {
            size_t i = 0;
            while (keys[i] && strcmp(keys[i], k))
                i++;
            if (!keys[i])
                fail_msg("%s: unexpected \"%s\"", what, k);
        }
    }
}

/* The JSON contract: every key, no other, at every level. */
static void json_has_every_contract_key(void **state)
{
    (void)state;
    struct paydoc d;
    fixture(&d);
    d.payees[1].bic = NULL; /* the second payee: "qr": null and "qr_error" */
    json_t *j = json_of(&d);
    static const char *const top[] = {
        "account_id", "org_id", "els",    "account_number", "ipd",      "period",   "period_name",
        "issued_on",  "due_on", "payer",  "municipality",   "address",  "premises", "area",
        "residents",  "totals", "payees", "lines",          "readings", "contacts", NULL};
    assert_keys(j, top, "document");
    static const char *const totals[] = {"opening", "charged", "corrected", "penalty", "cashback",
                                         "paid",    "total",   "total_due", NULL};
    assert_keys(json_object_get(j, "totals"), totals, "totals");
    static const char *const payee[] = {
        "org_id",       "name",        "inn",     "kpp",       "ogrn", "address",
        "phone",        "email",       "website", "bank_name", "bic",  "account",
        "corr_account", "lines_total", "sum",     "qr",        NULL};
    json_t *payees = json_object_get(j, "payees");
    assert_int_equal(json_array_size(payees), 2);
    assert_keys(json_array_get(payees, 0), payee, "payees[0]");
    static const char *const qr[] = {"payload", "size", "modules", NULL};
    assert_keys(json_object_get(json_array_get(payees, 0), "qr"), qr, "payees[0].qr");
    static const char *const payee_noqr[] = {
        "org_id",       "name",        "inn",     "kpp",       "ogrn",     "address",
        "phone",        "email",       "website", "bank_name", "bic",      "account",
        "corr_account", "lines_total", "sum",     "qr",        "qr_error", NULL};
    json_t *p1 = json_array_get(payees, 1);
    assert_keys(p1, payee_noqr, "payees[1]");
    assert_true(json_is_null(json_object_get(p1, "qr")));
    assert_string_equal(json_string_value(json_object_get(p1, "qr_error")),
                        "Получатель платежа № 2: не указан БИК банка");
    static const char *const line[] = {"kind",   "method",   "payee",       "service",
                                       "unit",   "quantity", "price",       "amount",
                                       "period", "reason",   "explanation", NULL};
    json_t *lines = json_object_get(j, "lines");
    assert_int_equal(json_array_size(lines), (size_t)d.nlines);
    for (size_t i = 0; i < json_array_size(lines); i++)
        assert_keys(json_array_get(lines, i), line, "lines[]");
    static const char *const reading[] = {"serial",  "resource",    "zone", "previous",
                                          "current", "consumption", NULL};
    assert_keys(json_array_get(json_object_get(j, "readings"), 0), reading, "readings[0]");
    static const char *const contact[] = {"role",  "name",    "address", "phone",
                                          "email", "website", NULL};
    assert_keys(json_array_get(json_object_get(j, "contacts"), 0), contact, "contacts[0]");
    json_decref(j);
}

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v))
        fail_msg("\"%s\" is not a string", key);
    return json_string_value(v);
}

/* Issue 7: totals equal the billing data; money as "1234.56", quantities
 * with 3 decimals, prices with 4, area with 2; absent values null;
 * total_due = max(total, 0). */
static void json_values_equal_the_model(void **state)
{
    struct arena *a = *state;
    struct paydoc d;
    fixture(&d);
    json_t *j = json_of(&d);
    json_t *t = json_object_get(j, "totals");
    assert_string_equal(jstr(t, "opening"), money_s(a, d.opening));
    assert_string_equal(jstr(t, "charged"), money_s(a, d.charged));
    assert_string_equal(jstr(t, "corrected"), "-37.72");
    assert_string_equal(jstr(t, "penalty"), money_s(a, d.penalty));
    assert_string_equal(jstr(t, "cashback"), "0.00");
    assert_string_equal(jstr(t, "paid"), money_s(a, d.paid));
    assert_string_equal(jstr(t, "total"), "3723.00");
    assert_string_equal(jstr(t, "total_due"), "3723.00");
    assert_string_equal(jstr(j, "period_name"), "октябрь 2026");
    assert_string_equal(jstr(j, "area"), "54.30");
    assert_int_equal(json_integer_value(json_object_get(j, "residents")), 2);
    json_t *p0 = json_array_get(json_object_get(j, "payees"), 0);
    assert_string_equal(jstr(p0, "lines_total"), "3123.45");
    assert_string_equal(jstr(p0, "sum"), "3180.00");
    assert_true(
        json_is_null(json_object_get(json_array_get(json_object_get(j, "payees"), 1), "address")));
    json_t *lines = json_object_get(j, "lines");
    json_t *meter = json_array_get(lines, 1);
    assert_string_equal(jstr(meter, "kind"), "charge");
    assert_string_equal(jstr(meter, "method"), "meter");
    assert_string_equal(jstr(meter, "quantity"), "6.544");
    assert_string_equal(jstr(meter, "price"), "45.6712");
    assert_string_equal(jstr(meter, "amount"), "298.87");
    assert_string_equal(jstr(meter, "explanation"), "по показаниям прибора учёта");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(lines, 3), "payee")), 1);
    json_t *corr = json_array_get(lines, 4);
    assert_string_equal(jstr(corr, "kind"), "correction");
    assert_true(json_is_null(json_object_get(corr, "method")));
    assert_true(json_is_null(json_object_get(corr, "quantity")));
    assert_string_equal(jstr(corr, "period"), "2026-09");
    assert_string_equal(jstr(corr, "reason"), "площадь уточнена по выписке ЕГРН");
    json_t *pen = json_array_get(lines, 5);
    assert_string_equal(jstr(pen, "kind"), "penalty");
    assert_true(json_is_null(json_object_get(pen, "service")));
    assert_true(json_is_null(json_object_get(pen, "price")));
    json_decref(j);

    /* an overpaid account owes nothing */
    d.total = -500;
    d.payees[0].sum = 0;
    j = json_of(&d);
    t = json_object_get(j, "totals");
    assert_string_equal(jstr(t, "total"), "-5.00");
    assert_string_equal(jstr(t, "total_due"), "0.00");
    json_decref(j);

    /* without an ЕЛС, ИПД and area: null */
    fixture(&d);
    d.els = NULL;
    d.ipd = NULL;
    d.area = 0;
    j = json_of(&d);
    assert_true(json_is_null(json_object_get(j, "els")));
    assert_true(json_is_null(json_object_get(j, "ipd")));
    assert_true(json_is_null(json_object_get(j, "area")));
    json_decref(j);
}

/* The QR module matrix: size rows of size '0'/'1', exactly what encoding
 * the payload again gives (a decoder is not available in C here; the PDF
 * tests decode the printed code with zbarimg). */
static void json_qr_matrix_is_the_payloads_code(void **state)
{
    struct arena *a = *state;
    struct paydoc d;
    fixture(&d);
    json_t *j = json_of(&d);
    json_t *payees = json_object_get(j, "payees");
    for (int i = 0; i < d.npayees; i++) {
        json_t *q = json_object_get(json_array_get(payees, (size_t)i), "qr");
        char *want = NULL;
        struct err e = {0};
        assert_int_equal(paydoc_qr_payload(&d, i, a, &want, &e), 0);
        assert_string_equal(jstr(q, "payload"), want);
        struct qr code;
        const unsigned char *bytes;
        size_t len;
        assert_int_equal(paydoc_qr_bytes(want, a, &bytes, &len, &e), 0);
        assert_int_equal(qr_encode(bytes, len, a, &code, &e), 0);
        int size = (int)json_integer_value(json_object_get(q, "size"));
        assert_int_equal(size, code.size);
        assert_true(size >= 21 && (size - 17) % 4 == 0); /* a QR version's side */
        json_t *rows = json_object_get(q, "modules");
        assert_int_equal(json_array_size(rows), (size_t)size);
        for (int y = 0; y < size; y++) {
            const char *row = json_string_value(json_array_get(rows, (size_t)y));
            assert_non_null(row);
            assert_int_equal(strlen(row), (size_t)size);
            for (int x = 0; x < size; x++) {
                assert_true(row[x] == '0' || row[x] == '1');
                assert_int_equal(row[x] - '0', code.modules[y * size + x]);
            }
        }
        /* the finder pattern's top-left corner: 7 dark modules */
        assert_memory_equal(json_string_value(json_array_get(rows, 0)), "1111111", 7);
    }
    json_decref(j);
}

/* The render manifest hashes the JSON form: the same document gives the
 * same text, key order included. */
static void json_form_is_deterministic(void **state)
{
    (void)state;
    struct paydoc d;
    fixture(&d);
    json_t *a = json_of(&d), *b = json_of(&d);
    char *sa = json_dumps(a, JSON_COMPACT), *sb = json_dumps(b, JSON_COMPACT);
    assert_non_null(sa);
    assert_string_equal(sa, sb);
    assert_true(strncmp(sa, "{\"account_id\":1,\"org_id\":3,\"els\":", 33) == 0);
    free(sa);
    free(sb);
    json_decref(a);
    json_decref(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(text_lines_are_at_most_80_code_points, setup, teardown),
        cmocka_unit_test_setup_teardown(text_has_the_five_sections_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(text_totals_equal_the_model, setup, teardown),
        cmocka_unit_test_setup_teardown(text_of_an_overpaid_account_asks_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(text_payload_lines_join_back_to_the_payload, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(text_says_why_a_payee_has_no_qr, setup, teardown),
        cmocka_unit_test(json_has_every_contract_key),
        cmocka_unit_test_setup_teardown(json_values_equal_the_model, setup, teardown),
        cmocka_unit_test_setup_teardown(json_qr_matrix_is_the_payloads_code, setup, teardown),
        cmocka_unit_test(json_form_is_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
