/* Recognising which network and shape a JSON object is, and the helpers the
 * converters share. Detection is by content, never by file name. */
#include <stdlib.h>
#include <string.h>

#include "../common/alloc.h"
#include "../common/json.h"
#include "posts.h"

void posts_lowercase(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

char *posts_url_host(const char *url)
{
	const char *p;
	if (!url)
		return NULL;
	if (!strncmp(url, "https://", 8))
		p = url + 8;
	else if (!strncmp(url, "http://", 7))
		p = url + 7;
	else
		return NULL;
	size_t n = strcspn(p, "/:?#");
	return n ? xstrndup(p, n) : NULL;
}

void posts_record_start(const post_converter_t *conv, chatarc_record_t *r, const char *network,
                        yajl_val raw)
{
	strbuf_t sb;
	record_init(r);
	record_set(&r->network, network);
	record_set(&r->source, conv->source);
	record_set(&r->chat, conv->chat);
	strbuf_init(&sb, 1024);
	json_add_value(&sb, raw);
	r->raw = strbuf_detach(&sb, NULL);
}

/* An identity must be exact: no control character, and no U+FFFD (what a
 * NUL in the wire's JSON becomes, or bytes that were not UTF-8). */
static const char *bad_identity(const chatarc_record_t *r)
{
	const char *fields[] = {r->uri, r->native_id, r->author, r->boost_of, r->boost_of_account};
	const char *names[] = {"uri", "id", "author", "boosted uri", "boosted account"};
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
		const char *p = fields[i];
		for (; p && *p; p++)
			if ((unsigned char)*p < 0x20 || !strncmp(p, "\xEF\xBF\xBD", 3))
				return names[i];
	}
	return NULL;
}

/* When the network first saw the post, from the wire's own clock rather
 * than the poster's: Bluesky's indexedAt (the AppView's), a Mastodon id
 * (the source's snowflake: ms << 16), a Twitter snowflake id. */
static bool posts_seen_ms(const chatarc_record_t *r, chatarc_ms_t *out)
{
	if (r->network && !strcmp(r->network, "twitter"))
		return r->native_id && time_from_snowflake(r->native_id, out);
	yajl_val raw;
	chatarc_error_t ignored;
	if (!r->raw || json_parse(r->raw, &raw, &ignored) != CHATARC_OK)
		return false;
	bool found = false;
	const char *indexed = json_get_string(raw, "indexedAt");
	const char *id = json_get_string(raw, "id");
	if (indexed) {
		found = time_parse_iso8601(indexed, out);
	} else if (id && strspn(id, "0123456789") == strlen(id) && strlen(id) >= 15) {
		*out = (chatarc_ms_t)(strtoull(id, NULL, 10) >> 16);
		found = true;
	}
	json_free(raw);
	return found;
}

void posts_place_in_time(chatarc_record_t *r, chatarc_ms_t now)
{
	chatarc_ms_t latest = now + TIME_POST_MARGIN_MS, seen;
	if (r->created_ms >= TIME_POST_MARGIN_MS && r->created_ms <= latest)
		return;
	if (!posts_seen_ms(r, &seen) || seen > latest || seen < TIME_POST_MARGIN_MS)
		seen = now;
	r->created_ms = seen;
}

void posts_boost_start(const post_converter_t *conv, chatarc_record_t *r, const char *network)
{
	record_init(r);
	record_set(&r->network, network);
	record_set(&r->source, conv->source);
	record_set(&r->chat, conv->chat);
}

chatarc_status_t posts_emit_boost(post_converter_t *conv, chatarc_record_t *r, chatarc_error_t *err)
{
	conv->boosts++;
	chatarc_status_t status = CHATARC_OK;
	/* A boost with a broken identity is dropped, not the file refused:
	 * the message it boosts is what the import is for. */
	if (conv->boost_sink && r->uri && record_is_boost(r) && !bad_identity(r)) {
		posts_place_in_time(r, time_now_ms());
		status = conv->boost_sink(conv->boost_sink_ctx, r, err);
	}
	record_clear(r);
	return status;
}

chatarc_status_t posts_emit(post_converter_t *conv, chatarc_record_t *r, chatarc_error_t *err)
{
	posts_place_in_time(r, time_now_ms());
	const char *bad = bad_identity(r);
	if (bad) {
		record_clear(r);
		return chatarc_error_set(err, CHATARC_ERR_FORMAT,
		                         "the post's %s holds a NUL or a control character; an "
		                         "identity must be exact, so the post is refused",
		                         bad);
	}
	chatarc_status_t status = conv->sink(conv->sink_ctx, r, err);
	record_clear(r);
	if (status == CHATARC_OK)
		conv->posts++;
	return status;
}

