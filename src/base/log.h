/* log.h — structured logs: one JSON object a line on stderr, e.g.
 * {"ts":"2026-11-23T10:00:00.123Z","level":"info","msg":"request",...}. */
#ifndef UPRAVDOM_LOG_H
#define UPRAVDOM_LOG_H

#include <jansson.h>

enum log_level {
    LOG_DEBUG,
    LOG_INFO,
    LOG_WARN,
    LOG_ERROR
};

/* Lines below this level are dropped. Default LOG_INFO. */
void log_set_level(enum log_level level);

/* Parses "debug" | "info" | "warn" | "error"; returns -1 if unknown. */
int log_level_parse(const char *s);

/* Writes one line; fields (may be NULL) is an object whose members are added
 * to the line, and is released (the reference is stolen). */
void log_write(enum log_level level, const char *msg, json_t *fields);

/* A line with one "detail" field, printf-style. */
void log_msgf(enum log_level level, const char *msg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
