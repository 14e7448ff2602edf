/* rules_watch.h - notices changes to the rules (inotify) so that serve reloads them.
 *
 * Watches the rules path (a folder or one file, following symlinks) and its parent folder, so
 * that edits, atomic renames by editors, and the symlink swap of a Kubernetes ConfigMap update
 * (`..data` replaced by a rename) are all seen. Changes are gathered: the callback runs once
 * the path has been quiet for 100 ms, and the watches are set again then (a swapped symlink
 * points at a new folder). */
#ifndef SB_RULES_WATCH_H
#define SB_RULES_WATCH_H

#include "core/status.h"

struct event_base;

typedef struct sb_rules_watch sb_rules_watch;

/* Starts watching path on base; changed(arg) runs after each settled change. NULL with err
 * when inotify cannot watch it. */
sb_rules_watch *sb_rules_watch_new(struct event_base *base, const char *path,
                                   void (*changed)(void *arg), void *arg, sb_error *err);

/* Stops watching and frees w (NULL is a no-op). */
void sb_rules_watch_free(sb_rules_watch *w);

#endif
