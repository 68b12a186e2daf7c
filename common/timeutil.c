/* Date arithmetic without timegm() or TZ juggling for UTC: the civil-date
 * algorithm of H. Hinnant's "chrono-Compatible Low-Level Date Algorithms". */
#define _DEFAULT_SOURCE
#define _GNU_SOURCE /* tm_gmtoff */
#include "timeutil.h"

#include "alloc.h"
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t time_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static bool read_digits(const char **p, int count, int *out)
{
	int value = 0;
	for (int i = 0; i < count; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return false;
		value = value * 10 + ((*p)[i] - '0');
	}
	*p += count;
	*out = value;
	return true;
}

static bool valid_date(int y, int m, int d)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	return true;
}

/* The instants chatarc can keep: years 1970 to 9999 in UTC, the range of
 * the archive's YYYY/YYYY-MM-DD day files and of ISO 8601's four digits.
 * A local time inside it can fall outside once its offset is taken
 * ("9999-12-31T23:59:59-14:00" is in year 10000 UTC): refused here, once,
 * for every reader and writer. */
bool time_in_range(chatarc_ms_t ms)
{
	return ms >= 0 && ms < TIME_MAX_MS;
}

bool time_parse_iso8601(const char *s, chatarc_ms_t *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0, offset_min = 0;
	const char *p = s;

	if (!read_digits(&p, 4, &y) || *p++ != '-' || !read_digits(&p, 2, &mo) || *p++ != '-' ||
	    !read_digits(&p, 2, &d) || !valid_date(y, mo, d))
		return false;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (!read_digits(&p, 2, &h) || *p++ != ':' || !read_digits(&p, 2, &mi))
			return false;
		if (*p == ':') {
			p++;
			if (!read_digits(&p, 2, &sec))
				return false;
			if (*p == '.' || *p == ',') {
				int scale = 100;
				p++;
				if (!isdigit((unsigned char)*p))
					return false;
				for (; isdigit((unsigned char)*p); p++, scale /= 10)
					ms += (*p - '0') * scale;
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return false;
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
			if (!read_digits(&p, 2, &oh))
				return false;
			if (*p == ':')
				p++;
			if (isdigit((unsigned char)*p) && !read_digits(&p, 2, &om))
				return false;
			offset_min = sign * (oh * 60 + om);
		}
	}
	if (*p != '\0')
		return false;
	int64_t days = time_days_from_civil(y, (unsigned)mo, (unsigned)d);
	int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
	if (!time_in_range(secs * 1000 + ms))
		return false;
	*out = secs * 1000 + ms;
	return true;
}

bool time_parse_twitter(const char *s, chatarc_ms_t *out)
{
	static const char *months = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char mon[4];
	int d, h, mi, sec, y, consumed = 0;
	char sign;
	int oh, om;

	/* "%*3s" skips the weekday. */
	if (sscanf(s, "%*3s %3s %d %d:%d:%d %c%2d%2d %d%n", mon, &d, &h, &mi, &sec, &sign, &oh, &om,
	           &y, &consumed) != 9 ||
	    s[consumed] != '\0')
		return false;
	const char *found = strstr(months, mon);
	if (!found || (found - months) % 3 != 0 || strlen(mon) != 3)
		return false;
	int mo = (int)(found - months) / 3 + 1;
	if (!valid_date(y, mo, d) || h > 23 || mi > 59 || sec > 60 || (sign != '+' && sign != '-'))
		return false;
	int offset_min = (sign == '-' ? -1 : 1) * (oh * 60 + om);
	int64_t days = time_days_from_civil(y, (unsigned)mo, (unsigned)d);
	chatarc_ms_t ms = (days * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60) * 1000;
	if (!time_in_range(ms))
		return false;
	*out = ms;
	return true;
}

