/* The archive: DIR/archive/CHAT/YYYY/YYYY-MM-DD.jsonl.gz, one record a line,
 * by the UTC day of created_at, written only by appending whole gzip members.
 *
 * A line is a version of a message; versions of one uri merge on reading
 * (record_merge), and the writer appends a version only when it adds
 * something, so re-importing a file adds nothing. A member is the unit of
 * durability: a member cut short by a crash is ignored by readers and cut off
 * by the next writer, so `zcat` reads every file up to its last whole member. */
#ifndef CHATARC_ARCHIVE_H
#define CHATARC_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "record.h"
#include "status.h"

typedef struct chatarc_archive chatarc_archive_t;

typedef enum archive_outcome {
	ARCHIVE_NEW,       /* a message the archive did not have */
	ARCHIVE_DUPLICATE, /* already there, nothing to add */
	ARCHIVE_UPDATED,   /* already there; this version adds counts or text */
	ARCHIVE_FORGOTTEN, /* forgotten at a person's request (DIR/forgotten): not stored */
} archive_outcome_t;

/* What archive_add did with each record of a run, counted (fetch's jobs
 * and import's files both report these). */
typedef struct archive_tally {
	long new_messages; /* added to the archive */
	long updated;      /* already there; a fuller version was added */
	long duplicates;   /* already there; nothing to add */
	long forgotten;    /* posts `chatarc forget` removed, not stored again */
} archive_tally_t;
void archive_tally_add(archive_tally_t *tally, archive_outcome_t outcome);

typedef struct archive_options {
	int compression_level; /* libdeflate level 1-12; 0 means chatarc's default (1) */
	bool wait_for_lock;    /* block on another writer, else CHATARC_ERR_BUSY */
} archive_options_t;

/* A chat's boost events (record_is_boost: who boosted, retweeted or
 * reposted which message, when) are an archive of their own inside the
 * chat's, DIR/archive/CHAT/boosts/YYYY/YYYY-MM-DD.jsonl.gz, written and
 * read as a chat's is under the name this gives ("CHAT/boosts", newly
 * allocated): no reader of messages meets them. */
char *archive_boosts_name(const char *chat);

/* Opens the chat's archive for writing, taking its lock
 * (DIR/archive/CHAT/.lock) so two writers never interleave. */
CHATARC_MUST_CHECK chatarc_status_t archive_open(const char *data_dir, const char *chat,
                                                 const archive_options_t *options,
                                                 chatarc_archive_t **out, chatarc_error_t *err);
/* Adds one record (its chat field is ignored: the archive's chat is used). */
CHATARC_MUST_CHECK chatarc_status_t archive_add(chatarc_archive_t *archive,
                                                const chatarc_record_t *record,
                                                archive_outcome_t *outcome, chatarc_error_t *err);
/* Makes everything added since the last commit durable (written and fsynced). */
CHATARC_MUST_CHECK chatarc_status_t archive_commit(chatarc_archive_t *archive,
                                                   chatarc_error_t *err);
/* Undoes everything added since the last commit, on disk too. */
CHATARC_MUST_CHECK chatarc_status_t archive_rollback(chatarc_archive_t *archive,
                                                     chatarc_error_t *err);
/* Closes without committing: what was not committed may or may not be kept,
 * as after a crash. */
void archive_close(chatarc_archive_t *archive);

/* Removing, for `chatarc forget`: rewrites each day file that holds a
 * message `drop` picks (asked of every version of every message) without
 * any version of it. Each file is replaced whole (new file, fsync,
 * rename), so a crash leaves it as it was or as it will be; a file left
 * with nothing is removed. The uris removed are added to *removed. Call on
 * a freshly opened archive (its lock is what keeps writers out). */
typedef bool (*archive_drop_fn)(void *ctx, const chatarc_record_t *record);
CHATARC_MUST_CHECK chatarc_status_t archive_remove(chatarc_archive_t *archive, archive_drop_fn drop,
                                                   void *ctx, strlist_t *removed,
                                                   chatarc_error_t *err);

/* Forgets `names` (forgotten_add: uris, urls, accounts) for good: DIR/
 * forgotten learns them (durably, first), then archive_remove takes out
 * every message they name or named before. For `chatarc forget` and for
 * posts fetch finds deleted upstream. */
CHATARC_MUST_CHECK chatarc_status_t archive_forget(chatarc_archive_t *archive,
                                                   const strlist_t *names, strlist_t *removed,
                                                   chatarc_error_t *err);

/* Reading. */
typedef chatarc_status_t (*archive_line_fn)(void *ctx, char *line, size_t len,
                                            chatarc_error_t *err);
