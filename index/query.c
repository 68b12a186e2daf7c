/* What a person typed as a search, made into what the index can answer:
 * a date: of one day, month or year becomes its range; from:@acct loses
 * its @; from:NAME with no server finds NAME on every server; a field with
 * no value, or no query at all, is a usage error that says what to write. */
#define _GNU_SOURCE /* memmem */
#include "../common/alloc.h"
#include "index.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/json.h"
#include "../common/timeutil.h"
#include "../common/urimap.h"
#include "xapian-shim.h"

static const char *const fields[] = {"from",  "tag",     "chat", "network", "reply",
                                     "topic", "session", "date", NULL};

static bool all_digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)p[i]))
			return false;
	return true;
}

static int days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return month == 2 && leap ? 29 : days[month - 1];
}

/* date:VALUE without "..": a day, a month or a year, as a range. */
static CHATARC_MUST_CHECK chatarc_status_t add_date(strbuf_t *out, const char *value, size_t len,
                                                    chatarc_error_t *err)
{
	char day[11];
	chatarc_ms_t ignored;
	if (len == 10 &&
	    (memcpy(day, value, 10), day[10] = '\0', time_parse_iso8601(day, &ignored))) {
		strbuf_addf(out, "date:%s..%s", day, day);
		return CHATARC_OK;
	}
	if (len == 7 && all_digits(value, 4) && value[4] == '-' && all_digits(value + 5, 2)) {
		int year = atoi(value), month = atoi(value + 5);
		if (month >= 1 && month <= 12 && year >= 1970) {
			strbuf_addf(out, "date:%.7s-01..%.7s-%02d", value, value,
			            days_in_month(year, month));
			return CHATARC_OK;
		}
	}
	if (len == 4 && all_digits(value, 4) && atoi(value) >= 1970) {
		strbuf_addf(out, "date:%.4s-01-01..%.4s-12-31", value, value);
		return CHATARC_OK;
	}
	return chatarc_error_set(err, CHATARC_ERR_USAGE,
	                         "date:%.*s: give a day (date:2025-07-17), a month (date:2025-07), "
	                         "a year (date:2025) or a range (date:2025-07-01..2025-07-17)",
	                         (int)len, value);
}

/* from:NAME with no server: every account called NAME, on any server. */
static CHATARC_MUST_CHECK chatarc_status_t add_any_server(strbuf_t *out, const char *name,
                                                          size_t len, index_authors_fn authors,
                                                          void *ctx, chatarc_error_t *err)
{
	strlist_t found = {0};
	char *copy = xstrndup(name, len);
	chatarc_status_t status = CHATARC_OK;
	if (authors)
		status = authors(ctx, copy, &found, err);
	strbuf_addf(out, "(from:%.*s", (int)len, name);
	for (size_t i = 0; i < found.len; i++)
		strbuf_addf(out, " OR from:%s", found.items[i]);
	strbuf_addstr(out, ")");
	strlist_clear(&found);
	free(copy);
	return status;
}

