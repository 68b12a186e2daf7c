/* TZif reading (RFC 8536): the version 2+ block, 64-bit transition times. */
#include "tzfile.h"

#include <stdint.h>
#include <string.h>

#include "alloc.h"
#include "fsutil.h"
#include "strbuf.h"

struct tz_zone {
	size_t n_transitions;
	int64_t *at;        /* transition times, seconds, ascending */
	long *offset_after; /* the offset from each transition on */
	long offset_before; /* before the first (the first standard type) */
};

static int64_t be64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return (int64_t)v;
}

static long be32(const unsigned char *p)
{
	return (long)(int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
	                       p[3]);
}

/* The six counts of a header: isut, isstd, leap, time, type, char. */
static bool read_header(const unsigned char *p, size_t len, long counts[6])
{
	if (len < 44 || memcmp(p, "TZif", 4))
		return false;
	for (int i = 0; i < 6; i++)
		if ((counts[i] = be32(p + 20 + 4 * i)) < 0)
			return false;
	return true;
}

static size_t block_size(const long c[6], size_t time_size)
{
	return (size_t)c[3] * time_size + (size_t)c[3] + (size_t)c[4] * 6 + (size_t)c[5] +
	       (size_t)c[2] * (time_size + 4) + (size_t)c[1] + (size_t)c[0];
}

static bool parse(tz_zone_t *z, const unsigned char *data, size_t len)
{
	long c[6];
	if (!read_header(data, len, c) || data[4] < '2')
		return false;
	size_t v1 = 44 + block_size(c, 4);
	if (v1 > len || !read_header(data + v1, len - v1, c))
		return false;
	const unsigned char *p = data + v1 + 44;
	if (block_size(c, 8) > len - v1 - 44 || c[4] == 0)
		return false;
	const unsigned char *times = p, *indices = p + c[3] * 8, *types = indices + c[3];
	z->n_transitions = (size_t)c[3];
	z->at = xcalloc(z->n_transitions, sizeof *z->at);
	z->offset_after = xcalloc(z->n_transitions, sizeof *z->offset_after);
	for (size_t i = 0; i < z->n_transitions; i++) {
		if (indices[i] >= c[4])
			return false;
		z->at[i] = be64(times + 8 * i);
		z->offset_after[i] = be32(types + 6 * indices[i]);
	}
	z->offset_before = be32(types); /* RFC 8536: type 0 before the first */
	return true;
}

chatarc_status_t tz_zone_load(const char *name, tz_zone_t **out, chatarc_error_t *err)
{
	tz_zone_t *z = xcalloc(1, sizeof *z);
	if (!strcmp(name, "UTC")) {
		*out = z;
		return CHATARC_OK;
	}
	if (!*name || name[0] == '/' || strstr(name, "..") || strlen(name) > 200) {
		tz_zone_free(z);
		return chatarc_error_set(err, CHATARC_ERR_NOT_FOUND, "'%s' is not a time zone",
		                         name);
	}
	strbuf_t path, data;
	strbuf_init(&path, 0);
	strbuf_init(&data, 0);
	strbuf_addf(&path, "/usr/share/zoneinfo/%s", name);
	chatarc_status_t status = fs_read_file(path.buf, &data, 1 << 20, err);
	if (status == CHATARC_OK && !parse(z, (const unsigned char *)data.buf, data.len))
		status =
		    chatarc_error_set(err, CHATARC_ERR_FORMAT, "%s: not a TZif file", path.buf);
	strbuf_release(&path);
	strbuf_release(&data);
	if (status != CHATARC_OK) {
		tz_zone_free(z);
		return status;
	}
	*out = z;
	return CHATARC_OK;
}

void tz_zone_free(tz_zone_t *zone)
{
	if (!zone)
		return;
	free(zone->at);
	free(zone->offset_after);
	free(zone);
}

long tz_zone_offset(const tz_zone_t *zone, chatarc_ms_t ms)
{
	int64_t t = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	size_t lo = 0, hi = zone->n_transitions; /* the first transition after t */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (zone->at[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == 0 ? zone->offset_before : zone->offset_after[lo - 1];
}
