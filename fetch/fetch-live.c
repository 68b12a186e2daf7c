/* fetch --follow on push: after the first round's walk, each job opens its
 * network's stream (Mastodon's streaming API: server-sent events on one
 * hashtag) and each post pushed is converted as a page's are and committed
 * within a second. The REST walk stays the authority: it runs again each
 * time a stream opens, so whatever came while no stream was open (before
 * the first, between a drop and a reconnect) is fetched, and the archive's
 * dedup takes the overlap. A stream that fails is reopened after a back-off
 * with jitter, polling meanwhile; one silent past fetch.stream_silence (no
 * heartbeat) is dropped and reopened; a source without push polls every
 * fetch.follow_interval, said once. A "delete" event makes the post a
 * suspect, proved gone at its home before it leaves (recheck.h), as a
 * deletion found by the re-check is. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/alloc.h"
#include "../common/json.h"
#include "../common/timeutil.h"
#include "fetch-job.h"

/* The longest event taken: a status is a few kB; a stream sending more is
 * not a Mastodon stream. */
#define LIVE_MAX_EVENT (4u << 20)
/* Records are committed this long after the first of a batch came at most
 * (the "within a second", with room for the fsync). */
#define LIVE_COMMIT_MS 200
/* A stream that stayed open this long worked: back-off starts over. */
#define LIVE_GOOD_STREAM_MS 60000
/* A chat's archive is let go after this long with nothing to write, so an
 * import can go in between a chat's bursts. */
#define LIVE_IDLE_CLOSE_MS 2000

