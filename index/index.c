/* The indexer. DIR/index is a symlink to DIR/index.d/N, so a rebuild can
 * write index.d/N+1 while searches read N, and swap the link in one
 * rename. Which day files are indexed, and at what size, is kept as Xapian
 * metadata ("day:CHAT/YYYY-MM-DD" -> bytes), committed with the documents:
 * a killed run resumes where its last commit ended, and replace_document by
 * uri means a re-indexed day never doubles a message. */
#define _DEFAULT_SOURCE
#include "index.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/alloc.h"
#include "../common/archive.h"
#include "../common/fsutil.h"
#include "../common/urimap.h"
#include "../summarise/places.h"
#include "../summarise/summary.h"
#include "index-internal.h"
#include "query.h"
#include "xapian-shim.h"

/* Documents between commits. Batches make Xapian fast, but past a few
 * thousand documents its in-memory postings only grow: 5,000 indexed as
 * fast as 20,000 did, in 36 MB instead of 53 (BENCHMARKS.md). */
#define INDEX_COMMIT_EVERY 5000

struct indexer {
	xdb_t *db;
	const char *data_dir;
	const chatarc_chat_t *chat_config;
	session_places_t *places; /* the chat's sessions around the day being indexed */
	/* The days read for those sessions' windows and bursts and for the
	 * day itself, each parsed once (each was read three times: 9% of a
	 * run's instructions, BENCHMARKS.md). */
	archive_day_cache_t *days;
	/* The day being indexed was never indexed: none of its messages is in
	 * the database (each uri lives in one day file), so they are added, not
	 * replaced. Xapian may commit by itself mid-day (every 10,000 changes),
	 * so a day is marked "indexing" before its first document: a run killed
	 * after such a commit finds the mark and replaces instead. */
	bool day_is_new;
	const char *chat;
	long pending;
	index_stats_t *stats;
	strbuf_t data;
	strbuf_t cw_text;  /* a content warning and the text, indexed together */
	strbuf_t facets;   /* XDB_SLOT_FACETS' value */
	urimap_t day_uris; /* the uris the day being indexed holds now */
	strlist_t stale;   /* documents of the day no longer in the archive */
};

/* Adds a boolean term "field:value", lower-cased as the query parser
 * lower-cases what users type. */
/* "de-DE" -> "de": the language a text is stemmed in and searched by
 * (lang:de); false for none, "und" (undetermined) and "zxx" (no text). */
