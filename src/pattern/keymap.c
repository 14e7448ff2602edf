/* keymap.c - growth and insertion for sb_keymap. */
#include "pattern/keymap.h"

#include <stdlib.h>

void sb_keymap_init(sb_keymap *m) {
    memset(m, 0, sizeof *m);
    sb_arena_init(&m->keys, 0);
}

void sb_keymap_free(sb_keymap *m) {
    free(m->entries);
    free(m->slots);
    sb_arena_free(&m->keys);
    memset(m, 0, sizeof *m);
}

static bool rehash(sb_keymap *m, uint32_t nslots) {
    uint32_t *slots = calloc(nslots, sizeof *slots);
    if (!slots)
        return false;
    uint32_t mask = nslots - 1;
    for (uint32_t k = 0; k < m->n; k++) {
        uint32_t i = (uint32_t)m->entries[k].hash & mask;
        while (slots[i])
            i = (i + 1) & mask;
        slots[i] = k + 1;
    }
    free(m->slots);
    m->slots = slots;
    m->mask = mask;
    return true;
}

uint32_t *sb_keymap_put(sb_keymap *m, uint64_t tag, const char *key, size_t len, uint32_t value,
                        bool *added) {
    const uint32_t *found = sb_keymap_find(m, tag, key, len);
    if (found) {
        if (added)
            *added = false;
        return (uint32_t *)found;
    }
    if ((uint64_t)(m->n + 1) * 2 > (uint64_t)m->mask + 1 || !m->slots) {
        uint32_t nslots = m->slots ? (m->mask + 1) * 2 : 16;
        if (!rehash(m, nslots))
            return NULL;
    }
    if (m->n == m->cap) {
        uint32_t cap = m->cap ? m->cap * 2 : 16;
        sb_keymap_entry *e = realloc(m->entries, cap * sizeof *e);
        if (!e)
            return NULL;
        m->entries = e;
        m->cap = cap;
    }
    char *k = sb_arena_strndup(&m->keys, key, len);
    if (!k)
        return NULL;
    sb_keymap_entry *e = &m->entries[m->n];
    e->hash = sb_hash_bytes(tag, key, len);
    e->tag = tag;
    e->key = k;
    e->len = (uint32_t)len;
    e->value = value;
    uint32_t i = (uint32_t)e->hash & m->mask;
    while (m->slots[i])
        i = (i + 1) & m->mask;
    m->slots[i] = ++m->n;
    if (added)
        *added = true;
    return &e->value;
}
