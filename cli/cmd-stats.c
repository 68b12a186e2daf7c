/* `chatarc stats`: what researchers count first, over the messages export
 * would give (cli/select.h): totals, by local day, hour and session, the top
 * hashtags, authors, mentions and links; and with --edges, the reply and
 * mention network as an edge list (CSV) or GraphML for Gephi and igraph.
 * One pass over the archive; memory holds the distinct keys counted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "../common/alloc.h"
#include "../common/options.h"
#include "../common/sprinter.h"
#include "../common/terminal.h"
#include "../common/tzfile.h"
#include "cli.h"
#include "select.h"

static const command_help_t stats_help = {
    "chatarc stats [CHAT...] [DATE] [--format text|json|csv] [--top N] [filters]\n"
    "chatarc stats --edges [CHAT...] [DATE] [--format csv|graphml|json] [filters]",
    "Counts the messages export would give: in all, by local day, by local hour of\n"
    "the day and by session (messages, participants, replies), and the top\n"
    "hashtags, authors, mentions and links (--top, default 10; 0 for all).\n"
    "--edges: the reply, mention and retweet network instead: one edge a (source,\n"
    "target, type) with its weight (messages; boosts for a retweet edge, who\n"
    "boosted, retweeted or reposted whom, none with --session) and first and last\n"
    "time; accounts lower-cased, Bluesky DIDs named by their handle where the\n"
    "selection shows it.\n"
    "csv is an edge list; graphml opens in Gephi, igraph, networkx.\n" SELECT_HELP
    "filters: --since T, --until T, --author A[,A...], --query Q, --session DATE."};

/* Distinct keys in first-seen order, each with an index into the caller's
 * arrays. */
struct tally {
	urimap_t map;
	strlist_t keys;
};

static void tally_init(struct tally *t)
{
	urimap_init(&t->map);
	memset(&t->keys, 0, sizeof t->keys);
}

static void tally_release(struct tally *t)
{
	urimap_release(&t->map);
	strlist_clear(&t->keys);
}

/* The key's index; *added when it is new. */
static size_t tally_index(struct tally *t, const char *key, bool *added)
{
	urimap_value_t *v = urimap_insert(&t->map, key, added);
	if (*added) {
		v->index = t->keys.len;
		strlist_add(&t->keys, key);
	}
	return v->index;
}

/* A row of counts: messages, participants, replies. */
struct counts {
	long long messages, participants, replies;
	/* The row's authors so far, while more of its messages may come: a
	 * day's and a session's are let go two days on (the archive is read
	 * in time order), so memory does not grow with the archive. */
	urimap_t *people;
};

/* Keys with counts (by day, hour, session; top lists use only messages). */
struct table {
	const char *name;
	struct tally keys;
	struct counts *rows;
	size_t alloc;
};

static struct counts *table_row(struct table *t, const char *key, bool *added)
{
	size_t i = tally_index(&t->keys, key, added);
	if (*added) {
		ALLOC_GROW(t->rows, i + 1, t->alloc);
		memset(&t->rows[i], 0, sizeof t->rows[i]);
	}
	return &t->rows[i];
}

enum { BY_DAY, BY_HOUR, BY_SESSION, TOP_TAGS, TOP_AUTHORS, TOP_MENTIONS, TOP_LINKS, N_TABLES };

struct edge {
	long long weight;
	chatarc_ms_t first, last;
};

struct stats {
	const chatarc_config_t *config;
	message_select_t *select;
	tz_zone_t **zones; /* each configured chat's, loaded when first needed */
	struct counts total;
	struct tally authors_seen;
	struct table tables[N_TABLES];
	char utc_day[11]; /* of the message last counted */
	/* --edges: "type\tsource\ttarget" -> edge; Bluesky DID -> handle. */
	bool edges;
	struct tally edge_keys;
	struct edge *edge_rows;
	size_t edge_alloc;
	struct tally dids;
	strlist_t did_handles;
};

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* Seconds east of UTC in the record's chat's zone (UTC for a chat not in
 * the config). */
static long offset_of(struct stats *st, const chatarc_record_t *r)
{
	return config_chat_offset(st->config, st->zones, select_chat_of(st->select, r),
	                          r->created_ms);
}

