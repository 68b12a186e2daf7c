/* The one status enum of chatarc, and the error buffer that carries the detail.
 * Library code returns a status and fills the buffer; only the command layer prints. */
#ifndef CHATARC_STATUS_H
#define CHATARC_STATUS_H

#include <stddef.h>

typedef enum chatarc_status {
	CHATARC_OK = 0,
	CHATARC_ERR_USAGE,     /* bad command line */
	CHATARC_ERR_IO,        /* open/read/write/fsync failed */
	CHATARC_ERR_JSON,      /* input is not valid JSON */
	CHATARC_ERR_FORMAT,    /* valid JSON, but not a shape we know */
	CHATARC_ERR_CONFIG,    /* chatarc.conf is malformed or incomplete */
	CHATARC_ERR_CORRUPT,   /* an archive file is damaged beyond a torn tail */
	CHATARC_ERR_NOT_FOUND, /* a named thing does not exist */
	CHATARC_ERR_NOMEM,
	CHATARC_ERR_BUSY,    /* another process holds the lock */
	CHATARC_ERR_PARTIAL, /* some work done, some failed */
} chatarc_status_t;

/* On every function that returns a status: a status dropped is a failure
 * no one hears of (gcc and clang warn; DEVELOPER=1 makes it an error).
 * Where a status is deliberately left unread, the call says why. */
#define CHATARC_MUST_CHECK __attribute__((warn_unused_result))

/* Detail for the last failure: one line, already naming the file and place. */
typedef struct chatarc_error {
	char message[1024];
} chatarc_error_t;

const char *chatarc_status_to_string(chatarc_status_t status);

/* Sets err->message (printf-style) and returns status, so callers can
 * `return chatarc_error_set(err, CHATARC_ERR_IO, "...")`. err may be NULL. */
chatarc_status_t chatarc_error_set(chatarc_error_t *err, chatarc_status_t status, const char *fmt,
                                   ...) __attribute__((format(printf, 3, 4)));

/* Prefixes the existing message with "prefix: " (e.g. a file name). */
void chatarc_error_prefix(chatarc_error_t *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends "; " and more advice to the existing message. */
void chatarc_error_append(chatarc_error_t *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
