/* `chatarc publish [--out DIR] [CHAT...]`, and what it shares with
 * `chatarc digest` (cmd-digest.c): opening the publisher on the
 * config's chats. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/alloc.h"
#include "../common/config.h"
#include "../common/options.h"
#include "../publish/publish.h"
#include "cli.h"
#include "cmd-publish.h"

static const command_help_t publish_help = {
    "chatarc publish [--out DIR] [--live] [CHAT...]",
    "Renders every session of the chats (all configured chats when none is\n"
    "named) into a static site: OUT/index.html, OUT/CHAT/index.html with an\n"
    "Atom feed (feed.atom), and a transcript a session, OUT/CHAT/YYYY-MM-DD.html.\n"
    "OUT is DIR/site unless --out names another directory. Only pages whose\n"
    "content changed are written, each replaced atomically; a rerun writes\n"
    "nothing. With --live, a chat whose archive was written in the last 15\n"
    "minutes is live: its newest session's page and its chat page say \"live,\n"
    "updated HH:MM:SS\" and reload themselves every 10 s (what `chatarc fetch\n"
    "--follow --publish` runs as posts arrive); a publish without it is final.\n"
    "Quiet unless --verbose or on a terminal."};

chatarc_status_t publish_run_open(struct publish_run *r, int argc, char **argv,
                                  chatarc_error_t *err)
{
	chatarc_status_t status;
	if (!(r->config = cli_config(r->ctx, err)))
		return r->ctx->config_status;
	for (int i = 1; i < argc; i++) {
		if (!config_find_chat(r->config, argv[i])) {
			strlist_clear(&r->chats);
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
	                             .now_ms = publish_now_ms(),
	                             .live_window_ms = r->live ? PUBLISH_LIVE_WINDOW_MS : 0};
	status = publisher_open(&options, &r->pub, err);
	if (status != CHATARC_OK) {
		free(r->default_out);
		strlist_clear(&r->chats);
	}
	return status;
}

void publish_run_close(struct publish_run *r)
{
	publisher_close(r->pub);
	strlist_clear(&r->chats);
	free(r->default_out);
}

int cmd_publish(int argc, char **argv, cli_context_t *ctx)
{
	struct publish_run r = {.ctx = ctx};
	bool help = false;
	const chatarc_option_t options[] = {
	    OPT_STRING("out", 'o', "DIR", "write the site here (default DIR/site)", &r.out),
	    OPT_FLAG("verbose", 'v', NULL, "print what was written", &r.verbose),
	    OPT_FLAG("live", 0, NULL, "mark a chat written in the last 15 minutes live", &r.live),
	    OPT_END,
	};
	chatarc_error_t err;
	chatarc_status_t status = options_parse(options, &publish_help, &argc, argv, &help, &err);
	if (status != CHATARC_OK || help)
		return cli_report("publish", status, &err);
	if ((status = publish_run_open(&r, argc, argv, &err)) != CHATARC_OK)
		return cli_report("publish", status, &err);
	status = publish_site(r.pub, r.config, &r.stats, &err);
	if (status == CHATARC_OK && (r.verbose || ctx->stdout_tty))
		printf("published %ld %s to %s/index.html: %ld files written, %ld unchanged\n",
		       r.stats.sessions, plural(r.stats.sessions, "session", "sessions"), r.out,
		       r.stats.pages_written, r.stats.pages_unchanged);
	publish_run_close(&r);
	return status == CHATARC_OK ? EXIT_OK : cli_report("publish", status, &err);
}
