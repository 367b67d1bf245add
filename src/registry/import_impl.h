/* import_impl.h — what the files of the registry import share (private to
 * src/registry/import*.c; the public interface is import.h).
 *
 *   import.c          the driver reg_import_run, the import's state (struct
 *                     imp), error collection, the header row, scope checks,
 *                     cached lookups, the hash table
 *   import_values.c   parsing and checking of field values
 *   import_batch.c    batched inserts and the rejected rows' file
 *   import_houses.c   the house passport: read, check, apply
 *   import_premises.c the extract of premises and rights: read and check
 *   import_write.c    the extract: write it house by house (import_premises)
 *
 * Nothing here is shared between threads: one import per connection. */
#ifndef UPRAVDOM_REGISTRY_IMPORT_IMPL_H
#define UPRAVDOM_REGISTRY_IMPORT_IMPL_H

#include "registry/import.h"

#include "base/csv.h"
#include "base/date.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

__extension__ typedef __int128 i128;

#define NONE INT64_MIN      /* a number the file does not give */
#define PROGRESS_ROWS 65536 /* rows between progress calls while reading */
#define BATCH_ROWS 2048     /* rows collected before the batches are sent */

/* ------------------------------------------------------------------ hashing (import.c) */

/* An open-addressing table of pointers by 64-bit hash. Equality is the
 * caller's: ht_find walks the entries with the same hash through eq. */
struct htab {
    size_t cap, n; /* cap is a power of two, n < cap / 2 */
    struct hent {
        uint64_t h;
        void *v; /* NULL: empty */
    } * e;
};

#define HASH_SEED 0xcbf29ce484222325ull

/* FNV-1a of n bytes at p, continuing from hash h. */
uint64_t hash_bytes(uint64_t h, const void *p, size_t n);
/* FNV-1a of s with its NUL, continuing from hash h. */
uint64_t hash_str(uint64_t h, const char *s);
/* Empties t, keeping its memory. */
void ht_clear(struct htab *t);
/* Frees t's memory (not the values). */
void ht_free(struct htab *t);
/* Adds v under hash h; 0 or ERR_NOMEM. */
int ht_put(struct htab *t, uint64_t h, void *v);
/* The value with hash h for which eq(value, key) holds, or NULL. */
void *ht_find(const struct htab *t, uint64_t h, bool (*eq)(const void *v, const void *key),
              const void *key);

/* ------------------------------------------------------------------ context (import.c) */

/* One error found in the file. */
struct error_item {
    long line;
    int col;
    int64_t seq; /* order of discovery, for a stable sort */
    const char *msg;
};

/* The state of one import: the caller's inputs, the file being read, the
 * errors found so far and the lookups cached. */
struct imp {
    struct store_conn *c;
    const struct reg_import_opts *o;
    struct arena *a; /* the caller's: rows, messages, the result */
    struct reg_import_result *res;
    struct err *e;
    const char *source; /* registry_changes.source */
    int64_t now;

    struct csv *csv;
    int *colmap;      /* column id → field index in the record, -1 absent */
    const char **val; /* column id → trimmed value of the current row ("" if none) */
    int ncols;        /* columns of this kind of file */
    int header_n;     /* fields in the header */
    long line;        /* line of the current row */
    bool row_bad;     /* the current row has an error */

    struct error_item *errors;
    size_t nerr, caperr;

    struct htab cache; /* municipalities by ОКТМО, organizations by ИНН, houses by key */
    struct store_conn *lookup; /* the reader's own connection while a writer runs */
    char reg_date[DATE_STR_SIZE], enc_date[DATE_STR_SIZE]; /* the current row's dates */
};

