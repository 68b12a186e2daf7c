/* Writing a summary. One walk over the summary (write_session) drives a
 * sprinter (common/sprinter.h), XML or JSON, so both formats carry the
 * same content. The
 * XML's shape is share/schema/summary.rng. Output is deterministic: every
 * list has a total order. */
#define _GNU_SOURCE /* qsort_r */
#include <stdlib.h>
#include <string.h>

#include "../common/alloc.h"
#include "../common/hash.h"
#include "../common/json.h"
#include "../common/sprinter.h"
#include "../common/urimap.h"
#include "places.h"
#include "summary.h"

#define TOP_N 10

/* Counting: key -> count, reported most frequent first, then by key. */
struct tally {
	urimap_t index;
	strlist_t keys;
	long *counts;
	size_t counts_alloc;
	long *order;
};

/* Counts key once more; returns its place in t->keys. */
static size_t tally_add(struct tally *t, const char *key)
{
	bool added;
	urimap_value_t *v = urimap_insert(&t->index, key, &added);
	if (added) {
		v->index = t->keys.len;
		strlist_add(&t->keys, key);
		ALLOC_GROW(t->counts, t->keys.len, t->counts_alloc);
		t->counts[v->index] = 0;
	}
	t->counts[v->index]++;
	return v->index;
}

static int by_count(const void *a, const void *b, void *ctx)
{
	long x = *(const long *)a, y = *(const long *)b;
	const struct tally *t = ctx;
	if (t->counts[x] != t->counts[y])
		return t->counts[x] < t->counts[y] ? 1 : -1;
	return strcmp(t->keys.items[x], t->keys.items[y]);
}

static void tally_sort(struct tally *t)
{
	t->order = xrealloc_array(t->order, t->keys.len + 1, sizeof *t->order);
	for (size_t i = 0; i < t->keys.len; i++)
		t->order[i] = (long)i;
	qsort_r(t->order, t->keys.len, sizeof *t->order, by_count, t);
}

static void tally_release(struct tally *t)
{
	urimap_release(&t->index);
	strlist_clear(&t->keys);
	free(t->counts);
	free(t->order);
	memset(t, 0, sizeof *t);
}

static void tally_init(struct tally *t)
{
	memset(t, 0, sizeof *t);
	urimap_init(&t->index);
}

static void write_tally(sprinter_t *e, struct tally *t, const char *list, const char *item,
                        const char *key_name, size_t limit)
{
	tally_sort(t);
	e->begin_list(e, list);
	for (size_t i = 0; i < t->keys.len && i < limit; i++) {
		e->begin_object(e, item);
		e->string(e, key_name, t->keys.items[t->order[i]]);
		e->integer(e, "count", t->counts[t->order[i]]);
		e->end_object(e);
	}
	e->end_list(e);
}

/* A message's anchor on the transcript page comes from its identity, not
 * its place: a late federated post must never renumber the links people
 * have shared. 48 bits of the uri's hash: two messages of one session
 * sharing them is a chance in 10^8 at 2,000 messages. */
void summary_message_anchor(const char *uri, char out[24])
{
	uri = uri ? uri : "";
	snprintf(out, 24, "m%012llx",
	         (unsigned long long)(fnv1a(FNV1A_START, uri, strlen(uri)) >> 16));
}

static void message_id(const summary_t *s, long index, char out[24])
{
	summary_message_anchor(s->messages[index].record.uri, out);
}

