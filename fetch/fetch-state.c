/* What a fetch keeps between runs: each job's cursor (DIR/state/CHAT/
 * SOURCE/TAG.json, its network's fields written by its handler), and the
 * credentials the config names. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/alloc.h"
#include "../common/fsutil.h"
#include "../common/json.h"
#include "fetch-job.h"

/* A secret goes into a request header: a control character (a line break
 * above all) would let a file or variable add headers of its own. */
static bool secret_clean(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* Where a secret file may be: inside DIR (a relative path that does not
 * climb out, and does not leave through a link either), or an absolute
 * path to a regular file of the user's own that no one else may read. */
static CHATARC_MUST_CHECK chatarc_status_t secret_path(const char *data_dir, const char *source,
                                                       const char *what, const char *file,
                                                       strbuf_t *path, chatarc_error_t *err)
{
	struct stat st;
	if (file[0] == '/') {
		strbuf_addstr(path, file);
		if (stat(file, &st) != 0)
			return CHATARC_OK; /* fs_read_file says why */
		if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))
			return chatarc_error_set(
			    err, CHATARC_ERR_CONFIG,
			    "sources.%s: its %s file %s must be a file of yours that only you can "
			    "read (chmod 600 %s), or sit inside the data directory",
			    source, what, file, file);
		return CHATARC_OK;
	}
	bool climbs = !strncmp(file, "../", 3) || strstr(file, "/../") ||
	              (strlen(file) >= 3 && !strcmp(file + strlen(file) - 3, "/..")) ||
	              !strcmp(file, "..");
	strbuf_addf(path, "%s/%s", data_dir, file);
	char *real_dir = realpath(data_dir, NULL), *real_file = realpath(path->buf, NULL);
	size_t n = real_dir ? strlen(real_dir) : 0;
	bool outside = climbs || (real_dir && real_file &&
	                          (strncmp(real_file, real_dir, n) || real_file[n] != '/'));
	free(real_dir);
	free(real_file);
	if (outside)
		return chatarc_error_set(err, CHATARC_ERR_CONFIG,
		                         "sources.%s: its %s file %s leads out of the data "
		                         "directory; keep it inside, or "
		                         "give an absolute path to a file only you can read",
		                         source, what, file);
	return CHATARC_OK;
}

chatarc_status_t read_secret(const char *data_dir, const char *source,
                             const chatarc_secret_ref_t *ref, const char *what, char **out,
                             chatarc_error_t *err)
{
	*out = NULL;
	if (ref->env) {
		const char *value = getenv(ref->env);
		if (!value || !*value)
			return chatarc_error_set(
			    err, CHATARC_ERR_CONFIG,
			    "sources.%s names $%s for its %s, but it is not set", source, ref->env,
			    what);
		if (!secret_clean(value))
			return chatarc_error_set(
			    err, CHATARC_ERR_CONFIG,
			    "sources.%s: $%s holds a control character (a line "
			    "break?); its %s must be one line",
			    source, ref->env, what);
		*out = xstrdup(value);
		return CHATARC_OK;
	}
	if (!ref->file)
		return CHATARC_OK;
	strbuf_t path, text;
	strbuf_init(&path, 0);
	strbuf_init(&text, 0);
	chatarc_status_t status = secret_path(data_dir, source, what, ref->file, &path, err);
	if (status == CHATARC_OK && fs_read_file(path.buf, &text, 65536, err) != CHATARC_OK) {
		chatarc_error_prefix(err, "sources.%s: cannot read its %s", source, what);
		status = CHATARC_ERR_CONFIG;
	}
	strbuf_release(&path);
	if (status != CHATARC_OK) {
		strbuf_release(&text);
		return status;
	}
	/* The first line, without the blanks around it: a file saved by an
	 * editor ends with a line break, and nothing after the first line is
	 * the secret. */
	size_t start = strspn(text.buf, " \t"), end = start + strcspn(text.buf + start, "\r\n");
	while (end > start && (text.buf[end - 1] == ' ' || text.buf[end - 1] == '\t'))
		end--;
	text.buf[end] = '\0';
	if (end == start || !secret_clean(text.buf + start)) {
		strbuf_release(&text);
		return chatarc_error_set(err, CHATARC_ERR_CONFIG,
		                         end == start
		                             ? "sources.%s: the %s file %s is empty"
		                             : "sources.%s: the first line of the %s file %s "
		                               "holds a control character",
		                         source, what, ref->file);
	}
	*out = xstrdup(text.buf + start);
	strbuf_release(&text);
	return CHATARC_OK;
}

char *state_path(const char *data_dir, const char *chat, const char *source, const char *tag)
{
	/* Tags come from the config but may hold any letter: escaped, so a
	 * tag can never name a path. */
	char *escaped = http_escape(tag);
	strbuf_t sb;
	strbuf_init(&sb, 0);
	strbuf_addf(&sb, "%s/state/%s/%s/%s.json", data_dir, chat, source, escaped);
	free(escaped);
	return strbuf_detach(&sb, NULL);
}

void add_time_field(strbuf_t *sb, const char *key, chatarc_ms_t ms)
{
	char iso[CHATARC_TIME_ISO_LEN];
	time_format_iso(ms, iso);
	strbuf_addf(sb, ",\"%s\":", key);
	json_add_string(sb, iso);
}

chatarc_status_t job_save_state(struct job *job, chatarc_error_t *err)
{
	if (!job->keep_state)
		return CHATARC_OK;
	strbuf_t sb;
	strbuf_init(&sb, 256);
	strbuf_addstr(&sb, "{\"version\":1");
	if (job->rechecked_at)
		add_time_field(&sb, "rechecked_at", job->rechecked_at);
	if (job->stream_cursor_us)
		strbuf_addf(&sb, ",\"stream_cursor_us\":%lld", (long long)job->stream_cursor_us);
	job->link->net->save_state(job, &sb);
	strbuf_addstr(&sb, "}\n");
	chatarc_status_t status =
	    fs_replace_file_under(job->run->data_dir, job->state_path, sb.buf, sb.len, 0644, err);
	strbuf_release(&sb);
	return status;
}

bool state_time(yajl_val doc, const char *key, chatarc_ms_t *out)
{
	const char *text = json_get_string(doc, key);
	return text && time_parse_iso8601(text, out);
}

chatarc_status_t job_load_state(struct job *job, chatarc_error_t *err)
{
	strbuf_t text;
	strbuf_init(&text, 0);
	chatarc_status_t status = fs_read_file(job->state_path, &text, 0, err);
	if (status != CHATARC_OK) {
		strbuf_release(&text);
		return status == CHATARC_ERR_NOT_FOUND ? CHATARC_OK : status;
	}
	yajl_val doc;
	status = json_parse(text.buf ? text.buf : "", &doc, err);
	strbuf_release(&text);
	if (status != CHATARC_OK)
		return chatarc_error_set(
		    err, CHATARC_ERR_CORRUPT,
		    "%s: damaged fetch state (%s); delete it to start this "
		    "source again from --since (the archive keeps no duplicates)",
		    job->state_path, err->message);
	job->link->net->load_state(job, doc);
	state_time(doc, "rechecked_at", &job->rechecked_at);
	yajl_val cursor = json_get(doc, "stream_cursor_us");
	if (YAJL_IS_INTEGER(cursor) && YAJL_GET_INTEGER(cursor) > 0)
		job->stream_cursor_us = YAJL_GET_INTEGER(cursor);
	json_free(doc);
	return CHATARC_OK;
}
