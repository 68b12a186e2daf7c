/* A byte-level scanner that tracks only strings and bracket nesting; the
 * objects it cuts out are validated by yajl when parsed. */
#include "jsonstream.h"

#include <stdbool.h>
#include <string.h>

/* One post is a few kilobytes; an object this big is not a post. */
/* The largest object: a whole API page (100 tweets with their includes is
 * about 2 MB) with room to spare. A single post is tens of kilobytes; a
 * 100 MB "post" is an attack on memory (import once took 556 MB for one). */
#define JSONSTREAM_MAX_OBJECT (16u << 20)

enum {
	JS_START,       /* nothing seen yet */
	JS_PREFIX,      /* inside `window.YTD.x.part0 =` */
	JS_TOP,         /* between top-level values */
	JS_ELEM_EXPECT, /* after '[' or ',' in a top-level array */
	JS_ELEM_AFTER,  /* after an element: ',' or ']' */
	JS_OBJECT,      /* inside an object being captured */
};

void jsonstream_init(jsonstream_t *js, jsonstream_object_fn on_object, void *ctx)
{
	memset(js, 0, sizeof *js);
	js->on_object = on_object;
	js->ctx = ctx;
	js->line = 1;
	js->state = JS_START;
	strbuf_init(&js->object, 0);
}

void jsonstream_release(jsonstream_t *js)
{
	strbuf_release(&js->object);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static CHATARC_MUST_CHECK chatarc_status_t unexpected(char c, const char *expected,
                                                      chatarc_error_t *err)
{
	if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
		return chatarc_error_set(err, CHATARC_ERR_JSON,
		                         "invalid JSON: expected %s, found byte 0x%02x", expected,
		                         (unsigned char)c);
	return chatarc_error_set(err, CHATARC_ERR_JSON, "invalid JSON: expected %s, found '%c'",
	                         expected, c);
}

/* At the '{' of an object to hand over. */
static void begin_object(jsonstream_t *js)
{
	js->state = JS_OBJECT;
	js->depth = 1;
	js->stack[0] = '{';
	js->in_string = js->escaped = 0;
	js->object_line = js->line;
	strbuf_reset(&js->object);
	strbuf_addch(&js->object, '{');
}

static void count_lines(jsonstream_t *js, const char *p, const char *end)
{
	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		js->line++;
		p++;
	}
}

/* Inside a string: returns its closing quote, or end (the string goes on
 * in the next chunk). Strings are most of a post's bytes, so the quote is
 * found with memchr and only the backslashes just before it are looked
 * at: an odd run of them escapes it. */
static const char *skip_string(jsonstream_t *js, const char *q, const char *end)
{
	if (js->escaped && q < end) {
		js->escaped = 0;
		if (*q++ == '\n')
			js->line++;
	}
	for (const char *from = q;;) {
		const char *quote = memchr(from, '"', (size_t)(end - from));
		const char *stop = quote ? quote : end;
		const char *run = stop;
		while (run > q && run[-1] == '\\')
			run--;
		bool odd = (stop - run) % 2;
		if (!quote) {
			count_lines(js, q, end);
			js->escaped = odd;
			return end;
		}
		if (!odd) {
			count_lines(js, q, quote);
			js->in_string = 0;
			return quote;
		}
		from = quote + 1;
	}
}

/* Scans p[0..end) inside an object; returns bytes consumed. On the closing
 * bracket it hands the object over. */
static CHATARC_MUST_CHECK chatarc_status_t scan_object(jsonstream_t *js, const char *p,
                                                       const char *end, size_t *used,
                                                       chatarc_error_t *err)
{
	const char *q = p;
	for (; q < end; q++) {
		if (js->in_string) {
			q = skip_string(js, q, end);
			if (q == end)
				break;
			continue; /* q is at the closing quote */
		}
		char c = *q;
		if (c == '\n')
			js->line++;
		if (c == '"') {
			js->in_string = 1;
		} else if (c == '{' || c == '[') {
			if (js->depth == (int)sizeof js->stack)
				return chatarc_error_set(err, CHATARC_ERR_JSON,
				                         "JSON nested too deeply");
			js->stack[js->depth++] = c;
		} else if (c == '}' || c == ']') {
			char open = c == '}' ? '{' : '[';
			if (js->depth == 0 || js->stack[js->depth - 1] != open)
				return chatarc_error_set(err, CHATARC_ERR_JSON,
				                         "invalid JSON: unbalanced '%c'", c);
			if (--js->depth == 0) {
				q++;
				break;
			}
		}
	}
	strbuf_add(&js->object, p, (size_t)(q - p));
	*used = (size_t)(q - p);
	if (js->object.len > JSONSTREAM_MAX_OBJECT)
		return chatarc_error_set(
		    err, CHATARC_ERR_FORMAT,
		    "one JSON object is larger than %u MB: not a post or a page of "
		    "posts",
		    JSONSTREAM_MAX_OBJECT >> 20);
	if (js->depth == 0 && js->object.len) {
		js->objects++;
		js->state = js->in_array ? JS_ELEM_AFTER : JS_TOP;
		return js->on_object(js->ctx, js->object.buf, js->object.len, js->object_line, err);
	}
	return CHATARC_OK;
}