static void write_message(sprinter_t *e, const summary_t *s, long i)
{
	const summary_message_t *m = &s->messages[i];
	const chatarc_record_t *r = &m->record;
	char id[24], parent[24], utc[CHATARC_TIME_ISO_LEN], labels[48] = "";

	message_id(s, i, id);
	time_format_iso(r->created_ms, utc);
	for (int k = 0; k < m->n_labels; k++)
		snprintf(labels + strlen(labels), sizeof labels - strlen(labels), "%s%d",
		         k ? " " : "", m->labels[k]);
	e->begin_object(e, "message");
	e->string(e, "id", id);
	e->string(e, "uri", r->uri);
	e->string(e, "network", r->network);
	e->string(e, "source", r->source);
	e->string(e, "author", r->author);
	e->string(e, "name", r->author_name);
	e->string(e, "time", utc);
	e->string(e, "local", m->local_time);
	e->string(e, "url", r->url);
	if (m->parent >= 0) {
		message_id(s, m->parent, parent);
		e->string(e, "reply-to", parent);
	} else if (r->reply_to) {
		e->string(e, "reply-to-uri", r->reply_to);
	}
	e->string(e, "method", places_method_name(m->method));
	e->string(e, "reason", m->reason);
	if (*labels)
		e->string(e, "labels", labels);
	e->boolean(e, "moderator", m->moderator);
	e->boolean(e, "question", m->question);
	e->integer(e, "likes", r->likes);
	e->integer(e, "reposts", r->reposts);
	e->integer(e, "replies", r->replies);
	if (r->content_warning && *r->content_warning)
		e->text(e, "content-warning", r->content_warning);
	e->text(e, "text", r->text);
	const strlist_t *lists[] = {&r->tags, &r->mentions, &r->links, &r->media_alt};
	const char *names[][2] = {
	    {"tags", "tag"}, {"mentions", "mention"}, {"links", "link"}, {"media", "alt"}};
	for (int l = 0; l < 4; l++) {
		if (!lists[l]->len)
			continue;
		e->begin_list(e, names[l][0]);
		for (size_t k = 0; k < lists[l]->len; k++)
			e->text(e, names[l][1], lists[l]->items[k]);
		e->end_list(e);
	}
	e->end_object(e);
}

static void write_messages_of(sprinter_t *e, const summary_t *s, int section)
{
	e->begin_list(e, "messages");
	for (size_t i = 0; i < s->n_messages; i++)
		if (s->messages[i].section == section)
			write_message(e, s, (long)i);
	e->end_list(e);
}

static void write_participants(sprinter_t *e, const summary_t *s, int section)
{
	struct tally t;
	tally_init(&t);
	/* Each person's first message and accounts, in one pass (a scan of
	 * the messages per person was a twentieth of a publish). */
	const summary_message_t **firsts = xcalloc(s->n_messages + 1, sizeof *firsts);
	strlist_t *accounts_of = xcalloc(s->n_messages + 1, sizeof *accounts_of);
	for (size_t i = 0; i < s->n_messages; i++)
		if ((section == INT32_MIN || s->messages[i].section == section) &&
		    s->messages[i].person)
			tally_add(&t, s->messages[i].person);
	/* Then of the whole session, as the person's name and accounts are. */
	for (size_t i = 0; i < s->n_messages; i++) {
		const urimap_value_t *v =
		    s->messages[i].person ? urimap_find(&t.index, s->messages[i].person) : NULL;
		if (!v)
			continue;
		if (!firsts[v->index])
			firsts[v->index] = &s->messages[i];
		strlist_add_unique(&accounts_of[v->index], s->messages[i].record.author);
	}
	tally_sort(&t);
	e->begin_list(e, "participants");
	for (size_t k = 0; k < t.keys.len; k++) {
		const char *person = t.keys.items[t.order[k]];
		const summary_message_t *first = firsts[t.order[k]];
		const strlist_t accounts = accounts_of[t.order[k]];
		/* A person of the config's "people": their name there, and every
		 * account they wrote from in the session. */
		const char *name = NULL;
		config_person(s->chat_config, first->record.author, &name);
		e->begin_object(e, "participant");
		e->string(e, "author", person);
		e->string(e, "name", name ? name : first->record.author_name);
		e->string(e, "network", first->record.network);
		if (name) {
			strbuf_t joined;
			strbuf_init(&joined, 64);
			for (size_t a = 0; a < accounts.len; a++)
				strbuf_addf(&joined, "%s%s", a ? " " : "", accounts.items[a]);
			e->string(e, "accounts", joined.buf);
			strbuf_release(&joined);
		}
		e->integer(e, "message-count", t.counts[t.order[k]]);
		e->boolean(e, "moderator", first->moderator);
		if (section == INT32_MIN) {
			bool newcomer = urimap_find(&s->newcomers, person) != NULL;
			e->boolean(e, "newcomer", newcomer);
			e->boolean(e, "regular", !newcomer);
		}
		e->end_object(e);
	}
	e->end_list(e);
	for (size_t k = 0; k < t.keys.len; k++)
		strlist_clear(&accounts_of[k]);
	free(accounts_of);
	free(firsts);
	tally_release(&t);
}

static void write_links(sprinter_t *e, const summary_t *s, int section)
{
	struct tally t;
	tally_init(&t);
	for (size_t i = 0; i < s->n_messages; i++) {
		if (section != INT32_MIN && s->messages[i].section != section)
			continue;
		const strlist_t *links = &s->messages[i].record.links;
		for (size_t k = 0; k < links->len; k++) {
			char *link = summary_normalise_link(links->items[k]);
			tally_add(&t, link);
			free(link);
		}
	}
	write_tally(e, &t, "links", "link", "url", TOP_N);
	tally_release(&t);
}

