/* tls.h - TLS for the HTTP listeners (libevent's OpenSSL bufferevents). */
#ifndef SB_TLS_H
#define SB_TLS_H

#include "core/status.h"

struct evhttp;
typedef struct ssl_ctx_st SSL_CTX;

/* A server context from a PEM certificate chain and its private key (TLS 1.2 and up). NULL
 * with err naming the file and OpenSSL's reason when they cannot be used. */
SSL_CTX *sb_tls_server_ctx(const char *cert_file, const char *key_file, sb_error *err);

/* Makes every connection of http a TLS connection with ctx (borrowed: it must outlive http). */
void sb_tls_serve(struct evhttp *http, SSL_CTX *ctx);

/* Frees ctx (NULL is a no-op). */
void sb_tls_ctx_free(SSL_CTX *ctx);

#endif