static void count_in(struct stats *st, int table, const char *key, const chatarc_record_t *r)
{
	bool added;
	struct counts *row = table_row(&st->tables[table], key, &added);
	row->messages++;
	row->replies += record_is_reply(r);
	/* The top lists count messages: who wrote them would cost a set of
	 * authors for every link and mention. */
	if (table >= TOP_TAGS)
		return;
	if (!row->people) {
		row->people = xmalloc(sizeof *row->people);
		urimap_init(row->people);
	}
	urimap_insert(row->people, r->author ? r->author : "", &added);
	row->participants += added;
}

/* Lets go of the author sets of days and sessions before `day` (YYYY-MM-DD):
 * a local date is at most a day from the UTC day being read. */
static void forget_people_before(struct stats *st, const char *day)
{
	static const int dated[] = {BY_DAY, BY_SESSION};
	for (size_t d = 0; d < 2; d++) {
		struct table *t = &st->tables[dated[d]];
		for (size_t i = 0; i < t->keys.keys.len; i++) {
			const char *key = t->keys.keys.items[i];
			/* by_session keys are "CHAT DATE": the date ends them. */
			const char *date = dated[d] == BY_SESSION && strlen(key) >= 10
			                       ? key + strlen(key) - 10
			                       : key;
			if (t->rows[i].people && strcmp(date, day) < 0) {
				urimap_release(t->rows[i].people);
				free(t->rows[i].people);
				t->rows[i].people = NULL;
			}
		}
	}
}

static void add_edge(struct stats *st, const char *type, const char *source, const char *target,
                     chatarc_ms_t at)
{
	strbuf_t key;
	bool added;
	strbuf_init(&key, 64);
	strbuf_addf(&key, "%s\t%s\t%s", type, source, target);
	lower(key.buf);
	size_t i = tally_index(&st->edge_keys, key.buf, &added);
	if (added) {
		ALLOC_GROW(st->edge_rows, i + 1, st->edge_alloc);
		st->edge_rows[i] = (struct edge){0, at, at};
	}
	struct edge *e = &st->edge_rows[i];
	e->weight++;
	e->first = at < e->first ? at : e->first;
	e->last = at > e->last ? at : e->last;
	strbuf_release(&key);
}

/* at://DID/app.bsky.feed.post/KEY: its author's handle names the DID. */
static void learn_did(struct stats *st, const chatarc_record_t *r)
{
	if (!r->uri || strncmp(r->uri, "at://", 5) || !r->author)
		return;
	const char *did = r->uri + 5;
	char *name = xstrndup(did, strcspn(did, "/"));
	bool added;
	tally_index(&st->dids, name, &added);
	if (added)
		strlist_add(&st->did_handles, r->author);
	free(name);
}

/* A boost event as a "retweet" edge, booster to the boosted author: who
 * amplified whom (the reply and mention edges are who talked to whom). */
static CHATARC_MUST_CHECK chatarc_status_t count_boost(void *ctx, const chatarc_record_t *r,
                                                       const message_place_t *place,
                                                       chatarc_error_t *err)
{
	struct stats *st = ctx;
	(void)place;
	(void)err;
	if (r->author && r->boost_of_account && *r->boost_of_account)
		add_edge(st, "retweet", r->author, r->boost_of_account, r->created_ms);
	return CHATARC_OK;
}

