/* Fuzz harness: the HTTP header parsers (Link, Retry-After, rate limits,
 * Content-Type), one header line per input line, as a server sends them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../fetch/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	http_request_t request;
	memset(&request, 0, sizeof request);
	request.url = "http://127.0.0.1:8080/api/v1/timelines/tag/x?limit=40";
	strbuf_init(&request.response.body, 0);
	const char *p = (const char *)data, *end = p + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p + 1) : (size_t)(end - p);
		http_read_header(&request, p, len);
		p += len;
	}
	unsigned seed = 1;
	http_retry_delay(&request.response, false, 1, 1000, 60000, time_now_ms(), &seed);
	http_request_release(&request);
	return 0;
}
