/* pdf.c — the payment document as a PDF page (paydoc.h), after the model
 * form of Приказ Минстроя России № 43/пр (DOMAIN.md §2.5), in five
 * sections:
 *   1. the payer and the payees (исполнители услуг) with bank details;
 *   2. the meter readings the charges used;
 *   3. the charges: by payee with a subtotal, then corrections with their
 *      reasons, penalties with their periods, cashback; a legend of the
 *      calculation methods used;
 *   4. reference: debt or overpayment at the start, payments, the period's
 *      sums, the contacts of the management organization, suppliers and
 *      the dispatch service;
 *   5. the total due with the due date and one GOST R 56042 QR code per
 *      payee with the sum that payee is to be paid.
 * A4, 10 mm margins, PT Sans 7.5 pt in tables (≥ 7 pt), totals 10–11 pt.
 * What does not fit the page continues on the next one under a header that
 * names the document again. Money is printed the Russian way ("1 234,56");
 * all text stays text (pdftotext reads it back). */
#include "base/money.h"
#include "paydoc/paydoc.h"
#include "render/pdf.h"
#include "render/qr.h"

#include <stdio.h>
#include <string.h>

#define LEFT 28.0f
#define RIGHT 567.0f
#define WIDTH (RIGHT - LEFT)
#define TOP 25.0f
#define BOTTOM 820.0f

#define FS 7.5f        /* body and tables */
#define FS_SMALL 7.0f  /* notes, legends, the table's headings */
#define FS_HEAD 8.0f   /* section headings */
#define FS_TOTAL 10.0f /* sums to pay */
#define FS_TITLE 11.0f
#define LH 9.0f  /* line height at FS */
#define PAD 2.5f /* cell padding */
#define RULE 0.4f
#define FRAME 0.8f
#define QR_MAX 112.0f /* the largest side of a QR code with its quiet zone */

/* What one document's layout carries. */
struct lay {
    struct pdf_doc *pdf;
    const struct paydoc *d;
    struct arena *a;
    float y; /* the top of the free space */
    int pages;
    const char *period_name; /* «октябрь 2026» */
    int table;               /* a table is open: its header goes on a new page */
    unsigned rules;          /* the table's column rules open, bit k: left of column k */
    float rules_from[8];     /* where each starts */
    struct err *e;
    int rc;
};

static const char *const months[] = {"январь",   "февраль", "март",   "апрель",
                                     "май",      "июнь",    "июль",   "август",
                                     "сентябрь", "октябрь", "ноябрь", "декабрь"};

/* «октябрь 2026» of "2026-10" (the text itself when it is not a period). */
static const char *period_text(struct arena *a, const char *period)
{
    int y, m;
    char tail;
    if (!period || sscanf(period, "%4d-%2d%c", &y, &m, &tail) != 2 || m < 1 || m > 12)
        return period ? period : "";
    return arena_printf(a, "%s %d", months[m - 1], y);
}

/* "10.11.2026" of "2026-11-10". */
static const char *date_text(struct arena *a, const char *date)
{
    if (!date || strlen(date) != 10 || date[4] != '-' || date[7] != '-')
        return date ? date : "—";
    return arena_printf(a, "%.2s.%.2s.%.4s", date + 8, date + 5, date);
}

static const char *money(struct arena *a, int64_t kopecks)
{
    char buf[MONEY_DISPLAY_SIZE];
    money_format_display(buf, sizeof buf, kopecks);
    return arena_strdup(a, buf);
}

/* A fixed-point value with `scale` decimals, the Russian way: comma,
 * trailing zeros dropped down to `keep` decimals (none when the fraction
 * is zero): 54300/3 → "54,30", 2000/3 → "2", 456712/4 → "45,6712". */
static const char *decimal(struct arena *a, int64_t v, int scale, int keep)
{
    int64_t div = 1;
    for (int i = 0; i < scale; i++)
        div *= 10;
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint64_t frac = m % (uint64_t)div;
    char f[24];
    snprintf(f, sizeof f, "%0*llu", scale, (unsigned long long)frac);
    int n = scale;
    while (n > keep && f[n - 1] == '0')
        n--;
    if (frac == 0)
        n = 0;
    return arena_printf(a, "%s%llu%s%.*s", v < 0 ? "-" : "",
                        (unsigned long long)(m / (uint64_t)div), n ? "," : "", n, f);
}

static const char *or_dash(const char *s)
{
    return s && *s ? s : "—";
}

/* A reading's decimal text with a comma ("129.600" → "129,600"). */
static const char *comma(struct arena *a, const char *s)
{
    if (!s || !strchr(s, '.'))
        return or_dash(s);
    char *c = arena_strdup(a, s);
    if (c)
        *strchr(c, '.') = ',';
    return c ? c : s;
}

