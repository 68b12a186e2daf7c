/* The session's recap as Markdown or plain text, for a blog, a forum or an
 * email, and as one post for Mastodon or Bluesky: made from the summary's
 * own JSON (summary_write_json), so the recap, the post and the transcript
 * page always carry the same figures. Post text
 * is quoted with Markdown's special characters escaped: a post cannot add
 * links, images or HTML to the page the recap is pasted into. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#include "../common/json.h"
#include "../common/terminal.h"
#include "summary.h"

#define RECAP_TOP         5   /* participants and links listed */
#define RECAP_QUOTE_CHARS 220 /* of a highlight's text */

struct recap {
	strbuf_t *out;
	bool markdown;
	yajl_val doc;
};

/* @everyone and its kin notify a whole room where a recap is pasted
 * (Discord, Slack, Mattermost): returns the word's length, else 0. */
static size_t mass_mention(const char *p)
{
	static const char *const words[] = {"@everyone", "@here", "@channel", "@all"};
	for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
		size_t n = strlen(words[i]);
		if (!strncasecmp(p, words[i], n) && !isalnum((unsigned char)p[n]) && p[n] != '_')
			return n;
	}
	return 0;
}

/* Text of a post, on one line: line breaks as spaces, control characters
 * escaped as for a terminal (terminal.h), cut at about max bytes (on a
 * UTF-8 boundary). In Markdown, what could make a link, an image, HTML,
 * emphasis, code or a table is escaped, and so is what would start a
 * heading or a list where the text starts a line; what GFM would autolink
 * (scheme://, www., an address with @) is broken by an escape, so no
 * renderer turns a post's text into a link. A mass mention is quoted (a
 * code span in Markdown, a word joiner after its @ in text) so it
 * notifies no one. */
static void add_post_text(struct recap *r, const char *text, size_t max)
{
	size_t n = 0;
	strbuf_t clean;
	strbuf_init(&clean, 256);
	term_add_text(&clean, text ? text : "", true);
	const char *p = clean.buf;
	if (r->markdown && (*p == '#' || *p == '-' || *p == '+' || *p == '=' ||
	                    (*p >= '0' && *p <= '9' && strspn(p, "0123456789") < strlen(p) &&
	                     strchr(".)", p[strspn(p, "0123456789")]))))
		strbuf_addch(r->out, '\\');
	for (; *p; p++, n++) {
		bool word_start = p == clean.buf || !isalnum((unsigned char)p[-1]);
		size_t mass = word_start ? mass_mention(p) : 0;
		if (n >= max && ((unsigned char)*p & 0xC0) != 0x80) {
			strbuf_addstr(r->out, "…");
			break;
		}
		if (mass) {
			strbuf_addstr(r->out, r->markdown ? "`@" : "@\u2060");
			strbuf_add(r->out, p + 1, mass - 1);
			strbuf_addstr(r->out, r->markdown ? "`" : "");
			p += mass - 1;
			n += mass - 1;
		} else if (!r->markdown) {
			strbuf_addch(r->out, *p);
		} else if (strchr("\\`*_[]<>|~@", *p) || (*p == ':' && !strncmp(p + 1, "//", 2)) ||
		           (*p == '.' && p - clean.buf >= 3 && !strncasecmp(p - 3, "www", 3) &&
		            (p - clean.buf == 3 || !isalnum((unsigned char)p[-4])))) {
			strbuf_addf(r->out, "\\%c", *p);
		} else {
			strbuf_addch(r->out, *p);
		}
	}
	strbuf_release(&clean);
}

static const char *str(yajl_val v, const char *key)
{
	const char *s = json_get_string(v, key);
	return s ? s : "";
}

static long long num(yajl_val v, const char *key)
{
	return json_get_count(v, key);
}

/* The summary's JSON as a tree (NULL if it cannot be parsed), to free with
 * json_free. */
