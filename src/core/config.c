/* config.c - the settings table, the parsers of its value types, and the four sources that fill
 * it (defaults, config file, environment, flags), in that order. */
#include "core/config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/json.h"
#include "core/pem.h"
#include "rules/yaml.h"

/* ---- the table ---- */

typedef enum { T_STRING, T_ENUM, T_INT, T_BOOL, T_DURATION, T_SIZE } setting_type;

/* Extra validation of a string setting: SB_OK, or SB_EINVAL with err->msg saying why (without
 * the setting's name: the caller adds where the value came from). */
typedef int (*check_fn)(const char *v, sb_error *err);

typedef struct setting {
    const char *name; /* file key; flag --name; variable SIGNALBOX_NAME */
    setting_type type;
    size_t offset; /* of the field in sb_config: char * (STRING, ENUM), long, or bool */
    const char *def;
    long min, max;              /* INT, DURATION, SIZE */
    const char *const *choices; /* ENUM, NULL-terminated */
    check_fn check;             /* STRING, optional */
    const char *metavar;        /* shown in --help after the flag */
    const char *help;
} setting;

static int check_nonempty(const char *v, sb_error *err);
static int check_listen(const char *v, sb_error *err);
static int check_listen_optional(const char *v, sb_error *err);
static int check_redis(const char *v, sb_error *err);
static int check_account(const char *v, sb_error *err);
static int check_region(const char *v, sb_error *err);
static int check_topic(const char *v, sb_error *err);

static const char *const log_levels[] = {"debug", "info", "warn", "error", NULL};

#define OFF(field) offsetof(sb_config, field)
#define STR(name, field, def, check, metavar, help)                                                \
    { name, T_STRING, OFF(field), def, 0, 0, NULL, check, metavar, help }
#define ENUM(name, field, def, choices, help)                                                      \
    { name, T_ENUM, OFF(field), def, 0, 0, choices, NULL, "NAME", help }
#define INT(name, field, def, min, max, help)                                                      \
    { name, T_INT, OFF(field), def, min, max, NULL, NULL, "N", help }
#define BOOL(name, field, def, help)                                                               \
    { name, T_BOOL, OFF(field), def, 0, 0, NULL, NULL, NULL, help }
#define DUR(name, field, def, min, max, help)                                                      \
    { name, T_DURATION, OFF(field), def, min, max, NULL, NULL, "DURATION", help }
#define SIZE(name, field, def, min, max, help)                                                     \
    { name, T_SIZE, OFF(field), def, min, max, NULL, NULL, "SIZE", help }

#define SECOND 1000L
#define MINUTE (60 * SECOND)
#define HOUR (60 * MINUTE)
#define KB 1024L
#define MB (1024 * KB)

/* Every setting, one entry each; --help, the dump and all three sources come from here. */
static const setting settings[] = {
    STR("config", config, "", NULL, "FILE",
        "config file (YAML, or JSON when named *.json) applied before variables and flags"),
    STR("rules", rules, "rules/", check_nonempty, "DIR",
        "folder (or single file) of rule files: .json, .yaml, .yml"),
    STR("listen", listen, "127.0.0.1:8080", check_listen, "HOST:PORT",
        "HTTP listener; IPv6 in brackets ([::1]:8080); port 0 picks a free one"),
    STR("redis", redis, "redis://127.0.0.1:6379", check_redis, "URL",
        "Redis server: redis://[[user]:password@]host[:port][/db] or unix:///path[?db=N]"),
    STR("account", account, "123456789012", check_account, "DIGITS",
        "AWS account id written into events (12 digits)"),
    STR("region", region, "us-east-1", check_region, "NAME", "AWS region written into events"),
    DUR("drain-timeout", drain_timeout_ms, "10s", 0, HOUR,
        "on SIGTERM, how long deliveries in flight may take to finish"),
    ENUM("log-level", log_level, "info", log_levels, "lowest level of the log records written"),
    DUR("http-timeout", http_timeout_ms, "5s", 1, 10 * MINUTE,
        "time limit of one request to an HTTP target"),
    SIZE("max-body", max_body, "1MB", KB, 64 * MB,
         "largest HTTP request body (PutEvents' 256KB limit on entries is checked apart)"),
    INT("redis-stream-maxlen", redis_stream_maxlen, "0", 0, 1000000000000L,
        "approximate MAXLEN of Redis stream targets without their own ?maxlen=N, 0 for none"),
    STR("ingest-topic", ingest_topic, "", check_topic, "TOPIC",
        "Kafka topic that PutEvents and POST /events write accepted events to (acks=all, "
        "idempotent producer; answered once Kafka acknowledges); the router consumes and routes "
        "them. Empty: route directly"),
    STR("kafka-brokers", kafka_brokers, "", NULL, "HOST:PORT,...",
        "Kafka bootstrap servers; empty (and no --kafka-mock): no Kafka source"),
    STR("kafka-group", kafka_group, "signalbox", check_nonempty, "ID",
        "Kafka consumer group: instances with the same group share the partitions"),
    STR("kafka-topics", kafka_topics, "", NULL, "SPEC",
        "topics to consume: TOPIC[=BUS][:FORMAT],... with FORMAT eventbridge (default), "
        "cloudevents, protobuf (CloudEvents) or plain"),
    STR("kafka-properties", kafka_properties, "", NULL, "K=V,...",
        "librdkafka properties passed through (security.protocol=SSL,sasl.mechanism=...)"),
    INT("kafka-max-in-flight", kafka_max_in_flight, "10000", 1, 10000000,
        "unsettled Kafka messages above which partitions pause (they resume at half)"),
    STR("auth-file", auth_file, "", NULL, "FILE",
        "who may send events: API keys (hashed) and AWS SigV4 access keys, with the buses each "
        "may use and a rate; and admin keys for /metrics and /status (docs/security.md); empty: "
        "no authentication"),
    BOOL("allow-unauthenticated", allow_unauthenticated, "false",
         "serve ingest without ingest keys (auth-file) on a listen address that is not loopback "
         "(must be explicit)"),
    STR("admin-listen", admin_listen, "", check_listen_optional, "HOST:PORT",
        "a listener of its own for /metrics, /status, /healthz, /readyz; empty: the main one"),
    BOOL("admin-allow-unauthenticated", admin_allow_unauthenticated, "false",
         "serve /metrics and /status on an admin-listen address that is not loopback without "
         "admin keys (must be explicit; does not open ingest)"),
    STR("tls-cert", tls_cert, "", NULL, "FILE",
        "PEM certificate chain: the listener speaks HTTPS (with tls-key)"),
    STR("tls-key", tls_key, "", NULL, "FILE", "PEM private key of tls-cert"),
    STR("admin-tls-cert", admin_tls_cert, "", NULL, "FILE",
        "PEM certificate chain: admin-listen speaks HTTPS (with admin-tls-key); may be tls-cert's"),
    STR("admin-tls-key", admin_tls_key, "", NULL, "FILE", "PEM private key of admin-tls-cert"),
    DUR("client-timeout", client_timeout_ms, "60s", SECOND, HOUR,
        "how long a client connection may stay idle, mid-request or between requests"),
    STR("http-ca-file", http_ca_file, "", NULL, "FILE",
        "PEM CA bundle for outgoing HTTPS (HTTP targets, OAuth, SQS/SNS); replaces the system "
        "one, so include public roots when public endpoints are called too"),
    STR("http-client-cert", http_client_cert, "", NULL, "FILE",
        "PEM client certificate for outgoing HTTPS (mutual TLS), with http-client-key"),
    STR("http-client-key", http_client_key, "", NULL, "FILE", "PEM key of http-client-cert"),
    BOOL("watch-rules", watch_rules, "true",
         "reload the rules when their files change (inotify; ConfigMap updates too); SIGHUP "
         "reloads either way"),
    BOOL("idempotency", idempotency, "false",
         "effectively-once per rule, target and event: claim a Redis key before each delivery "
         "and skip events already delivered (rules with IdempotencyKeyPath always do)"),
    DUR("idempotency-ttl", idempotency_ttl_ms, "24h", SECOND, 30 * 24 * HOUR,
        "how long a delivered event's key (and a call's Idempotency-Key answer) is remembered"),
    DUR("idempotency-lease", idempotency_lease_ms, "30s", 100, HOUR,
        "how long a claim of a router that crashed blocks its event (keep above http-timeout)"),
    INT("max-in-flight", max_in_flight, "50000", 1, 100000000,
        "deliveries in flight above which HTTP ingest answers 429 / ThrottlingException"),
    BOOL("kafka-mock", kafka_mock, "false",
         "start librdkafka's in-process mock cluster with the --kafka-topics and consume from it "
         "(development and tests; its bootstrap address is logged)"),
    STR("sqs-endpoint", sqs_endpoint, "", NULL, "URL",
        "where SQS calls go instead of https://sqs.REGION.amazonaws.com (LocalStack, ElasticMQ, "
        "fauxqs: http://127.0.0.1:4566); queue ARNs are then looked up with GetQueueUrl"),
    STR("sns-endpoint", sns_endpoint, "", NULL, "URL",
        "where SNS calls go instead of https://sns.REGION.amazonaws.com"),
    DUR("aws-batch-linger", aws_linger_ms, "5ms", 0, 10 * SECOND,
        "how long an SQS or SNS message may wait for others to fill a batch of 10"),
    INT("aws-concurrency", aws_concurrency, "16", 1, 1024,
        "calls in flight per SQS or SNS target (FIFO queues and topics: always 1, for order)"),
};

