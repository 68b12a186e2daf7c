/* Time parsing and formatting, including zones across DST changes. */
#include "../../common/timeutil.h"
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

const unit_test_t time_tests[] = {
    {"time: ISO 8601 forms and offsets", test_iso8601_forms},
    {"time: Twitter dates and snowflake ids", test_twitter_and_snowflake},
    {"time: local day bounds across DST in both hemispheres", test_day_bounds_across_dst},
    {NULL, NULL},
};
