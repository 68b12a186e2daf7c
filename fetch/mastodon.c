/* Mastodon statuses (the REST API's Status entity) to records. Content is
 * HTML written by any server on the fediverse: it is parsed, never trusted. */
#include <ctype.h>
#include <libxml/HTMLparser.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/alloc.h"
#include "../common/json.h"
#include "../common/strbuf.h"
#include "../common/urimap.h"
#include "posts.h"

/* Bounds on what a file's reply resolution may hold in memory. */
#define MASTODON_MAX_IDS  500000
#define MASTODON_MAX_HELD 10000

struct held_reply {
	chatarc_record_t record;
	char *parent_id;
	size_t next; /* next held reply with the same parent, or SIZE_MAX */
	bool waiting;
	bool settled; /* already handed over without reply_to (posts_settle) */
};

struct mastodon_threads {
	urimap_t ids; /* local id -> index into uris */
	strlist_t uris;
	urimap_t waiting; /* parent id -> first held reply waiting for it */
	struct held_reply *held;
	size_t n_held, alloc_held, oldest, n_waiting;
};

static mastodon_threads_t *threads_get(post_converter_t *conv)
{
	if (!conv->threads) {
		conv->threads = xcalloc(1, sizeof *conv->threads);
		urimap_init(&conv->threads->ids);
		urimap_init(&conv->threads->waiting);
	}
	return conv->threads;
}

/* Emits a held reply and marks its slot empty. One already settled is
 * emitted again only when it has found its parent. */
static CHATARC_MUST_CHECK chatarc_status_t release_held(post_converter_t *conv,
                                                        struct held_reply *h, chatarc_error_t *err)
{
	h->waiting = false;
	conv->threads->n_waiting--;
	free(h->parent_id);
	h->parent_id = NULL;
	if (h->settled && !h->record.reply_to) {
		record_clear(&h->record);
		return CHATARC_OK;
	}
	return posts_emit(conv, &h->record, err);
}

chatarc_status_t posts_settle(post_converter_t *conv, chatarc_error_t *err)
{
	mastodon_threads_t *t = conv->threads;
	for (size_t i = 0; t && i < t->n_held; i++) {
		struct held_reply *h = &t->held[i];
		if (!h->waiting || h->settled)
			continue;
		chatarc_record_t copy;
		record_init(&copy);
		record_copy(&copy, &h->record);
		chatarc_status_t status = posts_emit(conv, &copy, err);
		if (status != CHATARC_OK)
			return status;
		h->settled = true;
	}
	return CHATARC_OK;
}

/* A status with local id `id` and `uri` was seen: remember it, and hand
 * over the replies that were waiting for it. */
static CHATARC_MUST_CHECK chatarc_status_t threads_seen(post_converter_t *conv, const char *id,
                                                        const char *uri, chatarc_error_t *err)
{
	mastodon_threads_t *t = conv->threads;
	bool added;
	if (!t || !id)
		return CHATARC_OK;
	if (t->ids.count < MASTODON_MAX_IDS) {
		urimap_value_t *v = urimap_insert(&t->ids, id, &added);
		if (added) {
			v->index = t->uris.len;
			strlist_add(&t->uris, uri);
		}
	}
	urimap_value_t *first = urimap_find(&t->waiting, id);
	if (!first || first->index == SIZE_MAX)
		return CHATARC_OK;
	for (size_t i = first->index; i != SIZE_MAX;) {
		struct held_reply *h = &t->held[i];
		i = h->next;
		if (!h->waiting)
			continue;
		record_set(&h->record.reply_to, uri);
		chatarc_status_t status = release_held(conv, h, err);
		if (status != CHATARC_OK)
			return status;
	}
	first->index = SIZE_MAX;
	if (t->n_waiting == 0) {
		/* Every slot is free: start the array again, and forget which
		 * parents were awaited. A reply pushed out by the bound left its
		 * parent's entry pointing at a slot that is now reused: kept, a
		 * late parent would hand its uri to whichever reply sits there. */
		t->n_held = t->oldest = 0;
		urimap_release(&t->waiting);
		urimap_init(&t->waiting);
	}
	return CHATARC_OK;
}

