/* serve.c - `signalbox serve`: the router as a service.
 *
 * One event loop (libevent) runs the HTTP listener, the Redis connection, outgoing HTTP and
 * the router. SIGTERM/SIGINT drain (stop accepting, finish what is in flight, bounded by
 * --drain-timeout, exit 0); SIGHUP reloads the rules, keeping the old ones on any error. */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/auth.h"
#include "cli/cli.h"
#include "cli/rules_watch.h"
#include "cli/target_env.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/envelope.h"
#include "core/log.h"
#include "core/metrics.h"
#include "delivery/router.h"
#include "delivery/schedule.h"
#include "rules/rule.h"
#include "source/http_ingest.h"
#include "source/kafka.h"
#include "source/kafka_producer.h"
#include "source/tls.h"
#include "target/redis_conn.h"

extern char **environ;

typedef struct server {
    sb_config cfg;
    struct event_base *base;
    sb_redis *redis;
    sb_delivery_env de; /* the HTTP client, the connections' credentials, target settings */
    sb_router *router;
    sb_ingest *ingest;
    sb_kafka *kafka;             /* NULL without a Kafka source */
    sb_kafka_producer *producer; /* NULL without ingest-topic */
    sb_metrics *metrics;
    sb_family *events_in, *matches, *deliveries, *latency, *in_flight, *calls, *rules_loaded,
        *redis_up, *reloads, *reload_failures, *poison, *lag, *retries, *scheduled, *dead_letters,
        *duplicates;
    sb_schedule *schedule;
    uint64_t shown[4];         /* router counters already added to the metrics above */
    sb_rules_watch *watch;     /* NULL when not watching */
    sb_auth *auth;             /* NULL without auth-file */
    struct evhttp *admin_http; /* NULL without admin-listen */
    SSL_CTX *tls;              /* NULL without tls-cert */
    SSL_CTX *admin_tls;        /* NULL without admin-tls-cert */
    char version[17];
    time_t loaded_at;
    char last_error[512];
    struct event *signals[3];
    struct event *drain_tick, *drain_deadline;
    bool draining;
} server;

/* ---- metrics ---- */

static void on_match(void *arg, const sb_rule *rule) {
    server *s = arg;
    const char *v[] = {rule->name, rule->bus};
    sb_metric_add(s->matches, v, 1);
}

static void on_done(void *arg, const sb_rule *rule, const sb_target_spec *t, sb_send_result r,
                    double seconds) {
    server *s = arg;
    const char *v[] = {rule->name, t->id, sb_send_result_name(r)};
    sb_metric_add(s->deliveries, v, 1);
    if (r == SB_SEND_OK)
        sb_histogram_observe(s->latency, seconds);
}

static void count_in(void *arg, const char *kind, const char *bus, size_t n) {
    server *s = arg;
    const char *v[] = {kind, bus};
    sb_metric_add(s->events_in, v, (double)n);
}

static void count_poison(void *arg, const char *topic) {
    server *s = arg;
    const char *v[] = {topic};
    sb_metric_add(s->poison, v, 1);
}

static void report_lag(void *arg, const char *topic, int32_t partition, int64_t lag) {
    server *s = arg;
    char part[16];
    snprintf(part, sizeof part, "%d", (int)partition);
    const char *v[] = {topic, part};
    sb_metric_set(s->lag, v, (double)lag);
}

