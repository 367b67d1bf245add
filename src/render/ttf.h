/* ttf.h — a TrueType font made lean for embedding in PDF files. libharu
 * embeds the glyphs a document uses with their hinting programs, which are
 * two thirds of PT Sans's glyph data (143 of 213 KB) and which nothing that
 * prints or shows a PDF at its own resolution needs, and with the font's
 * whole 'cmap', 'name' and 'post' tables. ttf_lean() keeps the outlines and
 * metrics; the cmap maps Latin, Cyrillic and the common punctuation and
 * signs in three segments (libharu walks the segments for every code point
 * of the BMP when a document loads the font: 96 of them cost 2.3 ms a
 * document); the name table keeps IDs 0–6 (copyright, names, version). */
#ifndef UPRAVDOM_RENDER_TTF_H
#define UPRAVDOM_RENDER_TTF_H

#include <stddef.h>

/* From the font file's bytes, a font with the tables libharu writes into a
 * PDF (OS/2 cmap cvt fpgm glyf head hhea hmtx loca maxp name post prep):
 * every glyph without its instructions, the cmap and name tables above,
 * 'post' as format 3 (no glyph names), checksums recomputed. *out is malloc'ed. 0, or -1 when the
 * font is not a TrueType font this code understands (the caller then embeds the original). */
int ttf_lean(const unsigned char *in, size_t n, unsigned char **out, size_t *out_len);

#endif