static yajl_val summary_doc(const summary_t *s)
{
	strbuf_t json;
	yajl_val doc = NULL;
	chatarc_error_t ignored;
	strbuf_init(&json, 65536);
	summary_write_json(s, &json);
	if (json_parse(json.buf, &doc, &ignored) != CHATARC_OK)
		doc = NULL;
	strbuf_release(&json);
	return doc;
}

/* Participants taking part for the first time. */
static long long count_newcomers(yajl_val participants)
{
	long long n = 0;
	for (size_t i = 0; i < json_array_len(participants); i++)
		n += YAJL_IS_TRUE(json_get(participants->u.array.values[i], "newcomer"));
	return n;
}

/* The message with this id in a section's "messages", or NULL. */
static yajl_val find_message(yajl_val section, const char *id)
{
	yajl_val list = json_get(section, "messages");
	for (size_t i = 0; i < json_array_len(list); i++)
		if (!strcmp(str(list->u.array.values[i], "id"), id))
			return list->u.array.values[i];
	return NULL;
}

/* The message with this id, in any section. */
static yajl_val message_by_id(yajl_val doc, const char *id)
{
	static const char *const sections[] = {"intro", "wrap", "unassigned"};
	yajl_val topics = json_get(doc, "topics"), found = NULL;
	for (size_t t = 0; !found && t < json_array_len(topics); t++)
		found = find_message(topics->u.array.values[t], id);
	for (size_t s = 0; !found && s < 3; s++)
		found = find_message(json_get(doc, sections[s]), id);
	return found;
}

static void heading(struct recap *r, const char *text)
{
	strbuf_addf(r->out, r->markdown ? "\n## %s\n\n" : "\n%s\n\n", text);
}

static void add_header(struct recap *r)
{
	yajl_val doc = r->doc, span = json_get(doc, "span");
	const char *first = str(span, "first-local"), *last = str(span, "last-local");
	const char *title = str(doc, "title");
	strbuf_addstr(r->out, r->markdown ? "# " : "");
	if (*title)
		add_post_text(r, title, 200);
	else
		strbuf_addf(r->out, "%s#%s", r->markdown ? "\\" : "",
		            str(doc, "chat")); /* no heading "##" */
	strbuf_addf(r->out, ", %s", str(doc, "date"));
	if (strlen(first) >= 16 && strlen(last) >= 16)
		strbuf_addf(r->out, ", %.5s–%.5s %s (UTC%s)", first + 11, last + 11, str(doc, "tz"),
		            first + 19);
	strbuf_addch(r->out, '\n');
	yajl_val participants = json_get(doc, "participants");
	long long newcomers = count_newcomers(participants);
	long long messages = num(doc, "message-count"),
	          people = (long long)json_array_len(participants);
	strbuf_addf(r->out, "\n%lld %s from %lld %s", messages,
	            plural(messages, "message", "messages"), people,
	            plural(people, "participant", "participants"));
	if (newcomers)
		strbuf_addf(r->out, " (%lld taking part for the first time)", newcomers);
	long long replies = num(doc, "reply-count"), topics = num(doc, "topic-count");
	strbuf_addf(r->out, ", %lld %s, %lld %s.\n", replies, plural(replies, "reply", "replies"),
	            topics, plural(topics, "topic", "topics"));
}

static void add_topics(struct recap *r)
{
	yajl_val topics = json_get(r->doc, "topics");
	if (!json_array_len(topics))
		return;
	heading(r, "Questions");
	for (size_t t = 0; t < json_array_len(topics); t++) {
		yajl_val topic = topics->u.array.values[t];
		yajl_val question = json_get(topic, "question");
		long long answers = num(topic, "message-count") - (question ? 1 : 0);
		const char *text = question ? str(question, "text") : "";
		/* The label is shown once: most questions start with it. */
		if (strncmp(text, str(topic, "label"), strlen(str(topic, "label"))))
			strbuf_addf(r->out, r->markdown ? "**%s** " : "%s ", str(topic, "label"));
		add_post_text(r, text, 400);
		strbuf_addf(r->out, " (%lld %s)\n", answers, plural(answers, "answer", "answers"));
		yajl_val highlights = json_get(topic, "highlights");
		for (size_t h = 0; h < json_array_len(highlights) && h < 3; h++) {
			yajl_val m =
			    message_by_id(r->doc, str(highlights->u.array.values[h], "ref"));
			if (!m)
				continue;
			strbuf_addstr(r->out, r->markdown ? "> " : "    ");
			add_post_text(r, str(m, "text"), RECAP_QUOTE_CHARS);
			strbuf_addstr(r->out, r->markdown ? " — \\@" : " — @");
			add_post_text(r, str(m, "author"), 100);
			strbuf_addstr(r->out, r->markdown ? "\n>\n" : "\n");
		}
		strbuf_addch(r->out, '\n');
	}
}

