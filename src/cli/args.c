/* args.c — flags, the config file and the environment, in that precedence. */
#include "cli/cli.h"

#include "base/log.h"
#include "base/jsonv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cli_error(const struct cli *c, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "upravdom %s: ", c->command);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void print_help(const char *command, const char *usage, const struct flag *flags)
{
    printf("Usage: upravdom %s\n\n", usage);
    if (flags && flags->name) {
        printf("Flags:\n");
        for (const struct flag *f = flags; f->name; f++)
            printf("  --%-24s %s\n", f->name, f->help);
    }
    printf("\nSettings (also from the config file and UPRAVDOM_<KEY> variables):\n");
    printf("  --%-24s %s\n", "config FILE", "read settings from FILE (key = value lines)");
    for (const struct config_key *k = config_keys; k->key; k++) {
        char name[64];
        snprintf(name, sizeof name, "%s", k->key);
        for (char *p = name; *p; p++)
            if (*p == '_')
                *p = '-';
        printf("  --%-24s %s\n", name, k->help);
    }
    printf("  --%-24s %s\n", "help", "show this text");
    printf("\nExit codes: 0 done, 1 failed, 2 usage error, 3 not found.\n");
    (void)command;
}

/* The config file named by --config (anywhere in argv) or UPRAVDOM_CONFIG. */
static const char *config_path(int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            return argv[i + 1];
        if (strncmp(argv[i], "--config=", 9) == 0)
            return argv[i] + 9;
    }
    return getenv("UPRAVDOM_CONFIG");
}

static int set_flag(struct cli *c, const struct flag *f, const char *value)
{
    if (f->type == FLAG_STRING) {
        *(const char **)f->target = value;
        return 0;
    }
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (!*value || *end || errno) {
        cli_error(c, "--%s: expected a whole number, got '%s'", f->name, value);
        return EXIT_USAGE;
    }
    *(long *)f->target = v;
    return 0;
}

/* "--max-body" → "max_body" if it names a config key. */
static const char *config_key_of(const char *flag, char *buf, size_t size)
{
    snprintf(buf, size, "%s", flag);
    for (char *p = buf; *p; p++)
        if (*p == '-')
            *p = '_';
    for (const struct config_key *k = config_keys; k->key; k++)
        if (strcmp(k->key, buf) == 0)
            return k->key;
    return NULL;
}

static int parse_one(struct cli *c, const struct flag *flags, int argc, char **argv, int *i)
{
    const char *arg = argv[*i];
    if (strncmp(arg, "--", 2) != 0) {
        cli_error(c, "unexpected argument '%s'", arg);
        return EXIT_USAGE;
    }
    char name[64];
    const char *eq = strchr(arg, '=');
    snprintf(name, sizeof name, "%.*s", (int)((eq ? (size_t)(eq - arg) : strlen(arg)) - 2),
             arg + 2);
    const char *value = eq ? eq + 1 : NULL;
    const struct flag *f = flags;
    while (f && f->name && strcmp(f->name, name) != 0)
        f++;
    bool is_bool = f && f->name && f->type == FLAG_BOOL;
    if (is_bool && !value) {
        *(bool *)f->target = true;
        return 0;
    }
    char keybuf[64];
    const char *key = config_key_of(name, keybuf, sizeof keybuf);
    if (!(f && f->name) && !key && strcmp(name, "config") != 0) {
        cli_error(c, "unknown flag --%s (see upravdom %s --help)", name, c->command);
        return EXIT_USAGE;
    }
    if (!value) {
        if (*i + 1 >= argc) {
            cli_error(c, "--%s needs a value", name);
            return EXIT_USAGE;
        }
        value = argv[++*i];
    }
    if (f && f->name)
        return set_flag(c, f, value);
    if (!key)
        return 0; /* --config: read already */
    struct err e = {0};
    if (config_set(&c->cfg, key, value, &e)) {
        cli_error(c, "--%s: %s", name, e.msg);
        return EXIT_USAGE;
    }
    return 0;
}

