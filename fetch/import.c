/* Import: bytes (gzip or plain) -> jsonstream objects -> yajl trees ->
 * post converters -> archive. Only one object is in memory at a time. */
#define _DEFAULT_SOURCE
#include "import.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "../common/alloc.h"
#include "../common/fsutil.h"
#include "../common/json.h"
#include "csvstream.h"
#include "jsonstream.h"
#include "posts.h"
#include "readahead.h"
#include "twitter-csv.h"

#define IMPORT_CHUNK (256u << 10)

struct import_run {
	chatarc_archive_t *archive;
	chatarc_archive_t *boosts; /* NULL: boosts are counted only */
	const import_options_t *options;
	const char *path;
	import_stats_t *stats;
	post_converter_t conv;
	long object_line;         /* where the object being converted starts */
	long error_line;          /* where the error is, 0 when not inside the JSON */
	bool object_failed;       /* the error came from an object, not the stream */
	char *owner, *owner_name; /* from account.js */
	tweet_csv_t *csv;         /* a CSV file's dialect, once its header is read */
};

/* Whether the record carries one of the chat's tags: in its tags, or
 * written in its text (a source whose tags were not kept). */
static bool carries_chat_tag(const chatarc_record_t *r, const strlist_t *chat_tags)
{
	for (size_t i = 0; i < chat_tags->len; i++) {
		const char *tag = chat_tags->items[i];
		size_t len = strlen(tag);
		for (size_t k = 0; k < r->tags.len; k++)
			if (!strcasecmp(r->tags.items[k], tag))
				return true;
		for (const char *p = r->text ? strchr(r->text, '#') : NULL; p;
		     p = strchr(p + 1, '#'))
			/* Twitter Archiver glues a quoted tweet to the text:
			 * "#PSTweetChatRT @user: ..." (4 of #PSTweetChat's 2,473). */
			if (record_hashtag_end(p, tag) ||
			    (!strncasecmp(p + 1, tag, len) && !strncmp(p + 1 + len, "RT @", 4)))
				return true;
	}
	return false;
}

static CHATARC_MUST_CHECK chatarc_status_t store_record(void *ctx, chatarc_record_t *record,
                                                        chatarc_error_t *err)
{
	struct import_run *run = ctx;
	const import_options_t *options = run->options;
	if (options->chat_tags && options->chat_tags->len &&
	    !carries_chat_tag(record, options->chat_tags)) {
		run->stats->off_tag++;
		if (options->require_tag)
			return CHATARC_OK;
	}
	archive_outcome_t outcome;
	chatarc_status_t status = archive_add(run->archive, record, &outcome, err);
	if (status != CHATARC_OK)
		return status;
	run->stats->posts++;
	archive_tally_add(&run->stats->stored, outcome);
	return CHATARC_OK;
}

static CHATARC_MUST_CHECK chatarc_status_t store_boost(void *ctx, chatarc_record_t *record,
                                                       chatarc_error_t *err)
{
	struct import_run *run = ctx;
	archive_outcome_t outcome;
	return archive_add(run->boosts, record, &outcome, err);
}

/* Both archives undone: nothing of the file stays. */
static void undo(struct import_run *run, chatarc_error_t *err, const char *path, bool say)
{
	chatarc_error_t undo_err;
	if (archive_rollback(run->archive, &undo_err) != CHATARC_OK ||
	    (run->boosts && archive_rollback(run->boosts, &undo_err) != CHATARC_OK))
		chatarc_error_append(err, "and undoing failed: %s", undo_err.message);
	else if (say)
		chatarc_error_append(err, "nothing of %s was kept: fix that and import it again",
		                     path);
}

/* A post that cannot be read is skipped under keep_going (reported with its
 * line); store errors (disk full) are never skipped: they are not the post's. */