static void make_metrics(server *s) {
    static const char *const in_l[] = {"source", "bus"}, *const m_l[] = {"rule", "bus"},
                             *const d_l[] = {"rule", "target", "outcome"};
    static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                    0.1,    0.25,  0.5,    1,     2.5,  5,     10};
    sb_metrics *m = s->metrics;
    s->events_in = sb_metrics_counter(m, "signalbox_events_in_total",
                                      "Events received, by source and event bus.", 2, in_l);
    s->matches = sb_metrics_counter(m, "signalbox_rule_matches_total",
                                    "Events matched, by rule and event bus.", 2, m_l);
    s->deliveries = sb_metrics_counter(m, "signalbox_deliveries_total",
                                       "Deliveries finished, by rule, target and outcome.", 3, d_l);
    s->latency = sb_metrics_histogram(m, "signalbox_delivery_seconds",
                                      "Time from ingest to a successful delivery.", bounds,
                                      sizeof bounds / sizeof bounds[0]);
    s->in_flight = sb_metrics_gauge(m, "signalbox_deliveries_in_flight",
                                    "Deliveries started and not finished.", 0, NULL);
    s->calls = sb_metrics_gauge(m, "signalbox_ingest_calls_in_flight",
                                "Ingest calls waiting for their deliveries.", 0, NULL);
    s->rules_loaded =
        sb_metrics_gauge(m, "signalbox_rules_loaded", "Rules in the active set.", 0, NULL);
    s->redis_up = sb_metrics_gauge(m, "signalbox_redis_connected",
                                   "1 when the Redis connection is ready.", 0, NULL);
    s->reloads =
        sb_metrics_counter(m, "signalbox_reloads_total", "Successful rule reloads.", 0, NULL);
    s->reload_failures =
        sb_metrics_counter(m, "signalbox_reload_failures_total",
                           "Rule reloads rejected (the old rules kept running).", 0, NULL);
    static const char *const p_l[] = {"topic"};
    s->poison = sb_metrics_counter(m, "signalbox_kafka_poison_messages_total",
                                   "Kafka messages that could not be decoded, skipped.", 1, p_l);
    s->retries =
        sb_metrics_counter(m, "signalbox_delivery_retries_total",
                           "Attempts after the first (in memory or from the schedule).", 0, NULL);
    s->scheduled = sb_metrics_counter(m, "signalbox_retries_scheduled_total",
                                      "Deliveries handed to the Redis retry schedule.", 0, NULL);
    s->dead_letters = sb_metrics_counter(m, "signalbox_dead_letters_total",
                                         "Deliveries stored in a dead-letter queue.", 0, NULL);
    s->duplicates =
        sb_metrics_counter(m, "signalbox_duplicates_skipped_total",
                           "Deliveries skipped: their idempotency key was done.", 0, NULL);
    static const char *const lag_l[] = {"topic", "partition"};
    s->lag = sb_metrics_gauge(m, "signalbox_kafka_consumer_lag",
                              "Messages of an assigned partition not yet taken (high watermark "
                              "minus position), about once a second.",
                              2, lag_l);
}

/* ---- rules ---- */

static int load_rules(server *s, bool initial) {
    sb_diag diag = {0};
    sb_ruleset *rs = NULL;
    const char *paths[] = {s->cfg.rules};
    int rc = sb_ruleset_load(paths, 1, &rs, &diag);
    if (rc == SB_OK && !initial && strcmp(rs->version, s->version) == 0) {
        sb_log(SB_LOG_DEBUG, "rules", "rules unchanged (version %s): nothing to reload",
               s->version);
        sb_ruleset_free(rs);
        sb_diag_free(&diag);
        return SB_OK;
    }
    if (rc == SB_OK) {
        char version[17];
        snprintf(version, sizeof version, "%s", rs->version);
        size_t n = rs->nrules;
        sb_error err;
        rc = sb_router_install(s->router, rs, s->cfg.account, s->cfg.region, &err);
        if (rc == SB_OK) {
            memcpy(s->version, version, sizeof version);
            s->loaded_at = time(NULL);
            sb_metric_set(s->rules_loaded, NULL, (double)n);
            if (!initial)
                sb_metric_add(s->reloads, NULL, 1);
            sb_log(SB_LOG_INFO, "rules", "%zu rules loaded from %s (version %s)", n, s->cfg.rules,
                   version);
        } else {
            sb_diag_add(&diag, err.msg);
        }
    }
    if (rc != SB_OK) {
        for (size_t i = 0; i < diag.n; i++)
            sb_log(SB_LOG_ERROR, "rules", "%s", diag.msgs[i]);
        snprintf(s->last_error, sizeof s->last_error, "%s",
                 diag.n ? diag.msgs[0] : "cannot load rules");
        if (!initial) {
            sb_metric_add(s->reload_failures, NULL, 1);
            sb_log(SB_LOG_ERROR, "rules", "reload rejected: the previous rules keep running");
        }
    }
    sb_diag_free(&diag);
    return rc;
}

