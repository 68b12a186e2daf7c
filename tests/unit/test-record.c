/* Records: the JSON line, merging versions, CSV. */
#include <stdlib.h>

#include "../../common/record.h"
#include "unit.h"

static void sample_record(chatarc_record_t *r)
{
	record_init(r);
	record_set(&r->uri, "https://toot.example/users/ana/statuses/1");
	record_set(&r->network, "mastodon");
	record_set(&r->source, "import");
	record_set(&r->chat, "hcsmdemo");
	r->created_ms = 1363194000000LL;
	record_set(&r->author, "ana@toot.example");
	record_set(&r->author_name, "Ana \"the nurse\"");
	record_set(&r->text, "A1: yes, and\nno, \"really\"");
	record_set(&r->url, "https://toot.example/@ana/1");
	strlist_add(&r->tags, "hcsmdemo");
	strlist_add(&r->links, "https://a.example/x?y=1");
	strlist_add(&r->links, "https://b.example/");
	r->likes = 3;
	record_set(&r->raw, "{\"id\":\"1\"}");
}

static void test_json_roundtrip(void)
{
	chatarc_record_t r, back;
	chatarc_error_t err;
	strbuf_t a, b;
	sample_record(&r);
	strbuf_init(&a, 0);
	strbuf_init(&b, 0);
	record_to_json(&r, &a);
	CHECK(strncmp(a.buf, "{\"uri\":\"https://toot.example/users/ana/statuses/1\",\"network\":",
	              60) == 0);
	CHECK(strstr(a.buf, "\"created_at\":\"2013-03-13T17:00:00.000Z\"") != NULL);
	CHECK(strstr(a.buf, "\"reply_to\":null") != NULL);
	CHECK(record_from_json(a.buf, &back, &err) == CHATARC_OK);
	record_to_json(&back, &b);
	CHECK_STR(b.buf, a.buf);
	record_clear(&back);
	CHECK(record_from_json("{\"text\":\"no uri\"}", &back, &err) == CHATARC_ERR_FORMAT);
	record_clear(&r);
	strbuf_release(&a);
	strbuf_release(&b);
}

static void test_merge(void)
{
	chatarc_record_t stored, later;
	sample_record(&stored);
	sample_record(&later);
	CHECK(!record_merge(&stored, &later)); /* the same version adds nothing */
	later.likes = 10;
	later.replies = 1;
	stored.reposts = 5;
	record_set(&later.text, "short");
	record_set(&later.reply_to, "https://toot.example/users/bo/statuses/0");
	CHECK(record_merge(&stored, &later));
	CHECK(stored.likes == 10 && stored.replies == 1 && stored.reposts == 5);
	CHECK_STR(stored.text, "A1: yes, and\nno, \"really\""); /* the fuller text stays */
	CHECK_STR(stored.reply_to, "https://toot.example/users/bo/statuses/0");
	record_set(&later.text, "A1: yes, and\nno, \"really\" - the whole of it");
	record_set(&later.raw, "{\"id\":\"1\",\"full\":true}");
	CHECK(record_merge(&stored, &later));
	CHECK_STR(stored.raw, "{\"id\":\"1\",\"full\":true}");

	record_summary_t s, l;
	record_summarise(&stored, &s);
	record_summarise(&later, &l);
	CHECK(!record_summary_merge(&s, &l));
	l.likes = 99;
	CHECK(record_summary_merge(&s, &l) && s.likes == 99);
	record_clear(&stored);
	record_clear(&later);
}

static void test_csv(void)
{
	chatarc_record_t r;
	strbuf_t sb;
	sample_record(&r);
	/* Alt texts hold commas and quotes: one field, a JSON array. */
	strlist_add(&r.media_alt, "Chart, \"before\" and after");
	strlist_add(&r.media_alt, "");
	r.author_followers = 42;
	strbuf_init(&sb, 0);
	record_csv_header(&sb, NULL);
	CHECK_STR(sb.buf,
	          "uri,network,source,chat,created_at,author,author_name,text,content_warning,lang,"
	          "url,native_id,reply_to,reply_to_id,reply_to_account,thread_root,quote_of,tags,"
	          "mentions,links,media_count,media_alt,replies,reposts,likes,author_followers,"
	          "edited_at\r\n");
	strbuf_reset(&sb);
	record_to_csv(&r, &sb);
	CHECK_STR(
	    sb.buf,
	    "https://toot.example/users/ana/statuses/1,mastodon,import,hcsmdemo,"
	    "2013-03-13T17:00:00.000Z,ana@toot.example,\"Ana \"\"the nurse\"\"\","
	    "\"A1: yes, and\nno, \"\"really\"\"\",,,https://toot.example/@ana/1,,,,,,,hcsmdemo,,"
	    "https://a.example/x?y=1 https://b.example/,2,"
	    "\"[\"\"Chart, \\\"\"before\\\"\" and after\"\",\"\"\"\"]\",0,0,3,42,\r\n");
	strbuf_release(&sb);
	record_clear(&r);
}

/* An edit's text replaces the earlier, even a shorter one; an older
 * version read later (another server's stale copy) does not undo it. */
static void test_merge_edits(void)
{
	chatarc_record_t first, edit, stale;
	sample_record(&first);
	sample_record(&edit);
	sample_record(&stale);
	record_set(&edit.text, "short");
	record_set(&edit.edited_at, "2013-03-13T17:05:00.000Z");
	record_set(&stale.text, "the original text, longer than the edit by far");
	CHECK(record_merge(&first, &edit));
	CHECK_STR(first.text, "short");
	CHECK(!record_merge(&first, &stale));
	CHECK_STR(first.text, "short");
	record_summary_t a, b;
	record_summarise(&first, &a);
	record_summarise(&stale, &b);
	CHECK(!record_summary_merge(&a, &b)); /* the writer would not append it */
	record_summarise(&edit, &b);
	record_set(&edit.edited_at, "2013-03-13T17:09:00.000Z");
	record_summarise(&edit, &b);
	CHECK(record_summary_merge(&a, &b)); /* a later edit is new */
	record_clear(&first);
	record_clear(&edit);
	record_clear(&stale);
}

const unit_test_t record_tests[] = {
    {"record: an edit's text wins, a stale copy does not undo it", test_merge_edits},
    {"record: JSON line round trip", test_json_roundtrip},
    {"record: merging versions keeps fuller text and highest counts", test_merge},
    {"record: CSV header and RFC 4180 quoting", test_csv},
    {NULL, NULL},
};
