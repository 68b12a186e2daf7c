/* `chatarc export [CHAT...] [DATE] --format json|csv`: the archive as
 * researchers' tools read it, streamed in time order across chats, with
 * filters by time, author and search query. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/alloc.h"
#include "../common/archive.h"
#include "../common/options.h"
#include "../common/sprinter.h"
#include "../common/urimap.h"
#include "../index/index.h"
#include "../summarise/places.h"
#include "cli.h"

static const command_help_t export_help = {
    "chatarc export [CHAT...] [DATE] [--format json|csv] [--since T] [--until T]\n"
    "               [--author A[,A...]] [--query Q]",
    "Writes messages to standard output in time order, one per uri (the versions\n"
    "an archive holds are merged): of each CHAT named, or of every chat in the\n"
    "config. DATE (YYYY-MM-DD) limits the output to that day in each chat's time\n"
    "zone; --since and --until take ISO 8601 times (UTC unless they carry an\n"
    "offset), --until exclusive. --author keeps the messages of these accounts\n"
    "(maya, @maya@toot.example or maya@toot.example; a name without a server is\n"
    "that name on every server). --query keeps the messages a search query\n"
    "matches (the query language of `chatarc search`; it reads the index, so run\n"
    "`chatarc index` first).\n"
    "json: one record a line (the archive's fields, raw included).\n"
    "csv: a header row, then one row a message (RFC 4180; lists space-separated,\n"
    "alt texts a JSON array; no raw). README, \"The message record\", says what\n"
    "each column holds."};

struct export_state {
	bool csv;
	const chatarc_config_t *config;
	const char *date; /* a local day in each chat's zone, or NULL */
	struct day_bounds {
		chatarc_ms_t start, end;
	} * bounds;        /* DATE's bounds in each configured chat's zone */
	strlist_t authors; /* lower-case; "name" or "name@server" */
	urimap_t matches;  /* --query's uris */
	bool query;
	/* Each configured chat's sessions around the day being written, and
	 * that day (INT64_MIN before the first). */
	session_places_t **places;
	chatarc_ms_t *places_day;
	const char *data_dir;
	strbuf_t out;
};

/* The record's session, topic and how the topic was decided (NULLs when
 * it is in no session), from the summariser. */
static chatarc_status_t find_place(struct export_state *state, const chatarc_chat_t *chat,
                                   const chatarc_record_t *record, message_place_t *place,
                                   chatarc_error_t *err)
{
	memset(place, 0, sizeof *place);
	if (!chat)
		return CHATARC_OK;
	size_t i = (size_t)(chat - state->config->chats);
	chatarc_ms_t day =
	    record->created_ms - ((record->created_ms % 86400000) + 86400000) % 86400000;
	if (!state->places[i])
		state->places[i] = places_new(state->data_dir, chat);
	if (state->places_day[i] != day) {
		chatarc_status_t status = places_for_day(state->places[i], day, err);
		if (status != CHATARC_OK)
			return status;
		state->places_day[i] = day;
	}
	if (!places_find(state->places[i], record->uri, place))
		memset(place, 0, sizeof *place);
	return CHATARC_OK;
}

/* "maya" matches maya@ any server; "maya@toot.example" (with or without a
 * leading @) only itself; case does not count, as on the networks. */
static bool author_wanted(const struct export_state *state, const char *author)
{
	if (!state->authors.len)
		return true;
	if (!author)
		return false;
	for (size_t i = 0; i < state->authors.len; i++) {
		const char *want = state->authors.items[i];
		size_t len = strlen(want);
		if (!strncasecmp(author, want, len) &&
		    (author[len] == '\0' || (author[len] == '@' && !strchr(want, '@'))))
			return true;
	}
	return false;
}

/* The record's fields, then chatarc's own reading of it: its session (the
 * local date), topic ("t1", "intro", "wrap", empty) and topic_method. */
static void write_message(sprinter_t *sp, const chatarc_record_t *record,
                          const message_place_t *place)
{
	sp->begin_object(sp, "message");
	record_write_fields(sp, record);
	sp->nullable(sp, "session", place->date);
	sp->nullable(sp, "topic", place->topic && *place->topic ? place->topic : NULL);
	sp->nullable(sp, "topic_method", place->method);
	sp->end_object(sp);
}

static chatarc_status_t write_record(void *ctx, const chatarc_record_t *record,
                                     chatarc_error_t *err)
{
	struct export_state *state = ctx;
	const chatarc_chat_t *chat = config_find_chat(state->config, record->chat);
	if (chat && config_chat_hides(chat, record))
		return CHATARC_OK;
	if (state->date && chat) {
		const struct day_bounds *b = &state->bounds[chat - state->config->chats];
		if (record->created_ms < b->start || record->created_ms >= b->end)
			return CHATARC_OK;
	}
	if (!author_wanted(state, record->author) ||
	    (state->query && !urimap_find(&state->matches, record->uri)))
		return CHATARC_OK;
	message_place_t place;
	chatarc_status_t status = find_place(state, chat, record, &place, err);
	if (status != CHATARC_OK)
		return status;
	strbuf_reset(&state->out);
	if (state->csv) {
		struct sprinter_csv csv;
		sprinter_csv_init(&csv, &state->out);
		write_message(&csv.sp, record, &place);
		sprinter_csv_release(&csv);
	} else {
		struct sprinter_json json;
		sprinter_json_init(&json, &state->out);
		write_message(&json.sp, record, &place);
		strbuf_addch(&state->out, '\n');
	}
	if (fwrite(state->out.buf, 1, state->out.len, stdout) != state->out.len)
		return chatarc_error_set(err, CHATARC_ERR_IO, "cannot write to standard output");
	return CHATARC_OK;
}

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