chatarc_ms_t time_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (chatarc_ms_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool time_from_snowflake(const char *id, chatarc_ms_t *out)
{
	/* Twitter's snowflake epoch; ids issued before snowflakes are far smaller. */
	const uint64_t twitter_epoch_ms = 1288834974657ULL;
	char *end;
	errno = 0;
	unsigned long long value = strtoull(id, &end, 10);
	if (errno || end == id || *end || value < (1ULL << 32))
		return false;
	*out = (chatarc_ms_t)((value >> 22) + twitter_epoch_ms);
	return true;
}

static void split_ms(chatarc_ms_t ms, int64_t *days, int64_t *sec_of_day, int *millis)
{
	int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	*millis = (int)(ms - secs * 1000);
	*days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	*sec_of_day = secs - *days * 86400;
}

/* Fixed-width digits by hand: this runs once per archived record. */
static char *put_digits(char *p, unsigned value, int width)
{
	for (int i = width - 1; i >= 0; i--, value /= 10)
		p[i] = (char)('0' + value % 10);
	return p + width;
}

static char *put_day(char *p, chatarc_ms_t ms, int64_t *sod, int *millis)
{
	int64_t days;
	int y;
	unsigned m, d;

	split_ms(ms, &days, sod, millis);
	civil_from_days(days, &y, &m, &d);
	p = put_digits(p, (unsigned)(y < 0 ? 0 : y % 10000), 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	return put_digits(p, d, 2);
}

void time_format_iso(chatarc_ms_t ms, char out[CHATARC_TIME_ISO_LEN])
{
	int64_t sod;
	int millis;
	char *p = put_day(out, ms, &sod, &millis);

	*p++ = 'T';
	p = put_digits(p, (unsigned)(sod / 3600), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)(sod / 60 % 60), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)(sod % 60), 2);
	*p++ = '.';
	p = put_digits(p, (unsigned)millis, 3);
	*p++ = 'Z';
	*p = '\0';
}

void time_format_day(chatarc_ms_t ms, char out[11])
{
	int64_t sod;
	int millis;
	*put_day(out, ms, &sod, &millis) = '\0';
}

void tz_scope_enter(tz_scope_t *scope, const char *tz)
{
	const char *old = getenv("TZ");
	scope->had = old != NULL;
	scope->saved = old ? xstrdup(old) : NULL;
	setenv("TZ", tz && *tz ? tz : "UTC", 1);
	tzset();
}

void tz_scope_leave(tz_scope_t *scope)
{
	if (scope->had)
		setenv("TZ", scope->saved, 1);
	else
		unsetenv("TZ");
	free(scope->saved);
	scope->saved = NULL;
	tzset();
}

bool time_local_to_utc(const char *day, int minute, chatarc_ms_t *out)
{
	int y, m, d;
	chatarc_ms_t ignored;
	if (strlen(day) != 10 || !time_parse_iso8601(day, &ignored) ||
	    sscanf(day, "%d-%d-%d", &y, &m, &d) != 3)
		return false;
	/* mktime normalises minutes past 59 into hours and days. */
	struct tm tm = {
	    .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_min = minute, .tm_isdst = -1};
	time_t t = mktime(&tm);
	if (t == (time_t)-1)
		return false;
	*out = (chatarc_ms_t)t * 1000;
	return true;
}

void time_to_local(chatarc_ms_t ms, char iso_out[32], char day_out[11], int *weekday, int *minute)
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	if (iso_out) {
		long off = tm.tm_gmtoff < 0 ? -tm.tm_gmtoff : tm.tm_gmtoff;
		size_t n = strftime(iso_out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
		char *p = iso_out + n;
		*p++ = tm.tm_gmtoff < 0 ? '-' : '+';
		p = put_digits(p, (unsigned)(off / 3600 % 100), 2);
		*p++ = ':';
		p = put_digits(p, (unsigned)(off / 60 % 60), 2);
		*p = '\0';
	}
	if (day_out)
		strftime(day_out, 11, "%Y-%m-%d", &tm);
	if (weekday)
		*weekday = tm.tm_wday;
	if (minute)
		*minute = tm.tm_hour * 60 + tm.tm_min;
}

chatarc_status_t time_local_day_bounds(const char *tz, const char *day, chatarc_ms_t *start,
                                       chatarc_ms_t *end, chatarc_error_t *err)
{
	chatarc_ms_t midnight;
	int y, m, d;

	if (strlen(day) != 10 || !time_parse_iso8601(day, &midnight) ||
	    sscanf(day, "%d-%d-%d", &y, &m, &d) != 3)
		return chatarc_error_set(err, CHATARC_ERR_USAGE, "'%s' is not a date (YYYY-MM-DD)",
		                         day);
	int64_t next = time_days_from_civil(y, (unsigned)m, (unsigned)d) + 1;
	if (!tz || !*tz || !strcmp(tz, "UTC") || next * 86400000 >= TIME_MAX_MS) {
		/* (the last day chatarc keeps ends where its range does: there is
		 * no year 10000 to convert from local time) */
		*start = midnight;
		*end = next * 86400000 < TIME_MAX_MS ? midnight + 86400000 : TIME_MAX_MS;
		return CHATARC_OK;
	}
	char next_day[11];
	time_format_day(next * 86400000, next_day);
	tz_scope_t scope;
	tz_scope_enter(&scope, tz);
	bool ok = time_local_to_utc(day, 0, start) && time_local_to_utc(next_day, 0, end);
	tz_scope_leave(&scope);
	if (!ok)
		return chatarc_error_set(err, CHATARC_ERR_USAGE, "'%s' is not a date in %s", day,
		                         tz);
	return CHATARC_OK;
}