static void on_rules_changed(void *arg) {
    server *s = arg;
    if (s->draining)
        return;
    sb_log(SB_LOG_INFO, "rules", "%s changed: reloading", s->cfg.rules);
    load_rules(s, false);
}

/* ---- admin endpoints ---- */

/* Brings counter f up to the router's count now (it only grows). */
static void mirror(sb_family *f, uint64_t now, uint64_t *shown) {
    if (now > *shown)
        sb_metric_add(f, NULL, (double)(now - *shown));
    *shown = now;
}

static const char *request_header(void *arg, const char *name) {
    return evhttp_find_header(evhttp_request_get_input_headers(arg), name);
}

/* With admin keys in the auth file, /metrics and /status need one of them: true when req
 * carries one, else req is answered 401 or 403 and false. The probes' paths (/healthz,
 * /readyz) never come here. */
static bool admin_allowed(server *s, struct evhttp_request *req, const char *path) {
    if (!s->auth || !sb_auth_has_admin_keys(s->auth))
        return true;
    sb_auth_request ar = {.method = "GET",
                          .path = path,
                          .query = "",
                          .header = request_header,
                          .header_arg = req,
                          .body = "",
                          .now = time(NULL)};
    int status;
    char why[300];
    if (sb_auth_admin(s->auth, &ar, &status, why, sizeof why))
        return true;
    if (status == 401)
        evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
                          "Bearer realm=\"signalbox admin\"");
    sb_buf b;
    sb_buf_init(&b);
    sb_buf_puts(&b, status == 401 ? "{\"code\":\"Unauthorized\",\"message\":"
                                  : "{\"code\":\"Forbidden\",\"message\":");
    sb_buf_json_cstr(&b, why);
    sb_buf_putc(&b, '}');
    if (sb_buf_failed(&b))
        sb_http_reply(req, 500, "application/json", "{}", 2);
    else
        sb_http_reply(req, status, "application/json", b.data, b.len);
    sb_buf_free(&b);
    return false;
}

