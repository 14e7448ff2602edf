/* sigv4.c - AWS Signature Version 4, recomputed from the request and compared. */
#define _GNU_SOURCE /* timegm, strptime */
#include "auth/sigv4.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"

#define MAX_SKEW_S (5 * 60)

bool sb_sigv4_parse(const char *header, sb_sigv4_auth *out) {
    static const char algo[] = "AWS4-HMAC-SHA256 ";
    memset(out, 0, sizeof *out);
    if (!header || strncmp(header, algo, sizeof algo - 1) != 0 || strlen(header) >= sizeof out->buf)
        return false;
    snprintf(out->buf, sizeof out->buf, "%s", header + sizeof algo - 1);
    char *save = NULL;
    for (char *part = strtok_r(out->buf, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
        while (*part == ' ')
            part++;
        if (strncmp(part, "Credential=", 11) == 0) {
            /* ID/DATE/REGION/SERVICE/aws4_request */
            char *f[5] = {part + 11};
            int n = 1;
            for (char *p = part + 11; *p && n < 5; p++)
                if (*p == '/') {
                    *p = '\0';
                    f[n++] = p + 1;
                }
            if (n != 5 || strcmp(f[4], "aws4_request") != 0)
                return false;
            out->key_id = f[0];
            out->date = f[1];
            out->region = f[2];
            out->service = f[3];
        } else if (strncmp(part, "SignedHeaders=", 14) == 0) {
            out->signed_headers = part + 14;
        } else if (strncmp(part, "Signature=", 10) == 0) {
            out->signature = part + 10;
        }
    }
    return out->key_id && out->signed_headers && out->signature && *out->key_id;
}

static void hex(const unsigned char *md, size_t n, char *out) {
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void sha256_hex(const void *data, size_t len, char out[65]) {
    unsigned char md[32];
    unsigned int n = 0;
    EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
    hex(md, 32, out);
}

static void hmac(const void *key, size_t klen, const char *msg, unsigned char out[32]) {
    unsigned int n = 32;
    HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, strlen(msg), out, &n);
}

/* A header value as canonical: leading and trailing spaces trimmed, runs of spaces one. */
static void put_trimmed(sb_buf *b, const char *v) {
    while (*v == ' ' || *v == '\t')
        v++;
    size_t n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    bool space = false;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == ' ' || v[i] == '\t') {
            space = true;
            continue;
        }
        if (space)
            sb_buf_putc(b, ' ');
        space = false;
        sb_buf_putc(b, v[i]);
    }
}

/* X-Amz-Date (20261126T170000Z) as a time; -1 when malformed. */
static time_t amz_time(const char *s) {
    struct tm tm = {0};
    const char *end = s ? strptime(s, "%Y%m%dT%H%M%SZ", &tm) : NULL;
    return end && !*end ? timegm(&tm) : (time_t)-1;
}

int sb_sigv4_verify(const sb_auth_request *r, const sb_sigv4_auth *a, const char *secret, char *why,
                    size_t why_size) {
    const char *amz_date = r->header(r->header_arg, "X-Amz-Date");
    time_t t = amz_time(amz_date);
    if (t == (time_t)-1) {
        snprintf(why, why_size, "X-Amz-Date is missing or malformed (20261126T170000Z)");
        return SB_EINVAL;
    }
    if (t > r->now + MAX_SKEW_S || t < r->now - MAX_SKEW_S) {
        snprintf(why, why_size,
                 "Signature expired: X-Amz-Date %s is more than 5 minutes from the server's "
                 "clock",
                 amz_date);
        return SB_EINVAL;
    }
    if (strncmp(amz_date, a->date, 8) != 0) {
        snprintf(why, why_size, "the credential scope's date does not match X-Amz-Date");
        return SB_EINVAL;
    }
    /* the canonical request */
    sb_buf c;
    sb_buf_init(&c);
    sb_buf_printf(&c, "%s\n%s\n%s\n", r->method, r->path, r->query ? r->query : "");
    char names[512];
    snprintf(names, sizeof names, "%s", a->signed_headers);
    char *save = NULL;
    int rc = SB_OK;
    for (char *h = strtok_r(names, ";", &save); h; h = strtok_r(NULL, ";", &save)) {
        const char *v = r->header(r->header_arg, h);
        if (!v) {
            snprintf(why, why_size, "the signed header %.64s is not in the request", h);
            rc = SB_EINVAL;
            break;
        }
        for (const char *p = h; *p; p++)
            sb_buf_putc(&c, (char)tolower((unsigned char)*p));
        sb_buf_putc(&c, ':');
        put_trimmed(&c, v);
        sb_buf_putc(&c, '\n');
    }
    char payload_hash[65];
    const char *declared = r->header(r->header_arg, "X-Amz-Content-Sha256");
    sha256_hex(r->body, r->body_len, payload_hash);
    if (rc == SB_OK && declared && strcmp(declared, "UNSIGNED-PAYLOAD") != 0 &&
        strcmp(declared, payload_hash) != 0) {
        snprintf(why, why_size, "X-Amz-Content-Sha256 does not match the body");
        rc = SB_EINVAL;
    }
    sb_buf_printf(&c, "\n%s\n%s", a->signed_headers,
                  declared && strcmp(declared, "UNSIGNED-PAYLOAD") == 0 ? declared : payload_hash);
    if (rc == SB_OK && sb_buf_failed(&c)) {
        snprintf(why, why_size, "out of memory");
        rc = SB_ENOMEM;
    }
    if (rc != SB_OK) {
        sb_buf_free(&c);
        return rc;
    }
    char creq_hash[65];
    sha256_hex(c.data, c.len, creq_hash);
    sb_buf_free(&c);
    char to_sign[512];
    snprintf(to_sign, sizeof to_sign, "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s", amz_date,
             a->date, a->region, a->service, creq_hash);
    /* the signing key: HMAC chain from "AWS4" + secret */
    size_t slen = strlen(secret);
    char *k0 = malloc(slen + 5);
    if (!k0) {
        snprintf(why, why_size, "out of memory");
        return SB_ENOMEM;
    }
    memcpy(k0, "AWS4", 4);
    memcpy(k0 + 4, secret, slen + 1);
    unsigned char k1[32], k2[32], k3[32], k4[32], sig[32];
    hmac(k0, slen + 4, a->date, k1);
    OPENSSL_cleanse(k0, slen + 4);
    free(k0);
    hmac(k1, 32, a->region, k2);
    hmac(k2, 32, a->service, k3);
    hmac(k3, 32, "aws4_request", k4);
    hmac(k4, 32, to_sign, sig);
    char expect[65];
    hex(sig, 32, expect);
    OPENSSL_cleanse(k4, sizeof k4);
    if (strlen(a->signature) != 64 || CRYPTO_memcmp(expect, a->signature, 64) != 0) {
        snprintf(why, why_size,
                 "The request signature we calculated does not match the signature you "
                 "provided (access key %.32s)",
                 a->key_id);
        return SB_EINVAL;
    }
    return SB_OK;
}
