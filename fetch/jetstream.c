/* Jetstream on its own thread (jetstream.h). The thread runs libwebsockets'
 * service loop; the caller's thread asks for a connection or its end
 * through fields under the lock and lws_cancel_service, and takes what was
 * queued. Matching runs on the thread, so the network's whole stream never
 * reaches the caller's loop. */
#define _GNU_SOURCE /* memmem */
#include "jetstream.h"

#include <ctype.h>
#include <libwebsockets.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/alloc.h"
#include "../common/json.h"
#include "../common/timeutil.h"
#include "../common/urimap.h"

/* A Jetstream message is one commit: a post with a long text and facets is
 * a few kB. Anything past this is not Jetstream. */
#define JETSTREAM_MAX_MESSAGE (1u << 20)

struct jetstream {
	pthread_t thread;
	pthread_mutex_t lock;
	struct lws_context *context;
	strlist_t tags; /* lower-case */
	void (*wake)(void *ctx);
	void *wake_ctx;

	/* Under lock: asked by the caller. */
	char *connect_base;
	int64_t connect_cursor;
	bool disconnect_asked, quit;
	urimap_t held;
	/* Under lock: for the caller. */
	jetstream_event_t *queue;
	size_t n_queue, queue_alloc;
	int64_t seen_us, last_data_ms;
	uint64_t read_count;

	/* The thread's own. */
	struct lws *wsi;
	bool closed_said;
	strbuf_t message;
	char host[256], path[512];
	bool too_long;
};

/* ---- matching ------------------------------------------------------------ */

/* "#tag" in text as a whole hashtag: not followed by a letter, digit or '_'. */
static bool text_has_hashtag(const char *text, const char *tag)
{
	size_t n = strlen(tag);
	for (const char *p = strchr(text, '#'); p; p = strchr(p + 1, '#')) {
		if (strncasecmp(p + 1, tag, n))
			continue;
		unsigned char after = (unsigned char)p[1 + n];
		if (!isalnum(after) && after != '_')
			return true;
	}
	return false;
}

/* The first tag of tags the record carries: its facets' tags, its own
 * "tags", or "#tag" in its text. */
static const char *record_tag(yajl_val record, const strlist_t *tags)
{
	yajl_val facets = json_get(record, "facets");
	yajl_val own = json_get(record, "tags");
	const char *text = json_get_string(record, "text");
	for (size_t t = 0; t < tags->len; t++) {
		const char *tag = tags->items[t];
		for (size_t i = 0; YAJL_IS_ARRAY(facets) && i < facets->u.array.len; i++) {
			yajl_val features = json_get(facets->u.array.values[i], "features");
			for (size_t k = 0; YAJL_IS_ARRAY(features) && k < features->u.array.len;
			     k++) {
				const char *value =
				    json_get_string(features->u.array.values[k], "tag");
				if (value && !strcasecmp(value, tag))
					return tag;
			}
		}
		for (size_t i = 0; YAJL_IS_ARRAY(own) && i < own->u.array.len; i++)
			if (YAJL_IS_STRING(own->u.array.values[i]) &&
			    !strcasecmp(own->u.array.values[i]->u.string, tag))
				return tag;
		if (text && text_has_hashtag(text, tag))
			return tag;
	}
	return NULL;
}

bool jetstream_match(const char *message, size_t len, const strlist_t *lower_tags,
                     bool (*held)(void *ctx, const char *uri), void *held_ctx,
                     jetstream_event_t *out)
{
	/* Most of the network's posts carry none of the tags: told from the
	 * bytes, before any parse. */
	static const char post_collection[] = "\"app.bsky.feed.post\"";
	if (!memmem(message, len, post_collection, sizeof post_collection - 1))
		return false;
	bool deletion = memmem(message, len, "\"delete\"", 8) != NULL;
	if (!deletion) {
		bool any = false;
		for (size_t t = 0; t < lower_tags->len && !any; t++)
			any = strcasestr(message, lower_tags->items[t]) != NULL;
		if (!any)
			return false;
	}
	yajl_val doc;
	chatarc_error_t ignored;
	if (json_parse(message, &doc, &ignored) != CHATARC_OK)
		return false;
	bool keep = false;
	yajl_val commit = json_get(doc, "commit");
	const char *kind = json_get_string(doc, "kind");
	const char *did = json_get_string(doc, "did");
	const char *collection = json_get_string(commit, "collection");
	const char *operation = json_get_string(commit, "operation");
	const char *rkey = json_get_string(commit, "rkey");
	yajl_val time_us = json_get(doc, "time_us");
	memset(out, 0, sizeof *out);
	if (kind && !strcmp(kind, "commit") && did && collection &&
	    !strcmp(collection, "app.bsky.feed.post") && operation && rkey && *rkey &&
	    !strchr(rkey, '/') && YAJL_IS_INTEGER(time_us)) {
		strbuf_t uri;
		strbuf_init(&uri, 0);
		strbuf_addf(&uri, "at://%s/app.bsky.feed.post/%s", did, rkey);
		out->time_us = YAJL_GET_INTEGER(time_us);
		if (!strcmp(operation, "delete")) {
			keep = held && held(held_ctx, uri.buf);
			out->kind = JETSTREAM_DELETE;
		} else if (!strcmp(operation, "create") || !strcmp(operation, "update")) {
			const char *tag = record_tag(json_get(commit, "record"), lower_tags);
			keep = tag != NULL;
			out->kind = JETSTREAM_POST;
			out->tag = tag ? xstrdup(tag) : NULL;
		}
		out->uri = keep ? strbuf_detach(&uri, NULL) : NULL;
		strbuf_release(&uri);
	}
	json_free(doc);
	if (!keep) {
		free(out->tag);
		out->tag = NULL;
	}
	return keep;
}

