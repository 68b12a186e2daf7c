/* Re-checking archived posts in batches, and each suspect alone at its
 * home (recheck.h). */
#include "recheck.h"

#include <stdlib.h>
#include <string.h>

#include "../common/alloc.h"
#include "../common/archive.h"
#include "../common/json.h"
#include "../common/urimap.h"
#include "http.h"

struct recheck {
	const recheck_lookup_t *lookup;
	const char *source;
	strlist_t ids;  /* what the server is asked for */
	strlist_t uris; /* the archived uri of each */
	bool *home;     /* ... the server asked is its home */
	size_t home_alloc;
	size_t next; /* first id of the next batch */
	size_t asked_from, asked_to;
	urimap_t seen;    /* ids returned for the batch asked */
	size_t *suspects; /* indexes into ids: left out of a batch */
	size_t n_suspects, suspects_alloc, next_suspect;
	bool asking_one;
	strlist_t gone;
	long unproven, not_home;
};

static void add_candidate(recheck_t *rc, const char *id, const char *uri, bool home)
{
	strlist_add(&rc->ids, id);
	strlist_add(&rc->uris, uri);
	ALLOC_GROW(rc->home, rc->ids.len, rc->home_alloc);
	rc->home[rc->ids.len - 1] = home;
}

static CHATARC_MUST_CHECK chatarc_status_t note_candidate(void *ctx, const chatarc_record_t *r,
                                                          chatarc_error_t *err)
{
	recheck_t *rc = ctx;
	(void)err;
	if (!r->source || strcmp(r->source, rc->source))
		return CHATARC_OK;
	if (!rc->lookup->local_ids) {
		if (r->network && !strcmp(r->network, rc->lookup->network))
			add_candidate(rc, r->uri, r->uri, true);
		return CHATARC_OK;
	}
	/* A record's raw and source always come from the same read (record_
	 * merge moves them together); native_id may be another server's. */
	yajl_val raw;
	chatarc_error_t ignored;
	if (!r->raw || json_parse(r->raw, &raw, &ignored) != CHATARC_OK)
		return CHATARC_OK;
	const char *id = json_get_string(raw, "id");
	bool home = !rc->lookup->is_home || rc->lookup->is_home(raw);
	if (id && *id && strspn(id, "0123456789") == strlen(id))
		add_candidate(rc, id, r->uri, home);
	json_free(raw);
	return CHATARC_OK;
}

chatarc_status_t recheck_load(const char *data_dir, const char *chat, const char *source,
                              const recheck_lookup_t *lookup, chatarc_ms_t since, recheck_t **out,
                              chatarc_error_t *err)
{
	recheck_t *rc = xcalloc(1, sizeof *rc);
	rc->lookup = lookup;
	rc->source = source;
	urimap_init(&rc->seen);
	chatarc_status_t status =
	    archive_for_each(data_dir, chat, since, INT64_MAX, note_candidate, rc, err);
	if (status != CHATARC_OK) {
		recheck_free(rc);
		return status;
	}
	*out = rc;
	return CHATARC_OK;
}

void recheck_free(recheck_t *rc)
{
	if (!rc)
		return;
	strlist_clear(&rc->ids);
	strlist_clear(&rc->uris);
	free(rc->suspects);
	strlist_clear(&rc->gone);
	free(rc->home);
	urimap_release(&rc->seen);
	free(rc);
}

/* Candidate i is to be asked for alone at its home; one whose home is
 * another server never is (kept, counted). */
static void add_suspect(recheck_t *rc, size_t i)
{
	if (!rc->home[i]) {
		rc->not_home++;
		return;
	}
	ALLOC_GROW(rc->suspects, rc->n_suspects + 1, rc->suspects_alloc);
	rc->suspects[rc->n_suspects++] = i;
}

void recheck_only(recheck_t *rc, const strlist_t *ids)
{
	for (size_t i = 0; i < rc->ids.len; i++)
		if (strlist_has(ids, rc->ids.items[i]))
			add_suspect(rc, i);
	rc->next = rc->ids.len;
}

size_t recheck_candidates(const recheck_t *rc)
{
	return rc->ids.len;
}

bool recheck_more(const recheck_t *rc)
{
	return rc->next < rc->ids.len || rc->next_suspect < rc->n_suspects;
}

bool recheck_asking_one(const recheck_t *rc)
{
	return rc->asking_one;
}

