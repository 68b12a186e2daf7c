/* Tweets from the CSV files of the tools that archived chats before API
 * JSON was kept (TAGS, twarc json2csv old and new, twarc-csv, Twitter
 * Archiver, Topsy), the dialect found from the header row. */
#ifndef CHATARC_TWITTER_CSV_H
#define CHATARC_TWITTER_CSV_H

#include <stddef.h>

#include "posts.h"

typedef struct tweet_csv tweet_csv_t;

/* zone_name: the chat's time zone, for sheets that kept local times. */
tweet_csv_t *tweet_csv_new(const char *zone_name);
void tweet_csv_free(tweet_csv_t *t);
/* The dialect found, NULL before the header row. */
const char *tweet_csv_dialect(const tweet_csv_t *t);

/* What a file that is neither JSON nor a known CSV is told. */
#define TWEET_CSV_NO_HEADER                                                                        \
	"neither JSON (no { or [ at its start) nor CSV with the header row of a known dialect "    \
	"(TAGS, twarc json2csv, twarc-csv, Twitter Archiver, Topsy: `chatarc help import`) "       \
	"in its first 10 rows"

/* One row (from csvstream): a banner, the header, a repeated header, or a
 * tweet handed to conv's sink. CHATARC_ERR_FORMAT names what is wrong with
 * the row (the caller adds the file and line). */
CHATARC_MUST_CHECK chatarc_status_t tweet_csv_row(post_converter_t *conv, tweet_csv_t *t,
                                                  char **fields, size_t n, chatarc_error_t *err);

#endif
