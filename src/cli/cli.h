/* cli.h — the command line: flag parsing shared by every command, and the
 * commands themselves. Exit codes (docs/cli.md): 0 done, 1 failed at run
 * time (database, network), 2 usage error (unknown flag, bad value, bad
 * config), 3 the named object does not exist. */
#ifndef UPRAVDOM_CLI_H
#define UPRAVDOM_CLI_H

#include "base/config.h"
#include "store/store.h"

#include <stdbool.h>

enum {
    EXIT_OK = 0,
    EXIT_FAIL = 1,
    EXIT_USAGE = 2,
    EXIT_NOTFOUND = 3
};

enum flag_type {
    FLAG_STRING,
    FLAG_INT,
    FLAG_BOOL
};

struct flag {
    const char *name; /* without "--" */
    enum flag_type type;
    void *target; /* const char **, long *, bool * */
    const char *help;
};

struct cli {
    const char *command; /* "serve", "user add" … for messages */
    struct config cfg;
};

/* Loads the config file (--config or UPRAVDOM_CONFIG), the environment, then
 * the flags (command flags, then any config key as --key). Prints help and
 * returns -1 for --help (exit 0); prints the problem and returns EXIT_USAGE
 * for a bad flag or value. */
int cli_setup(struct cli *c, const char *command, const char *usage, const struct flag *flags,
              int argc, char **argv);

/* Opens the store and applies migrations; prints the error and returns
 * EXIT_FAIL or EXIT_USAGE if that fails. */
int cli_open_store(struct cli *c, struct store **out);

struct field_errors;
struct store_conn;

/* Prints field errors as "--flag: message" (field names with '-' for '_'). */
void cli_field_errors(const struct cli *c, const struct field_errors *fe);
/* Prints a module's error; returns the exit code for it. */
int cli_run_error(const struct cli *c, const struct err *e);
/* Opens the store (migrated) and one connection; 0 or an exit code. */
int cli_open_conn(struct cli *c, struct store **s, struct store_conn **conn);
void cli_close_conn(struct store *s, struct store_conn *conn);
/* Dispatches argv[0] to the handler of the same name in subs/fns. */
int cli_subcommand(const char *name, int argc, char **argv, const char *const subs[],
                   int (*const fns[])(int, char **));

/* Prints "upravdom CMD: message" to stderr. */
void cli_error(const struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_bill(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_org(int argc, char **argv);

struct worker_opts;

/* Serves HTTP and, if wo asks for any, runs workers and the scheduler in the
 * same process, until SIGINT or SIGTERM (used by serve and demo). */
int cli_serve_until_signal(struct cli *c, struct store *store, const struct worker_opts *wo);

/* Parses "2026-11-23T10:00:00Z" into Unix seconds; -1 if malformed. */
int cli_parse_time(const char *s, int64_t *out);

int cmd_worker(int argc, char **argv);
int cmd_job(int argc, char **argv);
int cmd_schedule(int argc, char **argv);
/* `upravdom import houses|premises|readings|payments FILE`: the registry's
 * files, meter readings, bank registries of payments (cmd_import.c). */
int cmd_import(int argc, char **argv);
/* `upravdom render bills`: the period's payment documents as print batches
 * and single PDFs (cmd_render.c). */
int cmd_render(int argc, char **argv);

#endif
