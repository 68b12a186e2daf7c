/* Highlights: for each topic, 3 to 5 messages that say what many others
 * say (centrality over TF-IDF vectors) and that people engaged with.
 *
 * Centrality of a message is its mean cosine similarity to the topic's other
 * messages. With unit vectors v, sum_j cos(v_i, v_j) = v_i . (sum_j v_j) - 1,
 * so one centroid gives every message's centrality in linear time.
 * score = 0.7 * centrality / max + 0.3 * engagement / max, where engagement
 * = log(1 + likes + 2 reposts + replies). Only what participants wrote is
 * ever chosen: whole messages, never generated text. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/alloc.h"
#include "../common/urimap.h"
#include "summary.h"

#define HIGHLIGHT_MIN_TEXT 20

static const char *const stopwords[] = {
    "the",  "and",  "for",   "are",   "but",   "not",   "you",   "all",   "any",  "can",
    "had",  "her",  "was",   "one",   "our",   "out",   "has",   "him",   "his",  "how",
    "its",  "who",  "did",   "yes",   "get",   "got",   "this",  "that",  "with", "have",
    "from", "they", "will",  "what",  "when",  "your",  "just",  "been",  "more", "than",
    "them", "then", "there", "their", "were",  "which", "would", "about", "into", "also",
    "very", "some", "such",  "only",  "other", "those", "these", "here",  "much", "most",
    "even", "too",  "it's",  "don't", "i'm",   "we're", "hcsm",  NULL};

static bool is_stopword(const char *w)
{
	for (const char *const *s = stopwords; *s; s++)
		if (!strcmp(*s, w))
			return true;
	return false;
}

struct term_count {
	size_t term;
	double weight;
};

struct doc {
	long message;
	struct term_count *terms;
	size_t n_terms, terms_alloc;
	double centrality, engagement, score;
};

/* Words of a message: lower-case, 3+ letters, no mentions, tags, links. */
static void add_terms(struct doc *d, const char *text, urimap_t *vocab, size_t **df,
                      size_t *n_vocab, size_t *df_alloc)
{
	char word[64];
	const char *p = text ? text : "";
	while (*p) {
		while (*p && !isalnum((unsigned char)*p) && (unsigned char)*p < 0x80 && *p != '@' &&
		       *p != '#')
			p++;
		const char *start = p;
		while (*p && *p != ' ' && *p != '\n' && *p != '\t')
			p++;
		size_t len = 0;
		if (*start == '@' || *start == '#' || !strncmp(start, "http", 4))
			continue;
		for (const char *q = start; q < p && len < sizeof word - 1; q++)
			if (isalpha((unsigned char)*q) || (unsigned char)*q >= 0x80 || *q == '\'')
				word[len++] = (char)tolower((unsigned char)*q);
		word[len] = '\0';
		if (len < 3 || is_stopword(word))
			continue;
		bool added;
		urimap_value_t *v = urimap_insert(vocab, word, &added);
		if (added) {
			v->index = (*n_vocab)++;
			ALLOC_GROW(*df, *n_vocab, *df_alloc);
			(*df)[v->index] = 0;
		}
		size_t k;
		for (k = 0; k < d->n_terms && d->terms[k].term != v->index; k++)
			;
		if (k == d->n_terms) {
			ALLOC_GROW(d->terms, d->n_terms + 1, d->terms_alloc);
			d->terms[d->n_terms++] = (struct term_count){v->index, 0};
			(*df)[v->index]++;
		}
		d->terms[k].weight += 1;
	}
}

static int by_score(const void *a, const void *b)
{
	const struct doc *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return x->message < y->message ? -1 : 1;
}

static int by_position(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

static void topic_highlights(summary_t *s, size_t topic)
{
	struct doc *docs = NULL;
	size_t n = 0, n_alloc = 0, n_vocab = 0, df_alloc = 0, *df = NULL;
	urimap_t vocab;
	urimap_init(&vocab);

	for (size_t i = 0; i < s->n_messages; i++) {
		const summary_message_t *m = &s->messages[i];
		if (m->section != (int)topic || m->question || m->moderator || !m->record.text ||
		    strlen(m->record.text) < HIGHLIGHT_MIN_TEXT)
			continue;
		ALLOC_GROW(docs, n + 1, n_alloc);
		docs[n] = (struct doc){.message = (long)i};
		add_terms(&docs[n], m->record.text, &vocab, &df, &n_vocab, &df_alloc);
		const chatarc_record_t *r = &m->record;
		docs[n].engagement = log1p((double)(r->likes + 2 * r->reposts + r->replies));
		n++;
	}
	double *centroid = xcalloc(n_vocab ? n_vocab : 1, sizeof *centroid);
	for (size_t d = 0; d < n; d++) {
		double norm = 0;
		for (size_t k = 0; k < docs[d].n_terms; k++) {
			struct term_count *t = &docs[d].terms[k];
			t->weight *= log((double)(n + 1) / (double)df[t->term]);
			norm += t->weight * t->weight;
		}
		norm = sqrt(norm);
		for (size_t k = 0; k < docs[d].n_terms && norm > 0; k++) {
			docs[d].terms[k].weight /= norm;
			centroid[docs[d].terms[k].term] += docs[d].terms[k].weight;
		}
	}
	double max_c = 0, max_e = 0;
	for (size_t d = 0; d < n; d++) {
		double dot = 0, self = 0;
		for (size_t k = 0; k < docs[d].n_terms; k++) {
			dot += docs[d].terms[k].weight * centroid[docs[d].terms[k].term];
			self += docs[d].terms[k].weight * docs[d].terms[k].weight;
		}
		docs[d].centrality = n > 1 ? (dot - self) / (double)(n - 1) : 0;
		max_c = fmax(max_c, docs[d].centrality);
		max_e = fmax(max_e, docs[d].engagement);
	}
	for (size_t d = 0; d < n; d++)
		docs[d].score = 0.7 * (max_c > 0 ? docs[d].centrality / max_c : 0) +
		                0.3 * (max_e > 0 ? docs[d].engagement / max_e : 0);
	if (n > 0) /* qsort with a null base is undefined, even for no items */
		qsort(docs, n, sizeof *docs, by_score);
	size_t want = n / 8 < 3 ? 3 : n / 8 > 5 ? 5 : n / 8;
	summary_topic_t *t = &s->topics[topic];
	for (size_t d = 0; d < n && d < want; d++)
		t->highlights[t->n_highlights++] = docs[d].message;
	if (t->n_highlights > 0)
		qsort(t->highlights, (size_t)t->n_highlights, sizeof *t->highlights, by_position);

	for (size_t d = 0; d < n; d++)
		free(docs[d].terms);
	free(docs);
	free(df);
	free(centroid);
	urimap_release(&vocab);
}

void summary_pick_highlights(summary_t *s)
{
	for (size_t t = 0; t < s->n_topics; t++)
		topic_highlights(s, t);
}
