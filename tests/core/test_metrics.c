/* test_metrics.c - the Prometheus registry (core/metrics.h): the exact text of counters, gauges,
 * escaped labels and help, histograms with and without labels; registration errors; series
 * handles and their limit; concurrent updates and series creation. */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/metrics.h"

/* Renders m and compares with want. */
static void rendered(sb_metrics *m, const char *want) {
    sb_buf b;
    sb_buf_init(&b);
    sb_metrics_render(m, &b);
    assert_false(sb_buf_failed(&b));
    if (strcmp(b.data ? b.data : "", want) != 0)
        fail_msg("got:\n%s\nwant:\n%s", b.data ? b.data : "", want);
    sb_buf_free(&b);
}

static void test_counter_and_gauge(void **state) {
    (void)state;
    sb_metrics *m = sb_metrics_new();
    assert_non_null(m);
    rendered(m, "");
    sb_family *c = sb_metrics_counter(m, "sb_events_total", "Events received.", 0, NULL);
    sb_family *g = sb_metrics_gauge(m, "sb_in_flight", "Deliveries in flight.", 0, NULL);
    assert_non_null(c);
    assert_non_null(g);
    /* a family without labels shows 0 from the start */
    rendered(m, "# HELP sb_events_total Events received.\n"
                "# TYPE sb_events_total counter\n"
                "sb_events_total 0\n"
                "# HELP sb_in_flight Deliveries in flight.\n"
                "# TYPE sb_in_flight gauge\n"
                "sb_in_flight 0\n");
    sb_metric_add(c, NULL, 1);
    sb_metric_add(c, NULL, 2.5);
    sb_metric_add(c, NULL, -10);     /* counters never go down */
    sb_metric_add(c, NULL, NAN);     /* nor become NaN */
    sb_metric_set(c, NULL, 100);     /* nor are set */
    sb_metric_observe(c, NULL, 100); /* nor observe */
    sb_series_inc(sb_metric_series(c, NULL));
    sb_metric_set(g, NULL, 7);
    sb_metric_add(g, NULL, -2);
    rendered(m, "# HELP sb_events_total Events received.\n"
                "# TYPE sb_events_total counter\n"
                "sb_events_total 4.5\n"
                "# HELP sb_in_flight Deliveries in flight.\n"
                "# TYPE sb_in_flight gauge\n"
                "sb_in_flight 5\n");
    sb_metric_set(g, NULL, INFINITY);
    sb_buf b;
    sb_buf_init(&b);
    sb_metrics_render(m, &b);
    assert_non_null(strstr(b.data, "sb_in_flight +Inf\n"));
    sb_buf_free(&b);
    sb_metric_set(g, NULL, -INFINITY);
    sb_buf_init(&b);
    sb_metrics_render(m, &b);
    assert_non_null(strstr(b.data, "sb_in_flight -Inf\n"));
    sb_buf_free(&b);
    sb_metric_set(g, NULL, NAN);
    sb_buf_init(&b);
    sb_metrics_render(m, &b);
    assert_non_null(strstr(b.data, "sb_in_flight NaN\n"));
    sb_buf_free(&b);
    sb_metric_set(g, NULL, 0.000123);
    sb_buf_init(&b);
    sb_metrics_render(m, &b);
    assert_non_null(strstr(b.data, "sb_in_flight 0.000123\n"));
    sb_buf_free(&b);
    sb_metrics_free(m);
    sb_metrics_free(NULL);
}

