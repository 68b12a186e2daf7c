/* Fuzz harness: what a stream sends, as fetch --follow reads it: the bytes
 * as a server-sent event stream (Mastodon's streaming API), fed in chunks
 * of a size the input's first byte picks, and as one Jetstream message
 * matched against a chat's tags. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../fetch/jetstream.h"
#include "../../fetch/sse.h"

static chatarc_status_t count_event(void *ctx, const char *type, const char *data, size_t len,
                                    chatarc_error_t *err)
{
	(void)type;
	(void)data;
	(void)err;
	*(size_t *)ctx += len;
	return CHATARC_OK;
}

static bool holds_all(void *ctx, const char *uri)
{
	(void)ctx;
	return uri[0] == 'a';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	size_t step = data[0] % 17 + 1, seen = 0;
	sse_parser_t p;
	chatarc_error_t err;
	sse_init(&p, 4096, count_event, &seen);
	for (size_t i = 1; i < size; i += step)
		if (sse_feed(&p, (const char *)data + i, i + step > size ? size - i : step, &err) !=
		    CHATARC_OK)
			break;
	sse_release(&p);

	char *message = malloc(size + 1);
	memcpy(message, data, size);
	message[size] = '\0';
	strlist_t tags = {0};
	strlist_add(&tags, "hcsm");
	strlist_add(&tags, "redistricting");
	jetstream_event_t e;
	if (jetstream_match(message, size, &tags, holds_all, NULL, &e)) {
		free(e.uri);
		free(e.tag);
	}
	strlist_clear(&tags);
	free(message);
	return 0;
}
