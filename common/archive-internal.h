/* What the archive's writer (archive.c) and reader (archive-read.c) share;
 * not for other modules. */
#ifndef CHATARC_ARCHIVE_INTERNAL_H
#define CHATARC_ARCHIVE_INTERNAL_H

#include <stdbool.h>
#include <sys/types.h>

#include "archive.h"

CHATARC_MUST_CHECK chatarc_status_t archive_errno_error(chatarc_error_t *err, const char *path,
                                                        const char *what);
/* DIR/archive/CHAT, newly allocated. */
char *archive_chat_dir(const char *data_dir, const char *chat);
/* The open transaction's journal, CHAT_DIR/.txn, newly allocated. */
char *archive_journal_path(const char *chat_dir);
/* archive_read_lines, reading no further than limit (-1: to the end). */
CHATARC_MUST_CHECK chatarc_status_t archive_read_upto(const char *path, off_t limit,
                                                      archive_line_fn fn, void *ctx,
                                                      off_t *whole_bytes, chatarc_error_t *err);
/* Whole-buffer gzip (libdeflate): a compressor per thread, of a level
 * from 1 (fastest) to 12. archive_gzip_member appends data to out as one
 * gzip member. */
struct libdeflate_compressor;
struct libdeflate_compressor *archive_compressor_new(int level);
CHATARC_MUST_CHECK chatarc_status_t archive_gzip_member(struct libdeflate_compressor *compressor,
                                                        const char *data, size_t len, strbuf_t *out,
                                                        chatarc_error_t *err);

/* The thread that compresses and appends members (archive-writer.c). */
typedef struct member_writer member_writer_t;
member_writer_t *member_writer_new(int level);
/* Queues data (taken over, freed by the writer) as one gzip member for the
 * end of fd's file, then fsync. Blocks while 16 MB wait. Fails at once
 * once a queued member failed. */
CHATARC_MUST_CHECK chatarc_status_t member_writer_append(member_writer_t *w, int fd,
                                                         const char *path, char *data, size_t len,
                                                         chatarc_error_t *err);
/* Waits until every queued member is written and synced; the first
 * failure since the writer was made or last forgot one. */
CHATARC_MUST_CHECK chatarc_status_t member_writer_wait(member_writer_t *w, bool forget_failure,
                                                       chatarc_error_t *err);
/* The same for the members of one file only. */
CHATARC_MUST_CHECK chatarc_status_t member_writer_wait_for(member_writer_t *w, const char *path,
                                                           chatarc_error_t *err);
/* Writes what is queued, then stops the thread. NULL is fine. */
void member_writer_free(member_writer_t *w);

/* Ends a record's line before its raw field, in place. */
void archive_cut_raw(char *line);

#endif
