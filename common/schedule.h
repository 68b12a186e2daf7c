/* When a chat meets: the one definition of a session that every command
 * asks (summarise, export, stats, search's session: terms, publish, the
 * calendars and the next-session lines).
 *
 * A chat has one or more schedules (an alternating chat has two). Each is
 * an RFC 5545 recurrence rule, read and expanded by libical, on local
 * dates of the chat's zone, with a local start time and a length, less the
 * dates it was cancelled (EXDATE) and plus the dates it was moved to or
 * added (RDATE). A local date on which a schedule meets is a session of the
 * chat; its window runs from the start less the slack to the end plus the
 * slack. The weekday form of the config ("weekday": "Wed") is the rule
 * FREQ=WEEKLY;BYDAY=WE. */
#ifndef CHATARC_SCHEDULE_H
#define CHATARC_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

#include "status.h"
#include "strbuf.h"
#include "strlist.h"
#include "timeutil.h"

struct schedule_dates;

typedef struct chatarc_schedule {
	char *rule;        /* the RRULE value: "FREQ=MONTHLY;BYDAY=1FR" */
	char *first;       /* the series' first date (DTSTART's), NULL when not given */
	strlist_t except;  /* cancelled dates, YYYY-MM-DD (EXDATE) */
	strlist_t extra;   /* moved or added dates (RDATE) */
	int start_minute;  /* minutes after local midnight */
	int minutes;       /* length */
	int slack_minutes; /* taken before and after the window (default 15) */
	/* The dates the rule yields, expanded when first asked for (a search
	 * never asks: loading a config costs no expansion). */
	struct schedule_dates *dates;
} chatarc_schedule_t;

/* Checks rule (an RRULE value) as a chat's schedule: NULL when it is one,
 * else what is wrong with it, in words. have_first: the schedule names its
 * first date; a rule whose dates depend on where the series starts
 * (INTERVAL, COUNT, a weekly rule without BYDAY) needs one. */
const char *schedule_rule_problem(const char *rule, bool have_first);

/* A schedule with rule (checked) and no dates asked for yet. */
void schedule_init(chatarc_schedule_t *s, const char *rule);
void schedule_release(chatarc_schedule_t *s);

/* A session on a local date: when it is scheduled and its window (with the
 * slack), as UTC instants. */
typedef struct schedule_session {
	chatarc_ms_t start, end;               /* as scheduled */
	chatarc_ms_t window_start, window_end; /* start - slack, end + slack */
} schedule_session_t;

/* Inside the chat's tz scope: whether the schedules meet on local date
 * date (YYYY-MM-DD), and then its session. Two schedules that meet on one
 * date make one session from the earlier start to the later end. */
bool schedule_session_on(const chatarc_schedule_t *schedules, size_t n, const char *date,
                         schedule_session_t *out);

/* The session dates from from_date to to_date (YYYY-MM-DD, both
 * included), oldest first, added to dates. */
void schedule_dates_between(const chatarc_schedule_t *schedules, size_t n, const char *from_date,
                            const char *to_date, strlist_t *dates);

/* Inside the chat's tz scope: the first session that starts after
 * after_ms; false when the schedules have ended (UNTIL, COUNT) or yield
 * nothing in the next ten years. */
bool schedule_next(const chatarc_schedule_t *schedules, size_t n, chatarc_ms_t after_ms,
                   char date[11], schedule_session_t *out);

/* The first date the rule yields on or after date, or false. */
bool schedule_first_on_or_after(const chatarc_schedule_t *s, const char *date, char out[11]);

/* The schedule in words, for people: "monthly, first Friday, 13:00-14:00". */
void schedule_describe(const chatarc_schedule_t *s, strbuf_t *out);
/* All of a chat's schedules so, joined by "; ". */
void schedule_describe_all(const chatarc_schedule_t *schedules, size_t n, strbuf_t *out);

/* A date as the config writes it: YYYY-MM-DD, a real day. */
bool schedule_date_valid(const char *date);

#endif
