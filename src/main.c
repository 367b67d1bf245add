/* main.c — `upravdom <command>`: dispatch to the commands in src/cli/. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} commands[] = {
    {"serve", cmd_serve, "serve the API and the web UI"},
    {"migrate", cmd_migrate, "apply database migrations"},
    {"demo", cmd_demo, "generate a demo region and serve it"},
    {"user", cmd_user, "manage users: add | list | passwd"},
    {"org", cmd_org, "manage organizations: add | list"},
    {"worker", cmd_worker, "run background job workers and the scheduler"},
    {"job", cmd_job, "background jobs: add | list | retry | cancel"},
    {"schedule", cmd_schedule, "schedules: add | list | tick"},
    {"import", cmd_import, "import files: houses | premises | readings | payments"},
    {"bill", cmd_bill, "billing: run | close a period of an organization"},
    {"render", cmd_render, "render payment documents: bills of a period as PDF files"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f, "Usage: upravdom [--config FILE] <command> [flags]\n\n"
               "upravdom — the back office of housing and communal services.\n\nCommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\nRun 'upravdom <command> --help' for its flags.\n"
               "Exit codes: 0 done, 1 failed, 2 usage error, 3 not found.\n");
}

int main(int argc, char **argv)
{
    /* Global flags before the command: --config FILE, --help. */
    int i = 1;
    while (i < argc && strncmp(argv[i], "--", 2) == 0) {
        if (strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return EXIT_OK;
        }
        if (strcmp(argv[i], "--config") != 0 && strncmp(argv[i], "--config=", 9) != 0) {
            fprintf(stderr, "upravdom: unknown flag %s before the command\n", argv[i]);
            return EXIT_USAGE;
        }
        i += strchr(argv[i], '=') ? 1 : 2;
    }
    if (i >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    for (size_t k = 0; k < NCOMMANDS; k++) {
        if (strcmp(argv[i], commands[k].name) != 0)
            continue;
        /* The command sees the global flags and its own, without its name. */
        char *rest[argc];
        int n = 0;
        for (int j = 1; j < argc; j++)
            if (j != i)
                rest[n++] = argv[j];
        rest[n] = NULL;
        if (commands[k].run == cmd_user || commands[k].run == cmd_org ||
            commands[k].run == cmd_job || commands[k].run == cmd_schedule ||
            commands[k].run == cmd_import || commands[k].run == cmd_bill ||
            commands[k].run == cmd_render)
            return commands[k].run(argc - i - 1, argv + i + 1);
        return commands[k].run(n, rest);
    }
    fprintf(stderr, "upravdom: unknown command '%s'\n", argv[i]);
    usage(stderr);
    return EXIT_USAGE;
}