static void write_recap(sprinter_t *e, const summary_t *s)
{
	struct tally networks, sources, tags, mentions, edges;
	tally_init(&networks);
	tally_init(&sources);
	tally_init(&tags);
	tally_init(&mentions);
	tally_init(&edges);
	for (size_t i = 0; i < s->n_messages; i++) {
		const summary_message_t *m = &s->messages[i];
		tally_add(&networks, m->record.network ? m->record.network : "unknown");
		tally_add(&sources, m->record.source ? m->record.source : "unknown");
		for (size_t k = 0; k < m->record.tags.len; k++)
			tally_add(&tags, m->record.tags.items[k]);
		for (size_t k = 0; k < m->record.mentions.len; k++)
			tally_add(&mentions, m->record.mentions.items[k]);
		if (m->parent >= 0 && m->person && s->messages[m->parent].person) {
			strbuf_t edge;
			strbuf_init(&edge, 0);
			strbuf_addf(&edge, "%s\t%s", m->person, s->messages[m->parent].person);
			tally_add(&edges, edge.buf);
			strbuf_release(&edge);
		}
	}
	write_participants(e, s, INT32_MIN);
	write_tally(e, &networks, "networks", "network", "name", SIZE_MAX);
	write_tally(e, &sources, "sources", "source", "name", SIZE_MAX);
	write_tally(e, &tags, "hashtags", "hashtag", "tag", TOP_N);
	write_tally(e, &mentions, "mentions", "mention", "account", TOP_N);
	write_links(e, s, INT32_MIN);

	/* Activity: messages per minute across the window. */
	long minutes = (long)((s->window_end - s->window_start + 59999) / 60000);
	long *per_minute = xcalloc((size_t)(minutes > 0 ? minutes : 1), sizeof *per_minute);
	for (size_t i = 0; i < s->n_messages; i++) {
		long at = (long)((s->messages[i].record.created_ms - s->window_start) / 60000);
		if (at >= 0 && at < minutes)
			per_minute[at]++;
	}
	e->begin_list(e, "activity");
	for (long k = 0; k < minutes; k++) {
		char utc[CHATARC_TIME_ISO_LEN];
		time_format_iso(s->window_start + k * 60000, utc);
		e->begin_object(e, "minute");
		e->integer(e, "offset", k);
		e->string(e, "time", utc);
		e->integer(e, "count", per_minute[k]);
		e->end_object(e);
	}
	e->end_list(e);
	free(per_minute);

	tally_sort(&edges);
	e->begin_list(e, "reply-network");
	for (size_t k = 0; k < edges.keys.len; k++) {
		char *key = xstrdup(edges.keys.items[edges.order[k]]);
		char *tab = strchr(key, '\t');
		*tab = '\0';
		e->begin_object(e, "edge");
		e->string(e, "from", key);
		e->string(e, "to", tab + 1);
		e->integer(e, "count", edges.counts[edges.order[k]]);
		e->end_object(e);
		free(key);
	}
	e->end_list(e);
	tally_release(&networks);
	tally_release(&sources);
	tally_release(&tags);
	tally_release(&mentions);
	tally_release(&edges);
}

static int topic_order(const void *a, const void *b, void *ctx);

static void write_topic(sprinter_t *e, const summary_t *s, size_t t)
{
	const summary_topic_t *topic = &s->topics[t];
	char id[16], label[16], start[CHATARC_TIME_ISO_LEN], qref[24];
	size_t participants = 0;
	struct tally people;

	snprintf(id, sizeof id, "t%d", topic->number);
	snprintf(label, sizeof label, "T%d", topic->number);
	time_format_iso(topic->start, start);
	tally_init(&people);
	for (size_t i = 0; i < s->n_messages; i++)
		if (s->messages[i].section == (int)t && s->messages[i].person)
			tally_add(&people, s->messages[i].person);
	participants = people.keys.len;
	tally_release(&people);

	e->begin_object(e, "topic");
	e->string(e, "id", id);
	e->integer(e, "number", topic->number);
	e->string(e, "label", label);
	e->string(e, "start", start);
	e->integer(e, "message-count", (long long)topic->n_messages);
	e->integer(e, "participant-count", (long long)participants);
	message_id(s, topic->question, qref);
	e->begin_object(e, "question");
	e->string(e, "ref", qref);
	e->text(e, "text", s->messages[topic->question].record.text);
	e->end_object(e);
	e->begin_list(e, "highlights");
	for (int h = 0; h < topic->n_highlights; h++) {
		char ref[24];
		message_id(s, topic->highlights[h], ref);
		e->begin_object(e, "highlight");
		e->string(e, "ref", ref);
		e->end_object(e);
	}
	e->end_list(e);
	write_participants(e, s, (int)t);
	write_links(e, s, (int)t);
	write_messages_of(e, s, (int)t);
	e->end_object(e);
}

