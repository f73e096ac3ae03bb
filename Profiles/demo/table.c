/* Open-addressing hash tables: names to variable slots (compiler) and integers to integers
 * (the VM's heap behind put/get/has). */
#include <stdlib.h>
#include <string.h>
#include "vm.h"

struct symtab {
    struct { const char *name; size_t len; int slot; } *entries;
    size_t cap, count;
};

static uint64_t hash_bytes(const char *s, size_t len) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static uint64_t hash_int(int64_t key) {
    uint64_t x = (uint64_t)key;
    x ^= x >> 33; x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

struct symtab *symtab_new(size_t capacity) {
    struct symtab *t = calloc(1, sizeof *t);
    if (!t) fatal("out of memory");
    t->cap = capacity;
    t->entries = calloc(capacity, sizeof *t->entries);
    if (!t->entries) fatal("out of memory");
    return t;
}

int symtab_lookup(const struct symtab *t, const char *name, size_t len) {
    for (size_t i = hash_bytes(name, len) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        if (!t->entries[i].name) return -1;
        if (t->entries[i].len == len && memcmp(t->entries[i].name, name, len) == 0)
            return t->entries[i].slot;
    }
}

void symtab_insert(struct symtab *t, const char *name, size_t len, int slot) {
    if ((t->count + 1) * 2 > t->cap) fatal("too many variables (limit %zu)", t->cap / 2);
    size_t i = hash_bytes(name, len) & (t->cap - 1);
    while (t->entries[i].name) i = (i + 1) & (t->cap - 1);
    t->entries[i].name = name;
    t->entries[i].len = len;
    t->entries[i].slot = slot;
    t->count++;
}

void symtab_free(struct symtab *t) {
    free(t->entries);
    free(t);
}

struct intmap {
    struct { int64_t key, value; char used; } *slots;
    size_t cap, count;
};

struct intmap *intmap_new(size_t capacity) {
    struct intmap *m = calloc(1, sizeof *m);
    if (!m) fatal("out of memory");
    m->cap = capacity;
    m->slots = calloc(capacity, sizeof *m->slots);
    if (!m->slots) fatal("out of memory");
    return m;
}

static void intmap_grow(struct intmap *m) {
    struct intmap bigger = { .cap = m->cap * 2 };
    bigger.slots = calloc(bigger.cap, sizeof *bigger.slots);
    if (!bigger.slots) fatal("out of memory");
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].used) intmap_put(&bigger, m->slots[i].key, m->slots[i].value);
    free(m->slots);
    *m = bigger;
}

void intmap_put(struct intmap *m, int64_t key, int64_t value) {
    if ((m->count + 1) * 4 > m->cap * 3) intmap_grow(m);
    size_t i = hash_int(key) & (m->cap - 1);
    while (m->slots[i].used && m->slots[i].key != key) i = (i + 1) & (m->cap - 1);
    if (!m->slots[i].used) m->count++;
    m->slots[i].key = key;
    m->slots[i].value = value;
    m->slots[i].used = 1;
}

int64_t intmap_get(const struct intmap *m, int64_t key, int64_t missing) {
    for (size_t i = hash_int(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->slots[i].used) return missing;
        if (m->slots[i].key == key) return m->slots[i].value;
    }
}

void intmap_free(struct intmap *m) {
    free(m->slots);
    free(m);
}
