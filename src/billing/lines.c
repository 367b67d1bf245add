/* lines.c — amounts and the packed text of statement lines (docs/billing.md
 * "Statement lines"). */
#include "billing/billing.h"

#include "base/money.h"

#include <errno.h>
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
