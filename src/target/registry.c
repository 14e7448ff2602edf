/* registry.c - which operations deliver to which kind of target. */
#include "target/target.h"

extern const sb_target_ops sb_redis_target_ops;
extern const sb_target_ops sb_http_target_ops;
extern const sb_target_ops sb_sqs_target_ops;
extern const sb_target_ops sb_sns_target_ops;

const char *sb_send_result_name(sb_send_result r) {
    return r == SB_SEND_OK ? "ok" : r == SB_SEND_RETRY ? "retry" : "fail";
}

const sb_target_ops *sb_target_ops_for(sb_target_kind kind) {
    switch (kind) {
    case SB_TARGET_REDIS_STREAM:
    case SB_TARGET_REDIS_LIST:
    case SB_TARGET_REDIS_PUBLISH:
        return &sb_redis_target_ops;
    case SB_TARGET_HTTP:
        return &sb_http_target_ops;
    case SB_TARGET_SQS:
        return &sb_sqs_target_ops;
    case SB_TARGET_SNS:
        return &sb_sns_target_ops;
    }
    return NULL;
}
