/* csv.c — the streaming CSV reader: encoding detection (a whole-file UTF-8
 * check), Windows-1251 conversion through iconv, separator detection, and a
 * byte-level state machine that survives chunk boundaries anywhere. */
#include "base/csv.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK (256 * 1024) /* raw bytes read at a time */

/* Parser states between bytes. */
enum state {
    ST_START,      /* at the start of a field */
    ST_UNQUOTED,   /* inside an unquoted field */
    ST_QUOTED,     /* inside a quoted field */
    ST_QUOTE_SEEN, /* a quote inside a quoted field: closing, or the first of "" */
};

struct csv {
    int fd;                   /* the file, or -1 when reading memory */
    const unsigned char *mem; /* memory input, or NULL */
    size_t mem_len, mem_pos;  /* memory input: size and raw bytes consumed */
    int64_t size, consumed;   /* input size and raw bytes consumed */
    enum csv_encoding enc;
    iconv_t cd;               /* Windows-1251 → UTF-8, or (iconv_t)-1 */
    unsigned char *raw;       /* raw chunk (file or Windows-1251 input), CHUNK bytes */
    unsigned char *dec;       /* decoded UTF-8 buffer we own, or NULL when reading mem */
    const unsigned char *buf; /* UTF-8 text being parsed: dec or mem */
    size_t pos, end;          /* unread part of buf */
    long raw_line;            /* Windows-1251: line of the next raw byte to convert */
    long bad_line;            /* Windows-1251: line of a byte that is no character, or 0 */
    unsigned char bad_byte;
    bool eof; /* input exhausted */
    char sep;
    unsigned char special[256]; /* bytes that stop an unquoted run */

    long line;    /* physical line of the next byte, from 1 */
    bool skip_lf; /* a CR ended the last line: a following LF belongs to it */

    /* The record being built: fields back to back, each NUL-terminated. */
    char *rec;
    size_t rec_len, rec_cap, max_record;
    size_t *off, *len; /* per field: offset in rec, length */
    char **ptr;        /* per field: pointer handed out */
    int nf, max_fields;

    int failed; /* the error returned again after a failure, or 0 */
    char failmsg[sizeof(((struct err *)0)->msg)];
    long err_line;
    int err_col;
};

/* ---- UTF-8 validation (Unicode 15, table 3-7: no overlongs, no surrogates) ---- */

struct u8check {
    int need;             /* continuation bytes still expected */
    unsigned char lo, hi; /* allowed range of the next continuation byte */
};

/* Feeds n bytes; returns the index of the first invalid byte, or n. */
static size_t u8_feed(struct u8check *s, const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (s->need == 0) {
            /* Fast path over ASCII, eight bytes at a time. */
            while (i + 8 <= n) {
                uint64_t w;
                memcpy(&w, p + i, 8);
                if (w & 0x8080808080808080ull)
                    break;
                i += 8;
            }
            if (i >= n)
                break;
            unsigned char b = p[i];
            if (b < 0x80) {
                i++;
                continue;
            }
            /* Fast path: a whole two-byte character (Cyrillic). */
            if (b >= 0xc2 && b <= 0xdf && i + 1 < n && (p[i + 1] & 0xc0) == 0x80) {
                i += 2;
                continue;
            }
            s->lo = 0x80, s->hi = 0xbf;
            if (b >= 0xc2 && b <= 0xdf)
                s->need = 1;
            else if (b == 0xe0)
                s->need = 2, s->lo = 0xa0;
            else if ((b >= 0xe1 && b <= 0xec) || b == 0xee || b == 0xef)
                s->need = 2;
            else if (b == 0xed)
                s->need = 2, s->hi = 0x9f;
            else if (b == 0xf0)
                s->need = 3, s->lo = 0x90;
            else if (b >= 0xf1 && b <= 0xf3)
                s->need = 3;
            else if (b == 0xf4)
                s->need = 3, s->hi = 0x8f;
            else
                return i;
            i++;
        } else {
            if (p[i] < s->lo || p[i] > s->hi)
                return i;
            s->need--;
            s->lo = 0x80, s->hi = 0xbf;
            i++;
        }
    }
    return n;
}

