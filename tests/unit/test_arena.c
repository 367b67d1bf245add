/* test_arena.c — the arena's growing array (base/arena.h arena_grow). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/arena.h"

/* A full array moves to twice its capacity (16 the first time) with every
 * element kept; a non-full one stays where it is. */
static void a_growing_array_keeps_its_elements(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    int64_t *items = NULL;
    int n = 0, cap = 0;
    for (int64_t v = 0; v < 100; v++) {
        int64_t *before = items;
        int had = cap;
        assert_int_equal(arena_grow(a, &items, n, &cap, sizeof *items), 0);
        if (n < had)
            assert_ptr_equal(items, before);
        else
            assert_int_equal(cap, had ? 2 * had : 16);
        items[n++] = v * 7;
    }
    assert_int_equal(cap, 128);
    for (int i = 0; i < n; i++)
        assert_int_equal(items[i], (int64_t)i * 7);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_growing_array_keeps_its_elements),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
