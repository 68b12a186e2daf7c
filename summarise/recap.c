/* The session's recap as Markdown or plain text, for a blog, a forum or an
 * email: made from the summary's own JSON (summary_write_json), so the
 * recap and the transcript page always carry the same figures. Post text
 * is quoted with Markdown's special characters escaped: a post cannot add
 * links, images or HTML to the page the recap is pasted into. */
#include <stdio.h>
#include <string.h>

#include "../common/json.h"
#include "summary.h"

#define RECAP_TOP         5   /* participants and links listed */
#define RECAP_QUOTE_CHARS 220 /* of a highlight's text */

struct recap {
	strbuf_t *out;
	bool markdown;
	yajl_val doc;
};

/* Text of a post, on one line: line breaks as spaces, cut at about max
 * bytes (on a UTF-8 boundary). In Markdown, what could make a link, an
 * image, HTML, emphasis, code or a table is escaped, and so is what would
 * start a heading or a list where the text starts a line. */
static void add_post_text(struct recap *r, const char *text, size_t max)
{
	size_t n = 0;
	const char *p = text ? text : "";
	if (r->markdown && (*p == '#' || *p == '-' || *p == '+' || *p == '=' ||
	                    (*p >= '0' && *p <= '9' && strspn(p, "0123456789") < strlen(p) &&
	                     strchr(".)", p[strspn(p, "0123456789")]))))
		strbuf_addch(r->out, '\\');
	for (; *p; p++, n++) {
		if (n >= max && ((unsigned char)*p & 0xC0) != 0x80) {
			strbuf_addstr(r->out, "…");
			return;
		}
		if (*p == '\n' || *p == '\r' || *p == '\t')
			strbuf_addch(r->out, ' ');
		else if (r->markdown && strchr("\\`*_[]<>|~", *p))
			strbuf_addf(r->out, "\\%c", *p);
		else
			strbuf_addch(r->out, *p);
	}
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

/* "s" for a count other than one. */
static const char *plural(long long n)
{
	return n == 1 ? "" : "s";
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
	long long newcomers = 0;
	for (size_t i = 0; i < json_array_len(participants); i++)
		newcomers += YAJL_IS_TRUE(json_get(participants->u.array.values[i], "newcomer"));
	long long messages = num(doc, "message-count"),
	          people = (long long)json_array_len(participants);
	strbuf_addf(r->out, "\n%lld message%s from %lld participant%s", messages, plural(messages),
	            people, plural(people));
	if (newcomers)
		strbuf_addf(r->out, " (%lld taking part for the first time)", newcomers);
	strbuf_addf(r->out, ", %lld repl%s, %lld topic%s.\n", num(doc, "reply-count"),
	            num(doc, "reply-count") == 1 ? "y" : "ies", num(doc, "topic-count"),
	            plural(num(doc, "topic-count")));
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
		strbuf_addf(r->out, " (%lld answer%s)\n", answers, plural(answers));
		yajl_val highlights = json_get(topic, "highlights");
		for (size_t h = 0; h < json_array_len(highlights) && h < 3; h++) {
			yajl_val m =
			    message_by_id(r->doc, str(highlights->u.array.values[h], "ref"));
			if (!m)
				continue;
			strbuf_addstr(r->out, r->markdown ? "> " : "    ");
			add_post_text(r, str(m, "text"), RECAP_QUOTE_CHARS);
			strbuf_addstr(r->out, " — @");
			add_post_text(r, str(m, "author"), 100);
			strbuf_addstr(r->out, r->markdown ? "\n>\n" : "\n");
		}
		strbuf_addch(r->out, '\n');
	}
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
		strbuf_addstr(r->out, " (@");
		add_post_text(r, str(p, "author"), 100);
		strbuf_addf(r->out, "): %lld message%s\n", n, plural(n));
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
			/* A link's own characters are safe in <...> once < > are out. */
			const char *url = str(l, "url");
			bool plain = !strpbrk(url, "<> \\");
			strbuf_addf(
			    r->out, r->markdown && plain ? "- <%s> (%lld)\n" : "- %s (%lld)\n",
			    plain ? url : "(a link with unusual characters)", num(l, "count"));
		}
	}
}

void summary_write_recap(const summary_t *s, bool markdown, const char *transcript, strbuf_t *out)
{
	strbuf_t json;
	strbuf_init(&json, 65536);
	summary_write_json(s, &json);
	struct recap r = {.out = out, .markdown = markdown};
	chatarc_error_t ignored;
	if (json_parse(json.buf, &r.doc, &ignored) == CHATARC_OK) {
		add_header(&r);
		add_topics(&r);
		add_people_and_links(&r);
		if (transcript)
			strbuf_addf(out, "\nTranscript: %s\n", transcript);
		yajl_tree_free(r.doc);
	}
	strbuf_release(&json);
}
