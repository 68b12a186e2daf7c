/* Archive reader: whole gzip members only, no further than a writer's open
 * transaction has committed; and what the writer shares with it. */
#define _DEFAULT_SOURCE
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
#include "archive-internal.h"
#include "archive.h"
#include "fsutil.h"
#include "json.h"
#include "urimap.h"

#define ARCHIVE_READ_CHUNK (256u << 10)

chatarc_status_t archive_errno_error(chatarc_error_t *err, const char *path, const char *what)
{
	return chatarc_error_set(err, CHATARC_ERR_IO, "%s: %s: %s", path, what, strerror(errno));
}

char *archive_chat_dir(const char *data_dir, const char *chat)
{
	strbuf_t sb;
	strbuf_init(&sb, 0);
	strbuf_addf(&sb, "%s/archive/%s", data_dir, chat);
	return strbuf_detach(&sb, NULL);
}

/* The transaction's journal, DIR/archive/CHAT/.txn: for each day file the
 * open transaction appends to, its committed size ("SIZE PATH" a line).
 * Readers that find it while a writer holds the chat's lock read no
 * further than that (archive_read_lines), so an import that fails and
 * rolls back, or is still running, never shows in an index or a page. */
void archive_written_mark(const char *data_dir, const char *chat, char out[48])
{
	char *chat_dir = archive_chat_dir(data_dir, chat);
	strbuf_t path, text;
	chatarc_error_t ignored;
	strbuf_init(&path, 0);
	strbuf_init(&text, 0);
	strbuf_addf(&path, "%s/.written", chat_dir);
	out[0] = '\0';
	if (fs_read_file(path.buf, &text, 40, &ignored) == CHATARC_OK && text.len &&
	    text.buf[text.len - 1] == '\n')
		snprintf(out, 48, "%.*s", (int)text.len - 1, text.buf);
	strbuf_release(&path);
	strbuf_release(&text);
	free(chat_dir);
}

char *archive_journal_path(const char *chat_dir)
{
	strbuf_t sb;
	strbuf_init(&sb, 0);
	strbuf_addf(&sb, "%s/.txn", chat_dir);
	return strbuf_detach(&sb, NULL);
}

static CHATARC_MUST_CHECK chatarc_status_t deliver_lines(strbuf_t *member, archive_line_fn fn,
                                                         void *ctx, chatarc_error_t *err)
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
	char *journal = archive_journal_path(dir.buf);
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
	return archive_read_upto(path, committed_size(path), fn, ctx, whole_bytes, err);
}

