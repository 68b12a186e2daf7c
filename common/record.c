/* Record life cycle, its one JSON form, merging of versions, CSV rows. */
#include "record.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "json.h"
#include "sprinter.h"

/* Every field of the record once, in archive and export order (raw last:
 * the archive reader cuts a line before it). */
enum field_kind {
	FIELD_STRING,
	/* A boost event's own (record_is_boost): written only when set, so a
	 * message's line, its JSON and its CSV columns are as they were. */
	FIELD_BOOST_STRING,
	FIELD_TIME,
	FIELD_LIST,
	FIELD_TEXTS, /* a list of free texts: written with its count before it */
	FIELD_COUNT,
	FIELD_OPTIONAL_COUNT, /* -1: unknown, written as null */
	FIELD_RAW
};
static const struct record_field {
	const char *name;
	enum field_kind kind;
	size_t offset;
	const char *count_name; /* FIELD_TEXTS: the count written before it */
} record_fields[] = {
#define F(name, kind)                                                                              \
	{                                                                                          \
#name, kind, offsetof(chatarc_record_t, name), NULL                                \
	}
    F(uri, FIELD_STRING),
    F(network, FIELD_STRING),
    F(source, FIELD_STRING),
    F(chat, FIELD_STRING),
    {"created_at", FIELD_TIME, offsetof(chatarc_record_t, created_ms), NULL},
    F(author, FIELD_STRING),
    F(author_name, FIELD_STRING),
    F(text, FIELD_STRING),
    F(content_warning, FIELD_STRING),
    F(lang, FIELD_STRING),
    F(url, FIELD_STRING),
    F(native_id, FIELD_STRING),
    F(reply_to, FIELD_STRING),
    F(reply_to_id, FIELD_STRING),
    F(reply_to_account, FIELD_STRING),
    F(thread_root, FIELD_STRING),
    F(quote_of, FIELD_STRING),
    F(boost_of, FIELD_BOOST_STRING),
    F(boost_of_account, FIELD_BOOST_STRING),
    F(tags, FIELD_LIST),
    F(mentions, FIELD_LIST),
    F(links, FIELD_LIST),
    {"media_alt", FIELD_TEXTS, offsetof(chatarc_record_t, media_alt), "media_count"},
    F(replies, FIELD_COUNT),
    F(reposts, FIELD_COUNT),
    F(likes, FIELD_COUNT),
    F(author_followers, FIELD_OPTIONAL_COUNT),
    F(edited_at, FIELD_STRING),
    F(raw, FIELD_RAW),
#undef F
};
#define N_FIELDS (sizeof record_fields / sizeof *record_fields)

static char **string_at(const chatarc_record_t *r, const struct record_field *f)
{
	return (char **)((char *)r + f->offset);
}

static strlist_t *list_at(const chatarc_record_t *r, const struct record_field *f)
{
	return (strlist_t *)((char *)r + f->offset);
}

static long long *count_at(const chatarc_record_t *r, const struct record_field *f)
{
	return (long long *)((char *)r + f->offset);
}

bool record_author_identity(const chatarc_record_t *r, strbuf_t *out)
{
	const char *uri = r->uri ? r->uri : "";
	if (!strncmp(uri, "at://did:", 9)) {
		strbuf_add(out, uri + 5, strcspn(uri + 5, "/"));
		return true;
	}
	/* Mastodon's status uri is its actor's uri + /statuses/ID. */
	const char *statuses = strstr(uri, "/statuses/");
	if (r->network && !strcmp(r->network, "mastodon") && statuses && strstr(uri, "/users/")) {
		strbuf_add(out, uri, (size_t)(statuses - uri));
		return true;
	}
	yajl_val raw;
	chatarc_error_t ignored;
	if (!r->raw || json_parse(r->raw, &raw, &ignored) != CHATARC_OK)
		return false;
	const char *account = json_get_string(json_get(raw, "account"), "uri");
	const char *user = json_get_string(json_get(raw, "user"), "id_str");
	const char *author_id = json_get_string(raw, "author_id");
	bool found = true;
	if (account && !strncmp(account, "http", 4))
		strbuf_addstr(out, account);
	else if (user || author_id)
		strbuf_addf(out, "twitter:%s", user ? user : author_id);
	else
		found = false;
	json_free(raw);
	return found;
}

bool record_is_reply(const chatarc_record_t *r)
{
	return (r->reply_to && *r->reply_to) || (r->reply_to_id && *r->reply_to_id);
}

void record_init(chatarc_record_t *r)
{
	memset(r, 0, sizeof *r);
	r->author_followers = -1;
}

