/* qr.h — QR code matrices through libqrencode: 8-bit mode (the text's bytes
 * as they are: UTF-8 stays UTF-8, case kept — PITFALLS.md), error correction
 * level M (DOMAIN.md §3), the smallest version that holds the text. Drawing
 * is the caller's (a PDF page, an SVG, the JSON form). */
#ifndef UPRAVDOM_RENDER_QR_H
#define UPRAVDOM_RENDER_QR_H

#include "base/arena.h"
#include "base/err.h"

struct qr {
    int size;                     /* modules per side, without the quiet zone */
    const unsigned char *modules; /* size × size, row by row: 1 dark, 0 light */
};

/* ERR_INVALID when the text is empty or too long for a QR code. The modules
 * live in the arena. */
int qr_encode(const char *text, struct arena *a, struct qr *out, struct err *e);

#endif