#define NSETTINGS (sizeof settings / sizeof settings[0])

static char **str_field(sb_config *c, const setting *s) {
    return (char **)(void *)((char *)c + s->offset);
}

static long *long_field(sb_config *c, const setting *s) {
    return (long *)(void *)((char *)c + s->offset);
}

static bool *bool_field(sb_config *c, const setting *s) {
    return (bool *)(void *)((char *)c + s->offset);
}

static const void *cfield(const sb_config *c, const setting *s) {
    return (const char *)c + s->offset;
}

static const setting *find_setting(const char *name, size_t len) {
    for (size_t i = 0; i < NSETTINGS; i++)
        if (strlen(settings[i].name) == len && strncmp(settings[i].name, name, len) == 0)
            return &settings[i];
    return NULL;
}

/* "drain-timeout" -> "SIGNALBOX_DRAIN_TIMEOUT" */
static void env_name(const setting *s, char *out, size_t size) {
    size_t o = (size_t)snprintf(out, size, "SIGNALBOX_");
    for (const char *p = s->name; *p && o + 1 < size; p++)
        out[o++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
    out[o] = '\0';
}

/* Edit distance, for "did you mean" (names are short; longer ones are cut at 63 bytes). */
static size_t distance(const char *a, size_t na, const char *b) {
    size_t nb = strlen(b), row[64];
    na = na > 63 ? 63 : na;
    nb = nb > 63 ? 63 : nb;
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t best = diag + (tolower((unsigned char)a[i - 1]) != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[nb];
}

/* The setting whose name is closest to name[0..len) (with '_' read as '-'), if close enough. */
static const setting *suggest(const char *name, size_t len) {
    char tmp[64];
    len = len >= sizeof tmp ? sizeof tmp - 1 : len;
    for (size_t i = 0; i < len; i++)
        tmp[i] = name[i] == '_' ? '-' : name[i];
    const setting *best = NULL;
    size_t bd = 3;
    for (size_t i = 0; i < NSETTINGS; i++) {
        size_t d = distance(tmp, len, settings[i].name);
        if (d < bd) {
            bd = d;
            best = &settings[i];
        }
    }
    return best;
}

/* Replaces err->msg with "<where>: <msg>". */
static int prefix_error(sb_error *err, int code, const char *where) {
    if (!err)
        return code;
    char tmp[SB_ERROR_MSG_MAX];
    snprintf(tmp, sizeof tmp, "%s", err->msg);
    return sb_error_set(err, code, "%s: %s", where, tmp);
}

/* ---- value parsers ---- */

#define MAX_EXACT ((uint64_t)1 << 53)

/* Reads digits[.digits] at *p: the whole part in *ip, the fraction's digits in *frac and their
 * count in *nfrac (at most 9). False when there are no digits or too many. */
static bool read_decimal(const char **p, uint64_t *ip, uint64_t *frac, int *nfrac) {
    const char *s = *p;
    *ip = *frac = 0;
    *nfrac = 0;
    if (!isdigit((unsigned char)*s))
        return false;
    for (; isdigit((unsigned char)*s); s++) {
        *ip = *ip * 10 + (uint64_t)(*s - '0');
        if (*ip > MAX_EXACT)
            return false;
    }
    if (*s == '.') {
        s++;
        if (!isdigit((unsigned char)*s))
            return false;
        for (; isdigit((unsigned char)*s); s++) {
            if (++*nfrac > 9)
                return false;
            *frac = *frac * 10 + (uint64_t)(*s - '0');
        }
    }
    *p = s;
    return true;
}

/* ip.frac * unit, exactly: false when the result is not whole or exceeds 2^53. */
static bool scale(uint64_t ip, uint64_t frac, int nfrac, uint64_t unit, uint64_t *out) {
    uint64_t pow10 = 1;
    for (int i = 0; i < nfrac; i++)
        pow10 *= 10;
    if (ip > MAX_EXACT / unit || (frac * unit) % pow10 != 0)
        return false;
    *out = ip * unit + frac * unit / pow10;
    return *out <= MAX_EXACT && *out <= (uint64_t)LONG_MAX;
}

int sb_config_parse_duration(const char *s, long *ms) {
    if (strcmp(s, "0") == 0) {
        *ms = 0;
        return SB_OK;
    }
    static const struct {
        const char *unit;
        uint64_t ms;
    } units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
    uint64_t total = 0;
    const char *p = s;
    do {
        uint64_t ip, frac, part;
        int nfrac;
        if (!read_decimal(&p, &ip, &frac, &nfrac))
            return SB_EINVAL;
        size_t u = 0;
        while (u < 4 && strncmp(p, units[u].unit, strlen(units[u].unit)) != 0)
            u++;
        if (u == 4)
            return SB_EINVAL;
        p += strlen(units[u].unit);
        if (!scale(ip, frac, nfrac, units[u].ms, &part) || part > MAX_EXACT - total)
            return SB_EINVAL;
        total += part;
    } while (*p);
    if (total > (uint64_t)LONG_MAX)
        return SB_EINVAL;
    *ms = (long)total;
    return SB_OK;
}

int sb_config_parse_size(const char *s, long *bytes) {
    static const struct {
        const char *unit;
        uint64_t mul;
    } units[] = {{"", 1},          {"b", 1},        {"k", 1 << 10},  {"kb", 1 << 10},
                 {"kib", 1 << 10}, {"m", 1 << 20},  {"mb", 1 << 20}, {"mib", 1 << 20},
                 {"g", 1 << 30},   {"gb", 1 << 30}, {"gib", 1 << 30}};
    const char *p = s;
    uint64_t ip, frac, n;
    int nfrac;
    if (!read_decimal(&p, &ip, &frac, &nfrac))
        return SB_EINVAL;
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++)
        if (strcasecmp(p, units[u].unit) == 0) {
            if (!scale(ip, frac, nfrac, units[u].mul, &n))
                return SB_EINVAL;
            *bytes = (long)n;
            return SB_OK;
        }
    return SB_EINVAL;
}

int sb_config_parse_bool(const char *s, bool *out) {
    static const char *const yes[] = {"true", "yes", "on", "1"}, *const no[] = {"false", "no",
                                                                                "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return SB_OK;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return SB_OK;
        }
    }
    return SB_EINVAL;
}

/* A decimal integer, optionally negative, nothing around it. */
static int parse_long(const char *s, long *out) {
    const char *d = s[0] == '-' ? s + 1 : s;
    if (!isdigit((unsigned char)*d))
        return SB_EINVAL;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end)
        return SB_EINVAL;
    *out = v;
    return SB_OK;
}

/* "10000" ms -> "10s": the largest unit that divides it. */
static void format_duration(long ms, char *out, size_t size) {
    if (ms == 0)
        snprintf(out, size, "0");
    else if (ms % HOUR == 0)
        snprintf(out, size, "%ldh", ms / HOUR);
    else if (ms % MINUTE == 0)
        snprintf(out, size, "%ldm", ms / MINUTE);
    else if (ms % SECOND == 0)
        snprintf(out, size, "%lds", ms / SECOND);
    else
        snprintf(out, size, "%ldms", ms);
}

