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
#include "paydoc/pdf_impl.h"

#include "base/money.h"
#include "render/qr.h"

#include <stdio.h>
#include <string.h>

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
                   arena_printf(l->a, "ИПД %s", lay_or_dash(d->ipd)));
    pdf_text_right(l->pdf, RIGHT, l->y + 20, FS, PDF_REGULAR,
                   arena_printf(l->a, "ЕЛС %s", lay_or_dash(d->els)));
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
    lines[n++] = arena_printf(l->a, "ИНН %s   КПП %s%s%s", lay_or_dash(p->inn), lay_or_dash(p->kpp),
                              p->ogrn ? "   ОГРН " : "", p->ogrn ? p->ogrn : "");
    if (p->account)
        lines[n++] = arena_printf(l->a, "Р/с %s в %s", p->account, lay_or_dash(p->bank_name));
    else
        lines[n++] = "Р/с —";
    lines[n++] =
        arena_printf(l->a, "БИК %s   К/с %s", lay_or_dash(p->bic), lay_or_dash(p->corr_account));
    lines[n++] = arena_printf(l->a, "Адрес: %s", lay_or_dash(p->address));
    lines[n++] = arena_printf(l->a, "Тел.: %s   E-mail: %s   Сайт: %s", lay_or_dash(p->phone),
                              lay_or_dash(p->email), lay_or_dash(p->website));
    float ty = y + 8.5f;
    if (draw)
        ty += (float)lay_para(l, x + PAD, ty, iw, FS, PDF_BOLD, lay_or_dash(p->name), 2) * lh;
    else
        ty += (float)lay_lines_of(l, FS, lay_or_dash(p->name), iw, 2) * lh;
    for (int i = 0; i < n; i++)
        ty += (float)(draw ? lay_para(l, x + PAD, ty, iw, FS, PDF_REGULAR, lines[i], 2)
                           : lay_lines_of(l, FS, lines[i], iw, 2)) *
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
    lay_section(l, "1. Сведения о плательщике и исполнителях услуг", NULL, 60);
    float col = WIDTH / 2, x2 = LEFT + col + 6, w1 = col - 6, w2 = RIGHT - x2;
    float y1 = l->y + 7, y2 = l->y + 7;
    const char *addr = d->premises
                           ? arena_printf(l->a, "%s, пом. %s", lay_or_dash(d->address), d->premises)
                           : lay_or_dash(d->address);
    y1 += lay_labelled(l, LEFT, y1, w1, "Плательщик", d->payer, 2);
    y1 += lay_labelled(l, LEFT, y1, w1, "Адрес помещения", addr, 3);
    char *area = d->area ? arena_printf(l->a, "%s м²", lay_decimal(l->a, d->area, 2, 2)) : NULL;
    y1 += lay_labelled(l, LEFT, y1, w1, "Общая площадь", area, 1);
    y1 += lay_labelled(l, LEFT, y1, w1, "Проживает (зарегистрировано)",
                       arena_printf(l->a, "%lld чел.", (long long)d->residents), 1);
    y2 += lay_labelled(l, x2, y2, w2, "Единый лицевой счёт (ЕЛС)", d->els, 1);
    y2 += lay_labelled(l, x2, y2, w2, "Лицевой счёт", d->account_number, 1);
    y2 += lay_labelled(l, x2, y2, w2, "Идентификатор платёжного документа", d->ipd, 1);
    y2 += lay_labelled(l, x2, y2, w2, "Расчётный период", l->period_name, 1);
    y2 += lay_labelled(l, x2, y2, w2, "Дата выставления",
                       arena_printf(l->a, "%s   Оплатить до: %s", lay_date_text(l->a, d->issued_on),
                                    lay_date_text(l->a, d->due_on)),
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
        lay_need(l, h);
        for (int k = i; k < i + per_row && k < d->npayees; k++) {
            float x = LEFT + (float)(k - i) * (bw + 6);
            pdf_rect(l->pdf, x, l->y, bw, h, RULE);
            payee_box(l, &d->payees[k], x, l->y, bw, 1);
        }
        l->y += h + 4;
    }
}

/* ---- 2. readings ---- */

