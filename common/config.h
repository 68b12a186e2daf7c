/* DIR/chatarc.conf: JSON with // comments, listing chats and sources.
 * Errors name the file, the line and what was expected there. */
#ifndef CHATARC_CONFIG_H
#define CHATARC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"
#include "schedule.h"
#include "status.h"

/* "people": one person's accounts on several networks, counted as one
 * participant (a moderator on Mastodon and Bluesky). */
typedef struct chatarc_people {
	strlist_t names;    /* each person's display name */
	strlist_t accounts; /* every account listed, lower-case, without '@' */
	size_t *person_of;  /* accounts.items[i] is names.items[person_of[i]]'s */
	size_t *first_of;   /* each person's first account (its key): an index into accounts */
} chatarc_people_t;

typedef struct chatarc_chat {
	char *name;
	char *title;
	strlist_t tags; /* lower-case, without '#' */
	strlist_t moderators;
	strlist_t sources;
	char *tz; /* IANA zone; "UTC" when not given */
	/* When it meets (schedule.h): none for a hashtag stream, whose
	 * sessions are its bursts; two or more for a chat that alternates. */
	chatarc_schedule_t *schedules;
	size_t n_schedules;
	/* The letters (or words) that label topic questions and answers in
	 * the chat's language, upper-case: "F" for Frage, "R" for respuesta.
	 * Empty: T and Q ask, A answers. The words Topic and Question always
	 * ask; answers may use a question's label too ("T1 ..."). */
	strlist_t question_labels, answer_labels;
	bool allow_noindex;
	/* The moderators' hide list (the chat's "hide" and the config's):
	 * accounts and single messages (uri or url) kept off pages, digests,
	 * search results and exports, without being erased (that is `chatarc
	 * forget`). */
	strlist_t hide;
	const chatarc_people_t *people; /* the config's, shared by its chats */
} chatarc_chat_t;

/* Credentials are named, never held, by the config: an environment
 * variable or a file (relative to DIR) that holds the secret. */
typedef struct chatarc_secret_ref {
	char *env;
	char *file;
} chatarc_secret_ref_t;

typedef struct chatarc_source {
	char *name;
	char *type; /* "mastodon" or "bluesky" */
	char *url;
	chatarc_secret_ref_t token;    /* Mastodon access token (read:statuses) */
	char *identifier;              /* Bluesky handle or DID to sign in as */
	chatarc_secret_ref_t password; /* Bluesky app password */
	char *pds; /* Bluesky: the PDS to sign in on and search through; url if NULL */
	/* fetch --follow's push: Mastodon's streaming server (url if NULL),
	 * Bluesky's Jetstream (the public one if NULL); "stream": false, none. */
	char *stream;
	bool no_stream;
} chatarc_source_t;

/* "fetch": how `chatarc fetch` paces itself. Defaults in config_load. */
typedef struct chatarc_fetch_settings {
	int follow_interval_s; /* --follow polls this often (30) */
	int connect_timeout_s; /* (10) */
	int stall_timeout_s;   /* a transfer under 100 bytes/s for this long fails (30) */
	int request_timeout_s; /* a transfer may take this long in all (300) */
	int max_pages;         /* pages one source reads in one run; the rest next run (1000) */
	int retries;           /* attempts after the first, per request (5) */
	int backoff_base_ms;   /* first retry delay, doubled each time (1000) */
	int backoff_max_ms;    /* cap on one delay (60000) */
	int max_wait_s;        /* longest Retry-After honoured before giving up (900) */
	int recheck_days;      /* posts this recent are re-checked for deletions (14; 0: off) */
	int recheck_every_h;   /* ... at most this often per chat and source (6) */
	int stream_silence_s;  /* a stream silent this long (no heartbeat) is reopened (60) */
} chatarc_fetch_settings_t;

typedef struct chatarc_config {
	char *path;
	uint64_t text_hash; /* FNV-1a of the file's bytes: for caches of work it shapes */
	chatarc_chat_t *chats;
	size_t n_chats;
	chatarc_source_t *sources;
	size_t n_sources;
	/* More search databases, searched with DIR/index as one: paths
	 * (relative to DIR) or "tcp:HOST:PORT" (xapian-tcpsrv). */
	strlist_t index_shards;
	chatarc_fetch_settings_t fetch;
	/* "site": the published site's title and the address it is served
	 * at (ending in '/'), or NULL. */
	char *site_title;
	char *site_base_url;
	bool site_people;         /* "site": {"people": true}: publish people's pages */
	chatarc_people_t *people; /* never NULL once loaded */
} chatarc_config_t;

/* CHATARC_ERR_NOT_FOUND when the file does not exist. */
/* Checks a schedule's recurrence rule: NULL when it is one, else why not
 * (schedule_rule_problem). */
typedef const char *(*config_rule_check_fn)(const char *rule, bool have_first);
/* check_rule: schedule_rule_problem, or NULL to take rules unchecked, for
 * a program that never expands them (the front end's search, which so
 * does not load libical). */
CHATARC_MUST_CHECK chatarc_status_t config_load(const char *path, chatarc_config_t *config,
                                                config_rule_check_fn check_rule,
                                                chatarc_error_t *err);
void config_release(chatarc_config_t *config);
const chatarc_source_t *config_find_source(const chatarc_config_t *config, const char *name);
const chatarc_chat_t *config_find_chat(const chatarc_config_t *config, const char *name);

/* Seconds east of UTC at ms in the chat's zone (0 for a chat with none, or
 * NULL). zones: one slot per config chat, NULL until the chat's zone is
 * first needed (then loaded there; freed by the caller with tz_zone_free).
 * A zone that cannot be loaded counts as UTC: the config's check already
 * found it, so only a tzdata removed since gets here. */
struct tz_zone;
long config_chat_offset(const chatarc_config_t *config, struct tz_zone **zones,
                        const chatarc_chat_t *chat, chatarc_ms_t ms);
/* The chat's hide list names the record: its author (an account: no
 * leading '@', any letter case), its uri or its url. */
bool config_chat_hides(const chatarc_chat_t *chat, const chatarc_record_t *record);
/* The same for an account alone (work that reads only authors). */
bool config_chat_hides_author(const chatarc_chat_t *chat, const char *author);

/* The person an account is (its first listed account, lower-case: one key
 * for all of them), or the account itself when "people" does not list it;
 * *name, when not NULL, gets the person's display name or NULL. */
const char *config_person(const chatarc_chat_t *chat, const char *author, const char **name);

/* The commented file `chatarc init` writes; with_sample adds the bundled chat. */
void config_template(strbuf_t *out, bool with_sample);

#endif
