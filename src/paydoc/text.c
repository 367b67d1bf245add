/* text.c — the payment document as plain text (docs/paydoc.md "Text
 * form"): the five sections of the model form (Приказ Минстроя № 43/пр) in
 * the order the PDF has them, UTF-8, no line over 80 columns counted in code
 * points (long names wrap at spaces, words longer than a line are split),
 * money the Russian way ("1 234,56 ₽", a no-break space before the sign),
 * each payee's QR payload as its own lines. For screen readers, e-mail and
 * integrations that want text. */
#include "paydoc/forms_impl.h"

#include "base/date.h"
#include "base/money.h"
#include "billing/billing.h"

#include <string.h>

#define WIDTH 80
#define NBSP "\xc2\xa0"

struct tx {
    struct forms_buf b;
    struct arena *a; /* formatted pieces (the caller's arena) */
    const struct paydoc *d;
};

static size_t cps(const char *s)
{
    return forms_cp_len(s, strlen(s));
}

/* Writes n bytes of s with control characters as spaces. */
static void put_clean(struct forms_buf *b, const char *s, size_t n)
{
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            forms_put(b, s + from, i - from);
            forms_put(b, " ", 1);
            from = i + 1;
        }
    }
    forms_put(b, s + from, n - from);
}

static void spaces(struct forms_buf *b, size_t n)
{
    static const char sp[] = "                                                                "
                             "                ";
    while (n) {
        size_t k = n < sizeof sp - 1 ? n : sizeof sp - 1;
        forms_put(b, sp, k);
        n -= k;
    }
}

static bool is_space(char c)
{
    return c == ' ' || ((unsigned char)c < 0x20 && c);
}

/* text wrapped at spaces into lines of at most WIDTH code points: the first
 * line starts with `first`, the others with `rest` (both of spaces or plain
 * words); right (or NULL) is set flush right on the first line, after at
 * least one space. */
static void wrap(struct forms_buf *b, const char *first, const char *rest, const char *text,
                 const char *right)
{
    const char *p = text ? text : "";
    while (is_space(*p))
        p++;
    const char *prefix = first;
    bool line1 = true;
    do {
        size_t rw = line1 && right ? cps(right) + 1 : 0;
        size_t used = cps(prefix) + rw;
        size_t avail = used < WIDTH ? WIDTH - used : 1;
        size_t i = 0, n = 0, brk = 0;
        while (p[i] && n < avail) {
            if (is_space(p[i]))
                brk = i;
            i++;
            while (((unsigned char)p[i] & 0xc0) == 0x80)
                i++;
            n++;
        }
        size_t take = !p[i] || is_space(p[i]) ? i : brk ? brk : i;
        size_t end = take;
        while (end && is_space(p[end - 1]))
            end--;
        forms_puts(b, prefix);
        put_clean(b, p, end);
        if (line1 && right) {
            size_t w = cps(prefix) + forms_cp_len(p, end);
            spaces(b, w + rw <= WIDTH ? WIDTH - w - rw + 1 : 1);
            forms_puts(b, right);
        }
        forms_put(b, "\n", 1);
        p += take;
        while (is_space(*p))
            p++;
        prefix = rest;
        line1 = false;
    } while (*p);
}

/* A paragraph at `indent` spaces (continuation lines two more), with an
 * amount or other text flush right when right is not NULL. */
static void para(struct tx *t, int indent, const char *text, const char *right)
{
    char pre[WIDTH / 2 + 1], cont[WIDTH / 2 + 3];
    indent = indent < WIDTH / 2 ? indent : WIDTH / 2;
    memset(pre, ' ', (size_t)indent);
    pre[indent] = '\0';
    memset(cont, ' ', (size_t)indent + 2);
    cont[indent + 2] = '\0';
    if (!text)
        t->b.oom = true;
    else
        wrap(&t->b, pre, cont, text, right);
}

#define P(t, indent, ...) para((t), (indent), arena_printf((t)->a, __VA_ARGS__), NULL)

static void blank(struct tx *t)
{
    forms_put(&t->b, "\n", 1);
}

/* s, or "" with the buffer marked failed when the arena gave nothing. */
static const char *nn(struct tx *t, const char *s)
{
    if (!s)
        t->b.oom = true;
    return s ? s : "";
}

/* "1 234,56 ₽" (U+202F between groups, U+00A0 before the sign). */
static const char *rub(struct tx *t, int64_t kopecks)
{
    char buf[MONEY_DISPLAY_SIZE];
    money_format_display(buf, sizeof buf, kopecks);
    return nn(t, arena_printf(t->a, "%s" NBSP "₽", buf));
}

