/* bulk.c — the dialect pieces of batched INSERTs, shared by the registry
 * import and the demo generator: SQLite takes many rows per
 * INSERT … VALUES (…), (…); PostgreSQL takes one array literal per column,
 * expanded by unnest(). */
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_values_sql(char *out, size_t size, const char *head, size_t head_len, int ncols, int rows)
{
    int n = snprintf(out, size, "%.*s VALUES ", (int)head_len, head);
    for (int r = 0, k = 1; r < rows && n >= 0 && (size_t)n < size; r++)
        for (int c = 0; c < ncols && n >= 0 && (size_t)n < size; c++, k++)
            n += snprintf(out + n, size - (size_t)n, "%s$%d%s",
                          c   ? ""
                          : r ? ", ("
                              : "(",
                          k, c + 1 < ncols ? ", " : ")");
    return n >= 0 && (size_t)n < size ? 0 : ERR_INVALID;
}

static int reserve(char **buf, size_t *len, size_t *cap, size_t more)
{
    if (*len + more + 1 <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 4096;
    while (ncap < *len + more + 1)
        ncap *= 2;
    char *p = realloc(*buf, ncap);
    if (!p)
        return ERR_NOMEM;
    *buf = p;
    *cap = ncap;
    return 0;
}

int store_array_append(char **buf, size_t *len, size_t *cap, const struct store_val *v, bool first)
{
    /* The worst case: every character escaped, quotes, separator, NUL. */
    if (reserve(buf, len, cap, v->type == SV_TEXT ? 2 * strlen(v->s) + 4 : 24))
        return ERR_NOMEM;
    char *o = *buf + *len;
    *o++ = first ? '{' : ',';
    switch (v->type) {
    case SV_NULL:
        memcpy(o, "NULL", 4);
        o += 4;
        break;
    case SV_INT: o += sprintf(o, "%" PRId64, v->i); break;
    case SV_TEXT:
        *o++ = '"';
        for (const char *s = v->s; *s; s++) {
            if (*s == '"' || *s == '\\')
                *o++ = '\\';
            *o++ = *s;
        }
        *o++ = '"';
        break;
    }
    *o = '\0';
    *len = (size_t)(o - *buf);
    return 0;
}

int store_array_close(char **buf, size_t *len, size_t *cap)
{
    if (reserve(buf, len, cap, 1))
        return ERR_NOMEM;
    (*buf)[(*len)++] = '}';
    (*buf)[*len] = '\0';
    return 0;
}
