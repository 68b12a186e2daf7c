/* The publisher (see publish.h). The summariser's XML of each session goes
 * through share/xslt/session.xsl; the chat pages, the site index, the
 * digests and the feeds are small XML documents built here with libxml2's
 * tree API (which escapes every value) and rendered by their stylesheets. */
#define _DEFAULT_SOURCE
#include "../common/alloc.h"
#include "publish.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxslt/transform.h>
#include <libxslt/variables.h>
#include <libxslt/xsltInternals.h>
#include <libxslt/xsltutils.h>

#include "../common/archive.h"
#include "../common/fsutil.h"
#include "../common/hash.h"
#include "../common/json.h"
#include "../common/strbuf.h"
#include "../common/timeutil.h"
#include "../common/urimap.h"
#include "../index/index.h"
#include "../summarise/summary.h"
#include "calendar.h"
#include "linkify.h"
#include "people.h"

/* Weeks of digests the digest feed carries. */
#define DIGEST_FEED_WEEKS 12

enum { STYLE_SESSION, STYLE_CHAT, STYLE_SITE, STYLE_DIGEST, STYLE_ATOM, STYLE_PEOPLE, N_STYLES };
static const char *const style_files[N_STYLES] = {"session.xsl", "chat.xsl", "site.xsl",
                                                  "digest.xsl",  "atom.xsl", "people.xsl"};

/* What each session page was rendered from, so a page whose summary,
 * stylesheets and program are unchanged is not transformed again (unless
 * the file is gone or its size changed): DIR/state/publish/<out dir's
 * id>.rendered, lines "HASH SIZE PAGE". */
struct render_cache {
	char *path;
	uint64_t styles_hash; /* every stylesheet's bytes and the version */
	urimap_t pages;       /* page -> index into names and hashes */
	strlist_t names;
	uint64_t *hashes;
	long long *sizes;
	size_t n, alloc;
};

struct publisher {
	publish_options_t options;
	uint64_t program_hash; /* the running program's size and time, and styles_hash */
	uint64_t config_hash;  /* the config's bytes */
	const char *site_title, *base_url; /* the config's "site", for the stylesheets */
	xsltStylesheetPtr styles[N_STYLES];
	int lock_fd;
	publish_stats_t *stats;
	struct render_cache cache;
};

static bool is_stylesheet(const char *name)
{
	size_t n = strlen(name);
	return n > 4 && !strcmp(name + n - 4, ".xsl");
}

static void cache_set(struct render_cache *cache, const char *page, uint64_t hash, long long size)
{
	bool added;
	urimap_value_t *v = urimap_insert(&cache->pages, page, &added);
	if (added) {
		if (cache->n == cache->alloc) {
			cache->alloc = cache->alloc ? 2 * cache->alloc : 256;
			cache->hashes =
			    xrealloc_array(cache->hashes, cache->alloc, sizeof *cache->hashes);
			cache->sizes =
			    xrealloc_array(cache->sizes, cache->alloc, sizeof *cache->sizes);
		}
		v->index = cache->n++;
		strlist_add(&cache->names, page);
	}
	cache->hashes[v->index] = hash;
	cache->sizes[v->index] = size;
}

/* The size of the file at path, -1 when there is none. */
static long long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static void cache_load(publisher_t *pub)
{
	struct render_cache *cache = &pub->cache;
	strbuf_t sb;
	strlist_t styles = {0};
	char line[4200], *real = realpath(pub->options.out_dir, NULL);
	const char *out = real ? real : pub->options.out_dir;
	urimap_init(&cache->pages);
	strbuf_init(&sb, 0);
	strbuf_addf(&sb, "%s/state/publish/%016llx.rendered", pub->options.data_dir,
	            (unsigned long long)fnv1a(FNV1A_START, out, strlen(out)));
	cache->path = strbuf_detach(&sb, NULL);
	free(real);

	cache->styles_hash = fnv1a(FNV1A_START, CHATARC_VERSION, strlen(CHATARC_VERSION));
	strbuf_init(&sb, 0);
	strbuf_addf(&sb, "%s/xslt", pub->options.share_dir);
	fs_list_dir(sb.buf, is_stylesheet, &styles);
	strbuf_release(&sb);
	for (size_t i = 0; i < styles.len; i++) {
		chatarc_error_t ignored;
		strbuf_init(&sb, 8192);
		/* An unreadable stylesheet is hashed as its name alone: it fails
		 * when it is loaded, and the run with it. */
		if (fs_read_file(styles.items[i], &sb, 0, &ignored) != CHATARC_OK)
			strbuf_reset(&sb);
		cache->styles_hash =
		    fnv1a(cache->styles_hash, styles.items[i], strlen(styles.items[i]));
		cache->styles_hash = fnv1a(cache->styles_hash, sb.buf, sb.len);
		strbuf_release(&sb);
	}
	strlist_clear(&styles);
	/* A chat's fingerprint (chat_fingerprint) holds the program itself:
	 * another build may summarise differently under the same version. */
	struct stat exe;
	pub->program_hash = cache->styles_hash;
	if (stat("/proc/self/exe", &exe) == 0) {
		long long identity[3] = {(long long)exe.st_size, (long long)exe.st_mtim.tv_sec,
		                         (long long)exe.st_mtim.tv_nsec};
		pub->program_hash = fnv1a(pub->program_hash, identity, sizeof identity);
	}

	FILE *f = fopen(cache->path, "r");
	while (f && fgets(line, sizeof line, f)) {
		char *size_text, *page;
		unsigned long long hash = strtoull(line, &size_text, 16);
		long long size = strtoll(size_text, &page, 10);
		if (*size_text != ' ' || *page != ' ')
			continue;
		page[strcspn(page, "\n")] = '\0';
		cache_set(cache, page + 1, hash, size);
	}
	if (f)
		fclose(f);
}

/* Written only after a whole publish succeeded: a failed run re-renders. */
static CHATARC_MUST_CHECK chatarc_status_t cache_save(publisher_t *pub, chatarc_error_t *err)
{
	struct render_cache *cache = &pub->cache;
	strbuf_t sb;
	strbuf_init(&sb, cache->n * 48);
	for (size_t i = 0; i < cache->n; i++)
		strbuf_addf(&sb, "%016llx %lld %s\n", (unsigned long long)cache->hashes[i],
		            cache->sizes[i], cache->names.items[i]);
	chatarc_status_t status = fs_replace_file_under(pub->options.data_dir, cache->path,
	                                                sb.buf ? sb.buf : "", sb.len, 0644, err);
	strbuf_release(&sb);
	return status;
}

