/* The index's packed display data: what goes in comes out byte for byte,
 * and damaged bytes are refused with what to run, never shown. */
#include <stdlib.h>

#include "../../index/display-data.h"
#include "unit.h"

static void check_round_trip(display_codec_t *codec, const char *json)
{
	size_t packed_len;
	const char *packed = display_pack(codec, json, strlen(json), &packed_len);
	CHECK(packed != NULL);
	if (!packed)
		return;
	char *copy = malloc(packed_len);
	memcpy(copy, packed, packed_len);
	chatarc_error_t err;
	CHECK_STR(display_unpack(codec, copy, packed_len, &err), json);
	free(copy);
}

static void test_round_trip(void)
{
	display_codec_t *codec = display_codec_new();
	/* A record as the indexer writes it, and shapes the dictionary was
	 * not made for: empty, not JSON, non-ASCII, a NUL-free binary run. */
	check_round_trip(codec,
	                 "{\"uri\":\"https://mastodon.social/users/ana/statuses/1\",\"network\":"
	                 "\"mastodon\",\"text\":\"T1: Wie informieren Kliniken? \xc3\xa4\xc3\xb6"
	                 "\xc3\xbc \xf0\x9f\x98\x80\",\"raw\":null}");
	check_round_trip(codec, "");
	check_round_trip(codec, "x");
	check_round_trip(codec, "\x01\x02\xff\xfe not json at all");
	/* Longer than zlib's window and than one deflate block; repeats far
	 * apart; the varint's two- and three-byte lengths. */
	size_t n = 200000;
	char *long_text = malloc(n + 1);
	for (size_t i = 0; i < n; i++)
		long_text[i] = (char)('a' + (i * 7919 % 26) + (i % 1000 == 0 ? -32 : 0));
	long_text[n] = '\0';
	check_round_trip(codec, long_text);
	/* The codec is reused: a short one after the long one. */
	check_round_trip(codec, "{\"text\":\"short\"}");
	free(long_text);
	display_codec_free(codec);
}

static void test_small(void)
{
	/* The dictionary is what makes a short record small: a typical one
	 * packs to well under half its length. */
	const char *json =
	    "{\"uri\":\"https://twitter.com/i/web/status/1607999974750907149\",\"network\":"
	    "\"twitter\",\"source\":\"import\",\"chat\":\"hcsm\",\"created_at\":\"2021-10-13T18:53:"
	    "41.121Z\",\"author\":\"user169\",\"author_name\":\"User 169\",\"text\":\"A6 health "
	    "clinicians use it #hcsm\",\"content_warning\":null,\"lang\":\"en\",\"url\":\"https://"
	    "twitter.com/user169/status/"
	    "1607999974750907149\",\"native_id\":\"1607999974750907149\","
	    "\"reply_to\":null,\"reply_to_id\":null,\"reply_to_account\":null,\"thread_root\":null,"
	    "\"quote_of\":null,\"tags\":[\"hcsm\"],\"mentions\":[],\"links\":[],\"media_count\":0,"
	    "\"media_alt\":[],\"replies\":2,\"reposts\":0,\"likes\":8,\"author_followers\":2677,"
	    "\"edited_at\":null,\"raw\":null}";
	display_codec_t *codec = display_codec_new();
	size_t packed_len;
	CHECK(display_pack(codec, json, strlen(json), &packed_len) != NULL);
	CHECK(packed_len * 5 < strlen(json) * 2);
	display_codec_free(codec);
}

static void test_damage_refused(void)
{
	const char *json = "{\"uri\":\"https://example.org/1\",\"text\":\"hello hello hello\"}";
	display_codec_t *codec = display_codec_new();
	size_t packed_len;
	const char *packed = display_pack(codec, json, strlen(json), &packed_len);
	char *good = malloc(packed_len + 1);
	memcpy(good, packed, packed_len);
	chatarc_error_t err;

	/* Truncated anywhere, a wrong length, bytes flipped, nothing, junk. */
	for (size_t cut = 0; cut < packed_len; cut++) {
		err.message[0] = '\0';
		CHECK(display_unpack(codec, good, cut, &err) == NULL);
		CHECK(strstr(err.message, "chatarc index --rebuild") != NULL);
	}
	char *bad = malloc(packed_len + 1);
	memcpy(bad, good, packed_len);
	bad[0] = (char)(bad[0] + 1); /* says one byte more than it holds */
	CHECK(display_unpack(codec, bad, packed_len, &err) == NULL);
	memcpy(bad, good, packed_len);
	bad[0] = (char)(bad[0] - 1); /* one byte less */
	CHECK(display_unpack(codec, bad, packed_len, &err) == NULL);
	memcpy(bad, good, packed_len);
	bad[packed_len] = 'x'; /* a trailing byte */
	CHECK(display_unpack(codec, bad, packed_len + 1, &err) == NULL);
	CHECK(display_unpack(codec, "\xff\xff\xff\xff\xff\xff", 6, &err) == NULL);
	CHECK(display_unpack(codec, "\x05hello", 6, &err) == NULL);
	/* And the good bytes still unpack after all that. */
	CHECK_STR(display_unpack(codec, good, packed_len, &err), json);
	free(bad);
	free(good);
	display_codec_free(codec);
}

const unit_test_t display_tests[] = {
    {"display data: packed and unpacked byte for byte, long and odd texts too", test_round_trip},
    {"display data: a typical record packs to under 40% of its JSON", test_small},
    {"display data: damaged bytes are refused and say to rebuild", test_damage_refused},
    {NULL, NULL},
};
