/* Reading a (possibly gzip) input on a thread of its own: inflating a big
 * import is as much work as a core gives zcat, and it then overlaps with
 * parsing and converting what came before (BENCHMARKS.md). */
#ifndef CHATARC_READAHEAD_H
#define CHATARC_READAHEAD_H

#include <stddef.h>
#include <zlib.h>

typedef struct readahead readahead_t;

/* Starts reading in in chunks of chunk_bytes; the thread owns in until
 * readahead_stop. NULL when no thread can be started. */
readahead_t *readahead_start(gzFile in, size_t chunk_bytes);
/* The next chunk, valid until the next call: its length, 0 at the end of
 * the input, or -1 when gzread failed (stop, then ask gzerror). *offset is
 * where the compressed input stood after it, for progress. */
long readahead_next(readahead_t *r, const char **data, unsigned long long *offset);
/* Ends the thread (after its current read) and frees r; in is the
 * caller's again. */
void readahead_stop(readahead_t *r);

#endif
