/* dlq_store.c - the dead-letter streams as `signalbox dlq` reads them: one synchronous
 * connection, queue names, paged selections of entries, and times. */
#include "cli/dlq_store.h"

#include <ctype.h>
#include <errno.h>
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "pattern/pattern.h"

#define PAGE 200

/* ---- the connection ---- */

int sb_dlqcli_connect(sb_dlqcli_conn *conn, const sb_config *cfg, sb_error *err) {
    memset(conn, 0, sizeof *conn);
    sb_buf w;
    sb_buf_init(&w);
    sb_redis_url_redact(cfg->redis, &w);
    snprintf(conn->where, sizeof conn->where, "%s", w.data && !sb_buf_failed(&w) ? w.data : "?");
    sb_buf_free(&w);
    struct timeval tv = {5, 0};
    conn->c = cfg->redis_port ? redisConnectWithTimeout(cfg->redis_host, cfg->redis_port, tv)
                              : redisConnectUnixWithTimeout(cfg->redis_host, tv);
    if (!conn->c)
        return sb_error_set(err, SB_ENOMEM, "out of memory connecting to Redis");
    if (conn->c->err)
        return sb_error_set(err, SB_EIO, "cannot connect to Redis at %s: %s", conn->where,
                            conn->c->errstr);
    redisSetTimeout(conn->c, tv);
    if (cfg->redis_password) {
        const char *a[] = {"AUTH", cfg->redis_user ? cfg->redis_user : cfg->redis_password,
                           cfg->redis_password};
        redisReply *r = sb_dlqcli_cmd(conn, err, cfg->redis_user ? 3 : 2, a);
        if (!r)
            return err ? err->code : SB_EIO;
        freeReplyObject(r);
    }
    if (cfg->redis_db) {
        char db[16];
        snprintf(db, sizeof db, "%d", cfg->redis_db);
        const char *a[] = {"SELECT", db};
        redisReply *r = sb_dlqcli_cmd(conn, err, 2, a);
        if (!r)
            return err ? err->code : SB_EIO;
        freeReplyObject(r);
    }
    return SB_OK;
}

void sb_dlqcli_close(sb_dlqcli_conn *conn) {
    if (conn->c)
        redisFree(conn->c);
    conn->c = NULL;
}

redisReply *sb_dlqcli_cmd(sb_dlqcli_conn *conn, sb_error *err, int argc, const char **argv) {
    redisReply *r = redisCommandArgv(conn->c, argc, argv, NULL);
    if (!r) {
        sb_error_set(err, SB_EIO, "Redis at %s: %s failed: %s", conn->where, argv[0],
                     conn->c->errstr[0] ? conn->c->errstr : "no answer");
        return NULL;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        /* AUTH's arguments are secrets: only the command's name goes into the message */
        sb_error_set(err, SB_EIO, "Redis at %s answered %s with an error: %.*s", conn->where,
                     argv[0], (int)r->len, r->str);
        freeReplyObject(r);
        return NULL;
    }
    return r;
}

/* ---- queues ---- */

/* 1: key is a stream or an indexed queue; 0: neither, and *other says whether the key holds
 * something else (its type in type[]); <0: Redis failed. */
static int is_queue(sb_dlqcli_conn *conn, const char *key, char type[32], sb_error *err) {
    const char *t[] = {"TYPE", key};
    redisReply *r = sb_dlqcli_cmd(conn, err, 2, t);
    if (!r)
        return SB_EIO;
    snprintf(type, 32, "%s", r->type == REDIS_REPLY_STATUS ? r->str : "?");
    freeReplyObject(r);
    if (strcmp(type, "stream") == 0)
        return 1;
    if (strcmp(type, "none") != 0)
        return 0;
    const char *m[] = {"SISMEMBER", SB_DLQCLI_INDEX, key};
    r = sb_dlqcli_cmd(conn, err, 3, m);
    if (!r)
        return SB_EIO;
    int in = r->type == REDIS_REPLY_INTEGER && r->integer == 1;
    freeReplyObject(r);
    return in;
}

