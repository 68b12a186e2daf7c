/* `chatarc forget`: a participant's takedown request. What they named goes
 * from the index first, then the archive, then the site, so that a run cut
 * short anywhere is finished by running it again: the archive still names
 * what is left to remove until its own files are rewritten. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/archive.h"
#include "../common/forgotten.h"
#include "../common/fsutil.h"
#include "../common/options.h"
#include "../common/terminal.h"
#include "../index/index.h"
#include "../publish/publish.h"
#include "cli.h"

static const command_help_t forget_help = {
    "chatarc forget [--dry-run] [--chat CHAT] [--site DIR] (WHAT... | --file F)",
    "Removes messages for good from the archive, the search index and the\n"
    "published site. WHAT is a message's uri or url, or an account as `export`\n"
    "shows its author (user@instance, a Bluesky handle, a Twitter screen name):\n"
    "every message of it goes. --file reads one WHAT a line ('#' starts a\n"
    "comment). Every chat is searched unless --chat names one.\n"
    "Day files are rewritten whole (new file, fsync, rename) under the chat's\n"
    "lock; the index loses the documents and is compacted, so no old block\n"
    "keeps them; the site (DIR/site unless --site) has its transcripts, chat\n"
    "pages, feeds and digests rendered again. What was named is kept in\n"
    "DIR/forgotten as salted SHA-256 hashes, never as text, so a later fetch or\n"
    "import drops it again. --dry-run lists what would go and changes nothing.\n"
    "A run cut short (killed, a full disk) is finished by running it again."};

struct forget_run {
	cli_context_t *ctx;
	forgotten_t *list;
	const char *site;
	bool dry_run;
	const char *chat_only; /* --chat */
	const char *chat;      /* the chat being read */
	strlist_t uris;        /* of every message found */
	long found_in_chat;    /* messages found in the chat being read */
	size_t boosts_removed; /* boost events by or of what was forgotten */
};

static CHATARC_MUST_CHECK chatarc_status_t read_names(const char *path, strlist_t *names,
                                                      chatarc_error_t *err)
{
	strbuf_t text;
	strbuf_init(&text, 0);
	chatarc_status_t status = strcmp(path, "-")
	                              ? fs_read_file(path, &text, 0, err)
	                              : fs_read_fd(0, "standard input", &text, 0, err);
	for (char *line = text.buf; status == CHATARC_OK && line && *line;) {
		char *next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		line += strspn(line, " \t\r");
		size_t len = strcspn(line, " \t\r");
		line[len] = '\0';
		if (*line)
			strlist_add(names, line);
		line = next;
	}
	strbuf_release(&text);
	return status;
}

static CHATARC_MUST_CHECK chatarc_status_t note_match(void *ctx, const chatarc_record_t *r,
                                                      chatarc_error_t *err)
{
	struct forget_run *run = ctx;
	(void)err;
	if (!forgotten_matches(run->list, r))
		return CHATARC_OK;
	strlist_add(&run->uris, r->uri);
	run->found_in_chat++;
	if (run->dry_run) {
		char when[CHATARC_TIME_ISO_LEN];
		time_format_iso(r->created_ms, when);
		strbuf_t line; /* the author and uri as the post gave them: escaped */
		strbuf_init(&line, 128);
		strbuf_addf(&line, "%s\t%s\t", run->chat, when);
		term_add_text(&line, r->author ? r->author : "", true);
		strbuf_addch(&line, '\t');
		term_add_text(&line, r->uri, true);
		puts(line.buf);
		strbuf_release(&line);
	}
	return CHATARC_OK;
}

/* The site's pages again, and each digest it has, from the archive as it
 * is now. */
static CHATARC_MUST_CHECK chatarc_status_t republish(struct forget_run *run,
                                                     const chatarc_config_t *config, long *pages,
                                                     chatarc_error_t *err)
{
	publish_options_t options = {.data_dir = run->ctx->data_dir,
	                             .share_dir = run->ctx->share_dir,
	                             .out_dir = run->site,
	                             .now_ms = publish_now_ms()};
	publisher_t *pub;
	publish_stats_t stats = {0};
	chatarc_status_t status = publisher_open(&options, &pub, err);
	if (status != CHATARC_OK)
		return status;
	status = publish_refresh_digests(pub, config, &stats, err);
	if (status == CHATARC_OK)
		status = publish_site(pub, config, &stats, err);
	*pages = stats.pages_written;
	publisher_close(pub);
	return status;
}

