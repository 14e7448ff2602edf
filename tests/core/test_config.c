/* test_config.c - sb_config_load (core/config.h): defaults, the precedence of file < environment
 * < flags, every form of flag, unknown flags, variables and keys, errors that name their source
 * (file:line:col for the file), --help, and the JSON dump. Connections: test_config_connections. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/config.h"

static char dir[] = "/tmp/sb-config-test-XXXXXX";

/* Writes name in the test folder and returns its path (static: one at a time). */
static const char *write_file(const char *name, const char *text) {
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* Loads from a NULL-terminated list of flags and env; fails the test on an error. */
static void load_ok(sb_config *c, char **argv, char **env) {
    int argc = 0;
    while (argv && argv[argc])
        argc++;
    sb_error err = {0};
    int rc = sb_config_load(c, argc, argv, env, &err);
    if (rc != SB_OK)
        fail_msg("load: %d %s", rc, err.msg);
}

/* Loads and expects an error whose message is exactly want. */
static void load_fails(char **argv, char **env, int code, const char *want) {
    int argc = 0;
    while (argv && argv[argc])
        argc++;
    sb_config c;
    sb_error err = {0};
    int rc = sb_config_load(&c, argc, argv, env, &err);
    sb_config_free(&c);
    if (rc != code || strcmp(err.msg, want) != 0)
        fail_msg("got %d \"%s\"\nwant %d \"%s\"", rc, err.msg, code, want);
}

static void test_defaults(void **state) {
    (void)state;
    sb_config c;
    load_ok(&c, NULL, NULL);
    assert_string_equal(c.config, "");
    assert_string_equal(c.rules, "rules/");
    assert_string_equal(c.listen, "127.0.0.1:8080");
    assert_string_equal(c.listen_host, "127.0.0.1");
    assert_int_equal(c.listen_port, 8080);
    assert_string_equal(c.redis, "redis://127.0.0.1:6379");
    assert_string_equal(c.redis_host, "127.0.0.1");
    assert_int_equal(c.redis_port, 6379);
    assert_null(c.redis_user);
    assert_null(c.redis_password);
    assert_int_equal(c.redis_db, 0);
    assert_string_equal(c.account, "123456789012");
    assert_string_equal(c.region, "us-east-1");
    assert_int_equal(c.drain_timeout_ms, 10000);
    assert_string_equal(c.log_level, "info");
    assert_int_equal(c.http_timeout_ms, 5000);
    assert_int_equal(c.max_body, 1024 * 1024);
    assert_int_equal(c.redis_stream_maxlen, 0);
    assert_string_equal(c.ingest_topic, "");
    assert_false(c.kafka_mock);
    assert_int_equal(c.nconnections, 0);
    assert_null(sb_config_connection(&c, "x"));
    sb_config_free(&c);
    assert_null(c.rules); /* cleared */
    sb_config_free(&c);   /* twice is harmless */
    sb_config_free(NULL);
}

static void test_precedence(void **state) {
    (void)state;
    const char *file = write_file("p.yaml", "listen: 10.0.0.1:1\n"
                                            "region: eu-west-1\n"
                                            "drain-timeout: 1s\n"
                                            "kafka-mock: true\n"
                                            "redis-stream-maxlen: 100\n");
    char cfgflag[300];
    snprintf(cfgflag, sizeof cfgflag, "--config=%s", file);
    char *env[] = {"SIGNALBOX_LISTEN=10.0.0.2:2", "SIGNALBOX_DRAIN_TIMEOUT=2s",
                   "SIGNALBOX_KAFKA_MOCK=no", "HOME=/root", NULL};
    char *argv[] = {cfgflag, "--listen", "10.0.0.3:3", NULL};
    sb_config c;
    /* file only */
    char *file_only[] = {cfgflag, NULL};
    load_ok(&c, file_only, NULL);
    assert_string_equal(c.config, file);
    assert_string_equal(c.listen, "10.0.0.1:1");
    assert_string_equal(c.region, "eu-west-1");
    assert_int_equal(c.drain_timeout_ms, 1000);
    assert_true(c.kafka_mock);
    assert_int_equal(c.redis_stream_maxlen, 100);
    sb_config_free(&c);
    /* the environment beats the file */
    load_ok(&c, file_only, env);
    assert_string_equal(c.listen, "10.0.0.2:2");
    assert_int_equal(c.listen_port, 2);
    assert_int_equal(c.drain_timeout_ms, 2000);
    assert_false(c.kafka_mock);
    assert_string_equal(c.region, "eu-west-1"); /* the file's, not overridden */
    sb_config_free(&c);
    /* flags beat both */
    load_ok(&c, argv, env);
    assert_string_equal(c.listen, "10.0.0.3:3");
    assert_string_equal(c.listen_host, "10.0.0.3");
    assert_int_equal(c.listen_port, 3);
    assert_int_equal(c.drain_timeout_ms, 2000);
    sb_config_free(&c);
    /* SIGNALBOX_CONFIG names the file too; a --config flag wins over it */
    char envcfg[300];
    snprintf(envcfg, sizeof envcfg, "SIGNALBOX_CONFIG=%s", file);
    char *env2[] = {envcfg, NULL};
    load_ok(&c, NULL, env2);
    assert_string_equal(c.region, "eu-west-1");
    sb_config_free(&c);
    const char *other = write_file("o.yaml", "region: ap-south-2\n");
    char *argv2[] = {"--config", (char *)other, NULL};
    load_ok(&c, argv2, env2);
    assert_string_equal(c.region, "ap-south-2");
    assert_string_equal(c.config, other);
    sb_config_free(&c);
}

static void test_flag_forms(void **state) {
    (void)state;
    sb_config c;
    char *a1[] = {"--rules",         "r1",    "--rules=r2",   "--max-body=256KB",
                  "--http-timeout",  "1m30s", "--kafka-mock", "--log-level=debug",
                  "--ingest-topic=", NULL};
    load_ok(&c, a1, NULL);
    assert_string_equal(c.rules, "r2"); /* the last one wins */
    assert_int_equal(c.max_body, 262144);
    assert_int_equal(c.http_timeout_ms, 90000);
    assert_true(c.kafka_mock);
    assert_string_equal(c.log_level, "debug");
    assert_string_equal(c.ingest_topic, "");
    sb_config_free(&c);
    char *a2[] = {"--kafka-mock", "--no-kafka-mock", NULL};
    load_ok(&c, a2, NULL);
    assert_false(c.kafka_mock);
    sb_config_free(&c);
    char *a3[] = {"--kafka-mock=yes", "--redis", "redis://u:pw@cache:6380/3", NULL};
    load_ok(&c, a3, NULL);
    assert_true(c.kafka_mock);
    assert_string_equal(c.redis_host, "cache");
    assert_int_equal(c.redis_port, 6380);
    assert_string_equal(c.redis_user, "u");
    assert_string_equal(c.redis_password, "pw");
    assert_int_equal(c.redis_db, 3);
    sb_config_free(&c);
    char *a4[] = {"--listen",     "[::1]:0", "--redis-stream-maxlen", "5000", "--account",
                  "000000000001", NULL};
    load_ok(&c, a4, NULL);
    assert_string_equal(c.listen_host, "::1");
    assert_int_equal(c.listen_port, 0);
    assert_int_equal(c.redis_stream_maxlen, 5000);
    assert_string_equal(c.account, "000000000001");
    sb_config_free(&c);
}

static void test_flag_errors(void **state) {
    (void)state;
    char *a1[] = {"--frobnicate", "1", NULL};
    load_fails(a1, NULL, SB_EINVAL, "unknown flag --frobnicate (see --help)");
    char *a2[] = {"--lisen=x", NULL};
    load_fails(a2, NULL, SB_EINVAL, "unknown flag --lisen (did you mean --listen?) (see --help)");
    char *a3[] = {"rules/", NULL};
    load_fails(a3, NULL, SB_EINVAL,
               "unexpected argument \"rules/\" (settings are --name VALUE; see --help)");
    char *a4[] = {"--", NULL};
    load_fails(a4, NULL, SB_EINVAL,
               "unexpected argument \"--\" (settings are --name VALUE; see --help)");
    char *a5[] = {"--rules", NULL};
    load_fails(a5, NULL, SB_EINVAL, "--rules needs a value (DIR)");
    char *a6[] = {"--rules", "--listen", "h:1", NULL};
    load_fails(a6, NULL, SB_EINVAL, "--rules needs a value (DIR)");
    char *a7[] = {"--no-rules", NULL};
    load_fails(a7, NULL, SB_EINVAL, "unknown flag --no-rules (see --help)");
    char *a8[] = {"--no-kafka-mock=true", NULL};
    load_fails(a8, NULL, SB_EINVAL,
               "--no-kafka-mock takes no value (write --kafka-mock=true or --kafka-mock=false)");
    char *a9[] = {"--kafka-mock=maybe", NULL};
    load_fails(a9, NULL, SB_EINVAL, "--kafka-mock: \"maybe\" is not true or false");
    char *a10[] = {"--drain-timeout", "soon", NULL};
    load_fails(a10, NULL, SB_EINVAL,
               "--drain-timeout: \"soon\" is not a duration (500ms, 10s, 2m, 1h, 1m30s)");
    char *a11[] = {"--drain-timeout=2h", NULL};
    load_fails(a11, NULL, SB_EINVAL, "--drain-timeout: \"2h\" is out of range (0 to 1h)");
    char *a12[] = {"--http-timeout=0", NULL};
    load_fails(a12, NULL, SB_EINVAL, "--http-timeout: \"0\" is out of range (1ms to 10m)");
    char *a13[] = {"--max-body=100", NULL};
    load_fails(a13, NULL, SB_EINVAL, "--max-body: \"100\" is out of range (1KB to 64MB)");
    char *a14[] = {"--max-body=lots", NULL};
    load_fails(a14, NULL, SB_EINVAL, "--max-body: \"lots\" is not a size (4096, 256KB, 1MB)");
    char *a15[] = {"--redis-stream-maxlen=-1", NULL};
    load_fails(a15, NULL, SB_EINVAL,
               "--redis-stream-maxlen: \"-1\" is out of range (0 to 1000000000000)");
    char *a16[] = {"--redis-stream-maxlen=1e3", NULL};
    load_fails(a16, NULL, SB_EINVAL, "--redis-stream-maxlen: \"1e3\" is not an integer");
    char *a17[] = {"--log-level=verbose", NULL};
    load_fails(a17, NULL, SB_EINVAL,
               "--log-level: \"verbose\" is not one of debug, info, warn, error");
    char *a18[] = {"--account=12345", NULL};
    load_fails(a18, NULL, SB_EINVAL, "--account: \"12345\" is not an account id (12 digits)");
    char *a19[] = {"--region=US East", NULL};
    load_fails(a19, NULL, SB_EINVAL, "--region: \"US East\" is not a region name (like us-east-1)");
    char *a20[] = {"--listen=localhost", NULL};
    load_fails(a20, NULL, SB_EINVAL,
               "--listen: \"localhost\" is not HOST:PORT (an IPv6 address in brackets: "
               "[::1]:8080)");
    char *a21[] = {"--redis", "http://x", NULL};
    load_fails(a21, NULL, SB_EINVAL,
               "--redis: redis URL \"http://x\": a redis URL must be "
               "redis://[[user]:password@]host[:port][/db] or unix:///path");
    char *a22[] = {"--redis", "redis://:s3cret@h:0", NULL};
    load_fails(a22, NULL, SB_EINVAL,
               "--redis: redis URL \"redis://:***@h:0\": the port must be a number from 1 to "
               "65535");
    char *a23[] = {"--rules=", NULL};
    load_fails(a23, NULL, SB_EINVAL, "--rules: must not be empty");
    char *a24[] = {"--ingest-topic=a,b", NULL};
    load_fails(a24, NULL, SB_EINVAL,
               "--ingest-topic: \"a,b\" is not a Kafka topic name (letters, digits, '.', '_', "
               "'-')");
    char *a25[] = {"--config", "/nonexistent/signalbox.yaml", NULL};
    load_fails(a25, NULL, SB_EIO,
               "config file /nonexistent/signalbox.yaml: No such file or directory");
}

static void test_environment(void **state) {
    (void)state;
    sb_config c;
    char *env[] = {
        "SIGNALBOX_RULES=/etc/rules", "SIGNALBOX_MAX_BODY=2MB", "SIGNALBOX_KAFKA_MOCK=on",
        "SIGNALBOX_REDIS_STREAM_MAXLEN=7", "signalbox_rules=ignored", /* not our prefix */
        "PATH=/bin", "SIGNALBOX_NOEQUALS",
        /* Kubernetes service links of a Service named signalbox */
        "SIGNALBOX_PORT=tcp://10.0.0.9:8080", "SIGNALBOX_PORT_8080_TCP=tcp://10.0.0.9:8080",
        "SIGNALBOX_PORT_8080_TCP_ADDR=10.0.0.9", "SIGNALBOX_PORT_8080_TCP_PORT=8080",
        "SIGNALBOX_PORT_8080_TCP_PROTO=tcp", "SIGNALBOX_SERVICE_HOST=10.0.0.9",
        "SIGNALBOX_SERVICE_PORT=8080", "SIGNALBOX_SERVICE_PORT_HTTP=8080", NULL};
    load_ok(&c, NULL, env);
    assert_string_equal(c.rules, "/etc/rules");
    assert_int_equal(c.max_body, 2 * 1024 * 1024);
    assert_true(c.kafka_mock);
    assert_int_equal(c.redis_stream_maxlen, 7);
    sb_config_free(&c);

    char *e1[] = {"SIGNALBOX_FROB=1", NULL};
    load_fails(NULL, e1, SB_EINVAL, "unknown environment variable SIGNALBOX_FROB (see --help)");
    char *e2[] = {"SIGNALBOX_REGOIN=x", NULL};
    load_fails(NULL, e2, SB_EINVAL,
               "unknown environment variable SIGNALBOX_REGOIN (did you mean SIGNALBOX_REGION?) "
               "(see --help)");
    char *e3[] = {"SIGNALBOX_rules=x", NULL}; /* names are upper case */
    load_fails(NULL, e3, SB_EINVAL,
               "unknown environment variable SIGNALBOX_rules (did you mean SIGNALBOX_RULES?) "
               "(see --help)");
    char *e4[] = {"SIGNALBOX_SERVICE_HOSTS=1", NULL}; /* close to a service link, but not one */
    load_fails(NULL, e4, SB_EINVAL,
               "unknown environment variable SIGNALBOX_SERVICE_HOSTS (see --help)");
    char *e5[] = {"SIGNALBOX_PORT_HTTP=1", NULL};
    load_fails(NULL, e5, SB_EINVAL,
               "unknown environment variable SIGNALBOX_PORT_HTTP (see --help)");
    char *e6[] = {"SIGNALBOX_MAX_BODY=huge", NULL};
    load_fails(NULL, e6, SB_EINVAL,
               "SIGNALBOX_MAX_BODY: \"huge\" is not a size (4096, 256KB, 1MB)");
    char *e7[] = {"SIGNALBOX_LOG_LEVEL=INFO", NULL};
    load_fails(NULL, e7, SB_EINVAL,
               "SIGNALBOX_LOG_LEVEL: \"INFO\" is not one of debug, info, warn, error");
    char *e8[] = {"SIGNALBOX_REDIS=redis://u:s3cret@h:1/x", NULL};
    load_fails(NULL, e8, SB_EINVAL,
               "SIGNALBOX_REDIS: redis URL \"redis://u:***@h:1/x\": the database must be a number "
               "(redis://host:6379/0)");
    /* an empty variable is a value like any other */
    char *e9[] = {"SIGNALBOX_INGEST_TOPIC=", "SIGNALBOX_RULES=", NULL};
    load_fails(NULL, e9, SB_EINVAL, "SIGNALBOX_RULES: must not be empty");
}

static void test_help(void **state) {
    (void)state;
    sb_config c;
    char *a[] = {"--bogus", "--help", NULL};
    assert_int_equal(sb_config_load(&c, 2, a, NULL, NULL), SB_CONFIG_HELP);
    sb_config_free(&c);
    char *b[] = {"-h", NULL};
    assert_int_equal(sb_config_load(&c, 1, b, NULL, NULL), SB_CONFIG_HELP);
    sb_config_free(&c);

    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    sb_config_print_help(f, "serve");
    fclose(f);
    assert_true(
        strncmp(text, "usage: signalbox serve [--config FILE] [--SETTING VALUE ...]\n", 61) == 0);
    const char *want[] = {
        "  --rules DIR\n      SIGNALBOX_RULES, default rules/\n",
        "  --listen HOST:PORT\n      SIGNALBOX_LISTEN, default 127.0.0.1:8080\n",
        "  --redis URL\n      SIGNALBOX_REDIS, default redis://127.0.0.1:6379\n",
        "  --account DIGITS\n      SIGNALBOX_ACCOUNT, default 123456789012\n",
        "  --region NAME\n      SIGNALBOX_REGION, default us-east-1\n",
        "  --drain-timeout DURATION\n      SIGNALBOX_DRAIN_TIMEOUT, default 10s\n",
        "  --log-level NAME\n      SIGNALBOX_LOG_LEVEL, default info\n",
        ": debug, info, warn, error\n",
        "  --http-timeout DURATION\n      SIGNALBOX_HTTP_TIMEOUT, default 5s\n",
        "  --max-body SIZE\n      SIGNALBOX_MAX_BODY, default 1MB\n",
        " (1KB to 64MB)\n",
        "  --redis-stream-maxlen N\n      SIGNALBOX_REDIS_STREAM_MAXLEN, default 0\n",
        "  --ingest-topic TOPIC\n      SIGNALBOX_INGEST_TOPIC, default none\n",
        "  --[no-]kafka-mock\n      SIGNALBOX_KAFKA_MOCK, default false\n",
        "  --config FILE\n      SIGNALBOX_CONFIG, default none\n",
        "Kubernetes defines for a Service named signalbox",
        "connections:\n",
        "client-secret-env: SECRET",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(text, want[i]))
            fail_msg("help lacks \"%s\":\n%s", want[i], text);
    free(text);
}

static void test_file_settings(void **state) {
    (void)state;
    sb_config c;
    /* YAML: numbers where strings are wanted keep their spelling; booleans; comments */
    const char *y = write_file("s.yaml", "# signalbox\n"
                                         "account: 000000000042\n"
                                         "listen: \"[::]:9090\"\n"
                                         "max-body: 4096\n"
                                         "redis-stream-maxlen: 10\n"
                                         "kafka-mock: yes\n"
                                         "http-timeout: 250ms\n"
                                         "connections: {}\n");
    char *a[] = {"--config", (char *)y, NULL};
    load_ok(&c, a, NULL);
    assert_string_equal(c.account, "000000000042");
    assert_string_equal(c.listen_host, "::");
    assert_int_equal(c.max_body, 4096);
    assert_int_equal(c.redis_stream_maxlen, 10);
    assert_true(c.kafka_mock);
    assert_int_equal(c.http_timeout_ms, 250);
    sb_config_free(&c);
    /* JSON, by the extension; a bare number account */
    const char *j = write_file("s.json", "{\"account\": 123456789099, \"kafka-mock\": false,\n"
                                         " \"log-level\": \"warn\", \"connections\": null}\n");
    a[1] = (char *)j;
    load_ok(&c, a, NULL);
    assert_string_equal(c.account, "123456789099");
    assert_false(c.kafka_mock);
    assert_string_equal(c.log_level, "warn");
    sb_config_free(&c);
    /* an empty file changes nothing */
    a[1] = (char *)write_file("empty.yaml", "# nothing yet\n");
    load_ok(&c, a, NULL);
    assert_string_equal(c.rules, "rules/");
    sb_config_free(&c);
}

/* Writes text to name and expects loading it to fail with "<path>:<want>". */
static void file_fails(const char *name, const char *text, int code, const char *want) {
    const char *path = write_file(name, text);
    char full[600];
    snprintf(full, sizeof full, "%s:%s", path, want);
    char *a[] = {"--config", (char *)path, NULL};
    load_fails(a, NULL, code, full);
}

static void test_file_errors(void **state) {
    (void)state;
    file_fails("u.yaml", "listen: 127.0.0.1:1\nbogus: 2\n", SB_EINVAL,
               "2:1: unknown setting \"bogus\" (see --help)");
    file_fails("u2.yaml", "rules: x\n  \ndrain_timeout: 1s\n", SB_EINVAL,
               "3:1: unknown setting \"drain_timeout\" (did you mean drain-timeout?) (see "
               "--help)");
    file_fails("c.yaml", "config: other.yaml\n", SB_EINVAL,
               "1:1: config: a config file cannot name another one");
    file_fails("v.yaml", "region: eu-west-1\nlisten: nope\n", SB_EINVAL,
               "2:9: listen: \"nope\" is not HOST:PORT (an IPv6 address in brackets: "
               "[::1]:8080)");
    file_fails("d.yaml", "drain-timeout: 10\n", SB_EINVAL,
               "1:16: drain-timeout: \"10\" is not a duration (500ms, 10s, 2m, 1h, 1m30s)");
    file_fails("b.yaml", "kafka-mock: 1\n", SB_EINVAL,
               "1:13: kafka-mock: takes true or false, not a number");
    file_fails("n.yaml", "ingest-topic:\n", SB_EINVAL,
               "1:14: ingest-topic: takes a string or a number, not null (write \"\" for "
               "an empty string)");
    file_fails("l.yaml", "rules: [a, b]\n", SB_EINVAL,
               "1:8: rules: takes a string or a number, not an array");
    file_fails("t.yaml", "account: true\n", SB_EINVAL,
               "1:10: account: takes a string or a number, not true");
    file_fails("r.yaml", "- rules\n", SB_EINVAL,
               "1:1: a config file is a mapping of settings, not an array");
    file_fails("dup.yaml", "rules: a\nrules: b\n", SB_EINVAL, "2:1: duplicate key in mapping");
    file_fails("dup.json", "{\"rules\": \"a\",\n \"rules\": \"b\"}", SB_EINVAL,
               "2:2: duplicate key in object");
    file_fails("syntax.json", "{\"rules\": }", SB_EINVAL,
               "1:11: unexpected character (expected a value)");
    file_fails("k.json", "{\"max-body\": \"1PB\"}", SB_EINVAL,
               "1:14: max-body: \"1PB\" is not a size (4096, 256KB, 1MB)");
}

/* The admin listener's TLS files: empty by default, from every source like other settings
 * (serve checks that they go together and with admin-listen). */
static void test_admin_tls(void **state) {
    (void)state;
    sb_config c;
    load_ok(&c, NULL, NULL);
    assert_string_equal(c.admin_tls_cert, "");
    assert_string_equal(c.admin_tls_key, "");
    sb_config_free(&c);
    char *env[] = {"SIGNALBOX_ADMIN_TLS_CERT=/etc/tls/admin.pem", NULL};
    char *argv[] = {"--admin-tls-key=/etc/tls/admin.key", "--admin-listen", "[::]:9090", NULL};
    load_ok(&c, argv, env);
    assert_string_equal(c.admin_tls_cert, "/etc/tls/admin.pem");
    assert_string_equal(c.admin_tls_key, "/etc/tls/admin.key");
    assert_string_equal(c.admin_listen, "[::]:9090");
    sb_config_free(&c);
    char *bad[] = {"--admin-tls-crt", "x", NULL};
    load_fails(bad, NULL, SB_EINVAL,
               "unknown flag --admin-tls-crt (did you mean --admin-tls-cert?) (see --help)");
}

static void test_dump(void **state) {
    (void)state;
    sb_config c;
    sb_buf b;
    sb_buf_init(&b);
    load_ok(&c, NULL, NULL);
    sb_config_dump(&c, &b);
    assert_false(sb_buf_failed(&b));
    assert_string_equal(
        b.data, "{\"rules\":\"rules/\",\"listen\":\"127.0.0.1:8080\","
                "\"redis\":\"redis://127.0.0.1:6379\",\"account\":\"123456789012\","
                "\"region\":\"us-east-1\",\"drain-timeout\":\"10s\",\"log-level\":\"info\","
                "\"http-timeout\":\"5s\",\"max-body\":1048576,\"redis-stream-maxlen\":0,"
                "\"ingest-topic\":\"\",\"kafka-brokers\":\"\",\"kafka-group\":\"signalbox\","
                "\"kafka-topics\":\"\",\"kafka-properties\":\"\",\"kafka-max-in-flight\":10000,"
                "\"auth-file\":\"\",\"allow-unauthenticated\":false,\"admin-listen\":\"\","
                "\"admin-allow-unauthenticated\":false,\"tls-"
                "cert\":\"\",\"tls-key\":\"\",\"admin-tls-cert\":\"\",\"admin-tls-key\":\"\","
                "\"client-timeout\":\"1m\",\"http-ca-file\":\"\","
                "\"http-client-cert\":\"\",\"http-client-key\":\"\",\"watch-"
                "rules\":true,\"idempotency\":false,\"idempotency-ttl\":\"24h\","
                "\"idempotency-lease\":\"30s\","
                "\"max-in-flight\":50000,"
                "\"kafka-mock\":false,\"sqs-endpoint\":\"\",\"sns-endpoint\":\"\","
                "\"aws-batch-linger\":\"5ms\",\"aws-concurrency\":16,\"connections\":{}}");
    sb_config_free(&c);
    sb_buf_reset(&b);
    char *a[] = {"--redis=redis://ops:s3cret@r:6380/1", "--drain-timeout=1500ms",
                 "--http-timeout=2m", "--kafka-mock", NULL};
    load_ok(&c, a, NULL);
    sb_config_dump(&c, &b);
    assert_non_null(strstr(b.data, "\"redis\":\"redis://ops:***@r:6380/1\""));
    assert_non_null(strstr(b.data, "\"drain-timeout\":\"1500ms\""));
    assert_non_null(strstr(b.data, "\"http-timeout\":\"2m\""));
    assert_non_null(strstr(b.data, "\"kafka-mock\":true"));
    assert_null(strstr(b.data, "s3cret"));
    sb_config_free(&c);
    sb_buf_free(&b);
}

static int setup(void **state) {
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),      cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_flag_forms),    cmocka_unit_test(test_flag_errors),
        cmocka_unit_test(test_environment),   cmocka_unit_test(test_help),
        cmocka_unit_test(test_file_settings), cmocka_unit_test(test_file_errors),
        cmocka_unit_test(test_dump),          cmocka_unit_test(test_admin_tls),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
