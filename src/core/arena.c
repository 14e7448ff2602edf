/* arena.c - chunked bump allocator. */
#include "core/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct sb_arena_chunk {
    sb_arena_chunk *next;
    size_t size; /* usable bytes in data */
    size_t used;
    _Alignas(16) unsigned char data[];
};

void sb_arena_init(sb_arena *a, size_t chunk_size) {
    a->head = NULL;
    a->chunk_size = chunk_size ? chunk_size : 64 * 1024;
}

void *sb_arena_alloc(sb_arena *a, size_t n) {
    n = (n + 15) & ~(size_t)15;
    if (n == 0)
        n = 16;
    sb_arena_chunk *c = a->head;
    if (!c || c->size - c->used < n) {
        size_t size = n > a->chunk_size ? n : a->chunk_size;
        if (size > SIZE_MAX - sizeof *c)
            return NULL;
        c = malloc(sizeof *c + size);
        if (!c)
            return NULL;
        c->size = size;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

void *sb_arena_calloc(sb_arena *a, size_t n) {
    void *p = sb_arena_alloc(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

char *sb_arena_strndup(sb_arena *a, const char *s, size_t n) {
    char *d = sb_arena_alloc(a, n + 1);
    if (!d)
        return NULL;
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

void sb_arena_reset(sb_arena *a) {
    sb_arena_chunk *c = a->head;
    if (!c)
        return;
    /* keep the oldest chunk (the tail): it is usually the default size */
    while (c->next) {
        sb_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    c->used = 0;
    a->head = c;
}

void sb_arena_free(sb_arena *a) {
    sb_arena_chunk *c = a->head;
    while (c) {
        sb_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
}
