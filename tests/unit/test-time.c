/* Time parsing and formatting, including zones across DST changes. */
#include "../../common/timeutil.h"
#include "../../common/tzfile.h"
#include "unit.h"

static chatarc_ms_t iso(const char *s)
{
	chatarc_ms_t ms = -1;
	CHECK(time_parse_iso8601(s, &ms));
	return ms;
}

static void test_iso8601_forms(void)
{
	char out[CHATARC_TIME_ISO_LEN];
	CHECK(iso("1970-01-01T00:00:00Z") == 0);
	CHECK(iso("2013-03-13") == 1363132800000LL);
	CHECK(iso("2013-03-13T17:00:00Z") == 1363194000000LL);
	/* An offset means local time: 13:00 in Toronto (EDT, -04:00) is 17:00Z. */
	CHECK(iso("2013-03-13T13:00:00-04:00") == 1363194000000LL);
	CHECK(iso("2013-03-13T13:00:00-0400") == 1363194000000LL);
	CHECK(iso("2025-05-19T17:10:09.561858Z") == iso("2025-05-19T17:10:09.561Z"));
	time_format_iso(iso("2025-05-19T17:10:09.561858+02:00"), out);
	CHECK_STR(out, "2025-05-19T15:10:09.561Z");
	chatarc_ms_t ignored;
	CHECK(!time_parse_iso8601("2013-02-29", &ignored));
	CHECK(!time_parse_iso8601("2013-03-13T25:00:00Z", &ignored));
	CHECK(!time_parse_iso8601("2013-03-13x", &ignored));
	CHECK(!time_parse_iso8601("13/03/2013", &ignored));
	CHECK(time_parse_iso8601("2024-02-29T23:59:59.999Z", &ignored));
	/* Only instants of 1970 to 9999 UTC, the archive's day files' range,
	 * once the offset is taken. */
	CHECK(!time_parse_iso8601("9999-12-31T23:59:59-14:00", &ignored));
	CHECK(!time_parse_iso8601("1970-01-01T00:00:00+01:00", &ignored));
	CHECK(time_parse_iso8601("9999-12-31T23:59:59.999Z", &ignored));
	CHECK(time_parse_iso8601("1970-01-01T00:00:00-01:00", &ignored));
	CHECK(!time_parse_twitter("Fri Dec 31 23:59:59 -1400 9999", &ignored));
}

static void test_twitter_and_snowflake(void)
{
	chatarc_ms_t ms;
	char out[CHATARC_TIME_ISO_LEN];
	CHECK(time_parse_twitter("Fri Jul 12 23:40:37 +0000 2019", &ms));
	time_format_iso(ms, out);
	CHECK_STR(out, "2019-07-12T23:40:37.000Z");
	CHECK(!time_parse_twitter("Fri Jxl 12 23:40:37 +0000 2019", &ms));
	/* From tweepy's recorded v2 search: the tweet's text is the time the
	 * test script posted it, 2022-10-07 22:42:12.637; the id was issued
	 * on the server a little after. */
	CHECK(time_from_snowflake("1578516068309794817", &ms));
	CHECK(ms >= iso("2022-10-07T22:42:12.637Z") && ms < iso("2022-10-07T22:42:13Z"));
	CHECK(!time_from_snowflake("12345", &ms)); /* before snowflakes */
	CHECK(!time_from_snowflake("12a", &ms));
}

static void test_day_bounds_across_dst(void)
{
	chatarc_ms_t start, end;
	chatarc_error_t err;
	/* Toronto leaves daylight time on 2026-11-01: a 25-hour day. */
	CHECK(time_local_day_bounds("America/Toronto", "2026-11-01", &start, &end, &err) ==
	      CHATARC_OK);
	CHECK(start == iso("2026-11-01T04:00:00Z"));
	CHECK(end - start == 25 * 3600000LL);
	/* Sydney enters daylight time on 2026-10-04: a 23-hour day. */
	CHECK(time_local_day_bounds("Australia/Sydney", "2026-10-04", &start, &end, &err) ==
	      CHATARC_OK);
	CHECK(start == iso("2026-10-03T14:00:00Z"));
	CHECK(end - start == 23 * 3600000LL);
	CHECK(time_local_day_bounds(NULL, "2026-10-04", &start, &end, &err) == CHATARC_OK);
	CHECK(start == iso("2026-10-04") && end - start == 86400000LL);
	CHECK(time_local_day_bounds("UTC", "2026-13-04", &start, &end, &err) == CHATARC_ERR_USAGE);
}

/* The TZif reader agrees with the C library (through TZ) at every hour of
 * 2025-2027 in three zones with DST rules on both hemispheres, and the
 * DST change in Toronto falls where it should. */
static void test_tzfile_against_libc(void)
{
	static const char *const zones[] = {"America/Toronto", "Europe/Berlin", "Australia/Sydney",
	                                    "Asia/Kolkata", "UTC"};
	chatarc_error_t err;
	for (size_t z = 0; z < sizeof zones / sizeof *zones; z++) {
		tz_zone_t *zone;
		CHECK(tz_zone_load(zones[z], &zone, &err) == CHATARC_OK);
		tz_scope_t scope;
		tz_scope_enter(&scope, zones[z]);
		long disagree = 0;
		for (chatarc_ms_t ms = iso("2025-01-01"); ms < iso("2028-01-01"); ms += 3600000) {
			char local[32];
			time_to_local(ms, local, NULL, NULL, NULL);
			/* "...T13:05:00-05:00": the offset is the last 6 characters. */
			size_t n = strlen(local);
			long offset = (local[n - 6] == '-' ? -1 : 1) *
			              ((local[n - 5] - '0') * 36000 + (local[n - 4] - '0') * 3600 +
			               (local[n - 2] - '0') * 600 + (local[n - 1] - '0') * 60);
			if (n < 25)
				offset = 0; /* "Z" */
			disagree += tz_zone_offset(zone, ms) != offset;
		}
		tz_scope_leave(&scope);
		CHECK(disagree == 0);
		tz_zone_free(zone);
	}
	tz_zone_t *toronto;
	CHECK(tz_zone_load("America/Toronto", &toronto, &err) == CHATARC_OK);
	CHECK(tz_zone_offset(toronto, iso("2026-03-08T06:59:59Z")) == -5 * 3600);
	CHECK(tz_zone_offset(toronto, iso("2026-03-08T07:00:00Z")) == -4 * 3600);
	tz_zone_free(toronto);
	CHECK(tz_zone_load("../../etc/passwd", &toronto, &err) == CHATARC_ERR_NOT_FOUND);
	CHECK(tz_zone_load("Nowhere/Atlantis", &toronto, &err) != CHATARC_OK);
}

const unit_test_t time_tests[] = {
    {"time: the TZif reader agrees with the C library, hour by hour", test_tzfile_against_libc},
    {"time: ISO 8601 forms and offsets", test_iso8601_forms},
    {"time: Twitter dates and snowflake ids", test_twitter_and_snowflake},
    {"time: local day bounds across DST in both hemispheres", test_day_bounds_across_dst},
    {NULL, NULL},
};