static void part2(struct lay *l)
{
    const struct paydoc *d = l->d;
    lay_section(l, "2. Показания индивидуальных (квартирных) приборов учёта", NULL, 24);
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
    lay_need(l, 2 * 11);
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
        lay_need(l, 10);
        float b = l->y + 7.5f;
        const char *zone = lay_zone_name(g->zone);
        pdf_text(l->pdf, x[0] + PAD, b, FS, PDF_REGULAR, lay_or_dash(g->serial));
        pdf_text(l->pdf, x[1] + PAD, b, FS, PDF_REGULAR,
                 *zone ? arena_printf(l->a, "%s (%s)", lay_resource_name(g->resource), zone)
                       : lay_resource_name(g->resource));
        pdf_text_right(l->pdf, x[3] - PAD, b, FS, PDF_REGULAR,
                       g->previous ? lay_comma(l->a, g->previous) : "начальные");
        pdf_text_right(l->pdf, x[4] - PAD, b, FS, PDF_REGULAR, lay_comma(l->a, g->current));
        pdf_text_right(l->pdf, x[5] - PAD, b, FS, PDF_REGULAR, lay_comma(l->a, g->consumption));
        for (int i = 0; i <= 5; i++)
            pdf_line(l->pdf, x[i], l->y, x[i], l->y + 10, RULE);
        l->y += 10;
        pdf_line(l->pdf, LEFT, l->y, RIGHT, l->y, RULE);
    }
}

/* ---- 3. charges ---- */

static void charge_row(struct lay *l, const struct paydoc_line *ln, unsigned *used)
{
    int m = lay_method_index(ln->method);
    if (m >= 0)
        *used |= 1u << m;
    struct cell c[NCOL] = {
        {C_SERVICE, C_SERVICE, lay_or_dash(ln->service), A_LEFT, PDF_REGULAR, FS},
        {C_METHOD, C_METHOD, m >= 0 ? lay_methods[m].mark : "", A_CENTER, PDF_REGULAR, FS},
        {C_UNIT, C_UNIT, ln->unit ? ln->unit : "", A_CENTER, PDF_REGULAR, FS},
        {C_QTY, C_QTY, ln->quantity ? lay_decimal(l->a, ln->quantity, 3, 2) : "", A_RIGHT,
         PDF_REGULAR, FS},
        {C_PRICE, C_PRICE, ln->price ? lay_decimal(l->a, ln->price, 4, 2) : "", A_RIGHT,
         PDF_REGULAR, FS},
        {C_AMOUNT, C_AMOUNT, lay_money(l->a, ln->amount), A_RIGHT, PDF_REGULAR, FS},
    };
    lay_row(l, c, NCOL, 1);
}

/* A correction, penalty or cashback row: what, then why, then the sum. */
static void note_row(struct lay *l, const char *what, const char *why, int64_t amount)
{
    struct cell c[3] = {{C_SERVICE, C_SERVICE, what, A_LEFT, PDF_REGULAR, FS},
                        {C_METHOD, C_PRICE, why, A_LEFT, PDF_REGULAR, FS_SMALL},
                        {C_AMOUNT, C_AMOUNT, lay_money(l->a, amount), A_RIGHT, PDF_REGULAR, FS}};
    lay_row(l, c, 3, 1);
}

static void part3(struct lay *l)
{
    const struct paydoc *d = l->d;
    lay_section(l, "3. Расчёт размера платы за жилое помещение и коммунальные услуги", NULL, 60);
    lay_table_header(l);
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
                lay_span_row(l,
                             arena_printf(l->a, "Получатель: %s", lay_or_dash(d->payees[p].name)),
                             NULL, PDF_BOLD, 0.96f);
            any = 1;
            charge_row(l, ln, &used);
            sub += ln->amount;
        }
        if (any && d->npayees > 1)
            lay_span_row(l, "Начислено по получателю", lay_money(l->a, sub), PDF_BOLD, 1);
        charged += sub;
    }
    lay_span_row(l, "Всего начислено за расчётный период", lay_money(l->a, charged), PDF_BOLD,
                 0.96f);

    static const char kinds[] = {'R', 'P', 'B'};
    static const char *const titles[] = {"Перерасчёты", "Пени", "Кешбэк (возврат части платежей)"};
    for (int k = 0; k < 3; k++) {
        int any = 0;
        for (int i = 0; i < d->nlines; i++) {
            const struct paydoc_line *ln = &d->lines[i];
            if (ln->kind != kinds[k])
                continue;
            if (!any)
                lay_span_row(l, titles[k], NULL, PDF_BOLD, 0.96f);
            any = 1;
            const char *pt = ln->period ? lay_period_text(l->a, ln->period) : NULL;
            if (ln->kind == 'R')
                note_row(l, lay_or_dash(ln->service),
                         arena_printf(l->a, "за %s: %s", pt ? pt : "—", lay_or_dash(ln->reason)),
                         ln->amount);
            else if (ln->kind == 'P')
                note_row(l, arena_printf(l->a, "Пени на долг за %s", pt ? pt : "—"),
                         ln->explain ? ln->explain : "", ln->amount);
            else
                note_row(l, "Кешбэк", ln->explain ? ln->explain : "", ln->amount);
        }
    }
    lay_rules(l, 0, l->y);
    l->table = 0;

    if (used) {
        char *legend = arena_strdup(l->a, "Способ расчёта:");
        for (int m = 0; legend && m < LAY_NMETHODS; m++)
            if (used & 1u << m)
                legend = arena_printf(l->a, "%s %s — %s;", legend, lay_methods[m].mark,
                                      lay_methods[m].legend);
        if (!legend) {
            l->rc = err_set(l->e, ERR_NOMEM, "нет памяти");
            return;
        }
        legend[strlen(legend) - 1] = '.';
        int n = lay_lines_of(l, FS_SMALL, legend, WIDTH, 3);
        lay_need(l, (float)n * (FS_SMALL + 1.5f) + 3);
        l->y += (float)lay_para(l, LEFT, l->y + 8, WIDTH, FS_SMALL, PDF_REGULAR, legend, 3) *
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
    return lay_or_dash(role);
}

