/* Splits a JSON byte stream into the objects a post file is made of, without
 * holding the file: each top-level object (JSONL, concatenated or pretty-printed
 * JSON), each object element of a top-level array, and the array of a
 * Twitter archive's `window.YTD.tweets.part0 = [...]`. Each object is then
 * small enough to parse whole. */
#ifndef CHATARC_JSONSTREAM_H
#define CHATARC_JSONSTREAM_H

#include <stddef.h>

#include "../common/status.h"
#include "../common/strbuf.h"

/* json is NUL-terminated and may be modified; line is where it starts. */
typedef chatarc_status_t (*jsonstream_object_fn)(void *ctx, char *json, size_t len, long line,
                                                 chatarc_error_t *err);

typedef struct jsonstream {
	jsonstream_object_fn on_object;
	void *ctx;
	int state;
	long line;
	long object_line, array_line;
	int depth;
	char stack[256];
	int in_string, escaped, in_array, after_comma;
	size_t bytes_seen;
	size_t bom_bytes;
	long objects;
	strbuf_t object;
} jsonstream_t;

void jsonstream_init(jsonstream_t *js, jsonstream_object_fn on_object, void *ctx);
void jsonstream_release(jsonstream_t *js);
/* On an error, js->line is the line it concerns (the caller names the file). */
CHATARC_MUST_CHECK chatarc_status_t jsonstream_feed(jsonstream_t *js, const char *data, size_t len,
                                                    chatarc_error_t *err);
/* Call at end of input: reports a value cut short, or a file with no object. */
CHATARC_MUST_CHECK chatarc_status_t jsonstream_finish(jsonstream_t *js, chatarc_error_t *err);

#endif
