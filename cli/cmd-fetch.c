/* `chatarc fetch [CHAT...]`: the front end of fetch/fetch.c. */
#define _DEFAULT_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/options.h"
#include "../common/terminal.h"
#include "../fetch/fetch.h"
#include "../fetch/http.h"
#include "cli.h"

static const command_help_t fetch_help = {
    "chatarc fetch [CHAT...] [--since T] [--until T] [--source NAME] [--follow]",
    "Pulls each chat's hashtags (every chat with \"sources\" when none is named)\n"
    "from its Mastodon instances and Bluesky into its archive, all sources at\n"
    "once. Each instance sees part of the fediverse: the archive keeps one\n"
    "message per uri. A later run goes on from where the last one stopped; the\n"
    "first walks back 7 days, or to --since. --until fetches a window once and\n"
    "leaves the cursors alone. Posts of accounts that opted out of indexing are\n"
    "skipped (and counted) unless the chat sets \"allow_noindex\". --follow then\n"
    "takes posts as they are pushed (Mastodon's streaming API, Bluesky's\n"
    "Jetstream), each committed within a second, filling any gap by the walk on\n"
    "every reconnect; a source without push is polled every\n"
    "fetch.follow_interval (30 s). Ctrl-C or SIGTERM stops it with everything\n"
    "received archived. Credentials come from the variables or files the source\n"
    "names.\n\n"
    "Exit status: 0 all sources read; 1 nothing could be done (another fetch\n"
    "holds every chat, a bad config, the archive cannot be written); 2 usage error;\n"
    "3 some sources failed (each named on stderr) while the others were read."};

static volatile sig_atomic_t stop_requested;

static void on_signal(int signo)
{
	(void)signo;
	stop_requested = 1;
}

struct fetch_view {
	bool tty;
	size_t lines_drawn;
};

static void describe_job(const fetch_job_stats_t *j, char *out, size_t size)
{
	chatarc_ms_t now = time_now_ms();
	int n = snprintf(out, size, "%s %s #%s: %ld %s, %ld new", j->chat, j->source, j->tag,
	                 j->pages, plural(j->pages, "page", "pages"), j->stored.new_messages);
	if (n < 0 || (size_t)n >= size)
		return;
	if (j->failed)
		snprintf(out + n, size - (size_t)n, ", failed");
	else if (j->waiting_until > now)
		snprintf(out + n, size - (size_t)n, ", waiting %.0f s (rate limit or retry)",
		         (double)(j->waiting_until - now) / 1000.0 + 0.5);
	else if (j->live)
		snprintf(out + n, size - (size_t)n, ", %s (%ld pushed)", j->live, j->streamed);
	else if (j->done)
		snprintf(out + n, size - (size_t)n, ", up to date");
}

static void draw_progress(void *ctx, const fetch_report_t *report)
{
	struct fetch_view *view = ctx;
	char line[512];
	if (!view->tty)
		return;
	if (view->lines_drawn)
		fprintf(stderr, "\033[%zuA", view->lines_drawn);
	for (size_t i = 0; i < report->n_jobs; i++) {
		describe_job(&report->jobs[i], line, sizeof line);
		fputc('\r', stderr);
		term_fputs(line, stderr);
		fputs("\033[K\n", stderr);
	}
	view->lines_drawn = report->n_jobs;
	fflush(stderr);
}

static void log_line(void *ctx, const char *line)
{
	(void)ctx;
	term_say("fetch", line);
}

static void print_summary(const fetch_report_t *report)
{
	for (size_t i = 0; i < report->n_jobs; i++) {
		const fetch_job_stats_t *j = &report->jobs[i];
		printf("%s %s #%s: %ld new, %ld duplicate, %ld updated, %ld skipped for consent, "
		       "%ld forgotten, %ld boosts counted, %ld errors (%ld pages, %ld requests, "
		       "%ld retries); %ld re-checked, %ld deleted upstream",
		       j->chat, j->source, j->tag, j->stored.new_messages, j->stored.duplicates,
		       j->stored.updated, j->consent_skipped, j->stored.forgotten, j->boosts,
		       j->errors, j->pages, j->requests, j->retries, j->rechecked, j->deleted);
		if (j->live)
			printf("; %ld pushed", j->streamed);
		putchar('\n');
	}
}

