/* gen-posts: writes a large, realistic twarc2 JSONL file (one API page of
 * 100 tweets a line, with includes.users) for the kill test and benchmarks.
 * Deterministic for a given seed.
 * Usage: gen-posts COUNT [SEED [PER_SESSION]] > file.jsonl
 *        gen-posts --words N   (the N most frequent words, one a line, for
 *                               benchmark queries)
 * Tweets fall in weekly one-hour sessions, PER_SESSION (default 800) each. */
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/timeutil.h"

/* The vocabulary, in rank order: real chat words first (function words and
 * the healthcare chats' own), then a long tail of made-up words built from
 * syllables, so that word frequencies follow Zipf's law (the frequency of
 * the r-th word ~ 1/r) over VOCABULARY words, as in real text. Messages
 * have a log-normal number of words (median 16, 3 to 50), like chat posts. */
static const char *const head_words[] = {"the",
                                         "to",
                                         "and",
                                         "of",
                                         "a",
                                         "in",
                                         "is",
                                         "for",
                                         "we",
                                         "that",
                                         "it",
                                         "on",
                                         "i",
                                         "you",
                                         "with",
                                         "be",
                                         "are",
                                         "this",
                                         "our",
                                         "can",
                                         "how",
                                         "health",
                                         "patients",
                                         "care",
                                         "not",
                                         "as",
                                         "have",
                                         "what",
                                         "more",
                                         "they",
                                         "at",
                                         "about",
                                         "so",
                                         "do",
                                         "all",
                                         "but",
                                         "from",
                                         "an",
                                         "or",
                                         "will",
                                         "one",
                                         "great",
                                         "think",
                                         "social",
                                         "media",
                                         "by",
                                         "their",
                                         "need",
                                         "important",
                                         "if",
                                         "information",
                                         "people",
                                         "patient",
                                         "when",
                                         "who",
                                         "agree",
                                         "really",
                                         "should",
                                         "my",
                                         "also",
                                         "just",
                                         "like",
                                         "time",
                                         "good",
                                         "community",
                                         "support",
                                         "data",
                                         "use",
                                         "help",
                                         "way",
                                         "online",
                                         "share",
                                         "see",
                                         "doctors",
                                         "nurses",
                                         "hospital",
                                         "policy",
                                         "policies",
                                         "privacy",
                                         "trust",
                                         "education",
                                         "employees",
                                         "organisations",
                                         "guidelines",
                                         "engagement",
                                         "evidence",
                                         "research",
                                         "caregivers",
                                         "mental",
                                         "wellbeing",
                                         "access",
                                         "rural",
                                         "telehealth",
                                         "portal",
                                         "records",
                                         "learn",
                                         "listen",
                                         "questions",
                                         "answers",
                                         "experience",
                                         "training",
                                         "staff",
                                         "leaders",
                                         "public",
                                         "misinformation",
                                         "clinic",
                                         "family",
                                         "voices",
                                         "digital",
                                         "literacy",
                                         "chat",
                                         "point",
                                         "could",
                                         "better",
                                         "why",
                                         "thanks",
                                         "tonight",
                                         "welcome",
                                         "everyone",
                                         "join",
                                         "topic",
                                         "question",
                                         "agreed",
                                         "yes",
                                         "absolutely",
                                         "exactly",
                                         "many",
                                         "some",
                                         "make",
                                         "work",
                                         "know",
                                         "there",
                                         "them",
                                         "clinicians",
                                         "physicians",
                                         "pharmacists",
                                         "providers",
                                         "system",
                                         "systems",
                                         "cancer",
                                         "diabetes",
                                         "vaccine",
                                         "vaccines",
                                         "covid",
                                         "pandemic",
                                         "equity",
                                         "outcomes",
                                         "quality",
                                         "safety",
                                         "costs",
                                         "insurance",
                                         "primary",
                                         "emergency",
                                         "chronic",
                                         "disease",
                                         "prevention",
                                         "apps",
                                         "wearables",
                                         "ai",
                                         "tools",
                                         "platform",
                                         "platforms",
                                         "twitter",
                                         "mastodon",
                                         "bluesky",
                                         "facebook",
                                         "youtube",
                                         "blog",
                                         "podcast",
                                         "video",
                                         "conversation",
                                         "conversations",
                                         "sharing",
                                         "listening",
                                         "learning",
                                         "building",
                                         "relationships",
                                         "stories",
                                         "story",
                                         "advocacy",
                                         "advocates",
                                         "empathy",
                                         "compassion",
                                         "burnout",
                                         "resilience",
                                         "students",
                                         "medical",
                                         "nursing",
                                         "school",
                                         "schools",
                                         "university",
                                         "conference",
                                         "events",
                                         "hcsm",
                                         "government",
                                         "funding",
                                         "budget",
                                         "reform",
                                         "regulation",
                                         "consent",
                                         "ethics",
                                         "risk",
                                         "risks",
                                         "benefits",
                                         "barriers",
                                         "challenges",
                                         "opportunities",
                                         "change",
                                         "culture",
                                         "leadership",
                                         "strategy",
                                         "goals",
                                         "measure",
                                         "metrics",
                                         "impact",
                                         "value",
                                         "results"};
#define HEAD_WORDS (sizeof head_words / sizeof *head_words)
#define VOCABULARY 40000
#define ZIPF_S     1.0

static char *vocabulary[VOCABULARY];
static double zipf_cumulative[VOCABULARY];

/* The tail word of rank r: syllables picked by r's digits in base 24, so
 * every rank has its own word ("kamori", "tesulo", ...). */