/* ---- the thread -------------------------------------------------------------- */

/* Under lock. */
static void enqueue(jetstream_t *js, const jetstream_event_t *event)
{
	ALLOC_GROW(js->queue, js->n_queue + 1, js->queue_alloc);
	js->queue[js->n_queue++] = *event;
}

static void say_closed(jetstream_t *js, const char *why)
{
	jetstream_event_t event = {.kind = JETSTREAM_CLOSED};
	if (js->closed_said)
		return;
	js->closed_said = true;
	snprintf(event.detail, sizeof event.detail, "%s", why);
	pthread_mutex_lock(&js->lock);
	enqueue(js, &event);
	pthread_mutex_unlock(&js->lock);
	js->wake(js->wake_ctx);
}

static bool is_held(void *ctx, const char *uri)
{
	jetstream_t *js = ctx;
	return urimap_find(&js->held, uri) != NULL; /* (the thread holds the lock) */
}

static int64_t time_us_of(const char *message, size_t len)
{
	const char *p = memmem(message, len, "\"time_us\":", 10);
	return p ? strtoll(p + 10, NULL, 10) : 0;
}

static void read_message(jetstream_t *js)
{
	jetstream_event_t event;
	const char *msg = js->message.buf;
	size_t len = js->message.len;
	pthread_mutex_lock(&js->lock);
	bool keep = jetstream_match(msg, len, &js->tags, is_held, js, &event);
	int64_t t = time_us_of(msg, len);
	if (t > js->seen_us)
		js->seen_us = t;
	js->read_count++;
	if (keep)
		enqueue(js, &event);
	pthread_mutex_unlock(&js->lock);
	if (keep)
		js->wake(js->wake_ctx);
}

/* Asked by the caller: an end, or a new connection. */
static void run_commands(jetstream_t *js)
{
	pthread_mutex_lock(&js->lock);
	bool disconnect = js->disconnect_asked;
	char *base = js->connect_base;
	int64_t cursor = js->connect_cursor;
	js->disconnect_asked = false;
	js->connect_base = NULL;
	pthread_mutex_unlock(&js->lock);
	if (disconnect && js->wsi)
		lws_set_timeout(js->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
	if (!base)
		return;
	bool tls = !strncmp(base, "wss://", 6);
	const char *host = base + (tls ? 6 : 5);
	size_t host_len = strcspn(host, "/?#");
	int port = tls ? 443 : 80;
	snprintf(js->host, sizeof js->host, "%.*s", (int)host_len, host);
	char *colon = strrchr(js->host, ':');
	if (colon && !strchr(colon, ']')) {
		port = atoi(colon + 1);
		*colon = '\0';
	}
	if (cursor > 0)
		snprintf(js->path, sizeof js->path,
		         "/subscribe?wantedCollections=app.bsky.feed.post&cursor=%lld",
		         (long long)cursor);
	else
		snprintf(js->path, sizeof js->path,
		         "/subscribe?wantedCollections=app.bsky.feed.post");
	free(base);
	struct lws_client_connect_info ci;
	memset(&ci, 0, sizeof ci);
	ci.context = js->context;
	ci.address = js->host;
	ci.port = port;
	ci.path = js->path;
	ci.host = js->host;
	ci.origin = js->host;
	ci.ssl_connection = tls ? LCCSCF_USE_SSL : 0;
	ci.local_protocol_name = "jetstream";
	ci.userdata = js;
	ci.pwsi = &js->wsi;
	js->closed_said = false;
	js->too_long = false;
	strbuf_reset(&js->message);
	if (!lws_client_connect_via_info(&ci)) {
		js->wsi = NULL;
		say_closed(js, "cannot start the connection");
	}
}

static void note_data(jetstream_t *js)
{
	pthread_mutex_lock(&js->lock);
	js->last_data_ms = time_now_ms();
	pthread_mutex_unlock(&js->lock);
}

static int on_lws(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                  size_t len)
{
	jetstream_t *js = user ? user : lws_context_user(lws_get_context(wsi));
	char why[200];

	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED: {
		jetstream_event_t event = {.kind = JETSTREAM_OPEN};
		note_data(js);
		pthread_mutex_lock(&js->lock);
		enqueue(js, &event);
		pthread_mutex_unlock(&js->lock);
		js->wake(js->wake_ctx);
		break;
	}
	case LWS_CALLBACK_CLIENT_RECEIVE:
		note_data(js);
		if (js->message.len + len > JETSTREAM_MAX_MESSAGE) {
			js->too_long = true;
			return -1;
		}
		strbuf_add(&js->message, in, len);
		if (lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi)) {
			read_message(js);
			strbuf_reset(&js->message);
		}
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE_PONG: note_data(js); break;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		snprintf(why, sizeof why, "%s", in && len ? (const char *)in : "cannot connect");
		js->wsi = NULL;
		say_closed(js, why);
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		js->wsi = NULL;
		say_closed(js, js->too_long ? "a message longer than 1 MB: not Jetstream"
		                            : "the connection closed");
		break;
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED: run_commands(js); break;
	default: break;
	}
	return 0;
}