/* ---- calculation methods: the table's short code and the legend ---- */

struct method {
    char code;
    const char *mark, *legend;
};
static const struct method methods[] = {
    {'M', "П", "по показаниям прибора учёта"},
    {'V', "С", "по среднему потреблению"},
    {'N', "Н", "по нормативу"},
    {'K', "НП", "по нормативу с повышающим коэффициентом"},
    {'A', "Пл", "по площади помещения"},
    {'R', "Ж", "по числу проживающих"},
    {'F', "Ф", "фиксированная плата"},
};
#define NMETHODS ((int)(sizeof methods / sizeof methods[0]))

static int method_index(char code)
{
    for (int i = 0; i < NMETHODS; i++)
        if (methods[i].code == code)
            return i;
    return -1;
}

static const char *resource_name(const char *r)
{
    static const char *const names[][2] = {{"cold_water", "Холодная вода"},
                                           {"hot_water", "Горячая вода"},
                                           {"electricity", "Электроэнергия"},
                                           {"heat", "Тепловая энергия"},
                                           {"gas", "Газ"}};
    for (size_t i = 0; r && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(r, names[i][0]) == 0)
            return names[i][1];
    return or_dash(r);
}

static const char *zone_name(const char *z)
{
    if (z && strcmp(z, "day") == 0)
        return "день";
    if (z && strcmp(z, "night") == 0)
        return "ночь";
    return "";
}

/* ---- pages ---- */

static void table_header(struct lay *l);
static void rules(struct lay *l, unsigned keep, float at);

static void new_page(struct lay *l)
{
    if (l->rc)
        return;
    if (l->table)
        rules(l, 0, l->y);
    if ((l->rc = pdf_page_add(l->pdf, l->e)))
        return;
    l->pages++;
    l->y = TOP;
    if (l->pages == 1)
        return;
    const struct paydoc *d = l->d;
    char *head = arena_printf(l->a, "Платёжный документ за %s, ИПД %s, лицевой счёт %s",
                              l->period_name, or_dash(d->ipd), or_dash(d->account_number));
    pdf_text(l->pdf, LEFT, l->y + 8, FS, PDF_REGULAR, head);
    pdf_text_right(l->pdf, RIGHT, l->y + 8, FS, PDF_REGULAR,
                   arena_printf(l->a, "лист %d", l->pages));
    pdf_line(l->pdf, LEFT, l->y + 11, RIGHT, l->y + 11, RULE);
    l->y += 16;
    if (l->table)
        table_header(l);
}

/* Room for h points, on a new page if this one has not got it. */
static void need(struct lay *l, float h)
{
    if (l->y + h > BOTTOM)
        new_page(l);
}

/* A section heading on a gray band, with an optional note at its right;
 * `keep` is the height of what must follow it on the same page. */
static void section(struct lay *l, const char *title, const char *note, float keep)
{
    l->y += 3;
    need(l, 12 + keep);
    pdf_fill(l->pdf, LEFT, l->y, WIDTH, 10.5f, 0.85f);
    pdf_text(l->pdf, LEFT + PAD, l->y + 7.8f, FS_HEAD, PDF_BOLD, title);
    if (note)
        pdf_text_right(l->pdf, RIGHT - PAD, l->y + 7.5f, FS_SMALL, PDF_REGULAR, note);
    l->y += 12.5f;
}

/* Draws text wrapped into width at x from the baseline y, at most max
 * lines; returns the lines drawn. */
static int para(struct lay *l, float x, float y, float width, float size, enum pdf_face f,
                const char *s, int max)
{
    struct pdf_line lines[16];
    if (max > 16)
        max = 16;
    int n = pdf_wrap(l->pdf, size, s, width, lines, max);
    if (n > max)
        n = max;
    for (int i = 0; i < n; i++)
        pdf_text_n(l->pdf, x, y + (float)i * (size + 1.5f), size, f, s + lines[i].start,
                   lines[i].len);
    return n;
}

static int lines_of(struct lay *l, float size, const char *s, float width, int max)
{
    struct pdf_line one[1];
    int n = pdf_wrap(l->pdf, size, s, width, one, 0);
    return n < max ? n : max;
}

/* "Label: value" with the label bold, the value after it and wrapped to
 * the whole width below; returns the height used. */
