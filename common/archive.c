/* Archive writer: append-only gzip members, deduplicated by uri, with
 * transactions undone by truncation (the reader is archive-read.c). */
#define _DEFAULT_SOURCE
#include "archive.h"

#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "archive-internal.h"
#include "forgotten.h"
#include "fsutil.h"
#include "json.h"
#include "urimap.h"

/* Days kept in memory while writing: imports run roughly in time order, so a
 * few dozen days cover the working set and bound memory for any input size. */
#define ARCHIVE_CACHE_DAYS 32
/* Neighbouring days found not to exist, not to be asked of the disk again. */
#define ARCHIVE_ABSENT_DAYS 8
/* Uncompressed bytes per gzip member: bounds what a reader buffers and what a
 * crash can cut off before the next commit. */
#define ARCHIVE_MEMBER_BYTES (4u << 20)
/* Lines waiting in all cached days together: past this the least recently
 * used day's are handed to the writer, which so stays busy while posts are
 * converted instead of compressing everything at the commit. */
#define ARCHIVE_PENDING_BYTES (8u << 20)
/* libdeflate level 1: on twarc2 records (BENCHMARKS.md, 200k tweets) it
 * costs 0.6 s of CPU against 1.3 s for zlib's level 3, for an archive 5%
 * larger; level 4 is as slow as zlib 3 and 6% smaller. */
#define ARCHIVE_DEFAULT_LEVEL 1

struct archive_day {
	char day[11];
	char *path;
	int fd; /* -1 until the first write */
	urimap_t uris;
	strbuf_t pending; /* lines not yet written */
	struct archive_day *newer, *older;
};

/* What a file looked like before the open transaction touched it. */
struct txn_file {
	char *path;
	bool existed;
	off_t size;
};

struct chatarc_archive {
	char *chat;
	char *record_chat; /* what its records' chat field says: a boosts
	                    * archive's records name the chat, not "CHAT/boosts" */
	char *data_dir;
	char *chat_dir;
	int lock_fd;
	int level;
	struct archive_day *newest, *oldest;
	size_t day_count;
	struct txn_file *txn;
	size_t txn_len, txn_alloc;
	char absent[ARCHIVE_ABSENT_DAYS][11];
	size_t n_absent;
	forgotten_t *forgotten; /* what `chatarc forget` removed stays out */
	member_writer_t *writer;
	size_t pending_bytes; /* in all days' pending */
};

#define BOOSTS_SUFFIX "/boosts"

char *archive_boosts_name(const char *chat)
{
	strbuf_t name;
	strbuf_init(&name, 0);
	strbuf_addf(&name, "%s%s", chat, BOOSTS_SUFFIX);
	return strbuf_detach(&name, NULL);
}

static bool is_boosts_name(const char *name)
{
	size_t len = strlen(name), suffix = strlen(BOOSTS_SUFFIX);
	if (len <= suffix || strcmp(name + len - suffix, BOOSTS_SUFFIX))
		return false;
	char *chat = xstrndup(name, len - suffix);
	bool valid = fs_name_valid(chat);
	free(chat);
	return valid;
}

