/* pdf_layout.c — the layout helpers of the payment document's page
 * (pdf_impl.h): formatting, pages and sections, wrapped text, the table. */
#include "paydoc/pdf_impl.h"

#include "base/date.h"
#include "base/money.h"

#include <stdio.h>
#include <string.h>

/* «октябрь 2026» of "2026-10" (the text itself when it is not a period). */
const char *lay_period_text(struct arena *a, const char *period)
{
    int per;
    char name[PERIOD_NAME_SIZE];
    if (!period || date_period_parse(period, &per, NULL))
        return period ? period : "";
    date_period_name_ru(per, name);
    return arena_strdup(a, name);
}

/* "10.11.2026" of "2026-11-10". */
const char *lay_date_text(struct arena *a, const char *date)
{
    if (!date || strlen(date) != 10 || date[4] != '-' || date[7] != '-')
        return date ? date : "—";
    return arena_printf(a, "%.2s.%.2s.%.4s", date + 8, date + 5, date);
}

const char *lay_money(struct arena *a, int64_t kopecks)
{
    char buf[MONEY_DISPLAY_SIZE];
    money_format_display(buf, sizeof buf, kopecks);
    return arena_strdup(a, buf);
}

/* A fixed-point value with `scale` decimals, the Russian way: comma,
 * trailing zeros dropped down to `keep` decimals (none when the fraction
 * is zero): 54300/3 → "54,30", 2000/3 → "2", 456712/4 → "45,6712". */
const char *lay_decimal(struct arena *a, int64_t v, int scale, int keep)
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

const char *lay_or_dash(const char *s)
{
    return s && *s ? s : "—";
}

/* A reading's decimal text with a comma ("129.600" → "129,600"). */
const char *lay_comma(struct arena *a, const char *s)
{
    if (!s || !strchr(s, '.'))
        return lay_or_dash(s);
    char *c = arena_strdup(a, s);
    if (c)
        *strchr(c, '.') = ',';
    return c ? c : s;
}

/* ---- calculation methods: the table's short code and the legend ---- */

const struct method lay_methods[] = {
    {'M', "П", "по показаниям прибора учёта"},
    {'V', "С", "по среднему потреблению"},
    {'N', "Н", "по нормативу"},
    {'K', "НП", "по нормативу с повышающим коэффициентом"},
    {'A', "Пл", "по площади помещения"},
    {'R', "Ж", "по числу проживающих"},
    {'F', "Ф", "фиксированная плата"},
};
_Static_assert(sizeof lay_methods / sizeof lay_methods[0] == LAY_NMETHODS, "one legend a method");

int lay_method_index(char code)
{
    for (int i = 0; i < LAY_NMETHODS; i++)
        if (lay_methods[i].code == code)
            return i;
    return -1;
}

const char *lay_resource_name(const char *r)
{
    static const char *const names[][2] = {{"cold_water", "Холодная вода"},
                                           {"hot_water", "Горячая вода"},
                                           {"electricity", "Электроэнергия"},
                                           {"heat", "Тепловая энергия"},
                                           {"gas", "Газ"}};
    for (size_t i = 0; r && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(r, names[i][0]) == 0)
            return names[i][1];
    return lay_or_dash(r);
}

const char *lay_zone_name(const char *z)
{
    if (z && strcmp(z, "day") == 0)
        return "день";
    if (z && strcmp(z, "night") == 0)
        return "ночь";
    return "";
}

/* ---- pages ---- */

void lay_new_page(struct lay *l)
{
    if (l->rc)
        return;
    if (l->table)
        lay_rules(l, 0, l->y);
    if ((l->rc = pdf_page_add(l->pdf, l->e)))
        return;
    l->pages++;
    l->y = TOP;
    if (l->pages == 1)
        return;
    const struct paydoc *d = l->d;
    char *head = arena_printf(l->a, "Платёжный документ за %s, ИПД %s, лицевой счёт %s",
                              l->period_name, lay_or_dash(d->ipd), lay_or_dash(d->account_number));
    pdf_text(l->pdf, LEFT, l->y + 8, FS, PDF_REGULAR, head);
    pdf_text_right(l->pdf, RIGHT, l->y + 8, FS, PDF_REGULAR,
                   arena_printf(l->a, "лист %d", l->pages));
    pdf_line(l->pdf, LEFT, l->y + 11, RIGHT, l->y + 11, RULE);
    l->y += 16;
    if (l->table)
        lay_table_header(l);
}

/* Room for h points, on a new page if this one has not got it. */
void lay_need(struct lay *l, float h)
{
    if (l->y + h > BOTTOM)
        lay_new_page(l);
}

/* A section heading on a gray band, with an optional note at its right;
 * `keep` is the height of what must follow it on the same page. */
void lay_section(struct lay *l, const char *title, const char *note, float keep)
{
    l->y += 3;
    lay_need(l, 12 + keep);
    pdf_fill(l->pdf, LEFT, l->y, WIDTH, 10.5f, 0.85f);
    pdf_text(l->pdf, LEFT + PAD, l->y + 7.8f, FS_HEAD, PDF_BOLD, title);
    if (note)
        pdf_text_right(l->pdf, RIGHT - PAD, l->y + 7.5f, FS_SMALL, PDF_REGULAR, note);
    l->y += 12.5f;
}

