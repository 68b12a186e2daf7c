/* The fetch loop: jobs, rounds, pacing, retries, and the re-check of what
 * was archived. What differs between networks is in their handlers
 * (fetch-mastodon.c, fetch-bluesky.c; fetch-job.h); cursors and credentials
 * kept between runs in fetch-state.c; transfers and headers in http.c. */
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
#include "../common/urimap.h"
#include "fetch-job.h"

/* One line to the caller's warning, log or notice function, if it set one. */
static void say_to(void (*fn)(void *, const char *), void *ctx, const char *fmt, va_list ap)
{
	char line[1024];
	if (!fn)
		return;
	vsnprintf(line, sizeof line, fmt, ap);
	fn(ctx, line);
}

void say(struct fetch_run *run, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say_to(run->options->warning, run->options->ctx, fmt, ap);
	va_end(ap);
}

void say_log(struct fetch_run *run, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say_to(run->options->log, run->options->ctx, fmt, ap);
	va_end(ap);
}

void say_notice(struct fetch_run *run, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say_to(run->options->notice, run->options->ctx, fmt, ap);
	va_end(ap);
}

void show_progress(struct fetch_run *run, bool now)
{
	chatarc_ms_t t = time_now_ms();
	if (!run->options->progress || (!now && t - run->last_progress < 250))
		return;
	run->last_progress = t;
	run->options->progress(run->options->ctx, run->report);
}

bool stopping(const struct fetch_run *run)
{
	return run->options->stop && *run->options->stop;
}

/* Mastodon ids are decimal (or, on GoToSocial, fixed-length ULIDs): longer
 * is newer, then byte order. */
int id_compare(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

void set_string(char **slot, const char *value)
{
	char *copy = value ? xstrdup(value) : NULL;
	free(*slot);
	*slot = copy;
}

void job_fail(struct job *job, const char *fmt, ...)
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

/* ---- state files ------------------------------------------------------- */

/* ---- a round: what this run (or --follow round) walks --------------------- */

/* Sets up the walk of this run (or --follow round). A new walk back is
 * written down before its first request, so a run killed before its first
 * page still leaves the next run knowing how far back to go. */
void job_start_round(struct job *job, bool first)
{
	chatarc_error_t err;
	const fetch_options_t *o = job->run->options;
	chatarc_ms_t now = time_now_ms();
	chatarc_ms_t since = o->since ? o->since : now - FIRST_RUN_DAYS * DAY_MS;
	job->attempt = 0;
	job->stats->failed = false;
	job->stats->done = false;
	set_string(&job->next_url, NULL);
	bool fresh = job->link->net->start_round(job, first, since, now);
	if (fresh && job_save_state(job, &err) != CHATARC_OK)
		job_fail(job, "cannot save the fetch cursor: %s", err.message);
}

/* ---- requests ------------------------------------------------------------ */

static void request_done(void *ctx, http_request_t *request);

void job_send(struct job *job, enum request_kind kind, char *url, char *post_json,
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
		link->net->sign_in(job);
		return;
	}
	char *url = job->phase == PHASE_RECHECK  ? recheck_next_url(job->recheck, link->base)
	            : job->phase == PHASE_LOOKUP ? live_lookup_url(job)
	            : job->next_url              ? xstrdup(job->next_url)
	                                         : link->net->page_url(job);
	job->page_posts = 0;
	job->page_oldest = 0;
	strlist_clear(&job->page_ids);
	set_string(&job->page_max_id, NULL);
	set_string(&job->page_min_id, NULL);
	job_send(job, REQUEST_PAGE, url, NULL, link->net->bearer(link));
}

/* ---- reading a page --------------------------------------------------------- */

static CHATARC_MUST_CHECK chatarc_status_t store_record(void *ctx, chatarc_record_t *record,
                                                        chatarc_error_t *err)
{
	struct job *job = ctx;
	const fetch_options_t *o = job->run->options;
	archive_outcome_t outcome;
	if (o->until && record->created_ms >= o->until)
		return CHATARC_OK;
	if (job->link->net->keeps && !job->link->net->keeps(job, record))
		return CHATARC_OK;
	chatarc_status_t status = archive_add(job->target->archive, record, &outcome, err);
	if (status != CHATARC_OK)
		return status;
	archive_tally_add(&job->stats->stored, outcome);
	live_note_archived(job, record);
	return CHATARC_OK;
}

