/* HTTP for the fetchers, on libcurl's multi interface so every source has a
 * request in flight at once. This layer runs transfers and reads what the
 * networks say in headers (Link, Retry-After, rate limits); whether to retry
 * and how long to wait is decided by http_retry_delay, in one place. */
#ifndef CHATARC_HTTP_H
#define CHATARC_HTTP_H

#include <stdbool.h>

#include "../common/record.h"
#include "../common/status.h"
#include "../common/strbuf.h"

typedef struct http_client http_client_t;

/* The slowest a transfer may go for stall_timeout_s (bytes a second): a
 * server dripping a few bytes a second would hold a cron run for ever. */
#define HTTP_LOW_SPEED 100
/* Redirects followed, each to the request's own origin only. */
#define HTTP_MAX_REDIRECTS 5

typedef struct http_client_options {
	int connect_timeout_s;
	int stall_timeout_s;   /* under HTTP_LOW_SPEED bytes/s for this long: it fails */
	int request_timeout_s; /* longer than this in all: it fails (a server that drips) */
	size_t max_body;       /* a longer body fails the transfer (a server that lies) */
	/* Called with one line per finished transfer when set (--verbose). */
	void (*log)(void *ctx, const char *line);
	void *log_ctx;
} http_client_options_t;

typedef struct http_response {
	long status;           /* HTTP status; 0 when no response came */
	bool transport_ok;     /* false: connect failure, reset, timeout, cut-off body */
	chatarc_error_t error; /* why, when !transport_ok */
	strbuf_t body;
	char *content_type;
	char *link_next, *link_prev;   /* Link: <url>; rel="next" / rel="prev" */
	chatarc_ms_t retry_after;      /* absolute time the server asked to wait until; 0 none */
	long long ratelimit_remaining; /* X-RateLimit-Remaining or RateLimit-Remaining; -1 none */
	chatarc_ms_t ratelimit_reset;  /* when the limit resets (absolute); 0 unknown */
	long elapsed_ms;
	chatarc_ms_t last_data; /* a stream: when its last bytes (or headers) came */
	bool streaming;         /* a stream: its 2xx headers came and chunk has the body */
} http_response_t;

typedef struct http_request http_request_t;
typedef void (*http_done_fn)(void *ctx, http_request_t *request);
/* A stream's body as it arrives (only a 2xx answer's: an error's body is
 * kept in response.body, for its detail). Returning false ends the
 * transfer (the stream said something not to be trusted). */
typedef bool (*http_chunk_fn)(void *ctx, http_request_t *request, const char *data, size_t len);

struct http_request {
	/* Set by the caller. */
	char *url;
	char *post_json;   /* a POST with this JSON body; NULL for GET */
	char *bearer;      /* Authorization: Bearer ..., never logged */
	http_done_fn done; /* called from http_client_run once the transfer ends */
	void *ctx;
	/* Set for a stream (server-sent events): the body goes to chunk as it
	 * comes, with no bound on its length or time; the caller watches for
	 * silence (response.last_data). accept: the Accept header (NULL: JSON). */
	http_chunk_fn chunk;
	const char *accept;
	/* Filled by the client. */
	http_response_t response;
	/* Private. */
	int redirects; /* followed so far */
	void *easy;
	void *headers;
	http_client_t *client;
};

CHATARC_MUST_CHECK chatarc_status_t http_client_new(const http_client_options_t *options,
                                                    http_client_t **out, chatarc_error_t *err);
void http_client_free(http_client_t *client);

/* Starts the transfer now; request (and its strings) must live until done
 * runs. The response of an earlier use of the request is cleared. */
CHATARC_MUST_CHECK chatarc_status_t http_start(http_client_t *client, http_request_t *request,
                                               chatarc_error_t *err);
/* Stops a transfer without calling done. */
void http_abort(http_request_t *request);
/* Runs transfers for up to timeout_ms, returning early once any finished
 * (after calling their done), a stream's bytes came (after chunk) or a
 * signal came; with none running it sleeps the time out. Returns the
 * number still running. */
int http_client_run(http_client_t *client, long timeout_ms);
bool http_client_busy(const http_client_t *client);
/* Ends a http_client_run under way early; safe from another thread. */
void http_client_wakeup(http_client_t *client);

void http_request_release(http_request_t *request);
/* Reads one header line of the response as it arrives (the status line
 * starts a new set): Content-Type, Link, Retry-After, rate limits. Exposed
 * for the fuzz harness; the client calls it for each line. */
void http_read_header(http_request_t *request, const char *data, size_t len);

/* The retry policy: -1 when this response must not be retried (success, or
 * a 4xx other than 408/429); else how many ms to wait before attempt
 * number `attempt` (1 = first retry): Retry-After when the server gave
 * one, else base * 2^(attempt-1) capped at max, with up to half of it as
 * jitter so many clients do not return in step. bad_body: the transfer
 * was fine but what came was not usable (HTML, malformed JSON). */
long http_retry_delay(const http_response_t *response, bool bad_body, int attempt, int base_ms,
                      int max_ms, chatarc_ms_t now, unsigned *seed);

/* "%XX"-escapes s for a URL's query or path (a new string). */
char *http_escape(const char *s);
/* True when url is on the same scheme://host:port as base (a server may not
 * send us elsewhere through a Link header). */
bool http_same_origin(const char *base, const char *url);

#endif