static CHATARC_MUST_CHECK chatarc_status_t take_lock(publisher_t *pub, chatarc_error_t *err)
{
	strbuf_t path;
	chatarc_status_t status = CHATARC_OK;
	strbuf_init(&path, 0);
	strbuf_addf(&path, "%s/state/publish.lock", pub->options.data_dir);
	if ((status = fs_open_under(pub->options.data_dir, path.buf, O_RDWR | O_CREAT, 0666,
	                            &pub->lock_fd, err)) == CHATARC_OK) {
		while (flock(pub->lock_fd, LOCK_EX) < 0)
			if (errno != EINTR) {
				status =
				    chatarc_error_set(err, CHATARC_ERR_IO, "%s: cannot lock: %s",
				                      path.buf, strerror(errno));
				break;
			}
	}
	strbuf_release(&path);
	return status;
}

chatarc_status_t publisher_open(const publish_options_t *options, publisher_t **out,
                                chatarc_error_t *err)
{
	publisher_t *pub = xcalloc(1, sizeof *pub);
	pub->options = *options;
	pub->lock_fd = -1;
	chatarc_status_t status = CHATARC_OK;
	alloc_for_bulk_work();
	/* libxslt keeps extension functions in its own registry (updated in
	 * place if registered again). */
	publish_register_linkify();
	for (int i = 0; status == CHATARC_OK && i < N_STYLES; i++) {
		strbuf_t path;
		strbuf_init(&path, 0);
		strbuf_addf(&path, "%s/xslt/%s", options->share_dir, style_files[i]);
		if (!fs_exists(path.buf) ||
		    !(pub->styles[i] = xsltParseStylesheetFile(BAD_CAST path.buf)))
			status =
			    chatarc_error_set(err, CHATARC_ERR_NOT_FOUND,
			                      "cannot load the stylesheet %s: reinstall chatarc "
			                      "(make install) or run it from its source tree",
			                      path.buf);
		strbuf_release(&path);
	}
	if (status == CHATARC_OK)
		status = take_lock(pub, err);
	/* The site's directory first: the render cache is named by its real
	 * path, which a relative one that does not exist yet has not (the
	 * second run then looked for another name and re-rendered all). */
	if (status == CHATARC_OK)
		status = fs_mkdir_p(pub->options.out_dir, err);
	if (status != CHATARC_OK) {
		publisher_close(pub);
		return status;
	}
	cache_load(pub);
	*out = pub;
	return CHATARC_OK;
}

void publisher_close(publisher_t *pub)
{
	if (!pub)
		return;
	for (int i = 0; i < N_STYLES; i++)
		if (pub->styles[i])
			xsltFreeStylesheet(pub->styles[i]);
	if (pub->lock_fd >= 0)
		close(pub->lock_fd);
	urimap_release(&pub->cache.pages);
	strlist_clear(&pub->cache.names);
	free(pub->cache.hashes);
	free(pub->cache.sizes);
	free(pub->cache.path);
	free(pub);
}

/* Writes OUT/relative unless it already holds exactly these bytes. */
static CHATARC_MUST_CHECK chatarc_status_t write_page(publisher_t *pub, const char *relative,
                                                      const void *data, size_t len,
                                                      chatarc_error_t *err)
{
	strbuf_t path, old;
	chatarc_status_t status = CHATARC_OK;
	strbuf_init(&path, 0);
	strbuf_init(&old, 0);
	strbuf_addf(&path, "%s/%s", pub->options.out_dir, relative);
	chatarc_error_t ignored; /* no page yet, or unreadable: write it */
	bool have_old = fs_read_file(path.buf, &old, len + 1, &ignored) == CHATARC_OK;
	if (have_old && old.len == len && !memcmp(old.buf, data, len)) {
		pub->stats->pages_unchanged++;
	} else {
		char *dir = fs_dirname(path.buf);
		if ((status = fs_mkdir_under(pub->options.data_dir, dir, err)) == CHATARC_OK &&
		    (status = fs_replace_file(path.buf, data, len, err)) == CHATARC_OK)
			pub->stats->pages_written++;
		free(dir);
	}
	strbuf_release(&path);
	strbuf_release(&old);
	return status;
}

/* Renders doc with one stylesheet into OUT/relative. root: the way from
 * that page back to the site's root ("" or "../"). The parameters are
 * passed as strings, never read as XPath: a site title with a quote in it
 * stays text. */
static CHATARC_MUST_CHECK chatarc_status_t render(publisher_t *pub, int style, xmlDocPtr doc,
                                                  const char *root, const char *relative,
                                                  chatarc_error_t *err)
{
	const char *params[] = {"root",       root,
	                        "site-title", pub->site_title ? pub->site_title : "",
	                        "base-url",   pub->base_url ? pub->base_url : "",
	                        NULL};
	xsltTransformContextPtr transform = xsltNewTransformContext(pub->styles[style], doc);
	xmlDocPtr result = NULL;
	if (transform && xsltQuoteUserParams(transform, params) == 0)
		result =
		    xsltApplyStylesheetUser(pub->styles[style], doc, NULL, NULL, NULL, transform);
	xsltFreeTransformContext(transform);
	xmlChar *text = NULL;
	int len = 0;
	if (!result || xsltSaveResultToString(&text, &len, result, pub->styles[style]) < 0) {
		xmlFreeDoc(result);
		return chatarc_error_set(err, CHATARC_ERR_IO, "%s: %s failed", relative,
		                         style_files[style]);
	}
	chatarc_status_t status = write_page(pub, relative, text, (size_t)len, err);
	xmlFree(text);
	xmlFreeDoc(result);
	return status;
}

static void set_prop(xmlNodePtr node, const char *name, const char *value)
{
	/* xmlNewProp takes the value literally: '&' and '<' stay text. */
	char *clean = value ? xml_clean_copy(value) : NULL;
	xmlNewProp(node, BAD_CAST name, BAD_CAST(clean ? clean : value ? value : ""));
	free(clean);
}

static void set_prop_long(xmlNodePtr node, const char *name, long value)
{
	char text[32];
	snprintf(text, sizeof text, "%ld", value);
	set_prop(node, name, text);
}

static double xpath_number(xmlDocPtr doc, const char *expression)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr result = xmlXPathEvalExpression(BAD_CAST expression, ctx);
	double n = result ? xmlXPathCastToNumber(result) : 0;
	xmlXPathFreeObject(result);
	xmlXPathFreeContext(ctx);
	return n;
}

/* The summary of a session as an XML document, or NULL when the date had
 * no session (no messages in its window). *xml_hash (when asked for): what
 * the page is rendered from, for the render cache. */
static CHATARC_MUST_CHECK chatarc_status_t session_document(
    publisher_t *pub, const chatarc_chat_t *chat, const char *date, summary_history_t *history,
    summary_t **summary, xmlDocPtr *doc, uint64_t *xml_hash, chatarc_error_t *err)
{
	*doc = NULL;
	chatarc_status_t status =
	    summary_build(pub->options.data_dir, chat, date, history, summary, err);
	if (status != CHATARC_OK)
		return status;
	if ((*summary)->n_messages == 0) {
		summary_free(*summary);
		*summary = NULL;
		return CHATARC_OK;
	}
	/* Built as a tree, not written as text and parsed back: the hash of
	 * what was written is the render cache's key. */
	uint64_t hash = pub->cache.styles_hash;
	summary_write_xml_tree(*summary, doc, &hash);
	if (xml_hash)
		*xml_hash = hash;
	if (!*doc) {
		summary_free(*summary);
		*summary = NULL;
		return chatarc_error_set(err, CHATARC_ERR_NOMEM, "%s %s: cannot build the summary",
		                         chat->name, date);
	}
	return CHATARC_OK;
}

