/* A chat's schedules as the config holds them (schedule.h). libical is
 * not needed here, only in schedule-rules.c: the front end (`chatarc
 * search`) loads a config without loading libical and ICU, 1.7 ms of a
 * search's start. */
#include "schedule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "schedule-internal.h"

bool schedule_parse_date(const char *date, int *y, int *m, int *d)
{
	int n = -1;
	return date && sscanf(date, "%4d-%2d-%2d%n", y, m, d, &n) == 3 && n == 10 && *m >= 1 &&
	       *m <= 12 && *d >= 1 && *d <= 31;
}

bool schedule_date_valid(const char *date)
{
	int y, m, d;
	char back[11];
	if (!schedule_parse_date(date, &y, &m, &d))
		return false;
	time_format_day(time_days_from_civil(y, (unsigned)m, (unsigned)d) * 86400000LL, back);
	return !strcmp(back, date);
}

void schedule_init(chatarc_schedule_t *s, const char *rule)
{
	memset(s, 0, sizeof *s);
	s->rule = xstrdup(rule);
	s->dates = xcalloc(1, sizeof *s->dates);
	s->slack_minutes = 15;
}

void schedule_release(chatarc_schedule_t *s)
{
	free(s->rule);
	free(s->first);
	strlist_clear(&s->except);
	strlist_clear(&s->extra);
	if (s->dates) {
		free(s->dates->rule.days);
		free(s->dates->sessions.days);
		free(s->dates);
	}
	memset(s, 0, sizeof *s);
}