static float labelled(struct lay *l, float x, float y, float width, const char *label,
                      const char *value, int max)
{
    const float lh = LH;
    char *t = arena_printf(l->a, "%s: ", label);
    float lw = pdf_text_width(l->pdf, FS, t);
    pdf_text(l->pdf, x, y, FS, PDF_BOLD, t);
    value = or_dash(value);
    struct pdf_line first[1];
    int n = pdf_wrap(l->pdf, FS, value, width - lw, first, 1);
    pdf_text_n(l->pdf, x + lw, y, FS, PDF_REGULAR, value + first[0].start, first[0].len);
    if (n == 1 || max == 1)
        return lh;
    const char *rest = value + first[0].start + first[0].len;
    while (*rest == ' ')
        rest++;
    return lh + (float)para(l, x, y + lh, width, FS, PDF_REGULAR, rest, max - 1) * lh;
}

/* ---- header ---- */

static void header(struct lay *l)
{
    const struct paydoc *d = l->d;
    pdf_text(l->pdf, LEFT, l->y + 10, FS_TITLE, PDF_BOLD,
             arena_printf(l->a, "ПЛАТЁЖНЫЙ ДОКУМЕНТ за %s г.", l->period_name));
    pdf_text(l->pdf, LEFT, l->y + 20, FS_SMALL, PDF_REGULAR,
             "для внесения платы за жилое помещение и коммунальные услуги "
             "(форма по приказу Минстроя России от 26.01.2018 № 43/пр)");
    pdf_text_right(l->pdf, RIGHT, l->y + 10, 9, PDF_BOLD,
                   arena_printf(l->a, "ИПД %s", or_dash(d->ipd)));
    pdf_text_right(l->pdf, RIGHT, l->y + 20, FS, PDF_REGULAR,
                   arena_printf(l->a, "ЕЛС %s", or_dash(d->els)));
    l->y += 24;
    pdf_line(l->pdf, LEFT, l->y, RIGHT, l->y, FRAME);
}

/* ---- 1. payer and payees ---- */

/* A payee's box; draw == 0 only measures. Returns its height. */
static float payee_box(struct lay *l, const struct paydoc_payee *p, float x, float y, float w,
                       int draw)
{
    const float lh = LH;
    float iw = w - 2 * PAD;
    char *lines[6];
    int n = 0;
    lines[n++] = arena_printf(l->a, "ИНН %s   КПП %s%s%s", or_dash(p->inn), or_dash(p->kpp),
                              p->ogrn ? "   ОГРН " : "", p->ogrn ? p->ogrn : "");
    if (p->account)
        lines[n++] = arena_printf(l->a, "Р/с %s в %s", p->account, or_dash(p->bank_name));
    else
        lines[n++] = "Р/с —";
    lines[n++] = arena_printf(l->a, "БИК %s   К/с %s", or_dash(p->bic), or_dash(p->corr_account));
    lines[n++] = arena_printf(l->a, "Адрес: %s", or_dash(p->address));
    lines[n++] = arena_printf(l->a, "Тел.: %s   E-mail: %s   Сайт: %s", or_dash(p->phone),
                              or_dash(p->email), or_dash(p->website));
    float ty = y + 8.5f;
    if (draw)
        ty += (float)para(l, x + PAD, ty, iw, FS, PDF_BOLD, or_dash(p->name), 2) * lh;
    else
        ty += (float)lines_of(l, FS, or_dash(p->name), iw, 2) * lh;
    for (int i = 0; i < n; i++)
        ty += (float)(draw ? para(l, x + PAD, ty, iw, FS, PDF_REGULAR, lines[i], 2)
                           : lines_of(l, FS, lines[i], iw, 2)) *
              lh;
    return ty - y - lh + 4.5f;
}

static float payee_height(struct lay *l, const struct paydoc_payee *p, float w)
{
    return payee_box(l, p, 0, 0, w, 0);
}

