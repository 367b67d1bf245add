#include "base/text.h"

#include <string.h>
#include <unicode/ucol.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

char *text_lower(struct arena *a, const char *s)
{
    UErrorCode st = U_ZERO_ERROR;
    int32_t n16 = 0, len = (int32_t)strlen(s);
    u_strFromUTF8(NULL, 0, &n16, s, len, &st);
    if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st))
        return NULL;
    UChar *src = arena_alloc(a, sizeof(UChar) * ((size_t)n16 + 1));
    UChar *low = arena_alloc(a, sizeof(UChar) * ((size_t)n16 * 2 + 1));
    char *out = arena_alloc(a, (size_t)len * 3 + 1);
    if (!src || !low || !out)
        return NULL;
    st = U_ZERO_ERROR;
    u_strFromUTF8(src, n16 + 1, NULL, s, len, &st);
    int32_t nlow = u_strToLower(low, n16 * 2 + 1, src, n16, "ru", &st);
    u_strToUTF8(out, len * 3 + 1, NULL, low, nlow, &st);
    return U_FAILURE(st) ? NULL : out;
}

char *text_like_pattern(struct arena *a, const char *s)
{
    char *low = text_lower(a, s);
    if (!low)
        return NULL;
    char *out = arena_alloc(a, strlen(low) * 2 + 3), *p = out;
    if (!out)
        return NULL;
    *p++ = '%';
    for (const char *q = low; *q; q++) {
        if (*q == '%' || *q == '_' || *q == '\\')
            *p++ = '\\';
        *p++ = *q;
    }
    *p++ = '%';
    *p = '\0';
    return out;
}

bool text_valid(const char *s)
{
    int32_t len = (int32_t)strlen(s), i = 0;
    while (i < len) {
        UChar32 c;
        U8_NEXT(s, i, len, c);
        if (c < 0 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
            return false;
    }
    return true;
}

void text_cut_partial(char *s)
{
    size_t n = strlen(s), i = n;
    while (i > 0 && n - i < 4 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
        i--; /* back over continuation bytes to the lead byte */
    if (i == 0)
        return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t want = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (lead >= 0x80 && n - (i - 1) < want)
        s[i - 1] = '\0';
}

struct text_collator *text_collator_new(void)
{
    UErrorCode st = U_ZERO_ERROR;
    UCollator *c = ucol_open("ru", &st);
    if (U_SUCCESS(st))
        ucol_setAttribute(c, UCOL_NUMERIC_COLLATION, UCOL_ON, &st);
    if (U_FAILURE(st)) {
        ucol_close(c);
        return NULL;
    }
    return (struct text_collator *)c;
}

void text_collator_free(void *c)
{
    ucol_close(c);
}

int text_collate(struct text_collator *c, const char *a, int alen, const char *b, int blen)
{
    UErrorCode st = U_ZERO_ERROR;
    UCollationResult r = ucol_strcollUTF8((UCollator *)c, a, alen, b, blen, &st);
    if (U_FAILURE(st)) { /* bad UTF-8: the bytes decide, still a total order */
        int k = memcmp(a, b, (size_t)(alen < blen ? alen : blen));
        return k ? k : alen - blen;
    }
    return r == UCOL_LESS ? -1 : r == UCOL_GREATER ? 1 : 0;
}