static void format_size(long n, char *out, size_t size) {
    if (n != 0 && n % (1024 * MB) == 0)
        snprintf(out, size, "%ldGB", n / (1024 * MB));
    else if (n != 0 && n % MB == 0)
        snprintf(out, size, "%ldMB", n / MB);
    else if (n != 0 && n % KB == 0)
        snprintf(out, size, "%ldKB", n / KB);
    else
        snprintf(out, size, "%ld", n);
}

static void format_value(const setting *s, long v, char *out, size_t size) {
    if (s->type == T_DURATION)
        format_duration(v, out, size);
    else if (s->type == T_SIZE)
        format_size(v, out, size);
    else
        snprintf(out, size, "%ld", v);
}

/* ---- HOST:PORT and Redis URLs ---- */

/* A host name, an IPv4 address, or (bracketed) an IPv6 address. */
static bool valid_host(const char *h, size_t n, bool bracketed) {
    char tmp[256];
    if (n == 0 || n >= sizeof tmp)
        return false;
    memcpy(tmp, h, n);
    tmp[n] = '\0';
    unsigned char addr[16];
    if (bracketed)
        return inet_pton(AF_INET6, tmp, addr) == 1;
    if (strspn(tmp, "0123456789.") == n)
        return inet_pton(AF_INET, tmp, addr) == 1;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)tmp[i]) && !strchr("-._", tmp[i]))
            return false;
    return tmp[0] != '.' && tmp[0] != '-';
}

/* Digits only, lo..hi. */
static bool parse_port(const char *s, size_t n, long lo, long hi, int *out) {
    if (n == 0 || n > 5 || strspn(s, "0123456789") < n)
        return false;
    long v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    if (v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

/* Splits s[0..n) into host and port: "host", "host:port", "[v6]", "[v6]:port" (*port NULL
 * when there is none). SB_EINVAL for an unclosed bracket or an IPv6 address without them. */
static int split_host_port(const char *s, size_t n, const char **host, size_t *hl, bool *v6,
                           const char **port, size_t *pl) {
    const char *end = s + n, *colon;
    *v6 = s[0] == '[';
    if (*v6) {
        const char *close = memchr(s, ']', n);
        if (!close)
            return SB_EINVAL;
        *host = s + 1;
        *hl = (size_t)(close - s - 1);
        colon = close + 1 < end ? close + 1 : NULL;
        if (colon && *colon != ':')
            return SB_EINVAL;
    } else {
        colon = memchr(s, ':', n);
        *host = s;
        *hl = colon ? (size_t)(colon - s) : n;
        if (colon && memchr(colon + 1, ':', (size_t)(end - colon - 1)))
            return SB_EINVAL; /* an IPv6 address without brackets */
    }
    *port = colon ? colon + 1 : NULL;
    *pl = colon ? (size_t)(end - colon - 1) : 0;
    return SB_OK;
}

int sb_config_parse_listen(const char *s, char *host, size_t hostlen, int *port, sb_error *err) {
    const char *h, *p;
    size_t hl, pl;
    bool v6;
    if (split_host_port(s, strlen(s), &h, &hl, &v6, &p, &pl) != SB_OK || !p)
        return sb_error_set(err, SB_EINVAL,
                            "\"%s\" is not HOST:PORT (an IPv6 address in brackets: [::1]:8080)", s);
    if (!valid_host(h, hl, v6) || hl >= hostlen)
        return sb_error_set(err, SB_EINVAL, "\"%s\": \"%.*s\" is not a host name or address", s,
                            (int)hl, h);
    if (!parse_port(p, pl, 0, 65535, port))
        return sb_error_set(err, SB_EINVAL, "\"%s\": the port must be a number from 0 to 65535", s);
    memcpy(host, h, hl);
    host[hl] = '\0';
    return SB_OK;
}

static int hexval(char c) {
    return isdigit((unsigned char)c)    ? c - '0'
           : isxdigit((unsigned char)c) ? tolower((unsigned char)c) - 'a' + 10
                                        : -1;
}

/* Percent-decodes s[0..n) into a new string; NULL with *bad set on a bad escape or NUL. */
static char *pct_decode(const char *s, size_t n, bool *bad) {
    char *d = malloc(n + 1);
    size_t o = 0;
    *bad = false;
    for (size_t i = 0; d && i < n; i++) {
        if (s[i] != '%') {
            d[o++] = s[i];
            continue;
        }
        int hi = i + 2 < n ? hexval(s[i + 1]) : -1, lo = hi >= 0 ? hexval(s[i + 2]) : -1;
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
            *bad = true;
            memset(d, 0, o);
            free(d);
            return NULL;
        }
        d[o++] = (char)(hi * 16 + lo);
        i += 2;
    }
    if (d)
        d[o] = '\0';
    return d;
}

static void zfree(char *s) {
    if (s) {
        memset(s, 0, strlen(s));
        free(s);
    }
}

void sb_redis_url_free(sb_redis_url *u) {
    if (!u)
        return;
    free(u->host);
    free(u->user);
    zfree(u->password);
    memset(u, 0, sizeof *u);
}

void sb_redis_url_redact(const char *url, sb_buf *out) {
    const char *at = strrchr(url, '@');
    if (!at) {
        sb_buf_puts(out, url);
        return;
    }
    const char *scheme = strstr(url, "://");
    const char *start = scheme && scheme < at ? scheme + 3 : url;
    const char *colon = memchr(start, ':', (size_t)(at - start));
    sb_buf_append(out, url, (size_t)((colon ? colon + 1 : start) - url));
    sb_buf_puts(out, "***");
    sb_buf_puts(out, at);
}

/* An error about url, which is shown redacted. */
static int url_error(sb_error *err, const char *url, const char *why) {
    sb_buf b;
    sb_buf_init(&b);
    sb_redis_url_redact(url, &b);
    int rc = sb_error_set(err, SB_EINVAL, "redis URL \"%s\": %s", b.data ? b.data : "", why);
    sb_buf_free(&b);
    return rc;
}

static int parse_unix_url(const char *url, sb_redis_url *out, sb_error *err) {
    const char *path = url + 7, *q = strchr(path, '?');
    size_t pl = q ? (size_t)(q - path) : strlen(path);
    if (pl < 2 || path[0] != '/')
        return url_error(err, url, "use unix:///absolute/path/to/redis.sock");
    if (q &&
        (strncmp(q, "?db=", 4) != 0 || !parse_port(q + 4, strlen(q + 4), 0, INT_MAX, &out->db)))
        return url_error(err, url, "the only option of a unix:// URL is ?db=N");
    out->host = strndup(path, pl);
    out->port = 0;
    return out->host ? SB_OK : sb_error_set(err, SB_ENOMEM, "out of memory");
}

static int parse_redis_url(const char *url, sb_redis_url *out, sb_error *err) {
    out->port = 6379;
    if (strncmp(url, "unix://", 7) == 0)
        return parse_unix_url(url, out, err);
    if (strncmp(url, "rediss://", 9) == 0)
        return url_error(err, url, "TLS (rediss://) is not supported");
    if (strncmp(url, "redis://", 8) != 0)
        return url_error(err, url,
                         "a redis URL must be redis://[[user]:password@]host[:port][/db] or "
                         "unix:///path");
    const char *p = url + 8, *at = strrchr(p, '@');
    if (strpbrk(p, "?#"))
        return url_error(err, url, "query parameters and fragments are not supported");
    bool bad = false;
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        if (colon && colon > p && !(out->user = pct_decode(p, (size_t)(colon - p), &bad)) && !bad)
            return sb_error_set(err, SB_ENOMEM, "out of memory");
        const char *pw = colon ? colon + 1 : p;
        if (!bad && at > pw && !(out->password = pct_decode(pw, (size_t)(at - pw), &bad)) && !bad)
            return sb_error_set(err, SB_ENOMEM, "out of memory");
        if (bad)
            return url_error(err, url, "bad percent-encoding in the user or password");
        p = at + 1;
    }
    const char *slash = strchr(p, '/'), *h, *port;
    size_t hl, pl;
    bool v6;
    if (split_host_port(p, slash ? (size_t)(slash - p) : strlen(p), &h, &hl, &v6, &port, &pl))
        return url_error(err, url, "the host is not host[:port] (IPv6 in brackets)");
    if (!valid_host(h, hl, v6))
        return url_error(err, url, "the host is not a host name or address");
    if (port && !parse_port(port, pl, 1, 65535, &out->port))
        return url_error(err, url, "the port must be a number from 1 to 65535");
    if (slash && slash[1] && !parse_port(slash + 1, strlen(slash + 1), 0, INT_MAX, &out->db))
        return url_error(err, url, "the database must be a number (redis://host:6379/0)");
    out->host = strndup(h, hl);
    return out->host ? SB_OK : sb_error_set(err, SB_ENOMEM, "out of memory");
}

