/* checkpoint.c — SQLite's WAL checkpoints, off the committing threads.
 *
 * By default SQLite checkpoints inside the COMMIT that takes the WAL past
 * 1000 pages, so one request (or a large import) pays for copying everybody's
 * pages into the database file. The store's connections turn that off
 * (wal_autocheckpoint=0) and this thread, on its own connection, runs a
 * PASSIVE checkpoint a few times a second: it copies what is committed
 * without blocking readers or the writer. The last one, when the store
 * closes, truncates the WAL. */
#include "store/store_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#define CHECKPOINT_EVERY_MS 250

struct checkpointer {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
    const char *path;
    sqlite3 *db;
};

/* One checkpoint of the given mode; opens the connection on first use (the
 * file may not exist before the first migration). */
static void checkpoint(struct checkpointer *k, int mode)
{
    if (!k->db && sqlite3_open_v2(k->path, &k->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                                  NULL) != SQLITE_OK) {
        sqlite3_close(k->db);
        k->db = NULL;
        return;
    }
    sqlite3_busy_timeout(k->db, mode == SQLITE_CHECKPOINT_PASSIVE ? 0 : 2000);
    /* SQLITE_BUSY (a writer or reader in the way) is normal: the frames are
     * copied on a later turn. */
    (void)sqlite3_wal_checkpoint_v2(k->db, NULL, mode, NULL, NULL);
}

static void *run(void *arg)
{
    struct checkpointer *k = arg;
    pthread_mutex_lock(&k->lock);
    while (!k->stop) {
        struct timespec at;
        clock_gettime(CLOCK_REALTIME, &at);
        at.tv_nsec += CHECKPOINT_EVERY_MS * 1000000L;
        at.tv_sec += at.tv_nsec / 1000000000L;
        at.tv_nsec %= 1000000000L;
        int rc = pthread_cond_timedwait(&k->wake, &k->lock, &at);
        if (k->stop || (rc != 0 && rc != ETIMEDOUT))
            break;
        pthread_mutex_unlock(&k->lock);
        checkpoint(k, SQLITE_CHECKPOINT_PASSIVE);
        pthread_mutex_lock(&k->lock);
    }
    pthread_mutex_unlock(&k->lock);
    return NULL;
}

int lite_checkpointer_start(struct store *s, struct err *e)
{
    struct checkpointer *k = calloc(1, sizeof *k);
    if (!k)
        return err_set(e, ERR_NOMEM, "out of memory");
    k->path = s->path;
    pthread_mutex_init(&k->lock, NULL);
    pthread_cond_init(&k->wake, NULL);
    if (pthread_create(&k->thread, NULL, run, k) != 0) {
        pthread_cond_destroy(&k->wake);
        pthread_mutex_destroy(&k->lock);
        free(k);
        return err_set(e, ERR_DB, "cannot start the checkpoint thread");
    }
    s->checkpointer = k;
    return 0;
}

void lite_checkpointer_stop(struct store *s)
{
    struct checkpointer *k = s->checkpointer;
    if (!k)
        return;
    pthread_mutex_lock(&k->lock);
    k->stop = true;
    pthread_cond_signal(&k->wake);
    pthread_mutex_unlock(&k->lock);
    pthread_join(k->thread, NULL);
    if (k->db)
        checkpoint(k, SQLITE_CHECKPOINT_TRUNCATE);
    sqlite3_close(k->db);
    pthread_cond_destroy(&k->wake);
    pthread_mutex_destroy(&k->lock);
    free(k);
    s->checkpointer = NULL;
}
