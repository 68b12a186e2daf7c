/* Open addressing with linear probing; FNV-1a hashes (uris are short). */
#include "urimap.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "hash.h"

struct urimap_slot {
	uint64_t hash; /* 0 marks an empty slot */
	size_t key_offset;
	urimap_value_t value;
};

static uint64_t uri_hash(const char *s)
{
	uint64_t h = fnv1a(FNV1A_START, s, strlen(s));
	return h ? h : 1;
}

void urimap_init(urimap_t *map)
{
	memset(map, 0, sizeof *map);
	strbuf_init(&map->keys, 0);
}

void urimap_release(urimap_t *map)
{
	free(map->slots);
	strbuf_release(&map->keys);
	memset(map, 0, sizeof *map);
}

static struct urimap_slot *find_slot(const urimap_t *map, const char *uri, uint64_t hash)
{
	size_t mask = map->capacity - 1;
	for (size_t i = hash & mask;; i = (i + 1) & mask) {
		struct urimap_slot *slot = &map->slots[i];
		if (!slot->hash ||
		    (slot->hash == hash && !strcmp(map->keys.buf + slot->key_offset, uri)))
			return slot;
	}
}

urimap_value_t *urimap_find(const urimap_t *map, const char *uri)
{
	if (!map->capacity)
		return NULL;
	struct urimap_slot *slot = find_slot(map, uri, uri_hash(uri));
	return slot->hash ? &slot->value : NULL;
}

static void grow(urimap_t *map)
{
	size_t old_capacity = map->capacity;
	struct urimap_slot *old = map->slots;

	map->capacity = old_capacity ? old_capacity * 2 : 64;
	map->slots = xcalloc(map->capacity, sizeof *map->slots);
	for (size_t i = 0; i < old_capacity; i++) {
		if (!old[i].hash)
			continue;
		size_t mask = map->capacity - 1, j = old[i].hash & mask;
		while (map->slots[j].hash)
			j = (j + 1) & mask;
		map->slots[j] = old[i];
	}
	free(old);
}

urimap_value_t *urimap_insert(urimap_t *map, const char *uri, bool *added)
{
	uint64_t hash = uri_hash(uri);

	if ((map->count + 1) * 4 > map->capacity * 3)
		grow(map);
	struct urimap_slot *slot = find_slot(map, uri, hash);
	*added = !slot->hash;
	if (*added) {
		slot->hash = hash;
		slot->key_offset = map->keys.len;
		strbuf_add(&map->keys, uri, strlen(uri) + 1);
		memset(&slot->value, 0, sizeof slot->value);
		map->count++;
	}
	return &slot->value;
}
