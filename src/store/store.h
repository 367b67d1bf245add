/* store.h — the one storage interface. A `struct store` is a pool of
 * connections to one database, SQLite (embedded, the default) or PostgreSQL,
 * chosen by URL. Modules reach the database only through this header: they
 * write SQL with PostgreSQL-style placeholders ($1, $2 …) and bound
 * parameters, never by pasting values into SQL text.
 *
 * Tenancy: every query on tenant data takes the caller's `struct store_scope`
 * and starts with store_scope_check(), which refuses a missing scope; the
 * scope's ids are bound into the query's WHERE clause (store_scope_bind). An
 * object outside the scope is then simply not found.
 *
 * Thread safety: the pool is shared; a connection belongs to the thread that
 * acquired it until it is released. */
#ifndef UPRAVDOM_STORE_H
#define UPRAVDOM_STORE_H

#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct store_conn;
struct store_rows;

enum store_backend {
    STORE_SQLITE,
    STORE_POSTGRES
};

/* A bound parameter. Text is copied by the driver before the call returns. */
enum store_type {
    SV_NULL,
    SV_INT,
    SV_TEXT
};
struct store_val {
    enum store_type type;
    int64_t i;     /* SV_INT */
    const char *s; /* SV_TEXT, NUL-terminated */
};
#define SV_I(x) ((struct store_val){.type = SV_INT, .i = (x)})
#define SV_T(x) ((struct store_val){.type = (x) ? SV_TEXT : SV_NULL, .s = (x)})
#define SV_NULLV ((struct store_val){.type = SV_NULL})
/* Text that is never NULL (a literal). */
#define SV_S(x) ((struct store_val){.type = SV_TEXT, .s = (x)})
/* An id that may be absent (0 means NULL). */
#define SV_ID(x) ((x) ? SV_I(x) : SV_NULLV)

/* Opens a pool of pool_size connections (opened lazily) for url. */
int store_open(const char *url, int pool_size, struct store **out, struct err *e);
void store_close(struct store *s);
enum store_backend store_backend(const struct store *s);
const char *store_backend_name(const struct store *s);
/* The backend of a connection, for the rare query that differs by dialect. */
enum store_backend store_conn_backend(const struct store_conn *c);

/* Takes a connection (waits for one if all are busy). Returns NULL and sets e
 * when the database cannot be reached. */
struct store_conn *store_acquire(struct store *s, struct err *e);
/* Gives it back; an open transaction is rolled back first. NULL is allowed. */
void store_release(struct store_conn *c);
/* A connection of its own to c's database, outside the pool: for a reader
 * working beside c's transaction (it sees what is committed). Closed with
 * store_peer_close (NULL is allowed). */
int store_peer_open(struct store_conn *c, struct store_conn **out, struct err *e);
void store_peer_close(struct store_conn *peer);

/* Transactions. store_begin takes the write lock at once on SQLite
 * (BEGIN IMMEDIATE), so a writer never meets SQLITE_BUSY mid-transaction. */
int store_begin(struct store_conn *c, struct err *e);
int store_commit(struct store_conn *c, struct err *e);
/* Rolls back the open transaction; does nothing outside one. */
void store_rollback(struct store_conn *c);

/* Runs a statement that returns no rows; *changes (may be NULL) gets the
 * number of rows changed. A unique violation is ERR_CONFLICT. `sql` must be a
 * string literal or otherwise live for the program: the prepared statement
 * is cached per connection by its address. */
int store_exec(struct store_conn *c, const char *sql, const struct store_val *params, int n,
               int64_t *changes, struct err *e);

/* Runs a query; iterate with store_next, read columns (0-based), then free. */
int store_query(struct store_conn *c, const char *sql, const struct store_val *params, int n,
                struct store_rows **out, struct err *e);
bool store_next(struct store_rows *r);
bool store_isnull(struct store_rows *r, int col);
int64_t store_int(struct store_rows *r, int col);
/* Valid until the next store_next/store_rows_free; NULL for SQL NULL. */
const char *store_text(struct store_rows *r, int col);
void store_rows_free(struct store_rows *r);
/* The column's text copied into the arena (NULL for SQL NULL). */
struct arena;
const char *store_dup(struct store_rows *r, int col, struct arena *a);

/* Convenience: the first column of the first row as an integer. Returns
 * ERR_NOTFOUND when there is no row. */
int store_query_int(struct store_conn *c, const char *sql, const struct store_val *params, int n,
                    int64_t *out, struct err *e);

/* ---- bulk writes (bulk.c): the dialect pieces of batched INSERTs ---- */

/* Writes "HEAD VALUES ($1, …, $n), (…)" for `rows` rows of `ncols` columns,
 * where HEAD is the first head_len bytes of head ("INSERT INTO t (a, b)").
 * ERR_INVALID if it does not fit in size bytes. The text must then live for
 * the program (statements are cached by the SQL's address). */
int store_values_sql(char *out, size_t size, const char *head, size_t head_len, int ncols,
                     int rows);

