/* Bluesky's Jetstream (JSON over a WebSocket: every commit on the network,
 * app.bsky.feed.post only as we ask it) read on a thread of its own with
 * libwebsockets. The whole network's posts pass through (thousands a
 * second); the thread keeps only those carrying one of the tags asked for
 * (facets, the record's tags, or "#tag" in the text) and the deletions of
 * posts the caller said it holds, and hands them over in a queue. It
 * connects when asked, and says when the connection ends; when and where
 * to connect again (back-off, the cursor) is the caller's. */
#ifndef CHATARC_JETSTREAM_H
#define CHATARC_JETSTREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/status.h"
#include "../common/strlist.h"

typedef struct jetstream jetstream_t;

typedef enum jetstream_kind {
	JETSTREAM_POST,   /* a post carrying a tag asked for was created (or updated) */
	JETSTREAM_DELETE, /* a post the caller holds was deleted */
	JETSTREAM_OPEN,   /* the connection is up */
	JETSTREAM_CLOSED  /* the connection ended (or never came up): detail says why */
} jetstream_kind_t;

typedef struct jetstream_event {
	jetstream_kind_t kind;
	char *uri;       /* at://DID/app.bsky.feed.post/RKEY (posts and deletions) */
	char *tag;       /* a POST: the first tag asked for that it carries (as asked) */
	int64_t time_us; /* Jetstream's cursor at this event */
	char detail[256];
} jetstream_event_t;

/* wake (from the thread) when events were queued: the caller's loop is
 * waiting on something else (curl_multi_wakeup). tags: matched without
 * regard to case. */
CHATARC_MUST_CHECK chatarc_status_t jetstream_new(const strlist_t *tags, void (*wake)(void *ctx),
                                                  void *wake_ctx, jetstream_t **out,
                                                  chatarc_error_t *err);
/* Stops the thread, closing any connection. */
void jetstream_free(jetstream_t *js);

/* Connects to base ("wss://host[:port]"), asking for posts from cursor_us
 * on (0: from now). Ends any connection there was. */
CHATARC_MUST_CHECK chatarc_status_t jetstream_connect(jetstream_t *js, const char *base,
                                                      int64_t cursor_us, chatarc_error_t *err);
/* Ends the connection (a silent one); a CLOSED event follows. */
void jetstream_disconnect(jetstream_t *js);

/* The caller holds this post: its deletion is to be handed over. */
void jetstream_hold(jetstream_t *js, const char *uri);

/* Takes the queued events (the caller frees them with
 * jetstream_events_free). *seen_us: the cursor of the last event the
 * thread had read when they were taken: every matching event up to it is
 * among these or an earlier take. *last_data_ms: when the connection last
 * said anything (frames, pings). */
size_t jetstream_take(jetstream_t *js, jetstream_event_t **events, int64_t *seen_us,
                      int64_t *last_data_ms);
void jetstream_events_free(jetstream_event_t *events, size_t n);
/* Events read since the start (matching or not): for the benchmark. */
uint64_t jetstream_read_count(jetstream_t *js);

/* Whether a Jetstream message (a commit of app.bsky.feed.post; len bytes
 * and a NUL after them) carries one of the tags (lower-case); exposed for
 * the unit tests. Fills *kind, uri,
 * tag, time_us; false when it is not one to hand over. held: whether the
 * caller holds a uri (deletions), may be NULL. */
bool jetstream_match(const char *message, size_t len, const strlist_t *lower_tags,
                     bool (*held)(void *ctx, const char *uri), void *held_ctx,
                     jetstream_event_t *out);

#endif
