/* The query language of query.h: tokens, a recursive-descent parser with
 * Xapian QueryParser's precedence (OR < XOR < AND < NOT < a run of terms <
 * NEAR/ADJ), the groups QueryParser builds of a run of terms, and the
 * fields' table. */
#define _GNU_SOURCE
#include "query.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/alloc.h"
#include "../common/strbuf.h"
#include "../common/timeutil.h"

const query_field_t query_fields[] = {
    {"from",
     {"author", "user"},
     "A",
     FIELD_ACCOUNT,
     "from:maya@toot.example    messages of an account (from:maya: maya on every server)"},
    {"to", {NULL}, "XTO", FIELD_ACCOUNT, "to:maya@toot.example      replies to an account"},
    {"mention",
     {NULL},
     "XMENTION",
     FIELD_ACCOUNT,
     "mention:maya              messages that mention an account (also @maya)"},
    {"tag", {"hashtag"}, "K", FIELD_TERM, "tag:hcsm                  a hashtag (also #hcsm)"},
    {"chat", {NULL}, "XCHAT", FIELD_TERM, "chat:hcsmca               one chat's messages"},
    {"network", {NULL}, "XNET", FIELD_TERM, "network:bluesky           mastodon, bluesky, twitter"},
    {"reply",
     {NULL},
     "XREPLY",
     FIELD_TERM,
     "reply:yes                 replies (reply:no: the rest; also filter:replies)"},
    {"lang", {NULL}, "XLANG", FIELD_TERM, "lang:de                   the post's language"},
    {"topic",
     {NULL},
     "XTOPIC",
     FIELD_TERM,
     "topic:t1                  the topic question it answers (also intro, wrap)"},
    {"session", {NULL}, "XSESSION", FIELD_TERM, "session:2013-03-13        one session's messages"},
    {"url", {NULL}, "XURL", FIELD_TERM, "url:https://...           a message by its link"},
    {"uri", {"id"}, "Q", FIELD_EXACT, "uri:at://...              a message by its identity"},
    {"date",
     {NULL},
     NULL,
     FIELD_DATE,
     "date:2022 date:2022-01..2022-03 date:2022-01-01..   days, months, years (UTC)"},
    {"since", {NULL}, NULL, FIELD_SINCE, "since:2022-01-01          from that day on"},
    {"until", {NULL}, NULL, FIELD_UNTIL, "until:2022-07-01          before that day"},
    {"filter",
     {NULL},
     NULL,
     FIELD_FILTER,
     "filter:replies            replies (-filter:replies: none)"},
    {NULL, {NULL}, NULL, FIELD_TERM, NULL},
};

static const query_field_t *find_field(const char *name, size_t len)
{
	for (const query_field_t *f = query_fields; f->name; f++) {
		if (strlen(f->name) == len && !strncasecmp(f->name, name, len))
			return f;
		for (int a = 0; a < 3 && f->aliases[a]; a++)
			if (strlen(f->aliases[a]) == len && !strncasecmp(f->aliases[a], name, len))
				return f;
	}
	return NULL;
}

/* ---- Nodes ---- */

static query_node_t *node_new(query_op_t op)
{
	query_node_t *n = xcalloc(1, sizeof *n);
	n->op = op;
	return n;
}

static query_node_t *node_text(query_op_t op, const char *text, size_t len)
{
	query_node_t *n = node_new(op);
	n->text = xstrndup(text, len);
	return n;
}

static void node_add(query_node_t *parent, query_node_t *kid)
{
	parent->kids = xrealloc_array(parent->kids, parent->n_kids + 1, sizeof *parent->kids);
	parent->kids[parent->n_kids++] = kid;
}

/* op of a and b, or the one that is not NULL. */
static query_node_t *node_pair(query_op_t op, query_node_t *a, query_node_t *b)
{
	if (!a || !b)
		return a ? a : b;
	query_node_t *n = node_new(op);
	node_add(n, a);
	node_add(n, b);
	return n;
}

void query_free(query_node_t *node)
{
	if (!node)
		return;
	for (size_t i = 0; i < node->n_kids; i++)
		query_free(node->kids[i]);
	free(node->kids);
	free(node->text);
	free(node->low);
	free(node->high);
	free(node);
}

/* ---- Tokens ---- */

