/* Fuzz harness: the query parser (index/query.c), on what anyone may type
 * into a search box. A parse either fails with a message or gives a tree
 * whose every node is whole. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/alloc.h"
#include "../../index/query.h"

static void check(const query_node_t *n)
{
	if (!n)
		abort();
	if ((n->op == QUERY_TEXT || n->op == QUERY_PHRASE || n->op == QUERY_WILDCARD ||
	     n->op == QUERY_TERM) &&
	    !n->text)
		abort();
	if ((n->op == QUERY_NEAR || n->op == QUERY_ADJ) && (n->n_kids < 2 || !n->window))
		abort();
	if ((n->op == QUERY_AND_NOT || n->op == QUERY_FILTER) && n->n_kids != 2)
		abort();
	for (size_t i = 0; i < n->n_kids; i++)
		check(n->kids[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	query_node_t *tree;
	strlist_t warnings = {0};
	chatarc_error_t err;
	if (query_parse(text, NULL, NULL, &tree, &warnings, &err) == CHATARC_OK) {
		check(tree);
		query_free(tree);
	} else if (!err.message[0]) {
		abort(); /* a failure says why */
	}
	strlist_clear(&warnings);
	free(text);
	return 0;
}