/* A fixed-point decimal with a comma: 54300, 3 → "54,300". */
static const char *dec(struct tx *t, int64_t v, int places)
{
    char buf[48];
    bill_decimal_format(v, places, buf, sizeof buf);
    char *dot = strchr(buf, '.');
    if (dot)
        *dot = ',';
    return nn(t, arena_strdup(t->a, buf));
}

/* Decimal text as written ("123.456") with a comma. */
static const char *comma(struct tx *t, const char *s)
{
    char *c = arena_strdup(t->a, s ? s : "—");
    char *dot = c ? strchr(c, '.') : NULL;
    if (dot)
        *dot = ',';
    return nn(t, c);
}

/* "2026-11-01" → "01.11.2026"; other text as it is. */
static const char *ru_date(struct tx *t, const char *iso)
{
    struct date dt;
    if (!iso || date_parse(iso, &dt, NULL))
        return iso ? iso : "—";
    return nn(t, arena_printf(t->a, "%02d.%02d.%04d", dt.d, dt.m, dt.y));
}

/* "октябрь 2026" for "2026-10"; other text as it is. */
static const char *period_name(struct tx *t, const char *period)
{
    int p;
    char buf[PERIOD_NAME_SIZE];
    if (!period || date_period_parse(period, &p, NULL) || date_period_name_ru(p, buf))
        return period ? period : "—";
    return nn(t, arena_strdup(t->a, buf));
}

static const char *or_dash(const char *s)
{
    return s && *s ? s : "—";
}

/* "Телефон: …; e-mail: …; сайт: …" of what is given, or NULL. */
static const char *reach(struct tx *t, const char *phone, const char *email, const char *website)
{
    const char *parts[3] = {phone, email, website};
    static const char *const first[3] = {"Телефон", "E-mail", "Сайт"};
    static const char *const next[3] = {"телефон", "e-mail", "сайт"};
    const char *out = NULL;
    for (int i = 0; i < 3; i++) {
        if (!parts[i] || !*parts[i])
            continue;
        out = out ? arena_printf(t->a, "%s; %s: %s", out, next[i], parts[i])
                  : arena_printf(t->a, "%s: %s", first[i], parts[i]);
        if (!out) {
            t->b.oom = true;
            return NULL;
        }
    }
    return out;
}

static void header(struct tx *t)
{
    const struct paydoc *d = t->d;
    P(t, 0, "ПЛАТЁЖНЫЙ ДОКУМЕНТ за %s", period_name(t, d->period));
    P(t, 0, "ЕЛС: %s", or_dash(d->els));
    P(t, 0, "ИПД: %s", or_dash(d->ipd));
    P(t, 0, "Лицевой счёт: %s", or_dash(d->account_number));
    P(t, 0, "Дата выставления: %s", ru_date(t, d->issued_on));
    P(t, 0, "Оплатить до: %s", ru_date(t, d->due_on));
}

static const char *premises_address(struct tx *t)
{
    const struct paydoc *d = t->d;
    if (d->premises && *d->premises)
        return nn(t, arena_printf(t->a, "%s, пом. %s", or_dash(d->address), d->premises));
    return or_dash(d->address);
}

static void payee_details(struct tx *t, int i)
{
    const struct paydoc_payee *p = &t->d->payees[i];
    P(t, 0, "Получатель платежа %d: %s", i + 1, or_dash(p->name));
    const char *ids = nn(t, arena_printf(t->a, "ИНН %s", or_dash(p->inn)));
    if (p->kpp && *p->kpp)
        ids = nn(t, arena_printf(t->a, "%s, КПП %s", ids, p->kpp));
    if (p->ogrn && *p->ogrn)
        ids = nn(t, arena_printf(t->a, "%s, ОГРН %s", ids, p->ogrn));
    para(t, 2, ids, NULL);
    if (p->address && *p->address)
        P(t, 2, "Адрес: %s", p->address);
    const char *r = reach(t, p->phone, p->email, p->website);
    if (r)
        para(t, 2, r, NULL);
    if (p->bank_name || p->bic || p->account) {
        P(t, 2, "Банк: %s; БИК %s", or_dash(p->bank_name), or_dash(p->bic));
        P(t, 2, "Р/с %s; к/с %s", or_dash(p->account), or_dash(p->corr_account));
    } else {
        P(t, 2, "Банковские реквизиты не указаны");
    }
}

