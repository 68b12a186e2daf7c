/* A time zone read from its TZif file (RFC 8536, /usr/share/zoneinfo), for
 * turning many instants into local time without setting TZ for the whole
 * process (tz_scope in timeutil.h does that, for stretches of work that
 * go through the C library). */
#ifndef CHATARC_TZFILE_H
#define CHATARC_TZFILE_H

#include "status.h"
#include "timeutil.h"

typedef struct tz_zone tz_zone_t;

/* "America/Toronto", "UTC"; CHATARC_ERR_NOT_FOUND when there is no such
 * zone (or the name could leave the zoneinfo directory). */
CHATARC_MUST_CHECK chatarc_status_t tz_zone_load(const char *name, tz_zone_t **out,
                                                 chatarc_error_t *err);
void tz_zone_free(tz_zone_t *zone);
/* Seconds east of UTC at instant ms. Past the file's last transition (2037
 * in Debian's files), the last offset holds. */
long tz_zone_offset(const tz_zone_t *zone, chatarc_ms_t ms);

#endif
