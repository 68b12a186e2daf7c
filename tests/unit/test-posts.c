/* Converters on the real recorded responses in tests/fixtures, and on
 * small hand-made objects for what the recordings do not hold. */
#include <stdlib.h>
#include <unistd.h>

#include "../../common/json.h"
#include "../../fetch/posts.h"
#include "unit.h"

struct got {
	chatarc_record_t records[64];
	int count;
};

static chatarc_status_t keep(void *ctx, chatarc_record_t *record, chatarc_error_t *err)
{
	struct got *got = ctx;
	(void)err;
	if (got->count < 64) {
		got->records[got->count++] = *record;
		record_init(record); /* ownership moves here; posts_emit clears an empty one */
	}
	return CHATARC_OK;
}

static void got_clear(struct got *got)
{
	for (int i = 0; i < got->count; i++)
		record_clear(&got->records[i]);
	got->count = 0;
}

/* The body of a fixture: after the blank line of a raw .http file. */
static char *fixture_body(const char *name)
{
	char path[512];
	strbuf_t sb;
	char buf[65536];
	size_t n;
	snprintf(path, sizeof path, "%s/%s", unit_fixtures(), name);
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "  missing fixture %s\n", path);
		return NULL;
	}
	strbuf_init(&sb, 0);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(f);
	char *body = strstr(sb.buf, "\r\n\r\n");
	if (body && !strncmp(sb.buf, "HTTP/", 5))
		strbuf_remove_front(&sb, (size_t)(body + 4 - sb.buf));
	return strbuf_detach(&sb, NULL);
}

static chatarc_status_t convert_text(const char *text, post_converter_t *conv, struct got *got,
                                     chatarc_error_t *err)
{
	yajl_val v;
	chatarc_status_t status = json_parse(text, &v, err);
	if (status != CHATARC_OK)
		return status;
	conv->sink = keep;
	conv->sink_ctx = got;
	if (YAJL_IS_ARRAY(v)) {
		for (size_t i = 0; i < v->u.array.len && status == CHATARC_OK; i++)
			status = posts_convert_object(conv, v->u.array.values[i], err);
	} else {
		status = posts_convert_object(conv, v, err);
	}
	json_free(v);
	if (status == CHATARC_OK)
		return posts_finish(conv, err);
	posts_release(conv);
	return status;
}

/* Converts a recorded fixture, checking it gives `want` records. */
static bool convert_fixture(const char *name, post_converter_t *conv, struct got *got, int want)
{
	chatarc_error_t err;
	char *body = fixture_body(name);
	if (!body) {
		CHECK(0);
		return false;
	}
	CHECK(convert_text(body, conv, got, &err) == CHATARC_OK);
	free(body);
	CHECK(got->count == want);
	return true;
}

static chatarc_record_t *find(struct got *got, const char *uri)
{
	for (int i = 0; i < got->count; i++)
		if (!strcmp(got->records[i].uri, uri))
			return &got->records[i];
	fprintf(stderr, "  no record %s\n", uri);
	return NULL;
}

static bool has(const strlist_t *list, const char *s)
{
	for (size_t i = 0; i < list->len; i++)
		if (!strcmp(list->items[i], s))
			return true;
	return false;
}

static void test_html_to_text(void)
{
	strlist_t links = {0};
	char *text = mastodon_html_to_text(
	    "<p>Hi <a href=\"https://toot.example/@bo\" class=\"u-url "
	    "mention\">@<span>bo</span></a> "
	    "&amp; all &lt;3<br>line two</p><p><a href=\"https://x.example/long/path?a=1\" "
	    "rel=\"nofollow\"><span class=\"invisible\">https://</span><span "
	    "class=\"ellipsis\">x.example/long</span><span "
	    "class=\"invisible\">/path?a=1</span></a> "
	    "<a href=\"https://toot.example/tags/hcsm\" class=\"mention "
	    "hashtag\">#<span>hcsm</span></a>"
	    "</p><script>alert(1)</script>",
	    &links);
	CHECK_STR(text, "Hi @bo & all <3\nline two\n\nhttps://x.example/long/path?a=1 #hcsm");
	CHECK(links.len == 1 && has(&links, "https://x.example/long/path?a=1"));
	free(text);
	strlist_clear(&links);
	text = mastodon_html_to_text("", &links);
	CHECK_STR(text, "");
	free(text);
	text = mastodon_html_to_text("<p>unclosed <b>tags &#x1F3F4; &eacute;", &links);
	CHECK_STR(text, "unclosed tags \xf0\x9f\x8f\xb4 \xc3\xa9");
	free(text);
}

