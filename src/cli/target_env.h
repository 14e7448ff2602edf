/* target_env.h - the part of the targets' environment that comes from the settings, shared by
 * the commands that deliver (serve, dlq redrive) so that both deliver alike. */
#ifndef SB_CLI_TARGET_ENV_H
#define SB_CLI_TARGET_ENV_H

#include "core/config.h"
#include "target/target.h"

/* Sets env's settings from cfg: the HTTP time limit, the default stream MAXLEN, the SQS and
 * SNS endpoints, the AWS batch linger and concurrency. The event loop, the connections and
 * the credentials lookup are the caller's to set; cfg must outlive env. */
void sb_target_env_from_config(sb_target_env *env, const sb_config *cfg);

#endif
