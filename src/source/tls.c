/* tls.c - OpenSSL server contexts and TLS bufferevents for evhttp. */
#include "source/tls.h"

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

static int fail(sb_error *err, const char *what, const char *file, SSL_CTX *ctx) {
    char reason[256];
    ERR_error_string_n(ERR_get_error(), reason, sizeof reason);
    SSL_CTX_free(ctx);
    return sb_error_set(err, SB_EINVAL, "TLS: %s %s: %s", what, file, reason);
}

SSL_CTX *sb_tls_server_ctx(const char *cert_file, const char *key_file, sb_error *err) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        fail(err, "cannot create a context for", cert_file, NULL);
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
        fail(err, "cannot use the certificate", cert_file, ctx);
        return NULL;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1) {
        fail(err, "cannot use the private key", key_file, ctx);
        return NULL;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        fail(err, "the private key does not match the certificate", key_file, ctx);
        return NULL;
    }
    return ctx;
}

static struct bufferevent *tls_bev(struct event_base *base, void *arg) {
    SSL *ssl = SSL_new(arg);
    return ssl ? bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                                BEV_OPT_CLOSE_ON_FREE)
               : NULL;
}

void sb_tls_serve(struct evhttp *http, SSL_CTX *ctx) {
    evhttp_set_bevcb(http, tls_bev, ctx);
}

void sb_tls_ctx_free(SSL_CTX *ctx) {
    SSL_CTX_free(ctx);
}
