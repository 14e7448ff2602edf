/* aws_keys.h - one set of AWS credentials, and where they come from when they are in files:
 * the shared credentials file (~/.aws/credentials) and the config file (~/.aws/config).
 *
 * The secret and the session token are secrets: they never go to logs or error messages, and
 * sb_aws_keys_clear zeroes them before freeing. */
#ifndef SB_AWS_KEYS_H
#define SB_AWS_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/status.h"

typedef struct sb_aws_keys {
    char *access_key_id;
    char *secret_access_key;
    char *session_token; /* NULL without one */
    time_t expires;      /* wall clock seconds; 0 when they do not expire */
} sb_aws_keys;

/* Zeroes and frees the strings of k and clears it. NULL is a no-op. */
void sb_aws_keys_clear(sb_aws_keys *k);

/* Copies src into dst (dst's old strings are cleared first). SB_OK or SB_ENOMEM (dst empty). */
int sb_aws_keys_copy(sb_aws_keys *dst, const sb_aws_keys *src);

/* Reads the keys of `profile` from INI text[0..len) as the AWS CLI writes it: sections
 * "[NAME]" in a credentials file, "[profile NAME]" (or "[default]") in a config file
 * (config_file true); keys aws_access_key_id, aws_secret_access_key and aws_session_token; '#'
 * and ';' start comments; names and values are trimmed. Fills out (clear it after) and returns
 * SB_OK; SB_ENOTFOUND when the profile is not there or holds no key id; SB_EINVAL (err says
 * which profile and what is missing, never a value) when it has a key id without a secret, or
 * out of memory as SB_ENOMEM. */
int sb_aws_keys_from_ini(const char *text, size_t len, const char *profile, bool config_file,
                         sb_aws_keys *out, sb_error *err);

/* Reads the keys of the container credentials endpoint's answer (JSON: AccessKeyId,
 * SecretAccessKey, Token, Expiration as "YYYY-MM-DDTHH:MM:SSZ"). SB_OK with out filled, or
 * SB_EINVAL with err (no value quoted) when a field is missing or malformed. */
int sb_aws_keys_from_json(const char *text, size_t len, sb_aws_keys *out, sb_error *err);

/* Parses an ISO 8601 UTC time ("2024-05-01T12:00:00Z", fractional seconds and "+00:00"
 * allowed) into *t. SB_OK or SB_EINVAL. */
int sb_aws_parse_time(const char *s, time_t *t);

#endif
