/* The formats of sprinter.h. */
#include "sprinter.h"

#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "json.h"

/* ---- JSON ---- */

static void json_key(struct sprinter_json *j, const char *name)
{
	if (!j->first[j->depth])
		strbuf_addch(j->out, ',');
	j->first[j->depth] = false;
	if (j->depth > 0 && !j->in_list[j->depth]) {
		json_add_string(j->out, name);
		strbuf_addch(j->out, ':');
	}
}

static void json_open(struct sprinter_json *j, const char *name, char bracket, bool list)
{
	json_key(j, name);
	strbuf_addch(j->out, bracket);
	j->depth++;
	j->first[j->depth] = true;
	j->in_list[j->depth] = list;
}

static void json_begin_object(sprinter_t *sp, const char *name)
{
	json_open((struct sprinter_json *)sp, name, '{', false);
}

static void json_begin_list(sprinter_t *sp, const char *name)
{
	json_open((struct sprinter_json *)sp, name, '[', true);
}

static void json_end_object(sprinter_t *sp)
{
	struct sprinter_json *j = (struct sprinter_json *)sp;
	j->depth--;
	strbuf_addch(j->out, '}');
}

static void json_end_list(sprinter_t *sp)
{
	struct sprinter_json *j = (struct sprinter_json *)sp;
	j->depth--;
	strbuf_addch(j->out, ']');
}

static void json_string(sprinter_t *sp, const char *name, const char *value)
{
	struct sprinter_json *j = (struct sprinter_json *)sp;
	if (!value)
		return;
	json_key(j, name);
	json_add_string(j->out, value);
}

static void json_nullable(sprinter_t *sp, const char *name, const char *value)
{
	struct sprinter_json *j = (struct sprinter_json *)sp;
	json_key(j, name);
	if (value)
		json_add_string(j->out, value);
	else
		strbuf_add(j->out, "null", 4);
}

void sprinter_json_members(struct sprinter_json *j, const char *object)
{
	size_t len = strlen(object);
	while (len && (object[len - 1] == '\n' || object[len - 1] == ' '))
		len--;
	if (len < 2 || object[0] != '{' || object[len - 1] != '}' || len == 2)
		return;
	if (!j->first[j->depth])
		strbuf_addch(j->out, ',');
	j->first[j->depth] = false;
	strbuf_add(j->out, object + 1, len - 2);
}

static void json_text(sprinter_t *sp, const char *name, const char *value)
{
	struct sprinter_json *j = (struct sprinter_json *)sp;
	json_key(j, name);
	json_add_string(j->out, value ? value : "");
}

static void json_integer(sprinter_t *sp, const char *name, long long value)
{
	struct sprinter_json *j = (struct sprinter_json *)sp;
	json_key(j, name);
	strbuf_add_integer(j->out, value);
}

static void json_number(sprinter_t *sp, const char *name, double value)
{
	struct sprinter_json *j = (struct sprinter_json *)sp;
	json_key(j, name);
	strbuf_addf(j->out, "%.4f", value);
}

static void json_boolean(sprinter_t *sp, const char *name, bool value)
{
	struct sprinter_json *j = (struct sprinter_json *)sp;
	if (!value)
		return;
	json_key(j, name);
	strbuf_addstr(j->out, "true");
}

static void json_raw(sprinter_t *sp, const char *name, const char *json)
{
	struct sprinter_json *j = (struct sprinter_json *)sp;
	json_key(j, name);
	strbuf_addstr(j->out, json ? json : "null");
}

void sprinter_texts_as_list(sprinter_t *sp, const char *name, const strlist_t *items)
{
	sp->begin_list(sp, name);
	for (size_t i = 0; i < items->len; i++)
		sp->string(sp, name, items->items[i]);
	sp->end_list(sp);
}

void sprinter_json_init(struct sprinter_json *json, strbuf_t *out)
{
	memset(json, 0, sizeof *json);
	json->sp = (sprinter_t){json_begin_object, json_end_object, json_begin_list,
	                        json_end_list,     json_string,     json_nullable,
	                        json_integer,      json_number,     json_boolean,
	                        json_text,         json_raw,        sprinter_texts_as_list};
	json->out = out;
	json->first[0] = true;
}

