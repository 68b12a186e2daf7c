/* One search as every reader runs it (`chatarc search`, `chatarc serve`):
 * chatarc's query language read into its tree, the chats' hide lists left
 * out of the matches, the hits handed over in order. */
#include <stdlib.h>
#include <string.h>

#include "../common/alloc.h"
#include "index.h"
#include "query.h"
#include "xapian-shim.h"

/* The moderators' hide list as terms the search leaves out: per chat, its
 * accounts, and its messages by uri and by url. */
struct hidden_terms {
	xdb_hidden_t *chats;
	strlist_t *terms; /* each chat's */
	strlist_t chat_terms;
	size_t n;
};

static void hidden_terms_of(const chatarc_config_t *config, struct hidden_terms *out)
{
	memset(out, 0, sizeof *out);
	out->chats = xcalloc(config->n_chats + 1, sizeof *out->chats);
	out->terms = xcalloc(config->n_chats + 1, sizeof *out->terms);
	for (size_t c = 0; c < config->n_chats; c++) {
		const chatarc_chat_t *chat = &config->chats[c];
		strlist_t *terms = &out->terms[out->n];
		if (!chat->hide.len)
			continue;
		for (size_t i = 0; i < chat->hide.len; i++) {
			const char *item = chat->hide.items[i];
			if (strstr(item, "://")) {
				query_add_field_term(terms, "uri", item);
				query_add_field_term(terms, "url", item);
			} else {
				query_add_field_term(terms, "from", item);
			}
		}
		query_add_field_term(&out->chat_terms, "chat", chat->name);
		out->chats[out->n].terms = (const char *const *)terms->items;
		out->chats[out->n].n_terms = terms->len;
		out->n++;
	}
	for (size_t i = 0; i < out->n; i++)
		out->chats[i].chat_term = out->chat_terms.items[i];
}

static void hidden_terms_release(struct hidden_terms *h)
{
	for (size_t i = 0; i < h->n; i++)
		strlist_clear(&h->terms[i]);
	strlist_clear(&h->chat_terms);
	free(h->terms);
	free(h->chats);
}

chatarc_status_t index_search(struct xdb *db, const chatarc_config_t *config, const char *text,
                              const index_search_t *how, xdb_hit_fn fn, void *ctx, size_t *total,
                              strlist_t *warnings, chatarc_error_t *err)
{
	query_node_t *tree = NULL;
	chatarc_status_t status = query_parse(text, index_query_values, db, &tree, warnings, err);
	if (status != CHATARC_OK)
		return status;
	struct hidden_terms hidden;
	hidden_terms_of(config, &hidden);
	const xdb_request_t request = {.sort = how->sort,
	                               .offset = how->offset,
	                               .limit = how->limit,
	                               .marks = how->marks,
	                               .hidden = hidden.chats,
	                               .n_hidden = hidden.n,
	                               .term_prefixes = how->term_prefixes,
	                               .facets = how->facets,
	                               .facets_ctx = how->facets_ctx,
	                               .count_up_to = how->count_up_to,
	                               .exact = how->exact};
	status = xdb_search(db, tree, &request, fn, ctx, total, err);
	hidden_terms_release(&hidden);
	query_free(tree);
	return status;
}
