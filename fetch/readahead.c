/* A ring of chunks between one reading thread and one consumer. */
#include "readahead.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "../common/alloc.h"

/* One chunk being parsed, one waiting, one being read. */
#define READAHEAD_SLOTS 3

struct slot {
	char *data;
	long len;
	unsigned long long offset;
};

struct readahead {
	gzFile in;
	size_t chunk_bytes;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct slot slots[READAHEAD_SLOTS];
	unsigned long produced, consumed; /* chunks, counted from the start */
	bool held;                        /* the consumer still reads slot consumed-1 */
	bool stopping;
};

static void *reader_main(void *arg)
{
	readahead_t *r = arg;
	for (bool ended = false; !ended;) {
		pthread_mutex_lock(&r->lock);
		while (!r->stopping &&
		       r->produced - r->consumed + (r->held ? 1 : 0) >= READAHEAD_SLOTS)
			pthread_cond_wait(&r->changed, &r->lock);
		if (r->stopping) {
			pthread_mutex_unlock(&r->lock);
			break;
		}
		struct slot *slot = &r->slots[r->produced % READAHEAD_SLOTS];
		pthread_mutex_unlock(&r->lock);

		/* The slot is the reader's alone until produced moves past it. */
		int n = gzread(r->in, slot->data, (unsigned)r->chunk_bytes);
		slot->len = n;
		slot->offset = (unsigned long long)gzoffset(r->in);
		ended = n <= 0;

		pthread_mutex_lock(&r->lock);
		r->produced++;
		pthread_cond_broadcast(&r->changed);
		pthread_mutex_unlock(&r->lock);
	}
	return NULL;
}

readahead_t *readahead_start(gzFile in, size_t chunk_bytes)
{
	readahead_t *r = xcalloc(1, sizeof *r);
	r->in = in;
	r->chunk_bytes = chunk_bytes;
	for (size_t i = 0; i < READAHEAD_SLOTS; i++)
		r->slots[i].data = xmalloc(chunk_bytes);
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->changed, NULL);
	if (pthread_create(&r->thread, NULL, reader_main, r)) {
		r->stopping = true;
		readahead_stop(r);
		return NULL;
	}
	return r;
}

long readahead_next(readahead_t *r, const char **data, unsigned long long *offset)
{
	pthread_mutex_lock(&r->lock);
	r->held = false; /* the chunk handed out last is done with */
	pthread_cond_broadcast(&r->changed);
	while (r->produced == r->consumed)
		pthread_cond_wait(&r->changed, &r->lock);
	struct slot *slot = &r->slots[r->consumed % READAHEAD_SLOTS];
	r->consumed++;
	r->held = true;
	pthread_mutex_unlock(&r->lock);
	*data = slot->data;
	*offset = slot->offset;
	return slot->len;
}

void readahead_stop(readahead_t *r)
{
	if (!r)
		return;
	bool started = !r->stopping;
	pthread_mutex_lock(&r->lock);
	r->stopping = true;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
	if (started)
		pthread_join(r->thread, NULL);
	for (size_t i = 0; i < READAHEAD_SLOTS; i++)
		free(r->slots[i].data);
	pthread_cond_destroy(&r->changed);
	pthread_mutex_destroy(&r->lock);
	free(r);
}
