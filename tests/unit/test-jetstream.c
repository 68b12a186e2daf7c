/* Which Jetstream commits are handed over: posts carrying a chat's tag (as
 * a facet, in the record's tags, or as "#tag" in the text, in any case),
 * deletions of held posts only, and nothing else of the network. The
 * records are the shape of the real ones in tests/fixtures/bluesky. */
#include <stdlib.h>

#include "../../fetch/jetstream.h"
#include "unit.h"

static bool holds_one(void *ctx, const char *uri)
{
	return !strcmp(ctx, uri);
}

static bool match(const char *msg, jetstream_event_t *e)
{
	strlist_t tags = {0};
	strlist_add(&tags, "hcsm");
	strlist_add(&tags, "redistricting");
	bool kept = jetstream_match(msg, strlen(msg), &tags, holds_one,
	                            "at://did:plc:abc/app.bsky.feed.post/3kept", e);
	strlist_clear(&tags);
	return kept;
}

#define COMMIT(op, rkey, record)                                                                   \
	"{\"did\":\"did:plc:abc\",\"time_us\":1725911162329308,\"kind\":\"commit\",\"commit\":"    \
	"{\"rev\":\"3l3qo2vutsw2b\",\"operation\":\"" op                                           \
	"\",\"collection\":\"app.bsky.feed.post\","                                                \
	"\"rkey\":\"" rkey "\"" record "}}"

static void test_tags(void)
{
	jetstream_event_t e;
	CHECK(
	    match(COMMIT("create", "3facet",
	                 ",\"record\":{\"$type\":\"app.bsky.feed.post\",\"text\":\"A1 yes #HCSM\","
	                 "\"facets\":[{\"index\":{\"byteStart\":7,\"byteEnd\":12},\"features\":"
	                 "[{\"$type\":\"app.bsky.richtext.facet#tag\",\"tag\":\"HCSM\"}]}],"
	                 "\"createdAt\":\"2024-09-09T19:46:02.102Z\"}"),
	          &e));
	CHECK(e.kind == JETSTREAM_POST);
	CHECK_STR(e.uri, "at://did:plc:abc/app.bsky.feed.post/3facet");
	CHECK_STR(e.tag, "hcsm");
	CHECK(e.time_us == 1725911162329308LL);
	free(e.uri);
	free(e.tag);
	/* The record's own tags; "#tag" in text without a facet. */
	CHECK(match(COMMIT("create", "3tags",
	                   ",\"record\":{\"text\":\"map\",\"tags\":[\"Redistricting\"]}"),
	            &e));
	free(e.uri);
	free(e.tag);
	CHECK(match(
	    COMMIT("create", "3text", ",\"record\":{\"text\":\"new maps #redistricting!\"}"), &e));
	free(e.uri);
	free(e.tag);
	/* The word alone, or a longer tag, is not the tag. */
	CHECK(
	    !match(COMMIT("create", "3word", ",\"record\":{\"text\":\"redistricting news\"}"), &e));
	CHECK(!match(COMMIT("create", "3long", ",\"record\":{\"text\":\"#hcsmca tonight\"}"), &e));
	/* Another collection, another kind of event, a bad rkey: not posts. */
	CHECK(
	    !match("{\"did\":\"did:plc:abc\",\"time_us\":1,\"kind\":\"commit\",\"commit\":"
	           "{\"operation\":\"create\",\"collection\":\"app.bsky.feed.like\",\"rkey\":\"x\","
	           "\"record\":{\"text\":\"#hcsm\"}}}",
	           &e));
	CHECK(!match("{\"did\":\"did:plc:abc\",\"time_us\":1,\"kind\":\"identity\",\"identity\":"
	             "{\"handle\":\"hcsm.bsky.social\"},\"x\":\"app.bsky.feed.post\"}",
	             &e));
	CHECK(!match(COMMIT("create", "../x", ",\"record\":{\"text\":\"#hcsm\"}"), &e));
	CHECK(!match("{\"not json \"app.bsky.feed.post\" #hcsm", &e));
}

static void test_deletions(void)
{
	jetstream_event_t e;
	CHECK(match(COMMIT("delete", "3kept", ""), &e));
	CHECK(e.kind == JETSTREAM_DELETE);
	CHECK_STR(e.uri, "at://did:plc:abc/app.bsky.feed.post/3kept");
	free(e.uri);
	free(e.tag);
	/* The network's other deletions are not ours. */
	CHECK(!match(COMMIT("delete", "3other", ""), &e));
}

const unit_test_t jetstream_tests[] = {
    {"jetstream: posts by a tag's facet, tags or #text; not the word", test_tags},
    {"jetstream: deletions of held posts only", test_deletions},
    {NULL, NULL},
};
