/* The only door to Xapian. A plain C API in the spirit of notmuch.h: opaque
 * handles, chatarc status codes and messages, no C++ type or exception
 * crosses it. index/xapian-shim.cc is the only
 * files that include Xapian. */
#ifndef CHATARC_XAPIAN_SHIM_H
#define CHATARC_XAPIAN_SHIM_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#include "../common/status.h"
#include "query.h"

typedef struct xdb xdb_t;

/* Value slots and term prefixes every indexer and searcher agrees on. */
/* The terms' scheme, kept as the metadata "schema": an index of another
 * scheme is rebuilt by `chatarc index` and refused by search. 2: stemmed
 * terms only (STEM_ALL_Z). 3: each text stemmed in its post's language,
 * with a lang: term. 4: the display data in XDB_SLOT_DATA, packed by
 * index/display-data.c, not in Xapian's document data. 5: that data
 * packed by zstd, not zlib. 6: no positions; a text's words in order in
 * XDB_SLOT_WORDS, for phrases (index/phrase.h). 7: session: and topic:
 * only for the dates a chat's schedule meets on (schedule.h), and each
 * chat's placement fingerprint kept as "placement:CHAT". 8: positions again
 * (Xapian runs phrases itself, on remote shards too), no XDB_SLOT_WORDS;
 * url: terms, for the hide list. 9: XDB_SLOT_FACETS, for counts by year,
 * network and chat. 10: a message's UTC year, month and day as terms
 * (XDB_PREFIX_YEAR...): a date range is a few posting lists, not a value
 * compared for every candidate. */
#define XDB_SCHEMA       "10"
#define XDB_PREFIX_YEAR  "XDY" /* XDY2015 */
#define XDB_PREFIX_MONTH "XDM" /* XDM201503 */
#define XDB_PREFIX_DAY   "XDD" /* XDD20150317 */
#define XDB_SLOT_CREATED 0     /* ISO 8601 UTC: sorts by time */
#define XDB_SLOT_DAY     1     /* YYYYMMDD (UTC): date ranges */
#define XDB_SLOT_DATA    2     /* the display data, packed (display-data.h) */
/* "YYYY\x1fnetwork\x1fchat": one value Xapian's own ValueCountMatchSpy
 * counts (on a remote shard too), split here into the three facets. */
#define XDB_SLOT_FACETS 3
#define XDB_FACET_SEP   "\x1f"

/* One message to index. */
typedef struct xdb_document {
	const char *id;                   /* unique: the record's uri */
	const char *text;                 /* free text, stemmed (English), with positions */
	const char *name;                 /* the author's name, stemmed, no positions */
	const char *lang;                 /* the text's language ("de"), NULL: English */
	const char *const *boolean_terms; /* prefixed: "Aana@x", "Khcsm", ... NULL-ended */
	const char *created;              /* ISO 8601 UTC */
	const char *data;                 /* stored for display: the record without raw */
	const char *facets;               /* XDB_SLOT_FACETS' value, NULL: none */
	int is_new;                       /* known not to be in the database: added, not replaced */
} xdb_document_t;

CHATARC_MUST_CHECK chatarc_status_t xdb_open_writable(const char *path, xdb_t **out,
                                                      chatarc_error_t *err);
/* Several databases searched as one: local paths, or "tcp:HOST:PORT" for a
 * remote database served by xapian-tcpsrv. */
CHATARC_MUST_CHECK chatarc_status_t xdb_open_readonly(const char *const *paths, size_t n_paths,
                                                      xdb_t **out, chatarc_error_t *err);
void xdb_close(xdb_t *db);
/* A database open for searching, brought to its latest commit (a resident
 * reader, `chatarc serve`, between requests); *changed says whether it
 * moved. */
CHATARC_MUST_CHECK chatarc_status_t xdb_reopen(xdb_t *db, bool *changed, chatarc_error_t *err);

/* Adds or replaces the document with this id. */
CHATARC_MUST_CHECK chatarc_status_t xdb_replace(xdb_t *db, const xdb_document_t *doc,
                                                chatarc_error_t *err);
/* Deletes the document with this id, if there is one. */
CHATARC_MUST_CHECK chatarc_status_t xdb_delete(xdb_t *db, const char *id, chatarc_error_t *err);
/* Calls fn with the id of each document of chat_term ("XCHATname") created
 * on UTC day `day` (YYYYMMDD). */
