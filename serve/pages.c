/* The pages `chatarc serve` adds to the site: /search (a form, hits, facets
 * and pages, working without script) and /people/ACCOUNT (who knows what:
 * a person's chats, sessions, topics answered and links). Each is XML made
 * here and rendered by the site's own XSLT (share/xslt/search.xsl,
 * people.xsl), so it looks like the rest of the site; every text from a
 * post reaches the page as XML text, which the serializer escapes. */
#include <ctype.h>
#include <libxml/tree.h>
#include <libxslt/transform.h>
#include <libxslt/variables.h>
#include <libxslt/xsltInternals.h>
#include <libxslt/xsltutils.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/alloc.h"
#include "../common/json.h"
#include "../common/record.h"
#include "../common/sprinter.h"
#include "../common/timeutil.h"
#include "../common/tzfile.h"
#include "serve-internal.h"

/* RFC 3986's unreserved bytes as they are, every other one %XX. */
static void add_url_encoded(strbuf_t *out, const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (isalnum(*p) || strchr("-._~", *p))
			strbuf_addch(out, (char)*p);
		else
			strbuf_addf(out, "%%%02X", *p);
	}
}

static char *search_href(const char *query, long page)
{
	strbuf_t href;
	strbuf_init(&href, 64);
	strbuf_addstr(&href, "/search?q=");
	add_url_encoded(&href, query);
	if (page > 1)
		strbuf_addf(&href, "&page=%ld", page);
	return strbuf_detach(&href, NULL);
}

/* The page of doc through style, as the answer. */
static int render(request_t *r, struct _xsltStylesheet *style, xmlDocPtr doc, unsigned status)
{
	const char *site_title = r->server->config.site_title;
	const char *params[] = {"root", "/", "site-title", site_title ? site_title : "", NULL};
	xsltTransformContextPtr transform = xsltNewTransformContext(style, doc);
	xmlDocPtr result = NULL;
	if (transform && xsltQuoteUserParams(transform, params) == 0)
		result = xsltApplyStylesheetUser(style, doc, NULL, NULL, NULL, transform);
	xsltFreeTransformContext(transform);
	xmlChar *text = NULL;
	int len = 0;
	int answer;
	if (!result || xsltSaveResultToString(&text, &len, result, style) < 0)
		answer =
		    serve_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "the page could not be made");
	else
		answer = serve_respond(r, status, "text/html; charset=utf-8", text, (size_t)len);
	xmlFree(text);
	xmlFreeDoc(result);
	return answer;
}

/* A hit's record, as the page shows it: chat, author, time in the chat's
 * zone, text, and its place (session, topic) and address in the site. */
static void write_hit(sprinter_t *sp, request_t *r, const serve_hit_t *hit, struct tz_zone **zones)
{
	chatarc_record_t rec;
	chatarc_error_t err;
	if (record_from_json(hit->data, &rec, &err) != CHATARC_OK)
		return;
	const chatarc_config_t *config = &r->server->config;
	const chatarc_chat_t *chat = rec.chat ? config_find_chat(config, rec.chat) : NULL;
	long offset = config_chat_offset(config, zones, chat, rec.created_ms);
	char local[CHATARC_TIME_ISO_LEN], utc[CHATARC_TIME_ISO_LEN], zone[40];
	time_format_iso(rec.created_ms + offset * 1000, local);
	local[16] = '\0';
	local[10] = ' ';
	time_format_iso(rec.created_ms, utc);
	snprintf(zone, sizeof zone, "%c%02ld:%02ld", offset < 0 ? '-' : '+', labs(offset) / 3600,
	         labs(offset) % 3600 / 60);
	sp->begin_object(sp, "hit");
	sp->string(sp, "chat", rec.chat);
	sp->string(sp, "network", rec.network);
	sp->string(sp, "author", rec.author);
	sp->string(sp, "author-name", rec.author_name);
	sp->string(sp, "local", local);
	sp->string(sp, "offset", zone);
	sp->string(sp, "utc", utc);
	sp->string(sp, "session", hit->session);
	sp->string(sp, "topic", hit->topic);
	sp->string(sp, "url", rec.url);
	if (rec.author) {
		strbuf_t people;
		strbuf_init(&people, 64);
		strbuf_addstr(&people, "/people/");
		add_url_encoded(&people, rec.author);
		sp->string(sp, "people-href", people.buf);
		strbuf_release(&people);
	}
	if (hit->session && rec.chat) {
		strbuf_t href;
		strbuf_init(&href, 64);
		serve_message_href(&href, rec.chat, hit->session, rec.uri);
		sp->string(sp, "href", href.buf);
		strbuf_release(&href);
	}
	sp->begin_list(sp, "links");
	for (size_t i = 0; i < rec.links.len; i++)
		sp->text(sp, "link", rec.links.items[i]);
	sp->end_list(sp);
	if (rec.content_warning && *rec.content_warning)
		sp->text(sp, "content-warning", rec.content_warning);
	sp->text(sp, "text", rec.text ? rec.text : "");
	sp->end_object(sp);
	record_clear(&rec);
}

