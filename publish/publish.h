/* The publisher: sessions' summaries (the summariser's XML) turned by the
 * stylesheets in share/xslt/ into a static site, with libxslt:
 *   OUT/index.html, OUT/style.css
 *   OUT/CHAT/index.html, OUT/CHAT/feed.atom, OUT/CHAT/YYYY-MM-DD.html
 *   OUT/digest/YYYY-Www.html (+ .xml, its input), OUT/digest/feed.atom
 * A page is written only when its bytes change, each by temp + rename, so a
 * web server never serves half a page and a rerun writes nothing. */
#ifndef CHATARC_PUBLISH_H
#define CHATARC_PUBLISH_H

#include <stdbool.h>

#include "../common/config.h"
#include "../common/record.h"
#include "../common/status.h"

/* How long after the last post a chat stays live (publish --live). */
#define PUBLISH_LIVE_WINDOW_MS (15LL * 60 * 1000)
/* How often a live page reloads itself, and fetch --follow --publish
 * publishes at most (seconds). */
#define PUBLISH_LIVE_REFRESH_S 10

typedef struct publish_options {
	const char *data_dir;
	const char *share_dir;  /* holds xslt/ and css/ */
	const char *out_dir;    /* the site; DIR/site by default */
	const strlist_t *chats; /* NULL or empty: every chat in the config */
	long long now_ms;       /* "now", for the next session on each chat's page */
	/* A chat whose archive was written less than this long ago is live:
	 * its newest session's page and its chat page say "live, updated
	 * HH:MM:SS" and refresh themselves (publish --live, fetch --follow
	 * --publish). 0: no page is live (a final publish). */
	long long live_window_ms;
} publish_options_t;

typedef struct publish_stats {
	long sessions;        /* sessions rendered */
	long pages_written;   /* files whose bytes changed */
	long pages_unchanged; /* files already as they would be written */
} publish_stats_t;

typedef struct publisher publisher_t;

/* Loads the stylesheets and takes OUT's lock (DIR/state/publish.lock):
 * overlapping runs wait for each other. */
CHATARC_MUST_CHECK chatarc_status_t publisher_open(const publish_options_t *options,
                                                   publisher_t **out, chatarc_error_t *err);
void publisher_close(publisher_t *pub);

/* Every session of the chats, their chat pages and feeds, the site index. */
CHATARC_MUST_CHECK chatarc_status_t publish_site(publisher_t *pub, const chatarc_config_t *config,
                                                 publish_stats_t *stats, chatarc_error_t *err);

/* The digest of ISO week `week` ("2026-W47") across the chats, and the
 * digest feed. *n_sessions: how many sessions the week had; with none,
 * nothing is written. */
CHATARC_MUST_CHECK chatarc_status_t publish_digest(publisher_t *pub, const chatarc_config_t *config,
                                                   const char *week, long *n_sessions,
                                                   publish_stats_t *stats, chatarc_error_t *err);

/* Every digest the site has, made again from the archive as it is now (a
 * week left without sessions loses its digest). */
CHATARC_MUST_CHECK chatarc_status_t publish_refresh_digests(publisher_t *pub,
                                                            const chatarc_config_t *config,
                                                            publish_stats_t *stats,
                                                            chatarc_error_t *err);

/* Now, or SOURCE_DATE_EPOCH when set (the reproducible-builds convention:
 * pages showing the next session can then be rebuilt byte for byte). */
long long publish_now_ms(void);
/* "2026-W47" -> its Monday and Sunday (YYYY-MM-DD); false if not a week. */
bool publish_week_bounds(const char *week, char monday[11], char sunday[11]);
/* The ISO week ("2026-W47") holding the UTC instant ms. */
void publish_week_of(long long ms, char week[9]);

#endif
