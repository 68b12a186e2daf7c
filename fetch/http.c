/* libcurl multi transfers with the networks' headers read as they arrive. */
#define _DEFAULT_SOURCE
#include "http.h"

#include <curl/curl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../common/alloc.h"
#include "../common/timeutil.h"

struct http_client {
	CURLM *multi;
	http_client_options_t options;
	int running;      /* transfers started and not yet finished */
	bool stream_data; /* a stream's bytes came in this http_client_run */
	atomic_int woken; /* http_client_wakeup was called (from any thread) */
};

chatarc_status_t http_client_new(const http_client_options_t *options, http_client_t **out,
                                 chatarc_error_t *err)
{
	/* Not thread-safe, but chatarc has one thread and calls this once a run. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return chatarc_error_set(err, CHATARC_ERR_IO, "cannot start libcurl");
	http_client_t *client = xcalloc(1, sizeof *client);
	client->multi = curl_multi_init();
	client->options = *options;
	if (!client->multi) {
		free(client);
		return chatarc_error_set(err, CHATARC_ERR_IO, "cannot start libcurl");
	}
	*out = client;
	return CHATARC_OK;
}

void http_client_free(http_client_t *client)
{
	if (!client)
		return;
	curl_multi_cleanup(client->multi);
	free(client);
	curl_global_cleanup();
}

/* Forgets what headers said: before a transfer, and at each new response
 * of one (after a redirect or a 100 Continue). */
static void headers_clear(http_response_t *r)
{
	free(r->content_type);
	free(r->link_next);
	free(r->link_prev);
	r->content_type = r->link_next = r->link_prev = NULL;
	r->retry_after = r->ratelimit_reset = 0;
	r->ratelimit_remaining = -1;
}

static void response_clear(http_response_t *r)
{
	headers_clear(r);
	strbuf_release(&r->body);
	memset(r, 0, sizeof *r);
	r->ratelimit_remaining = -1;
	strbuf_init(&r->body, 0);
}

void http_request_release(http_request_t *request)
{
	http_abort(request);
	response_clear(&request->response);
}

/* A stream's 2xx body goes to its chunk function as it comes; anything
 * else (an error's body, a page) is kept, up to max_body. */
static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	http_request_t *request = ctx;
	http_response_t *r = &request->response;
	size_t len = size * n;
	if (request->chunk && r->streaming) {
		r->last_data = time_now_ms();
		request->client->stream_data = true;
		if (!request->chunk(request->ctx, request, data, len)) {
			if (!r->error.message[0])
				snprintf(r->error.message, sizeof r->error.message,
				         "the stream sent what it should not: closed");
			return 0;
		}
		return len;
	}
	if (r->body.len + len > request->client->options.max_body) {
		snprintf(r->error.message, sizeof r->error.message,
		         "response longer than %zu MB: refused",
		         request->client->options.max_body >> 20);
		return 0;
	}
	strbuf_add(&r->body, data, len);
	return len;
}

/* The part of url up to the path: "https://host:port". */
static size_t origin_len(const char *url)
{
	const char *p = strstr(url, "://");
	if (!p)
		return 0;
	p += 3;
	return (size_t)(p - url) + strcspn(p, "/?#");
}

bool http_same_origin(const char *base, const char *url)
{
	size_t n = origin_len(base);
	return n && n == origin_len(url) && !strncasecmp(base, url, n);
}

/* Link: <https://a/x?max_id=1>; rel="next", <https://a/x?min_id=9>; rel="prev" */
static void parse_link(http_request_t *request, const char *value)
{
	http_response_t *r = &request->response;
	const char *p = value;
	while ((p = strchr(p, '<'))) {
		const char *end = strchr(p, '>');
		if (!end)
			return;
		const char *params = end + 1;
		size_t params_len = strcspn(params, "<");
		char *target = xstrndup(p + 1, (size_t)(end - p - 1));
		char *rel = xstrndup(params, params_len);
		char **slot = NULL;
		if (strstr(rel, "rel=\"next\"") || strstr(rel, "rel=next"))
			slot = &r->link_next;
		else if (strstr(rel, "rel=\"prev\"") || strstr(rel, "rel=prev"))
			slot = &r->link_prev;
		if (slot && target[0] == '/') { /* relative: the request's origin */
			strbuf_t abs;
			strbuf_init(&abs, 0);
			strbuf_add(&abs, request->url, origin_len(request->url));
			strbuf_addstr(&abs, target);
			free(target);
			target = strbuf_detach(&abs, NULL);
		}
		if (slot && !*slot) {
			*slot = target;
			target = NULL;
		}
		free(target);
		free(rel);
		p = end + 1;
	}
}

