/* Tweets to records: API v1.1 (and tweets.js, its archive form), API v2 pages
 * with their includes (as twarc2 writes them), and single v2 tweets.
 *
 * A tweet's uri is https://twitter.com/i/web/status/ID: the id alone is the
 * identity (screen names change, v2 without expansions has no author, and a
 * reply names only its parent's id); `url` carries the screen name. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../common/alloc.h"
#include "../common/json.h"
#include "posts.h"

/* Twitter escapes exactly these three in tweet text, in both APIs. Most
 * tweets have none, so the text is scanned for '&' first. */
char *twitter_decode_entities(const char *text)
{
	static const struct {
		const char *entity;
		size_t len;
		char c;
	} entities[] = {{"&amp;", 5, '&'}, {"&lt;", 4, '<'}, {"&gt;", 4, '>'}};
	const char *amp = strchr(text, '&');
	strbuf_t out;

	if (!amp)
		return xstrdup(text);
	strbuf_init(&out, strlen(text));
	for (const char *p = text; amp; amp = strchr(p, '&')) {
		strbuf_add(&out, p, (size_t)(amp - p));
		p = amp + 1;
		strbuf_addch(&out, '&');
		for (size_t k = 0; k < 3; k++) {
			if (!strncmp(amp, entities[k].entity, entities[k].len)) {
				out.buf[out.len - 1] = entities[k].c;
				p = amp + entities[k].len;
				break;
			}
		}
		if (!strchr(p, '&')) {
			strbuf_addstr(&out, p);
			break;
		}
	}
	return strbuf_detach(&out, NULL);
}

char *twitter_status_url(const char *prefix, const char *id)
{
	strbuf_t sb;
	strbuf_init(&sb, 64);
	strbuf_add(&sb, "https://twitter.com/", 20);
	strbuf_addstr(&sb, prefix);
	strbuf_add(&sb, "/status/", 8);
	strbuf_addstr(&sb, id);
	return strbuf_detach(&sb, NULL);
}

void twitter_set_identity(chatarc_record_t *r, const char *id, const char *screen_name)
{
	r->uri = twitter_status_url("i/web", id);
	r->url = twitter_status_url(screen_name && *screen_name ? screen_name : "i/web", id);
}

void posts_add_tag(strlist_t *list, const char *s)
{
	char *lower = xstrdup(s);
	posts_lowercase(lower);
	strlist_add_unique(list, lower);
	free(lower);
}

/* Adds field `keys[0]` (else keys[1], ...) of each object in entities[list]:
 * the two APIs name the same entities differently. */
void twitter_add_entities(strlist_t *out, yajl_val entities, const char *list,
                          const char *const *keys, bool lowercase)
{
	yajl_val items = json_get(entities, list);
	for (size_t i = 0; i < json_array_len(items); i++) {
		const char *value = NULL;
		for (const char *const *key = keys; *key && !value; key++)
			value = json_get_string(json_array_at(items, i), *key);
		if (value && lowercase)
			posts_add_tag(out, value);
		else if (value)
			strlist_add_unique(out, value);
	}
}

/* The id as text: id_str, or id when it is a string (tweets.js, v2). A
 * numeric id above 2^53 may have lost digits in other tools: we keep yajl's
 * original text of it. */
static const char *tweet_id(yajl_val tweet)
{
	const char *id = json_get_string(tweet, "id_str");
	if (id)
		return id;
	yajl_val v = json_get(tweet, "id");
	if (YAJL_IS_STRING(v))
		return v->u.string;
	if (YAJL_IS_NUMBER(v))
		return v->u.number.r;
	return NULL;
}

static bool set_created(chatarc_record_t *r, const char *created, const char *id, bool v2)
{
	if (created)
		return v2 ? time_parse_iso8601(created, &r->created_ms)
		          : time_parse_twitter(created, &r->created_ms);
	return time_from_snowflake(id, &r->created_ms);
}

bool twitter_text_retweets(const char *text, char *user, size_t size)
{
	if (!text || strncmp(text, "RT @", 4))
		return false;
	size_t n = 0;
	for (const char *p = text + 4; (isalnum((unsigned char)*p) || *p == '_') && n + 1 < size;
	     p++)
		user[n++] = *p;
	if (size)
		user[n] = '\0';
	return true;
}

