/* Building a session summary: the window (schedule or burst), the messages
 * in it, the topic questions, and where every message belongs. */
#define _GNU_SOURCE /* strcasestr */
#include "summary.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/alloc.h"
#include "../common/archive.h"
#include "../common/hash.h"
#include "../common/urimap.h"

/* The most of a post's text a summary (and so a page) holds. */
#define SUMMARY_MAX_TEXT (64 * 1024)
/* A continuation of a question posted as a thread must follow it within this. */
#define QUESTION_THREAD_MS (3 * 60 * 1000)
/* Messages further apart than this end a burst (chats without a schedule). */
#define BURST_GAP_MS (20 * 60 * 1000)
/* A label naming a question asked this much later than the message is suspect. */
#define LABEL_AHEAD_MS (2 * 60 * 1000)

struct collected {
	summary_message_t *messages;
	size_t n, alloc;
	const chatarc_chat_t *chat; /* its hide list is left out; NULL: nothing is */
};

static CHATARC_MUST_CHECK chatarc_status_t collect_message(void *ctx, const chatarc_record_t *r,
                                                           chatarc_error_t *err)
{
	struct collected *c = ctx;
	(void)err;
	if (c->chat && config_chat_hides(c->chat, r))
		return CHATARC_OK;
	ALLOC_GROW(c->messages, c->n + 1, c->alloc);
	summary_message_t *m = &c->messages[c->n++];
	memset(m, 0, sizeof *m);
	/* The summary never shows raw: not copying it halves the memory. And a
	 * page shows at most SUMMARY_MAX_TEXT of a post (the archive keeps it
	 * whole): one huge post cannot make publishing take gigabytes. */
	chatarc_record_t without_raw = *r;
	without_raw.raw = NULL;
	strbuf_t cut;
	strbuf_init(&cut, 0);
	if (r->text && strlen(r->text) > SUMMARY_MAX_TEXT) {
		strbuf_add_abbrev(&cut, r->text, SUMMARY_MAX_TEXT);
		without_raw.text = cut.buf;
	}
	record_copy(&m->record, &without_raw);
	strbuf_release(&cut);
	m->parent = -1;
	m->section = SECTION_UNASSIGNED;
	m->method = ASSIGN_NONE;
	return CHATARC_OK;
}

static void free_collected(struct collected *c)
{
	for (size_t i = 0; i < c->n; i++)
		record_clear(&c->messages[i].record);
	free(c->messages);
	memset(c, 0, sizeof *c);
}

/* Labels. */

static const char *skip_mentions(const char *p)
{
	for (;;) {
		while (*p == ' ' || *p == '\n' || *p == '\t')
			p++;
		if (*p != '@' && *p != '.')
			return p;
		while (*p && *p != ' ' && *p != '\n' && *p != '\t')
			p++;
	}
}

/* Whether label (upper-case letters) stands at p, then where it ends:
 * "Frage 1" and "F1" alike. */
static const char *label_word_at(const char *p, const char *label)
{
	size_t n = strlen(label);
	return strncasecmp(p, label, n) ? NULL : p + n;
}

/* One label at p: "A1", "T 2", "Q3", "Topic 4", "Question 5", also written
 * "(Q1)", "[A2]" or "#q2"; returns the number and sets *end, or 0.
 * `question` allows only the chat's question labels (T, Q, Topic,
 * Question by default), followed by ':' '.' ')' '-' or a space (real
 * moderators write "Q3 What might ...?"); answers take the answer labels
 * (A) and the question labels. The longest label that matches wins. */
static int label_at(const chatarc_chat_t *chat, const char *p, bool question, const char **end)
{
	static const char *const words[] = {"TOPIC", "QUESTION", NULL};
	static const char *const default_questions[] = {"T", "Q", NULL};
	static const char *const default_answers[] = {"A", NULL};
	const strlist_t *asks = chat && chat->question_labels.len ? &chat->question_labels : NULL;
	const strlist_t *answers = chat && chat->answer_labels.len ? &chat->answer_labels : NULL;
	const char *q = NULL, *after;
	if (*p == '(' || *p == '[' || *p == '#')
		p++;
#define TRY_LABEL(label)                                                                           \
	if ((after = label_word_at(p, (label))) && (!q || after > q))                              \
		q = after;
	for (const char *const *w = words; *w; w++)
		TRY_LABEL(*w);
	for (size_t i = 0; asks && i < asks->len; i++)
		TRY_LABEL(asks->items[i]);
	for (const char *const *l = default_questions; !asks && *l; l++)
		TRY_LABEL(*l);
	for (size_t i = 0; !question && answers && i < answers->len; i++)
		TRY_LABEL(answers->items[i]);
	for (const char *const *l = default_answers; !question && !answers && *l; l++)
		TRY_LABEL(*l);
#undef TRY_LABEL
	if (!q)
		return 0;
	if (*q == ' ' || *q == '#')
		q++;
	if (!isdigit((unsigned char)*q))
		return 0;
	int n = 0;
	while (isdigit((unsigned char)*q) && n < 1000)
		n = n * 10 + (*q++ - '0');
	if (isalpha((unsigned char)*q))
		return 0; /* "T1D", "A1C": a word, not a label */
	if (question && *q != ':' && *q != '.' && *q != ')' && *q != '-' && *q != ' ')
		return 0;
	*end = q;
	return n;
}

