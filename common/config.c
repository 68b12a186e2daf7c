/* Config loading in two passes over the same text: yajl's event parser maps
 * each key's path to its line (yajl trees do not keep positions), then the
 * tree is read and checked, and any complaint is placed at that line. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yajl/yajl_parse.h>

#include "alloc.h"
#include "fsutil.h"
#include "hash.h"
#include "json.h"
#include "tzfile.h"

struct key_line {
	char *path;
	long line;
};

struct line_map {
	const char *text;
	yajl_handle parser;
	struct key_line *keys;
	size_t len, alloc;
	char *stack[32]; /* key of each open map; for an array, "[i]" of its map i */
	bool is_array[32];
	int next_index[32]; /* an array's next map */
	/* The keys each open map has had so far, with their lines: a key given
	 * twice is refused (JSON readers disagree on which one wins). */
	strlist_t seen[32];
	long *seen_lines[32];
	size_t seen_alloc[32];
	int depth;
	char *duplicate;                           /* the first key given twice: its path, */
	long duplicate_line, duplicate_first_line; /* ... where, and where first */
};

static long line_at(const char *text, size_t offset)
{
	long line = 1;
	for (size_t i = 0; i < offset && text[i]; i++)
		line += text[i] == '\n';
	return line;
}

static void note_key(struct line_map *map, const char *key, const char *path, long line)
{
	int level = map->depth - 1;
	strlist_t *seen = &map->seen[level];
	for (size_t i = 0; i < seen->len; i++)
		if (!strcmp(seen->items[i], key)) {
			if (!map->duplicate) {
				map->duplicate = xstrdup(path);
				map->duplicate_line = line;
				map->duplicate_first_line = map->seen_lines[level][i];
			}
			return;
		}
	ALLOC_GROW(map->seen_lines[level], seen->len + 1, map->seen_alloc[level]);
	map->seen_lines[level][seen->len] = line;
	strlist_add(seen, key);
}

static int on_map_key(void *ctx, const unsigned char *key, size_t len)
{
	struct line_map *map = ctx;
	strbuf_t path;
	if (map->depth == 0 || map->depth > 32)
		return 1;
	free(map->stack[map->depth - 1]);
	map->stack[map->depth - 1] = xstrndup((const char *)key, len);
	strbuf_init(&path, 0);
	for (int i = 0; i < map->depth; i++) {
		if (!map->stack[i])
			continue;
		if (path.len && map->stack[i][0] != '[')
			strbuf_addch(&path, '.');
		strbuf_addstr(&path, map->stack[i]);
	}
	long line = line_at(map->text, yajl_get_bytes_consumed(map->parser));
	note_key(map, map->stack[map->depth - 1], path.buf, line);
	ALLOC_GROW(map->keys, map->len + 1, map->alloc);
	map->keys[map->len].path = strbuf_detach(&path, NULL);
	map->keys[map->len].line = line;
	map->len++;
	return 1;
}

static int on_open(void *ctx, bool is_map)
{
	struct line_map *map = ctx;
	/* A map inside an array is named by its place: "schedule[1].start". */
	int parent = map->depth - 1;
	if (is_map && parent >= 0 && parent < 32 && map->is_array[parent]) {
		char name[24];
		snprintf(name, sizeof name, "[%d]", map->next_index[parent]++);
		free(map->stack[parent]);
		map->stack[parent] = xstrdup(name);
	}
	if (map->depth < 32) {
		map->stack[map->depth] = NULL;
		map->is_array[map->depth] = !is_map;
		map->next_index[map->depth] = 0;
	}
	map->depth++;
	return 1;
}

static int on_start_map(void *ctx)
{
	return on_open(ctx, true);
}
static int on_start_array(void *ctx)
{
	return on_open(ctx, false);
}

static void forget_level(struct line_map *map, int level)
{
	free(map->stack[level]);
	map->stack[level] = NULL;
	strlist_clear(&map->seen[level]);
	free(map->seen_lines[level]);
	map->seen_lines[level] = NULL;
	map->seen_alloc[level] = 0;
}

static int on_close(void *ctx)
{
	struct line_map *map = ctx;
	map->depth--;
	if (map->depth < 32)
		forget_level(map, map->depth);
	return 1;
}

static const yajl_callbacks line_callbacks = {
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_map_key,
    .yajl_end_map = on_close,
    .yajl_start_array = on_start_array,
    .yajl_end_array = on_close,
};

static void line_map_release(struct line_map *map)
{
	for (size_t i = 0; i < map->len; i++)
		free(map->keys[i].path);
	free(map->keys);
	for (int i = 0; i < map->depth && i < 32; i++)
		forget_level(map, i);
	free(map->duplicate);
}

static long line_of(const struct line_map *map, const char *path)
{
	for (size_t i = 0; i < map->len; i++)
		if (!strcmp(map->keys[i].path, path))
			return map->keys[i].line;
	return 1;
}

struct checker {
	const char *file;
	const struct line_map *lines;
	config_rule_check_fn check_rule; /* NULL: rules taken unchecked */
	chatarc_error_t *err;
};

