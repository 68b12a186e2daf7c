/* `chatarc summarise CHAT [DATE] [--format xml|json|md|text|mastodon|bluesky]`. */
#include <stdio.h>
#include <string.h>

#include "../common/options.h"
#include "../summarise/summary.h"
#include "cli.h"

static const command_help_t summarise_help = {
    "chatarc summarise CHAT [DATE] [--format xml|json|md|text|mastodon|bluesky]",
    "Cuts one session of CHAT out of the archive and writes its summary: the\n"
    "messages grouped by topic question (T1, T2, ...), with the welcome and\n"
    "wrap-up sections, each message's assignment method, and the recap\n"
    "(participants, newcomers, networks, hashtags, mentions, links, activity per\n"
    "minute, who replied to whom, highlights per topic). DATE is the session's\n"
    "local date in the chat's time zone; the default is the latest session that\n"
    "has messages. The session window is the chat's schedule (the dates its\n"
    "rule yields) with slack_minutes either side, or, without a schedule, the\n"
    "busiest run of messages that day. A DATE that is no session, or whose\n"
    "session has no messages, exits 1 and names the nearest sessions that have.\n"
    "xml follows share/schema/summary.rng; json carries the same content. md and\n"
    "text are the recap to post back or mail: when, how many, each question with\n"
    "its answers and highlights, top participants, newcomers, top links, and the\n"
    "transcript's page in the site. mastodon and bluesky are the recap as one\n"
    "post for that network (500 characters / 300 graphemes, as each counts):\n"
    "the figures, the questions that fit and the transcript's link, printed to\n"
    "post by hand (chatarc never posts)."};

/* Whether CHAT's session on date has messages. */
static CHATARC_MUST_CHECK chatarc_status_t has_messages(const cli_context_t *ctx,
                                                        const chatarc_chat_t *chat,
                                                        const char *date, bool *some,
                                                        chatarc_error_t *err)
{
	summary_t *s;
	chatarc_status_t status = summary_build_topics(ctx->data_dir, chat, date, NULL, &s, err);
	*some = status == CHATARC_OK && s->n_messages > 0;
	if (status == CHATARC_OK)
		summary_free(s);
	return status;
}

/* A DATE with nothing in its session window (off the schedule, cancelled,
 * a gap in the archive, in the future): says so with the nearest sessions
 * that have messages, rather than printing an empty session that looks
 * like one. */
static CHATARC_MUST_CHECK chatarc_status_t no_session(const cli_context_t *ctx,
                                                      const chatarc_chat_t *chat,
                                                      const summary_t *empty, chatarc_error_t *err)
{
	const char *date = empty->date;
	strlist_t dates = {0};
	chatarc_status_t status = summary_list_sessions(ctx->data_dir, chat, &dates, err);
	size_t split = 0;
	while (split < dates.len && strcmp(dates.items[split], date) < 0)
		split++;
	const char *before = NULL, *after = NULL;
	for (size_t i = split; status == CHATARC_OK && !before && i-- > 0;) {
		bool some;
		if ((status = has_messages(ctx, chat, dates.items[i], &some, err)) == CHATARC_OK &&
		    some)
			before = dates.items[i];
	}
	for (size_t i = split; status == CHATARC_OK && !after && i < dates.len; i++) {
		bool some;
		if (strcmp(dates.items[i], date) &&
		    (status = has_messages(ctx, chat, dates.items[i], &some, err)) == CHATARC_OK &&
		    some)
			after = dates.items[i];
	}
	if (status != CHATARC_OK) {
		strlist_clear(&dates);
		return status;
	}
	char nearest[80] = "it has no session with messages yet";
	if (before || after)
		snprintf(nearest, sizeof nearest, "the nearest with messages %s %s%s%s",
		         before && after ? "are" : "is", before ? before : "",
		         before && after ? " and " : "", after ? after : "");
	if (empty->off_schedule) {
		strbuf_t words;
		strbuf_init(&words, 0);
		schedule_describe_all(chat->schedules, chat->n_schedules, &words);
		status = chatarc_error_set(err, CHATARC_ERR_NOT_FOUND,
		                           "%s is no session date of %s (it meets %s); %s", date,
		                           chat->name, words.buf, nearest);
		strbuf_release(&words);
	} else {
		status = chatarc_error_set(err, CHATARC_ERR_NOT_FOUND,
		                           "%s has no session on %s (nothing archived in its "
		                           "window: cancelled, or a gap in the archive); %s",
		                           chat->name, date, nearest);
	}
	strlist_clear(&dates);
	return status;
}

int cmd_summarise(int argc, char **argv, cli_context_t *ctx)
{
	static const char *const formats[] = {"xml",      "json",    "md", "text",
	                                      "mastodon", "bluesky", NULL};
	enum { FORMAT_XML, FORMAT_JSON, FORMAT_MD, FORMAT_TEXT, FORMAT_MASTODON, FORMAT_BLUESKY };
	int format = FORMAT_XML;
	bool help = false;
	const chatarc_option_t options[] = {
	    OPT_KEYWORD("format", 'f', "xml|json|md|text|mastodon|bluesky",
	                "output format (default xml)", &format, formats),
	    OPT_END,
	};
	chatarc_error_t err;
	const chatarc_chat_t *chat;
	summary_t *summary;

	chatarc_status_t status = options_parse(options, &summarise_help, &argc, argv, &help, &err);
	if (status != CHATARC_OK || help)
		return cli_report("summarise", status, &err);
	if (argc < 2 || argc > 3)
		return options_usage_error("summarise", &summarise_help,
		                           "name one CHAT and at most one DATE");
	if ((status = cli_find_chat(ctx, argv[1], &chat, &err)))
		return cli_report("summarise", status, &err);
	summary_history_t history;
	summary_history_init(&history);
	status = summary_build(ctx->data_dir, chat, argc == 3 ? argv[2] : NULL, &history, &summary,
	                       &err);
	summary_history_release(&history);
	if (status == CHATARC_OK && argc == 3 && summary->n_messages == 0) {
		status = no_session(ctx, chat, summary, &err);
		summary_free(summary);
	}
	if (status != CHATARC_OK)
		return cli_report("summarise", status, &err);
	strbuf_t out;
	strbuf_init(&out, 1 << 16);
	if (format == FORMAT_XML) {
		summary_write_xml(summary, &out);
	} else if (format == FORMAT_JSON) {
		summary_write_json(summary, &out);
	} else {
		/* The page `chatarc publish` writes for it: under the site's
		 * address when the config gives it, else relative to the site. */
		const char *base = ctx->config.site_base_url;
		char transcript[1200];
		snprintf(transcript, sizeof transcript, "%s%s/%s.html", base ? base : "",
		         summary->chat, summary->date);
		if (format == FORMAT_MD || format == FORMAT_TEXT)
			summary_write_recap(summary, format == FORMAT_MD, transcript, &out);
		else
			summary_write_post(summary,
			                   format == FORMAT_MASTODON ? SUMMARY_POST_MASTODON
			                                             : SUMMARY_POST_BLUESKY,
			                   chat->tags.len ? chat->tags.items[0] : NULL, transcript,
			                   &out);
		if (!base && format >= FORMAT_MASTODON)
			fprintf(stderr,
			        "chatarc: summarise: warning: the link is relative to the site; "
			        "give the site's address in the config (\"site\": "
			        "{\"base_url\": ...}) for a link people can follow\n");
	}
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
	summary_free(summary);
	return EXIT_OK;
}