static char *made_up_word(unsigned rank)
{
	static const char *const syllables[] = {"ka", "mo", "ri", "te", "su", "lo", "na", "pe",
	                                        "vi", "do", "ba", "zu", "fe", "gi", "ho", "ja",
	                                        "le", "mu", "ni", "po", "ra", "si", "tu", "we"};
	char word[32] = "";
	size_t n = 0;
	unsigned x = rank;
	do {
		n += (size_t)snprintf(word + n, sizeof word - n, "%s", syllables[x % 24]);
		x /= 24;
	} while (x > 0 || n < 6);
	return strdup(word);
}

static void build_vocabulary(void)
{
	double sum = 0;
	for (unsigned r = 0; r < VOCABULARY; r++) {
		vocabulary[r] = r < HEAD_WORDS ? strdup(head_words[r]) : made_up_word(r);
		sum += 1.0 / pow(r + 1, ZIPF_S);
		zipf_cumulative[r] = sum;
	}
	for (unsigned r = 0; r < VOCABULARY; r++)
		zipf_cumulative[r] /= sum;
}

#define N_USERS 500
#define PAGE    100

static uint64_t rng_state;
static uint64_t next_random(void)
{
	/* xorshift64*: fast and reproducible across machines. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}
static unsigned pick(unsigned n)
{
	return (unsigned)(next_random() % n);
}
static double uniform(void)
{
	return (double)(next_random() >> 11) / 9007199254740992.0;
}

/* A word drawn by Zipf's law: binary search of the cumulative weights. */
static const char *zipf_word(void)
{
	double u = uniform();
	unsigned lo = 0, hi = VOCABULARY - 1;
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (zipf_cumulative[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return vocabulary[lo];
}

/* Words in a message: log-normal, median 16 (e^2.77), clipped to 3..50. */
static int message_length(void)
{
	double u1 = uniform(), u2 = uniform();
	double normal = sqrt(-2 * log(u1 > 0 ? u1 : 1e-12)) * cos(6.283185307179586 * u2);
	int n = (int)exp(2.77 + 0.5 * normal);
	return n < 3 ? 3 : n > 50 ? 50 : n;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs("usage: gen-posts COUNT [SEED [PER_SESSION]] > file.jsonl\n"
		      "       gen-posts --words N\n",
		      stderr);
		return 2;
	}
	build_vocabulary();
	if (!strcmp(argv[1], "--words")) {
		long n = argc > 2 ? atol(argv[2]) : VOCABULARY;
		for (long r = 0; r < n && r < VOCABULARY; r++)
			puts(vocabulary[r]);
		return 0;
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
			int n = 0, n_words = message_length();
			unsigned topic = 1 + (unsigned)((t - session_start) * 6 / 3600000) % 6;
			n += sprintf(text + n, "%s%u ", pick(3) ? "A" : "T", topic);
			for (int w = 0; w < n_words; w++)
				n += sprintf(text + n, "%s ", zipf_word());
			unsigned mention = pick(N_USERS);
			bool has_mention = pick(4) == 0, has_link = pick(6) == 0,
			     reply = pick(3) == 0;
			if (has_mention)
				n += sprintf(text + n, "@user%u ", mention);
			if (has_link)
				n += sprintf(text + n, "https://t.co/x%05u ", pick(100000));
			sprintf(text + n, "#hcsm #hcsmca &amp; more");
			char extra[256] = "";
			int e = 0;
			if (has_mention)
				e += sprintf(extra + e,
				             ",\"mentions\":[{\"start\":3,\"end\":12,"
				             "\"username\":\"user%u\"}]",
				             mention);
			if (has_link)
				e += sprintf(
				    extra + e,
				    ",\"urls\":[{\"start\":14,\"end\":37,\"url\":"
				    "\"https://t.co/x\",\"expanded_url\":\"https://example.org/"
				    "guide/%u\"}]",
				    pick(1000));
			time_format_iso(t, when);
			id -= 1 + pick(1000000);
			printf(
			    "%s{\"id\":\"%" PRIu64 "\",\"text\":\"%s\",\"created_at\":\"%s\","
			    "\"author_id\":\"%u\",\"conversation_id\":\"%" PRIu64
			    "\",\"lang\":\"en\","
			    "\"public_metrics\":{\"retweet_count\":%u,\"reply_count\":%u,"
			    "\"like_count\":%u,\"quote_count\":0},\"entities\":{\"hashtags\":["
			    "{\"start\":0,\"end\":5,\"tag\":\"hcsm\"},{\"start\":6,\"end\":13,"
			    "\"tag\":"
			    "\"hcsmca\"}]%s}%s,\"source\":\"Twitter Web App\"}",
			    i ? "," : "", id, text, when, 1000 + user, id, pick(5), pick(3),
			    pick(20), extra,
			    reply
			        ? ",\"referenced_tweets\":[{\"type\":\"replied_to\",\"id\":\"1\"}]"
			        : "");
		}
		fputs("],\"includes\":{\"users\":[", stdout);
		for (int i = 0; i < on_page; i++)
			printf(
			    "%s{\"id\":\"%u\",\"username\":\"user%u\",\"name\":\"User %u\","
			    "\"created_at\":\"2015-01-01T00:00:00.000Z\",\"verified\":false,"
			    "\"public_metrics\":{\"followers_count\":%u,\"following_count\":%u}}",
			    i ? "," : "", 1000 + users_on_page[i], users_on_page[i],
			    users_on_page[i], pick(5000), pick(900));
		printf(
		    "]},\"meta\":{\"result_count\":%d},\"__twarc\":{\"url\":\"https://api.twitter."
		    "com/2/tweets/search/all\",\"version\":\"2.12.0\",\"retrieved_at\":"
		    "\"2023-01-02T00:00:00+00:00\"}}\n",
		    on_page);
	}
	return 0;
}
