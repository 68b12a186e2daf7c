/* `chatarc index [--rebuild]`. */
#include <stdio.h>
#include <stdlib.h>

#include "../common/options.h"
#include "../index/index.h"
#include "cli.h"

static const command_help_t index_help = {
    "chatarc index [--rebuild]",
    "Brings the search index (DIR/index, Xapian) up to date with the archive of\n"
    "every configured chat: only day files that changed since the last run are\n"
    "read again. A run that is killed resumes where its last commit ended.\n"
    "--rebuild builds a new index beside the old one and swaps it in at once;\n"
    "searches keep working meanwhile."};

static void show_progress(void *ctx, const char *chat, long day, long days)
{
	const cli_context_t *cli = ctx;
	if (cli->stderr_tty)
		fprintf(stderr, "\rindexing %s: day %ld of %ld\033[K", chat, day, days);
}

int cmd_index(int argc, char **argv, cli_context_t *ctx)
{
	bool rebuild = false, verbose = false, help = false;
	const chatarc_option_t options[] = {
	    OPT_FLAG("rebuild", 0, NULL, "build a new index and swap it in", &rebuild),
	    OPT_FLAG("verbose", 'v', NULL, "print what was done", &verbose),
	    OPT_END,
	};
	chatarc_error_t err;
	const chatarc_config_t *config;
	index_stats_t stats = {0};

	chatarc_status_t status = options_parse(options, &index_help, &argc, argv, &help, &err);
	if (status != CHATARC_OK || help)
		return cli_report("index", status, &err);
	int code = cli_no_arguments("index", argc, argv, &index_help);
	if (code != EXIT_OK)
		return code;
	if (!(config = cli_config(ctx, &err)))
		return cli_report("index", status, &err);
	status = index_update(ctx->data_dir, config, rebuild, show_progress, ctx, &stats, &err);
	if (ctx->stderr_tty)
		fputs("\r\033[K", stderr);
	if (status == CHATARC_ERR_BUSY)
		chatarc_error_append(&err,
		                     "another `chatarc index` is running; try again when it ends");
	if (status != CHATARC_OK) {
		index_stats_release(&stats);
		return cli_report("index", status, &err);
	}
	/* Said even to cron: it follows an edit of the config. */
	for (size_t i = 0; i < stats.replaced.len; i++)
		printf("%s: placed in sessions again (its schedule, moderators, labels or people "
		       "changed)\n",
		       stats.replaced.items[i]);
	if (verbose || ctx->stdout_tty)
		printf("indexed %ld %s from %ld changed day %s (%ld unchanged); %ld %s\n",
		       stats.messages, plural(stats.messages, "message", "messages"),
		       stats.days_indexed, plural(stats.days_indexed, "file", "files"),
		       stats.days_current, stats.documents,
		       plural(stats.documents, "document", "documents"));
	index_stats_release(&stats);
	return EXIT_OK;
}
