/* `chatarc export [CHAT...] [DATE] --format json|csv|csv-raw`: the archive as
 * researchers' tools read it, streamed in time order across chats, with
 * the filters of cli/select.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/options.h"
#include "../common/sprinter.h"
#include "cli.h"
#include "select.h"

static const command_help_t export_help = {
    "chatarc export [CHAT...] [DATE] [--format json|csv|csv-raw] [--since T] [--until T]\n"
    "               [--author A[,A...]] [--query Q] [--session DATE] [--retweets]",
    "Writes messages to standard output in time order, one per uri (the versions\n"
    "an archive holds are merged; a post in two chats comes once for each).\n" SELECT_HELP
    "json: one record a line (the archive's fields, raw included).\n"
    "csv: a header row, then one row a message (RFC 4180; lists space-separated,\n"
    "alt texts a JSON array; no raw). A text cell a spreadsheet would run as a\n"
    "formula (starting =, +, -, @, tab, CR) gets a leading ' inside its quotes;\n"
    "csv-raw writes every cell as it is. All end with the message's session, topic\n"
    "and topic_method. --retweets writes boost events instead (who boosted,\n"
    "retweeted or reposted which message, when) in twarc-csv's columns for a\n"
    "retweet: id, created_at, author.username, author.name, network, chat, uri,\n"
    "url, referenced_tweets.retweeted.id, retweeted_uri, retweeted_username (the\n"
    "original's id and uri are empty where the source named only its author, as\n"
    "an \"RT @user: ...\" row does). `chatarc help export` and `man chatarc-data`\n"
    "say what each column holds."};

struct export_state {
	bool csv, raw; /* raw: csv-raw, formulas not neutralised */
	strbuf_t out;
};

/* The record's fields, then chatarc's own reading of it: its session (the
 * local date), topic ("t1", "intro", "wrap", empty) and topic_method. */
static void write_message(sprinter_t *sp, const chatarc_record_t *record,
                          const message_place_t *place)
{
	sp->begin_object(sp, "message");
	record_write_fields(sp, record);
	sp->nullable(sp, "session", place->date);
	sp->nullable(sp, "topic", place->topic && *place->topic ? place->topic : NULL);
	sp->nullable(sp, "topic_method", place->method);
	sp->end_object(sp);
}

/* A boost event, in the columns twarc-csv gives a retweet (id, created_at,
 * author.username, referenced_tweets.retweeted.id, retweeted_username),
 * with chatarc's network, chat and uris for the networks without
 * numeric ids. */
static const char *const boost_columns[] = {"id",
                                            "created_at",
                                            "author.username",
                                            "author.name",
                                            "network",
                                            "chat",
                                            "uri",
                                            "url",
                                            "referenced_tweets.retweeted.id",
                                            "retweeted_uri",
                                            "retweeted_username",
                                            NULL};

static void write_boost(sprinter_t *sp, const chatarc_record_t *b)
{
	char created[CHATARC_TIME_ISO_LEN];
	time_format_iso(b->created_ms, created);
	/* Twitter's original by its id, as twarc-csv; other networks by uri. */
	const char *of_id = b->boost_of;
	const char *status = of_id ? strstr(of_id, "/status/") : NULL;
	if (status && b->network && !strcmp(b->network, "twitter"))
		of_id = status + strlen("/status/");
	const char *values[] = {b->native_id ? b->native_id : b->uri,
	                        created,
	                        b->author,
	                        b->author_name,
	                        b->network,
	                        b->chat,
	                        b->uri,
	                        b->url,
	                        of_id,
	                        b->boost_of,
	                        b->boost_of_account};
	sp->begin_object(sp, "boost");
	for (size_t i = 0; boost_columns[i]; i++)
		sp->nullable(sp, boost_columns[i], values[i]);
	sp->end_object(sp);
}

static CHATARC_MUST_CHECK chatarc_status_t write_record(void *ctx, const chatarc_record_t *record,
                                                        const message_place_t *place,
                                                        chatarc_error_t *err)
{
	struct export_state *state = ctx;
	strbuf_reset(&state->out);
	if (state->csv) {
		struct sprinter_csv csv;
		sprinter_csv_init(&csv, &state->out);
		csv.raw = state->raw;
		if (record_is_boost(record))
			write_boost(&csv.sp, record);
		else
			write_message(&csv.sp, record, place);
		sprinter_csv_release(&csv);
	} else {
		struct sprinter_json json;
		sprinter_json_init(&json, &state->out);
		if (record_is_boost(record))
			write_boost(&json.sp, record);
		else
			write_message(&json.sp, record, place);
		strbuf_addch(&state->out, '\n');
	}
	if (fwrite(state->out.buf, 1, state->out.len, stdout) != state->out.len)
		return chatarc_error_set(err, CHATARC_ERR_IO, "cannot write to standard output");
	return CHATARC_OK;
}

int cmd_export(int argc, char **argv, cli_context_t *ctx)
{
	static const char *const formats[] = {"json", "csv", "csv-raw", NULL};
	enum { FORMAT_JSON, FORMAT_CSV, FORMAT_CSV_RAW };
	int format = FORMAT_JSON;
	select_options_t filters = {0};
	bool help = false, retweets = false;
	const chatarc_option_t options[] = {
	    OPT_KEYWORD("format", 'f', "json|csv|csv-raw", "output format (default json)", &format,
	                formats),
	    OPT_FLAG("retweets", 0, NULL,
	             "boost events instead of messages: who boosted, retweeted or reposted which "
	             "message, when",
	             &retweets),
	    SELECT_OPTIONS(filters),
	    OPT_END,
	};
	chatarc_error_t err;
	message_select_t *select = NULL;

	chatarc_status_t status = options_parse(options, &export_help, &argc, argv, &help, &err);
	if (status != CHATARC_OK || help)
		return cli_report("export", status, &err);
	status = select_open(ctx, "export", argv + 1, argc - 1, &filters, &select, &err);
	if (status == CHATARC_ERR_USAGE) {
		select_close(select);
		return options_usage_error("export", &export_help, err.message);
	}
	struct export_state state = {.csv = format != FORMAT_JSON, .raw = format == FORMAT_CSV_RAW};
	strbuf_init(&state.out, 8192);
	if (status == CHATARC_OK && state.csv) {
		static const char *const place_columns[] = {"session", "topic", "topic_method",
		                                            NULL};
		if (retweets) {
			for (size_t i = 0; boost_columns[i]; i++)
				strbuf_addf(&state.out, "%s%s", i ? "," : "", boost_columns[i]);
			strbuf_add(&state.out, "\r\n", 2);
		} else {
			record_csv_header(&state.out, place_columns);
		}
		fwrite(state.out.buf, 1, state.out.len, stdout);
	}
	if (status == CHATARC_OK)
		status = retweets ? select_for_each_boost(select, write_record, &state, &err)
		                  : select_for_each(select, write_record, &state, &err);
	strbuf_release(&state.out);
	select_close(select);
	return cli_report("export", status, &err);
}