int cmd_export(int argc, char **argv, cli_context_t *ctx)
{
	static const char *const formats[] = {"json", "csv", NULL};
	enum { FORMAT_JSON, FORMAT_CSV };
	int format = FORMAT_JSON;
	const char *since = NULL, *until = NULL, *authors = NULL, *query = NULL;
	bool help = false;
	const chatarc_option_t options[] = {
	    OPT_KEYWORD("format", 'f', "json|csv", "output format (default json)", &format,
	                formats),
	    OPT_STRING("since", 0, "T", "only messages created at or after T", &since),
	    OPT_STRING("until", 0, "T", "only messages created before T", &until),
	    OPT_STRING("author", 'a', "A[,A...]", "only messages of these accounts", &authors),
	    OPT_STRING("query", 'q', "Q", "only messages a search query matches (reads the index)",
	               &query),
	    OPT_END,
	};
	chatarc_error_t err;
	chatarc_ms_t from = INT64_MIN, to = INT64_MAX;
	const chatarc_config_t *config;

	chatarc_status_t status = options_parse(options, &export_help, &argc, argv, &help, &err);
	if (status != CHATARC_OK || help)
		return cli_report("export", status, &err);
	if ((status = cli_parse_time("since", since, &from, &err)) ||
	    (status = cli_parse_time("until", until, &to, &err)))
		return cli_report("export", status, &err);
	if (!(config = cli_config(ctx, &err)))
		return cli_report("export", CHATARC_ERR_CONFIG, &err);

	struct export_state state = {.csv = format == FORMAT_CSV, .config = config};
	strlist_t chats = {0};
	for (int i = 1; i < argc; i++) {
		const chatarc_chat_t *chat;
		if (is_date(argv[i]) && !config_find_chat(config, argv[i])) {
			if (state.date) {
				strlist_clear(&chats);
				return options_usage_error("export", &export_help,
				                           "name at most one DATE");
			}
			state.date = argv[i];
			continue;
		}
		if ((status = cli_find_chat(ctx, argv[i], &chat, &err))) {
			strlist_clear(&chats);
			return cli_report("export", status, &err);
		}
		strlist_add_unique(&chats, chat->name);
	}
	if (!chats.len)
		for (size_t i = 0; i < config->n_chats; i++)
			strlist_add(&chats, config->chats[i].name);
	if (state.date) {
		/* The day in each chat's own zone: the widest span is read, each
		 * record then held to its chat's day. */
		state.bounds = xcalloc(config->n_chats ? config->n_chats : 1, sizeof *state.bounds);
		chatarc_ms_t earliest = INT64_MAX, latest = INT64_MIN;
		for (size_t i = 0; i < config->n_chats && status == CHATARC_OK; i++) {
			struct day_bounds *b = &state.bounds[i];
			status = time_local_day_bounds(config->chats[i].tz, state.date, &b->start,
			                               &b->end, &err);
			earliest = b->start < earliest ? b->start : earliest;
			latest = b->end > latest ? b->end : latest;
		}
		from = from > earliest ? from : earliest;
		to = to < latest ? to : latest;
	}
	if (authors)
		add_authors(&state.authors, authors);
	urimap_init(&state.matches);
	if (status == CHATARC_OK && query) {
		size_t stale = 0;
		state.query = true;
		status =
		    index_matching_uris(ctx->data_dir, config, query, &state.matches, &stale, &err);
		if (status == CHATARC_OK && stale)
			fprintf(
			    stderr,
			    "chatarc: export: warning: %zu day file%s of the archive changed since "
			    "the index last read %s; --query may miss messages: run `chatarc "
			    "--data %s index`\n",
			    stale, stale == 1 ? "" : "s", stale == 1 ? "it" : "them",
			    ctx->data_dir);
	}
	strbuf_init(&state.out, 8192);
	if (status == CHATARC_OK && state.csv) {
		record_csv_header(&state.out);
		strbuf_setlen(&state.out, state.out.len - 2);
		strbuf_addstr(&state.out, ",session,topic,topic_method\r\n");
		fwrite(state.out.buf, 1, state.out.len, stdout);
	}
	state.data_dir = ctx->data_dir;
	state.places = xcalloc(config->n_chats + 1, sizeof *state.places);
	state.places_day = xcalloc(config->n_chats + 1, sizeof *state.places_day);
	for (size_t i = 0; i < config->n_chats; i++)
		state.places_day[i] = INT64_MIN;
	if (status == CHATARC_OK)
		status = archive_for_each_in_chats(ctx->data_dir, (const char *const *)chats.items,
		                                   chats.len, from, to, write_record, &state, &err);
	strbuf_release(&state.out);
	for (size_t i = 0; i < config->n_chats; i++)
		places_free(state.places[i]);
	free(state.places);
	free(state.places_day);
	urimap_release(&state.matches);
	strlist_clear(&state.authors);
	strlist_clear(&chats);
	free(state.bounds);
	return cli_report("export", status, &err);
}
