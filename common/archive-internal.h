/* What the archive's writer (archive.c) and reader (archive-read.c) share;
 * not for other modules. */
#ifndef CHATARC_ARCHIVE_INTERNAL_H
#define CHATARC_ARCHIVE_INTERNAL_H

#include <sys/types.h>

#include "archive.h"

chatarc_status_t archive_errno_error(chatarc_error_t *err, const char *path, const char *what);
/* DIR/archive/CHAT, newly allocated. */
char *archive_chat_dir(const char *data_dir, const char *chat);
/* The open transaction's journal, CHAT_DIR/.txn, newly allocated. */
char *archive_journal_path(const char *chat_dir);
/* archive_read_lines, reading no further than limit (-1: to the end). */
chatarc_status_t archive_read_upto(const char *path, off_t limit, archive_line_fn fn, void *ctx,
                                   off_t *whole_bytes, chatarc_error_t *err);
/* Ends a record's line before its raw field, in place. */
void archive_cut_raw(char *line);

#endif
