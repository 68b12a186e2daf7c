/* The session's recap as one post to put back on the networks: its figures,
 * as many questions as fit, and the transcript's link, within one Mastodon
 * post (500 characters, every link counted as 23, a mention @user@server
 * as @user) or one Bluesky post (300 graphemes, links counted whole).
 * chatarc prints it; a moderator posts it. Figures come from the summary's
 * JSON, as in the recap (recap.c), so they match the page. */
#include <string.h>
#include <utf8proc.h>

#include "../common/json.h"
#include "summary.h"

/* Bytes of the grapheme cluster at s (at least one code point); 0 at the
 * end. Unicode's extended grapheme clusters, as Bluesky counts them. */
static size_t grapheme_len(const char *s, size_t len)
{
	utf8proc_int32_t first, next;
	utf8proc_int32_t state = 0;
	utf8proc_ssize_t n =
	    utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &first);
	if (len == 0)
		return 0;
	if (n <= 0)
		return 1; /* an invalid byte is a grapheme of its own */
	size_t at = (size_t)n;
	while (at < len) {
		utf8proc_ssize_t m = utf8proc_iterate((const utf8proc_uint8_t *)s + at,
		                                      (utf8proc_ssize_t)(len - at), &next);
		if (m <= 0 || utf8proc_grapheme_break_stateful(first, next, &state))
			break;
		first = next;
		at += (size_t)m;
	}
	return at;
}

static size_t bluesky_length(const char *text)
{
	size_t n = 0, len = strlen(text);
	for (size_t at = 0, g; (g = grapheme_len(text + at, len - at)) > 0; at += g)
		n++;
	return n;
}

static bool starts_link(const char *p)
{
	return !strncmp(p, "https://", 8) || !strncmp(p, "http://", 7);
}

/* Mastodon's count: characters, except that a link is 23 whatever its
 * length and a mention @user@server counts as @user. */
static size_t mastodon_length(const char *text)
{
	size_t n = 0;
	for (const char *p = text; *p;) {
		if (starts_link(p) && (p == text || p[-1] == ' ' || p[-1] == '\n')) {
			n += 23;
			p += strcspn(p, " \n");
			continue;
		}
		if (*p == '@' && (p == text || p[-1] == ' ' || p[-1] == '\n')) {
			size_t word = strcspn(p, " \n"), user = strcspn(p + 1, "@ \n") + 1;
			for (size_t i = 0; i < user; i++)
				n += ((unsigned char)p[i] & 0xC0) != 0x80;
			p += word;
			continue;
		}
		if (((unsigned char)*p & 0xC0) != 0x80)
			n++;
		p++;
	}
	return n;
}

size_t summary_post_length(summary_post_network_t network, const char *text)
{
	return network == SUMMARY_POST_MASTODON ? mastodon_length(text) : bluesky_length(text);
}

/* Adds text on one line, cut to at most `room` of the network's length with
 * "…" (whole graphemes only). Returns false when it had to cut. */
static bool add_fitting(strbuf_t *out, summary_post_network_t network, const char *text,
                        size_t room)
{
	strbuf_t line;
	strbuf_init(&line, 256);
	for (const char *p = text; *p; p++)
		strbuf_addch(&line, *p == '\n' || *p == '\r' || *p == '\t' ? ' ' : *p);
	bool whole = summary_post_length(network, line.buf) <= room;
	if (whole) {
		strbuf_addstr(out, line.buf);
	} else if (room > 1) {
		/* Whole graphemes while the cut text and its "…" fit. */
		size_t keep = 0, len = line.len;
		for (size_t g; (g = grapheme_len(line.buf + keep, len - keep)) > 0; keep += g) {
			char saved = line.buf[keep + g];
			line.buf[keep + g] = '\0';
			bool fits = summary_post_length(network, line.buf) + 1 <= room;
			line.buf[keep + g] = saved;
			if (!fits)
				break;
		}
		while (keep && line.buf[keep - 1] == ' ')
			keep--;
		strbuf_add(out, line.buf, keep);
		strbuf_addstr(out, "…");
	}
	strbuf_release(&line);
	return whole;
}

static const char *str(yajl_val v, const char *key)
{
	const char *s = json_get_string(v, key);
	return s ? s : "";
}

void summary_write_post(const summary_t *s, summary_post_network_t network, const char *hashtag,
                        const char *link, strbuf_t *out)
{
	const size_t limit = network == SUMMARY_POST_MASTODON ? 500 : 300;
	strbuf_t json, head, tail, line;
	yajl_val doc;
	chatarc_error_t ignored;
	strbuf_init(&json, 65536);
	summary_write_json(s, &json);
	if (json_parse(json.buf, &doc, &ignored) != CHATARC_OK) {
		strbuf_release(&json);
		return;
	}
	strbuf_init(&head, 256);
	strbuf_init(&tail, 256);
	strbuf_init(&line, 256);
	yajl_val participants = json_get(doc, "participants"), topics = json_get(doc, "topics");
	size_t people = json_array_len(participants), newcomers = 0;
	for (size_t i = 0; i < people; i++)
		newcomers += YAJL_IS_TRUE(json_get(participants->u.array.values[i], "newcomer"));
	long long messages = json_get_count(doc, "message-count");
	strbuf_addf(&head, "#%s %s: %lld message%s from %zu %s",
	            hashtag ? hashtag : str(doc, "chat"), str(doc, "date"), messages,
	            messages == 1 ? "" : "s", people, people == 1 ? "person" : "people");
	if (newcomers)
		strbuf_addf(&head, " (%zu new)", newcomers);
	strbuf_addch(&head, '.');
	strbuf_addf(&tail, "\nTranscript: %s", link);

	/* The questions in order, while they fit; the last one that does not
	 * is cut if enough room is left to be worth reading. */
	strbuf_add(out, head.buf, head.len);
	size_t fixed = summary_post_length(network, tail.buf);
	for (size_t t = 0; t < json_array_len(topics); t++) {
		yajl_val topic = topics->u.array.values[t], question = json_get(topic, "question");
		const char *label = str(topic, "label"),
		           *text = question ? str(question, "text") : "";
		strbuf_reset(&line);
		if (strncmp(text, label, strlen(label)))
			strbuf_addf(&line, "%s ", label);
		strbuf_addstr(&line, text);
		size_t used = summary_post_length(network, out->buf) + fixed;
		if (used + 2 >= limit)
			break;
		size_t room = limit - used - 1; /* the line break before it */
		if (summary_post_length(network, line.buf) > room && room < 30)
			break;
		strbuf_addch(out, '\n');
		if (!add_fitting(out, network, line.buf, room))
			break;
	}
	strbuf_add(out, tail.buf, tail.len);
	strbuf_addch(out, '\n');
	strbuf_release(&head);
	strbuf_release(&tail);
	strbuf_release(&line);
	strbuf_release(&json);
	yajl_tree_free(doc);
}
