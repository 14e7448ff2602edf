/* dlq_store.h - what `signalbox dlq` reads and changes in Redis: the dead-letter streams the
 * router writes (delivery/deadletter.h; the format is in docs/dlq.md), read through one
 * synchronous hiredis connection (a command-line tool has nothing else to do meanwhile).
 *
 * Also the tool's small shared pieces: its options, times (RFC 3339 or epoch milliseconds),
 * and the selection of entries (ids, a time range, an event pattern, a count) that `show`
 * and `redrive` share. Not for use outside src/cli/dlq*.c. */
#ifndef SB_CLI_DLQ_STORE_H
#define SB_CLI_DLQ_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/status.h"

struct redisContext;
struct redisReply;
struct sb_matcher;
struct sb_machine;

/* ---- the options of the subcommands ---- */

typedef struct sb_dlqcli_opts {
    const char *cmd;   /* "list", "show", "redrive" or "purge" */
    const char *queue; /* the QUEUE argument, NULL for list */
    bool json;         /* --format json */
    bool compact;      /* show --compact: events on one line */
    bool all;          /* redrive --all */
    bool dry_run;      /* redrive --dry-run */
    bool yes;          /* purge --yes */
    long count;        /* show --count N (default 100; 0: all) */
    const char *since, *until;
    int64_t since_ms, until_ms; /* -1 when not given */
    char **ids;                 /* --id, each checked to be a stream entry id */
    size_t nids;
    const char *pattern; /* --pattern JSON or @FILE, NULL for none */
    long parallel;       /* redrive --parallel N: deliveries in flight at once (default 1) */
    long max_failures;   /* redrive --max-failures N: stop after N failures in a row (0: never) */
} sb_dlqcli_opts;

/* ---- the connection ---- */

/* One synchronous connection, with the URL it was made to (password redacted) for messages. */
typedef struct sb_dlqcli_conn {
    struct redisContext *c;
    char where[300]; /* "redis://127.0.0.1:6379" with the password as *** */
} sb_dlqcli_conn;

/* Connects to the Redis server of cfg (redis_host, redis_port, user, password, db), with a
 * 5 s timeout for the connection and each command, and authenticates and selects the
 * database. Returns SB_OK, or SB_EIO with err saying where and why (never the password).
 * conn must be closed with sb_dlqcli_close in every case. */
int sb_dlqcli_connect(sb_dlqcli_conn *conn, const sb_config *cfg, sb_error *err);

/* Closes the connection (a closed or never opened one is a no-op). */
void sb_dlqcli_close(sb_dlqcli_conn *conn);

/* Runs one command of argc NUL-terminated arguments. Returns the reply (the caller frees it with
 * freeReplyObject), or NULL with err set when the connection failed or Redis answered with an
 * error. */
struct redisReply *sb_dlqcli_cmd(sb_dlqcli_conn *conn, sb_error *err, int argc, const char **argv);

/* ---- queues ---- */

/* The set of every dead-letter stream (delivery/deadletter.h). */
#define SB_DLQCLI_INDEX "signalbox:dlqs"

/* Finds the stream of the QUEUE argument: the key itself when it is a stream or a member of
 * signalbox:dlqs, else "signalbox:dlq:QUEUE" (the RULE:TARGET shorthand) under the same
 * conditions. Writes the key (malloc'd) to *key. Returns SB_OK; SB_ENOTFOUND with err when
 * there is no such queue; SB_EINVAL when the key holds something that is not a stream; SB_EIO
 * when Redis failed. A queue in the index whose stream is gone counts as an empty queue. */
int sb_dlqcli_resolve(sb_dlqcli_conn *conn, const char *queue, char **key, sb_error *err);

/* ---- entries ---- */

typedef struct sb_dlqcli_field {
    const char *name;
    const char *value; /* binary safe: use len */
    size_t len;
} sb_dlqcli_field;

/* One stream entry; its strings point into the reply it was read from. */
typedef struct sb_dlqcli_entry {
    const char *id;
    int64_t ms; /* the time part of the id: when the router wrote it */
    sb_dlqcli_field *fields;
    size_t nfields;
} sb_dlqcli_entry;