/* A whole number of seconds as a server wrote it, read without overflow:
 * anything past year 9999 as an epoch (or as a wait) is as good as for
 * ever and is held there. False when value is not only digits (then
 * trailing blanks). */
#define SECONDS_FOREVER 253402300799LL
static bool parse_seconds(const char *value, long long *out)
{
	long long n = 0;
	const char *p = value;
	for (; *p >= '0' && *p <= '9'; p++)
		n = n > SECONDS_FOREVER ? n : n * 10 + (*p - '0');
	while (*p == ' ' || *p == '\t')
		p++;
	*out = n > SECONDS_FOREVER ? SECONDS_FOREVER : n;
	return p != value && *p == '\0';
}

/* Seconds, or an HTTP date (RFC 9110 section 10.2.3). */
static chatarc_ms_t parse_retry_after(const char *value, chatarc_ms_t now)
{
	long long seconds;
	if (parse_seconds(value, &seconds))
		return now + seconds * 1000;
	/* A date far in the future ("19 May 1747676784": found by the fuzzer) is
	 * held at the end of time, as seconds are, not multiplied past it. */
	time_t t = curl_getdate(value, NULL);
	return t > 0 ? (chatarc_ms_t)(t > SECONDS_FOREVER ? SECONDS_FOREVER : t) * 1000 : 0;
}

/* Mastodon: ISO 8601; GoToSocial and Bluesky: Unix seconds; the IETF draft:
 * seconds from now. A number below a billion cannot be a recent epoch. */
static chatarc_ms_t parse_reset(const char *value, chatarc_ms_t now)
{
	long long n;
	chatarc_ms_t at;
	if (parse_seconds(value, &n))
		return n >= 1000000000LL ? n * 1000 : now + n * 1000;
	return time_parse_iso8601(value, &at) ? at : 0;
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
	http_request_t *request = ctx;
	http_read_header(request, data, size * n);
	/* The blank line ending a stream's 2xx headers: its body is events. */
	if (request->chunk && size * n <= 2 && (data[0] == '\r' || data[0] == '\n')) {
		long status = 0;
		curl_easy_getinfo(request->easy, CURLINFO_RESPONSE_CODE, &status);
		http_response_t *r = &request->response;
		r->status = status;
		r->streaming = status >= 200 && status < 300;
		r->last_data = time_now_ms();
		if (r->streaming)
			request->client->stream_data = true;
	}
	return size * n;
}

void http_read_header(http_request_t *request, const char *data, size_t len)
{
	http_response_t *r = &request->response;
	char line[4096];
	size_t keep = len < sizeof line - 1 ? len : sizeof line - 1;
	memcpy(line, data, keep);
	line[keep] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	if (!strncmp(line, "HTTP/", 5)) {
		headers_clear(r);
		return;
	}
	char *colon = strchr(line, ':');
	if (!colon)
		return;
	*colon = '\0';
	char *value = colon + 1;
	while (*value == ' ' || *value == '\t')
		value++;
	if (!strcasecmp(line, "content-type")) {
		free(r->content_type);
		r->content_type = xstrdup(value);
	} else if (!strcasecmp(line, "link")) {
		parse_link(request, value);
	} else if (!strcasecmp(line, "retry-after")) {
		r->retry_after = parse_retry_after(value, time_now_ms());
	} else if (!strcasecmp(line, "x-ratelimit-remaining") ||
	           !strcasecmp(line, "ratelimit-remaining")) {
		long long remaining;
		r->ratelimit_remaining = parse_seconds(value, &remaining) ? remaining : -1;
	} else if (!strcasecmp(line, "x-ratelimit-reset") || !strcasecmp(line, "ratelimit-reset")) {
		r->ratelimit_reset = parse_reset(value, time_now_ms());
	}
	return;
}

