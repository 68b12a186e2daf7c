/* The event-stream parser: Mastodon's events and heartbeats, every line
 * ending, any chunking, and a stream that sends too much. */
#include <stdlib.h>

#include "../../fetch/sse.h"
#include "unit.h"

struct seen {
	strbuf_t events; /* "type=data" joined by '|' */
	int count;
};

static chatarc_status_t note(void *ctx, const char *type, const char *data, size_t len,
                             chatarc_error_t *err)
{
	struct seen *s = ctx;
	(void)err;
	if (s->events.len)
		strbuf_addch(&s->events, '|');
	strbuf_addf(&s->events, "%s=", type);
	strbuf_add(&s->events, data, len);
	s->count++;
	return CHATARC_OK;
}

/* Feeds text in pieces of `step` bytes; returns the parser's status. */
static chatarc_status_t parse(const char *text, size_t step, struct seen *s, long *comments,
                              char *last_id, size_t id_size)
{
	sse_parser_t p;
	chatarc_error_t err;
	chatarc_status_t status = CHATARC_OK;
	size_t len = strlen(text);
	memset(s, 0, sizeof *s);
	strbuf_init(&s->events, 0);
	sse_init(&p, 64, note, s);
	for (size_t i = 0; i < len && status == CHATARC_OK; i += step)
		status = sse_feed(&p, text + i, i + step > len ? len - i : step, &err);
	if (comments)
		*comments = p.comments;
	if (last_id)
		snprintf(last_id, id_size, "%s", p.last_id.buf);
	sse_release(&p);
	return status;
}

static void test_mastodon_events(void)
{
	/* As Mastodon's streaming server writes them. */
	const char *stream = ":)\n\n"
	                     "event: update\ndata: {\"id\":\"1\"}\n\n"
	                     ":thump\n\n"
	                     "event: delete\ndata: 109\n\n"
	                     "event: status.update\ndata: {\"id\":\"1\",\"e\":1}\n\n";
	for (size_t step = 1; step <= strlen(stream); step++) {
		struct seen s;
		long comments;
		CHECK(parse(stream, step, &s, &comments, NULL, 0) == CHATARC_OK);
		CHECK_STR(s.events.buf,
		          "update={\"id\":\"1\"}|delete=109|status.update={\"id\":\"1\",\"e\":1}");
		CHECK(comments == 2);
		strbuf_release(&s.events);
	}
}

static void test_line_endings_and_fields(void)
{
	struct seen s;
	char id[32];
	/* CRLF, CR and LF; data lines joined; no space after the colon; an
	 * event without a type is "message"; an event without data is none;
	 * unknown fields ignored; the last id kept. */
	const char *stream = "\xEF\xBB\xBF"
	                     "data:a\r\ndata: b\rid: 42\r\nfoo: x\n\r\n"
	                     "event: nothing\n\n"
	                     "event: x\ndata\n\n";
	for (size_t step = 1; step <= 3; step++) {
		CHECK(parse(stream, step, &s, NULL, id, sizeof id) == CHATARC_OK);
		CHECK_STR(s.events.buf, "message=a\nb|x=");
		CHECK_STR(id, "42");
		strbuf_release(&s.events);
	}
	/* An event not ended by an empty line is not dispatched. */
	CHECK(parse("event: update\ndata: {}\n", 1, &s, NULL, NULL, 0) == CHATARC_OK);
	CHECK(s.count == 0);
	strbuf_release(&s.events);
}

static void test_too_much(void)
{
	struct seen s;
	strbuf_t big;
	strbuf_init(&big, 0);
	strbuf_addstr(&big, "event: update\n");
	for (int i = 0; i < 20; i++)
		strbuf_addstr(&big, "data: 0123456789\n");
	strbuf_addstr(&big, "\n");
	CHECK(parse(big.buf, 7, &s, NULL, NULL, 0) == CHATARC_ERR_FORMAT);
	CHECK(s.count == 0);
	strbuf_release(&s.events);
	strbuf_reset(&big);
	for (int i = 0; i < 200; i++)
		strbuf_addch(&big, ':');
	CHECK(parse(big.buf, 50, &s, NULL, NULL, 0) == CHATARC_ERR_FORMAT);
	strbuf_release(&s.events);
	strbuf_release(&big);
}

const unit_test_t sse_tests[] = {
    {"sse: Mastodon's events and heartbeats, in any chunking", test_mastodon_events},
    {"sse: CRLF, CR, LF, joined data, ids, events without data", test_line_endings_and_fields},
    {"sse: an event or a line past the bound is an error", test_too_much},
    {NULL, NULL},
};