/* A link the recap may show: http(s) only (a javascript: or data: link
 * would run where the recap is read), and nothing that could end an
 * autolink <...> or a line: no blank, control character, < > or \\. */
static bool recap_link_safe(const char *url)
{
	if (strncmp(url, "https://", 8) && strncmp(url, "http://", 7))
		return false;
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p <= 0x20 || *p == 0x7f || strchr("<>\\\"`", *p))
			return false;
	return true;
}

static void add_people_and_links(struct recap *r)
{
	yajl_val participants = json_get(r->doc, "participants");
	heading(r, "Top participants");
	for (size_t i = 0; i < json_array_len(participants) && i < RECAP_TOP; i++) {
		yajl_val p = participants->u.array.values[i];
		long long n = num(p, "message-count");
		strbuf_addf(r->out, "%zu. ", i + 1);
		add_post_text(r, *str(p, "name") ? str(p, "name") : str(p, "author"), 100);
		strbuf_addstr(r->out, r->markdown ? " (\\@" : " (@");
		add_post_text(r, str(p, "author"), 100);
		strbuf_addf(r->out, "): %lld %s\n", n, plural(n, "message", "messages"));
	}
	strbuf_t newcomers;
	strbuf_init(&newcomers, 0);
	for (size_t i = 0; i < json_array_len(participants); i++) {
		yajl_val p = participants->u.array.values[i];
		if (YAJL_IS_TRUE(json_get(p, "newcomer")))
			strbuf_addf(&newcomers, "%s%s", newcomers.len ? ", @" : "@",
			            str(p, "author"));
	}
	if (newcomers.len) {
		heading(r, "First time here");
		add_post_text(r, newcomers.buf, newcomers.len);
		strbuf_addch(r->out, '\n');
	}
	strbuf_release(&newcomers);
	yajl_val links = json_get(r->doc, "links");
	if (json_array_len(links)) {
		heading(r, "Top links");
		for (size_t i = 0; i < json_array_len(links) && i < RECAP_TOP; i++) {
			yajl_val l = links->u.array.values[i];
			const char *url = str(l, "url");
			if (!recap_link_safe(url))
				continue;
			strbuf_addf(r->out, r->markdown ? "- <%s> (%lld)\n" : "- %s (%lld)\n", url,
			            num(l, "count"));
		}
	}
}

void summary_write_recap(const summary_t *s, bool markdown, const char *transcript, strbuf_t *out)
{
	struct recap r = {.out = out, .markdown = markdown, .doc = summary_doc(s)};
	if (!r.doc)
		return;
	add_header(&r);
	add_topics(&r);
	add_people_and_links(&r);
	if (transcript)
		strbuf_addf(out, "\nTranscript: %s\n", transcript);
	json_free(r.doc);
}

/* ---- One post to put back on the networks ----
 * Its figures, as many questions as fit, and the transcript's link, within
 * one Mastodon post (500 characters, every link counted as 23, a mention
 * @user@server as @user) or one Bluesky post (300 graphemes, links counted
 * whole). chatarc prints it; a moderator posts it. */

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
		/* At a word: back to the last space, unless that loses more
		 * than half of what fits (one long word). */
		size_t word = keep;
		while (word && keep < line.len && line.buf[keep] != ' ' &&
		       line.buf[word - 1] != ' ')
			word--;
		if (word > keep / 2)
			keep = word;
		while (keep && line.buf[keep - 1] == ' ')
			keep--;
		strbuf_add(out, line.buf, keep);
		strbuf_addstr(out, "…");
	}
	strbuf_release(&line);
	return whole;
}

