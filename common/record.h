/* The message record (man chatarc-data, "The message record"): one post of a chat, from any
 * network. An archive line is one version of a record; versions of one uri merge. */
#ifndef CHATARC_RECORD_H
#define CHATARC_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"
#include "strbuf.h"
#include "strlist.h"
#include "timeutil.h"

struct yajl_val_s; /* yajl's parsed value, for the reader that has one */

typedef struct chatarc_record {
	char *uri;
	char *network; /* "mastodon", "bluesky", "twitter" */
	char *source;
	char *chat;
	chatarc_ms_t created_ms;
	char *author;
	char *author_name;
	char *text;
	/* What the author put before the text, folded away (Mastodon's
	 * spoiler_text); NULL when none. Not part of text. */
	char *content_warning;
	char *lang; /* the post's language as the wire gives it (BCP 47), NULL if none */
	char *url;
	char *native_id; /* the post's id on the network (Bluesky: its at:// uri) */
	/* A reply: the parent's uri once known (the same file or run, or
	 * always, where the wire names it: Bluesky, Twitter); the parent as the
	 * wire names it (Mastodon: its id on the server the reply was read
	 * from); the account replied to. The last two are kept even when the
	 * parent is never seen, so that a reply always counts as one. */
	char *reply_to;
	char *reply_to_id;
	char *reply_to_account;
	/* The uri of the post that opened the thread, where the wire names it
	 * (Bluesky reply.root, Twitter v2 conversation_id); else NULL. */
	char *thread_root;
	char *quote_of; /* the uri of the post this one quotes, NULL if none */
	/* A boost event (a boost, retweet or repost: who, when, of which
	 * message), kept in the chat's boosts archive, never among its
	 * messages: the boosted post's uri (NULL when the source names only
	 * its author, as an "RT @user: ..." row does) and its author. NULL
	 * both in a message. */
	char *boost_of;
	char *boost_of_account;
	strlist_t tags; /* lower-case, without '#' */
	strlist_t mentions;
	strlist_t links;
	/* One entry per image or video attached: its alt text, "" when it has
	 * none (so the count is media_alt.len). */
	strlist_t media_alt;
	long long replies, reposts, likes;
	/* The author's followers when the post was read; -1 when the wire
	 * does not say. */
	long long author_followers;
	/* When the author last edited it (ISO 8601 as the wire gives it;
	 * Mastodon's edited_at), NULL if never: a later edit's text replaces
	 * the earlier, even a shorter one. */
	char *edited_at;
	char *raw; /* the original object as JSON text */
} chatarc_record_t;

/* The author's stable identity, which a change of handle does not change:
 * a Bluesky DID (from the post's at:// uri), a Mastodon account's URI
 * (the actor its status uri names, else the raw account's "uri"), a
 * Twitter user id ("twitter:ID", from the raw tweet). Appended to out;
 * false when the record does not carry one. */
bool record_author_identity(const chatarc_record_t *r, strbuf_t *out);

/* A boost event rather than a message. */
static inline bool record_is_boost(const chatarc_record_t *r)
{
	return r->boost_of || r->boost_of_account;
}

/* A reply, whether or not its parent is known. */
bool record_is_reply(const chatarc_record_t *r);
/* Where "#tag" at p ends, when p holds it as a whole hashtag (in any case,
 * and no letter, digit or '_' after it); else NULL. */
const char *record_hashtag_end(const char *p, const char *tag);

void record_init(chatarc_record_t *r);
void record_clear(chatarc_record_t *r);
/* A deep copy of src into dst (dst need not be initialised). */
void record_copy(chatarc_record_t *dst, const chatarc_record_t *src);
/* Replaces *field with a copy of value (NULL allowed). */
void record_set(char **field, const char *value);

/* Every field, in archive and export order, through a sprinter (the
 * caller begins and ends the object, and may add its own fields): the one
 * place the record's fields are listed for output. */
struct sprinter;
void record_write_fields(struct sprinter *sp, const chatarc_record_t *r);
/* One archive line, without the trailing newline. */
void record_to_json(const chatarc_record_t *r, strbuf_t *out);
/* Reads one archive line (NUL-terminated). */
CHATARC_MUST_CHECK chatarc_status_t record_from_json(const char *line, chatarc_record_t *r,
                                                     chatarc_error_t *err);

/* Folds a later version of the same uri into `into`: a later edit's text
 * (edited_at), else the longer text, wins with its raw; counts keep the
 * highest seen, missing fields are filled. Returns true if `into` changed. */
bool record_merge(chatarc_record_t *into, const chatarc_record_t *later);

/* What the archive writer remembers of a stored record to decide, without
 * reading it back, whether a new version would add anything. */
typedef struct record_summary {
	chatarc_ms_t edited_ms; /* 0: never edited */
	unsigned text_len;
	unsigned replies, reposts, likes;
	bool has_author_name, has_reply_to, has_native_id;
	/* How many of the fields added in 2026 (language, quote, thread root,
	 * content warning, media, followers) it has: a re-import of a record
	 * archived before fills them. */
	unsigned detail_fields;
} record_summary_t;

void record_summarise(const chatarc_record_t *r, record_summary_t *out);
/* The same from a parsed archive line, without building the record. */
void record_summary_from_json(struct yajl_val_s *doc, record_summary_t *out);
/* True if merging a record with summary `later` would change `stored`;
 * updates stored to the merged summary. */
bool record_summary_merge(record_summary_t *stored, const record_summary_t *later);

/* One CSV row (RFC 4180: quoted where needed, CRLF), fields as in the
 * header; the header names the record's fields, then the caller's `more`
 * columns (NULL-terminated, or NULL). */
void record_csv_header(strbuf_t *out, const char *const *more);
void record_to_csv(const chatarc_record_t *r, strbuf_t *out);

#endif