static void admin(struct evhttp_request *req, void *arg) {
    server *s = arg;
    const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
    if (path && (strcmp(path, "/metrics") == 0 || strcmp(path, "/status") == 0) &&
        !admin_allowed(s, req, path))
        return;
    sb_buf b;
    sb_buf_init(&b);
    bool ready = sb_router_rules(s->router) && sb_redis_ready(s->redis);
    if (path && strcmp(path, "/metrics") == 0) {
        sb_router_stats st;
        sb_router_stats_get(s->router, &st);
        sb_metric_set(s->in_flight, NULL, (double)st.in_flight);
        mirror(s->retries, st.retries, &s->shown[0]);
        mirror(s->scheduled, st.scheduled, &s->shown[1]);
        mirror(s->dead_letters, st.dead_letters, &s->shown[2]);
        mirror(s->duplicates, st.duplicates, &s->shown[3]);
        sb_metric_set(s->calls, NULL, (double)sb_ingest_in_flight(s->ingest));
        sb_metric_set(s->redis_up, NULL, sb_redis_ready(s->redis) ? 1 : 0);
        sb_metrics_render(s->metrics, &b);
        sb_http_reply(req, 200, "text/plain; version=0.0.4", b.data ? b.data : "", b.len);
    } else if (path && strcmp(path, "/healthz") == 0) {
        sb_http_reply(req, 200, "application/json", "{\"status\":\"ok\"}", 15);
    } else if (path && strcmp(path, "/readyz") == 0) {
        sb_buf_printf(&b, "{\"ready\":%s,\"rules\":%s,\"redis\":%s", ready ? "true" : "false",
                      sb_router_rules(s->router) ? "true" : "false",
                      sb_redis_ready(s->redis) ? "true" : "false");
        if (!sb_redis_ready(s->redis)) {
            sb_buf_puts(&b, ",\"redis_error\":");
            sb_buf_json_cstr(&b, sb_redis_last_error(s->redis));
        }
        sb_buf_putc(&b, '}');
        sb_http_reply(req, ready && !s->draining ? 200 : 503, "application/json", b.data, b.len);
    } else if (path && strcmp(path, "/status") == 0) {
        char when[32];
        sb_rfc3339(s->loaded_at, when);
        sb_router_stats st;
        sb_router_stats_get(s->router, &st);
        sb_buf_puts(&b, "{\"rules_version\":");
        sb_buf_json_cstr(&b, s->version);
        sb_buf_printf(&b, ",\"rules_loaded_at\":\"%s\",\"rules\":%zu,\"last_error\":", when,
                      sb_router_rules(s->router) ? sb_router_rules(s->router)->nrules : 0);
        if (s->last_error[0])
            sb_buf_json_cstr(&b, s->last_error);
        else
            sb_buf_puts(&b, "null");
        sb_buf_printf(&b,
                      ",\"events_routed\":%llu,\"deliveries_ok\":%llu,\"deliveries_failed\":%llu,"
                      "\"in_flight\":%llu,\"draining\":%s}",
                      (unsigned long long)st.routed, (unsigned long long)st.delivered,
                      (unsigned long long)st.failed, (unsigned long long)st.in_flight,
                      s->draining ? "true" : "false");
        sb_http_reply(req, 200, "application/json", b.data, b.len);
    } else {
        const char *none = "{\"code\":\"NotFound\",\"message\":\"no such path\"}";
        sb_http_reply(req, 404, "application/json", none, strlen(none));
    }
    sb_buf_free(&b);
}

/* The admin paths on a listener of their own (admin-listen). */
static void admin_only(struct evhttp_request *req, void *arg) {
    if (evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
        sb_http_reply(req, 405, "application/json",
                      "{\"code\":\"MethodNotAllowed\",\"message\":\"use GET\"}",
                      strlen("{\"code\":\"MethodNotAllowed\",\"message\":\"use GET\"}"));
        return;
    }
    admin(req, arg);
}

static bool loopback(const char *host) {
    return strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0 ||
           strcmp(host, "localhost") == 0;
}

/* Who may reach what, checked before anything starts: a listener that other hosts reach needs
 * keys for what it serves (ingest keys for listen, admin keys for admin-listen) unless
 * allow-unauthenticated (for listen) or admin-allow-unauthenticated (for admin-listen) says
 * otherwise, each for its own listener; the admin TLS files go in pairs and only with
 * admin-listen. Makes the admin TLS context. */
