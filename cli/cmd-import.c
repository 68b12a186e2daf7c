/* `chatarc import --chat CHAT FILE...`: the front end of fetch/import.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/options.h"
#include "../common/terminal.h"
#include "../fetch/import.h"
#include "cli.h"

static const command_help_t import_help = {
    "chatarc import --chat CHAT [options] FILE...",
    "Reads post files into CHAT's archive. The format is found from the content:\n"
    "Twitter API v2 / twarc2 JSON or JSONL, API v1.1 JSON or JSONL, a Twitter\n"
    "archive's tweets.js, Mastodon statuses JSON, Bluesky searchPosts JSON, and\n"
    "tweets in CSV as TAGS, twarc json2csv, twarc-csv, Twitter Archiver or Topsy\n"
    "wrote them (found from the header row; local times read in the chat's zone).\n"
    "gzip-compressed files are read as they are. Each file goes in whole or not\n"
    "at all; importing a file again adds nothing. Boosts and retweets are counted,\n"
    "and the post they boost is stored once.\n\n"
    "Exit status: 0 all imported; 1 a file failed and nothing of it was kept;\n"
    "2 usage error; 3 some files or posts failed while others were imported."};

struct progress_state {
	bool tty;
};

static void show_progress(void *ctx, const char *path, unsigned long long done,
                          unsigned long long total, const import_stats_t *stats)
{
	struct progress_state *state = ctx;
	if (!state->tty)
		return;
	fprintf(stderr, "\r%s: %llu%% (%ld %s, %ld new)\033[K", path,
	        total ? done * 100 / total : 0, stats->posts, plural(stats->posts, "post", "posts"),
	        stats->stored.new_messages);
}

static void show_warning(void *ctx, const char *message)
{
	(void)ctx;
	term_say("import", message);
}

static void print_summary(const char *path, const import_stats_t *s, bool require_tag)
{
	printf("%s: %ld %s: %ld new, %ld updated, %ld already archived; %ld %s counted", path,
	       s->posts, plural(s->posts, "post", "posts"), s->stored.new_messages,
	       s->stored.updated, s->stored.duplicates, s->boosts,
	       plural(s->boosts, "boost", "boosts"));
	if (s->consent_skipped)
		printf("; %ld skipped for consent", s->consent_skipped);
	if (s->stored.forgotten)
		printf("; %ld forgotten before (not stored)", s->stored.forgotten);
	if (s->skipped)
		printf("; %ld skipped", s->skipped);
	if (s->off_tag)
		printf("; %ld without the chat's tag%s", s->off_tag,
		       require_tag ? " (left out: --require-tag)"
		                   : " (kept; --require-tag leaves them out)");
	putchar('\n');
}

int cli_import_files(cli_context_t *ctx, const chatarc_chat_t *chat, char **paths, int n_paths,
                     const char *author, bool keep_going, bool require_tag, bool verbose)
{
	chatarc_archive_t *archive = NULL, *boosts = NULL;
	chatarc_error_t err;
	archive_options_t archive_options = {0};
	struct progress_state progress = {.tty = ctx->stderr_tty};
	import_options_t options = {
	    .author = author,
	    .time_zone = chat->tz,
	    .keep_going = keep_going,
	    .honour_consent = !chat->allow_noindex,
	    .chat_tags = &chat->tags,
	    .require_tag = require_tag,
	    .progress = show_progress,
	    .warning = show_warning,
	    .ctx = &progress,
	};
	int failed = 0, partial = 0;

	chatarc_status_t status =
	    archive_open(ctx->data_dir, chat->name, &archive_options, &archive, &err);
	if (status == CHATARC_ERR_BUSY) {
		char line[sizeof err.message + 40];
		snprintf(line, sizeof line, "%s; waiting for it to finish...", err.message);
		term_say("import", line);
		archive_options.wait_for_lock = true;
		status = archive_open(ctx->data_dir, chat->name, &archive_options, &archive, &err);
	}
	if (status == CHATARC_OK) {
		/* Taken after the messages' lock, as every writer of both does. */
		char *boosts_name = archive_boosts_name(chat->name);
		status = archive_open(ctx->data_dir, boosts_name, &archive_options, &boosts, &err);
		free(boosts_name);
		if (status != CHATARC_OK)
			archive_close(archive);
	}
	if (status != CHATARC_OK)
		return cli_report("import", status, &err);

	for (int i = 0; i < n_paths; i++) {
		import_stats_t stats;
		status = import_file(archive, boosts, chat->name, paths[i], &options, &stats, &err);
		if (progress.tty)
			fputs("\r\033[K", stderr);
		if (status == CHATARC_OK || status == CHATARC_ERR_PARTIAL) {
			if (verbose)
				print_summary(paths[i], &stats, require_tag);
			else if (stats.off_tag && !require_tag) {
				/* Said even without -v: off-topic posts, once stored,
				 * go only by `forget`. */
				char line[1200];
				snprintf(line, sizeof line,
				         "%s: %ld %s none of %s's tags (kept; "
				         "--require-tag leaves them out)",
				         paths[i], stats.off_tag,
				         plural(stats.off_tag, "post carries", "posts carry"),
				         chat->name);
				term_say("import: note", line);
			}
			partial += status == CHATARC_ERR_PARTIAL;
			if (status == CHATARC_ERR_PARTIAL && stats.skipped == 0) {
				char line[sizeof err.message + 40];
				snprintf(line, sizeof line, "%s (kept what came before)",
				         err.message);
				term_say("import", line);
			}
			continue;
		}
		cli_report("import", status, &err);
		failed++;
		if (status == CHATARC_ERR_IO || status == CHATARC_ERR_CORRUPT)
			break; /* the archive, not the file, is in trouble */
	}
	archive_close(boosts);
	archive_close(archive);
	if (failed && failed == n_paths)
		return EXIT_FAILURE_RUNTIME;
	return failed || partial ? EXIT_PARTIAL : EXIT_OK;
}

