/* The JSON API, for a research group's own tools: what the CLI prints, over
 * HTTP. /api/search (search --format json's hits, paged, with the total
 * and the facets), /api/chats, /api/sessions?chat=, /api/session/CHAT/DATE
 * (summarise --format json). */
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "../common/schedule.h"
#include "../common/sprinter.h"
#include "../summarise/summary.h"
#include "serve-internal.h"

/* A JSON answer: begun, written through sp, then sent (and released). */
struct json_answer {
	strbuf_t out;
	struct sprinter_json json;
	sprinter_t *sp;
};

static void answer_begin(struct json_answer *a)
{
	strbuf_init(&a->out, 4096);
	sprinter_json_init(&a->json, &a->out);
	a->sp = &a->json.sp;
}

static int answer_send(request_t *r, struct json_answer *a, unsigned status)
{
	strbuf_addch(&a->out, '\n');
	int result = serve_respond(r, status, "application/json", a->out.buf, a->out.len);
	strbuf_release(&a->out);
	return result;
}

/* {"error": message}, with the status the failure calls for. */
static int json_error(request_t *r, unsigned status, const char *message)
{
	struct json_answer a;
	answer_begin(&a);
	a.sp->begin_object(a.sp, NULL);
	a.sp->string(a.sp, "error", message);
	a.sp->end_object(a.sp);
	return answer_send(r, &a, status);
}