/* Appends v to a PostgreSQL array literal being built in the malloc'ed
 * buffer *buf (length *len, capacity *cap): "{" before the first element,
 * "," before the others; texts quoted with '"' and '\' escaped; NULL as
 * NULL. Close it with store_array_close. ERR_NOMEM when out of memory. */
int store_array_append(char **buf, size_t *len, size_t *cap, const struct store_val *v, bool first);
int store_array_close(char **buf, size_t *len, size_t *cap);

/* Applies the embedded numbered migrations not yet recorded in
 * schema_migrations, each in its own transaction. *applied gets how many. */
int store_migrate(struct store *s, int *applied, struct err *e);
/* The highest applied migration number (0 for an empty database). */
int store_schema_version(struct store *s, int64_t *version, struct err *e);

/* ---- durability ---- */

/* When a commit is acknowledged (docs/operations.md, "Durability"). */
enum store_durability {
    STORE_DURABLE_FULL,   /* on disk first: survives a power loss (SQLite synchronous=FULL) */
    STORE_DURABLE_PROCESS /* survives a crash of upravdom, not of the host (synchronous=NORMAL;
                             PostgreSQL: synchronous_commit=off) */
};

/* Sets it for connections opened from now on; call it right after
 * store_open. The default is STORE_DURABLE_FULL. */
void store_set_durability(struct store *s, enum store_durability d);
enum store_durability store_get_durability(const struct store *s);
/* "full" / "process"; ERR_INVALID for anything else. */
int store_durability_parse(const char *text, enum store_durability *out);
const char *store_durability_name(enum store_durability d);

/* Until c is released, its commits do not wait for the disk (SQLite
 * synchronous=NORMAL, PostgreSQL synchronous_commit=off): a power loss may
 * undo them, never half of one, and never one without those before it. Only
 * for bookkeeping that nobody was promised and that is redone when lost: a
 * job's claim, lease and outcome (the job then runs again). A no-op with
 * durability = process. */
int store_relax(struct store_conn *c, struct err *e);

/* ---- group commit (group.c) ---- */

/* A write handed to the store: it runs on a connection the store chooses,
 * inside a transaction it may share with other writes, and must not begin,
 * commit or roll back itself. It returns 0 to keep its changes or an error
 * to undo them (its own, and only its own). Results other than the rc
 * travel in arg. */
typedef int (*store_write_fn)(struct store_conn *c, void *arg, struct err *e);

/* A queued write, owned by the caller until done is called. */
struct store_write {
    store_write_fn fn;
    void *arg;
    void (*done)(struct store_write *w); /* exactly once, when settled, on a committer
                                            thread: it must not block */
    int rc;                              /* then: fn's error, or the commit's, or 0 */
    struct err err;                      /* its message */
    struct store_write *next;            /* the store's queue link */
};

/* Queues w. Once w's changes are committed (durably, as the store is
 * configured) or have failed, w->rc and w->err are set and w->done(w) is
 * called on a committer thread. The committer runs the queued writes in one
 * transaction, each inside its own SAVEPOINT, and commits them together:
 * one fsync for all. */
void store_write_submit(struct store *s, struct store_write *w);
/* The same, waiting: the result of fn, or of the commit. */
int store_write_run(struct store *s, store_write_fn fn, void *arg, struct err *e);

/* Figures for /metrics. */
struct store_stats {
    int size;          /* connections the pool may hold */
    int open;          /* connections opened so far */
    int in_use;        /* connections acquired right now */
    uint64_t acquired; /* acquisitions since start */
    uint64_t waited;   /* acquisitions that had to wait for a free connection */
    uint64_t errors;   /* statements that failed */
    uint64_t groups;   /* transactions of the group committer */
    uint64_t grouped;  /* writes they carried */
};
void store_get_stats(struct store *s, struct store_stats *out);

/* Seconds since the Unix epoch, UTC. All stored times use it. */
int64_t store_now(void);

/* ---- tenancy ---- */

enum scope_kind {
    SCOPE_NONE = 0,     /* not set: the store refuses it */
    SCOPE_SYSTEM,       /* the installation itself: CLI, migrations, demo, jobs */
    SCOPE_ADMIN,        /* an administrator: everything */
    SCOPE_REGION,       /* a regional operator: one region */
    SCOPE_MUNICIPALITY, /* a municipal operator: one municipality */
    SCOPE_ORG,          /* organization staff: one organization */
    SCOPE_RESIDENT      /* a resident: own premises and accounts */
};

struct store_scope {
    enum scope_kind kind;
    int64_t user_id;         /* who acts; 0 for SCOPE_SYSTEM */
    int64_t region_id;       /* 0 = any */
    int64_t municipality_id; /* 0 = any */
    int64_t org_id;          /* 0 = any */
};

/* ERR_SCOPE unless s is a set scope. Every tenant query calls it first. */
int store_scope_check(const struct store_scope *s, struct err *e);

/* Writes the scope's restrictions as three parameters (region, municipality,
 * organization; 0 = unrestricted) at p[0..2], for predicates written as
 *   ($k = 0 OR t.region_id = $k) AND ($k+1 = 0 OR t.municipality_id = $k+1) ... */
void store_scope_bind(const struct store_scope *s, struct store_val p[3]);

#endif
