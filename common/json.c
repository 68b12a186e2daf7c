/* yajl tree access and JSON writing. */
#include "json.h"

#include "alloc.h"
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

yajl_val json_get(yajl_val obj, const char *key)
{
	if (!YAJL_IS_OBJECT(obj))
		return NULL;
	/* The first byte first: most keys differ there, and a call to
	 * strcmp per key was a twentieth of an import. */
	for (size_t i = 0; i < obj->u.object.len; i++)
		if (obj->u.object.keys[i][0] == key[0] && !strcmp(obj->u.object.keys[i], key))
			return obj->u.object.values[i];
	return NULL;
}

yajl_val json_get_path(yajl_val obj, const char *const *path)
{
	for (; obj && *path; path++)
		obj = json_get(obj, *path);
	return obj;
}

const char *json_get_string(yajl_val obj, const char *key)
{
	yajl_val v = json_get(obj, key);
	return YAJL_IS_STRING(v) ? v->u.string : NULL;
}

static const char *json_type_name(yajl_val v)
{
	if (YAJL_IS_OBJECT(v))
		return "an object";
	if (YAJL_IS_ARRAY(v))
		return "an array";
	if (YAJL_IS_NUMBER(v))
		return "a number";
	if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
		return "a boolean";
	if (YAJL_IS_NULL(v))
		return "null";
	return "a string";
}

chatarc_status_t json_require_string(yajl_val obj, const char *key, const char *what,
                                     const char **out, chatarc_error_t *err)
{
	yajl_val v = json_get(obj, key);
	if (!v)
		return chatarc_error_set(err, CHATARC_ERR_FORMAT, "%s has no \"%s\"", what, key);
	if (!YAJL_IS_STRING(v))
		return chatarc_error_set(err, CHATARC_ERR_FORMAT,
		                         "%s: \"%s\" should be a string, found %s", what, key,
		                         json_type_name(v));
	*out = v->u.string;
	return CHATARC_OK;
}

chatarc_status_t json_optional_string(yajl_val obj, const char *key, const char *what,
                                      const char **out, chatarc_error_t *err)
{
	yajl_val v = json_get(obj, key);
	*out = NULL;
	if (!v || YAJL_IS_NULL(v))
		return CHATARC_OK;
	return json_require_string(obj, key, what, out, err);
}

long long json_get_count(yajl_val obj, const char *key)
{
	return json_count_of(json_get(obj, key));
}

long long json_count_of(yajl_val v)
{
	if (YAJL_IS_INTEGER(v))
		return YAJL_GET_INTEGER(v) > 0 ? YAJL_GET_INTEGER(v) : 0;
	if (YAJL_IS_STRING(v)) {
		char *end;
		long long n = strtoll(v->u.string, &end, 10);
		return (*end == '\0' && n > 0) ? n : 0;
	}
	return 0;
}

size_t json_array_len(yajl_val arr)
{
	return YAJL_IS_ARRAY(arr) ? arr->u.array.len : 0;
}

yajl_val json_array_at(yajl_val arr, size_t i)
{
	return i < json_array_len(arr) ? arr->u.array.values[i] : NULL;
}

void json_add_string_len(strbuf_t *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;

	strbuf_grow(out, len + 2);
	strbuf_addch(out, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		strbuf_add(out, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': strbuf_add(out, "\\\"", 2); break;
		case '\\': strbuf_add(out, "\\\\", 2); break;
		case '\n': strbuf_add(out, "\\n", 2); break;
		case '\r': strbuf_add(out, "\\r", 2); break;
		case '\t': strbuf_add(out, "\\t", 2); break;
		default: {
			char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			strbuf_add(out, esc, 6);
		}
		}
	}
	strbuf_add(out, s + run, len - run);
	strbuf_addch(out, '"');
}

void json_add_string(strbuf_t *out, const char *s)
{
	json_add_string_len(out, s ? s : "", s ? strlen(s) : 0);
}