/* Where a moderator's question label may stand: at the start (after
 * mentions), or after a lead-in that ends a sentence or clause ("Okay: Q1
 * What ...", "Let's get started! Q1.What ...", "Last question: Q6. How").
 * A label inside a sentence ("Coming up on Q4", "Bringing Q5 in a
 * minute", "Forgot to tag Q2") announces or mentions a question. */
#define QUESTION_LEAD_IN_MAX 100
static int question_label(const chatarc_chat_t *chat, const char *text, const char **label_end)
{
	const char *start = skip_mentions(text ? text : ""), *end;
	int number = label_at(chat, start, true, &end);
	for (const char *p = start; !number && *p && p - start < QUESTION_LEAD_IN_MAX; p++)
		if ((*p == ':' || *p == '!' || *p == '.' || *p == '?' || *p == '-') && p[1] == ' ')
			number = label_at(chat, p + 2, true, &end);
	if (number)
		*label_end = end;
	return number;
}

int summary_parse_labels(const chatarc_chat_t *chat, const char *text, bool question, int *numbers,
                         int max)
{
	const char *p = skip_mentions(text ? text : ""), *end;
	int n = 0, number;

	if (question) {
		number = max > 0 ? question_label(chat, text, &end) : 0;
		if (number)
			numbers[n++] = number;
		return n;
	}
	while (n < max && (number = label_at(chat, p, question, &end)) > 0) {
		numbers[n++] = number;
		/* "A1 & A2", "A1/A2", "A1, A2"; "A1.1" is a part of A1 */
		p = end;
		if (*p == '.' && isdigit((unsigned char)p[1]))
			for (p++; isdigit((unsigned char)*p);)
				p++;
		while (*p == ' ' || *p == '&' || *p == '/' || *p == ',' || *p == '+' || *p == ':' ||
		       *p == ')' || *p == ']')
			p++;
		if (!strncasecmp(p, "and ", 4))
			p += 4;
	}
	return n;
}

static bool is_moderator(const chatarc_chat_t *chat, const char *author)
{
	for (size_t i = 0; author && i < chat->moderators.len; i++)
		if (!strcasecmp(chat->moderators.items[i], author))
			return true;
	return false;
}

/* The window. */

/* Chats without a schedule (a hashtag stream): a session is a burst of at
 * least BURST_MIN_MESSAGES messages with no silence longer than
 * BURST_GAP_MS, which may cross midnight; it is named by the local date it
 * starts on. Messages outside every burst are no session. */
#define BURST_MIN_MESSAGES 10

typedef struct summary_burst {
	chatarc_ms_t start, end; /* [first message, last message + 1 ms) */
	size_t messages;
} summary_burst_t;

struct moment {
	chatarc_ms_t at;
	uint64_t author; /* hash: two versions of one message are one moment */
};

struct moments {
	struct moment *items;
	size_t n, alloc;
};

static CHATARC_MUST_CHECK chatarc_status_t note_moment(void *ctx, const char *author,
                                                       chatarc_ms_t created_ms,
                                                       chatarc_error_t *err)
{
	struct moments *m = ctx;
	(void)err;
	ALLOC_GROW(m->items, m->n + 1, m->alloc);
	m->items[m->n++] = (struct moment){
	    .at = created_ms, .author = author ? fnv1a(FNV1A_START, author, strlen(author)) : 0};
	return CHATARC_OK;
}

static int compare_moments(const void *a, const void *b)
{
	const struct moment *x = a, *y = b;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->author < y->author ? -1 : x->author > y->author;
}

/* The moments of messages created in [from, to), appended to m in time
 * order (m's own moments all come before from); days: NULL, or the cache
 * to read them through. */
static CHATARC_MUST_CHECK chatarc_status_t read_moments(archive_day_cache_t *days,
                                                        const char *data_dir, const char *chat,
                                                        chatarc_ms_t from, chatarc_ms_t to,
                                                        struct moments *m, chatarc_error_t *err)
{
	size_t first = m->n;
	chatarc_status_t status =
	    archive_for_each_author_cached(days, data_dir, chat, from, to, note_moment, m, err);
	if (status == CHATARC_OK && m->n > first)
		qsort(m->items + first, m->n - first, sizeof *m->items, compare_moments);
	return status;
}

struct summary_moments {
	struct moments m;          /* sorted: every message created in [from, to) */
	chatarc_ms_t from, to;     /* from == to: nothing read yet */
	archive_day_cache_t *days; /* the caller's, or NULL */
};

summary_moments_t *summary_moments_new(archive_day_cache_t *days)
{
	summary_moments_t *kept = xcalloc(1, sizeof(summary_moments_t));
	kept->days = days;
	return kept;
}

void summary_moments_free(summary_moments_t *kept)
{
	if (kept)
		free(kept->m.items);
	free(kept);
}

/* Makes kept hold [from, to): the moments before from are dropped, and only
 * the days past what it held are read. Asked out of order, it reads all. */