static CHATARC_MUST_CHECK chatarc_status_t count_message(void *ctx, const chatarc_record_t *r,
                                                         const message_place_t *place,
                                                         chatarc_error_t *err)
{
	struct stats *st = ctx;
	(void)err;
	if (st->edges) {
		learn_did(st, r);
		if (!r->author)
			return CHATARC_OK;
		if (r->reply_to_account && *r->reply_to_account)
			add_edge(st, "reply", r->author, r->reply_to_account, r->created_ms);
		for (size_t i = 0; i < r->mentions.len; i++)
			add_edge(st, "mention", r->author, r->mentions.items[i], r->created_ms);
		/* An author with no edge is still a node (with its messages). */
		count_in(st, TOP_AUTHORS, r->author, r);
		return CHATARC_OK;
	}
	bool added;
	char utc_day[11];
	time_format_day(r->created_ms, utc_day);
	if (strcmp(utc_day, st->utc_day)) {
		char before[11];
		time_format_day(r->created_ms - 2 * 86400000LL, before);
		forget_people_before(st, before);
		memcpy(st->utc_day, utc_day, sizeof utc_day);
	}
	st->total.messages++;
	st->total.replies += record_is_reply(r);
	tally_index(&st->authors_seen, r->author ? r->author : "", &added);
	st->total.participants += added;

	chatarc_ms_t local = r->created_ms + (chatarc_ms_t)offset_of(st, r) * 1000;
	char day[11], hour[3];
	time_format_day(local, day);
	long long ms_of_day = ((local % 86400000) + 86400000) % 86400000;
	snprintf(hour, sizeof hour, "%02lld", ms_of_day / 3600000);
	count_in(st, BY_DAY, day, r);
	count_in(st, BY_HOUR, hour, r);
	if (place->date) {
		strbuf_t key;
		strbuf_init(&key, 32);
		/* A session is a chat's: two chats meet on the same date apart. */
		strbuf_addf(&key, "%s %s", r->chat ? r->chat : "", place->date);
		count_in(st, BY_SESSION, key.buf, r);
		strbuf_release(&key);
	}
	for (size_t i = 0; i < r->tags.len; i++)
		count_in(st, TOP_TAGS, r->tags.items[i], r);
	if (r->author)
		count_in(st, TOP_AUTHORS, r->author, r);
	for (size_t i = 0; i < r->mentions.len; i++)
		count_in(st, TOP_MENTIONS, r->mentions.items[i], r);
	for (size_t i = 0; i < r->links.len; i++)
		count_in(st, TOP_LINKS, r->links.items[i], r);
	return CHATARC_OK;
}

/* ---- counts out ---- */

struct ranked {
	const char *key;
	const struct counts *row;
};

static int by_count(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->row->messages != y->row->messages)
		return x->row->messages > y->row->messages ? -1 : 1;
	return strcmp(x->key, y->key);
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct ranked *)a)->key, ((const struct ranked *)b)->key);
}

/* The table's rows: by key (days, hours, sessions) or the top n by count
 * (n 0: all). */
static size_t ranked_rows(const struct table *t, bool top, long n, struct ranked **out)
{
	size_t len = t->keys.keys.len;
	struct ranked *rows = xcalloc(len ? len : 1, sizeof *rows);
	for (size_t i = 0; i < len; i++)
		rows[i] = (struct ranked){t->keys.keys.items[i], &t->rows[i]};
	qsort(rows, len, sizeof *rows, top ? by_count : by_key);
	if (top && n > 0 && (size_t)n < len)
		len = (size_t)n;
	*out = rows;
	return len;
}

static const char *const table_names[N_TABLES] = {
    "by_day", "by_hour", "by_session", "top_tags", "top_authors", "top_mentions", "top_links"};
static const char *const key_names[N_TABLES] = {"date",   "hour",    "session", "tag",
                                                "author", "mention", "link"};

static void write_counts(sprinter_t *sp, const struct counts *c, bool full)
{
	sp->integer(sp, "messages", c->messages);
	if (full) {
		sp->integer(sp, "participants", c->participants);
		sp->integer(sp, "replies", c->replies);
	}
}

static void print_json(struct stats *st, long top)
{
	strbuf_t out;
	struct sprinter_json json;
	strbuf_init(&out, 4096);
	sprinter_json_init(&json, &out);
	sprinter_t *sp = &json.sp;
	sp->begin_object(sp, "stats");
	write_counts(sp, &st->total, true);
	for (int t = 0; t < N_TABLES; t++) {
		struct ranked *rows;
		size_t n = ranked_rows(&st->tables[t], t >= TOP_TAGS, top, &rows);
		sp->begin_list(sp, table_names[t]);
		for (size_t i = 0; i < n; i++) {
			sp->begin_object(sp, NULL);
			sp->string(sp, key_names[t], rows[i].key);
			write_counts(sp, rows[i].row, t < TOP_TAGS);
			sp->end_object(sp);
		}
		sp->end_list(sp);
		free(rows);
	}
	sp->end_object(sp);
	strbuf_addch(&out, '\n');
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
}

/* One table a researcher loads whole: kind,key,messages,participants,replies
 * (for a top list: the messages with that tag, author, mention or link and
 * how many of them are replies; participants empty). */
