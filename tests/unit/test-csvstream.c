/* The CSV splitter: quoting, line ends and a BOM at any chunking, since a
 * 256 KB read can end between a CR and its LF, inside "" or inside a BOM. */
#include <stdlib.h>

#include "../../fetch/csvstream.h"
#include "unit.h"

struct rows {
	strbuf_t joined; /* fields joined by '|', rows by '/', each row's lines */
	int count;
};

static chatarc_status_t collect(void *ctx, char **fields, size_t n, long line, long last_line,
                                chatarc_error_t *err)
{
	struct rows *r = ctx;
	(void)err;
	if (r->count++)
		strbuf_addch(&r->joined, '/');
	strbuf_addf(&r->joined, "%ld-%ld:", line, last_line);
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&r->joined, "%s%s", i ? "|" : "", fields[i]);
	return CHATARC_OK;
}

static chatarc_status_t split(const char *text, size_t step, struct rows *r, chatarc_error_t *err)
{
	csvstream_t cs;
	chatarc_status_t status = CHATARC_OK;
	size_t len = strlen(text);
	memset(r, 0, sizeof *r);
	strbuf_init(&r->joined, 0);
	csvstream_init(&cs, collect, r);
	for (size_t i = 0; i < len && status == CHATARC_OK; i += step)
		status = csvstream_feed(&cs, text + i, i + step > len ? len - i : step, err);
	if (status == CHATARC_OK)
		status = csvstream_finish(&cs, err);
	csvstream_release(&cs);
	return status;
}

static void expect_rows(const char *text, const char *want)
{
	struct rows r;
	chatarc_error_t err;
	for (size_t step = 1; step <= strlen(text) + 1; step++) {
		CHECK(split(text, step, &r, &err) == CHATARC_OK);
		CHECK_STR(r.joined.buf, want);
		strbuf_release(&r.joined);
	}
}

static void test_shapes(void)
{
	/* CRLF and LF, a last row without a line end, a blank line skipped. */
	expect_rows("a,b\r\nc,d\n\ne,f", "1-1:a|b/2-2:c|d/4-4:e|f");
	/* Quotes: "" is a quote, a comma and line breaks inside stay. */
	expect_rows("id,text\r\n1,\"say \"\"hi\"\", then\r\ngo\"\r\n2,x\r\n",
	            "1-1:id|text/2-3:1|say \"hi\", then\r\ngo/4-4:2|x");
	/* A quote inside an unquoted field is a character, as spreadsheets read it. */
	expect_rows("5\" screen,ok\n", "1-1:5\" screen|ok");
	/* A BOM, and empty fields. */
	expect_rows("\xef\xbb\xbfid,,x\n,,\n", "1-1:id||x/2-2:||");
	/* A CR alone ends a line (old Mac sheets). */
	expect_rows("a\rb\r", "1-1:a/2-2:b");
}

static void test_bad_input(void)
{
	struct rows r;
	chatarc_error_t err;
	CHECK(split("id,text\n1,\"never closes\n2,x\n", 5, &r, &err) == CHATARC_ERR_FORMAT);
	CHECK(strstr(err.message, "never closes") != NULL);
	CHECK(r.count == 1);
	strbuf_release(&r.joined);
	CHECK(split("", 1, &r, &err) == CHATARC_ERR_FORMAT);
	strbuf_release(&r.joined);
}

const unit_test_t csvstream_tests[] = {
    {"csvstream: quotes, CRLF, CR, BOM, blank lines at any chunking", test_shapes},
    {"csvstream: a quote that never closes, no rows", test_bad_input},
    {NULL, NULL},
};
