/* test_store_group.c — group commit (src/store/group.c) on a real database
 * (UPRAVDOM_TEST_DB, per backend through scripts/with-pgdb.sh): every write
 * of many threads is committed exactly once; in a shared transaction a
 * refused write is undone alone and the others are committed; a write that
 * makes the database abandon the transaction takes only the batch's earlier
 * writes with it, and the later ones still commit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/store.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define THREADS 8
#define PER_THREAD 150

/* Holds the committer's lanes inside a write until the test opens it. */
struct gate {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int inside; /* blockers running */
    bool open;
};

enum how {
    INSERT,  /* one row */
    REFUSED, /* a row, then a duplicate: ERR_CONFLICT */
    ABANDON, /* a row, then ROLLBACK of the whole transaction */
    BLOCK    /* waits at the gate */
};

struct job {
    struct store_write w;
    enum how how;
    char key[32];
    struct gate *gate;
    bool settled;
};

static struct store *db;
static struct gate gate = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, false};

static int insert(struct store_conn *c, const char *key, struct err *e)
{
    struct store_val p[] = {SV_S(key)};
    return store_exec(c, "INSERT INTO group_rows (k) VALUES ($1)", p, 1, NULL, e);
}

static int write_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct job *j = arg;
    if (j->how == BLOCK) {
        pthread_mutex_lock(&j->gate->lock);
        j->gate->inside++;
        pthread_cond_broadcast(&j->gate->changed);
        while (!j->gate->open)
            pthread_cond_wait(&j->gate->changed, &j->gate->lock);
        pthread_mutex_unlock(&j->gate->lock);
        return 0;
    }
    int rc = insert(c, j->key, e);
    if (rc == 0 && j->how == REFUSED)
        rc = insert(c, j->key, e);
    if (rc == 0 && j->how == ABANDON)
        rc = store_exec(c, "ROLLBACK", NULL, 0, NULL, e);
    return rc;
}

static void on_done(struct store_write *w)
{
    struct job *j = w->arg;
    pthread_mutex_lock(&gate.lock);
    j->settled = true;
    pthread_cond_broadcast(&gate.changed);
    pthread_mutex_unlock(&gate.lock);
}

static void submit(struct job *j, enum how how, const char *key)
{
    *j = (struct job){.w = {.fn = write_fn, .done = on_done}, .how = how, .gate = &gate};
    j->w.arg = j;
    snprintf(j->key, sizeof j->key, "%s", key);
    store_write_submit(db, &j->w);
}

/* Waits until cond holds (checked under the gate's lock) or ms pass. */
static bool wait_for(bool (*cond)(void *), void *arg, int ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L)
        until.tv_sec++, until.tv_nsec -= 1000000000L;
    pthread_mutex_lock(&gate.lock);
    int rc = 0;
    while (!cond(arg) && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&gate.changed, &gate.lock, &until);
    bool ok = cond(arg);
    pthread_mutex_unlock(&gate.lock);
    return ok;
}

static bool inside_at_least(void *n)
{
    return gate.inside >= *(int *)n;
}

static bool settled(void *j)
{
    return ((struct job *)j)->settled;
}

/* Occupies every lane with a blocker, so that what is queued next waits and
 * forms one batch; returns the blockers submitted (the last one queued). */
static int occupy_lanes(struct job *blockers, int max)
{
    gate.inside = 0;
    gate.open = false;
    int n = 0;
    while (n < max) {
        submit(&blockers[n], BLOCK, "");
        int want = ++n;
        if (!wait_for(inside_at_least, &want, 300))
            break; /* every lane is busy: this one stays queued */
    }
    assert_true(n < max);
    return n;
}

static void open_gate(struct job *blockers, int n)
{
    pthread_mutex_lock(&gate.lock);
    gate.open = true;
    pthread_cond_broadcast(&gate.changed);
    pthread_mutex_unlock(&gate.lock);
    for (int i = 0; i < n; i++)
        assert_true(wait_for(settled, &blockers[i], 10000));
}

