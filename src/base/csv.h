/* csv.h — a streaming reader of CSV files as people export them from
 * spreadsheets and state registries (RFC 4180 plus what such files do):
 *
 *  - encoding: UTF-8 with or without a byte order mark, or Windows-1251. A
 *    file that is not valid UTF-8 as a whole is read as Windows-1251 and
 *    converted to UTF-8 with glibc's iconv, so every field comes out UTF-8;
 *  - separator: ';' or ',', whichever occurs more often outside quotes in the
 *    first line (the header); ';' when neither does;
 *  - fields quoted with '"' when they hold a separator, a quote (doubled: "")
 *    or a line break; a quote inside an unquoted field is an ordinary
 *    character (`ООО "Ромашка"`), as spreadsheets write it;
 *  - line ends LF, CRLF or a lone CR; empty lines are skipped.
 *
 * The file is read in chunks: memory per reader is bounded by the chunk
 * buffers and the longest record (csv_opts.max_record), whatever the file's
 * size. Encoding detection reads a file twice (once to check UTF-8, once to
 * parse), so the input must be a regular file, not a pipe.
 *
 * Positions: a record's line is the physical line (from 1) where it starts; a
 * field's column is its number in the record (from 1). A syntax error stops
 * the reader; csv_error_pos() tells where. Not thread-safe: one owner. */
#ifndef UPRAVDOM_CSV_H
#define UPRAVDOM_CSV_H

#include "base/err.h"

#include <stddef.h>
#include <stdint.h>

#define CSV_MAX_RECORD (1u << 20) /* default limit of one record's text, bytes */
#define CSV_MAX_FIELDS 1024       /* default limit of fields in one record */

struct csv;

struct csv_opts {
    size_t max_record; /* longest record in bytes (0: CSV_MAX_RECORD) */
    int max_fields;    /* most fields in a record (0: CSV_MAX_FIELDS) */
    char sep;          /* ';' or ',' to force it; 0 to detect from the header */
};

enum csv_encoding {
    CSV_UTF8,     /* UTF-8 without a byte order mark (plain ASCII too) */
    CSV_UTF8_BOM, /* UTF-8 starting with EF BB BF (the mark is dropped) */
    CSV_CP1251    /* Windows-1251, converted to UTF-8 */
};

/* One record. Fields are NUL-terminated UTF-8 owned by the reader and valid
 * until the next csv_next() or csv_close(). */
struct csv_record {
    long line;    /* physical line where the record starts, from 1 */
    int n;        /* number of fields, >= 1 */
    char **field; /* field[i] is column i + 1 */
    size_t *len;  /* byte length of each field (a field may not hold NUL) */
};

/* Opens the file at path (a regular file). Returns 0, ERR_IO (message names
 * the file) when it cannot be read, ERR_INVALID when it begins with a UTF-8
 * byte order mark but is not valid UTF-8, ERR_NOMEM. o may be NULL. */
int csv_open(const char *path, const struct csv_opts *o, struct csv **out, struct err *e);

/* The same over bytes in memory, which must outlive the reader. */
int csv_open_mem(const char *data, size_t len, const struct csv_opts *o, struct csv **out,
                 struct err *e);

/* Closes the reader; NULL is allowed. */
void csv_close(struct csv *r);

/* Reads the next record into rec. Returns 1 for a record, 0 at the end of
 * the file, or a negative ERR_*: ERR_INVALID for bad CSV (unterminated
 * quote, text after a closing quote, a NUL byte, a byte that is not
 * Windows-1251, a record over the limits) with a Russian message and the
 * place in csv_error_pos(); ERR_IO on a read error. After an error the
 * reader only returns that error again. */
int csv_next(struct csv *r, struct csv_record *rec, struct err *e);

/* Where the last error was: line, and column (field number; 0 when the error
 * is about the whole line). For an unterminated quote, the line and column
 * where the quoted field began. */
void csv_error_pos(const struct csv *r, long *line, int *col);

enum csv_encoding csv_encoding(const struct csv *r);
/* "UTF-8", "UTF-8 (BOM)", "Windows-1251". */
const char *csv_encoding_name(enum csv_encoding enc);
/* The separator in use: ';' or ','. */
char csv_separator(const struct csv *r);

/* Bytes of the file consumed so far and its size, for progress. */
int64_t csv_offset(const struct csv *r);
int64_t csv_size(const struct csv *r);

#endif