static long count_lines(const unsigned char *p, size_t n)
{
    long k = 0;
    for (const unsigned char *q = p; (q = memchr(q, '\n', n - (size_t)(q - p))); q++)
        k++;
    return k;
}

/* Checks the whole input. *valid: it is UTF-8; *bad_line: the line of the
 * first invalid byte otherwise. Rewinds a file. */
static int detect_utf8(struct csv *r, bool *valid, long *bad_line, struct err *e)
{
    struct u8check s = {0};
    long lines = 1;
    *valid = true;
    if (r->mem) {
        size_t at = u8_feed(&s, r->mem, r->mem_len);
        if (at < r->mem_len || s.need) {
            *valid = false;
            *bad_line = 1 + count_lines(r->mem, at);
        }
        return 0;
    }
    for (;;) {
        ssize_t n = read(r->fd, r->raw, CHUNK);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return err_set(e, ERR_IO, "не удалось прочитать файл: %s", strerror(errno));
        }
        if (n == 0)
            break;
        size_t at = u8_feed(&s, r->raw, (size_t)n);
        if (at < (size_t)n) {
            *valid = false;
            *bad_line = lines + count_lines(r->raw, at);
            break;
        }
        lines += count_lines(r->raw, (size_t)n);
    }
    if (*valid && s.need) {
        *valid = false;
        *bad_line = lines;
    }
    if (lseek(r->fd, 0, SEEK_SET) < 0)
        return err_set(e, ERR_IO, "не удалось перечитать файл: %s", strerror(errno));
    return 0;
}

/* ---- input ---- */

/* Reads the next raw chunk into r->raw (file) or points at the next slice of
 * memory; returns its length, 0 at the end, or a negative error. */
static ssize_t read_raw(struct csv *r, const unsigned char **chunk, struct err *e)
{
    if (r->mem) {
        size_t n = r->mem_len - r->mem_pos;
        if (n > CHUNK)
            n = CHUNK;
        *chunk = r->mem + r->mem_pos;
        r->mem_pos += n;
        r->consumed += (int64_t)n;
        return (ssize_t)n;
    }
    for (;;) {
        ssize_t n = read(r->fd, r->raw, CHUNK);
        if (n >= 0) {
            *chunk = r->raw;
            r->consumed += n;
            return n;
        }
        if (errno != EINTR)
            return err_set(e, ERR_IO, "не удалось прочитать файл: %s", strerror(errno));
    }
}

static int fail(struct csv *r, int code, long line, int col, struct err *e, const char *msg)
{
    r->failed = code;
    r->err_line = line;
    r->err_col = col;
    snprintf(r->failmsg, sizeof r->failmsg, "%s", msg);
    return err_set(e, code, "%s", msg);
}

/* Refills buf when it is used up. Returns 1 when there is text, 0 at the end. */
static int refill(struct csv *r, struct err *e)
{
    if (r->bad_line) {
        char msg[160];
        snprintf(msg, sizeof msg, "байт 0x%02X не является символом Windows-1251", r->bad_byte);
        return fail(r, ERR_INVALID, r->bad_line, 0, e, msg);
    }
    if (r->eof)
        return 0;
    if (r->mem && r->enc != CSV_CP1251) {
        /* Memory UTF-8 is parsed in place: buf is the whole input. */
        r->eof = true;
        r->consumed = (int64_t)r->mem_len;
        return 0;
    }
    const unsigned char *chunk = NULL;
    ssize_t n = read_raw(r, &chunk, e);
    if (n < 0) {
        char msg[sizeof r->failmsg];
        snprintf(msg, sizeof msg, "%s", e ? e->msg : "ошибка чтения");
        return fail(r, (int)n, r->line, 0, e, msg);
    }
    if (n == 0) {
        r->eof = true;
        return 0;
    }
    if (r->enc != CSV_CP1251) {
        r->buf = chunk;
        r->pos = 0;
        r->end = (size_t)n;
        return 1;
    }
    char *in = (char *)chunk, *out = (char *)r->dec;
    size_t inleft = (size_t)n, outleft = 3 * CHUNK + 8;
    if (iconv(r->cd, &in, &inleft, &out, &outleft) == (size_t)-1) {
        /* Every byte but 0x98 is a Windows-1251 character and 3 output bytes
         * per input byte always fit, so the only failure is a bad byte. The
         * text before it is parsed first; the error comes when it is reached. */
        size_t at = (size_t)(in - (char *)chunk);
        r->bad_byte = (unsigned char)*in;
        r->bad_line = r->raw_line + count_lines(chunk, at);
        r->eof = true;
    }
    r->raw_line += count_lines(chunk, (size_t)n);
    r->buf = r->dec;
    r->pos = 0;
    r->end = (size_t)(out - (char *)r->dec);
    return r->end > 0 ? 1 : refill(r, e);
}

