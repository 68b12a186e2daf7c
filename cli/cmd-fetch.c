/* `chatarc fetch [CHAT...]`: the front end of fetch/fetch.c. */
#define _DEFAULT_SOURCE
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "../common/alloc.h"
#include "../common/options.h"
#include "../common/terminal.h"
#include "../fetch/fetch.h"
#include "../fetch/http.h"
#include "../publish/publish.h"
#include "cli.h"

static const command_help_t fetch_help = {
    "chatarc fetch [CHAT...] [--since T] [--until T] [--source NAME] [--follow [--publish]]",
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
    "received archived. --publish then publishes the chats as posts arrive, at\n"
    "most every 10 s (`chatarc publish --live`: the session under way says\n"
    "\"live\" and reloads itself), and once more, final, when the chat has been\n"
    "quiet 15 minutes or fetch stops. Credentials come from the variables or\n"
    "files the source names.\n\n"
    "Exit status: 0 all sources read; 1 nothing could be done (another fetch\n"
    "holds every chat, a bad config, the archive cannot be written); 2 usage error;\n"
    "3 some sources failed (each named on stderr) while the others were read."};

static volatile sig_atomic_t stop_requested;

static void on_signal(int signo)
{
	(void)signo;
	stop_requested = 1;
}

/* fetch --follow --publish: `chatarc publish --live` in a child process
 * (the fetch loop never waits on a publish) when something arrived, about
 * every PUBLISH_LIVE_REFRESH_S, and once more, final, after the live
 * window passed with nothing new. */
struct live_publishing {
	bool on;
	const char *data_dir;
	const strlist_t *chats;
	pid_t child;               /* a publish under way, or 0 */
	chatarc_ms_t started;      /* ... the last began then */
	chatarc_ms_t took;         /* ... and took this long */
	long long total;           /* what the jobs stored, deleted, edited */
	long long published_total; /* ... when the last publish began */
	chatarc_ms_t changed;      /* total last changed then */
	bool live_shown;           /* a page may say "live": a final publish is owed */
	long publishes;
};

struct fetch_view {
	bool tty;
	size_t lines_drawn;
	struct live_publishing publishing;
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

/* Runs `chatarc publish [--live] CHAT...` (this program, a child);
 * wait: until it ends. */
static pid_t run_publish(struct live_publishing *lp, bool live, bool wait)
{
	const char **argv = xcalloc(lp->chats->len + 6, sizeof *argv);
	size_t n = 0;
	argv[n++] = "chatarc";
	argv[n++] = "--data";
	argv[n++] = lp->data_dir;
	argv[n++] = "publish";
	if (live)
		argv[n++] = "--live";
	for (size_t i = 0; i < lp->chats->len; i++)
		argv[n++] = lp->chats->items[i];
	pid_t pid = 0;
	extern char **environ;
	if (posix_spawn(&pid, "/proc/self/exe", NULL, NULL, (char *const *)argv, environ) != 0)
		pid = 0;
	free(argv);
	lp->publishes += pid != 0;
	if (pid && wait) {
		int ignored;
		waitpid(pid, &ignored, 0);
		pid = 0;
	}
	return pid;
}

static void publish_as_they_come(struct live_publishing *lp, const fetch_report_t *report)
{
	chatarc_ms_t now = time_now_ms();
	long long total = 0;
	for (size_t i = 0; i < report->n_jobs; i++) {
		const fetch_job_stats_t *j = &report->jobs[i];
		total += j->stored.new_messages + j->stored.updated + j->deleted;
	}
	if (total != lp->total) {
		lp->total = total;
		lp->changed = now;
	}
	int ignored;
	if (lp->child && waitpid(lp->child, &ignored, WNOHANG) == lp->child) {
		lp->child = 0;
		lp->took = now - lp->started;
	}
	if (lp->child)
		return;
	/* A publish starts every PUBLISH_LIVE_REFRESH_S less the time the last
	 * one took and half a second (5 s apart at least): a post is then on
	 * the page within that many seconds, the publish's own time included. */
	chatarc_ms_t period = PUBLISH_LIVE_REFRESH_S * 1000LL - lp->took - 500;
	if (period < 5000)
		period = 5000;
	if (total != lp->published_total && now - lp->started >= period) {
		lp->published_total = total;
		lp->started = now;
		lp->child = run_publish(lp, true, false);
		lp->live_shown = true;
	} else if (lp->live_shown && total == lp->published_total &&
	           now - lp->changed > PUBLISH_LIVE_WINDOW_MS + 5000) {
		lp->child = run_publish(lp, false, false); /* the chat went quiet: final */
		lp->live_shown = false;
	}
}

static void draw_progress(void *ctx, const fetch_report_t *report)
{
	struct fetch_view *view = ctx;
	char line[512];
	if (view->publishing.on)
		publish_as_they_come(&view->publishing, report);
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
	bool follow = false, verbose = false, quiet = false, help = false, publish = false;
	const chatarc_option_t options[] = {
	    OPT_STRING("since", 0, "T", "walk back to T (ISO 8601) on this run", &since),
	    OPT_STRING("until", 0, "T", "only messages before T (a one-off: cursors untouched)",
	               &until),
	    OPT_STRING("source", 's', "NAME", "only this source of each chat", &source),
	    OPT_FLAG("follow", 'f', NULL,
	             "then follow the streams until interrupted (SIGINT/SIGTERM)", &follow),
	    OPT_FLAG("publish", 0, NULL, "with --follow: publish the chats as posts arrive",
	             &publish),
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
	if (status == CHATARC_OK && publish && !follow)
		status = chatarc_error_set(&err, CHATARC_ERR_USAGE,
		                           "--publish goes with --follow (after a fetch, run "
		                           "`chatarc publish`)");
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
	fetch_options.publish = publish;
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
	struct fetch_view view = {.tty = ctx->stderr_tty && !quiet,
	                          .publishing = {.on = fetch_options->publish,
	                                         .data_dir = ctx->data_dir,
	                                         .chats = chats}};
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
	/* Stopped: the publish under way ends, then the pages are made final. */
	struct live_publishing *lp = &view.publishing;
	int ignored;
	if (lp->child)
		waitpid(lp->child, &ignored, 0);
	if (lp->on && (lp->live_shown || lp->total != lp->published_total))
		run_publish(lp, false, true);
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
