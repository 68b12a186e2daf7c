/* Tweets kept as spreadsheets: the CSV dialects of the tools that archived a
 * decade of chats, each recognised by its header row (chatarc-import(1), "CSV
 * archives"). A dialect is a table from what a record needs to the
 * column(s) that hold it; a row is read through that table.
 *
 * What spreadsheets do to such files, and what is done about it:
 * - an id rounded to 15 significant digits (583115456392757000) or shown
 *   as 5.83115E+17: the true id is taken from the row's status URL; a row
 *   with neither is refused, naming its line;
 * - a banner line above the header, the header repeated further down:
 *   rows before the header are skipped, a repeated header is skipped;
 * - fields spanning lines: csvstream reads them;
 * - a column twice (Archiver's Location, twarc's user_screen_name): the
 *   first is read;
 * - times in the sheet's own zone (Archiver, Topsy): the time is taken from
 *   the id (a snowflake, exact to the millisecond) where it has one, else
 *   from the local time in the chat's time zone. */
#include "twitter-csv.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/alloc.h"
#include "../common/json.h"
#include "../common/tzfile.h"

/* What a record is read from. */
enum column {
	COL_ID,
	COL_STATUS_URL, /* a URL holding /status/ID: the true id */
	COL_AUTHOR,
	COL_AUTHOR_NAME,
	COL_TEXT,
	COL_CREATED,  /* UTC: Twitter's format or ISO 8601 */
	COL_LOCAL,    /* the sheet's local date [and time] */
	COL_REPLY_ID, /* the parent's id */
	COL_REPLY_TO, /* the account replied to */
	COL_RETWEET,  /* non-empty: the row is a retweet (its original's id) */
	COL_TYPE,     /* twarc's tweet_type: original, reply, quote, retweet */
	COL_TAGS,     /* as the dialect lists them (list_style) */
	COL_MENTIONS,
	COL_LINKS,
	COL_ENTITIES, /* TAGS's entities_str: v1.1 entities as JSON */
	COL_LIKES,
	COL_REPOSTS,
	COL_REPLIES,
	COL_LANG,
	COL_FOLLOWERS, /* the author's */
	COL_QUOTED,    /* the quoted tweet's id (twarc: where tweet_type is quote) */
	COL_ROOT,      /* the thread's first tweet's id (conversation_id) */
	COL_MEDIA,     /* media URLs, space-separated: one per attachment */
	N_COLUMNS
};

enum list_style {
	LIST_SPACES, /* "a b c" (twarc v1, Archiver's Link(s)) */
	LIST_TILDES, /* "a~b~c" (Topsy) */
	LIST_JSON,   /* [{"tag": "a"}, ...] (twarc-csv) */
};

struct dialect {
	const char *name;
	/* Every one of these headers must be there (the first names the id). */
	const char *detect[4];
	const char *columns[N_COLUMNS];
	enum list_style lists;
	const char *const *list_keys[3]; /* LIST_JSON: keys for tags, mentions, links */
	bool author_has_at;              /* "@name" */
};

static const char *const v2_tag_keys[] = {"tag", NULL};
static const char *const v2_mention_keys[] = {"username", NULL};
static const char *const v2_link_keys[] = {"unwound_url", "expanded_url", "url", NULL};

