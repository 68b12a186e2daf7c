/* File system helpers: names safe to use as path parts, directories made on
 * demand, whole writes, and files replaced atomically (temp, fsync, rename). */
#ifndef CHATARC_FSUTIL_H
#define CHATARC_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

/* Chat and source names become directory names: letters, digits, '_', '-',
 * '.' (not first), at most 64 bytes. Nothing else reaches a path. */
bool fs_name_valid(const char *name);

CHATARC_MUST_CHECK chatarc_status_t fs_mkdir_p(const char *path, chatarc_error_t *err);
/* Inside the data directory base, nothing of ours is a symbolic link: a link
 * planted there (a day file, DIR/site, DIR/index.d) would send our writes,
 * or a clean-up's deletes, outside it. fs_check_under: every component of
 * path below base that exists is a real file or directory, not a link
 * (base itself, and what is above it, are the user's to link).
 * fs_mkdir_under: that, with the directories made. */
CHATARC_MUST_CHECK chatarc_status_t fs_check_under(const char *base, const char *path,
                                                   chatarc_error_t *err);
CHATARC_MUST_CHECK chatarc_status_t fs_mkdir_under(const char *base, const char *path,
                                                   chatarc_error_t *err);
/* A file of ours under base: its directories made (fs_mkdir_under) and
 * the file itself opened without following a link (O_NOFOLLOW), so no
 * lock, state or session file is ever written through one. */
CHATARC_MUST_CHECK chatarc_status_t fs_open_under(const char *base, const char *path, int flags,
                                                  unsigned mode, int *fd, chatarc_error_t *err);
CHATARC_MUST_CHECK chatarc_status_t fs_replace_file_under(const char *base, const char *path,
                                                          const void *data, size_t len,
                                                          unsigned mode, chatarc_error_t *err);
/* The one error for a link found where a file or directory of ours belongs
 * (an open with O_NOFOLLOW that failed with ELOOP, or fs_check_under). */
CHATARC_MUST_CHECK chatarc_status_t fs_link_refused(const char *path, chatarc_error_t *err);
/* Writes all of data, retrying short writes and EINTR. */
CHATARC_MUST_CHECK chatarc_status_t fs_write_all(int fd, const void *data, size_t len,
                                                 const char *path, chatarc_error_t *err);
/* fsync of a directory, so a new entry in it survives a crash. */
CHATARC_MUST_CHECK chatarc_status_t fs_sync_dir(const char *dir, chatarc_error_t *err);
/* The directory part of path (a new string). */
char *fs_dirname(const char *path);
CHATARC_MUST_CHECK chatarc_status_t fs_replace_file(const char *path, const void *data, size_t len,
                                                    chatarc_error_t *err);
/* The same with the file's permission bits (0600 for a secret: the file is
 * never readable by others, not even while it is written). */
CHATARC_MUST_CHECK chatarc_status_t fs_replace_file_mode(const char *path, const void *data,
                                                         size_t len, unsigned mode,
                                                         chatarc_error_t *err);
bool fs_exists(const char *path);
/* Appends the file's bytes to out: at most max bytes (0: all of it).
 * CHATARC_ERR_NOT_FOUND when there is no such file; the error names it.
 * Only a regular file is read: a FIFO or a device where a file of ours
 * belongs (a token file, a state file) is refused, never waited on. */
struct strbuf;
CHATARC_MUST_CHECK chatarc_status_t fs_read_file(const char *path, struct strbuf *out, size_t max,
                                                 chatarc_error_t *err);
/* The same from an open descriptor (standard input), `name` in errors. */
CHATARC_MUST_CHECK chatarc_status_t fs_read_fd(int fd, const char *name, struct strbuf *out,
                                               size_t max, chatarc_error_t *err);
/* Removes path and everything below it (symlinks are removed, not followed). */
CHATARC_MUST_CHECK chatarc_status_t fs_remove_tree(const char *path, chatarc_error_t *err);

/* Adds "dir/name" for each entry of dir that `want` accepts, sorted by
 * name, to paths. A missing directory adds nothing and is not an error. */
struct strlist;
void fs_list_dir(const char *dir, bool (*want)(const char *name), struct strlist *paths);

#endif