/* The converter lives as long as the job: its counts are the job's. */
chatarc_status_t convert_counted(struct job *job, yajl_val post, chatarc_error_t *err)
{
	chatarc_status_t status = job->link->net->convert(&job->conv, post, err);
	job->stats->boosts = job->conv.boosts;
	job->stats->consent_skipped = job->conv.consent_skipped;
	return status;
}

/* What was read of a page becomes durable; only then may a cursor move. */
static CHATARC_MUST_CHECK chatarc_status_t job_commit(struct job *job, chatarc_error_t *err)
{
	chatarc_status_t status = posts_settle(&job->conv, err);
	if (status == CHATARC_OK)
		status = archive_commit(job->target->archive, err);
	return status;
}

/* Accepts a Link only to the same server: a server may not send us elsewhere. */
bool take_link(struct job *job, const char *link)
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

/* The "error" a JSON error body names (Mastodon and XRPC both use it).
 * A success's body is data, never parsed here: a page is read once, by
 * the streaming splitter. */
void error_detail(const http_response_t *r, char *out, size_t size)
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
	json_free(doc);
}

static bool is_json(const http_response_t *r)
{
	return r->content_type && strstr(r->content_type, "json");
}

/* Retries the request later if the policy allows; else fails the job. */
void job_retry_or_fail(struct job *job, const http_response_t *r, bool bad_body, const char *why)
{
	const chatarc_fetch_settings_t *s = &job->run->config->fetch;
	chatarc_ms_t now = time_now_ms();
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
	say_log(job->run, "%s %s: %s; retry %d in %.1f s", job->stats->chat, job->stats->source,
	        why, job->attempt, delay / 1000.0);
}

/* ---- re-checking what was archived ----------------------------------------- */

static CHATARC_MUST_CHECK chatarc_status_t recheck_store(void *ctx, yajl_val post,
                                                         chatarc_error_t *err)
{
	struct job *job = ctx;
	return convert_counted(job, post, err);
}

static bool drop_listed(void *ctx, const chatarc_record_t *record)
{
	return urimap_find(ctx, record->uri) != NULL;
}

/* Ends the re-check: what its home proved gone leaves the archive. A
 * deletion is not a takedown: it is not remembered in DIR/forgotten, so a
 * post its author restores, or that was wrongly reported, can come back. */
static void recheck_finish(struct job *job, bool completed)
{
	chatarc_error_t err;
	const strlist_t *gone = recheck_gone(job->recheck);
	if (completed && gone->len) {
		strlist_t removed = {0};
		urimap_t listed;
		bool added;
		urimap_init(&listed);
		for (size_t i = 0; i < gone->len; i++)
			urimap_insert(&listed, gone->items[i], &added);
		if (archive_commit(job->target->archive, &err) != CHATARC_OK ||
		    archive_remove(job->target->archive, drop_listed, &listed, &removed, &err) !=
		        CHATARC_OK)
			job_fail(job, "cannot remove posts deleted upstream: %s", err.message);
		job->stats->deleted += (long)removed.len;
		strlist_clear(&removed);
		urimap_release(&listed);
	}
	if (completed && recheck_not_home(job->recheck))
		say_log(job->run, "%s %s: %ld posts left out whose home is another server: kept",
		        job->stats->chat, job->stats->source, recheck_not_home(job->recheck));
	if (completed && recheck_unproven_batches(job->recheck))
		say_log(
		    job->run, "%s %s: %ld batches of posts came back empty: not taken as deletions",
		    job->stats->chat, job->stats->source, recheck_unproven_batches(job->recheck));
	recheck_free(job->recheck);
	job->recheck = NULL;
	job->rechecked_at = time_now_ms();
	job->phase = PHASE_DONE;
	if (!job->stats->failed && job_save_state(job, &err) != CHATARC_OK)
		job_fail(job, "cannot save the fetch cursor: %s", err.message);
	if (!job->stats->failed)
		job->stats->done = true;
}

