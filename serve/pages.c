/* The pages `chatarc serve` adds to the site: /search (a form, hits, facets
 * and pages, working without script) and /people/ACCOUNT (who knows what:
 * a person's chats, sessions, topics answered and links). Each is XML made
 * here and rendered by the site's own XSLT (share/xslt/search.xsl,
 * people.xsl), so it looks like the rest of the site; every text from a
 * post reaches the page as XML text, which the serializer escapes. */
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
#include "../common/sprinter.h"
#include "../common/tzfile.h"
#include "../publish/people.h"
#include "serve-internal.h"

/* Links from the server's pages: absolute, people at /people/ACCOUNT. */
static const site_links_t serve_links = {"/", ""};

static char *search_href(const char *query, long page)
{
	strbuf_t href;
	strbuf_init(&href, 64);
	strbuf_addstr(&href, "/search?q=");
	strbuf_add_url_escaped(&href, query);
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
		                      false, &results, &err);
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
		if (!results.exact)
			sp->string(sp, "estimated", "yes");
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
			people_write_hit(sp, &r->server->config, zones, &serve_links,
			                 results.hits[i].data, results.hits[i].session,
			                 results.hits[i].topic);
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

static int people_page(request_t *r, const char *account)
{
	chatarc_error_t err;
	struct xdb *db = serve_index(r->server, &err);
	if (!db)
		return serve_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, err.message);
	xmlDocPtr doc = NULL;
	if (people_page_doc(db, &r->server->config, account, &serve_links, &doc, &err) !=
	    CHATARC_OK)
		return serve_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, err.message);
	if (!doc)
		return serve_error(r, MHD_HTTP_NOT_FOUND, "no such person");
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
