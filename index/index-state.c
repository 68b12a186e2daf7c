/* What the index records of the archive, and opening it for search: the
 * part of index/ that `chatarc search` links. The indexer (index.c), which
 * places messages in sessions through summarise/ and so libical, is apart
 * from it, so a search loads neither. */
#define _GNU_SOURCE
#include "index-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../common/archive.h"
#include "../common/fsutil.h"
#include "../common/json.h"
#include "../common/strbuf.h"
#include "../common/urimap.h"
#include "query.h"

char *index_path(const char *data_dir)
{
	strbuf_t sb;
	strbuf_init(&sb, 0);
	strbuf_addf(&sb, "%s/index", data_dir);
	return strbuf_detach(&sb, NULL);
}

/* What the index knows of one day file: its metadata key ("day:CHAT/DAY"),
 * the file's size now (what the key holds once the day is indexed), and
 * whether the key holds it already (*current) or nothing (*never). */
chatarc_status_t index_day_state(xdb_t *db, const char *chat, const char *path, char key[128],
                                 char size_text[32], bool *current, bool *never,
                                 chatarc_error_t *err)
{
	char day[11];
	struct stat st;
	archive_day_of_path(path, day, NULL);
	snprintf(key, 128, "day:%s/%s", chat, day);
	if (stat(path, &st) < 0)
		return chatarc_error_set(err, CHATARC_ERR_IO, "%s: %s", path, strerror(errno));
	snprintf(size_text, 32, "%lld", (long long)st.st_size);
	char *indexed;
	chatarc_status_t status = xdb_get_metadata(db, key, &indexed, err);
	if (status != CHATARC_OK)
		return status;
	*current = !strcmp(indexed, size_text);
	*never = indexed[0] == '\0';
	free(indexed);
	return CHATARC_OK;
}

/* Whether db's terms are of this chatarc's scheme (XDB_SCHEMA). */
chatarc_status_t index_schema_matches(xdb_t *db, bool *matches, chatarc_error_t *err)
{
	char *schema;
	chatarc_status_t status = xdb_get_metadata(db, "schema", &schema, err);
	if (status == CHATARC_OK)
		*matches = !strcmp(schema, XDB_SCHEMA);
	if (status == CHATARC_OK)
		free(schema);
	return status;
}

/* "written:CHAT": the chat's archive_written_mark the index is up to date
 * with. */
void index_written_key(const char *chat, char key[160])
{
	snprintf(key, 160, "written:%s", chat);
}

/* How many of the chats' day files changed since the index read them. A
 * chat whose archive was not written since (its mark is the one the index
 * kept) is not looked at day by day: at 1,250 day files that was a stat
 * and a lookup each, a third of a search. */
static CHATARC_MUST_CHECK chatarc_status_t stale_days(const char *data_dir,
                                                      const chatarc_config_t *config, xdb_t *db,
                                                      size_t *stale, chatarc_error_t *err)
{
	chatarc_status_t status = CHATARC_OK;
	*stale = 0;
	for (size_t c = 0; status == CHATARC_OK && c < config->n_chats; c++) {
		char mark[48], key[160], *kept;
		archive_written_mark(data_dir, config->chats[c].name, mark);
		index_written_key(config->chats[c].name, key);
		if ((status = xdb_get_metadata(db, key, &kept, err)))
			break;
		bool unchanged = *mark && !strcmp(mark, kept);
		free(kept);
		if (unchanged)
			continue;
		strlist_t days = {0};
		status = archive_list_days(data_dir, config->chats[c].name, &days, err);
		for (size_t d = 0; status == CHATARC_OK && d < days.len; d++) {
			char key[128], size_text[32];
			bool current, never;
			status = index_day_state(db, config->chats[c].name, days.items[d], key,
			                         size_text, &current, &never, err);
			*stale += !current;
		}
		strlist_clear(&days);
	}
	return status;
}

chatarc_status_t index_open_for_search(const char *data_dir, const chatarc_config_t *config,
                                       xdb_t **db, size_t *stale, chatarc_error_t *err)
{
	strlist_t paths = {0};
	char *path = index_path(data_dir);
	*stale = 0;
	if (fs_exists(path) || config->index_shards.len == 0)
		strlist_add(&paths, path);
	for (size_t i = 0; i < config->index_shards.len; i++) {
		const char *shard = config->index_shards.items[i];
		strbuf_t full;
		strbuf_init(&full, 0);
		if (shard[0] == '/' || !strncmp(shard, "tcp:", 4))
			strbuf_addstr(&full, shard);
		else
			strbuf_addf(&full, "%s/%s", data_dir, shard);
		strlist_add(&paths, full.buf);
		strbuf_release(&full);
	}
	chatarc_status_t status =
	    xdb_open_readonly((const char *const *)paths.items, paths.len, db, err);
	if (status == CHATARC_ERR_NOT_FOUND && paths.len == 1 && !strcmp(paths.items[0], path))
		chatarc_error_set(err, status, "%s: no index yet: run `chatarc --data %s index`",
		                  path, data_dir);
	bool current = true;
	if (status == CHATARC_OK && !config->index_shards.len &&
	    ((status = index_schema_matches(*db, &current, err)) != CHATARC_OK || !current)) {
		xdb_close(*db);
		if (status == CHATARC_OK)
			status = chatarc_error_set(
			    err, CHATARC_ERR_CORRUPT,
			    "%s was built by an older chatarc, whose terms this one does not "
			    "search: run `chatarc --data %s index` (it rebuilds it)",
			    path, data_dir);
	}
	free(path);
	strlist_clear(&paths);
	if (status == CHATARC_OK && config->n_chats && !config->index_shards.len &&
	    (status = stale_days(data_dir, config, *db, stale, err)) != CHATARC_OK)
		xdb_close(*db);
	return status;
}

static void add_value(void *ctx, const char *value)
{
	strlist_add(ctx, value);
}

chatarc_status_t index_query_values(void *ctx, const char *prefix, const char *value_start,
                                    strlist_t *out, chatarc_error_t *err)
{
	return xdb_field_values(ctx, prefix, value_start, add_value, out, err);
}

/* A hit's uri, from its stored data (the record as JSON, uri first). */
static CHATARC_MUST_CHECK chatarc_status_t collect_uri(void *ctx, const xdb_hit_t *hit,
                                                       chatarc_error_t *err)
{
	yajl_val doc;
	if (json_parse(hit->data, &doc, err) != CHATARC_OK)
		return CHATARC_ERR_CORRUPT;
	const char *uri = json_get_string(doc, "uri");
	bool added;
	if (uri)
		urimap_insert(ctx, uri, &added);
	json_free(doc);
	return CHATARC_OK;
}

chatarc_status_t index_matching_uris(const char *data_dir, const chatarc_config_t *config,
                                     const char *text, urimap_t *out, size_t *stale,
                                     strlist_t *warnings, chatarc_error_t *err)
{
	xdb_t *db;
	query_node_t *query = NULL;
	chatarc_status_t status = index_open_for_search(data_dir, config, &db, stale, err);
	if (status != CHATARC_OK)
		return status;
	status = query_parse(text, index_query_values, db, &query, warnings, err);
	if (status == CHATARC_OK)
		status = xdb_search(
		    db, query, &(xdb_request_t){.sort = XDB_SORT_DATE, .limit = (size_t)-1 / 2},
		    collect_uri, out, NULL, err);
	query_free(query);
	xdb_close(db);
	return status;
}