char *recheck_next_url(recheck_t *rc, const char *base)
{
	strbuf_t url;
	strbuf_init(&url, 0);
	if (rc->next >= rc->ids.len) {
		if (rc->next_suspect >= rc->n_suspects)
			return NULL;
		char *escaped = http_escape(rc->ids.items[rc->suspects[rc->next_suspect]]);
		strbuf_addf(&url, "%s%s%s", base, rc->lookup->one_path, escaped);
		free(escaped);
		rc->asking_one = true;
		return strbuf_detach(&url, NULL);
	}
	size_t batch = rc->lookup->batch;
	strbuf_addf(&url, "%s%s", base, rc->lookup->path);
	rc->asked_from = rc->next;
	rc->asked_to = rc->next + batch < rc->ids.len ? rc->next + batch : rc->ids.len;
	for (size_t i = rc->asked_from; i < rc->asked_to; i++) {
		char *escaped = http_escape(rc->ids.items[i]);
		strbuf_addf(&url, "%s%s=%s", i > rc->asked_from ? "&" : "", rc->lookup->param,
		            escaped);
		free(escaped);
	}
	rc->asking_one = false;
	return strbuf_detach(&url, NULL);
}

/* The ids the batch just asked for. */
static bool asked_in_batch(const recheck_t *rc, const char *id)
{
	for (size_t i = rc->asked_from; i < rc->asked_to; i++)
		if (!strcmp(rc->ids.items[i], id))
			return true;
	return false;
}

chatarc_status_t recheck_read(recheck_t *rc, const strbuf_t *body,
                              chatarc_status_t (*fn)(void *ctx, yajl_val post,
                                                     chatarc_error_t *err),
                              void *ctx, chatarc_error_t *err)
{
	yajl_val doc;
	chatarc_status_t status = json_parse(body->buf ? body->buf : "", &doc, err);
	if (status != CHATARC_OK)
		return status;
	const char *key = rc->lookup->list_key;
	yajl_val posts = key ? json_get(doc, key) : doc;
	if (!YAJL_IS_ARRAY(posts)) {
		json_free(doc);
		return chatarc_error_set(err, CHATARC_ERR_FORMAT, "expected %s%s%s from %s",
		                         key ? "{\"" : "a list of posts", key ? key : "",
		                         key ? "\": [...]}" : "", rc->lookup->path);
	}
	urimap_release(&rc->seen);
	urimap_init(&rc->seen);
	bool unasked = false;
	for (size_t i = 0; status == CHATARC_OK && i < posts->u.array.len; i++) {
		yajl_val post = posts->u.array.values[i];
		const char *id = json_get_string(post, rc->lookup->id_key);
		bool added;
		if (!id || !asked_in_batch(rc, id)) {
			unasked = true; /* a post not asked for: this answer proves nothing */
			continue;
		}
		urimap_insert(&rc->seen, id, &added);
		status = fn(ctx, post, err);
	}
	json_free(doc);
	if (status != CHATARC_OK)
		return status;
	if (rc->seen.count == 0 || unasked) {
		rc->unproven++;
	} else {
		for (size_t i = rc->asked_from; i < rc->asked_to; i++)
			if (!urimap_find(&rc->seen, rc->ids.items[i]))
				add_suspect(rc, i);
	}
	rc->next = rc->asked_to;
	return CHATARC_OK;
}

bool recheck_answer_is_gone(const recheck_t *rc, long http_status, const strbuf_t *body)
{
	const recheck_lookup_t *l = rc->lookup;
	if (http_status != l->gone_status[0] && http_status != l->gone_status[1])
		return false;
	if (!l->gone_error)
		return true;
	yajl_val doc;
	chatarc_error_t ignored;
	if (!body->len || json_parse(body->buf, &doc, &ignored) != CHATARC_OK)
		return false;
	const char *error = json_get_string(doc, "error");
	bool gone = error && !strcmp(error, l->gone_error);
	json_free(doc);
	return gone;
}

void recheck_read_one(recheck_t *rc, bool gone)
{
	if (rc->next_suspect >= rc->n_suspects)
		return;
	if (gone)
		strlist_add(&rc->gone, rc->uris.items[rc->suspects[rc->next_suspect]]);
	rc->next_suspect++;
}

const strlist_t *recheck_gone(const recheck_t *rc)
{
	return &rc->gone;
}

long recheck_unproven_batches(const recheck_t *rc)
{
	return rc->unproven;
}

long recheck_not_home(const recheck_t *rc)
{
	return rc->not_home;
}
