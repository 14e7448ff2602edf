/* cidr.h - IP addresses and CIDR blocks for the "cidr" operator. */
#ifndef SB_CIDR_H
#define SB_CIDR_H

#include <stdbool.h>
#include <stddef.h>

/* Parses "a.b.c.d/n" (n 0-32) or an IPv6 block "x::y/n" (n 0-128). On success writes the
 * network address (host bits cleared) to ip (16 bytes of room), its length (4 or 16) to
 * *ip_len and n to *bits, and returns NULL; otherwise returns a static reason. */
const char *sb_cidr_parse(const char *s, size_t n, unsigned char *ip, int *ip_len, int *bits);

/* Parses an IPv4 or IPv6 address s[0..n); returns false when it is not one. */
bool sb_ip_parse(const char *s, size_t n, unsigned char *ip, int *ip_len);

/* True when address ip (of length ip_len) lies in the block (net, net_len, bits). */
bool sb_cidr_contains(const unsigned char *net, int net_len, int bits, const unsigned char *ip,
                      int ip_len);

#endif