static CHATARC_MUST_CHECK chatarc_status_t moments_cover(summary_moments_t *kept,
                                                         const char *data_dir, const char *chat,
                                                         chatarc_ms_t from, chatarc_ms_t to,
                                                         chatarc_error_t *err)
{
	if (kept->from == kept->to || from < kept->from || from > kept->to) {
		kept->m.n = 0;
		kept->from = kept->to = from;
	}
	size_t drop = 0;
	while (drop < kept->m.n && kept->m.items[drop].at < from)
		drop++;
	if (drop) { /* items may be NULL, which memmove may not take even for 0 bytes */
		memmove(kept->m.items, kept->m.items + drop,
		        (kept->m.n - drop) * sizeof *kept->m.items);
		kept->m.n -= drop;
	}
	kept->from = from;
	if (to <= kept->to)
		return CHATARC_OK;
	chatarc_status_t status =
	    read_moments(kept->days, data_dir, chat, kept->to, to, &kept->m, err);
	if (status != CHATARC_OK) {
		kept->m.n = 0; /* partly read: nothing is kept */
		kept->from = kept->to = from;
		return status;
	}
	kept->to = to;
	return CHATARC_OK;
}

/* The bursts of messages created in [from, to), oldest first; kept (may be
 * NULL) holds the moments read for the call before. */
static CHATARC_MUST_CHECK chatarc_status_t find_bursts(const char *data_dir, const char *chat,
                                                       chatarc_ms_t from, chatarc_ms_t to,
                                                       summary_moments_t *kept,
                                                       summary_burst_t **out, size_t *n_out,
                                                       chatarc_error_t *err)
{
	struct moments fresh = {0}, *m = &fresh;
	*out = NULL;
	*n_out = 0;
	chatarc_status_t status;
	if (kept) {
		status = moments_cover(kept, data_dir, chat, from, to, err);
		m = &kept->m;
	} else {
		status = read_moments(NULL, data_dir, chat, from, to, &fresh, err);
	}
	size_t n = 0; /* kept may hold moments past to */
	while (status == CHATARC_OK && n < m->n && m->items[n].at < to)
		n++;
	size_t alloc = 0, run_start = 0, distinct = 0;
	for (size_t i = 0; status == CHATARC_OK && i <= n; i++) {
		bool ends = i == n || (i > 0 && m->items[i].at - m->items[i - 1].at > BURST_GAP_MS);
		if (ends && distinct >= BURST_MIN_MESSAGES) {
			ALLOC_GROW(*out, *n_out + 1, alloc);
			(*out)[(*n_out)++] = (summary_burst_t){.start = m->items[run_start].at,
			                                       .end = m->items[i - 1].at + 1,
			                                       .messages = distinct};
		}
		if (i == n)
			break;
		if (ends || i == 0) {
			run_start = i;
			distinct = 0;
		}
		distinct += i == run_start || compare_moments(&m->items[i], &m->items[i - 1]) != 0;
	}
	free(fresh.items);
	return status;
}

/* A local date inside chatarc's range: the first UTC instants are still
 * 1969-12-31 west of Greenwich, the last already year 10000 east of it. */
static bool keepable_date(const char *local)
{
	chatarc_ms_t ignored;
	return strlen(local) == 10 && time_parse_iso8601(local, &ignored);
}

/* Whether the sorted day numbers hold one in [from, to]. */
static bool holds_day_between(const int64_t *days, size_t n, int64_t from, int64_t to)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (days[mid] < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && days[lo] <= to;
}

/* Inside the chat's tz scope: the session dates of a scheduled chat whose
 * windows touch one of the archive's UTC days. */
static void scheduled_dates(const chatarc_chat_t *chat, const strlist_t *day_paths,
                            strlist_t *dates)
{
	int64_t *days = xcalloc(day_paths->len + 1, sizeof *days);
	strlist_t candidates = {0};
	for (size_t i = 0; i < day_paths->len; i++) {
		chatarc_ms_t utc_start;
		archive_day_of_path(day_paths->items[i], NULL, &utc_start);
		days[i] = utc_start / 86400000;
	}
	if (day_paths->len) {
		char from[11], to[11];
		/* Days are sorted by path, which is by date. A local date is at
		 * most a day from the UTC dates it overlaps. */
		int64_t last = days[day_paths->len - 1] + 1;
		/* No later than a post may be dated (TIME_POST_MARGIN_MS): an
		 * archive written before that rule may hold a day of 9999. */
		int64_t latest = (time_now_ms() + TIME_POST_MARGIN_MS) / 86400000 + 1;
		time_format_day((days[0] - 1) * 86400000LL, from);
		time_format_day((last < latest ? last : latest) * 86400000LL, to);
		schedule_dates_between(chat->schedules, chat->n_schedules, from, to, &candidates);
	}
	for (size_t i = 0; i < candidates.len; i++) {
		schedule_session_t session;
		if (!keepable_date(candidates.items[i]) ||
		    !schedule_session_on(chat->schedules, chat->n_schedules, candidates.items[i],
		                         &session))
			continue;
		int64_t first = session.window_start / 86400000;
		int64_t last = (session.window_end - 1) / 86400000;
		if (holds_day_between(days, day_paths->len, first, last))
			strlist_add(dates, candidates.items[i]);
	}
	strlist_clear(&candidates);
	free(days);
}

