/* Re-checking recently archived posts against the server they came from,
 * so that a post its author deleted leaves the archive too, and an edit
 * replaces the text. Posts are asked for in batches (Mastodon 4.3's
 * GET /api/v1/statuses?id[]=..., 20 a request; Bluesky's
 * app.bsky.feed.getPosts, 25 a request); one the server no longer returns
 * is gone. A batch that comes back empty proves nothing (a server that
 * lies, or a proxy page that parsed): only batches where something came
 * back count, so a lying server costs requests, never posts. */
#ifndef CHATARC_RECHECK_H
#define CHATARC_RECHECK_H

#include <stdbool.h>
#include <yajl/yajl_tree.h>

#include "../common/record.h"
#include "../common/status.h"
#include "../common/strbuf.h"

typedef struct recheck recheck_t;

/* How a network looks posts up in batches (its fetch handler holds one). */
typedef struct recheck_lookup {
	const char *path;     /* "/api/v1/statuses?" */
	const char *param;    /* each id as PARAM=ID: "id%5B%5D" (id[]) */
	size_t batch;         /* ids a request */
	const char *list_key; /* the answer's list of posts; NULL: the answer is the list */
	const char *id_key;   /* each post's id in the answer */
	/* Ids are the server's own (from each post's raw object, which always
	 * came from the record's source), not its uri; network: the records'
	 * network when ids are uris. */
	bool local_ids;
	const char *network;
} recheck_lookup_t;

/* The posts of `chat` archived from `source` and created since `since`. */
chatarc_status_t recheck_load(const char *data_dir, const char *chat, const char *source,
                              const recheck_lookup_t *lookup, chatarc_ms_t since, recheck_t **out,
                              chatarc_error_t *err);
void recheck_free(recheck_t *rc);
size_t recheck_candidates(const recheck_t *rc);

/* Batches remain to be asked. */
bool recheck_more(const recheck_t *rc);
/* The next batch's URL on server `base` (a new string), or NULL when every
 * batch has been asked. */
char *recheck_next_url(recheck_t *rc, const char *base);

/* Reads the answer to the batch just asked: each post returned is marked
 * as still there and handed to fn (to store an edit or new counts). */
chatarc_status_t recheck_read(recheck_t *rc, const strbuf_t *body,
                              chatarc_status_t (*fn)(void *ctx, yajl_val post,
                                                     chatarc_error_t *err),
                              void *ctx, chatarc_error_t *err);

/* The uris of posts found gone so far; batches that proved nothing, and
 * how many requests were made. */
const strlist_t *recheck_gone(const recheck_t *rc);
long recheck_unproven_batches(const recheck_t *rc);

#endif
