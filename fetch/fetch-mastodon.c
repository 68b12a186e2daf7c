/* Mastodon for the fetch loop (fetch-job.h): a tag timeline walked forward
 * from the newest status archived (min_id, Link rel="prev") and, on a first
 * run or with --since, back (max_id, Link rel="next"). */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/alloc.h"
#include "../common/fsutil.h"
#include "../common/json.h"
#include "fetch-job.h"
#include "jsonstream.h"

/* Mastodon numbers a status from another server by the time it was written,
 * and it may reach an instance minutes later, below a cursor already past
 * that time: forward walks start this long before the newest status seen. */
#define MASTODON_OVERLAP_MS (10LL * 60 * 1000)

/* The cursors of a job on a Mastodon source (job->cursor). */
struct mastodon_cursor {
	char *newest_id;             /* everything up to here is archived */
	chatarc_ms_t newest_at;      /* ... the newest status's created_at */
	char *resume_id;             /* forward walks start after this id (overlap) */
	bool backfill;               /* a walk back is under way */
	char *backfill_max_id;       /* ... continuing below this id (NULL: from the top) */
	chatarc_ms_t backfill_since; /* ... down to here */
};

static struct mastodon_cursor *cursor_of(const struct job *job)
{
	return job->cursor;
}

static void *mastodon_cursor_new(void)
{
	return xcalloc(1, sizeof(struct mastodon_cursor));
}

static void mastodon_cursor_free(void *cursor)
{
	struct mastodon_cursor *c = cursor;
	free(c->newest_id);
	free(c->resume_id);
	free(c->backfill_max_id);
	free(c);
}

static bool mastodon_walks_back(const struct job *job)
{
	return cursor_of(job)->backfill;
}

static bool mastodon_keeps(const struct job *job, const chatarc_record_t *record)
{
	return job->phase != PHASE_BACKFILL || record->created_ms >= cursor_of(job)->backfill_since;
}

/* A Mastodon link's credentials: its access token, or NULL (anonymous). */
static const char *token_of(const struct source_link *link)
{
	return link->credentials;
}

static CHATARC_MUST_CHECK chatarc_status_t mastodon_link_setup(struct fetch_run *run,
                                                               struct source_link *link,
                                                               chatarc_error_t *err)
{
	char *token = NULL;
	chatarc_status_t status = read_secret(run->data_dir, link->source->name,
	                                      &link->source->token, "access token", &token, err);
	link->credentials = token;
	return status;
}

static bool mastodon_start_round(struct job *job, bool first, chatarc_ms_t since, chatarc_ms_t now)
{
	const fetch_options_t *o = job->run->options;
	bool fresh = false;
	(void)now;
	/* An explicit window walks back from the top (once); so does a job
	 * that has never seen a status, to 7 days ago. A walk a killed run
	 * left unfinished goes on where it stopped. */
	bool explicit = first && (o->since || o->until);
	if (explicit || (!cursor_of(job)->newest_id && !cursor_of(job)->backfill)) {
		cursor_of(job)->backfill = true;
		cursor_of(job)->backfill_since = since;
		set_string(&cursor_of(job)->backfill_max_id, NULL);
		fresh = true;
	}
	job->phase = cursor_of(job)->newest_id && !o->until ? PHASE_FORWARD
	             : cursor_of(job)->backfill             ? PHASE_BACKFILL
	                                                    : PHASE_DONE;
	return fresh;
}

