/* test_paydoc_pdf.c — the payment document as a PDF, checked with the real
 * readers a resident's bank app and a reviewer would use:
 *   - pdftotext finds the fields ПП 354 п. 69 requires (payer, address,
 *     area, ЕЛС and ИПД, period, each payee's name and bank details, the
 *     services with volume, tariff and amount, corrections with reasons,
 *     penalties, the total and the due date);
 *   - pdftoppm + zbarimg decode exactly one GOST R 56042 QR code per payee
 *     with bank details, equal to its payload;
 *   - pdffonts shows the one font embedded and subset;
 *   - a single document is at most 40 KB;
 *   - page 1 looks like tests/data/paydoc_reference.png (≤ 0.5 % of the
 *     pixels differ; UPRAVDOM_UPDATE_REFERENCE=1 writes the reference).
 * A test whose reader is not installed is skipped and says so. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "paydoc/paydoc.h"
#include "render/pdf.h"

#define MAX_SINGLE_BYTES (40 * 1024)
#define MAX_DIFF_SHARE 0.005 /* of the pixels of page 1 */

static char workdir[] = "/tmp/test_paydoc_pdf.XXXXXX";

/* ---- the fixture: two payees, a correction, a penalty, cashback ---- */

static struct paydoc_payee fixture_payees[] = {
    {.org_id = 3,
     .name = "ООО «Управляющая компания „Берёзка“ | ЖЭУ-3»",
     .inn = "7707083893",
     .kpp = "770701001",
     .ogrn = "1027700132195",
     .address = "141070, Московская обл., г. Королёв, ул. Циолковского, д. 2А, пом. 5",
     .phone = "+7 495 123-45-67",
     .email = "info@berezka-uk.ru",
     .website = "berezka-uk.ru",
     .bank_name = "ПАО Сбербанк",
     .bic = "044525225",
     .account = "40702810138250123017",
     .corr_account = "30101810400000000225"},
    {.org_id = 7,
     .name = "НО «Фонд капитального ремонта общего имущества многоквартирных домов»",
     .inn = "7701169833",
     .kpp = "770101001",
     .address = "127006, г. Москва, ул. Малая Дмитровка, д. 3/10",
     .phone = "8 800 700-00-00",
     .email = "fkr@example.ru",
     .website = "fkr-mo.ru",
     .bank_name = "ПАО Банк «Санкт-Петербург»",
     .bic = "044030827",
     .account = "40702810900000002851",
     .corr_account = "30101810200000000827"},
};

#define CHARGE(svc_, unit_, method_, qty_, price_, amount_)                                        \
    {                                                                                              \
        .kind = 'C', .method = method_, .payee = 0, .service = svc_, .unit = unit_,                \
        .quantity = qty_, .price = price_, .amount = amount_                                       \
    }

static struct paydoc_line fixture_lines[] = {
    CHARGE("Содержание жилого помещения", "м²", 'A', 54300, 325000, 176475),
    CHARGE("Текущий ремонт общего имущества", "м²", 'A', 54300, 41200, 22372),
    CHARGE("Холодное водоснабжение", "м³", 'M', 6200, 511900, 31738),
    CHARGE("Горячее водоснабжение (теплоноситель)", "м³", 'M', 3100, 511900, 15869),
    CHARGE("Горячее водоснабжение (тепловая энергия)", "Гкал", 'M', 202, 27652500, 55858),
    CHARGE("Водоотведение", "м³", 'M', 9300, 421500, 39200),
    CHARGE("Электроснабжение (день)", "кВт·ч", 'M', 142000, 71800, 101956),
    CHARGE("Электроснабжение (ночь)", "кВт·ч", 'V', 61000, 29500, 17995),
    CHARGE("Отопление", "Гкал", 'A', 1086, 27652500, 300306),
    CHARGE("Обращение с твёрдыми коммунальными отходами", "чел.", 'R', 3000, 1142500, 34275),
    CHARGE("Холодная вода на содержание общего имущества", "м³", 'N', 163, 511900, 834),
    CHARGE("Электроэнергия на содержание общего имущества", "кВт·ч", 'K', 8100, 71800, 5816),
    CHARGE("Запирающее устройство (домофон)", "кв.", 'F', 1000, 650000, 6500),
    {.kind = 'C',
     .method = 'A',
     .payee = 1,
     .service = "Взнос на капитальный ремонт",
     .unit = "м²",
     .quantity = 54300,
     .price = 111200,
     .amount = 60382},
    {.kind = 'R',
     .method = 'M',
     .payee = 0,
     .service = "Холодное водоснабжение",
     .unit = "м³",
     .amount = -12345,
     .period = "2026-09",
     .reason = "показания после поверки прибора учёта (акт № 17 от 12.10.2026)"},
    {.kind = 'P',
     .method = '-',
     .payee = 0,
     .amount = 1234,
     .period = "2026-08",
     .explain = "долг 2 345,67 × 1/300 ставки 16 % × 31 день"},
    {.kind = 'B',
     .method = '-',
     .payee = 0,
     .amount = -5000,
     .period = "2026-10",
     .explain = "2 % платежей через приложение за сентябрь 2026"},
};

