/* Runs every unit test table; prints one line per test and the totals. */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"

int unit_failures_in_test;

void unit_tmpdir(char *buf, size_t size, const char *name)
{
	char cmd[1024];
	snprintf(buf, size, "%s/unit-%s", getenv("TEST_TMP") ? getenv("TEST_TMP") : "tests/tmp",
	         name);
	snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", buf, buf);
	if (system(cmd) != 0)
		abort();
}

const char *unit_fixtures(void)
{
	const char *env = getenv("CHATARC_FIXTURES");
	return env ? env : "tests/fixtures";
}

int main(int argc, char **argv)
{
	const unit_test_t *tables[] = {
	    time_tests,    json_tests,   jsonstream_tests, record_tests, posts_tests,
	    archive_tests, config_tests, summary_tests,    http_tests,   csvstream_tests,
	    display_tests, sse_tests,    jetstream_tests,  NULL};
	int passed = 0, failed = 0;
	const char *only = argc > 1 ? argv[1] : NULL;

	for (const unit_test_t **table = tables; *table; table++) {
		for (const unit_test_t *t = *table; t->name; t++) {
			if (only && !strstr(t->name, only))
				continue;
			unit_failures_in_test = 0;
			t->fn();
			if (unit_failures_in_test) {
				printf("FAIL unit: %s\n", t->name);
				failed++;
			} else {
				printf("ok   unit: %s\n", t->name);
				passed++;
			}
		}
	}
	/* The marker tests/run looks for: the tables ran to their end. */
	printf("unit: %d passed, %d failed\ndone: unit-tests\n", passed, failed);
	return failed ? 1 : 0;
}
