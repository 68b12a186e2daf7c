/* `chatarc summarise CHAT [DATE] [--format xml|json]`. */
#include <stdio.h>
#include <string.h>

#include "../cli/cli.h"
#include "../common/options.h"
#include "summary.h"

static const command_help_t summarise_help = {
    "chatarc summarise CHAT [DATE] [--format xml|json]",
    "Cuts one session of CHAT out of the archive and writes its summary: the\n"
    "messages grouped by topic question (T1, T2, ...), with the welcome and\n"
    "wrap-up sections, each message's assignment method, and the recap\n"
    "(participants, newcomers, networks, hashtags, mentions, links, activity per\n"
    "minute, who replied to whom, highlights per topic). DATE is the session's\n"
    "local date in the chat's time zone; the default is the latest session.\n"
    "The session window is the chat's schedule with slack_minutes either side,\n"
    "or, without a schedule, the busiest run of messages that day.\n"
    "xml follows share/schema/summary.rng; json carries the same content."};

int cmd_summarise(int argc, char **argv, cli_context_t *ctx)
{
	const char *format = "xml";
	bool help = false;
	const chatarc_option_t options[] = {
	    {OPTION_STRING, "format", 'f', "xml|json", "output format (default xml)", &format},
	    {0},
	};
	chatarc_error_t err;
	chatarc_config_t config;
	const chatarc_chat_t *chat;
	summary_t *summary;

	chatarc_status_t status = options_parse(options, &summarise_help, &argc, argv, &help, &err);
	if (status != CHATARC_OK || help)
		return cli_report("summarise", status, &err);
	if (argc < 2 || argc > 3 || (strcmp(format, "xml") && strcmp(format, "json"))) {
		fprintf(stderr, "chatarc: summarise: %s\nusage: %s\n",
		        argc < 2 || argc > 3 ? "name one CHAT and at most one DATE"
		                             : "--format must be xml or json",
		        summarise_help.usage);
		return EXIT_USAGE;
	}
	if ((status = cli_load_chat(ctx, argv[1], &config, &chat, &err)))
		return cli_report("summarise", status, &err);
	summary_history_t history;
	summary_history_init(&history);
	status = summary_build(ctx->data_dir, chat, argc == 3 ? argv[2] : NULL, &history, &summary,
	                       &err);
	summary_history_release(&history);
	config_release(&config);
	if (status != CHATARC_OK)
		return cli_report("summarise", status, &err);
	strbuf_t out;
	strbuf_init(&out, 1 << 16);
	if (!strcmp(format, "xml"))
		summary_write_xml(summary, &out);
	else
		summary_write_json(summary, &out);
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
	summary_free(summary);
	return EXIT_OK;
}
