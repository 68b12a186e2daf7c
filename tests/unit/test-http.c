/* The fetchers' retry policy and URL helpers (fetch/http.h). */
#include <stdlib.h>
#include <string.h>

#include "../../fetch/http.h"
#include "unit.h"

static long delay_for(long status, bool transport_ok, bool bad_body, int attempt)
{
	http_response_t r = {
	    .status = status, .transport_ok = transport_ok, .ratelimit_remaining = -1};
	unsigned seed = 7;
	return http_retry_delay(&r, bad_body, attempt, 1000, 8000, 1000000, &seed);
}

static void test_retry_policy(void)
{
	CHECK(delay_for(200, true, false, 1) == -1);
	/* Never a 4xx other than 408 and 429. */
	CHECK(delay_for(400, true, false, 1) == -1);
	CHECK(delay_for(401, true, false, 1) == -1);
	CHECK(delay_for(403, true, false, 1) == -1);
	CHECK(delay_for(404, true, false, 1) == -1);
	CHECK(delay_for(408, true, false, 1) >= 0);
	CHECK(delay_for(429, true, false, 1) >= 0);
	CHECK(delay_for(500, true, false, 1) >= 0);
	CHECK(delay_for(503, true, false, 1) >= 0);
	CHECK(delay_for(0, false, false, 1) >= 0); /* reset, timeout, refused */
	CHECK(delay_for(200, true, true, 1) >= 0); /* HTML or malformed JSON */
	/* Exponential, with jitter in [d/2, d], capped. */
	for (int attempt = 1; attempt <= 6; attempt++) {
		long d = 1000L << (attempt - 1);
		if (d > 8000)
			d = 8000;
		long got = delay_for(500, true, false, attempt);
		CHECK(got >= d / 2 && got <= d);
	}
	/* Retry-After (already absolute) wins for 429 and 503; a spent rate
	 * limit's reset for a 429 without it. */
	unsigned seed = 1;
	http_response_t r = {.status = 429,
	                     .transport_ok = true,
	                     .retry_after = 1000000 + 42000,
	                     .ratelimit_remaining = 0,
	                     .ratelimit_reset = 1000000 + 90000};
	CHECK(http_retry_delay(&r, false, 1, 1000, 8000, 1000000, &seed) == 42000);
	r.retry_after = 0;
	CHECK(http_retry_delay(&r, false, 1, 1000, 8000, 1000000, &seed) == 90000);
	r.status = 503;
	r.retry_after = 1000000 + 5000;
	CHECK(http_retry_delay(&r, false, 1, 1000, 8000, 1000000, &seed) == 5000);
}

/* Retry-After as a date far beyond any calendar (the fuzzer's): held at the
 * end of time, never an overflow (UBSan catches one in the sanitizer run). */
static void test_retry_after_far_date(void)
{
	http_request_t request = {0};
	request.url = "http://127.0.0.1:8080/";
	strbuf_init(&request.response.body, 0);
	const char *line = "Retry-After: 19 May t: 1747676784\r\n"; /* year 1747676784 */
	http_read_header(&request, line, strlen(line));
	CHECK(request.response.retry_after >= 0);
	CHECK(request.response.retry_after <= 253402300799LL * 1000);
	http_request_release(&request);
}

static void test_url_helpers(void)
{
	char *e = http_escape("#hcsm ä/?&");
	CHECK_STR(e, "%23hcsm%20%C3%A4%2F%3F%26");
	free(e);
	CHECK(http_same_origin("https://mastodon.social",
	                       "https://mastodon.social/api/v1/x?max_id=1"));
	CHECK(http_same_origin("http://127.0.0.1:8080/a", "http://127.0.0.1:8080/a/api?x"));
	CHECK(!http_same_origin("http://127.0.0.1:8080/a", "http://127.0.0.1:8081/a"));
	CHECK(
	    !http_same_origin("https://mastodon.social", "https://mastodon.social.evil.example/x"));
	CHECK(!http_same_origin("https://mastodon.social", "http://mastodon.social/x"));
	CHECK(!http_same_origin("https://mastodon.social", "file:///etc/passwd"));
}

const unit_test_t http_tests[] = {
    {"http: retry policy (which statuses, backoff, jitter, Retry-After)", test_retry_policy},
    {"http: a Retry-After date beyond any calendar is held, not overflowed",
     test_retry_after_far_date},
    {"http: query escaping and same-origin Links", test_url_helpers},
    {NULL, NULL},
};