static struct paydoc_reading fixture_readings[] = {
    {"ХВ-0412877", "cold_water", "single", "123.400", "129,600", "6.200"},
    {"ГВ-0412878", "hot_water", "single", "87.900", "91.000", "3.100"},
    {"Э-77120455", "electricity", "day", "10412", "10554", "142"},
    {"Э-77120455", "electricity", "night", NULL, "4301", "61"},
};

static struct paydoc_contact fixture_contacts[] = {
    {"manager", "ООО «Управляющая компания „Берёзка“ | ЖЭУ-3»",
     "г. Королёв, ул. Циолковского, д. 2А", "+7 495 123-45-67", "info@berezka-uk.ru",
     "berezka-uk.ru"},
    {"supplier", "АО «Мосэнергосбыт»", NULL, "+7 499 550-95-50", NULL, "mosenergosbyt.ru"},
    {"dispatch", "Аварийно-диспетчерская служба ЖЭУ-3", NULL, "+7 495 765-43-21 (круглосуточно)",
     NULL, NULL},
};

static int64_t sum_lines(const struct paydoc *d, char kind, int payee)
{
    int64_t s = 0;
    for (int i = 0; i < d->nlines; i++)
        if (d->lines[i].kind == kind && (payee < 0 || d->lines[i].payee == payee))
            s += d->lines[i].amount;
    return s;
}

/* The fixture with its sums made consistent. */
static struct paydoc fixture(void)
{
    struct paydoc d = {
        .account_id = 1,
        .org_id = 3,
        .els = "75da533315",
        .account_number = "A-001",
        .ipd = "75da533315-01-1026",
        .period = "2026-10",
        .issued_on = "2026-11-01",
        .due_on = "2026-11-10",
        .payer = "Семёнов Пётр Алексеевич",
        .municipality = "г. о. Королёв",
        .address = "Московская обл., г. Королёв, ул. Строителей, д. 12",
        .premises = "45",
        .area = 5430,
        .residents = 3,
        .opening = 234567,
        .paid = 234567,
        .payees = fixture_payees,
        .npayees = 2,
        .lines = fixture_lines,
        .nlines = (int)(sizeof fixture_lines / sizeof fixture_lines[0]),
        .readings = fixture_readings,
        .nreadings = 4,
        .contacts = fixture_contacts,
        .ncontacts = 3,
    };
    d.charged = sum_lines(&d, 'C', -1);
    d.corrected = sum_lines(&d, 'R', -1);
    d.penalty = sum_lines(&d, 'P', -1);
    d.cashback = sum_lines(&d, 'B', -1);
    d.total = d.opening - d.paid + d.charged + d.corrected + d.penalty + d.cashback;
    fixture_payees[1].lines_total = sum_lines(&d, 'C', 1) + sum_lines(&d, 'R', 1);
    fixture_payees[1].sum = fixture_payees[1].lines_total;
    fixture_payees[0].lines_total = sum_lines(&d, 'C', 0) + sum_lines(&d, 'R', 0);
    fixture_payees[0].sum = d.total - fixture_payees[1].sum;
    return d;
}