static void section1(struct tx *t)
{
    const struct paydoc *d = t->d;
    blank(t);
    P(t, 0, "1. Плательщик и получатели платежа");
    P(t, 0, "Плательщик: %s", d->payer && *d->payer ? d->payer : "не указан");
    P(t, 0, "Адрес помещения: %s", premises_address(t));
    if (d->municipality && *d->municipality)
        P(t, 0, "Муниципальное образование: %s", d->municipality);
    if (d->area > 0)
        P(t, 0, "Площадь помещения: %s м²", dec(t, d->area, 2));
    P(t, 0, "Зарегистрировано: %lld чел.", (long long)d->residents);
    for (int i = 0; i < d->npayees; i++) {
        blank(t);
        payee_details(t, i);
    }
}

static const char *resource_name(const char *r)
{
    static const char *const names[][2] = {{"cold_water", "холодная вода"},
                                           {"hot_water", "горячая вода"},
                                           {"electricity", "электроэнергия"},
                                           {"heat", "тепловая энергия"},
                                           {"gas", "газ"}};
    for (size_t i = 0; r && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(r, names[i][0]) == 0)
            return names[i][1];
    return or_dash(r);
}

static void section2(struct tx *t)
{
    const struct paydoc *d = t->d;
    blank(t);
    P(t, 0, "2. Показания индивидуальных приборов учёта");
    if (!d->nreadings)
        P(t, 2, "Показания в расчёте не использовались");
    for (int i = 0; i < d->nreadings; i++) {
        const struct paydoc_reading *r = &d->readings[i];
        const char *zone = r->zone && !strcmp(r->zone, "day")     ? ", день"
                           : r->zone && !strcmp(r->zone, "night") ? ", ночь"
                                                                  : "";
        P(t, 2, "Прибор № %s, %s%s", or_dash(r->serial), resource_name(r->resource), zone);
        P(t, 4, "предыдущее %s; текущее %s; расход %s",
          r->previous ? comma(t, r->previous) : "— (начальное)", comma(t, r->current),
          comma(t, r->consumption));
    }
}

/* How a line was found: its explanation, else the method's name. */
static const char *how(const struct paydoc_line *l)
{
    if (l->explain && *l->explain)
        return l->explain;
    switch (l->method) {
    case 'A': return "по площади помещения";
    case 'R': return "по числу зарегистрированных";
    case 'F': return "фиксированно за лицевой счёт";
    case 'M': return "по показаниям прибора учёта";
    case 'V': return "по среднему потреблению";
    case 'N': return "по нормативу";
    case 'K': return "по нормативу с повышающим коэффициентом";
    default: return NULL;
    }
}

static void charge_row(struct tx *t, const struct paydoc_line *l)
{
    para(t, 2, or_dash(l->service), rub(t, l->amount));
    const char *unit = l->unit && *l->unit ? l->unit : NULL;
    const char *calc =
        arena_printf(t->a, "%s%s%s × %s" NBSP "₽%s%s", dec(t, l->quantity, BILL_QTY_DECIMALS),
                     unit ? NBSP : "", unit ? unit : "", dec(t, l->price, BILL_PRICE_DECIMALS),
                     unit ? "/" : "", unit ? unit : "");
    const char *h = how(l);
    para(t, 4, h ? arena_printf(t->a, "%s — %s", calc, h) : calc, NULL);
}

static void correction_row(struct tx *t, const struct paydoc_line *l)
{
    para(t, 2,
         arena_printf(t->a, "Перерасчёт за %s: %s", period_name(t, l->period), or_dash(l->service)),
         rub(t, l->amount));
    const char *why = l->explain && *l->explain ? l->explain
                      : l->reason ? arena_printf(t->a, "основание: %s", l->reason)
                                  : NULL;
    if (why)
        para(t, 4, why, NULL);
}

static void section3(struct tx *t)
{
    const struct paydoc *d = t->d;
    blank(t);
    P(t, 0, "3. Расчёт платы за %s", period_name(t, d->period));
    for (int i = 0; i < d->npayees; i++) {
        blank(t);
        P(t, 0, "Получатель платежа %d: %s", i + 1, or_dash(d->payees[i].name));
        for (int k = 0; k < d->nlines; k++) {
            const struct paydoc_line *l = &d->lines[k];
            int payee = l->payee >= 0 && l->payee < d->npayees ? l->payee : 0;
            if (payee != i)
                continue;
            if (l->kind == 'C')
                charge_row(t, l);
            else if (l->kind == 'R')
                correction_row(t, l);
        }
        para(t, 2, arena_printf(t->a, "Итого по получателю %d", i + 1),
             rub(t, d->payees[i].lines_total));
    }
    bool any = false;
    for (int k = 0; k < d->nlines; k++) {
        const struct paydoc_line *l = &d->lines[k];
        if (l->kind != 'P' && l->kind != 'B')
            continue;
        if (!any) {
            blank(t);
            P(t, 0, "Пени и кешбэк");
            any = true;
        }
        const char *what = l->kind == 'P'
                               ? arena_printf(t->a, "Пени на долг за %s", period_name(t, l->period))
                               : "Кешбэк за своевременную оплату";
        para(t, 2, what, rub(t, l->amount));
        if (l->explain && *l->explain)
            para(t, 4, l->explain, NULL);
    }
}

