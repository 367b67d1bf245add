/* config.h — settings of a running upravdom and where they come from.
 * Precedence: built-in defaults < config file < environment (UPRAVDOM_<KEY>) <
 * command-line flags (--key, with '_' written as '-'). Every key is checked
 * when set, so a bad value is reported with the place it came from. */
#ifndef UPRAVDOM_CONFIG_H
#define UPRAVDOM_CONFIG_H

#include "base/err.h"

#include <stddef.h>

struct config {
    char db[1024];        /* database URL: sqlite:PATH or postgresql://... */
    char listen[256];     /* "HOST:PORT" as given */
    char host[64];        /* IPv4 address parsed from listen */
    int port;             /* port parsed from listen; 0 picks a free one */
    int threads;          /* HTTP thread pool size */
    int pool;             /* database connections per process */
    char web[1024];       /* directory of the web UI's static files */
    long max_body;        /* largest accepted request body, bytes */
    long session_ttl;     /* session lifetime, seconds */
    int log_level;        /* enum log_level */
    char durability[16];  /* when a commit is acknowledged: "full" (on disk) or "process" */
    char documents[1024]; /* where rendered documents go; "": config_documents_dir's default */
};

/* One settable key, for --help texts and the flag parser. */
struct config_key {
    const char *key;  /* file key; flag is --key with '-' for '_' */
    const char *help; /* one line */
};

extern const struct config_key config_keys[]; /* ends with {NULL, NULL} */

void config_defaults(struct config *c);

/* Sets key from text. On a bad key or value returns ERR_INVALID with e->field = key. */
int config_set(struct config *c, const char *key, const char *value, struct err *e);

/* Reads "key = value" lines ('#' starts a comment). Errors read
 * "PATH:LINE:COL: message". A missing file is an error. */
int config_load_file(struct config *c, const char *path, struct err *e);

/* Applies UPRAVDOM_<KEY> variables that are set. Errors name the variable. */
int config_load_env(struct config *c, struct err *e);

/* The directory rendered payment documents are written to: the
 * `documents` setting, else "documents" beside the SQLite database file
 * (the installation's data directory), else "documents" in the working
 * directory (PostgreSQL). */
void config_documents_dir(const struct config *c, char *out, size_t size);

/* Checks a database URL's form; e->msg explains what is accepted. */
int config_check_db_url(const char *url, struct err *e);

#endif
