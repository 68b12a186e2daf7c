/* Turning the networks' post objects into message records. Each converter
 * reads one parsed object and hands zero or more records to the sink: a
 * boost or retweet gives the post it boosts, never itself as a message: it
 * is counted, and handed to boost_sink as a boost event (who, when, of
 * which message; record_is_boost) where the caller keeps them. */
#ifndef CHATARC_POSTS_H
#define CHATARC_POSTS_H

#include <yajl/yajl_tree.h>

#include "../common/record.h"
#include "../common/status.h"

typedef chatarc_status_t (*post_sink_fn)(void *ctx, chatarc_record_t *record, chatarc_error_t *err);

/* Mastodon names a reply's parent by an id local to the server it was read
 * from, and tag timelines list the parent after its replies: replies wait
 * here (a bounded number) until the parent's uri is seen in the same file. */
typedef struct mastodon_threads mastodon_threads_t;

typedef struct post_converter {
	const char *chat;
	const char *source;
	/* tweets.js entries carry no author: the archive owner's, from
	 * account.js or --author. NULL when unknown. */
	const char *archive_author;
	const char *archive_author_name;
	post_sink_fn sink;
	void *sink_ctx;
	long posts;  /* records handed to the sink */
	long boosts; /* boosts/retweets seen (not stored as messages) */
	/* Where boost events go (import: the chat's boosts archive); NULL:
	 * counted only. */
	post_sink_fn boost_sink;
	void *boost_sink_ctx;
	/* Skip posts whose author opted out of search and archives (Mastodon
	 * `noindex: true` or `discoverable: false`; Bluesky's
	 * `!no-unauthenticated` label), counted in consent_skipped. */
	bool honour_consent;
	long consent_skipped;
	mastodon_threads_t *threads; /* created on the first Mastodon reply */
} post_converter_t;

/* Hands over what is still held (replies whose parent never came, without
 * reply_to) and frees the converter's state. Call at the end of a file. */
CHATARC_MUST_CHECK chatarc_status_t posts_finish(post_converter_t *conv, chatarc_error_t *err);
/* At a checkpoint (a fetched page about to be committed): hands over the
 * replies still waiting for their parent, without reply_to, so that all
 * that was read is durable; a parent seen later in the same run hands the
 * reply over again with reply_to (the archive keeps the fuller version). */
CHATARC_MUST_CHECK chatarc_status_t posts_settle(post_converter_t *conv, chatarc_error_t *err);
/* Frees the converter's state without handing anything over. */
void posts_release(post_converter_t *conv);

/* Recognises the shape of obj (a post, a page of posts, a tweets.js entry)
 * and converts it. Errors say what was expected. */
CHATARC_MUST_CHECK chatarc_status_t posts_convert_object(post_converter_t *conv, yajl_val obj,
                                                         chatarc_error_t *err);

/* One converter per network; obj is known to be of that network's shape. */
CHATARC_MUST_CHECK chatarc_status_t mastodon_convert_status(post_converter_t *conv, yajl_val status,
                                                            chatarc_error_t *err);
CHATARC_MUST_CHECK chatarc_status_t bluesky_convert_post(post_converter_t *conv, yajl_val post,
                                                         chatarc_error_t *err);
/* A feed item's repost (its reason: who, when; since 2024 the repost's own
 * uri) as a boost event of post, under the consent rule. */
CHATARC_MUST_CHECK chatarc_status_t bluesky_keep_repost(post_converter_t *conv, yajl_val reason,
                                                        yajl_val post, chatarc_error_t *err);
CHATARC_MUST_CHECK chatarc_status_t twitter_convert_v1(post_converter_t *conv, yajl_val tweet,
                                                       chatarc_error_t *err);
CHATARC_MUST_CHECK chatarc_status_t twitter_convert_v2_page(post_converter_t *conv, yajl_val page,
                                                            chatarc_error_t *err);
CHATARC_MUST_CHECK chatarc_status_t twitter_convert_v2_tweet(post_converter_t *conv, yajl_val tweet,
                                                             yajl_val includes,
                                                             chatarc_error_t *err);

/* Plain text of a status's HTML content; links the author shared (not
 * mention or hashtag anchors) are added to links. Returns a new string. */
char *mastodon_html_to_text(const char *html, strlist_t *links);

/* Shared by the converters: starts a record with the fields every network
 * fills the same way, and hands a finished record to the sink. */
void posts_record_start(const post_converter_t *conv, chatarc_record_t *r, const char *network,
                        yajl_val raw);
CHATARC_MUST_CHECK chatarc_status_t posts_emit(post_converter_t *conv, chatarc_record_t *r,
                                               chatarc_error_t *err);
/* The accepted range of a post's time (TIME_POST_MARGIN_MS, timeutil.h):
 * from 1970-01-02 (every local date of it is then a date chatarc keeps)
 * up to a day after it was first seen. The time a post carries is the poster's client's (Bluesky's
 * createdAt) or its home server's, and one post from the year 9999 would
 * otherwise open sessions, pages and day files no one can reach. A post
 * dated outside is kept, its claimed time in its raw object, and placed
 * by the time the network first saw it (as Bluesky's AppView sorts it):
 * indexedAt, the id's snowflake time, else `now`. posts_emit applies it
 * to every record. */
void posts_place_in_time(chatarc_record_t *r, chatarc_ms_t now);

/* A boost event: posts_boost_start gives a record with the converter's
 * network, source and chat (no raw: the event is who, when and of which
 * message, and the boosted post's text stays in the message alone); the
 * converter sets uri, url, author, author_name, created_ms, boost_of and
 * boost_of_account; posts_emit_boost counts it and hands it to
 * boost_sink. One without a uri, or naming neither the message nor its
 * author, is counted and not kept. */
void posts_boost_start(const post_converter_t *conv, chatarc_record_t *r, const char *network);
CHATARC_MUST_CHECK chatarc_status_t posts_emit_boost(post_converter_t *conv, chatarc_record_t *r,
                                                     chatarc_error_t *err);

/* Adds a hashtag, lower-cased, once. */
void posts_add_tag(strlist_t *list, const char *tag);

/* Shared by the Twitter converters (JSON and CSV). Twitter escapes &, < and
 * > in tweet text, in both APIs; returns the text decoded (a new string). */
char *twitter_decode_entities(const char *text);
/* "https://twitter.com/PREFIX/status/ID", newly allocated. */
char *twitter_status_url(const char *prefix, const char *id);
/* The one rule for a retweet written as text, on every Twitter path (v1,
 * v2, tweets.js, every CSV dialect): text starting "RT @user" is a
 * retweet of user's tweet (Twitter's own, or a manual one before it had
 * them), never a message. Gives user (at most size - 1 bytes). */
bool twitter_text_retweets(const char *text, char *user, size_t size);
/* uri (by id alone) and url (with the screen name when known). */
void twitter_set_identity(chatarc_record_t *r, const char *id, const char *screen_name);
/* Adds field keys[0] (else keys[1], ...) of each object in entities[list]. */
void twitter_add_entities(strlist_t *out, yajl_val entities, const char *list,
                          const char *const *keys, bool lowercase);

/* Lower-cases ASCII letters in place (tags are compared case-insensitively). */
void posts_lowercase(char *s);
/* "https://host/path" -> newly allocated "host" (NULL if not a URL). */
char *posts_url_host(const char *url);

#endif
