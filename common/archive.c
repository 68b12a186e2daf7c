/* Archive writer (append-only gzip members, deduplicated by uri, with
 * transactions undone by truncation) and reader (whole members only). */
#define _DEFAULT_SOURCE
#include "archive.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "alloc.h"
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
#define ARCHIVE_READ_CHUNK   (256u << 10)
/* zlib level 3 (its fast deflate): on twarc2 records it writes 1.4x faster
 * than the default 6 for an archive 18% larger (BENCHMARKS.md). */
#define ARCHIVE_DEFAULT_LEVEL 3

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
	char *data_dir;
	char *chat_dir;
	int lock_fd;
	int level;
	struct archive_day *newest, *oldest;
	size_t day_count;
	struct txn_file *txn;
	size_t txn_len, txn_alloc;
	strbuf_t line;
	char absent[ARCHIVE_ABSENT_DAYS][11];
	size_t n_absent;
	forgotten_t *forgotten; /* what `chatarc forget` removed stays out */
};

static chatarc_status_t errno_error(chatarc_error_t *err, const char *path, const char *what)
{
	return chatarc_error_set(err, CHATARC_ERR_IO, "%s: %s: %s", path, what, strerror(errno));
}

static char *chat_dir_path(const char *data_dir, const char *chat)
{
	strbuf_t sb;
	strbuf_init(&sb, 0);
	strbuf_addf(&sb, "%s/archive/%s", data_dir, chat);
	return strbuf_detach(&sb, NULL);
}

