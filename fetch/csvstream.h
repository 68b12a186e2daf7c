/* Splits a CSV byte stream (RFC 4180, as spreadsheets write it) into rows,
 * without holding the file: quoted fields may span lines and hold "" for a
 * quote; a quote inside an unquoted field is kept as a character, as
 * spreadsheets read it. Lines end in CRLF, LF or CR; a UTF-8 BOM is
 * skipped. */
#ifndef CHATARC_CSVSTREAM_H
#define CHATARC_CSVSTREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/status.h"
#include "../common/strbuf.h"

/* fields[0..n) are NUL-terminated and live until the callback returns;
 * line is the line the row starts on, last_line the one it ends on. */
typedef chatarc_status_t (*csvstream_row_fn)(void *ctx, char **fields, size_t n, long line,
                                             long last_line, chatarc_error_t *err);

typedef struct csvstream {
	csvstream_row_fn on_row;
	void *ctx;
	int state;
	bool at_start; /* nothing read yet: a BOM may come */
	bool after_cr; /* the last byte was a CR (a CRLF may be split) */
	size_t bom_seen;
	long line, row_line;
	strbuf_t row; /* the row's fields, each NUL-terminated */
	size_t *ends; /* where each field ends in row */
	size_t n_fields, cap_fields;
	long rows;
} csvstream_t;

void csvstream_init(csvstream_t *cs, csvstream_row_fn on_row, void *ctx);
void csvstream_release(csvstream_t *cs);
/* On an error, cs->line is the line it concerns (the caller names the file). */
CHATARC_MUST_CHECK chatarc_status_t csvstream_feed(csvstream_t *cs, const char *data, size_t len,
                                                   chatarc_error_t *err);
/* Call at end of input: hands over a last row without a line end, and
 * reports a quoted field that never closed. */
CHATARC_MUST_CHECK chatarc_status_t csvstream_finish(csvstream_t *cs, chatarc_error_t *err);

#endif