/* ';' or ',' by their count outside quotes in the first line of buf. */
static char detect_sep(const struct csv *r)
{
    long semi = 0, comma = 0;
    bool quoted = false;
    for (size_t i = r->pos; i < r->end; i++) {
        unsigned char c = r->buf[i];
        if (c == '"')
            quoted = !quoted;
        else if (!quoted && (c == '\n' || c == '\r'))
            break;
        else if (!quoted && c == ';')
            semi++;
        else if (!quoted && c == ',')
            comma++;
    }
    return comma > semi ? ',' : ';';
}

static int setup(struct csv *r, const struct csv_opts *o, struct err *e)
{
    r->line = 1;
    r->raw_line = 1;
    r->max_record = o && o->max_record ? o->max_record : CSV_MAX_RECORD;
    r->max_fields = o && o->max_fields > 0 ? o->max_fields : CSV_MAX_FIELDS;
    r->rec_cap = 4096 < r->max_record + 1 ? 4096 : r->max_record + 1;
    r->rec = malloc(r->rec_cap);
    r->off = malloc(sizeof *r->off * (size_t)r->max_fields);
    r->len = malloc(sizeof *r->len * (size_t)r->max_fields);
    r->ptr = malloc(sizeof *r->ptr * (size_t)r->max_fields);
    if (!r->rec || !r->off || !r->len || !r->ptr)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (!r->mem && !(r->raw = malloc(CHUNK)))
        return err_set(e, ERR_NOMEM, "out of memory");

    bool valid;
    long bad_line = 0;
    int rc = detect_utf8(r, &valid, &bad_line, e);
    if (rc)
        return rc;
    /* The byte order mark: the first bytes of the file, looked at directly. */
    unsigned char head[3] = {0};
    if (r->mem) {
        memcpy(head, r->mem, r->mem_len < 3 ? r->mem_len : 3);
    } else if (pread(r->fd, head, 3, 0) < 0) {
        return err_set(e, ERR_IO, "не удалось прочитать файл: %s", strerror(errno));
    }
    bool bom = memcmp(head, "\xef\xbb\xbf", 3) == 0;
    if (bom && !valid) {
        r->err_line = bad_line;
        return err_set(e, ERR_INVALID,
                       "файл начинается с метки UTF-8, но в строке %ld содержит байты,"
                       " которые не являются текстом UTF-8",
                       bad_line);
    }
    r->enc = valid ? (bom ? CSV_UTF8_BOM : CSV_UTF8) : CSV_CP1251;
    if (r->enc == CSV_CP1251) {
        if ((r->cd = iconv_open("UTF-8", "WINDOWS-1251")) == (iconv_t)-1)
            return err_set(e, ERR_IO, "iconv: нет преобразования из Windows-1251");
        if (!r->raw && !(r->raw = malloc(CHUNK)))
            return err_set(e, ERR_NOMEM, "out of memory");
        if (!(r->dec = malloc(3 * CHUNK + 8)))
            return err_set(e, ERR_NOMEM, "out of memory");
    }
    if (r->mem && r->enc != CSV_CP1251) {
        r->buf = r->mem;
        r->end = r->mem_len;
    } else if ((rc = refill(r, e)) < 0) {
        return rc;
    }
    if (bom)
        r->pos = 3;
    r->sep = o && (o->sep == ';' || o->sep == ',') ? o->sep : detect_sep(r);
    r->special[(unsigned char)r->sep] = 1;
    r->special['\n'] = r->special['\r'] = r->special['\0'] = 1;
    return 0;
}

static int open_common(struct csv *r, const struct csv_opts *o, struct csv **out, struct err *e)
{
    int rc = setup(r, o, e);
    if (rc) {
        csv_close(r);
        return rc;
    }
    *out = r;
    return 0;
}

