#include "select.h"

#include "../common/terminal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/alloc.h"
#include "../common/archive.h"
#include "../common/options.h"
#include "../index/index.h"

struct day_bounds {
	chatarc_ms_t start, end;
};

struct message_select {
	const char *data_dir;
	const chatarc_config_t *config;
	strlist_t chats;
	chatarc_ms_t from, to;
	const char *date;          /* a local day in each chat's zone, or NULL */
	struct day_bounds *bounds; /* DATE in each configured chat's zone */
	strlist_t authors;         /* lower-case; "name" or "name@server" */
	bool query;
	urimap_t matches;    /* --query's uris */
	const char *session; /* --session DATE, or NULL */
	/* Each configured chat's sessions around the day being read, and that
	 * day (INT64_MIN before the first). */
	session_places_t **places;
	chatarc_ms_t *places_day;
	/* Set while select_for_each runs. */
	select_fn fn;
	void *fn_ctx;
};

static bool is_date(const char *arg)
{
	static const char shape[] = "0000-00-00";
	if (strlen(arg) != 10)
		return false;
	for (size_t i = 0; i < 10; i++)
		if (shape[i] == '0' ? !isdigit((unsigned char)arg[i]) : arg[i] != '-')
			return false;
	return true;
}

/* A date as people write it in other forms (03/03/2023, 3.3.2023,
 * 2023/03/03): false, or the YYYY-MM-DD it may mean in out ("A or B"
 * when day and month could be either). */
static bool other_date_form(const char *arg, char *out, size_t size)
{
	int a, b, c, n = -1;
	char s1, s2;
	if (sscanf(arg, "%d%c%d%c%d%n", &a, &s1, &b, &s2, &c, &n) != 5 || arg[n] || s1 != s2 ||
	    (s1 != '/' && s1 != '.') || a < 0 || b < 0 || c < 0)
		return false;
	if (a > 999) { /* year first */
		snprintf(out, size, "%04d-%02d-%02d", a % 10000, b % 100, c % 100);
		return true;
	}
	if (c < 100)
		c += 2000;
	if (a > 12 || b > 12 || a == b)
		snprintf(out, size, "%04d-%02d-%02d", c % 10000, (a > 12 ? b : a) % 100,
		         (a > 12 ? a : b) % 100);
	else
		snprintf(out, size, "%04d-%02d-%02d (month first) or %04d-%02d-%02d (day first)",
		         c % 10000, a % 100, b % 100, c % 10000, b % 100, a % 100);
	return true;
}

