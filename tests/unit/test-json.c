/* JSON writing and UTF-8 validation. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/json.h"
#include "../../common/sprinter.h"
#include "unit.h"

static void test_escaping(void)
{
	strbuf_t sb;
	strbuf_init(&sb, 0);
	json_add_string(&sb, "a\"b\\c\nd\x01</script>é");
	CHECK_STR(sb.buf, "\"a\\\"b\\\\c\\nd\\u0001</script>é\"");
	strbuf_release(&sb);
}

static void test_roundtrip_keeps_numbers(void)
{
	const char *text =
	    "{\"id\":1149825924029980674,\"f\":1.50,\"s\":\"x\",\"a\":[true,null,{}]}";
	yajl_val v;
	chatarc_error_t err;
	strbuf_t sb;
	CHECK(json_parse(text, &v, &err) == CHATARC_OK);
	strbuf_init(&sb, 0);
	json_add_value(&sb, v);
	/* A 64-bit id keeps every digit: yajl's original text is written back. */
	CHECK_STR(sb.buf, text);
	strbuf_release(&sb);
	json_free(v);
	CHECK(json_parse("{\"a\":", &v, &err) == CHATARC_ERR_JSON);
	CHECK(strchr(err.message, '\n') == NULL);
}

static void test_utf8(void)
{
	CHECK(utf8_valid("plain", 5));
	CHECK(utf8_valid("\xc3\xa9\xf0\x9f\x8f\xb4", 6));
	CHECK(!utf8_valid("\xff", 1));
	CHECK(!utf8_valid("\xc3", 1));         /* cut short */
	CHECK(!utf8_valid("\xc0\xaf", 2));     /* overlong '/' */
	CHECK(!utf8_valid("\xed\xa0\x80", 3)); /* a surrogate */
	CHECK(!utf8_valid("a\0b", 3));
}

static void test_abbrev(void)
{
	strbuf_t sb;
	strbuf_init(&sb, 0);
	strbuf_add_abbrev(&sb, "short enough", 20);
	CHECK_STR(sb.buf, "short enough");
	strbuf_reset(&sb);
	/* Cut at the last whole word, never mid-word, and marked. */
	strbuf_add_abbrev(&sb, "T1: How does your organisation help", 20);
	CHECK_STR(sb.buf, "T1: How does your\xe2\x80\xa6");
	strbuf_reset(&sb);
	/* One long word: cut before a character, never inside one. */
	strbuf_add_abbrev(&sb, "Wissenschaftlerinnenüberschrift", 20);
	CHECK_STR(sb.buf, "Wissenschaftlerinnen\xe2\x80\xa6");
	strbuf_reset(&sb);
	strbuf_add_abbrev(&sb, "Wissenschaftlerinneübung", 20); /* byte 20 inside ü */
	CHECK_STR(sb.buf, "Wissenschaftlerinne\xe2\x80\xa6");
	strbuf_release(&sb);
}

/* json_parse builds its own arena tree: node for node, what yajl_tree_parse
 * builds, numbers' flags included. */
static bool same_tree(yajl_val a, yajl_val b)
{
	if (!a || !b || a->type != b->type)
		return false;
	switch (a->type) {
	case yajl_t_string: return !strcmp(a->u.string, b->u.string);
	case yajl_t_number:
		return !strcmp(a->u.number.r, b->u.number.r) &&
		       a->u.number.flags == b->u.number.flags &&
		       (!(a->u.number.flags & YAJL_NUMBER_INT_VALID) ||
		        a->u.number.i == b->u.number.i) &&
		       (!(a->u.number.flags & YAJL_NUMBER_DOUBLE_VALID) ||
		        (a->u.number.d == b->u.number.d &&
		         signbit(a->u.number.d) == signbit(b->u.number.d)));
	case yajl_t_object:
		if (a->u.object.len != b->u.object.len)
			return false;
		for (size_t i = 0; i < a->u.object.len; i++)
			if (strcmp(a->u.object.keys[i], b->u.object.keys[i]) ||
			    !same_tree(a->u.object.values[i], b->u.object.values[i]))
				return false;
		return true;
	case yajl_t_array:
		if (a->u.array.len != b->u.array.len)
			return false;
		for (size_t i = 0; i < a->u.array.len; i++)
			if (!same_tree(a->u.array.values[i], b->u.array.values[i]))
				return false;
		return true;
	default: return true;
	}
}