static CHATARC_MUST_CHECK chatarc_status_t
convert_each(post_converter_t *conv, yajl_val list, const char *name,
             chatarc_status_t (*convert)(post_converter_t *, yajl_val, chatarc_error_t *),
             chatarc_error_t *err)
{
	for (size_t i = 0; i < json_array_len(list); i++) {
		chatarc_status_t rc = convert(conv, list->u.array.values[i], err);
		if (rc != CHATARC_OK) {
			chatarc_error_prefix(err, "%s[%zu]", name, i);
			return rc;
		}
	}
	return CHATARC_OK;
}

static bool is_at_uri(yajl_val obj)
{
	const char *uri = json_get_string(obj, "uri");
	return uri && !strncmp(uri, "at://", 5);
}

/* A feed item (getAuthorFeed, getTimeline): {post, reason}; a repost
 * reason means this appearance is a boost of the post. */
static CHATARC_MUST_CHECK chatarc_status_t bluesky_convert_feed_item(post_converter_t *conv,
                                                                     yajl_val item,
                                                                     chatarc_error_t *err)
{
	yajl_val reason = json_get(item, "reason");
	const char *type = json_get_string(reason, "$type");
	yajl_val post = json_get(item, "post");
	if (type && strstr(type, "reasonRepost")) {
		chatarc_status_t status = bluesky_keep_repost(conv, reason, post, err);
		if (status != CHATARC_OK)
			return status;
	}
	return bluesky_convert_post(conv, post, err);
}

static CHATARC_MUST_CHECK chatarc_status_t twitter_convert_v2_flat(post_converter_t *conv,
                                                                   yajl_val tweet,
                                                                   chatarc_error_t *err)
{
	return twitter_convert_v2_tweet(conv, tweet, NULL, err);
}

chatarc_status_t posts_convert_object(post_converter_t *conv, yajl_val obj, chatarc_error_t *err)
{
	if (!YAJL_IS_OBJECT(obj))
		return chatarc_error_set(err, CHATARC_ERR_FORMAT, "expected a JSON object");
	if (YAJL_IS_ARRAY(json_get(obj, "posts")))
		return convert_each(conv, json_get(obj, "posts"), "posts", bluesky_convert_post,
		                    err);
	if (YAJL_IS_ARRAY(json_get(obj, "feed")))
		return convert_each(conv, json_get(obj, "feed"), "feed", bluesky_convert_feed_item,
		                    err);
	if (json_get(obj, "data") &&
	    (json_get(obj, "includes") || json_get(obj, "meta") ||
	     YAJL_IS_ARRAY(json_get(obj, "data")) || YAJL_IS_OBJECT(json_get(obj, "data"))))
		return twitter_convert_v2_page(conv, obj, err);
	if (YAJL_IS_ARRAY(json_get(obj, "statuses")))
		return convert_each(conv, json_get(obj, "statuses"), "statuses", twitter_convert_v1,
		                    err);
	if (YAJL_IS_OBJECT(json_get(obj, "tweet")))
		return twitter_convert_v1(conv, json_get(obj, "tweet"), err);
	if (is_at_uri(obj) && json_get(obj, "record"))
		return bluesky_convert_post(conv, obj, err);
	if (YAJL_IS_OBJECT(json_get(obj, "post")) && is_at_uri(json_get(obj, "post")))
		return bluesky_convert_feed_item(conv, obj, err);
	if (json_get(obj, "account") && json_get(obj, "content"))
		return mastodon_convert_status(conv, obj, err);
	if (json_get(obj, "id_str") || (json_get(obj, "user") && json_get(obj, "created_at")) ||
	    json_get(obj, "full_text"))
		return twitter_convert_v1(conv, obj, err);
	if (YAJL_IS_STRING(json_get(obj, "id")) && YAJL_IS_STRING(json_get(obj, "text")))
		return twitter_convert_v2_flat(conv, obj, err);
	return chatarc_error_set(err, CHATARC_ERR_FORMAT,
	                         "not a post chatarc knows: expected a Mastodon status, a Bluesky "
	                         "post or searchPosts page, a Twitter v1.1/v2 tweet or page, or a "
	                         "tweets.js entry");
}
