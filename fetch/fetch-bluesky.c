/* Bluesky for the fetch loop (fetch-job.h): app.bsky.feed.searchPosts
 * over a time window (since/until, its cursor), signed in with an app
 * password (createSession, refreshSession) when the source has one; the
 * session outlives the run. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/alloc.h"
#include "../common/fsutil.h"
#include "../common/json.h"
#include "fetch-job.h"
#include "jsonstream.h"

/* Bluesky's search sees posts a little after they are made: each window
 * starts this long before the last one ended (the archive drops repeats). */
#define BLUESKY_OVERLAP_MS (10LL * 60 * 1000)

/* A Bluesky session outlives the run, in DIR/state/.sessions/SOURCE.json
 * (0600; '.' cannot start a chat name): createSession is rate-limited
 * (30 per 5 minutes, 300 a day), and a cron job every 5 minutes signing in
 * afresh each time would spend nearly all of it. */
/* A signed-in Bluesky link's credentials and session (link->credentials;
 * NULL for an anonymous link to the public AppView). */
struct bluesky_session {
	char *password; /* the app password */
	char *access_jwt, *refresh_jwt;
	char *session_path; /* where the session outlives the run */
};

static struct bluesky_session *session_of(const struct source_link *link)
{
	return link->credentials;
}

static void bluesky_credentials_free(void *credentials)
{
	struct bluesky_session *session = credentials;
	free(session->password);
	free(session->access_jwt);
	free(session->refresh_jwt);
	free(session->session_path);
	free(session);
}

static void session_load(struct fetch_run *run, struct source_link *link)
{
	strbuf_t sb, text;
	yajl_val doc;
	chatarc_error_t ignored;
	strbuf_init(&sb, 0);
	strbuf_init(&text, 0);
	strbuf_addf(&sb, "%s/state/.sessions/%s.json", run->data_dir, link->source->name);
	session_of(link)->session_path = strbuf_detach(&sb, NULL);
	if (fs_read_file(session_of(link)->session_path, &text, 65536, &ignored) == CHATARC_OK &&
	    json_parse(text.buf ? text.buf : "", &doc, &ignored) == CHATARC_OK) {
		const char *identifier = json_get_string(doc, "identifier");
		const char *access = json_get_string(doc, "accessJwt");
		const char *refresh = json_get_string(doc, "refreshJwt");
		/* Another account's session (the config changed) is not ours. */
		if (identifier && access && refresh &&
		    !strcmp(identifier, link->source->identifier)) {
			set_string(&session_of(link)->access_jwt, access);
			set_string(&session_of(link)->refresh_jwt, refresh);
			link->auth = AUTH_READY;
		}
		json_free(doc);
	}
	strbuf_release(&text);
}

/* The cursors of a job on a Bluesky source (job->cursor). */
struct bluesky_cursor {
	chatarc_ms_t done_until; /* everything before is archived */
	bool window;             /* a search window is under way */
	chatarc_ms_t window_since, window_until;
	char *window_cursor;
};

static struct bluesky_cursor *cursor_of(const struct job *job)
{
	return job->cursor;
}

static void *bluesky_cursor_new(void)
{
	return xcalloc(1, sizeof(struct bluesky_cursor));
}

static void bluesky_cursor_free(void *cursor)
{
	struct bluesky_cursor *c = cursor;
	free(c->window_cursor);
	free(c);
}

static CHATARC_MUST_CHECK chatarc_status_t bluesky_link_setup(struct fetch_run *run,
                                                              struct source_link *link,
                                                              chatarc_error_t *err)
{
	if (!link->source->identifier)
		return CHATARC_OK; /* anonymous: the public AppView */
	/* Signed in, requests go to the account's own server when named. */
	if (link->source->pds)
		link->base = link->source->pds;
	link->credentials = xcalloc(1, sizeof(struct bluesky_session));
	chatarc_status_t status =
	    read_secret(run->data_dir, link->source->name, &link->source->password, "app password",
	                &session_of(link)->password, err);
	link->auth = AUTH_SIGNED_OUT;
	session_load(run, link);
	return status;
}

