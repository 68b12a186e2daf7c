/* A growable byte buffer, always NUL-terminated, in the manner of git's strbuf. */
#ifndef CHATARC_STRBUF_H
#define CHATARC_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct strbuf {
	char *buf; /* never NULL after strbuf_init */
	size_t len;
	size_t alloc;
} strbuf_t;

void strbuf_init(strbuf_t *sb, size_t hint);
void strbuf_release(strbuf_t *sb);
void strbuf_reset(strbuf_t *sb);
void strbuf_grow(strbuf_t *sb, size_t extra);
void strbuf_add(strbuf_t *sb, const void *data, size_t len);
void strbuf_addstr(strbuf_t *sb, const char *s);
/* Appends one byte: inline, since writers call it for every separator. */
static inline void strbuf_addch(strbuf_t *sb, char c)
{
	if (sb->len + 2 > sb->alloc)
		strbuf_grow(sb, 1);
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}
/* The noun for a count a person reads: one for 1, many for any other
 * ("1 post", "0 posts"). Every message counts through this; the pages
 * count through common.xsl's "counted" template, the same rule. */
static inline const char *plural(long long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}
/* s with every byte but RFC 3986's unreserved ones (letters, digits,
 * "-._~") as %XX: a value for a URL's query or path. */
void strbuf_add_url_escaped(strbuf_t *sb, const char *s);
/* A decimal integer, without printf's format parsing. */
void strbuf_add_integer(strbuf_t *sb, long long value);
void strbuf_addf(strbuf_t *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_setlen(strbuf_t *sb, size_t len);
/* Removes the first n bytes. */
void strbuf_remove_front(strbuf_t *sb, size_t n);
/* Appends text whole if it has at most max bytes; else its longest run of
 * whole words that fits in max bytes, then "…" (a word longer than max is
 * cut at a UTF-8 character boundary, never inside a character). */
void strbuf_add_abbrev(strbuf_t *sb, const char *text, size_t max);
/* Hands the buffer to the caller (who frees it) and leaves sb empty. */
char *strbuf_detach(strbuf_t *sb, size_t *len);

#endif
