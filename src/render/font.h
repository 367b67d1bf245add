/* font.h — the font embedded in our PDFs, made lean once per process by
 * HarfBuzz's subsetter (hb-subset, Debian's libharfbuzz-subset): the glyphs
 * of the characters a payment document can hold (Latin, Latin-1 and
 * Extended-A, Cyrillic, punctuation, currency, №, math signs), renumbered;
 * no hinting programs (two thirds of PT Sans's glyph data, and nothing that
 * prints or shows a PDF at its own resolution needs them); a cmap of a few
 * segments (libharu walks them for every code point when a document loads
 * the font); the name table's IDs 0–6; 'post' without glyph names. libharu
 * then embeds only the glyphs a document uses. A character outside the set
 * prints as the font's empty glyph. */
#ifndef UPRAVDOM_RENDER_FONT_H
#define UPRAVDOM_RENDER_FONT_H

#include <stddef.h>

/* The lean font from the TrueType file at path, in *out (malloc'ed, *len
 * bytes). -1 when the file cannot be read or subset (the caller embeds the
 * file itself). */
int font_lean(const char *path, unsigned char **out, size_t *len);

#endif