void record_clear(chatarc_record_t *r)
{
	for (size_t i = 0; i < N_FIELDS; i++) {
		const struct record_field *f = &record_fields[i];
		if (f->kind == FIELD_STRING || f->kind == FIELD_BOOST_STRING ||
		    f->kind == FIELD_RAW)
			free(*string_at(r, f));
		else if (f->kind == FIELD_LIST || f->kind == FIELD_TEXTS)
			strlist_clear(list_at(r, f));
	}
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
	dst->created_ms = src->created_ms;
	for (size_t i = 0; i < N_FIELDS; i++) {
		const struct record_field *f = &record_fields[i];
		if (f->kind == FIELD_STRING || f->kind == FIELD_BOOST_STRING ||
		    f->kind == FIELD_RAW)
			record_set(string_at(dst, f), *string_at(src, f));
		else if (f->kind == FIELD_LIST || f->kind == FIELD_TEXTS)
			copy_list(list_at(dst, f), list_at(src, f));
		else if (f->kind == FIELD_COUNT || f->kind == FIELD_OPTIONAL_COUNT)
			*count_at(dst, f) = *count_at(src, f);
	}
}

void record_write_fields(sprinter_t *sp, const chatarc_record_t *r)
{
	char created[CHATARC_TIME_ISO_LEN];

	time_format_iso(r->created_ms, created);
	for (size_t i = 0; i < N_FIELDS; i++) {
		const struct record_field *f = &record_fields[i];
		switch (f->kind) {
		case FIELD_STRING: sp->nullable(sp, f->name, *string_at(r, f)); break;
		case FIELD_BOOST_STRING:
			if (*string_at(r, f))
				sp->string(sp, f->name, *string_at(r, f));
			break;
		case FIELD_TIME: sp->nullable(sp, f->name, created); break;
		case FIELD_LIST: {
			const strlist_t *list = list_at(r, f);
			sp->begin_list(sp, f->name);
			for (size_t k = 0; k < list->len; k++)
				sp->string(sp, f->name, list->items[k]);
			sp->end_list(sp);
			break;
		}
		case FIELD_TEXTS: {
			/* The count first: what a CSV reader wants without parsing
			 * the list. */
			const strlist_t *list = list_at(r, f);
			sp->integer(sp, f->count_name, (long long)list->len);
			sp->texts(sp, f->name, list);
			break;
		}
		case FIELD_COUNT: sp->integer(sp, f->name, *count_at(r, f)); break;
		case FIELD_OPTIONAL_COUNT:
			if (*count_at(r, f) >= 0)
				sp->integer(sp, f->name, *count_at(r, f));
			else
				sp->nullable(sp, f->name, NULL);
			break;
		case FIELD_RAW: sp->raw_json(sp, f->name, r->raw); break;
		}
	}
}

/* The record as one object (a JSON line, a CSV row). */
static void record_write(sprinter_t *sp, const chatarc_record_t *r)
{
	sp->begin_object(sp, "message");
	record_write_fields(sp, r);
	sp->end_object(sp);
}

void record_to_json(const chatarc_record_t *r, strbuf_t *out)
{
	struct sprinter_json json;
	sprinter_json_init(&json, out);
	record_write(&json.sp, r);
}

/* A count that may be unknown: null or missing is -1. */
static long long read_optional_count(yajl_val doc, const char *key)
{
	yajl_val v = json_get(doc, key);
	return YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) >= 0 ? YAJL_GET_INTEGER(v) : -1;
}

/* The raw object's text in an archive line: raw is written last
 * (record_to_json), and `,"raw":` cannot occur before it (the fields before
 * it are strings, whose quotes are escaped, lists of strings and numbers).
 * NULL when the line has no raw at the end. */
static const char *raw_text(const char *line, size_t *len)
{
	const char *raw = strstr(line, ",\"raw\":");
	size_t line_len = strlen(line);
	if (!raw || line_len < 2 || line[line_len - 1] != '}')
		return NULL;
	raw += 7;
	*len = (size_t)(line + line_len - 1 - raw);
	return raw;
}

/* Each field's value in a parsed line (NULL when absent), its keys walked
 * once: lines hold the fields in record_fields' order, so the next field is
 * tried first and one comparison finds it (json_get per field was a tenth
 * of reading an archive). */
static void field_values(yajl_val doc, yajl_val values[N_FIELDS])
{
	size_t next = 0;
	memset(values, 0, N_FIELDS * sizeof *values);
	if (!YAJL_IS_OBJECT(doc))
		return;
	for (size_t k = 0; k < doc->u.object.len; k++) {
		const char *key = doc->u.object.keys[k];
		size_t i =
		    next < N_FIELDS && !strcmp(record_fields[next].name, key) ? next : N_FIELDS;
		for (size_t j = 0; i == N_FIELDS && j < N_FIELDS; j++)
			if (!strcmp(record_fields[j].name, key))
				i = j;
		if (i == N_FIELDS)
			continue; /* not a field of this chatarc (a newer one's) */
		if (!values[i])
			values[i] = doc->u.object.values[k];
		next = i + 1;
	}
}