int sb_redis_url_parse(const char *url, sb_redis_url *out, sb_error *err) {
    memset(out, 0, sizeof *out);
    int rc = parse_redis_url(url, out, err);
    if (rc != SB_OK)
        sb_redis_url_free(out);
    return rc;
}

/* ---- checks of string settings ---- */

static int check_nonempty(const char *v, sb_error *err) {
    return *v ? SB_OK : sb_error_set(err, SB_EINVAL, "must not be empty");
}

static int check_listen(const char *v, sb_error *err) {
    char host[256];
    int port;
    return sb_config_parse_listen(v, host, sizeof host, &port, err);
}

static int check_listen_optional(const char *v, sb_error *err) {
    return *v ? check_listen(v, err) : SB_OK;
}

static int check_redis(const char *v, sb_error *err) {
    sb_redis_url u;
    int rc = sb_redis_url_parse(v, &u, err);
    if (rc == SB_OK)
        sb_redis_url_free(&u);
    return rc;
}

static int check_account(const char *v, sb_error *err) {
    if (strlen(v) == 12 && strspn(v, "0123456789") == 12)
        return SB_OK;
    return sb_error_set(err, SB_EINVAL, "\"%s\" is not an account id (12 digits)", v);
}

/* Lower-case letters, digits and '-', starting with a letter: us-east-1, eu-central-2. */
static int check_region(const char *v, sb_error *err) {
    size_t n = strlen(v);
    if (n > 0 && n <= 32 && islower((unsigned char)v[0]) &&
        strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789-") == n)
        return SB_OK;
    return sb_error_set(err, SB_EINVAL, "\"%s\" is not a region name (like us-east-1)", v);
}

/* Empty, or a legal Kafka topic name. */
static int check_topic(const char *v, sb_error *err) {
    size_t n = strlen(v);
    const char *ok = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
    if (n <= 249 && strspn(v, ok) == n && strcmp(v, ".") != 0 && strcmp(v, "..") != 0)
        return SB_OK;
    return sb_error_set(err, SB_EINVAL,
                        "\"%s\" is not a Kafka topic name (letters, digits, '.', '_', '-')", v);
}

/* ---- applying one value ---- */

/* "debug, info, warn, error" */
static void choice_list(const setting *s, char *out, size_t size) {
    size_t o = 0;
    out[0] = '\0';
    for (size_t k = 0; s->choices[k] && o < size; k++)
        o += (size_t)snprintf(out + o, size - o, "%s%s", k ? ", " : "", s->choices[k]);
}

/* Sets setting s from text v; where names the source ("--listen", "f.yaml:3:9: listen"). */
static int set_value(sb_config *c, const setting *s, const char *v, const char *where,
                     sb_error *err) {
    long n = 0;
    char lo[32], hi[32];
    int rc = SB_OK;
    switch (s->type) {
    case T_STRING:
    case T_ENUM:
        if (s->type == T_ENUM) {
            size_t i = 0;
            while (s->choices[i] && strcmp(s->choices[i], v) != 0)
                i++;
            if (!s->choices[i]) {
                char list[256];
                choice_list(s, list, sizeof list);
                return sb_error_set(err, SB_EINVAL, "%s: \"%s\" is not one of %s", where, v, list);
            }
        }
        if (s->check && (rc = s->check(v, err)) != SB_OK)
            return prefix_error(err, rc, where);
        char *d = strdup(v);
        if (!d)
            return sb_error_set(err, SB_ENOMEM, "out of memory");
        zfree(*str_field(c, s)); /* the redis URL may hold a password */
        *str_field(c, s) = d;
        return SB_OK;
    case T_BOOL:
        if (sb_config_parse_bool(v, bool_field(c, s)) != SB_OK)
            return sb_error_set(err, SB_EINVAL, "%s: \"%s\" is not true or false", where, v);
        return SB_OK;
    case T_INT:
        rc = parse_long(v, &n);
        if (rc != SB_OK)
            return sb_error_set(err, SB_EINVAL, "%s: \"%s\" is not an integer", where, v);
        break;
    case T_DURATION:
        rc = sb_config_parse_duration(v, &n);
        if (rc != SB_OK)
            return sb_error_set(err, SB_EINVAL,
                                "%s: \"%s\" is not a duration (500ms, 10s, 2m, 1h, 1m30s)", where,
                                v);
        break;
    case T_SIZE:
        rc = sb_config_parse_size(v, &n);
        if (rc != SB_OK)
            return sb_error_set(err, SB_EINVAL, "%s: \"%s\" is not a size (4096, 256KB, 1MB)",
                                where, v);
        break;
    }
    if (n < s->min || n > s->max) {
        format_value(s, s->min, lo, sizeof lo);
        format_value(s, s->max, hi, sizeof hi);
        return sb_error_set(err, SB_EINVAL, "%s: \"%s\" is out of range (%s to %s)", where, v, lo,
                            hi);
    }
    *long_field(c, s) = n;
    return SB_OK;
}

/* ---- connections (config file only) ---- */

typedef struct conn_field {
    const char *key;
    size_t offset; /* of the char * in sb_connection */
    bool secret;   /* also key-file and key-env; redacted in dumps */
    bool required;
} conn_field;

#define CF(key, field, secret, required)                                                           \
    { key, offsetof(sb_connection, field), secret, required }

static const conn_field api_key_fields[] = {
    CF("header", header, false, true), CF("value", value, true, true), {NULL, 0, false, false}};
static const conn_field basic_fields[] = {CF("username", username, false, true),
                                          CF("password", password, true, true),
                                          {NULL, 0, false, false}};
static const conn_field oauth_fields[] = {CF("token-url", token_url, false, true),
                                          CF("client-id", client_id, false, true),
                                          CF("client-secret", client_secret, true, true),
                                          CF("scope", scope, false, false),
                                          {NULL, 0, false, false}};
static const conn_field no_fields[] = {{NULL, 0, false, false}};

static const struct conn_type {
    const char *name;
    const conn_field *fields;
    bool params; /* takes `params: {name: value}` */
} conn_types[] = {{"api-key", api_key_fields, false},
                  {"basic", basic_fields, false},
                  {"oauth-client-credentials", oauth_fields, true},
                  {"none", no_fields, false}}; /* no credentials: the tls files only */

#define NCONN_TYPES (sizeof conn_types / sizeof conn_types[0])

static char **conn_str(sb_connection *k, const conn_field *f) {
    return (char **)(void *)((char *)k + f->offset);
}

/* What reading the config file needs. */
typedef struct loader {
    sb_config *cfg;
    char **env;
    const char *path; /* of the config file */
    const char *text;
    size_t len;
    sb_error *err;
    char **named_env; /* variables named by `*-env` fields (exempt from the unknown check) */
    size_t nnamed;
} loader;

/* An error at byte offset `at` of the config file. */
static int file_error(loader *l, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int file_error(loader *l, size_t at, const char *fmt, ...) {
    if (l->err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(l->err->msg, sizeof l->err->msg, fmt, ap);
        va_end(ap);
        l->err->code = SB_EINVAL;
        sb_error_locate(l->err, l->path, l->text, l->len, at);
    }
    return SB_EINVAL;
}

/* "an array", "a number", "null" */
static const char *a_type(sb_json_type t) {
    static const char *const names[] = {"null",     "false",    "true",     "a number",
                                        "a string", "an array", "a mapping"};
    return names[t];
}

static const char *env_lookup(char **env, const char *name) {
    size_t n = strlen(name);
    for (char **e = env; e && *e; e++)
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    return NULL;
}

/* The text of a string without NUL bytes, or of a number as spelt; NULL for other nodes. */
static const char *node_str(const sb_jnode *n, char *num, size_t numlen) {
    if (n->type == SB_JSON_STRING)
        return strlen(n->u.str.s) == n->u.str.len ? n->u.str.s : NULL;
    if (n->type != SB_JSON_NUMBER || n->u.num.rawlen >= numlen)
        return NULL;
    memcpy(num, n->u.num.raw, n->u.num.rawlen);
    num[n->u.num.rawlen] = '\0';
    return num;
}

/* node_str, malloc'd; NULL with *oom false when the node is not a string or number. */
static char *node_text(const sb_jnode *n, bool *oom) {
    char num[64];
    const char *s = node_str(n, num, sizeof num);
    char *d = s ? strdup(s) : NULL;
    *oom = s && !d;
    return d;
}

/* path, made from the config file's folder when it is relative, in full[size]. */
static void resolve_path(const loader *l, const char *path, char *full, size_t size) {
    const char *slash = strrchr(l->path, '/');
    if (path[0] != '/' && slash)
        snprintf(full, size, "%.*s/%s", (int)(slash - l->path), l->path, path);
    else
        snprintf(full, size, "%s", path);
}

/* Reads a secret file (relative paths from the config file's folder), without the trailing line
 * break. */
static int read_secret_file(loader *l, const sb_jnode *at, const char *conn, const char *key,
                            const char *path, char **out) {
    char full[4096];
    resolve_path(l, path, full, sizeof full);
    FILE *f = fopen(full, "rb");
    if (!f)
        return file_error(l, at->offset, "connection %s: %s: cannot read %s: %s", conn, key, full,
                          strerror(errno));
    char buf[65536];
    size_t n = fread(buf, 1, sizeof buf, f);
    bool more = n == sizeof buf && fgetc(f) != EOF;
    fclose(f);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    int rc = SB_OK;
    if (more)
        rc =
            file_error(l, at->offset, "connection %s: %s: %s is larger than 64KB", conn, key, full);
    else if (n == 0)
        rc = file_error(l, at->offset, "connection %s: %s: %s is empty", conn, key, full);
    else if (memchr(buf, '\0', n))
        rc =
            file_error(l, at->offset, "connection %s: %s: %s contains a NUL byte", conn, key, full);
    else if (!(*out = strndup(buf, n)))
        rc = sb_error_set(l->err, SB_ENOMEM, "out of memory");
    memset(buf, 0, sizeof buf);
    return rc;
}

static int remember_env(loader *l, const char *name) {
    char **grown = realloc(l->named_env, (l->nnamed + 1) * sizeof *grown);
    if (!grown)
        return sb_error_set(l->err, SB_ENOMEM, "out of memory");
    l->named_env = grown;
    if (!(l->named_env[l->nnamed] = strdup(name)))
        return sb_error_set(l->err, SB_ENOMEM, "out of memory");
    l->nnamed++;
    return SB_OK;
}

/* Wipes a secret's text in the parsed tree once it has been copied. */
static void wipe_node(const sb_jnode *n) {
    if (n->type == SB_JSON_STRING)
        memset((char *)n->u.str.s, 0, n->u.str.len);
}

/* Field f of connection k from object o: `key`, or for a secret `key-file` / `key-env`. */
static int conn_value(loader *l, const sb_jnode *o, const sb_jmember *name, const conn_field *f,
                      sb_connection *k) {
    char key[64];
    const sb_jmember *given = NULL;
    const char *suffixes[] = {"", "-file", "-env"};
    int which = -1;
    for (int i = 0; i < (f->secret ? 3 : 1); i++) {
        snprintf(key, sizeof key, "%s%s", f->key, suffixes[i]);
        const sb_jmember *m = sb_json_get(o, key);
        if (m && given)
            return file_error(l, m->key_offset,
                              "connection %s: give only one of %s, %s-file and %s-env", name->key,
                              f->key, f->key, f->key);
        if (m) {
            given = m;
            which = i;
        }
    }
    if (!given)
        return f->required ? file_error(l, name->key_offset, "connection %s: %s is missing",
                                        name->key, f->key)
                           : SB_OK;
    bool oom;
    char *text = node_text(given->value, &oom);
    if (!text)
        return oom ? sb_error_set(l->err, SB_ENOMEM, "out of memory")
                   : file_error(l, given->value->offset, "connection %s: %s takes a string, not %s",
                                name->key, given->key, a_type(given->value->type));
    char **dst = conn_str(k, f);
    int rc = SB_OK;
    if (which == 0) {
        *dst = text;
        if (f->secret)
            wipe_node(given->value);
        text = NULL;
    } else if (which == 1) {
        rc = read_secret_file(l, given->value, name->key, given->key, text, dst);
    } else {
        const char *v = env_lookup(l->env, text);
        if (!v || !*v)
            rc = file_error(l, given->value->offset,
                            "connection %s: %s: the environment variable %s is %s", name->key,
                            given->key, text, v ? "empty" : "not set");
        else if (!(*dst = strdup(v)))
            rc = sb_error_set(l->err, SB_ENOMEM, "out of memory");
        else
            rc = remember_env(l, text);
    }
    free(text);
    if (rc != SB_OK)
        return rc;
    /* values go into HTTP headers and form bodies: no line breaks, no NUL */
    if (strpbrk(*dst, "\r\n") || !**dst)
        return file_error(l, given->value->offset, "connection %s: %s %s", name->key, given->key,
                          **dst ? "contains a line break" : "is empty");
    return SB_OK;
}

static bool header_token(const char *s) {
    size_t n = strlen(s);
    return n > 0 && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                              "!#$%&'*+-.^_`|~") == n;
}

static int conn_params(loader *l, const sb_jmember *name, const sb_jnode *map, sb_connection *k) {
    if (map->type != SB_JSON_OBJECT)
        return file_error(l, map->offset, "connection %s: params must be a mapping", name->key);
    k->params = calloc(map->u.obj.n + 1, sizeof *k->params);
    if (!k->params)
        return sb_error_set(l->err, SB_ENOMEM, "out of memory");
    for (size_t i = 0; i < map->u.obj.n; i++) {
        const sb_jmember *m = &map->u.obj.members[i];
        bool oom;
        if (!m->keylen || strlen(m->key) != m->keylen)
            return file_error(l, m->key_offset, "connection %s: a parameter needs a name",
                              name->key);
        sb_param *p = &k->params[k->nparams++];
        if (!(p->name = strdup(m->key)))
            return sb_error_set(l->err, SB_ENOMEM, "out of memory");
        if (!(p->value = node_text(m->value, &oom)))
            return oom ? sb_error_set(l->err, SB_ENOMEM, "out of memory")
                       : file_error(l, m->value->offset,
                                    "connection %s: parameter %s takes a string, not %s", name->key,
                                    m->key, a_type(m->value->type));
        wipe_node(m->value);
    }
    return SB_OK;
}

/* The files of a connection's `tls` mapping: checked here, so that a file TLS cannot use stops
 * the start instead of failing every delivery. The key's password is a secret, so it is never
 * inline. */
static int conn_tls(loader *l, const sb_jmember *name, const sb_jnode *map, sb_connection *k) {
    static const char *const keys[] = {"ca-file", "client-cert", "client-key",
                                       "client-key-password-file", "client-key-password-env"};
    static const conn_field password = CF("client-key-password", tls_key_password, true, false);
    if (map->type != SB_JSON_OBJECT || map->u.obj.n == 0)
        return file_error(l, map->offset,
                          "connection %s: tls must be a mapping of ca-file, client-cert, "
                          "client-key, client-key-password-file or client-key-password-env",
                          name->key);
    for (size_t i = 0; i < map->u.obj.n; i++) {
        const sb_jmember *m = &map->u.obj.members[i];
        bool known = false;
        for (size_t j = 0; j < sizeof keys / sizeof keys[0] && !known; j++)
            known = strcmp(m->key, keys[j]) == 0;
        if (strcmp(m->key, "client-key-password") == 0) {
            wipe_node(m->value);
            return file_error(l, m->key_offset,
                              "connection %s: tls: client-key-password is never inline: give "
                              "client-key-password-file or client-key-password-env",
                              name->key);
        }
        if (!known)
            return file_error(l, m->key_offset,
                              "connection %s: tls: unknown field \"%s\" (ca-file, client-cert, "
                              "client-key, client-key-password-file, client-key-password-env)",
                              name->key, m->key);
    }
    char **paths[] = {&k->tls_ca_file, &k->tls_client_cert, &k->tls_client_key};
    const sb_jnode *at[3] = {NULL, NULL, NULL};
    for (size_t i = 0; i < 3; i++) {
        const sb_jmember *m = sb_json_get(map, keys[i]);
        if (!m)
            continue;
        at[i] = m->value;
        if (m->value->type != SB_JSON_STRING || !m->value->u.str.len ||
            strlen(m->value->u.str.s) != m->value->u.str.len)
            return file_error(l, m->value->offset, "connection %s: tls: %s takes a file name",
                              name->key, keys[i]);
        char full[4096];
        resolve_path(l, m->value->u.str.s, full, sizeof full);
        if (!(*paths[i] = strdup(full)))
            return sb_error_set(l->err, SB_ENOMEM, "out of memory");
    }
    int rc = conn_value(l, map, name, &password, k);
    if (rc != SB_OK)
        return rc;
    const sb_jmember *pw = sb_json_get(map, "client-key-password-file");
    if (!pw)
        pw = sb_json_get(map, "client-key-password-env");
    if (k->tls_client_cert && !k->tls_client_key)
        return file_error(l, at[1]->offset, "connection %s: tls: client-cert needs client-key",
                          name->key);
    if (k->tls_client_key && !k->tls_client_cert)
        return file_error(l, at[2]->offset, "connection %s: tls: client-key needs client-cert",
                          name->key);
    if (pw && !k->tls_client_key)
        return file_error(l, pw->key_offset, "connection %s: tls: %s needs client-key", name->key,
                          pw->key);
    sb_error why = {0};
    for (size_t i = 0; i < 3; i++) {
        if (!*paths[i])
            continue;
        rc = i < 2 ? sb_pem_check_certs(*paths[i], &why)
                   : sb_pem_check_key(k->tls_client_key, k->tls_key_password, k->tls_client_cert,
                                      &why);
        if (rc == SB_ENOMEM)
            return sb_error_set(l->err, SB_ENOMEM, "out of memory");
        if (rc != SB_OK)
            return file_error(l, at[i]->offset, "connection %s: tls: %s: %s", name->key, keys[i],
                              why.msg);
    }
    return SB_OK;
}

static int load_connection(loader *l, const sb_jmember *name, sb_connection *k) {
    const sb_jnode *o = name->value;
    size_t n = strlen(name->key);
    const char *ok = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
    if (n == 0 || n > 64 || n != name->keylen || strspn(name->key, ok) != n)
        return file_error(l, name->key_offset,
                          "connection name \"%s\": use 1-64 letters, digits, '.', '_', '-'",
                          name->key);
    if (!(k->name = strdup(name->key)))
        return sb_error_set(l->err, SB_ENOMEM, "out of memory");
    if (o->type != SB_JSON_OBJECT)
        return file_error(l, o->offset, "connection %s: must be a mapping with a type", name->key);
    const sb_jmember *tm = sb_json_get(o, "type");
    if (!tm)
        return file_error(l, name->key_offset,
                          "connection %s: type is missing (api-key, basic, "
                          "oauth-client-credentials, or none for tls only)",
                          name->key);
    const struct conn_type *t = NULL;
    for (size_t i = 0; i < NCONN_TYPES && tm->value->type == SB_JSON_STRING; i++)
        if (strcmp(conn_types[i].name, tm->value->u.str.s) == 0)
            t = &conn_types[i];
    if (!t)
        return file_error(l, tm->value->offset,
                          "connection %s: type must be api-key, basic, oauth-client-credentials "
                          "or none",
                          name->key);
    if (!(k->type = strdup(t->name)))
        return sb_error_set(l->err, SB_ENOMEM, "out of memory");
    /* every key must be known to the type */
    for (size_t j = 0; j < o->u.obj.n; j++) {
        const sb_jmember *m = &o->u.obj.members[j];
        bool known = strcmp(m->key, "type") == 0 || strcmp(m->key, "tls") == 0 ||
                     (t->params && strcmp(m->key, "params") == 0);
        for (const conn_field *f = t->fields; f->key && !known; f++) {
            size_t fl = strlen(f->key);
            known = strcmp(m->key, f->key) == 0 ||
                    (f->secret && strncmp(m->key, f->key, fl) == 0 &&
                     (strcmp(m->key + fl, "-file") == 0 || strcmp(m->key + fl, "-env") == 0));
        }
        if (!known)
            return file_error(l, m->key_offset, "connection %s: unknown field \"%s\" for type %s",
                              name->key, m->key, t->name);
    }
    int rc;
    for (const conn_field *f = t->fields; f->key; f++)
        if ((rc = conn_value(l, o, name, f, k)) != SB_OK)
            return rc;
    const sb_jmember *pm = t->params ? sb_json_get(o, "params") : NULL;
    if (pm && (rc = conn_params(l, name, pm->value, k)) != SB_OK)
        return rc;
    const sb_jmember *tls = sb_json_get(o, "tls");
    if (tls && (rc = conn_tls(l, name, tls->value, k)) != SB_OK)
        return rc;
    if (!tls && t->fields == no_fields)
        return file_error(l, tm->value->offset,
                          "connection %s: type none needs tls (it gives no credentials)",
                          name->key);
    if (k->header && !header_token(k->header))
        return file_error(l, sb_json_get(o, "header")->value->offset,
                          "connection %s: header \"%s\" is not a header name", name->key,
                          k->header);
    if (k->username && strchr(k->username, ':'))
        return file_error(l, sb_json_get(o, "username")->value->offset,
                          "connection %s: a basic-auth username cannot contain ':'", name->key);
    if (k->token_url && strncmp(k->token_url, "https://", 8) != 0 &&
        strncmp(k->token_url, "http://", 7) != 0)
        return file_error(l, sb_json_get(o, "token-url")->value->offset,
                          "connection %s: token-url must be an http:// or https:// URL", name->key);
    return SB_OK;
}

static int load_connections(loader *l, const sb_jnode *map) {
    sb_config *c = l->cfg;
    if (map->type == SB_JSON_NULL)
        return SB_OK;
    if (map->type != SB_JSON_OBJECT)
        return file_error(l, map->offset, "connections must be a mapping of names");
    c->connections = calloc(map->u.obj.n + 1, sizeof *c->connections);
    if (!c->connections)
        return sb_error_set(l->err, SB_ENOMEM, "out of memory");
    for (size_t i = 0; i < map->u.obj.n; i++) {
        int rc = load_connection(l, &map->u.obj.members[i], &c->connections[c->nconnections++]);
        if (rc != SB_OK)
            return rc;
    }
    return SB_OK;
}

/* ---- the config file ---- */

static int apply_file_setting(loader *l, const sb_jmember *m) {
    const setting *s = find_setting(m->key, m->keylen);
    if (s == &settings[0])
        return file_error(l, m->key_offset, "config: a config file cannot name another one");
    if (!s) {
        const setting *near = suggest(m->key, m->keylen);
        return file_error(l, m->key_offset, "unknown setting \"%s\"%s%s%s (see --help)", m->key,
                          near ? " (did you mean " : "", near ? near->name : "", near ? "?)" : "");
    }
    const sb_jnode *v = m->value;
    char where[SB_ERROR_MSG_MAX / 2], num[64];
    unsigned line, col;
    sb_text_position(l->text, l->len, v->offset, &line, &col);
    snprintf(where, sizeof where, "%s:%u:%u: %s", l->path, line, col, s->name);
    const char *text = node_str(v, num, sizeof num);
    if (s->type == T_BOOL)
        text = v->type == SB_JSON_TRUE     ? "true"
               : v->type == SB_JSON_FALSE  ? "false"
               : v->type == SB_JSON_STRING ? text
                                           : NULL;
    if (!text)
        return sb_error_set(l->err, SB_EINVAL, "%s: takes %s, not %s%s", where,
                            s->type == T_BOOL ? "true or false" : "a string or a number",
                            a_type(v->type),
                            v->type == SB_JSON_NULL ? " (write \"\" for an empty string)" : "");
    return set_value(l->cfg, s, text, where, l->err);
}

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

#define MAX_CONFIG_FILE (1024 * 1024)

static int load_file(loader *l, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return sb_error_set(l->err, SB_EIO, "config file %s: %s", path, strerror(errno));
    sb_buf b;
    sb_buf_init(&b);
    int got = sb_buf_read_stream(&b, f, MAX_CONFIG_FILE);
    bool failed = ferror(f);
    fclose(f);
    int rc = SB_OK;
    if (failed)
        rc = sb_error_set(l->err, SB_EIO, "config file %s: read error", path);
    else if (got == 1)
        rc = sb_error_set(l->err, SB_ELIMIT, "config file %s: larger than 1MB", path);
    else if (got != 0)
        rc = sb_error_set(l->err, SB_ENOMEM, "out of memory");
    if (rc != SB_OK) {
        if (b.data)
            memset(b.data, 0, b.len);
        sb_buf_free(&b);
        return rc;
    }
    l->path = path;
    l->text = b.data ? b.data : "";
    l->len = b.len;
    sb_arena a;
    sb_arena_init(&a, 0);
    sb_jnode *root = NULL;
    size_t at = 0;
    if (ends_with(path, ".json"))
        rc = sb_json_parse(l->text, l->len, &a, true, &root, l->err, &at);
    else
        rc = sb_yaml_parse(l->text, l->len, &a, &root, l->err, &at);
    if (rc != SB_OK) {
        sb_error_locate(l->err, path, l->text, l->len, at);
    } else if (root->type == SB_JSON_OBJECT) {
        for (size_t i = 0; i < root->u.obj.n && rc == SB_OK; i++) {
            const sb_jmember *m = &root->u.obj.members[i];
            rc = strcmp(m->key, "connections") == 0 ? load_connections(l, m->value)
                                                    : apply_file_setting(l, m);
        }
    } else if (root->type != SB_JSON_NULL) {
        rc = file_error(l, root->offset, "a config file is a mapping of settings, not %s",
                        a_type(root->type));
    }
    sb_arena_free(&a);
    if (b.data)
        memset(b.data, 0, b.len); /* it may hold secrets */
    sb_buf_free(&b);
    l->text = NULL;
    l->len = 0;
    return rc;
}

/* ---- the environment and the flags ---- */

/* The variables Kubernetes defines for a Service named "signalbox" (service links). */
static bool kubernetes_service_link(const char *name, size_t n) {
    static const char port[] = "SIGNALBOX_PORT", host[] = "SIGNALBOX_SERVICE_HOST",
                      sport[] = "SIGNALBOX_SERVICE_PORT";
    if (n == sizeof port - 1 && memcmp(name, port, n) == 0)
        return true;
    if (n > sizeof port && memcmp(name, "SIGNALBOX_PORT_", sizeof port) == 0 &&
        isdigit((unsigned char)name[sizeof port]))
        return true; /* SIGNALBOX_PORT_8080_TCP, ..._TCP_ADDR, ..._TCP_PORT, ..._TCP_PROTO */
    if (n == sizeof host - 1 && memcmp(name, host, n) == 0)
        return true;
    return n >= sizeof sport - 1 && memcmp(name, sport, sizeof sport - 1) == 0 &&
           (n == sizeof sport - 1 || name[sizeof sport - 1] == '_');
}

static int apply_env(loader *l) {
    for (char **e = l->env; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (strncmp(*e, "SIGNALBOX_", 10) != 0 || !eq)
            continue;
        size_t n = (size_t)(eq - *e);
        const setting *s = NULL;
        char name[64];
        for (size_t i = 0; i < NSETTINGS && !s; i++) {
            env_name(&settings[i], name, sizeof name);
            if (strlen(name) == n && strncmp(name, *e, n) == 0)
                s = &settings[i];
        }
        if (!s) {
            bool named = false;
            for (size_t i = 0; i < l->nnamed && !named; i++)
                named = strlen(l->named_env[i]) == n && strncmp(l->named_env[i], *e, n) == 0;
            if (named || kubernetes_service_link(*e, n))
                continue;
            const setting *near = suggest(*e + 10, n - 10);
            if (near)
                env_name(near, name, sizeof name);
            return sb_error_set(l->err, SB_EINVAL,
                                "unknown environment variable %.*s%s%s%s (see --help)", (int)n, *e,
                                near ? " (did you mean " : "", near ? name : "", near ? "?)" : "");
        }
        int rc = set_value(l->cfg, s, eq + 1, name, l->err);
        if (rc != SB_OK)
            return rc;
    }
    return SB_OK;
}

static int apply_flags(loader *l, int argc, char **argv) {
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || !a[2])
            return sb_error_set(l->err, SB_EINVAL,
                                "unexpected argument \"%s\" (settings are --name VALUE; see "
                                "--help)",
                                a);
        const char *eq = strchr(a, '=');
        size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        const setting *s = find_setting(a + 2, n);
        bool negated = false;
        if (!s && n > 3 && strncmp(a + 2, "no-", 3) == 0) {
            s = find_setting(a + 5, n - 3);
            negated = s != NULL;
        }
        if (negated && s->type == T_BOOL && eq)
            return sb_error_set(l->err, SB_EINVAL,
                                "--no-%s takes no value (write --%s=true or --%s=false)", s->name,
                                s->name, s->name);
        if (!s || (negated && s->type != T_BOOL)) {
            const setting *near = suggest(a + 2, n);
            return sb_error_set(l->err, SB_EINVAL, "unknown flag %.*s%s%s%s (see --help)",
                                (int)(n + 2), a, near ? " (did you mean --" : "",
                                near ? near->name : "", near ? "?)" : "");
        }
        char where[80];
        snprintf(where, sizeof where, "--%s", s->name);
        const char *v;
        if (s->type == T_BOOL && !eq)
            v = negated ? "false" : "true";
        else if (eq)
            v = eq + 1;
        else if (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0)
            v = argv[++i];
        else
            return sb_error_set(l->err, SB_EINVAL, "%s needs a value (%s)", where, s->metavar);
        int rc = set_value(l->cfg, s, v, where, l->err);
        if (rc != SB_OK)
            return rc;
    }
    return SB_OK;
}