chatarc_status_t http_start(http_client_t *client, http_request_t *request, chatarc_error_t *err)
{
	CURL *easy = curl_easy_init();
	struct curl_slist *headers = NULL;
	if (!easy)
		return chatarc_error_set(err, CHATARC_ERR_NOMEM, "cannot start a transfer");
	response_clear(&request->response);
	request->client = client;
	request->easy = easy;
	request->redirects = 0;

	strbuf_t accept;
	strbuf_init(&accept, 0);
	strbuf_addf(&accept, "Accept: %s", request->accept ? request->accept : "application/json");
	headers = curl_slist_append(headers, accept.buf);
	strbuf_release(&accept);
	if (request->post_json)
		headers = curl_slist_append(headers, "Content-Type: application/json");
	if (request->bearer) {
		strbuf_t auth;
		strbuf_init(&auth, 0);
		strbuf_addf(&auth, "Authorization: Bearer %s", request->bearer);
		headers = curl_slist_append(headers, auth.buf);
		strbuf_release(&auth);
	}
	request->headers = headers;

	curl_easy_setopt(easy, CURLOPT_URL, request->url);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, request);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(easy, CURLOPT_USERAGENT,
	                 "chatarc/" CHATARC_VERSION
	                 " (hashtag chat archiver; +https://github.com/chatarc)");
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	/* Redirects are followed by finish(), to the same origin only: the
	 * rule a Link header obeys. */
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, ""); /* gzip if the server offers */
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, (long)client->options.connect_timeout_s);
	/* A stalled or dripping transfer: under HTTP_LOW_SPEED bytes/s for
	 * stall_timeout seconds; and a bound on the whole. A stream is quiet
	 * between events and open for ever: its caller watches its silence. */
	if (!request->chunk) {
		curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, (long)HTTP_LOW_SPEED);
		curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME,
		                 (long)client->options.stall_timeout_s);
		if (client->options.request_timeout_s > 0)
			curl_easy_setopt(easy, CURLOPT_TIMEOUT,
			                 (long)client->options.request_timeout_s);
	} else {
		request->response.last_data = time_now_ms();
	}
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, request);
	curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(easy, CURLOPT_HEADERDATA, request);
	if (request->post_json)
		curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request->post_json);

	if (curl_multi_add_handle(client->multi, easy) != CURLM_OK) {
		http_abort(request);
		return chatarc_error_set(err, CHATARC_ERR_IO, "cannot start a transfer");
	}
	client->running++;
	return CHATARC_OK;
}

void http_abort(http_request_t *request)
{
	if (request->easy) {
		if (curl_multi_remove_handle(request->client->multi, request->easy) == CURLM_OK)
			request->client->running--;
		curl_easy_cleanup(request->easy);
		request->easy = NULL;
	}
	curl_slist_free_all(request->headers);
	request->headers = NULL;
}

/* A 3xx to the request's own origin starts over at its Location (the
 * request's url is replaced); one to another origin fails, as a Link to
 * another server does. True when the transfer started again. */
static bool follow_redirect(http_client_t *client, http_request_t *request, const char *location)
{
	http_response_t *r = &request->response;
	if (!http_same_origin(request->url, location)) {
		/* Not a transport failure: the answer (a 3xx, never retried)
		 * came, and is refused. */
		snprintf(r->error.message, sizeof r->error.message,
		         "HTTP %ld redirect to another server refused (%.150s)", r->status,
		         location);
		return false;
	}
	if (request->redirects >= HTTP_MAX_REDIRECTS) {
		r->transport_ok = false;
		snprintf(r->error.message, sizeof r->error.message, "more than %d redirects",
		         HTTP_MAX_REDIRECTS);
		return false;
	}
	char *next = xstrdup(location);
	if (!next)
		return false;
	int redirects = request->redirects + 1;
	http_abort(request);
	free(request->url);
	request->url = next;
	chatarc_error_t err;
	if (http_start(client, request, &err) != CHATARC_OK) {
		r->transport_ok = false;
		snprintf(r->error.message, sizeof r->error.message, "%.200s", err.message);
		return false;
	}
	request->redirects = redirects;
	return true;
}

