/* rules_watch.c - inotify on the rules path and its parent, settled by a short timer. */
#define _GNU_SOURCE /* strndup, inotify */
#include "cli/rules_watch.h"

#include <errno.h>
#include <event2/event.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#define SETTLE_MS 100

struct sb_rules_watch {
    int fd;
    int wd_path, wd_parent;
    char *path, *parent;
    struct event *readable, *settle;
    void (*changed)(void *arg);
    void *arg;
};

static const uint32_t path_mask = IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_TO |
                                  IN_MOVED_FROM | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;
static const uint32_t parent_mask = IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM;

/* (Re)sets the watches: the path may now be another inode (a rename, a swapped symlink). */
static void arm(sb_rules_watch *w) {
    if (w->wd_path >= 0)
        inotify_rm_watch(w->fd, w->wd_path);
    w->wd_path = inotify_add_watch(w->fd, w->path, path_mask); /* -1 while it is missing */
    if (w->wd_parent < 0)
        w->wd_parent = inotify_add_watch(w->fd, w->parent, parent_mask);
}

static void on_settled(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    sb_rules_watch *w = arg;
    arm(w);
    w->changed(w->arg);
}

static void on_readable(evutil_socket_t fd, short what, void *arg) {
    (void)what;
    sb_rules_watch *w = arg;
    char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
    const char *base = strrchr(w->path, '/');
    base = base ? base + 1 : w->path;
    bool relevant = false;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *e = (const struct inotify_event *)p;
            /* IN_IGNORED answers arm()'s own inotify_rm_watch after each reload: counting it
               reloaded everything a second time (a bad file was rejected twice). A path that
               was really deleted or moved has said so already (IN_DELETE_SELF, IN_MOVE_SELF,
               or its name in the parent). In the parent, only the rules path's own name counts. */
            if (!(e->mask & IN_IGNORED) &&
                (e->wd != w->wd_parent || (e->len && strcmp(e->name, base) == 0)))
                relevant = true;
            p += sizeof *e + e->len;
        }
    }
    if (relevant) {
        struct timeval tv = {0, SETTLE_MS * 1000};
        evtimer_add(w->settle, &tv); /* restarts the quiet period */
    }
}

sb_rules_watch *sb_rules_watch_new(struct event_base *base, const char *path,
                                   void (*changed)(void *arg), void *arg, sb_error *err) {
    sb_rules_watch *w = calloc(1, sizeof *w);
    if (!w) {
        sb_error_set(err, SB_ENOMEM, "out of memory");
        return NULL;
    }
    w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    w->wd_path = w->wd_parent = -1;
    w->changed = changed;
    w->arg = arg;
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    w->path = strndup(path, len);
    const char *slash = w->path ? strrchr(w->path, '/') : NULL;
    w->parent = !w->path ? NULL
                : slash  ? strndup(w->path, slash == w->path ? 1 : (size_t)(slash - w->path))
                         : strdup(".");
    if (w->fd < 0 || !w->path || !w->parent) {
        sb_error_set(err, SB_EIO, "cannot watch the rules at %s: %s", path,
                     w->fd < 0 ? strerror(errno) : "out of memory");
        sb_rules_watch_free(w);
        return NULL;
    }
    arm(w);
    if (w->wd_path < 0) {
        sb_error_set(err, SB_EIO, "cannot watch the rules at %s: %s", path, strerror(errno));
        sb_rules_watch_free(w);
        return NULL;
    }
    w->readable = event_new(base, w->fd, EV_READ | EV_PERSIST, on_readable, w);
    w->settle = evtimer_new(base, on_settled, w);
    if (!w->readable || !w->settle || event_add(w->readable, NULL) != 0) {
        sb_error_set(err, SB_ENOMEM, "out of memory");
        sb_rules_watch_free(w);
        return NULL;
    }
    return w;
}

void sb_rules_watch_free(sb_rules_watch *w) {
    if (!w)
        return;
    if (w->readable)
        event_free(w->readable);
    if (w->settle)
        event_free(w->settle);
    if (w->fd >= 0)
        close(w->fd);
    free(w->path);
    free(w->parent);
    free(w);
}