/* A session's figures, to compare the next session with. */
struct session_figures {
	char date[11]; /* "" before the chat's first session */
	long messages, people, newcomers, replies;
};

static struct session_figures figures_of(xmlDocPtr doc, const summary_t *s)
{
	struct session_figures f = {0};
	memcpy(f.date, s->date, sizeof f.date);
	f.messages = (long)s->n_messages;
	f.people = (long)xpath_number(doc, "count(/session/participants/participant)");
	f.newcomers =
	    (long)xpath_number(doc, "count(/session/participants/participant[@newcomer='yes'])");
	f.replies = (long)xpath_number(doc, "number(/session/@reply-count)");
	return f;
}

/* A session's line on its chat's page and in the feed, placed before
 * `newer` (the entry of the next session) so the newest comes first. */
static xmlNodePtr add_session_entry(xmlNodePtr chat_node, xmlNodePtr newer, const summary_t *s,
                                    const struct session_figures *figures)
{
	char href[32], first[CHATARC_TIME_ISO_LEN], last[CHATARC_TIME_ISO_LEN];
	xmlNodePtr node = xmlNewDocNode(chat_node->doc, NULL, BAD_CAST "session", NULL);
	if (newer)
		xmlAddPrevSibling(newer, node);
	else
		xmlAddChild(chat_node, node);
	snprintf(href, sizeof href, "%s.html", s->date);
	time_format_iso(s->messages[0].record.created_ms, first);
	time_format_iso(s->messages[s->n_messages - 1].record.created_ms, last);
	set_prop(node, "date", s->date);
	set_prop(node, "href", href);
	set_prop(node, "first", first);
	set_prop(node, "last", last);
	set_prop_long(node, "message-count", (long)s->n_messages);
	set_prop_long(node, "topic-count", (long)s->n_topics);
	set_prop_long(node, "participant-count", figures->people);
	for (size_t t = 0; t < s->n_topics; t++) {
		const char *question = s->messages[s->topics[t].question].record.text;
		char *clean = question ? xml_clean_copy(question) : NULL;
		xmlNodePtr topic = xmlNewTextChild(node, NULL, BAD_CAST "topic",
		                                   BAD_CAST(clean      ? clean
		                                            : question ? question
		                                                       : ""));
		free(clean);
		char id[16];
		snprintf(id, sizeof id, "t%d", s->topics[t].number);
		set_prop(topic, "id", id);
	}
	return node;
}

/* The next session after now, in the chat's zone: the schedules' next
 * date, or "none" when they have ended (UNTIL, COUNT). */
static void add_next_session(xmlNodePtr chat_node, const chatarc_chat_t *chat, long long now_ms)
{
	static const char *const weekdays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
	                                       "Thursday", "Friday", "Saturday"};
	if (!chat->n_schedules)
		return;
	tz_scope_t scope;
	char day[11], local[32], utc[CHATARC_TIME_ISO_LEN];
	schedule_session_t session;
	tz_scope_enter(&scope, chat->tz ? chat->tz : "UTC");
	xmlNodePtr next = xmlNewChild(chat_node, NULL, BAD_CAST "next", NULL);
	if (schedule_next(chat->schedules, chat->n_schedules, now_ms, day, &session)) {
		int weekday;
		time_to_local(session.start, local, NULL, &weekday, NULL);
		time_format_iso(session.start, utc);
		set_prop(next, "start", utc);
		set_prop(next, "local", local);
		set_prop(next, "weekday", weekdays[weekday]);
	} else {
		set_prop(next, "none", "true");
	}
	strbuf_t words;
	strbuf_init(&words, 0);
	schedule_describe_all(chat->schedules, chat->n_schedules, &words);
	set_prop(next, "schedule", words.buf);
	strbuf_release(&words);
	tz_scope_leave(&scope);
}

/* The latest messages outside every session, on the chat page, so that a
 * post between sessions is published somewhere. */
#define OUTSIDE_SHOWN 50
static CHATARC_MUST_CHECK chatarc_status_t add_outside(publisher_t *pub, xmlNodePtr chat_node,
                                                       const chatarc_chat_t *chat,
                                                       const chatarc_ms_t (*windows)[2],
                                                       size_t n_windows, chatarc_error_t *err)
{
	summary_t *outside;
	size_t total;
	chatarc_status_t status = summary_build_outside(
	    pub->options.data_dir, chat, windows, n_windows, OUTSIDE_SHOWN, &outside, &total, err);
	if (status != CHATARC_OK || total == 0)
		return status;
	xmlNodePtr node = xmlNewChild(chat_node, NULL, BAD_CAST "outside", NULL);
	set_prop_long(node, "count", (long)total);
	set_prop_long(node, "shown", (long)outside->n_messages);
	strbuf_t xml;
	strbuf_init(&xml, 65536);
	summary_write_messages_xml(outside, &xml);
	summary_free(outside);
	xmlDocPtr doc = xmlReadMemory(xml.buf, (int)xml.len, "outside.xml", "UTF-8",
	                              XML_PARSE_NONET | XML_PARSE_HUGE | XML_PARSE_NOBLANKS);
	strbuf_release(&xml);
	if (!doc)
		return chatarc_error_set(
		    err, CHATARC_ERR_FORMAT,
		    "%s: the messages outside sessions are not well-formed XML", chat->name);
	xmlAddChild(node, xmlDocCopyNode(xmlDocGetRootElement(doc), chat_node->doc, 1));
	xmlFreeDoc(doc);
	return CHATARC_OK;
}

static bool chat_wanted(const publish_options_t *o, const char *name)
{
	if (!o->chats || o->chats->len == 0)
		return true;
	for (size_t i = 0; i < o->chats->len; i++)
		if (!strcmp(o->chats->items[i], name))
			return true;
	return false;
}

/* Whether a page the render cache knows is on disk as it was written. */
static bool page_in_place(const publisher_t *pub, const char *page)
{
	urimap_value_t *cached = urimap_find(&pub->cache.pages, page);
	if (!cached)
		return false;
	strbuf_t path;
	strbuf_init(&path, 0);
	strbuf_addf(&path, "%s/%s", pub->options.out_dir, page);
	bool same = pub->cache.sizes[cached->index] == file_size(path.buf);
	strbuf_release(&path);
	return same;
}

/* A session's page waiting for its neighbours' dates. */
struct session_page {
	xmlDocPtr doc;
	uint64_t hash; /* of its summary XML and the stylesheets */
	char date[11];
};