static CHATARC_MUST_CHECK chatarc_status_t threads_hold(post_converter_t *conv, chatarc_record_t *r,
                                                        const char *parent_id, chatarc_error_t *err)
{
	mastodon_threads_t *t = conv->threads;
	bool added;
	/* Too many waiting: the oldest goes without its parent. */
	while (t->n_waiting >= MASTODON_MAX_HELD) {
		struct held_reply *h = &t->held[t->oldest++];
		if (h->waiting) {
			chatarc_status_t status = release_held(conv, h, err);
			if (status != CHATARC_OK)
				return status;
		}
	}
	ALLOC_GROW(t->held, t->n_held + 1, t->alloc_held);
	size_t index = t->n_held++;
	urimap_value_t *first = urimap_insert(&t->waiting, parent_id, &added);
	t->held[index] = (struct held_reply){.record = *r,
	                                     .parent_id = xstrdup(parent_id),
	                                     .next = added ? SIZE_MAX : first->index,
	                                     .waiting = true};
	first->index = index;
	t->n_waiting++;
	record_init(r); /* the held slot owns it now */
	return CHATARC_OK;
}

chatarc_status_t posts_finish(post_converter_t *conv, chatarc_error_t *err)
{
	mastodon_threads_t *t = conv->threads;
	chatarc_status_t status = CHATARC_OK;
	for (size_t i = 0; t && i < t->n_held && status == CHATARC_OK; i++)
		if (t->held[i].waiting)
			status = release_held(conv, &t->held[i], err);
	posts_release(conv);
	return status;
}

void posts_release(post_converter_t *conv)
{
	mastodon_threads_t *t = conv->threads;
	if (!t)
		return;
	for (size_t i = 0; i < t->n_held; i++) {
		if (t->held[i].waiting) {
			record_clear(&t->held[i].record);
			free(t->held[i].parent_id);
		}
	}
	free(t->held);
	urimap_release(&t->ids);
	urimap_release(&t->waiting);
	strlist_clear(&t->uris);
	free(t);
	conv->threads = NULL;
}

struct html_text {
	strbuf_t text;
	strlist_t *links;
	urimap_t seen_links; /* links already added: linear in a post's links */
};

/* ---- Attributes the walk reads, and only those ------------------------------
 * libxml2's HTML parser checks each attribute of a tag against the ones
 * before it: a status whose tags carry 200,000 attributes (1.9 MB) cost 414
 * s of CPU. The walk below reads only href and class, so one pass, linear
 * in the bytes, keeps the first of each in every start tag (as libxml2
 * keeps the first of a repeated attribute) and copies everything else
 * (text, end tags, comments) as it is. */

static bool html_name_byte(char c)
{
	return c && !strchr(" \t\n\r\f/>=\"'<", c);
}

static const char *html_skip_space(const char *p, const char *end)
{
	while (p < end && strchr(" \t\n\r\f/", *p) && *p)
		p++;
	return p;
}

/* One start tag at p ('<' then a letter): its name and its first href and
 * class, as they were written, into out. Returns where the tag ends. */
