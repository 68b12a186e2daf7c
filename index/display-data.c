/* A message's display data as the index keeps it: the length of its JSON
 * (a base-128 varint, low bits first), then that JSON as one zstd frame
 * over a preset dictionary (the frame names neither its size nor the
 * dictionary: the varint and the index's schema do). The dictionary is
 * part of the index's format: changing it means a new XDB_SCHEMA. */
#include "display-data.h"

#include "../common/alloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

/* A record as record_to_json writes it, its rarer strings first (a match
 * near the dictionary's end codes in fewer bits). On 100k generated posts
 * it takes a record from 426 bytes (zlib 6, no dictionary: what Xapian
 * did) to 250. */
static const char dictionary_text[] =
    "https://bsky.app/profile/did:plc:at://app.bsky.feed.post/"
    "https://twitter.com/i/web/status/\",\"network\":\"twitter\","
    "\"network\":\"bluesky\",\"source\":\"fetch\","
    "{\"uri\":\"https://mastodon.social/users/\",\"network\":\"mastodon\","
    "\"source\":\"import\",\"chat\":\"hcsm\",\"created_at\":\"2025-10-13T18:53:41.000Z\","
    "\"author\":\"\",\"author_name\":\"\",\"text\":\"\",\"content_warning\":null,\"lang\":\"en\","
    "\"url\":\"https://\",\"native_id\":\"\",\"reply_to\":null,\"reply_to_id\":null,"
    "\"reply_to_account\":null,\"thread_root\":null,\"quote_of\":null,\"tags\":[\"hcsm\"],"
    "\"mentions\":[],\"links\":[],\"media_count\":0,\"media_alt\":[],\"replies\":0,"
    "\"reposts\":0,\"likes\":0,\"author_followers\":null,\"edited_at\":null,\"raw\":null}";

/* zstd level 1 over the dictionary packs a record in a third of the
 * time zlib level 4 took with the same dictionary (7.7 against 25 us on
 * 100k generated records), to 250 bytes instead of 222 (BENCHMARKS.md). */
#define PACK_LEVEL        1
#define PACK_MAX_JSON     (1u << 30)
#define PACK_VARINT_BYTES 5

struct display_codec {
	ZSTD_CCtx *packer;
	ZSTD_CDict *pack_dictionary;
	ZSTD_DCtx *unpacker;
	ZSTD_DDict *unpack_dictionary;
	char *buf;
	size_t alloc;
};

display_codec_t *display_codec_new(void)
{
	/* Each half made on first use: search only unpacks, the indexer
	 * only packs. */
	return xcalloc(1, sizeof(display_codec_t));
}

void display_codec_free(display_codec_t *codec)
{
	if (!codec)
		return;
	ZSTD_freeCCtx(codec->packer);
	ZSTD_freeCDict(codec->pack_dictionary);
	ZSTD_freeDCtx(codec->unpacker);
	ZSTD_freeDDict(codec->unpack_dictionary);
	free(codec->buf);
	free(codec);
}

static void reserve(display_codec_t *codec, size_t size)
{
	if (size <= codec->alloc)
		return;
	codec->buf = xrealloc_array(codec->buf, size, 1);
	codec->alloc = size;
}

static bool packer_ready(display_codec_t *codec)
{
	if (codec->packer)
		return true;
	/* (zstd's contexts fail only for memory: the one policy, alloc.h) */
	ZSTD_CCtx *packer = alloc_or_die(ZSTD_createCCtx());
	ZSTD_CDict *dictionary =
	    alloc_or_die(ZSTD_createCDict(dictionary_text, sizeof dictionary_text - 1, PACK_LEVEL));
	/* The varint says the size, the schema the dictionary; a checksum
	 * would repeat what Xapian's blocks are checked by. */
	if (ZSTD_isError(ZSTD_CCtx_setParameter(packer, ZSTD_c_contentSizeFlag, 0)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(packer, ZSTD_c_checksumFlag, 0)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(packer, ZSTD_c_dictIDFlag, 0)) ||
	    ZSTD_isError(ZSTD_CCtx_refCDict(packer, dictionary))) {
		ZSTD_freeCCtx(packer);
		ZSTD_freeCDict(dictionary);
		return false;
	}
	codec->packer = packer;
	codec->pack_dictionary = dictionary;
	return true;
}

static void unpacker_ready(display_codec_t *codec)
{
	if (codec->unpacker)
		return;
	codec->unpacker = alloc_or_die(ZSTD_createDCtx());
	codec->unpack_dictionary =
	    alloc_or_die(ZSTD_createDDict(dictionary_text, sizeof dictionary_text - 1));
}

const char *display_pack(display_codec_t *codec, const char *json, size_t len, size_t *packed_len)
{
	if (len > PACK_MAX_JSON || !packer_ready(codec))
		return NULL;
	size_t bound = PACK_VARINT_BYTES + ZSTD_compressBound(len);
	reserve(codec, bound);
	size_t n = 0;
	for (size_t rest = len; n == 0 || rest; rest >>= 7)
		codec->buf[n++] = (char)((rest & 0x7f) | (rest >> 7 ? 0x80 : 0));
	/* The dictionary stays referenced from one frame to the next. */
	size_t written = ZSTD_compress2(codec->packer, codec->buf + n, bound - n, json, len);
	if (ZSTD_isError(written))
		return NULL;
	*packed_len = n + written;
	return codec->buf;
}

static const char *corrupt(chatarc_error_t *err, const char *why)
{
	chatarc_error_set(err, CHATARC_ERR_CORRUPT,
	                  "a message in the index is damaged (%s): run `chatarc index --rebuild`",
	                  why);
	return NULL;
}

const char *display_unpack(display_codec_t *codec, const char *packed, size_t len,
                           chatarc_error_t *err)
{
	const unsigned char *in = (const unsigned char *)packed;
	size_t json_len = 0, n = 0;
	for (unsigned shift = 0;; shift += 7) {
		if (n == len || n == PACK_VARINT_BYTES)
			return corrupt(err, "no length");
		json_len |= (size_t)(in[n] & 0x7f) << shift;
		if (!(in[n++] & 0x80))
			break;
	}
	if (json_len > PACK_MAX_JSON)
		return corrupt(err, "length out of range");
	reserve(codec, json_len + 1);
	unpacker_ready(codec);
	/* Room for the length said and no more: a frame that holds more or
	 * less, is cut short or is followed by anything is refused. */
	size_t got = ZSTD_decompress_usingDDict(codec->unpacker, codec->buf, json_len, in + n,
	                                        len - n, codec->unpack_dictionary);
	if (ZSTD_isError(got) || got != json_len)
		return corrupt(err, "not the length it says");
	codec->buf[json_len] = '\0';
	return codec->buf;
}
