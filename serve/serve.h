/* `chatarc serve`: the archive on the web, read-only. The published site as
 * it is on disk, a search page rendered by the site's own XSLT, a JSON API
 * and people's pages, from one process on libmicrohttpd (a small thread
 * pool over epoll: a slow or idle client holds a connection, never a
 * worker). Safe by default: loopback unless told otherwise, GET and HEAD
 * only, bounded requests, no path out of the site, headers that let no
 * script run. */
#ifndef CHATARC_SERVE_H
#define CHATARC_SERVE_H

#include <stdbool.h>

#include "../common/status.h"

typedef struct serve_options {
	const char *data_dir;
	const char *config_path; /* read at start and again on SIGHUP */
	const char *site_dir;    /* DIR/site unless given */
	const char *share_dir;   /* the stylesheets */
	const char *host;        /* an address to bind: 127.0.0.1 unless given */
	unsigned port;           /* 0: any free port (said on the ready line) */
	unsigned threads;        /* workers */
	unsigned per_client;     /* connections at once from one address */
	unsigned max_connections;
	unsigned timeout_s;      /* a connection idle this long is closed */
	bool log_queries;        /* the access log keeps query strings */
	const char *cors_origin; /* NULL: no CORS header on the API */
	/* Said once the server listens (the address and port), so a test or
	 * a script starting it knows where. */
	void (*ready)(void *ctx, const char *address);
	void *ctx;
} serve_options_t;

/* Serves until SIGTERM or SIGINT, then lets the requests in flight finish
 * and returns CHATARC_OK; SIGHUP reads the config again (a broken one is
 * said and the old one kept). The access log, one line a request, goes to
 * stderr. */
CHATARC_MUST_CHECK chatarc_status_t serve_run(const serve_options_t *options, chatarc_error_t *err);

#endif
