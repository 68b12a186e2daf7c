/* `chatarc index`: the archive into a Xapian database at DIR/index, one
 * document per message (identity: its uri), incrementally by day file. */
#ifndef CHATARC_INDEX_H
#define CHATARC_INDEX_H

#include <stdbool.h>

#include "../common/config.h"
#include "../common/status.h"
#include "../common/strbuf.h"
#include "../common/strlist.h"
#include "xapian-shim.h"

typedef struct index_stats {
	long days_indexed; /* day files (re)indexed this run */
	long days_current; /* day files already indexed as they are */
	long messages;     /* documents written this run */
	long documents;    /* documents in the database afterwards */
	/* Chats whose messages were placed again: what places them in
	 * sessions (schedules, moderators, labels, people) changed. */
	strlist_t replaced;
} index_stats_t;
void index_stats_release(index_stats_t *stats);

typedef void (*index_progress_fn)(void *ctx, const char *chat, long day, long days);

/* Brings DIR/index up to date with the archive. rebuild: builds a new
 * database beside it and swaps it in atomically (searches keep working). */
CHATARC_MUST_CHECK chatarc_status_t index_update(const char *data_dir,
                                                 const chatarc_config_t *config, bool rebuild,
                                                 index_progress_fn progress, void *ctx,
                                                 index_stats_t *stats, chatarc_error_t *err);

/* Deletes the messages `uris` from DIR/index (for `chatarc forget`, before
 * the archive loses them: a run cut short is done again in full), waiting
 * for an index run under way. The database is then compacted into a new
 * generation and the old one removed, so no block of the index still holds
 * what was deleted. No index: nothing to do. */
CHATARC_MUST_CHECK chatarc_status_t index_remove(const char *data_dir, const strlist_t *uris,
                                                 chatarc_error_t *err);

/* DIR/index, the path searches open. */
char *index_path(const char *data_dir);

struct xdb;
/* DIR/index and the config's index_shards, open for searching as one
 * database; no index yet is CHATARC_ERR_NOT_FOUND saying what to run.
 * *stale: how many of the configured chats' day files changed since
 * DIR/index last read them (0 with shards: only DIR/index is compared),
 * so that a search says its results may be incomplete. */
CHATARC_MUST_CHECK chatarc_status_t index_open_for_search(const char *data_dir,
                                                          const chatarc_config_t *config,
                                                          struct xdb **db, size_t *stale,
                                                          chatarc_error_t *err);

/* A query_values_fn (query.h) over an open database (ctx: the struct xdb
 * *): the values of its terms with that prefix that start so. */
CHATARC_MUST_CHECK chatarc_status_t index_query_values(void *ctx, const char *prefix,
                                                       const char *value_start, strlist_t *out,
                                                       chatarc_error_t *err);

/* One search as `chatarc search` runs it: text read in chatarc's query
 * language (how it was read otherwise than typed, in warnings: query_parse),
 * every chat's hide list left out of the matches, the hits from offset
 * (at most limit) to fn in sort's order, their number in *total (NULL: not
 * counted). A query that cannot be read is CHATARC_ERR_USAGE. */
typedef struct index_search {
	xdb_sort_t sort;
	size_t offset, limit;
	const xdb_marks_t *marks;         /* NULL: the text as it is */
	const char *const *term_prefixes; /* as xdb_request_t has them */
	xdb_facet_fn facets;              /* NULL: no facet counts */
	void *facets_ctx;
	size_t count_up_to; /* as xdb_request_t has it: 0, exact */
	bool *exact;
} index_search_t;
CHATARC_MUST_CHECK chatarc_status_t index_search(struct xdb *db, const chatarc_config_t *config,
                                                 const char *text, const index_search_t *how,
                                                 xdb_hit_fn fn, void *ctx, size_t *total,
                                                 strlist_t *warnings, chatarc_error_t *err);

/* The uris of every message the search query matches (as `chatarc search`
 * reads it), into out; *stale as index_open_for_search gives it; how the
 * query was read otherwise than typed, in warnings (query_parse). For
 * `export --query`, which then streams those messages from the archive. */
struct urimap;
CHATARC_MUST_CHECK chatarc_status_t index_matching_uris(const char *data_dir,
                                                        const chatarc_config_t *config,
                                                        const char *query, struct urimap *out,
                                                        size_t *stale, strlist_t *warnings,
                                                        chatarc_error_t *err);

#endif
