/* err.h — the project's one error convention. Functions that can fail return 0
 * or a negative ERR_* code; the human-readable message (Russian where a user
 * sees it) and, for bad input, the name of the offending field travel on a
 * `struct err` up to the edge (HTTP handler or CLI) that shows them. */
#ifndef UPRAVDOM_ERR_H
#define UPRAVDOM_ERR_H

enum err_code {
    ERR_OK = 0,
    ERR_INVALID = -1,   /* bad input from outside: request, file, flag */
    ERR_NOTFOUND = -2,  /* no such object, or outside the caller's scope */
    ERR_CONFLICT = -3,  /* unique value already taken */
    ERR_DB = -4,        /* database failure */
    ERR_SCOPE = -5,     /* a tenant query was called without a scope (a bug) */
    ERR_FORBIDDEN = -6, /* the caller's role lacks the right */
    ERR_NOMEM = -7,     /* allocation failed */
    ERR_IO = -8,        /* file or socket failure */
    ERR_AUTH = -9,      /* bad credentials or session */
    ERR_THROTTLED = -10 /* too many attempts; retry later */
};

struct err {
    int code;         /* one of enum err_code */
    char field[64];   /* the offending field or flag, "" if none */
    char msg[512];    /* what happened, for the user */
    long retry_after; /* seconds, for ERR_THROTTLED */
};

/* Records code and message (printf-style) on e (which may be NULL); returns code. */
int err_set(struct err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Same, naming the offending field or flag. */
int err_field(struct err *e, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Short English name of a code, for logs. */
const char *err_name(int code);

#endif
