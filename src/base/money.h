/* money.h — money as int64_t kopecks (never floating point): parsing decimal
 * ruble amounts, formatting for machines and for people, overflow-checked
 * arithmetic and the project's rounding rule (half-up, symmetric for negative
 * amounts: −0.5 kopeck rounds to −1; PITFALLS.md "Rounding"). Thread-safe.
 *
 * Amounts are limited to ±INT64_MAX kopecks; INT64_MIN is never produced. */
#ifndef UPRAVDOM_MONEY_H
#define UPRAVDOM_MONEY_H

#include <stddef.h>
#include <stdint.h>

/* Buffer sizes (with the NUL) that fit any amount. */
#define MONEY_FMT_SIZE 24     /* "-92233720368547758.07" */
#define MONEY_DISPLAY_SIZE 40 /* "-92 233 720 368 547 758,07" with 3-byte separators */

/* Thousands separator of money_format_display: U+202F NARROW NO-BREAK SPACE,
 * a thin space that never lets a line break split an amount. */
#define MONEY_GROUP_SEP "\xe2\x80\xaf"

/* Parses a ruble amount into kopecks: optional '-', integer digits, optionally
 * '.' or ',' and one or two fraction digits: "1234.5", "1234,50", "-0.01".
 * The integer part may be grouped by threes with a space, U+00A0, U+2009 or
 * U+202F ("12 345,67"). Nothing else is accepted (no '+', no surrounding
 * spaces, no exponent). Returns 0, or ERR_INVALID with *why (if not NULL) set
 * to a Russian message on bad syntax or overflow; *out is untouched then. */
int money_parse(const char *s, int64_t *out, const char **why);

/* Formats kopecks as "1234.50" / "-0.01" (for JSON, CSV, QR codes). Returns 0,
 * or ERR_INVALID when buf is smaller than needed (buf then holds ""). */
int money_format(char *buf, size_t size, int64_t kopecks);

/* Formats kopecks for people: "1 234,50", "-0,01", grouped by MONEY_GROUP_SEP.
 * Returns 0, or ERR_INVALID when buf is too small (buf then holds ""). */
int money_format_display(char *buf, size_t size, int64_t kopecks);

/* *out = a + b; ERR_INVALID on overflow of the money range. */
int money_add(int64_t a, int64_t b, int64_t *out);

/* *out = a - b; ERR_INVALID on overflow of the money range. */
int money_sub(int64_t a, int64_t b, int64_t *out);

/* *out = a·b/c rounded half away from zero (2.5 → 3, −2.5 → −3), computed
 * exactly in 128 bits, e.g. volume × tariff / scale. ERR_INVALID when c == 0
 * or the result is outside the money range; *out is untouched then. */
int money_mul_div_round(int64_t a, int64_t b, int64_t c, int64_t *out);

/* |kopecks| for display; INT64_MIN (no real amount) gives INT64_MAX instead
 * of overflowing. */
static inline int64_t money_abs(int64_t kopecks)
{
    return kopecks >= 0 ? kopecks : kopecks == INT64_MIN ? INT64_MAX : -kopecks;
}

#endif
