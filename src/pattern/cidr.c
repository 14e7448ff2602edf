/* cidr.c - address parsing through inet_pton, prefix comparison by bytes. */
#include "pattern/cidr.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

bool sb_ip_parse(const char *s, size_t n, unsigned char *ip, int *ip_len) {
    char buf[64];
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (memchr(buf, ':', n)) {
        if (inet_pton(AF_INET6, buf, ip) != 1)
            return false;
        *ip_len = 16;
        return true;
    }
    if (inet_pton(AF_INET, buf, ip) != 1)
        return false;
    *ip_len = 4;
    return true;
}

const char *sb_cidr_parse(const char *s, size_t n, unsigned char *ip, int *ip_len, int *bits) {
    const char *slash = memchr(s, '/', n);
    if (!slash)
        return "a CIDR block needs a prefix length (\"10.0.0.0/8\")";
    if (!sb_ip_parse(s, (size_t)(slash - s), ip, ip_len))
        return "not an IPv4 or IPv6 address before '/'";
    const char *d = slash + 1, *end = s + n;
    if (d == end || end - d > 3)
        return "invalid prefix length";
    int b = 0;
    for (; d < end; d++) {
        if (*d < '0' || *d > '9')
            return "invalid prefix length";
        b = b * 10 + (*d - '0');
    }
    if (b > *ip_len * 8)
        return *ip_len == 4 ? "prefix length above 32" : "prefix length above 128";
    *bits = b;
    for (int i = 0; i < *ip_len; i++) {
        int keep = b - i * 8;
        if (keep >= 8)
            continue;
        ip[i] &= keep <= 0 ? 0 : (unsigned char)(0xFF << (8 - keep));
    }
    return NULL;
}

bool sb_cidr_contains(const unsigned char *net, int net_len, int bits, const unsigned char *ip,
                      int ip_len) {
    if (net_len != ip_len)
        return false;
    int full = bits / 8, rest = bits % 8;
    if (memcmp(net, ip, (size_t)full) != 0)
        return false;
    if (rest == 0)
        return true;
    unsigned char mask = (unsigned char)(0xFF << (8 - rest));
    return (ip[full] & mask) == net[full];
}
