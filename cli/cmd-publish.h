/* What `chatarc publish` and `chatarc digest` share: the publisher opened
 * on the config's chats (those named, or all), writing into --out or
 * DIR/site. */
#ifndef CHATARC_CMD_PUBLISH_H
#define CHATARC_CMD_PUBLISH_H

#include "../publish/publish.h"
#include "cli.h"

struct publish_run {
	cli_context_t *ctx;
	const char *out;   /* --out, else default_out */
	char *default_out; /* DIR/site */
	bool verbose;
	bool live; /* --live: publish_options_t.live_window_ms */
	strlist_t chats;
	const chatarc_config_t *config;
	publisher_t *pub;
	publish_stats_t stats;
};

/* Loads the config, checks the named chats (argv[1..argc)), opens the
 * publisher. */
CHATARC_MUST_CHECK chatarc_status_t publish_run_open(struct publish_run *r, int argc, char **argv,
                                                     chatarc_error_t *err);
void publish_run_close(struct publish_run *r);

#endif