typedef enum token_kind {
	TOKEN_END,
	TOKEN_OPEN,
	TOKEN_CLOSE,
	TOKEN_AND,
	TOKEN_OR,
	TOKEN_XOR,
	TOKEN_NOT,
	TOKEN_NEAR, /* window in .window */
	TOKEN_ADJ,
	TOKEN_PHRASE, /* text between the quotes */
	TOKEN_WORD,   /* a word, field:value, #tag, @account, *, word* */
} token_kind_t;

typedef struct token {
	token_kind_t kind;
	char sign; /* '+', '-' or 0 (PHRASE, WORD) */
	const char *text;
	size_t len;
	unsigned window;
} token_t;

struct parser {
	const char *p;
	token_t token; /* the next one */
	bool have_token;
	token_t previous;
	query_values_fn values;
	void *ctx;
	strlist_t *warnings;
	chatarc_error_t *err;
	chatarc_status_t status;
	size_t words;
};

static void warn(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct parser *ps, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (ps->warnings)
		strlist_add(ps->warnings, line);
}

static void fail(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct parser *ps, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	if (ps->status != CHATARC_OK)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	ps->status = chatarc_error_set(ps->err, CHATARC_ERR_USAGE, "%s", line);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* "NEAR", "NEAR/3": the window, or 0 when word is not one. */
static unsigned proximity(const char *word, size_t len, const char *name)
{
	size_t n = strlen(name);
	if (len < n || strncmp(word, name, n))
		return 0;
	if (len == n)
		return 10; /* Xapian's NEAR and ADJ without a number */
	if (word[n] != '/' || len == n + 1)
		return 0;
	unsigned window = 0;
	for (size_t i = n + 1; i < len; i++) {
		if (!isdigit((unsigned char)word[i]) || window > 1000)
			return 0;
		window = window * 10 + (unsigned)(word[i] - '0');
	}
	return window ? window : 0;
}

/* The next token from ps->p. A lower-case and, or, not between two terms
 * is taken as the operator, and said. */
static token_t read_token(struct parser *ps)
{
	token_t t = {TOKEN_END, 0, NULL, 0, 0};
	while (is_space(*ps->p))
		ps->p++;
	const char *s = ps->p;
	if (!*s)
		return t;
	if (*s == '(' || *s == ')') {
		t.kind = *s == '(' ? TOKEN_OPEN : TOKEN_CLOSE;
		ps->p++;
		return t;
	}
	if ((*s == '+' || *s == '-') && s[1] && !is_space(s[1]) && s[1] != ')') {
		t.sign = *s;
		s++;
	}
	if (*s == '"') {
		const char *end = strchr(s + 1, '"');
		if (!end) {
			fail(ps, "a \"phrase\" is not closed: add the second \"");
			ps->p = s + strlen(s);
			return t;
		}
		t.kind = TOKEN_PHRASE;
		t.text = s + 1;
		t.len = (size_t)(end - s - 1);
		ps->p = end + 1;
		return t;
	}
	const char *end = s;
	while (*end && !is_space(*end) && *end != ')' && !(end > s && *end == '('))
		end++;
	t.kind = TOKEN_WORD;
	t.text = s;
	t.len = (size_t)(end - s);
	ps->p = end;
	if (t.sign)
		return t;
	static const struct {
		const char *word;
		token_kind_t kind;
	} operators[] = {
	    {"AND", TOKEN_AND}, {"OR", TOKEN_OR}, {"XOR", TOKEN_XOR}, {"NOT", TOKEN_NOT}};
	for (size_t i = 0; i < 4; i++) {
		if (t.len != strlen(operators[i].word))
			continue;
		if (!strncmp(t.text, operators[i].word, t.len)) {
			t.kind = operators[i].kind;
			return t;
		}
		/* "pester or vscode": meant as the operator, said so. */
		bool after_term = ps->previous.kind == TOKEN_WORD ||
		                  ps->previous.kind == TOKEN_PHRASE ||
		                  ps->previous.kind == TOKEN_CLOSE;
		const char *next = ps->p;
		while (is_space(*next))
			next++;
		if (operators[i].kind != TOKEN_XOR &&
		    !strncasecmp(t.text, operators[i].word, t.len) && after_term && *next &&
		    *next != ')') {
			warn(ps,
			     "read '%.*s' as the operator %s; for the word, write \"%.*s\" "
			     "(operators "
			     "are in capitals)",
			     (int)t.len, t.text, operators[i].word, (int)t.len, t.text);
			t.kind = operators[i].kind;
			return t;
		}
	}
	if ((t.window = proximity(t.text, t.len, "NEAR")))
		t.kind = TOKEN_NEAR;
	else if ((t.window = proximity(t.text, t.len, "ADJ")))
		t.kind = TOKEN_ADJ;
	return t;
}

static token_t *peek(struct parser *ps)
{
	if (!ps->have_token) {
		ps->token = read_token(ps);
		ps->have_token = true;
	}
	return &ps->token;
}

static token_t next(struct parser *ps)
{
	token_t t = *peek(ps);
	ps->have_token = false;
	ps->previous = t;
	return t;
}

/* ---- Field values ---- */

static bool digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)p[i]))
			return false;
	return true;
}

