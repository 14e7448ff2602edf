/* keymap.h - an open-addressing hash map from (tag, bytes) to a 32-bit value.
 *
 * Used at compile time to deduplicate fields, tests and states, and at match time as the
 * exact-value tables (tag = field and namespace, bytes = the value). Keys are copied into the
 * map's arena. Lookups are read-only and may run from many threads at once. */
#ifndef SB_KEYMAP_H
#define SB_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"

typedef struct sb_keymap_entry {
    uint64_t hash;
    uint64_t tag;
    const char *key;
    uint32_t len;
    uint32_t value;
} sb_keymap_entry;

typedef struct sb_keymap {
    sb_keymap_entry *entries; /* in insertion order */
    uint32_t n, cap;
    uint32_t *slots; /* entry index + 1; 0 is empty */
    uint32_t mask;
    sb_arena keys;
} sb_keymap;

/* A fast hash of (tag, bytes) for short keys. */
static inline uint64_t sb_hash_bytes(uint64_t tag, const void *p, size_t n) {
    const unsigned char *s = p;
    uint64_t h = (tag + 0x9E3779B97F4A7C15ULL) * 0xbf58476d1ce4e5b9ULL ^ (uint64_t)n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 31;
        s += 8;
        n -= 8;
    }
    if (n) {
        uint64_t w = 0;
        memcpy(&w, s, n);
        h = (h ^ w) * 0x94d049bb133111ebULL;
        h ^= h >> 29;
    }
    h *= 0xd6e8feb86659fd93ULL;
    h ^= h >> 32;
    return h;
}

/* Initialises an empty map. */
void sb_keymap_init(sb_keymap *m);

/* Frees everything the map holds; it may be initialised again. */
void sb_keymap_free(sb_keymap *m);

/* Looks (tag, key) up. Returns a pointer to its value, or NULL when absent. */
static inline const uint32_t *sb_keymap_find(const sb_keymap *m, uint64_t tag, const char *key,
                                             size_t len) {
    if (m->n == 0)
        return NULL;
    uint64_t h = sb_hash_bytes(tag, key, len);
    for (uint32_t i = (uint32_t)h & m->mask;; i = (i + 1) & m->mask) {
        uint32_t s = m->slots[i];
        if (s == 0)
            return NULL;
        const sb_keymap_entry *e = &m->entries[s - 1];
        if (e->hash == h && e->tag == tag && e->len == len && memcmp(e->key, key, len) == 0)
            return &e->value;
    }
}

/* Inserts (tag, key) with `value` unless present. Returns a pointer to the stored value (the
 * existing one when present; *added tells which), or NULL when out of memory. */
uint32_t *sb_keymap_put(sb_keymap *m, uint64_t tag, const char *key, size_t len, uint32_t value,
                        bool *added);

#endif
