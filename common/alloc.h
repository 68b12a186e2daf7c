/* Growing arrays, with one out-of-memory policy for the whole program:
 * say so and abort (as git's ALLOC_GROW does; a chat archive that cannot
 * get memory has nothing sensible left to do). */
#ifndef CHATARC_ALLOC_H
#define CHATARC_ALLOC_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* realloc of n elements of size bytes, the multiplication checked. */
static inline void *xrealloc_array(void *p, size_t n, size_t size)
{
	void *q = n && size > SIZE_MAX / n ? NULL : realloc(p, n * size);
	if (!q && n && size) {
		fputs("chatarc: out of memory\n", stderr);
		abort();
	}
	return q;
}

/* Makes room for at least `need` elements in array x, of which `alloc` are
 * allocated: geometric growth (3/2, from 16), so n appends cost O(n). */
#define ALLOC_GROW(x, need, alloc)                                                                 \
	do {                                                                                       \
		if ((need) > (alloc)) {                                                            \
			size_t grown_ = (alloc) < 16 ? 16 : (alloc) + (alloc) / 2;                 \
			if (grown_ < (need))                                                       \
				grown_ = (need);                                                   \
			(x) = xrealloc_array((x), grown_, sizeof *(x));                            \
			(alloc) = grown_;                                                          \
		}                                                                                  \
	} while (0)

#endif