/* The config file's path: SIGNALBOX_CONFIG, then the last --config flag. */
static const char *config_path(int argc, char **argv, char **env) {
    const char *file = env_lookup(env, "SIGNALBOX_CONFIG");
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            file = argv[++i];
        else if (strncmp(argv[i], "--config=", 9) == 0)
            file = argv[i] + 9;
    }
    return file;
}

/* Fills the derived fields; the values were checked when set. */
static int derive(sb_config *c, sb_error *err) {
    int rc = sb_config_parse_listen(c->listen, c->listen_host, sizeof c->listen_host,
                                    &c->listen_port, err);
    sb_redis_url u;
    if (rc == SB_OK && (rc = sb_redis_url_parse(c->redis, &u, err)) == SB_OK) {
        c->redis_host = u.host;
        c->redis_port = u.port;
        c->redis_user = u.user;
        c->redis_password = u.password;
        c->redis_db = u.db;
    }
    return rc;
}

int sb_config_load(sb_config *c, int argc, char **argv, char **env, sb_error *err) {
    memset(c, 0, sizeof *c);
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return SB_CONFIG_HELP;
    loader l = {.cfg = c, .env = env, .err = err};
    int rc = SB_OK;
    for (size_t i = 0; i < NSETTINGS && rc == SB_OK; i++) {
        char where[80];
        snprintf(where, sizeof where, "default of %s", settings[i].name);
        rc = set_value(c, &settings[i], settings[i].def, where, err);
    }
    const char *file = config_path(argc, argv, env);
    if (rc == SB_OK && file && *file)
        rc = load_file(&l, file);
    if (rc == SB_OK)
        rc = apply_env(&l);
    if (rc == SB_OK)
        rc = apply_flags(&l, argc, argv);
    if (rc == SB_OK)
        rc = derive(c, err);
    for (size_t i = 0; i < l.nnamed; i++)
        free(l.named_env[i]);
    free(l.named_env);
    return rc;
}

