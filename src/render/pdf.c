/* pdf.c — the libharu wrapper (pdf.h).
 *
 * The font: PT Sans is embedded as libharu embeds a TrueType font (the
 * glyphs used, "HPDFAA+PTSans-Regular"), from a lean copy made once per
 * process (font.h: HarfBuzz's subsetter, no hinting programs, a short cmap)
 * in an anonymous memory file that libharu opens by its /proc path (libharu
 * 2.3 loads fonts only from files); without one, from the font file itself.
 *
 * What is written is tracked so that nothing is written twice: the text
 * object (BT … ET) stays open across text calls, the font size, rendering
 * mode, line width and fill gray are set only when they change, and lines
 * and filled rectangles are gathered into one path per width or gray and
 * painted once (one "S" or "f" for a whole table's rules, a whole QR code).
 * Text widths come from a table of advance widths by code point, filled
 * from the font on first use and shared by every document. */
#include "render/pdf.h"
#include "render/font.h"

#include <errno.h>
#include <hpdf.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define BOLD_STROKE 0.03f /* the stroke of PDF_BOLD, in ems */
#define TEXT_MAX 1024     /* bytes of one drawn line; longer ones are cut */

enum path_kind {
    PATH_NONE,
    PATH_STROKE,
    PATH_FILL
};

struct pdf_doc {
    HPDF_Doc h;
    HPDF_Font font;
    HPDF_Page page; /* the page drawn on, NULL before the first */
    int pages;
    int images;                /* QR images drawn: see pdf_free */
    int saved;                 /* written out (file or memory) */
    HPDF_STATUS error, detail; /* the first error libharu reported */
    /* The state of the page, to write each operator only when it changes. */
    int in_text;         /* inside BT … ET */
    float size;          /* font size set, 0: none yet */
    int bold;            /* rendering mode 2 (fill, then stroke) set */
    float line_width;    /* -1: not set on this page */
    float gray;          /* fill gray */
    enum path_kind path; /* a path being gathered */
    float path_value;    /* its line width or gray */
};

/* ---- the font file, once per process ---- */

static pthread_once_t font_once = PTHREAD_ONCE_INIT;
static char font_path[64] = PDF_FONT_PATH;

/* The lean copy of the font in a memory file, or nothing (font_path stays
 * the font file). The descriptor stays open for the life of the process. */
static void font_init(void)
{
    unsigned char *lean = NULL;
    size_t lean_len = 0;
    if (font_lean(PDF_FONT_PATH, &lean, &lean_len))
        return;
    int fd = memfd_create("upravdom-ptsans", MFD_CLOEXEC);
    if (fd >= 0 && write(fd, lean, lean_len) == (ssize_t)lean_len) {
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        if (access(path, R_OK) == 0)
            memcpy(font_path, path, sizeof path);
        else
            close(fd);
    } else if (fd >= 0) {
        close(fd);
    }
    free(lean);
}

/* ---- errors ---- */

static void on_error(HPDF_STATUS no, HPDF_STATUS detail, void *data)
{
    struct pdf_doc *p = data;
    if (!p->error) {
        p->error = no;
        p->detail = detail;
    }
}

/* True when p can be drawn on. */
static int ok(struct pdf_doc *p)
{
    if (!p->error && HPDF_GetError(p->h) != HPDF_OK)
        on_error(HPDF_GetError(p->h), HPDF_GetErrorDetail(p->h), p);
    return !p->error && p->page;
}

int pdf_status(const struct pdf_doc *p, struct err *e)
{
    HPDF_STATUS no = p->error, detail = p->detail;
    if (!no && p->h && HPDF_GetError(p->h) != HPDF_OK) {
        no = HPDF_GetError(p->h);
        detail = HPDF_GetErrorDetail(p->h);
    }
    switch (no) {
    case HPDF_OK: return 0;
    case HPDF_FAILD_TO_ALLOC_MEM: return err_set(e, ERR_NOMEM, "PDF: нет памяти");
    case HPDF_FILE_IO_ERROR:
    case HPDF_FILE_OPEN_ERROR:
        return err_set(e, ERR_IO, "PDF: ошибка ввода-вывода (libharu 0x%04X, %u)", (unsigned)no,
                       (unsigned)detail);
    default:
        return err_set(e, ERR_IO, "PDF: ошибка libharu 0x%04X (%u)", (unsigned)no,
                       (unsigned)detail);
    }
}

