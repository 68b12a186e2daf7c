/* gen-posts: writes a large, realistic twarc2 JSONL file (one API page of
 * 100 tweets a line, with includes.users) for the kill test and benchmarks.
 * Deterministic for a given seed.
 * Usage: gen-posts COUNT [SEED [PER_SESSION]] > file.jsonl
 * Tweets fall in weekly one-hour sessions, PER_SESSION (default 800) each. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/timeutil.h"

static const char *const words[] = {
	"patients", "health", "care", "nurses", "doctors", "social", "media", "policy",
	"policies", "community", "hospital", "data", "privacy", "trust", "education", "employees",
	"organisations", "guidelines", "engagement", "evidence", "research", "online", "support",
	"caregivers", "mental", "wellbeing", "access", "rural", "telehealth", "portal", "records",
	"share", "learn", "listen", "questions", "answers", "experience", "training", "staff",
	"leaders", "public", "information", "misinformation", "clinic", "family", "voices",
	"digital", "literacy", "chat", "great", "point", "agree", "think", "important", "really",
	"should", "could", "better", "more", "we", "our", "the", "and", "to", "of", "in", "is",
	"for", "with", "that", "it", "on", "be", "this", "are", "how", "what", "why", "when"};
#define N_WORDS (sizeof words / sizeof *words)
#define N_USERS 500
#define PAGE 100

static uint64_t rng_state;
static uint64_t next_random(void)
{
	/* xorshift64*: fast and reproducible across machines. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}
static unsigned pick(unsigned n) { return (unsigned)(next_random() % n); }

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs("usage: gen-posts COUNT [SEED [PER_SESSION]] > file.jsonl\n", stderr);
		return 2;
	}
	long count = atol(argv[1]);
	rng_state = argc > 2 ? strtoull(argv[2], NULL, 10) * 7919 + 1 : 88172645463325252ULL;
	/* Weekly one-hour sessions going back from 2022-12-28 18:00 UTC,
	 * about 800 tweets each: pages run newest first, as the API returns. */
	long per_session = argc > 3 ? atol(argv[3]) : 800;
	/* Milliseconds between tweets average an hour over per_session. */
	unsigned step_ms = (unsigned)(2 * 3600000 / (per_session > 0 ? per_session : 800));
	int64_t session_start = 1672250400000LL, t = session_start + 3600000;
	uint64_t id = 1608000000000000000ULL;
	char when[CHATARC_TIME_ISO_LEN], text[1024];
	long written = 0;

	while (written < count) {
		int on_page = count - written < PAGE ? (int)(count - written) : PAGE;
		unsigned users_on_page[PAGE];
		fputs("{\"data\":[", stdout);
		for (int i = 0; i < on_page; i++, written++) {
			t -= 1 + pick(step_ms);
			if (t < session_start) {
				session_start -= 7 * 86400000LL;
				t = session_start + 3600000;
			}
			unsigned user = pick(N_USERS);
			users_on_page[i] = user;
			int n = 0, n_words = 5 + (int)pick(36);
			unsigned topic = 1 + (unsigned)((t - session_start) * 6 / 3600000) % 6;
			n += sprintf(text + n, "%s%u ", pick(3) ? "A" : "T", topic);
			for (int w = 0; w < n_words; w++)
				n += sprintf(text + n, "%s ", words[pick(N_WORDS)]);
			unsigned mention = pick(N_USERS);
			bool has_mention = pick(4) == 0, has_link = pick(6) == 0, reply = pick(3) == 0;
			if (has_mention)
				n += sprintf(text + n, "@user%u ", mention);
			if (has_link)
				n += sprintf(text + n, "https://t.co/x%05u ", pick(100000));
			sprintf(text + n, "#hcsm #hcsmca &amp; more");
			char extra[256] = "";
			int e = 0;
			if (has_mention)
				e += sprintf(extra + e, ",\"mentions\":[{\"start\":3,\"end\":12,"
					     "\"username\":\"user%u\"}]", mention);
			if (has_link)
				e += sprintf(extra + e, ",\"urls\":[{\"start\":14,\"end\":37,\"url\":"
					     "\"https://t.co/x\",\"expanded_url\":\"https://example.org/"
					     "guide/%u\"}]", pick(1000));
			time_format_iso(t, when);
			id -= 1 + pick(1000000);
			printf("%s{\"id\":\"%" PRIu64 "\",\"text\":\"%s\",\"created_at\":\"%s\","
			       "\"author_id\":\"%u\",\"conversation_id\":\"%" PRIu64 "\",\"lang\":\"en\","
			       "\"public_metrics\":{\"retweet_count\":%u,\"reply_count\":%u,"
			       "\"like_count\":%u,\"quote_count\":0},\"entities\":{\"hashtags\":["
			       "{\"start\":0,\"end\":5,\"tag\":\"hcsm\"},{\"start\":6,\"end\":13,\"tag\":"
			       "\"hcsmca\"}]%s}%s,\"source\":\"Twitter Web App\"}",
			       i ? "," : "", id, text, when, 1000 + user, id, pick(5), pick(3), pick(20),
			       extra,
			       reply ? ",\"referenced_tweets\":[{\"type\":\"replied_to\",\"id\":\"1\"}]" : "");
		}
		fputs("],\"includes\":{\"users\":[", stdout);
		for (int i = 0; i < on_page; i++)
			printf("%s{\"id\":\"%u\",\"username\":\"user%u\",\"name\":\"User %u\","
			       "\"created_at\":\"2015-01-01T00:00:00.000Z\",\"verified\":false,"
			       "\"public_metrics\":{\"followers_count\":%u,\"following_count\":%u}}",
			       i ? "," : "", 1000 + users_on_page[i], users_on_page[i], users_on_page[i],
			       pick(5000), pick(900));
		printf("]},\"meta\":{\"result_count\":%d},\"__twarc\":{\"url\":\"https://api.twitter."
		       "com/2/tweets/search/all\",\"version\":\"2.12.0\",\"retrieved_at\":"
		       "\"2023-01-02T00:00:00+00:00\"}}\n",
		       on_page);
	}
	return 0;
}