chatarc_status_t jsonstream_feed(jsonstream_t *js, const char *data, size_t len,
                                 chatarc_error_t *err)
{
	const char *p = data, *end = data + len;
	chatarc_status_t status;

	while (p < end) {
		if (js->state == JS_OBJECT) {
			size_t used = 0;
			status = scan_object(js, p, end, &used, err);
			if (status != CHATARC_OK)
				return status;
			p += used;
			continue;
		}
		char c = *p;
		/* A UTF-8 byte order mark may open a file written on Windows; it
		 * can be split across reads, so it is matched byte by byte. */
		if (js->state == JS_START && js->bytes_seen < 3 &&
		    c == "\xef\xbb\xbf"[js->bytes_seen] && js->bom_bytes == js->bytes_seen) {
			js->bom_bytes++;
			js->bytes_seen++;
			p++;
			continue;
		}
		js->bytes_seen++;
		p++;
		if (c == '\n')
			js->line++;
		switch (js->state) {
		case JS_START:
		case JS_TOP:
			if (is_space(c) || (c == ';' && js->state == JS_TOP))
				break;
			if (c == '{') {
				begin_object(js);
			} else if (c == '[') {
				js->in_array = 1;
				js->after_comma = 0;
				js->array_line = js->line;
				js->state = JS_ELEM_EXPECT;
			} else if (js->state == JS_START &&
			           ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
				js->state = JS_PREFIX; /* window.YTD.tweets.part0 = [ */
			} else {
				return unexpected(c, "'{' or '['", err);
			}
			break;
		case JS_PREFIX:
			if (c == '=')
				js->state = JS_TOP;
			else if (c == '\n' || c == '[' || c == '{')
				return chatarc_error_set(err, CHATARC_ERR_JSON,
				                         "invalid JSON: text before the first "
				                         "value is not a `window.YTD... =` prefix");
			break;
		case JS_ELEM_EXPECT:
			if (is_space(c))
				break;
			if (c == '{') {
				begin_object(js);
			} else if (c == ']' && !js->after_comma) {
				js->in_array = 0;
				js->state = JS_TOP;
			} else {
				return unexpected(c, "an object in the array", err);
			}
			break;
		case JS_ELEM_AFTER:
			if (is_space(c))
				break;
			if (c == ',') {
				js->after_comma = 1;
				js->state = JS_ELEM_EXPECT;
			} else if (c == ']') {
				js->in_array = 0;
				js->state = JS_TOP;
			} else {
				return unexpected(c, "',' or ']' after an array element", err);
			}
			break;
		}
	}
	return CHATARC_OK;
}

chatarc_status_t jsonstream_finish(jsonstream_t *js, chatarc_error_t *err)
{
	switch (js->state) {
	case JS_OBJECT:
		js->line = js->object_line;
		return chatarc_error_set(err, CHATARC_ERR_JSON,
		                         "truncated JSON: the object starting here is cut off at "
		                         "the end of the file");
	case JS_ELEM_EXPECT:
	case JS_ELEM_AFTER:
		js->line = js->array_line;
		return chatarc_error_set(err, CHATARC_ERR_JSON,
		                         "truncated JSON: the array opened here is never closed");
	case JS_PREFIX:
		return chatarc_error_set(err, CHATARC_ERR_JSON,
		                         "truncated: no JSON after the `window.YTD` prefix");
	case JS_START:
		return chatarc_error_set(err, CHATARC_ERR_FORMAT, "empty file: no JSON in it");
	}
	return CHATARC_OK;
}
