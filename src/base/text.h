/* text.h — UTF-8 text helpers that need Unicode rules (through ICU). */
#ifndef UPRAVDOM_TEXT_H
#define UPRAVDOM_TEXT_H

#include "base/arena.h"

#include <stdbool.h>

/* Lower-cased copy (Unicode rules, so «ЖКХ» → «жкх»), or NULL on bad UTF-8. */
char *text_lower(struct arena *a, const char *s);

/* A LIKE pattern matching s as a lower-cased substring: "%s%" with %, _ and \
 * escaped by '\' (use "LIKE $n ESCAPE '\'"). NULL on bad UTF-8. */
char *text_like_pattern(struct arena *a, const char *s);

/* Drops an incomplete UTF-8 sequence from the end of s: what snprintf leaves
 * when it cuts a Cyrillic message short (a JSON encoder refuses the rest). */
void text_cut_partial(char *s);

/* A collator for the Russian order with numbers by value ("д. 2" before
 * "д. 10"): ICU's "ru" with numeric ordering — the SQLite collation
 * ru_natural, the twin of PostgreSQL's ICU collation of that name. NULL when
 * ICU cannot open it. Not for concurrent use; free with text_collator_free. */
struct text_collator *text_collator_new(void);
void text_collator_free(void *c);
/* <0, 0, >0 as a sorts before, with or after b (UTF-8 of the given lengths). */
int text_collate(struct text_collator *c, const char *a, int alen, const char *b, int blen);

/* True if s is valid UTF-8 without control characters other than \t \n \r. */
bool text_valid(const char *s);

#endif
