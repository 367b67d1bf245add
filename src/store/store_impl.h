/* store_impl.h — what store.c shares with its two drivers (sqlite.c,
 * postgres.c). Not for modules. */
#ifndef UPRAVDOM_STORE_IMPL_H
#define UPRAVDOM_STORE_IMPL_H

#include "store/store.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>

#define STMT_CACHE 512 /* prepared statements kept per connection */

struct stmt_slot {
    const char *sql; /* key: the SQL text's address */
    void *stmt;      /* sqlite3_stmt*, or the PostgreSQL statement's number + 1 */
};

struct store_conn {
    struct store *store;
    sqlite3 *lite;                      /* SQLite handle, or NULL */
    PGconn *pg;                         /* PostgreSQL handle, or NULL */
    bool in_tx;                         /* a transaction is open */
    bool busy;                          /* checked out of the pool */
    bool relaxed;                       /* store_relax: commits do not wait for the disk */
    int nprepared;                      /* PostgreSQL statements prepared */
    struct stmt_slot cache[STMT_CACHE]; /* open-addressing table by sql address */
};

struct store_rows {
    struct store_conn *conn;
    sqlite3_stmt *stmt; /* SQLite: the statement being stepped */
    int step_rc;        /* SQLite: result of the step not yet consumed, or -1 */
    PGresult *res;      /* PostgreSQL: the whole result */
    int row, nrows;     /* PostgreSQL: current row (-1 before the first) */
};

struct store {
    enum store_backend backend;
    char *url;  /* as given */
    char *path; /* SQLite file path */
    int size;   /* pool capacity */
    struct store_conn *conns;
    pthread_mutex_t lock;
    pthread_cond_t freed;
    struct store_stats stats;
    struct checkpointer *checkpointer; /* SQLite: the WAL checkpoint thread */
    enum store_durability durability;  /* of connections opened from now on */
    struct committer *committer;       /* the group committer, or NULL (writes run inline) */
};

/* Slot for sql in c's statement cache: the one holding it, or an empty one, or
 * NULL when full. */
struct stmt_slot *store_cache_slot(struct store_conn *c, const char *sql);
void store_count_error(struct store *s);
/* Runs SQL text without parameters or rows (BEGIN, COMMIT, SAVEPOINT …). */
int store_script(struct store_conn *c, const char *sql, struct err *e);
/* Whether c is inside a transaction that can still commit: false after an
 * error made the database roll it back. */
bool store_tx_alive(struct store_conn *c);

/* Driver entry points. */
int lite_connect(struct store_conn *c, struct err *e);
void lite_disconnect(struct store_conn *c);
int lite_script(struct store_conn *c, const char *sql, struct err *e);
int lite_query(struct store_conn *c, const char *sql, const struct store_val *p, int n,
               struct store_rows *r, int64_t *changes, struct err *e);
bool lite_next(struct store_rows *r);
void lite_rows_free(struct store_rows *r);

/* The SQLite store's checkpoint thread (checkpoint.c). */
int lite_checkpointer_start(struct store *s, struct err *e);
void lite_checkpointer_stop(struct store *s);

/* The group committer (group.c): `lanes` threads, each with its own
 * connection, taking turns at the queue. */
int store_committer_start(struct store *s, int lanes, struct err *e);
void store_committer_stop(struct store *s);

int pg_connect(struct store_conn *c, struct err *e);
void pg_disconnect(struct store_conn *c);
int pg_script(struct store_conn *c, const char *sql, struct err *e);
int pg_query(struct store_conn *c, const char *sql, const struct store_val *p, int n,
             struct store_rows *r, int64_t *changes, struct err *e);

#endif
