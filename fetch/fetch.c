/* The fetch loop: jobs, their cursors, sign-in, pacing and retries. The wire
 * details of each network are in the functions named mastodon_* and
 * bluesky_* here; transfers and header parsing are in http.c. */
#define _DEFAULT_SOURCE
#include "fetch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../common/alloc.h"
#include "../common/archive.h"
#include "../common/fsutil.h"
#include "../common/json.h"
#include "../common/strbuf.h"
#include "../common/timeutil.h"
#include "http.h"
#include "jsonstream.h"
#include "posts.h"
#include "recheck.h"

#define DAY_MS         (24LL * 3600 * 1000)
#define FIRST_RUN_DAYS 7
/* Bluesky's search sees posts a little after they are made: each window
 * starts this long before the last one ended (the archive drops repeats). */
#define BLUESKY_OVERLAP_MS (10LL * 60 * 1000)
#define MAX_BODY           (32u << 20)
/* Mastodon numbers a status from another server by the time it was written,
 * and it may reach an instance minutes later, below a cursor already past
 * that time: forward walks start this long before the newest status seen. */
#define MASTODON_OVERLAP_MS (10LL * 60 * 1000)

/* One chat's archive and its fetch lock. */
struct chat_target {
	const chatarc_chat_t *chat;
	chatarc_archive_t *archive;
	int lock_fd;
	bool busy; /* another fetch holds the lock */
};

enum auth_state { AUTH_NONE, AUTH_SIGNED_OUT, AUTH_SIGNING_IN, AUTH_READY, AUTH_FAILED };

/* What jobs on one source share: credentials, session, pacing. */
struct source_link {
	char *session_path; /* Bluesky: where the session outlives the run */
	const chatarc_source_t *source;
	const char *base; /* where requests go: url, or pds when signing in */
	bool mastodon;
	char *token;    /* Mastodon access token */
	char *password; /* Bluesky app password */
	char *access_jwt, *refresh_jwt;
	enum auth_state auth;
	chatarc_error_t auth_error;
	bool busy;               /* one request at a time per server */
	chatarc_ms_t not_before; /* a rate limit said to wait */
};

/* RECHECK comes after a walk, on the first job of each chat and source:
 * recent archived posts asked for again (fetch/recheck.h). */
enum phase { PHASE_FORWARD, PHASE_BACKFILL, PHASE_RECHECK, PHASE_DONE };
enum request_kind { REQUEST_PAGE, REQUEST_SIGN_IN, REQUEST_REFRESH };

struct fetch_run;

struct job {
	struct fetch_run *run;
	fetch_job_stats_t *stats;
	struct chat_target *target;
	struct source_link *link;
	const char *tag;
	char *state_path;
	bool keep_state; /* false under --until: a one-off window */

	/* Cursors (saved to state_path after each committed page). */
	char *newest_id;             /* Mastodon: everything up to here is archived */
	chatarc_ms_t newest_at;      /* ... the newest status's created_at */
	char *resume_id;             /* ... forward walks start after this id (overlap) */
	bool backfill;               /* Mastodon: a walk back is under way */
	char *backfill_max_id;       /* ... continuing below this id (NULL: from the top) */
	int walk_pages;              /* pages with posts in this walk, against fetch.max_pages */
	chatarc_ms_t backfill_since; /* ... down to here */
	chatarc_ms_t done_until;     /* Bluesky: everything before is archived */
	bool window;                 /* Bluesky: a search window is under way */
	chatarc_ms_t window_since, window_until;
	char *window_cursor;
	bool recheck_owner;        /* this job re-checks its chat's posts from this source */
	chatarc_ms_t rechecked_at; /* ... last done then */
	recheck_t *recheck;        /* ... under way */

	enum phase phase;
	char *next_url; /* a Link the server gave for the next page */
	enum request_kind kind;
	http_request_t request;
	bool in_flight;
	int attempt;
	chatarc_ms_t not_before;
	post_converter_t conv;

	/* The page being read. */
	long page_posts;
	char *page_max_id, *page_min_id;
	chatarc_ms_t page_oldest;
	strlist_t page_ids; /* each status's id and created_at, for resume_id */
	chatarc_ms_t *page_times;
	size_t page_times_alloc;
};

struct fetch_run {
	const char *data_dir;
	const chatarc_config_t *config;
	const fetch_options_t *options;
	fetch_report_t *report;
	struct chat_target *targets;
	size_t n_targets;
	struct source_link *links;
	size_t n_links;
	struct job *jobs;
	size_t n_jobs;
	http_client_t *http;
	unsigned seed;
	chatarc_ms_t last_progress;
};

static void say(struct fetch_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct fetch_run *run, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	if (!run->options->warning)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	run->options->warning(run->options->ctx, line);
}

static void show_progress(struct fetch_run *run, bool now)
{
	chatarc_ms_t t = http_now_ms();
	if (!run->options->progress || (!now && t - run->last_progress < 250))
		return;
	run->last_progress = t;
	run->options->progress(run->options->ctx, run->report);
}

static bool stopping(const struct fetch_run *run)
{
	return run->options->stop && *run->options->stop;
}

/* Mastodon ids are decimal (or, on GoToSocial, fixed-length ULIDs): longer
 * is newer, then byte order. */
