/* metrics.h - a small Prometheus registry: counters, gauges and histograms with up to four
 * labels, rendered in the text exposition format 0.0.4.
 *
 * Families are registered once (at startup) and return a handle. A family's series are
 * created on first use of their label values; a family without labels has its one series from
 * the start (so it renders 0 before the first update). Updates are lock-free atomics and safe
 * from any thread; only the creation of a new series takes the registry's lock. A series
 * handle (sb_metric_series) stays valid as long as the registry: hot paths keep it and skip
 * the lookup. Rendering takes the lock, so it sees every series created before it; values
 * updated while it runs may be seen before or after the update. */
#ifndef SB_METRICS_H
#define SB_METRICS_H

#include <stddef.h>

#include "core/buf.h"

typedef struct sb_metrics sb_metrics;
typedef struct sb_family sb_family;
typedef struct sb_series sb_series;

#define SB_METRICS_MAX_LABELS 4

/* A family stops creating series at this many (label values from the outside must not make
 * memory grow without bound); updates of series it could not create are dropped. */
#define SB_METRICS_MAX_SERIES 10000

/* The Content-Type of sb_metrics_render's output. */
#define SB_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Buckets for latencies in seconds: 0.0005 0.001 0.0025 0.005 0.01 0.025 0.05 0.1 0.25 0.5 1
 * 2.5 5 10 (+Inf is implied). */
extern const double sb_metrics_latency_buckets[];
#define SB_METRICS_LATENCY_NBUCKETS 14

/* Returns an empty registry, or NULL when out of memory. */
sb_metrics *sb_metrics_new(void);

/* Frees the registry, its families and series (NULL is a no-op). No other thread may use it
 * or any of its handles any more. */
void sb_metrics_free(sb_metrics *m);

/* Registers a counter or gauge family. name must match [a-zA-Z_:][a-zA-Z0-9_:]*; labels are
 * nlabels (0..SB_METRICS_MAX_LABELS) distinct names matching [a-zA-Z_][a-zA-Z0-9_]* and not
 * starting with "__". name, help and labels are copied. Returns NULL when a name is invalid,
 * name is already registered, or memory runs out; updates through a NULL family do nothing. */
sb_family *sb_metrics_counter(sb_metrics *m, const char *name, const char *help, int nlabels,
                              const char *const *labels);
sb_family *sb_metrics_gauge(sb_metrics *m, const char *name, const char *help, int nlabels,
                            const char *const *labels);

/* Registers a histogram family with the given bucket upper bounds (finite, strictly ascending;
 * +Inf is implied and must not be given), copied. A label may not be named "le". NULL as above,
 * or for bad bounds. */
sb_family *sb_metrics_histogram_vec(sb_metrics *m, const char *name, const char *help, int nlabels,
                                    const char *const *labels, const double *bounds, int nbounds);

/* A histogram without labels. */
sb_family *sb_metrics_histogram(sb_metrics *m, const char *name, const char *help,
                                const double *bounds, int nbounds);

/* The series of f with these label values (as many as f has labels; NULL when it has none;
 * a NULL value is ""), created on first use. NULL when f is NULL, when values is NULL but f has
 * labels, when f already has SB_METRICS_MAX_SERIES series, or when memory runs out. */
sb_series *sb_metric_series(sb_family *f, const char *const *values);

/* Counters and gauges: adds v (a counter ignores negative and NaN v: it only goes up). */
void sb_series_add(sb_series *s, double v);

/* sb_series_add(s, 1). */
void sb_series_inc(sb_series *s);

/* Gauges: sets the value (ignored on counters and histograms). */
void sb_series_set(sb_series *s, double v);

/* Histograms: records one observation (NaN is ignored). */
void sb_series_observe(sb_series *s, double v);

/* The same through the family and label values (a lookup each time); NULL s, f or series are
 * no-ops. */
void sb_metric_add(sb_family *f, const char *const *values, double v);
void sb_metric_set(sb_family *f, const char *const *values, double v);
void sb_metric_observe(sb_family *f, const char *const *values, double v);

/* Records one observation in a histogram without labels. */
void sb_histogram_observe(sb_family *f, double v);

/* Appends the whole registry in the text exposition format 0.0.4: families in registration
 * order, each with # HELP and # TYPE, then its series in creation order; label values and
 * help text escaped; histograms as cumulative _bucket{le="..."}, _sum and _count. */
void sb_metrics_render(sb_metrics *m, sb_buf *out);

#endif