static const char *html_keep_attributes(strbuf_t *out, const char *p, const char *end)
{
	const char *name = p + 1;
	p = name;
	while (p < end && html_name_byte(*p))
		p++;
	strbuf_addch(out, '<');
	strbuf_add(out, name, (size_t)(p - name));
	bool kept_href = false, kept_class = false;
	for (;;) {
		p = html_skip_space(p, end);
		if (p >= end)
			return p; /* cut short, as the input was */
		if (*p == '>') {
			strbuf_addch(out, '>');
			return p + 1;
		}
		const char *attr = p;
		while (p < end && html_name_byte(*p))
			p++;
		if (p == attr) /* a stray '=' or quote: skipped as libxml2 would */
			p++;
		size_t attr_len = (size_t)(p - attr);
		const char *q = p;
		while (q < end && strchr(" \t\n\r\f", *q) && *q)
			q++;
		if (q < end && *q == '=') {
			q++;
			while (q < end && strchr(" \t\n\r\f", *q) && *q)
				q++;
			if (q < end && (*q == '"' || *q == '\'')) {
				const char *close = memchr(q + 1, *q, (size_t)(end - q - 1));
				q = close ? close + 1 : end;
			} else {
				while (q < end && !strchr(" \t\n\r\f>", *q))
					q++;
			}
			p = q;
		}
		bool *kept = attr_len == 4 && !strncasecmp(attr, "href", 4)    ? &kept_href
		             : attr_len == 5 && !strncasecmp(attr, "class", 5) ? &kept_class
		                                                               : NULL;
		if (kept && !*kept) {
			*kept = true;
			strbuf_addch(out, ' ');
			strbuf_add(out, attr, (size_t)(p - attr));
		}
	}
}

static void html_keep_read_attributes(const char *html, size_t len, strbuf_t *out)
{
	const char *p = html, *end = html + len;
	while (p < end) {
		const char *lt = memchr(p, '<', (size_t)(end - p));
		if (!lt) {
			strbuf_add(out, p, (size_t)(end - p));
			return;
		}
		strbuf_add(out, p, (size_t)(lt - p));
		if (lt + 1 < end && isalpha((unsigned char)lt[1])) {
			p = html_keep_attributes(out, lt, end);
		} else {
			strbuf_addch(out, '<');
			p = lt + 1;
		}
	}
}

static bool has_class(xmlNodePtr node, const char *name)
{
	xmlChar *cls = xmlGetProp(node, (const xmlChar *)"class");
	bool found = false;
	if (cls) {
		for (char *tok = strtok((char *)cls, " \t"); tok; tok = strtok(NULL, " \t"))
			if (!strcmp(tok, name))
				found = true;
		xmlFree(cls);
	}
	return found;
}

static void trim_trailing_space(strbuf_t *sb)
{
	size_t n = sb->len;
	while (n && (sb->buf[n - 1] == ' ' || sb->buf[n - 1] == '\n' || sb->buf[n - 1] == '\t'))
		n--;
	strbuf_setlen(sb, n);
}

static void html_walk(struct html_text *out, xmlNodePtr node)
{
	for (; node; node = node->next) {
		if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
			if (node->content)
				strbuf_addstr(&out->text, (const char *)node->content);
			continue;
		}
		if (node->type != XML_ELEMENT_NODE)
			continue;
		const char *name = (const char *)node->name;
		if (!strcmp(name, "script") || !strcmp(name, "style"))
			continue;
		if (!strcmp(name, "br")) {
			strbuf_addch(&out->text, '\n');
			continue;
		}
		bool block = !strcmp(name, "p") || !strcmp(name, "li") ||
		             !strcmp(name, "blockquote") || !strcmp(name, "pre") ||
		             !strcmp(name, "ul") || !strcmp(name, "ol");
		if (block && out->text.len) {
			trim_trailing_space(&out->text);
			strbuf_addstr(&out->text, !strcmp(name, "li") ? "\n" : "\n\n");
		}
		/* Mention and hashtag anchors are not links the author shared. */
		if (!strcmp(name, "a") && !has_class(node, "mention") &&
		    !has_class(node, "hashtag")) {
			xmlChar *href = xmlGetProp(node, (const xmlChar *)"href");
			bool added = false;
			if (href && (!strncmp((char *)href, "http://", 7) ||
			             !strncmp((char *)href, "https://", 8)))
				urimap_insert(&out->seen_links, (const char *)href, &added);
			if (added)
				strlist_add(out->links, (const char *)href);
			xmlFree(href);
		}
		html_walk(out, node->children);
	}
}