/* 200,000 attributes (3.6 MB) on two tags cost libxml2 time quadratic in
 * them (414 s of CPU for one status); only href and class reach it now.
 * The alarm is generous (the linear pass takes a tenth of a second) and
 * ends the whole run when the cost is quadratic again. */
static void test_html_attribute_flood(void)
{
	strbuf_t html;
	strlist_t links = {0};
	strbuf_init(&html, 4 << 20);
	strbuf_addstr(&html, "<p");
	for (int i = 0; i < 100000; i++)
		strbuf_addf(&html, " data-a%d=\"x\"", i);
	strbuf_addstr(&html, ">hello <a class=mention href='https://x.example/first' ");
	for (int i = 0; i < 100000; i++)
		strbuf_addf(&html, " href=\"https://x.example/%d\"", i);
	strbuf_addstr(&html, " class=\"other\">@bo</a> <a rel=x href=\"https://y.example/a>b\" "
	                     "title='a>b' class=z>link</a> #rstats</p>");
	alarm(60);
	char *text = mastodon_html_to_text(html.buf, &links);
	alarm(0);
	/* The first href and class of a tag count, as libxml2 keeps the first
	 * of a repeated attribute; a '>' inside quotes does not end a tag. */
	CHECK_STR(text, "hello @bo link #rstats");
	CHECK(links.len == 1 && has(&links, "https://y.example/a>b"));
	free(text);
	strlist_clear(&links);
	/* fuzz-html's find: bytes that are not UTF-8, in 512 KB of attribute
	 * values, cost libxml2 an error each (2.6 s under ASan); they become
	 * U+FFFD first. */
	strbuf_reset(&html);
	while (html.len < (512u << 10))
		strbuf_addstr(&html,
		              "<p><a href=\"https://x.example/\xff\xff\xfe\" class=x>a</a></p>");
	alarm(60);
	text = mastodon_html_to_text(html.buf, &links);
	alarm(0);
	CHECK(text && !strncmp(text, "a\n\na\n\na\n\n", 9));
	CHECK(links.len == 1 &&
	      has(&links, "https://x.example/\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"));
	free(text);
	strlist_clear(&links);
	strbuf_release(&html);
}

static void test_mastodon_fixture(void)
{
	post_converter_t conv = {.chat = "c", .source = "import"};
	struct got got = {0};
	if (!convert_fixture("mastodon/rtoot_ichbinhanna_page1.http", &conv, &got, 40))
		return;
	chatarc_record_t *r =
	    find(&got, "https://mstdn.science/users/laborjournal/statuses/114856169522394793");
	if (r) {
		CHECK_STR(r->network, "mastodon");
		CHECK_STR(r->author, "laborjournal@mstdn.science");
		CHECK_STR(r->author_name, "Laborjournal");
		CHECK_STR(r->url, "https://mstdn.science/@laborjournal/114856169522394793");
		CHECK(strstr(r->text, "Unser Heft 7-8/2025 ist raus!\n\nWie jeden Sommer") ==
		      r->text);
		/* The link's hidden spans are part of its text. */
		CHECK(strstr(r->text,
		             "online: https://www.laborjournal.de/rubric/aktuell/index.php") !=
		      NULL);
		CHECK(has(&r->links, "https://www.laborjournal.de/rubric/aktuell/index.php"));
		CHECK(!has(&r->links, "https://mstdn.science/tags/Tierversuche"));
		CHECK(has(&r->tags, "ichbinhanna") && has(&r->tags, "tierversuche"));
		CHECK(r->reposts == 2 && r->likes == 1 && r->replies == 0);
		char iso[CHATARC_TIME_ISO_LEN];
		time_format_iso(r->created_ms, iso);
		CHECK_STR(iso, "2025-07-15T07:54:23.000Z");
		CHECK(strncmp(r->raw, "{\"id\":\"114856169736898681\",\"created_at\"", 39) == 0);
	}
	got_clear(&got);
}

