/* aws_error.h - AWS answers in one place: the error code and message out of a JSON (SQS) or
 * XML (SNS) body, and the one decision of what an answer means for a delivery.
 *
 *   RETRY: no answer, 5xx, 429, throttling (Throttling, ThrottlingException,
 *          RequestThrottled, TooManyRequestsException, KMS.ThrottlingException, ...),
 *          ServiceUnavailable, InternalError / InternalFailure, expired credentials
 *          (ExpiredToken, RequestExpired: new ones are fetched), and any per-entry failure
 *          that AWS marks as not the sender's fault;
 *   FAIL:  everything else the service refuses: a missing queue or topic
 *          (QueueDoesNotExist, NotFound), access denied, invalid parameters, a message too
 *          long, a bad signature. The AWS error code is kept for the dead-letter record. */
#ifndef SB_AWS_ERROR_H
#define SB_AWS_ERROR_H

#include <stdbool.h>
#include <stddef.h>

#include "target/target.h"

/* The code and message of an AWS error answer. code is the bare code: "QueueDoesNotExist"
 * from a JSON "__type" of "com.amazonaws.sqs#QueueDoesNotExist", or the XML <Code>; empty
 * when the body has none. */
typedef struct sb_aws_error {
    char code[96];
    char message[256];
} sb_aws_error;

/* Reads the error of body[0..len): JSON ("__type" or "code", and "message" or "Message") or
 * XML (<Code>, <Message>). Fields it cannot find stay empty. */
void sb_aws_error_parse(const char *body, size_t len, sb_aws_error *out);

/* Keeps the part of a JSON __type after '#' ("com.amazonaws.sqs#X" -> "X") in out. */
void sb_aws_error_code(const char *type, size_t len, char *out, size_t outlen);

/* What a whole answer means: status is the HTTP status (0: none came), code its AWS error
 * code ("" when unknown). */
sb_send_result sb_aws_classify(long status, const char *code);

/* What a failed entry of a batch means: code its Code, sender_fault its SenderFault. */
sb_send_result sb_aws_classify_entry(const char *code, bool sender_fault);

/* True for the codes that say the credentials expired (fetch new ones before retrying). */
bool sb_aws_expired_credentials(const char *code);

#endif
