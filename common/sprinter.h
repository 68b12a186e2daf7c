/* Structured output with one implementation per format, after notmuch's
 * sprinter.h: the code that walks a message or a summary says what it
 * writes (objects, attributes, lists, text) once, and the format decides
 * how. JSON, XML (libxml2's xmlTextWriter: every text and attribute
 * escaped) and CSV (one row an object, RFC 4180; a list inside a row is
 * one field, its items space-separated). */
#ifndef CHATARC_SPRINTER_H
#define CHATARC_SPRINTER_H

#include <stdbool.h>
#include <stdint.h>

#include "strbuf.h"
#include "strlist.h"

typedef struct sprinter sprinter_t;
struct sprinter {
	/* name: the element (XML) or key (JSON; ignored at the top and in lists). */
	void (*begin_object)(sprinter_t *sp, const char *name);
	void (*end_object)(sprinter_t *sp);
	void (*begin_list)(sprinter_t *sp, const char *name);
	void (*end_list)(sprinter_t *sp);
	/* A string attribute; NULL writes nothing. In a list: an item. */
	void (*string)(sprinter_t *sp, const char *name, const char *value);
	/* A string that may be absent: JSON null, CSV empty, XML nothing. */
	void (*nullable)(sprinter_t *sp, const char *name, const char *value);
	void (*integer)(sprinter_t *sp, const char *name, long long value);
	void (*number)(sprinter_t *sp, const char *name, double value); /* 4 decimals */
	void (*boolean)(sprinter_t *sp, const char *name, bool value);  /* false: nothing */
	/* A child element of text (XML); a string elsewhere. */
	void (*text)(sprinter_t *sp, const char *name, const char *value);
	/* JSON text as it is (JSON); nothing in other formats. */
	void (*raw_json)(sprinter_t *sp, const char *name, const char *json);
	/* A list of free texts (alt texts, which hold spaces): a list in JSON
	 * and XML; in CSV one field holding a JSON array, as twarc-csv writes
	 * lists. */
	void (*texts)(sprinter_t *sp, const char *name, const strlist_t *items);
};

/* texts() as a list of strings (JSON, XML). */
void sprinter_texts_as_list(sprinter_t *sp, const char *name, const strlist_t *items);

/* JSON into out. */
struct sprinter_json {
	sprinter_t sp;
	strbuf_t *out;
	int depth;
	bool first[64], in_list[64];
};
void sprinter_json_init(struct sprinter_json *json, strbuf_t *out);
/* The members of object (a JSON object this sprinter wrote before, such as
 * a record kept in the index) as members of the object being written: a
 * search hit is its record and a score, without parsing the record again
 * (parsing 200,000 hits took 2.4 times as long). */
void sprinter_json_members(struct sprinter_json *json, const char *object);

/* CSV rows into out. A text cell that a spreadsheet would run as a
 * formula (it starts with =, +, -, @, a tab or a carriage return: OWASP's
 * list) is written quoted with a leading ' that spreadsheets show as
 * text; numbers are written as they are. raw (csv-raw) writes every cell's
 * bytes as they are, for tools that are not spreadsheets. */
struct sprinter_csv {
	sprinter_t sp;
	strbuf_t *out;
	bool first_field, in_list, list_empty;
	bool raw;
	strbuf_t list;
};
void sprinter_csv_init(struct sprinter_csv *csv, strbuf_t *out);
void sprinter_csv_release(struct sprinter_csv *csv);

/* An XML document into out (declaration, then what is written);
 * sprinter_xml_finish ends it. indent: one space a level. */
sprinter_t *sprinter_xml_new(strbuf_t *out, bool indent);
/* The same into a libxml2 document (*doc, made here; the caller frees it)
 * instead of text, for a program that transforms it next: no text written
 * and parsed back. *hash (FNV-1a, seeded by the caller) takes every event,
 * to tell whether the document is the one made last time. */
struct _xmlDoc;
sprinter_t *sprinter_xml_tree_new(struct _xmlDoc **doc, uint64_t *hash);
void sprinter_xml_finish(sprinter_t *sp);

/* raw_json for the formats that leave raw JSON out. */
void sprinter_no_raw(sprinter_t *sp, const char *name, const char *json);

#endif
