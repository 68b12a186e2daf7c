/* Inside fetch: what the scheduler (fetch.c), the network handlers
 * (fetch-mastodon.c, fetch-bluesky.c) and the saved state (fetch-state.c)
 * share. Each network is a table of functions, as curl's Curl_handler is
 * per protocol: the scheduler walks, paces and retries without knowing
 * which network it talks to. */
#ifndef CHATARC_FETCH_JOB_H
#define CHATARC_FETCH_JOB_H

#include <stdbool.h>
#include <yajl/yajl_tree.h>

#include "../common/archive.h"
#include "../common/strbuf.h"
#include "../common/urimap.h"
#include "fetch.h"
#include "http.h"
#include "jetstream.h"
#include "posts.h"
#include "recheck.h"
#include "sse.h"

#define DAY_MS         (24LL * 3600 * 1000)
#define FIRST_RUN_DAYS 7
#define MAX_BODY       (32u << 20)

/* One chat's archive and its fetch lock. */
struct chat_target {
	const chatarc_chat_t *chat;
	chatarc_archive_t *archive;
	int lock_fd;
	bool busy; /* another fetch holds the lock */
};

/* fetch --follow on push (fetch-live.c): a job's stream and what it does
 * while no stream is open. */
enum stream_state {
	STREAM_WAITING, /* to be opened at not_before (polling meanwhile) */
	STREAM_OPENING, /* asked for; no answer yet */
	STREAM_OPEN,    /* events arriving */
	STREAM_POLLING  /* the source has no push: rounds every follow_interval */
};

enum auth_state { AUTH_NONE, AUTH_SIGNED_OUT, AUTH_SIGNING_IN, AUTH_READY, AUTH_FAILED };

/* What jobs on one source share: credentials, session, pacing. */
struct source_link {
	const chatarc_source_t *source;
	const char *base; /* where requests go: url, or pds when signing in */
	const struct network_handler *net;
	/* The network's credentials and session, as its handler keeps them
	 * (made by link_setup, freed by credentials_free). */
	void *credentials;
	enum auth_state auth;
	chatarc_error_t auth_error;
	bool busy;               /* one request at a time per server */
	chatarc_ms_t not_before; /* a rate limit said to wait */
	/* fetch --follow on a network with a firehose (Bluesky's Jetstream):
	 * one connection for every job of the source (fetch-live.c). */
	jetstream_t *jetstream;
	enum stream_state js_state;
	int js_attempt;
	chatarc_ms_t js_not_before, js_opened_at;
	int64_t js_taken_us; /* Jetstream's cursor when its events were last taken */
	urimap_t held;       /* posts archived from it (their deletions are read) */
};

/* RECHECK comes after a walk, on the first job of each chat and source:
 * recent archived posts asked for again (fetch/recheck.h). */
/* LOOKUP: posts a firehose named, asked for whole (fetch-live.c). */
enum phase { PHASE_FORWARD, PHASE_BACKFILL, PHASE_RECHECK, PHASE_LOOKUP, PHASE_DONE };
enum request_kind { REQUEST_PAGE, REQUEST_SIGN_IN, REQUEST_REFRESH };

struct fetch_run;

struct job_stream {
	enum stream_state state;
	http_request_t request;
	sse_parser_t sse;
	/* The stream's own converter: its records go in whatever walk is
	 * under way (fetch-live.c's store_streamed). */
	post_converter_t conv;
	int attempt;             /* failed opens since the last stream that worked */
	chatarc_ms_t not_before; /* STREAM_WAITING: open then */
	chatarc_ms_t next_poll;  /* a REST round is due then (no stream open) */
	chatarc_ms_t opened_at;  /* the stream's answer came */
	chatarc_ms_t last_write; /* a pushed record was last added */
	bool gap_due;            /* a walk for the gap, once the job is idle */
	bool dirty;              /* records added since the last commit */
	bool not_a_stream;       /* its answer was no event stream: polled instead */
	strlist_t deleted;       /* ids a "delete" named, to be proved gone */
	strlist_t lookups;       /* a firehose's posts, to be asked for whole */
	strlist_t retry;         /* ... of those, the ones asked once already */
};

struct job {
	struct fetch_run *run;
	fetch_job_stats_t *stats;
	struct chat_target *target;
	struct source_link *link;
	const char *tag;
	char *state_path;
	bool keep_state; /* false under --until: a one-off window */

	/* The network's own cursors, saved to state_path after each committed
	 * page: its handler's struct (cursor_new), which only it reads. */
	void *cursor;
	int walk_pages;            /* pages with posts in this walk, against fetch.max_pages */
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
	struct job_stream *stream; /* fetch --follow on push; NULL otherwise */
	int64_t stream_cursor_us;  /* a firehose: every matching event before it is archived */

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
	chatarc_ms_t started_at;
};