/* A retweet as a boost event: the tweet `id` by screen_name at `created`
 * (v2: ISO 8601, else v1's form; NULL: the id's own time) retweeted the
 * tweet of_id (NULL when only text names it) by of_user. */
static CHATARC_MUST_CHECK chatarc_status_t keep_retweet(post_converter_t *conv, const char *id,
                                                        const char *screen_name, const char *name,
                                                        const char *created, bool v2,
                                                        const char *of_id, const char *of_user,
                                                        chatarc_error_t *err)
{
	chatarc_record_t b;
	posts_boost_start(conv, &b, "twitter");
	if (id && screen_name && set_created(&b, created, id, v2)) {
		twitter_set_identity(&b, id, screen_name);
		record_set(&b.native_id, id);
		record_set(&b.author, screen_name);
		record_set(&b.author_name, name);
		if (of_id && *of_id)
			b.boost_of = twitter_status_url("i/web", of_id);
		record_set(&b.boost_of_account, of_user && *of_user ? of_user : NULL);
	}
	return posts_emit_boost(conv, &b, err);
}

chatarc_status_t twitter_convert_v1(post_converter_t *conv, yajl_val tweet, chatarc_error_t *err)
{
	const char *what = "Twitter v1.1 tweet";
	const char *created, *screen_name = NULL, *name = NULL, *text;
	chatarc_record_t r;
	chatarc_status_t rc;
	yajl_val user = json_get(tweet, "user");
	yajl_val retweeted = json_get(tweet, "retweeted_status");
	yajl_val extended = json_get(tweet, "extended_tweet");

	if (YAJL_IS_OBJECT(retweeted)) {
		yajl_val of_user = json_get(retweeted, "user");
		rc = keep_retweet(conv, tweet_id(tweet), json_get_string(user, "screen_name"),
		                  json_get_string(user, "name"),
		                  json_get_string(tweet, "created_at"), false, tweet_id(retweeted),
		                  json_get_string(of_user, "screen_name"), err);
		return rc ? rc : twitter_convert_v1(conv, retweeted, err);
	}
	const char *id = tweet_id(tweet);
	if (!id)
		return chatarc_error_set(err, CHATARC_ERR_FORMAT, "%s has no \"id_str\"", what);
	if ((rc = json_optional_string(tweet, "created_at", what, &created, err)))
		return rc;
	text = json_get_string(extended, "full_text");
	if (!text)
		text = json_get_string(tweet, "full_text");
	if (!text && (rc = json_require_string(tweet, "text", what, &text, err)))
		return rc;

	if (YAJL_IS_OBJECT(user)) {
		if ((rc = json_require_string(user, "screen_name", "Twitter user", &screen_name,
		                              err)))
			return rc;
		name = json_get_string(user, "name");
	} else {
		/* tweets.js: the archive is one account's, named in account.js. */
		if (!conv->archive_author)
			return chatarc_error_set(
			    err, CHATARC_ERR_FORMAT,
			    "%s %s has no \"user\": for a Twitter archive's tweets.js keep its "
			    "account.js beside it or pass --author USER",
			    what, id);
		screen_name = conv->archive_author;
		name = conv->archive_author_name;
	}
	/* tweets.js keeps a retweet as "RT @user: ..." text only, and a manual
	 * retweet has no retweeted_status: the original's author is all there
	 * is of what it boosted. */
	char of_user[64];
	if (twitter_text_retweets(text, of_user, sizeof of_user))
		return keep_retweet(conv, id, screen_name, name, created, false, NULL, of_user,
		                    err);

	posts_record_start(conv, &r, "twitter", tweet);
	if (!set_created(&r, created, id, false)) {
		record_clear(&r);
		return chatarc_error_set(err, CHATARC_ERR_FORMAT,
		                         "%s %s: \"created_at\" is not a Twitter time", what, id);
	}
	twitter_set_identity(&r, id, screen_name);
	record_set(&r.author, screen_name);
	record_set(&r.author_name, name);
	r.text = twitter_decode_entities(text);

	record_set(&r.native_id, id);
	const char *reply_id = json_get_string(tweet, "in_reply_to_status_id_str");
	if (reply_id && *reply_id) {
		r.reply_to = twitter_status_url("i/web", reply_id);
		record_set(&r.reply_to_id, reply_id);
		record_set(&r.reply_to_account, json_get_string(tweet, "in_reply_to_screen_name"));
	}

	static const char *const tag_key[] = {"text", NULL},
	                         *const mention_key[] = {"screen_name", NULL},
	                         *const url_key[] = {"expanded_url", NULL};
	yajl_val entities = json_get(YAJL_IS_OBJECT(extended) ? extended : tweet, "entities");
	twitter_add_entities(&r.tags, entities, "hashtags", tag_key, true);
	twitter_add_entities(&r.mentions, entities, "user_mentions", mention_key, false);
	twitter_add_entities(&r.links, entities, "urls", url_key, false);
	r.replies = json_get_count(tweet, "reply_count");
	r.reposts = json_get_count(tweet, "retweet_count");
	r.likes = json_get_count(tweet, "favorite_count");
	record_set(&r.lang, json_get_string(tweet, "lang"));
	const char *quoted = json_get_string(tweet, "quoted_status_id_str");
	if (quoted && *quoted)
		r.quote_of = twitter_status_url("i/web", quoted);
	/* extended_entities lists every photo (entities only the first);
	 * ext_alt_text is there when the search asked for it. */
	yajl_val media_holder =
	    json_get(YAJL_IS_OBJECT(extended) ? extended : tweet, "extended_entities");
	if (!YAJL_IS_OBJECT(media_holder))
		media_holder = entities;
	yajl_val media = json_get(media_holder, "media");
	for (size_t i = 0; i < json_array_len(media); i++) {
		const char *alt = json_get_string(json_array_at(media, i), "ext_alt_text");
		strlist_add(&r.media_alt, alt ? alt : "");
	}
	yajl_val followers = json_get(user, "followers_count");
	if (YAJL_IS_INTEGER(followers) && YAJL_GET_INTEGER(followers) >= 0)
		r.author_followers = YAJL_GET_INTEGER(followers);
	return posts_emit(conv, &r, err);
}

