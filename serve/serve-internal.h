/* What serve.c (the server: connections, files, the log) shares with
 * api.c (the JSON API) and pages.c (the search and people pages). */
#ifndef CHATARC_SERVE_INTERNAL_H
#define CHATARC_SERVE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "../common/config.h"
#include "../common/strbuf.h"
#include "../index/index.h"
#include "serve.h"

struct MHD_Connection;
struct _xsltStylesheet;

/* Bounds on what one request may ask. */
#define SERVE_MAX_QUERY     2048  /* bytes of q */
#define SERVE_PAGE_SIZE     20    /* hits a page, unless per_page says */
#define SERVE_MAX_PAGE_SIZE 100   /* per_page at most */
#define SERVE_MAX_OFFSET    10000 /* the deepest hit a search pages to */
/* Totals and facets are counted exactly over this many matches at most
 * (all of them with exact=1); past it they are Xapian's estimates, said
 * as such: a common word in a million messages is a million matches to
 * count, 0.4 s a request under load (BENCHMARKS.md). */
#define SERVE_COUNT_UP_TO 10000

typedef struct server {
	const serve_options_t *options;
	int site_fd; /* the site's directory, every file opened under it */
	/* The config, swapped whole on SIGHUP; a request reads it under the
	 * read lock. */
	pthread_rwlock_t config_lock;
	chatarc_config_t config;
	/* Each worker's open index (struct searcher), made on its first
	 * search and reopened when `chatarc index` commits or swaps in a new
	 * generation. */
	pthread_key_t searcher_key;
	struct _xsltStylesheet *search_style, *people_style;
	pthread_mutex_t log_lock;
	long in_flight; /* requests begun and not completed (atomic) */
} server_t;

/* One request, from its first line to its log line. */
typedef struct request {
	server_t *server;
	struct MHD_Connection *connection;
	char *uri; /* as the client sent it, query string and all */
	char method[8];
	unsigned status;
	size_t bytes;
	long long start_us;
} request_t;

/* Answers: the body is copied; every answer carries the security headers. */
int serve_respond(request_t *r, unsigned status, const char *content_type, const void *body,
                  size_t len);
/* A short plain-text error for a person ("404 not found: ...\n"). */
int serve_error(request_t *r, unsigned status, const char *message);
/* A GET argument (NULL if absent). */
const char *serve_arg(request_t *r, const char *name);
/* A positive page number or size from an argument: fallback when absent;
 * 0 when it is not a number from 1 to max. */
long serve_number_arg(request_t *r, const char *name, long fallback, long max);

/* The worker's index, at its latest commit; NULL with err set. */
struct xdb *serve_index(server_t *server, chatarc_error_t *err);

/* One search as a page or the API asks it: the hits of page `page` (from
 * 1) of `per_page`, their total, the facets, the warnings. */
typedef struct serve_hit {
	char *data; /* the record's JSON, as `search --format json` has it */
	double score;
	char *session, *topic; /* the hit's place, NULL when in no session */
} serve_hit_t;
typedef struct serve_facet {
	char *facet, *value;
	size_t count;
} serve_facet_t;
typedef struct serve_results {
	serve_hit_t *hits;
	size_t n_hits, hits_alloc;
	size_t total;
	bool exact; /* total and facets counted, not estimated */
	serve_facet_t *facets;
	size_t n_facets, facets_alloc;
	strlist_t warnings;
} serve_results_t;
/* CHATARC_ERR_USAGE: the query cannot be read (the message says how). */
CHATARC_MUST_CHECK chatarc_status_t serve_search(server_t *server, const char *query,
                                                 xdb_sort_t sort, long page, long per_page,
                                                 bool count_all, serve_results_t *out,
                                                 chatarc_error_t *err);
void serve_results_release(serve_results_t *results);

/* The routes beyond the site's files (api.c, pages.c): 1 when the path
 * was theirs (and answered), 0 when not. */
int serve_api(request_t *r, const char *path);
int serve_page(request_t *r, const char *path);

#endif
