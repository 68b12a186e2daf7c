/* `chatarc fetch`: pulling chats' hashtag streams from Mastodon instances and
 * Bluesky into the archive. Each (chat, source, hashtag) is a job that pages
 * through one stream; all jobs run at once on one HTTP client, one request
 * in flight per source. A page is committed (fsync) before the job's cursor
 * moves past it (DIR/state/CHAT/SOURCE/TAG.json, replaced atomically), so a
 * kill at any moment loses nothing acknowledged and a re-run adds nothing
 * twice; the archive keeps one message per uri across instances. */
#ifndef CHATARC_FETCH_H
#define CHATARC_FETCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "../common/archive.h"
#include "../common/config.h"
#include "../common/record.h"
#include "../common/status.h"

typedef struct fetch_job_stats {
	const char *chat, *source, *tag;
	long requests, pages, retries;
	archive_tally_t stored;
	long consent_skipped, boosts;
	long rechecked;             /* archived posts asked for again (deletions, edits) */
	long deleted;               /* ... found deleted upstream, and removed */
	long errors;                /* failures over the run (a --follow run may recover) */
	long streamed;              /* records pushed by a stream (--follow) */
	const char *live;           /* --follow: "streaming", "polling", ...; NULL before */
	bool failed;                /* the job's last attempt failed; error says why */
	bool done;                  /* caught up (until the next --follow round) */
	chatarc_ms_t waiting_until; /* waiting for a rate limit or a retry; 0 if not */
	chatarc_error_t error;
} fetch_job_stats_t;

typedef struct fetch_report {
	fetch_job_stats_t *jobs;
	size_t n_jobs;
} fetch_report_t;

typedef struct fetch_options {
	chatarc_ms_t since;      /* walk back to here; 0: the cursor, or 7 days on a first run */
	chatarc_ms_t until;      /* only messages before this; 0: now. Set: cursors untouched */
	const char *only_source; /* NULL: every source of each chat */
	bool follow;             /* streams (or polling) until *stop */
	bool publish;            /* --follow --publish (the front end publishes) */
	const volatile sig_atomic_t *stop; /* set by a signal handler; may be NULL */
	/* Each may be NULL. progress: something changed (at most a few times a
	 * second); log: one line per request (--verbose); warning: a problem
	 * worth saying at once (a job failed); notice: what is normal but worth
	 * knowing on a terminal or with --verbose (a chat left to another run,
	 * as overlapping cron runs do). */
	void (*progress)(void *ctx, const fetch_report_t *report);
	void (*log)(void *ctx, const char *line);
	void (*warning)(void *ctx, const char *line);
	void (*notice)(void *ctx, const char *line);
	void *ctx;
} fetch_options_t;

/* Fetches the named chats (all chats with sources when chats is empty).
 * CHATARC_OK when every job caught up or was left to another run of the
 * same chat (normal under cron: a notice, not an error); CHATARC_ERR_PARTIAL
 * when some failed (each job's error says which source and why). The report holds
 * one entry per job either way; release it with fetch_report_release. */
CHATARC_MUST_CHECK chatarc_status_t fetch_chats(const char *data_dir,
                                                const chatarc_config_t *config,
                                                const strlist_t *chats,
                                                const fetch_options_t *options,
                                                fetch_report_t *report, chatarc_error_t *err);
void fetch_report_release(fetch_report_t *report);

#endif