/* ---- helpers ---- */

static int have(const char *program)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", program);
    return system(cmd) == 0;
}

#define NEED(program)                                                                              \
    do {                                                                                           \
        if (!have(program)) {                                                                      \
            print_message("SKIPPED: %s is not installed (Debian: poppler-utils, zbar-tools)\n",    \
                          program);                                                                \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

/* Everything the command prints on stdout (stderr dropped: poppler warns
 * about libharu's ToUnicode CMap, docs/paydoc-pdf.md), malloc'ed. */
static char *run(const char *cmd)
{
    char full[1024];
    snprintf(full, sizeof full, "%s 2>/dev/null", cmd);
    FILE *f = popen(full, "r");
    assert_non_null(f);
    size_t cap = 1 << 16, n = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    size_t got;
    while ((got = fread(out + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n < 2) {
            cap *= 2;
            out = realloc(out, cap);
            assert_non_null(out);
        }
    }
    out[n] = '\0';
    pclose(f);
    return out;
}

/* Runs of blanks as one space: pdftotext -layout pads columns. */
static void squeeze(char *s)
{
    char *o = s;
    for (char *i = s; *i; i++) {
        if (*i == ' ' && o > s && o[-1] == ' ')
            continue;
        *o++ = *i;
    }
    *o = '\0';
}

static void assert_has(const char *text, const char *what)
{
    if (!strstr(text, what))
        fail_msg("pdftotext does not show «%s»", what);
}

static char *render_file(const struct paydoc *d, const char *name, int *pages)
{
    struct err e = {0};
    struct pdf_doc *p;
    char *path = malloc(256);
    assert_non_null(path);
    snprintf(path, 256, "%s/%s", workdir, name);
    assert_int_equal(pdf_open(&p, &e), 0);
    int n = 0;
    if (paydoc_pdf_add(p, d, &n, &e) || pdf_save_file(p, path, &e))
        fail_msg("render: %s", e.msg);
    pdf_free(p);
    if (pages)
        *pages = n;
    return path;
}

static char *text_of(const char *path)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "pdftotext -layout '%s' -", path);
    char *t = run(cmd);
    squeeze(t);
    return t;
}

/* ---- ПП 354 п. 69: what the document shows ---- */

static void pdftotext_finds_the_mandatory_fields_and_totals(void **state)
{
    (void)state;
    NEED("pdftotext");
    struct paydoc d = fixture();
    char *path = render_file(&d, "fields.pdf", NULL);
    char *t = text_of(path);
    const char *want[] = {
        "ПЛАТЁЖНЫЙ ДОКУМЕНТ за октябрь 2026 г.",
        "Семёнов Пётр Алексеевич",
        "Московская обл., г. Королёв, ул. Строителей, д. 12, пом. 45",
        "54,30 м²",
        "3 чел.",
        "75da533315",
        "75da533315-01-1026",
        "A-001",
        "01.11.2026",
        /* payees with bank details */
        "Управляющая компания „Берёзка“ | ЖЭУ-3»",
        "ИНН 7707083893",
        "КПП 770701001",
        "40702810138250123017",
        "ПАО Сбербанк",
        "БИК 044525225",
        "30101810400000000225",
        "info@berezka-uk.ru",
        "berezka-uk.ru",
        "+7 495 123-45-67",
        "Фонд капитального ремонта",
        "40702810900000002851",
        "БИК 044030827",
        /* readings */
        "ХВ-0412877",
        "129,600",
        "Электроэнергия (ночь)",
        "начальные",
        /* services: name, unit, volume, tariff, amount */
        "Содержание жилого помещения",
        "54,30",
        "32,50",
        "1 764,75",
        "Обращение с твёрдыми коммунальными отходами",
        "Электроснабжение (день)",
        "кВт·ч",
        "7,18",
        "1 019,56",
        "Взнос на капитальный ремонт",
        "603,82",
        "Начислено по получателю",
        "Всего начислено за расчётный период",
        /* corrections, penalties, cashback */
        "Перерасчёты",
        "за сентябрь 2026: показания после поверки прибора учёта",
        "-123,45",
        "Пени на долг за август 2026",
        "12,34",
        "Кешбэк",
        "-50,00",
        "Способ расчёта: П — по показаниям прибора учёта",
        /* reference */
        "Задолженность на начало периода",
        "2 345,67",
        "Оплачено в расчётном периоде",
        "Аварийно-диспетчерская служба",
        "+7 495 765-43-21",
        "(круглосуточно)",
        /* to pay */
        "Оплатить до 10.11.2026",
        "Сумма к оплате получателю:",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_has(t, want[i]);
    char total[128], payee0[64], payee1[64];
    snprintf(total, sizeof total, "Итого к оплате за октябрь 2026: %s руб.", "8 534,65");
    assert_int_equal(d.total, 853465);
    assert_has(t, total);
    snprintf(payee0, sizeof payee0, "%s руб.", "7 930,83");
    snprintf(payee1, sizeof payee1, "%s руб.", "603,82");
    assert_int_equal(d.payees[0].sum, 793083);
    assert_has(t, payee0);
    assert_has(t, payee1);
    free(t);
    free(path);
}

static void a_zero_total_prints_k_oplate_0_and_an_overpayment_pereplata(void **state)
{
    (void)state;
    NEED("pdftotext");
    struct paydoc d = fixture();
    d.total = 0;
    char *path = render_file(&d, "zero.pdf", NULL);
    char *t = text_of(path);
    assert_has(t, "К оплате: 0,00");
    free(t);
    free(path);
    d.total = -12345;
    d.opening = -300000;
    path = render_file(&d, "overpaid.pdf", NULL);
    t = text_of(path);
    assert_has(t, "Переплата: 123,45 руб.");
    assert_has(t, "Переплата на начало периода");
    free(t);
    free(path);
}

/* ---- GOST R 56042: one QR code per payee ---- */

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* The QR codes in zbarimg's binary output: each starts with the GOST header. */
static int count_codes(const char *s)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, "ST0001")) != NULL; p += 6)
        n++;
    return n;
}

