/* People's pages and the <hit> of a message (people.h). */
#include "people.h"

#include <ctype.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/alloc.h"
#include "../common/record.h"
#include "../common/timeutil.h"
#include "../common/tzfile.h"
#include "../index/index.h"
#include "../index/query.h"
#include "../summarise/summary.h"

/* people_write_hit of a record already read. */
static void write_record_hit(sprinter_t *sp, const chatarc_config_t *config, struct tz_zone **zones,
                             const site_links_t *links, const chatarc_record_t *r,
                             const char *session, const char *topic)
{
	const chatarc_chat_t *chat = r->chat ? config_find_chat(config, r->chat) : NULL;
	long offset = config_chat_offset(config, zones, chat, r->created_ms);
	char local[CHATARC_TIME_ISO_LEN], utc[CHATARC_TIME_ISO_LEN], zone[40];
	time_format_iso(r->created_ms + offset * 1000, local);
	local[16] = '\0';
	local[10] = ' ';
	time_format_iso(r->created_ms, utc);
	snprintf(zone, sizeof zone, "%c%02ld:%02ld", offset < 0 ? '-' : '+', labs(offset) / 3600,
	         labs(offset) % 3600 / 60);
	strbuf_t href;
	strbuf_init(&href, 64);
	sp->begin_object(sp, "hit");
	sp->string(sp, "chat", r->chat);
	sp->string(sp, "network", r->network);
	sp->string(sp, "author", r->author);
	sp->string(sp, "author-name", r->author_name);
	sp->string(sp, "local", local);
	sp->string(sp, "offset", zone);
	sp->string(sp, "utc", utc);
	sp->string(sp, "session", session);
	sp->string(sp, "topic", topic);
	sp->string(sp, "url", r->url);
	if (r->author && people_account_valid(r->author)) {
		/* The file name of a static page is the account as the index
		 * keeps it (lower-case); the server takes any case. */
		char *lower = xstrdup(r->author);
		for (char *p = lower; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		strbuf_addf(&href, "%speople/", links->root);
		strbuf_add_url_escaped(&href, lower);
		strbuf_addstr(&href, links->people_suffix);
		sp->string(sp, "people-href", href.buf);
		free(lower);
	}
	if (session && r->chat) {
		char anchor[24];
		summary_message_anchor(r->uri, anchor);
		strbuf_reset(&href);
		strbuf_addf(&href, "%s%s/%s.html#%s", links->root, r->chat, session, anchor);
		sp->string(sp, "href", href.buf);
	}
	sp->begin_list(sp, "links");
	for (size_t i = 0; i < r->links.len; i++)
		sp->text(sp, "link", r->links.items[i]);
	sp->end_list(sp);
	if (r->content_warning && *r->content_warning)
		sp->text(sp, "content-warning", r->content_warning);
	sp->text(sp, "text", r->text ? r->text : "");
	sp->end_object(sp);
	strbuf_release(&href);
}

void people_write_hit(sprinter_t *sp, const chatarc_config_t *config, struct tz_zone **zones,
                      const site_links_t *links, const char *data, const char *session,
                      const char *topic)
{
	chatarc_record_t rec;
	chatarc_error_t err;
	if (record_from_json(data, &rec, &err) != CHATARC_OK)
		return;
	write_record_hit(sp, config, zones, links, &rec, session, topic);
	record_clear(&rec);
}

bool people_account_valid(const char *account)
{
	if (!*account || strlen(account) > 200 || account[0] == '.')
		return false;
	for (const char *p = account; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-@:", *p))
			return false;
	return true;
}

/* A chat may show a person's page only where it could show anyone's. */
static bool chat_shows_person(const chatarc_chat_t *chat, const char *account)
{
	return chat && !chat->allow_noindex && !config_chat_hides_author(chat, account);
}

struct person {
	sprinter_t *sp;
	const chatarc_config_t *config;
	struct tz_zone **zones;
	const site_links_t *links;
	bool shown;
	size_t hits;
};

static CHATARC_MUST_CHECK chatarc_status_t add_hit(void *ctx, const xdb_hit_t *hit,
                                                   chatarc_error_t *err)
{
	struct person *p = ctx;
	chatarc_record_t rec;
	if (record_from_json(hit->data, &rec, err) != CHATARC_OK)
		return CHATARC_ERR_CORRUPT;
	p->shown =
	    p->shown &&
	    chat_shows_person(rec.chat ? config_find_chat(p->config, rec.chat) : NULL, rec.author);
	write_record_hit(p->sp, p->config, p->zones, p->links, &rec, hit->terms[0], hit->terms[1]);
	record_clear(&rec);
	p->hits++;
	return CHATARC_OK;
}

chatarc_status_t people_page_doc(struct xdb *db, const chatarc_config_t *config,
                                 const char *account, const site_links_t *links,
                                 struct _xmlDoc **doc, chatarc_error_t *err)
{
	*doc = NULL;
	if (!people_account_valid(account))
		return CHATARC_OK;
	strbuf_t query;
	strbuf_init(&query, 64);
	strbuf_addf(&query, "from:%s", account);
	const char *const prefixes[] = {query_field_prefix("session"), query_field_prefix("topic"),
	                                NULL};
	const index_search_t how = {
	    .sort = XDB_SORT_DATE_DESC, .limit = PEOPLE_MAX_POSTS, .term_prefixes = prefixes};
	struct person p = {.config = config,
	                   .zones = xcalloc(config->n_chats + 1, sizeof *p.zones),
	                   .links = links,
	                   .shown = true};
	xmlDocPtr tree = NULL;
	p.sp = sprinter_xml_tree_new(&tree, NULL);
	p.sp->begin_object(p.sp, "person");
	p.sp->string(p.sp, "account", account);
	size_t total = 0;
	strlist_t warnings = {0};
	chatarc_status_t status =
	    index_search(db, config, query.buf, &how, add_hit, &p, &total, &warnings, err);
	p.sp->integer(p.sp, "total", (long long)total);
	p.sp->end_object(p.sp);
	sprinter_xml_finish(p.sp);
	if (status == CHATARC_OK && p.shown && p.hits)
		*doc = tree;
	else
		xmlFreeDoc(tree);
	for (size_t i = 0; i < config->n_chats; i++)
		tz_zone_free(p.zones[i]);
	free(p.zones);
	strlist_clear(&warnings);
	strbuf_release(&query);
	return status;
}

static void add_value(void *ctx, const char *value)
{
	strlist_add(ctx, value);
}

chatarc_status_t people_accounts(struct xdb *db, strlist_t *out, chatarc_error_t *err)
{
	return xdb_field_values(db, query_field_prefix("from"), "", add_value, out, err);
}
