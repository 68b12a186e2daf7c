/* Which messages a researcher's command reads (export, stats): chats named
 * or all, a local DATE, --since/--until, --author, --query; each message
 * with its place in the chat's sessions. The one place these filters mean
 * what they mean. */
#ifndef CHATARC_SELECT_H
#define CHATARC_SELECT_H

#include "../common/record.h"
#include "../common/urimap.h"
#include "../summarise/places.h"
#include "cli.h"

/* The filters as options: fill with the parsed option values. */
typedef struct select_options {
	const char *since, *until, *authors, *query, *session;
} select_options_t;

#define SELECT_OPTIONS(o)                                                                          \
	OPT_STRING("since", 0, "T", "only messages created at or after T", &(o).since),            \
	    OPT_STRING("until", 0, "T", "only messages created before T", &(o).until),             \
	    OPT_STRING("author", 'a', "A[,A...]", "only messages of these accounts",               \
	               &(o).authors),                                                              \
	    OPT_STRING("query", 'q', "Q",                                                          \
	               "only messages a search query matches (reads the index)", &(o).query),      \
	    OPT_STRING("session", 's', "DATE", "only messages of the sessions held on DATE",       \
	               &(o).session)

/* What SELECT_OPTIONS mean, for a command's --help. */
#define SELECT_HELP                                                                                \
	"CHATs: the chats named, or every chat in the config. DATE (YYYY-MM-DD): that\n"           \
	"day in each chat's time zone. --since and --until take ISO 8601 times (UTC\n"             \
	"unless they carry an offset), --until exclusive. --author keeps the messages of\n"        \
	"these accounts (maya, @maya@toot.example or maya@toot.example; a name without\n"          \
	"a server is that name on every server). --query keeps the messages a search\n"            \
	"query matches (the query language of `chatarc search`; it reads the index, so\n"          \
	"run `chatarc index` first). --session DATE keeps the messages the summariser\n"           \
	"places in each chat's session of that date (one that runs past midnight\n"                \
	"included).\n"

typedef struct message_select message_select_t;

/* args: the command's positional arguments (CHATs and at most one DATE). */
CHATARC_MUST_CHECK chatarc_status_t select_open(cli_context_t *ctx, const char *command,
                                                char **args, int n_args,
                                                const select_options_t *options,
                                                message_select_t **out, chatarc_error_t *err);
void select_close(message_select_t *select);

/* place: the message's session, topic and method (NULLs when in none). */
typedef chatarc_status_t (*select_fn)(void *ctx, const chatarc_record_t *record,
                                      const message_place_t *place, chatarc_error_t *err);
/* The selected messages in time order across the chats, each once per chat;
 * the chats' hide lists stay out. */
CHATARC_MUST_CHECK chatarc_status_t select_for_each(message_select_t *select, select_fn fn,
                                                    void *ctx, chatarc_error_t *err);
/* The selected chats' boost events (archive_boosts_name) in time order,
 * under the same filters (select.c says how each applies); place is
 * empty. --session is a usage error. */
CHATARC_MUST_CHECK chatarc_status_t select_for_each_boost(message_select_t *select, select_fn fn,
                                                          void *ctx, chatarc_error_t *err);
/* The config's chat of a record (NULL if the config has none of that name). */
const chatarc_chat_t *select_chat_of(const message_select_t *select, const chatarc_record_t *r);

#endif