/* Renders (or, its input unchanged, leaves) a session's page, then frees
 * its document. The previous and next sessions' dates are part of the
 * input: a new session changes the one before it. */
static CHATARC_MUST_CHECK chatarc_status_t render_session_page(publisher_t *pub,
                                                               const chatarc_chat_t *chat,
                                                               struct session_page *p,
                                                               chatarc_error_t *err)
{
	chatarc_status_t status = CHATARC_OK;
	strbuf_t page, path;
	strbuf_init(&page, 0);
	strbuf_init(&path, 0);
	strbuf_addf(&page, "%s/%s.html", chat->name, p->date);
	strbuf_addf(&path, "%s/%s", pub->options.out_dir, page.buf);
	xmlNodePtr root = xmlDocGetRootElement(p->doc);
	xmlChar *prev = xmlGetProp(root, BAD_CAST "prev"),
	        *next = xmlGetProp(root, BAD_CAST "next");
	char around[32];
	snprintf(around, sizeof around, "%s %s", prev ? (const char *)prev : "",
	         next ? (const char *)next : "");
	xmlFree(prev);
	xmlFree(next);
	uint64_t hash = fnv1a(p->hash, around, strlen(around));
	urimap_value_t *cached = urimap_find(&pub->cache.pages, page.buf);
	if (cached && pub->cache.hashes[cached->index] == hash && page_in_place(pub, page.buf)) {
		pub->stats->pages_unchanged++; /* same input, same page: not transformed */
	} else {
		status = render(pub, STYLE_SESSION, p->doc, "../", page.buf, err);
		if (status == CHATARC_OK)
			cache_set(&pub->cache, page.buf, hash, file_size(path.buf));
	}
	strbuf_release(&page);
	strbuf_release(&path);
	xmlFreeDoc(p->doc);
	p->doc = NULL;
	return status;
}

/* "YYYY-MM-DD.html" */
static bool is_session_page(const char *name)
{
	if (strlen(name) != 15 || strcmp(name + 10, ".html"))
		return false;
	for (int i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? name[i] != '-' : name[i] < '0' || name[i] > '9')
			return false;
	return true;
}

/* A session page whose session is gone (every message of it forgotten)
 * goes too: a transcript must not outlive what it shows. `dates`: the
 * sessions that have a page. */
static CHATARC_MUST_CHECK chatarc_status_t remove_stale_sessions(publisher_t *pub,
                                                                 const chatarc_chat_t *chat,
                                                                 const strlist_t *dates,
                                                                 chatarc_error_t *err)
{
	strlist_t pages = {0};
	strbuf_t dir;
	chatarc_status_t status = CHATARC_OK;
	strbuf_init(&dir, 0);
	strbuf_addf(&dir, "%s/%s", pub->options.out_dir, chat->name);
	fs_list_dir(dir.buf, is_session_page, &pages);
	for (size_t i = 0; status == CHATARC_OK && i < pages.len; i++) {
		const char *name = strrchr(pages.items[i], '/') + 1;
		bool current = false;
		for (size_t d = 0; !current && d < dates->len; d++)
			current = !strncmp(name, dates->items[d], 10);
		if (current)
			continue;
		if (unlink(pages.items[i]) < 0)
			status = chatarc_error_set(err, CHATARC_ERR_IO, "%s: cannot remove: %s",
			                           pages.items[i], strerror(errno));
		else
			pub->stats->pages_written++;
	}
	strlist_clear(&pages);
	strbuf_release(&dir);
	return status;
}

/* What a chat's pages are made of, known without reading a message: each
 * day file of its archive (name, size, time, inode: a file rewritten by
 * forget or a fetch changes), the config's bytes, the program and its
 * stylesheets, and the next session the chat page announces. */
/* *live: with publish --live, the archive was written within the window
 * (a chat under way); part of the fingerprint, so the page is published
 * again, final, once the window has passed. */
static CHATARC_MUST_CHECK chatarc_status_t chat_fingerprint(publisher_t *pub,
                                                            const chatarc_chat_t *chat,
                                                            xmlNodePtr chat_node, uint64_t *out,
                                                            bool *live, chatarc_error_t *err)
{
	long long newest_write_ms = 0;
	strlist_t days = {0};
	uint64_t h = fnv1a(pub->program_hash, &pub->config_hash, sizeof pub->config_hash);
	h = fnv1a(h, chat->name, strlen(chat->name) + 1);
	chatarc_status_t status = archive_list_days(pub->options.data_dir, chat->name, &days, err);
	for (size_t i = 0; status == CHATARC_OK && i < days.len; i++) {
		struct stat st;
		if (stat(days.items[i], &st) < 0) {
			status = chatarc_error_set(err, CHATARC_ERR_IO, "%s: %s", days.items[i],
			                           strerror(errno));
			break;
		}
		long long identity[5] = {(long long)st.st_size, (long long)st.st_mtim.tv_sec,
		                         (long long)st.st_mtim.tv_nsec, (long long)st.st_ino,
		                         (long long)st.st_dev};
		h = fnv1a(h, days.items[i], strlen(days.items[i]) + 1);
		h = fnv1a(h, identity, sizeof identity);
		long long written =
		    (long long)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
		if (written > newest_write_ms)
			newest_write_ms = written;
	}
	strlist_clear(&days);
	*live = pub->options.live_window_ms > 0 && newest_write_ms &&
	        pub->options.now_ms - newest_write_ms < pub->options.live_window_ms;
	h = fnv1a(h, live, sizeof *live);
	for (xmlNodePtr n = chat_node->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE && !xmlStrcmp(n->name, BAD_CAST "next")) {
			xmlChar *start = xmlGetProp(n, BAD_CAST "start");
			if (start)
				h = fnv1a(h, start, (size_t)xmlStrlen(start));
			xmlFree(start);
		}
	*out = h;
	return status;
}

/* DIR/state/publish/<out dir's id>.chat-CHAT.xml: the chat's document as
 * the last whole run of it built it, under its fingerprint. */
static char *chat_state_path(const publisher_t *pub, const chatarc_chat_t *chat)
{
	strbuf_t sb;
	size_t len = strlen(pub->cache.path) - strlen(".rendered");
	strbuf_init(&sb, 0);
	strbuf_addf(&sb, "%.*s.chat-%s.xml", (int)len, pub->cache.path, chat->name);
	return strbuf_detach(&sb, NULL);
}

/* The chat's document from its state, when its fingerprint is `fingerprint`
 * and every page of it is in place (NULL otherwise): nothing it is made of
 * changed, so the pages are as they would be written (a 500-session chat
 * republished in milliseconds instead of 14 s of summarising). */
