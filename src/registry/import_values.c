/* import_values.c — the values of the import's fields: trimming and
 * folding of words, whole numbers, areas in hundredths of m², coordinates in
 * millionths of a degree, dates, share fractions (summed exactly in 128 bits)
 * and plain text. Pure functions: no database, no state. */
#include "registry/import_impl.h"

#include "base/money.h"

#include <stdio.h>
#include <string.h>

#define AREA_MAX 10000000000 /* 10^8 m² in hundredths: no building is larger */

/* ------------------------------------------------------------------ values */

/* Trims ASCII white space and U+00A0 around s, in place. */
char *trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' ||
           ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xa0))
        s += *s == '\xc2' ? 2 : 1;
    size_t n = strlen(s);
    for (;;) {
        if (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
            n--;
        else if (n > 1 && (unsigned char)s[n - 2] == 0xc2 && (unsigned char)s[n - 1] == 0xa0)
            n -= 2;
        else
            break;
    }
    s[n] = '\0';
    return s;
}

/* Lower-cases Latin and Cyrillic letters (А-Я, Ё) of s into out; other
 * characters are copied. Enough for the fixed words of the files (column
 * names, МКД, ЮЛ, собственность …), without a trip through ICU per row.
 * Runs of spaces become one '_' when spaces_to_underscore. */
void fold(const char *s, char *out, size_t size, bool spaces_to_underscore)
{
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && n + 3 < size) {
        if (*p >= 'A' && *p <= 'Z') {
            out[n++] = (char)(*p++ + 32);
        } else if (*p == ' ' && spaces_to_underscore) {
            while (*p == ' ')
                p++;
            out[n++] = '_';
        } else if (p[0] == 0xd0 && p[1] >= 0x90 && p[1] <= 0x9f) { /* А-П → а-п */
            out[n++] = (char)0xd0, out[n++] = (char)(p[1] + 0x20), p += 2;
        } else if (p[0] == 0xd0 && p[1] >= 0xa0 && p[1] <= 0xaf) { /* Р-Я → р-я */
            out[n++] = (char)0xd1, out[n++] = (char)(p[1] - 0x20), p += 2;
        } else if (p[0] == 0xd0 && p[1] == 0x81) { /* Ё → ё */
            out[n++] = (char)0xd1, out[n++] = (char)0x91, p += 2;
        } else {
            out[n++] = (char)*p++;
        }
    }
    out[n] = '\0';
}

/* Index of s in words (case-insensitive; words written with '_' for
 * spaces), or -1. */
int word_index(const char *s, const char *const *words)
{
    char f[128];
    fold(s, f, sizeof f, true);
    for (int i = 0; words[i]; i++)
        if (strcmp(f, words[i]) == 0)
            return i;
    return -1;
}

/* A whole number in [min, max]; false on anything else. */
bool parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    const char *p = s;
    bool neg = *p == '-';
    if (neg)
        p++;
    if (!*p)
        return false;
    int64_t v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || v > (INT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (*p - '0');
    }
    v = neg ? -v : v;
    if (v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* An area in m² with up to two decimals ("52,3", "1 204.50") into hundredths. */
bool parse_area(const char *s, int64_t *out)
{
    int64_t v;
    if (money_parse(s, &v, NULL) != 0 || v < 0 || v > AREA_MAX)
        return false;
    *out = v;
    return true;
}

/* Degrees with up to six decimals into millionths, |value| <= limit. */
bool parse_coord(const char *s, int64_t limit, int64_t *out)
{
    const char *p = s;
    bool neg = *p == '-';
    if (neg)
        p++;
    int64_t whole = 0, frac = 0;
    int nd = 0, nf = 0;
    for (; *p >= '0' && *p <= '9'; p++, nd++)
        if ((whole = whole * 10 + (*p - '0')) > 1000)
            return false;
    if (*p == '.' || *p == ',') {
        for (p++; *p >= '0' && *p <= '9'; p++) {
            if (++nf > 6)
                return false;
            frac = frac * 10 + (*p - '0');
        }
    }
    if (*p || nd == 0)
        return false;
    for (int i = nf; i < 6; i++)
        frac *= 10;
    int64_t v = whole * 1000000 + frac;
    if (v > limit * 1000000)
        return false;
    *out = neg ? -v : v;
    return true;
}

/* A date "YYYY-MM-DD" or "DD.MM.YYYY" into out as "YYYY-MM-DD". */
bool parse_date(const char *s, char out[DATE_STR_SIZE])
{
    char iso[DATE_STR_SIZE];
    if (strlen(s) == 10 && s[2] == '.' && s[5] == '.') {
        snprintf(iso, sizeof iso, "%.4s-%.2s-%.2s", s + 6, s + 3, s);
        s = iso;
    }
    struct date d;
    if (date_parse(s, &d, NULL) != 0)
        return false;
    memcpy(out, s, DATE_STR_SIZE); /* date_parse takes exactly YYYY-MM-DD */
    return true;
}

/* A share "n/d" with 0 < n <= d <= 10^15 (a bare "1" is 1/1). */
bool parse_share(const char *s, int64_t *num, int64_t *den)
{
    const char *slash = strchr(s, '/');
    char a[32];
    if (!slash)
        return strcmp(s, "1") == 0 && (*num = *den = 1);
    size_t n = (size_t)(slash - s);
    if (n == 0 || n >= sizeof a)
        return false;
    memcpy(a, s, n);
    a[n] = '\0';
    int64_t x, y;
    if (!parse_int(trim(a), 1, 1000000000000000, &x))
        return false;
    char b[32];
    snprintf(b, sizeof b, "%s", slash + 1);
    if (!parse_int(trim(b), 1, 1000000000000000, &y) || x > y)
        return false;
    *num = x;
    *den = y;
    return true;
}

static i128 gcd128(i128 a, i128 b)
{
    while (b) {
        i128 t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* sn/sd += n/d exactly, reduced. False if the sum no longer fits. */
bool share_add(i128 *sn, i128 *sd, int64_t n, int64_t d)
{
    i128 a, b, den;
    if (__builtin_mul_overflow(*sn, (i128)d, &a) || __builtin_mul_overflow((i128)n, *sd, &b) ||
        __builtin_add_overflow(a, b, &a) || __builtin_mul_overflow(*sd, (i128)d, &den))
        return false;
    i128 g = gcd128(a, den);
    *sn = a / g;
    *sd = den / g;
    return true;
}

/* Text of a fraction held in 128 bits (for messages). */
const char *share_text(struct arena *a, i128 n, i128 d)
{
    char buf[96], *p = buf + sizeof buf;
    *--p = '\0';
    for (int part = 0; part < 2; part++) {
        i128 v = part == 0 ? d : n;
        do {
            *--p = (char)('0' + (int)(v % 10));
            v /= 10;
        } while (v);
        if (part == 0)
            *--p = '/';
    }
    return arena_strdup(a, p);
}

/* Text a user can read: no control characters, at most max bytes. (The CSV
 * reader hands out valid UTF-8 only: the file was checked or converted.) */
bool plain_text(const char *s, size_t max)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++, n++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return n <= max;
}

/* Equal texts, NULL equal to NULL only. */
bool same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}
