/* test_config_values.c - the parsers behind the settings table (core/config.h): durations,
 * sizes, booleans, HOST:PORT, and Redis URLs with their redaction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/config.h"

static void duration_ok(const char *s, long want) {
    long ms = -1;
    if (sb_config_parse_duration(s, &ms) != SB_OK || ms != want)
        fail_msg("duration \"%s\": got %ld, want %ld", s, ms, want);
}

static void duration_bad(const char *s) {
    long ms = 0;
    if (sb_config_parse_duration(s, &ms) != SB_EINVAL)
        fail_msg("duration \"%s\" accepted as %ld", s, ms);
}

static void test_durations(void **state) {
    (void)state;
    duration_ok("0", 0);
    duration_ok("0s", 0);
    duration_ok("500ms", 500);
    duration_ok("5s", 5000);
    duration_ok("2m", 120000);
    duration_ok("1h", 3600000);
    duration_ok("1m30s", 90000);
    duration_ok("1h2m3s4ms", 3723004);
    duration_ok("1.5s", 1500);
    duration_ok("0.25m", 15000);
    duration_ok("0.001s", 1);
    duration_bad("10");    /* a bare number has no unit: ms or s? */
    duration_bad("0.5ms"); /* finer than a millisecond */
    duration_bad("0.0001s");
    duration_bad("");
    duration_bad("s");
    duration_bad("-1s");
    duration_bad("+1s");
    duration_bad("1x");
    duration_bad("1S");
    duration_bad("1 s");
    duration_bad(" 1s");
    duration_bad("1.s");
    duration_bad(".5s");
    duration_bad("1h2");
    duration_bad("1d");
    duration_bad("99999999999999999999h");
    duration_bad("9007199254740993ms"); /* 2^53 + 1 */
    duration_bad("1.1234567891s");      /* more than 9 decimals */
}

static void size_ok(const char *s, long want) {
    long n = -1;
    if (sb_config_parse_size(s, &n) != SB_OK || n != want)
        fail_msg("size \"%s\": got %ld, want %ld", s, n, want);
}

static void size_bad(const char *s) {
    long n = 0;
    if (sb_config_parse_size(s, &n) != SB_EINVAL)
        fail_msg("size \"%s\" accepted as %ld", s, n);
}

static void test_sizes(void **state) {
    (void)state;
    size_ok("0", 0);
    size_ok("512", 512);
    size_ok("512B", 512);
    size_ok("256KB", 262144);
    size_ok("256kb", 262144);
    size_ok("256K", 262144);
    size_ok("256KiB", 262144);
    size_ok("1MB", 1048576);
    size_ok("1mib", 1048576);
    size_ok("2GB", 2147483648L);
    size_ok("1.5MB", 1572864);
    size_ok("0.5KB", 512);
    size_bad("");
    size_bad("KB");
    size_bad("1.3B"); /* not a whole number of bytes */
    size_bad("1.5");
    size_bad("1TB");
    size_bad("-1");
    size_bad("1 MB");
    size_bad("1MBs");
    size_bad("0x10");
    size_bad("99999999999GB");
}

static void test_bools(void **state) {
    (void)state;
    const char *yes[] = {"true", "TRUE", "yes", "on", "1", "True"};
    const char *no[] = {"false", "FALSE", "no", "off", "0", "Off"};
    for (size_t i = 0; i < 6; i++) {
        bool b = false;
        assert_int_equal(sb_config_parse_bool(yes[i], &b), SB_OK);
        assert_true(b);
        assert_int_equal(sb_config_parse_bool(no[i], &b), SB_OK);
        assert_false(b);
    }
    bool b = true;
    const char *bad[] = {"", "2", "y", "n", "enabled", "true "};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(sb_config_parse_bool(bad[i], &b), SB_EINVAL);
    assert_true(b); /* untouched */
}

static void listen_ok(const char *s, const char *host, int port) {
    char h[256] = "";
    int p = -1;
    sb_error err = {0};
    if (sb_config_parse_listen(s, h, sizeof h, &p, &err) != SB_OK)
        fail_msg("listen \"%s\": %s", s, err.msg);
    assert_string_equal(h, host);
    assert_int_equal(p, port);
}