/* ---- the rest of the API ---- */

static void free_connection(sb_connection *k) {
    for (size_t t = 0; t < NCONN_TYPES; t++)
        for (const conn_field *f = conn_types[t].fields; f->key; f++) {
            char **p = conn_str(k, f);
            zfree(*p);
            *p = NULL; /* fields shared by several types are freed once */
        }
    for (size_t i = 0; i < k->nparams; i++) {
        free(k->params[i].name);
        zfree(k->params[i].value);
    }
    free(k->params);
    free(k->name);
    free(k->type);
    free(k->tls_ca_file);
    free(k->tls_client_cert);
    free(k->tls_client_key);
    zfree(k->tls_key_password);
}

void sb_config_free(sb_config *c) {
    if (!c)
        return;
    for (size_t i = 0; i < NSETTINGS; i++)
        if (settings[i].type == T_STRING || settings[i].type == T_ENUM)
            zfree(*str_field(c, &settings[i]));
    free(c->redis_host);
    free(c->redis_user);
    zfree(c->redis_password);
    for (size_t i = 0; i < c->nconnections; i++)
        free_connection(&c->connections[i]);
    free(c->connections);
    memset(c, 0, sizeof *c);
}

const sb_connection *sb_config_connection(const sb_config *c, const char *name) {
    for (size_t i = 0; i < c->nconnections; i++)
        if (c->connections[i].name && strcmp(c->connections[i].name, name) == 0)
            return &c->connections[i];
    return NULL;
}

