/* sqlite.c — the SQLite driver: WAL journal, busy timeout, foreign keys, and
 * a per-connection cache of prepared statements. SQL arrives with $N
 * placeholders and is rewritten to SQLite's ?N once, when prepared. */
#include "store/store_impl.h"

#include "base/text.h"

#include <stdlib.h>
#include <string.h>

#define BUSY_TIMEOUT_MS 10000

static int lite_error(struct store_conn *c, int rc, struct err *e)
{
    int ext = sqlite3_extended_errcode(c->lite);
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
        return err_set(e, ERR_CONFLICT, "%s", sqlite3_errmsg(c->lite));
    (void)rc;
    return err_set(e, ERR_DB, "sqlite: %s", sqlite3_errmsg(c->lite));
}

static int collate(void *coll, int alen, const void *a, int blen, const void *b)
{
    return text_collate(coll, a, alen, b, blen);
}

int lite_connect(struct store_conn *c, struct err *e)
{
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(c->store->path, &c->lite, flags, NULL) != SQLITE_OK) {
        err_field(e, ERR_DB, "db", "cannot open database sqlite:%s: %s", c->store->path,
                  c->lite ? sqlite3_errmsg(c->lite) : "out of memory");
        return ERR_DB;
    }
    sqlite3_busy_timeout(c->lite, BUSY_TIMEOUT_MS);
    /* ru_natural: the order of addresses, as PostgreSQL's ICU collation of
     * the same name (migration 0004). */
    struct text_collator *coll = text_collator_new();
    if (!coll || sqlite3_create_collation_v2(c->lite, "ru_natural", SQLITE_UTF8, coll, collate,
                                             text_collator_free) != SQLITE_OK) {
        text_collator_free(coll);
        return err_field(e, ERR_DB, "db", "cannot open database sqlite:%s: no ICU collator",
                         c->store->path);
    }
    /* WAL: readers do not block the writer. synchronous=FULL syncs the WAL
     * at every COMMIT, so a committed transaction survives a power loss;
     * NORMAL (durability = process) keeps it across a crash of the process,
     * not of the OS. Checkpoints run on the store's own thread
     * (checkpoint.c), not in whichever COMMIT crosses the threshold. */
    int rc = lite_script(c,
                         c->store->durability == STORE_DURABLE_FULL
                             ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                               "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
                               "PRAGMA wal_autocheckpoint=0;"
                             : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                               "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
                               "PRAGMA wal_autocheckpoint=0;",
                         e);
    if (rc)
        err_field(e, ERR_DB, "db", "cannot open database sqlite:%s: %s", c->store->path,
                  sqlite3_errmsg(c->lite));
    return rc;
}

void lite_disconnect(struct store_conn *c)
{
    for (int i = 0; i < STMT_CACHE; i++)
        if (c->cache[i].sql)
            sqlite3_finalize(c->cache[i].stmt);
    memset(c->cache, 0, sizeof c->cache);
    sqlite3_close(c->lite);
    c->lite = NULL;
}

int lite_script(struct store_conn *c, const char *sql, struct err *e)
{
    char *msg = NULL;
    if (sqlite3_exec(c->lite, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = err_set(e, ERR_DB, "sqlite: %s", msg ? msg : sqlite3_errmsg(c->lite));
        sqlite3_free(msg);
        return rc;
    }
    return 0;
}

/* $12 → ?12 outside quoted strings and identifiers. */
static char *rewrite_placeholders(const char *sql)
{
    char *out = strdup(sql);
    if (!out)
        return NULL;
    char quote = 0;
    for (char *p = out; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
        } else if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
            *p = '?';
        }
    }
    return out;
}

static int prepare(struct store_conn *c, const char *sql, sqlite3_stmt **out, bool *cached,
                   struct err *e)
{
    struct stmt_slot *slot = store_cache_slot(c, sql);
    if (slot && slot->sql) {
        *out = slot->stmt;
        *cached = true;
        return 0;
    }
    char *text = rewrite_placeholders(sql);
    if (!text)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = sqlite3_prepare_v3(c->lite, text, -1, slot ? SQLITE_PREPARE_PERSISTENT : 0, out, NULL);
    free(text);
    if (rc != SQLITE_OK)
        return lite_error(c, rc, e);
    *cached = slot != NULL;
    if (slot) {
        slot->sql = sql;
        slot->stmt = *out;
    }
    return 0;
}

/* Texts are bound without a copy (SQLITE_STATIC) when the statement runs to
 * its end inside the call (store_exec): the caller's values outlive it. */
static int bind(struct store_conn *c, sqlite3_stmt *st, const struct store_val *p, int n, bool copy,
                struct err *e)
{
    for (int i = 0; i < n; i++) {
        int rc = SQLITE_OK;
        switch (p[i].type) {
        case SV_NULL: rc = sqlite3_bind_null(st, i + 1); break;
        case SV_INT: rc = sqlite3_bind_int64(st, i + 1, p[i].i); break;
        case SV_TEXT:
            rc = sqlite3_bind_text(st, i + 1, p[i].s, -1, copy ? SQLITE_TRANSIENT : SQLITE_STATIC);
            break;
        }
        if (rc != SQLITE_OK)
            return lite_error(c, rc, e);
    }
    return 0;
}

int lite_query(struct store_conn *c, const char *sql, const struct store_val *p, int n,
               struct store_rows *r, int64_t *changes, struct err *e)
{
    sqlite3_stmt *st;
    bool cached;
    int rc = prepare(c, sql, &st, &cached, e);
    if (rc)
        return rc;
    r->stmt = st;
    /* An uncached statement is finalized by lite_rows_free; mark it by a
     * negative row counter. */
    r->nrows = cached ? 0 : -1;
    if ((rc = bind(c, st, p, n, changes == NULL, e)) != 0)
        return rc;
    int step = sqlite3_step(st);
    if (changes) {
        while (step == SQLITE_ROW)
            step = sqlite3_step(st);
        if (step == SQLITE_DONE)
            *changes = sqlite3_changes64(c->lite);
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return lite_error(c, step, e);
    r->step_rc = step;
    return 0;
}

bool lite_next(struct store_rows *r)
{
    int step = r->step_rc;
    if (step >= 0)
        r->step_rc = -1;
    else
        step = sqlite3_step(r->stmt);
    return step == SQLITE_ROW;
}

void lite_rows_free(struct store_rows *r)
{
    if (!r->stmt)
        return;
    if (r->nrows < 0) {
        sqlite3_finalize(r->stmt);
    } else {
        sqlite3_reset(r->stmt);
        sqlite3_clear_bindings(r->stmt);
    }
    r->stmt = NULL;
}
