/* test_log.c - JSON log lines (core/log.h): the exact structure of a record parsed back with
 * sb_json_parse, the level filter, escaping, extra fields, long messages, and whole lines when
 * several threads log at once. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/json.h"
#include "core/log.h"

static FILE *sink;

static int setup(void **state) {
    (void)state;
    sink = tmpfile();
    if (!sink)
        return -1;
    sb_log_set_sink(sink);
    sb_log_set_level(SB_LOG_INFO);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    sb_log_set_sink(NULL);
    fclose(sink);
    return 0;
}

/* Everything logged since the last call (the sink is emptied). */
static char *drain(size_t *len) {
    long n = ftell(sink);
    char *text = malloc((size_t)n + 1);
    assert_non_null(text);
    rewind(sink);
    assert_int_equal(fread(text, 1, (size_t)n, sink), (size_t)n);
    text[n] = '\0';
    rewind(sink);
    assert_int_equal(ftruncate(fileno(sink), 0), 0);
    if (len)
        *len = (size_t)n;
    return text;
}

/* Parses one line and checks its members: keys[i] = values[i], in order, after ts. */
static void check_record(const char *line, size_t len, const char *const *keys,
                         const char *const *values, size_t n) {
    sb_arena a;
    sb_arena_init(&a, 0);
    sb_jnode *root;
    sb_error err = {0};
    if (sb_json_parse(line, len, &a, true, &root, &err, NULL) != SB_OK)
        fail_msg("not JSON (%s): %.*s", err.msg, (int)len, line);
    assert_int_equal(root->type, SB_JSON_OBJECT);
    if (root->u.obj.n != n + 1)
        fail_msg("%zu members, want %zu: %.*s", root->u.obj.n, n + 1, (int)len, line);
    const sb_jmember *ts = &root->u.obj.members[0];
    assert_string_equal(ts->key, "ts");
    assert_int_equal(ts->value->type, SB_JSON_STRING);
    /* 2026-11-26T17:00:00.123Z */
    const char *t = ts->value->u.str.s;
    assert_int_equal(strlen(t), 24);
    const char *shape = "dddd-dd-ddTdd:dd:dd.dddZ";
    for (size_t i = 0; i < 24; i++)
        if (shape[i] == 'd' ? !(t[i] >= '0' && t[i] <= '9') : t[i] != shape[i])
            fail_msg("ts \"%s\" is not like 2026-11-26T17:00:00.123Z", t);
    for (size_t i = 0; i < n; i++) {
        const sb_jmember *m = &root->u.obj.members[i + 1];
        assert_string_equal(m->key, keys[i]);
        assert_int_equal(m->value->type, SB_JSON_STRING);
        assert_int_equal(m->value->u.str.len, strlen(values[i]));
        assert_memory_equal(m->value->u.str.s, values[i], strlen(values[i]));
    }
    sb_arena_free(&a);
}

static void test_record(void **state) {
    (void)state;
    sb_log(SB_LOG_INFO, "ingest", "accepted %d events", 3);
    size_t len;
    char *text = drain(&len);
    assert_true(len > 0 && text[len - 1] == '\n');
    assert_non_null(strstr(text, "\",\"level\":\"info\",\"component\":\"ingest\","
                                 "\"msg\":\"accepted 3 events\"}\n"));
    assert_true(strncmp(text, "{\"ts\":\"", 7) == 0);
    const char *k[] = {"level", "component", "msg"};
    const char *v[] = {"info", "ingest", "accepted 3 events"};
    check_record(text, len - 1, k, v, 3);
    free(text);
}

static void test_levels(void **state) {
    (void)state;
    sb_log_set_level(SB_LOG_WARN);
    assert_int_equal(sb_log_get_level(), SB_LOG_WARN);
    assert_false(sb_log_enabled(SB_LOG_INFO));
    assert_true(sb_log_enabled(SB_LOG_ERROR));
    sb_log(SB_LOG_DEBUG, "c", "no");
    sb_log(SB_LOG_INFO, "c", "no");
    sb_log(SB_LOG_WARN, "c", "yes");
    sb_log(SB_LOG_ERROR, "c", "yes");
    char *text = drain(NULL);
    /* exactly two lines: warn, then error */
    char *nl = strchr(text, '\n');
    assert_non_null(nl);
    assert_non_null(strstr(text, "\"level\":\"warn\""));
    assert_non_null(strstr(nl + 1, "\"level\":\"error\""));
    assert_string_equal(strchr(nl + 1, '\n'), "\n");
    free(text);
    sb_log_set_level(SB_LOG_DEBUG);
    sb_log(SB_LOG_DEBUG, "c", "now");
    text = drain(NULL);
    assert_non_null(strstr(text, "\"level\":\"debug\""));
    free(text);
    sb_log_set_level(SB_LOG_INFO);

    sb_log_level l = SB_LOG_ERROR;
    const char *names[] = {"debug", "info", "warn", "error"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(sb_log_parse_level(names[i], &l), 0);
        assert_int_equal(l, i);
        assert_string_equal(sb_log_level_name((sb_log_level)i), names[i]);
    }
    assert_int_equal(sb_log_parse_level("INFO", &l), SB_EINVAL);
    assert_int_equal(sb_log_parse_level("warning", &l), SB_EINVAL);
    assert_int_equal(sb_log_parse_level("", &l), SB_EINVAL);
    assert_int_equal(sb_log_parse_level(NULL, &l), SB_EINVAL);
}

