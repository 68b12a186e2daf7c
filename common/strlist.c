/* strlist.h */
#include "strlist.h"

#include <string.h>

#include "alloc.h"

void strlist_add(strlist_t *list, const char *s)
{
	ALLOC_GROW(list->items, list->len + 1, list->alloc);
	list->items[list->len++] = xstrdup(s);
}

bool strlist_has(const strlist_t *list, const char *s)
{
	for (size_t i = 0; i < list->len; i++)
		if (!strcmp(list->items[i], s))
			return true;
	return false;
}

void strlist_add_unique(strlist_t *list, const char *s)
{
	if (!strlist_has(list, s))
		strlist_add(list, s);
}

void strlist_clear(strlist_t *list)
{
	for (size_t i = 0; i < list->len; i++)
		free(list->items[i]);
	free(list->items);
	memset(list, 0, sizeof *list);
}