int csv_open(const char *path, const struct csv_opts *o, struct csv **out, struct err *e)
{
    struct csv *r = calloc(1, sizeof *r);
    if (!r)
        return err_set(e, ERR_NOMEM, "out of memory");
    r->cd = (iconv_t)-1;
    struct stat st;
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    int rc = 0;
    if (r->fd < 0 || fstat(r->fd, &st) != 0)
        rc = err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = err_set(e, ERR_IO, "%s: не обычный файл", path);
    if (rc) {
        csv_close(r);
        return rc;
    }
    r->size = st.st_size;
    return open_common(r, o, out, e);
}

int csv_open_mem(const char *data, size_t len, const struct csv_opts *o, struct csv **out,
                 struct err *e)
{
    struct csv *r = calloc(1, sizeof *r);
    if (!r)
        return err_set(e, ERR_NOMEM, "out of memory");
    r->cd = (iconv_t)-1;
    r->fd = -1;
    r->mem = (const unsigned char *)(data ? data : "");
    r->mem_len = data ? len : 0;
    r->size = (int64_t)r->mem_len;
    return open_common(r, o, out, e);
}

void csv_close(struct csv *r)
{
    if (!r)
        return;
    if (r->fd >= 0 && !r->mem)
        close(r->fd);
    if (r->cd != (iconv_t)-1)
        iconv_close(r->cd);
    free(r->raw);
    free(r->dec);
    free(r->rec);
    free(r->off);
    free(r->len);
    free(r->ptr);
    free(r);
}

/* ---- parsing ---- */

static int too_long(struct csv *r, long line, struct err *e)
{
    char msg[128];
    snprintf(msg, sizeof msg, "запись длиннее %zu байт", r->max_record);
    return fail(r, ERR_INVALID, line, 0, e, msg);
}

/* Makes room for n more bytes of the record. */
static int reserve(struct csv *r, size_t n, long line, struct err *e)
{
    if (r->rec_len + n <= r->rec_cap)
        return 0;
    if (r->rec_len + n > r->max_record + 1)
        return too_long(r, line, e);
    size_t cap = r->rec_cap;
    while (cap < r->rec_len + n)
        cap *= 2;
    if (cap > r->max_record + 1)
        cap = r->max_record + 1;
    char *p = realloc(r->rec, cap);
    if (!p)
        return fail(r, ERR_NOMEM, line, 0, e, "out of memory");
    r->rec = p;
    r->rec_cap = cap;
    return 0;
}

static int put(struct csv *r, const unsigned char *p, size_t n, long line, struct err *e)
{
    int rc = reserve(r, n, line, e);
    if (rc)
        return rc;
    memcpy(r->rec + r->rec_len, p, n);
    r->rec_len += n;
    return 0;
}

static int start_field(struct csv *r, long line, struct err *e)
{
    if (r->nf >= r->max_fields) {
        char msg[128];
        snprintf(msg, sizeof msg, "в записи больше %d полей", r->max_fields);
        return fail(r, ERR_INVALID, line, 0, e, msg);
    }
    r->off[r->nf++] = r->rec_len;
    return 0;
}

static int end_field(struct csv *r, long line, struct err *e)
{
    int rc = reserve(r, 1, line, e);
    if (rc)
        return rc;
    size_t start = r->off[r->nf - 1];
    r->len[r->nf - 1] = r->rec_len - start;
    r->rec[r->rec_len++] = '\0';
    return 0;
}

static int nul_byte(struct csv *r, struct err *e)
{
    return fail(r, ERR_INVALID, r->line, r->nf, e, "нулевой байт в тексте");
}