chatarc_status_t record_from_json(const char *line, chatarc_record_t *r, chatarc_error_t *err)
{
	yajl_val doc;
	const char *created;
	/* raw is most of a line: its text is taken as it stands, and only the
	 * fields before it are parsed (a tree of raw was half of export). */
	size_t raw_len = 0;
	const char *raw = raw_text(line, &raw_len);
	chatarc_status_t status;
	if (raw) {
		size_t head = (size_t)(raw - 7 - line);
		char *fields = xmalloc(head + 2);
		memcpy(fields, line, head);
		fields[head] = '}';
		fields[head + 1] = '\0';
		status = json_parse(fields, &doc, err);
		free(fields);
		/* Checked whole as before: a line whose raw is not JSON is damaged. */
		if (status == CHATARC_OK && !json_text_valid(raw, raw_len)) {
			json_free(doc);
			status = chatarc_error_set(err, CHATARC_ERR_JSON, "invalid JSON in raw");
		}
	} else {
		status = json_parse(line, &doc, err);
	}

	if (status != CHATARC_OK)
		return status;
	record_init(r);
	yajl_val values[N_FIELDS];
	field_values(doc, values);
	created = NULL;
	const char *uri = NULL;
	for (size_t i = 0; i < N_FIELDS; i++) {
		if (record_fields[i].kind == FIELD_TIME && YAJL_IS_STRING(values[i]))
			created = values[i]->u.string;
		else if (!strcmp(record_fields[i].name, "uri") && YAJL_IS_STRING(values[i]))
			uri = values[i]->u.string;
	}
	if (!uri || !created || !time_parse_iso8601(created, &r->created_ms)) {
		json_free(doc);
		return chatarc_error_set(err, CHATARC_ERR_FORMAT,
		                         "not a chatarc record (needs uri and created_at)");
	}
	for (size_t i = 0; i < N_FIELDS; i++) {
		const struct record_field *f = &record_fields[i];
		yajl_val v = values[i];
		if (f->kind == FIELD_STRING || f->kind == FIELD_BOOST_STRING) {
			record_set(string_at(r, f), YAJL_IS_STRING(v) ? v->u.string : NULL);
		} else if (f->kind == FIELD_LIST || f->kind == FIELD_TEXTS) {
			for (size_t k = 0; k < json_array_len(v); k++)
				if (YAJL_IS_STRING(v->u.array.values[k]))
					strlist_add(list_at(r, f), v->u.array.values[k]->u.string);
		} else if (f->kind == FIELD_COUNT) {
			*count_at(r, f) = json_count_of(v);
		} else if (f->kind == FIELD_OPTIONAL_COUNT) {
			*count_at(r, f) = YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) >= 0
			                      ? YAJL_GET_INTEGER(v)
			                      : -1;
		} else if (f->kind == FIELD_RAW && raw) {
			r->raw = xstrndup(raw, raw_len);
		} else if (f->kind == FIELD_RAW) {
			strbuf_t text;
			strbuf_init(&text, 0);
			json_add_value(&text, v);
			r->raw = strbuf_detach(&text, NULL);
		}
	}
	json_free(doc);
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

static chatarc_ms_t edited_ms(const char *edited_at)
{
	chatarc_ms_t ms = 0;
	return edited_at && time_parse_iso8601(edited_at, &ms) ? ms : 0;
}