char *mastodon_html_to_text(const char *html, strlist_t *links)
{
	struct html_text out = {.links = links};
	strbuf_init(&out.text, strlen(html));
	urimap_init(&out.seen_links);
	for (size_t i = 0; i < links->len; i++) {
		bool added;
		urimap_insert(&out.seen_links, links->items[i], &added);
	}
	if (*html) {
		/* What XML cannot hold (bytes that are not UTF-8, C0 controls) as
		 * U+FFFD first: libxml2 raises an error for each, at a cost that
		 * grows with the text before it (fuzz-html: 2.6 s for 512 KB). */
		char *clean = xml_clean_copy(html);
		const char *text = clean ? clean : html;
		strbuf_t kept;
		strbuf_init(&kept, strlen(text));
		html_keep_read_attributes(text, strlen(text), &kept);
		free(clean);
		htmlDocPtr doc =
		    htmlReadMemory(kept.buf, (int)kept.len, NULL, "UTF-8",
		                   HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
		if (doc) {
			html_walk(&out, xmlDocGetRootElement(doc));
			xmlFreeDoc(doc);
		}
		strbuf_release(&kept);
	}
	urimap_release(&out.seen_links);
	trim_trailing_space(&out.text);
	size_t start = 0;
	while (start < out.text.len && (out.text.buf[start] == '\n' || out.text.buf[start] == ' '))
		start++;
	strbuf_remove_front(&out.text, start);
	return strbuf_detach(&out.text, NULL);
}

/* Mastodon gives local accounts as "user"; the record wants "user@host". */
static char *full_acct(const char *acct, const char *profile_url)
{
	strbuf_t sb;
	strbuf_init(&sb, 0);
	strbuf_addstr(&sb, acct);
	if (!strchr(acct, '@')) {
		char *host = posts_url_host(profile_url);
		if (host) {
			strbuf_addch(&sb, '@');
			strbuf_addstr(&sb, host);
			free(host);
		}
	}
	return strbuf_detach(&sb, NULL);
}

/* Bridgy Fed shows Bluesky posts on the fediverse as
 * https://bsky.brid.gy/convert/ap/<at:// URI>, by accounts
 * HANDLE@bsky.brid.gy, linked through https://fed.brid.gy/r/<bsky.app URL>.
 * Such a post is the Bluesky post: its at:// URI is its identity, so it
 * merges with the same post read from Bluesky and Bluesky replies find it. */
static const char *bridged_bluesky_uri(const char *uri)
{
	static const char prefix[] = "https://bsky.brid.gy/convert/ap/";
	if (strncmp(uri, prefix, sizeof prefix - 1) || strncmp(uri + sizeof prefix - 1, "at://", 5))
		return NULL;
	return uri + sizeof prefix - 1;
}

/* An account as chatarc names its author: HANDLE@bsky.brid.gy is the
 * Bluesky account HANDLE. Takes acct (allocated) and returns it, or the
 * handle in its place. */
static char *unbridged_account(char *acct)
{
	static const char bridge_host[] = "@bsky.brid.gy";
	size_t len = strlen(acct), host_len = sizeof bridge_host - 1;
	if (len > host_len && !strcmp(acct + len - host_len, bridge_host))
		acct[len - host_len] = '\0';
	return acct;
}

static void set_bridged_identity(chatarc_record_t *r, const char *at_uri, const char *acct,
                                 const char *url)
{
	static const char *const redirects[] = {"https://fed.brid.gy/r/", "https://bsky.brid.gy/r/",
	                                        NULL};
	record_set(&r->uri, at_uri);
	record_set(&r->network, "bluesky");
	free(r->author);
	r->author = unbridged_account(xstrdup(acct));
	for (const char *const *redirect = redirects; url && *redirect; redirect++)
		if (!strncmp(url, *redirect, strlen(*redirect)) &&
		    !strncmp(url + strlen(*redirect), "https://", 8)) {
			record_set(&r->url, url + strlen(*redirect));
			break;
		}
}

/* The account a reply answers, from in_reply_to_account_id: the author
 * (a thread), else the mention with that id, named as authors are. */
static char *replied_account(yajl_val status, yajl_val account, const char *author)
{
	const char *to = json_get_string(status, "in_reply_to_account_id");
	const char *own = json_get_string(account, "id");
	if (!to)
		return NULL;
	if (own && !strcmp(own, to))
		return xstrdup(author);
	yajl_val mentions = json_get(status, "mentions");
	for (size_t i = 0; i < json_array_len(mentions); i++) {
		yajl_val m = json_array_at(mentions, i);
		const char *m_id = json_get_string(m, "id"), *m_acct = json_get_string(m, "acct");
		if (m_id && m_acct && !strcmp(m_id, to))
			return unbridged_account(full_acct(m_acct, json_get_string(m, "url")));
	}
	return NULL;
}

static bool opted_out(yajl_val account)
{
	return YAJL_IS_TRUE(json_get(account, "noindex")) ||
	       YAJL_IS_FALSE(json_get(account, "discoverable"));
}

/* The boost itself, the status wrapping `reblog`: who boosted it and when.
 * Under the consent rule it is kept only when neither the booster nor the
 * boosted author opted out. */
static CHATARC_MUST_CHECK chatarc_status_t keep_boost(post_converter_t *conv, yajl_val status,
                                                      yajl_val reblog, chatarc_error_t *err)
{
	yajl_val account = json_get(status, "account");
	yajl_val boosted = json_get(reblog, "account");
	const char *acct = json_get_string(account, "acct");
	const char *boosted_acct = json_get_string(boosted, "acct");
	const char *created = json_get_string(status, "created_at");
	chatarc_record_t b;
	posts_boost_start(conv, &b, "mastodon");
	if (!(conv->honour_consent && (opted_out(account) || opted_out(boosted))) && acct &&
	    created && time_parse_iso8601(created, &b.created_ms)) {
		record_set(&b.uri, json_get_string(status, "uri"));
		record_set(&b.url, json_get_string(status, "url"));
		record_set(&b.native_id, json_get_string(status, "id"));
		b.author = full_acct(acct, json_get_string(account, "url"));
		record_set(&b.author_name, json_get_string(account, "display_name"));
		record_set(&b.boost_of, json_get_string(reblog, "uri"));
		if (boosted_acct)
			b.boost_of_account =
			    full_acct(boosted_acct, json_get_string(boosted, "url"));
	}
	return posts_emit_boost(conv, &b, err);
}

chatarc_status_t mastodon_convert_status(post_converter_t *conv, yajl_val status,
                                         chatarc_error_t *err)
{
	const char *what = "Mastodon status";
	const char *uri, *created, *content, *acct, *url, *spoiler;
	chatarc_record_t r;
	chatarc_status_t rc;
	yajl_val account = json_get(status, "account");
	yajl_val reblog = json_get(status, "reblog");

	if (YAJL_IS_OBJECT(reblog)) {
		if ((rc = keep_boost(conv, status, reblog, err)))
			return rc;
		return mastodon_convert_status(conv, reblog, err);
	}
	if (!YAJL_IS_OBJECT(account))
		return chatarc_error_set(err, CHATARC_ERR_FORMAT,
		                         "%s: \"account\" should be an object", what);
	if (conv->honour_consent && opted_out(account)) {
		conv->consent_skipped++;
		return CHATARC_OK;
	}
	if ((rc = json_require_string(status, "uri", what, &uri, err)) ||
	    (rc = json_require_string(status, "created_at", what, &created, err)) ||
	    (rc = json_require_string(status, "content", what, &content, err)) ||
	    (rc = json_require_string(account, "acct", "Mastodon account", &acct, err)) ||
	    (rc = json_optional_string(status, "url", what, &url, err)) ||
	    (rc = json_optional_string(status, "spoiler_text", what, &spoiler, err)))
		return rc;

	posts_record_start(conv, &r, "mastodon", status);
	if (!time_parse_iso8601(created, &r.created_ms)) {
		record_clear(&r);
		return chatarc_error_set(
		    err, CHATARC_ERR_FORMAT,
		    "%s: \"created_at\" is not an ISO 8601 time in 1970-9999 UTC: \"%s\"", what,
		    created);
	}
	record_set(&r.uri, uri);
	r.author = full_acct(acct, json_get_string(account, "url"));
	record_set(&r.author_name, json_get_string(account, "display_name"));
	record_set(&r.url, url ? url : uri);
	record_set(&r.edited_at, json_get_string(status, "edited_at"));
	if (bridged_bluesky_uri(uri)) {
		uri = bridged_bluesky_uri(uri);
		set_bridged_identity(&r, uri, acct, url);
	}

	r.text = mastodon_html_to_text(content, &r.links);
	/* Kept beside the text, not in it: pages fold the text under it, and
	 * researchers count and read warnings apart. */
	record_set(&r.content_warning, spoiler && *spoiler ? spoiler : NULL);
	record_set(&r.lang, json_get_string(status, "language"));
	yajl_val media = json_get(status, "media_attachments");
	for (size_t i = 0; i < json_array_len(media); i++) {
		const char *alt = json_get_string(json_array_at(media, i), "description");
		strlist_add(&r.media_alt, alt ? alt : "");
	}
	/* Mastodon 4.4's quote posts: {"quote": {"state": "accepted",
	 * "quoted_status": {...}}}. */
	record_set(&r.quote_of,
	           json_get_string(json_get(json_get(status, "quote"), "quoted_status"), "uri"));
	yajl_val followers = json_get(account, "followers_count");
	if (YAJL_IS_INTEGER(followers) && YAJL_GET_INTEGER(followers) >= 0)
		r.author_followers = YAJL_GET_INTEGER(followers);

	const char *card_url = json_get_string(json_get(status, "card"), "url");
	if (card_url)
		strlist_add_unique(&r.links, card_url);
	yajl_val tags = json_get(status, "tags");
	for (size_t i = 0; i < json_array_len(tags); i++) {
		const char *name = json_get_string(json_array_at(tags, i), "name");
		if (name) {
			char *lower = xstrdup(name);
			posts_lowercase(lower);
			strlist_add_unique(&r.tags, lower);
			free(lower);
		}
	}
	yajl_val mentions = json_get(status, "mentions");
	for (size_t i = 0; i < json_array_len(mentions); i++) {
		yajl_val m = json_array_at(mentions, i);
		const char *m_acct = json_get_string(m, "acct");
		if (m_acct) {
			char *full = full_acct(m_acct, json_get_string(m, "url"));
			strlist_add_unique(&r.mentions, full);
			free(full);
		}
	}
	r.replies = json_get_count(status, "replies_count");
	r.reposts = json_get_count(status, "reblogs_count");
	r.likes = json_get_count(status, "favourites_count");

	const char *id = json_get_string(status, "id");
	const char *parent_id = json_get_string(status, "in_reply_to_id");
	record_set(&r.native_id, id);
	if (parent_id) {
		record_set(&r.reply_to_id, parent_id);
		r.reply_to_account = replied_account(status, account, r.author);
	}
	threads_get(conv);
	chatarc_status_t rc2 = threads_seen(conv, id, uri, err);
	if (rc2 != CHATARC_OK) {
		record_clear(&r);
		return rc2;
	}
	if (!parent_id)
		return posts_emit(conv, &r, err);
	urimap_value_t *parent = urimap_find(&conv->threads->ids, parent_id);
	if (parent) {
		record_set(&r.reply_to, conv->threads->uris.items[parent->index]);
		return posts_emit(conv, &r, err);
	}
	return threads_hold(conv, &r, parent_id, err);
}