void job_recheck_ids(struct job *job, const strlist_t *ids)
{
	const chatarc_fetch_settings_t *f = &job->run->config->fetch;
	chatarc_ms_t now = time_now_ms();
	chatarc_error_t err;
	int days = f->recheck_days > 0 ? f->recheck_days : FIRST_RUN_DAYS;
	if (job->recheck || !job->link->net->lookup.one_path)
		return;
	chatarc_status_t status = archive_commit(job->target->archive, &err);
	if (status == CHATARC_OK)
		status =
		    recheck_load(job->run->data_dir, job->stats->chat, job->stats->source,
		                 &job->link->net->lookup, now - days * DAY_MS, &job->recheck, &err);
	if (status != CHATARC_OK) {
		job_fail(job, "cannot read the archive to check a deletion: %s", err.message);
		return;
	}
	recheck_only(job->recheck, ids);
	chatarc_ms_t rechecked_at = job->rechecked_at;
	job->attempt = 0;
	if (recheck_more(job->recheck))
		job->phase = PHASE_RECHECK;
	else
		recheck_finish(job, true);
	job->rechecked_at = rechecked_at; /* (a deletion's check is not the periodic one) */
}

/* After a walk: re-check the chat's recent posts from this source, when
 * due (fetch.recheck_days, at most every fetch.recheck_every hours). */