static void balance_row(struct tx *t, const char *due, const char *over, int64_t v)
{
    para(t, 2, v < 0 ? over : due, rub(t, money_abs(v)));
}

static void section4(struct tx *t)
{
    const struct paydoc *d = t->d;
    blank(t);
    P(t, 0, "4. Справочная информация");
    balance_row(t, "Задолженность на начало периода", "Переплата на начало периода", d->opening);
    para(t, 2, "Начислено за период", rub(t, d->charged));
    para(t, 2, "Перерасчёты", rub(t, d->corrected));
    para(t, 2, "Пени", rub(t, d->penalty));
    para(t, 2, "Кешбэк", rub(t, d->cashback));
    para(t, 2, "Оплачено за период", rub(t, d->paid));
    balance_row(t, "Задолженность на конец периода", "Переплата на конец периода", d->total);
    blank(t);
    P(t, 0, "Контакты");
    if (!d->ncontacts)
        P(t, 2, "не указаны");
    for (int i = 0; i < d->ncontacts; i++) {
        const struct paydoc_contact *c = &d->contacts[i];
        const char *role = !c->role                      ? "Организация"
                           : !strcmp(c->role, "manager") ? "Управляющая организация"
                           : !strcmp(c->role, "supplier") ? "Поставщик услуг"
                           : !strcmp(c->role, "dispatch") ? "Аварийно-диспетчерская служба"
                                                          : c->role;
        P(t, 2, "%s: %s", role, or_dash(c->name));
        if (c->address && *c->address)
            P(t, 4, "Адрес: %s", c->address);
        const char *r = reach(t, c->phone, c->email, c->website);
        if (r)
            para(t, 4, r, NULL);
    }
}

/* The payload as lines of at most WIDTH code points and nothing else: the
 * lines joined without their newlines give the payload back. A line ends
 * after a separator where one falls in it (a field to a line, as a screen
 * reader reads it best), else before a space, else after WIDTH characters;
 * never in a space, which an editor could drop. */
static void payload_lines(struct tx *t, const char *s)
{
    char sep = strlen(s) > 7 ? s[7] : 0; /* "ST00012" and the separator */
    size_t n = strlen(s);
    while (n) {
        size_t take = forms_cp_bytes(s, n, WIDTH);
        if (take < n) {
            size_t k = take;
            while (k > 0 && s[k - 1] != sep)
                k--;
            if (!k) {
                k = take;
                while (k > 1 && s[k - 1] != ' ')
                    k--;
                while (k > 1 && s[k - 1] == ' ')
                    k--;
                if (s[k - 1] == ' ' || k <= 1)
                    k = take;
            }
            take = k;
        }
        forms_put(&t->b, s, take);
        forms_put(&t->b, "\n", 1);
        s += take;
        n -= take;
    }
}

static void section5(struct tx *t)
{
    const struct paydoc *d = t->d;
    blank(t);
    P(t, 0, "5. Итого к оплате");
    para(t, 2, arena_printf(t->a, "Итого к оплате за %s", period_name(t, d->period)),
         rub(t, d->total > 0 ? d->total : 0));
    if (d->total < 0)
        P(t, 2, "Переплата %s будет учтена в следующих периодах", rub(t, money_abs(d->total)));
    P(t, 2, "Оплатить до %s", ru_date(t, d->due_on));
    for (int i = 0; i < d->npayees; i++) {
        const struct paydoc_payee *p = &d->payees[i];
        blank(t);
        para(t, 2, arena_printf(t->a, "Получатель платежа %d: %s", i + 1, or_dash(p->name)),
             rub(t, p->sum > 0 ? p->sum : 0));
        char *payload = NULL;
        struct err e = {0};
        if (paydoc_qr_payload(d, i, t->a, &payload, &e) == 0) {
            P(t, 2, "Строка QR-кода (ГОСТ Р 56042-2014):");
            payload_lines(t, payload);
        } else if (e.code == ERR_NOMEM) {
            t->b.oom = true;
        } else {
            P(t, 2, "QR-код не сформирован: %s", e.msg);
        }
    }
}

int paydoc_text(const struct paydoc *d, struct arena *a, char **out, struct err *e)
{
    struct tx t = {.a = a, .d = d};
    header(&t);
    section1(&t);
    section2(&t);
    section3(&t);
    section4(&t);
    section5(&t);
    return forms_finish(&t.b, a, out, e);
}
