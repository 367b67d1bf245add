/* lines.c — amounts, the packed text of statement lines (docs/billing.md
 * "Statement lines") and the lines' names and explanations in words. */
#include "billing/billing.h"

#include "base/money.h"
#include "base/text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bill_amount(int64_t quantity, int64_t price, int64_t *kopecks)
{
    return money_mul_div_round(quantity, price, (int64_t)BILL_QTY_SCALE * BILL_PRICE_SCALE,
                               kopecks);
}

/* Writes " v" (a space and the decimal) at p; returns the end. */
static char *put_int(char *p, int64_t v)
{
    char tmp[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do
        tmp[n++] = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    *p++ = ' ';
    if (v < 0)
        *p++ = '-';
    while (n)
        *p++ = tmp[--n];
    return p;
}

size_t bill_lines_write(const struct bill_line *lines, int n, char *buf)
{
    char *p = buf;
    for (int i = 0; i < n; i++) {
        const struct bill_line *l = &lines[i];
        const int64_t tail[] = {l->ref, l->a, l->b, l->c, l->d};
        int last = 5; /* trailing zero fields are omitted */
        while (last > 0 && tail[last - 1] == 0)
            last--;
        *p++ = l->kind;
        *p++ = ' ';
        *p++ = l->method;
        p = put_int(p, l->service_id);
        p = put_int(p, l->quantity);
        p = put_int(p, l->price);
        p = put_int(p, l->amount);
        for (int k = 0; k < last; k++)
            p = put_int(p, tail[k]);
        *p++ = '\n';
    }
    *p = '\0';
    return (size_t)(p - buf);
}

int bill_lines_pack(const struct bill_line *lines, int n, struct arena *a, char **out,
                    struct err *e)
{
    char *buf = arena_alloc(a, (size_t)n * BILL_LINE_TEXT_MAX + 1);
    if (!buf)
        return err_set(e, ERR_NOMEM, "out of memory");
    bill_lines_write(lines, n, buf);
    *out = buf;
    return 0;
}

static bool kind_valid(char k)
{
    return k == LINE_CHARGE || k == LINE_CORRECTION || k == LINE_PENALTY || k == LINE_CASHBACK;
}

static bool method_valid(char m)
{
    return m && strchr("ARFMVNK-", m);
}

/* Parses one line (without its '\n'); false when malformed. */
static bool parse_line(const char *p, const char *end, struct bill_line *l)
{
    if (end - p < 3 || !kind_valid(p[0]) || p[1] != ' ' || !method_valid(p[2]))
        return false;
    l->kind = p[0];
    l->method = p[2];
    p += 3;
    int64_t *fields[] = {&l->service_id, &l->quantity, &l->price, &l->amount, &l->ref,
                         &l->a,          &l->b,        &l->c,     &l->d};
    int k = 0;
    while (p < end) {
        if (*p != ' ' || k == 9 || !(p[1] == '-' || (p[1] >= '0' && p[1] <= '9')))
            return false;
        char *next;
        errno = 0;
        long long v = strtoll(p + 1, &next, 10);
        if (errno || next == p + 1 || next > end || (next < end && *next != ' '))
            return false;
        *fields[k++] = v;
        p = next;
    }
    return k >= 4;
}

int bill_lines_unpack(const char *text, struct arena *a, struct bill_line **lines, int *n,
                      struct err *e)
{
    int count = 0;
    for (const char *p = text; *p; p++)
        count += *p == '\n';
    struct bill_line *out = arena_alloc(a, sizeof *out * (size_t)(count ? count : 1));
    if (!out)
        return err_set(e, ERR_NOMEM, "out of memory");
    int i = 0;
    for (const char *p = text; *p; i++) {
        const char *end = strchr(p, '\n');
        if (!end || !parse_line(p, end, &out[i]))
            return err_set(e, ERR_INVALID, "statement lines: line %d is malformed", i + 1);
        p = end + 1;
    }
    *lines = out;
    *n = i;
    return 0;
}

const char *bill_kind_name(char kind)
{
    return kind == LINE_CHARGE       ? "charge"
           : kind == LINE_CORRECTION ? "correction"
           : kind == LINE_PENALTY    ? "penalty"
                                     : "cashback";
}

const char *bill_method_name(char method)
{
    switch (method) {
    case METHOD_AREA: return "area";
    case METHOD_RESIDENTS: return "residents";
    case METHOD_FIXED: return "fixed";
    case METHOD_METER: return "meter";
    case METHOD_AVERAGE: return "average";
    case METHOD_NORM: return "norm";
    case METHOD_NORM_RAISED: return "norm_raised";
    default: return NULL;
    }
}

/* snprintf that reports a cut and never leaves half a UTF-8 character. */
static int put_text(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int put_text(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < size)
        return 0;
    if (size)
        text_cut_partial(buf);
    return ERR_INVALID;
}

/* How a charge was found, in words (the document's «способ расчёта»). */
static int explain_charge(const struct bill_line *l, char *buf, size_t size)
{
    switch (l->method) {
    case METHOD_AREA: return put_text(buf, size, "по площади помещения");
    case METHOD_RESIDENTS: return put_text(buf, size, "по числу зарегистрированных");
    case METHOD_FIXED: return put_text(buf, size, "фиксированно за лицевой счёт");
    case METHOD_METER: return put_text(buf, size, "по показаниям прибора учёта");
    case METHOD_AVERAGE:
        return put_text(buf, size, "по среднему потреблению (ПП 354 п. 59), %lld-й период подряд",
                        (long long)l->a);
    case METHOD_NORM:
        return put_text(buf, size, "по нормативу × зарегистрированные (ПП 354 п. 60)");
    default:
        return put_text(buf, size,
                        "по нормативу × зарегистрированные × повышающий коэффициент "
                        "(ПП 354 п. 42)");
    }
}

int bill_line_explain(const struct bill_line *l, const char *reason, char *buf, size_t size)
{
    char base[MONEY_DISPLAY_SIZE];
    switch (l->kind) {
    case LINE_CHARGE: return explain_charge(l, buf, size);
    case LINE_CORRECTION: return put_text(buf, size, "перерасчёт: %s", reason ? reason : "");
    case LINE_PENALTY:
        money_format_display(base, sizeof base, l->a);
        return put_text(
            buf, size,
            "пени (ЖК РФ ст. 155 ч. 14) на долг %s ₽: %lld дн. × 1/300 и "
            "%lld дн. × 1/130 ставки %lld,%02lld %%",
            base, (long long)l->b, (long long)l->c, (long long)(l->d / 100),
            (long long)(l->d % 100));
    default: return put_text(buf, size, "кешбэк за своевременную полную оплату");
    }
}
