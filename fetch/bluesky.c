/* Bluesky PostViews (app.bsky.feed.defs#postView) to records. Facets index
 * the text by UTF-8 byte offsets; offsets come from the poster's client and
 * are checked before use. */
#include <stdlib.h>
#include <string.h>

#include "../common/alloc.h"
#include "../common/json.h"
#include "posts.h"

/* "@handle" as written in the text at [start, end), or NULL if the offsets
 * do not frame a valid piece of it. */
static char *facet_text(const char *text, long long start, long long end)
{
	size_t len = strlen(text);
	if (start < 0 || end <= start || (size_t)end > len ||
	    !utf8_valid(text + start, (size_t)(end - start)))
		return NULL;
	return xstrndup(text + start, (size_t)(end - start));
}

static void add_facets(chatarc_record_t *r, yajl_val facets)
{
	for (size_t i = 0; i < json_array_len(facets); i++) {
		yajl_val facet = json_array_at(facets, i);
		yajl_val index = json_get(facet, "index");
		yajl_val start = json_get(index, "byteStart"), end = json_get(index, "byteEnd");
		yajl_val features = json_get(facet, "features");
		for (size_t k = 0; k < json_array_len(features); k++) {
			yajl_val feature = json_array_at(features, k);
			const char *type = json_get_string(feature, "$type");
			if (!type)
				continue;
			if (!strcmp(type, "app.bsky.richtext.facet#tag") &&
			    json_get_string(feature, "tag")) {
				char *tag = xstrdup(json_get_string(feature, "tag"));
				posts_lowercase(tag);
				strlist_add_unique(&r->tags, tag);
				free(tag);
			} else if (!strcmp(type, "app.bsky.richtext.facet#link") &&
			           json_get_string(feature, "uri")) {
				strlist_add_unique(&r->links, json_get_string(feature, "uri"));
			} else if (!strcmp(type, "app.bsky.richtext.facet#mention")) {
				char *written = NULL;
				if (YAJL_IS_INTEGER(start) && YAJL_IS_INTEGER(end) && r->text)
					written = facet_text(r->text, YAJL_GET_INTEGER(start),
					                     YAJL_GET_INTEGER(end));
				const char *handle =
				    written && written[0] == '@' ? written + 1 : NULL;
				const char *did = json_get_string(feature, "did");
				if (handle || did)
					strlist_add_unique(&r->mentions, handle ? handle : did);
				free(written);
			}
		}
	}
}

/* The self-label `!no-unauthenticated` asks that the author's posts not be
 * shown to people who are not signed in: a public archive would. */
static bool bluesky_author_opted_out(yajl_val author)
{
	yajl_val labels = json_get(author, "labels");
	for (size_t i = 0; i < json_array_len(labels); i++) {
		const char *val = json_get_string(json_array_at(labels, i), "val");
		if (val && !strcmp(val, "!no-unauthenticated"))
			return true;
	}
	return false;
}

chatarc_status_t bluesky_keep_repost(post_converter_t *conv, yajl_val reason, yajl_val post,
                                     chatarc_error_t *err)
{
	yajl_val by = json_get(reason, "by");
	yajl_val author = json_get(post, "author");
	const char *at = json_get_string(reason, "indexedAt");
	chatarc_record_t b;
	posts_boost_start(conv, &b, "bluesky");
	if (!(conv->honour_consent &&
	      (bluesky_author_opted_out(by) || bluesky_author_opted_out(author))) &&
	    at && time_parse_iso8601(at, &b.created_ms)) {
		record_set(&b.uri, json_get_string(reason, "uri"));
		record_set(&b.author, json_get_string(by, "handle"));
		record_set(&b.author_name, json_get_string(by, "displayName"));
		record_set(&b.boost_of, json_get_string(post, "uri"));
		record_set(&b.boost_of_account, json_get_string(author, "handle"));
	}
	return posts_emit_boost(conv, &b, err);
}

/* Images' alt texts from an images embed ({"images": [{"alt": ...}]}) or a
 * video's ({"alt": ...}). */
static void add_media(chatarc_record_t *r, yajl_val embed)
{
	yajl_val images = json_get(embed, "images");
	for (size_t i = 0; i < json_array_len(images); i++) {
		const char *alt = json_get_string(json_array_at(images, i), "alt");
		strlist_add(&r->media_alt, alt ? alt : "");
	}
	if (YAJL_IS_OBJECT(json_get(embed, "video"))) {
		const char *alt = json_get_string(embed, "alt");
		strlist_add(&r->media_alt, alt ? alt : "");
	}
}

/* Language, thread root, quoted post, media and self-labels of a post
 * record (app.bsky.feed.post). */