CHATARC_MUST_CHECK chatarc_status_t xdb_day_ids(xdb_t *db, const char *chat_term, const char *day,
                                                void (*fn)(void *ctx, const char *id), void *ctx,
                                                chatarc_error_t *err);
/* Durable progress notes, committed with the documents. */
CHATARC_MUST_CHECK chatarc_status_t xdb_set_metadata(xdb_t *db, const char *key, const char *value,
                                                     chatarc_error_t *err);
/* *value: the value, or "" when unset; free() it. */
CHATARC_MUST_CHECK chatarc_status_t xdb_get_metadata(xdb_t *db, const char *key, char **value,
                                                     chatarc_error_t *err);
CHATARC_MUST_CHECK chatarc_status_t xdb_commit(xdb_t *db, chatarc_error_t *err);
/* Writes a compacted copy of the committed database to `dest` (a new
 * directory): full B-tree blocks, about half the size, faster to search.
 * The writer stays open, so its lock keeps other writers out meanwhile. */
CHATARC_MUST_CHECK chatarc_status_t xdb_compact_to(xdb_t *db, const char *dest,
                                                   chatarc_error_t *err);

typedef enum xdb_sort { XDB_SORT_RELEVANCE, XDB_SORT_DATE, XDB_SORT_DATE_DESC } xdb_sort_t;

/* Called per hit with its stored data, score, and (when markers were asked
 * for) `text` with the query's terms between the markers; non-OK stops. */
/* One hit: its display data (the record's JSON without raw), its weight,
 * its text with the matched terms marked (NULL unless marks were asked),
 * and for each of the request's term_prefixes the value of its first term
 * of that prefix (NULL where it has none). */
typedef struct xdb_hit {
	const char *data;
	double score;
	const char *marked_text;
	const char *const *terms;
} xdb_hit_t;
typedef chatarc_status_t (*xdb_hit_fn)(void *ctx, const xdb_hit_t *hit, chatarc_error_t *err);
/* A facet's count: facet "year", "network" or "chat". */
typedef void (*xdb_facet_fn)(void *ctx, const char *facet, const char *value, size_t count);

/* Optional: mark matched terms of each hit's text (NULL: no marking). */
typedef struct xdb_marks {
	const char *before, *after;
	const char *(*text_of)(void *ctx, const char *data); /* the text to mark */
} xdb_marks_t;

/* The moderators' hide list of one chat: its documents holding any of
 * terms (prefixed: an author, an id, a url) are left out of the matches
 * (counted nowhere), by the query itself, which a remote shard runs too.
 * chat_term: the chat's term, or NULL for every chat. */
typedef struct xdb_hidden {
	const char *chat_term;
	const char *const *terms;
	size_t n_terms;
} xdb_hidden_t;

/* What a search asks beside its query. */
typedef struct xdb_request {
	xdb_sort_t sort;
	size_t offset, limit;
	const xdb_marks_t *marks; /* NULL: no marking */
	const xdb_hidden_t *hidden;
	size_t n_hidden;
	const char *const *term_prefixes; /* NULL-ended, or NULL: xdb_hit_t.terms */
	xdb_facet_fn facets;              /* NULL: no facet counts */
	void *facets_ctx;
	/* Count the total and the facets over at most this many matches (0:
	 * every one, exact). Past it they are Xapian's estimates (the facets
	 * scaled from the matches seen), and *exact says so. */
	size_t count_up_to;
	bool *exact; /* NULL: not asked */
} xdb_request_t;

/* Runs a query (query.h's tree), read in each language the index holds.
 * A node it cannot compile is CHATARC_ERR_USAGE, never a match. *total,
 * when total is not NULL, gets the number of matches (exact: searches here
 * are for research, where estimates mislead; it costs a count of every
 * match); facets are counted over every match, the same way. */
CHATARC_MUST_CHECK chatarc_status_t xdb_search(xdb_t *db, const query_node_t *query,
                                               const xdb_request_t *request, xdb_hit_fn fn,
                                               void *ctx, size_t *total, chatarc_error_t *err);
CHATARC_MUST_CHECK chatarc_status_t xdb_document_count(xdb_t *db, size_t *count,
                                                       chatarc_error_t *err);
/* Calls fn with each value of the terms with prefix ("A") that start with
 * value_prefix, in order. */
CHATARC_MUST_CHECK chatarc_status_t xdb_field_values(xdb_t *db, const char *prefix,
                                                     const char *value_prefix,
                                                     void (*fn)(void *ctx, const char *value),
                                                     void *ctx, chatarc_error_t *err);

#ifdef __cplusplus
}
#endif

#endif
