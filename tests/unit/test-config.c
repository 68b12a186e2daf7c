/* chatarc.conf: the template loads, and each mistake is placed by line. */
#include <stdlib.h>

#include "../../common/config.h"
#include "../../common/fsutil.h"
#include "unit.h"

static chatarc_status_t load_text(const char *text, chatarc_config_t *config, chatarc_error_t *err)
{
	char dir[512], path[600];
	unit_tmpdir(dir, sizeof dir, "config");
	snprintf(path, sizeof path, "%s/chatarc.conf", dir);
	CHECK(fs_replace_file(path, text, strlen(text), err) == CHATARC_OK);
	return config_load(path, config, schedule_rule_problem, err);
}

static void test_templates_load(void)
{
	chatarc_config_t config;
	chatarc_error_t err;
	strbuf_t text;
	strbuf_init(&text, 0);
	config_template(&text, false);
	CHECK(load_text(text.buf, &config, &err) == CHATARC_OK);
	CHECK(config.n_chats == 0);
	config_release(&config);
	strbuf_reset(&text);
	config_template(&text, true);
	CHECK(load_text(text.buf, &config, &err) == CHATARC_OK);
	const chatarc_chat_t *chat = config_find_chat(&config, "hcsmdemo");
	CHECK(chat && chat->n_schedules == 1 &&
	      !strcmp(chat->schedules[0].rule, "FREQ=WEEKLY;BYDAY=WE") &&
	      chat->schedules[0].start_minute == 13 * 60 && chat->schedules[0].minutes == 60);
	if (chat)
		CHECK_STR(chat->tz, "America/Toronto");
	config_release(&config);
	strbuf_release(&text);
}

static void expect_error(const char *text, const char *where, const char *what)
{
	chatarc_config_t config;
	chatarc_error_t err;
	CHECK(load_text(text, &config, &err) == CHATARC_ERR_CONFIG);
	if (!strstr(err.message, where) || !strstr(err.message, what))
		fprintf(stderr, "  message was: %s\n", err.message);
	CHECK(strstr(err.message, where) != NULL);
	CHECK(strstr(err.message, what) != NULL);
}

static void test_errors_name_line_and_expectation(void)
{
	/* A missing comma; a trailing one is allowed (T22). */
	expect_error("{\n  \"chats\": {\n    \"a\": {\"tags\": [\"x\"] \"tz\": \"UTC\"}\n  }\n}\n",
	             "chatarc.conf:3:", "not valid JSON");
	expect_error("// c\n{\"chats\": {\n  \"a\": {\n    \"tags\": \"hcsm\"\n  }\n}}\n",
	             "chatarc.conf:4: chats.a.tags", "expected an array of hashtags");
	expect_error(
	    "{\"chats\": {\"a\": {\"tags\": [\"x\"],\n \"schedule\": {\"weekday\": \"Wed\", "
	    "\"start\": \"1pm\", \"minutes\": 60, \"tz\": \"UTC\"}}}}",
	    ":2: chats.a.schedule.start", "HH:MM");
	expect_error("{\"chats\": {\"a\": {\"tags\": [\"x\"], \"schedule\": {\"weekday\": \"Wed\", "
	             "\"start\": \"13:00\", \"minutes\": 60,\n\n \"tz\": \"Mars/Olympus\"}}}}",
	             ":3: chats.a.schedule.tz", "IANA time zone");
	expect_error("{\"chats\": {\"../x\": {\"tags\": [\"x\"]}}}", "chats.../x", "chat name");
	expect_error("{\"chats\": {\"a\": {\"tags\": [\"x\"], \"sources\": [\"nowhere\"]}}}",
	             "chats.a.sources", "not a source defined");
	expect_error("{\"chats\": {},\n\"sourcs\": {}}", ":2: sourcs", "unknown setting");
	expect_error("{\"sources\": {\"m\": {\"type\": \"myspace\", \"url\": \"https://x\"}}}",
	             "sources.m.type", "mastodon");
	expect_error("[]", ":1:", "expected an object");
	expect_error("{\"chats\": {\"a\": {\"tags\": [\"x\"], \"tz\": \"Mars/Olympus\"}}}",
	             "chats.a.tz", "IANA time zone");
	expect_error("{\"chats\": {\"a\": {\"tags\": [\"x\"], \"tz\": \"Europe/Berlin\", "
	             "\"schedule\": {\"weekday\": \"Wed\", \"start\": \"13:00\", \"minutes\": 60, "
	             "\"tz\": \"UTC\"}}}}",
	             "chats.a", "differ");
}

/* A chat without a schedule names its zone beside its tags. */
static void test_chat_zone(void)
{
	chatarc_config_t config;
	chatarc_error_t err;
	CHECK(load_text("{\"chats\": {\"s\": {\"tags\": [\"x\"], \"tz\": \"Europe/Berlin\"},"
	                " \"u\": {\"tags\": [\"y\"]}}}",
	                &config, &err) == CHATARC_OK);
	const chatarc_chat_t *s = config_find_chat(&config, "s"),
	                     *u = config_find_chat(&config, "u");
	CHECK(s && !s->n_schedules);
	if (s && u) {
		CHECK_STR(s->tz, "Europe/Berlin");
		CHECK_STR(u->tz, "UTC");
	}
	config_release(&config);
}

const unit_test_t config_tests[] = {
    {"config: both templates load", test_templates_load},
    {"config: errors name file, line and what was expected", test_errors_name_line_and_expectation},
    {"config: a chat without a schedule names its zone", test_chat_zone},
    {NULL, NULL},
};
