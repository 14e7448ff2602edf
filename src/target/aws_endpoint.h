/* aws_endpoint.h - where SQS and SNS requests go: the region's AWS endpoint, or an override
 * (LocalStack, ElasticMQ, fauxqs), and the queue URL of an SQS ARN. */
#ifndef SB_AWS_ENDPOINT_H
#define SB_AWS_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/status.h"

/* The URL requests of service ("sqs", "sns") in region go to, ending in '/': override when it
 * is given (not NULL nor ""; "http(s)://host[:port][/path]"), else
 * https://SERVICE.REGION.amazonaws.com/ (amazonaws.com.cn for the cn- regions). SB_OK, or
 * SB_EINVAL with err when the override is not an http(s) URL or the result does not fit. */
int sb_aws_endpoint(const char *service, const char *region, const char *override, char *out,
                    size_t outlen, sb_error *err);

/* The scheme and host of url with a final '/' ("https://sqs.eu-west-1.amazonaws.com/1/q" ->
 * "https://sqs.eu-west-1.amazonaws.com/"): where a queue URL's own requests go. SB_OK or
 * SB_EINVAL. */
int sb_aws_url_origin(const char *url, char *out, size_t outlen);

/* The queue URL AWS gives the queue `name` of account in region:
 * https://sqs.REGION.amazonaws.com/ACCOUNT/NAME. SB_OK or SB_EINVAL (too long). */
int sb_aws_sqs_queue_url(const char *region, const char *account, const char *name, char *out,
                         size_t outlen);

/* curl's CURLOPT_AWS_SIGV4 value for service in region: "aws:amz:REGION:SERVICE", always in
 * full (with less, curl guesses both from the host name). */
void sb_aws_sigv4_param(const char *region, const char *service, char *out, size_t outlen);

/* True when a queue or topic name is that of a FIFO one (ends in ".fifo"). */
bool sb_aws_is_fifo(const char *name);

#endif