static void print_csv(struct stats *st, long top)
{
	strbuf_t out;
	strbuf_init(&out, 4096);
	strbuf_addstr(&out, "kind,key,messages,participants,replies\r\n");
	struct sprinter_csv csv;
	sprinter_csv_init(&csv, &out);
	sprinter_t *sp = &csv.sp;
	sp->begin_object(sp, NULL);
	sp->string(sp, "kind", "total");
	sp->string(sp, "key", "");
	write_counts(sp, &st->total, true);
	sp->end_object(sp);
	for (int t = 0; t < N_TABLES; t++) {
		struct ranked *rows;
		size_t n = ranked_rows(&st->tables[t], t >= TOP_TAGS, top, &rows);
		for (size_t i = 0; i < n; i++) {
			sp->begin_object(sp, NULL);
			sp->string(sp, "kind", key_names[t]);
			sp->string(sp, "key", rows[i].key);
			sp->integer(sp, "messages", rows[i].row->messages);
			if (t < TOP_TAGS)
				sp->integer(sp, "participants", rows[i].row->participants);
			else
				sp->string(sp, "participants", "");
			sp->integer(sp, "replies", rows[i].row->replies);
			sp->end_object(sp);
		}
		free(rows);
	}
	sprinter_csv_release(&csv);
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
}

static void print_text(struct stats *st, long top)
{
	static const char *const titles[N_TABLES] = {
	    "By local day", "By local hour", "By session", "Top hashtags",
	    "Top authors",  "Top mentions",  "Top links"};
	printf("%lld %s, %lld %s, %lld %s\n", st->total.messages,
	       plural(st->total.messages, "message", "messages"), st->total.participants,
	       plural(st->total.participants, "participant", "participants"), st->total.replies,
	       plural(st->total.replies, "reply", "replies"));
	for (int t = 0; t < N_TABLES; t++) {
		struct ranked *rows;
		size_t n = ranked_rows(&st->tables[t], t >= TOP_TAGS, top, &rows);
		if (n)
			printf("\n%s\n", titles[t]);
		for (size_t i = 0; i < n; i++) {
			/* Tags, authors, mentions and links are the posts' own
			 * text: escaped for the terminal (terminal.h). */
			strbuf_t key;
			strbuf_init(&key, 64);
			term_add_text(&key, rows[i].key, true);
			if (t < TOP_TAGS)
				printf("  %-24s %7lld %-8s %6lld %-12s %6lld %s\n", key.buf,
				       rows[i].row->messages,
				       plural(rows[i].row->messages, "message", "messages"),
				       rows[i].row->participants,
				       plural(rows[i].row->participants, "participant",
				              "participants"),
				       rows[i].row->replies,
				       plural(rows[i].row->replies, "reply", "replies"));
			else
				printf("  %7lld  %s%s\n", rows[i].row->messages,
				       t == TOP_TAGS ? "#" : "", key.buf);
			strbuf_release(&key);
		}
		free(rows);
	}
}

/* ---- edges out ---- */

/* An edge's target as a node: a Bluesky DID by its handle where the
 * selection holds a post of that account. */
static const char *node_name(const struct stats *st, const char *name)
{
	urimap_value_t *v = strncmp(name, "did:", 4) ? NULL : urimap_find(&st->dids.map, name);
	return v ? st->did_handles.items[v->index] : name;
}

/* Edges with their targets named as nodes, merged where two names were one
 * account. */
static void resolve_edges(struct stats *st, struct tally *keys, struct edge **rows)
{
	size_t alloc = 0;
	tally_init(keys);
	*rows = NULL;
	for (size_t i = 0; i < st->edge_keys.keys.len; i++) {
		char *key = xstrdup(st->edge_keys.keys.items[i]);
		char *source = strchr(key, '\t') + 1;
		char *target = strchr(source, '\t');
		*target++ = '\0';
		strbuf_t resolved;
		strbuf_init(&resolved, 64);
		strbuf_addf(&resolved, "%.*s\t%s\t%s", (int)strcspn(key, "\t"), key, source,
		            node_name(st, target));
		lower(resolved.buf);
		bool added;
		size_t k = tally_index(keys, resolved.buf, &added);
		const struct edge *e = &st->edge_rows[i];
		if (added) {
			ALLOC_GROW(*rows, k + 1, alloc);
			(*rows)[k] = *e;
		} else {
			struct edge *into = &(*rows)[k];
			into->weight += e->weight;
			into->first = e->first < into->first ? e->first : into->first;
			into->last = e->last > into->last ? e->last : into->last;
		}
		strbuf_release(&resolved);
		free(key);
	}
}

