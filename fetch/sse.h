/* Server-sent events (text/event-stream, as the WHATWG HTML standard's
 * EventSource reads it), parsed from chunks as they arrive: Mastodon's
 * streaming API sends each status as an event ("update", "status.update",
 * "delete") and keeps the connection alive with comments (":thump"). */
#ifndef CHATARC_SSE_H
#define CHATARC_SSE_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/status.h"
#include "../common/strbuf.h"

/* One event: its type ("message" when the stream names none) and its data
 * (the data lines joined by '\n'), NUL-terminated. */
typedef chatarc_status_t (*sse_event_fn)(void *ctx, const char *type, const char *data, size_t len,
                                         chatarc_error_t *err);

typedef struct sse_parser {
	sse_event_fn fn;
	void *ctx;
	size_t max_event; /* bytes of an event's data at most */
	strbuf_t line;    /* the line being read */
	strbuf_t type, data;
	strbuf_t last_id; /* the last "id:" seen, for a reconnect's Last-Event-ID */
	long retry_ms;    /* the last "retry:", or -1 */
	long comments;    /* comment lines (heartbeats) seen */
	bool after_cr;    /* the last byte was a CR: a LF next ends nothing new */
	bool have_data;   /* a data line was seen since the last event */
	bool first_line;  /* a BOM at the very start is dropped */
} sse_parser_t;

void sse_init(sse_parser_t *p, size_t max_event, sse_event_fn fn, void *ctx);
void sse_release(sse_parser_t *p);
/* Reads len bytes; calls fn for each event they complete. An event past
 * max_event is CHATARC_ERR_FORMAT (the stream is not to be trusted on). */
CHATARC_MUST_CHECK chatarc_status_t sse_feed(sse_parser_t *p, const char *bytes, size_t len,
                                             chatarc_error_t *err);

#endif
