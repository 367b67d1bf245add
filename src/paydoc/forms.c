/* forms.c — UTF-8 measures and the text buffer shared by the QR payload and
 * the text and JSON forms (forms_impl.h). */
#include "paydoc/forms_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t forms_cp_len(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xc0) != 0x80;
    return k;
}

size_t forms_cp_bytes(const char *s, size_t n, size_t cps)
{
    size_t i = 0, k = 0;
    for (; i < n; i++) {
        if (((unsigned char)s[i] & 0xc0) != 0x80) {
            if (k == cps)
                break;
            k++;
        }
    }
    return i;
}

static bool grow(struct forms_buf *b, size_t more)
{
    if (b->oom)
        return false;
    if (b->len + more + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

void forms_put(struct forms_buf *b, const char *s, size_t n)
{
    if (!grow(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void forms_puts(struct forms_buf *b, const char *s)
{
    forms_put(b, s, strlen(s));
}

void forms_printf(struct forms_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = true;
        return;
    }
    if (!grow(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

int forms_finish(struct forms_buf *b, struct arena *a, char **out, struct err *e)
{
    char *s = b->oom ? NULL : arena_strndup(a, b->p ? b->p : "", b->len);
    free(b->p);
    *b = (struct forms_buf){0};
    if (!s)
        return err_set(e, ERR_NOMEM, "платёжный документ: нет памяти");
    *out = s;
    return 0;
}

char *forms_clean(struct arena *a, const char *s, bool *oom)
{
    if (!s)
        return NULL;
    while (*s == ' ' || ((unsigned char)*s < 0x20 && *s) || *s == 0x7f)
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || (unsigned char)s[n - 1] < 0x20 || s[n - 1] == 0x7f))
        n--;
    if (!n)
        return NULL;
    char *c = arena_strndup(a, s, n);
    if (!c) {
        *oom = true;
        return NULL;
    }
    for (char *p = c; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    return c;
}