static void part1(struct lay *l)
{
    const struct paydoc *d = l->d;
    section(l, "1. Сведения о плательщике и исполнителях услуг", NULL, 60);
    float col = WIDTH / 2, x2 = LEFT + col + 6, w1 = col - 6, w2 = RIGHT - x2;
    float y1 = l->y + 7, y2 = l->y + 7;
    const char *addr = d->premises
                           ? arena_printf(l->a, "%s, пом. %s", or_dash(d->address), d->premises)
                           : or_dash(d->address);
    y1 += labelled(l, LEFT, y1, w1, "Плательщик", d->payer, 2);
    y1 += labelled(l, LEFT, y1, w1, "Адрес помещения", addr, 3);
    char *area = d->area ? arena_printf(l->a, "%s м²", decimal(l->a, d->area, 2, 2)) : NULL;
    y1 += labelled(l, LEFT, y1, w1, "Общая площадь", area, 1);
    y1 += labelled(l, LEFT, y1, w1, "Проживает (зарегистрировано)",
                   arena_printf(l->a, "%lld чел.", (long long)d->residents), 1);
    y2 += labelled(l, x2, y2, w2, "Единый лицевой счёт (ЕЛС)", d->els, 1);
    y2 += labelled(l, x2, y2, w2, "Лицевой счёт", d->account_number, 1);
    y2 += labelled(l, x2, y2, w2, "Идентификатор платёжного документа", d->ipd, 1);
    y2 += labelled(l, x2, y2, w2, "Расчётный период", l->period_name, 1);
    y2 += labelled(l, x2, y2, w2, "Дата выставления",
                   arena_printf(l->a, "%s   Оплатить до: %s", date_text(l->a, d->issued_on),
                                date_text(l->a, d->due_on)),
                   1);
    l->y = (y1 > y2 ? y1 : y2) - 5;

    /* The payees, two boxes a row. */
    l->y += 3;
    pdf_text(l->pdf, LEFT, l->y + 7, FS, PDF_BOLD, "Исполнители услуг (получатели платежа):");
    l->y += 10;
    int per_row = d->npayees > 1 ? 2 : 1;
    float bw = (WIDTH - (float)(per_row - 1) * 6) / (float)per_row;
    for (int i = 0; i < d->npayees; i += per_row) {
        float h = 0;
        for (int k = i; k < i + per_row && k < d->npayees; k++) {
            float hk = payee_height(l, &d->payees[k], bw);
            if (hk > h)
                h = hk;
        }
        need(l, h);
        for (int k = i; k < i + per_row && k < d->npayees; k++) {
            float x = LEFT + (float)(k - i) * (bw + 6);
            pdf_rect(l->pdf, x, l->y, bw, h, RULE);
            payee_box(l, &d->payees[k], x, l->y, bw, 1);
        }
        l->y += h + 4;
    }
}

/* ---- tables ---- */

enum {
    C_SERVICE,
    C_METHOD,
    C_UNIT,
    C_QTY,
    C_PRICE,
    C_AMOUNT,
    NCOL
};
_Static_assert(NCOL + 1 <= 8, "struct lay holds 8 column rules");
static const float col_w[NCOL] = {223, 40, 50, 66, 70, 90}; /* 539 */

static float col_x(int c)
{
    float x = LEFT;
    for (int i = 0; i < c; i++)
        x += col_w[i];
    return x;
}

enum align {
    A_LEFT,
    A_RIGHT,
    A_CENTER
};

struct cell {
    int from, to; /* columns spanned */
    const char *text;
    enum align align;
    enum pdf_face face;
    float size;
};

/* One table row of cells (at most 3 lines each), fill gray (1: none). */
static void row(struct lay *l, const struct cell *c, int n, float fill)
{
    int nl[NCOL] = {0}, most = 1;
    for (int i = 0; i < n; i++) {
        float w = col_x(c[i].to + 1) - col_x(c[i].from) - 2 * PAD;
        nl[i] = c[i].text ? lines_of(l, c[i].size, c[i].text, w, 3) : 1;
        if (nl[i] > most)
            most = nl[i];
    }
    float h = (float)most * LH + 2;
    need(l, h);
    float top = l->y;
    if (fill < 1)
        pdf_fill(l->pdf, LEFT, top, WIDTH, h, fill);
    unsigned edges = 1u | 1u << NCOL;
    for (int i = 0; i < n; i++) {
        float x0 = col_x(c[i].from), x1 = col_x(c[i].to + 1), base = top + 8.0f;
        edges |= 1u << c[i].from;
        if (!c[i].text)
            continue;
        if (c[i].align == A_LEFT || nl[i] > 1)
            para(l, x0 + PAD, base, x1 - x0 - 2 * PAD, c[i].size, c[i].face, c[i].text, 3);
        else if (c[i].align == A_RIGHT)
            pdf_text_right(l->pdf, x1 - PAD, base, c[i].size, c[i].face, c[i].text);
        else
            pdf_text(l->pdf, (x0 + x1 - pdf_text_width(l->pdf, c[i].size, c[i].text)) / 2, base,
                     c[i].size, c[i].face, c[i].text);
    }
    rules(l, edges, top);
    pdf_line(l->pdf, LEFT, top + h, RIGHT, top + h, RULE);
    l->y += h;
}

/* The column rules: the ones in keep go on (or start at `at`), the others
 * are drawn down to `at`: one line for a whole run of rows. */
static void rules(struct lay *l, unsigned keep, float at)
{
    for (int k = 0; k <= NCOL; k++) {
        unsigned bit = 1u << k;
        if ((l->rules & bit) && !(keep & bit)) {
            pdf_line(l->pdf, col_x(k), l->rules_from[k], col_x(k), at, RULE);
            l->rules &= ~bit;
        } else if (!(l->rules & bit) && (keep & bit)) {
            l->rules |= bit;
            l->rules_from[k] = at;
        }
    }
}