static void add_details(chatarc_record_t *r, yajl_val record)
{
	yajl_val langs = json_get(record, "langs");
	if (json_array_len(langs) && YAJL_IS_STRING(json_array_at(langs, 0)))
		record_set(&r->lang, json_array_at(langs, 0)->u.string);
	const char *root_path[] = {"reply", "root", "uri", NULL};
	yajl_val root = json_get_path(record, root_path);
	if (YAJL_IS_STRING(root))
		record_set(&r->thread_root, root->u.string);
	/* embed.record (a quote), embed.recordWithMedia (a quote with media). */
	yajl_val embed = json_get(record, "embed");
	const char *quote_path[] = {"record", "uri", NULL};
	const char *quote_media_path[] = {"record", "record", "uri", NULL};
	yajl_val quoted = json_get_path(embed, quote_path);
	if (!YAJL_IS_STRING(quoted))
		quoted = json_get_path(embed, quote_media_path);
	if (YAJL_IS_STRING(quoted))
		record_set(&r->quote_of, quoted->u.string);
	add_media(r, embed);
	add_media(r, json_get(embed, "media"));
	/* Self-labels ("graphic-media", "nudity", ...) are Bluesky's content
	 * warnings: clients fold the post under them. */
	yajl_val labels = json_get(json_get(record, "labels"), "values");
	strbuf_t warning;
	strbuf_init(&warning, 0);
	for (size_t i = 0; i < json_array_len(labels); i++) {
		const char *val = json_get_string(json_array_at(labels, i), "val");
		if (val && *val)
			strbuf_addf(&warning, "%s%s", warning.len ? ", " : "", val);
	}
	if (warning.len)
		r->content_warning = strbuf_detach(&warning, NULL);
	strbuf_release(&warning);
}

chatarc_status_t bluesky_convert_post(post_converter_t *conv, yajl_val post, chatarc_error_t *err)
{
	const char *what = "Bluesky post";
	const char *uri, *handle, *text, *created = NULL;
	chatarc_record_t r;
	chatarc_status_t rc;
	yajl_val author = json_get(post, "author");
	yajl_val record = json_get(post, "record");

	if (!YAJL_IS_OBJECT(author) || !YAJL_IS_OBJECT(record))
		return chatarc_error_set(err, CHATARC_ERR_FORMAT,
		                         "%s: \"author\" and \"record\" should be objects", what);
	if ((rc = json_require_string(post, "uri", what, &uri, err)) ||
	    (rc = json_require_string(author, "handle", "Bluesky author", &handle, err)) ||
	    (rc = json_require_string(record, "text", "Bluesky post record", &text, err)) ||
	    (rc = json_optional_string(record, "createdAt", "Bluesky post record", &created, err)))
		return rc;
	if (!created)
		created = json_get_string(post, "indexedAt");
	if (conv->honour_consent && bluesky_author_opted_out(author)) {
		conv->consent_skipped++;
		return CHATARC_OK;
	}

	posts_record_start(conv, &r, "bluesky", post);
	if (!created || !time_parse_iso8601(created, &r.created_ms)) {
		record_clear(&r);
		return chatarc_error_set(
		    err, CHATARC_ERR_FORMAT,
		    "%s: record.createdAt is missing, not an ISO 8601 time, or outside "
		    "1970-9999 UTC",
		    what);
	}
	record_set(&r.uri, uri);
	record_set(&r.author, handle);
	record_set(&r.author_name, json_get_string(author, "displayName"));
	record_set(&r.text, text);

	/* at://DID/app.bsky.feed.post/RKEY -> https://bsky.app/profile/HANDLE/post/RKEY */
	const char *rkey = strrchr(uri, '/');
	if (rkey && rkey[1]) {
		strbuf_t url;
		strbuf_init(&url, 0);
		strbuf_addf(&url, "https://bsky.app/profile/%s/post/%s", handle, rkey + 1);
		r.url = strbuf_detach(&url, NULL);
	}
	const char *parent_path[] = {"reply", "parent", "uri", NULL};
	yajl_val parent = json_get_path(record, parent_path);
	record_set(&r.native_id, uri);
	if (YAJL_IS_STRING(parent)) {
		record_set(&r.reply_to, parent->u.string);
		record_set(&r.reply_to_id, parent->u.string);
		/* at://DID/...: the account replied to is the parent's DID. */
		const char *did = parent->u.string;
		if (!strncmp(did, "at://", 5)) {
			did += 5;
			r.reply_to_account = xstrndup(did, strcspn(did, "/"));
		}
	}

	add_facets(&r, json_get(record, "facets"));
	yajl_val tags = json_get(record, "tags");
	for (size_t i = 0; i < json_array_len(tags); i++) {
		yajl_val tag = json_array_at(tags, i);
		if (YAJL_IS_STRING(tag)) {
			char *lower = xstrdup(tag->u.string);
			posts_lowercase(lower);
			strlist_add_unique(&r.tags, lower);
			free(lower);
		}
	}
	const char *external_path[] = {"embed", "external", "uri", NULL};
	yajl_val external = json_get_path(record, external_path);
	if (YAJL_IS_STRING(external))
		strlist_add_unique(&r.links, external->u.string);

	add_details(&r, record);
	r.replies = json_get_count(post, "replyCount");
	r.reposts = json_get_count(post, "repostCount");
	r.likes = json_get_count(post, "likeCount");
	return posts_emit(conv, &r, err);
}
