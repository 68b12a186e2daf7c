#include "csvstream.h"

#include <stdlib.h>
#include <string.h>

#include "../common/alloc.h"

enum {
	FIELD_START,    /* at the start of a field */
	UNQUOTED,       /* inside a field that did not start with a quote */
	QUOTED,         /* inside quotes */
	QUOTE_IN_QUOTED /* a quote inside quotes: "" or the closing one */
};

void csvstream_init(csvstream_t *cs, csvstream_row_fn on_row, void *ctx)
{
	memset(cs, 0, sizeof *cs);
	cs->on_row = on_row;
	cs->ctx = ctx;
	cs->at_start = true;
	cs->line = 1;
	cs->row_line = 1;
	strbuf_init(&cs->row, 4096);
}

void csvstream_release(csvstream_t *cs)
{
	strbuf_release(&cs->row);
	free(cs->ends);
	cs->ends = NULL;
}

/* A byte of a cell. A raw NUL would cut the cell's text wherever it is
 * read: it becomes U+FFFD, as a JSON "\u0000" does (json-tree.c). */
static void add_cell_byte(csvstream_t *cs, char c)
{
	if (c)
		strbuf_addch(&cs->row, c);
	else
		strbuf_add(&cs->row, "\xEF\xBF\xBD", 3);
}

static void end_field(csvstream_t *cs)
{
	strbuf_addch(&cs->row, '\0');
	ALLOC_GROW(cs->ends, cs->n_fields + 1, cs->cap_fields);
	cs->ends[cs->n_fields++] = cs->row.len;
}

static CHATARC_MUST_CHECK chatarc_status_t end_row(csvstream_t *cs, chatarc_error_t *err)
{
	end_field(cs);
	chatarc_status_t status = CHATARC_OK;
	/* A blank line is no row (spreadsheets leave them between blocks). */
	if (!(cs->n_fields == 1 && cs->ends[0] == 1)) {
		char *stack_fields[64];
		char **fields =
		    cs->n_fields <= 64 ? stack_fields : xmalloc(cs->n_fields * sizeof *fields);
		for (size_t i = 0; i < cs->n_fields; i++)
			fields[i] = cs->row.buf + (i ? cs->ends[i - 1] : 0);
		cs->rows++;
		status = cs->on_row(cs->ctx, fields, cs->n_fields, cs->row_line, cs->line, err);
		if (fields != stack_fields)
			free(fields);
	}
	strbuf_reset(&cs->row);
	cs->n_fields = 0;
	cs->state = FIELD_START;
	return status;
}

chatarc_status_t csvstream_feed(csvstream_t *cs, const char *data, size_t len, chatarc_error_t *err)
{
	static const char bom[] = "\xEF\xBB\xBF";
	size_t i = 0;

	while (cs->at_start && i < len) {
		if ((unsigned char)data[i] != (unsigned char)bom[cs->bom_seen]) {
			if (cs->bom_seen) { /* not a BOM after all: keep what was taken */
				strbuf_add(&cs->row, bom, cs->bom_seen);
				cs->state = UNQUOTED;
			}
			cs->at_start = false;
			break;
		}
		i++;
		if (++cs->bom_seen == 3)
			cs->at_start = false;
	}
	for (; i < len; i++) {
		char c = data[i];
		/* The LF of a CRLF: the CR already ended the line. */
		bool lf_of_crlf = c == '\n' && cs->after_cr;
		cs->after_cr = c == '\r';
		if (cs->state == QUOTED) {
			if (c == '"') {
				cs->state = QUOTE_IN_QUOTED;
				continue;
			}
			/* A field spanning lines: count them, keep the bytes. */
			if ((c == '\n' && !lf_of_crlf) || c == '\r')
				cs->line++;
			add_cell_byte(cs, c);
			continue;
		}
		if (cs->state == QUOTE_IN_QUOTED) {
			if (c == '"') {
				strbuf_addch(&cs->row, '"');
				cs->state = QUOTED;
				continue;
			}
			cs->state = UNQUOTED; /* closed; what follows before a comma is kept */
		}
		if (lf_of_crlf)
			continue;
		if (c == ',') {
			end_field(cs);
			cs->state = FIELD_START;
		} else if (c == '\n' || c == '\r') {
			chatarc_status_t status = end_row(cs, err);
			if (status != CHATARC_OK)
				return status;
			cs->line++;
			cs->row_line = cs->line;
		} else if (c == '"' && cs->state == FIELD_START) {
			cs->state = QUOTED;
		} else {
			add_cell_byte(cs, c);
			cs->state = UNQUOTED;
		}
	}
	return CHATARC_OK;
}

chatarc_status_t csvstream_finish(csvstream_t *cs, chatarc_error_t *err)
{
	if (cs->state == QUOTED) {
		cs->line = cs->row_line;
		return chatarc_error_set(err, CHATARC_ERR_FORMAT,
		                         "a quoted field opened on this line never closes: the "
		                         "file is cut short or a quote is missing");
	}
	if (cs->row.len > 0 || cs->n_fields > 0) {
		chatarc_status_t status = end_row(cs, err);
		if (status != CHATARC_OK)
			return status;
	}
	if (cs->rows == 0)
		return chatarc_error_set(err, CHATARC_ERR_FORMAT, "no rows in it");
	return CHATARC_OK;
}
