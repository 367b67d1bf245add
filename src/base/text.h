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

/* True if s is valid UTF-8 without control characters other than \t \n \r. */
bool text_valid(const char *s);

#endif
