/* Times in chatarc: milliseconds since the Unix epoch, UTC. Parsers for the
 * networks' formats and the one format the archive writes. */
#ifndef CHATARC_TIMEUTIL_H
#define CHATARC_TIMEUTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "status.h"

typedef int64_t chatarc_ms_t;

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" plus NUL. */
#define CHATARC_TIME_ISO_LEN 25

/* ISO 8601 / RFC 3339: a date alone (midnight UTC), or date and time with an
 * optional fraction and Z or a numeric offset (no offset means UTC). */
/* False too for an instant outside 1970-01-01 to 9999-12-31 UTC (after the
 * offset is taken): the range the archive's day files can hold. */
bool time_parse_iso8601(const char *text, chatarc_ms_t *out);
/* Twitter API v1.1 and tweets.js: "Fri Jul 12 23:40:37 +0000 2019". */
bool time_parse_twitter(const char *text, chatarc_ms_t *out);
/* The instants chatarc keeps: years 1970 to 9999 in UTC (the archive's
 * day files and ISO 8601's four digits). */
#define TIME_MAX_MS 253402300800000LL /* 10000-01-01T00:00:00Z */
bool time_in_range(chatarc_ms_t ms);
/* The margin of a post's accepted time (fetch/posts.h): from this long
 * after 1970 to this long after it was seen. Readers stop there too, so an
 * archive written before the rule cannot lead them to the year 9999. */
#define TIME_POST_MARGIN_MS (24LL * 3600 * 1000)
/* The wall clock, in ms since the epoch (UTC). */
chatarc_ms_t time_now_ms(void);
/* Twitter snowflake ids carry their creation time (ids after 2010-11-04). */
bool time_from_snowflake(const char *id, chatarc_ms_t *out);

void time_format_iso(chatarc_ms_t ms, char out[CHATARC_TIME_ISO_LEN]);
/* "YYYY-MM-DD" of the UTC day. */
void time_format_day(chatarc_ms_t ms, char out[11]);

/* The UTC instants [start, end) of local calendar day `day` (YYYY-MM-DD) in
 * IANA zone `tz` (NULL or "" for UTC). Handles days of 23 or 25 hours. */
CHATARC_MUST_CHECK chatarc_status_t time_local_day_bounds(const char *tz, const char *day,
                                                          chatarc_ms_t *start, chatarc_ms_t *end,
                                                          chatarc_error_t *err);

int64_t time_days_from_civil(int64_t y, unsigned m, unsigned d);

/* Local time in an IANA zone goes through the C library, which reads TZ:
 * a scope sets TZ for a stretch of work and puts it back after. */
typedef struct tz_scope {
	char *saved;
	int had;
} tz_scope_t;
void tz_scope_enter(tz_scope_t *scope, const char *tz);
void tz_scope_leave(tz_scope_t *scope);

/* Inside a scope: the UTC instant of local date day (YYYY-MM-DD) plus
 * `minute` minutes after its midnight (wall clock, DST-aware). */
bool time_local_to_utc(const char *day, int minute, chatarc_ms_t *out);
/* Inside a scope: "2026-11-18T13:05:00-05:00", the local day, its weekday
 * (0 = Sunday) and minute of the day. Any out pointer may be NULL. */
void time_to_local(chatarc_ms_t ms, char iso_out[32], char day_out[11], int *weekday, int *minute);

#endif
