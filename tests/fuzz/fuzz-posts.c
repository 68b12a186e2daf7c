/* Fuzz harness: the importers. Bytes as a post file would hold them go
 * through the streaming JSON splitter and every network's converter, and
 * through the CSV reader and the tweet CSV dialects; each record must
 * write and read back as an archive line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/json.h"
#include "../../common/record.h"
#include "../../fetch/csvstream.h"
#include "../../fetch/jsonstream.h"
#include "../../fetch/posts.h"
#include "../../fetch/twitter-csv.h"

/* A rejected post, page or file is what a fuzzer feeds: its status is
 * looked at and let go; a crash or a bad record is the finding. */
static void tolerated(chatarc_status_t status)
{
	(void)status;
}

static chatarc_status_t check_record(void *ctx, chatarc_record_t *record, chatarc_error_t *err)
{
	strbuf_t line;
	chatarc_record_t again;
	(void)ctx;
	strbuf_init(&line, 256);
	record_to_json(record, &line);
	/* What the converter made, the archive must be able to read. */
	if (record_from_json(line.buf, &again, err) != CHATARC_OK)
		abort();
	record_clear(&again);
	strbuf_release(&line);
	record_clear(record);
	return CHATARC_OK;
}

static chatarc_status_t convert(void *ctx, char *json, size_t len, long line, chatarc_error_t *err)
{
	post_converter_t *conv = ctx;
	yajl_val obj, walked;
	(void)line;
	if (json_parse_text(json, len, &obj, err) != CHATARC_OK)
		return CHATARC_OK; /* an error the importer reports; not a crash */
	/* A container copied from its text (json_source_text) must be byte
	 * for byte what walking the tree writes. */
	if (json_parse_len(json, len, &walked, err) != CHATARC_OK)
		abort();
	strbuf_t copied, written;
	strbuf_init(&copied, 0);
	strbuf_init(&written, 0);
	json_add_value(&copied, obj);
	json_add_value(&written, walked);
	if (copied.len != written.len || memcmp(copied.buf, written.buf, copied.len))
		abort();
	strbuf_release(&copied);
	strbuf_release(&written);
	json_free(walked);
	tolerated(posts_convert_object(conv, obj, err));
	json_free(obj);
	return CHATARC_OK;
}

struct csv_run {
	post_converter_t *conv;
	tweet_csv_t *csv;
};

static chatarc_status_t convert_row(void *ctx, char **fields, size_t n, long line, long last_line,
                                    chatarc_error_t *err)
{
	struct csv_run *run = ctx;
	(void)line;
	(void)last_line;
	tolerated(tweet_csv_row(run->conv, run->csv, fields, n, err));
	return CHATARC_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	post_converter_t conv = {
	    .chat = "fuzz", .source = "import", .sink = check_record, .honour_consent = true};
	jsonstream_t js;
	chatarc_error_t err;
	jsonstream_init(&js, convert, &conv);
	if (jsonstream_feed(&js, (const char *)data, size, &err) == CHATARC_OK)
		tolerated(jsonstream_finish(&js, &err));
	jsonstream_release(&js);
	tolerated(posts_finish(&conv, &err));

	post_converter_t csv_conv = {.chat = "fuzz", .source = "import", .sink = check_record};
	struct csv_run run = {&csv_conv, tweet_csv_new("America/Toronto")};
	csvstream_t cs;
	csvstream_init(&cs, convert_row, &run);
	if (csvstream_feed(&cs, (const char *)data, size, &err) == CHATARC_OK)
		tolerated(csvstream_finish(&cs, &err));
	csvstream_release(&cs);
	tweet_csv_free(run.csv);
	tolerated(posts_finish(&csv_conv, &err));
	return 0;
}