/* The QR codes zbarimg reads on page 1 at 200 dpi, as the bytes they carry
 * (-Sbinary: no guessing of the charset, windows-1251 stays as it is; the
 * codes follow one another without a separator). */
static char *decode_qr(const char *pdf)
{
    char cmd[768];
    snprintf(cmd, sizeof cmd, "pdftoppm -r 200 -png -f 1 -l 1 '%s' '%s.200'", pdf, pdf);
    free(run(cmd));
    snprintf(cmd, sizeof cmd, "zbarimg --raw -q -Sbinary -Sdisable -Sqrcode.enable '%s.200-1.png'",
             pdf);
    return run(cmd);
}

static void zbarimg_decodes_one_qr_per_payee_with_its_payload(void **state)
{
    (void)state;
    NEED("pdftoppm");
    NEED("zbarimg");
    struct paydoc d = fixture();
    char *path = render_file(&d, "qr.pdf", NULL);
    char *got = decode_qr(path);
    assert_int_equal(count_codes(got), d.npayees);
    struct arena *a = arena_new();
    for (int i = 0; i < d.npayees; i++) {
        char *payload;
        struct err e = {0};
        assert_int_equal(paydoc_qr_payload(&d, i, a, &payload, &e), 0);
        assert_true(strncmp(payload, "ST0001", 6) == 0);
        const unsigned char *bytes = NULL;
        size_t len = 0;
        assert_int_equal(paydoc_qr_bytes(payload, a, &bytes, &len, &e), 0);
        char *line = arena_printf(a, "%.*s", (int)len, (const char *)bytes);
        const char *at = strstr(got, line);
        if (!at || (at[len] && strncmp(at + len, "ST0001", 6) != 0))
            fail_msg("payee %d: QR payload not decoded: %s\ngot:\n%s", i, payload, got);
    }
    arena_free(a);
    free(got);
    free(path);
}

