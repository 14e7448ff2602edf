/* test_rules_watch.c - cli/rules_watch.h: one change to the rules folder, one call of the
 * callback (after its 100 ms quiet period), and nothing more while the folder stays quiet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "cli/rules_watch.h"

static void count(void *arg) {
    (*(int *)arg)++;
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* Runs base for ms milliseconds: long enough for a settled change and for a second call that
 * should not come (each call re-arms the watches, which must not count as a change). */
static void run_for(struct event_base *base, long ms) {
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    event_base_loopexit(base, &tv);
    event_base_dispatch(base);
}

static void test_one_change_one_call(void **state) {
    (void)state;
    char dir[] = "/tmp/sb-rules-watch-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char file[sizeof dir + 16], tmp[sizeof dir + 16];
    snprintf(file, sizeof file, "%s/r.json", dir);
    snprintf(tmp, sizeof tmp, "%s/r.json.new", dir);
    write_file(file, "{}");

    struct event_base *base = event_base_new();
    assert_non_null(base);
    int calls = 0;
    sb_error err = {0};
    sb_rules_watch *w = sb_rules_watch_new(base, dir, count, &calls, &err);
    assert_non_null(w);

    write_file(file, "{\"a\": 1}"); /* an edit in place */
    run_for(base, 600);
    assert_int_equal(calls, 1);

    write_file(tmp, "{\"a\": 2}"); /* an editor's atomic save: a new file renamed over */
    assert_int_equal(rename(tmp, file), 0);
    run_for(base, 600);
    assert_int_equal(calls, 2);

    run_for(base, 300); /* quiet: no call */
    assert_int_equal(calls, 2);

    sb_rules_watch_free(w);
    event_base_free(base);
    assert_int_equal(unlink(file), 0);
    assert_int_equal(rmdir(dir), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_change_one_call),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