/* A word of a query: letters and digits, any byte of a UTF-8 letter. */
static bool word_byte(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

/* Xapian's phrase check costs time quadratic in a phrase's length (4,000
 * words: 15 s on 100k messages), and `chatarc serve` takes queries from
 * anyone: a query's words are capped, and a phrase's, with a clear error. */
static CHATARC_MUST_CHECK chatarc_status_t check_query_size(const char *query, chatarc_error_t *err)
{
	size_t words = 0, phrase_words = 0;
	bool quoted = false;
	for (const unsigned char *p = (const unsigned char *)query; *p; p++) {
		if (*p == '"') {
			quoted = !quoted;
			phrase_words = 0;
			continue;
		}
		if (!word_byte(*p) || (p > (const unsigned char *)query && word_byte(p[-1])))
			continue;
		words++;
		phrase_words += quoted;
		if (phrase_words > INDEX_QUERY_MAX_PHRASE_WORDS)
			return chatarc_error_set(err, CHATARC_ERR_USAGE,
			                         "a \"phrase\" may hold at most %d words; split it "
			                         "into shorter phrases joined by AND",
			                         INDEX_QUERY_MAX_PHRASE_WORDS);
		if (words > INDEX_QUERY_MAX_WORDS)
			return chatarc_error_set(err, CHATARC_ERR_USAGE,
			                         "a query may hold at most %d words; search for "
			                         "fewer, or export the chat and filter it",
			                         INDEX_QUERY_MAX_WORDS);
	}
	return CHATARC_OK;
}

chatarc_status_t index_query_rewrite(const char *query, index_authors_fn authors, void *ctx,
                                     strbuf_t *out, chatarc_error_t *err)
{
	const char *p = query;
	chatarc_status_t size_status = check_query_size(query, err);
	if (size_status != CHATARC_OK)
		return size_status;
	while (*p == ' ')
		p++;
	if (!*p)
		return chatarc_error_set(err, CHATARC_ERR_USAGE,
		                         "give a QUERY (every message: *; everything as a file: "
		                         "`chatarc export CHAT`)");
	if (!strcmp(p, "*"))
		return CHATARC_OK; /* an empty query: every document */
	bool quoted = false;
	while (*p) {
		/* One token: up to a space outside quotes. */
		const char *start = p;
		while (*p && (quoted || *p != ' ')) {
			if (*p == '"')
				quoted = !quoted;
			p++;
		}
		const char *t = start, *end = p;
		while (t < end && (*t == '(' || *t == '+' || *t == '-'))
			t++;
		strbuf_add(out, start, (size_t)(t - start));
		const char *colon = memchr(t, ':', (size_t)(end - t));
		const char *field = NULL;
		for (const char *const *f = fields; colon && *f; f++)
			if ((size_t)(colon - t) == strlen(*f) && !strncasecmp(t, *f, strlen(*f)))
				field = *f;
		const char *value = colon ? colon + 1 : NULL;
		size_t vlen = value ? (size_t)(end - value) : 0;
		while (vlen && value[vlen - 1] == ')')
			vlen--;
		const char *closing = value ? value + vlen : end;
		chatarc_status_t status = CHATARC_OK;
		if (!field) {
			strbuf_add(out, t, (size_t)(end - t));
			closing = end;
		} else if (vlen == 0) {
			return chatarc_error_set(err, CHATARC_ERR_USAGE,
			                         "%s: needs a value (for example %s)", field,
			                         !strcmp(field, "from")   ? "from:maya@toot.example"
			                         : !strcmp(field, "date") ? "date:2025-07-17"
			                                                  : "tag:hcsm");
		} else if (!strcmp(field, "date") && !memmem(value, vlen, "..", 2)) {
			status = add_date(out, value, vlen, err);
		} else if (!strcmp(field, "from")) {
			if (*value == '@') { /* from:@maya@toot.example, as a mention is written */
				value++;
				vlen--;
			}
			if (!memchr(value, '@', vlen) && !memchr(value, '.', vlen))
				status = add_any_server(out, value, vlen, authors, ctx, err);
			else
				strbuf_addf(out, "from:%.*s", (int)vlen, value);
		} else {
			strbuf_addf(out, "%s:%.*s", field, (int)vlen, value);
		}
		if (status != CHATARC_OK)
			return status;
		strbuf_add(out, closing, (size_t)(end - closing));
		while (*p == ' ')
			strbuf_addch(out, *p++);
	}
	return CHATARC_OK;
}

static void add_value(void *ctx, const char *value)
{
	strlist_add(ctx, value);
}

chatarc_status_t index_authors_named(void *ctx, const char *name, strlist_t *out,
                                     chatarc_error_t *err)
{
	strbuf_t prefix;
	strbuf_init(&prefix, 0);
	strbuf_addf(&prefix, "%s@", name);
	for (char *p = prefix.buf; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	chatarc_status_t status = xdb_field_values(ctx, "from", prefix.buf, add_value, out, err);
	strbuf_release(&prefix);
	return status;
}

/* A hit's uri, from its stored data (the record as JSON, uri first). */
static CHATARC_MUST_CHECK chatarc_status_t collect_uri(void *ctx, const char *data, double score,
                                                       const char *marked_text,
                                                       chatarc_error_t *err)
{
	yajl_val doc;
	(void)score;
	(void)marked_text;
	if (json_parse(data, &doc, err) != CHATARC_OK)
		return CHATARC_ERR_CORRUPT;
	const char *uri = json_get_string(doc, "uri");
	bool added;
	if (uri)
		urimap_insert(ctx, uri, &added);
	json_free(doc);
	return CHATARC_OK;
}

chatarc_status_t index_matching_uris(const char *data_dir, const chatarc_config_t *config,
                                     const char *query, urimap_t *out, size_t *stale,
                                     chatarc_error_t *err)
{
	xdb_t *db;
	strbuf_t rewritten;
	chatarc_status_t status = index_open_for_search(data_dir, config, &db, stale, err);
	if (status != CHATARC_OK)
		return status;
	strbuf_init(&rewritten, 0);
	status = index_query_rewrite(query, index_authors_named, db, &rewritten, err);
	if (status == CHATARC_OK)
		status = xdb_search(db, rewritten.buf, XDB_SORT_DATE, 0, (size_t)-1 / 2, NULL, NULL,
		                    0, collect_uri, out, NULL, err);
	strbuf_release(&rewritten);
	xdb_close(db);
	return status;
}