static void test_labels_and_escaping(void **state) {
    (void)state;
    sb_metrics *m = sb_metrics_new();
    const char *labels[] = {"rule", "target"};
    sb_family *d = sb_metrics_counter(m, "sb_deliveries_total",
                                      "Deliveries by rule\nand target, \\ \"as is\".", 2, labels);
    assert_non_null(d);
    rendered(m, "# HELP sb_deliveries_total Deliveries by rule\\nand target, \\\\ \"as is\".\n"
                "# TYPE sb_deliveries_total counter\n");
    const char *v1[] = {"orders", "sqs"};
    const char *v2[] = {"say \"hi\"", "back\\slash\nnewline"};
    const char *v3[] = {"orders", NULL};
    sb_metric_add(d, v1, 1);
    sb_metric_add(d, v2, 3);
    sb_metric_add(d, v1, 1);
    sb_metric_add(d, v3, 1);
    sb_metric_add(d, NULL, 1); /* no values for a labelled family: dropped */
    rendered(m,
             "# HELP sb_deliveries_total Deliveries by rule\\nand target, \\\\ \"as is\".\n"
             "# TYPE sb_deliveries_total counter\n"
             "sb_deliveries_total{rule=\"orders\",target=\"sqs\"} 2\n"
             "sb_deliveries_total{rule=\"say \\\"hi\\\"\",target=\"back\\\\slash\\nnewline\"} 3\n"
             "sb_deliveries_total{rule=\"orders\",target=\"\"} 1\n");
    /* handles are stable and shared */
    sb_series *s1 = sb_metric_series(d, v1);
    const char *v1copy[] = {"orders", "sqs"};
    assert_ptr_equal(sb_metric_series(d, v1copy), s1);
    assert_ptr_not_equal(sb_metric_series(d, v2), s1);
    assert_null(sb_metric_series(d, NULL));
    assert_null(sb_metric_series(NULL, v1));
    /* four labels, the most */
    const char *four[] = {"a", "b", "c", "d"};
    sb_family *g = sb_metrics_gauge(m, "sb_four", "Four.", 4, four);
    const char *fv[] = {"1", "2", "3", "4"};
    sb_metric_set(g, fv, 9);
    sb_buf b;
    sb_buf_init(&b);
    sb_metrics_render(m, &b);
    assert_non_null(strstr(b.data, "# TYPE sb_four gauge\n"
                                   "sb_four{a=\"1\",b=\"2\",c=\"3\",d=\"4\"} 9\n"));
    sb_buf_free(&b);
    sb_metrics_free(m);
}

static void test_histogram(void **state) {
    (void)state;
    sb_metrics *m = sb_metrics_new();
    const double bounds[] = {0.125, 1, 10};
    sb_family *h = sb_metrics_histogram(m, "sb_send_seconds", "Time of a send.", bounds, 3);
    assert_non_null(h);
    rendered(m, "# HELP sb_send_seconds Time of a send.\n"
                "# TYPE sb_send_seconds histogram\n"
                "sb_send_seconds_bucket{le=\"0.125\"} 0\n"
                "sb_send_seconds_bucket{le=\"1\"} 0\n"
                "sb_send_seconds_bucket{le=\"10\"} 0\n"
                "sb_send_seconds_bucket{le=\"+Inf\"} 0\n"
                "sb_send_seconds_sum 0\n"
                "sb_send_seconds_count 0\n");
    sb_histogram_observe(h, 0.0625);
    sb_histogram_observe(h, 0.125); /* on a bound: counted in it (le is <=) */
    sb_histogram_observe(h, 0.5);
    sb_histogram_observe(h, 20);
    sb_histogram_observe(h, NAN); /* ignored */
    rendered(m, "# HELP sb_send_seconds Time of a send.\n"
                "# TYPE sb_send_seconds histogram\n"
                "sb_send_seconds_bucket{le=\"0.125\"} 2\n"
                "sb_send_seconds_bucket{le=\"1\"} 3\n"
                "sb_send_seconds_bucket{le=\"10\"} 3\n"
                "sb_send_seconds_bucket{le=\"+Inf\"} 4\n"
                "sb_send_seconds_sum 20.6875\n"
                "sb_send_seconds_count 4\n");
    sb_metrics_free(m);
}