/* limit: read no further than this (-1: to the end). */
chatarc_status_t archive_read_upto(const char *path, off_t limit, archive_line_fn fn, void *ctx,
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
		return archive_errno_error(err, path, "cannot open");
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
			status = archive_errno_error(err, path, "read failed");
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
	char *chat_dir = archive_chat_dir(data_dir, chat);
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

void archive_cut_raw(char *line)
{
	/* raw is the last field (record_to_json) and by far the largest. The
	 * pattern cannot occur earlier: the fields before raw are strings
	 * (their quotes escaped), arrays of strings and numbers. */
	char *raw = strstr(line, ",\"raw\":");
	if (raw) {
		raw[0] = '}';
		raw[1] = '\0';
	}
}

/* Who wrote a line and when, as archive_for_each_author gives it. */
struct line_moment {
	chatarc_ms_t at;
	char *author; /* NULL for none */
};

struct day_records {
	chatarc_record_t *records;
	size_t len, alloc;
	urimap_t uris;
	const char *path;
	bool without_raw;
	bool keep_moments; /* each line's moment too, in file order */
	struct line_moment *moments;
	size_t n_moments, moments_alloc;
};

static CHATARC_MUST_CHECK chatarc_status_t collect_line(void *ctx, char *line, size_t len,
                                                        chatarc_error_t *err)
{
	struct day_records *day = ctx;
	chatarc_record_t record;
	bool added;

	(void)len;
	if (day->without_raw)
		archive_cut_raw(line);
	if (record_from_json(line, &record, err) != CHATARC_OK) {
		chatarc_error_prefix(err, "%s", day->path);
		return CHATARC_ERR_CORRUPT;
	}
	if (day->keep_moments) {
		ALLOC_GROW(day->moments, day->n_moments + 1, day->moments_alloc);
		day->moments[day->n_moments++] = (struct line_moment){
		    record.created_ms, record.author ? xstrdup(record.author) : NULL};
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

/* How many day files a cache keeps: the indexer reads a UTC day once for
 * itself and once for the session windows of the three local dates it
 * touches, which reach a day either side. */
#define ARCHIVE_CACHE_DAYS 4

struct cached_day {
	char *path; /* NULL: an empty slot */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	chatarc_record_t *records; /* the day's messages, versions merged, raw NULL */
	size_t len;
	struct line_moment *moments; /* each line's, in file order */
	size_t n_moments;
	unsigned long used; /* the cache's clock when last asked for */
};

struct archive_day_cache {
	struct cached_day days[ARCHIVE_CACHE_DAYS];
	unsigned long clock;
};

archive_day_cache_t *archive_day_cache_new(void)
{
	return xcalloc(1, sizeof(archive_day_cache_t));
}

static void free_moments(struct line_moment *moments, size_t n)
{
	for (size_t k = 0; k < n; k++)
		free(moments[k].author);
	free(moments);
}

static void cached_day_clear(struct cached_day *d)
{
	for (size_t k = 0; k < d->len; k++)
		record_clear(&d->records[k]);
	free(d->records);
	free_moments(d->moments, d->n_moments);
	free(d->path);
	memset(d, 0, sizeof *d);
}

void archive_day_cache_free(archive_day_cache_t *cache)
{
	if (!cache)
		return;
	for (int i = 0; i < ARCHIVE_CACHE_DAYS; i++)
		cached_day_clear(&cache->days[i]);
	free(cache);
}

/* The day file's merged records, read now or kept from a read of the same
 * file as it is (same inode, size and modification time). */
static CHATARC_MUST_CHECK chatarc_status_t cache_day(archive_day_cache_t *cache, const char *path,
                                                     const struct cached_day **out,
                                                     chatarc_error_t *err)
{
	struct stat st;
	bool known = stat(path, &st) == 0;
	if (!known)
		memset(&st, 0, sizeof st);
	/* The slot to read into: the file's older reading if it has one, else
	 * the least used (an empty slot was never used). */
	struct cached_day *victim = NULL;
	bool victim_is_older_reading = false;
	for (int i = 0; i < ARCHIVE_CACHE_DAYS; i++) {
		struct cached_day *d = &cache->days[i];
		bool same_path = d->path && !strcmp(d->path, path);
		if (known && same_path && d->dev == st.st_dev && d->ino == st.st_ino &&
		    d->size == st.st_size && d->mtime.tv_sec == st.st_mtim.tv_sec &&
		    d->mtime.tv_nsec == st.st_mtim.tv_nsec) {
			d->used = ++cache->clock;
			*out = d;
			return CHATARC_OK;
		}
		if (same_path ||
		    (!victim_is_older_reading && (!victim || d->used < victim->used))) {
			victim = d;
			victim_is_older_reading = same_path;
		}
	}
	cached_day_clear(victim);
	struct day_records day = {.path = path, .without_raw = true, .keep_moments = true};
	urimap_init(&day.uris);
	chatarc_status_t status = archive_read_lines(path, collect_line, &day, NULL, err);
	urimap_release(&day.uris);
	/* A file that could not be looked at is kept nameless: read each time. */
	*victim = (struct cached_day){.path = known ? xstrdup(path) : NULL,
	                              .dev = st.st_dev,
	                              .ino = st.st_ino,
	                              .size = st.st_size,
	                              .mtime = st.st_mtim,
	                              .records = day.records,
	                              .len = day.len,
	                              .moments = day.moments,
	                              .n_moments = day.n_moments,
	                              .used = known ? ++cache->clock : 0};
	if (status != CHATARC_OK) {
		cached_day_clear(victim);
		return status;
	}
	*out = victim;
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

/* The day files that may hold messages of [from, to). A window of a few
 * weeks (a session, a day: what the summariser and export's session
 * columns ask for, thousands of times over an archive) names its days and
 * looks for each, instead of listing years of day files every time. */
static CHATARC_MUST_CHECK chatarc_status_t list_days_between(const char *data_dir, const char *chat,
                                                             chatarc_ms_t from, chatarc_ms_t to,
                                                             strlist_t *paths, chatarc_error_t *err)
{
	const chatarc_ms_t day_ms = 86400000;
	if (from == INT64_MIN || to == INT64_MAX || to <= from || to - from > 40 * day_ms)
		return archive_list_days(data_dir, chat, paths, err);
	char *chat_dir = archive_chat_dir(data_dir, chat);
	strbuf_t path;
	strbuf_init(&path, 0);
	for (chatarc_ms_t day = from - ((from % day_ms) + day_ms) % day_ms; day < to;
	     day += day_ms) {
		char date[11];
		struct stat st;
		time_format_day(day, date);
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%.4s/%s.jsonl.gz", chat_dir, date, date);
		if (stat(path.buf, &st) == 0 && S_ISREG(st.st_mode))
			strlist_add(paths, path.buf);
	}
	strbuf_release(&path);
	free(chat_dir);
	return CHATARC_OK;
}

/* One chat's walk through its days. */
struct chat_walk {
	strlist_t paths;
	size_t next;
	/* The uris given from the day read before: a message an older chatarc
	 * wrote into two neighbouring day files (its time moved across
	 * midnight) is given once, as the first day has it. */
	urimap_t before;
	chatarc_ms_t before_start;
};

static const char *day_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* Reads the walk's next day into out (versions merged, the day before's
 * uris left out), advancing the walk. Through a cache, out borrows the
 * cache's records (for_each clears none of them). */
static CHATARC_MUST_CHECK chatarc_status_t read_walk_day(struct chat_walk *walk,
                                                         archive_day_cache_t *cache,
                                                         chatarc_ms_t from, chatarc_ms_t to,
                                                         bool without_raw, struct day_records *out,
                                                         chatarc_error_t *err)
{
	const char *path = walk->paths.items[walk->next++];
	chatarc_ms_t day_start;
	archive_day_of_path(path, NULL, &day_start);
	struct day_records day = {.path = path, .without_raw = without_raw};
	const struct cached_day *cached = NULL;
	urimap_init(&day.uris);
	chatarc_status_t status = cache ? cache_day(cache, path, &cached, err)
	                                : archive_read_lines(path, collect_line, &day, NULL, err);
	chatarc_record_t *records = cached ? cached->records : day.records;
	size_t len = cached ? cached->len : day.len;
	bool adjacent = walk->before_start == day_start - 86400000;
	urimap_t given;
	urimap_init(&given);
	for (size_t k = 0; k < len; k++) {
		chatarc_record_t *r = &records[k];
		bool added;
		if (status == CHATARC_OK && r->created_ms >= from && r->created_ms < to &&
		    !(adjacent && urimap_find(&walk->before, r->uri))) {
			urimap_insert(&given, r->uri, &added);
			ALLOC_GROW(out->records, out->len + 1, out->alloc);
			out->records[out->len++] = *r;
		} else if (!cached) {
			record_clear(r);
		}
	}
	free(day.records);
	urimap_release(&day.uris);
	urimap_release(&walk->before);
	walk->before = given;
	walk->before_start = day_start;
	return status;
}

static int compare_chat_records(const void *a, const void *b)
{
	int order = compare_records(a, b);
	const chatarc_record_t *x = a, *y = b;
	return order ? order : strcmp(x->chat ? x->chat : "", y->chat ? y->chat : "");
}

/* The chats' messages in [from, to), day by day: each UTC day of every
 * chat read, then given in time order. Memory holds one day of them. */
static CHATARC_MUST_CHECK chatarc_status_t for_each(const char *data_dir, const char *const *chats,
                                                    size_t n_chats, chatarc_ms_t from,
                                                    chatarc_ms_t to, bool without_raw,
                                                    archive_day_cache_t *cache,
                                                    archive_record_fn fn, void *ctx,
                                                    chatarc_error_t *err)
{
	struct chat_walk *walks = xcalloc(n_chats ? n_chats : 1, sizeof *walks);
	chatarc_status_t status = CHATARC_OK;
	for (size_t c = 0; c < n_chats && status == CHATARC_OK; c++) {
		walks[c].before_start = INT64_MIN;
		urimap_init(&walks[c].before);
		status = list_days_between(data_dir, chats[c], from, to, &walks[c].paths, err);
	}
	struct day_records day = {0};
	while (status == CHATARC_OK) {
		/* The earliest day any chat has next (names sort as dates). */
		const char *first = NULL;
		for (size_t c = 0; c < n_chats; c++) {
			struct chat_walk *w = &walks[c];
			if (w->next < w->paths.len &&
			    (!first || strcmp(day_name(w->paths.items[w->next]), first) < 0))
				first = day_name(w->paths.items[w->next]);
		}
		if (!first)
			break;
		char date[11];
		chatarc_ms_t day_start;
		archive_day_of_path(first, date, &day_start);
		bool in_range = !(day_start + 86400000 <= from || day_start >= to);
		day.len = 0;
		for (size_t c = 0; c < n_chats && status == CHATARC_OK; c++) {
			struct chat_walk *w = &walks[c];
			if (w->next >= w->paths.len ||
			    strncmp(day_name(w->paths.items[w->next]), date, 10))
				continue;
			if (in_range)
				status = read_walk_day(w, cache, from, to, without_raw, &day, err);
			else
				w->next++;
		}
		if (status == CHATARC_OK && day.len > 1)
			qsort(day.records, day.len, sizeof *day.records,
			      n_chats > 1 ? compare_chat_records : compare_records);
		for (size_t k = 0; k < day.len; k++) {
			if (status == CHATARC_OK)
				status = fn(ctx, &day.records[k], err);
			if (!cache)
				record_clear(&day.records[k]);
		}
	}
	free(day.records);
	for (size_t c = 0; c < n_chats; c++) {
		urimap_release(&walks[c].before);
		strlist_clear(&walks[c].paths);
	}
	free(walks);
	return status;
}

chatarc_status_t archive_for_each(const char *data_dir, const char *chat, chatarc_ms_t from,
                                  chatarc_ms_t to, archive_record_fn fn, void *ctx,
                                  chatarc_error_t *err)
{
	return for_each(data_dir, &chat, 1, from, to, false, NULL, fn, ctx, err);
}

chatarc_status_t archive_for_each_without_raw(const char *data_dir, const char *chat,
                                              chatarc_ms_t from, chatarc_ms_t to,
                                              archive_record_fn fn, void *ctx, chatarc_error_t *err)
{
	return for_each(data_dir, &chat, 1, from, to, true, NULL, fn, ctx, err);
}

chatarc_status_t archive_for_each_cached(archive_day_cache_t *cache, const char *data_dir,
                                         const char *chat, chatarc_ms_t from, chatarc_ms_t to,
                                         archive_record_fn fn, void *ctx, chatarc_error_t *err)
{
	return for_each(data_dir, &chat, 1, from, to, true, cache, fn, ctx, err);
}

chatarc_status_t archive_for_each_in_chats(const char *data_dir, const char *const *chats,
                                           size_t n_chats, chatarc_ms_t from, chatarc_ms_t to,
                                           archive_record_fn fn, void *ctx, chatarc_error_t *err)
{
	return for_each(data_dir, chats, n_chats, from, to, false, NULL, fn, ctx, err);
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
static CHATARC_MUST_CHECK chatarc_status_t scan_author(void *ctx, char *line, size_t len,
                                                       chatarc_error_t *err)
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
			json_free(value);
		} else {
			strbuf_setlen(&scan->decoded, 0);
		}
	} else {
		strbuf_add(&scan->decoded, author, (size_t)(author_end - author));
	}
	return scan->fn(scan->ctx, scan->decoded.len ? scan->decoded.buf : NULL, at, err);
}

chatarc_status_t archive_for_each_author_cached(archive_day_cache_t *cache, const char *data_dir,
                                                const char *chat, chatarc_ms_t from,
                                                chatarc_ms_t to, archive_author_fn fn, void *ctx,
                                                chatarc_error_t *err)
{
	strlist_t paths = {0};
	struct author_scan scan = {.from = from, .to = to, .fn = fn, .ctx = ctx};
	chatarc_status_t status = list_days_between(data_dir, chat, from, to, &paths, err);
	strbuf_init(&scan.decoded, 64);
	for (size_t i = 0; status == CHATARC_OK && i < paths.len; i++) {
		chatarc_ms_t day_start;
		archive_day_of_path(paths.items[i], NULL, &day_start);
		if (day_start + 86400000 <= from || day_start >= to)
			continue;
		const struct cached_day *cached = NULL;
		if (!cache)
			status = archive_read_lines(paths.items[i], scan_author, &scan, NULL, err);
		else
			status = cache_day(cache, paths.items[i], &cached, err);
		for (size_t k = 0; status == CHATARC_OK && cached && k < cached->n_moments; k++) {
			const struct line_moment *m = &cached->moments[k];
			if (m->at >= from && m->at < to)
				status = fn(ctx, m->author, m->at, err);
		}
	}
	strbuf_release(&scan.decoded);
	strlist_clear(&paths);
	return status;
}

chatarc_status_t archive_for_each_author(const char *data_dir, const char *chat, chatarc_ms_t from,
                                         chatarc_ms_t to, archive_author_fn fn, void *ctx,
                                         chatarc_error_t *err)
{
	return archive_for_each_author_cached(NULL, data_dir, chat, from, to, fn, ctx, err);
}