static void test_tree_as_yajl_builds_it(void)
{
	strbuf_t big;
	strbuf_init(&big, 0);
	/* Members past the builder's first stack, a string past one arena
	 * chunk, nesting deeper than its first frames. */
	strbuf_addstr(&big, "{\"many\":[");
	for (int i = 0; i < 300; i++)
		strbuf_addf(&big, "%s{\"k%d\":%d,\"s\":\"v\"}", i ? "," : "", i, i);
	strbuf_addstr(&big, "],\"long\":\"");
	for (int i = 0; i < 40000; i++)
		strbuf_addch(&big, 'a' + i % 26);
	strbuf_addstr(&big, "\",\"deep\":");
	for (int i = 0; i < 100; i++)
		strbuf_addstr(&big, "[{\"x\":");
	strbuf_addstr(&big, "1");
	for (int i = 0; i < 100; i++)
		strbuf_addstr(&big, "}]");
	strbuf_addstr(&big, "}");
	const char *texts[] = {
	    "{}",
	    "[]",
	    "\"just a string\"",
	    "42",
	    "-0",
	    "null",
	    "true",
	    "{\"a\":{},\"b\":[],\"c\":[[],{}]}",
	    "{\"dup\":1,\"dup\":2}",
	    "[9223372036854775807,-9223372036854775808,9223372036854775808,"
	    "18446744073709551616,1.5,-2.5e3,1e400,0,-0,12345678901234567890123]",
	    "{\"esc\":\"\\u00e9\\n\\\"\\/\",\"\\u00e9\":1} // a comment",
	    big.buf,
	};
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		yajl_val ours, theirs;
		chatarc_error_t err;
		char reason[256];
		CHECK(json_parse(texts[i], &ours, &err) == CHATARC_OK);
		theirs = yajl_tree_parse(texts[i], reason, sizeof reason);
		CHECK(theirs != NULL);
		CHECK(same_tree(ours, theirs));
		json_free(ours);
		yajl_tree_free(theirs);
	}
	strbuf_release(&big);
}

static void test_tree_nul_and_errors(void)
{
	yajl_val v;
	chatarc_error_t err;
	/* A NUL escape would cut a string (and a key) short: it reads as U+FFFD. */
	CHECK(json_parse("{\"a\\u0000b\":\"x\\u0000y\"}", &v, &err) == CHATARC_OK);
	CHECK_STR(v->u.object.keys[0], "a\xEF\xBF\xBD"
	                               "b");
	CHECK_STR(v->u.object.values[0]->u.string, "x\xEF\xBF\xBD"
	                                           "y");
	json_free(v);
	/* Only len bytes are read. */
	CHECK(json_parse_len("[1]garbage", 3, &v, &err) == CHATARC_OK);
	CHECK(v->u.array.len == 1);
	json_free(v);
	const char *bad[] = {"", "{\"a\":1", "[1,]", "{\"a\" 1}", "[1] [2]", "{'a':1}"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		v = (yajl_val)1;
		CHECK(json_parse(bad[i], &v, &err) == CHATARC_ERR_JSON);
		CHECK(v == NULL);
		CHECK(!strncmp(err.message, "invalid JSON: ", 14));
		CHECK(strchr(err.message, '\n') == NULL);
	}
}

/* A container parsed by json_parse_text is copied from its text only when
 * that text is what walking the tree writes. */
