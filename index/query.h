/* chatarc's query language, read into chatarc's own tree: what a person
 * typed ("pester OR vscode", "from:JeffHicks since:2022-01-01", "#rstats
 * -filter:replies", "\"thank you\" NEAR/3 chat") as nodes the Xapian shim
 * compiles into a Xapian::Query directly, with nothing read back from
 * Xapian's descriptions. Its grammar and the structure it builds are
 * Xapian's QueryParser's (operators, precedence, love and hate, boolean
 * filters), so hits and ranking are those a Xapian user expects; its
 * fields are one table (query_fields), and what it cannot take as typed
 * it says, in a warning, while the search still runs. */
#ifndef CHATARC_QUERY_H
#define CHATARC_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/status.h"
#include "../common/strlist.h"

typedef enum query_op {
	QUERY_ALL,      /* every message ("*", or NOT at the start) */
	QUERY_TEXT,     /* text: free text as typed; its words (as the indexer
	                 * splits them) are one term, or several in a phrase */
	QUERY_PHRASE,   /* text: words in order */
	QUERY_WILDCARD, /* text: the start of a word ("chatg" of chatg*) */
	QUERY_NEAR,     /* kids (TEXT): within window words, in any order */
	QUERY_ADJ,      /* kids (TEXT): within window words, in order */
	QUERY_TERM,     /* text: a boolean term, prefixed ("Kpowershell") */
	QUERY_RANGE,    /* low, high: days YYYYMMDD, either NULL (open) */
	QUERY_AND,
	QUERY_OR,
	QUERY_XOR,
	QUERY_AND_NOT, /* kids[0] without what kids[1] matches */
	QUERY_FILTER,  /* kids[0] where kids[1] holds, kids[1] unweighted */
	QUERY_BOOLEAN, /* kids[0] with weight 0: a query of fields only */
} query_op_t;

struct query_field;
typedef struct query_node {
	query_op_t op;
	char *text;
	const struct query_field *field; /* QUERY_TERM: the field it is a term of */
	char *low, *high;
	unsigned window;
	struct query_node **kids;
	size_t n_kids;
} query_node_t;

/* The query language's fields. kind says how a value is read. */
typedef enum query_field_kind {
	FIELD_TERM,    /* the value, lower-cased */
	FIELD_EXACT,   /* the value as written (a uri) */
	FIELD_ACCOUNT, /* an account: without '@', lower-cased; a name with no
	                * server is that name on every server */
	FIELD_DATE,    /* a day, month or year, or a range of them (A..B) */
	FIELD_SINCE,   /* from that day on (Twitter's since:) */
	FIELD_UNTIL,   /* before that day (Twitter's until:, exclusive) */
	FIELD_FILTER,  /* Twitter's filter:replies */
} query_field_kind_t;

typedef struct query_field {
	const char *name;
	const char *aliases[3];
	const char *prefix; /* the index's term prefix; NULL: no terms of its own */
	query_field_kind_t kind;
	const char *help; /* one line: an example, and what it finds */
} query_field_t;

/* Every field, ending with {NULL}: the one table the parser, the indexer
 * (query_field_term) and the help text read. Adding a field is a row. */
extern const query_field_t query_fields[];
/* field's term for value as the index holds it ("from", "@Maya@x" ->
 * "Amaya@x"): the one way the indexer, the hide list and queries write a
 * term. NULL for a field without terms; free() it. */
char *query_field_term(const char *field, const char *value);
/* The field's term prefix as the index holds it ("XSESSION"), for a reader
 * of a hit's own terms; NULL for a field without terms. */
const char *query_field_prefix(const char *field);
/* The same, added to out. */
void query_add_field_term(strlist_t *out, const char *field, const char *value);

/* A query holds at most this many words, a phrase this many: `chatarc
 * serve` takes queries from anyone. */
#define QUERY_MAX_WORDS        1000
#define QUERY_MAX_PHRASE_WORDS 64

/* The index's values of a field's terms that start with value_start
 * ("maya@"), for an account named without its server. */
typedef chatarc_status_t (*query_values_fn)(void *ctx, const char *prefix, const char *value_start,
                                            strlist_t *out, chatarc_error_t *err);

/* Reads text into *out (query_free it). values: NULL, or where accounts
 * named without a server are looked up. What was read otherwise than
 * typed (an unknown field, a lower-case "or", a field with no value) is
 * said in warnings, one line each, and the rest is searched. An empty
 * query, unbalanced brackets or quotes, and a query past the size limits
 * are CHATARC_ERR_USAGE saying what to write. */
CHATARC_MUST_CHECK chatarc_status_t query_parse(const char *text, query_values_fn values, void *ctx,
                                                query_node_t **out, strlist_t *warnings,
                                                chatarc_error_t *err);
void query_free(query_node_t *node);

#endif