/* ---- documents and pages ---- */

int pdf_open(struct pdf_doc **out, struct err *e)
{
    *out = NULL;
    pthread_once(&font_once, font_init);
    struct pdf_doc *p = calloc(1, sizeof *p);
    if (!p)
        return err_set(e, ERR_NOMEM, "PDF: нет памяти");
    p->h = HPDF_New(on_error, p);
    if (!p->h) {
        free(p);
        return err_set(e, ERR_NOMEM, "PDF: нет памяти");
    }
    HPDF_SetCompressionMode(p->h, HPDF_COMP_ALL);
    HPDF_UseUTFEncodings(p->h);
    const char *name = HPDF_LoadTTFontFromFile(p->h, font_path, HPDF_TRUE);
    if (name)
        p->font = HPDF_GetFont(p->h, name, "UTF-8");
    int rc = pdf_status(p, e);
    if (!p->font || rc) {
        pdf_free(p);
        return rc ? rc : err_set(e, ERR_IO, "PDF: шрифт %s не загружен", PDF_FONT_PATH);
    }
    *out = p;
    return 0;
}

void pdf_free(struct pdf_doc *p)
{
    if (!p)
        return;
    /* libharu 2.3 frees the buffers of 1-bit images (the QR codes) only
     * when they are written: a document given up before saving (a batch
     * cancelled, a renderer failing) is written into libharu's own memory
     * stream first, or they leak (LeakSanitizer: ~1 KB an image). Its
     * result does not matter: the document is being thrown away. */
    if (p->h && p->images && !p->saved)
        (void)HPDF_SaveToStream(p->h);
    if (p->h)
        HPDF_Free(p->h);
    free(p);
}

/* A quarter point: short, exact numbers in the content stream. */
static float q(float v)
{
    return roundf(v * 4.0f) / 4.0f;
}

/* PDF's y (from the bottom) of our y (from the top). */
static float flip(float y)
{
    return PDF_A4_HEIGHT - y;
}

static void end_path(struct pdf_doc *p)
{
    if (p->path == PATH_STROKE)
        HPDF_Page_Stroke(p->page);
    else if (p->path == PATH_FILL)
        HPDF_Page_Fill(p->page);
    p->path = PATH_NONE;
}

static void end_text(struct pdf_doc *p)
{
    if (p->in_text)
        HPDF_Page_EndText(p->page);
    p->in_text = 0;
}

/* Ends what the page has open. */
static void settle(struct pdf_doc *p)
{
    if (!p->page)
        return;
    end_path(p);
    end_text(p);
}

int pdf_page_add(struct pdf_doc *p, struct err *e)
{
    settle(p);
    HPDF_Page page = HPDF_AddPage(p->h);
    if (!page)
        return pdf_status(p, e) ? e->code : err_set(e, ERR_IO, "PDF: страница не добавлена");
    HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    p->page = page;
    p->pages++;
    p->in_text = 0;
    p->size = 0;
    p->bold = 0;
    p->line_width = -1;
    p->gray = 0;
    p->path = PATH_NONE;
    return pdf_status(p, e);
}

int pdf_page_count(const struct pdf_doc *p)
{
    return p->pages;
}

/* ---- UTF-8 and widths ---- */

/* The code point at s[*i] (advancing *i), as drawn: a space for the spaces
 * PT Sans lacks and for control characters, '?' for bytes that are not
 * UTF-8 and for code points past the BMP (libharu's encoder stops there). */
static uint32_t next_cp(const unsigned char *s, size_t len, size_t *i)
{
    uint32_t c = s[*i];
    size_t n = c < 0x80             ? 1
               : (c & 0xE0) == 0xC0 ? 2
               : (c & 0xF0) == 0xE0 ? 3
               : (c & 0xF8) == 0xF0 ? 4
                                    : 0;
    if (n == 0 || *i + n > len) {
        (*i)++;
        return '?';
    }
    if (n > 1) {
        c &= n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07;
        for (size_t k = 1; k < n; k++) {
            if ((s[*i + k] & 0xC0) != 0x80) {
                (*i)++;
                return '?';
            }
            c = c << 6 | (s[*i + k] & 0x3F);
        }
        if (c < (n == 2 ? 0x80u : 0x800u) || (c >= 0xD800 && c <= 0xDFFF) || c > 0xFFFF) {
            *i += n;
            return '?'; /* overlong, a surrogate, or past the BMP: one '?' */
        }
    }
    *i += n;
    if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0))
        return ' ';
    if ((c >= 0x2000 && c <= 0x200A && c != 0x2002 && c != 0x2003) || c == 0x202F || c == 0x205F)
        return ' '; /* PT Sans has U+2002 and U+2003 of the spaces there */
    return c;
}