static void test_source_text(void)
{
	const char *texts[] = {
	    ("{\"id\":\"1\",\"a\":[1,-0.5e3,true,null,{}],\"t\":\"caf\xc3\xa9 \\\"q\\\" \\\\ "
	     "\\n\\t\\u001f\"}"),
	    "{\"a\": 1}",                  /* a blank */
	    "{\"a\":\"\\u003cb\\u003e\"}", /* Mastodon's escaped '<' */
	    "{\"a\":\"\\/\"}",             /* an escaped '/' */
	    "{\"a\":\"\\u001F\"}",         /* upper-case hex */
	    "{\"a\":\"\\u000a\"}",         /* a long form of \n */
	    "{\"a\":\"x\\u0000y\"}",       /* NUL: the tree holds U+FFFD */
	    "{\"a\":\"\\b\\f\"}",          /* short forms json_add_string does not write */
	    "{\"a\":[1]/* c */}",          /* a comment */
	    "[{\"in\":\"\\u003c\"},{\"ok\":1}]",
	    "{\"a\":\f1}",   /* a form feed: yajl takes it as a blank (fuzz-posts) */
	    "{\"a\":\v[1]}", /* a vertical tab, the same */
	};
	bool copied[] = {true,  false, false, false, false, false,
	                 false, false, false, false, false, false};
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		yajl_val kept, walked;
		chatarc_error_t err;
		size_t len;
		strbuf_t a, b;
		CHECK(json_parse_text(texts[i], strlen(texts[i]), &kept, &err) == CHATARC_OK);
		CHECK(json_parse(texts[i], &walked, &err) == CHATARC_OK);
		CHECK((json_source_text(kept, &len) != NULL) == copied[i]);
		CHECK(json_source_text(walked, &len) == NULL);
		strbuf_init(&a, 0);
		strbuf_init(&b, 0);
		json_add_value(&a, kept);
		json_add_value(&b, walked);
		CHECK_STR(a.buf, b.buf);
		strbuf_release(&a);
		strbuf_release(&b);
		json_free(kept);
		json_free(walked);
	}
	/* A part is copied when it is canonical though its parent is not. */
	yajl_val v;
	chatarc_error_t err;
	size_t len;
	const char *text = "[{\"in\":\"\\u003c\"},{\"ok\":1}]";
	CHECK(json_parse_text(text, strlen(text), &v, &err) == CHATARC_OK);
	CHECK(json_source_text(v->u.array.values[0], &len) == NULL);
	const char *ok = json_source_text(v->u.array.values[1], &len);
	CHECK(ok && len == 8 && !strncmp(ok, "{\"ok\":1}", 8));
	json_free(v);
}

/* A search hit: a kept record's members and a score, in one object. */
static void test_sprinter_members(void)
{
	const char *objects[] = {"{\"uri\":\"u\",\"n\":[1,2]}\n", "{}", "not json"};
	const char *want[] = {"{\"uri\":\"u\",\"n\":[1,2],\"score\":0.5000}", "{\"score\":0.5000}",
	                      "{\"score\":0.5000}"};
	for (size_t i = 0; i < 3; i++) {
		strbuf_t out;
		struct sprinter_json json;
		strbuf_init(&out, 0);
		sprinter_json_init(&json, &out);
		json.sp.begin_object(&json.sp, "hit");
		sprinter_json_members(&json, objects[i]);
		json.sp.number(&json.sp, "score", 0.5);
		json.sp.end_object(&json.sp);
		CHECK_STR(out.buf, want[i]);
		strbuf_release(&out);
	}
}

const unit_test_t json_tests[] = {
    {"sprinter: an object's members join the object being written", test_sprinter_members},
    {"json: string escaping", test_escaping},
    {"json: re-serialising keeps numbers and order", test_roundtrip_keeps_numbers},
    {"json: UTF-8 validation", test_utf8},
    {"json: the arena tree is yajl_tree's, node for node", test_tree_as_yajl_builds_it},
    {"json: a NUL escape reads as U+FFFD; errors leave no tree", test_tree_nul_and_errors},
    {"json: a container is copied from its text only in written form", test_source_text},
    {"strbuf: abbreviated at a word or character boundary", test_abbrev},
    {NULL, NULL},
};
