/* metrics.c - families, series (found through a per-family hash table that readers walk
 * without a lock), atomic values, and the text exposition format. */
#include "core/metrics.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef enum { KIND_COUNTER, KIND_GAUGE, KIND_HISTOGRAM } kind;

#define TABLE_SIZE 256 /* hash chains of a family with labels (one without) */

struct sb_series {
    sb_family *family;
    uint64_t hash;
    char *values[SB_METRICS_MAX_LABELS];
    _Atomic uint64_t value;     /* the bits of a double: counter, gauge, or histogram sum */
    _Atomic uint64_t *buckets;  /* histogram: nbounds + 1 counts (not cumulative) */
    _Atomic(sb_series *) chain; /* next in the same hash chain */
    _Atomic(sb_series *) next;  /* next created */
};

struct sb_family {
    sb_metrics *registry;
    kind kind;
    char *name, *help;
    int nlabels;
    char *labels[SB_METRICS_MAX_LABELS];
    double *bounds; /* histogram */
    int nbounds;
    sb_buf le;     /* the bounds as le label values, each NUL-terminated ... */
    size_t *le_at; /* ... starting at these offsets */
    size_t table_size;
    _Atomic(sb_series *) *table;
    _Atomic(sb_series *) first; /* creation order; appended under the registry's lock */
    sb_series *last;
    size_t nseries;
    sb_family *next;
};

struct sb_metrics {
    pthread_mutex_t lock; /* family registration, series creation, rendering */
    sb_family *first, *last;
};

const double sb_metrics_latency_buckets[SB_METRICS_LATENCY_NBUCKETS] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

/* ---- atomic doubles ---- */

static uint64_t bits(double v) {
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return u;
}

