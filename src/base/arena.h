/* arena.h — region allocator. Everything allocated while serving one request
 * (or running one command) comes from one arena and is freed at once by
 * arena_free; most code never calls free(). Not thread-safe: one owner. */
#ifndef UPRAVDOM_ARENA_H
#define UPRAVDOM_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

/* A new empty arena, or NULL when out of memory. */
struct arena *arena_new(void);

/* Frees the arena and everything allocated from it. NULL is allowed. */
void arena_free(struct arena *a);

/* Zeroed memory of n bytes, aligned for any type; NULL when out of memory. */
void *arena_alloc(struct arena *a, size_t n);

/* Copies of strings and byte ranges (NUL-terminated). */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* printf into the arena. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);

/* An array in the arena that grows as it fills: when n == *cap, *arr (a
 * pointer to the array of elements of size bytes) moves to a new block of
 * twice the capacity (at least 16) with its n elements copied, and *cap is
 * updated; the old block stays until the arena is freed. 0, or -1 when out of
 * memory (*arr and *cap untouched). */
int arena_grow(struct arena *a, void *arr, int n, int *cap, size_t size);

/* Bytes handed out so far (for tests and metrics). */
size_t arena_used(const struct arena *a);

#endif
