/* text/event-stream, line by line (sse.h). The rules are the HTML
 * standard's "event stream interpretation": lines end with CR, LF or CRLF;
 * a line starting with ':' is a comment; "field: value" sets a field (one
 * space after the colon is dropped); an empty line dispatches the event
 * when it has data. */
#include "sse.h"

#include <stdlib.h>
#include <string.h>

void sse_init(sse_parser_t *p, size_t max_event, sse_event_fn fn, void *ctx)
{
	memset(p, 0, sizeof *p);
	p->fn = fn;
	p->ctx = ctx;
	p->max_event = max_event;
	p->retry_ms = -1;
	p->first_line = true;
	strbuf_init(&p->line, 256);
	strbuf_init(&p->type, 16);
	strbuf_init(&p->data, 1024);
	strbuf_init(&p->last_id, 0);
}

void sse_release(sse_parser_t *p)
{
	strbuf_release(&p->line);
	strbuf_release(&p->type);
	strbuf_release(&p->data);
	strbuf_release(&p->last_id);
}

static CHATARC_MUST_CHECK chatarc_status_t dispatch(sse_parser_t *p, chatarc_error_t *err)
{
	chatarc_status_t status = CHATARC_OK;
	if (p->have_data)
		status = p->fn(p->ctx, p->type.len ? p->type.buf : "message", p->data.buf,
		               p->data.len, err);
	strbuf_reset(&p->type);
	strbuf_reset(&p->data);
	p->have_data = false;
	return status;
}

static CHATARC_MUST_CHECK chatarc_status_t take_line(sse_parser_t *p, chatarc_error_t *err)
{
	const char *line = p->line.buf;
	size_t len = p->line.len;
	if (p->first_line && len >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3)) {
		line += 3;
		len -= 3;
	}
	p->first_line = false;
	if (len == 0)
		return dispatch(p, err);
	if (line[0] == ':') {
		p->comments++;
		return CHATARC_OK;
	}
	const char *colon = memchr(line, ':', len);
	size_t name_len = colon ? (size_t)(colon - line) : len;
	const char *value = colon ? colon + 1 : line + len;
	if (colon && value < line + len && *value == ' ')
		value++;
	size_t value_len = (size_t)(line + len - value);
	if (name_len == 5 && !memcmp(line, "event", 5)) {
		strbuf_reset(&p->type);
		strbuf_add(&p->type, value, value_len);
	} else if (name_len == 4 && !memcmp(line, "data", 4)) {
		if (p->data.len + value_len + 1 > p->max_event)
			return chatarc_error_set(err, CHATARC_ERR_FORMAT,
			                         "an event of the stream is over %zu bytes",
			                         p->max_event);
		if (p->have_data)
			strbuf_addch(&p->data, '\n');
		strbuf_add(&p->data, value, value_len);
		p->have_data = true;
	} else if (name_len == 2 && !memcmp(line, "id", 2) && !memchr(value, '\0', value_len)) {
		strbuf_reset(&p->last_id);
		strbuf_add(&p->last_id, value, value_len);
	} else if (name_len == 5 && !memcmp(line, "retry", 5) && value_len > 0 &&
	           strspn(value, "0123456789") >= value_len && value_len < 10) {
		p->retry_ms = strtol(value, NULL, 10);
	}
	return CHATARC_OK; /* other fields are ignored, as the standard says */
}

chatarc_status_t sse_feed(sse_parser_t *p, const char *bytes, size_t len, chatarc_error_t *err)
{
	for (size_t i = 0; i < len; i++) {
		char c = bytes[i];
		if (c == '\n' && p->after_cr) {
			p->after_cr = false;
			continue;
		}
		p->after_cr = c == '\r';
		if (c == '\r' || c == '\n') {
			chatarc_status_t status = take_line(p, err);
			strbuf_reset(&p->line);
			if (status != CHATARC_OK)
				return status;
			continue;
		}
		if (p->line.len + 1 > p->max_event + 64)
			return chatarc_error_set(err, CHATARC_ERR_FORMAT,
			                         "a line of the stream is over %zu bytes",
			                         p->max_event);
		strbuf_addch(&p->line, c);
	}
	return CHATARC_OK;
}
