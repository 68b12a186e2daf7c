/* A growable list of owned strings (git's string_list, without the
 * extras): for the short lists chatarc keeps (tags, mentions, paths). */
#ifndef CHATARC_STRLIST_H
#define CHATARC_STRLIST_H

#include <stdbool.h>
#include <stddef.h>

typedef struct strlist {
	char **items;
	size_t len;
	size_t alloc;
} strlist_t;

/* Appends a copy of s. */
void strlist_add(strlist_t *list, const char *s);
/* Adds s unless an equal string is already there (lists are short). */
void strlist_add_unique(strlist_t *list, const char *s);
void strlist_clear(strlist_t *list);
/* Whether an equal string is in the list. */
bool strlist_has(const strlist_t *list, const char *s);

#endif