static xmlDocPtr unchanged_chat(publisher_t *pub, const chatarc_chat_t *chat, uint64_t fingerprint,
                                long *n_sessions)
{
	char *path = chat_state_path(pub, chat);
	xmlDocPtr state =
	    fs_exists(path) ? xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_HUGE) : NULL;
	free(path);
	xmlNodePtr root = state ? xmlDocGetRootElement(state) : NULL;
	xmlChar *stored = root ? xmlGetProp(root, BAD_CAST "fingerprint") : NULL;
	char expected[17];
	snprintf(expected, sizeof expected, "%016llx", (unsigned long long)fingerprint);
	bool same = stored && !strcmp((const char *)stored, expected);
	xmlFree(stored);
	xmlNodePtr chat_node = root ? root->children : NULL;
	while (chat_node && chat_node->type != XML_ELEMENT_NODE)
		chat_node = chat_node->next;
	same = same && chat_node;
	strbuf_t page;
	strbuf_init(&page, 0);
	*n_sessions = 0;
	for (xmlNodePtr n = same ? chat_node->children : NULL; same && n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || xmlStrcmp(n->name, BAD_CAST "session"))
			continue;
		xmlChar *href = xmlGetProp(n, BAD_CAST "href");
		strbuf_reset(&page);
		strbuf_addf(&page, "%s/%s", chat->name, href ? (const char *)href : "");
		same = href && page_in_place(pub, page.buf);
		xmlFree(href);
		(*n_sessions)++;
	}
	const char *const chat_pages[] = {"index.html", "feed.atom"};
	for (size_t i = 0; same && i < 2; i++) {
		strbuf_reset(&page);
		strbuf_addf(&page, "%s/%s/%s", pub->options.out_dir, chat->name, chat_pages[i]);
		same = fs_exists(page.buf);
	}
	strbuf_release(&page);
	if (!same) {
		xmlFreeDoc(state);
		return NULL;
	}
	return state;
}

/* Keeps the chat's document under its fingerprint for the next run. */
static CHATARC_MUST_CHECK chatarc_status_t save_chat_state(publisher_t *pub,
                                                           const chatarc_chat_t *chat,
                                                           xmlNodePtr chat_node,
                                                           uint64_t fingerprint,
                                                           chatarc_error_t *err)
{
	xmlDocPtr state = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "chat-state");
	char hex[17];
	snprintf(hex, sizeof hex, "%016llx", (unsigned long long)fingerprint);
	xmlDocSetRootElement(state, root);
	set_prop(root, "fingerprint", hex);
	xmlAddChild(root, xmlDocCopyNode(chat_node, state, 1));
	xmlChar *text = NULL;
	int len = 0;
	xmlDocDumpMemoryEnc(state, &text, &len, "UTF-8");
	char *path = chat_state_path(pub, chat);
	chatarc_status_t status = fs_replace_file_under(
	    pub->options.data_dir, path, text ? (const char *)text : "", (size_t)len, 0644, err);
	free(path);
	xmlFree(text);
	xmlFreeDoc(state);
	return status;
}

/* <previous> on a session's document: the chat's session before it, as
 * Symplur's recaps compared each chat with the last one. Its figures are
 * part of the page's render input (*hash). */
static void add_previous(xmlDocPtr doc, const struct session_figures *p, uint64_t *hash)
{
	if (!p->date[0])
		return;
	xmlNodePtr node = xmlNewChild(xmlDocGetRootElement(doc), NULL, BAD_CAST "previous", NULL);
	set_prop(node, "date", p->date);
	set_prop_long(node, "message-count", p->messages);
	set_prop_long(node, "participant-count", p->people);
	set_prop_long(node, "newcomer-count", p->newcomers);
	set_prop_long(node, "returning-count", p->people - p->newcomers);
	set_prop_long(node, "reply-count", p->replies);
	/* As text: the struct's padding bytes are not part of its value. */
	char text[96];
	int len = snprintf(text, sizeof text, "%s %ld %ld %ld %ld", p->date, p->messages, p->people,
	                   p->newcomers, p->replies);
	*hash = fnv1a(*hash, text, (size_t)len);
}

/* One chat: every session's page (newest first in the listing), the chat's
 * page and feed. Adds the chat's entry to the site document. */
static CHATARC_MUST_CHECK chatarc_status_t publish_chat(publisher_t *pub,
                                                        const chatarc_chat_t *chat,
                                                        xmlNodePtr site_root, chatarc_error_t *err)
{
	if (!fs_name_valid(chat->name))
		return chatarc_error_set(err, CHATARC_ERR_USAGE,
		                         "chat name '%s' cannot be a file name", chat->name);
	xmlDocPtr chat_doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "chat");
	xmlDocSetRootElement(chat_doc, root);
	set_prop(root, "name", chat->name);
	if (chat->title)
		set_prop(root, "title", chat->title);
	set_prop(root, "tz", chat->tz ? chat->tz : "UTC");
	add_next_session(root, chat, pub->options.now_ms);
	uint64_t fingerprint;
	long n_unchanged;
	bool live = false;
	chatarc_status_t status = chat_fingerprint(pub, chat, root, &fingerprint, &live, err);
	xmlDocPtr unchanged =
	    status == CHATARC_OK ? unchanged_chat(pub, chat, fingerprint, &n_unchanged) : NULL;
	if (unchanged) {
		xmlNodePtr kept = xmlDocGetRootElement(unchanged)->children;
		while (kept->type != XML_ELEMENT_NODE)
			kept = kept->next;
		xmlAddChild(site_root, xmlDocCopyNode(kept, site_root->doc, 1));
		pub->stats->sessions += n_unchanged;
		pub->stats->pages_unchanged += n_unchanged + 2; /* and the chat page and feed */
		xmlFreeDoc(unchanged);
		xmlFreeDoc(chat_doc);
		return CHATARC_OK;
	}
	/* Live: when it was published, in the chat's zone ("HH:MM:SS"). */
	char updated_at[32] = "";
	if (live) {
		tz_scope_t scope;
		char iso[32];
		tz_scope_enter(&scope, chat->tz ? chat->tz : "UTC");
		time_to_local(pub->options.now_ms, iso, NULL, NULL, NULL);
		tz_scope_leave(&scope);
		snprintf(updated_at, sizeof updated_at, "%.8s", iso + 11);
		set_prop(root, "live", updated_at);
	}
	strlist_t dates = {0};
	if (status == CHATARC_OK)
		status = summary_list_sessions(pub->options.data_dir, chat, &dates, err);
	/* The feed is dated by the newest session's last message. */
	char updated[CHATARC_TIME_ISO_LEN] = "1970-01-01T00:00:00.000Z";
	xmlNodePtr newest_entry = NULL;
	summary_history_t history;
	summary_history_init(&history);
	strlist_t rendered = {0}; /* the sessions that have a page */
	chatarc_ms_t(*windows)[2] = xcalloc(dates.len ? dates.len : 1, sizeof *windows);
	size_t n_windows = 0;

	/* Oldest first, so the history of who took part only moves forward.
	 * A page is rendered once the next session is known (its "next" link):
	 * one session behind the one being built. */
	struct session_page pending = {0};
	struct session_figures previous = {0};
	for (size_t i = 0; status == CHATARC_OK && i < dates.len; i++) {
		summary_t *s;
		xmlDocPtr doc;
		uint64_t hash;
		status =
		    session_document(pub, chat, dates.items[i], &history, &s, &doc, &hash, err);
		if (status != CHATARC_OK || !doc)
			continue;
		struct session_figures figures = figures_of(doc, s);
		add_previous(doc, &previous, &hash);
		previous = figures;
		if (pending.doc) {
			set_prop(xmlDocGetRootElement(pending.doc), "next", s->date);
			set_prop(xmlDocGetRootElement(doc), "prev", pending.date);
			status = render_session_page(pub, chat, &pending, err);
		}
		newest_entry = add_session_entry(root, newest_entry, s, &figures);
		strlist_add(&rendered, s->date);
		windows[n_windows][0] = s->window_start;
		windows[n_windows++][1] = s->window_end;
		time_format_iso(s->messages[s->n_messages - 1].record.created_ms, updated);
		pub->stats->sessions++;
		pending = (struct session_page){.doc = doc, .hash = hash};
		memcpy(pending.date, s->date, sizeof pending.date);
		summary_free(s);
	}
	if (pending.doc && live) { /* the newest session is the one under way */
		set_prop(xmlDocGetRootElement(pending.doc), "live", updated_at);
		pending.hash = fnv1a(pending.hash, updated_at, strlen(updated_at));
	}
	if (pending.doc && status == CHATARC_OK)
		status = render_session_page(pub, chat, &pending, err);
	xmlFreeDoc(pending.doc);
	set_prop(root, "updated", updated);
	if (status == CHATARC_OK)
		status = remove_stale_sessions(pub, chat, &rendered, err);
	if (status == CHATARC_OK)
		status =
		    add_outside(pub, root, chat, (const chatarc_ms_t(*)[2])windows, n_windows, err);
	free(windows);
	strbuf_t page;
	strbuf_init(&page, 0);
	if (status == CHATARC_OK) {
		strbuf_addf(&page, "%s/index.html", chat->name);
		status = render(pub, STYLE_CHAT, chat_doc, "../", page.buf, err);
	}
	if (status == CHATARC_OK) {
		strbuf_reset(&page);
		strbuf_addf(&page, "%s/feed.atom", chat->name);
		status = render(pub, STYLE_ATOM, chat_doc, "../", page.buf, err);
	}
	strbuf_release(&page);
	if (status == CHATARC_OK)
		status = save_chat_state(pub, chat, root, fingerprint, err);
	xmlAddChild(site_root, xmlDocCopyNode(root, site_root->doc, 1));
	xmlFreeDoc(chat_doc);
	summary_history_release(&history);
	strlist_clear(&dates);
	strlist_clear(&rendered);
	return status;
}