/* Draws text wrapped into width at x from the baseline y, at most max
 * lines; returns the lines drawn. */
int lay_para(struct lay *l, float x, float y, float width, float size, enum pdf_face f,
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

int lay_lines_of(struct lay *l, float size, const char *s, float width, int max)
{
    struct pdf_line one[1];
    int n = pdf_wrap(l->pdf, size, s, width, one, 0);
    return n < max ? n : max;
}

/* "Label: value" with the label bold, the value after it and wrapped to
 * the whole width below; returns the height used. */
float lay_labelled(struct lay *l, float x, float y, float width, const char *label,
                   const char *value, int max)
{
    const float lh = LH;
    char *t = arena_printf(l->a, "%s: ", label);
    float lw = pdf_text_width(l->pdf, FS, t);
    pdf_text(l->pdf, x, y, FS, PDF_BOLD, t);
    value = lay_or_dash(value);
    struct pdf_line first[1];
    int n = pdf_wrap(l->pdf, FS, value, width - lw, first, 1);
    pdf_text_n(l->pdf, x + lw, y, FS, PDF_REGULAR, value + first[0].start, first[0].len);
    if (n == 1 || max == 1)
        return lh;
    const char *rest = value + first[0].start + first[0].len;
    while (*rest == ' ')
        rest++;
    return lh + (float)lay_para(l, x, y + lh, width, FS, PDF_REGULAR, rest, max - 1) * lh;
}

/* ---- tables ---- */

static const float col_w[NCOL] = {223, 40, 50, 66, 70, 90}; /* 539 */

float lay_col_x(int c)
{
    float x = LEFT;
    for (int i = 0; i < c; i++)
        x += col_w[i];
    return x;
}

/* One table row of cells (at most 3 lines each), fill gray (1: none). */
void lay_row(struct lay *l, const struct cell *c, int n, float fill)
{
    int nl[NCOL] = {0}, most = 1;
    for (int i = 0; i < n; i++) {
        float w = lay_col_x(c[i].to + 1) - lay_col_x(c[i].from) - 2 * PAD;
        nl[i] = c[i].text ? lay_lines_of(l, c[i].size, c[i].text, w, 3) : 1;
        if (nl[i] > most)
            most = nl[i];
    }
    float h = (float)most * LH + 2;
    lay_need(l, h);
    float top = l->y;
    if (fill < 1)
        pdf_fill(l->pdf, LEFT, top, WIDTH, h, fill);
    unsigned edges = 1u | 1u << NCOL;
    for (int i = 0; i < n; i++) {
        float x0 = lay_col_x(c[i].from), x1 = lay_col_x(c[i].to + 1), base = top + 8.0f;
        edges |= 1u << c[i].from;
        if (!c[i].text)
            continue;
        if (c[i].align == A_LEFT || nl[i] > 1)
            lay_para(l, x0 + PAD, base, x1 - x0 - 2 * PAD, c[i].size, c[i].face, c[i].text, 3);
        else if (c[i].align == A_RIGHT)
            pdf_text_right(l->pdf, x1 - PAD, base, c[i].size, c[i].face, c[i].text);
        else
            pdf_text(l->pdf, (x0 + x1 - pdf_text_width(l->pdf, c[i].size, c[i].text)) / 2, base,
                     c[i].size, c[i].face, c[i].text);
    }
    lay_rules(l, edges, top);
    pdf_line(l->pdf, LEFT, top + h, RIGHT, top + h, RULE);
    l->y += h;
}

/* The column rules: the ones in keep go on (or start at `at`), the others
 * are drawn down to `at`: one line for a whole run of rows. */
void lay_rules(struct lay *l, unsigned keep, float at)
{
    for (int k = 0; k <= NCOL; k++) {
        unsigned bit = 1u << k;
        if ((l->rules & bit) && !(keep & bit)) {
            pdf_line(l->pdf, lay_col_x(k), l->rules_from[k], lay_col_x(k), at, RULE);
            l->rules &= ~bit;
        } else if (!(l->rules & bit) && (keep & bit)) {
            l->rules |= bit;
            l->rules_from[k] = at;
        }
    }
}

void lay_table_header(struct lay *l)
{
    static const char *const heads[NCOL] = {"Вид услуги",  "Способ расчёта",
                                            "Ед. изм.",    "Объём (количество)",
                                            "Тариф, руб.", "Начислено, руб."};
    float top = l->y, h = 2 * (FS_SMALL + 1.5f) + 4;
    pdf_fill(l->pdf, LEFT, top, WIDTH, h, 0.9f);
    for (int c = 0; c < NCOL; c++) {
        float x0 = lay_col_x(c), x1 = lay_col_x(c + 1);
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
void lay_span_row(struct lay *l, const char *text, const char *amount, enum pdf_face f, float fill)
{
    struct cell c[2] = {{C_SERVICE, C_PRICE, text, A_LEFT, f, FS},
                        {C_AMOUNT, C_AMOUNT, amount, A_RIGHT, f, FS}};
    lay_row(l, c, 2, fill);
}
