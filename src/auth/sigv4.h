/* sigv4.h - verification of AWS Signature Version 4 (AWS4-HMAC-SHA256) on a request, the
 * algorithm of the AWS documentation ("Create a signed AWS API request"), with OpenSSL's HMAC
 * and SHA-256. No I/O here. */
#ifndef SB_SIGV4_H
#define SB_SIGV4_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/auth.h"

/* The parts of an Authorization header "AWS4-HMAC-SHA256 Credential=ID/DATE/REGION/SERVICE/
 * aws4_request, SignedHeaders=a;b;c, Signature=HEX" (pointers into a copy in buf). */
typedef struct sb_sigv4_auth {
    char buf[1024];
    const char *key_id, *date, *region, *service, *signed_headers, *signature;
} sb_sigv4_auth;

/* Splits an Authorization header value; false when it is not a SigV4 header. */
bool sb_sigv4_parse(const char *header, sb_sigv4_auth *out);

/* Checks the request's signature with secret: SB_OK, or SB_EINVAL with why set (a missing
 * signed header, X-Amz-Date more than 5 minutes from r->now, a signature that does not match).
 * The comparison takes constant time. */
int sb_sigv4_verify(const sb_auth_request *r, const sb_sigv4_auth *a, const char *secret, char *why,
                    size_t why_size);

#endif
