/* qr.c — libqrencode to a plain matrix (qr.h). */
#include "render/qr.h"

#include <errno.h>
#include <qrencode.h>
#include <string.h>

#define QR_DATA_MAX 2953 /* bytes of the largest code (version 40, level L) */

int qr_encode(const void *data, size_t n, struct arena *a, struct qr *out, struct err *e)
{
    if (!data || !n || n > QR_DATA_MAX)
        return err_set(e, ERR_INVALID, "QR-код: %zu байт данных", n);
    errno = 0;
    QRcode *q = QRcode_encodeData((int)n, data, 0, QR_ECLEVEL_L);
    if (!q)
        return errno == ENOMEM
                   ? err_set(e, ERR_NOMEM, "QR-код: нет памяти")
                   : err_set(e, ERR_INVALID, "данные не помещаются в QR-код (%zu байт)", n);
    size_t cells = (size_t)q->width * (size_t)q->width;
    unsigned char *m = arena_alloc(a, cells);
    if (!m) {
        QRcode_free(q);
        return err_set(e, ERR_NOMEM, "QR-код: нет памяти");
    }
    for (size_t i = 0; i < cells; i++)
        m[i] = q->data[i] & 1;
    out->size = q->width;
    out->modules = m;
    QRcode_free(q);
    return 0;
}