typedef chatarc_status_t (*archive_record_fn)(void *ctx, const chatarc_record_t *record,
                                              chatarc_error_t *err);

/* The day files of a chat, oldest first (full paths). */
CHATARC_MUST_CHECK chatarc_status_t archive_list_days(const char *data_dir, const char *chat,
                                                      strlist_t *paths, chatarc_error_t *err);
/* The UTC date a day file (".../YYYY-MM-DD.jsonl.gz") holds, and its first
 * instant. Either out pointer may be NULL. */
void archive_day_of_path(const char *path, char day[11], chatarc_ms_t *start);
/* Calls fn for each line of each whole member of one archive file; lines are
 * NUL-terminated in place. *whole_bytes (may be NULL) gets the length of the
 * file's whole members: less than its size after a torn write. */
CHATARC_MUST_CHECK chatarc_status_t archive_read_lines(const char *path, archive_line_fn fn,
                                                       void *ctx, off_t *whole_bytes,
                                                       chatarc_error_t *err);
/* The chat's messages created in [from, to), versions merged, in time order
 * (ties by uri). Memory holds one day at a time. */
CHATARC_MUST_CHECK chatarc_status_t archive_for_each(const char *data_dir, const char *chat,
                                                     chatarc_ms_t from, chatarc_ms_t to,
                                                     archive_record_fn fn, void *ctx,
                                                     chatarc_error_t *err);
/* The same, each record's raw left NULL (not parsed): for readers that
 * never show it (the summariser, the indexer), a fifth of their time. */
CHATARC_MUST_CHECK chatarc_status_t archive_for_each_without_raw(const char *data_dir,
                                                                 const char *chat,
                                                                 chatarc_ms_t from, chatarc_ms_t to,
                                                                 archive_record_fn fn, void *ctx,
                                                                 chatarc_error_t *err);
/* The merged records (raw left NULL) of the last few day files read, for a
 * reader that reads the same days more than once (the indexer, and the
 * session windows it places its messages in): each is inflated and parsed
 * once. A day file changed since (inode, size, modification time) is read
 * again. */
typedef struct archive_day_cache archive_day_cache_t;
archive_day_cache_t *archive_day_cache_new(void);
void archive_day_cache_free(archive_day_cache_t *cache);
/* archive_for_each_without_raw, its days read through cache (NULL: none).
 * The records given stay the cache's: valid until fn returns. */
CHATARC_MUST_CHECK chatarc_status_t archive_for_each_cached(archive_day_cache_t *cache,
                                                            const char *data_dir, const char *chat,
                                                            chatarc_ms_t from, chatarc_ms_t to,
                                                            archive_record_fn fn, void *ctx,
                                                            chatarc_error_t *err);

/* How many times the chat's archive was written (DIR/archive/CHAT/.written,
 * counted by every commit that changed a day file and by every removal), as
 * text to compare; "" for an archive no commit of this chatarc counted. One
 * small read, for readers that would otherwise look at every day file to
 * learn whether anything changed (search's stale check). */
void archive_written_mark(const char *data_dir, const char *chat, char out[48]);

/* The messages of several chats in [from, to), in time order across them
 * (ties by uri, then chat); a post in two chats comes once for each. */
CHATARC_MUST_CHECK chatarc_status_t archive_for_each_in_chats(const char *data_dir,
                                                              const char *const *chats,
                                                              size_t n_chats, chatarc_ms_t from,
                                                              chatarc_ms_t to, archive_record_fn fn,
                                                              void *ctx, chatarc_error_t *err);

/* The author (NULL if none) and time of each of the chat's messages created
 * in [from, to), one call a line, in file order (a message with several
 * versions comes more than once). Reads the two fields from the line's text
 * without parsing the record: for work that needs only who wrote and when
 * (a session's newcomers, bursts of activity), over years of archive. */
typedef chatarc_status_t (*archive_author_fn)(void *ctx, const char *author,
                                              chatarc_ms_t created_ms, chatarc_error_t *err);
CHATARC_MUST_CHECK chatarc_status_t archive_for_each_author(const char *data_dir, const char *chat,
                                                            chatarc_ms_t from, chatarc_ms_t to,
                                                            archive_author_fn fn, void *ctx,
                                                            chatarc_error_t *err);
/* The same, its days read through cache (NULL: none): the moments come
 * from the lines the cache parsed whole, as many and in the same order. */
CHATARC_MUST_CHECK chatarc_status_t archive_for_each_author_cached(
    archive_day_cache_t *cache, const char *data_dir, const char *chat, chatarc_ms_t from,
    chatarc_ms_t to, archive_author_fn fn, void *ctx, chatarc_error_t *err);

#endif