int sb_dlqcli_resolve(sb_dlqcli_conn *conn, const char *queue, char **key, sb_error *err) {
    *key = NULL;
    char type[32], short_type[32] = "none";
    int rc = is_queue(conn, queue, type, err);
    if (rc < 0)
        return rc;
    char *k = NULL;
    if (rc == 1) {
        k = strdup(queue);
    } else if (strncmp(queue, "signalbox:dlq:", 14) != 0) {
        size_t n = strlen(queue) + 15;
        char *alt = malloc(n);
        if (!alt)
            return sb_error_set(err, SB_ENOMEM, "out of memory");
        snprintf(alt, n, "signalbox:dlq:%s", queue);
        int rc2 = is_queue(conn, alt, short_type, err);
        if (rc2 == 1)
            k = alt;
        else
            free(alt);
        if (rc2 < 0)
            return rc2;
    }
    if (k) {
        *key = k;
        return SB_OK;
    }
    if (strcmp(type, "none") != 0)
        return sb_error_set(err, SB_EINVAL,
                            "\"%s\" in Redis at %s is a %s, not a dead-letter queue (a stream)",
                            queue, conn->where, type);
    return sb_error_set(err, SB_ENOTFOUND,
                        "no dead-letter queue \"%s\" in Redis at %s: no stream of that name (nor "
                        "signalbox:dlq:%s) and not in the set %s; `signalbox dlq list` shows "
                        "the queues",
                        queue, conn->where, queue, SB_DLQCLI_INDEX);
}

/* ---- entries ---- */

const char *sb_dlqcli_get(const sb_dlqcli_entry *e, const char *name, size_t *len) {
    for (size_t i = 0; i < e->nfields; i++)
        if (strcmp(e->fields[i].name, name) == 0) {
            if (len)
                *len = e->fields[i].len;
            return e->fields[i].value;
        }
    if (len)
        *len = 0;
    return NULL;
}

char *sb_dlqcli_dup(const sb_dlqcli_entry *e, const char *name) {
    size_t n;
    const char *v = sb_dlqcli_get(e, name, &n);
    char *s = malloc(n + 1);
    if (s) {
        if (n)
            memcpy(s, v, n);
        s[n] = '\0';
    }
    return s;
}

/* The two numbers of a stream id ("MS-SEQ"; "MS" alone has SEQ 0). */
static void split_id(const char *id, uint64_t *ms, uint64_t *seq) {
    char *end;
    *ms = strtoull(id, &end, 10);
    *seq = *end == '-' ? strtoull(end + 1, NULL, 10) : 0;
}

bool sb_dlqcli_valid_id(const char *s) {
    size_t a = strspn(s, "0123456789");
    if (a == 0 || a > 20)
        return false;
    if (!s[a])
        return true;
    if (s[a] != '-')
        return false;
    size_t b = strspn(s + a + 1, "0123456789");
    return b > 0 && b <= 20 && !s[a + 1 + b];
}

struct sb_dlqcli_scan {
    sb_dlqcli_conn *conn;
    const char *key;
    const sb_dlqcli_opts *opts;
    size_t limit, yielded, missing, next_id;
    bool done, truncated;
    char start[48], end[48]; /* range mode: the next XRANGE's bounds */
    sb_patterns *ps;
    sb_machine *machine;
    sb_matcher *matcher;
    redisReply **replies; /* of the current page */
    size_t nreplies;
    sb_dlqcli_entry *entries;
    size_t n, cap;
};

static void page_free(sb_dlqcli_scan *s) {
    for (size_t i = 0; i < s->nreplies; i++)
        freeReplyObject(s->replies[i]);
    s->nreplies = 0;
    for (size_t i = 0; i < s->n; i++)
        free(s->entries[i].fields);
    s->n = 0;
}

void sb_dlqcli_scan_free(sb_dlqcli_scan *s) {
    if (!s)
        return;
    page_free(s);
    free(s->replies);
    free(s->entries);
    sb_matcher_free(s->matcher);
    sb_machine_free(s->machine);
    sb_patterns_free(s->ps);
    free(s);
}

size_t sb_dlqcli_scan_missing(const sb_dlqcli_scan *s) {
    return s->missing;
}

bool sb_dlqcli_scan_truncated(const sb_dlqcli_scan *s) {
    return s->truncated;
}

static int compile_pattern(sb_dlqcli_scan *s, sb_error *err) {
    char *text;
    size_t len;
    if (sb_read_arg(s->opts->pattern, &text, &len) != 0)
        return sb_error_set(err, SB_EINVAL, "--pattern: cannot be read (see above)");
    int rc = SB_ENOMEM;
    s->ps = sb_patterns_new();
    if (s->ps) {
        rc = sb_patterns_add(s->ps, 0, text, len, "--pattern", err);
        if (rc == SB_OK) {
            s->machine = sb_machine_compile(s->ps, err);
            s->matcher = s->machine ? sb_matcher_new(s->machine) : NULL;
            rc = s->matcher ? SB_OK : sb_error_set(err, SB_ENOMEM, "out of memory");
        }
    } else {
        sb_error_set(err, rc, "out of memory");
    }
    free(text);
    return rc;
}

