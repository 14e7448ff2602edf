/* main.c - the signalbox executable: dispatches to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

#ifndef SB_VERSION
#define SB_VERSION "0.1.0"
#endif

static const char usage[] =
    "signalbox " SB_VERSION " - an EventBridge-compatible event router\n"
    "\n"
    "usage: signalbox COMMAND [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  test-pattern   test an event pattern against an event (EventBridge TestEventPattern)\n"
    "  serve          run the router (see `signalbox serve --help`)\n"
    "  check          validate rule files (JSON or YAML) and print a line per rule\n"
    "  rules import   turn EventBridge rules (aws events list-rules) into rule files\n"
    "  kafka-mock     run librdkafka's mock Kafka cluster on its own (development, tests)\n"
    "  bench          measure pattern matching throughput over a file of events\n"
    "  dlq            list, show, redrive and purge the Redis dead-letter queues\n"
    "  help           show this text\n"
    "  version        print the version\n"
    "\n"
    "Run `signalbox COMMAND --help` for a command's options.\n";

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} command;

static const command commands[] = {
    {"test-pattern", sb_cmd_test_pattern},
    {"serve", sb_cmd_serve},
    {"check", sb_cmd_check},
    {"kafka-mock", sb_cmd_kafka_mock},
    {"bench", sb_cmd_bench},
    {"dlq", sb_cmd_dlq},
    {"rules", sb_cmd_rules},
};

int main(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
        puts("signalbox " SB_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 2, argv + 2);
    fprintf(stderr, "signalbox: unknown command '%s'\n\n%s", argv[1], usage);
    return 2;
}