static void test_histogram_labels(void **state) {
    (void)state;
    sb_metrics *m = sb_metrics_new();
    const char *labels[] = {"target"};
    sb_family *h =
        sb_metrics_histogram_vec(m, "sb_latency_seconds", "Latency.", 1, labels,
                                 sb_metrics_latency_buckets, SB_METRICS_LATENCY_NBUCKETS);
    assert_non_null(h);
    rendered(m, "# HELP sb_latency_seconds Latency.\n# TYPE sb_latency_seconds histogram\n");
    const char *q[] = {"q\"1"};
    sb_series *s = sb_metric_series(h, q);
    sb_series_observe(s, 0.0003);
    sb_series_observe(s, 0.003);
    sb_series_observe(s, 3);
    sb_series_add(s, 5); /* not a counter: ignored */
    sb_series_set(s, 5); /* not a gauge: ignored */
    rendered(m, "# HELP sb_latency_seconds Latency.\n"
                "# TYPE sb_latency_seconds histogram\n"
                "sb_latency_seconds_bucket{target=\"q\\\"1\",le=\"0.0005\"} 1\n"
                "sb_latency_seconds_bucket{target=\"q\\\"1\",le=\"0.001\"} 1\n"
                "sb_latency_seconds_bucket{target=\"q\\\"1\",le=\"0.0025\"} 1\n"
                "sb_latency_seconds_bucket{target=\"q\\\"1\",le=\"0.005\"} 2\n"
                "sb_latency_seconds_bucket{target=\"q\\\"1\",le=\"0.01\"} 2\n"
                "sb_latency_seconds_bucket{target=\"q\\\"1\",le=\"0.025\"} 2\n"
                "sb_latency_seconds_bucket{target=\"q\\\"1\",le=\"0.05\"} 2\n"
                "sb_latency_seconds_bucket{target=\"q\\\"1\",le=\"0.1\"} 2\n"
                "sb_latency_seconds_bucket{target=\"q\\\"1\",le=\"0.25\"} 2\n"
                "sb_latency_seconds_bucket{target=\"q\\\"1\",le=\"0.5\"} 2\n"
                "sb_latency_seconds_bucket{target=\"q\\\"1\",le=\"1\"} 2\n"
                "sb_latency_seconds_bucket{target=\"q\\\"1\",le=\"2.5\"} 2\n"
                "sb_latency_seconds_bucket{target=\"q\\\"1\",le=\"5\"} 3\n"
                "sb_latency_seconds_bucket{target=\"q\\\"1\",le=\"10\"} 3\n"
                "sb_latency_seconds_bucket{target=\"q\\\"1\",le=\"+Inf\"} 3\n"
                "sb_latency_seconds_sum{target=\"q\\\"1\"} 3.0033\n"
                "sb_latency_seconds_count{target=\"q\\\"1\"} 3\n");
    /* no bounds: only +Inf */
    sb_family *z = sb_metrics_histogram(m, "sb_z", "Z.", NULL, 0);
    assert_non_null(z);
    sb_histogram_observe(z, 1);
    sb_buf b;
    sb_buf_init(&b);
    sb_metrics_render(m, &b);
    assert_non_null(strstr(b.data, "# TYPE sb_z histogram\nsb_z_bucket{le=\"+Inf\"} 1\n"
                                   "sb_z_sum 1\nsb_z_count 1\n"));
    sb_buf_free(&b);
    sb_metrics_free(m);
}

static void test_registration_errors(void **state) {
    (void)state;
    sb_metrics *m = sb_metrics_new();
    const char *one[] = {"a"};
    assert_non_null(sb_metrics_counter(m, "ok:name_1", "h", 1, one));
    assert_null(sb_metrics_counter(m, "ok:name_1", "again", 0, NULL)); /* taken */
    assert_null(sb_metrics_gauge(m, "ok:name_1", "again", 0, NULL));
    assert_null(sb_metrics_counter(m, "", "h", 0, NULL));
    assert_null(sb_metrics_counter(m, NULL, "h", 0, NULL));
    assert_null(sb_metrics_counter(m, "1abc", "h", 0, NULL));
    assert_null(sb_metrics_counter(m, "a-b", "h", 0, NULL));
    assert_null(sb_metrics_counter(m, "a b", "h", 0, NULL));
    const char *bad1[] = {"a:b"}, *bad2[] = {"__x"}, *bad3[] = {"x", "x"}, *bad4[] = {"9"},
               *five[] = {"a", "b", "c", "d", "e"}, *le[] = {"le"};
    assert_null(sb_metrics_counter(m, "c1", "h", 1, bad1));
    assert_null(sb_metrics_counter(m, "c2", "h", 1, bad2));
    assert_null(sb_metrics_counter(m, "c3", "h", 2, bad3));
    assert_null(sb_metrics_counter(m, "c4", "h", 1, bad4));
    assert_null(sb_metrics_counter(m, "c5", "h", 5, five));
    assert_null(sb_metrics_counter(m, "c6", "h", -1, NULL));
    assert_null(sb_metrics_counter(m, "c7", "h", 1, NULL));
    assert_non_null(sb_metrics_counter(m, "c8", "h", 1, le)); /* only histograms reserve le */
    const double unsorted[] = {1, 0.5}, twice[] = {1, 1}, inf[] = {1, INFINITY}, nan[] = {NAN};
    assert_null(sb_metrics_histogram(m, "h1", "h", unsorted, 2));
    assert_null(sb_metrics_histogram(m, "h2", "h", twice, 2));
    assert_null(sb_metrics_histogram(m, "h3", "h", inf, 2));
    assert_null(sb_metrics_histogram(m, "h4", "h", nan, 1));
    assert_null(sb_metrics_histogram(m, "h5", "h", NULL, 2));
    assert_null(sb_metrics_histogram_vec(m, "h6", "h", 1, le, twice, 1));
    assert_null(sb_metrics_counter(NULL, "x", "h", 0, NULL));
    /* NULL families and series are no-ops */
    sb_metric_add(NULL, NULL, 1);
    sb_metric_set(NULL, NULL, 1);
    sb_metric_observe(NULL, NULL, 1);
    sb_histogram_observe(NULL, 1);
    sb_series_add(NULL, 1);
    sb_series_inc(NULL);
    sb_series_set(NULL, 1);
    sb_series_observe(NULL, 1);
    sb_metrics_render(NULL, NULL);
    /* a NULL help is empty */
    sb_metrics *m2 = sb_metrics_new();
    sb_metrics_gauge(m2, "g", NULL, 0, NULL);
    rendered(m2, "# HELP g \n# TYPE g gauge\ng 0\n");
    sb_metrics_free(m2);
    sb_metrics_free(m);
}