bool record_merge(chatarc_record_t *into, const chatarc_record_t *later)
{
	bool changed = false;

	if (edited_ms(later->edited_at) > edited_ms(into->edited_at)) {
		/* The author edited it since: the edit is the text now. */
		record_set(&into->text, later->text);
		record_set(&into->raw, later->raw);
		record_set(&into->edited_at, later->edited_at);
		changed = true;
	} else if (edited_ms(later->edited_at) == edited_ms(into->edited_at) &&
	           text_len(later) > text_len(into)) {
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
	changed |= fill_missing(&into->native_id, later->native_id);
	changed |= fill_missing(&into->reply_to, later->reply_to);
	changed |= fill_missing(&into->reply_to_id, later->reply_to_id);
	changed |= fill_missing(&into->reply_to_account, later->reply_to_account);
	changed |= fill_missing(&into->content_warning, later->content_warning);
	changed |= fill_missing(&into->lang, later->lang);
	changed |= fill_missing(&into->thread_root, later->thread_root);
	changed |= fill_missing(&into->quote_of, later->quote_of);
	changed |= fill_missing(&into->boost_of, later->boost_of);
	changed |= fill_missing(&into->boost_of_account, later->boost_of_account);
	changed |= fill_list(&into->media_alt, &later->media_alt);
	changed |= raise_count(&into->author_followers, later->author_followers);
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
                             const char *native_id, long long replies, long long reposts,
                             long long likes, const char *edited_at, unsigned detail_fields,
                             record_summary_t *out)
{
	out->detail_fields = detail_fields;
	size_t len = text ? strlen(text) : 0;
	out->edited_ms = edited_ms(edited_at);
	out->text_len = len > 0xffffffffu ? 0xffffffffu : (unsigned)len;
	out->replies = clamp_count(replies);
	out->reposts = clamp_count(reposts);
	out->likes = clamp_count(likes);
	out->has_author_name = author_name && *author_name;
	out->has_reply_to = reply_to && *reply_to;
	/* Records archived before native ids were kept take them from a
	 * re-import (with the reply's id and account). */
	out->has_native_id = native_id && *native_id;
}

static unsigned present(const char *s)
{
	return s && *s;
}

void record_summarise(const chatarc_record_t *r, record_summary_t *out)
{
	unsigned details = present(r->content_warning) + present(r->lang) +
	                   present(r->thread_root) + present(r->quote_of) + (r->media_alt.len > 0) +
	                   (r->author_followers >= 0);
	summarise_fields(r->text, r->author_name, r->reply_to, r->native_id, r->replies, r->reposts,
	                 r->likes, r->edited_at, details, out);
}

void record_summary_from_json(struct yajl_val_s *doc, record_summary_t *out)
{
	unsigned details = present(json_get_string(doc, "content_warning")) +
	                   present(json_get_string(doc, "lang")) +
	                   present(json_get_string(doc, "thread_root")) +
	                   present(json_get_string(doc, "quote_of")) +
	                   (json_array_len(json_get(doc, "media_alt")) > 0) +
	                   (read_optional_count(doc, "author_followers") >= 0);
	summarise_fields(json_get_string(doc, "text"), json_get_string(doc, "author_name"),
	                 json_get_string(doc, "reply_to"), json_get_string(doc, "native_id"),
	                 json_get_count(doc, "replies"), json_get_count(doc, "reposts"),
	                 json_get_count(doc, "likes"), json_get_string(doc, "edited_at"), details,
	                 out);
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
	if (later->edited_ms > stored->edited_ms) {
		stored->edited_ms = later->edited_ms;
		stored->text_len = later->text_len;
		changed = true;
	} else if (later->edited_ms == stored->edited_ms) {
		changed |= raise_unsigned(&stored->text_len, later->text_len);
	}
	changed |= raise_unsigned(&stored->replies, later->replies);
	changed |= raise_unsigned(&stored->reposts, later->reposts);
	changed |= raise_unsigned(&stored->likes, later->likes);
	changed |= raise_flag(&stored->has_author_name, later->has_author_name);
	changed |= raise_flag(&stored->has_reply_to, later->has_reply_to);
	changed |= raise_flag(&stored->has_native_id, later->has_native_id);
	changed |= raise_unsigned(&stored->detail_fields, later->detail_fields);
	return changed;
}

void record_csv_header(strbuf_t *out, const char *const *more)
{
	for (size_t i = 0; i < N_FIELDS; i++) {
		const struct record_field *f = &record_fields[i];
		if (f->kind == FIELD_RAW || f->kind == FIELD_BOOST_STRING)
			continue;
		if (i)
			strbuf_addch(out, ',');
		if (f->kind == FIELD_TEXTS)
			strbuf_addf(out, "%s,", f->count_name);
		strbuf_addstr(out, f->name);
	}
	for (; more && *more; more++)
		strbuf_addf(out, ",%s", *more);
	strbuf_add(out, "\r\n", 2);
}

/* Every field but raw; lists space-separated, free texts (alt texts) as a
 * JSON array. */
void record_to_csv(const chatarc_record_t *r, strbuf_t *out)
{
	struct sprinter_csv csv;
	sprinter_csv_init(&csv, out);
	record_write(&csv.sp, r);
	sprinter_csv_release(&csv);
}

const char *record_hashtag_end(const char *p, const char *tag)
{
	size_t len = strlen(tag);
	if (*p != '#' || strncasecmp(p + 1, tag, len))
		return NULL;
	const char *after = p + 1 + len;
	return isalnum((unsigned char)*after) || *after == '_' ? NULL : after;
}
