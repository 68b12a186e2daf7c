/* JSON helpers shared by every stage: typed access to yajl trees with errors
 * that name the field, and one writer for JSON text (strings escaped here only). */
#ifndef CHATARC_JSON_H
#define CHATARC_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "status.h"
#include "strbuf.h"

/* Parses one complete JSON text (NUL-terminated; or its first len bytes)
 * into a tree of yajl's nodes held in one arena. A "\u0000" in a string
 * reads as U+FFFD. On failure err holds yajl's reason on one line and *out
 * is NULL. Free the root with json_free (never yajl_tree_free). */
CHATARC_MUST_CHECK chatarc_status_t json_parse(const char *text, yajl_val *out,
                                               chatarc_error_t *err);
CHATARC_MUST_CHECK chatarc_status_t json_parse_len(const char *text, size_t len, yajl_val *out,
                                                   chatarc_error_t *err);
/* The same, for a text the caller keeps, unchanged, until json_free: a
 * container written back with json_add_value is then copied from it when
 * it is already in json_add_value's form (the common case: an API's compact
 * JSON), instead of walked and escaped anew. */
CHATARC_MUST_CHECK chatarc_status_t json_parse_text(const char *text, size_t len, yajl_val *out,
                                                    chatarc_error_t *err);
/* Such a container's text, when json_add_value would write exactly it;
 * else NULL (not parsed by json_parse_text, blanks, other escapes). */
const char *json_source_text(yajl_val v, size_t *len);
/* Frees a tree json_parse made (NULL is fine). */
void json_free(yajl_val root);

/* The member `key` of object obj, or NULL when obj is not an object or lacks it. */
yajl_val json_get(yajl_val obj, const char *key);
/* Follows a NULL-terminated path of keys. */
yajl_val json_get_path(yajl_val obj, const char *const *path);
/* The string member, or NULL when missing or not a string. */
const char *json_get_string(yajl_val obj, const char *key);
/* Like json_get_string but a missing member is an error naming `what.key`;
 * a present member of another type is an error too. */
CHATARC_MUST_CHECK chatarc_status_t json_require_string(yajl_val obj, const char *key,
                                                        const char *what, const char **out,
                                                        chatarc_error_t *err);
/* An optional string member: NULL/missing gives *out = NULL; another type is an error. */
CHATARC_MUST_CHECK chatarc_status_t json_optional_string(yajl_val obj, const char *key,
                                                         const char *what, const char **out,
                                                         chatarc_error_t *err);
/* A non-negative count from a number or a numeric string (tweets.js quotes numbers). */
long long json_get_count(yajl_val obj, const char *key);
/* The same of a value already found. */
long long json_count_of(yajl_val v);
/* An array member's length and items, or 0 and NULL. */
size_t json_array_len(yajl_val arr);
yajl_val json_array_at(yajl_val arr, size_t i);

/* Writers. json_add_string escapes for JSON; json_add_value re-serialises a
 * parsed tree (numbers keep their original text). */
void json_add_string(strbuf_t *out, const char *s);
void json_add_string_len(strbuf_t *out, const char *s, size_t len);
void json_add_value(strbuf_t *out, yajl_val v);

/* True when s[0..len) is valid UTF-8 without NUL bytes. */
bool utf8_valid(const char *s, size_t len);
/* True when text[0..len) is one JSON value (checked without building it). */
bool json_text_valid(const char *text, size_t len);
/* The character that starts s[0..len): its length in bytes and *code_point,
 * or 0 for a NUL, a cut or an invalid sequence (overlong, surrogate). */
size_t utf8_decode(const char *s, size_t len, unsigned *code_point);

/* The one guard of every XML chatarc writes (summaries, site documents):
 * a post may hold characters XML 1.0 cannot (C0 controls, U+FFFE, U+FFFF,
 * surrogates, bytes that are not UTF-8), which would make the whole
 * document ill-formed; each becomes U+FFFD. NULL when value is fine as it
 * is, else a new string. */
char *xml_clean_copy(const char *value);

#endif
