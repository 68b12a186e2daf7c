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
	xmlTextWriterPtr writer;
	/* Or a tree, built node by node (a text writer on a document would
	 * write text and parse it back: a fifth of a publish). */
	xmlDocPtr doc;
	xmlNodePtr current; /* the open element */
	uint64_t *hash;     /* and, for a tree, a hash of what was written */
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

/* The text writer writes into memory: it fails only when memory does,
 * which has one policy (alloc.h). */
static void written(int rc)
{
	if (rc < 0)
		alloc_or_die(NULL);
}

static xmlTextWriterPtr writer_of(sprinter_t *sp)
{
	return ((struct sprinter_xml *)sp)->writer;
}

/* An element, as the root or in the open one. */
static xmlNodePtr tree_element(struct sprinter_xml *x, const char *name)
{
	xmlNodePtr node = alloc_or_die(xmlNewDocNode(x->doc, NULL, BAD_CAST name, NULL));
	if (x->current)
		xmlAddChild(x->current, node);
	else
		xmlDocSetRootElement(x->doc, node);
	return node;
}

static void xml_begin(sprinter_t *sp, const char *name)
{
	struct sprinter_xml *x = (struct sprinter_xml *)sp;
	mix(sp, '<', name, NULL);
	if (x->doc)
		x->current = tree_element(x, name);
	else
		written(xmlTextWriterStartElement(writer_of(sp), BAD_CAST name));
}

static void xml_end(sprinter_t *sp)
{
	struct sprinter_xml *x = (struct sprinter_xml *)sp;
	mix(sp, '>', NULL, NULL);
	if (x->doc)
		x->current = x->current->parent && x->current->parent->type == XML_ELEMENT_NODE
		                 ? x->current->parent
		                 : NULL;
	else
		written(xmlTextWriterEndElement(writer_of(sp)));
}

/* value is fit for XML (xml_clean_copy); xmlNewProp keeps it literally. */
static void attribute(sprinter_t *sp, const char *name, const char *value)
{
	struct sprinter_xml *x = (struct sprinter_xml *)sp;
	mix(sp, '=', name, value);
	if (x->doc)
		alloc_or_die(xmlNewProp(x->current, BAD_CAST name, BAD_CAST value));
	else
		written(xmlTextWriterWriteAttribute(writer_of(sp), BAD_CAST name, BAD_CAST value));
}

static void xml_string(sprinter_t *sp, const char *name, const char *value)
{
	if (!value)
		return;
	char *clean = xml_clean_copy(value);
	attribute(sp, name, clean ? clean : value);
	free(clean);
}

static void xml_integer(sprinter_t *sp, const char *name, long long value)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%lld", value);
	attribute(sp, name, buf);
}

static void xml_number(sprinter_t *sp, const char *name, double value)
{
	char buf[64];
	snprintf(buf, sizeof buf, "%.4f", value);
	attribute(sp, name, buf);
}

static void xml_boolean(sprinter_t *sp, const char *name, bool value)
{
	if (value)
		attribute(sp, name, "yes");
}

static void xml_text(sprinter_t *sp, const char *name, const char *value)
{
	struct sprinter_xml *x = (struct sprinter_xml *)sp;
	char *clean = value ? xml_clean_copy(value) : NULL;
	const char *text = clean ? clean : value ? value : "";
	mix(sp, 't', name, text);
	if (x->doc) {
		/* The text as a text node: xmlNewDocNode's content would be
		 * read for entity references. An empty element stays empty,
		 * as the parser leaves <x></x>. */
		xmlNodePtr element = tree_element(x, name);
		if (*text)
			xmlAddChild(element, alloc_or_die(xmlNewDocText(x->doc, BAD_CAST text)));
	} else {
		written(xmlTextWriterWriteElement(writer_of(sp), BAD_CAST name, BAD_CAST text));
	}
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
		written(xmlTextWriterSetIndent(x->writer, 1));
		written(xmlTextWriterSetIndentString(x->writer, BAD_CAST " "));
	}
	written(xmlTextWriterStartDocument(x->writer, NULL, "UTF-8", NULL));
	return &x->sp;
}

sprinter_t *sprinter_xml_tree_new(xmlDocPtr *doc, uint64_t *hash)
{
	struct sprinter_xml *x = xml_sprinter();
	x->hash = hash;
	x->doc = *doc = alloc_or_die(xmlNewDoc(BAD_CAST "1.0"));
	x->doc->encoding = xmlStrdup(BAD_CAST "UTF-8");
	return &x->sp;
}

void sprinter_xml_finish(sprinter_t *sp)
{
	struct sprinter_xml *x = (struct sprinter_xml *)sp;
	if (x->writer) {
		written(xmlTextWriterEndDocument(x->writer));
		xmlFreeTextWriter(x->writer);
	}
	if (x->out) {
		strbuf_add(x->out, xmlBufferContent(x->buf), (size_t)xmlBufferLength(x->buf));
		xmlBufferFree(x->buf);
	}
	free(x);
}