chatarc_status_t summary_list_sessions(const char *data_dir, const chatarc_chat_t *chat,
                                       strlist_t *dates, chatarc_error_t *err)
{
	strlist_t days = {0};
	summary_burst_t *bursts = NULL;
	size_t n_bursts = 0;
	tz_scope_t scope;
	chatarc_status_t status = chat->n_schedules
	                              ? archive_list_days(data_dir, chat->name, &days, err)
	                              : find_bursts(data_dir, chat->name, INT64_MIN, INT64_MAX,
	                                            NULL, &bursts, &n_bursts, err);
	tz_scope_enter(&scope, chat->tz ? chat->tz : "UTC");
	/* Bursts start oldest first, so local dates never go back: a repeat
	 * can only be the last one added. */
	for (size_t i = 0; status == CHATARC_OK && i < n_bursts; i++) {
		char local[11];
		time_to_local(bursts[i].start, NULL, local, NULL, NULL);
		if ((!dates->len || strcmp(dates->items[dates->len - 1], local)) &&
		    keepable_date(local))
			strlist_add(dates, local);
	}
	if (status == CHATARC_OK && chat->n_schedules)
		scheduled_dates(chat, &days, dates);
	tz_scope_leave(&scope);
	free(bursts);
	strlist_clear(&days);
	return status;
}

/* Inside the chat's tz scope: the local date the latest burst started on. */
static CHATARC_MUST_CHECK chatarc_status_t latest_burst_date(const char *data_dir,
                                                             const chatarc_chat_t *chat,
                                                             char date[11], chatarc_error_t *err)
{
	summary_burst_t *bursts;
	size_t n;
	chatarc_status_t status =
	    find_bursts(data_dir, chat->name, INT64_MIN, INT64_MAX, NULL, &bursts, &n, err);
	if (status == CHATARC_OK && n == 0)
		status = chatarc_error_set(err, CHATARC_ERR_NOT_FOUND,
		                           "chat '%s' has no session yet: no burst of %d messages "
		                           "without a %d-minute silence",
		                           chat->name, BURST_MIN_MESSAGES, BURST_GAP_MS / 60000);
	if (status == CHATARC_OK)
		time_to_local(bursts[n - 1].start, NULL, date, NULL, NULL);
	free(bursts);
	return status;
}

/* Inside the chat's tz scope: the window of the session on date. A date
 * that is no session of the schedule has an empty window: a post that
 * day is in no session, however many posts the day has. */
static CHATARC_MUST_CHECK chatarc_status_t scheduled_window(const chatarc_chat_t *chat,
                                                            const char *date, summary_t *s,
                                                            chatarc_error_t *err)
{
	schedule_session_t session;
	chatarc_ms_t midnight;
	if (!time_local_to_utc(date, 0, &midnight))
		return chatarc_error_set(err, CHATARC_ERR_USAGE, "'%s' is not a date (YYYY-MM-DD)",
		                         date);
	s->scheduled = true;
	if (!schedule_session_on(chat->schedules, chat->n_schedules, date, &session)) {
		s->off_schedule = true;
		s->window_start = s->window_end = s->scheduled_end = midnight;
		return CHATARC_OK;
	}
	s->window_start = session.window_start;
	s->window_end = session.window_end;
	s->scheduled_end = session.end;
	return CHATARC_OK;
}

/* Without a schedule: the largest burst that starts on that local date.
 * A burst is at most a day long here: one starting the day before is that
 * day's session, even when it runs past midnight. */
static CHATARC_MUST_CHECK chatarc_status_t burst_window(const char *data_dir,
                                                        const chatarc_chat_t *chat,
                                                        const char *date, summary_moments_t *kept,
                                                        summary_t *s, chatarc_error_t *err)
{
	chatarc_ms_t from, to;
	summary_burst_t *bursts;
	size_t n;
	if (!time_local_to_utc(date, 0, &from) || !time_local_to_utc(date, 24 * 60, &to))
		return chatarc_error_set(err, CHATARC_ERR_USAGE, "'%s' is not a date (YYYY-MM-DD)",
		                         date);
	chatarc_status_t status = find_bursts(data_dir, chat->name, from - 86400000, to + 86400000,
	                                      kept, &bursts, &n, err);
	s->window_start = s->window_end = from;
	size_t best = 0;
	for (size_t i = 0; status == CHATARC_OK && i < n; i++)
		if (bursts[i].start >= from && bursts[i].start < to && bursts[i].messages > best) {
			best = bursts[i].messages;
			s->window_start = bursts[i].start;
			s->window_end = bursts[i].end;
		}
	free(bursts);
	return status;
}

/* Topics and assignment. */

static bool closes_chat(const char *text);

static long topic_by_number(const summary_t *s, int number)
{
	for (size_t t = 0; t < s->n_topics; t++)
		if (s->topics[t].number == number)
			return (long)t;
	return -1;
}

/* The text after a question's label, for comparing two wordings. */
static const char *question_wording(const chatarc_chat_t *chat, const char *text)
{
	const char *end;
	if (!question_label(chat, text, &end))
		return text ? text : "";
	while (*end == ':' || *end == '.' || *end == ')' || *end == '-' || *end == ' ')
		end++;
	return end;
}

/* Two wordings of one question (a correction, or the same question posted
 * on another network) start alike; a second part ("Q3 Or put elsewise,
 * how can we ...") does not. */
#define SAME_WORDING_PREFIX 12
static bool same_wording(const chatarc_chat_t *chat, const char *a, const char *b)
{
	a = question_wording(chat, a);
	b = question_wording(chat, b);
	size_t n = 0;
	while (a[n] && tolower((unsigned char)a[n]) == tolower((unsigned char)b[n]))
		n++;
	return n >= SAME_WORDING_PREFIX || (!a[n] && !b[n]);
}

