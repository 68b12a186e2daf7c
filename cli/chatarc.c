/* chatarc: archive, search, summarise and publish hashtag chats.
 * main() reads the global options and dispatches to a command's front end. */
#define _DEFAULT_SOURCE
#include <errno.h>
#ifndef CHATARC_FRONT
#include <libxml/parser.h>
#endif
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/alloc.h"
#include "cli.h"
#include "manual.h"

#ifndef CHATARC_VERSION
#define CHATARC_VERSION "0.1.0"
#endif
#ifndef CHATARC_SHAREDIR
#define CHATARC_SHAREDIR "/usr/local/share/chatarc"
#endif
#ifndef CHATARC_LIBEXECDIR
#define CHATARC_LIBEXECDIR "/usr/local/libexec/chatarc"
#endif

/* Every command, in the order --help lists them: COMMAND(name, needs_config,
 * program, summary). needs_config: main loads DIR/chatarc.conf before it
 * runs. program: FRONT for the command this small program (`chatarc`)
 * runs itself, search; FULL for the others, which run in chatarc-full.
 * A search, one process a query, then loads none of libcurl, libxml2,
 * libxslt, libical and ICU (issue 17, BENCHMARKS.md): export and index,
 * which place messages in sessions through libical, left the front end
 * when schedules became recurrence rules (1.7 ms of a search's start). */
#define CHATARC_COMMANDS(COMMAND)                                                                  \
	COMMAND(init, false, FULL, "write DIR/chatarc.conf; --sample adds the bundled chat")       \
	COMMAND(fetch, true, FULL, "pull chats' hashtags from Mastodon instances and Bluesky")     \
	COMMAND(import, true, FULL,                                                                \
	        "read Twitter, Mastodon, Bluesky files (JSON, CSV) into a chat's archive")         \
	COMMAND(export, true, FULL, "write messages (chats, filters) as JSON lines or CSV")        \
	COMMAND(stats, true, FULL,                                                                 \
	        "count messages by day, hour, session; top tags, authors; the reply network")      \
	COMMAND(index, true, FULL, "bring the search index up to date with the archive")           \
	COMMAND(search, true, FRONT,                                                               \
	        "search every chat: words, phrases, fields; text, JSON or CSV")                    \
	COMMAND(summarise, true, FULL,                                                             \
	        "one session's messages by topic, and its recap (XML or JSON)")                    \
	COMMAND(publish, true, FULL,                                                               \
	        "render sessions into a static site of transcripts and feeds")                     \
	COMMAND(forget, true, FULL, "remove messages or accounts for good (a takedown request)")   \
	COMMAND(digest, true, FULL, "render the weekly digest across chats (for cron)")            \
	COMMAND(update, true, FULL, "fetch, index, publish and the weekly digest, for cron")       \
	COMMAND(serve, true, FULL, "serve the site with search, people's pages and a JSON API")    \
	COMMAND(demo, false, FULL, "run the pipeline on the bundled sample chat")

/* This file builds two programs: chatarc (CHATARC_FRONT defined), whose
 * FULL commands have no function and run chatarc-full instead, and
 * chatarc-full, which runs every command. */
#define RUN_IN_FRONT(name) cmd_##name
#ifdef CHATARC_FRONT
#define RUN_IN_FULL(name) NULL
#else
#define RUN_IN_FULL(name) cmd_##name
#endif
#define COMMAND_ENTRY(name, needs_config, program, summary)                                        \
	{#name, RUN_IN_##program(name), needs_config, summary},

static const struct command {
	const char *name;
	command_fn fn; /* NULL: run by chatarc-full */
	bool needs_config;
	const char *summary;
} commands[] = {CHATARC_COMMANDS(COMMAND_ENTRY){NULL, NULL, false, NULL}};

static void print_usage(FILE *out)
{
	fputs("usage: chatarc [--data DIR] COMMAND [OPTIONS]\n\n"
	      "Archives hashtag chats from Mastodon, Bluesky and Twitter archives.\n"
	      "DIR defaults to $CHATARC_DATA, else ./chatarc-data.\n\ncommands:\n",
	      out);
	for (const struct command *c = commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fputs("\n`chatarc COMMAND --help` lists each one's options; `chatarc help COMMAND`\n"
	      "adds its manual page (also `man chatarc-COMMAND`). More pages: `chatarc help`\n"
	      "config, data, consent, security.\n",
	      out);
}

/* The built-in manual page chatarc-NAME, or NULL. */
static const char *manual_text(const char *name)
{
	for (const struct manual_page *page = manual_pages; page->name; page++)
		if (!strncmp(page->name, "chatarc-", 8) && !strcmp(page->name + 8, name))
			return page->text;
	return NULL;
}

/* The directory of the running program, or "" if unknown. */
static void exe_dir(char dir[PATH_MAX])
{
	ssize_t n = readlink("/proc/self/exe", dir, PATH_MAX - 1);
	dir[n > 0 ? n : 0] = '\0';
	char *slash = strrchr(dir, '/');
	*(slash ? slash : dir) = '\0';
}

#ifndef CHATARC_FRONT
static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The data chatarc installs: $CHATARC_SHARE, else share/ beside the binary
 * (a build tree), else the installed directory. */
static char *find_share_dir(void)
{
	const char *env = getenv("CHATARC_SHARE");
	char dir[PATH_MAX], candidate[PATH_MAX + 16];
	if (env && *env)
		return xstrdup(env);
	exe_dir(dir);
	snprintf(candidate, sizeof candidate, "%s/share", dir);
	if (*dir && is_dir(candidate))
		return xstrdup(candidate);
	return xstrdup(CHATARC_SHAREDIR);
}
#endif

#ifdef CHATARC_FRONT
/* Runs the command in chatarc-full with the same arguments: the one beside
 * this program (a build tree), else the installed one. Returns only if it
 * cannot be run. */
static int run_full_program(char **argv)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];
	exe_dir(dir);
	snprintf(path, sizeof path, "%s/chatarc-full", dir);
	if (!*dir || access(path, X_OK) != 0)
		snprintf(path, sizeof path, "%s/chatarc-full", CHATARC_LIBEXECDIR);
	execv(path, argv);
	fprintf(stderr, "chatarc: cannot run %s: %s; reinstall chatarc (`make install`)\n", path,
	        strerror(errno));
	return EXIT_FAILURE_RUNTIME;
}
#endif

