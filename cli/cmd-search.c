/* `chatarc search QUERY...`: the index, read as researchers need it. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/alloc.h"
#include "../common/fsutil.h"
#include "../common/json.h"
#include "../common/options.h"
#include "../common/sprinter.h"
#include "../common/terminal.h"
#include "../common/tzfile.h"
#include "../index/index.h"
#include "../index/query.h"
#include "../index/xapian-shim.h"
#include "cli.h"

static const command_help_t search_help = {
    "chatarc search [--format text|json|csv|csv-raw] [--limit N] [--offset N]\n"
    "               [--sort relevance|date|-date] [--count] QUERY...",
    "Searches the index (build it with `chatarc index`). QUERY: words (stemmed in\n"
    "each post's language: policy finds policies, Universität Universitäten;\n"
    "words alone are ANDed), \"phrases\", a NEAR/3 b, a ADJ/2 b, AND, OR, XOR,\n"
    "NOT, brackets, +word (must), -word (must not), chatg* (words that start\n"
    "so), * (every message), and the fields below; Twitter's forms too (#tag,\n"
    "@account, since:, until:, filter:replies). What cannot be read as typed (a\n"
    "lower-case or, an unknown field, a field with no value) is said on stderr,\n"
    "and the rest is searched; unbalanced brackets or quotes exit 2.\n"
    "text: a line per hit: time in the chat's zone with its UTC offset, chat,\n"
    "author, text, link; then how many were not shown. json: one record a line\n"
    "with its score. csv: a header row, RFC 4180, score last; a text cell a\n"
    "spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a\n"
    "leading ' inside its quotes. csv-raw: every cell as it is."};

/* The fields, from the query language's one table (index/query.c). */
static void print_fields(void)
{
	fputs("\nfields:\n", stdout);
	for (const query_field_t *f = query_fields; f->name; f++) {
		printf("  %s", f->help);
		for (int a = 0; a < 3 && f->aliases[a]; a++)
			printf("%s%s:", a ? ", " : "; also ", f->aliases[a]);
		putchar('\n');
	}
}

enum search_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_CSV, FORMAT_CSV_RAW };

struct search_output {
	enum search_format format;
	const chatarc_config_t *config;
	tz_zone_t **zones; /* each configured chat's zone, read on its first hit */
	strbuf_t line;
	chatarc_record_t record; /* the hit being marked */
	strbuf_t shown;          /* its text as the terminal may see it */
	size_t shown_hits;       /* hits printed */
	bool header_pending;     /* CSV: the header, once the query was read */
};

static void print_header(struct search_output *out)
{
	static const char *const score_column[] = {"score", NULL};
	strbuf_t header;
	strbuf_init(&header, 512);
	record_csv_header(&header, score_column);
	fwrite(header.buf, 1, header.len, stdout);
	strbuf_release(&header);
	out->header_pending = false;
}

/* Seconds east of UTC in the hit's chat's zone at ms (UTC for a chat not
 * in the config). The process's TZ is never touched. */
static long chat_offset(struct search_output *out, const char *chat, chatarc_ms_t ms)
{
	const chatarc_chat_t *c = chat ? config_find_chat(out->config, chat) : NULL;
	return config_chat_offset(out->config, out->zones, c, ms);
}

/* Xapian's snippets are HTML-escaped; a terminal wants the text itself. */
static void add_html_unescaped(strbuf_t *out, const char *html)
{
	static const struct {
		const char *entity, *text;
	} entities[] = {{"&amp;", "&"},   {"&lt;", "<"},  {"&gt;", ">"},
	                {"&quot;", "\""}, {"&#39;", "'"}, {"&#x27;", "'"}};
	for (const char *p = html; *p;) {
		size_t k = 0, n = sizeof entities / sizeof *entities;
		if (*p == '&')
			while (k < n && strncmp(p, entities[k].entity, strlen(entities[k].entity)))
				k++;
		if (*p == '&' && k < n) {
			strbuf_addstr(out, entities[k].text);
			p += strlen(entities[k].entity);
		} else {
			strbuf_addch(out, *p++);
		}
	}
}