/* A page's includes.users and includes.tweets by id, sorted once per page:
 * scanning them for each tweet's author was a twentieth of an import. */
struct id_entry {
	const char *id;
	yajl_val item;
	size_t at; /* its place in the list: the first of equal ids wins */
};

struct v2_includes {
	yajl_val includes; /* for media, looked up rarely */
	struct id_entry *users, *tweets;
	size_t n_users, n_tweets;
};

static int compare_ids(const void *a, const void *b)
{
	return strcmp(((const struct id_entry *)a)->id, ((const struct id_entry *)b)->id);
}

static int compare_entries(const void *a, const void *b)
{
	const struct id_entry *x = a, *y = b;
	int by_id = compare_ids(x, y);
	return by_id ? by_id : (x->at > y->at) - (x->at < y->at);
}

/* The items of includes[kind] with a string id, sorted; the first of equal
 * ids stays first (a scan found the first). */
static struct id_entry *sorted_ids(yajl_val includes, const char *kind, size_t *n)
{
	yajl_val list = json_get(includes, kind);
	struct id_entry *entries = xcalloc(json_array_len(list) + 1, sizeof *entries);
	*n = 0;
	for (size_t i = 0; i < json_array_len(list); i++) {
		const char *id = json_get_string(json_array_at(list, i), "id");
		if (id)
			entries[(*n)++] = (struct id_entry){id, json_array_at(list, i), i};
	}
	qsort(entries, *n, sizeof *entries, compare_entries);
	return entries;
}

static void v2_includes_init(struct v2_includes *inc, yajl_val includes)
{
	inc->includes = includes;
	inc->users = sorted_ids(includes, "users", &inc->n_users);
	inc->tweets = sorted_ids(includes, "tweets", &inc->n_tweets);
}

static void v2_includes_release(struct v2_includes *inc)
{
	free(inc->users);
	free(inc->tweets);
}