/* Records an error at line and field number field (0: the whole row); marks the row bad. */
int add_error_at(struct imp *m, long line, int field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The field number (from 1) of column id col in the current file, 0 if absent. */
int field_no(const struct imp *m, int col);

#define ROW_ERROR(m, col, ...) add_error_at((m), (m)->line, field_no((m), (col)), __VA_ARGS__)

/* ------------------------------------------------------------------ header (import.c) */

/* A column of a file. */
struct column {
    const char *name; /* folded: lower case, '_' between words */
    bool required;
};

/* Fills m->val for a data row; an error if it has more fields than the header. */
int read_values(struct imp *m, const struct csv_record *rec);
/* The csv error rc as a file error at its place (other codes pass through). */
int csv_failed(struct imp *m, int rc);
/* Reports progress to the caller's callback, if any. */
void progress(struct imp *m, const char *phase, int64_t done, int64_t total);

/* ------------------------------------------------------------------ scope and lookups (import.c)
 */

struct phouse;

/* A cached lookup result: municipality, organization or house by its key. */
struct found {
    char kind; /* 'm' municipality, 'o' organization, 'h' house */
    const char *key;
    int64_t id, region_id, municipality_id, org_id; /* id 0: not found */
    struct phouse *house;                           /* 'h': the premises file's house */
};

/* Whether the import's scope s may touch a house of this region, municipality and manager. */
bool may_touch(const struct store_scope *s, int64_t region, int64_t mun, int64_t org);
/* The cached entry for (kind, key), or a new one (id 0) with *fresh set; NULL on ERR_NOMEM. */
struct found *cache_get(struct imp *m, char kind, const char *key, bool *fresh);
/* The municipality with this ОКТМО (cached; id 0 if none). */
int lookup_municipality(struct imp *m, const char *oktmo, struct found **out);
/* The organization with this ИНН (cached; id 0 if none). */
int lookup_org(struct imp *m, const char *inn, struct found **out);
/* A copy of the FIAS GUID s in lower case. */
char *guid_lower(struct arena *a, const char *s);

/* ------------------------------------------------------------------ values (import_values.c) */

/* Trims ASCII white space and U+00A0 around s, in place. */
char *trim(char *s);
/* Lower-cases Latin and Cyrillic letters of s into out (runs of spaces to '_' if asked). */
void fold(const char *s, char *out, size_t size, bool spaces_to_underscore);
/* Index of s in the NULL-terminated words (case-insensitive, '_' for spaces), or -1. */
int word_index(const char *s, const char *const *words);
/* A whole number in [min, max]; false on anything else. */
bool parse_int(const char *s, int64_t min, int64_t max, int64_t *out);
/* An area in m² with up to two decimals into hundredths. */
bool parse_area(const char *s, int64_t *out);
/* Degrees with up to six decimals into millionths, |value| <= limit. */
bool parse_coord(const char *s, int64_t limit, int64_t *out);
/* A date "YYYY-MM-DD" or "DD.MM.YYYY" into out as "YYYY-MM-DD". */
bool parse_date(const char *s, char out[DATE_STR_SIZE]);
/* A share "n/d" with 0 < n <= d <= 10^15 (a bare "1" is 1/1). */
bool parse_share(const char *s, int64_t *num, int64_t *den);
/* sn/sd += n/d exactly, reduced; false if the sum no longer fits. */
bool share_add(i128 *sn, i128 *sd, int64_t n, int64_t d);
/* Text "n/d" of a fraction held in 128 bits (for messages). */
const char *share_text(struct arena *a, i128 n, i128 d);
/* Text without control characters, at most max bytes. */
bool plain_text(const char *s, size_t max);
/* Equal texts, NULL equal to NULL only. */
bool same_text(const char *a, const char *b);

/* ------------------------------------------------------------------ batches (import_batch.c) */

/* Rows written by one statement. Each statement costs a round trip on
 * PostgreSQL and, on SQLite, a fixed start and end (cursors on the table and
 * its indexes opened and closed, the statement reset): paid once per batch
 * instead of once per row.
 *
 * PostgreSQL: each column is collected as the text of an array literal, sent
 * as one parameter and expanded by unnest(). SQLite: the values themselves
 * are kept (texts borrowed: they must stay valid until the batch is sent) and
 * sent BATCH_LITE rows per INSERT … VALUES (…), (…). */
struct batch {
    int ncols;
    bool pg;
    int table;     /* SQLite: LS_* of the statement */
    char *buf[16]; /* PostgreSQL: array literal text per column, "{…" while open */
    size_t len[16], cap[16];
    struct store_val *vals; /* SQLite: n rows of ncols values */
    size_t cap_rows;
    int n; /* rows collected */
};

/* The tables a SQLite batch inserts into (struct batch.table). */
enum {
    LS_PREMISES,
    LS_RIGHTS,
    LS_ENCS,
    LS_CHANGES,
    LS_N
};

/* Appends one row of ncols values to b; 0 or ERR_NOMEM. */
int batch_add(struct batch *b, const struct store_val *v);
/* The batch's columns as parameters, each array closed (PostgreSQL); 0 or ERR_NOMEM. */
int batch_params(struct batch *b, struct store_val *p);
/* Empties b, keeping its memory. */
void batch_reset(struct batch *b);
/* Frees b's memory. */
void batch_free(struct batch *b);
/* Sends a SQLite batch and empties it. */
int lite_send(struct imp *m, struct batch *b);

/* ------------------------------------------------------------------ rejected rows (import_batch.c)
 */

/* A rejected row: its line, and the reason when the row itself has no error
 * (it went down with its premises). */
struct rejected {
    long line;
    const char *fallback;
};

/* qsort order of struct error_item: by line, column, then discovery. */
int cmp_errors(const void *x, const void *y);
/* Writes PATH.rejected.csv with the rejected rows and their reasons (errors sorted). */
int write_rejected(struct imp *m, struct rejected *rej, size_t n);

/* ------------------------------------------------------------------ houses file (import_houses.c)
 */

/* Column ids of the house passport. */
enum hcol {
    H_ADDRESS,
    H_FIAS,
    H_CADASTRAL,
    H_OKTMO,
    H_KIND,
    H_ORG_INN,
    H_YEAR,
    H_FLOORS,
    H_ENTRANCES,
    H_NONRES_COUNT,
    H_BALCONIES,
    H_LOGGIAS,
    H_WALL,
    H_TOTAL_AREA,
    H_RES_AREA,
    H_NONRES_AREA,
    H_COMMON_AREA,
    H_EMERGENCY,
    H_LAT,
    H_LON,
    H_NCOLS
};

/* The house passport's columns, by column id. */
extern const struct column house_columns[H_NCOLS];
/* Reads, checks and applies the rows of a house passport after its header. */
int import_houses(struct imp *m);

/* ------------------------------------------------------------------ premises file
 * (import_premises.c) */

/* Column ids of the extract of premises and rights. */
enum pcol {
    P_HOUSE,
    P_NUMBER,
    P_KIND,
    P_AREA,
    P_CADASTRAL,
    P_ENTRANCE,
    P_FLOOR,
    P_OWNER,
    P_OWNER_KIND,
    P_INN,
    P_RIGHT,
    P_SHARE,
    P_REG_NUMBER,
    P_REG_DATE,
    P_ENC,
    P_ENC_NUMBER,
    P_ENC_DATE,
    P_NCOLS
};

struct pgroup;
struct epremises;

/* A house the extract names (each stored house once, however it is named). */
struct phouse {
    struct phouse *next; /* file order */
    const char *key;     /* as first written in the file */
    int64_t id, region_id, municipality_id, org_id;
    struct pgroup *groups, *last; /* its premises, file order */
    bool incomplete;              /* a rejected row names no premises: end no rights */
    bool handed;                  /* given to the writer while reading (import_pipe.c) */
};

/* A row of the extract that names a right (or none: right_type 0). */
struct prow {
    struct prow *next; /* the next row of the same premises */
    long line;
    const char *owner, *inn, *reg_number, *reg_date; /* inn NULL if not given */
    const char *enc_kind, *enc_number, *enc_date;    /* NULL if not given */
    int64_t share_num, share_den;                    /* 1/1 unless долевая */
    unsigned char owner_kind, right_type;
};

/* One premises of the extract: its rows and what they say together. */
struct pgroup {
    struct pgroup *next; /* the next premises of the same house */
    struct phouse *house;
    const char *number, *cadastral; /* cadastral NULL if not given */
    int64_t area, entrance, floor;  /* NONE if no (valid) row gives it */
    unsigned char kind;             /* 0 until a row gives it */
    long kind_line, area_line, cad_line;
    long own_line, first_right_line, empty_line, bad_line; /* 0: none */
    struct prow *rows, *last;
    int nrows;
    i128 share_num, share_den; /* sum of the долевая shares so far */
    /* While its house is written: */
    int64_t pid;          /* the premises' id */
    struct epremises *ep; /* the stored premises, or NULL */
};

/* The key of a struct pgroup in struct pread.groups. */
struct gkey {
    const struct phouse *house;
    const char *number;
};

/* Reading state of a premises extract. */
struct pread {
    struct htab groups;           /* struct pgroup by (house, number) */
    struct phouse *houses, *last; /* file order */
    long *orphans;                /* lines of bad rows that belong to no premises */
    size_t norphans, caporphans;
    struct pipe *pipe; /* SQLite: the writer working while the file is read */
};

/* The extract's columns, by column id. */
extern const struct column premises_columns[P_NCOLS];
/* Equality of a struct pgroup and a struct gkey (for ht_find). */
bool group_eq(const void *v, const void *key);
/* The hash of a premises number of house h in struct pread.groups. */
uint64_t group_hash(const struct phouse *h, const char *number);
/* Checks the current row of the extract and files it under its premises. */
int premises_row(struct imp *m, struct pread *pr);

/* ------------------------------------------------------------------ premises file (import_write.c)
 */

/* Reads the extract's rows after its header and writes it house by house
 * (while reading, on SQLite: import_pipe.c). */
int import_premises(struct imp *m);

/* The writing state of an extract: made for the file being read (NULL with
 * m->e set on failure); writes one house; sends what is left in the
 * batches; freed (NULL is fine). */
struct writer *writer_new(struct imp *m, struct pread *pr);
int writer_house(struct imp *m, struct writer *w, struct phouse *h);
int writer_end(struct imp *m, struct writer *w);
void writer_free(struct writer *w);

/* ------------------------------------------------------------------ writing while reading
 * (import_pipe.c)
 */

/* SQLite: starts the writer thread and sets pr->pipe (NULL elsewhere). */
int pipe_start(struct imp *m, struct pread *pr);
/* The current row names house h (before the row touches h's premises). */
void pipe_row(struct imp *m, struct pipe *p, struct phouse *h);
/* Stops the writer. With ok (the file is to be applied), *written says
 * whether every house has been written; if not, the writes are undone and
 * the caller writes after reading. */
int pipe_finish(struct imp *m, struct pread *pr, bool ok, bool *written);

#endif
