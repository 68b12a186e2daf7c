/* json_parse: yajl's event parser building yajl_val trees in one arena.
 *
 * yajl_tree_parse mallocs every node, key and string and reallocs each
 * container once per member; freeing walks it all again. Every archive line
 * read and every post imported is parsed, so that was a fifth of an import
 * (BENCHMARKS.md). Here a document is a few arena chunks: members wait on
 * one shared stack until their container closes and are then copied into
 * the arena at their final size; json_free releases the chunks. The nodes
 * are yajl's own struct, so every reader keeps yajl's accessors. */
#include "json.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "alloc.h"

/* Most posts fit in one chunk; a big document takes more, each its size. */
#define JSON_CHUNK_BYTES (16u << 10)

struct json_chunk {
	struct json_chunk *next;
	size_t used, size;
	max_align_t data[];
};

/* An object or an array, with where its text is in the parsed input (when
 * the caller keeps that text: json_parse_text). The node is last, so that
 * the span is found just before any container node. */
struct json_container {
	const char *source; /* its first byte, or NULL */
	size_t source_len;
	struct yajl_val_s node;
};

/* The root comes first so that json_free can take the root. */
struct json_doc {
	struct json_container root;
	struct json_chunk *chunks;
};

/* An open container: its node and where its members start on the stack. */
struct json_frame {
	yajl_val node;
	size_t first;
};

struct json_builder {
	struct json_doc *doc;
	yajl_handle parser;
	const char *text; /* to note containers' spans in, or NULL */
	struct json_frame *frames;
	size_t depth, frames_alloc;
	/* Members of the open containers, innermost last; a key is NULL in
	 * an array. */
	const char **keys;
	yajl_val *values;
	size_t len, alloc;
	const char *pending_key;
	bool have_root;
};

static void *arena_alloc(struct json_doc *doc, size_t size)
{
	struct json_chunk *chunk = doc->chunks;
	size = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (!chunk || chunk->size - chunk->used < size) {
		size_t bytes = size > JSON_CHUNK_BYTES ? size : JSON_CHUNK_BYTES;
		chunk = xmalloc(sizeof *chunk + bytes);
		chunk->size = bytes;
		chunk->used = 0;
		chunk->next = doc->chunks;
		doc->chunks = chunk;
	}
	void *p = (char *)chunk->data + chunk->used;
	chunk->used += size;
	return p;
}

/* A NUL inside a string (a "\u0000" escape) would cut it short wherever it
 * is read, and two uris differing only after it would be one: it becomes
 * U+FFFD, so the text keeps all of itself; an identity holding it is
 * refused where records are made (posts_emit). */
static char *arena_string(struct json_doc *doc, const unsigned char *s, size_t len)
{
	size_t nuls = 0;
	for (const unsigned char *p = memchr(s, '\0', len); p;
	     p = memchr(p + 1, '\0', len - (size_t)(p + 1 - s)))
		nuls++;
	char *out = arena_alloc(doc, len + 2 * nuls + 1);
	if (!nuls) {
		memcpy(out, s, len);
		out[len] = '\0';
		return out;
	}
	char *o = out;
	for (size_t i = 0; i < len; i++) {
		if (s[i]) {
			*o++ = (char)s[i];
		} else {
			memcpy(o, "\xEF\xBF\xBD", 3);
			o += 3;
		}
	}
	*o = '\0';
	return out;
}

static yajl_val new_node(struct json_builder *b, yajl_type type)
{
	yajl_val v = arena_alloc(b->doc, sizeof *v);
	memset(v, 0, sizeof *v);
	v->type = type;
	return v;
}

static int add_value(struct json_builder *b, yajl_val v)
{
	if (!b->depth) {
		b->doc->root.node = *v;
		b->have_root = true;
		return 1;
	}
	if (b->len == b->alloc) {
		b->alloc = b->alloc ? 2 * b->alloc : 64;
		b->keys = xrealloc_array(b->keys, b->alloc, sizeof *b->keys);
		b->values = xrealloc_array(b->values, b->alloc, sizeof *b->values);
	}
	b->keys[b->len] = b->pending_key;
	b->values[b->len++] = v;
	b->pending_key = NULL;
	return 1;
}

static int on_null(void *ctx)
{
	struct json_builder *b = ctx;
	return add_value(b, new_node(b, yajl_t_null));
}

static int on_boolean(void *ctx, int value)
{
	struct json_builder *b = ctx;
	return add_value(b, new_node(b, value ? yajl_t_true : yajl_t_false));
}

/* Flags as yajl_tree sets them: an integer is valid when the text is
 * digits (after a sign) whose magnitude fits a long long; a double whenever strtod
 * reads the whole text, which for such an integer is its exact rounding,
 * the same as converting the long long. */
