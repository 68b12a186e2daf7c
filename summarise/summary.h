/* The summariser: one chat session cut out of the archive, its messages
 * grouped by topic question, and the recap a transcript page needs. The
 * same summary is written as XML (share/schema/summary.rng) or JSON. */
#ifndef CHATARC_SUMMARY_H
#define CHATARC_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/archive.h"
#include "../common/config.h"
#include "../common/record.h"
#include "../common/status.h"
#include "../common/strbuf.h"
#include "../common/urimap.h"

/* Where a message belongs: a topic (0-based index into topics) or one of these. */
enum {
	SECTION_INTRO = -1,      /* before the first topic question */
	SECTION_WRAP = -2,       /* after the moderators close the chat */
	SECTION_UNASSIGNED = -3, /* the signals disagree, or none applies */
};

/* How a message's place was decided, strongest first. */
typedef enum assign_method {
	ASSIGN_QUESTION, /* it is (part of) the topic question */
	ASSIGN_LABEL,    /* "A1", "T1:", "@mod Q1" near its start */
	ASSIGN_REPLY,    /* it replies to a message whose place is known */
	ASSIGN_TIME,     /* posted between one question and the next */
	ASSIGN_NONE,
} assign_method_t;

typedef struct summary_message {
	chatarc_record_t record;
	/* Who wrote it, as participants are counted: the person the config's
	 * "people" names for its author's account (that person's first
	 * account), else the author; NULL for no author. */
	const char *person;
	char local_time[32]; /* in the chat's zone, with its offset */
	int section;         /* topic index or SECTION_* */
	assign_method_t method;
	const char *reason; /* why unassigned; NULL otherwise */
	long parent;        /* index of the parent in this session, or -1 */
	int labels[4];      /* topic numbers named by its labels */
	int n_labels;
	bool moderator;
	bool question;
} summary_message_t;

typedef struct summary_topic {
	int number;         /* 1 for T1 */
	long question;      /* the message holding the question (latest correction) */
	chatarc_ms_t start; /* when it was first asked */
	size_t n_messages;
	long highlights[5];
	int n_highlights;
} summary_topic_t;

typedef struct summary {
	char *chat, *title, *tz;
	const chatarc_chat_t *chat_config; /* the config's chat: its "people" */
	char date[11];                     /* local date of the session */
	bool scheduled;                    /* window from the schedule, else a burst */
	bool off_schedule;                 /* scheduled, and date is no session of it */
	chatarc_ms_t window_start, window_end;
	chatarc_ms_t scheduled_end;  /* when the session was to end (scheduled) */
	summary_message_t *messages; /* time order */
	size_t n_messages;
	summary_topic_t *topics; /* in the order asked */
	size_t n_topics;
	urimap_t newcomers; /* its people who never took part before */
} summary_t;

/* Who took part in a chat before a moment, to tell a session's newcomers
 * from its regulars. One history carried across sessions built oldest
 * first reads each earlier message once, not once per later session. */
typedef struct summary_history {
	urimap_t authors;
	chatarc_ms_t until; /* the authors of every message before this */
} summary_history_t;

void summary_history_init(summary_history_t *history);
void summary_history_release(summary_history_t *history);

/* Builds the summary of CHAT's session on local date `date` (NULL: the
 * latest session in the archive). history: brought up to the session's
 * start (read again from the beginning if it is already past it) to find
 * the newcomers; NULL leaves newcomers empty. */
CHATARC_MUST_CHECK chatarc_status_t summary_build(const char *data_dir, const chatarc_chat_t *chat,
                                                  const char *date, summary_history_t *history,
                                                  summary_t **out, chatarc_error_t *err);
/* The times and authors of a chat's messages, kept from one build to the
 * next by a reader that builds date after date (export, the indexer): a
 * chat without a schedule finds a date's session among three days'
 * messages, two of which the next date reads again. days (NULL for none,
 * the caller's to free after) is where the session windows' messages are
 * read through, for a caller that reads the same days itself. */