static yajl_val find_by_id(const struct id_entry *entries, size_t n, const char *id)
{
	if (!id)
		return NULL;
	struct id_entry key = {id, NULL, 0};
	const struct id_entry *found = bsearch(&key, entries, n, sizeof *entries, compare_ids);
	while (found && found > entries && !strcmp(found[-1].id, id))
		found--; /* the first of equal ids */
	return found ? found->item : NULL;
}

/* An attachment's media object: inline (twarc2's flattened tweets) or in
 * the page's includes.media by media_key. */
static yajl_val find_media(yajl_val includes, const char *key)
{
	yajl_val list = json_get(includes, "media");
	for (size_t i = 0; key && i < json_array_len(list); i++) {
		const char *media_key = json_get_string(json_array_at(list, i), "media_key");
		if (media_key && !strcmp(key, media_key))
			return json_array_at(list, i);
	}
	return NULL;
}

/* Language, quoted tweet, thread root, media alt texts and followers. */
static void add_v2_details(chatarc_record_t *r, yajl_val tweet, yajl_val includes, yajl_val author,
                           const char *quoted_id)
{
	record_set(&r->lang, json_get_string(tweet, "lang"));
	if (quoted_id)
		r->quote_of = twitter_status_url("i/web", quoted_id);
	/* conversation_id is the id of the tweet that opened the thread. */
	const char *root = json_get_string(tweet, "conversation_id");
	if (root && *root && strcmp(root, r->native_id))
		r->thread_root = twitter_status_url("i/web", root);
	yajl_val attachments = json_get(tweet, "attachments");
	yajl_val inline_media = json_get(attachments, "media");
	yajl_val keys = json_get(attachments, "media_keys");
	size_t n =
	    json_array_len(inline_media) ? json_array_len(inline_media) : json_array_len(keys);
	for (size_t i = 0; i < n; i++) {
		yajl_val m = json_array_len(inline_media)
		                 ? json_array_at(inline_media, i)
		                 : find_media(includes, YAJL_IS_STRING(json_array_at(keys, i))
		                                            ? json_array_at(keys, i)->u.string
		                                            : NULL);
		const char *alt = json_get_string(m, "alt_text");
		strlist_add(&r->media_alt, alt ? alt : "");
	}
	yajl_val followers = json_get(json_get(author, "public_metrics"), "followers_count");
	if (YAJL_IS_INTEGER(followers) && YAJL_GET_INTEGER(followers) >= 0)
		r->author_followers = YAJL_GET_INTEGER(followers);
}