static bool primary_language(const char *tag, char out[8])
{
	size_t len = tag ? strspn(tag, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") : 0;
	out[0] = '\0';
	if (len < 2 || len > 3 || (tag[len] && tag[len] != '-' && tag[len] != '_'))
		return false;
	for (size_t i = 0; i < len; i++)
		out[i] = (char)(tag[i] | 0x20);
	out[len] = '\0';
	if (!strcmp(out, "und") || !strcmp(out, "zxx")) {
		out[0] = '\0';
		return false;
	}
	return true;
}

static CHATARC_MUST_CHECK chatarc_status_t index_record(void *ctx, const chatarc_record_t *r,
                                                        chatarc_error_t *err)
{
	struct indexer *ix = ctx;
	strlist_t terms = {0};
	char created[CHATARC_TIME_ISO_LEN];

	if (r->author)
		query_add_field_term(&terms, "from", r->author);
	for (size_t i = 0; i < r->mentions.len; i++)
		query_add_field_term(&terms, "mention", r->mentions.items[i]);
	if (r->reply_to_account)
		query_add_field_term(&terms, "to", r->reply_to_account);
	for (size_t i = 0; i < r->tags.len; i++)
		query_add_field_term(&terms, "tag", r->tags.items[i]);
	query_add_field_term(&terms, "chat", ix->chat);
	if (r->network)
		query_add_field_term(&terms, "network", r->network);
	query_add_field_term(&terms, "reply", record_is_reply(r) ? "yes" : "no");
	if (r->url && *r->url)
		query_add_field_term(&terms, "url",
		                     r->url); /* the hide list names messages by it */
	char lang[8];
	if (primary_language(r->lang, lang))
		query_add_field_term(&terms, "lang", lang);
	message_place_t place;
	if (places_find(ix->places, r->uri, &place)) {
		if (*place.topic)
			query_add_field_term(&terms, "topic", place.topic);
		query_add_field_term(&terms, "session", place.date);
	}
	strlist_add(&terms, ""); /* room for the NULL end */
	free(terms.items[terms.len - 1]);
	terms.items[terms.len - 1] = NULL;

	/* Display data: the record without raw (search shows, never re-parses raw). */
	chatarc_record_t shown = *r;
	shown.raw = NULL;
	strbuf_reset(&ix->data);
	record_to_json(&shown, &ix->data);
	time_format_iso(r->created_ms, created);
	/* A content warning is words the author wrote: searched with the text. */
	const char *text = r->text;
	if (r->content_warning && *r->content_warning) {
		strbuf_reset(&ix->cw_text);
		strbuf_addf(&ix->cw_text, "%s\n\n%s", r->content_warning, r->text ? r->text : "");
		text = ix->cw_text.buf;
	}
	/* Year (UTC), network and chat, for the facets' counts. */
	strbuf_reset(&ix->facets);
	strbuf_addf(&ix->facets, "%.4s" XDB_FACET_SEP "%s" XDB_FACET_SEP "%s", created,
	            r->network ? r->network : "", ix->chat);
	xdb_document_t doc = {.id = r->uri,
	                      .text = text,
	                      .name = r->author_name,
	                      .lang = *lang ? lang : NULL,
	                      .boolean_terms = (const char *const *)terms.items,
	                      .created = created,
	                      .data = ix->data.buf,
	                      .facets = ix->facets.buf,
	                      .is_new = ix->day_is_new};
	chatarc_status_t status = xdb_replace(ix->db, &doc, err);
	/* Kept to find what a re-indexed day no longer holds; a new day has
	 * nothing of its own in the index to compare. */
	bool added;
	if (!ix->day_is_new)
		urimap_insert(&ix->day_uris, r->uri, &added);
	strlist_clear(&terms);
	if (status == CHATARC_OK) {
		ix->pending++;
		ix->stats->messages++;
	}
	return status;
}

static void note_if_stale(void *ctx, const char *id)
{
	struct indexer *ix = ctx;
	if (!urimap_find(&ix->day_uris, id))
		strlist_add(&ix->stale, id);
}

/* A day indexed before that holds fewer messages now (forgotten, deleted
 * upstream): its documents that the archive no longer has go too. */
static CHATARC_MUST_CHECK chatarc_status_t remove_stale(struct indexer *ix, chatarc_ms_t day_start,
                                                        chatarc_error_t *err)
{
	char day[11], compact[9], chat_term[128];
	time_format_day(day_start, day);
	snprintf(compact, sizeof compact, "%.4s%.2s%.2s", day, day + 5, day + 8);
	char *term = query_field_term("chat", ix->chat);
	snprintf(chat_term, sizeof chat_term, "%s", term);
	free(term);
	strlist_clear(&ix->stale);
	chatarc_status_t status = xdb_day_ids(ix->db, chat_term, compact, note_if_stale, ix, err);
	for (size_t i = 0; status == CHATARC_OK && i < ix->stale.len; i++)
		status = xdb_delete(ix->db, ix->stale.items[i], err);
	strlist_clear(&ix->stale);
	return status;
}

static CHATARC_MUST_CHECK chatarc_status_t index_day(struct indexer *ix, const char *data_dir,
                                                     const char *path, chatarc_error_t *err)
{
	char key[128], size_text[32];
	chatarc_ms_t from;
	bool current;

	archive_day_of_path(path, NULL, &from);
	chatarc_status_t status =
	    index_day_state(ix->db, ix->chat, path, key, size_text, &current, &ix->day_is_new, err);
	if (status != CHATARC_OK)
		return status;
	if (current) {
		ix->stats->days_current++;
		return CHATARC_OK;
	}
	/* The day's merged messages, all of them: versions may have changed. */
	status = places_for_day(ix->places, from, err);
	if (status == CHATARC_OK)
		status = xdb_set_metadata(ix->db, key, "indexing", err);
	urimap_release(&ix->day_uris);
	urimap_init(&ix->day_uris);
	if (status == CHATARC_OK)
		status = archive_for_each_cached(ix->days, data_dir, ix->chat, from,
		                                 from + 86400000, index_record, ix, err);
	if (status == CHATARC_OK && !ix->day_is_new)
		status = remove_stale(ix, from, err);
	if (status == CHATARC_OK)
		status = xdb_set_metadata(ix->db, key, size_text, err);
	if (status == CHATARC_OK && ix->pending >= INDEX_COMMIT_EVERY) {
		status = xdb_commit(ix->db, err);
		ix->pending = 0;
	}
	ix->stats->days_indexed++;
	return status;
}

/* Makes DIR/index point at DIR/index.d/<generation>, atomically. */
static CHATARC_MUST_CHECK chatarc_status_t point_index_at(const char *data_dir, long generation,
                                                          chatarc_error_t *err)
{
	char target[64];
	strbuf_t link, tmp;
	snprintf(target, sizeof target, "index.d/%ld", generation);
	strbuf_init(&link, 0);
	strbuf_init(&tmp, 0);
	strbuf_addf(&link, "%s/index", data_dir);
	strbuf_addf(&tmp, "%s/index.tmp-%ld", data_dir, (long)getpid());
	unlink(tmp.buf);
	chatarc_status_t status = CHATARC_OK;
	if (symlink(target, tmp.buf) < 0 || rename(tmp.buf, link.buf) < 0)
		status =
		    chatarc_error_set(err, CHATARC_ERR_IO, "%s: cannot switch to the new index: %s",
		                      link.buf, strerror(errno));
	unlink(tmp.buf);
	strbuf_release(&link);
	strbuf_release(&tmp);
	return status;
}

/* The generation DIR/index points at, or 0 when there is none. */
static long current_generation(const char *data_dir)
{
	char target[256];
	strbuf_t link;
	strbuf_init(&link, 0);
	strbuf_addf(&link, "%s/index", data_dir);
	ssize_t n = readlink(link.buf, target, sizeof target - 1);
	strbuf_release(&link);
	if (n <= 0)
		return 0;
	target[n] = '\0';
	return strncmp(target, "index.d/", 8) ? 0 : atol(target + 8);
}

/* Removes DIR/index.d/NAME. */
static CHATARC_MUST_CHECK chatarc_status_t remove_index_dir(const char *data_dir, const char *name,
                                                            chatarc_error_t *err)
{
	strbuf_t path;
	strbuf_init(&path, 0);
	strbuf_addf(&path, "%s/index.d/%s", data_dir, name);
	/* Never through a link: index.d linked elsewhere once had this delete
	 * a directory outside DIR. */
	chatarc_status_t status = fs_check_under(data_dir, path.buf, err);
	if (status == CHATARC_OK)
		status = fs_remove_tree(path.buf, err);
	strbuf_release(&path);
	return status;
}

/* An old generation once a new one is searched: after `forget`, the one
 * place the forgotten documents are still on disk, so a failure says so. */
static CHATARC_MUST_CHECK chatarc_status_t remove_generation(const char *data_dir, long generation,
                                                             chatarc_error_t *err)
{
	char name[32];
	snprintf(name, sizeof name, "%ld", generation);
	return remove_index_dir(data_dir, name, err);
}

/* Keeps each chat's mark as it was when the run began, where it differs
 * from the one kept (a run with nothing to do writes nothing). */
static CHATARC_MUST_CHECK chatarc_status_t note_marks(struct indexer *ix,
                                                      const chatarc_config_t *config,
                                                      char (*marks)[48], chatarc_error_t *err)
{
	chatarc_status_t status = CHATARC_OK;
	bool changed = false;
	for (size_t c = 0; status == CHATARC_OK && c < config->n_chats; c++) {
		char key[160], *kept;
		index_written_key(config->chats[c].name, key);
		if ((status = xdb_get_metadata(ix->db, key, &kept, err)))
			break;
		if (strcmp(kept, marks[c])) {
			status = xdb_set_metadata(ix->db, key, marks[c], err);
			changed = true;
		}
		free(kept);
	}
	return status == CHATARC_OK && changed ? xdb_commit(ix->db, err) : status;
}

static CHATARC_MUST_CHECK chatarc_status_t remove_generation(const char *data_dir, long generation,
                                                             chatarc_error_t *err);
static CHATARC_MUST_CHECK chatarc_status_t index_update_locked(
    const char *data_dir, const chatarc_config_t *config, bool rebuild, int lock_fd,
    index_progress_fn progress, void *ctx, index_stats_t *stats, chatarc_error_t *err);

/* What a database holds as committed (0 when it cannot be opened). */
static size_t committed_documents(const char *path)
{
	xdb_t *db;
	chatarc_error_t ignored;
	const char *paths[] = {path};
	size_t n = 0;
	if (xdb_open_readonly(paths, 1, &db, &ignored) != CHATARC_OK)
		return 0;
	if (xdb_document_count(db, &n, &ignored) != CHATARC_OK)
		n = 0;
	xdb_close(db);
	return n;
}

/* Whether DIR/index's terms are of this chatarc's scheme; one of an older
 * chatarc is rebuilt. One that cannot be opened counts as current:
 * opening it to write says why. */
static bool current_schema(const char *data_dir)
{
	char *path = index_path(data_dir);
	const char *paths[] = {path};
	xdb_t *db;
	chatarc_error_t ignored;
	bool matches = true;
	/* An index that opens but whose schema cannot be read is not taken
	 * as current: it is rebuilt, never written to under a scheme unknown. */
	if (xdb_open_readonly(paths, 1, &db, &ignored) == CHATARC_OK) {
		if (index_schema_matches(db, &matches, &ignored) != CHATARC_OK)
			matches = false;
		xdb_close(db);
	}
	free(path);
	return matches;
}

/* A generation (index.d/N) or a helper's half of one (index.d/part-N). */
static bool is_generation_name(const char *name)
{
	return (*name >= '0' && *name <= '9') || !strncmp(name, "part-", 5);
}

/* One index run at a time (DIR/state/index.lock): two would write the same
 * generation, or clear each other's. *fd: -1 when it could not be had. */
static CHATARC_MUST_CHECK chatarc_status_t take_index_lock(const char *data_dir, bool wait, int *fd,
                                                           chatarc_error_t *err)
{
	strbuf_t path;
	strbuf_init(&path, 0);
	strbuf_addf(&path, "%s/state/index.lock", data_dir);
	chatarc_status_t status =
	    fs_open_under(data_dir, path.buf, O_RDWR | O_CREAT, 0666, fd, err);
	if (status == CHATARC_OK && flock(*fd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0) {
		close(*fd);
		*fd = -1;
		status = chatarc_error_set(err, CHATARC_ERR_BUSY,
		                           "another `chatarc index` is under way on %s; try again "
		                           "when it is done",
		                           data_dir);
	}
	strbuf_release(&path);
	return status;
}

/* Generations that are not the one searched: a rebuild or a first index
 * killed, or failed on a full disk, half built. Gone at the next start,
 * so they cost no disk for long. */
static void remove_stray_generations(const char *data_dir, long current)
{
	strbuf_t dir;
	strlist_t names = {0};
	strbuf_init(&dir, 0);
	strbuf_addf(&dir, "%s/index.d", data_dir);
	chatarc_error_t ignored;
	if (fs_check_under(data_dir, dir.buf, &ignored) == CHATARC_OK)
		fs_list_dir(dir.buf, is_generation_name, &names);
	char current_name[32];
	snprintf(current_name, sizeof current_name, "%ld", current);
	for (size_t i = 0; i < names.len; i++) {
		const char *name = strrchr(names.items[i], '/') + 1;
		/* Best effort: what stays is tried again at the next start. */
		if (strcmp(name, current_name) && remove_index_dir(data_dir, name, &ignored))
			continue;
	}
	strlist_clear(&names);
	strbuf_release(&dir);
}

chatarc_status_t index_update(const char *data_dir, const chatarc_config_t *config, bool rebuild,
                              index_progress_fn progress, void *ctx, index_stats_t *stats,
                              chatarc_error_t *err)
{
	int lock_fd;
	chatarc_status_t status = take_index_lock(data_dir, false, &lock_fd, err);
	if (status != CHATARC_OK)
		return status;
	status = index_update_locked(data_dir, config, rebuild, lock_fd, progress, ctx, stats, err);
	close(lock_fd);
	/* Xapian says only "Error writing block N" when the disk is full. */
	struct statvfs fs;
	if (status != CHATARC_OK && statvfs(data_dir, &fs) == 0 &&
	    (unsigned long long)fs.f_bavail * fs.f_frsize < (1ULL << 20)) {
		char why[sizeof err->message];
		snprintf(why, sizeof why, "%s", err->message);
		chatarc_error_set(
		    err, status,
		    "%s: the disk holding %s is full; free some space and run `chatarc "
		    "index` again (nothing half-built is kept)",
		    why, data_dir);
	}
	return status;
}

/* Deletes uris from the current generation, and writes its compacted copy
 * as the next one (nothing deleted survives in an old block). */
/* Writes db's compacted copy as generation `generation` (replacing a
 * half-built one a killed run left there). */
static CHATARC_MUST_CHECK chatarc_status_t compact_into(xdb_t *db, const char *data_dir,
                                                        long generation, chatarc_error_t *err)
{
	strbuf_t compacted;
	chatarc_status_t status;
	strbuf_init(&compacted, 0);
	strbuf_addf(&compacted, "%s/index.d/%ld", data_dir, generation);
	if (!(status = fs_check_under(data_dir, compacted.buf, err)) &&
	    !(status = fs_remove_tree(compacted.buf, err)))
		status = xdb_compact_to(db, compacted.buf, err);
	strbuf_release(&compacted);
	return status;
}

static CHATARC_MUST_CHECK chatarc_status_t remove_documents(const char *data_dir,
                                                            const strlist_t *uris,
                                                            chatarc_error_t *err)
{
	long generation = current_generation(data_dir);
	strbuf_t path;
	xdb_t *db = NULL;
	chatarc_status_t status;

	strbuf_init(&path, 0);
	strbuf_addf(&path, "%s/index.d/%ld", data_dir, generation);
	status = xdb_open_writable(path.buf, &db, err);
	for (size_t i = 0; status == CHATARC_OK && i < uris->len; i++)
		status = xdb_delete(db, uris->items[i], err);
	if (status == CHATARC_OK)
		status = xdb_commit(db, err);
	if (status == CHATARC_OK)
		status = compact_into(db, data_dir, generation + 1, err);
	xdb_close(db);
	if (status == CHATARC_OK)
		status = point_index_at(data_dir, generation + 1, err);
	if (status == CHATARC_OK)
		status = remove_generation(data_dir, generation, err);
	strbuf_release(&path);
	return status;
}

chatarc_status_t index_remove(const char *data_dir, const strlist_t *uris, chatarc_error_t *err)
{
	int lock_fd;
	if (current_generation(data_dir) == 0)
		return CHATARC_OK;
	chatarc_status_t status = take_index_lock(data_dir, true, &lock_fd, err);
	if (status == CHATARC_OK)
		status = remove_documents(data_dir, uris, err);
	close(lock_fd);
	return status;
}

/* Every configured chat's day files, in order: what a run may index. */
struct day_job {
	const chatarc_chat_t *chat;
	char *path;
	long number, of; /* its place among the chat's days, for progress */
	off_t bytes;     /* the day file's size: the work it is */
};
struct day_jobs {
	struct day_job *items;
	size_t len, alloc;
	off_t bytes;
};

static CHATARC_MUST_CHECK chatarc_status_t list_jobs(const char *data_dir,
                                                     const chatarc_config_t *config,
                                                     struct day_jobs *jobs, chatarc_error_t *err)
{
	chatarc_status_t status = CHATARC_OK;
	for (size_t c = 0; status == CHATARC_OK && c < config->n_chats; c++) {
		strlist_t days = {0};
		status = archive_list_days(data_dir, config->chats[c].name, &days, err);
		for (size_t d = 0; status == CHATARC_OK && d < days.len; d++) {
			struct stat st;
			off_t bytes = stat(days.items[d], &st) == 0 ? st.st_size : 0;
			ALLOC_GROW(jobs->items, jobs->len + 1, jobs->alloc);
			jobs->items[jobs->len++] =
			    (struct day_job){&config->chats[c], xstrdup(days.items[d]), (long)d + 1,
			                     (long)days.len, bytes};
			jobs->bytes += bytes;
		}
		strlist_clear(&days);
	}
	return status;
}

static void release_jobs(struct day_jobs *jobs)
{
	for (size_t j = 0; j < jobs->len; j++)
		free(jobs->items[j].path);
	free(jobs->items);
}

static CHATARC_MUST_CHECK chatarc_status_t indexer_open(struct indexer *ix, const char *path,
                                                        chatarc_error_t *err)
{
	chatarc_status_t status = xdb_open_writable(path, &ix->db, err);
	if (status != CHATARC_OK)
		return status;
	strbuf_init(&ix->data, 4096);
	strbuf_init(&ix->cw_text, 0);
	strbuf_init(&ix->facets, 64);
	ix->days = archive_day_cache_new();
	urimap_init(&ix->day_uris);
	/* Written to a new database only: a run with nothing to do writes
	 * nothing. */
	bool current;
	status = index_schema_matches(ix->db, &current, err);
	if (status == CHATARC_OK && !current)
		status = xdb_set_metadata(ix->db, "schema", XDB_SCHEMA, err);
	return status;
}

static void indexer_close(struct indexer *ix)
{
	xdb_close(ix->db);
	ix->db = NULL;
	strbuf_release(&ix->data);
	strbuf_release(&ix->cw_text);
	strbuf_release(&ix->facets);
	places_free(ix->places);
	ix->places = NULL;
	archive_day_cache_free(ix->days);
	ix->days = NULL;
	urimap_release(&ix->day_uris);
}

/* Indexes jobs [from, to) and commits. */
static CHATARC_MUST_CHECK chatarc_status_t index_jobs(struct indexer *ix,
                                                      const struct day_jobs *jobs, size_t from,
                                                      size_t to, index_progress_fn progress,
                                                      void *ctx, chatarc_error_t *err)
{
	chatarc_status_t status = CHATARC_OK;
	for (size_t j = from; status == CHATARC_OK && j < to; j++) {
		const struct day_job *job = &jobs->items[j];
		if (job->chat != ix->chat_config) {
			ix->chat = job->chat->name;
			ix->chat_config = job->chat;
			places_free(ix->places); /* sessions are per chat */
			ix->places = places_new(ix->data_dir, job->chat, ix->days);
		}
		if (progress)
			progress(ctx, ix->chat, job->number, job->of);
		status = index_day(ix, ix->data_dir, job->path, err);
	}
	return status == CHATARC_OK ? xdb_commit(ix->db, err) : status;
}

/* Where the second process starts: the first job past half of the bytes,
 * not of the days. A real chat's days are far from equal (the chat's own
 * hour against a quiet week; a chat that grew), and the two halves should
 * end together, or one core waits. Each process keeps at least one day. */
static size_t middle_job(const struct day_jobs *jobs)
{
	off_t before = 0;
	size_t j = 0;
	while (j + 1 < jobs->len && (j == 0 || before + jobs->items[j].bytes / 2 < jobs->bytes / 2))
		before += jobs->items[j++].bytes;
	return j;
}

/* A first build of at least this much archive is shared between two
 * processes (below this, the fork and the merge are not worth it). */
#define INDEX_PARALLEL_BYTES (1 << 20)

/* What the helper process sends back through its pipe. */
struct helper_result {
	chatarc_status_t status;
	index_stats_t stats;
	char message[sizeof(((chatarc_error_t *)0)->message)];
};

/* The second half of a first build, in a child process writing a database
 * of its own (Xapian has one writer per database): two processes use both
 * cores, and the parent merges the halves when it compacts (-43% wall on 2
 * cores, BENCHMARKS.md). The child dies with the parent, and lets go of
 * the index lock (lock_fd) at once: a parent killed mid-run must not leave
 * a run after it finding the lock held by its dying helper. */
static CHATARC_MUST_CHECK chatarc_status_t start_helper(const char *data_dir, const char *shard,
                                                        const struct day_jobs *jobs, size_t from,
                                                        int lock_fd, pid_t *pid, int *fd,
                                                        chatarc_error_t *err)
{
	int pipe_fds[2];
	if (pipe(pipe_fds) < 0 || (*pid = fork()) < 0)
		return chatarc_error_set(err, CHATARC_ERR_IO, "cannot start a second indexer: %s",
		                         strerror(errno));
	if (*pid > 0) {
		close(pipe_fds[1]);
		*fd = pipe_fds[0];
		return CHATARC_OK;
	}
	close(pipe_fds[0]);
	close(lock_fd); /* the parent's flock stays: it shares the open file */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(1); /* the parent is already gone */
	struct helper_result result = {0};
	struct indexer ix = {.stats = &result.stats, .data_dir = data_dir};
	chatarc_error_t child_err;
	result.status = fs_mkdir_under(data_dir, shard, &child_err);
	if (result.status == CHATARC_OK &&
	    (result.status = indexer_open(&ix, shard, &child_err)) == CHATARC_OK)
		result.status = index_jobs(&ix, jobs, from, jobs->len, NULL, NULL, &child_err);
	if (ix.db)
		indexer_close(&ix);
	if (result.status != CHATARC_OK)
		snprintf(result.message, sizeof result.message, "%s", child_err.message);
	ssize_t ignored = write(pipe_fds[1], &result, sizeof result);
	(void)ignored;
	_exit(result.status == CHATARC_OK ? 0 : 1);
}

/* Waits for the helper; its statistics are added to *stats. */
static CHATARC_MUST_CHECK chatarc_status_t finish_helper(pid_t pid, int fd, index_stats_t *stats,
                                                         chatarc_error_t *err)
{
	struct helper_result result;
	size_t got = 0;
	ssize_t n;
	while (got < sizeof result &&
	       ((n = read(fd, (char *)&result + got, sizeof result - got)) > 0 ||
	        (n < 0 && errno == EINTR)))
		got += n > 0 ? (size_t)n : 0;
	close(fd);
	int wstatus;
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	if (got < sizeof result)
		return chatarc_error_set(err, CHATARC_ERR_IO,
		                         "the second indexing process died (%s); run `chatarc "
		                         "index` again",
		                         WIFSIGNALED(wstatus) ? strsignal(WTERMSIG(wstatus))
		                                              : "no result");
	if (result.status != CHATARC_OK)
		return chatarc_error_set(err, result.status, "%s", result.message);
	stats->days_indexed += result.stats.days_indexed;
	stats->days_current += result.stats.days_current;
	stats->messages += result.stats.messages;
	return CHATARC_OK;
}

/* Writes the compacted union of the databases `paths` as generation
 * `generation`. */
static CHATARC_MUST_CHECK chatarc_status_t merge_into(const char *data_dir,
                                                      const char *const *paths, size_t n_paths,
                                                      long generation, chatarc_error_t *err)
{
	xdb_t *db;
	chatarc_status_t status = xdb_open_readonly(paths, n_paths, &db, err);
	if (status != CHATARC_OK)
		return status;
	status = compact_into(db, data_dir, generation, err);
	xdb_close(db);
	return status;
}

static void placement_key(const char *chat, char key[160])
{
	snprintf(key, 160, "placement:%s", chat);
}

/* What the index holds of a chat's placement: its fingerprint now, and
 * whether the index kept one (*kept) that differs from it (*differs). */
static CHATARC_MUST_CHECK chatarc_status_t placement_state(xdb_t *db, const chatarc_chat_t *chat,
                                                           char fingerprint[17], bool *kept,
                                                           bool *differs, chatarc_error_t *err)
{
	char key[160], *value;
	placement_key(chat->name, key);
	places_fingerprint(chat, fingerprint);
	chatarc_status_t status = xdb_get_metadata(db, key, &value, err);
	if (status != CHATARC_OK)
		return status;
	*kept = *value != '\0';
	*differs = strcmp(value, fingerprint) != 0;
	free(value);
	return CHATARC_OK;
}

/* A chat whose placement settings changed since the index placed its
 * messages has each of its days read again (the day's key no longer
 * matches its file), so every document gets its session: and topic:
 * terms anew. Only that chat's days. */
static CHATARC_MUST_CHECK chatarc_status_t mark_replaced(struct indexer *ix,
                                                         const chatarc_config_t *config,
                                                         const struct day_jobs *jobs,
                                                         index_stats_t *stats, chatarc_error_t *err)
{
	chatarc_status_t status = CHATARC_OK;
	for (size_t c = 0; status == CHATARC_OK && c < config->n_chats; c++) {
		char fingerprint[17];
		bool kept, differs;
		status =
		    placement_state(ix->db, &config->chats[c], fingerprint, &kept, &differs, err);
		if (status != CHATARC_OK || !kept || !differs)
			continue;
		strlist_add(&stats->replaced, config->chats[c].name);
		for (size_t j = 0; status == CHATARC_OK && j < jobs->len; j++) {
			char day[11], day_key[128];
			if (jobs->items[j].chat != &config->chats[c])
				continue;
			archive_day_of_path(jobs->items[j].path, day, NULL);
			snprintf(day_key, sizeof day_key, "day:%s/%s", config->chats[c].name, day);
			status = xdb_set_metadata(ix->db, day_key, "placed again", err);
		}
	}
	return status;
}

/* Keeps each chat's placement fingerprint, once its days are indexed. */
static CHATARC_MUST_CHECK chatarc_status_t note_placements(struct indexer *ix,
                                                           const chatarc_config_t *config,
                                                           chatarc_error_t *err)
{
	chatarc_status_t status = CHATARC_OK;
	bool changed = false;
	for (size_t c = 0; status == CHATARC_OK && c < config->n_chats; c++) {
		char key[160], fingerprint[17];
		bool kept, differs;
		status =
		    placement_state(ix->db, &config->chats[c], fingerprint, &kept, &differs, err);
		if (status != CHATARC_OK || !differs)
			continue;
		placement_key(config->chats[c].name, key);
		status = xdb_set_metadata(ix->db, key, fingerprint, err);
		changed = true;
	}
	return status == CHATARC_OK && changed ? xdb_commit(ix->db, err) : status;
}

void index_stats_release(index_stats_t *stats)
{
	strlist_clear(&stats->replaced);
}

static CHATARC_MUST_CHECK chatarc_status_t index_update_locked(
    const char *data_dir, const chatarc_config_t *config, bool rebuild, int lock_fd,
    index_progress_fn progress, void *ctx, index_stats_t *stats, chatarc_error_t *err)
{
	long generation = current_generation(data_dir);
	remove_stray_generations(data_dir, generation);
	if (generation > 0 && !rebuild)
		rebuild = !current_schema(data_dir);
	/* Only a rebuild is written aside: a first index has nothing to protect,
	 * so it is linked at once and a killed first run resumes like any other
	 * (one that fails before its first commit is unlinked again, below). */
	bool fresh = rebuild && generation > 0;
	long target = generation == 0 ? 1 : fresh ? generation + 1 : generation;
	strbuf_t path, shard;
	struct indexer ix = {.stats = stats, .data_dir = data_dir};
	struct day_jobs jobs = {0};
	pid_t helper = -1;
	int helper_fd = -1;
	chatarc_status_t status;

	memset(stats, 0, sizeof *stats);
	strbuf_init(&path, 0);
	strbuf_init(&shard, 0);
	strbuf_addf(&path, "%s/index.d/%ld", data_dir, target);
	strbuf_addf(&shard, "%s/index.d/part-%ld", data_dir, target);
	/* A database built from nothing, from enough archive, is built by two
	 * processes: the parent the first half of the days, a helper the rest. */
	size_t half = 0;
	/* What each chat's archive had been written when this run began: a
	 * write during the run changes it, so search still says stale. */
	char(*marks)[48] = xcalloc(config->n_chats + 1, sizeof *marks);
	for (size_t c = 0; c < config->n_chats; c++)
		archive_written_mark(data_dir, config->chats[c].name, marks[c]);
	if ((status = list_jobs(data_dir, config, &jobs, err)))
		goto out;
	if ((generation == 0 || fresh) && jobs.len >= 2 && jobs.bytes >= INDEX_PARALLEL_BYTES)
		half = middle_job(&jobs);
	/* A rebuild killed earlier may have left this generation half done. */
	if ((status = fs_check_under(data_dir, path.buf, err)) ||
	    (fresh && (status = fs_remove_tree(path.buf, err))) ||
	    (status = fs_mkdir_under(data_dir, path.buf, err)) ||
	    (half && (status = start_helper(data_dir, shard.buf, &jobs, half, lock_fd, &helper,
	                                    &helper_fd, err))) ||
	    (generation == 0 && (status = point_index_at(data_dir, target, err))) ||
	    (status = indexer_open(&ix, path.buf, err)))
		goto out;
	if (!fresh && generation > 0 && (status = mark_replaced(&ix, config, &jobs, stats, err)))
		goto out;
	status = index_jobs(&ix, &jobs, 0, half ? half : jobs.len, progress, ctx, err);
	if (status == CHATARC_OK)
		status = note_marks(&ix, config, marks, err);
	if (status == CHATARC_OK)
		status = note_placements(&ix, config, err);
	if (helper > 0) {
		chatarc_status_t helper_status = finish_helper(
		    helper, helper_fd, stats, status == CHATARC_OK ? err : &(chatarc_error_t){0});
		helper = -1;
		if (status == CHATARC_OK)
			status = helper_status;
	}
	size_t documents = 0;
	if (status == CHATARC_OK)
		status = xdb_document_count(ix.db, &documents, err);
	stats->documents = (long)documents;
	/* Incremental writes leave B-tree blocks part empty: when this run wrote
	 * a good share of the database (a first build, a rebuild, a big
	 * import), a compacted copy becomes the next generation: 40% smaller.
	 * A build in two halves is merged by that compaction. */
	long next = target;
	if (status == CHATARC_OK && half) {
		indexer_close(&ix);
		const char *halves[] = {path.buf, shard.buf};
		next = target + 1;
		status = merge_into(data_dir, halves, 2, next, err);
		stats->documents = stats->messages;
	} else if (status == CHATARC_OK && stats->messages > 0 &&
	           stats->messages * 4 >= stats->documents) {
		next = target + 1;
		status = compact_into(ix.db, data_dir, next, err);
	}
	if (ix.db)
		indexer_close(&ix);
	if (status == CHATARC_OK && next != generation)
		status = point_index_at(data_dir, next, err);
	/* Searches that opened an old generation keep their open files; left
	 * behind, one costs only disk. */
	for (long old = generation > 0 ? generation : target; status == CHATARC_OK && old < next;
	     old++)
		status = remove_generation(data_dir, old, err);
out:
	if (helper > 0) { /* the parent failed first: the helper's half is lost anyway */
		kill(helper, SIGKILL);
		chatarc_error_t ignored; /* killed: its failure is the one known */
		chatarc_status_t helper_status = finish_helper(helper, helper_fd, stats, &ignored);
		(void)helper_status;
	}
	if (ix.db)
		indexer_close(&ix);
	/* A failed run leaves nothing aside that is not searched; a first
	 * index that failed before committing anything (a full disk) is no
	 * index, so search says so instead of answering 0 hits. */
	if (status != CHATARC_OK && generation == 0 && committed_documents(path.buf) == 0) {
		strbuf_t link;
		strbuf_init(&link, 0);
		strbuf_addf(&link, "%s/index", data_dir);
		unlink(link.buf);
		strbuf_release(&link);
		remove_stray_generations(data_dir, 0);
	} else if (status != CHATARC_OK) {
		remove_stray_generations(data_dir, current_generation(data_dir));
	}
	remove_stray_generations(data_dir, current_generation(data_dir));
	release_jobs(&jobs);
	free(marks);
	strbuf_release(&path);
	strbuf_release(&shard);
	return status;
}