static char *mastodon_page_url(const struct job *job)
{
	strbuf_t sb;
	char *tag = http_escape(job->tag);
	strbuf_init(&sb, 0);
	strbuf_addf(&sb, "%s/api/v1/timelines/tag/%s?limit=40", job->link->base, tag);
	free(tag);
	/* Ids come from the server: escaped like anything else put in a URL. */
	const char *id = job->phase == PHASE_FORWARD
	                     ? (cursor_of(job)->resume_id ? cursor_of(job)->resume_id
	                                                  : cursor_of(job)->newest_id)
	                     : cursor_of(job)->backfill_max_id;
	if (id) {
		char *escaped = http_escape(id);
		strbuf_addf(&sb, "&%s=%s", job->phase == PHASE_FORWARD ? "min_id" : "max_id",
		            escaped);
		free(escaped);
	}
	return strbuf_detach(&sb, NULL);
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

static CHATARC_MUST_CHECK chatarc_status_t mastodon_status_object(void *ctx, char *json, size_t len,
                                                                  long line, chatarc_error_t *err)
{
	struct job *job = ctx;
	yajl_val status;
	(void)len;
	(void)line;
	chatarc_status_t rc = json_parse(json, &status, err);
	if (rc != CHATARC_OK)
		return rc;
	note_status(job, status);
	rc = convert_counted(job, status, err);
	json_free(status);
	return rc;
}

/* A tag timeline page: a JSON array of statuses, split into statuses by
 * jsonstream so no tree of the whole page is built. */
static CHATARC_MUST_CHECK chatarc_status_t mastodon_read_page(struct job *job, const strbuf_t *body,
                                                              char **cursor, chatarc_error_t *err)
{
	*cursor = NULL; /* Mastodon's cursors are its Link headers */
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

/* After a committed page: the newest status time seen, and the newest id
 * old enough (MASTODON_OVERLAP_MS before it) for the next forward walk to
 * start after. Every walk is contiguous from its top, which is at or above
 * newest_id, so any id up to newest_id on a committed page may be it. */
static void mastodon_note_resume(struct job *job)
{
	for (size_t i = 0; i < job->page_ids.len; i++)
		if (job->page_times[i] > cursor_of(job)->newest_at)
			cursor_of(job)->newest_at = job->page_times[i];
	for (size_t i = 0; i < job->page_ids.len; i++) {
		const char *id = job->page_ids.items[i];
		if (job->page_times[i] <= cursor_of(job)->newest_at - MASTODON_OVERLAP_MS &&
		    (!cursor_of(job)->resume_id || id_compare(id, cursor_of(job)->resume_id) > 0) &&
		    cursor_of(job)->newest_id && id_compare(id, cursor_of(job)->newest_id) <= 0)
			set_string(&cursor_of(job)->resume_id, id);
	}
}

static void mastodon_advance(struct job *job, const http_response_t *r, char *cursor)
{
	free(cursor);
	if (job->phase == PHASE_FORWARD) {
		if (job->page_posts == 0) {
			job->phase = cursor_of(job)->backfill ? PHASE_BACKFILL : PHASE_DONE;
			set_string(&job->next_url, NULL);
			return;
		}
		/* A walk that starts at resume_id reads the overlap first: never back. */
		if (job->page_max_id &&
		    (!cursor_of(job)->newest_id ||
		     id_compare(job->page_max_id, cursor_of(job)->newest_id) > 0))
			set_string(&cursor_of(job)->newest_id, job->page_max_id);
		mastodon_note_resume(job);
		if (!take_link(job, r->link_prev) && job->phase != PHASE_DONE) {
			job->phase = cursor_of(job)->backfill ? PHASE_BACKFILL : PHASE_DONE;
			set_string(&job->next_url, NULL);
		}
		return;
	}
	/* Walking back. The first page of a first run sets where forward starts. */
	if (job->page_max_id &&
	    (!cursor_of(job)->newest_id ||
	     id_compare(job->page_max_id, cursor_of(job)->newest_id) > 0) &&
	    !cursor_of(job)->backfill_max_id && !job->run->options->until)
		set_string(&cursor_of(job)->newest_id, job->page_max_id);
	if (!job->run->options->until)
		mastodon_note_resume(job);
	bool reached = job->page_posts == 0 ||
	               (job->page_oldest && job->page_oldest < cursor_of(job)->backfill_since);
	/* Each page back starts below the last: a server whose pages do not go
	 * back (the same or newer ids behind new Links) would be followed for
	 * ever. */
	if (!reached && job->page_min_id && cursor_of(job)->backfill_max_id &&
	    id_compare(job->page_min_id, cursor_of(job)->backfill_max_id) >= 0) {
		job_fail(job,
		         "the server's next page does not go back (ids from %s, asked below %s); "
		         "stopped so as not to loop",
		         job->page_min_id, cursor_of(job)->backfill_max_id);
		return;
	}
	if (!reached && job->page_min_id) {
		set_string(&cursor_of(job)->backfill_max_id, job->page_min_id);
		if (take_link(job, r->link_next))
			return;
	}
	if (job->phase != PHASE_DONE) {
		cursor_of(job)->backfill = false;
		set_string(&cursor_of(job)->backfill_max_id, NULL);
		job->phase = PHASE_DONE;
	}
}

static void mastodon_save_state(const struct job *job, strbuf_t *sb)
{
	if (cursor_of(job)->newest_id) {
		strbuf_addstr(sb, ",\"newest_id\":");
		json_add_string(sb, cursor_of(job)->newest_id);
		add_time_field(sb, "newest_at", cursor_of(job)->newest_at);
	}
	if (cursor_of(job)->resume_id) {
		strbuf_addstr(sb, ",\"resume_id\":");
		json_add_string(sb, cursor_of(job)->resume_id);
	}
	if (cursor_of(job)->backfill) {
		add_time_field(sb, "backfill_since", cursor_of(job)->backfill_since);
		if (cursor_of(job)->backfill_max_id) {
			strbuf_addstr(sb, ",\"backfill_max_id\":");
			json_add_string(sb, cursor_of(job)->backfill_max_id);
		}
	}
}

static void mastodon_load_state(struct job *job, yajl_val doc)
{
	set_string(&cursor_of(job)->newest_id, json_get_string(doc, "newest_id"));
	state_time(doc, "newest_at", &cursor_of(job)->newest_at);
	set_string(&cursor_of(job)->resume_id, json_get_string(doc, "resume_id"));
	cursor_of(job)->backfill =
	    state_time(doc, "backfill_since", &cursor_of(job)->backfill_since);
	set_string(&cursor_of(job)->backfill_max_id, json_get_string(doc, "backfill_max_id"));
}

static void mastodon_refused(struct job *job, const http_response_t *r, const char *detail)
{
	job_fail(job, "refused with HTTP %ld%s: %s", r->status, detail,
	         token_of(job->link)
	             ? "the access token was not accepted; check it has read:statuses"
	             : "this server wants an access token (read:statuses): set "
	               "\"token_env\" or \"token_file\" in sources");
}

/* Some versions answer 404 "Record not found" for a tag no one has used yet. */
static bool mastodon_empty_answer(const http_response_t *r, const char *detail)
{
	return r->status == 404 && strstr(detail, "Record not found");
}

static const char *mastodon_bearer(const struct source_link *link)
{
	return token_of(link);
}

/* The instance is the status's home: its account is one of the
 * instance's own, which Mastodon writes as an acct without "@domain". */
static bool mastodon_status_is_local(yajl_val status)
{
	const char *acct = json_get_string(json_get(status, "account"), "acct");
	return acct && *acct && !strchr(acct, '@');
}

/* The hashtag's stream, on the streaming server the source names (most
 * instances serve it at their own address). */
static char *mastodon_stream_url(const struct job *job)
{
	strbuf_t sb;
	const chatarc_source_t *source = job->link->source;
	const char *base = source->stream ? source->stream : job->link->base;
	size_t len = strlen(base);
	while (len && base[len - 1] == '/')
		len--;
	char *tag = http_escape(job->tag);
	strbuf_init(&sb, 0);
	strbuf_add(&sb, base, len);
	strbuf_addf(&sb, "/api/v1/streaming/hashtag?tag=%s", tag);
	free(tag);
	return strbuf_detach(&sb, NULL);
}

/* "update" (a new status) and "status.update" (an edit: the archive keeps
 * the later edit) are converted as a page's statuses are; "delete" names
 * a status by id, to be proved gone. Other events are not the tag's. */
static CHATARC_MUST_CHECK chatarc_status_t mastodon_stream_event(struct job *job, const char *type,
                                                                 const char *data, size_t len,
                                                                 chatarc_error_t *err)
{
	(void)len;
	if (!strcmp(type, "delete")) {
		if (!*data || strspn(data, "0123456789") != strlen(data))
			return chatarc_error_set(err, CHATARC_ERR_FORMAT,
			                         "a delete event without a status id: %.60s", data);
		/* Only a status this run archived from here is looked into
		 * (fetch-live.c's live_note_archived). */
		if (urimap_find(&job->link->held, data))
			strlist_add_unique(&job->stream->deleted, data);
		return CHATARC_OK;
	}
	if (strcmp(type, "update") && strcmp(type, "status.update"))
		return CHATARC_OK;
	yajl_val status;
	chatarc_status_t rc = json_parse(data, &status, err);
	if (rc != CHATARC_OK)
		return rc;
	if (!YAJL_IS_OBJECT(status) || !json_get_string(status, "uri")) {
		json_free(status);
		return chatarc_error_set(err, CHATARC_ERR_FORMAT,
		                         "an %s event that is not a status", type);
	}
	rc = mastodon_convert_status(&job->stream->conv, status, err);
	json_free(status);
	return rc;
}

const struct network_handler mastodon_handler = {
    .type = "mastodon",
    .link_setup = mastodon_link_setup,
    .credentials_free = free,
    .start_round = mastodon_start_round,
    .page_url = mastodon_page_url,
    .read_page = mastodon_read_page,
    .advance = mastodon_advance,
    .convert = mastodon_convert_status,
    .save_state = mastodon_save_state,
    .load_state = mastodon_load_state,
    .refused = mastodon_refused,
    .empty_answer = mastodon_empty_answer,
    .bearer = mastodon_bearer,
    .cursor_new = mastodon_cursor_new,
    .cursor_free = mastodon_cursor_free,
    .walks_back = mastodon_walks_back,
    .keeps = mastodon_keeps,
    .stream_url = mastodon_stream_url,
    .stream_event = mastodon_stream_event,
    /* Mastodon 4.3's GET /api/v1/statuses?id[]=...: at most 20, the
     * server's own ids; statuses it no longer has are left out. Only a
     * status of the instance's own accounts is proved gone there, by
     * GET /api/v1/statuses/ID answering 404 (410 for a purged one). */
    .lookup = {.path = "/api/v1/statuses?",
               .param = "id%5B%5D",
               .batch = 20,
               .id_key = "id",
               .local_ids = true,
               .one_path = "/api/v1/statuses/",
               .gone_status = {404, 410},
               .is_home = mastodon_status_is_local},
};
