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
#include <strings.h>

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
	live_note_archived(job, record);
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
	const char *type = request->response.content_type;
	if (!type || strncasecmp(type, "text/event-stream", 17)) {
		/* A 200 that is no stream (a proxy's or a login page). */
		job->stream->not_a_stream = true;
		snprintf(request->response.error.message, sizeof request->response.error.message,
		         "the streaming API answered %.100s, not text/event-stream",
		         type ? type : "without a Content-Type");
		return false;
	}
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
	say_notice(job->run, "%s: %s; polling every %d s instead", source->name, why,
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

	if (st->not_a_stream) {
		poll_instead(job, r->error.message);
		return;
	}
	if (r->streaming) {
		if (now - st->opened_at >= LIVE_GOOD_STREAM_MS)
			st->attempt = 0;
		say_log(run, "%s %s #%s: the stream closed (%s); reopening", job->stats->chat,
		        job->stats->source, job->tag,
		        r->transport_ok ? "by the server" : r->error.message);
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
		say_log(run, "%s %s #%s: the stream did not open (%s); again in %ld ms",
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

	bool own_stream = job->link->net->stream_url != NULL;
	if (own_stream && st->state == STREAM_OPENING && r->streaming) {
		st->state = STREAM_OPEN;
		st->opened_at = now;
		st->gap_due = true; /* what came before it opened */
		job->stats->live = "streaming";
		say_log(job->run, "%s %s #%s: streaming from %s", job->stats->chat,
		        job->stats->source, job->tag, st->request.url);
	}
	if (own_stream && st->state == STREAM_OPEN && now - r->last_data >= silence_ms) {
		say_log(job->run, "%s %s #%s: the stream was silent %d s (no heartbeat); reopening",
		        job->stats->chat, job->stats->source, job->tag, f->stream_silence_s);
		http_abort(&st->request);
		st->state = STREAM_WAITING;
		st->not_before = now;
		st->gap_due = true;
	}
	if (own_stream && st->state == STREAM_WAITING && now >= st->not_before &&
	    !job->stats->failed)
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
	if (st->lookups.len && job_idle(job) && job->target->archive) {
		job->phase = PHASE_LOOKUP;
		job->attempt = 0;
	}
	if (own_stream && st->state == STREAM_WAITING && st->not_before < *wake)
		*wake = st->not_before;
	if (own_stream && st->state == STREAM_OPEN && r->last_data + silence_ms < *wake)
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
			say_log(run, "%s: committed what was pushed (%ld posts so far)",
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
	return !job_idle(job) || st->dirty || st->deleted.len || st->gap_due || st->lookups.len ||
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

/* What this run archived from a source, by the name its deletions use:
 * Mastodon's delete event names the instance's own id, a Jetstream delete
 * commit the post's uri. A deletion of anything else (every deletion on a
 * big instance, the network's) is not looked into here; the periodic
 * re-check covers what earlier runs archived. */
void live_note_archived(struct job *job, const chatarc_record_t *record)
{
	bool added;
	const char *name = job->link->net->firehose ? record->uri : record->native_id;
	if (!job->run->options->follow || !name)
		return;
	if (job->link->jetstream)
		jetstream_hold(job->link->jetstream, name);
	else
		urimap_insert(&job->link->held, name, &added);
}

/* ---- a firehose: Bluesky's Jetstream, one connection a source --------------- */

static const char *firehose_base(const struct source_link *link)
{
	return link->source->stream ? link->source->stream : link->net->firehose;
}

/* Where a connection starts: a little before the oldest cursor its jobs
 * saved (every matching event before it is archived; dedup takes the
 * overlap), but never before the first round's walk began (the walk has
 * what came before), so a cursor saved days ago does not replay days. */
#define FIREHOSE_OVERLAP_US (5LL * 1000000)
static int64_t firehose_cursor(const struct fetch_run *run, const struct source_link *link)
{
	int64_t cursor = 0;
	for (size_t j = 0; j < run->n_jobs; j++) {
		const struct job *job = &run->jobs[j];
		if (job->link == link && job->stream && (!cursor || job->stream_cursor_us < cursor))
			cursor = job->stream_cursor_us;
	}
	int64_t floor = (int64_t)run->started_at * 1000 - 60LL * 1000000;
	if (cursor < floor)
		cursor = floor;
	return cursor - FIREHOSE_OVERLAP_US;
}

static void firehose_wake(void *ctx)
{
	http_client_wakeup(ctx);
}

static void set_jobs_state(struct fetch_run *run, const struct source_link *link,
                           enum stream_state state, const char *live)
{
	for (size_t j = 0; j < run->n_jobs; j++) {
		struct job *job = &run->jobs[j];
		if (job->link != link || !job->stream)
			continue;
		job->stream->state = state;
		job->stats->live = live;
	}
}

/* The source's firehose cannot be read: its jobs poll, said once. */
static void firehose_polls(struct fetch_run *run, struct source_link *link, const char *why)
{
	link->js_state = STREAM_POLLING;
	for (size_t j = 0; j < run->n_jobs; j++)
		if (run->jobs[j].link == link && run->jobs[j].stream)
			poll_instead(&run->jobs[j], why);
}

static void firehose_start(struct fetch_run *run, struct source_link *link)
{
	strlist_t tags = {0};
	chatarc_error_t err;
	for (size_t j = 0; j < run->n_jobs; j++)
		if (run->jobs[j].link == link && run->jobs[j].stream)
			strlist_add(&tags, run->jobs[j].tag);
	if (jetstream_new(&tags, firehose_wake, run->http, &link->jetstream, &err) != CHATARC_OK) {
		firehose_polls(run, link, err.message);
		strlist_clear(&tags);
		return;
	}
	strlist_clear(&tags);
	/* (the map's keys lie one after another, each ending in NUL) */
	for (size_t at = 0; at < link->held.keys.len; at += strlen(link->held.keys.buf + at) + 1)
		jetstream_hold(link->jetstream, link->held.keys.buf + at);
	link->js_state = STREAM_WAITING;
	link->js_not_before = time_now_ms();
	set_jobs_state(run, link, STREAM_WAITING, "connecting");
}

/* A post the firehose named: asked for whole by each job of its tag. */
static void firehose_post(struct fetch_run *run, struct source_link *link,
                          const jetstream_event_t *event)
{
	for (size_t j = 0; j < run->n_jobs; j++) {
		struct job *job = &run->jobs[j];
		if (job->link != link || !job->stream || strcasecmp(job->tag, event->tag))
			continue;
		strlist_add_unique(&job->stream->lookups, event->uri);
	}
}

/* Jobs done with what was taken up to the link's cursor move theirs. */
static void firehose_advance(struct fetch_run *run, struct source_link *link)
{
	chatarc_error_t err;
	for (size_t j = 0; j < run->n_jobs; j++) {
		struct job *job = &run->jobs[j];
		if (job->link != link || !job->stream || job->stream->lookups.len ||
		    job->phase == PHASE_LOOKUP || job->stream->dirty ||
		    link->js_taken_us <= job->stream_cursor_us)
			continue;
		/* (a second at least between saves: the file is replaced each time) */
		if (link->js_taken_us - job->stream_cursor_us < 1000000 && job->stream_cursor_us)
			continue;
		job->stream_cursor_us = link->js_taken_us;
		if (job_save_state(job, &err) != CHATARC_OK)
			job_fail(job, "cannot save the stream cursor: %s", err.message);
	}
}

static void firehose_step(struct fetch_run *run, struct source_link *link, chatarc_ms_t now,
                          chatarc_ms_t *wake)
{
	const chatarc_fetch_settings_t *f = &run->config->fetch;
	jetstream_event_t *events;
	int64_t seen_us, last_data_ms;
	size_t n = jetstream_take(link->jetstream, &events, &seen_us, &last_data_ms);
	for (size_t i = 0; i < n; i++) {
		const jetstream_event_t *e = &events[i];
		switch (e->kind) {
		case JETSTREAM_OPEN:
			link->js_state = STREAM_OPEN;
			link->js_opened_at = now;
			set_jobs_state(run, link, STREAM_OPEN, "streaming");
			say_log(run, "%s: streaming from %s", link->source->name,
			        firehose_base(link));
			break;
		case JETSTREAM_CLOSED: {
			if (link->js_state == STREAM_OPEN &&
			    now - link->js_opened_at >= LIVE_GOOD_STREAM_MS)
				link->js_attempt = 0;
			link->js_attempt++;
			http_response_t r = {.transport_ok = false};
			long delay =
			    http_retry_delay(&r, false, link->js_attempt, f->backoff_base_ms,
			                     f->backoff_max_ms, now, &run->seed);
			say_log(run, "%s: Jetstream: %s; again in %ld ms", link->source->name,
			        e->detail, delay);
			link->js_state = STREAM_WAITING;
			link->js_not_before = now + delay;
			set_jobs_state(run, link, STREAM_WAITING, "reconnecting");
			break;
		}
		case JETSTREAM_POST: firehose_post(run, link, e); break;
		case JETSTREAM_DELETE:
			for (size_t j = 0; j < run->n_jobs; j++)
				if (run->jobs[j].link == link && run->jobs[j].stream)
					strlist_add(&run->jobs[j].stream->deleted, e->uri);
			break;
		}
	}
	jetstream_events_free(events, n);
	if (seen_us > link->js_taken_us)
		link->js_taken_us = seen_us;
	chatarc_ms_t silence_ms = (chatarc_ms_t)f->stream_silence_s * 1000;
	if (link->js_state == STREAM_OPEN && now - last_data_ms >= silence_ms) {
		say_log(run, "%s: Jetstream was silent %d s; reopening", link->source->name,
		        f->stream_silence_s);
		jetstream_disconnect(link->jetstream);
		link->js_state = STREAM_OPENING; /* until its CLOSED comes */
	}
	if (link->js_state == STREAM_WAITING && now >= link->js_not_before) {
		chatarc_error_t err;
		int64_t cursor = firehose_cursor(run, link);
		if (jetstream_connect(link->jetstream, firehose_base(link), cursor, &err) !=
		    CHATARC_OK) {
			firehose_polls(run, link, err.message);
			return;
		}
		link->js_state = STREAM_OPENING;
		set_jobs_state(run, link, STREAM_OPENING, "connecting");
	}
	if (link->js_state == STREAM_WAITING && link->js_not_before < *wake)
		*wake = link->js_not_before;
	if (link->js_state == STREAM_OPEN && last_data_ms + silence_ms < *wake)
		*wake = last_data_ms + silence_ms;
	firehose_advance(run, link);
}

#define LOOKUP_BATCH 25 /* app.bsky.feed.getPosts takes 25 uris */

char *live_lookup_url(struct job *job)
{
	strbuf_t url;
	strbuf_init(&url, 0);
	strbuf_addf(&url, "%s%s", job->link->base, job->link->net->lookup.path);
	for (size_t i = 0; i < job->stream->lookups.len && i < LOOKUP_BATCH; i++) {
		char *escaped = http_escape(job->stream->lookups.items[i]);
		strbuf_addf(&url, "%s%s=%s", i ? "&" : "", job->link->net->lookup.param, escaped);
		free(escaped);
	}
	return strbuf_detach(&url, NULL);
}

/* The posts asked for, converted as pushed ones; one the AppView has not
 * indexed yet is asked for once more, then left to the next walk. */
void live_lookup_done(struct job *job, const http_response_t *r)
{
	struct job_stream *st = job->stream;
	chatarc_error_t err;
	yajl_val doc = NULL;
	if (!r->transport_ok || r->status != 200 ||
	    json_parse(r->body.buf ? r->body.buf : "", &doc, &err) != CHATARC_OK) {
		chatarc_error_t why;
		snprintf(why.message, sizeof why.message, "asking for pushed posts: %.900s",
		         r->transport_ok ? "not the answer getPosts gives" : r->error.message);
		job_retry_or_fail(job, r, r->transport_ok, why.message);
		if (job->phase == PHASE_DONE) /* failed: the next walk has them */
			strlist_clear(&st->lookups);
		return;
	}
	yajl_val posts = json_get(doc, job->link->net->lookup.list_key);
	size_t asked = st->lookups.len < LOOKUP_BATCH ? st->lookups.len : LOOKUP_BATCH;
	urimap_t found;
	bool added;
	urimap_init(&found);
	chatarc_status_t status = CHATARC_OK;
	for (size_t i = 0; YAJL_IS_ARRAY(posts) && i < posts->u.array.len && status == CHATARC_OK;
	     i++) {
		yajl_val post = posts->u.array.values[i];
		const char *uri = json_get_string(post, "uri");
		bool was_asked = false;
		for (size_t k = 0; uri && k < asked && !was_asked; k++)
			was_asked = !strcmp(st->lookups.items[k], uri);
		if (!was_asked)
			continue; /* not asked for: not taken */
		urimap_insert(&found, uri, &added);
		long skipped = st->conv.consent_skipped;
		status = job->link->net->convert(&st->conv, post, &err);
		job->stats->consent_skipped += st->conv.consent_skipped - skipped;
	}
	json_free(doc);
	/* A post not found is asked once more (st->retry); one not found
	 * twice is left to the next walk. A new event for it asks again. */
	strlist_t rest = {0}, retry = {0};
	for (size_t k = 0; k < st->lookups.len; k++) {
		const char *uri = st->lookups.items[k];
		bool second = strlist_has(&st->retry, uri);
		if (k >= asked) {
			strlist_add(&rest, uri);
			if (second)
				strlist_add(&retry, uri);
		} else if (urimap_find(&found, uri)) {
			/* taken */
		} else if (second) {
			say_log(job->run, "%s %s #%s: %s not found twice; left to the next walk",
			        job->stats->chat, job->stats->source, job->tag, uri);
		} else {
			strlist_add(&rest, uri);
			strlist_add(&retry, uri);
		}
	}
	strlist_clear(&st->retry);
	st->retry = retry;
	strlist_clear(&st->lookups);
	st->lookups = rest;
	urimap_release(&found);
	job->phase = PHASE_DONE;
	job->attempt = 0;
	if (status != CHATARC_OK)
		job_fail(job, "%s", err.message);
	/* (a post not found is asked again after a pause, not at once) */
	if (st->lookups.len)
		job->not_before = time_now_ms() + 500;
}

static bool push_wanted(const struct job *job)
{
	return (job->link->net->stream_url || job->link->net->firehose) &&
	       !job->link->source->no_stream;
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
	for (size_t i = 0; i < run->n_links; i++) {
		struct source_link *link = &run->links[i];
		bool streams = false;
		for (size_t j = 0; j < run->n_jobs; j++)
			streams |= run->jobs[j].link == link && run->jobs[j].stream &&
			           run->jobs[j].stream->state != STREAM_POLLING;
		if (streams && link->net->firehose)
			firehose_start(run, link);
	}
	chatarc_status_t status = CHATARC_OK;
	chatarc_ms_t first_dirty = 0;
	while (status == CHATARC_OK && !stopping(run)) {
		now = time_now_ms();
		chatarc_ms_t wake = now + 1000;
		if ((status = hold_archives(run, now, err)) != CHATARC_OK)
			break;
		for (size_t i = 0; i < run->n_links; i++)
			if (run->links[i].jetstream)
				firehose_step(run, &run->links[i], now, &wake);
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
	for (size_t i = 0; i < run->n_links; i++) {
		if (!run->links[i].jetstream)
			continue;
		say_log(run, "%s: Jetstream: %llu events read", run->links[i].source->name,
		        (unsigned long long)jetstream_read_count(run->links[i].jetstream));
		jetstream_free(run->links[i].jetstream);
		run->links[i].jetstream = NULL;
	}
	chatarc_error_t commit_err;
	if (commit_streamed(run, &commit_err) != CHATARC_OK && status == CHATARC_OK) {
		*err = commit_err;
		status = CHATARC_ERR_IO;
	}
	/* What was committed moves the firehose cursors (saved). */
	for (size_t i = 0; i < run->n_links; i++)
		firehose_advance(run, &run->links[i]);
	return status;
}

void live_release(struct fetch_run *run)
{
	for (size_t i = 0; i < run->n_links; i++) {
		jetstream_free(run->links[i].jetstream);
		run->links[i].jetstream = NULL;
	}
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
		strlist_clear(&st->lookups);
		strlist_clear(&st->retry);
		free(st);
		run->jobs[j].stream = NULL;
	}
}