static size_t put_utf8(unsigned char *o, uint32_t c)
{
    if (c < 0x80) {
        o[0] = (unsigned char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (unsigned char)(0xC0 | c >> 6);
        o[1] = (unsigned char)(0x80 | (c & 0x3F));
        return 2;
    }
    o[0] = (unsigned char)(0xE0 | c >> 12);
    o[1] = (unsigned char)(0x80 | (c >> 6 & 0x3F));
    o[2] = (unsigned char)(0x80 | (c & 0x3F));
    return 3;
}

/* Advance widths in thousandths of an em, plus one (0: not known yet), of
 * the code points below WIDTHS; the font is the same in every document, so
 * any document's may fill an entry (a race writes the same value). */
#define WIDTHS 0x3000
static unsigned short widths[WIDTHS];

static unsigned cp_width(struct pdf_doc *p, uint32_t c)
{
    if (c < WIDTHS) {
        unsigned short w = __atomic_load_n(&widths[c], __ATOMIC_RELAXED);
        if (w)
            return w - 1u;
    }
    unsigned char b[4];
    size_t n = put_utf8(b, c);
    HPDF_TextWidth tw = HPDF_Font_TextWidth(p->font, b, (HPDF_UINT)n);
    unsigned w = tw.width;
    if (c < WIDTHS && w < 0xFFFF)
        __atomic_store_n(&widths[c], (unsigned short)(w + 1), __ATOMIC_RELAXED);
    return w;
}

/* Width of s[0 .. len) in thousandths of an em. */
static unsigned long units(struct pdf_doc *p, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned long w = 0;
    for (size_t i = 0; i < len;) {
        if (u[i] < 0x80 && u[i] >= 0x20) { /* ASCII: the common case */
            w += cp_width(p, u[i++]);
            continue;
        }
        w += cp_width(p, next_cp(u, len, &i));
    }
    return w;
}

float pdf_text_width_n(struct pdf_doc *p, float size, const char *s, size_t len)
{
    return (float)units(p, s, len) * size / 1000.0f;
}

float pdf_text_width(struct pdf_doc *p, float size, const char *s)
{
    return s ? pdf_text_width_n(p, size, s, strlen(s)) : 0;
}

/* ---- text ---- */

void pdf_text_n(struct pdf_doc *p, float x, float y, float size, enum pdf_face f, const char *s,
                size_t len)
{
    if (!s || !ok(p))
        return;
    /* The text as drawn, NUL-terminated for libharu. */
    unsigned char buf[TEXT_MAX + 4];
    const unsigned char *u = (const unsigned char *)s;
    size_t o = 0;
    for (size_t i = 0; i < len && o < TEXT_MAX;) {
        if (u[i] >= 0x20 && u[i] < 0x7F) {
            buf[o++] = u[i++];
            continue;
        }
        size_t at = i;
        uint32_t c = next_cp(u, len, &i);
        if (c == '?' || c == ' ' || i - at == 1)
            buf[o++] = (unsigned char)c; /* substituted, or one byte */
        else {
            memcpy(buf + o, u + at, i - at); /* valid UTF-8 as it is */
            o += i - at;
        }
    }
    buf[o] = '\0';
    if (o == 0)
        return;
    end_path(p);
    if (!p->in_text) {
        HPDF_Page_BeginText(p->page);
        p->in_text = 1;
    }
    if (p->gray != 0) {
        HPDF_Page_SetGrayFill(p->page, 0);
        p->gray = 0;
    }
    if (p->size != size) {
        HPDF_Page_SetFontAndSize(p->page, p->font, size);
        p->size = size;
    }
    int bold = f == PDF_BOLD;
    if (bold) {
        float w = q(size * BOLD_STROKE * 16) / 16; /* 1/64 pt steps */
        if (p->line_width != w) {
            HPDF_Page_SetLineWidth(p->page, w);
            p->line_width = w;
        }
    }
    if (p->bold != bold) {
        HPDF_Page_SetTextRenderingMode(p->page, bold ? HPDF_FILL_THEN_STROKE : HPDF_FILL);
        p->bold = bold;
    }
    HPDF_Page_TextOut(p->page, q(x), q(flip(y)), (const char *)buf);
}

void pdf_text(struct pdf_doc *p, float x, float y, float size, enum pdf_face f, const char *s)
{
    if (s)
        pdf_text_n(p, x, y, size, f, s, strlen(s));
}

void pdf_text_right(struct pdf_doc *p, float right, float y, float size, enum pdf_face f,
                    const char *s)
{
    if (!s)
        return;
    size_t len = strlen(s);
    pdf_text_n(p, right - pdf_text_width_n(p, size, s, len), y, size, f, s, len);
}

int pdf_wrap(struct pdf_doc *p, float size, const char *s, float width, struct pdf_line *lines,
             int max)
{
    const unsigned char *u = (const unsigned char *)(s ? s : "");
    size_t len = strlen((const char *)u);
    unsigned long limit = size > 0 ? (unsigned long)(width * 1000.0f / size) : 0;
    int n = 0;
    size_t pos = 0;
    do {
        size_t start = pos, i = pos, end = len, next = len;
        size_t brk_end = 0, brk_next = 0; /* the last place to break, if any */
        unsigned long w = 0;
        while (i < len) {
            size_t at = i;
            if (u[i] == '\n') {
                end = i;
                next = i + 1;
                break;
            }
            uint32_t c = next_cp(u, len, &i);
            unsigned cw = cp_width(p, c);
            if (c == ' ') {
                brk_end = at;
                brk_next = i;
            }
            if (w + cw > limit && at > start) {
                if (c == ' ') { /* break at this space */
                    end = at;
                    next = i;
                } else if (brk_end > start || brk_next > start) {
                    end = brk_end;
                    next = brk_next;
                } else { /* one word wider than the line */
                    end = at;
                    next = at;
                }
                break;
            }
            w += cw;
            /* After a hyphen between letters ("Тверская-Ямская"), not in
             * "ЖЭУ-3" or "-123,45". */
            if (c == '-' && at > start && i < len && u[at - 1] > '9' && u[i] > '9') {
                brk_end = i;
                brk_next = i;
            }
        }
        while (end > start && u[end - 1] == ' ')
            end--;
        if (n < max)
            lines[n] = (struct pdf_line){start, end - start};
        n++;
        pos = next;
        while (pos < len && u[pos] == ' ')
            pos++;
    } while (pos < len);
    return n;
}

/* ---- lines, rectangles, QR codes ---- */

/* Starts (or continues) a path painted with this line width or gray. */
static void begin_path(struct pdf_doc *p, enum path_kind k, float value)
{
    if (p->path == k && p->path_value == value)
        return;
    end_path(p);
    end_text(p);
    if (k == PATH_STROKE && p->line_width != value) {
        HPDF_Page_SetLineWidth(p->page, value);
        p->line_width = value;
    }
    if (k == PATH_FILL && p->gray != value) {
        HPDF_Page_SetGrayFill(p->page, value);
        p->gray = value;
    }
    p->path = k;
    p->path_value = value;
}

void pdf_line(struct pdf_doc *p, float x0, float y0, float x1, float y1, float width)
{
    if (!ok(p))
        return;
    begin_path(p, PATH_STROKE, q(width * 16) / 16);
    HPDF_Page_MoveTo(p->page, q(x0), q(flip(y0)));
    HPDF_Page_LineTo(p->page, q(x1), q(flip(y1)));
}

void pdf_rect(struct pdf_doc *p, float x, float y, float w, float h, float width)
{
    if (!ok(p))
        return;
    begin_path(p, PATH_STROKE, q(width * 16) / 16);
    float x0 = q(x), y0 = q(flip(y + h));
    HPDF_Page_Rectangle(p->page, x0, y0, q(x + w) - x0, q(flip(y)) - y0);
}

void pdf_fill(struct pdf_doc *p, float x, float y, float w, float h, float gray)
{
    if (!ok(p))
        return;
    begin_path(p, PATH_FILL, gray);
    float x0 = q(x), y0 = q(flip(y + h));
    HPDF_Page_Rectangle(p->page, x0, y0, q(x + w) - x0, q(flip(y)) - y0);
}

void pdf_qr(struct pdf_doc *p, const struct qr *qr, float x, float y, float module)
{
    if (!ok(p) || !qr || qr->size <= 0)
        return;
    end_path(p);
    end_text(p);
    if (p->gray != 0) {
        HPDF_Page_SetGrayFill(p->page, 0);
        p->gray = 0;
    }
    /* One 1-bit image of the modules, painted as a stencil mask (/ImageMask:
     * a sample 0 paints the fill colour, 1 leaves the paper): a few hundred
     * bytes a code instead of a path of a thousand rectangles, which libharu
     * would format and deflate (3.6 → 2.3 ms a document, bench_render). A
     * stencil is never smoothed between samples the way a colour image may
     * be, so the modules stay square at any zoom. */
    int n = qr->size;
    size_t stride = ((size_t)n + 7) / 8;
    unsigned char *bits = malloc(stride * (size_t)n);
    if (!bits) {
        p->error = HPDF_FAILD_TO_ALLOC_MEM;
        return;
    }
    memset(bits, 0xff, stride * (size_t)n);
    for (int r = 0; r < n; r++)
        for (int c = 0; c < n; c++)
            if (qr->modules[(size_t)r * (size_t)n + (size_t)c])
                bits[(size_t)r * stride + (size_t)c / 8] &= (unsigned char)~(0x80u >> (c % 8));
    HPDF_Image img =
        HPDF_LoadRawImageFromMem(p->h, bits, (HPDF_UINT)n, (HPDF_UINT)n, HPDF_CS_DEVICE_GRAY, 1);
    free(bits);
    if (!img || !ok(p))
        return;
    HPDF_Dict_RemoveElement(img, "ColorSpace");
    HPDF_Dict_AddBoolean(img, "ImageMask", HPDF_TRUE);
    float side = module * (float)n;
    p->images++;
    HPDF_Page_DrawImage(p->page, img, q(x + 4 * module), q(flip(y + 4 * module) - side), side,
                        side);
}

/* ---- saving ---- */

int pdf_save_file(struct pdf_doc *p, const char *path, struct err *e)
{
    settle(p);
    if (pdf_status(p, e))
        return e->code;
    errno = 0;
    if (HPDF_SaveToFile(p->h, path) != HPDF_OK) {
        int no = errno;
        struct err why = {0};
        int rc = pdf_status(p, &why);
        return err_set(e, rc == ERR_NOMEM ? ERR_NOMEM : ERR_IO, "PDF: не записан файл %s: %s", path,
                       no ? strerror(no) : why.msg);
    }
    p->saved = 1;
    return 0;
}

int pdf_save_mem(struct pdf_doc *p, struct arena *a, unsigned char **out, size_t *len,
                 struct err *e)
{
    settle(p);
    if (pdf_status(p, e))
        return e->code;
    if (HPDF_SaveToStream(p->h) != HPDF_OK)
        return pdf_status(p, e) ? e->code : err_set(e, ERR_IO, "PDF: не сохранён");
    p->saved = 1;
    size_t size = HPDF_GetStreamSize(p->h), got = 0;
    unsigned char *buf = arena_alloc(a, size + 1);
    if (!buf)
        return err_set(e, ERR_NOMEM, "PDF: нет памяти");
    while (got < size) {
        HPDF_UINT32 n = (HPDF_UINT32)(size - got);
        HPDF_STATUS st = HPDF_ReadFromStream(p->h, buf + got, &n);
        got += n;
        if (n == 0 || (st != HPDF_OK && st != HPDF_STREAM_EOF))
            break;
    }
    HPDF_ResetStream(p->h);
    HPDF_ResetError(p->h); /* the end of the stream is reported as an error */
    p->error = 0;
    if (got != size)
        return err_set(e, ERR_IO, "PDF: прочитано %zu байт из %zu", got, size);
    *out = buf;
    *len = size;
    return 0;
}
