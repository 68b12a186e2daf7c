/* `chatarc demo`: the whole pipeline on the bundled sample chat, in a data
 * directory of its own unless --data names one. Each stage joins as it lands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/archive.h"
#include "../common/fsutil.h"
#include "../common/options.h"
#include "../common/strbuf.h"
#include "../index/index.h"
#include "../publish/publish.h"
#include "../summarise/summary.h"
#include "cli.h"

static const command_help_t demo_help = {
    "chatarc [--data DIR] demo",
    "Sets up the bundled sample chat #" SAMPLE_CHAT " (as `chatarc init --sample`)\n"
    "if DIR has no config yet, imports its posts again (which adds nothing the\n"
    "second time), reports what the archive holds per network, summarises the\n"
    "session (its topics and how each message was placed), indexes it for\n"
    "search and publishes the site into DIR/site."};

struct tally {
	long messages, by_network[3];
	long replies;
	strlist_t authors;
};

static CHATARC_MUST_CHECK chatarc_status_t count_record(void *ctx, const chatarc_record_t *r,
                                                        chatarc_error_t *err)
{
	static const char *networks[] = {"mastodon", "bluesky", "twitter"};
	struct tally *t = ctx;
	(void)err;
	t->messages++;
	for (int i = 0; i < 3; i++)
		if (r->network && !strcmp(r->network, networks[i]))
			t->by_network[i]++;
	t->replies += record_is_reply(r);
	if (r->author)
		strlist_add_unique(&t->authors, r->author);
	return CHATARC_OK;
}

/* The whole site into DIR/site; *site: its path. */
static CHATARC_MUST_CHECK chatarc_status_t publish_sample(const cli_context_t *ctx,
                                                          const chatarc_config_t *config,
                                                          char **site, chatarc_error_t *err)
{
	strbuf_t out;
	strbuf_init(&out, 0);
	strbuf_addf(&out, "%s/site", ctx->data_dir);
	*site = strbuf_detach(&out, NULL);
	publish_options_t options = {.data_dir = ctx->data_dir,
	                             .share_dir = ctx->share_dir,
	                             .out_dir = *site,
	                             .now_ms = publish_now_ms()};
	publisher_t *pub;
	publish_stats_t stats = {0};
	chatarc_status_t status = publisher_open(&options, &pub, err);
	if (status == CHATARC_OK) {
		status = publish_site(pub, config, &stats, err);
		publisher_close(pub);
	}
	return status;
}

static int demo_pipeline(cli_context_t *ctx);

int cmd_demo(int argc, char **argv, cli_context_t *ctx)
{
	bool help = false;
	const chatarc_option_t options[] = {OPT_END};
	chatarc_error_t err;
	chatarc_status_t status = options_parse(options, &demo_help, &argc, argv, &help, &err);
	if (status != CHATARC_OK || help)
		return cli_report("demo", status, &err);

	char *config_path = cli_config_path(ctx);
	int code;
	bool fresh = !fs_exists(config_path);
	free(config_path);
	if (fresh) {
		char *init_argv[] = {"init", "--sample", NULL};
		code = cmd_init(2, init_argv, ctx);
	} else {
		code = cli_import_sample(ctx, "demo");
	}
	if (code != EXIT_OK)
		return code;
	/* The config exists now: loaded once for the rest of the pipeline. */
	ctx->config_status = cli_load_config(ctx, &ctx->config, &ctx->config_error);
	if (ctx->config_status != CHATARC_OK)
		return cli_report("demo", ctx->config_status, &ctx->config_error);
	code = demo_pipeline(ctx);
	config_release(&ctx->config);
	ctx->config_status = CHATARC_ERR_NOT_FOUND;
	return code;
}

/* What the demo shows once the sample is archived. */
static int demo_pipeline(cli_context_t *ctx)
{
	chatarc_error_t err;
	chatarc_status_t status;
	struct tally t = {0};
	status = archive_for_each(ctx->data_dir, SAMPLE_CHAT, INT64_MIN, INT64_MAX, count_record,
	                          &t, &err);
	if (status != CHATARC_OK) {
		strlist_clear(&t.authors);
		return cli_report("demo", status, &err);
	}
	printf("chatarc demo: #%s archived in %s/archive/%s\n", SAMPLE_CHAT, ctx->data_dir,
	       SAMPLE_CHAT);
	printf("  %ld messages from %zu accounts (%ld Mastodon, %ld Bluesky, %ld Twitter), %ld "
	       "replies\n",
	       t.messages, t.authors.len, t.by_network[0], t.by_network[1], t.by_network[2],
	       t.replies);
	strlist_clear(&t.authors);

	const chatarc_chat_t *chat;
	summary_t *summary;
	if ((status = cli_find_chat(ctx, SAMPLE_CHAT, &chat, &err)))
		return cli_report("demo", status, &err);
	summary_history_t history;
	summary_history_init(&history);
	status = summary_build(ctx->data_dir, chat, NULL, &history, &summary, &err);
	summary_history_release(&history);
	if (status != CHATARC_OK)
		return cli_report("demo", status, &err);
	size_t unassigned = 0;
	for (size_t i = 0; i < summary->n_messages; i++)
		unassigned += summary->messages[i].section == SECTION_UNASSIGNED;
	printf("  session %s: %zu %s, %zu topic %s, %zu unassigned\n", summary->date,
	       summary->n_messages, plural((long long)summary->n_messages, "message", "messages"),
	       summary->n_topics, plural((long long)summary->n_topics, "question", "questions"),
	       unassigned);
	strbuf_t line;
	strbuf_init(&line, 0);
	for (size_t k = 0; k < summary->n_topics; k++) {
		const summary_topic_t *topic = &summary->topics[k];
		strbuf_reset(&line);
		strbuf_add_abbrev(&line, summary->messages[topic->question].record.text, 70);
		printf("    %s (%zu %s)\n", line.buf, topic->n_messages,
		       plural((long long)topic->n_messages, "message", "messages"));
	}
	strbuf_release(&line);
	summary_free(summary);

	index_stats_t stats = {0};
	status = index_update(ctx->data_dir, &ctx->config, false, NULL, NULL, &stats, &err);
	if (status == CHATARC_OK)
		printf("  search index: %ld documents in %s/index\n", stats.documents,
		       ctx->data_dir);
	index_stats_release(&stats);
	char *site = NULL;
	if (status == CHATARC_OK)
		status = publish_sample(ctx, &ctx->config, &site, &err);
	if (status != CHATARC_OK) {
		free(site);
		return cli_report("demo", status, &err);
	}
	printf("  site: %s/index.html  (open it in a browser; transcript: %s/%s/)\n", site, site,
	       SAMPLE_CHAT);
	free(site);
	printf("  try: %s --data %s summarise %s    (the session as XML)\n"
	       "       %s --data %s search 'topic:T2 trust'\n"
	       "       %s --data %s export %s --format csv\n"
	       "       %s --data %s serve    (then open http://127.0.0.1:8080/search?q=trust)\n",
	       ctx->program, ctx->data_dir, SAMPLE_CHAT, ctx->program, ctx->data_dir, ctx->program,
	       ctx->data_dir, SAMPLE_CHAT, ctx->program, ctx->data_dir);
	return EXIT_OK;
}