/* The text of a hit, for marking (kept until the next call). */
static const char *hit_text(void *ctx, const char *data)
{
	struct search_output *out = ctx;
	record_clear(&out->record);
	strbuf_reset(&out->shown);
	if (record_from_json(data, &out->record, NULL) == CHATARC_OK)
		term_add_text(&out->shown, out->record.text ? out->record.text : "", true);
	return out->shown.buf;
}

static CHATARC_MUST_CHECK chatarc_status_t print_hit(void *ctx, const xdb_hit_t *hit,
                                                     chatarc_error_t *err)
{
	struct search_output *out = ctx;
	const char *data = hit->data, *marked_text = hit->marked_text;
	double score = hit->score;
	chatarc_record_t r;

	if (out->header_pending)
		print_header(out);
	strbuf_reset(&out->line);
	if (out->format == FORMAT_JSON) {
		/* The record as export writes it (raw is not in the index:
		 * data is record_to_json's object), and its score. */
		struct sprinter_json json;
		sprinter_json_init(&json, &out->line);
		json.sp.begin_object(&json.sp, "hit");
		sprinter_json_members(&json, data);
		json.sp.number(&json.sp, "score", score);
		json.sp.end_object(&json.sp);
		strbuf_addch(&out->line, '\n');
		fwrite(out->line.buf, 1, out->line.len, stdout);
		out->shown_hits++;
		return CHATARC_OK;
	}
	chatarc_status_t status = record_from_json(data, &r, err);
	if (status != CHATARC_OK)
		return status;
	if (out->format != FORMAT_TEXT) {
		struct sprinter_csv csv;
		sprinter_csv_init(&csv, &out->line);
		csv.raw = out->format == FORMAT_CSV_RAW;
		csv.sp.begin_object(&csv.sp, "hit");
		record_write_fields(&csv.sp, &r);
		csv.sp.number(&csv.sp, "score", score);
		csv.sp.end_object(&csv.sp);
		sprinter_csv_release(&csv);
	} else {
		/* A line a hit: local time with its offset from UTC, chat,
		 * author, [the warning], text, then the post's link. */
		char local[CHATARC_TIME_ISO_LEN];
		long offset = chat_offset(out, r.chat, r.created_ms);
		time_format_iso(r.created_ms + offset * 1000, local);
		local[10] = ' ';
		local[16] = '\0';
		strbuf_addf(&out->line, "%s %c%02ld:%02ld  ", local, offset < 0 ? '-' : '+',
		            labs(offset) / 3600, labs(offset) % 3600 / 60);
		term_add_text(&out->line, r.chat ? r.chat : "?", true);
		strbuf_addstr(&out->line, "  ");
		term_add_text(&out->line, r.author ? r.author : "?", true);
		strbuf_addstr(&out->line, "  ");
		if (r.content_warning && *r.content_warning) {
			strbuf_addstr(&out->line, "[CW: ");
			term_add_text(&out->line, r.content_warning, true);
			strbuf_addstr(&out->line, "] ");
		}
		/* Marked text was made from the escaped text (hit_text):
		 * only the marks are escape sequences. */
		if (marked_text)
			add_html_unescaped(&out->line, marked_text);
		else
			term_add_text(&out->line, r.text ? r.text : "", true);
		if (r.url && *r.url) {
			strbuf_addstr(&out->line, "  ");
			term_add_text(&out->line, r.url, true);
		}
		strbuf_addch(&out->line, '\n');
	}
	record_clear(&r);
	fwrite(out->line.buf, 1, out->line.len, stdout);
	out->shown_hits++;
	return CHATARC_OK;
}