static int id_compare(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

static void set_string(char **slot, const char *value)
{
	char *copy = value ? xstrdup(value) : NULL;
	free(*slot);
	*slot = copy;
}

static void job_fail(struct job *job, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void job_fail(struct job *job, const char *fmt, ...)
{
	va_list ap;
	char reason[500];
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	snprintf(job->stats->error.message, sizeof job->stats->error.message,
	         "%s: source %s (#%s): %s", job->stats->chat, job->stats->source, job->tag, reason);
	job->stats->failed = true;
	job->stats->errors++;
	job->stats->waiting_until = 0;
	job->phase = PHASE_DONE;
	say(job->run, "%s", job->stats->error.message);
}

/* ---- secrets ---------------------------------------------------------- */

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
static chatarc_status_t secret_path(const char *data_dir, const char *source, const char *what,
                                    const char *file, strbuf_t *path, chatarc_error_t *err)
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

static chatarc_status_t read_secret(const char *data_dir, const char *source,
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

/* ---- state files ------------------------------------------------------- */

static char *state_path(const char *data_dir, const char *chat, const char *source, const char *tag)
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

static void add_time_field(strbuf_t *sb, const char *key, chatarc_ms_t ms)
{
	char iso[CHATARC_TIME_ISO_LEN];
	time_format_iso(ms, iso);
	strbuf_addf(sb, ",\"%s\":", key);
	json_add_string(sb, iso);
}

static chatarc_status_t job_save_state(struct job *job, chatarc_error_t *err)
{
	if (!job->keep_state)
		return CHATARC_OK;
	strbuf_t sb;
	strbuf_init(&sb, 256);
	strbuf_addstr(&sb, "{\"version\":1");
	if (job->rechecked_at)
		add_time_field(&sb, "rechecked_at", job->rechecked_at);
	if (job->link->mastodon) {
		if (job->newest_id) {
			strbuf_addstr(&sb, ",\"newest_id\":");
			json_add_string(&sb, job->newest_id);
			add_time_field(&sb, "newest_at", job->newest_at);
		}
		if (job->resume_id) {
			strbuf_addstr(&sb, ",\"resume_id\":");
			json_add_string(&sb, job->resume_id);
		}
		if (job->backfill) {
			add_time_field(&sb, "backfill_since", job->backfill_since);
			if (job->backfill_max_id) {
				strbuf_addstr(&sb, ",\"backfill_max_id\":");
				json_add_string(&sb, job->backfill_max_id);
			}
		}
	} else {
		if (job->done_until)
			add_time_field(&sb, "done_until", job->done_until);
		if (job->window) {
			add_time_field(&sb, "window_since", job->window_since);
			add_time_field(&sb, "window_until", job->window_until);
			if (job->window_cursor) {
				strbuf_addstr(&sb, ",\"window_cursor\":");
				json_add_string(&sb, job->window_cursor);
			}
		}
	}
	strbuf_addstr(&sb, "}\n");
	char *dir = fs_dirname(job->state_path);
	chatarc_status_t status = fs_mkdir_p(dir, err);
	free(dir);
	if (status == CHATARC_OK)
		status = fs_replace_file(job->state_path, sb.buf, sb.len, err);
	strbuf_release(&sb);
	return status;
}

static bool state_time(yajl_val doc, const char *key, chatarc_ms_t *out)
{
	const char *text = json_get_string(doc, key);
	return text && time_parse_iso8601(text, out);
}

static chatarc_status_t job_load_state(struct job *job, chatarc_error_t *err)
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
	set_string(&job->newest_id, json_get_string(doc, "newest_id"));
	state_time(doc, "newest_at", &job->newest_at);
	set_string(&job->resume_id, json_get_string(doc, "resume_id"));
	job->backfill = state_time(doc, "backfill_since", &job->backfill_since);
	set_string(&job->backfill_max_id, json_get_string(doc, "backfill_max_id"));
	state_time(doc, "done_until", &job->done_until);
	job->window = state_time(doc, "window_since", &job->window_since) &&
	              state_time(doc, "window_until", &job->window_until);
	set_string(&job->window_cursor, json_get_string(doc, "window_cursor"));
	state_time(doc, "rechecked_at", &job->rechecked_at);
	yajl_tree_free(doc);
	return CHATARC_OK;
}

/* ---- a round: what this run (or --follow round) walks --------------------- */

static chatarc_status_t job_save_state(struct job *job, chatarc_error_t *err);

/* Sets up the walk of this run (or --follow round). A new walk back is
 * written down before its first request, so a run killed before its first
 * page still leaves the next run knowing how far back to go. */
static void job_start_round(struct job *job, bool first)
{
	chatarc_error_t err;
	bool fresh = false;
	const fetch_options_t *o = job->run->options;
	chatarc_ms_t now = http_now_ms();
	chatarc_ms_t since = o->since ? o->since : now - FIRST_RUN_DAYS * DAY_MS;
	job->attempt = 0;
	job->stats->failed = false;
	job->stats->done = false;
	set_string(&job->next_url, NULL);
	if (job->link->mastodon) {
		/* An explicit window walks back from the top (once); so does a job
		 * that has never seen a status, to 7 days ago. A walk a killed run
		 * left unfinished goes on where it stopped. */
		bool explicit = first && (o->since || o->until);
		if (explicit || (!job->newest_id && !job->backfill)) {
			job->backfill = true;
			job->backfill_since = since;
			set_string(&job->backfill_max_id, NULL);
			fresh = true;
		}
		job->phase = job->newest_id && !o->until ? PHASE_FORWARD
		             : job->backfill             ? PHASE_BACKFILL
		                                         : PHASE_DONE;
	} else {
		if (!job->window || (first && o->since)) {
			job->window = true;
			job->window_since = first && o->since ? o->since
			                    : job->done_until ? job->done_until - BLUESKY_OVERLAP_MS
			                                      : since;
			job->window_until = o->until ? o->until : now;
			set_string(&job->window_cursor, NULL);
			fresh = true;
		}
		job->phase = PHASE_FORWARD;
	}
	if (fresh && job_save_state(job, &err) != CHATARC_OK)
		job_fail(job, "cannot save the fetch cursor: %s", err.message);
}

/* ---- requests ------------------------------------------------------------ */

static void request_done(void *ctx, http_request_t *request);

static char *mastodon_page_url(const struct job *job)
{
	strbuf_t sb;
	char *tag = http_escape(job->tag);
	strbuf_init(&sb, 0);
	strbuf_addf(&sb, "%s/api/v1/timelines/tag/%s?limit=40", job->link->base, tag);
	free(tag);
	/* Ids come from the server: escaped like anything else put in a URL. */
	const char *id = job->phase == PHASE_FORWARD
	                     ? (job->resume_id ? job->resume_id : job->newest_id)
	                     : job->backfill_max_id;
	if (id) {
		char *escaped = http_escape(id);
		strbuf_addf(&sb, "&%s=%s", job->phase == PHASE_FORWARD ? "min_id" : "max_id",
		            escaped);
		free(escaped);
	}
	return strbuf_detach(&sb, NULL);
}

static char *bluesky_page_url(const struct job *job)
{
	char since[CHATARC_TIME_ISO_LEN], until[CHATARC_TIME_ISO_LEN];
	strbuf_t sb;
	char *q, *cursor = NULL;
	strbuf_init(&sb, 0);
	strbuf_addf(&sb, "#%s", job->tag);
	q = http_escape(sb.buf);
	strbuf_setlen(&sb, 0);
	time_format_iso(job->window_since, since);
	time_format_iso(job->window_until, until);
	strbuf_addf(
	    &sb, "%s/xrpc/app.bsky.feed.searchPosts?q=%s&sort=latest&since=%s&until=%s&limit=100",
	    job->link->base, q, since, until);
	if (job->window_cursor) {
		cursor = http_escape(job->window_cursor);
		strbuf_addf(&sb, "&cursor=%s", cursor);
	}
	free(q);
	free(cursor);
	return strbuf_detach(&sb, NULL);
}

static void job_send(struct job *job, enum request_kind kind, char *url, char *post_json,
                     const char *bearer)
{
	http_request_t *req = &job->request;
	chatarc_error_t err;
	free(req->url);
	free(req->post_json);
	free(req->bearer);
	req->url = url;
	req->post_json = post_json;
	req->bearer = bearer ? xstrdup(bearer) : NULL;
	req->done = request_done;
	req->ctx = job;
	job->kind = kind;
	if (http_start(job->run->http, req, &err) != CHATARC_OK) {
		job_fail(job, "%s", err.message);
		return;
	}
	job->in_flight = true;
	job->link->busy = true;
	job->stats->requests++;
}

static void bluesky_sign_in(struct job *job, bool refresh)
{
	struct source_link *link = job->link;
	strbuf_t url, body;
	strbuf_init(&url, 0);
	strbuf_init(&body, 0);
	link->auth = AUTH_SIGNING_IN;
	if (refresh) {
		strbuf_addf(&url, "%s/xrpc/com.atproto.server.refreshSession", link->base);
		strbuf_addstr(&body, "{}");
		job_send(job, REQUEST_REFRESH, strbuf_detach(&url, NULL),
		         strbuf_detach(&body, NULL), link->refresh_jwt);
		return;
	}
	strbuf_addf(&url, "%s/xrpc/com.atproto.server.createSession", link->base);
	strbuf_addstr(&body, "{\"identifier\":");
	json_add_string(&body, link->source->identifier);
	strbuf_addstr(&body, ",\"password\":");
	json_add_string(&body, link->password);
	strbuf_addch(&body, '}');
	job_send(job, REQUEST_SIGN_IN, strbuf_detach(&url, NULL), strbuf_detach(&body, NULL), NULL);
}

/* Starts the job's next request if it may go now. */
static void job_step(struct job *job)
{
	struct source_link *link = job->link;
	if (link->auth == AUTH_FAILED) {
		job_fail(job, "%s", link->auth_error.message);
		return;
	}
	if (link->auth == AUTH_SIGNING_IN)
		return; /* another job of this source is signing in */
	if (link->auth == AUTH_SIGNED_OUT) {
		bluesky_sign_in(job, link->refresh_jwt != NULL);
		return;
	}
	char *url = job->phase == PHASE_RECHECK ? recheck_next_url(job->recheck, link->base)
	            : job->next_url             ? xstrdup(job->next_url)
	            : link->mastodon            ? mastodon_page_url(job)
	                                        : bluesky_page_url(job);
	job->page_posts = 0;
	job->page_oldest = 0;
	strlist_clear(&job->page_ids);
	set_string(&job->page_max_id, NULL);
	set_string(&job->page_min_id, NULL);
	job_send(job, REQUEST_PAGE, url, NULL, link->mastodon ? link->token : link->access_jwt);
}

/* ---- reading a page --------------------------------------------------------- */

static chatarc_status_t store_record(void *ctx, chatarc_record_t *record, chatarc_error_t *err)
{
	struct job *job = ctx;
	const fetch_options_t *o = job->run->options;
	archive_outcome_t outcome;
	if (o->until && record->created_ms >= o->until)
		return CHATARC_OK;
	if (job->phase == PHASE_BACKFILL && record->created_ms < job->backfill_since)
		return CHATARC_OK;
	chatarc_status_t status = archive_add(job->target->archive, record, &outcome, err);
	if (status != CHATARC_OK)
		return status;
	if (outcome == ARCHIVE_NEW)
		job->stats->new_messages++;
	else if (outcome == ARCHIVE_UPDATED)
		job->stats->updated++;
	else if (outcome == ARCHIVE_FORGOTTEN)
		job->stats->forgotten++;
	else
		job->stats->duplicates++;
	return CHATARC_OK;
}

/* Page-level facts Mastodon paging needs: ids and times, from each status
 * before it is converted. */
static void note_status(struct job *job, yajl_val status)
{
	const char *id = json_get_string(status, "id");
	const char *created = json_get_string(status, "created_at");
	chatarc_ms_t at;
	bool dated = created && time_parse_iso8601(created, &at);
	job->page_posts++;
	if (id && dated) {
		ALLOC_GROW(job->page_times, job->page_ids.len + 1, job->page_times_alloc);
		job->page_times[job->page_ids.len] = at;
		strlist_add(&job->page_ids, id);
	}
	if (id && (!job->page_max_id || id_compare(id, job->page_max_id) > 0))
		set_string(&job->page_max_id, id);
	if (id && (!job->page_min_id || id_compare(id, job->page_min_id) < 0))
		set_string(&job->page_min_id, id);
	if (dated && (!job->page_oldest || at < job->page_oldest))
		job->page_oldest = at;
}

static chatarc_status_t convert_counted(struct job *job, yajl_val post, bool mastodon,
                                        chatarc_error_t *err)
{
	chatarc_status_t status = mastodon ? mastodon_convert_status(&job->conv, post, err)
	                                   : bluesky_convert_post(&job->conv, post, err);
	/* The converter lives as long as the job: its counts are the job's. */
	job->stats->boosts = job->conv.boosts;
	job->stats->consent_skipped = job->conv.consent_skipped;
	return status;
}

static chatarc_status_t mastodon_status_object(void *ctx, char *json, size_t len, long line,
                                               chatarc_error_t *err)
{
	struct job *job = ctx;
	yajl_val status;
	(void)len;
	(void)line;
	chatarc_status_t rc = json_parse(json, &status, err);
	if (rc != CHATARC_OK)
		return rc;
	note_status(job, status);
	rc = convert_counted(job, status, true, err);
	yajl_tree_free(status);
	return rc;
}

/* A tag timeline page: a JSON array of statuses, split into statuses by
 * jsonstream so no tree of the whole page is built. */
static chatarc_status_t mastodon_read_page(struct job *job, const strbuf_t *body,
                                           chatarc_error_t *err)
{
	const char *p = body->buf ? body->buf : "";
	while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
		p++;
	if (*p != '[')
		return chatarc_error_set(err, CHATARC_ERR_FORMAT,
		                         "expected a JSON array of statuses, got %.40s", p);
	/* "[]" is an empty page (the end of a walk); jsonstream would call a
	 * stream without objects an error. Only that: a page cut short before
	 * its first whole status has no objects either, and must fail. */
	const char *q = p + 1;
	while (*q == ' ' || *q == '\n' || *q == '\r' || *q == '\t')
		q++;
	if (*q == ']') {
		for (q++; *q == ' ' || *q == '\n' || *q == '\r' || *q == '\t';)
			q++;
		if (!*q)
			return CHATARC_OK;
	}
	jsonstream_t js;
	jsonstream_init(&js, mastodon_status_object, job);
	chatarc_status_t status = jsonstream_feed(&js, body->buf, body->len, err);
	if (status == CHATARC_OK)
		status = jsonstream_finish(&js, err);
	if (status != CHATARC_OK)
		chatarc_error_prefix(err, "line %ld", js.line);
	jsonstream_release(&js);
	return status;
}

static chatarc_status_t bluesky_read_page(struct job *job, const strbuf_t *body, char **cursor,
                                          chatarc_error_t *err)
{
	yajl_val page;
	chatarc_status_t status = json_parse(body->buf ? body->buf : "", &page, err);
	if (status != CHATARC_OK)
		return status;
	yajl_val posts = json_get(page, "posts");
	if (!YAJL_IS_ARRAY(posts)) {
		yajl_tree_free(page);
		return chatarc_error_set(err, CHATARC_ERR_FORMAT,
		                         "expected {\"posts\": [...]} from searchPosts");
	}
	for (size_t i = 0; i < posts->u.array.len && status == CHATARC_OK; i++) {
		yajl_val post = posts->u.array.values[i];
		const char *indexed = json_get_string(post, "indexedAt");
		chatarc_ms_t at;
		job->page_posts++;
		if (indexed && time_parse_iso8601(indexed, &at) &&
		    (!job->page_oldest || at < job->page_oldest))
			job->page_oldest = at;
		status = convert_counted(job, post, false, err);
		if (status != CHATARC_OK)
			chatarc_error_prefix(err, "posts[%zu]", i);
	}
	*cursor = status == CHATARC_OK && json_get_string(page, "cursor")
	              ? xstrdup(json_get_string(page, "cursor"))
	              : NULL;
	yajl_tree_free(page);
	return status;
}

/* What was read of a page becomes durable; only then may a cursor move. */
static chatarc_status_t job_commit(struct job *job, chatarc_error_t *err)
{
	chatarc_status_t status = posts_settle(&job->conv, err);
	if (status == CHATARC_OK)
		status = archive_commit(job->target->archive, err);
	return status;
}

/* Accepts a Link only to the same server: a server may not send us elsewhere. */
static bool take_link(struct job *job, const char *link)
{
	if (!link)
		return false;
	if (!http_same_origin(job->link->base, link)) {
		job_fail(job, "the server's Link header points to another server (%.200s); refused",
		         link);
		return false;
	}
	if (job->request.url && !strcmp(link, job->request.url)) {
		job_fail(job, "the server's Link header names the page just read again; stopped so "
		              "as not to loop");
		return false;
	}
	set_string(&job->next_url, link);
	return true;
}

/* After a committed page: the newest status time seen, and the newest id
 * old enough (MASTODON_OVERLAP_MS before it) for the next forward walk to
 * start after. Every walk is contiguous from its top, which is at or above
 * newest_id, so any id up to newest_id on a committed page may be it. */
static void mastodon_note_resume(struct job *job)
{
	for (size_t i = 0; i < job->page_ids.len; i++)
		if (job->page_times[i] > job->newest_at)
			job->newest_at = job->page_times[i];
	for (size_t i = 0; i < job->page_ids.len; i++) {
		const char *id = job->page_ids.items[i];
		if (job->page_times[i] <= job->newest_at - MASTODON_OVERLAP_MS &&
		    (!job->resume_id || id_compare(id, job->resume_id) > 0) && job->newest_id &&
		    id_compare(id, job->newest_id) <= 0)
			set_string(&job->resume_id, id);
	}
}

static void mastodon_advance(struct job *job, const http_response_t *r)
{
	if (job->phase == PHASE_FORWARD) {
		if (job->page_posts == 0) {
			job->phase = job->backfill ? PHASE_BACKFILL : PHASE_DONE;
			set_string(&job->next_url, NULL);
			return;
		}
		/* A walk that starts at resume_id reads the overlap first: never back. */
		if (job->page_max_id &&
		    (!job->newest_id || id_compare(job->page_max_id, job->newest_id) > 0))
			set_string(&job->newest_id, job->page_max_id);
		mastodon_note_resume(job);
		if (!take_link(job, r->link_prev) && job->phase != PHASE_DONE) {
			job->phase = job->backfill ? PHASE_BACKFILL : PHASE_DONE;
			set_string(&job->next_url, NULL);
		}
		return;
	}
	/* Walking back. The first page of a first run sets where forward starts. */
	if (job->page_max_id &&
	    (!job->newest_id || id_compare(job->page_max_id, job->newest_id) > 0) &&
	    !job->backfill_max_id && !job->run->options->until)
		set_string(&job->newest_id, job->page_max_id);
	if (!job->run->options->until)
		mastodon_note_resume(job);
	bool reached =
	    job->page_posts == 0 || (job->page_oldest && job->page_oldest < job->backfill_since);
	/* Each page back starts below the last: a server whose pages do not go
	 * back (the same or newer ids behind new Links) would be followed for
	 * ever. */
	if (!reached && job->page_min_id && job->backfill_max_id &&
	    id_compare(job->page_min_id, job->backfill_max_id) >= 0) {
		job_fail(job,
		         "the server's next page does not go back (ids from %s, asked below %s); "
		         "stopped so as not to loop",
		         job->page_min_id, job->backfill_max_id);
		return;
	}
	if (!reached && job->page_min_id) {
		set_string(&job->backfill_max_id, job->page_min_id);
		if (take_link(job, r->link_next))
			return;
	}
	if (job->phase != PHASE_DONE) {
		job->backfill = false;
		set_string(&job->backfill_max_id, NULL);
		job->phase = PHASE_DONE;
	}
}

static void bluesky_advance(struct job *job, char *cursor)
{
	bool more = cursor && job->page_posts > 0 &&
	            !(job->page_oldest && job->page_oldest < job->window_since) &&
	            !(job->window_cursor && !strcmp(cursor, job->window_cursor));
	if (more) {
		free(job->window_cursor);
		job->window_cursor = cursor;
		return;
	}
	free(cursor);
	job->done_until = job->window_until;
	job->window = false;
	set_string(&job->window_cursor, NULL);
	job->phase = PHASE_DONE;
}

/* The "error" a JSON error body names (Mastodon and XRPC both use it).
 * A success's body is data, never parsed here: a page is read once, by
 * the streaming splitter. */
static void error_detail(const http_response_t *r, char *out, size_t size)
{
	yajl_val doc = NULL;
	chatarc_error_t ignored;
	out[0] = '\0';
	if (r->status / 100 == 2 || !r->body.len ||
	    json_parse(r->body.buf, &doc, &ignored) != CHATARC_OK)
		return;
	const char *error = json_get_string(doc, "error");
	const char *message = json_get_string(doc, "message");
	if (error)
		snprintf(out, size, ": %.100s%s%.200s", error, message ? ": " : "",
		         message ? message : "");
	yajl_tree_free(doc);
}

static bool is_json(const http_response_t *r)
{
	return r->content_type && strstr(r->content_type, "json");
}

/* Retries the request later if the policy allows; else fails the job. */
static void job_retry_or_fail(struct job *job, const http_response_t *r, bool bad_body,
                              const char *why)
{
	const chatarc_fetch_settings_t *s = &job->run->config->fetch;
	chatarc_ms_t now = http_now_ms();
	job->attempt++;
	long delay = http_retry_delay(r, bad_body, job->attempt, s->backoff_base_ms,
	                              s->backoff_max_ms, now, &job->run->seed);
	if (delay >= 0 && delay > (long)s->max_wait_s * 1000) {
		job_fail(job,
		         "%s; the server asks to wait %ld s, more than fetch.max_wait (%d s): "
		         "try again later",
		         why, delay / 1000, s->max_wait_s);
		return;
	}
	if (delay < 0 || job->attempt > s->retries) {
		job_fail(job, "%s%s", why,
		         delay < 0 ? "" : "; gave up after retrying (fetch.retries)");
		return;
	}
	job->stats->retries++;
	job->not_before = now + delay;
	job->stats->waiting_until = job->not_before;
	if (job->run->options->log) {
		char line[700];
		snprintf(line, sizeof line, "%s %s: %s; retry %d in %.1f s", job->stats->chat,
		         job->stats->source, why, job->attempt, delay / 1000.0);
		job->run->options->log(job->run->options->ctx, line);
	}
}

static void refused(struct job *job, const http_response_t *r, const char *detail)
{
	const chatarc_source_t *src = job->link->source;
	if (job->link->mastodon)
		job_fail(job, "refused with HTTP %ld%s: %s", r->status, detail,
		         job->link->token
		             ? "the access token was not accepted; check it has read:statuses"
		             : "this server wants an access token (read:statuses): set "
		               "\"token_env\" or \"token_file\" in sources");
	else
		job_fail(job, "refused with HTTP %ld%s: %s", r->status, detail,
		         src->identifier
		             ? "the session was not accepted"
		             : "Bluesky's AppView often refuses search without a "
		               "session: set \"identifier\" and \"password_env\" (an app "
		               "password) and \"pds\" in sources");
}

/* A Bluesky session outlives the run, in DIR/state/.sessions/SOURCE.json
 * (0600; '.' cannot start a chat name): createSession is rate-limited
 * (30 per 5 minutes, 300 a day), and a cron job every 5 minutes signing in
 * afresh each time would spend nearly all of it. */
static void session_load(struct fetch_run *run, struct source_link *link)
{
	strbuf_t sb, text;
	yajl_val doc;
	chatarc_error_t ignored;
	strbuf_init(&sb, 0);
	strbuf_init(&text, 0);
	strbuf_addf(&sb, "%s/state/.sessions/%s.json", run->data_dir, link->source->name);
	link->session_path = strbuf_detach(&sb, NULL);
	if (fs_read_file(link->session_path, &text, 65536, &ignored) == CHATARC_OK &&
	    json_parse(text.buf ? text.buf : "", &doc, &ignored) == CHATARC_OK) {
		const char *identifier = json_get_string(doc, "identifier");
		const char *access = json_get_string(doc, "accessJwt");
		const char *refresh = json_get_string(doc, "refreshJwt");
		/* Another account's session (the config changed) is not ours. */
		if (identifier && access && refresh &&
		    !strcmp(identifier, link->source->identifier)) {
			set_string(&link->access_jwt, access);
			set_string(&link->refresh_jwt, refresh);
			link->auth = AUTH_READY;
		}
		yajl_tree_free(doc);
	}
	strbuf_release(&text);
}

static void session_save(struct job *job)
{
	struct source_link *link = job->link;
	strbuf_t sb;
	chatarc_error_t err;
	strbuf_init(&sb, 256);
	strbuf_addstr(&sb, "{\"identifier\":");
	json_add_string(&sb, link->source->identifier);
	strbuf_addstr(&sb, ",\"accessJwt\":");
	json_add_string(&sb, link->access_jwt);
	strbuf_addstr(&sb, ",\"refreshJwt\":");
	json_add_string(&sb, link->refresh_jwt);
	strbuf_addstr(&sb, "}\n");
	char *dir = fs_dirname(link->session_path);
	if (fs_mkdir_p(dir, &err) != CHATARC_OK ||
	    fs_replace_file_mode(link->session_path, sb.buf, sb.len, 0600, &err) != CHATARC_OK)
		say(job->run,
		    "%s: cannot keep the Bluesky session for the next run (%s); signing in "
		    "each run spends Bluesky's limit on sign-ins",
		    link->source->name, err.message);
	free(dir);
	strbuf_release(&sb);
}

static void session_done(struct job *job, const http_response_t *r)
{
	struct source_link *link = job->link;
	char detail[400];
	error_detail(r, detail, sizeof detail);
	if (r->transport_ok && r->status == 200) {
		yajl_val doc;
		chatarc_error_t err;
		if (json_parse(r->body.buf ? r->body.buf : "", &doc, &err) == CHATARC_OK) {
			const char *access = json_get_string(doc, "accessJwt");
			const char *refresh = json_get_string(doc, "refreshJwt");
			if (access && refresh) {
				set_string(&link->access_jwt, access);
				set_string(&link->refresh_jwt, refresh);
				link->auth = AUTH_READY;
				session_save(job);
				yajl_tree_free(doc);
				return;
			}
			yajl_tree_free(doc);
		}
	}
	if (job->kind == REQUEST_REFRESH && r->transport_ok && r->status >= 400 &&
	    r->status < 500) {
		/* The refresh token expired too: sign in again. */
		set_string(&link->refresh_jwt, NULL);
		link->auth = AUTH_SIGNED_OUT;
		return;
	}
	if (r->transport_ok && (r->status == 401 || r->status == 400 || r->status == 403)) {
		link->auth = AUTH_FAILED;
		snprintf(link->auth_error.message, sizeof link->auth_error.message,
		         "sign-in as %s refused with HTTP %ld%s: check the identifier and the app "
		         "password (%s)",
		         link->source->identifier, r->status, detail,
		         link->source->password.env ? "password_env" : "password_file");
		job_fail(job, "%s", link->auth_error.message);
		return;
	}
	link->auth = AUTH_SIGNED_OUT;
	job_retry_or_fail(job, r, r->transport_ok && r->status == 200,
	                  r->transport_ok ? "sign-in failed" : r->error.message);
}

/* ---- re-checking what was archived ----------------------------------------- */

static chatarc_status_t recheck_store(void *ctx, yajl_val post, chatarc_error_t *err)
{
	struct job *job = ctx;
	return convert_counted(job, post, job->link->mastodon, err);
}

/* Ends the re-check: what was found gone leaves the archive (and is
 * remembered in DIR/forgotten, so no other server's copy brings it back). */
static void recheck_finish(struct job *job, bool completed)
{
	chatarc_error_t err;
	if (completed && recheck_gone(job->recheck)->len) {
		strlist_t removed = {0};
		if (archive_forget(job->target->archive, recheck_gone(job->recheck), &removed,
		                   &err) != CHATARC_OK)
			job_fail(job, "cannot remove posts deleted upstream: %s", err.message);
		job->stats->deleted += (long)removed.len;
		strlist_clear(&removed);
	}
	if (completed && recheck_unproven_batches(job->recheck) && job->run->options->log) {
		char line[300];
		snprintf(line, sizeof line,
		         "%s %s: %ld batches of posts came back empty: not taken as deletions",
		         job->stats->chat, job->stats->source,
		         recheck_unproven_batches(job->recheck));
		job->run->options->log(job->run->options->ctx, line);
	}
	recheck_free(job->recheck);
	job->recheck = NULL;
	job->rechecked_at = http_now_ms();
	job->phase = PHASE_DONE;
	if (!job->stats->failed && job_save_state(job, &err) != CHATARC_OK)
		job_fail(job, "cannot save the fetch cursor: %s", err.message);
	if (!job->stats->failed)
		job->stats->done = true;
}

/* After a walk: re-check the chat's recent posts from this source, when
 * due (fetch.recheck_days, at most every fetch.recheck_every hours). */
static void recheck_start(struct job *job)
{
	const chatarc_fetch_settings_t *f = &job->run->config->fetch;
	chatarc_ms_t now = http_now_ms();
	chatarc_error_t err;
	if (!job->recheck_owner || !job->keep_state || f->recheck_days == 0 || job->recheck ||
	    now - job->rechecked_at < (chatarc_ms_t)f->recheck_every_h * 3600000)
		return;
	chatarc_status_t status = archive_commit(job->target->archive, &err);
	if (status == CHATARC_OK)
		status = recheck_load(job->run->data_dir, job->stats->chat, job->stats->source,
		                      job->link->mastodon, now - f->recheck_days * DAY_MS,
		                      &job->recheck, &err);
	if (status != CHATARC_OK) {
		job_fail(job, "cannot read the archive to re-check it: %s", err.message);
		return;
	}
	job->stats->rechecked += (long)recheck_candidates(job->recheck);
	job->attempt = 0;
	if (recheck_candidates(job->recheck) == 0)
		recheck_finish(job, true);
	else
		job->phase = PHASE_RECHECK;
}

static void recheck_page_done(struct job *job, const http_response_t *r)
{
	chatarc_error_t err;
	chatarc_status_t status = recheck_read(job->recheck, &r->body, recheck_store, job, &err);
	chatarc_error_t commit_err;
	if (job_commit(job, &commit_err) != CHATARC_OK) {
		job_fail(job, "cannot store what was fetched: %s", commit_err.message);
		return;
	}
	if (status == CHATARC_ERR_JSON || status == CHATARC_ERR_FORMAT) {
		chatarc_error_t why;
		snprintf(why.message, sizeof why.message,
		         "the answer is not what the API returns (%.400s)", err.message);
		job_retry_or_fail(job, r, true, why.message);
		return;
	}
	if (status != CHATARC_OK) {
		job_fail(job, "%s", err.message);
		return;
	}
	job->attempt = 0;
	if (!recheck_more(job->recheck))
		recheck_finish(job, true);
}

static void page_done(struct job *job, const http_response_t *r)
{
	chatarc_error_t why;
	char detail[400];
	chatarc_error_t err;
	bool mastodon = job->link->mastodon;

	if (!r->transport_ok) {
		job_retry_or_fail(job, r, false, r->error.message);
		return;
	}
	error_detail(r, detail, sizeof detail);
	if (!mastodon && job->link->auth == AUTH_READY &&
	    (r->status == 401 || (r->status == 400 && strstr(detail, "ExpiredToken")) ||
	     strstr(detail, "InvalidToken"))) {
		/* The access token ran out: refresh (sign in again if that fails). */
		job->link->auth = AUTH_SIGNED_OUT;
		if (++job->attempt > job->run->config->fetch.retries)
			job_fail(job, "HTTP %ld%s even with a fresh session", r->status, detail);
		return;
	}
	if (r->status == 401 || r->status == 403) {
		refused(job, r, detail);
		return;
	}
	if (job->phase == PHASE_RECHECK && (r->status == 404 || r->status == 400)) {
		/* Mastodon before 4.3 has no batch lookup; nothing is lost. */
		if (job->run->options->notice) {
			char line[900];
			snprintf(line, sizeof line,
			         "%s %s: the server cannot look up posts in batches (HTTP %ld%s); "
			         "deletions there are not followed",
			         job->stats->chat, job->stats->source, r->status, detail);
			job->run->options->notice(job->run->options->ctx, line);
		}
		recheck_finish(job, false);
		return;
	}
	if (mastodon && r->status == 404 && strstr(detail, "Record not found")) {
		/* Some versions say so for a tag no one has used yet: nothing to read. */
		job->page_posts = 0;
	} else if (r->status == 404) {
		job_fail(job, "HTTP 404%s at %s: is the source's url the server's address?", detail,
		         job->request.url);
		return;
	} else if (r->status != 200) {
		if (r->error.message[0]) /* a redirect refused: says where to */
			snprintf(why.message, sizeof why.message, "%s", r->error.message);
		else
			snprintf(why.message, sizeof why.message, "HTTP %ld%s", r->status, detail);
		job_retry_or_fail(job, r, false, why.message);
		return;
	} else if (!is_json(r)) {
		snprintf(why.message, sizeof why.message,
		         "HTTP 200 but %.60s, not JSON (a maintenance or proxy page?)",
		         r->content_type ? r->content_type : "no content type");
		job_retry_or_fail(job, r, true, why.message);
		return;
	}

	if (job->phase == PHASE_RECHECK) {
		recheck_page_done(job, r);
		return;
	}
	char *cursor = NULL;
	chatarc_status_t status = CHATARC_OK;
	if (r->status == 200)
		status = mastodon ? mastodon_read_page(job, &r->body, &err)
		                  : bluesky_read_page(job, &r->body, &cursor, &err);
	/* What was read is real either way: keep it; the cursor stays put on failure. */
	chatarc_error_t commit_err;
	chatarc_status_t committed = job_commit(job, &commit_err);
	if (committed != CHATARC_OK) {
		free(cursor);
		job_fail(job, "cannot store what was fetched: %s", commit_err.message);
		return;
	}
	if (status == CHATARC_ERR_JSON || status == CHATARC_ERR_FORMAT) {
		free(cursor);
		snprintf(why.message, sizeof why.message,
		         "the page is not what the API returns (%.400s)", err.message);
		job_retry_or_fail(job, r, true, why.message);
		return;
	}
	if (status != CHATARC_OK) {
		free(cursor);
		job_fail(job, "%s", err.message);
		return;
	}
	job->attempt = 0;
	job->stats->pages++;
	job->stats->waiting_until = 0;
	enum phase walk = job->phase;
	if (mastodon)
		mastodon_advance(job, r);
	else
		bluesky_advance(job, cursor);
	/* fetch.max_pages counts the pages with posts of one walk (forward, or
	 * back): an empty page ends a walk anyway, and the walk back still
	 * starts after a forward walk that used the budget up. */
	job->walk_pages = job->phase == walk ? job->walk_pages + (job->page_posts > 0) : 0;
	if (job_save_state(job, &err) != CHATARC_OK)
		job_fail(job, "cannot save the fetch cursor: %s", err.message);
	/* A bound on one walk of one run: the cursor is saved, so the next run
	 * goes on from here; a walk back still pending starts now. */
	if (job->phase != PHASE_DONE && job->walk_pages >= job->run->config->fetch.max_pages) {
		if (job->run->options->log) {
			char line[300];
			snprintf(
			    line, sizeof line,
			    "%s %s: read fetch.max_pages (%d) pages in this walk; the next run "
			    "goes on",
			    job->stats->chat, job->stats->source,
			    job->run->config->fetch.max_pages);
			job->run->options->log(job->run->options->ctx, line);
		}
		bool walk_back =
		    job->phase == PHASE_FORWARD && job->link->mastodon && job->backfill;
		job->phase = walk_back ? PHASE_BACKFILL : PHASE_DONE;
		job->walk_pages = 0;
		set_string(&job->next_url, NULL);
	}
	if (job->phase == PHASE_DONE && !job->stats->failed)
		recheck_start(job);
	if (job->phase == PHASE_DONE && !job->stats->failed)
		job->stats->done = true;
}

static void request_done(void *ctx, http_request_t *request)
{
	struct job *job = ctx;
	const http_response_t *r = &request->response;
	struct source_link *link = job->link;
	chatarc_ms_t now = http_now_ms();
	job->in_flight = false;
	link->busy = false;
	/* Pacing: an exhausted rate limit holds every job of this server. */
	if (r->ratelimit_remaining == 0 && r->ratelimit_reset > now)
		link->not_before = r->ratelimit_reset;
	if (job->kind == REQUEST_PAGE)
		page_done(job, r);
	else
		session_done(job, r);
	if (link->not_before > now && !job->stats->failed && job->phase != PHASE_DONE &&
	    link->not_before > job->stats->waiting_until)
		job->stats->waiting_until = link->not_before;
	show_progress(job->run, false);
}

/* ---- setting up and running ------------------------------------------------- */

static chatarc_status_t lock_chat(struct fetch_run *run, struct chat_target *t,
                                  chatarc_error_t *err)
{
	strbuf_t path;
	strbuf_init(&path, 0);
	strbuf_addf(&path, "%s/state/%s", run->data_dir, t->chat->name);
	chatarc_status_t status = fs_mkdir_p(path.buf, err);
	strbuf_addstr(&path, "/fetch.lock");
	if (status == CHATARC_OK) {
		t->lock_fd = open(path.buf, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
		if (t->lock_fd < 0)
			status = chatarc_error_set(err, CHATARC_ERR_IO, "%s: cannot open: %s",
			                           path.buf, strerror(errno));
		else if (flock(t->lock_fd, LOCK_EX | LOCK_NB) < 0) {
			if (errno == EWOULDBLOCK)
				t->busy = true;
			else
				status =
				    chatarc_error_set(err, CHATARC_ERR_IO, "%s: cannot lock: %s",
				                      path.buf, strerror(errno));
		}
	}
	strbuf_release(&path);
	return status;
}

static struct source_link *link_for(struct fetch_run *run, const chatarc_source_t *source,
                                    chatarc_error_t *err, chatarc_status_t *status)
{
	for (size_t i = 0; i < run->n_links; i++)
		if (run->links[i].source == source)
			return &run->links[i];
	struct source_link *link = &run->links[run->n_links++];
	memset(link, 0, sizeof *link);
	link->source = source;
	link->mastodon = !strcmp(source->type, "mastodon");
	link->base = source->pds && source->identifier ? source->pds : source->url;
	if (link->mastodon)
		*status = read_secret(run->data_dir, source->name, &source->token, "access token",
		                      &link->token, err);
	else if (source->identifier) {
		*status = read_secret(run->data_dir, source->name, &source->password,
		                      "app password", &link->password, err);
		link->auth = AUTH_SIGNED_OUT;
		session_load(run, link);
	}
	return link;
}

static bool chat_wanted(const strlist_t *chats, const char *name)
{
	if (chats->len == 0)
		return true;
	for (size_t i = 0; i < chats->len; i++)
		if (!strcmp(chats->items[i], name))
			return true;
	return false;
}

static chatarc_status_t plan_jobs(struct fetch_run *run, const strlist_t *chats,
                                  chatarc_error_t *err)
{
	const chatarc_config_t *config = run->config;
	const char *only = run->options->only_source;
	size_t max_jobs = 0;
	chatarc_status_t status = CHATARC_OK;

	for (size_t i = 0; i < chats->len; i++)
		if (!config_find_chat(config, chats->items[i]))
			return chatarc_error_set(err, CHATARC_ERR_NOT_FOUND, "no chat \"%s\" in %s",
			                         chats->items[i], config->path);
	if (only && !config_find_source(config, only))
		return chatarc_error_set(err, CHATARC_ERR_NOT_FOUND, "no source \"%s\" in %s", only,
		                         config->path);
	for (size_t i = 0; i < config->n_chats; i++)
		max_jobs += config->chats[i].sources.len * config->chats[i].tags.len;
	run->targets = xcalloc(config->n_chats + 1, sizeof *run->targets);
	run->links = xcalloc(config->n_sources + 1, sizeof *run->links);
	run->jobs = xcalloc(max_jobs + 1, sizeof *run->jobs);
	run->report->jobs = xcalloc(max_jobs + 1, sizeof *run->report->jobs);

	for (size_t c = 0; c < config->n_chats && status == CHATARC_OK; c++) {
		const chatarc_chat_t *chat = &config->chats[c];
		if (!chat_wanted(chats, chat->name))
			continue;
		struct chat_target *target = NULL;
		for (size_t s = 0; s < chat->sources.len && status == CHATARC_OK; s++) {
			const chatarc_source_t *source =
			    config_find_source(config, chat->sources.items[s]);
			if (!source || (only && strcmp(only, source->name)))
				continue;
			if (!target) {
				target = &run->targets[run->n_targets++];
				target->chat = chat;
				target->lock_fd = -1;
			}
			struct source_link *link = link_for(run, source, err, &status);
			for (size_t t = 0; t < chat->tags.len && status == CHATARC_OK; t++) {
				struct job *job = &run->jobs[run->n_jobs];
				fetch_job_stats_t *stats = &run->report->jobs[run->n_jobs++];
				run->report->n_jobs = run->n_jobs;
				job->run = run;
				job->stats = stats;
				job->target = target;
				job->link = link;
				job->tag = chat->tags.items[t];
				job->keep_state = !run->options->until;
				job->state_path =
				    state_path(run->data_dir, chat->name, source->name, job->tag);
				job->recheck_owner = t == 0;
				stats->chat = chat->name;
				stats->source = source->name;
				stats->tag = job->tag;
				job->conv =
				    (post_converter_t){.chat = chat->name,
				                       .source = source->name,
				                       .sink = store_record,
				                       .sink_ctx = job,
				                       .honour_consent = !chat->allow_noindex};
				status = job_load_state(job, err);
			}
		}
	}
	if (status == CHATARC_OK && run->n_jobs == 0)
		status = chatarc_error_set(
		    err, CHATARC_ERR_USAGE,
		    only ? "no chat to fetch reads from source \"%s\"; list it in a chat's "
		           "\"sources\" in chatarc.conf"
		         : "no chat to fetch has \"sources\"%s; list Mastodon or Bluesky sources "
		           "in chatarc.conf (files go in with `chatarc import`)",
		    only ? only : "");
	return status;
}

/* Archives are open (and their write locks held) only during a round, so
 * an import can go in while --follow waits for the next one. */
static chatarc_status_t open_archives(struct fetch_run *run, chatarc_error_t *err)
{
	for (size_t i = 0; i < run->n_targets; i++) {
		struct chat_target *t = &run->targets[i];
		archive_options_t options = {.wait_for_lock = true};
		chatarc_status_t status;
		if (!t->busy && !t->archive &&
		    (status =
		         archive_open(run->data_dir, t->chat->name, &options, &t->archive, err)))
			return status;
	}
	return CHATARC_OK;
}

static void close_archives(struct fetch_run *run)
{
	chatarc_error_t err;
	for (size_t i = 0; i < run->n_targets; i++) {
		struct chat_target *t = &run->targets[i];
		if (t->archive) {
			/* Every page was committed as it came; this commits nothing new. */
			archive_commit(t->archive, &err);
			archive_close(t->archive);
			t->archive = NULL;
		}
	}
}

static chatarc_status_t lock_targets(struct fetch_run *run, chatarc_error_t *err)
{
	for (size_t i = 0; i < run->n_targets; i++) {
		chatarc_status_t status = lock_chat(run, &run->targets[i], err);
		if (status != CHATARC_OK)
			return status;
	}
	/* Another run of the same chat (an overlapping cron job) is normal:
	 * its jobs are left to it, neither failed nor done, and said only on a
	 * terminal or with --verbose. */
	for (size_t j = 0; j < run->n_jobs; j++)
		if (run->jobs[j].target->busy)
			run->jobs[j].phase = PHASE_DONE;
	for (size_t i = 0; i < run->n_targets; i++)
		if (run->targets[i].busy && run->options->notice) {
			char line[300];
			snprintf(
			    line, sizeof line,
			    "%s: another `chatarc fetch` of this chat is running (a cron job?); "
			    "this run leaves it alone",
			    run->targets[i].chat->name);
			run->options->notice(run->options->ctx, line);
		}
	return CHATARC_OK;
}

static bool round_active(struct fetch_run *run, chatarc_ms_t *wake)
{
	bool active = false;
	chatarc_ms_t now = http_now_ms();
	*wake = now + 500;
	for (size_t j = 0; j < run->n_jobs; j++) {
		struct job *job = &run->jobs[j];
		if (job->target->busy || (job->phase == PHASE_DONE && !job->in_flight))
			continue;
		active = true;
		if (job->in_flight || job->link->busy)
			continue;
		chatarc_ms_t ready = job->not_before > job->link->not_before
		                         ? job->not_before
		                         : job->link->not_before;
		if (ready > now) {
			if (ready < *wake)
				*wake = ready;
			continue;
		}
		job->stats->waiting_until = 0;
		job_step(job);
	}
	return active;
}

static void run_round(struct fetch_run *run)
{
	chatarc_ms_t wake;
	while (!stopping(run) && round_active(run, &wake)) {
		long timeout = (long)(wake - http_now_ms());
		show_progress(run, false);
		http_client_run(run->http, timeout < 10 ? 10 : timeout);
	}
	for (size_t j = 0; j < run->n_jobs; j++)
		if (run->jobs[j].in_flight) { /* stopped: this page was never acknowledged */
			http_abort(&run->jobs[j].request);
			run->jobs[j].in_flight = false;
		}
	show_progress(run, true);
}

static void run_release(struct fetch_run *run)
{
	for (size_t j = 0; j < run->n_jobs; j++) {
		struct job *job = &run->jobs[j];
		/* Replies whose parent never came are already settled in the archive. */
		posts_release(&job->conv);
		http_request_release(&job->request);
		free(job->request.url);
		free(job->request.post_json);
		free(job->request.bearer);
		free(job->state_path);
		free(job->newest_id);
		free(job->resume_id);
		strlist_clear(&job->page_ids);
		free(job->page_times);
		free(job->backfill_max_id);
		free(job->window_cursor);
		free(job->next_url);
		free(job->page_max_id);
		free(job->page_min_id);
		recheck_free(job->recheck);
	}
	close_archives(run);
	for (size_t i = 0; i < run->n_targets; i++)
		if (run->targets[i].lock_fd >= 0)
			close(run->targets[i].lock_fd);
	for (size_t i = 0; i < run->n_links; i++) {
		free(run->links[i].token);
		free(run->links[i].password);
		free(run->links[i].access_jwt);
		free(run->links[i].refresh_jwt);
		free(run->links[i].session_path);
	}
	free(run->jobs);
	free(run->targets);
	free(run->links);
	http_client_free(run->http);
}

static void sleep_until_next_round(struct fetch_run *run)
{
	chatarc_ms_t until =
	    http_now_ms() + (chatarc_ms_t)run->config->fetch.follow_interval_s * 1000;
	while (!stopping(run) && http_now_ms() < until) {
		chatarc_ms_t left = until - http_now_ms();
		struct timespec ts = {0, (left > 200 ? 200 : left) * 1000000L};
		nanosleep(&ts, NULL);
	}
}

chatarc_status_t fetch_chats(const char *data_dir, const chatarc_config_t *config,
                             const strlist_t *chats, const fetch_options_t *options,
                             fetch_report_t *report, chatarc_error_t *err)
{
	struct fetch_run run = {.data_dir = data_dir,
	                        .config = config,
	                        .options = options,
	                        .report = report,
	                        .seed = (unsigned)http_now_ms() ^ (unsigned)getpid()};
	http_client_options_t http_options = {.connect_timeout_s = config->fetch.connect_timeout_s,
	                                      .stall_timeout_s = config->fetch.stall_timeout_s,
	                                      .request_timeout_s = config->fetch.request_timeout_s,
	                                      .max_body = MAX_BODY,
	                                      .log = options->log,
	                                      .log_ctx = options->ctx};
	memset(report, 0, sizeof *report);
	chatarc_status_t status = plan_jobs(&run, chats, err);
	if (status == CHATARC_OK)
		status = http_client_new(&http_options, &run.http, err);
	if (status == CHATARC_OK)
		status = lock_targets(&run, err);
	for (bool first = true; status == CHATARC_OK && !stopping(&run); first = false) {
		if ((status = open_archives(&run, err)) != CHATARC_OK)
			break;
		for (size_t j = 0; j < run.n_jobs; j++)
			if (!run.jobs[j].target->busy)
				job_start_round(&run.jobs[j], first);
		run_round(&run);
		close_archives(&run);
		if (!options->follow)
			break;
		sleep_until_next_round(&run);
	}
	if (status != CHATARC_OK) {
		run_release(&run);
		return status;
	}
	run_release(&run);
	for (size_t j = 0; j < report->n_jobs; j++)
		if (report->jobs[j].failed)
			return chatarc_error_set(err, CHATARC_ERR_PARTIAL, "%s",
			                         report->jobs[j].error.message);
	return CHATARC_OK;
}

void fetch_report_release(fetch_report_t *report)
{
	free(report->jobs);
	memset(report, 0, sizeof *report);
}
