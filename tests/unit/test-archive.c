/* The archive: dedup, versions, rollback, torn tails, member reading. */
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "../../common/archive.h"
#include "unit.h"

static void make_record(chatarc_record_t *r, int n, chatarc_ms_t when, long long likes)
{
	char uri[64];
	record_init(r);
	snprintf(uri, sizeof uri, "https://toot.example/users/a/statuses/%d", n);
	record_set(&r->uri, uri);
	record_set(&r->network, "mastodon");
	record_set(&r->source, "import");
	record_set(&r->text, "T1: what do you think?");
	record_set(&r->author, "a@toot.example");
	record_set(&r->raw, "{}");
	r->created_ms = when;
	r->likes = likes;
}

static archive_outcome_t add(chatarc_archive_t *archive, int n, chatarc_ms_t when, long long likes)
{
	chatarc_record_t r;
	chatarc_error_t err;
	archive_outcome_t outcome = ARCHIVE_DUPLICATE;
	make_record(&r, n, when, likes);
	CHECK(archive_add(archive, &r, &outcome, &err) == CHATARC_OK);
	record_clear(&r);
	return outcome;
}

struct seen {
	int count;
	long long likes_sum;
	chatarc_ms_t last;
	bool ordered;
};

static chatarc_status_t count(void *ctx, const chatarc_record_t *r, chatarc_error_t *err)
{
	struct seen *s = ctx;
	(void)err;
	if (s->count && r->created_ms < s->last)
		s->ordered = false;
	s->last = r->created_ms;
	s->count++;
	s->likes_sum += r->likes;
	return CHATARC_OK;
}

static struct seen read_all(const char *dir)
{
	struct seen s = {.ordered = true};
	chatarc_error_t err;
	CHECK(archive_for_each(dir, "c", INT64_MIN, INT64_MAX, count, &s, &err) == CHATARC_OK);
	return s;
}

static const chatarc_ms_t T0 = 1763488800000LL; /* 2025-11-18T18:00:00Z */

static void test_dedup_versions_and_order(void)
{
	char dir[512];
	chatarc_archive_t *archive;
	chatarc_error_t err;
	unit_tmpdir(dir, sizeof dir, "dedup");
	CHECK(archive_open(dir, "c", NULL, &archive, &err) == CHATARC_OK);
	CHECK(add(archive, 1, T0 + 5000, 0) == ARCHIVE_NEW);
	CHECK(add(archive, 2, T0, 0) == ARCHIVE_NEW);
	CHECK(add(archive, 3, T0 + 86400000, 0) == ARCHIVE_NEW); /* next day's file */
	CHECK(add(archive, 1, T0 + 5000, 0) == ARCHIVE_DUPLICATE);
	CHECK(archive_commit(archive, &err) == CHATARC_OK);
	CHECK(add(archive, 1, T0 + 5000, 4) == ARCHIVE_UPDATED);
	CHECK(add(archive, 1, T0 + 5000, 2) == ARCHIVE_DUPLICATE); /* fewer likes: nothing new */
	CHECK(archive_commit(archive, &err) == CHATARC_OK);
	archive_close(archive);

	struct seen s = read_all(dir);
	CHECK(s.count == 3 && s.likes_sum == 4 && s.ordered);
	/* A new writer knows what is stored. */
	CHECK(archive_open(dir, "c", NULL, &archive, &err) == CHATARC_OK);
	CHECK(add(archive, 2, T0, 0) == ARCHIVE_DUPLICATE);
	CHECK(add(archive, 1, T0 + 5000, 4) == ARCHIVE_DUPLICATE);
	archive_close(archive);
}

static void test_lock(void)
{
	char dir[512];
	chatarc_archive_t *first, *second = NULL;
	chatarc_error_t err;
	unit_tmpdir(dir, sizeof dir, "lock");
	CHECK(archive_open(dir, "c", NULL, &first, &err) == CHATARC_OK);
	/* flock is per open file description: a second open in the same
	 * process conflicts just as another process would. */
	CHECK(archive_open(dir, "c", NULL, &second, &err) == CHATARC_ERR_BUSY);
	CHECK(strstr(err.message, "another chatarc process") != NULL);
	archive_close(first);
	CHECK(archive_open(dir, "c", NULL, &second, &err) == CHATARC_OK);
	archive_close(second);
	CHECK(archive_open(dir, "../escape", NULL, &second, &err) == CHATARC_ERR_USAGE);
}

static off_t file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_size : -1;
}

/* A new archive under tests/tmp/unit-NAME (dir) with one message committed
 * to chat c's day file of T0 (day). */
