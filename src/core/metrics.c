/* metrics.c - families, series, and the text exposition format. */
#include "core/metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef enum { KIND_COUNTER, KIND_GAUGE, KIND_HISTOGRAM } kind;

typedef struct series {
    char **values;
    double v;
    struct series *next;
} series;

struct sb_family {
    kind kind;
    const char *name, *help;
    int nlabels;
    const char *labels[SB_METRICS_MAX_LABELS];
    series *series; /* newest first; rendered in creation order */
    size_t nseries;
    double *bounds;              /* histogram */
    unsigned long long *buckets; /* per bound, not cumulative; + the +Inf bucket */
    int nbounds;
    double sum;
    unsigned long long count;
    struct sb_family *next;
};

struct sb_metrics {
    sb_family *first, *last;
};

sb_metrics *sb_metrics_new(void) {
    return calloc(1, sizeof(sb_metrics));
}

void sb_metrics_free(sb_metrics *m) {
    if (!m)
        return;
    sb_family *f = m->first;
    while (f) {
        sb_family *next = f->next;
        series *s = f->series;
        while (s) {
            series *sn = s->next;
            for (int i = 0; i < f->nlabels; i++)
                free(s->values[i]);
            free(s->values);
            free(s);
            s = sn;
        }
        free(f->bounds);
        free(f->buckets);
        free(f);
        f = next;
    }
    free(m);
}

static sb_family *family(sb_metrics *m, kind k, const char *name, const char *help, int nlabels,
                         const char *const *labels) {
    if (nlabels > SB_METRICS_MAX_LABELS)
        return NULL;
    sb_family *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->kind = k;
    f->name = name;
    f->help = help;
    f->nlabels = nlabels;
    for (int i = 0; i < nlabels; i++)
        f->labels[i] = labels[i];
    if (m->last)
        m->last->next = f;
    else
        m->first = f;
    m->last = f;
    return f;
}

sb_family *sb_metrics_counter(sb_metrics *m, const char *name, const char *help, int nlabels,
                              const char *const *labels) {
    return family(m, KIND_COUNTER, name, help, nlabels, labels);
}

sb_family *sb_metrics_gauge(sb_metrics *m, const char *name, const char *help, int nlabels,
                            const char *const *labels) {
    return family(m, KIND_GAUGE, name, help, nlabels, labels);
}

sb_family *sb_metrics_histogram(sb_metrics *m, const char *name, const char *help,
                                const double *bounds, int nbounds) {
    sb_family *f = family(m, KIND_HISTOGRAM, name, help, 0, NULL);
    if (!f)
        return NULL;
    f->bounds = malloc((size_t)nbounds * sizeof *f->bounds);
    f->buckets = calloc((size_t)nbounds + 1, sizeof *f->buckets);
    if (!f->bounds || !f->buckets)
        return f; /* observations are then dropped */
    memcpy(f->bounds, bounds, (size_t)nbounds * sizeof *bounds);
    f->nbounds = nbounds;
    return f;
}

static series *find(sb_family *f, const char *const *values) {
    for (series *s = f->series; s; s = s->next) {
        int i = 0;
        while (i < f->nlabels && strcmp(s->values[i], values[i]) == 0)
            i++;
        if (i == f->nlabels)
            return s;
    }
    series *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->values = calloc((size_t)f->nlabels + 1, sizeof *s->values);
    for (int i = 0; s->values && i < f->nlabels; i++)
        s->values[i] = strdup(values[i] ? values[i] : "");
    for (int i = 0; s->values && i < f->nlabels; i++)
        if (!s->values[i]) {
            for (int j = 0; j < f->nlabels; j++)
                free(s->values[j]);
            free(s->values);
            s->values = NULL;
        }
    if (!s->values) {
        free(s);
        return NULL;
    }
    s->next = f->series;
    f->series = s;
    f->nseries++;
    return s;
}

void sb_metric_add(sb_family *f, const char *const *values, double v) {
    series *s = f ? find(f, values) : NULL;
    if (s)
        s->v += v;
}

void sb_metric_set(sb_family *f, const char *const *values, double v) {
    series *s = f ? find(f, values) : NULL;
    if (s)
        s->v = v;
}

void sb_histogram_observe(sb_family *f, double v) {
    if (!f || !f->buckets)
        return;
    int i = 0;
    while (i < f->nbounds && v > f->bounds[i])
        i++;
    f->buckets[i]++;
    f->sum += v;
    f->count++;
}

/* Label values escape backslash, double quote and newline. */
static void label_value(sb_buf *b, const char *v) {
    for (; *v; v++) {
        if (*v == '\\')
            sb_buf_puts(b, "\\\\");
        else if (*v == '"')
            sb_buf_puts(b, "\\\"");
        else if (*v == '\n')
            sb_buf_puts(b, "\\n");
        else
            sb_buf_putc(b, *v);
    }
}

static void number(sb_buf *b, double v) {
    if (isinf(v))
        sb_buf_puts(b, v > 0 ? "+Inf" : "-Inf");
    else
        sb_buf_json_double(b, v); /* shortest form that reads back the same */
}

static void render_series(sb_buf *b, const sb_family *f, const series *s) {
    if (s->next)
        render_series(b, f, s->next); /* oldest first */
    sb_buf_puts(b, f->name);
    if (f->nlabels) {
        sb_buf_putc(b, '{');
        for (int i = 0; i < f->nlabels; i++) {
            sb_buf_printf(b, "%s%s=\"", i ? "," : "", f->labels[i]);
            label_value(b, s->values[i]);
            sb_buf_putc(b, '"');
        }
        sb_buf_putc(b, '}');
    }
    sb_buf_putc(b, ' ');
    number(b, s->v);
    sb_buf_putc(b, '\n');
}

void sb_metrics_render(const sb_metrics *m, sb_buf *out) {
    for (const sb_family *f = m->first; f; f = f->next) {
        static const char *const kinds[] = {"counter", "gauge", "histogram"};
        sb_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name,
                      kinds[f->kind]);
        if (f->kind != KIND_HISTOGRAM) {
            if (f->series)
                render_series(out, f, f->series);
            continue;
        }
        unsigned long long cum = 0;
        for (int i = 0; i <= f->nbounds && f->buckets; i++) {
            cum += f->buckets[i];
            sb_buf_printf(out, "%s_bucket{le=\"", f->name);
            if (i < f->nbounds)
                number(out, f->bounds[i]);
            else
                sb_buf_puts(out, "+Inf");
            sb_buf_printf(out, "\"} %llu\n", cum);
        }
        sb_buf_printf(out, "%s_sum ", f->name);
        number(out, f->sum);
        sb_buf_printf(out, "\n%s_count %llu\n", f->name, f->count);
    }
}