static bool is_digest_xml(const char *name)
{
	size_t n = strlen(name);
	return n == 12 && !strcmp(name + 8, ".xml") && name[4] == '-' && name[5] == 'W';
}

static CHATARC_MUST_CHECK chatarc_status_t copy_stylesheet_css(publisher_t *pub,
                                                               chatarc_error_t *err)
{
	strbuf_t path, css;
	strbuf_init(&path, 0);
	strbuf_init(&css, 8192);
	strbuf_addf(&path, "%s/css/chatarc.css", pub->options.share_dir);
	chatarc_status_t status = fs_read_file(path.buf, &css, 0, err);
	if (status == CHATARC_OK)
		status = write_page(pub, "style.css", css.buf, css.len, err);
	strbuf_release(&path);
	strbuf_release(&css);
	return status;
}

/* Each scheduled chat's schedule.ics, and schedule.ics of them all at the
 * site's root. A series starts with the chat's first archived day (the
 * next session when it has none yet), so the files change only when a
 * chat's schedule does. */
static CHATARC_MUST_CHECK chatarc_status_t write_calendars(publisher_t *pub,
                                                           const chatarc_config_t *config,
                                                           chatarc_error_t *err)
{
	calendar_chat_t *entries = xcalloc(config->n_chats + 1, sizeof *entries);
	char(*firsts)[11] = xcalloc(config->n_chats + 1, sizeof *firsts);
	size_t n = 0;
	chatarc_status_t status = CHATARC_OK;
	strbuf_t text, page;
	strbuf_init(&text, 8192);
	strbuf_init(&page, 0);
	for (size_t c = 0; c < config->n_chats; c++) {
		const chatarc_chat_t *chat = &config->chats[c];
		strlist_t days = {0};
		if (!chat->n_schedules || !chat_wanted(&pub->options, chat->name) ||
		    !fs_name_valid(chat->name))
			continue;
		chatarc_error_t ignored; /* no archive yet: from today */
		if (archive_list_days(pub->options.data_dir, chat->name, &days, &ignored) ==
		        CHATARC_OK &&
		    days.len)
			archive_day_of_path(days.items[0], firsts[n], NULL);
		else
			time_format_day(pub->options.now_ms, firsts[n]);
		strlist_clear(&days);
		entries[n] = (calendar_chat_t){chat, firsts[n]};
		n++;
	}
	for (size_t i = 0; status == CHATARC_OK && i <= n; i++) {
		/* i < n: one chat's; i == n: all of them, at the root. */
		strbuf_reset(&text);
		strbuf_reset(&page);
		if (i < n)
			strbuf_addf(&page, "%s/schedule.ics", entries[i].chat->name);
		else
			strbuf_addstr(&page, "schedule.ics");
		status = calendar_write(i < n ? &entries[i] : entries, i < n ? 1 : n, pub->base_url,
		                        &text, err);
		if (status == CHATARC_OK && (i < n || n > 0))
			status = write_page(pub, page.buf, text.buf, text.len, err);
	}
	strbuf_release(&text);
	strbuf_release(&page);
	free(entries);
	free(firsts);
	return status;
}

static bool is_people_page(const char *name)
{
	size_t n = strlen(name);
	return n > 5 && !strcmp(name + n - 5, ".html");
}

/* With "site": {"people": true}, OUT/people/ACCOUNT.html for every
 * account the index holds whose page the consent rule lets anyone see
 * (people.h); a page of an account no longer shown (hidden, forgotten,
 * or the option turned off) is removed, so no page outlives its consent. */