static int64_t count_rows(const char *like)
{
    struct err e = {0};
    struct store_conn *c = store_acquire(db, &e);
    assert_non_null(c);
    struct store_val p[] = {SV_S(like)};
    int64_t n = -1;
    assert_int_equal(
        store_query_int(c, "SELECT count(*) FROM group_rows WHERE k LIKE $1", p, 1, &n, &e), 0);
    store_release(c);
    return n;
}

struct thread_arg {
    int id;
    int failures;
};

static int insert_fn(struct store_conn *c, void *arg, struct err *e)
{
    return insert(c, arg, e);
}

static void *writer(void *arg)
{
    struct thread_arg *t = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        char key[32];
        struct err e = {0};
        snprintf(key, sizeof key, "many-%d-%d", t->id, i);
        t->failures += store_write_run(db, insert_fn, key, &e) != 0;
    }
    return NULL;
}

static void many_threads_commit_every_write_once(void **state)
{
    (void)state;
    struct store_stats before, after;
    store_get_stats(db, &before);
    pthread_t th[THREADS];
    struct thread_arg args[THREADS];
    for (int i = 0; i < THREADS; i++) {
        args[i] = (struct thread_arg){.id = i};
        assert_int_equal(pthread_create(&th[i], NULL, writer, &args[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].failures, 0);
    }
    store_get_stats(db, &after);
    assert_int_equal(count_rows("many-%"), THREADS * PER_THREAD);
    assert_int_equal(after.grouped - before.grouped, THREADS * PER_THREAD);
    assert_true(after.groups - before.groups <= THREADS * PER_THREAD);
}

static void refused_write_is_undone_alone(void **state)
{
    (void)state;
    struct job blockers[4], jobs[5];
    struct store_stats before, after;
    store_get_stats(db, &before);
    int nb = occupy_lanes(blockers, 4);
    const char *keys[] = {"ref-1", "ref-2", "ref-3", "ref-4", "ref-5"};
    for (int i = 0; i < 5; i++)
        submit(&jobs[i], i == 2 ? REFUSED : INSERT, keys[i]);
    open_gate(blockers, nb);
    for (int i = 0; i < 5; i++) {
        assert_true(wait_for(settled, &jobs[i], 10000));
        assert_int_equal(jobs[i].w.rc, i == 2 ? ERR_CONFLICT : 0);
    }
    store_get_stats(db, &after);
    /* One transaction per running blocker, one for the rest. */
    assert_int_equal(after.groups - before.groups, nb);
    assert_int_equal(count_rows("ref-%"), 4);
    assert_int_equal(count_rows("ref-3"), 0);
}

static void abandoned_transaction_loses_only_earlier_writes(void **state)
{
    (void)state;
    struct job blockers[4], jobs[5];
    int nb = occupy_lanes(blockers, 4);
    const char *keys[] = {"ab-1", "ab-2", "ab-3", "ab-4", "ab-5"};
    for (int i = 0; i < 5; i++)
        submit(&jobs[i], i == 2 ? ABANDON : INSERT, keys[i]);
    open_gate(blockers, nb);
    for (int i = 0; i < 5; i++) {
        assert_true(wait_for(settled, &jobs[i], 10000));
        assert_int_equal(jobs[i].w.rc, i < 3 ? ERR_DB : 0);
    }
    assert_int_equal(count_rows("ab-%"), 2);
    assert_int_equal(count_rows("ab-4"), 1);
    assert_int_equal(count_rows("ab-5"), 1);
}

static int setup(void **state)
{
    (void)state;
    struct err e = {0};
    const char *url = getenv("UPRAVDOM_TEST_DB");
    assert_non_null(url);
    assert_int_equal(store_open(url, 2, &db, &e), 0);
    struct store_conn *c = store_acquire(db, &e);
    assert_non_null(c);
    assert_int_equal(
        store_exec(c, "CREATE TABLE group_rows (k TEXT PRIMARY KEY)", NULL, 0, NULL, &e), 0);
    store_release(c);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    store_close(db);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(many_threads_commit_every_write_once),
        cmocka_unit_test(refused_write_is_undone_alone),
        cmocka_unit_test(abandoned_transaction_loses_only_earlier_writes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