int main(int argc, char **argv)
{
	cli_context_t ctx = {0};
	int i = 1;

	ctx.data_dir = getenv("CHATARC_DATA") && *getenv("CHATARC_DATA") ? getenv("CHATARC_DATA")
	                                                                 : "chatarc-data";
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--data") && i + 1 < argc) {
			ctx.data_dir = argv[++i];
		} else if (!strncmp(argv[i], "--data=", 7)) {
			ctx.data_dir = argv[i] + 7;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			print_usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--version")) {
			printf("chatarc %s\n", CHATARC_VERSION);
			return EXIT_OK;
		} else {
			fprintf(stderr, "chatarc: unknown option '%s'\n", argv[i]);
			print_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	int cmd_argc = argc - i;
	char **cmd_argv = argv + i;
	char *help_argv[] = {NULL, "--help", NULL};
	const char *manual = NULL;
	if (!strcmp(argv[i], "help")) {
		if (i + 1 >= argc) {
			print_usage(stdout);
			return EXIT_OK;
		}
		/* `chatarc help CMD` is `chatarc CMD --help` followed by its
		 * manual page; a page that is no command (config, consent)
		 * is printed alone. */
		help_argv[0] = argv[i + 1];
		manual = manual_text(argv[i + 1]);
		bool is_command = false;
		for (const struct command *c = commands; c->name; c++)
			is_command |= !strcmp(c->name, argv[i + 1]);
		if (manual && !is_command) {
			fputs(manual, stdout);
			return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILURE_RUNTIME;
		}
		cmd_argc = 2;
		cmd_argv = help_argv;
	}
	for (const struct command *c = commands; c->name; c++) {
		if (strcmp(c->name, cmd_argv[0]))
			continue;
#ifdef CHATARC_FRONT
		if (!c->fn)
			return run_full_program(argv);
#endif
#ifdef CHATARC_FRONT
		/* search reads nothing of share/; finding it
		 * (readlink of /proc/self/exe, a stat) cost a search 0.1-0.4 ms. */
		char *share = NULL;
#else
		char *share = find_share_dir();
#endif
		ctx.share_dir = share;
		ctx.program = strchr(argv[0], '/') ? argv[0] : "chatarc";
		ctx.stderr_tty = isatty(STDERR_FILENO);
		ctx.stdout_tty = isatty(STDOUT_FILENO);
#ifdef CHATARC_FRONT
		ctx.check_rule = NULL;
#else
		ctx.check_rule = schedule_rule_problem;
#endif
#ifndef CHATARC_FRONT
		xmlInitParser();
#endif
		/* A missing or bad config is reported by the command, after
		 * its options: `chatarc export --help` works anywhere. */
		ctx.config_status = c->needs_config
		                        ? cli_load_config(&ctx, &ctx.config, &ctx.config_error)
		                        : CHATARC_ERR_NOT_FOUND;
		int code = c->fn(cmd_argc, cmd_argv, &ctx);
		if (manual && code == EXIT_OK)
			printf("\n%s", manual);
		if (c->needs_config && ctx.config_status == CHATARC_OK)
			config_release(&ctx.config);
#ifndef CHATARC_FRONT
		xmlCleanupParser();
#endif
		free(share);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fputs("chatarc: cannot write the output\n", stderr);
			return EXIT_FAILURE_RUNTIME;
		}
		return code;
	}
	fprintf(stderr, "chatarc: '%s' is not a chatarc command; see `chatarc --help`\n",
	        cmd_argv[0]);
	return EXIT_USAGE;
}