static const struct dialect dialects[] = {
    {"TAGS (Google Sheets)",
     {"id_str", "from_user", "text", "created_at"},
     {[COL_ID] = "id_str",
      [COL_STATUS_URL] = "status_url",
      [COL_AUTHOR] = "from_user",
      [COL_TEXT] = "text",
      [COL_CREATED] = "created_at",
      [COL_LOCAL] = "time",
      [COL_REPLY_ID] = "in_reply_to_status_id_str",
      [COL_REPLY_TO] = "in_reply_to_screen_name",
      [COL_ENTITIES] = "entities_str",
      [COL_FOLLOWERS] = "user_followers_count"},
     LIST_SPACES,
     {NULL},
     false},
    {"twarc json2csv (2015)",
     {"id", "reweet_id", "tweet_url", "text"},
     {[COL_ID] = "id",
      [COL_STATUS_URL] = "tweet_url",
      [COL_AUTHOR] = "user_screen_name",
      [COL_AUTHOR_NAME] = "user_name",
      [COL_TEXT] = "text",
      [COL_CREATED] = "created_at",
      [COL_REPLY_ID] = "in_reply_to_status_id",
      [COL_REPLY_TO] = "in_reply_to_screen_name",
      [COL_RETWEET] = "reweet_id",
      [COL_TAGS] = "hashtags",
      [COL_LINKS] = "urls",
      [COL_LIKES] = "favorite_count",
      [COL_REPOSTS] = "retweet_count",
      [COL_LANG] = "lang",
      [COL_FOLLOWERS] = "user_followers_count",
      [COL_MEDIA] = "media"},
     LIST_SPACES,
     {NULL},
     false},
    {"twarc json2csv",
     {"id", "tweet_type", "tweet_url", "text"},
     {[COL_ID] = "id",
      [COL_STATUS_URL] = "tweet_url",
      [COL_AUTHOR] = "user_screen_name",
      [COL_AUTHOR_NAME] = "user_name",
      [COL_TEXT] = "text",
      [COL_CREATED] = "created_at",
      [COL_REPLY_ID] = "in_reply_to_status_id",
      [COL_REPLY_TO] = "in_reply_to_screen_name",
      [COL_TYPE] = "tweet_type",
      [COL_TAGS] = "hashtags",
      [COL_LINKS] = "urls",
      [COL_LIKES] = "favorite_count",
      [COL_REPOSTS] = "retweet_count",
      [COL_LANG] = "lang",
      [COL_FOLLOWERS] = "user_followers_count",
      [COL_QUOTED] = "retweet_or_quote_id",
      [COL_MEDIA] = "media"},
     LIST_SPACES,
     {NULL},
     false},
    {"twarc-csv (API v2)",
     {"id", "author.username", "referenced_tweets.replied_to.id", "text"},
     {[COL_ID] = "id",
      [COL_AUTHOR] = "author.username",
      [COL_AUTHOR_NAME] = "author.name",
      [COL_TEXT] = "text",
      [COL_CREATED] = "created_at",
      [COL_REPLY_ID] = "referenced_tweets.replied_to.id",
      [COL_REPLY_TO] = "in_reply_to_username",
      [COL_RETWEET] = "referenced_tweets.retweeted.id",
      [COL_TAGS] = "entities.hashtags",
      [COL_MENTIONS] = "entities.mentions",
      [COL_LINKS] = "entities.urls",
      [COL_LIKES] = "public_metrics.like_count",
      [COL_REPOSTS] = "public_metrics.retweet_count",
      [COL_REPLIES] = "public_metrics.reply_count",
      [COL_LANG] = "lang",
      [COL_FOLLOWERS] = "author.public_metrics.followers_count",
      [COL_QUOTED] = "referenced_tweets.quoted.id",
      [COL_ROOT] = "conversation_id",
      [COL_MEDIA] = "attachments.media_keys"},
     LIST_JSON,
     {v2_tag_keys, v2_mention_keys, v2_link_keys},
     false},
    {"Twitter Archiver (Google Sheets)",
     {"Tweet ID", "Screen Name", "Tweet Text", "Date"},
     {[COL_ID] = "Tweet ID",
      [COL_AUTHOR] = "Screen Name",
      [COL_AUTHOR_NAME] = "Full Name",
      [COL_TEXT] = "Tweet Text",
      [COL_LOCAL] = "Date",
      [COL_LINKS] = "Link(s)",
      [COL_LIKES] = "Favorites",
      [COL_REPOSTS] = "Retweets",
      [COL_FOLLOWERS] = "Followers",
      [COL_MEDIA] = "Media"},
     LIST_SPACES,
     {NULL},
     true},
    {"Topsy",
     {"id", "content", "trackback_author_nick", "firstpost_date"},
     {[COL_ID] = "id",
      [COL_STATUS_URL] = "trackback_permalink",
      [COL_AUTHOR] = "trackback_author_nick",
      [COL_TEXT] = "content",
      [COL_LOCAL] = "firstpost_date",
      [COL_TAGS] = "hashtags",
      [COL_MENTIONS] = "user_mentions",
      [COL_REPOSTS] = "retweet_count",
      [COL_LANG] = "lang",
      [COL_FOLLOWERS] = "followers_count"},
     LIST_TILDES,
     {NULL},
     false},
};