static long add_topic(summary_t *s, int number, size_t question)
{
	s->topics = xrealloc_array(s->topics, s->n_topics + 1, sizeof *s->topics);
	s->topics[s->n_topics] =
	    (summary_topic_t){.number = number,
	                      .question = (long)question,
	                      .start = s->messages[question].record.created_ms};
	return (long)s->n_topics++;
}

static void mark_question(summary_message_t *m, long topic)
{
	m->question = true;
	m->section = (int)topic;
	m->method = ASSIGN_QUESTION;
}

/* A moderator's labelled message: the first with a number asks that
 * question. A later one with the same number, within QUESTION_THREAD_MS of
 * the first, restates it (a correction or a cross-post: its wording becomes
 * the question's) or adds a second part; any later one is the moderator
 * answering or commenting ("Q5: Habermas, Freire ... helped me"), placed by
 * its label like anyone's answer. */
static void labelled_question(summary_t *s, size_t i, int number)
{
	summary_message_t *m = &s->messages[i];
	long t = topic_by_number(s, number);
	if (t < 0) {
		mark_question(m, add_topic(s, number, i));
		return;
	}
	summary_topic_t *topic = &s->topics[t];
	if (m->record.created_ms - topic->start >= QUESTION_THREAD_MS)
		return;
	if (same_wording(s->chat_config, s->messages[topic->question].record.text, m->record.text))
		topic->question = (long)i;
	mark_question(m, t);
}

/* Moderators who never number their questions ("First question - how did
 * ...?", "Speaking of reactions, what's the worst you had?"): in a session
 * without a labelled question, each moderator message that asks something,
 * is no reply and names nobody first is a topic question, numbered in
 * order. */
static void unlabelled_questions(summary_t *s)
{
	for (size_t i = 0; i < s->n_messages; i++) {
		summary_message_t *m = &s->messages[i];
		const char *text = m->record.text ? m->record.text : "";
		if (m->moderator && !m->record.reply_to && text[0] != '@' && text[0] != '.' &&
		    strchr(text, '?') && !closes_chat(text))
			mark_question(m, add_topic(s, (int)s->n_topics + 1, i));
	}
}

static void find_questions(summary_t *s)
{
	for (size_t i = 0; i < s->n_messages; i++) {
		summary_message_t *m = &s->messages[i];
		int number;
		if (!m->moderator)
			continue;
		if (summary_parse_labels(s->chat_config, m->record.text, true, &number, 1) == 1) {
			labelled_question(s, i, number);
		} else if (m->parent >= 0 && s->messages[m->parent].question && m->n_labels == 0 &&
		           !strcasecmp(s->messages[m->parent].record.author, m->record.author) &&
		           m->record.created_ms - s->messages[m->parent].record.created_ms <
		               QUESTION_THREAD_MS) {
			/* The question's second part, posted as a reply to the first. */
			mark_question(m, s->messages[m->parent].section);
		}
	}
	if (s->n_topics == 0)
		unlabelled_questions(s);
}

static bool closes_chat(const char *text)
{
	static const char *const phrases[] = {"that's time",
	                                      "that’s time",
	                                      "thank you all",
	                                      "thanks all",
	                                      "thanks everyone",
	                                      "thank you everyone",
	                                      "that's a wrap",
	                                      "that’s a wrap",
	                                      "see you next",
	                                      "until next week",
	                                      NULL};
	for (const char *const *p = phrases; *p; p++)
		if (strcasestr(text ? text : "", *p))
			return true;
	return false;
}

/* Where the wrap-up starts: a moderator's closing message after the last
 * question, or the scheduled end, whichever comes first. */
static chatarc_ms_t wrap_start(const summary_t *s)
{
	chatarc_ms_t last_question = INT64_MIN, end = INT64_MAX;
	for (size_t t = 0; t < s->n_topics; t++)
		if (s->topics[t].start > last_question)
			last_question = s->topics[t].start;
	if (s->scheduled)
		end = s->scheduled_end;
	for (size_t i = 0; i < s->n_messages; i++) {
		const summary_message_t *m = &s->messages[i];
		if (m->moderator && !m->question && m->record.created_ms > last_question &&
		    m->n_labels == 0 && closes_chat(m->record.text))
			return m->record.created_ms < end ? m->record.created_ms : end;
	}
	return end;
}

static int section_by_time(const summary_t *s, chatarc_ms_t t, chatarc_ms_t wrap)
{
	int best = SECTION_INTRO;
	chatarc_ms_t best_start = INT64_MIN;
	if (t >= wrap)
		return SECTION_WRAP;
	for (size_t k = 0; k < s->n_topics; k++)
		if (s->topics[k].start <= t && s->topics[k].start > best_start) {
			best = (int)k;
			best_start = s->topics[k].start;
		}
	return best;
}