static void recheck_start(struct job *job)
{
	const chatarc_fetch_settings_t *f = &job->run->config->fetch;
	chatarc_ms_t now = time_now_ms();
	chatarc_error_t err;
	if (!job->recheck_owner || !job->keep_state || f->recheck_days == 0 || job->recheck ||
	    now - job->rechecked_at < (chatarc_ms_t)f->recheck_every_h * 3600000)
		return;
	chatarc_status_t status = archive_commit(job->target->archive, &err);
	if (status == CHATARC_OK)
		status = recheck_load(job->run->data_dir, job->stats->chat, job->stats->source,
		                      &job->link->net->lookup, now - f->recheck_days * DAY_MS,
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

/* The answer about one suspect asked for alone at its home: "not found"
 * removes it, the post itself keeps it, anything else is asked again (and
 * when retries run out the job fails, removing nothing). */
static void recheck_one_done(struct job *job, const http_response_t *r)
{
	bool gone = recheck_answer_is_gone(job->recheck, r->status, &r->body);
	if (!gone && r->status != 200) {
		chatarc_error_t why;
		snprintf(why.message, sizeof why.message, "HTTP %ld asking for one post again",
		         r->status);
		job_retry_or_fail(job, r, false, why.message);
		return;
	}
	recheck_read_one(job->recheck, gone);
	job->attempt = 0;
	if (!recheck_more(job->recheck))
		recheck_finish(job, true);
}

static void page_done(struct job *job, const http_response_t *r)
{
	chatarc_error_t why;
	char detail[400];
	chatarc_error_t err;
	const struct network_handler *net = job->link->net;

	if (!r->transport_ok) {
		job_retry_or_fail(job, r, false, r->error.message);
		return;
	}
	error_detail(r, detail, sizeof detail);
	if (net->token_expired && net->token_expired(job, r, detail)) {
		job->link->auth = AUTH_SIGNED_OUT;
		if (++job->attempt > job->run->config->fetch.retries)
			job_fail(job, "HTTP %ld%s even with a fresh session", r->status, detail);
		return;
	}
	if (r->status == 401 || r->status == 403) {
		net->refused(job, r, detail);
		return;
	}
	if (job->phase == PHASE_LOOKUP) {
		live_lookup_done(job, r);
		return;
	}
	if (job->phase == PHASE_RECHECK && recheck_asking_one(job->recheck)) {
		recheck_one_done(job, r);
		return;
	}
	if (job->phase == PHASE_RECHECK && (r->status == 404 || r->status == 400)) {
		/* Mastodon before 4.3 has no batch lookup; nothing is lost. */
		say_notice(job->run,
		           "%s %s: the server cannot look up posts in batches (HTTP %ld%s); "
		           "deletions there are not followed",
		           job->stats->chat, job->stats->source, r->status, detail);
		recheck_finish(job, false);
		return;
	}
	if (net->empty_answer && net->empty_answer(r, detail)) {
		job->page_posts = 0; /* nothing to read */
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
		status = net->read_page(job, &r->body, &cursor, &err);
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
	net->advance(job, r, cursor);
	/* fetch.max_pages counts the pages with posts of one walk (forward, or
	 * back): an empty page ends a walk anyway, and the walk back still
	 * starts after a forward walk that used the budget up. */
	job->walk_pages = job->phase == walk ? job->walk_pages + (job->page_posts > 0) : 0;
	if (job_save_state(job, &err) != CHATARC_OK)
		job_fail(job, "cannot save the fetch cursor: %s", err.message);
	/* A bound on one walk of one run: the cursor is saved, so the next run
	 * goes on from here; a walk back still pending starts now. */
	if (job->phase != PHASE_DONE && job->walk_pages >= job->run->config->fetch.max_pages) {
		say_log(job->run,
		        "%s %s: read fetch.max_pages (%d) pages in this walk; the next run goes on",
		        job->stats->chat, job->stats->source, job->run->config->fetch.max_pages);
		bool walk_back = job->phase == PHASE_FORWARD && job->link->net->walks_back &&
		                 job->link->net->walks_back(job);
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
	chatarc_ms_t now = time_now_ms();
	job->in_flight = false;
	link->busy = false;
	/* Pacing: an exhausted rate limit holds every job of this server. */
	if (r->ratelimit_remaining == 0 && r->ratelimit_reset > now)
		link->not_before = r->ratelimit_reset;
	if (job->kind == REQUEST_PAGE)
		page_done(job, r);
	else
		link->net->sign_in_done(job, r);
	if (link->not_before > now && !job->stats->failed && job->phase != PHASE_DONE &&
	    link->not_before > job->stats->waiting_until)
		job->stats->waiting_until = link->not_before;
	show_progress(job->run, false);
}

/* ---- setting up and running ------------------------------------------------- */

static CHATARC_MUST_CHECK chatarc_status_t lock_chat(struct fetch_run *run, struct chat_target *t,
                                                     chatarc_error_t *err)
{
	strbuf_t path;
	strbuf_init(&path, 0);
	strbuf_addf(&path, "%s/state/%s/fetch.lock", run->data_dir, t->chat->name);
	chatarc_status_t status =
	    fs_open_under(run->data_dir, path.buf, O_RDWR | O_CREAT, 0666, &t->lock_fd, err);
	if (status == CHATARC_OK && flock(t->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			t->busy = true;
		else
			status = chatarc_error_set(err, CHATARC_ERR_IO, "%s: cannot lock: %s",
			                           path.buf, strerror(errno));
	}
	strbuf_release(&path);
	return status;
}

/* The networks fetch speaks, one handler each (fetch-job.h): a new network
 * is a new file and a row here. */
static const struct network_handler *const network_handlers[] = {&mastodon_handler,
                                                                 &bluesky_handler};

static const struct network_handler *handler_for(const char *type)
{
	for (size_t i = 0; i < sizeof network_handlers / sizeof *network_handlers; i++)
		if (!strcmp(network_handlers[i]->type, type))
			return network_handlers[i];
	return NULL;
}

static struct source_link *link_for(struct fetch_run *run, const chatarc_source_t *source,
                                    chatarc_error_t *err, chatarc_status_t *status)
{
	for (size_t i = 0; i < run->n_links; i++)
		if (run->links[i].source == source)
			return &run->links[i];
	const struct network_handler *net = handler_for(source->type);
	if (!net) {
		*status = chatarc_error_set(err, CHATARC_ERR_CONFIG,
		                            "sources.%s: fetch speaks no network \"%s\"",
		                            source->name, source->type);
		return NULL;
	}
	struct source_link *link = &run->links[run->n_links++];
	memset(link, 0, sizeof *link);
	link->source = source;
	link->net = net;
	link->base = source->url; /* (a handler may send it elsewhere: link_setup) */
	urimap_init(&link->held);
	*status = link->net->link_setup(run, link, err);
	return link;
}

static bool chat_wanted(const strlist_t *chats, const char *name)
{
	return chats->len == 0 || strlist_has(chats, name);
}

static CHATARC_MUST_CHECK chatarc_status_t plan_jobs(struct fetch_run *run, const strlist_t *chats,
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
				job->cursor = link->net->cursor_new();
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

chatarc_status_t target_open(struct fetch_run *run, struct chat_target *t, chatarc_error_t *err)
{
	archive_options_t options = {.wait_for_lock = true};
	if (t->busy || t->archive)
		return CHATARC_OK;
	return archive_open(run->data_dir, t->chat->name, &options, &t->archive, err);
}

/* Every page was committed as it came, so this commits nothing new; a
 * failure here is still reported, never dropped. */
chatarc_status_t target_close(struct chat_target *t, chatarc_error_t *err)
{
	if (!t->archive)
		return CHATARC_OK;
	chatarc_status_t status = archive_commit(t->archive, err);
	archive_close(t->archive);
	t->archive = NULL;
	return status;
}

/* Archives are open (and their write locks held) only during a round, so
 * an import can go in while --follow waits for the next one. */
static CHATARC_MUST_CHECK chatarc_status_t open_archives(struct fetch_run *run,
                                                         chatarc_error_t *err)
{
	for (size_t i = 0; i < run->n_targets; i++) {
		chatarc_status_t status = target_open(run, &run->targets[i], err);
		if (status != CHATARC_OK)
			return status;
	}
	return CHATARC_OK;
}

/* The first failure is reported; every archive is closed. */
static CHATARC_MUST_CHECK chatarc_status_t close_archives(struct fetch_run *run,
                                                          chatarc_error_t *err)
{
	chatarc_status_t status = CHATARC_OK;
	for (size_t i = 0; i < run->n_targets; i++) {
		chatarc_error_t close_err;
		if (target_close(&run->targets[i], &close_err) != CHATARC_OK &&
		    status == CHATARC_OK) {
			status = CHATARC_ERR_IO;
			*err = close_err;
		}
	}
	return status;
}

static CHATARC_MUST_CHECK chatarc_status_t lock_targets(struct fetch_run *run, chatarc_error_t *err)
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
		if (run->targets[i].busy)
			say_notice(
			    run,
			    "%s: another `chatarc fetch` of this chat is running (a cron job?); "
			    "this run leaves it alone",
			    run->targets[i].chat->name);
	return CHATARC_OK;
}

bool jobs_step(struct fetch_run *run, chatarc_ms_t *wake)
{
	bool active = false;
	chatarc_ms_t now = time_now_ms();
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
	while (!stopping(run) && jobs_step(run, &wake)) {
		long timeout = (long)(wake - time_now_ms());
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
	live_release(run);
	for (size_t j = 0; j < run->n_jobs; j++) {
		struct job *job = &run->jobs[j];
		/* Replies whose parent never came are already settled in the archive. */
		posts_release(&job->conv);
		http_request_release(&job->request);
		free(job->request.url);
		free(job->request.post_json);
		free(job->request.bearer);
		free(job->state_path);
		if (job->cursor)
			job->link->net->cursor_free(job->cursor);
		strlist_clear(&job->page_ids);
		free(job->page_times);
		free(job->next_url);
		free(job->page_max_id);
		free(job->page_min_id);
		recheck_free(job->recheck);
	}
	chatarc_error_t ignored; /* (on the way out of a run that already failed) */
	chatarc_status_t closed = close_archives(run, &ignored);
	(void)closed;
	for (size_t i = 0; i < run->n_targets; i++)
		if (run->targets[i].lock_fd >= 0)
			close(run->targets[i].lock_fd);
	for (size_t i = 0; i < run->n_links; i++) {
		if (run->links[i].credentials)
			run->links[i].net->credentials_free(run->links[i].credentials);
		urimap_release(&run->links[i].held);
	}
	free(run->jobs);
	free(run->targets);
	free(run->links);
	http_client_free(run->http);
}

chatarc_status_t fetch_chats(const char *data_dir, const chatarc_config_t *config,
                             const strlist_t *chats, const fetch_options_t *options,
                             fetch_report_t *report, chatarc_error_t *err)
{
	struct fetch_run run = {.data_dir = data_dir,
	                        .config = config,
	                        .options = options,
	                        .report = report,
	                        .seed = (unsigned)time_now_ms() ^ (unsigned)getpid(),
	                        .started_at = time_now_ms()};
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
	if (status == CHATARC_OK && !stopping(&run))
		status = open_archives(&run, err);
	if (status == CHATARC_OK && !stopping(&run)) {
		for (size_t j = 0; j < run.n_jobs; j++)
			if (!run.jobs[j].target->busy)
				job_start_round(&run.jobs[j], true);
		run_round(&run);
		/* --follow: the streams (or polling, where a source has none)
		 * from here on, until stopped. */
		if (options->follow && !stopping(&run))
			status = live_run(&run, err);
	}
	chatarc_error_t close_err;
	if (close_archives(&run, &close_err) != CHATARC_OK && status == CHATARC_OK) {
		status = CHATARC_ERR_IO;
		*err = close_err;
	}
	run_release(&run);
	if (status != CHATARC_OK)
		return status;
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