static int days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return month == 2 && leap ? 29 : days[month - 1];
}

/* A day, month or year as written (2022-01-05, 2022-01, 2022): its first
 * and last days as YYYYMMDD. */
static bool period(const char *v, size_t len, char first[16], char last[16])
{
	int year = 0, month = 0, day = 0;
	if (len >= 4 && digits(v, 4))
		year = (v[0] - '0') * 1000 + (v[1] - '0') * 100 + (v[2] - '0') * 10 + (v[3] - '0');
	if (len == 4 && year >= 1970) {
		snprintf(first, 16, "%04d0101", year % 10000);
		snprintf(last, 16, "%04d1231", year % 10000);
		return true;
	}
	if ((len == 7 || len == 10) && year >= 1970 && v[4] == '-' && digits(v + 5, 2))
		month = (v[5] - '0') * 10 + (v[6] - '0');
	if (month < 1 || month > 12)
		return false;
	if (len == 7) {
		snprintf(first, 16, "%04d%02d01", year % 10000, month % 100);
		snprintf(last, 16, "%04d%02d%02d", year % 10000, month % 100,
		         days_in_month(year, month) % 100);
		return true;
	}
	if (v[7] != '-' || !digits(v + 8, 2) || (day = (v[8] - '0') * 10 + (v[9] - '0')) < 1 ||
	    day > days_in_month(year, month))
		return false;
	snprintf(first, 16, "%04d%02d%02d", year % 10000, month % 100, day % 100);
	memcpy(last, first, 16);
	return true;
}

/* The day before YYYYMMDD, for until: (exclusive). */
static void day_before(const char day[16], char out[16])
{
	int y = atoi((char[5]){day[0], day[1], day[2], day[3], 0});
	unsigned m = (unsigned)atoi((char[3]){day[4], day[5], 0});
	unsigned d = (unsigned)atoi((char[3]){day[6], day[7], 0});
	char iso[11];
	time_format_day((time_days_from_civil(y, m, d) - 1) * 86400000LL, iso);
	snprintf(out, 16, "%.4s%.2s%.2s", iso, iso + 5, iso + 8);
}

static query_node_t *range(const char *low, const char *high)
{
	query_node_t *n = node_new(QUERY_RANGE);
	n->low = low ? xstrdup(low) : NULL;
	n->high = high ? xstrdup(high) : NULL;
	return n;
}

static query_node_t *date_value(struct parser *ps, const query_field_t *f, const char *v,
                                size_t len)
{
	char first[16], last[16], first2[16], last2[16];
	const char *dots = memmem(v, len, "..", 2);
	if (f->kind == FIELD_DATE && dots) {
		size_t a = (size_t)(dots - v), b = len - a - 2;
		bool ok_a = !a || period(v, a, first, last);
		bool ok_b = !b || period(dots + 2, b, first2, last2);
		if (ok_a && ok_b && (a || b))
			return range(a ? first : NULL, b ? last2 : NULL);
	} else if (period(v, len, first, last)) {
		if (f->kind == FIELD_DATE)
			return range(first, last);
		if (f->kind == FIELD_SINCE)
			return range(first, NULL);
		day_before(first, last);
		return range(NULL, last);
	}
	fail(ps, "%s:%.*s: give a day (2025-07-17), a month (2025-07) or a year (2025)%s", f->name,
	     (int)len, v, f->kind == FIELD_DATE ? ", or a range of them (2025-01..2025-03)" : "");
	return NULL;
}

/* f's term for value (len bytes), as the index holds it: the prefix, then
 * the value lower-cased (as it was written for an exact field), an
 * account without its leading '@'. */