static void table_header(struct lay *l)
{
    static const char *const heads[NCOL] = {"Вид услуги",  "Способ расчёта",
                                            "Ед. изм.",    "Объём (количество)",
                                            "Тариф, руб.", "Начислено, руб."};
    float top = l->y, h = 2 * (FS_SMALL + 1.5f) + 4;
    pdf_fill(l->pdf, LEFT, top, WIDTH, h, 0.9f);
    for (int c = 0; c < NCOL; c++) {
        float x0 = col_x(c), x1 = col_x(c + 1);
        struct pdf_line ln[2];
        int n = pdf_wrap(l->pdf, FS_SMALL, heads[c], x1 - x0 - 2 * PAD, ln, 2);
        n = n > 2 ? 2 : n;
        for (int i = 0; i < n; i++) {
            float w = pdf_text_width_n(l->pdf, FS_SMALL, heads[c] + ln[i].start, ln[i].len);
            pdf_text_n(l->pdf, (x0 + x1 - w) / 2,
                       top + 7.5f + (float)i * (FS_SMALL + 1.5f) + (n == 1 ? 4 : 0), FS_SMALL,
                       PDF_BOLD, heads[c] + ln[i].start, ln[i].len);
        }
        pdf_line(l->pdf, x0, top, x0, top + h, RULE);
    }
    pdf_rect(l->pdf, LEFT, top, WIDTH, h, RULE);
    l->y += h;
}

/* A row spanning the table but its last column: a group's title or a
 * subtotal. */
static void span_row(struct lay *l, const char *text, const char *amount, enum pdf_face f,
                     float fill)
{
    struct cell c[2] = {{C_SERVICE, C_PRICE, text, A_LEFT, f, FS},
                        {C_AMOUNT, C_AMOUNT, amount, A_RIGHT, f, FS}};
    row(l, c, 2, fill);
}

/* ---- 2. readings ---- */

static void part2(struct lay *l)
{
    const struct paydoc *d = l->d;
    section(l, "2. Показания индивидуальных (квартирных) приборов учёта", NULL, 24);
    if (d->nreadings == 0) {
        pdf_text(l->pdf, LEFT + PAD, l->y + 7, FS, PDF_REGULAR,
                 "Показания приборов учёта в расчёте не использовались.");
        l->y += 10;
        return;
    }
    /* Columns: serial, resource, previous, current, consumption. */
    static const float w[5] = {140, 139, 85, 85, 90};
    static const char *const heads[5] = {"Заводской номер прибора", "Ресурс (зона)",
                                         "Предыдущие показания", "Текущие показания", "Расход"};
    float x[6] = {LEFT};
    for (int i = 0; i < 5; i++)
        x[i + 1] = x[i] + w[i];
    need(l, 2 * 11);
    float top = l->y, h = 11;
    pdf_fill(l->pdf, LEFT, top, WIDTH, h, 0.9f);
    for (int i = 0; i < 5; i++)
        pdf_text(l->pdf, (x[i] + x[i + 1] - pdf_text_width(l->pdf, FS_SMALL, heads[i])) / 2,
                 top + 8, FS_SMALL, PDF_BOLD, heads[i]);
    for (int i = 0; i <= 5; i++)
        pdf_line(l->pdf, x[i], top, x[i], top + h, RULE);
    pdf_line(l->pdf, LEFT, top, RIGHT, top, RULE);
    l->y += h;
    for (int r = 0; r < d->nreadings; r++) {
        const struct paydoc_reading *g = &d->readings[r];
        need(l, 10);
        float b = l->y + 7.5f;
        const char *zone = zone_name(g->zone);
        pdf_text(l->pdf, x[0] + PAD, b, FS, PDF_REGULAR, or_dash(g->serial));
        pdf_text(l->pdf, x[1] + PAD, b, FS, PDF_REGULAR,
                 *zone ? arena_printf(l->a, "%s (%s)", resource_name(g->resource), zone)
                       : resource_name(g->resource));
        pdf_text_right(l->pdf, x[3] - PAD, b, FS, PDF_REGULAR,
                       g->previous ? comma(l->a, g->previous) : "начальные");
        pdf_text_right(l->pdf, x[4] - PAD, b, FS, PDF_REGULAR, comma(l->a, g->current));
        pdf_text_right(l->pdf, x[5] - PAD, b, FS, PDF_REGULAR, comma(l->a, g->consumption));
        for (int i = 0; i <= 5; i++)
            pdf_line(l->pdf, x[i], l->y, x[i], l->y + 10, RULE);
        l->y += 10;
        pdf_line(l->pdf, LEFT, l->y, RIGHT, l->y, RULE);
    }
}

/* ---- 3. charges ---- */

