/* lines.c - reading inputs of the command line: files, standard input, gzip, @FILE. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cli/cli.h"

static int read_stream(FILE *f, const char *name, char **out, size_t *len) {
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        goto oom;
    for (;;) {
        if (cap - n < 4096) {
            char *b = realloc(buf, cap * 2);
            if (!b)
                goto oom;
            buf = b;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        fprintf(stderr, "signalbox: cannot read %s: %s\n", name, strerror(errno));
        free(buf);
        return -1;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
oom:
    free(buf);
    fprintf(stderr, "signalbox: out of memory reading %s\n", name);
    return -1;
}

static int read_gz(const char *path, char **out, size_t *len) {
    gzFile g = gzopen(path, "rb");
    if (!g) {
        fprintf(stderr, "signalbox: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    gzbuffer(g, 1 << 17);
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf)
            break;
        if (cap - n < (1 << 16)) {
            char *b = realloc(buf, cap * 2);
            if (!b) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = b;
            cap *= 2;
        }
        int got = gzread(g, buf + n, (unsigned)(cap - n - 1));
        if (got < 0) {
            int e;
            fprintf(stderr, "signalbox: cannot read %s: %s\n", path, gzerror(g, &e));
            free(buf);
            gzclose(g);
            return -1;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    gzclose(g);
    if (!buf) {
        fprintf(stderr, "signalbox: out of memory reading %s\n", path);
        return -1;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

int sb_read_file(const char *path, char **out, size_t *len) {
    if (strcmp(path, "-") == 0)
        return read_stream(stdin, "standard input", out, len);
    size_t pl = strlen(path);
    if (pl > 3 && strcmp(path + pl - 3, ".gz") == 0)
        return read_gz(path, out, len);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "signalbox: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = read_stream(f, path, out, len);
    fclose(f);
    return rc;
}

int sb_read_arg(const char *arg, char **out, size_t *len) {
    if (arg[0] == '@')
        return sb_read_file(arg + 1, out, len);
    *len = strlen(arg);
    *out = malloc(*len + 1);
    if (!*out) {
        fprintf(stderr, "signalbox: out of memory\n");
        return -1;
    }
    memcpy(*out, arg, *len + 1);
    return 0;
}
