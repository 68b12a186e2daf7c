/* A message's display data as the index keeps it: the length of its JSON
 * (a base-128 varint, low bits first), then that JSON as a raw deflate
 * stream over a preset dictionary. The dictionary is part of the index's
 * format: changing it means a new XDB_SCHEMA. */
#include "display-data.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* A record as record_to_json writes it, its rarer strings first: zlib
 * codes a match near the dictionary's end in fewer bits. On 100k
 * generated posts it takes a record from 426 bytes (zlib 6, no
 * dictionary: what Xapian did) to 249. */
static const char dictionary[] =
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

/* Level 4 compresses these records within 1% of level 6, faster; memory
 * level 4 makes the hash table zlib clears for each record 4 KB, not
 * 128 KB. The full window keeps long posts' repeats. */
#define PACK_LEVEL        4
#define PACK_MEM_LEVEL    4
#define PACK_WINDOW_BITS  15
#define PACK_MAX_JSON     (1u << 30)
#define PACK_VARINT_BYTES 5

struct display_codec {
	z_stream deflater, inflater;
	bool deflater_ready, inflater_ready;
	unsigned char *buf;
	size_t alloc;
};

display_codec_t *display_codec_new(void)
{
	return calloc(1, sizeof(display_codec_t));
}

void display_codec_free(display_codec_t *codec)
{
	if (!codec)
		return;
	if (codec->deflater_ready)
		deflateEnd(&codec->deflater);
	if (codec->inflater_ready)
		inflateEnd(&codec->inflater);
	free(codec->buf);
	free(codec);
}

static bool reserve(display_codec_t *codec, size_t size)
{
	if (size <= codec->alloc)
		return true;
	unsigned char *grown = realloc(codec->buf, size);
	if (!grown)
		return false;
	codec->buf = grown;
	codec->alloc = size;
	return true;
}

/* Ready for a new stream: made once, reset after. */
static bool deflater_start(display_codec_t *codec)
{
	z_stream *z = &codec->deflater;
	if (codec->deflater_ready) {
		if (deflateReset(z) != Z_OK)
			return false;
	} else {
		if (deflateInit2(z, PACK_LEVEL, Z_DEFLATED, -PACK_WINDOW_BITS, PACK_MEM_LEVEL,
		                 Z_DEFAULT_STRATEGY) != Z_OK)
			return false;
		codec->deflater_ready = true;
	}
	return deflateSetDictionary(z, (const Bytef *)dictionary, sizeof dictionary - 1) == Z_OK;
}

static bool inflater_start(display_codec_t *codec)
{
	z_stream *z = &codec->inflater;
	if (codec->inflater_ready) {
		if (inflateReset(z) != Z_OK)
			return false;
	} else {
		if (inflateInit2(z, -PACK_WINDOW_BITS) != Z_OK)
			return false;
		codec->inflater_ready = true;
	}
	/* A raw stream names no dictionary: it is set before the first byte. */
	return inflateSetDictionary(z, (const Bytef *)dictionary, sizeof dictionary - 1) == Z_OK;
}

const char *display_pack(display_codec_t *codec, const char *json, size_t len, size_t *packed_len)
{
	if (len > PACK_MAX_JSON || !deflater_start(codec))
		return NULL;
	z_stream *z = &codec->deflater;
	size_t bound = PACK_VARINT_BYTES + deflateBound(z, (uLong)len);
	if (!reserve(codec, bound))
		return NULL;
	size_t n = 0;
	for (size_t rest = len; n == 0 || rest; rest >>= 7)
		codec->buf[n++] = (unsigned char)((rest & 0x7f) | (rest >> 7 ? 0x80 : 0));
	z->next_in = (Bytef *)json;
	z->avail_in = (uInt)len;
	z->next_out = codec->buf + n;
	z->avail_out = (uInt)(bound - n);
	if (deflate(z, Z_FINISH) != Z_STREAM_END)
		return NULL;
	*packed_len = n + z->total_out;
	return (const char *)codec->buf;
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
	if (!reserve(codec, json_len + 1) || !inflater_start(codec)) {
		chatarc_error_set(err, CHATARC_ERR_NOMEM, "out of memory");
		return NULL;
	}
	z_stream *z = &codec->inflater;
	z->next_in = (Bytef *)in + n;
	z->avail_in = (uInt)(len - n);
	z->next_out = codec->buf;
	z->avail_out = (uInt)json_len;
	int rc = inflate(z, Z_FINISH);
	if (rc != Z_STREAM_END || z->total_out != json_len || z->avail_in != 0)
		return corrupt(err, "not the length it says");
	codec->buf[json_len] = '\0';
	return (const char *)codec->buf;
}