static void *thread_main(void *arg)
{
	jetstream_t *js = arg;
	for (;;) {
		pthread_mutex_lock(&js->lock);
		bool quit = js->quit;
		pthread_mutex_unlock(&js->lock);
		if (quit)
			break;
		run_commands(js);
		lws_service(js->context, 0);
	}
	return NULL;
}

static const struct lws_protocols protocols[] = {
    {"jetstream", on_lws, 0, 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* What jetstream_new made, once no thread runs. */
static void release(jetstream_t *js)
{
	if (js->context)
		lws_context_destroy(js->context);
	jetstream_events_free(js->queue, js->n_queue);
	free(js->connect_base);
	strlist_clear(&js->tags);
	urimap_release(&js->held);
	strbuf_release(&js->message);
	pthread_mutex_destroy(&js->lock);
	free(js);
}

chatarc_status_t jetstream_new(const strlist_t *tags, void (*wake)(void *ctx), void *wake_ctx,
                               jetstream_t **out, chatarc_error_t *err)
{
	jetstream_t *js = xcalloc(1, sizeof *js);
	for (size_t i = 0; i < tags->len; i++) {
		char *lower = xstrdup(tags->items[i]);
		for (char *p = lower; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		strlist_add(&js->tags, lower);
		free(lower);
	}
	js->wake = wake;
	js->wake_ctx = wake_ctx;
	urimap_init(&js->held);
	strbuf_init(&js->message, 0);
	pthread_mutex_init(&js->lock, NULL);
	lws_set_log_level(0, NULL); /* errors are said through CLOSED events */
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.user = js;
	js->context = lws_create_context(&info);
	if (!js->context || pthread_create(&js->thread, NULL, thread_main, js)) {
		release(js);
		return chatarc_error_set(err, CHATARC_ERR_IO, "cannot start the Jetstream client");
	}
	*out = js;
	return CHATARC_OK;
}

void jetstream_free(jetstream_t *js)
{
	if (!js)
		return;
	pthread_mutex_lock(&js->lock);
	js->quit = true;
	pthread_mutex_unlock(&js->lock);
	lws_cancel_service(js->context);
	pthread_join(js->thread, NULL);
	release(js);
}

chatarc_status_t jetstream_connect(jetstream_t *js, const char *base, int64_t cursor_us,
                                   chatarc_error_t *err)
{
	if (strncmp(base, "wss://", 6) && strncmp(base, "ws://", 5))
		return chatarc_error_set(err, CHATARC_ERR_CONFIG,
		                         "a Jetstream address starts wss:// (or ws://): %s", base);
	pthread_mutex_lock(&js->lock);
	free(js->connect_base);
	js->connect_base = xstrdup(base);
	js->connect_cursor = cursor_us;
	pthread_mutex_unlock(&js->lock);
	lws_cancel_service(js->context);
	return CHATARC_OK;
}

void jetstream_disconnect(jetstream_t *js)
{
	pthread_mutex_lock(&js->lock);
	js->disconnect_asked = true;
	pthread_mutex_unlock(&js->lock);
	lws_cancel_service(js->context);
}

void jetstream_hold(jetstream_t *js, const char *uri)
{
	bool added;
	pthread_mutex_lock(&js->lock);
	urimap_insert(&js->held, uri, &added);
	pthread_mutex_unlock(&js->lock);
}

size_t jetstream_take(jetstream_t *js, jetstream_event_t **events, int64_t *seen_us,
                      int64_t *last_data_ms)
{
	pthread_mutex_lock(&js->lock);
	size_t n = js->n_queue;
	*events = js->queue;
	*seen_us = js->seen_us;
	*last_data_ms = js->last_data_ms;
	js->queue = NULL;
	js->n_queue = js->queue_alloc = 0;
	pthread_mutex_unlock(&js->lock);
	return n;
}

void jetstream_events_free(jetstream_event_t *events, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(events[i].uri);
		free(events[i].tag);
	}
	free(events);
}

uint64_t jetstream_read_count(jetstream_t *js)
{
	pthread_mutex_lock(&js->lock);
	uint64_t n = js->read_count;
	pthread_mutex_unlock(&js->lock);
	return n;
}
