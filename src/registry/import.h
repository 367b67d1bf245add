/* import.h — loading the registry's two files (docs/registry.md "Files"):
 * the house passport (`houses`) and the extract of premises and rights
 * (`premises`), as CSV read by src/base/csv.h.
 *
 * An import reads the whole file first, checking every row and then the
 * rules that span rows (one type and area per premises, shares of a
 * premises' долевая rights adding up to at most 1, собственность as the only
 * right, no right given twice), collecting every error as LINE:COLUMN and a
 * Russian message. Only then does it write, inside the caller's transaction:
 *
 *  - houses are matched by FIAS GUID, else by cadastral number; premises by
 *    (house, number); rights by (premises, registration number, owner);
 *  - nothing is written that is already so: importing the same file again
 *    changes nothing and records no change;
 *  - an extract is a snapshot of its houses (PITFALLS.md "Imports"): current
 *    rights of a house's premises that the file does not list are ended with
 *    the extract's date;
 *  - every premises whose owners changed (a right created, ended or
 *    restored) gets one `owner` row in registry_changes, with the owner names
 *    before and after; every area change an `area` row with both areas.
 *
 * Writing is built for big extracts: each house's premises, rights and
 * encumbrances are loaded once into hash tables, and each row costs only the
 * statements that change something, all prepared once. */
#ifndef UPRAVDOM_REGISTRY_IMPORT_H
#define UPRAVDOM_REGISTRY_IMPORT_H

#include "base/arena.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

#define REG_IMPORT_MAX_ERRORS 1000 /* errors listed by default; all are counted */

enum reg_import_kind {
    REG_IMPORT_HOUSES,  /* house passport: `upravdom import houses` */
    REG_IMPORT_PREMISES /* extract of premises and rights: `upravdom import premises` */
};

/* Progress of a long import: phase "чтение" (reading, done/total in bytes)
 * or "запись" (writing, done/total in houses). */
typedef void reg_import_progress_fn(void *ctx, const char *phase, int64_t done, int64_t total);

struct reg_import_opts {
    enum reg_import_kind kind;
    const char *path;   /* the CSV file */
    const char *source; /* registry_changes.source; NULL: the file's base name */
    const char *date;   /* premises: the extract's date "YYYY-MM-DD" (required) */
    bool skip_invalid;  /* apply the good rows; write the rejected ones to PATH.rejected.csv */
    /* Who imports. SCOPE_SYSTEM and SCOPE_ADMIN touch any house; a regional or
     * municipal operator only houses of their region or municipality; an
     * organization only houses it manages (and creates none). */
    const struct store_scope *scope;
    int max_errors;                   /* errors listed in the result (0: REG_IMPORT_MAX_ERRORS) */
    reg_import_progress_fn *progress; /* or NULL */
    void *progress_ctx;
};

/* One problem in the file. */
struct reg_import_error {
    long line; /* physical line where the row starts, from 1 */
    int col;   /* the field's number, from 1 (0: the whole row or file) */
    const char *msg;
};

struct reg_import_result {
    const char *encoding; /* "UTF-8", "UTF-8 (BOM)", "Windows-1251" */
    char separator;       /* ';' or ',' */
    int64_t rows;         /* data rows read (the header not counted) */
    int64_t rows_applied, rows_rejected;
    int64_t houses;                             /* distinct houses in the file */
    int64_t houses_created, houses_updated;     /* houses file */
    int64_t premises_created, premises_updated; /* premises file */
    int64_t rights_created, rights_updated, rights_ended;
    int64_t changes;                 /* rows written to registry_changes */
    struct reg_import_error *errors; /* the first max_errors, by line and column */
    int nerrors;                     /* listed */
    int64_t error_count;             /* all of them */
    const char *rejected_path;       /* the rejected rows' file, or NULL */
};

/* Imports o->path through connection c, which must be inside a transaction
 * (store_begin): the caller commits on success — after writing its audit
 * entry — and rolls back on any error, so a failed import changes nothing.
 *
 * Returns 0 when the file was applied (with o->skip_invalid: its good rows;
 * the rejected ones, each with its reasons in a last column, are written to
 * PATH.rejected.csv and listed in out->errors). Returns ERR_INVALID when the
 * file has errors (out->errors lists them; nothing must be committed) —
 * with skip_invalid too when its header is unusable or the CSV itself is
 * broken (an unterminated quote hides where rows end, so no row can be
 * trusted); ERR_INVALID with field "date" for a bad o->date; ERR_IO when it
 * cannot be read or PATH.rejected.csv written (e->msg names it); ERR_DB,
 * ERR_NOMEM; ERR_SCOPE without a scope. Strings of out live in arena a.
 *
 * On SQLite the transaction must have been begun with store_begin (BEGIN
 * IMMEDIATE, the write lock held from the start): new premises and rights
 * get their ids from the import, as max(id) + 1 …. */
int reg_import_run(struct store_conn *c, const struct reg_import_opts *o, struct arena *a,
                   struct reg_import_result *out, struct err *e);

#endif
