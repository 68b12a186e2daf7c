/* `chatarc import`: reading post files of any supported format (plain or
 * gzip) into a chat's archive, one file as one transaction. */
#ifndef CHATARC_IMPORT_H
#define CHATARC_IMPORT_H

#include <stdbool.h>

#include "../common/archive.h"
#include "../common/status.h"

typedef struct import_stats {
	long objects;             /* JSON objects read */
	long posts;               /* messages found (boosts give the post they boost) */
	archive_tally_t stored;   /* what the archive did with each */
	long boosts;              /* boosts/retweets, counted, not stored */
	long skipped;             /* bad objects skipped under keep_going */
	long consent_skipped;     /* posts of accounts that opted out, not stored */
	long off_tag;             /* posts with none of the chat's tags (stored unless
	                           * require_tag) */
	unsigned long long bytes; /* uncompressed input bytes */
} import_stats_t;

typedef struct import_options {
	const char *source; /* the record's source field; "import" if NULL */
	const char *author; /* tweets.js owner when there is no account.js */
	/* The chat's IANA zone: CSV sheets that kept only local times are read
	 * in it ("UTC" if NULL). */
	const char *time_zone;
	bool keep_going; /* skip bad posts (reported), keep the good */
	/* Leave out posts of accounts that opted out of search and archives,
	 * as fetch does (false only for a chat with "allow_noindex"). */
	bool honour_consent;
	/* The chat's hashtags (lower-case, without '#'): posts carrying none,
	 * in their tags or their text, are counted in off_tag, and left out
	 * when require_tag (an import of a whole account's archive). NULL:
	 * not looked at. */
	const strlist_t *chat_tags;
	bool require_tag;
	/* Called about once a second on long files; and for each skipped post
	 * under keep_going (message set, bytes 0). May be NULL. */
	void (*progress)(void *ctx, const char *path, unsigned long long done,
	                 unsigned long long total, const import_stats_t *stats);
	void (*warning)(void *ctx, const char *message);
	void *ctx;
} import_options_t;

/* Imports one file: its messages into archive, its boost events into
 * boosts (the chat's boosts archive, archive_boosts_name; NULL: counted
 * only). On success both are durable. On failure nothing of this file
 * stays in either (the error names the file and line), unless keep_going
 * kept what came before a damaged end. */
CHATARC_MUST_CHECK chatarc_status_t import_file(chatarc_archive_t *archive,
                                                chatarc_archive_t *boosts, const char *chat,
                                                const char *path, const import_options_t *options,
                                                import_stats_t *stats, chatarc_error_t *err);

#endif