static void split_edge(const char *key, char type[16], const char **source, size_t *source_len,
                       const char **target)
{
	size_t type_len = strcspn(key, "\t");
	snprintf(type, 16, "%.*s", (int)type_len, key);
	*source = key + type_len + 1;
	*source_len = strcspn(*source, "\t");
	*target = *source + *source_len + 1;
}

/* One edge as an object of sp (a CSV row, a JSON line). */
static void write_edge(sprinter_t *sp, const char *key, const struct edge *row)
{
	char type[16], first[CHATARC_TIME_ISO_LEN], last[CHATARC_TIME_ISO_LEN];
	const char *source, *target;
	size_t source_len;
	split_edge(key, type, &source, &source_len, &target);
	char *source_name = xstrndup(source, source_len);
	time_format_iso(row->first, first);
	time_format_iso(row->last, last);
	sp->begin_object(sp, NULL);
	sp->string(sp, "source", source_name);
	sp->string(sp, "target", target);
	sp->string(sp, "type", type);
	sp->integer(sp, "weight", row->weight);
	sp->string(sp, "first_at", first);
	sp->string(sp, "last_at", last);
	sp->end_object(sp);
	free(source_name);
}

static void print_edges_csv(const struct tally *keys, const struct edge *rows)
{
	strbuf_t out;
	struct sprinter_csv csv;
	strbuf_init(&out, 4096);
	strbuf_addstr(&out, "source,target,type,weight,first_at,last_at\r\n");
	sprinter_csv_init(&csv, &out);
	for (size_t i = 0; i < keys->keys.len; i++) {
		write_edge(&csv.sp, keys->keys.items[i], &rows[i]);
		if (out.len > 65536) {
			fwrite(out.buf, 1, out.len, stdout);
			strbuf_reset(&out);
		}
	}
	sprinter_csv_release(&csv);
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
}

static void print_edges_json(const struct tally *keys, const struct edge *rows)
{
	strbuf_t out;
	strbuf_init(&out, 256);
	for (size_t i = 0; i < keys->keys.len; i++) {
		struct sprinter_json json;
		strbuf_reset(&out);
		sprinter_json_init(&json, &out);
		write_edge(&json.sp, keys->keys.items[i], &rows[i]);
		strbuf_addch(&out, '\n');
		fwrite(out.buf, 1, out.len, stdout);
	}
	strbuf_release(&out);
}

/* GraphML's parts, each written whole or not at all: false when the
 * writer failed (libxml2 says so by a negative count). */
static bool graphml_data(xmlTextWriterPtr w, const char *key, const char *value)
{
	return xmlTextWriterStartElement(w, BAD_CAST "data") >= 0 &&
	       xmlTextWriterWriteAttribute(w, BAD_CAST "key", BAD_CAST key) >= 0 &&
	       xmlTextWriterWriteString(w, BAD_CAST value) >= 0 && xmlTextWriterEndElement(w) >= 0;
}

/* An account, once: with the messages it wrote in the selection. */
static bool graphml_node(xmlTextWriterPtr w, struct tally *nodes, const char *id,
                         long long messages)
{
	bool added;
	char number[32];
	tally_index(nodes, id, &added);
	if (!added)
		return true;
	snprintf(number, sizeof number, "%lld", messages);
	return xmlTextWriterStartElement(w, BAD_CAST "node") >= 0 &&
	       xmlTextWriterWriteAttribute(w, BAD_CAST "id", BAD_CAST id) >= 0 &&
	       graphml_data(w, "messages", number) && xmlTextWriterEndElement(w) >= 0;
}