int cmd_import(int argc, char **argv, cli_context_t *ctx)
{
	const char *chat_name = NULL, *author = NULL;
	bool keep_going = false, require_tag = false, verbose = false, quiet = false, help = false;
	const chatarc_option_t options[] = {
	    OPT_STRING("chat", 'c', "CHAT", "the chat the posts belong to (required)", &chat_name),
	    OPT_STRING("author", 0, "USER", "owner of a tweets.js without account.js beside it",
	               &author),
	    OPT_FLAG("keep-going", 'k', NULL,
	             "skip posts that cannot be read (each reported) and keep the rest",
	             &keep_going),
	    OPT_FLAG("require-tag", 0, NULL,
	             "leave out posts with none of the chat's tags (counted in the summary)",
	             &require_tag),
	    OPT_FLAG("verbose", 'v', NULL, "print a summary line per file", &verbose),
	    OPT_FLAG("quiet", 'q', NULL, "no summary even on a terminal", &quiet),
	    OPT_END,
	};
	chatarc_error_t err;
	const chatarc_chat_t *chat;

	chatarc_status_t status = options_parse(options, &import_help, &argc, argv, &help, &err);
	if (status != CHATARC_OK || help)
		return cli_report("import", status, &err);
	if (!chat_name || argc < 2)
		return options_usage_error("import", &import_help,
		                           !chat_name ? "--chat CHAT is required"
		                                      : "name at least one FILE");
	status = cli_find_chat(ctx, chat_name, &chat, &err);
	if (status != CHATARC_OK)
		return cli_report("import", status, &err);
	int code = cli_import_files(ctx, chat, argv + 1, argc - 1, author, keep_going, require_tag,
	                            !quiet && (verbose || ctx->stdout_tty));
	return code;
}