void json_add_value(strbuf_t *out, yajl_val v)
{
	size_t source_len;
	const char *source = json_source_text(v, &source_len);
	if (source) {
		strbuf_add(out, source, source_len);
	} else if (!v || YAJL_IS_NULL(v)) {
		strbuf_add(out, "null", 4);
	} else if (YAJL_IS_TRUE(v)) {
		strbuf_add(out, "true", 4);
	} else if (YAJL_IS_FALSE(v)) {
		strbuf_add(out, "false", 5);
	} else if (YAJL_IS_STRING(v)) {
		json_add_string(out, v->u.string);
	} else if (YAJL_IS_NUMBER(v)) {
		strbuf_addstr(out, v->u.number.r);
	} else if (YAJL_IS_ARRAY(v)) {
		strbuf_addch(out, '[');
		for (size_t i = 0; i < v->u.array.len; i++) {
			if (i)
				strbuf_addch(out, ',');
			json_add_value(out, v->u.array.values[i]);
		}
		strbuf_addch(out, ']');
	} else {
		strbuf_addch(out, '{');
		for (size_t i = 0; i < v->u.object.len; i++) {
			if (i)
				strbuf_addch(out, ',');
			json_add_string(out, v->u.object.keys[i]);
			strbuf_addch(out, ':');
			json_add_value(out, v->u.object.values[i]);
		}
		strbuf_addch(out, '}');
	}
}

size_t utf8_decode(const char *str, size_t len, unsigned *code_point)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char c = len ? s[0] : 0;
	size_t extra;
	unsigned cp;
	if (len == 0 || c == 0)
		return 0;
	if (c < 0x80) {
		*code_point = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		extra = 1;
		cp = c & 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		extra = 2;
		cp = c & 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		extra = 3;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (extra >= len)
		return 0;
	for (size_t k = 1; k <= extra; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3f);
	}
	if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
	    (extra == 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*code_point = cp;
	return extra + 1;
}

bool utf8_valid(const char *str, size_t len)
{
	unsigned cp;
	for (size_t i = 0, n; i < len; i += n)
		if (!(n = utf8_decode(str + i, len - i, &cp)))
			return false;
	return true;
}

/* XML 1.0 (section 2.2) holds tab, newline, carriage return, U+0020 to
 * U+D7FF, U+E000 to U+FFFD and U+10000 up; not even escaped can it hold the
 * other C0 controls, U+FFFE, U+FFFF, surrogates or bytes that are not
 * UTF-8. */
static bool xml_char(unsigned cp)
{
	return cp == 0x9 || cp == 0xa || cp == 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
	       (cp >= 0xe000 && cp <= 0xfffd) || cp >= 0x10000;
}

char *xml_clean_copy(const char *value)
{
	size_t len = strlen(value), i = 0, n;
	unsigned cp;
	while (i < len && (n = utf8_decode(value + i, len - i, &cp)) && xml_char(cp))
		i += n;
	if (i == len)
		return NULL;
	strbuf_t clean;
	strbuf_init(&clean, len + 8);
	strbuf_add(&clean, value, i);
	while (i < len) {
		n = utf8_decode(value + i, len - i, &cp);
		if (n && xml_char(cp)) {
			strbuf_add(&clean, value + i, n);
		} else {
			strbuf_addstr(&clean, "\xEF\xBF\xBD");
			n = n ? n : 1; /* a byte that starts no character: that byte */
		}
		i += n;
	}
	return strbuf_detach(&clean, NULL);
}

bool json_text_valid(const char *text, size_t len)
{
	yajl_handle parser = yajl_alloc(NULL, NULL, NULL);
	if (!parser)
		return false;
	bool valid = yajl_parse(parser, (const unsigned char *)text, len) == yajl_status_ok &&
	             yajl_complete_parse(parser) == yajl_status_ok;
	yajl_free(parser);
	return valid;
}
