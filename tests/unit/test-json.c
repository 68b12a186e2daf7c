/* JSON writing and UTF-8 validation. */
#include <stdlib.h>

#include "../../common/json.h"
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
	yajl_tree_free(v);
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

const unit_test_t json_tests[] = {
    {"json: string escaping", test_escaping},
    {"json: re-serialising keeps numbers and order", test_roundtrip_keeps_numbers},
    {"json: UTF-8 validation", test_utf8},
    {"strbuf: abbreviated at a word or character boundary", test_abbrev},
    {NULL, NULL},
};