int csv_next(struct csv *r, struct csv_record *rec, struct err *e)
{
    if (r->failed)
        return err_set(e, r->failed, "%s", r->failmsg);
    for (;;) {
        r->rec_len = 0;
        r->nf = 0;
        long start = r->line, field_line = r->line;
        enum state st = ST_START;
        bool any = false, last_quoted = false, done = false;
        int rc;
        while (!done) {
            if (r->pos == r->end) {
                if ((rc = refill(r, e)) < 0)
                    return rc;
                if (rc == 0)
                    break;
            }
            unsigned char c = r->buf[r->pos++];
            if (r->skip_lf) {
                r->skip_lf = false;
                if (c == '\n')
                    continue;
            }
            if (!any) {
                any = true;
                start = r->line;
            }
            switch (st) {
            case ST_START:
                field_line = r->line;
                if ((rc = start_field(r, r->line, e)))
                    return rc;
                if (c == '"') {
                    st = ST_QUOTED;
                    last_quoted = true;
                    break;
                }
                last_quoted = false;
                st = ST_UNQUOTED; /* and c is the field's first byte: */
                /* fall through */
            case ST_UNQUOTED:
                if (!r->special[c]) {
                    /* A run of ordinary bytes, copied at once. */
                    size_t from = r->pos - 1, to = r->pos;
                    while (to < r->end && !r->special[r->buf[to]])
                        to++;
                    if ((rc = put(r, r->buf + from, to - from, start, e)))
                        return rc;
                    r->pos = to;
                } else if (c == (unsigned char)r->sep) {
                    if ((rc = end_field(r, start, e)))
                        return rc;
                    st = ST_START;
                } else if (c == '\n' || c == '\r') {
                    r->line++;
                    r->skip_lf = c == '\r';
                    done = true;
                } else {
                    return nul_byte(r, e);
                }
                break;
            case ST_QUOTED:
                if (c == '"') {
                    st = ST_QUOTE_SEEN;
                } else if (c == '\0') {
                    return nul_byte(r, e);
                } else {
                    size_t from = r->pos - 1, to = r->pos;
                    if (c == '\n')
                        r->line++;
                    while (to < r->end && r->buf[to] != '"' && r->buf[to] != '\n' &&
                           r->buf[to] != '\0')
                        to++;
                    if ((rc = put(r, r->buf + from, to - from, start, e)))
                        return rc;
                    r->pos = to;
                }
                break;
            case ST_QUOTE_SEEN:
                if (c == '"') {
                    if ((rc = put(r, &c, 1, start, e)))
                        return rc;
                    st = ST_QUOTED;
                } else if (c == (unsigned char)r->sep) {
                    if ((rc = end_field(r, start, e)))
                        return rc;
                    st = ST_START;
                } else if (c == '\n' || c == '\r') {
                    r->line++;
                    r->skip_lf = c == '\r';
                    done = true;
                } else {
                    return fail(r, ERR_INVALID, r->line, r->nf, e,
                                "после закрывающей кавычки ожидается разделитель или конец строки");
                }
                break;
            }
        }
        if (!any)
            return 0; /* the end of the input */
        if (st == ST_QUOTED)
            return fail(r, ERR_INVALID, field_line, r->nf, e,
                        "незакрытая кавычка: поле начинается здесь и не закрыто до конца файла");
        if (st == ST_START && (rc = start_field(r, r->line, e))) /* "a;" ends in an empty field */
            return rc;
        if ((rc = end_field(r, start, e)))
            return rc;
        if (r->nf == 1 && r->len[0] == 0 && !last_quoted)
            continue; /* an empty line */
        for (int i = 0; i < r->nf; i++)
            r->ptr[i] = r->rec + r->off[i];
        rec->line = start;
        rec->n = r->nf;
        rec->field = r->ptr;
        rec->len = r->len;
        return 1;
    }
}

void csv_error_pos(const struct csv *r, long *line, int *col)
{
    if (line)
        *line = r->err_line;
    if (col)
        *col = r->err_col;
}

enum csv_encoding csv_encoding(const struct csv *r)
{
    return r->enc;
}

const char *csv_encoding_name(enum csv_encoding enc)
{
    switch (enc) {
    case CSV_UTF8: return "UTF-8";
    case CSV_UTF8_BOM: return "UTF-8 (BOM)";
    case CSV_CP1251: return "Windows-1251";
    }
    return "?";
}

char csv_separator(const struct csv *r)
{
    return r->sep;
}

int64_t csv_offset(const struct csv *r)
{
    if (r->mem && r->enc != CSV_CP1251)
        return (int64_t)r->pos;
    return r->consumed;
}

int64_t csv_size(const struct csv *r)
{
    return r->size;
}