static void assign(summary_t *s, chatarc_ms_t wrap)
{
	for (size_t i = 0; i < s->n_messages; i++) {
		summary_message_t *m = &s->messages[i];
		if (m->question)
			continue;
		int by_time = section_by_time(s, m->record.created_ms, wrap);
		int by_reply = m->parent >= 0 ? s->messages[m->parent].section : SECTION_UNASSIGNED;
		if (m->n_labels > 0) {
			int other = by_reply != SECTION_UNASSIGNED ? by_reply : by_time;
			/* "A1 & A2": the label of the topic under way, else the first. */
			long t = topic_by_number(s, m->labels[0]);
			for (int k = 1; k < m->n_labels; k++) {
				long tk = topic_by_number(s, m->labels[k]);
				if (tk >= 0 && (int)tk == other)
					t = tk;
			}
			if (t < 0) {
				m->reason = "its label names no topic question of this session";
			} else if (s->topics[t].start > m->record.created_ms + LABEL_AHEAD_MS &&
			           other != (int)t) {
				m->reason = "its label names a question asked only later, while "
				            "its reply or time place it elsewhere";
			} else {
				m->section = (int)t;
				m->method = ASSIGN_LABEL;
			}
			continue;
		}
		if (by_reply != SECTION_UNASSIGNED) {
			m->section = by_reply;
			m->method = ASSIGN_REPLY;
		} else {
			m->section = by_time;
			m->method = ASSIGN_TIME;
		}
	}
	for (size_t i = 0; i < s->n_messages; i++)
		if (s->messages[i].section >= 0)
			s->topics[s->messages[i].section].n_messages++;
}

/* A reply's parent in the session: by the parent's uri where the reply
 * names it, else by the id the wire gave (a Mastodon reply read in another
 * file or run than its parent names it only by the parent's id on the
 * server both were read from; a status local to that server also carries
 * the id at the end of its uri). */
static void link_parents(summary_t *s, const chatarc_chat_t *chat)
{
	urimap_t uris, ids;
	bool added;
	urimap_init(&uris);
	urimap_init(&ids);
	for (size_t i = 0; i < s->n_messages; i++) {
		summary_message_t *m = &s->messages[i];
		const chatarc_record_t *r = &m->record;
		urimap_insert(&uris, r->uri, &added)->index = i;
		if (r->native_id)
			urimap_insert(&ids, r->native_id, &added)->index = i;
		const char *tail = r->uri ? strrchr(r->uri, '/') : NULL;
		if (tail && tail[1] && r->network && !strcmp(r->network, "mastodon") &&
		    !urimap_find(&ids, tail + 1))
			urimap_insert(&ids, tail + 1, &added)->index = i;
		m->moderator = is_moderator(chat, r->author);
		m->person = config_person(chat, r->author, NULL);
		m->n_labels = summary_parse_labels(chat, r->text, false, m->labels, 4);
		time_to_local(r->created_ms, m->local_time, NULL, NULL, NULL);
		urimap_value_t *parent = r->reply_to ? urimap_find(&uris, r->reply_to) : NULL;
		if (!parent && r->reply_to_id)
			parent = urimap_find(&ids, r->reply_to_id);
		/* Parents come first in time order: a later "parent" is bogus. */
		if (parent && parent->index < i)
			m->parent = (long)parent->index;
	}
	urimap_release(&ids);
	urimap_release(&uris);
}

static CHATARC_MUST_CHECK chatarc_status_t find_newcomers(const char *data_dir,
                                                          const chatarc_chat_t *chat, summary_t *s,
                                                          summary_history_t *history,
                                                          chatarc_error_t *err);

/* topics_only: the messages and their topics, no highlights or
 * newcomers. kept: NULL, or the moments the build before read. */
static CHATARC_MUST_CHECK chatarc_status_t build(const char *data_dir, const chatarc_chat_t *chat,
                                                 const char *date, bool topics_only,
                                                 summary_history_t *history,
                                                 summary_moments_t *kept, summary_t **out,
                                                 chatarc_error_t *err)
{
	summary_t *s = xcalloc(1, sizeof *s);
	chatarc_status_t status = CHATARC_OK;
	tz_scope_t scope;
	struct collected c = {.chat = chat};

	urimap_init(&s->newcomers);
	s->chat = xstrdup(chat->name);
	s->chat_config = chat;
	s->title = chat->title ? xstrdup(chat->title) : NULL;
	s->tz = xstrdup(chat->tz ? chat->tz : "UTC");
	tz_scope_enter(&scope, s->tz);
	if (date) {
		chatarc_ms_t ignored;
		if (strlen(date) != 10 || !time_parse_iso8601(date, &ignored)) {
			status = chatarc_error_set(err, CHATARC_ERR_USAGE,
			                           "'%s' is not a date (YYYY-MM-DD)", date);
			goto out;
		}
		memcpy(s->date, date, 11);
	} else if ((status = latest_burst_date(data_dir, chat, s->date, err))) {
		goto out;
	}
	status = chat->n_schedules ? scheduled_window(chat, s->date, s, err)
	                           : burst_window(data_dir, chat, s->date, kept, s, err);
	if (status == CHATARC_OK)
		status = archive_for_each_cached(kept ? kept->days : NULL, data_dir, chat->name,
		                                 s->window_start, s->window_end, collect_message,
		                                 &c, err);
	if (status != CHATARC_OK)
		goto out;
	s->messages = c.messages;
	s->n_messages = c.n;
	memset(&c, 0, sizeof c);
	c.chat = chat;
	link_parents(s, chat);
	find_questions(s);
	assign(s, wrap_start(s));
	if (!topics_only)
		summary_pick_highlights(s);
	if (history && !topics_only)
		status = find_newcomers(data_dir, chat, s, history, err);
out:
	tz_scope_leave(&scope);
	free_collected(&c);
	if (status != CHATARC_OK) {
		summary_free(s);
		return status;
	}
	*out = s;
	return CHATARC_OK;
}

/* A scheduled chat's latest session that has messages: a cancelled
 * session, or a gap in the archive, is not the one a recap is wanted of. */