int sb_dlqcli_scan_new(sb_dlqcli_conn *conn, const char *key, const sb_dlqcli_opts *opts,
                       size_t limit, sb_dlqcli_scan **out, sb_error *err) {
    *out = NULL;
    sb_dlqcli_scan *s = calloc(1, sizeof *s);
    if (!s)
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    s->conn = conn;
    s->key = key;
    s->opts = opts;
    s->limit = limit;
    if (opts->pattern && compile_pattern(s, err) != SB_OK) {
        sb_dlqcli_scan_free(s);
        return err ? err->code : SB_EINVAL;
    }
    if (!opts->nids) {
        /* the range ends at the last entry there is now (or at --until, when earlier) */
        const char *a[] = {"XREVRANGE", key, "+", "-", "COUNT", "1"};
        redisReply *r = sb_dlqcli_cmd(conn, err, 6, a);
        if (!r) {
            sb_dlqcli_scan_free(s);
            return SB_EIO;
        }
        if (r->type != REDIS_REPLY_ARRAY || r->elements == 0 ||
            r->element[0]->type != REDIS_REPLY_ARRAY || r->element[0]->elements < 1) {
            s->done = true; /* empty (or gone) */
        } else {
            uint64_t ms, seq;
            split_id(r->element[0]->element[0]->str, &ms, &seq);
            if (opts->until_ms >= 0 && (uint64_t)opts->until_ms < ms)
                snprintf(s->end, sizeof s->end, "%" PRId64 "-18446744073709551615", opts->until_ms);
            else
                snprintf(s->end, sizeof s->end, "%" PRIu64 "-%" PRIu64, ms, seq);
        }
        freeReplyObject(r);
        if (opts->since_ms >= 0)
            snprintf(s->start, sizeof s->start, "%" PRId64 "-0", opts->since_ms);
        else
            snprintf(s->start, sizeof s->start, "-");
    }
    *out = s;
    return SB_OK;
}

/* Appends the entries of an XRANGE reply to the page. */
static int add_entries(sb_dlqcli_scan *s, redisReply *r, sb_error *err) {
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
        redisReply *e = r->element[i];
        if (e->type != REDIS_REPLY_ARRAY || e->elements < 2 ||
            e->element[0]->type != REDIS_REPLY_STRING)
            continue;
        if (s->n == s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 64;
            sb_dlqcli_entry *n = realloc(s->entries, cap * sizeof *n);
            if (!n)
                return sb_error_set(err, SB_ENOMEM, "out of memory");
            s->entries = n;
            s->cap = cap;
        }
        sb_dlqcli_entry *x = &s->entries[s->n];
        memset(x, 0, sizeof *x);
        x->id = e->element[0]->str;
        uint64_t ms, seq;
        split_id(x->id, &ms, &seq);
        x->ms = (int64_t)ms;
        redisReply *f = e->element[1];
        size_t nf = f->type == REDIS_REPLY_ARRAY ? f->elements / 2 : 0;
        x->fields = calloc(nf ? nf : 1, sizeof *x->fields);
        if (!x->fields)
            return sb_error_set(err, SB_ENOMEM, "out of memory");
        for (size_t j = 0; j < nf; j++) {
            redisReply *k = f->element[2 * j], *v = f->element[2 * j + 1];
            if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
                continue;
            x->fields[x->nfields++] = (sb_dlqcli_field){k->str, v->str, v->len};
        }
        s->n++;
    }
    return SB_OK;
}

static bool keep_reply(sb_dlqcli_scan *s, redisReply *r) {
    redisReply **n = realloc(s->replies, (s->nreplies + 1) * sizeof *n);
    if (!n)
        return false;
    s->replies = n;
    s->replies[s->nreplies++] = r;
    return true;
}

/* Reads the next batch of candidates (before the pattern) into the page. */
static int read_batch(sb_dlqcli_scan *s, sb_error *err) {
    if (s->opts->nids) {
        for (size_t k = 0; k < PAGE && s->next_id < s->opts->nids; k++) {
            const char *id = s->opts->ids[s->next_id++];
            const char *a[] = {"XRANGE", s->key, id, id};
            redisReply *r = sb_dlqcli_cmd(s->conn, err, 4, a);
            if (!r)
                return SB_EIO;
            if (!keep_reply(s, r)) {
                freeReplyObject(r);
                return sb_error_set(err, SB_ENOMEM, "out of memory");
            }
            if (r->type != REDIS_REPLY_ARRAY || r->elements == 0) {
                fprintf(stderr, "signalbox dlq %s: no entry %s in %s\n", s->opts->cmd, id, s->key);
                s->missing++;
                continue;
            }
            int rc = add_entries(s, r, err);
            if (rc != SB_OK)
                return rc;
        }
        s->done = s->next_id == s->opts->nids;
        return SB_OK;
    }
    char count[16];
    snprintf(count, sizeof count, "%d", PAGE);
    const char *a[] = {"XRANGE", s->key, s->start, s->end, "COUNT", count};
    redisReply *r = sb_dlqcli_cmd(s->conn, err, 6, a);
    if (!r)
        return SB_EIO;
    if (!keep_reply(s, r)) {
        freeReplyObject(r);
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    }
    int rc = add_entries(s, r, err);
    if (rc != SB_OK)
        return rc;
    if (r->type != REDIS_REPLY_ARRAY || r->elements < PAGE || s->n == 0)
        s->done = true;
    else
        snprintf(s->start, sizeof s->start, "(%s", s->entries[s->n - 1].id);
    return SB_OK;
}