static void listen_bad(const char *s, const char *msg_part) {
    char h[256];
    int p;
    sb_error err = {0};
    if (sb_config_parse_listen(s, h, sizeof h, &p, &err) != SB_EINVAL)
        fail_msg("listen \"%s\" accepted", s);
    if (!strstr(err.msg, msg_part))
        fail_msg("listen \"%s\": message \"%s\" lacks \"%s\"", s, err.msg, msg_part);
}

static void test_listen(void **state) {
    (void)state;
    listen_ok("127.0.0.1:8080", "127.0.0.1", 8080);
    listen_ok("0.0.0.0:0", "0.0.0.0", 0);
    listen_ok("localhost:80", "localhost", 80);
    listen_ok("my-host.example.com:65535", "my-host.example.com", 65535);
    listen_ok("[::1]:8080", "::1", 8080);
    listen_ok("[::]:9000", "::", 9000);
    listen_ok("[2001:db8::1]:443", "2001:db8::1", 443);
    listen_bad("127.0.0.1", "is not HOST:PORT");
    listen_bad("", "is not HOST:PORT");
    listen_bad("::1:8080", "is not HOST:PORT"); /* IPv6 needs brackets */
    listen_bad("[::1]8080", "is not HOST:PORT");
    listen_bad("[::1]", "is not HOST:PORT");
    listen_bad("[::1:8080", "is not HOST:PORT");
    listen_bad(":8080", "is not a host name or address");
    listen_bad("[]:8080", "is not a host name or address");
    listen_bad("[nothex]:80", "is not a host name or address");
    listen_bad("[127.0.0.1]:80", "is not a host name or address");
    listen_bad("300.1.1.1:80", "is not a host name or address");
    listen_bad("ho st:80", "is not a host name or address");
    listen_bad("-host:80", "is not a host name or address");
    listen_bad("host:65536", "port must be a number from 0 to 65535");
    listen_bad("host:-1", "port must be");
    listen_bad("host:+80", "port must be");
    listen_bad("host:8o", "port must be");
    listen_bad("host:", "port must be");
    listen_bad("host:123456", "port must be");
    /* a host that does not fit the caller's buffer */
    char h[4];
    int p;
    assert_int_equal(sb_config_parse_listen("abcdef:1", h, sizeof h, &p, NULL), SB_EINVAL);
}

static void redis_ok(const char *url, const char *host, int port, const char *user,
                     const char *password, int db) {
    sb_redis_url u;
    sb_error err = {0};
    if (sb_redis_url_parse(url, &u, &err) != SB_OK)
        fail_msg("redis \"%s\": %s", url, err.msg);
    assert_string_equal(u.host, host);
    assert_int_equal(u.port, port);
    if (user)
        assert_string_equal(u.user, user);
    else
        assert_null(u.user);
    if (password)
        assert_string_equal(u.password, password);
    else
        assert_null(u.password);
    assert_int_equal(u.db, db);
    sb_redis_url_free(&u);
    assert_null(u.host);
}

static void redis_bad(const char *url, const char *msg_part) {
    sb_redis_url u;
    sb_error err = {0};
    if (sb_redis_url_parse(url, &u, &err) != SB_EINVAL)
        fail_msg("redis \"%s\" accepted", url);
    assert_null(u.host); /* nothing to free */
    assert_null(u.user);
    assert_null(u.password);
    if (!strstr(err.msg, msg_part))
        fail_msg("redis \"%s\": message \"%s\" lacks \"%s\"", url, err.msg, msg_part);
    if (strstr(err.msg, "s3cret"))
        fail_msg("redis \"%s\": the message shows the password: %s", url, err.msg);
}