static void dump_connection(const sb_connection *k, sb_buf *out) {
    sb_buf_json_cstr(out, k->name);
    sb_buf_puts(out, ":{\"type\":");
    sb_buf_json_cstr(out, k->type);
    for (size_t t = 0; t < NCONN_TYPES; t++) {
        if (strcmp(conn_types[t].name, k->type) != 0)
            continue;
        for (const conn_field *f = conn_types[t].fields; f->key; f++) {
            const char *v = *(char *const *)(const void *)((const char *)k + f->offset);
            if (!v)
                continue;
            sb_buf_putc(out, ',');
            sb_buf_json_cstr(out, f->key);
            sb_buf_putc(out, ':');
            sb_buf_json_cstr(out, f->secret ? "***" : v);
        }
    }
    if (k->nparams) {
        sb_buf_puts(out, ",\"params\":{");
        for (size_t i = 0; i < k->nparams; i++) {
            sb_buf_puts(out, i ? "," : "");
            sb_buf_json_cstr(out, k->params[i].name);
            sb_buf_puts(out, ":\"***\"");
        }
        sb_buf_putc(out, '}');
    }
    if (k->tls_ca_file || k->tls_client_cert) {
        const char *keys[] = {"ca-file", "client-cert", "client-key", "client-key-password"};
        const char *values[] = {k->tls_ca_file, k->tls_client_cert, k->tls_client_key,
                                k->tls_key_password ? "***" : NULL};
        sb_buf_puts(out, ",\"tls\":{");
        const char *sep = "";
        for (size_t i = 0; i < 4; i++)
            if (values[i]) {
                sb_buf_puts(out, sep);
                sb_buf_json_cstr(out, keys[i]);
                sb_buf_putc(out, ':');
                sb_buf_json_cstr(out, values[i]);
                sep = ",";
            }
        sb_buf_putc(out, '}');
    }
    sb_buf_putc(out, '}');
}