struct network_handler {
	const char *type; /* a source's "type" in the config */
	/* The job's cursors, as this network keeps them (job->cursor). */
	void *(*cursor_new)(void);
	void (*cursor_free)(void *cursor);
	/* Credentials (and a saved session) for a new link, into
	 * link->credentials; CHATARC_OK when none are needed. */
	chatarc_status_t (*link_setup)(struct fetch_run *run, struct source_link *link,
	                               chatarc_error_t *err);
	void (*credentials_free)(void *credentials);
	/* Sets up the walk of a round; true when the cursor changed and must
	 * be saved before the first request. */
	bool (*start_round)(struct job *job, bool first, chatarc_ms_t since, chatarc_ms_t now);
	char *(*page_url)(const struct job *job); /* the walk's next page (a new string) */
	/* Reads a page of posts into the archive, through the job's converter;
	 * *cursor: the next page's cursor when the wire gives one (a new string). */
	chatarc_status_t (*read_page)(struct job *job, const strbuf_t *body, char **cursor,
	                              chatarc_error_t *err);
	/* After a committed page: moves the cursor; takes cursor. */
	void (*advance)(struct job *job, const http_response_t *r, char *cursor);
	/* One post object into records (fetch/posts.h). */
	chatarc_status_t (*convert)(post_converter_t *conv, yajl_val post, chatarc_error_t *err);
	/* The cursor's fields into the state file (",\"key\":value" each), and back. */
	void (*save_state)(const struct job *job, strbuf_t *sb);
	void (*load_state)(struct job *job, yajl_val doc);
	/* A 401/403 on a page: fails the job saying what the user must set. */
	void (*refused)(struct job *job, const http_response_t *r, const char *detail);
	/* An error answer that means "nothing here yet" (may be NULL). */
	bool (*empty_answer)(const http_response_t *r, const char *detail);
	/* The session's access token ran out: sign in again and retry (may be NULL). */
	bool (*token_expired)(const struct job *job, const http_response_t *r, const char *detail);
	/* Signing in (may be NULL): starts a sign-in or refresh request, and
	 * reads its answer. */
	void (*sign_in)(struct job *job);
	void (*sign_in_done)(struct job *job, const http_response_t *r);
	const char *(*bearer)(const struct source_link *link);
	/* After a forward walk, a walk back is due (may be NULL: never). */
	bool (*walks_back)(const struct job *job);
	/* A record the walk under way takes (may be NULL: every one); a walk
	 * back stops at its window's start. */
	bool (*keeps)(const struct job *job, const chatarc_record_t *record);
	recheck_lookup_t lookup; /* looking archived posts up again (recheck.h) */
	/* Push (may be NULL: none): the job's stream of server-sent events (a
	 * new string), and one event of it read into the stream's converter
	 * (a "delete" adds the id to stream->deleted). */
	char *(*stream_url)(const struct job *job);
	chatarc_status_t (*stream_event)(struct job *job, const char *type, const char *data,
	                                 size_t len, chatarc_error_t *err);
	/* Or a firehose for the whole network (may be NULL): Jetstream's
	 * public address, read for every job of a source at once. */
	const char *firehose;
};

extern const struct network_handler mastodon_handler, bluesky_handler;

/* fetch.c */
/* A line to the caller's warning, log (--verbose) or notice function. */
void say(struct fetch_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void say_log(struct fetch_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void say_notice(struct fetch_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void job_fail(struct job *job, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void set_string(char **slot, const char *value);
int id_compare(const char *a, const char *b);
void job_send(struct job *job, enum request_kind kind, char *url, char *post_json,
              const char *bearer);
void job_retry_or_fail(struct job *job, const http_response_t *r, bool bad_body, const char *why);
/* The "error" a JSON error body names (Mastodon and XRPC both use it). */
void error_detail(const http_response_t *r, char *out, size_t size);
/* Accepts a Link only to the same server (sets next_url), else fails the job. */
bool take_link(struct job *job, const char *link);
/* The converter's counts are the job's. */
CHATARC_MUST_CHECK chatarc_status_t convert_counted(struct job *job, yajl_val post,
                                                    chatarc_error_t *err);
/* Starts a walk from the job's cursor (a round). */
void job_start_round(struct job *job, bool first);
/* Starts what each job may send now; false when no job has work left.
 * *wake: when one will next have something to send. */
bool jobs_step(struct fetch_run *run, chatarc_ms_t *wake);
/* Proves gone, each alone at its home, the job's archived posts with
 * these server ids (a stream said they were deleted); removes those. */
void job_recheck_ids(struct job *job, const strlist_t *ids);
void show_progress(struct fetch_run *run, bool now);
/* A chat's archive opened (waiting for its lock) or committed and closed. */
CHATARC_MUST_CHECK chatarc_status_t target_open(struct fetch_run *run, struct chat_target *t,
                                                chatarc_error_t *err);
CHATARC_MUST_CHECK chatarc_status_t target_close(struct chat_target *t, chatarc_error_t *err);
bool stopping(const struct fetch_run *run);

/* fetch-live.c: after the first round of fetch --follow, the jobs' streams
 * until stopped (archives stay open; each arrival committed within a
 * second). */
CHATARC_MUST_CHECK chatarc_status_t live_run(struct fetch_run *run, chatarc_error_t *err);
void live_release(struct fetch_run *run);
/* A firehose's posts asked for whole: the next request's URL, and its answer. */
char *live_lookup_url(struct job *job);
void live_lookup_done(struct job *job, const http_response_t *r);
/* A record was archived from the job's source (a firehose then reads its
 * deletion). */
void live_note_archived(struct job *job, const chatarc_record_t *record);

/* fetch-state.c */
char *state_path(const char *data_dir, const char *chat, const char *source, const char *tag);
CHATARC_MUST_CHECK chatarc_status_t job_save_state(struct job *job, chatarc_error_t *err);
CHATARC_MUST_CHECK chatarc_status_t job_load_state(struct job *job, chatarc_error_t *err);
void add_time_field(strbuf_t *sb, const char *key, chatarc_ms_t ms);
bool state_time(yajl_val doc, const char *key, chatarc_ms_t *out);
/* A credential the config names (an environment variable or a file). */
CHATARC_MUST_CHECK chatarc_status_t read_secret(const char *data_dir, const char *source,
                                                const chatarc_secret_ref_t *ref, const char *what,
                                                char **out, chatarc_error_t *err);

#endif