/* ---- CSV ---- */

static bool csv_formula(const char *s)
{
	return *s && strchr("=+-@\t\r", *s);
}

static void csv_quoted(strbuf_t *out, const char *s, bool neutralise)
{
	bool formula = neutralise && csv_formula(s);
	if (!formula && !strpbrk(s, ",\"\r\n")) {
		strbuf_addstr(out, s);
		return;
	}
	strbuf_addch(out, '"');
	if (formula)
		strbuf_addch(out, '\'');
	for (; *s; s++) {
		if (*s == '"')
			strbuf_addch(out, '"');
		strbuf_addch(out, *s);
	}
	strbuf_addch(out, '"');
}

static void csv_field(struct sprinter_csv *c, const char *value, bool text)
{
	if (c->in_list) {
		if (!c->list_empty)
			strbuf_addch(&c->list, ' ');
		c->list_empty = false;
		strbuf_addstr(&c->list, value ? value : "");
		return;
	}
	if (!c->first_field)
		strbuf_addch(c->out, ',');
	c->first_field = false;
	csv_quoted(c->out, value ? value : "", text && !c->raw);
}

static void csv_begin_object(sprinter_t *sp, const char *name)
{
	(void)name;
	((struct sprinter_csv *)sp)->first_field = true;
}

static void csv_end_object(sprinter_t *sp)
{
	strbuf_add(((struct sprinter_csv *)sp)->out, "\r\n", 2);
}

static void csv_begin_list(sprinter_t *sp, const char *name)
{
	struct sprinter_csv *c = (struct sprinter_csv *)sp;
	(void)name;
	c->in_list = true;
	c->list_empty = true;
	strbuf_reset(&c->list);
}

static void csv_end_list(sprinter_t *sp)
{
	struct sprinter_csv *c = (struct sprinter_csv *)sp;
	c->in_list = false;
	csv_field(c, c->list.buf, true);
}

static void csv_string(sprinter_t *sp, const char *name, const char *value)
{
	(void)name;
	csv_field((struct sprinter_csv *)sp, value, true);
}

static void csv_integer(sprinter_t *sp, const char *name, long long value)
{
	char buf[32];
	(void)name;
	snprintf(buf, sizeof buf, "%lld", value);
	csv_field((struct sprinter_csv *)sp, buf, false);
}

static void csv_number(sprinter_t *sp, const char *name, double value)
{
	char buf[64];
	(void)name;
	snprintf(buf, sizeof buf, "%.4f", value);
	csv_field((struct sprinter_csv *)sp, buf, false);
}

static void csv_boolean(sprinter_t *sp, const char *name, bool value)
{
	(void)name;
	csv_field((struct sprinter_csv *)sp, value ? "true" : "false", false);
}

static void csv_texts(sprinter_t *sp, const char *name, const strlist_t *items)
{
	strbuf_t array;
	strbuf_init(&array, 64);
	strbuf_addch(&array, '[');
	for (size_t i = 0; i < items->len; i++) {
		if (i)
			strbuf_addch(&array, ',');
		json_add_string(&array, items->items[i]);
	}
	strbuf_addch(&array, ']');
	csv_string(sp, name, array.buf);
	strbuf_release(&array);
}

/* CSV and XML carry no original objects. */
void sprinter_no_raw(sprinter_t *sp, const char *name, const char *json)
{
	(void)sp, (void)name, (void)json;
}

void sprinter_csv_init(struct sprinter_csv *csv, strbuf_t *out)
{
	memset(csv, 0, sizeof *csv);
	csv->sp = (sprinter_t){csv_begin_object, csv_end_object, csv_begin_list,  csv_end_list,
	                       csv_string,       csv_string,     csv_integer,     csv_number,
	                       csv_boolean,      csv_string,     sprinter_no_raw, csv_texts};
	csv->out = out;
	strbuf_init(&csv->list, 0);
}

void sprinter_csv_release(struct sprinter_csv *csv)
{
	strbuf_release(&csv->list);
}