static int prepare_listeners(server *s, sb_error *err) {
    const sb_config *c = &s->cfg;
    bool ingest_keys = s->auth && sb_auth_has_ingest_keys(s->auth);
    if (!ingest_keys && !loopback(c->listen_host) && !c->allow_unauthenticated) {
        if (!s->auth)
            return sb_error_set(err, SB_EINVAL,
                                "listen %s is reachable from other hosts and no auth-file is set: "
                                "set auth-file (docs/security.md), or allow-unauthenticated to "
                                "accept events from anyone who reaches it",
                                c->listen);
        return sb_error_set(err, SB_EINVAL,
                            "listen %s is reachable from other hosts and the auth-file names no "
                            "ingest key (api_keys, access_keys): add one (docs/security.md), or "
                            "set allow-unauthenticated to accept events from anyone who reaches it",
                            c->listen);
    }
    if (!*c->admin_tls_cert != !*c->admin_tls_key)
        return sb_error_set(err, SB_EINVAL, "admin-tls-cert and admin-tls-key go together");
    if (*c->admin_tls_cert && !*c->admin_listen)
        return sb_error_set(err, SB_EINVAL,
                            "admin-tls-cert and admin-tls-key are for admin-listen, which is not "
                            "set: the admin paths are on listen, which tls-cert and tls-key cover");
    bool keys = s->auth && sb_auth_has_admin_keys(s->auth);
    if (*c->admin_listen && !keys && !c->admin_allow_unauthenticated) {
        char host[256];
        int port;
        if (sb_config_parse_listen(c->admin_listen, host, sizeof host, &port, err) != SB_OK)
            return err->code;
        if (!loopback(host))
            return sb_error_set(err, SB_EINVAL,
                                "admin-listen %s is reachable from other hosts and no admin key "
                                "is set: list admin_keys in the auth-file (docs/security.md), or "
                                "set admin-allow-unauthenticated to serve /metrics and /status to "
                                "anyone who reaches it",
                                c->admin_listen);
    }
    if (!*c->admin_listen && !keys && ingest_keys && !loopback(c->listen_host))
        sb_log(SB_LOG_WARN, "serve",
               "/metrics and /status on listen %s are open to anyone who reaches it: list "
               "admin_keys in the auth-file, or move them with admin-listen (docs/security.md)",
               c->listen);
    if (*c->admin_tls_cert) {
        s->admin_tls = sb_tls_server_ctx(c->admin_tls_cert, c->admin_tls_key, err);
        if (!s->admin_tls)
            return err->code;
    }
    return SB_OK;
}

static int start_admin_listener(server *s, sb_error *err) {
    char host[256];
    int port;
    if (sb_config_parse_listen(s->cfg.admin_listen, host, sizeof host, &port, err) != SB_OK)
        return err->code;
    s->admin_http = evhttp_new(s->base);
    if (!s->admin_http)
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    /* GET only: no body to speak of; idle clients are cut off as on the main listener */
    evhttp_set_max_body_size(s->admin_http, 64 * 1024);
    evhttp_set_max_headers_size(s->admin_http, 64 * 1024);
    evhttp_set_timeout(s->admin_http, (int)(s->cfg.client_timeout_ms / 1000));
    if (s->admin_tls)
        sb_tls_serve(s->admin_http, s->admin_tls);
    if (evhttp_bind_socket(s->admin_http, host, (ev_uint16_t)port) != 0)
        return sb_error_set(err, SB_EIO, "admin-listen %s: cannot listen there",
                            s->cfg.admin_listen);
    evhttp_set_gencb(s->admin_http, admin_only, s);
    sb_log(SB_LOG_INFO, "serve", "admin paths on %s://%s%s", s->admin_tls ? "https" : "http",
           s->cfg.admin_listen,
           s->auth && sb_auth_has_admin_keys(s->auth) ? " (/metrics and /status need an admin key)"
                                                      : "");
    return SB_OK;
}

/* ---- signals and draining ---- */

static void drain_check(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    server *s = arg;
    sb_router_stats st;
    sb_router_stats_get(s->router, &st);
    if (st.in_flight == 0 && sb_ingest_in_flight(s->ingest) == 0 &&
        (!s->kafka || sb_kafka_in_flight(s->kafka) == 0)) {
        sb_log(SB_LOG_INFO, "serve", "drained: every delivery in flight finished");
        event_base_loopbreak(s->base);
    }
}

static void drain_timeout(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    server *s = arg;
    sb_router_stats st;
    sb_router_stats_get(s->router, &st);
    sb_log(SB_LOG_WARN, "serve",
           "drain timeout: %llu deliveries and %zu calls still in flight are abandoned",
           (unsigned long long)st.in_flight, sb_ingest_in_flight(s->ingest));
    event_base_loopbreak(s->base);
}

