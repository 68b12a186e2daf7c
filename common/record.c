/* Record life cycle, its one JSON form, merging of versions, CSV rows. */
#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

const char *const record_field_names[] = {
    "uri",         "network", "source",  "chat",     "created_at", "author",
    "author_name", "text",    "url",     "reply_to", "tags",       "mentions",
    "links",       "replies", "reposts", "likes",    "raw",        NULL};

static char *xstrdup(const char *s)
{
	char *copy = strdup(s);
	if (!copy) {
		fputs("chatarc: out of memory\n", stderr);
		abort();
	}
	return copy;
}

void strlist_add(strlist_t *list, const char *s)
{
	if (list->len == list->alloc) {
		list->alloc = list->alloc ? list->alloc * 2 : 4;
		list->items = realloc(list->items, list->alloc * sizeof *list->items);
		if (!list->items)
			abort();
	}
	list->items[list->len++] = xstrdup(s);
}

void strlist_add_unique(strlist_t *list, const char *s)
{
	for (size_t i = 0; i < list->len; i++)
		if (!strcmp(list->items[i], s))
			return;
	strlist_add(list, s);
}

void strlist_clear(strlist_t *list)
{
	for (size_t i = 0; i < list->len; i++)
		free(list->items[i]);
	free(list->items);
	memset(list, 0, sizeof *list);
}

void record_init(chatarc_record_t *r)
{
	memset(r, 0, sizeof *r);
}

void record_clear(chatarc_record_t *r)
{
	char **strings[] = {&r->uri,         &r->network, &r->source, &r->chat,     &r->author,
	                    &r->author_name, &r->text,    &r->url,    &r->reply_to, &r->raw};
	for (size_t i = 0; i < sizeof strings / sizeof *strings; i++)
		free(*strings[i]);
	strlist_clear(&r->tags);
	strlist_clear(&r->mentions);
	strlist_clear(&r->links);
	record_init(r);
}

void record_set(char **field, const char *value)
{
	free(*field);
	*field = value ? xstrdup(value) : NULL;
}

static void copy_list(strlist_t *dst, const strlist_t *src)
{
	for (size_t i = 0; i < src->len; i++)
		strlist_add(dst, src->items[i]);
}

void record_copy(chatarc_record_t *dst, const chatarc_record_t *src)
{
	record_init(dst);
	record_set(&dst->uri, src->uri);
	record_set(&dst->network, src->network);
	record_set(&dst->source, src->source);
	record_set(&dst->chat, src->chat);
	dst->created_ms = src->created_ms;
	record_set(&dst->author, src->author);
	record_set(&dst->author_name, src->author_name);
	record_set(&dst->text, src->text);
	record_set(&dst->url, src->url);
	record_set(&dst->reply_to, src->reply_to);
	copy_list(&dst->tags, &src->tags);
	copy_list(&dst->mentions, &src->mentions);
	copy_list(&dst->links, &src->links);
	dst->replies = src->replies;
	dst->reposts = src->reposts;
	dst->likes = src->likes;
	record_set(&dst->raw, src->raw);
}

static void add_key(strbuf_t *out, const char *key)
{
	strbuf_addch(out, '"');
	strbuf_addstr(out, key);
	strbuf_add(out, "\":", 2);
}

static void add_string_field(strbuf_t *out, const char *key, const char *value)
{
	add_key(out, key);
	if (value)
		json_add_string(out, value);
	else
		strbuf_add(out, "null", 4);
	strbuf_addch(out, ',');
}

static void add_list_field(strbuf_t *out, const char *key, const strlist_t *list)
{
	add_key(out, key);
	strbuf_addch(out, '[');
	for (size_t i = 0; i < list->len; i++) {
		if (i)
			strbuf_addch(out, ',');
		json_add_string(out, list->items[i]);
	}
	strbuf_add(out, "],", 2);
}