static CHATARC_MUST_CHECK chatarc_status_t remove_from_chat(struct forget_run *run,
                                                            const char *chat,
                                                            const strlist_t *names,
                                                            chatarc_error_t *err)
{
	chatarc_archive_t *archive;
	archive_options_t options = {.wait_for_lock = true};
	strlist_t removed = {0};
	chatarc_status_t status = archive_open(run->ctx->data_dir, chat, &options, &archive, err);
	if (status != CHATARC_OK)
		return status;
	status = archive_forget(archive, names, &removed, err);
	archive_close(archive);
	strlist_clear(&removed);
	return status;
}

/* The chat's boost events by a forgotten account, or of a forgotten
 * message or account's messages (forgotten_matches), wherever they are:
 * an account that only boosted has no message to find it by. */
static CHATARC_MUST_CHECK chatarc_status_t remove_boosts(struct forget_run *run, const char *chat,
                                                         const strlist_t *names,
                                                         chatarc_error_t *err)
{
	char *name = archive_boosts_name(chat);
	strbuf_t dir;
	strbuf_init(&dir, 0);
	strbuf_addf(&dir, "%s/archive/%s", run->ctx->data_dir, name);
	strlist_t removed = {0};
	chatarc_status_t status = CHATARC_OK;
	if (fs_exists(dir.buf)) {
		chatarc_archive_t *archive;
		archive_options_t options = {.wait_for_lock = true};
		status = archive_open(run->ctx->data_dir, name, &options, &archive, err);
		if (status == CHATARC_OK) {
			status = archive_forget(archive, names, &removed, err);
			archive_close(archive);
		}
	}
	run->boosts_removed += removed.len;
	strlist_clear(&removed);
	strbuf_release(&dir);
	free(name);
	return status;
}

/* An account named as a person knows it (a handle) stands for the stable
 * identity its posts carry (record_author_identity): each identity found
 * on the account's archived posts is forgotten with it, so the same
 * person under a new handle stays forgotten. */
struct identities {
	const strlist_t *accounts; /* the accounts named, without '@' */
	strlist_t *names;          /* gains each identity */
};

static CHATARC_MUST_CHECK chatarc_status_t note_identity(void *ctx, const chatarc_record_t *r,
                                                         chatarc_error_t *err)
{
	struct identities *ids = ctx;
	(void)err;
	const char *author = r->author ? r->author : "";
	for (size_t i = 0; i < ids->accounts->len; i++) {
		if (strcasecmp(author, ids->accounts->items[i]))
			continue;
		strbuf_t identity;
		strbuf_init(&identity, 64);
		if (record_author_identity(r, &identity))
			forgotten_add_identity(ids->names, identity.buf);
		strbuf_release(&identity);
		break;
	}
	return CHATARC_OK;
}

static CHATARC_MUST_CHECK chatarc_status_t resolve_identities(struct forget_run *run,
                                                              const chatarc_config_t *config,
                                                              strlist_t *names,
                                                              chatarc_error_t *err)
{
	strlist_t accounts = {0};
	for (size_t i = 0; i < names->len; i++)
		if (forgotten_name_is_account(names->items[i]))
			strlist_add(&accounts, names->items[i] + (names->items[i][0] == '@'));
	struct identities ids = {.accounts = &accounts, .names = names};
	chatarc_status_t status = CHATARC_OK;
	for (size_t c = 0; accounts.len && status == CHATARC_OK && c < config->n_chats; c++)
		status = archive_for_each(run->ctx->data_dir, config->chats[c].name, INT64_MIN,
		                          INT64_MAX, note_identity, &ids, err);
	strlist_clear(&accounts);
	return status;
}