static void on_signal(evutil_socket_t sig, short what, void *arg) {
    (void)what;
    server *s = arg;
    if (sig == SIGHUP) {
        sb_log(SB_LOG_INFO, "rules", "SIGHUP: reloading %s", s->cfg.rules);
        load_rules(s, false);
        return;
    }
    if (s->draining)
        return;
    s->draining = true;
    sb_log(SB_LOG_INFO, "serve",
           "%s: no new connections; finishing what is in flight (%ld ms at most)",
           sig == SIGTERM ? "SIGTERM" : "SIGINT", s->cfg.drain_timeout_ms);
    sb_ingest_stop_accepting(s->ingest);
    if (s->kafka)
        sb_kafka_stop(s->kafka);
    /* retries waiting in memory move to the schedule; nothing new is taken from it */
    sb_schedule_stop(s->schedule);
    sb_router_drain(s->router);
    struct timeval tick = {0, 20000};
    struct timeval limit = {s->cfg.drain_timeout_ms / 1000,
                            (s->cfg.drain_timeout_ms % 1000) * 1000};
    s->drain_tick = event_new(s->base, -1, EV_PERSIST, drain_check, s);
    s->drain_deadline = evtimer_new(s->base, drain_timeout, s);
    if (s->drain_tick)
        event_add(s->drain_tick, &tick);
    if (s->drain_deadline)
        event_add(s->drain_deadline, &limit);
    drain_check(-1, 0, s);
}

static void server_free(server *s) {
    for (int i = 0; i < 3; i++)
        if (s->signals[i])
            event_free(s->signals[i]);
    if (s->drain_tick)
        event_free(s->drain_tick);
    if (s->drain_deadline)
        event_free(s->drain_deadline);
    /* finish the deliveries still in flight (after a drain timeout) with errors first, while
     * the router and the listener that wait for them still exist */
    sb_delivery_env_fini(&s->de);
    sb_redis_free(s->redis);
    sb_kafka_producer_free(s->producer, 5000); /* answers the calls waiting for an ack */
    sb_kafka_free(s->kafka);                   /* commits what is settled and leaves the group */
    sb_ingest_free(s->ingest);
    sb_router_free(s->router);
    sb_schedule_free(s->schedule);
    sb_rules_watch_free(s->watch);
    if (s->admin_http)
        evhttp_free(s->admin_http);
    sb_auth_free(s->auth);
    sb_tls_ctx_free(s->tls);
    sb_tls_ctx_free(s->admin_tls);
    sb_metrics_free(s->metrics);
    if (s->base)
        event_base_free(s->base);
    sb_config_free(&s->cfg);
}

static const char usage[] =
    "usage: signalbox serve [--config FILE] [--SETTING VALUE ...]\n"
    "\n"
    "Runs the router: EventBridge's PutEvents and TestEventPattern on POST / (X-Amz-Target),\n"
    "plain and CloudEvents posts on POST /events, rules from --rules, deliveries to Redis and\n"
    "HTTP targets; /metrics, /healthz, /readyz and /status on the same listener, or on\n"
    "--admin-listen (with admin keys in --auth-file, /metrics and /status need one).\n"
    "SIGTERM drains and exits 0; SIGHUP reloads the rules.\n\n";

