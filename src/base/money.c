/* money.c — kopeck parsing, formatting and rounding. */
#include "base/money.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"

__extension__ typedef __int128 i128;

static int fail(const char **why, const char *msg)
{
    if (why)
        *why = msg;
    return ERR_INVALID;
}

/* Length in bytes of a thousands separator starting at p, or 0: a space,
 * U+00A0 NO-BREAK SPACE, U+2009 THIN SPACE or U+202F NARROW NO-BREAK SPACE. */
static size_t group_sep(const char *p)
{
    if (p[0] == ' ')
        return 1;
    if (p[0] == '\xc2' && p[1] == '\xa0')
        return 2;
    if (p[0] == '\xe2' && p[1] == '\x80' && (p[2] == '\x89' || p[2] == '\xaf'))
        return 3;
    return 0;
}

int money_parse(const char *s, int64_t *out, const char **why)
{
    static const char *bad = "Сумма: неверный формат числа";
    static const char *big = "Сумма: слишком большое значение";
    if (!s || !*s)
        return fail(why, "Сумма: не указана");

    const char *p = s;
    bool neg = *p == '-';
    if (neg)
        p++;

    /* Integer part; groups after a separator must have exactly 3 digits and
     * the first group at most 3, so "1 2" and "1234 567" are rejected. */
    int64_t rubles = 0;
    int group = 0;
    bool grouped = false;
    for (;;) {
        size_t sep;
        if (*p >= '0' && *p <= '9') {
            if (__builtin_mul_overflow(rubles, 10, &rubles) ||
                __builtin_add_overflow(rubles, *p - '0', &rubles))
                return fail(why, big);
            group++;
            p++;
        } else if ((sep = group_sep(p)) > 0) {
            if (group == 0 || group > 3 || (grouped && group != 3))
                return fail(why, bad);
            grouped = true;
            group = 0;
            p += sep;
        } else {
            break;
        }
    }
    if (group == 0 || (grouped && group != 3))
        return fail(why, bad);

    /* Fraction: one or two digits after '.' or ','. */
    int64_t frac = 0;
    if (*p == '.' || *p == ',') {
        p++;
        int n = 0;
        for (; *p >= '0' && *p <= '9'; p++, n++) {
            if (n == 2)
                return fail(why, "Сумма: не более двух знаков после запятой");
            frac = frac * 10 + (*p - '0');
        }
        if (n == 0)
            return fail(why, bad);
        if (n == 1)
            frac *= 10;
    }
    if (*p != '\0')
        return fail(why, bad);

    int64_t kop;
    if (__builtin_mul_overflow(rubles, 100, &kop) || __builtin_add_overflow(kop, frac, &kop))
        return fail(why, big);
    *out = neg ? -kop : kop;
    return 0;
}

/* |k| without overflow, also for INT64_MIN. */
static uint64_t magnitude(int64_t k)
{
    return k < 0 ? (uint64_t)(-(k + 1)) + 1 : (uint64_t)k;
}

int money_format(char *buf, size_t size, int64_t kopecks)
{
    uint64_t m = magnitude(kopecks);
    int n = snprintf(buf, size, "%s%" PRIu64 ".%02u", kopecks < 0 ? "-" : "", m / 100,
                     (unsigned)(m % 100));
    if (n < 0 || (size_t)n >= size) {
        if (size > 0)
            buf[0] = '\0';
        return ERR_INVALID;
    }
    return 0;
}

int money_format_display(char *buf, size_t size, int64_t kopecks)
{
    char tmp[MONEY_DISPLAY_SIZE];
    char digits[24];
    uint64_t m = magnitude(kopecks);
    int nd = snprintf(digits, sizeof digits, "%" PRIu64, m / 100);
    size_t sep_len = strlen(MONEY_GROUP_SEP);
    size_t t = 0;

    if (kopecks < 0)
        tmp[t++] = '-';
    for (int i = 0; i < nd; i++) {
        /* A separator before every group of three counted from the right. */
        if (i > 0 && (nd - i) % 3 == 0) {
            memcpy(tmp + t, MONEY_GROUP_SEP, sep_len);
            t += sep_len;
        }
        tmp[t++] = digits[i];
    }
    tmp[t++] = ',';
    tmp[t++] = (char)('0' + m % 100 / 10);
    tmp[t++] = (char)('0' + m % 10);
    tmp[t] = '\0';

    if (t >= size) {
        if (size > 0)
            buf[0] = '\0';
        return ERR_INVALID;
    }
    memcpy(buf, tmp, t + 1);
    return 0;
}

int money_add(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r) || r == INT64_MIN)
        return ERR_INVALID;
    *out = r;
    return 0;
}

int money_sub(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;
    if (__builtin_sub_overflow(a, b, &r) || r == INT64_MIN)
        return ERR_INVALID;
    *out = r;
    return 0;
}

int money_mul_div_round(int64_t a, int64_t b, int64_t c, int64_t *out)
{
    if (c == 0)
        return ERR_INVALID;
    /* |a·b| <= 2^126, so the product and everything below fit in 128 bits. */
    i128 p = (i128)a * b;
    i128 q = p / c; /* truncates toward zero */
    i128 r = p % c; /* same sign as p */
    i128 abs_r = r < 0 ? -r : r;
    i128 abs_c = c < 0 ? -(i128)c : (i128)c;
    /* Half or more of the divisor left over: one more unit away from zero. */
    if (2 * abs_r >= abs_c)
        q += ((p < 0) != (c < 0)) ? -1 : 1;
    if (q > INT64_MAX || q < -(i128)INT64_MAX)
        return ERR_INVALID;
    *out = (int64_t)q;
    return 0;
}
