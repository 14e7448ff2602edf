/* kafka_producer.c - the idempotent, acks=all producer of the ingest topic, on the event loop. */
#include "source/kafka_producer.h"

#include <event2/event.h>
#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"

struct sb_kafka_producer {
    rd_kafka_t *rk;
    rd_kafka_topic_t *topic;
    rd_kafka_queue_t *main_q;
    int pipe_fds[2];
    struct event *wake;
    size_t in_flight;
};

typedef struct pending {
    sb_produce_done done;
    void *arg;
} pending;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque) {
    (void)rk;
    sb_kafka_producer *p = opaque;
    pending *w = msg->_private;
    p->in_flight--;
    const char *why = msg->err ? rd_kafka_err2str(msg->err) : NULL;
    w->done(w->arg, why);
    free(w);
}

static void on_wake(evutil_socket_t fd, short what, void *arg) {
    (void)what;
    sb_kafka_producer *p = arg;
    char buf[64];
    while (read(fd, buf, sizeof buf) > 0) {
    }
    rd_kafka_poll(p->rk, 0); /* runs the delivery reports */
}

static int set(rd_kafka_conf_t *conf, const char *k, const char *v, sb_error *err) {
    char errstr[512];
    if (rd_kafka_conf_set(conf, k, v, errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
        return sb_error_set(err, SB_EINVAL, "kafka producer: %s", errstr);
    return SB_OK;
}

/* The user's properties; acks and idempotence are ours and refused here. */
static int set_user(rd_kafka_conf_t *conf, const char *properties, sb_error *err) {
    char *copy = strdup(properties), *save = NULL;
    if (!copy)
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    int rc = SB_OK;
    for (char *kv = strtok_r(copy, ",", &save); kv && rc == SB_OK;
         kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq) {
            rc = sb_error_set(err, SB_EINVAL, "kafka-properties: use KEY=VALUE,...");
            break;
        }
        *eq = '\0';
        /* consumer-only properties are for the consumer: the producer leaves them */
        if (strcmp(kv, "acks") == 0 || strcmp(kv, "enable.idempotence") == 0 ||
            strcmp(kv, "request.required.acks") == 0)
            continue;
        if (strncmp(kv, "queued.", 7) == 0 || strncmp(kv, "fetch.", 6) == 0 ||
            strncmp(kv, "auto.", 5) == 0 || strncmp(kv, "enable.auto.", 12) == 0 ||
            strcmp(kv, "group.id") == 0 || strncmp(kv, "session.", 8) == 0 ||
            strncmp(kv, "max.poll.", 9) == 0 || strcmp(kv, "partition.assignment.strategy") == 0)
            continue;
        rc = set(conf, kv, eq + 1, err);
    }
    free(copy);
    return rc;
}

sb_kafka_producer *sb_kafka_producer_new(struct event_base *base, const char *brokers,
                                         const char *properties, const char *topic, sb_error *err) {
    sb_kafka_producer *p = calloc(1, sizeof *p);
    if (!p) {
        sb_error_set(err, SB_ENOMEM, "out of memory");
        return NULL;
    }
    p->pipe_fds[0] = p->pipe_fds[1] = -1;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    /* linger: a few ms gather the events of concurrent calls into one request */
    if (set(conf, "bootstrap.servers", brokers, err) || set(conf, "acks", "all", err) ||
        set(conf, "enable.idempotence", "true", err) || set(conf, "linger.ms", "2", err) ||
        set(conf, "log_level", "4", err) ||
        (properties && *properties && set_user(conf, properties, err))) {
        rd_kafka_conf_destroy(conf);
        free(p);
        return NULL;
    }
    rd_kafka_conf_set_opaque(conf, p);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    char errstr[512];
    p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!p->rk) {
        sb_error_set(err, SB_EIO, "kafka producer: %s", errstr);
        free(p);
        return NULL;
    }
    p->topic = rd_kafka_topic_new(p->rk, topic, NULL);
    p->main_q = rd_kafka_queue_get_main(p->rk);
    if (!p->topic || !p->main_q || pipe(p->pipe_fds) != 0) {
        sb_error_set(err, SB_EIO, "kafka producer: cannot set up topic %s", topic);
        sb_kafka_producer_free(p, 0);
        return NULL;
    }
    fcntl(p->pipe_fds[0], F_SETFL, O_NONBLOCK);
    fcntl(p->pipe_fds[1], F_SETFL, O_NONBLOCK);
    rd_kafka_queue_io_event_enable(p->main_q, p->pipe_fds[1], "1", 1);
    p->wake = event_new(base, p->pipe_fds[0], EV_READ | EV_PERSIST, on_wake, p);
    if (!p->wake || event_add(p->wake, NULL) != 0) {
        sb_error_set(err, SB_ENOMEM, "out of memory");
        sb_kafka_producer_free(p, 0);
        return NULL;
    }
    return p;
}

int sb_kafka_produce(sb_kafka_producer *p, const char *key, const char *bus, const char *payload,
                     size_t len, const char *traceparent, sb_produce_done done, void *arg,
                     sb_error *err) {
    pending *w = malloc(sizeof *w);
    if (!w)
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    w->done = done;
    w->arg = arg;
    rd_kafka_headers_t *h = rd_kafka_headers_new(2);
    rd_kafka_header_add(h, SB_KAFKA_BUS_HEADER, -1, bus, -1);
    if (traceparent && *traceparent)
        rd_kafka_header_add(h, "traceparent", -1, traceparent, -1);
    rd_kafka_resp_err_t e =
        rd_kafka_producev(p->rk, RD_KAFKA_V_RKT(p->topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                          RD_KAFKA_V_KEY(key, strlen(key)), RD_KAFKA_V_VALUE((void *)payload, len),
                          RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_OPAQUE(w), RD_KAFKA_V_END);
    if (e) {
        rd_kafka_headers_destroy(h); /* not taken on failure */
        free(w);
        return sb_error_set(err, SB_EIO, "kafka: %s", rd_kafka_err2str(e));
    }
    p->in_flight++;
    return SB_OK;
}

size_t sb_kafka_producer_in_flight(const sb_kafka_producer *p) {
    return p->in_flight;
}

void sb_kafka_producer_free(sb_kafka_producer *p, int timeout_ms) {
    if (!p)
        return;
    if (p->rk) {
        if (rd_kafka_flush(p->rk, timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR)
            sb_log(SB_LOG_WARN, "kafka", "producer: %zu events not acknowledged at shutdown",
                   p->in_flight);
        /* what is left fails: purge, then serve the reports (with __PURGE_QUEUE errors) */
        rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_poll(p->rk, 0);
    }
    if (p->wake)
        event_free(p->wake);
    if (p->main_q) {
        rd_kafka_queue_io_event_enable(p->main_q, -1, NULL, 0);
        rd_kafka_queue_destroy(p->main_q);
    }
    if (p->topic)
        rd_kafka_topic_destroy(p->topic);
    if (p->rk)
        rd_kafka_destroy(p->rk);
    for (int i = 0; i < 2; i++)
        if (p->pipe_fds[i] >= 0)
            close(p->pipe_fds[i]);
    free(p);
}
