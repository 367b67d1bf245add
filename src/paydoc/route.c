/* route.c — the delivery route of print batches (docs/paydoc.md "Print
 * batches"): a house address split into the street and the house number,
 * the natural order of numbers («1, 2, 10, 10а»), and a street's stable ASCII
 * key for file names. Pure functions of their arguments; thread-safe. */
#include "paydoc/paydoc.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- UTF-8 ---- */

/* The code point at *p (advancing past it); a malformed byte is taken as
 * itself, so every input advances. */
static uint32_t next_cp(const unsigned char **p)
{
    const unsigned char *s = *p;
    uint32_t c = s[0];
    int n = c < 0x80             ? 0
            : (c & 0xe0) == 0xc0 ? 1
            : (c & 0xf0) == 0xe0 ? 2
            : (c & 0xf8) == 0xf0 ? 3
                                 : -1;
    if (n <= 0) {
        *p = s + 1;
        return c;
    }
    c &= 0x3f >> n;
    for (int i = 1; i <= n; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            *p = s + 1;
            return s[0];
        }
        c = c << 6 | (s[i] & 0x3f);
    }
    *p = s + n + 1;
    return c;
}

/* Russian letters in alphabetical order (ё after е), lower case. */
static int ru_index(uint32_t c)
{
    if (c >= 0x410 && c <= 0x42f)
        c += 0x20;
    if (c == 0x401)
        c = 0x451;
    if (c == 0x451)
        return 6; /* ё */
    if (c >= 0x430 && c <= 0x435)
        return (int)(c - 0x430);
    if (c >= 0x436 && c <= 0x44f)
        return (int)(c - 0x430) + 1;
    return -1;
}

/* A letter's weight for ordering: case-insensitive Latin, then Russian in
 * alphabetical order, other characters by code point before both. */
static uint32_t weight(uint32_t c)
{
    if (c >= 'A' && c <= 'Z')
        c += 32;
    int ru = ru_index(c);
    if (ru >= 0)
        return 0x200000 + (uint32_t)ru;
    if (c >= 'a' && c <= 'z')
        return 0x100000 + c;
    return c;
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

int paydoc_natural_cmp(const char *a, const char *b)
{
    if (!a || !b)
        return a ? -1 : b ? 1 : 0;
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    while (*p && *q) {
        if (is_digit(*p) && is_digit(*q)) {
            while (*p == '0' && is_digit(p[1]))
                p++;
            while (*q == '0' && is_digit(q[1]))
                q++;
            size_t np = 0, nq = 0;
            while (is_digit(p[np]))
                np++;
            while (is_digit(q[nq]))
                nq++;
            if (np != nq)
                return np < nq ? -1 : 1;
            int d = memcmp(p, q, np);
            if (d)
                return d < 0 ? -1 : 1;
            p += np;
            q += nq;
            continue;
        }
        /* A number before a letter: «10» < «10а» is the prefix rule below,
         * «10 » < «1а» would not be natural, so digits sort first. */
        if (is_digit(*p) != is_digit(*q))
            return is_digit(*p) ? -1 : 1;
        uint32_t wp = weight(next_cp(&p)), wq = weight(next_cp(&q));
        if (wp != wq)
            return wp < wq ? -1 : 1;
    }
    if (*p || *q)
        return *p ? 1 : -1;
    int d = strcmp(a, b); /* equal but for case or leading zeros: still a total order */
    return d < 0 ? -1 : d > 0;
}

/* ---- the address ---- */

static const char *skip_space(const char *s, const char *end)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    return s;
}

static bool starts(const char *s, const char *end, const char *word)
{
    size_t n = strlen(word);
    return (size_t)(end - s) >= n && memcmp(s, word, n) == 0;
}

/* Whether the component [s, end) contains a word of the region's name. */
static bool is_region(const char *s, const char *end)
{
    static const char *const words[] = {"обл.",       "обл",
                                        "область",    "край",
                                        "респ.",      "Респ.",
                                        "Республика", "республика",
                                        "АО",         "автономный округ",
                                        "г. Москва",  "г. Санкт-Петербург",
                                        NULL};
    for (const char *const *w = words; *w; w++) {
        size_t n = strlen(*w);
        for (const char *p = s; p + n <= end; p++) {
            bool before = p == s || p[-1] == ' ';
            bool after = p + n == end || p[n] == ' ';
            if (before && after && memcmp(p, *w, n) == 0)
                return true;
        }
    }
    return false;
}

static bool is_postcode(const char *s, const char *end)
{
    if (end - s != 6)
        return false;
    for (; s < end; s++)
        if (!is_digit((unsigned char)*s))
            return false;
    return true;
}

/* Where the house number of component [s, end) starts, or NULL when the
 * component is not a house number: «д. 12к1», «дом 5», «вл. 3», «12», «3/1»,
 * «12 корп. 1» — not «1-я Парковая ул.» nor «д. Ивановка». */
