/* `chatarc update`: what a cron job runs after (and during) each chat: fetch
 * every chat with sources, bring the index up to date, publish what
 * changed, and write the last complete week's digest. Each step is the
 * command of the same name's work; quiet when all goes well. */
#include <stdio.h>
#include <string.h>

#include "../common/options.h"
#include "../common/terminal.h"
#include "../fetch/fetch.h"
#include "../index/index.h"
#include "cli.h"
#include "cmd-publish.h"

static const command_help_t update_help = {
    "chatarc update [--out DIR] [--verbose]",
    "Runs the whole pipeline, for cron: `fetch` of every chat with sources, `index`,\n"
    "`publish` (only pages that changed are written) and the `digest` of the last\n"
    "complete ISO week (rewritten only when it changes). Quiet on success; one\n"
    "line per problem on stderr. A chat another run is fetching is left to it\n"
    "(said only on a terminal or with --verbose), as is an index run under way.\n\n"
    "Exit status: 0 all done; 1 a step failed (the later steps still run on what\n"
    "the archive holds); 2 usage error; 3 some sources failed, the rest was done."};

static bool any_sources(const chatarc_config_t *config)
{
	for (size_t i = 0; i < config->n_chats; i++)
		if (config->chats[i].sources.len)
			return true;
	return false;
}

/* The worse of two exit codes for cron: a failure over a partial run. */
static int worse(int a, int b)
{
	if (a == EXIT_FAILURE_RUNTIME || b == EXIT_FAILURE_RUNTIME)
		return EXIT_FAILURE_RUNTIME;
	return a != EXIT_OK ? a : b;
}

static int update_index(cli_context_t *ctx, const chatarc_config_t *config, bool verbose)
{
	index_stats_t stats = {0};
	chatarc_error_t err;
	chatarc_status_t status =
	    index_update(ctx->data_dir, config, false, NULL, NULL, &stats, &err);
	for (size_t i = 0;
	     status == CHATARC_OK && (verbose || ctx->stdout_tty) && i < stats.replaced.len; i++)
		printf("index: %s: placed in sessions again (its settings changed)\n",
		       stats.replaced.items[i]);
	index_stats_release(&stats);
	if (status == CHATARC_ERR_BUSY) {
		char line[sizeof err.message + 20];
		snprintf(line, sizeof line, "%s; left to it", err.message);
		if (verbose || ctx->stderr_tty)
			term_say("update", line);
		return EXIT_OK;
	}
	if (status != CHATARC_OK)
		return cli_report("update", status, &err);
	if (verbose)
		printf("index: %ld day files indexed, %ld documents\n", stats.days_indexed,
		       stats.documents);
	return EXIT_OK;
}

static int update_site(cli_context_t *ctx, const char *out, bool verbose)
{
	struct publish_run r = {.ctx = ctx, .out = out};
	chatarc_error_t err;
	char week[9];
	long sessions = 0;
	publish_stats_t digest_stats = {0};
	chatarc_status_t status = publish_run_open(&r, 1, (char *[]){"update", NULL}, &err);
	if (status != CHATARC_OK)
		return cli_report("update", status, &err);
	publish_week_of(publish_now_ms() - 7 * 86400000LL, week);
	status = publish_digest(r.pub, r.config, week, &sessions, &digest_stats, &err);
	if (status == CHATARC_OK)
		status = publish_site(r.pub, r.config, &r.stats, &err);
	if (status == CHATARC_OK && verbose)
		printf("publish: %ld %s, %ld files written (digest %s: %ld %s)\n", r.stats.sessions,
		       plural(r.stats.sessions, "session", "sessions"),
		       r.stats.pages_written + digest_stats.pages_written, week, sessions,
		       plural(sessions, "session", "sessions"));
	publish_run_close(&r);
	return status == CHATARC_OK ? EXIT_OK : cli_report("update", status, &err);
}

int cmd_update(int argc, char **argv, cli_context_t *ctx)
{
	const char *out = NULL;
	bool verbose = false, help = false;
	const chatarc_option_t options[] = {
	    OPT_STRING("out", 'o', "DIR", "the site (default DIR/site)", &out),
	    OPT_FLAG("verbose", 'v', NULL, "say what each step did", &verbose),
	    OPT_END,
	};
	chatarc_error_t err;
	chatarc_status_t status = options_parse(options, &update_help, &argc, argv, &help, &err);
	if (status != CHATARC_OK || help)
		return cli_report("update", status, &err);
	if (argc > 1)
		return options_usage_error("update", &update_help, "takes no CHAT: it updates all");
	const chatarc_config_t *config = cli_config(ctx, &err);
	if (!config)
		return cli_report("update", ctx->config_status, &err);

	int code = EXIT_OK;
	if (any_sources(config)) {
		strlist_t every_chat = {0};
		fetch_options_t fetch_options = {0};
		code = cli_fetch_run(ctx, config, &every_chat, &fetch_options, verbose, !verbose);
	}
	code = worse(code, update_index(ctx, config, verbose));
	code = worse(code, update_site(ctx, out, verbose));
	return code;
}