typedef struct summary_moments summary_moments_t;
summary_moments_t *summary_moments_new(archive_day_cache_t *days);
void summary_moments_free(summary_moments_t *moments);

/* The session's messages and their topics only, without highlights or
 * newcomers: what the indexer needs. kept: NULL, or the moments of the
 * build before, for dates asked in order. */
CHATARC_MUST_CHECK chatarc_status_t summary_build_topics(const char *data_dir,
                                                         const chatarc_chat_t *chat,
                                                         const char *date, summary_moments_t *kept,
                                                         summary_t **out, chatarc_error_t *err);
void summary_free(summary_t *summary);
/* The local dates (YYYY-MM-DD, oldest first) on which CHAT may have had a
 * session: for a scheduled chat, the dates its schedules yield whose
 * window touches a day the archive holds (a date may still turn out
 * empty: nothing in the window, and its summary has no messages);
 * otherwise the start of every burst of activity (a run of at least 10
 * messages with no silence over 20 minutes). */
CHATARC_MUST_CHECK chatarc_status_t summary_list_sessions(const char *data_dir,
                                                          const chatarc_chat_t *chat,
                                                          strlist_t *dates, chatarc_error_t *err);

/* Label parsing, exposed for tests: the topic numbers named near the start
 * of text ("A1", "@mod T2:", "Q3 answer", "A1 & A2"); `question` asks for a
 * moderator question label instead ("T1:", "Q1.", "Topic 1:"). chat: its
 * labels ("labels" in the config), or NULL for the default ones. */
int summary_parse_labels(const chatarc_chat_t *chat, const char *text, bool question, int *numbers,
                         int max);
/* A link without tracking parameters (utm_*, fbclid, ...), host lower-cased. */
char *summary_normalise_link(const char *url);

/* Chooses each topic's highlights (summarise/highlights.c). */
void summary_pick_highlights(summary_t *summary);

void summary_write_xml(const summary_t *summary, strbuf_t *out);
/* A message's anchor on its transcript ("m" and 12 hex digits), from its
 * uri alone: a late post never renumbers the links people shared. */
void summary_message_anchor(const char *uri, char out[24]);
/* The same as a libxml2 document (for publish, which transforms it next),
 * *hash (seeded by the caller) taking what was written. */
struct _xmlDoc;
void summary_write_xml_tree(const summary_t *s, struct _xmlDoc **doc, uint64_t *hash);
/* The recap as Markdown (markdown) or plain text: when and how much, each
 * question with its answers and highlights, top participants, newcomers,
 * top links, and `transcript` (the page's address; may be NULL). */
void summary_write_recap(const summary_t *summary, bool markdown, const char *transcript,
                         strbuf_t *out);
/* The recap as one post to put back on a network (summarise/recap.c): the
 * chat's hashtag (NULL: its name), the figures, the questions that fit,
 * and `link` (the transcript's address), within one post as the network
 * counts it. */
typedef enum summary_post_network {
	SUMMARY_POST_MASTODON, /* 500 characters; a link is 23, @user@server is @user */
	SUMMARY_POST_BLUESKY,  /* 300 graphemes */
} summary_post_network_t;
void summary_write_post(const summary_t *summary, summary_post_network_t network,
                        const char *hashtag, const char *link, strbuf_t *out);
size_t summary_post_length(summary_post_network_t network, const char *text);
/* Only the messages, as <messages><message .../></messages>. */
void summary_write_messages_xml(const summary_t *summary, strbuf_t *out);

/* The messages of CHAT outside every session, so that none is published
 * nowhere. windows: the sessions' [start, end), oldest first. *total: how
 * many messages fall outside; *out: the latest `max` of them as a summary
 * without topics (every message in the welcome section). */
CHATARC_MUST_CHECK chatarc_status_t summary_build_outside(
    const char *data_dir, const chatarc_chat_t *chat, const chatarc_ms_t (*windows)[2],
    size_t n_windows, size_t max, summary_t **out, size_t *total, chatarc_error_t *err);
void summary_write_json(const summary_t *summary, strbuf_t *out);

#endif