int sb_cmd_serve(int argc, char **argv) {
    server s;
    memset(&s, 0, sizeof s);
    sb_error err = {0};
    int rc = sb_config_load(&s.cfg, argc, argv, environ, &err);
    if (rc == 1) {
        fputs(usage, stdout);
        sb_config_help(stdout);
        sb_config_free(&s.cfg);
        return 0;
    }
    if (rc != SB_OK) {
        fprintf(stderr, "signalbox serve: %s\n", err.msg);
        sb_config_free(&s.cfg);
        return 2;
    }
    sb_log_level level;
    if (sb_log_parse_level(s.cfg.log_level, &level) != 0) {
        fprintf(stderr, "signalbox serve: log-level \"%s\" is not debug, info, warn or error\n",
                s.cfg.log_level);
        sb_config_free(&s.cfg);
        return 2;
    }
    if (*s.cfg.ingest_topic && !*s.cfg.kafka_brokers && !s.cfg.kafka_mock) {
        fprintf(stderr, "signalbox serve: ingest-topic %s needs kafka-brokers (or kafka-mock)\n",
                s.cfg.ingest_topic);
        sb_config_free(&s.cfg);
        return 2;
    }
    if (!*s.cfg.http_client_cert != !*s.cfg.http_client_key) {
        fprintf(stderr, "signalbox serve: http-client-cert and http-client-key go together\n");
        sb_config_free(&s.cfg);
        return 2;
    }
    if (!*s.cfg.tls_cert != !*s.cfg.tls_key) {
        fprintf(stderr, "signalbox serve: tls-cert and tls-key go together\n");
        sb_config_free(&s.cfg);
        return 2;
    }
    if (*s.cfg.tls_cert) {
        sb_error terr;
        s.tls = sb_tls_server_ctx(s.cfg.tls_cert, s.cfg.tls_key, &terr);
        if (!s.tls) {
            fprintf(stderr, "signalbox serve: %s\n", terr.msg);
            sb_config_free(&s.cfg);
            return 2;
        }
    }
    if (*s.cfg.auth_file) {
        sb_error aerr;
        s.auth = sb_auth_load(s.cfg.auth_file, &aerr);
        if (!s.auth) {
            fprintf(stderr, "signalbox serve: %s\n", aerr.msg);
            sb_tls_ctx_free(s.tls);
            sb_config_free(&s.cfg);
            return 2;
        }
    }
    sb_log_set_level(level);
    if (prepare_listeners(&s, &err) != SB_OK) {
        fprintf(stderr, "signalbox serve: %s\n", err.msg);
        server_free(&s);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    int status = 1;
    s.base = event_base_new();
    s.metrics = sb_metrics_new();
    if (!s.base || !s.metrics)
        goto out;
    make_metrics(&s);
    sb_redis_options ro = {s.cfg.redis_host, s.cfg.redis_port, s.cfg.redis_user,
                           s.cfg.redis_password, s.cfg.redis_db};
    s.redis = sb_redis_new(s.base, &ro);
    if (!s.redis || sb_delivery_env_init(&s.de, &s.cfg, s.base, s.redis) != SB_OK)
        goto out;
    s.router = sb_router_new(&s.de.env);
    /* retries that keep failing wait in Redis; a claim holds a minute (lease) */
    s.schedule = sb_schedule_new(s.base, s.redis, 60000, 1000);
    if (!s.router || !s.schedule)
        goto out;
    sb_router_guarantees g = {s.cfg.idempotency, s.cfg.idempotency_ttl_ms,
                              s.cfg.idempotency_lease_ms, s.schedule};
    sb_router_set_guarantees(s.router, &g);
    if (sb_schedule_start(s.schedule, sb_router_take_scheduled, s.router) != 0)
        goto out;
    sb_router_observe(s.router, on_match, on_done, &s);
    if (load_rules(&s, true) != SB_OK) {
        fprintf(stderr, "signalbox serve: the rules in %s cannot be loaded: %s\n", s.cfg.rules,
                s.last_error);
        goto out;
    }
    if (s.cfg.watch_rules) {
        s.watch = sb_rules_watch_new(s.base, s.cfg.rules, on_rules_changed, &s, &err);
        if (!s.watch)
            sb_log(SB_LOG_WARN, "rules", "%s; SIGHUP still reloads", err.msg);
    }
    if (*s.cfg.kafka_topics || s.cfg.kafka_mock || *s.cfg.ingest_topic) {
        /* the ingest topic is consumed too; its messages say their bus in a header */
        sb_buf topics;
        sb_buf_init(&topics);
        sb_buf_puts(&topics, s.cfg.kafka_topics);
        if (*s.cfg.ingest_topic)
            sb_buf_printf(&topics, "%s%s=*:eventbridge", *s.cfg.kafka_topics ? "," : "",
                          s.cfg.ingest_topic);
        sb_kafka_options ko = {.brokers = s.cfg.kafka_brokers,
                               .group = s.cfg.kafka_group,
                               .topics = topics.data ? topics.data : "",
                               .properties = s.cfg.kafka_properties,
                               .mock = s.cfg.kafka_mock,
                               .account = s.cfg.account,
                               .region = s.cfg.region,
                               .max_in_flight = (size_t)s.cfg.kafka_max_in_flight,
                               .max_message = (size_t)s.cfg.max_body,
                               .dlq = s.redis,
                               .count_in = count_in,
                               .count_poison = count_poison,
                               .report_lag = report_lag,
                               .arg = &s};
        s.kafka = sb_buf_failed(&topics) ? NULL : sb_kafka_new(s.base, s.router, &ko, &err);
        sb_buf_free(&topics);
        if (!s.kafka) {
            fprintf(stderr, "signalbox serve: %s\n", err.msg);
            goto out;
        }
        if (sb_kafka_mock_bootstrap(s.kafka))
            sb_log(SB_LOG_INFO, "kafka", "mock cluster: bootstrap.servers=%s (topics %s)",
                   sb_kafka_mock_bootstrap(s.kafka), s.cfg.kafka_topics);
        if (*s.cfg.ingest_topic) {
            const char *brokers = sb_kafka_mock_bootstrap(s.kafka)
                                      ? sb_kafka_mock_bootstrap(s.kafka)
                                      : s.cfg.kafka_brokers;
            s.producer = sb_kafka_producer_new(s.base, brokers, s.cfg.kafka_properties,
                                               s.cfg.ingest_topic, &err);
            if (!s.producer) {
                fprintf(stderr, "signalbox serve: %s\n", err.msg);
                goto out;
            }
        }
    }
    sb_ingest_options io = {.host = s.cfg.listen_host,
                            .port = s.cfg.listen_port,
                            .max_body = (size_t)s.cfg.max_body,
                            .account = s.cfg.account,
                            .region = s.cfg.region,
                            .admin = admin,
                            .arg = &s,
                            .count_in = count_in,
                            .producer = s.producer,
                            .max_in_flight = (size_t)s.cfg.max_in_flight,
                            .redis = s.redis,
                            .idempotency_ttl_ms = s.cfg.idempotency_ttl_ms,
                            /* a file of admin keys only leaves ingest open (loopback) */
                            .auth = s.auth && sb_auth_has_ingest_keys(s.auth) ? s.auth : NULL,
                            .admin_elsewhere = *s.cfg.admin_listen != '\0',
                            .tls = s.tls,
                            .client_timeout_s = (int)(s.cfg.client_timeout_ms / 1000)};
    s.ingest = sb_ingest_new(s.base, s.router, &io, &err);
    if (!s.ingest) {
        fprintf(stderr, "signalbox serve: %s\n", err.msg);
        goto out;
    }
    if (*s.cfg.admin_listen && start_admin_listener(&s, &err) != SB_OK) {
        fprintf(stderr, "signalbox serve: %s\n", err.msg);
        goto out;
    }
    int sigs[] = {SIGTERM, SIGINT, SIGHUP};
    for (int i = 0; i < 3; i++) {
        s.signals[i] = evsignal_new(s.base, sigs[i], on_signal, &s);
        if (!s.signals[i] || event_add(s.signals[i], NULL) != 0)
            goto out;
    }
    sb_log(SB_LOG_INFO, "serve", "listening on http://%s:%d (account %s, region %s, redis %s:%d)",
           s.cfg.listen_host, sb_ingest_port(s.ingest), s.cfg.account, s.cfg.region,
           s.cfg.redis_port ? s.cfg.redis_host : "unix", s.cfg.redis_port);
    event_base_dispatch(s.base);
    sb_log(SB_LOG_INFO, "serve", "stopped");
    status = 0;
out:
    server_free(&s);
    return status;
}