static void a_payee_without_bank_details_gets_a_notice_instead_of_a_qr(void **state)
{
    (void)state;
    NEED("pdftotext");
    NEED("pdftoppm");
    NEED("zbarimg");
    struct paydoc d = fixture();
    struct paydoc_payee payees[2];
    memcpy(payees, d.payees, sizeof payees);
    payees[1].bank_name = payees[1].bic = payees[1].account = payees[1].corr_account = NULL;
    d.payees = payees;
    char *path = render_file(&d, "nobank.pdf", NULL);
    char *t = text_of(path);
    assert_has(t, "реквизиты для оплаты не заданы");
    free(t);
    char *got = decode_qr(path);
    assert_int_equal(count_codes(got), 1);
    free(got);
    free(path);
}

/* ---- the file ---- */

static void pdffonts_shows_the_font_embedded_and_subset(void **state)
{
    (void)state;
    NEED("pdffonts");
    struct paydoc d = fixture();
    char *path = render_file(&d, "fonts.pdf", NULL);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "pdffonts '%s'", path);
    char *out = run(cmd);
    squeeze(out);
    if (!strstr(out, "+PTSans-Regular CID TrueType Identity-H yes yes yes"))
        fail_msg("pdffonts:\n%s", out);
    assert_int_equal(count_lines(out), 3); /* two heading lines and the one font */
    free(out);
    free(path);
}

static void a_single_document_is_at_most_40_kb_and_the_same_bytes_every_time(void **state)
{
    (void)state;
    struct paydoc d = fixture();
    struct arena *a = arena_new();
    struct err e = {0};
    unsigned char *one, *two;
    size_t n1, n2;
    assert_int_equal(paydoc_pdf(&d, a, &one, &n1, &e), 0);
    assert_int_equal(paydoc_pdf(&d, a, &two, &n2, &e), 0);
    print_message("single document: %zu bytes\n", n1);
    assert_true(n1 <= MAX_SINGLE_BYTES);
    assert_true(memcmp(one, "%PDF-", 5) == 0);
    assert_int_equal(n1, n2);
    assert_memory_equal(one, two, n1);
    arena_free(a);
}

static void lines_that_do_not_fit_continue_on_a_second_page(void **state)
{
    (void)state;
    NEED("pdftotext");
    struct paydoc d = fixture();
    enum {
        N = 70
    };
    struct paydoc_line lines[N];
    for (int i = 0; i < N; i++) {
        lines[i] = d.lines[i % 13];
        lines[i].service = i == N - 1 ? "Последняя услуга списка" : lines[i].service;
    }
    d.lines = lines;
    d.nlines = N;
    int pages = 0;
    char *path = render_file(&d, "long.pdf", &pages);
    assert_int_equal(pages, 2);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "pdftotext -layout -f 2 -l 2 '%s' -", path);
    char *t = run(cmd);
    squeeze(t);
    assert_has(t, "лист 2");
    assert_has(t, "75da533315-01-1026");
    assert_has(t, "Вид услуги"); /* the table's header again */
    assert_has(t, "Последняя услуга списка");
    assert_has(t, "Сумма к оплате получателю:");
    free(t);
    free(path);
}

/* A batch: many documents in one PDF, their pages counted. */
static void a_print_batch_holds_every_document_page(void **state)
{
    (void)state;
    struct paydoc d = fixture();
    struct pdf_doc *p;
    struct err e = {0};
    assert_int_equal(pdf_open(&p, &e), 0);
    for (int i = 0; i < 5; i++) {
        int pages = 0;
        assert_int_equal(paydoc_pdf_add(p, &d, &pages, &e), 0);
        assert_int_equal(pages, 1);
    }
    assert_int_equal(pdf_page_count(p), 5);
    struct arena *a = arena_new();
    unsigned char *buf;
    size_t len;
    assert_int_equal(pdf_save_mem(p, a, &buf, &len, &e), 0);
    assert_true(len > 1000);
    pdf_free(p);
    arena_free(a);
}

/* A batch given up before it is saved (cancelled, another renderer failed)
 * frees everything: libharu 2.3 releases 1-bit images (the QR codes) only
 * when it writes them, so pdf_free writes them away first. The check is
 * LeakSanitizer's at the end of the test program (make check: ASan). */