chatarc_status_t archive_open(const char *data_dir, const char *chat,
                              const archive_options_t *options, chatarc_archive_t **out,
                              chatarc_error_t *err)
{
	chatarc_archive_t *archive;
	chatarc_status_t status;
	strbuf_t lock_path;

	if (!fs_name_valid(chat) && !is_boosts_name(chat))
		return chatarc_error_set(
		    err, CHATARC_ERR_USAGE,
		    "'%s' is not a valid chat name (letters, digits, '_', '-', '.')", chat);
	archive = xcalloc(1, sizeof *archive);
	archive->chat = xstrdup(chat);
	archive->record_chat = is_boosts_name(chat)
	                           ? xstrndup(chat, strlen(chat) - strlen(BOOSTS_SUFFIX))
	                           : xstrdup(chat);
	archive->data_dir = xstrdup(data_dir);
	archive->chat_dir = archive_chat_dir(data_dir, chat);
	archive->level = options && options->compression_level ? options->compression_level
	                                                       : ARCHIVE_DEFAULT_LEVEL;
	archive->lock_fd = -1;
	archive->writer = member_writer_new(archive->level);
	status = fs_mkdir_under(data_dir, archive->chat_dir, err);
	if (status == CHATARC_OK)
		status = forgotten_load(data_dir, &archive->forgotten, err);
	if (status != CHATARC_OK)
		goto fail;

	strbuf_init(&lock_path, 0);
	strbuf_addf(&lock_path, "%s/.lock", archive->chat_dir);
	archive->lock_fd = open(lock_path.buf, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
	if (archive->lock_fd < 0) {
		status = archive_errno_error(err, lock_path.buf, "cannot open lock");
		strbuf_release(&lock_path);
		goto fail;
	}
	int how = LOCK_EX | (options && options->wait_for_lock ? 0 : LOCK_NB);
	while (flock(archive->lock_fd, how) < 0) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK)
			status =
			    chatarc_error_set(err, CHATARC_ERR_BUSY,
			                      "another chatarc process is writing chat '%s' (%s)",
			                      chat, lock_path.buf);
		else
			status = archive_errno_error(err, lock_path.buf, "cannot lock");
		strbuf_release(&lock_path);
		goto fail;
	}
	strbuf_release(&lock_path);
	*out = archive;
	return CHATARC_OK;
fail:
	archive_close(archive);
	return status;
}

static void day_free(struct archive_day *day)
{
	if (day->fd >= 0)
		close(day->fd);
	urimap_release(&day->uris);
	strbuf_release(&day->pending);
	free(day->path);
	free(day);
}

static void day_unlink_lru(chatarc_archive_t *archive, struct archive_day *day)
{
	if (day->newer)
		day->newer->older = day->older;
	else
		archive->newest = day->older;
	if (day->older)
		day->older->newer = day->newer;
	else
		archive->oldest = day->newer;
	day->newer = day->older = NULL;
	archive->day_count--;
}

static void day_push_newest(chatarc_archive_t *archive, struct archive_day *day)
{
	day->older = archive->newest;
	day->newer = NULL;
	if (archive->newest)
		archive->newest->newer = day;
	archive->newest = day;
	if (!archive->oldest)
		archive->oldest = day;
	archive->day_count++;
}

static void forget_days(chatarc_archive_t *archive)
{
	while (archive->newest) {
		struct archive_day *day = archive->newest;
		day_unlink_lru(archive, day);
		day_free(day);
	}
	archive->pending_bytes = 0;
}

static void txn_clear(chatarc_archive_t *archive)
{
	for (size_t i = 0; i < archive->txn_len; i++)
		free(archive->txn[i].path);
	archive->txn_len = 0;
	if (archive->chat_dir) {
		char *journal = archive_journal_path(archive->chat_dir);
		unlink(journal);
		free(journal);
	}
}

/* Notes one file in the journal before anything is appended to it: what
 * keeps readers from an import that may yet roll back. A journal that
 * cannot be written fails the write that needed it. */