static char *field_term(const query_field_t *f, const char *value, size_t len)
{
	strbuf_t t;
	strbuf_init(&t, 0);
	strbuf_addstr(&t, f->prefix);
	if (f->kind == FIELD_ACCOUNT && len && *value == '@') {
		value++;
		len--;
	}
	size_t start = t.len;
	strbuf_add(&t, value, len);
	for (char *p = t.buf + start; f->kind != FIELD_EXACT && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return strbuf_detach(&t, NULL);
}

char *query_field_term(const char *field, const char *value)
{
	const query_field_t *f = find_field(field, strlen(field));
	return f && f->prefix ? field_term(f, value, strlen(value)) : NULL;
}

const char *query_field_prefix(const char *field)
{
	const query_field_t *f = find_field(field, strlen(field));
	return f ? f->prefix : NULL;
}

void query_add_field_term(strlist_t *out, const char *field, const char *value)
{
	char *term = query_field_term(field, value);
	if (term)
		strlist_add(out, term);
	free(term);
}

static query_node_t *term(const query_field_t *f, const char *value, size_t len)
{
	query_node_t *n = node_new(QUERY_TERM);
	n->text = field_term(f, value, len);
	n->field = f;
	return n;
}

/* An account: maya@toot.example, @maya@toot.example; maya (no server) is
 * maya, and maya@ANY that the index holds. */
static query_node_t *account_value(struct parser *ps, const query_field_t *f, const char *v,
                                   size_t len)
{
	if (*v == '@') {
		v++;
		len--;
	}
	query_node_t *exact = term(f, v, len);
	if (memchr(v, '@', len) || memchr(v, '.', len) || !ps->values)
		return exact;
	strlist_t found = {0};
	strbuf_t start;
	strbuf_init(&start, 0);
	strbuf_add(&start, v, len);
	strbuf_addch(&start, '@');
	for (char *p = start.buf; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (ps->status == CHATARC_OK)
		ps->status = ps->values(ps->ctx, f->prefix, start.buf, &found, ps->err);
	query_node_t *any = exact;
	for (size_t i = 0; i < found.len; i++)
		any = node_pair(QUERY_OR, any, term(f, found.items[i], strlen(found.items[i])));
	strbuf_release(&start);
	strlist_clear(&found);
	return any;
}

/* field:value as a node (NULL: nothing to search, said). */
static query_node_t *field_value(struct parser *ps, const query_field_t *f, const char *v,
                                 size_t len)
{
	if (!len) {
		warn(ps, "%s: has no value and was left out; write %.*s", f->name,
		     (int)strcspn(f->help, " "), f->help);
		return NULL;
	}
	switch (f->kind) {
	case FIELD_TERM:
	case FIELD_EXACT: return term(f, v, len);
	case FIELD_ACCOUNT: return account_value(ps, f, v, len);
	case FIELD_DATE:
	case FIELD_SINCE:
	case FIELD_UNTIL: return date_value(ps, f, v, len);
	case FIELD_FILTER:
		if (len == 7 && !strncasecmp(v, "replies", 7))
			return term(find_field("reply", 5), "yes", 3);
		warn(ps, "filter:%.*s is not one chatarc knows (filter:replies is); left out",
		     (int)len, v);
		return NULL;
	}
	return NULL;
}

/* A word as typed: field:value, #tag, @account, *, word*, or free text. */
static query_node_t *word(struct parser *ps, const token_t *t, bool *is_filter)
{
	const char *w = t->text;
	size_t len = t->len;
	*is_filter = false;
	if (len == 1 && *w == '*')
		return node_new(QUERY_ALL);
	if (len > 1 && *w == '#') {
		*is_filter = true;
		return field_value(ps, find_field("tag", 3), w + 1, len - 1);
	}
	if (len > 1 && *w == '@') {
		*is_filter = true;
		return field_value(ps, find_field("mention", 7), w + 1, len - 1);
	}
	const char *colon = memchr(w, ':', len);
	if (colon && colon > w) {
		const query_field_t *f = find_field(w, (size_t)(colon - w));
		/* A scheme (https://...) is text, not a field. */
		bool scheme = colon + 2 < w + len && colon[1] == '/' && colon[2] == '/';
		if (f) {
			*is_filter = true;
			return field_value(ps, f, colon + 1, len - (size_t)(colon - w) - 1);
		}
		if (!scheme) {
			strbuf_t names;
			strbuf_init(&names, 0);
			for (const query_field_t *k = query_fields; k->name; k++)
				strbuf_addf(&names, "%s%s:", names.len ? " " : "", k->name);
			warn(ps, "%.*s: is not a field; searched '%.*s' as words (fields: %s)",
			     (int)(colon - w), w, (int)len, w, names.buf);
			strbuf_release(&names);
		}
	}
	ps->words++;
	if (len > 1 && w[len - 1] == '*' && w[len - 2] != '*')
		return node_text(QUERY_WILDCARD, w, len - 1);
	return node_text(QUERY_TEXT, w, len);
}

/* ---- Grammar ---- */

static query_node_t *parse_or(struct parser *ps);

/* One item of a run of terms; *kind: 'f' a field (a filter), 'p' text. */
static query_node_t *item(struct parser *ps, char *kind, char *sign)
{
	token_t t = next(ps);
	*kind = 'p';
	*sign = t.sign;
	if (t.kind == TOKEN_OPEN) {
		query_node_t *inner = parse_or(ps);
		if (next(ps).kind != TOKEN_CLOSE)
			fail(ps, "a ( is not closed: add the )");
		return inner;
	}
	if (t.kind == TOKEN_PHRASE) {
		size_t n = 0;
		for (size_t i = 0; i < t.len; i++)
			n += !is_space(t.text[i]) && (i == 0 || is_space(t.text[i - 1]));
		ps->words += n;
		if (n > QUERY_MAX_PHRASE_WORDS)
			fail(ps,
			     "a \"phrase\" may hold at most %d words; split it into shorter "
			     "phrases joined by AND",
			     QUERY_MAX_PHRASE_WORDS);
		return node_text(QUERY_PHRASE, t.text, t.len);
	}
	bool filter;
	query_node_t *n = word(ps, &t, &filter);
	if (filter) {
		*kind = 'f';
		return n;
	}
	/* word NEAR/n word ADJ/m word: one proximity of all of them, of the
	 * first operator's kind, its window the widest asked. */
	query_node_t *group = NULL;
	while (n && n->op == QUERY_TEXT &&
	       (peek(ps)->kind == TOKEN_NEAR || peek(ps)->kind == TOKEN_ADJ)) {
		token_t op = next(ps);
		token_t right = next(ps);
		bool f2 = false;
		query_node_t *r =
		    right.kind == TOKEN_WORD && !right.sign ? word(ps, &right, &f2) : NULL;
		if (!r || f2 || r->op != QUERY_TEXT) {
			query_free(r);
			fail(ps, "NEAR and ADJ join words: write a NEAR/3 b");
			break;
		}
		if (!group) {
			group = node_new(op.kind == TOKEN_NEAR ? QUERY_NEAR : QUERY_ADJ);
			node_add(group, n);
		}
		node_add(group, r);
		unsigned window = op.window + (unsigned)group->n_kids - 1;
		if (window > group->window)
			group->window = window;
	}
	return group ? group : n;
}

static bool starts_item(token_kind_t k)
{
	return k == TOKEN_OPEN || k == TOKEN_PHRASE || k == TOKEN_WORD;
}

/* A run of terms, as QueryParser builds it: the texts ANDed, the fields
 * filtering them (one field's values ORed, fields ANDed), the hated ones
 * (-word) taken out. A run of fields alone weighs nothing. */
static query_node_t *run(struct parser *ps)
{
	query_node_t *texts = NULL, *hated = NULL;
	/* The filter: per field an OR, in the table's order; ranges apart. */
	query_node_t *by_field[sizeof query_fields / sizeof *query_fields] = {NULL};
	query_node_t *ranges = NULL;

	while (ps->status == CHATARC_OK && starts_item(peek(ps)->kind)) {
		char kind, sign;
		query_node_t *n = item(ps, &kind, &sign);
		if (!n)
			continue;
		if (sign == '-') {
			hated = node_pair(QUERY_OR, hated, n);
		} else if (kind == 'p') {
			texts = node_pair(QUERY_AND, texts, n);
		} else if (n->op == QUERY_RANGE) {
			ranges = node_pair(QUERY_AND, ranges, n);
		} else {
			/* A term, or an OR of one field's terms (an account on
			 * every server). */
			const query_node_t *first = n;
			while (first->op == QUERY_OR)
				first = first->kids[0];
			size_t f = (size_t)(first->field - query_fields);
			by_field[f] = node_pair(QUERY_OR, by_field[f], n);
		}
	}
	query_node_t *filter = NULL;
	for (size_t f = 0; f < sizeof by_field / sizeof *by_field; f++)
		filter = node_pair(QUERY_AND, filter, by_field[f]);
	filter = node_pair(QUERY_AND, filter, ranges);
	query_node_t *q;
	if (texts && filter)
		q = node_pair(QUERY_FILTER, texts, filter);
	else if (filter && filter->op == QUERY_RANGE)
		q = filter; /* a range weighs nothing already */
	else if (filter) {
		q = node_new(QUERY_BOOLEAN);
		node_add(q, filter);
	} else
		q = texts;
	if (hated && !q)
		return hated; /* "-word" alone: the word, as Xapian reads it */
	return hated ? node_pair(QUERY_AND_NOT, q, hated) : q;
}

/* The term an operator needs on its right: there, or an error. */
static query_node_t *needed(struct parser *ps, query_node_t *right, const char *op)
{
	if (!right && ps->status == CHATARC_OK)
		fail(ps,
		     "%s needs a term after it (operators are in capitals: for the word, "
		     "write \"%s\")",
		     op, op);
	return right;
}

/* run (NOT run)*; NOT at the start is everything but it. */
static query_node_t *parse_not(struct parser *ps)
{
	query_node_t *left;
	if (peek(ps)->kind == TOKEN_NOT) {
		next(ps);
		left = node_pair(QUERY_AND_NOT, node_new(QUERY_ALL), needed(ps, run(ps), "NOT"));
	} else {
		left = run(ps);
	}
	while (ps->status == CHATARC_OK && peek(ps)->kind == TOKEN_NOT) {
		next(ps);
		left = node_pair(QUERY_AND_NOT, left, needed(ps, run(ps), "NOT"));
	}
	return left;
}

static query_node_t *parse_and(struct parser *ps)
{
	query_node_t *left = parse_not(ps);
	while (ps->status == CHATARC_OK && peek(ps)->kind == TOKEN_AND) {
		next(ps);
		if (peek(ps)->kind == TOKEN_NOT) { /* a AND NOT b */
			next(ps);
			left = node_pair(QUERY_AND_NOT, left, needed(ps, run(ps), "AND NOT"));
		} else {
			left = node_pair(QUERY_AND, left, needed(ps, parse_not(ps), "AND"));
		}
	}
	return left;
}

/* lower (token lower)*, left to right: one level of XOR or OR. */
static query_node_t *left_assoc(struct parser *ps, query_node_t *(*lower)(struct parser *),
                                token_kind_t token, query_op_t op, const char *name)
{
	query_node_t *left = lower(ps);
	while (ps->status == CHATARC_OK && peek(ps)->kind == token) {
		next(ps);
		left = node_pair(op, left, needed(ps, lower(ps), name));
	}
	return left;
}

static query_node_t *parse_xor(struct parser *ps)
{
	return left_assoc(ps, parse_and, TOKEN_XOR, QUERY_XOR, "XOR");
}

static query_node_t *parse_or(struct parser *ps)
{
	return left_assoc(ps, parse_xor, TOKEN_OR, QUERY_OR, "OR");
}

chatarc_status_t query_parse(const char *text, query_values_fn values, void *ctx,
                             query_node_t **out, strlist_t *warnings, chatarc_error_t *err)
{
	struct parser ps = {.p = text ? text : "",
	                    .values = values,
	                    .ctx = ctx,
	                    .warnings = warnings,
	                    .err = err,
	                    .status = CHATARC_OK};
	*out = NULL;
	while (is_space(*ps.p))
		ps.p++;
	if (!*ps.p)
		return chatarc_error_set(err, CHATARC_ERR_USAGE,
		                         "give a QUERY (every message: *; everything as a file: "
		                         "`chatarc export CHAT`)");
	query_node_t *q = parse_or(&ps);
	token_t rest = next(&ps);
	if (ps.status == CHATARC_OK && rest.kind == TOKEN_CLOSE)
		fail(&ps, "a ) has no ( before it");
	else if (ps.status == CHATARC_OK && rest.kind != TOKEN_END)
		fail(&ps,
		     "cannot read the query from '%.40s' on: an operator (AND, OR, XOR, NOT, "
		     "NEAR) needs a term on each side",
		     rest.text ? rest.text : "");
	if (ps.status == CHATARC_OK && ps.words > QUERY_MAX_WORDS)
		fail(&ps,
		     "a query may hold at most %d words; search for fewer, or export the chat "
		     "and filter it",
		     QUERY_MAX_WORDS);
	if (ps.status != CHATARC_OK) {
		query_free(q);
		return ps.status;
	}
	if (!q)
		return chatarc_error_set(
		    err, CHATARC_ERR_USAGE,
		    "the query has nothing left to search%s; every message is *",
		    warnings && warnings->len ? " (see above)" : "");
	*out = q;
	return CHATARC_OK;
}