static CHATARC_MUST_CHECK chatarc_status_t forget(struct forget_run *run,
                                                  const chatarc_config_t *config, strlist_t *names,
                                                  chatarc_error_t *err)
{
	strlist_t chats = {0};
	size_t given = names->len;
	chatarc_status_t status = resolve_identities(run, config, names, err);
	if (status == CHATARC_OK)
		status = forgotten_add(run->list, names, err);
	if (status == CHATARC_OK && !run->dry_run)
		status = forgotten_save(run->list, err);
	for (size_t c = 0; status == CHATARC_OK && c < config->n_chats; c++) {
		run->chat = config->chats[c].name;
		if (run->chat_only && strcmp(run->chat, run->chat_only))
			continue;
		run->found_in_chat = 0;
		status = archive_for_each(run->ctx->data_dir, run->chat, INT64_MIN, INT64_MAX,
		                          note_match, run, err);
		if (run->found_in_chat)
			strlist_add(&chats, run->chat);
	}
	if (status != CHATARC_OK || run->dry_run) {
		if (status == CHATARC_OK)
			printf("would forget %zu %s in %zu %s\n", run->uris.len,
			       plural((long long)run->uris.len, "message", "messages"), chats.len,
			       plural((long long)chats.len, "chat", "chats"));
		strlist_clear(&chats);
		return status;
	}
	if (run->uris.len)
		status = index_remove(run->ctx->data_dir, &run->uris, err);
	for (size_t c = 0; status == CHATARC_OK && c < chats.len; c++)
		status = remove_from_chat(run, chats.items[c], names, err);
	for (size_t c = 0; status == CHATARC_OK && c < config->n_chats; c++)
		if (!run->chat_only || !strcmp(config->chats[c].name, run->chat_only))
			status = remove_boosts(run, config->chats[c].name, names, err);
	long pages = 0;
	index_stats_t index_stats = {0};
	char *index = index_path(run->ctx->data_dir);
	if (status == CHATARC_OK && run->uris.len && fs_exists(index))
		status =
		    index_update(run->ctx->data_dir, config, false, NULL, NULL, &index_stats, err);
	index_stats_release(&index_stats);
	free(index);
	strbuf_t site_index;
	strbuf_init(&site_index, 0);
	strbuf_addf(&site_index, "%s/index.html", run->site);
	if (status == CHATARC_OK && run->uris.len && fs_exists(site_index.buf))
		status = republish(run, config, &pages, err);
	strbuf_release(&site_index);
	if (status == CHATARC_OK && run->boosts_removed)
		printf("forgot %zu boost %s by or of them\n", run->boosts_removed,
		       plural((long long)run->boosts_removed, "event", "events"));
	if (status == CHATARC_OK)
		printf("forgot %zu %s in %zu %s (%ld %s rewritten); %zu %s kept as hashes in "
		       "%s/forgotten%s\n",
		       run->uris.len, plural((long long)run->uris.len, "message", "messages"),
		       chats.len, plural((long long)chats.len, "chat", "chats"), pages,
		       plural(pages, "page", "pages"), given,
		       plural((long long)given, "name", "names"), run->ctx->data_dir,
		       names->len > given ? ", with the accounts' identities" : "");
	strlist_clear(&chats);
	return status;
}

int cmd_forget(int argc, char **argv, cli_context_t *ctx)
{
	struct forget_run run = {.ctx = ctx};
	const char *file = NULL;
	bool help = false;
	const chatarc_option_t options[] = {
	    OPT_FLAG("dry-run", 'n', NULL, "list what would go; change nothing", &run.dry_run),
	    OPT_STRING("chat", 'c', "CHAT", "only this chat (default: every chat)", &run.chat_only),
	    OPT_STRING("file", 'f', "F", "read what to forget from F, one a line ('-': stdin)",
	               &file),
	    OPT_STRING("site", 0, "DIR", "the published site (default DIR/site)", &run.site),
	    OPT_END,
	};
	chatarc_error_t err;
	const chatarc_config_t *config;
	strlist_t names = {0};
	strbuf_t default_site;

	chatarc_status_t status = options_parse(options, &forget_help, &argc, argv, &help, &err);
	if (status != CHATARC_OK || help)
		return cli_report("forget", status, &err);
	for (int i = 1; i < argc; i++)
		strlist_add(&names, argv[i]);
	if (file && (status = read_names(file, &names, &err)) != CHATARC_OK) {
		strlist_clear(&names);
		return cli_report("forget", status, &err);
	}
	if (!names.len) {
		strlist_clear(&names);
		return options_usage_error(
		    "forget", &forget_help,
		    "name what to forget (a uri, a url or an account), or give --file");
	}
	config = cli_config(ctx, &err);
	status = config ? CHATARC_OK : ctx->config_status;
	if (status == CHATARC_OK && run.chat_only && !config_find_chat(config, run.chat_only))
		status = chatarc_error_set(&err, CHATARC_ERR_USAGE,
		                           "no chat named '%s' in the config", run.chat_only);
	strbuf_init(&default_site, 0);
	strbuf_addf(&default_site, "%s/site", ctx->data_dir);
	if (!run.site)
		run.site = default_site.buf;
	if (status == CHATARC_OK)
		status = forgotten_load(ctx->data_dir, &run.list, &err);
	if (status == CHATARC_OK)
		status = forget(&run, config, &names, &err);
	forgotten_free(run.list);
	strlist_clear(&run.uris);
	strlist_clear(&names);
	strbuf_release(&default_site);
	return cli_report("forget", status, &err);
}