static void write_session(sprinter_t *e, const summary_t *s)
{
	char start[CHATARC_TIME_ISO_LEN], end[CHATARC_TIME_ISO_LEN];
	size_t unassigned = 0, replies = 0;

	time_format_iso(s->window_start, start);
	time_format_iso(s->window_end, end);
	for (size_t i = 0; i < s->n_messages; i++) {
		unassigned += s->messages[i].section == SECTION_UNASSIGNED;
		replies += record_is_reply(&s->messages[i].record);
	}
	e->begin_object(e, "session");
	e->string(e, "chat", s->chat);
	e->string(e, "title", s->title);
	e->string(e, "date", s->date);
	e->string(e, "tz", s->tz);
	e->string(e, "window", s->scheduled ? "schedule" : "burst");
	e->string(e, "start", start);
	e->string(e, "end", end);
	e->integer(e, "message-count", (long long)s->n_messages);
	e->integer(e, "topic-count", (long long)s->n_topics);
	e->integer(e, "reply-count", (long long)replies);
	e->integer(e, "unassigned-count", (long long)unassigned);
	if (s->n_messages) {
		char first[CHATARC_TIME_ISO_LEN], last[CHATARC_TIME_ISO_LEN];
		time_format_iso(s->messages[0].record.created_ms, first);
		time_format_iso(s->messages[s->n_messages - 1].record.created_ms, last);
		e->begin_object(e, "span");
		e->string(e, "first", first);
		e->string(e, "last", last);
		e->string(e, "first-local", s->messages[0].local_time);
		e->string(e, "last-local", s->messages[s->n_messages - 1].local_time);
		e->end_object(e);
	}
	write_recap(e, s);

	e->begin_object(e, "intro");
	write_messages_of(e, s, SECTION_INTRO);
	e->end_object(e);
	/* Topics by number: a moderator may ask T3 before T2. */
	size_t *order = xmalloc((s->n_topics + 1) * sizeof *order);
	for (size_t t = 0; t < s->n_topics; t++)
		order[t] = t;
	qsort_r(order, s->n_topics, sizeof *order, topic_order, (void *)s);
	e->begin_list(e, "topics");
	for (size_t t = 0; t < s->n_topics; t++)
		write_topic(e, s, order[t]);
	e->end_list(e);
	free(order);
	e->begin_object(e, "wrap");
	write_messages_of(e, s, SECTION_WRAP);
	e->end_object(e);
	e->begin_object(e, "unassigned");
	write_messages_of(e, s, SECTION_UNASSIGNED);
	e->end_object(e);
	e->end_object(e);
}

static int topic_order(const void *a, const void *b, void *ctx)
{
	const summary_t *s = ctx;
	int x = s->topics[*(const size_t *)a].number, y = s->topics[*(const size_t *)b].number;
	return (x > y) - (x < y);
}

void summary_write_xml(const summary_t *s, strbuf_t *out)
{
	sprinter_t *e = sprinter_xml_new(out, true);
	write_session(e, s);
	sprinter_xml_finish(e);
}

void summary_write_xml_tree(const summary_t *s, struct _xmlDoc **doc, uint64_t *hash)
{
	sprinter_t *e = sprinter_xml_tree_new(doc, hash);
	write_session(e, s);
	sprinter_xml_finish(e);
}

void summary_write_messages_xml(const summary_t *s, strbuf_t *out)
{
	sprinter_t *e = sprinter_xml_new(out, false);
	write_messages_of(e, s, SECTION_INTRO);
	sprinter_xml_finish(e);
}

void summary_write_json(const summary_t *s, strbuf_t *out)
{
	struct sprinter_json json;
	sprinter_json_init(&json, out);
	write_session(&json.sp, s);
	strbuf_addch(out, '\n');
}