int cli_setup(struct cli *c, const char *command, const char *usage, const struct flag *flags,
              int argc, char **argv)
{
    c->command = command;
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_help(command, usage, flags);
            return -1;
        }
    config_defaults(&c->cfg);
    struct err e = {0};
    const char *path = config_path(argc, argv);
    if (path && config_load_file(&c->cfg, path, &e)) {
        cli_error(c, "%s", e.msg);
        return EXIT_USAGE;
    }
    if (config_load_env(&c->cfg, &e)) {
        cli_error(c, "%s", e.msg);
        return EXIT_USAGE;
    }
    for (int i = 0; i < argc; i++) {
        int rc = parse_one(c, flags, argc, argv, &i);
        if (rc)
            return rc;
    }
    log_set_level((enum log_level)c->cfg.log_level);
    return 0;
}

int cli_open_store(struct cli *c, struct store **out)
{
    struct err e = {0};
    if (store_open(c->cfg.db, c->cfg.pool, out, &e)) {
        cli_error(c, "--db: %s", e.msg);
        return EXIT_USAGE;
    }
    enum store_durability d = STORE_DURABLE_FULL;
    (void)store_durability_parse(c->cfg.durability, &d); /* checked by config_set */
    store_set_durability(*out, d);
    if (store_migrate(*out, NULL, &e)) {
        cli_error(c, "%s", e.msg);
        store_close(*out);
        *out = NULL;
        return EXIT_FAIL;
    }
    return 0;
}

/* Prints field errors as "--flag: message" (API field names use '_', flags '-'). */
void cli_field_errors(const struct cli *c, const struct field_errors *fe)
{
    for (int i = 0; i < fe->n; i++) {
        char flag[64];
        snprintf(flag, sizeof flag, "%s", fe->e[i].field);
        for (char *p = flag; *p; p++)
            if (*p == '_')
                *p = '-';
        cli_error(c, "--%s: %s", flag, fe->e[i].message);
    }
}

int cli_run_error(const struct cli *c, const struct err *e)
{
    if (e->code == ERR_NOTFOUND && e->field[0]) {
        struct field_errors fe = {0};
        fe_add(&fe, e->field, "%s", e->msg);
        cli_field_errors(c, &fe);
        return EXIT_USAGE;
    }
    cli_error(c, "%s", e->msg);
    return e->code == ERR_NOTFOUND ? EXIT_NOTFOUND : EXIT_FAIL;
}

/* Opens the store and a connection; 0 or an exit code. */
int cli_open_conn(struct cli *c, struct store **s, struct store_conn **conn)
{
    int rc = cli_open_store(c, s);
    if (rc)
        return rc;
    struct err e = {0};
    if (!(*conn = store_acquire(*s, &e))) {
        cli_error(c, "%s", e.msg);
        store_close(*s);
        return EXIT_FAIL;
    }
    return 0;
}

void cli_close_conn(struct store *s, struct store_conn *conn)
{
    store_release(conn);
    store_close(s);
}

/* Dispatches "NAME sub …" to the handler of sub. */
int cli_subcommand(const char *name, int argc, char **argv, const char *const subs[],
                   int (*const fns[])(int, char **))
{
    for (int i = 0; argc > 0 && subs[i]; i++)
        if (strcmp(argv[0], subs[i]) == 0)
            return fns[i](argc - 1, argv + 1);
    if (argc > 0 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
        printf("Usage: upravdom %s <", name);
        for (int i = 0; subs[i]; i++)
            printf("%s%s", i ? "|" : "", subs[i]);
        printf("> [flags]\nRun 'upravdom %s <command> --help' for its flags.\n", name);
        return EXIT_OK;
    }
    fprintf(stderr, "upravdom %s: expected one of:", name);
    for (int i = 0; subs[i]; i++)
        fprintf(stderr, " %s", subs[i]);
    fprintf(stderr, "%s%s\n", argc ? "; got " : "", argc ? argv[0] : "");
    return EXIT_USAGE;
}