static CHATARC_MUST_CHECK chatarc_status_t post_failed(struct import_run *run,
                                                       chatarc_status_t status, long line,
                                                       chatarc_error_t *err)
{
	if ((status == CHATARC_ERR_JSON || status == CHATARC_ERR_FORMAT) &&
	    run->options->keep_going) {
		char message[sizeof err->message + 256];
		snprintf(message, sizeof message, "%s:%ld: skipped: %s", run->path, line,
		         err->message);
		run->stats->skipped++;
		if (run->options->warning)
			run->options->warning(run->options->ctx, message);
		return CHATARC_OK;
	}
	run->object_failed = status != CHATARC_OK;
	return status;
}

static CHATARC_MUST_CHECK chatarc_status_t import_object(void *ctx, char *json, size_t len,
                                                         long line, chatarc_error_t *err)
{
	struct import_run *run = ctx;
	yajl_val obj;
	chatarc_status_t status;

	run->stats->objects++;
	run->object_line = line;
	status = json_parse_text(json, len, &obj, err);
	if (status == CHATARC_OK) {
		long boosts_before = run->conv.boosts;
		status = posts_convert_object(&run->conv, obj, err);
		run->stats->boosts += run->conv.boosts - boosts_before;
		json_free(obj);
	}
	return post_failed(run, status, line, err);
}

static CHATARC_MUST_CHECK chatarc_status_t import_row(void *ctx, char **fields, size_t n, long line,
                                                      long last_line, chatarc_error_t *err)
{
	struct import_run *run = ctx;
	(void)last_line;
	run->stats->objects++;
	run->object_line = line;
	long boosts_before = run->conv.boosts;
	chatarc_status_t status = tweet_csv_row(&run->conv, run->csv, fields, n, err);
	run->stats->boosts += run->conv.boosts - boosts_before;
	if (!tweet_csv_dialect(run->csv))
		return status; /* no header found: the file, not a row, is wrong */
	if (status == CHATARC_ERR_FORMAT && !run->options->keep_going)
		chatarc_error_append(err, "--keep-going imports the other rows");
	return post_failed(run, status, line, err);
}

/* A Twitter archive names its owner in account.js beside tweets.js. */
static CHATARC_MUST_CHECK chatarc_status_t read_owner_object(void *ctx, char *json, size_t len,
                                                             long line, chatarc_error_t *err)
{
	struct import_run *run = ctx;
	yajl_val obj;
	(void)len;
	(void)line;
	if (json_parse(json, &obj, err) != CHATARC_OK)
		return CHATARC_OK;
	yajl_val account = json_get(obj, "account");
	const char *username = json_get_string(account, "username");
	if (username && !run->owner) {
		run->owner = xstrdup(username);
		const char *name = json_get_string(account, "accountDisplayName");
		run->owner_name = name ? xstrdup(name) : NULL;
	}
	json_free(obj);
	return CHATARC_OK;
}

static void find_archive_owner(struct import_run *run)
{
	char *dir = fs_dirname(run->path);
	strbuf_t account_path;
	strbuf_init(&account_path, 0);
	strbuf_addf(&account_path, "%s/account.js", dir);
	free(dir);
	FILE *f = fopen(account_path.buf, "rb");
	strbuf_release(&account_path);
	if (!f)
		return;
	jsonstream_t js;
	char buf[8192];
	size_t n;
	chatarc_error_t ignored;
	jsonstream_init(&js, read_owner_object, run);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		if (jsonstream_feed(&js, buf, n, &ignored) != CHATARC_OK)
			break;
	jsonstream_release(&js);
	fclose(f);
}