/* The facets: each value a link to the query narrowed by it (the query
 * language's own field, so the narrowing shows in the box). */
static void write_facets(sprinter_t *sp, const char *query, const serve_results_t *results)
{
	static const char *const facets[] = {"chat", "year", "network"};
	static const char *const fields[] = {"chat", "date", "network"};
	for (size_t f = 0; f < 3; f++) {
		sp->begin_object(sp, "facet");
		sp->string(sp, "name", facets[f]);
		for (size_t i = 0; i < results->n_facets; i++) {
			const serve_facet_t *v = &results->facets[i];
			if (strcmp(v->facet, facets[f]) || !*v->value)
				continue;
			strbuf_t narrowed;
			strbuf_init(&narrowed, 64);
			strbuf_addf(&narrowed, "%s %s:%s", query, fields[f], v->value);
			char *href = search_href(narrowed.buf, 1);
			sp->begin_object(sp, "value");
			sp->string(sp, "name", v->value);
			sp->integer(sp, "count", (long long)v->count);
			sp->string(sp, "href", href);
			sp->end_object(sp);
			free(href);
			strbuf_release(&narrowed);
		}
		sp->end_object(sp);
	}
}

static int search_page(request_t *r)
{
	const char *q = serve_arg(r, "q");
	long page = serve_number_arg(r, "page", 1, 1000000000L);
	serve_results_t results = {0};
	chatarc_error_t err = {0};
	chatarc_status_t status = CHATARC_OK;
	unsigned code = MHD_HTTP_OK;
	if (q && strlen(q) > SERVE_MAX_QUERY) {
		status = chatarc_error_set(&err, CHATARC_ERR_USAGE,
		                           "the query is longer than %d bytes", SERVE_MAX_QUERY);
		code = MHD_HTTP_URI_TOO_LONG;
	} else if (!page) {
		status = chatarc_error_set(&err, CHATARC_ERR_USAGE, "page is a number from 1");
		code = MHD_HTTP_BAD_REQUEST;
	} else if (q && *q) {
		status = serve_search(r->server, q, XDB_SORT_RELEVANCE, page, SERVE_PAGE_SIZE,
		                      &results, &err);
		code = status == CHATARC_OK              ? MHD_HTTP_OK
		       : status == CHATARC_ERR_USAGE     ? MHD_HTTP_BAD_REQUEST
		       : status == CHATARC_ERR_NOT_FOUND ? MHD_HTTP_SERVICE_UNAVAILABLE
		                                         : MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
	xmlDocPtr doc = NULL;
	sprinter_t *sp = sprinter_xml_tree_new(&doc, NULL);
	sp->begin_object(sp, "search");
	if (q && code != MHD_HTTP_URI_TOO_LONG)
		sp->string(sp, "query", q);
	if (status == CHATARC_OK && q && *q) {
		long pages = (long)((results.total + SERVE_PAGE_SIZE - 1) / SERVE_PAGE_SIZE);
		long deepest = SERVE_MAX_OFFSET / SERVE_PAGE_SIZE;
		sp->integer(sp, "page", page);
		sp->integer(sp, "pages", pages);
		sp->integer(sp, "total", (long long)results.total);
		sp->integer(sp, "first", (page - 1) * SERVE_PAGE_SIZE + (results.n_hits ? 1 : 0));
		sp->integer(sp, "last", (page - 1) * SERVE_PAGE_SIZE + (long)results.n_hits);
		char *href = NULL;
		if (page > 1) {
			href = search_href(q, page - 1);
			sp->string(sp, "prev", href);
			free(href);
		}
		if (page < pages && page < deepest) {
			href = search_href(q, page + 1);
			sp->string(sp, "next", href);
			free(href);
		}
	}
	for (size_t i = 0; i < results.warnings.len; i++)
		sp->text(sp, "warning", results.warnings.items[i]);
	if (status != CHATARC_OK)
		sp->text(sp, "error", err.message);
	if (status == CHATARC_OK && q && *q) {
		write_facets(sp, q, &results);
		struct tz_zone **zones = xcalloc(r->server->config.n_chats + 1, sizeof *zones);
		for (size_t i = 0; i < results.n_hits; i++)
			write_hit(sp, r, &results.hits[i], zones);
		for (size_t i = 0; i < r->server->config.n_chats; i++)
			tz_zone_free(zones[i]);
		free(zones);
	}
	sp->end_object(sp);
	sprinter_xml_finish(sp);
	serve_results_release(&results);
	int answer = render(r, r->server->search_style, doc, code);
	xmlFreeDoc(doc);
	return answer;
}

/* ---- people ---- */

/* Accounts as the index holds them: letters, digits and ._-@: anything
 * else names no one. */
static bool account_valid(const char *account)
{
	if (!*account || strlen(account) > 200)
		return false;
	for (const char *p = account; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-@:", *p))
			return false;
	return true;
}

/* A person's page may show only what a chat may publish of everyone: a
 * chat that takes posts of accounts that opted out of indexing
 * (allow_noindex) cannot tell who consented, so its people have no page;
 * nor has anyone its hide list names. */
static bool chat_shows_person(const chatarc_chat_t *chat, const char *account)
{
	return chat && !chat->allow_noindex && !config_chat_hides_author(chat, account);
}

static int people_page(request_t *r, const char *account)
{
	if (!account_valid(account))
		return serve_error(r, MHD_HTTP_NOT_FOUND, "no such person");
	strbuf_t query;
	strbuf_init(&query, 64);
	strbuf_addf(&query, "from:%s", account);
	serve_results_t results = {0};
	chatarc_error_t err;
	/* The person's latest 1,000 posts, in time order, grouped by the
	 * stylesheet by chat, session and topic. */
	chatarc_status_t status = serve_search(r->server, query.buf, XDB_SORT_DATE_DESC, 1,
	                                       SERVE_MAX_PAGE_SIZE * 10, &results, &err);
	strbuf_release(&query);
	if (status != CHATARC_OK) {
		serve_results_release(&results);
		return serve_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, err.message);
	}
	bool shown = results.n_hits > 0;
	for (size_t i = 0; shown && i < results.n_hits; i++) {
		chatarc_record_t rec;
		if (record_from_json(results.hits[i].data, &rec, &err) != CHATARC_OK)
			continue;
		shown = chat_shows_person(
		    rec.chat ? config_find_chat(&r->server->config, rec.chat) : NULL, rec.author);
		record_clear(&rec);
	}
	if (!shown) {
		serve_results_release(&results);
		return serve_error(r, MHD_HTTP_NOT_FOUND, "no such person");
	}
	xmlDocPtr doc = NULL;
	sprinter_t *sp = sprinter_xml_tree_new(&doc, NULL);
	sp->begin_object(sp, "person");
	sp->string(sp, "account", account);
	sp->integer(sp, "total", (long long)results.total);
	struct tz_zone **zones = xcalloc(r->server->config.n_chats + 1, sizeof *zones);
	for (size_t i = 0; i < results.n_hits; i++)
		write_hit(sp, r, &results.hits[i], zones);
	for (size_t i = 0; i < r->server->config.n_chats; i++)
		tz_zone_free(zones[i]);
	free(zones);
	sp->end_object(sp);
	sprinter_xml_finish(sp);
	serve_results_release(&results);
	int answer = render(r, r->server->people_style, doc, MHD_HTTP_OK);
	xmlFreeDoc(doc);
	return answer;
}

int serve_page(request_t *r, const char *path)
{
	if (!strcmp(path, "/search"))
		return search_page(r);
	if (!strncmp(path, "/people/", 8))
		return people_page(r, path + 8);
	return 0;
}