static void test_escaping(void **state) {
    (void)state;
    sb_log(SB_LOG_ERROR, "a\"b", "quote \" backslash \\ newline \n tab \t bell \a bad \xff end");
    size_t len;
    char *text = drain(&len);
    /* one line: the newline of the message is escaped */
    assert_ptr_equal(strchr(text, '\n'), text + len - 1);
    assert_non_null(strstr(text, "\"component\":\"a\\\"b\",\"msg\":\"quote \\\" backslash \\\\ "
                                 "newline \\n tab \\t bell \\u0007 bad \xef\xbf\xbd end\"}"));
    const char *k[] = {"level", "component", "msg"};
    const char *v[] = {"error", "a\"b",
                       "quote \" backslash \\ newline \n tab \t bell \a bad \xef\xbf\xbd end"};
    check_record(text, len - 1, k, v, 3);
    free(text);
    sb_log(SB_LOG_INFO, NULL, "%s", "");
    text = drain(&len);
    assert_non_null(strstr(text, "\"component\":\"\",\"msg\":\"\"}\n"));
    free(text);
}

static void test_fields(void **state) {
    (void)state;
    const sb_log_field f[] = {{"event_id", "e-1"}, {"rule", "r\"1"}, {"skipped", NULL},
                              {"target", "t\n1"},  {"attempt", "2"}, {"msg", "shadowed"},
                              {NULL, "no key"}};
    sb_logf_fields(SB_LOG_WARN, "delivery", f, 7, "retry in %dms", 250);
    size_t len;
    char *text = drain(&len);
    const char *k[] = {"level", "component", "msg",     "event_id",
                       "rule",  "target",    "attempt", "_msg"};
    const char *v[] = {"warn", "delivery", "retry in 250ms", "e-1", "r\"1",
                       "t\n1", "2",        "shadowed"};
    check_record(text, len - 1, k, v, 8);
    free(text);

    sb_log_fields(SB_LOG_INFO, "router", "id-9", NULL, "q", "matched");
    text = drain(&len);
    const char *k2[] = {"level", "component", "msg", "event_id", "target"};
    const char *v2[] = {"info", "router", "matched", "id-9", "q"};
    check_record(text, len - 1, k2, v2, 5);
    free(text);

    sb_logf_fields(SB_LOG_INFO, "x", NULL, 0, "none");
    text = drain(&len);
    const char *k3[] = {"level", "component", "msg"};
    const char *v3[] = {"info", "x", "none"};
    check_record(text, len - 1, k3, v3, 3);
    free(text);
}

static void test_long_message(void **state) {
    (void)state;
    size_t n = 100000;
    char *big = malloc(n + 1);
    assert_non_null(big);
    for (size_t i = 0; i < n; i++)
        big[i] = (char)('a' + i % 26);
    big[n] = '\0';
    sb_log(SB_LOG_INFO, "big", "<%s>", big);
    size_t len;
    char *text = drain(&len);
    char *want = malloc(n + 3);
    assert_non_null(want);
    snprintf(want, n + 3, "<%s>", big);
    const char *k[] = {"level", "component", "msg"};
    const char *v[] = {"info", "big", want};
    check_record(text, len - 1, k, v, 3);
    free(want);
    free(big);
    free(text);
}

#define THREADS 4
#define LINES 500

static void *writer(void *arg) {
    int id = (int)(size_t)arg;
    char pad[300];
    memset(pad, 'x', sizeof pad - 1);
    pad[sizeof pad - 1] = '\0';
    for (int i = 0; i < LINES; i++) {
        char n[16];
        snprintf(n, sizeof n, "%d", i);
        const sb_log_field f[] = {{"n", n}};
        sb_logf_fields(SB_LOG_INFO, "thread", f, 1, "writer %d %s", id, pad);
    }
    return NULL;
}

static void test_threads(void **state) {
    (void)state;
    pthread_t t[THREADS];
    for (size_t i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, writer, (void *)i), 0);
    for (size_t i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    size_t len;
    char *text = drain(&len);
    int lines = 0, next[THREADS] = {0};
    sb_arena a;
    sb_arena_init(&a, 0);
    for (char *p = text, *nl; (nl = strchr(p, '\n')); p = nl + 1, lines++) {
        sb_jnode *root;
        if (sb_json_parse(p, (size_t)(nl - p), &a, true, &root, NULL, NULL) != SB_OK)
            fail_msg("line %d is not JSON: %.*s", lines, (int)(nl - p), p);
        const sb_jmember *msg = sb_json_get(root, "msg"), *n = sb_json_get(root, "n");
        assert_non_null(msg);
        assert_non_null(n);
        int id = msg->value->u.str.s[7] - '0';
        assert_true(id >= 0 && id < THREADS);
        assert_int_equal(atoi(n->value->u.str.s), next[id]++); /* each thread's in order */
        sb_arena_reset(&a);
    }
    sb_arena_free(&a);
    assert_int_equal(lines, THREADS * LINES);
    free(text);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record),       cmocka_unit_test(test_levels),
        cmocka_unit_test(test_escaping),     cmocka_unit_test(test_fields),
        cmocka_unit_test(test_long_message), cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