static CHATARC_MUST_CHECK chatarc_status_t publish_people(publisher_t *pub,
                                                          const chatarc_config_t *config,
                                                          chatarc_error_t *err)
{
	strbuf_t dir;
	strbuf_init(&dir, 0);
	strbuf_addf(&dir, "%s/people", pub->options.out_dir);
	strlist_t kept = {0}, old = {0};
	chatarc_status_t status = CHATARC_OK;
	if (config->site_people) {
		struct xdb *db = NULL;
		size_t stale;
		status = index_open_for_search(pub->options.data_dir, config, &db, &stale, err);
		if (status == CHATARC_ERR_NOT_FOUND)
			chatarc_error_append(err, "(people's pages are read from the index)");
		strlist_t accounts = {0};
		if (status == CHATARC_OK)
			status = people_accounts(db, &accounts, err);
		static const site_links_t links = {"../", ".html"};
		for (size_t i = 0; status == CHATARC_OK && i < accounts.len; i++) {
			xmlDocPtr doc = NULL;
			status = people_page_doc(db, config, accounts.items[i], &links, &doc, err);
			if (status != CHATARC_OK || !doc)
				continue;
			strbuf_t page;
			strbuf_init(&page, 64);
			strbuf_addf(&page, "people/%s.html", accounts.items[i]);
			status = render(pub, STYLE_PEOPLE, doc, "../", page.buf, err);
			strlist_add(&kept, page.buf + strlen("people/"));
			strbuf_release(&page);
			xmlFreeDoc(doc);
		}
		strlist_clear(&accounts);
		if (db)
			xdb_close(db);
	}
	fs_list_dir(dir.buf, is_people_page, &old);
	for (size_t i = 0; status == CHATARC_OK && i < old.len; i++) {
		const char *name = strrchr(old.items[i], '/') + 1;
		bool keep = false;
		for (size_t k = 0; k < kept.len && !keep; k++)
			keep = !strcmp(kept.items[k], name);
		if (!keep && unlink(old.items[i]) != 0)
			status = chatarc_error_set(err, CHATARC_ERR_IO, "%s: cannot remove: %s",
			                           old.items[i], strerror(errno));
	}
	strlist_clear(&old);
	strlist_clear(&kept);
	strbuf_release(&dir);
	return status;
}

chatarc_status_t publish_site(publisher_t *pub, const chatarc_config_t *config,
                              publish_stats_t *stats, chatarc_error_t *err)
{
	pub->stats = stats;
	pub->config_hash = config->text_hash;
	pub->site_title = config->site_title;
	pub->base_url = config->site_base_url;
	xmlDocPtr site = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "site");
	xmlDocSetRootElement(site, root);
	chatarc_status_t status = copy_stylesheet_css(pub, err);
	for (size_t c = 0; status == CHATARC_OK && c < config->n_chats; c++)
		if (chat_wanted(&pub->options, config->chats[c].name))
			status = publish_chat(pub, &config->chats[c], root, err);
	if (status == CHATARC_OK)
		status = write_calendars(pub, config, err);
	/* The digests written so far, newest first. */
	strlist_t digests = {0};
	strbuf_t dir;
	strbuf_init(&dir, 0);
	strbuf_addf(&dir, "%s/digest", pub->options.out_dir);
	fs_list_dir(dir.buf, is_digest_xml, &digests);
	for (size_t i = digests.len; i-- > 0;) {
		char week[9];
		memcpy(week, strrchr(digests.items[i], '/') + 1, 8);
		week[8] = '\0';
		set_prop(xmlNewChild(root, NULL, BAD_CAST "digest", NULL), "week", week);
	}
	if (status == CHATARC_OK)
		status = publish_people(pub, config, err);
	if (status == CHATARC_OK)
		status = render(pub, STYLE_SITE, site, "", "index.html", err);
	if (status == CHATARC_OK)
		status = cache_save(pub, err);
	strbuf_release(&dir);
	strlist_clear(&digests);
	xmlFreeDoc(site);
	return status;
}

long long publish_now_ms(void)
{
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	if (epoch && *epoch)
		return atoll(epoch) * 1000LL;
	return (long long)time(NULL) * 1000LL;
}

/* Weeks: ISO 8601, Monday first; week 1 holds the year's first Thursday. */

static void date_of(int64_t days, char out[11])
{
	time_format_day(days * 86400000LL, out);
}

/* Monday of ISO week 1 of `year`: the Monday on or before 4 January. */
static int64_t week_one_monday(int year)
{
	int64_t jan4 = time_days_from_civil(year, 1, 4);
	int weekday = (int)(((jan4 + 3) % 7 + 7) % 7); /* 0 = Monday; 1970-01-01 was a Thursday */
	return jan4 - weekday;
}

bool publish_week_bounds(const char *week, char monday[11], char sunday[11])
{
	int year, number;
	char end;
	if (strlen(week) != 8 || sscanf(week, "%4d-W%2d%c", &year, &number, &end) != 2 ||
	    year < 1970 || year > 9999 || number < 1)
		return false;
	int64_t first = week_one_monday(year) + 7 * (int64_t)(number - 1);
	if (number > 52 && first >= week_one_monday(year + 1))
		return false; /* the year has only 52 weeks */
	date_of(first, monday);
	date_of(first + 6, sunday);
	return true;
}

void publish_week_of(long long ms, char week[9])
{
	int64_t day = ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000;
	char date[11];
	date_of(day, date);
	int year = atoi(date);
	if (day >= week_one_monday(year + 1))
		year++;
	else if (day < week_one_monday(year))
		year--;
	char text[32];
	snprintf(text, sizeof text, "%04d-W%02d", year % 10000,
	         (int)((day - week_one_monday(year)) / 7 + 1) % 100);
	memcpy(week, text, 8);
	week[8] = '\0';
}

/* The digest feed: the latest DIGEST_FEED_WEEKS digests' inputs in one. */
static CHATARC_MUST_CHECK chatarc_status_t write_digest_feed(publisher_t *pub, chatarc_error_t *err)
{
	strlist_t weeks = {0};
	strbuf_t dir;
	strbuf_init(&dir, 0);
	strbuf_addf(&dir, "%s/digest", pub->options.out_dir);
	fs_list_dir(dir.buf, is_digest_xml, &weeks);
	xmlDocPtr feed = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "digests");
	xmlDocSetRootElement(feed, root);
	char updated[CHATARC_TIME_ISO_LEN] = "1970-01-01T00:00:00.000Z";
	for (size_t i = weeks.len, n = 0; i-- > 0 && n < DIGEST_FEED_WEEKS; n++) {
		xmlDocPtr doc =
		    xmlReadFile(weeks.items[i], "UTF-8", XML_PARSE_NONET | XML_PARSE_HUGE);
		if (!doc)
			continue; /* a damaged digest input is left out, not fatal */
		xmlNodePtr week = xmlDocGetRootElement(doc);
		xmlChar *week_updated = xmlGetProp(week, BAD_CAST "updated");
		if (week_updated && strcmp((const char *)week_updated, updated) > 0)
			snprintf(updated, sizeof updated, "%s", (const char *)week_updated);
		xmlFree(week_updated);
		xmlAddChild(root, xmlDocCopyNode(week, feed, 1));
		xmlFreeDoc(doc);
	}
	set_prop(root, "updated", updated);
	chatarc_status_t status = render(pub, STYLE_ATOM, feed, "../", "digest/feed.atom", err);
	xmlFreeDoc(feed);
	strbuf_release(&dir);
	strlist_clear(&weeks);
	return status;
}