static void a_batch_given_up_before_saving_frees_its_qr_codes(void **state)
{
    (void)state;
    struct paydoc d = fixture();
    struct pdf_doc *p;
    struct err e = {0};
    assert_int_equal(pdf_open(&p, &e), 0);
    for (int i = 0; i < 3; i++) {
        int pages = 0;
        assert_int_equal(paydoc_pdf_add(p, &d, &pages, &e), 0);
    }
    pdf_free(p);
}

/* ---- pdf.h: wrapping Cyrillic ---- */

static void wrap_breaks_cyrillic_at_spaces_within_the_width(void **state)
{
    (void)state;
    struct pdf_doc *p;
    struct err e = {0};
    assert_int_equal(pdf_open(&p, &e), 0);
    const char *s = "Обращение с твёрдыми коммунальными отходами «ТКО» — ёмкость 1,1 м³";
    struct pdf_line ln[8];
    int n = pdf_wrap(p, 7.5f, s, 80, ln, 8);
    assert_true(n >= 3 && n <= 8);
    size_t covered = 0;
    for (int i = 0; i < n; i++) {
        assert_true(pdf_text_width_n(p, 7.5f, s + ln[i].start, ln[i].len) <= 80);
        assert_true(ln[i].len > 0);
        assert_true(s[ln[i].start] != ' ');
        /* never inside a UTF-8 sequence */
        assert_true(((unsigned char)s[ln[i].start] & 0xC0) != 0x80);
        covered += ln[i].len;
    }
    assert_true(covered + (size_t)(n - 1) == strlen(s)); /* one space between lines */
    /* A word wider than the line breaks at code points. */
    const char *w = "Электроснабжение";
    n = pdf_wrap(p, 10, w, 30, ln, 8);
    assert_true(n > 1);
    for (int i = 0; i < n && i < 8; i++)
        assert_true(((unsigned char)w[ln[i].start] & 0xC0) != 0x80);
    /* Narrow no-break spaces of money measure as spaces. */
    assert_true(pdf_text_width(p, 8,
                               "1\xe2\x80\xaf"
                               "234,56") == pdf_text_width(p, 8, "1 234,56"));
    assert_true(pdf_text_width(p, 8, "ё") > 0);
    pdf_free(p);
}

/* Text from outside is drawn whatever its bytes: controls and characters
 * past the BMP as one mark each, bytes that are not UTF-8 as '?'. */
static void odd_text_is_drawn_without_an_error(void **state)
{
    (void)state;
    struct pdf_doc *p;
    struct err e = {0};
    assert_int_equal(pdf_open(&p, &e), 0);
    assert_int_equal(pdf_page_add(p, &e), 0);
    const char *odd = "A\x01"
                      "B\xf0\x9f\x98\x80"
                      "C\xff"
                      "D\xe2\x80";
    assert_true(pdf_text_width(p, 10, odd) > pdf_text_width(p, 10, "ABCD"));
    pdf_text(p, 50, 50, 10, PDF_REGULAR, odd);
    pdf_text_right(p, 500, 60, 10, PDF_BOLD, odd);
    struct pdf_line ln[2];
    assert_int_equal(pdf_wrap(p, 10, "", 100, ln, 2), 1);
    assert_int_equal(ln[0].len, 0);
    assert_int_equal(pdf_status(p, &e), 0);
    struct arena *a = arena_new();
    unsigned char *buf;
    size_t len;
    assert_int_equal(pdf_save_mem(p, a, &buf, &len, &e), 0);
    arena_free(a);
    pdf_free(p);
}

/* A file that cannot be written is ERR_IO naming its path. */
static void an_unwritable_path_is_an_io_error_naming_it(void **state)
{
    (void)state;
    struct pdf_doc *p;
    struct err e = {0};
    assert_int_equal(pdf_open(&p, &e), 0);
    assert_int_equal(pdf_page_add(p, &e), 0);
    assert_int_equal(pdf_save_file(p, "/nonexistent-dir/x.pdf", &e), ERR_IO);
    assert_non_null(strstr(e.msg, "/nonexistent-dir/x.pdf"));
    print_message("%s\n", e.msg);
    pdf_free(p);
}

