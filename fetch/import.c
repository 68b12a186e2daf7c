/* Import: bytes (gzip or plain) -> jsonstream objects -> yajl trees ->
 * post converters -> archive. Only one object is in memory at a time. */
#define _DEFAULT_SOURCE
#include "import.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "../common/alloc.h"
#include "../common/fsutil.h"
#include "../common/json.h"
#include "jsonstream.h"
#include "posts.h"

#define IMPORT_CHUNK (256u << 10)

struct import_run {
	chatarc_archive_t *archive;
	const import_options_t *options;
	const char *path;
	import_stats_t *stats;
	post_converter_t conv;
	long object_line;         /* where the object being converted starts */
	long error_line;          /* where the error is, 0 when not inside the JSON */
	bool object_failed;       /* the error came from an object, not the stream */
	char *owner, *owner_name; /* from account.js */
};

static chatarc_status_t store_record(void *ctx, chatarc_record_t *record, chatarc_error_t *err)
{
	struct import_run *run = ctx;
	archive_outcome_t outcome;
	chatarc_status_t status = archive_add(run->archive, record, &outcome, err);
	if (status != CHATARC_OK)
		return status;
	run->stats->posts++;
	if (outcome == ARCHIVE_NEW)
		run->stats->new_messages++;
	else if (outcome == ARCHIVE_UPDATED)
		run->stats->updated++;
	else if (outcome == ARCHIVE_FORGOTTEN)
		run->stats->forgotten++;
	else
		run->stats->duplicates++;
	return CHATARC_OK;
}

static chatarc_status_t import_object(void *ctx, char *json, size_t len, long line,
                                      chatarc_error_t *err)
{
	struct import_run *run = ctx;
	yajl_val obj;
	chatarc_status_t status;

	(void)len;
	run->stats->objects++;
	run->object_line = line;
	status = json_parse(json, &obj, err);
	if (status == CHATARC_OK) {
		long boosts_before = run->conv.boosts;
		status = posts_convert_object(&run->conv, obj, err);
		run->stats->boosts += run->conv.boosts - boosts_before;
		yajl_tree_free(obj);
	}
	/* Store errors (disk full) are never skipped: they are not the post's. */
	if (status == CHATARC_ERR_JSON || status == CHATARC_ERR_FORMAT) {
		if (run->options->keep_going) {
			char message[sizeof err->message + 256];
			snprintf(message, sizeof message, "%s:%ld: skipped: %s", run->path, line,
			         err->message);
			run->stats->skipped++;
			if (run->options->warning)
				run->options->warning(run->options->ctx, message);
			return CHATARC_OK;
		}
	}
	run->object_failed = status != CHATARC_OK;
	return status;
}

/* A Twitter archive names its owner in account.js beside tweets.js. */
static chatarc_status_t read_owner_object(void *ctx, char *json, size_t len, long line,
                                          chatarc_error_t *err)
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
	yajl_tree_free(obj);
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

static chatarc_status_t open_input(const char *path, gzFile *out, unsigned long long *size,
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

static chatarc_status_t gzip_error(gzFile in, const char *path, chatarc_error_t *err)
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

static chatarc_status_t read_all(struct import_run *run, gzFile in, unsigned long long size,
                                 chatarc_error_t *err)
{
	const import_options_t *options = run->options;
	char *chunk = xmalloc(IMPORT_CHUNK);
	jsonstream_t js;
	chatarc_status_t status = CHATARC_OK;
	time_t last_progress = time(NULL);

	jsonstream_init(&js, import_object, run);
	for (;;) {
		int n = gzread(in, chunk, IMPORT_CHUNK);
		if (n < 0) {
			status = gzip_error(in, run->path, err);
			break;
		}
		if (n == 0) {
			/* gzread reports a torn stream as end of input plus an error. */
			int code;
			gzerror(in, &code);
			if (code != Z_OK && code != Z_STREAM_END)
				status = gzip_error(in, run->path, err);
			else if ((status = jsonstream_finish(&js, err)) != CHATARC_OK)
				run->error_line = js.line;
			break;
		}
		run->stats->bytes += (unsigned long long)n;
		status = jsonstream_feed(&js, chunk, (size_t)n, err);
		if (status != CHATARC_OK) {
			run->error_line = run->object_failed ? run->object_line : js.line;
			break;
		}
		if (options->progress && time(NULL) != last_progress) {
			last_progress = time(NULL);
			options->progress(options->ctx, run->path, (unsigned long long)gzoffset(in),
			                  size, run->stats);
		}
	}
	jsonstream_release(&js);
	free(chunk);
	return status;
}

chatarc_status_t import_file(chatarc_archive_t *archive, const char *chat, const char *path,
                             const import_options_t *options, import_stats_t *stats,
                             chatarc_error_t *err)
{
	struct import_run run = {
	    .archive = archive, .options = options, .path = path, .stats = stats};
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
		chatarc_error_t undo_err;
		if (archive_rollback(archive, &undo_err) != CHATARC_OK)
			chatarc_error_append(err, "and undoing failed: %s", undo_err.message);
		else if (status == CHATARC_ERR_IO)
			chatarc_error_append(
			    err, "nothing of %s was kept: fix that and import it again", path);
		goto out;
	}
	chatarc_status_t read_status = status;
	status = archive_commit(archive, err);
	if (status != CHATARC_OK) {
		chatarc_error_t undo_err;
		archive_rollback(archive, &undo_err);
		chatarc_error_append(err, "nothing of %s was kept: fix that and import it again",
		                     path);
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
