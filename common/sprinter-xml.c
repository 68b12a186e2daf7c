/* The XML sprinter of sprinter.h, apart from the others so a program that
 * prints only JSON or CSV (chatarc's search front end) does not link
 * libxml2. */
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "hash.h"
#include "json.h"
#include "sprinter.h"

struct sprinter_xml {
	sprinter_t sp;
	strbuf_t *out; /* text: written here at the end */
	xmlBufferPtr buf;
	xmlDocPtr *doc; /* or a tree: the document made */
	uint64_t *hash; /* and, for a tree, a hash of what was written */
	xmlTextWriterPtr writer;
};

/* A tree's hash takes every event: what kind, its name, its value (NUL
 * separated, so that no two different documents run together alike). */
static void mix(sprinter_t *sp, char kind, const char *name, const char *value)
{
	uint64_t *hash = ((struct sprinter_xml *)sp)->hash;
	if (!hash)
		return;
	*hash = fnv1a(*hash, &kind, 1);
	if (name)
		*hash = fnv1a(*hash, name, strlen(name) + 1);
	if (value)
		*hash = fnv1a(*hash, value, strlen(value) + 1);
}

static xmlTextWriterPtr writer_of(sprinter_t *sp)
{
	return ((struct sprinter_xml *)sp)->writer;
}

static void xml_begin(sprinter_t *sp, const char *name)
{
	mix(sp, '<', name, NULL);
	xmlTextWriterStartElement(writer_of(sp), BAD_CAST name);
}

static void xml_end(sprinter_t *sp)
{
	mix(sp, '>', NULL, NULL);
	xmlTextWriterEndElement(writer_of(sp));
}

static void xml_string(sprinter_t *sp, const char *name, const char *value)
{
	if (!value)
		return;
	char *clean = xml_clean_copy(value);
	mix(sp, '=', name, clean ? clean : value);
	xmlTextWriterWriteAttribute(writer_of(sp), BAD_CAST name, BAD_CAST(clean ? clean : value));
	free(clean);
}

static void xml_integer(sprinter_t *sp, const char *name, long long value)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%lld", value);
	mix(sp, '=', name, buf);
	xmlTextWriterWriteAttribute(writer_of(sp), BAD_CAST name, BAD_CAST buf);
}

static void xml_number(sprinter_t *sp, const char *name, double value)
{
	char buf[64];
	snprintf(buf, sizeof buf, "%.4f", value);
	mix(sp, '=', name, buf);
	xmlTextWriterWriteAttribute(writer_of(sp), BAD_CAST name, BAD_CAST buf);
}

static void xml_boolean(sprinter_t *sp, const char *name, bool value)
{
	if (value) {
		mix(sp, '=', name, "yes");
		xmlTextWriterWriteAttribute(writer_of(sp), BAD_CAST name, BAD_CAST "yes");
	}
}

static void xml_text(sprinter_t *sp, const char *name, const char *value)
{
	char *clean = value ? xml_clean_copy(value) : NULL;
	mix(sp, 't', name, clean ? clean : value ? value : "");
	xmlTextWriterWriteElement(writer_of(sp), BAD_CAST name,
	                          BAD_CAST(clean   ? clean
	                                   : value ? value
	                                           : ""));
	free(clean);
}

static struct sprinter_xml *xml_sprinter(void)
{
	struct sprinter_xml *x = xcalloc(1, sizeof *x);
	x->sp = (sprinter_t){xml_begin,   xml_end,    xml_begin,       xml_end,
	                     xml_string,  xml_string, xml_integer,     xml_number,
	                     xml_boolean, xml_text,   sprinter_no_raw, sprinter_texts_as_list};
	return x;
}

sprinter_t *sprinter_xml_new(strbuf_t *out, bool indent)
{
	struct sprinter_xml *x = xml_sprinter();
	x->out = out;
	x->buf = xmlBufferCreate();
	x->writer = xmlNewTextWriterMemory(x->buf, 0);
	if (!x->buf || !x->writer)
		alloc_or_die(NULL);
	if (indent) {
		xmlTextWriterSetIndent(x->writer, 1);
		xmlTextWriterSetIndentString(x->writer, BAD_CAST " ");
	}
	xmlTextWriterStartDocument(x->writer, NULL, "UTF-8", NULL);
	return &x->sp;
}

sprinter_t *sprinter_xml_tree_new(xmlDocPtr *doc, uint64_t *hash)
{
	struct sprinter_xml *x = xml_sprinter();
	x->doc = doc;
	x->hash = hash;
	*doc = NULL;
	x->writer = xmlNewTextWriterDoc(doc, 0);
	if (!x->writer)
		alloc_or_die(NULL);
	xmlTextWriterStartDocument(x->writer, NULL, "UTF-8", NULL);
	return &x->sp;
}

void sprinter_xml_finish(sprinter_t *sp)
{
	struct sprinter_xml *x = (struct sprinter_xml *)sp;
	xmlTextWriterEndDocument(x->writer);
	xmlFreeTextWriter(x->writer);
	if (x->out) {
		strbuf_add(x->out, xmlBufferContent(x->buf), (size_t)xmlBufferLength(x->buf));
		xmlBufferFree(x->buf);
	}
	free(x);
}
