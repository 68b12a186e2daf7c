/* `chatarc publish [--out DIR] [CHAT...]` and `chatarc digest [--week W]`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/cli.h"
#include "../common/alloc.h"
#include "../common/config.h"
#include "../common/options.h"
#include "publish.h"

static const command_help_t publish_help = {
    "chatarc publish [--out DIR] [CHAT...]",
    "Renders every session of the chats (all configured chats when none is\n"
    "named) into a static site: OUT/index.html, OUT/CHAT/index.html with an\n"
    "Atom feed (feed.atom), and a transcript a session, OUT/CHAT/YYYY-MM-DD.html.\n"
    "OUT is DIR/site unless --out names another directory. Only pages whose\n"
    "content changed are written, each replaced atomically; a rerun writes\n"
    "nothing. Quiet unless --verbose or on a terminal."};

static const command_help_t digest_help = {
    "chatarc digest [--week YYYY-Www] [--out DIR] [CHAT...]",
    "Renders the weekly digest (OUT/digest/YYYY-Www.html, and the digest feed\n"
    "OUT/digest/feed.atom): each chat's session that week with its topics,\n"
    "highlights, counts and top links. The week is the last complete ISO week\n"
    "unless --week names one. Publishes the site first, so the digest's links\n"
    "resolve. A week without sessions writes nothing and exits 0. Overlapping\n"
    "runs wait for each other. For cron:\n"
    "  15 6 * * 1  chatarc --data /srv/chats digest"};

struct run {
	cli_context_t *ctx;
	const char *out;   /* --out, else default_out */
	char *default_out; /* DIR/site */
	bool verbose;
	strlist_t chats;
	chatarc_config_t config;
	publisher_t *pub;
	publish_stats_t stats;
};

static chatarc_status_t run_open(struct run *r, int argc, char **argv, chatarc_error_t *err)
{
	chatarc_status_t status = cli_load_config(r->ctx, &r->config, err);
	if (status != CHATARC_OK)
		return status;
	for (int i = 1; i < argc; i++) {
		if (!config_find_chat(&r->config, argv[i])) {
			config_release(&r->config);
			return chatarc_error_set(err, CHATARC_ERR_USAGE,
			                         "no chat named '%s' in the config", argv[i]);
		}
		strlist_add(&r->chats, argv[i]);
	}
	if (!r->out) {
		size_t n = strlen(r->ctx->data_dir) + 8;
		r->default_out = xmalloc(n);
		snprintf(r->default_out, n, "%s/site", r->ctx->data_dir);
		r->out = r->default_out;
	}
	publish_options_t options = {.data_dir = r->ctx->data_dir,
	                             .share_dir = r->ctx->share_dir,
	                             .out_dir = r->out,
	                             .chats = &r->chats,
	                             .now_ms = publish_now_ms()};
	status = publisher_open(&options, &r->pub, err);
	if (status != CHATARC_OK) {
		free(r->default_out);
		config_release(&r->config);
		strlist_clear(&r->chats);
	}
	return status;
}

static void run_close(struct run *r)
{
	publisher_close(r->pub);
	config_release(&r->config);
	strlist_clear(&r->chats);
	free(r->default_out);
}

int cmd_publish(int argc, char **argv, cli_context_t *ctx)
{
	struct run r = {.ctx = ctx};
	bool help = false;
	const chatarc_option_t options[] = {
	    {OPTION_STRING, "out", 'o', "DIR", "write the site here (default DIR/site)", &r.out},
	    {OPTION_FLAG, "verbose", 'v', NULL, "print what was written", &r.verbose},
	    {0},
	};
	chatarc_error_t err;
	chatarc_status_t status = options_parse(options, &publish_help, &argc, argv, &help, &err);
	if (status != CHATARC_OK || help)
		return cli_report("publish", status, &err);
	if ((status = run_open(&r, argc, argv, &err)) != CHATARC_OK)
		return cli_report("publish", status, &err);
	status = publish_site(r.pub, &r.config, &r.stats, &err);
	if (status == CHATARC_OK && (r.verbose || ctx->stdout_tty))
		printf(
		    "published %ld sessions to %s/index.html: %ld files written, %ld unchanged\n",
		    r.stats.sessions, r.out, r.stats.pages_written, r.stats.pages_unchanged);
	run_close(&r);
	return status == CHATARC_OK ? EXIT_OK : cli_report("publish", status, &err);
}

int cmd_digest(int argc, char **argv, cli_context_t *ctx)
{
	struct run r = {.ctx = ctx};
	const char *week = NULL;
	bool help = false;
	const chatarc_option_t options[] = {
	    {OPTION_STRING, "week", 'w', "YYYY-Www",
	     "the ISO week (default: the last complete one)", &week},
	    {OPTION_STRING, "out", 'o', "DIR", "the site (default DIR/site)", &r.out},
	    {OPTION_FLAG, "verbose", 'v', NULL, "print what was written", &r.verbose},
	    {0},
	};
	chatarc_error_t err;
	chatarc_status_t status = options_parse(options, &digest_help, &argc, argv, &help, &err);
	if (status != CHATARC_OK || help)
		return cli_report("digest", status, &err);
	char last_week[9], monday[11], sunday[11];
	if (!week) {
		publish_week_of(publish_now_ms() - 7 * 86400000LL, last_week);
		week = last_week;
	} else if (!publish_week_bounds(week, monday, sunday)) {
		chatarc_error_set(&err, CHATARC_ERR_USAGE,
		                  "'%s' is not an ISO week: give YYYY-Www, e.g. 2026-W47", week);
		return cli_report("digest", CHATARC_ERR_USAGE, &err);
	}
	if ((status = run_open(&r, argc, argv, &err)) != CHATARC_OK)
		return cli_report("digest", status, &err);
	long sessions = 0;
	publish_stats_t digest_stats = {0};
	/* The digest first, so the site index lists it. */
	status = publish_digest(r.pub, &r.config, week, &sessions, &digest_stats, &err);
	if (status == CHATARC_OK && sessions > 0)
		status = publish_site(r.pub, &r.config, &r.stats, &err);
	if (status == CHATARC_OK && (r.verbose || ctx->stdout_tty)) {
		if (sessions == 0)
			printf("no sessions in %s: no digest written\n", week);
		else
			printf("digest %s: %ld sessions, %s/digest/%s.html (%ld files written)\n",
			       week, sessions, r.out, week,
			       digest_stats.pages_written + r.stats.pages_written);
	}
	run_close(&r);
	return status == CHATARC_OK ? EXIT_OK : cli_report("digest", status, &err);
}