static CHATARC_MUST_CHECK chatarc_status_t latest_session(const char *data_dir,
                                                          const chatarc_chat_t *chat,
                                                          summary_history_t *history,
                                                          summary_t **out, chatarc_error_t *err)
{
	strlist_t dates = {0};
	chatarc_status_t status = summary_list_sessions(data_dir, chat, &dates, err);
	/* Each date is tried by its topics alone first: a full build of an
	 * empty session would read the chat's history for its newcomers. */
	for (size_t i = dates.len; status == CHATARC_OK && i-- > 0;) {
		summary_t *probe;
		if ((status = build(data_dir, chat, dates.items[i], true, NULL, NULL, &probe, err)))
			break;
		size_t messages = probe->n_messages;
		summary_free(probe);
		if (messages) {
			status =
			    build(data_dir, chat, dates.items[i], false, history, NULL, out, err);
			strlist_clear(&dates);
			return status;
		}
	}
	strlist_clear(&dates);
	/* None: say whether the archive holds anything at all. */
	if (status == CHATARC_OK)
		status = archive_list_days(data_dir, chat->name, &dates, err);
	bool empty = dates.len == 0;
	strlist_clear(&dates);
	if (status != CHATARC_OK)
		return status;
	if (empty)
		return chatarc_error_set(
		    err, CHATARC_ERR_NOT_FOUND,
		    "chat '%s' has no messages yet: import or fetch some first", chat->name);
	strbuf_t words;
	strbuf_init(&words, 0);
	schedule_describe_all(chat->schedules, chat->n_schedules, &words);
	status = chatarc_error_set(err, CHATARC_ERR_NOT_FOUND,
	                           "chat '%s' has no session with messages yet (it meets %s)",
	                           chat->name, words.buf);
	strbuf_release(&words);
	return status;
}

chatarc_status_t summary_build(const char *data_dir, const chatarc_chat_t *chat, const char *date,
                               summary_history_t *history, summary_t **out, chatarc_error_t *err)
{
	if (!date && chat->n_schedules)
		return latest_session(data_dir, chat, history, out, err);
	return build(data_dir, chat, date, false, history, NULL, out, err);
}

chatarc_status_t summary_build_topics(const char *data_dir, const chatarc_chat_t *chat,
                                      const char *date, summary_moments_t *kept, summary_t **out,
                                      chatarc_error_t *err)
{
	return build(data_dir, chat, date, true, NULL, kept, out, err);
}

/* Whether t falls in one of the sorted windows, moving *next forward (the
 * times asked come in order). */
static bool in_windows(const chatarc_ms_t (*windows)[2], size_t n, size_t *next, chatarc_ms_t t)
{
	while (*next < n && windows[*next][1] <= t)
		(*next)++;
	return *next < n && windows[*next][0] <= t;
}

struct outside {
	const chatarc_ms_t (*windows)[2];
	size_t n_windows, next;
	struct collected kept;
};

static CHATARC_MUST_CHECK chatarc_status_t collect_outside(void *ctx, const chatarc_record_t *r,
                                                           chatarc_error_t *err)
{
	struct outside *o = ctx;
	if (in_windows(o->windows, o->n_windows, &o->next, r->created_ms))
		return CHATARC_OK;
	return collect_message(&o->kept, r, err);
}

chatarc_status_t summary_build_outside(const char *data_dir, const chatarc_chat_t *chat,
                                       const chatarc_ms_t (*windows)[2], size_t n_windows,
                                       size_t max, summary_t **out, size_t *total,
                                       chatarc_error_t *err)
{
	struct moments m = {0};
	*out = NULL;
	*total = 0;
	chatarc_status_t status = archive_for_each_author(data_dir, chat->name, INT64_MIN,
	                                                  INT64_MAX, note_moment, &m, err);
	if (status == CHATARC_OK && m.n)
		qsort(m.items, m.n, sizeof *m.items, compare_moments);
	/* Count distinct moments outside; the time from which the latest
	 * `max` of them are read in full. */
	size_t next = 0;
	chatarc_ms_t *outside_times = xcalloc(m.n, sizeof *outside_times);
	for (size_t i = 0; status == CHATARC_OK && i < m.n; i++)
		if ((i == 0 || compare_moments(&m.items[i], &m.items[i - 1])) &&
		    !in_windows(windows, n_windows, &next, m.items[i].at))
			outside_times[(*total)++] = m.items[i].at;
	chatarc_ms_t from = *total > max ? outside_times[*total - max] : INT64_MIN;
	free(outside_times);
	free(m.items);
	if (status != CHATARC_OK || *total == 0 || max == 0)
		return status;

	struct outside o = {.windows = windows, .n_windows = n_windows, .kept.chat = chat};
	status = archive_for_each_without_raw(data_dir, chat->name, from, INT64_MAX,
	                                      collect_outside, &o, err);
	if (status != CHATARC_OK) {
		free_collected(&o.kept);
		return status;
	}
	summary_t *s = xcalloc(1, sizeof *s);
	/* Ties at `from` may bring a few more: keep the latest max. */
	size_t drop = o.kept.n > max ? o.kept.n - max : 0;
	for (size_t i = 0; i < drop; i++)
		record_clear(&o.kept.messages[i].record);
	memmove(o.kept.messages, o.kept.messages + drop,
	        (o.kept.n - drop) * sizeof *o.kept.messages);
	s->messages = o.kept.messages;
	s->n_messages = o.kept.n - drop;
	urimap_init(&s->newcomers);
	s->chat = xstrdup(chat->name);
	s->tz = xstrdup(chat->tz ? chat->tz : "UTC");
	tz_scope_t scope;
	tz_scope_enter(&scope, s->tz);
	link_parents(s, chat);
	tz_scope_leave(&scope);
	for (size_t i = 0; i < s->n_messages; i++)
		s->messages[i].section = SECTION_INTRO;
	if (s->n_messages) {
		s->window_start = s->messages[0].record.created_ms;
		s->window_end = s->messages[s->n_messages - 1].record.created_ms + 1;
	}
	*out = s;
	return CHATARC_OK;
}