static void charge_row(struct lay *l, const struct paydoc_line *ln, unsigned *used)
{
    int m = method_index(ln->method);
    if (m >= 0)
        *used |= 1u << m;
    struct cell c[NCOL] = {
        {C_SERVICE, C_SERVICE, or_dash(ln->service), A_LEFT, PDF_REGULAR, FS},
        {C_METHOD, C_METHOD, m >= 0 ? methods[m].mark : "", A_CENTER, PDF_REGULAR, FS},
        {C_UNIT, C_UNIT, ln->unit ? ln->unit : "", A_CENTER, PDF_REGULAR, FS},
        {C_QTY, C_QTY, ln->quantity ? decimal(l->a, ln->quantity, 3, 2) : "", A_RIGHT, PDF_REGULAR,
         FS},
        {C_PRICE, C_PRICE, ln->price ? decimal(l->a, ln->price, 4, 2) : "", A_RIGHT, PDF_REGULAR,
         FS},
        {C_AMOUNT, C_AMOUNT, money(l->a, ln->amount), A_RIGHT, PDF_REGULAR, FS},
    };
    row(l, c, NCOL, 1);
}

/* A correction, penalty or cashback row: what, then why, then the sum. */
static void note_row(struct lay *l, const char *what, const char *why, int64_t amount)
{
    struct cell c[3] = {{C_SERVICE, C_SERVICE, what, A_LEFT, PDF_REGULAR, FS},
                        {C_METHOD, C_PRICE, why, A_LEFT, PDF_REGULAR, FS_SMALL},
                        {C_AMOUNT, C_AMOUNT, money(l->a, amount), A_RIGHT, PDF_REGULAR, FS}};
    row(l, c, 3, 1);
}

static void part3(struct lay *l)
{
    const struct paydoc *d = l->d;
    section(l, "3. Расчёт размера платы за жилое помещение и коммунальные услуги", NULL, 60);
    table_header(l);
    l->table = 1;
    unsigned used = 0;
    int64_t charged = 0;
    for (int p = 0; p < d->npayees; p++) {
        int64_t sub = 0;
        int any = 0;
        for (int i = 0; i < d->nlines; i++) {
            const struct paydoc_line *ln = &d->lines[i];
            if (ln->kind != 'C' || ln->payee != p)
                continue;
            if (!any && d->npayees > 1)
                span_row(l, arena_printf(l->a, "Получатель: %s", or_dash(d->payees[p].name)), NULL,
                         PDF_BOLD, 0.96f);
            any = 1;
            charge_row(l, ln, &used);
            sub += ln->amount;
        }
        if (any && d->npayees > 1)
            span_row(l, "Начислено по получателю", money(l->a, sub), PDF_BOLD, 1);
        charged += sub;
    }
    span_row(l, "Всего начислено за расчётный период", money(l->a, charged), PDF_BOLD, 0.96f);

    static const char kinds[] = {'R', 'P', 'B'};
    static const char *const titles[] = {"Перерасчёты", "Пени", "Кешбэк (возврат части платежей)"};
    for (int k = 0; k < 3; k++) {
        int any = 0;
        for (int i = 0; i < d->nlines; i++) {
            const struct paydoc_line *ln = &d->lines[i];
            if (ln->kind != kinds[k])
                continue;
            if (!any)
                span_row(l, titles[k], NULL, PDF_BOLD, 0.96f);
            any = 1;
            const char *pt = ln->period ? period_text(l->a, ln->period) : NULL;
            if (ln->kind == 'R')
                note_row(l, or_dash(ln->service),
                         arena_printf(l->a, "за %s: %s", pt ? pt : "—", or_dash(ln->reason)),
                         ln->amount);
            else if (ln->kind == 'P')
                note_row(l, arena_printf(l->a, "Пени на долг за %s", pt ? pt : "—"),
                         ln->explain ? ln->explain : "", ln->amount);
            else
                note_row(l, "Кешбэк", ln->explain ? ln->explain : "", ln->amount);
        }
    }
    rules(l, 0, l->y);
    l->table = 0;

    if (used) {
        char *legend = arena_strdup(l->a, "Способ расчёта:");
        for (int m = 0; legend && m < NMETHODS; m++)
            if (used & 1u << m)
                legend =
                    arena_printf(l->a, "%s %s — %s;", legend, methods[m].mark, methods[m].legend);
        if (!legend) {
            l->rc = err_set(l->e, ERR_NOMEM, "нет памяти");
            return;
        }
        legend[strlen(legend) - 1] = '.';
        int n = lines_of(l, FS_SMALL, legend, WIDTH, 3);
        need(l, (float)n * (FS_SMALL + 1.5f) + 3);
        l->y += (float)para(l, LEFT, l->y + 8, WIDTH, FS_SMALL, PDF_REGULAR, legend, 3) *
                    (FS_SMALL + 1.5f) +
                2;
    }
}

