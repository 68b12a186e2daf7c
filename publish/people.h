/* People's pages, who knows what (as healthcare networks find their
 * experts): a person's chats, sessions, topics answered, links and latest
 * posts, read from the search index (each message with its session and
 * topic) into the XML people.xsl renders. Made by `chatarc serve` for
 * /people/ACCOUNT and by `chatarc publish` as static pages when the config
 * says "site": {"people": true}. A message as a <hit> is the search page's
 * too. */
#ifndef CHATARC_PEOPLE_H
#define CHATARC_PEOPLE_H

#include <stdbool.h>

#include "../common/config.h"
#include "../common/sprinter.h"
#include "../common/status.h"

struct xdb;
struct tz_zone;
struct _xmlDoc;

/* Where the pages' links lead: "/" and "" for `chatarc serve`
 * (/people/ACCOUNT), "../" and ".html" for a static page one level down
 * (people/ACCOUNT.html). */
typedef struct site_links {
	const char *root;
	const char *people_suffix;
} site_links_t;

/* A person's page shows at most this many of their latest posts. */
#define PEOPLE_MAX_POSTS 1000

/* One message (data: the record's JSON, as the index keeps it) as a <hit>:
 * chat, network, author, time in the chat's zone, its session and topic
 * (NULL: in none), its page in the site, the person's page, the text, its
 * links. zones: one slot per config chat (config_chat_offset). */
void people_write_hit(sprinter_t *sp, const chatarc_config_t *config, struct tz_zone **zones,
                      const site_links_t *links, const char *data, const char *session,
                      const char *topic);

/* Accounts as the index holds them: letters, digits and ._-@: only. */
bool people_account_valid(const char *account);

/* ACCOUNT's page as XML (*doc, the caller's to free), from db; *doc is
 * NULL when the account has no page: no message, or one in a chat that
 * may not show its people (on its hide list, or a chat taking posts of
 * accounts that opted out of indexing, where consent cannot be told). */
CHATARC_MUST_CHECK chatarc_status_t people_page_doc(struct xdb *db, const chatarc_config_t *config,
                                                    const char *account, const site_links_t *links,
                                                    struct _xmlDoc **doc, chatarc_error_t *err);

/* Every account the index holds a message of (lower-case), for the static
 * pages. */
CHATARC_MUST_CHECK chatarc_status_t people_accounts(struct xdb *db, strlist_t *out,
                                                    chatarc_error_t *err);

#endif