void sb_config_dump(const sb_config *c, sb_buf *out) {
    sb_buf_putc(out, '{');
    for (size_t i = 1; i < NSETTINGS; i++) { /* not `config` */
        const setting *s = &settings[i];
        const void *f = cfield(c, s);
        const char *str = s->type == T_STRING || s->type == T_ENUM ? *(char *const *)f : NULL;
        char tmp[32];
        sb_buf_puts(out, i > 1 ? "," : "");
        sb_buf_json_cstr(out, s->name);
        sb_buf_putc(out, ':');
        switch (s->type) {
        case T_STRING:
        case T_ENUM:
            if (s->check == check_redis && str) { /* the URL may carry a password */
                sb_buf r;
                sb_buf_init(&r);
                sb_redis_url_redact(str, &r);
                sb_buf_json_cstr(out, r.data ? r.data : "");
                sb_buf_free(&r);
            } else {
                sb_buf_json_cstr(out, str ? str : "");
            }
            break;
        case T_BOOL:
            sb_buf_puts(out, *(const bool *)f ? "true" : "false");
            break;
        case T_DURATION:
            format_duration(*(const long *)f, tmp, sizeof tmp);
            sb_buf_json_cstr(out, tmp);
            break;
        case T_INT:
        case T_SIZE:
            sb_buf_printf(out, "%ld", *(const long *)f);
            break;
        }
    }
    sb_buf_puts(out, ",\"connections\":{");
    for (size_t i = 0; i < c->nconnections; i++) {
        sb_buf_puts(out, i ? "," : "");
        dump_connection(&c->connections[i], out);
    }
    sb_buf_puts(out, "}}");
}

void sb_config_help(FILE *out) {
    fprintf(out, "Settings (later sources win: default, config file, environment, flag):\n\n");
    for (size_t i = 0; i < NSETTINGS; i++) {
        const setting *s = &settings[i];
        char env[64], lo[32], hi[32];
        env_name(s, env, sizeof env);
        if (s->type == T_BOOL)
            fprintf(out, "  --[no-]%s\n", s->name);
        else
            fprintf(out, "  --%s %s\n", s->name, s->metavar);
        fprintf(out, "      %s, default %s\n      %s", env, *s->def ? s->def : "none", s->help);
        if (s->type == T_ENUM) {
            char list[256];
            choice_list(s, list, sizeof list);
            fprintf(out, ": %s", list);
        } else if (s->type == T_INT || s->type == T_DURATION || s->type == T_SIZE) {
            format_value(s, s->min, lo, sizeof lo);
            format_value(s, s->max, hi, sizeof hi);
            fprintf(out, " (%s to %s)", lo, hi);
        }
        fprintf(out, "\n");
    }
    fprintf(out,
            "\nDurations: 500ms, 10s, 2m, 1h, 1m30s. Sizes: 4096, 256KB, 1MB (powers of 1024).\n"
            "Booleans: true/false, yes/no, on/off, 1/0; as flags --name and --no-name.\n"
            "An unknown setting is an error in the file, the environment and the flags, but\n"
            "SIGNALBOX_* variables that the config file names in *-env fields, and those that\n"
            "Kubernetes defines for a Service named signalbox (SIGNALBOX_PORT*,\n"
            "SIGNALBOX_SERVICE_HOST, SIGNALBOX_SERVICE_PORT*), are not settings and are ignored.\n"
            "\n"
            "Connections (config file only): credentials of HTTP targets, by ConnectionName.\n"
            "  connections:\n"
            "    my-key:   {type: api-key, header: X-Api-Key, value-env: MY_API_KEY}\n"
            "    my-basic: {type: basic, username: ann, password-file: /run/secrets/pw}\n"
            "    my-oauth: {type: oauth-client-credentials, token-url: https://id.example/token,\n"
            "               client-id: ID, client-secret-env: SECRET, scope: events,\n"
            "               params: {audience: https://api.example}}\n"
            "  A secret (value, password, client-secret) is given inline, as NAME-file: PATH\n"
            "  (read at load; a relative path is from the config file's folder) or as\n"
            "  NAME-env: VARIABLE. Secrets never appear in messages or dumps.\n"
            "  Any connection may add TLS files for HTTPS to its targets, in place of\n"
            "  http-ca-file and http-client-cert/-key (type none: TLS files only):\n"
            "    partner:  {type: none, tls: {ca-file: partner-ca.pem, client-cert: c.pem,\n"
            "               client-key: c.key, client-key-password-file: /run/secrets/kpw}}\n"
            "  (client-key-password-env: VARIABLE also; never inline). Checked at load.\n");
}

void sb_config_print_help(FILE *out, const char *command) {
    fprintf(out, "usage: signalbox %s [--config FILE] [--SETTING VALUE ...]\n\n",
            command ? command : "serve");
    sb_config_help(out);
}
