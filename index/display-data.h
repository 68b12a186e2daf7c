/* What the index keeps of a message to show it (its record JSON without
 * raw), packed small and cheap to pack: zstd against a preset dictionary
 * of the record's own keys. Xapian's document data would cost zlib at
 * level 6 with a 128 KB table reset for every document, a fifth of the
 * indexing time, and compress these short records less (BENCHMARKS.md). */
#ifndef CHATARC_DISPLAY_DATA_H
#define CHATARC_DISPLAY_DATA_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#include "../common/status.h"

typedef struct display_codec display_codec_t;

/* NULL when out of memory. */
display_codec_t *display_codec_new(void);
void display_codec_free(display_codec_t *codec);

/* json[0..len) packed: a pointer to `*packed_len` bytes held by the codec
 * until its next call; NULL when out of memory. */
const char *display_pack(display_codec_t *codec, const char *json, size_t len, size_t *packed_len);

/* The JSON that display_pack packed into packed[0..len), NUL-terminated and
 * held by the codec until its next call; NULL (err: CHATARC_ERR_CORRUPT,
 * saying what to run) when these bytes are not such a packing. */
const char *display_unpack(display_codec_t *codec, const char *packed, size_t len,
                           chatarc_error_t *err);

#ifdef __cplusplus
}
#endif

#endif