static chatarc_archive_t *archive_with_one_message(const char *name, char dir[512], char day[600])
{
	chatarc_archive_t *archive = NULL;
	chatarc_error_t err;
	unit_tmpdir(dir, 512, name);
	snprintf(day, 600, "%s/archive/c/2025/2025-11-18.jsonl.gz", dir);
	CHECK(archive_open(dir, "c", NULL, &archive, &err) == CHATARC_OK);
	add(archive, 1, T0, 0);
	CHECK(archive_commit(archive, &err) == CHATARC_OK);
	return archive;
}

static void test_rollback(void)
{
	char dir[512], day1[600], day2[600];
	chatarc_error_t err;
	chatarc_archive_t *archive = archive_with_one_message("rollback", dir, day1);
	snprintf(day2, sizeof day2, "%s/archive/c/2025/2025-11-19.jsonl.gz", dir);
	off_t committed = file_size(day1);
	CHECK(committed > 0);
	/* Enough days to push the first out of the cache, so its new lines are
	 * written before the rollback undoes them (by the writer's thread:
	 * given a few seconds). */
	for (int d = 0; d < 40; d++)
		add(archive, 100 + d, T0 + (chatarc_ms_t)d * 86400000 + 1000, 0);
	for (int wait = 0; wait < 500 && file_size(day1) <= committed; wait++)
		usleep(10000);
	CHECK(file_size(day1) > committed);
	CHECK(archive_rollback(archive, &err) == CHATARC_OK);
	CHECK(file_size(day1) == committed);
	CHECK(file_size(day2) == -1);
	archive_close(archive);
	struct seen s = read_all(dir);
	CHECK(s.count == 1);
}

static void test_torn_tail(void)
{
	char dir[512], day[600];
	chatarc_error_t err;
	chatarc_archive_t *archive = archive_with_one_message("torn", dir, day);
	add(archive, 2, T0, 0);
	CHECK(archive_commit(archive, &err) == CHATARC_OK);
	archive_close(archive);
	off_t whole = file_size(day);

	/* A writer killed halfway through its member: cut the last member. */
	CHECK(read_all(dir).count == 2);
	CHECK(truncate(day, whole - 7) == 0);
	struct seen s = read_all(dir);
	CHECK(s.count == 1); /* the torn member is ignored, the first is whole */

	/* The next writer cuts the torn bytes off and appends after them. */
	CHECK(archive_open(dir, "c", NULL, &archive, &err) == CHATARC_OK);
	CHECK(add(archive, 2, T0, 0) == ARCHIVE_NEW);
	CHECK(archive_commit(archive, &err) == CHATARC_OK);
	archive_close(archive);
	s = read_all(dir);
	CHECK(s.count == 2);
	char cmd[700];
	snprintf(cmd, sizeof cmd, "gzip -t '%s'", day);
	CHECK(system(cmd) == 0); /* every member whole again */

	/* Damage in the middle is not a torn tail: refuse, never cut. */
	int fd = open(day, O_WRONLY);
	CHECK(pwrite(fd, "XXXXXXXX", 8, 20) == 8);
	close(fd);
	off_t before = file_size(day);
	CHECK(archive_open(dir, "c", NULL, &archive, &err) == CHATARC_OK);
	chatarc_record_t r;
	archive_outcome_t outcome;
	make_record(&r, 3, T0, 0);
	CHECK(archive_add(archive, &r, &outcome, &err) == CHATARC_ERR_CORRUPT);
	CHECK(strstr(err.message, "2025-11-18.jsonl.gz") != NULL);
	record_clear(&r);
	archive_close(archive);
	CHECK(file_size(day) == before);
}

/* A write that fails on the writer's thread (the file may grow no further:
 * EFBIG, as a full disk fails it) fails the commit, and every commit after
 * it until the rollback, which leaves the files as they were committed. */
static void test_write_failure(void)
{
	char dir[512], day1[600];
	chatarc_error_t err;
	chatarc_archive_t *archive = archive_with_one_message("write-failure", dir, day1);
	off_t committed = file_size(day1);

	struct rlimit before, small;
	getrlimit(RLIMIT_FSIZE, &before);
	small = before;
	small.rlim_cur = (rlim_t)committed + 64;
	void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &small);
	for (int n = 2; n < 400; n++)
		add(archive, n, T0 + n * 1000, n);
	CHECK(archive_commit(archive, &err) == CHATARC_ERR_IO);
	CHECK(archive_commit(archive, &err) == CHATARC_ERR_IO);
	setrlimit(RLIMIT_FSIZE, &before);
	signal(SIGXFSZ, old_handler);

	CHECK(archive_rollback(archive, &err) == CHATARC_OK);
	CHECK(file_size(day1) == committed);
	add(archive, 500, T0 + 500000, 0);
	CHECK(archive_commit(archive, &err) == CHATARC_OK);
	archive_close(archive);
	struct seen s = read_all(dir);
	CHECK(s.count == 2);
}