/* ---- 4. reference ---- */

static const char *role_name(const char *role)
{
    if (role && strcmp(role, "manager") == 0)
        return "Управляющая организация";
    if (role && strcmp(role, "supplier") == 0)
        return "Поставщик услуг";
    if (role && strcmp(role, "dispatch") == 0)
        return "Аварийно-диспетчерская служба";
    return or_dash(role);
}

/* A contact's line: name, address, phone, e-mail, website. */
static const char *contact_text(struct lay *l, const struct paydoc_contact *c)
{
    char *text = arena_printf(l->a, "%s", or_dash(c->name));
    if (text && c->address)
        text = arena_printf(l->a, "%s, %s", text, c->address);
    if (text && c->phone)
        text = arena_printf(l->a, "%s, тел. %s", text, c->phone);
    if (text && c->email)
        text = arena_printf(l->a, "%s, %s", text, c->email);
    if (text && c->website)
        text = arena_printf(l->a, "%s, %s", text, c->website);
    return text ? text : or_dash(c->name);
}

#define SUMS_COL 175.0f /* the sums' column: labels left of it, amounts right-aligned on it */
#define CONTACT_LINES 3 /* lines of one contact at most */

static void part4(struct lay *l)
{
    const struct paydoc *d = l->d;
    struct {
        const char *label;
        int64_t v;
    } sums[] = {
        {d->opening >= 0 ? "Задолженность на начало периода" : "Переплата на начало периода",
         money_abs(d->opening)},
        {"Оплачено в расчётном периоде", d->paid},
        {"Начислено за период", d->charged},
        {"Перерасчёты", d->corrected},
        {"Пени", d->penalty},
        {"Кешбэк", d->cashback},
    };
    const int nsums = (int)(sizeof sums / sizeof sums[0]);
    /* The contacts right of the sums: both columns measured first, so the
     * section is kept on one page (the dispatch phone is mandatory). */
    float x2 = LEFT + SUMS_COL + 14, w2 = RIGHT - x2, h2 = 0;
    const char **texts = arena_alloc(l->a, sizeof *texts * (size_t)(d->ncontacts + 1));
    for (int i = 0; texts && i < d->ncontacts; i++) {
        texts[i] = contact_text(l, &d->contacts[i]);
        const char *all = arena_printf(l->a, "%s: %s", role_name(d->contacts[i].role), texts[i]);
        h2 += (float)lines_of(l, FS, all ? all : texts[i], w2, CONTACT_LINES) * LH;
    }
    float h1 = (float)nsums * LH;
    section(l, "4. Справочная информация", NULL, (h1 > h2 ? h1 : h2) + 7);
    float y = l->y + 7, y1 = y, y2 = y;
    for (int i = 0; i < nsums; i++) {
        pdf_text(l->pdf, LEFT, y1, FS, PDF_REGULAR, sums[i].label);
        pdf_text_right(l->pdf, LEFT + SUMS_COL, y1, FS, PDF_REGULAR, money(l->a, sums[i].v));
        y1 += LH;
    }
    for (int i = 0; texts && i < d->ncontacts; i++)
        y2 += labelled(l, x2, y2, w2, role_name(d->contacts[i].role), texts[i], CONTACT_LINES);
    l->y = (y1 > y2 ? y1 : y2) - 5;
}

/* ---- 5. to pay ---- */

struct qr_cell {
    struct qr qr;
    int ok;
    const char *why; /* when !ok: the second line of the notice */
};