static void finish(http_client_t *client, CURL *easy, CURLcode result)
{
	http_request_t *request = NULL;
	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&request);
	http_response_t *r = &request->response;
	double seconds = 0;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME, &seconds);
	r->elapsed_ms = (long)(seconds * 1000);
	r->transport_ok = result == CURLE_OK;
	if (!r->transport_ok && !r->error.message[0])
		snprintf(r->error.message, sizeof r->error.message, "%s",
		         curl_easy_strerror(result));
	if (!r->transport_ok && result == CURLE_OPERATION_TIMEDOUT) {
		if (client->options.request_timeout_s > 0 &&
		    r->elapsed_ms >= client->options.request_timeout_s * 1000L)
			snprintf(r->error.message, sizeof r->error.message,
			         "the transfer took over %d s (fetch.request_timeout)",
			         client->options.request_timeout_s);
		else
			snprintf(r->error.message, sizeof r->error.message,
			         "under %d bytes/s for %d s (a stalled or dripping transfer)",
			         HTTP_LOW_SPEED, client->options.stall_timeout_s);
	}
	char *location = NULL;
	if (r->transport_ok && r->status >= 300 && r->status < 400 &&
	    curl_easy_getinfo(easy, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location &&
	    follow_redirect(client, request, location))
		return;
	http_abort(request);
	if (client->options.log) {
		strbuf_t line;
		strbuf_init(&line, 256);
		if (r->transport_ok)
			strbuf_addf(&line, "%s %s -> %ld, %zu bytes, %ld ms",
			            request->post_json ? "POST" : "GET", request->url, r->status,
			            r->body.len, r->elapsed_ms);
		else
			strbuf_addf(&line, "%s %s -> failed: %s",
			            request->post_json ? "POST" : "GET", request->url,
			            r->error.message);
		client->options.log(client->options.log_ctx, line.buf);
		strbuf_release(&line);
	}
	request->done(request->ctx, request);
}

int http_client_run(http_client_t *client, long timeout_ms)
{
	int still = 0, finished = 0;
	chatarc_ms_t deadline = time_now_ms() + timeout_ms;
	client->stream_data = false;
	for (;;) {
		curl_multi_perform(client->multi, &still);
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(client->multi, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			finish(client, msg->easy_handle, msg->data.result);
			finished++;
		}
		chatarc_ms_t now = time_now_ms();
		/* With nothing running this still waits (curl_multi_poll sleeps
		 * the timeout out): a caller between retries must sleep, not spin
		 * (a dead source once burned a third of a core in back-off). */
		if (finished || client->stream_data || now >= deadline)
			break;
		long wait = (long)(deadline - now);
		/* A signal ends poll early; the caller checks its stop flag. */
		if (curl_multi_poll(client->multi, NULL, 0, wait > 1000 ? 1000 : (int)wait, NULL) !=
		    CURLM_OK)
			break;
		/* ... and so does http_client_wakeup (a firehose's thread). */
		if (atomic_exchange(&client->woken, 0))
			break;
	}
	return client->running;
}

void http_client_wakeup(http_client_t *client)
{
	atomic_store(&client->woken, 1);
	curl_multi_wakeup(client->multi);
}

bool http_client_busy(const http_client_t *client)
{
	return client->running > 0;
}

long http_retry_delay(const http_response_t *r, bool bad_body, int attempt, int base_ms, int max_ms,
                      chatarc_ms_t now, unsigned *seed)
{
	bool retry = !r->transport_ok || bad_body || r->status >= 500 || r->status == 408 ||
	             r->status == 429;
	if (!retry)
		return -1;
	if ((r->status == 429 || r->status == 503) && r->retry_after > now)
		return (long)(r->retry_after - now);
	if (r->status == 429 && r->ratelimit_remaining == 0 && r->ratelimit_reset > now)
		return (long)(r->ratelimit_reset - now);
	long delay = base_ms;
	for (int i = 1; i < attempt && delay < max_ms; i++)
		delay *= 2;
	if (delay > max_ms)
		delay = max_ms;
	/* Jitter: between delay/2 and delay, so clients that failed together
	 * do not come back together. */
	return delay / 2 + (long)(rand_r(seed) % (unsigned)(delay / 2 + 1));
}

char *http_escape(const char *s)
{
	strbuf_t sb;
	strbuf_init(&sb, strlen(s) * 3);
	strbuf_add_url_escaped(&sb, s);
	return strbuf_detach(&sb, NULL);
}
