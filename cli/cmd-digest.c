/* `chatarc digest [--week W] [--out DIR] [CHAT...]`: the weekly digest. */
#include <stdio.h>
#include <string.h>

#include "../common/options.h"
#include "cmd-publish.h"

static const command_help_t digest_help = {
    "chatarc digest [--week YYYY-Www] [--out DIR] [CHAT...]",
    "Renders the weekly digest (OUT/digest/YYYY-Www.html, and the digest feed\n"
    "OUT/digest/feed.atom): each chat's session that week with its topics,\n"
    "highlights, counts and top links. The week is the last complete ISO week\n"
    "unless --week names one. Publishes the site first, so the digest's links\n"
    "resolve. A week without sessions writes nothing and exits 0. Overlapping\n"
    "runs wait for each other. For cron:\n"
    "  15 6 * * 1  chatarc --data /srv/chats digest"};

int cmd_digest(int argc, char **argv, cli_context_t *ctx)
{
	struct publish_run r = {.ctx = ctx};
	const char *week = NULL;
	bool help = false;
	const chatarc_option_t options[] = {
	    OPT_STRING("week", 'w', "YYYY-Www", "the ISO week (default: the last complete one)",
	               &week),
	    OPT_STRING("out", 'o', "DIR", "the site (default DIR/site)", &r.out),
	    OPT_FLAG("verbose", 'v', NULL, "print what was written", &r.verbose),
	    OPT_END,
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
	if ((status = publish_run_open(&r, argc, argv, &err)) != CHATARC_OK)
		return cli_report("digest", status, &err);
	long sessions = 0;
	publish_stats_t digest_stats = {0};
	/* The digest first, so the site index lists it. */
	status = publish_digest(r.pub, r.config, week, &sessions, &digest_stats, &err);
	if (status == CHATARC_OK && sessions > 0)
		status = publish_site(r.pub, r.config, &r.stats, &err);
	if (status == CHATARC_OK && (r.verbose || ctx->stdout_tty)) {
		if (sessions == 0)
			printf("no sessions in %s: no digest written\n", week);
		else
			printf("digest %s: %ld %s, %s/digest/%s.html (%ld files written)\n", week,
			       sessions, plural(sessions, "session", "sessions"), r.out, week,
			       digest_stats.pages_written + r.stats.pages_written);
	}
	publish_run_close(&r);
	return status == CHATARC_OK ? EXIT_OK : cli_report("digest", status, &err);
}