static int on_number(void *ctx, const char *text, size_t len)
{
	struct json_builder *b = ctx;
	yajl_val v = new_node(b, yajl_t_number);
	v->u.number.r = arena_string(b->doc, (const unsigned char *)text, len);
	const char *p = v->u.number.r;
	bool negative = *p == '-';
	unsigned long long magnitude = 0;
	bool integer = len > (size_t)negative;
	for (p += negative; *p && integer; p++) {
		unsigned digit = (unsigned)(*p - '0');
		if (digit > 9 || magnitude > (ULLONG_MAX - digit) / 10)
			integer = false;
		else
			magnitude = magnitude * 10 + digit;
	}
	/* yajl takes LLONG_MIN for an overflow too. */
	if (integer && magnitude <= (unsigned long long)LLONG_MAX) {
		v->u.number.i = negative ? -(long long)magnitude : (long long)magnitude;
		v->u.number.d = negative && !magnitude ? -0.0 : (double)v->u.number.i;
		v->u.number.flags = YAJL_NUMBER_INT_VALID | YAJL_NUMBER_DOUBLE_VALID;
	} else {
		char *end;
		errno = 0;
		v->u.number.d = strtod(v->u.number.r, &end);
		if (errno == 0 && *end == '\0')
			v->u.number.flags = YAJL_NUMBER_DOUBLE_VALID;
	}
	return add_value(b, v);
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
	struct json_builder *b = ctx;
	yajl_val v = new_node(b, yajl_t_string);
	v->u.string = arena_string(b->doc, s, len);
	return add_value(b, v);
}

static int on_key(void *ctx, const unsigned char *s, size_t len)
{
	struct json_builder *b = ctx;
	b->pending_key = arena_string(b->doc, s, len);
	return 1;
}

static struct json_container *container_of(yajl_val node)
{
	return (struct json_container *)((char *)node - offsetof(struct json_container, node));
}

static int open_container(struct json_builder *b, yajl_type type)
{
	struct json_container *c = arena_alloc(b->doc, sizeof *c);
	memset(c, 0, sizeof *c);
	c->node.type = type;
	yajl_val node = &c->node;
	/* yajl has consumed the bracket when it calls back. */
	if (b->text)
		c->source = b->text + yajl_get_bytes_consumed(b->parser) - 1;
	if (b->depth)
		add_value(b, node); /* with its key, where the parent's members wait */
	if (b->depth == b->frames_alloc) {
		b->frames_alloc = b->frames_alloc ? 2 * b->frames_alloc : 16;
		b->frames = xrealloc_array(b->frames, b->frames_alloc, sizeof *b->frames);
	}
	b->frames[b->depth++] = (struct json_frame){.node = node, .first = b->len};
	return 1;
}

static int close_container(struct json_builder *b)
{
	struct json_frame frame = b->frames[--b->depth];
	size_t n = b->len - frame.first;
	yajl_val *values = arena_alloc(b->doc, (n ? n : 1) * sizeof *values);
	if (n) /* the stack is NULL until a first member */
		memcpy(values, b->values + frame.first, n * sizeof *values);
	if (frame.node->type == yajl_t_object) {
		const char **keys = arena_alloc(b->doc, (n ? n : 1) * sizeof *keys);
		if (n)
			memcpy(keys, b->keys + frame.first, n * sizeof *keys);
		frame.node->u.object.keys = keys;
		frame.node->u.object.values = values;
		frame.node->u.object.len = n;
	} else {
		frame.node->u.array.values = values;
		frame.node->u.array.len = n;
	}
	b->len = frame.first;
	struct json_container *c = container_of(frame.node);
	if (c->source)
		c->source_len = (size_t)(b->text + yajl_get_bytes_consumed(b->parser) - c->source);
	if (!b->depth) {
		b->doc->root = *c;
		b->have_root = true;
	}
	return 1;
}

static int on_start_map(void *ctx)
{
	return open_container(ctx, yajl_t_object);
}

static int on_start_array(void *ctx)
{
	return open_container(ctx, yajl_t_array);
}

static int on_end(void *ctx)
{
	return close_container(ctx);
}

