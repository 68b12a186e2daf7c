/* Each scheduled chat as iCalendar (RFC 5545), made with libical, the
 * reference C library for the format: a weekly event in the chat's own
 * time zone, with that zone's VTIMEZONE, so a calendar shows the session
 * at its local hour on both sides of a daylight-saving change. The zone's
 * TZID is its IANA name ("America/Toronto"): calendar clients look a TZID
 * up by that name and many ignore the VTIMEZONE, so libical's unique id
 * ("/freeassociation.sourceforge.net/America/Toronto", which libical 3.0
 * writes whatever icaltimezone_set_tzid_prefix says for zones read from
 * the system's zoneinfo) is replaced in the copy of the zone we write. */
#include "calendar.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/timeutil.h"

/* "https://host/path/" -> "host", for the events' UIDs. */
static void host_of(const char *url, char *out, size_t size)
{
	const char *p = url ? strstr(url, "://") : NULL;
	p = p ? p + 3 : "chatarc.invalid";
	size_t n = strcspn(p, "/:");
	snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), p);
}

/* An observance's rule without its UNTIL, as text, for comparing. */
static void rule_without_until(icalcomponent *observance, char *out, size_t size)
{
	icalproperty *p = icalcomponent_get_first_property(observance, ICAL_RRULE_PROPERTY);
	const char *offsets[2] = {"", ""};
	icalproperty *from =
	    icalcomponent_get_first_property(observance, ICAL_TZOFFSETFROM_PROPERTY);
	icalproperty *to = icalcomponent_get_first_property(observance, ICAL_TZOFFSETTO_PROPERTY);
	if (from)
		offsets[0] = icalproperty_get_value_as_string(from);
	if (to)
		offsets[1] = icalproperty_get_value_as_string(to);
	if (!p) {
		*out = '\0';
		return;
	}
	struct icalrecurrencetype rule = icalproperty_get_rrule(p);
	rule.until = icaltime_null_time();
	char *text = icalrecurrencetype_as_string_r(&rule);
	snprintf(out, size, "%s %s %s", text ? text : "", offsets[0], offsets[1]);
	free(text);
}

/* libical writes a zone's current rule as two observances, one ending in
 * 2037 (UNTIL) and one from 2038 on, where the zone file's table ends. The
 * pair is one rule: merged, the transitions are the same and the VTIMEZONE
 * carries no UNTIL that readers still trip on (RFC 5545 puts it in UTC,
 * which python-dateutil refuses beside a local DTSTART). */
static void merge_split_rules(icalcomponent *vtimezone)
{
	icalcomponent *o, *later;
	char a[512], b[512];
	for (o = icalcomponent_get_first_component(vtimezone, ICAL_ANY_COMPONENT); o;
	     o = icalcomponent_get_next_component(vtimezone, ICAL_ANY_COMPONENT)) {
		icalproperty *p = icalcomponent_get_first_property(o, ICAL_RRULE_PROPERTY);
		if (!p || icaltime_is_null_time(icalproperty_get_rrule(p).until))
			continue;
		rule_without_until(o, a, sizeof a);
		icalcomponent *match = NULL;
		for (later = icalcomponent_get_first_component(vtimezone, ICAL_ANY_COMPONENT);
		     later && !match;
		     later = icalcomponent_get_next_component(vtimezone, ICAL_ANY_COMPONENT)) {
			icalproperty *q =
			    icalcomponent_get_first_property(later, ICAL_RRULE_PROPERTY);
			if (later == o || icalcomponent_isa(later) != icalcomponent_isa(o) || !q ||
			    !icaltime_is_null_time(icalproperty_get_rrule(q).until))
				continue;
			rule_without_until(later, b, sizeof b);
			if (!strcmp(a, b))
				match = later;
		}
		if (!match)
			continue;
		struct icalrecurrencetype rule = icalproperty_get_rrule(p);
		rule.until = icaltime_null_time();
		icalproperty_set_rrule(p, rule);
		icalcomponent_remove_component(vtimezone, match);
		icalcomponent_free(match);
		/* The iteration state is spent: start again. */
		merge_split_rules(vtimezone);
		return;
	}
}

/* A local date and the schedule's start, in zone. */
static struct icaltimetype local_start(const char *day, const chatarc_schedule_t *schedule,
                                       icaltimezone *zone)
{
	struct icaltimetype start = icaltime_null_time();
	start.year = atoi(day);
	start.month = atoi(day + 5);
	start.day = atoi(day + 8);
	start.hour = schedule->start_minute / 60;
	start.minute = schedule->start_minute % 60;
	return icaltime_set_timezone(&start, zone);
}

static icalproperty *with_tzid(icalproperty *p, const char *tzid)
{
	icalproperty_add_parameter(p, icalparameter_new_tzid(tzid));
	return p;
}

/* One event a schedule: its rule as RRULE from its first date (the
 * series' "first", else the first on or after the archive's first day),
 * its cancelled dates as EXDATE and its moved or added ones as RDATE. */
