/* `chatarc export CHAT [DATE] --format json|csv`: the archive as researchers'
 * tools read it, streamed in time order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/archive.h"
#include "../common/options.h"
#include "cli.h"

static const command_help_t export_help = {
    "chatarc export CHAT [DATE] [--format json|csv] [--since T] [--until T]",
    "Writes CHAT's messages to standard output in time order, one per uri (the\n"
    "versions an archive holds are merged). DATE (YYYY-MM-DD) limits the output to\n"
    "that day in the chat's time zone; --since and --until take ISO 8601 times\n"
    "(UTC unless they carry an offset), --until exclusive.\n"
    "json: one record a line (the archive's fields, raw included).\n"
    "csv: a header row, then one row a message (RFC 4180; lists space-separated;\n"
    "no raw)."};

struct export_state {
	bool csv;
	const chatarc_chat_t *chat; /* its hide list stays out */
	strbuf_t out;
};

static chatarc_status_t write_record(void *ctx, const chatarc_record_t *record,
                                     chatarc_error_t *err)
{
	struct export_state *state = ctx;
	if (config_chat_hides(state->chat, record))
		return CHATARC_OK;
	strbuf_reset(&state->out);
	if (state->csv) {
		record_to_csv(record, &state->out);
	} else {
		record_to_json(record, &state->out);
		strbuf_addch(&state->out, '\n');
	}
	if (fwrite(state->out.buf, 1, state->out.len, stdout) != state->out.len)
		return chatarc_error_set(err, CHATARC_ERR_IO, "cannot write to standard output");
	return CHATARC_OK;
}

int cmd_export(int argc, char **argv, cli_context_t *ctx)
{
	static const char *const formats[] = {"json", "csv", NULL};
	enum { FORMAT_JSON, FORMAT_CSV };
	int format = FORMAT_JSON;
	const char *since = NULL, *until = NULL;
	bool help = false;
	const chatarc_option_t options[] = {
	    OPT_KEYWORD("format", 'f', "json|csv", "output format (default json)", &format,
	                formats),
	    OPT_STRING("since", 0, "T", "only messages created at or after T", &since),
	    OPT_STRING("until", 0, "T", "only messages created before T", &until),
	    OPT_END,
	};
	chatarc_error_t err;
	const chatarc_chat_t *chat;
	chatarc_ms_t from = INT64_MIN, to = INT64_MAX;

	chatarc_status_t status = options_parse(options, &export_help, &argc, argv, &help, &err);
	if (status != CHATARC_OK || help)
		return cli_report("export", status, &err);
	if (argc < 2 || argc > 3)
		return options_usage_error("export", &export_help,
		                           "name one CHAT (and at most one DATE)");
	if ((status = cli_parse_time("since", since, &from, &err)) ||
	    (status = cli_parse_time("until", until, &to, &err)))
		return cli_report("export", status, &err);
	status = cli_find_chat(ctx, argv[1], &chat, &err);
	if (status != CHATARC_OK)
		return cli_report("export", status, &err);
	if (argc == 3) {
		chatarc_ms_t day_start, day_end;
		status = time_local_day_bounds(chat->tz, argv[2], &day_start, &day_end, &err);
		if (status != CHATARC_OK)
			return cli_report("export", status, &err);
		from = from > day_start ? from : day_start;
		to = to < day_end ? to : day_end;
	}

	struct export_state state = {.csv = format == FORMAT_CSV, .chat = chat};
	strbuf_init(&state.out, 8192);
	if (state.csv) {
		record_csv_header(&state.out);
		fwrite(state.out.buf, 1, state.out.len, stdout);
	}
	status = archive_for_each(ctx->data_dir, chat->name, from, to, write_record, &state, &err);
	strbuf_release(&state.out);
	return cli_report("export", status, &err);
}
