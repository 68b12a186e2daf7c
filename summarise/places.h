/* Where each message of a chat sits in its sessions (the summariser's
 * answer, by uri): the session's local date, the topic ("t1", "intro",
 * "wrap", "" when unassigned) and how it was decided. For readers that walk
 * the archive a UTC day at a time (the indexer, export): a UTC day touches
 * three local dates and consecutive days share two, so each date's session
 * is built once and kept while the days being read need it. */
#ifndef CHATARC_PLACES_H
#define CHATARC_PLACES_H

#include "../common/config.h"
#include "../common/status.h"
#include "../common/timeutil.h"
#include "summary.h"

typedef struct session_places session_places_t;

typedef struct message_place {
	const char *date;   /* the session's local date, YYYY-MM-DD */
	const char *topic;  /* "t1", "intro", "wrap", or "" */
	const char *method; /* "question", "label", "reply", "time", "none" */
} message_place_t;

/* days: NULL, or the cache the caller reads the same days through (it
 * outlives the places). */
session_places_t *places_new(const char *data_dir, const chatarc_chat_t *chat,
                             archive_day_cache_t *days);
void places_free(session_places_t *places);
/* Makes ready the sessions that may hold messages of UTC day day_start. A
 * session that cannot be built (an unreadable archive) is an error: output
 * without its session would be wrong silently. */
CHATARC_MUST_CHECK chatarc_status_t places_for_day(session_places_t *places, chatarc_ms_t day_start,
                                                   chatarc_error_t *err);
/* The message's place among the sessions made ready; false when it is in
 * none (outside every session window). A message in two windows belongs
 * to the earlier date. */
bool places_find(const session_places_t *places, const char *uri, message_place_t *out);

/* A fingerprint of what places a chat's messages in sessions and topics:
 * its zone, schedules, moderators, labels and the config's people. The
 * index keeps it per chat and places the chat's messages again when it
 * changes (a moved schedule must not leave stale topic: terms). */
void places_fingerprint(const chatarc_chat_t *chat, char out[17]);

/* The method's name, as the summary XML and export write it. */
const char *places_method_name(assign_method_t method);

#endif
