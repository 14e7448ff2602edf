/* aws_creds.h - where SQS and SNS targets get their AWS credentials, as the AWS SDKs look for
 * them, first found wins:
 *   1. the environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN;
 *   2. the shared files: AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials), then
 *      AWS_CONFIG_FILE (default ~/.aws/config), profile AWS_PROFILE (default "default");
 *   3. the container credentials endpoint: AWS_CONTAINER_CREDENTIALS_FULL_URI, or
 *      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI under http://169.254.170.2 (ECS), with the
 *      Authorization header from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read at each fetch,
 *      as EKS Pod Identity rotates it) or AWS_CONTAINER_AUTHORIZATION_TOKEN. These are fetched
 *      on the event loop and fetched again before they expire (at the latest five minutes
 *      before, earlier for short-lived ones), or at once when a service says they expired.
 *
 * One provider serves every target of a process (per event loop): sb_aws_creds_acquire makes
 * it on first use and counts references. Runs on the event loop's thread only. Secrets never
 * go to logs or error messages. */
#ifndef SB_AWS_CREDS_H
#define SB_AWS_CREDS_H

#include "core/status.h"
#include "target/aws_keys.h"
#include "target/http_client.h"

struct event_base;

typedef struct sb_aws_creds sb_aws_creds;

/* The provider of base (made on first use, from the environment as described above), with one
 * more reference. http carries the container endpoint's requests, timeout_ms bounds each.
 * Returns NULL with err when no source has credentials (naming what was looked at), a file
 * names a profile without a secret, a container URI is not allowed, or out of memory. */
sb_aws_creds *sb_aws_creds_acquire(struct event_base *base, sb_http_client *http, long timeout_ms,
                                   sb_error *err);

/* Drops a reference; the last one frees the provider (its fetch in flight, if any, finishes
 * into nothing). NULL is a no-op. */
void sb_aws_creds_release(sb_aws_creds *p);

/* The credentials to sign with now (borrowed until control returns to the event loop), or
 * NULL when there are none: the first fetch is running, or the last one failed and the
 * previous credentials have expired; then *why (if not NULL) says which, and a fetch is
 * started unless one runs. */
const sb_aws_keys *sb_aws_creds_current(sb_aws_creds *p, const char **why);

/* True while a fetch runs whose end sb_aws_creds_wait can wait for. */
bool sb_aws_creds_fetching(const sb_aws_creds *p);

typedef void (*sb_aws_creds_ready)(void *arg);

/* Calls ready(arg) once when the fetch that runs now ends, well or not (then look at
 * sb_aws_creds_current again). One registration per arg: registering arg again is a no-op.
 * SB_OK or SB_ENOMEM. */
int sb_aws_creds_wait(sb_aws_creds *p, sb_aws_creds_ready ready, void *arg);

/* Forgets the registration of arg (a target going away). */
void sb_aws_creds_cancel(sb_aws_creds *p, void *arg);

/* A service answered that the credentials expired (ExpiredToken): refreshable ones are
 * fetched again now. No effect on credentials from the environment or files. */
void sb_aws_creds_expired(sb_aws_creds *p);

/* Where the credentials come from: "environment", "profile NAME", "container endpoint". */
const char *sb_aws_creds_source(const sb_aws_creds *p);

#endif
