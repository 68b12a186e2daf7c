/* The schedules of schedule.h: their rules read and expanded by libical. */
#include "schedule.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "schedule-internal.h"

/* How far past the last date asked for a rule is expanded at once: a
 * weekly rule from 1970 to ten years ahead is some 3,500 dates. */
#define EXPAND_AHEAD_DAYS 3653
/* A schedule without "first" starts here: rules that need no start (a
 * weekday, the first Friday of a month) yield the same dates from any. */
#define DEFAULT_FIRST "1970-01-01"

static void day_list_add(struct day_list *l, int64_t day)
{
	ALLOC_GROW(l->days, l->n + 1, l->alloc);
	l->days[l->n++] = day;
}

static int compare_days(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* The first index whose day is >= day. */
static size_t lower_bound(const struct day_list *l, int64_t day)
{
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->days[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int64_t day_of(const char *date)
{
	int y, m, d;
	if (!schedule_parse_date(date, &y, &m, &d))
		return INT64_MIN;
	return time_days_from_civil(y, (unsigned)m, (unsigned)d);
}

static void format_day(int64_t day, char out[11])
{
	time_format_day(day * 86400000LL, out);
}

static struct icaltimetype ical_date(const char *date)
{
	struct icaltimetype t = icaltime_null_time();
	int y, m, d;
	schedule_parse_date(date, &y, &m, &d);
	t.year = y;
	t.month = m;
	t.day = d;
	t.is_date = 1;
	return t;
}

static bool has_by(const short *by)
{
	return by[0] != ICAL_RECURRENCE_ARRAY_MAX;
}

const char *schedule_rule_problem(const char *rule, bool have_first)
{
	struct icalrecurrencetype r = icalrecurrencetype_from_string(rule);
	if (r.freq == ICAL_NO_RECURRENCE)
		return "expected an RFC 5545 recurrence rule such as \"FREQ=MONTHLY;BYDAY=1FR\"";
	if (r.freq != ICAL_DAILY_RECURRENCE && r.freq != ICAL_WEEKLY_RECURRENCE &&
	    r.freq != ICAL_MONTHLY_RECURRENCE && r.freq != ICAL_YEARLY_RECURRENCE)
		return "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY: a chat meets on dates";
	if (has_by(r.by_hour) || has_by(r.by_minute) || has_by(r.by_second))
		return "BYHOUR, BYMINUTE and BYSECOND do not apply: the time is \"start\"";
	bool needs_first =
	    r.interval > 1 || r.count > 0 ||
	    (r.freq == ICAL_WEEKLY_RECURRENCE && !has_by(r.by_day)) ||
	    (r.freq == ICAL_MONTHLY_RECURRENCE && !has_by(r.by_day) && !has_by(r.by_month_day)) ||
	    (r.freq == ICAL_YEARLY_RECURRENCE && !has_by(r.by_month) && !has_by(r.by_year_day) &&
	     !has_by(r.by_week_no));
	if (needs_first && !have_first)
		return "INTERVAL, COUNT, and a rule without BYDAY count from the series' first "
		       "date: give \"first\" (YYYY-MM-DD) beside it";
	return NULL;
}

/* Expands the rule through day (and some years past it), then makes the
 * session dates of it. */
static void expand_through(const chatarc_schedule_t *s, int64_t day)
{
	struct schedule_dates *d = s->dates;
	if (d->expanded && (d->ended || d->expanded_to >= day))
		return;
	int64_t target = day + EXPAND_AHEAD_DAYS;
	d->rule.n = d->sessions.n = 0;
	d->ended = false;
	struct icalrecurrencetype r = icalrecurrencetype_from_string(s->rule);
	icalrecur_iterator *it =
	    icalrecur_iterator_new(r, ical_date(s->first ? s->first : DEFAULT_FIRST));
	for (;;) {
		struct icaltimetype t = it ? icalrecur_iterator_next(it) : icaltime_null_time();
		if (icaltime_is_null_time(t)) {
			d->ended = true;
			break;
		}
		int64_t at = time_days_from_civil(t.year, (unsigned)t.month, (unsigned)t.day);
		if (at > target)
			break;
		day_list_add(&d->rule, at);
	}
	if (it)
		icalrecur_iterator_free(it);
	d->expanded = true;
	d->expanded_to = target;

	/* The cancelled days, read once and sorted, for a lookup a day. */
	struct day_list cancelled = {0};
	for (size_t k = 0; k < s->except.len; k++)
		day_list_add(&cancelled, day_of(s->except.items[k]));
	if (cancelled.n)
		qsort(cancelled.days, cancelled.n, sizeof *cancelled.days, compare_days);
	for (size_t i = 0; i < d->rule.n; i++) {
		size_t at = lower_bound(&cancelled, d->rule.days[i]);
		if (at == cancelled.n || cancelled.days[at] != d->rule.days[i])
			day_list_add(&d->sessions, d->rule.days[i]);
	}
	free(cancelled.days);
	for (size_t k = 0; k < s->extra.len; k++)
		day_list_add(&d->sessions, day_of(s->extra.items[k]));
	if (d->sessions.n)
		qsort(d->sessions.days, d->sessions.n, sizeof *d->sessions.days, compare_days);
	size_t kept = 0;
	for (size_t i = 0; i < d->sessions.n; i++)
		if (!kept || d->sessions.days[kept - 1] != d->sessions.days[i])
			d->sessions.days[kept++] = d->sessions.days[i];
	d->sessions.n = kept;
}

static bool meets_on(const chatarc_schedule_t *s, int64_t day)
{
	expand_through(s, day);
	const struct day_list *l = &s->dates->sessions;
	size_t i = lower_bound(l, day);
	return i < l->n && l->days[i] == day;
}

static bool session_of(const chatarc_schedule_t *s, const char *date, schedule_session_t *out)
{
	return time_local_to_utc(date, s->start_minute, &out->start) &&
	       time_local_to_utc(date, s->start_minute + s->minutes, &out->end) &&
	       time_local_to_utc(date, s->start_minute - s->slack_minutes, &out->window_start) &&
	       time_local_to_utc(date, s->start_minute + s->minutes + s->slack_minutes,
	                         &out->window_end);
}

bool schedule_session_on(const chatarc_schedule_t *schedules, size_t n, const char *date,
                         schedule_session_t *out)
{
	int64_t day = day_of(date);
	bool found = false;
	if (day == INT64_MIN || !schedule_date_valid(date))
		return false;
	for (size_t i = 0; i < n; i++) {
		schedule_session_t one;
		if (!meets_on(&schedules[i], day) || !session_of(&schedules[i], date, &one))
			continue;
		if (!found) {
			*out = one;
		} else {
			out->start = one.start < out->start ? one.start : out->start;
			out->end = one.end > out->end ? one.end : out->end;
			out->window_start = one.window_start < out->window_start
			                        ? one.window_start
			                        : out->window_start;
			out->window_end =
			    one.window_end > out->window_end ? one.window_end : out->window_end;
		}
		found = true;
	}
	return found;
}

void schedule_dates_between(const chatarc_schedule_t *schedules, size_t n, const char *from_date,
                            const char *to_date, strlist_t *dates)
{
	int64_t from = day_of(from_date), to = day_of(to_date);
	struct day_list all = {0};
	if (from == INT64_MIN || to == INT64_MIN)
		return;
	for (size_t i = 0; i < n; i++) {
		expand_through(&schedules[i], to);
		const struct day_list *l = &schedules[i].dates->sessions;
		for (size_t k = lower_bound(l, from); k < l->n && l->days[k] <= to; k++)
			day_list_add(&all, l->days[k]);
	}
	if (all.n)
		qsort(all.days, all.n, sizeof *all.days, compare_days);
	for (size_t i = 0; i < all.n; i++) {
		char date[11];
		if (i && all.days[i] == all.days[i - 1])
			continue;
		format_day(all.days[i], date);
		strlist_add(dates, date);
	}
	free(all.days);
}

bool schedule_next(const chatarc_schedule_t *schedules, size_t n, chatarc_ms_t after_ms,
                   char date[11], schedule_session_t *out)
{
	char today[11];
	bool found = false;
	time_to_local(after_ms, NULL, today, NULL, NULL);
	int64_t from = day_of(today) - 1;
	for (size_t i = 0; i < n; i++) {
		expand_through(&schedules[i], from + EXPAND_AHEAD_DAYS);
		const struct day_list *l = &schedules[i].dates->sessions;
		for (size_t k = lower_bound(l, from); k < l->n; k++) {
			char day[11];
			schedule_session_t one;
			format_day(l->days[k], day);
			if (!session_of(&schedules[i], day, &one) || one.start <= after_ms)
				continue;
			if (!found || one.start < out->start) {
				*out = one;
				memcpy(date, day, 11);
			}
			found = true;
			break;
		}
	}
	return found;
}

bool schedule_first_on_or_after(const chatarc_schedule_t *s, const char *date, char out[11])
{
	int64_t day = day_of(date);
	if (day == INT64_MIN)
		return false;
	expand_through(s, day);
	const struct day_list *l = &s->dates->rule;
	size_t i = lower_bound(l, day);
	if (i >= l->n)
		return false;
	format_day(l->days[i], out);
	return true;
}

static const char *const weekdays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                       "Thursday", "Friday", "Saturday"};
static const char *const months[] = {"January",   "February", "March",    "April",
                                     "May",       "June",     "July",     "August",
                                     "September", "October",  "November", "December"};

static void add_position(strbuf_t *out, int position)
{
	static const char *const nth[] = {"", "first", "second", "third", "fourth", "fifth"};
	if (position >= 1 && position <= 5)
		strbuf_addf(out, "%s ", nth[position]);
	else if (position == -1)
		strbuf_addstr(out, "last ");
	else if (position < -1 && position >= -5)
		strbuf_addf(out, "%s to last ", nth[-position]);
	else if (position)
		strbuf_addf(out, "%d. ", position);
}

void schedule_describe(const chatarc_schedule_t *s, strbuf_t *out)
{
	struct icalrecurrencetype r = icalrecurrencetype_from_string(s->rule);
	static const char *const every[] = {[ICAL_DAILY_RECURRENCE] = "day",
	                                    [ICAL_WEEKLY_RECURRENCE] = "week",
	                                    [ICAL_MONTHLY_RECURRENCE] = "month",
	                                    [ICAL_YEARLY_RECURRENCE] = "year"};
	static const char *const once[] = {[ICAL_DAILY_RECURRENCE] = "daily",
	                                   [ICAL_WEEKLY_RECURRENCE] = "weekly",
	                                   [ICAL_MONTHLY_RECURRENCE] = "monthly",
	                                   [ICAL_YEARLY_RECURRENCE] = "yearly"};
	if (r.freq < ICAL_DAILY_RECURRENCE || r.freq > ICAL_YEARLY_RECURRENCE) {
		strbuf_addstr(out, s->rule);
		return;
	}
	if (r.interval > 1)
		strbuf_addf(out, "every %d %ss", r.interval, every[r.freq]);
	else
		strbuf_addstr(out, once[r.freq]);
	for (int i = 0; i < ICAL_BY_MONTH_SIZE && r.by_month[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
		if (r.by_month[i] >= 1 && r.by_month[i] <= 12)
			strbuf_addf(out, "%s%s", i ? " and " : ", in ", months[r.by_month[i] - 1]);
	for (int i = 0; i < ICAL_BY_DAY_SIZE && r.by_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++) {
		int weekday = (int)icalrecurrencetype_day_day_of_week(r.by_day[i]);
		strbuf_addstr(out, i ? " and " : ", ");
		add_position(out, icalrecurrencetype_day_position(r.by_day[i]));
		if (weekday >= 1 && weekday <= 7)
			strbuf_addstr(out, weekdays[weekday - 1]);
	}
	for (int i = 0; i < ICAL_BY_MONTHDAY_SIZE && r.by_month_day[i] != ICAL_RECURRENCE_ARRAY_MAX;
	     i++) {
		if (r.by_month_day[i] == -1)
			strbuf_addf(out, "%sthe last day", i ? " and " : ", ");
		else if (r.by_month_day[i] < 0)
			strbuf_addf(out, "%sday %d from the end", i ? " and " : ", ",
			            -r.by_month_day[i]);
		else
			strbuf_addf(out, "%sday %d", i ? " and " : ", ", r.by_month_day[i]);
	}
	int end = s->start_minute + s->minutes;
	strbuf_addf(out, ", %02d:%02d-%02d:%02d", s->start_minute / 60, s->start_minute % 60,
	            end / 60 % 24, end % 60);
	if (r.count > 0)
		strbuf_addf(out, ", %d times", r.count);
	if (!icaltime_is_null_time(r.until))
		strbuf_addf(out, ", until %04d-%02d-%02d", r.until.year, r.until.month,
		            r.until.day);
}

void schedule_describe_all(const chatarc_schedule_t *schedules, size_t n, strbuf_t *out)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addstr(out, "; ");
		schedule_describe(&schedules[i], out);
	}
}
