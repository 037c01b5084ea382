/* SPDX-License-Identifier: MIT */
/* The usher command: dispatches to its subcommands. */
#include <stdio.h>
#include <string.h>

#include "server/server.h"
#include "server/version.h"

static int version_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("usher %s (Coder API %s)\n", USHER_VERSION, USHER_CODER_API_VERSION);
    return 0;
}

struct command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
};

static const struct command commands[] = {
    {"server", "serve Coder's users API", server_main},
    {"version", "print the version", version_main},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: usher <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nRun 'usher <command> --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 2, argv + 2);
    }
    fprintf(stderr, "usher: unknown command \"%s\"\n\n", argv[1]);
    usage(stderr);
    return 2;
}
