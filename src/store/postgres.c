/* postgres.c — the PostgreSQL driver (libpq). Statements are prepared once
 * per connection under names s0, s1 … and executed with text parameters. */
#include "store/store_impl.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SQLSTATE 23505: unique_violation. */
static int pg_error(struct store_conn *c, PGresult *res, struct err *e)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(c->pg);
    int code = state && strcmp(state, "23505") == 0 ? ERR_CONFLICT : ERR_DB;
    err_set(e, code, "postgres: %.*s", (int)strcspn(msg, "\n"), msg);
    return code;
}

int pg_connect(struct store_conn *c, struct err *e)
{
    c->pg = PQconnectdb(c->store->url);
    if (!c->pg)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (PQstatus(c->pg) != CONNECTION_OK) {
        const char *msg = PQerrorMessage(c->pg);
        return err_field(e, ERR_DB, "db", "cannot connect to %s: %.*s", c->store->url,
                         (int)strcspn(msg, "\n"), msg);
    }
    /* durability = process: the server acknowledges a commit before its WAL
     * is flushed (a crash of the server, not of upravdom, can lose it). */
    PGresult *res = PQexec(c->pg, c->store->durability == STORE_DURABLE_FULL
                                      ? "SET client_min_messages = warning; SET TIME ZONE 'UTC'"
                                      : "SET client_min_messages = warning; SET TIME ZONE 'UTC';"
                                        " SET synchronous_commit = off");
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : pg_error(c, res, e);
    PQclear(res);
    return rc;
}

void pg_disconnect(struct store_conn *c)
{
    PQfinish(c->pg);
    c->pg = NULL;
    c->nprepared = 0;
    memset(c->cache, 0, sizeof c->cache);
}

int pg_script(struct store_conn *c, const char *sql, struct err *e)
{
    PGresult *res = PQexec(c->pg, sql);
    ExecStatusType st = PQresultStatus(res);
    int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : pg_error(c, res, e);
    PQclear(res);
    return rc;
}

/* The statement's name, preparing it on first use. */
static int prepare(struct store_conn *c, const char *sql, int n, char name[16], struct err *e)
{
    struct stmt_slot *slot = store_cache_slot(c, sql);
    if (slot && slot->sql) {
        snprintf(name, 16, "s%d", (int)((intptr_t)slot->stmt - 1));
        return 0;
    }
    if (!slot) {
        name[0] = '\0'; /* cache full: run unnamed */
        return 0;
    }
    snprintf(name, 16, "s%d", c->nprepared);
    PGresult *res = PQprepare(c->pg, name, sql, n, NULL);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : pg_error(c, res, e);
    PQclear(res);
    if (rc == 0) {
        slot->sql = sql;
        slot->stmt = (void *)(intptr_t)(c->nprepared + 1);
        c->nprepared++;
    }
    return rc;
}

int pg_query(struct store_conn *c, const char *sql, const struct store_val *p, int n,
             struct store_rows *r, int64_t *changes, struct err *e)
{
    char name[16];
    int rc = prepare(c, sql, n, name, e);
    if (rc)
        return rc;
    char numbuf[64][24];
    const char *values[64];
    if (n > 64)
        return err_set(e, ERR_DB, "too many parameters (%d)", n);
    for (int i = 0; i < n; i++) {
        if (p[i].type == SV_INT) {
            snprintf(numbuf[i], sizeof numbuf[i], "%" PRId64, p[i].i);
            values[i] = numbuf[i];
        } else {
            values[i] = p[i].type == SV_TEXT ? p[i].s : NULL;
        }
    }
    PGresult *res = name[0] ? PQexecPrepared(c->pg, name, n, values, NULL, NULL, 0)
                            : PQexecParams(c->pg, sql, n, NULL, values, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        rc = pg_error(c, res, e);
        PQclear(res);
        return rc;
    }
    if (changes) {
        const char *t = PQcmdTuples(res);
        *changes = *t ? strtoll(t, NULL, 10) : 0;
    }
    r->res = res;
    r->nrows = PQntuples(res);
    return 0;
}