static void test_redis_urls(void **state) {
    (void)state;
    redis_ok("redis://127.0.0.1:6379", "127.0.0.1", 6379, NULL, NULL, 0);
    redis_ok("redis://localhost", "localhost", 6379, NULL, NULL, 0);
    redis_ok("redis://cache.internal:6380/", "cache.internal", 6380, NULL, NULL, 0);
    redis_ok("redis://h:1/15", "h", 1, NULL, NULL, 15);
    redis_ok("redis://:s3cret@h:6380/2", "h", 6380, NULL, "s3cret", 2);
    redis_ok("redis://ann:s3cret@h", "h", 6379, "ann", "s3cret", 0);
    redis_ok("redis://s3cret@h", "h", 6379, NULL, "s3cret", 0); /* as redis-cli reads it */
    redis_ok("redis://ann:p%40ss%3Aw%2F@h/0", "h", 6379, "ann", "p@ss:w/", 0);
    redis_ok("redis://ann:p@ss@h/0", "h", 6379, "ann", "p@ss", 0); /* the last @ ends it */
    redis_ok("redis://ann:@h", "h", 6379, "ann", NULL, 0);
    redis_ok("redis://[::1]:7000/3", "::1", 7000, NULL, NULL, 3);
    redis_ok("redis://[::1]", "::1", 6379, NULL, NULL, 0);
    redis_ok("unix:///var/run/redis.sock", "/var/run/redis.sock", 0, NULL, NULL, 0);
    redis_ok("unix:///tmp/r.sock?db=4", "/tmp/r.sock", 0, NULL, NULL, 4);
    const char *must = "a redis URL must be redis://";
    redis_bad("http://x", must);
    redis_bad("", must);
    redis_bad("127.0.0.1:6379", must);
    redis_bad("REDIS://h", must);
    redis_bad("rediss://h:6380", "TLS (rediss://) is not supported");
    redis_bad("redis://", "not a host name or address");
    redis_bad("redis://:6379", "not a host name or address");
    redis_bad("redis://u:s3cret@", "not a host name or address");
    redis_bad("redis://bad_host!:1", "not a host name or address");
    redis_bad("redis://::1:6379", "IPv6 in brackets");
    redis_bad("redis://[::1:6379", "IPv6 in brackets");
    redis_bad("redis://h:0", "port must be a number from 1 to 65535");
    redis_bad("redis://h:65536", "port must be");
    redis_bad("redis://u:s3cret@h:port", "port must be");
    redis_bad("redis://h:", "port must be");
    redis_bad("redis://h/x", "database must be a number");
    redis_bad("redis://h/-1", "database must be a number");
    redis_bad("redis://h/1/2", "database must be a number");
    redis_bad("redis://h/99999999999", "database must be a number");
    redis_bad("redis://h?timeout=1", "query parameters");
    redis_bad("redis://u:s3cret@h#x", "query parameters");
    redis_bad("redis://u:s3cret%zz@h", "percent-encoding");
    redis_bad("redis://u:s3cret%00@h", "percent-encoding");
    redis_bad("redis://u:s3cret%4@h", "percent-encoding");
    redis_bad("unix://relative.sock", "unix:///absolute/path");
    redis_bad("unix:///", "unix:///absolute/path");
    redis_bad("unix:///p.sock?db=x", "?db=N");
    redis_bad("unix:///p.sock?timeout=1", "?db=N");
    /* the message shows the URL, redacted */
    sb_redis_url u;
    sb_error err = {0};
    assert_int_equal(sb_redis_url_parse("redis://ann:s3cret@h:99999", &u, &err), SB_EINVAL);
    assert_string_equal(err.msg, "redis URL \"redis://ann:***@h:99999\": the port must be a number "
                                 "from 1 to 65535");
    sb_redis_url_free(NULL);
}

static void redact(const char *url, const char *want) {
    sb_buf b;
    sb_buf_init(&b);
    sb_redis_url_redact(url, &b);
    assert_string_equal(b.data, want);
    sb_buf_free(&b);
}

static void test_redact(void **state) {
    (void)state;
    redact("redis://h:6379/0", "redis://h:6379/0");
    redact("redis://ann:pw@h:1/0", "redis://ann:***@h:1/0");
    redact("redis://:pw@h", "redis://:***@h");
    redact("redis://pw@h", "redis://***@h");
    redact("redis://ann:p@ss@h", "redis://ann:***@h");
    redact("garbage:pw@h", "garbage:***@h");
    redact("unix:///tmp/s.sock", "unix:///tmp/s.sock");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_durations),  cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_bools),      cmocka_unit_test(test_listen),
        cmocka_unit_test(test_redis_urls), cmocka_unit_test(test_redact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
