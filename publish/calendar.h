/* The chats' schedules as iCalendar (RFC 5545), for `chatarc publish`. */
#ifndef CHATARC_CALENDAR_H
#define CHATARC_CALENDAR_H

#include <stddef.h>

#include "../common/config.h"
#include "../common/status.h"
#include "../common/strbuf.h"

typedef struct calendar_chat {
	const chatarc_chat_t *chat;
	const char *first_date; /* YYYY-MM-DD: the series starts on or after it */
} calendar_chat_t;

/* A VCALENDAR with a weekly VEVENT for each scheduled chat (the others are
 * left out) and the VTIMEZONE of each zone used. base_url (may be NULL):
 * the site's address, for the events' links and UIDs. */
CHATARC_MUST_CHECK chatarc_status_t calendar_write(const calendar_chat_t *chats, size_t n,
                                                   const char *base_url, strbuf_t *out,
                                                   chatarc_error_t *err);

#endif
