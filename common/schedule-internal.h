/* What common/schedule.c and common/schedule-rules.c share: the dates a
 * schedule's rule yields, kept once expanded. */
#ifndef CHATARC_SCHEDULE_INTERNAL_H
#define CHATARC_SCHEDULE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "schedule.h"

struct day_list {
	int64_t *days;
	size_t n, alloc;
};

struct schedule_dates {
	struct day_list rule;     /* what the rule yields, in order */
	struct day_list sessions; /* those, less except, plus extra: sorted, unique */
	int64_t expanded_to;      /* the rule is expanded through this day */
	bool expanded, ended;     /* ended: the rule yields nothing after rule.days[n-1] */
};

/* YYYY-MM-DD into its numbers (the month and day in range, not the day
 * checked against its month: schedule_date_valid does that). */
bool schedule_parse_date(const char *date, int *y, int *m, int *d);

#endif
