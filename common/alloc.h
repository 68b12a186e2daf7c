/* Memory, with one out-of-memory policy for the whole program: say so and
 * abort (as git's xmalloc and ALLOC_GROW do). A chat archive that cannot
 * get memory has nothing sensible left to do, and a check at every call
 * site is a check that is sometimes forgotten. */
#ifndef CHATARC_ALLOC_H
#define CHATARC_ALLOC_H

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void *alloc_or_die(void *p)
{
	if (!p) {
		fputs("chatarc: out of memory\n", stderr);
		abort();
	}
	return p;
}

static inline void *xmalloc(size_t size)
{
	return alloc_or_die(malloc(size ? size : 1));
}

static inline void *xcalloc(size_t n, size_t size)
{
	return alloc_or_die(calloc(n ? n : 1, size ? size : 1));
}

static inline char *xstrdup(const char *s)
{
	return (char *)alloc_or_die(strdup(s)); /* (the cast: the C++ shim uses it too) */
}

static inline char *xstrndup(const char *s, size_t n)
{
	char *copy = (char *)xmalloc(n + 1);
	size_t len = strnlen(s, n);
	memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

/* For a process about to build many small objects and free them in
 * bulk (libxml2's and libxslt's nodes): glibc keeps small freed chunks in
 * fastbins and merges them all on each large free (malloc_consolidate: a
 * tenth of a publish). Without fastbins a publish takes 5% less time
 * (BENCHMARKS.md; an index gained nothing measurable). The setting is the
 * process's: call it where a command starts that work. */
static inline void alloc_for_bulk_work(void)
{
#ifdef M_MXFAST
	mallopt(M_MXFAST, 0);
#endif
}

/* realloc of n elements of size bytes, the multiplication checked. */
static inline void *xrealloc_array(void *p, size_t n, size_t size)
{
	if (n && size > SIZE_MAX / n)
		alloc_or_die(NULL);
	if (!n || !size) {
		free(p);
		return NULL;
	}
	return alloc_or_die(realloc(p, n * size));
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
