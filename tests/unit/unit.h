/* A minimal unit test harness: each test is a function; CHECK records a
 * failure with its place and goes on; main prints "N passed, N failed". */
#ifndef CHATARC_UNIT_H
#define CHATARC_UNIT_H

#include <stdio.h>
#include <string.h>

extern int unit_failures_in_test;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
			unit_failures_in_test++;                                                   \
		}                                                                                  \
	} while (0)

#define CHECK_STR(got, want)                                                                       \
	do {                                                                                       \
		const char *got_ = (got), *want_ = (want);                                         \
		if (!got_ || !want_ || strcmp(got_, want_)) {                                      \
			fprintf(stderr, "  %s:%d: got \"%s\", want \"%s\"\n", __FILE__, __LINE__,  \
			        got_ ? got_ : "(null)", want_ ? want_ : "(null)");                 \
			unit_failures_in_test++;                                                   \
		}                                                                                  \
	} while (0)

typedef struct unit_test {
	const char *name;
	void (*fn)(void);
} unit_test_t;

/* Each test file defines a NULL-terminated table of its tests. */
extern const unit_test_t time_tests[], json_tests[], jsonstream_tests[], record_tests[],
    posts_tests[], archive_tests[], config_tests[], summary_tests[], http_tests[],
    csvstream_tests[], display_tests[], sse_tests[], jetstream_tests[];

/* A fresh empty directory under tests/tmp for a test, path in buf. */
void unit_tmpdir(char *buf, size_t size, const char *name);
/* The recorded fixtures (tests/fixtures, or $CHATARC_FIXTURES). */
const char *unit_fixtures(void);

#endif