int cmd_fetch(int argc, char **argv, cli_context_t *ctx)
{
	const char *since = NULL, *until = NULL, *source = NULL;
	bool follow = false, verbose = false, quiet = false, help = false;
	const chatarc_option_t options[] = {
	    OPT_STRING("since", 0, "T", "walk back to T (ISO 8601) on this run", &since),
	    OPT_STRING("until", 0, "T", "only messages before T (a one-off: cursors untouched)",
	               &until),
	    OPT_STRING("source", 's', "NAME", "only this source of each chat", &source),
	    OPT_FLAG("follow", 'f', NULL,
	             "then follow the streams until interrupted (SIGINT/SIGTERM)", &follow),
	    OPT_FLAG("verbose", 'v', NULL, "log each request, and print the summary", &verbose),
	    OPT_FLAG("quiet", 'q', NULL, "no progress or summary even on a terminal", &quiet),
	    OPT_END,
	};
	chatarc_error_t err;
	const chatarc_config_t *config;
	fetch_options_t fetch_options = {0};
	strlist_t chats = {0};

	chatarc_status_t status = options_parse(options, &fetch_help, &argc, argv, &help, &err);
	if (status == CHATARC_OK && !help)
		status = cli_parse_time("since", since, &fetch_options.since, &err);
	if (status == CHATARC_OK && !help)
		status = cli_parse_time("until", until, &fetch_options.until, &err);
	if (status == CHATARC_OK && follow && until)
		status = chatarc_error_set(&err, CHATARC_ERR_USAGE,
		                           "--follow and --until do not go together");
	if (status == CHATARC_OK && fetch_options.since && fetch_options.until &&
	    fetch_options.since >= fetch_options.until)
		status =
		    chatarc_error_set(&err, CHATARC_ERR_USAGE, "--since must be before --until");
	if (status != CHATARC_OK || help)
		return cli_report("fetch", status, &err);
	if (!(config = cli_config(ctx, &err)))
		return cli_report("fetch", ctx->config_status, &err);
	for (int i = 1; i < argc; i++)
		strlist_add(&chats, argv[i]);
	fetch_options.only_source = source;
	fetch_options.follow = follow;
	int code = cli_fetch_run(ctx, config, &chats, &fetch_options, verbose, quiet);
	strlist_clear(&chats);
	return code;
}

int cli_fetch_run(cli_context_t *ctx, const chatarc_config_t *config, const strlist_t *chats,
                  fetch_options_t *fetch_options, bool verbose, bool quiet)
{
	chatarc_error_t err;
	fetch_report_t report;
	bool follow = fetch_options->follow;
	struct fetch_view view = {.tty = ctx->stderr_tty && !quiet};
	fetch_options->stop = &stop_requested;
	fetch_options->progress = draw_progress;
	fetch_options->log = verbose ? log_line : NULL;
	fetch_options->warning = log_line;
	fetch_options->notice = verbose || ctx->stderr_tty ? log_line : NULL;
	fetch_options->ctx = &view;

	struct sigaction action = {.sa_handler = on_signal};
	sigemptyset(&action.sa_mask);
	sigaction(SIGINT, &action, NULL);
	sigaction(SIGTERM, &action, NULL);

	chatarc_status_t status =
	    fetch_chats(ctx->data_dir, config, chats, fetch_options, &report, &err);
	if ((status == CHATARC_OK || status == CHATARC_ERR_PARTIAL) && !quiet &&
	    (verbose || ctx->stdout_tty))
		print_summary(&report);
	int code;
	if (status == CHATARC_ERR_PARTIAL) {
		size_t failed = 0;
		long stored = 0;
		for (size_t i = 0; i < report.n_jobs; i++) {
			failed += report.jobs[i].failed;
			stored +=
			    report.jobs[i].stored.new_messages + report.jobs[i].stored.updated;
		}
		if (failed == report.n_jobs && stored == 0) {
			/* Nothing came: a failure, not a partial run. */
			fprintf(stderr, "chatarc: fetch: every source failed (said above); nothing "
			                "was fetched\n");
			code = EXIT_FAILURE_RUNTIME;
		} else {
			fprintf(stderr,
			        "chatarc: fetch: %zu of %zu sources failed (said above); what the "
			        "others gave is archived\n",
			        failed, report.n_jobs);
			code = EXIT_PARTIAL;
		}
	} else if (status != CHATARC_OK) {
		code = cli_report("fetch", status, &err);
	} else {
		code = stop_requested && !follow ? EXIT_FAILURE_RUNTIME : EXIT_OK;
		if (stop_requested && !follow)
			fprintf(stderr,
			        "chatarc: fetch: interrupted; what was fetched is archived, "
			        "and the next run goes on from there\n");
	}
	fetch_report_release(&report);
	return code;
}