static void test_mastodon_boost_and_types(void)
{
	post_converter_t conv = {.chat = "c", .source = "s"};
	struct got got = {0};
	chatarc_error_t err;
	const char *boost =
	    "{\"id\":\"9\",\"uri\":\"https://b.example/users/bo/statuses/9/activity\","
	    "\"created_at\":\"2026-11-18T18:05:00Z\",\"content\":\"\",\"account\":{\"acct\":\"bo\","
	    "\"url\":\"https://b.example/@bo\"},\"reblog\":{\"id\":\"5\",\"uri\":"
	    "\"https://a.example/users/ana/statuses/5\",\"created_at\":\"2026-11-18T18:01:00Z\","
	    "\"content\":\"<p>T1: hello</p>\",\"account\":{\"acct\":\"ana@a.example\"},"
	    "\"mentions\":[{\"acct\":\"cy\",\"url\":\"https://b.example/@cy\"}]}}";
	CHECK(convert_text(boost, &conv, &got, &err) == CHATARC_OK);
	CHECK(got.count == 1 && conv.boosts == 1);
	CHECK_STR(got.records[0].uri, "https://a.example/users/ana/statuses/5");
	CHECK_STR(got.records[0].author, "ana@a.example");
	CHECK(has(&got.records[0].mentions, "cy@b.example"));
	got_clear(&got);
	CHECK(convert_text("{\"uri\":\"u\",\"created_at\":\"2026-11-18\",\"content\":[],"
	                   "\"account\":{\"acct\":\"a\"}}",
	                   &conv, &got, &err) == CHATARC_ERR_FORMAT);
	CHECK(strstr(err.message, "\"content\" should be a string, found an array") != NULL);
	CHECK(convert_text("{\"uri\":\"u\",\"created_at\":\"yesterday\",\"content\":\"\","
	                   "\"account\":{\"acct\":\"a\"}}",
	                   &conv, &got, &err) == CHATARC_ERR_FORMAT);
	CHECK(strstr(err.message, "ISO 8601") != NULL);
	CHECK(got.count == 0);
}

static void test_bluesky_fixture(void)
{
	post_converter_t conv = {.chat = "c", .source = "import"};
	struct got got = {0};
	if (!convert_fixture("bluesky/bskyr_searchPosts_redistricting.body.json", &conv, &got, 25))
		return;
	chatarc_record_t *r =
	    find(&got, "at://did:plc:kkergqgbhb56ptpwj2wenkje/app.bsky.feed.post/3lpk2u6qo222m");
	if (r) {
		CHECK_STR(r->author, "socpaperbot.bsky.social");
		CHECK_STR(r->url,
		          "https://bsky.app/profile/socpaperbot.bsky.social/post/3lpk2u6qo222m");
		CHECK(has(&r->links, "https://osf.io/v87fn"));
		char iso[CHATARC_TIME_ISO_LEN];
		time_format_iso(r->created_ms, iso);
		CHECK_STR(iso, "2025-05-19T17:10:09.561Z");
	}
	r = find(&got, "at://did:plc:7nagdvjqrzaquzk7mueohne5/app.bsky.feed.post/3lpica7sxmk2u");
	if (r)
		CHECK(has(&r->tags, "txlege"));
	r = find(&got, "at://did:plc:7nagdvjqrzaquzk7mueohne5/app.bsky.feed.post/3lpjzka2pzc2l");
	if (r)
		CHECK_STR(r->reply_to,
		          "at://did:plc:7nagdvjqrzaquzk7mueohne5/app.bsky.feed.post/3lpjzgltpa22l");
	got_clear(&got);
}

