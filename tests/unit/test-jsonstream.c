/* The object splitter: every input shape, any chunking, and cut-off input. */
#include <stdlib.h>

#include "../../fetch/jsonstream.h"
#include "unit.h"

struct collected {
	strbuf_t joined; /* objects separated by '|' */
	char lines[256];
	int count;
};

static chatarc_status_t collect(void *ctx, char *json, size_t len, long line, chatarc_error_t *err)
{
	struct collected *c = ctx;
	(void)err;
	if (c->joined.len)
		strbuf_addch(&c->joined, '|');
	strbuf_add(&c->joined, json, len);
	int n = (int)strlen(c->lines);
	snprintf(c->lines + n, sizeof c->lines - (size_t)n, "%s%ld", n ? "," : "", line);
	c->count++;
	return CHATARC_OK;
}

/* Feeds text in pieces of `step` bytes; returns the final status. */
static chatarc_status_t split(const char *text, size_t step, struct collected *c,
                              chatarc_error_t *err)
{
	jsonstream_t js;
	chatarc_status_t status = CHATARC_OK;
	size_t len = strlen(text);
	memset(c, 0, sizeof *c);
	strbuf_init(&c->joined, 0);
	jsonstream_init(&js, collect, c);
	for (size_t i = 0; i < len && status == CHATARC_OK; i += step)
		status = jsonstream_feed(&js, text + i, i + step > len ? len - i : step, err);
	if (status == CHATARC_OK)
		status = jsonstream_finish(&js, err);
	jsonstream_release(&js);
	return status;
}

static void expect_split(const char *text, const char *want, const char *lines)
{
	struct collected c;
	chatarc_error_t err;
	/* Every chunk size must give the same objects: a chunk boundary can
	 * fall inside a string, an escape or a bracket. */
	for (size_t step = 1; step <= strlen(text) + 1; step++) {
		CHECK(split(text, step, &c, &err) == CHATARC_OK);
		CHECK_STR(c.joined.buf, want);
		if (lines)
			CHECK_STR(c.lines, lines);
		strbuf_release(&c.joined);
	}
}

static void test_shapes(void)
{
	expect_split("{\"a\":1}\n{\"b\":\"}\"}\n", "{\"a\":1}|{\"b\":\"}\"}", "1,2");
	expect_split("[{\"a\":[1,{\"x\":\"\\\"]\"}]}, {\"b\":2}]",
	             "{\"a\":[1,{\"x\":\"\\\"]\"}]}|{\"b\":2}", NULL);
	expect_split("window.YTD.tweets.part0 = [ {\n  \"tweet\" : {\"id\": \"1\"}\n} ]",
	             "{\n  \"tweet\" : {\"id\": \"1\"}\n}", "1");
	expect_split("\xef\xbb\xbf{\"bom\":true}", "{\"bom\":true}", "1");
	expect_split("[]\n[{\"p\":1}]\n", "{\"p\":1}", "2");
	/* Runs of backslashes before a quote: odd escapes it, even does not
	 * (the string scan jumps from quote to quote). */
	expect_split("{\"a\":\"x\\\\\"}{\"b\":\"\\\\\\\"}\\\\\"}\n{\"c\":\"}\"}",
	             "{\"a\":\"x\\\\\"}|{\"b\":\"\\\\\\\"}\\\\\"}|{\"c\":\"}\"}", "1,1,2");
	expect_split("{\"s\":\"{[\\\"\\\\\",\n\"t\":1}\n{\"u\":2}",
	             "{\"s\":\"{[\\\"\\\\\",\n\"t\":1}|{\"u\":2}", "1,3");
	expect_split("{\n \"pretty\": {\n  \"x\": 1\n }\n}\n{\"y\":2}",
	             "{\n \"pretty\": {\n  \"x\": 1\n }\n}|{\"y\":2}", "1,6");
}

static void test_bad_input(void)
{
	struct collected c;
	chatarc_error_t err;
	CHECK(split("{\"a\":1}\n{\"b\":", 4, &c, &err) == CHATARC_ERR_JSON);
	CHECK(strstr(err.message, "truncated") != NULL);
	CHECK(c.count == 1);
	strbuf_release(&c.joined);
	CHECK(split("[{\"a\":1},", 3, &c, &err) == CHATARC_ERR_JSON);
	CHECK(strstr(err.message, "never closed") != NULL);
	strbuf_release(&c.joined);
	CHECK(split("  \n ", 1, &c, &err) == CHATARC_ERR_FORMAT);
	CHECK(strstr(err.message, "empty") != NULL);
	strbuf_release(&c.joined);
	CHECK(split("{\"a\":[1}", 1, &c, &err) == CHATARC_ERR_JSON);
	strbuf_release(&c.joined);
	CHECK(split("[1, 2]", 1, &c, &err) == CHATARC_ERR_JSON);
	CHECK(strstr(err.message, "expected an object") != NULL);
	strbuf_release(&c.joined);
	CHECK(split("<html><body>502 Bad Gateway</body></html>", 7, &c, &err) == CHATARC_ERR_JSON);
	strbuf_release(&c.joined);
}

const unit_test_t jsonstream_tests[] = {
    {"jsonstream: JSONL, arrays, tweets.js, BOM, pretty JSON at any chunking", test_shapes},
    {"jsonstream: truncated, unbalanced and non-JSON input", test_bad_input},
    {NULL, NULL},
};