struct tweet_csv {
	const struct dialect *dialect;
	const char *zone_name;
	tz_zone_t *zone; /* loaded when a row first needs its local time */
	char **header;   /* the header row's names, to write raw and spot repeats */
	size_t n_header;
	int column[N_COLUMNS]; /* index into a row, -1 if the dialect or file lacks it */
	long rows_before_header;
	long ids_seen, ids_rounded_tail; /* ids read, and those ending as rounded */
};

tweet_csv_t *tweet_csv_new(const char *zone_name)
{
	tweet_csv_t *t = xcalloc(1, sizeof *t);
	t->zone_name = zone_name ? zone_name : "UTC";
	return t;
}

void tweet_csv_free(tweet_csv_t *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_header; i++)
		free(t->header[i]);
	free(t->header);
	if (t->zone)
		tz_zone_free(t->zone);
	free(t);
}

const char *tweet_csv_dialect(const tweet_csv_t *t)
{
	return t->dialect ? t->dialect->name : NULL;
}

static int find_column(char **fields, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(fields[i], name))
			return (int)i;
	return -1;
}

/* A row of header names: the dialect whose every detecting name is there. */
static bool take_header(tweet_csv_t *t, char **fields, size_t n)
{
	for (size_t d = 0; d < sizeof dialects / sizeof *dialects; d++) {
		const struct dialect *dialect = &dialects[d];
		bool all = true;
		for (size_t k = 0; k < 4 && dialect->detect[k] && all; k++)
			all = find_column(fields, n, dialect->detect[k]) >= 0;
		if (!all)
			continue;
		t->dialect = dialect;
		for (int c = 0; c < N_COLUMNS; c++)
			t->column[c] =
			    dialect->columns[c] ? find_column(fields, n, dialect->columns[c]) : -1;
		t->header = xcalloc(n, sizeof *t->header);
		t->n_header = n;
		for (size_t i = 0; i < n; i++)
			t->header[i] = xstrdup(fields[i]);
		return true;
	}
	return false;
}

static bool is_header_again(const tweet_csv_t *t, char **fields, size_t n)
{
	size_t same = 0;
	for (size_t i = 0; i < n && i < t->n_header; i++)
		same += !strcmp(fields[i], t->header[i]);
	return same >= 3 && same * 2 > t->n_header;
}

