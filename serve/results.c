/* One search for a page or the API: `chatarc search`'s run (index_search)
 * on the worker's index, a page of hits with their place in the sessions,
 * the total and the facets. */
#include <stdlib.h>
#include <string.h>

#include "../common/alloc.h"
#include "../index/query.h"
#include "serve-internal.h"

static CHATARC_MUST_CHECK chatarc_status_t keep_hit(void *ctx, const xdb_hit_t *hit,
                                                    chatarc_error_t *err)
{
	serve_results_t *out = ctx;
	(void)err;
	ALLOC_GROW(out->hits, out->n_hits + 1, out->hits_alloc);
	serve_hit_t *h = &out->hits[out->n_hits++];
	h->data = xstrdup(hit->data);
	h->score = hit->score;
	h->session = hit->terms[0] ? xstrdup(hit->terms[0]) : NULL;
	h->topic = hit->terms[1] ? xstrdup(hit->terms[1]) : NULL;
	return CHATARC_OK;
}

static void keep_facet(void *ctx, const char *facet, const char *value, size_t count)
{
	serve_results_t *out = ctx;
	ALLOC_GROW(out->facets, out->n_facets + 1, out->facets_alloc);
	out->facets[out->n_facets++] =
	    (serve_facet_t){.facet = xstrdup(facet), .value = xstrdup(value), .count = count};
}

chatarc_status_t serve_search(server_t *server, const char *query, xdb_sort_t sort, long page,
                              long per_page, bool count_all, serve_results_t *out,
                              chatarc_error_t *err)
{
	memset(out, 0, sizeof *out);
	size_t offset = (size_t)(page - 1) * (size_t)per_page;
	if (offset >= SERVE_MAX_OFFSET)
		return chatarc_error_set(err, CHATARC_ERR_USAGE,
		                         "page %ld is past the deepest a search pages to (hit %d): "
		                         "narrow the query instead (chat:, date:, from:)",
		                         page, SERVE_MAX_OFFSET);
	struct xdb *db = serve_index(server, err);
	if (!db)
		return CHATARC_ERR_NOT_FOUND;
	/* The hit's session and topic, from its own terms: the link to its
	 * place in the transcript. */
	const char *const prefixes[] = {query_field_prefix("session"), query_field_prefix("topic"),
	                                NULL};
	const index_search_t how = {.sort = sort,
	                            .offset = offset,
	                            .limit = (size_t)per_page,
	                            .term_prefixes = prefixes,
	                            .facets = keep_facet,
	                            .facets_ctx = out,
	                            .count_up_to = count_all ? 0 : SERVE_COUNT_UP_TO,
	                            .exact = &out->exact};
	chatarc_status_t status = index_search(db, &server->config, query, &how, keep_hit, out,
	                                       &out->total, &out->warnings, err);
	return status;
}

void serve_results_release(serve_results_t *results)
{
	for (size_t i = 0; i < results->n_hits; i++) {
		free(results->hits[i].data);
		free(results->hits[i].session);
		free(results->hits[i].topic);
	}
	free(results->hits);
	for (size_t i = 0; i < results->n_facets; i++) {
		free(results->facets[i].facet);
		free(results->facets[i].value);
	}
	free(results->facets);
	strlist_clear(&results->warnings);
	memset(results, 0, sizeof *results);
}