void record_to_json(const chatarc_record_t *r, strbuf_t *out)
{
	char created[CHATARC_TIME_ISO_LEN];

	time_format_iso(r->created_ms, created);
	strbuf_addch(out, '{');
	add_string_field(out, "uri", r->uri);
	add_string_field(out, "network", r->network);
	add_string_field(out, "source", r->source);
	add_string_field(out, "chat", r->chat);
	add_string_field(out, "created_at", created);
	add_string_field(out, "author", r->author);
	add_string_field(out, "author_name", r->author_name);
	add_string_field(out, "text", r->text);
	add_string_field(out, "url", r->url);
	add_string_field(out, "reply_to", r->reply_to);
	add_list_field(out, "tags", &r->tags);
	add_list_field(out, "mentions", &r->mentions);
	add_list_field(out, "links", &r->links);
	strbuf_addf(out, "\"replies\":%lld,\"reposts\":%lld,\"likes\":%lld,\"raw\":", r->replies,
	            r->reposts, r->likes);
	strbuf_addstr(out, r->raw ? r->raw : "null");
	strbuf_addch(out, '}');
}

static void read_list(yajl_val doc, const char *key, strlist_t *list)
{
	yajl_val arr = json_get(doc, key);
	for (size_t i = 0; i < json_array_len(arr); i++)
		if (YAJL_IS_STRING(arr->u.array.values[i]))
			strlist_add(list, arr->u.array.values[i]->u.string);
}

chatarc_status_t record_from_json(const char *line, chatarc_record_t *r, chatarc_error_t *err)
{
	yajl_val doc;
	chatarc_status_t status = json_parse(line, &doc, err);
	const char *created;

	if (status != CHATARC_OK)
		return status;
	record_init(r);
	created = json_get_string(doc, "created_at");
	if (!json_get_string(doc, "uri") || !created ||
	    !time_parse_iso8601(created, &r->created_ms)) {
		yajl_tree_free(doc);
		return chatarc_error_set(err, CHATARC_ERR_FORMAT,
		                         "not a chatarc record (needs uri and created_at)");
	}
	record_set(&r->uri, json_get_string(doc, "uri"));
	record_set(&r->network, json_get_string(doc, "network"));
	record_set(&r->source, json_get_string(doc, "source"));
	record_set(&r->chat, json_get_string(doc, "chat"));
	record_set(&r->author, json_get_string(doc, "author"));
	record_set(&r->author_name, json_get_string(doc, "author_name"));
	record_set(&r->text, json_get_string(doc, "text"));
	record_set(&r->url, json_get_string(doc, "url"));
	record_set(&r->reply_to, json_get_string(doc, "reply_to"));
	read_list(doc, "tags", &r->tags);
	read_list(doc, "mentions", &r->mentions);
	read_list(doc, "links", &r->links);
	r->replies = json_get_count(doc, "replies");
	r->reposts = json_get_count(doc, "reposts");
	r->likes = json_get_count(doc, "likes");
	strbuf_t raw;
	strbuf_init(&raw, 0);
	json_add_value(&raw, json_get(doc, "raw"));
	r->raw = strbuf_detach(&raw, NULL);
	yajl_tree_free(doc);
	return CHATARC_OK;
}

static size_t text_len(const chatarc_record_t *r)
{
	return r->text ? strlen(r->text) : 0;
}

static bool fill_missing(char **into, const char *from)
{
	if ((*into && **into) || !from || !*from)
		return false;
	record_set(into, from);
	return true;
}

static bool fill_list(strlist_t *into, const strlist_t *from)
{
	if (into->len || !from->len)
		return false;
	for (size_t i = 0; i < from->len; i++)
		strlist_add(into, from->items[i]);
	return true;
}

static bool raise_count(long long *into, long long from)
{
	if (from <= *into)
		return false;
	*into = from;
	return true;
}

bool record_merge(chatarc_record_t *into, const chatarc_record_t *later)
{
	bool changed = false;

	if (text_len(later) > text_len(into)) {
		/* The fuller text (a v1.1 truncated tweet against its full form)
		 * brings the object it came from. */
		record_set(&into->text, later->text);
		record_set(&into->raw, later->raw);
		record_set(&into->source, later->source);
		changed = true;
	}
	changed |= fill_missing(&into->author_name, later->author_name);
	changed |= fill_missing(&into->author, later->author);
	changed |= fill_missing(&into->url, later->url);
	changed |= fill_missing(&into->reply_to, later->reply_to);
	changed |= fill_list(&into->tags, &later->tags);
	changed |= fill_list(&into->mentions, &later->mentions);
	changed |= fill_list(&into->links, &later->links);
	changed |= raise_count(&into->replies, later->replies);
	changed |= raise_count(&into->reposts, later->reposts);
	changed |= raise_count(&into->likes, later->likes);
	return changed;
}