static void test_bluesky_facets_hostile_offsets(void)
{
	/* "é" is two bytes: facet offsets count bytes, not characters. One
	 * facet is valid, one points past the text, one splits a character. */
	const char *post =
	    "{\"uri\":\"at://did:plc:x/app.bsky.feed.post/"
	    "3k\",\"author\":{\"handle\":\"ana.example\"},"
	    "\"record\":{\"text\":\"é @bo.example and "
	    "#HCSM\",\"createdAt\":\"2026-11-18T18:00:00Z\","
	    "\"facets\":[{\"index\":{\"byteStart\":3,\"byteEnd\":14},\"features\":[{\"$type\":"
	    "\"app.bsky.richtext.facet#mention\",\"did\":\"did:plc:bo\"}]},"
	    "{\"index\":{\"byteStart\":3,\"byteEnd\":900},\"features\":[{\"$type\":"
	    "\"app.bsky.richtext.facet#mention\",\"did\":\"did:plc:far\"}]},"
	    "{\"index\":{\"byteStart\":1,\"byteEnd\":4},\"features\":[{\"$type\":"
	    "\"app.bsky.richtext.facet#mention\",\"did\":\"did:plc:split\"}]},"
	    "{\"index\":{\"byteStart\":19,\"byteEnd\":24},\"features\":[{\"$type\":"
	    "\"app.bsky.richtext.facet#tag\",\"tag\":\"HCSM\"}]}]}}";
	post_converter_t conv = {.chat = "c", .source = "s"};
	struct got got = {0};
	chatarc_error_t err;
	CHECK(convert_text(post, &conv, &got, &err) == CHATARC_OK);
	CHECK(got.count == 1);
	if (got.count == 1) {
		CHECK(has(&got.records[0].mentions, "bo.example"));
		CHECK(has(&got.records[0].mentions, "did:plc:far"));
		CHECK(has(&got.records[0].mentions, "did:plc:split"));
		CHECK(has(&got.records[0].tags, "hcsm"));
	}
	got_clear(&got);
}

static void test_twitter_v11_fixture(void)
{
	post_converter_t conv = {.chat = "c", .source = "import"};
	struct got got = {0};
	if (!convert_fixture("twitter/tweepy_v11_search_tweets.body.json", &conv, &got, 15))
		return;
	CHECK(conv.boosts == 6);
	/* A retweet gives its original, under the original's id and author. */
	chatarc_record_t *r = find(&got, "https://twitter.com/i/web/status/1149414386974543873");
	if (r) {
		CHECK_STR(r->author, "Stranger_Things");
		CHECK_STR(r->url, "https://twitter.com/Stranger_Things/status/1149414386974543873");
		CHECK(r->reposts > 0);
	}
	r = find(&got, "https://twitter.com/i/web/status/1149603881011126272");
	if (r)
		CHECK(has(&r->tags, "libellen"));
	got_clear(&got);
}

static void test_twitter_v2_pages(void)
{
	post_converter_t conv = {.chat = "c", .source = "import"};
	struct got got = {0};
	/* One retweet: the stored message is the retweeted original. */
	if (!convert_fixture("twitter/twarccsv_two_tweets.jsonl", &conv, &got, 1))
		return;
	CHECK(conv.boosts == 1);
	CHECK_STR(got.records[0].uri, "https://twitter.com/i/web/status/1391677057810288641");
	CHECK_STR(got.records[0].author, "bibaigna96");
	got_clear(&got);

	/* Default fields only: no author, time from the snowflake id. */
	if (!convert_fixture("twitter/tweepy_v2_search_recent.body.json", &conv, &got, 10))
		return;
	CHECK(got.records[0].author == NULL);
	CHECK(got.records[0].created_ms > 0);
	got_clear(&got);

	if (!convert_fixture("twitter/twarccsv_brexit_page1_first20.json", &conv, &got, 20))
		return;
	chatarc_record_t *r = find(&got, "https://twitter.com/i/web/status/1440716895355764743");
	if (r) {
		CHECK_STR(r->author, "WarmongerHodges");
		CHECK(has(&r->tags, "peoplesvote") && has(&r->tags, "brexit"));
		CHECK(strstr(r->text, "Typical \"centrists\". No principles.") != NULL);
	}
	got_clear(&got);
}