static bool graphml_head(xmlTextWriterPtr w)
{
	static const char *const key_defs[][4] = {{"messages", "node", "messages", "int"},
	                                          {"type", "edge", "type", "string"},
	                                          {"weight", "edge", "weight", "int"},
	                                          {"first_at", "edge", "first_at", "string"},
	                                          {"last_at", "edge", "last_at", "string"}};
	bool ok = xmlTextWriterSetIndent(w, 1) >= 0 &&
	          xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) >= 0 &&
	          xmlTextWriterStartElement(w, BAD_CAST "graphml") >= 0 &&
	          xmlTextWriterWriteAttribute(
	              w, BAD_CAST "xmlns", BAD_CAST "http://graphml.graphdrawing.org/xmlns") >= 0;
	for (size_t i = 0; ok && i < sizeof key_defs / sizeof *key_defs; i++)
		ok = xmlTextWriterStartElement(w, BAD_CAST "key") >= 0 &&
		     xmlTextWriterWriteAttribute(w, BAD_CAST "id", BAD_CAST key_defs[i][0]) >= 0 &&
		     xmlTextWriterWriteAttribute(w, BAD_CAST "for", BAD_CAST key_defs[i][1]) >= 0 &&
		     xmlTextWriterWriteAttribute(w, BAD_CAST "attr.name",
		                                 BAD_CAST key_defs[i][2]) >= 0 &&
		     xmlTextWriterWriteAttribute(w, BAD_CAST "attr.type",
		                                 BAD_CAST key_defs[i][3]) >= 0 &&
		     xmlTextWriterEndElement(w) >= 0;
	return ok && xmlTextWriterStartElement(w, BAD_CAST "graph") >= 0 &&
	       xmlTextWriterWriteAttribute(w, BAD_CAST "id", BAD_CAST "chatarc") >= 0 &&
	       xmlTextWriterWriteAttribute(w, BAD_CAST "edgedefault", BAD_CAST "directed") >= 0;
}

static bool graphml_edge(xmlTextWriterPtr w, const char *key, const struct edge *row)
{
	char type[16], number[32], first[CHATARC_TIME_ISO_LEN], last[CHATARC_TIME_ISO_LEN];
	const char *source, *target;
	size_t source_len;
	split_edge(key, type, &source, &source_len, &target);
	char *source_name = xstrndup(source, source_len);
	snprintf(number, sizeof number, "%lld", row->weight);
	time_format_iso(row->first, first);
	time_format_iso(row->last, last);
	bool ok = xmlTextWriterStartElement(w, BAD_CAST "edge") >= 0 &&
	          xmlTextWriterWriteAttribute(w, BAD_CAST "source", BAD_CAST source_name) >= 0 &&
	          xmlTextWriterWriteAttribute(w, BAD_CAST "target", BAD_CAST target) >= 0 &&
	          graphml_data(w, "type", type) && graphml_data(w, "weight", number) &&
	          graphml_data(w, "first_at", first) && graphml_data(w, "last_at", last) &&
	          xmlTextWriterEndElement(w) >= 0;
	free(source_name);
	return ok;
}

/* GraphML (http://graphml.graphdrawing.org/): nodes are accounts with the
 * messages they wrote in the selection; edges carry type and weight. */
static CHATARC_MUST_CHECK chatarc_status_t print_graphml(struct stats *st, const struct tally *keys,
                                                         const struct edge *rows,
                                                         chatarc_error_t *err)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
	if (!w) {
		if (buf)
			xmlBufferFree(buf);
		return chatarc_error_set(err, CHATARC_ERR_NOMEM, "cannot start writing GraphML");
	}
	bool ok = graphml_head(w);
	/* Nodes: every author, then every target not an author. */
	struct tally nodes;
	tally_init(&nodes);
	const struct table *authors = &st->tables[TOP_AUTHORS];
	for (size_t i = 0; ok && i < authors->keys.keys.len; i++) {
		char *name = xstrdup(authors->keys.keys.items[i]);
		lower(name);
		ok = graphml_node(w, &nodes, name, authors->rows[i].messages);
		free(name);
	}
	for (size_t i = 0; ok && i < keys->keys.len; i++) {
		char type[16];
		const char *source, *target;
		size_t source_len;
		split_edge(keys->keys.items[i], type, &source, &source_len, &target);
		ok = graphml_node(w, &nodes, target, 0);
	}
	for (size_t i = 0; ok && i < keys->keys.len; i++)
		ok = graphml_edge(w, keys->keys.items[i], &rows[i]);
	tally_release(&nodes);
	ok = ok && xmlTextWriterEndDocument(w) >= 0;
	xmlFreeTextWriter(w);
	if (ok)
		fwrite(xmlBufferContent(buf), 1, (size_t)xmlBufferLength(buf), stdout);
	xmlBufferFree(buf);
	return ok ? CHATARC_OK
	          : chatarc_error_set(err, CHATARC_ERR_IO, "cannot write GraphML (out of memory?)");
}