static struct seen read_cached(archive_day_cache_t *cache, const char *dir, chatarc_ms_t from,
                               chatarc_ms_t to)
{
	struct seen s = {.ordered = true};
	chatarc_error_t err;
	CHECK(archive_for_each_cached(cache, dir, "c", from, to, count, &s, &err) == CHATARC_OK);
	return s;
}

struct moments_seen {
	int count, with_author;
	chatarc_ms_t sum;
};

static chatarc_status_t count_moment(void *ctx, const char *author, chatarc_ms_t at,
                                     chatarc_error_t *err)
{
	struct moments_seen *m = ctx;
	(void)err;
	m->count++;
	m->with_author += author && !strcmp(author, "a@toot.example");
	m->sum += at - T0;
	return CHATARC_OK;
}

/* The moments of [from, to) read through cache and without, which must
 * agree line for line. */
static int moments_agree(archive_day_cache_t *cache, const char *dir, chatarc_ms_t from,
                         chatarc_ms_t to)
{
	struct moments_seen plain = {0}, cached = {0};
	chatarc_error_t err;
	CHECK(archive_for_each_author(dir, "c", from, to, count_moment, &plain, &err) ==
	      CHATARC_OK);
	CHECK(archive_for_each_author_cached(cache, dir, "c", from, to, count_moment, &cached,
	                                     &err) == CHATARC_OK);
	CHECK(plain.count == cached.count && plain.with_author == cached.with_author &&
	      plain.sum == cached.sum);
	CHECK(plain.with_author == plain.count);
	return cached.count;
}

static void test_day_cache(void)
{
	char dir[512], day[600];
	chatarc_error_t err;
	chatarc_archive_t *archive = archive_with_one_message("cache", dir, day);
	add(archive, 2, T0 + 60000, 3);
	add(archive, 3, T0 + 86400000, 5); /* the next day */
	CHECK(archive_commit(archive, &err) == CHATARC_OK);

	archive_day_cache_t *cache = archive_day_cache_new();
	/* A window of a day, then the whole range: the same messages as read
	 * without the cache, each once, in order, the window's time kept. */
	struct seen window = read_cached(cache, dir, T0 + 30000, T0 + 3600000);
	CHECK(window.count == 1 && window.likes_sum == 3);
	struct seen all = read_cached(cache, dir, INT64_MIN, INT64_MAX);
	struct seen plain = read_all(dir);
	CHECK(all.count == 3 && all.likes_sum == 8 && all.ordered);
	CHECK(plain.count == all.count && plain.likes_sum == all.likes_sum);
	/* Asked again, nothing is given twice and nothing lost. */
	all = read_cached(cache, dir, INT64_MIN, INT64_MAX);
	CHECK(all.count == 3 && all.likes_sum == 8);

	/* A day written after it was kept is read again: the new message and
	 * the new version of an old one are seen. */
	add(archive, 4, T0 + 120000, 1);
	add(archive, 2, T0 + 60000, 7);
	CHECK(archive_commit(archive, &err) == CHATARC_OK);
	all = read_cached(cache, dir, INT64_MIN, INT64_MAX);
	CHECK(all.count == 4 && all.likes_sum == 0 + 7 + 5 + 1);
	/* Moments are one a line, versions too (2 has two lines): five lines
	 * in all, four on the first day, three before its third minute. */
	CHECK(moments_agree(cache, dir, INT64_MIN, INT64_MAX) == 5);
	CHECK(moments_agree(cache, dir, T0, T0 + 86400000) == 4);
	CHECK(moments_agree(cache, dir, T0, T0 + 120000) == 3);
	archive_close(archive);

	/* More days than the cache keeps: each still read whole. */
	CHECK(archive_open(dir, "c", NULL, &archive, &err) == CHATARC_OK);
	for (int d = 2; d < 9; d++)
		add(archive, 10 + d, T0 + d * 86400000LL, 1);
	CHECK(archive_commit(archive, &err) == CHATARC_OK);
	archive_close(archive);
	for (int round = 0; round < 2; round++) {
		all = read_cached(cache, dir, INT64_MIN, INT64_MAX);
		CHECK(all.count == 11 && all.likes_sum == 13 + 7 && all.ordered);
	}
	archive_day_cache_free(cache);
}

const unit_test_t archive_tests[] = {
    {"archive: dedup by uri, versions merge, time order", test_dedup_versions_and_order},
    {"archive: one writer per chat; chat names cannot escape", test_lock},
    {"archive: rollback undoes written days and new files", test_rollback},
    {"archive: torn tail ignored then cut; damage refused", test_torn_tail},
    {"archive: a failed write fails every commit until the rollback", test_write_failure},
    {"archive: read through a day cache, as without; a day written since is read again",
     test_day_cache},
    {NULL, NULL},
};