static const char *field(const tweet_csv_t *t, char **fields, size_t n, enum column c)
{
	int i = t->column[c];
	if (i < 0 || (size_t)i >= n)
		return "";
	return fields[i];
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* An id as a spreadsheet shows a number too long for it: 5.83115E+17. */
static bool id_in_exponent_form(const char *id)
{
	return strchr(id, 'E') || strchr(id, 'e') || strchr(id, '.');
}

/* An id of 17 digits or more whose digits past the 15th are all zeros: what
 * a spreadsheet leaves of one (583115456392757000). A true id ends so once
 * in a thousand or ten thousand; a rounded file has every id so. */
static bool id_has_rounded_tail(const char *id)
{
	size_t len = strlen(id);
	if (len < 17)
		return false;
	for (size_t i = 15; i < len; i++)
		if (id[i] != '0')
			return false;
	return true;
}

/* An id in another column (the parent, the quoted tweet, the thread's
 * first) that can be trusted: digits, and not of a rounded tail in a file
 * whose ids are mostly rounded. */
static bool id_trusted(const tweet_csv_t *t, const char *id)
{
	return all_digits(id) &&
	       !(id_has_rounded_tail(id) && t->ids_rounded_tail * 2 > t->ids_seen);
}

/* "https://twitter.com/user/status/123?s=20" -> "123" into out. */
static bool id_from_status_url(const char *url, char *out, size_t size)
{
	const char *p = strstr(url, "/status/");
	size_t skip = 8;
	if (!p) {
		p = strstr(url, "/statuses/");
		skip = 10;
	}
	if (!p)
		return false;
	p += skip;
	size_t len = strspn(p, "0123456789");
	if (len == 0 || len >= size)
		return false;
	memcpy(out, p, len);
	out[len] = '\0';
	return true;
}

/* Archiver "3/3/2023 13:48:03" or "1/3/2020", Topsy "06/05/14", TAGS
 * "06/06/2014 01:17:48": month first, as the US sheets were. */
static bool parse_local(tweet_csv_t *t, const char *text, chatarc_ms_t *out,
                        chatarc_status_t *status, chatarc_error_t *err)
{
	int mon, day, year, hour = 0, min = 0, sec = 0, used = 0;
	if (sscanf(text, "%d/%d/%d%n", &mon, &day, &year, &used) != 3)
		return false;
	const char *rest = text + used;
	if (*rest && sscanf(rest, " %d:%d:%d", &hour, &min, &sec) < 2)
		return false;
	if (year < 100)
		year += 2000;
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
		return false;
	if (!t->zone && (*status = tz_zone_load(t->zone_name, &t->zone, err)) != CHATARC_OK)
		return false;
	chatarc_ms_t wall;
	char iso[40];
	snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02dZ", year, mon, day, hour, min, sec);
	if (!time_parse_iso8601(iso, &wall))
		return false;
	/* The offset at the wall time read as UTC, then again at the instant
	 * that gives: right except in the hour a clock change repeats. */
	long offset = tz_zone_offset(t->zone, wall);
	offset = tz_zone_offset(t->zone, wall - (chatarc_ms_t)offset * 1000);
	*out = wall - (chatarc_ms_t)offset * 1000;
	return true;
}

static void add_list(strlist_t *out, const char *value, enum list_style style,
                     const char *const *keys, bool tags, bool links)
{
	if (!*value)
		return;
	if (style == LIST_JSON) {
		yajl_val list;
		chatarc_error_t ignored;
		if (json_parse(value, &list, &ignored) != CHATARC_OK)
			return;
		for (size_t i = 0; i < json_array_len(list); i++) {
			const char *item = NULL;
			for (const char *const *key = keys; *key && !item; key++)
				item = json_get_string(json_array_at(list, i), *key);
			if (item && tags)
				posts_add_tag(out, item);
			else if (item)
				strlist_add_unique(out, item);
		}
		json_free(list);
		return;
	}
	/* Twitter Archiver writes several links to a cell a line each; a link
	 * may hold a comma, a tag or a mention not. */
	const char *separators = style == LIST_TILDES ? "~" : links ? " \t\r\n" : " ,\t\r\n";
	char *copy = xstrdup(value);
	for (char *save = NULL, *item = strtok_r(copy, separators, &save); item;
	     item = strtok_r(NULL, separators, &save)) {
		if (*item == '#' || *item == '@')
			item++;
		if (!*item)
			continue;
		if (tags)
			posts_add_tag(out, item);
		else
			strlist_add_unique(out, item);
	}
	free(copy);
}

/* Hashtags or mentions written in the text, for dialects without a column
 * of them: '#' or '@' after a non-word character, then word characters
 * (letters of any script for tags, as Twitter's, ASCII for accounts). */
static void scan_text(strlist_t *out, const char *text, char mark)
{
	for (const char *p = text; (p = strchr(p, mark)); p++) {
		if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_' || p[-1] == '&'))
			continue;
		const char *q = p + 1;
		while (*q == '_' || isalnum((unsigned char)*q) ||
		       (mark == '#' && (unsigned char)*q >= 0x80))
			q++;
		if (q == p + 1 || (mark == '@' && q - p - 1 > 15))
			continue;
		char *word = xstrndup(p + 1, (size_t)(q - p - 1));
		if (mark == '#')
			posts_add_tag(out, word);
		else
			strlist_add_unique(out, word);
		free(word);
	}
}

static long long count_of(const char *value)
{
	char *end;
	long long n = strtoll(value, &end, 10);
	return end != value && n > 0 ? n : 0;
}

/* The row as raw: {"header": "value", ...} for the columns that have one. */
static char *row_as_json(const tweet_csv_t *t, char **fields, size_t n)
{
	strbuf_t sb;
	strbuf_init(&sb, 1024);
	strbuf_addch(&sb, '{');
	bool first = true;
	for (size_t i = 0; i < n && i < t->n_header; i++) {
		if (!*fields[i] || !*t->header[i])
			continue;
		if (!first)
			strbuf_addch(&sb, ',');
		first = false;
		json_add_string(&sb, t->header[i]);
		strbuf_addch(&sb, ':');
		json_add_string(&sb, fields[i]);
	}
	strbuf_addch(&sb, '}');
	return strbuf_detach(&sb, NULL);
}

/* The alt text of media `key` in twarc-csv's attachments.media (the
 * expanded media objects, as JSON); "" when it is not there. */
static const char *alt_of(yajl_val expanded, const char *key)
{
	for (size_t i = 0; key && i < json_array_len(expanded); i++) {
		yajl_val m = json_array_at(expanded, i);
		const char *media_key = json_get_string(m, "media_key");
		if (media_key && !strcmp(media_key, key)) {
			const char *alt = json_get_string(m, "alt_text");
			return alt ? alt : "";
		}
	}
	return "";
}

/* One entry per attachment: twarc-csv's attachments.media_keys (alt texts
 * from attachments.media where it expands them); twarc's and Archiver's
 * media URLs, space-separated (a sheet keeps no alt text). */
static void add_media(const tweet_csv_t *t, chatarc_record_t *r, char **fields, size_t n)
{
	const char *value = field(t, fields, n, COL_MEDIA);
	if (t->dialect->lists == LIST_JSON) {
		int column = find_column(t->header, t->n_header, "attachments.media");
		yajl_val keys = NULL, expanded = NULL;
		chatarc_error_t ignored;
		if (!*value || json_parse(value, &keys, &ignored) != CHATARC_OK)
			return;
		if (column >= 0 && (size_t)column < n && *fields[column] &&
		    json_parse(fields[column], &expanded, &ignored) != CHATARC_OK)
			expanded = NULL;
		for (size_t i = 0; i < json_array_len(keys); i++) {
			yajl_val key = json_array_at(keys, i);
			strlist_add(&r->media_alt,
			            alt_of(expanded, YAJL_IS_STRING(key) ? key->u.string : NULL));
		}
		json_free(keys);
		if (expanded)
			json_free(expanded);
		return;
	}
	char *media = xstrdup(value);
	for (char *save = NULL, *item = strtok_r(media, " ", &save); item;
	     item = strtok_r(NULL, " ", &save))
		strlist_add(&r->media_alt, "");
	free(media);
}

/* Language, quoted tweet, thread root, media and followers, where the
 * dialect has them. */
static void add_details(const tweet_csv_t *t, chatarc_record_t *r, char **fields, size_t n)
{
	const char *lang = field(t, fields, n, COL_LANG);
	record_set(&r->lang, *lang ? lang : NULL);
	const char *quoted = field(t, fields, n, COL_QUOTED);
	/* twarc's retweet_or_quote_id is a quote's only where tweet_type says so. */
	if (t->column[COL_TYPE] >= 0 && strcmp(field(t, fields, n, COL_TYPE), "quote"))
		quoted = "";
	if (id_trusted(t, quoted))
		r->quote_of = twitter_status_url("i/web", quoted);
	const char *root = field(t, fields, n, COL_ROOT);
	if (id_trusted(t, root) && strcmp(root, r->native_id))
		r->thread_root = twitter_status_url("i/web", root);
	add_media(t, r, fields, n);
	const char *followers = field(t, fields, n, COL_FOLLOWERS);
	if (all_digits(followers))
		r->author_followers = count_of(followers);
}

/* A retweet by its column where the dialect has one, and by the one rule
 * for text (twitter_text_retweets) in every dialect: TAGS, Archiver and
 * Topsy keep a retweet as its "RT @user: ..." text only, and a sheet's
 * retweet column can be empty where the tweet was a manual retweet or a
 * spreadsheet lost the cell. Gives the original's id where a column
 * holds it ("" else). */
static bool is_retweet(const tweet_csv_t *t, char **fields, size_t n, const char *text,
                       const char **of_id)
{
	*of_id = "";
	if (t->column[COL_RETWEET] >= 0 && *field(t, fields, n, COL_RETWEET)) {
		*of_id = field(t, fields, n, COL_RETWEET);
		return true;
	}
	if (t->column[COL_TYPE] >= 0 && !strcmp(field(t, fields, n, COL_TYPE), "retweet")) {
		*of_id = field(t, fields, n, COL_QUOTED);
		return true;
	}
	return twitter_text_retweets(text, NULL, 0);
}

/* A retweet row as a boost event: who retweeted (the row's author, at its
 * time) which tweet (by the id column where one is trusted, by the "RT
 * @user" of the text). A row whose id or time cannot be read is counted
 * only: it was never a message, so it fails no import. */
static CHATARC_MUST_CHECK chatarc_status_t keep_retweet_row(post_converter_t *conv, tweet_csv_t *t,
                                                            char **fields, size_t n, const char *id,
                                                            const char *author,
                                                            const chatarc_record_t *row,
                                                            const char *of_id, chatarc_error_t *err)
{
	chatarc_record_t b;
	posts_boost_start(conv, &b, "twitter");
	if (id && *author) {
		char of_user[64] = "";
		twitter_set_identity(&b, id, author);
		record_set(&b.native_id, id);
		record_set(&b.author, author);
		record_set(&b.author_name, row->author_name);
		b.created_ms = row->created_ms;
		if (id_trusted(t, of_id))
			b.boost_of = twitter_status_url("i/web", of_id);
		twitter_text_retweets(field(t, fields, n, COL_TEXT), of_user, sizeof of_user);
		record_set(&b.boost_of_account, *of_user ? of_user : NULL);
	}
	return posts_emit_boost(conv, &b, err);
}

static CHATARC_MUST_CHECK chatarc_status_t convert_row(post_converter_t *conv, tweet_csv_t *t,
                                                       char **fields, size_t n,
                                                       chatarc_error_t *err)
{
	const struct dialect *d = t->dialect;
	const char *id = field(t, fields, n, COL_ID);
	const char *url = field(t, fields, n, COL_STATUS_URL);
	const char *text = field(t, fields, n, COL_TEXT);
	const char *author = field(t, fields, n, COL_AUTHOR);
	char true_id[32];

	t->ids_seen++;
	t->ids_rounded_tail += id_has_rounded_tail(id);
	const char *of_id;
	bool retweet = is_retweet(t, fields, n, text, &of_id);
	chatarc_record_t none;
	record_init(&none);
	/* The status URL's id is the true one; the id column may be rounded.
	 * Without a URL, an id with a rounded tail is taken as rounded only in
	 * a file where most ids so far have one (a true id ends in zeros once
	 * in thousands: a million-row export holds a hundred). */
	if (id_from_status_url(url, true_id, sizeof true_id)) {
		id = true_id;
	} else if (retweet && !all_digits(id)) {
		return keep_retweet_row(conv, t, fields, n, NULL, "", &none, of_id, err);
	} else if (id_in_exponent_form(id) ||
	           (id_has_rounded_tail(id) && t->ids_rounded_tail * 2 > t->ids_seen)) {
		if (retweet)
			return keep_retweet_row(conv, t, fields, n, NULL, "", &none, of_id, err);
		return chatarc_error_set(err, CHATARC_ERR_FORMAT,
		                         "tweet id %s was rounded by a spreadsheet and the row has "
		                         "no status URL to give the true one",
		                         id);
	} else if (!all_digits(id)) {
		return chatarc_error_set(err, CHATARC_ERR_FORMAT,
		                         "\"%s\" is not a tweet id (column \"%s\")", id,
		                         d->columns[COL_ID]);
	}
	if (d->author_has_at && *author == '@')
		author++;
	if (!*author && retweet)
		return keep_retweet_row(conv, t, fields, n, NULL, "", &none, of_id, err);
	if (!*author)
		return chatarc_error_set(err, CHATARC_ERR_FORMAT,
		                         "tweet %s has no author (column \"%s\")", id,
		                         d->columns[COL_AUTHOR]);

	chatarc_record_t r;
	record_init(&r);
	record_set(&r.network, "twitter");
	record_set(&r.source, conv->source);
	record_set(&r.chat, conv->chat);
	r.raw = row_as_json(t, fields, n);
	const char *created = field(t, fields, n, COL_CREATED);
	bool timed = *created && (time_parse_twitter(created, &r.created_ms) ||
	                          time_parse_iso8601(created, &r.created_ms));
	if (!timed)
		timed = time_from_snowflake(id, &r.created_ms);
	if (!timed && *field(t, fields, n, COL_LOCAL)) {
		chatarc_status_t zone_status = CHATARC_OK;
		timed = parse_local(t, field(t, fields, n, COL_LOCAL), &r.created_ms, &zone_status,
		                    err);
		if (zone_status != CHATARC_OK) {
			record_clear(&r);
			return zone_status;
		}
	}
	const char *name = field(t, fields, n, COL_AUTHOR_NAME);
	record_set(&r.author_name, *name ? name : NULL);
	if (retweet) {
		chatarc_status_t status =
		    keep_retweet_row(conv, t, fields, n, timed ? id : NULL, author, &r, of_id, err);
		record_clear(&r);
		return status;
	}
	if (!timed) {
		record_clear(&r);
		return chatarc_error_set(err, CHATARC_ERR_FORMAT,
		                         "tweet %s has no time that can be read (and its id is "
		                         "older than the ids that carry one)",
		                         id);
	}
	twitter_set_identity(&r, id, author);
	record_set(&r.native_id, id);
	record_set(&r.author, author);
	r.text = twitter_decode_entities(text);

	const char *reply_id = field(t, fields, n, COL_REPLY_ID);
	if (id_trusted(t, reply_id)) {
		r.reply_to = twitter_status_url("i/web", reply_id);
		record_set(&r.reply_to_id, reply_id);
		const char *to = field(t, fields, n, COL_REPLY_TO);
		record_set(&r.reply_to_account, *to ? to : NULL);
	}

	const char *entities_json = field(t, fields, n, COL_ENTITIES);
	yajl_val entities = NULL;
	chatarc_error_t ignored;
	if (*entities_json && json_parse(entities_json, &entities, &ignored) == CHATARC_OK) {
		static const char *const tag_key[] = {"text", NULL},
		                         *const mention_key[] = {"screen_name", NULL},
		                         *const url_key[] = {"expanded_url", NULL};
		twitter_add_entities(&r.tags, entities, "hashtags", tag_key, true);
		twitter_add_entities(&r.mentions, entities, "user_mentions", mention_key, false);
		twitter_add_entities(&r.links, entities, "urls", url_key, false);
		yajl_val media = json_get(entities, "media");
		for (size_t i = 0; i < json_array_len(media); i++) {
			const char *alt = json_get_string(json_array_at(media, i), "ext_alt_text");
			strlist_add(&r.media_alt, alt ? alt : "");
		}
		json_free(entities);
	} else {
		if (t->column[COL_TAGS] >= 0)
			add_list(&r.tags, field(t, fields, n, COL_TAGS), d->lists, d->list_keys[0],
			         true, false);
		else
			scan_text(&r.tags, r.text, '#');
		if (t->column[COL_MENTIONS] >= 0)
			add_list(&r.mentions, field(t, fields, n, COL_MENTIONS), d->lists,
			         d->list_keys[1], false, false);
		else
			scan_text(&r.mentions, r.text, '@');
		add_list(&r.links, field(t, fields, n, COL_LINKS),
		         d->lists == LIST_TILDES ? LIST_SPACES : d->lists, d->list_keys[2], false,
		         true);
	}
	add_details(t, &r, fields, n);
	r.likes = count_of(field(t, fields, n, COL_LIKES));
	r.reposts = count_of(field(t, fields, n, COL_REPOSTS));
	r.replies = count_of(field(t, fields, n, COL_REPLIES));
	return posts_emit(conv, &r, err);
}

/* Windows-1252, what Excel writes for "CSV" (not "CSV UTF-8"): 0x80-0x9F
 * are these characters, the rest of the upper half is Latin-1. */
static const unsigned short cp1252_80_9f[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

static char *from_cp1252(const char *s)
{
	strbuf_t out;
	strbuf_init(&out, strlen(s) * 2);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned c = *p < 0x80 ? *p : *p < 0xA0 ? cp1252_80_9f[*p - 0x80] : *p;
		if (c < 0x80) {
			strbuf_addch(&out, (char)c);
		} else if (c < 0x800) {
			strbuf_addch(&out, (char)(0xC0 | c >> 6));
			strbuf_addch(&out, (char)(0x80 | (c & 0x3F)));
		} else {
			strbuf_addch(&out, (char)(0xE0 | c >> 12));
			strbuf_addch(&out, (char)(0x80 | ((c >> 6) & 0x3F)));
			strbuf_addch(&out, (char)(0x80 | (c & 0x3F)));
		}
	}
	return strbuf_detach(&out, NULL);
}

static CHATARC_MUST_CHECK chatarc_status_t read_row(post_converter_t *conv, tweet_csv_t *t,
                                                    char **fields, size_t n, chatarc_error_t *err);

/* A sheet saved by Excel as plain "CSV" is Windows-1252, not UTF-8: a
 * field that is not UTF-8 is read as that (every byte is a character). */
chatarc_status_t tweet_csv_row(post_converter_t *conv, tweet_csv_t *t, char **fields, size_t n,
                               chatarc_error_t *err)
{
	size_t bad = 0;
	for (size_t i = 0; i < n; i++)
		bad += !utf8_valid(fields[i], strlen(fields[i]));
	if (!bad)
		return read_row(conv, t, fields, n, err);
	char **decoded = xcalloc(n, sizeof *decoded);
	char **row = xmalloc(n * sizeof *row);
	for (size_t i = 0; i < n; i++)
		row[i] = utf8_valid(fields[i], strlen(fields[i]))
		             ? fields[i]
		             : (decoded[i] = from_cp1252(fields[i]));
	chatarc_status_t status = read_row(conv, t, row, n, err);
	for (size_t i = 0; i < n; i++)
		free(decoded[i]);
	free(decoded);
	free(row);
	return status;
}

static CHATARC_MUST_CHECK chatarc_status_t read_row(post_converter_t *conv, tweet_csv_t *t,
                                                    char **fields, size_t n, chatarc_error_t *err)
{
	if (!t->dialect) {
		if (take_header(t, fields, n))
			return CHATARC_OK;
		/* A banner or a title line above the header. */
		if (++t->rows_before_header < 10)
			return CHATARC_OK;
		return chatarc_error_set(err, CHATARC_ERR_FORMAT, "%s", TWEET_CSV_NO_HEADER);
	}
	if (is_header_again(t, fields, n))
		return CHATARC_OK;
	return convert_row(conv, t, fields, n, err);
}