/* text without the hashtag #tag (any case, as a whole word), its spaces
 * run together. */
static void add_without_tag(strbuf_t *out, const char *text, const char *tag)
{
	size_t start = out->len;
	for (const char *p = text; *p;) {
		const char *after = record_hashtag_end(p, tag);
		if (after) {
			p = after;
			continue;
		}
		bool blank = *p == ' ' || *p == '\n' || *p == '\r' || *p == '\t';
		if (!blank || (out->len > start && out->buf[out->len - 1] != ' '))
			strbuf_addch(out, blank ? ' ' : *p);
		p++;
	}
	while (out->len > start && out->buf[out->len - 1] == ' ')
		strbuf_setlen(out, out->len - 1);
}

void summary_write_post(const summary_t *s, summary_post_network_t network, const char *hashtag,
                        const char *link, strbuf_t *out)
{
	const size_t limit = network == SUMMARY_POST_MASTODON ? 500 : 300;
	strbuf_t head, tail, line;
	yajl_val doc = summary_doc(s);
	if (!doc)
		return;
	strbuf_init(&head, 256);
	strbuf_init(&tail, 256);
	strbuf_init(&line, 256);
	yajl_val participants = json_get(doc, "participants"), topics = json_get(doc, "topics");
	size_t people = json_array_len(participants);
	long long newcomers = count_newcomers(participants);
	long long messages = json_get_count(doc, "message-count");
	strbuf_addf(&head, "#%s %s: %lld %s from %zu %s", hashtag ? hashtag : str(doc, "chat"),
	            str(doc, "date"), messages, plural(messages, "message", "messages"), people,
	            plural((long long)people, "person", "people"));
	if (newcomers)
		strbuf_addf(&head, " (%lld new)", newcomers);
	strbuf_addch(&head, '.');
	strbuf_addf(&tail, "\nTranscript: %s", link);

	/* The questions in order, without the chat's hashtag (the post
	 * carries it once, first), each whole while it fits, else cut at a
	 * word with "…" when enough room is left to be worth reading; the
	 * questions that cannot be shown are counted, never dropped
	 * silently, in room kept for that line. */
	strbuf_add(out, head.buf, head.len);
	size_t fixed = summary_post_length(network, tail.buf);
	size_t n_topics = json_array_len(topics);
	for (size_t t = 0; t < n_topics; t++) {
		yajl_val topic = topics->u.array.values[t], question = json_get(topic, "question");
		const char *label = str(topic, "label"),
		           *text = question ? str(question, "text") : "";
		strbuf_reset(&line);
		if (strncmp(text, label, strlen(label)))
			strbuf_addf(&line, "%s ", label);
		add_without_tag(&line, text, hashtag ? hashtag : str(doc, "chat"));
		char more[64];
		size_t after = n_topics - t - 1;
		snprintf(more, sizeof more, "\n(+%zu more %s in the transcript)", after + 1,
		         plural((long long)after + 1, "question", "questions"));
		size_t reserve = after ? summary_post_length(network, more) : 0;
		size_t used = summary_post_length(network, out->buf) + fixed + reserve;
		size_t room = used + 2 < limit ? limit - used - 1 : 0; /* -1: its line break */
		if (summary_post_length(network, line.buf) > room && room < 30) {
			strbuf_addstr(out, more);
			break;
		}
		strbuf_addch(out, '\n');
		add_fitting(out, network, line.buf, room);
	}
	strbuf_add(out, tail.buf, tail.len);
	strbuf_addch(out, '\n');
	strbuf_release(&head);
	strbuf_release(&tail);
	strbuf_release(&line);
	json_free(doc);
}
