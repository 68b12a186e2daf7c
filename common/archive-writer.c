/* Compressing and appending the archive's gzip members on a thread of their
 * own, so that an import reads and converts posts on one core while the
 * other deflates what was converted (BENCHMARKS.md: deflate was a fifth of
 * an import). Members are written in the order they were queued, each
 * whole, then fsync'd; the archive waits for all of them before it commits
 * or reads a day file back, so what it acknowledges is on disk as before. */
#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "archive-internal.h"
#include "fsutil.h"

/* Members queued but not yet written: bounds memory (4 MB members). */
#define WRITER_MAX_QUEUED_BYTES (16u << 20)

struct member_job {
	int fd; /* a dup of the day file's: the day may be evicted meanwhile */
	char *path;
	char *data;
	size_t len;
	struct member_job *next;
};

struct member_writer {
	int level;
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct member_job *head, *tail;
	size_t queued_bytes;
	struct member_job *current; /* out of the queue, being written */
	bool stopping;
	/* The first failure: it stays until the transaction is undone
	 * (member_writer_wait with forget_failure), so that no commit after it
	 * can succeed. */
	chatarc_status_t status;
	chatarc_error_t err;
};

chatarc_status_t archive_gzip_member(struct libdeflate_compressor *compressor, const char *data,
                                     size_t len, strbuf_t *out, chatarc_error_t *err)
{
	size_t bound = libdeflate_gzip_compress_bound(compressor, len);
	strbuf_grow(out, bound);
	size_t n = libdeflate_gzip_compress(compressor, data, len, out->buf + out->len, bound);
	if (!n)
		return chatarc_error_set(err, CHATARC_ERR_IO, "compressing a member failed");
	out->len += n;
	out->buf[out->len] = '\0';
	return CHATARC_OK;
}

struct libdeflate_compressor *archive_compressor_new(int level)
{
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(level);
	return alloc_or_die(c);
}

static CHATARC_MUST_CHECK chatarc_status_t write_member(struct libdeflate_compressor *compressor,
                                                        const struct member_job *job,
                                                        strbuf_t *member, chatarc_error_t *err)
{
	strbuf_reset(member);
	chatarc_status_t status = archive_gzip_member(compressor, job->data, job->len, member, err);
	if (status == CHATARC_OK)
		status = fs_write_all(job->fd, member->buf, member->len, job->path, err);
	if (status == CHATARC_OK && fsync(job->fd) < 0)
		status = archive_errno_error(err, job->path, "fsync failed");
	return status;
}

static void job_free(struct member_job *job)
{
	close(job->fd);
	free(job->path);
	free(job->data);
	free(job);
}

static void *writer_main(void *arg)
{
	member_writer_t *w = arg;
	struct libdeflate_compressor *compressor = archive_compressor_new(w->level);
	strbuf_t member;
	strbuf_init(&member, 0);

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->head && !w->stopping)
			pthread_cond_wait(&w->changed, &w->lock);
		struct member_job *job = w->head;
		if (!job)
			break;
		w->head = job->next;
		if (!w->head)
			w->tail = NULL;
		w->current = job;
		bool failed = w->status != CHATARC_OK;
		pthread_mutex_unlock(&w->lock);

		/* After a failure the transaction is lost anyway: later
		 * members are dropped, not appended after a gap. */
		chatarc_error_t err;
		chatarc_status_t status =
		    failed ? CHATARC_OK : write_member(compressor, job, &member, &err);

		pthread_mutex_lock(&w->lock);
		if (status != CHATARC_OK && w->status == CHATARC_OK) {
			w->status = status;
			w->err = err;
		}
		w->queued_bytes -= job->len;
		w->current = NULL;
		job_free(job);
		pthread_cond_broadcast(&w->changed);
	}
	pthread_mutex_unlock(&w->lock);
	strbuf_release(&member);
	libdeflate_free_compressor(compressor);
	return NULL;
}

member_writer_t *member_writer_new(int level)
{
	member_writer_t *w = xcalloc(1, sizeof *w);
	w->level = level;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->changed, NULL);
	return w;
}

static CHATARC_MUST_CHECK chatarc_status_t failure(const member_writer_t *w, chatarc_error_t *err)
{
	if (w->status != CHATARC_OK)
		*err = w->err;
	return w->status;
}

chatarc_status_t member_writer_append(member_writer_t *w, int fd, const char *path, char *data,
                                      size_t len, chatarc_error_t *err)
{
	struct member_job *job = xcalloc(1, sizeof *job);
	job->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (job->fd < 0) {
		chatarc_status_t status = archive_errno_error(err, path, "cannot write");
		free(job);
		free(data);
		return status;
	}
	job->path = xstrdup(path);
	job->data = data;
	job->len = len;

	pthread_mutex_lock(&w->lock);
	if (w->status != CHATARC_OK) {
		chatarc_status_t status = failure(w, err);
		pthread_mutex_unlock(&w->lock);
		job_free(job);
		return status;
	}
	if (!w->started) {
		int rc = pthread_create(&w->thread, NULL, writer_main, w);
		if (rc) {
			pthread_mutex_unlock(&w->lock);
			job_free(job);
			return chatarc_error_set(err, CHATARC_ERR_NOMEM,
			                         "cannot start the archive's writer: %s",
			                         strerror(rc));
		}
		w->started = true;
	}
	while (w->queued_bytes >= WRITER_MAX_QUEUED_BYTES && w->status == CHATARC_OK)
		pthread_cond_wait(&w->changed, &w->lock);
	if (w->tail)
		w->tail->next = job;
	else
		w->head = job;
	w->tail = job;
	w->queued_bytes += len;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
	return CHATARC_OK;
}

/* Whether a member for path (any, if NULL) is queued or being written. */
static bool pending(const member_writer_t *w, const char *path)
{
	if (w->current && (!path || !strcmp(w->current->path, path)))
		return true;
	for (const struct member_job *job = w->head; job; job = job->next)
		if (!path || !strcmp(job->path, path))
			return true;
	return false;
}

chatarc_status_t member_writer_wait_for(member_writer_t *w, const char *path, chatarc_error_t *err)
{
	pthread_mutex_lock(&w->lock);
	while (pending(w, path))
		pthread_cond_wait(&w->changed, &w->lock);
	chatarc_status_t status = failure(w, err);
	pthread_mutex_unlock(&w->lock);
	return status;
}

chatarc_status_t member_writer_wait(member_writer_t *w, bool forget_failure, chatarc_error_t *err)
{
	pthread_mutex_lock(&w->lock);
	while (pending(w, NULL))
		pthread_cond_wait(&w->changed, &w->lock);
	chatarc_status_t status = failure(w, err);
	if (forget_failure)
		w->status = CHATARC_OK;
	pthread_mutex_unlock(&w->lock);
	return status;
}

void member_writer_free(member_writer_t *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
	if (w->started)
		pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->changed);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