static void part5(struct lay *l)
{
    const struct paydoc *d = l->d;
    struct qr_cell *cells =
        arena_alloc(l->a, sizeof *cells * (size_t)(d->npayees ? d->npayees : 1));
    if (!cells) {
        l->rc = err_set(l->e, ERR_NOMEM, "нет памяти");
        return;
    }
    int most = 0;
    for (int i = 0; i < d->npayees; i++) {
        char *payload = NULL;
        struct err qe = {0};
        int rc = paydoc_qr_payload(d, i, l->a, &payload, &qe);
        cells[i].why = "реквизиты для оплаты не заданы";
        if (rc == 0) {
            rc = paydoc_qr_code(payload, l->a, &cells[i].qr, &qe);
            cells[i].why = "данные не помещаются в QR-код";
        }
        if (rc && rc != ERR_INVALID) { /* out of memory: not the payee's fault */
            l->rc = err_set(l->e, rc, "%s", qe.msg);
            return;
        }
        cells[i].ok = rc == 0;
        if (cells[i].ok && cells[i].qr.size > most)
            most = cells[i].qr.size;
    }
    /* One module size for all: the QR codes with their quiet zones QR_MAX
     * wide, in 1/100 pt, between 1 pt (0.35 mm, what phones read; a UTF-8
     * payload of ~600 bytes is 93 modules) and 2 pt. */
    float module = most ? (float)(int)(QR_MAX / (float)(most + 8) * 100) / 100 : 1.5f;
    if (module > 2)
        module = 2;
    if (module < 1)
        module = 1;
    float side = (float)(most + 8) * module;
    if (side < 80)
        side = 80;

    section(l, "5. Сумма к оплате",
            d->npayees > 1 ? "Каждому получателю платёж вносится отдельно, по его QR-коду" : NULL,
            22 + side);
    char *total;
    if (d->total > 0)
        total = arena_printf(l->a, "Итого к оплате за %s: %s руб.", l->period_name,
                             money(l->a, d->total));
    else if (d->total == 0)
        total = arena_strdup(l->a, "К оплате: 0,00 руб.");
    else
        total = arena_printf(l->a, "Переплата: %s руб.", money(l->a, money_abs(d->total)));
    pdf_text(l->pdf, LEFT, l->y + 11, FS_TITLE, PDF_BOLD, total);
    if (d->total > 0)
        pdf_text_right(l->pdf, RIGHT, l->y + 11, FS_TOTAL, PDF_BOLD,
                       arena_printf(l->a, "Оплатить до %s", date_text(l->a, d->due_on)));
    l->y += 17;

    int per_row = d->npayees < 3 ? (d->npayees ? d->npayees : 1) : 3;
    float cw = WIDTH / (float)per_row;
    for (int i = 0; i < d->npayees; i += per_row) {
        need(l, side + 4);
        for (int k = i; k < i + per_row && k < d->npayees; k++) {
            const struct paydoc_payee *p = &d->payees[k];
            float x = LEFT + (float)(k - i) * cw, tx = x + side + 4, tw = cw - side - 10;
            if (cells[k].ok) {
                float qs = (float)(cells[k].qr.size + 8) * module;
                pdf_qr(l->pdf, &cells[k].qr, x, l->y + (side - qs) / 2, module);
            } else {
                const char *none = "нет QR-кода";
                pdf_fill(l->pdf, x + 4, l->y + 4, side - 8, side - 8, 0.93f);
                pdf_text(l->pdf, x + (side - pdf_text_width(l->pdf, FS, none)) / 2,
                         l->y + side / 2 + 2, FS, PDF_REGULAR, none);
            }
            float ty = l->y + 14;
            ty += (float)para(l, tx, ty, tw, FS, PDF_BOLD, or_dash(p->name), 3) * LH + 4;
            ty += (float)para(l, tx, ty, tw, FS, PDF_REGULAR, "Сумма к оплате получателю:", 2) * LH;
            pdf_text(l->pdf, tx, ty + 3, FS_TOTAL, PDF_BOLD,
                     arena_printf(l->a, "%s руб.", money(l->a, p->sum)));
            ty += 16;
            if (!cells[k].ok) {
                pdf_text(l->pdf, tx, ty, FS, PDF_BOLD, "QR-код не сформирован:");
                pdf_text(l->pdf, tx, ty + LH, FS, PDF_BOLD, cells[k].why);
            } else if (p->account) {
                para(l, tx, ty, tw, FS_SMALL, PDF_REGULAR,
                     arena_printf(l->a, "Р/с %s, БИК %s", p->account, or_dash(p->bic)), 2);
            }
        }
        l->y += side + 4;
    }
}

/* ---- the document ---- */

int paydoc_pdf_add(struct pdf_doc *pdf, const struct paydoc *d, int *pages, struct err *e)
{
    struct lay l = {.pdf = pdf, .d = d, .e = e};
    if (pages)
        *pages = 0;
    l.a = arena_new();
    if (!l.a)
        return err_set(e, ERR_NOMEM, "нет памяти");
    l.period_name = period_text(l.a, d->period);
    new_page(&l);
    if (!l.rc)
        header(&l);
    if (!l.rc)
        part1(&l);
    if (!l.rc)
        part2(&l);
    if (!l.rc)
        part3(&l);
    if (!l.rc)
        part4(&l);
    if (!l.rc)
        part5(&l);
    if (!l.rc)
        l.rc = pdf_status(pdf, e);
    if (pages)
        *pages = l.pages;
    arena_free(l.a);
    return l.rc;
}

int paydoc_pdf(const struct paydoc *d, struct arena *a, unsigned char **pdf, size_t *len,
               struct err *e)
{
    struct pdf_doc *p;
    int rc = pdf_open(&p, e);
    if (rc)
        return rc;
    rc = paydoc_pdf_add(p, d, NULL, e);
    if (!rc)
        rc = pdf_save_mem(p, a, pdf, len, e);
    pdf_free(p);
    return rc;
}
