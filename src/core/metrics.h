/* metrics.h - a small Prometheus registry: counter and gauge families with labels, and
 * histograms, rendered in the text exposition format (0.0.4).
 *
 * Updated from the event loop's thread (the router is single-threaded); rendering happens on
 * the same thread when /metrics is served. Series are created on first use. */
#ifndef SB_METRICS_H
#define SB_METRICS_H

#include <stddef.h>

#include "core/buf.h"

typedef struct sb_metrics sb_metrics;
typedef struct sb_family sb_family;

#define SB_METRICS_MAX_LABELS 4

/* Returns an empty registry, or NULL when out of memory. */
sb_metrics *sb_metrics_new(void);

/* Frees the registry and its families (NULL is a no-op). */
void sb_metrics_free(sb_metrics *m);

/* Registers a family. labels names its label keys (nlabels <= SB_METRICS_MAX_LABELS).
 * Returns NULL when out of memory. The strings must live as long as the registry. */
sb_family *sb_metrics_counter(sb_metrics *m, const char *name, const char *help, int nlabels,
                              const char *const *labels);
sb_family *sb_metrics_gauge(sb_metrics *m, const char *name, const char *help, int nlabels,
                            const char *const *labels);

/* A histogram without labels, with the given upper bounds (ascending; +Inf is implied). */
sb_family *sb_metrics_histogram(sb_metrics *m, const char *name, const char *help,
                                const double *bounds, int nbounds);

/* Adds v to the series of f with these label values (as many as the family has labels). */
void sb_metric_add(sb_family *f, const char *const *values, double v);

/* Sets the series of a gauge. */
void sb_metric_set(sb_family *f, const char *const *values, double v);

/* Records one observation in a histogram. */
void sb_histogram_observe(sb_family *f, double v);

/* Appends the whole registry in the text exposition format. */
void sb_metrics_render(const sb_metrics *m, sb_buf *out);

#endif
