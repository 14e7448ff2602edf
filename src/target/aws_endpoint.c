/* aws_endpoint.c - endpoints, queue URLs and the SigV4 parameter of SQS and SNS requests. */
#include "target/aws_endpoint.h"

#include <stdio.h>
#include <string.h>

static bool fits(int n, size_t outlen) {
    return n >= 0 && (size_t)n < outlen;
}

static const char *dns_suffix(const char *region) {
    return strncmp(region, "cn-", 3) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
}

int sb_aws_endpoint(const char *service, const char *region, const char *override, char *out,
                    size_t outlen, sb_error *err) {
    int n;
    if (override && *override) {
        const char *host = strstr(override, "://");
        if ((strncmp(override, "http://", 7) != 0 && strncmp(override, "https://", 8) != 0) ||
            !host || !host[3] || host[3] == '/' || strpbrk(override, " \t\r\n?#"))
            return sb_error_set(err, SB_EINVAL,
                                "%s endpoint \"%s\" is not an http:// or https:// URL", service,
                                override);
        size_t len = strlen(override);
        n = snprintf(out, outlen, "%s%s", override, override[len - 1] == '/' ? "" : "/");
    } else {
        n = snprintf(out, outlen, "https://%s.%s.%s/", service, region, dns_suffix(region));
    }
    return fits(n, outlen) ? SB_OK : sb_error_set(err, SB_EINVAL, "%s endpoint: too long", service);
}

int sb_aws_url_origin(const char *url, char *out, size_t outlen) {
    const char *host = strstr(url, "://");
    if (!host)
        return SB_EINVAL;
    const char *slash = strchr(host + 3, '/');
    size_t len = slash ? (size_t)(slash - url) : strlen(url);
    int n = snprintf(out, outlen, "%.*s/", (int)len, url);
    return fits(n, outlen) ? SB_OK : SB_EINVAL;
}

int sb_aws_sqs_queue_url(const char *region, const char *account, const char *name, char *out,
                         size_t outlen) {
    int n =
        snprintf(out, outlen, "https://sqs.%s.%s/%s/%s", region, dns_suffix(region), account, name);
    return fits(n, outlen) ? SB_OK : SB_EINVAL;
}

void sb_aws_sigv4_param(const char *region, const char *service, char *out, size_t outlen) {
    snprintf(out, outlen, "aws:amz:%s:%s", region, service);
}

bool sb_aws_is_fifo(const char *name) {
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".fifo") == 0;
}
