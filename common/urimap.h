/* A hash map from uri to what the archive needs to know of it: its summary
 * (writer) or its slot in a day's record array (reader). Keys are copied
 * into one arena, so a million uris cost two allocations, not a million. */
#ifndef CHATARC_URIMAP_H
#define CHATARC_URIMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"
#include "strbuf.h"

typedef struct urimap_value {
	size_t index;
	record_summary_t summary;
} urimap_value_t;

typedef struct urimap {
	struct urimap_slot *slots;
	size_t capacity; /* power of two, 0 when empty */
	size_t count;
	strbuf_t keys;
} urimap_t;

void urimap_init(urimap_t *map);
void urimap_release(urimap_t *map);
urimap_value_t *urimap_find(const urimap_t *map, const char *uri);
/* Finds uri, or adds it with a zeroed value; *added tells which. */
urimap_value_t *urimap_insert(urimap_t *map, const char *uri, bool *added);

#endif