void json_free(yajl_val root)
{
	if (!root)
		return;
	/* The root's container is the document's first member. */
	struct json_doc *doc = (struct json_doc *)container_of(root);
	for (struct json_chunk *c = doc->chunks, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(doc);
}

static CHATARC_MUST_CHECK chatarc_status_t parse(const char *text, size_t len, bool keep_spans,
                                                 yajl_val *out, chatarc_error_t *err)
{
	static const yajl_callbacks callbacks = {
	    .yajl_null = on_null,
	    .yajl_boolean = on_boolean,
	    .yajl_number = on_number,
	    .yajl_string = on_string,
	    .yajl_start_map = on_start_map,
	    .yajl_map_key = on_key,
	    .yajl_end_map = on_end,
	    .yajl_start_array = on_start_array,
	    .yajl_end_array = on_end,
	};
	struct json_builder b = {.doc = xcalloc(1, sizeof *b.doc),
	                         .text = keep_spans ? text : NULL};
	yajl_handle parser = yajl_alloc(&callbacks, NULL, &b);
	b.parser = parser;
	chatarc_status_t status = CHATARC_OK;

	yajl_config(parser, yajl_allow_comments, 1);
	if (yajl_parse(parser, (const unsigned char *)text, len) != yajl_status_ok ||
	    yajl_complete_parse(parser) != yajl_status_ok || !b.have_root) {
		unsigned char *why = yajl_get_error(parser, 1, (const unsigned char *)text, len);
		/* yajl's message spans lines (it quotes the text); keep the first. */
		char *reason = (char *)why;
		reason[strcspn(reason, "\n")] = '\0';
		size_t n = strlen(reason);
		while (n && (reason[n - 1] == '.' || reason[n - 1] == ' '))
			reason[--n] = '\0';
		status = chatarc_error_set(err, CHATARC_ERR_JSON, "invalid JSON: %s",
		                           reason[0] ? reason : "parse error");
		yajl_free_error(parser, why);
		json_free(&b.doc->root.node);
		*out = NULL;
	} else {
		*out = &b.doc->root.node;
	}
	yajl_free(parser);
	free(b.frames);
	free(b.keys);
	free(b.values);
	return status;
}

chatarc_status_t json_parse_len(const char *text, size_t len, yajl_val *out, chatarc_error_t *err)
{
	return parse(text, len, false, out, err);
}

chatarc_status_t json_parse(const char *text, yajl_val *out, chatarc_error_t *err)
{
	return parse(text, strlen(text), false, out, err);
}

chatarc_status_t json_parse_text(const char *text, size_t len, yajl_val *out, chatarc_error_t *err)
{
	return parse(text, len, true, out, err);
}

/* Whether an escape, at s (after the backslash), is written so by
 * json_add_string: the short forms of '"', '\\', \n, \r and \t, and
 * \u00xx (lower-case hex) for the other control characters but NUL (which
 * the tree holds as U+FFFD). */
static bool canonical_escape(const char *s, const char *end, size_t *used)
{
	*used = 1;
	if (*s == '"' || *s == '\\' || *s == 'n' || *s == 'r' || *s == 't')
		return true;
	static const char hex[] = "0123456789abcdef";
	if (*s != 'u' || end - s < 5 || s[1] != '0' || s[2] != '0' || (s[3] != '0' && s[3] != '1'))
		return false;
	const char *low = memchr(hex, s[4], 16);
	if (!low || !s[4])
		return false;
	unsigned c = (unsigned)(s[3] - '0') * 16 + (unsigned)(low - hex);
	*used = 5;
	return c != 0 && c != '\n' && c != '\r' && c != '\t';
}

/* Whether text is what json_add_value writes for the tree parsed from it:
 * no blank (any control byte) or comment between tokens, every escape in
 * its written form.
 * Numbers and literals are written as they were read. */
static bool canonical_text(const char *p, const char *end)
{
	bool in_string = false;
	while (p < end) {
		unsigned char c = (unsigned char)*p;
		if (in_string) {
			const char *stop = p;
			while (stop < end && *stop != '"' && *stop != '\\' &&
			       (unsigned char)*stop >= 0x20)
				stop++;
			if (stop == end || (unsigned char)*stop < 0x20)
				return false;
			if (*stop == '"') {
				in_string = false;
				p = stop + 1;
				continue;
			}
			size_t used;
			if (stop + 1 == end || !canonical_escape(stop + 1, end, &used))
				return false;
			p = stop + 1 + used;
			continue;
		}
		/* (yajl also takes \v and \f as blanks, and / starts a comment) */
		if (c == '"')
			in_string = true;
		else if (c <= ' ' || c == '/')
			return false;
		p++;
	}
	return !in_string;
}

const char *json_source_text(yajl_val v, size_t *len)
{
	if (!YAJL_IS_OBJECT(v) && !YAJL_IS_ARRAY(v))
		return NULL;
	const struct json_container *c = container_of(v);
	if (!c->source || !canonical_text(c->source, c->source + c->source_len))
		return NULL;
	*len = c->source_len;
	return c->source;
}