static void stats_release(struct stats *st)
{
	for (size_t i = 0; st->zones && i < st->config->n_chats; i++)
		tz_zone_free(st->zones[i]);
	free(st->zones);
	tally_release(&st->authors_seen);
	for (int t = 0; t < N_TABLES; t++) {
		for (size_t i = 0; i < st->tables[t].keys.keys.len; i++)
			if (st->tables[t].rows[i].people) {
				urimap_release(st->tables[t].rows[i].people);
				free(st->tables[t].rows[i].people);
			}
		tally_release(&st->tables[t].keys);
		free(st->tables[t].rows);
	}
	tally_release(&st->edge_keys);
	free(st->edge_rows);
	tally_release(&st->dids);
	strlist_clear(&st->did_handles);
}

int cmd_stats(int argc, char **argv, cli_context_t *ctx)
{
	static const char *const formats[] = {"text", "json", "csv", "graphml", NULL};
	enum { FORMAT_TEXT, FORMAT_JSON, FORMAT_CSV, FORMAT_GRAPHML };
	int format = -1;
	long top = 10;
	bool edges = false, help = false;
	select_options_t filters = {0};
	const chatarc_option_t options[] = {
	    OPT_KEYWORD("format", 'f', "text|json|csv|graphml",
	                "output format (default text; csv with --edges)", &format, formats),
	    OPT_INT("top", 0, "N", "rows of each top list (default 10; 0: all)", &top),
	    OPT_FLAG("edges", 'e', NULL, "the reply and mention network instead of counts", &edges),
	    SELECT_OPTIONS(filters),
	    OPT_END,
	};
	chatarc_error_t err;
	message_select_t *select = NULL;

	chatarc_status_t status = options_parse(options, &stats_help, &argc, argv, &help, &err);
	if (status != CHATARC_OK || help)
		return cli_report("stats", status, &err);
	if (format < 0)
		format = edges ? FORMAT_CSV : FORMAT_TEXT;
	if ((format == FORMAT_GRAPHML && !edges) || (format == FORMAT_TEXT && edges))
		return options_usage_error("stats", &stats_help,
		                           edges ? "--edges writes csv, graphml or json"
		                                 : "graphml is for --edges");
	if (top < 0)
		return options_usage_error("stats", &stats_help, "--top takes 0 or more");
	status = select_open(ctx, "stats", argv + 1, argc - 1, &filters, &select, &err);
	if (status == CHATARC_ERR_USAGE) {
		select_close(select);
		return options_usage_error("stats", &stats_help, err.message);
	}
	struct stats st = {.edges = edges, .select = select};
	tally_init(&st.authors_seen);
	for (int t = 0; t < N_TABLES; t++)
		tally_init(&st.tables[t].keys);
	tally_init(&st.edge_keys);
	tally_init(&st.dids);
	if (status == CHATARC_OK) {
		st.config = cli_config(ctx, &err);
		st.zones = xcalloc(st.config->n_chats + 1, sizeof *st.zones);
		status = select_for_each(select, count_message, &st, &err);
	}
	/* Boosts are placed in no session: --session keeps the messages'
	 * network alone. */
	if (status == CHATARC_OK && edges && !filters.session)
		status = select_for_each_boost(select, count_boost, &st, &err);
	if (status == CHATARC_OK && edges) {
		struct tally keys;
		struct edge *rows;
		resolve_edges(&st, &keys, &rows);
		if (format == FORMAT_GRAPHML)
			status = print_graphml(&st, &keys, rows, &err);
		else if (format == FORMAT_JSON)
			print_edges_json(&keys, rows);
		else
			print_edges_csv(&keys, rows);
		tally_release(&keys);
		free(rows);
	} else if (status == CHATARC_OK) {
		if (format == FORMAT_JSON)
			print_json(&st, top);
		else if (format == FORMAT_CSV)
			print_csv(&st, top);
		else
			print_text(&st, top);
	}
	if (status == CHATARC_OK && fflush(stdout) != 0)
		status = chatarc_error_set(&err, CHATARC_ERR_IO, "cannot write to standard output");
	stats_release(&st);
	select_close(select);
	return cli_report("stats", status, &err);
}