static CHATARC_MUST_CHECK chatarc_status_t open_input(const char *path, gzFile *out,
                                                      unsigned long long *size,
                                                      chatarc_error_t *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return chatarc_error_set(err,
		                         errno == ENOENT ? CHATARC_ERR_NOT_FOUND : CHATARC_ERR_IO,
		                         "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
		close(fd);
		return chatarc_error_set(err, CHATARC_ERR_USAGE,
		                         "%s: is a directory: name the post files in it", path);
	}
	if (st.st_size == 0) {
		close(fd);
		return chatarc_error_set(err, CHATARC_ERR_FORMAT, "%s: empty file: no posts in it",
		                         path);
	}
	*size = (unsigned long long)st.st_size;
	*out = gzdopen(fd, "rb");
	if (!*out) {
		close(fd);
		return chatarc_error_set(err, CHATARC_ERR_NOMEM, "%s: cannot start reading", path);
	}
	gzbuffer(*out, IMPORT_CHUNK);
	return CHATARC_OK;
}

static CHATARC_MUST_CHECK chatarc_status_t gzip_error(gzFile in, const char *path,
                                                      chatarc_error_t *err)
{
	int code;
	const char *message = gzerror(in, &code);
	if (code == Z_BUF_ERROR)
		return chatarc_error_set(err, CHATARC_ERR_FORMAT,
		                         "%s: truncated gzip: the file ends inside its compressed "
		                         "data; copy or download it again",
		                         path);
	if (code == Z_ERRNO)
		return chatarc_error_set(err, CHATARC_ERR_IO, "%s: read failed: %s", path,
		                         strerror(errno));
	return chatarc_error_set(err, CHATARC_ERR_FORMAT, "%s: damaged gzip data: %s", path,
	                         message);
}

/* JSON starts with an object, an array or tweets.js's "window.YTD..."
 * (after a BOM and blanks); anything else is read as CSV, whose header
 * row then says which dialect it is. */
static bool looks_like_json(const char *data, size_t len)
{
	size_t i = 0;
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		i = 3;
	while (i < len && strchr(" \t\r\n", data[i]))
		i++;
	/* '<': an HTML error page saved as a post file; JSON's reader says so. */
	return i == len || data[i] == '{' || data[i] == '[' || data[i] == '<' ||
	       (len - i >= 7 && !memcmp(data + i, "window.", 7));
}

/* The two readers behind one face: bytes in, posts to the converter. */
struct post_reader {
	bool csv;
	jsonstream_t js;
	csvstream_t cs;
};

static CHATARC_MUST_CHECK chatarc_status_t reader_feed(struct post_reader *reader, const char *data,
                                                       size_t len, chatarc_error_t *err)
{
	return reader->csv ? csvstream_feed(&reader->cs, data, len, err)
	                   : jsonstream_feed(&reader->js, data, len, err);
}

static CHATARC_MUST_CHECK chatarc_status_t reader_finish(struct post_reader *reader,
                                                         chatarc_error_t *err)
{
	return reader->csv ? csvstream_finish(&reader->cs, err)
	                   : jsonstream_finish(&reader->js, err);
}

static long reader_line(const struct post_reader *reader)
{
	return reader->csv ? reader->cs.line : reader->js.line;
}

