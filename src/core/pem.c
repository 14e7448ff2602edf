/* pem.c - PEM files read with OpenSSL, the library libcurl uses here for HTTPS. */
#include "core/pem.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* path opened for reading, or NULL with err set. */
static BIO *open_file(const char *path, sb_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        sb_error_set(err, SB_EINVAL, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    BIO *b = BIO_new_fp(f, BIO_CLOSE);
    if (!b) {
        fclose(f);
        sb_error_set(err, SB_ENOMEM, "out of memory");
    }
    return b;
}

/* The first certificate of path, or NULL with err set. */
static X509 *first_cert(const char *path, sb_error *err) {
    BIO *b = open_file(path, err);
    if (!b)
        return NULL;
    X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    BIO_free(b);
    if (!x)
        sb_error_set(err, SB_EINVAL, "%s holds no PEM certificate", path);
    return x;
}

int sb_pem_check_certs(const char *path, sb_error *err) {
    X509 *x = first_cert(path, err);
    X509_free(x);
    /* OpenSSL's error queue is per thread and curl reads it after a failed handshake: leave
     * nothing in it */
    ERR_clear_error();
    return x ? SB_OK : (err ? err->code : SB_EINVAL);
}

typedef struct pass {
    const char *password; /* NULL: none given */
    bool asked;           /* the key is encrypted */
} pass;

/* OpenSSL's password callback: the password given, or none (which fails the read). */
static int give_password(char *buf, int size, int rwflag, void *arg) {
    (void)rwflag;
    pass *p = arg;
    p->asked = true;
    if (!p->password)
        return -1;
    size_t n = strlen(p->password);
    if (n > (size_t)size)
        return -1;
    memcpy(buf, p->password, n);
    return (int)n;
}

int sb_pem_check_key(const char *key_path, const char *password, const char *cert_path,
                     sb_error *err) {
    BIO *b = open_file(key_path, err);
    if (!b)
        return err ? err->code : SB_EINVAL;
    pass p = {password, false};
    EVP_PKEY *key = PEM_read_bio_PrivateKey(b, NULL, give_password, &p);
    BIO_free(b);
    int rc = SB_OK;
    X509 *x = NULL;
    if (!key && p.asked && !password)
        rc = sb_error_set(err, SB_EINVAL, "%s is encrypted and no password is given", key_path);
    else if (!key && p.asked)
        rc = sb_error_set(err, SB_EINVAL, "%s cannot be decrypted with the password given",
                          key_path);
    else if (!key)
        rc = sb_error_set(err, SB_EINVAL, "%s holds no PEM private key", key_path);
    else if (!(x = first_cert(cert_path, err)))
        rc = err ? err->code : SB_EINVAL;
    else if (X509_check_private_key(x, key) != 1)
        rc = sb_error_set(err, SB_EINVAL, "%s is not the key of the certificate in %s", key_path,
                          cert_path);
    X509_free(x);
    EVP_PKEY_free(key);
    ERR_clear_error();
    return rc;
}