static unsigned status_of(chatarc_status_t status)
{
	switch (status) {
	case CHATARC_ERR_USAGE: return MHD_HTTP_BAD_REQUEST;
	case CHATARC_ERR_NOT_FOUND: return MHD_HTTP_SERVICE_UNAVAILABLE;
	default: return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
}

static int api_search(request_t *r)
{
	const char *q = serve_arg(r, "q");
	long page = serve_number_arg(r, "page", 1, 1000000000L);
	long per_page = serve_number_arg(r, "per_page", SERVE_PAGE_SIZE, SERVE_MAX_PAGE_SIZE);
	if (!q || !*q)
		return json_error(r, MHD_HTTP_BAD_REQUEST, "give a query: /api/search?q=...");
	if (strlen(q) > SERVE_MAX_QUERY)
		return json_error(r, MHD_HTTP_URI_TOO_LONG, "the query is longer than 2048 bytes");
	if (!page || !per_page)
		return json_error(r, MHD_HTTP_BAD_REQUEST,
		                  "page is a number from 1, per_page from 1 to 100");
	serve_results_t results;
	chatarc_error_t err;
	chatarc_status_t status = serve_search(r->server, q, XDB_SORT_RELEVANCE, page, per_page,
	                                       serve_arg(r, "exact") != NULL, &results, &err);
	if (status != CHATARC_OK) {
		serve_results_release(&results);
		return json_error(r, status_of(status), err.message);
	}
	struct json_answer a;
	answer_begin(&a);
	sprinter_t *sp = a.sp;
	sp->begin_object(sp, NULL);
	sp->string(sp, "query", q);
	sp->integer(sp, "page", page);
	sp->integer(sp, "per_page", per_page);
	sp->integer(sp, "total", (long long)results.total);
	/* Past SERVE_COUNT_UP_TO matches the total and the facets are
	 * estimates unless exact= asks for the count of every match. */
	sp->string(sp, "total_is", results.exact ? "exact" : "estimate");
	sp->begin_list(sp, "warnings");
	for (size_t i = 0; i < results.warnings.len; i++)
		sp->string(sp, NULL, results.warnings.items[i]);
	sp->end_list(sp);
	/* {"chat": {"hcsmca": 12, ...}, "network": {...}, "year": {...}} */
	static const char *const facets[] = {"chat", "network", "year"};
	sp->begin_object(sp, "facets");
	for (size_t f = 0; f < 3; f++) {
		sp->begin_object(sp, facets[f]);
		for (size_t i = 0; i < results.n_facets; i++)
			if (!strcmp(results.facets[i].facet, facets[f]))
				sp->integer(sp, results.facets[i].value,
				            (long long)results.facets[i].count);
		sp->end_object(sp);
	}
	sp->end_object(sp);
	/* Each hit as `chatarc search --format json` writes it. */
	sp->begin_list(sp, "hits");
	for (size_t i = 0; i < results.n_hits; i++) {
		sp->begin_object(sp, NULL);
		sprinter_json_members(&a.json, results.hits[i].data);
		sp->number(sp, "score", results.hits[i].score);
		sp->end_object(sp);
	}
	sp->end_list(sp);
	sp->end_object(sp);
	serve_results_release(&results);
	return answer_send(r, &a, MHD_HTTP_OK);
}

static int api_chats(request_t *r)
{
	const chatarc_config_t *config = &r->server->config;
	strbuf_t words;
	strbuf_init(&words, 128);
	struct json_answer a;
	answer_begin(&a);
	sprinter_t *sp = a.sp;
	sp->begin_list(sp, NULL);
	for (size_t c = 0; c < config->n_chats; c++) {
		const chatarc_chat_t *chat = &config->chats[c];
		sp->begin_object(sp, NULL);
		sp->string(sp, "name", chat->name);
		sp->nullable(sp, "title", chat->title);
		sp->begin_list(sp, "tags");
		for (size_t i = 0; i < chat->tags.len; i++)
			sp->string(sp, NULL, chat->tags.items[i]);
		sp->end_list(sp);
		sp->nullable(sp, "tz", chat->tz);
		strbuf_reset(&words);
		schedule_describe_all(chat->schedules, chat->n_schedules, &words);
		sp->nullable(sp, "schedule", chat->n_schedules ? words.buf : NULL);
		strbuf_reset(&words);
		strbuf_addf(&words, "/%s/", chat->name);
		sp->string(sp, "url", words.buf);
		sp->end_object(sp);
	}
	sp->end_list(sp);
	strbuf_release(&words);
	return answer_send(r, &a, MHD_HTTP_OK);
}

static const chatarc_chat_t *chat_named(request_t *r, const char *name)
{
	return name ? config_find_chat(&r->server->config, name) : NULL;
}

/* A chat's sessions with messages, oldest first, each counted by the
 * index (so the hide list counts as in search). */
static int api_sessions(request_t *r)
{
	const chatarc_chat_t *chat = chat_named(r, serve_arg(r, "chat"));
	if (!chat)
		return json_error(r, MHD_HTTP_NOT_FOUND,
		                  "no such chat: /api/sessions?chat=NAME, names from /api/chats");
	chatarc_error_t err;
	strlist_t dates = {0};
	struct xdb *db = serve_index(r->server, &err);
	chatarc_status_t status =
	    db ? summary_list_sessions(r->server->options->data_dir, chat, &dates, &err)
	       : CHATARC_ERR_NOT_FOUND;
	strbuf_t query;
	strbuf_init(&query, 128);
	struct json_answer a;
	answer_begin(&a);
	sprinter_t *sp = a.sp;
	sp->begin_list(sp, NULL);
	for (size_t i = 0; status == CHATARC_OK && i < dates.len; i++) {
		size_t total = 0;
		strbuf_reset(&query);
		strbuf_addf(&query, "chat:%s session:%s", chat->name, dates.items[i]);
		const index_search_t how = {.sort = XDB_SORT_RELEVANCE};
		strlist_t warnings = {0};
		status = index_search(db, &r->server->config, query.buf, &how, NULL, NULL, &total,
		                      &warnings, &err);
		strlist_clear(&warnings);
		if (status != CHATARC_OK || total == 0)
			continue;
		sp->begin_object(sp, NULL);
		sp->string(sp, "date", dates.items[i]);
		sp->integer(sp, "messages", (long long)total);
		strbuf_reset(&query);
		strbuf_addf(&query, "/%s/%s.html", chat->name, dates.items[i]);
		sp->string(sp, "url", query.buf);
		sp->end_object(sp);
	}
	sp->end_list(sp);
	strlist_clear(&dates);
	strbuf_release(&query);
	if (status != CHATARC_OK) {
		strbuf_release(&a.out);
		return json_error(r, status_of(status), err.message);
	}
	return answer_send(r, &a, MHD_HTTP_OK);
}

/* /api/session/CHAT/DATE: the session's summary as `chatarc summarise
 * CHAT DATE --format json` prints it. */
static int api_session(request_t *r, const char *rest)
{
	const char *slash = strchr(rest, '/');
	char name[256];
	if (!slash || (size_t)(slash - rest) >= sizeof name)
		return json_error(r, MHD_HTTP_NOT_FOUND, "expected /api/session/CHAT/YYYY-MM-DD");
	memcpy(name, rest, (size_t)(slash - rest));
	name[slash - rest] = '\0';
	const chatarc_chat_t *chat = chat_named(r, name);
	if (!chat || !schedule_date_valid(slash + 1))
		return json_error(
		    r, MHD_HTTP_NOT_FOUND,
		    "expected /api/session/CHAT/YYYY-MM-DD with a chat of /api/chats");
	summary_history_t history;
	summary_history_init(&history);
	summary_t *summary = NULL;
	chatarc_error_t err;
	chatarc_status_t status =
	    summary_build(r->server->options->data_dir, chat, slash + 1, &history, &summary, &err);
	summary_history_release(&history);
	if (status != CHATARC_OK)
		return json_error(r, status_of(status), err.message);
	int result;
	if (summary->n_messages == 0) {
		result = json_error(r, MHD_HTTP_NOT_FOUND, "no session with messages on that date");
	} else {
		strbuf_t out;
		strbuf_init(&out, 1 << 16);
		summary_write_json(summary, &out); /* it ends its line itself */
		result = serve_respond(r, MHD_HTTP_OK, "application/json", out.buf, out.len);
		strbuf_release(&out);
	}
	summary_free(summary);
	return result;
}

int serve_api(request_t *r, const char *path)
{
	if (strncmp(path, "/api/", 5))
		return 0;
	const char *route = path + 5;
	if (!strcmp(route, "search"))
		return api_search(r);
	if (!strcmp(route, "chats"))
		return api_chats(r);
	if (!strcmp(route, "sessions"))
		return api_sessions(r);
	if (!strncmp(route, "session/", 8))
		return api_session(r, route + 8);
	return json_error(r, MHD_HTTP_NOT_FOUND,
	                  "no such endpoint: /api/search, /api/chats, /api/sessions, "
	                  "/api/session/CHAT/DATE");
}