static CHATARC_MUST_CHECK chatarc_status_t read_all(struct import_run *run, gzFile in,
                                                    unsigned long long size, chatarc_error_t *err)
{
	const import_options_t *options = run->options;
	struct post_reader reader = {0};
	bool started = false;
	chatarc_status_t status = CHATARC_OK;
	time_t last_progress = time(NULL);
	readahead_t *ahead = readahead_start(in, IMPORT_CHUNK);

	if (!ahead)
		return chatarc_error_set(err, CHATARC_ERR_NOMEM, "%s: cannot start reading",
		                         run->path);
	for (;;) {
		const char *chunk;
		unsigned long long offset;
		long n = readahead_next(ahead, &chunk, &offset);
		if (n <= 0) {
			readahead_stop(ahead); /* gzerror is ours to ask again */
			ahead = NULL;
		}
		if (n < 0) {
			status = gzip_error(in, run->path, err);
			break;
		}
		if (!started) {
			started = true;
			reader.csv = n > 0 && !looks_like_json(chunk, (size_t)n);
			if (reader.csv) {
				csvstream_init(&reader.cs, import_row, run);
				run->csv = tweet_csv_new(options->time_zone);
			} else {
				jsonstream_init(&reader.js, import_object, run);
			}
		}
		if (n == 0) {
			/* gzread reports a torn stream as end of input plus an error. */
			int code;
			gzerror(in, &code);
			if (code != Z_OK && code != Z_STREAM_END)
				status = gzip_error(in, run->path, err);
			else if ((status = reader_finish(&reader, err)) != CHATARC_OK)
				run->error_line =
				    run->object_failed ? run->object_line : reader_line(&reader);
			else if (reader.csv && !tweet_csv_dialect(run->csv))
				status = chatarc_error_set(err, CHATARC_ERR_FORMAT, "%s: %s",
				                           run->path, TWEET_CSV_NO_HEADER);
			break;
		}
		run->stats->bytes += (unsigned long long)n;
		status = reader_feed(&reader, chunk, (size_t)n, err);
		if (status != CHATARC_OK) {
			run->error_line =
			    run->object_failed ? run->object_line : reader_line(&reader);
			break;
		}
		if (options->progress && time(NULL) != last_progress) {
			last_progress = time(NULL);
			options->progress(options->ctx, run->path, offset, size, run->stats);
		}
	}
	if (reader.csv) {
		csvstream_release(&reader.cs);
		tweet_csv_free(run->csv);
		run->csv = NULL;
	} else if (started) {
		jsonstream_release(&reader.js);
	}
	readahead_stop(ahead);
	return status;
}

chatarc_status_t import_file(chatarc_archive_t *archive, chatarc_archive_t *boosts,
                             const char *chat, const char *path, const import_options_t *options,
                             import_stats_t *stats, chatarc_error_t *err)
{
	struct import_run run = {
	    .archive = archive, .boosts = boosts, .options = options, .path = path, .stats = stats};
	unsigned long long size = 0;
	gzFile in;
	chatarc_status_t status;

	memset(stats, 0, sizeof *stats);
	status = open_input(path, &in, &size, err);
	if (status != CHATARC_OK)
		return status;
	if (!options->author)
		find_archive_owner(&run);
	run.conv = (post_converter_t){
	    .chat = chat,
	    .source = options->source ? options->source : "import",
	    .archive_author = options->author ? options->author : run.owner,
	    .archive_author_name = options->author ? NULL : run.owner_name,
	    .sink = store_record,
	    .sink_ctx = &run,
	    .boost_sink = boosts ? store_boost : NULL,
	    .boost_sink_ctx = &run,
	    .honour_consent = options->honour_consent,
	};

	status = read_all(&run, in, size, err);
	gzclose(in);
	if (status == CHATARC_OK || options->keep_going) {
		chatarc_status_t finish_status = posts_finish(&run.conv, err);
		if (status == CHATARC_OK)
			status = finish_status;
	}
	stats->consent_skipped = run.conv.consent_skipped;
	posts_release(&run.conv);
	if (run.error_line > 0)
		chatarc_error_prefix(err, "%s:%ld", path, run.error_line);
	if (status != CHATARC_OK && !(options->keep_going && status != CHATARC_ERR_IO)) {
		undo(&run, err, path, status == CHATARC_ERR_IO);
		goto out;
	}
	chatarc_status_t read_status = status;
	/* The boosts first: a crash between the two commits leaves boost
	 * events of messages not yet archived, which the import run again
	 * completes (both dedup), never messages whose boosts were lost. */
	status = boosts ? archive_commit(boosts, err) : CHATARC_OK;
	if (status == CHATARC_OK)
		status = archive_commit(archive, err);
	if (status != CHATARC_OK) {
		undo(&run, err, path, true);
		goto out;
	}
	if (read_status != CHATARC_OK)
		status = CHATARC_ERR_PARTIAL;
	else if (stats->skipped)
		status = CHATARC_ERR_PARTIAL;
out:
	free(run.owner);
	free(run.owner_name);
	return status;
}