static CHATARC_MUST_CHECK chatarc_status_t complain(struct checker *c, const char *path,
                                                    const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static CHATARC_MUST_CHECK chatarc_status_t complain(struct checker *c, const char *path,
                                                    const char *fmt, ...)
{
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return chatarc_error_set(c->err, CHATARC_ERR_CONFIG, "%s:%ld: %s: %s", c->file,
	                         line_of(c->lines, path), path, what);
}

static CHATARC_MUST_CHECK chatarc_status_t check_keys(struct checker *c, yajl_val obj,
                                                      const char *path, const char *const *allowed)
{
	for (size_t i = 0; i < obj->u.object.len; i++) {
		const char *key = obj->u.object.keys[i];
		const char *const *a;
		for (a = allowed; *a && strcmp(*a, key); a++)
			;
		if (!*a) {
			strbuf_t sb, known;
			strbuf_init(&sb, 0);
			strbuf_init(&known, 0);
			strbuf_addf(&sb, "%s%s%s", path, *path ? "." : "", key);
			for (a = allowed; *a; a++)
				strbuf_addf(&known, "%s%s", known.len ? ", " : "", *a);
			chatarc_status_t rc =
			    complain(c, sb.buf, "unknown setting (expected one of: %s)", known.buf);
			strbuf_release(&sb);
			strbuf_release(&known);
			return rc;
		}
	}
	return CHATARC_OK;
}

static CHATARC_MUST_CHECK chatarc_status_t read_string_list(struct checker *c, yajl_val v,
                                                            const char *path, const char *what,
                                                            strlist_t *out)
{
	if (!YAJL_IS_ARRAY(v))
		return complain(c, path, "expected an array of %s", what);
	for (size_t i = 0; i < v->u.array.len; i++) {
		yajl_val item = v->u.array.values[i];
		if (!YAJL_IS_STRING(item) || !*item->u.string)
			return complain(c, path, "expected an array of %s; item %zu is not", what,
			                i + 1);
		strlist_add(out, item->u.string);
	}
	return CHATARC_OK;
}

static bool tz_exists(const char *tz)
{
	char path[512];
	struct stat st;
	if (!strcmp(tz, "UTC"))
		return true;
	if (strstr(tz, "..") || tz[0] == '/' || strlen(tz) > 200)
		return false;
	snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", tz);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* A list of dates (YYYY-MM-DD) at path, into out. */
static CHATARC_MUST_CHECK chatarc_status_t read_dates(struct checker *c, yajl_val v,
                                                      const char *path, strlist_t *out)
{
	chatarc_status_t rc = read_string_list(c, v, path, "dates (YYYY-MM-DD)", out);
	for (size_t i = 0; rc == CHATARC_OK && i < out->len; i++)
		if (!schedule_date_valid(out->items[i]))
			rc = complain(c, path, "'%s' is not a date (YYYY-MM-DD)", out->items[i]);
	return rc;
}

/* One schedule: {"weekday": "Wed"} or {"rrule": "FREQ=..."}, with start,
 * minutes, tz and the rest. Its zone is the chat's. */
static CHATARC_MUST_CHECK chatarc_status_t read_one_schedule(struct checker *c, yajl_val v,
                                                             const char *path, chatarc_chat_t *chat,
                                                             chatarc_schedule_t *schedule)
{
	static const char *const keys[] = {"weekday",       "rrule", "start",  "minutes", "tz",
	                                   "slack_minutes", "first", "except", "extra",   NULL};
	static const char *const days[] = {"SU", "MO", "TU", "WE", "TH", "FR", "SA"};
	static const char *const day_names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	char sub[600], rule[32];
	const char *problem;
	chatarc_status_t rc;

	if (!YAJL_IS_OBJECT(v))
		return complain(c, path,
		                "expected an object {rrule or weekday, start, minutes, tz}");
	if ((rc = check_keys(c, v, path, keys)))
		return rc;
	const char *weekday = json_get_string(v, "weekday");
	const char *rrule = json_get_string(v, "rrule");
	const char *first = json_get_string(v, "first");
	const char *start = json_get_string(v, "start");
	const char *tz = json_get_string(v, "tz");
	yajl_val minutes = json_get(v, "minutes");
	int h, m, n = -1;

	if (json_get(v, "weekday") && json_get(v, "rrule")) {
		snprintf(sub, sizeof sub, "%s.rrule", path);
		return complain(c, sub, "give \"weekday\" or \"rrule\", not both");
	}
	if (json_get(v, "rrule")) {
		snprintf(sub, sizeof sub, "%s.rrule", path);
		if (!rrule)
			return complain(c, sub,
			                "expected a recurrence rule such as "
			                "\"FREQ=MONTHLY;BYDAY=1FR\"");
		if (c->check_rule && (problem = c->check_rule(rrule, json_get(v, "first") != NULL)))
			return complain(c, sub, "%s", problem);
		schedule_init(schedule, rrule);
	} else {
		int day = -1;
		snprintf(sub, sizeof sub, "%s.weekday", path);
		for (int d = 0; weekday && d < 7; d++)
			if (!strncasecmp(weekday, day_names[d], 3))
				day = d;
		if (day < 0)
			return complain(c, sub,
			                "expected a day of the week (Mon, Tue, ... Sun), or an "
			                "\"rrule\" for chats that do not meet weekly");
		snprintf(rule, sizeof rule, "FREQ=WEEKLY;BYDAY=%s", days[day]);
		schedule_init(schedule, rule);
	}
	snprintf(sub, sizeof sub, "%s.first", path);
	if (json_get(v, "first") && !schedule_date_valid(first))
		return complain(c, sub, "expected the series' first date (YYYY-MM-DD)");
	record_set(&schedule->first, first);
	snprintf(sub, sizeof sub, "%s.except", path);
	if (json_get(v, "except") &&
	    (rc = read_dates(c, json_get(v, "except"), sub, &schedule->except)))
		return rc;
	snprintf(sub, sizeof sub, "%s.extra", path);
	if (json_get(v, "extra") &&
	    (rc = read_dates(c, json_get(v, "extra"), sub, &schedule->extra)))
		return rc;
	snprintf(sub, sizeof sub, "%s.start", path);
	if (!start || sscanf(start, "%d:%d%n", &h, &m, &n) != 2 || start[n] || h > 23 || m > 59 ||
	    h < 0 || m < 0)
		return complain(c, sub, "expected a local start time \"HH:MM\"");
	schedule->start_minute = h * 60 + m;
	snprintf(sub, sizeof sub, "%s.minutes", path);
	if (!YAJL_IS_INTEGER(minutes) || YAJL_GET_INTEGER(minutes) < 1 ||
	    YAJL_GET_INTEGER(minutes) > 24 * 60)
		return complain(c, sub, "expected the length in minutes (1 to 1440)");
	schedule->minutes = (int)YAJL_GET_INTEGER(minutes);
	snprintf(sub, sizeof sub, "%s.tz", path);
	if (!tz || !tz_exists(tz))
		return complain(c, sub,
		                "expected an IANA time zone such as \"America/Toronto\" "
		                "(is the tzdata package installed?)");
	if (chat->n_schedules > 1 && strcmp(tz, chat->tz))
		return complain(c, sub,
		                "a chat has one time zone (its pages and dates are in it): "
		                "\"%s\" here, \"%s\" before",
		                tz, chat->tz);
	record_set(&chat->tz, tz);
	yajl_val slack = json_get(v, "slack_minutes");
	snprintf(sub, sizeof sub, "%s.slack_minutes", path);
	if (slack && (!YAJL_IS_INTEGER(slack) || YAJL_GET_INTEGER(slack) < 0 ||
	              YAJL_GET_INTEGER(slack) > 12 * 60))
		return complain(c, sub, "expected minutes taken before and after (0 to 720)");
	schedule->slack_minutes = slack ? (int)YAJL_GET_INTEGER(slack) : 15;
	return CHATARC_OK;
}

/* "labels": {"question": ["Q", "T", "F"], "answer": ["A", "R"]}. */
static CHATARC_MUST_CHECK chatarc_status_t read_labels(struct checker *c, yajl_val v,
                                                       const char *path, chatarc_chat_t *chat)
{
	static const char *const keys[] = {"question", "answer", NULL};
	static const char *const names[] = {"question", "answer"};
	strlist_t *lists[] = {&chat->question_labels, &chat->answer_labels};
	chatarc_status_t rc;
	if (!YAJL_IS_OBJECT(v))
		return complain(c, path,
		                "expected {\"question\": [\"Q\", \"T\"], \"answer\": [\"A\"]}");
	if ((rc = check_keys(c, v, path, keys)))
		return rc;
	for (int k = 0; k < 2; k++) {
		char sub[600];
		yajl_val list = json_get(v, names[k]);
		snprintf(sub, sizeof sub, "%s.%s", path, names[k]);
		if (!list)
			continue;
		if ((rc = read_string_list(c, list, sub, "labels", lists[k])))
			return rc;
		for (size_t i = 0; i < lists[k]->len; i++) {
			char *label = lists[k]->items[i];
			bool letters = *label && strlen(label) <= 12;
			for (char *p = label; letters && *p; p++) {
				letters = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
				if (*p >= 'a' && *p <= 'z')
					*p = (char)(*p - 'a' + 'A');
			}
			if (!letters)
				return complain(c, sub,
				                "'%s': a label is a letter or a word (A-Z, at most "
				                "12), written before the number",
				                label);
		}
		if (lists[k]->len == 0)
			return complain(c, sub, "expected at least one label");
	}
	return CHATARC_OK;
}

/* "schedule": one schedule, or a list of them (a chat that alternates). */
static CHATARC_MUST_CHECK chatarc_status_t read_schedule(struct checker *c, yajl_val v,
                                                         const char *path, chatarc_chat_t *chat)
{
	size_t n = YAJL_IS_ARRAY(v) ? v->u.array.len : 1;
	if (YAJL_IS_ARRAY(v) && n == 0)
		return complain(c, path, "expected a schedule, or a list of at least one");
	chat->schedules = xcalloc(n, sizeof *chat->schedules);
	for (size_t i = 0; i < n; i++) {
		char sub[512];
		if (YAJL_IS_ARRAY(v))
			snprintf(sub, sizeof sub, "%s[%zu]", path, i);
		else
			snprintf(sub, sizeof sub, "%s", path);
		chat->n_schedules = i + 1;
		chatarc_status_t rc = read_one_schedule(
		    c, YAJL_IS_ARRAY(v) ? v->u.array.values[i] : v, sub, chat, &chat->schedules[i]);
		if (rc != CHATARC_OK)
			return rc;
	}
	return CHATARC_OK;
}

static CHATARC_MUST_CHECK chatarc_status_t read_chat(struct checker *c, const char *name,
                                                     yajl_val v, chatarc_chat_t *chat)
{
	static const char *const keys[] = {
	    "title",         "tags", "schedule", "moderators", "sources",
	    "allow_noindex", "tz",   "hide",     "labels",     NULL};
	char path[256], sub[400];
	chatarc_status_t rc;

	snprintf(path, sizeof path, "chats.%s", name);
	record_set(&chat->name, name);
	record_set(&chat->tz, "UTC");
	if (!fs_name_valid(name))
		return complain(c, path, "a chat name may hold letters, digits, '_', '-' and '.'");
	if (!YAJL_IS_OBJECT(v))
		return complain(c, path, "expected an object describing the chat");
	if ((rc = check_keys(c, v, path, keys)))
		return rc;
	snprintf(sub, sizeof sub, "%s.tags", path);
	yajl_val tags = json_get(v, "tags");
	strlist_t raw_tags = {0};
	if (!tags || (rc = read_string_list(c, tags, sub, "hashtags", &raw_tags)) ||
	    raw_tags.len == 0) {
		strlist_clear(&raw_tags);
		return rc ? rc
		          : complain(c, tags ? sub : path, "expected \"tags\": [\"hashtag\", ...]");
	}
	for (size_t i = 0; i < raw_tags.len; i++) {
		char *tag = raw_tags.items[i] + (raw_tags.items[i][0] == '#');
		for (char *p = tag; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		strlist_add_unique(&chat->tags, tag);
	}
	strlist_clear(&raw_tags);
	record_set(&chat->title, json_get_string(v, "title"));
	snprintf(sub, sizeof sub, "%s.moderators", path);
	if (json_get(v, "moderators") && (rc = read_string_list(c, json_get(v, "moderators"), sub,
	                                                        "accounts", &chat->moderators)))
		return rc;
	snprintf(sub, sizeof sub, "%s.sources", path);
	if (json_get(v, "sources") &&
	    (rc = read_string_list(c, json_get(v, "sources"), sub, "source names", &chat->sources)))
		return rc;
	/* A chat without a schedule still has a zone its pages and dates
	 * are in; with one, the schedule's zone. */
	const char *tz = json_get_string(v, "tz");
	snprintf(sub, sizeof sub, "%s.tz", path);
	if (json_get(v, "tz") && (!tz || !tz_exists(tz)))
		return complain(c, sub, "expected an IANA time zone such as \"Europe/Berlin\"");
	if (tz)
		record_set(&chat->tz, tz);
	snprintf(sub, sizeof sub, "%s.schedule", path);
	if (json_get(v, "schedule") && (rc = read_schedule(c, json_get(v, "schedule"), sub, chat)))
		return rc;
	snprintf(sub, sizeof sub, "%s.labels", path);
	if (json_get(v, "labels") && (rc = read_labels(c, json_get(v, "labels"), sub, chat)))
		return rc;
	if (tz && chat->n_schedules && strcmp(tz, chat->tz))
		return complain(c, path, "\"tz\" and \"schedule\".tz differ: give the zone once");
	yajl_val noindex = json_get(v, "allow_noindex");
	snprintf(sub, sizeof sub, "%s.allow_noindex", path);
	if (noindex && !YAJL_IS_TRUE(noindex) && !YAJL_IS_FALSE(noindex))
		return complain(c, sub, "expected true or false");
	chat->allow_noindex = YAJL_IS_TRUE(noindex);
	snprintf(sub, sizeof sub, "%s.hide", path);
	if (json_get(v, "hide") && (rc = read_string_list(c, json_get(v, "hide"), sub,
	                                                  "accounts, uris or urls", &chat->hide)))
		return rc;
	return CHATARC_OK;
}

static CHATARC_MUST_CHECK chatarc_status_t read_source(struct checker *c, const char *name,
                                                       yajl_val v, chatarc_source_t *source)
{
	static const char *const keys[] = {
	    "type",         "url",           "token_env", "token_file", "identifier",
	    "password_env", "password_file", "pds",       "stream",     NULL};
	char path[256], sub[400];
	chatarc_status_t rc;

	snprintf(path, sizeof path, "sources.%s", name);
	record_set(&source->name, name);
	if (!fs_name_valid(name))
		return complain(c, path,
		                "a source name may hold letters, digits, '_', '-' and '.'");
	if (!YAJL_IS_OBJECT(v))
		return complain(c, path, "expected an object {type, url}");
	if ((rc = check_keys(c, v, path, keys)))
		return rc;
	const char *type = json_get_string(v, "type");
	const char *url = json_get_string(v, "url");
	snprintf(sub, sizeof sub, "%s.type", path);
	if (!type || (strcmp(type, "mastodon") && strcmp(type, "bluesky")))
		return complain(c, json_get(v, "type") ? sub : path,
		                "expected \"type\": \"mastodon\" or \"bluesky\"");
	snprintf(sub, sizeof sub, "%s.url", path);
	if (!url || (strncmp(url, "https://", 8) && strncmp(url, "http://", 7)))
		return complain(c, json_get(v, "url") ? sub : path,
		                "expected \"url\": \"https://server\"");
	record_set(&source->type, type);
	record_set(&source->url, url);
	static const char *const text_keys[] = {"token_env",    "token_file",    "identifier",
	                                        "password_env", "password_file", "pds"};
	char **const text_fields[] = {&source->token.env,     &source->token.file,
	                              &source->identifier,    &source->password.env,
	                              &source->password.file, &source->pds};
	for (size_t i = 0; i < sizeof text_keys / sizeof *text_keys; i++) {
		yajl_val field = json_get(v, text_keys[i]);
		snprintf(sub, sizeof sub, "%s.%s", path, text_keys[i]);
		if (field && (!YAJL_IS_STRING(field) || !*field->u.string))
			return complain(c, sub, "expected a non-empty string");
		record_set(text_fields[i], json_get_string(v, text_keys[i]));
	}
	bool mastodon = !strcmp(type, "mastodon");
	snprintf(sub, sizeof sub, "%s.%s", path, mastodon ? "identifier" : "token_env");
	if (mastodon &&
	    (source->identifier || source->password.env || source->password.file || source->pds))
		return complain(c, path,
		                "a Mastodon source signs in with \"token_env\" or \"token_file\" "
		                "(an access token with read:statuses)");
	if (!mastodon && (source->token.env || source->token.file))
		return complain(
		    c, path,
		    "a Bluesky source signs in with \"identifier\" and \"password_env\" "
		    "or \"password_file\" (an app password)");
	if (!mastodon && !source->identifier != !(source->password.env || source->password.file))
		return complain(c, path,
		                "\"identifier\" and \"password_env\" (or \"password_file\") go "
		                "together");
	snprintf(sub, sizeof sub, "%s.pds", path);
	if (source->pds && strncmp(source->pds, "https://", 8) &&
	    strncmp(source->pds, "http://", 7))
		return complain(c, sub, "expected \"pds\": \"https://server\"");
	yajl_val stream = json_get(v, "stream");
	snprintf(sub, sizeof sub, "%s.stream", path);
	if (stream && YAJL_IS_FALSE(stream)) {
		source->no_stream = true;
	} else if (stream) {
		const char *u = YAJL_IS_STRING(stream) ? stream->u.string : "";
		bool ok = mastodon ? !strncmp(u, "https://", 8) || !strncmp(u, "http://", 7)
		                   : !strncmp(u, "wss://", 6) || !strncmp(u, "ws://", 5);
		if (!ok)
			return complain(c, sub,
			                mastodon
			                    ? "expected \"stream\": \"https://streaming.server\" "
			                      "or false"
			                    : "expected \"stream\": \"wss://jetstream.server\" or "
			                      "false");
		record_set(&source->stream, u);
	}
	return CHATARC_OK;
}

static CHATARC_MUST_CHECK chatarc_status_t read_fetch_settings(struct checker *c, yajl_val v,
                                                               chatarc_fetch_settings_t *fetch)
{
	static const struct {
		const char *key;
		long long min, max;
		size_t offset;
	} knobs[] = {
	    {"follow_interval", 1, 86400, offsetof(chatarc_fetch_settings_t, follow_interval_s)},
	    {"connect_timeout", 1, 600, offsetof(chatarc_fetch_settings_t, connect_timeout_s)},
	    {"stall_timeout", 1, 3600, offsetof(chatarc_fetch_settings_t, stall_timeout_s)},
	    {"request_timeout", 1, 3600, offsetof(chatarc_fetch_settings_t, request_timeout_s)},
	    {"max_pages", 1, 1000000, offsetof(chatarc_fetch_settings_t, max_pages)},
	    {"retries", 0, 100, offsetof(chatarc_fetch_settings_t, retries)},
	    {"backoff_base_ms", 1, 600000, offsetof(chatarc_fetch_settings_t, backoff_base_ms)},
	    {"backoff_max_ms", 1, 3600000, offsetof(chatarc_fetch_settings_t, backoff_max_ms)},
	    {"max_wait", 0, 86400, offsetof(chatarc_fetch_settings_t, max_wait_s)},
	    {"recheck_days", 0, 3650, offsetof(chatarc_fetch_settings_t, recheck_days)},
	    {"recheck_every", 0, 8760, offsetof(chatarc_fetch_settings_t, recheck_every_h)},
	    {"stream_silence", 1, 3600, offsetof(chatarc_fetch_settings_t, stream_silence_s)},
	};
	const char *keys[sizeof knobs / sizeof *knobs + 1];
	char sub[128];
	chatarc_status_t rc;
	for (size_t i = 0; i < sizeof knobs / sizeof *knobs; i++)
		keys[i] = knobs[i].key;
	keys[sizeof knobs / sizeof *knobs] = NULL;
	if (!YAJL_IS_OBJECT(v))
		return complain(c, "fetch", "expected an object of fetch settings");
	if ((rc = check_keys(c, v, "fetch", keys)))
		return rc;
	for (size_t i = 0; i < sizeof knobs / sizeof *knobs; i++) {
		yajl_val n = json_get(v, knobs[i].key);
		if (!n)
			continue;
		snprintf(sub, sizeof sub, "fetch.%s", knobs[i].key);
		if (!YAJL_IS_INTEGER(n) || YAJL_GET_INTEGER(n) < knobs[i].min ||
		    YAJL_GET_INTEGER(n) > knobs[i].max)
			return complain(c, sub, "expected a whole number from %lld to %lld",
			                knobs[i].min, knobs[i].max);
		*(int *)((char *)fetch + knobs[i].offset) = (int)YAJL_GET_INTEGER(n);
	}
	return CHATARC_OK;
}

/* "site": {"title", "base_url"}: what the published site calls itself and
 * where it is served (feeds and recap posts then carry absolute links). */
static CHATARC_MUST_CHECK chatarc_status_t read_site(struct checker *c, yajl_val v,
                                                     chatarc_config_t *config)
{
	static const char *const keys[] = {"title", "base_url", "people", NULL};
	chatarc_status_t rc;
	if (!YAJL_IS_OBJECT(v))
		return complain(c, "site",
		                "expected an object {\"title\", \"base_url\", \"people\"}");
	if ((rc = check_keys(c, v, "site", keys)))
		return rc;
	yajl_val title = json_get(v, "title"), base = json_get(v, "base_url");
	yajl_val people = json_get(v, "people");
	if (title && !YAJL_IS_STRING(title))
		return complain(c, "site.title", "expected a string");
	if (people && !YAJL_IS_TRUE(people) && !YAJL_IS_FALSE(people))
		return complain(c, "site.people", "expected true or false");
	config->site_people = people && YAJL_IS_TRUE(people);
	const char *url = base ? json_get_string(v, "base_url") : NULL;
	if (base && (!url || (strncmp(url, "https://", 8) && strncmp(url, "http://", 7)) ||
	             strpbrk(url, " \"<>\\") || strlen(url) > 1000))
		return complain(
		    c, "site.base_url",
		    "expected the site's address, https://... (where DIR/site is served)");
	record_set(&config->site_title, title ? YAJL_GET_STRING(title) : NULL);
	if (url) {
		/* Kept with one trailing slash: links are base_url + page. */
		size_t len = strlen(url);
		while (len && url[len - 1] == '/')
			len--;
		config->site_base_url = xmalloc(len + 2);
		memcpy(config->site_base_url, url, len);
		memcpy(config->site_base_url + len, "/", 2);
	}
	return CHATARC_OK;
}

/* Accounts as compared: without a leading '@', lower-case. */
static char *account_key(const char *account)
{
	char *key = xstrdup(account + (account[0] == '@'));
	for (char *p = key; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return key;
}

/* "people": {"Maya Chen": ["maya@toot.example", "maya.bsky.social"], ...};
 * an account belongs to one person. */
static CHATARC_MUST_CHECK chatarc_status_t read_people(struct checker *c, yajl_val v,
                                                       chatarc_people_t *people)
{
	if (!YAJL_IS_OBJECT(v))
		return complain(c, "people",
		                "expected an object of people, each a list of their accounts");
	people->person_of = xcalloc(1, sizeof *people->person_of);
	people->first_of = xcalloc(v->u.object.len + 1, sizeof *people->first_of);
	size_t alloc = 1;
	for (size_t i = 0; i < v->u.object.len; i++) {
		char path[300];
		strlist_t accounts = {0};
		snprintf(path, sizeof path, "people.%s", v->u.object.keys[i]);
		chatarc_status_t rc = read_string_list(
		    c, v->u.object.values[i], path, "accounts (user@server, handles)", &accounts);
		if (!rc && !accounts.len)
			rc = complain(c, path, "expected at least one account");
		for (size_t k = 0; !rc && k < accounts.len; k++) {
			char *key = account_key(accounts.items[k]);
			for (size_t a = 0; !rc && a < people->accounts.len; a++)
				if (!strcmp(people->accounts.items[a], key))
					rc = complain(c, path, "%s is already %s's",
					              accounts.items[k],
					              people->names.items[people->person_of[a]]);
			if (!rc) {
				if (k == 0)
					people->first_of[people->names.len] = people->accounts.len;
				ALLOC_GROW(people->person_of, people->accounts.len + 1, alloc);
				people->person_of[people->accounts.len] = people->names.len;
				strlist_add(&people->accounts, key);
			}
			free(key);
		}
		strlist_clear(&accounts);
		if (rc)
			return rc;
		strlist_add(&people->names, v->u.object.keys[i]);
	}
	return CHATARC_OK;
}

const char *config_person(const chatarc_chat_t *chat, const char *author, const char **name)
{
	const chatarc_people_t *people = chat ? chat->people : NULL;
	if (name)
		*name = NULL;
	if (!author || !people)
		return author;
	const char *bare = author + (author[0] == '@');
	for (size_t a = 0; a < people->accounts.len; a++)
		if (!strcasecmp(people->accounts.items[a], bare)) {
			size_t person = people->person_of[a];
			if (name)
				*name = people->names.items[person];
			return people->accounts.items[people->first_of[person]];
		}
	return author;
}

static CHATARC_MUST_CHECK chatarc_status_t check_config(struct checker *c, yajl_val root,
                                                        chatarc_config_t *config)
{
	static const char *const keys[] = {"chats", "sources", "index_shards", "fetch",
	                                   "hide",  "site",    "people",       NULL};
	strlist_t hide = {0};
	chatarc_status_t rc;

	if (!YAJL_IS_OBJECT(root))
		return chatarc_error_set(
		    c->err, CHATARC_ERR_CONFIG,
		    "%s:1: expected an object {\"chats\": ..., \"sources\": ...}", c->file);
	if ((rc = check_keys(c, root, "", keys)))
		return rc;
	config->fetch = (chatarc_fetch_settings_t){.follow_interval_s = 30,
	                                           .connect_timeout_s = 10,
	                                           .stall_timeout_s = 30,
	                                           .request_timeout_s = 300,
	                                           .max_pages = 1000,
	                                           .retries = 5,
	                                           .backoff_base_ms = 1000,
	                                           .backoff_max_ms = 60000,
	                                           .max_wait_s = 900,
	                                           .recheck_days = 14,
	                                           .recheck_every_h = 6,
	                                           .stream_silence_s = 60};
	if (json_get(root, "fetch") &&
	    (rc = read_fetch_settings(c, json_get(root, "fetch"), &config->fetch)))
		return rc;
	if (json_get(root, "site") && (rc = read_site(c, json_get(root, "site"), config)))
		return rc;
	config->people = xcalloc(1, sizeof *config->people);
	if (json_get(root, "people") &&
	    (rc = read_people(c, json_get(root, "people"), config->people)))
		return rc;
	yajl_val shards = json_get(root, "index_shards");
	if (shards &&
	    (rc = read_string_list(c, shards, "index_shards", "index paths or \"tcp:HOST:PORT\"",
	                           &config->index_shards)))
		return rc;
	yajl_val sources = json_get(root, "sources");
	if (sources && !YAJL_IS_OBJECT(sources))
		return complain(c, "sources", "expected an object of named sources");
	if (sources) {
		config->sources = xcalloc(sources->u.object.len + 1, sizeof *config->sources);
		for (size_t i = 0; i < sources->u.object.len; i++) {
			chatarc_source_t *source = &config->sources[config->n_sources++];
			if ((rc = read_source(c, sources->u.object.keys[i],
			                      sources->u.object.values[i], source)))
				return rc;
		}
	}
	if (json_get(root, "hide") && (rc = read_string_list(c, json_get(root, "hide"), "hide",
	                                                     "accounts, uris or urls", &hide)))
		return rc;
	yajl_val chats = json_get(root, "chats");
	if (chats && !YAJL_IS_OBJECT(chats))
		rc = complain(c, "chats", "expected an object of named chats");
	if (!chats || rc) {
		strlist_clear(&hide);
		return rc;
	}
	config->chats = xcalloc(chats->u.object.len + 1, sizeof *config->chats);
	for (size_t i = 0; i < chats->u.object.len; i++) {
		chatarc_chat_t *chat = &config->chats[config->n_chats++];
		chat->people = config->people;
		if ((rc = read_chat(c, chats->u.object.keys[i], chats->u.object.values[i], chat)))
			break;
		for (size_t k = 0; k < hide.len; k++)
			strlist_add_unique(&chat->hide, hide.items[k]);
		for (size_t k = 0; k < chat->sources.len; k++) {
			size_t s;
			for (s = 0; s < config->n_sources; s++)
				if (!strcmp(config->sources[s].name, chat->sources.items[k]))
					break;
			if (s == config->n_sources) {
				char path[300];
				snprintf(path, sizeof path, "chats.%s.sources", chat->name);
				rc = complain(c, path,
				              "\"%s\" is not a source defined under \"sources\"",
				              chat->sources.items[k]);
			}
		}
		if (rc)
			break;
	}
	strlist_clear(&hide);
	return rc;
}

/* Accounts compare without a leading '@' and in any letter case. */
static bool same_account(const char *listed, const char *author)
{
	listed += listed[0] == '@';
	author += author[0] == '@';
	return !strcasecmp(listed, author);
}

bool config_chat_hides_author(const chatarc_chat_t *chat, const char *author)
{
	for (size_t i = 0; author && i < chat->hide.len; i++)
		if (!strstr(chat->hide.items[i], "://") &&
		    same_account(chat->hide.items[i], author))
			return true;
	return false;
}

bool config_chat_hides(const chatarc_chat_t *chat, const chatarc_record_t *record)
{
	for (size_t i = 0; i < chat->hide.len; i++) {
		const char *item = chat->hide.items[i];
		if (strstr(item, "://") ? (record->uri && !strcmp(item, record->uri)) ||
		                              (record->url && !strcmp(item, record->url))
		                        : record->author && same_account(item, record->author))
			return true;
	}
	return false;
}

static CHATARC_MUST_CHECK chatarc_status_t read_text(const char *path, strbuf_t *text,
                                                     chatarc_error_t *err)
{
	chatarc_status_t status = fs_read_file(path, text, 0, err);
	if (status == CHATARC_ERR_NOT_FOUND)
		return chatarc_error_set(err, CHATARC_ERR_NOT_FOUND,
		                         "%s: no configuration here (run `chatarc init` first)",
		                         path);
	return status;
}

/* A comma with nothing but blanks and comments before the '}' or ']'
 * that closes its list is taken out (made a space, so every byte keeps its
 * line): people add an entry above the template's commented example and
 * leave one, and JSON's error would point at the next key, lines below. */
static void blank_trailing_commas(char *text, size_t len)
{
	char *comma = NULL;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == '"') {
			for (i++; i < len && text[i] != '"'; i++)
				i += text[i] == '\\';
			comma = NULL;
		} else if (c == '/' && i + 1 < len && text[i + 1] == '/') {
			while (i < len && text[i] != '\n')
				i++;
		} else if (c == '/' && i + 1 < len && text[i + 1] == '*') {
			for (i += 2; i + 1 < len && !(text[i] == '*' && text[i + 1] == '/'); i++)
				;
			i++;
		} else if (c == ',') {
			comma = text + i;
		} else if ((c == '}' || c == ']') && comma) {
			*comma = ' ';
			comma = NULL;
		} else if (!strchr(" \t\r\n", c)) {
			comma = NULL;
		}
	}
}

chatarc_status_t config_load(const char *path, chatarc_config_t *config,
                             config_rule_check_fn check_rule, chatarc_error_t *err)
{
	strbuf_t text;
	struct line_map lines = {0};
	chatarc_status_t status;
	yajl_val root = NULL;

	memset(config, 0, sizeof *config);
	config->path = xstrdup(path);
	strbuf_init(&text, 0);
	status = read_text(path, &text, err);
	if (status != CHATARC_OK)
		goto out;
	config->text_hash = fnv1a(FNV1A_START, text.buf, text.len);
	blank_trailing_commas(text.buf, text.len);

	lines.text = text.buf;
	lines.parser = yajl_alloc(&line_callbacks, NULL, &lines);
	yajl_config(lines.parser, yajl_allow_comments, 1);
	if (yajl_parse(lines.parser, (const unsigned char *)text.buf, text.len) != yajl_status_ok ||
	    yajl_complete_parse(lines.parser) != yajl_status_ok) {
		size_t at = yajl_get_bytes_consumed(lines.parser);
		unsigned char *why = yajl_get_error(lines.parser, 0, NULL, 0);
		char *newline = strchr((char *)why, '\n');
		if (newline)
			*newline = '\0';
		status =
		    chatarc_error_set(err, CHATARC_ERR_CONFIG,
		                      "%s:%ld: not valid JSON (%s); expected JSON (// comments and "
		                      "trailing commas allowed)",
		                      path, line_at(text.buf, at ? at : text.len), (char *)why);
		yajl_free_error(lines.parser, why);
		goto out;
	}
	if (lines.duplicate) {
		status = chatarc_error_set(err, CHATARC_ERR_CONFIG,
		                           "%s:%ld: %s is given twice (first on line %ld); JSON "
		                           "readers disagree on which one counts: keep one",
		                           path, lines.duplicate_line, lines.duplicate,
		                           lines.duplicate_first_line);
		goto out;
	}
	chatarc_error_t ignored;
	if (json_parse_len(text.buf, text.len, &root, &ignored) != CHATARC_OK) {
		status = chatarc_error_set(err, CHATARC_ERR_CONFIG, "%s: not valid JSON", path);
		goto out;
	}
	struct checker checker = {
	    .file = path, .lines = &lines, .check_rule = check_rule, .err = err};
	status = check_config(&checker, root, config);
out:
	if (lines.parser)
		yajl_free(lines.parser);
	line_map_release(&lines);
	json_free(root);
	strbuf_release(&text);
	if (status != CHATARC_OK)
		config_release(config);
	return status;
}

void config_release(chatarc_config_t *config)
{
	if (config->people) {
		strlist_clear(&config->people->names);
		strlist_clear(&config->people->accounts);
		free(config->people->person_of);
		free(config->people->first_of);
		free(config->people);
	}
	free(config->site_title);
	free(config->site_base_url);
	for (size_t i = 0; i < config->n_chats; i++) {
		chatarc_chat_t *chat = &config->chats[i];
		free(chat->name);
		free(chat->title);
		free(chat->tz);
		for (size_t k = 0; k < chat->n_schedules; k++)
			schedule_release(&chat->schedules[k]);
		free(chat->schedules);
		strlist_clear(&chat->question_labels);
		strlist_clear(&chat->answer_labels);
		strlist_clear(&chat->tags);
		strlist_clear(&chat->moderators);
		strlist_clear(&chat->hide);
		strlist_clear(&chat->sources);
	}
	for (size_t i = 0; i < config->n_sources; i++) {
		free(config->sources[i].name);
		free(config->sources[i].type);
		free(config->sources[i].url);
		free(config->sources[i].token.env);
		free(config->sources[i].token.file);
		free(config->sources[i].identifier);
		free(config->sources[i].password.env);
		free(config->sources[i].password.file);
		free(config->sources[i].pds);
		free(config->sources[i].stream);
	}
	free(config->chats);
	free(config->sources);
	strlist_clear(&config->index_shards);
	free(config->path);
	memset(config, 0, sizeof *config);
}

const chatarc_source_t *config_find_source(const chatarc_config_t *config, const char *name)
{
	for (size_t i = 0; i < config->n_sources; i++)
		if (!strcmp(config->sources[i].name, name))
			return &config->sources[i];
	return NULL;
}

const chatarc_chat_t *config_find_chat(const chatarc_config_t *config, const char *name)
{
	for (size_t i = 0; i < config->n_chats; i++)
		if (!strcmp(config->chats[i].name, name))
			return &config->chats[i];
	return NULL;
}

void config_template(strbuf_t *out, bool with_sample)
{
	strbuf_addstr(
	    out, "// chatarc configuration: JSON, with // comments and trailing commas allowed.\n"
	         "//\n"
	         "// \"chats\" names each hashtag chat you archive. The name is used for\n"
	         "// folders and pages: letters, digits, '_', '-', '.'.\n"
	         "//   tags        the hashtags of the chat, without '#'\n"
	         "//   schedule    when a session runs: weekday, local start \"HH:MM\",\n"
	         "//               length in minutes, IANA time zone (pages use it); a chat\n"
	         "//               that is not weekly gives an \"rrule\" (RFC 5545) instead\n"
	         "//               of the weekday: \"FREQ=MONTHLY;BYDAY=1FR\" is the first\n"
	         "//               Friday; \"first\", \"except\", \"extra\" dates; a list of\n"
	         "//               schedules for a chat that alternates (man chatarc-config)\n"
	         "//   labels      {\"question\": [\"F\"], \"answer\": [\"A\"]}: the chat's own\n"
	         "//               labels (default T or Q asks, A answers)\n"
	         "//   moderators  accounts that post the topic questions (T1:, Q1:, ...)\n"
	         "//               as user@instance (Mastodon), handle (Bluesky), user (Twitter)\n"
	         "//   sources     names from \"sources\" below that `chatarc fetch` reads\n"
	         "//   allow_noindex  true takes posts of accounts that opted out of search\n"
	         "//               (Mastodon noindex/discoverable, Bluesky !no-unauthenticated);\n"
	         "//               they are skipped and counted by default\n"
	         "//   hide        accounts, or messages by uri or url, kept off pages,\n"
	         "//               digests, search and exports without being erased (spam,\n"
	         "//               bots); a top-level \"hide\" applies to every chat. To erase\n"
	         "//               for good (a takedown request): `chatarc forget`\n"
	         "//\n"
	         "// \"sources\" names each server to fetch from: {\"type\": \"mastodon\" or\n"
	         "// \"bluesky\", \"url\": \"https://server\"}. Credentials never go here: name\n"
	         "// where they are. Mastodon: \"token_env\": \"VAR\" or \"token_file\": \"FILE\"\n"
	         "// (an access token with read:statuses). Bluesky: \"identifier\": \"handle\",\n"
	         "// \"password_env\" or \"password_file\" (an app password), \"pds\": "
	         "\"https://bsky.social\".\n"
	         "// `fetch --follow` takes posts as they are pushed: from the instance's\n"
	         "// streaming API (\"stream\": \"https://streaming.server\" when it is served\n"
	         "// elsewhere) or Bluesky's Jetstream (\"stream\": \"wss://jetstream.server\");\n"
	         "// \"stream\": false polls instead.\n"
	         "//\n"
	         "// \"fetch\": {\"follow_interval\": 30, \"connect_timeout\": 10, "
	         "\"stall_timeout\": 30,\n"
	         "//   \"request_timeout\": 300, \"max_pages\": 1000, \"retries\": 5, "
	         "\"backoff_base_ms\": 1000,\n"
	         "//   \"backoff_max_ms\": 60000, \"max_wait\": 900, \"recheck_days\": 14,\n"
	         "//   \"recheck_every\": 6, \"stream_silence\": 60}\n"
	         "// paces `chatarc fetch` (seconds unless named _ms); these are the defaults.\n"
	         "// Posts of the last recheck_days are asked for again every recheck_every\n"
	         "// hours: deleted ones leave the archive, edits replace the text (0: off).\n"
	         "//\n"
	         "// \"site\": {\"title\": \"Health chats\", \"base_url\": "
	         "\"https://chats.example.org/\"}\n"
	         "// names the published site and the address DIR/site is served at: feeds\n"
	         "// and recap posts (`chatarc summarise --format mastodon|bluesky`) then\n"
	         "// carry absolute links.\n"
	         "//\n"
	         "// \"people\": {\"Maya Chen\": [\"maya@toot.example\", \"maya.bsky.social\"]}\n"
	         "// one person's accounts on several networks: counted as one participant\n"
	         "// (one newcomer, once in the top participants) on pages and recaps.\n"
	         "//\n"
	         "// Files from elsewhere (Twitter archives, twarc, Mastodon or Bluesky JSON,\n"
	         "// spreadsheets of TAGS, twarc, Twitter Archiver or Topsy as CSV) go in with\n"
	         "// `chatarc import --chat NAME FILE...`.\n"
	         "{\n"
	         "  \"chats\": {\n");
	if (with_sample)
		strbuf_addstr(out,
		              "    // The bundled sample chat (share/sample), set up by `chatarc "
		              "init --sample`.\n"
		              "    \"hcsmdemo\": {\n"
		              "      \"title\": \"#hcsmdemo: health care social media (sample)\",\n"
		              "      \"tags\": [\"hcsmdemo\"],\n"
		              "      \"schedule\": {\"weekday\": \"Wed\", \"start\": \"13:00\", "
		              "\"minutes\": 60,\n"
		              "                   \"tz\": \"America/Toronto\"},\n"
		              "      \"moderators\": [\"hcsmdemo@toot.example\", "
		              "\"hcsmdemo.bsky.example\"],\n"
		              "      \"sources\": []\n"
		              "    }\n");
	else
		strbuf_addstr(out, "    // \"hcsmca\": {\n"
		                   "    //   \"tags\": [\"hcsmca\"],\n"
		                   "    //   \"schedule\": {\"weekday\": \"Wed\", \"start\": "
		                   "\"13:00\", \"minutes\": 60,\n"
		                   "    //                \"tz\": \"America/Toronto\"},\n"
		                   "    //   \"moderators\": [\"hcsmca@mastodon.social\", "
		                   "\"hcsmca.bsky.social\"],\n"
		                   "    //   \"sources\": [\"mastodon.social\", \"bluesky\"]\n"
		                   "    // }\n");
	strbuf_addstr(
	    out,
	    "  },\n"
	    "  // \"index_shards\": [\"/archive2/chatarc-data/index\", \"tcp:127.0.0.1:7001\"],\n"
	    "  //   more search databases searched with DIR/index as one: paths, or\n"
	    "  //   tcp:HOST:PORT for a database served by Xapian's xapian-tcpsrv\n"
	    "  \"sources\": {\n"
	    "    // \"mastodon.social\": {\"type\": \"mastodon\", \"url\": "
	    "\"https://mastodon.social\"},\n"
	    "    // \"bluesky\": {\"type\": \"bluesky\", \"url\": "
	    "\"https://public.api.bsky.app\",\n"
	    "    //             \"identifier\": \"you.bsky.social\", \"password_env\": "
	    "\"BSKY_APP_PASSWORD\",\n"
	    "    //             \"pds\": \"https://bsky.social\"}\n"
	    "  }\n"
	    "}\n");
}

long config_chat_offset(const chatarc_config_t *config, tz_zone_t **zones,
                        const chatarc_chat_t *chat, chatarc_ms_t ms)
{
	if (!chat || !chat->tz)
		return 0;
	size_t i = (size_t)(chat - config->chats);
	chatarc_error_t ignored;
	if (!zones[i] && tz_zone_load(chat->tz, &zones[i], &ignored) != CHATARC_OK)
		return 0;
	return tz_zone_offset(zones[i], ms);
}