static bool bluesky_start_round(struct job *job, bool first, chatarc_ms_t since, chatarc_ms_t now)
{
	const fetch_options_t *o = job->run->options;
	bool fresh = false;
	if (!cursor_of(job)->window || (first && o->since)) {
		cursor_of(job)->window = true;
		cursor_of(job)->window_since = first && o->since ? o->since
		                               : cursor_of(job)->done_until
		                                   ? cursor_of(job)->done_until - BLUESKY_OVERLAP_MS
		                                   : since;
		cursor_of(job)->window_until = o->until ? o->until : now;
		set_string(&cursor_of(job)->window_cursor, NULL);
		fresh = true;
	}
	job->phase = PHASE_FORWARD;
	return fresh;
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
	time_format_iso(cursor_of(job)->window_since, since);
	time_format_iso(cursor_of(job)->window_until, until);
	strbuf_addf(
	    &sb, "%s/xrpc/app.bsky.feed.searchPosts?q=%s&sort=latest&since=%s&until=%s&limit=100",
	    job->link->base, q, since, until);
	if (cursor_of(job)->window_cursor) {
		cursor = http_escape(cursor_of(job)->window_cursor);
		strbuf_addf(&sb, "&cursor=%s", cursor);
	}
	free(q);
	free(cursor);
	return strbuf_detach(&sb, NULL);
}

static void bluesky_sign_in(struct job *job)
{
	struct source_link *link = job->link;
	bool refresh = session_of(link)->refresh_jwt != NULL;
	strbuf_t url, body;
	strbuf_init(&url, 0);
	strbuf_init(&body, 0);
	link->auth = AUTH_SIGNING_IN;
	if (refresh) {
		strbuf_addf(&url, "%s/xrpc/com.atproto.server.refreshSession", link->base);
		strbuf_addstr(&body, "{}");
		job_send(job, REQUEST_REFRESH, strbuf_detach(&url, NULL),
		         strbuf_detach(&body, NULL), session_of(link)->refresh_jwt);
		return;
	}
	strbuf_addf(&url, "%s/xrpc/com.atproto.server.createSession", link->base);
	strbuf_addstr(&body, "{\"identifier\":");
	json_add_string(&body, link->source->identifier);
	strbuf_addstr(&body, ",\"password\":");
	json_add_string(&body, session_of(link)->password);
	strbuf_addch(&body, '}');
	job_send(job, REQUEST_SIGN_IN, strbuf_detach(&url, NULL), strbuf_detach(&body, NULL), NULL);
}

static CHATARC_MUST_CHECK chatarc_status_t bluesky_read_page(struct job *job, const strbuf_t *body,
                                                             char **cursor, chatarc_error_t *err)
{
	yajl_val page;
	chatarc_status_t status = json_parse(body->buf ? body->buf : "", &page, err);
	if (status != CHATARC_OK)
		return status;
	yajl_val posts = json_get(page, "posts");
	if (!YAJL_IS_ARRAY(posts)) {
		json_free(page);
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
		status = convert_counted(job, post, err);
		if (status != CHATARC_OK)
			chatarc_error_prefix(err, "posts[%zu]", i);
	}
	*cursor = status == CHATARC_OK && json_get_string(page, "cursor")
	              ? xstrdup(json_get_string(page, "cursor"))
	              : NULL;
	json_free(page);
	return status;
}

