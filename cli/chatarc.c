/* chatarc: archive, search, summarise and publish hashtag chats.
 * main() reads the global options and dispatches to a command's front end. */
#define _DEFAULT_SOURCE
#include <libxml/parser.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/alloc.h"
#include "cli.h"

#ifndef CHATARC_VERSION
#define CHATARC_VERSION "0.1.0"
#endif
#ifndef CHATARC_SHAREDIR
#define CHATARC_SHAREDIR "/usr/local/share/chatarc"
#endif

static const struct command {
	const char *name;
	command_fn fn;
	bool needs_config; /* main loads DIR/chatarc.conf before it runs */
	const char *summary;
} commands[] = {
    {"init", cmd_init, false, "write DIR/chatarc.conf; --sample adds the bundled chat"},
    {"fetch", cmd_fetch, true, "pull chats' hashtags from Mastodon instances and Bluesky"},
    {"import", cmd_import, true, "read Twitter, Mastodon or Bluesky files into a chat's archive"},
    {"export", cmd_export, true, "write a chat's messages as JSON lines or CSV"},
    {"index", cmd_index, true, "bring the search index up to date with the archive"},
    {"search", cmd_search, true, "search every chat: words, phrases, fields; text, JSON or CSV"},
    {"summarise", cmd_summarise, true,
     "one session's messages by topic, and its recap (XML or JSON)"},
    {"publish", cmd_publish, true, "render sessions into a static site of transcripts and feeds"},
    {"forget", cmd_forget, true, "remove messages or accounts for good (a takedown request)"},
    {"digest", cmd_digest, true, "render the weekly digest across chats (for cron)"},
    {"update", cmd_update, true, "fetch, index, publish and the weekly digest, for cron"},
    {"demo", cmd_demo, false, "run the pipeline on the bundled sample chat"},
    {NULL, NULL, false, NULL},
};

static void print_usage(FILE *out)
{
	fputs("usage: chatarc [--data DIR] COMMAND [OPTIONS]\n\n"
	      "Archives hashtag chats from Mastodon, Bluesky and Twitter archives.\n"
	      "DIR defaults to $CHATARC_DATA, else ./chatarc-data.\n\ncommands:\n",
	      out);
	for (const struct command *c = commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fputs("\n`chatarc COMMAND --help` tells more about each.\n", out);
}

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
	char exe[PATH_MAX], candidate[PATH_MAX + 16];
	if (env && *env)
		return xstrdup(env);
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(candidate, sizeof candidate, "%s/share", exe);
			if (is_dir(candidate))
				return xstrdup(candidate);
		}
	}
	return xstrdup(CHATARC_SHAREDIR);
}

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
	if (!strcmp(argv[i], "help")) {
		print_usage(stdout);
		return EXIT_OK;
	}
	for (const struct command *c = commands; c->name; c++) {
		if (strcmp(c->name, argv[i]))
			continue;
		char *share = find_share_dir();
		ctx.share_dir = share;
		ctx.program = strchr(argv[0], '/') ? argv[0] : "chatarc";
		ctx.stderr_tty = isatty(STDERR_FILENO);
		ctx.stdout_tty = isatty(STDOUT_FILENO);
		xmlInitParser();
		/* A missing or bad config is reported by the command, after
		 * its options: `chatarc export --help` works anywhere. */
		ctx.config_status = c->needs_config
		                        ? cli_load_config(&ctx, &ctx.config, &ctx.config_error)
		                        : CHATARC_ERR_NOT_FOUND;
		int code = c->fn(argc - i, argv + i, &ctx);
		if (c->needs_config && ctx.config_status == CHATARC_OK)
			config_release(&ctx.config);
		xmlCleanupParser();
		free(share);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fputs("chatarc: cannot write the output\n", stderr);
			return EXIT_FAILURE_RUNTIME;
		}
		return code;
	}
	fprintf(stderr, "chatarc: '%s' is not a chatarc command; see `chatarc --help`\n", argv[i]);
	return EXIT_USAGE;
}
