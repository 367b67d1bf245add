#include "base/config.h"

#include "base/log.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct config_key config_keys[] = {
    {"db", "database URL: sqlite:PATH or postgresql://USER@HOST:PORT/DB"},
    {"listen", "address to serve HTTP on, HOST:PORT (port 0 picks a free one)"},
    {"threads", "HTTP worker threads (1-256)"},
    {"pool", "database connections per process (1-256)"},
    {"web", "directory with the web UI's static files"},
    {"max_body", "largest request body in bytes (1024-1073741824)"},
    {"session_ttl", "session lifetime in seconds (60-2592000)"},
    {"log_level", "debug | info | warn | error"},
    {"durability", "full (a commit is on disk before it is acknowledged) | process"},
    {"documents", "directory for rendered payment documents (default: documents/ beside the SQLite"
                  " database)"},
    {NULL, NULL},
};

void config_defaults(struct config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->db, sizeof c->db, "sqlite:upravdom.db");
    snprintf(c->listen, sizeof c->listen, "127.0.0.1:8080");
    snprintf(c->host, sizeof c->host, "127.0.0.1");
    c->port = 8080;
    c->threads = 4;
    c->pool = 8;
    snprintf(c->web, sizeof c->web, "%s", UPRAVDOM_WEB_DIR);
    c->max_body = 1024 * 1024;
    c->session_ttl = 12 * 3600;
    c->log_level = LOG_INFO;
    snprintf(c->durability, sizeof c->durability, "full");
}

/* Parses a whole decimal number in [min, max]. */
static int parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < min || v > max || isspace((unsigned char)*s))
        return -1;
    *out = v;
    return 0;
}

static int set_listen(struct config *c, const char *v, struct err *e)
{
    const char *colon = strrchr(v, ':');
    long port;
    char host[64];
    struct in_addr addr;
    if (!colon || (size_t)(colon - v) >= sizeof host || parse_long(colon + 1, 0, 65535, &port))
        return err_field(e, ERR_INVALID, "listen", "expected HOST:PORT, got '%s'", v);
    memcpy(host, v, (size_t)(colon - v));
    host[colon - v] = '\0';
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &addr) != 1)
        return err_field(e, ERR_INVALID, "listen", "'%s' is not an IPv4 address", host);
    snprintf(c->listen, sizeof c->listen, "%s", v);
    snprintf(c->host, sizeof c->host, "%s", host);
    c->port = (int)port;
    return 0;
}

void config_documents_dir(const struct config *c, char *out, size_t size)
{
    if (c->documents[0]) {
        snprintf(out, size, "%s", c->documents);
        return;
    }
    const char *path = strncmp(c->db, "sqlite:", 7) == 0 ? c->db + 7 : NULL;
    const char *slash = path ? strrchr(path, '/') : NULL;
    if (slash)
        snprintf(out, size, "%.*s/documents", (int)(slash - path), path);
    else
        snprintf(out, size, "documents");
}

int config_check_db_url(const char *url, struct err *e)
{
    if (strncmp(url, "sqlite:", 7) == 0 && url[7])
        return 0;
    if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
        return 0;
    return err_field(e, ERR_INVALID, "db",
                     "unsupported database URL '%s' (expected sqlite:PATH or postgresql://...)",
                     url);
}

static int set_int(const char *key, const char *v, long min, long max, long *out, struct err *e)
{
    if (parse_long(v, min, max, out))
        return err_field(e, ERR_INVALID, key, "expected a whole number from %ld to %ld, got '%s'",
                         min, max, v);
    return 0;
}

