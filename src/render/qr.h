/* qr.h — QR code matrices through libqrencode: 8-bit mode (the bytes as they
 * are: UTF-8 stays UTF-8, windows-1251 stays windows-1251, case kept — PITFALLS.md), error
 * correction level L (docs/paydoc.md "QR payload": the smallest code, the largest modules in the
 * printed square), the smallest version that holds the data. Drawing is the caller's (a PDF page,
 * an SVG, the JSON form). */
#ifndef UPRAVDOM_RENDER_QR_H
#define UPRAVDOM_RENDER_QR_H

#include "base/arena.h"
#include "base/err.h"

struct qr {
    int size;                     /* modules per side, without the quiet zone */
    const unsigned char *modules; /* size × size, row by row: 1 dark, 0 light */
};

/* The n bytes of data (any charset: the code carries bytes). ERR_INVALID
 * when there are none or too many for a QR code. The modules live in the
 * arena. */
int qr_encode(const void *data, size_t n, struct arena *a, struct qr *out, struct err *e);

#endif