static CHATARC_MUST_CHECK chatarc_status_t add_event(icalcomponent *calendar,
                                                     const calendar_chat_t *c, size_t which,
                                                     const char *base_url, strlist_t *zones,
                                                     chatarc_error_t *err)
{
	const chatarc_chat_t *chat = c->chat;
	const chatarc_schedule_t *schedule = &chat->schedules[which];
	const char *tzid = chat->tz ? chat->tz : "UTC";
	icaltimezone *zone = icaltimezone_get_builtin_timezone(tzid);
	if (!zone)
		return chatarc_error_set(err, CHATARC_ERR_CONFIG,
		                         "chat %s: libical does not know the time zone %s",
		                         chat->name, tzid);
	char day[11];
	const char *anchor = schedule->first ? schedule->first : c->first_date;
	if (!schedule_first_on_or_after(schedule, anchor, day))
		return CHATARC_OK; /* the rule ended before: nothing to put in a calendar */
	struct icaltimetype start = local_start(day, schedule, zone);

	icalcomponent *event = icalcomponent_new_vevent();
	char uid[300], host[128], text[1400];
	host_of(base_url, host, sizeof host);
	if (which == 0)
		snprintf(uid, sizeof uid, "chat-%s@%s", chat->name, host);
	else
		snprintf(uid, sizeof uid, "chat-%s-%zu@%s", chat->name, which + 1, host);
	icalcomponent_add_property(event, icalproperty_new_uid(uid));
	/* Stamped with its own start: the file changes only when the chat does. */
	icalcomponent_add_property(event, icalproperty_new_dtstamp(icaltime_convert_to_zone(
	                                      start, icaltimezone_get_utc_timezone())));
	icalcomponent_add_property(event, with_tzid(icalproperty_new_dtstart(start), tzid));
	struct icaldurationtype length = icaldurationtype_null_duration();
	length.hours = (unsigned)(schedule->minutes / 60);
	length.minutes = (unsigned)(schedule->minutes % 60);
	icalcomponent_add_property(event, icalproperty_new_duration(length));
	icalcomponent_add_property(
	    event, icalproperty_new_rrule(icalrecurrencetype_from_string(schedule->rule)));
	for (size_t i = 0; i < schedule->except.len; i++)
		icalcomponent_add_property(
		    event, with_tzid(icalproperty_new_exdate(
		                         local_start(schedule->except.items[i], schedule, zone)),
		                     tzid));
	for (size_t i = 0; i < schedule->extra.len; i++) {
		struct icaldatetimeperiodtype when = {0};
		when.time = local_start(schedule->extra.items[i], schedule, zone);
		when.period = icalperiodtype_null_period();
		icalcomponent_add_property(event, with_tzid(icalproperty_new_rdate(when), tzid));
	}
	const char *tag = chat->tags.len ? chat->tags.items[0] : chat->name;
	snprintf(text, sizeof text, "%s%s#%s chat", chat->title ? chat->title : "",
	         chat->title ? " — " : "", tag);
	icalcomponent_add_property(event,
	                           icalproperty_new_summary(chat->title ? chat->title : text));
	if (base_url) {
		snprintf(text, sizeof text, "%s%s/index.html", base_url, chat->name);
		icalcomponent_add_property(event, icalproperty_new_url(text));
	}
	strbuf_t words;
	strbuf_init(&words, 0);
	schedule_describe(schedule, &words);
	int len = snprintf(text, sizeof text, "A chat on the hashtag #%s: %s (%s), %d minutes.",
	                   tag, words.buf, tzid, schedule->minutes);
	strbuf_release(&words);
	if (base_url && len > 0 && (size_t)len < sizeof text)
		snprintf(text + len, sizeof text - (size_t)len,
		         " Transcripts of past sessions: %s%s/index.html", base_url, chat->name);
	icalcomponent_add_property(event, icalproperty_new_description(text));
	icalcomponent_add_property(event, icalproperty_new_categories(tag));

	/* One VTIMEZONE a zone, before the events that use it. */
	bool have = false;
	for (size_t i = 0; i < zones->len && !have; i++)
		have = !strcmp(zones->items[i], tzid);
	if (!have) {
		strlist_add(zones, tzid);
		/* The zone's rules from the series' start on: a calendar needs no
		 * observance of 1918 (and some readers choke on such). */
		icalcomponent *vtimezone =
		    icalcomponent_new_clone(icaltimezone_get_component(zone));
		struct icaltimetype from =
		    icaltime_convert_to_zone(start, icaltimezone_get_utc_timezone());
		from.year -= 1;
		icaltimezone_truncate_vtimezone(vtimezone, from, icaltime_null_time(), 0);
		merge_split_rules(vtimezone);
		icalproperty_set_tzid(
		    icalcomponent_get_first_property(vtimezone, ICAL_TZID_PROPERTY), tzid);
		icalcomponent_add_component(calendar, vtimezone);
	}
	icalcomponent_add_component(calendar, event);
	return CHATARC_OK;
}

chatarc_status_t calendar_write(const calendar_chat_t *chats, size_t n, const char *base_url,
                                strbuf_t *out, chatarc_error_t *err)
{
	icalcomponent *calendar = icalcomponent_new_vcalendar();
	icalcomponent_add_property(calendar, icalproperty_new_version("2.0"));
	icalcomponent_add_property(calendar,
	                           icalproperty_new_prodid("-//chatarc//chat schedules//EN"));
	icalcomponent_add_property(calendar, icalproperty_new_calscale("GREGORIAN"));
	strlist_t zones = {0};
	chatarc_status_t status = CHATARC_OK;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; status == CHATARC_OK && k < chats[i].chat->n_schedules; k++)
			status = add_event(calendar, &chats[i], k, base_url, &zones, err);
	if (status == CHATARC_OK) {
		char *text = icalcomponent_as_ical_string_r(calendar);
		strbuf_addstr(out, text ? text : "");
		free(text);
	}
	strlist_clear(&zones);
	icalcomponent_free(calendar);
	return status;
}