static bool selected(sb_dlqcli_scan *s, const sb_dlqcli_entry *e) {
    if (!s->matcher)
        return true;
    size_t len;
    const char *kind = sb_dlqcli_get(e, "kind", NULL);
    const char *event = sb_dlqcli_get(e, "event", &len);
    if (!kind || strcmp(kind, "delivery") != 0 || !event)
        return false;
    const uint32_t *ids;
    sb_error merr;
    return sb_match(s->matcher, event, len, &ids, &merr) > 0;
}

int sb_dlqcli_scan_next(sb_dlqcli_scan *s, const sb_dlqcli_entry **entries, size_t *n,
                        sb_error *err) {
    page_free(s);
    *entries = NULL;
    *n = 0;
    bool full = s->limit && s->yielded >= s->limit;
    while (!s->done && (s->n == 0 || full)) {
        int rc = read_batch(s, err);
        if (rc != SB_OK)
            return rc;
        size_t kept = 0;
        for (size_t i = 0; i < s->n; i++) {
            sb_dlqcli_entry *e = &s->entries[i];
            bool take = selected(s, e);
            if (take && full) {
                s->truncated = true; /* one more than the limit: say so */
                take = false;
            }
            if (!take) {
                free(e->fields);
                continue;
            }
            s->entries[kept++] = *e;
            if (s->limit && s->yielded + kept == s->limit)
                full = true;
        }
        s->n = kept;
        if (s->truncated) {
            s->done = true;
            break;
        }
    }
    s->yielded += s->n;
    *entries = s->entries;
    *n = s->n;
    return SB_OK;
}

/* ---- times ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool digits(const char *s, int n, int *out) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

int sb_dlqcli_parse_time(const char *s, int64_t *ms) {
    size_t nd = strspn(s, "0123456789");
    if (nd > 0 && !s[nd]) {
        if (nd > 15) /* beyond the year 33000: surely a mistake */
            return SB_EINVAL;
        *ms = strtoll(s, NULL, 10);
        return SB_OK;
    }
    int y, mo, d, h = 0, mi = 0, sec = 0;
    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d))
        return SB_EINVAL;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
        return SB_EINVAL;
    const char *p = s + 10;
    int64_t frac = 0, offset_min = 0;
    if (*p) {
        if (*p != 'T' && *p != 't' && *p != ' ')
            return SB_EINVAL;
        if (!digits(p + 1, 2, &h) || p[3] != ':' || !digits(p + 4, 2, &mi) || p[6] != ':' ||
            !digits(p + 7, 2, &sec) || h > 23 || mi > 59 || sec > 60)
            return SB_EINVAL;
        p += 9;
        if (sec == 60) /* a leap second: the last moment of its minute */
            sec = 59, frac = 999;
        if (*p == '.') {
            size_t nf = strspn(p + 1, "0123456789");
            if (nf == 0)
                return SB_EINVAL;
            int scale = 100;
            for (size_t i = 0; i < nf && i < 3; i++, scale /= 10)
                frac += (p[1 + i] - '0') * scale;
            p += 1 + nf;
        }
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int oh, om;
            if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 ||
                om > 59)
                return SB_EINVAL;
            offset_min = (*p == '-' ? -1 : 1) * (oh * 60 + om);
            p += 6;
        } else {
            return SB_EINVAL; /* RFC 3339 needs the offset */
        }
        if (*p)
            return SB_EINVAL;
    }
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
    if (secs < 0)
        return SB_EINVAL; /* before 1970: no stream entry is that old */
    *ms = secs * 1000 + frac;
    return SB_OK;
}

void sb_dlqcli_format_time(int64_t ms, char out[32]) {
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (ms < 0 || !gmtime_r(&t, &tm)) {
        snprintf(out, 32, "-");
        return;
    }
    char buf[96]; /* room for any year gmtime_r can give, for the compiler's sake */
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
    size_t n = strlen(buf) < 31 ? strlen(buf) : 31;
    memcpy(out, buf, n);
    out[n] = '\0';
}