int cmd_search(int argc, char **argv, cli_context_t *ctx)
{
	static const char *const formats[] = {"text", "json", "csv", "csv-raw", NULL};
	static const char *const sorts[] = {"relevance", "date", "-date", NULL};
	int format_index = 0, sort_index = 0;
	long limit = LONG_MIN, offset = 0; /* LONG_MIN: not given */
	bool count_only = false, help = false;
	const chatarc_option_t options[] = {
	    OPT_KEYWORD("format", 'f', "text|json|csv|csv-raw", "output format (default text)",
	                &format_index, formats),
	    OPT_INT("limit", 'n', "N", "at most N hits (default 20 for text, all otherwise)",
	            &limit),
	    OPT_INT("offset", 0, "N", "skip the first N hits", &offset),
	    OPT_KEYWORD("sort", 0, "ORDER", "relevance (default), date, or -date", &sort_index,
	                sorts),
	    OPT_FLAG("count", 'c', NULL, "print only the number of matches", &count_only),
	    OPT_END_DASHED_WORDS,
	};
	chatarc_error_t err;
	static const chatarc_config_t no_config; /* no config: times in UTC */
	const chatarc_config_t *config;
	xdb_t *db;

	chatarc_status_t status = options_parse(options, &search_help, &argc, argv, &help, &err);
	if (status == CHATARC_OK && help)
		print_fields();
	if (status != CHATARC_OK || help)
		return cli_report("search", status, &err);
	static const xdb_sort_t sort_of[] = {XDB_SORT_RELEVANCE, XDB_SORT_DATE, XDB_SORT_DATE_DESC};
	xdb_sort_t sort = sort_of[sort_index];
	if (argc < 2 || offset < 0 || (limit < 0 && limit != LONG_MIN))
		return options_usage_error("search", &search_help,
		                           argc < 2     ? "give a QUERY"
		                           : offset < 0 ? "--offset must not be negative"
		                                        : "--limit must not be negative");
	strbuf_t query;
	strbuf_init(&query, 0);
	for (int i = 1; i < argc; i++)
		strbuf_addf(&query, "%s%s", i > 1 ? " " : "", argv[i]);

	if (!(config = cli_config(ctx, &err)))
		config = &no_config;
	/* A stale index answers too, but says so (on stderr: the output stays
	 * clean for scripts). */
	size_t stale;
	status = index_open_for_search(ctx->data_dir, config, &db, &stale, &err);
	if (status != CHATARC_OK) {
		strbuf_release(&query);
		return cli_report("search", status, &err);
	}
	if (stale)
		fprintf(stderr,
		        "chatarc: search: warning: %zu day %s of the archive changed since the "
		        "index last read %s; results may be incomplete: run `chatarc --data %s "
		        "index`\n",
		        stale, plural((long long)stale, "file", "files"),
		        plural((long long)stale, "it", "them"), ctx->data_dir);
	struct search_output out = {.format = (enum search_format)format_index,
	                            .config = config,
	                            .zones = xcalloc(config->n_chats, sizeof *out.zones)};
	strbuf_init(&out.line, 1024);
	out.header_pending =
	    (out.format == FORMAT_CSV || out.format == FORMAT_CSV_RAW) && !count_only;
	size_t total = 0;
	size_t want = count_only                  ? 0
	              : limit >= 0                ? (size_t)limit
	              : out.format == FORMAT_TEXT ? 20
	                                          : (size_t)-1 / 2;
	/* On a terminal, text output shows the matched terms in bold. */
	const xdb_marks_t bold = {"\033[1m", "\033[0m", hit_text};
	bool mark = out.format == FORMAT_TEXT && ctx->stdout_tty;
	record_init(&out.record);
	strbuf_init(&out.shown, 256);
	/* Text, for a person, says how many there are when not all are
	 * shown; the machine formats print exactly what was asked. What was
	 * read otherwise than typed is said on stderr, and the rest searched. */
	bool tell_total = count_only || out.format == FORMAT_TEXT;
	const index_search_t how = {
	    .sort = sort, .offset = (size_t)offset, .limit = want, .marks = mark ? &bold : NULL};
	strlist_t warnings = {0};
	status = index_search(db, config, query.buf, &how, print_hit, &out,
	                      tell_total ? &total : NULL, &warnings, &err);
	for (size_t i = 0; i < warnings.len; i++)
		term_say("search: note", warnings.items[i]);
	strlist_clear(&warnings);
	strbuf_release(&query);
	record_clear(&out.record);
	strbuf_release(&out.shown);
	if (status == CHATARC_OK && out.header_pending)
		print_header(&out);
	if (status == CHATARC_OK && count_only)
		printf("%zu\n", total);
	else if (status == CHATARC_OK && out.format == FORMAT_TEXT && out.shown_hits < total)
		printf("%zu of %zu shown; --limit / --offset for more\n", out.shown_hits, total);
	xdb_close(db);
	for (size_t i = 0; i < config->n_chats; i++)
		tz_zone_free(out.zones[i]);
	free(out.zones);
	strbuf_release(&out.line);
	return cli_report("search", status, &err);
}