static CHATARC_MUST_CHECK chatarc_status_t txn_journal_add(chatarc_archive_t *archive,
                                                           const struct txn_file *f,
                                                           chatarc_error_t *err)
{
	char *journal = archive_journal_path(archive->chat_dir);
	int fd = open(journal, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
	chatarc_status_t status = CHATARC_OK;
	if (fd < 0) {
		status = archive_errno_error(err, journal, "cannot write the journal");
		free(journal);
		return status;
	}
	strbuf_t line;
	strbuf_init(&line, 0);
	strbuf_addf(&line, "%lld %s\n", (long long)f->size, f->path);
	status = fs_write_all(fd, line.buf, line.len, journal, err);
	strbuf_release(&line);
	close(fd);
	free(journal);
	return status;
}

void archive_close(chatarc_archive_t *archive)
{
	if (!archive)
		return;
	member_writer_free(archive->writer);
	forget_days(archive);
	txn_clear(archive);
	free(archive->txn);
	if (archive->lock_fd >= 0)
		close(archive->lock_fd); /* releases the flock */
	forgotten_free(archive->forgotten);
	free(archive->chat_dir);
	free(archive->data_dir);
	free(archive->chat);
	free(archive->record_chat);
	free(archive);
}

static CHATARC_MUST_CHECK chatarc_status_t txn_note_file(chatarc_archive_t *archive,
                                                         const char *path, bool existed, off_t size,
                                                         chatarc_error_t *err)
{
	for (size_t i = 0; i < archive->txn_len; i++)
		if (!strcmp(archive->txn[i].path, path))
			return CHATARC_OK;
	ALLOC_GROW(archive->txn, archive->txn_len + 1, archive->txn_alloc);
	archive->txn[archive->txn_len++] =
	    (struct txn_file){.path = xstrdup(path), .existed = existed, .size = size};
	return txn_journal_add(archive, &archive->txn[archive->txn_len - 1], err);
}

/* Loading a day file: remember each uri with what it holds. Only the
 * summary is read; raw is never rebuilt. */
static CHATARC_MUST_CHECK chatarc_status_t remember_line(void *ctx, char *line, size_t len,
                                                         chatarc_error_t *err)
{
	struct archive_day *day = ctx;
	record_summary_t summary;
	yajl_val doc;
	bool added;

	(void)len;
	archive_cut_raw(line); /* the summary needs none of it */
	if (json_parse(line, &doc, err) != CHATARC_OK)
		goto corrupt;
	const char *uri = json_get_string(doc, "uri");
	if (!uri) {
		json_free(doc);
		goto corrupt;
	}
	record_summary_from_json(doc, &summary);
	urimap_value_t *value = urimap_insert(&day->uris, uri, &added);
	if (added)
		value->summary = summary;
	else
		record_summary_merge(&value->summary, &summary);
	json_free(doc);
	return CHATARC_OK;
corrupt:
	return chatarc_error_set(
	    err, CHATARC_ERR_CORRUPT,
	    "%s: a line is not a chatarc record; move the file aside and re-import", day->path);
}

/* DIR/archive/CHAT/YYYY/YYYY-MM-DD.jsonl.gz (a new string). */
static char *day_path(const chatarc_archive_t *archive, const char *day_key)
{
	strbuf_t path;
	strbuf_init(&path, 0);
	strbuf_addf(&path, "%s/%.4s/%s.jsonl.gz", archive->chat_dir, day_key, day_key);
	return strbuf_detach(&path, NULL);
}

static CHATARC_MUST_CHECK chatarc_status_t day_load(chatarc_archive_t *archive, const char *day_key,
                                                    struct archive_day **out, chatarc_error_t *err)
{
	struct archive_day *day = xcalloc(1, sizeof *day);
	struct stat st;
	chatarc_status_t status = CHATARC_OK;

	memcpy(day->day, day_key, sizeof day->day);
	day->fd = -1;
	urimap_init(&day->uris);
	strbuf_init(&day->pending, 0);
	day->path = day_path(archive, day_key);

	/* Members of this day may still be on their way to the file. */
	status = member_writer_wait_for(archive->writer, day->path, err);
	if (status != CHATARC_OK)
		goto fail;
	if (stat(day->path, &st) == 0) {
		off_t whole = 0;
		/* The writer's own reading: everything there, its own
		 * uncommitted appends too. */
		status = archive_read_upto(day->path, -1, remember_line, day, &whole, err);
		if (status != CHATARC_OK)
			goto fail;
		/* A torn member from a killed writer: cut it off before appending
		 * after it, or every later member would be unreachable to zcat. */
		if (whole < st.st_size && truncate(day->path, whole) < 0) {
			status = archive_errno_error(err, day->path, "cannot cut off a torn write");
			goto fail;
		}
		status = txn_note_file(archive, day->path, true, whole, err);
	} else if (errno == ENOENT) {
		status = txn_note_file(archive, day->path, false, 0, err);
	} else {
		status = archive_errno_error(err, day->path, "cannot stat");
		goto fail;
	}
	if (status != CHATARC_OK)
		goto fail;
	*out = day;
	return CHATARC_OK;
fail:
	day_free(day);
	return status;
}

static CHATARC_MUST_CHECK chatarc_status_t day_flush(chatarc_archive_t *archive,
                                                     struct archive_day *day, chatarc_error_t *err)
{
	chatarc_status_t status;

	if (!day->pending.len)
		return CHATARC_OK;
	if (day->fd < 0) {
		char *dir = fs_dirname(day->path);
		status = fs_mkdir_under(archive->data_dir, dir, err);
		free(dir);
		if (status != CHATARC_OK)
			return status;
		/* A link planted at a day file's path (dangling or not) would
		 * have us append to a file outside the data directory. */
		day->fd =
		    open(day->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
		if (day->fd < 0 && errno == ELOOP)
			return fs_link_refused(day->path, err);
		if (day->fd < 0)
			return archive_errno_error(err, day->path, "cannot open for appending");
	}
	size_t len;
	char *data = strbuf_detach(&day->pending, &len);
	strbuf_init(&day->pending, 0);
	archive->pending_bytes -= len;
	return member_writer_append(archive->writer, day->fd, day->path, data, len, err);
}

static struct archive_day *day_cached(chatarc_archive_t *archive, const char *day_key)
{
	for (struct archive_day *day = archive->newest; day; day = day->older)
		if (!memcmp(day->day, day_key, sizeof day->day))
			return day;
	return NULL;
}

static CHATARC_MUST_CHECK chatarc_status_t day_get(chatarc_archive_t *archive, const char *day_key,
                                                   struct archive_day **out, chatarc_error_t *err)
{
	struct archive_day *day = day_cached(archive, day_key);
	chatarc_status_t status;

	if (day) {
		if (day != archive->newest) {
			day_unlink_lru(archive, day);
			day_push_newest(archive, day);
		}
		*out = day;
		return CHATARC_OK;
	}
	if (archive->day_count >= ARCHIVE_CACHE_DAYS) {
		struct archive_day *evict = archive->oldest;
		status = day_flush(archive, evict, err);
		if (status != CHATARC_OK)
			return status;
		day_unlink_lru(archive, evict);
		day_free(evict);
	}
	status = day_load(archive, day_key, &day, err);
	if (status != CHATARC_OK)
		return status;
	day_push_newest(archive, day);
	*out = day;
	return CHATARC_OK;
}

static bool day_known_absent(const chatarc_archive_t *archive, const char *day_key)
{
	for (size_t i = 0; i < ARCHIVE_ABSENT_DAYS && i < archive->n_absent; i++)
		if (!memcmp(archive->absent[i], day_key, 11))
			return true;
	return false;
}

/* The day file a record belongs in: its UTC day's, unless the message is
 * already in the day before or after. A time that moved across midnight
 * between two reads (an edit, another server's clock, a v1.1 and a v2
 * copy of a tweet) must not make one message two. */
static CHATARC_MUST_CHECK chatarc_status_t day_for(chatarc_archive_t *archive,
                                                   const chatarc_record_t *record,
                                                   struct archive_day **out, chatarc_error_t *err)
{
	char own[11], key[11];
	time_format_day(record->created_ms, own);
	chatarc_status_t status = day_get(archive, own, out, err);
	if (status != CHATARC_OK || urimap_find(&(*out)->uris, record->uri))
		return status;
	for (size_t i = 0; i < ARCHIVE_ABSENT_DAYS; i++) /* it exists from now on */
		if (!memcmp(archive->absent[i], own, 11))
			archive->absent[i][0] = '\0';
	for (int side = -1; side <= 1; side += 2) {
		time_format_day(record->created_ms + side * 86400000LL, key);
		struct archive_day *near = day_cached(archive, key);
		if (!near && !day_known_absent(archive, key)) {
			char *path = day_path(archive, key);
			bool exists = fs_exists(path);
			free(path);
			status = exists ? day_get(archive, key, &near, err) : CHATARC_OK;
			if (status != CHATARC_OK)
				return status;
			if (!exists) /* a day we write is cached: absent stays absent */
				memcpy(archive->absent[archive->n_absent++ % ARCHIVE_ABSENT_DAYS],
				       key, 11);
		}
		if (near && urimap_find(&near->uris, record->uri))
			return day_get(archive, key, out, err); /* also marks it recent */
	}
	return day_get(archive, own, out, err);
}

void archive_tally_add(archive_tally_t *tally, archive_outcome_t outcome)
{
	switch (outcome) {
	case ARCHIVE_NEW: tally->new_messages++; break;
	case ARCHIVE_UPDATED: tally->updated++; break;
	case ARCHIVE_FORGOTTEN: tally->forgotten++; break;
	case ARCHIVE_DUPLICATE: tally->duplicates++; break;
	}
}

chatarc_status_t archive_add(chatarc_archive_t *archive, const chatarc_record_t *record,
                             archive_outcome_t *outcome, chatarc_error_t *err)
{
	struct archive_day *day;
	record_summary_t summary;
	bool added;
	chatarc_status_t status;

	if (forgotten_matches(archive->forgotten, record)) {
		*outcome = ARCHIVE_FORGOTTEN;
		return CHATARC_OK;
	}
	status = day_for(archive, record, &day, err);
	if (status != CHATARC_OK)
		return status;
	record_summarise(record, &summary);
	urimap_value_t *value = urimap_insert(&day->uris, record->uri, &added);
	if (added) {
		value->summary = summary;
		*outcome = ARCHIVE_NEW;
	} else if (record_summary_merge(&value->summary, &summary)) {
		*outcome = ARCHIVE_UPDATED;
	} else {
		*outcome = ARCHIVE_DUPLICATE;
		return CHATARC_OK;
	}
	chatarc_record_t in_chat = *record;
	in_chat.chat = archive->record_chat;
	size_t before = day->pending.len;
	record_to_json(&in_chat, &day->pending); /* written in place, not copied */
	strbuf_addch(&day->pending, '\n');
	archive->pending_bytes += day->pending.len - before;
	if (day->pending.len >= ARCHIVE_MEMBER_BYTES)
		return day_flush(archive, day, err);
	for (struct archive_day *old = archive->oldest;
	     old && archive->pending_bytes > ARCHIVE_PENDING_BYTES; old = old->newer)
		if ((status = day_flush(archive, old, err)) != CHATARC_OK)
			return status;
	return CHATARC_OK;
}

/* Counts a write in DIR/archive/CHAT/.written (the writer holds the chat's
 * lock): readers learn from one small read that the archive changed
 * (archive_written_mark). A counter, not a time: two writes within one
 * clock tick would leave a time unchanged. Best effort: a reader that
 * finds no mark, or a torn one, looks at every day file, as before. */
static void mark_written(const chatarc_archive_t *archive)
{
	strbuf_t path;
	strbuf_init(&path, 0);
	strbuf_addf(&path, "%s/.written", archive->chat_dir);
	int fd = open(path.buf, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd >= 0) {
		char text[32] = "";
		ssize_t n = pread(fd, text, sizeof text - 1, 0);
		unsigned long long count = n > 0 ? strtoull(text, NULL, 10) : 0;
		int len = snprintf(text, sizeof text, "%llu\n", count + 1);
		if (pwrite(fd, text, (size_t)len, 0) == len)
			(void)ftruncate(fd, len);
		close(fd);
	}
	strbuf_release(&path);
}

/* Whether the transaction changed any file it noted (appended or made). */
static bool txn_wrote(const chatarc_archive_t *archive)
{
	for (size_t i = 0; i < archive->txn_len; i++) {
		struct stat st;
		bool exists = stat(archive->txn[i].path, &st) == 0;
		if (exists != archive->txn[i].existed ||
		    (exists && st.st_size != archive->txn[i].size))
			return true;
	}
	return false;
}

chatarc_status_t archive_commit(chatarc_archive_t *archive, chatarc_error_t *err)
{
	chatarc_status_t status;

	for (struct archive_day *day = archive->newest; day; day = day->older) {
		status = day_flush(archive, day, err);
		if (status != CHATARC_OK)
			return status;
	}
	status = member_writer_wait(archive->writer, false, err);
	if (status != CHATARC_OK)
		return status;
	/* New files need their directory entries on disk too. */
	for (size_t i = 0; i < archive->txn_len; i++) {
		if (archive->txn[i].existed || !fs_exists(archive->txn[i].path))
			continue;
		char *dir = fs_dirname(archive->txn[i].path);
		status = fs_sync_dir(dir, err);
		if (status == CHATARC_OK)
			status = fs_sync_dir(archive->chat_dir, err);
		free(dir);
		if (status != CHATARC_OK)
			return status;
	}
	if (txn_wrote(archive))
		mark_written(archive);
	txn_clear(archive);
	/* Days still cached start the next transaction as they are now. */
	for (struct archive_day *day = archive->newest; status == CHATARC_OK && day;
	     day = day->older) {
		struct stat st;
		bool exists = stat(day->path, &st) == 0;
		status = txn_note_file(archive, day->path, exists, exists ? st.st_size : 0, err);
	}
	return status;
}

chatarc_status_t archive_rollback(chatarc_archive_t *archive, chatarc_error_t *err)
{
	chatarc_status_t status = CHATARC_OK;
	chatarc_error_t ignored;

	/* What failed is undone here, whatever the writer's last status was
	 * (it is why we roll back): the writer starts afresh. */
	chatarc_status_t writer_status = member_writer_wait(archive->writer, true, &ignored);
	(void)writer_status;
	forget_days(archive);
	for (size_t i = 0; i < archive->txn_len; i++) {
		const struct txn_file *f = &archive->txn[i];
		int rc = f->existed ? truncate(f->path, f->size) : unlink(f->path);
		if (rc < 0 && errno != ENOENT && status == CHATARC_OK)
			status = archive_errno_error(err, f->path, "cannot undo the import");
	}
	txn_clear(archive);
	return status;
}

/* Removing. */

struct day_rewrite {
	archive_drop_fn drop;
	void *ctx;
	strbuf_t lines;   /* every line of the file, each ending in '\n' */
	strlist_t uris;   /* each line's uri */
	urimap_t dropped; /* uris to leave out */
	chatarc_record_t record;
};

static CHATARC_MUST_CHECK chatarc_status_t note_line(void *ctx, char *line, size_t len,
                                                     chatarc_error_t *err)
{
	struct day_rewrite *rw = ctx;
	bool added;
	chatarc_status_t status = record_from_json(line, &rw->record, err);
	if (status != CHATARC_OK)
		return status;
	strbuf_add(&rw->lines, line, len);
	strbuf_addch(&rw->lines, '\n');
	strlist_add(&rw->uris, rw->record.uri);
	if (rw->drop(rw->ctx, &rw->record))
		urimap_insert(&rw->dropped, rw->record.uri, &added);
	record_clear(&rw->record);
	return CHATARC_OK;
}

/* The kept lines of the file, as gzip members of at most
 * ARCHIVE_MEMBER_BYTES, as the writer would have made them. */
static CHATARC_MUST_CHECK chatarc_status_t kept_members(const chatarc_archive_t *archive,
                                                        struct day_rewrite *rw, strlist_t *removed,
                                                        strbuf_t *out, chatarc_error_t *err)
{
	strbuf_t member;
	chatarc_status_t status = CHATARC_OK;
	const char *line = rw->lines.buf;
	struct libdeflate_compressor *compressor = archive_compressor_new(archive->level);

	strbuf_init(&member, 0);
	for (size_t i = 0; status == CHATARC_OK && i < rw->uris.len; i++) {
		const char *end = strchr(line, '\n') + 1;
		if (urimap_find(&rw->dropped, rw->uris.items[i]))
			strlist_add_unique(removed, rw->uris.items[i]);
		else
			strbuf_add(&member, line, (size_t)(end - line));
		line = end;
		if (member.len >= ARCHIVE_MEMBER_BYTES || (i + 1 == rw->uris.len && member.len)) {
			status = archive_gzip_member(compressor, member.buf, member.len, out, err);
			strbuf_reset(&member);
		}
	}
	strbuf_release(&member);
	libdeflate_free_compressor(compressor);
	return status;
}

static CHATARC_MUST_CHECK chatarc_status_t rewrite_day(chatarc_archive_t *archive, const char *path,
                                                       archive_drop_fn drop, void *ctx,
                                                       strlist_t *removed, chatarc_error_t *err)
{
	struct day_rewrite rw = {.drop = drop, .ctx = ctx};
	strbuf_t packed;
	chatarc_status_t status;

	strbuf_init(&rw.lines, 0);
	strbuf_init(&packed, 0);
	urimap_init(&rw.dropped);
	record_init(&rw.record);
	status = archive_read_upto(path, -1, note_line, &rw, NULL, err);
	if (status == CHATARC_OK && rw.dropped.count)
		status = kept_members(archive, &rw, removed, &packed, err);
	if (status != CHATARC_OK || !rw.dropped.count) {
		/* nothing of it goes, or it cannot be read: left as it is */
	} else if (packed.len) {
		status = fs_replace_file(path, packed.buf, packed.len, err);
	} else if (unlink(path) < 0) {
		status = archive_errno_error(err, path, "cannot remove");
	} else {
		char *dir = fs_dirname(path);
		status = fs_sync_dir(dir, err);
		free(dir);
	}
	record_clear(&rw.record);
	strbuf_release(&rw.lines);
	strbuf_release(&packed);
	strlist_clear(&rw.uris);
	urimap_release(&rw.dropped);
	return status;
}

chatarc_status_t archive_remove(chatarc_archive_t *archive, archive_drop_fn drop, void *ctx,
                                strlist_t *removed, chatarc_error_t *err)
{
	strlist_t days = {0};
	chatarc_status_t status = member_writer_wait(archive->writer, false, err);

	forget_days(archive); /* nothing cached may outlive the files */
	if (status == CHATARC_OK)
		status = archive_list_days(archive->data_dir, archive->chat, &days, err);
	for (size_t i = 0; status == CHATARC_OK && i < days.len; i++)
		status = rewrite_day(archive, days.items[i], drop, ctx, removed, err);
	strlist_clear(&days);
	mark_written(archive);
	return status;
}

static bool drop_forgotten(void *ctx, const chatarc_record_t *record)
{
	return forgotten_matches(ctx, record);
}

chatarc_status_t archive_forget(chatarc_archive_t *archive, const strlist_t *names,
                                strlist_t *removed, chatarc_error_t *err)
{
	chatarc_status_t status = archive_commit(archive, err);
	if (status == CHATARC_OK)
		status = forgotten_add(archive->forgotten, names, err);
	if (status == CHATARC_OK)
		status = forgotten_save(archive->forgotten, err);
	if (status == CHATARC_OK)
		status = archive_remove(archive, drop_forgotten, archive->forgotten, removed, err);
	return status;
}

/* Reading. */
