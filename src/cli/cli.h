/* cli.h - the subcommands of the signalbox executable. Each takes the arguments after its
 * name and returns the process exit status. */
#ifndef SB_CLI_H
#define SB_CLI_H

#include <stddef.h>

/* signalbox test-pattern: EventBridge's TestEventPattern on the command line. */
int sb_cmd_test_pattern(int argc, char **argv);

/* signalbox serve: run the router. */
int sb_cmd_serve(int argc, char **argv);

/* signalbox kafka-mock: a standalone mock Kafka cluster. */
int sb_cmd_kafka_mock(int argc, char **argv);

/* signalbox check: validate rule files. */
int sb_cmd_check(int argc, char **argv);

/* signalbox rules import: EventBridge rules as the AWS CLI lists them to rule files
 * (docs/rule-tooling.md). */
int sb_cmd_rules(int argc, char **argv);

/* signalbox bench: matching throughput of a pattern file over an events file. */
int sb_cmd_bench(int argc, char **argv);

/* signalbox dlq list|show|redrive|purge: the Redis dead-letter queues (docs/dlq.md). */
int sb_cmd_dlq(int argc, char **argv);

/* Reads a whole file ("-" is standard input; a name ending in .gz is gunzipped) into a
 * malloc'd, NUL-terminated buffer stored in *out with its length in *len. Returns 0, or -1
 * with a message printed to stderr. */
int sb_read_file(const char *path, char **out, size_t *len);

/* Reads an argument that is JSON text or "@FILE" (the file's contents). Same contract as
 * sb_read_file. */
int sb_read_arg(const char *arg, char **out, size_t *len);

#endif