static void test_tweets_js_entries(void)
{
	const char *entry =
	    "{\"tweet\":{\"id_str\":\"1440000000000000000\",\"full_text\":\"A2: &lt;3 patients "
	    "&amp; "
	    "carers #hcsm\",\"created_at\":\"Wed Sep 22 16:00:00 +0000 "
	    "2021\",\"retweet_count\":\"4\","
	    "\"favorite_count\":\"7\",\"in_reply_to_status_id_str\":\"1439999999999999999\","
	    "\"entities\":{\"hashtags\":[{\"text\":\"HCSM\"}],\"user_mentions\":[],\"urls\":[]}}}";
	post_converter_t conv = {.chat = "c", .source = "import"};
	struct got got = {0};
	chatarc_error_t err;
	CHECK(convert_text(entry, &conv, &got, &err) == CHATARC_ERR_FORMAT);
	CHECK(strstr(err.message, "account.js") != NULL);
	conv.archive_author = "ana";
	CHECK(convert_text(entry, &conv, &got, &err) == CHATARC_OK);
	if (got.count == 1) {
		chatarc_record_t *r = &got.records[0];
		CHECK_STR(r->text, "A2: <3 patients & carers #hcsm");
		CHECK_STR(r->author, "ana");
		CHECK(r->reposts == 4 && r->likes == 7);
		CHECK_STR(r->reply_to, "https://twitter.com/i/web/status/1439999999999999999");
		CHECK(has(&r->tags, "hcsm"));
	}
	got_clear(&got);
	CHECK(convert_text(
	          "{\"tweet\":{\"id_str\":\"1440000000000000001\",\"full_text\":\"RT @bo: hi\","
	          "\"created_at\":\"Wed Sep 22 16:00:00 +0000 2021\"}}",
	          &conv, &got, &err) == CHATARC_OK);
	CHECK(got.count == 0 && conv.boosts == 1);
}

static void test_mastodon_reply_resolution(void)
{
	/* Newest first, as a tag timeline: each reply comes before its parent;
	 * status 3 replies to 2, 2 to 1, and 4 to a status not in the file. */
	const char *page = "[{\"id\":\"4\",\"in_reply_to_id\":\"99\",\"uri\":\"https://a.example/s/"
	                   "4\",\"created_at\":\"2026-11-18T18:04:00Z\",\"content\":\"d\","
	                   "\"account\":{\"acct\":\"a\"}},"
	                   "{\"id\":\"3\",\"in_reply_to_id\":\"2\",\"uri\":\"https://a.example/s/"
	                   "3\",\"created_at\":\"2026-11-18T18:03:00Z\",\"content\":\"c\","
	                   "\"account\":{\"acct\":\"a\"}},"
	                   "{\"id\":\"2\",\"in_reply_to_id\":\"1\",\"uri\":\"https://b.example/s/"
	                   "2\",\"created_at\":\"2026-11-18T18:02:00Z\",\"content\":\"b\","
	                   "\"account\":{\"acct\":\"b@b.example\"}},"
	                   "{\"id\":\"1\",\"uri\":\"https://a.example/s/"
	                   "1\",\"created_at\":\"2026-11-18T18:01:00Z\",\"content\":\"a\","
	                   "\"account\":{\"acct\":\"a\"}}]";
	post_converter_t conv = {.chat = "c", .source = "s"};
	struct got got = {0};
	chatarc_error_t err;
	CHECK(convert_text(page, &conv, &got, &err) == CHATARC_OK);
	CHECK(got.count == 4);
	chatarc_record_t *r = find(&got, "https://a.example/s/3");
	if (r)
		CHECK_STR(r->reply_to, "https://b.example/s/2");
	r = find(&got, "https://b.example/s/2");
	if (r)
		CHECK_STR(r->reply_to, "https://a.example/s/1");
	r = find(&got, "https://a.example/s/4");
	if (r)
		CHECK(r->reply_to == NULL); /* the parent never came: no guess */
	got_clear(&got);
}