/* A contact's line: name, address, phone, e-mail, website. */
static const char *contact_text(struct lay *l, const struct paydoc_contact *c)
{
    char *text = arena_printf(l->a, "%s", lay_or_dash(c->name));
    if (text && c->address)
        text = arena_printf(l->a, "%s, %s", text, c->address);
    if (text && c->phone)
        text = arena_printf(l->a, "%s, тел. %s", text, c->phone);
    if (text && c->email)
        text = arena_printf(l->a, "%s, %s", text, c->email);
    if (text && c->website)
        text = arena_printf(l->a, "%s, %s", text, c->website);
    return text ? text : lay_or_dash(c->name);
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
        h2 += (float)lay_lines_of(l, FS, all ? all : texts[i], w2, CONTACT_LINES) * LH;
    }
    float h1 = (float)nsums * LH;
    lay_section(l, "4. Справочная информация", NULL, (h1 > h2 ? h1 : h2) + 7);
    float y = l->y + 7, y1 = y, y2 = y;
    for (int i = 0; i < nsums; i++) {
        pdf_text(l->pdf, LEFT, y1, FS, PDF_REGULAR, sums[i].label);
        pdf_text_right(l->pdf, LEFT + SUMS_COL, y1, FS, PDF_REGULAR, lay_money(l->a, sums[i].v));
        y1 += LH;
    }
    for (int i = 0; texts && i < d->ncontacts; i++)
        y2 += lay_labelled(l, x2, y2, w2, role_name(d->contacts[i].role), texts[i], CONTACT_LINES);
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

    lay_section(l, "5. Сумма к оплате",
                d->npayees > 1 ? "Каждому получателю платёж вносится отдельно, по его QR-коду"
                               : NULL,
                22 + side);
    char *total;
    if (d->total > 0)
        total = arena_printf(l->a, "Итого к оплате за %s: %s руб.", l->period_name,
                             lay_money(l->a, d->total));
    else if (d->total == 0)
        total = arena_strdup(l->a, "К оплате: 0,00 руб.");
    else
        total = arena_printf(l->a, "Переплата: %s руб.", lay_money(l->a, money_abs(d->total)));
    pdf_text(l->pdf, LEFT, l->y + 11, FS_TITLE, PDF_BOLD, total);
    if (d->total > 0)
        pdf_text_right(l->pdf, RIGHT, l->y + 11, FS_TOTAL, PDF_BOLD,
                       arena_printf(l->a, "Оплатить до %s", lay_date_text(l->a, d->due_on)));
    l->y += 17;

    int per_row = d->npayees < 3 ? (d->npayees ? d->npayees : 1) : 3;
    float cw = WIDTH / (float)per_row;
    for (int i = 0; i < d->npayees; i += per_row) {
        lay_need(l, side + 4);
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
            ty += (float)lay_para(l, tx, ty, tw, FS, PDF_BOLD, lay_or_dash(p->name), 3) * LH + 4;
            ty += (float)lay_para(l, tx, ty, tw, FS, PDF_REGULAR, "Сумма к оплате получателю:", 2) *
                  LH;
            pdf_text(l->pdf, tx, ty + 3, FS_TOTAL, PDF_BOLD,
                     arena_printf(l->a, "%s руб.", lay_money(l->a, p->sum)));
            ty += 16;
            if (!cells[k].ok) {
                pdf_text(l->pdf, tx, ty, FS, PDF_BOLD, "QR-код не сформирован:");
                pdf_text(l->pdf, tx, ty + LH, FS, PDF_BOLD, cells[k].why);
            } else if (p->account) {
                lay_para(l, tx, ty, tw, FS_SMALL, PDF_REGULAR,
                         arena_printf(l->a, "Р/с %s, БИК %s", p->account, lay_or_dash(p->bic)), 2);
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
    l.period_name = lay_period_text(l.a, d->period);
    lay_new_page(&l);
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
