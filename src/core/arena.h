/* arena.h - bump allocation for memory that dies all at once (a parse, a compile, an event).
 *
 * Nothing allocated from an arena is freed on its own: sb_arena_reset() or sb_arena_free()
 * releases everything together. Not thread-safe; one arena belongs to one owner. */
#ifndef SB_ARENA_H
#define SB_ARENA_H

#include <stddef.h>

typedef struct sb_arena_chunk sb_arena_chunk;

typedef struct sb_arena {
    sb_arena_chunk *head; /* newest chunk first */
    size_t chunk_size;    /* default size of a new chunk */
} sb_arena;

/* Initialises an empty arena whose chunks are at least chunk_size bytes (0: 64 KiB). */
void sb_arena_init(sb_arena *a, size_t chunk_size);

/* Returns n bytes aligned to 16, or NULL when memory is exhausted. Owned by the arena. */
void *sb_arena_alloc(sb_arena *a, size_t n);

/* As sb_arena_alloc, zero-filled. */
void *sb_arena_calloc(sb_arena *a, size_t n);

/* Copies s[0..n) into the arena and NUL-terminates it. Returns NULL on exhaustion. */
char *sb_arena_strndup(sb_arena *a, const char *s, size_t n);

/* Releases every allocation but keeps the first chunk for reuse. */
void sb_arena_reset(sb_arena *a);

/* Releases every allocation and every chunk. The arena may be initialised again. */
void sb_arena_free(sb_arena *a);

#endif