/* The value of field name of e (NULL when e has none) and its length in *len (may be NULL). */
const char *sb_dlqcli_get(const sb_dlqcli_entry *e, const char *name, size_t *len);

/* Like sb_dlqcli_get, as a malloc'd NUL-terminated copy ("" when absent); NULL when out of
 * memory. */
char *sb_dlqcli_dup(const sb_dlqcli_entry *e, const char *name);

/* A selection of the entries of one stream, read a page at a time: the entries of ids when
 * opts->nids, else those from since to until (both inclusive, to the millisecond; bounded by
 * the last entry there was when the scan began, so that dead letters written meanwhile - by a
 * redrive - are not selected again), in stream order; then, with a pattern, only kind=delivery
 * entries whose event it matches; at most `limit` of them (0: no limit). */
typedef struct sb_dlqcli_scan sb_dlqcli_scan;

/* Starts a scan of key with opts' selection (opts and key are borrowed for the scan's life;
 * limit as above). Compiles the pattern: SB_EINVAL with err ("--pattern:1:5: ...") when it is
 * invalid. Returns SB_OK with *out set, or an error. */
int sb_dlqcli_scan_new(sb_dlqcli_conn *conn, const char *key, const sb_dlqcli_opts *opts,
                       size_t limit, sb_dlqcli_scan **out, sb_error *err);

/* Reads the next page: *entries points at *n entries (n is 0 at the end) valid until the next
 * call or sb_dlqcli_scan_free. Ids asked for that do not exist are reported on stderr and
 * counted (sb_dlqcli_scan_missing). Returns SB_OK, or SB_EIO/SB_ENOMEM with err. */
int sb_dlqcli_scan_next(sb_dlqcli_scan *s, const sb_dlqcli_entry **entries, size_t *n,
                        sb_error *err);

/* How many asked-for ids did not exist (so far). */
size_t sb_dlqcli_scan_missing(const sb_dlqcli_scan *s);

/* True when the limit stopped the scan while more entries were selected. */
bool sb_dlqcli_scan_truncated(const sb_dlqcli_scan *s);

/* Frees the scan and its current page. NULL is a no-op. */
void sb_dlqcli_scan_free(sb_dlqcli_scan *s);

/* ---- times ---- */

/* Parses an RFC 3339 time ("2026-11-26T22:32:08Z", with a fraction and/or a +HH:MM offset;
 * a date alone is its midnight UTC) or a decimal number of epoch milliseconds into *ms.
 * SB_OK or SB_EINVAL. */
int sb_dlqcli_parse_time(const char *s, int64_t *ms);

/* Writes epoch milliseconds as RFC 3339 UTC with milliseconds ("2026-11-26T22:32:08.123Z"). */
void sb_dlqcli_format_time(int64_t ms, char out[32]);

/* True when s is a stream entry id: MS or MS-SEQ, decimal. */
bool sb_dlqcli_valid_id(const char *s);

/* ---- output ---- */

/* Appends s[0..n) for a terminal: printable text and UTF-8 as they are, \n, \t and \\ as
 * escapes, every other byte as \xNN, so that a value can neither break the layout nor send
 * control sequences. */
void sb_dlqcli_put_text(sb_buf *b, const char *s, size_t n);

/* Appends entry e: as text (its id and time, then "  name: value" lines, the event last,
 * indented JSON unless compact) or, when json, as one JSON object ("id", "time", every field
 * as a string but "event", which is the event itself, and raw_base64/key_base64 beside the
 * possibly binary raw and key of a poison message). */
void sb_dlqcli_put_entry(sb_buf *b, const sb_dlqcli_entry *e, bool json, bool compact);

/* ---- the subcommands that need more than one file ---- */

/* `signalbox dlq redrive`: delivers the selected entries of stream key again (after
 * sb_dlqcli_resolve) through the rules of cfg->rules, and removes each whose delivery finished
 * (delivered, or dead-lettered anew); with opts->dry_run only says what it would do. Prints a
 * line per entry and a summary on stdout. Returns the exit status: 0 all redriven, 1 some
 * failed (or were not tried, or not found), 2 the rules or the setup are wrong. */
int sb_dlqcli_redrive(const sb_dlqcli_opts *opts, const sb_config *cfg, sb_dlqcli_conn *conn,
                      const char *key);

#endif