/* ---- what it looks like ---- */

static int read_gray(const char *path, png_image *img, png_bytep *px)
{
    memset(img, 0, sizeof *img);
    img->version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(img, path))
        return -1;
    img->format = PNG_FORMAT_GRAY;
    *px = malloc(PNG_IMAGE_SIZE(*img));
    if (!*px || !png_image_finish_read(img, NULL, *px, 0, NULL)) {
        free(*px);
        return -1;
    }
    return 0;
}

static void page_one_looks_like_the_reference_image(void **state)
{
    (void)state;
    NEED("pdftoppm");
    /* The reference beside this source: tests/data/paydoc_reference.png. */
    char ref[1024];
    snprintf(ref, sizeof ref, "%s", __FILE__);
    char *slash = strrchr(ref, '/');
    snprintf(slash ? slash + 1 : ref, sizeof ref - (size_t)(slash ? slash + 1 - ref : 0),
             "../data/paydoc_reference.png");
    struct paydoc d = fixture();
    char *path = render_file(&d, "visual.pdf", NULL);
    char cwd[512], cmd[4096], out[1024];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(out, sizeof out, "%s/paydoc_page1", cwd);
    snprintf(cmd, sizeof cmd, "pdftoppm -r 100 -png -singlefile -f 1 -l 1 '%s' '%s'", path, out);
    free(run(cmd));
    strcat(out, ".png");
    if (getenv("UPRAVDOM_UPDATE_REFERENCE") &&
        strcmp(getenv("UPRAVDOM_UPDATE_REFERENCE"), "1") == 0) {
        snprintf(cmd, sizeof cmd, "cp '%s' '%s'", out, ref);
        assert_int_equal(system(cmd), 0);
        print_message("reference written: %s\n", ref);
    }
    png_image a, b;
    png_bytep pa = NULL, pb = NULL;
    if (read_gray(ref, &a, &pa))
        fail_msg("cannot read the reference %s (UPRAVDOM_UPDATE_REFERENCE=1 writes it)", ref);
    if (read_gray(out, &b, &pb))
        fail_msg("cannot read the rendered page %s", out);
    if (a.width != b.width || a.height != b.height)
        fail_msg("page 1 is %ux%u, the reference %ux%u; see %s", b.width, b.height, a.width,
                 a.height, out);
    size_t n = (size_t)a.width * a.height, diff = 0;
    for (size_t i = 0; i < n; i++)
        diff += abs((int)pa[i] - (int)pb[i]) > 48;
    double share = (double)diff / (double)n;
    print_message("page 1: %zu of %zu pixels differ from the reference (%.3f %%)\n", diff, n,
                  share * 100);
    free(pa);
    free(pb);
    if (share > MAX_DIFF_SHARE)
        fail_msg("page 1 differs from %s in %.2f %% of its pixels; the new image is %s", ref,
                 share * 100, out);
    unlink(out);
    free(path);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(workdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", workdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pdftotext_finds_the_mandatory_fields_and_totals),
        cmocka_unit_test(a_zero_total_prints_k_oplate_0_and_an_overpayment_pereplata),
        cmocka_unit_test(zbarimg_decodes_one_qr_per_payee_with_its_payload),
        cmocka_unit_test(a_payee_without_bank_details_gets_a_notice_instead_of_a_qr),
        cmocka_unit_test(pdffonts_shows_the_font_embedded_and_subset),
        cmocka_unit_test(a_single_document_is_at_most_40_kb_and_the_same_bytes_every_time),
        cmocka_unit_test(lines_that_do_not_fit_continue_on_a_second_page),
        cmocka_unit_test(a_print_batch_holds_every_document_page),
        cmocka_unit_test(a_batch_given_up_before_saving_frees_its_qr_codes),
        cmocka_unit_test(wrap_breaks_cyrillic_at_spaces_within_the_width),
        cmocka_unit_test(odd_text_is_drawn_without_an_error),
        cmocka_unit_test(an_unwritable_path_is_an_io_error_naming_it),
        cmocka_unit_test(page_one_looks_like_the_reference_image),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
