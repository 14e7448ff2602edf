/* kafka_mock.c - `signalbox kafka-mock`: librdkafka's mock cluster as a process of its own, so
 * that tests and demos can kill and restart routers while the broker (and its data and
 * committed offsets) stays. */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static const char usage[] =
    "usage: signalbox kafka-mock [--brokers N] [--partitions N] TOPIC...\n"
    "\n"
    "Starts librdkafka's in-process mock cluster with the topics, prints one line\n"
    "  bootstrap.servers=HOST:PORT,...\n"
    "and serves until SIGTERM or SIGINT. For development and tests: the mock keeps at most\n"
    "about 5 MiB per partition and refuses offset commits while a group rebalances.\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
    (void)sig;
    stop = 1;
}

int sb_cmd_kafka_mock(int argc, char **argv) {
    int brokers = 1, partitions = 3, first = 0;
    while (first < argc && strncmp(argv[first], "--", 2) == 0) {
        if (strcmp(argv[first], "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        int *slot = strcmp(argv[first], "--brokers") == 0      ? &brokers
                    : strcmp(argv[first], "--partitions") == 0 ? &partitions
                                                               : NULL;
        if (!slot || first + 1 >= argc || (*slot = atoi(argv[first + 1])) < 1 || *slot > 64) {
            fprintf(stderr, "signalbox kafka-mock: bad option %s\n\n%s", argv[first], usage);
            return 2;
        }
        first += 2;
    }
    if (first == argc) {
        fprintf(stderr, "signalbox kafka-mock: name at least one topic\n\n%s", usage);
        return 2;
    }
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk) {
        fprintf(stderr, "signalbox kafka-mock: %s\n", errstr);
        return 1;
    }
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
    if (!mc) {
        fprintf(stderr, "signalbox kafka-mock: cannot start the mock cluster\n");
        rd_kafka_destroy(rk);
        return 1;
    }
    for (int i = first; i < argc; i++)
        rd_kafka_mock_topic_create(mc, argv[i], partitions, brokers);
    printf("bootstrap.servers=%s\n", rd_kafka_mock_cluster_bootstraps(mc));
    fflush(stdout);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    while (!stop)
        pause();
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    return 0;
}