void summary_history_init(summary_history_t *history)
{
	urimap_init(&history->authors);
	history->until = INT64_MIN;
}

void summary_history_release(summary_history_t *history)
{
	urimap_release(&history->authors);
}

struct history_scan {
	summary_history_t *history;
	const chatarc_chat_t *chat;
};

/* The history holds people (config "people"), not accounts: a moderator
 * seen on Mastodon last week is no newcomer on Bluesky this week. */
static CHATARC_MUST_CHECK chatarc_status_t note_author(void *ctx, const char *author,
                                                       chatarc_ms_t created_ms,
                                                       chatarc_error_t *err)
{
	struct history_scan *scan = ctx;
	bool added;
	(void)err;
	(void)created_ms;
	if (author)
		urimap_insert(&scan->history->authors, config_person(scan->chat, author, NULL),
		              &added);
	return CHATARC_OK;
}

/* Newcomers: the session's people the history has not seen before it. */
static CHATARC_MUST_CHECK chatarc_status_t find_newcomers(const char *data_dir,
                                                          const chatarc_chat_t *chat, summary_t *s,
                                                          summary_history_t *history,
                                                          chatarc_error_t *err)
{
	if (history->until > s->window_start) {
		summary_history_release(history);
		summary_history_init(history);
	}
	struct history_scan scan = {history, chat};
	chatarc_status_t status = archive_for_each_author(data_dir, s->chat, history->until,
	                                                  s->window_start, note_author, &scan, err);
	if (status != CHATARC_OK) {
		/* Partly read: start again next time rather than trust it. */
		summary_history_release(history);
		summary_history_init(history);
		return status;
	}
	history->until = s->window_start;
	/* Nothing archived before the session: who is new cannot be told, and
	 * marking everyone "first time" on the first archived session would
	 * be wrong for every regular. */
	if (history->authors.count == 0)
		return CHATARC_OK;
	for (size_t i = 0; i < s->n_messages; i++) {
		const char *person = s->messages[i].person;
		bool added;
		if (person && !urimap_find(&history->authors, person))
			urimap_insert(&s->newcomers, person, &added);
	}
	return CHATARC_OK;
}

void summary_free(summary_t *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_messages; i++)
		record_clear(&s->messages[i].record);
	free(s->messages);
	free(s->topics);
	urimap_release(&s->newcomers);
	free(s->chat);
	free(s->title);
	free(s->tz);
	free(s);
}

/* Query parameters that only track who clicked: dropped from links so the
 * same page shared twice counts once. Shorteners are left as they are. */
static bool is_tracking_parameter(const char *name, size_t len)
{
	static const char *const exact[] = {"fbclid", "gclid",  "dclid",   "mc_cid",
	                                    "mc_eid", "igshid", "ref_src", "twclid",
	                                    "si",     "_hsenc", "_hsmi",   NULL};
	if (len > 4 && !strncmp(name, "utm_", 4))
		return true;
	for (const char *const *e = exact; *e; e++)
		if (strlen(*e) == len && !strncmp(name, *e, len))
			return true;
	return false;
}

char *summary_normalise_link(const char *url)
{
	strbuf_t out;
	const char *scheme_end = strstr(url, "://");
	strbuf_init(&out, strlen(url));
	if (!scheme_end) {
		strbuf_addstr(&out, url);
		return strbuf_detach(&out, NULL);
	}
	const char *host = scheme_end + 3;
	size_t host_len = strcspn(host, "/?#");
	strbuf_add(&out, url, (size_t)(host - url));
	for (size_t i = 0; i < host_len; i++)
		strbuf_addch(&out, (char)tolower((unsigned char)host[i]));
	const char *rest = host + host_len;
	const char *query = strchr(rest, '?');
	const char *fragment = strchr(rest, '#');
	if (!query || (fragment && fragment < query)) {
		strbuf_addstr(&out, rest);
		return strbuf_detach(&out, NULL);
	}
	strbuf_add(&out, rest, (size_t)(query - rest));
	const char *end = fragment ? fragment : query + strlen(query);
	bool first = true;
	for (const char *p = query + 1; p < end;) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;
		size_t name_len = strcspn(p, "=&#");
		if (name_len > (size_t)(stop - p))
			name_len = (size_t)(stop - p);
		if (stop > p && !is_tracking_parameter(p, name_len)) {
			strbuf_addch(&out, first ? '?' : '&');
			strbuf_add(&out, p, (size_t)(stop - p));
			first = false;
		}
		p = stop + (amp ? 1 : 0);
	}
	if (fragment)
		strbuf_addstr(&out, fragment);
	return strbuf_detach(&out, NULL);
}