static unsigned clamp_count(long long n)
{
	return n > 0xffffffffLL ? 0xffffffffu : (unsigned)n;
}

static void summarise_fields(const char *text, const char *author_name, const char *reply_to,
                             long long replies, long long reposts, long long likes,
                             record_summary_t *out)
{
	size_t len = text ? strlen(text) : 0;
	out->text_len = len > 0xffffffffu ? 0xffffffffu : (unsigned)len;
	out->replies = clamp_count(replies);
	out->reposts = clamp_count(reposts);
	out->likes = clamp_count(likes);
	out->has_author_name = author_name && *author_name;
	out->has_reply_to = reply_to && *reply_to;
}

void record_summarise(const chatarc_record_t *r, record_summary_t *out)
{
	summarise_fields(r->text, r->author_name, r->reply_to, r->replies, r->reposts, r->likes,
	                 out);
}

void record_summary_from_json(yajl_val doc, record_summary_t *out)
{
	summarise_fields(json_get_string(doc, "text"), json_get_string(doc, "author_name"),
	                 json_get_string(doc, "reply_to"), json_get_count(doc, "replies"),
	                 json_get_count(doc, "reposts"), json_get_count(doc, "likes"), out);
}

static bool raise_unsigned(unsigned *into, unsigned from)
{
	if (from <= *into)
		return false;
	*into = from;
	return true;
}

static bool raise_flag(bool *into, bool from)
{
	if (*into || !from)
		return false;
	*into = true;
	return true;
}

bool record_summary_merge(record_summary_t *stored, const record_summary_t *later)
{
	bool changed = false;
	changed |= raise_unsigned(&stored->text_len, later->text_len);
	changed |= raise_unsigned(&stored->replies, later->replies);
	changed |= raise_unsigned(&stored->reposts, later->reposts);
	changed |= raise_unsigned(&stored->likes, later->likes);
	changed |= raise_flag(&stored->has_author_name, later->has_author_name);
	changed |= raise_flag(&stored->has_reply_to, later->has_reply_to);
	return changed;
}

static void csv_field(strbuf_t *out, const char *s)
{
	if (!s)
		s = "";
	if (!strpbrk(s, ",\"\r\n")) {
		strbuf_addstr(out, s);
		return;
	}
	strbuf_addch(out, '"');
	for (; *s; s++) {
		if (*s == '"')
			strbuf_addch(out, '"');
		strbuf_addch(out, *s);
	}
	strbuf_addch(out, '"');
}

static void csv_list(strbuf_t *out, const strlist_t *list)
{
	strbuf_t joined;
	strbuf_init(&joined, 0);
	for (size_t i = 0; i < list->len; i++) {
		if (i)
			strbuf_addch(&joined, ' ');
		strbuf_addstr(&joined, list->items[i]);
	}
	csv_field(out, joined.buf);
	strbuf_release(&joined);
}

void record_csv_header(strbuf_t *out)
{
	for (size_t i = 0; record_field_names[i + 1]; i++) {
		if (i)
			strbuf_addch(out, ',');
		strbuf_addstr(out, record_field_names[i]);
	}
	strbuf_add(out, "\r\n", 2);
}

void record_to_csv(const chatarc_record_t *r, strbuf_t *out)
{
	char created[CHATARC_TIME_ISO_LEN];
	const char *strings[] = {r->uri,    r->network,     r->source, r->chat, created,
	                         r->author, r->author_name, r->text,   r->url,  r->reply_to};

	time_format_iso(r->created_ms, created);
	for (size_t i = 0; i < sizeof strings / sizeof *strings; i++) {
		csv_field(out, strings[i]);
		strbuf_addch(out, ',');
	}
	csv_list(out, &r->tags);
	strbuf_addch(out, ',');
	csv_list(out, &r->mentions);
	strbuf_addch(out, ',');
	csv_list(out, &r->links);
	strbuf_addf(out, ",%lld,%lld,%lld\r\n", r->replies, r->reposts, r->likes);
}