static const char *number_of(const char *s, const char *end)
{
    static const char *const prefixes[] = {"д.", "дом", "влд.", "вл.", NULL};
    for (const char *const *w = prefixes; *w; w++)
        if (starts(s, end, *w)) {
            const char *n = skip_space(s + strlen(*w), end);
            if (n < end && is_digit((unsigned char)*n) &&
                (n > s + strlen(*w) || (*w)[strlen(*w) - 1] == '.'))
                return n;
        }
    if (s >= end || !is_digit((unsigned char)*s))
        return NULL;
    const char *p = s;
    while (p < end && *p != ' ')
        p++;
    if (p == end)
        return s;
    p = skip_space(p, end);
    static const char *const parts[] = {"корп", "к.", "стр", "лит", NULL};
    for (const char *const *w = parts; *w; w++)
        if (starts(p, end, *w))
            return s;
    return NULL;
}

int paydoc_address_split(const char *address, struct arena *a, struct paydoc_address *out)
{
    *out = (struct paydoc_address){0};
    if (!address)
        return 0;
    enum {
        MAX_PARTS = 32
    };
    const char *from[MAX_PARTS], *to[MAX_PARTS];
    int n = 0;
    for (const char *p = address; *p && n < MAX_PARTS;) {
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        const char *s = skip_space(p, end), *e = end;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (e > s) {
            from[n] = s;
            to[n++] = e;
        }
        p = comma ? comma + 1 : end;
    }
    int first = 0;
    while (first < n - 1 &&
           (is_postcode(from[first], to[first]) || is_region(from[first], to[first])))
        first++;
    int num = -1;
    const char *digits = NULL;
    for (int i = first; i < n && num < 0; i++)
        if ((digits = number_of(from[i], to[i])) != NULL && (i > first || n - first == 1))
            num = i;
    int street_end = num < 0 ? n : num;
    if (street_end > first) {
        size_t len = (size_t)(to[street_end - 1] - from[first]);
        /* The components as written, commas and all. */
        if (!(out->street = arena_strndup(a, from[first], len)))
            return ERR_NOMEM;
    }
    if (num >= 0) {
        size_t len = (size_t)(to[n - 1] - digits);
        if (!(out->number = arena_strndup(a, digits, len)))
            return ERR_NOMEM;
    }
    return 0;
}

/* ---- the street's file-name key ---- */

/* Latin letters of a Russian letter (a simplified ГОСТ 7.79 Б, lower case). */
static const char *const latin[] = {
    "a", "b", "v", "g", "d", "e",  "e",  "zh", "z",  "i",    "y", "k", "l", "m", "n",  "o", "p",
    "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "",  "y", "",  "e", "yu", "ya"};

char *paydoc_street_key(const char *street, char *out, size_t size)
{
    size_t n = 0;
    bool dash = false; /* a separator is pending */
    const unsigned char *p = (const unsigned char *)(street ? street : "");
    const size_t max = size - 1 < 80 ? size - 1 : 80;
    while (*p && n < max) {
        uint32_t c = next_cp(&p);
        char one[2] = {0};
        const char *t = NULL;
        int ru = ru_index(c);
        if (ru >= 0)
            t = latin[ru];
        else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            t = (one[0] = (char)c, one);
        else if (c >= 'A' && c <= 'Z')
            t = (one[0] = (char)(c + 32), one);
        if (!t) {
            dash = n > 0;
            continue;
        }
        if (!*t)
            continue; /* ъ, ь */
        size_t len = strlen(t);
        if (n + (dash ? 1 : 0) + len > max)
            break;
        if (dash)
            out[n++] = '-';
        dash = false;
        memcpy(out + n, t, len);
        n += len;
    }
    out[n] = '\0';
    if (!n)
        snprintf(out, size, "no-street");
    return out;
}

/* ---- the route's order ---- */

int paydoc_stop_cmp(const struct paydoc_stop *a, const struct paydoc_stop *b)
{
    if (a->org_id != b->org_id)
        return a->org_id < b->org_id ? -1 : 1;
    int c = paydoc_natural_cmp(a->municipality, b->municipality);
    if (c)
        return c;
    if (a->municipality_id != b->municipality_id)
        return a->municipality_id < b->municipality_id ? -1 : 1;
    if (!a->house_id != !b->house_id) /* the accounts without a house last */
        return a->house_id ? -1 : 1;
    if ((c = strcmp(a->key ? a->key : "", b->key ? b->key : "")))
        return c;
    if ((c = paydoc_natural_cmp(a->address.number, b->address.number)))
        return c;
    if ((c = paydoc_natural_cmp(a->address.street, b->address.street)))
        return c;
    return a->house_id < b->house_id ? -1 : a->house_id > b->house_id;
}