/* "a,@b@x" -> ["a", "b@x"], lower-cased. */
static void add_authors(strlist_t *out, const char *list)
{
	char *copy = xstrdup(list);
	for (char *save = NULL, *a = strtok_r(copy, ", ", &save); a;
	     a = strtok_r(NULL, ", ", &save)) {
		if (*a == '@')
			a++;
		for (char *p = a; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (*a)
			strlist_add(out, a);
	}
	free(copy);
}

/* "maya" matches maya@ any server; "maya@toot.example" (with or without a
 * leading @) only itself; case does not count, as on the networks. */
static bool author_wanted(const message_select_t *select, const char *author)
{
	if (!select->authors.len)
		return true;
	if (!author)
		return false;
	for (size_t i = 0; i < select->authors.len; i++) {
		const char *want = select->authors.items[i];
		size_t len = strlen(want);
		if (!strncasecmp(author, want, len) &&
		    (author[len] == '\0' || (author[len] == '@' && !strchr(want, '@'))))
			return true;
	}
	return false;
}

/* The widest span DATE covers across the chats' zones: each record is then
 * held to its own chat's day. */
static CHATARC_MUST_CHECK chatarc_status_t date_bounds(message_select_t *s, chatarc_error_t *err)
{
	const chatarc_config_t *config = s->config;
	chatarc_ms_t earliest = INT64_MAX, latest = INT64_MIN;
	s->bounds = xcalloc(config->n_chats ? config->n_chats : 1, sizeof *s->bounds);
	for (size_t i = 0; i < config->n_chats; i++) {
		struct day_bounds *b = &s->bounds[i];
		chatarc_status_t status =
		    time_local_day_bounds(config->chats[i].tz, s->date, &b->start, &b->end, err);
		if (status != CHATARC_OK)
			return status;
		earliest = b->start < earliest ? b->start : earliest;
		latest = b->end > latest ? b->end : latest;
	}
	s->from = s->from > earliest ? s->from : earliest;
	s->to = s->to < latest ? s->to : latest;
	return CHATARC_OK;
}

chatarc_status_t select_open(cli_context_t *ctx, const char *command, char **args, int n_args,
                             const select_options_t *options, message_select_t **out,
                             chatarc_error_t *err)
{
	message_select_t *s = xcalloc(1, sizeof *s);
	chatarc_status_t status;
	*out = s;
	s->data_dir = ctx->data_dir;
	s->from = INT64_MIN;
	s->to = INT64_MAX;
	urimap_init(&s->matches);
	if ((status = cli_parse_time("since", options->since, &s->from, err)) ||
	    (status = cli_parse_time("until", options->until, &s->to, err)))
		return status;
	if (!(s->config = cli_config(ctx, err)))
		return CHATARC_ERR_CONFIG;
	for (int i = 0; i < n_args; i++) {
		const chatarc_chat_t *chat;
		if (is_date(args[i]) && !config_find_chat(s->config, args[i])) {
			if (s->date)
				return chatarc_error_set(err, CHATARC_ERR_USAGE,
				                         "name at most one DATE (%s, %s)", s->date,
				                         args[i]);
			s->date = args[i];
			continue;
		}
		char meant[64];
		if (!config_find_chat(s->config, args[i]) &&
		    other_date_form(args[i], meant, sizeof meant))
			return chatarc_error_set(err, CHATARC_ERR_USAGE,
			                         "'%s' looks like a date: write it YYYY-MM-DD, %s",
			                         args[i], meant);
		if ((status = cli_find_chat(ctx, args[i], &chat, err)))
			return status;
		strlist_add_unique(&s->chats, chat->name);
	}
	if (!s->chats.len)
		for (size_t i = 0; i < s->config->n_chats; i++)
			strlist_add(&s->chats, s->config->chats[i].name);
	if (s->date && (status = date_bounds(s, err)))
		return status;
	if (options->authors)
		add_authors(&s->authors, options->authors);
	if (options->session) {
		chatarc_ms_t day;
		if (!is_date(options->session) || !time_parse_iso8601(options->session, &day))
			return chatarc_error_set(err, CHATARC_ERR_USAGE,
			                         "--session takes a date, YYYY-MM-DD, not '%s'",
			                         options->session);
		s->session = options->session;
		/* A session's window lies within a day either side of its date. */
		chatarc_ms_t from = day - 86400000LL, to = day + 2 * 86400000LL;
		s->from = s->from > from ? s->from : from;
		s->to = s->to < to ? s->to : to;
	}
	if (options->query) {
		size_t stale = 0;
		s->query = true;
		strlist_t warnings = {0};
		status = index_matching_uris(ctx->data_dir, s->config, options->query, &s->matches,
		                             &stale, &warnings, err);
		for (size_t i = 0; i < warnings.len; i++) {
			char who[64];
			snprintf(who, sizeof who, "%s: note", command);
			term_say(who, warnings.items[i]);
		}
		strlist_clear(&warnings);
		if (status != CHATARC_OK)
			return status;
		if (stale)
			fprintf(
			    stderr,
			    "chatarc: %s: warning: %zu day %s of the archive changed since the "
			    "index last read %s; --query may miss messages: run `chatarc --data %s "
			    "index`\n",
			    command, stale, plural((long long)stale, "file", "files"),
			    plural((long long)stale, "it", "them"), ctx->data_dir);
	}
	s->places = xcalloc(s->config->n_chats + 1, sizeof *s->places);
	s->places_day = xcalloc(s->config->n_chats + 1, sizeof *s->places_day);
	for (size_t i = 0; i < s->config->n_chats; i++)
		s->places_day[i] = INT64_MIN;
	return CHATARC_OK;
}

void select_close(message_select_t *s)
{
	if (!s)
		return;
	for (size_t i = 0; s->places && i < s->config->n_chats; i++)
		places_free(s->places[i]);
	free(s->places);
	free(s->places_day);
	free(s->bounds);
	urimap_release(&s->matches);
	strlist_clear(&s->authors);
	strlist_clear(&s->chats);
	free(s);
}

const chatarc_chat_t *select_chat_of(const message_select_t *s, const chatarc_record_t *r)
{
	return r->chat ? config_find_chat(s->config, r->chat) : NULL;
}

/* The record's session, topic and method, from the summariser. */
static CHATARC_MUST_CHECK chatarc_status_t find_place(message_select_t *s,
                                                      const chatarc_chat_t *chat,
                                                      const chatarc_record_t *record,
                                                      message_place_t *place, chatarc_error_t *err)
{
	memset(place, 0, sizeof *place);
	if (!chat)
		return CHATARC_OK;
	size_t i = (size_t)(chat - s->config->chats);
	chatarc_ms_t day =
	    record->created_ms - ((record->created_ms % 86400000) + 86400000) % 86400000;
	if (!s->places[i])
		s->places[i] = places_new(s->data_dir, chat, NULL);
	if (s->places_day[i] != day) {
		chatarc_status_t status = places_for_day(s->places[i], day, err);
		if (status != CHATARC_OK)
			return status;
		s->places_day[i] = day;
	}
	if (!places_find(s->places[i], record->uri, place))
		memset(place, 0, sizeof *place);
	return CHATARC_OK;
}

/* Outside DATE, that day in the chat's own zone. */
static bool outside_date(const message_select_t *s, const chatarc_chat_t *chat, chatarc_ms_t at)
{
	if (!s->date || !chat)
		return false;
	const struct day_bounds *b = &s->bounds[chat - s->config->chats];
	return at < b->start || at >= b->end;
}

static CHATARC_MUST_CHECK chatarc_status_t select_record(void *ctx, const chatarc_record_t *record,
                                                         chatarc_error_t *err)
{
	message_select_t *s = ctx;
	const chatarc_chat_t *chat = select_chat_of(s, record);
	if (chat && config_chat_hides(chat, record))
		return CHATARC_OK;
	if (outside_date(s, chat, record->created_ms))
		return CHATARC_OK;
	if (!author_wanted(s, record->author) ||
	    (s->query && !urimap_find(&s->matches, record->uri)))
		return CHATARC_OK;
	message_place_t place;
	chatarc_status_t status = find_place(s, chat, record, &place, err);
	if (status != CHATARC_OK)
		return status;
	if (s->session && (!place.date || strcmp(place.date, s->session)))
		return CHATARC_OK;
	return s->fn(s->fn_ctx, record, &place, err);
}

/* A boost event under the same filters: hidden when its booster, the
 * message it boosts or that message's author is on the chat's hide list;
 * --author is the booster; --query keeps boosts of the messages it
 * matches. */
static CHATARC_MUST_CHECK chatarc_status_t select_boost(void *ctx, const chatarc_record_t *record,
                                                        chatarc_error_t *err)
{
	message_select_t *s = ctx;
	const chatarc_chat_t *chat = select_chat_of(s, record);
	chatarc_record_t boosted;
	record_init(&boosted);
	boosted.uri = record->boost_of;
	boosted.author = record->boost_of_account;
	if (chat && (config_chat_hides(chat, record) || config_chat_hides(chat, &boosted)))
		return CHATARC_OK;
	if (outside_date(s, chat, record->created_ms))
		return CHATARC_OK;
	if (!author_wanted(s, record->author) ||
	    (s->query && !(record->boost_of && urimap_find(&s->matches, record->boost_of))))
		return CHATARC_OK;
	message_place_t none = {0};
	return s->fn(s->fn_ctx, record, &none, err);
}

chatarc_status_t select_for_each_boost(message_select_t *s, select_fn fn, void *ctx,
                                       chatarc_error_t *err)
{
	if (s->session)
		return chatarc_error_set(err, CHATARC_ERR_USAGE,
		                         "--session places messages, not boosts: use DATE or "
		                         "--since/--until");
	strlist_t names = {0};
	for (size_t i = 0; i < s->chats.len; i++) {
		char *name = archive_boosts_name(s->chats.items[i]);
		strlist_add(&names, name);
		free(name);
	}
	s->fn = fn;
	s->fn_ctx = ctx;
	chatarc_status_t status =
	    archive_for_each_in_chats(s->data_dir, (const char *const *)names.items, names.len,
	                              s->from, s->to, select_boost, s, err);
	strlist_clear(&names);
	return status;
}

chatarc_status_t select_for_each(message_select_t *s, select_fn fn, void *ctx, chatarc_error_t *err)
{
	s->fn = fn;
	s->fn_ctx = ctx;
	return archive_for_each_in_chats(s->data_dir, (const char *const *)s->chats.items,
	                                 s->chats.len, s->from, s->to, select_record, s, err);
}