/* A digest whose week has no session left (all of it forgotten): its page
 * and input go, and the feed is made again without it. */
static CHATARC_MUST_CHECK chatarc_status_t remove_digest(publisher_t *pub, const char *week,
                                                         chatarc_error_t *err)
{
	static const char *const kinds[] = {"xml", "html"};
	bool removed = false;
	for (size_t k = 0; k < 2; k++) {
		strbuf_t path;
		strbuf_init(&path, 0);
		strbuf_addf(&path, "%s/digest/%s.%s", pub->options.out_dir, week, kinds[k]);
		if (unlink(path.buf) == 0) {
			removed = true;
			pub->stats->pages_written++;
		}
		strbuf_release(&path);
	}
	return removed ? write_digest_feed(pub, err) : CHATARC_OK;
}

/* The figures of the chat's last session with messages before dates[first]
 * (a scheduled date may have had none), to compare the digest's first
 * session of the chat with; none before it leaves *out empty. The history
 * moves forward through it, as it would have on the way to the week. */
static CHATARC_MUST_CHECK chatarc_status_t
previous_figures(publisher_t *pub, const chatarc_chat_t *chat, const strlist_t *dates, size_t first,
                 summary_history_t *history, struct session_figures *out, chatarc_error_t *err)
{
	memset(out, 0, sizeof *out);
	for (size_t i = first; i-- > 0;) {
		summary_t *s;
		chatarc_status_t status = summary_build_topics(pub->options.data_dir, chat,
		                                               dates->items[i], NULL, &s, err);
		if (status != CHATARC_OK)
			return status;
		size_t n = s->n_messages;
		summary_free(s);
		if (n == 0)
			continue;
		xmlDocPtr doc;
		status = session_document(pub, chat, dates->items[i], history, &s, &doc, NULL, err);
		if (status != CHATARC_OK || !doc)
			return status;
		*out = figures_of(doc, s);
		xmlFreeDoc(doc);
		summary_free(s);
		return CHATARC_OK;
	}
	return CHATARC_OK;
}

chatarc_status_t publish_digest(publisher_t *pub, const chatarc_config_t *config, const char *week,
                                long *n_sessions, publish_stats_t *stats, chatarc_error_t *err)
{
	char monday[11], sunday[11], updated[CHATARC_TIME_ISO_LEN] = "";
	pub->stats = stats;
	pub->site_title = config->site_title;
	pub->base_url = config->site_base_url;
	*n_sessions = 0;
	if (!publish_week_bounds(week, monday, sunday))
		return chatarc_error_set(err, CHATARC_ERR_USAGE,
		                         "'%s' is not an ISO week: give YYYY-Www, e.g. 2026-W47",
		                         week);
	xmlDocPtr digest = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "digest");
	xmlDocSetRootElement(digest, root);
	set_prop(root, "week", week);
	set_prop(root, "start", monday);
	set_prop(root, "end", sunday);
	chatarc_status_t status = CHATARC_OK;
	for (size_t c = 0; status == CHATARC_OK && c < config->n_chats; c++) {
		const chatarc_chat_t *chat = &config->chats[c];
		strlist_t dates = {0};
		summary_history_t history;
		if (!chat_wanted(&pub->options, chat->name) || !fs_name_valid(chat->name))
			continue;
		summary_history_init(&history);
		status = summary_list_sessions(pub->options.data_dir, chat, &dates, err);
		struct session_figures previous = {0};
		bool looked_back = false;
		for (size_t i = 0; status == CHATARC_OK && i < dates.len; i++) {
			summary_t *s;
			xmlDocPtr doc;
			uint64_t unused_hash = 0;
			if (strcmp(dates.items[i], monday) < 0 ||
			    strcmp(dates.items[i], sunday) > 0)
				continue;
			if (!looked_back) {
				looked_back = true;
				status = previous_figures(pub, chat, &dates, i, &history, &previous,
				                          err);
				if (status != CHATARC_OK)
					continue;
			}
			status = session_document(pub, chat, dates.items[i], &history, &s, &doc,
			                          NULL, err);
			if (status != CHATARC_OK || !doc)
				continue;
			struct session_figures figures = figures_of(doc, s);
			add_previous(doc, &previous, &unused_hash);
			previous = figures;
			strbuf_t href;
			strbuf_init(&href, 0);
			strbuf_addf(&href, "../%s/%s.html", chat->name, s->date);
			xmlNodePtr session = xmlDocCopyNode(xmlDocGetRootElement(doc), digest, 1);
			set_prop(session, "href", href.buf);
			xmlAddChild(root, session);
			char last[CHATARC_TIME_ISO_LEN];
			time_format_iso(s->messages[s->n_messages - 1].record.created_ms, last);
			if (strcmp(last, updated) > 0)
				memcpy(updated, last, sizeof last);
			(*n_sessions)++;
			strbuf_release(&href);
			xmlFreeDoc(doc);
			summary_free(s);
		}
		summary_history_release(&history);
		strlist_clear(&dates);
	}
	set_prop(root, "updated", updated);
	if (status == CHATARC_OK && *n_sessions > 0) {
		strbuf_t page;
		xmlChar *xml = NULL;
		int len = 0;
		strbuf_init(&page, 0);
		/* The digest's input is kept beside it: the feed is made from the
		 * latest weeks' inputs, and researchers can read it as data. */
		xmlDocDumpFormatMemoryEnc(digest, &xml, &len, "UTF-8", 0);
		strbuf_addf(&page, "digest/%s.xml", week);
		status = write_page(pub, page.buf, xml, (size_t)len, err);
		xmlFree(xml);
		strbuf_reset(&page);
		strbuf_addf(&page, "digest/%s.html", week);
		if (status == CHATARC_OK)
			status = render(pub, STYLE_DIGEST, digest, "../", page.buf, err);
		if (status == CHATARC_OK)
			status = write_digest_feed(pub, err);
		strbuf_release(&page);
	} else if (status == CHATARC_OK && !(pub->options.chats && pub->options.chats->len)) {
		status = remove_digest(pub, week, err);
	}
	xmlFreeDoc(digest);
	return status;
}

chatarc_status_t publish_refresh_digests(publisher_t *pub, const chatarc_config_t *config,
                                         publish_stats_t *stats, chatarc_error_t *err)
{
	strlist_t weeks = {0};
	strbuf_t dir;
	chatarc_status_t status = CHATARC_OK;
	strbuf_init(&dir, 0);
	strbuf_addf(&dir, "%s/digest", pub->options.out_dir);
	fs_list_dir(dir.buf, is_digest_xml, &weeks);
	for (size_t i = 0; status == CHATARC_OK && i < weeks.len; i++) {
		char week[9];
		long sessions;
		memcpy(week, strrchr(weeks.items[i], '/') + 1, 8);
		week[8] = '\0';
		status = publish_digest(pub, config, week, &sessions, stats, err);
	}
	strlist_clear(&weeks);
	strbuf_release(&dir);
	return status;
}
