/* What `chatarc forget` removed, remembered without its content:
 * DIR/forgotten holds one-way hashes (SHA-256, salted per data directory)
 * of the message uris and urls and the accounts a participant asked to
 * have forgotten, so a later fetch or import of the same post or account
 * drops it again. The names themselves are kept nowhere. */
#ifndef CHATARC_FORGOTTEN_H
#define CHATARC_FORGOTTEN_H

#include <stdbool.h>

#include "record.h"
#include "status.h"

typedef struct forgotten forgotten_t;

/* Reads DIR/forgotten; a missing file is an empty list. */
CHATARC_MUST_CHECK chatarc_status_t forgotten_load(const char *data_dir, forgotten_t **out,
                                                   chatarc_error_t *err);
void forgotten_free(forgotten_t *list);
bool forgotten_is_empty(const forgotten_t *list);

/* Adds what a person named (a message's uri or url, or an account as
 * export's author field shows it: user@instance, a Bluesky handle, a
 * Twitter screen name; a leading '@' and letter case do not matter), in
 * memory; forgotten_save makes the list durable (temp, fsync, rename). */
CHATARC_MUST_CHECK chatarc_status_t forgotten_add(forgotten_t *list, const strlist_t *names,
                                                  chatarc_error_t *err);
CHATARC_MUST_CHECK chatarc_status_t forgotten_save(forgotten_t *list, chatarc_error_t *err);

/* Adds to names (for forgotten_add) an author's stable identity, as
 * record_author_identity gives it: a forgotten account stays forgotten
 * after a change of handle. */
void forgotten_add_identity(strlist_t *names, const char *identity);

/* The record is forgotten: by its uri, its url, its author or its
 * author's stable identity; a boost event also by the message it boosts
 * and that message's author. */
bool forgotten_matches(forgotten_t *list, const chatarc_record_t *record);

/* True when `name` is an account rather than a message (no "://"). */
bool forgotten_name_is_account(const char *name);

#endif