static CHATARC_MUST_CHECK chatarc_status_t convert_v2_tweet(post_converter_t *conv, yajl_val tweet,
                                                            const struct v2_includes *inc,
                                                            chatarc_error_t *err)
{
	yajl_val includes = inc->includes;
	const char *what = "Twitter v2 tweet";
	const char *id, *text, *created, *author_id;
	chatarc_record_t r;
	chatarc_status_t rc;

	if ((rc = json_require_string(tweet, "id", what, &id, err)) ||
	    (rc = json_require_string(tweet, "text", what, &text, err)) ||
	    (rc = json_optional_string(tweet, "created_at", what, &created, err)) ||
	    (rc = json_optional_string(tweet, "author_id", what, &author_id, err)))
		return rc;

	/* twarc2's flattened tweets carry their author inline. */
	yajl_val author = json_get(tweet, "author");
	if (!YAJL_IS_OBJECT(author))
		author = find_by_id(inc->users, inc->n_users, author_id);
	const char *username = json_get_string(author, "username");
	const char *name = json_get_string(author, "name");

	yajl_val refs = json_get(tweet, "referenced_tweets");
	const char *reply_id = NULL, *quoted_id = NULL;
	char of_user[64] = "";
	for (size_t i = 0; i < json_array_len(refs); i++) {
		const char *type = json_get_string(json_array_at(refs, i), "type");
		const char *ref_id = json_get_string(json_array_at(refs, i), "id");
		if (!type || !ref_id)
			continue;
		if (!strcmp(type, "retweeted")) {
			yajl_val original = find_by_id(inc->tweets, inc->n_tweets, ref_id);
			yajl_val of_author = json_get(original, "author");
			if (!YAJL_IS_OBJECT(of_author))
				of_author = find_by_id(inc->users, inc->n_users,
				                       json_get_string(original, "author_id"));
			const char *of_name = json_get_string(of_author, "username");
			if (!of_name)
				twitter_text_retweets(text, of_user, sizeof of_user);
			rc = keep_retweet(conv, id, username ? username : author_id, name, created,
			                  true, ref_id, of_name ? of_name : of_user, err);
			if (rc || !original)
				return rc;
			return convert_v2_tweet(conv, original, inc, err);
		}
		if (!strcmp(type, "replied_to"))
			reply_id = ref_id;
		else if (!strcmp(type, "quoted"))
			quoted_id = ref_id;
	}
	if (twitter_text_retweets(text, of_user, sizeof of_user))
		return keep_retweet(conv, id, username ? username : author_id, name, created, true,
		                    NULL, of_user, err);

	posts_record_start(conv, &r, "twitter", tweet);
	if (!set_created(&r, created, id, true)) {
		record_clear(&r);
		return chatarc_error_set(
		    err, CHATARC_ERR_FORMAT,
		    "%s %s: no usable \"created_at\" and the id carries no time", what, id);
	}
	twitter_set_identity(&r, id, username);
	record_set(&r.author, username ? username : author_id);
	record_set(&r.author_name, name);
	/* Tweets over 280 characters keep their whole text in note_tweet. */
	const char *note = json_get_string(json_get(tweet, "note_tweet"), "text");
	r.text = twitter_decode_entities(note ? note : text);
	record_set(&r.native_id, id);
	if (reply_id) {
		r.reply_to = twitter_status_url("i/web", reply_id);
		record_set(&r.reply_to_id, reply_id);
		/* The account replied to, when the page's includes name it. */
		const char *to_user = json_get_string(tweet, "in_reply_to_user_id");
		yajl_val replied = find_by_id(inc->users, inc->n_users, to_user);
		const char *to_name = json_get_string(replied, "username");
		record_set(&r.reply_to_account, to_name ? to_name : to_user);
	}

	static const char *const tag_key[] = {"tag", NULL},
	                         *const mention_key[] = {"username", NULL},
	                         *const url_keys[] = {"unwound_url", "expanded_url", NULL};
	yajl_val entities = json_get(tweet, "entities");
	twitter_add_entities(&r.tags, entities, "hashtags", tag_key, true);
	twitter_add_entities(&r.mentions, entities, "mentions", mention_key, false);
	twitter_add_entities(&r.links, entities, "urls", url_keys, false);
	yajl_val metrics = json_get(tweet, "public_metrics");
	r.replies = json_get_count(metrics, "reply_count");
	r.reposts = json_get_count(metrics, "retweet_count");
	r.likes = json_get_count(metrics, "like_count");
	add_v2_details(&r, tweet, includes, author, quoted_id);
	return posts_emit(conv, &r, err);
}

chatarc_status_t twitter_convert_v2_tweet(post_converter_t *conv, yajl_val tweet, yajl_val includes,
                                          chatarc_error_t *err)
{
	struct v2_includes inc;
	v2_includes_init(&inc, includes);
	chatarc_status_t status = convert_v2_tweet(conv, tweet, &inc, err);
	v2_includes_release(&inc);
	return status;
}

chatarc_status_t twitter_convert_v2_page(post_converter_t *conv, yajl_val page,
                                         chatarc_error_t *err)
{
	yajl_val data = json_get(page, "data");
	yajl_val includes = json_get(page, "includes");

	if (YAJL_IS_OBJECT(data)) /* a single-tweet lookup */
		return twitter_convert_v2_tweet(conv, data, includes, err);
	if (!YAJL_IS_ARRAY(data))
		return chatarc_error_set(err, CHATARC_ERR_FORMAT,
		                         "Twitter v2 page: \"data\" should be an array of tweets");
	struct v2_includes inc;
	chatarc_status_t rc = CHATARC_OK;
	v2_includes_init(&inc, includes);
	for (size_t i = 0; i < data->u.array.len && rc == CHATARC_OK; i++) {
		rc = convert_v2_tweet(conv, data->u.array.values[i], &inc, err);
		if (rc != CHATARC_OK)
			chatarc_error_prefix(err, "data[%zu]", i);
	}
	v2_includes_release(&inc);
	return rc;
}