static chatarc_status_t convert_one(post_converter_t *conv, const char *json)
{
	yajl_val v;
	chatarc_error_t err;
	chatarc_status_t status = json_parse(json, &v, &err);
	if (status == CHATARC_OK) {
		status = posts_convert_object(conv, v, &err);
		json_free(v);
	}
	return status;
}

/* A fetched page is committed before the next is read: a reply whose
 * parent is on a later page is handed over at once without reply_to, and
 * again with it when the parent comes. Consent is honoured when asked. */
static void test_mastodon_settle_and_consent(void)
{
	struct got got = {0};
	post_converter_t conv = {
	    .chat = "c", .source = "s", .sink = keep, .sink_ctx = &got, .honour_consent = true};
	static const char reply[] =
	    "{\"id\":\"9\",\"uri\":\"https://x.example/9\",\"created_at\":\"2026-11-18T18:05:00Z\","
	    "\"content\":\"<p>A1 yes</p>\",\"in_reply_to_id\":\"5\","
	    "\"account\":{\"acct\":\"ann\",\"url\":\"https://x.example/@ann\"}}";
	static const char parent[] =
	    "{\"id\":\"5\",\"uri\":\"https://x.example/5\",\"created_at\":\"2026-11-18T18:00:00Z\","
	    "\"content\":\"<p>T1 why?</p>\",\"account\":{\"acct\":\"mod\","
	    "\"url\":\"https://x.example/@mod\",\"discoverable\":true}}";
	static const char opted_out[] =
	    "{\"id\":\"7\",\"uri\":\"https://x.example/7\",\"created_at\":\"2026-11-18T18:01:00Z\","
	    "\"content\":\"<p>not me</p>\",\"account\":{\"acct\":\"shy\","
	    "\"url\":\"https://x.example/@shy\",\"discoverable\":false}}";
	static const char noindex[] =
	    "{\"id\":\"8\",\"uri\":\"https://x.example/8\",\"created_at\":\"2026-11-18T18:02:00Z\","
	    "\"content\":\"<p>nor me</p>\",\"account\":{\"acct\":\"quiet\","
	    "\"url\":\"https://x.example/@quiet\",\"noindex\":true}}";
	chatarc_error_t err;

	CHECK(convert_one(&conv, reply) == CHATARC_OK);
	CHECK(got.count == 0); /* held: its parent may come on this page */
	CHECK(posts_settle(&conv, &err) == CHATARC_OK);
	CHECK(got.count == 1 && got.records[0].reply_to == NULL);
	CHECK(posts_settle(&conv, &err) == CHATARC_OK);
	CHECK(got.count == 1); /* settled once only */
	CHECK(convert_one(&conv, opted_out) == CHATARC_OK);
	CHECK(convert_one(&conv, noindex) == CHATARC_OK);
	CHECK(conv.consent_skipped == 2 && got.count == 1);
	CHECK(convert_one(&conv, parent) == CHATARC_OK);
	CHECK(got.count == 3);
	if (got.count == 3) {
		CHECK_STR(got.records[1].uri, "https://x.example/9");
		CHECK_STR(got.records[1].reply_to, "https://x.example/5");
		CHECK_STR(got.records[2].uri, "https://x.example/5");
	}
	CHECK(posts_finish(&conv, &err) == CHATARC_OK);
	CHECK(got.count == 3); /* nothing left to hand over */
	got_clear(&got);
}

/* Counts what comes out, and keeps the reply_to of one uri. */
struct watch {
	const char *uri;
	char *reply_to;
	bool seen;
	long emitted;
};