static void test_series_limit(void **state) {
    (void)state;
    sb_metrics *m = sb_metrics_new();
    const char *labels[] = {"id"};
    sb_family *c = sb_metrics_counter(m, "many_total", "Many.", 1, labels);
    char v[32];
    const char *vals[] = {v};
    for (int i = 0; i < SB_METRICS_MAX_SERIES; i++) {
        snprintf(v, sizeof v, "s%d", i);
        assert_non_null(sb_metric_series(c, vals));
    }
    snprintf(v, sizeof v, "one-too-many");
    assert_null(sb_metric_series(c, vals));
    sb_metric_add(c, vals, 1); /* dropped */
    snprintf(v, sizeof v, "s42");
    sb_series *s = sb_metric_series(c, vals); /* the old ones still work */
    assert_non_null(s);
    sb_series_add(s, 42);
    sb_buf b;
    sb_buf_init(&b);
    sb_metrics_render(m, &b);
    assert_non_null(strstr(b.data, "\nmany_total{id=\"s42\"} 42\n"));
    assert_null(strstr(b.data, "one-too-many"));
    sb_buf_free(&b);
    sb_metrics_free(m);
}

#define THREADS 4
#define ROUNDS 20000

typedef struct work {
    sb_family *total, *by_label, *hist;
    int id;
} work;

static void *updater(void *arg) {
    work *w = arg;
    sb_series *s = sb_metric_series(w->total, NULL);
    char v[16];
    const char *vals[] = {v};
    for (int i = 0; i < ROUNDS; i++) {
        sb_series_inc(s);
        snprintf(v, sizeof v, "k%d", i % 50); /* every thread races to create the same 50 */
        sb_metric_add(w->by_label, vals, 1);
        sb_histogram_observe(w->hist, 0.5);
    }
    return NULL;
}

static void test_threads(void **state) {
    (void)state;
    sb_metrics *m = sb_metrics_new();
    const char *labels[] = {"k"};
    const double bounds[] = {1};
    work w[THREADS];
    pthread_t t[THREADS];
    sb_family *total = sb_metrics_counter(m, "total", "T.", 0, NULL);
    sb_family *by = sb_metrics_counter(m, "by_label", "B.", 1, labels);
    sb_family *hist = sb_metrics_histogram(m, "hist", "H.", bounds, 1);
    for (int i = 0; i < THREADS; i++) {
        w[i] = (work){total, by, hist, i};
        assert_int_equal(pthread_create(&t[i], NULL, updater, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    sb_buf b;
    sb_buf_init(&b);
    sb_metrics_render(m, &b);
    char want[128];
    snprintf(want, sizeof want, "\ntotal %d\n", THREADS * ROUNDS);
    assert_non_null(strstr(b.data, want));
    for (int k = 0; k < 50; k++) {
        snprintf(want, sizeof want, "\nby_label{k=\"k%d\"} %d\n", k, THREADS * ROUNDS / 50);
        if (!strstr(b.data, want))
            fail_msg("lacks %s in\n%s", want, b.data);
    }
    snprintf(want, sizeof want,
             "hist_bucket{le=\"1\"} %d\nhist_bucket{le=\"+Inf\"} %d\n"
             "hist_sum %d\nhist_count %d\n",
             THREADS * ROUNDS, THREADS * ROUNDS, THREADS * ROUNDS / 2, THREADS * ROUNDS);
    assert_non_null(strstr(b.data, want));
    /* each label value became exactly one series */
    size_t series = 0;
    for (const char *p = b.data; (p = strstr(p, "\nby_label{")); p++)
        series++;
    assert_int_equal(series, 50);
    sb_buf_free(&b);
    sb_metrics_free(m);
}

static void test_content_type(void **state) {
    (void)state;
    assert_string_equal(SB_METRICS_CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
    assert_true(sb_metrics_latency_buckets[0] == 0.0005);
    assert_true(sb_metrics_latency_buckets[SB_METRICS_LATENCY_NBUCKETS - 1] == 10);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counter_and_gauge),
        cmocka_unit_test(test_labels_and_escaping),
        cmocka_unit_test(test_histogram),
        cmocka_unit_test(test_histogram_labels),
        cmocka_unit_test(test_registration_errors),
        cmocka_unit_test(test_series_limit),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_content_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
