/* qr.c — libqrencode to a plain matrix (qr.h). */
#include "render/qr.h"

#include <errno.h>
#include <qrencode.h>
#include <string.h>

int qr_encode(const char *text, struct arena *a, struct qr *out, struct err *e)
{
    if (!text || !*text)
        return err_set(e, ERR_INVALID, "пустой текст QR-кода");
    errno = 0;
    QRcode *q = QRcode_encodeData((int)strlen(text), (const unsigned char *)text, 0, QR_ECLEVEL_M);
    if (!q)
        return errno == ENOMEM ? err_set(e, ERR_NOMEM, "QR-код: нет памяти")
                               : err_set(e, ERR_INVALID, "текст не помещается в QR-код (%zu байт)",
                                         strlen(text));
    size_t n = (size_t)q->width * (size_t)q->width;
    unsigned char *m = arena_alloc(a, n);
    if (!m) {
        QRcode_free(q);
        return err_set(e, ERR_NOMEM, "QR-код: нет памяти");
    }
    for (size_t i = 0; i < n; i++)
        m[i] = q->data[i] & 1;
    out->size = q->width;
    out->modules = m;
    QRcode_free(q);
    return 0;
}
