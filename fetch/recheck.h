/* Re-checking recently archived posts against the server they came from,
 * so that a post its author deleted leaves the archive too, and an edit
 * replaces the text. Posts are asked for in batches (Mastodon 4.3's
 * GET /api/v1/statuses?id[]=..., 20 a request; Bluesky's
 * app.bsky.feed.getPosts, 25 a request). A post a batch leaves out is
 * only a suspect: a server drops what it merely cached (a Mastodon
 * instance prunes remote statuses), and a lying one leaves out what it
 * likes. A post is gone only on positive evidence from its home: each
 * suspect is asked for alone, at its home server, and only an answer that
 * says "not found" for that post removes it. Posts whose home is another
 * server are never suspects. A batch that comes back empty, or with posts
 * that were not asked for, proves nothing. So a lying server costs
 * requests, never another server's posts. */
#ifndef CHATARC_RECHECK_H
#define CHATARC_RECHECK_H

#include <stdbool.h>
#include <yajl/yajl_tree.h>

#include "../common/record.h"
#include "../common/status.h"
#include "../common/strbuf.h"

typedef struct recheck recheck_t;

/* How a network looks posts up (its fetch handler holds one). */
typedef struct recheck_lookup {
	const char *path;     /* a batch: "/api/v1/statuses?" */
	const char *param;    /* each id as PARAM=ID: "id%5B%5D" (id[]) */
	size_t batch;         /* ids a request */
	const char *list_key; /* the answer's list of posts; NULL: the answer is the list */
	const char *id_key;   /* each post's id in the answer */
	/* Ids are the server's own (from each post's raw object, which always
	 * came from the record's source), not its uri; network: the records'
	 * network when ids are uris. */
	bool local_ids;
	const char *network;
	/* One post asked for alone: ONE_PATH then its id, escaped. */
	const char *one_path;
	/* The answer that proves a post gone: one of these statuses and, when
	 * gone_error is set, that "error" in the body. */
	long gone_status[2];
	const char *gone_error;
	/* With local ids: the server asked is the post's home (raw: the
	 * archived post as this server gave it); NULL: every post's. A
	 * lookup by uri asks the network's own index, home to every post. */
	bool (*is_home)(yajl_val raw);
} recheck_lookup_t;

/* The posts of `chat` archived from `source` and created since `since`. */
CHATARC_MUST_CHECK chatarc_status_t recheck_load(const char *data_dir, const char *chat,
                                                 const char *source, const recheck_lookup_t *lookup,
                                                 chatarc_ms_t since, recheck_t **out,
                                                 chatarc_error_t *err);
void recheck_free(recheck_t *rc);
/* Keeps to the candidates with these server ids and makes each whose home
 * is the server asked a suspect at once (no batch: a stream said they were
 * deleted); the others are left alone. */
void recheck_only(recheck_t *rc, const strlist_t *ids);
size_t recheck_candidates(const recheck_t *rc);

/* Requests remain: batches, or suspects to ask for alone. */
bool recheck_more(const recheck_t *rc);
/* The next request's URL on server `base` (a new string), or NULL when
 * everything has been asked. */
char *recheck_next_url(recheck_t *rc, const char *base);
/* The request just made asked for one suspect alone. */
bool recheck_asking_one(const recheck_t *rc);

/* Reads the answer to the batch just asked: each post returned is marked
 * as still there and handed to fn (to store an edit or new counts). */
CHATARC_MUST_CHECK chatarc_status_t recheck_read(recheck_t *rc, const strbuf_t *body,
                                                 chatarc_status_t (*fn)(void *ctx, yajl_val post,
                                                                        chatarc_error_t *err),
                                                 void *ctx, chatarc_error_t *err);
/* Whether an answer to a suspect asked for alone proves it gone (its HTTP
 * status and, where the lookup names an error, the body's "error"). */
bool recheck_answer_is_gone(const recheck_t *rc, long http_status, const strbuf_t *body);
/* Takes the answer to the suspect just asked for alone. */
void recheck_read_one(recheck_t *rc, bool gone);

/* The uris of posts found gone so far; batches that proved nothing; posts
 * a batch left out whose home is another server (kept). */
const strlist_t *recheck_gone(const recheck_t *rc);
long recheck_unproven_batches(const recheck_t *rc);
long recheck_not_home(const recheck_t *rc);

#endif