static void notice(struct fetch_run *run, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void notice(struct fetch_run *run, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	void (*fn)(void *, const char *) =
	    run->options->notice ? run->options->notice : run->options->log;
	if (!fn)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	fn(run->options->ctx, line);
}

static void log_line(struct fetch_run *run, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void log_line(struct fetch_run *run, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	if (!run->options->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	run->options->log(run->options->ctx, line);
}

/* A pushed record goes in as a page's does, whatever walk is under way
 * (a walk back's window does not bound what is pushed now). */
static CHATARC_MUST_CHECK chatarc_status_t store_streamed(void *ctx, chatarc_record_t *record,
                                                          chatarc_error_t *err)
{
	struct job *job = ctx;
	archive_outcome_t outcome;
	chatarc_status_t status = target_open(job->run, job->target, err);
	if (status == CHATARC_OK)
		status = archive_add(job->target->archive, record, &outcome, err);
	if (status != CHATARC_OK)
		return status;
	archive_tally_add(&job->stats->stored, outcome);
	job->stats->streamed++;
	job->stream->dirty = true;
	job->stream->last_write = time_now_ms();
	return CHATARC_OK;
}

static CHATARC_MUST_CHECK chatarc_status_t on_event(void *ctx, const char *type, const char *data,
                                                    size_t len, chatarc_error_t *err)
{
	struct job *job = ctx;
	long skipped = job->stream->conv.consent_skipped, boosts = job->stream->conv.boosts;
	chatarc_status_t status = job->link->net->stream_event(job, type, data, len, err);
	job->stats->consent_skipped += job->stream->conv.consent_skipped - skipped;
	job->stats->boosts += job->stream->conv.boosts - boosts;
	return status;
}

static bool on_chunk(void *ctx, http_request_t *request, const char *data, size_t len)
{
	struct job *job = ctx;
	chatarc_error_t err;
	if (sse_feed(&job->stream->sse, data, len, &err) == CHATARC_OK)
		return true;
	/* Not to be trusted on: closed, reopened, and the walk fills the gap. */
	snprintf(request->response.error.message, sizeof request->response.error.message,
	         "the stream sent what no Mastodon stream sends (%.300s)", err.message);
	return false;
}

static void stream_done(void *ctx, http_request_t *request);

static void open_stream(struct job *job, chatarc_ms_t now)
{
	struct job_stream *st = job->stream;
	chatarc_error_t err;
	free(st->request.url);
	free(st->request.bearer);
	st->request.url = job->link->net->stream_url(job);
	const char *bearer = job->link->net->bearer(job->link);
	st->request.bearer = bearer ? xstrdup(bearer) : NULL;
	st->request.accept = "text/event-stream";
	st->request.chunk = on_chunk;
	st->request.done = stream_done;
	st->request.ctx = job;
	sse_release(&st->sse);
	sse_init(&st->sse, LIVE_MAX_EVENT, on_event, job);
	if (http_start(job->run->http, &st->request, &err) != CHATARC_OK) {
		st->state = STREAM_WAITING;
		st->not_before = now + job->run->config->fetch.backoff_max_ms;
		return;
	}
	st->state = STREAM_OPENING;
	job->stats->live = "connecting";
}

static void poll_instead(struct job *job, const char *why)
{
	struct job_stream *st = job->stream;
	const chatarc_source_t *source = job->link->source;
	st->state = STREAM_POLLING;
	job->stats->live = "polling";
	/* Said once a source: every job of it would say the same. */
	for (size_t j = 0; j < job->run->n_jobs; j++) {
		struct job *other = &job->run->jobs[j];
		if (other != job && other->link == job->link && other->stream &&
		    other->stream->state == STREAM_POLLING)
			return;
	}
	notice(job->run, "%s: %s; polling every %d s instead", source->name, why,
	       job->run->config->fetch.follow_interval_s);
}

/* The stream ended (dropped, refused, or never answered). */
static void stream_done(void *ctx, http_request_t *request)
{
	struct job *job = ctx;
	struct job_stream *st = job->stream;
	struct fetch_run *run = job->run;
	const http_response_t *r = &request->response;
	const chatarc_fetch_settings_t *f = &run->config->fetch;
	chatarc_ms_t now = time_now_ms();
	char detail[400];

	if (r->streaming) {
		if (now - st->opened_at >= LIVE_GOOD_STREAM_MS)
			st->attempt = 0;
		log_line(run, "%s %s #%s: the stream closed (%s); reopening", job->stats->chat,
		         job->stats->source, job->tag,
		         r->transport_ok ? "by the server" : r->error.message);
	} else if (r->transport_ok && r->status >= 200 && r->status < 300) {
		/* A 2xx that is not an event stream: a proxy's page. */
	} else if (r->transport_ok && (r->status == 401 || r->status == 403)) {
		error_detail(r, detail, sizeof detail);
		poll_instead(job, job->link->net->bearer(job->link)
		                      ? "the streaming API refused the access token"
		                      : "the streaming API wants an access token (Mastodon 4.2 "
		                        "and later): set \"token_env\" or \"token_file\"");
		return;
	} else if (r->transport_ok && r->status >= 400 && r->status < 500 && r->status != 408 &&
	           r->status != 429) {
		char why[1200];
		error_detail(r, detail, sizeof detail);
		snprintf(why, sizeof why,
		         "no streaming API at %.200s (HTTP %ld%s; \"stream\" names another server, "
		         "false turns this off)",
		         request->url, r->status, detail);
		poll_instead(job, why);
		return;
	}
	st->attempt++;
	long delay = http_retry_delay(r, !r->streaming && r->transport_ok, st->attempt,
	                              f->backoff_base_ms, f->backoff_max_ms, now, &run->seed);
	if (delay < 0)
		delay = f->backoff_base_ms;
	if (!r->streaming)
		log_line(run, "%s %s #%s: the stream did not open (%s); again in %ld ms",
		         job->stats->chat, job->stats->source, job->tag,
		         r->transport_ok ? "an error answer" : r->error.message, delay);
	st->state = STREAM_WAITING;
	st->not_before = now + delay;
	job->stats->live = "reconnecting";
}

static bool job_idle(const struct job *job)
{
	return job->phase == PHASE_DONE && !job->in_flight;
}

/* What a job's stream needs now; the next time it needs something lowers
 * *wake. */
static void stream_step(struct job *job, chatarc_ms_t now, chatarc_ms_t *wake)
{
	struct job_stream *st = job->stream;
	const chatarc_fetch_settings_t *f = &job->run->config->fetch;
	const http_response_t *r = &st->request.response;
	chatarc_ms_t silence_ms = (chatarc_ms_t)f->stream_silence_s * 1000;

	if (st->state == STREAM_OPENING && r->streaming) {
		st->state = STREAM_OPEN;
		st->opened_at = now;
		st->gap_due = true; /* what came before it opened */
		job->stats->live = "streaming";
		log_line(job->run, "%s %s #%s: streaming from %s", job->stats->chat,
		         job->stats->source, job->tag, st->request.url);
	}
	if (st->state == STREAM_OPEN && now - r->last_data >= silence_ms) {
		log_line(job->run,
		         "%s %s #%s: the stream was silent %d s (no heartbeat); reopening",
		         job->stats->chat, job->stats->source, job->tag, f->stream_silence_s);
		http_abort(&st->request);
		st->state = STREAM_WAITING;
		st->not_before = now;
		st->gap_due = true;
	}
	if (st->state == STREAM_WAITING && now >= st->not_before && !job->stats->failed)
		open_stream(job, now);
	/* No stream open: rounds as polling would, so nothing waits for a
	 * stream that does not come back. */
	if (st->state != STREAM_OPEN && job_idle(job) && now >= st->next_poll &&
	    job->target->archive) {
		job_start_round(job, false);
		st->next_poll = now + (chatarc_ms_t)f->follow_interval_s * 1000;
		st->gap_due = false;
	}
	if (st->gap_due && job_idle(job) && job->target->archive) {
		job_start_round(job, false);
		st->gap_due = false;
	}
	if (st->deleted.len && job_idle(job) && job->target->archive) {
		job_recheck_ids(job, &st->deleted);
		strlist_clear(&st->deleted);
	}
	if (st->state == STREAM_WAITING && st->not_before < *wake)
		*wake = st->not_before;
	if (st->state == STREAM_OPEN && r->last_data + silence_ms < *wake)
		*wake = r->last_data + silence_ms;
	if (st->state != STREAM_OPEN && st->next_poll < *wake)
		*wake = st->next_poll;
}

/* Hands over what the streams converted and commits each chat that got
 * something: what was pushed is durable within LIVE_COMMIT_MS. */
static CHATARC_MUST_CHECK chatarc_status_t commit_streamed(struct fetch_run *run,
                                                           chatarc_error_t *err)
{
	for (size_t i = 0; i < run->n_targets; i++) {
		struct chat_target *t = &run->targets[i];
		bool dirty = false;
		long pushed = 0;
		chatarc_status_t status = CHATARC_OK;
		for (size_t j = 0; j < run->n_jobs && status == CHATARC_OK; j++) {
			struct job *job = &run->jobs[j];
			if (job->target != t || !job->stream)
				continue;
			pushed += job->stats->streamed;
			if (!job->stream->dirty)
				continue;
			dirty = true;
			job->stream->dirty = false;
			status = posts_settle(&job->stream->conv, err);
		}
		if (dirty && status == CHATARC_OK)
			status = archive_commit(t->archive, err);
		if (status != CHATARC_OK)
			return status;
		if (dirty)
			log_line(run, "%s: committed what was pushed (%ld posts so far)",
			         t->chat->name, pushed);
	}
	return CHATARC_OK;
}

/* A chat's archive (and its write lock) is held while one of its jobs
 * walks or its streams write; between rounds and in a stream's lulls it
 * is let go, so an import can go in while --follow runs (a stream's next
 * post opens it again, waiting for the import). */
static bool wants_archive(const struct job *job, chatarc_ms_t now)
{
	const struct job_stream *st = job->stream;
	return !job_idle(job) || st->dirty || st->deleted.len || st->gap_due ||
	       now - st->last_write < LIVE_IDLE_CLOSE_MS ||
	       (st->state != STREAM_OPEN && now >= st->next_poll);
}

static CHATARC_MUST_CHECK chatarc_status_t hold_archives(struct fetch_run *run, chatarc_ms_t now,
                                                         chatarc_error_t *err)
{
	for (size_t i = 0; i < run->n_targets; i++) {
		struct chat_target *t = &run->targets[i];
		bool needed = false;
		for (size_t j = 0; j < run->n_jobs; j++) {
			const struct job *job = &run->jobs[j];
			if (job->target != t || !job->stream)
				continue;
			needed |= wants_archive(job, now);
		}
		chatarc_status_t status = CHATARC_OK;
		if (needed && !t->archive)
			status = target_open(run, t, err);
		else if (!needed && t->archive)
			status = target_close(t, err);
		if (status != CHATARC_OK)
			return status;
	}
	return CHATARC_OK;
}

static bool push_wanted(const struct job *job)
{
	return job->link->net->stream_url && !job->link->source->no_stream;
}

chatarc_status_t live_run(struct fetch_run *run, chatarc_error_t *err)
{
	chatarc_ms_t now = time_now_ms();
	const chatarc_fetch_settings_t *f = &run->config->fetch;
	for (size_t j = 0; j < run->n_jobs; j++) {
		struct job *job = &run->jobs[j];
		if (job->target->busy)
			continue;
		struct job_stream *st = xcalloc(1, sizeof *st);
		job->stream = st;
		st->conv = job->conv;
		st->conv.sink = store_streamed;
		st->conv.threads = NULL;
		st->conv.posts = st->conv.boosts = st->conv.consent_skipped = 0;
		st->next_poll = now + (chatarc_ms_t)f->follow_interval_s * 1000;
		sse_init(&st->sse, LIVE_MAX_EVENT, on_event, job);
		if (push_wanted(job)) {
			st->state = STREAM_WAITING;
			st->not_before = now;
		} else {
			poll_instead(job, job->link->source->no_stream
			                      ? "\"stream\": false"
			                      : "this network has no stream chatarc reads");
		}
	}
	chatarc_status_t status = CHATARC_OK;
	chatarc_ms_t first_dirty = 0;
	while (status == CHATARC_OK && !stopping(run)) {
		now = time_now_ms();
		chatarc_ms_t wake = now + 1000;
		if ((status = hold_archives(run, now, err)) != CHATARC_OK)
			break;
		for (size_t j = 0; j < run->n_jobs; j++)
			if (run->jobs[j].stream)
				stream_step(&run->jobs[j], now, &wake);
		chatarc_ms_t step_wake;
		jobs_step(run, &step_wake);
		if (step_wake < wake)
			wake = step_wake;
		bool dirty = false;
		for (size_t j = 0; j < run->n_jobs; j++)
			dirty |= run->jobs[j].stream && run->jobs[j].stream->dirty;
		if (dirty && !first_dirty)
			first_dirty = now;
		if (dirty && first_dirty + LIVE_COMMIT_MS < wake)
			wake = first_dirty + LIVE_COMMIT_MS;
		long timeout = (long)(wake - time_now_ms());
		http_client_run(run->http, timeout < 1 ? 1 : timeout);
		show_progress(run, false);
		now = time_now_ms();
		if (first_dirty && now >= first_dirty + LIVE_COMMIT_MS) {
			status = commit_streamed(run, err);
			first_dirty = 0;
		}
	}
	/* Stopped: what came is committed; a page in flight was never
	 * acknowledged and is asked again by the next run. */
	for (size_t j = 0; j < run->n_jobs; j++)
		if (run->jobs[j].stream)
			http_abort(&run->jobs[j].stream->request);
	chatarc_error_t commit_err;
	if (commit_streamed(run, &commit_err) != CHATARC_OK && status == CHATARC_OK) {
		*err = commit_err;
		status = CHATARC_ERR_IO;
	}
	return status;
}

void live_release(struct fetch_run *run)
{
	for (size_t j = 0; j < run->n_jobs; j++) {
		struct job_stream *st = run->jobs[j].stream;
		if (!st)
			continue;
		http_request_release(&st->request);
		free(st->request.url);
		free(st->request.bearer);
		sse_release(&st->sse);
		posts_release(&st->conv);
		strlist_clear(&st->deleted);
		free(st);
		run->jobs[j].stream = NULL;
	}
}