static double value_of(uint64_t u) {
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

static void atomic_add_double(_Atomic uint64_t *p, double v) {
    uint64_t old = atomic_load_explicit(p, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(p, &old, bits(value_of(old) + v),
                                                  memory_order_relaxed, memory_order_relaxed))
        ;
}

/* ---- registry and families ---- */

sb_metrics *sb_metrics_new(void) {
    sb_metrics *m = calloc(1, sizeof *m);
    if (m && pthread_mutex_init(&m->lock, NULL) != 0) {
        free(m);
        return NULL;
    }
    return m;
}

static void free_series(sb_series *s, int nlabels) {
    for (int i = 0; i < nlabels; i++)
        free(s->values[i]);
    free(s->buckets);
    free(s);
}

static void free_family(sb_family *f) {
    sb_series *s = atomic_load(&f->first);
    while (s) {
        sb_series *next = atomic_load(&s->next);
        free_series(s, f->nlabels);
        s = next;
    }
    for (int i = 0; i < f->nlabels; i++)
        free(f->labels[i]);
    free(f->name);
    free(f->help);
    free(f->bounds);
    sb_buf_free(&f->le);
    free(f->le_at);
    free(f->table);
    free(f);
}

void sb_metrics_free(sb_metrics *m) {
    if (!m)
        return;
    sb_family *f = m->first;
    while (f) {
        sb_family *next = f->next;
        free_family(f);
        f = next;
    }
    pthread_mutex_destroy(&m->lock);
    free(m);
}

static bool valid_name(const char *s, bool colons) {
    if (!s || !*s || (!colons && s[0] == '_' && s[1] == '_'))
        return false;
    for (const char *p = s; *p; p++) {
        bool alpha = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
                     (colons && *p == ':');
        if (!alpha && !(p > s && *p >= '0' && *p <= '9'))
            return false;
    }
    return true;
}

static bool valid_labels(kind k, int nlabels, const char *const *labels) {
    if (nlabels < 0 || nlabels > SB_METRICS_MAX_LABELS || (nlabels > 0 && !labels))
        return false;
    for (int i = 0; i < nlabels; i++) {
        if (!valid_name(labels[i], false) || (k == KIND_HISTOGRAM && !strcmp(labels[i], "le")))
            return false;
        for (int j = 0; j < i; j++)
            if (strcmp(labels[i], labels[j]) == 0)
                return false;
    }
    return true;
}

static bool valid_bounds(const double *bounds, int nbounds) {
    if (nbounds < 0 || (nbounds > 0 && !bounds))
        return false;
    for (int i = 0; i < nbounds; i++)
        if (!isfinite(bounds[i]) || (i > 0 && !(bounds[i] > bounds[i - 1])))
            return false;
    return true;
}

static sb_series *new_series(sb_family *f, const char *const *values, uint64_t hash);
static uint64_t hash_values(const sb_family *f, const char *const *values);
static void number(sb_buf *b, double v);

/* Copies the bounds and writes their le texts once. */
static bool set_bounds(sb_family *f, const double *bounds, int nbounds) {
    f->nbounds = nbounds;
    f->bounds = malloc(((size_t)nbounds + 1) * sizeof *f->bounds);
    f->le_at = malloc(((size_t)nbounds + 1) * sizeof *f->le_at);
    if (!f->bounds || !f->le_at)
        return false;
    for (int i = 0; i < nbounds; i++) {
        f->bounds[i] = bounds[i];
        f->le_at[i] = f->le.len;
        number(&f->le, bounds[i]);
        sb_buf_putc(&f->le, '\0');
    }
    return !sb_buf_failed(&f->le);
}

static sb_family *family(sb_metrics *m, kind k, const char *name, const char *help, int nlabels,
                         const char *const *labels, const double *bounds, int nbounds) {
    if (!m || !valid_name(name, true) || !valid_labels(k, nlabels, labels) ||
        (k == KIND_HISTOGRAM && !valid_bounds(bounds, nbounds)))
        return NULL;
    sb_family *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->registry = m;
    f->kind = k;
    f->nlabels = nlabels;
    f->name = strdup(name);
    f->help = strdup(help ? help : "");
    bool ok = f->name && f->help;
    for (int i = 0; i < nlabels; i++)
        ok = (f->labels[i] = strdup(labels[i])) && ok;
    f->table_size = nlabels ? TABLE_SIZE : 1;
    f->table = calloc(f->table_size, sizeof *f->table);
    sb_buf_init(&f->le);
    if (k == KIND_HISTOGRAM)
        ok = set_bounds(f, bounds, nbounds) && ok;
    if (!ok || !f->table) {
        free_family(f);
        return NULL;
    }
    pthread_mutex_lock(&m->lock);
    bool taken = false;
    for (sb_family *g = m->first; g && !taken; g = g->next)
        taken = strcmp(g->name, name) == 0;
    if (!taken && nlabels == 0) /* the one series, there from the start */
        ok = new_series(f, NULL, hash_values(f, NULL)) != NULL;
    if (!taken && ok) {
        if (m->last)
            m->last->next = f;
        else
            m->first = f;
        m->last = f;
    }
    pthread_mutex_unlock(&m->lock);
    if (taken || !ok) {
        free_family(f);
        return NULL;
    }
    return f;
}

sb_family *sb_metrics_counter(sb_metrics *m, const char *name, const char *help, int nlabels,
                              const char *const *labels) {
    return family(m, KIND_COUNTER, name, help, nlabels, labels, NULL, 0);
}

sb_family *sb_metrics_gauge(sb_metrics *m, const char *name, const char *help, int nlabels,
                            const char *const *labels) {
    return family(m, KIND_GAUGE, name, help, nlabels, labels, NULL, 0);
}

sb_family *sb_metrics_histogram_vec(sb_metrics *m, const char *name, const char *help, int nlabels,
                                    const char *const *labels, const double *bounds, int nbounds) {
    return family(m, KIND_HISTOGRAM, name, help, nlabels, labels, bounds, nbounds);
}

sb_family *sb_metrics_histogram(sb_metrics *m, const char *name, const char *help,
                                const double *bounds, int nbounds) {
    return family(m, KIND_HISTOGRAM, name, help, 0, NULL, bounds, nbounds);
}

/* ---- series ---- */

/* FNV-1a over the values, each with its terminating NUL. */
static uint64_t hash_values(const sb_family *f, const char *const *values) {
    uint64_t h = 0xcbf29ce484222325u;
    for (int i = 0; i < f->nlabels; i++) {
        const char *v = values[i] ? values[i] : "";
        do {
            h = (h ^ (unsigned char)*v) * 0x100000001b3u;
        } while (*v++);
    }
    return h;
}

static bool same_values(const sb_family *f, const sb_series *s, const char *const *values) {
    for (int i = 0; i < f->nlabels; i++)
        if (strcmp(s->values[i], values[i] ? values[i] : "") != 0)
            return false;
    return true;
}

static sb_series *lookup(sb_family *f, const char *const *values, uint64_t hash) {
    sb_series *s = atomic_load_explicit(&f->table[hash % f->table_size], memory_order_acquire);
    for (; s; s = atomic_load_explicit(&s->chain, memory_order_acquire))
        if (s->hash == hash && same_values(f, s, values))
            return s;
    return NULL;
}

/* Creates and publishes a series; the registry's lock is held. */
static sb_series *new_series(sb_family *f, const char *const *values, uint64_t hash) {
    if (f->nseries >= SB_METRICS_MAX_SERIES)
        return NULL;
    sb_series *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->family = f;
    s->hash = hash;
    bool ok = true;
    for (int i = 0; i < f->nlabels; i++)
        ok = (s->values[i] = strdup(values[i] ? values[i] : "")) && ok;
    if (f->kind == KIND_HISTOGRAM)
        ok = (s->buckets = calloc((size_t)f->nbounds + 1, sizeof *s->buckets)) && ok;
    if (!ok) {
        free_series(s, f->nlabels);
        return NULL;
    }
    _Atomic(sb_series *) *head = &f->table[hash % f->table_size];
    atomic_store_explicit(&s->chain, atomic_load_explicit(head, memory_order_relaxed),
                          memory_order_relaxed);
    atomic_store_explicit(head, s, memory_order_release);
    if (f->last)
        atomic_store_explicit(&f->last->next, s, memory_order_release);
    else
        atomic_store_explicit(&f->first, s, memory_order_release);
    f->last = s;
    f->nseries++;
    return s;
}

sb_series *sb_metric_series(sb_family *f, const char *const *values) {
    if (!f || (f->nlabels > 0 && !values))
        return NULL;
    uint64_t hash = hash_values(f, values);
    sb_series *s = lookup(f, values, hash);
    if (s)
        return s;
    pthread_mutex_lock(&f->registry->lock);
    s = lookup(f, values, hash); /* another thread may have created it meanwhile */
    if (!s)
        s = new_series(f, values, hash);
    pthread_mutex_unlock(&f->registry->lock);
    return s;
}

void sb_series_add(sb_series *s, double v) {
    if (!s || s->family->kind == KIND_HISTOGRAM || (s->family->kind == KIND_COUNTER && !(v >= 0)))
        return;
    atomic_add_double(&s->value, v);
}

void sb_series_inc(sb_series *s) {
    sb_series_add(s, 1);
}

void sb_series_set(sb_series *s, double v) {
    if (s && s->family->kind == KIND_GAUGE)
        atomic_store_explicit(&s->value, bits(v), memory_order_relaxed);
}

void sb_series_observe(sb_series *s, double v) {
    if (!s || s->family->kind != KIND_HISTOGRAM || isnan(v))
        return;
    const sb_family *f = s->family;
    int i = 0;
    while (i < f->nbounds && v > f->bounds[i])
        i++;
    atomic_fetch_add_explicit(&s->buckets[i], 1, memory_order_relaxed);
    atomic_add_double(&s->value, v);
}

void sb_metric_add(sb_family *f, const char *const *values, double v) {
    sb_series_add(sb_metric_series(f, values), v);
}

void sb_metric_set(sb_family *f, const char *const *values, double v) {
    sb_series_set(sb_metric_series(f, values), v);
}

void sb_metric_observe(sb_family *f, const char *const *values, double v) {
    sb_series_observe(sb_metric_series(f, values), v);
}

void sb_histogram_observe(sb_family *f, double v) {
    sb_metric_observe(f, NULL, v);
}

/* ---- the text format ---- */

/* HELP text escapes backslash and newline; label values also the double quote. */
static void escaped(sb_buf *b, const char *v, bool quote) {
    for (; *v; v++) {
        if (*v == '\\')
            sb_buf_puts(b, "\\\\");
        else if (*v == '\n')
            sb_buf_puts(b, "\\n");
        else if (*v == '"' && quote)
            sb_buf_puts(b, "\\\"");
        else
            sb_buf_putc(b, *v);
    }
}

static void number(sb_buf *b, double v) {
    if (isnan(v))
        sb_buf_puts(b, "NaN");
    else if (isinf(v))
        sb_buf_puts(b, v > 0 ? "+Inf" : "-Inf");
    else
        sb_buf_json_double(b, v); /* shortest form that reads back the same */
}

/* name{a="x",b="y"[,le="..."]} for series s (le: NULL for none, else the bound's text). */
static void sample_name(sb_buf *b, const sb_family *f, const sb_series *s, const char *suffix,
                        const char *le) {
    sb_buf_puts(b, f->name);
    sb_buf_puts(b, suffix);
    if (f->nlabels == 0 && !le)
        return;
    sb_buf_putc(b, '{');
    for (int i = 0; i < f->nlabels; i++) {
        sb_buf_printf(b, "%s%s=\"", i ? "," : "", f->labels[i]);
        escaped(b, s->values[i], true);
        sb_buf_putc(b, '"');
    }
    if (le)
        sb_buf_printf(b, "%sle=\"%s\"", f->nlabels ? "," : "", le);
    sb_buf_putc(b, '}');
}

/* _count is the sum of the buckets read here, so that it always equals the +Inf bucket. */
static void render_histogram(sb_buf *b, const sb_family *f, const sb_series *s) {
    uint64_t cum = 0;
    for (int i = 0; i <= f->nbounds; i++) {
        cum += atomic_load_explicit(&s->buckets[i], memory_order_relaxed);
        sample_name(b, f, s, "_bucket", i < f->nbounds ? f->le.data + f->le_at[i] : "+Inf");
        sb_buf_printf(b, " %llu\n", (unsigned long long)cum);
    }
    sample_name(b, f, s, "_sum", NULL);
    sb_buf_putc(b, ' ');
    number(b, value_of(atomic_load_explicit(&s->value, memory_order_relaxed)));
    sb_buf_putc(b, '\n');
    sample_name(b, f, s, "_count", NULL);
    sb_buf_printf(b, " %llu\n", (unsigned long long)cum);
}

void sb_metrics_render(sb_metrics *m, sb_buf *out) {
    static const char *const kinds[] = {"counter", "gauge", "histogram"};
    if (!m)
        return;
    pthread_mutex_lock(&m->lock);
    for (const sb_family *f = m->first; f; f = f->next) {
        sb_buf_printf(out, "# HELP %s ", f->name);
        escaped(out, f->help, false);
        sb_buf_printf(out, "\n# TYPE %s %s\n", f->name, kinds[f->kind]);
        for (const sb_series *s = atomic_load(&f->first); s; s = atomic_load(&s->next)) {
            if (f->kind == KIND_HISTOGRAM) {
                render_histogram(out, f, s);
                continue;
            }
            sample_name(out, f, s, "", NULL);
            sb_buf_putc(out, ' ');
            number(out, value_of(atomic_load_explicit(&s->value, memory_order_relaxed)));
            sb_buf_putc(out, '\n');
        }
    }
    pthread_mutex_unlock(&m->lock);
}
