/* Growable buffer. Allocation failure aborts: chatarc cannot do anything
 * useful without memory, and checking every append would bury the logic. */
#include "strbuf.h"

#include "alloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char strbuf_empty[1];

void strbuf_init(strbuf_t *sb, size_t hint)
{
	sb->buf = strbuf_empty;
	sb->len = 0;
	sb->alloc = 0;
	if (hint)
		strbuf_grow(sb, hint);
}

void strbuf_release(strbuf_t *sb)
{
	if (sb->alloc)
		free(sb->buf);
	strbuf_init(sb, 0);
}

void strbuf_reset(strbuf_t *sb)
{
	strbuf_setlen(sb, 0);
}

void strbuf_grow(strbuf_t *sb, size_t extra)
{
	size_t want = sb->len + extra + 1;
	char *grown;

	if (want <= sb->alloc)
		return;
	if (want < sb->alloc * 2)
		want = sb->alloc * 2;
	if (want < 64)
		want = 64;
	grown = xrealloc_array(sb->alloc ? sb->buf : NULL, want, 1);
	if (!sb->alloc)
		grown[0] = '\0';
	sb->buf = grown;
	sb->alloc = want;
}

void strbuf_add(strbuf_t *sb, const void *data, size_t len)
{
	strbuf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	strbuf_setlen(sb, sb->len + len);
}

void strbuf_addstr(strbuf_t *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_add_integer(strbuf_t *sb, long long value)
{
	char digits[24];
	size_t i = sizeof digits;
	unsigned long long magnitude =
	    value < 0 ? 0 - (unsigned long long)value : (unsigned long long)value;
	do
		digits[--i] = (char)('0' + magnitude % 10);
	while (magnitude /= 10);
	if (value < 0)
		digits[--i] = '-';
	strbuf_add(sb, digits + i, sizeof digits - i);
}

void strbuf_addf(strbuf_t *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(sb->buf + sb->len, sb->alloc ? sb->alloc - sb->len : 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (!sb->alloc || (size_t)n >= sb->alloc - sb->len) {
		strbuf_grow(sb, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
		va_end(ap);
	}
	sb->len += (size_t)n;
}

void strbuf_setlen(strbuf_t *sb, size_t len)
{
	if (!sb->alloc) {
		if (len)
			abort();
		return;
	}
	sb->len = len;
	sb->buf[len] = '\0';
}

void strbuf_remove_front(strbuf_t *sb, size_t n)
{
	if (n >= sb->len) {
		strbuf_reset(sb);
		return;
	}
	memmove(sb->buf, sb->buf + n, sb->len - n);
	strbuf_setlen(sb, sb->len - n);
}

char *strbuf_detach(strbuf_t *sb, size_t *len)
{
	char *out;

	if (!sb->alloc)
		strbuf_grow(sb, 0);
	out = sb->buf;
	if (len)
		*len = sb->len;
	strbuf_init(sb, 0);
	return out;
}

void strbuf_add_abbrev(strbuf_t *sb, const char *text, size_t max)
{
	size_t len = strlen(text);
	if (len <= max) {
		strbuf_add(sb, text, len);
		return;
	}
	size_t cut = max;
	while (cut > 0 && text[cut] != ' ')
		cut--;
	if (cut == 0) /* one long word: the last whole character that fits */
		for (cut = max; cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80;)
			cut--;
	while (cut > 0 && text[cut - 1] == ' ')
		cut--;
	strbuf_add(sb, text, cut);
	strbuf_addstr(sb, "\xe2\x80\xa6");
}

void strbuf_add_url_escaped(strbuf_t *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
			strbuf_addch(sb, (char)*p);
		} else {
			strbuf_addch(sb, '%');
			strbuf_addch(sb, hex[*p >> 4]);
			strbuf_addch(sb, hex[*p & 15]);
		}
	}
}
