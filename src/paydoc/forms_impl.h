/* forms_impl.h — what the QR payload (gost.c), the text form (text.c) and
 * the JSON form (json.c) share: UTF-8 measures and a growing text buffer.
 * Private to those files (docs/architecture.md "Private headers"). */
#ifndef UPRAVDOM_PAYDOC_FORMS_IMPL_H
#define UPRAVDOM_PAYDOC_FORMS_IMPL_H

#include "paydoc/paydoc.h"

#include <stdbool.h>
#include <stddef.h>

/* Code points of s's first n bytes (continuation bytes are not counted). */
size_t forms_cp_len(const char *s, size_t n);
/* Bytes of s's first `cps` code points (all of s when it has fewer). */
size_t forms_cp_bytes(const char *s, size_t n, size_t cps);

/* A text grown with realloc; the first failure sets oom and stops writing. */
struct forms_buf {
    char *p;
    size_t len, cap;
    bool oom;
};
void forms_put(struct forms_buf *b, const char *s, size_t n);
void forms_puts(struct forms_buf *b, const char *s);
void forms_printf(struct forms_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text copied into the arena (NUL-terminated) and the buffer freed;
 * ERR_NOMEM on e when writing or copying failed. */
int forms_finish(struct forms_buf *b, struct arena *a, char **out, struct err *e);

/* Copy of s with control characters (below U+0020, and DEL) turned into
 * spaces and the spaces at both ends dropped; NULL when s is NULL or nothing
 * is left. NULL with *oom set when the arena is exhausted. */
char *forms_clean(struct arena *a, const char *s, bool *oom);

#endif
