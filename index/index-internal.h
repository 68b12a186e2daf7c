/* What index.c and index-state.c share: the metadata the index keeps of
 * the archive. */
#ifndef CHATARC_INDEX_INTERNAL_H
#define CHATARC_INDEX_INTERNAL_H

#include <stdbool.h>

#include "../common/status.h"
#include "index.h"
#include "xapian-shim.h"

/* What the index knows of one day file: its metadata key ("day:CHAT/DAY"),
 * the file's size now (what the key holds once the day is indexed), and
 * whether the key holds it already (*current) or nothing (*never). */
CHATARC_MUST_CHECK chatarc_status_t index_day_state(xdb_t *db, const char *chat, const char *path,
                                                    char key[128], char size_text[32],
                                                    bool *current, bool *never,
                                                    chatarc_error_t *err);
/* Whether db's terms are of this chatarc's scheme (XDB_SCHEMA). */
CHATARC_MUST_CHECK chatarc_status_t index_schema_matches(xdb_t *db, bool *matches,
                                                         chatarc_error_t *err);
/* "written:CHAT": the chat's archive_written_mark the index is up to date
 * with. */
void index_written_key(const char *chat, char key[160]);

#endif
