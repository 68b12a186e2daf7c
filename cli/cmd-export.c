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
    "               [--author A[,A...]] [--query Q] [--session DATE]",
    "Writes messages to standard output in time order, one per uri (the versions\n"
    "an archive holds are merged; a post in two chats comes once for each).\n" SELECT_HELP
    "json: one record a line (the archive's fields, raw included).\n"
    "csv: a header row, then one row a message (RFC 4180; lists space-separated,\n"
    "alt texts a JSON array; no raw). A text cell a spreadsheet would run as a\n"
    "formula (starting =, +, -, @, tab, CR) gets a leading ' inside its quotes;\n"
    "csv-raw writes every cell as it is. All end with the message's session, topic\n"
    "and topic_method. `chatarc help export` and `man chatarc-data` say what each\n"
    "column holds."};

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
		write_message(&csv.sp, record, place);
		sprinter_csv_release(&csv);
	} else {
		struct sprinter_json json;
		sprinter_json_init(&json, &state->out);
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
	bool help = false;
	const chatarc_option_t options[] = {
	    OPT_KEYWORD("format", 'f', "json|csv|csv-raw", "output format (default json)", &format,
	                formats),
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
		record_csv_header(&state.out, place_columns);
		fwrite(state.out.buf, 1, state.out.len, stdout);
	}
	if (status == CHATARC_OK)
		status = select_for_each(select, write_record, &state, &err);
	strbuf_release(&state.out);
	select_close(select);
	return cli_report("export", status, &err);
}