static chatarc_status_t watch_sink(void *ctx, chatarc_record_t *record, chatarc_error_t *err)
{
	struct watch *w = ctx;
	(void)err;
	w->emitted++;
	if (record->uri && !strcmp(record->uri, w->uri)) {
		w->seen = true;
		free(w->reply_to);
		w->reply_to = record->reply_to ? strdup(record->reply_to) : NULL;
	}
	record_clear(record);
	return CHATARC_OK;
}

static void hold_reply(post_converter_t *conv, const char *id, const char *parent)
{
	char text[512];
	chatarc_error_t err;
	snprintf(
	    text, sizeof text,
	    "{\"id\": \"%s\", \"uri\": \"https://x.example/s/%s\", \"created_at\": "
	    "\"2026-01-01T00:00:00Z\", \"content\": \"<p>r</p>\", \"account\": {\"id\": \"9\", "
	    "\"acct\": \"a\", \"url\": \"https://x.example/@a\"}%s%s%s}",
	    id, id, parent ? ", \"in_reply_to_id\": \"" : "", parent ? parent : "",
	    parent ? "\"" : "");
	yajl_val v;
	CHECK(json_parse(text, &v, &err) == CHATARC_OK);
	CHECK(posts_convert_object(conv, v, &err) == CHATARC_OK);
	json_free(v);
}

/* Over 10,000 replies waiting: the oldest goes on without its parent. Once
 * every slot is free the slots are used again; a parent arriving late must
 * not hand its uri to the reply now in its old reply's slot. */
static void test_mastodon_held_replies_overflow(void)
{
	struct watch w = {.uri = "https://x.example/s/z"};
	post_converter_t conv = {
	    .chat = "c", .source = "import", .sink = watch_sink, .sink_ctx = &w};
	chatarc_error_t err;
	char id[32];
	hold_reply(&conv, "r0", "p0"); /* slot 0, waiting for p0 */
	for (int i = 1; i <= 10000; i++) {
		snprintf(id, sizeof id, "r%d", i);
		hold_reply(&conv, id, "p1"); /* the 10,000th pushes r0 out */
	}
	hold_reply(&conv, "p1", NULL); /* releases every p1 reply: all slots free */
	hold_reply(&conv, "z", "p2");  /* z takes slot 0 again */
	hold_reply(&conv, "p0", NULL); /* r0's parent, late: must not touch z */
	CHECK(posts_finish(&conv, &err) == CHATARC_OK);
	CHECK(w.seen);
	CHECK(w.reply_to == NULL);
	CHECK(w.emitted == 10000 + 1 + 1 + 1 + 1);
	free(w.reply_to);
}

const unit_test_t posts_tests[] = {
    {"posts: over 10,000 held Mastodon replies never give one the wrong parent",
     test_mastodon_held_replies_overflow},
    {"posts: fetched pages settle held replies; consent honoured",
     test_mastodon_settle_and_consent},
    {"posts: Mastodon replies find their parent's uri in the same file",
     test_mastodon_reply_resolution},
    {"posts: Mastodon HTML to plain text and shared links", test_html_to_text},
    {"posts: Mastodon HTML with 200,000 attributes, in linear time", test_html_attribute_flood},
    {"posts: Mastodon #ichbinhanna page (real recording)", test_mastodon_fixture},
    {"posts: Mastodon boosts counted, wrong types named", test_mastodon_boost_and_types},
    {"posts: Bluesky searchPosts (real recording)", test_bluesky_fixture},
    {"posts: Bluesky facets with byte offsets, hostile ones too",
     test_bluesky_facets_hostile_offsets},
    {"posts: Twitter v1.1 search with retweets (real recording)", test_twitter_v11_fixture},
    {"posts: Twitter v2 / twarc2 pages (real recordings)", test_twitter_v2_pages},
    {"posts: tweets.js entries need their owner", test_tweets_js_entries},
    {NULL, NULL},
};