static void bluesky_advance(struct job *job, const http_response_t *r, char *cursor)
{
	(void)r;
	bool more =
	    cursor && job->page_posts > 0 &&
	    !(job->page_oldest && job->page_oldest < cursor_of(job)->window_since) &&
	    !(cursor_of(job)->window_cursor && !strcmp(cursor, cursor_of(job)->window_cursor));
	if (more) {
		free(cursor_of(job)->window_cursor);
		cursor_of(job)->window_cursor = cursor;
		return;
	}
	free(cursor);
	cursor_of(job)->done_until = cursor_of(job)->window_until;
	cursor_of(job)->window = false;
	set_string(&cursor_of(job)->window_cursor, NULL);
	job->phase = PHASE_DONE;
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
	json_add_string(&sb, session_of(link)->access_jwt);
	strbuf_addstr(&sb, ",\"refreshJwt\":");
	json_add_string(&sb, session_of(link)->refresh_jwt);
	strbuf_addstr(&sb, "}\n");
	if (fs_replace_file_under(job->run->data_dir, session_of(link)->session_path, sb.buf,
	                          sb.len, 0600, &err) != CHATARC_OK)
		say(job->run,
		    "%s: cannot keep the Bluesky session for the next run (%s); signing in "
		    "each run spends Bluesky's limit on sign-ins",
		    link->source->name, err.message);
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
				set_string(&session_of(link)->access_jwt, access);
				set_string(&session_of(link)->refresh_jwt, refresh);
				link->auth = AUTH_READY;
				session_save(job);
				json_free(doc);
				return;
			}
			json_free(doc);
		}
	}
	if (job->kind == REQUEST_REFRESH && r->transport_ok && r->status >= 400 &&
	    r->status < 500) {
		/* The refresh token expired too: sign in again. */
		set_string(&session_of(link)->refresh_jwt, NULL);
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

static void bluesky_save_state(const struct job *job, strbuf_t *sb)
{
	if (cursor_of(job)->done_until)
		add_time_field(sb, "done_until", cursor_of(job)->done_until);
	if (cursor_of(job)->window) {
		add_time_field(sb, "window_since", cursor_of(job)->window_since);
		add_time_field(sb, "window_until", cursor_of(job)->window_until);
		if (cursor_of(job)->window_cursor) {
			strbuf_addstr(sb, ",\"window_cursor\":");
			json_add_string(sb, cursor_of(job)->window_cursor);
		}
	}
}

static void bluesky_load_state(struct job *job, yajl_val doc)
{
	state_time(doc, "done_until", &cursor_of(job)->done_until);
	cursor_of(job)->window = state_time(doc, "window_since", &cursor_of(job)->window_since) &&
	                         state_time(doc, "window_until", &cursor_of(job)->window_until);
	set_string(&cursor_of(job)->window_cursor, json_get_string(doc, "window_cursor"));
}

static void bluesky_refused(struct job *job, const http_response_t *r, const char *detail)
{
	job_fail(job, "refused with HTTP %ld%s: %s", r->status, detail,
	         job->link->source->identifier
	             ? "the session was not accepted"
	             : "Bluesky's AppView often refuses search without a "
	               "session: set \"identifier\" and \"password_env\" (an app "
	               "password) and \"pds\" in sources");
}

/* The access token ran out: refresh (sign in again if that fails). */
static bool bluesky_token_expired(const struct job *job, const http_response_t *r,
                                  const char *detail)
{
	return job->link->auth == AUTH_READY &&
	       (r->status == 401 || (r->status == 400 && strstr(detail, "ExpiredToken")) ||
	        strstr(detail, "InvalidToken"));
}

static const char *bluesky_bearer(const struct source_link *link)
{
	return session_of(link) ? session_of(link)->access_jwt : NULL;
}

const struct network_handler bluesky_handler = {
    .type = "bluesky",
    .credentials_free = bluesky_credentials_free,
    .cursor_new = bluesky_cursor_new,
    .cursor_free = bluesky_cursor_free,
    .link_setup = bluesky_link_setup,
    .start_round = bluesky_start_round,
    .page_url = bluesky_page_url,
    .read_page = bluesky_read_page,
    .advance = bluesky_advance,
    .convert = bluesky_convert_post,
    /* Push: Bluesky's own public Jetstream (a source's "stream" names
     * another). */
    .firehose = "wss://jetstream2.us-east.bsky.network",
    .save_state = bluesky_save_state,
    .load_state = bluesky_load_state,
    .refused = bluesky_refused,
    .token_expired = bluesky_token_expired,
    .sign_in = bluesky_sign_in,
    .sign_in_done = session_done,
    .bearer = bluesky_bearer,
    /* app.bsky.feed.getPosts: at most 25 at:// uris; deleted posts are
     * left out of "posts". The AppView then says so of one post:
     * getPostThread answers XRPC error NotFound (HTTP 400). */
    .lookup = {.path = "/xrpc/app.bsky.feed.getPosts?",
               .param = "uris",
               .batch = 25,
               .list_key = "posts",
               .id_key = "uri",
               .network = "bluesky",
               .one_path = "/xrpc/app.bsky.feed.getPostThread?depth=0&parentHeight=0&uri=",
               .gone_status = {400, 404},
               .gone_error = "NotFound"},
};
