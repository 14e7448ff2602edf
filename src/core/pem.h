/* pem.h - checks of PEM files at load (CA bundles, client certificates and their keys), so that
 * a file TLS cannot use is a configuration error at start, not a failed handshake at every
 * delivery. The messages name the files, never a password. */
#ifndef SB_PEM_H
#define SB_PEM_H

#include "core/status.h"

/* Checks that path can be read and holds at least one PEM certificate (a CA bundle, or a client
 * certificate with its chain). SB_OK, or SB_EINVAL with err saying why (starting with the path,
 * without a setting's name: the caller adds where it was given). */
int sb_pem_check_certs(const char *path, sb_error *err);

/* Checks that key_path can be read and holds a PEM private key, that password (NULL for none)
 * decrypts it when it is encrypted, and that it is the key of the first certificate in
 * cert_path. SB_OK, or SB_EINVAL with err saying why, like sb_pem_check_certs. */
int sb_pem_check_key(const char *key_path, const char *password, const char *cert_path,
                     sb_error *err);

#endif