chatarc_status_t archive_open(const char *data_dir, const char *chat,
                              const archive_options_t *options, chatarc_archive_t **out,
                              chatarc_error_t *err)
{
	chatarc_archive_t *archive;
	chatarc_status_t status;
	strbuf_t lock_path;

	if (!fs_name_valid(chat))
		return chatarc_error_set(
		    err, CHATARC_ERR_USAGE,
		    "'%s' is not a valid chat name (letters, digits, '_', '-', '.')", chat);
	archive = xcalloc(1, sizeof *archive);
	archive->chat = xstrdup(chat);
	archive->data_dir = xstrdup(data_dir);
	archive->chat_dir = chat_dir_path(data_dir, chat);
	archive->level = options && options->compression_level ? options->compression_level
	                                                       : ARCHIVE_DEFAULT_LEVEL;
	archive->lock_fd = -1;
	strbuf_init(&archive->line, 4096);
	status = fs_mkdir_under(data_dir, archive->chat_dir, err);
	if (status == CHATARC_OK)
		status = forgotten_load(data_dir, &archive->forgotten, err);
	if (status != CHATARC_OK)
		goto fail;

	strbuf_init(&lock_path, 0);
	strbuf_addf(&lock_path, "%s/.lock", archive->chat_dir);
	archive->lock_fd = open(lock_path.buf, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
	if (archive->lock_fd < 0) {
		status = errno_error(err, lock_path.buf, "cannot open lock");
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
			status = errno_error(err, lock_path.buf, "cannot lock");
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
}

/* The transaction's journal, DIR/archive/CHAT/.txn: for each day file the
 * open transaction appends to, its committed size ("SIZE PATH" a line).
 * Readers that find it while a writer holds the chat's lock read no
 * further than that (archive_read_lines), so an import that fails and
 * rolls back, or is still running, never shows in an index or a page. */
static char *txn_journal_path(const char *chat_dir)
{
	strbuf_t sb;
	strbuf_init(&sb, 0);
	strbuf_addf(&sb, "%s/.txn", chat_dir);
	return strbuf_detach(&sb, NULL);
}

static void txn_clear(chatarc_archive_t *archive)
{
	for (size_t i = 0; i < archive->txn_len; i++)
		free(archive->txn[i].path);
	archive->txn_len = 0;
	if (archive->chat_dir) {
		char *journal = txn_journal_path(archive->chat_dir);
		unlink(journal);
		free(journal);
	}
}

/* Notes one file in the journal before anything is appended to it. */
static void txn_journal_add(chatarc_archive_t *archive, const struct txn_file *f)
{
	char *journal = txn_journal_path(archive->chat_dir);
	int fd = open(journal, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
	free(journal);
	if (fd < 0)
		return; /* readers then see what is there, as before */
	strbuf_t line;
	strbuf_init(&line, 0);
	strbuf_addf(&line, "%lld %s\n", (long long)f->size, f->path);
	chatarc_error_t ignored;
	fs_write_all(fd, line.buf, line.len, f->path, &ignored);
	strbuf_release(&line);
	close(fd);
}

void archive_close(chatarc_archive_t *archive)
{
	if (!archive)
		return;
	forget_days(archive);
	txn_clear(archive);
	free(archive->txn);
	if (archive->lock_fd >= 0)
		close(archive->lock_fd); /* releases the flock */
	strbuf_release(&archive->line);
	forgotten_free(archive->forgotten);
	free(archive->chat_dir);
	free(archive->data_dir);
	free(archive->chat);
	free(archive);
}

static void txn_note_file(chatarc_archive_t *archive, const char *path, bool existed, off_t size)
{
	for (size_t i = 0; i < archive->txn_len; i++)
		if (!strcmp(archive->txn[i].path, path))
			return;
	ALLOC_GROW(archive->txn, archive->txn_len + 1, archive->txn_alloc);
	archive->txn[archive->txn_len++] =
	    (struct txn_file){.path = xstrdup(path), .existed = existed, .size = size};
	txn_journal_add(archive, &archive->txn[archive->txn_len - 1]);
}

static chatarc_status_t read_lines(const char *path, off_t limit, archive_line_fn fn, void *ctx,
                                   off_t *whole_bytes, chatarc_error_t *err);

/* Loading a day file: remember each uri with what it holds. Only the
 * summary is read; raw is never rebuilt. */
static chatarc_status_t remember_line(void *ctx, char *line, size_t len, chatarc_error_t *err)
{
	struct archive_day *day = ctx;
	record_summary_t summary;
	yajl_val doc;
	bool added;

	/* raw is the last field (record_to_json) and by far the largest: the
	 * summary needs none of it, so the line is cut before it. The pattern
	 * cannot occur earlier: the fields before raw are strings (their
	 * quotes escaped), arrays of strings and numbers. */
	(void)len;
	char *raw = strstr(line, ",\"raw\":");
	if (raw) {
		raw[0] = '}';
		raw[1] = '\0';
	}
	if (json_parse(line, &doc, err) != CHATARC_OK)
		goto corrupt;
	const char *uri = json_get_string(doc, "uri");
	if (!uri) {
		yajl_tree_free(doc);
		goto corrupt;
	}
	record_summary_from_json(doc, &summary);
	urimap_value_t *value = urimap_insert(&day->uris, uri, &added);
	if (added)
		value->summary = summary;
	else
		record_summary_merge(&value->summary, &summary);
	yajl_tree_free(doc);
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

static chatarc_status_t day_load(chatarc_archive_t *archive, const char *day_key,
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

	if (stat(day->path, &st) == 0) {
		off_t whole = 0;
		/* The writer's own reading: everything there, its own
		 * uncommitted appends too. */
		status = read_lines(day->path, -1, remember_line, day, &whole, err);
		if (status != CHATARC_OK)
			goto fail;
		/* A torn member from a killed writer: cut it off before appending
		 * after it, or every later member would be unreachable to zcat. */
		if (whole < st.st_size && truncate(day->path, whole) < 0) {
			status = errno_error(err, day->path, "cannot cut off a torn write");
			goto fail;
		}
		txn_note_file(archive, day->path, true, whole);
	} else if (errno == ENOENT) {
		txn_note_file(archive, day->path, false, 0);
	} else {
		status = errno_error(err, day->path, "cannot stat");
		goto fail;
	}
	*out = day;
	return CHATARC_OK;
fail:
	day_free(day);
	return status;
}

/* Appends data to out as one gzip member. */
static chatarc_status_t gzip_member(int level, const char *data, size_t len, strbuf_t *out,
                                    chatarc_error_t *err)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	/* windowBits 15 + 16: a gzip wrapper, so each flush is a gzip member. */
	if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return chatarc_error_set(err, CHATARC_ERR_NOMEM, "zlib: cannot start compressing");
	size_t bound = deflateBound(&z, len);
	strbuf_grow(out, bound);
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out->buf + out->len;
	z.avail_out = (uInt)bound;
	int rc = deflate(&z, Z_FINISH);
	out->len += z.total_out;
	out->buf[out->len] = '\0';
	deflateEnd(&z);
	if (rc != Z_STREAM_END)
		return chatarc_error_set(err, CHATARC_ERR_IO, "zlib: compressing failed (%d)", rc);
	return CHATARC_OK;
}

static chatarc_status_t day_flush(chatarc_archive_t *archive, struct archive_day *day,
                                  chatarc_error_t *err)
{
	chatarc_status_t status;
	strbuf_t member;

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
			return errno_error(err, day->path, "cannot open for appending");
	}
	strbuf_init(&member, 0);
	status = gzip_member(archive->level, day->pending.buf, day->pending.len, &member, err);
	if (status == CHATARC_OK)
		status = fs_write_all(day->fd, member.buf, member.len, day->path, err);
	strbuf_release(&member);
	if (status == CHATARC_OK && fsync(day->fd) < 0)
		status = errno_error(err, day->path, "fsync failed");
	if (status == CHATARC_OK)
		strbuf_reset(&day->pending);
	return status;
}

static struct archive_day *day_cached(chatarc_archive_t *archive, const char *day_key)
{
	for (struct archive_day *day = archive->newest; day; day = day->older)
		if (!memcmp(day->day, day_key, sizeof day->day))
			return day;
	return NULL;
}

static chatarc_status_t day_get(chatarc_archive_t *archive, const char *day_key,
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
static chatarc_status_t day_for(chatarc_archive_t *archive, const chatarc_record_t *record,
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
	in_chat.chat = archive->chat;
	strbuf_reset(&archive->line);
	record_to_json(&in_chat, &archive->line);
	strbuf_addch(&archive->line, '\n');
	strbuf_add(&day->pending, archive->line.buf, archive->line.len);
	if (day->pending.len >= ARCHIVE_MEMBER_BYTES)
		return day_flush(archive, day, err);
	return CHATARC_OK;
}

chatarc_status_t archive_commit(chatarc_archive_t *archive, chatarc_error_t *err)
{
	chatarc_status_t status;

	for (struct archive_day *day = archive->newest; day; day = day->older) {
		status = day_flush(archive, day, err);
		if (status != CHATARC_OK)
			return status;
	}
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
	txn_clear(archive);
	/* Days still cached start the next transaction as they are now. */
	for (struct archive_day *day = archive->newest; day; day = day->older) {
		struct stat st;
		bool exists = stat(day->path, &st) == 0;
		txn_note_file(archive, day->path, exists, exists ? st.st_size : 0);
	}
	return CHATARC_OK;
}

chatarc_status_t archive_rollback(chatarc_archive_t *archive, chatarc_error_t *err)
{
	chatarc_status_t status = CHATARC_OK;

	forget_days(archive);
	for (size_t i = 0; i < archive->txn_len; i++) {
		const struct txn_file *f = &archive->txn[i];
		int rc = f->existed ? truncate(f->path, f->size) : unlink(f->path);
		if (rc < 0 && errno != ENOENT && status == CHATARC_OK)
			status = errno_error(err, f->path, "cannot undo the import");
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

static chatarc_status_t note_line(void *ctx, char *line, size_t len, chatarc_error_t *err)
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
static chatarc_status_t kept_members(const chatarc_archive_t *archive, struct day_rewrite *rw,
                                     strlist_t *removed, strbuf_t *out, chatarc_error_t *err)
{
	strbuf_t member;
	chatarc_status_t status = CHATARC_OK;
	const char *line = rw->lines.buf;

	strbuf_init(&member, 0);
	for (size_t i = 0; status == CHATARC_OK && i < rw->uris.len; i++) {
		const char *end = strchr(line, '\n') + 1;
		if (urimap_find(&rw->dropped, rw->uris.items[i]))
			strlist_add_unique(removed, rw->uris.items[i]);
		else
			strbuf_add(&member, line, (size_t)(end - line));
		line = end;
		if (member.len >= ARCHIVE_MEMBER_BYTES || (i + 1 == rw->uris.len && member.len)) {
			status = gzip_member(archive->level, member.buf, member.len, out, err);
			strbuf_reset(&member);
		}
	}
	strbuf_release(&member);
	return status;
}

static chatarc_status_t rewrite_day(chatarc_archive_t *archive, const char *path,
                                    archive_drop_fn drop, void *ctx, strlist_t *removed,
                                    chatarc_error_t *err)
{
	struct day_rewrite rw = {.drop = drop, .ctx = ctx};
	strbuf_t packed;
	chatarc_status_t status;

	strbuf_init(&rw.lines, 0);
	strbuf_init(&packed, 0);
	urimap_init(&rw.dropped);
	record_init(&rw.record);
	status = read_lines(path, -1, note_line, &rw, NULL, err);
	if (status == CHATARC_OK && rw.dropped.count)
		status = kept_members(archive, &rw, removed, &packed, err);
	if (status != CHATARC_OK || !rw.dropped.count) {
		/* nothing of it goes, or it cannot be read: left as it is */
	} else if (packed.len) {
		status = fs_replace_file(path, packed.buf, packed.len, err);
	} else if (unlink(path) < 0) {
		status = errno_error(err, path, "cannot remove");
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
	chatarc_status_t status;

	forget_days(archive); /* nothing cached may outlive the files */
	status = archive_list_days(archive->data_dir, archive->chat, &days, err);
	for (size_t i = 0; status == CHATARC_OK && i < days.len; i++)
		status = rewrite_day(archive, days.items[i], drop, ctx, removed, err);
	strlist_clear(&days);
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

static chatarc_status_t deliver_lines(strbuf_t *member, archive_line_fn fn, void *ctx,
                                      chatarc_error_t *err)
{
	char *p = member->buf, *end = member->buf + member->len;
	while (p < end) {
		char *newline = memchr(p, '\n', (size_t)(end - p));
		char *line_end = newline ? newline : end;
		if (line_end > p) {
			*line_end = '\0';
			chatarc_status_t status = fn(ctx, p, (size_t)(line_end - p), err);
			if (status != CHATARC_OK)
				return status;
		}
		p = line_end + 1;
	}
	return CHATARC_OK;
}

/* How much of a day file is committed: its size in the journal of a
 * transaction under way (a writer holds the chat's lock), else all of it
 * (-1). */
static off_t committed_size(const char *path)
{
	const char *end = strrchr(path, '/');
	while (end && end > path && end[-1] != '/')
		end--; /* back over the year */
	if (!end || end == path)
		return -1;
	strbuf_t dir;
	strbuf_init(&dir, 0);
	strbuf_add(&dir, path, (size_t)(end - 1 - path));
	char *journal = txn_journal_path(dir.buf);
	strbuf_t text;
	strbuf_init(&text, 0);
	off_t limit = -1;
	chatarc_error_t ignored;
	if (fs_read_file(journal, &text, 1 << 20, &ignored) == CHATARC_OK && text.len) {
		strbuf_addstr(&dir, "/.lock");
		int fd = open(dir.buf, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		bool writing = fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
		if (fd >= 0)
			close(fd); /* releases the shared lock if it was taken */
		for (char *line = text.buf; writing && line && *line;) {
			char *next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			char *space = strchr(line, ' ');
			if (space && !strcmp(space + 1, path))
				limit = (off_t)strtoll(line, NULL, 10);
			line = next;
		}
	}
	free(journal);
	strbuf_release(&text);
	strbuf_release(&dir);
	return limit;
}

chatarc_status_t archive_read_lines(const char *path, archive_line_fn fn, void *ctx,
                                    off_t *whole_bytes, chatarc_error_t *err)
{
	return read_lines(path, committed_size(path), fn, ctx, whole_bytes, err);
}

/* limit: read no further than this (-1: to the end). */
static chatarc_status_t read_lines(const char *path, off_t limit, archive_line_fn fn, void *ctx,
                                   off_t *whole_bytes, chatarc_error_t *err)
{
	chatarc_status_t status = CHATARC_OK;
	unsigned char *chunk = xmalloc(ARCHIVE_READ_CHUNK);
	strbuf_t member;
	z_stream z;
	off_t consumed = 0, whole = 0;
	/* A day file is never read through a link either: one planted there
	 * would have us read, and a writer extend, a file outside the data
	 * directory. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		free(chunk);
		if (errno == ELOOP)
			return fs_link_refused(path, err);
		return errno_error(err, path, "cannot open");
	}
	memset(&z, 0, sizeof z);
	inflateInit2(&z, 15 + 16);
	strbuf_init(&member, 1 << 16);
	off_t read_so_far = 0;
	for (;;) {
		size_t want = ARCHIVE_READ_CHUNK;
		if (limit >= 0 && (off_t)want > limit - read_so_far)
			want = (size_t)(limit - read_so_far);
		ssize_t n = want ? read(fd, chunk, want) : 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0)
			read_so_far += n;
		if (n < 0) {
			status = errno_error(err, path, "read failed");
			break;
		}
		if (n == 0)
			break;
		z.next_in = chunk;
		z.avail_in = (uInt)n;
		while (z.avail_in) {
			strbuf_grow(&member, 1 << 16);
			z.next_out = (Bytef *)member.buf + member.len;
			z.avail_out = (uInt)(member.alloc - member.len - 1);
			uInt before_in = z.avail_in;
			int rc = inflate(&z, Z_NO_FLUSH);
			consumed += before_in - z.avail_in;
			strbuf_setlen(&member, member.alloc - 1 - z.avail_out);
			if (rc == Z_STREAM_END) {
				whole = consumed;
				status = deliver_lines(&member, fn, ctx, err);
				strbuf_reset(&member);
				inflateReset(&z);
				if (status != CHATARC_OK)
					goto out;
			} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
				status = chatarc_error_set(
				    err, CHATARC_ERR_CORRUPT,
				    "%s: damaged gzip data after byte %lld (%s); the archive "
				    "before it is intact: move the file aside and re-import",
				    path, (long long)whole, z.msg ? z.msg : "inflate failed");
				goto out;
			}
		}
	}
out:
	inflateEnd(&z);
	strbuf_release(&member);
	free(chunk);
	close(fd);
	if (whole_bytes)
		*whole_bytes = whole;
	if (status == CHATARC_ERR_CORRUPT && !strstr(err->message, path))
		chatarc_error_prefix(err, "%s", path);
	return status;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return s[n] == '\0';
}

static bool is_day_file(const char *name)
{
	chatarc_ms_t ignored;
	char day[11];
	if (strlen(name) != 19 || strcmp(name + 10, ".jsonl.gz"))
		return false;
	memcpy(day, name, 10);
	day[10] = '\0';
	return time_parse_iso8601(day, &ignored);
}

static bool is_year_dir(const char *name)
{
	return all_digits(name, 4);
}

chatarc_status_t archive_list_days(const char *data_dir, const char *chat, strlist_t *paths,
                                   chatarc_error_t *err)
{
	char *chat_dir = chat_dir_path(data_dir, chat);
	strlist_t years = {0};

	(void)err;
	/* Sorted years, each with its sorted days: time order overall. */
	fs_list_dir(chat_dir, is_year_dir, &years);
	for (size_t i = 0; i < years.len; i++)
		fs_list_dir(years.items[i], is_day_file, paths);
	strlist_clear(&years);
	free(chat_dir);
	return CHATARC_OK;
}

struct day_records {
	chatarc_record_t *records;
	size_t len, alloc;
	urimap_t uris;
	const char *path;
};

static chatarc_status_t collect_line(void *ctx, char *line, size_t len, chatarc_error_t *err)
{
	struct day_records *day = ctx;
	chatarc_record_t record;
	bool added;

	(void)len;
	if (record_from_json(line, &record, err) != CHATARC_OK) {
		chatarc_error_prefix(err, "%s", day->path);
		return CHATARC_ERR_CORRUPT;
	}
	urimap_value_t *value = urimap_insert(&day->uris, record.uri, &added);
	if (!added) {
		record_merge(&day->records[value->index], &record);
		record_clear(&record);
		return CHATARC_OK;
	}
	ALLOC_GROW(day->records, day->len + 1, day->alloc);
	value->index = day->len;
	day->records[day->len++] = record;
	return CHATARC_OK;
}

static int compare_records(const void *a, const void *b)
{
	const chatarc_record_t *x = a, *y = b;
	if (x->created_ms != y->created_ms)
		return x->created_ms < y->created_ms ? -1 : 1;
	return strcmp(x->uri, y->uri);
}

void archive_day_of_path(const char *path, char day[11], chatarc_ms_t *start)
{
	const char *name = strrchr(path, '/');
	char date[11];
	memcpy(date, name ? name + 1 : path, 10);
	date[10] = '\0';
	if (day)
		memcpy(day, date, 11);
	if (start)
		time_parse_iso8601(date, start);
}

chatarc_status_t archive_for_each(const char *data_dir, const char *chat, chatarc_ms_t from,
                                  chatarc_ms_t to, archive_record_fn fn, void *ctx,
                                  chatarc_error_t *err)
{
	strlist_t paths = {0};
	chatarc_status_t status = archive_list_days(data_dir, chat, &paths, err);
	/* The uris given from the day read before: a message an older chatarc wrote
	 * into two neighbouring day files (its time moved across midnight) is
	 * given once, as the first day has it. */
	urimap_t before;
	chatarc_ms_t before_start = INT64_MIN;
	urimap_init(&before);

	for (size_t i = 0; status == CHATARC_OK && i < paths.len; i++) {
		chatarc_ms_t day_start;
		archive_day_of_path(paths.items[i], NULL, &day_start);
		if (day_start + 86400000 <= from || day_start >= to)
			continue;

		struct day_records day = {.path = paths.items[i]};
		urimap_init(&day.uris);
		status = archive_read_lines(paths.items[i], collect_line, &day, NULL, err);
		if (status == CHATARC_OK && day.len > 0)
			qsort(day.records, day.len, sizeof *day.records, compare_records);
		bool adjacent = before_start == day_start - 86400000;
		urimap_t given;
		urimap_init(&given);
		for (size_t k = 0; k < day.len; k++) {
			chatarc_record_t *r = &day.records[k];
			bool added;
			if (status == CHATARC_OK && r->created_ms >= from && r->created_ms < to &&
			    !(adjacent && urimap_find(&before, r->uri))) {
				urimap_insert(&given, r->uri, &added);
				status = fn(ctx, r, err);
			}
			record_clear(r);
		}
		free(day.records);
		urimap_release(&day.uris);
		urimap_release(&before);
		before = given;
		before_start = day_start;
	}
	urimap_release(&before);
	strlist_clear(&paths);
	return status;
}

struct author_scan {
	chatarc_ms_t from, to;
	archive_author_fn fn;
	void *ctx;
	strbuf_t decoded;
};

/* The JSON string value that starts at p (just after the opening quote):
 * its end, and whether it holds escapes. */
static const char *string_end(const char *p, bool *escaped)
{
	*escaped = false;
	for (; *p && *p != '"'; p++)
		if (*p == '\\') {
			*escaped = true;
			if (!*++p)
				break;
		}
	return *p == '"' ? p : NULL;
}

/* Record lines start with chatarc's own fields, in record_to_json's order,
 * before `raw`: the first `,"author":` is the record's (inside a string,
 * quotes are escaped, so the pattern cannot occur there). */
static chatarc_status_t scan_author(void *ctx, char *line, size_t len, chatarc_error_t *err)
{
	struct author_scan *scan = ctx;
	static const char created_key[] = ",\"created_at\":\"", author_key[] = ",\"author\":\"";
	const char *created = strstr(line, created_key);
	const char *author = strstr(line, author_key);
	bool escaped;
	chatarc_ms_t at;
	char iso[40];
	(void)len;
	if (!created)
		return CHATARC_OK; /* not a record */
	created += sizeof created_key - 1;
	const char *created_end = string_end(created, &escaped);
	if (!created_end || created_end - created >= (long)sizeof iso)
		return CHATARC_OK;
	memcpy(iso, created, (size_t)(created_end - created));
	iso[created_end - created] = '\0';
	if (!time_parse_iso8601(iso, &at) || at < scan->from || at >= scan->to)
		return CHATARC_OK;
	const char *author_end = NULL;
	if (author) {
		author += sizeof author_key - 1;
		author_end = string_end(author, &escaped);
	}
	strbuf_setlen(&scan->decoded, 0);
	if (!author_end) {
		/* no author: the time still counts */
	} else if (escaped) {
		/* Rare: let the JSON parser undo the escapes. */
		yajl_val value;
		strbuf_addch(&scan->decoded, '[');
		strbuf_add(&scan->decoded, author - 1, (size_t)(author_end - author) + 2);
		strbuf_addch(&scan->decoded, ']');
		chatarc_error_t ignored;
		if (json_parse(scan->decoded.buf, &value, &ignored) == CHATARC_OK) {
			strbuf_setlen(&scan->decoded, 0);
			if (YAJL_IS_STRING(json_array_at(value, 0)))
				strbuf_addstr(&scan->decoded, json_array_at(value, 0)->u.string);
			yajl_tree_free(value);
		} else {
			strbuf_setlen(&scan->decoded, 0);
		}
	} else {
		strbuf_add(&scan->decoded, author, (size_t)(author_end - author));
	}
	return scan->fn(scan->ctx, scan->decoded.len ? scan->decoded.buf : NULL, at, err);
}

chatarc_status_t archive_for_each_author(const char *data_dir, const char *chat, chatarc_ms_t from,
                                         chatarc_ms_t to, archive_author_fn fn, void *ctx,
                                         chatarc_error_t *err)
{
	strlist_t paths = {0};
	struct author_scan scan = {.from = from, .to = to, .fn = fn, .ctx = ctx};
	chatarc_status_t status = archive_list_days(data_dir, chat, &paths, err);
	strbuf_init(&scan.decoded, 64);
	for (size_t i = 0; status == CHATARC_OK && i < paths.len; i++) {
		chatarc_ms_t day_start;
		archive_day_of_path(paths.items[i], NULL, &day_start);
		if (day_start + 86400000 <= from || day_start >= to)
			continue;
		status = archive_read_lines(paths.items[i], scan_author, &scan, NULL, err);
	}
	strbuf_release(&scan.decoded);
	strlist_clear(&paths);
	return status;
}
