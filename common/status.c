/* Status names and the error buffer helpers. */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *chatarc_status_to_string(chatarc_status_t status)
{
	switch (status) {
	case CHATARC_OK: return "success";
	case CHATARC_ERR_USAGE: return "usage error";
	case CHATARC_ERR_IO: return "input/output error";
	case CHATARC_ERR_JSON: return "invalid JSON";
	case CHATARC_ERR_FORMAT: return "unrecognised format";
	case CHATARC_ERR_CONFIG: return "configuration error";
	case CHATARC_ERR_CORRUPT: return "corrupt archive";
	case CHATARC_ERR_NOT_FOUND: return "not found";
	case CHATARC_ERR_NOMEM: return "out of memory";
	case CHATARC_ERR_BUSY: return "busy";
	case CHATARC_ERR_PARTIAL: return "partial failure";
	}
	return "unknown status";
}

chatarc_status_t chatarc_error_set(chatarc_error_t *err, chatarc_status_t status, const char *fmt,
                                   ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof err->message, fmt, ap);
		va_end(ap);
	}
	return status;
}

void chatarc_error_prefix(chatarc_error_t *err, const char *fmt, ...)
{
	char prefix[512], old[sizeof err->message];
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	memcpy(old, err->message, sizeof old);
	/* A message too long for the buffer keeps its start: the place comes first. */
	if (snprintf(err->message, sizeof err->message, "%s: %s", prefix, old) < 0)
		memcpy(err->message, old, sizeof old);
}

void chatarc_error_append(chatarc_error_t *err, const char *fmt, ...)
{
	size_t len;
	va_list ap;

	if (!err)
		return;
	len = strlen(err->message);
	if (len + 3 >= sizeof err->message)
		return;
	memcpy(err->message + len, "; ", 3);
	va_start(ap, fmt);
	vsnprintf(err->message + len + 2, sizeof err->message - len - 2, fmt, ap);
	va_end(ap);
}