int config_set(struct config *c, const char *key, const char *v, struct err *e)
{
    long n;
    int rc = 0;
    if (strcmp(key, "db") == 0) {
        if ((rc = config_check_db_url(v, e)) == 0)
            snprintf(c->db, sizeof c->db, "%s", v);
    } else if (strcmp(key, "listen") == 0) {
        rc = set_listen(c, v, e);
    } else if (strcmp(key, "threads") == 0) {
        if ((rc = set_int(key, v, 1, 256, &n, e)) == 0)
            c->threads = (int)n;
    } else if (strcmp(key, "pool") == 0) {
        if ((rc = set_int(key, v, 1, 256, &n, e)) == 0)
            c->pool = (int)n;
    } else if (strcmp(key, "web") == 0) {
        snprintf(c->web, sizeof c->web, "%s", v);
    } else if (strcmp(key, "max_body") == 0) {
        if ((rc = set_int(key, v, 1024, 1L << 30, &n, e)) == 0)
            c->max_body = n;
    } else if (strcmp(key, "session_ttl") == 0) {
        if ((rc = set_int(key, v, 60, 30L * 86400, &n, e)) == 0)
            c->session_ttl = n;
    } else if (strcmp(key, "log_level") == 0) {
        int level = log_level_parse(v);
        if (level < 0)
            return err_field(e, ERR_INVALID, key, "expected debug, info, warn or error, got '%s'",
                             v);
        c->log_level = level;
    } else if (strcmp(key, "documents") == 0) {
        if (!*v)
            return err_field(e, ERR_INVALID, key, "expected a directory");
        snprintf(c->documents, sizeof c->documents, "%s", v);
    } else if (strcmp(key, "durability") == 0) {
        if (strcmp(v, "full") != 0 && strcmp(v, "process") != 0)
            return err_field(e, ERR_INVALID, key, "expected full or process, got '%s'", v);
        snprintf(c->durability, sizeof c->durability, "%s", v);
    } else {
        return err_field(e, ERR_INVALID, key, "unknown setting '%s'", key);
    }
    return rc;
}

static char *trim(char *s, char **end_out)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
        end--;
    *end = '\0';
    if (end_out)
        *end_out = end;
    return s;
}

/* One line of a config file; col is 1-based on error. */
static int parse_line(struct config *c, char *line, int *col, struct err *e)
{
    char *s = trim(line, NULL);
    if (!*s || *s == '#')
        return 0;
    char *eq = strchr(s, '=');
    if (!eq) {
        *col = (int)(s - line) + 1;
        return err_set(e, ERR_INVALID, "expected 'key = value'");
    }
    *eq = '\0';
    char *key = trim(s, NULL);
    char *value = trim(eq + 1, NULL);
    size_t klen = strspn(key, "abcdefghijklmnopqrstuvwxyz_");
    if (!*key || key[klen]) {
        *col = (int)(key - line) + (int)klen + 1;
        return err_set(e, ERR_INVALID, "bad key '%s'", key);
    }
    *col = (int)(value - line) + 1;
    return config_set(c, key, value, e);
}

int config_load_file(struct config *c, const char *path, struct err *e)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return err_field(e, ERR_INVALID, "config", "%s: cannot open: %s", path, strerror(errno));
    char line[4096];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        int col = 1;
        lineno++;
        if ((rc = parse_line(c, line, &col, e)) != 0) {
            char msg[sizeof e->msg];
            snprintf(msg, sizeof msg, "%s", e->msg);
            err_field(e, rc, "config", "%s:%d:%d: %s", path, lineno, col, msg);
            break;
        }
    }
    fclose(f);
    return rc;
}

int config_load_env(struct config *c, struct err *e)
{
    for (const struct config_key *k = config_keys; k->key; k++) {
        char name[64];
        snprintf(name, sizeof name, "UPRAVDOM_");
        for (size_t i = 0; k->key[i] && i + 10 < sizeof name; i++)
            name[9 + i] = (char)toupper((unsigned char)k->key[i]), name[10 + i] = '\0';
        const char *v = getenv(name);
        if (!v)
            continue;
        int rc = config_set(c, k->key, v, e);
        if (rc) {
            char msg[sizeof e->msg];
            snprintf(msg, sizeof msg, "%s", e->msg);
            return err_field(e, rc, name, "%s: %s", name, msg);
        }
    }
    return 0;
}
